package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/textdiff"
)

// narrator prints each step of the demo as it happens, from two sources:
// the server's own log (deliveries, policy decisions, model turns, the
// run's end) and the GitHub double's record of the App's writes (the
// commit, the pull request and its diff, the comments). One mutex keeps
// the lines of one step together.
type narrator struct {
	mu  sync.Mutex
	out io.Writer
	gh  *githubfake.Server
	// told is the commit last told of each branch.
	told map[string]string
	// ended is set when the story is over: the shutdown's log is not part
	// of it.
	ended atomic.Bool
}

// say prints one step.
func (n *narrator) say(format string, args ...any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	fmt.Fprintf(n.out, format+"\n", args...)
}

// Write takes the server's log, one JSON object a line (zerolog writes a
// line at a time), and tells the lines a person follows the run by.
func (n *narrator) Write(p []byte) (int, error) {
	for _, line := range bytes.Split(bytes.TrimSpace(p), []byte("\n")) {
		var e logLine
		if !n.ended.Load() && json.Unmarshal(line, &e) == nil {
			n.tell(e)
		}
	}
	return len(p), nil
}

// logLine is the part of a server log line the narrator reads.
type logLine struct {
	Level   string   `json:"level"`
	Message string   `json:"message"`
	Error   string   `json:"error"`
	Kind    string   `json:"kind"`
	Queued  bool     `json:"queued"`
	Turn    int      `json:"turn"`
	Tokens  int64    `json:"tokens"`
	Tools   []string `json:"tools"`
	Audit   *struct {
		Allow  bool   `json:"allow"`
		Rule   string `json:"rule"`
		Reason string `json:"reason"`
	} `json:"audit"`
}

// tell prints the step a log line records, if it is one.
func (n *narrator) tell(e logLine) {
	switch {
	case e.Message == "Delivery queued":
		n.say("▸ LifeOS took the delivery: %s job queued=%t", e.Kind, e.Queued)
	case e.Audit != nil:
		mark := "✓ allow"
		if !e.Audit.Allow {
			mark = "✗ deny "
		}
		n.say("▸ policy %s  %-22s %s", mark, e.Audit.Rule, e.Audit.Reason)
	case e.Message == "Model answered":
		calls := "no tool call"
		if len(e.Tools) > 0 {
			calls = "calls " + strings.Join(e.Tools, ", ")
		}
		n.say("▸ agent turn %d: %s (%d tokens so far)", e.Turn, calls, e.Tokens)
	case strings.HasPrefix(e.Message, "Run succeeded"), e.Message == "Run failed":
		n.say("▸ %s %s", e.Message, e.Error)
	case e.Level == "warn" || e.Level == "error":
		n.say("! %s: %s", e.Message, e.Error)
	}
}

// watch makes the narrator tell the App's writes to repo on the GitHub
// double, after each is answered.
func (n *narrator) watch(repo string) {
	r := n.gh.Repo(repo)
	n.gh.OnRequest("POST /repos/{owner}/{repo}/git/refs", func(req githubfake.Request) { n.branch(r, req) })
	n.gh.OnRequest("PATCH /repos/{owner}/{repo}/git/refs/{ref}", func(req githubfake.Request) { n.branch(r, req) })
	n.gh.OnRequest("POST /repos/{owner}/{repo}/pulls", func(req githubfake.Request) { n.pull(r, req) })
	n.gh.OnRequest("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", func(req githubfake.Request) { n.comment(r, req) })
	n.gh.OnRequest("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", func(req githubfake.Request) { n.edit(r, req) })
}

// branch tells a commit pushed to a branch.
func (n *narrator) branch(r *githubfake.Repo, req githubfake.Request) {
	if req.Status >= 300 {
		return
	}
	for name, sha := range r.Refs() {
		branch, ok := strings.CutPrefix(name, "refs/heads/")
		if !ok || branch == "main" || !n.fresh(branch, sha) {
			continue
		}
		c, _ := r.Commit(sha)
		n.say("▸ commit %s on %s by %s\n    %s", short(sha), branch, c.Author.Name, strings.ReplaceAll(strings.TrimSpace(c.Message), "\n", "\n    "))
	}
}

// fresh reports whether sha is news on branch, and remembers it.
func (n *narrator) fresh(branch, sha string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.told == nil {
		n.told = map[string]string{}
	}
	if n.told[branch] == sha {
		return false
	}
	n.told[branch] = sha
	return true
}

// pull tells the pull request the App opened, with its diff.
func (n *narrator) pull(r *githubfake.Repo, req githubfake.Request) {
	pulls := r.Pulls()
	if req.Status >= 300 || len(pulls) == 0 {
		return
	}
	pr := pulls[len(pulls)-1]
	kind := "pull request"
	if pr.Draft {
		kind = "draft pull request"
	}
	n.say("▸ %s #%d opened by %s: %q (%s → %s)\n%s\n%s", kind, pr.Number, pr.User, pr.Title, pr.Head, pr.Base,
		indent(pr.Body), Diff(r, pr.Base, pr.Head))
}

// comment tells a comment the App posted.
func (n *narrator) comment(r *githubfake.Repo, req githubfake.Request) {
	parts := strings.Split(req.Path, "/") // /repos/o/r/issues/N/comments
	num, err := strconv.Atoi(parts[len(parts)-2])
	cs := r.Comments(num)
	if req.Status >= 300 || err != nil || len(cs) == 0 {
		return
	}
	c := cs[len(cs)-1]
	n.say("▸ comment on #%d by %s:\n%s", num, c.Author, indent(c.Body))
}

// edit tells a comment the App edited (a progress comment kept up to
// date), looked for on the issues and pull requests of the repository.
func (n *narrator) edit(r *githubfake.Repo, req githubfake.Request) {
	id, err := strconv.ParseInt(req.Path[strings.LastIndex(req.Path, "/")+1:], 10, 64)
	if req.Status >= 300 || err != nil {
		return
	}
	for num := 1; ; num++ { // issues and pull requests, numbered from 1
		if _, ok := r.Issue(num); !ok {
			return
		}
		for _, c := range r.Comments(num) {
			if c.ID == id {
				n.say("▸ comment on #%d edited by %s:\n%s", num, c.Author, indent(c.Body))
				return
			}
		}
	}
}

// Diff is the unified diff of the files that differ between two refs of
// a repository on the GitHub double.
func Diff(r *githubfake.Repo, base, head string) string {
	before, err1 := r.Files(base)
	after, err2 := r.Files(head)
	if err1 != nil || err2 != nil {
		return fmt.Sprintf("(no diff: %v %v)", err1, err2)
	}
	var paths []string
	for p := range before {
		paths = append(paths, p)
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	var sb strings.Builder
	for _, p := range slices.Compact(paths) {
		sb.WriteString(textdiff.Unified(p, before[p], after[p]))
	}
	return sb.String()
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n    ")
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
