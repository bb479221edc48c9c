package boards

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/awnumar/memguard"

	"sharedvault/backend/providers"
	"sharedvault/backend/vault"
)

// Where a board's credential comes from.
const (
	SourceGlobal = "global"
	SourceBoard  = "board"
	SourceNone   = "none"
)

// Resolution failure codes (the connectivity result codes of PRODUCT.md §4).
const (
	CodeGlobalDisabled = "global_disabled"
	CodeNotConfigured  = "not_configured"
)

// Methods a credential can have.
const (
	MethodPAT        = providers.MethodPAT
	MethodSP         = providers.MethodSP
	MethodCloud      = providers.JiraCloud
	MethodDataCenter = providers.JiraDataCenter
)

// ErrGlobalDisabled matches a *ResolveError with code global_disabled; one
// with code not_configured matches providers.ErrNotConfigured.
var ErrGlobalDisabled = errors.New("global shared secret disabled")

// ErrNeedsTokenExchange is returned by Apply for a Service Principal: its
// secret is exchanged for a token first (connect does that via Secret).
var ErrNeedsTokenExchange = errors.New("a service principal needs a token exchange before a request can carry it; use Secret with the connect package")

// ResolveError says why a board has no credential to apply.
type ResolveError struct {
	Code    string // CodeGlobalDisabled or CodeNotConfigured
	Message string // for a person, lowercase, never a value
	hint    string
}

func (e *ResolveError) Error() string { return e.Message }

// Hint says what to do about it.
func (e *ResolveError) Hint() string { return e.hint }

func (e *ResolveError) Unwrap() error {
	if e.Code == CodeGlobalDisabled {
		return ErrGlobalDisabled
	}
	return providers.ErrNotConfigured
}

func errGlobalDisabled(board string) *ResolveError {
	return &ResolveError{Code: CodeGlobalDisabled,
		Message: "the administrator has turned off the global shared secret (Use Global Integration Shared Secret is off)",
		hint:    fmt.Sprintf("turn it on with `sharedvault global on`, or give the board its own credentials with `sharedvault boards creds %s …` and `sharedvault boards set %s --use-global=false`", board, board)}
}

func errNotConfigured(b *Board, what string) *ResolveError {
	e := &ResolveError{Code: CodeNotConfigured}
	switch {
	case !b.UseGlobal:
		e.Message = fmt.Sprintf("board %q has no credentials of its own (Use Global Default Secret/PAT token is off)", b.Name)
		e.hint = fmt.Sprintf("store them with `sharedvault boards creds %s …`, or use the global secret: `sharedvault boards set %s --use-global=true`", b.Name, b.Name)
	case b.System == SystemJira:
		e.Message = "the global Jira shared account is not configured"
		e.hint = "store it with `sharedvault jira set …`"
	default:
		e.Message = "the global DevOps " + what + " is not configured"
		e.hint = "store it with `sharedvault devops pat …` or `sharedvault devops sp …`"
	}
	return e
}

// secretRef is what the rules need of a stored secret: never its value.
type secretRef struct {
	name        string // storage name
	version     int
	fingerprint string
	method      string // pat | sp | cloud | datacenter
	expires     string
	replaced    bool // impact previews: the value is about to change
}

// state is the global part of resolution: the toggle, the selected DevOps
// method and the current shared secrets.
type state struct {
	global       bool
	devopsMethod string
	shared       map[string]secretRef
}

// resolution is the outcome of the rules for one board.
type resolution struct {
	source   string // SourceGlobal | SourceBoard | SourceNone
	provider string
	ref      secretRef // set unless source is none
	err      *ResolveError
}

// resolve applies the rules of the package doc. own is the board's current
// own secret, if any. It is the only place the rules live.
func (st *state) resolve(b *Board, own *secretRef) resolution {
	r := resolution{provider: b.System}
	if !b.UseGlobal {
		if own == nil {
			r.source, r.err = SourceNone, errNotConfigured(b, "")
			return r
		}
		r.source, r.ref = SourceBoard, *own
		return r
	}
	if !st.global {
		r.source, r.err = SourceNone, errGlobalDisabled(b.Name)
		return r
	}
	name, what := providers.SecretJiraToken, ""
	if b.System == SystemDevOps {
		// An unset method reads as PAT, as the providers' view shows it.
		name, what = providers.SecretDevOpsPAT, "Personal Access Token"
		if st.devopsMethod == providers.MethodSP {
			name, what = providers.SecretDevOpsSP, "Service Principal"
		}
	}
	ref, ok := st.shared[name]
	if !ok {
		r.source, r.err = SourceNone, errNotConfigured(b, what)
		return r
	}
	r.source, r.ref = SourceGlobal, ref
	return r
}

// label names the credential kind: "DevOps PAT", "Jira token", ...
func label(provider, method string) string {
	switch {
	case provider == SystemJira && method == MethodDataCenter:
		return "Jira Data Center token"
	case provider == SystemJira:
		return "Jira token"
	case method == MethodSP:
		return "DevOps Service Principal"
	}
	return "DevOps PAT"
}

// describe is the credential in words, without fingerprint.
func (r resolution) describe() string {
	switch r.source {
	case SourceGlobal:
		return "global " + label(r.provider, r.ref.method)
	case SourceBoard:
		return "own " + label(r.provider, r.ref.method)
	}
	return "none (" + r.err.Code + ")"
}

// describeLong adds the fingerprint (or "new value" in a preview).
func (r resolution) describeLong() string {
	s := r.describe()
	switch {
	case r.source == SourceNone:
	case r.ref.replaced:
		s += ", new value"
	case r.ref.fingerprint != "":
		s += ", fingerprint " + r.ref.fingerprint
	}
	return s
}

func (r resolution) method() string      { return r.ref.method }
func (r resolution) fingerprint() string { return r.ref.fingerprint }

// methodOf derives a secret's method from its name and meta.
func methodOf(name string, meta map[string]string) string {
	switch name {
	case providers.SecretDevOpsPAT:
		return MethodPAT
	case providers.SecretDevOpsSP:
		return MethodSP
	case providers.SecretJiraToken:
		if d := meta["deployment"]; d != "" {
			return d
		}
		return providers.DetectJiraDeployment(meta["domain"])
	}
	return meta["method"]
}

// loadState reads the toggle, the method and the current shared secrets
// (two queries, no decryption).
func (s *Service) loadState(ctx context.Context, q vault.RowsQuerier) (*state, error) {
	st := &state{shared: make(map[string]secretRef, 3)}
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM settings WHERE key IN (?, ?)`, vault.SettingGlobalSharedSecret, vault.SettingDevOpsMethod)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return nil, err
		}
		switch k {
		case vault.SettingGlobalSharedSecret:
			st.global = v == "true"
		case vault.SettingDevOpsMethod:
			st.devopsMethod = v
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// SQLite returns the other columns of the row holding max(version).
	rows, err = q.QueryContext(ctx, `SELECT name, max(version), fingerprint, coalesce(expires_at, ''), meta FROM secrets WHERE name IN (?, ?, ?) GROUP BY name`,
		providers.SecretDevOpsPAT, providers.SecretDevOpsSP, providers.SecretJiraToken)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ref secretRef
		var meta string
		if err := rows.Scan(&ref.name, &ref.version, &ref.fingerprint, &ref.expires, &meta); err != nil {
			return nil, err
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(meta), &m); err != nil {
			return nil, fmt.Errorf("%w: secret %s meta: %v", vault.ErrCorrupt, ref.name, err)
		}
		ref.method = methodOf(ref.name, m)
		st.shared[ref.name] = ref
	}
	return st, rows.Err()
}

// loadOwn reads the current version of every board-own secret with one
// grouped query: board id → ref.
func (s *Service) loadOwn(ctx context.Context, q vault.RowsQuerier) (map[int64]secretRef, error) {
	// ';' follows ':' so the range is exactly the "board:" names and uses
	// the (name, version) index.
	rows, err := q.QueryContext(ctx, `SELECT name, max(version), fingerprint, coalesce(expires_at, ''), coalesce(json_extract(meta, '$.method'), '')
		FROM secrets WHERE name >= 'board:' AND name < 'board;' GROUP BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]secretRef{}
	for rows.Next() {
		var ref secretRef
		if err := rows.Scan(&ref.name, &ref.version, &ref.fingerprint, &ref.expires, &ref.method); err != nil {
			return nil, err
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(ref.name, ownSecretPrefix), 10, 64)
		if err != nil {
			continue // not a board id: not ours to interpret
		}
		out[id] = ref
	}
	return out, rows.Err()
}

// Credential is the resolved credential of a board: where it comes from and
// its non-secret fields. The value stays sealed until Apply or Secret.
type Credential struct {
	Board       string            `json:"board"`
	Source      string            `json:"source"`   // SourceGlobal | SourceBoard
	Provider    string            `json:"provider"` // SystemDevOps | SystemJira
	Method      string            `json:"method"`   // pat | sp | cloud | datacenter
	SecretName  string            `json:"secret"`   // storage name: devops.pat, devops.sp, jira.token or board:<id>
	Version     int               `json:"version"`
	Fingerprint string            `json:"fingerprint"`
	ExpiresAt   string            `json:"expires_at,omitempty"`
	Meta        map[string]string `json:"meta"` // username, organisation, organisation_url, server, client_id, auth_url, email, domain, deployment

	rec     providers.Record
	secrets *providers.Secrets
}

// metaKeys are the record fields a Credential passes on; all are non-secret.
var metaKeys = []string{"username", "organisation", "organisation_url", "server", "client_id", "auth_url", "email", "domain", "deployment"}

// String describes the credential (never the value), also for %v and %+v.
func (c *Credential) String() string {
	return fmt.Sprintf("%s %s, fingerprint %s", c.Source, label(c.Provider, c.Method), c.Fingerprint)
}

// GoString keeps %#v from printing the sealed record.
func (c *Credential) GoString() string { return "boards.Credential{" + c.String() + "}" }

// Resolve returns the credential board boardName uses right now, or a
// *ResolveError (global_disabled, not_configured). Every caller that needs a
// board's credential goes through it.
func (s *Service) Resolve(ctx context.Context, boardName string) (*Credential, error) {
	db := s.v.Cached()
	b, err := s.find(ctx, db, boardName)
	if err != nil {
		return nil, err
	}
	return s.ResolveBoard(ctx, b)
}

// ResolveBoard is Resolve for a board already read.
func (s *Service) ResolveBoard(ctx context.Context, b Board) (*Credential, error) {
	db := s.v.Cached()
	st, err := s.loadState(ctx, db)
	if err != nil {
		return nil, err
	}
	var own *secretRef
	var ownRec providers.Record
	if !b.UseGlobal {
		rec, ok, err := s.secrets.Current(ctx, db, b.secretName())
		if err != nil {
			return nil, err
		}
		if ok {
			ownRec = rec
			own = &secretRef{name: rec.Name, version: rec.Version, fingerprint: rec.Fingerprint, method: methodOf(rec.Name, rec.Meta), expires: rec.ExpiresAt}
		}
	}
	r := st.resolve(&b, own)
	if r.err != nil {
		return nil, r.err
	}
	rec := ownRec
	if r.source == SourceGlobal {
		var ok bool
		rec, ok, err = s.secrets.Version(ctx, db, r.ref.name, r.ref.version)
		if err != nil {
			return nil, err
		}
		if !ok { // replaced between the two reads: resolve again
			return s.ResolveBoard(ctx, b)
		}
	}
	c := &Credential{Board: b.Name, Source: r.source, Provider: b.System, Method: r.ref.method, SecretName: rec.Name,
		Version: rec.Version, Fingerprint: rec.Fingerprint, ExpiresAt: rec.ExpiresAt, Meta: map[string]string{},
		rec: rec, secrets: s.secrets}
	for _, k := range metaKeys {
		if v, ok := rec.Meta[k]; ok {
			c.Meta[k] = v
		}
	}
	return c, nil
}

// Secret opens the value for the moment of use (connect.SecretFunc): the
// bytes live in a memguard buffer that release destroys.
func (c *Credential) Secret() ([]byte, func(), error) {
	if c.secrets == nil {
		return nil, nil, errors.New("credential was not resolved by boards.Service")
	}
	buf, err := c.secrets.Open(c.rec)
	if err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), buf.Destroy, nil
}

// Apply sets the Authorization header of req: DevOps PAT "Basic
// base64(:PAT)", Jira Cloud "Basic base64(email:token)", Jira Data Center
// "Bearer PAT". The header is built in memguard buffers destroyed right after
// it is copied into req. It refuses to send the credential anywhere but over
// HTTPS (plain HTTP only to loopback) to the host it was configured for.
func (c *Credential) Apply(req *http.Request) error {
	if c.Method == MethodSP {
		return ErrNeedsTokenExchange
	}
	if err := c.checkDestination(req.URL); err != nil {
		return err
	}
	if c.secrets == nil {
		return errors.New("credential was not resolved by boards.Service")
	}
	// One locked buffer holds the value and, after it, the header built
	// from it: "Basic " + base64(user:value) or "Bearer " + value.
	user, basic := "", true
	switch {
	case c.Provider == SystemDevOps && c.Method == MethodPAT:
	case c.Provider == SystemJira && c.Method == MethodCloud:
		user = c.Meta["email"]
	case c.Provider == SystemJira && c.Method == MethodDataCenter:
		basic = false
	default:
		return fmt.Errorf("unknown credential method %q for %s", c.Method, c.Provider)
	}
	n := c.rec.ValueLen()
	extra := len("Bearer ") + n
	if basic {
		extra = len(user) + 1 + n + len("Basic ") + base64.StdEncoding.EncodedLen(len(user)+1+n)
	}
	return c.secrets.OpenWith(c.rec, extra, func(sec, scratch []byte) error {
		var hdr []byte
		if basic {
			raw := scratch[:len(user)+1+len(sec)]
			copy(raw, user)
			raw[len(user)] = ':'
			copy(raw[len(user)+1:], sec)
			hdr = scratch[len(raw):]
			copy(hdr, "Basic ")
			base64.StdEncoding.Encode(hdr[len("Basic "):], raw)
			clear(raw)
		} else {
			hdr = scratch[:len("Bearer ")+len(sec)]
			copy(hdr, "Bearer ")
			copy(hdr[len("Bearer "):], sec)
		}
		req.Header.Set("Authorization", string(hdr))
		return nil
	})
}

// checkDestination allows only the configured host, over https (http only
// to loopback, for emulators).
func (c *Credential) checkDestination(u *url.URL) error {
	if u == nil {
		return errors.New("request has no url")
	}
	base := c.Meta["organisation_url"]
	if c.Provider == SystemJira {
		base = c.Meta["domain"]
	}
	want, err := url.Parse(base)
	if err != nil || want.Host == "" {
		return fmt.Errorf("the credential has no configured host to send it to")
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case !strings.EqualFold(u.Host, want.Host):
		return fmt.Errorf("refusing to send the credential to %s: it is configured for %s", u.Host, want.Host)
	case strings.EqualFold(u.Scheme, "https"):
	case strings.EqualFold(u.Scheme, "http") && isLoopback(host):
	default:
		return fmt.Errorf("%w: refusing to send the credential over %s", providers.ErrInsecureURL, u.Scheme)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CredentialsInput is `boards creds`: exactly one of PAT, SP (devops boards)
// or Jira (jira boards). A nil Token/Secret keeps the board's stored value
// when it has one of the same method.
type CredentialsInput struct {
	PAT  *providers.PATInput
	SP   *providers.SPInput
	Jira *providers.JiraInput
}

// Saved is the masked result of storing a board's own credentials.
type Saved struct {
	Board       string `json:"board"`
	Secret      string `json:"secret"` // board:NAME, for history and rollback
	Method      string `json:"method"`
	Fingerprint string `json:"fingerprint"`
	Version     int    `json:"version"`
	ExpiresAt   string `json:"expires_at"`
	InUse       bool   `json:"in_use"` // false while the board uses the global secret
}

// SetCredentials validates in with the providers' forms (same cleaning and
// messages) and stores it as the board's own credentials, audited.
func (s *Service) SetCredentials(ctx context.Context, boardName string, in CredentialsInput) (Saved, error) {
	if s.v.Locked() {
		return Saved{}, vault.ErrLocked
	}
	db := s.v.DB()
	b, err := s.find(ctx, db, boardName)
	if err != nil {
		return Saved{}, err
	}
	cur, have, err := s.secrets.Current(ctx, db, b.secretName())
	if err != nil {
		return Saved{}, err
	}
	curMethod := methodOf(cur.Name, cur.Meta)
	var val providers.Validated
	var method string
	switch {
	case b.System == SystemDevOps && in.PAT != nil && in.SP == nil && in.Jira == nil:
		method = MethodPAT
		val, err = s.ps.ValidatePATInput(ctx, *in.PAT, have && curMethod == MethodPAT)
	case b.System == SystemDevOps && in.SP != nil && in.PAT == nil && in.Jira == nil:
		method = MethodSP
		val, err = s.ps.ValidateSPInput(ctx, *in.SP, have && curMethod == MethodSP)
	case b.System == SystemJira && in.Jira != nil && in.PAT == nil && in.SP == nil:
		val, err = s.ps.ValidateJiraInput(ctx, *in.Jira, have)
		method = val.Meta["deployment"]
	case b.System == SystemJira:
		return Saved{}, fieldErr("method", "a jira board takes the Jira form: email, domain, token, deployment")
	default:
		return Saved{}, fieldErr("method", "a devops board takes a Personal Access Token or a Service Principal")
	}
	if err != nil {
		return Saved{}, err
	}
	defer memguard.WipeBytes(val.Value)
	val.Meta["method"] = method
	var out Saved
	err = s.v.Update(ctx, func(tx *sql.Tx) error {
		nb, ok, err := s.findID(ctx, tx, b.ID)
		if err != nil {
			return err
		}
		if !ok {
			return notFound(boardName)
		}
		prev, had, err := s.secrets.Current(ctx, tx, nb.secretName())
		if err != nil {
			return err
		}
		r, err := s.secrets.Put(ctx, tx, nb.secretName(), val.Meta, val.Value, val.Expires)
		if err != nil {
			return err
		}
		detail := map[string]string{"secret": nb.secretName(), "method": method, "fingerprint": r.Fingerprint, "version": strconv.Itoa(r.Version)}
		if had {
			detail["previous_fingerprint"] = prev.Fingerprint
		}
		if val.Value == nil {
			detail["value"] = "kept"
		}
		if r.ExpiresAt != "" {
			detail["expires_at"] = r.ExpiresAt
		}
		out = Saved{Board: nb.Name, Secret: nb.CLISecretName(), Method: method, Fingerprint: r.Fingerprint, Version: r.Version, ExpiresAt: r.ExpiresAt, InUse: !nb.UseGlobal}
		return s.v.Audit(ctx, tx, "board.creds", nb.CLISecretName(), detail)
	})
	return out, err
}

// SecretName maps a board name to the storage name of its own credentials.
func (s *Service) SecretName(ctx context.Context, boardName string) (string, error) {
	b, err := s.find(ctx, s.v.DB(), boardName)
	if err != nil {
		return "", err
	}
	return b.secretName(), nil
}

// Rollback restores version of a board's own credentials (secretName is the
// storage name, "board:<id>") as a new version, audited.
func (s *Service) Rollback(ctx context.Context, secretName string, version int) (providers.Record, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(secretName, ownSecretPrefix), 10, 64)
	if err != nil || !strings.HasPrefix(secretName, ownSecretPrefix) {
		return providers.Record{}, fmt.Errorf("%w: %q is not a board secret", vault.ErrNotFound, secretName)
	}
	if s.v.Locked() {
		return providers.Record{}, vault.ErrLocked
	}
	var out providers.Record
	err = s.v.Update(ctx, func(tx *sql.Tx) error {
		b, ok, err := s.findID(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: the board of %s no longer exists", vault.ErrNotFound, secretName)
		}
		if _, ok, err := s.secrets.Version(ctx, tx, secretName, version); err != nil {
			return err
		} else if !ok {
			return &boardError{msg: fmt.Sprintf("%s has no version %d", b.CLISecretName(), version),
				hint: fmt.Sprintf("see `sharedvault history %s`", b.CLISecretName()), kinds: []error{vault.ErrNotFound}}
		}
		cur, _, err := s.secrets.Current(ctx, tx, secretName)
		if err != nil {
			return err
		}
		r, err := s.secrets.Rollback(ctx, tx, secretName, version)
		if err != nil {
			return err
		}
		out = r
		return s.v.Audit(ctx, tx, "secret.rollback", b.CLISecretName(), map[string]string{
			"secret": secretName, "to_version": strconv.Itoa(version), "version": strconv.Itoa(r.Version),
			"fingerprint": r.Fingerprint, "previous_fingerprint": cur.Fingerprint,
		})
	})
	return out, err
}
