package web

import (
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/lifeos/lifeos/store"
)

// PageSize is how many runs one page of the list shows.
const PageSize = 50

// runsPage serves /runs, the filtered list, newest first.
func (h *Handler) runsPage(w http.ResponseWriter, r *http.Request) {
	v, ok := h.viewerOf(r)
	if !ok {
		h.toLogin(w, r)
		return
	}
	list, err := h.list(r, v)
	if err != nil {
		h.fail(w, "list runs", err)
		return
	}
	h.render(w, "runs.html", list)
}

// runsAPI serves /api/runs: the list as JSON.
func (h *Handler) runsAPI(w http.ResponseWriter, r *http.Request) {
	v, ok := h.viewerOf(r)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "log in, or send the admin token as a bearer token"})
		return
	}
	list, err := h.list(r, v)
	if err != nil {
		h.fail(w, "list runs", err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// runPage serves /runs/{id}.
func (h *Handler) runPage(w http.ResponseWriter, r *http.Request) {
	v, ok := h.viewerOf(r)
	if !ok {
		h.toLogin(w, r)
		return
	}
	d, found, err := h.detail(r, v)
	switch {
	case err != nil:
		h.fail(w, "show run", err)
	case !found:
		// The same answer as for an id that does not exist, so a run
		// the viewer may not see cannot be told apart from none.
		http.NotFound(w, r)
	default:
		h.render(w, "run.html", d)
	}
}

// runAPI serves /api/runs/{id}: the run page's content as JSON.
func (h *Handler) runAPI(w http.ResponseWriter, r *http.Request) {
	v, ok := h.viewerOf(r)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "log in, or send the admin token as a bearer token"})
		return
	}
	d, found, err := h.detail(r, v)
	switch {
	case err != nil:
		h.fail(w, "show run", err)
	case !found:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
	default:
		writeJSON(w, http.StatusOK, d)
	}
}

// list reads the filter from the query and lists the runs the viewer may see.
func (h *Handler) list(r *http.Request, v viewer) (*runList, error) {
	q := r.URL.Query()
	out := &runList{Viewer: v, Repo: q.Get("repo"), Status: q.Get("status"), Trigger: q.Get("trigger")}
	f := store.PageFilter{Status: out.Status, Trigger: out.Trigger, Limit: PageSize + 1}
	f.BeforeID, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	all, err := h.cfg.Store.RunRepos(r.Context())
	if err != nil {
		return nil, err
	}
	f.Repos = []string{}
	for _, repo := range all {
		if h.canRead(r.Context(), v, repo) {
			out.Repos = append(out.Repos, repo)
			if out.Repo == "" || out.Repo == repo {
				f.Repos = append(f.Repos, repo)
			}
		}
	}
	runs, err := h.cfg.Store.ListRuns(r.Context(), f)
	if err != nil {
		return nil, err
	}
	if len(runs) > PageSize {
		runs = runs[:PageSize]
		next := url.Values{"repo": {out.Repo}, "status": {out.Status}, "trigger": {out.Trigger},
			"before": {strconv.FormatInt(runs[len(runs)-1].ID, 10)}}
		out.Next = "?" + next.Encode()
	}
	for _, run := range runs {
		out.Runs = append(out.Runs, summaryOf(run))
	}
	return out, nil
}

// detail gathers one run's page; found is false both for a missing run and
// for one the viewer may not see.
func (h *Handler) detail(r *http.Request, v viewer) (*runDetail, bool, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return nil, false, nil
	}
	ctx := r.Context()
	run, err := h.cfg.Store.Run(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if !h.canRead(ctx, v, run.Repo) {
		return nil, false, nil
	}
	d, err := h.gather(r, run)
	if err != nil {
		return nil, false, err
	}
	d.Viewer = v
	return d, true, nil
}

// toLogin sends a visitor without a session to the login, to come back here.
func (h *Handler) toLogin(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
}

// fail logs an error and answers 500 without its detail.
func (h *Handler) fail(w http.ResponseWriter, what string, err error) {
	h.cfg.Log.Error().Err(err).Msg("Run pages: " + what)
	http.Error(w, "Something went wrong on the server; it is logged.", http.StatusInternalServerError)
}

// render executes a page template into the response.
func (h *Handler) render(w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := h.pages.ExecuteTemplate(w, name, data); err != nil {
		h.cfg.Log.Error().Err(err).Str("page", name).Msg("Render run page")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
