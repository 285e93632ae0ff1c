#!/usr/bin/env bash
# Hash-set library at national scale: generate BENCH_RECORDS MD5+SHA-1
# records as VICS JSON and as md5sum text (deterministic), import each into a
# fresh library, and print records/s, peak memory, index size, the time to
# open the index and lookups/s; import the md5sum list into an indexed
# SQLite table with the sqlite3 shell as a reference and print Spoor's rate
# as a ratio. A report, not a test: exits 0 whatever the figures (PASS/MISS
# is printed per target). See bench/README-hashset.md.
#
# Environment:
#   BENCH_RECORDS   records per list (default 50000000)
#   BENCH_VICS_RECORDS  records in the VICS list (default BENCH_RECORDS;
#                   less when the disk cannot hold a 50 M VICS import, about
#                   0.65 KB per record)
#   BENCH_DIR       work folder (default /tmp/spoor-bench-hashset); needs
#                   about 0.75 KB per VICS record free (~37 GB for 50 M:
#                   the list, the import's sort runs and the set at once)
#   BENCH_QUERIES   lookups per measurement (default 2000000)
#   BENCH_KEEP      1: keep the generated lists and libraries afterwards
#   BENCH_KEEP_INDEX  1: keep only the md5sum library (lib-md5sum, ~0.16 KB
#                   per record) for BENCH_LOOKUP_ONLY runs
#   BENCH_LOOKUP_ONLY  1: only measure lookups again, on the md5sum library a
#                   run with BENCH_KEEP_INDEX=1 (or BENCH_KEEP=1) left in
#                   BENCH_DIR (for a quieter moment: lookups suffer most
#                   from other processes); BENCH_RECORDS must be that run's
set -euo pipefail

BENCH_RECORDS=${BENCH_RECORDS:-50000000}
BENCH_VICS_RECORDS=${BENCH_VICS_RECORDS:-$BENCH_RECORDS}
BENCH_DIR=${BENCH_DIR:-/tmp/spoor-bench-hashset}
BENCH_QUERIES=${BENCH_QUERIES:-2000000}
BENCH_KEEP=${BENCH_KEEP:-0}
BENCH_KEEP_INDEX=${BENCH_KEEP_INDEX:-0}
BENCH_LOOKUP_ONLY=${BENCH_LOOKUP_ONLY:-0}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '%s\n' "$*" >&2; }

command -v sqlite3 >/dev/null 2>&1 || {
    say "installing sqlite3"
    sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get install -y sqlite3 >/dev/null
}
[ -x /usr/bin/time ] || {
    say "installing time"
    sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get install -y time >/dev/null || true
}

say "building the benchmark (release)"
(cd "$ROOT" && cargo build --release -q -p spoor-hashset --example hashset_bench)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release/examples/hashset_bench

mkdir -p "$BENCH_DIR"
cd "$BENCH_DIR"
N=$BENCH_RECORDS
say "load average: $(cut -d' ' -f1-3 /proc/loadavg); free disk in $BENCH_DIR: $(df -h --output=avail . | tail -1 | tr -d ' ')"
mps() { echo "$1" | awk '{printf "%.2f M/s", $1 / 1e6}'; }

# key=value output of a step -> shell variables PREFIX_key
grab() { # prefix file
    while IFS='=' read -r k v; do
        [ -n "$k" ] && [ -n "$v" ] && printf -v "${1}_${k}" '%s' "$v"
    done < "$2"
}

if [ "$BENCH_LOOKUP_ONLY" = 1 ]; then
    [ -d lib-md5sum ] || { say "no lib-md5sum in $BENCH_DIR: run once with BENCH_KEEP_INDEX=1"; exit 2; }
    say "looking up (lookup-only mode)"
    "$BIN" lookup --library lib-md5sum --name bench-md5sum --records "$N" --queries "$BENCH_QUERIES" > lookup-only.out
    grab L lookup-only.out
    cat <<EOF

Lookups only, md5sum set of $N records, $BENCH_QUERIES random keys, one thread
(load average $L_lookup_load_average_start at the start, $L_lookup_load_average_end at the end; $(nproc) cores)

| MD5 lookups                 | wall       | CPU        |
| --------------------------- | ---------- | ---------- |
| one by one, present         | $(mps "$L_lookups_md5_present_per_second") | $(mps "$L_lookups_md5_present_per_cpu_second") |
| one by one, mixed           | $(mps "$L_lookups_md5_mixed_per_second") | $(mps "$L_lookups_md5_mixed_per_cpu_second") |
| batched, present            | $(mps "$L_lookups_md5_batched_present_per_second") | $(mps "$L_lookups_md5_batched_present_per_cpu_second") |
| batched, mixed              | $(mps "$L_lookups_md5_batched_mixed_per_second") | $(mps "$L_lookups_md5_batched_mixed_per_cpu_second") |
| batches of 1024, mixed      | $(mps "$L_lookups_md5_batched_1024_mixed_per_second") | $(mps "$L_lookups_md5_batched_1024_mixed_per_cpu_second") |
open $L_open_ms ms; table on 2 MiB pages: $L_huge_page_mapped_bytes bytes
EOF
    exit 0
fi

# Max RSS in bytes from /usr/bin/time -v output, or 0.
maxrss() { awk -F': ' '/Maximum resident set size/ {print $2 * 1024}' "$1" 2>/dev/null || echo 0; }

run_timed() { # log-prefix cmd...
    local p=$1; shift
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -v -o "$p.time" "$@" > "$p.out"
    else
        "$@" > "$p.out"; : > "$p.time"
    fi
}

gen() { # format file records
    local f=$1 file=$2 N=$3
    if [ -f "$file.done" ] && [ "$(cat "$file.done")" = "$N" ]; then
        say "reusing $file ($N records)"
        return
    fi
    say "generating $N records as $f"
    rm -f "$file" "$file.done"
    "$BIN" generate --records "$N" --format "$f" --out "$file" > "gen-$f.out"
    echo "$N" > "$file.done"
}

bench_format() { # format file prefix records drop-source
    local f=$1 file=$2 p=$3 N=$4 drop=$5
    gen "$f" "$file" "$N"
    rm -rf "lib-$f"
    printf -v "${p}_source_bytes" '%s' "$(stat -c %s "$file")"
    sync
    say "importing $file (free disk: $(df -h --output=avail . | tail -1 | tr -d ' '))"
    run_timed "import-$f" "$BIN" import --library "lib-$f" --name "bench-$f" --source "$file"
    grab "$p" "import-$f.out"
    printf -v "${p}_time_rss" '%s' "$(maxrss "import-$f.time")"
    # Delete as we go: the next steps do not need the list (the disk's
    # peak is the import: list, sort runs and the set side by side).
    if [ "$drop" = 1 ] && [ "$BENCH_KEEP" != 1 ]; then rm -f "$file" "$file.done"; fi
    say "looking up"
    "$BIN" lookup --library "lib-$f" --name "bench-$f" --records "$N" --queries "$BENCH_QUERIES" > "lookup-$f.out"
    grab "${p}L" "lookup-$f.out"
    if [ "$BENCH_KEEP" != 1 ] && { [ "$BENCH_KEEP_INDEX" != 1 ] || [ "$f" != md5sum ]; }; then
        rm -rf "lib-$f"
    fi
}

bench_format vics list.json V "$BENCH_VICS_RECORDS" 1
bench_format md5sum list.md5 M "$N" 0

say "reference: sqlite3 importing the md5sum list into an indexed table"
rm -f ref.db
sync
start=$(date +%s.%N)
run_timed sqlite sqlite3 ref.db <<'SQL'
PRAGMA journal_mode=OFF;
PRAGMA synchronous=OFF;
CREATE TABLE h(md5 TEXT, sep TEXT, name TEXT);
.separator " "
.import list.md5 h
CREATE INDEX h_md5 ON h(md5);
SQL
end=$(date +%s.%N)
S_secs=$(echo "$end - $start" | bc -l)
S_rate=$(echo "$N / $S_secs" | bc -l)
S_rss=$(maxrss sqlite.time)
S_bytes=$(stat -c %s ref.db)
[ "$BENCH_KEEP" = 1 ] || rm -f ref.db

# Digest lookups: a key of the VICS set's MD5+SHA-1 row is looked up in
# both of its tables (MD5 and SHA-1), a key of the md5sum set in its one.
# (The VICS set's "MD5" rows probe its SHA-1 table too, with a zero SHA-1.)
V_digest_wall=$(echo "$VL_lookups_md5_sha1_batched_mixed_per_second * 2" | bc -l)
V_digest_cpu=$(echo "$VL_lookups_md5_sha1_batched_mixed_per_cpu_second * 2" | bc -l)
M_digest_wall=$ML_lookups_md5_batched_mixed_per_second
M_digest_cpu=$ML_lookups_md5_batched_mixed_per_cpu_second

mb() { echo "$1" | awk '{printf "%.0f MB", $1 / 1e6}'; }
gb() { echo "$1" | awk '{printf "%.2f GB", $1 / 1e9}'; }
pass() { if awk "BEGIN {exit !($1)}"; then echo PASS; else echo MISS; fi; }

peak_v=$(( V_time_rss > V_peak_rss_bytes ? V_time_rss : V_peak_rss_bytes ))
peak_m=$(( M_time_rss > M_peak_rss_bytes ? M_time_rss : M_peak_rss_bytes ))
ratio=$(echo "$M_records_per_second / $S_rate" | bc -l)

cat <<EOF

Hash-set library, MD5 + SHA-1 records: VICS $BENCH_VICS_RECORDS, md5sum $N; $(nproc) cores, $(date -u +%Y-%m-%d)

| measure                         | VICS JSON            | md5sum               |
| ------------------------------- | -------------------- | -------------------- |
| records                         | $BENCH_VICS_RECORDS | $N |
| source size                     | $(gb "$V_source_bytes") | $(gb "$M_source_bytes") |
| import time                     | ${V_import_seconds} s | ${M_import_seconds} s |
| import rate                     | $(mps "$V_records_per_second") | $(mps "$M_records_per_second") |
| peak memory while importing     | $(mb "$peak_v") | $(mb "$peak_m") |
| digest tables (.idx)            | $(gb "$V_index_bytes") | $(gb "$M_index_bytes") |
| records (jsonl + off + sum)     | $(gb "$V_records_bytes") | $(gb "$M_records_bytes") |
| open the set (best of 5)        | ${VL_open_ms} ms | ${ML_open_ms} ms |
| table on 2 MiB pages            | $(mb "$VL_huge_page_mapped_bytes") | $(mb "$ML_huge_page_mapped_bytes") |
| MD5 lookups, one by one, present | $(mps "$VL_lookups_md5_present_per_second") wall, $(mps "$VL_lookups_md5_present_per_cpu_second") CPU | $(mps "$ML_lookups_md5_present_per_second") wall, $(mps "$ML_lookups_md5_present_per_cpu_second") CPU |
| MD5 lookups, one by one, mixed  | $(mps "$VL_lookups_md5_mixed_per_second") wall, $(mps "$VL_lookups_md5_mixed_per_cpu_second") CPU | $(mps "$ML_lookups_md5_mixed_per_second") wall, $(mps "$ML_lookups_md5_mixed_per_cpu_second") CPU |
| MD5 lookups, batched, present   | $(mps "$VL_lookups_md5_batched_present_per_second") wall, $(mps "$VL_lookups_md5_batched_present_per_cpu_second") CPU | $(mps "$ML_lookups_md5_batched_present_per_second") wall, $(mps "$ML_lookups_md5_batched_present_per_cpu_second") CPU |
| MD5 lookups, batched, mixed     | $(mps "$VL_lookups_md5_batched_mixed_per_second") wall, $(mps "$VL_lookups_md5_batched_mixed_per_cpu_second") CPU | $(mps "$ML_lookups_md5_batched_mixed_per_second") wall, $(mps "$ML_lookups_md5_batched_mixed_per_cpu_second") CPU |
| MD5 lookups, batches of 1024, mixed | $(mps "$VL_lookups_md5_batched_1024_mixed_per_second") wall, $(mps "$VL_lookups_md5_batched_1024_mixed_per_cpu_second") CPU | $(mps "$ML_lookups_md5_batched_1024_mixed_per_second") wall, $(mps "$ML_lookups_md5_batched_1024_mixed_per_cpu_second") CPU |
| MD5+SHA-1 lookups, batched, mixed | $(mps "$VL_lookups_md5_sha1_batched_mixed_per_second") wall, $(mps "$VL_lookups_md5_sha1_batched_mixed_per_cpu_second") CPU | - |
| digest lookups in a table, batched, mixed | $(mps "$V_digest_wall") wall, $(mps "$V_digest_cpu") CPU | $(mps "$M_digest_wall") wall, $(mps "$M_digest_cpu") CPU |
| lookups returning the record    | $(mps "$VL_lookups_with_record_per_second") | $(mps "$ML_lookups_with_record_per_second") |

Lookups: one thread, $BENCH_QUERIES random keys; "present" are digests of
records picked at random, "mixed" is 50 % present and 50 % absent in random
order ($VL_lookup_present_share present). Rates are keys per second, but
"digest lookups": a VICS key of the MD5+SHA-1 row is two lookups (its MD5 in
the MD5 table, its SHA-1 in the SHA-1 table), an md5sum key one. "One by
one" is Matcher::matches per key; "batched" is one Matcher::matches_many
call over all keys
(digests radix-ordered, each table searched by a prefetching pipeline);
"batches of 1024" calls it per 1024 keys. Best of 5 after one warm-up
pass; "wall" is keys / elapsed time, "CPU" is keys / this thread's CPU time
(/proc/thread-self/schedstat), the rate of one core when the machine is
shared. Load average (1 min) during the lookups: VICS $VL_lookup_load_average_start
to $VL_lookup_load_average_end, md5sum $ML_lookup_load_average_start to $ML_lookup_load_average_end;
now $(cut -d' ' -f1-3 /proc/loadavg).

Reference (sqlite3 .import + CREATE INDEX of the md5sum list): $(printf '%.1f' "$S_secs") s,
$(mps "$S_rate"), peak $(mb "$S_rss"), database $(gb "$S_bytes").
Spoor md5sum import rate / sqlite3: $(printf '%.2f' "$ratio")x

Targets:
  peak memory < 2 GB while importing      VICS $(pass "$peak_v < 2e9")  md5sum $(pass "$peak_m < 2e9")
  open the index < 100 ms                  VICS $(pass "$VL_open_ms < 100")  md5sum $(pass "$ML_open_ms < 100")
  >= 10 M lookups/s per core (digest lookups, batched, mixed, CPU)  VICS $(pass "$V_digest_cpu >= 1e7")  md5sum $(pass "$M_digest_cpu >= 1e7")
  >= 10 M lookups/s per core (digest lookups, batched, mixed, wall) VICS $(pass "$V_digest_wall >= 1e7")  md5sum $(pass "$M_digest_wall >= 1e7")
  >= 10 M keys/s per core (MD5 keys, batched, mixed, CPU)         VICS $(pass "$VL_lookups_md5_batched_mixed_per_cpu_second >= 1e7")  md5sum $(pass "$ML_lookups_md5_batched_mixed_per_cpu_second >= 1e7")
EOF
[ "$BENCH_KEEP" = 1 ] || rm -f list.md5 list.md5.done
