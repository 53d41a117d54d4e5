package githubfake

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v89/github"
)

// ptr returns a pointer to v, for go-github's optional fields.
func ptr[T any](v T) *T { return &v }

// ts wraps a time for go-github.
func ts(t time.Time) *github.Timestamp { return &github.Timestamp{Time: t} }

// tsp wraps an optional time.
func tsp(t *time.Time) *github.Timestamp {
	if t == nil {
		return nil
	}
	return ts(*t)
}

// nodeID makes a GraphQL-style global id in GitHub's legacy format.
func nodeID(typ string, id int64) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%03d:%s%d", len(typ), typ, id)))
}

// userJSON renders an account, creating it as a "User" if unknown.
func (s *Server) userJSON(login string) *github.User {
	u := s.user(login)
	api := func(tail string) *string { return ptr(s.apiURL("/users/%s%s", u.login, tail)) }
	// Every property of GitHub's simple-user, which its description marks
	// required.
	return &github.User{
		Login:             ptr(u.login),
		ID:                ptr(u.id),
		NodeID:            ptr(nodeID(u.typ, u.id)),
		AvatarURL:         ptr(fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", u.id)),
		GravatarID:        ptr(""),
		HTMLURL:           ptr(htmlURL("/%s", strings.TrimSuffix(u.login, "[bot]"))),
		URL:               api(""),
		EventsURL:         api("/events{/privacy}"),
		FollowersURL:      api("/followers"),
		FollowingURL:      api("/following{/other_user}"),
		GistsURL:          api("/gists{/gist_id}"),
		OrganizationsURL:  api("/orgs"),
		ReceivedEventsURL: api("/received_events"),
		ReposURL:          api("/repos"),
		StarredURL:        api("/starred{/owner}{/repo}"),
		SubscriptionsURL:  api("/subscriptions"),
		Type:              ptr(u.typ),
		SiteAdmin:         ptr(false),
	}
}

// repoJSON renders a repository.
func (s *Server) repoJSON(r *repoState) *github.Repository {
	visibility := "public"
	if r.private {
		visibility = "private"
	}
	return &github.Repository{
		ID:               ptr(r.id),
		NodeID:           ptr(nodeID("Repository", r.id)),
		Owner:            s.userJSON(r.owner),
		Name:             ptr(r.name),
		FullName:         ptr(r.fullName()),
		Private:          ptr(r.private),
		Visibility:       ptr(visibility),
		Fork:             ptr(false),
		Archived:         ptr(false),
		Disabled:         ptr(false),
		DefaultBranch:    ptr(r.defaultBranch),
		HTMLURL:          ptr(htmlURL("/%s", r.fullName())),
		URL:              ptr(s.apiURL("/repos/%s", r.fullName())),
		CloneURL:         ptr(htmlURL("/%s.git", r.fullName())),
		GitURL:           ptr(fmt.Sprintf("git://github.com/%s.git", r.fullName())),
		SSHURL:           ptr(fmt.Sprintf("git@github.com:%s.git", r.fullName())),
		CreatedAt:        ts(r.createdAt),
		UpdatedAt:        ts(r.pushedAt),
		PushedAt:         ts(r.pushedAt),
		AllowMergeCommit: ptr(true),
		AllowSquashMerge: ptr(true),
		AllowRebaseMerge: ptr(true),
		HasIssues:        ptr(true),
	}
}
