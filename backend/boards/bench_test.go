package boards

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

const benchBoards = 10000

// benchFixture has 10,000 boards (created in one transaction): devops and
// jira, some with own credentials, the shared providers configured.
func benchFixture(b *testing.B) *fixture {
	b.Helper()
	ctx := context.Background()
	f := newFixture(b)
	f.must(b, f.ps.SetGlobal(ctx, true))
	f.savePAT(b, canary(b))
	f.saveJira(b, canary(b))
	now := time.Now()
	f.must(b, f.v.Update(ctx, func(tx *sql.Tx) error {
		for i := range benchBoards {
			bd := Board{Name: fmt.Sprintf("Board %05d", i), System: SystemDevOps, Project: "Fabrikam", AreaPath: fmt.Sprintf(`Fabrikam\Team %d`, i%50), UseGlobal: i%10 != 0}
			if i%3 == 0 {
				bd.System, bd.Project, bd.AreaPath = SystemJira, "PROJ", ""
			}
			if err := insertBoard(ctx, tx, &bd, now); err != nil {
				return err
			}
		}
		return nil
	}))
	for i := 0; i < 600; i += 10 { // own credentials for the devops boards with the toggle off
		if i%3 != 0 {
			f.ownPAT(b, fmt.Sprintf("Board %05d", i), canary(b))
		}
	}
	return f
}

// BenchmarkList10000 is `boards list --json --filter TEXT` over 10,000
// boards: one read of everything, the rules, the filter and the JSON.
func BenchmarkList10000(b *testing.B) {
	ctx := context.Background()
	f := benchFixture(b)
	for _, bc := range []struct {
		name   string
		filter string
		json   bool
	}{{"list", "", false}, {"list+json", "", true}, {"filter+json", "team 7", true}} {
		b.Run(bc.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				lv, err := f.bs.List(ctx, bc.filter)
				if err != nil {
					b.Fatal(err)
				}
				if bc.json {
					enc := json.NewEncoder(io.Discard)
					enc.SetIndent("", "  ") // as the CLI prints it
					if err := enc.Encode(lv); err != nil {
						b.Fatal(err)
					}
				}
				n = lv.Count
			}
			b.ReportMetric(float64(n), "boards")
		})
	}
}

// BenchmarkResolve resolves one board of 10,000 into a ready Authorization
// header with a real unlocked vault.
func BenchmarkResolve(b *testing.B) {
	ctx := context.Background()
	f := benchFixture(b)
	req, _ := http.NewRequest(http.MethodGet, "https://dev.azure.com/contoso/_apis/connectionData", nil)
	for b.Loop() {
		c, err := f.bs.Resolve(ctx, "Board 05002")
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Apply(req); err != nil {
			b.Fatal(err)
		}
	}
	if req.Header.Get("Authorization") == "" {
		b.Fatal("no header")
	}
}
