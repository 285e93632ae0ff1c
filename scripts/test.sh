#!/usr/bin/env bash
# All the tests: the workspace's unit, integration and doc tests, then the
# desktop window under a real (virtual) X server, then the reports rendered
# as a reader sees them (crates/report/tests/render.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

# The PDQ/vPDQ conformance vectors live beside the checkout (../shared/vectors).
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
cargo build --locked --workspace --all-targets
set +e
cargo test --locked --workspace --no-fail-fast 2>&1 | tee target/cargo-test.log
cargo_status=${PIPESTATUS[0]}
set -e

window_status=0
bash src-tauri/tests/window-smoke.sh target/debug/spoor-app || window_status=$?

# The reports as a reader sees them: HTML and PDF rendered to PNG, every
# PDF page checked, and the HTML opened with its network log recorded.
render_status=0
bash crates/report/tests/render.sh target/report-render || render_status=$?

passed=$(grep -Eo '^test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed' target/cargo-test.log | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '^test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed' target/cargo-test.log | awk '{s+=$6} END {print s+0}')
if ((window_status == 0)); then passed=$((passed + 1)); else failed=$((failed + 1)); fi
if ((render_status == 0)); then passed=$((passed + 1)); else failed=$((failed + 1)); fi
echo
echo "window smoke test: $([[ $window_status -eq 0 ]] && echo passed || echo FAILED)"
echo "report render test: $([[ $render_status -eq 0 ]] && echo passed || echo FAILED)"
echo "$passed passed, $failed failed"
((cargo_status == 0 && window_status == 0 && render_status == 0))
