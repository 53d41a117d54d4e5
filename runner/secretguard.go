package runner

import (
	"bytes"
	"fmt"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/redact"
	"github.com/lifeos/lifeos/secrets"
	"github.com/lifeos/lifeos/workspace"
)

// This file keeps secrets out of what LifeOS commits, posts and stores.

// secretViolations lists each changed file that would commit a secret the
// repository did not already hold: a token already in the file (a test
// fixture, say) is not the agent's doing, a new one is. The reason names
// the file, line and kind of secret, never the secret.
func secretViolations(snap *workspace.Snapshot, changes []workspace.Change) []policy.Violation {
	var vs []policy.Violation
	for _, c := range changes {
		if c.Delete {
			continue
		}
		old, _ := snap.File(c.Path)
		text := string(c.Content)
		for _, f := range secrets.Find(text) {
			if bytes.Contains(old, []byte(text[f.Start:f.End])) {
				continue
			}
			line := 1 + bytes.Count(c.Content[:f.Start], []byte("\n"))
			vs = append(vs, policy.Violation{Rule: "secrets.commit", Path: c.Path,
				Reason: fmt.Sprintf("`%s` line %d holds what looks like a %s; LifeOS never commits secrets: remove it, and read secrets from the environment instead", c.Path, line, secrets.Describe(f.Rule))})
			break
		}
	}
	return vs
}

// ownSecretViolations lists each changed file that would commit one of the
// server's own secrets (see Runner.OwnSecrets) the file did not already
// hold. They have no shape secrets.Find knows, so they are matched as is.
func ownSecretViolations(snap *workspace.Snapshot, changes []workspace.Change, own []string) []policy.Violation {
	var vs []policy.Violation
	for _, c := range changes {
		if c.Delete {
			continue
		}
		old, _ := snap.File(c.Path)
		for _, s := range own {
			if len(s) >= redact.MinSecretLen && bytes.Contains(c.Content, []byte(s)) && !bytes.Contains(old, []byte(s)) {
				vs = append(vs, policy.Violation{Rule: "secrets.commit", Path: c.Path,
					Reason: fmt.Sprintf("`%s` holds one of LifeOS's own secrets; LifeOS never commits secrets: remove it", c.Path)})
				break
			}
		}
	}
	return vs
}

// guardChanges lists every way a change set may not be pushed: the
// policy's paths and limits, and secrets in the new contents.
func guardChanges(pol policy.Policy, snap *workspace.Snapshot, changes []workspace.Change, own []string) []policy.Violation {
	vs := policy.CheckChanges(pol, changeStats(snap, changes))
	vs = append(vs, secretViolations(snap, changes)...)
	return append(vs, ownSecretViolations(snap, changes, own)...)
}

// blankOwnSecrets blanks the server's own secrets from the texts of an
// agent's result: its summary, transcript and proposals. The model never
// sees them, so finding one there means a repository or issue leaked it.
func blankOwnSecrets(res *agent.Result, own []string) {
	if res == nil || len(own) == 0 {
		return
	}
	blank := redact.NewWriter(nil, own...).Redact
	res.Summary = blank(res.Summary)
	for i, e := range res.Transcript {
		e.Content, e.Args, e.Result = blank(e.Content), blank(e.Args), blank(e.Result)
		res.Transcript[i] = e
	}
	for i, p := range res.Proposals {
		res.Proposals[i] = agent.Proposal{Title: blank(p.Title), Body: blank(p.Body)}
	}
}

// scrubTranscript redacts every entry of a transcript, field by field, so
// that the stored JSON stays valid.
func scrubTranscript(t []agent.Entry) []agent.Entry {
	out := make([]agent.Entry, len(t))
	for i, e := range t {
		e.Content, e.Args, e.Result = secrets.Redact(e.Content), secrets.Redact(e.Args), secrets.Redact(e.Result)
		out[i] = e
	}
	return out
}
