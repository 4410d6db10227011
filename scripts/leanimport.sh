#!/usr/bin/env bash
# What importing package ibkr costs a program: builds scripts/leanimport
# (a main that links ibkr.New and nothing else), then prints its binary
# size, the non-standard packages it links, the memory package
# initialisation allocates (median of 5 starts) and the init time
# GODEBUG=inittrace=1 reports. BENCHMARKS.md, "Importing ibkr", quotes it.
set -euo pipefail
cd "$(dirname "$0")/.."
GO="${GO:-go}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
$GO build -o "$tmp/lean" ./scripts/leanimport
echo "binary_bytes $(stat -c %s "$tmp/lean")"
echo "nonstd_packages $($GO list -deps ./scripts/leanimport | grep '\.' | grep -cv '^vendor/\|^crypto/internal\|^github.com/ibkrweb/')"
for i in 1 2 3 4 5; do "$tmp/lean"; done | sort -k1,1 -k2,2n | awk '{v[$1]=v[$1] " " $2} END {for (k in v) {n=split(v[k], a, " "); print k, a[int((n+1)/2)]}}' | sort
for i in 1 2 3 4 5; do GODEBUG=inittrace=1 "$tmp/lean" 2>&1 >/dev/null | awk '/^init/ {t+=$5} END {printf "%.2f\n", t}'; done | sort -n | awk '{a[NR]=$1} END {print "init_ms_median", a[int((NR+1)/2)]}'
