#!/usr/bin/env bash
# Real-window smoke test: start the release binary under Xvfb on a fresh vault
# path, wait for the frontend to report its first screen
# ("sharedvault: window ready: first-run" on stderr), screenshot the display
# and check it is not one flat colour. Exit status non-zero on any failure.
#
#   scripts/smoke-window.sh [BINARY]        (default build/bin/sharedvault)
#
# The screenshot is kept at $SMOKE_SHOT (default build/bin/smoke-first-run.png),
# the second run's next to it (smoke-first-run-memlock.png).
#
# A second run starts the window as a non-root user (nobody when run as
# root, which ignores RLIMIT_MEMLOCK) under `ulimit -l 64`: it must show the
# first-run screen with the locked-memory banner, create a vault through the
# form (memguard's locked pages in use) and reach the console, with the
# warning logged once and no panic.
set -euo pipefail

timeout_s=30
# The passphrase the second run types into the window: a canary that must
# not be written anywhere (WebKit's caches and storage included).
smoke_pass='Quiet lantern orbit 7 marble!'
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

if [ "${1:-}" = "--inner-memlock" ]; then
	# Runs inside xvfb-run as the non-root user under `ulimit -l 64`.
	bin=$2 work=$3
	cd "$HOME"
	"$bin" >"$work/stdout.log" 2>"$work/stderr.log" &
	pid=$!
	trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
	wait_ready() {
		for _ in $(seq $((timeout_s * 10))); do
			grep -q "^sharedvault: window ready: $1\$" "$work/stderr.log" && return 0
			kill -0 "$pid" 2>/dev/null || { echo "smoke: the app exited before the $1 screen" >&2; return 1; }
			sleep 0.1
		done
		echo "smoke: no 'window ready: $1' line within ${timeout_s}s" >&2
		return 1
	}
	wait_ready first-run
	# The banner's background (#fff8e5) is on no other first-run element.
	for _ in $(seq 20); do
		sleep 0.5
		import -window root "$work/memlock.png"
		px=$(convert "$work/memlock.png" -fill black +opaque "#fff8e5" -fill white -opaque "#fff8e5" -format "%[fx:round(mean*w*h)]" info:)
		[ "$px" -ge 5000 ] && break
	done
	echo "$px" >"$work/banner-px"
	# Create the vault through the form: the first field has the focus.
	wid=$(xdotool search --sync --onlyvisible --name sharedvault | head -1)
	xdotool windowfocus --sync "$wid" 2>/dev/null || true
	xdotool type --delay 5 "$smoke_pass"
	xdotool key Tab
	xdotool type --delay 5 "$smoke_pass"
	xdotool key Return
	wait_ready console
	cat "/proc/$pid/cmdline" "/proc/$pid/environ" >"$work/proc-sample"
	grep '^VmLck:' "/proc/$pid/status" | tr -s ' \t' ' ' >"$work/vmlck"
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	echo "$rc" >"$work/exit"
	trap - EXIT
	exit 0
fi

bin=${1:-build/bin/sharedvault}
shot=${SMOKE_SHOT:-build/bin/smoke-first-run.png}
for tool in xvfb-run import convert xdotool; do
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

# Second run: a non-root user under `ulimit -l 64`. Its files live in a
# world-traversable folder the user owns; the binary and this script are
# copied there so the user can run them wherever the checkout is.
start=$(date +%s)
mem=$(mktemp -d)
trap 'rm -rf "$work" "$mem"' EXIT
chmod 755 "$mem"
mkdir -p "$mem/home" "$mem/tmp" "$mem/cache" "$mem/data" "$mem/config"
cp "$bin" "$mem/sharedvault"
cp "$0" "$mem/smoke-window.sh"
as_user=() who=$(id -un)
if [ "$(id -u)" = 0 ]; then
	who=nobody
	command -v setpriv >/dev/null || { echo "smoke: setpriv (util-linux) is missing: cannot run the window as a non-root user" >&2; exit 1; }
	chown -R nobody:"$(id -g nobody)" "$mem"
	as_user=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups --)
fi
(
	ulimit -l 64
	"${as_user[@]}" env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME="$mem/home" TMPDIR="$mem/tmp" \
		XDG_CACHE_HOME="$mem/cache" XDG_DATA_HOME="$mem/data" XDG_CONFIG_HOME="$mem/config" \
		SHAREDVAULT_PATH="$mem/vault/vault.db" \
		xvfb-run -a -s "-screen 0 1280x900x24" \
		"$mem/smoke-window.sh" --inner-memlock "$mem/sharedvault" "$mem"
) || { echo "smoke: the window under ulimit -l 64 failed; app stderr:" >&2; sed 's/^/  | /' "$mem/stderr.log" >&2; exit 1; }
memshot="${shot%.png}-memlock.png"
cp "$mem/memlock.png" "$memshot" 2>/dev/null || true
fail() {
	echo "smoke: under ulimit -l 64: $1; app stderr:" >&2
	sed 's/^/  | /' "$mem/stderr.log" >&2
	exit 1
}
warning='sharedvault: warning: memory locking is limited: the locked-memory limit (ulimit -l) is 64 KiB'
[ "$(grep -c "^$warning" "$mem/stderr.log")" = 1 ] || fail "want the warning '$warning…' once on stderr"
if grep -Eq 'panic|fatal error|goroutine [0-9]|SIGSEGV|could not acquire lock' "$mem/stderr.log"; then fail "the app panicked"; fi
[ "$(cat "$mem/banner-px")" -ge 5000 ] || fail "no locked-memory banner on the first-run screen ($(cat "$mem/banner-px") banner pixels, screenshot $memshot)"
[ -s "$mem/vault/vault.db" ] || fail "creating the vault through the window left no vault file"
read -r _ kb _ <"$mem/vmlck"
[ "$kb" -gt 0 ] || fail "no locked memory (VmLck $kb kB) with the vault open: keys are not in locked pages"
[ "$(cat "$mem/exit")" = 0 ] || fail "exit status $(cat "$mem/exit") after SIGTERM"
scanned=("$mem/home" "$mem/tmp" "$mem/cache" "$mem/data" "$mem/config" "$mem/vault" "$mem/proc-sample" "$mem/stdout.log" "$mem/stderr.log")
for form in "$smoke_pass" "$(printf %s "$smoke_pass" | od -An -tx1 | tr -d ' \n')" "$(printf %s "$smoke_pass" | base64 -w0 | tr -d =)"; do
	# Control: the same grep finds the form in a planted file.
	printf 'x%sy' "$form" >"$mem/planted"
	grep -qaiF -- "$form" "$mem/planted" || fail "the leak grep does not find a planted form"
	if leaked=$(grep -rlaiF -- "$form" "${scanned[@]}"); then
		fail "the typed passphrase (or its hex/base64) is in: $leaked"
	fi
done
echo "smoke: under ulimit -l 64 as $who: warned once, banner shown ($(cat "$mem/banner-px") px), vault created, console ready with $kb kB locked, clean exit, in $(($(date +%s) - start))s"
