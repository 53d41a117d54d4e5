package gh

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// graphQLLimit bounds the GraphQL answer read into memory: LifeOS selects
// a few fields of one object per request.
const graphQLLimit = 1 << 20

// graphQLError is an entry of a GraphQL answer's errors array.
type graphQLError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// graphQL sends one GraphQL operation to GitHub's v4 API as the
// installation (through the same token, limits and retries as REST) and
// decodes its data into out. GitHub answers refusals with 200 and an
// errors array; those come back as errors carrying the status REST would
// have used (NOT_FOUND 404, FORBIDDEN 403, UNPROCESSABLE 422), so Answer
// and Permanent judge them as they judge REST's.
func (r *Repo) graphQL(ctx context.Context, query string, vars map[string]any, out any) error {
	payload, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return fmt.Errorf("encode GraphQL request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.graphQLURL, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("GraphQL request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.gh.Client().Do(req)
	if err != nil {
		return fmt.Errorf("GraphQL request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, graphQLLimit))
	if err != nil {
		return fmt.Errorf("read GraphQL answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return &statusError{code: resp.StatusCode, err: fmt.Errorf("GraphQL: GitHub answered %d: %s", resp.StatusCode, oneLine(body))}
	}
	var answer struct {
		Data   json.RawMessage `json:"data"`
		Errors []graphQLError  `json:"errors"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return fmt.Errorf("decode GraphQL answer: %w", err)
	}
	if len(answer.Errors) > 0 {
		return graphQLFailure(answer.Errors)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(answer.Data, out); err != nil {
		return fmt.Errorf("decode GraphQL data: %w", err)
	}
	return nil
}

// graphQLFailure is the error of a GraphQL answer with errors, with the
// status REST gives the first one's type.
func graphQLFailure(errs []graphQLError) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Message
	}
	err := errors.New("GraphQL: " + strings.Join(msgs, "; "))
	code := map[string]int{"NOT_FOUND": http.StatusNotFound, "FORBIDDEN": http.StatusForbidden, "UNPROCESSABLE": http.StatusUnprocessableEntity}[errs[0].Type]
	if code == 0 {
		code = http.StatusUnprocessableEntity // the schema refused the request as sent
	}
	return &statusError{code: code, err: err}
}

// oneLine is the start of an answer body for an error message.
func oneLine(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// MarkPullReady takes the draft pull request with GraphQL node id nodeID
// out of draft (GitHub has no REST call for it).
func (r *Repo) MarkPullReady(ctx context.Context, nodeID string) error {
	const mutation = `mutation($input: MarkPullRequestReadyForReviewInput!) {
  markPullRequestReadyForReview(input: $input) { pullRequest { id isDraft } }
}`
	vars := map[string]any{"input": map[string]any{"pullRequestId": nodeID}}
	if err := r.graphQL(ctx, mutation, vars, nil); err != nil {
		return fmt.Errorf("mark pull request %s of %s ready: %w", nodeID, r, err)
	}
	return nil
}

// RequestReviews asks users (logins) and teams ("org/team" slugs) to
// review the pull request with GraphQL node id nodeID, adding to anyone
// already asked; asking again is harmless.
func (r *Repo) RequestReviews(ctx context.Context, nodeID string, users, teams []string) error {
	const mutation = `mutation($input: RequestReviewsByLoginInput!) {
  requestReviewsByLogin(input: $input) { pullRequest { id } }
}`
	input := map[string]any{"pullRequestId": nodeID, "union": true}
	if len(users) > 0 {
		input["userLogins"] = users
	}
	if len(teams) > 0 {
		input["teamSlugs"] = teams
	}
	if err := r.graphQL(ctx, mutation, map[string]any{"input": input}, nil); err != nil {
		return fmt.Errorf("request reviews of %s on %s: %w", strings.Join(append(append([]string(nil), users...), teams...), ", "), r, err)
	}
	return nil
}
