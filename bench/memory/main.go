// Command memory measures the resident memory of the LifeOS server process:
// idle after start-up, and at its peak while it works 10 runs at once on a
// 10 MB repository. The server runs as its own process (built from this
// checkout) against the GitHub and model doubles served by this command on
// loopback.
//
//	go run ./bench/memory [-runs 10] [-repo-mb 10]
//
// With -sequential N it works N runs one after another with an instant
// model instead: the time from label to PR of each (median and p99, the
// orchestration overhead) and the server's heap, goroutines and RSS after
// the 100th run and after the last (the leak check).
//
//	go run ./bench/memory -sequential 1000 [-repo-mb 1]
//
// With -flood N it measures instead the memory taken by N concurrent 25 MB
// deliveries that are not GitHub's (unsigned, or with -forged a made-up
// signature), and works no runs.
//
//	go run ./bench/memory -flood 16 [-forged]
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lifeos/lifeos/bench/internal/benchkit"
	"github.com/lifeos/lifeos/githubfake"
	"github.com/lifeos/lifeos/modelfake"
)

const (
	secret       = "bench-secret"
	installation = 7
	repo         = "bench/big"
	owner        = "maintainer"
)

func main() {
	runs := flag.Int("runs", 10, "concurrent runs")
	repoMB := flag.Int("repo-mb", 10, "repository size in MB")
	turnDelay := flag.Duration("turn-delay", 300*time.Millisecond, "model latency per call")
	floodN := flag.Int("flood", 0, "concurrent 25 MB deliveries that are not GitHub's, instead of runs")
	forged := flag.Bool("forged", false, "sign flood deliveries with a made-up signature")
	sequential := flag.Int("sequential", 0, "runs one after another with an instant model, instead of concurrent runs")
	flag.StringVar(&serverLogLevel, "server-log", "warn", "the server's LOG_LEVEL (its log goes to stderr)")
	flag.Parse()
	var err error
	if *sequential > 0 {
		err = runSequential(*sequential, *repoMB)
	} else {
		err = run(*runs, *repoMB, *turnDelay, *floodN, *forged)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "memory:", err)
		os.Exit(1)
	}
}

func run(runs, repoMB int, turnDelay time.Duration, floodN int, forged bool) error {
	b, err := startBench(runs, repoMB, turnDelay)
	if err != nil {
		return err
	}
	defer b.close()
	gh, files, cmd, base, idle := b.gh, b.files, b.cmd, b.base, b.idle
	if floodN > 0 {
		fmt.Printf("idle after start-up (VmRSS): %.1f MB\n", float64(idle)/1024)
		return flood(base, cmd.Process.Pid, floodN, forged)
	}

	var numbers []int
	for i := 0; i < runs; i++ {
		numbers = append(numbers, gh.AddIssue(repo, fmt.Sprintf("Task %d", i), "Add NOTES.md", owner))
	}
	startPeak, _ := hwm(cmd.Process.Pid)
	for _, n := range numbers {
		if err := deliver(base, n); err != nil {
			return err
		}
	}
	peak := 0
	deadline := time.Now().Add(4 * time.Minute)
	for {
		if r, err := rss(cmd.Process.Pid); err == nil && r > peak {
			peak = r
		}
		if len(gh.Repo(repo).Pulls()) == runs {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d PRs after 4 minutes; peak so far %.1f MB (sampled VmRSS)", len(gh.Repo(repo).Pulls()), runs, float64(peak)/1024)
		}
		time.Sleep(20 * time.Millisecond)
	}
	endPeak, _ := hwm(cmd.Process.Pid)
	fmt.Printf("repo: %d files, %.1f MB; %d concurrent runs; model latency %s per call\n\n", len(files), float64(size(files))/(1<<20), runs, turnDelay)
	fmt.Println("| measure | resident memory |")
	fmt.Println("| --- | ---: |")
	fmt.Printf("| idle after start-up (VmRSS) | %.1f MB |\n", float64(idle)/1024)
	fmt.Printf("| peak during %d runs (sampled VmRSS) | %.1f MB |\n", runs, float64(peak)/1024)
	fmt.Printf("| process high-water mark (VmHWM) before / after | %.1f / %.1f MB |\n", float64(startPeak)/1024, float64(endPeak)/1024)
	return nil
}

// benchServer is the server process and the doubles it talks to.
type benchServer struct {
	dir     string
	gh      *githubfake.Server
	model   *modelfake.Server
	files   map[string]string
	cmd     *exec.Cmd
	base    string
	idle    int // VmRSS after start-up, kB
	closers []func()
}

func (b *benchServer) close() {
	for i := len(b.closers) - 1; i >= 0; i-- {
		b.closers[i]()
	}
	b.closers = nil
}

// startBench builds the server, starts the doubles and the server with
// workers workers, and measures its idle memory.
func startBench(workers, repoMB int, turnDelay time.Duration) (*benchServer, error) {
	dir, err := os.MkdirTemp("", "lifeos-memory-")
	if err != nil {
		return nil, err
	}
	b := &benchServer{dir: dir}
	b.closers = append(b.closers, func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "lifeos")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}

	gh := githubfake.New(githubfake.Options{})
	b.closers = append(b.closers, gh.Close)
	gh.AddInstallation(installation, "bench")
	files := bigRepo(repoMB << 20)
	gh.AddRepo(installation, repo, files)
	gh.AddUser(owner, "User")
	gh.SetPermission(repo, owner, "admin")

	model := modelfake.New()
	b.closers = append(b.closers, model.Close)
	// Each run reads a file, edits it and finishes, with model latency, so
	// that all runs hold their snapshots at the same time.
	model.HandleFunc(func(req modelfake.Request) modelfake.Reply {
		tools := 0
		for _, m := range req.Messages {
			if m.Role == "tool" {
				tools++
			}
		}
		switch tools {
		case 0:
			return modelfake.Reply{Delay: turnDelay, ToolCalls: []modelfake.ToolCall{modelfake.Call("search", map[string]any{"query": "needle"})}}
		case 1:
			return modelfake.Reply{Delay: turnDelay, ToolCalls: []modelfake.ToolCall{modelfake.Call("read_file", map[string]any{"path": "src/file-0001.txt", "start_line": 1, "end_line": 20})}}
		case 2:
			return modelfake.Reply{Delay: turnDelay, ToolCalls: []modelfake.ToolCall{modelfake.Call("write_file", map[string]any{"path": "NOTES.md", "content": "bench\n"})}}
		default:
			return modelfake.Finish("Added NOTES.md.")
		}
	})

	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"PORT="+strconv.Itoa(port),
		"GITHUB_APP_INTEGRATION_ID="+strconv.FormatInt(gh.AppID(), 10),
		"GITHUB_APP_PRIVATE_KEY="+string(gh.PrivateKeyPEM()),
		"GITHUB_APP_WEBHOOK_SECRET="+secret,
		"GITHUB_V3_API_URL="+gh.URL(),
		"OPENAI_API_KEY=bench",
		"OPENAI_BASE_URL="+model.URL(),
		"LIFEOS_DATA_DIR="+filepath.Join(dir, "data"),
		"LIFEOS_WORKERS="+strconv.Itoa(workers),
		"LOG_LEVEL="+serverLogLevel,
		// Thousands of runs must not run out of money.
		"LIFEOS_MONTHLY_BUDGET=1000000", "LIFEOS_MONTHLY_BUDGET_INSTALLATION=1000000",
	)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b.closers = append(b.closers, func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := waitHealthy(base); err != nil {
		b.close()
		return nil, err
	}
	time.Sleep(2 * time.Second)
	idle, err := rss(cmd.Process.Pid)
	if err != nil {
		b.close()
		return nil, err
	}
	b.gh, b.model, b.files, b.cmd, b.base, b.idle = gh, model, files, cmd, base, idle
	return b, nil
}

// bigRepo makes text files adding up to n bytes.
func bigRepo(n int) map[string]string {
	files := map[string]string{"README.md": "# big\n"}
	const fileSize = 50 << 10
	words := []string{"alpha", "beta", "gamma", "delta", "needle", "epsilon", "zeta", "eta", "theta"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; n > 0; i++ {
		var b strings.Builder
		for b.Len() < fileSize {
			for j := 0; j < 10; j++ {
				b.WriteString(words[rng.IntN(len(words))])
				b.WriteByte(' ')
			}
			b.WriteByte('\n')
		}
		files[fmt.Sprintf("src/file-%04d.txt", i)] = b.String()
		n -= b.Len()
	}
	return files
}

func size(files map[string]string) int {
	n := 0
	for _, c := range files {
		n += len(c)
	}
	return n
}

// deliver labels issue number of the benchmark's repository.
func deliver(base string, number int) error {
	return benchkit.Deliver(base, benchkit.Label{Installation: installation, Repo: repo, Sender: owner, Secret: secret,
		Number: number, DeliveryID: fmt.Sprintf("bench-%d", number)})
}

func waitHealthy(base string) error { return benchkit.WaitHealthy(base, 15*time.Second) }

var (
	freePort = benchkit.FreePort
	rss      = benchkit.RSS
	hwm      = benchkit.HWM
)
