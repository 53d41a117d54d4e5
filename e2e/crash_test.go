package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/internal/testdb"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/store"
)

// The crash test runs the built lifeos binary as its own process against
// the doubles in this process, kills it with SIGKILL at a point of a
// label → PR run, starts it again on the same data directory, and checks
// that the run ends as an uninterrupted one does.

// crashLeases are the restarted process's lease and sweep settings: a dead
// process's job is handed back about a second after the new process leads.
var crashLeases = []string{"LIFEOS_LEASE_TTL=1s", "LIFEOS_LEASE_RENEW=300ms", "LIFEOS_SWEEP_INTERVAL=300ms"}

// recoveryBound bounds how long a restarted process may take to finish the
// run: River's leadership of the dead process (about 15 s) must expire
// before the new one sweeps, then the lease and the run itself.
const recoveryBound = 45 * time.Second

// crashPoint is where a run is killed: arm makes kill run at that point
// and returns once it has (or fails the test).
type crashPoint struct {
	name string
	// route is the GitHub write after whose answer the process is killed;
	// empty for the points arm handles itself.
	route string
	// afterCommit: the commit existed when the process died; once it is
	// recorded (cases after the ref), the model must not be called again.
	afterCommit bool
}

var crashPoints = []crashPoint{
	{name: "after the webhook is answered"},
	{name: "while the model call is in flight"},
	{name: "after the commit, before the ref", route: "POST /repos/{owner}/{repo}/git/commits", afterCommit: true},
	{name: "after the ref, before the PR", route: "POST /repos/{owner}/{repo}/git/refs", afterCommit: true},
	{name: "after the PR, before the comment", route: "POST /repos/{owner}/{repo}/pulls", afterCommit: true},
}

// TestKill9AtEachStepOfARunRecovers kills the real process with SIGKILL at
// each point of a label → PR run; the restarted process ends with one
// branch, one PR, one "LifeOS opened" comment and one succeeded run, and
// calls the model no more once the commit was recorded. The cases crash
// one after another, then all restart at once, so their waits for River's
// leadership of the dead process overlap.
func TestKill9AtEachStepOfARunRecovers(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the binary and waits out River's leadership of a killed process (about 20 s)")
	}
	bin := buildLifeOS(t)
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			if db == "postgres" && os.Getenv(testdb.EnvVar) == "" {
				t.Skip("set LIFEOS_TEST_DATABASE_URL to run against PostgreSQL")
			}
			kill9AtEachStep(t, bin, db == "postgres")
		})
	}
}

// kill9AtEachStep is TestKill9AtEachStepOfARunRecovers on one database:
// each case its own PostgreSQL schema if postgres, else its own SQLite
// file.
func kill9AtEachStep(t *testing.T, bin string, postgres bool) {
	type crashed struct {
		c          *crashEnv
		n, calls   int
		restarted  time.Time
		restartedP *proc
	}
	cases := make([]*crashed, len(crashPoints))
	for i, p := range crashPoints {
		c := newCrashEnv(t, bin)
		if postgres {
			c.dbURL = pgURL(t, fmt.Sprintf("e2e_crash_%d", i))
		}
		n := c.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
		cases[i] = &crashed{c: c, n: n, calls: c.crashAt(t, c.startProc(t), p, n)}
	}
	for _, k := range cases {
		k.restarted, k.restartedP = time.Now(), k.c.startProc(t)
	}
	for i, p := range crashPoints {
		k := cases[i]
		t.Run(p.name, func(t *testing.T) {
			k.c.waitRecovered(t, k.n, k.restarted, recoveryBound)
			k.restartedP.stop(t)
			k.c.assertOneOfEach(t, k.n)
			again := len(k.c.model.Requests()) - k.calls
			switch {
			case p.afterCommit && p.route != crashPoints[2].route && again != 0:
				t.Errorf("the model was called %d times after the commit was recorded", again)
			case p.route == crashPoints[2].route:
				// Killed once GitHub answered the commit, the process has
				// not yet recorded it: the run starts over (a dangling
				// commit, on no ref, is all that is left of the first).
				t.Logf("model calls after the kill: %d", again)
			}
		})
	}
}

// buildLifeOS builds the command into a temporary directory, bounded.
func buildLifeOS(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "lifeos")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "..").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// crashEnv is one case's doubles and data directory, shared by the
// killed process and its successor.
type crashEnv struct {
	bin     string
	gh      *githubfake.Server
	model   *modelfake.Server
	dataDir string
	// dbURL is the PostgreSQL database of both processes; the SQLite file
	// in dataDir if empty.
	dbURL string
	// leases are the lease and sweep settings of both processes
	// (crashLeases unless a test sets them; nil: the defaults).
	leases []string
	logs   string
	// delayFirst holds the first model call back until the client goes.
	delayFirst bool
	mu         sync.Mutex
	delayed    bool
}

func newCrashEnv(t *testing.T, bin string) *crashEnv {
	gh := githubfake.New(githubfake.Options{})
	t.Cleanup(gh.Close)
	gh.AddInstallation(installationID, "Codertocat")
	gh.AddRepo(installationID, repoName, map[string]string{"README.md": "# Hello-World\n\nHello, wrold!\n"})
	gh.AddUser(maintainer, "User")
	gh.SetPermission(repoName, maintainer, "admin")
	model := modelfake.New()
	t.Cleanup(model.Close)
	c := &crashEnv{bin: bin, gh: gh, model: model, dataDir: t.TempDir(), leases: crashLeases, logs: filepath.Join(t.TempDir(), "lifeos.log")}
	model.HandleFunc(c.reply)
	t.Cleanup(func() {
		if errs := gh.ValidationErrors(); len(errs) > 0 {
			t.Errorf("requests GitHub would reject:\n%s", strings.Join(errs, "\n"))
		}
		if t.Failed() {
			if b, err := os.ReadFile(c.logs); err == nil {
				t.Logf("lifeos log:\n%s", b)
			}
		}
	})
	return c
}

// reply answers by where the conversation is, so a retried run that
// starts over gets the same answers: read, edit, finish.
func (c *crashEnv) reply(req modelfake.Request) modelfake.Reply {
	tools := 0
	for _, m := range req.Messages {
		if m.Role == "tool" {
			tools++
		}
	}
	switch tools {
	case 0:
		r := modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("read_file", map[string]any{"path": "README.md"})}}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.delayFirst && !c.delayed {
			c.delayed, r.Delay = true, time.Minute
		}
		return r
	case 1:
		return modelfake.Reply{ToolCalls: []modelfake.ToolCall{modelfake.Call("edit_file", map[string]any{
			"path": "README.md", "old": "wrold", "new": "world"})}}
	default:
		return modelfake.Finish("Fixed the typo in README.md.")
	}
}

// proc is one lifeos process.
type proc struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed once the process has exited
}

// startProc starts the binary on the case's data directory and waits
// (bounded) until it answers its health check.
func (c *crashEnv) startProc(t *testing.T) *proc {
	t.Helper()
	port := freePort(t)
	logs, err := os.OpenFile(c.logs, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(c.bin, "serve")
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + c.dataDir, "TMPDIR=" + os.TempDir(),
		"PORT=" + strconv.Itoa(port), "LIFEOS_DATA_DIR=" + c.dataDir,
		"GITHUB_APP_INTEGRATION_ID=" + strconv.FormatInt(c.gh.AppID(), 10),
		"GITHUB_APP_PRIVATE_KEY=" + string(c.gh.PrivateKeyPEM()),
		"GITHUB_APP_WEBHOOK_SECRET=" + secret,
		"GITHUB_V3_API_URL=" + c.gh.URL(), "GITHUB_V4_API_URL=" + c.gh.URL() + "graphql",
		"OPENAI_API_KEY=sk-e2e", "OPENAI_BASE_URL=" + c.model.URL(),
		"LOG_LEVEL=debug", "DATABASE_URL=" + c.dbURL,
	}, c.leases...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		logs.Close()
		t.Fatalf("start lifeos: %v", err)
	}
	p := &proc{cmd: cmd, url: "http://127.0.0.1:" + strconv.Itoa(port), done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logs.Close(); close(p.done) }()
	t.Cleanup(p.kill)
	deadline := time.Now().Add(20 * time.Second)
	for !p.healthy() {
		select {
		case <-p.done:
			t.Fatalf("lifeos exited at start-up: %v", cmd.ProcessState)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("lifeos did not answer its health check within 20s")
		}
	}
	return p
}

func (p *proc) healthy() bool {
	resp, err := http.Get(p.url + "/api/health")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// stop sends SIGTERM and waits (bounded) for the drain to end.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Error("lifeos did not stop within 30s of SIGTERM")
		p.kill()
	}
}

// freePort is a loopback port free a moment ago, for PORT.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// deliver posts the signed labelled delivery for issue n to p.
func (c *crashEnv) deliver(t *testing.T, p *proc, n int) {
	t.Helper()
	body := labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold.")
	req, err := http.NewRequest(http.MethodPost, p.url+"/api/github/hook", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "issues")
	req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("crash-%d", time.Now().UnixNano()))
	req.Header.Set("X-Hub-Signature-256", sign(secret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("delivery answered %d", resp.StatusCode)
	}
}

// crashAt delivers the label for issue n to p and kills p with SIGKILL at
// point; it returns how many model calls had been made when p died.
func (c *crashEnv) crashAt(t *testing.T, p *proc, point crashPoint, n int) int {
	t.Helper()
	var calls int
	killed := make(chan struct{})
	var once sync.Once
	kill := func() {
		once.Do(func() {
			p.kill()
			calls = len(c.model.Requests())
			close(killed)
		})
	}
	switch {
	case point.route != "":
		c.gh.OnRequest(point.route, func(githubfake.Request) { kill() })
	case point.name == crashPoints[1].name:
		c.mu.Lock()
		c.delayFirst = true
		c.mu.Unlock()
		go func() {
			for len(c.model.Requests()) == 0 && !waitOrDone(p.done, 10*time.Millisecond) {
			}
			kill()
		}()
	}
	c.deliver(t, p, n)
	if point.name == crashPoints[0].name {
		kill()
	}
	select {
	case <-killed:
	case <-time.After(30 * time.Second):
		t.Fatalf("the run never reached %q", point.name)
	}
	return calls
}

// waitOrDone waits d and reports whether done was closed meanwhile.
func waitOrDone(done <-chan struct{}, d time.Duration) bool {
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// waitRecovered polls (bounded by bound from the restart) until issue n
// has a PR, the "LifeOS opened" comment and a finished run, logs how long
// each took from the restart, and returns the time of the last.
func (c *crashEnv) waitRecovered(t *testing.T, n int, restarted time.Time, bound time.Duration) time.Time {
	t.Helper()
	repo := c.gh.Repo(repoName)
	var toPR, toComment time.Duration
	deadline := restarted.Add(bound)
	for {
		if toPR == 0 && len(repo.Pulls()) > 0 {
			toPR = time.Since(restarted)
		}
		if toComment == 0 && countOpened(repo.Comments(n)) > 0 {
			toComment = time.Since(restarted)
		}
		if toPR > 0 && toComment > 0 && c.runFinished(t, n) {
			t.Logf("recovery from the restart: PR after %s, comment after %s, run finished after %s",
				toPR.Round(time.Millisecond), toComment.Round(time.Millisecond), time.Since(restarted).Round(time.Millisecond))
			return time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatalf("not recovered %s after the restart: pulls %d, comments %+v", bound, len(repo.Pulls()), repo.Comments(n))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func countOpened(comments []githubfake.Comment) int {
	n := 0
	for _, c := range comments {
		if strings.HasPrefix(c.Body, "LifeOS opened #") {
			n++
		}
	}
	return n
}

// runFinished reads the database (the SQLite file read-only, beside the
// live process): has issue n's run ended?
func (c *crashEnv) runFinished(t *testing.T, n int) bool {
	t.Helper()
	driver, dsn := "sqlite", "file:"+filepath.Join(c.dataDir, store.SQLiteFileName)+"?mode=ro&_pragma=busy_timeout(5000)"
	if c.dbURL != "" {
		driver, dsn = "pgx", c.dbURL
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var open int
	err = db.QueryRow(`SELECT count(*) FROM lifeos_runs WHERE issue_number = $1 AND finished_at IS NULL`, n).Scan(&open)
	return err == nil && open == 0
}

// assertOneOfEach checks the end state of an uninterrupted run: one
// branch, one PR, one "LifeOS opened" comment, one succeeded run.
func (c *crashEnv) assertOneOfEach(t *testing.T, n int) {
	t.Helper()
	repo := c.gh.Repo(repoName)
	var branches []string
	for ref := range repo.Refs() {
		if strings.HasPrefix(ref, "refs/heads/lifeos/") {
			branches = append(branches, ref)
		}
	}
	if len(branches) != 1 {
		t.Errorf("LifeOS branches = %v; want one", branches)
	}
	if pulls := repo.Pulls(); len(pulls) != 1 {
		t.Errorf("pulls = %+v; want one", pulls)
	}
	if got := countOpened(repo.Comments(n)); got != 1 {
		t.Errorf("%d \"LifeOS opened\" comments; want one: %+v", got, repo.Comments(n))
	}
	files, err := repo.Files("lifeos/issue-" + itoa(n))
	if err != nil || !strings.Contains(files["README.md"], "Hello, world!") {
		t.Errorf("README on the branch = %q (%v)", files["README.md"], err)
	}
	db, err := store.Open(context.Background(), c.dbURL, c.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.DB.Close()
	runs, err := store.New(db, time.Now).IssueRuns(context.Background(), repoName, n)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Status != store.StatusSucceeded {
		for _, r := range runs {
			t.Logf("run %d: %s %q", r.ID, r.Status, r.Error)
		}
		t.Errorf("%d runs; want one succeeded", len(runs))
	}
}
