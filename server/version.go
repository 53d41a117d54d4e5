package server

import (
	"fmt"
	"runtime/debug"
)

// Version is the version LifeOS reports (`lifeos version`, /api/health,
// its User-Agent) for set, the version given at build time with -ldflags
// (empty if none), and a description of the build for `lifeos version`.
func Version(set string) (version, description string) {
	bi, ok := debug.ReadBuildInfo()
	return versionOf(set, bi, ok)
}

// versionOf is Version over given build information: the set version,
// else the module version Go stamped (go install ...@v1.2.3), else the VCS
// revision (buildOf), else "dev".
func versionOf(set string, bi *debug.BuildInfo, ok bool) (string, string) {
	if set == "" && ok && bi != nil && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		set = bi.Main.Version
	}
	v, b := buildOf(set, bi, ok)
	if v == "" {
		v = "dev"
	}
	desc := "lifeos " + v + "\n"
	if b.Revision != "" {
		desc += "revision " + b.Revision
		if b.Time != "" {
			desc += " (" + b.Time + ")"
		}
		if b.Modified {
			desc += ", with uncommitted changes"
		}
		desc += "\n"
	}
	if b.Go != "" {
		desc += fmt.Sprintf("built with %s\n", b.Go)
	}
	return v, desc
}
