package runner

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/secrets"
	"github.com/lifeos/lifeos/store"
)

// This file is a run's progress comment: one comment on the thread,
// posted when the run starts and edited in place as it moves (reading the
// repository, each model turn, the commit), and finally to the run's end
// in plain words. Edits are throttled; the final state is always written.

// DefaultProgressInterval is the least time between two edits of a
// progress comment: GitHub limits how fast an App creates and edits
// content, and a person reads no faster. An edit that comes sooner is held
// and written when the interval is over, unless a newer state replaces it.
const DefaultProgressInterval = 3 * time.Second

// progressWriteTimeout bounds one edit of the progress comment.
const progressWriteTimeout = 30 * time.Second

// progressMarker marks run id's progress comment, so that a resumed run
// finds it again instead of posting a second.
func progressMarker(runID int64) string {
	return fmt.Sprintf("<!-- lifeos:progress run=%d -->", runID)
}

// progress is one run's progress comment. Its methods are safe to call on
// a nil progress (the run has no comment): they do nothing.
type progress struct {
	mu       sync.Mutex
	g        reports
	log      zerolog.Logger
	ctx      context.Context // for the held edit, which outlives no run
	id       int64
	interval time.Duration
	last     time.Time
	pending  string
	timer    *time.Timer
	done     bool
}

// update edits the comment to body, at most once an interval: a sooner
// state is held for the interval's end, replaced by any newer one.
func (p *progress) update(body string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	if wait := time.Until(p.last.Add(p.interval)); wait > 0 {
		p.pending = body
		if p.timer == nil {
			p.timer = time.AfterFunc(wait, p.flush)
		}
		return
	}
	p.write(p.ctx, body)
}

// flush writes the held state, if it is still the latest.
func (p *progress) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.timer = nil
	if !p.done && p.pending != "" {
		p.write(p.ctx, p.pending)
	}
}

// write edits the comment, best effort; the lock is held.
func (p *progress) write(ctx context.Context, body string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), progressWriteTimeout)
	defer cancel()
	p.pending, p.last = "", time.Now()
	if err := p.g.EditComment(ctx, p.id, body); err != nil {
		p.log.Warn().Err(err).Int64("comment", p.id).Msg("Could not edit the progress comment")
	}
}

// finish writes the final state, whatever the interval, and stops any
// later edit. Its error is the caller's to handle.
func (p *progress) finish(ctx context.Context, body string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopLocked()
	p.last = time.Now()
	return p.g.EditComment(ctx, p.id, body)
}

// stop drops a held edit: the run's work has returned.
func (p *progress) stop() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopLocked()
}

func (p *progress) stopLocked() {
	p.done, p.pending = true, ""
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
}

// newProgress is a progress comment yet to be posted or found.
func (w *work) newProgress(ctx context.Context) *progress {
	p := &progress{g: w.req.gh, log: w.log, ctx: ctx, interval: w.ProgressInterval, last: time.Now()}
	if p.interval <= 0 {
		p.interval = DefaultProgressInterval
	}
	return p
}

// adoptQueued makes the comment that said the run's command was queued
// the run's progress comment, from the run's first step: however the run
// ends, that comment tells it.
func (w *work) adoptQueued(ctx context.Context) {
	if w.req.progressID <= 0 {
		return
	}
	p := w.newProgress(ctx)
	p.id, w.progress = w.req.progressID, p
	w.recordStep(ctx, store.StepProgress, strconv.FormatInt(p.id, 10))
}

// openProgress posts the run's progress comment, or takes up the one an
// earlier attempt of the run posted: its id is a recorded step, or (when
// the attempt died between posting and recording) the thread holds the
// App's comment with the run's marker. Best effort: a run without one
// tells its end in a comment of its own.
func (w *work) openProgress(ctx context.Context, state string) {
	if w.progress != nil {
		w.progress.update(w.progressBody(state))
		return
	}
	if w.req.schedule != nil || w.req.replyTo <= 0 {
		return // a schedule's firing posts only what it changed: its PR
	}
	p := w.newProgress(ctx)
	if id, err := strconv.ParseInt(w.state.steps[store.StepProgress], 10, 64); err == nil && id > 0 {
		p.id, w.progress = id, p
		p.update(w.progressBody(state))
		return
	}
	if w.state.steps[store.StepProgressPosting] != "" {
		if id := findMarked(ctx, w.req.gh, w.req.replyTo, w.AppSlug, progressMarker(w.run.ID)); id != 0 {
			p.id, w.progress = id, p
			w.recordStep(ctx, store.StepProgress, strconv.FormatInt(id, 10))
			p.update(w.progressBody(state))
			return
		}
	}
	w.recordStep(ctx, store.StepProgressPosting, strconv.Itoa(w.req.replyTo))
	id, err := w.req.gh.PostComment(ctx, w.req.replyTo, w.progressBody(state))
	if err != nil {
		w.log.Warn().Err(err).Msg("Could not post the progress comment")
		return
	}
	p.id, w.progress = id, p
	w.recordStep(ctx, store.StepProgress, strconv.FormatInt(id, 10))
}

// progressBody is a state the run is in, with the link to its page and
// the marker.
func (w *work) progressBody(state string) string {
	return w.progressText(w.run.ID, state)
}

// progressText is run id's progress comment in a state: the state, a
// footer naming the run (linking its page when the server's public URL is
// set) and the marker.
func (r *Runner) progressText(id int64, state string) string {
	name := fmt.Sprintf("LifeOS run %d", id)
	if u := r.runPage(id); u != "" {
		name = fmt.Sprintf("[%s](%s)", name, u)
	}
	return secrets.Scrub(state) + "\n\n<sub>" + name + "</sub>\n" + progressMarker(id)
}

// runPage is the URL of run id's page, or "" when no public URL is set.
func (r *Runner) runPage(id int64) string {
	if r.PublicURL == "" {
		return ""
	}
	return fmt.Sprintf("%s/runs/%d", strings.TrimSuffix(r.PublicURL, "/"), id)
}

// progressWorking tells the agent's turn, tokens and cost so far.
func (w *work) progressWorking(turn int, tokens int64, cost policy.Money) {
	of := ""
	if max := w.state.limits.MaxTurns; max > 0 {
		of = fmt.Sprintf(" of %d", max)
	}
	w.progress.update(w.progressBody(fmt.Sprintf("⏳ LifeOS is working: turn %d%s, %d tokens, %s so far.", turn, of, tokens, cost)))
}

// sayEnd writes a run's final state: the progress comment becomes it, or,
// for a run without one, a comment says it. A failed edit is logged: the
// run's record holds the outcome.
func (w *work) sayEnd(ctx context.Context, body string) {
	if w.progress == nil {
		tell(ctx, w.req.gh, w.req.replyTo, body)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), progressWriteTimeout)
	defer cancel()
	if err := w.progress.finish(ctx, w.progressBody(body)); err != nil {
		w.log.Error().Err(err).Msg("Could not write the run's end on its progress comment")
	}
}

// endProgress writes a run's end on its progress comment when an earlier
// attempt recorded one; it reports whether it did, so that the caller
// comments otherwise.
func (r *Runner) endProgress(ctx context.Context, g reports, run *store.Run, body string) bool {
	steps, err := r.Store.RunSteps(ctx, run.ID)
	if err != nil {
		return false
	}
	id, err := strconv.ParseInt(steps[store.StepProgress], 10, 64)
	if err != nil || id <= 0 {
		return false
	}
	if err := g.EditComment(ctx, id, r.progressText(run.ID, body)); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("Could not write the run's end on its progress comment")
	}
	return true
}
