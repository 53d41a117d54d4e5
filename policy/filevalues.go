// Checks of the policy file's own values: globs, trigger labels, permissions, logins, teams and model names.

package policy

import (
	"regexp"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"
)

func (p *parser) globs(n *yaml.Node, key string) []string {
	return p.list(n, key, "glob patterns", "a glob pattern", p.glob)
}

// glob checks one item of a list of glob patterns.
func (p *parser) glob(key string, item *yaml.Node) (string, bool) {
	g := item.Value
	switch {
	case strings.TrimSpace(g) == "":
		p.add(item, key, "an empty pattern matches nothing")
	case strings.HasPrefix(g, "/"), strings.HasPrefix(g, "./"):
		p.add(item, key, "patterns are relative to the repository root: write %q", strings.TrimLeft(strings.TrimPrefix(g, "."), "/"))
	case !doublestar.ValidatePattern(g):
		p.add(item, key, "%q is not a valid glob (check brackets, braces and backslashes)", g)
	default:
		return g, true
	}
	return "", false
}

// loginPattern is GitHub's rule for logins: letters, digits and single
// hyphens, not at either end; apps end in [bot].
var loginPattern = regexp.MustCompile(`^[A-Za-z0-9]+(-[A-Za-z0-9]+)*(\[bot\])?$`)

// teamPattern is "org/team-slug".
var teamPattern = regexp.MustCompile(`^[A-Za-z0-9]+(-[A-Za-z0-9]+)*/[A-Za-z0-9_.-]+$`)

func (p *parser) trigger(n *yaml.Node, path string, t *TriggerFile) {
	p.object(n, path, []field{
		{"label", func(key string, v *yaml.Node) {
			s, ok := p.str(v, key, "a label name")
			switch {
			case !ok:
			case strings.TrimSpace(s) == "":
				p.add(v, key, "must not be empty")
			case len([]rune(s)) > MaxLabelLen:
				p.add(v, key, "GitHub labels have at most %d characters, this one has %d", MaxLabelLen, len([]rune(s)))
			default:
				t.Label = s
			}
		}},
		{"min_permission", func(key string, v *yaml.Node) {
			s, ok := p.str(v, key, "write, maintain or admin")
			if !ok {
				return
			}
			rank, known := roleRank[s]
			switch {
			case !known:
				p.add(v, key, "must be write, maintain or admin, got %q", s)
			case rank < roleRank[MinTriggerRole]:
				p.add(v, key, "cannot be %s: only people who can push (write, maintain or admin) may make LifeOS push", s)
			default:
				t.MinPermission = s
			}
		}},
		{"users", func(key string, v *yaml.Node) {
			t.Users = p.list(v, key, "GitHub logins", "a GitHub login", func(key string, item *yaml.Node) (string, bool) {
				s := strings.TrimPrefix(item.Value, "@")
				if len(s) > maxLoginLen+len("[bot]") || !loginPattern.MatchString(s) {
					p.add(item, key, "%q is not a GitHub login", item.Value)
					return "", false
				}
				return s, true
			})
		}},
		{"teams", func(key string, v *yaml.Node) {
			t.Teams = p.list(v, key, "teams written org/team-slug", "a team written org/team-slug", func(key string, item *yaml.Node) (string, bool) {
				s := strings.TrimPrefix(item.Value, "@")
				if !teamPattern.MatchString(s) {
					p.add(item, key, "%q is not a team; write it as org/team-slug", item.Value)
					return "", false
				}
				return s, true
			})
		}},
	})
}

func (p *parser) model(n *yaml.Node, key string) string {
	s, ok := p.str(n, key, "a model name")
	switch {
	case !ok:
	case strings.TrimSpace(s) == "" || strings.ContainsAny(s, " \t\r\n"):
		p.add(n, key, "%q is not a model name", s)
	default:
		return s
	}
	return ""
}
