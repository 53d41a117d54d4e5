package gh

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/lifeos/lifeos/workspace"
)

// MaxOneRequestCommitBytes bounds the contents a commit sends in one
// GraphQL request: GitHub caps a GraphQL request's size, and base64 adds a
// third. A bigger change set goes through the git data API, blob by blob.
const MaxOneRequestCommitBytes = 8 << 20

// CommitOnBranch writes the change set as one commit on branch, which must
// point at parent (ErrBranchMoved when it does not), and moves the branch
// to it; it returns the commit's SHA. A change set of regular files (new,
// edited or deleted) under MaxOneRequestCommitBytes is one GraphQL
// createCommitOnBranch request; one that sets a mode GraphQL cannot
// (executable, symlink) or is bigger goes through the git data API: blobs,
// a tree on the parent's, the commit, and a fast-forward of the ref.
func (r *Repo) CommitOnBranch(ctx context.Context, branch string, parent Head, changes []workspace.Change, message string) (string, error) {
	if !oneRequestCommit(changes) {
		return r.commitByParts(ctx, branch, parent, changes, message)
	}
	const mutation = `mutation($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid } }
}`
	additions, deletions := []map[string]string{}, []map[string]string{}
	for _, c := range changes {
		if c.Delete {
			deletions = append(deletions, map[string]string{"path": c.Path})
			continue
		}
		additions = append(additions, map[string]string{"path": c.Path, "contents": base64.StdEncoding.EncodeToString(c.Content)})
	}
	headline, body, _ := strings.Cut(message, "\n")
	vars := map[string]any{"input": map[string]any{
		"branch":          map[string]string{"repositoryNameWithOwner": r.String(), "branchName": branch},
		"message":         map[string]string{"headline": headline, "body": strings.TrimLeft(body, "\n")},
		"expectedHeadOid": parent.CommitSHA,
		"fileChanges":     map[string]any{"additions": additions, "deletions": deletions},
	}}
	var out struct {
		CreateCommitOnBranch struct {
			Commit struct {
				OID string `json:"oid"`
			} `json:"commit"`
		} `json:"createCommitOnBranch"`
	}
	err := r.graphQL(ctx, mutation, vars, &out)
	switch {
	case status(err) == http.StatusConflict:
		return "", fmt.Errorf("commit on %s of %s: %w", branch, r, ErrBranchMoved)
	case err != nil:
		return "", fmt.Errorf("commit on %s of %s: %w", branch, r, err)
	case out.CreateCommitOnBranch.Commit.OID == "":
		return "", fmt.Errorf("commit on %s of %s: GitHub's answer names no commit", branch, r)
	}
	return out.CreateCommitOnBranch.Commit.OID, nil
}

// oneRequestCommit reports whether GraphQL can write the change set: only
// regular files, within MaxOneRequestCommitBytes.
func oneRequestCommit(changes []workspace.Change) bool {
	var size int
	for _, c := range changes {
		if !c.Delete && c.Mode != "" && c.Mode != workspace.ModeFile {
			return false
		}
		size += len(c.Content)
	}
	return size <= MaxOneRequestCommitBytes
}

// commitByParts writes the commit with the git data API and fast-forwards
// the branch to it.
func (r *Repo) commitByParts(ctx context.Context, branch string, parent Head, changes []workspace.Change, message string) (string, error) {
	sha, err := r.Commit(ctx, parent, changes, message)
	if err != nil {
		return "", err
	}
	if err := r.MoveBranch(ctx, branch, sha, false); err != nil {
		if errors.Is(err, ErrBranchMoved) {
			return "", err
		}
		return "", fmt.Errorf("move %s to the new commit %s: %w", branch, sha, err)
	}
	return sha, nil
}
