package app

// Browser tests of the Authentication Providers page: the real frontend in
// headless Chromium against the real services through the test harness
// (uiharness_test.go, browser_test.go).

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sharedvault/backend/testsupport/emulator"
	"sharedvault/backend/vault"
)

// provUI adds the providers page's helpers to the shared browser harness.
type provUI struct{ *browserUI }

// provEval evaluates expr in the page and returns its value.
func provEval[T any](ui *browserUI, expr string) T {
	ui.t.Helper()
	ctx, cancel := context.WithTimeout(ui.ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		ui.t.Fatalf("evaluate %s: %v\nconsole:\n%s", expr, err, ui.consoleText())
	}
	return v
}

func provQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// fill replaces the value of the input with id by typing value.
func (ui provUI) fill(id, value string) {
	ui.t.Helper()
	ui.do(chromedp.Clear(chromedp.ID(id)), chromedp.SendKeys(chromedp.ID(id), value))
}

func (ui provUI) click(id string) {
	ui.t.Helper()
	ui.do(chromedp.Click(chromedp.ID(id)))
}

func (ui provUI) value(id string) string {
	ui.t.Helper()
	return provEval[string](ui.browserUI, `document.getElementById(`+provQuote(id)+`).value`)
}

// providersPage opens Administration Console → Authentication Providers and
// waits until the page has loaded the stored state.
func (ui provUI) providersPage() {
	ui.t.Helper()
	ui.screen("console")
	if provEval[bool](ui.browserUI, `location.hash === '#/providers'`) {
		ui.click("nav-boards") // leave, so that coming back renders the page afresh
		ui.waitJS(`location.hash === '#/boards'`)
	}
	ui.click("nav-providers")
	ui.waitJS(`document.querySelector('#page h2')?.textContent === 'Authentication Providers' &&
		document.getElementById('providers-page') !== null &&
		document.getElementById('prov-status').textContent === ''`)
}

// openSection opens a provider's disclosure (DevOps Shared Authentication
// Provider, Jira) the way the article says: by clicking it.
func (ui provUI) openSection(id string) {
	ui.t.Helper()
	if !provEval[bool](ui.browserUI, `document.getElementById(`+provQuote(id)+`).open`) {
		ui.click(strings.TrimPrefix(id, "prov-") + "-summary")
	}
	ui.waitJS(`document.getElementById(` + provQuote(id) + `).open`)
}

func (ui provUI) save() {
	ui.t.Helper()
	ui.click("prov-save")
	ui.waitJS(`document.getElementById('prov-status').textContent === 'Saved.'`)
}

// recordCalls wraps the page's fetch so every binding request and response
// (the shim turns each window.go call into a fetch) is kept for inspection.
// It must be installed again after a reload.
func (ui provUI) recordCalls() {
	ui.t.Helper()
	provEval[bool](ui.browserUI, `(() => {
		if (window.__calls) return true;
		window.__calls = { requests: [], responses: [] };
		const f = window.fetch.bind(window);
		window.fetch = async (input, init) => {
			const url = String(input);
			const r = await f(input, init);
			if (url.includes('/__call/')) {
				window.__calls.requests.push(url + ' ' + (init && init.body ? String(init.body) : ''));
				window.__calls.responses.push(url + ' ' + await r.clone().text());
			}
			return r;
		};
		return true;
	})()`)
}

func (ui provUI) calls() (requests, responses []string) {
	ui.t.Helper()
	type rec struct {
		Requests  []string `json:"requests"`
		Responses []string `json:"responses"`
	}
	raw := provEval[string](ui.browserUI, `JSON.stringify(window.__calls || {requests: [], responses: []})`)
	var r rec
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		ui.t.Fatal(err)
	}
	return r.Requests, r.Responses
}

func (ui provUI) screenshot(name string) {
	ui.t.Helper()
	ctx, cancel := context.WithTimeout(ui.ctx, 15*time.Second)
	defer cancel()
	// The whole page in one viewport: a full-page capture of a taller page
	// through a small viewport leaves unpainted areas.
	height := provEval[int64](ui.browserUI, `document.documentElement.scrollHeight`)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1100, max(height, 760))); err != nil {
		ui.t.Fatalf("viewport: %v", err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		ui.t.Fatalf("screenshot: %v", err)
	}
	path := os.TempDir() + "/sharedvault-" + name + ".png"
	if err := os.WriteFile(path, png, 0o644); err != nil {
		ui.t.Fatal(err)
	}
	ui.t.Logf("screenshot: %s", path)
}

var provFingerprintRE = regexp.MustCompile(`fingerprint [0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}\b`)

// storedFingerprint waits for the stored line of a secret and returns its fingerprint.
func (ui provUI) storedFingerprint(id string) string {
	ui.t.Helper()
	ui.waitJS(`/fingerprint [0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}/.test(document.getElementById(` + provQuote(id) + `).textContent)`)
	line := ui.text("#" + id)
	if !strings.HasPrefix(line, "stored — fingerprint ") {
		ui.t.Errorf("#%s = %q, want \"stored — fingerprint …\"", id, line)
	}
	return strings.TrimPrefix(provFingerprintRE.FindString(line), "fingerprint ")
}

func provCanary(prefix string) string {
	b := make([]byte, 8)
	rand.Read(b)
	return prefix + "CANARY" + hex.EncodeToString(b) + "zz"
}

// The seed article, step by step, through the window: PAT, Service
// Principal and Jira; secrets are write-only and never come back.
func TestBrowserProvidersFollowTheArticle(t *testing.T) {
	ui := provUI{startBrowserUI(t, vault.Options{})}
	ui.createVault()
	ui.providersPage()
	ui.recordCalls()
	patCanary, spCanary, jiraCanary := provCanary("pat"), provCanary("sp"), provCanary("jira")

	// Enable "Use Global Integration Shared Secret".
	ui.click("global_shared_secret")
	// Click DevOps Shared Authentication Provider; select Personal Access Token.
	ui.openSection("prov-devops")
	ui.click("devops-method-pat")
	ui.waitJS(`!document.getElementById('prov-pat').hidden && document.getElementById('prov-sp').hidden`)
	ui.fill("pat-username", "jane@contoso.com")
	ui.fill("pat-token", patCanary)
	ui.fill("pat-organisation", "https://dev.azure.com/contoso/")
	ui.save()

	checkPAT := func(when string) {
		t.Helper()
		if v := ui.value("pat-token"); v != "" {
			t.Errorf("%s: the token input holds %d characters, want it empty", when, len(v))
		}
		fp := ui.storedFingerprint("pat-token-stored")
		if ph := provEval[string](ui.browserUI, `document.getElementById('pat-token').placeholder`); !strings.Contains(ph, fp) {
			t.Errorf("%s: placeholder = %q, want the fingerprint %s", when, ph, fp)
		}
		if got := ui.value("pat-organisation"); got != "contoso" {
			t.Errorf("%s: organisation = %q, want contoso", when, got)
		}
		if got := ui.value("pat-username"); got != "jane@contoso.com" {
			t.Errorf("%s: username = %q", when, got)
		}
		if !provEval[bool](ui.browserUI, `document.getElementById('global_shared_secret').checked`) {
			t.Errorf("%s: the global toggle is off", when)
		}
	}
	checkPAT("after Save")
	view, err := ui.services.Providers.View()
	if err != nil {
		t.Fatal(err)
	}
	if !view.GlobalSharedSecret || view.DevOps.Method != "pat" || !view.DevOps.PATToken.Set || view.DevOps.Organisation != "contoso" {
		t.Fatalf("stored state after the PAT save = %+v", view)
	}

	// Away and back.
	ui.providersPage()
	checkPAT("after navigating away and back")

	// A full reload, then lock and unlock. (The call recorder lives in the
	// page: keep what it saw so far.)
	requests, responses := ui.calls()
	ui.reload()
	ui.screen("console")
	ui.click("lock")
	ui.screen("unlock")
	ui.do(chromedp.SendKeys(chromedp.ID("passphrase"), passphrase), chromedp.Click(chromedp.ID("unlock")))
	ui.providersPage()
	ui.recordCalls()
	checkPAT("after a reload and unlock")

	// Service Principal, with the Tenant ID helper.
	ui.openSection("prov-devops")
	ui.click("devops-method-sp")
	ui.waitJS(`document.getElementById('prov-pat').hidden && !document.getElementById('prov-sp').hidden`)
	if got := ui.text("#sp-note"); !strings.Contains(got, "NOTE: When configuring permissions for the Service Principal in Azure DevOps") ||
		!strings.Contains(got, "but also to the Area Path in which the project resides") {
		t.Errorf("Service Principal note = %q", got)
	}
	ui.fill("sp-client_id", emulator.AppClientID)
	ui.fill("sp-tenant_id", emulator.Tenant)
	ui.click("fill-auth-url")
	wantAuth := "https://login.microsoftonline.com/" + emulator.Tenant + "/oauth2/v2.0/token"
	ui.waitJS(`document.getElementById('sp-auth_url').value === ` + provQuote(wantAuth))
	ui.fill("sp-secret", spCanary)
	ui.fill("sp-organisation", "contoso")
	ui.save()
	ui.storedFingerprint("sp-secret-stored")
	if v := ui.value("sp-secret"); v != "" {
		t.Errorf("the secret input holds %d characters after Save", len(v))
	}
	if got := ui.value("sp-auth_url"); got != wantAuth {
		t.Errorf("auth url after Save = %q", got)
	}
	// The PAT's own organisation is still shown in its (hidden) section.
	if got := ui.value("pat-organisation"); got != "contoso" {
		t.Errorf("PAT organisation with SP selected = %q, want contoso", got)
	}
	if view, _ = ui.services.Providers.View(); view.DevOps.Method != "sp" || !view.DevOps.SPSecret.Set || !view.DevOps.PATToken.Set {
		t.Fatalf("stored state after the SP save = %+v", view.DevOps)
	}
	if view.DevOps.PATToken.Version != 1 {
		t.Errorf("the unchanged PAT was stored again: version %d", view.DevOps.PATToken.Version)
	}

	// Jira.
	ui.openSection("prov-jira")
	ui.fill("jira-email", "mia@example.com")
	ui.fill("jira-token", jiraCanary)
	ui.fill("jira-domain", "https://acme.atlassian.net/")
	ui.waitJS(`document.getElementById('jira-detected').textContent === 'detected: Cloud'`)
	ui.save()
	ui.storedFingerprint("jira-token-stored")
	if v := ui.value("jira-token"); v != "" {
		t.Errorf("the Jira token input holds %d characters after Save", len(v))
	}
	if view, _ = ui.services.Providers.View(); !view.Jira.Token.Set || view.Jira.Deployment != "cloud" || view.Jira.Domain != "https://acme.atlassian.net" {
		t.Fatalf("stored Jira = %+v", view.Jira)
	}

	// History: the Jira token has one version, the page lists it.
	ui.do(chromedp.Click(chromedp.CSS(`#jira-history > summary`)))
	ui.waitJS(`document.querySelectorAll('#jira-history-body tbody tr').length === 1`)

	// Canary: not in the DOM, not in any binding response; present in the
	// requests (so the recorder saw the saves).
	html := provEval[string](ui.browserUI, `document.documentElement.outerHTML`)
	inputs := provEval[string](ui.browserUI, `[...document.querySelectorAll('input')].map((i) => i.value + ' ' + i.placeholder).join('\n')`)
	moreRequests, moreResponses := ui.calls()
	requests, responses = append(requests, moreRequests...), append(responses, moreResponses...)
	svcView, _ := ui.services.Providers.View()
	hist, _ := ui.services.Providers.History("devops.pat")
	goSide, _ := json.Marshal([]any{svcView, hist})
	allRequests := strings.Join(requests, "\n")
	for _, c := range []string{patCanary, spCanary, jiraCanary} {
		if !strings.Contains(allRequests, c) {
			t.Errorf("no recorded request carried canary %s: the recorder proves nothing", c)
		}
	}
	for _, c := range []string{patCanary, spCanary, jiraCanary} {
		for where, hay := range map[string]string{
			"document.documentElement.outerHTML": html,
			"input values and placeholders":      inputs,
			"binding responses":                  strings.Join(responses, "\n"),
			"View/History":                       string(goSide),
		} {
			if strings.Contains(hay, c) {
				t.Errorf("canary %s found in %s", c, where)
			}
		}
	}
	seen := map[string]int{}
	for _, r := range responses {
		seen[strings.Fields(r)[0]]++
	}
	for call, n := range map[string]int{"ProvidersService/Save": 3, "ProvidersService/View": 1, "ProvidersService/TenantAuthURL": 1, "ProvidersService/History": 1} {
		if seen["/__call/"+call] < n {
			t.Errorf("recorded responses %v: want at least %d of %s", seen, n, call)
		}
	}

	ui.openSection("prov-devops")
	ui.screenshot("providers")
}

// An invalid GUID is reported beside DevOps Shared Client Id and nothing is
// saved; the typed values stay in the form.
func TestBrowserProvidersInvalidClientID(t *testing.T) {
	ui := provUI{startBrowserUI(t, vault.Options{})}
	ui.createVault()
	ui.providersPage()
	ui.openSection("prov-devops")
	ui.click("devops-method-sp")
	ui.fill("sp-client_id", "4d856d1f-8648-456c-9bb2-NOT-A-GUID")
	ui.fill("sp-auth_url", "https://login.microsoftonline.com/"+emulator.Tenant+"/oauth2/v2.0/token")
	ui.fill("sp-secret", "a-client-secret-value")
	ui.fill("sp-organisation", "contoso")
	ui.click("prov-save")
	ui.waitJS(`document.getElementById('err-sp-client_id').textContent !== ''`)
	if got := ui.text("#err-sp-client_id"); !strings.Contains(got, "not a guid") {
		t.Errorf("client id error = %q", got)
	}
	// Beside the field: same wrapper, described by it, marked invalid.
	ui.waitJS(`(() => {
		const input = document.getElementById('sp-client_id');
		const err = document.getElementById('err-sp-client_id');
		return input.closest('.field') === err.closest('.field') &&
			input.getAttribute('aria-describedby').split(' ').includes('err-sp-client_id') &&
			input.getAttribute('aria-invalid') === 'true';
	})()`)
	for _, id := range []string{"err-sp-organisation", "err-sp-secret", "err-sp-auth_url", "err-pat-organisation"} {
		if got := ui.text("#" + id); got != "" {
			t.Errorf("#%s = %q, want no error", id, got)
		}
	}
	if got := ui.text("#prov-status"); got == "Saved." {
		t.Error("the page says Saved.")
	}
	view, err := ui.services.Providers.View()
	if err != nil {
		t.Fatal(err)
	}
	if view.DevOps.SPSecret.Set || view.DevOps.ClientID != "" || view.DevOps.Method != "" {
		t.Errorf("something was saved: %+v", view.DevOps)
	}
	if got := ui.value("sp-client_id"); got != "4d856d1f-8648-456c-9bb2-NOT-A-GUID" {
		t.Errorf("the typed client id was lost: %q", got)
	}
	if n := len(ui.value("sp-secret")); n != len("a-client-secret-value") {
		t.Errorf("the typed secret was lost (%d characters left)", n)
	}
	ui.screenshot("providers-error")
}

// Test before Save, against the DevOps emulator: progress steps, identity;
// and a wrong token's diagnosis.
func TestBrowserProvidersTestButton(t *testing.T) {
	emu := emulator.New(t, emulator.Fixture())
	ui := provUI{startBrowserUI(t, vault.Options{})}
	ui.createVault()
	ui.providersPage()
	// Collect the progress events the page receives, to prove they stream.
	provEval[bool](ui.browserUI, `(() => {
		window.__progress = [];
		window.runtime.EventsOnMultiple('test:progress', (p) => window.__progress.push(p), -1);
		return true;
	})()`)
	ui.openSection("prov-devops")
	ui.click("devops-method-pat")
	ui.fill("pat-username", emulator.UserEmail)
	ui.fill("pat-token", emulator.GoodPAT)
	ui.fill("pat-organisation", emu.URL+"/"+emulator.OrgName)
	ui.click("test-devops")
	ui.waitJS(`document.getElementById('test-devops-code')?.textContent === 'ok'`)
	steps := provEval[[]string](ui.browserUI, `[...document.querySelectorAll('#test-devops-steps li')].map((li) => li.dataset.check)`)
	if strings.Join(steps, ",") != "connection_data,projects" {
		t.Errorf("steps = %v, want connection_data, projects", steps)
	}
	if got := ui.text("#test-devops-identity"); !strings.Contains(got, emulator.UserEmail) {
		t.Errorf("identity = %q, want %s", got, emulator.UserEmail)
	}
	ui.waitJS(`window.__progress.map((p) => p.check.name).join(',') === 'connection_data,projects'`)
	if view, _ := ui.services.Providers.View(); view.DevOps.PATToken.Set {
		t.Error("Test saved the token")
	}
	ui.screenshot("providers-test")

	// A wrong token: auth_failed with the diagnosis' message and hint.
	wrong := "not-a-valid-pat-value-0000000000000000000000000000"
	ui.fill("pat-token", wrong)
	ui.click("test-devops")
	ui.waitJS(`document.getElementById('test-devops-code')?.textContent === 'auth_failed'`)
	want, err := ui.services.Connect.TestForm("devops", ProvidersForm{DevOpsMethod: "pat",
		PAT: &PATForm{Username: emulator.UserEmail, Organisation: emu.URL + "/" + emulator.OrgName, Token: wrong}}, "check")
	if err != nil {
		t.Fatal(err)
	}
	if got := ui.text("#test-devops-message"); got != want.Message || want.Message == "" {
		t.Errorf("message = %q, want %q", got, want.Message)
	}
	if got := ui.text("#test-devops-hint"); got != "Hint: "+want.Hint || want.Hint == "" {
		t.Errorf("hint = %q, want %q", got, "Hint: "+want.Hint)
	}
	if !provEval[bool](ui.browserUI, `document.getElementById('test-devops-result').classList.contains('prov-fail')`) {
		t.Error("the failed result is not marked as failed")
	}
}

// A Save that changes what boards use asks first, in the page, with the
// list of boards; Cancel stores nothing, confirming stores it.
func TestBrowserProvidersImpactConfirmation(t *testing.T) {
	ui := provUI{startBrowserUI(t, vault.Options{})}
	ui.createVault()
	ui.providersPage()
	ui.click("global_shared_secret")
	ui.openSection("prov-devops")
	ui.fill("pat-username", "jane@contoso.com")
	ui.fill("pat-token", "firsttoken0123456789abcdefghijklmnopqrstuvwxyz01")
	ui.fill("pat-organisation", "contoso")
	ui.save()
	before, _ := ui.services.Providers.View()
	if _, err := ui.services.Boards.Add(BoardForm{Name: "Web", System: "devops", Project: "Web", UseGlobal: true}); err != nil {
		t.Fatal(err)
	}
	ui.providersPage()
	if got := ui.text("#pat-usage"); got != "Used by 1 board" {
		t.Errorf("usage = %q, want Used by 1 board", got)
	}
	ui.fill("pat-token", "secondtoken0123456789abcdefghijklmnopqrstuvwxyz0")
	ui.click("prov-save")
	ui.waitJS(`document.getElementById('prov-dialog').open && document.querySelectorAll('#prov-impact li').length === 1`)
	if got := ui.text("#prov-impact"); !strings.HasPrefix(got, "Web: ") || !strings.Contains(got, "→") {
		t.Errorf("impact = %q", got)
	}
	ui.screenshot("providers-impact")
	ui.click("prov-dialog-cancel")
	ui.waitJS(`!document.getElementById('prov-dialog').open`)
	if v, _ := ui.services.Providers.View(); v.DevOps.PATToken.Fingerprint != before.DevOps.PATToken.Fingerprint {
		t.Fatal("Cancel stored the new token")
	}
	ui.click("prov-save")
	ui.waitJS(`document.getElementById('prov-dialog').open`)
	ui.click("prov-dialog-confirm")
	ui.waitJS(`document.getElementById('prov-status').textContent === 'Saved.'`)
	after, _ := ui.services.Providers.View()
	if after.DevOps.PATToken.Fingerprint == before.DevOps.PATToken.Fingerprint || after.DevOps.PATToken.Version != 2 {
		t.Errorf("confirmed save did not store the new token: %+v", after.DevOps.PATToken)
	}

	// Roll back to version 1 with the in-page confirmation.
	ui.do(chromedp.Click(chromedp.CSS(`#pat-history > summary`)))
	ui.waitJS(`document.querySelectorAll('#pat-history-body button.prov-rollback').length === 1`)
	ui.do(chromedp.Click(chromedp.CSS(`#pat-history-body button.prov-rollback`)))
	ui.waitJS(`document.getElementById('prov-dialog').open`)
	ui.click("prov-dialog-confirm")
	ui.waitJS(`document.getElementById('prov-status').textContent.startsWith('Rolled back')`)
	rolled, _ := ui.services.Providers.View()
	if rolled.DevOps.PATToken.Fingerprint != before.DevOps.PATToken.Fingerprint || rolled.DevOps.PATToken.Version != 3 {
		t.Errorf("after rollback: %+v, want fingerprint %s at version 3", rolled.DevOps.PATToken, before.DevOps.PATToken.Fingerprint)
	}
	if got := ui.storedFingerprint("pat-token-stored"); got != before.DevOps.PATToken.Fingerprint {
		t.Errorf("page shows %s after rollback, want %s", got, before.DevOps.PATToken.Fingerprint)
	}

	// Turning "Use Global Integration Shared Secret" off: the preview lists
	// every board that loses its credential, before anything changes.
	if _, err := ui.services.Boards.Add(BoardForm{Name: "Ops", System: "devops", Project: "Ops", UseGlobal: true}); err != nil {
		t.Fatal(err)
	}
	ui.providersPage()
	ui.click("global_shared_secret")
	ui.click("prov-save")
	ui.waitJS(`document.getElementById('prov-dialog').open && document.querySelectorAll('#prov-impact li').length === 2`)
	impact := ui.text("#prov-impact")
	for _, want := range []string{"Ops: ", "Web: ", "global_disabled"} {
		if !strings.Contains(impact, want) {
			t.Errorf("global-off impact %q lacks %q", impact, want)
		}
	}
	if v, _ := ui.services.Providers.View(); !v.GlobalSharedSecret {
		t.Fatal("the toggle changed before the confirmation")
	}
	ui.click("prov-dialog-confirm")
	ui.waitJS(`document.getElementById('prov-status').textContent === 'Saved.'`)
	if v, _ := ui.services.Providers.View(); v.GlobalSharedSecret {
		t.Error("confirmed: the global toggle is still on")
	}
	if b, _ := ui.services.Boards.Show("Web"); b.CredentialSource != "none" || b.Code != "global_disabled" {
		t.Errorf("board Web after global off: %s / %s, want none / global_disabled", b.CredentialSource, b.Code)
	}
}

// Expiry warnings show on the providers page when it loads and, right after
// unlock, on whichever console page opens.
func TestBrowserProvidersExpiryWarnings(t *testing.T) {
	ui := provUI{startBrowserUI(t, vault.Options{})}
	ui.createVault()
	soon := time.Now().AddDate(0, 0, 3).Format(time.DateOnly)
	if _, err := ui.services.Providers.Save(ProvidersForm{GlobalSharedSecret: true, DevOpsMethod: "pat", Confirmed: true,
		PAT: &PATForm{Username: "jane@contoso.com", Organisation: "contoso", Token: "tok0123456789abcdefghijklmnopqrstuvwxyz0123456789", Expires: soon}}); err != nil {
		t.Fatal(err)
	}
	ui.providersPage()
	ui.waitJS(`!document.getElementById('prov-warnings').hidden`)
	if got := ui.text("#prov-warnings"); !strings.Contains(got, "DevOps Shared PAT Token expires in") || !strings.Contains(got, soon) {
		t.Errorf("warnings = %q", got)
	}
	if got := ui.value("pat-expires"); got != soon {
		t.Errorf("expiry date input = %q, want %s", got, soon)
	}
	ui.click("nav-boards")
	ui.waitJS(`location.hash === '#/boards'`)
	ui.click("lock")
	ui.screen("unlock")
	ui.do(chromedp.SendKeys(chromedp.ID("passphrase"), passphrase), chromedp.Click(chromedp.ID("unlock")))
	ui.screen("console")
	ui.waitJS(`(() => {
		const b = document.getElementById('expiry-warnings');
		return b !== null && !b.hidden && !b.classList.contains('prov-banner-off') && b.getClientRects().length > 0 &&
			b.textContent.includes('DevOps Shared PAT Token expires in');
	})()`)
	// On the providers page the page's own list replaces the banner.
	ui.providersPage()
	ui.waitJS(`document.getElementById('expiry-warnings').getClientRects().length === 0 && !document.getElementById('prov-warnings').hidden`)
}
