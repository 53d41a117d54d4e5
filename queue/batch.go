package queue

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/riverqueue/river"
)

// ErrStopped is returned by Enqueue after the queue has stopped taking work.
var ErrStopped = errors.New("queue is shutting down")

// batcher commits concurrent inserts together (group commit): while one
// transaction is being made durable, the next deliveries gather, and go in
// the next one. A lone delivery is never delayed waiting for company.
type batcher struct {
	client  riverClient
	max     int
	mu      sync.RWMutex // held for reading while sending, for writing to close
	closed  bool
	reqs    chan *insertReq
	stopped chan struct{}
}

type insertReq struct {
	ctx   context.Context
	args  Args
	reply chan insertResult
}

type insertResult struct {
	inserted bool
	err      error
}

func newBatcher(client riverClient, max int) *batcher {
	b := &batcher{
		client:  client,
		max:     max,
		reqs:    make(chan *insertReq, max),
		stopped: make(chan struct{}),
	}
	go b.loop()
	return b
}

func (b *batcher) insert(ctx context.Context, args Args) (bool, error) {
	req := &insertReq{ctx: ctx, args: args, reply: make(chan insertResult, 1)}
	if err := b.send(req); err != nil {
		return false, err
	}
	select {
	case res := <-req.reply:
		return res.inserted, res.err
	case <-ctx.Done():
		// The insert may still commit; the delivery's uniqueness makes a
		// redelivery harmless either way.
		return false, ctx.Err()
	}
}

func (b *batcher) send(req *insertReq) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return ErrStopped
	}
	select {
	case b.reqs <- req:
		return nil
	case <-req.ctx.Done():
		return req.ctx.Err()
	}
}

// stop refuses new inserts and waits for the ones taken to be committed.
func (b *batcher) stop() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.reqs)
	}
	b.mu.Unlock()
	<-b.stopped
}

func (b *batcher) loop() {
	defer close(b.stopped)
	for first := range b.reqs {
		batch := []*insertReq{first}
	gather:
		for len(batch) < b.max {
			select {
			case req, ok := <-b.reqs:
				if !ok {
					break gather
				}
				batch = append(batch, req)
			default:
				break gather
			}
		}
		b.commit(batch)
	}
}

// commit inserts a batch in one transaction and answers each request.
func (b *batcher) commit(batch []*insertReq) {
	// River refuses a batch holding one unique key twice; a delivery that
	// arrives twice at once is answered from its first copy.
	first := make(map[string]*insertReq, len(batch))
	var owners []*insertReq
	var dups []*insertReq
	for _, req := range batch {
		if req.ctx.Err() != nil {
			req.reply <- insertResult{err: req.ctx.Err()}
			continue
		}
		key := req.args.Kind() + "/" + req.args.DeliveryKey()
		if _, seen := first[key]; seen {
			dups = append(dups, req)
			continue
		}
		first[key] = req
		owners = append(owners, req)
	}
	b.insertAll(owners)
	for _, req := range dups {
		req.reply <- insertResult{}
	}
}

// insertAll inserts reqs together and answers each. When the transaction
// fails, one bad delivery must not fail the others with it: each is then
// inserted on its own, and only the ones that fail alone get an error.
func (b *batcher) insertAll(reqs []*insertReq) {
	if len(reqs) == 0 {
		return
	}
	params := make([]river.InsertManyParams, len(reqs))
	for i, req := range reqs {
		params[i] = river.InsertManyParams{Args: req.args}
	}
	results, err := b.client.InsertMany(context.Background(), params)
	if err == nil {
		for i, req := range reqs {
			req.reply <- insertResult{inserted: !results[i].UniqueSkippedAsDuplicate}
		}
		return
	}
	if len(reqs) == 1 {
		reqs[0].reply <- insertResult{err: fmt.Errorf("queue delivery %s: %w", reqs[0].args.DeliveryKey(), err)}
		return
	}
	for _, req := range reqs {
		b.insertAll([]*insertReq{req})
	}
}
