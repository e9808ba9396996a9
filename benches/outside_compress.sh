#!/usr/bin/env bash
# Instructions each function of a `psk_profile` workload executes outside SHA-1 compressions,
# per iteration, inclusive of what it calls (callgrind, deterministic: two builds compare in
# a minute, where their times need many alternated runs, see pair_ratio.sh).
#
#   benches/outside_compress.sh BIN [N] [MODE] [TOP]
#
# BIN is a psk_profile binary (`cargo bench --bench psk_profile --no-run` prints it); N
# iterations (default 2000) of MODE (default: the exchange; `floor`, `respond-loop`, ...);
# the TOP (default 40) largest functions are printed. Two callgrind runs: one counting
# everything, one counting only inside `sha1::block_api::compress`
# (`--collect-atstart=no --toggle-collect=`); each function's inclusive count in the first
# less its count in the second is what it runs outside the compressions. (Valgrind runs
# the software SHA-1, so the compressions' own counts are not those of a SHA-NI CPU; the
# counts outside them are.)
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 BIN [N] [MODE] [TOP]" >&2; exit 2; }
bin="$1" n="${2:-2000}" mode="${3:-}" top="${4:-40}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$dir/all" "$bin" "$n" $mode >/dev/null 2>&1
valgrind --tool=callgrind --collect-atstart=no --toggle-collect='sha1::block_api::compress' \
  --callgrind-out-file="$dir/sha1" "$bin" "$n" $mode >/dev/null 2>&1
# "count<TAB>function" for every function, inclusive.
inclusive() {
  callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
    sed -n '/file:function/,$p' | grep -E '^ *[0-9,]+ ' |
    sed -E 's/^ *([0-9,]+) \([^)]*\)  (.*)$/\1\t\2/; s/ \[[^]]*\]$//' | tr -d ',' |
    sort -t $'\t' -k2
}
join -t $'\t' -1 2 -2 2 -a 1 -e 0 -o 0,1.1,2.1 <(inclusive "$dir/all") <(inclusive "$dir/sha1") |
  awk -F'\t' -v n="$n" '{ printf "%9.0f\t%s\n", ($2 - $3) / n, $1 }' |
  sort -rn | sed -n "1,${top}p" # sed reads to the end: no SIGPIPE for sort under pipefail
