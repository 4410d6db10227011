// Command gen-check keeps package gen honest. It validates api/openapi.yaml,
// checks that every operation carries an operationId, an IBKR security
// policy and its scopes, regenerates gen/ in memory with the pinned
// oapi-codegen and compares the result byte for byte with the files on disk.
//
// Usage:
//
//	go run ./cmd/gen-check          # check; exit 1 on drift or problems
//	go run ./cmd/gen-check -write   # regenerate gen/ (what `make generate` does)
//
// Run it from the repository root, or pass -root.
package main

//go:generate go run . -root ../.. -write

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/ibkrweb/ibkr-go/internal/gencheck"
)

func main() {
	root := flag.String("root", ".", "repository root")
	write := flag.Bool("write", false, "rewrite gen/ instead of reporting drift")
	flag.Parse()
	os.Exit(run(*root, *write))
}

func run(root string, write bool) int {
	res, err := gencheck.Check(context.Background(), root, write)
	for _, p := range res.Problems {
		fmt.Fprintln(os.Stderr, "spec:", p)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-check:", err)
		return 2
	}
	for _, d := range res.Drift {
		fmt.Fprintln(os.Stderr, "drift:", d)
	}
	if !res.OK() {
		if len(res.Drift) > 0 {
			fmt.Fprintln(os.Stderr, "gen-check: gen/ is stale; run `go run ./cmd/gen-check -write` (make generate)")
		}
		return 1
	}
	if write {
		fmt.Println("gen-check: regenerated gen/")
	} else {
		fmt.Println("gen-check: spec valid, gen/ up to date")
	}
	return 0
}
