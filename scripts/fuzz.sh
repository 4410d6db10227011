#!/usr/bin/env bash
# make fuzz: every fuzz target of the module (found in the _test.go files)
# for FUZZTIME each (default 10s). A crasher makes the run fail and is
# written to testdata/fuzz/<FuzzName>/ next to its package: fix the bug,
# commit the file, and it runs as a regression test with `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."
GO="${GO:-go}"
FUZZTIME="${FUZZTIME:-10s}"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
n=0
for pkg in $($GO list ./...); do
	dir="$($GO list -f '{{.Dir}}' "$pkg")"
	for name in $(grep -hos '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go | sed 's/^func //' | sort -u); do
		before="$(ls "$dir/testdata/fuzz/$name" 2>/dev/null | sort || true)"
		if ! $GO test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg" >"$log" 2>&1; then
			after="$(ls "$dir/testdata/fuzz/$name" 2>/dev/null | sort || true)"
			# Go 1.26's fuzz coordinator can report its own -fuzztime
			# deadline as a failure (golang/go#75804, fixed in Go 1.27):
			# "context deadline exceeded" and no new reproducer. That is
			# not a crasher; anything else is.
			if [ "$before" = "$after" ] && grep -q '^    context deadline exceeded$' "$log"; then
				echo "fuzz: ${pkg#github.com/ibkrweb/ibkr-go/} $name: stopped by Go's deadline race (golang/go#75804), no crasher written"
				n=$((n + 1))
				continue
			fi
			cat "$log"
			echo "fuzz: $pkg $name FAILED; a crasher is in $dir/testdata/fuzz/$name/" >&2
			exit 1
		fi
		# The last progress line: executions and corpus size.
		echo "fuzz: ${pkg#github.com/ibkrweb/ibkr-go/} $name: $(grep 'elapsed:' "$log" | tail -1 | sed 's/^fuzz: //')"
		n=$((n + 1))
	done
done
echo "fuzz: $n targets, $FUZZTIME each, no crashers"
