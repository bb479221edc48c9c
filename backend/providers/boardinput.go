package providers

import "context"

// Validated is a credential form that passed the same validation and
// cleaning as the shared providers' forms, ready to be stored elsewhere (a
// board's own credentials): the non-secret fields for the secret's meta, the
// cleaned value (nil = keep the stored one) and the expiry date. The caller
// wipes Value after storing it.
type Validated struct {
	Meta    map[string]string
	Value   []byte
	Expires string
}

// ValidatePATInput validates in as the "Personal Access Token" form without
// storing it. A nil Token is accepted only when keep is true (the caller
// holds a value of the same method to keep).
func (s *Service) ValidatePATInput(ctx context.Context, in PATInput, keep bool) (Validated, error) {
	ve := &ValidationError{}
	pv := s.validatePAT(ctx, in, ve)
	return finishValidated(pv, ve, in.Token == nil, keep, "token")
}

// ValidateSPInput validates in as the "Service Principal" form without
// storing it; keep as for ValidatePATInput.
func (s *Service) ValidateSPInput(ctx context.Context, in SPInput, keep bool) (Validated, error) {
	ve := &ValidationError{}
	pv := s.validateSP(ctx, in, ve)
	return finishValidated(pv, ve, in.Secret == nil, keep, "secret")
}

// ValidateJiraInput validates in as the Jira form without storing it; keep
// as for ValidatePATInput.
func (s *Service) ValidateJiraInput(ctx context.Context, in JiraInput, keep bool) (Validated, error) {
	ve := &ValidationError{}
	pv := s.validateJira(ctx, in, ve)
	return finishValidated(pv, ve, in.Token == nil, keep, "token")
}

// finishValidated replaces the shared-secret "keep" rule of the validate*
// methods (a nil value is fine when the shared secret exists) with the
// caller's own: whether it has a value to keep.
func finishValidated(pv patValues, ve *ValidationError, missing, keep bool, field string) (Validated, error) {
	if missing {
		kept := ve.Fields[:0]
		for _, f := range ve.Fields {
			if f.Field != field {
				kept = append(kept, f)
			}
		}
		ve.Fields = kept
		if !keep {
			ve.Add(field, "is required")
		}
	}
	if err := ve.Err(); err != nil {
		wipe(pv.token)
		return Validated{}, err
	}
	return Validated{Meta: pv.meta, Value: pv.token, Expires: pv.exp}, nil
}
