// Package policy decides what LifeOS may do: who may trigger a run, and (as
// the policy grows) which changes, how much and how autonomously. Its
// functions are pure: they take facts and return a Decision that carries its
// reason, so every decision can be shown to people and stored with the run.
package policy

import (
	"fmt"
	"strings"
)

// RuleTriggerNamespace is the rule of LabelDecision.
const RuleTriggerNamespace = "trigger.namespace"

// Decision is the outcome of one policy rule.
type Decision struct {
	Allow  bool   `json:"allow"`
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// Roles a user can hold on a repository, as GitHub's collaborator-permission
// endpoint names them in role_name, from least to most.
var roleRank = map[string]int{
	"none":     0,
	"read":     1,
	"triage":   2,
	"write":    3,
	"maintain": 4,
	"admin":    5,
}

// MinTriggerRole is the least role that may start a run: write access. Triage
// users can add labels but cannot push, so they must not make the App push.
const MinTriggerRole = "write"

// CanTrigger decides whether a user holding role (GitHub's role_name; the
// legacy "permission" value works too) may start a run.
func CanTrigger(login, role string) Decision {
	const rule = "trigger.permission"
	rank, known := roleRank[role]
	if !known {
		return Decision{Rule: rule, Reason: fmt.Sprintf("@%s has an unknown role %q on this repository; write access is required", login, role)}
	}
	if rank < roleRank[MinTriggerRole] {
		return Decision{Rule: rule, Reason: fmt.Sprintf("@%s has %s access; starting LifeOS needs write, maintain or admin", login, role)}
	}
	return Decision{Allow: true, Rule: rule, Reason: fmt.Sprintf("@%s has %s access", login, role)}
}

// IsTrusted reports whether a user's words may steer the agent: the same bar
// as triggering, so a comment from a read-only user never reaches the prompt.
func IsTrusted(role string) bool {
	return roleRank[role] >= roleRank[MinTriggerRole]
}

// RoleOf names a user's role from GitHub's permission answer: role_name
// when it is one of GitHub's built-in roles, else (a custom repository
// role, or none given) the base permission the role is built on.
func RoleOf(roleName, permission string) string {
	if _, ok := roleRank[roleName]; ok {
		return roleName
	}
	if permission == "" {
		return "none"
	}
	return permission
}

// LabelDecision decides whether label, a repository's trigger label, can
// ever start a run on a server with ceilings c. The server acts only on its
// own trigger label and on labels in its namespace, so any other label is
// dropped when GitHub delivers it: a policy naming one would make LifeOS
// silently unusable, and is refused instead.
func LabelDecision(label string, c Ceilings) Decision {
	server, ns := c.triggerLabel(), c.labelNamespace()
	switch {
	case label == server:
		return Decision{Allow: true, Rule: RuleTriggerNamespace, Reason: fmt.Sprintf("%q is the server's trigger label", label)}
	case strings.HasPrefix(label, ns):
		return Decision{Allow: true, Rule: RuleTriggerNamespace, Reason: fmt.Sprintf("%q is in the server's label namespace %q", label, ns)}
	}
	fix := fmt.Sprintf("use a label starting with %q or remove trigger.label", ns)
	if suggestion := ns + label; len([]rune(suggestion)) <= MaxLabelLen {
		fix = fmt.Sprintf("use a label starting with %q (such as %q) or remove trigger.label", ns, suggestion)
	}
	return Decision{Rule: RuleTriggerNamespace, Reason: fmt.Sprintf(
		"%q can never start a run: this server acts only on its trigger label %q and on labels starting with %q, and ignores every other label; %s",
		label, server, ns, fix)}
}
