// Problems found in a policy file, located and worded for the person who fixes it.

package policy

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a policy file, located for the person who
// has to fix it. Key is the dotted path of the offending key ("paths.deny[2]"),
// empty for a syntax error.
type Problem struct {
	Line    int
	Column  int
	Key     string
	Message string
}

// At renders the problem as "file:line:col: key: message", the form
// compilers use and editors jump to. A problem with no place in the file (a
// value the file leaves to the server) is located at its start, 1:1.
func (p Problem) At(file string) string {
	p.Line, p.Column = max(p.Line, 1), max(p.Column, 1)
	return file + ":" + p.String()
}

// String renders the problem as "line:col: key: message", the form editors
// and the policy check command understand.
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		b.WriteString(strconv.Itoa(p.Line))
		if p.Column > 0 {
			b.WriteString(":" + strconv.Itoa(p.Column))
		}
		b.WriteString(": ")
	}
	if p.Key != "" {
		b.WriteString(p.Key + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// FileError is returned by ParseFile for a policy file that cannot be used; it
// lists every problem found, in file order.
type FileError struct {
	Problems []Problem
}

// Error lists the problems, one per line.
func (e *FileError) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	n := len(e.Problems)
	if n == 1 {
		lines = append(lines, FilePath+" has 1 problem:")
	} else {
		lines = append(lines, fmt.Sprintf("%s has %d problems:", FilePath, n))
	}
	for _, p := range e.Problems {
		lines = append(lines, "  "+p.String())
	}
	return strings.Join(lines, "\n")
}

// yamlLine finds the line number yaml.v3 puts in its syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxProblem(err error) Problem {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		// yaml.v3 numbers a parser error (as opposed to a scanner error)
		// from the 0-based line where the construct began, so it points one
		// line too early; its parser errors all read "did not find expected".
		if strings.HasPrefix(m[2], "did not find expected") {
			line++
		}
		return Problem{Line: line, Message: "YAML syntax: " + m[2]}
	}
	return Problem{Message: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

// suggest returns the known name closest to a mistyped key, if one is close
// enough to be a likely typo.
func suggest(got string, known []string) string {
	best, bestDist := "", len(got)/2+1
	for _, k := range known {
		if d := editDistance(got, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
