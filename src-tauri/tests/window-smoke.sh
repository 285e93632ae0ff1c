#!/usr/bin/env bash
# Window smoke test: start the built desktop app under Xvfb, take a
# screenshot of the whole screen and fail if the app died or the screen is
# a single flat colour (nothing rendered).
#
# Not run by `cargo test` (it needs a built binary, Xvfb and ImageMagick).
#
# Usage: src-tauri/tests/window-smoke.sh [APP_BINARY]
# Env:   SMOKE_DISPLAY  X display to use          (default :99)
#        SMOKE_WAIT     seconds before the shot   (default 8)
#        SMOKE_SHOT     where to write the PNG    (default $TMPDIR/spoor-window-smoke.png)
#        SMOKE_MIN_SD   minimum standard deviation, 0..1 (default 0.01)
# Requires: Xvfb, ImageMagick (import, convert), the app built with
#           `cargo build -p spoor-app`.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
app="${1:-$repo_root/target/debug/spoor-app}"
display="${SMOKE_DISPLAY:-:99}"
wait_s="${SMOKE_WAIT:-8}"
shot="${SMOKE_SHOT:-${TMPDIR:-/tmp}/spoor-window-smoke.png}"
min_sd="${SMOKE_MIN_SD:-0.01}"

fail() { echo "window-smoke: FAIL: $*" >&2; exit 1; }

for tool in Xvfb import convert; do
    command -v "$tool" >/dev/null || fail "$tool not found"
done
[[ -x "$app" ]] || fail "app binary not found or not executable: $app (run: cargo build -p spoor-app)"

xvfb_pid=""
app_pid=""
app_log="$(mktemp "${TMPDIR:-/tmp}/spoor-window-smoke.XXXXXX.log")"
cleanup() {
    # Only the processes this script started: the app's own process group
    # (it and any helpers it spawned), then Xvfb, by PID.
    [[ -n "$app_pid" ]] && kill -- "-$app_pid" 2>/dev/null || true
    [[ -n "$xvfb_pid" ]] && kill "$xvfb_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -f "$app_log"
}
trap cleanup EXIT

Xvfb "$display" -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
# Wait for the X server to accept connections (up to 10 s).
for _ in $(seq 1 50); do
    kill -0 "$xvfb_pid" 2>/dev/null || fail "Xvfb exited (is display $display in use?)"
    DISPLAY="$display" import -window root -crop 1x1+0+0 null: 2>/dev/null && break
    sleep 0.2
done
kill -0 "$xvfb_pid" 2>/dev/null || fail "Xvfb exited (is display $display in use?)"

# setsid: the app leads its own process group, so cleanup reaches its children.
DISPLAY="$display" setsid "$app" >"$app_log" 2>&1 &
app_pid=$!
sleep "$wait_s"

if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "--- app output ---" >&2
    cat "$app_log" >&2
    fail "app process died within ${wait_s}s"
fi

DISPLAY="$display" import -window root "$shot" || fail "screenshot failed"
sd="$(convert "$shot" -format '%[fx:standard_deviation]' info:)"
echo "window-smoke: screenshot $shot, standard deviation $sd (minimum $min_sd)"

if awk -v sd="$sd" -v min="$min_sd" 'BEGIN { exit !(sd > min) }'; then
    echo "window-smoke: PASS"
else
    echo "--- app output ---" >&2
    cat "$app_log" >&2
    fail "screenshot is a flat colour: the window did not render"
fi
