package app

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"sharedvault/backend/vault"
)

// Services is every bound service; Bind lists them for Wails and the test
// dispatcher alike, so a new service is added in one place.
type Services struct {
	Vault     *VaultService
	Providers *ProvidersService
	Boards    *BoardsService
	Connect   *ConnectService
	Bundles   *BundlesService
	Audit     *AuditService
	Settings  *SettingsService
}

// Bind returns the structs whose exported methods the webview may call.
func (s *Services) Bind() []any {
	return []any{s.Vault, s.Providers, s.Boards, s.Connect, s.Bundles, s.Audit, s.Settings}
}

// NewServices builds the object graph for the vault at path.
func NewServices(path string, opt vault.Options, emit Emitter, log io.Writer) *Services {
	vs := NewVaultService(VaultConfig{Path: path, Options: opt, Emitter: emit, Log: log})
	bs := NewBoardsService(vs)
	ps := NewProvidersService(vs)
	ps.impact = bs.impactOf
	ps.usage = bs.usageCounts
	return &Services{
		Vault:     vs,
		Providers: ps,
		Boards:    bs,
		Connect:   NewConnectService(vs, emit),
		Bundles:   NewBundlesService(vs),
		Audit:     NewAuditService(vs),
		Settings:  NewSettingsService(vs),
	}
}

// VaultPath is SHAREDVAULT_PATH when set, else the per-user default.
func VaultPath() (string, error) {
	if p := os.Getenv("SHAREDVAULT_PATH"); p != "" {
		return p, nil
	}
	return vault.DefaultPath()
}

// Run opens the window and blocks until it closes. assets is the built
// frontend (frontend/dist).
func Run(assets fs.FS) error {
	path, err := VaultPath()
	if err != nil {
		return fmt.Errorf("find the vault: %w", err)
	}
	if w := vault.MemlockWarning(); w != "" {
		fmt.Fprintf(os.Stderr, "sharedvault: warning: %s\nsharedvault: hint: %s\n", w, vault.MemlockHint())
	}
	emit := &wailsEmitter{}
	svc := NewServices(path, vault.Options{}, emit, os.Stderr)
	lc := &lifecycle{services: svc, emitter: emit}

	return wails.Run(&options.App{
		Title:            "sharedvault",
		Width:            1100,
		Height:           760,
		MinWidth:         720,
		MinHeight:        520,
		BackgroundColour: options.NewRGB(0xf6, 0xf7, 0xf9),
		AssetServer:      &assetserver.Options{Assets: assets, Middleware: securityHeaders},
		OnStartup:        lc.startup,
		OnShutdown:       lc.shutdown,
		Bind:             svc.Bind(),
		ErrorFormatter:   FormatError,
		// GPU policy Never, as Wails uses when no Linux options are given:
		// "Always" (the zero value) costs ~1.5 s of start-up and ~90 MB of
		// WebKit memory for a page of forms (make bench measures both).
		Linux: &linux.Options{ProgramName: "sharedvault", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
	})
}

// lifecycle holds the Wails hooks; unexported so Wails does not bind them.
type lifecycle struct {
	services *Services
	emitter  *wailsEmitter
}

func (l *lifecycle) startup(ctx context.Context) {
	guardNavigation()
	l.emitter.attach(ctx)
}

func (l *lifecycle) shutdown(ctx context.Context) {
	// The webview is going away: closing the vault must not emit into it.
	l.emitter.detach()
	if err := l.services.Vault.close(); err != nil {
		fmt.Fprintf(os.Stderr, "sharedvault: error: close the vault: %v\n", err)
	}
	vault.Purge()
}

// wailsEmitter emits through the Wails runtime once the window has started.
type wailsEmitter struct {
	mu  sync.Mutex
	ctx context.Context
}

// attach starts emitting into the window whose Wails context ctx is.
func (e *wailsEmitter) attach(ctx context.Context) {
	e.mu.Lock()
	e.ctx = ctx
	e.mu.Unlock()
}

// detach stops emitting: the window is gone.
func (e *wailsEmitter) detach() {
	e.mu.Lock()
	e.ctx = nil
	e.mu.Unlock()
}

func (e *wailsEmitter) Emit(name string, data ...any) {
	e.mu.Lock()
	ctx := e.ctx
	e.mu.Unlock()
	if ctx != nil {
		runtime.EventsEmit(ctx, name, data...)
	}
}
