// Command intake measures webhook intake with the server's workers running
// and GitHub a black hole (it accepts requests and never answers, so every
// worker is stuck in one): LifeOS's real HTTP stack beside references in
// the same run, for ignored deliveries, trigger labels that are durably
// queued, and a mix of 10% trigger labels. The references:
//
//   - the non-durable floor: read the body, check the HMAC, read action and
//     label.name, answer;
//   - the durable floor: the same, then append the delivery to a file and
//     fdatasync, with group commit;
//   - the PostgreSQL floor (with -pg): the same, then INSERT it, one
//     transaction per gathered batch;
//   - Probot-like: check the HMAC, parse the whole payload, keep relevant
//     events in memory.
//
// Load comes from wrk (apt-get install wrk) on loopback, keep-alive.
//
//	go run ./bench/intake [-d 5s] [-c 32] [-pg postgres://…] [-cpuprofile dir]
package main

import (
	"cmp"
	"context"
	"encoding/json"
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

const secret = "bench-secret"

type options struct {
	dur      time.Duration
	conns    int
	threads  int
	pg       string
	profiles string
	// warm is how many trigger deliveries are sent before measuring, so
	// that every worker holds a job stuck on GitHub.
	warm int
	// rounds is how many times each pair is measured.
	rounds int
}

func main() {
	var o options
	flag.DurationVar(&o.dur, "d", 5*time.Second, "duration of each wrk run")
	flag.IntVar(&o.conns, "c", 32, "wrk connections (keep-alive)")
	flag.IntVar(&o.threads, "t", 1, "wrk threads")
	flag.StringVar(&o.pg, "pg", "", "PostgreSQL URL: also measure LifeOS on PostgreSQL beside a PostgreSQL floor (in a schema of its own, dropped after)")
	flag.StringVar(&o.profiles, "cpuprofile", "", "directory for a CPU profile of each LifeOS run")
	flag.IntVar(&o.rounds, "rounds", 3, "turns of reference and LifeOS per case (medians reported)")
	flag.Parse()
	o.warm = 40
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "intake:", err)
		os.Exit(1)
	}
}

// row is one measured line: LifeOS beside its reference.
type row struct {
	delivery, db, reference string
	ref, lifeos             result
}

func run(o options) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk is needed: apt-get install wrk")
	}
	dir, err := os.MkdirTemp("", "lifeos-intake-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ignored, relevant, err := payloads()
	if err != nil {
		return err
	}
	load := newLoad(dir, o, ignored, relevant)
	refs, closeRefs, err := references(dir, o.pg)
	if err != nil {
		return err
	}
	defer closeRefs()
	fmt.Printf("wrk -t%d -c%d -d%s, %d rounds (medians), payload %d bytes, GOMAXPROCS=%d, workers running, GitHub a black hole\n\n",
		o.threads, o.conns, o.dur, o.rounds, len(relevant[0]), numCPU())

	var rows []row
	sqliteRows, err := measureLifeOS(o, load, refs, "sqlite", "")
	if err != nil {
		return err
	}
	rows = append(rows, sqliteRows...)
	if o.pg != "" {
		pgRows, err := measureLifeOS(o, load, refs, "postgres", o.pg)
		if err != nil {
			return err
		}
		rows = append(rows, pgRows...)
	}
	report(rows)
	return nil
}

// references starts each reference server; it returns their URLs by name.
func references(dir, pg string) (map[string]string, func(), error) {
	var closers []func()
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	refs := map[string]string{}
	var err error
	if refs["floor"], err = listen(http.HandlerFunc(floorHandler), ""); err != nil {
		return nil, closeAll, err
	}
	if refs["probot"], err = listen(&probot{}, ""); err != nil {
		return nil, closeAll, err
	}
	file, closeFile, err := fileFloor(filepath.Join(dir, "floor.log"))
	if err != nil {
		return nil, closeAll, err
	}
	closers = append(closers, closeFile)
	if refs["file floor"], err = listen(file, ""); err != nil {
		return nil, closeAll, err
	}
	if pg != "" {
		const schema = "lifeos_bench_floor"
		if err := resetSchema(pg, schema); err != nil {
			return nil, closeAll, err
		}
		closers = append(closers, func() { dropSchema(pg, schema) })
		h, closePG, err := pgFloor(context.Background(), withSchema(pg, schema))
		if err != nil {
			return nil, closeAll, err
		}
		closers = append(closers, closePG)
		if refs["postgres floor"], err = listen(h, ""); err != nil {
			return nil, closeAll, err
		}
	}
	return refs, closeAll, nil
}

// measureLifeOS starts LifeOS on one database with its workers stuck on
// GitHub and measures it beside the references.
func measureLifeOS(o options, load *load, refURLs map[string]string, db, pgURL string) ([]row, error) {
	lifeos, stop, err := startLifeOS(load.dir, db, pgURL)
	if err != nil {
		return nil, fmt.Errorf("start lifeos on %s: %w", db, err)
	}
	defer stop()
	if err := load.warmUp(lifeos, o.warm); err != nil {
		return nil, err
	}
	durable := "file floor"
	if db == "postgres" {
		durable = "postgres floor"
	}
	cases := []struct {
		delivery, reference string
		mix                 string
	}{
		{"lifeos:do, durably queued", durable, "relevant"},
		{"10% lifeos:do", "probot", "mix"},
		{"ignored", "floor", "ignored"},
	}
	var rows []row
	for _, c := range cases {
		// Reference and LifeOS take turns, so that a change in the
		// machine's load falls on both; each side's median is kept.
		var refs, gots []result
		for round := range o.rounds {
			ref, err := load.wrk(refURLs[c.reference], c.mix)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", c.delivery, c.reference, err)
			}
			stopProfile, err := profile(o.profiles, fmt.Sprintf("%s-%s-%d", db, c.mix, round))
			if err != nil {
				return nil, err
			}
			got, err := load.wrk(lifeos, c.mix)
			stopProfile()
			if err != nil {
				return nil, fmt.Errorf("%s lifeos on %s: %w", c.delivery, db, err)
			}
			refs, gots = append(refs, ref), append(gots, got)
		}
		rows = append(rows, row{delivery: c.delivery, db: db, reference: c.reference, ref: median(refs), lifeos: median(gots)})
	}
	return rows, nil
}

// median keeps the median throughput and the median p99 of results.
func median(rs []result) result {
	byRate := slices.Clone(rs)
	slices.SortFunc(byRate, func(a, b result) int { return cmp.Compare(a.rps, b.rps) })
	byP99 := slices.Clone(rs)
	slices.SortFunc(byP99, func(a, b result) int { return cmp.Compare(a.p99d, b.p99d) })
	m := byRate[len(rs)/2]
	p := byP99[len(rs)/2]
	m.p99, m.p99d = p.p99, p.p99d
	for _, r := range rs[:len(rs)-1] {
		m.non2xx += r.non2xx
	}
	return m
}

func report(rows []row) {
	fmt.Println("| delivery | database | reference | reference req/s | lifeos req/s | ratio | reference p99 | lifeos p99 | p99 ratio | lifeos non-2xx |")
	fmt.Println("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s | %.0f | %.0f | %.2f× | %s | %s | %.2f× | %d |\n",
			r.delivery, r.db, r.reference, r.ref.rps, r.lifeos.rps, r.lifeos.rps/r.ref.rps,
			r.ref.p99, r.lifeos.p99, float64(r.lifeos.p99d)/float64(r.ref.p99d), r.lifeos.non2xx)
	}
}

func listen(h http.Handler, path string) (string, error) {
	ln, err := listenTCP()
	if err != nil {
		return "", err
	}
	go http.Serve(ln, h) //nolint:errcheck // lives until the process exits
	if path == "" {
		path = "/api/github/hook"
	}
	return "http://" + ln.Addr().String() + path, nil
}

func listenTCP() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// issues is how many issues the trigger deliveries spread over: more than
// the workers, so that every worker holds a run of its own, stuck on GitHub.
const issues = 64

// payloads returns GitHub's example issues.labeled delivery with an App's
// installation field: once with another action (ignored), and with the
// trigger label once per issue number.
func payloads() (ignored []byte, relevant [][]byte, err error) {
	raw, err := os.ReadFile("e2e/testdata/webhooks/issues.labeled.json")
	if err != nil {
		return nil, nil, fmt.Errorf("run from the repository root: %w", err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, nil, err
	}
	ev["installation"] = map[string]any{"id": 1, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="}
	ev["label"].(map[string]any)["name"] = "lifeos:do"
	for i := range issues {
		ev["issue"].(map[string]any)["number"] = 1000 + i
		b, err := json.Marshal(ev)
		if err != nil {
			return nil, nil, err
		}
		relevant = append(relevant, b)
	}
	ev["action"] = "edited"
	ignored, err = json.Marshal(ev)
	return ignored, relevant, err
}
