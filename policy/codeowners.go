// CODEOWNERS: who owns the files a change touches.

package policy

import (
	"strings"
)

// CodeOwnersPaths are where GitHub reads a CODEOWNERS file, in the order
// it looks.
var CodeOwnersPaths = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}

// CodeOwners returns the owners of the changed paths by a CODEOWNERS
// file's rules (the last matching rule of a path wins, as on GitHub):
// users as logins, teams as "org/team" slugs, each once, in the order
// first met. Email owners are left out: a review cannot be requested
// from an address.
func CodeOwners(data []byte, paths []string) (users, teams []string) {
	type rule struct {
		pattern string
		owners  []string
	}
	var rules []rule
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		rules = append(rules, rule{f[0], f[1:]})
	}
	seen := map[string]bool{}
	for _, p := range paths {
		var owners []string
		for _, r := range rules {
			if ownerMatch(r.pattern, p) {
				owners = r.owners
			}
		}
		for _, o := range owners {
			if !strings.HasPrefix(o, "@") || seen[o] {
				continue
			}
			seen[o] = true
			if name := o[1:]; strings.Contains(name, "/") {
				teams = append(teams, name)
			} else {
				users = append(users, name)
			}
		}
	}
	return users, teams
}

// ownerMatch matches a CODEOWNERS pattern as gitignore does: a pattern
// with a slash other than at its end is anchored at the root, one without
// matches at any depth, and a directory pattern covers what is under it.
func ownerMatch(pattern, p string) bool {
	dir := strings.HasSuffix(pattern, "/")
	pattern = strings.TrimSuffix(pattern, "/")
	anchored := strings.Contains(pattern, "/")
	pattern = strings.TrimPrefix(pattern, "/")
	if pattern == "*" && !dir {
		return true
	}
	if !anchored {
		pattern = "**/" + pattern
	}
	return match(pattern, p) || match(pattern+"/**", p)
}
