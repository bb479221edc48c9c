// Package bundle reads and writes sharedvault configuration bundles: the
// encrypted, signed files that carry providers, boards and settings from an
// administrator's vault to the servers that use them.
//
// # Format
//
// A bundle is a standard age file (https://age-encryption.org/v1), binary or
// ASCII-armored, so any age implementation can decrypt it. The plaintext is a
// single JSON object:
//
//	{"format":"sharedvault-bundle","format_version":1,
//	 "manifest":{"vault_id":…,"sequence":…,"created_at":…,"expires_at":…,"signer":…,"contents":[…]},
//	 "payload":{…caller-defined object…},
//	 "signature":"<base64 Ed25519 signature>"}
//
// FORMAT.md in this directory documents every field.
//
// # Signature
//
// The Ed25519 signature (RFC 8032, pure Ed25519) is over the byte string
//
//	"sharedvault-bundle-v1\n" || canonical(manifest) || "\n" || SHA-256(canonical(payload))
//
// where the SHA-256 digest is the raw 32 bytes (not hex) and
//
//   - canonical(manifest) is the manifest encoded by Go's encoding/json from
//     the [Manifest] struct with HTML escaping disabled: no whitespace, keys in
//     the order vault_id, sequence, created_at, expires_at (omitted when there
//     is no expiry), signer, contents; each content entry as kind, name,
//     fingerprint; times in RFC 3339 as Go prints them (writers store UTC
//     with whole seconds, e.g. "2026-01-02T03:04:05Z").
//   - canonical(payload) is the payload JSON with insignificant whitespace
//     removed (Go's json.Compact); string escapes are kept as written.
//
// Writers put exactly these canonical bytes into the plaintext, so a third
// party can verify a decrypted bundle by taking the raw bytes of the
// "manifest" and "payload" values, building the message above and checking it
// with the signer's public key. Open itself re-encodes the decoded manifest
// rather than trusting the raw bytes, so what it returns is exactly what was
// signed (no duplicate-key or case-folding ambiguity).
//
// # Threat model
//
// Confidentiality and integrity of the file come from age: only holders of a
// recipient's identity (X25519, hybrid ML-KEM-768+X25519, or the scrypt
// passphrase) can read it, and any modified byte fails age's header MAC or
// payload AEAD ([ErrTampered]). age alone does not say who wrote a file —
// anyone who knows a recipient's public key can encrypt to it — so the
// manifest and payload are signed with the exporting vault's Ed25519 key and
// the importer only accepts signers it was told to trust
// ([ErrUntrustedSigner], [ErrBadSignature]). Expiry limits how long a leaked
// bundle plus identity stays useful ([ErrExpired]); the per-signer sequence
// number stops an old, validly signed bundle from being replayed to roll a
// server back to revoked credentials ([ErrReplayed]).
//
// Not covered: a compromised exporting machine, or an attacker holding both
// the importer's identity and a trusted signing key. Secrets in the payload
// are plain strings inside the encrypted plaintext; callers own the memory
// hygiene of the [Bundle] they pass in and receive.
//
// Hostile input: the decrypted size is capped at [MaxPlaintextSize] and the
// JSON is parsed only after age has authenticated it.
package bundle
