package app

import (
	"database/sql"
	"strconv"
	"time"

	"sharedvault/backend/netconf"
	"sharedvault/backend/providers"
	"sharedvault/backend/vault"
)

// SettingsService is the Settings page: auto-lock, network (proxy,
// timeouts) and trusted CA certificates.
type SettingsService struct{ vs *VaultService }

// NewSettingsService returns the service.
func NewSettingsService(vs *VaultService) *SettingsService { return &SettingsService{vs: vs} }

// SettingsDTO is the editable settings.
type SettingsDTO struct {
	AutoLockMinutes int             `json:"auto_lock_minutes"`
	Network         netconf.Network `json:"network"`
}

// Get returns the current settings.
func (s *SettingsService) Get() (SettingsDTO, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return SettingsDTO{}, err
	}
	n, err := netconf.New(v).Network(bg())
	if err != nil {
		return SettingsDTO{}, err
	}
	return SettingsDTO{AutoLockMinutes: autoLockMinutes(v.AutoLock()), Network: n}, nil
}

// Save validates and stores the settings; auto-lock applies at once.
func (s *SettingsService) Save(in SettingsDTO) (SettingsDTO, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return SettingsDTO{}, err
	}
	if in.AutoLockMinutes < 1 || in.AutoLockMinutes > 240 {
		return SettingsDTO{}, &providers.ValidationError{Fields: []providers.FieldError{{Field: "auto_lock_minutes", Message: "must be between 1 and 240 minutes"}}}
	}
	if err := netconf.New(v).SetNetwork(bg(), in.Network); err != nil {
		return SettingsDTO{}, err
	}
	err = v.Update(bg(), func(tx *sql.Tx) error {
		if err := vault.SetSetting(bg(), tx, vault.SettingAutoLockMinutes, strconv.Itoa(in.AutoLockMinutes)); err != nil {
			return err
		}
		return v.Audit(bg(), tx, "settings.auto_lock", "auto_lock_minutes", map[string]string{"minutes": strconv.Itoa(in.AutoLockMinutes)})
	})
	if err != nil {
		return SettingsDTO{}, err
	}
	v.SetAutoLock(time.Duration(in.AutoLockMinutes) * time.Minute)
	return s.Get()
}

// TrustedCAs lists the extra CA certificates.
func (s *SettingsService) TrustedCAs() ([]netconf.CA, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return nil, err
	}
	return netconf.New(v).ListCAs(bg())
}

// AddCA trusts the CA certificate(s) in pem (pasted or read from a file by
// the page).
func (s *SettingsService) AddCA(pem string) ([]netconf.CA, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return nil, err
	}
	if _, err := netconf.New(v).AddCA(bg(), []byte(pem)); err != nil {
		return nil, err
	}
	return s.TrustedCAs()
}

// RemoveCA stops trusting the certificate with this sha256 fingerprint.
func (s *SettingsService) RemoveCA(fingerprint string) ([]netconf.CA, error) {
	v, err := s.vs.unlocked()
	if err != nil {
		return nil, err
	}
	if _, err := netconf.New(v).RemoveCA(bg(), fingerprint); err != nil {
		return nil, err
	}
	return s.TrustedCAs()
}
