package policy

import (
	"reflect"
	"strings"
	"testing"
)

func TestBudgetGate(t *testing.T) {
	prices := PriceTable{"big": {InputPerMillion: Dollar, OutputPerMillion: Dollar}, "small": {}, "server": {}}
	budgets := Policy{Model: "big", CheapModel: "small", MonthlyBudget: Dollar, MonthlyBudgetInstallation: 10 * Dollar}
	tests := []struct {
		name      string
		p         Policy
		s         Spend
		fallback  string
		prices    PriceTable
		model     string
		decisions []Decision
		ok        bool
	}{
		{
			name: "under budget", p: budgets, s: Spend{Repo: 10 * Cent, Installation: 10 * Cent}, prices: prices,
			model: "big", ok: true,
			decisions: []Decision{{Allow: true, Rule: "budget.monthly",
				Reason: "spent $0.10 of the repository's $1.00 and $0.10 of the installation's $10.00 this month"}},
		},
		{
			name: "80% of the repository's budget downgrades", p: budgets, s: Spend{Repo: 80 * Cent}, prices: prices,
			model: "small", ok: true,
			decisions: []Decision{{Allow: true, Rule: "budget.downgrade",
				Reason: "spent $0.80 of the repository's $1.00 and $0.00 of the installation's $10.00 this month; using the cheaper model small"}},
		},
		{
			name: "80% of the installation's budget downgrades", p: budgets, s: Spend{Installation: 8 * Dollar}, prices: prices,
			model: "small", ok: true,
			decisions: []Decision{{Allow: true, Rule: "budget.downgrade",
				Reason: "spent $0.00 of the repository's $1.00 and $8.00 of the installation's $10.00 this month; using the cheaper model small"}},
		},
		{
			name: "no downgrade to the same model", p: Policy{Model: "big", CheapModel: "big", MonthlyBudget: Dollar}, s: Spend{Repo: 90 * Cent}, prices: prices,
			model: "big", ok: true,
			decisions: []Decision{{Allow: true, Rule: "budget.monthly",
				Reason: "spent $0.90 of the repository's $1.00 and $0.00 of the installation's no limit this month"}},
		},
		{
			name: "spent refuses", p: budgets, s: Spend{Repo: Dollar}, prices: prices,
			decisions: []Decision{{Rule: "budget.monthly",
				Reason: "this month's budget is spent (spent $1.00 of the repository's $1.00 and $0.00 of the installation's $10.00 this month)"}},
		},
		{
			name: "fallback model without one in the policy", p: Policy{}, fallback: "server", prices: prices,
			model: "server", ok: true,
			decisions: []Decision{{Allow: true, Rule: "budget.monthly",
				Reason: "spent $0.00 of the repository's no limit and $0.00 of the installation's no limit this month"}},
		},
		{
			name: "unpriced model refuses", p: Policy{Model: "mystery"}, prices: prices,
			decisions: []Decision{
				{Allow: true, Rule: "budget.monthly", Reason: "spent $0.00 of the repository's no limit and $0.00 of the installation's no limit this month"},
				PriceDecision(prices, "mystery"),
			},
		},
		{
			name: "unpriced cheap model refuses when switched to", p: Policy{Model: "big", CheapModel: "mystery", MonthlyBudget: Dollar}, s: Spend{Repo: 85 * Cent}, prices: prices,
			decisions: []Decision{
				{Allow: true, Rule: "budget.downgrade", Reason: "spent $0.85 of the repository's $1.00 and $0.00 of the installation's no limit this month; using the cheaper model mystery"},
				PriceDecision(prices, "mystery"),
			},
		},
		{
			name: "unpriced primary refuses even when downgraded", p: Policy{Model: "mystery", CheapModel: "small", MonthlyBudget: Dollar}, s: Spend{Repo: 85 * Cent}, prices: prices,
			decisions: []Decision{
				{Allow: true, Rule: "budget.downgrade", Reason: "spent $0.85 of the repository's $1.00 and $0.00 of the installation's no limit this month; using the cheaper model small"},
				PriceDecision(prices, "mystery"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			model, ds, ok := BudgetGate(tt.p, tt.s, tt.fallback, tt.prices)
			if model != tt.model || ok != tt.ok {
				t.Errorf("BudgetGate = %q, ok %v; want %q, ok %v", model, ok, tt.model, tt.ok)
			}
			if !reflect.DeepEqual(ds, tt.decisions) {
				t.Errorf("decisions:\n got %+v\nwant %+v", ds, tt.decisions)
			}
			if last := ds[len(ds)-1]; last.Allow != ok {
				t.Errorf("last decision allows %v but ok is %v", last.Allow, ok)
			}
		})
	}
}

func TestBudgetText(t *testing.T) {
	tests := []struct {
		p    Policy
		s    Spend
		want string
	}{
		{Policy{MonthlyBudget: Dollar}, Spend{Repo: 10 * Cent, Installation: 10 * Cent},
			"spent $0.10 of the repository's $1.00 and $0.10 of the installation's no limit this month"},
		{Policy{MonthlyBudgetInstallation: 500 * Dollar}, Spend{Repo: 25, Installation: 3 * Dollar},
			"spent $0.000025 of the repository's no limit and $3.00 of the installation's $500.00 this month"},
	}
	for _, tt := range tests {
		if got := BudgetText(tt.p, tt.s); got != tt.want {
			t.Errorf("BudgetText(%+v) =\n %q, want\n %q", tt.s, got, tt.want)
		}
	}
}

func TestBudgetNotices(t *testing.T) {
	p := Policy{CheapModel: "small", MonthlyBudget: Dollar, MonthlyBudgetInstallation: 10 * Dollar}
	const (
		half   = "LifeOS has spent $0.60 of this repository's $1.00 monthly budget. This is a notice at 50%."
		eighty = "LifeOS has spent $0.90 of this repository's $1.00 monthly budget. From 80%, runs use the cheaper model small."
	)
	tests := []struct {
		name          string
		p             Policy
		before, after Spend
		want          []string
	}{
		{"nothing crossed", p, Spend{Repo: 10 * Cent}, Spend{Repo: 40 * Cent}, nil},
		{"50%", p, Spend{Repo: 40 * Cent}, Spend{Repo: 60 * Cent}, []string{half}},
		{"already past 50%", p, Spend{Repo: 50 * Cent}, Spend{Repo: 60 * Cent}, nil},
		{"50% and 80% in one run", p, Spend{}, Spend{Repo: 90 * Cent}, []string{
			"LifeOS has spent $0.90 of this repository's $1.00 monthly budget. This is a notice at 50%.", eighty}},
		{"100%", p, Spend{Repo: 90 * Cent}, Spend{Repo: Dollar}, []string{
			"LifeOS has spent $1.00 of this repository's $1.00 monthly budget. New runs are refused until next month or until the budget is raised."}},
		{"repository, then installation", p, Spend{Repo: 40 * Cent, Installation: 4 * Dollar}, Spend{Repo: 60 * Cent, Installation: 5 * Dollar}, []string{
			half, "LifeOS has spent $5.00 of this installation's $10.00 monthly budget. This is a notice at 50%."}},
		{"no budgets", Policy{}, Spend{}, Spend{Repo: 100 * Dollar, Installation: 100 * Dollar}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := BudgetNotices(tt.p, tt.before, tt.after)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("BudgetNotices =\n %s\nwant\n %s", strings.Join(got, "\n "), strings.Join(tt.want, "\n "))
			}
		})
	}
}

func TestBudgetRanOut(t *testing.T) {
	p := Policy{MonthlyBudget: Dollar, MonthlyBudgetInstallation: 10 * Dollar}
	tests := []struct {
		name  string
		s     Spend
		allow bool
	}{
		{"under both", Spend{Repo: 99 * Cent, Installation: 5 * Dollar}, true},
		{"repository reached", Spend{Repo: Dollar, Installation: Dollar}, false},
		{"installation over", Spend{Repo: 10 * Cent, Installation: 11 * Dollar}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := BudgetRanOut(p, tt.s)
			if d.Allow != tt.allow || d.Rule != RuleBudgetMonthly {
				t.Fatalf("BudgetRanOut = %+v, want allow %v", d, tt.allow)
			}
			if !d.Allow && !strings.HasPrefix(d.Reason, "this month's budget ran out during the run: spent ") {
				t.Errorf("reason = %q", d.Reason)
			}
		})
	}
	if d := BudgetRanOut(Policy{}, Spend{Repo: 1000 * Dollar}); !d.Allow {
		t.Errorf("no budgets: %+v, want allowed", d)
	}
}

func TestRunReservation(t *testing.T) {
	tests := []struct {
		cap, spent, want Money
	}{
		{5 * Dollar, 0, 5 * Dollar},
		{5 * Dollar, 2 * Dollar, 3 * Dollar},
		{5 * Dollar, 6 * Dollar, 0},
		{0, Dollar, 0},
	}
	for _, tt := range tests {
		if got := RunReservation(Policy{MaxCostPerRun: tt.cap}, tt.spent); got != tt.want {
			t.Errorf("RunReservation(cap %s, spent %s) = %s, want %s", tt.cap, tt.spent, got, tt.want)
		}
	}
}
