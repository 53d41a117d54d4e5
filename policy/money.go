package policy

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Money is an amount in US micro-dollars (1e-6 USD). Integers keep budget
// arithmetic exact: a month of small per-call costs adds up without float drift.
type Money int64

// Common amounts, for writing constants and tests readably.
const (
	Microdollar Money = 1
	Cent        Money = 10_000
	Dollar      Money = 1_000_000
)

// moneyDecimals is how many decimals ParseMoney accepts: one micro-dollar.
const moneyDecimals = 6

// String renders m as dollars and cents ("$1.23", "-$0.50"). An amount that is
// not zero but would round to $0.00 keeps the decimals it needs ("$0.0034")
// so that a small run never reads as free.
func (m Money) String() string {
	sign := ""
	if m < 0 {
		sign = "-"
		m = -m
	}
	if m > 0 && m < Cent/2 {
		return sign + "$" + m.Decimal()
	}
	cents := (m + Cent/2) / Cent
	return fmt.Sprintf("%s$%d.%02d", sign, cents/100, cents%100)
}

// Decimal renders m as a plain decimal number of dollars with at least two
// decimals and no more than needed ("2.00", "0.0025"), the way the policy file
// writes money.
func (m Money) Decimal() string {
	sign := ""
	if m < 0 {
		sign = "-"
		m = -m
	}
	frac := fmt.Sprintf("%06d", m%Dollar)
	frac = strings.TrimRight(frac, "0")
	for len(frac) < 2 {
		frac += "0"
	}
	return fmt.Sprintf("%s%d.%s", sign, m/Dollar, frac)
}

// ParseMoney reads a dollar amount such as "2", "2.50", "$0.003" or "-1.25"
// exactly, without going through a float. It accepts at most six decimals.
func ParseMoney(s string) (Money, error) {
	orig := s
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	}
	s = strings.TrimPrefix(s, "$")
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, fmt.Errorf("%q is not an amount of dollars", orig)
	}
	if !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("%q is not an amount of dollars", orig)
	}
	if len(frac) > moneyDecimals {
		return 0, fmt.Errorf("%q has more than %d decimals", orig, moneyDecimals)
	}
	var dollars int64
	if whole != "" {
		var err error
		dollars, err = strconv.ParseInt(whole, 10, 64)
		if err != nil || dollars > math.MaxInt64/int64(Dollar)-1 {
			return 0, fmt.Errorf("%q is too large", orig)
		}
	}
	var micros int64
	if frac != "" {
		micros, _ = strconv.ParseInt(frac+strings.Repeat("0", moneyDecimals-len(frac)), 10, 64)
	}
	m := Money(dollars)*Dollar + Money(micros)
	if neg {
		m = -m
	}
	return m, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Price is what a model costs per million tokens.
type Price struct {
	InputPerMillion  Money
	OutputPerMillion Money
	// CachedInputPerMillion is the price of prompt tokens the endpoint
	// served from its prompt cache; zero means no cached price is known,
	// and cached tokens cost InputPerMillion.
	CachedInputPerMillion Money
}

// PriceTable maps a model name to its price.
type PriceTable map[string]Price

// PricesAsOf is the date the list prices in DefaultPrices were taken from
// OpenAI's public pricing page (standard tier, no batch discount; the
// cached-input price where OpenAI lists one).
const PricesAsOf = "2025-08-07"

// DefaultPrices returns OpenAI's list prices for the models LifeOS is most
// likely to be pointed at, as of PricesAsOf. Operators with other models or
// negotiated prices pass their own table.
func DefaultPrices() PriceTable {
	p := func(in, out Money) Price { return Price{InputPerMillion: in, OutputPerMillion: out} }
	c := func(in, out, cached Money) Price {
		return Price{InputPerMillion: in, OutputPerMillion: out, CachedInputPerMillion: cached}
	}
	return PriceTable{
		"gpt-5":        c(125*Cent, 10*Dollar, 125*Cent/10),
		"gpt-5-mini":   c(25*Cent, 2*Dollar, 25*Cent/10),
		"gpt-5-nano":   c(5*Cent, 40*Cent, 5*Cent/10),
		"gpt-4.1":      c(2*Dollar, 8*Dollar, 50*Cent),
		"gpt-4.1-mini": c(40*Cent, 160*Cent, 10*Cent),
		"gpt-4.1-nano": c(10*Cent, 40*Cent, 25*Cent/10),
		"gpt-4o":       c(250*Cent, 10*Dollar, 125*Cent),
		"gpt-4o-mini":  c(15*Cent, 60*Cent, 75*Cent/10),
		// The first gpt-4o snapshot kept its launch price; an exact name wins
		// over the date-stripped one, so it is not billed as today's gpt-4o.
		"gpt-4o-2024-05-13": p(5*Dollar, 15*Dollar),
		// o3's price was cut to this on 2025-06-10.
		"o3":      c(2*Dollar, 8*Dollar, 50*Cent),
		"o3-mini": c(110*Cent, 440*Cent, 55*Cent),
		"o4-mini": c(110*Cent, 440*Cent, 275*Cent/10),
	}
}

// PricesSetting is the server setting that adds to or overrides
// DefaultPrices, named in refusals so an operator knows what to set.
const PricesSetting = "LIFEOS_PRICES"

// PriceFree, written as a model's price in PricesSetting ("llama3=free"),
// marks the model explicitly free, the same as "llama3=0:0".
const PriceFree = "free"

// RulePrice is the rule of PriceDecision.
const RulePrice = "money.price"

// ParsePrice reads one model's price as PricesSetting writes it:
// "input:output" in US dollars per million tokens ("2.5:10"), optionally
// with the cached-input price third ("2.5:10:1.25"), or PriceFree.
func ParsePrice(s string) (Price, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, PriceFree) {
		return Price{}, nil
	}
	fields := strings.Split(s, ":")
	if len(fields) != 2 && len(fields) != 3 {
		return Price{}, fmt.Errorf("%q is not input:output dollars per million tokens (such as 2.5:10), input:output:cached (2.5:10:1.25) or %s", s, PriceFree)
	}
	var p Price
	parts := []struct {
		text string
		dst  *Money
	}{{fields[0], &p.InputPerMillion}, {fields[1], &p.OutputPerMillion}}
	if len(fields) == 3 {
		parts = append(parts, struct {
			text string
			dst  *Money
		}{fields[2], &p.CachedInputPerMillion})
	}
	for _, part := range parts {
		m, err := ParseMoney(part.text)
		if err != nil {
			return Price{}, fmt.Errorf("price %q: %w", s, err)
		}
		if m < 0 {
			return Price{}, fmt.Errorf("price %q is negative", s)
		}
		*part.dst = m
	}
	return p, nil
}

// PriceDecision decides whether runs may call model: only if t prices it,
// since an unpriced model's calls would cost nothing on the books and no
// budget or per-run cap would ever bind. A model the operator marked free
// (PriceFree, or 0:0) is priced.
func PriceDecision(t PriceTable, model string) Decision {
	if strings.TrimSpace(model) == "" {
		return Decision{Rule: RulePrice, Reason: "no model is set, so no price applies; set LIFEOS_MODEL or the policy's model"}
	}
	p, ok := t.Lookup(model)
	switch {
	case !ok:
		return Decision{Rule: RulePrice, Reason: fmt.Sprintf(
			"the model %q has no price, so its cost could not be counted against the budgets and the per-run cap; "+
				"the server's operator prices it with %s, in US dollars per million input:output tokens "+
				"(for example %s=\"%s=2.5:10\"), or marks it free with %s=%s",
			model, PricesSetting, PricesSetting, model, model, PriceFree)}
	case p == Price{}:
		return Decision{Allow: true, Rule: RulePrice, Reason: fmt.Sprintf("%s is marked free", model)}
	}
	return Decision{Allow: true, Rule: RulePrice, Reason: fmt.Sprintf("%s costs %s per million input tokens and %s per million output tokens",
		model, p.InputPerMillion, p.OutputPerMillion)}
}

// dateSuffix matches the snapshot date OpenAI appends to pinned model names,
// as in gpt-4o-2024-08-06.
var dateSuffix = regexp.MustCompile(`-\d{4}-\d{2}-\d{2}$`)

// NormalizeModel returns the base name of a model: lower case, without a
// snapshot date suffix ("GPT-4o-2024-08-06" -> "gpt-4o").
func NormalizeModel(model string) string {
	return dateSuffix.ReplaceAllString(strings.ToLower(strings.TrimSpace(model)), "")
}

// Lookup finds the price of model: the exact name first, then its base name
// (see NormalizeModel).
func (t PriceTable) Lookup(model string) (Price, bool) {
	if p, ok := t[model]; ok {
		return p, true
	}
	if p, ok := t[strings.ToLower(strings.TrimSpace(model))]; ok {
		return p, true
	}
	p, ok := t[NormalizeModel(model)]
	return p, ok
}

// Cost is what prompt input tokens and completion output tokens of model
// cost, rounded up to the micro-dollar, with no cache discount. An unknown
// model costs 0, which is why no run may start on one: PriceDecision
// refuses it first.
func (t PriceTable) Cost(model string, prompt, completion int64) Money {
	return t.CallCost(model, prompt, 0, completion)
}

// CallCost is what one call costs: its prompt tokens, of which cached were
// served from the endpoint's prompt cache and cost the cached rate (the
// input rate when the model has none), and its completion tokens. Cached
// is clamped to [0, prompt], so a confused endpoint cannot make a call
// cheaper than all-cached.
func (t PriceTable) CallCost(model string, prompt, cached, completion int64) Money {
	p, ok := t.Lookup(model)
	if !ok {
		return 0
	}
	cached = min(max(cached, 0), max(prompt, 0))
	cachedRate := p.CachedInputPerMillion
	if cachedRate == 0 {
		cachedRate = p.InputPerMillion
	}
	return perMillion(prompt-cached, p.InputPerMillion) + perMillion(cached, cachedRate) + perMillion(completion, p.OutputPerMillion)
}

// perMillion is tokens*price/1e6 rounded up, saturating instead of overflowing.
func perMillion(tokens int64, price Money) Money {
	if tokens <= 0 || price <= 0 {
		return 0
	}
	const million = 1_000_000
	if tokens > math.MaxInt64/int64(price) {
		return Money(math.MaxInt64)
	}
	n := tokens * int64(price)
	return Money((n + million - 1) / million)
}

// Level is how much of a monthly budget has been used, in the steps LifeOS
// reacts to.
type Level int

// Budget levels, from least to most spent.
const (
	// BudgetOK is under half of the budget, or no budget at all.
	BudgetOK Level = iota
	// BudgetNotice is at least half: a heads-up comment is posted once.
	BudgetNotice
	// BudgetDowngrade is at least 80%: runs switch to the cheap model.
	BudgetDowngrade
	// BudgetExhausted is the whole budget: no new runs start this month.
	BudgetExhausted
)

// Thresholds of the budget levels, as fractions numerator/denominator of the
// budget. Halfway gives people time to react; 80% leaves room for the cheap
// model to finish the month.
const (
	noticeNum, noticeDen       = 1, 2
	downgradeNum, downgradeDen = 4, 5
)

// String names the level for logs and comments.
func (l Level) String() string {
	switch l {
	case BudgetOK:
		return "ok"
	case BudgetNotice:
		return "notice"
	case BudgetDowngrade:
		return "downgrade"
	case BudgetExhausted:
		return "exhausted"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// BudgetLevel says how much of budget spent has used. A budget of 0 (or less)
// means unlimited, which is always BudgetOK.
func BudgetLevel(spent, budget Money) Level {
	if budget <= 0 {
		return BudgetOK
	}
	switch {
	case spent >= budget:
		return BudgetExhausted
	case atLeast(spent, budget, downgradeNum, downgradeDen):
		return BudgetDowngrade
	case atLeast(spent, budget, noticeNum, noticeDen):
		return BudgetNotice
	}
	return BudgetOK
}

// atLeast reports spent >= budget*num/den without rounding (spent < budget
// here, and num, den are small, so the products cannot overflow for any
// budget under about a trillion dollars).
func atLeast(spent, budget Money, num, den int64) bool {
	return int64(spent)*den >= int64(budget)*num
}

// CrossedLevels lists, in increasing order, the levels reached by going from
// before to after spent of budget, so each threshold's notice is posted once.
// It is empty if no threshold was crossed or the budget is unlimited.
func CrossedLevels(before, after, budget Money) []Level {
	from, to := BudgetLevel(before, budget), BudgetLevel(after, budget)
	var out []Level
	for l := from + 1; l <= to; l++ {
		out = append(out, l)
	}
	return out
}

// RunCapReached reports whether a run that has spent this much must stop. A
// cap of 0 means no per-run cap.
func RunCapReached(spent, limit Money) bool {
	return limit > 0 && spent >= limit
}

// Month is the budget ledger key for t: its UTC year and month, "2026-11".
func Month(t time.Time) string {
	return t.UTC().Format("2006-01")
}
