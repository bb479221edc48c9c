package boards

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"sharedvault/backend/providers"
	"sharedvault/backend/vault"
)

// Systems a board integrates with.
const (
	SystemDevOps = "devops"
	SystemJira   = "jira"
)

// MaxNameLen is the longest board name, in characters.
const MaxNameLen = 100

// ErrDuplicate is returned when a board with the same name (compared without
// regard to ASCII case) exists. It also matches providers.ErrInvalid.
var ErrDuplicate = errors.New("a board with this name already exists")

// boardError carries a message for a person, a hint and the sentinels
// callers test with errors.Is.
type boardError struct {
	msg   string
	hint  string
	kinds []error
}

func (e *boardError) Error() string   { return e.msg }
func (e *boardError) Hint() string    { return e.hint }
func (e *boardError) Unwrap() []error { return e.kinds }

func notFound(name string) error {
	return &boardError{
		msg:   fmt.Sprintf("no board named %q", name),
		hint:  "see `sharedvault boards list` (names are case-sensitive)",
		kinds: []error{vault.ErrNotFound},
	}
}

func duplicate(existing string) error {
	msg := fmt.Sprintf("a board named %q already exists", existing)
	return &boardError{msg: msg, hint: "choose another name, or change the existing board with `sharedvault boards set`",
		kinds: []error{ErrDuplicate, providers.ErrInvalid}}
}

// Board is one board integration.
type Board struct {
	ID        int64
	Name      string
	System    string // SystemDevOps or SystemJira
	Project   string // DevOps project name or Jira project key
	AreaPath  string // DevOps only, optional
	UseGlobal bool   // "Use Global Default Secret/PAT token"
	CreatedAt time.Time
	UpdatedAt time.Time
}

// secretName is where the board's own credentials are stored.
func (b *Board) secretName() string { return ownSecretPrefix + strconv.FormatInt(b.ID, 10) }

// CLISecretName is the name `history` and `rollback` take for the board's
// own credentials.
func (b *Board) CLISecretName() string { return ownSecretPrefix + b.Name }

const ownSecretPrefix = "board:"

// Spec describes a new board.
type Spec struct {
	Name      string
	System    string
	Project   string
	AreaPath  string
	UseGlobal bool
}

// Changes are the fields `boards set` changes; nil fields stay as they are.
type Changes struct {
	UseGlobal *bool
	Project   *string
	AreaPath  *string
}

// Service manages boards on top of the shared providers.
type Service struct {
	v       *vault.Vault
	ps      *providers.Service
	secrets *providers.Secrets
}

// NewService returns the boards service working beside ps (same vault, same
// secret store).
func NewService(ps *providers.Service) *Service {
	return &Service{v: ps.Vault(), ps: ps, secrets: ps.Secrets()}
}

// NormalizeName trims name and checks it: 1–100 characters, valid UTF-8, no
// control or invisible format characters.
func NormalizeName(name string) (string, error) {
	n := strings.TrimSpace(name)
	switch {
	case n == "":
		return "", fieldErr("name", "is required")
	case !utf8.ValidString(n):
		return "", fieldErr("name", "is not valid UTF-8")
	case utf8.RuneCountInString(n) > MaxNameLen:
		return "", fieldErr("name", fmt.Sprintf("is longer than %d characters", MaxNameLen))
	case strings.ContainsFunc(n, invisible):
		return "", fieldErr("name", "contains control or invisible characters")
	}
	return n, nil
}

func invisible(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }

func fieldErr(field, msg string) error {
	return &providers.ValidationError{Fields: []providers.FieldError{{Field: field, Message: msg}}}
}

// devopsForbidden are the characters Azure DevOps refuses in project names.
const devopsForbidden = `\/:*?"'<>;#$*{},+=[]|`

// normalizeProject checks a DevOps project name or a Jira project key.
func normalizeProject(system, p string, ve *providers.ValidationError) string {
	p = strings.TrimSpace(p)
	switch {
	case p == "":
		ve.Add("project", "is required (the DevOps project name or the Jira project key)")
		return p
	case !utf8.ValidString(p) || strings.ContainsFunc(p, invisible):
		ve.Add("project", "contains control or invisible characters")
		return p
	}
	switch system {
	case SystemDevOps:
		switch {
		case utf8.RuneCountInString(p) > 64:
			ve.Add("project", "is longer than 64 characters (the Azure DevOps limit)")
		case strings.ContainsAny(p, devopsForbidden):
			ve.Add("project", `must not contain any of \ / : * ? " ' < > ; # $ { } , + = [ ] |`)
		case strings.HasPrefix(p, "_") || strings.HasPrefix(p, ".") || strings.HasSuffix(p, "."):
			ve.Add("project", "must not start with _ or . nor end with .")
		}
	case SystemJira:
		// Jira keys are letters, digits and underscores starting with a
		// letter; Jira shows and matches them in upper case.
		ok := len(p) <= 255
		for i, r := range p {
			if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || (i > 0 && (unicode.IsDigit(r) || r == '_')))) {
				ok = false
			}
		}
		if !ok {
			ve.Add("project", "must be a Jira project key: letters, digits and _, starting with a letter (e.g. PROJ)")
		}
		p = strings.ToUpper(p)
	}
	return p
}

func normalizeAreaPath(system, a string, ve *providers.ValidationError) string {
	a = strings.TrimSpace(a)
	switch {
	case a == "":
	case system == SystemJira:
		ve.Add("area_path", "applies to devops boards only")
	case !utf8.ValidString(a) || strings.ContainsFunc(a, invisible):
		ve.Add("area_path", "contains control or invisible characters")
	case utf8.RuneCountInString(a) > 4000:
		ve.Add("area_path", "is longer than 4000 characters")
	}
	return a
}

func normalizeSystem(s string, ve *providers.ValidationError) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s != SystemDevOps && s != SystemJira {
		ve.Add("system", "must be devops or jira")
	}
	return s
}

func validateSpec(sp Spec) (Board, error) {
	ve := &providers.ValidationError{}
	name, err := NormalizeName(sp.Name)
	var nve *providers.ValidationError
	if errors.As(err, &nve) {
		ve.Fields = append(ve.Fields, nve.Fields...)
	}
	b := Board{Name: name, UseGlobal: sp.UseGlobal}
	b.System = normalizeSystem(sp.System, ve)
	b.Project = normalizeProject(b.System, sp.Project, ve)
	b.AreaPath = normalizeAreaPath(b.System, sp.AreaPath, ve)
	return b, ve.Err()
}

const boardColumns = `id, name, system, project, area_path, use_global, created_at, updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanBoard(sc scanner, b *Board) error {
	var created, updated string
	if err := sc.Scan(&b.ID, &b.Name, &b.System, &b.Project, &b.AreaPath, &b.UseGlobal, &created, &updated); err != nil {
		return err
	}
	b.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	b.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
	return nil
}

// Find returns the board called name (exact match after trimming).
func (s *Service) Find(ctx context.Context, name string) (Board, error) {
	return s.find(ctx, s.v.DB(), name)
}

func (s *Service) find(ctx context.Context, q vault.Querier, name string) (Board, error) {
	var b Board
	err := scanBoard(q.QueryRowContext(ctx, `SELECT `+boardColumns+` FROM boards WHERE name = ?`, strings.TrimSpace(name)), &b)
	if errors.Is(err, sql.ErrNoRows) {
		return b, notFound(name)
	}
	return b, err
}

func (s *Service) findID(ctx context.Context, q vault.Querier, id int64) (Board, bool, error) {
	var b Board
	err := scanBoard(q.QueryRowContext(ctx, `SELECT `+boardColumns+` FROM boards WHERE id = ?`, id), &b)
	if errors.Is(err, sql.ErrNoRows) {
		return b, false, nil
	}
	return b, err == nil, err
}

// Boards returns every board, ordered by name.
func (s *Service) Boards(ctx context.Context) ([]Board, error) {
	return s.all(ctx, true)
}

// all reads every board in name order with one query; without times it
// skips the timestamps, which List does not show.
func (s *Service) all(ctx context.Context, times bool) ([]Board, error) {
	cols := `id, name, system, project, area_path, use_global`
	if times {
		cols = boardColumns
	}
	rows, err := s.v.DB().QueryContext(ctx, `SELECT `+cols+` FROM boards ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]Board, 0, 64)
	for rows.Next() {
		var b Board
		if times {
			err = scanBoard(rows, &b)
		} else {
			err = rows.Scan(&b.ID, &b.Name, &b.System, &b.Project, &b.AreaPath, &b.UseGlobal)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// insertBoard stores b inside tx and sets its ID. The caller checks for
// duplicates and audits.
func insertBoard(ctx context.Context, tx *sql.Tx, b *Board, now time.Time) error {
	ts := now.UTC().Format(time.RFC3339Nano)
	res, err := tx.ExecContext(ctx, `INSERT INTO boards (name, system, project, area_path, use_global, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		b.Name, b.System, b.Project, b.AreaPath, b.UseGlobal, ts, ts)
	if err != nil {
		return err
	}
	b.ID, err = res.LastInsertId()
	b.CreatedAt, b.UpdatedAt = now.UTC(), now.UTC()
	return err
}

// Add validates sp and stores a new board, audited.
func (s *Service) Add(ctx context.Context, sp Spec) (Board, error) {
	b, err := validateSpec(sp)
	if err != nil {
		return Board{}, err
	}
	if s.v.Locked() {
		return Board{}, vault.ErrLocked
	}
	err = s.v.Update(ctx, func(tx *sql.Tx) error {
		var existing string
		err := tx.QueryRowContext(ctx, `SELECT name FROM boards WHERE name = ? COLLATE NOCASE`, b.Name).Scan(&existing)
		if err == nil {
			return duplicate(existing)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := insertBoard(ctx, tx, &b, s.v.Now()); err != nil {
			return err
		}
		return s.v.Audit(ctx, tx, "board.add", b.CLISecretName(), map[string]string{
			"system": b.System, "project": b.Project, "area_path": b.AreaPath, "use_global": strconv.FormatBool(b.UseGlobal),
		})
	})
	if err != nil {
		return Board{}, err
	}
	return b, nil
}

// Set changes a board's toggle, project or area path, audited. Nothing is
// written when nothing changes.
func (s *Service) Set(ctx context.Context, name string, c Changes) (Board, error) {
	if s.v.Locked() {
		return Board{}, vault.ErrLocked
	}
	var out Board
	err := s.v.Update(ctx, func(tx *sql.Tx) error {
		b, err := s.find(ctx, tx, name)
		if err != nil {
			return err
		}
		nb := b
		ve := &providers.ValidationError{}
		if c.UseGlobal != nil {
			nb.UseGlobal = *c.UseGlobal
		}
		if c.Project != nil {
			nb.Project = normalizeProject(b.System, *c.Project, ve)
		}
		if c.AreaPath != nil {
			nb.AreaPath = normalizeAreaPath(b.System, *c.AreaPath, ve)
		}
		if err := ve.Err(); err != nil {
			return err
		}
		detail := map[string]string{}
		if nb.UseGlobal != b.UseGlobal {
			detail["use_global"] = strconv.FormatBool(nb.UseGlobal)
		}
		if nb.Project != b.Project {
			detail["project"], detail["previous_project"] = nb.Project, b.Project
		}
		if nb.AreaPath != b.AreaPath {
			detail["area_path"], detail["previous_area_path"] = nb.AreaPath, b.AreaPath
		}
		out = nb
		if len(detail) == 0 {
			return nil
		}
		now := s.v.Now().UTC()
		_, err = tx.ExecContext(ctx, `UPDATE boards SET project = ?, area_path = ?, use_global = ?, updated_at = ? WHERE id = ?`,
			nb.Project, nb.AreaPath, nb.UseGlobal, now.Format(time.RFC3339Nano), nb.ID)
		if err != nil {
			return err
		}
		out.UpdatedAt = now
		return s.v.Audit(ctx, tx, "board.set", nb.CLISecretName(), detail)
	})
	return out, err
}

// Removed says what Remove deleted.
type Removed struct {
	Board             string `json:"removed"`
	OwnSecretVersions int    `json:"own_secret_versions"`
}

// Remove deletes a board and every version of its own credentials, audited.
func (s *Service) Remove(ctx context.Context, name string) (Removed, error) {
	if s.v.Locked() {
		return Removed{}, vault.ErrLocked
	}
	var out Removed
	err := s.v.Update(ctx, func(tx *sql.Tx) error {
		b, err := s.find(ctx, tx, name)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM secrets WHERE name = ?`, b.secretName()).Scan(&n); err != nil {
			return err
		}
		if err := s.secrets.Delete(ctx, tx, b.secretName()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM boards WHERE id = ?`, b.ID); err != nil {
			return err
		}
		out = Removed{Board: b.Name, OwnSecretVersions: n}
		return s.v.Audit(ctx, tx, "board.remove", b.CLISecretName(), map[string]string{
			"system": b.System, "project": b.Project, "own_secret_versions": strconv.Itoa(n),
		})
	})
	return out, err
}
