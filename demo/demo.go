// Package demo is `lifeos demo`: the whole loop on one machine with no
// credentials and no network beyond loopback. It starts the real server
// (server.New, as `lifeos serve` does) against the GitHub double holding a
// sample repository with an issue, and a scripted model or the endpoint
// the settings name; the double labels the issue and delivers the signed
// webhook GitHub would; each step is printed as it happens; then the
// server stays up for its run pages until the context ends.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/server"
	"github.com/lifeos/lifeos/store"
)

// runTimeout bounds the wait for the demo's run to end.
const runTimeout = 5 * time.Minute

// Options are the demo's flags and where it prints.
type Options struct {
	// Addr is the address the server listens on ("127.0.0.1:0": any port).
	Addr string
	// DataDir holds the demo's SQLite database; a temporary directory,
	// removed at the end, when empty. It must not hold one already: the
	// demo's GitHub lives in memory, so an earlier demo's runs would name
	// pull requests that are no longer there.
	DataDir string
	// Once ends the demo when the run has ended, rather than serving on.
	Once bool
	// Model is the model endpoint to use when UseModel is set; otherwise
	// the demo scripts its own.
	Model    config.DemoModel
	UseModel bool
	Version  string
	// Out receives the story.
	Out io.Writer
}

// ErrRunFailed is returned when the demo's run ended other than with a
// pull request.
var ErrRunFailed = errors.New("the demo's run did not open a pull request")

// Run plays the demo until the run has ended (Once) or ctx is done.
func Run(ctx context.Context, o Options) error {
	if o.DataDir == "" {
		dir, err := os.MkdirTemp("", "lifeos-demo-")
		if err != nil {
			return fmt.Errorf("make the demo's data directory: %w", err)
		}
		defer os.RemoveAll(dir)
		o.DataDir = dir
	} else if _, err := os.Stat(filepath.Join(o.DataDir, store.SQLiteFileName)); err == nil {
		return fmt.Errorf("%s already holds a database (an earlier demo's?): the demo's GitHub starts empty each time, so give it a new directory", o.DataDir)
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.Addr, err)
	}
	defer ln.Close()
	gh := githubfake.New(githubfake.Options{})
	defer gh.Close()
	d, err := newDemo(o, gh, "http://"+ln.Addr().String())
	if err != nil {
		return err
	}
	defer d.close()
	return d.play(ctx, ln)
}

// demo is one demo in progress.
type demo struct {
	o     Options
	gh    *githubfake.Server
	model *modelfake.Server // nil with a real endpoint
	cfg   *config.Config
	tell  *narrator
	issue int
	url   string
}

func newDemo(o Options, gh *githubfake.Server, url string) (*demo, error) {
	web, err := webConfig(url)
	if err != nil {
		return nil, err
	}
	d := &demo{o: o, gh: gh, url: url, tell: &narrator{out: o.Out, gh: gh}}
	d.issue = seed(gh, web.ClientID, web.ClientSecret)
	d.cfg = &config.Config{
		IntegrationID: gh.AppID(), PrivateKey: gh.PrivateKeyPEM(), WebhookSecret: token(20),
		V3APIURL: gh.URL(), V4APIURL: gh.URL() + "graphql",
		DataDir: o.DataDir, TriggerLabel: names.TriggerLabel, DeleteBranches: true,
		Ceilings: policy.DefaultCeilings(), Prices: policy.DefaultPrices(), Web: web, Version: o.Version,
		LogLevel: "debug", LogFormat: config.LogJSON,
	}
	if err := d.useModel(); err != nil {
		return nil, err
	}
	d.cfg.Ceilings.DefaultModel = d.cfg.Model
	return d, nil
}

// useModel points the server at the settings' endpoint, or at a scripted
// model. A model without a price is priced free: the demo spends nothing
// it would have to account for.
func (d *demo) useModel() error {
	c := d.cfg
	if d.o.UseModel {
		c.OpenAIBaseURL, c.OpenAIAPIKey, c.Model, c.Prices = d.o.Model.BaseURL, d.o.Model.APIKey, d.o.Model.Model, d.o.Model.Prices
	} else {
		d.model = modelfake.New()
		script(d.model)
		c.OpenAIBaseURL, c.OpenAIAPIKey, c.Model = d.model.URL(), "demo-no-key", scriptedModel
	}
	if _, ok := c.Prices[c.Model]; !ok {
		free, err := policy.ParsePrice(policy.PriceFree)
		if err != nil {
			return err
		}
		c.Prices[c.Model] = free
	}
	c.MaxTurns = c.Ceilings.MaxTurns
	return nil
}

// webConfig is the run pages' configuration: GitHub login through the
// double's OAuth pages and an admin token, both made up for this demo.
func webConfig(url string) (config.Web, error) {
	public, err := parsePublic(url)
	if err != nil {
		return config.Web{}, err
	}
	key := make([]byte, config.MinSessionKeyBytes)
	rand.Read(key)
	return config.Web{ClientID: "Iv1.demo" + token(4), ClientSecret: token(20), SessionKey: key,
		AdminToken: "demo-" + token(16), PublicURL: public}, nil
}

func token(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (d *demo) close() {
	if d.model != nil {
		d.model.Close()
	}
}

// play starts the server, labels the issue and tells the story until the
// run ends, then serves on unless Once.
func (d *demo) play(ctx context.Context, ln net.Listener) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	log := zerolog.New(d.tell).Level(zerolog.DebugLevel).With().Timestamp().Logger()
	srv, err := server.New(ctx, d.cfg, log, server.Options{QueuePoll: 50 * time.Millisecond, ShutdownGrace: 5 * time.Second})
	if err != nil {
		return fmt.Errorf("start the server: %w", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	d.gh.SetWebhook(d.url+"/api/github/hook", d.cfg.WebhookSecret)
	d.tell.watch(repoName)
	d.intro()

	runErr := d.label(ctx, srv.Store())
	if runErr == nil && !d.o.Once {
		d.outro()
		<-ctx.Done()
	}
	d.tell.ended.Store(true)
	stop()
	if err := <-served; err != nil && !errors.Is(err, context.Canceled) {
		return errors.Join(runErr, fmt.Errorf("server: %w", err))
	}
	return runErr
}
