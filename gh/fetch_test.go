package gh

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A failed download's error names the URL without the signed query: it
// reaches warn logs and River's stored errors.
func TestFetchErrorHidesSignedQuery(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close() // the connection drops before any answer
		}
	}))
	defer srv.Close()
	r := &Repo{download: srv.Client()}
	for _, u := range []string{srv.URL + "/job.log?token=SIGNED-SECRET", "http://127.0.0.1:1/\x7f?token=SIGNED-SECRET"} {
		body, err := r.fetch(context.Background(), u)
		if err == nil {
			body.Close()
			t.Fatalf("fetch %q succeeded", u)
		}
		if strings.Contains(err.Error(), "SIGNED-SECRET") {
			t.Errorf("fetch error holds the signed query: %v", err)
		}
		if strings.HasPrefix(u, srv.URL) && !strings.Contains(err.Error(), srv.URL+"/job.log") {
			t.Errorf("fetch error does not say where: %v", err)
		}
	}
}
