package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
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

// env is one server process with its doubles.
type env struct {
	gh      *githubfake.Server
	model   *modelfake.Server
	cmd     *exec.Cmd
	base    string
	dataDir string
}

// startEnv starts the doubles and a server with workers workers whose
// repository's tarball is archive. With onFirst set the model calls it on
// its first request and finishes at once; otherwise each run searches,
// reads, writes a file and finishes, delay per call.
func startEnv(bin, dir, archive string, workers int, onFirst func(), delay time.Duration) (*env, error) {
	gh := githubfake.New(githubfake.Options{ArchiveURL: func(string, string) string { return archive }})
	gh.AddInstallation(installation, "bench")
	gh.AddRepo(installation, repo, map[string]string{"README.md": "# big\n"})
	gh.AddUser(owner, "User")
	gh.SetPermission(repo, owner, "admin")
	model := modelfake.New()
	var once sync.Once
	model.HandleFunc(func(req modelfake.Request) modelfake.Reply {
		if onFirst != nil {
			once.Do(onFirst)
			return modelfake.Finish("Nothing to do.")
		}
		return scripted(req, delay)
	})
	dataDir, err := os.MkdirTemp(dir, "data-")
	if err != nil {
		return nil, err
	}
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
		"LIFEOS_DATA_DIR="+dataDir,
		"LIFEOS_WORKERS="+strconv.Itoa(workers),
		"LOG_LEVEL=warn",
	)
	cmd.Stderr = os.Stderr
	e := &env{gh: gh, model: model, cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port), dataDir: dataDir}
	if err := cmd.Start(); err != nil {
		gh.Close()
		model.Close()
		return nil, err
	}
	if err := waitHealthy(e.base); err != nil {
		e.stop()
		return nil, err
	}
	return e, nil
}

// scripted is a run's conversation: search every file, read one, write
// one, finish.
func scripted(req modelfake.Request, delay time.Duration) modelfake.Reply {
	tools := 0
	for _, m := range req.Messages {
		if m.Role == "tool" {
			tools++
		}
	}
	call := func(name string, args map[string]any) modelfake.Reply {
		return modelfake.Reply{Delay: delay, ToolCalls: []modelfake.ToolCall{modelfake.Call(name, args)}}
	}
	switch tools {
	case 0:
		return call("search", map[string]any{"query": "needle handler"})
	case 1:
		return call("read_file", map[string]any{"path": "README.md"})
	case 2:
		return call("write_file", map[string]any{"path": "NOTES.md", "content": "bench\n"})
	default:
		return modelfake.Finish("Added NOTES.md.")
	}
}

func (e *env) pid() int { return e.cmd.Process.Pid }

func (e *env) stop() {
	_ = e.cmd.Process.Signal(os.Interrupt)
	_ = e.cmd.Wait()
	e.gh.Close()
	e.model.Close()
	_ = os.RemoveAll(e.dataDir)
}

// waitNoSnapshots waits until the data directory holds no snapshot file,
// up to d, and returns how many are left.
func (e *env) waitNoSnapshots(d time.Duration) int {
	deadline := time.Now().Add(d)
	for {
		left, _ := filepath.Glob(filepath.Join(e.dataDir, "snapshots", "*"))
		if len(left) == 0 || time.Now().After(deadline) {
			return len(left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// deliver labels issue number of the benchmark's repository.
func deliver(base string, number int) error {
	return benchkit.Deliver(base, benchkit.Label{Installation: installation, Repo: repo, Sender: owner, Secret: secret,
		Number: number, DeliveryID: fmt.Sprintf("bench-%d-%d", number, time.Now().UnixNano())})
}

func waitHealthy(base string) error { return benchkit.WaitHealthy(base, 30*time.Second) }

var (
	freePort = benchkit.FreePort
	rss      = benchkit.RSS
	hwm      = benchkit.HWM
)
