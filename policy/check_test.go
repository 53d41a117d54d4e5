package policy

import (
	"os"
	"strings"
	"testing"
)

func TestCheckCommand(t *testing.T) {
	example, err := os.ReadFile("testdata/lifeos.example.yml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		data    string
		c       Ceilings
		ok      bool
		want    []string // substrings of the output
		notWant []string
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, ok := CheckCommand([]byte(tt.data), tt.c)
			if ok != tt.ok {
				t.Errorf("ok = %v, want %v\n%s", ok, tt.ok, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
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
