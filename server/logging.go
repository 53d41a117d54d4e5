package server

import (
	"fmt"
	"io"
	"time"

	"github.com/rs/zerolog/diode"
)

// LogBufferMessages is how many log lines may wait to be written. Webhook
// intake logs every delivery; a write(2) per line would cost a quarter of
// intake throughput, so lines are written in batches by one goroutine.
const LogBufferMessages = 16384

// LogFlushInterval is the longest a log line waits in the buffer.
const LogFlushInterval = 10 * time.Millisecond

// NewLogWriter returns an asynchronous writer for logs bound for w. If the
// buffer is ever full, the lines that did not fit are counted and the count
// is written to w, so losses are never silent. Close flushes it.
func NewLogWriter(w io.Writer) io.WriteCloser {
	return diode.NewWriter(w, LogBufferMessages, LogFlushInterval, func(missed int) {
		fmt.Fprintf(w, `{"level":"warn","message":"log buffer full: %d log lines dropped"}`+"\n", missed)
	})
}
