// Dropping images that point outside GitHub from generated markdown.

package secrets

import (
	"net/url"
	"regexp"
	"strings"
)

var (
	// inlineImage is ![alt](url "title"), url optionally in <>.
	inlineImage = regexp.MustCompile(`!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)`)
	// refImage is ![alt][ref] or ![alt][] or ![ref].
	refImage = regexp.MustCompile(`!\[([^\]]*)\](?:\[([^\]]*)\])?`)
	// refDefinition is a link reference definition: [ref]: url "title".
	refDefinition = regexp.MustCompile(`(?m)^ {0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+.*)?$`)
	// htmlImage is an <img> tag; its src is checked in dropHTMLImage.
	htmlImage = regexp.MustCompile(`(?is)<img\b[^>]*>`)
	htmlSrc   = regexp.MustCompile(`(?is)\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))`)
)

// DropExternalImages removes markdown and HTML images whose address is on a
// host outside GitHub: a reader's browser (or GitHub's image proxy) would
// fetch them, sending whatever the address carries to that host. An inline
// image becomes its alt text with a note naming the host; images on
// GitHub's own hosts and relative ones stay.
func DropExternalImages(md string) string {
	md = inlineImage.ReplaceAllStringFunc(md, func(m string) string {
		sub := inlineImage.FindStringSubmatch(m)
		return dropped(sub[1], sub[2], m)
	})
	defs := map[string]string{}
	for _, d := range refDefinition.FindAllStringSubmatch(md, -1) {
		defs[strings.ToLower(strings.TrimSpace(d[1]))] = d[2]
	}
	md = refImage.ReplaceAllStringFunc(md, func(m string) string {
		sub := refImage.FindStringSubmatch(m)
		ref := sub[2]
		if ref == "" {
			ref = sub[1]
		}
		target, ok := defs[strings.ToLower(strings.TrimSpace(ref))]
		if !ok {
			return m
		}
		return dropped(sub[1], target, m)
	})
	return htmlImage.ReplaceAllStringFunc(md, func(tag string) string {
		sub := htmlSrc.FindStringSubmatch(tag)
		if sub == nil {
			return tag
		}
		return dropped("", sub[1]+sub[2]+sub[3], tag)
	})
}

// dropped returns keep if target is allowed, or the note replacing the image.
func dropped(alt, target, keep string) string {
	host, external := externalHost(target)
	if !external {
		return keep
	}
	alt = strings.TrimSpace(alt)
	if alt != "" {
		alt += " "
	}
	return alt + "(image on " + host + " removed)"
}

// externalHost reports whether an image address names a host outside
// GitHub's own, and which. Relative addresses stay in the repository.
func externalHost(target string) (string, bool) {
	t := strings.TrimSpace(target)
	if t == "" {
		return "", false
	}
	u, err := url.Parse(t)
	if err != nil {
		return "an unreadable address", true
	}
	if u.Scheme == "" && u.Host == "" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if (u.Scheme == "https" || u.Scheme == "http") && gitHubHost(host) {
		return "", false
	}
	if host == "" {
		host = u.Scheme + ":"
	}
	return host, true
}

// gitHubHost reports whether host is one of GitHub's, which serve images
// of issues and repositories without telling anyone else who looked.
func gitHubHost(host string) bool {
	return host == "github.com" || host == "github.githubassets.com" ||
		strings.HasSuffix(host, ".githubusercontent.com")
}
