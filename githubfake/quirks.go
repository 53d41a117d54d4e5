package githubfake

import (
	"net/http"
	"time"
)

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
	if status == 0 {
		s.InjectFault(route, Fault{})
		return
	}
	s.InjectFault(route, Fault{Status: status})
}

// Fault is an injected answer to an operation's requests.
type Fault struct {
	// Status is the answer's status, with Header and Message (the status
	// text if empty) as its JSON message.
	Status  int
	Header  http.Header
	Message string
	// Reset drops the connection instead of answering, as a reset would.
	Reset bool
	// Delay, with Status 0 and no Reset, makes the answer slow: the
	// request is held back by Delay (or until the client gives up), then
	// served as usual.
	Delay time.Duration
	// Times is how many requests meet the fault before the operation is
	// served again; 0 is every request.
	Times int
}

// SlowRoute holds back the next n requests to an operation by d each
// before serving them.
func (s *Server) SlowRoute(route string, d time.Duration, n int) {
	s.InjectFault(route, Fault{Delay: d, Times: n})
}

// faultDelay is how long the request must wait for a slow-answer fault
// on its operation (Fault.Delay), which it spends; 0 if none.
func (s *Server) faultDelay(r *http.Request, escaped string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	found, err := s.spec.find(r, escaped)
	if err != nil {
		return 0
	}
	f, ok := s.faults[found.key]
	if !ok || f.Delay <= 0 || f.Status != 0 || f.Reset {
		return 0
	}
	s.countDown(found.key, f)
	return f.Delay
}

// countDown spends one of f's times. Callers hold s.mu.
func (s *Server) countDown(route string, f *Fault) {
	if f.Times > 0 {
		if f.Times--; f.Times == 0 {
			delete(s.faults, route)
		}
	}
}

// InjectFault makes requests to an operation (keyed as for FailRoute) meet
// f; a zero Fault clears it.
func (s *Server) InjectFault(route string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Status == 0 && !f.Reset && f.Delay <= 0 {
		delete(s.faults, route)
		return
	}
	if s.faults == nil {
		s.faults = map[string]*Fault{}
	}
	s.faults[route] = &f
}

// FailRouteTimes makes the next n requests to an operation answer status.
func (s *Server) FailRouteTimes(route string, status, n int) {
	s.InjectFault(route, Fault{Status: status, Times: n})
}

// ResetRoute drops the connection of the next n requests to an operation.
func (s *Server) ResetRoute(route string, n int) {
	s.InjectFault(route, Fault{Reset: true, Times: n})
}

// RateLimitRoute makes the next n requests to an operation answer status
// (403 or 429) as GitHub's rate limits do, with header (retry-after,
// x-ratelimit-remaining, x-ratelimit-reset) and GitHub's message.
func (s *Server) RateLimitRoute(route string, status int, header http.Header, n int) {
	msg := "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
	if header.Get("X-Ratelimit-Remaining") == "0" {
		msg = "API rate limit exceeded for installation."
	}
	s.InjectFault(route, Fault{Status: status, Header: header, Message: msg, Times: n})
}

// spendFault is the reply of one request meeting f, counting it down.
// Callers hold s.mu.
func (s *Server) spendFault(route string, f *Fault) reply {
	s.countDown(route, f)
	if f.Reset {
		return reply{reset: true}
	}
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(f.Status)
	}
	rep := errReply(f.Status, msg)
	rep.header = f.Header.Clone()
	return rep
}

// dropConnection closes the connection under w without an answer.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("githubfake: the connection cannot be dropped")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic("githubfake: drop connection: " + err.Error())
	}
	if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
		_ = tc.SetLinger(0) // a reset, not an orderly close
	}
	conn.Close()
}
