package policy

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// problemLine is how every problem line of a failed check starts.
var problemLine = regexp.MustCompile(`^lifeos\.yml:[1-9][0-9]*:[1-9][0-9]*: `)

func TestCheckCommand(t *testing.T) {
	example, err := os.ReadFile("testdata/lifeos.example.yml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		data    string
		c       Ceilings
		prices  PriceTable // DefaultPrices when nil
		ok      bool
		want    []string // substrings of the output
		notWant []string
		want2   string // another substring, for cases that need one
	}{
		{
			name: "example under default ceilings",
			data: string(example), c: DefaultCeilings(), ok: true,
			want: []string{
				"# Changed by the server:",
				"#   autonomy: repo asked for rung 3, the server allows at most rung 2",
				"#   auto_merge: auto_merge is set",
				"autonomy: 2",
				"max_turns: 30",
				"label: lifeos:do",
			},
		},
		{
			name: "empty file",
			data: "", c: DefaultCeilings(), ok: true,
			want: []string{"# The server changed nothing", "max_turns: 40", "model: gpt-4.1", "autonomy: 1"},
		},
		{
			name: "problems, one per line",
			data: "limits:\n  max_turn: 3\nautonomy: 7\n", c: DefaultCeilings(), ok: false,
			want: []string{
				"2:3: limits.max_turn: unknown key (did you mean max_turns?)\n",
				"3:11: autonomy: must be a rung from 1 to 4, got 7\n",
				"2 problems; the policy was not applied\n",
			},
			notWant: []string{"version:"},
		},
		{
			name: "syntax error",
			data: "trigger: [\n", c: DefaultCeilings(), ok: false,
			want: []string{"YAML syntax", "1 problem;"},
		},
		{
			name: "a label outside the namespace can never trigger",
			data: "trigger:\n  label: ai-do\n", c: DefaultCeilings(), ok: false,
			want: []string{
				`2:10: trigger.label: "ai-do" can never start a run`,
				`"lifeos:do"`, `starting with "lifeos:"`,
				"1 problem; LifeOS refuses every run under this policy\n",
			},
			notWant: []string{"version:"},
		},
		{
			name: "a label inside the namespace",
			data: "trigger:\n  label: lifeos:ai-do\n", c: DefaultCeilings(), ok: true,
			want: []string{"label: lifeos:ai-do"},
		},
		{
			name: "the server's own label outside the namespace",
			data: "trigger:\n  label: ai-do\n", c: serverLabel("ai-do"), ok: true,
			want: []string{"label: ai-do"},
		},
		{
			name: "no label: the server's",
			data: "", c: serverLabel("lifeos:go"), ok: true,
			want: []string{"label: lifeos:go"},
		},
		{
			name: "a model without a price",
			data: "version: 1\nmodel: unknown-model\n", c: DefaultCeilings(), ok: false,
			want: []string{`2:8: model: the model "unknown-model" has no price`, `LIFEOS_PRICES="unknown-model=2.5:10"`, "1 problem;"},
		},
		{
			name: "a model marked free",
			data: "model: unknown-model\n", c: DefaultCeilings(), prices: PriceTable{"unknown-model": {}, DefaultCheapModel: {}}, ok: true,
			want: []string{"model: unknown-model"},
		},
		{
			name: "the server's default model without a price has no line",
			data: "", c: DefaultCeilings(), prices: PriceTable{DefaultCheapModel: {}}, ok: false,
			want:    []string{"model: the model \"gpt-4.1\" has no price"},
			want2:   "lifeos.yml:1:1: model: ", // not in the file: located at its start
			notWant: []string{"0:0: model"},
		},
		{
			name: "an unpriced cheap model under a budget",
			data: "cheap_model: cheap-local\n", c: DefaultCeilings(), ok: false,
			want: []string{`1:14: cheap_model: the model "cheap-local" has no price`, "80%"},
		},
		{
			name: "an unpriced cheap model is never used without a budget",
			data: "cheap_model: cheap-local\n", c: noBudgets(), ok: true,
		},
		{
			name: "every refusal at once",
			data: "trigger:\n  label: ai-do\nmodel: m1\ncheap_model: m2\n", c: DefaultCeilings(), ok: false,
			want: []string{"2:10: trigger.label", "3:8: model", "4:14: cheap_model", "3 problems;"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prices := tt.prices
			if prices == nil {
				prices = DefaultPrices()
			}
			out, ok := CheckCommand("lifeos.yml", []byte(tt.data), tt.c, prices, func(n string) bool { return n == "doc-hygiene" })
			if ok != tt.ok {
				t.Errorf("ok = %v, want %v\n%s", ok, tt.ok, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if tt.want2 != "" && !strings.Contains(out, tt.want2) {
				t.Errorf("output lacks %q:\n%s", tt.want2, out)
			}
			if !ok {
				lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
				for _, l := range lines[:len(lines)-1] {
					if !problemLine.MatchString(l) {
						t.Errorf("problem line %q does not start with file:line:col", l)
					}
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

// serverLabel is the default ceilings on a server whose trigger label is label.
func serverLabel(label string) Ceilings {
	c := DefaultCeilings()
	c.TriggerLabel = label
	return c
}

// noBudgets is the default ceilings with no monthly budget at all.
func noBudgets() Ceilings {
	c := DefaultCeilings()
	c.MonthlyBudgetRepo, c.MonthlyBudgetInstallation = 0, 0
	return c
}

func TestCheckCommandUnknownRecipe(t *testing.T) {
	data := "schedules:\n  - name: nightly\n    cron: \"0 3 * * *\"\n    recipe: doc-hygeine\n"
	out, ok := CheckCommand("lifeos.yml", []byte(data), DefaultCeilings(), DefaultPrices(), func(n string) bool { return n == "doc-hygiene" })
	if ok || !strings.Contains(out, `4:13: schedules[0].recipe: unknown recipe "doc-hygeine"`) {
		t.Errorf("ok = %v, out:\n%s", ok, out)
	}
}
