package gh

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/go-github/v89/github"
)

// Pull is a pull request.
type Pull struct {
	Number  int
	Title   string
	State   string // "open" or "closed"
	HeadRef string
	HeadSHA string
	BaseRef string
	Author  string
	// HeadRepo is the full name ("owner/name") of the repository the head
	// branch is in: another than the base's for a fork's PR, "" when
	// the fork was deleted.
	HeadRepo string
	// NodeID is its GraphQL id (MarkPullReady takes it).
	NodeID string
	Draft  bool
	// Merged marks a merged pull request; MergeCommitSHA is the commit
	// its merge made on the base.
	Merged         bool
	MergeCommitSHA string
}

// pullOf is go-github's pull request as a Pull.
func pullOf(pr *github.PullRequest) Pull {
	return Pull{Number: pr.GetNumber(), Title: pr.GetTitle(), State: pr.GetState(),
		HeadRef: pr.GetHead().GetRef(), HeadSHA: pr.GetHead().GetSHA(), BaseRef: pr.GetBase().GetRef(),
		Author: pr.GetUser().GetLogin(), HeadRepo: pr.GetHead().GetRepo().GetFullName(),
		NodeID: pr.GetNodeID(), Draft: pr.GetDraft(), Merged: pr.GetMerged(), MergeCommitSHA: pr.GetMergeCommitSHA()}
}

// Pull reads a pull request.
func (r *Repo) Pull(ctx context.Context, number int) (Pull, error) {
	pr, _, err := r.gh.PullRequests.Get(ctx, r.owner, r.name, number)
	if err != nil {
		return Pull{}, fmt.Errorf("get pull request %s#%d: %w", r, number, err)
	}
	return pullOf(pr), nil
}

// OpenPull returns the open pull request from branch into base, or nil.
func (r *Repo) OpenPull(ctx context.Context, branch, base string) (*Pull, error) {
	prs, _, err := r.gh.PullRequests.List(ctx, r.owner, r.name, &github.PullRequestListOptions{
		State: "open", Head: r.owner + ":" + branch, Base: base,
	})
	if err != nil {
		return nil, fmt.Errorf("list pull requests of %s from %s: %w", r, branch, err)
	}
	if len(prs) == 0 {
		return nil, nil
	}
	p := pullOf(prs[0])
	return &p, nil
}

// NewPull is a pull request to open.
type NewPull struct {
	Title, Head, Base, Body string
	// Draft opens it as a draft, to be marked ready (MarkPullReady).
	Draft bool
}

// CreatePull opens a pull request. GitHub refuses a second one for the same
// head and base; then the open one is returned, so a repeated write does
// not fail.
func (r *Repo) CreatePull(ctx context.Context, np NewPull) (Pull, error) {
	pr, _, err := r.gh.PullRequests.Create(ctx, r.owner, r.name, &github.NewPullRequest{
		Title: github.Ptr(np.Title), Head: github.Ptr(np.Head), Base: github.Ptr(np.Base), Body: github.Ptr(np.Body),
		Draft: github.Ptr(np.Draft),
	})
	if err == nil {
		return pullOf(pr), nil
	}
	if status(err) == http.StatusUnprocessableEntity {
		if open, lerr := r.OpenPull(ctx, np.Head, np.Base); lerr == nil && open != nil {
			return *open, nil
		}
	}
	return Pull{}, fmt.Errorf("create pull request from %s in %s: %w", np.Head, r, err)
}

// Merge squash-merges a pull request at sha (GitHub refuses if the head
// moved) and returns the merge commit.
func (r *Repo) Merge(ctx context.Context, number int, sha, title string) (string, error) {
	res, _, err := r.gh.PullRequests.Merge(ctx, r.owner, r.name, number, title,
		&github.PullRequestOptions{SHA: sha, MergeMethod: "squash"})
	if err != nil {
		return "", fmt.Errorf("merge %s#%d: %w", r, number, err)
	}
	return res.GetSHA(), nil
}
