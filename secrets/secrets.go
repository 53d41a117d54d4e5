// Package secrets finds secret-shaped strings (tokens, keys, passwords) in
// text and redacts them, and drops images that would make a reader's browser
// call a host outside GitHub. LifeOS runs every text it posts or stores
// through Scrub, and refuses to commit a change in which Find finds a
// secret.
//
// The rules are a focused set of well-known token formats, each with a
// table test, rather than gitleaks' rule set: importing gitleaks' detect
// package brings viper, cobra, archive readers and a terminal UI library
// into a server that needs a few dozen regular expressions.
package secrets

import (
	"math"
	"regexp"
	"sort"
	"strings"
)

// Redacted replaces each secret in redacted text. It matches no rule, so
// redacting twice changes nothing.
const Redacted = "[REDACTED]"

// minGenericEntropy is the Shannon entropy, in bits per character, above
// which the value of a `key = value` assignment counts as a secret: random
// tokens score 4 and more, words and placeholders ("changeme",
// "your-api-key-here") score below 3.5.
const minGenericEntropy = 3.5

// Rule is one kind of secret: its name, shown in findings, and how to find it.
type Rule struct {
	ID          string
	Description string
	re          *regexp.Regexp
	// group is the submatch holding the secret itself; 0 for the whole match.
	group int
	// valid, if set, must accept the secret for it to count.
	valid func(string) bool
}

// Finding is one secret found in a text: the rule and the byte range.
type Finding struct {
	Rule       string
	Start, End int
}

// Detector finds secrets with a set of rules. It holds only compiled
// regular expressions, so one Detector may be used concurrently.
type Detector struct {
	rules []Rule
}

// builtin is the detector behind the package's functions. Like a
// package-level regexp.MustCompile, it is built once and never changed.
var builtin = New()

// Find lists the secrets in text with the built-in rules (Detector.Find).
func Find(text string) []Finding { return builtin.Find(text) }

// Redact replaces the secrets in text with Redacted (Detector.Redact).
func Redact(text string) string { return builtin.Redact(text) }

// Scrub redacts secrets and drops external images (Detector.Scrub).
func Scrub(text string) string { return builtin.Scrub(text) }

// Describe returns a rule's description, or the id itself if unknown.
func Describe(ruleID string) string {
	for _, r := range builtin.rules {
		if r.ID == ruleID {
			return r.Description
		}
	}
	return ruleID
}

// New returns a Detector with the built-in rules.
func New() *Detector {
	return &Detector{rules: builtinRules()}
}

// Rules returns the detector's rules, in the order they are tried.
func (d *Detector) Rules() []Rule {
	return append([]Rule(nil), d.rules...)
}

func builtinRules() []Rule {
	return []Rule{
		{ID: "github-token", Description: "GitHub token", re: regexp.MustCompile(`\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b`)},
		{ID: "github-fine-grained-pat", Description: "GitHub fine-grained token", re: regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{22,255}\b`)},
		{ID: "aws-access-key-id", Description: "AWS access key ID", re: regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b`)},
		{ID: "slack-token", Description: "Slack token", re: regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}`)},
		{ID: "slack-webhook", Description: "Slack webhook URL", re: regexp.MustCompile(`https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9+/_-]{20,}`)},
		{ID: "stripe-key", Description: "Stripe secret or restricted key", re: regexp.MustCompile(`\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b`)},
		{ID: "openai-key", Description: "OpenAI API key", re: regexp.MustCompile(`\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`), valid: hasDigitAndLetter},
		{ID: "google-api-key", Description: "Google API key", re: regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}\b`)},
		{ID: "private-key", Description: "PEM private key block", re: regexp.MustCompile(`(?s)-----BEGIN[ A-Z0-9]*PRIVATE KEY( BLOCK)?-----.*?(?:-----END[ A-Z0-9]*PRIVATE KEY( BLOCK)?-----|\z)`)},
		{ID: "jwt", Description: "JSON Web Token", re: regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}`)},
		{ID: "generic-assignment", Description: "high-entropy value assigned to a key, secret, token or password",
			re:    regexp.MustCompile(`(?i)[a-z0-9_.-]*(?:api[_-]?key|secret|token|passw(?:or)?d|pwd|access[_-]?key|auth[_-]?key|credential)[a-z0-9_.-]*["']?\s*[:=]\s*["']?([A-Za-z0-9_\-+/=.~]{16,})`),
			group: 1, valid: highEntropy},
	}
}

// Find lists the secrets in text, sorted by position; overlapping findings
// are all listed.
func (d *Detector) Find(text string) []Finding {
	var out []Finding
	for _, r := range d.rules {
		for _, m := range r.re.FindAllStringSubmatchIndex(text, -1) {
			start, end := m[2*r.group], m[2*r.group+1]
			if start < 0 || (r.valid != nil && !r.valid(text[start:end])) {
				continue
			}
			out = append(out, Finding{Rule: r.ID, Start: start, End: end})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Start != out[j].Start {
			return out[i].Start < out[j].Start
		}
		return out[i].End > out[j].End
	})
	return out
}

// Redact replaces every secret in text with Redacted.
func (d *Detector) Redact(text string) string {
	fs := d.Find(text)
	if len(fs) == 0 {
		return text
	}
	var b strings.Builder
	pos := 0
	for _, f := range fs {
		if f.End <= pos {
			continue // inside one already redacted
		}
		b.WriteString(text[pos:max(f.Start, pos)])
		b.WriteString(Redacted)
		pos = f.End
	}
	b.WriteString(text[pos:])
	return b.String()
}

// Scrub makes text fit to post or store: secrets redacted and images on
// hosts outside GitHub removed.
func (d *Detector) Scrub(text string) string {
	return DropExternalImages(d.Redact(text))
}

func hasDigitAndLetter(s string) bool {
	return strings.ContainsAny(s, "0123456789") && strings.ContainsFunc(s, func(r rune) bool {
		return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
	})
}

// highEntropy reports whether s looks random: letters and digits mixed, and
// a Shannon entropy of at least minGenericEntropy bits per character.
func highEntropy(s string) bool {
	return hasDigitAndLetter(s) && entropy(s) >= minGenericEntropy
}

// entropy is the Shannon entropy of s in bits per byte.
func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	h, n := 0.0, float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}
