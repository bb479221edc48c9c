// Package vault is the encrypted core of sharedvault: the key hierarchy, the
// sealing of secret fields, and the locked/unlocked lifecycle.
//
// # Threat model
//
// The vault file may be copied, read or edited by someone without the
// passphrase. They must learn no secret value and must not be able to swap,
// replay or alter a sealed field without detection. Memory of a running,
// unlocked process is protected on a best-effort basis (memguard: mlock'd,
// guarded pages, no core dumps); a locked process holds no key material.
//
// # Key hierarchy
//
//	passphrase ──Argon2id(salt, m, t, p)──▶ KEK (32 B, transient)
//	KEK ──XChaCha20-Poly1305──▶ wraps the data key (32 random bytes)
//	data key ──XChaCha20-Poly1305──▶ every secret field (fresh 24-byte nonce)
//	data key ──HKDF-SHA256("sharedvault audit v1")──▶ audit chain HMAC key
//
// The wrap's associated data binds the vault id and the KDF parameters, so a
// header edited to weaker parameters fails to unlock. A sealed field's
// associated data binds the vault id, record kind, record id, field name and
// version (AD), so a ciphertext moved to another row, field or version fails
// to open. Changing the passphrase re-wraps the data key only, in one
// transaction; sealed fields are untouched.
//
// # Parameters
//
// Defaults are RFC 9106's second recommendation: Argon2id, m = 64 MiB, t = 3,
// p = 4. They are stored in the header with a format version and checked for
// a sane range before use (x/crypto panics on t = 0 or p = 0). Tests lower the
// cost for the vaults they create with SetKDFForTests; production code never
// calls it.
//
// # Lifecycle
//
// Open returns a locked vault. Unlock derives the KEK, unwraps the data key
// into a memguard Enclave and starts the idle timer; Lock (explicit or after
// the idle time) destroys the Enclave. Decrypted values are returned as
// memguard LockedBuffers that the caller destroys right after use.
package vault
