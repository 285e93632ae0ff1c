#!/usr/bin/env bash
# Triage clustering and near-known search: 100,000 synthetic PDQ hashes with
# planted series, clustered by the in-memory multi-index, against an O(n^2)
# brute force on a 5,000 subset that must give exactly the same clusters;
# then every picture against 10,000 known hashes at distance 48, checked
# against brute force on a subset; then the pictures together with the frames
# of 1,000 videos x 60 frames (a tenth of them showing a planted series), and
# the whole triage of such a case. All in one run. See bench/README-triage.md.
#
# A report, not a test: exits 0 whatever the speed, 1 if the index and brute
# force ever disagree or a planted series is not found whole.
#
# Environment:
#   BENCH_N       hashes clustered (default 100000)
#   BENCH_SUBSET  hashes also clustered by brute force (default 5000)
#   BENCH_KNOWN   known hashes for the near-known search (default 10000)
#   BENCH_VIDEOS  videos whose frames are clustered with the pictures (default 1000)
#   BENCH_FRAMES  frames per video (default 60)
#   BENCH_ROUNDS  timed rounds, best kept (default 3)
set -euo pipefail

BENCH_N=${BENCH_N:-100000}
BENCH_SUBSET=${BENCH_SUBSET:-5000}
BENCH_KNOWN=${BENCH_KNOWN:-10000}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_VIDEOS=${BENCH_VIDEOS:-1000}
BENCH_FRAMES=${BENCH_FRAMES:-60}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '%s\n' "$*" >&2; }

command -v cargo >/dev/null || { say "missing: cargo"; exit 1; }

say "building the triage_bench example (release)"
(cd "$ROOT" && cargo build --release -p spoor-triage --example triage_bench >&2)
TARGET=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps 2>/dev/null |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
BIN=${TARGET:-$ROOT/target}/release/examples/triage_bench
[ -x "$BIN" ] || { say "not found: $BIN"; exit 1; }

# Cores other processes used during the run, from /proc/stat (a shared
# machine halves multi-threaded figures when another build runs).
busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat; }
B0=$(busy); T0=$(date +%s.%N)
set +e
OUT=$("$BIN" --n "$BENCH_N" --subset "$BENCH_SUBSET" --known "$BENCH_KNOWN" \
    --videos "$BENCH_VIDEOS" --frames "$BENCH_FRAMES" --rounds "$BENCH_ROUNDS")
RC=$?
set -e
B1=$(busy); T1=$(date +%s.%N)
CORES=$(nproc)

field() { printf '%s\n' "$OUT" | grep "^RESULT $1 " | tr ' ' '\n' | sed -n "s/^$2=//p"; }

printf '%s\n' "$OUT"
echo
echo "Triage benchmark ($(nproc) cores, $(uname -m))"
printf '  cluster %s hashes:           %s s (%s threads), %s s on 1 thread\n' \
    "$BENCH_N" "$(field cluster seconds)" "$(field cluster threads)" "$(field cluster seconds_1_thread)"
printf '  brute force at %s (from the subset, x n^2): %s s, the index %s times faster\n' \
    "$BENCH_N" "$(field brute_force brute_seconds_at_n)" "$(field brute_force speedup_at_n)"
printf '  planted series found whole:    %s of %s\n' "$(field planted found_whole)" "$(field planted series)"
printf '  brute force on %s:          %s s vs index %s s (x%s), identical: %s\n' \
    "$BENCH_SUBSET" "$(field brute_force brute_seconds)" "$(field brute_force index_seconds)" \
    "$(field brute_force speedup)" "$(field brute_force identical)"
printf '  near-known %s x %s at %s:  %s s, identical to brute force on a subset: %s\n' \
    "$(field near_known unknown)" "$BENCH_KNOWN" "$(field near_known max_distance)" "$(field near_known seconds)" "$(field near_known_brute_force identical)"
printf '  cluster %s pictures + %s videos x %s frames (%s items): %s s; planted videos in their series: %s of %s; identical to brute force on a subset: %s\n' \
    "$BENCH_N" "$BENCH_VIDEOS" "$BENCH_FRAMES" "$(field cluster_with_frames items)" "$(field cluster_with_frames seconds)" \
    "$(field cluster_with_frames joined_their_series)" "$(field cluster_with_frames planted_videos)" "$(field cluster_with_frames_brute_force identical)"
printf '  whole triage (series, near-known vs %s known at %s as stored and transposed, priority): %s s\n' \
    "$BENCH_KNOWN" "$(field triage near_max)" "$(field triage seconds)"
awk -v b0="$B0" -v b1="$B1" -v t0="$T0" -v t1="$T1" -v c="$CORES" 'BEGIN {
    wall = t1 - t0; if (wall <= 0) wall = 1;
    printf "  machine busy during the run:   %.2f of %d cores (this run included)\n", (b1 - b0) / 100 / wall, c }'
exit $RC
