package queue

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// errPoison is what failingClient answers for a batch holding the poison
// delivery.
var errPoison = errors.New("insert refused")

// failingClient is a River client whose InsertMany fails a whole batch
// when it holds the poison delivery, as a database refusing one row fails
// its transaction; it records each batch's size.
type failingClient struct {
	riverClient
	poison  string
	batches []int
}

func (c *failingClient) InsertMany(_ context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	c.batches = append(c.batches, len(params))
	out := make([]*rivertype.JobInsertResult, len(params))
	for i, p := range params {
		if p.Args.(EventArgs).DeliveryID == c.poison {
			return nil, errPoison
		}
		out[i] = &rivertype.JobInsertResult{Job: &rivertype.JobRow{ID: int64(i + 1)}}
	}
	return out, nil
}

// One delivery whose insert fails does not fail the others committed with
// it: they are inserted one by one and answered true, and only it gets the
// error.
func TestBatchIsolatesAFailedInsert(t *testing.T) {
	client := &failingClient{poison: "d-2"}
	b := &batcher{client: client, max: DefaultMaxBatch}
	var batch []*insertReq
	for i := 0; i < 5; i++ {
		args := EventArgs{Event: "issues", DeliveryID: fmt.Sprintf("d-%d", i), Repo: "o/r", Issue: i}
		batch = append(batch, &insertReq{ctx: context.Background(), args: args, reply: make(chan insertResult, 1)})
	}
	b.commit(batch)
	for _, req := range batch {
		res := <-req.reply
		if req.args.DeliveryKey() == client.poison {
			if !errors.Is(res.err, errPoison) || res.inserted {
				t.Errorf("%s: got inserted=%v err=%v, want its insert error", req.args.DeliveryKey(), res.inserted, res.err)
			}
			continue
		}
		if res.err != nil || !res.inserted {
			t.Errorf("%s: got inserted=%v err=%v, want inserted", req.args.DeliveryKey(), res.inserted, res.err)
		}
	}
	if want := []int{5, 1, 1, 1, 1, 1}; fmt.Sprint(client.batches) != fmt.Sprint(want) {
		t.Errorf("batches %v, want %v (the batch, then each delivery alone)", client.batches, want)
	}
}
