package main

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// floodBytes is each flood request's body: GitHub's maximum payload.
const floodBytes = 25 << 20

// spaces is an endless body of spaces, generated as it is read so that the
// sender holds none of it.
type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// flood sends n concurrent 25 MB deliveries that are not GitHub's (without
// a signature, or with a made-up one when forged) to the server at base,
// and reports the server's resident memory before and at its peak, and
// what the deliveries were answered.
func flood(base string, pid, n int, forged bool) error {
	before, err := hwm(pid)
	if err != nil {
		return err
	}
	codes := make(map[int]int)
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code := floodOne(base, i, forged)
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	after, err := hwm(pid)
	if err != nil {
		return err
	}
	kind := "unsigned"
	if forged {
		kind = "forged-signature"
	}
	fmt.Printf("%d concurrent %s %d MB deliveries, answered %v in %s\n\n", n, kind, floodBytes>>20, codes, elapsed.Round(time.Millisecond))
	fmt.Println("| measure | resident memory |")
	fmt.Println("| --- | ---: |")
	fmt.Printf("| process high-water mark (VmHWM) before / after | %.1f / %.1f MB |\n", float64(before)/1024, float64(after)/1024)
	return nil
}

// floodOne sends one flood delivery and returns its status (0 if the
// connection failed, as it may when the server refuses without reading).
func floodOne(base string, i int, forged bool) int {
	req, err := http.NewRequest(http.MethodPost, base+"/api/github/hook", io.LimitReader(spaces{}, floodBytes))
	if err != nil {
		return 0
	}
	req.ContentLength = floodBytes
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "issues")
	req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("flood-%d", i))
	if forged {
		req.Header.Set("X-Hub-Signature-256", "sha256="+fmt.Sprintf("%064x", i))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
