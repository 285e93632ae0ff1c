#!/usr/bin/env bash
# End-to-end test of the built desktop app under Xvfb, over WebDriver
# (tauri-driver + Debian's WebKitWebDriver, Python selenium as the client).
#   scripts/e2e.sh [--screenshots DIR]
# Needs: target/debug/spoor-app built against ui/dist, target/debug/spoor and
# target/debug/spoor-fixtures (scripts/test.sh builds them), and what
# scripts/setup.sh installs. Prints `N passed, N failed`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"

display="${E2E_DISPLAY:-:97}"
port="${E2E_PORT:-4544}"
app="$repo/target/debug/spoor-app"
for bin in "$app" target/debug/spoor target/debug/spoor-fixtures; do
    [[ -x $bin ]] || { echo "e2e: $bin is not built" >&2; exit 1; }
done
command -v tauri-driver >/dev/null || export PATH="$HOME/.cargo/bin:$PATH"
for tool in Xvfb tauri-driver WebKitWebDriver python3; do
    command -v "$tool" >/dev/null || { echo "e2e: $tool not found (run scripts/setup.sh)" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/spoor-e2e.XXXXXX")"
xvfb_pid=""
driver_pid=""
cleanup() {
    # Only what this script started, by process id.
    [[ -n $driver_pid ]] && kill -- "-$driver_pid" 2>/dev/null || true
    [[ -n $xvfb_pid ]] && kill "$xvfb_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

target/debug/spoor-fixtures "$work/fixtures" --camera >/dev/null
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
for _ in $(seq 1 50); do
    DISPLAY="$display" xdpyinfo >/dev/null 2>&1 && break
    DISPLAY="$display" import -window root -crop 1x1+0+0 null: 2>/dev/null && break
    sleep 0.2
done

# The app reads its library and recent list from here (never the user's).
# The anchor ledger too, unless the caller (scripts/test.sh) chose one.
export SPOOR_LIBRARY="$work/library" SPOOR_APP_DATA="$work/appdata" SPOOR_EXAMINER=""
export SPOOR_ANCHORS="${SPOOR_ANCHORS-$work/anchors.jsonl}"
unset SPOOR_EXAMINER
# setsid: tauri-driver leads its own process group (it, WebKitWebDriver and the app).
DISPLAY="$display" setsid tauri-driver --port "$port" --native-port "$((port + 1))" >"$work/driver.log" 2>&1 &
driver_pid=$!
for _ in $(seq 1 50); do
    python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1', $port)))" && break
    sleep 0.2
done

# A case with many hits (E2E_BIG_HITS, default 100000; 0 to skip), written
# through the engine by the big_case example: the hits screens must reach
# its last hit. Not with --screenshots.
big=()
big_hits="${E2E_BIG_HITS:-100000}"
if ((big_hits > 0)) && [[ " $* " != *" --screenshots "* ]]; then
    [[ -x target/debug/examples/big_case ]] || cargo build --locked -q -p spoor-app --example big_case
    target/debug/examples/big_case "$work/big.spoor" "$big_hits" >/dev/null
    big=(--big "$work/big.spoor")
fi

status=0
DISPLAY="$display" python3 scripts/e2e.py --app "$app" --driver "http://127.0.0.1:$port" \
    --fixtures "$work/fixtures" --work "$work" --spoor "$repo/target/debug/spoor" "${big[@]}" "$@" || status=$?
if ((status != 0)); then
    echo "--- tauri-driver log (tail) ---" >&2
    tail -n 40 "$work/driver.log" >&2 || true
fi
exit "$status"
