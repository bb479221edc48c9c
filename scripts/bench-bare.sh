#!/usr/bin/env bash
# Builds the reference window for `make bench`: the bare Wails vanilla-ts
# template (pinned CLI bin/wails), instrumented minimally — its page calls the
# Greet binding once the first frame is drawn, and Greet prints
# "bare window ready" on stderr — built like build/bin/sharedvault
# (npm install + vite build, then go build -tags desktop,production,webkit2_41
# -ldflags "-s -w"). Output: build/bench/bare/bare. Reused when present;
# delete build/bench/ to rebuild.
#
#   scripts/bench-bare.sh
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/bench/bare
bin=$out/bare
if [ -x "$bin" ]; then
	echo "bench-bare: reusing $bin"
	exit 0
fi

make --no-print-directory bin/wails >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out"
mkdir -p build/bench
# wails init writes only the project (it runs go mod tidy: Go proxy).
./bin/wails init -n bare -t vanilla-ts -d "$tmp/bare" >"$tmp/init.log" 2>&1 ||
	{ cat "$tmp/init.log" >&2; exit 1; }
mv "$tmp/bare" "$out"

cat >"$out/app.go" <<'GO'
package main

import (
	"context"
	"fmt"
	"os"
)

// App struct
type App struct {
	ctx context.Context
}

// NewApp creates a new App application struct
func NewApp() *App {
	return &App{}
}

// startup is called when the app starts.
func (a *App) startup(ctx context.Context) {
	a.ctx = ctx
}

// Greet returns a greeting for the given name. Bench instrumentation: it
// reports that the page called its first binding.
func (a *App) Greet(name string) string {
	fmt.Fprintln(os.Stderr, "bare window ready")
	return fmt.Sprintf("Hello %s, It's show time!", name)
}
GO
cat >>"$out/frontend/src/main.ts" <<'TS'

// Bench instrumentation: first binding call once the first frame is drawn
// (what sharedvault's page does before it reports "window ready").
requestAnimationFrame(() => {
    Greet('bench').catch((err) => console.error(err));
});
TS

(cd "$out/frontend" && npm install --no-audit --no-fund >/dev/null && npm run build >/dev/null)
(cd "$out" && go build -tags desktop,production,webkit2_41 -ldflags "-s -w" -o bare .)
echo "bench-bare: built $bin"
