#!/usr/bin/env bash
# Digest-stage throughput of Spoor against hashdeep, coreutils and the CPU
# bound, all measured in this one run so that the ratios hold on a noisy
# machine. A report, not a test: exits 0 whatever the figures (PASS/MISS is
# printed per target). See bench/README.md.
#
# Environment:
#   BENCH_DIR          tree to hash (default /tmp/spoor-bench-tree), created
#                      deterministically if missing or incomplete
#   BENCH_GB           its size in GiB (default 1.25, at least 1 advised)
#   BENCH_REPS         measured passes per tool, best kept (default 3)
#   BENCH_SINGLE_MB    in-memory buffer for the per-hasher figures (default 512)
#   BENCH_EXPERIMENTS  1: also time variants of the read loop (slow, ~3 min)
set -euo pipefail

BENCH_DIR=${BENCH_DIR:-/tmp/spoor-bench-tree}
BENCH_GB=${BENCH_GB:-1.25}
BENCH_REPS=${BENCH_REPS:-3}
BENCH_SINGLE_MB=${BENCH_SINGLE_MB:-512}
BENCH_EXPERIMENTS=${BENCH_EXPERIMENTS:-0}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- tools
need_pkg() { # package [command]
    local pkg=$1 cmd=${2:-$1}
    command -v "$cmd" >/dev/null 2>&1 && return 0
    dpkg -s "$pkg" >/dev/null 2>&1 && return 0
    say "installing $pkg"
    local sudo=
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get install -y "$pkg" >/dev/null
}
need_pkg hashdeep
need_pkg jq
for c in md5sum sha1sum sha256sum find xargs awk cargo; do
    command -v "$c" >/dev/null || { say "missing: $c"; exit 1; }
done

say "building the digest_bench example (release)"
BIN=$(cd "$ROOT" && cargo build --release -p spoor-digest --example digest_bench --message-format=json 2>/dev/null |
    jq -r 'select(.reason == "compiler-artifact" and .target.name == "digest_bench") | .executable // empty' | tail -n 1)
[ -x "$BIN" ] || { say "build failed: run cargo build --release -p spoor-digest --example digest_bench"; exit 1; }

# ----------------------------------------------------------------- tree
say "tree: $BENCH_DIR ($BENCH_GB GiB)"
"$BIN" --make-tree "$BENCH_DIR" --gb "$BENCH_GB" --json >/dev/null
read -r FILES BYTES < <(find "$BENCH_DIR" -type f -printf '%s\n' | awk '{n++; s+=$1} END {print n+0, s+0}')
say "tree: $FILES files, $BYTES bytes; warming the page cache"
find "$BENCH_DIR" -type f -print0 | xargs -0 cat >/dev/null

# ------------------------------------------------------------- measuring
# Busy time of the whole machine (all CPUs, USER_HZ ticks) from /proc/stat.
machine_busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat; }
HZ=100

# timed NAME CMD...: one run; sets T_REAL, T_CPU (CPU seconds of the command
# and its children) and T_OTHERS (CPU seconds everything else used meanwhile).
timed() {
    local tf b0 b1 real user sys
    tf=$(mktemp)
    b0=$(machine_busy)
    { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>&1; } 2>"$tf"
    b1=$(machine_busy)
    read -r real user sys <"$tf"
    rm -f "$tf"
    T_REAL=$real
    T_CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
    T_OTHERS=$(awk -v b0="$b0" -v b1="$b1" -v hz=$HZ -v c="$T_CPU" 'BEGIN {o = (b1 - b0) / hz - c; if (o < 0) o = 0; printf "%.2f", o}')
}

hash_all() { find "$BENCH_DIR" -type f -print0 | xargs -0 "$1"; }

declare -A BEST BEST_CPU BEST_OTHERS
keep_best() { # name
    if [ -z "${BEST[$1]:-}" ] || awk -v a="$T_REAL" -v b="${BEST[$1]}" 'BEGIN {exit !(a < b)}'; then
        BEST[$1]=$T_REAL BEST_CPU[$1]=$T_CPU BEST_OTHERS[$1]=$T_OTHERS
    fi
}

# The external tools in rounds, so that a burst of load elsewhere hits them
# all alike rather than one of them.
for ((rep = 1; rep <= BENCH_REPS; rep++)); do
    say "round $rep/$BENCH_REPS: md5sum, sha1sum, sha256sum, hashdeep"
    for t in md5sum sha1sum sha256sum; do
        timed hash_all "$t"
        keep_best "$t"
    done
    timed hashdeep -c md5,sha1,sha256 -r "$BENCH_DIR"
    keep_best hashdeep
done

say "spoor: in-memory hashers ($BENCH_SINGLE_MB MiB) and the digest stage over the tree"
EXTRA=()
[ "$BENCH_EXPERIMENTS" = 1 ] && EXTRA=(--experiments)
JSON=$("$BIN" --single-mb "$BENCH_SINGLE_MB" --tree "$BENCH_DIR" --reps "$BENCH_REPS" --json "${EXTRA[@]}")
j() { jq -r ".$1" <<<"$JSON"; }

THREADS=$(j threads)
SP_BYTES=$(j tree_bytes)
if [ "$SP_BYTES" != "$BYTES" ]; then
    say "warning: spoor read $SP_BYTES bytes, find counted $BYTES"
fi

# ---------------------------------------------------------------- report
calc() { awk "BEGIN {printf \"$1\", $2}"; }
mbps() { calc "%.0f" "$BYTES / $1 / 1e6"; }

CU_SECS=$(calc "%.3f" "${BEST[md5sum]} + ${BEST[sha1sum]} + ${BEST[sha256sum]}")
CU_CPU=$(calc "%.2f" "${BEST_CPU[md5sum]} + ${BEST_CPU[sha1sum]} + ${BEST_CPU[sha256sum]}")
CU_OTH=$(calc "%.2f" "${BEST_OTHERS[md5sum]} + ${BEST_OTHERS[sha1sum]} + ${BEST_OTHERS[sha256sum]}")
SP_SECS=$(j tree_seconds)
SP_CPU=$(j tree_cpu_seconds)
SP_OTH=$(j tree_others_cpu_seconds)
SP_MBPS=$(mbps "$SP_SECS")
HD_MBPS=$(mbps "${BEST[hashdeep]}")
CU_MBPS=$(mbps "$CU_SECS")
BOUND=$(j cpu_bound_mbps)
ONE_CORE=$(calc "%.1f" "$BOUND / $THREADS")

R_HD=$(calc "%.2f" "$SP_MBPS / $HD_MBPS")
R_CU=$(calc "%.2f" "$SP_MBPS / $CU_MBPS")
R_BOUND=$(calc "%.0f" "100 * $SP_MBPS / $BOUND")
verdict() { awk -v v="$1" -v t="$2" 'BEGIN {print (v >= t) ? "PASS" : "MISS"}'; }

# Contention diagnostics: spoor's bytes per CPU second it used, against one
# core's bound, is blind to cores taken by other processes; the bound on
# the cores actually left to spoor is cores minus what others used.
SP_PER_CPU=$(calc "%.0f" "$BYTES / $SP_CPU / 1e6")
R_PER_CPU=$(calc "%.0f" "100 * $SP_PER_CPU / $ONE_CORE")
OTHERS_CORES=$(calc "%.2f" "$SP_OTH / $SP_SECS")
LEFT_CORES=$(calc "%.2f" "($THREADS - $SP_OTH / $SP_SECS < 0.01) ? 0.01 : $THREADS - $SP_OTH / $SP_SECS")
LEFT_BOUND=$(calc "%.0f" "$ONE_CORE * $LEFT_CORES")
R_LEFT=$(calc "%.0f" "100 * $SP_MBPS / $LEFT_BOUND")
MEM_NT=$(j combined_nt_mbps)
R_MEM=$(calc "%.0f" "100 * $SP_MBPS / $MEM_NT")
R_MEM_BOUND=$(calc "%.0f" "100 * $MEM_NT / $BOUND")

row() { # label secs cpu others
    printf '%-44s %8.3f %8s %9s %12s\n' "$1" "$2" "$(mbps "$2")" "$(calc "%.2f" "$3 / $2")" "$(calc "%.2f" "$4 / $2")"
}

echo
echo "Spoor digest bench, $(date -u '+%Y-%m-%d %H:%M UTC'), nproc $(nproc), $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
echo "tree $BENCH_DIR: $FILES files, $BYTES bytes ($(calc "%.2f" "$BYTES / 1073741824") GiB), page cache warm, best of $BENCH_REPS"
echo "MB = 10^6 bytes; 'cores used' = CPU seconds / wall seconds; 'others' = cores other processes took meanwhile"
echo
printf '%-44s %8s %8s %9s %12s\n' "tool" "seconds" "MB/s" "cores used" "others"
row "md5sum (1 thread)" "${BEST[md5sum]}" "${BEST_CPU[md5sum]}" "${BEST_OTHERS[md5sum]}"
row "sha1sum (1 thread)" "${BEST[sha1sum]}" "${BEST_CPU[sha1sum]}" "${BEST_OTHERS[sha1sum]}"
row "sha256sum (1 thread)" "${BEST[sha256sum]}" "${BEST_CPU[sha256sum]}" "${BEST_OTHERS[sha256sum]}"
row "coreutils, the three one after another" "$CU_SECS" "$CU_CPU" "$CU_OTH"
row "hashdeep -c md5,sha1,sha256 -r" "${BEST[hashdeep]}" "${BEST_CPU[hashdeep]}" "${BEST_OTHERS[hashdeep]}"
row "spoor digest stage ($THREADS rayon threads)" "$SP_SECS" "$SP_CPU" "$SP_OTH"
echo
printf 'in memory, one thread (%s MiB): md5 %.0f MB/s, sha1 %.0f MB/s, sha256 %.0f MB/s\n' \
    "$(j single_mb)" "$(j md5_mbps)" "$(j sha1_mbps)" "$(j sha256_mbps)"
printf 'CPU bound = %s / (1/md5 + 1/sha1 + 1/sha256) = %.0f MB/s (%.0f per core)\n' "$THREADS" "$BOUND" "$ONE_CORE"
printf "library loop over memory: %.0f MB/s on 1 thread, %.0f MB/s on %s threads\n" \
    "$(j combined_1t_mbps)" "$(j combined_nt_mbps)" "$THREADS"
echo
printf '%-44s %10s %12s %s\n' "ratio" "measured" "target" ""
printf '%-44s %9s× %12s %s\n' "spoor / hashdeep" "$R_HD" "≥ 2.2×" "$(verdict "$R_HD" 2.2)"
printf '%-44s %9s× %12s\n' "spoor / coreutils (md5+sha1+sha256 in turn)" "$R_CU" "-"
printf '%-44s %9s %% %11s %s\n' "spoor / CPU bound" "$R_BOUND" "≥ 85 %" "$(verdict "$R_BOUND" 85)"
echo
echo "contention check (not a target):"
printf '  other processes took %s of %s cores during the spoor run; bound on the %s cores left: %s MB/s, spoor at %s %%\n' \
    "$OTHERS_CORES" "$THREADS" "$LEFT_CORES" "$LEFT_BOUND" "$R_LEFT"
printf '  the library loop over memory on %s threads reached %s %% of the CPU bound; spoor over the tree reached %s %% of that\n' \
    "$THREADS" "$R_MEM_BOUND" "$R_MEM"
printf '  spoor hashed %s MB per CPU second it used = %s %% of one core'"'"'s bound (%s MB/s)\n' "$SP_PER_CPU" "$R_PER_CPU" "$ONE_CORE"
SINGLE_OTH=$(j single_others_cores)
if awk -v o="$OTHERS_CORES" -v s="$SINGLE_OTH" 'BEGIN {exit !(o > 0.1 || s > 0.1)}'; then
    printf '  WARNING: the machine was busy (others: %s cores during the tree run, up to %s during the in-memory runs);\n' \
        "$OTHERS_CORES" "$SINGLE_OTH"
    echo "  the ratios above, and the per-core bound itself, are not trustworthy. Re-run when idle."
fi

if [ "$BENCH_EXPERIMENTS" = 1 ]; then
    echo
    echo "read-loop experiments (best of $BENCH_REPS; MB/CPU-s is immune to other load):"
    echo "  (cores: CPU seconds / wall seconds; tail: median time the last worker ran alone at the end)"
    jq -r '.experiments[] | [.name, (.mbps|round), (.cpu_mbps|round), .cores_used, .tail_ms, .others_cpu_seconds] | @tsv' <<<"$JSON" |
        while IFS=$'\t' read -r name mb cpu cores tail oth; do
            printf '  %-52s %5s MB/s %5s MB/CPU-s  cores %4s  tail %4s ms  others %s s\n' "$name" "$mb" "$cpu" "$cores" "$tail" "$oth"
        done
fi
exit 0
