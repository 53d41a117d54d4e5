package gh

import (
	"io"
	"strings"
)

// logTailLines and logTailBytes bound the tail of a failed job's log that
// goes into the prompt: the error is almost always at the end.
const (
	logTailLines = 80
	logTailBytes = 8 << 10
)

// logTail reads a log as it streams past, keeping a window of its end, and
// returns its last lines. A read error returns what was read so far.
func logTail(r io.Reader) (string, error) {
	const window = 4 * logTailBytes
	buf := make([]byte, 0, window)
	chunk := make([]byte, 32<<10)
	for {
		n, err := r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if len(buf) > window {
			buf = append(buf[:0], buf[len(buf)-window:]...)
		}
		if err == io.EOF {
			return tail(string(buf), logTailLines, logTailBytes), nil
		}
		if err != nil {
			return tail(string(buf), logTailLines, logTailBytes), err
		}
	}
}

func tail(s string, lines, maxBytes int) string {
	s = strings.TrimRight(s, "\n")
	parts := strings.Split(s, "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	s = strings.Join(parts, "\n")
	if len(s) > maxBytes {
		s = s[len(s)-maxBytes:]
	}
	return s
}
