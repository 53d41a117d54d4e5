package githubfake

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v89/github"
)

const (
	testInstallation = int64(4242)
	testOrg          = "acme"
	testRepo         = "acme/widgets"
)

// fixture is a double with one installation and repository, and a
// go-github client authenticated the way production is.
type fixture struct {
	s    *Server
	gh   *github.Client
	repo *Repo
}

func newFixture(t *testing.T, files map[string]string) *fixture {
	t.Helper()
	s := New(Options{})
	t.Cleanup(s.Close)
	s.AddInstallation(testInstallation, testOrg)
	repo := s.AddRepo(testInstallation, testRepo, files)
	return &fixture{s: s, gh: installationClient(t, s, testInstallation), repo: repo}
}

// installationClient builds a client the way go-githubapp does: a
// ghinstallation transport and BaseURL set to the API URL directly.
func installationClient(t *testing.T, s *Server, installationID int64) *github.Client {
	t.Helper()
	itr, err := ghinstallation.New(http.DefaultTransport, s.AppID(), installationID, s.PrivateKeyPEM())
	if err != nil {
		t.Fatalf("ghinstallation: %v", err)
	}
	itr.BaseURL = strings.TrimSuffix(s.URL(), "/")
	base := s.URL()
	gh, err := github.NewClient(github.WithHTTPClient(&http.Client{Transport: itr}), github.WithURLs(&base, &base))
	if err != nil {
		t.Fatal(err)
	}
	return gh
}

// statusOf returns the HTTP status of a go-github error, or 0.
func statusOf(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

// errorText flattens a go-github error's message and field errors.
func errorText(err error) string {
	var er *github.ErrorResponse
	if !errors.As(err, &er) {
		return ""
	}
	parts := []string{er.Message}
	for _, e := range er.Errors {
		parts = append(parts, e.Message)
	}
	return strings.Join(parts, " | ")
}

// noValidationErrors fails the test if the double saw a request GitHub
// would reject as malformed.
func noValidationErrors(t *testing.T, s *Server) {
	t.Helper()
	if errs := s.ValidationErrors(); len(errs) > 0 {
		t.Errorf("validation errors:\n%s", strings.Join(errs, "\n"))
	}
}

var ctx = context.Background()
