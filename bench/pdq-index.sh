#!/usr/bin/env bash
# PDQ near-match index against brute force: a 10-million-hash index of
# deterministic random hashes with planted near-duplicates. Reports build
# time, file size, peak memory, open time, and queries per second at
# distance 31 (minimum quality 50) for the index and for brute force, and
# checks that both return identical results on the brute-force sample.
# A report, not a test: exits 0 whatever the speed (PASS/MISS is printed for
# the 100x target), 1 if the index and brute force ever disagree.
# See bench/README-pdq-index.md.
#
# Environment:
#   BENCH_DIR      where index files go (default /tmp/spoor-pdq-index-bench);
#                  deleted at the end unless BENCH_KEEP=1
#   BENCH_N        hashes in the index (default 10000000)
#   BENCH_QUERIES  index queries per round (default 10000; half have planted
#                  neighbours)
#   BENCH_BRUTE    of those, queries also answered by brute force (default 200)
#   BENCH_ROUNDS   timed rounds alternating index and brute force, best kept
#                  (default 3)
#   BENCH_LAYOUTS  layouts to build and compare, CHUNKSxBITS (default
#                  "16x16", the crate's default), e.g. "16x16 14x18 12x21 11x23"
#   BENCH_KEEP     1: keep the index files
set -euo pipefail

BENCH_DIR=${BENCH_DIR:-/tmp/spoor-pdq-index-bench}
BENCH_N=${BENCH_N:-10000000}
BENCH_QUERIES=${BENCH_QUERIES:-10000}
BENCH_BRUTE=${BENCH_BRUTE:-200}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_LAYOUTS=${BENCH_LAYOUTS:-16x16}
BENCH_KEEP=${BENCH_KEEP:-0}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '%s\n' "$*" >&2; }

for c in cargo awk; do
    command -v "$c" >/dev/null || { say "missing: $c"; exit 1; }
done

say "building the index_bench example (release)"
(cd "$ROOT" && cargo build --release -p spoor-pdq --example index_bench >&2)
TARGET=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps 2>/dev/null |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
BIN=${TARGET:-$ROOT/target}/release/examples/index_bench
[ -x "$BIN" ] || { say "not found: $BIN"; exit 1; }

mkdir -p "$BENCH_DIR"
cleanup() { [ "$BENCH_KEEP" = 1 ] || rm -f "$BENCH_DIR"/*.pdqidx; }
trap cleanup EXIT

# Busy time of the whole machine (all CPUs, USER_HZ ticks) from /proc/stat,
# and our own children's CPU time, to tell how much other processes took.
machine_busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat; }
HZ=100
FREE_GIB=$(awk '/^MemAvailable:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)

# run NAME CMD...: runs, echoes its output to stderr, keeps its RESULT line
# in R_NAME, and the cores other processes used meanwhile in O_NAME.
declare -A RESULT OTHERS
run() {
    local name=$1 out b0 b1 t0 t1 c0 c1
    shift
    b0=$(machine_busy)
    t0=$(date +%s.%N)
    c0=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
    out=$("$@") || { printf '%s\n' "$out" >&2; say "$name failed"; exit 1; }
    c1=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
    t1=$(date +%s.%N)
    b1=$(machine_busy)
    printf '%s\n' "$out" | grep -v '^RESULT' >&2
    RESULT[$name]=$(printf '%s\n' "$out" | sed -n 's/^RESULT //p')
    OTHERS[$name]=$(awk -v b0="$b0" -v b1="$b1" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz=$HZ \
        'BEGIN {o = ((b1 - b0) - (c1 - c0)) / hz / (t1 - t0); if (o < 0) o = 0; printf "%.2f", o}')
}
field() { # name key
    printf '%s\n' "${RESULT[$1]}" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
for L in $BENCH_LAYOUTS; do
    IDX=$BENCH_DIR/$L.pdqidx
    say ""
    say "== layout $L: building $BENCH_N hashes into $IDX"
    run "build-$L" "$BIN" build "$IDX" --n "$BENCH_N" --layout "$L"
    say "== layout $L: querying"
    run "query-$L" "$BIN" query "$IDX" --n "$BENCH_N" --queries "$BENCH_QUERIES" \
        --brute "$BENCH_BRUTE" --rounds "$BENCH_ROUNDS"
    [ "$BENCH_KEEP" = 1 ] || rm -f "$IDX"
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

calc() { awk "BEGIN {printf \"$1\", $2}"; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN {print (v >= t) ? "PASS" : "MISS"}'; }

echo
echo "Spoor PDQ index bench, $(date -u '+%Y-%m-%d %H:%M UTC'), nproc $(nproc), $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), ${FREE_GIB} GiB available"
echo "$BENCH_N hashes; distance 31, minimum quality 50; $BENCH_QUERIES index queries, $BENCH_BRUTE by brute force too; best of $BENCH_ROUNDS rounds"
echo "load average before: $LOAD0, after: $LOAD1; 'others' = cores other processes used during the query run"
echo
printf '| %-6s | %8s | %9s | %9s | %8s | %7s | %7s | %8s | %10s | %10s | %8s | %9s | %9s | %6s |\n' \
    layout "build s" "size MiB" "build MiB" "open µs" probes scanned "checks" "index q/s" "brute q/s" speed-up identical "query MiB" others
printf '|%s|\n' "--------|----------:|-----------:|-----------:|----------:|--------:|--------:|---------:|-----------:|-----------:|---------:|----------:|----------:|-------:"
STATUS=0
for L in $BENCH_LAYOUTS; do
    b=build-$L q=query-$L
    size=$(calc "%.0f" "$(field "$b" size_bytes) / 1048576")
    printf '| %-6s | %8s | %9s | %9s | %8s | %7s | %7s | %8s | %10s | %10s | %7sx | %9s | %9s | %6s |\n' \
        "$L" "$(field "$b" build_s)" "$size" "$(field "$b" build_hwm_mib)" "$(field "$q" open_us)" \
        "$(field "$q" probes)" "$(field "$q" scanned)" "$(field "$q" verified)" \
        "$(field "$q" index_qps)" "$(field "$q" brute_qps)" "$(field "$q" speedup)" \
        "$(field "$q" identical)" "$(field "$q" query_hwm_mib)" "${OTHERS[$q]}"
    id=$(field "$q" identical)
    [ "${id%/*}" = "${id#*/}" ] || STATUS=1
done
echo
for L in $BENCH_LAYOUTS; do
    q=query-$L
    s=$(field "$q" speedup)
    printf 'layout %s: index / brute force %sx wall (%sx in CPU time), target >= 100x: %s; %s threads: %s queries/s\n' \
        "$L" "$s" "$(field "$q" speedup_cpu)" "$(verdict "$s" 100)" "$(field "$q" threads)" "$(field "$q" threads_qps)"
done
echo "identical results on every sampled query: $([ $STATUS = 0 ] && echo yes || echo NO)"
exit $STATUS
