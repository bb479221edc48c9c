package app

import (
	"errors"
	"time"

	"sharedvault/backend/audit"
)

// AuditService is the Audit page: the tamper-evident log and its check.
type AuditService struct{ vs *VaultService }

// NewAuditService returns the service.
func NewAuditService(vs *VaultService) *AuditService { return &AuditService{vs: vs} }

// AuditEntryDTO is one entry (fingerprints and flags only, never values).
type AuditEntryDTO struct {
	Seq     int64             `json:"seq"`
	At      string            `json:"at"`
	OSUser  string            `json:"os_user"`
	Action  string            `json:"action"`
	Subject string            `json:"subject"`
	Detail  map[string]string `json:"detail"`
}

// List returns the newest limit entries (0 = all), newest last.
func (s *AuditService) List(limit int) ([]AuditEntryDTO, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return nil, err
	}
	entries, err := v.AuditLog().List(bg(), limit)
	if err != nil {
		return nil, err
	}
	out := []AuditEntryDTO{}
	for _, e := range entries {
		out = append(out, AuditEntryDTO{e.Seq, e.At.UTC().Format(time.RFC3339), e.OSUser, e.Action, e.Subject, e.Detail})
	}
	return out, nil
}

// VerifyDTO is the result of checking the chain.
type VerifyDTO struct {
	OK      bool   `json:"ok"`
	Entries int    `json:"entries"`
	BadSeq  int64  `json:"bad_seq,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// Verify checks the keyed hash chain and names the first bad entry.
func (s *AuditService) Verify() (VerifyDTO, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return VerifyDTO{}, err
	}
	n, err := v.VerifyAudit(bg())
	var ve *audit.VerifyError
	if errors.As(err, &ve) {
		return VerifyDTO{OK: false, Entries: n, BadSeq: ve.Seq, Reason: ve.Reason}, nil
	}
	if err != nil {
		return VerifyDTO{}, err
	}
	return VerifyDTO{OK: true, Entries: n}, nil
}
