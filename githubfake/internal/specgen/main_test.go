package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"sort"
	"strings"
	"testing"
)

func TestExtractKeepsReferencedComponentsAndPropertyNames(t *testing.T) {
	doc := map[string]any{
		"openapi": "3.0.3",
		"paths": map[string]any{
			"/a": map[string]any{
				"get":  map[string]any{"description": "drop me", "responses": map[string]any{"200": map[string]any{"$ref": "#/components/responses/ok"}}},
				"post": map[string]any{"summary": "not served"},
			},
			"/b": map[string]any{"get": map[string]any{}},
		},
		"components": map[string]any{
			"responses": map[string]any{"ok": map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/thing"}}}}},
			"schemas": map[string]any{
				"thing":  map[string]any{"type": "object", "description": "drop me", "properties": map[string]any{"description": map[string]any{"$ref": "#/components/schemas/nested"}, "title": map[string]any{"type": "string", "example": "drop"}}},
				"nested": map[string]any{"type": "string"},
				"unused": map[string]any{"type": "string"},
			},
		},
	}
	out, err := extract(doc, []string{"GET /a"})
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(out)
	got := string(js)
	for _, want := range []string{`"thing"`, `"nested"`, `"properties":{"description":{"$ref"`, `"title":{"type":"string"}`} {
		if !strings.Contains(got, want) {
			t.Errorf("subset lacks %s:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"unused", "drop", `"/b"`, `"post"`} {
		if strings.Contains(got, unwanted) {
			t.Errorf("subset keeps %s:\n%s", unwanted, got)
		}
	}
	if _, err := extract(doc, []string{"GET /missing"}); err == nil {
		t.Error("unknown operation: no error")
	}
}

func TestEmbeddedSubsetIsCurrent(t *testing.T) {
	raw, err := os.ReadFile("../../spec/github-subset.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	js, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	var have []string
	for path, item := range doc.Paths {
		for method := range item {
			if method != "parameters" {
				have = append(have, strings.ToUpper(method)+" "+path)
			}
		}
	}
	want := append([]string(nil), operations...)
	sort.Strings(have)
	sort.Strings(want)
	if strings.Join(have, "\n") != strings.Join(want, "\n") {
		t.Errorf("spec/github-subset.json.gz is stale; rerun specgen.\nembedded:\n%s\nlisted:\n%s", strings.Join(have, "\n"), strings.Join(want, "\n"))
	}
}
