package web

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestTranscriptIsShownAsText: script tags in the model's text, a tool's
// arguments and its result are escaped; the long result is folded; every
// part of the run page is there.
func TestTranscriptIsShownAsText(t *testing.T) {
	w := newWorld(t)
	page := body(w.do(w.client(), "GET", fmt.Sprintf("%s/runs/%d", w.srv.URL, w.open), testAdmin))
	if strings.Contains(page, "<script") {
		t.Fatalf("the page holds a live script tag:\n%s", page)
	}
	if n := strings.Count(page, "&lt;script&gt;"); n < 4 {
		t.Errorf("script tags shown as text %d times, want at least 4 (user, assistant, args, result)", n)
	}
	for _, want := range []string{"<details>", "read_file", "trigger.role", "alice has write on o/open",
		"$0.002500", "$0.001250", "0123456789ab", "/o/open/pull/7", "label by alice", "Turn 1", "succeeded"} {
		if !strings.Contains(page, want) {
			t.Errorf("run page lacks %q", want)
		}
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
