// Package app is the desktop window's front door: the only Go package
// (besides main_window.go) that imports Wails.
//
// # Shape
//
// Run builds the object graph (vault path, services, lifecycle) and hands it
// to wails.Run. Each area of the product is one bound service struct
// (VaultService now; ProvidersService, BoardsService, … later). Their exported
// methods become window.go.app.<Service>.<Method> in the webview and return
// (T, error); FormatError turns every error into an ErrorDTO {code, message,
// fields} that frontend/src/api narrows once.
//
// # Secrets
//
// Bound methods take passphrases and secret values write-only and never
// return them. Lifecycle hooks are methods of the unexported lifecycle type so
// Wails does not bind them.
//
// # Events
//
// Services publish through the small Emitter interface; in the window it is
// runtime.EventsEmit, in tests an SSE stream. EventVaultLocked is emitted
// whenever the vault locks (Lock button, auto-lock, shutdown).
package app
