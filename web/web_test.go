package web

import "testing"

// TestWebURLOf: GitHub's web address follows from its API base.
func TestWebURLOf(t *testing.T) {
	for api, want := range map[string]string{
		"https://api.github.com/":           "https://github.com/",
		"https://ghe.example/api/v3/":       "https://ghe.example/",
		"http://127.0.0.1:4000/":            "http://127.0.0.1:4000/",
		"http://127.0.0.1:4000/api/v3":      "http://127.0.0.1:4000/",
		"https://ghe.example/prefix/api/v3": "https://ghe.example/prefix/",
	} {
		if got := WebURLOf(api); got != want {
			t.Errorf("WebURLOf(%q) = %q, want %q", api, got, want)
		}
	}
}

// TestLocalPath: the login returns only to a path on this server.
func TestLocalPath(t *testing.T) {
	for next, want := range map[string]string{
		"/runs/3?x=1": "/runs/3?x=1", "": "", "https://evil.example/": "", "//evil.example/": "", "/\\evil": "",
	} {
		if got := localPath(next); got != want {
			t.Errorf("localPath(%q) = %q, want %q", next, got, want)
		}
	}
}
