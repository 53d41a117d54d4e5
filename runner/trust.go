package runner

import (
	"context"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/gh"
	"github.com/lifeos/lifeos/policy"
)

// trust remembers the roles of the users of one run, so that each costs
// GitHub at most one question.
type trust struct {
	gh    people
	roles map[string]string
}

// newTrust starts with the actor's role when it was checked before the run
// started; a run that no person started (CI) trusts nobody in advance.
func newTrust(g people, actor, actorRole string) *trust {
	t := &trust{gh: g, roles: map[string]string{}}
	if actor != "" && actorRole != "" {
		t.roles[actor] = actorRole
	}
	return t
}

// role is login's role, asked of GitHub once.
func (t *trust) role(ctx context.Context, login string) (string, error) {
	if r, ok := t.roles[login]; ok {
		return r, nil
	}
	r, err := t.gh.Role(ctx, login)
	if err != nil {
		return "", err
	}
	t.roles[login] = r
	return r, nil
}

// known is login's role if this run has learnt it already, "" otherwise;
// it costs GitHub nothing.
func (t *trust) known(login string) string { return t.roles[login] }

// trusted reports whether an author's words may reach the prompt: a human
// with write access. Bots, the App included, never are.
func (t *trust) trusted(ctx context.Context, login string, bot bool) (bool, error) {
	if bot {
		return false, nil
	}
	r, err := t.role(ctx, login)
	if err != nil {
		return false, err
	}
	return policy.IsTrusted(r), nil
}

// filter keeps the comments of trusted authors, as the agent reads them.
func (t *trust) filter(ctx context.Context, cs []gh.Comment) ([]agent.Comment, error) {
	var out []agent.Comment
	for _, c := range cs {
		ok, err := t.trusted(ctx, c.Author, c.Bot)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, agent.Comment{Author: c.Author, AuthorRole: t.known(c.Author), Body: c.Body, Path: c.Path, Line: c.Line})
		}
	}
	return out, nil
}
