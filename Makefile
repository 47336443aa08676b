# opsmcp. `make demo` and `make test` are the whole set-up on a fresh machine.
GO        ?= go
NPM_DIR   := .cache/npm
INSPECTOR := $(NPM_DIR)/node_modules/.bin/mcp-inspector
STATICCHECK_VERSION := v0.8.2
# kustomize links Go's plugin package unless told not to, which exports every
# symbol of the binary: 460 MB instead of 260, and about 85 MB more resident
# at start. opsmcp never loads kustomize Go plugins.
export GOFLAGS += -tags=kustomize_disable_go_plugin_support

.PHONY: all build demo test test-go bench lint docs docs-check tools chromium kubesim kubesim-up kubesim-down clean

all: build

build:
	$(GO) build -o bin/ ./cmd/...

## demo: plan and apply the bundled workspace on embedded defaults
demo:
	$(GO) run ./cmd/opsmcp demo

## tools: the real MCP clients tests drive (MCP Inspector CLI, the TypeScript SDK, Node 22) from npm, and the browser
tools: $(INSPECTOR) chromium

## chromium: Debian's chromium, the real browser the team page's tests drive (chromedp)
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

$(INSPECTOR): tools/npm/package.json tools/npm/package-lock.json
	mkdir -p $(NPM_DIR)
	cp tools/npm/package.json tools/npm/package-lock.json $(NPM_DIR)/
	cd $(NPM_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## kubesim: build the real control plane tests run against (5-7 minutes once, then cached)
kubesim:
	bash tools/kubesim/build.sh >/dev/null

## kubesim-up DIR=path: start a cluster with 3 fake nodes in the background; writes DIR/kubeconfig
kubesim-up: kubesim
	@test -n "$(DIR)" || { echo "usage: make kubesim-up DIR=path" >&2; exit 2; }
	$(GO) run ./internal/testenv/kubesimctl up $(DIR)

## kubesim-down DIR=path: stop every process of the cluster in DIR
kubesim-down:
	@test -n "$(DIR)" || { echo "usage: make kubesim-down DIR=path" >&2; exit 2; }
	$(GO) run ./internal/testenv/kubesimctl down $(DIR)

## test: the whole suite (real terraform, real Kubernetes control plane, real MCP clients)
test: tools kubesim
	$(GO) test -count=1 ./...
	cd tools/otlpcheck && $(GO) test -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime=2s ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt: $$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

docs:
	$(GO) run ./cmd/opsmcp docs README.md

docs-check:
	$(GO) run ./cmd/opsmcp docs --check README.md

clean:
	rm -rf bin $(NPM_DIR)
