package server

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"
)

// DefaultWebhookReadBytes bounds the webhook bodies being read and checked
// at once, in bytes. Two deliveries of the maximum size fit, and so do
// hundreds of ordinary ones (GitHub's are tens of kilobytes); the bound
// keeps a flood of large unverified bodies well inside a 256 MB machine.
const DefaultWebhookReadBytes = 64 << 20

// RetryAfterSeconds is what a delivery refused for lack of read budget is
// told to wait: reads finish in well under a second on a healthy server.
const RetryAfterSeconds = "1"

// signaturePrefix starts the X-Hub-Signature-256 header's value.
const signaturePrefix = "sha256="

// webhookGate stands in front of the dispatcher: it refuses a delivery
// without the headers every GitHub delivery has before reading its body,
// reads the body into a buffer of its declared length while hashing it,
// and passes on only deliveries whose signature is right. Bodies being
// read at once are bounded by a byte budget; a delivery that does not fit
// is answered 503 at once rather than waiting in memory.
type webhookGate struct {
	secret   []byte
	maxBytes int64
	budget   *readBudget
	next     http.Handler
}

// newWebhookHook is the webhook endpoint: the gate in front of
// go-githubapp's dispatcher over handlers. The gate checks the signature
// once, as it reads the body; the dispatcher, built without a secret and
// handed no signature, does not hash the body again. It is reachable only
// through the gate.
func newWebhookHook(secret string, maxBytes, budget int64, handlers []githubapp.EventHandler) *webhookGate {
	return newWebhookGate(secret, maxBytes, budget, githubapp.NewEventDispatcher(handlers, ""))
}

// newWebhookGate returns the gate in front of next for deliveries signed
// with secret, at most maxBytes each, budget bytes being read at once.
func newWebhookGate(secret string, maxBytes, budget int64, next http.Handler) *webhookGate {
	if budget < maxBytes {
		budget = maxBytes
	}
	return &webhookGate{secret: []byte(secret), maxBytes: maxBytes, budget: &readBudget{free: budget}, next: next}
}

// ServeHTTP checks the delivery in the order that costs the least memory
// for a request that is refused.
func (g *webhookGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := zerolog.Ctx(r.Context())
	sig := r.Header.Get("X-Hub-Signature-256")
	if !strings.HasPrefix(sig, signaturePrefix) {
		g.refuse(w, log, http.StatusUnauthorized, "missing or malformed X-Hub-Signature-256")
		return
	}
	if r.Header.Get("X-GitHub-Event") == "" {
		g.refuse(w, log, http.StatusBadRequest, "missing X-GitHub-Event")
		return
	}
	n := r.ContentLength
	switch {
	case n < 0:
		g.refuse(w, log, http.StatusLengthRequired, "missing Content-Length")
		return
	case n > g.maxBytes:
		g.refuse(w, log, http.StatusRequestEntityTooLarge, fmt.Sprintf("Content-Length %d over %d", n, g.maxBytes))
		return
	}
	if !g.budget.take(n) {
		w.Header().Set("Retry-After", RetryAfterSeconds)
		g.refuse(w, log, http.StatusServiceUnavailable, "too many webhook bodies being read")
		return
	}
	body, ok, err := g.readSigned(r.Body, n, sig)
	g.budget.give(n)
	switch {
	case err != nil:
		g.refuse(w, log, http.StatusBadRequest, err.Error())
		return
	case !ok:
		g.refuse(w, log, http.StatusUnauthorized, "signature does not match the body")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	// Checked: what follows trusts the body and need not hash it again.
	r.Header.Del("X-Hub-Signature-256")
	r.Header.Del("X-Hub-Signature")
	g.next.ServeHTTP(w, r)
}

// readSigned reads exactly n bytes of body, hashing them as they arrive,
// and reports whether sig is their HMAC-SHA256 under the gate's secret.
func (g *webhookGate) readSigned(body io.Reader, n int64, sig string) ([]byte, bool, error) {
	want, err := hex.DecodeString(strings.TrimPrefix(sig, signaturePrefix))
	if err != nil || len(want) != sha256.Size {
		return nil, false, nil
	}
	mac := hmac.New(sha256.New, g.secret)
	buf := make([]byte, n)
	if _, err := io.ReadFull(io.TeeReader(body, mac), buf); err != nil {
		return nil, false, fmt.Errorf("read webhook body of %d bytes: %w", n, err)
	}
	return buf, hmac.Equal(mac.Sum(nil), want), nil
}

// refuse answers a refused delivery and logs why.
func (g *webhookGate) refuse(w http.ResponseWriter, log *zerolog.Logger, status int, reason string) {
	log.Warn().Int("status", status).Str("reason", reason).Msg("Webhook delivery refused")
	http.Error(w, http.StatusText(status), status)
}

// readBudget is a byte count shared by the requests reading bodies; a
// request takes its body's size before reading and gives it back after.
type readBudget struct {
	mu   sync.Mutex
	free int64
}

// take reserves n bytes if that many are free, without waiting.
func (b *readBudget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > b.free {
		return false
	}
	b.free -= n
	return true
}

// give returns n bytes taken before.
func (b *readBudget) give(n int64) {
	b.mu.Lock()
	b.free += n
	b.mu.Unlock()
}
