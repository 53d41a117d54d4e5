package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lifeos/lifeos/server"
)

// testRef is how RELIABILITY.md names a test: `path/file_test.go: TestName`
// (the two halves may be split over a line break).
var testRef = regexp.MustCompile("`([A-Za-z0-9_./-]+_test\\.go):\\s+(Test[A-Za-z0-9_]+)`")

// TestReliabilityNamesTestsThatExist: every test RELIABILITY.md's table
// and prose name is a test function in the file named, so the table of
// fault → what LifeOS does → test cannot point at nothing.
func TestReliabilityNamesTestsThatExist(t *testing.T) {
	doc, err := os.ReadFile("RELIABILITY.md")
	if err != nil {
		t.Fatal(err)
	}
	refs := testRef.FindAllStringSubmatch(string(doc), -1)
	if len(refs) < 20 {
		t.Fatalf("found %d test references in RELIABILITY.md; the pattern no longer matches how it names tests", len(refs))
	}
	for _, ref := range refs {
		file, name := ref[1], ref[2]
		src, err := os.ReadFile(filepath.FromSlash(file))
		if err != nil {
			t.Errorf("RELIABILITY.md names %s: %v", ref[0], err)
			continue
		}
		if !strings.Contains(string(src), "func "+name+"(t *testing.T)") {
			t.Errorf("RELIABILITY.md names %s, but %s has no test %s", ref[0], file, name)
		}
	}
}

// killTimeout is fly.toml's kill_timeout setting.
var killTimeout = regexp.MustCompile(`(?m)^kill_timeout\s*=\s*"?([0-9]+[a-z]*)"?`)

// drainMargin is what a process needs past the drain's grace to close its
// listener, River and the database and exit.
const drainMargin = 10 * time.Second

// TestFlyKillTimeoutCoversTheDrain: Fly sends SIGKILL kill_timeout after
// SIGTERM, so it must leave the server its whole drain (ShutdownGrace)
// and the time to exit after it; a kill inside the grace would cut runs
// off at an unsafe point.
func TestFlyKillTimeoutCoversTheDrain(t *testing.T) {
	toml, err := os.ReadFile("fly.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := killTimeout.FindSubmatch(toml)
	if m == nil {
		t.Fatal("fly.toml sets no kill_timeout; Fly's default (5 s) would cut the drain off")
	}
	v := string(m[1])
	if strings.Trim(v, "0123456789") == "" {
		v += "s" // a bare number is seconds
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("fly.toml kill_timeout %q: %v", m[1], err)
	}
	if want := server.ShutdownGrace + drainMargin; d < want {
		t.Errorf("fly.toml kill_timeout = %s; want at least %s (ShutdownGrace %s + %s to exit)", d, want, server.ShutdownGrace, drainMargin)
	}
	if !strings.Contains(string(toml), `kill_signal = "SIGTERM"`) {
		t.Error(`fly.toml must send SIGTERM (kill_signal = "SIGTERM"), the signal the server drains on`)
	}
}
