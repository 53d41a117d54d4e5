package githubfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// graphQLPath is where GitHub serves its GraphQL API (api.github.com/graphql,
// or /api/graphql on Enterprise Server).
const graphQLPath = "/graphql"

// GraphQLRoute is the Request.Route of a GraphQL operation whose one
// top-level field is field ("POST /graphql createCommitOnBranch"), for
// counting requests, OnRequest hooks and injected faults.
func GraphQLRoute(field string) string { return "POST " + graphQLPath + " " + field }

// graphQLField serves one top-level query or mutation field: args are the
// field's arguments with their variables substituted, and its answer is
// the field's value (the whole object: clients read what they selected).
type graphQLField struct {
	mutation bool
	fn       func(c *call, args map[string]any) (any, *graphQLError)
}

// graphQLFields is every field the double serves, keyed by name. A field
// that is not here is answered as GitHub answers a field its schema lacks,
// and reported as a validation error so a test notices.
func (s *Server) graphQLFields() map[string]graphQLField {
	return map[string]graphQLField{
		"markPullRequestReadyForReview": {mutation: true, fn: s.markPullRequestReadyForReview},
		"requestReviewsByLogin":         {mutation: true, fn: s.requestReviewsByLogin},
	}
}

// graphQLError is an entry of a GraphQL response's errors array, with
// GitHub's type ("NOT_FOUND", "FORBIDDEN", "UNPROCESSABLE", ...).
type graphQLError struct {
	Type    string   `json:"type,omitempty"`
	Path    []string `json:"path,omitempty"`
	Message string   `json:"message"`
}

// graphQLOperation is a parsed request: its kind, its one top-level field
// and that field's arguments.
type graphQLOperation struct {
	mutation bool
	field    string
	args     map[string]any
}

// graphQLHead matches an operation up to its first field's arguments:
// "mutation Name($input: T!) { field(" — only variables are supported as
// arguments, which is how every client LifeOS uses sends them.
var graphQLHead = regexp.MustCompile(`^\s*(query|mutation)?\s*[A-Za-z_0-9]*\s*(\([^)]*\))?\s*\{\s*([A-Za-z_][A-Za-z_0-9]*)\s*(\(([^)]*)\))?`)

var graphQLArg = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z_0-9]*)\s*:\s*\$([A-Za-z_][A-Za-z_0-9]*)\s*$`)

// parseGraphQL reads a request body {"query", "variables"}.
func parseGraphQL(body []byte) (graphQLOperation, error) {
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return graphQLOperation{}, fmt.Errorf("body is not a GraphQL request: %w", err)
	}
	m := graphQLHead.FindStringSubmatch(req.Query)
	if m == nil {
		return graphQLOperation{}, fmt.Errorf("githubfake reads only single-field operations with variable arguments: %q", req.Query)
	}
	op := graphQLOperation{mutation: m[1] == "mutation", field: m[3], args: map[string]any{}}
	if m[5] == "" {
		return op, nil
	}
	for _, a := range strings.Split(m[5], ",") {
		am := graphQLArg.FindStringSubmatch(a)
		if am == nil {
			return graphQLOperation{}, fmt.Errorf("githubfake reads only variable arguments (name: $var), not %q", a)
		}
		v, ok := req.Variables[am[2]]
		if !ok {
			return graphQLOperation{}, fmt.Errorf("variable $%s is not given", am[2])
		}
		op.args[am[1]] = v
	}
	return op, nil
}

// serveGraphQL answers one GraphQL request under the lock. GitHub answers
// 200 with an errors array for what the schema or the data refuses, and an
// HTTP status only for credentials and limits.
func (s *Server) serveGraphQL(r *http.Request, body []byte, rec *Request) reply {
	op, err := parseGraphQL(body)
	if err != nil {
		s.validationErrors = append(s.validationErrors, "POST /graphql: "+err.Error())
		return jsonReply(http.StatusOK, graphQLErrors(graphQLError{Message: err.Error()}))
	}
	rec.Route = GraphQLRoute(op.field)
	if f, ok := s.faults[rec.Route]; ok {
		return s.spendFault(rec.Route, f)
	}
	c := &call{s: s, r: r, body: body}
	if rep, ok := s.authenticate(c, authInstallation); !ok {
		return rep
	}
	rec.Installation = c.inst.id
	field, ok := s.graphQLFields()[op.field]
	if !ok || field.mutation != op.mutation {
		kind := "Query"
		if op.mutation {
			kind = "Mutation"
		}
		msg := fmt.Sprintf("Field '%s' doesn't exist on type '%s'", op.field, kind)
		s.validationErrors = append(s.validationErrors, "POST /graphql: "+msg)
		return jsonReply(http.StatusOK, graphQLErrors(graphQLError{Type: "undefinedField", Message: msg}))
	}
	data, gerr := field.fn(c, op.args)
	if gerr != nil {
		gerr.Path = []string{op.field}
		return jsonReply(http.StatusOK, map[string]any{"data": map[string]any{op.field: nil}, "errors": []graphQLError{*gerr}})
	}
	return jsonReply(http.StatusOK, map[string]any{"data": map[string]any{op.field: data}})
}

func graphQLErrors(errs ...graphQLError) map[string]any { return map[string]any{"errors": errs} }

// graphQLInput is a mutation's input object.
func graphQLInput(args map[string]any) (map[string]any, *graphQLError) {
	in, ok := args["input"].(map[string]any)
	if !ok {
		return nil, &graphQLError{Type: "INVALID_ARGUMENTS", Message: "Argument 'input' on Field is required"}
	}
	return in, nil
}

// graphQLRepo is a repository the call's installation token may use with
// perm ("contents:write"), or GitHub's GraphQL error.
func (c *call) graphQLRepo(owner, name, perm string) (*repoState, *graphQLError) {
	repo := c.s.lookupRepo(owner, name)
	if repo == nil || repo.installationID != c.token.installationID ||
		(c.token.repoIDs != nil && !c.token.repoIDs[repo.id]) {
		return nil, &graphQLError{Type: "NOT_FOUND", Message: fmt.Sprintf("Could not resolve to a Repository with the name '%s/%s'.", owner, name)}
	}
	cat, level, _ := strings.Cut(perm, ":")
	if !permits(c.token.perms[cat], level) {
		return nil, &graphQLError{Type: "FORBIDDEN", Message: "Resource not accessible by integration"}
	}
	return repo, nil
}

// graphQLPull is the pull request a node id names, in a repository the
// token may use with perm.
func (c *call) graphQLPull(id any, perm string) (*repoState, *issueState, *graphQLError) {
	s, _ := id.(string)
	missing := &graphQLError{Type: "NOT_FOUND", Message: fmt.Sprintf("Could not resolve to a node with the global id of '%s'", s)}
	typ, n, ok := parseNodeID(s)
	if !ok || typ != "PullRequest" {
		return nil, nil, missing
	}
	for _, repo := range c.s.repos {
		for _, is := range repo.issues {
			if is.pull == nil || is.pull.id != n {
				continue
			}
			if _, gerr := c.graphQLRepo(repo.owner, repo.name, perm); gerr != nil {
				return nil, nil, missing
			}
			return repo, is, nil
		}
	}
	return nil, nil, missing
}

// parseNodeID reads an id nodeID made.
func parseNodeID(id string) (typ string, n int64, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil || len(raw) < 4 || raw[3] != ':' {
		return "", 0, false
	}
	size, err := strconv.Atoi(string(raw[:3]))
	if err != nil || len(raw) < 4+size {
		return "", 0, false
	}
	n, err = strconv.ParseInt(string(raw[4+size:]), 10, 64)
	return string(raw[4 : 4+size]), n, err == nil
}

// markPullRequestReadyForReview takes a draft pull request out of draft.
func (s *Server) markPullRequestReadyForReview(c *call, args map[string]any) (any, *graphQLError) {
	in, gerr := graphQLInput(args)
	if gerr != nil {
		return nil, gerr
	}
	repo, is, gerr := c.graphQLPull(in["pullRequestId"], "pull_requests:write")
	if gerr != nil {
		return nil, gerr
	}
	if is.state != "open" {
		return nil, &graphQLError{Type: "UNPROCESSABLE", Message: "Pull request is closed"}
	}
	is.pull.draft = false
	is.updatedAt = s.now()
	return map[string]any{"pullRequest": map[string]any{
		"id": nodeID("PullRequest", is.pull.id), "number": is.number, "isDraft": false,
		"url": htmlURL("/%s/%s/pull/%d", repo.owner, repo.name, is.number),
	}}, nil
}

// requestReviewsByLogin asks users (by login) and teams (by "org/team"
// slug) to review a pull request, adding to those already asked (GitHub's
// union: true; LifeOS never replaces anyone's request). The pull request's
// author cannot be asked, as on GitHub.
func (s *Server) requestReviewsByLogin(c *call, args map[string]any) (any, *graphQLError) {
	in, gerr := graphQLInput(args)
	if gerr != nil {
		return nil, gerr
	}
	_, is, gerr := c.graphQLPull(in["pullRequestId"], "pull_requests:write")
	if gerr != nil {
		return nil, gerr
	}
	if is.state != "open" {
		return nil, &graphQLError{Type: "UNPROCESSABLE", Message: "Pull request is closed"}
	}
	var asked []string
	for _, key := range []string{"userLogins", "teamSlugs"} {
		list, _ := in[key].([]any)
		for _, v := range list {
			name, _ := v.(string)
			if name == "" {
				return nil, &graphQLError{Type: "INVALID_ARGUMENTS", Message: key + " holds a value that is not a name"}
			}
			if name == is.author {
				return nil, &graphQLError{Type: "UNPROCESSABLE", Message: "Review cannot be requested from pull request author."}
			}
			asked = append(asked, name)
		}
	}
	for _, name := range asked {
		if !slices.Contains(is.pull.reviewers, name) {
			is.pull.reviewers = append(is.pull.reviewers, name)
		}
	}
	is.updatedAt = s.now()
	return map[string]any{"pullRequest": map[string]any{"id": nodeID("PullRequest", is.pull.id), "number": is.number}}, nil
}
