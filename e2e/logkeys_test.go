package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/store"
)

// Every log line of a run names its delivery, repository, issue, run and
// job, each once: a JSON object with a key twice is read differently by
// different log tools (issue 10, item 7).
func TestRunLogLinesCarryEachKeyOnce(t *testing.T) {
	var logs bytes.Buffer
	e := start(t, envOpts{logs: &logs})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(e.model)
	if code := e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold.")); code != http.StatusOK {
		t.Fatalf("delivery answered %d", code)
	}
	if run := e.waitRuns(n, 1)[0]; run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}
	e.waitIdle(t)
	e.flushLogs()

	runLines := 0
	sc := bufio.NewScanner(&logs)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		keys, err := jsonKeys(line)
		if err != nil {
			t.Fatalf("log line is not one JSON object (%v): %s", err, line)
		}
		for k, c := range keys {
			if c > 1 {
				t.Errorf("key %q appears %d times: %s", k, c, line)
			}
		}
		if keys["run"] == 0 {
			continue
		}
		runLines++
		for _, k := range []string{"delivery", "repo", "issue", "job"} {
			if keys[k] == 0 {
				t.Errorf("run log line without %q: %s", k, line)
			}
		}
	}
	if runLines < 3 {
		t.Fatalf("only %d log lines name the run; the log was not captured:\n%s", runLines, logs.String())
	}
}

// jsonKeys counts the top-level keys of one JSON object, duplicates
// included (encoding/json's maps would keep only the last).
func jsonKeys(line string) (map[string]int, error) {
	dec := json.NewDecoder(strings.NewReader(line))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	keys := map[string]int{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys[tok.(string)]++
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil && err != io.EOF { // }
		return nil, err
	}
	return keys, nil
}
