package policy

import (
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// CheckCommand is what "lifeos policy check [file]" prints for a policy file
// under the server's ceilings and prices. If the file is usable, ok is true
// and output is the effective policy as YAML, headed by a comment for every
// value the ceilings changed. If not (the file does not parse, or the server
// would refuse every run under it, see Refusals), output lists each problem
// as "file:line:col: key: message" (At), the file being named file, then a
// line counting them. known says whether a schedule's recipe exists (nil:
// every recipe does).
func CheckCommand(file string, data []byte, c Ceilings, prices PriceTable, known func(string) bool) (output string, ok bool) {
	f, err := ParseFile(data)
	if err == nil && known != nil {
		err = f.CheckRecipes(known)
	}
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) {
			fe = &FileError{Problems: []Problem{{Message: err.Error()}}}
		}
		var b strings.Builder
		for _, p := range fe.Problems {
			b.WriteString(p.At(file) + "\n")
		}
		n := len(fe.Problems)
		fmt.Fprintf(&b, "%d %s; the policy was not applied\n", n, plural(n, "problem", "problems"))
		return b.String(), false
	}
	p, decisions := Effective(f, c)
	if refusals := Refusals(p, c, prices); len(refusals) > 0 {
		var b strings.Builder
		for _, r := range refusals {
			r.Line, r.Column = locate(data, r.Key)
			b.WriteString(r.At(file) + "\n")
		}
		n := len(refusals)
		fmt.Fprintf(&b, "%d %s; LifeOS refuses every run under this policy\n", n, plural(n, "problem", "problems"))
		return b.String(), false
	}
	var b strings.Builder
	b.WriteString("# Effective policy, with the server's ceilings applied.\n")
	if len(decisions) == 0 {
		b.WriteString("# The server changed nothing the file asked for.\n")
	} else {
		b.WriteString("# Changed by the server:\n")
		for _, d := range decisions {
			fmt.Fprintf(&b, "#   %s: %s\n", d.Rule, d.Reason)
		}
	}
	b.WriteString(p.YAML())
	return b.String(), true
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Refusals lists what in the effective policy p makes the server refuse
// every run, each as a Problem keyed by the policy key to change: a trigger
// label no labelling can deliver (LabelDecision), and a model without a
// price (PriceDecision), the cheap model included when a monthly budget can
// switch runs to it. Runs apply the same decisions before any model call.
func Refusals(p Policy, c Ceilings, prices PriceTable) []Problem {
	var out []Problem
	if d := LabelDecision(p.TriggerLabel, c); !d.Allow {
		out = append(out, Problem{Key: "trigger.label", Message: d.Reason})
	}
	if d := PriceDecision(prices, p.Model); !d.Allow {
		out = append(out, Problem{Key: "model", Message: d.Reason})
	}
	if p.MayDowngrade() {
		if d := PriceDecision(prices, p.CheapModel); !d.Allow {
			out = append(out, Problem{Key: "cheap_model", Message: d.Reason + "; runs switch to cheap_model from 80% of a monthly budget"})
		}
	}
	return out
}

// locate finds the line and column of the value of key (a dotted path such
// as "trigger.label") in a policy file, or 0, 0 when the file does not set
// it (the value then comes from the server).
func locate(data []byte, key string) (line, column int) {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return 0, 0
	}
	n := resolve(doc.Content[0])
	for _, name := range strings.Split(key, ".") {
		var next *yaml.Node
		for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			if resolve(n.Content[i]).Value == name {
				next = resolve(n.Content[i+1])
			}
		}
		if next == nil {
			return 0, 0
		}
		n = next
	}
	return n.Line, n.Column
}
