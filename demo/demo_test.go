package demo

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a buffer the demo writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDemoServesRunPages: after the run the demo serves on; its run pages
// show the run to the admin token it printed and to a person signed in
// through the GitHub double's OAuth pages; ^C (the context) ends it.
func TestDemoServesRunPages(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- Run(ctx, Options{Addr: "127.0.0.1:0", Out: &out}) }()

	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "health") {
		select {
		case err := <-done:
			t.Fatalf("the demo ended early (%v):\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo did not reach its pages:\n%s", out.String())
		}
	}
	m := regexp.MustCompile(`run pages\s+(http://\S+)/runs[\s\S]*admin token\s+(\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no URL and token in:\n%s", out.String())
	}
	url, token := m[1], m[2]

	req, _ := http.NewRequest("GET", url+"/api/runs", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if body := get(t, http.DefaultClient, req); !strings.Contains(body, repoName) {
		t.Errorf("/api/runs with the admin token:\n%s", body)
	}

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	req, _ = http.NewRequest("GET", url+"/login", nil)
	if body := get(t, browser, req); !strings.Contains(body, repoName) || !strings.Contains(body, person) {
		t.Errorf("/runs after signing in:\n%s", body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the demo ended with %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the demo did not stop")
	}
}

func get(t *testing.T, c *http.Client, req *http.Request) string {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("%s %s answered %d:\n%s", req.Method, req.URL, resp.StatusCode, body)
	}
	return string(body)
}

// TestDemoRefusesAnEarlierDemosDatabase: the double starts empty, so a
// data directory that already holds a database is refused before
// anything starts, rather than mixing two demos' runs.
func TestDemoRefusesAnEarlierDemosDatabase(t *testing.T) {
	dir := t.TempDir()
	var out syncBuffer
	if err := Run(context.Background(), Options{Addr: "127.0.0.1:0", DataDir: dir, Once: true, Out: &out}); err != nil {
		t.Fatalf("first demo: %v\n%s", err, out.String())
	}
	err := Run(context.Background(), Options{Addr: "127.0.0.1:0", DataDir: dir, Once: true, Out: &out})
	if err == nil || !strings.Contains(err.Error(), "already holds a database") {
		t.Errorf("second demo on the same directory: %v", err)
	}
}
