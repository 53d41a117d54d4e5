package githubfake

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// conditional gives a successful GET's answer an ETag, the hash of its
// body, and answers 304 without a body when the request's If-None-Match
// names it, as GitHub does (any GET may answer 304; GitHub's description
// declares it for some operations only).
func conditional(r *http.Request, out encoded) encoded {
	if r.Method != http.MethodGet || out.status != http.StatusOK {
		return out
	}
	sum := sha256.Sum256(out.body)
	etag := `W/"` + hex.EncodeToString(sum[:]) + `"`
	out.header.Set("ETag", etag)
	for _, tag := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if tag = strings.TrimSpace(tag); tag == etag || tag == strings.TrimPrefix(etag, "W/") || tag == "*" {
			return encoded{status: http.StatusNotModified, header: http.Header{"Etag": {etag}}}
		}
	}
	return out
}
