package gh

import (
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-github/v89/github"
	"github.com/gregjones/httpcache"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rcrowley/go-metrics"
	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/jobs"
)

// Timeout bounds each GitHub API request.
const Timeout = 30 * time.Second

// DefaultCacheBytes bounds the memory the HTTP response cache holds. GitHub
// answers a conditional request whose resource did not change with 304,
// which does not count against the installation's rate limit.
const DefaultCacheBytes = 32 << 20

// Config is how LifeOS reaches GitHub as its App.
type Config struct {
	V3APIURL, V4APIURL string
	IntegrationID      int64
	PrivateKey         []byte
	WebhookSecret      string
	UserAgent          string
	// CacheBytes bounds the response cache (DefaultCacheBytes if 0).
	CacheBytes int
	// Download fetches tarballs and logs from the hosts GitHub redirects to.
	Download *http.Client
	// Faults is how GitHub's faults and rate limits are met (the defaults
	// if zero; tests inject the clock and the sleep).
	Faults FaultPolicy
	// Observe, if set, wraps every API request's transport (the server
	// counts responses and the rate limit left for /metrics).
	Observe func(http.RoundTripper) http.RoundTripper
}

// Clients makes GitHub clients for the App and its installations: tokens
// and clients are cached per installation, responses are cached and
// revalidated (ETags), and every request is counted in Metrics.
type Clients struct {
	creator  githubapp.ClientCreator
	download *http.Client
	// graphQLURL is GitHub's v4 (GraphQL) endpoint.
	graphQLURL string
	faults     *Faults
	// Metrics counts GitHub requests by outcome and the rate limit left
	// (go-githubapp's client metrics).
	Metrics metrics.Registry
}

// NewClients makes the App's client creator.
func NewClients(c Config) (*Clients, error) {
	var ghc githubapp.Config
	ghc.V3APIURL, ghc.V4APIURL = c.V3APIURL, c.V4APIURL
	ghc.App.IntegrationID = c.IntegrationID
	ghc.App.WebhookSecret = c.WebhookSecret
	ghc.App.PrivateKey = string(c.PrivateKey)
	size := c.CacheBytes
	if size <= 0 {
		size = DefaultCacheBytes
	}
	registry := metrics.NewRegistry()
	middleware := []githubapp.ClientMiddleware{githubapp.ClientMetrics(registry), githubapp.ClientLogging(zerolog.DebugLevel)}
	if c.Observe != nil {
		middleware = append(middleware, c.Observe)
	}
	creator, err := githubapp.NewDefaultCachingClientCreator(ghc,
		githubapp.WithClientUserAgent(c.UserAgent),
		githubapp.WithClientTimeout(Timeout),
		// alwaysValidate: a cached answer is used only after GitHub says
		// (304) that it is still current, so nothing stale is ever acted on.
		githubapp.WithClientCaching(true, func() httpcache.Cache { return newLRUCache(size) }),
		githubapp.WithClientMiddleware(middleware...),
	)
	if err != nil {
		return nil, fmt.Errorf("github client creator: %w", err)
	}
	dl := c.Download
	if dl == nil {
		dl = &http.Client{Timeout: 5 * time.Minute}
	}
	return &Clients{creator: creator, download: dl, graphQLURL: c.V4APIURL, faults: NewFaults(c.Faults), Metrics: registry}, nil
}

// Repo returns the client of one repository, through its installation.
func (c *Clients) Repo(r jobs.Repo, appSlug string) (*Repo, error) {
	client, err := c.creator.NewInstallationClient(r.InstallationID)
	if err != nil {
		return nil, fmt.Errorf("installation client %d: %w", r.InstallationID, err)
	}
	client, err = c.guarded(client, r.InstallationID)
	if err != nil {
		return nil, err
	}
	return &Repo{gh: client, owner: r.Owner, name: r.Name, download: c.download, graphQLURL: c.graphQLURL, appSlug: appSlug}, nil
}

// Repo is one repository on GitHub, reached through its installation.
type Repo struct {
	gh          *github.Client
	owner, name string
	download    *http.Client
	graphQLURL  string
	// appSlug is the App's own slug: its check runs are never evidence.
	appSlug string
}

func (r *Repo) String() string { return r.owner + "/" + r.name }

// guarded is client behind the installation's fault middleware (see
// Faults), outermost so that its waits and retries are outside the
// per-request timeout, which it applies to each attempt instead.
func (c *Clients) guarded(client *github.Client, installation int64) (*github.Client, error) {
	hc := client.Client()
	hc.Transport = c.faults.Middleware(installation)(hc.Transport)
	hc.Timeout = 0
	base, upload := client.BaseURL(), client.UploadURL()
	g, err := github.NewClient(github.WithHTTPClient(hc), github.WithURLs(&base, &upload), github.WithUserAgent(client.UserAgent()))
	if err != nil {
		return nil, fmt.Errorf("guarded client of installation %d: %w", installation, err)
	}
	return g, nil
}
