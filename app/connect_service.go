package app

import (
	"sync/atomic"

	"sharedvault/backend/connect"
	"sharedvault/backend/probe"
	"sharedvault/backend/providers"
)

// EventTestProgress carries each step of a running connectivity test:
// {run, check} where run is the id returned by the test call's caller.
const EventTestProgress = "test:progress"

// ConnectService runs connectivity tests from this machine: on stored
// credentials, on the values typed into the form before Save, and per board.
type ConnectService struct {
	vs   *VaultService
	emit Emitter
	runs atomic.Int64
}

// NewConnectService returns the service.
func NewConnectService(vs *VaultService, emit Emitter) *ConnectService {
	return &ConnectService{vs: vs, emit: emit}
}

// ProgressDTO is one finished step of a test run.
type ProgressDTO struct {
	Run   string        `json:"run"`
	Check connect.Check `json:"check"`
}

func (s *ConnectService) progress(run string) func(connect.Check) {
	return func(c connect.Check) {
		if s.emit != nil {
			s.emit.Emit(EventTestProgress, ProgressDTO{Run: run, Check: c})
		}
	}
}

func normalise(res connect.Result) connect.Result {
	if res.Checks == nil {
		res.Checks = []connect.Check{}
	}
	return res
}

// TestStored tests the stored provider ("devops" or "jira"); method "" means
// the selected DevOps method. run names the progress events.
func (s *ConnectService) TestStored(service, method, run string) (connect.Result, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return connect.Result{}, err
	}
	res, err := probe.New(v).Provider(bg(), service, method, s.progress(run))
	return normalise(res), err
}

// TestForm tests the values in the form before they are saved. An empty
// secret field means "use the stored one". service is "devops" (with
// form.DevOpsMethod) or "jira".
func (s *ConnectService) TestForm(service string, form ProvidersForm, run string) (connect.Result, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return connect.Result{}, err
	}
	in := form.saveInput()
	var t connect.Target
	var secret []byte
	var stored string
	ve := &providers.ValidationError{}
	switch {
	case service == connect.ServiceJira && in.Jira != nil:
		val, err := providers.NewService(v).ValidateJiraInput(bg(), *in.Jira, true)
		if err != nil {
			return connect.Result{}, err
		}
		t, secret, stored = probe.Target(service, "", val.Meta), val.Value, providers.SecretJiraToken
	case service == connect.ServiceDevOps && form.DevOpsMethod == providers.MethodSP && in.SP != nil:
		val, err := providers.NewService(v).ValidateSPInput(bg(), *in.SP, true)
		if err != nil {
			return connect.Result{}, err
		}
		t, secret, stored = probe.Target(service, providers.MethodSP, val.Meta), val.Value, providers.SecretDevOpsSP
	case service == connect.ServiceDevOps && in.PAT != nil:
		val, err := providers.NewService(v).ValidatePATInput(bg(), *in.PAT, true)
		if err != nil {
			return connect.Result{}, err
		}
		t, secret, stored = probe.Target(service, providers.MethodPAT, val.Meta), val.Value, providers.SecretDevOpsPAT
	default:
		ve.Add("service", "fill in the provider's fields first")
		return connect.Result{}, ve
	}
	r := probe.New(v)
	if secret == nil {
		// Keep the stored secret: test it with the form's other values.
		sec := providers.NewSecrets(v)
		rec, ok, err := sec.Current(bg(), v.DB(), stored)
		if err != nil {
			return connect.Result{}, err
		}
		if !ok {
			return connect.Result{}, &providers.ValidationError{Fields: []providers.FieldError{{Field: "token", Message: "is required"}}}
		}
		res, err := r.Run(bg(), t, func() ([]byte, func(), error) {
			buf, err := sec.Open(rec)
			if err != nil {
				return nil, nil, err
			}
			return buf.Bytes(), buf.Destroy, nil
		}, s.progress(run))
		return normalise(res), err
	}
	res, err := r.Unsaved(bg(), t, secret, s.progress(run))
	return normalise(res), err
}

// NextRun returns a fresh run id for progress events.
func (s *ConnectService) NextRun() string {
	return "run-" + itoa(s.runs.Add(1))
}

func itoa(n int64) string {
	const digits = "0123456789"
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{digits[n%10]}, b...)
		n /= 10
	}
	return string(b)
}

// TestBoard tests a board's effective credentials and its project / area
// path access.
func (s *ConnectService) TestBoard(name, run string) (connect.Result, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return connect.Result{}, err
	}
	res, err := probe.New(v).Board(bg(), name, s.progress(run))
	return normalise(res), err
}
