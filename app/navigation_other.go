//go:build !(linux && desktop && !dev)

package app

// guardNavigation: only the Linux release window has a native guard (see
// navigation_linux.go); elsewhere the frontend's guard and the CSP apply.
func guardNavigation() {}
