// Package redact keeps secrets out of what LifeOS writes down: a log
// writer that blanks known secrets and GitHub token shapes from every line,
// and helpers that strip the query (where signed URLs carry their tokens)
// from URLs and the errors that quote them.
package redact

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"regexp"
	"strings"
)

// Mask replaces every redacted secret.
const Mask = "[REDACTED]"

// MinSecretLen is the shortest value the writer blanks: a shorter one would
// also match ordinary words and numbers all over the log, and is no secret
// worth the name.
const MinSecretLen = 6

// tokenShape matches GitHub's prefixed tokens: installation tokens (ghs_),
// user-to-server (ghu_), OAuth (gho_), personal (ghp_) and refresh (ghr_).
var tokenShape = regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{20,}`)

// tokenParam matches a signed URL's token in its query, for URLs that reach
// a log line by a path the URL helpers did not cover.
var tokenParam = regexp.MustCompile(`([?&](?:token|access_token|jwt|sig|signature|X-Amz-Signature|X-Amz-Credential)=)[^&\s"'\\]+`)

// Writer copies log lines to an underlying writer with secrets blanked.
// It keeps no state between lines, so one Writer serves any number of
// goroutines when the writer below it does.
type Writer struct {
	w        io.Writer
	replacer *strings.Replacer
}

// NewWriter returns a Writer onto w that blanks each of secrets (raw and as
// they appear inside a JSON string), every GitHub token shape and the
// token in signed URLs. Empty and too short secrets are skipped.
func NewWriter(w io.Writer, secrets ...string) *Writer {
	var pairs []string
	seen := map[string]bool{}
	for _, s := range secrets {
		for _, form := range forms(s) {
			if len(form) >= MinSecretLen && !seen[form] {
				seen[form] = true
				pairs = append(pairs, form, Mask)
			}
		}
	}
	rw := &Writer{w: w}
	if len(pairs) > 0 {
		rw.replacer = strings.NewReplacer(pairs...)
	}
	return rw
}

// forms are the spellings of a secret a log line may hold: as is, and
// escaped inside a JSON string.
func forms(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	quoted, err := json.Marshal(s)
	if err != nil {
		return []string{s}
	}
	return []string{s, strings.TrimSuffix(strings.TrimPrefix(string(quoted), `"`), `"`)}
}

// Write writes p with secrets blanked. It reports len(p) on success, as
// callers that wrote p expect.
func (rw *Writer) Write(p []byte) (int, error) {
	line := rw.Redact(string(p))
	if _, err := io.WriteString(rw.w, line); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Redact returns s with the writer's secrets, GitHub token shapes and
// signed URLs' tokens blanked.
func (rw *Writer) Redact(s string) string {
	if rw.replacer != nil {
		s = rw.replacer.Replace(s)
	}
	if strings.Contains(s, "gh") {
		s = tokenShape.ReplaceAllString(s, Mask)
	}
	if strings.Contains(s, "=") {
		s = tokenParam.ReplaceAllString(s, "${1}"+Mask)
	}
	return s
}

// PEMBody returns the base64 lines of a PEM block (a private key), each
// of which the writer should blank: a log line holding any part of the key
// loses that part, whatever escaping it went through.
func PEMBody(pem []byte) []string {
	var out []string
	for _, line := range bytes.Split(pem, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || bytes.HasPrefix(line, []byte("-----")) || bytes.Contains(line, []byte(":")) {
			continue
		}
		out = append(out, string(line))
	}
	return out
}

// URL returns raw without its query and fragment, where signed download
// URLs carry their tokens. Text that does not parse as a URL is replaced
// by a placeholder, since it cannot be checked.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	hadQuery := u.RawQuery != "" || u.ForceQuery
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment, u.User = "", false, "", "", nil
	if hadQuery {
		return u.String() + "?" + Mask
	}
	return u.String()
}

// URLError returns err, when it is a *url.Error (what net/http returns),
// with its URL stripped by URL; any other error is returned as it is.
// Apply it where the *url.Error arises, before context is wrapped around
// it. The result still unwraps to the cause, so errors.Is keeps working.
func URLError(err error) error {
	ue, ok := err.(*url.Error) // only the top: text wrapped around it is already fixed
	if !ok {
		return err
	}
	return &url.Error{Op: ue.Op, URL: URL(ue.URL), Err: ue.Err}
}
