package perf

import (
	"bytes"
	"context"
	"encoding/base64"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sharedvault/backend/connect"
	"sharedvault/backend/internal/emulator"
)

func secretOf(s string) connect.SecretFunc {
	return func() ([]byte, func(), error) {
		b := []byte(s)
		return b, func() { clear(b) }, nil
	}
}

func devOpsTarget(emu *emulator.Server) connect.Target {
	return connect.Target{Service: connect.ServiceDevOps, Method: connect.MethodPAT, BaseURL: emu.URL + "/" + emulator.OrgName,
		Organisation: emulator.OrgName, Username: emulator.UserEmail}
}

func jiraTarget(emu *emulator.Server) connect.Target {
	return connect.Target{Service: connect.ServiceJira, Method: connect.MethodCloud, BaseURL: emu.URL, Username: emulator.JiraEmail}
}

// probeOnce is what the window and the CLI do per test: a fresh Prober (so
// fresh connections), then Test.
func probeOnce(b *testing.B, t connect.Target, secret string) time.Duration {
	start := time.Now()
	p, err := connect.NewProber(connect.Settings{})
	if err != nil {
		b.Fatal(err)
	}
	res := p.Test(context.Background(), t, secretOf(secret), nil)
	d := time.Since(start)
	if !res.OK {
		b.Fatalf("%s test failed: %s: %s", t.Service, res.Code, res.Message)
	}
	return d
}

// curlPair makes the PAT test's two requests in one curl invocation (one
// connection) and returns the sum of curl's own time_total per transfer,
// i.e. without curl's process start.
func curlPair(b *testing.B, curl, base string) time.Duration {
	auth := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(":"+emulator.GoodPAT))
	cmd := exec.Command(curl, "-sS", "--globoff",
		"-H", auth, "-H", "Accept: application/json", "-H", "X-TFS-FedAuthRedirect: Suppress",
		"-w", `%{http_code} %{time_total}\n`,
		"-o", "/dev/null", base+"/_apis/connectionData",
		"-o", "/dev/null", base+"/_apis/projects?$top=1&api-version=7.1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		b.Fatalf("curl: %v: %s", err, errb.String())
	}
	var total time.Duration
	lines := strings.Fields(strings.TrimSpace(out.String()))
	if len(lines) != 4 {
		b.Fatalf("curl -w output %q: want two transfers", out.String())
	}
	for i := 0; i < 4; i += 2 {
		if lines[i] != "200" {
			b.Fatalf("curl: HTTP %s (output %q)", lines[i], out.String())
		}
		sec, err := strconv.ParseFloat(lines[i+1], 64)
		if err != nil {
			b.Fatal(err)
		}
		total += time.Duration(sec * float64(time.Second))
	}
	return total
}

// BenchmarkDevOpsPATVsCurl: the full DevOps PAT test against the loopback
// emulator (fresh Prober each time) against curl making the same two
// requests with the same headers in one invocation, interleaved.
func BenchmarkDevOpsPATVsCurl(b *testing.B) {
	curl := needTool(b, "curl")
	emu := emulator.New(b, emulator.Fixture())
	t := devOpsTarget(emu)
	n := rounds(41)
	for range 3 { // warm-up: first TLS pool load, first exec
		probeOnce(b, t, emulator.GoodPAT)
		curlPair(b, curl, t.BaseURL)
	}
	var ours, ref []time.Duration
	for i := range n {
		if i%2 == 0 {
			ours = append(ours, probeOnce(b, t, emulator.GoodPAT))
			ref = append(ref, curlPair(b, curl, t.BaseURL))
		} else {
			ref = append(ref, curlPair(b, curl, t.BaseURL))
			ours = append(ours, probeOnce(b, t, emulator.GoodPAT))
		}
		emu.ResetRequests()
	}
	report(b, ours, ref)
}

// BenchmarkBothProviders: DevOps PAT and Jira Cloud tested at once (two
// goroutines, a fresh Prober each, as two window calls) against the slower
// of the two tested alone, interleaved in the same run.
func BenchmarkBothProviders(b *testing.B) {
	emu := emulator.New(b, emulator.Fixture())
	bothProviders(b, devOpsTarget(emu), jiraTarget(emu), emu, rounds(41))
}

func bothProviders(b *testing.B, dt, jt connect.Target, emu *emulator.Server, n int) {
	both := func() time.Duration {
		var wg sync.WaitGroup
		start := time.Now()
		wg.Add(2)
		go func() { defer wg.Done(); probeOnce(b, dt, emulator.GoodPAT) }()
		go func() { defer wg.Done(); probeOnce(b, jt, emulator.JiraAPIToken) }()
		wg.Wait()
		return time.Since(start)
	}
	for range 3 {
		probeOnce(b, dt, emulator.GoodPAT)
		probeOnce(b, jt, emulator.JiraAPIToken)
		both()
	}
	var ours, dev, jira []time.Duration
	for i := range n {
		switch i % 3 { // rotate the order
		case 0:
			dev = append(dev, probeOnce(b, dt, emulator.GoodPAT))
			jira = append(jira, probeOnce(b, jt, emulator.JiraAPIToken))
			ours = append(ours, both())
		case 1:
			ours = append(ours, both())
			dev = append(dev, probeOnce(b, dt, emulator.GoodPAT))
			jira = append(jira, probeOnce(b, jt, emulator.JiraAPIToken))
		default:
			jira = append(jira, probeOnce(b, jt, emulator.JiraAPIToken))
			ours = append(ours, both())
			dev = append(dev, probeOnce(b, dt, emulator.GoodPAT))
		}
		emu.ResetRequests()
	}
	ref := dev
	if median(jira) > median(dev) {
		ref = jira
	}
	report(b, ours, ref)
	b.ReportMetric(ms(median(dev)), "devops_ms")
	b.ReportMetric(ms(median(jira)), "jira_ms")
}

// BenchmarkBothProvidersLatency is BenchmarkBothProviders with every
// emulator answer held back 5 ms, like a remote server's round trip: with
// the CPU no longer the bottleneck it shows whether the two tests overlap.
func BenchmarkBothProvidersLatency(b *testing.B) {
	cfg := emulator.Fixture()
	cfg.Delay = 5 * time.Millisecond
	emu := emulator.New(b, cfg)
	dt, jt := devOpsTarget(emu), jiraTarget(emu)
	bothProviders(b, dt, jt, emu, rounds(15))
}
