#!/usr/bin/env bash
# make fuzz: every fuzz target of the module (found in the _test.go files)
# for FUZZTIME each (default 10s). A crasher makes the run fail and is
# written to testdata/fuzz/<FuzzName>/ next to its package: fix the bug,
# commit the file, and it runs as a regression test with `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."
GO="${GO:-go}"
FUZZTIME="${FUZZTIME:-10s}"

n=0
for pkg in $($GO list ./...); do
	dir="$($GO list -f '{{.Dir}}' "$pkg")"
	for name in $(grep -hos '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go | sed 's/^func //' | sort -u); do
		echo "fuzz: $pkg $name for $FUZZTIME"
		$GO test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg"
		n=$((n + 1))
	done
done
echo "fuzz: $n targets, $FUZZTIME each, no crashers"
