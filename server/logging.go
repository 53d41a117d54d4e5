package server

import (
	"fmt"
	"io"
	"time"

	"github.com/rs/zerolog"
	"github.com/rs/zerolog/diode"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/redact"
)

// LogBufferMessages is how many log lines may wait to be written. Webhook
// intake logs every delivery; a write(2) per line would cost a quarter of
// intake throughput, so lines are written in batches by one goroutine.
const LogBufferMessages = 16384

// LogFlushInterval is the longest a log line waits in the buffer.
const LogFlushInterval = 10 * time.Millisecond

// NewLogWriter returns an asynchronous writer for logs bound for w, with
// secrets (see LogSecrets) and GitHub tokens blanked from every line: the
// last line of defence against an error that quotes one. Lines are
// redacted by the writing goroutine, off the request path. If the buffer is
// ever full, the lines that did not fit are counted and the count is
// written to w, so losses are never silent. Close flushes it.
func NewLogWriter(w io.Writer, secrets ...string) io.WriteCloser {
	clean := redact.NewWriter(w, secrets...)
	return diode.NewWriter(clean, LogBufferMessages, LogFlushInterval, func(missed int) {
		fmt.Fprintf(w, `{"level":"warn","message":"log buffer full: %d log lines dropped"}`+"\n", missed)
	})
}

// LogSecrets are the configured secrets no log line may hold: the body of
// the App's private key, the webhook secret, the model API key and the
// run pages' client secret, session key and admin token. The
// installation tokens minted at run time have no setting; the writer
// blanks their shape (ghs_…) instead.
func LogSecrets(cfg *config.Config) []string {
	out := append(redact.PEMBody(cfg.PrivateKey), cfg.WebhookSecret, cfg.OpenAIAPIKey)
	for _, s := range []string{cfg.Web.ClientSecret, string(cfg.Web.SessionKey), cfg.Web.AdminToken} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// NewLogger is the server's logger writing to w: JSON lines, or readable
// console lines when cfg.LogFormat is config.LogConsole, at cfg.LogLevel
// (info when unset or unknown).
func NewLogger(w io.Writer, cfg *config.Config) zerolog.Logger {
	if cfg.LogFormat == config.LogConsole {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	log := zerolog.New(w).With().Timestamp().Logger()
	if lvl, err := zerolog.ParseLevel(cfg.LogLevel); err == nil && lvl != zerolog.NoLevel {
		return log.Level(lvl)
	}
	return log.Level(zerolog.InfoLevel)
}
