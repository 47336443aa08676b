# opsmcp. `make demo` and `make test` are the whole set-up on a fresh machine.
GO        ?= go
NPM_DIR   := .cache/npm
INSPECTOR := $(NPM_DIR)/node_modules/.bin/mcp-inspector
STATICCHECK_VERSION := v0.8.2

.PHONY: all build demo test test-go bench lint docs docs-check tools clean

all: build

build:
	$(GO) build -o bin/ ./cmd/...

## demo: plan and apply the bundled workspace on embedded defaults
demo:
	$(GO) run ./cmd/opsmcp demo

## tools: the real MCP clients tests drive (MCP Inspector CLI, Node 22) from npm
tools: $(INSPECTOR)

$(INSPECTOR): tools/npm/package.json tools/npm/package-lock.json
	mkdir -p $(NPM_DIR)
	cp tools/npm/package.json tools/npm/package-lock.json $(NPM_DIR)/
	cd $(NPM_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## test: the whole suite (real terraform, real MCP clients)
test: tools
	$(GO) test -count=1 ./...

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
