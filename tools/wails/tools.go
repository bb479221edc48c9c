//go:build tools

// Package tools pins the Wails CLI (v2.9.2) in its own module. Installing it with
// `go install …@v2.9.2` fails on Go ≥ 1.25 because it pins an old golang.org/x/tools;
// this module raises x/tools to a version that compiles. Build it with
//
//	go build -C tools/wails -o ../../bin/wails github.com/wailsapp/wails/v2/cmd/wails
package tools

import (
	_ "github.com/wailsapp/wails/v2/cmd/wails"
)
