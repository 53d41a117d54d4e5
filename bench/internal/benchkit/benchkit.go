// Package benchkit holds what the benchmark programs in bench/ share: a
// signed trigger-label delivery to the server under test, waiting for its
// health, a free loopback port, and a process's memory from /proc.
package benchkit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Label is one issues.labeled delivery of the trigger label, shaped from
// GitHub's own example payload (e2e/testdata), for issue Number of Repo
// ("owner/name") in Installation, sent by Sender and signed with Secret.
type Label struct {
	Installation int64
	Repo, Sender string
	Secret       string
	Number       int
	// DeliveryID is the X-GitHub-Delivery header (unique per delivery).
	DeliveryID string
}

// Deliver posts the delivery to the server at base and wants 200. It
// reads the example payload relative to the repository root.
func Deliver(base string, l Label) error {
	body, err := l.payload()
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, []byte(l.Secret))
	mac.Write(body)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, base+"/api/github/hook", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "issues")
	req.Header.Set("X-GitHub-Delivery", l.DeliveryID)
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("delivery answered %s", resp.Status)
	}
	return nil
}

func (l Label) payload() ([]byte, error) {
	raw, err := os.ReadFile("e2e/testdata/webhooks/issues.labeled.json")
	if err != nil {
		return nil, fmt.Errorf("run from the repository root: %w", err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	ownerLogin, name, _ := strings.Cut(l.Repo, "/")
	ev["installation"] = map[string]any{"id": l.Installation}
	ev["label"].(map[string]any)["name"] = "lifeos:do"
	issue := ev["issue"].(map[string]any)
	issue["number"], issue["title"], issue["body"], issue["comments"] = l.Number, fmt.Sprintf("Task %d", l.Number), "Add NOTES.md", 0
	r := ev["repository"].(map[string]any)
	r["name"], r["full_name"], r["default_branch"] = name, l.Repo, "main"
	r["owner"].(map[string]any)["login"] = ownerLogin
	ev["sender"].(map[string]any)["login"] = l.Sender
	return json.Marshal(ev)
}

// WaitHealthy waits up to timeout for the server at base to answer 200 on
// /api/health.
func WaitHealthy(base string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/api/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("server not healthy after %s", timeout)
}

// FreePort is a loopback port free at the time of asking.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// RSS is a process's resident memory now, in kB.
func RSS(pid int) (int, error) { return procStatus(pid, "VmRSS:") }

// HWM is a process's peak resident memory so far, in kB.
func HWM(pid int) (int, error) { return procStatus(pid, "VmHWM:") }

// procStatus reads a kB figure from /proc/PID/status.
func procStatus(pid int, field string) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field) {
			return strconv.Atoi(strings.Fields(line)[1])
		}
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", field, pid)
}
