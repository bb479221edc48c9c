//go:build (desktop || dev || bindings) && !production

package main

import (
	"io/fs"
	"os"
)

// frontendAssets reads frontend/dist from disk in window builds without the
// production tag, so `go vet -tags desktop` works on a fresh clone without a
// built frontend (wails dev serves the frontend from Vite anyway). Builds
// without a window (main_nowindow.go) have no use for the frontend at all.
func frontendAssets() (fs.FS, error) {
	return os.DirFS("frontend/dist"), nil
}
