package server

import (
	"errors"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
)

// Each signal adds its reason; draining and an unreachable database keep
// traffic away (503), a degraded server still answers 200.
func TestAssessHealth(t *testing.T) {
	tests := []struct {
		name    string
		sig     signals
		status  string
		code    int
		reasons []string // each a prefix of one reason, in order
	}{
		{"all well", signals{}, "ok", 200, nil},
		{"draining", signals{draining: true, githubRejected: true}, "draining", 503, nil},
		{"no database", signals{reachErr: errors.New("refused")}, "unavailable", 503, []string{"database unreachable: refused"}},
		{"read-only database", signals{writeErr: errors.New("readonly")}, "degraded", 200, []string{"database unwritable: readonly"}},
		{"GitHub 401", signals{githubRejected: true}, "degraded", 200, []string{"GitHub credentials rejected"}},
		{"model down", signals{modelFailing: true}, "degraded", 200, []string{"model endpoint unreachable"}},
		{"failed jobs", signals{failedJobs: 3}, "degraded", 200, []string{"jobs failing: 3 failed"}},
		{"everything", signals{writeErr: errors.New("x"), githubRejected: true, modelFailing: true, failedJobs: 1}, "degraded", 200,
			[]string{"database unwritable", "GitHub credentials rejected", "model endpoint unreachable", "jobs failing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, reasons, code := assess(tt.sig)
			if status != tt.status || code != tt.code || len(reasons) != len(tt.reasons) {
				t.Fatalf("assess = %q %d %q, want %q %d %q", status, code, reasons, tt.status, tt.code, tt.reasons)
			}
			for i, want := range tt.reasons {
				if !strings.HasPrefix(reasons[i], want) {
					t.Errorf("reason %d = %q, want it to start %q", i, reasons[i], want)
				}
			}
		})
	}
}

// With no version set, the VCS revision names the build.
func TestBuildOf(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26", Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
		{Key: "vcs.modified", Value: "true"}}}
	want := build{Revision: "0123456789abcdef0123", Time: "2026-12-01T10:00:00Z", Modified: true, Go: "go1.26"}
	if v, b := buildOf("dev", bi, true); v != "0123456789ab-dirty" || !reflect.DeepEqual(b, want) {
		t.Errorf("buildOf(dev) = %q %+v", v, b)
	}
	if v, _ := buildOf("v1.2.3", bi, true); v != "v1.2.3" {
		t.Errorf("a set version became %q", v)
	}
	if v, b := buildOf("dev", nil, false); v != "dev" || b != (build{}) {
		t.Errorf("no build info: %q %+v", v, b)
	}
}
