//go:build linux

package boundary

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The trace parser and policy on lines as strace prints them: allowed
// emulator, a DNS query, an IPv6 address, a Unix socket, the process's own
// listener, an unaddressed send on a connected socket.
func TestTracePolicy(t *testing.T) {
	trace := strings.Join([]string{
		`100 connect(3, {sa_family=AF_INET, sin_port=htons(41000), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS (Operation now in progress)`,
		`100 sendto(5, "\x12\x34", 2, MSG_NOSIGNAL, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.2")}, 16) = 2`,
		`101 connect(7, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2606:4700::1", &sin6_addr), sin6_scope_id=0}, 28) = 0`,
		`101 connect(8, {sa_family=AF_UNIX, sun_path="/run/user/0/bus"}, 110) = 0`,
		`101 connect(9, {sa_family=AF_UNIX, sun_path="/tmp/other.sock"}, 110) = 0`,
		`102 getsockname(11, {sa_family=AF_INET, sin_port=htons(45000), sin_addr=inet_addr("127.0.0.1")}, [16]) = 0`,
		`102 connect(12, {sa_family=AF_INET, sin_port=htons(45000), sin_addr=inet_addr("127.0.0.1")}, 16) = 0`,
		`102 sendto(12, "x", 1, MSG_NOSIGNAL, NULL, 0) = 1`,
	}, "\n")
	path := filepath.Join(t.TempDir(), "trace")
	os.WriteFile(path, []byte(trace), 0o600)
	attempts := parseTrace(t, path)
	if len(attempts) != 6 {
		t.Fatalf("parsed %d attempts, want 6: %+v", len(attempts), attempts)
	}
	policy := destinations{inet: []string{"127.0.0.1:41000"}, unix: windowUnixSockets}
	refused, _ := policy.sort(attempts)
	var bad []string
	for _, a := range refused {
		bad = append(bad, a.Family+" "+a.Addr)
	}
	want := "AF_INET 10.0.0.2:53,AF_INET6 [2606:4700::1]:443,AF_UNIX /tmp/other.sock"
	if got := strings.Join(bad, ","); got != want {
		t.Errorf("refused %s, want %s", got, want)
	}
}
