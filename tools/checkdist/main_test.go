package main

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The checks are only worth running in `make test` if they refuse the wrong
// kind of file: each test feeds them a real file of another kind.

const helloSource = `package main

import "fmt"

var stamp = "unset"

func main() { fmt.Println("hello", stamp) }
`

// cgoSource needs the C toolchain and so links libc dynamically.
const cgoSource = `package main

// int answer(void) { return 42; }
import "C"

import "fmt"

func main() { fmt.Println(C.answer()) }
`

var (
	fixtureDir string
	fixtureMu  sync.Mutex
	fixtures   = map[string]string{}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "checkdist-test-")
	if err != nil {
		panic(err)
	}
	fixtureDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildHello builds a tiny Go program the way the caller says, once per way
// for the whole run, and returns its path.
func buildHello(t *testing.T, cgo string, extraArgs ...string) string {
	t.Helper()
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	key := cgo + " " + strings.Join(extraArgs, " ")
	if p, ok := fixtures[key]; ok {
		return p
	}
	source := helloSource
	if cgo == "1" {
		source = cgoSource
	}
	dir := filepath.Join(fixtureDir, strconv.Itoa(len(fixtures)))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "hello.go")
	if err := os.WriteFile(src, []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "hello")
	args := append([]string{"build", "-o", out}, extraArgs...)
	args = append(args, src)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED="+cgo, "GOOS=linux", "GOARCH=amd64", "GOFLAGS=")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %v: %v\n%s", args, err, msg)
	}
	fixtures[key] = out
	return out
}

func wantErr(t *testing.T, what string, err error, substr string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want one containing %q", what, substr)
	}
	if !strings.Contains(err.Error(), substr) {
		t.Fatalf("%s: error %q, want it to contain %q", what, err, substr)
	}
}

func TestELFChecks(t *testing.T) {
	static := buildHello(t, "0", "-ldflags", "-s -w")
	if err := checkStaticELF(static); err != nil {
		t.Errorf("checkStaticELF(static, stripped): %v", err)
	}
	wantErr(t, "checkLinuxWindowELF(static)", checkLinuxWindowELF(static), "statically linked")

	unstripped := buildHello(t, "0")
	wantErr(t, "checkStaticELF(unstripped)", checkStaticELF(unstripped), "not stripped")

	// A cgo build links libc dynamically, but not WebKitGTK.
	dynamic := buildHello(t, "1", "-ldflags", "-s -w")
	wantErr(t, "checkStaticELF(dynamic)", checkStaticELF(dynamic), "dynamically linked")
	wantErr(t, "checkLinuxWindowELF(dynamic, no webkit)", checkLinuxWindowELF(dynamic), "libwebkit2gtk-4.1.so")

	wantErr(t, "checkStaticELF(text file)", checkStaticELF(writeFile(t, "x", "#!/bin/sh\n")), "not an ELF file")
}

func TestCheckBuild(t *testing.T) {
	static := buildHello(t, "0", "-ldflags", "-s -w")
	if err := checkBuild(static, wantBuild{goos: "linux", cgo: "0"}); err != nil {
		t.Errorf("checkBuild(as built): %v", err)
	}
	err := checkBuild(static, wantBuild{goos: "windows", cgo: "1", tags: []string{"desktop", "production"}, wails: true, version: "1.2.3"})
	for _, want := range []string{
		`GOOS = "linux", want "windows"`,
		`CGO_ENABLED = "0", want "1"`,
		"build tags [], want [desktop production]",
		"links github.com/wailsapp/wails/v2: false, want true",
		"has no -X sharedvault/backend/cli.Version=1.2.3",
	} {
		wantErr(t, "checkBuild(other build)", err, want)
	}
	wantErr(t, "checkBuild(not stripped)", checkBuild(buildHello(t, "0"), wantBuild{goos: "linux", cgo: "0"}), "has no -s")

	stamped := buildHello(t, "0", "-ldflags", "-s -w -X sharedvault/backend/cli.Version=1.2.3")
	if err := checkBuild(stamped, wantBuild{goos: "linux", cgo: "0", version: "1.2.3"}); err != nil {
		t.Errorf("checkBuild(stamped 1.2.3): %v", err)
	}
	wantErr(t, "checkBuild(stamped 1.2.3, want 1.2.4)", checkBuild(stamped, wantBuild{goos: "linux", cgo: "0", version: "1.2.4"}), "has no -X sharedvault/backend/cli.Version=1.2.4")
	wantErr(t, "checkBuild(stamped, want none)", checkBuild(stamped, wantBuild{goos: "linux", cgo: "0"}), "stamps a version, want none")
	wantErr(t, "checkBuild(not Go)", checkBuild(writeFile(t, "x", "#!/bin/sh\n"), wantBuild{goos: "linux", cgo: "0"}), "no Go build information")
}

// writePE writes the headers of a PE image with no sections: enough for
// debug/pe and for the header checks.
func writePE(t *testing.T, machine, subsystem uint16, plus bool) string {
	t.Helper()
	var b bytes.Buffer
	dos := make([]byte, 0x40)
	copy(dos, "MZ")
	binary.LittleEndian.PutUint32(dos[0x3c:], 0x40) // e_lfanew: the PE signature follows
	b.Write(dos)
	b.WriteString("PE\x00\x00")
	var opt any
	if plus {
		opt = pe.OptionalHeader64{Magic: 0x20b, Subsystem: subsystem, NumberOfRvaAndSizes: 16}
	} else {
		opt = pe.OptionalHeader32{Magic: 0x10b, Subsystem: subsystem, NumberOfRvaAndSizes: 16}
	}
	fh := pe.FileHeader{Machine: machine, SizeOfOptionalHeader: uint16(binary.Size(opt)), Characteristics: pe.IMAGE_FILE_EXECUTABLE_IMAGE}
	if err := binary.Write(&b, binary.LittleEndian, fh); err != nil {
		t.Fatal(err)
	}
	if err := binary.Write(&b, binary.LittleEndian, opt); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "app.exe", b.String())
}

func TestCheckWindowsGUIPE(t *testing.T) {
	if err := checkWindowsGUIPE(writePE(t, pe.IMAGE_FILE_MACHINE_AMD64, pe.IMAGE_SUBSYSTEM_WINDOWS_GUI, true)); err != nil {
		t.Errorf("GUI PE32+ amd64: %v", err)
	}
	wantErr(t, "console subsystem", checkWindowsGUIPE(writePE(t, pe.IMAGE_FILE_MACHINE_AMD64, pe.IMAGE_SUBSYSTEM_WINDOWS_CUI, true)), "want IMAGE_SUBSYSTEM_WINDOWS_GUI")
	wantErr(t, "arm64", checkWindowsGUIPE(writePE(t, pe.IMAGE_FILE_MACHINE_ARM64, pe.IMAGE_SUBSYSTEM_WINDOWS_GUI, true)), "want IMAGE_FILE_MACHINE_AMD64")
	wantErr(t, "PE32", checkWindowsGUIPE(writePE(t, pe.IMAGE_FILE_MACHINE_I386, pe.IMAGE_SUBSYSTEM_WINDOWS_GUI, false)), "want PE32+")
	wantErr(t, "ELF", checkWindowsGUIPE(buildHello(t, "0", "-ldflags", "-s -w")), "not a PE file")
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckSums(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a", "first artefact\n")
	write("b", "second artefact\n")
	// The file the Makefile writes: what `sha256sum a b` prints.
	cmd := exec.Command("sha256sum", "a", "b")
	cmd.Dir = dir
	good, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	aSum, err := fileSHA256(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	write(sumsFile, string(good))
	if err := checkSums(dir, []string{"a", "b"}); err != nil {
		t.Fatalf("checkSums(matching): %v", err)
	}
	wantErr(t, "artefact not listed", checkSums(dir, []string{"a", "b", "c"}), "c not listed")
	wantErr(t, "extra entry", checkSums(dir, []string{"a"}), "b listed but not a release file")

	write("b", "second artefact, changed\n")
	wantErr(t, "changed artefact", checkSums(dir, []string{"a", "b"}), "b: sha256")

	write(sumsFile, aSum+"  dist/a\n")
	wantErr(t, "path instead of name", checkSums(dir, []string{"a"}), "malformed line")
}

func TestCheckDirContents(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{sumsFile, linuxCLI, linuxWindow, windowsExe} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := checkDirContents(dir); err != nil {
		t.Fatalf("the four release files: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sharedvault-old"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "leftover file", checkDirContents(dir), "sharedvault-old")
	if err := os.Remove(filepath.Join(dir, windowsExe)); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "missing exe", checkDirContents(dir), "want [")
}

func TestCheckVersionAnswer(t *testing.T) {
	// The script answers like sharedvault does, but only without a display:
	// the check must run it with DISPLAY and WAYLAND_DISPLAY unset.
	const answer = `#!/bin/sh
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then echo "display set" >&2; exit 9; fi
case "$*" in
"version") echo "sharedvault ${V:-1.2.3} (go1.26.8 linux/amd64)" ;;
"version --json") echo '{"version":"1.2.3","go":"go1.26.8","os":"linux","arch":"amd64"}' ;;
*) exit 2 ;;
esac
`
	bin := writeFile(t, "sharedvault", answer)
	t.Setenv("DISPLAY", ":99")
	t.Setenv("WAYLAND_DISPLAY", "wayland-0")
	if err := checkVersionAnswer(bin, "1.2.3"); err != nil {
		t.Fatalf("matching answer: %v", err)
	}
	wantErr(t, "other version", checkVersionAnswer(bin, "1.2.4"), `version "1.2.3", want "1.2.4"`)
	t.Setenv("V", "1.2.3-dirty")
	wantErr(t, "text and JSON disagree", checkVersionAnswer(bin, ""), `want "sharedvault 1.2.3 (go1.26.8 linux/amd64)\n"`)
	wantErr(t, "exits non-zero", checkVersionAnswer(writeFile(t, "sv", "#!/bin/sh\necho no >&2\nexit 1\n"), ""), "exit status 1")
	wantErr(t, "writes to stderr", checkVersionAnswer(writeFile(t, "sv", "#!/bin/sh\necho warning >&2\n"), ""), "wrote to stderr")
}
