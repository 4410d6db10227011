package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/ibkrweb/ibkr-go/ibkr"
)

// buildInfo is what "ibkr version" reports: the release constant, and what
// the Go toolchain stamped into the binary (module version, VCS revision).
type buildInfo struct {
	// Release is ibkr.Version, the release the source says it is.
	Release string `json:"release"`
	// Module is the module path and ModuleVersion its version as the
	// toolchain saw it: a tag or pseudo-version for "go install
	// ...@version", "(devel)" for a build from a checkout.
	Module        string `json:"module"`
	ModuleVersion string `json:"moduleVersion"`
	// Revision, RevisionTime and Modified come from the VCS stamp of a
	// build from a checkout ("go build"; absent with -buildvcs=false).
	Revision     string `json:"revision,omitempty"`
	RevisionTime string `json:"revisionTime,omitempty"`
	Modified     bool   `json:"modified,omitempty"`
	// Go is the toolchain that built the binary.
	Go string `json:"go"`
}

// readBuildInfo is debug.ReadBuildInfo, replaceable in tests.
var readBuildInfo = debug.ReadBuildInfo

func currentBuild() buildInfo {
	b := buildInfo{Release: ibkr.Version, Module: "github.com/ibkrweb/ibkr-go", ModuleVersion: "(devel)"}
	bi, ok := readBuildInfo()
	if !ok {
		return b
	}
	b.Go = bi.GoVersion
	if bi.Main.Path != "" {
		b.Module = bi.Main.Path
	}
	if bi.Main.Version != "" {
		b.ModuleVersion = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.RevisionTime = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// version is the short version for the User-Agent: the module version
// when the toolchain knows it, else the release constant.
func version() string {
	b := currentBuild()
	if b.ModuleVersion != "(devel)" {
		return b.ModuleVersion
	}
	return "v" + b.Release
}

// line renders the build info on one line.
func (b buildInfo) line() string {
	var s strings.Builder
	fmt.Fprintf(&s, "ibkr %s (module %s %s", b.Release, b.Module, b.ModuleVersion)
	if b.Revision != "" {
		fmt.Fprintf(&s, ", revision %s", b.Revision)
		if b.RevisionTime != "" {
			fmt.Fprintf(&s, " %s", b.RevisionTime)
		}
		if b.Modified {
			s.WriteString(" with local changes")
		}
	}
	if b.Go != "" {
		fmt.Fprintf(&s, ", %s", b.Go)
	}
	s.WriteString(")")
	return s.String()
}

var versionCommand = &command{
	name:    "version",
	summary: "the release, module version and VCS revision of this binary",
	help: `Prints the release (ibkr.Version), the module version the Go toolchain
stamped ("(devel)" for a build from a checkout, the tag for "go install
github.com/ibkrweb/ibkr-go/cmd/ibkr@vX.Y.Z"), the VCS revision and the Go
version. "ibkr --version" is the same.`,
	run: func(ctx context.Context, a *app, args []string) error {
		fs := a.newFlags()
		if err := a.parseOnly(fs, args); err != nil {
			return err
		}
		b := currentBuild()
		if a.json {
			a.emit(b)
			return nil
		}
		fmt.Fprintln(a.stdout, b.line())
		return nil
	},
}
