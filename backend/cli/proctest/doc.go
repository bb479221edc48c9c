// Package proctest runs the CLI as real child processes (this test binary
// re-executed as `sharedvault`) to check what only a whole process shows:
// how it behaves as a non-root user under a low locked-memory limit, and
// that no secret reaches its argv, its environment or any file it writes.
// The tests are Linux-only: they read /proc and switch users.
package proctest
