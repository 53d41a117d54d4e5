package runner

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"sync"

	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/textdiff"
	"github.com/lifeos/lifeos/workspace"
)

// DryRun is a repository on GitHub that reads pass through to and writes
// never reach: each write is printed to Out as what would have been done,
// and answered as GitHub would have answered it. `lifeos run --dry-run`
// runs a workflow over it.
//
// Every method of GitHub is written out here, one line each, so that a
// method added to a port fails to compile until it is added here too: a
// read forwards to Real; a write calls wrote (and returns the zero value,
// or a made-up one the workflow reads back).
type DryRun struct {
	Real GitHub
	Out  io.Writer

	mu     sync.Mutex
	writes int
}

var _ GitHub = (*DryRun)(nil)

// Reads: passed through.

func (d *DryRun) Role(ctx context.Context, login string) (string, error) {
	return d.Real.Role(ctx, login)
}
func (d *DryRun) TeamsOf(ctx context.Context, teams []string, login string) ([]string, error) {
	return d.Real.TeamsOf(ctx, teams, login)
}
func (d *DryRun) Issue(ctx context.Context, n int) (gh.Issue, error) { return d.Real.Issue(ctx, n) }
func (d *DryRun) IssueComments(ctx context.Context, n int) ([]gh.Comment, error) {
	return d.Real.IssueComments(ctx, n)
}
func (d *DryRun) ReviewComments(ctx context.Context, pr int, reviewID int64) ([]gh.Comment, error) {
	return d.Real.ReviewComments(ctx, pr, reviewID)
}
func (d *DryRun) Pull(ctx context.Context, n int) (gh.Pull, error) { return d.Real.Pull(ctx, n) }
func (d *DryRun) OpenPull(ctx context.Context, branch, base string) (*gh.Pull, error) {
	return d.Real.OpenPull(ctx, branch, base)
}
func (d *DryRun) PullCommits(ctx context.Context, n int) ([]gh.PullCommit, error) {
	return d.Real.PullCommits(ctx, n)
}
func (d *DryRun) Compare(ctx context.Context, base, head string) ([]gh.DiffFile, error) {
	return d.Real.Compare(ctx, base, head)
}
func (d *DryRun) CommitParents(ctx context.Context, sha string) ([]string, error) {
	return d.Real.CommitParents(ctx, sha)
}
func (d *DryRun) DefaultBranch(ctx context.Context) (string, error) {
	return d.Real.DefaultBranch(ctx)
}
func (d *DryRun) BranchHead(ctx context.Context, branch string) (gh.Head, error) {
	return d.Real.BranchHead(ctx, branch)
}
func (d *DryRun) File(ctx context.Context, path, ref string) ([]byte, error) {
	return d.Real.File(ctx, path, ref)
}
func (d *DryRun) OwnerFile(ctx context.Context, repo, path string) ([]byte, error) {
	return d.Real.OwnerFile(ctx, repo, path)
}
func (d *DryRun) FailedSuiteRuns(ctx context.Context, suiteID int64) ([]gh.FailedCheck, error) {
	return d.Real.FailedSuiteRuns(ctx, suiteID)
}
func (d *DryRun) FailedJobs(ctx context.Context, runID int64) ([]gh.FailedCheck, error) {
	return d.Real.FailedJobs(ctx, runID)
}
func (d *DryRun) RequiredChecks(ctx context.Context, base string) ([]policy.RequiredCheck, error) {
	return d.Real.RequiredChecks(ctx, base)
}
func (d *DryRun) CheckResults(ctx context.Context, sha string) ([]policy.CheckResult, error) {
	return d.Real.CheckResults(ctx, sha)
}
func (d *DryRun) Statuses(ctx context.Context, sha string) ([]policy.StatusResult, error) {
	return d.Real.Statuses(ctx, sha)
}

func (d *DryRun) Snapshot(ctx context.Context, ref string, unpack func(io.Reader) (*workspace.Snapshot, error)) (*workspace.Snapshot, string, error) {
	return d.Real.Snapshot(ctx, ref, unpack)
}
func (d *DryRun) OwnCheckRun(ctx context.Context, sha, name string) (int64, error) {
	return d.Real.OwnCheckRun(ctx, sha, name)
}

// Writes: printed, not made.

func (d *DryRun) Comment(_ context.Context, n int, body string) error {
	return d.wrote("comment on #%d:\n%s", n, body)
}
func (d *DryRun) PostComment(_ context.Context, n int, body string) (int64, error) {
	return dryRunID, d.wrote("comment on #%d:\n%s", n, body)
}
func (d *DryRun) EditComment(_ context.Context, id int64, body string) error {
	return d.wrote("edit comment %d to:\n%s", id, body)
}
func (d *DryRun) CreateCheckRun(_ context.Context, c gh.CheckRun) (int64, error) {
	return dryRunID, d.wrote("create the check run %q on %s", c.Name, c.HeadSHA)
}
func (d *DryRun) React(_ context.Context, commentID int64, content string) error {
	return d.wrote("react %s to comment %d", content, commentID)
}
func (d *DryRun) CreateIssue(_ context.Context, title, body string, labels []string) (int, error) {
	return 0, d.wrote("open an issue %q labelled %v:\n%s", title, labels, body)
}
func (d *DryRun) CreatePull(_ context.Context, np gh.NewPull) (gh.Pull, error) {
	return gh.Pull{Title: np.Title, State: "open", HeadRef: np.Head, BaseRef: np.Base},
		d.wrote("open a pull request %q from %s into %s (draft: %t):\n%s", np.Title, np.Head, np.Base, np.Draft, np.Body)
}
func (d *DryRun) Merge(_ context.Context, n int, sha, title string) (string, error) {
	return "", d.wrote("merge #%d at %s as %q", n, sha, title)
}
func (d *DryRun) MarkPullReady(_ context.Context, nodeID string) error {
	return d.wrote("mark the pull request %s ready for review", nodeID)
}
func (d *DryRun) RequestReviews(_ context.Context, nodeID string, users, teams []string) error {
	return d.wrote("ask %v and the teams %v to review the pull request %s", users, teams, nodeID)
}
func (d *DryRun) CreateBranch(_ context.Context, branch, sha string) error {
	return d.wrote("create the branch %s at %s", branch, sha)
}
func (d *DryRun) MoveBranch(_ context.Context, branch, sha string, force bool) error {
	return d.wrote("move the branch %s to %s (force: %t)", branch, sha, force)
}
func (d *DryRun) DeleteBranch(_ context.Context, branch string) error {
	return d.wrote("delete the branch %s", branch)
}

// Commit prints the commit it would push, with its diff, and answers with
// a SHA made up from it (which names nothing on GitHub).
func (d *DryRun) Commit(ctx context.Context, parent gh.Head, changes []workspace.Change, message string) (string, error) {
	h := sha1.New()
	fmt.Fprintf(h, "%s\x00%s", parent.CommitSHA, message)
	for _, c := range changes {
		fmt.Fprintf(h, "\x00%s\x00%s", c.Path, c.Content)
	}
	sha := hex.EncodeToString(h.Sum(nil))
	return sha, d.wrote("push a commit %s on top of %s:\n%s\n\n%s", sha, parent.CommitSHA, message, diffOn(ctx, d.Real, parent, changes))
}

// CommitOnBranch prints the commit it would push onto branch, as Commit.
func (d *DryRun) CommitOnBranch(ctx context.Context, branch string, parent gh.Head, changes []workspace.Change, message string) (string, error) {
	return d.Commit(ctx, parent, changes, message+"\n\n(on "+branch+")")
}

// dryRunID is the id a held-back comment or check run answers with: it
// names nothing on GitHub, and an edit of it is held back too.
const dryRunID = 1

// Writes is how many writes the dry run held back.
func (d *DryRun) Writes() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.writes
}

// wrote prints a held-back write.
func (d *DryRun) wrote(format string, args ...any) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.writes++
	fmt.Fprintf(d.Out, "dry run: would "+format+"\n", args...)
	return nil
}

// Showing is a repository on GitHub that prints each commit pushed
// through it to Out, with its diff; everything else passes through. A
// terminal run that pushes (`lifeos run`) works over it.
type Showing struct {
	GitHub
	Out io.Writer
}

// Commit pushes the commit, then prints it with its diff.
func (s *Showing) Commit(ctx context.Context, parent gh.Head, changes []workspace.Change, message string) (string, error) {
	sha, err := s.GitHub.Commit(ctx, parent, changes, message)
	if err == nil {
		fmt.Fprintf(s.Out, "pushed a commit %s on top of %s:\n%s\n\n%s", sha, parent.CommitSHA, message, diffOn(ctx, s.GitHub, parent, changes))
	}
	return sha, err
}

// CommitOnBranch pushes the commit onto branch, then prints it with its
// diff.
func (s *Showing) CommitOnBranch(ctx context.Context, branch string, parent gh.Head, changes []workspace.Change, message string) (string, error) {
	sha, err := s.GitHub.CommitOnBranch(ctx, branch, parent, changes, message)
	if err == nil {
		fmt.Fprintf(s.Out, "pushed a commit %s on %s on top of %s:\n%s\n\n%s", sha, branch, parent.CommitSHA, message, diffOn(ctx, s.GitHub, parent, changes))
	}
	return sha, err
}

// diffOn is the unified diff of changes made on top of parent, the old
// contents read from GitHub (the run's snapshot is on disk only while the
// run reads it); a path parent lacks is shown as new.
func diffOn(ctx context.Context, g interface {
	File(ctx context.Context, path, ref string) ([]byte, error)
}, parent gh.Head, changes []workspace.Change) string {
	var out string
	for _, c := range changes {
		old, err := g.File(ctx, c.Path, parent.CommitSHA)
		if err != nil {
			old = nil
		}
		out += textdiff.Unified(c.Path, string(old), string(c.Content))
	}
	return out
}
