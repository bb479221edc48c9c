package app

// EventVaultLocked is emitted after the vault locked for any reason.
const EventVaultLocked = "vault:locked"

// Emitter publishes events to the frontend. The window uses Wails'
// runtime.EventsEmit; tests use an SSE stream.
type Emitter interface {
	Emit(name string, data ...any)
}
