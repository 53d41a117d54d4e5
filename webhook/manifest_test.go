package webhook_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/lifeos/lifeos/webhook"
)

// manifest is the part of app.yml these tests read.
type manifest struct {
	DefaultEvents      []string          `yaml:"default_events"`
	DefaultPermissions map[string]string `yaml:"default_permissions"`
}

func readManifest(t *testing.T) manifest {
	t.Helper()
	raw, err := os.ReadFile("../app.yml")
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("parse app.yml: %v", err)
	}
	return m
}

// sorted returns a sorted copy.
func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// The App subscribes to exactly the events its registered handlers handle:
// an event nobody handles costs a delivery per occurrence for nothing, and a
// handled event the App does not subscribe to never arrives.
func TestManifestSubscribesToTheHandledEvents(t *testing.T) {
	m := readManifest(t)
	subscribed, handled := sorted(m.DefaultEvents), sorted(webhook.Subscribed())
	if len(handled) == 0 {
		t.Fatal("webhook.All handles no events")
	}
	if !slices.Equal(subscribed, handled) {
		for _, ev := range subscribed {
			if !slices.Contains(handled, ev) {
				t.Errorf("app.yml subscribes to %q, which no handler handles", ev)
			}
		}
		for _, ev := range handled {
			if !slices.Contains(subscribed, ev) {
				t.Errorf("a handler handles %q, but app.yml does not subscribe to it", ev)
			}
		}
	}
}

// GitHub only delivers an event to an App holding the permission it belongs
// to.
func TestManifestGrantsEachEventsPermission(t *testing.T) {
	needs := map[string]string{
		"issues":              "issues",
		"issue_comment":       "issues",
		"pull_request":        "pull_requests",
		"pull_request_review": "pull_requests",
		"check_suite":         "checks",
		"check_run":           "checks",
		"workflow_run":        "actions",
		"push":                "contents",
		"status":              "statuses",
	}
	m := readManifest(t)
	for _, ev := range m.DefaultEvents {
		perm, ok := needs[ev]
		if !ok {
			t.Errorf("event %q: the test does not know its permission; add it", ev)
			continue
		}
		if m.DefaultPermissions[perm] == "" {
			t.Errorf("event %q needs the %s permission, which app.yml does not ask for", ev, perm)
		}
	}
}

// registrationSection is README's "Register the App on GitHub" section.
func registrationSection(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(raw), "## Register the App on GitHub")
	if !ok {
		t.Fatal("README has no \"Register the App on GitHub\" section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	return section
}

// README's registration by hand names the same events as the manifest.
func TestReadmeListsTheManifestEvents(t *testing.T) {
	_, events, ok := strings.Cut(registrationSection(t), "\nEvents: ")
	if !ok {
		t.Fatal("README's registration by hand has no \"Events: \" line")
	}
	events, _, _ = strings.Cut(events, ".")
	var listed []string
	for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(events, -1) {
		listed = append(listed, m[1])
	}
	if want := sorted(readManifest(t).DefaultEvents); !slices.Equal(sorted(listed), want) {
		t.Errorf("README lists events %v; app.yml subscribes to %v", sorted(listed), want)
	}
}

// README's permissions table asks for exactly what the manifest asks for,
// at the same access.
func TestReadmeListsTheManifestPermissions(t *testing.T) {
	row := regexp.MustCompile("(?m)^\\| [^|]*\\(`([a-z_]+)`\\) \\| `(read|write|admin)` \\|")
	listed := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(registrationSection(t), -1) {
		listed[m[1]] = m[2]
	}
	want := readManifest(t).DefaultPermissions
	for perm, level := range want {
		if listed[perm] != level {
			t.Errorf("app.yml asks for %s: %s; README's table says %q", perm, level, listed[perm])
		}
	}
	for perm := range listed {
		if want[perm] == "" {
			t.Errorf("README's table lists %s, which app.yml does not ask for", perm)
		}
	}
}
