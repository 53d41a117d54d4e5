// Command intake measures webhook intake: LifeOS's real HTTP stack against
// a floor (a minimal net/http handler that reads the body, checks the HMAC
// in constant time and decodes action and label.name), side by side in one
// run, for ignored deliveries and for trigger labels that are durably
// queued. Load comes from wrk (apt-get install wrk) on loopback.
//
//	go run ./bench/intake [-d 10s] [-c 64]
package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/tidwall/gjson"

	"github.com/lifeos/lifeos/config"
	"github.com/lifeos/lifeos/server"
)

const secret = "bench-secret"

func main() {
	dur := flag.Duration("d", 10*time.Second, "duration of each wrk run")
	conns := flag.Int("c", 64, "wrk connections")
	threads := flag.Int("t", 1, "wrk threads")
	flag.Parse()
	if err := run(*dur, *conns, *threads); err != nil {
		fmt.Fprintln(os.Stderr, "intake:", err)
		os.Exit(1)
	}
}

func run(dur time.Duration, conns, threads int) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk is needed: apt-get install wrk")
	}
	dir, err := os.MkdirTemp("", "lifeos-intake-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	env := map[string]string{
		"GITHUB_APP_INTEGRATION_ID": "1",
		"GITHUB_APP_PRIVATE_KEY":    string(pemKey),
		"GITHUB_APP_WEBHOOK_SECRET": secret,
		"OPENAI_API_KEY":            "unused",
		"LIFEOS_DATA_DIR":           dir,
		// Deliveries are only queued here: no worker ever calls out.
		"GITHUB_V3_API_URL": "http://127.0.0.1:1/",
		"OPENAI_BASE_URL":   "http://127.0.0.1:1/v1",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(dir, "lifeos.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	// Production logging: info, JSON, through the same asynchronous writer
	// as `lifeos serve`, to a file.
	logOut := server.NewLogWriter(logFile)
	defer logOut.Close()
	log := zerolog.New(logOut).With().Timestamp().Logger().Level(zerolog.InfoLevel)
	srv, err := server.New(context.Background(), cfg, log, server.Options{})
	if err != nil {
		return err
	}
	// Serve the real routes without starting workers: this measures intake.
	lifeos, err := listen(srv.Handler())
	if err != nil {
		return err
	}
	floor, err := listen(http.HandlerFunc(floorHandler))
	if err != nil {
		return err
	}

	ignored, relevant, err := payloads()
	if err != nil {
		return err
	}
	fmt.Printf("wrk -t%d -c%d -d%s, payload %d bytes, GOMAXPROCS=%d, SQLite synchronous=FULL\n\n",
		threads, conns, dur, len(relevant), numCPU())
	fmt.Println("| delivery | server | requests/s | p50 | p99 | non-2xx |")
	fmt.Println("| --- | --- | ---: | ---: | ---: | ---: |")
	for _, c := range []struct {
		kind, name, url string
		body            []byte
	}{
		{"ignored", "floor", floor, ignored},
		{"ignored", "lifeos", lifeos, ignored},
		{"lifeos:do (queued)", "floor", floor, relevant},
		{"lifeos:do (queued)", "lifeos", lifeos, relevant},
	} {
		r, err := wrk(dir, c.url, c.body, dur, conns, threads)
		if err != nil {
			return fmt.Errorf("%s %s: %w", c.kind, c.name, err)
		}
		fmt.Printf("| %s | %s | %.0f | %s | %s | %d |\n", c.kind, c.name, r.rps, r.p50, r.p99, r.non2xx)
	}
	return nil
}

func listen(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go http.Serve(ln, h) //nolint:errcheck // lives until the process exits
	return "http://" + ln.Addr().String() + "/api/github/hook", nil
}

// floorHandler is the least a correct webhook endpoint can do: read the
// body, check the HMAC in constant time, read action and label.name.
func floorHandler(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 25<<20))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Hub-Signature-256"))) {
		http.Error(w, "signature", http.StatusBadRequest)
		return
	}
	// The cheapest correct read of the two deciding fields.
	if gjson.GetBytes(body, "action").Str == "labeled" && gjson.GetBytes(body, "label.name").Str == "lifeos:do" {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// payloads returns GitHub's example issues.labeled delivery with an App's
// installation field: once with another action (ignored), once with the
// trigger label.
func payloads() (ignored, relevant []byte, err error) {
	raw, err := os.ReadFile("e2e/testdata/webhooks/issues.labeled.json")
	if err != nil {
		return nil, nil, fmt.Errorf("run from the repository root: %w", err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, nil, err
	}
	ev["installation"] = map[string]any{"id": 1, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="}
	ev["label"].(map[string]any)["name"] = "lifeos:do"
	if relevant, err = json.Marshal(ev); err != nil {
		return nil, nil, err
	}
	ev["action"] = "edited"
	ignored, err = json.Marshal(ev)
	return ignored, relevant, err
}

type result struct {
	rps      float64
	p50, p99 string
	non2xx   int
}

var (
	reqRate = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	pct     = regexp.MustCompile(`(?m)^\s+(50|99)%\s+(\S+)`)
	non2xx  = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
)

func wrk(dir, url string, body []byte, dur time.Duration, conns, threads int) (result, error) {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	sig := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	bodyFile := filepath.Join(dir, "body.json")
	if err := os.WriteFile(bodyFile, body, 0o600); err != nil {
		return result{}, err
	}
	// Each request carries a fresh X-GitHub-Delivery, as GitHub sends.
	script := fmt.Sprintf(`
local f = io.open(%q, "rb"); local body = f:read("*a"); f:close()
local n = 0
local prefix = tostring(math.random(1, 1e9)) .. "-"
request = function()
  n = n + 1
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = "issues",
    ["X-GitHub-Delivery"] = prefix .. n,
    ["X-Hub-Signature-256"] = %q,
  }, body)
end
`, bodyFile, sig)
	scriptFile := filepath.Join(dir, "post.lua")
	if err := os.WriteFile(scriptFile, []byte(script), 0o600); err != nil {
		return result{}, err
	}
	out, err := exec.Command("wrk", "-t"+strconv.Itoa(threads), "-c"+strconv.Itoa(conns),
		"-d"+dur.String(), "--latency", "-s", scriptFile, url).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	var r result
	if m := reqRate.FindSubmatch(out); m != nil {
		r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	for _, m := range pct.FindAllSubmatch(out, -1) {
		if string(m[1]) == "50" {
			r.p50 = string(m[2])
		} else {
			r.p99 = string(m[2])
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
