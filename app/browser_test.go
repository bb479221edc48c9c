package app

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sharedvault/backend/vault"
)

func TestMain(m *testing.M) {
	// Cheap KDF for vaults the tests create; production defaults stay untouched.
	vault.SetKDFForTests(vault.KDFParams{Algorithm: "argon2id", MemoryKiB: 1024, Iterations: 1, Parallelism: 1})
	os.Exit(m.Run())
}

// syncBuffer collects the services' log lines (the "window ready" line).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type browserUI struct {
	t        *testing.T
	ctx      context.Context // the tab
	url      string
	services *Services
	events   *eventHub
	log      *syncBuffer

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// startBrowserUI serves the built frontend against real services for a vault
// in a temp dir and opens it in headless Chromium.
func startBrowserUI(t *testing.T, opt vault.Options) *browserUI {
	t.Helper()
	dist := filepath.Join("..", "frontend", "dist")
	_, err := os.Stat(filepath.Join(dist, "index.html"))
	requireUI(t, "frontend/dist (make frontend)", err == nil)
	chromium := os.Getenv("SHAREDVAULT_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	_, err = exec.LookPath(chromium)
	requireUI(t, "Chromium ("+chromium+")", err == nil)

	events := newEventHub()
	log := &syncBuffer{}
	services := NewServices(filepath.Join(t.TempDir(), "vault", "vault.db"), opt, events, log)
	t.Cleanup(func() { _ = services.Vault.close() })
	srv := httptest.NewServer(uiServer(t, os.DirFS(dist), newDispatcher(services.Bind()...), events))
	t.Cleanup(srv.Close)

	tmp := t.TempDir()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromium),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.NoFirstRun,
			chromedp.UserDataDir(filepath.Join(tmp, "profile")),
			chromedp.Env("TMPDIR="+tmp),
		)...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser with no deadline
		t.Fatalf("start chromium: %v", err)
	}
	ui := &browserUI{t: t, ctx: ctx, url: srv.URL, services: services, events: events, log: log}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			ui.mu.Lock()
			ui.console = append(ui.console, m)
			ui.mu.Unlock()
		}
	}()
	ui.do(chromedp.Navigate(srv.URL + "/"))
	t.Cleanup(ui.checkConsole)
	return ui
}

func (ui *browserUI) do(steps ...chromedp.Action[chromedp.Void]) {
	ui.t.Helper()
	ctx, cancel := context.WithTimeout(ui.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		ui.t.Fatalf("browser: %v\nconsole:\n%s", err, ui.consoleText())
	}
}

// waitJS waits until the JavaScript expression is true.
func (ui *browserUI) waitJS(expr string) {
	ui.t.Helper()
	ctx, cancel := context.WithTimeout(ui.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		ui.t.Fatalf("waiting for %s: %v\nconsole:\n%s", expr, err, ui.consoleText())
	}
}

func (ui *browserUI) text(sel string) string {
	ui.t.Helper()
	ctx, cancel := context.WithTimeout(ui.ctx, 15*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		ui.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (ui *browserUI) consoleText() string {
	ui.mu.Lock()
	defer ui.mu.Unlock()
	var b strings.Builder
	for _, m := range ui.console {
		b.WriteString("  " + m.String() + "\n")
	}
	return b.String()
}

// checkConsole fails on uncaught exceptions and CSP refusals: the page must
// run under its own strict policy.
func (ui *browserUI) checkConsole() {
	ui.mu.Lock()
	defer ui.mu.Unlock()
	for _, m := range ui.console {
		if m.IsException() || strings.Contains(m.String(), "Refused to") {
			ui.t.Errorf("browser console: %s", m)
		}
	}
}

func (ui *browserUI) screen(id string) {
	ui.t.Helper()
	ui.waitJS(`document.getElementById('screen-` + id + `') !== null`)
}

const passphrase = "orbit cactus lantern meadow 7"

func (ui *browserUI) createVault() {
	ui.t.Helper()
	ui.screen("first-run")
	ui.do(
		chromedp.SendKeys(chromedp.ID("passphrase"), passphrase),
		chromedp.SendKeys(chromedp.ID("passphrase2"), passphrase),
		chromedp.Click(chromedp.ID("create")),
	)
	ui.screen("console")
}

func TestBrowserCreateLockUnlock(t *testing.T) {
	ui := startBrowserUI(t, vault.Options{})
	ui.createVault()
	if got, want := ui.text("#title"), "Administration Console"; got != want {
		t.Errorf("console title = %q, want %q", got, want)
	}
	ui.waitLog("sharedvault: window ready: first-run")
	if v := ui.services.Vault.current(); v == nil || v.Locked() {
		t.Fatal("after Create the vault is not open and unlocked")
	}

	// Every navigation page exists and is built.
	for _, p := range []struct{ id, label string }{
		{"providers", "Authentication Providers"},
		{"boards", "Boards"},
		{"bundles", "Bundles"},
		{"audit", "Audit"},
		{"settings", "Settings"},
	} {
		ui.do(chromedp.Click(chromedp.ID("nav-" + p.id)))
		ui.waitJS(`document.querySelector('#page h2')?.textContent === '` + p.label + `'`)
		if got := ui.text("#page"); strings.Contains(got, "Not available yet") {
			t.Errorf("page %s = %q, want the built page", p.id, got)
		}
	}

	ui.do(chromedp.Click(chromedp.ID("lock")))
	ui.screen("unlock")
	if !ui.services.Vault.current().Locked() {
		t.Fatal("Lock did not lock the vault")
	}

	ui.do(
		chromedp.SendKeys(chromedp.ID("passphrase"), "not the passphrase"),
		chromedp.Click(chromedp.ID("unlock")),
	)
	ui.waitJS(`document.getElementById('err-passphrase')?.textContent === 'Wrong passphrase.'`)
	// Beside the field: the error shares the field's wrapper and describes the input.
	ui.waitJS(`(() => {
		const input = document.getElementById('passphrase');
		const err = document.getElementById('err-passphrase');
		return input.closest('.field') === err.closest('.field') &&
			input.getAttribute('aria-describedby').split(' ').includes('err-passphrase') &&
			input.getAttribute('aria-invalid') === 'true';
	})()`)
	if !ui.services.Vault.current().Locked() {
		t.Fatal("a wrong passphrase unlocked the vault")
	}

	ui.do(
		chromedp.Clear(chromedp.ID("passphrase")),
		chromedp.SendKeys(chromedp.ID("passphrase"), passphrase),
		chromedp.Click(chromedp.ID("unlock")),
	)
	ui.screen("console")
	if ui.services.Vault.current().Locked() {
		t.Fatal("the right passphrase did not unlock the vault")
	}
}

// The vault's own idle timer locks it; the page hears vault:locked over the
// event bridge and returns to the unlock screen without any click.
func TestBrowserAutoLockEvent(t *testing.T) {
	ui := startBrowserUI(t, vault.Options{AutoLock: 1500 * time.Millisecond})
	ui.createVault()
	ui.screen("unlock")
	if !ui.services.Vault.current().Locked() {
		t.Fatal("the unlock screen shows but the vault is unlocked")
	}
	ui.events.mu.Lock()
	emitted := strings.Join(ui.events.emitted, ",")
	ui.events.mu.Unlock()
	if emitted != EventVaultLocked {
		t.Errorf("emitted events = %q, want %q", emitted, EventVaultLocked)
	}
}

// reload reloads the page and waits until the new document is live.
func (ui *browserUI) reload() {
	ui.t.Helper()
	ui.do(chromedp.Evaluate[chromedp.Void](`window.__beforeReload = true`), chromedp.Reload())
	ui.waitJS(`window.__beforeReload === undefined && document.readyState === 'complete'`)
}

func (ui *browserUI) waitLog(line string) {
	ui.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(ui.log.String(), line+"\n") {
			return
		}
	}
	ui.t.Fatalf("log = %q, want a line %q", ui.log.String(), line)
}

func TestBrowserUnlockScreenForExistingVault(t *testing.T) {
	ui := startBrowserUI(t, vault.Options{})
	ui.createVault()
	ui.waitLog("sharedvault: window ready: first-run")
	ui.reload()
	// Still unlocked in the backend: a reload goes straight to the console.
	ui.screen("console")
	ui.waitLog("sharedvault: window ready: console")
	ui.do(chromedp.Click(chromedp.ID("lock")))
	ui.screen("unlock")
	ui.reload()
	ui.screen("unlock")
	ui.waitLog("sharedvault: window ready: unlock")
	ui.waitJS(`document.activeElement?.id === 'passphrase'`)
}
