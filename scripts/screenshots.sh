#!/usr/bin/env bash
# Regenerates the README's screenshots of the real app under Xvfb (case
# overview, scan progress, hits grid with blurred thumbnails) by running the
# end-to-end workflow with screenshots on.
#   scripts/screenshots.sh [OUT_DIR]     (default: docs/screenshots)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="$(realpath -m "${1:-docs/screenshots}")"
source scripts/setup.sh
(cd ui && { [[ -d node_modules ]] || npm ci --no-audit --no-fund; } && npm run build)
cargo build --locked -p spoor-app -p spoor-cli -p spoor-fixtures
bash scripts/e2e.sh --screenshots "$out"
ls -l "$out"
