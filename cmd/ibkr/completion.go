package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

var completionCommand = &command{
	name:    "completion",
	args:    "bash|zsh|fish",
	summary: "print a shell completion script for bash, zsh or fish",
	help: `Prints a completion script for the shell: commands, their flags, and
the shells for "completion" itself. Load it with

  bash:  source <(ibkr completion bash)      (or save it in /etc/bash_completion.d/ibkr)
  zsh:   source <(ibkr completion zsh)       (or save it as _ibkr on $fpath)
  fish:  ibkr completion fish > ~/.config/fish/completions/ibkr.fish`,
	run: func(ctx context.Context, a *app, args []string) error {
		fs := a.newFlags()
		if err := a.parse(fs, args); err != nil {
			return err
		}
		if a.json {
			return usagef("completion prints a shell script; --json does not apply")
		}
		if fs.NArg() != 1 {
			return usagef("give one shell: bash, zsh or fish")
		}
		spec := completionSpec(ctx)
		switch fs.Arg(0) {
		case "bash":
			writeBash(a.stdout, spec)
		case "zsh":
			writeZsh(a.stdout, spec)
		case "fish":
			writeFish(a.stdout, spec)
		default:
			return usagef("unknown shell %q: bash, zsh or fish", fs.Arg(0))
		}
		return nil
	},
}

// compCommand is one command as the completion scripts see it.
type compCommand struct {
	name, summary string
	flags         []compFlag
	words         []string // fixed positional words (completion: the shells)
}

type compFlag struct {
	name, usage string
	takesValue  bool
}

// completionSpec reads every command's flags from its own flag set (the
// command run with -h, which stops right after parsing), so the scripts
// cannot drift from the commands.
func completionSpec(ctx context.Context) []compCommand {
	var out []compCommand
	for _, c := range commands {
		probe := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }, cmd: c.name, current: c}
		_ = c.run(ctx, probe, []string{"-h"})
		cc := compCommand{name: c.name, summary: c.summary}
		if probe.flags != nil {
			probe.flags.VisitAll(func(f *flag.Flag) {
				b, isBool := f.Value.(interface{ IsBoolFlag() bool })
				cc.flags = append(cc.flags, compFlag{name: f.Name, usage: f.Usage, takesValue: !isBool || !b.IsBoolFlag()})
			})
			sort.Slice(cc.flags, func(i, j int) bool { return cc.flags[i].name < cc.flags[j].name })
		}
		if strings.Contains(c.args, "|") && !strings.ContainsAny(c.args, " []") {
			cc.words = strings.Split(c.args, "|") // a choice of words: "bash|zsh|fish"
		}
		out = append(out, cc)
	}
	return out
}

func commandNames(spec []compCommand) string {
	names := make([]string, 0, len(spec)+1)
	for _, c := range spec {
		names = append(names, c.name)
	}
	return strings.Join(append(names, "help"), " ")
}

func flagWords(c compCommand) string {
	words := make([]string, 0, len(c.flags))
	for _, f := range c.flags {
		words = append(words, "--"+f.name)
	}
	return strings.Join(words, " ")
}

func writeBash(w io.Writer, spec []compCommand) {
	fmt.Fprintf(w, `# bash completion for ibkr (ibkr completion bash)
_ibkr() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "%s --version" -- "$cur"))
        return
    fi
    local words=""
    case "${COMP_WORDS[1]}" in
`, commandNames(spec))
	for _, c := range spec {
		fmt.Fprintf(w, "        %s) words=%q ;;\n", c.name, strings.TrimSpace(flagWords(c)+" "+strings.Join(c.words, " ")))
	}
	fmt.Fprintf(w, `        help) words=%q ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _ibkr ibkr
`, commandNames(spec))
}

// zshQuote quotes s for a single-quoted zsh word.
func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func writeZsh(w io.Writer, spec []compCommand) {
	fmt.Fprint(w, "#compdef ibkr\n# zsh completion for ibkr (ibkr completion zsh)\n_ibkr() {\n    local -a cmds\n    cmds=(\n")
	for _, c := range spec {
		fmt.Fprintf(w, "        %s\n", zshQuote(c.name+":"+c.summary))
	}
	fmt.Fprint(w, `        'help:this text, or one command'\''s flags'
    )
    if (( CURRENT == 2 )); then
        _describe 'command' cmds
        return
    fi
    case $words[2] in
`)
	for _, c := range spec {
		args := make([]string, 0, len(c.flags))
		for _, f := range c.flags {
			spec := "--" + f.name + "[" + strings.NewReplacer("[", "(", "]", ")").Replace(f.usage) + "]"
			if f.takesValue {
				spec += ":" + f.name + ": "
			}
			args = append(args, zshQuote(spec))
		}
		if len(c.words) > 0 {
			args = append(args, zshQuote(":word:("+strings.Join(c.words, " ")+")"))
		} else {
			args = append(args, zshQuote("*:file:_files"))
		}
		fmt.Fprintf(w, "        %s) _arguments %s ;;\n", c.name, strings.Join(args, " "))
	}
	fmt.Fprint(w, `        help) _describe 'command' cmds ;;
    esac
}
if [ "$funcstack[1]" = "_ibkr" ]; then
    _ibkr "$@"
else
    compdef _ibkr ibkr
fi
`)
}

// fishQuote quotes s for a single-quoted fish word.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

func writeFish(w io.Writer, spec []compCommand) {
	fmt.Fprint(w, "# fish completion for ibkr (ibkr completion fish)\ncomplete -c ibkr -f\n")
	for _, c := range spec {
		fmt.Fprintf(w, "complete -c ibkr -n '__fish_use_subcommand' -a %s -d %s\n", c.name, fishQuote(c.summary))
	}
	fmt.Fprint(w, "complete -c ibkr -n '__fish_use_subcommand' -a help -d 'this text, or one command'\\''s flags'\n")
	fmt.Fprint(w, "complete -c ibkr -n '__fish_use_subcommand' -l version -d 'the release, module version and VCS revision'\n")
	for _, c := range spec {
		for _, f := range c.flags {
			value := ""
			if f.takesValue {
				value = " -r"
			}
			fmt.Fprintf(w, "complete -c ibkr -n '__fish_seen_subcommand_from %s' -l %s%s -d %s\n", c.name, f.name, value, fishQuote(f.usage))
		}
		for _, word := range c.words {
			fmt.Fprintf(w, "complete -c ibkr -n '__fish_seen_subcommand_from %s' -a %s\n", c.name, word)
		}
		if len(c.words) == 0 {
			fmt.Fprintf(w, "complete -c ibkr -n '__fish_seen_subcommand_from %s' -F\n", c.name)
		}
	}
	fmt.Fprintf(w, "complete -c ibkr -n '__fish_seen_subcommand_from help' -a %s\n", fishQuote(commandNames(spec)))
}
