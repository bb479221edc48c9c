package app

import (
	"sharedvault/backend/boards"
	"sharedvault/backend/providers"
)

// BoardsService is the Boards page: board integrations, their "Use Global
// Default Secret/PAT token" toggle, their own (write-only) credentials and
// which credential each one uses right now.
type BoardsService struct{ vs *VaultService }

// NewBoardsService returns the service.
func NewBoardsService(vs *VaultService) *BoardsService { return &BoardsService{vs: vs} }

func (s *BoardsService) service() (*boards.Service, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return nil, err
	}
	return boards.NewService(providers.NewService(v)), nil
}

// List returns the boards whose name, project or area path contains filter.
func (s *BoardsService) List(filter string) (boards.ListView, error) {
	bs, err := s.service()
	if err != nil {
		return boards.ListView{}, err
	}
	return bs.List(bg(), filter)
}

// Show returns one board with its credential in words (never the value).
func (s *BoardsService) Show(name string) (boards.View, error) {
	bs, err := s.service()
	if err != nil {
		return boards.View{}, err
	}
	return bs.Show(bg(), name)
}

// BoardForm is the add form.
type BoardForm struct {
	Name      string `json:"name"`
	System    string `json:"system"`
	Project   string `json:"project"`
	AreaPath  string `json:"area_path"`
	UseGlobal bool   `json:"use_global"`
}

// Add creates a board.
func (s *BoardsService) Add(f BoardForm) (boards.View, error) {
	bs, err := s.service()
	if err != nil {
		return boards.View{}, err
	}
	b, err := bs.Add(bg(), boards.Spec{Name: f.Name, System: f.System, Project: f.Project, AreaPath: f.AreaPath, UseGlobal: f.UseGlobal})
	if err != nil {
		return boards.View{}, err
	}
	return bs.Show(bg(), b.Name)
}

// BoardChanges is the edit form; nil fields stay as they are.
type BoardChanges struct {
	UseGlobal *bool   `json:"use_global"`
	Project   *string `json:"project"`
	AreaPath  *string `json:"area_path"`
}

// Update changes a board (the toggle, project, area path).
func (s *BoardsService) Update(name string, c BoardChanges) (boards.View, error) {
	bs, err := s.service()
	if err != nil {
		return boards.View{}, err
	}
	b, err := bs.Set(bg(), name, boards.Changes{UseGlobal: c.UseGlobal, Project: c.Project, AreaPath: c.AreaPath})
	if err != nil {
		return boards.View{}, err
	}
	return bs.Show(bg(), b.Name)
}

// CredentialsForm is a board's own credentials: Method pat|sp for DevOps
// boards (with the PAT or SP part), the Jira part for Jira boards. Empty
// secret fields keep the stored value.
type CredentialsForm struct {
	Method string    `json:"method"`
	PAT    *PATForm  `json:"pat"`
	SP     *SPForm   `json:"sp"`
	Jira   *JiraForm `json:"jira"`
}

// SetCredentials stores the board's own credentials (write-only).
func (s *BoardsService) SetCredentials(name string, f CredentialsForm) (boards.Saved, error) {
	bs, err := s.service()
	if err != nil {
		return boards.Saved{}, err
	}
	var in boards.CredentialsInput
	switch {
	case f.Jira != nil:
		in.Jira = &providers.JiraInput{Email: f.Jira.Email, Domain: f.Jira.Domain, Deployment: f.Jira.Deployment, Token: secretBytes(f.Jira.Token), Expires: f.Jira.Expires}
		defer clear(in.Jira.Token)
	case f.Method == providers.MethodSP && f.SP != nil:
		in.SP = &providers.SPInput{ClientID: f.SP.ClientID, AuthURL: f.SP.AuthURL, TenantID: f.SP.TenantID, Organisation: f.SP.Organisation, Secret: secretBytes(f.SP.Secret), Expires: f.SP.Expires}
		defer clear(in.SP.Secret)
	case f.PAT != nil:
		in.PAT = &providers.PATInput{Username: f.PAT.Username, Organisation: f.PAT.Organisation, Token: secretBytes(f.PAT.Token), Expires: f.PAT.Expires}
		defer clear(in.PAT.Token)
	default:
		return boards.Saved{}, invalidField("method", "fill in the credentials")
	}
	return bs.SetCredentials(bg(), name, in)
}

// Remove deletes a board and its own credentials.
func (s *BoardsService) Remove(name string) (boards.Removed, error) {
	bs, err := s.service()
	if err != nil {
		return boards.Removed{}, err
	}
	return bs.Remove(bg(), name)
}

// Usage lists, per shared secret, the boards that use it right now.
func (s *BoardsService) Usage() (map[string][]string, error) {
	bs, err := s.service()
	if err != nil {
		return nil, err
	}
	return bs.Usage(bg())
}

// usageCounts feeds the providers page's "Used by N boards".
func (s *BoardsService) usageCounts() (map[string]int, error) {
	u, err := s.Usage()
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for k, names := range u {
		out[k] = len(names)
	}
	return out, nil
}

// impactOf previews which boards a providers form changes: the global
// toggle, the selected method and every secret it replaces.
func (s *BoardsService) impactOf(form ProvidersForm) ([]ChangeDTO, error) {
	bs, err := s.service()
	if err != nil {
		return nil, err
	}
	plans := []boards.Plan{{Global: &form.GlobalSharedSecret, Method: form.DevOpsMethod}}
	in := form.saveInput()
	if in.PAT != nil && in.PAT.Token != nil {
		plans = append(plans, boards.Plan{Replace: providers.SecretDevOpsPAT})
	}
	if in.SP != nil && in.SP.Secret != nil {
		plans = append(plans, boards.Plan{Replace: providers.SecretDevOpsSP})
	}
	if in.Jira != nil && in.Jira.Token != nil {
		plans = append(plans, boards.Plan{Replace: providers.SecretJiraToken})
	}
	seen := map[string]bool{}
	out := []ChangeDTO{}
	for _, p := range plans {
		changes, err := bs.Impact(bg(), p)
		if err != nil {
			return nil, err
		}
		for _, c := range changes {
			if !seen[c.Board] {
				seen[c.Board] = true
				out = append(out, ChangeDTO{Board: c.Board, From: c.From, To: c.To})
			}
		}
	}
	return out, nil
}
