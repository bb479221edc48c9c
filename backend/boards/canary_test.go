package boards

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"sharedvault/backend/providers"
)

// canaryForms are the ways a token could leak: as is, hex, and base64 at
// every alignment (so base64 of ":"+token or "email:"+token is caught too:
// past the first group the encoding does not depend on what precedes).
func canaryForms(tok string) [][]byte {
	forms := [][]byte{[]byte(tok), []byte(hex.EncodeToString([]byte(tok)))}
	for k := 0; k < 3; k++ {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("\x00", k) + tok))
		forms = append(forms, []byte(enc[4:len(enc)-4]))
	}
	return forms
}

func scan(t *testing.T, where string, data []byte, canaries map[string][][]byte) {
	t.Helper()
	for name, forms := range canaries {
		for _, f := range forms {
			if bytes.Contains(data, f) {
				t.Errorf("%s contains the %s canary (form %.12q…)", where, name, f)
			}
		}
	}
}

func TestCanaryNeverLeaks(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.must(t, f.ps.SetGlobal(ctx, true))
	tokens := map[string]string{"pat": canary(t), "sp": canary(t), "jira": canary(t), "own pat": canary(t), "own sp": canary(t), "own jira": canary(t)}
	f.saveSP(t, tokens["sp"])
	f.savePAT(t, tokens["pat"])
	f.saveJira(t, tokens["jira"])
	f.add(t, "global devops", SystemDevOps, true)
	f.add(t, "global jira", SystemJira, true)
	f.add(t, "own pat", SystemDevOps, false)
	f.ownPAT(t, "own pat", tokens["own pat"])
	f.add(t, "own sp", SystemDevOps, false)
	f.ownSP(t, "own sp", tokens["own sp"])
	f.add(t, "own jira", SystemJira, false)
	f.ownJira(t, "own jira", "https://jira.fabrikam.example", tokens["own jira"])

	canaries := map[string][][]byte{}
	for k, tok := range tokens {
		canaries[k] = canaryForms(tok)
	}

	var out bytes.Buffer
	dump := func(label string, v any) {
		b, err := json.Marshal(v)
		f.must(t, err)
		fmt.Fprintf(&out, "%s json %s\n%s %%v %v\n%s %%+v %+v\n%s %%#v %#v\n", label, b, label, v, label, v, label, v)
	}
	lv, err := f.bs.List(ctx, "")
	f.must(t, err)
	dump("list", lv)
	u, err := f.bs.Usage(ctx)
	f.must(t, err)
	dump("usage", u)
	sum, err := f.bs.Summarize(ctx)
	f.must(t, err)
	dump("summary", sum)
	for _, p := range []Plan{{Method: "sp"}, {Replace: "devops.pat"}, {Replace: "board:3"}, {Global: new(bool)}} {
		ch, err := f.bs.Impact(ctx, p)
		f.must(t, err)
		dump("impact", ch)
	}
	for _, name := range []string{"global devops", "global jira", "own pat", "own sp", "own jira"} {
		v, err := f.bs.Show(ctx, name)
		f.must(t, err)
		dump("show", v)
		c, err := f.bs.Resolve(ctx, name)
		f.must(t, err)
		dump("credential", c)
		dump("credential value", *c)
		req, _ := http.NewRequest(http.MethodGet, "https://elsewhere.example/", nil)
		if err := c.Apply(req); err != nil {
			fmt.Fprintln(&out, err)
		}
	}
	// Errors: refused pasted values must not echo them.
	for _, bad := range []string{"Basic " + tokens["own pat"], tokens["own pat"] + " x", base64.StdEncoding.EncodeToString([]byte(":" + tokens["own pat"]))} {
		_, err := f.bs.SetCredentials(ctx, "own pat", CredentialsInput{PAT: &providers.PATInput{Username: "u@x.example", Organisation: "contoso", Token: []byte(bad)}})
		if err == nil {
			t.Fatalf("dirty token accepted")
		}
		fmt.Fprintln(&out, err)
	}
	f.must(t, f.ps.SetGlobal(ctx, false))
	_, err = f.bs.Resolve(ctx, "global devops")
	fmt.Fprintln(&out, err)
	scan(t, "outputs", out.Bytes(), canaries)

	// Audit details.
	entries, err := f.v.AuditLog().List(ctx, 0)
	f.must(t, err)
	ab, _ := json.Marshal(entries)
	scan(t, "audit log", ab, canaries)

	// The vault file and its WAL/SHM, while open and after close.
	scanFiles := func(when string) {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			data, err := os.ReadFile(f.path + suffix)
			if err != nil {
				continue // -wal/-shm may be gone after close
			}
			scan(t, when+" "+f.path+suffix, data, canaries)
		}
	}
	scanFiles("open")
	f.v.Close()
	scanFiles("closed")
}
