package githubfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-github/v89/github"
)

// TestLabelIssueDeliversSignedEvent: labelling an issue adds the label and
// sends GitHub's issues.labeled delivery, signed, with the installation.
func TestLabelIssueDeliversSignedEvent(t *testing.T) {
	f := newFixture(t, map[string]string{"README.md": "hi\n"})
	n := f.s.AddIssue(testRepo, "Fix it", "Please.", "alice")
	var got github.IssuesEvent
	var event, signature string
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		event, signature = r.Header.Get("X-GitHub-Event"), r.Header.Get("X-Hub-Signature-256")
		mac := hmac.New(sha256.New, []byte("s3cret"))
		mac.Write(body)
		if signature != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("payload: %v", err)
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer app.Close()
	f.s.SetWebhook(app.URL, "s3cret")

	d, err := f.s.LabelIssue(testRepo, n, "lifeos:do", "alice")
	if err != nil || d.Status != http.StatusAccepted || d.Event != "issues" || event != "issues" || d.ID == "" {
		t.Fatalf("delivery %+v, %v (event %q, signature %q)", d, err, event, signature)
	}
	if got.GetAction() != "labeled" || got.GetLabel().GetName() != "lifeos:do" || got.GetIssue().GetNumber() != n ||
		got.GetInstallation().GetID() != testInstallation || got.GetRepo().GetFullName() != testRepo || got.GetSender().GetLogin() != "alice" {
		t.Errorf("event = %+v", got)
	}
	again, err := f.s.LabelIssue(testRepo, n, "lifeos:do", "alice")
	if err != nil || again.ID == d.ID {
		t.Errorf("a second delivery %+v (%v) has the first's id %s", again, err, d.ID)
	}
	if is, _ := f.repo.Issue(n); len(is.Labels) != 1 || is.Labels[0] != "lifeos:do" {
		t.Errorf("issue labels = %v", is.Labels)
	}
}
