// The effective policy rendered as YAML in the policy file's own format.

package policy

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// String renders the policy as YAML; see YAML.
func (p Policy) String() string { return p.YAML() }

// YAML renders the effective policy in the policy file's own format, with
// comments for what the values mean (built-in denies, unlimited values), for
// "lifeos policy check".
func (p Policy) YAML() string {
	str := func(v, comment string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, LineComment: comment}
	}
	integer := func(v int, comment string) *yaml.Node {
		if v <= 0 {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null", LineComment: "no limit"}
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(v), LineComment: comment}
	}
	money := func(v Money, comment string) *yaml.Node {
		if v <= 0 {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null", LineComment: "no limit"}
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: v.Decimal(), LineComment: comment}
	}
	list := func(items []string, emptyComment string) *yaml.Node {
		n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, s := range items {
			n.Content = append(n.Content, str(s, ""))
		}
		if len(items) == 0 {
			n.LineComment = emptyComment
		}
		return n
	}
	mapping := func(kv ...any) *yaml.Node {
		n := &yaml.Node{Kind: yaml.MappingNode}
		for i := 0; i < len(kv); i += 2 {
			n.Content = append(n.Content, str(kv[i].(string), ""), kv[i+1].(*yaml.Node))
		}
		return n
	}

	deny := &yaml.Node{Kind: yaml.SequenceNode}
	for _, b := range BuiltinDenies() {
		deny.Content = append(deny.Content, str(b.Pattern, "built-in: "+b.Why))
	}
	for _, d := range p.Deny {
		deny.Content = append(deny.Content, str(d, ""))
	}
	var installation string
	if p.MonthlyBudgetInstallation > 0 {
		installation = fmt.Sprintf("per repository; the installation's budget is %s", p.MonthlyBudgetInstallation)
	}
	autonomy := []string{RungTriggered: "a human merges", RungPlanFirst: "plan first, code after /lifeos approve", RungAutoMerge: "auto-merges inside auto_merge", RungPropose: "auto-merges and may propose issues"}
	rung := p.rung()
	rungComment := ""
	if rung < len(autonomy) {
		rungComment = autonomy[rung]
	}

	doc := mapping(
		"version", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(FileVersion)},
		"trigger", mapping(
			"label", str(p.TriggerLabel, ""),
			"min_permission", str(or(p.MinPermission, MinTriggerRole), ""),
			"users", list(p.Users, "no allowlist: anyone with min_permission"),
			"teams", list(p.Teams, ""),
		),
		"paths", mapping(
			"allow", list(p.Allow, "any path that is not denied"),
			"deny", deny,
			"github_allow", list(p.GitHubAllow, "the rest of .github/ is denied"),
			"secret", list(p.Secret, "on top of the built-in secret paths (.env, keys, credentials)"),
			"edit_instructions", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(p.EditInstructions), LineComment: "AGENTS.md, .github/copilot-instructions.md, CLAUDE.md"},
		),
		"limits", mapping(
			"max_files", integer(p.MaxFiles, ""),
			"max_lines", integer(p.MaxLines, "added + removed"),
			"max_bytes", integer(p.MaxBytes, "new content written, all files together"),
			"max_turns", integer(p.MaxTurns, ""),
			"max_minutes", integer(p.MaxMinutes, "wall-clock minutes per run"),
			"max_cost_per_run", money(p.MaxCostPerRun, "USD"),
			"monthly_budget", money(p.MonthlyBudget, strings.TrimSpace("USD "+installation)),
		),
		"model", str(p.Model, ""),
		"cheap_model", str(p.CheapModel, "from 80% of the monthly budget"),
		"autonomy", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(rung), LineComment: rungComment},
		"auto_merge", mapping(
			"paths", list(p.AutoMergePaths, "nothing merges automatically"),
			"max_files", integer(p.AutoMergeMaxFiles, ""),
			"max_lines", integer(p.AutoMergeMaxLines, ""),
		),
		"branch", mapping(
			"delete_after_close", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(p.DeleteBranchAfterClose)},
		),
	)
	p.renderSchedules(doc)
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		// Encoding a tree built above from plain strings cannot fail; if it
		// ever does, say so instead of printing half a policy.
		return fmt.Sprintf("# cannot render policy: %v\n", err)
	}
	_ = enc.Close()
	return b.String()
}

// renderSchedules adds to doc the proposals section at rung 4 and the
// schedules, if there are any (older policies render as they did).
func (p Policy) renderSchedules(doc *yaml.Node) {
	scalar := func(tag, v, comment string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v, LineComment: comment}
	}
	mapping := func(kv ...*yaml.Node) *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Content: kv} }
	if p.rung() >= RungPropose {
		doc.Content = append(doc.Content, scalar("!!str", "proposals", ""),
			mapping(scalar("!!str", "max", ""), scalar("!!int", strconv.Itoa(p.MaxProposals), "issues one run may open")))
	}
	if len(p.Schedules) == 0 {
		return
	}
	scheds := &yaml.Node{Kind: yaml.SequenceNode}
	for _, s := range p.Schedules {
		cron := scalar("!!str", s.Cron, or(s.Timezone, "UTC"))
		cron.Style = yaml.DoubleQuotedStyle
		what, value := "recipe", s.Recipe
		if value == "" {
			what, value = "task", s.Task
		}
		scheds.Content = append(scheds.Content, mapping(
			scalar("!!str", "name", ""), scalar("!!str", s.Name, "branch lifeos/schedule-"+s.Name),
			scalar("!!str", "cron", ""), cron,
			scalar("!!str", what, ""), scalar("!!str", value, "")))
	}
	doc.Content = append(doc.Content, scalar("!!str", "schedules", ""), scheds)
}
