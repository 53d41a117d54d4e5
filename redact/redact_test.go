package redact_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/redact"
)

const pemKey = `-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun
VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK
-----END RSA PRIVATE KEY-----
`

func TestWriterRedacts(t *testing.T) {
	w := redact.NewWriter(nil, append([]string{"whsec-0123456789", `sk-"quoted"\key`, "", "short"}, redact.PEMBody([]byte(pemKey))...)...)
	tests := []struct {
		name, in, want string
	}{
		{"webhook secret", "secret is whsec-0123456789!", "secret is [REDACTED]!"},
		{"api key raw", `key sk-"quoted"\key here`, "key [REDACTED] here"},
		{"api key json-escaped", `{"error":"key sk-\"quoted\"\\key here"}`, `{"error":"key [REDACTED] here"}`},
		{"pem line", `{"k":"MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw"}`, `{"k":"[REDACTED]\nVTLw"}`},
		{"installation token", "Authorization: token ghs_16C7e42F292c6912E7710c838347Ae178B4a", "Authorization: token [REDACTED]"},
		{"personal token", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "[REDACTED]"},
		{"signed url", `Get "https://codeload.example/x.tar.gz?token=ABC123&x=1": EOF`, `Get "https://codeload.example/x.tar.gz?token=[REDACTED]&x=1": EOF`},
		{"short secret kept", "a short word", "a short word"},
		{"nothing", "plain line", "plain line"},
		{"not a token", "ghs_short and github_x", "ghs_short and github_x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := w.Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWriterUnderZerolog(t *testing.T) {
	var buf bytes.Buffer
	log := zerolog.New(redact.NewWriter(&buf, "sk-live-SECRET"))
	log.Error().Err(errors.New(`401: Incorrect API key provided: sk-live-SECRET`)).Str("url", "https://x/y?token=T0KEN").Msg("Run failed")
	out := buf.String()
	for _, leak := range []string{"sk-live-SECRET", "T0KEN"} {
		if strings.Contains(out, leak) {
			t.Errorf("log line holds %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, "Run failed") || !strings.HasSuffix(out, "}\n") {
		t.Errorf("log line mangled: %s", out)
	}
}

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://codeload.github.com/o/r/legacy.tar.gz/abc?token=SECRET", "https://codeload.github.com/o/r/legacy.tar.gz/abc?[REDACTED]"},
		{"https://user:pw@host/p#frag", "https://host/p"},
		{"https://host/p", "https://host/p"},
		{"://bad", "(unparsable URL)"},
	}
	for _, tt := range tests {
		if got := redact.URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestURLErrorFromHTTP(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:1/log.txt?token=SECRET", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = http.DefaultClient.Do(req)
	if err == nil {
		t.Fatal("a cancelled request succeeded")
	}
	got := redact.URLError(err)
	if strings.Contains(got.Error(), "SECRET") || !strings.Contains(got.Error(), "http://127.0.0.1:1/log.txt") {
		t.Errorf("URLError = %q", got)
	}
	if !errors.Is(got, context.Canceled) {
		t.Errorf("URLError lost its cause: %v", got)
	}
	var ue *url.Error
	if !errors.As(got, &ue) {
		t.Errorf("URLError is no *url.Error: %T", got)
	}
	plain := errors.New("other")
	if redact.URLError(plain) != plain {
		t.Error("URLError changed an error that is no *url.Error")
	}
}
