package gh

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v89/github"
)

// manifestTimeout bounds the one conversion call of the manifest flow.
const manifestTimeout = 30 * time.Second

// RegisteredApp is what GitHub hands over once, when an App registered from
// a manifest is converted: its identity and every secret it has.
type RegisteredApp struct {
	ID            int64
	Slug          string
	Name          string
	HTMLURL       string
	Owner         string
	PrivateKeyPEM []byte
	WebhookSecret string
	ClientID      string
	ClientSecret  string
}

// ConversionError is a refused manifest conversion, in plain words.
type ConversionError struct {
	Status int // GitHub's HTTP status, 0 if GitHub was not reached
	Err    error
}

func (e *ConversionError) Error() string {
	switch e.Status {
	case http.StatusNotFound, http.StatusUnprocessableEntity:
		return fmt.Sprintf("GitHub did not take the code (%d): it is valid for one hour and for one use; start again from /setup", e.Status)
	case 0:
		return fmt.Sprintf("could not reach GitHub to finish the registration (check GITHUB_V3_API_URL and the network): %v", e.Err)
	}
	return fmt.Sprintf("GitHub answered %d to the manifest conversion: %v", e.Status, e.Err)
}

func (e *ConversionError) Unwrap() error { return e.Err }

// ConvertManifest exchanges the code GitHub's manifest flow redirected
// back with for the new App's credentials (POST
// /app-manifests/{code}/conversions, which takes no authentication). The
// code is valid for an hour and for one exchange.
func ConvertManifest(ctx context.Context, apiURL, userAgent, code string, hc *http.Client) (RegisteredApp, error) {
	if hc == nil {
		hc = &http.Client{Timeout: manifestTimeout}
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	client, err := github.NewClient(github.WithHTTPClient(hc), github.WithURLs(&apiURL, &apiURL), github.WithUserAgent(userAgent))
	if err != nil {
		return RegisteredApp{}, fmt.Errorf("GitHub API URL %q: %w", apiURL, err)
	}
	ctx, cancel := context.WithTimeout(ctx, manifestTimeout)
	defer cancel()
	cfg, resp, err := client.Apps.CompleteAppManifest(ctx, code)
	if err != nil {
		code := status(err)
		if code == 0 && resp != nil {
			code = resp.StatusCode
		}
		return RegisteredApp{}, &ConversionError{Status: code, Err: err}
	}
	app := RegisteredApp{
		ID: cfg.GetID(), Slug: cfg.GetSlug(), Name: cfg.GetName(), HTMLURL: cfg.GetHTMLURL(), Owner: cfg.GetOwner().GetLogin(),
		PrivateKeyPEM: []byte(cfg.GetPEM()), WebhookSecret: cfg.GetWebhookSecret(), ClientID: cfg.GetClientID(), ClientSecret: cfg.GetClientSecret(),
	}
	if app.ID == 0 || app.Slug == "" || len(app.PrivateKeyPEM) == 0 || app.WebhookSecret == "" {
		return RegisteredApp{}, &ConversionError{Status: http.StatusOK, Err: fmt.Errorf("GitHub's answer lacks the App's id, slug, key or webhook secret")}
	}
	return app, nil
}
