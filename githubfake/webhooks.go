package githubfake

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v89/github"
)

// Delivery is one webhook delivery the double sent, as GitHub records it
// on the App's "Recent deliveries" page.
type Delivery struct {
	// ID is the X-GitHub-Delivery header.
	ID string
	// Event is the X-GitHub-Event header ("issues").
	Event string
	// Action is the payload's action ("labeled").
	Action string
	// Status is the App's answer.
	Status int
}

// webhook is where the App takes its deliveries.
type webhook struct {
	url, secret string
}

// deliveryID is a new X-GitHub-Delivery: a random GUID, as GitHub's, so
// that deliveries of two doubles (two demos on one database) never share
// one.
func deliveryID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// SetWebhook makes the double deliver events to url as GitHub delivers
// them to an App: a POST with the X-GitHub-Event and X-GitHub-Delivery
// headers, signed with secret in X-Hub-Signature-256.
func (s *Server) SetWebhook(url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = &webhook{url: url, secret: secret}
}

// LabelIssue adds label to an issue as sender would on github.com, then
// delivers the issues.labeled event GitHub sends for it (with the
// installation field an App always receives) to the webhook set with
// SetWebhook.
func (s *Server) LabelIssue(fullName string, number int, label, sender string) (Delivery, error) {
	s.mu.Lock()
	r := s.mustRepo(fullName)
	is, ok := r.issues[number]
	if !ok || s.hook == nil {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("githubfake: no issue %s#%d, or no webhook set", fullName, number)
	}
	if !slices.ContainsFunc(is.labels, func(l string) bool { return strings.EqualFold(l, label) }) {
		is.labels = append(is.labels, s.label(r, label).name)
		is.updatedAt = s.now()
	}
	ev := &github.IssuesEvent{
		Action: ptr("labeled"), Issue: s.issueJSON(r, is), Label: s.labelJSON(r, label),
		Repo: s.repoJSON(r), Sender: s.userJSON(sender),
		Installation: &github.Installation{ID: ptr(r.installationID), NodeID: ptr(nodeID("Installation", r.installationID))},
	}
	d := Delivery{ID: deliveryID(), Event: "issues", Action: "labeled"}
	url, secret := s.hook.url, s.hook.secret
	s.mu.Unlock()

	body, err := json.Marshal(ev)
	if err != nil {
		return d, fmt.Errorf("githubfake: encode the %s event: %w", d.Event, err)
	}
	d.Status, err = deliver(url, secret, d, body)
	return d, err
}

// deliver posts one signed delivery and returns the App's answer status.
func deliver(url, secret string, d Delivery, body []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("githubfake: webhook request: %w", err)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/githubfake")
	req.Header.Set("X-GitHub-Event", d.Event)
	req.Header.Set("X-GitHub-Delivery", d.ID)
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	// GitHub gives up on a delivery after ten seconds.
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, fmt.Errorf("githubfake: deliver %s %s: %w", d.Event, d.ID, err)
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
