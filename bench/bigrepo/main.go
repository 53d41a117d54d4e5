// Command bigrepo measures LifeOS on large repositories, each figure beside
// its reference in the same run:
//
//   - time from a label to the run's first model call on a repository of
//     -mb megabytes in -files files, against `curl | tar xz` of the same
//     tarball, both downloading it from a loopback HTTP server;
//   - the server's peak resident memory while -runs runs work at once on a
//     repository of -concurrent-mb megabytes, against the 200 MB target.
//
// The server is built from this checkout and runs as its own process
// against the GitHub and model doubles served by this command; the
// tarballs are generated once into a temporary directory.
//
//	go run ./bench/bigrepo            # 1 GB / 50,000 files; 10 runs on 100 MB
//	go run ./bench/bigrepo -quick     # 200 MB / 10,000 files; 10 runs on 50 MB
//
// -bin names a lifeos binary already built from this checkout, so that
// bench/run builds it once for every benchmark.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"
)

func main() {
	quick := flag.Bool("quick", false, "smaller repositories and one round, for bench/run")
	mb := flag.Int("mb", 1024, "size of the large repository, MB")
	files := flag.Int("files", 50_000, "files in the large repository")
	rounds := flag.Int("rounds", 3, "alternating rounds of curl | tar and LifeOS")
	runs := flag.Int("runs", 10, "concurrent runs for the memory figure")
	concMB := flag.Int("concurrent-mb", 100, "repository size of the concurrent runs, MB")
	bin := flag.String("bin", "", "a lifeos binary built from this checkout (built here if empty)")
	flag.Parse()
	if *quick {
		*mb, *files, *rounds, *concMB = 200, 10_000, 1, 50
	}
	if err := run(*bin, *mb, *files, *rounds, *runs, *concMB); err != nil {
		fmt.Fprintln(os.Stderr, "bigrepo:", err)
		os.Exit(1)
	}
}

func run(bin string, mb, files, rounds, runs, concMB int) error {
	dir, err := os.MkdirTemp("", "lifeos-bigrepo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "lifeos")
		build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	big, small := filepath.Join(dir, "big.tar.gz"), filepath.Join(dir, "small.tar.gz")
	t0 := time.Now()
	bigSize, err := writeTarball(big, int64(mb)<<20, files)
	if err != nil {
		return err
	}
	smallSize, err := writeTarball(small, int64(concMB)<<20, max(files*concMB/mb, 100))
	if err != nil {
		return err
	}
	fmt.Printf("tarballs generated in %s: %d MB in %d files (%.0f MB gzipped); %d MB (%.0f MB gzipped)\n\n",
		time.Since(t0).Round(time.Second), mb, files, float64(bigSize)/(1<<20), concMB, float64(smallSize)/(1<<20))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/big.tar.gz", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, big) })
	mux.HandleFunc("/small.tar.gz", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, small) })
	archives := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = archives.Serve(ln) }()
	defer archives.Close()
	base := "http://" + ln.Addr().String()

	if err := firstCall(bin, dir, base, mb, rounds); err != nil {
		return err
	}
	return concurrent(bin, dir, base+"/small.tar.gz", runs, concMB)
}

// firstCall alternates curl | tar and a LifeOS run on the large
// repository, rounds times each, and prints the medians and their ratio.
func firstCall(bin, dir, base string, mb, rounds int) error {
	var ref, lifeos []time.Duration
	for i := range rounds {
		out := filepath.Join(dir, fmt.Sprintf("untar-%d", i))
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
		start := time.Now()
		cmd := exec.Command("sh", "-c", fmt.Sprintf("curl -sSf %s/big.tar.gz | tar xzf - -C %s", base, out))
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("curl | tar: %w", err)
		}
		ref = append(ref, time.Since(start))
		if err := os.RemoveAll(out); err != nil {
			return err
		}
		d, err := timeToFirstCall(bin, dir, base+"/big.tar.gz")
		if err != nil {
			return err
		}
		lifeos = append(lifeos, d)
	}
	r, l := median(ref), median(lifeos)
	fmt.Printf("## %d MB repository: label to first model call (%d rounds, medians)\n\n", mb, rounds)
	fmt.Println("| measure | time | runs |")
	fmt.Println("| --- | ---: | --- |")
	fmt.Printf("| reference: curl \\| tar xz from loopback | %s | %v |\n", r.Round(time.Millisecond), rounded(ref))
	fmt.Printf("| lifeos: delivery to first model call | %s | %v |\n", l.Round(time.Millisecond), rounded(lifeos))
	fmt.Printf("\nratio lifeos / reference: %.2f (target ≤ 2.0)\n\n", float64(l)/float64(r))
	return nil
}

// timeToFirstCall starts a server, labels one issue and returns the time
// from the delivery to the model's first request.
func timeToFirstCall(bin, dir, archive string) (time.Duration, error) {
	first := make(chan time.Time, 1)
	e, err := startEnv(bin, dir, archive, 1, func() { first <- time.Now() }, 0)
	if err != nil {
		return 0, err
	}
	defer e.stop()
	n := e.gh.AddIssue(repo, "Task", "Add NOTES.md", owner)
	start := time.Now()
	if err := deliver(e.base, n); err != nil {
		return 0, err
	}
	select {
	case t := <-first:
		d := t.Sub(start)
		e.waitNoSnapshots(30 * time.Second)
		return d, nil
	case <-time.After(5 * time.Minute):
		return 0, fmt.Errorf("no model call 5 minutes after the label")
	}
}

// concurrent labels runs issues at once on the smaller repository and
// prints the server's resident memory, idle and at its peak.
func concurrent(bin, dir, archive string, runs, mb int) error {
	e, err := startEnv(bin, dir, archive, runs, nil, 300*time.Millisecond)
	if err != nil {
		return err
	}
	defer e.stop()
	time.Sleep(time.Second)
	idle, err := rss(e.pid())
	if err != nil {
		return err
	}
	var numbers []int
	for i := range runs {
		numbers = append(numbers, e.gh.AddIssue(repo, fmt.Sprintf("Task %d", i), "Add NOTES.md", owner))
	}
	for _, n := range numbers {
		if err := deliver(e.base, n); err != nil {
			return err
		}
	}
	peak := 0
	deadline := time.Now().Add(5 * time.Minute)
	for len(e.gh.Repo(repo).Pulls()) < runs {
		if r, err := rss(e.pid()); err == nil && r > peak {
			peak = r
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d PRs after 5 minutes", len(e.gh.Repo(repo).Pulls()), runs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	high, _ := hwm(e.pid())
	left := e.waitNoSnapshots(30 * time.Second)
	fmt.Printf("## %d concurrent runs on a %d MB repository (each searches every file, reads one, writes one)\n\n", runs, mb)
	fmt.Println("| measure | resident memory | target |")
	fmt.Println("| --- | ---: | ---: |")
	fmt.Printf("| idle after start-up (VmRSS) | %.1f MB | |\n", float64(idle)/1024)
	fmt.Printf("| peak during the runs (sampled VmRSS) | %.1f MB | ≤ 200 MB |\n", float64(peak)/1024)
	fmt.Printf("| process high-water mark (VmHWM) | %.1f MB | ≤ 200 MB |\n", float64(high)/1024)
	fmt.Printf("\nsnapshot files left in the data directory after the runs: %d\n", left)
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func rounded(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(10 * time.Millisecond)
	}
	return out
}
