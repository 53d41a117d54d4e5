// Package jobs defines the typed jobs LifeOS queues. Each webhook delivery
// that is work is triaged once, by package webhook, into one of these; the
// job carries what was decided (which issue, who asked, what passed or
// failed), so the worker that takes it trusts it and never decides again.
package jobs

import (
	"time"

	"github.com/riverqueue/river"
)

// MaxAttempts bounds how often a job is tried: a crash or deploy mid-run
// retries it, a job that keeps failing on GitHub's side stops.
const MaxAttempts = 3

// Repo is the repository a job is about, and the installation that reaches
// it.
type Repo struct {
	InstallationID int64  `json:"installation_id"`
	Owner          string `json:"owner"`
	Name           string `json:"name"`
	DefaultBranch  string `json:"default_branch"`
}

// FullName is "owner/name".
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

// Delivery is what every job carries about the webhook delivery it came
// from. Its ID makes a job unique: GitHub's redelivery of the same
// X-GitHub-Delivery is not queued twice.
type Delivery struct {
	ID       string    `json:"id"`
	Event    string    `json:"event"`
	QueuedAt time.Time `json:"queued_at"`
}

// Issue is an issue's text as the trigger saw it. Comments is the count the
// payload reported (-1 when it did not say).
type Issue struct {
	Number   int    `json:"number"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	Author   string `json:"author"`
	Comments int    `json:"comments"`
}

// Job is any LifeOS job: River's job args plus the delivery and repository
// that every job carries.
type Job interface {
	river.JobArgs
	river.JobArgsWithInsertOpts
	Meta() (Delivery, Repo)
	// DeliveryKey is the X-GitHub-Delivery the job came from.
	DeliveryKey() string
	// Subject is the issue or pull request the job is about, for logs.
	Subject() int
}

// Base is embedded by every job; DeliveryID is the unique key (exported,
// or River would not see its tag).
type Base struct {
	DeliveryID string   `json:"delivery_id" river:"unique"`
	Delivery   Delivery `json:"delivery"`
	Repo       Repo     `json:"repo"`
}

// Meta returns the delivery and repository of the job.
func (c Base) Meta() (Delivery, Repo) { return c.Delivery, c.Repo }

// DeliveryKey is the X-GitHub-Delivery the job came from.
func (c Base) DeliveryKey() string { return c.DeliveryID }

// InsertOpts makes a job unique by its delivery and bounds its attempts.
func (Base) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: MaxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// newBase makes the shared part of a job.
func newBase(d Delivery, r Repo) Base {
	return Base{DeliveryID: d.ID, Delivery: d, Repo: r}
}

// Run is a trusted label on an issue: start a run. Whether the label is the
// repository's trigger label is the policy's call, made in the run.
type Run struct {
	Base
	Issue Issue  `json:"issue"`
	Label string `json:"label"`
	// Actor labelled the issue; the run asks GitHub for their role.
	Actor string `json:"actor"`
}

// NewRun makes a Run job.
func NewRun(d Delivery, r Repo, issue Issue, label, actor string) Run {
	return Run{Base: newBase(d, r), Issue: issue, Label: label, Actor: actor}
}

func (Run) Kind() string   { return "lifeos_run" }
func (j Run) Subject() int { return j.Issue.Number }

// Command is a /lifeos comment by a human on an issue or pull request.
// Verb is set for a command; Reply is set instead for a near miss that
// deserves an answer (a typo, an unknown verb).
type Command struct {
	Base
	// Number is the issue or pull request the comment is on.
	Number    int    `json:"number"`
	OnPR      bool   `json:"on_pr"`
	CommentID int64  `json:"comment_id"`
	Sender    string `json:"sender"`
	Verb      string `json:"verb,omitempty"`
	// Instructions follow the verb (retry and plan).
	Instructions string `json:"instructions,omitempty"`
	Reply        string `json:"reply,omitempty"`
	// Issue is the issue's text when the comment is on an issue.
	Issue *Issue `json:"issue,omitempty"`
}

// NewCommand makes a Command job.
func NewCommand(d Delivery, r Repo, c Command) Command {
	c.Base = newBase(d, r)
	return c
}

func (Command) Kind() string   { return "lifeos_command" }
func (j Command) Subject() int { return j.Number }

// Review is a change request by a human on a LifeOS pull request.
type Review struct {
	Base
	PR       int    `json:"pr"`
	Issue    int    `json:"issue"`
	ReviewID int64  `json:"review_id"`
	Reviewer string `json:"reviewer"`
	Body     string `json:"body"`
}

// NewReview makes a Review job.
func NewReview(d Delivery, r Repo, rv Review) Review {
	rv.Base = newBase(d, r)
	return rv
}

func (Review) Kind() string   { return "lifeos_review" }
func (j Review) Subject() int { return j.Issue }

// CI is a completed CI result on a LifeOS branch, from a check suite of
// another app, a GitHub Actions workflow run or a commit status: a failure may start a fix,
// a success may let rung 3 merge.
type CI struct {
	Base
	Issue   int    `json:"issue"`
	Branch  string `json:"branch"`
	HeadSHA string `json:"head_sha"`
	Passed  bool   `json:"passed"`
	// SuiteID is set for a check suite, WorkflowRunID for a workflow run;
	// neither for a commit status.
	SuiteID       int64 `json:"suite_id,omitempty"`
	WorkflowRunID int64 `json:"workflow_run_id,omitempty"`
	// PRs are the pull requests the payload links to the head.
	PRs []int `json:"prs,omitempty"`
}

// NewCI makes a CI job.
func NewCI(d Delivery, r Repo, c CI) CI {
	c.Base = newBase(d, r)
	return c
}

func (CI) Kind() string   { return "lifeos_ci" }
func (j CI) Subject() int { return j.Issue }

// Closed is a LifeOS pull request (opened by the App from its branch) that
// was closed, merged or not.
type Closed struct {
	Base
	PR     int    `json:"pr"`
	Issue  int    `json:"issue"`
	Branch string `json:"branch"`
	Merged bool   `json:"merged"`
	Sender string `json:"sender"`
}

// NewClosed makes a Closed job.
func NewClosed(d Delivery, r Repo, c Closed) Closed {
	c.Base = newBase(d, r)
	return c
}

func (Closed) Kind() string   { return "lifeos_closed" }
func (j Closed) Subject() int { return j.Issue }

var (
	_ Job = Run{}
	_ Job = Command{}
	_ Job = Review{}
	_ Job = CI{}
	_ Job = Closed{}
)
