package gh

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/google/go-github/v89/github"

	"github.com/lifeos/lifeos/redact"
	"github.com/lifeos/lifeos/workspace"
)

// Head is a branch tip: its commit and that commit's tree.
type Head struct {
	CommitSHA string
	TreeSHA   string
}

// BranchHead reads a branch's tip. The tip's tree normally comes with the
// branch answer; where it does not (an older GitHub Enterprise, a proxy, a
// compatible server), it is read from the commit itself, because a commit
// written without its parent's tree would delete every file the agent did
// not touch.
func (r *Repo) BranchHead(ctx context.Context, branch string) (Head, error) {
	b, resp, err := r.gh.Repositories.GetBranch(ctx, r.owner, r.name, branch, 0)
	if err = withStatus(resp, err); err != nil {
		return Head{}, fmt.Errorf("get branch %s of %s: %w", branch, r, err)
	}
	c := b.GetCommit()
	h := Head{CommitSHA: c.GetSHA(), TreeSHA: c.GetCommit().GetTree().GetSHA()}
	if h.CommitSHA == "" {
		return Head{}, fmt.Errorf("get branch %s of %s: GitHub's answer names no commit", branch, r)
	}
	if h.TreeSHA == "" {
		gc, _, err := r.gh.Git.GetCommit(ctx, r.owner, r.name, h.CommitSHA)
		if err != nil {
			return Head{}, fmt.Errorf("get tree of %s@%s: %w", r, h.CommitSHA, err)
		}
		if h.TreeSHA = gc.GetTree().GetSHA(); h.TreeSHA == "" {
			return Head{}, fmt.Errorf("get tree of %s@%s: GitHub's answer names no tree", r, h.CommitSHA)
		}
	}
	return h, nil
}

// Snapshot downloads the repository's tarball at a commit, once, and hands
// the response body as it streams to unpack (workspace.Unpacker.Unpack in
// production), which owns the size cap and where the files go. The archive
// link is the one API request; the download itself goes to GitHub's archive
// host with the short-lived URL GitHub signed.
func (r *Repo) Snapshot(ctx context.Context, sha string, unpack func(io.Reader) (*workspace.Snapshot, error)) (*workspace.Snapshot, error) {
	link, resp, err := r.gh.Repositories.GetArchiveLink(ctx, r.owner, r.name, github.Tarball,
		&github.RepositoryContentGetOptions{Ref: sha}, 0)
	if err = withStatus(resp, err); err != nil {
		return nil, fmt.Errorf("get tarball link of %s@%s: %w", r, sha, err)
	}
	body, err := r.fetch(ctx, link.String())
	if err != nil {
		return nil, fmt.Errorf("download tarball of %s: %w", r, err)
	}
	defer body.Close()
	snap, err := unpack(body)
	if err != nil {
		return nil, fmt.Errorf("read tarball of %s: %w", r, err)
	}
	return snap, nil
}

// fetch GETs a signed download URL GitHub handed out. Its errors name the
// URL without its query, where the signature's token is.
func (r *Repo) fetch(ctx context.Context, url string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, redact.URLError(err)
	}
	resp, err := r.download.Do(req)
	if err != nil {
		return nil, redact.URLError(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("download answered %s", resp.Status)
	}
	return resp.Body, nil
}

// Commit writes the change set as one commit on top of parent, with the git
// data API: a tree on base_tree, then the commit. Nothing is visible on any
// branch until a ref points at it. It never writes a tree without a base:
// GitHub would make a tree of the changed files alone.
func (r *Repo) Commit(ctx context.Context, parent Head, changes []workspace.Change, message string) (string, error) {
	if parent.TreeSHA == "" {
		return "", fmt.Errorf("create tree in %s: the parent commit %s has no known tree", r, parent.CommitSHA)
	}
	entries := make([]*github.TreeEntry, 0, len(changes))
	for _, c := range changes {
		e, err := r.treeEntry(ctx, c)
		if err != nil {
			return "", err
		}
		entries = append(entries, e)
	}
	tree, _, err := r.gh.Git.CreateTree(ctx, r.owner, r.name, parent.TreeSHA, entries)
	if err != nil {
		return "", fmt.Errorf("create tree in %s: %w", r, err)
	}
	commit, _, err := r.gh.Git.CreateCommit(ctx, r.owner, r.name, github.Commit{
		Message: github.Ptr(message),
		Tree:    &github.Tree{SHA: tree.SHA},
		Parents: []*github.Commit{{SHA: github.Ptr(parent.CommitSHA)}},
	}, nil)
	if err != nil {
		return "", fmt.Errorf("create commit in %s: %w", r, err)
	}
	return commit.GetSHA(), nil
}

// treeEntry is one change as a tree entry: text inline, bytes as a blob
// first, a deletion with neither (go-github sends "sha": null).
func (r *Repo) treeEntry(ctx context.Context, c workspace.Change) (*github.TreeEntry, error) {
	e := &github.TreeEntry{Path: github.Ptr(c.Path), Mode: github.Ptr(c.Mode), Type: github.Ptr("blob")}
	if e.GetMode() == "" {
		e.Mode = github.Ptr(workspace.ModeFile)
	}
	switch {
	case c.Delete:
	case utf8.Valid(c.Content):
		e.Content = github.Ptr(string(c.Content))
	default:
		blob, _, err := r.gh.Git.CreateBlob(ctx, r.owner, r.name, github.Blob{
			Content: github.Ptr(base64.StdEncoding.EncodeToString(c.Content)), Encoding: github.Ptr("base64"),
		})
		if err != nil {
			return nil, fmt.Errorf("create blob for %s in %s: %w", c.Path, r, err)
		}
		e.SHA = blob.SHA
	}
	return e, nil
}

// CreateBranch points a new branch at sha (ErrBranchExists if it is there).
func (r *Repo) CreateBranch(ctx context.Context, branch, sha string) error {
	_, _, err := r.gh.Git.CreateRef(ctx, r.owner, r.name, github.CreateRef{Ref: "refs/heads/" + branch, SHA: sha})
	switch {
	case status(err) == http.StatusUnprocessableEntity:
		return fmt.Errorf("create branch %s in %s: %w", branch, r, ErrBranchExists)
	case err != nil:
		return fmt.Errorf("create branch %s in %s: %w", branch, r, err)
	}
	return nil
}

// MoveBranch moves a branch to sha, fast-forward only unless forced
// (ErrBranchMoved when it is not a fast-forward).
func (r *Repo) MoveBranch(ctx context.Context, branch, sha string, force bool) error {
	_, _, err := r.gh.Git.UpdateRef(ctx, r.owner, r.name, "heads/"+branch, github.UpdateRef{SHA: sha, Force: github.Ptr(force)})
	switch {
	case status(err) == http.StatusUnprocessableEntity:
		return fmt.Errorf("update branch %s in %s: %w", branch, r, ErrBranchMoved)
	case err != nil:
		return fmt.Errorf("update branch %s in %s: %w", branch, r, err)
	}
	return nil
}

// DeleteBranch deletes a branch; one already gone is not an error.
func (r *Repo) DeleteBranch(ctx context.Context, branch string) error {
	_, err := r.gh.Git.DeleteRef(ctx, r.owner, r.name, "heads/"+branch)
	if err != nil && status(err) != http.StatusUnprocessableEntity {
		return fmt.Errorf("delete branch %s in %s: %w", branch, r, err)
	}
	return nil
}

// CommitParents returns the parents of a commit, first parent first.
func (r *Repo) CommitParents(ctx context.Context, sha string) ([]string, error) {
	c, _, err := r.gh.Git.GetCommit(ctx, r.owner, r.name, sha)
	if err != nil {
		return nil, fmt.Errorf("read commit %s of %s: %w", sha, r, err)
	}
	out := make([]string, 0, len(c.Parents))
	for _, p := range c.Parents {
		out = append(out, p.GetSHA())
	}
	return out, nil
}
