package config

import (
	"fmt"
	"net/url"

	"github.com/lifeos/lifeos/policy"
)

// DemoModel is the model endpoint `lifeos demo` talks to when one is set:
// the same settings serve reads for it, and nothing else.
type DemoModel struct {
	BaseURL, APIKey, Model string
	Prices                 policy.PriceTable
}

// LoadDemoModel reads the model settings of `lifeos demo`. With neither
// OPENAI_BASE_URL nor LIFEOS_MODEL set, ok is false and the demo scripts a
// model of its own; otherwise the demo uses that endpoint (OpenAI's when
// only LIFEOS_MODEL is set, which then needs OPENAI_API_KEY).
func LoadDemoModel(getenv func(string) string) (m DemoModel, ok bool, err error) {
	m = DemoModel{BaseURL: getenv("OPENAI_BASE_URL"), APIKey: getenv("OPENAI_API_KEY"), Model: getenv("LIFEOS_MODEL")}
	if m.BaseURL == "" && m.Model == "" {
		return m, false, nil
	}
	if err := checkURL("OPENAI_BASE_URL", m.BaseURL); err != nil {
		return m, false, err
	}
	if m.BaseURL == "" && m.APIKey == "" {
		return m, false, &Error{"OPENAI_API_KEY", "is required for OpenAI's endpoint (or set OPENAI_BASE_URL to a local one, such as Ollama's)"}
	}
	if m.Model == "" {
		m.Model = DefaultModel
	}
	if m.Prices, err = LoadPrices(getenv); err != nil {
		return m, false, err
	}
	return m, true, nil
}

// checkURL checks that a set URL setting is an http(s) URL.
func checkURL(name, value string) error {
	if value == "" {
		return nil
	}
	if p, err := url.Parse(value); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return &Error{name, fmt.Sprintf("is not an http(s) URL: %q", value)}
	}
	return nil
}
