package githubfake

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v89/github"
)

// legacyPermission maps a repository role to the coarse permission the
// permission endpoint reports beside it: maintain counts as write and
// triage as read.
var legacyPermission = map[string]string{
	"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read", "none": "none",
}

// roleOf is a login's role on a repository: the owner is admin, others
// have what SetPermission gave them, or read on public repositories.
func (r *repoState) roleOf(login string) string {
	if strings.EqualFold(login, r.owner) {
		return "admin"
	}
	if role := r.roles[strings.ToLower(login)]; role != "" {
		return role
	}
	if !r.private {
		return "read"
	}
	return "none"
}

// permissionResponse is GET .../collaborators/{username}/permission;
// go-github v60's type lacks role_name.
type permissionResponse struct {
	Permission string             `json:"permission"`
	RoleName   string             `json:"role_name"`
	User       permissionUserJSON `json:"user"`
}

type permissionUserJSON struct {
	*github.User
	Permissions map[string]bool `json:"permissions"`
	RoleName    string          `json:"role_name"`
}

func (s *Server) getPermission(c *call) reply {
	login := c.params["username"]
	u, ok := s.users[strings.ToLower(login)]
	if !ok || u.typ == "Organization" {
		return notFound()
	}
	role := c.repo.roleOf(u.login)
	rank := map[string]int{"none": 0, "read": 1, "triage": 2, "write": 3, "maintain": 4, "admin": 5}[role]
	return jsonReply(http.StatusOK, permissionResponse{
		Permission: legacyPermission[role],
		RoleName:   role,
		User: permissionUserJSON{
			User: s.userJSON(u.login),
			Permissions: map[string]bool{
				"admin": rank >= 5, "maintain": rank >= 4, "push": rank >= 3, "triage": rank >= 2, "pull": rank >= 1,
			},
			RoleName: role,
		},
	})
}

// AddTeamMember puts a user in an organization's team with role "member"
// or "maintainer", creating the team if needed.
func (s *Server) AddTeamMember(org, teamSlug, login, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if role != "member" && role != "maintainer" {
		panic(fmt.Sprintf("githubfake: unknown team role %q", role))
	}
	s.user(login)
	key := strings.ToLower(org + "/" + teamSlug)
	if s.teams[key] == nil {
		s.teams[key] = map[string]string{}
	}
	s.teams[key][strings.ToLower(login)] = role
}

// AddTeam creates an empty team.
func (s *Server) AddTeam(org, teamSlug string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(org + "/" + teamSlug)
	if s.teams[key] == nil {
		s.teams[key] = map[string]string{}
	}
}

func (s *Server) getTeamMembership(c *call) reply {
	team, ok := s.teams[strings.ToLower(c.params["org"]+"/"+c.params["team_slug"])]
	if !ok {
		return notFound()
	}
	role, ok := team[strings.ToLower(c.params["username"])]
	if !ok {
		return notFound()
	}
	return jsonReply(http.StatusOK, &github.Membership{
		URL:   ptr(s.apiURL("/orgs/%s/teams/%s/memberships/%s", c.params["org"], c.params["team_slug"], c.params["username"])),
		Role:  ptr(role),
		State: ptr("active"),
	})
}
