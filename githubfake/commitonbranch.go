package githubfake

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// createCommitOnBranch serves the GraphQL mutation of that name as GitHub
// does: one commit of file additions (base64 contents; the input has no
// mode, and the double writes 100644 whatever the file had, the strictest
// reading) and deletions on top of the branch's head,
// which must be expectedHeadOid (STALE_DATA otherwise), authored and
// committed by the App; the branch moves to it.
func (s *Server) createCommitOnBranch(c *call, args map[string]any) (any, *graphQLError) {
	in, gerr := graphQLInput(args)
	if gerr != nil {
		return nil, gerr
	}
	branch, _ := in["branch"].(map[string]any)
	nameWithOwner, _ := branch["repositoryNameWithOwner"].(string)
	branchName, _ := branch["branchName"].(string)
	owner, name, _ := strings.Cut(nameWithOwner, "/")
	repo, gerr := c.graphQLRepo(owner, name, "contents:write")
	if gerr != nil {
		return nil, gerr
	}
	full := "refs/heads/" + branchName
	head, ok := repo.refs[full]
	if !ok {
		return nil, &graphQLError{Type: "NOT_FOUND", Message: fmt.Sprintf("A ref named %q does not exist", full)}
	}
	if want, _ := in["expectedHeadOid"].(string); !strings.EqualFold(want, head) {
		return nil, &graphQLError{Type: "STALE_DATA", Message: fmt.Sprintf("Expected branch to point to %q but it did not. Pull and try again.", want)}
	}
	files, gerr := applyFileChanges(repo.objects, repo.objects.flatten(repo.objects.treeOf(head)), in["fileChanges"])
	if gerr != nil {
		return nil, gerr
	}
	msg, _ := in["message"].(map[string]any)
	message, _ := msg["headline"].(string)
	if message == "" {
		return nil, &graphQLError{Type: "UNPROCESSABLE", Message: "A commit message headline is required"}
	}
	if body, _ := msg["body"].(string); body != "" {
		message += "\n\n" + body
	}
	sig := s.botSignature()
	sha := repo.objects.putCommit(gitCommit{Tree: repo.objects.buildTree(files), Parents: []string{head}, Author: sig, Committer: sig, Message: message})
	repo.setRef(full, sha, s.now())
	return map[string]any{"commit": map[string]any{"oid": sha, "message": message,
		"url": htmlURL("/%s/commit/%s", repo.fullName(), sha)}}, nil
}

// applyFileChanges applies a FileChanges input to a commit's files.
func applyFileChanges(objs objectStore, files map[string]fileEntry, raw any) (map[string]fileEntry, *graphQLError) {
	changes, _ := raw.(map[string]any)
	bad := func(m string) *graphQLError { return &graphQLError{Type: "UNPROCESSABLE", Message: m} }
	for _, d := range list(changes["deletions"]) {
		p, _ := d["path"].(string)
		if _, ok := files[p]; !ok {
			return nil, bad(fmt.Sprintf("A path was requested for deletion which does not exist as of commit: %s", p))
		}
		delete(files, p)
	}
	for _, a := range list(changes["additions"]) {
		p, _ := a["path"].(string)
		contents, _ := a["contents"].(string)
		data, err := base64.StdEncoding.DecodeString(contents)
		if err != nil || !validPath(p) {
			return nil, bad(fmt.Sprintf("Invalid file addition: %s", p))
		}
		files[p] = fileEntry{Mode: modeFile, SHA: objs.putBlob(data)}
	}
	return files, nil
}

// list is a JSON array of objects, or nil.
func list(v any) []map[string]any {
	items, _ := v.([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
