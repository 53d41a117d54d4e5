package webhook

import (
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/commands"
	"github.com/lifeos/lifeos/jobs"
)

// triageIssueComment makes a Command of a new comment by a human that
// holds a /lifeos command, or a near miss that deserves a reply. Whether
// the sender may command LifeOS is the worker's call (it asks GitHub).
func triageIssueComment(d jobs.Delivery, payload []byte, c Config) (jobs.Job, string) {
	if action := gjson.GetBytes(payload, "action").Str; action != "created" {
		return nil, fmt.Sprintf("action %q is not created", action)
	}
	f := gjson.GetManyBytes(payload, "sender.type", "sender.login", "comment.body", "comment.id", "issue.number", "issue.pull_request")
	switch {
	case c.isBot(f[0].Str, f[1].Str):
		return nil, "sender is a bot"
	case f[4].Int() <= 0:
		return nil, "no issue number"
	}
	parsed := commands.Parse(f[2].Str)
	if parsed.Command == nil && parsed.Reply == "" {
		return nil, "comment holds no command"
	}
	repo, why := repoOf(payload)
	if why != "" {
		return nil, why
	}
	cmd := jobs.Command{
		Number:    int(f[4].Int()),
		OnPR:      f[5].IsObject(),
		CommentID: f[3].Int(),
		Sender:    f[1].Str,
		Reply:     parsed.Reply,
	}
	if parsed.Command != nil {
		cmd.Verb, cmd.Instructions = string(parsed.Command.Verb), parsed.Command.Instructions
	}
	if !cmd.OnPR {
		issue := issueOf(payload)
		cmd.Issue = &issue
	}
	return jobs.NewCommand(d, repo, cmd), ""
}
