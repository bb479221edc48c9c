//go:build !production

package main

import (
	"io/fs"
	"os"
)

// frontendAssets reads frontend/dist from disk outside release builds, so
// `go build`, `go vet` and `go test` work on a fresh clone without a built
// frontend (wails dev serves the frontend from Vite anyway).
func frontendAssets() (fs.FS, error) {
	return os.DirFS("frontend/dist"), nil
}
