package e2e

import (
	"strings"
	"testing"

	"github.com/lifeos/lifeos/policy"
	"github.com/lifeos/lifeos/store"
)

// unpricedModel is a model name no price table of these tests holds.
const unpricedModel = "unknown-model"

// TestUnpricedModelIsRefusedBeforeAnyCall: money must bind, so a run on a
// model without a price is refused before the model is called, with a
// comment naming the model and the setting that prices it.
func TestUnpricedModelIsRefusedBeforeAnyCall(t *testing.T) {
	e := start(t, envOpts{files: withPolicy("model: " + unpricedModel + "\n")})
	n := e.gh.AddIssue(repoName, "Fix the README typo", "It says wrold.", maintainer)
	fixTypo(e.model)
	e.deliver("issues", "", labeled(t, n, "lifeos:do", maintainer, "Fix the README typo", "It says wrold."))

	run := e.waitRuns(n, 1)[0]
	if run.Status != store.StatusDenied || !strings.Contains(run.Error, unpricedModel) {
		t.Fatalf("run = %+v", run)
	}
	if reqs := e.model.Requests(); len(reqs) != 0 {
		t.Errorf("the model was called %d times for an unpriced model", len(reqs))
	}
	if pulls := e.gh.Repo(repoName).Pulls(); len(pulls) != 0 {
		t.Errorf("pulls = %+v", pulls)
	}
	c := e.waitComments(n, 1)
	if len(c) != 1 || !strings.Contains(c[0], unpricedModel) || !strings.Contains(c[0], "LIFEOS_PRICES") {
		t.Errorf("comments = %q", c)
	}
	ds, err := e.srv.Store().Decisions(t.Context(), run.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range ds {
		found = found || (d.Rule == "money.price" && !d.Allow && strings.Contains(d.Reason, unpricedModel))
	}
	if !found {
		t.Errorf("no money.price refusal among decisions %+v", ds)
	}
}

// e2eModels are the model names the harness runs on; no real price table
// lists them.
var e2eModels = []string{"gpt-e2e", "gpt-e2e-mini"}

// e2ePrices is the harness's price table: the default one with the doubles'
// models marked free, as an operator marks a local model free, since no run
// starts on a model without a price. Tests about money price them instead
// (see priced).
func e2ePrices() policy.PriceTable {
	t := policy.DefaultPrices()
	for _, m := range e2eModels {
		t[m] = policy.Price{}
	}
	return t
}
