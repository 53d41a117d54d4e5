package runner

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/workspace"
)

// fakeGitHub is one repository on GitHub, held in memory: what the
// workflows read is set up in its fields, what they write is appended to
// its records. Every method counts its calls and returns the error set in
// fail under its name, if any, before doing anything.
type fakeGitHub struct {
	calls map[string]int
	fail  map[string]error

	// What the workflows read.
	roles          map[string]string // by login; a missing login has "none"
	issues         map[int]gh.Issue
	comments       map[int][]gh.Comment   // issue comments, by issue
	reviewComments map[int64][]gh.Comment // inline comments, by review
	pulls          map[int]gh.Pull
	reviewsAsked   []string // "nodeID:login,org/team", in order
	branches       map[string]gh.Head
	tree           map[string][]byte // the repository's files, at every commit
	ownerDefault   []byte            // the owner's .github/lifeos.yml, or nil
	failed         []gh.FailedCheck  // of any suite or workflow run
	required       []policy.RequiredCheck
	checkResults   []policy.CheckResult
	statuses       []policy.StatusResult
	appSlug        string // pull requests opened here are by appSlug[bot]
	// archiveNoCommit makes Snapshot name no commit, as an archive
	// without git archive's pax header would.
	archiveNoCommit bool
	// The commits of every pull request: Commit appends LifeOS's, a test
	// appends anyone else's. The diff of every comparison is that of
	// LifeOS's commits followed by foreignDiff.
	pullCommits []gh.PullCommit
	foreignDiff []gh.DiffFile

	// What the workflows wrote.
	commits   []fakeCommit
	created   []string // branches created
	moved     []fakeMove
	posted    []fakeComment // a comment's id is its index + 1
	checkRuns []fakeCheck
	// postedMu guards posted: a held progress edit writes from its timer.
	postedMu   sync.Mutex
	reactions  []string // "commentID:content"
	newIssues  []string // titles
	pullBodies []string // bodies of the pull requests opened
	merges     []int    // pull request numbers
	deleted    []string // branches deleted

	next int // the next issue or pull request number
}

type fakeCommit struct {
	sha     string
	parent  gh.Head
	changes []workspace.Change
	message string
}

type fakeMove struct {
	branch, sha string
	force       bool
}

type fakeComment struct {
	number int
	body   string
	edits  int // how many times EditComment changed it
}

// fakeCheck is a check run the workflows created.
type fakeCheck struct {
	id  int64
	run gh.CheckRun
}

func newFakeGitHub() *fakeGitHub {
	return &fakeGitHub{
		calls: map[string]int{}, fail: map[string]error{},
		roles: map[string]string{}, issues: map[int]gh.Issue{}, comments: map[int][]gh.Comment{},
		reviewComments: map[int64][]gh.Comment{}, pulls: map[int]gh.Pull{},
		branches: map[string]gh.Head{"main": {CommitSHA: "main-sha-0000000", TreeSHA: "main-tree"}},
		tree:     map[string][]byte{"README.md": []byte("# hello\n")},
		appSlug:  testAppSlug, next: 100,
	}
}

// call counts a call of method and returns its injected error.
func (f *fakeGitHub) call(method string) error {
	f.calls[method]++
	return f.fail[method]
}

// total is how many calls the workflows made.
func (f *fakeGitHub) total() int {
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

// commentsOn is the bodies posted on an issue or pull request.
func (f *fakeGitHub) commentsOn(number int) []string {
	f.postedMu.Lock()
	defer f.postedMu.Unlock()
	var out []string
	for _, c := range f.posted {
		if c.number == number {
			out = append(out, c.body)
		}
	}
	return out
}

func (f *fakeGitHub) Role(_ context.Context, login string) (string, error) {
	if err := f.call("Role"); err != nil {
		return "", err
	}
	if r, ok := f.roles[login]; ok {
		return r, nil
	}
	return "none", nil
}

func (f *fakeGitHub) TeamsOf(context.Context, []string, string) ([]string, error) {
	return nil, f.call("TeamsOf")
}

func (f *fakeGitHub) Issue(_ context.Context, number int) (gh.Issue, error) {
	if err := f.call("Issue"); err != nil {
		return gh.Issue{}, err
	}
	is, ok := f.issues[number]
	if !ok {
		return gh.Issue{}, fmt.Errorf("issue %d not found", number)
	}
	return is, nil
}

func (f *fakeGitHub) IssueComments(_ context.Context, number int) ([]gh.Comment, error) {
	return f.comments[number], f.call("IssueComments")
}

func (f *fakeGitHub) ReviewComments(_ context.Context, _ int, reviewID int64) ([]gh.Comment, error) {
	return f.reviewComments[reviewID], f.call("ReviewComments")
}

func (f *fakeGitHub) Comment(ctx context.Context, number int, body string) error {
	_, err := f.post(ctx, "Comment", number, body)
	return err
}

func (f *fakeGitHub) PostComment(ctx context.Context, number int, body string) (int64, error) {
	return f.post(ctx, "PostComment", number, body)
}

func (f *fakeGitHub) post(_ context.Context, method string, number int, body string) (int64, error) {
	f.postedMu.Lock()
	defer f.postedMu.Unlock()
	if err := f.call(method); err != nil {
		return 0, err
	}
	f.posted = append(f.posted, fakeComment{number: number, body: body})
	return int64(len(f.posted)), nil
}

func (f *fakeGitHub) EditComment(_ context.Context, id int64, body string) error {
	f.postedMu.Lock()
	defer f.postedMu.Unlock()
	if err := f.call("EditComment"); err != nil {
		return err
	}
	if id <= 0 || int(id) > len(f.posted) {
		return fmt.Errorf("comment %d not found", id)
	}
	f.posted[id-1].body = body
	f.posted[id-1].edits++
	return nil
}

func (f *fakeGitHub) CreateCheckRun(_ context.Context, c gh.CheckRun) (int64, error) {
	if err := f.call("CreateCheckRun"); err != nil {
		return 0, err
	}
	id := int64(len(f.checkRuns) + 1)
	f.checkRuns = append(f.checkRuns, fakeCheck{id: id, run: c})
	return id, nil
}

func (f *fakeGitHub) OwnCheckRun(_ context.Context, sha, name string) (int64, error) {
	if err := f.call("OwnCheckRun"); err != nil {
		return 0, err
	}
	for _, c := range f.checkRuns {
		if c.run.HeadSHA == sha && c.run.Name == name {
			return c.id, nil
		}
	}
	return 0, nil
}

func (f *fakeGitHub) React(_ context.Context, commentID int64, content string) error {
	if err := f.call("React"); err != nil {
		return err
	}
	f.reactions = append(f.reactions, fmt.Sprintf("%d:%s", commentID, content))
	return nil
}

func (f *fakeGitHub) CreateIssue(_ context.Context, title, _ string, _ []string) (int, error) {
	if err := f.call("CreateIssue"); err != nil {
		return 0, err
	}
	f.newIssues = append(f.newIssues, title)
	f.next++
	f.issues[f.next] = gh.Issue{Number: f.next, Title: title, Author: f.appSlug + "[bot]", State: "open"}
	return f.next, nil
}

func (f *fakeGitHub) Pull(_ context.Context, number int) (gh.Pull, error) {
	if err := f.call("Pull"); err != nil {
		return gh.Pull{}, err
	}
	pr, ok := f.pulls[number]
	if !ok {
		return gh.Pull{}, fmt.Errorf("pull request %d not found", number)
	}
	return pr, nil
}

func (f *fakeGitHub) OpenPull(_ context.Context, branch, base string) (*gh.Pull, error) {
	if err := f.call("OpenPull"); err != nil {
		return nil, err
	}
	for _, pr := range f.pulls {
		if pr.State == "open" && pr.HeadRef == branch && pr.BaseRef == base {
			return &pr, nil
		}
	}
	return nil, nil
}

func (f *fakeGitHub) CreatePull(_ context.Context, np gh.NewPull) (gh.Pull, error) {
	if err := f.call("CreatePull"); err != nil {
		return gh.Pull{}, err
	}
	f.next++
	f.pullBodies = append(f.pullBodies, np.Body)
	pr := gh.Pull{Number: f.next, Title: np.Title, State: "open", HeadRef: np.Head, BaseRef: np.Base,
		HeadSHA: f.branches[np.Head].CommitSHA, Author: f.appSlug + "[bot]", HeadRepo: testRepo.FullName(),
		NodeID: fmt.Sprintf("PR_%d", f.next), Draft: np.Draft}
	f.pulls[pr.Number] = pr
	return pr, nil
}

func (f *fakeGitHub) MarkPullReady(_ context.Context, nodeID string) error {
	if err := f.call("MarkPullReady"); err != nil {
		return err
	}
	for n, pr := range f.pulls {
		if pr.NodeID == nodeID {
			pr.Draft = false
			f.pulls[n] = pr
		}
	}
	return nil
}

func (f *fakeGitHub) RequestReviews(_ context.Context, nodeID string, users, teams []string) error {
	if err := f.call("RequestReviews"); err != nil {
		return err
	}
	f.reviewsAsked = append(f.reviewsAsked, nodeID+":"+strings.Join(append(append([]string(nil), users...), teams...), ","))
	return nil
}

func (f *fakeGitHub) Merge(_ context.Context, number int, _, _ string) (string, error) {
	if err := f.call("Merge"); err != nil {
		return "", err
	}
	f.merges = append(f.merges, number)
	return fmt.Sprintf("merge-%034d", number), nil
}

func (f *fakeGitHub) BranchHead(_ context.Context, branch string) (gh.Head, error) {
	if err := f.call("BranchHead"); err != nil {
		return gh.Head{}, err
	}
	h, ok := f.branches[branch]
	if !ok {
		return gh.Head{}, fmt.Errorf("branch %s not found", branch)
	}
	return h, nil
}

func (f *fakeGitHub) Snapshot(_ context.Context, ref string, _ func(io.Reader) (*workspace.Snapshot, error)) (*workspace.Snapshot, string, error) {
	if err := f.call("Snapshot"); err != nil {
		return nil, "", err
	}
	if f.archiveNoCommit {
		return workspace.NewSnapshot(f.tree), "", nil
	}
	return workspace.NewSnapshot(f.tree), f.branches[ref].CommitSHA, nil
}

func (f *fakeGitHub) Commit(_ context.Context, parent gh.Head, changes []workspace.Change, message string) (string, error) {
	if err := f.call("Commit"); err != nil {
		return "", err
	}
	return f.newCommit(parent, changes, message), nil
}

func (f *fakeGitHub) newCommit(parent gh.Head, changes []workspace.Change, message string) string {
	sha := fmt.Sprintf("c0ffee%d%033d", len(f.commits)+1, 0) // "c0ffee1" when short
	f.commits = append(f.commits, fakeCommit{sha: sha, parent: parent, changes: changes, message: message})
	f.pullCommits = append(f.pullCommits, gh.PullCommit{SHA: sha, Author: f.appSlug + "[bot]", Committer: f.appSlug + "[bot]"})
	return sha
}

func (f *fakeGitHub) CommitOnBranch(_ context.Context, branch string, parent gh.Head, changes []workspace.Change, message string) (string, error) {
	if err := f.call("CommitOnBranch"); err != nil {
		return "", err
	}
	if f.branches[branch].CommitSHA != parent.CommitSHA {
		return "", gh.ErrBranchMoved
	}
	sha := f.newCommit(parent, changes, message)
	f.branches[branch] = gh.Head{CommitSHA: sha, TreeSHA: "tree-of-" + sha, Message: message}
	for n, pr := range f.pulls {
		if pr.HeadRef == branch {
			pr.HeadSHA = sha
			f.pulls[n] = pr
		}
	}
	return sha, nil
}

func (f *fakeGitHub) CommitParents(context.Context, string) ([]string, error) {
	return nil, f.call("CommitParents")
}

func (f *fakeGitHub) CreateBranch(_ context.Context, branch, sha string) error {
	if err := f.call("CreateBranch"); err != nil {
		return err
	}
	if _, ok := f.branches[branch]; ok {
		return gh.ErrBranchExists
	}
	f.created = append(f.created, branch)
	f.branches[branch] = gh.Head{CommitSHA: sha, TreeSHA: "tree-of-" + sha}
	return nil
}

func (f *fakeGitHub) MoveBranch(_ context.Context, branch, sha string, force bool) error {
	if err := f.call("MoveBranch"); err != nil {
		return err
	}
	f.moved = append(f.moved, fakeMove{branch, sha, force})
	f.branches[branch] = gh.Head{CommitSHA: sha, TreeSHA: "tree-of-" + sha}
	for n, pr := range f.pulls {
		if pr.HeadRef == branch {
			pr.HeadSHA = sha
			f.pulls[n] = pr
		}
	}
	return nil
}

func (f *fakeGitHub) DeleteBranch(_ context.Context, branch string) error {
	if err := f.call("DeleteBranch"); err != nil {
		return err
	}
	f.deleted = append(f.deleted, branch)
	delete(f.branches, branch)
	return nil
}

// File reads the repository's files (tree) at any ref, nil when absent.
func (f *fakeGitHub) File(_ context.Context, path, _ string) ([]byte, error) {
	return slices.Clone(f.tree[path]), f.call("File")
}

func (f *fakeGitHub) OwnerFile(context.Context, string, string) ([]byte, error) {
	return slices.Clone(f.ownerDefault), f.call("OwnerFile")
}

func (f *fakeGitHub) DefaultBranch(context.Context) (string, error) {
	return "main", f.call("DefaultBranch")
}

func (f *fakeGitHub) FailedSuiteRuns(context.Context, int64) ([]gh.FailedCheck, error) {
	return f.failed, f.call("FailedSuiteRuns")
}

func (f *fakeGitHub) FailedJobs(context.Context, int64) ([]gh.FailedCheck, error) {
	return f.failed, f.call("FailedJobs")
}

func (f *fakeGitHub) RequiredChecks(context.Context, string) ([]policy.RequiredCheck, error) {
	return f.required, f.call("RequiredChecks")
}

func (f *fakeGitHub) CheckResults(context.Context, string) ([]policy.CheckResult, error) {
	return f.checkResults, f.call("CheckResults")
}

func (f *fakeGitHub) Statuses(context.Context, string) ([]policy.StatusResult, error) {
	return f.statuses, f.call("Statuses")
}

func (f *fakeGitHub) PullCommits(context.Context, int) ([]gh.PullCommit, error) {
	return slices.Clone(f.pullCommits), f.call("PullCommits")
}

// Compare lists every file LifeOS's commits changed, with its lines as
// added, then foreignDiff.
func (f *fakeGitHub) Compare(context.Context, string, string) ([]gh.DiffFile, error) {
	if err := f.call("Compare"); err != nil {
		return nil, err
	}
	var out []gh.DiffFile
	for _, c := range f.commits {
		for _, ch := range c.changes {
			d := gh.DiffFile{Path: ch.Path, Status: "modified", Additions: bytes.Count(ch.Content, []byte("\n"))}
			if ch.Delete {
				d.Status = "removed"
			}
			out = append(out, d)
		}
	}
	return append(out, f.foreignDiff...), nil
}

var _ GitHub = (*fakeGitHub)(nil)
