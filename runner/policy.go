package runner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/go-github/v89/github"
	"github.com/palantir/go-githubapp/appconfig"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/policy"
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

// policyLoaders read policy files with go-githubapp's appconfig loader and
// remember owners' defaults.
type policyLoaders struct {
	// repo reads the repository's own file.
	repo *appconfig.Loader
	// org reads the owner's default, for repositories with no file.
	org *appconfig.Loader

	mu    sync.Mutex
	cache map[string]orgPolicy // by owner
}

type orgPolicy struct {
	content []byte // nil: the owner has no default
	source  string
	at      time.Time
}

func newPolicyLoaders() *policyLoaders {
	return &policyLoaders{
		repo:  appconfig.NewLoader([]string{policy.FilePath}, appconfig.WithOwnerDefault("", nil)),
		org:   appconfig.NewLoader(nil, appconfig.WithOwnerDefault(orgDefaultRepo, []string{orgDefaultPath})),
		cache: map[string]orgPolicy{},
	}
}

// orgDefault returns the owner's default policy file, or nil.
func (l *policyLoaders) orgDefault(ctx context.Context, gh *github.Client, owner string) ([]byte, string, error) {
	l.mu.Lock()
	c, ok := l.cache[owner]
	l.mu.Unlock()
	if ok && time.Since(c.at) < orgPolicyTTL {
		return c.content, c.source, nil
	}
	cfg, err := l.org.LoadConfig(ctx, gh, owner, orgDefaultRepo, "")
	if err != nil {
		return nil, "", fmt.Errorf("load the default policy of %s (%s %s): %w", owner, cfg.Source, cfg.Path, err)
	}
	c = orgPolicy{at: time.Now()}
	if !cfg.IsUndefined() {
		c.content, c.source = cfg.Content, cfg.Source+":"+cfg.Path
	}
	l.mu.Lock()
	l.cache[owner] = c
	l.mu.Unlock()
	return c.content, c.source, nil
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
// cost; otherwise the appconfig loader asks GitHub. A repository without a
// file takes its owner's default (lifeos.yml in the owner's .github repo),
// and with neither the safe defaults apply.
func (w *work) loadPolicy(ctx context.Context, snap *workspace.Snapshot, snapIsDefault bool) (policy.Policy, []policy.Decision, error) {
	var data []byte
	source := fmt.Sprintf("%s@%s:%s", w.req.repo, w.req.defaultBranch, policy.FilePath)
	if snapIsDefault {
		data, _ = snap.File(policy.FilePath)
	} else {
		c, err := w.loaders.repo.LoadConfig(ctx, w.gh, w.req.repo.Owner, w.req.repo.Name, w.req.defaultBranch)
		if err != nil {
			return policy.Policy{}, nil, fmt.Errorf("load policy of %s: %w", w.req.repo, err)
		}
		data = c.Content
	}
	if data == nil {
		content, orgSource, err := w.loaders.orgDefault(ctx, w.gh, w.req.repo.Owner)
		if err != nil {
			return policy.Policy{}, nil, err
		}
		data, source = content, orgSource
	}
	f, err := policy.ParseFile(data)
	if err != nil {
		return policy.Policy{}, nil, &brokenPolicy{source: source, err: err}
	}
	p, ds := policy.Effective(f, w.Ceilings)
	return p, ds, nil
}

// decide logs a decision with the audit key and stores it with the run.
func (w *work) decide(ctx context.Context, d policy.Decision) {
	audit(w.log, d)
	if err := w.Store.RecordDecision(ctx, w.run.ID, d.Allow, d.Rule, d.Reason); err != nil {
		w.log.Error().Err(err).Msg("Could not store a policy decision")
	}
}

// teamsOf returns those of the policy's allowlisted teams ("org/slug") that
// login is an active member of.
func teamsOf(ctx context.Context, gh *github.Client, teams []string, login string) ([]string, error) {
	var out []string
	for _, t := range teams {
		org, slug, ok := cutTeam(t)
		if !ok {
			continue
		}
		m, resp, err := gh.Teams.GetTeamMembershipBySlug(ctx, org, slug, login)
		if err != nil {
			if resp != nil && resp.StatusCode == http.StatusNotFound {
				continue
			}
			return nil, fmt.Errorf("team membership of %s in %s: %w", login, t, err)
		}
		if m.GetState() == "active" {
			out = append(out, t)
		}
	}
	return out, nil
}

func cutTeam(t string) (org, slug string, ok bool) {
	for i := 0; i < len(t); i++ {
		if t[i] == '/' {
			return t[:i], t[i+1:], i > 0 && i < len(t)-1
		}
	}
	return "", "", false
}

// changeStats measures a change set against the snapshot it was made on.
func changeStats(snap *workspace.Snapshot, changes []workspace.Change) []policy.ChangeStat {
	out := make([]policy.ChangeStat, 0, len(changes))
	for _, c := range changes {
		old, _ := snap.File(c.Path)
		st := policy.ChangeStat{Path: c.Path, Delete: c.Delete}
		if c.Delete {
			_, st.Removed = policy.CountLines(old, nil)
		} else {
			st.Added, st.Removed = policy.CountLines(old, c.Content)
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
		return oneLine(err.Error())
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

// policyOutsideRun loads a repository's policy for a decision taken outside
// a run (a merge, a branch deletion); the decisions it leads to are stored
// with the issue's latest run.
func (r *Runner) policyOutsideRun(ctx context.Context, gh *github.Client, repo repoRef, defaultBranch string, issue int) (*work, policy.Policy, error) {
	latest, err := r.Store.LatestRun(ctx, repo.String(), issue)
	if err != nil {
		return nil, policy.Policy{}, err
	}
	if latest == nil {
		return nil, policy.Policy{}, errNoRun
	}
	w := &work{Runner: r, gh: gh, run: latest, log: *zerolog.Ctx(ctx), loaders: r.policyLoaders(),
		req: &request{repo: repo, defaultBranch: defaultBranch, issueNumber: issue}}
	pol, _, err := w.loadPolicy(ctx, nil, false)
	return w, pol, err
}
