// Package probe runs connectivity tests on stored or not-yet-saved
// credentials: it turns a provider's or a board's non-secret fields into a
// connect.Target and hands the prober the secret only through a callback
// that opens it from the vault for the moment of use. The CLI and the window
// share it.
package probe

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"sharedvault/backend/boards"
	"sharedvault/backend/connect"
	"sharedvault/backend/netconf"
	"sharedvault/backend/providers"
	"sharedvault/backend/vault"
)

// Runner tests credentials of one vault.
type Runner struct {
	v  *vault.Vault
	ps *providers.Service
}

// New returns a Runner for v.
func New(v *vault.Vault) *Runner { return &Runner{v: v, ps: providers.NewService(v)} }

// Target builds the connect target for a provider record's meta.
func Target(service, method string, meta map[string]string) connect.Target {
	t := connect.Target{Service: service, Method: method}
	switch service {
	case connect.ServiceDevOps:
		t.BaseURL = meta["organisation_url"]
		t.Organisation = meta["organisation"]
		t.Username = meta["username"]
		t.ClientID = meta["client_id"]
		t.AuthURL = meta["auth_url"]
	case connect.ServiceJira:
		t.BaseURL = meta["domain"]
		t.Username = meta["email"]
		if t.Method == "" {
			t.Method = meta["deployment"]
		}
	}
	return t
}

func failed(service, method, code, msg, hint string) connect.Result {
	return connect.Result{OK: false, Service: service, Method: method, Code: code, Message: msg, Hint: hint, Checks: []connect.Check{}}
}

// Prober builds a prober from the vault's network settings.
func (r *Runner) Prober(ctx context.Context) (*connect.Prober, error) {
	s, err := netconf.New(r.v).ProbeSettings(ctx)
	if err != nil {
		return nil, err
	}
	return connect.NewProber(s)
}

// Provider tests the stored shared provider: service is "devops" or "jira";
// method "" means the selected DevOps method (or the stored Jira deployment).
func (r *Runner) Provider(ctx context.Context, service, method string, progress func(connect.Check)) (connect.Result, error) {
	var name string
	switch service {
	case connect.ServiceDevOps:
		if method == "" {
			m, err := r.ps.DevOpsMethod(ctx, r.v.DB())
			if err != nil {
				return connect.Result{}, err
			}
			method = m
		}
		switch method {
		case providers.MethodPAT:
			name = providers.SecretDevOpsPAT
		case providers.MethodSP:
			name = providers.SecretDevOpsSP
		case "":
			return failed(service, "", connect.CodeNotConfigured, "The DevOps Shared Authentication Provider is not configured.", "Store a Personal Access Token (sharedvault devops pat) or a Service Principal (sharedvault devops sp) first."), nil
		default:
			return connect.Result{}, fmt.Errorf("unknown devops method %q", method)
		}
	case connect.ServiceJira:
		name = providers.SecretJiraToken
	default:
		return connect.Result{}, fmt.Errorf("unknown service %q", service)
	}
	sec := r.ps.Secrets()
	rec, ok, err := sec.Current(ctx, r.v.DB(), name)
	if err != nil {
		return connect.Result{}, err
	}
	if !ok {
		return failed(service, method, connect.CodeNotConfigured, fmt.Sprintf("No credentials are stored for %s.", name), "Store them first (sharedvault devops pat|sp, or sharedvault jira set)."), nil
	}
	t := Target(service, method, rec.Meta)
	res, err := r.run(ctx, t, func() ([]byte, func(), error) {
		buf, err := sec.Open(rec)
		if err != nil {
			return nil, nil, err
		}
		return buf.Bytes(), buf.Destroy, nil
	}, progress)
	if err != nil {
		return res, err
	}
	addExpiry(&res, rec, r.v)
	return res, r.audit(ctx, name, rec.Fingerprint, res)
}

// audit records that a stored secret was used for a test (its fingerprint
// and the outcome, never the value).
func (r *Runner) audit(ctx context.Context, subject, fingerprint string, res connect.Result) error {
	return r.v.Update(ctx, func(tx *sql.Tx) error {
		return r.v.Audit(ctx, tx, "connect.test", subject, map[string]string{"fingerprint": fingerprint, "code": res.Code, "service": res.Service, "method": res.Method})
	})
}

func addExpiry(res *connect.Result, rec providers.Record, v *vault.Vault) {
	if msg := providers.ExpiryWarning(rec.Name, providers.InfoOf(rec, true, v.Now())); msg != "" {
		res.Warnings = append(res.Warnings, msg)
	}
}

// Unsaved tests values typed into the form before Save. secret is wiped
// after the test.
func (r *Runner) Unsaved(ctx context.Context, t connect.Target, secret []byte, progress func(connect.Check)) (connect.Result, error) {
	var once sync.Once
	release := func() { once.Do(func() { clear(secret) }) }
	defer release()
	return r.run(ctx, t, func() ([]byte, func(), error) { return secret, func() {}, nil }, progress)
}

func (r *Runner) run(ctx context.Context, t connect.Target, secret connect.SecretFunc, progress func(connect.Check)) (connect.Result, error) {
	p, err := r.Prober(ctx)
	if err != nil {
		return connect.Result{}, err
	}
	return p.Test(ctx, t, secret, progress), nil
}

// Run tests t with an explicit secret source (boards use it with their
// resolved credential).
func (r *Runner) Run(ctx context.Context, t connect.Target, secret connect.SecretFunc, progress func(connect.Check)) (connect.Result, error) {
	return r.run(ctx, t, secret, progress)
}

// Board tests a board's effective credentials (resolved exactly as an
// integration would resolve them) and its project / area path access.
func (r *Runner) Board(ctx context.Context, name string, progress func(connect.Check)) (connect.Result, error) {
	bs := boards.NewService(r.ps)
	b, err := bs.Find(ctx, name)
	if err != nil {
		return connect.Result{}, err
	}
	cred, err := bs.ResolveBoard(ctx, b)
	var re *boards.ResolveError
	if errors.As(err, &re) {
		return failed(b.System, "", re.Code, re.Message, re.Hint()), nil
	}
	if err != nil {
		return connect.Result{}, err
	}
	t := Target(cred.Provider, cred.Method, cred.Meta)
	t.Project, t.AreaPath = b.Project, b.AreaPath
	res, err := r.run(ctx, t, cred.Secret, progress)
	if err != nil {
		return res, err
	}
	if cred.Source == boards.SourceGlobal {
		res.Warnings = append(res.Warnings, "credentials: "+cred.String())
	}
	return res, r.audit(ctx, "board:"+b.Name, cred.Fingerprint, res)
}
