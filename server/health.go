package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// healthResponse is the body of GET /api/health.
type healthResponse struct {
	Status   string `json:"status"`
	Version  string `json:"version"`
	Database string `json:"database"`
}

// health reports whether the server can reach its database, and 503
// "draining" once it is shutting down.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	resp := healthResponse{Status: "ok", Version: s.cfg.Version, Database: string(s.db.Dialect)}
	code := http.StatusOK
	if s.draining.Load() {
		resp.Status = "draining"
		code = http.StatusServiceUnavailable
	} else if err := s.db.PingContext(ctx); err != nil {
		resp.Status = "unavailable"
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(resp)
}
