// Package e2e drives the real LifeOS server over HTTP with signed,
// GitHub-shaped webhook deliveries, against the GitHub and model doubles, and
// asserts on what ends up in "GitHub".
package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/internal/testdb"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/server"
	"github.com/lifeos/lifeos/store"
)

const (
	secret         = "e2e-webhook-secret"
	installationID = 4242
	repoName       = "Codertocat/Hello-World"
	maintainer     = "Codertocat"
)

// env is one running LifeOS with its doubles.
type env struct {
	t       *testing.T
	gh      *githubfake.Server
	model   *modelfake.Server
	srv     *server.Server
	cfg     *config.Config
	url     string
	stop    context.CancelFunc
	stopped chan error
	seq     atomic.Int64
}

type envOpts struct {
	// from, when set, is an earlier env whose doubles and data directory
	// this one takes over, as a restarted process would.
	from        *env
	files       map[string]string
	databaseURL string
	// appSlug is the App's slug on the GitHub double ("lifeos" if empty);
	// the server reads it from GET /app.
	appSlug   string
	configure func(*config.Config)
}

func start(t *testing.T, o envOpts) *env {
	t.Helper()
	var gh *githubfake.Server
	var model *modelfake.Server
	dataDir := t.TempDir()
	if o.from != nil {
		gh, model, dataDir = o.from.gh, o.from.model, o.from.cfg.DataDir
	} else {
		gh = githubfake.New(githubfake.Options{AppSlug: o.appSlug})
		t.Cleanup(gh.Close)
		// Every request LifeOS sent must be one GitHub would accept.
		t.Cleanup(func() {
			if errs := gh.ValidationErrors(); len(errs) > 0 {
				t.Errorf("requests GitHub would reject:\n%s", strings.Join(errs, "\n"))
			}
		})
		model = modelfake.New()
		t.Cleanup(model.Close)
		gh.AddInstallation(installationID, "Codertocat")
		files := o.files
		if files == nil {
			files = map[string]string{
				"README.md":      "# Hello-World\n\nHello, wrold!\n",
				"main.go":        "package main\n\nfunc main() {}\n",
				"docs/guide.md":  "# Guide\n\nStep one.\n",
				"scripts/run.sh": "#!/bin/sh\necho hi\n",
			}
		}
		gh.AddRepo(installationID, repoName, files)
		gh.AddUser(maintainer, "User")
		gh.SetPermission(repoName, maintainer, "admin")
	}

	cfg := &config.Config{
		Port:           0,
		IntegrationID:  gh.AppID(),
		PrivateKey:     gh.PrivateKeyPEM(),
		WebhookSecret:  secret,
		V3APIURL:       gh.URL(),
		V4APIURL:       gh.URL() + "graphql",
		OpenAIAPIKey:   "sk-e2e",
		OpenAIBaseURL:  model.URL(),
		Model:          "gpt-e2e",
		DatabaseURL:    o.databaseURL,
		DataDir:        dataDir,
		TriggerLabel:   "lifeos:do",
		DeleteBranches: true,
		Ceilings:       e2eCeilings(),
		Prices:         e2ePrices(),
		Version:        "e2e",
	}
	if o.configure != nil {
		o.configure(cfg)
	}
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel)
	if os.Getenv("LIFEOS_E2E_QUIET") != "" {
		log = zerolog.Nop()
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg, log, server.Options{QueuePoll: 20 * time.Millisecond, ShutdownGrace: 5 * time.Second})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	e := &env{t: t, gh: gh, model: model, srv: srv, cfg: cfg, url: "http://" + ln.Addr().String(), stop: cancel, stopped: make(chan error, 1)}
	go func() { e.stopped <- srv.Serve(ctx, ln) }()
	t.Cleanup(e.shutdown)
	return e
}

// shutdown stops the server as SIGTERM would and waits for it.
func (e *env) shutdown() {
	e.stop()
	select {
	case err := <-e.stopped:
		if err != nil {
			e.t.Errorf("server stopped with %v", err)
		}
		e.stopped <- nil // later calls return at once
	case <-time.After(30 * time.Second):
		e.t.Error("server did not stop within 30s")
	}
}

// payload loads a webhook example from testdata (GitHub's own, from
// @octokit/webhooks-examples), adds the installation field an App always
// receives, and applies edit.
func payload(t *testing.T, name string, edit func(ev map[string]any)) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "webhooks", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	ev["installation"] = map[string]any{"id": installationID, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg=="}
	if repo, ok := ev["repository"].(map[string]any); ok {
		repo["default_branch"] = "main"
	}
	if edit != nil {
		edit(ev)
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// labeled is GitHub's issues.labeled example for issue number, labelled
// label by sender, with the issue's title and body.
func labeled(t *testing.T, number int, label, sender, title, body string) []byte {
	return payload(t, "issues.labeled", func(ev map[string]any) {
		ev["label"].(map[string]any)["name"] = label
		issue := ev["issue"].(map[string]any)
		issue["number"] = number
		issue["title"] = title
		issue["body"] = body
		issue["comments"] = 0
		s := ev["sender"].(map[string]any)
		s["login"] = sender
		if sender == "lifeos[bot]" || sender == "dependabot[bot]" {
			s["type"] = "Bot"
		}
	})
}

// deliver posts a signed delivery and returns the status code.
func (e *env) deliver(event, deliveryID string, body []byte) int {
	return e.deliverSigned(event, deliveryID, body, sign(secret, body))
}

func (e *env) deliverSigned(event, deliveryID string, body []byte, signature string) int {
	e.t.Helper()
	if deliveryID == "" {
		deliveryID = fmt.Sprintf("e2e-%d-%d", time.Now().UnixNano(), e.seq.Add(1))
	}
	req, err := http.NewRequest(http.MethodPost, e.url+"/api/github/hook", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", deliveryID)
	req.Header.Set("X-Hub-Signature-256", signature)
	req.Header.Set("User-Agent", "GitHub-Hookshot/e2e")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// waitRuns waits until the issue has n runs and none is active, and
// returns them.
func (e *env) waitRuns(issue, n int) []*store.Run {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		runs, err := e.srv.Store().IssueRuns(context.Background(), repoName, issue)
		if err != nil {
			e.t.Fatal(err)
		}
		done := len(runs) >= n
		for _, r := range runs {
			if r.FinishedAt == nil {
				done = false
			}
		}
		if done {
			if len(runs) != n {
				e.t.Fatalf("issue %d has %d runs, want %d", issue, len(runs), n)
			}
			return runs
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("issue %d: %d runs, unfinished after 30s: %+v", issue, len(runs), runs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// jobCount counts River jobs in the SQLite file: what was durably queued.
func (e *env) jobCount() int {
	e.t.Helper()
	if e.cfg.DatabaseURL != "" {
		e.t.Fatal("jobCount reads the SQLite file")
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(e.cfg.DataDir, store.SQLiteFileName)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM river_job`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// waitModelCalled waits until the model double has been called.
func (e *env) waitModelCalled() {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(e.model.Requests()) == 0 {
		if time.Now().After(deadline) {
			e.t.Fatal("the model was never called")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// slowRun labels a new issue whose first model call takes 20 seconds, and
// returns once the agent is waiting on it.
func (e *env) slowRun() int {
	e.t.Helper()
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	e.model.Script(modelfake.Reply{Delay: 20 * time.Second, ToolCalls: []modelfake.ToolCall{
		modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"})}})
	e.deliver("issues", "", labeled(e.t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	e.waitModelCalled()
	return n
}

// settle gives the server a moment to do anything it (wrongly) would.
func settle() { time.Sleep(300 * time.Millisecond) }

func itoa(n int) string { return strconv.Itoa(n) }

// e2eCeilings are the default ceilings with the doubles' model names.
func e2eCeilings() policy.Ceilings {
	c := policy.DefaultCeilings()
	c.DefaultModel, c.DefaultCheapModel = "gpt-e2e", "gpt-e2e-mini"
	return c
}

func pgURL(t *testing.T, schema string) string { return testdb.PostgresURL(t, schema) }
