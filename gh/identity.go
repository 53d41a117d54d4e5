package gh

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// identityTimeout bounds the start-up question "who am I" to GitHub.
const identityTimeout = 30 * time.Second

// Identity is the App as GitHub knows it. Its slug names its bot user
// ("<slug>[bot]") and its checks; slugs are unique on GitHub, so it is read
// from GitHub rather than configured.
type Identity struct {
	ID   int64
	Slug string
	Name string
}

// IdentityError is a start-up failure to read the App's identity, with the
// likely cause in plain words.
type IdentityError struct {
	Status int // GitHub's HTTP status, 0 if GitHub was not reached
	Err    error
}

func (e *IdentityError) Error() string {
	switch {
	case e.Status == http.StatusUnauthorized:
		return "GitHub rejected the App's credentials (GET /app answered 401): check GITHUB_APP_INTEGRATION_ID and that GITHUB_APP_PRIVATE_KEY is a current key of that App"
	case e.Status == http.StatusNotFound:
		return "GitHub knows no App with this ID (GET /app answered 404): check GITHUB_APP_INTEGRATION_ID"
	case e.Status != 0:
		return fmt.Sprintf("GitHub answered %d to GET /app: %v", e.Status, e.Err)
	default:
		return fmt.Sprintf("could not reach GitHub to read the App's identity (GET /app; check GITHUB_V3_API_URL and the network): %v", e.Err)
	}
}

func (e *IdentityError) Unwrap() error { return e.Err }

// Identity asks GitHub, with the App's JWT, for the App's own ID, slug and
// name, as policy-bot does at start-up.
func (c *Clients) Identity(ctx context.Context) (Identity, error) {
	client, err := c.creator.NewAppClient()
	if err != nil {
		return Identity{}, &IdentityError{Err: fmt.Errorf("app client: %w", err)}
	}
	ctx, cancel := context.WithTimeout(ctx, identityTimeout)
	defer cancel()
	app, resp, err := client.Apps.Get(ctx, "")
	if err != nil {
		code := status(err)
		if code == 0 && resp != nil {
			code = resp.StatusCode
		}
		return Identity{}, &IdentityError{Status: code, Err: err}
	}
	id := Identity{ID: app.GetID(), Slug: app.GetSlug(), Name: app.GetName()}
	if id.Slug == "" {
		return Identity{}, &IdentityError{Status: http.StatusOK, Err: errors.New("GitHub's answer names no slug")}
	}
	return id, nil
}
