// Command tokens measures what a long run costs in prompt tokens: one
// scripted 20-turn task (explore, read, edit, re-read, search) is run by the
// real agent against the model double in its caching mode (which counts
// the prefix each request shares with earlier ones as cached, as providers
// do), twice in the same run: with every tool result kept in full (LifeOS
// before folding) and with superseded results folded. It prints the prompt
// tokens of every turn, the totals, the cached share and the cost at
// gpt-4.1's prices.
//
//	go run ./bench/tokens           # the table per turn and the totals
//	go run ./bench/tokens -quick    # the totals only
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/rs/zerolog"

	"github.com/lifeos/lifeos/agent"
	"github.com/lifeos/lifeos/modelfake"
	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/workspace"
)

// priceModel is the model whose list prices cost the runs.
const priceModel = "gpt-4.1"

func main() {
	quick := flag.Bool("quick", false, "print the totals only")
	flag.Parse()
	keep, err := measure(true)
	if err == nil {
		var fold []agent.Usage
		if fold, err = measure(false); err == nil {
			report(keep, fold, !*quick)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tokens:", err)
		os.Exit(1)
	}
}

// measure runs the scripted task once and returns each call's usage.
func measure(keepResults bool) ([]agent.Usage, error) {
	srv := modelfake.New()
	defer srv.Close()
	srv.Caching(true)
	srv.Script(script()...)
	m := agent.NewOpenAIModel(srv.URL(), "sk-bench")
	m.Retry = agent.Retry{}
	a := &agent.Agent{Model: m, ModelName: priceModel, Log: zerolog.Nop(), KeepToolResults: keepResults}
	task := agent.Task{
		Repo:         "bench/service",
		Issue:        agent.Issue{Number: 42, Title: "Make the request timeout configurable", Body: issueBody, Author: "mona", AuthorRole: "write"},
		Instructions: "Keep the change small and update the tests.",
	}
	res, err := a.Run(context.Background(), task, workspace.New(workspace.NewSnapshot(repository())))
	if err != nil {
		return nil, fmt.Errorf("run (keep=%v) stopped %s: %w", keepResults, res.Stop, err)
	}
	if len(res.Changes) == 0 {
		return nil, fmt.Errorf("run (keep=%v) changed nothing: the script is out of step with the files", keepResults)
	}
	return res.Calls, nil
}

const issueBody = "The HTTP client's timeout is hard-coded to 30 seconds. Read it from the configuration " +
	"(`timeout` in config.yml), default 30s, and document it in the README."

// totals sums a run's usage.
type totals struct {
	prompt, cached int64
	cost           policy.Money
}

func sum(calls []agent.Usage) totals {
	prices := policy.DefaultPrices()
	var t totals
	for _, c := range calls {
		t.prompt += c.PromptTokens
		t.cached += c.CachedPromptTokens
		t.cost += prices.CallCost(priceModel, c.PromptTokens, c.CachedPromptTokens, c.CompletionTokens)
	}
	return t
}

func report(keep, fold []agent.Usage, perTurn bool) {
	if perTurn {
		fmt.Println("| turn | today: input tokens | today: cached | folded: input tokens | folded: cached |")
		fmt.Println("| ---: | ---: | ---: | ---: | ---: |")
		for i := range max(len(keep), len(fold)) {
			fmt.Printf("| %d | %s | %s |\n", i+1, cell(keep, i), cell(fold, i))
		}
		fmt.Println()
	}
	k, f := sum(keep), sum(fold)
	fmt.Println("| run | turns | input tokens | cached share | cost at " + priceModel + " |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: |")
	fmt.Printf("| today (every result kept) | %d | %d | %.0f%% | %s |\n", len(keep), k.prompt, 100*float64(k.cached)/float64(k.prompt), k.cost)
	fmt.Printf("| folded | %d | %d | %.0f%% | %s |\n", len(fold), f.prompt, 100*float64(f.cached)/float64(f.prompt), f.cost)
	fmt.Printf("\ninput tokens folded / today: %.2f (target ≤ 0.60); cost folded / today: %.2f\n",
		float64(f.prompt)/float64(k.prompt), float64(f.cost)/float64(k.cost))
}

func cell(calls []agent.Usage, i int) string {
	if i >= len(calls) {
		return " | "
	}
	return fmt.Sprintf("%d | %d", calls[i].PromptTokens, calls[i].CachedPromptTokens)
}
