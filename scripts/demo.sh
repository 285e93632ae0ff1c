#!/usr/bin/env bash
# The demo: builds Spoor, generates a benign fixture evidence tree and hash
# lists, runs a whole case through the CLI and prints the hits.
#   scripts/demo.sh [OUT_DIR]      (default: ./demo-out, recreated each run)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

out="${1:-demo-out}"
# The desktop app embeds the Vite build of ui/: build it first.
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build)
cargo build --release --locked -p spoor-cli -p spoor-fixtures -p spoor-app
bin="$PWD/target/release"
rm -rf "$out"
"$bin/spoor-fixtures" "$out/fixtures"
export SPOOR_LIBRARY="$out/library"
spoor() { echo "+ spoor $*" >&2; "$bin/spoor" "$@"; }
case="$out/case.spoor"
fx="$out/fixtures"

spoor case init "$case" --number 2026-0042 --examiner "A. de Vries" --agency "Team Digitale Opsporing" --title "Operation Example"
spoor hashset import "$fx/hashsets/known.md5" --name "Unit list 2026-11" --version 2026-11 --kind alert
spoor hashset import "$fx/hashsets/known.sha256" --name "Unit list SHA-256" --version 2026-11 --kind alert
spoor hashset import "$fx/hashsets/alert.csv" --name "Categorised list" --version 1 --kind alert
spoor hashset import "$fx/hashsets/nsrl-sample.sha1" --name "Known good" --kind ignore
spoor evidence add "$case" --id ITEM-001 --path "$fx/evidence" --description "Laptop HDD, mounted read-only" \
    --acquisition-hash "sha256:$(sha256sum "$fx/manifest.json" | cut -c1-64)"
spoor scan "$case" --progress none
spoor hits "$case"
spoor warnings "$case"
spoor verify "$case"
echo
echo "The case file is $case; try: $bin/spoor hits $case --json"
echo "or the desktop app (open the case by its path): SPOOR_LIBRARY=$SPOOR_LIBRARY $bin/spoor-app"
