//go:build desktop || dev || bindings

package main

import (
	"fmt"
	"os"

	"sharedvault/app"
)

// runWindow opens the desktop window and blocks until it closes. Besides
// release builds (desktop), `wails dev` builds with the dev tag and
// `wails generate module` with the bindings tag; both need wails.Run.
func runWindow() int {
	assets, err := frontendAssets()
	if err != nil {
		fmt.Fprintf(os.Stderr, "sharedvault: error: load the frontend: %v\n", err)
		return 1
	}
	if err := app.Run(assets); err != nil {
		fmt.Fprintf(os.Stderr, "sharedvault: error: %v\n", err)
		return 1
	}
	return 0
}
