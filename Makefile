# sharedvault — build and test entry points (Debian/Ubuntu hosts; see README.md).
#
#   make run    set up, build the release binary and open the window
#   make test   everything CI runs (.ci/run)
#   make fuzz   every fuzz target for FUZZTIME (default 30s) each

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO      ?= go
NPM     ?= npm
APP     := build/bin/sharedvault
CLI     := build/bin/sharedvault-cli
WAILS   := bin/wails
TAGS    := desktop,production,webkit2_41
STATICCHECK := bin/staticcheck
DIST    := dist
# `sharedvault version` prints VERSION: the nearest tag (or the commit) from git
# describe, -dirty with uncommitted changes; outside a git checkout, cli.Version's default.
# Computed once and exported, so `make dist` and the check of its output agree.
ifndef VERSION
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null)
endif
export VERSION
LDFLAGS := -s -w$(if $(VERSION), -X sharedvault/backend/cli.Version=$(VERSION))

# System packages: GUI build, real-window smoke test, browser tests.
APT_PACKAGES := build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev \
	xvfb imagemagick xdotool chromium chromium-driver age argon2 strace
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

NODE_STAMP := frontend/node_modules/.sharedvault-npm-ci

.PHONY: setup apt-packages go-deps frontend build build-cli dist run test lint check-layering fuzz bench bindings clean

## setup: install what is missing (system packages, Go modules, npm packages); safe to re-run
setup: apt-packages go-deps $(NODE_STAMP)

apt-packages:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
		dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "setup: installing$$missing"; \
		$(SUDO) apt-get update; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

go-deps:
	$(GO) mod download

# npm ci only when the lock file changed since the last install.
$(NODE_STAMP): frontend/package-lock.json frontend/package.json
	cd frontend && $(NPM) ci --no-audit --no-fund
	touch $@

## frontend: build frontend/dist (embedded by release builds)
frontend: $(NODE_STAMP)
	cd frontend && $(NPM) run build

## build: release binary with the window (needs GTK/WebKit and frontend/dist)
build: frontend
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(APP) .

## build-cli: headless binary for servers: no cgo, no GTK, no Wails
build-cli:
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o $(CLI) .

## dist: the release artefacts in dist/ (README "Release builds"): Linux window, Windows window, Linux CLI-only, SHA256SUMS
# Wails' Windows frontend needs no cgo, so the .exe cross-compiles here; -H windowsgui
# keeps Explorer from opening a console beside the window.
dist: frontend
	rm -rf $(DIST)
	mkdir -p $(DIST)
	GOOS=linux GOARCH=amd64 $(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(DIST)/sharedvault-linux-amd64 .
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -tags desktop,production -ldflags "$(LDFLAGS) -H windowsgui" -o $(DIST)/sharedvault-windows-amd64.exe .
	GOOS=linux GOARCH=amd64 CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o $(DIST)/sharedvault-cli-linux-amd64 .
	cd $(DIST) && sha256sum sharedvault-cli-linux-amd64 sharedvault-linux-amd64 sharedvault-windows-amd64.exe > SHA256SUMS

## run: build and open the window
run: setup build
	@if [ -z "$${DISPLAY:-}" ] && [ -z "$${WAYLAND_DISPLAY:-}" ]; then \
		echo "no display: use xvfb-run -a make run" >&2; exit 1; \
	fi
	./$(APP)

## test: layering check, lint, macOS CLI compile, Go tests (UI tests must not skip), fuzz seeds, frontend tests, make dist + its checks, real-window smoke test of the release binary
test: setup frontend
	$(MAKE) --no-print-directory check-layering
	$(MAKE) --no-print-directory lint
	CGO_ENABLED=0 GOOS=darwin GOARCH=arm64 $(GO) build -o /dev/null .
	SHAREDVAULT_UI_TESTS=1 $(GO) test ./...
	FUZZ_FRESH=1 FUZZ_MINIMIZE=100x GO=$(GO) scripts/fuzz.sh $(FUZZTIME_TEST)
	cd frontend && $(NPM) test
	$(MAKE) --no-print-directory dist
	$(GO) run ./tools/checkdist -dir $(DIST) -version "$(VERSION)"
	scripts/smoke-window.sh $(DIST)/sharedvault-linux-amd64

## lint: go vet and staticcheck, also over the window build (tags $(TAGS))
lint: $(STATICCHECK)
	$(GO) vet ./...
	$(GO) vet -tags $(TAGS) . ./app
	./$(STATICCHECK) ./...
	./$(STATICCHECK) -tags $(TAGS) . ./app

# backend/ must never link Wails: the CLI-only server build depends on it.
check-layering:
	@bad=$$($(GO) list -deps ./backend/... | grep wailsapp || true); \
	if [ -n "$$bad" ]; then echo "backend depends on Wails:" >&2; echo "$$bad" >&2; exit 1; fi; \
	echo "check-layering: backend/... links no wailsapp package"

## fuzz: run every fuzz target for FUZZTIME each (default 30s), printing the executions per target
# (make test runs each for FUZZTIME_TEST, from its seeds)
FUZZTIME      ?= 30s
FUZZTIME_TEST ?= 2s
fuzz:
	GO=$(GO) scripts/fuzz.sh $(FUZZTIME)

## bench: the performance targets of issue #7 as one table (not part of test; ~5 min); exit 1 = a target missed, 2 = could not measure
# The reference window (bare Wails template) is built once into build/bench/.
bench: setup build build-cli
	scripts/bench-bare.sh
	$(GO) run ./tools/benchtable

# staticcheck, pinned in its own module (see tools/staticcheck/tools.go).
$(STATICCHECK): tools/staticcheck/go.mod tools/staticcheck/go.sum
	$(GO) build -C tools/staticcheck -o ../../$(STATICCHECK) honnef.co/go/tools/cmd/staticcheck

# The Wails CLI, pinned in its own module (see tools/wails/tools.go).
$(WAILS): tools/wails/go.mod tools/wails/go.sum
	$(GO) build -C tools/wails -o ../../$(WAILS) github.com/wailsapp/wails/v2/cmd/wails

## bindings: regenerate frontend/wailsjs from the bound Go services
bindings: $(WAILS) $(NODE_STAMP)
	./$(WAILS) generate module
	find frontend/wailsjs -type f -exec chmod 0644 {} +

clean:
	rm -rf build/bin frontend/dist $(DIST)
