#!/usr/bin/env bash
# All the tests: the workspace's unit, integration and doc tests, then the
# desktop window under a real (virtual) X server, then the reports rendered
# as a reader sees them (crates/report/tests/render.sh), then a short run of
# every fuzz target (fuzz/run.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

# The PDQ/vPDQ conformance vectors live beside the checkout (../shared/vectors).
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Every case the tests create appends its chain head to the anchor ledger;
# keep those out of the user's own ledger ($XDG_DATA_HOME/spoor). Tests that
# check the ledger set their own.
mkdir -p target
export SPOOR_ANCHORS="${SPOOR_ANCHORS:-$PWD/target/test-anchors.jsonl}"
rm -f "$PWD/target/test-anchors.jsonl"
# The desktop app embeds the Vite build (ui/dist): build the UI first.
mkdir -p target
ui_status=0
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npx vitest run --reporter=default --reporter=json --outputFile.json=../target/vitest.json && npm run build) || ui_status=$?
cargo build --locked --workspace --all-targets
set +e
cargo test --locked --workspace --no-fail-fast 2>&1 | tee target/cargo-test.log
cargo_status=${PIPESTATUS[0]}
set -e

window_status=0
bash src-tauri/tests/window-smoke.sh target/debug/spoor-app || window_status=$?

e2e_status=0
bash scripts/e2e.sh 2>&1 | tee target/e2e.log || e2e_status=$?

# The reports as a reader sees them: HTML and PDF rendered to PNG, every
# PDF page checked, and the HTML opened with its network log recorded.
render_status=0
bash crates/report/tests/render.sh target/report-render || render_status=$?

# Fuzzing (cargo-fuzz): every target FUZZ_SECONDS (default 5; 0 skips) and
# its regressions replayed; each target counts as one test. When the targets
# cannot be built it says why and counts nothing as passed.
fuzz_status=0
bash fuzz/run.sh "${FUZZ_SECONDS:-5}" 2>&1 | tee target/fuzz.log || fuzz_status=$?

passed=$(grep -Eo '^test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed' target/cargo-test.log | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '^test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed' target/cargo-test.log | awk '{s+=$6} END {print s+0}')
if ((window_status == 0)); then passed=$((passed + 1)); else failed=$((failed + 1)); fi
if ((render_status == 0)); then passed=$((passed + 1)); else failed=$((failed + 1)); fi
# Front-end unit tests (Vitest) and the end-to-end checks of the app.
read -r vp vf < <(python3 -c 'import json,sys
try:
    r = json.load(open("target/vitest.json")); print(r["numPassedTests"], r["numFailedTests"] or 0)
except Exception:
    print(0, 1)')
read -r ep ef < <(grep -Eo '^e2e: [0-9]+ passed, [0-9]+ failed' target/e2e.log | awk '{print $2, $4} END {if (NR == 0) print 0, 1}')
passed=$((passed + vp + ep)); failed=$((failed + vf + ef))
if ((ui_status != 0 || e2e_status != 0)) && ((vf + ef == 0)); then failed=$((failed + 1)); fi
passed=$((passed + $(grep -c '^fuzz target .*: passed' target/fuzz.log || true)))
failed=$((failed + $(grep -c '^fuzz target .*: FAILED' target/fuzz.log || true)))
echo
echo "window smoke test: $([[ $window_status -eq 0 ]] && echo passed || echo FAILED)"
echo "report render test: $([[ $render_status -eq 0 ]] && echo passed || echo FAILED)"
echo "front end (vitest): $vp passed, $vf failed; app end to end: $ep passed, $ef failed"
echo "fuzz step: $(tail -n 1 target/fuzz.log)"
echo "$passed passed, $failed failed"
((cargo_status == 0 && window_status == 0 && render_status == 0 && ui_status == 0 && e2e_status == 0 && fuzz_status == 0))
