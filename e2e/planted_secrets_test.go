package e2e

import (
	"bytes"
	"database/sql"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/redact"
	"github.com/lifeos/lifeos/store"
)

// Fake secrets, built from parts so that no scanner mistakes this file for
// a leak.
var (
	plantedAPIKey = "sk-proj-" + strings.Repeat("Pl4nt", 8)
	plantedAWS    = "AKIA" + "PLANTEDFAKEKEY23"
	plantedGHP    = "ghp" + "_" + strings.Repeat("Zz9", 12)
	// plantedGHS is an installation-token-shaped string the model quotes;
	// the tokens githubfake really minted are planted too (IssuedTokens).
	plantedGHS = "ghs" + "_" + strings.Repeat("Yy8", 12)
)

// planted maps a secret's name to its value; a PEM body is planted line by
// line, since each line alone is part of the key.
type planted map[string]string

func (p planted) addPEM(name string, pem []byte) {
	for i, line := range redact.PEMBody(pem) {
		p[fmt.Sprintf("%s line %d", name, i+1)] = line
	}
}

// leakScan collects, for each output, the planted secrets it holds.
type leakScan struct {
	secrets planted
	leaks   []string
}

// scan records every planted secret that text holds, naming where.
func (s *leakScan) scan(where, text string) {
	for name, value := range s.secrets {
		if value != "" && strings.Contains(text, value) {
			s.leaks = append(s.leaks, fmt.Sprintf("%s holds %s", where, name))
		}
	}
}

func (s *leakScan) report(t *testing.T) {
	t.Helper()
	sort.Strings(s.leaks)
	for _, l := range s.leaks {
		t.Error(l)
	}
}

// TestPlantedSecretsLeakNowhere plants the App's key, the webhook secret,
// the model API key, installation tokens and a .env with an AWS key and a
// GitHub token; a scripted model tries to spread them, and a second run's
// model endpoint answers 401 quoting its key. No log line, GitHub write or
// database value may hold any of them.
func TestPlantedSecretsLeakNowhere(t *testing.T) {
	var logs bytes.Buffer
	e := start(t, envOpts{
		logs: &logs,
		files: map[string]string{
			"README.md":          "# Hello-World\n\nHello, wrold!\n",
			".github/lifeos.yml": "autonomy: 4\n",
			".env":               "AWS_ACCESS_KEY_ID=" + plantedAWS + "\nGITHUB_TOKEN=" + plantedGHP + "\n",
		},
		configure: func(c *config.Config) { c.OpenAIAPIKey, c.Ceilings.MaxAutonomy = plantedAPIKey, 4 },
	})
	first := e.plantedRun(t)
	second := e.gh.AddIssue(repoName, "Fix the guide", "Step one is vague.", maintainer)
	e.model.Script(modelfake.Error(http.StatusUnauthorized, "Incorrect API key provided: "+plantedAPIKey+"."))
	e.deliver("issues", "", labeled(t, second, "lifeos:do", maintainer, "Fix the guide", "Step one is vague."))
	if run := e.waitRuns(second, 1)[0]; run.Status != store.StatusFailed {
		t.Fatalf("second run = %+v, want failed", run)
	}
	e.waitIdle(t)
	e.flushLogs()

	s := &leakScan{secrets: planted{
		"the model API key": plantedAPIKey, "the webhook secret": e.cfg.WebhookSecret,
		"the .env AWS key": plantedAWS, "the .env GitHub token": plantedGHP, "the quoted installation token": plantedGHS,
	}}
	s.secrets.addPEM("the App private key", e.cfg.PrivateKey)
	tokens := e.gh.IssuedTokens()
	if len(tokens) == 0 {
		t.Fatal("githubfake minted no installation token")
	}
	for i, tok := range tokens {
		s.secrets[fmt.Sprintf("installation token %d", i+1)] = tok
	}
	if !strings.Contains(logs.String(), "Run failed") {
		t.Fatalf("the log was not captured:\n%s", logs.String())
	}
	for i, line := range strings.Split(logs.String(), "\n") {
		s.scan(fmt.Sprintf("log line %d", i+1), line)
	}
	e.scanGitHub(t, s, first)
	e.scanDatabase(t, s)
	s.report(t)
}

// plantedRun is the first run: the model reads .env (refused), writes its
// keys into a file (refused until removed), and quotes every secret it
// knows in a proposed issue and its summary.
func (e *env) plantedRun(t *testing.T) int {
	t.Helper()
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	quoted := "Tokens: " + plantedGHS + " " + plantedGHP + " " + plantedAWS + "; hook secret " + e.cfg.WebhookSecret + "; key " + plantedAPIKey
	e.model.Script(
		modelfake.Calls(modelfake.Call("read_file", map[string]any{"path": ".env"})),
		modelfake.Calls(
			modelfake.Call("edit_file", map[string]any{"path": "README.md", "old": "wrold", "new": "world"}),
			modelfake.Call("write_file", map[string]any{"path": "keys.txt", "content": "aws = " + plantedAWS + "\ngh = " + plantedGHP + "\n"}),
			modelfake.Call("write_file", map[string]any{"path": "hook.txt", "content": "hook = " + e.cfg.WebhookSecret + "\n"}),
			modelfake.Call("propose_issue", map[string]any{"title": "Rotate " + plantedGHS, "body": quoted}),
		),
		modelfake.Finish("Fixed the typo. "+quoted),
		modelfake.Calls(
			modelfake.Call("delete_file", map[string]any{"path": "keys.txt"}),
			modelfake.Call("delete_file", map[string]any{"path": "hook.txt"}),
		),
		modelfake.Finish("Fixed the typo. "+quoted),
	)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))
	if run := e.waitRuns(n, 1)[0]; run.Status != store.StatusSucceeded {
		t.Fatalf("first run = %+v", run)
	}
	if reqs := e.model.Requests(); len(reqs) < 4 || !strings.Contains(string(reqs[1].Body), "reading .env is refused") ||
		!strings.Contains(string(reqs[3].Body), "`hook.txt` holds one of LifeOS's own secrets") {
		t.Errorf("the model was not told the read and the files were refused")
	}
	// What the scan reads must exist: the PR and the proposed issue.
	repo := e.gh.Repo(repoName)
	if pulls := repo.Pulls(); len(pulls) != 1 || !strings.Contains(pulls[0].Body, "Fixed the typo.") {
		t.Fatalf("pulls = %+v", pulls)
	}
	if is, ok := repo.Issue(n + 1); !ok || is.IsPull || !strings.HasPrefix(is.Title, "Rotate ") {
		t.Fatalf("proposed issue #%d = %+v (found %v)", n+1, is, ok)
	}
	return n
}

// scanGitHub scans every issue and PR (title, body, comments, reviews) on
// the double, and every commit on LifeOS's branch: its message and each
// file it changed from the base.
func (e *env) scanGitHub(t *testing.T, s *leakScan, issue int) {
	t.Helper()
	repo := e.gh.Repo(repoName)
	for i := 1; ; i++ {
		is, ok := repo.Issue(i)
		if !ok {
			break
		}
		where := fmt.Sprintf("issue #%d", i)
		s.scan(where+" title", is.Title)
		s.scan(where+" body", is.Body)
		for _, c := range repo.Comments(i) {
			s.scan(fmt.Sprintf("%s comment %d", where, c.ID), c.Body)
		}
		for _, r := range repo.Reviews(i) {
			s.scan(fmt.Sprintf("%s review %d", where, r.ID), r.Body)
		}
	}
	for _, p := range repo.Pulls() {
		s.scan(fmt.Sprintf("PR #%d body", p.Number), p.Body)
	}
	base, err := repo.Files("main")
	if err != nil {
		t.Fatal(err)
	}
	commits, err := repo.Log("lifeos/issue-" + itoa(issue))
	if err != nil {
		t.Fatal(err)
	}
	if len(commits) < 2 {
		t.Fatalf("LifeOS's branch has %d commits", len(commits))
	}
	for _, c := range commits {
		s.scan("commit "+c.SHA+" message", c.Message)
		files, err := repo.Files(c.SHA)
		if err != nil {
			t.Fatal(err)
		}
		for path, content := range files {
			if content != base[path] {
				s.scan("commit "+c.SHA[:8]+" file "+path, content)
			}
		}
	}
}

// scanDatabase scans every text and blob value of every table in the
// server's SQLite file: LifeOS's tables and River's (job args, errors).
func (e *env) scanDatabase(t *testing.T, s *leakScan) {
	t.Helper()
	db := e.riverDB(t)
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if !strings.Contains(strings.Join(tables, ","), "river_job") {
		t.Fatalf("tables = %v, want river_job among them", tables)
	}
	for _, table := range tables {
		scanTable(t, db, table, s)
	}
}

// scanTable scans every value of one table, named "table.column".
func scanTable(t *testing.T, db *sql.DB, table string, s *leakScan) {
	t.Helper()
	rows, err := db.Query(`SELECT * FROM "` + table + `"`)
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	values := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range values {
		ptrs[i] = &values[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("scan %s: %v", table, err)
		}
		for i, v := range values {
			switch v := v.(type) {
			case string:
				s.scan(table+"."+cols[i], v)
			case []byte:
				s.scan(table+"."+cols[i], string(v))
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
