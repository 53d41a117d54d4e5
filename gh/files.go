package gh

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/go-github/v89/github"
)

// maxFileBytes bounds a policy file read through the contents API.
const maxFileBytes = 1 << 20

// File reads one file of the repository at ref ("" for the default branch),
// or nil when there is none. A reference to another repository is never
// followed: the file says what it says.
func (r *Repo) File(ctx context.Context, path, ref string) ([]byte, error) {
	return r.fileOf(ctx, r.owner, r.name, path, ref)
}

// OwnerFile reads a file of another repository of the same owner (such as
// the owner's .github repository) on its default branch, or nil when the
// repository or the file is not there.
func (r *Repo) OwnerFile(ctx context.Context, repo, path string) ([]byte, error) {
	return r.fileOf(ctx, r.owner, repo, path, "")
}

func (r *Repo) fileOf(ctx context.Context, owner, repo, path, ref string) ([]byte, error) {
	f, dir, _, err := r.gh.Repositories.GetContents(ctx, owner, repo, path, &github.RepositoryContentGetOptions{Ref: ref})
	switch {
	case status(err) == http.StatusNotFound:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read %s/%s:%s: %w", owner, repo, path, err)
	case f == nil || dir != nil:
		return nil, fmt.Errorf("read %s/%s:%s: it is a directory, not a file", owner, repo, path)
	case f.GetSize() > maxFileBytes:
		return nil, fmt.Errorf("read %s/%s:%s: %d bytes is more than the %d a policy file may have", owner, repo, path, f.GetSize(), maxFileBytes)
	}
	content, err := f.GetContent()
	if err != nil {
		return nil, fmt.Errorf("read %s/%s:%s: %w", owner, repo, path, err)
	}
	return []byte(content), nil
}

// DefaultBranch reads the repository's default branch, for events that do
// not carry it (an installation's).
func (r *Repo) DefaultBranch(ctx context.Context) (string, error) {
	repo, _, err := r.gh.Repositories.Get(ctx, r.owner, r.name)
	if err != nil {
		return "", fmt.Errorf("read %s/%s: %w", r.owner, r.name, err)
	}
	return repo.GetDefaultBranch(), nil
}
