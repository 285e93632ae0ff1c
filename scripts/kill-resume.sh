#!/usr/bin/env bash
# Kill `spoor scan` with SIGKILL at random moments and resume it, TRIALS
# times (default 24): every trial must end with exactly the hits, counts and
# content digest of an uninterrupted scan, one run, no doubled rows, and a
# case that `spoor verify` passes.
#
# Kill moments, in turn:
#   random   after a random delay in [0, 1.1 x the uninterrupted scan's time]
#   commit   the moment the scan says it is sealing (--progress json), i.e.
#            inside the final commit: content digest, closing event, audit
#            entry, WAL checkpoint
#   early    the moment the first progress line appears (walking)
#   double   a random kill, then the resumed scan killed too
#
# Usage: scripts/kill-resume.sh [TRIALS]
#   SEED=N         the seed of the delays (default 20261201): a failing trial
#                  can be replayed
#   SPOOR=PATH     the binary to test (default: built here, release profile)
#   PROFILE=debug  build the debug binary instead
#   BULK=N         extra small files in the tree (default 3000)
#   KEEP=1         keep the work folder
# Ends with "N passed, N failed"; exit status 1 if any trial failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

trials=${1:-${TRIALS:-24}}
seed=${SEED:-20261201}
profile=${PROFILE:-release}
bulk=${BULK:-3000}

command -v sqlite3 >/dev/null || { echo "kill-resume: sqlite3 is missing (scripts/setup.sh installs it)" >&2; exit 2; }
if [[ -z ${SPOOR:-} ]]; then
    cargo build --locked --profile "$profile" -p spoor-cli -p spoor-fixtures >&2
    dir=target/$([[ $profile == dev ]] && echo debug || echo "$profile")
    SPOOR=$PWD/$dir/spoor
    FIXTURES=$PWD/$dir/spoor-fixtures
else
    FIXTURES=${FIXTURES:-$(dirname "$SPOOR")/spoor-fixtures}
fi

work=$(mktemp -d -t spoor-kill-resume-XXXXXX)
cleanup() { [[ ${KEEP:-0} == 1 ]] && echo "kept $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT
export SPOOR_LIBRARY=$work/library
# Every write records its chain head here and every verify checks the case
# against it: a kill between the commit and the append leaves the ledger
# behind the case, never ahead of it.
export SPOOR_ANCHORS=$work/anchors.jsonl
RANDOM=$seed

# The tree: the benign fixtures plus BULK small files and four 20 MiB files,
# all deterministic.
"$FIXTURES" "$work/fixture" --no-large >/dev/null
evidence=$work/fixture/evidence
mkdir -p "$evidence/bulk"
seq 1 $((bulk * 700)) | split -l 700 -a 5 - "$evidence/bulk/f-"
for i in 1 2 3 4; do (yes "spoor kill-resume big file $i" || true) | head -c $((20 << 20)) >"$evidence/bulk/big-$i.bin"; done
for list in "known.md5 alert" "known.sha256 alert" "alert.csv alert" "nsrl-sample.sha1 ignore"; do
    set -- $list
    "$SPOOR" hashset import "$work/fixture/hashsets/$1" --name "$1" --kind "$2" >/dev/null
done

new_case() { # CASE
    "$SPOOR" case init "$1" --number 2026-0042 --examiner "A. de Vries" >/dev/null
    "$SPOOR" evidence add "$1" --id ITEM-001 --path "$evidence" >/dev/null
}

# What a case holds, in a form two cases can be compared by: the completed
# run's digest and counts, the rows, and the hits without row ids.
summary() {
    local c=$1
    sqlite3 -batch "$c" "
        SELECT 'runs', COUNT(*) FROM scan_runs;
        SELECT 'completed', COUNT(*) FROM scan_run_events WHERE event = 'completed';
        SELECT 'digest', content_digest, files, bytes, hits, known_good, warnings FROM scan_run_events WHERE event = 'completed';
        SELECT 'files', COUNT(*), COUNT(DISTINCT evidence_ref || '/' || hex(path)) FROM files;
        SELECT 'warnings', COUNT(*) FROM warnings;
        SELECT 'hits', COUNT(*) FROM hits;"
    "$SPOOR" hits "$c" --json | grep -v -e '"run_id"' -e '"file_id"' | sha256sum | cut -c1-16
}

reference=$work/reference.spoor
new_case "$reference"
start=$(date +%s.%N)
"$SPOOR" scan "$reference" --jobs 2 >/dev/null
ref_secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
want=$(summary "$reference")
"$SPOOR" verify "$reference" >/dev/null
echo "uninterrupted scan: ${ref_secs} s; $(sqlite3 "$reference" "SELECT files || ' entries, ' || hits || ' hits' FROM scan_run_events WHERE event = 'completed'")"

# Starts a scan, kills it at the moment MODE asks for; prints what it hit.
kill_once() {
    local c=$1 mode=$2 jobs=$3
    local fifo=$work/progress.fifo pid delay
    case $mode in
    random | double)
        delay=$(awk -v s="$ref_secs" -v r=$((RANDOM % 1000)) 'BEGIN { printf "%.3f", s * 1.1 * r / 1000 }')
        "$SPOOR" scan "$c" --jobs "$jobs" --progress none >/dev/null 2>&1 &
        pid=$!
        sleep "$delay"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        echo "after ${delay} s"
        ;;
    commit | early)
        rm -f "$fifo"
        mkfifo "$fifo"
        "$SPOOR" scan "$c" --jobs "$jobs" --progress json 2>"$fifo" >/dev/null &
        pid=$!
        local want='"stage":"sealing"' seen=none
        [[ $mode == early ]] && want='"event":"progress"'
        while IFS= read -r line; do
            if [[ $line == *"$want"* ]]; then
                kill -9 "$pid" 2>/dev/null || true
                seen=$(grep -o '"stage":"[a-z]*"' <<<"$line" | cut -d'"' -f4)
                break
            fi
        done <"$fifo"
        wait "$pid" 2>/dev/null || true
        rm -f "$fifo"
        echo "at $seen"
        ;;
    esac
}

passed=0
failed=0
for ((t = 1; t <= trials; t++)); do
    modes=(random commit early double)
    mode=${modes[$(((t - 1) % 4))]}
    cf=$work/trial-$t.spoor
    new_case "$cf"
    note=$(kill_once "$cf" "$mode" $((1 + RANDOM % 3)))
    state=$(sqlite3 "$cf" "SELECT COALESCE((SELECT event FROM scan_run_events ORDER BY id DESC LIMIT 1), 'no run')" 2>/dev/null || echo "no case")
    rows=$(sqlite3 "$cf" "SELECT COUNT(*) FROM files" 2>/dev/null || echo 0)
    note="$mode kill $note: state $state, $rows rows"
    if [[ $mode == double ]]; then
        note="$note; then $(kill_once "$cf" random $((1 + RANDOM % 3)))"
    fi
    scans=0
    outcome=none
    while ((scans < 4)) && [[ $outcome != completed && $outcome != nothing_to_scan ]]; do
        scans=$((scans + 1))
        outcome=$("$SPOOR" scan "$cf" --json --jobs $((1 + RANDOM % 3)) | grep -o '"outcome": *"[a-z_]*"' | grep -o '[a-z_]*"$' | tr -d '"') || outcome=error
    done
    got=$(summary "$cf")
    if [[ $got == "$want" ]] && "$SPOOR" verify "$cf" >/dev/null; then
        passed=$((passed + 1))
        echo "trial $t: passed ($note; finished by $scans scan(s))"
    else
        failed=$((failed + 1))
        echo "trial $t: FAILED ($note; finished by $scans scan(s), last outcome $outcome)"
        diff <(echo "$want") <(echo "$got") || true
        "$SPOOR" verify "$cf" || true
    fi
    rm -f "$cf" "$cf-wal" "$cf-shm"
done
echo "$passed passed, $failed failed"
((failed == 0))
