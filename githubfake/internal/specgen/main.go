// Command specgen cuts GitHub's published REST OpenAPI description down to
// the operations the githubfake test double serves, plus every
// #/components/... object they reference transitively, and writes the
// result as gzipped JSON for githubfake to embed.
//
// Regenerate after changing the operation list (from the repository root):
//
//	cd /tmp/npm && npm pack @octokit/openapi@23.0.2 && mkdir -p oa && tar xzf octokit-openapi-*.tgz -C oa
//	go run ./githubfake/internal/specgen -in /tmp/npm/oa/package/generated/api.github.com.json -out githubfake/spec/github-subset.json.gz
//
// Descriptions and examples are dropped to keep the embedded file small; they
// play no part in validation.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"strings"
)

// operations lists every "METHOD /path/template" githubfake serves. Keep it
// in step with the handler table in githubfake/routes.go; a test there
// checks both directions.
var operations = []string{
	"GET /app",
	"GET /app/installations/{installation_id}",
	"POST /app/installations/{installation_id}/access_tokens",
	"GET /repos/{owner}/{repo}/installation",

	"GET /repos/{owner}/{repo}",
	"GET /repos/{owner}/{repo}/branches/{branch}",
	"GET /repos/{owner}/{repo}/commits/{ref}",
	"GET /repos/{owner}/{repo}/compare/{basehead}",
	"GET /repos/{owner}/{repo}/contents/{path}",
	"GET /repos/{owner}/{repo}/tarball/{ref}",
	"GET /repos/{owner}/{repo}/collaborators/{username}/permission",

	"GET /repos/{owner}/{repo}/commits/{ref}/status",
	"POST /repos/{owner}/{repo}/statuses/{sha}",
	"GET /repos/{owner}/{repo}/branches/{branch}/protection/required_status_checks",

	"GET /repos/{owner}/{repo}/git/ref/{ref}",
	"POST /repos/{owner}/{repo}/git/refs",
	"PATCH /repos/{owner}/{repo}/git/refs/{ref}",
	"DELETE /repos/{owner}/{repo}/git/refs/{ref}",
	"POST /repos/{owner}/{repo}/git/blobs",
	"GET /repos/{owner}/{repo}/git/blobs/{file_sha}",
	"POST /repos/{owner}/{repo}/git/trees",
	"GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
	"POST /repos/{owner}/{repo}/git/commits",
	"GET /repos/{owner}/{repo}/git/commits/{commit_sha}",

	"POST /repos/{owner}/{repo}/issues",
	"GET /repos/{owner}/{repo}/issues/{issue_number}",
	"PATCH /repos/{owner}/{repo}/issues/{issue_number}",
	"GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
	"POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
	"GET /repos/{owner}/{repo}/issues/comments/{comment_id}",
	"PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
	"POST /repos/{owner}/{repo}/issues/{issue_number}/labels",
	"DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
	"POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
	"POST /repos/{owner}/{repo}/issues/{issue_number}/reactions",

	"GET /repos/{owner}/{repo}/pulls",
	"POST /repos/{owner}/{repo}/pulls",
	"GET /repos/{owner}/{repo}/pulls/{pull_number}",
	"PATCH /repos/{owner}/{repo}/pulls/{pull_number}",
	"PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge",
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/commits",
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/comments",
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments",

	"POST /repos/{owner}/{repo}/check-runs",
	"GET /repos/{owner}/{repo}/check-runs/{check_run_id}",
	"PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
	"GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations",
	"GET /repos/{owner}/{repo}/check-suites/{check_suite_id}",
	"GET /repos/{owner}/{repo}/check-suites/{check_suite_id}/check-runs",
	"GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
	"GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs",
	"GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs",

	"GET /orgs/{org}/teams/{team_slug}/memberships/{username}",
}

func main() {
	in := flag.String("in", "/tmp/npm/oa/package/generated/api.github.com.json", "GitHub's full REST OpenAPI description (JSON)")
	out := flag.String("out", "githubfake/spec/github-subset.json.gz", "where to write the gzipped subset")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		log.Fatal(err)
	}
}

func run(in, out string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("read spec: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("decode spec %s: %w", in, err)
	}
	subset, err := extract(doc, operations)
	if err != nil {
		return fmt.Errorf("extract subset: %w", err)
	}
	if err := patch(subset); err != nil {
		return fmt.Errorf("patch subset: %w", err)
	}
	js, err := json.Marshal(subset) // map keys are sorted, so output is stable
	if err != nil {
		return fmt.Errorf("encode subset: %w", err)
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	if _, err := zw.Write(js); err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write subset: %w", err)
	}
	fmt.Printf("%d operations, %d bytes of JSON, %d gzipped -> %s\n", len(operations), len(js), buf.Len(), out)
	return nil
}

// extract returns a new document holding only ops and the components they
// reach through $ref.
func extract(doc map[string]any, ops []string) (map[string]any, error) {
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("document has no paths")
	}
	outPaths := map[string]any{}
	for _, op := range ops {
		method, path, ok := strings.Cut(op, " ")
		if !ok {
			return nil, fmt.Errorf("bad operation %q", op)
		}
		item, ok := paths[path].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("path %s not in spec", path)
		}
		operation, ok := item[strings.ToLower(method)]
		if !ok {
			return nil, fmt.Errorf("operation %s not in spec", op)
		}
		outItem, _ := outPaths[path].(map[string]any)
		if outItem == nil {
			outItem = map[string]any{}
			if params, ok := item["parameters"]; ok {
				outItem["parameters"] = strip(params, "")
			}
			outPaths[path] = outItem
		}
		outItem[strings.ToLower(method)] = strip(operation, "")
	}

	out := map[string]any{
		"openapi": doc["openapi"],
		"info":    doc["info"],
		"servers": doc["servers"],
		"paths":   outPaths,
	}
	components := map[string]any{}
	seen := map[string]bool{}
	queue := refs(outPaths, nil)
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		if seen[ref] {
			continue
		}
		seen[ref] = true
		kind, name, err := splitRef(ref)
		if err != nil {
			return nil, err
		}
		section, _ := doc["components"].(map[string]any)[kind].(map[string]any)
		obj, ok := section[name]
		if !ok {
			return nil, fmt.Errorf("dangling reference %s", ref)
		}
		obj = strip(obj, "")
		outSection, _ := components[kind].(map[string]any)
		if outSection == nil {
			outSection = map[string]any{}
			components[kind] = outSection
		}
		outSection[name] = obj
		queue = refs(obj, queue)
	}
	out["components"] = components
	return out, nil
}

// splitRef splits "#/components/<kind>/<name>" and undoes JSON-pointer escapes.
func splitRef(ref string) (kind, name string, err error) {
	rest, ok := strings.CutPrefix(ref, "#/components/")
	if !ok {
		return "", "", fmt.Errorf("unsupported reference %s", ref)
	}
	kind, name, ok = strings.Cut(rest, "/")
	if !ok || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("unsupported reference %s", ref)
	}
	name = strings.NewReplacer("~1", "/", "~0", "~").Replace(name)
	return kind, name, nil
}

// refs appends every $ref string found under v to acc, in a stable order.
func refs(v any, acc []string) []string {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s, ok := v[k].(string); ok && k == "$ref" {
				acc = append(acc, s)
				continue
			}
			acc = refs(v[k], acc)
		}
	case []any:
		for _, e := range v {
			acc = refs(e, acc)
		}
	}
	return acc
}

// nameMaps are the keys whose values map user-chosen names (property names,
// media types, status codes) to objects; their own keys are never stripped.
var nameMaps = map[string]bool{
	"properties": true, "patternProperties": true, "content": true, "responses": true,
	"headers": true, "schemas": true, "parameters": true, "encoding": true, "variables": true,
	"links": true, "callbacks": true,
}

// dropped are documentation-only keys with no effect on validation.
var dropped = map[string]bool{
	"description": true, "summary": true, "example": true, "examples": true,
	"externalDocs": true, "x-github": true, "x-githubBreakingChanges": true,
	"tags": true, "title": true,
}

// strip returns a copy of v without documentation-only keys. parent is the
// key v was found under.
func strip(v any, parent string) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if !nameMaps[parent] && dropped[k] {
				continue
			}
			if nameMaps[parent] {
				out[k] = strip(e, "")
			} else {
				out[k] = strip(e, k)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = strip(e, "")
		}
		return out
	default:
		return v
	}
}

// patch corrects places where the published description is narrower than
// what GitHub accepts and what go-github sends. Each fix names its evidence.
func patch(doc map[string]any) error {
	// "Add labels to an issue": GitHub's own description says "You can also
	// pass an array of labels directly", and go-github's AddLabelsToIssue
	// sends exactly that, but the schema's oneOf lists only the object form.
	schema, err := dig(doc, "paths", "/repos/{owner}/{repo}/issues/{issue_number}/labels", "post",
		"requestBody", "content", "application/json", "schema")
	if err != nil {
		return fmt.Errorf("labels body: %w", err)
	}
	oneOf, ok := schema["oneOf"].([]any)
	if !ok {
		return fmt.Errorf("labels body: no oneOf")
	}
	schema["oneOf"] = append(oneOf, map[string]any{
		"type":     "array",
		"minItems": json.Number("1"),
		"items":    map[string]any{"type": "string"},
	})
	return nil
}

// dig walks nested objects by key.
func dig(v map[string]any, keys ...string) (map[string]any, error) {
	for _, k := range keys {
		next, ok := v[k].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("no object at %q", k)
		}
		v = next
	}
	return v, nil
}
