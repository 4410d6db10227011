package main

import "flag"

// parseWithArgs parses flags that may come before, between or after the
// positional arguments, and checks there are exactly want of those; names
// describe them for the usage error.
func (a *app) parseWithArgs(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	var pos []string
	for {
		if err := a.parse(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case len(pos) < len(names):
		return nil, usagef("missing %s", names[len(pos)])
	case len(pos) > len(names):
		return nil, usagef("unexpected argument %q", pos[len(names)])
	}
	return pos, nil
}
