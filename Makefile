# ibkr-go developer tasks. `make test` is what CI runs.
GO ?= go
PKGS := ./...
# fuzz: time per fuzz target; bench: rounds and output file.
FUZZTIME ?= 10s
BENCH_COUNT ?= 5
BENCH_OUT ?= bench.txt

.PHONY: all test vet gen-check generate build bench fuzz lint

all: test

build:
	$(GO) build $(PKGS)

## generate: regenerate gen/ from api/openapi.yaml with the pinned oapi-codegen
generate:
	$(GO) run ./cmd/gen-check -write

## gen-check: fail if gen/ is stale or the spec breaks a rule
gen-check:
	$(GO) run ./cmd/gen-check

vet:
	$(GO) vet $(PKGS)

## test: vet, drift check, and the whole suite under the race detector
test: vet gen-check
	$(GO) test -race -count=1 $(PKGS)

## bench: every benchmark BENCH_COUNT times (interleaved) into BENCH_OUT, then the goals of BENCHMARKS.md
bench:
	GO=$(GO) BENCH_COUNT=$(BENCH_COUNT) BENCH_OUT=$(BENCH_OUT) bash scripts/bench.sh

## fuzz: every fuzz target for FUZZTIME each; crashers land in testdata/fuzz next to their package
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

## lint: staticcheck, the version pinned in go.mod (tools.go)
lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck $(PKGS)
