package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/store"
)

const (
	testClientID  = "Iv1.testclient"
	testSecret    = "test-client-secret"
	testAdmin     = "admin-token-for-scripts-0123456789"
	hostileScript = `<script>alert("x")</script>`
)

// world is the pages over a real store and the GitHub double, served on
// loopback: alice can read o/open and not o/closed.
type world struct {
	t      *testing.T
	gh     *githubfake.Server
	st     *store.Store
	srv    *httptest.Server
	h      *Handler
	open   int64 // a run of o/open
	closed int64 // a run of o/closed
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, gh: githubfake.New(githubfake.Options{})}
	t.Cleanup(w.gh.Close)
	w.gh.SetOAuthClient(testClientID, testSecret)
	w.gh.AddInstallation(1, "o")
	w.gh.AddRepo(1, "o/open", nil)
	w.gh.AddRepo(1, "o/closed", nil)
	w.gh.SetPermission("o/open", "alice", "read")
	w.gh.SignIn("alice")

	db, err := store.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.st = store.New(db, nil)
	w.open = w.addRun("o/open", 1)
	w.closed = w.addRun("o/closed", 2)

	var h http.Handler = http.NotFoundHandler()
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { h.ServeHTTP(rw, r) }))
	t.Cleanup(w.srv.Close)
	public, _ := url.Parse(w.srv.URL)
	w.h, err = New(Config{Store: w.st, ClientID: testClientID, ClientSecret: testSecret,
		SessionKey: []byte(strings.Repeat("s", 32)), AdminToken: testAdmin, PublicURL: public,
		WebURL: w.gh.URL(), APIURL: w.gh.URL(), Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	h = w.h
	return w
}

// addRun stores a finished run with a decision, two model calls, a commit
// and a transcript whose every field holds a script tag.
func (w *world) addRun(repo string, issue int) int64 {
	w.t.Helper()
	ctx := context.Background()
	run, err := w.st.StartRun(ctx, store.NewRun{Repo: repo, InstallationID: 1, IssueNumber: issue,
		DeliveryID: fmt.Sprint("d-", repo), JobID: int64(issue), Trigger: "label", Actor: "alice", Status: store.StatusRunning})
	if err != nil {
		w.t.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			w.t.Fatal(err)
		}
	}
	must(w.st.RecordDecision(ctx, run.ID, true, "trigger.role", "alice has write on "+repo))
	for seq := 1; seq <= 2; seq++ {
		must(w.st.RecordCall(ctx, store.ModelCall{RunID: run.ID, Seq: seq, Model: "gpt-4.1", PromptTokens: 100, CompletionTokens: 10, TotalTokens: 110}))
		_, err := w.st.Charge(ctx, store.Charge{RunID: run.ID, Seq: seq, Repo: repo, InstallationID: 1, Model: "gpt-4.1", CostMicros: 1250})
		must(err)
	}
	must(w.st.RecordCommit(ctx, repo, "0123456789abcdef0123456789abcdef01234567", run.ID))
	transcript, _ := json.Marshal([]agent.Entry{
		{Turn: 0, Role: "user", Content: "Fix it " + hostileScript},
		{Turn: 1, Role: "assistant", Content: "Reading " + repo + " " + hostileScript},
		{Turn: 1, Role: "tool", Tool: "read_file", Args: `{"path":"` + hostileScript + `"}`, Result: strings.Repeat("long line\n", 40) + hostileScript},
	})
	must(w.st.FinishRun(ctx, run.ID, store.Outcome{Status: store.StatusSucceeded, Model: "gpt-4.1", Turns: 2,
		TotalTokens: 220, PRNumber: 7, Summary: "Fixed " + repo, Transcript: string(transcript)}))
	return run.ID
}

// client is a browser without JavaScript: a cookie jar, redirects not followed.
func (w *world) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login walks the OAuth flow through the double and returns the browser.
func (w *world) login() *http.Client {
	w.t.Helper()
	c := w.client()
	next := w.srv.URL + "/login"
	for i := 0; i < 5 && next != ""; i++ {
		resp := w.do(c, "GET", next, "")
		next = resp.Header.Get("Location")
		if strings.HasPrefix(next, "/") {
			next = w.srv.URL + next
		}
		if strings.HasSuffix(next, "/runs") {
			return c
		}
	}
	w.t.Fatalf("login did not end on /runs (last %q)", next)
	return nil
}

// do sends a request and reads the whole body, so the returned response's
// Body can be read after the connection is done.
func (w *world) do(c *http.Client, method, u, bearer string) *http.Response {
	w.t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := c.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	return resp
}

func body(r *http.Response) string {
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(strings.NewReader(string(b)))
	return string(b)
}
