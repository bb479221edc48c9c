// Package boards keeps the board integrations: one board is one
// project-management board connected to Azure DevOps or Jira (a project, for
// DevOps an optional Area Path) and the toggle "Use Global Default
// Secret/PAT token".
//
// # Credential resolution
//
// Every caller that needs a board's credential (connectivity tests, bundles,
// integrations) goes through Service.Resolve, which applies one set of rules
// (state.resolve) that List, Usage and the impact previews share:
//
//   - toggle on, "Use Global Integration Shared Secret" on, provider
//     configured: the shared provider's selected method (devops: the
//     devops_method setting picks devops.pat or devops.sp; jira: jira.token);
//   - toggle on, global secret off: a *ResolveError with code global_disabled;
//   - toggle on, provider not configured: code not_configured;
//   - toggle off: the board's own credentials (secret "board:<board id>"),
//     or not_configured.
//
// A board never holds a copy of a shared secret: it resolves to the shared
// record at the moment of use, so replacing, rolling back or switching the
// shared method changes every board that uses it at once. The impact
// previews (Service.Impact) list those boards before such a change.
//
// # Secrets
//
// Board-own credentials are stored by providers.Secrets exactly like the
// shared ones: validated and cleaned by the providers forms, sealed with the
// AEAD bound to "board:<id>" and the version, the last versions kept for
// rollback, every change audited. A Credential carries the sealed record and
// opens it only inside Apply or Secret, into memguard buffers that are
// destroyed right after use; its exported fields and its JSON never hold the
// value.
//
// # Scale
//
// List reads every board with one query, the few shared secrets with one,
// and the current fingerprint of every board-own secret with one grouped
// query; nothing is decrypted. 10,000 boards list in about 20 ms (see
// BenchmarkList10000).
package boards
