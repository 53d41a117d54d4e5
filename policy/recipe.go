// A recipe's bounds (its allowed paths and limits) applied to a run's policy.

package policy

import "fmt"

// RecipeBounds are what a recipe's front matter asks of a run: the paths
// it may change (none listed: any the policy allows), whether it may change
// nothing at all, and limits that may lower the policy's (0: the policy's).
type RecipeBounds struct {
	Name     string
	Allow    []string
	ReadOnly bool
	MaxFiles int
	MaxLines int
	MaxTurns int
}

// WithRecipe narrows a run's policy to a recipe's bounds. A recipe can
// only narrow: its paths are checked on top of paths.allow and the denies,
// and a limit above the policy's is ignored, with a decision saying so.
func WithRecipe(p Policy, b RecipeBounds) (Policy, []Decision) {
	var ds []Decision
	p.Recipe, p.RecipeAllow, p.ReadOnly = b.Name, append([]string(nil), b.Allow...), b.ReadOnly
	lower := func(rule string, asked int, limit *int) {
		switch {
		case asked <= 0:
		case *limit > 0 && asked > *limit:
			ds = append(ds, Decision{Rule: "recipe." + rule, Reason: fmt.Sprintf("recipe %s asked for %s %d, the policy allows %d", b.Name, rule, asked, *limit)})
		default:
			*limit = asked
		}
	}
	lower("max_files", b.MaxFiles, &p.MaxFiles)
	lower("max_lines", b.MaxLines, &p.MaxLines)
	lower("max_turns", b.MaxTurns, &p.MaxTurns)
	ds = append(ds, Decision{Allow: true, Rule: "recipe", Reason: fmt.Sprintf("the run works recipe %s", b.Name)})
	return p, ds
}

// recipeViolation is a change outside the run's recipe's allowed paths, or
// any change at all by a read-only recipe.
func recipeViolation(p Policy, clean, verb string) (Violation, bool) {
	switch {
	case p.Recipe == "":
	case p.ReadOnly:
		return Violation{Rule: "recipe.read_only", Path: clean, Reason: fmt.Sprintf("recipe %s only reads; `%s` may not be %s", p.Recipe, clean, verb)}, true
	case len(p.RecipeAllow) > 0 && !matchAny(p.RecipeAllow, clean):
		return Violation{Rule: "recipe.paths", Path: clean, Reason: fmt.Sprintf("`%s` is outside recipe %s's allowed paths (%s) and may not be %s", clean, p.Recipe, quoteList(p.RecipeAllow), verb)}, true
	}
	return Violation{}, false
}
