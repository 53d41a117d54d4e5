package config

import (
	"errors"
	"strings"
	"testing"
)

// TestLoadWeb: login needs its secret, a long session key and a public
// URL; the public URL is https, or http only on a loopback host.
func TestLoadWeb(t *testing.T) {
	key := strings.Repeat("k", MinSessionKeyBytes)
	full := map[string]string{"GITHUB_APP_CLIENT_ID": "Iv1.x", "GITHUB_APP_CLIENT_SECRET": "sec",
		"LIFEOS_SESSION_KEY": key, "LIFEOS_PUBLIC_URL": "https://lifeos.example/"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range full {
			m[a] = b
		}
		m[k] = v
		return m
	}
	for _, c := range []struct {
		env     map[string]string
		badName string
	}{
		{nil, ""},
		{full, ""},
		{with("LIFEOS_PUBLIC_URL", "http://127.0.0.1:8080"), ""},
		{with("LIFEOS_PUBLIC_URL", "http://localhost:8080"), ""},
		{with("LIFEOS_PUBLIC_URL", "http://lifeos.example"), "LIFEOS_PUBLIC_URL"},
		{with("LIFEOS_PUBLIC_URL", ""), "LIFEOS_PUBLIC_URL"},
		{with("GITHUB_APP_CLIENT_SECRET", ""), "GITHUB_APP_CLIENT_SECRET"},
		{with("LIFEOS_SESSION_KEY", "short"), "LIFEOS_SESSION_KEY"},
		{map[string]string{"LIFEOS_ADMIN_TOKEN": "short"}, "LIFEOS_ADMIN_TOKEN"},
	} {
		cfg, err := Load(testEnv(t, c.env))
		var ce *Error
		switch {
		case c.badName == "" && err != nil:
			t.Errorf("%v: %v", c.env, err)
		case c.badName != "" && (!errors.As(err, &ce) || ce.Name != c.badName):
			t.Errorf("%v: err = %v, want one naming %s", c.env, err, c.badName)
		case c.badName == "" && cfg.Web.LoginEnabled() != (c.env["GITHUB_APP_CLIENT_ID"] != ""):
			t.Errorf("%v: login enabled = %v", c.env, cfg.Web.LoginEnabled())
		}
	}
}
