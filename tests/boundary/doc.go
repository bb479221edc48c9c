// Package boundary holds the end-to-end tests of the webview boundary and
// the air gap: the release window (under Xvfb, driven through WebKit's own
// remote inspector) and the headless CLI binary run their main flows while
// strace records every connection attempt, and only the loopback emulators
// the test configured may be reached. It has no non-test code.
package boundary
