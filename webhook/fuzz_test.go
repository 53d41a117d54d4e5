package webhook

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lifeos/lifeos/jobs"
)

// FuzzTriage triages any payload as every event LifeOS takes: it never
// panics, and a job it makes names its delivery, a positive subject, an
// installation and a repository. The seeds are the end-to-end suite's real
// payloads; the corpus checked in under testdata/fuzz/FuzzTriage holds
// edited ones.
func FuzzTriage(f *testing.F) {
	seeds, err := filepath.Glob("../e2e/testdata/webhooks/*.json")
	if err != nil {
		f.Fatal(err)
	}
	if len(seeds) == 0 {
		f.Fatal("no webhook payloads in ../e2e/testdata/webhooks")
	}
	for _, name := range seeds {
		payload, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(payload)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"action":"created"`))
	events := Events()
	c := testConfig()
	f.Fuzz(func(t *testing.T, payload []byte) {
		for _, event := range events {
			d := jobs.Delivery{ID: "fuzz-delivery", Event: event, QueuedAt: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)}
			job, reason, err := Triage(d, payload, c)
			if err != nil || job == nil {
				continue
			}
			if reason != "" {
				t.Errorf("%s: Triage made a %s job and gave the reason %q to ignore it", event, job.Kind(), reason)
			}
			gotD, repo := job.Meta()
			switch {
			case gotD != d || job.DeliveryKey() != d.ID:
				t.Errorf("%s: %s job carries the delivery %+v (key %q), want %+v", event, job.Kind(), gotD, job.DeliveryKey(), d)
			case job.Subject() <= 0 && job.Kind() != (jobs.Reload{}).Kind():
				t.Errorf("%s: %s job is about issue %d, want a positive number", event, job.Kind(), job.Subject())
			case repo.InstallationID <= 0:
				t.Errorf("%s: %s job has the installation %d", event, job.Kind(), repo.InstallationID)
			case repo.Owner == "" || repo.Name == "":
				t.Errorf("%s: %s job has the repository %q", event, job.Kind(), repo.FullName())
			}
		}
	})
}
