package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/google/go-github/v89/github"

	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/workspace"
)

// repoRef names a repository on GitHub.
type repoRef struct {
	Owner, Name string
}

func (r repoRef) String() string { return r.Owner + "/" + r.Name }

// role asks GitHub which role a user holds on the repo. role_name tells
// maintain from write and triage from read; a custom repository role comes
// back under its own name, so its base permission decides instead.
func role(ctx context.Context, gh *github.Client, repo repoRef, login string) (string, error) {
	lvl, resp, err := gh.Repositories.GetPermissionLevel(ctx, repo.Owner, repo.Name, login)
	if err != nil {
		// GitHub answers 404 for a login that is not a user of the repo.
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return "none", nil
		}
		return "", fmt.Errorf("get permission of %s on %s: %w", login, repo, err)
	}
	return policy.RoleOf(lvl.GetRoleName(), lvl.GetPermission()), nil
}

// head is a branch tip: its commit and that commit's tree.
type head struct {
	CommitSHA string
	TreeSHA   string
}

// branchHead reads a branch's tip. The tip's tree normally comes with the
// branch answer; where it does not (an older GitHub Enterprise, a proxy, a
// compatible server), it is read from the commit itself, because a commit
// written without its parent's tree would delete every file the agent did
// not touch.
func branchHead(ctx context.Context, gh *github.Client, repo repoRef, branch string) (head, error) {
	b, _, err := gh.Repositories.GetBranch(ctx, repo.Owner, repo.Name, branch, 0)
	if err != nil {
		return head{}, fmt.Errorf("get branch %s of %s: %w", branch, repo, err)
	}
	c := b.GetCommit()
	h := head{CommitSHA: c.GetSHA(), TreeSHA: c.GetCommit().GetTree().GetSHA()}
	if h.CommitSHA == "" {
		return head{}, fmt.Errorf("get branch %s of %s: GitHub's answer names no commit", branch, repo)
	}
	if h.TreeSHA == "" {
		gc, _, err := gh.Git.GetCommit(ctx, repo.Owner, repo.Name, h.CommitSHA)
		if err != nil {
			return head{}, fmt.Errorf("get tree of %s@%s: %w", repo, h.CommitSHA, err)
		}
		if h.TreeSHA = gc.GetTree().GetSHA(); h.TreeSHA == "" {
			return head{}, fmt.Errorf("get tree of %s@%s: GitHub's answer names no tree", repo, h.CommitSHA)
		}
	}
	return h, nil
}

// snapshot downloads the repo's tarball at a commit, once, into memory. The
// archive link is the one API request; the download itself goes to GitHub's
// archive host with the short-lived URL GitHub signed.
func snapshot(ctx context.Context, gh *github.Client, dl *http.Client, repo repoRef, sha string, maxBytes int64) (*workspace.Snapshot, error) {
	link, _, err := gh.Repositories.GetArchiveLink(ctx, repo.Owner, repo.Name, github.Tarball,
		&github.RepositoryContentGetOptions{Ref: sha}, 0)
	if err != nil {
		return nil, fmt.Errorf("get tarball link of %s@%s: %w", repo, sha, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("download tarball of %s: %w", repo, err)
	}
	resp, err := dl.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download tarball of %s: %w", repo, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download tarball of %s: %s", repo, resp.Status)
	}
	// Compressed data is never larger than what it unpacks to, bar headers.
	snap, err := workspace.LoadTarball(io.LimitReader(resp.Body, maxBytes+1<<20), maxBytes)
	if err != nil {
		return nil, fmt.Errorf("read tarball of %s: %w", repo, err)
	}
	return snap, nil
}

// commitChanges writes the change set as one commit on top of parent, with
// the git data API: a tree on base_tree, then the commit. Nothing is visible
// on any branch until a ref points at it.
func commitChanges(ctx context.Context, gh *github.Client, repo repoRef, parent head, changes []workspace.Change, message string) (string, error) {
	entries := make([]*github.TreeEntry, 0, len(changes))
	for _, c := range changes {
		e := &github.TreeEntry{Path: github.Ptr(c.Path), Mode: github.Ptr(c.Mode), Type: github.Ptr("blob")}
		if e.GetMode() == "" {
			e.Mode = github.Ptr("100644")
		}
		switch {
		case c.Delete:
			// SHA and Content both nil: go-github sends "sha": null.
		case utf8.Valid(c.Content):
			e.Content = github.Ptr(string(c.Content))
		default:
			// Tree entries carry text; bytes go up as a base64 blob first.
			blob, _, err := gh.Git.CreateBlob(ctx, repo.Owner, repo.Name, github.Blob{
				Content: github.Ptr(encodeBase64(c.Content)), Encoding: github.Ptr("base64"),
			})
			if err != nil {
				return "", fmt.Errorf("create blob for %s in %s: %w", c.Path, repo, err)
			}
			e.SHA = blob.SHA
		}
		entries = append(entries, e)
	}
	if parent.TreeSHA == "" {
		// Without base_tree GitHub makes a tree of the entries alone.
		return "", fmt.Errorf("create tree in %s: the parent commit %s has no known tree", repo, parent.CommitSHA)
	}
	tree, _, err := gh.Git.CreateTree(ctx, repo.Owner, repo.Name, parent.TreeSHA, entries)
	if err != nil {
		return "", fmt.Errorf("create tree in %s: %w", repo, err)
	}
	commit, _, err := gh.Git.CreateCommit(ctx, repo.Owner, repo.Name, github.Commit{
		Message: github.Ptr(message),
		Tree:    &github.Tree{SHA: tree.SHA},
		Parents: []*github.Commit{{SHA: github.Ptr(parent.CommitSHA)}},
	}, nil)
	if err != nil {
		return "", fmt.Errorf("create commit in %s: %w", repo, err)
	}
	return commit.GetSHA(), nil
}

// errBranchExists means the branch is there already, made by someone or
// something LifeOS has no record of.
var errBranchExists = errors.New("branch already exists")

// errBranchMoved means the branch gained commits while the agent worked.
var errBranchMoved = errors.New("branch moved while the agent worked")

// createBranch points a new branch at sha.
func createBranch(ctx context.Context, gh *github.Client, repo repoRef, branch, sha string) error {
	_, resp, err := gh.Git.CreateRef(ctx, repo.Owner, repo.Name, github.CreateRef{Ref: "refs/heads/" + branch, SHA: sha})
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnprocessableEntity {
			return fmt.Errorf("create branch %s in %s: %w", branch, repo, errBranchExists)
		}
		return fmt.Errorf("create branch %s in %s: %w", branch, repo, err)
	}
	return nil
}

// advanceBranch moves a branch to sha, fast-forward only (or forced).
func advanceBranch(ctx context.Context, gh *github.Client, repo repoRef, branch, sha string, force bool) error {
	_, resp, err := gh.Git.UpdateRef(ctx, repo.Owner, repo.Name, "heads/"+branch, github.UpdateRef{SHA: sha, Force: github.Ptr(force)})
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnprocessableEntity {
			return fmt.Errorf("update branch %s in %s: %w", branch, repo, errBranchMoved)
		}
		return fmt.Errorf("update branch %s in %s: %w", branch, repo, err)
	}
	return nil
}

// openPull returns the open pull request from branch into base, or nil.
func openPull(ctx context.Context, gh *github.Client, repo repoRef, branch, base string) (*github.PullRequest, error) {
	prs, _, err := gh.PullRequests.List(ctx, repo.Owner, repo.Name, &github.PullRequestListOptions{
		State: "open", Head: repo.Owner + ":" + branch, Base: base,
	})
	if err != nil {
		return nil, fmt.Errorf("list pull requests of %s from %s: %w", repo, branch, err)
	}
	if len(prs) == 0 {
		return nil, nil
	}
	return prs[0], nil
}

func comment(ctx context.Context, gh *github.Client, repo repoRef, number int, body string) (*github.IssueComment, error) {
	c, _, err := gh.Issues.CreateComment(ctx, repo.Owner, repo.Name, number, &github.IssueComment{Body: github.Ptr(body)})
	if err != nil {
		return nil, fmt.Errorf("comment on %s#%d: %w", repo, number, err)
	}
	return c, nil
}
