package web

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserTimeout bounds the whole browser session.
const browserTimeout = 90 * time.Second

// TestBrowserLoginRunsAndLogout drives headless Chromium: log in through
// the OAuth double, see only the permitted runs, open a transcript, log
// out. The run page's screenshot is written to the test's temporary
// directory, and to LIFEOS_SCREENSHOT if set (docs/run-page.png is made so).
func TestBrowserLoginRunsAndLogout(t *testing.T) {
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("no chromium on PATH: install it (apt-get install -y chromium; .ci/run does) to run the browser test")
	}
	w := newWorld(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser),
		chromedp.NoSandbox, chromedp.WindowSize(420, 900), chromedp.UserDataDir(t.TempDir()))
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()

	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return v
	}
	step := func(what string, a ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, a...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	step("log in", chromedp.Navigate(w.srv.URL+"/runs"), chromedp.WaitVisible(chromedp.CSS("ul.runs")))
	if list := text("main"); !strings.Contains(list, "o/open#1") || strings.Contains(list, "o/closed") {
		t.Errorf("the list should show o/open only:\n%s", list)
	}
	step("open the run", chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/runs/%d"]`, w.open))),
		chromedp.WaitVisible(chromedp.CSS("section.turn")))
	if page := text("main"); !strings.Contains(page, hostileScript) || !strings.Contains(page, "alice has write on o/open") {
		t.Errorf("the run page should show the transcript as text:\n%s", page)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	step("log out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("main.loggedout")))
	if after := text("h1"); !strings.Contains(after, "logged out") {
		t.Errorf("after logout the page says %q", after)
	}
	step("ask the API", chromedp.Navigate(w.srv.URL+"/api/runs"), chromedp.WaitVisible(chromedp.CSS("body")))
	if api := text("body"); !strings.Contains(api, "log in") || strings.Contains(api, "o/open") {
		t.Errorf("after logout the API answered %q", api)
	}
	for _, out := range []string{filepath.Join(t.TempDir(), "run-page.png"), os.Getenv("LIFEOS_SCREENSHOT")} {
		if out == "" {
			continue
		}
		if err := os.WriteFile(out, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", out)
	}
}
