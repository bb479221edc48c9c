package app

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"sharedvault/backend/bundle"
	"sharedvault/backend/netconf"
	"sharedvault/backend/testsupport/emulator"
	"sharedvault/backend/vault"
)

// cannotDrive lists bound methods the walk does not call, each with the
// reason. A new bound method whose parameters the walk cannot build, or that
// never succeeds in the walk, fails TestWalkEveryBoundMethodWithCanaries until
// it gets a meaningful call in walkCalls or an entry here.
var cannotDrive = map[string]string{}

// secretFields are the JSON names of the write-only fields of bound-method
// arguments: the walk fills them with canaries that must never come back.
var secretFields = map[string]bool{"token": true, "secret": true, "passphrase": true, "password": true}

// walkRecorder is the Emitter of the walk: every event, marshalled as the
// Wails runtime would send it.
type walkRecorder struct {
	mu     sync.Mutex
	events [][]byte
}

func (r *walkRecorder) Emit(name string, data ...any) {
	b, err := json.Marshal(map[string]any{"name": name, "data": data})
	if err != nil {
		panic(err)
	}
	r.mu.Lock()
	r.events = append(r.events, b)
	r.mu.Unlock()
}

// canaryWalk holds the services under test and what the walk saw.
type canaryWalk struct {
	t        *testing.T
	svc      *Services
	bound    map[string]reflect.Value // "VaultService.Create" → method value
	canaries []string                 // every secret value the walk handed in
	replies  [][]byte                 // every result / error as JSON, as the webview receives it
	calls    map[string]int
	ok       map[string]int // calls that returned no error
}

func newCanary(kind string) string {
	b := make([]byte, 10)
	rand.Read(b)
	return kind + "CANARY" + hex.EncodeToString(b) + "zz"
}

func (w *canaryWalk) canary(kind string) string {
	c := newCanary(kind)
	w.canaries = append(w.canaries, c)
	return c
}

// call invokes a bound method by name with Wails' result rules and records
// the reply as JSON.
func (w *canaryWalk) call(name string, args ...any) (any, error) {
	w.t.Helper()
	m, ok := w.bound[name]
	if !ok {
		w.t.Fatalf("no bound method %s", name)
	}
	in := make([]reflect.Value, len(args))
	for i, a := range args {
		in[i] = reflect.ValueOf(a)
	}
	return w.invoke(name, m, in)
}

func (w *canaryWalk) invoke(name string, m reflect.Value, in []reflect.Value) (any, error) {
	// A walked Lock (or a refused unlock) must not starve the calls after it.
	if v := w.svc.Vault.current(); v != nil && v.Locked() && name != "VaultService.Unlock" {
		if err := w.svc.Vault.Unlock(walkPassphrase); err != nil {
			w.t.Fatalf("re-unlock before %s: %v", name, err)
		}
	}
	out := m.Call(in)
	w.calls[name]++
	var err error
	if n := len(out); n > 0 && m.Type().Out(n-1) == errorType {
		err, _ = out[n-1].Interface().(error)
		out = out[:n-1]
	}
	var result any
	if err != nil {
		result = FormatError(err)
	} else {
		w.ok[name]++
		if len(out) > 0 {
			result = out[0].Interface()
		}
	}
	b, jerr := json.Marshal(result)
	if jerr != nil {
		w.t.Fatalf("%s: the reply does not marshal to JSON: %v", name, jerr)
	}
	w.replies = append(w.replies, b)
	if err != nil {
		return nil, err
	}
	return result, nil
}

// build makes a canary-laden value of type t for the walk's generic call:
// secret fields get fresh canaries, other strings a plain marker. It returns
// false for a type a webview could not send (func, chan, interface).
func (w *canaryWalk) build(t reflect.Type, field string, dir string) (reflect.Value, bool) {
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.String:
		switch {
		case secretFields[field]:
			v.SetString(w.canary("arg"))
		case field == "out" || field == "file" || field == "identity_file":
			v.SetString(filepath.Join(dir, "generic-"+field)) // never a path in the working tree
		default:
			v.SetString("walk-" + field)
		}
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1)
	case reflect.Pointer:
		e, ok := w.build(t.Elem(), field, dir)
		if !ok {
			return v, false
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(e)
		v.Set(p)
	case reflect.Slice:
		e, ok := w.build(t.Elem(), field, dir)
		if !ok {
			return v, false
		}
		v.Set(reflect.Append(v, e))
	case reflect.Map:
		k, ok1 := w.build(t.Key(), field, dir)
		e, ok2 := w.build(t.Elem(), field, dir)
		if !ok1 || !ok2 {
			return v, false
		}
		v.Set(reflect.MakeMap(t))
		v.SetMapIndex(k, e)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			e, ok := w.build(f.Type, name, dir)
			if !ok {
				return v, false
			}
			v.Field(i).Set(e)
		}
	default:
		return v, false
	}
	return v, true
}

const walkPassphrase = "walk vault passphrase"

// TestWalkEveryBoundMethodWithCanaries stores canary secrets, then calls every
// exported method of every service in Services.Bind (the list Wails binds):
// first the meaningful calls of walkCalls (successes, against a loopback
// emulator that accepts the canary credentials), then one generic call per
// method with arguments built from its parameter types, secret fields filled
// with fresh canaries. No reply (result or formatted error, as JSON) and no
// event may contain any canary, raw or encoded.
func TestWalkEveryBoundMethodWithCanaries(t *testing.T) {
	defer bundle.SetScryptWorkFactorForTests(10)()
	dir := t.TempDir()
	rec := &walkRecorder{}
	var logBuf syncBuffer
	svc := NewServices(filepath.Join(dir, "vault", "vault.db"), vault.Options{}, rec, &logBuf)
	t.Cleanup(func() { _ = svc.Vault.close() })
	w := &canaryWalk{t: t, svc: svc, bound: map[string]reflect.Value{}, calls: map[string]int{}, ok: map[string]int{}}
	for _, b := range svc.Bind() {
		v := reflect.ValueOf(b)
		for i := range v.NumMethod() {
			w.bound[v.Type().Elem().Name()+"."+v.Type().Method(i).Name] = v.Method(i)
		}
	}

	pat, sp, jira, boardPAT := w.canary("pat"), w.canary("sp"), w.canary("jira"), w.canary("own")
	const spClient, jiraUser = "0b7c2a4e-9d1f-4e6a-8b3c-5f2d1e0a9c87", "walk@example.com"
	cfg := emulator.Fixture()
	cfg.PATs = append(cfg.PATs, emulator.PAT{Token: pat, Account: emulator.UserEmail, DisplayName: "Walk"},
		emulator.PAT{Token: boardPAT, Account: "ops@contoso.com", DisplayName: "Ops"})
	cfg.Apps = append(cfg.Apps, emulator.App{Tenant: emulator.Tenant, ClientID: spClient, Secret: sp, DisplayName: "walk", ObjectID: "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", Orgs: []string{emulator.OrgName}})
	cfg.Jira.Users = append(cfg.Jira.Users, emulator.JiraUser{Email: jiraUser, APIToken: jira, DisplayName: "Walk"})
	emu := emulator.New(t, cfg)
	org := emu.URL + "/" + emulator.OrgName
	providersForm := func(patTok, spSecret, jiraTok string) ProvidersForm {
		return ProvidersForm{GlobalSharedSecret: true, DevOpsMethod: "pat", Confirmed: true,
			PAT:  &PATForm{Username: emulator.UserEmail, Organisation: org, Token: patTok},
			SP:   &SPForm{ClientID: spClient, AuthURL: emu.URL + "/" + emulator.Tenant + "/oauth2/v2.0/token", Organisation: org, Secret: spSecret},
			Jira: &JiraForm{Email: jiraUser, Domain: emu.URL, Deployment: "cloud", Token: jiraTok}}
	}
	bundleFile, bundlePass := filepath.Join(dir, "walk.age"), w.canary("bundle")
	last := map[string]any{} // the latest result per method, for calls that need an earlier answer

	// The meaningful calls, in order; each must succeed unless marked.
	type walkCall struct {
		method  string
		args    func() []any
		failing bool // expected to be refused (its error reply is scanned too)
	}
	args := func(a ...any) func() []any { return func() []any { return a } }
	walkCalls := []walkCall{
		{"VaultService.State", args(), false},
		{"VaultService.Create", args(walkPassphrase), false},
		{"VaultService.WindowReady", args("console"), false},
		{"ProvidersService.Save", args(providersForm(w.canary("pat"), w.canary("sp"), w.canary("jira"))), false},
		{"ProvidersService.Save", args(providersForm(pat, sp, jira)), false},
		{"ProvidersService.View", args(), false},
		{"ProvidersService.History", args("devops.pat"), false},
		{"ProvidersService.TenantAuthURL", args(emulator.Tenant), false},
		{"BoardsService.Add", args(BoardForm{Name: "Web", System: "devops", Project: emulator.ProjectName, AreaPath: `Team A`, UseGlobal: true}), false},
		{"BoardsService.Add", args(BoardForm{Name: "Ops", System: "devops", Project: emulator.ProjectName, UseGlobal: false}), false},
		{"BoardsService.Add", args(BoardForm{Name: "Tmp", System: "jira", Project: "PROJ", UseGlobal: true}), false},
		{"BoardsService.SetCredentials", args("Ops", CredentialsForm{Method: "pat", PAT: &PATForm{Username: "ops@contoso.com", Organisation: org, Token: boardPAT}}), false},
		{"BoardsService.Update", args("Web", BoardChanges{AreaPath: new(`Team A\Backend`)}), false},
		{"BoardsService.List", args(""), false},
		{"BoardsService.Show", args("Ops"), false},
		{"BoardsService.Usage", args(), false},
		{"BoardsService.Remove", args("Tmp"), false},
		{"ConnectService.NextRun", args(), false},
		{"ConnectService.TestStored", args("devops", "pat", "walk-1"), false},
		{"ConnectService.TestStored", args("devops", "sp", "walk-2"), false},
		{"ConnectService.TestStored", args("jira", "", "walk-3"), false},
		{"ConnectService.TestForm", args("devops", providersForm("", "", ""), "walk-4"), false},                  // stored secret, form's other values
		{"ConnectService.TestForm", args("devops", providersForm(w.canary("unsaved"), "", ""), "walk-5"), false}, // an unsaved, wrong token
		{"ConnectService.TestBoard", args("Ops", "walk-6"), false},
		{"ConnectService.TestBoard", args("Web", "walk-7"), false},
		{"AuditService.List", args(0), false},
		{"AuditService.Verify", args(), false},
		{"SettingsService.Get", args(), false},
		{"SettingsService.Save", func() []any { s := last["SettingsService.Get"].(SettingsDTO); s.AutoLockMinutes = 7; return []any{s} }, false},
		{"SettingsService.AddCA", args(string(emulatorCAPEM(t))), false},
		{"SettingsService.TrustedCAs", args(), false},
		{"SettingsService.RemoveCA", func() []any { return []any{last["SettingsService.TrustedCAs"].([]netconf.CA)[0].Fingerprint} }, false},
		{"BundlesService.SigningKey", args(), false},
		{"BundlesService.Export", args(ExportForm{Out: bundleFile, Passphrase: bundlePass}), false},
		{"BundlesService.Import", func() []any {
			return []any{ImportForm{File: bundleFile, Passphrase: bundlePass, Signer: last["BundlesService.SigningKey"].(string)}}
		}, false},
		{"BundlesService.Import", func() []any {
			return []any{ImportForm{File: bundleFile, Passphrase: w.canary("wrongbundle"), Signer: last["BundlesService.SigningKey"].(string)}}
		}, true},
		{"ProvidersService.Rollback", args("devops.pat", 1), false},
		{"VaultService.Touch", args(), false},
		{"VaultService.Lock", args(), false},
		{"VaultService.Unlock", args(w.canary("wrongpass")), true},
		{"VaultService.Unlock", args(walkPassphrase), false},
	}
	for _, c := range walkCalls {
		res, err := w.call(c.method, c.args()...)
		switch {
		case c.failing && err == nil:
			t.Errorf("%s: accepted, want refused", c.method)
		case !c.failing && err != nil:
			t.Fatalf("%s: %v", c.method, err)
		}
		last[c.method] = res
	}
	// The canary credentials really reached the emulator and worked, so the
	// replies above include the success paths (identity, checks).
	for _, run := range []string{"walk-1", "walk-2", "walk-3"} {
		if !bytes.Contains(bytes.Join(rec.events, nil), []byte(`"run":"`+run+`"`)) {
			t.Errorf("no progress event for %s", run)
		}
	}
	if !bytes.Contains(bytes.Join(w.replies, nil), []byte(`"identity":"`+jiraUser+`"`)) {
		t.Error("the Jira test with the canary token did not authenticate: the success path went unchecked")
	}

	// One generic call per bound method, arguments built from the types.
	names := make([]string, 0, len(w.bound))
	for name := range w.bound {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, skip := cannotDrive[name]; skip {
			continue
		}
		m := w.bound[name]
		in := make([]reflect.Value, m.Type().NumIn())
		drivable := true
		for i := range in {
			v, ok := w.build(m.Type().In(i), "", dir)
			if !ok {
				drivable = false
				break
			}
			in[i] = v
		}
		if !drivable {
			t.Errorf("%s takes a parameter the walk cannot build: add a call to walkCalls or a reason to cannotDrive", name)
			continue
		}
		w.invoke(name, m, in)
	}
	for _, name := range names {
		if _, skip := cannotDrive[name]; skip {
			continue
		}
		if w.ok[name] == 0 {
			t.Errorf("%s never succeeded in the walk: give it a meaningful call in walkCalls (or a reason in cannotDrive)", name)
		}
	}
	for name := range cannotDrive {
		if _, ok := w.bound[name]; !ok {
			t.Errorf("cannotDrive lists %s, which is not bound (any more)", name)
		}
	}

	haystacks := map[string][]byte{
		"replies to the webview": bytes.Join(w.replies, []byte("\n")),
		"events":                 bytes.Join(rec.events, []byte("\n")),
		"log output":             []byte(logBuf.String()),
	}
	for where, hay := range haystacks {
		for _, c := range w.canaries {
			if form := canaryIn(hay, c); form != "" {
				t.Errorf("canary %s found in %s (%s)", c, where, form)
			}
		}
	}
	// The scan must have something to look at: fingerprints and identities.
	if !bytes.Contains(haystacks["replies to the webview"], []byte(`"fingerprint":"`)) {
		t.Error("no fingerprint in any reply: the scan would prove nothing")
	}
	t.Logf("walked %d bound methods, %d calls, %d canaries, %d events", len(w.bound), len(w.replies), len(w.canaries), len(rec.events))
}

var base64Run = regexp.MustCompile(`[A-Za-z0-9+/_-]{16,}`)

// canaryIn reports how c appears in hay: raw, hex, URL-encoded, or inside any
// base64 run (standard or URL alphabet, padded or not, at any alignment), such
// as a Basic Authorization value of ":"+c or user+":"+c. "" when it does not.
func canaryIn(hay []byte, c string) string {
	for form, enc := range map[string]string{"raw": c, "hex": hex.EncodeToString([]byte(c)), "url-encoded": url.QueryEscape(c)} {
		if bytes.Contains(hay, []byte(enc)) {
			return form
		}
	}
	for _, run := range base64Run.FindAll(hay, -1) {
		for off := range 4 {
			s := string(run[off:])
			if len(s)%4 == 1 {
				s = s[:len(s)-1]
			}
			for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
				if b, err := enc.DecodeString(s); err == nil && bytes.Contains(b, []byte(c)) {
					return "base64"
				}
			}
		}
	}
	return ""
}

func emulatorCAPEM(t *testing.T) []byte {
	return emulator.NewTLS(t, emulator.Fixture()).CAPEM
}

func TestCanaryInFindsEncodedForms(t *testing.T) {
	c := newCanary("probe")
	for _, hay := range []string{
		c,
		"Basic " + base64.StdEncoding.EncodeToString([]byte(":"+c)),
		"Basic " + base64.StdEncoding.EncodeToString([]byte("mia@example.com:"+c)),
		base64.RawURLEncoding.EncodeToString([]byte("xx" + c + "yy")),
		hex.EncodeToString([]byte(c)),
		fmt.Sprintf(`{"v":%q}`, url.QueryEscape("a b"+c)),
	} {
		if canaryIn([]byte(hay), c) == "" {
			t.Errorf("canaryIn missed %q", hay)
		}
	}
	if got := canaryIn([]byte(base64.StdEncoding.EncodeToString([]byte(newCanary("other")))), c); got != "" {
		t.Errorf("canaryIn found a different canary (%s)", got)
	}
}
