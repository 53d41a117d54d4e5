package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// The durable floor answers a relevant delivery only once it is in the
// file, and refuses a forged one; the smallest configuration of the
// benchmark's references.
func TestFloors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "floor.log")
	file, closeFile, err := fileFloor(path)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFile()
	body := []byte(`{"action":"labeled","label":{"name":"lifeos:do"}}`)
	for _, h := range []http.Handler{file, &probot{}, http.HandlerFunc(floorHandler)} {
		for sig, want := range map[string]int{sign(body): http.StatusAccepted, "sha256=00": http.StatusBadRequest} {
			r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			r.Header.Set("X-Hub-Signature-256", sig)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if got := rec.Code; got != want && !(want == http.StatusAccepted && got == http.StatusOK) {
				t.Errorf("%T with signature %s: %d, want %d", h, sig, got, want)
			}
		}
	}
	if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, append(body, '\n')) {
		t.Errorf("the file floor holds %q (%v), want the one signed delivery", b, err)
	}
}

func TestParseWrk(t *testing.T) {
	out := []byte("  Latency Distribution\n     50%    1.20ms\n     99%    8.10ms\nRequests/sec:  25794.12\n")
	r, err := parseWrk(out)
	if err != nil || r.rps != 25794.12 || r.p50 != "1.20ms" || r.p99d.Microseconds() != 8100 {
		t.Fatalf("parseWrk = %+v, %v", r, err)
	}
}
