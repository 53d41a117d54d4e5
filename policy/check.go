package policy

import (
	"errors"
	"fmt"
	"strings"
)

// CheckCommand is what "lifeos policy check [file]" prints for a policy file
// under the server's ceilings. If the file is usable, ok is true and output is
// the effective policy as YAML, headed by a comment for every value the
// ceilings changed. If not, output lists each problem as
// "line:col: key: message".
func CheckCommand(data []byte, c Ceilings) (output string, ok bool) {
	f, err := ParseFile(data)
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) {
			return err.Error() + "\n", false
		}
		var b strings.Builder
		for _, p := range fe.Problems {
			b.WriteString(p.String() + "\n")
		}
		n := len(fe.Problems)
		fmt.Fprintf(&b, "%d %s; the policy was not applied\n", n, plural(n, "problem", "problems"))
		return b.String(), false
	}
	p, decisions := Effective(f, c)
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
