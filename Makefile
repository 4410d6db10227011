# ibkr-go developer tasks. `make test` is what CI runs.
GO ?= go
PKGS := ./...

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
