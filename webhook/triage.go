package webhook

import (
	"fmt"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/names"
)

// Config is what triage needs to know about the server.
type Config struct {
	// AppSlug is the App's slug; its own events come from "<slug>[bot]".
	AppSlug string
	// TriggerLabel is the server's label that starts a run; any label in
	// names.LabelNamespace may start one too (the run checks it against the
	// repository's policy).
	TriggerLabel string
}

// triageFunc decides what one event's delivery is: a job, or nil and the
// reason it is ignored. It is pure: the delivery, with its time, comes from
// the caller.
type triageFunc func(d jobs.Delivery, payload []byte, c Config) (jobs.Job, string)

// isBot reports whether a sender is a bot (the App itself included), whose
// events never start work.
func (c Config) isBot(senderType, senderLogin string) bool {
	return senderType == "Bot" || senderLogin == c.botLogin()
}

// botLogin is the login the App acts as.
func (c Config) botLogin() string { return names.BotLogin(c.AppSlug) }

// ownPull returns the issue a pull_request or pull_request_review
// payload's pull request is LifeOS's for (names.IssueOfPull), or 0 and why
// it is not LifeOS's.
func ownPull(payload []byte, c Config) (int, string) {
	f := gjson.GetManyBytes(payload, "pull_request.user.login", "pull_request.head.ref",
		"pull_request.head.repo.full_name", "repository.full_name")
	return names.IssueOfPull(c.AppSlug, names.PullOrigin{Author: f[0].Str, HeadRef: f[1].Str, HeadRepo: f[2].Str, BaseRepo: f[3].Str})
}

// sameRepo reports whether CI's head repository is the base repository;
// CI from a fork (or from a deleted one, which GitHub does not name) runs
// code and writes logs the fork controls, and is never LifeOS's.
func sameRepo(head, base string) bool { return head != "" && strings.EqualFold(head, base) }

// Triage decides what a delivery of event d.Event is, with the same triage
// function its handler uses. It fails for a payload that is not JSON and
// for an event no handler takes: neither will ever be work.
func Triage(d jobs.Delivery, payload []byte, c Config) (jobs.Job, string, error) {
	if !gjson.ValidBytes(payload) {
		return nil, "", fmt.Errorf("%s payload of delivery %s is not valid JSON", d.Event, d.ID)
	}
	for _, eh := range All(Intake{Config: c}) {
		if h, ok := eh.(*handler); ok && h.event == d.Event {
			job, reason := h.triage(d, payload, c)
			return job, reason, nil
		}
	}
	return nil, "", fmt.Errorf("delivery %s: no triage for %q events", d.ID, d.Event)
}

// deliveryOf is the delivery a job carries.
func deliveryOf(event, id string, queuedAt time.Time) jobs.Delivery {
	return jobs.Delivery{ID: id, Event: event, QueuedAt: queuedAt}
}

// repoOf reads the repository and installation every job carries; without
// them a delivery cannot be worked.
func repoOf(payload []byte) (jobs.Repo, string) {
	f := gjson.GetManyBytes(payload, "installation.id", "repository.owner.login", "repository.name", "repository.default_branch")
	r := jobs.Repo{InstallationID: f[0].Int(), Owner: f[1].Str, Name: f[2].Str, DefaultBranch: f[3].Str}
	switch {
	case r.InstallationID <= 0:
		return jobs.Repo{}, "no installation"
	case r.Owner == "" || r.Name == "":
		return jobs.Repo{}, "no repository"
	}
	return r, ""
}

// issueOf reads the issue's text from an issues or issue_comment payload.
// Comments is -1 when the payload does not say (absent or null).
func issueOf(payload []byte) jobs.Issue {
	f := gjson.GetManyBytes(payload, "issue.number", "issue.title", "issue.body", "issue.user.login", "issue.comments")
	comments := -1
	if f[4].Type == gjson.Number {
		comments = int(f[4].Int())
	}
	return jobs.Issue{Number: int(f[0].Int()), Title: f[1].Str, Body: f[2].Str, Author: f[3].Str, Comments: comments}
}

// prNumbers lists the numbers of a payload's pull_requests array; nil when
// it has none.
func prNumbers(prs gjson.Result) []int {
	var out []int
	for _, pr := range prs.Array() {
		if n := int(pr.Get("number").Int()); n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// forkPull returns the number of the first of a check suite's pull
// requests whose head is not in the repository it merges into (a fork, or
// a deleted one), or 0 when none is. The payload names repositories by id
// here.
func forkPull(prs gjson.Result) int {
	for _, pr := range prs.Array() {
		head, base := pr.Get("head.repo.id"), pr.Get("base.repo.id")
		if head.Type != gjson.Number || head.Int() != base.Int() {
			return max(int(pr.Get("number").Int()), 1)
		}
	}
	return 0
}

// failed reports whether a CI conclusion means the change is broken.
func failed(conclusion string) bool { return conclusion == "failure" || conclusion == "timed_out" }
