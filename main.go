// Command sharedvault keeps the global shared secrets that board
// integrations use for Azure DevOps and Jira.
//
// With no arguments it opens the desktop window (builds with the desktop
// tag); with a subcommand it runs headless through backend/cli, which is all a
// CGO_ENABLED=0 server build contains.
package main

import (
	"context"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"sharedvault/backend/cli"
)

func main() {
	args := windowArgs(os.Args[1:])
	if len(args) == 0 {
		os.Exit(runWindow())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// windowArgs drops the process serial number argument (-psn_…) that older
// macOS versions pass to apps launched from Finder, so such a launch still
// opens the window.
func windowArgs(args []string) []string {
	out := args[:0:0]
	for _, a := range args {
		if !strings.HasPrefix(a, "-psn_") {
			out = append(out, a)
		}
	}
	return out
}
