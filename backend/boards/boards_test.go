package boards

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"sharedvault/backend/providers"
	"sharedvault/backend/vault"
)

func TestAddValidation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tests := []struct {
		name   string
		spec   Spec
		fields []string // invalid fields; nil = accepted
		want   Board    // name, system, project, area path after normalisation
	}{
		{"devops", Spec{Name: "  Team Board ", System: "DevOps", Project: " Fabrikam Fiber ", AreaPath: `Fabrikam Fiber\Web`, UseGlobal: true}, nil,
			Board{Name: "Team Board", System: "devops", Project: "Fabrikam Fiber", AreaPath: `Fabrikam Fiber\Web`, UseGlobal: true}},
		{"jira key upper-cased", Spec{Name: "J", System: "jira", Project: "proj_2"}, nil, Board{Name: "J", System: "jira", Project: "PROJ_2"}},
		{"100 characters", Spec{Name: strings.Repeat("é", 100), System: "jira", Project: "P"}, nil, Board{Name: strings.Repeat("é", 100), System: "jira", Project: "P"}},
		{"101 characters", Spec{Name: strings.Repeat("é", 101), System: "jira", Project: "P"}, []string{"name"}, Board{}},
		{"empty name", Spec{Name: "  ", System: "jira", Project: "P"}, []string{"name"}, Board{}},
		{"control character", Spec{Name: "a\x1b[31mb", System: "jira", Project: "P"}, []string{"name"}, Board{}},
		{"newline", Spec{Name: "a\nb", System: "jira", Project: "P"}, []string{"name"}, Board{}},
		{"zero width", Spec{Name: "a\u200bb", System: "jira", Project: "P"}, []string{"name"}, Board{}},
		{"bad system", Spec{Name: "x", System: "github", Project: "P"}, []string{"system"}, Board{}},
		{"no project", Spec{Name: "x", System: "devops"}, []string{"project"}, Board{}},
		{"devops forbidden char", Spec{Name: "x", System: "devops", Project: "a/b"}, []string{"project"}, Board{}},
		{"devops leading underscore", Spec{Name: "x", System: "devops", Project: "_a"}, []string{"project"}, Board{}},
		{"devops project too long", Spec{Name: "x", System: "devops", Project: strings.Repeat("a", 65)}, []string{"project"}, Board{}},
		{"jira key with space", Spec{Name: "x", System: "jira", Project: "MY PROJ"}, []string{"project"}, Board{}},
		{"jira key starting with digit", Spec{Name: "x", System: "jira", Project: "1AB"}, []string{"project"}, Board{}},
		{"jira area path", Spec{Name: "x", System: "jira", Project: "P", AreaPath: "A"}, []string{"area_path"}, Board{}},
		{"area path control char", Spec{Name: "x", System: "devops", Project: "P", AreaPath: "A\tB"}, []string{"area_path"}, Board{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := f.bs.Add(ctx, tt.spec)
			var got []string
			var ve *providers.ValidationError
			if errors.As(err, &ve) {
				for _, fe := range ve.Fields {
					got = append(got, fe.Field)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.fields, got); diff != "" {
				t.Fatalf("invalid fields (-want +got):\n%s", diff)
			}
			if err != nil {
				if !errors.Is(err, providers.ErrInvalid) {
					t.Errorf("errors.Is(err, ErrInvalid) = false")
				}
				return
			}
			got2 := Board{Name: b.Name, System: b.System, Project: b.Project, AreaPath: b.AreaPath, UseGlobal: b.UseGlobal}
			if diff := cmp.Diff(tt.want, got2); diff != "" {
				t.Errorf("stored (-want +got):\n%s", diff)
			}
			found, err := f.bs.Find(ctx, tt.want.Name)
			f.must(t, err)
			if found.ID != b.ID {
				t.Errorf("Find id %d, Add id %d", found.ID, b.ID)
			}
		})
	}
}

func TestDuplicateAndNotFound(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.add(t, "Board A", SystemDevOps, true)
	for _, name := range []string{"Board A", "board a", " BOARD A "} {
		_, err := f.bs.Add(ctx, Spec{Name: name, System: "jira", Project: "P"})
		if !errors.Is(err, ErrDuplicate) || !errors.Is(err, providers.ErrInvalid) {
			t.Errorf("Add(%q) = %v, want ErrDuplicate (and ErrInvalid)", name, err)
		}
	}
	for name, call := range map[string]func() error{
		"Find":   func() error { _, err := f.bs.Find(ctx, "nope"); return err },
		"Show":   func() error { _, err := f.bs.Show(ctx, "nope"); return err },
		"Set":    func() error { _, err := f.bs.Set(ctx, "nope", Changes{}); return err },
		"Remove": func() error { _, err := f.bs.Remove(ctx, "nope"); return err },
		"SetCredentials": func() error {
			_, err := f.bs.SetCredentials(ctx, "nope", CredentialsInput{})
			return err
		},
		"SecretName": func() error { _, err := f.bs.SecretName(ctx, "nope"); return err },
	} {
		if err := call(); !errors.Is(err, vault.ErrNotFound) {
			t.Errorf("%s(unknown) = %v, want ErrNotFound", name, err)
		}
	}
}

func TestSetRemoveAndAudit(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.must(t, f.ps.SetGlobal(ctx, true))
	f.savePAT(t, canary(t))
	b := f.add(t, "B", SystemDevOps, true)
	f.add(t, "Other", SystemJira, false)
	f.ownPAT(t, "B", canary(t))
	f.ownSP(t, "B", canary(t))

	off := false
	proj := "New Project"
	area := `New Project\Team`
	nb, err := f.bs.Set(ctx, "B", Changes{UseGlobal: &off, Project: &proj, AreaPath: &area})
	f.must(t, err)
	if nb.UseGlobal || nb.Project != proj || nb.AreaPath != area || nb.ID != b.ID {
		t.Fatalf("Set = %+v", nb)
	}
	view, err := f.bs.Show(ctx, "B")
	f.must(t, err)
	if view.CredentialSource != SourceBoard || view.Method != MethodSP || view.Secret != "board:B" {
		t.Errorf("after set: %+v", view.Item)
	}
	bad := "a/b"
	if _, err := f.bs.Set(ctx, "B", Changes{Project: &bad}); !errors.Is(err, providers.ErrInvalid) {
		t.Errorf("Set(bad project) = %v", err)
	}

	r, err := f.bs.Remove(ctx, "B")
	f.must(t, err)
	if r.OwnSecretVersions != 2 {
		t.Errorf("removed %d own versions, want 2", r.OwnSecretVersions)
	}
	var n int
	f.must(t, f.v.DB().QueryRowContext(ctx, `SELECT count(*) FROM secrets WHERE name = 'board:1'`).Scan(&n))
	if n != 0 {
		t.Errorf("%d own secret versions left after remove", n)
	}
	if _, err := f.bs.Find(ctx, "B"); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("board still there: %v", err)
	}

	entries, err := f.v.AuditLog().List(ctx, 0)
	f.must(t, err)
	var got []string
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "board.") {
			got = append(got, e.Action+" "+e.Subject)
			for k, v := range e.Detail {
				if strings.Contains(v, "CANARY-") {
					t.Errorf("audit detail %s carries a secret value", k)
				}
			}
		}
	}
	want := []string{"board.add board:B", "board.add board:Other", "board.creds board:B", "board.creds board:B", "board.set board:B", "board.remove board:B"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	if _, err := f.v.VerifyAudit(ctx); err != nil {
		t.Errorf("audit chain: %v", err)
	}
}

func TestListFilter(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.add(t, "Alpha Web", SystemDevOps, true)
	f.add(t, "beta", SystemJira, true)
	f.add(t, "Ünïcode", SystemJira, true)
	tests := []struct {
		filter string
		want   []string
	}{
		{"", []string{"Alpha Web", "beta", "Ünïcode"}},
		{"ALPHA", []string{"Alpha Web"}},
		{"jira", []string{"beta", "Ünïcode"}},
		{"proj", []string{"beta", "Ünïcode"}},
		{"ÜNÏ", []string{"Ünïcode"}},
		{"fabrikam", []string{"Alpha Web"}},
		{"zzz", nil},
	}
	for _, tt := range tests {
		lv, err := f.bs.List(ctx, tt.filter)
		f.must(t, err)
		var got []string
		for _, b := range lv.Boards {
			got = append(got, b.Name)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" || lv.Count != len(tt.want) {
			t.Errorf("List(%q) count %d (-want +got):\n%s", tt.filter, lv.Count, diff)
		}
	}
}

func TestLockedRefuses(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.add(t, "B", SystemDevOps, false)
	f.ownPAT(t, "B", canary(t))
	c, err := f.bs.Resolve(ctx, "B")
	f.must(t, err)
	f.v.Lock()
	if _, err := f.bs.Add(ctx, Spec{Name: "C", System: "jira", Project: "P"}); !errors.Is(err, vault.ErrLocked) {
		t.Errorf("Add while locked = %v", err)
	}
	if _, _, err := c.Secret(); !errors.Is(err, vault.ErrLocked) {
		t.Errorf("Secret while locked = %v", err)
	}
}
