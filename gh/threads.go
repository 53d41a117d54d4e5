package gh

import (
	"context"
	"fmt"
	"time"

	"github.com/google/go-github/v89/github"
)

// Issue is an issue's text.
type Issue struct {
	Number              int
	Title, Body, Author string
	// State is "open" or "closed"; ClosedAt is when it closed, if it did.
	State    string
	ClosedAt time.Time
}

// Comment is a comment on an issue or pull request, or an inline review
// comment (with its path and line).
type Comment struct {
	// ID is the comment's id (issue comments only), for EditComment.
	ID     int64
	Author string
	// Bot marks comments by bots, the App included.
	Bot  bool
	Body string
	Path string
	Line int
}

// MaxCommentPages bounds how much of a long thread is read (100 a page).
const MaxCommentPages = 5

// Issue reads an issue.
func (r *Repo) Issue(ctx context.Context, number int) (Issue, error) {
	is, _, err := r.gh.Issues.Get(ctx, r.owner, r.name, number)
	if err != nil {
		return Issue{}, fmt.Errorf("get issue %s#%d: %w", r, number, err)
	}
	return Issue{Number: is.GetNumber(), Title: is.GetTitle(), Body: is.GetBody(), Author: is.GetUser().GetLogin(),
		State: is.GetState(), ClosedAt: is.GetClosedAt().Time}, nil
}

// IssueComments reads an issue's comments, up to MaxCommentPages pages.
func (r *Repo) IssueComments(ctx context.Context, number int) ([]Comment, error) {
	var out []Comment
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for page := 0; page < MaxCommentPages; page++ {
		cs, resp, err := r.gh.Issues.ListComments(ctx, r.owner, r.name, number, opts)
		if err != nil {
			return nil, fmt.Errorf("list comments of %s#%d: %w", r, number, err)
		}
		for _, c := range cs {
			out = append(out, Comment{ID: c.GetID(), Author: c.GetUser().GetLogin(), Bot: c.GetUser().GetType() == "Bot", Body: c.GetBody()})
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return out, nil
}

// ReviewComments reads a pull request's inline review comments, every
// page up to MaxCommentPages: all of the PR's, or one review's when
// reviewID is set.
func (r *Repo) ReviewComments(ctx context.Context, pr int, reviewID int64) ([]Comment, error) {
	var out []Comment
	opts := github.ListOptions{PerPage: 100}
	for page := 0; page < MaxCommentPages; page++ {
		var cs []*github.PullRequestComment
		var resp *github.Response
		var err error
		if reviewID != 0 {
			cs, resp, err = r.gh.PullRequests.ListReviewComments(ctx, r.owner, r.name, pr, reviewID, &opts)
		} else {
			cs, resp, err = r.gh.PullRequests.ListComments(ctx, r.owner, r.name, pr, &github.PullRequestListCommentsOptions{ListOptions: opts})
		}
		if err != nil {
			return nil, fmt.Errorf("list review comments of %s#%d: %w", r, pr, err)
		}
		for _, c := range cs {
			line := c.GetLine()
			if line == 0 {
				line = c.GetOriginalLine()
			}
			out = append(out, Comment{Author: c.GetUser().GetLogin(), Bot: c.GetUser().GetType() == "Bot",
				Body: c.GetBody(), Path: c.GetPath(), Line: line})
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return out, nil
}

// Comment posts a comment on an issue or pull request.
func (r *Repo) Comment(ctx context.Context, number int, body string) error {
	if _, _, err := r.gh.Issues.CreateComment(ctx, r.owner, r.name, number, &github.IssueComment{Body: github.Ptr(body)}); err != nil {
		return fmt.Errorf("comment on %s#%d: %w", r, number, err)
	}
	return nil
}

// PostComment posts a comment on an issue or pull request and returns its
// id, for EditComment.
func (r *Repo) PostComment(ctx context.Context, number int, body string) (int64, error) {
	c, _, err := r.gh.Issues.CreateComment(ctx, r.owner, r.name, number, &github.IssueComment{Body: github.Ptr(body)})
	if err != nil {
		return 0, fmt.Errorf("comment on %s#%d: %w", r, number, err)
	}
	return c.GetID(), nil
}

// EditComment replaces the body of an issue or pull request comment.
func (r *Repo) EditComment(ctx context.Context, id int64, body string) error {
	if _, _, err := r.gh.Issues.EditComment(ctx, r.owner, r.name, id, &github.IssueComment{Body: github.Ptr(body)}); err != nil {
		return fmt.Errorf("edit comment %d in %s: %w", id, r, err)
	}
	return nil
}

// React adds a reaction ("eyes", "+1", ...) to an issue comment.
func (r *Repo) React(ctx context.Context, commentID int64, content string) error {
	if _, _, err := r.gh.Reactions.CreateIssueCommentReaction(ctx, r.owner, r.name, commentID, content); err != nil {
		return fmt.Errorf("react to comment %d in %s: %w", commentID, r, err)
	}
	return nil
}

// CreateIssue opens an issue and returns its number.
func (r *Repo) CreateIssue(ctx context.Context, title, body string, labels []string) (int, error) {
	is, _, err := r.gh.Issues.Create(ctx, r.owner, r.name, &github.IssueRequest{
		Title: github.Ptr(title), Body: github.Ptr(body), Labels: &labels,
	})
	if err != nil {
		return 0, fmt.Errorf("open issue %q in %s: %w", title, r, err)
	}
	return is.GetNumber(), nil
}
