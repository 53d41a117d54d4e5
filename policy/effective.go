// The server's ceilings and the effective Policy computed from a repository's file under them.

package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lifeos/lifeos/names"
)

// Server-wide defaults for the ceilings. A repository's policy can lower each
// of these but never raise it.
const (
	// DefaultMaxTurns is enough model turns for a read-edit-test loop on a
	// typical issue; a run that needs more is usually lost, not nearly done.
	DefaultMaxTurns = 40
	// DefaultMaxMinutes bounds a run's wall-clock time: a typical run takes
	// a few minutes; past twenty it is stuck or going in circles, and holds
	// a worker others wait for. It matches agent.DefaultMaxDuration.
	DefaultMaxMinutes = 20
	// DefaultMaxCostPerRun stops one runaway run from eating a month's budget.
	DefaultMaxCostPerRun = 5 * Dollar
	// DefaultMonthlyBudgetRepo keeps a single busy repository to a fifth of
	// the installation's budget.
	DefaultMonthlyBudgetRepo = 100 * Dollar
	// DefaultMonthlyBudgetInstallation is a hobbyist-to-small-team spend that
	// nobody is surprised by on a bill.
	DefaultMonthlyBudgetInstallation = 500 * Dollar
	// DefaultMaxAutonomy lets repositories choose plan-first but not
	// auto-merge or proposals: those let LifeOS act without a human on each
	// change, so the operator turns them on deliberately.
	DefaultMaxAutonomy = RungPlanFirst
	// DefaultModel is a strong, tool-calling coding model at a moderate price.
	DefaultModel = "gpt-4.1"
	// DefaultCheapModel is the same family at a fifth of the price, for the
	// end of a month when the budget is nearly spent.
	DefaultCheapModel = "gpt-4.1-mini"
	// DefaultMaxFiles is about as many files as a reviewer can hold in mind
	// in one pull request.
	DefaultMaxFiles = 30
	// DefaultMaxLines (added plus removed) is the size past which reviews get
	// noticeably worse; bigger work should be split into several issues.
	DefaultMaxLines = 1000
	// DefaultMaxBytes is the new content a run may write in all, 1 MiB:
	// about ten times what DefaultMaxLines of ordinary code weighs, so it
	// only stops what line counts miss, such as one enormous line.
	DefaultMaxBytes = 1 << 20
	// DefaultDeleteBranchAfterClose: LifeOS's branches are disposable, and
	// leaving one per issue clutters the repository.
	DefaultDeleteBranchAfterClose = true
)

// Ceilings are the server operator's limits. A zero number or amount means no
// limit; MaxAutonomy below RungTriggered counts as RungTriggered; an empty
// AllowedModels allows any model; an empty TriggerLabel or LabelNamespace
// means names.TriggerLabel or names.LabelNamespace.
type Ceilings struct {
	// TriggerLabel is the server's trigger label: the one a repository uses
	// when its policy names none.
	TriggerLabel string
	// LabelNamespace starts the other labels the server acts on, so the only
	// ones a repository's trigger.label may name.
	LabelNamespace string

	MaxTurns                  int
	MaxMinutes                int
	MaxCostPerRun             Money
	MonthlyBudgetRepo         Money
	MonthlyBudgetInstallation Money
	MaxAutonomy               int
	AllowedModels             []string
	DefaultModel              string
	DefaultCheapModel         string
	MaxFiles                  int
	MaxLines                  int
	MaxBytes                  int
}

// DefaultCeilings returns the ceilings a server uses unless its operator sets
// others.
func DefaultCeilings() Ceilings {
	return Ceilings{
		TriggerLabel:              names.TriggerLabel,
		LabelNamespace:            names.LabelNamespace,
		MaxTurns:                  DefaultMaxTurns,
		MaxMinutes:                DefaultMaxMinutes,
		MaxCostPerRun:             DefaultMaxCostPerRun,
		MonthlyBudgetRepo:         DefaultMonthlyBudgetRepo,
		MonthlyBudgetInstallation: DefaultMonthlyBudgetInstallation,
		MaxAutonomy:               DefaultMaxAutonomy,
		DefaultModel:              DefaultModel,
		DefaultCheapModel:         DefaultCheapModel,
		MaxFiles:                  DefaultMaxFiles,
		MaxLines:                  DefaultMaxLines,
		MaxBytes:                  DefaultMaxBytes,
	}
}

// triggerLabel is c's trigger label, the default when unset.
func (c Ceilings) triggerLabel() string { return or(c.TriggerLabel, names.TriggerLabel) }

// labelNamespace is c's label namespace, the default when unset.
func (c Ceilings) labelNamespace() string { return or(c.LabelNamespace, names.LabelNamespace) }

// Policy is what actually governs runs on one repository: the repository's
// file with defaults filled in and every value held to the server's
// ceilings. A zero limit or amount means unlimited.
type Policy struct {
	TriggerLabel  string
	MinPermission string   // write, maintain or admin
	Users         []string // if any, only these logins (or Teams) may trigger
	Teams         []string // "org/team-slug"

	Allow []string // if any, every changed path must match one
	Deny  []string // the repository's denies; BuiltinDenies always apply too
	// GitHubAllow names the paths under .github/ the agent may change; the
	// rest of .github/ is denied (GitHubDeny).
	GitHubAllow []string
	// Secret adds to the built-in secret paths: files the agent may neither
	// read nor change.
	Secret []string
	// EditInstructions lets the agent change the instruction files
	// (AGENTS.md and the like); InstructionsDeny applies otherwise.
	EditInstructions bool

	MaxFiles                  int
	MaxLines                  int // added plus removed
	MaxBytes                  int // the new content written, all files together
	MaxTurns                  int
	MaxMinutes                int // wall-clock minutes per run
	MaxCostPerRun             Money
	MonthlyBudget             Money // this repository's
	MonthlyBudgetInstallation Money // shared by every repository of the installation

	Model      string
	CheapModel string // used from BudgetDowngrade on

	Autonomy          int
	AutoMergePaths    []string
	AutoMergeMaxFiles int
	AutoMergeMaxLines int

	DeleteBranchAfterClose bool

	// MaxProposals is how many proposal issues one run may open.
	MaxProposals int
	// Schedules are the repository's schedules, as the file wrote them.
	Schedules []ScheduleFile
	// Recipe names the recipe a run works, and RecipeAllow its allowed
	// paths: every changed path must match one of them too (see
	// WithRecipe). Empty for a run that works no recipe.
	Recipe      string
	RecipeAllow []string
	// ReadOnly forbids every change: a recipe that only reads (scout).
	ReadOnly bool
}

// Effective computes the policy for a repository from its file (nil when it
// has none) and the server's ceilings. A repository may lower any ceiling but
// not raise it; each value that was lowered or replaced is reported as a
// Decision with Allow false, whose Reason says what was asked and what
// applies instead.
func Effective(f *File, c Ceilings) (Policy, []Decision) {
	if f == nil {
		f = &File{}
	}
	var ds []Decision
	p := Policy{
		TriggerLabel:              or(f.Trigger.Label, c.triggerLabel()),
		MinPermission:             or(f.Trigger.MinPermission, MinTriggerRole),
		Users:                     slices.Clone(f.Trigger.Users),
		Teams:                     slices.Clone(f.Trigger.Teams),
		Allow:                     slices.Clone(f.Paths.Allow),
		Deny:                      slices.Clone(f.Paths.Deny),
		GitHubAllow:               slices.Clone(f.Paths.GitHubAllow),
		Secret:                    slices.Clone(f.Paths.Secret),
		EditInstructions:          f.Paths.EditInstructions,
		MaxFiles:                  clampInt(&ds, "limits.max_files", f.Limits.MaxFiles, c.MaxFiles, ""),
		MaxLines:                  clampInt(&ds, "limits.max_lines", f.Limits.MaxLines, c.MaxLines, ""),
		MaxBytes:                  clampInt(&ds, "limits.max_bytes", f.Limits.MaxBytes, c.MaxBytes, ""),
		MaxTurns:                  clampInt(&ds, "limits.max_turns", f.Limits.MaxTurns, c.MaxTurns, ""),
		MaxMinutes:                clampInt(&ds, "limits.max_minutes", f.Limits.MaxMinutes, c.MaxMinutes, ""),
		MaxCostPerRun:             clampMoney(&ds, "limits.max_cost_per_run", f.Limits.MaxCostPerRun, c.MaxCostPerRun),
		MonthlyBudget:             clampMoney(&ds, "limits.monthly_budget", f.Limits.MonthlyBudget, c.MonthlyBudgetRepo),
		MonthlyBudgetInstallation: c.MonthlyBudgetInstallation,
		AutoMergePaths:            slices.Clone(f.AutoMerge.Paths),
		DeleteBranchAfterClose:    DefaultDeleteBranchAfterClose,
		MaxProposals:              or(f.Proposals.Max, DefaultMaxProposals),
		Schedules:                 slices.Clone(f.Schedules),
	}
	if f.Branch.DeleteAfterClose != nil {
		p.DeleteBranchAfterClose = *f.Branch.DeleteAfterClose
	}

	p.Model = pickModel(&ds, "model", f.Model, c.DefaultModel, c.AllowedModels)
	p.CheapModel = pickModel(&ds, "cheap_model", f.CheapModel, or(c.DefaultCheapModel, p.Model), c.AllowedModels)

	maxRung := max(c.MaxAutonomy, RungTriggered)
	p.Autonomy = or(f.Autonomy, RungTriggered)
	if p.Autonomy > maxRung {
		ds = append(ds, Decision{Rule: "autonomy", Reason: fmt.Sprintf("repo asked for rung %d, the server allows at most rung %d", p.Autonomy, maxRung)})
		p.Autonomy = maxRung
	}

	// The auto-merge bounds sit inside the general limits; unset, they are
	// the general limits.
	p.AutoMergeMaxFiles = clampInt(&ds, "auto_merge.max_files", f.AutoMerge.MaxFiles, p.MaxFiles, "limits.max_files")
	p.AutoMergeMaxLines = clampInt(&ds, "auto_merge.max_lines", f.AutoMerge.MaxLines, p.MaxLines, "limits.max_lines")
	am := f.AutoMerge
	if (len(am.Paths) > 0 || am.MaxFiles > 0 || am.MaxLines > 0) && p.Autonomy < RungAutoMerge {
		ds = append(ds, Decision{Rule: "auto_merge", Reason: fmt.Sprintf("auto_merge is set but autonomy is rung %d; nothing merges automatically below rung %d", p.Autonomy, RungAutoMerge)})
	}
	return p, ds
}

func or[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

// clampInt returns asked held to ceiling (0 = no ceiling), or ceiling when
// nothing was asked. what names the ceiling in the reason; empty means the
// server's.
func clampInt(ds *[]Decision, rule string, asked, ceiling int, what string) int {
	if asked == 0 {
		return ceiling
	}
	if ceiling > 0 && asked > ceiling {
		reason := fmt.Sprintf("repo asked for %d, the server allows at most %d", asked, ceiling)
		if what != "" {
			reason = fmt.Sprintf("repo asked for %d, more than %s; using %d", asked, what, ceiling)
		}
		*ds = append(*ds, Decision{Rule: rule, Reason: reason})
		return ceiling
	}
	return asked
}

func clampMoney(ds *[]Decision, rule string, asked, ceiling Money) Money {
	if asked == 0 {
		return ceiling
	}
	if ceiling > 0 && asked > ceiling {
		*ds = append(*ds, Decision{Rule: rule, Reason: fmt.Sprintf("repo asked for %s, the server allows at most %s", asked, ceiling)})
		return ceiling
	}
	return asked
}

func pickModel(ds *[]Decision, rule, asked, fallback string, allowed []string) string {
	if asked == "" || ModelAllowed(asked, allowed) {
		return or(asked, fallback)
	}
	*ds = append(*ds, Decision{Rule: rule, Reason: fmt.Sprintf("repo asked for %s, which the server does not allow (allowed: %s); using %s", asked, strings.Join(allowed, ", "), fallback)})
	return fallback
}

// ModelAllowed reports whether model is on the allowed list, comparing base
// names (see NormalizeModel) so a dated snapshot of an allowed model is
// allowed. An empty list allows every model.
func ModelAllowed(model string, allowed []string) bool {
	if len(allowed) == 0 {
		return true
	}
	base := NormalizeModel(model)
	for _, a := range allowed {
		if a == model || NormalizeModel(a) == base {
			return true
		}
	}
	return false
}

// MayDowngrade reports whether runs under p can switch to the cheap model:
// it differs from the model and a monthly budget is set that could reach
// BudgetDowngrade.
func (p Policy) MayDowngrade() bool {
	return p.CheapModel != "" && p.CheapModel != p.Model && (p.MonthlyBudget > 0 || p.MonthlyBudgetInstallation > 0)
}

// rung is p's autonomy, treating an unset one as the lowest.
func (p Policy) rung() int {
	return max(p.Autonomy, RungTriggered)
}

// NeedsPlanApproval reports whether runs must post a plan and wait for
// "/lifeos approve" before writing code (rung 2).
func NeedsPlanApproval(p Policy) bool {
	return p.rung() == RungPlanFirst
}

// MayPropose reports whether LifeOS may open issues proposing work on its own
// (rung 4).
func MayPropose(p Policy) bool {
	return p.rung() >= RungPropose
}

// CanTriggerWith decides whether a user may start a run under p: CanTrigger's
// write-access bar, then the policy's min_permission (which can only raise
// it), then the users/teams allowlist if there is one. teams are the user's
// team slugs, "org/slug".
func CanTriggerWith(p Policy, login, role string, teams []string) Decision {
	d := CanTrigger(login, role)
	if !d.Allow {
		return d
	}
	need := p.MinPermission
	if roleRank[need] < roleRank[MinTriggerRole] {
		need = MinTriggerRole // unset or unknown never lowers the bar
	}
	if roleRank[role] < roleRank[need] {
		return Decision{Rule: "trigger.min_permission", Reason: fmt.Sprintf("@%s has %s access; this repository's policy requires %s or higher", login, role, need)}
	}
	if len(p.Users) == 0 && len(p.Teams) == 0 {
		return Decision{Allow: true, Rule: "trigger.min_permission", Reason: fmt.Sprintf("@%s has %s access (the policy requires %s)", login, role, need)}
	}
	for _, u := range p.Users {
		if strings.EqualFold(strings.TrimPrefix(u, "@"), strings.TrimPrefix(login, "@")) {
			return Decision{Allow: true, Rule: "trigger.users", Reason: fmt.Sprintf("@%s has %s access and is listed in trigger.users", login, role)}
		}
	}
	for _, want := range p.Teams {
		for _, have := range teams {
			if strings.EqualFold(strings.TrimPrefix(want, "@"), strings.TrimPrefix(have, "@")) {
				return Decision{Allow: true, Rule: "trigger.teams", Reason: fmt.Sprintf("@%s has %s access and is in %s", login, role, want)}
			}
		}
	}
	return Decision{Rule: "trigger.allowlist", Reason: fmt.Sprintf("@%s has %s access but is not in trigger.users or in a team of trigger.teams", login, role)}
}
