#!/usr/bin/env bash
# Compares the PSK exchange / crypto-floor ratio of two builds of `benches/psk_profile.rs`
# in alternated pairs, PAIRS times (A then B, then B then A, and so on: the second run of a
# pair measured higher on this host), each run `ROUNDS ratio` (default 120 rounds of 50).
# Prints both binaries' medians (of each run's median of rounds) and the median of the
# paired differences B - A with how many pairs B was lower in.
#
#   benches/pair_ratio.sh A B [PAIRS] [ROUNDS]
#
# A and B are psk_profile binaries, e.g. this tree's and a second worktree's:
#
#   cargo bench --bench psk_profile --no-run          # prints target/release/deps/psk_profile-*
#   git worktree add /tmp/other <commit>
#   (cd /tmp/other && CARGO_TARGET_DIR=/tmp/other-target cargo bench --bench psk_profile --no-run)
#
# Why pairs: on a shared VM the ratio of one binary drifts by 0.1-0.2 within an hour (the
# exchange's working set is mostly code, the floor's is not, so neighbours' load hits the
# exchange more), while consecutive runs move together. A binary against itself gives a
# median difference within +-0.01 over 40 pairs (BENCHMARKS.md, twelfth look). On a
# 2-vCPU Intel host each run fell in one of two groups, about 1.4 or 1.6, with the load of
# the vCPU it ran on; 200 pairs (about 30 s there) gave -0.002 for a binary against itself
# (thirteenth look).
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: $0 A B [PAIRS] [ROUNDS]" >&2; exit 2; }
a="$1" b="$2" pairs="${3:-40}" rounds="${4:-120}"
median_of_rounds() {
  "$1" "$rounds" ratio | tail -n 1 | sed -E 's/.*\(median of rounds ([0-9.]+)\).*/\1/'
}
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
for i in $(seq "$pairs"); do
  if ((i % 2)); then
    ra="$(median_of_rounds "$a")"
    rb="$(median_of_rounds "$b")"
  else
    rb="$(median_of_rounds "$b")"
    ra="$(median_of_rounds "$a")"
  fi
  echo "$ra $rb" >>"$out"
done
ma="$(cut -d' ' -f1 "$out" | median)"
mb="$(cut -d' ' -f2 "$out" | median)"
md="$(awk '{print $2 - $1}' "$out" | median)"
lower="$(awk '$2 < $1' "$out" | wc -l)"
printf 'A median %.3f  B median %.3f  B - A median %+.3f  B lower in %d of %d pairs\n' \
  "$ma" "$mb" "$md" "$lower" "$pairs"
