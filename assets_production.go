//go:build (desktop || dev || bindings) && production

package main

import (
	"embed"
	"io/fs"
)

// A release build embeds the built frontend; without frontend/dist it fails
// to compile, loudly, instead of shipping an empty window.
//
//go:embed all:frontend/dist
var dist embed.FS

func frontendAssets() (fs.FS, error) {
	return fs.Sub(dist, "frontend/dist")
}
