package gh

import (
	"fmt"
	"strings"
	"testing"
)

func TestLogTail(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 5000; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	got, err := logTail(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(got, "\n")
	if len(lines) != logTailLines || lines[len(lines)-1] != "line 5000" || lines[0] != "line 4921" {
		t.Errorf("tail has %d lines, %q … %q", len(lines), lines[0], lines[len(lines)-1])
	}
	long := strings.Repeat("x", 3*logTailBytes)
	if got, _ := logTail(strings.NewReader(long)); len(got) != logTailBytes {
		t.Errorf("a long last line gives %d bytes, want %d", len(got), logTailBytes)
	}
}
