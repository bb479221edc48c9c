#!/usr/bin/env bash
# Real-window smoke test: start the release binary under Xvfb on a fresh vault
# path, wait for the frontend to report its first screen
# ("sharedvault: window ready: first-run" on stderr), screenshot the display
# and check it is not one flat colour. Exit status non-zero on any failure.
#
#   scripts/smoke-window.sh [BINARY]        (default build/bin/sharedvault)
#
# The screenshot is kept at $SMOKE_SHOT (default build/bin/smoke-first-run.png).
set -euo pipefail

timeout_s=30
# The "Loading…" frame has ~120 colours (anti-aliased text on flat grey); the
# first-run form has 600+. A blank or unpainted window has a handful.
min_colours=200

if [ "${1:-}" = "--inner" ]; then
	# Runs inside xvfb-run: DISPLAY points to the virtual screen.
	bin=$2 work=$3 shot=$4
	"$bin" >"$work/stdout.log" 2>"$work/stderr.log" &
	pid=$!
	trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
	ready=""
	for _ in $(seq $((timeout_s * 10))); do
		if grep -q '^sharedvault: window ready: first-run$' "$work/stderr.log"; then
			ready=1
			break
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "smoke: the app exited before the window was ready" >&2
			break
		fi
		sleep 0.1
	done
	if [ -z "$ready" ]; then
		echo "smoke: no 'window ready: first-run' line within ${timeout_s}s; app stderr:" >&2
		sed 's/^/  | /' "$work/stderr.log" >&2
		exit 1
	fi
	# The page reports ready after its next animation frame, but WebKit can
	# take a moment longer to put that frame on screen under Xvfb: retry.
	for _ in $(seq 20); do
		sleep 0.5
		import -window root "$shot"
		[ "$(convert "$shot" -format %k info:)" -ge "$min_colours" ] && break
	done
	exit 0
fi

bin=${1:-build/bin/sharedvault}
shot=${SMOKE_SHOT:-build/bin/smoke-first-run.png}
for tool in xvfb-run import convert; do
	command -v "$tool" >/dev/null || { echo "smoke: $tool is missing (make setup)" >&2; exit 1; }
done
[ -x "$bin" ] || { echo "smoke: $bin is not built (make build)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tmp" "$(dirname "$shot")"
rm -f "$shot"

start=$(date +%s)
# A fresh vault path shows the first-run screen; TMPDIR/XDG dirs keep
# WebKit's caches out of the user's home and /tmp.
SHAREDVAULT_PATH="$work/vault/vault.db" TMPDIR="$work/tmp" \
	XDG_CACHE_HOME="$work/cache" XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" \
	xvfb-run -a -s "-screen 0 1280x900x24" \
	"$0" --inner "$(realpath "$bin")" "$work" "$(realpath -m "$shot")"

colours=$(convert "$shot" -format %k info:)
if [ "$colours" -lt "$min_colours" ]; then
	echo "smoke: screenshot $shot has only $colours colours: the window looks blank" >&2
	exit 1
fi
if [ -s "$work/vault/vault.db" ]; then
	echo "smoke: showing the first-run screen must not create a vault file" >&2
	exit 1
fi
echo "smoke: window ready (first-run) in $(($(date +%s) - start))s, screenshot $shot has $colours colours"
