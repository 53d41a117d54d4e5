package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tidwall/sjson"

	"github.com/lifeos/lifeos/queue"
	"github.com/lifeos/lifeos/webhook"
)

const testSecret = "gate-secret"

// recordingQueue is an Enqueuer that keeps the delivery of every job.
type recordingQueue struct {
	mu         sync.Mutex
	deliveries []string
}

func (q *recordingQueue) Enqueue(_ context.Context, job queue.Args) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.deliveries = append(q.deliveries, job.DeliveryKey())
	return true, nil
}

func (q *recordingQueue) count() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.deliveries)
}

// testHook is the gate in front of the real dispatcher and webhook
// handlers, queueing into the returned queue.
func testHook(maxBytes, budget int64) (http.Handler, *recordingQueue) {
	q := &recordingQueue{}
	in := webhook.Intake{Queue: q, Config: webhook.Config{AppSlug: "lifeos-test", TriggerLabel: "lifeos:do"}}
	return newWebhookHook(testSecret, maxBytes, budget, webhook.All(in)), q
}

// labeled is an issues.labeled delivery that is work.
func labeled(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile("../e2e/testdata/webhooks/issues.labeled.json")
	if err != nil {
		t.Fatal(err)
	}
	for path, v := range map[string]any{"installation.id": 42, "label.name": "lifeos:do"} {
		if raw, err = sjson.SetBytes(raw, path, v); err != nil {
			t.Fatal(err)
		}
	}
	return raw
}

func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// hookRequest is a delivery of event with body, signed with sig.
func hookRequest(event, delivery, sig string, body io.Reader, length int64) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/api/github/hook", body)
	r.ContentLength = length
	r.Header.Set("Content-Type", "application/json")
	if event != "" {
		r.Header.Set("X-GitHub-Event", event)
	}
	r.Header.Set("X-GitHub-Delivery", delivery)
	if sig != "" {
		r.Header.Set("X-Hub-Signature-256", sig)
	}
	return r
}

// countingReader is an endless body that counts the bytes read from it.
type countingReader struct{ n atomic.Int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	c.n.Add(int64(len(p)))
	return len(p), nil
}

// A delivery missing what every GitHub delivery has is refused before a
// byte of its body is read.
func TestGateRefusesBeforeReading(t *testing.T) {
	sig := sign(testSecret, []byte("{}"))
	for _, c := range []struct {
		name, event, sig string
		length           int64
		want             int
	}{
		{"unsigned 25 MB", "issues", "", MaxWebhookBytes, http.StatusUnauthorized},
		{"signature not sha256", "issues", "sha1=00", MaxWebhookBytes, http.StatusUnauthorized},
		{"no event", "", sig, MaxWebhookBytes, http.StatusBadRequest},
		{"over the maximum", "issues", sig, MaxWebhookBytes + 1, http.StatusRequestEntityTooLarge},
		{"no length", "issues", sig, -1, http.StatusLengthRequired},
	} {
		t.Run(c.name, func(t *testing.T) {
			hook, q := testHook(MaxWebhookBytes, DefaultWebhookReadBytes)
			body := &countingReader{}
			w := httptest.NewRecorder()
			hook.ServeHTTP(w, hookRequest(c.event, "d-1", c.sig, body, c.length))
			if w.Code != c.want || body.n.Load() != 0 || q.count() != 0 {
				t.Errorf("got %d after reading %d bytes, %d jobs; want %d, nothing read or queued", w.Code, body.n.Load(), q.count(), c.want)
			}
		})
	}
}

// A signed delivery is queued; a wrong signature, a body shorter than its
// length and a work payload that is not JSON are refused, and a broken
// payload that is not work is answered without queueing anything.
func TestGateChecksTheBody(t *testing.T) {
	work := labeled(t)
	broken := append(bytes.Clone(work[:len(work)-2]), `,"x":`...)
	ignored, err := sjson.SetBytes(work, "label.name", "bug")
	if err != nil {
		t.Fatal(err)
	}
	ignored = append(ignored[:len(ignored)-2:len(ignored)-2], `,"x":`...)
	for _, c := range []struct {
		name   string
		body   []byte
		sig    string
		length int64
		want   int
		jobs   int
	}{
		{"good", work, sign(testSecret, work), int64(len(work)), http.StatusOK, 1},
		{"wrong secret", work, sign("other", work), int64(len(work)), http.StatusUnauthorized, 0},
		{"signature not hex", work, "sha256=zz", int64(len(work)), http.StatusUnauthorized, 0},
		{"short body", work, sign(testSecret, work), int64(len(work)) + 1, http.StatusBadRequest, 0},
		{"work not JSON", broken, sign(testSecret, broken), int64(len(broken)), http.StatusBadRequest, 0},
		{"ignored not JSON", ignored, sign(testSecret, ignored), int64(len(ignored)), http.StatusOK, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			hook, q := testHook(MaxWebhookBytes, DefaultWebhookReadBytes)
			w := httptest.NewRecorder()
			hook.ServeHTTP(w, hookRequest("issues", "d-1", c.sig, bytes.NewReader(c.body), c.length))
			if w.Code != c.want || q.count() != c.jobs {
				t.Errorf("got %d and %d jobs, want %d and %d", w.Code, q.count(), c.want, c.jobs)
			}
		})
	}
}

// blockingReader is a body that signals when it is first read and then
// waits for release before giving its bytes.
type blockingReader struct {
	r       io.Reader
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (b *blockingReader) Read(p []byte) (int, error) {
	b.once.Do(func() {
		close(b.entered)
		<-b.release
	})
	return b.r.Read(p)
}

// Bodies are read within the budget: while it is spent, a delivery is
// answered 503 with Retry-After at once, unread; afterwards the deliveries
// read are all queued.
func TestGateBoundsBodiesReadAtOnce(t *testing.T) {
	work := labeled(t)
	size := int64(len(work))
	const fit = 3
	hook, q := testHook(size, fit*size)
	release := make(chan struct{})
	codes := make(chan int, fit)
	for i := 0; i < fit; i++ {
		body := &blockingReader{r: bytes.NewReader(work), entered: make(chan struct{}), release: release}
		go func() {
			w := httptest.NewRecorder()
			hook.ServeHTTP(w, hookRequest("issues", fmt.Sprintf("d-%d", i), sign(testSecret, work), body, size))
			codes <- w.Code
		}()
		<-body.entered
	}

	extra := &countingReader{}
	w := httptest.NewRecorder()
	hook.ServeHTTP(w, hookRequest("issues", "d-extra", sign(testSecret, work), extra, size))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || extra.n.Load() != 0 {
		t.Errorf("over budget: got %d, Retry-After %q, %d bytes read; want 503 with Retry-After, unread",
			w.Code, w.Header().Get("Retry-After"), extra.n.Load())
	}

	close(release)
	for i := 0; i < fit; i++ {
		if code := <-codes; code != http.StatusOK {
			t.Errorf("delivery read within the budget: got %d, want 200", code)
		}
	}
	if q.count() != fit {
		t.Errorf("queued %d jobs, want %d", q.count(), fit)
	}
	w = httptest.NewRecorder()
	hook.ServeHTTP(w, hookRequest("issues", "d-after", sign(testSecret, work), bytes.NewReader(work), size))
	if w.Code != http.StatusOK {
		t.Errorf("after the budget is given back: got %d, want 200", w.Code)
	}
}

// TestGateHashesEachBodyOnce: the gate has checked the signature, so what
// it passes on carries none, and the dispatcher behind it (built without a
// secret, see newWebhookHook) does not hash the body a second time.
func TestGateHashesEachBodyOnce(t *testing.T) {
	body := labeled(t)
	var seen []string
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("X-Hub-Signature-256"))
	})
	gate := newWebhookGate(testSecret, 1<<20, 1<<20, next)
	rec := httptest.NewRecorder()
	gate.ServeHTTP(rec, hookRequest("issues", "d-once", sign(testSecret, body), bytes.NewReader(body), int64(len(body))))
	if len(seen) != 1 || seen[0] != "" {
		t.Fatalf("the dispatcher saw signatures %q, want one delivery without one", seen)
	}

	hook, q := testHook(1<<20, 1<<20)
	rec = httptest.NewRecorder()
	hook.ServeHTTP(rec, hookRequest("issues", "d-once", sign(testSecret, body), bytes.NewReader(body), int64(len(body))))
	if rec.Code >= 300 || q.count() != 1 {
		t.Fatalf("a signed delivery through gate and dispatcher: %d, %d queued; want 2xx and 1", rec.Code, q.count())
	}
}
