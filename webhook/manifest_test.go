package webhook

import (
	"os"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// The App subscribes to exactly the events its handlers handle: an event
// nobody handles costs a delivery per occurrence for nothing, and a handled
// event the App does not subscribe to never arrives.
func TestManifestSubscribesToTheHandledEvents(t *testing.T) {
	raw, err := os.ReadFile("../app.yml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		DefaultEvents []string `yaml:"default_events"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("parse app.yml: %v", err)
	}
	handled := Events()
	if len(handled) == 0 {
		t.Fatal("All handles no events")
	}
	for _, ev := range m.DefaultEvents {
		if !slices.Contains(handled, ev) {
			t.Errorf("app.yml subscribes to %q, which no handler handles", ev)
		}
	}
	for _, ev := range handled {
		if !slices.Contains(m.DefaultEvents, ev) {
			t.Errorf("a handler handles %q, but app.yml does not subscribe to it", ev)
		}
	}
}
