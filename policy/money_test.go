package policy

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestMoneyString(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{
		{0, "$0.00"},
		{123 * Cent, "$1.23"},
		{5 * Dollar, "$5.00"},
		{1_234_567, "$1.23"},
		{1_235_000, "$1.24"}, // half a cent rounds up
		{-50 * Cent, "-$0.50"},
		{3_400, "$0.0034"}, // under half a cent is not shown as free
		{1, "$0.000001"},
		{Cent / 2, "$0.01"},
		{1234 * Dollar, "$1234.00"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("Money(%d).String() = %q, want %q", int64(tt.m), got, tt.want)
		}
	}
}

func TestMoneyDecimal(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{
		{0, "0.00"},
		{2 * Dollar, "2.00"},
		{250 * Cent, "2.50"},
		{2_500, "0.0025"},
		{1, "0.000001"},
	}
	for _, tt := range tests {
		if got := tt.m.Decimal(); got != tt.want {
			t.Errorf("Money(%d).Decimal() = %q, want %q", int64(tt.m), got, tt.want)
		}
		back, err := ParseMoney(tt.want)
		if err != nil || back != tt.m {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", tt.want, back, err, tt.m)
		}
	}
}

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in      string
		want    Money
		wantErr bool
	}{
		{"2", 2 * Dollar, false},
		{"2.00", 2 * Dollar, false},
		{"$1.23", 123 * Cent, false},
		{" 0.5 ", 50 * Cent, false},
		{".25", 25 * Cent, false},
		{"3.", 3 * Dollar, false},
		{"0.000001", 1, false},
		{"-1.25", -125 * Cent, false},
		{"-$1", -Dollar, false},
		{"0.0000001", 0, true},
		{"", 0, true},
		{".", 0, true},
		{"$", 0, true},
		{"abc", 0, true},
		{"1,000", 0, true},
		{"1e3", 0, true},
		{"+1", 0, true},
		{"1.2.3", 0, true},
		{"99999999999999999999", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseMoney(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestCost(t *testing.T) {
	prices := DefaultPrices()
	tests := []struct {
		model              string
		prompt, completion int64
		want               Money
	}{
		{"gpt-4.1", 1_000_000, 1_000_000, 10 * Dollar},
		{"gpt-4.1", 10_000, 2_000, 2*Cent + 16*Cent/10},     // 0.02 + 0.016
		{"gpt-4.1-mini", 1_000_000, 0, 40 * Cent},           //
		{"gpt-4.1-nano", 0, 1_000_000, 40 * Cent},           //
		{"gpt-4o", 1_000_000, 1_000_000, 1250 * Cent},       //
		{"gpt-4o-2024-08-06", 1_000_000, 0, 250 * Cent},     // date suffix stripped
		{"GPT-4o-Mini-2024-07-18", 1_000_000, 0, 15 * Cent}, // and case
		{"gpt-4o-2024-05-13", 1_000_000, 0, 5 * Dollar},     // an exact snapshot entry wins
		{"o3", 1_000_000, 1_000_000, 10 * Dollar},
		{"o3-2025-04-16", 0, 1_000_000, 8 * Dollar},
		{"o4-mini", 1_000_000, 1_000_000, 550 * Cent},
		{"gpt-5", 1_000_000, 1_000_000, 1125 * Cent},
		{"gpt-5-2025-08-07", 1_000_000, 0, 125 * Cent},
		{"gpt-5-mini", 1_000_000, 1_000_000, 225 * Cent},
		{"gpt-4.1-nano", 1, 0, 1},  // a fraction of a micro-dollar rounds up
		{"gpt-4.1-nano", 10, 0, 1}, // 10 * 0.1 = 1 exactly
		{"gpt-4.1", 0, 0, 0},
		{"gpt-4.1", -5, -5, 0},
		{"llama-3-70b", 1_000_000, 1_000_000, 0}, // unknown costs nothing
		{"", 1_000_000, 0, 0},
	}
	for _, tt := range tests {
		if got := prices.Cost(tt.model, tt.prompt, tt.completion); got != tt.want {
			t.Errorf("Cost(%q, %d, %d) = %s (%d), want %s (%d)", tt.model, tt.prompt, tt.completion, got, got, tt.want, tt.want)
		}
	}
}

func TestPriceDecision(t *testing.T) {
	prices := DefaultPrices()
	prices["local-llama"] = Price{}                                                            // marked free
	prices["my-azure-gpt"] = Price{InputPerMillion: 250 * Cent, OutputPerMillion: 10 * Dollar} // an operator's price
	tests := []struct {
		name   string
		model  string
		allow  bool
		reason []string // substrings of the reason
	}{
		{"a listed model", "gpt-4.1", true, []string{"gpt-4.1", "$2.00", "$8.00"}},
		{"a dated snapshot of a listed model", "gpt-4.1-2025-04-14", true, []string{"gpt-4.1-2025-04-14"}},
		{"an operator's price", "my-azure-gpt", true, []string{"$2.50", "$10.00"}},
		{"explicitly free", "local-llama", true, []string{"free"}},
		{"unknown", "unknown-model", false, []string{`"unknown-model"`, "no price", PricesSetting, `unknown-model=2.5:10`, "unknown-model=free"}},
		{"unknown to an empty table", "gpt-4.1", false, nil},
		{"no model at all", "", false, []string{"no model"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table := prices
			if tt.name == "unknown to an empty table" {
				table = nil
			}
			d := PriceDecision(table, tt.model)
			if d.Allow != tt.allow || d.Rule != RulePrice || d.Reason == "" {
				t.Errorf("PriceDecision(%q) = %+v, want allow %v", tt.model, d, tt.allow)
			}
			for _, w := range tt.reason {
				if !strings.Contains(d.Reason, w) {
					t.Errorf("reason %q lacks %q", d.Reason, w)
				}
			}
		})
	}
}

func TestParsePrice(t *testing.T) {
	tests := []struct {
		in      string
		want    Price
		wantErr bool
	}{
		{"2.5:10", Price{InputPerMillion: 250 * Cent, OutputPerMillion: 10 * Dollar}, false},
		{" 0.15 : 0.6 ", Price{InputPerMillion: 15 * Cent, OutputPerMillion: 60 * Cent}, false},
		{"0:0", Price{}, false},
		{"free", Price{}, false},
		{"FREE", Price{}, false},
		{"$1:$2", Price{InputPerMillion: Dollar, OutputPerMillion: 2 * Dollar}, false},
		{"2.5", Price{}, true},
		{"a:b", Price{}, true},
		{"1:-1", Price{}, true},
		{"", Price{}, true},
		{"1:2:3:4", Price{}, true}, // three fields are input:output:cached (TestParsePriceCached)
	}
	for _, tt := range tests {
		got, err := ParsePrice(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParsePrice(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestNormalizeModel(t *testing.T) {
	tests := map[string]string{
		"gpt-4o-2024-08-06":       "gpt-4o",
		"gpt-4.1-mini-2025-04-14": "gpt-4.1-mini",
		" GPT-4.1 ":               "gpt-4.1",
		"o3":                      "o3",
		"gpt-4o-2024":             "gpt-4o-2024",
		"gpt-4-0613":              "gpt-4-0613",
	}
	for in, want := range tests {
		if got := NormalizeModel(in); got != want {
			t.Errorf("NormalizeModel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBudgetLevel(t *testing.T) {
	budget := 100 * Dollar
	tests := []struct {
		spent, budget Money
		want          Level
	}{
		{0, budget, BudgetOK},
		{4999 * Cent, budget, BudgetOK},         // 49.99%
		{50 * Dollar, budget, BudgetNotice},     // 50%
		{7999 * Cent, budget, BudgetNotice},     // 79.99%
		{80 * Dollar, budget, BudgetDowngrade},  // 80%
		{9999 * Cent, budget, BudgetDowngrade},  // 99.99%
		{100 * Dollar, budget, BudgetExhausted}, // 100%
		{150 * Dollar, budget, BudgetExhausted},
		{1_000_000 * Dollar, 0, BudgetOK}, // budget 0 is unlimited
		{Dollar, -1, BudgetOK},
		{1, 3, BudgetOK}, // 33%: no rounding up
		{2, 3, BudgetNotice},
		{3, 3, BudgetExhausted},
		{4, 5, BudgetDowngrade},
	}
	for _, tt := range tests {
		if got := BudgetLevel(tt.spent, tt.budget); got != tt.want {
			t.Errorf("BudgetLevel(%s, %s) = %v, want %v", tt.spent, tt.budget, got, tt.want)
		}
	}
}

func TestCrossedLevels(t *testing.T) {
	budget := 50 * Dollar
	tests := []struct {
		name          string
		before, after Money
		budget        Money
		want          []Level
	}{
		{"no spend", 0, 0, budget, nil},
		{"below notice", 0, 2499 * Cent, budget, nil},
		{"lands on notice", 2499 * Cent, 25 * Dollar, budget, []Level{BudgetNotice}},
		{"already past notice", 25 * Dollar, 26 * Dollar, budget, nil},
		{"notice to downgrade", 39 * Dollar, 40 * Dollar, budget, []Level{BudgetDowngrade}},
		{"one big run crosses all", 10 * Dollar, 60 * Dollar, budget, []Level{BudgetNotice, BudgetDowngrade, BudgetExhausted}},
		{"exactly exhausted", 4999 * Cent, 50 * Dollar, budget, []Level{BudgetExhausted}},
		{"already exhausted", 50 * Dollar, 70 * Dollar, budget, nil},
		{"refund goes down", 45 * Dollar, 10 * Dollar, budget, nil},
		{"unlimited", 0, 1000 * Dollar, 0, nil},
	}
	for _, tt := range tests {
		if got := CrossedLevels(tt.before, tt.after, tt.budget); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: CrossedLevels(%s, %s, %s) = %v, want %v", tt.name, tt.before, tt.after, tt.budget, got, tt.want)
		}
	}
}

func TestRunCapReached(t *testing.T) {
	tests := []struct {
		spent, limit Money
		want         bool
	}{
		{0, 5 * Dollar, false},
		{499 * Cent, 5 * Dollar, false},
		{5 * Dollar, 5 * Dollar, true},
		{6 * Dollar, 5 * Dollar, true},
		{1000 * Dollar, 0, false},
	}
	for _, tt := range tests {
		if got := RunCapReached(tt.spent, tt.limit); got != tt.want {
			t.Errorf("RunCapReached(%s, %s) = %v, want %v", tt.spent, tt.limit, got, tt.want)
		}
	}
}

func TestMonth(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC), "2026-11"},
		{time.Date(2026, 11, 30, 20, 0, 0, 0, est), "2026-12"}, // already December in UTC
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "2027-01"},
	}
	for _, tt := range tests {
		if got := Month(tt.t); got != tt.want {
			t.Errorf("Month(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}

func TestLevelString(t *testing.T) {
	for l, want := range map[Level]string{BudgetOK: "ok", BudgetNotice: "notice", BudgetDowngrade: "downgrade", BudgetExhausted: "exhausted", Level(9): "Level(9)"} {
		if got := l.String(); got != want {
			t.Errorf("Level(%d).String() = %q, want %q", int(l), got, want)
		}
	}
}

func TestCallCostPricesCachedTokens(t *testing.T) {
	prices := DefaultPrices()
	prices["my-model"] = Price{InputPerMillion: 2 * Dollar, OutputPerMillion: 8 * Dollar} // no cached price
	tests := []struct {
		model                      string
		prompt, cached, completion int64
		want                       Money
	}{
		{"gpt-4.1", 1_000_000, 0, 0, 2 * Dollar},
		{"gpt-4.1", 1_000_000, 1_000_000, 0, 50 * Cent},                              // all cached: $0.50
		{"gpt-4.1", 1_000_000, 750_000, 1_000_000, 50*Cent + 375*Cent/10 + 8*Dollar}, // 0.25M at $2, 0.75M at $0.50
		{"gpt-4.1", 1_000_000, 2_000_000, 0, 50 * Cent},                              // cached clamped to the prompt
		{"gpt-4.1", 1_000_000, -5, 0, 2 * Dollar},                                    // and to zero
		{"gpt-4o-mini", 1_000_000, 1_000_000, 0, 75 * Cent / 10},
		{"my-model", 1_000_000, 1_000_000, 0, 2 * Dollar}, // no cached price: the input rate
		{"unknown", 1_000_000, 1_000_000, 0, 0},
	}
	for _, tt := range tests {
		if got := prices.CallCost(tt.model, tt.prompt, tt.cached, tt.completion); got != tt.want {
			t.Errorf("CallCost(%q, %d, %d, %d) = %s (%d), want %s (%d)", tt.model, tt.prompt, tt.cached, tt.completion, got, got, tt.want, tt.want)
		}
	}
}

func TestParsePriceCached(t *testing.T) {
	p, err := ParsePrice("2.5:10:1.25")
	if err != nil || p != (Price{InputPerMillion: 250 * Cent, OutputPerMillion: 10 * Dollar, CachedInputPerMillion: 125 * Cent}) {
		t.Errorf("ParsePrice = %+v, %v", p, err)
	}
	for _, bad := range []string{"1:2:3:4", "1:2:", "1:2:-1", "1:2:x"} {
		if _, err := ParsePrice(bad); err == nil {
			t.Errorf("ParsePrice(%q) succeeded", bad)
		}
	}
}
