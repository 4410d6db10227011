// Command ibkr is the command-line companion of ibkr-go: it generates and
// checks the keys IBKR's onboarding asks for, runs the local sandbox, walks
// the money-routing journey end to end (ibkr demo) and answers operators'
// read-only questions. Run "ibkr help" for the commands and exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
