package webhook

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/names"
)

// triageIssues makes a Run of an issue labelled by a human with the
// server's trigger label or any label in LifeOS's namespace (a repository's
// policy may name its own trigger label there; the run checks it).
func triageIssues(d jobs.Delivery, payload []byte, c Config) (jobs.Job, string) {
	// "action" leads GitHub's payloads, so this scan stops early.
	if action := gjson.GetBytes(payload, "action").Str; action != "labeled" {
		return nil, fmt.Sprintf("action %q is not labeled", action)
	}
	f := gjson.GetManyBytes(payload, "label.name", "sender.type", "sender.login", "issue.number")
	label, actor := f[0].Str, f[2].Str
	switch {
	case label != c.TriggerLabel && !strings.HasPrefix(label, names.LabelNamespace):
		return nil, fmt.Sprintf("label %q is not LifeOS's", label)
	case c.isBot(f[1].Str, actor):
		return nil, "sender is a bot"
	case f[3].Int() <= 0:
		return nil, "no issue number"
	}
	repo, why := repoOf(payload)
	if why != "" {
		return nil, why
	}
	return jobs.NewRun(d, repo, issueOf(payload), label, actor), ""
}
