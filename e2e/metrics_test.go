package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

// scrape reads GET /metrics into a map from each sample's name and labels,
// as written ("lifeos_runs_total{outcome=\"succeeded\",trigger=\"label\"}"),
// to its value.
func (e *env) scrape(t *testing.T) map[string]float64 {
	t.Helper()
	resp, err := http.Get(e.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics answered %d", resp.StatusCode)
	}
	samples := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		i := strings.LastIndexByte(line, ' ')
		if strings.HasPrefix(line, "#") || i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		samples[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return samples
}

// sum adds the samples of name whose labels include every one of labels
// (each written as key="value").
func sum(samples map[string]float64, name string, labels ...string) float64 {
	var total float64
	for k, v := range samples {
		if k != name && !strings.HasPrefix(k, name+"{") {
			continue
		}
		all := true
		for _, l := range labels {
			all = all && strings.Contains(k, l)
		}
		if all {
			total += v
		}
	}
	return total
}

// After a label run, /metrics shows the delivery, the run, its tokens and
// cost, the model calls, GitHub's answers and an empty queue; health is ok.
func TestMetricsAfterALabelRun(t *testing.T) {
	// A priced model, so the run costs something.
	var logs bytes.Buffer
	e := start(t, envOpts{logs: &logs, configure: func(c *config.Config) {
		c.Prices[c.Model] = policy.Price{InputPerMillion: policy.Dollar, OutputPerMillion: 2 * policy.Dollar}
	}})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(e.model)
	if code := e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold.")); code != http.StatusOK {
		t.Fatalf("delivery answered %d", code)
	}
	if code := e.deliver("issues", "", labeled(t, n, "bug", maintainer, "Fix the README typo", "It says wrold.")); code != http.StatusOK {
		t.Fatalf("ignored delivery answered %d", code)
	}
	if code := e.deliverSigned("issues", "", []byte(`{}`), "sha256=00"); code < 400 {
		t.Fatalf("badly signed delivery answered %d", code)
	}
	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusSucceeded {
		t.Fatalf("run = %+v", run)
	}
	e.waitIdle(t)

	m := e.scrape(t)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"lifeos_runs_total", []string{`outcome="succeeded"`, `trigger="label"`}, 1},
		{"lifeos_runs_total", nil, 1},
		{"lifeos_run_duration_seconds_count", []string{`trigger="label"`}, 1},
		{"lifeos_webhook_deliveries_total", []string{`event="issues"`, `outcome="queued"`}, 1},
		{"lifeos_webhook_deliveries_total", []string{`event="issues"`, `outcome="ignored"`}, 1},
		{"lifeos_webhook_deliveries_total", []string{`event="issues"`, `outcome="refused"`}, 1},
		{"lifeos_model_call_duration_seconds_count", []string{`outcome="ok"`}, 3},
		{"lifeos_model_call_errors_total", nil, 0},
		{"lifeos_queue_jobs", []string{`state="available"`}, 0},
		{"lifeos_queue_oldest_job_age_seconds", nil, 0},
	} {
		if got := sum(m, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	repoLabel := `repo="` + repoName + `"`
	for _, name := range []string{"lifeos_model_tokens_total", "lifeos_model_cost_dollars_total", "lifeos_github_requests_total"} {
		if got := sum(m, name); got <= 0 {
			t.Errorf("%s = %v, want more than 0", name, got)
		}
	}
	if got := sum(m, "lifeos_model_tokens_total", repoLabel, `kind="prompt"`); got <= 0 {
		t.Errorf("prompt tokens of %s = %v", repoName, got)
	}
	if got := sum(m, "lifeos_github_requests_total", `status="5`); got != 0 {
		t.Errorf("GitHub answered 5xx %v times", got)
	}
	if _, ok := m[`lifeos_queue_jobs{state="running"}`]; !ok {
		t.Error("lifeos_queue_jobs has no running series")
	}
	health := e.health(t)
	if health.Status != "ok" || len(health.Reasons) != 0 || health.Version == "" {
		t.Errorf("health = %+v", health)
	}
	e.flushLogs()
	successLine(t, logs.String(), run)
}

// successLine checks that the log has the run's success line, naming its
// PR, commit, tokens and cost.
func successLine(t *testing.T, logs string, run *store.Run) {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		var l struct {
			Message, Commit, Cost string
			PR                    int
			Tokens                int64
		}
		if json.Unmarshal([]byte(line), &l) != nil || !strings.HasPrefix(l.Message, "Run succeeded") {
			continue
		}
		if l.PR != run.PRNumber || l.Commit != run.CommitSHA || l.Tokens != run.TotalTokens || l.Tokens == 0 ||
			l.Cost == "" || l.Cost == "$0.00" {
			t.Errorf("success line = %s; run = PR %d, commit %s, %d tokens", line, run.PRNumber, run.CommitSHA, run.TotalTokens)
		}
		return
	}
	t.Errorf("no success line in the log:\n%s", logs)
}

// healthBody is what GET /api/health answers.
type healthBody struct {
	Status  string   `json:"status"`
	Reasons []string `json:"reasons"`
	Version string   `json:"version"`
}

// health reads GET /api/health.
func (e *env) health(t *testing.T) healthBody {
	t.Helper()
	resp, err := http.Get(e.url + "/api/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var h healthBody
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatalf("health %s: %v", data, err)
	}
	return h
}
