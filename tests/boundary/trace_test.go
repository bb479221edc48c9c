//go:build linux

package boundary

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// connectAttempt is one connect/sendto/sendmsg with a destination address,
// as strace printed it.
type connectAttempt struct {
	Family string // AF_INET, AF_INET6, AF_UNIX, AF_NETLINK, …
	Addr   string // ip:port, a socket path ("@…" = abstract), or the raw text
	Line   string
}

var (
	traceSyscall = regexp.MustCompile(`^(?:\d+\s+)?(connect|sendto|sendmsg)\(`)
	// getsockname of a bound socket: the loopback ports the traced processes
	// listen on themselves (WebKit's inspector server, when a test turns it on).
	ownPort     = regexp.MustCompile(`^(?:\d+\s+)?getsockname\(\d+, \{sa_family=AF_INET6?, sin6?_port=htons\((\d+)\)`)
	inetAddr    = regexp.MustCompile(`sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)`)
	inet6Addr   = regexp.MustCompile(`sa_family=AF_INET6, sin6_port=htons\((\d+)\),.*?inet_pton\(AF_INET6, "([^"]+)"`)
	unixAddr    = regexp.MustCompile(`sa_family=AF_UNIX, sun_path=(@?)"([^"]*)"`)
	otherFamily = regexp.MustCompile(`sa_family=(AF_[A-Z0-9]+)`)
)

// parseTrace returns every addressed attempt in an strace -f output file.
// sendto/sendmsg without an address (on a connected socket) are not new
// destinations and are skipped.
func parseTrace(t *testing.T, path string) []connectAttempt {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("read the trace: %v", err)
	}
	defer f.Close()
	var out []connectAttempt
	own := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		if m := ownPort.FindStringSubmatch(line); m != nil {
			own[m[1]] = true
			continue
		}
		if !traceSyscall.MatchString(line) {
			continue
		}
		switch {
		case inetAddr.MatchString(line):
			m := inetAddr.FindStringSubmatch(line)
			out = append(out, connectAttempt{"AF_INET", m[2] + ":" + m[1], line})
		case inet6Addr.MatchString(line):
			m := inet6Addr.FindStringSubmatch(line)
			out = append(out, connectAttempt{"AF_INET6", "[" + m[2] + "]:" + m[1], line})
		case unixAddr.MatchString(line):
			m := unixAddr.FindStringSubmatch(line)
			out = append(out, connectAttempt{"AF_UNIX", m[1] + m[2], line})
		case otherFamily.MatchString(line):
			m := otherFamily.FindStringSubmatch(line)
			out = append(out, connectAttempt{m[1], "", line})
		case strings.Contains(line, "sa_family="):
			out = append(out, connectAttempt{"unknown", "", line})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read the trace: %v", err)
	}
	// A connection from the traced processes to a loopback port they listen
	// on themselves stays inside the app.
	for i, a := range out {
		if host, port, ok := strings.Cut(a.Addr, ":"); ok && (host == "127.0.0.1") && own[port] {
			out[i].Family = "own listener"
		}
	}
	return out
}

// destinations is the policy a trace is checked against.
type destinations struct {
	inet []string         // allowed ip:port (AF_INET and AF_INET6, "[::1]:p" form for v6)
	unix []*regexp.Regexp // allowed AF_UNIX paths
	// netlink: AF_NETLINK talks to the local kernel (route/interface queries).
}

// check fails the test for every attempt outside the policy and returns the
// distinct destinations seen, for the log.
func (d destinations) check(t *testing.T, what string, attempts []connectAttempt) []string {
	t.Helper()
	refused, seen := d.sort(attempts)
	for _, a := range refused {
		t.Errorf("%s: connection attempt to %s %s outside the allowed destinations:\n  %s", what, a.Family, a.Addr, a.Line)
	}
	return seen
}

// sort splits attempts into those outside the policy and the list of
// distinct destinations.
func (d destinations) sort(attempts []connectAttempt) (refused []connectAttempt, seen []string) {
	known := map[string]bool{}
	for _, a := range attempts {
		ok := false
		switch a.Family {
		case "AF_INET", "AF_INET6":
			for _, allowed := range d.inet {
				ok = ok || a.Addr == allowed
			}
		case "AF_UNIX":
			for _, re := range d.unix {
				ok = ok || re.MatchString(a.Addr)
			}
		case "AF_NETLINK", "AF_UNSPEC", "own listener":
			// The kernel (route/interface queries), the dissolving of a UDP
			// association, and a traced process's own listener reach nothing outside.
			ok = true
		}
		if !ok {
			refused = append(refused, a)
		}
		if key := a.Family + " " + a.Addr; !known[key] {
			known[key] = true
			seen = append(seen, key)
		}
	}
	return refused, seen
}

// requireTool finds a tool, or fails under SHAREDVAULT_UI_TESTS=1 (make
// test) and skips otherwise.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("SHAREDVAULT_UI_TESTS") == "1" {
		t.Fatalf("%s is missing and SHAREDVAULT_UI_TESTS=1 (run make setup)", name)
	}
	t.Skipf("%s is missing (set SHAREDVAULT_UI_TESTS=1 to make this a failure)", name)
	return ""
}

// traced returns cmd wrapped in strace -f, writing the trace to path.
func traced(path string, name string, args ...string) *exec.Cmd {
	full := append([]string{"-f", "-qq", "-s", "256", "-e", "trace=connect,sendto,sendmsg,getsockname", "-o", path, name}, args...)
	return exec.Command("strace", full...)
}

var (
	buildOnce sync.Once
	builtBins struct{ window, cli string }
	buildErr  error
	buildDir  string // removed by TestMain
)

// binaries returns the release window binary and the headless CLI binary:
// SHAREDVAULT_WINDOW_BIN / SHAREDVAULT_CLI_BIN when set (make test passes the
// ones it built), else built once into a temp dir.
func binaries(t *testing.T) (window, cli string) {
	t.Helper()
	buildOnce.Do(func() {
		builtBins.window, builtBins.cli = os.Getenv("SHAREDVAULT_WINDOW_BIN"), os.Getenv("SHAREDVAULT_CLI_BIN")
		if builtBins.window != "" && builtBins.cli != "" {
			return
		}
		dir, err := os.MkdirTemp("", "sharedvault-boundary-")
		if err != nil {
			buildErr = err
			return
		}
		buildDir = dir
		root, _ := filepath.Abs(filepath.Join("..", ".."))
		if builtBins.cli == "" {
			builtBins.cli = filepath.Join(dir, "sharedvault-cli")
			cmd := exec.Command("go", "build", "-o", builtBins.cli, ".")
			cmd.Dir, cmd.Env = root, append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("build the CLI: %v\n%s", err, out)
				return
			}
		}
		if builtBins.window == "" && runtime.GOOS == "linux" {
			builtBins.window = filepath.Join(dir, "sharedvault")
			cmd := exec.Command("go", "build", "-tags", "desktop,production,webkit2_41", "-o", builtBins.window, ".")
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("build the window: %v\n%s", err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBins.window, builtBins.cli
}
