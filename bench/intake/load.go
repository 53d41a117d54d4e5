package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// load drives wrk with GitHub's payloads, each request with a fresh
// X-GitHub-Delivery, as GitHub sends.
type load struct {
	dir      string
	o        options
	ignored  []byte
	relevant [][]byte
}

func newLoad(dir string, o options, ignored []byte, relevant [][]byte) *load {
	return &load{dir: dir, o: o, ignored: ignored, relevant: relevant}
}

func sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// warmUp sends n trigger deliveries and waits for the workers to take
// them, so that every worker is stuck on GitHub before measuring.
func (l *load) warmUp(url string, n int) error {
	for i := range n {
		body := l.relevant[i%len(l.relevant)]
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", "issues")
		req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("warm-%d-%d", time.Now().UnixNano(), i))
		req.Header.Set("X-Hub-Signature-256", sign(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("warm up: %w", err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			return fmt.Errorf("warm up: lifeos answered %d", resp.StatusCode)
		}
	}
	time.Sleep(3 * time.Second) // River's fetch poll is a second
	return nil
}

type result struct {
	rps      float64
	p50, p99 string
	p99d     time.Duration
	non2xx   int
}

var (
	reqRate = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	pct     = regexp.MustCompile(`(?m)^\s+(50|99)%\s+(\S+)`)
	non2xx  = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
)

// wrk loads url for the run's duration; mix is "ignored", "relevant" (on
// 64 issues in turn), or "mix" (one delivery in ten relevant).
func (l *load) wrk(url, mix string) (result, error) {
	every := map[string]int{"ignored": 0, "relevant": 1, "mix": 10}[mix]
	if err := os.WriteFile(filepath.Join(l.dir, "ignored.json"), l.ignored, 0o600); err != nil {
		return result{}, err
	}
	var relevant strings.Builder
	for i, body := range l.relevant {
		name := filepath.Join(l.dir, fmt.Sprintf("relevant-%d.json", i))
		if err := os.WriteFile(name, body, 0o600); err != nil {
			return result{}, err
		}
		fmt.Fprintf(&relevant, "{read(%q), %q},\n", name, sign(body))
	}
	// One delivery in every is a trigger label, on issues in turn.
	script := fmt.Sprintf(`
local function read(p) local f = io.open(p, "rb"); local b = f:read("*a"); f:close(); return b end
local ignored = read(%q)
local relevant = {
%s}
local every = %d
local n, k = 0, 0
local prefix = tostring(math.random(1, 1e9)) .. "-"
request = function()
  n = n + 1
  local body, sig = ignored, %q
  if every > 0 and n %% every == 0 then
    k = k + 1
    local r = relevant[(k %% #relevant) + 1]
    body, sig = r[1], r[2]
  end
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = "issues",
    ["X-GitHub-Delivery"] = prefix .. n,
    ["X-Hub-Signature-256"] = sig,
  }, body)
end
`, filepath.Join(l.dir, "ignored.json"), relevant.String(), every, sign(l.ignored))
	scriptFile := filepath.Join(l.dir, "post.lua")
	if err := os.WriteFile(scriptFile, []byte(script), 0o600); err != nil {
		return result{}, err
	}
	out, err := exec.Command("wrk", "-t"+strconv.Itoa(l.o.threads), "-c"+strconv.Itoa(l.o.conns),
		"-d"+l.o.dur.String(), "--latency", "-s", scriptFile, url).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	return parseWrk(out)
}

func parseWrk(out []byte) (result, error) {
	var r result
	if m := reqRate.FindSubmatch(out); m != nil {
		r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	for _, m := range pct.FindAllSubmatch(out, -1) {
		if string(m[1]) == "50" {
			r.p50 = string(m[2])
		} else {
			r.p99 = string(m[2])
			r.p99d, _ = time.ParseDuration(r.p99)
		}
	}
	if m := non2xx.FindSubmatch(out); m != nil {
		r.non2xx, _ = strconv.Atoi(string(m[1]))
	}
	if r.rps == 0 {
		return r, fmt.Errorf("could not read wrk's output:\n%s", strings.TrimSpace(string(out)))
	}
	return r, nil
}
