package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tidwall/gjson"
)

// The references LifeOS is measured beside, each in the same run.

// checked reads a delivery's body and checks its HMAC in constant time:
// what any correct webhook endpoint must do first.
func checked(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 25<<20))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return nil, false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Hub-Signature-256"))) {
		http.Error(w, "signature", http.StatusBadRequest)
		return nil, false
	}
	return body, true
}

func relevantBody(body []byte) bool {
	return gjson.GetBytes(body, "action").Str == "labeled" && gjson.GetBytes(body, "label.name").Str == "lifeos:do"
}

// floorHandler is the non-durable floor, the least a correct webhook
// endpoint can do: read the body, check the HMAC, read action and
// label.name, answer.
func floorHandler(w http.ResponseWriter, r *http.Request) {
	body, ok := checked(w, r)
	if !ok {
		return
	}
	if relevantBody(body) {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// probot is a Probot-like server: it verifies the signature, parses the
// whole payload (Probot's JSON.parse) and hands relevant events to a
// handler that keeps them in memory. Nothing survives a crash.
type probot struct {
	mu     sync.Mutex
	queued [][]byte
}

func (p *probot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := checked(w, r)
	if !ok {
		return
	}
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "json", http.StatusBadRequest)
		return
	}
	label, _ := ev["label"].(map[string]any)
	if ev["action"] == "labeled" && label != nil && label["name"] == "lifeos:do" {
		p.mu.Lock()
		if len(p.queued) > 1000 {
			p.queued = p.queued[:0] // a worker took them
		}
		p.queued = append(p.queued, body)
		p.mu.Unlock()
	}
	w.WriteHeader(http.StatusAccepted)
}

// groupCommit gathers concurrent appends and makes each gathered batch
// durable with one flush: the structure of every durable floor here.
type groupCommit struct {
	reqs  chan gcReq
	flush func(bodies [][]byte, ids []string) error
}

type gcReq struct {
	body  []byte
	id    string
	reply chan error
}

func newGroupCommit(flush func([][]byte, []string) error) *groupCommit {
	g := &groupCommit{reqs: make(chan gcReq, 1024), flush: flush}
	go g.loop()
	return g
}

func (g *groupCommit) loop() {
	for first := range g.reqs {
		batch := []gcReq{first}
	gather:
		for len(batch) < 256 {
			select {
			case r := <-g.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		bodies, ids := make([][]byte, len(batch)), make([]string, len(batch))
		for i, r := range batch {
			bodies[i], ids[i] = r.body, r.id
		}
		err := g.flush(bodies, ids)
		for _, r := range batch {
			r.reply <- err
		}
	}
}

func (g *groupCommit) handler(w http.ResponseWriter, r *http.Request) {
	body, ok := checked(w, r)
	if !ok {
		return
	}
	if !relevantBody(body) {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	reply := make(chan error, 1)
	g.reqs <- gcReq{body: body, id: r.Header.Get("X-GitHub-Delivery"), reply: reply}
	if err := <-reply; err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// fileFloor appends each relevant delivery to a file and fdatasyncs, one
// fdatasync per gathered batch.
func fileFloor(path string) (http.HandlerFunc, func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, err
	}
	g := newGroupCommit(func(bodies [][]byte, _ []string) error {
		for _, b := range bodies {
			if _, err := f.Write(append(b, '\n')); err != nil {
				return err
			}
		}
		return syscall.Fdatasync(int(f.Fd()))
	})
	return g.handler, func() { f.Close() }, nil
}

// pgFloor inserts each relevant delivery into a PostgreSQL table, one
// transaction per gathered batch.
func pgFloor(ctx context.Context, url string) (http.HandlerFunc, func(), error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, nil, err
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS floor_deliveries (
		id bigserial PRIMARY KEY, delivery text UNIQUE NOT NULL, payload jsonb NOT NULL)`); err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("create the floor's table: %w", err)
	}
	g := newGroupCommit(func(bodies [][]byte, ids []string) error {
		return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			var b pgx.Batch
			for i := range bodies {
				b.Queue(`INSERT INTO floor_deliveries (delivery, payload) VALUES ($1, $2)`, ids[i], bodies[i])
			}
			return tx.SendBatch(ctx, &b).Close()
		})
	})
	return g.handler, pool.Close, nil
}

// blackHole is a GitHub that answers the App's identity at start-up and
// then nothing: it takes every other request and never answers, so every
// worker is stuck in a request.
func blackHole() (string, func(), error) {
	done := make(chan struct{})
	url, err := listen(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/app" {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"id":1,"slug":"lifeos","name":"LifeOS"}`) //nolint:errcheck // a benchmark's double
			return
		}
		<-done
	}), "/")
	return url, func() { close(done) }, err
}
