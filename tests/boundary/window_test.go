//go:build linux

package boundary

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"sharedvault/backend/testsupport/emulator"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// windowUnixSockets are the local sockets the window may connect to: the X
// server of the display (path or abstract name) and, when a session offers
// them, the D-Bus and accessibility buses. WebKit's own processes talk over
// socketpairs, which need no connect.
var windowUnixSockets = []*regexp.Regexp{
	regexp.MustCompile(`^@?/tmp/\.X11-unix/X\d+$`),
	regexp.MustCompile(`^(/run/user/\d+/bus|/run/dbus/system_bus_socket|/var/run/dbus/system_bus_socket)$`),
	regexp.MustCompile(`^(/run/user/\d+/at-spi/bus(_\d+)?|@/tmp/dbus-[A-Za-z0-9]+)$`),
	// glibc asks the name service cache daemon for user and group entries.
	regexp.MustCompile(`^/var/run/nscd/socket$`),
}

// TestWindowStaysOnItsOriginAndConnectsOnlyToConfiguredTargets starts the
// release binary under Xvfb and strace -f (the UI process and WebKit's web
// and network processes), drives it through WebKit's remote inspector and
// the real Wails bridge: create the vault in the first-run form, trust a CA,
// save a PAT, a Service Principal and a Jira account pointing at loopback
// emulators, test each, add and test a board, export and import a bundle,
// visit every page. Then the page tries to leave: location assignment,
// window.open, and script/image/fetch/WebSocket loads from another loopback
// origin. The native guard must log and refuse the navigations, the CSP must
// refuse the loads, the other origin must see no request, and the trace may
// hold no connection but to the emulators and the local display socket.
func TestWindowStaysOnItsOriginAndConnectsOnlyToConfiguredTargets(t *testing.T) {
	requireTool(t, "strace")
	requireTool(t, "xvfb-run")
	window, _ := binaries(t)
	if window == "" {
		t.Skip("the window is built on Linux only")
	}
	plain := emulator.New(t, emulator.Fixture())
	tlsEmu := emulator.NewTLS(t, emulator.Fixture())
	var outsideMu sync.Mutex
	var outsideHits []string
	outside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		outsideMu.Lock()
		outsideHits = append(outsideHits, r.URL.Path)
		outsideMu.Unlock()
	}))
	defer outside.Close()

	dir := t.TempDir()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	idFile := filepath.Join(dir, "id.txt")
	os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600)
	inspectorAddr := freePort(t)
	trace := filepath.Join(dir, "trace")
	for _, d := range []string{"tmp", "cache", "data", "config"} {
		os.MkdirAll(filepath.Join(dir, d), 0o700)
	}

	args := append([]string{"-a", "-s", "-screen 0 1280x900x24", "strace"},
		traced(trace, window).Args[1:]...)
	cmd := exec.Command("xvfb-run", args...)
	cmd.Env = append(os.Environ(), "SHAREDVAULT_PATH="+filepath.Join(dir, "vault", "vault.db"),
		"TMPDIR="+filepath.Join(dir, "tmp"), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"WEBKIT_INSPECTOR_HTTP_SERVER="+inspectorAddr)
	stderr := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) // our own process group: xvfb-run, Xvfb, strace, the app
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	defer stop()

	waitLog := func(line string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(stderr.String(), line) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q from the window within 30s; output:\n%s", line, stderr.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitLog("sharedvault: window ready: first-run")
	t.Logf("window ready after %v", time.Since(start).Round(time.Millisecond))
	page := dialInspector(t, inspectorAddr)

	// The first-run form, as a person fills it in.
	page.eval(`
		const set = (id, v) => { const e = document.getElementById(id); e.value = v; e.dispatchEvent(new Event('input', {bubbles: true})); };
		set('passphrase', 'window air gap passphrase 7'); set('passphrase2', 'window air gap passphrase 7');
		document.getElementById('create').click();
		for (let i = 0; i < 300 && !document.getElementById('screen-console'); i++) await new Promise((r) => setTimeout(r, 50));
		if (!document.getElementById('screen-console')) throw 'the console did not appear';`, nil)

	// The main flows through the real Wails bridge.
	org := func(base string) string { return base + "/" + emulator.OrgName }
	caPEM, _ := json.Marshal(string(tlsEmu.CAPEM))
	form, _ := json.Marshal(map[string]any{
		"global_shared_secret": true, "devops_method": "sp", "confirmed": true,
		"pat":  map[string]any{"username": emulator.UserEmail, "organisation": org(plain.URL), "token": emulator.GoodPAT},
		"sp":   map[string]any{"client_id": emulator.AppClientID, "auth_url": tlsEmu.URL + "/" + emulator.Tenant + "/oauth2/v2.0/token", "organisation": org(tlsEmu.URL), "secret": emulator.AppSecret},
		"jira": map[string]any{"email": emulator.JiraEmail, "domain": tlsEmu.URL, "deployment": "cloud", "token": emulator.JiraAPIToken},
	})
	bundleFile, _ := json.Marshal(filepath.Join(dir, "window.age"))
	recipient, _ := json.Marshal(id.Recipient().String())
	identity, _ := json.Marshal(idFile)
	step := func(what, body string, out any) {
		t.Helper()
		t.Logf("window: %s", what)
		page.eval("const app = window.go.app; "+body, out)
	}
	step("trust the emulator's CA", fmt.Sprintf(`await app.SettingsService.AddCA(%s);`, caPEM), nil)
	step("save the providers", fmt.Sprintf(`await app.ProvidersService.Save(%s);`, form), nil)
	var ok bool
	for _, c := range [][2]string{{"devops", "pat"}, {"devops", "sp"}, {"jira", ""}} {
		step("test "+c[0]+" "+c[1], fmt.Sprintf(`return (await app.ConnectService.TestStored(%q, %q, await app.ConnectService.NextRun())).ok;`, c[0], c[1]), &ok)
		if !ok {
			t.Errorf("the window's test of %s %s failed", c[0], c[1])
		}
	}
	step("add and test a board", fmt.Sprintf(`await app.BoardsService.Add({name: 'Web', system: 'devops', project: %q, area_path: 'Team A', use_global: true});
		return (await app.ConnectService.TestBoard('Web', 'run-board')).ok;`, emulator.ProjectName), &ok)
	if !ok {
		t.Error("the window's board test failed")
	}
	step("export and import a bundle", fmt.Sprintf(`const signer = await app.BundlesService.SigningKey();
		await app.BundlesService.Export({out: %s, recipients: %s});
		return (await app.BundlesService.Import({file: %s, identity_file: %s, signer})).contents.length > 0;`, bundleFile, recipient, bundleFile, identity), &ok)
	if !ok {
		t.Error("the window's import loaded nothing")
	}
	step("visit every page", `for (const p of ['providers', 'boards', 'bundles', 'audit', 'settings']) {
			document.getElementById('nav-' + p).click();
			await new Promise((r) => setTimeout(r, 150));
		}`, nil)

	// Leaving: the CSP refuses the loads, the native guard the navigations.
	var after struct {
		Href     string   `json:"href"`
		Violated []string `json:"violated"`
		Opened   bool     `json:"opened"`
	}
	page.eval(fmt.Sprintf(`
		const base = %q, violated = [];
		document.addEventListener('securitypolicyviolation', (e) => violated.push(e.effectiveDirective));
		const s = document.createElement('script'); s.src = base + '/script'; document.body.appendChild(s);
		const img = new Image(); img.src = base + '/img'; document.body.appendChild(img);
		try { await fetch(base + '/fetch', {mode: 'no-cors'}); } catch (e) {}
		try { new WebSocket(base.replace('http', 'ws') + '/ws'); } catch (e) {}
		const opened = window.open(base + '/open') !== null;
		await new Promise((r) => setTimeout(r, 1000));
		window.__violated = [...new Set(violated)].sort();
		window.__opened = opened;
		// Navigate once this evaluation has answered.
		setTimeout(() => { window.location.href = base + '/navigate'; }, 100);`, outside.URL), nil)
	outsideHost := strings.TrimPrefix(outside.URL, "http://")
	waitLog("sharedvault: blocked navigation to http://" + outsideHost)
	time.Sleep(300 * time.Millisecond)
	page.eval(`return {href: location.href, violated: window.__violated, opened: window.__opened};`, &after)
	if !strings.HasPrefix(after.Href, "wails://wails/") {
		t.Errorf("the window left its origin: %s", after.Href)
	}
	if after.Opened {
		t.Error("window.open returned a window")
	}
	if got := strings.Join(after.Violated, ","); got != "connect-src,img-src,script-src-elem" {
		t.Errorf("CSP violations in the real window = %s, want connect-src,img-src,script-src-elem", got)
	}
	// The page is still the app and still answers.
	var screen bool
	page.eval(`return document.getElementById('screen-console') !== null;`, &screen)
	if !screen {
		t.Error("after the attempts the window no longer shows the console")
	}
	stop()
	t.Logf("window run took %v", time.Since(start).Round(time.Millisecond))

	outsideMu.Lock()
	if len(outsideHits) > 0 {
		t.Errorf("the other origin got requests from the window: %v", outsideHits)
	}
	outsideMu.Unlock()
	allowed := destinations{inet: []string{hostPort(t, plain.URL), hostPort(t, tlsEmu.URL)}, unix: windowUnixSockets}
	seen := allowed.check(t, "window", parseTrace(t, trace))
	t.Logf("destinations: %v", seen)
	for _, want := range allowed.inet {
		if !containsString(seen, "AF_INET "+want) {
			t.Errorf("no connection to the emulator at %s was recorded: the trace proves nothing", want)
		}
	}
}
