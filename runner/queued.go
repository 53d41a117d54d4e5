package runner

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/secrets"
)

// This file is the progress comment of a command that must wait for the
// issue's active run: it says the command is queued and where it stands
// in line, as the store knows it (the active run, the jobs waiting before
// it), and the run the command starts takes the comment over, so the
// command gets one comment from queued to its end.

// queuedMarker marks the queued comment of the command of a delivery, so
// that a retry after a crash finds it instead of posting a second.
func queuedMarker(deliveryID string) string {
	return fmt.Sprintf("<!-- lifeos:progress delivery=%s -->", deliveryID)
}

// queued posts the command's queued comment, once; best effort.
func (c *commandRun) queued(ctx context.Context) {
	if c.ack.ProgressID > 0 {
		return
	}
	log := zerolog.Ctx(ctx)
	d, repo := c.job.Meta()
	marker := queuedMarker(d.ID)
	if c.ack.ProgressID < 0 {
		if id := findMarked(ctx, c.g, c.job.Number, c.r.AppSlug, marker); id != 0 {
			c.setProgress(ctx, id)
			return
		}
	}
	active, err := c.r.Store.ActiveRun(ctx, repo.FullName(), c.ack.Issue)
	if err != nil || active == nil {
		return // it is the command's turn after all: its run tells
	}
	waiting, err := c.r.Store.Waiters(ctx, repo.FullName(), c.ack.Issue)
	if err != nil {
		log.Warn().Err(err).Msg("Could not list the commands waiting on the issue")
	}
	body := queuedText(c.job.Verb, c.job.Sender, active.ID, max(slices.Index(waiting, c.jobID), 0))
	c.setProgress(ctx, -1)
	id, err := c.g.PostComment(ctx, c.job.Number, secrets.Scrub(body)+"\n\n<sub>LifeOS</sub>\n"+marker)
	if err != nil {
		log.Warn().Err(err).Msg("Could not post the queued command's progress comment")
		return
	}
	c.setProgress(ctx, id)
}

// queuedText says where a waiting command stands.
func queuedText(verb, sender string, activeRun int64, ahead int) string {
	s := fmt.Sprintf("⏳ LifeOS queued `/lifeos %s` from @%s: it starts when run %d on this issue ends.", verb, sender, activeRun)
	switch ahead {
	case 0:
	case 1:
		s += " One other command is ahead of it."
	default:
		s += fmt.Sprintf(" %d other commands are ahead of it.", ahead)
	}
	return s
}

func (c *commandRun) setProgress(ctx context.Context, id int64) {
	c.ack.ProgressID = id
	if err := c.r.Store.SetAckProgress(ctx, c.job.Delivery.ID, id); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("Could not record the queued command's progress comment")
	}
}

// say ends a woken command that starts no run: its queued comment, if it
// has one, becomes the answer; otherwise a comment is.
func (c *commandRun) say(ctx context.Context, body string) {
	if c.ack.ProgressID <= 0 {
		tell(ctx, c.g, c.job.Number, body)
		return
	}
	if err := c.g.EditComment(ctx, c.ack.ProgressID, secrets.Scrub(body)+"\n\n<sub>LifeOS</sub>\n"+queuedMarker(c.job.Delivery.ID)); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("Could not answer on the queued command's comment")
	}
}

// findMarked returns the id of the App's comment on a thread that carries
// marker, or 0.
func findMarked(ctx context.Context, g threads, number int, appSlug, marker string) int64 {
	cs, err := g.IssueComments(ctx, number)
	if err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Could not look for a progress comment")
		return 0
	}
	for _, c := range cs {
		if c.Bot && c.Author == appSlug+"[bot]" && strings.Contains(c.Body, marker) {
			return c.ID
		}
	}
	return 0
}
