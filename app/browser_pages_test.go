package app

// Browser tests of the Boards, Audit, Settings and Bundles pages: the built
// frontend in headless Chromium against the real Go services (uiharness).

import (
	"context"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/chromedp/chromedp"

	"sharedvault/backend/vault"
)

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (ui *browserUI) eval(expr string) string {
	ui.t.Helper()
	ctx, cancel := context.WithTimeout(ui.ctx, 15*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		ui.t.Fatalf("evaluate %s: %v\nconsole:\n%s", expr, err, ui.consoleText())
	}
	return s
}

// page opens a console page from the navigation and waits for its heading.
func (ui *browserUI) page(id, label string) {
	ui.t.Helper()
	ui.do(chromedp.Click(chromedp.ID("nav-" + id)))
	ui.waitJS(`document.querySelector('#page h2')?.textContent === ` + js(label))
}

// setValue sets a form control's value as a paste would and fires input/change.
func (ui *browserUI) setValue(sel, value string) {
	ui.t.Helper()
	ui.eval(`(() => {
		const el = document.querySelector(` + js(sel) + `);
		el.value = ` + js(value) + `;
		el.dispatchEvent(new Event('input', { bubbles: true }));
		el.dispatchEvent(new Event('change', { bubbles: true }));
		return '';
	})()`)
}

// shot saves a full-page screenshot to /tmp for a person to look at.
func (ui *browserUI) shot(name string) {
	ui.t.Helper()
	ctx, cancel := context.WithTimeout(ui.ctx, 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		ui.t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(os.TempDir(), "sharedvault-"+name+".png")
	if err := os.WriteFile(path, png, 0o600); err != nil {
		ui.t.Logf("screenshot %s: %v", name, err)
		return
	}
	ui.t.Logf("screenshot: %s", path)
}

// startPagesUI is startBrowserUI with the window's default size (1100×760)
// and a new vault.
func startPagesUI(t *testing.T) *browserUI {
	t.Helper()
	ui := startBrowserUI(t, vault.Options{})
	ui.do(chromedp.EmulateViewport(1100, 760))
	ui.createVault()
	return ui
}

// boardRow is a CSS selector for the list row of a board.
func boardRow(name string) string {
	return `#bd-rows tr[data-board=` + js(name) + `]`
}

// credsLine is the JavaScript expression for a board's "Credentials: …" line.
func credsLine(name string) string {
	return `(document.querySelector(` + js(boardRow(name)+` .bd-creds-line`) + `)?.textContent ?? '')`
}

const (
	pagesUser = "jane@contoso.com"
	pagesPAT  = "e7awvivqlx3ufnmdgb2w5lq5y7gvuvt6kffwvq3wh7yxqqyroxta"
)

// fakeDevOps is an HTTPS Azure DevOps stand-in that accepts every board
// check; its certificate is a self-signed CA the vault does not trust yet.
func fakeDevOps(t *testing.T) (srv *httptest.Server, caPEM []byte) {
	t.Helper()
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch {
		case strings.HasSuffix(r.URL.Path, "/_apis/connectionData"):
			io.WriteString(w, `{"authenticatedUser":{"providerDisplayName":"Jane Doe","properties":{"Account":{"$value":"`+pagesUser+`"}}}}`)
		case strings.HasSuffix(r.URL.Path, "/_apis/projects"):
			io.WriteString(w, `{"count":1,"value":[{"name":"Fabrikam-Fiber-Git"}]}`)
		case strings.HasSuffix(r.URL.Path, "/_apis/wit/wiql"):
			io.WriteString(w, `{"workItems":[]}`)
		default:
			io.WriteString(w, `{"name":"ok"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}

// storeGlobalPAT stores the shared DevOps PAT with the global switch on,
// through the real ProvidersService, and returns its fingerprint.
func storeGlobalPAT(t *testing.T, s *Services, org string) string {
	t.Helper()
	res, err := s.Providers.Save(ProvidersForm{GlobalSharedSecret: true, DevOpsMethod: "pat", Confirmed: true,
		PAT: &PATForm{Username: pagesUser, Organisation: org, Token: pagesPAT}})
	if err != nil || !res.Saved {
		t.Fatalf("store the shared PAT: %+v, %v", res, err)
	}
	fp := res.View.DevOps.PATToken.Fingerprint
	if fp == "" {
		t.Fatal("the stored PAT has no fingerprint")
	}
	return fp
}

// (a) Add a board with the toggle on, then turn it off and on again from the
// page: the credential line follows each step.
func TestBrowserBoardsToggle(t *testing.T) {
	ui := startPagesUI(t)
	fp := storeGlobalPAT(t, ui.services, "contoso")

	ui.page("boards", "Boards")
	ui.waitJS(`document.getElementById('bd-count')?.textContent === 'No boards yet: add one below.'`)
	if got := ui.eval(`[...document.querySelectorAll('#bd-table thead th')].map((th) => th.textContent).join('|')`); !strings.Contains(got, "|Use Global Default Secret/PAT token|") {
		t.Errorf("table headers = %q, want the seed's toggle label", got)
	}
	if got := ui.eval(`document.querySelector('label[for="use_global"]')?.textContent ?? document.getElementById('use_global').closest('label').textContent`); !strings.Contains(got, "Use Global Default Secret/PAT token") {
		t.Errorf("add form toggle label = %q", got)
	}

	// A field error comes back beside its field.
	ui.do(chromedp.SendKeys(chromedp.ID("name"), "alpha"), chromedp.Click(chromedp.ID("bd-add")))
	ui.waitJS(`document.getElementById('err-project').textContent.startsWith('Is required')`)
	ui.waitJS(`document.getElementById('project').getAttribute('aria-invalid') === 'true'`)

	ui.do(
		chromedp.SendKeys(chromedp.ID("project"), "Contoso"),
		chromedp.SendKeys(chromedp.ID("area_path"), `Contoso\Team A`),
		chromedp.Click(chromedp.ID("bd-add")),
	)
	want := "Credentials: global DevOps PAT, fingerprint " + fp
	ui.waitJS(credsLine("alpha") + ` === ` + js(want))
	ui.waitJS(`document.getElementById('err-project').textContent === ''`)
	if b, err := ui.services.Boards.Show("alpha"); err != nil || !b.UseGlobal || b.AreaPath != `Contoso\Team A` || b.Fingerprint != fp {
		t.Fatalf("after Add: %+v, %v", b, err)
	}
	ui.shot("boards")

	toggle := boardRow("alpha") + ` .bd-toggle`
	ui.do(chromedp.Click(chromedp.CSS(toggle)))
	ui.waitJS(credsLine("alpha") + `.startsWith('Credentials: none')`)
	ui.waitJS(credsLine("alpha") + `.includes('not_configured')`)
	ui.waitJS(`document.querySelector(` + js(toggle) + `).checked === false`)
	if got := ui.text(boardRow("alpha") + ` .bd-creds`); !strings.Contains(got, "no credentials of its own") {
		t.Errorf("credentials cell with the toggle off = %q, want the reason", got)
	}
	if b, _ := ui.services.Boards.Show("alpha"); b.UseGlobal || b.CredentialSource != "none" {
		t.Fatalf("after toggling off: use_global=%v source=%s", b.UseGlobal, b.CredentialSource)
	}
	ui.shot("boards-toggle-off")

	ui.do(chromedp.Click(chromedp.CSS(toggle)))
	ui.waitJS(credsLine("alpha") + ` === ` + js(want))
	if b, _ := ui.services.Boards.Show("alpha"); !b.UseGlobal || b.CredentialSource != "global" {
		t.Fatalf("after toggling on: use_global=%v source=%s", b.UseGlobal, b.CredentialSource)
	}

	// Own credentials: write-only, errors beside the fields, then in use once the toggle is off.
	ui.do(chromedp.Click(chromedp.CSS(boardRow("alpha") + ` button[data-action="creds"]`)))
	ui.waitJS(`document.getElementById('bd-creds-form') !== null`)
	ui.do(chromedp.SendKeys(chromedp.ID("username"), "ops@contoso.com"), chromedp.Click(chromedp.ID("bd-creds-save")))
	ui.waitJS(`document.getElementById('err-token').textContent !== '' && document.getElementById('err-organisation').textContent !== ''`)
	ui.do(
		chromedp.SendKeys(chromedp.ID("token"), "ownpatownpatownpatownpatownpatownpatownpatownpat0001"),
		chromedp.SendKeys(chromedp.ID("organisation"), "https://dev.azure.com/contoso/"),
		chromedp.Click(chromedp.ID("bd-creds-save")),
	)
	ui.waitJS(`document.getElementById('bd-creds-saved').textContent.includes('Saved own DevOps PAT of alpha')`)
	ui.waitJS(`document.getElementById('token').value === '' && document.getElementById('err-token').textContent === ''`)
	ui.do(chromedp.Click(chromedp.CSS(toggle)))
	ui.waitJS(credsLine("alpha") + `.startsWith('Credentials: own DevOps PAT, fingerprint ')`)
	ui.shot("boards-creds")

	// Remove asks first, in the page.
	ui.do(chromedp.Click(chromedp.CSS(boardRow("alpha") + ` button[data-action="remove"]`)))
	ui.waitJS(`document.getElementById('bd-remove-confirm') !== null`)
	if _, err := ui.services.Boards.Show("alpha"); err != nil {
		t.Fatal("the board went before the confirmation")
	}
	ui.do(chromedp.Click(chromedp.ID("bd-remove-confirm")))
	ui.waitJS(`document.getElementById('bd-count').textContent === 'No boards yet: add one below.'`)
	if _, err := ui.services.Boards.Show("alpha"); err == nil {
		t.Fatal("the board is still there after Remove")
	}
}

// (b) The impact preview before turning the global switch off, at the
// service level (the dialog is on the providers page).
func TestProvidersGlobalOffNeedsConfirmation(t *testing.T) {
	s := NewServices(filepath.Join(t.TempDir(), "vault.db"), vault.Options{}, nil, io.Discard)
	t.Cleanup(func() { _ = s.Vault.close() })
	if err := s.Vault.Create(passphrase); err != nil {
		t.Fatal(err)
	}
	fp := storeGlobalPAT(t, s, "contoso")
	for _, n := range []string{"alpha", "beta"} {
		if _, err := s.Boards.Add(BoardForm{Name: n, System: "devops", Project: "Contoso", UseGlobal: true}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Boards.Add(BoardForm{Name: "own", System: "devops", Project: "Contoso", UseGlobal: false}); err != nil {
		t.Fatal(err)
	}
	off := ProvidersForm{GlobalSharedSecret: false, DevOpsMethod: "pat"}
	res, err := s.Providers.Save(off)
	if err != nil {
		t.Fatal(err)
	}
	if res.Saved || !res.NeedsConfirmation {
		t.Fatalf("Save(global off, unconfirmed) = %+v, want needs_confirmation", res)
	}
	var names []string
	for _, c := range res.Impact {
		names = append(names, c.Board)
		if !strings.Contains(c.From, "global DevOps PAT, fingerprint "+fp) || !strings.Contains(c.To, "none (global_disabled)") {
			t.Errorf("impact %+v, want from the global PAT to none (global_disabled)", c)
		}
	}
	if strings.Join(names, ",") != "alpha,beta" {
		t.Errorf("impact boards = %v, want alpha and beta", names)
	}
	v, err := s.Providers.View()
	if err != nil || !v.GlobalSharedSecret || v.Usage["devops.pat"] != 2 {
		t.Fatalf("after the unconfirmed Save: global=%v usage=%v, %v; want nothing changed", v.GlobalSharedSecret, v.Usage, err)
	}
	if b, _ := s.Boards.Show("alpha"); b.CredentialSource != "global" {
		t.Fatalf("alpha after the unconfirmed Save: %s", b.CredentialSource)
	}

	off.Confirmed = true
	res, err = s.Providers.Save(off)
	if err != nil || !res.Saved || res.NeedsConfirmation {
		t.Fatalf("Save(global off, confirmed) = %+v, %v", res, err)
	}
	if res.View.GlobalSharedSecret {
		t.Fatal("the global switch is still on after the confirmed Save")
	}
	if b, _ := s.Boards.Show("beta"); b.CredentialSource != "none" || b.Code != "global_disabled" {
		t.Fatalf("beta after the confirmed Save: %s %s", b.CredentialSource, b.Code)
	}
}

// (c) Settings: trust a CA from a file; a board's test from the Boards page
// fails with tls_untrusted before and passes after; remove the CA; then the
// Audit page lists it all and the chain verifies.
func TestBrowserSettingsBoardTestAudit(t *testing.T) {
	srv, caPEM := fakeDevOps(t)
	ui := startPagesUI(t)
	storeGlobalPAT(t, ui.services, srv.URL+"/fabrikam")
	if _, err := ui.services.Boards.Add(BoardForm{Name: "fiber", System: "devops", Project: "Fabrikam-Fiber-Git", AreaPath: "Team A", UseGlobal: true}); err != nil {
		t.Fatal(err)
	}
	ui.eval(`(() => { window.__progress = []; window.runtime.EventsOnMultiple('test:progress', (d) => window.__progress.push(d), -1); return ''; })()`)
	testBoard := func(code string) {
		t.Helper()
		ui.page("boards", "Boards")
		ui.waitJS(credsLine("fiber") + `.startsWith('Credentials: global DevOps PAT')`)
		ui.do(chromedp.Click(chromedp.CSS(boardRow("fiber") + ` button[data-action="test"]`)))
		ui.waitJS(`document.querySelector('#bd-test-result code')?.textContent === ` + js(code))
	}
	testBoard("tls_untrusted")
	ui.shot("boards-test-untrusted")

	ui.page("settings", "Settings")
	ui.waitJS(`document.getElementById('auto_lock_minutes').value === '5'`)
	ui.waitJS(`document.getElementById('st-ca-count').textContent.startsWith('No extra CA certificates')`)

	// Settings: a field error beside its field, then a good save.
	ui.setValue("#auto_lock_minutes", "0")
	ui.do(chromedp.Click(chromedp.ID("st-save")))
	ui.waitJS(`document.getElementById('err-auto_lock_minutes').textContent === 'Must be between 1 and 240 minutes.'`)
	ui.setValue("#auto_lock_minutes", "12")
	ui.setValue("#proxy_url", "http://user:pw@proxy.corp.local:3128")
	ui.do(chromedp.Click(chromedp.ID("st-save")))
	ui.waitJS(`document.getElementById('err-proxy_url').textContent.includes('user name or password')`)
	ui.setValue("#proxy_url", "")
	ui.do(chromedp.Click(chromedp.ID("st-save")))
	ui.waitJS(`document.getElementById('st-saved').textContent.includes('12 idle minutes')`)
	if s, err := ui.services.Settings.Get(); err != nil || s.AutoLockMinutes != 12 {
		t.Fatalf("settings after Save: %+v, %v", s, err)
	}

	// The CA comes from a file through the file input (FileReader).
	pemFile := filepath.Join(t.TempDir(), "test-ca.pem")
	if err := os.WriteFile(pemFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	ui.do(chromedp.SetUploadFiles(chromedp.ID("ca-file"), []string{pemFile}))
	ui.waitJS(`document.getElementById('ca-pem').value.includes('-----BEGIN CERTIFICATE-----')`)
	ui.do(chromedp.Click(chromedp.ID("st-ca-add")))
	ui.waitJS(`document.querySelectorAll('#st-ca-rows tr[data-fingerprint]').length === 1`)
	cas, err := ui.services.Settings.TrustedCAs()
	if err != nil || len(cas) != 1 {
		t.Fatalf("trusted CAs after Add: %+v, %v", cas, err)
	}
	if got := ui.text("#st-ca-rows"); !strings.Contains(got, cas[0].Subject) || !strings.Contains(got, cas[0].Fingerprint) {
		t.Errorf("CA row = %q, want subject %q and fingerprint", got, cas[0].Subject)
	}
	ui.shot("settings")

	// With the CA trusted, the board's test passes; each step arrives as an event.
	testBoard("ok")
	steps := ui.eval(`[...document.querySelectorAll('#bd-test-checks li')].map((l) => l.textContent).join('\n')`)
	for _, step := range []string{"project", "area_path"} {
		if !strings.Contains(steps, "✓ "+step) {
			t.Errorf("test steps = %q, want a passed %s step", steps, step)
		}
	}
	if got := ui.text("#bd-test-result"); !strings.Contains(got, "Authenticated as") {
		t.Errorf("test result = %q, want the identity", got)
	}
	if n := ui.eval(`String(window.__progress.filter((p) => p.run && p.check && p.check.name).length)`); n == "0" {
		t.Error("no test:progress events reached the page")
	}
	ui.shot("boards-test")

	// Remove the CA again, after the in-page confirmation.
	ui.page("settings", "Settings")
	ui.waitJS(`document.querySelectorAll('#st-ca-rows tr[data-fingerprint]').length === 1`)
	ui.do(chromedp.Click(chromedp.CSS(`#st-ca-rows button[data-action="remove"]`)))
	ui.waitJS(`document.getElementById('st-ca-remove-confirm') !== null`)
	if cas, _ := ui.services.Settings.TrustedCAs(); len(cas) != 1 {
		t.Fatal("the CA went before the confirmation")
	}
	ui.do(chromedp.Click(chromedp.ID("st-ca-remove-confirm")))
	ui.waitJS(`document.querySelectorAll('#st-ca-rows tr[data-fingerprint]').length === 0`)
	if cas, _ := ui.services.Settings.TrustedCAs(); len(cas) != 0 {
		t.Fatalf("trusted CAs after Remove: %+v", cas)
	}

	// Audit: newest first, and the chain verifies.
	ui.page("audit", "Audit")
	ui.waitJS(`document.querySelectorAll('#au-rows tr').length > 3`)
	if order := ui.eval(`(() => { const s = [...document.querySelectorAll('#au-rows tr')].map((r) => Number(r.dataset.seq)); return s.every((n, i) => i === 0 || n < s[i - 1]) ? 'newest first' : s.join(','); })()`); order != "newest first" {
		t.Errorf("audit rows in order %s, want newest first", order)
	}
	actions := ui.text("#au-rows")
	for _, a := range []string{"trust.add", "trust.remove", "board.add", "settings.auto_lock"} {
		if !strings.Contains(actions, a) {
			t.Errorf("audit page lacks %s: %q", a, actions)
		}
	}
	ui.do(chromedp.Click(chromedp.ID("au-verify")))
	ui.waitJS(`document.getElementById('au-verify-ok')?.textContent.startsWith('Chain OK: all ')`)
	ui.shot("audit")
}

// (d) Export from the page with an age recipient; import the file into a
// second vault with the signer key the page shows.
func TestBrowserBundlesExportImport(t *testing.T) {
	ui := startPagesUI(t)
	fp := storeGlobalPAT(t, ui.services, "contoso")
	if _, err := ui.services.Boards.Add(BoardForm{Name: "alpha", System: "devops", Project: "Contoso", AreaPath: `Contoso\Team A`, UseGlobal: true}); err != nil {
		t.Fatal(err)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "contoso.bundle")
	idFile := filepath.Join(dir, "server.age")
	if err := os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	ui.page("bundles", "Bundles")
	ui.waitJS(`document.getElementById('bu-signing-key').textContent.startsWith('sharedvault-ed25519:')`)
	signer := ui.text("#bu-signing-key")

	// A field error first: no recipients.
	ui.do(chromedp.SendKeys(chromedp.ID("out"), out), chromedp.Click(chromedp.ID("bu-export")))
	ui.waitJS(`document.getElementById('err-recipients').textContent !== ''`)
	ui.setValue("#recipients", id.Recipient().String())
	ui.do(chromedp.Click(chromedp.ID("bu-export")))
	ui.waitJS(`document.getElementById('bu-export-sequence') !== null`)
	if got := ui.text("#bu-export-sequence"); got != "1" {
		t.Errorf("sequence shown = %q, want 1", got)
	}
	if got := ui.text("#bu-export-signer"); got != signer {
		t.Errorf("signer shown = %q, want the signing key %q", got, signer)
	}
	contents := ui.text("#bu-export-contents")
	if !strings.Contains(contents, "alpha") || !strings.Contains(contents, fp) {
		t.Errorf("contents shown = %q, want board alpha and the PAT fingerprint %s", contents, fp)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatalf("the bundle file: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("bundle mode = %v, want 0600", st.Mode().Perm())
	}
	ui.shot("bundles")

	// The second vault, on "the server".
	s2 := NewServices(filepath.Join(t.TempDir(), "server", "vault.db"), vault.Options{}, nil, io.Discard)
	t.Cleanup(func() { _ = s2.Vault.close() })
	if err := s2.Vault.Create("another passphrase for the server 9"); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Bundles.Import(ImportForm{File: out, IdentityFile: idFile, Signer: "sharedvault-ed25519:AAAA"}); err == nil {
		t.Fatal("import with a wrong signer key succeeded")
	}
	res, err := s2.Bundles.Import(ImportForm{File: out, IdentityFile: idFile, Signer: signer})
	if err != nil {
		t.Fatalf("import with the key shown on the page: %v", err)
	}
	if res.Sequence != 1 {
		t.Errorf("imported sequence = %d", res.Sequence)
	}
	b, err := s2.Boards.Show("alpha")
	if err != nil {
		t.Fatal(err)
	}
	if b.CredentialSource != "global" || b.Fingerprint != fp || b.AreaPath != `Contoso\Team A` {
		t.Fatalf("alpha in the second vault: source=%s fingerprint=%s area=%q; want global, %s", b.CredentialSource, b.Fingerprint, b.AreaPath, fp)
	}

	// The page's import form names a refusal clearly: here, a wrong identity.
	other, _ := age.GenerateX25519Identity()
	otherFile := filepath.Join(dir, "other.age")
	if err := os.WriteFile(otherFile, []byte(other.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ui.do(
		chromedp.SendKeys(chromedp.ID("file"), out),
		chromedp.SendKeys(chromedp.ID("identity_file"), otherFile),
		chromedp.SendKeys(chromedp.ID("signer"), signer),
		chromedp.Click(chromedp.ID("bu-import")),
	)
	ui.waitJS(`document.getElementById('bu-import-error').textContent.includes('Wrong identity or passphrase')`)
	ui.shot("bundles-import-error")
}

// (e) 10,000 boards: the page shows a window of rows, says how many matched,
// and a filter narrows the rows quickly.
func TestBrowserBoardsTenThousand(t *testing.T) {
	ui := startPagesUI(t)
	storeGlobalPAT(t, ui.services, "contoso")
	v := ui.services.Vault.current()
	start := time.Now()
	err := v.Update(context.Background(), func(tx *sql.Tx) error {
		stmt, err := tx.Prepare(`INSERT INTO boards (name, system, project, area_path, use_global, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		now := time.Now().UTC().Format(time.RFC3339Nano)
		for i := range 10_000 {
			sys, project, area := "devops", fmt.Sprintf("Project%03d", i%500), fmt.Sprintf(`Project%03d\Team %d`, i%500, i%7)
			if i%4 == 3 {
				sys, project, area = "jira", fmt.Sprintf("PRJ%d", i%300), ""
			}
			if _, err := stmt.Exec(fmt.Sprintf("board-%05d", i), sys, project, area, i%5 != 0, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("inserted 10,000 boards in %v", time.Since(start))

	start = time.Now()
	ui.page("boards", "Boards")
	ui.waitJS(`document.getElementById('bd-count')?.textContent === 'Showing 200 of 10,000 boards: refine the filter to see the others.'`)
	t.Logf("first window of 10,000 boards rendered in %v", time.Since(start))
	if n := ui.eval(`String(document.querySelectorAll('#bd-rows tr[data-board]').length)`); n != "200" {
		t.Errorf("rows in the DOM = %s, want 200", n)
	}

	start = time.Now()
	ui.do(chromedp.SendKeys(chromedp.ID("bd-filter"), "board-0999"))
	ui.waitJS(`document.getElementById('bd-count').textContent === '10 boards match “board-0999”.'`)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the filter took %v to narrow 10,000 boards, want well under 5 s", d)
	} else {
		t.Logf("filter typed and applied in %v", d)
	}
	if got := ui.eval(`[...document.querySelectorAll('#bd-rows tr[data-board]')].map((r) => r.dataset.board).join(',')`); got != "board-09990,board-09991,board-09992,board-09993,board-09994,board-09995,board-09996,board-09997,board-09998,board-09999" {
		t.Errorf("rows after the filter = %s", got)
	}

	// A broader filter: still a window, and the page says how many matched.
	ui.setValue("#bd-filter", "")
	ui.do(chromedp.SendKeys(chromedp.ID("bd-filter"), "prj1"))
	ui.waitJS(`/^Showing 200 of [0-9,]+ boards matching “prj1”/.test(document.getElementById('bd-count').textContent)`)
	// The toggle still works inside the window.
	ui.setValue("#bd-filter", "")
	ui.do(chromedp.SendKeys(chromedp.ID("bd-filter"), "board-00000"))
	ui.waitJS(`document.getElementById('bd-count').textContent === '1 board matches “board-00000”.'`)
	ui.do(chromedp.Click(chromedp.CSS(boardRow("board-00000") + ` .bd-toggle`)))
	ui.waitJS(credsLine("board-00000") + `.startsWith('Credentials: global DevOps PAT')`)
	ui.shot("boards-10k")
}
