package webhook

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"
	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/queue"
)

// Enqueuer durably queues a job; false means the job was a duplicate (the
// same delivery was queued before).
type Enqueuer interface {
	Enqueue(ctx context.Context, job queue.Args) (bool, error)
}

// Deliveries counts each delivery's outcome at intake: "queued" or
// "ignored" (a duplicate counts as ignored). The server counts the
// refused ones, which never reach a handler or fail in it.
type Deliveries interface {
	Delivery(event, outcome string)
}

// noDeliveries counts nothing.
type noDeliveries struct{}

func (noDeliveries) Delivery(string, string) {}

// Intake is what every event handler shares: where jobs go, what triage
// knows about the server, and the clock that stamps a delivery.
type Intake struct {
	Queue  Enqueuer
	Config Config
	// Now stamps each delivery's QueuedAt; nil means time.Now.
	Now func() time.Time
	// Metrics counts the deliveries; nil counts nothing.
	Metrics Deliveries
}

func (in Intake) metrics() Deliveries {
	if in.Metrics == nil {
		return noDeliveries{}
	}
	return in.Metrics
}

func (in Intake) now() time.Time {
	if in.Now == nil {
		return time.Now().UTC()
	}
	return in.Now().UTC()
}

// All returns one handler per event LifeOS takes, each sharing in. The
// events they handle are the events the App must subscribe to (app.yml's
// default_events); a test checks that the two agree.
func All(in Intake) []githubapp.EventHandler {
	return []githubapp.EventHandler{
		&handler{Intake: in, event: "issues", triage: triageIssues},
		&handler{Intake: in, event: "issue_comment", triage: triageIssueComment},
		&handler{Intake: in, event: "pull_request_review", triage: triagePullRequestReview},
		&handler{Intake: in, event: "check_suite", triage: triageCheckSuite},
		&handler{Intake: in, event: "workflow_run", triage: triageWorkflowRun},
		&handler{Intake: in, event: "status", triage: triageStatus},
		&handler{Intake: in, event: "pull_request", triage: triagePullRequest},
		&handler{Intake: in, event: "push", triage: triagePush},
		&handler{Intake: in, event: "installation", triage: triageInstallation},
		&handler{Intake: in, event: "installation_repositories", triage: triageInstallationRepositories},
	}
}

// AlwaysDelivered are the events GitHub sends every App without a
// subscription (app.yml cannot list them).
var AlwaysDelivered = []string{"installation", "installation_repositories"}

// Subscribed lists the events of Events an App must subscribe to: all
// but AlwaysDelivered.
func Subscribed() []string {
	var out []string
	for _, ev := range Events() {
		if !slices.Contains(AlwaysDelivered, ev) {
			out = append(out, ev)
		}
	}
	return out
}

// Events lists the webhook events the handlers in All handle, in their
// order, without repeats.
func Events() []string {
	var out []string
	seen := map[string]bool{}
	for _, h := range All(Intake{}) {
		for _, ev := range h.Handles() {
			if !seen[ev] {
				seen[ev] = true
				out = append(out, ev)
			}
		}
	}
	return out
}

// handler is the event handler of one event: the handlers of different
// events differ only in the event's name and its triage function.
type handler struct {
	Intake
	event  string
	triage triageFunc
}

// Handles names the one event this handler takes.
func (h *handler) Handles() []string { return []string{h.event} }

// Handle triages the delivery and queues its job, if it is work. Ignored
// deliveries cost a short scan of the fields that decide.
func (h *handler) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	logger := zerolog.Ctx(ctx).With().Str("delivery", deliveryID).Logger()
	job, reason := h.triage(deliveryOf(eventType, deliveryID, h.now()), payload, h.Config)
	if job == nil {
		logger.Debug().Str("reason", reason).Msg("Delivery ignored")
		h.metrics().Delivery(eventType, "ignored")
		return nil
	}
	_, repo := job.Meta()
	logger = logger.With().Str("repo", repo.FullName()).Int("issue", job.Subject()).Logger()
	// Only work pays for a full scan: a job must not come from a payload
	// that gjson read leniently past a break.
	if !gjson.ValidBytes(payload) {
		return githubapp.ValidationError{EventType: eventType, DeliveryID: deliveryID,
			Cause: fmt.Errorf("%s payload is not valid JSON", eventType)}
	}
	inserted, err := h.Queue.Enqueue(ctx, job)
	if err != nil {
		return fmt.Errorf("queue %s job for %s delivery %s on %s: %w", job.Kind(), eventType, deliveryID, repo.FullName(), err)
	}
	logger.Info().Str("kind", job.Kind()).Bool("queued", inserted).Msg("Delivery queued")
	if inserted {
		h.metrics().Delivery(eventType, "queued")
	} else {
		h.metrics().Delivery(eventType, "ignored")
	}
	return nil
}

var _ githubapp.EventHandler = (*handler)(nil)
