package policy

import (
	"strings"
	"testing"
)

func TestGreen(t *testing.T) {
	pass := func(name string) CheckResult {
		return CheckResult{Name: name, AppID: 15368, Status: "completed", Conclusion: "success"}
	}
	run := func(name, status, conclusion string) CheckResult {
		return CheckResult{Name: name, AppID: 15368, Status: status, Conclusion: conclusion}
	}
	own := func(status, conclusion string) CheckResult {
		return CheckResult{Name: "lifeos", AppID: 1, Own: true, Status: status, Conclusion: conclusion}
	}
	st := func(context, state string) StatusResult { return StatusResult{Context: context, State: state} }
	req := func(contexts ...string) []RequiredCheck {
		var out []RequiredCheck
		for _, c := range contexts {
			out = append(out, RequiredCheck{Context: c})
		}
		return out
	}

	tests := []struct {
		name     string
		required []RequiredCheck
		checks   []CheckResult
		statuses []StatusResult
		green    bool
		reason   string // a substring of the reason
	}{
		{"one passing check run", nil, []CheckResult{pass("test")}, nil, true, "1 check run and 0 commit statuses passed"},
		{"one successful status", nil, nil, []StatusResult{st("ci/circle", "success")}, true, "0 check runs and 1 commit status passed"},
		{"nothing at all", nil, nil, nil, false, "no check run succeeded"},
		{"only neutral and skipped", nil, []CheckResult{run("a", "completed", "neutral"), run("b", "completed", "skipped")}, nil, false, "no check run succeeded"},
		{"neutral and skipped do not block", nil, []CheckResult{pass("test"), run("a", "completed", "neutral"), run("b", "completed", "skipped")}, nil, true, "1 check run and"},
		{"failed check run", nil, []CheckResult{pass("test"), run("lint", "completed", "failure")}, nil, false, "check run `lint` concluded failure"},
		{"cancelled check run", nil, []CheckResult{pass("test"), run("lint", "completed", "cancelled")}, nil, false, "concluded cancelled"},
		{"timed out check run", nil, []CheckResult{pass("test"), run("lint", "completed", "timed_out")}, nil, false, "concluded timed_out"},
		{"action required", nil, []CheckResult{pass("test"), run("deploy", "completed", "action_required")}, nil, false, "concluded action_required"},
		{"stale", nil, []CheckResult{pass("test"), run("deploy", "completed", "stale")}, nil, false, "concluded stale"},
		{"completed without conclusion", nil, []CheckResult{pass("test"), run("lint", "completed", "")}, nil, false, "concluded unknown"},
		{"check run in progress", nil, []CheckResult{pass("test"), run("lint", "in_progress", "")}, nil, false, "check run `lint` is in_progress"},
		{"check run queued", nil, []CheckResult{pass("test"), run("lint", "queued", "")}, nil, false, "is queued"},
		{"failing status, passing runs", nil, []CheckResult{pass("test")}, []StatusResult{st("ci/jenkins", "failure")}, false, "commit status `ci/jenkins` is failure"},
		{"errored status", nil, []CheckResult{pass("test")}, []StatusResult{st("ci/jenkins", "error")}, false, "is error"},
		{"pending status", nil, []CheckResult{pass("test")}, []StatusResult{st("ci/jenkins", "pending")}, false, "is pending"},
		{"LifeOS's own failing run is ignored", nil, []CheckResult{pass("test"), own("completed", "failure")}, nil, true, "1 check run and"},
		{"LifeOS's own run is no evidence", nil, []CheckResult{own("completed", "success")}, nil, false, "no check run succeeded"},
		{"required check passed as a check run", req("test"), []CheckResult{pass("test")}, nil, true, "including the required `test`"},
		{"required check passed as a status", req("ci/circle"), []CheckResult{pass("test")}, []StatusResult{st("ci/circle", "success")}, true, "required `ci/circle`"},
		{"required check never reported", req("build"), []CheckResult{pass("test")}, nil, false, "required check `build` has not passed"},
		{"required check skipped counts as passed", req("build"), []CheckResult{pass("test"), run("build", "completed", "skipped")}, nil, true, "required `build`"},
		{"required check met only by LifeOS", req("lifeos"), []CheckResult{pass("test"), own("completed", "success")}, nil, false, "required check `lifeos` has not passed"},
		{"required check from the right app", []RequiredCheck{{Context: "test", AppID: 15368}}, []CheckResult{pass("test")}, nil, true, "required `test`"},
		{"required check from another app", []RequiredCheck{{Context: "test", AppID: 99}}, []CheckResult{pass("test")}, nil, false, "`test` has not passed from app 99"},
		{"required check pinned to an app is not met by a status", []RequiredCheck{{Context: "ci", AppID: 99}}, []CheckResult{pass("test")}, []StatusResult{st("ci", "success")}, false, "`ci` has not passed from app 99"},
		{"required check of any app (-1)", []RequiredCheck{{Context: "ci", AppID: -1}}, nil, []StatusResult{st("ci", "success")}, true, "required `ci`"},
		{"empty required context is ignored", req(""), []CheckResult{pass("test")}, nil, true, "1 check run and"},
		{"problems are capped", req("a", "b"), []CheckResult{run("x", "completed", "failure"), run("y", "in_progress", "")}, []StatusResult{st("z", "pending")}, false, "(and 2 more)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			green, reason := Green(tt.required, tt.checks, tt.statuses)
			if green != tt.green || !strings.Contains(reason, tt.reason) {
				t.Errorf("Green = %v, %q; want %v, containing %q", green, reason, tt.green, tt.reason)
			}
		})
	}
}

func TestGreenNamesEveryProblemUpToTheCap(t *testing.T) {
	_, reason := Green([]RequiredCheck{{Context: "build"}},
		[]CheckResult{{Name: "lint", Status: "completed", Conclusion: "failure"}},
		[]StatusResult{{Context: "ci/jenkins", State: "pending"}})
	want := "check run `lint` concluded failure; commit status `ci/jenkins` is pending; required check `build` has not passed"
	if reason != want {
		t.Errorf("reason = %q, want %q", reason, want)
	}
}
