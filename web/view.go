package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/names"
	"github.com/lifeos/lifeos/store"
)

// FoldChars and FoldLines say when a transcript field is folded in a
// <details>: longer than a screen of a phone.
const (
	FoldChars = 600
	FoldLines = 12
)

// runList is the /runs page and the /api/runs answer.
type runList struct {
	Viewer  viewer       `json:"-"`
	Repo    string       `json:"repo,omitempty"`
	Status  string       `json:"status,omitempty"`
	Trigger string       `json:"trigger,omitempty"`
	Repos   []string     `json:"repos"` // the repositories the viewer may see
	Runs    []runSummary `json:"runs"`
	Next    string       `json:"next,omitempty"` // the query of the next (older) page
}

// runSummary is one run as the list shows it.
type runSummary struct {
	ID          int64      `json:"id"`
	Repo        string     `json:"repo"`
	Issue       int        `json:"issue"`
	Trigger     string     `json:"trigger"`
	Actor       string     `json:"actor"`
	Status      string     `json:"status"`
	Model       string     `json:"model,omitempty"`
	Turns       int        `json:"turns"`
	TotalTokens int64      `json:"total_tokens"`
	Branch      string     `json:"branch,omitempty"`
	CommitSHA   string     `json:"commit_sha,omitempty"`
	PR          int        `json:"pr,omitempty"`
	Summary     string     `json:"summary,omitempty"`
	Error       string     `json:"error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
}

func summaryOf(r *store.Run) runSummary {
	return runSummary{ID: r.ID, Repo: r.Repo, Issue: r.IssueNumber, Trigger: r.Trigger, Actor: r.Actor, Status: r.Status,
		Model: r.Model, Turns: r.Turns, TotalTokens: r.TotalTokens, Branch: r.Branch, CommitSHA: r.CommitSHA, PR: r.PRNumber,
		Summary: r.Summary, Error: r.Error, CreatedAt: r.CreatedAt, FinishedAt: r.FinishedAt}
}

// runDetail is the /runs/{id} page and the /api/runs/{id} answer.
type runDetail struct {
	Viewer     viewer            `json:"-"`
	Run        runSummary        `json:"run"`
	Decisions  []decisionView    `json:"decisions"`
	Calls      []callView        `json:"calls"`
	CostMicros int64             `json:"cost_micros"`
	Commits    []string          `json:"commits"`
	Turns      []turnView        `json:"transcript"`
	RawLog     string            `json:"raw_transcript,omitempty"` // a transcript that is not JSON, as stored
	WebURL     string            `json:"-"`
	Links      map[string]string `json:"links"`
}

type decisionView struct {
	Seq    int    `json:"seq"`
	Allow  bool   `json:"allow"`
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

type callView struct {
	Seq              int    `json:"seq"`
	Model            string `json:"model"`
	PromptTokens     int64  `json:"prompt_tokens"`
	CompletionTokens int64  `json:"completion_tokens"`
	TotalTokens      int64  `json:"total_tokens"`
	CostMicros       int64  `json:"cost_micros"`
}

// turnView is one model turn's entries (turn 0: the opening messages).
type turnView struct {
	Turn    int           `json:"turn"`
	Entries []agent.Entry `json:"entries"`
}

// gather reads everything the run page shows.
func (h *Handler) gather(r *http.Request, run *store.Run) (*runDetail, error) {
	ctx := r.Context()
	d := &runDetail{Run: summaryOf(run), WebURL: strings.TrimSuffix(h.cfg.WebURL, "/"), Links: map[string]string{}}
	decisions, err := h.cfg.Store.Decisions(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	for _, x := range decisions {
		d.Decisions = append(d.Decisions, decisionView{Seq: x.Seq, Allow: x.Allow, Rule: x.Rule, Reason: x.Reason})
	}
	calls, err := h.cfg.Store.CallCosts(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range calls {
		d.Calls = append(d.Calls, callView{Seq: c.Seq, Model: c.Model, PromptTokens: c.PromptTokens,
			CompletionTokens: c.CompletionTokens, TotalTokens: c.TotalTokens, CostMicros: c.CostMicros})
	}
	if d.CostMicros, err = h.cfg.Store.RunCost(ctx, run.ID); err != nil {
		return nil, err
	}
	if d.Commits, err = h.cfg.Store.RunCommits(ctx, run.ID); err != nil {
		return nil, err
	}
	d.Turns, d.RawLog = turnsOf(run.Transcript)
	if run.PRNumber > 0 {
		d.Links["pr"] = fmt.Sprintf("%s/%s/pull/%d", d.WebURL, run.Repo, run.PRNumber)
	}
	if !names.IsScheduleSubject(run.IssueNumber) { // a schedule's run has no issue
		d.Links["issue"] = fmt.Sprintf("%s/%s/issues/%d", d.WebURL, run.Repo, run.IssueNumber)
	}
	return d, nil
}

// turnsOf groups a stored transcript by turn; a transcript that is not the
// agent's JSON comes back as raw text.
func turnsOf(transcript string) ([]turnView, string) {
	if strings.TrimSpace(transcript) == "" {
		return nil, ""
	}
	var entries []agent.Entry
	if err := json.Unmarshal([]byte(transcript), &entries); err != nil {
		return nil, transcript
	}
	var out []turnView
	for _, e := range entries {
		if len(out) == 0 || out[len(out)-1].Turn != e.Turn {
			out = append(out, turnView{Turn: e.Turn})
		}
		out[len(out)-1].Entries = append(out[len(out)-1].Entries, e)
	}
	return out, ""
}

// funcs are the templates' helpers; none returns unescaped HTML.
var funcs = template.FuncMap{
	"long": func(s string) bool { return len(s) > FoldChars || strings.Count(s, "\n") >= FoldLines },
	"dollars": func(micros int64) string {
		return fmt.Sprintf("$%d.%06d", micros/1_000_000, micros%1_000_000)
	},
	"short": func(sha string) string {
		if len(sha) > 12 {
			return sha[:12]
		}
		return sha
	},
	"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"first": func(s string) string {
		line, _, _ := strings.Cut(s, "\n")
		if r := []rune(line); len(r) > 80 {
			line = string(r[:80]) + "…"
		}
		return line
	},
}

// style serves the pages' small stylesheet.
func (h *Handler) style(w http.ResponseWriter, _ *http.Request) {
	b, err := templateFiles.ReadFile("templates/style.css")
	if err != nil {
		http.NotFound(w, nil)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	_, _ = w.Write(b)
}
