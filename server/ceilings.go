package server

import (
	"fmt"
	"strings"

	"github.com/lifeos/lifeos/policy"
)

// LoadCeilings reads the server's policy ceilings, the limits a repository
// may lower and never raise, from the environment. Unset values keep
// policy.DefaultCeilings.
func LoadCeilings(getenv func(string) string) (policy.Ceilings, error) {
	c := policy.DefaultCeilings()
	var err error
	if c.MaxTurns, err = intSetting(getenv, "LIFEOS_MAX_TURNS", c.MaxTurns, 1, 1000); err != nil {
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
			return c, &ConfigError{m.name, fmt.Sprintf("must be an amount in US dollars like 2.50, got %q", v)}
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
// LIFEOS_PRICES, a comma-separated list of model=input:output in US dollars
// per million tokens (e.g. "llama3=0:0,my-azure-gpt=2.5:10"). Models not in
// the table cost nothing.
func LoadPrices(getenv func(string) string) (policy.PriceTable, error) {
	t := policy.DefaultPrices()
	v := getenv("LIFEOS_PRICES")
	if v == "" {
		return t, nil
	}
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		model, prices, ok := strings.Cut(item, "=")
		in, out, ok2 := strings.Cut(prices, ":")
		if !ok || !ok2 || strings.TrimSpace(model) == "" {
			return nil, &ConfigError{"LIFEOS_PRICES", fmt.Sprintf("entry %q is not model=input:output", item)}
		}
		inM, err1 := policy.ParseMoney(strings.TrimSpace(in))
		outM, err2 := policy.ParseMoney(strings.TrimSpace(out))
		if err1 != nil || err2 != nil {
			return nil, &ConfigError{"LIFEOS_PRICES", fmt.Sprintf("entry %q has a price that is not an amount in US dollars", item)}
		}
		t[strings.TrimSpace(model)] = policy.Price{InputPerMillion: inM, OutputPerMillion: outM}
	}
	return t, nil
}
