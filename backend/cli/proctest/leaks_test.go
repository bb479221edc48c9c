//go:build linux

package proctest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"sharedvault/backend/internal/emulator"
)

// sampler reads /proc/<pid>/cmdline and /proc/<pid>/environ of a child and
// its descendants over and over while it runs, keeping each distinct
// content once.
type sampler struct {
	mu    sync.Mutex
	blobs map[string]string // content → where first seen
}

func newSampler() *sampler { return &sampler{blobs: map[string]string{}} }

// watch samples pid and its descendants until the returned stop is called;
// stop returns how many live samples were read. The first sample is taken
// before watch returns: right after exec the child is still starting up
// (and, not yet waited for, cannot vanish), so even a short command is seen.
func (s *sampler) watch(pid int) (stop func() int) {
	n := s.sample([]int{pid})
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		pids := []int{pid}
		for i := 1; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if i%20 == 0 { // walking /proc costs more than reading two files
				pids = append([]int{pid}, descendants(pid)...)
			}
			n += s.sample(pids)
			time.Sleep(200 * time.Microsecond)
		}
	}()
	return func() int {
		close(done)
		wg.Wait()
		return n
	}
}

// sample reads the argv and environment of pids and returns how many
// were readable (gone processes and zombies read as empty).
func (s *sampler) sample(pids []int) int {
	n := 0
	for _, p := range pids {
		for _, f := range []string{"cmdline", "environ"} {
			where := fmt.Sprintf("/proc/%d/%s", p, f)
			b, err := os.ReadFile(where)
			if err != nil || len(b) == 0 {
				continue
			}
			n++
			s.mu.Lock()
			if _, ok := s.blobs[string(b)]; !ok {
				s.blobs[string(b)] = where
			}
			s.mu.Unlock()
		}
	}
	return n
}

// descendants lists the processes below pid (this kernel may lack
// /proc/<pid>/task/<tid>/children, so it walks every /proc/<n>/stat).
func descendants(pid int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	kids := map[int][]int{}
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may contain spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 {
			continue
		}
		if pp, err := strconv.Atoi(f[1]); err == nil {
			kids[pp] = append(kids[pp], p)
		}
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, k := range kids[p] {
			out = append(out, k)
			queue = append(queue, k)
		}
	}
	return out
}

// form is one way a secret could be written down.
type form struct {
	encoding string
	needle   []byte
	fold     bool // compare case-insensitively (needle is lower case)
}

// forms are the encodings the scan looks for: the value as is and in lower
// case, hex, and base64 (standard and URL alphabets, with and without
// padding) of the value alone and of "user:value" / ":value" as Basic auth
// builds them, and the alignment-independent middle of the value's base64
// inside any longer text.
func forms(secret string, users []string) []form {
	out := []form{
		{"raw", []byte(secret), false},
		{"lowercase (any case)", []byte(strings.ToLower(secret)), true},
		{"hex (any case)", []byte(hex.EncodeToString([]byte(secret))), true},
	}
	encs := []struct {
		name string
		enc  *base64.Encoding
	}{
		{"base64", base64.StdEncoding}, {"base64 unpadded", base64.RawStdEncoding},
		{"base64url", base64.URLEncoding}, {"base64url unpadded", base64.RawURLEncoding},
	}
	payloads := []struct{ name, text string }{{"", secret}, {` of ":value"`, ":" + secret}}
	for _, u := range users {
		payloads = append(payloads, struct{ name, text string }{fmt.Sprintf(` of "%s:value"`, u), u + ":" + secret})
	}
	for _, e := range encs {
		for _, p := range payloads {
			out = append(out, form{e.name + p.name, []byte(e.enc.EncodeToString([]byte(p.text))), false})
		}
		if e.enc == base64.StdEncoding || e.enc == base64.URLEncoding {
			for k := 0; k < 3; k++ {
				s := e.enc.EncodeToString([]byte(strings.Repeat("\x00", k) + secret))
				out = append(out, form{fmt.Sprintf("%s inside longer text (offset %d)", e.name, k), []byte(s[4 : len(s)-4]), false})
			}
		}
	}
	return out
}

type finding struct{ where, canary, encoding string }

func (f finding) String() string {
	return fmt.Sprintf("%s: the %s canary, %s", f.where, f.canary, f.encoding)
}

// scanner checks blobs for every canary in every form.
type scanner struct {
	canaries map[string][]form // label → forms
	findings []finding
	blobs    int
}

func newScanner(canaries map[string]string, users []string) *scanner {
	s := &scanner{canaries: map[string][]form{}}
	for label, c := range canaries {
		s.canaries[label] = forms(c, users)
	}
	return s
}

func (s *scanner) scan(where string, data []byte) {
	s.blobs++
	lower := bytes.ToLower(data)
	for label, fs := range s.canaries {
		for _, f := range fs {
			hay := data
			if f.fold {
				hay = lower
			}
			if bytes.Contains(hay, f.needle) {
				s.findings = append(s.findings, finding{where, label, f.encoding})
			}
		}
	}
}

// scanTree scans every regular file under root and returns how many.
func (s *scanner) scanTree(t *testing.T, root string) int {
	t.Helper()
	n := 0
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s.scan(p, b)
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// scanChangedSince scans the files under root modified since t, except
// under skip, ignoring what cannot be read and files over 16 MiB (build
// outputs of other tests, not something a CLI run writes).
func (s *scanner) scanChangedSince(root string, t time.Time, skip string) int {
	n := 0
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		if info.IsDir() && p == skip {
			return filepath.SkipDir
		}
		if !info.Mode().IsRegular() || info.ModTime().Before(t) || info.Size() > 16<<20 {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil {
			s.scan(p, b)
			n++
		}
		return nil
	})
	return n
}

// canaryPAT looks like an Azure DevOps PAT: 52 characters of base32.
func canaryPAT() string {
	b := make([]byte, 32)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func canaryText(prefix string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return prefix + "Canary" + base64.RawURLEncoding.EncodeToString(b) // mixed case
}

// TestNoCanaryLeavesTheProcess runs the CLI as child processes through the
// flows that handle secrets (init, PATs from a file and from stdin, a
// Service Principal secret, a Jira token, a board's own PAT, connectivity
// tests against the emulator that accepts exactly these canaries, export,
// and import into a second vault), with HOME, the XDG folders and TMPDIR
// pointing at fresh folders. Meanwhile it samples the children's argv and
// environment in /proc; afterwards it scans those samples, every output and
// every file under those folders, the vaults (with their -wal and -shm kept
// by an open reader) and the bundle for every canary in every encoding
// forms lists. A planted canary in each kind of place proves the scan finds
// what it looks for.
func TestNoCanaryLeavesTheProcess(t *testing.T) {
	start := time.Now()
	base := t.TempDir()
	h := newHome(t, base)
	in := filepath.Join(base, "inputs") // the canaries' own files: not scanned
	out := filepath.Join(base, "out")   // bundle and server vault
	for _, d := range []string{in, out} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	c := map[string]string{
		"vault passphrase":  canaryText("vault passphrase "),
		"PAT from a file":   canaryPAT(),
		"PAT from stdin":    canaryPAT(),
		"SP secret":         canaryText("Qx78Q~"),
		"Jira token":        canaryText("ATATT3x"),
		"board PAT":         canaryPAT(),
		"bundle passphrase": canaryText("bundle passphrase "),
	}
	cfg := emulator.Fixture()
	for _, k := range []string{"PAT from a file", "PAT from stdin", "board PAT"} {
		cfg.PATs = append(cfg.PATs, emulator.PAT{Token: c[k], Account: emulator.UserEmail, DisplayName: emulator.UserDisplayName})
	}
	cfg.Apps[0].Secret = c["SP secret"]
	cfg.Jira.Users[0].APIToken = c["Jira token"]
	emu := emulator.New(t, cfg)
	org := emu.URL + "/" + emulator.OrgName
	users := []string{emulator.UserEmail, emulator.JiraEmail, emulator.AppClientID, "user"}

	file := func(name, k string) string { return writeFile(t, in, name, c[k]+"\n") }
	passFile := file("pass", "vault passphrase")
	bundlePass := file("bundle-pass", "bundle passphrase")
	smp := newSampler()
	r := &runner{t: t, bin: os.Args[0], env: append(h.env(), "SHAREDVAULT_PASSPHRASE_FILE="+passFile), sampler: smp}
	if exe, err := os.Executable(); err == nil {
		r.bin = exe
	}

	// The first vault is at the default path: <XDG_CONFIG_HOME>/sharedvault.
	r.ok("", "init")
	vaultPath := filepath.Join(h.config, "sharedvault", "vault.db")
	reader := holdOpen(t, vaultPath)

	wantOK := func(res result, what string) {
		t.Helper()
		if !strings.Contains(res.stdout, `"ok": true`) {
			t.Errorf("%s: want ok, got:\n%s", what, res.stdout)
		}
	}
	r.ok("", "devops", "pat", "--username", emulator.UserEmail, "--organisation", org, "--token-file", file("pat1", "PAT from a file"))
	wantOK(r.ok("", "test", "devops", "--json"), "test devops (PAT from a file)")
	r.ok(c["PAT from stdin"]+"\n", "devops", "pat", "--username", emulator.UserEmail, "--organisation", org, "--token-file", "-")
	wantOK(r.ok("", "test", "devops", "--json"), "test devops (PAT from stdin)")
	r.ok("", "devops", "sp", "--client-id", emulator.AppClientID, "--auth-url", emu.URL+"/"+emulator.Tenant+"/oauth2/v2.0/token", "--organisation", org, "--secret-file", file("sp", "SP secret"))
	wantOK(r.ok("", "test", "devops", "--json"), "test devops (SP)")
	r.ok("", "devops", "use", "pat")
	r.ok("", "jira", "set", "--email", emulator.JiraEmail, "--domain", emu.URL, "--deployment", "cloud", "--token-file", file("jira", "Jira token"))
	wantOK(r.ok("", "test", "jira", "--json"), "test jira")
	r.ok("", "global", "on")
	r.ok("", "boards", "add", "Web", "--system", "devops", "--project", emulator.ProjectName)
	r.ok("", "boards", "add", "Ops", "--system", "devops", "--project", emulator.ProjectName, "--use-global=false")
	r.ok(c["board PAT"]+"\n", "boards", "creds", "Ops", "--username", emulator.UserEmail, "--organisation", org, "--token-file", "-")
	wantOK(r.ok("", "boards", "test", "Ops", "--json"), "boards test Ops")
	wantOK(r.ok("", "boards", "test", "Web", "--json"), "boards test Web")
	r.ok("", "status", "--json")
	r.ok("", "history", "devops.pat", "--json")
	r.ok("", "audit", "--verify")
	bundleFile := filepath.Join(out, "bundle.age")
	r.ok("", "export", "--out", bundleFile, "--bundle-passphrase-file", bundlePass)
	signer := strings.TrimSpace(r.ok("", "signing-key").stdout)

	server := filepath.Join(out, "server", "vault.db")
	r.ok("", "--vault", server, "init")
	serverReader := holdOpen(t, server)
	r.ok("", "--vault", server, "import", bundleFile, "--bundle-passphrase-file", bundlePass, "--signer", signer)
	wantOK(r.ok("", "--vault", server, "test", "devops", "--json"), "test devops on the imported vault")
	wantOK(r.ok("", "--vault", server, "boards", "test", "Ops", "--json"), "boards test Ops on the imported vault")

	// Positive controls: a canary planted in a child's argv and
	// environment, and in files in several encodings, must be found.
	planted := map[string]string{"planted in argv": canaryPAT(), "planted in environ": canaryText("env"), "planted in a file": canaryText("file")}
	idle := exec.Command(r.bin, "--arg="+planted["planted in argv"])
	idle.Env = append(h.env(), childEnv+"=idle", "PLANTED="+planted["planted in environ"])
	if err := idle.Start(); err != nil {
		t.Fatal(err)
	}
	stop := smp.watch(idle.Process.Pid)
	idle.Wait()
	stop()
	plantedFile := planted["planted in a file"]
	writeFile(t, h.cache, "planted-basic", "Authorization: Basic "+base64.StdEncoding.EncodeToString([]byte(emulator.UserEmail+":"+plantedFile)))
	writeFile(t, h.data, "planted-hex", strings.ToUpper(hex.EncodeToString([]byte(plantedFile))))
	writeFile(t, h.home, "planted-lower", strings.ToLower(plantedFile))
	writeFile(t, h.tmp, "planted-url", "x"+base64.RawURLEncoding.EncodeToString([]byte("\x00\x00"+plantedFile))+"y")

	all := map[string]string{}
	for k, v := range c {
		all[k] = v
	}
	for k, v := range planted {
		all[k] = v
	}
	sc := newScanner(all, users)
	files := 0
	for _, d := range append(h.dirs(), out) {
		files += sc.scanTree(t, d)
	}
	for _, p := range []string{vaultPath, vaultPath + "-wal", vaultPath + "-shm", server + "-wal", bundleFile} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s should exist and not be empty for the scan to mean something (%v)", p, err)
		}
	}
	// A process that ignored TMPDIR would write to the system's temp
	// folders: scan what changed there during the test (other tests may
	// be writing there too; the canaries are unique to this run).
	for _, d := range []string{"/tmp", "/dev/shm"} {
		files += sc.scanChangedSince(d, start, base)
	}
	sc.scan("CLI outputs", r.outputs.Bytes())
	smp.mu.Lock()
	for blob, where := range smp.blobs {
		sc.scan(where, []byte(blob))
	}
	samples := len(smp.blobs)
	smp.mu.Unlock()
	reader.Close()
	serverReader.Close()

	var leaks, controls []string
	for _, f := range sc.findings {
		if _, ok := planted[f.canary]; ok {
			controls = append(controls, f.String())
		} else {
			leaks = append(leaks, f.String())
		}
	}
	sort.Strings(leaks)
	sort.Strings(controls)
	for _, l := range leaks {
		t.Errorf("leak: %s", l)
	}
	wantControls := []string{
		fmt.Sprintf("%s: the planted in a file canary, base64 of \"%s:value\"", filepath.Join(h.cache, "planted-basic"), emulator.UserEmail),
		fmt.Sprintf("%s: the planted in a file canary, hex (any case)", filepath.Join(h.data, "planted-hex")),
		fmt.Sprintf("%s: the planted in a file canary, base64url inside longer text (offset 2)", filepath.Join(h.tmp, "planted-url")),
		fmt.Sprintf("%s: the planted in a file canary, lowercase (any case)", filepath.Join(h.home, "planted-lower")),
		": the planted in argv canary, raw",
		": the planted in environ canary, raw",
	}
	for _, w := range wantControls {
		found := false
		for _, got := range controls {
			if strings.Contains(got, w) && (!strings.HasPrefix(w, ":") || strings.HasPrefix(got, "/proc/")) {
				found = true
			}
		}
		if !found {
			t.Errorf("positive control not found: %q among\n%s", w, strings.Join(controls, "\n"))
		}
	}
	t.Logf("scanned %d files, %d distinct /proc samples and the CLI outputs for %d canaries in %d forms each; controls found: %d",
		files, samples, len(c), len(forms(c["SP secret"], users)), len(controls))
}

// holdOpen keeps a connection to the vault open so SQLite keeps its -wal
// and -shm files after each CLI process exits: the scan reads them too.
func holdOpen(t *testing.T, path string) *sql.Conn {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRowContext(context.Background(), "SELECT count(*) FROM vault_header").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return conn
}
