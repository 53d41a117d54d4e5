package config

import (
	"fmt"
	"strings"

	"github.com/lifeos/lifeos/policy"
)

// LoadCeilings reads the server's policy ceilings, the limits a repository
// may lower and never raise, from the environment. Unset values keep
// policy.DefaultCeilings. It is the one reader of the settings it covers
// (LIFEOS_TRIGGER_LABEL, LIFEOS_MODEL, LIFEOS_MAX_TURNS among them):
// Load takes their values from the ceilings it returns.
func LoadCeilings(getenv func(string) string) (policy.Ceilings, error) {
	c := policy.DefaultCeilings()
	var err error
	if v := getenv("LIFEOS_TRIGGER_LABEL"); v != "" {
		switch n := len([]rune(v)); {
		case strings.TrimSpace(v) == "":
			return c, &Error{"LIFEOS_TRIGGER_LABEL", "must be a label name, got only spaces"}
		case n > policy.MaxLabelLen:
			return c, &Error{"LIFEOS_TRIGGER_LABEL", fmt.Sprintf("has %d characters; GitHub labels have at most %d", n, policy.MaxLabelLen)}
		}
		c.TriggerLabel = v
	}
	if c.MaxTurns, err = intSetting(getenv, "LIFEOS_MAX_TURNS", c.MaxTurns, 1, 1000); err != nil {
		return c, err
	}
	if c.MaxMinutes, err = intSetting(getenv, "LIFEOS_MAX_RUN_MINUTES", c.MaxMinutes, 1, 24*60); err != nil {
		return c, err
	}
	if c.MaxAutonomy, err = intSetting(getenv, "LIFEOS_MAX_AUTONOMY", c.MaxAutonomy, 1, 4); err != nil {
		return c, err
	}
	if c.MaxFiles, err = intSetting(getenv, "LIFEOS_MAX_FILES", c.MaxFiles, 1, 100000); err != nil {
		return c, err
	}
	if c.MaxLines, err = intSetting(getenv, "LIFEOS_MAX_LINES", c.MaxLines, 1, 10000000); err != nil {
		return c, err
	}
	if c.MaxBytes, err = intSetting(getenv, "LIFEOS_MAX_BYTES", c.MaxBytes, 1, 1<<30); err != nil {
		return c, err
	}
	for _, m := range []struct {
		name string
		dst  *policy.Money
	}{
		{"LIFEOS_MAX_COST_PER_RUN", &c.MaxCostPerRun},
		{"LIFEOS_MONTHLY_BUDGET", &c.MonthlyBudgetRepo},
		{"LIFEOS_MONTHLY_BUDGET_INSTALLATION", &c.MonthlyBudgetInstallation},
	} {
		v := getenv(m.name)
		if v == "" {
			continue
		}
		money, err := policy.ParseMoney(v)
		if err != nil || money < 0 {
			return c, &Error{m.name, fmt.Sprintf("must be an amount in US dollars like 2.50, got %q", v)}
		}
		*m.dst = money
	}
	if v := getenv("LIFEOS_MODEL"); v != "" {
		c.DefaultModel = v
	}
	if v := getenv("LIFEOS_CHEAP_MODEL"); v != "" {
		c.DefaultCheapModel = v
	}
	if v := getenv("LIFEOS_ALLOWED_MODELS"); v != "" {
		c.AllowedModels = nil
		for _, m := range strings.Split(v, ",") {
			if m = strings.TrimSpace(m); m != "" {
				c.AllowedModels = append(c.AllowedModels, m)
			}
		}
	}
	return c, nil
}

// LoadPrices returns the price table: policy.DefaultPrices plus
// LIFEOS_PRICES (policy.PricesSetting), a comma-separated list of
// model=input:output in US dollars per million tokens, or model=free
// (e.g. "llama3=free,my-azure-gpt=2.5:10"). No run starts on a model
// missing from the table (see policy.PriceDecision), so a free model has to
// be marked free.
func LoadPrices(getenv func(string) string) (policy.PriceTable, error) {
	t := policy.DefaultPrices()
	v := getenv(policy.PricesSetting)
	if v == "" {
		return t, nil
	}
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		model, price, ok := strings.Cut(item, "=")
		model = strings.TrimSpace(model)
		if !ok || model == "" {
			return nil, &Error{policy.PricesSetting, fmt.Sprintf("entry %q is not model=input:output or model=%s", item, policy.PriceFree)}
		}
		p, err := policy.ParsePrice(price)
		if err != nil {
			return nil, &Error{policy.PricesSetting, fmt.Sprintf("entry %q: %v", item, err)}
		}
		t[model] = p
	}
	return t, nil
}
