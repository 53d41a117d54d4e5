package metrics

import (
	"net/http"
	"strconv"
)

// GitHubMiddleware returns round-tripper middleware (the shape of
// go-githubapp's ClientMiddleware) counting GitHub's responses by status,
// keeping the rate limit left, and noting a 401 for the health check.
func (m *Metrics) GitHubMiddleware() func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripper(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			m.observeGitHub(resp, err)
			return resp, err
		})
	}
}

// observeGitHub records one GitHub response (or its absence).
func (m *Metrics) observeGitHub(resp *http.Response, err error) {
	if err != nil || resp == nil {
		m.ghRequests.WithLabelValues("error").Inc()
		return
	}
	m.ghRequests.WithLabelValues(strconv.Itoa(resp.StatusCode)).Inc()
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		m.ghRejected.Store(true)
	case resp.StatusCode < 400:
		m.ghRejected.Store(false)
	}
	if v := resp.Header.Get("X-Ratelimit-Remaining"); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			m.ghRemaining.Set(n)
		}
	}
}

// roundTripper is a function that is an http.RoundTripper.
type roundTripper func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
