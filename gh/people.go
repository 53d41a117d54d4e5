package gh

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/lifeos/lifeos/policy"
)

// Role asks GitHub which role a user holds on the repository. role_name
// tells maintain from write and triage from read; a custom repository role
// comes back under its own name, so its base permission decides instead.
// A login that is not a user of the repository has the role "none".
func (r *Repo) Role(ctx context.Context, login string) (string, error) {
	lvl, _, err := r.gh.Repositories.GetPermissionLevel(ctx, r.owner, r.name, login)
	if status(err) == http.StatusNotFound {
		return "none", nil
	}
	if err != nil {
		return "", fmt.Errorf("get permission of %s on %s: %w", login, r, err)
	}
	return policy.RoleOf(lvl.GetRoleName(), lvl.GetPermission()), nil
}

// TeamsOf returns those of teams ("org/slug") that login is an active
// member of.
func (r *Repo) TeamsOf(ctx context.Context, teams []string, login string) ([]string, error) {
	var out []string
	for _, t := range teams {
		org, slug, ok := strings.Cut(t, "/")
		if !ok || org == "" || slug == "" {
			continue
		}
		m, _, err := r.gh.Teams.GetTeamMembershipBySlug(ctx, org, slug, login)
		if status(err) == http.StatusNotFound {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("team membership of %s in %s: %w", login, t, err)
		}
		if m.GetState() == "active" {
			out = append(out, t)
		}
	}
	return out, nil
}
