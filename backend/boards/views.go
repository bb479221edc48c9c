package boards

import (
	"context"
	"strings"
	"time"

	"sharedvault/backend/providers"
)

// Item is one row of `boards list --json`: masked, never a value.
type Item struct {
	Name             string `json:"name"`
	System           string `json:"system"`
	Project          string `json:"project"`
	AreaPath         string `json:"area_path"`
	UseGlobal        bool   `json:"use_global"`
	CredentialSource string `json:"credential_source"` // global | board | none
	Method           string `json:"method"`
	Fingerprint      string `json:"fingerprint"`
}

// ListView is `boards list --json`.
type ListView struct {
	Boards []Item `json:"boards"`
	Count  int    `json:"count"`
}

// View is `boards show --json`: an Item plus where the credential comes from
// and, when there is none, why.
type View struct {
	Item
	Provider    string `json:"provider"`
	Secret      string `json:"secret"`               // devops.pat, devops.sp, jira.token or board:NAME ("" when none)
	Version     int    `json:"version,omitempty"`    // of that secret
	ExpiresAt   string `json:"expires_at,omitempty"` // of that secret
	Credentials string `json:"credentials"`          // in words: "global DevOps PAT, fingerprint …"
	Code        string `json:"code,omitempty"`       // when none: global_disabled | not_configured
	Message     string `json:"message,omitempty"`    // when none
	Hint        string `json:"hint,omitempty"`       // when none
	OwnSecret   string `json:"own_secret,omitempty"` // board:NAME when the board has stored credentials of its own
	OwnMethod   string `json:"own_method,omitempty"` // their method, even while the toggle is on
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

// snapshot is everything the rules need for every board: three queries.
type snapshot struct {
	st     *state
	boards []Board
	own    map[int64]secretRef
}

func (s *Service) snapshot(ctx context.Context) (*snapshot, error) {
	db := s.v.DB()
	boards, err := s.all(ctx, false)
	if err != nil {
		return nil, err
	}
	st, err := s.loadState(ctx, db)
	if err != nil {
		return nil, err
	}
	own, err := s.loadOwn(ctx, db)
	if err != nil {
		return nil, err
	}
	return &snapshot{st: st, boards: boards, own: own}, nil
}

func (sn *snapshot) ownOf(b *Board) *secretRef {
	if ref, ok := sn.own[b.ID]; ok {
		return &ref
	}
	return nil
}

func item(b *Board, r resolution) Item {
	return Item{Name: b.Name, System: b.System, Project: b.Project, AreaPath: b.AreaPath, UseGlobal: b.UseGlobal,
		CredentialSource: r.source, Method: r.method(), Fingerprint: r.fingerprint()}
}

// List returns every board whose name, system, project or area path
// contains filter (case-insensitive; "" = all), ordered by name.
func (s *Service) List(ctx context.Context, filter string) (ListView, error) {
	sn, err := s.snapshot(ctx)
	if err != nil {
		return ListView{}, err
	}
	f := strings.ToLower(strings.TrimSpace(filter))
	out := ListView{Boards: make([]Item, 0, len(sn.boards))}
	for i := range sn.boards {
		b := &sn.boards[i]
		if f != "" && !matches(b, f) {
			continue
		}
		out.Boards = append(out.Boards, item(b, sn.st.resolve(b, sn.ownOf(b))))
	}
	out.Count = len(out.Boards)
	return out, nil
}

func matches(b *Board, f string) bool {
	for _, s := range []string{b.Name, b.Project, b.AreaPath, b.System} {
		if containsFold(s, f) {
			return true
		}
	}
	return false
}

// containsFold reports whether lower-case f occurs in s, ignoring case,
// without allocating for ASCII s.
func containsFold(s, f string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return strings.Contains(strings.ToLower(s), f)
		}
	}
	n := len(f)
	for i := 0; i+n <= len(s); i++ {
		ok := true
		for j := 0; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != f[j] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// Show returns the masked view of one board.
func (s *Service) Show(ctx context.Context, name string) (View, error) {
	db := s.v.DB()
	b, err := s.find(ctx, db, name)
	if err != nil {
		return View{}, err
	}
	st, err := s.loadState(ctx, db)
	if err != nil {
		return View{}, err
	}
	rec, have, err := s.secrets.Current(ctx, db, b.secretName())
	if err != nil {
		return View{}, err
	}
	var own *secretRef
	if have {
		own = &secretRef{name: rec.Name, version: rec.Version, fingerprint: rec.Fingerprint, method: methodOf(rec.Name, rec.Meta), expires: rec.ExpiresAt}
	}
	return viewOf(&b, st.resolve(&b, own), own), nil
}

func viewOf(b *Board, r resolution, own *secretRef) View {
	v := View{Item: item(b, r), Provider: b.System, Credentials: r.describeLong(),
		CreatedAt: b.CreatedAt.Format(time.RFC3339), UpdatedAt: b.UpdatedAt.Format(time.RFC3339)}
	switch r.source {
	case SourceGlobal:
		v.Secret, v.Version, v.ExpiresAt = r.ref.name, r.ref.version, r.ref.expires
	case SourceBoard:
		v.Secret, v.Version, v.ExpiresAt = b.CLISecretName(), r.ref.version, r.ref.expires
	default:
		v.Code, v.Message, v.Hint = r.err.Code, r.err.Message, r.err.hint
	}
	if own != nil {
		v.OwnSecret, v.OwnMethod = b.CLISecretName(), own.method
	}
	return v
}

// SharedSecrets are the names Usage reports on.
var SharedSecrets = []string{providers.SecretDevOpsPAT, providers.SecretDevOpsSP, providers.SecretJiraToken}

// Usage maps each shared secret to the boards (by name, sorted) that use it
// right now: toggle on, global secret on, and that method selected.
func (s *Service) Usage(ctx context.Context) (map[string][]string, error) {
	sn, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(SharedSecrets))
	for _, n := range SharedSecrets {
		out[n] = []string{}
	}
	for i := range sn.boards {
		b := &sn.boards[i]
		if r := sn.st.resolve(b, sn.ownOf(b)); r.source == SourceGlobal {
			out[r.ref.name] = append(out[r.ref.name], b.Name)
		}
	}
	return out, nil
}

// Summary is the `boards` object of `status --json`.
type Summary struct {
	Count       int            `json:"count"`
	UsingGlobal int            `json:"using_global"` // toggle on
	UsingOwn    int            `json:"using_own"`    // resolved to their own credentials
	Unresolved  int            `json:"unresolved"`   // no credential (global_disabled / not_configured)
	Usage       map[string]int `json:"usage"`        // shared secret → boards using it now
}

// Summarize counts boards by credential source.
func (s *Service) Summarize(ctx context.Context) (Summary, error) {
	sn, err := s.snapshot(ctx)
	if err != nil {
		return Summary{}, err
	}
	out := Summary{Count: len(sn.boards), Usage: map[string]int{}}
	for _, n := range SharedSecrets {
		out.Usage[n] = 0
	}
	for i := range sn.boards {
		b := &sn.boards[i]
		if b.UseGlobal {
			out.UsingGlobal++
		}
		switch r := sn.st.resolve(b, sn.ownOf(b)); r.source {
		case SourceGlobal:
			out.Usage[r.ref.name]++
		case SourceBoard:
			out.UsingOwn++
		default:
			out.Unresolved++
		}
	}
	return out, nil
}

// Change is one board's credential before and after a planned change.
type Change struct {
	Board string `json:"board"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// Plan is a change to the shared configuration that can affect boards.
type Plan struct {
	Global  *bool  // turn "Use Global Integration Shared Secret" on or off
	Method  string // select this DevOps method (pat | sp)
	Replace string // storage name of a secret whose value is replaced (saved or rolled back)
}

// Impact lists the boards whose credential p changes, and how, in name
// order. Nothing is written.
func (s *Service) Impact(ctx context.Context, p Plan) ([]Change, error) {
	sn, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	after := &state{global: sn.st.global, devopsMethod: sn.st.devopsMethod, shared: make(map[string]secretRef, len(sn.st.shared)+1)}
	for k, v := range sn.st.shared {
		after.shared[k] = v
	}
	if p.Global != nil {
		after.global = *p.Global
	}
	if p.Method != "" {
		after.devopsMethod = p.Method
	}
	var replacedOwn int64 = -1
	if p.Replace != "" {
		if providers.IsSharedSecretName(p.Replace) {
			ref, ok := after.shared[p.Replace]
			if !ok {
				ref = secretRef{name: p.Replace}
				if p.Replace != providers.SecretJiraToken { // a new Jira token's deployment is not known yet
					ref.method = methodOf(p.Replace, nil)
				}
			}
			ref.replaced = true
			after.shared[p.Replace] = ref
		} else {
			for id, ref := range sn.own {
				if ref.name == p.Replace {
					replacedOwn = id
				}
			}
		}
	}
	var out []Change
	for i := range sn.boards {
		b := &sn.boards[i]
		own := sn.ownOf(b)
		before := sn.st.resolve(b, own)
		if own != nil && b.ID == replacedOwn {
			o := *own
			o.replaced = true
			own = &o
		}
		r := after.resolve(b, own)
		if r.source == before.source && r.ref.name == before.ref.name && r.ref.method == before.ref.method && !r.ref.replaced &&
			(r.err == nil) == (before.err == nil) && (r.err == nil || r.err.Code == before.err.Code) {
			continue
		}
		out = append(out, Change{Board: b.Name, From: before.describeLong(), To: r.describeLong()})
	}
	return out, nil
}

// ImpactGlobalOff previews turning the global shared secret off.
func (s *Service) ImpactGlobalOff(ctx context.Context) ([]Change, error) {
	off := false
	return s.Impact(ctx, Plan{Global: &off})
}

// ImpactMethod previews selecting DevOps method m.
func (s *Service) ImpactMethod(ctx context.Context, m string) ([]Change, error) {
	return s.Impact(ctx, Plan{Method: m})
}

// ImpactReplace previews replacing (saving or rolling back) the value of the
// secret stored as name.
func (s *Service) ImpactReplace(ctx context.Context, name string) ([]Change, error) {
	return s.Impact(ctx, Plan{Replace: name})
}
