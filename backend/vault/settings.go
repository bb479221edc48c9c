package vault

import (
	"context"
	"database/sql"
	"errors"
)

// Setting keys (non-secret unless noted).
const (
	SettingGlobalSharedSecret = "global_shared_secret" // "true" / "false"
	SettingDevOpsMethod       = "devops_method"        // "pat" / "sp"
	SettingAutoLockMinutes    = "auto_lock_minutes"
	SettingSigningKey         = "signing_key" // sealed
	SettingExportSequence     = "export_sequence"
	settingFingerprintKey     = "fingerprint_key" // sealed
)

// Querier is satisfied by *sql.DB and *sql.Tx.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// RowsQuerier is a Querier that also runs multi-row queries (*sql.DB,
// *sql.Tx, CachedQuerier, TxQuerier).
type RowsQuerier interface {
	Querier
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Setting reads a setting; ok is false when it was never set.
func Setting(ctx context.Context, q Querier, key string) (value string, ok bool, err error) {
	err = q.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return value, err == nil, err
}

// SetSetting writes a setting inside tx.
func SetSetting(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value)
	return err
}
