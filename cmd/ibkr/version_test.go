package main

import (
	"encoding/json"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

func TestVersionReportsReleaseModuleAndRevision(t *testing.T) {
	orig := readBuildInfo
	t.Cleanup(func() { readBuildInfo = orig })
	readBuildInfo = func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{
			GoVersion: "go1.26.0",
			Main:      debug.Module{Path: "github.com/ibkrweb/ibkr-go", Version: "v0.1.0"},
			Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
				{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
				{Key: "vcs.modified", Value: "true"},
			},
		}, true
	}
	for _, args := range [][]string{{"--version"}, {"version"}, {"-version"}} {
		r := runT(t, nil, args...)
		wantExit(t, r, exitOK, "ibkr "+ibkr.Version, "v0.1.0", "revision 0123456789abcdef0123456789abcdef01234567", "with local changes", "go1.26.0")
		if strings.Count(r.stdout, "\n") != 1 || r.stderr != "" {
			t.Fatalf("%v: want one line on stdout and nothing on stderr\n%s", args, r)
		}
	}
	r := runT(t, nil, "version", "--json")
	wantExit(t, r, exitOK)
	var got buildInfo
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("version --json is not JSON: %v\n%s", err, r)
	}
	want := buildInfo{Release: ibkr.Version, Module: "github.com/ibkrweb/ibkr-go", ModuleVersion: "v0.1.0",
		Revision: "0123456789abcdef0123456789abcdef01234567", RevisionTime: "2026-12-01T10:00:00Z", Modified: true, Go: "go1.26.0"}
	if got != want {
		t.Fatalf("version --json = %+v, want %+v", got, want)
	}
	if v := version(); v != "v0.1.0" {
		t.Fatalf("User-Agent version %q, want the module version v0.1.0", v)
	}
}

func TestVersionOfACheckoutBuildFallsBackToTheRelease(t *testing.T) {
	orig := readBuildInfo
	t.Cleanup(func() { readBuildInfo = orig })
	readBuildInfo = func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/ibkrweb/ibkr-go", Version: "(devel)"}}, true
	}
	r := runT(t, nil, "--version")
	wantExit(t, r, exitOK, "ibkr "+ibkr.Version+" (module github.com/ibkrweb/ibkr-go (devel), go1.26.0)")
	if v := version(); v != "v"+ibkr.Version {
		t.Fatalf("User-Agent version %q, want v%s", v, ibkr.Version)
	}
}
