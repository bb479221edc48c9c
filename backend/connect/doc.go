// Package connect tests, from this machine, whether stored credentials can
// reach Azure DevOps (Services or Server, by PAT or Entra service principal)
// and Jira (Cloud or Data Center), and explains any failure as one result
// code, a message and a hint.
//
// # Credentials
//
// The prober never holds a credential longer than one Test call: the caller
// hands in a SecretFunc, connect asks for the bytes right before the first
// authenticated request and calls release when Test returns, so the caller
// can keep the value in a memguard buffer and destroy it afterwards.
// net/http needs the Authorization header as a Go string, which cannot be
// wiped; that copy is the unavoidable residue and it is never logged.
// Result strings are scrubbed for the secret as a last line of defence.
//
// # Transport rules
//
//   - Credentials go only to the configured host, and only over HTTPS.
//     Plain http:// is refused (insecure_url) unless the host is loopback,
//     which is what the emulator-based tests use.
//   - Redirects are never followed: Azure DevOps answers a bad credential
//     with a redirect to a sign-in page, and following it would both leak
//     the Authorization header to another host and turn the failure into a
//     misleading 200 text/html.
//   - Every request carries Accept: application/json; Azure DevOps requests
//     also carry X-TFS-FedAuthRedirect: Suppress so a rejection is a 401.
//   - The transport is a clone of http.DefaultTransport with the system
//     roots plus the vault's trusted CAs, TLS 1.2 minimum, the configured or
//     environment proxy, a connect timeout, and an overall deadline.
//
// # Diagnosis
//
// Each probe is a fixed sequence of steps (Checks). The first step that
// fails decides the Result; the mapping from wire signals to codes follows
// the failure table of the connectivity reference (protocols.md §7), and it
// prefers status codes and service headers (X-TFS-ServiceError,
// X-Seraph-LoginReason) over body text, because the bodies vary.
package connect
