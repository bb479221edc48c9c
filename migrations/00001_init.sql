-- +goose Up
-- The vault header: one row. KDF parameters and salt live here so they can be
-- raised later by re-wrapping the data key only.
CREATE TABLE vault_header (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    vault_id         TEXT    NOT NULL,
    format_version   INTEGER NOT NULL,
    kdf_algorithm    TEXT    NOT NULL,
    kdf_memory_kib   INTEGER NOT NULL,
    kdf_iterations   INTEGER NOT NULL,
    kdf_parallelism  INTEGER NOT NULL,
    kdf_salt         BLOB    NOT NULL,
    wrapped_data_key BLOB    NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);

-- Non-secret settings: global toggle, selected DevOps method, auto-lock minutes,
-- network timeouts, proxy. Values are JSON-encoded or plain text.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every stored secret, all versions. The newest version of a name is current;
-- the last 10 are kept. Non-secret fields of the same record (username,
-- organisation, client id...) are in meta as JSON; the secret value is sealed.
CREATE TABLE secrets (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,      -- devops.pat | devops.sp | jira.token | board:<board id>
    version     INTEGER NOT NULL,
    meta        TEXT    NOT NULL,      -- JSON, never a secret
    sealed      BLOB    NOT NULL,      -- AEAD(nonce || ciphertext), AD binds vault, kind, name, field, version
    fingerprint TEXT    NOT NULL,
    expires_at  TEXT,                  -- YYYY-MM-DD or NULL
    created_at  TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE boards (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE,
    system       TEXT    NOT NULL CHECK (system IN ('devops', 'jira')),
    project      TEXT    NOT NULL,
    area_path    TEXT    NOT NULL DEFAULT '',
    use_global   INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE INDEX boards_system ON boards (system, use_global);

-- Tamper-evident audit log: mac = HMAC(audit key, prev mac || canonical entry).
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    os_user     TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    detail      TEXT NOT NULL,         -- JSON: fingerprints, flags; never values
    mac         TEXT NOT NULL
);

-- Failed unlock attempts cannot be chained (no key yet); they wait here and are
-- moved into the audit chain at the next successful unlock.
CREATE TABLE pending_audit (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    os_user TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL
);

-- Extra CA certificates for on-prem servers (public data, stored as PEM).
CREATE TABLE trusted_cas (
    fingerprint TEXT PRIMARY KEY,      -- sha256 of DER, hex
    subject     TEXT NOT NULL,
    not_after   TEXT NOT NULL,
    pem         TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    added_by    TEXT NOT NULL
);

-- Bundle bookkeeping: the last sequence imported per signer (replay protection)
-- and the last sequence exported by this vault.
CREATE TABLE bundle_imports (
    signer_key    TEXT PRIMARY KEY,    -- base64 Ed25519 public key
    last_sequence INTEGER NOT NULL,
    imported_at   TEXT NOT NULL
);

-- +goose Down
DROP TABLE bundle_imports;
DROP TABLE trusted_cas;
DROP TABLE pending_audit;
DROP TABLE audit_log;
DROP TABLE boards;
DROP TABLE secrets;
DROP TABLE settings;
DROP TABLE vault_header;
