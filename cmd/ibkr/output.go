package main

import (
	"encoding/json"
	"fmt"
	"time"
)

// emit writes v as one indented JSON object on stdout.
func (a *app) emit(v any) {
	a.emitted = true
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// say writes a human-readable line on stdout, unless --json is on.
func (a *app) say(format string, args ...any) {
	if a.json {
		return
	}
	fmt.Fprintf(a.stdout, format+"\n", args...)
}

// note writes a line on stderr (progress and warnings in --json mode too).
func (a *app) note(format string, args ...any) {
	fmt.Fprintf(a.stderr, format+"\n", args...)
}

// human renders a duration the way people say it: 10m, 24h, 1h30m, 2.5s.
func human(d time.Duration) string {
	if d < 0 {
		return "-" + human(-d)
	}
	switch {
	case d == 0:
		return "0s"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	d = d.Round(time.Second)
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	s := d / time.Second
	out := ""
	if h > 0 {
		out += fmt.Sprintf("%dh", h)
	}
	if m > 0 {
		out += fmt.Sprintf("%dm", m)
	}
	if s > 0 {
		out += fmt.Sprintf("%ds", s)
	}
	return out
}
