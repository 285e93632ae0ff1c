#!/usr/bin/env bash
# Installs what Spoor needs to build and test on Debian/Ubuntu, skipping
# whatever is already there. Safe to run again. Needs root (or sudo) only
# when something is missing.
set -euo pipefail

packages=(
    pkg-config build-essential file
    # the desktop shell (Tauri v2 on WebKitGTK)
    libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev libsoup-3.0-dev libgtk-3-dev librsvg2-dev
    libayatana-appindicator3-dev libxdo-dev
    # the headless window test: a real X server, screenshots; the end-to-end
    # test drives the app over WebDriver (tauri-driver -> WebKitWebDriver)
    xvfb xauth imagemagick webkit2gtk-driver
    # tests and benchmarks: plain sqlite3 for tampering, hashdeep as the reference tool
    sqlite3 hashdeep
    # JPEG decoding (crates/pdq builds mozjpeg's libjpeg-turbo code): nasm for its
    # SIMD; without it the build falls back to plain C (same pixels, slower)
    nasm
    # video fingerprints (crates/video): FFmpeg 5.1 libraries for ffmpeg-next,
    # clang for its bindgen, the ffmpeg CLI for test videos and the benchmark
    libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev
    libavfilter-dev libavdevice-dev clang libclang-dev ffmpeg
    # looking at reports: headless Chromium (HTML to PNG, network log) and
    # poppler (PDF to PNG and text), for crates/report/tests/render.sh
    chromium poppler-utils
)

missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
    for c in "$HOME/.cargo/bin/cargo" /usr/local/cargo/bin/cargo; do
        [[ -x $c ]] && export PATH="$(dirname "$c"):$PATH" && break
    done
fi
command -v cargo >/dev/null 2>&1 || {
    echo "setup: cargo not found; install the Rust toolchain (https://rustup.rs) and run this again" >&2
    exit 2
}

# The desktop app's front end (ui/) is built with the machine's Node.js and
# npm (npm ci from ui/package-lock.json); its end-to-end test needs
# tauri-driver (crates.io) and Python selenium (PyPI).
command -v npm >/dev/null 2>&1 || {
    echo "setup: npm not found; install Node.js 20 or newer with npm and run this again" >&2
    exit 2
}
if ! command -v tauri-driver >/dev/null 2>&1 && [[ ! -x $HOME/.cargo/bin/tauri-driver ]]; then
    echo "setup: installing tauri-driver" >&2
    cargo install --locked --quiet tauri-driver
fi
if ! python3 -c "import selenium" >/dev/null 2>&1; then
    echo "setup: installing Python selenium" >&2
    python3 -m pip install --quiet selenium
fi
