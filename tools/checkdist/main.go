// Command checkdist is the check `make test` runs on the release artefacts
// that `make dist` writes: each one is there, is the kind of file its name
// promises, was built the way the Makefile builds it, and SHA256SUMS matches.
// The two Linux binaries must answer `version` with the stamped version and
// without a display (a server has none; the window binary must not need one
// to run a subcommand). The Windows build cannot run here, so its PE headers
// and Go build information stand in for that.
//
//	go run ./tools/checkdist -dir dist -version "$(VERSION)"
//
// Exit status 0 when every check passed, 1 otherwise (each failure is listed).
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"debug/pe"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"
)

// The artefacts of `make dist`, by name.
const (
	linuxWindow = "sharedvault-linux-amd64"
	windowsExe  = "sharedvault-windows-amd64.exe"
	linuxCLI    = "sharedvault-cli-linux-amd64"
	sumsFile    = "SHA256SUMS"
)

const (
	wailsModule = "github.com/wailsapp/wails/v2"
	versionVar  = "sharedvault/backend/cli.Version"
)

func main() {
	dir := flag.String("dir", "dist", "directory that `make dist` wrote")
	version := flag.String("version", "", "version string the binaries must report (empty: any)")
	flag.Parse()

	failed := 0
	check := func(what string, err error) {
		if err != nil {
			failed++
			fmt.Fprintf(os.Stderr, "checkdist: FAIL %s: %v\n", what, err)
			return
		}
		fmt.Printf("checkdist: ok   %s\n", what)
	}
	path := func(name string) string { return filepath.Join(*dir, name) }

	check("dist holds exactly the release files", checkDirContents(*dir))
	check(sumsFile, checkSums(*dir, []string{linuxCLI, linuxWindow, windowsExe}))
	check(linuxWindow+": ELF x86-64, dynamically linked against WebKitGTK 4.1", checkLinuxWindowELF(path(linuxWindow)))
	check(linuxWindow+": build settings", checkBuild(path(linuxWindow), wantBuild{
		goos: "linux", cgo: "1", tags: []string{"desktop", "production", "webkit2_41"}, wails: true, version: *version,
	}))
	check(linuxWindow+": answers version without a display", checkVersionAnswer(path(linuxWindow), *version))
	check(linuxCLI+": ELF x86-64, statically linked", checkStaticELF(path(linuxCLI)))
	check(linuxCLI+": build settings", checkBuild(path(linuxCLI), wantBuild{
		goos: "linux", cgo: "0", version: *version,
	}))
	check(linuxCLI+": answers version without a display", checkVersionAnswer(path(linuxCLI), *version))
	check(windowsExe+": PE32+ x86-64, GUI subsystem", checkWindowsGUIPE(path(windowsExe)))
	check(windowsExe+": build settings", checkBuild(path(windowsExe), wantBuild{
		goos: "windows", cgo: "0", tags: []string{"desktop", "production"}, wails: true, version: *version,
	}))

	if failed > 0 {
		fmt.Fprintf(os.Stderr, "checkdist: %d check(s) failed\n", failed)
		os.Exit(1)
	}
}

// checkDirContents refuses missing artefacts and leftovers (a stale file in
// dist/ would otherwise ship beside the new ones).
func checkDirContents(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := []string{sumsFile, linuxCLI, linuxWindow, windowsExe}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return fmt.Errorf("got %v, want %v", got, want)
	}
	return nil
}

// checkSums checks that SHA256SUMS, in sha256sum's text format with names
// relative to dir, lists exactly names and that every digest matches.
func checkSums(dir string, names []string) error {
	f, err := os.Open(filepath.Join(dir, sumsFile))
	if err != nil {
		return err
	}
	defer f.Close()
	listed := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		digest, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(digest) != sha256.Size*2 || strings.ContainsAny(name, "/\\") {
			return fmt.Errorf("malformed line %q (want %q)", sc.Text(), "<sha256 hex>  <file name>")
		}
		if _, dup := listed[name]; dup {
			return fmt.Errorf("%s listed twice", name)
		}
		listed[name] = digest
	}
	if err := sc.Err(); err != nil {
		return err
	}
	var errs []error
	for _, name := range names {
		want, ok := listed[name]
		if !ok {
			errs = append(errs, fmt.Errorf("%s not listed", name))
			continue
		}
		delete(listed, name)
		got, err := fileSHA256(filepath.Join(dir, name))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if got != want {
			errs = append(errs, fmt.Errorf("%s: sha256 %s, listed %s", name, got, want))
		}
	}
	for name := range listed {
		errs = append(errs, fmt.Errorf("%s listed but not a release file", name))
	}
	return errors.Join(errs...)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// openELF64 opens an x86-64 executable and reports whether it is stripped
// (-ldflags "-s -w": no symbol table, no DWARF).
func openELF64(path string) (*elf.File, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("not an ELF file: %w", err)
	}
	var errs []error
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 {
		errs = append(errs, fmt.Errorf("%v %v, want ELFCLASS64 EM_X86_64", f.Class, f.Machine))
	}
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		errs = append(errs, fmt.Errorf("type %v, want an executable", f.Type))
	}
	for _, s := range f.Sections {
		if s.Name == ".symtab" || strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
			errs = append(errs, fmt.Errorf("section %s present: not stripped (-ldflags \"-s -w\")", s.Name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func hasInterp(f *elf.File) bool {
	return slices.ContainsFunc(f.Progs, func(p *elf.Prog) bool { return p.Type == elf.PT_INTERP })
}

// checkLinuxWindowELF: the window binary loads GTK 3 and WebKitGTK 4.1 (the
// webkit2_41 tag) through the dynamic loader.
func checkLinuxWindowELF(path string) error {
	f, err := openELF64(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if !hasInterp(f) {
		return errors.New("no PT_INTERP: statically linked, want dynamically linked")
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		return fmt.Errorf("read DT_NEEDED: %w", err)
	}
	var errs []error
	for _, prefix := range []string{"libwebkit2gtk-4.1.so", "libgtk-3.so"} {
		if !slices.ContainsFunc(libs, func(l string) bool { return strings.HasPrefix(l, prefix) }) {
			errs = append(errs, fmt.Errorf("DT_NEEDED %v has no %s*", libs, prefix))
		}
	}
	return errors.Join(errs...)
}

// checkStaticELF: the server binary runs on any x86-64 Linux, with no
// loader and no shared libraries.
func checkStaticELF(path string) error {
	f, err := openELF64(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if hasInterp(f) {
		return errors.New("has PT_INTERP: dynamically linked, want statically linked")
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		return fmt.Errorf("read DT_NEEDED: %w", err)
	}
	if len(libs) > 0 {
		return fmt.Errorf("needs shared libraries %v, want none", libs)
	}
	return nil
}

// checkWindowsGUIPE: a 64-bit x86 image for the GUI subsystem (-H windowsgui),
// so starting it from Explorer opens no console window beside the app, and
// stripped like the Linux builds (no COFF symbols).
func checkWindowsGUIPE(path string) error {
	f, err := pe.Open(path)
	if err != nil {
		return fmt.Errorf("not a PE file: %w", err)
	}
	defer f.Close()
	var errs []error
	if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		errs = append(errs, fmt.Errorf("machine %#x, want IMAGE_FILE_MACHINE_AMD64", f.Machine))
	}
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok {
		return errors.Join(append(errs, fmt.Errorf("optional header %T, want PE32+", f.OptionalHeader))...)
	}
	if oh.Subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
		errs = append(errs, fmt.Errorf("subsystem %d, want IMAGE_SUBSYSTEM_WINDOWS_GUI (%d)", oh.Subsystem, pe.IMAGE_SUBSYSTEM_WINDOWS_GUI))
	}
	if n := len(f.Symbols); n > 0 {
		errs = append(errs, fmt.Errorf("%d COFF symbols: not stripped (-ldflags \"-s -w\")", n))
	}
	return errors.Join(errs...)
}

type wantBuild struct {
	goos    string
	cgo     string   // CGO_ENABLED
	tags    []string // exactly these build tags (none when empty)
	wails   bool     // links Wails (the window)
	version string   // stamped into cli.Version with -X; empty: no stamp expected
}

// checkBuild reads the Go build information the linker embeds (it survives
// -s -w) and compares it with how the Makefile builds each artefact. For the
// Windows build, which cannot run here, the -ldflags it records are what
// shows the version stamp.
func checkBuild(path string, want wantBuild) error {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return fmt.Errorf("no Go build information: %w", err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	var errs []error
	expect := func(key, want string) {
		if got := settings[key]; got != want {
			errs = append(errs, fmt.Errorf("%s = %q, want %q", key, got, want))
		}
	}
	expect("GOOS", want.goos)
	expect("GOARCH", "amd64")
	expect("CGO_ENABLED", want.cgo)
	var tags []string
	if t := settings["-tags"]; t != "" {
		tags = strings.Split(t, ",")
	}
	slices.Sort(tags)
	wantTags := slices.Sorted(slices.Values(want.tags))
	if !slices.Equal(tags, wantTags) {
		errs = append(errs, fmt.Errorf("build tags %v, want %v", tags, wantTags))
	}
	ldflags := strings.Fields(settings["-ldflags"])
	for _, f := range []string{"-s", "-w"} {
		if !slices.Contains(ldflags, f) {
			errs = append(errs, fmt.Errorf("-ldflags %q has no %s", settings["-ldflags"], f))
		}
	}
	stamp := versionVar + "=" + want.version
	stamped := slices.ContainsFunc(ldflags, func(f string) bool { return strings.HasPrefix(f, versionVar+"=") })
	switch {
	case want.version == "" && stamped:
		errs = append(errs, fmt.Errorf("-ldflags %q stamps a version, want none", settings["-ldflags"]))
	case want.version != "" && !slices.Contains(ldflags, stamp):
		errs = append(errs, fmt.Errorf("-ldflags %q has no -X %s", settings["-ldflags"], stamp))
	}
	linksWails := slices.ContainsFunc(info.Deps, func(m *debug.Module) bool { return m.Path == wailsModule })
	if linksWails != want.wails {
		errs = append(errs, fmt.Errorf("links %s: %v, want %v", wailsModule, linksWails, want.wails))
	}
	return errors.Join(errs...)
}

// checkVersionAnswer runs `BIN version` and `BIN version --json` with no
// display in the environment and checks the answer (PRODUCT.md §4:
// "sharedvault VERSION (GOVERSION OS/ARCH)").
func checkVersionAnswer(bin, version string) error {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return name == "DISPLAY" || name == "WAYLAND_DISPLAY"
	})
	work, err := os.MkdirTemp("", "checkdist-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	// `version` opens no vault; pointing everything at an empty directory
	// proves that and keeps the user's configuration out of reach.
	env = append(env, "SHAREDVAULT_PATH="+filepath.Join(work, "vault.db"), "HOME="+work, "XDG_CONFIG_HOME="+work)

	run := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("%s %s: %v; stderr: %q", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
		}
		if stderr.Len() > 0 {
			return "", fmt.Errorf("%s %s wrote to stderr: %q", filepath.Base(bin), strings.Join(args, " "), stderr.String())
		}
		return stdout.String(), nil
	}

	text, err := run("version")
	if err != nil {
		return err
	}
	var got struct {
		Version string `json:"version"`
		Go      string `json:"go"`
		OS      string `json:"os"`
		Arch    string `json:"arch"`
	}
	js, err := run("version", "--json")
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		return fmt.Errorf("version --json: %v: %q", err, js)
	}
	var errs []error
	if version != "" && got.Version != version {
		errs = append(errs, fmt.Errorf("version --json: version %q, want %q", got.Version, version))
	}
	if got.Version == "" || got.OS != "linux" || got.Arch != "amd64" || !strings.HasPrefix(got.Go, "go") {
		errs = append(errs, fmt.Errorf("version --json: %q, want a version, go, os linux, arch amd64", js))
	}
	if want := fmt.Sprintf("sharedvault %s (%s linux/amd64)\n", got.Version, got.Go); text != want {
		errs = append(errs, fmt.Errorf("version: %q, want %q", text, want))
	}
	return errors.Join(errs...)
}
