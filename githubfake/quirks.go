package githubfake

// SetBranchWithoutTree makes GET /repos/{owner}/{repo}/branches/{branch}
// answer without commit.commit.tree, as an older GitHub Enterprise, a proxy
// or a compatible server may: the App must take the base tree from the
// commit itself.
func (s *Server) SetBranchWithoutTree(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.branchNoTree = on
}

// EditIssueBody changes an issue's body, as its author (or anyone allowed
// to) would after it was labelled.
func (s *Server) EditIssueBody(fullName string, number int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is, ok := s.mustRepo(fullName).issues[number]
	if !ok {
		panic("githubfake: no such issue")
	}
	is.body = body
	is.touch(s.now())
}

// FailRoute makes every request to an operation (keyed as the API
// description spells it, "GET /repos/{owner}/{repo}/collaborators/{username}/permission")
// answer status, as GitHub's front answers 502 or 503 when it is unwell;
// status 0 clears the fault. An injected answer is the gateway's, so it is
// not checked against the operation's declared responses.
func (s *Server) FailRoute(route string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if status == 0 {
		delete(s.faults, route)
		return
	}
	if s.faults == nil {
		s.faults = map[string]int{}
	}
	s.faults[route] = status
}
