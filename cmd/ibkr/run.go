package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// app is one invocation of the command: its streams and environment.
// Everything a subcommand needs from the process comes through it, so
// tests run subcommands in-process.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	clk    ibkr.Clock // nil: the wall clock (see clock.go)

	cmd     string   // the subcommand being run, for messages
	current *command // the same
	json    bool     // --json was given
	emitted bool     // a JSON object was written on stdout

	flags *flag.FlagSet // the subcommand's flag set, once made (completion reads it)
}

// command is one subcommand.
type command struct {
	name    string
	args    string // argument synopsis after the flags
	summary string
	help    string // longer description, printed by "ibkr help NAME"
	run     func(ctx context.Context, a *app, args []string) error
}

// commands lists the subcommands in the order "ibkr help" shows them.
var commands []*command

func init() {
	commands = []*command{
		demoCommand, keygenCommand, doctorCommand, sandboxCommand,
		instructionCommand, accountCommand, cashCommand, balanceCommand, statementCommand,
		flexCommand, versionCommand, completionCommand,
	}
}

func findCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// run is main without the process: it runs the subcommand named by
// args[0] and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	return a.main(ctx, args)
}

func (a *app) main(ctx context.Context, args []string) int {
	if len(args) == 0 {
		a.usage(a.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			c := findCommand(args[1])
			if c == nil {
				fmt.Fprintf(a.stderr, "ibkr help: unknown command %q\n", args[1])
				return exitUsage
			}
			a.cmd, a.current = c.name, c
			_ = c.run(ctx, a, []string{"-h"})
			return exitOK
		}
		a.usage(a.stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	c := findCommand(name)
	if c == nil {
		fmt.Fprintf(a.stderr, "ibkr: unknown command %q (run \"ibkr help\" for the list)\n", name)
		return exitUsage
	}
	a.cmd, a.current = c.name, c
	a.json = wantsJSON(args[1:]) // so that even an error before parsing is JSON
	err := c.run(ctx, a, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err == nil {
		return exitOK
	}
	return a.fail(err)
}

// wantsJSON reports whether --json (or -json, --json=true) is among the
// flags, before a "--".
func wantsJSON(args []string) bool {
	for _, arg := range args {
		switch arg {
		case "--":
			return false
		case "--json", "-json", "--json=true", "-json=true":
			return true
		}
	}
	return false
}

// fail reports err on stderr (and as a JSON object on stdout with --json)
// and returns its exit code.
func (a *app) fail(err error) int {
	code := exitCode(err)
	msg := errorMessage(err)
	fmt.Fprintf(a.stderr, "ibkr %s: %s\n", a.cmd, msg)
	if h := hint(err); h != "" {
		fmt.Fprintf(a.stderr, "  hint: %s\n", h)
	}
	if code == exitUsage {
		fmt.Fprintf(a.stderr, "  run \"ibkr help %s\" for usage\n", a.cmd)
	}
	if a.json && !a.emitted {
		a.emit(map[string]any{"error": map[string]any{
			"message":  msg,
			"class":    exitClass(code),
			"exitCode": code,
		}})
	}
	return code
}

// newFlags makes a subcommand's flag set; --json is common to all.
func (a *app) newFlags() *flag.FlagSet {
	fs := flag.NewFlagSet("ibkr "+a.cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&a.json, "json", false, "print one JSON object on stdout instead of human-readable text")
	a.flags = fs
	return fs
}

// parse parses args into fs; -h prints the command's help.
func (a *app) parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.commandHelp(a.stdout, a.current, fs)
			return flag.ErrHelp
		}
		return usageError{msg: err.Error()}
	}
	return nil
}

// parseOnly is parse for subcommands that take no positional arguments.
func (a *app) parseOnly(fs *flag.FlagSet, args []string) error {
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

func (a *app) usage(w io.Writer) {
	fmt.Fprint(w, `ibkr: the ibkr-go command line (IBKR Web API, Account Management)

Usage:
  ibkr <command> [flags] [arguments]

Start here:
  go run ./cmd/ibkr demo     link a bank, verify it, deposit 500.00 USD, against a local sandbox

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	fmt.Fprintf(tw, "  help [command]\tthis text, or one command's flags\n")
	_ = tw.Flush()
	fmt.Fprint(w, `
Configuration (flags win over the environment):
  --env, IBKR_ENV                     production or qa; one of --env and --base-url is required
  --base-url, IBKR_BASE_URL           another host, e.g. a local "ibkr sandbox" (http only on loopback)
  --client-id, IBKR_CLIENT_ID         the OAuth client id IBKR gave you
  --key-id, IBKR_KEY_ID               the kid IBKR registered for your public key
  --key, IBKR_PRIVATE_KEY_FILE        the RSA private key (PEM, 3072 or 4096 bits)
Secrets are never printed: not the key, not tokens, not bank account numbers.

Output: human-readable by default; --json prints one JSON object on stdout
(errors too, as {"error": {...}}), human messages go to stderr.

Exit codes:
`)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	codes := make([]int, 0, len(exitDescriptions))
	for c := range exitDescriptions {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	for _, c := range codes {
		fmt.Fprintf(tw, "  %d\t%s\n", c, exitDescriptions[c])
	}
	_ = tw.Flush()
}

// commandHelp prints a command's usage, description and flags.
func (a *app) commandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: ibkr %s [flags]%s\n\n%s\n", c.name, argsSuffix(c.args), strings.TrimSpace(c.help))
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	if b.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", b.String())
	}
}

func argsSuffix(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}
