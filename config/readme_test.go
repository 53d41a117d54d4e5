package config

import (
	"bufio"
	"bytes"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// readmeSettings returns the variables named in the first column of the
// table under README.md's "## Settings" heading.
func readmeSettings(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile("`([A-Z][A-Z0-9_]*)`")
	names := map[string]bool{}
	in := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = line == "## Settings"
			continue
		}
		if !in || !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		for _, m := range name.FindAllStringSubmatch(cells[1], -1) {
			names[m[1]] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal(`README.md has no settings table under "## Settings"`)
	}
	return names
}

// TestReadmeNamesTheSettingsLoadReads: the README's settings table and Load
// agree on the variables, so none is undocumented and none documented is
// ignored.
func TestReadmeNamesTheSettingsLoadReads(t *testing.T) {
	documented := readmeSettings(t)
	read := reads(t, testEnv(t, nil))
	var missing, unread []string
	for k := range read {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if read[k] == 0 {
			unread = append(unread, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(unread)
	if len(missing) > 0 {
		t.Errorf("Load reads settings missing from README.md's settings table: %v", missing)
	}
	if len(unread) > 0 {
		t.Errorf("README.md's settings table names settings Load never reads: %v", unread)
	}
	for _, k := range []string{"LIFEOS_MAX_FILES", "LIFEOS_MAX_LINES", "LIFEOS_MAX_BYTES", "GOMEMLIMIT"} {
		if !documented[k] {
			t.Errorf("the table parser missed %s", k)
		}
	}
}

// readmeDefaults maps each variable of README's settings table to its
// Default cell, without the backticks.
func readmeDefaults(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile("^`([A-Z][A-Z0-9_]*)`$")
	out := map[string]string{}
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "## ") {
			in = line == "## Settings"
			continue
		}
		cells := strings.Split(line, "|")
		if !in || len(cells) < 4 {
			continue
		}
		if m := name.FindStringSubmatch(strings.TrimSpace(cells[1])); m != nil {
			out[m[1]] = strings.ReplaceAll(strings.TrimSpace(cells[2]), "`", "")
		}
	}
	return out
}

// TestSettingsTableIsReadmes: `lifeos help` lists config.Settings, so the
// table must name what README's settings table names, one row each, with
// the same defaults, and every setting Load reads.
func TestSettingsTableIsReadmes(t *testing.T) {
	readme := readmeDefaults(t)
	read := reads(t, testEnv(t, nil))
	seen := map[string]bool{}
	for _, s := range Settings() {
		if seen[s.Name] {
			t.Errorf("%s is listed twice", s.Name)
		}
		seen[s.Name] = true
		def, ok := readme[s.Name]
		switch {
		case !ok:
			t.Errorf("%s is in config.Settings but has no row of its own in README's settings table", s.Name)
		case def != s.Default:
			t.Errorf("%s: README's default is %q, config.Settings says %q", s.Name, def, s.Default)
		}
		if read[s.Name] == 0 {
			t.Errorf("%s is in config.Settings but Load never reads it", s.Name)
		}
		if s.Summary == "" {
			t.Errorf("%s has no summary", s.Name)
		}
	}
	for name := range readme {
		if !seen[name] {
			t.Errorf("README's settings table names %s, which config.Settings lacks", name)
		}
	}
	for name := range read {
		if !seen[name] {
			t.Errorf("Load reads %s, which config.Settings lacks", name)
		}
	}
}
