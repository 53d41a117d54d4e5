package runner

import (
	"bytes"
	"fmt"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/policy"
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

// guardChanges lists every way a change set may not be pushed: the
// policy's paths and limits, and secrets in the new contents.
func guardChanges(pol policy.Policy, snap *workspace.Snapshot, changes []workspace.Change) []policy.Violation {
	vs := policy.CheckChanges(pol, changeStats(snap, changes))
	return append(vs, secretViolations(snap, changes)...)
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
