package queue

import (
	"encoding/json"
	"time"

	"github.com/riverqueue/river"
)

// RunMaxAttempts bounds how often a run job is tried: a crash or deploy
// mid-run retries it, a run that keeps failing on GitHub's side stops.
const RunMaxAttempts = 3

// EventArgs is the job for one webhook delivery LifeOS acts on. The
// handler stores the raw payload; the worker decodes it in full.
type EventArgs struct {
	Event          string          `json:"event"`
	DeliveryID     string          `json:"delivery_id" river:"unique"`
	InstallationID int64           `json:"installation_id"`
	Repo           string          `json:"repo"`
	Issue          int             `json:"issue"`
	Payload        json.RawMessage `json:"payload"`
	QueuedAt       time.Time       `json:"queued_at"`
}

// Kind names the job in River's tables.
func (EventArgs) Kind() string { return "lifeos_event" }

// InsertOpts makes a delivery unique: GitHub's redelivery of the same
// X-GitHub-Delivery is not queued twice.
func (EventArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		MaxAttempts: RunMaxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
}

// DeliveryKey is the delivery the job came from.
func (a EventArgs) DeliveryKey() string { return a.DeliveryID }
