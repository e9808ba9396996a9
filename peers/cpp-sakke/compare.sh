#!/bin/sh
# Runs our criterion MIKEY-SAKKE make/open benches (wall time), the same operations in CPU
# time (feature `sakke-count`, whose criterion benches the filter `sakke/none$` skips) and
# the C++ harness one after the other, twice, and prints the machine, the date and the load.
#
#   peers/cpp-sakke/compare.sh <path-to-cpp-sakke-bench> [N]
#
# Run from the repository root after peers/cpp-sakke/build.sh (see README.md).
set -eu
BENCH=${1:?usage: compare.sh <path-to-cpp-sakke-bench> [N]}
N=${2:-100}
VECTORS=testvectors/streamwide-StreamwideTestVectors-v5.md
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "nproc: $(nproc); $(lscpu | grep 'Model name' | sed 's/  */ /g')"
echo "rustc: $(rustc --version); g++: $(g++ -dumpfullversion); gmp: $(dpkg-query -W -f '${Version}' libgmp-dev 2>/dev/null || echo '?')"
for run in 1 2; do
    echo "=== run $run: ours, $(uptime | sed 's/.*load/load/')"
    cargo bench -p mikey --features sakke --bench sakke -- \
        --warm-up-time 1 --measurement-time 5 \
        'sakke/(make_imessage|open_imessage|mcx_make|mcx_open)$' 2>&1 |
        grep -E '^sakke/|time:'
    echo "=== run $run: ours, CPU time (feature sakke-count: mean of 20, thread CPU time)"
    cargo bench -p mikey --features sakke-count --bench sakke -- 'sakke/none$' 2>&1 |
        grep -E '^(make_imessage|open_imessage|mcx_make|mcx_open|decapsulate|receiver_new|receiver_precompute|kms_public_key|F_p)'
    echo "=== run $run: C++ sw_mikey_sakke, $(uptime | sed 's/.*load/load/')"
    "$BENCH" "$VECTORS" "$N"
done
