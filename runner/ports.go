package runner

import (
	"context"
	"io"
	"time"

	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
	"github.com/lifeos/lifeos/workspace"
)

// The ports of the workflows: what they ask of GitHub, the store and the
// clock, declared here where they are used. Package gh and package store
// are the real implementations; the unit tests use struct fakes beside
// them. Each GitHub port is small; GitHub is all of them, one repository's
// worth.

// people answers who someone is on a repository.
type people interface {
	Role(ctx context.Context, login string) (string, error)
	TeamsOf(ctx context.Context, teams []string, login string) ([]string, error)
}

// threads reads and writes issue and pull request conversations.
type threads interface {
	Issue(ctx context.Context, number int) (gh.Issue, error)
	IssueComments(ctx context.Context, number int) ([]gh.Comment, error)
	ReviewComments(ctx context.Context, pr int, reviewID int64) ([]gh.Comment, error)
	Comment(ctx context.Context, number int, body string) error
	React(ctx context.Context, commentID int64, content string) error
	CreateIssue(ctx context.Context, title, body string, labels []string) (int, error)
}

// pulls reads, opens and merges pull requests.
type pulls interface {
	Pull(ctx context.Context, number int) (gh.Pull, error)
	OpenPull(ctx context.Context, branch, base string) (*gh.Pull, error)
	CreatePull(ctx context.Context, np gh.NewPull) (gh.Pull, error)
	Merge(ctx context.Context, number int, sha, title string) (string, error)
	MarkPullReady(ctx context.Context, nodeID string) error
	RequestReviews(ctx context.Context, nodeID string, users, teams []string) error
}

// diffs reads what a pull request really holds: its commits and the diff
// between its base and its head, whoever wrote them.
type diffs interface {
	PullCommits(ctx context.Context, number int) ([]gh.PullCommit, error)
	Compare(ctx context.Context, base, head string) ([]gh.DiffFile, error)
}

// code reads the repository and writes commits and branches.
type code interface {
	BranchHead(ctx context.Context, branch string) (gh.Head, error)
	// Snapshot reads the repository at a branch or commit through unpack
	// and names the commit it read ("" when the archive does not say).
	Snapshot(ctx context.Context, ref string, unpack func(io.Reader) (*workspace.Snapshot, error)) (*workspace.Snapshot, string, error)
	Commit(ctx context.Context, parent gh.Head, changes []workspace.Change, message string) (string, error)
	// CommitOnBranch writes a commit on a branch that points at parent and
	// moves the branch to it (gh.ErrBranchMoved if it points elsewhere).
	CommitOnBranch(ctx context.Context, branch string, parent gh.Head, changes []workspace.Change, message string) (string, error)
	CreateBranch(ctx context.Context, branch, sha string) error
	MoveBranch(ctx context.Context, branch, sha string, force bool) error
	DeleteBranch(ctx context.Context, branch string) error
	CommitParents(ctx context.Context, sha string) ([]string, error)
}

// files reads single files: the policy and the owner's default.
type files interface {
	File(ctx context.Context, path, ref string) ([]byte, error)
	OwnerFile(ctx context.Context, repo, path string) ([]byte, error)
	DefaultBranch(ctx context.Context) (string, error)
}

// checks reads CI results.
type checks interface {
	FailedSuiteRuns(ctx context.Context, suiteID int64) ([]gh.FailedCheck, error)
	FailedJobs(ctx context.Context, workflowRunID int64) ([]gh.FailedCheck, error)
	RequiredChecks(ctx context.Context, base string) ([]policy.RequiredCheck, error)
	CheckResults(ctx context.Context, sha string) ([]policy.CheckResult, error)
	Statuses(ctx context.Context, sha string) ([]policy.StatusResult, error)
}

// reports tells people how a run goes: its progress comment, edited in
// place, and the LifeOS check run on each commit it pushes.
type reports interface {
	PostComment(ctx context.Context, number int, body string) (int64, error)
	EditComment(ctx context.Context, id int64, body string) error
	CreateCheckRun(ctx context.Context, c gh.CheckRun) (int64, error)
	OwnCheckRun(ctx context.Context, sha, name string) (int64, error)
}

// GitHub is one repository on GitHub, as the workflows use it.
type GitHub interface {
	people
	reports
	threads
	pulls
	code
	files
	checks
	diffs
}

// Repos reaches a job's repository on GitHub through its installation.
type Repos func(r jobs.Repo) (GitHub, error)

// Store is what the workflows record and read back.
type Store interface {
	StartRun(ctx context.Context, n store.NewRun) (*store.Run, error)
	FinishRun(ctx context.Context, id int64, o store.Outcome) error
	RunningRunOfJob(ctx context.Context, jobID int64) (*store.Run, error)
	EndRun(ctx context.Context, id int64, status, reason string) (bool, error)
	JobRunning(ctx context.Context, jobID int64) (bool, error)
	OrphanedRuns(ctx context.Context) ([]*store.Run, error)
	AddNotice(ctx context.Context, runID int64, number int, body string) error
	Notices(ctx context.Context) ([]store.Notice, error)
	DropNotice(ctx context.Context, runID int64) error
	LatestRun(ctx context.Context, repo string, issue int) (*store.Run, error)
	ActiveRun(ctx context.Context, repo string, issue int) (*store.Run, error)
	IssueRuns(ctx context.Context, repo string, issue int) ([]*store.Run, error)
	RecordDecision(ctx context.Context, runID int64, allow bool, rule, reason string) error
	Decisions(ctx context.Context, runID int64) ([]store.Decision, error)
	RecordCall(ctx context.Context, c store.ModelCall) error
	ModelCalls(ctx context.Context, runID int64) ([]store.ModelCall, error)
	Charge(ctx context.Context, c store.Charge) (store.Spending, error)
	Reserve(ctx context.Context, r store.Reservation) (bool, error)
	Release(ctx context.Context, runID int64) error
	RunCost(ctx context.Context, runID int64) (int64, error)
	Spent(ctx context.Context, repo string, installationID int64) (repoMicros, installationMicros int64, err error)
	RequestCancel(ctx context.Context, runID int64, actor string) error
	CancelRequested(ctx context.Context, runID int64) (bool, error)
	RecordChanges(ctx context.Context, runID int64, changes []store.FileChange) error
	RecordCommit(ctx context.Context, repo, sha string, runID int64) error
	WroteCommit(ctx context.Context, repo, sha string) (bool, error)
	// CommitChanges lists the files the run that wrote a commit changed,
	// with the bytes each wrote.
	CommitChanges(ctx context.Context, repo, sha string) ([]store.FileChange, error)
	RecordStep(ctx context.Context, runID int64, step, value string) error
	RunSteps(ctx context.Context, runID int64) (map[string]string, error)
	SaveProgress(ctx context.Context, id int64, o store.Outcome) error
	ChangedFiles(ctx context.Context, runID int64) (int, error)
	RecordOutcome(ctx context.Context, o store.PROutcome) (bool, error)
	CIAttempts(ctx context.Context, repo string, pr int) ([]store.CIAttempt, error)
	ClaimCIAttempt(ctx context.Context, repo string, pr int, a store.CIAttempt) (bool, error)
	RecordAck(ctx context.Context, a store.Ack) error
	AckOf(ctx context.Context, deliveryID string) (*store.Ack, error)
	SetAckProgress(ctx context.Context, deliveryID string, commentID int64) error
	AddWaiter(ctx context.Context, repo string, issue int, jobID int64) error
	RemoveWaiter(ctx context.Context, jobID int64) error
	Waiters(ctx context.Context, repo string, issue int) ([]int64, error)
	ReplaceSchedules(ctx context.Context, repo string, scheds []store.Schedule) error
	Schedules(ctx context.Context, repo string) ([]store.Schedule, error)
	DueSchedules(ctx context.Context, now time.Time) ([]store.Schedule, error)
	ScheduleByID(ctx context.Context, id int64) (*store.Schedule, error)
	ClaimFiring(ctx context.Context, id int64, tick time.Time) (bool, error)
	ReleaseFiring(ctx context.Context, id int64, tick time.Time) error
	ScheduleFired(ctx context.Context, id int64, tick, next time.Time, fired bool) error
	RecordProposal(ctx context.Context, p store.Proposal) error
	Proposals(ctx context.Context, repo string) ([]store.Proposal, error)
	SaveIssueText(ctx context.Context, repo string, issue int, t store.IssueText) error
	IssueTextOf(ctx context.Context, repo string, issue int) (*store.IssueText, error)
}

// Metrics counts what the workflows do, for /metrics; package metrics is
// the real implementation.
type Metrics interface {
	// RunEnded counts a run that reached its final status.
	RunEnded(trigger, outcome string, took time.Duration)
	// ModelUsage counts one model call's tokens and cost (micro-dollars).
	ModelUsage(repo, model string, promptTokens, completionTokens, costMicros int64)
}

// noMetrics counts nothing: the default when Runner.Metrics is nil.
type noMetrics struct{}

func (noMetrics) RunEnded(string, string, time.Duration)         {}
func (noMetrics) ModelUsage(string, string, int64, int64, int64) {}

// Clock tells the time (time.Now in production).
type Clock func() time.Time

var _ Store = (*store.Store)(nil)
var _ GitHub = (*gh.Repo)(nil)
