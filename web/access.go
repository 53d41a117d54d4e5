package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// AccessTTL is how long a person's read access to a repository, as GitHub
// answered it, is reused: short, so losing access shows within a minute,
// and long enough that a page of runs costs one request per repository.
const AccessTTL = time.Minute

// viewer is who is asking: a logged-in person or the admin token.
type viewer struct {
	Login string
	token string
	Admin bool
}

// viewerOf returns the request's viewer: the admin bearer token, or a
// valid session; ok is false for neither.
func (h *Handler) viewerOf(r *http.Request) (viewer, bool) {
	if h.cfg.AdminToken != "" {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok &&
			subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(h.cfg.AdminToken)) == 1 {
			return viewer{Login: "admin", Admin: true}, true
		}
	}
	s, ok := h.readSession(r)
	if !ok {
		return viewer{}, false
	}
	return viewer{Login: s.Login, token: s.Token}, true
}

// accessCache remembers GitHub's answer to "can this person read this
// repository" for AccessTTL, per login and repository.
type accessCache struct {
	mu      sync.Mutex
	entries map[string]accessEntry
}

// maxAccessEntries is when the cache drops its expired entries, so it stays
// bounded by the people and repositories of the last AccessTTL.
const maxAccessEntries = 10000

// put stores an answer, first dropping expired ones when the cache is large.
func (c *accessCache) put(key string, e accessEntry, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxAccessEntries {
		for k, old := range c.entries {
			if !now.Before(old.until) {
				delete(c.entries, k)
			}
		}
	}
	c.entries[key] = e
}

type accessEntry struct {
	ok    bool
	until time.Time
}

// canRead reports whether the viewer may see the repository's runs: the
// admin always; a person when GET /repos/{owner}/{repo} with their own
// token answers 200. Any other answer or failure is no (fail closed).
func (h *Handler) canRead(ctx context.Context, v viewer, repo string) bool {
	if v.Admin {
		return true
	}
	key := strings.ToLower(v.Login) + "\x00" + strings.ToLower(repo)
	now := h.now()
	h.access.mu.Lock()
	e, hit := h.access.entries[key]
	h.access.mu.Unlock()
	if hit && now.Before(e.until) {
		return e.ok
	}
	ok, err := h.askGitHub(ctx, v.token, repo)
	if err != nil {
		h.cfg.Log.Warn().Err(err).Str("repo", repo).Str("login", v.Login).Msg("Cannot check read access; refusing")
		return false // not cached: the next page asks again
	}
	h.access.put(key, accessEntry{ok: ok, until: now.Add(AccessTTL)}, now)
	return ok
}

// askGitHub asks GitHub, with the person's token, whether they can read repo.
func (h *Handler) askGitHub(ctx context.Context, token, repo string) (bool, error) {
	owner, name, found := strings.Cut(repo, "/")
	if !found {
		return false, fmt.Errorf("repository %q is not owner/name", repo)
	}
	resp, err := h.userGet(ctx, token, "repos/"+url.PathEscape(owner)+"/"+url.PathEscape(name))
	if err != nil {
		return false, fmt.Errorf("read access to %s: %w", repo, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	switch resp.StatusCode {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound, http.StatusForbidden:
		return false, nil
	default:
		return false, fmt.Errorf("read access to %s: GitHub answered %s", repo, resp.Status)
	}
}

// userGet sends an authenticated GET to the REST API with a user token.
func (h *Handler) userGet(ctx context.Context, token, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.cfg.APIURL+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/vnd.github+json")
	return h.client.Do(req)
}

// userLogin asks GitHub whose token this is.
func (h *Handler) userLogin(ctx context.Context, token string) (string, error) {
	resp, err := h.userGet(ctx, token, "user")
	if err != nil {
		return "", fmt.Errorf("read the user: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("read the user: GitHub answered %s", resp.Status)
	}
	var u struct {
		Login string `json:"login"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&u); err != nil || u.Login == "" {
		return "", fmt.Errorf("read the user: no login in GitHub's answer (%v)", err)
	}
	return u.Login, nil
}
