//go:build !desktop && !dev && !bindings

package main

import (
	"fmt"
	"os"
)

// runWindow explains that this build is CLI-only: without the desktop tag
// neither Wails nor GTK/WebKit is linked, which is what servers need.
func runWindow() int {
	fmt.Fprintln(os.Stderr, "sharedvault: error: this build has no window (built without the desktop tag); use a subcommand, see sharedvault --help")
	return 2
}
