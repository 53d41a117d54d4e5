package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lifeos/lifeos/githubfake"
)

// runSequential works n label → PR runs one after another with an instant
// model: each run's time from the delivery to its pull request (the
// orchestration overhead, the model taking no time), and the server's
// heap, goroutines and RSS after the 100th run and after the last.
func runSequential(n, repoMB int) error {
	b, err := startBench(10, repoMB, 0) // the default workers: a free one takes each job at once
	if err != nil {
		return err
	}
	defer b.close()
	pulled := make(chan time.Time, 1)
	done := make(chan struct{}, 1)
	b.gh.OnRequest("POST /repos/{owner}/{repo}/pulls", func(r githubfake.Request) { pulled <- time.Now() })
	// The run's last write is its comment on the issue.
	b.gh.OnRequest("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", func(githubfake.Request) { done <- struct{}{} })

	var took, pickup []time.Duration
	var at100 serverMemory
	for i := range n {
		number := b.gh.AddIssue(repo, fmt.Sprintf("Task %d", i), "Add NOTES.md", owner)
		start := time.Now()
		if err := deliver(b.base, number); err != nil {
			return err
		}
		select {
		case t := <-pulled:
			took = append(took, t.Sub(start))
			pickup = append(pickup, firstRequestAfter(b.gh, start).Sub(start))
		case <-time.After(30 * time.Second):
			return fmt.Errorf("run %d: no pull request after 30s", i+1)
		}
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			return fmt.Errorf("run %d: no comment after 30s", i+1)
		}
		if (i+1)%100 == 0 {
			fmt.Fprintf(os.Stderr, "%d runs\n", i+1)
		}
		if i+1 == min(100, n) {
			// Let the run's job be completed and its last allocations go.
			time.Sleep(time.Second)
			if at100, err = readMemory(b); err != nil {
				return err
			}
		}
	}
	time.Sleep(time.Second)
	last, err := readMemory(b)
	if err != nil {
		return err
	}
	sorted := slices.Clone(took)
	slices.Sort(sorted)
	q := func(p float64) time.Duration { return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))] }
	fmt.Printf("repo: %d files, %.1f MB; %d runs one after another; model double answering at once (its calls included)\n\n",
		len(b.files), float64(size(b.files))/(1<<20), n)
	fmt.Println("| label → PR | median | p90 | p99 | max | target (median) |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: |")
	fmt.Printf("| %d runs | %s | %s | %s | %s | ≤ 100 ms (%.2f×) |\n\n", n, ms(q(0.5)), ms(q(0.9)), ms(q(0.99)), ms(sorted[len(sorted)-1]),
		float64(q(0.5))/float64(100*time.Millisecond))
	slices.Sort(pickup)
	fmt.Printf("of which from the delivery to the run's first GitHub request (the job's pickup): median %s, p90 %s\n\n",
		ms(pickup[len(pickup)/2]), ms(pickup[min(len(pickup)-1, len(pickup)*9/10)]))
	fmt.Printf("| server after run | heap in use | goroutines | RSS |\n| --- | ---: | ---: | ---: |\n")
	fmt.Printf("| start-up (idle) | | | %.1f MB |\n", float64(b.idle)/1024)
	fmt.Printf("| %d | %.1f MB | %d | %.1f MB |\n", min(100, n), at100.heapMB, at100.goroutines, at100.rssMB)
	fmt.Printf("| %d | %.1f MB | %d | %.1f MB |\n", n, last.heapMB, last.goroutines, last.rssMB)
	fmt.Printf("\ngrowth from run %d to run %d: heap %.2f×, goroutines %+d, RSS %.2f×\n", min(100, n), n,
		last.heapMB/at100.heapMB, last.goroutines-at100.goroutines, last.rssMB/at100.rssMB)
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// serverMemory is what the server's /metrics says of its memory.
type serverMemory struct {
	heapMB     float64
	goroutines int
	rssMB      float64
}

func readMemory(b *benchServer) (serverMemory, error) {
	resp, err := http.Get(b.base + "/metrics")
	if err != nil {
		return serverMemory{}, err
	}
	defer resp.Body.Close()
	var m serverMemory
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, _ := strconv.ParseFloat(value, 64)
		switch name {
		case "go_memstats_heap_inuse_bytes":
			m.heapMB = v / (1 << 20)
		case "go_goroutines":
			m.goroutines = int(v)
		}
	}
	rssKB, err := rss(b.cmd.Process.Pid)
	m.rssMB = float64(rssKB) / 1024
	return m, err
}

// serverLogLevel is the server's LOG_LEVEL (-server-log).
var serverLogLevel = "warn"

// firstRequestAfter is when the double received its first request after t.
func firstRequestAfter(gh *githubfake.Server, t time.Time) time.Time {
	for _, r := range gh.Requests() {
		if r.Time.After(t) {
			return r.Time
		}
	}
	return t
}
