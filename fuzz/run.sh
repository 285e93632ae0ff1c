#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 5), starting from seeds made
# by the repo's own generators (test-fixtures, `spoor case init`, the ffmpeg
# CLI when installed), then replays every input under
# fuzz/regressions/<target>/ once. A crash leaves its input under
# fuzz/artifacts/<target>/; turn it into a regression (docs/RELIABILITY.md).
#
# Usage: fuzz/run.sh [SECONDS] [TARGET...]   (0 seconds: skip)
#   BIN=DIR            where spoor and spoor-fixtures are (default target/debug;
#                      scripts/test.sh builds them first)
#   FUZZ_SANITIZER=S   none (default: the short CI run; coverage-guided, no
#                      sanitizer, a fraction of the build time) or address
#   FUZZ_TOOLCHAIN=T   e.g. nightly; default: the active toolchain, with
#                      RUSTC_BOOTSTRAP=1 for the -Z flags cargo-fuzz passes
# Installs cargo-fuzz (cargo install --locked) when it is missing. Prints one
# "fuzz target T: passed|FAILED" line per target, then "fuzz: N passed, N
# failed" and the step's time; exit 1 if any failed. When it cannot build
# the targets it says why ("fuzz: skipped ...") and counts nothing as passed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
secs=${1:-5}
shift || true
started=$(date +%s)

if [[ $secs == 0 ]]; then
    echo "fuzz: skipped (0 seconds asked for)"
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz (cargo install --locked cargo-fuzz)"
    if ! cargo install --locked cargo-fuzz >&2; then
        echo "fuzz: skipped (cargo-fuzz could not be installed; nothing was fuzzed)"
        exit 0
    fi
fi
sanitizer=${FUZZ_SANITIZER:-none}
fuzz=(cargo)
if [[ -n ${FUZZ_TOOLCHAIN:-} ]]; then
    fuzz+=("+$FUZZ_TOOLCHAIN")
else
    # cargo-fuzz passes unstable flags (-Z...); stable rustc accepts them
    # under RUSTC_BOOTSTRAP=1, so CI needs no nightly toolchain.
    export RUSTC_BOOTSTRAP=1
fi
fuzz+=(fuzz)
echo "fuzz: $(rustc ${FUZZ_TOOLCHAIN:++$FUZZ_TOOLCHAIN} --version)${RUSTC_BOOTSTRAP:+ with RUSTC_BOOTSTRAP=1}, sanitizer $sanitizer, $secs s per target"
bin=${BIN:-target/debug}
for b in spoor spoor-fixtures; do
    [[ -x $bin/$b ]] || cargo build --locked -p spoor-cli -p spoor-fixtures >&2
done

flags=(--sanitizer "$sanitizer")
if ! pkg-config --exists libavformat 2>/dev/null; then
    flags+=(--no-default-features)
    echo "fuzz: FFmpeg development files missing; video_probe left out"
fi
# The fuzz build is separate from the workspace's (fuzz/target).
build_started=$(date +%s)
if ! "${fuzz[@]}" build "${flags[@]}" >&2; then
    echo "fuzz target build: FAILED"
    echo "fuzz: 0 passed, 1 failed"
    exit 1
fi
echo "fuzz: targets built in $(($(date +%s) - build_started)) s"
mapfile -t targets < <("${fuzz[@]}" list)
if (($#)); then targets=("$@"); fi
if [[ " ${flags[*]} " == *" --no-default-features "* ]]; then
    mapfile -t targets < <(printf '%s\n' "${targets[@]}" | grep -v '^video_probe$')
fi

# ---- seeds (fuzz/target is ignored by git)
seeds=fuzz/target/seeds
rm -rf "$seeds" fuzz/target/seed-work
mkdir -p "$seeds" fuzz/target/seed-work
work=fuzz/target/seed-work
# The anchor ledger of the seed case and of the cases the targets make: a
# small file of this run, not the user's (crates/case/src/anchors.rs).
export SPOOR_ANCHORS="$PWD/$work/anchors.jsonl"
"$bin/spoor-fixtures" "$work/fx" --no-large >/dev/null
lists=$work/fx/hashsets
seed() { # TARGET NAME SELECTOR-BYTE FILE: the file with a selector byte before it
    mkdir -p "$seeds/$1"
    { [[ -n $3 ]] && printf "\\x$3"; cat "$4"; } >"$seeds/$1/$2"
}
seed hashset_sumfile md5 00 "$lists/known.md5"
seed hashset_sumfile bad-md5 00 "$lists/bad-lines.md5"
seed hashset_sumfile sha1 01 "$lists/nsrl-sample.sha1"
seed hashset_sumfile sha256 02 "$lists/known.sha256"
seed hashset_csv csv 00 "$lists/alert.csv"
seed hashset_csv hashkeeper 01 "$lists/hashkeeper.hsh"
seed hashset_csv nsrl2 02 "$lists/NSRLFile.txt"
seed hashset_csv nsrl2-md5-first 02 "$lists/NSRLFile-md5-first.txt"
seed hashset_vics vics13 00 "$lists/vics-1.3-media.json"
seed hashset_vics vics20 00 "$lists/vics-2.0-us-cases.json"
seed hashset_vics caid 01 "$lists/caid-uk.json"
seed hashset_encase encase 00 "$lists/encase.hash"
seed hashset_tsk_idx idx 00 "$lists/tsk-md5.idx"
seed hashset_sqlite rds3 00 "$lists/nsrl-rds3-minimal.db"
seed hashset_sqlite kdb 01 "$lists/tsk-hashdb.kdb"
for f in "$lists"/*; do seed hashset_detect "$(basename "$f")" "" "$f"; done
find "$work/fx/evidence" -type f -size -300k \( -iname '*.jp*g' -o -iname '*.png' -o -iname '*.gif' -o -iname '*.bmp' -o -iname '*.tif*' -o -iname '*.webp' -o -iname '*.dat' \) -readable |
    while read -r f; do seed picture_pdq "$(basename "$f" | tr -c 'A-Za-z0-9._-' _)" "" "$f"; done
mkdir -p "$seeds/video_probe"
if command -v ffmpeg >/dev/null; then
    ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i testsrc=size=64x48:rate=5:duration=1 \
        -c:v mpeg4 -fflags +bitexact -flags +bitexact -map_metadata -1 "$seeds/video_probe/clip.mp4" || true
    ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i testsrc=size=64x48:rate=5:duration=1 \
        -c:v ffv1 -fflags +bitexact -flags +bitexact -map_metadata -1 "$seeds/video_probe/clip.mkv" || true
fi
printf '\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2' >"$seeds/video_probe/ftyp"
mkdir -p "$work/ev" && echo "seed" >"$work/ev/a.txt"
"$bin/spoor" case init "$work/case.spoor" --number 1 --examiner fuzz >/dev/null
"$bin/spoor" evidence add "$work/case.spoor" --id I --path "$work/ev" >/dev/null
mkdir -p "$seeds/case_open" "$seeds/case_patch"
cp "$work/case.spoor" "$seeds/case_open/case.spoor"
printf '' >"$seeds/case_patch/empty"
printf '\x00\x10\x00\x00\x00\x01' >"$seeds/case_patch/one-flip"
printf '\x01\x00\x20\x00\x00' >"$seeds/case_patch/cut"

# ---- run
passed=0
failed=0
for t in "${targets[@]}"; do
    corpus=fuzz/corpus/$t
    mkdir -p "$corpus" "$seeds/$t"
    opts=(-max_total_time="$secs" -rss_limit_mb=3072 -timeout=60 -print_final_stats=1)
    [[ $t == video_probe ]] && opts+=(-detect_leaks=0)
    log=fuzz/target/$t.log
    status=0
    "${fuzz[@]}" run "${flags[@]}" "$t" "$corpus" "$seeds/$t" -- "${opts[@]}" >"$log" 2>&1 || status=$?
    if ((status == 0)) && compgen -G "fuzz/regressions/$t/*" >/dev/null; then
        "${fuzz[@]}" run "${flags[@]}" "$t" fuzz/regressions/"$t"/* -- "${opts[@]}" >>"$log" 2>&1 || status=$?
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | head -1)
    if ((status == 0)); then
        passed=$((passed + 1))
        echo "fuzz target $t: passed (${runs:-?} runs in ${secs} s)"
    else
        failed=$((failed + 1))
        echo "fuzz target $t: FAILED (exit $status; see $log and fuzz/artifacts/$t/)"
        grep -m3 -E 'panicked|ERROR: |SUMMARY' "$log" | sed 's/^/    /'
    fi
done
echo "fuzz: $passed passed, $failed failed; the step took $(($(date +%s) - started)) s"
((failed == 0))
