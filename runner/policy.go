package runner

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/jobs"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
	"github.com/lifeos/lifeos/workspace"
)

// orgDefaultRepo and orgDefaultPath name an organisation-wide policy: the
// file lifeos.yml in the owner's .github repository, used by repositories
// that have no .github/lifeos.yml of their own.
const (
	orgDefaultRepo = ".github"
	orgDefaultPath = "lifeos.yml"
)

// orgPolicyTTL is how long an owner's default policy (or its absence) is
// remembered: a run in a repository without its own file then costs no
// extra request, and a change to the default takes effect within minutes.
const orgPolicyTTL = 5 * time.Minute

// orgPolicies remembers owners' default policies.
type orgPolicies struct {
	mu    sync.Mutex
	cache map[string]orgPolicy // by owner
}

type orgPolicy struct {
	content []byte // nil: the owner has no default
	at      time.Time
}

// orgDefault returns the owner's default policy file, or nil.
func (r *Runner) orgDefault(ctx context.Context, g files, owner string) ([]byte, error) {
	r.mu.Lock()
	if r.orgPols == nil {
		r.orgPols = &orgPolicies{cache: map[string]orgPolicy{}}
	}
	c := r.orgPols
	r.mu.Unlock()

	c.mu.Lock()
	p, ok := c.cache[owner]
	c.mu.Unlock()
	if ok && r.now().Sub(p.at) < orgPolicyTTL {
		return p.content, nil
	}
	content, err := g.OwnerFile(ctx, orgDefaultRepo, orgDefaultPath)
	if err != nil {
		return nil, fmt.Errorf("load the default policy of %s: %w", owner, err)
	}
	c.mu.Lock()
	c.cache[owner] = orgPolicy{content: content, at: r.now()}
	c.mu.Unlock()
	return content, nil
}

// brokenPolicy is a policy file that does not parse or validate.
type brokenPolicy struct {
	source string
	err    error
}

func (b *brokenPolicy) Error() string { return fmt.Sprintf("%s: %v", b.source, b.err) }
func (b *brokenPolicy) Unwrap() error { return b.err }

// loadPolicy reads the repository's policy, always from its default branch:
// a PR branch, which the agent or a contributor could edit, never governs.
// When snap is the default branch's head the file is read from it at no
// cost; otherwise GitHub is asked. A repository without a file takes its
// owner's default (lifeos.yml in the owner's .github repo), and with
// neither the safe defaults apply. Every path goes through one parser,
// which refuses a reference to another repository.
func (r *Runner) loadPolicy(ctx context.Context, g files, repo jobs.Repo, snap *workspace.Snapshot, snapIsDefault bool) (policy.Policy, []policy.Decision, error) {
	var data []byte
	source := fmt.Sprintf("%s@%s:%s", repo.FullName(), repo.DefaultBranch, policy.FilePath)
	if snapIsDefault && snap != nil {
		data, _ = snap.File(policy.FilePath)
	} else {
		var err error
		if data, err = g.File(ctx, policy.FilePath, repo.DefaultBranch); err != nil {
			return policy.Policy{}, nil, fmt.Errorf("load policy of %s: %w", repo.FullName(), err)
		}
	}
	if data == nil {
		content, err := r.orgDefault(ctx, g, repo.Owner)
		if err != nil {
			return policy.Policy{}, nil, err
		}
		data, source = content, fmt.Sprintf("%s/%s:%s", repo.Owner, orgDefaultRepo, orgDefaultPath)
	}
	f, err := policy.ParseFile(data)
	if err != nil {
		return policy.Policy{}, nil, &brokenPolicy{source: source, err: err}
	}
	p, ds := policy.Effective(f, r.Ceilings)
	return p, ds, nil
}

// changeStats measures a change set against the snapshot it was made on:
// the lines each file adds and removes, and the bytes it writes.
func changeStats(snap *workspace.Snapshot, changes []workspace.Change) []policy.ChangeStat {
	out := make([]policy.ChangeStat, 0, len(changes))
	for _, c := range changes {
		old, _ := snap.File(c.Path)
		st := policy.ChangeStat{Path: c.Path, Delete: c.Delete}
		if c.Delete {
			_, st.Removed = policy.CountLines(old, nil)
		} else {
			st.Added, st.Removed = policy.CountLines(old, c.Content)
			st.Bytes = len(c.Content)
		}
		out = append(out, st)
	}
	return out
}

// policyProblem renders a broken policy for a comment: each problem with
// its key and line.
func policyProblem(err error) string {
	var bp *brokenPolicy
	var fe *policy.FileError
	if !errors.As(err, &bp) || !errors.As(err, &fe) {
		return "LifeOS did not start: " + oneLine(err.Error())
	}
	msg := fmt.Sprintf("LifeOS did not start: the policy file `%s` has problems, so nothing runs until it is fixed:\n\n", bp.source)
	for _, p := range fe.Problems {
		msg += fmt.Sprintf("- line %d, `%s`: %s\n", p.Line, p.Key, p.Message)
	}
	msg += "\nRun `lifeos policy check` on the file to check a fix before you push it."
	return msg
}

// errNoRun means an issue has no run to attach decisions to.
var errNoRun = errors.New("the issue has no LifeOS run")

// outsideRun is a decision taken outside a run (a merge, a branch
// deletion): its decisions are stored with the issue's latest run.
type outsideRun struct {
	r   *Runner
	run *store.Run
	log zerolog.Logger
}

func (o *outsideRun) decide(ctx context.Context, d policy.Decision) {
	audit(o.log, d)
	if err := o.r.Store.RecordDecision(ctx, o.run.ID, d.Allow, d.Rule, d.Reason); err != nil {
		o.log.Error().Err(err).Msg("Could not store a policy decision")
	}
}

// policyOutsideRun loads a repository's policy for a decision taken
// outside a run.
func (r *Runner) policyOutsideRun(ctx context.Context, g files, repo jobs.Repo, issue int) (*outsideRun, policy.Policy, error) {
	latest, err := r.Store.LatestRun(ctx, repo.FullName(), issue)
	if err != nil {
		return nil, policy.Policy{}, err
	}
	if latest == nil {
		return nil, policy.Policy{}, errNoRun
	}
	pol, _, err := r.loadPolicy(ctx, g, repo, nil, false)
	return &outsideRun{r: r, run: latest, log: *zerolog.Ctx(ctx)}, pol, err
}
