#!/usr/bin/env bash
# Renders the fixture case's reports so a person can look at them, and
# checks that opening the HTML report makes no network request.
#
#   crates/report/tests/render.sh [OUT]      (default OUT: target/report-render)
#
# Writes OUT/html-screen.png (the HTML as a browser shows it),
# OUT/html-print-N.png (the HTML printed to PDF by Chromium: page margins,
# repeated table headers), OUT/pdf-N.png (Spoor's own PDF), the reports
# themselves, and OUT/netlog.json. Needs chromium and poppler-utils
# (`apt-get install -y chromium poppler-utils`); exits 2 without them, 1
# when a check fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."

for tool in chromium pdftoppm pdftotext; do
    command -v "$tool" >/dev/null || { echo "render.sh: $tool is missing (apt-get install -y chromium poppler-utils)" >&2; exit 2; }
done

out=${1:-target/report-render}
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

cargo build -q -p spoor-cli -p spoor-fixtures
spoor=$PWD/target/debug/spoor
export SPOOR_LIBRARY=$out/library
case=$out/case.spoor

"$PWD/target/debug/spoor-fixtures" "$out/fixture" --no-large >/dev/null
lists=$out/fixture/hashsets
"$spoor" hashset import "$lists/known.md5" --name "Unit list 2026-11" --version 2026-11 --kind alert >/dev/null
"$spoor" hashset import "$lists/known.sha256" --name "Unit list SHA-256" --kind alert >/dev/null
"$spoor" hashset import "$lists/alert.csv" --name "Alert CSV" --version 1 --kind alert >/dev/null
"$spoor" hashset import "$lists/nsrl-sample.sha1" --name "Known good" --kind ignore >/dev/null
"$spoor" case init "$case" --number 2026-0042 --examiner "A. de Vries" --agency "Team Digitale Opsporing" \
    --title "Operation Example" --time-zone Europe/Amsterdam >/dev/null
"$spoor" evidence add "$case" --id ITEM-001 --path "$out/fixture/evidence" --description "Laptop HDD, mounted read-only" \
    --acquisition-hash "sha256:$(printf 'ab%.0s' {1..32})" >/dev/null
"$spoor" scan "$case" --progress none >/dev/null
file_id=$("$spoor" hits "$case" | awk '/report\.dat/ { print $1; exit }')
"$spoor" review "$case" "$file_id" --category 1 --profile vics-us --note "Reviewed on the lab workstation." >/dev/null

"$spoor" report "$case" --format html -o "$out/report.html"
"$spoor" report "$case" --format html --thumbnails -o "$out/report-thumbnails.html" >/dev/null
"$spoor" report "$case" --format pdf -o "$out/report.pdf"
"$spoor" report "$case" --format csv -o "$out/hits.csv" >/dev/null
"$spoor" report "$case" --format vics -o "$out/case-vics.json" >/dev/null
"$spoor" verify-report "$case" "$out/report.html"
"$spoor" verify-report "$case" "$out/report.pdf" >/dev/null

# Chromium, cut off from every network: no name resolves, nothing is
# fetched in the background, and every request it makes is logged.
browser() {
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
        --disable-sync --no-first-run --disable-default-apps --disable-extensions --metrics-recording-only \
        --disable-domain-reliability --disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter \
        --host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$(mktemp -d)" "$@" 2>/dev/null
}
browser --log-net-log="$out/netlog.json" --net-log-capture-mode=Everything \
    --screenshot="$out/html-screen.png" --window-size=1200,1600 "file://$out/report.html"
browser --no-pdf-header-footer --print-to-pdf="$out/html-print.pdf" "file://$out/report.html"
browser --log-net-log="$out/netlog-thumbnails.json" --net-log-capture-mode=Everything \
    --screenshot="$out/html-thumbnails-screen.png" --window-size=1200,1600 "file://$out/report-thumbnails.html"

pdftoppm -png -r 60 "$out/html-print.pdf" "$out/html-print"
pdftoppm -png -r 60 "$out/report.pdf" "$out/pdf"

# The URLs a page asked for, from a Chromium netlog. Chromium's own
# background requests (time, component updates, accounts) carry the
# initiator "not an origin" and are listed apart: they come from the
# browser, not from the file.
page_requests() {
    python3 - "$1" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
for e in log["events"]:
    p = e.get("params") or {}
    if names.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in p:
        own = p.get("initiator") == "not an origin"
        print(("browser " if own else "page ") + p["url"])
PY
}

failed=0
# 1. Opening the HTML makes no request: the netlog shows none from the page.
page=$(page_requests "$out/netlog.json" | grep '^page ' | grep -v "^page file://$out/report.html$" || true)
browser_own=$(page_requests "$out/netlog.json" | grep -c '^browser ' || true)
if [[ -n $page ]]; then
    echo "render.sh: FAILED: opening the HTML report requested:" >&2
    echo "$page" >&2
    failed=1
else
    echo "netlog: the report requested nothing ($browser_own request(s) of Chromium's own, all unresolvable)"
fi
# The same with thumbnails: they are inside the file (data: URLs), so
# nothing beyond the file itself may be asked for either.
page=$(page_requests "$out/netlog-thumbnails.json" | grep '^page ' | grep -v "^page file://$out/report-thumbnails.html$" | grep -v '^page data:image/jpeg;base64,' || true)
if [[ -n $page ]]; then
    echo "render.sh: FAILED: opening the HTML report with thumbnails requested:" >&2
    echo "$page" | cut -c1-200 >&2
    failed=1
else
    echo "netlog: the report with thumbnails requested nothing but its own embedded pictures"
fi
# ... and the check finds a request when there is one: the same report
# without its Content-Security-Policy, with one picture from the web.
sed -e '/Content-Security-Policy/d' -e 's|<main>|<main><img src="http://report-render.invalid/x.png">|' \
    "$out/report.html" >"$out/control.html"
browser --log-net-log="$out/control-netlog.json" --net-log-capture-mode=Everything \
    --screenshot="$out/control.png" --window-size=800,600 "file://$out/control.html"
if page_requests "$out/control-netlog.json" | grep -q '^page http://report-render.invalid/x.png'; then
    echo "netlog control: a page that fetches a picture is caught"
else
    echo "render.sh: FAILED: the netlog check did not catch the control page's request" >&2
    failed=1
fi
# 2. Every page of Spoor's PDF carries the case number, the digest and its number.
digest=$(grep -o 'spoor-report-digest" content="[0-9a-f]*' "$out/report.html" | sed 's/.*content="//')
pdf_digest=$("$spoor" verify-report "$case" "$out/report.pdf" --json | grep -o '"report_digest": "[0-9a-f]*' | head -1 | sed 's/.*"\([0-9a-f]*\)$/\1/')
pages=$(pdfinfo "$out/report.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
for ((n = 1; n <= pages; n++)); do
    text=$(pdftotext -f "$n" -l "$n" -layout "$out/report.pdf" -)
    for want in "case 2026-0042" "report digest $pdf_digest" "Page $n of $pages"; do
        grep -qF "$want" <<<"$text" || { echo "render.sh: FAILED: PDF page $n lacks \"$want\"" >&2; failed=1; }
    done
done
pdf_text=$(pdftotext "$out/report.pdf" -)
for want in "überblick" "☃.png" 'caf\xe9.jpg'; do
    grep -qF "$want" <<<"$pdf_text" || { echo "render.sh: FAILED: the PDF does not show $want" >&2; failed=1; }
done
pdffonts "$out/report.pdf" | grep -q DejaVuSans || { echo "render.sh: FAILED: DejaVu is not embedded" >&2; failed=1; }
echo "PDF: $pages pages, each with the case number, report digest and page number; HTML digest $digest"
echo "pictures: $out/html-screen.png $out/html-print-*.png $out/pdf-*.png"
exit $failed
