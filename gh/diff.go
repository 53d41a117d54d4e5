package gh

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/go-github/v89/github"
)

// Limits of GitHub's answers past which a diff or a commit list is cut
// short: GitHub lists at most 300 files of a comparison and 250 commits of
// a pull request.
const (
	compareFileLimit = 300
	pullCommitLimit  = 250
)

// ErrTooLarge means GitHub's answer was cut short (too many files or
// commits), so the whole change cannot be judged from it.
var ErrTooLarge = errors.New("too large for GitHub to list in full")

// DiffFile is one file of a comparison between two commits, with GitHub's
// line counts. PreviousPath is set for a renamed file.
type DiffFile struct {
	Path         string
	PreviousPath string
	Status       string // "added", "removed", "modified", "renamed", ...
	Additions    int
	Deletions    int
}

// Compare lists the files that differ between base's merge base with head
// and head (GET /repos/{o}/{r}/compare/{base}...{head}): a pull request's
// real diff. GitHub lists the files on the first page only; a list at
// GitHub's limit may be cut short, so it is an ErrTooLarge.
func (r *Repo) Compare(ctx context.Context, base, head string) ([]DiffFile, error) {
	cmp, _, err := r.gh.Repositories.CompareCommits(ctx, r.owner, r.name, base, head, &github.ListOptions{PerPage: 1})
	if err != nil {
		return nil, fmt.Errorf("compare %s...%s in %s: %w", base, head, r, err)
	}
	if len(cmp.Files) >= compareFileLimit {
		return nil, fmt.Errorf("compare %s...%s in %s: %d files: %w", base, head, r, len(cmp.Files), ErrTooLarge)
	}
	out := make([]DiffFile, 0, len(cmp.Files))
	for _, f := range cmp.Files {
		out = append(out, DiffFile{Path: f.GetFilename(), PreviousPath: f.GetPreviousFilename(), Status: f.GetStatus(),
			Additions: f.GetAdditions(), Deletions: f.GetDeletions()})
	}
	return out, nil
}

// PullCommit is one commit of a pull request, with the GitHub accounts
// GitHub matched to its author and committer ("" when none).
type PullCommit struct {
	SHA       string
	Author    string
	Committer string
}

// PullCommits lists every commit of a pull request, oldest first, page by
// page. GitHub lists at most 250; a list at that limit may be cut short, so
// it is an ErrTooLarge.
func (r *Repo) PullCommits(ctx context.Context, number int) ([]PullCommit, error) {
	var out []PullCommit
	opts := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := r.gh.PullRequests.ListCommits(ctx, r.owner, r.name, number, opts)
		if err != nil {
			return nil, fmt.Errorf("list commits of %s#%d: %w", r, number, err)
		}
		for _, c := range page {
			out = append(out, PullCommit{SHA: c.GetSHA(), Author: c.GetAuthor().GetLogin(), Committer: c.GetCommitter().GetLogin()})
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(out) >= pullCommitLimit {
		return nil, fmt.Errorf("list commits of %s#%d: %d commits: %w", r, number, len(out), ErrTooLarge)
	}
	return out, nil
}
