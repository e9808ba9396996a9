#!/usr/bin/env bash
# Builds every cargo-fuzz target of fuzz/ and runs each for SECONDS (default 20), one
# process and one job at a time, starting from the committed corpus fuzz/corpus/<target>
# (new inputs go to a scratch folder, so the committed corpus stays as it is).
#
#   fuzz/run-all.sh [SECONDS] [TARGET...]
#
# Works on the stable toolchain: RUSTC_BOOTSTRAP=1 lets stable rustc take the nightly
# flags cargo fuzz passes. Uses AddressSanitizer when it links, else no sanitizer
# (FUZZ_SANITIZER=address|none forces one). Installs cargo-fuzz from crates.io if missing.
# Build output goes to FUZZ_TARGET_DIR (default fuzz/target), never to CARGO_TARGET_DIR;
# new inputs to FUZZ_WORK_DIR (default: a temporary folder). FUZZ_RUNS=N stops each
# target after N executions (SECONDS stays the cap): the long campaign is
#   FUZZ_RUNS=10000000 FUZZ_WORK_DIR=/tmp/campaign fuzz/run-all.sh 7200
# Exits non-zero if any target crashes, leaks, times out or fails to build; crash inputs
# are kept in fuzz/artifacts/<target>/. Prints the executions of every target.
set -uo pipefail

secs="${1:-20}"
shift || true
case "$secs" in
  '' | *[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."
root="$PWD"

# fuzz/ is a workspace of its own (the root workspace does not build fuzz targets), so it
# has its own lockfile; a tracked copy went stale each time the crate's dependencies
# changed, and every build rewrote it. It is now generated: seeded from the root
# Cargo.lock, so the targets build with the versions the tests use, and cargo adds only
# the fuzzing crates (libfuzzer-sys, arbitrary).
cp Cargo.lock fuzz/Cargo.lock
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$root/fuzz/target}"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz (crates.io)"
  cargo install cargo-fuzz --locked --version '^0.13' || {
    echo "cannot install cargo-fuzz" >&2
    exit 1
  }
fi
cargo fuzz --version

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "no fuzz targets found" >&2
  exit 1
fi

# New inputs and logs go to FUZZ_WORK_DIR when set (kept, so later runs go on from
# them), else to a temporary folder.
if [ -n "${FUZZ_WORK_DIR:-}" ]; then
  scratch="$FUZZ_WORK_DIR"
  mkdir -p "$scratch"
else
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
fi

# Build every target (one cargo process); without FUZZ_SANITIZER, fall back to no
# sanitizer if the AddressSanitizer build fails.
san="${FUZZ_SANITIZER:-}"
if [ -z "$san" ]; then
  echo "== building with AddressSanitizer"
  if cargo fuzz build --sanitizer address >"$scratch/build.log" 2>&1; then
    san=address
  else
    tail -n 30 "$scratch/build.log"
    echo "== the AddressSanitizer build failed: building without a sanitizer"
    san=none
  fi
fi
echo "== sanitizer: $san"
if ! cargo fuzz build --sanitizer "$san"; then
  echo "FAILED: build" >&2
  exit 1
fi

failed=()
summary=()
for t in "${targets[@]}"; do
  mkdir -p "$scratch/corpus/$t"
  corpora=("$scratch/corpus/$t")
  [ -d "fuzz/corpus/$t" ] && corpora+=("fuzz/corpus/$t")
  log="$scratch/$t.log"
  echo "== $t: ${secs}s"
  runs=()
  [ -n "${FUZZ_RUNS:-}" ] && runs=(-runs="$FUZZ_RUNS")
  cargo fuzz run --sanitizer "$san" "$t" "${corpora[@]}" -- \
    "${runs[@]}" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1
  rc=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  if [ -z "$execs" ]; then
    execs="$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)"
  fi
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)"
  if [ "$rc" -ne 0 ]; then
    failed+=("$t")
    echo "---- $t FAILED (exit $rc); last lines of its log:"
    tail -n 60 "$log"
    summary+=("$(printf '%-16s FAILED  executions: %s' "$t" "${execs:-?}")")
  else
    summary+=("$(printf '%-16s ok      executions: %-10s %s' "$t" "${execs:-?}" "$cov")")
  fi
done

echo
echo "== fuzz summary (${secs}s per target, sanitizer: $san)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]} (crash inputs in fuzz/artifacts/<target>/; reproduce with" \
    "RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer $san <target> <file>)" >&2
  exit 1
fi
echo "all ${#targets[@]} targets ran without a crash"
