package server

import (
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionOf: a version set at build time wins; else the module
// version Go stamped (go install ...@v1.2.3); else the VCS revision; else
// "dev". The description adds the revision and the Go version.
func TestVersionOf(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "false"}}
	tests := []struct {
		name string
		set  string
		bi   *debug.BuildInfo
		want string
		desc []string
	}{
		{"set at build time", "v2.0.0", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, GoVersion: "go1.26", Settings: vcs}, "v2.0.0",
			[]string{"lifeos v2.0.0", "revision 0123456789abcdef0123", "go1.26"}},
		{"module version", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, GoVersion: "go1.26"}, "v1.2.3",
			[]string{"lifeos v1.2.3", "go1.26"}},
		{"a devel build with a revision", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs}, "0123456789ab",
			[]string{"revision 0123456789abcdef0123"}},
		{"nothing known", "", nil, "dev", []string{"lifeos dev"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, desc := versionOf(tt.set, tt.bi, tt.bi != nil)
			if v != tt.want {
				t.Errorf("version %q, want %q", v, tt.want)
			}
			for _, w := range tt.desc {
				if !strings.Contains(desc, w) {
					t.Errorf("description %q lacks %q", desc, w)
				}
			}
		})
	}
}
