package policy

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseSchedules(t *testing.T) {
	good := "schedules:\n  - name: nightly-docs\n    cron: \"0 3 * * *\"\n    recipe: doc-hygiene\n  - name: weekly\n    cron: \"30 9 * * 1\"\n    timezone: Europe/Paris\n    task: tidy the changelog\nproposals:\n  max: 2\n"
	f, err := ParseFile([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Schedules) != 2 || f.Schedules[0].Recipe != "doc-hygiene" || f.Schedules[1].Task != "tidy the changelog" || f.Schedules[1].Timezone != "Europe/Paris" {
		t.Fatalf("schedules = %+v", f.Schedules)
	}
	if f.Proposals.Max != 2 {
		t.Errorf("proposals.max = %d", f.Proposals.Max)
	}
	for _, tc := range []struct{ name, file, key, msg string }{
		{"bad cron", "schedules:\n  - name: a\n    cron: \"61 * * * *\"\n    recipe: x\n", "schedules[0].cron", "not a valid cron"},
		{"six fields", "schedules:\n  - name: a\n    cron: \"0 0 3 * * *\"\n    recipe: x\n", "schedules[0].cron", "5-field"},
		{"descriptor", "schedules:\n  - name: a\n    cron: \"@daily\"\n    recipe: x\n", "schedules[0].cron", "5-field"},
		{"bad zone", "schedules:\n  - name: a\n    cron: \"0 3 * * *\"\n    timezone: Mars/Base\n    recipe: x\n", "schedules[0].cron", "unknown timezone"},
		{"both", "schedules:\n  - name: a\n    cron: \"0 3 * * *\"\n    recipe: x\n    task: y\n", "schedules[0]", "exactly one of recipe and task"},
		{"neither", "schedules:\n  - name: a\n    cron: \"0 3 * * *\"\n", "schedules[0]", "exactly one"},
		{"no cron", "schedules:\n  - name: a\n    recipe: x\n", "schedules[0].cron", "needs a cron"},
		{"no name", "schedules:\n  - cron: \"0 3 * * *\"\n    recipe: x\n", "schedules[0].name", "needs a name"},
		{"bad name", "schedules:\n  - name: Nightly Docs\n    cron: \"0 3 * * *\"\n    recipe: x\n", "schedules[0].name", "lower-case"},
		{"twice", "schedules:\n  - name: a\n    cron: \"0 3 * * *\"\n    recipe: x\n  - name: a\n    cron: \"0 4 * * *\"\n    recipe: x\n", "schedules[1].name", "named twice"},
		{"unknown key", "schedules:\n  - name: a\n    cron: \"0 3 * * *\"\n    recipe: x\n    when: now\n", "schedules[0].when", "unknown key"},
		{"not a list", "schedules: nightly\n", "schedules", "must be a list"},
		{"proposals", "proposals:\n  max: 50\n", "proposals.max", "at most 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFile([]byte(tc.file))
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a FileError", err)
			}
			for _, p := range fe.Problems {
				if p.Key == tc.key && strings.Contains(p.Message, tc.msg) && p.Line > 0 {
					return
				}
			}
			t.Errorf("problems %v lack %s: %q", fe.Problems, tc.key, tc.msg)
		})
	}
}

func TestCheckCommandShowsSchedules(t *testing.T) {
	c := DefaultCeilings()
	c.MaxAutonomy = RungPropose
	out, ok := CheckCommand("lifeos.yml", []byte("autonomy: 4\nschedules:\n  - name: nightly-docs\n    cron: \"0 3 * * *\"\n    timezone: Europe/Paris\n    recipe: doc-hygiene\n"), c, DefaultPrices(), nil)
	for _, want := range []string{"proposals:\n  max: 3", "- name: nightly-docs # branch lifeos/schedule-nightly-docs", `cron: "0 3 * * *" # Europe/Paris`, "recipe: doc-hygiene"} {
		if !ok || !strings.Contains(out, want) {
			t.Errorf("ok %v, output lacks %q:\n%s", ok, want, out)
		}
	}
}

func TestCheckRecipes(t *testing.T) {
	f, err := ParseFile([]byte("schedules:\n  - name: a\n    cron: \"0 3 * * *\"\n    recipe: doc-hygiene\n  - name: b\n    cron: \"0 3 * * *\"\n    recipe: nope\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = f.CheckRecipes(func(n string) bool { return n == "doc-hygiene" })
	var fe *FileError
	if !errors.As(err, &fe) || len(fe.Problems) != 1 || fe.Problems[0].Key != "schedules[1].recipe" || fe.Problems[0].Line != 7 {
		t.Fatalf("CheckRecipes = %v", err)
	}
	if err := f.CheckRecipes(func(string) bool { return true }); err != nil {
		t.Errorf("all known: %v", err)
	}
}

func TestNextFiring(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct {
		name, cron, tz, after, last string
		min                         time.Duration
		want                        string
	}{
		{"nightly", "0 3 * * *", "", "2026-01-01T10:00:00Z", "", 0, "2026-01-02T03:00:00Z"},
		{"same day", "0 3 * * *", "", "2026-01-01T02:59:00Z", "", 0, "2026-01-01T03:00:00Z"},
		{"on the tick is past it", "0 3 * * *", "", "2026-01-01T03:00:00Z", "", 0, "2026-01-02T03:00:00Z"},
		{"timezone", "0 3 * * *", "Europe/Paris", "2026-01-01T10:00:00Z", "", 0, "2026-01-02T02:00:00Z"},
		{"capped", "*/5 * * * *", "", "2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z", time.Hour, "2026-01-01T11:00:00Z"},
		{"cap already met", "*/5 * * * *", "", "2026-01-01T12:00:00Z", "2026-01-01T10:00:00Z", time.Hour, "2026-01-01T12:05:00Z"},
		{"broken never fires", "nope", "", "2026-01-01T12:00:00Z", "", 0, ""},
	} {
		var last time.Time
		if tc.last != "" {
			last = at(tc.last)
		}
		got := NextFiring(tc.cron, tc.tz, at(tc.after), last, tc.min)
		want := time.Time{}
		if tc.want != "" {
			want = at(tc.want)
		}
		if !got.Equal(want) {
			t.Errorf("%s: NextFiring = %v, want %v", tc.name, got, want)
		}
	}
}

func TestWithRecipe(t *testing.T) {
	p, _ := Effective(&File{Paths: PathsFile{Allow: []string{"docs/**", "src/**"}}}, DefaultCeilings())
	rp, ds := WithRecipe(p, RecipeBounds{Name: "doc-hygiene", Allow: []string{"docs/**", "**/*.md"}, MaxFiles: 5, MaxTurns: 10000})
	if rp.MaxFiles != 5 || rp.MaxTurns != p.MaxTurns {
		t.Errorf("limits: files %d turns %d", rp.MaxFiles, rp.MaxTurns)
	}
	if len(ds) != 2 || ds[0].Rule != "recipe.max_turns" {
		t.Errorf("decisions = %+v", ds)
	}
	vs := CheckChanges(rp, []ChangeStat{{Path: "docs/a.md"}, {Path: "src/a.go"}, {Path: "README.md"}})
	if len(vs) != 2 || vs[0].Rule != "recipe.paths" || vs[0].Path != "src/a.go" || vs[1].Rule != "paths.allow" {
		t.Errorf("violations = %+v", vs)
	}
	ro, _ := WithRecipe(p, RecipeBounds{Name: "scout", ReadOnly: true})
	if vs := CheckChanges(ro, []ChangeStat{{Path: "docs/a.md"}}); len(vs) != 1 || vs[0].Rule != "recipe.read_only" {
		t.Errorf("read-only violations = %+v", vs)
	}
}
