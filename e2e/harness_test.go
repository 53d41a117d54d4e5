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
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/config"
	ghpkg "github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/internal/testdb"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/runner"
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
	// expected are the GitHub error answers this test provokes on purpose;
	// shared with envs restarted from this one.
	expected *expectations
	jobsDB   *sql.DB // opened by waitIdle, closed at cleanup
	// logOut is the server's log writer when envOpts.logs is set.
	logOut    io.WriteCloser
	closeLogs sync.Once
	// ghWaits records the waits LifeOS's GitHub client asked for; they
	// pass at once.
	ghWaits *waits
}

// waits is an instant sleep that records what it was asked to wait, and
// the clock it moves on by as much.
type waits struct {
	mu     sync.Mutex
	list   []time.Duration
	offset time.Duration
}

func (w *waits) sleep(_ context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, d)
	w.offset += d
	return nil
}

// now is the time, moved on by every wait so far.
func (w *waits) now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return time.Now().Add(w.offset)
}

// all is every wait so far.
func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.list)
}

type envOpts struct {
	// from, when set, is an earlier env whose doubles and data directory
	// this one takes over, as a restarted process would.
	from  *env
	files map[string]string
	// repoFiles, when set, are the repository's files with their modes
	// (instead of files).
	repoFiles   map[string]githubfake.File
	databaseURL string
	// appSlug is the App's slug on the GitHub double ("lifeos" if empty);
	// the server reads it from GET /app.
	appSlug   string
	configure func(*config.Config)
	// now is the server's clock (time.Now if nil); see clockAt.
	now func() time.Time
	// retry spaces a failed job's attempts (River's default if nil).
	retry river.ClientRetryPolicy
	// logs, when set, receives the server's log at debug level through
	// the writer main installs (secrets redacted); see env.flushLogs.
	logs io.Writer
	// leases and sweep are the server's lease times and sweep interval
	// (the defaults if zero).
	leases runner.LeaseTimes
	sweep  time.Duration
	// progress is the least time between two edits of a progress comment
	// (runner.DefaultProgressInterval if zero).
	progress time.Duration
	// tick is how often the leader fires due schedules (the default if 0).
	tick time.Duration
	// tokenLifetime is how long the GitHub double's installation tokens
	// live (an hour if zero).
	tokenLifetime time.Duration
	// ghPerTry bounds each try of a GitHub request (gh.Timeout if zero).
	ghPerTry time.Duration
}

func start(t *testing.T, o envOpts) *env {
	t.Helper()
	var gh *githubfake.Server
	var model *modelfake.Server
	dataDir := t.TempDir()
	expected := &expectations{list: slices.Clone(configLookups)}
	if o.from != nil {
		gh, model, dataDir, expected = o.from.gh, o.from.model, o.from.cfg.DataDir, o.from.expected
	} else {
		gh = githubfake.New(githubfake.Options{AppSlug: o.appSlug, TokenLifetime: o.tokenLifetime})
		t.Cleanup(gh.Close)
		// These run after the server has shut down (cleanups run last
		// registered first), so every request it made is in.
		// Every request LifeOS sent must be one GitHub would accept, and
		// every answer one GitHub could give.
		t.Cleanup(func() {
			if errs := gh.ValidationErrors(); len(errs) > 0 {
				t.Errorf("requests GitHub would reject, or answers it would not give:\n%s", strings.Join(errs, "\n"))
			}
		})
		// Best-effort calls only log their failures; an error answer the
		// test did not declare with expectStatus fails it.
		t.Cleanup(func() {
			if bad := expected.unexpected(gh.Requests()); len(bad) > 0 {
				t.Errorf("GitHub error answers the test did not expect (declare them with env.expectStatus):\n%s", strings.Join(bad, "\n"))
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
		if o.repoFiles != nil {
			gh.AddRepoFiles(installationID, repoName, o.repoFiles)
		} else {
			gh.AddRepo(installationID, repoName, files)
		}
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
	var logOut io.WriteCloser
	if o.logs != nil {
		logOut = server.NewLogWriter(o.logs, server.LogSecrets(cfg)...)
		log = zerolog.New(logOut).Level(zerolog.DebugLevel)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ghWaits := &waits{}
	srv, err := server.New(ctx, cfg, log, server.Options{QueuePoll: 20 * time.Millisecond, ShutdownGrace: 5 * time.Second, Now: o.now, RetryPolicy: o.retry,
		GitHubFaults: ghpkg.FaultPolicy{Sleep: ghWaits.sleep, Now: ghWaits.now, PerTry: o.ghPerTry}, Leases: o.leases, SweepInterval: o.sweep,
		ProgressInterval: o.progress, TickInterval: o.tick})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	e := &env{t: t, gh: gh, model: model, srv: srv, cfg: cfg, url: "http://" + ln.Addr().String(), stop: cancel, stopped: make(chan error, 1), expected: expected, logOut: logOut, ghWaits: ghWaits}
	go func() { e.stopped <- srv.Serve(ctx, ln) }()
	t.Cleanup(e.flushLogs)
	t.Cleanup(e.shutdown)
	t.Cleanup(func() {
		if e.jobsDB != nil {
			e.jobsDB.Close()
		}
	})
	return e
}

// expectation is one GitHub error answer a test provokes on purpose.
type expectation struct {
	method, pattern string
	code            int
}

// expectations are a test's declared GitHub error answers.
type expectations struct {
	mu   sync.Mutex
	list []expectation
}

// unexpected lists the 4xx and 5xx answers in reqs that no expectation
// covers.
func (x *expectations) unexpected(reqs []githubfake.Request) []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	var bad []string
	for _, r := range reqs {
		if r.Status < 400 || slices.ContainsFunc(x.list, func(e expectation) bool { return e.matches(r) }) {
			continue
		}
		bad = append(bad, fmt.Sprintf("%s %s answered %d", r.Method, r.Path, r.Status))
	}
	return bad
}

func (e expectation) matches(r githubfake.Request) bool {
	if e.method != r.Method || e.code != r.Status {
		return false
	}
	ok, err := path.Match(e.pattern, r.Path)
	return err == nil && ok
}

// configLookups are the 404s of reading optional configuration (the
// repository's policy file read from GitHub, then the owner's default in its
// .github repository, and a recipe of the repository's own): GitHub's way of saying "no such file", expected in
// every test that sets no policy.
var configLookups = []expectation{
	{method: "GET", pattern: "/repos/*/.github/contents/lifeos.yml", code: 404},
	{method: "GET", pattern: "/repos/*/*/contents/.github/lifeos.yml", code: 404},
	// A repository that has no recipe of its own under that name.
	{method: "GET", pattern: "/repos/*/*/contents/.github/lifeos/recipes/*", code: 404},
	// A run on a PR's branch reads the instructions for agents from the
	// default branch; a review request without a person reads CODEOWNERS.
	{method: "GET", pattern: "/repos/*/*/contents/AGENTS.md", code: 404},
	{method: "GET", pattern: "/repos/*/*/contents/.github/copilot-instructions.md", code: 404},
	{method: "GET", pattern: "/repos/*/*/contents/CLAUDE.md", code: 404},
	{method: "GET", pattern: "/repos/*/*/contents/.github/CODEOWNERS", code: 404},
	{method: "GET", pattern: "/repos/*/*/contents/CODEOWNERS", code: 404},
	{method: "GET", pattern: "/repos/*/*/contents/docs/CODEOWNERS", code: 404},
}

// jobDue reports a River job's state and how long until it is due to run
// (negative if it already was).
func (e *env) jobDue(t *testing.T, id int64) (state string, dueIn time.Duration) {
	t.Helper()
	query := `SELECT state, EXTRACT(EPOCH FROM scheduled_at - now()) FROM river_job WHERE id = $1`
	if e.cfg.DatabaseURL == "" {
		query = `SELECT state, (julianday(scheduled_at) - julianday('now')) * 86400.0 FROM river_job WHERE id = $1`
	}
	var secs sql.NullFloat64
	if err := e.riverDB(t).QueryRow(query, id).Scan(&state, &secs); err != nil {
		t.Fatalf("read River job %d: %v", id, err)
	}
	if !secs.Valid { // NULL if the timestamp were in a format the database cannot read
		t.Fatalf("River job %d: scheduled_at unreadable", id)
	}
	return state, time.Duration(secs.Float64 * float64(time.Second))
}

// expectStatus declares that GitHub answering method on a path matching
// pattern (path.Match syntax: "*" is one path segment) with code is part
// of this test, not a failure. Any other 4xx or 5xx answer fails the test
// at cleanup, since best-effort calls (comments, reactions, branch
// deletion) only log theirs.
func (e *env) expectStatus(method, pattern string, code int) {
	e.t.Helper()
	if _, err := path.Match(pattern, ""); err != nil {
		e.t.Fatalf("expectStatus pattern %q: %v", pattern, err)
	}
	e.expected.mu.Lock()
	defer e.expected.mu.Unlock()
	e.expected.list = append(e.expected.list, expectation{method: method, pattern: pattern, code: code})
}

// clockAt is a clock that starts at t0 and runs at the speed of time.Now,
// for a test that must not straddle a month boundary: the instants it
// gives stay in order, so runs still sort by when they happened.
func clockAt(t0 time.Time) func() time.Time {
	began := time.Now()
	return func() time.Time { return t0.Add(time.Since(began)) }
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

// flushLogs stops the server and writes out its buffered log (envOpts.logs),
// after which the log is complete.
func (e *env) flushLogs() {
	e.shutdown()
	e.closeLogs.Do(func() {
		if e.logOut != nil {
			if err := e.logOut.Close(); err != nil {
				e.t.Errorf("close the log: %v", err)
			}
		}
	})
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
	// The sweeper's periodic job is not a delivery's.
	if err := db.QueryRow(`SELECT count(*) FROM river_job WHERE kind <> ?`, runner.SweepArgs{}.Kind()).Scan(&n); err != nil {
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

// idleTimeout bounds waitIdle.
const idleTimeout = 20 * time.Second

// idleHorizon is how far ahead a scheduled job may be due and still count
// as idle. A command waiting for a run is snoozed for a one-minute safety
// net (the run's end wakes it sooner); that must not make waitIdle wait a
// minute. A job due sooner than this (a retry's backoff, a short snooze)
// is work about to happen, so waitIdle waits for it.
const idleHorizon = 5 * time.Second

// waitIdle waits until River has no job in the server's database that is
// available, running, retryable, or scheduled within idleHorizon: whatever
// the deliveries so far set off has been done. It fails the test after
// idleTimeout.
func (e *env) waitIdle(t *testing.T) {
	t.Helper()
	db := e.riverDB(t)
	query := `SELECT count(*) FROM river_job WHERE state IN ('available', 'running', 'retryable')
		OR (state = 'scheduled' AND scheduled_at <= now() + make_interval(secs => $1))`
	if e.cfg.DatabaseURL == "" {
		query = `SELECT count(*) FROM river_job WHERE state IN ('available', 'running', 'retryable')
		OR (state = 'scheduled' AND julianday(scheduled_at) <= julianday('now') + $1 / 86400.0)`
	}
	deadline := time.Now().Add(idleTimeout)
	for {
		var busy int
		if err := db.QueryRow(query, idleHorizon.Seconds()).Scan(&busy); err != nil {
			t.Fatalf("count busy River jobs: %v", err)
		}
		if busy == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d River jobs still busy after %s", busy, idleTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// riverDB opens the server's database for reading River's table: the
// SQLite file read-only, or the PostgreSQL URL (whose search_path names
// the test's schema).
func (e *env) riverDB(t *testing.T) *sql.DB {
	t.Helper()
	if e.jobsDB != nil {
		return e.jobsDB
	}
	var err error
	if e.cfg.DatabaseURL == "" {
		e.jobsDB, err = sql.Open("sqlite", "file:"+filepath.Join(e.cfg.DataDir, store.SQLiteFileName)+"?mode=ro&_pragma=busy_timeout(5000)")
	} else {
		e.jobsDB, err = sql.Open("pgx", e.cfg.DatabaseURL)
	}
	if err != nil {
		t.Fatalf("open the server's database: %v", err)
	}
	return e.jobsDB
}

func itoa(n int) string { return strconv.Itoa(n) }

// e2eCeilings are the default ceilings with the doubles' model names.
func e2eCeilings() policy.Ceilings {
	c := policy.DefaultCeilings()
	c.DefaultModel, c.DefaultCheapModel = "gpt-e2e", "gpt-e2e-mini"
	return c
}

func pgURL(t *testing.T, schema string) string { return testdb.PostgresURL(t, schema) }

// ciAttempts is what the store recorded of a PR's CI fix attempts.
func (e *env) ciAttempts(pr int) []store.CIAttempt {
	e.t.Helper()
	a, err := e.srv.Store().CIAttempts(context.Background(), repoName, pr)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// waitHealth polls GET /api/health (bounded) until it answers code; false
// if it never does or the server stops answering.
func (e *env) waitHealth(code int) bool {
	for range 500 {
		resp, err := http.Get(e.url + "/api/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		if resp.StatusCode == code {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}
