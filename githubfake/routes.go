package githubfake

// routeTable maps every served operation, keyed exactly as the embedded
// description spells it, to its handler, credential and permissions.
// internal/specgen's operation list must name the same operations; a test
// checks that.
func (s *Server) routeTable() map[string]route {
	inst := func(fn func(*call) reply, perms ...string) route {
		return route{auth: authInstallation, perms: perms, fn: fn}
	}
	jwtAuth := func(fn func(*call) reply) route { return route{auth: authJWT, fn: fn} }
	const (
		meta         = "metadata:read"
		contentsR    = "contents:read"
		contentsW    = "contents:write"
		issuesR      = "issues:read"
		issuesW      = "issues:write"
		pullsR       = "pull_requests:read"
		pullsW       = "pull_requests:write"
		checksR      = "checks:read"
		checksW      = "checks:write"
		actionsR     = "actions:read"
		statusesR    = "statuses:read"
		statusesW    = "statuses:write"
		adminR       = "administration:read"
		orgMembersR  = "members:read"
		repoPrefix   = "/repos/{owner}/{repo}"
		issuePrefix  = repoPrefix + "/issues"
		pullPrefix   = repoPrefix + "/pulls"
		gitPrefix    = repoPrefix + "/git"
		checksPrefix = repoPrefix + "/check-runs"
	)
	return map[string]route{
		"GET /app": jwtAuth(s.getApp),
		"GET /app/installations/{installation_id}":                jwtAuth(s.getInstallation),
		"POST /app/installations/{installation_id}/access_tokens": jwtAuth(s.createAccessToken),
		"GET " + repoPrefix + "/installation":                     jwtAuth(s.getRepoInstallation),

		"GET " + repoPrefix:                                          {auth: authInstallationOrUser, perms: []string{meta}, fn: s.getRepo},
		"GET " + repoPrefix + "/branches/{branch}":                   inst(s.getBranch, contentsR),
		"GET " + repoPrefix + "/commits/{ref}":                       inst(s.getCommit, contentsR),
		"GET " + repoPrefix + "/compare/{basehead}":                  inst(s.compareCommits, contentsR),
		"GET " + repoPrefix + "/contents/{path}":                     inst(s.getContents, contentsR),
		"GET " + repoPrefix + "/tarball/{ref}":                       inst(s.getTarball, contentsR),
		"GET " + repoPrefix + "/collaborators/{username}/permission": inst(s.getPermission, meta),

		"GET " + repoPrefix + "/commits/{ref}/status":                                inst(s.getCombinedStatus, statusesR),
		"POST " + repoPrefix + "/statuses/{sha}":                                     inst(s.createStatus, statusesW),
		"GET " + repoPrefix + "/branches/{branch}/protection/required_status_checks": inst(s.getRequiredStatusChecks, adminR),

		"GET " + gitPrefix + "/ref/{ref}":            inst(s.getRef, contentsR),
		"POST " + gitPrefix + "/refs":                inst(s.createRef, contentsW),
		"PATCH " + gitPrefix + "/refs/{ref}":         inst(s.updateRef, contentsW),
		"DELETE " + gitPrefix + "/refs/{ref}":        inst(s.deleteRef, contentsW),
		"POST " + gitPrefix + "/blobs":               inst(s.createBlob, contentsW),
		"GET " + gitPrefix + "/blobs/{file_sha}":     inst(s.getBlob, contentsR),
		"POST " + gitPrefix + "/trees":               inst(s.createTree, contentsW),
		"GET " + gitPrefix + "/trees/{tree_sha}":     inst(s.getTree, contentsR),
		"POST " + gitPrefix + "/commits":             inst(s.createCommit, contentsW),
		"GET " + gitPrefix + "/commits/{commit_sha}": inst(s.getGitCommit, contentsR),

		"POST " + issuePrefix:                                      inst(s.createIssue, issuesW),
		"GET " + issuePrefix + "/{issue_number}":                   inst(s.getIssue, issuesR, pullsR),
		"PATCH " + issuePrefix + "/{issue_number}":                 inst(s.updateIssue, issuesW, pullsW),
		"GET " + issuePrefix + "/{issue_number}/comments":          inst(s.listComments, issuesR, pullsR),
		"POST " + issuePrefix + "/{issue_number}/comments":         inst(s.createComment, issuesW, pullsW),
		"GET " + issuePrefix + "/comments/{comment_id}":            inst(s.getComment, issuesR, pullsR),
		"PATCH " + issuePrefix + "/comments/{comment_id}":          inst(s.updateComment, issuesW, pullsW),
		"POST " + issuePrefix + "/{issue_number}/labels":           inst(s.addIssueLabels, issuesW, pullsW),
		"DELETE " + issuePrefix + "/{issue_number}/labels/{name}":  inst(s.removeIssueLabel, issuesW, pullsW),
		"POST " + issuePrefix + "/comments/{comment_id}/reactions": inst(s.reactToComment, issuesW, pullsW),
		"POST " + issuePrefix + "/{issue_number}/reactions":        inst(s.reactToIssue, issuesW, pullsW),

		"GET " + pullPrefix:                                                 inst(s.listPulls, pullsR),
		"POST " + pullPrefix:                                                inst(s.createPull, pullsW),
		"GET " + pullPrefix + "/{pull_number}":                              inst(s.getPull, pullsR),
		"PATCH " + pullPrefix + "/{pull_number}":                            inst(s.updatePull, pullsW),
		"GET " + pullPrefix + "/{pull_number}/commits":                      inst(s.listPullCommits, pullsR),
		"PUT " + pullPrefix + "/{pull_number}/merge":                        inst(s.mergePull, contentsW),
		"GET " + pullPrefix + "/{pull_number}/comments":                     inst(s.listReviewComments, pullsR),
		"GET " + pullPrefix + "/{pull_number}/reviews":                      inst(s.listReviews, pullsR),
		"GET " + pullPrefix + "/{pull_number}/reviews/{review_id}/comments": inst(s.listReviewCommentsOfReview, pullsR),

		"POST " + checksPrefix:                                            inst(s.createCheckRun, checksW),
		"GET " + checksPrefix + "/{check_run_id}":                         inst(s.getCheckRun, checksR),
		"PATCH " + checksPrefix + "/{check_run_id}":                       inst(s.updateCheckRun, checksW),
		"GET " + checksPrefix + "/{check_run_id}/annotations":             inst(s.listAnnotations, checksR),
		"GET " + repoPrefix + "/check-suites/{check_suite_id}":            inst(s.getCheckSuite, checksR),
		"GET " + repoPrefix + "/check-suites/{check_suite_id}/check-runs": inst(s.listRunsForSuite, checksR),
		"GET " + repoPrefix + "/commits/{ref}/check-runs":                 inst(s.listRunsForRef, checksR),
		"GET " + repoPrefix + "/actions/runs/{run_id}/jobs":               inst(s.listJobs, actionsR),
		"GET " + repoPrefix + "/actions/jobs/{job_id}/logs":               inst(s.getJobLogs, actionsR),

		"GET /orgs/{org}/teams/{team_slug}/memberships/{username}": inst(s.getTeamMembership, orgMembersR),
	}
}
