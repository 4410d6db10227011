// Command leanimport is the smallest program that links package ibkr. It
// prints what importing ibkr costs before main runs: bytes and objects
// allocated by package initialisation and the heap kept afterwards.
// scripts/leanimport.sh builds it and adds the binary size and the count
// of non-standard packages it links (BENCHMARKS.md, "Importing ibkr").
package main

import (
	"fmt"
	"runtime"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// keep makes the linker keep the client constructor and what it reaches.
var keep = ibkr.New

func main() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Printf("init_alloc_bytes %d\ninit_alloc_objects %d\nheap_inuse_bytes %d\n", m.TotalAlloc, m.Mallocs, m.HeapAlloc)
	_ = keep
}
