package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sharedvault/backend/vault"
)

// outsideServer stands for any origin other than the app's: it records every
// request it gets (a WebSocket handshake is a request too) and serves a
// page without a CSP for the control run.
type outsideServer struct {
	*httptest.Server
	mu   sync.Mutex
	hits []string
}

func newOutsideServer(t *testing.T) *outsideServer {
	o := &outsideServer{}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.hits = append(o.hits, r.URL.Path)
		o.mu.Unlock()
		if r.URL.Path == "/control" {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<!doctype html><title>control</title><p>no policy here</p>")
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(o.Close)
	return o
}

// hitsUnder returns the recorded paths below prefix.
func (o *outsideServer) hitsUnder(prefix string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, h := range o.hits {
		if strings.HasPrefix(h, prefix) {
			out = append(out, strings.TrimPrefix(h, prefix))
		}
	}
	sort.Strings(out)
	return out
}

// leaveAttempts tries, from inside a page, every way a script could pull
// from or send to another origin. Each request path names the attempt.
// It resolves once the attempts had time to reach the server.
const leaveAttempts = `(async (base) => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__violations.push(e.effectiveDirective + ' ' + e.blockedURI);
  });
  const add = (el) => document.body.appendChild(el);
  const s = document.createElement('script'); s.src = base + 'script'; add(s);
  const inline = document.createElement('script'); inline.textContent = 'window.__inlineRan = true'; add(inline);
  const img = new Image(); img.src = base + 'img'; add(img);
  const css = document.createElement('link'); css.rel = 'stylesheet'; css.href = base + 'style'; add(css);
  const f = document.createElement('iframe'); f.src = base + 'frame'; add(f);
  const form = document.createElement('form'); form.method = 'post'; form.action = base + 'form'; form.target = 'sink';
  const sink = document.createElement('iframe'); sink.name = 'sink'; add(sink); add(form);
  try { form.submit(); } catch (e) {}
  try { await fetch(base + 'fetch', { mode: 'no-cors' }); } catch (e) {}
  try { navigator.sendBeacon(base + 'beacon', 'x'); } catch (e) {}
  try { new WebSocket(base.replace('http', 'ws') + 'ws'); } catch (e) {}
  try { new EventSource(base + 'sse'); } catch (e) {}
  await new Promise((r) => setTimeout(r, 1500));
  return window.__inlineRan === true;
})`

// Every attempt a page can make to reach another origin.
var leaveKinds = []string{"beacon", "fetch", "form", "frame", "img", "script", "sse", "style", "ws"}

// TestBrowserCSPBlocksOtherOrigins runs leaveAttempts twice against a
// recording loopback server on another port: first from a page without a
// policy (the control: every attempt reaches the server), then from the
// real built frontend served with the app's CSP (header and meta tag), where
// none may reach it and each must raise a securitypolicyviolation.
func TestBrowserCSPBlocksOtherOrigins(t *testing.T) {
	ui := startBrowserUI(t, vault.Options{})
	ui.screen("first-run")
	outside := newOutsideServer(t)
	t.Cleanup(func() { ui.forgetConsoleAbout(outside.URL) })

	run := func(prefix string) bool {
		t.Helper()
		ctx, cancel := context.WithTimeout(ui.ctx, 15*time.Second)
		defer cancel()
		ran, err := chromedp.Run(ctx, chromedp.Evaluate[bool](leaveAttempts+`('`+outside.URL+prefix+`')`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("leave attempts: %v", err)
		}
		return ran
	}

	// Control: without a policy every attempt is a real request.
	ui.do(chromedp.Navigate(outside.URL + "/control"))
	if !run("/control-run/") {
		t.Error("control: the inline script did not run")
	}
	if got := outside.hitsUnder("/control-run/"); !sameSet(got, leaveKinds) {
		t.Fatalf("control run reached the server with %v, want every one of %v: the attempts prove nothing", got, leaveKinds)
	}

	// The app under its policy.
	ui.do(chromedp.Navigate(ui.url + "/"))
	ui.screen("first-run")
	if run("/app-run/") {
		t.Error("an inline script ran in the app page")
	}
	if got := outside.hitsUnder("/app-run/"); len(got) > 0 {
		t.Errorf("from the app page these attempts reached another origin: %v", got)
	}
	violations := provEval[[]string](ui, `window.__violations`)
	for _, want := range []string{"script-src-elem " + outside.URL + "/app-run/script", "script-src-elem inline",
		"img-src " + outside.URL + "/app-run/img", "style-src-elem " + outside.URL + "/app-run/style",
		"frame-src " + outside.URL, // a cross-origin frame is reported by origin only
		"form-action " + outside.URL + "/app-run/form",
		"connect-src " + outside.URL + "/app-run/fetch", "connect-src " + outside.URL + "/app-run/beacon",
		"connect-src " + strings.Replace(outside.URL, "http", "ws", 1) + "/app-run/ws", "connect-src " + outside.URL + "/app-run/sse"} {
		if !contains(violations, want) {
			t.Errorf("no securitypolicyviolation %q; got %q", want, violations)
		}
	}
	// The page still works after all that: it is the app, not an error page.
	ui.screen("first-run")
}

// TestBrowserLinksAndWindowsStayInTheApp: a click on a link to another
// origin (plain, target=_blank, middle click) and window.open do not leave
// the app; the page never loads the other origin. (Top-level navigation by
// script is not something a page can forbid itself: see the native guard in
// navigation_linux.go and its real-window test.)
func TestBrowserLinksAndWindowsStayInTheApp(t *testing.T) {
	ui := startBrowserUI(t, vault.Options{})
	ui.screen("first-run")
	outside := newOutsideServer(t)
	t.Cleanup(func() { ui.forgetConsoleAbout(outside.URL) })
	ui.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
	  for (const [id, target] of [['plain', ''], ['blank', '_blank']]) {
	    const a = document.createElement('a');
	    a.id = 'leave-' + id; a.href = %q + '/link-' + id; a.textContent = id;
	    if (target) a.target = target;
	    document.body.appendChild(a);
	  }
	  window.__opened = window.open(%q + '/open');
	})()`, outside.URL, outside.URL)))
	ui.do(chromedp.Click(chromedp.ID("leave-plain")), chromedp.Click(chromedp.ID("leave-blank")))
	ui.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('leave-plain').dispatchEvent(new MouseEvent('auxclick', {bubbles: true, button: 1}))`))
	time.Sleep(800 * time.Millisecond)
	if provEval[bool](ui, `window.__opened !== null`) {
		t.Error("window.open returned a window")
	}
	if got := outside.hitsUnder("/"); len(got) > 0 {
		t.Errorf("the other origin was loaded: %v", got)
	}
	if here := provEval[string](ui, `location.origin`); here != ui.url {
		t.Errorf("the tab is at %s, want the app at %s", here, ui.url)
	}
	ui.screen("first-run")
}

// forgetConsoleAbout drops console lines caused on purpose by a test (the
// refusals of requests to addr), so checkConsole still fails on any other.
func (ui *browserUI) forgetConsoleAbout(addr string) {
	host := strings.TrimPrefix(addr, "http://")
	ui.mu.Lock()
	defer ui.mu.Unlock()
	kept := ui.console[:0]
	for _, m := range ui.console {
		s := m.String()
		if strings.Contains(s, host) || strings.Contains(s, "inline script") {
			continue
		}
		kept = append(kept, m)
	}
	ui.console = kept
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sameSet(got, want []string) bool {
	seen := map[string]bool{}
	for _, g := range got {
		seen[g] = true
	}
	for _, w := range want {
		if !seen[w] {
			return false
		}
	}
	return len(seen) == len(want)
}

// externalURL matches absolute http(s) URLs in the built frontend.
var externalURL = regexp.MustCompile(`(?i)(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s"'<>)]*`)

// allowedURLs are absolute URLs the built frontend may contain because they
// are text, never loaded: the SVG namespace, the documentation links shown
// with a copy button (externalRef: the window never opens them), and the
// example values of placeholders and help texts. A font, script, style or
// image URL on any other host fails the scan.
var allowedURLs = regexp.MustCompile(`^(?i)(?:https?:)?//(` +
	`www\.w3\.org/2000/svg|` +
	`learn\.microsoft\.com/|support\.atlassian\.com/|confluence\.atlassian\.com/|` +
	`login\.microsoftonline\.com/\{|dev\.azure\.com/|contoso\.visualstudio\.com/|proxy\.corp\.local:)`)

// TestBuiltFrontendLoadsNothingFromTheNetwork scans frontend/dist (what the
// binary embeds) for absolute URLs: fonts, scripts, styles and images must
// be bundled files, so the only absolute URLs allowed are identifiers.
func TestBuiltFrontendLoadsNothingFromTheNetwork(t *testing.T) {
	dist := filepath.Join("..", "frontend", "dist")
	_, err := os.Stat(filepath.Join(dist, "index.html"))
	requireUI(t, "frontend/dist (make frontend)", err == nil)
	files := 0
	err = filepath.WalkDir(dist, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, u := range externalURL.FindAllString(string(b), -1) {
			if !allowedURLs.MatchString(u) {
				t.Errorf("%s refers to %s: bundle it instead", path, u)
			}
		}
		if strings.HasSuffix(path, ".css") && (strings.Contains(string(b), "@import") || regexp.MustCompile(`url\((['"]?)(https?:)?//`).Match(b)) {
			t.Errorf("%s pulls a stylesheet or font from elsewhere", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 3 {
		t.Fatalf("only %d files in %s: is it built?", files, dist)
	}
	index, _ := os.ReadFile(filepath.Join(dist, "index.html"))
	if !strings.Contains(string(index), `content="`+ContentSecurityPolicy+`"`) {
		t.Error("the built index.html lost the CSP meta tag")
	}
}
