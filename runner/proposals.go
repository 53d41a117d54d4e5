package runner

import (
	"context"
	"fmt"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/secrets"
	"github.com/lifeos/lifeos/store"
)

// openProposals opens the agent's proposed issues, best effort: at most
// the policy's proposals.max, and none that LifeOS proposed before while
// that issue is open or was closed lately (same normalised title or
// fingerprint). Each is recorded, so the next run knows it.
func (w *work) openProposals(ctx context.Context, proposals []agent.Proposal) {
	if len(proposals) == 0 {
		return
	}
	repo := w.req.repo.FullName()
	past, err := w.Store.Proposals(ctx, repo)
	if err != nil {
		w.log.Error().Err(err).Msg("Could not read earlier proposals; proposing nothing")
		return
	}
	opened := 0
	for _, p := range proposals {
		title := secrets.Redact(p.Title)
		d := policy.ProposalDecision(title, opened, w.state.pol.MaxProposals, w.pastMatches(ctx, title, past), w.now())
		w.decide(ctx, d)
		if !d.Allow {
			continue
		}
		number, err := w.req.gh.CreateIssue(ctx, title, secrets.Scrub(w.proposalBody(ctx, p.Body)), []string{names.ProposalLabel})
		if err != nil {
			w.log.Error().Err(err).Str("title", title).Msg("Could not open a proposed issue")
			continue
		}
		opened++
		rec := store.Proposal{Repo: repo, Fingerprint: policy.ProposalFingerprint(title), Title: title, Issue: number}
		if err := w.Store.RecordProposal(ctx, rec); err != nil {
			w.log.Error().Err(err).Int("proposal", number).Msg("Could not record a proposal")
		}
		past = append(past, rec)
		w.decide(ctx, policy.Decision{Allow: true, Rule: "autonomy", Reason: fmt.Sprintf("rung 4: proposed #%d %q", number, title)})
	}
}

// pastMatches are the earlier proposals that match title, with their
// issue's state now. An issue that cannot be read counts as open: better
// one proposal too few than a duplicate.
func (w *work) pastMatches(ctx context.Context, title string, past []store.Proposal) []policy.PastProposal {
	var out []policy.PastProposal
	for _, p := range past {
		pp := policy.PastProposal{Title: p.Title, Fingerprint: p.Fingerprint, Issue: p.Issue, Open: true}
		if !policy.MatchesProposal(title, pp) {
			continue
		}
		is, err := w.req.gh.Issue(ctx, p.Issue)
		if err == nil && is.State == "closed" {
			pp.Open, pp.ClosedAt = false, is.ClosedAt
		}
		out = append(out, pp)
	}
	return out
}

// proposalBody is a proposal's text and where it came from.
func (w *work) proposalBody(ctx context.Context, body string) string {
	from := fmt.Sprintf("while working on #%d", w.req.issueNumber)
	if sc := w.req.schedule; sc != nil {
		from = fmt.Sprintf("in a firing of the schedule `%s`", sc.Name)
	}
	cost := ""
	if micros, err := w.Store.RunCost(ctx, w.run.ID); err == nil {
		cost = fmt.Sprintf(" Reading the repository for it cost %s so far.", policy.Money(micros))
	}
	return fmt.Sprintf("%s\n\n<sub>Proposed by LifeOS in run %d %s.%s Add the `%s` label to have LifeOS do it, or close it: LifeOS will not propose it again for %d days.</sub>",
		body, w.run.ID, from, cost, w.state.pol.TriggerLabel, int(policy.ProposalMemory.Hours()/24))
}
