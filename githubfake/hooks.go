package githubfake

// OnRequest makes fn run each time a request on route ("POST
// /repos/{owner}/{repo}/git/commits", as in Request.Route) has been
// answered and the answer flushed, outside the double's lock. A test uses
// it to act at an exact point of the App's work, such as killing the
// App's process once a write is done and before the next one.
func (s *Server) OnRequest(route string, fn func(Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hooks == nil {
		s.hooks = map[string][]func(Request){}
	}
	s.hooks[route] = append(s.hooks[route], fn)
}
