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
