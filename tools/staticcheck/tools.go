//go:build tools

// Package tools pins staticcheck (honnef.co/go/tools v0.8.2) in its own module,
// so its dependencies stay out of sharedvault's go.mod. Build it with
//
//	go build -C tools/staticcheck -o ../../bin/staticcheck honnef.co/go/tools/cmd/staticcheck
package tools

import (
	_ "honnef.co/go/tools/cmd/staticcheck"
)
