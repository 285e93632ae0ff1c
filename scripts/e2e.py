#!/usr/bin/env python3
"""End-to-end test of the real, built desktop app, driven over WebDriver.

The app runs under Xvfb, started by tauri-driver (with Debian's
WebKitWebDriver). The examiner's workflow, through the window only:
create a case -> add the fixture evidence (with camera pictures) and a
video -> import a fixture hash set, a known-good set and a vPDQ set of the
video -> scan, cancel, resume -> the expected hits, with blurred thumbnails
and the video's blurred contact sheet -> categorise one with the keyboard ->
export a report -> verify -> triage: priority with its score, series with
their members, a camera original's metadata, the victim-identification
VICS export; then, with --big, a case of 100,000 hits scrolled to its end;
then, in a second session with an anchor ledger that cannot be written, the
window's warning about it.
The CLI then checks, from the outside, that the window's actions are in the
case (review, exports).

Prints one line per check and `N passed, N failed` at the end; exits 1 if
any check failed. With --screenshots DIR it also saves the README's
screenshots (overview, scan, hits grid, triage).

Run by scripts/e2e.sh (which starts Xvfb and tauri-driver).
"""

import argparse
import hashlib
import json
import os
import shlex
import subprocess
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.client_config import ClientConfig
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.support.ui import Select

results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + str(detail) if detail else ''}", flush=True)
    return ok


def wait_for(driver, fn, what, timeout=60.0):
    """Polls fn(driver) until it returns something truthy (the page may still be loading)."""
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            v = fn(driver)
            if v:
                return v
        except WebDriverException as e:
            last = e
        time.sleep(0.2)
    raise TimeoutError(f"waiting for {what}" + (f" ({last.__class__.__name__})" if last else ""))


def tid(driver, test_id):
    return driver.find_element(By.CSS_SELECTOR, f'[data-testid="{test_id}"]')


def tids(driver, test_id):
    return driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{test_id}"]')


def type_into(driver, test_id, text):
    el = wait_for(driver, lambda d: tid(d, test_id), test_id)
    el.clear()
    el.send_keys(text)


def click(driver, test_id):
    wait_for(driver, lambda d: tid(d, test_id), test_id).click()


def press(driver, el):
    """Scrolls an element to the middle of its scroller, then clicks it."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
    el.click()


def text_of(driver, test_id):
    els = tids(driver, test_id)
    return els[0].text if els else ""


def session(driver_url, app):
    """A new WebDriver session: tauri-driver starts `app` for it."""
    caps = {"browserName": "wry", "tauri:options": {"application": os.path.abspath(app)}}
    opts = webdriver.ChromeOptions()  # only a carrier for the capabilities
    for k, v in caps.items():
        opts.set_capability(k, v)
    driver = webdriver.Remote(command_executor=driver_url, options=opts, client_config=ClientConfig(remote_server_addr=driver_url, keep_alive=True, timeout=120))
    # Typed paths are text for the app, never files to upload.
    driver.file_detector = UselessFileDetector()
    return driver


def ledger_failure(args):
    """The app started with SPOOR_ANCHORS under a regular file (the ledger
    cannot be made): a write to a case stands, and the window says that its
    chain head is not in the ledger, naming the ledger and the OS error,
    until dismissed; the next write says it again; Settings names the ledger."""
    blocker = os.path.join(args.work, "not-a-folder")
    with open(blocker, "w") as f:
        f.write("a regular file: no anchor ledger can be made under it\n")
    ledger = os.path.join(blocker, "anchors.jsonl")
    # tauri-driver passes its own environment on: the app gets this one
    # ledger through a wrapper that sets it and runs the app in its place.
    wrapper = os.path.join(args.work, "spoor-app-unwritable-ledger")
    with open(wrapper, "w") as f:
        f.write(f"#!/bin/sh\nSPOOR_ANCHORS={shlex.quote(ledger)} exec {shlex.quote(os.path.abspath(args.app))} \"$@\"\n")
    os.chmod(wrapper, 0o755)
    case_path = os.path.join(args.work, "ledger.spoor")
    driver = session(args.driver, wrapper)
    try:
        wait_for(driver, lambda d: tids(d, "create-case"), "the start screen")
        check("ledger: no warning before a write", not tids(driver, "ledger-banner"))
        type_into(driver, "new-case-path", case_path)
        type_into(driver, "new-case-number", "2026-0043")
        type_into(driver, "new-case-examiner", "A. de Vries")
        click(driver, "create-case")
        title = wait_for(driver, lambda d: text_of(d, "case-title"), "the case view")
        check("ledger: the case is written anyway", "2026-0043" in title and os.path.exists(case_path), title)
        banner = wait_for(driver, lambda d: text_of(d, "ledger-banner"), "the ledger warning", timeout=30)
        shown = text_of(driver, "ledger-banner-path")
        check("ledger: warning names the ledger", shown == ledger, shown)
        error = text_of(driver, "ledger-banner-error")
        check("ledger: warning gives the OS error", "os error" in error, error)
        check(
            "ledger: warning says what it means and what to do",
            "could not be written" in banner and "saved and is intact" in banner and "not anchored" in banner and "SPOOR_ANCHORS" in banner,
            banner.replace("\n", " | ")[:300],
        )
        click(driver, "ledger-dismiss")
        gone = wait_for(driver, lambda d: not tids(d, "ledger-banner"), "the warning dismissed", timeout=30)
        check("ledger: warning dismissed", gone)
        click(driver, "tab-evidence")
        type_into(driver, "evidence-id", "ITEM-001")
        type_into(driver, "evidence-folder", os.path.join(args.fixtures, "evidence"))
        click(driver, "add-evidence")
        wait_for(driver, lambda d: "ITEM-001" in text_of(d, "evidence-result"), "the evidence result")
        again = wait_for(driver, lambda d: text_of(d, "ledger-banner-path"), "the warning again", timeout=30)
        check("ledger: the next write warns again", again == ledger, again)
        click(driver, "tab-settings")
        in_use = wait_for(driver, lambda d: text_of(d, "ledger-path"), "the ledger in Settings")
        check("ledger: Settings names the ledger in use", in_use == ledger, in_use)
    except Exception as e:  # a step that never came is a failure, not a crash
        check("ledger workflow", False, f"{e.__class__.__name__}: {e}")
        driver.get_screenshot_as_file(os.path.join(args.work, "ledger-failure.png"))
    finally:
        driver.quit()
    # From outside: the case itself is intact (checked without a ledger:
    # its heads are in none).
    env = dict(os.environ, SPOOR_ANCHORS=os.path.join(args.work, "no-such-ledger.jsonl"))
    r = subprocess.run([args.spoor, "verify", case_path], capture_output=True, text=True, env=env)
    check("ledger: CLI verify: the case itself intact", r.returncode == 0, (r.stdout + r.stderr).strip().splitlines()[:1])


def big(driver, case_path):
    """Opens a case with many hits and checks that the grid and the table
    reach the last hit (rows are fetched in pages as they scroll into view).
    Times are printed for people, never asserted."""
    click(driver, "close-case")
    type_into(driver, "open-case-path", case_path)
    started = time.monotonic()
    click(driver, "open-case")
    wait_for(driver, lambda d: "BIG-1" in text_of(d, "case-title"), "the big case")
    click(driver, "tab-hits")
    total = wait_for(driver, lambda d: text_of(d, "hit-total") if "hits" in text_of(d, "hit-total") else None, "the big hit count")
    n = int(total.split()[0])
    print(f"     big case: {total} shown {time.monotonic() - started:.1f} s after opening", flush=True)
    check("big case: hit count", n >= 10000, total)
    last = f"IMG_{n - 1:06}.jpg"
    for view, item in (("view-table", "hit-row"), ("view-grid", "hit-tile")):
        click(driver, view)
        scroller = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".scroller"), "the scroller")[0]
        t0 = time.monotonic()
        driver.execute_script("arguments[0].scrollTop = arguments[0].scrollHeight", scroller)
        found = wait_for(driver, lambda d: any(last in (e.get_attribute("innerHTML") or "") for e in tids(d, item)), f"the last hit in {view}", timeout=60)
        print(f"     big case: {view} scrolled to the last hit in {time.monotonic() - t0:.2f} s", flush=True)
        check(f"big case: {view} reaches hit {n}", found)
        shown = len(tids(driver, item))
        check(f"big case: {view} renders only what is on screen", 0 < shown < 400, f"{shown} elements for {n} hits")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", required=True)
    ap.add_argument("--driver", default="http://127.0.0.1:4544")
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--spoor", required=True, help="the spoor CLI, for checks from outside the window")
    ap.add_argument("--screenshots", default=None)
    ap.add_argument("--big", default=None, help="also open this case (many hits) and scroll its hits to the end")
    args = ap.parse_args()

    manifest = json.load(open(os.path.join(args.fixtures, "manifest.json")))
    set_file = "vics-2.0-us-cases.json"
    fixture_set = next(s for s in manifest["hashsets"] if s["file"] == set_file)
    good_set = next(s for s in manifest["hashsets"] if s["file"] == "nsrl-sample.sha1")
    expected_paths = sorted(bytes.fromhex(p).decode("utf-8", "replace") for p in fixture_set["lists"])
    case_path = os.path.join(args.work, "e2e.spoor")
    report_path = os.path.join(args.work, "e2e-report.html")
    vics_path = os.path.join(args.work, "e2e-victim-id.json")
    camera = manifest.get("camera") or {}
    camera_series = {f["series"] for f in camera.get("files", []) if f.get("series")}

    # A video (generated by the ffmpeg CLI: a test pattern) and a vPDQ list
    # of it (made by Spoor's own video worker), so the scan finds a video hit
    # with a contact sheet.
    video_dir = os.path.join(args.work, "video")
    known_dir = os.path.join(args.work, "known-videos")
    os.makedirs(video_dir, exist_ok=True)
    os.makedirs(known_dir, exist_ok=True)
    clip = os.path.join(video_dir, "clip.mp4")
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "6", "-c:v", "mpeg4", "-q:v", "5", clip], check=True)
    worker = os.path.join(os.path.dirname(args.spoor), "spoor-video-worker")
    frames = subprocess.run([worker, clip], capture_output=True, text=True, check=True).stdout.splitlines()
    with open(os.path.join(known_dir, "clip.vpdq.txt"), "w") as f:
        for line in frames:
            v = json.loads(line)
            if v.get("type") == "frame":
                f.write(f"{v['frame_number']},{v['quality']},{v['hash']},{v['timestamp']:.3f}\n")
    expected_paths = sorted(expected_paths + ["clip.mp4"])

    driver = session(args.driver, args.app)
    shots = args.screenshots
    if shots:
        os.makedirs(shots, exist_ok=True)
        driver.set_window_size(1400, 900)

    def shot(name):
        if shots:
            driver.get_screenshot_as_file(os.path.join(shots, name))

    try:
        # 1. Create a case.
        wait_for(driver, lambda d: tids(d, "create-case"), "the start screen")
        type_into(driver, "new-case-path", case_path)
        type_into(driver, "new-case-number", "2026-0042")
        type_into(driver, "new-case-examiner", "A. de Vries")
        type_into(driver, "new-case-title", "Operation Example")
        type_into(driver, "new-case-agency", "Team Digitale Opsporing")
        click(driver, "create-case")
        title = wait_for(driver, lambda d: text_of(d, "case-title"), "the case view")
        check("create case", "2026-0042" in title and os.path.exists(case_path), title)

        # 2. Add the fixture evidence (typed path: native dialogs cannot be driven).
        click(driver, "tab-evidence")
        type_into(driver, "evidence-id", "ITEM-001")
        type_into(driver, "evidence-folder", os.path.join(args.fixtures, "evidence"))
        type_into(driver, "evidence-description", "Fixture tree, mounted read-only")
        click(driver, "add-evidence")
        res = wait_for(driver, lambda d: text_of(d, "evidence-result"), "the evidence result")
        check("add evidence", res.startswith("Added ITEM-001"), res)
        # A second, larger item (sparse files: no disk space used), so the
        # scan runs long enough to be cancelled (and photographed).
        if True:
            bulk = os.path.join(args.work, "bulk")
            os.makedirs(bulk, exist_ok=True)
            for i in range(160 if shots else 64):
                with open(os.path.join(bulk, f"chunk-{i:03}.bin"), "wb") as f:
                    f.truncate(16 << 20)
            click(driver, "tab-overview")
            click(driver, "tab-evidence")
            type_into(driver, "evidence-id", "ITEM-002")
            type_into(driver, "evidence-folder", bulk)
            type_into(driver, "evidence-description", "USB stick image, mounted read-only")
            click(driver, "add-evidence")
            wait_for(driver, lambda d: "ITEM-002" in text_of(d, "evidence-result"), "the second item")
        click(driver, "tab-overview")
        click(driver, "tab-evidence")
        type_into(driver, "evidence-id", "ITEM-003")
        type_into(driver, "evidence-folder", video_dir)
        type_into(driver, "evidence-description", "Phone video folder")
        click(driver, "add-evidence")
        wait_for(driver, lambda d: "ITEM-003" in text_of(d, "evidence-result"), "the video item")

        # 3. Import a fixture hash set, format detected from its content.
        click(driver, "tab-library")
        type_into(driver, "import-file", os.path.join(args.fixtures, "hashsets", set_file))
        detected = wait_for(driver, lambda d: text_of(d, "detected-format"), "format detection")
        check("format detected", "vics" in detected, detected)
        type_into(driver, "import-name", "Fixture VICS")
        Select(tid(driver, "import-kind")).select_by_value("alert")
        click(driver, "import-hashset")
        res = wait_for(driver, lambda d: text_of(d, "import-result"), "the import result")
        check("import hash set", res.startswith("Imported Fixture VICS") and f"{fixture_set['record_count']} records" in res, res)
        check("library lists the set", "Fixture VICS" in tid(driver, "library-table").text)
        type_into(driver, "import-file", os.path.join(args.fixtures, "hashsets", good_set["file"]))
        type_into(driver, "import-name", "Known good")
        Select(tid(driver, "import-kind")).select_by_value("ignore")
        click(driver, "import-hashset")
        res = wait_for(driver, lambda d: "Known good" in text_of(d, "import-result") and text_of(d, "import-result"), "the second import")
        check("import a known-good set", res.startswith("Imported Known good"), res)
        type_into(driver, "import-file", os.path.join(known_dir, "clip.vpdq.txt"))
        wait_for(driver, lambda d: "vpdq" in text_of(d, "detected-format"), "vPDQ detection")
        type_into(driver, "import-name", "Known videos")
        Select(tid(driver, "import-kind")).select_by_value("alert")
        click(driver, "import-hashset")
        res = wait_for(driver, lambda d: "Known videos" in text_of(d, "import-result") and text_of(d, "import-result"), "the vPDQ import")
        check("import a vPDQ set", res.startswith("Imported Known videos"), res)
        # A large list (made-up MD5s that match nothing): the window shows
        # the bytes read of the file's size, records, rate and time left.
        big_list = os.path.join(args.work, "big-list.md5")
        with open(big_list, "w") as f:
            for i in range(600_000):
                f.write(f"{hashlib.md5(str(i).encode()).hexdigest()}  made-up/{i:07}.jpg\n")
        type_into(driver, "import-file", big_list)
        wait_for(driver, lambda d: "md5sum" in text_of(d, "detected-format"), "md5sum detection")
        type_into(driver, "import-name", "Big list")
        Select(tid(driver, "import-kind")).select_by_value("ignore")
        click(driver, "import-hashset")
        try:
            line = wait_for(driver, lambda d: (lambda t: t if "MiB of" in t and "records" in t else None)(text_of(d, "import-progress")), "the import's progress", timeout=60)
        except TimeoutError:
            line = ""
        check("import progress: bytes of the file, records, rate", "MiB of" in line and "/s" in line, line)
        res = wait_for(driver, lambda d: "Big list" in text_of(d, "import-result") and text_of(d, "import-result"), "the big import", timeout=300)
        check("import a large list", "600000 records" in res, res)

        # 4. Scan.
        click(driver, "tab-scan")
        click(driver, "start-scan")
        if not shots:
            # Cancel part-way, then resume from the window.
            wait_for(driver, lambda d: "Hashing" in text_of(d, "scan-progress"), "the scan running", timeout=120)
            click(driver, "cancel-scan")
            out = wait_for(driver, lambda d: text_of(d, "scan-outcome") or text_of(d, "scan-error"), "the cancelled outcome", timeout=300)
            check("scan cancels", "cancelled" in out, out)
            button = wait_for(driver, lambda d: "Resume run 1" in text_of(d, "start-scan") and tid(d, "start-scan"), "the resume button")
            check("scan offers to resume", True, button.text)
            button.click()
        if shots:
            wait_for(driver, lambda d: "Hashing" in text_of(d, "scan-progress") and "Remaining" in text_of(d, "scan-progress"), "the scan running", timeout=120)
            time.sleep(3)
            shot("scan.png")
        out = wait_for(driver, lambda d: text_of(d, "scan-outcome") or text_of(d, "scan-error"), "the scan outcome", timeout=300)
        check("scan completes", "completed" in out and f"{len(expected_paths)} hits" in out, out)
        check("scan progress shown", "Hashing" in text_of(driver, "scan-progress") or "Sealing" in text_of(driver, "scan-progress"), text_of(driver, "scan-progress").splitlines()[:1])

        # 5. The case overview counts them.
        click(driver, "tab-overview")
        by_cat = wait_for(driver, lambda d: text_of(d, "by-category"), "hits per category")
        check("overview shows hits per category", "ITEM-001" in by_cat, by_cat.replace("\n", " | "))
        kg = text_of(driver, "known-good-total")
        check("overview shows known-good set aside", kg == str(len(good_set["lists"])), kg)
        shot("overview.png")

        # 6. The expected hits, as blurred thumbnails.
        click(driver, "tab-hits")
        total = wait_for(driver, lambda d: text_of(d, "hit-total") if "hits" in text_of(d, "hit-total") else None, "the hit count")
        check("expected hit count", total == f"{len(expected_paths)} hits", total)
        imgs = wait_for(driver, lambda d: (lambda els: els if len(els) >= 1 and all(e.get_attribute("src") for e in els) else None)(tids(d, "thumb-img")), "thumbnails", timeout=60)
        filters = [driver.execute_script("return getComputedStyle(arguments[0]).filter", i) for i in imgs]
        check("thumbnails blurred and grey", all("blur" in f and "grayscale" in f for f in filters), filters)
        check("nothing revealed by default", all(t.get_attribute("data-revealed") == "false" for t in tids(driver, "thumb")))
        # The video hit: its contact sheet from the case, blurred and grey too.
        Select(tid(driver, "filter-method")).select_by_visible_text("vpdq")
        sheet = wait_for(driver, lambda d: (lambda els: els if els and els[0].get_attribute("src") else None)(tids(d, "sheet-img")), "the contact sheet", timeout=60)[0]
        f = driver.execute_script("return getComputedStyle(arguments[0]).filter", sheet)
        check("video hit: contact sheet blurred and grey", "blur" in f and "grayscale" in f and sheet.get_attribute("src").startswith("data:image/jpeg;base64,"), f)
        tids(driver, "hit-tile")[0].find_element(By.CSS_SELECTOR, ".tile-caption").click()
        vm = wait_for(driver, lambda d: text_of(d, "match-video"), "the vPDQ numbers")
        check("video hit: vPDQ percentages and matched frames", "% of this video's frames match" in vm and "unique frames matched" in vm, vm)
        check("video hit: contact sheet tile times", "frames at 0:00" in text_of(driver, "sheet-times"), text_of(driver, "sheet-times"))
        Select(tid(driver, "filter-method")).select_by_visible_text("all methods")
        if shots:
            tids(driver, "hit-tile")[0].find_element(By.CSS_SELECTOR, ".tile-caption").click()
            wait_for(driver, lambda d: "MD5" in text_of(d, "detail"), "the detail panel")
            time.sleep(1)
            shot("hits-grid.png")
        click(driver, "view-table")
        try:
            rows = wait_for(driver, lambda d: (lambda r: r if len(r) == len(expected_paths) and all(x.find_elements(By.CSS_SELECTOR, ".c-path") for x in r) else None)(tids(d, "hit-row")), "table rows", timeout=30)
        except TimeoutError:
            print("rows seen:", [r.get_attribute("outerHTML")[:300] for r in tids(driver, "hit-row")], flush=True)
            raise
        shown = sorted(r.find_element(By.CSS_SELECTOR, ".c-path").get_attribute("title") for r in rows)
        check("expected hit paths", shown == expected_paths, shown)

        # 7. Categorise one with the keyboard.
        rows[0].click()
        wait_for(driver, lambda d: tids(d, "detail"), "the detail panel")
        wait_for(driver, lambda d: tids(d, "review-1"), "the review buttons")
        driver.find_element(By.TAG_NAME, "body").send_keys("1")
        cur = wait_for(driver, lambda d: text_of(d, "review-current"), "the review", timeout=30)
        check("review by keyboard", "Current review: 1 by A. de Vries" in cur, cur)

        # 8. Export a report.
        click(driver, "tab-export")
        Select(tid(driver, "export-format")).select_by_value("html")
        type_into(driver, "export-output", report_path)
        click(driver, "export-report")
        res = wait_for(driver, lambda d: text_of(d, "export-result") or text_of(d, "export-error"), "the export result", timeout=120)
        sha = hashlib.sha256(open(report_path, "rb").read()).hexdigest() if os.path.exists(report_path) else "missing"
        check("export report", "export #" in res and sha in res, res.splitlines()[:1])

        # 9. Verify, in the window.
        click(driver, "tab-verify")
        click(driver, "verify-case")
        verdict = wait_for(driver, lambda d: tids(d, "verify-verdict"), "the verdict", timeout=120)[0]
        check("verify: intact", verdict.get_attribute("data-intact") == "true", verdict.text.splitlines()[:1])

        # 10. Triage: what to look at first.
        click(driver, "tab-triage")
        rows = wait_for(driver, lambda d: tids(d, "priority-row"), "the priority table", timeout=120)
        first = rows[0].text
        cells = [c.text for c in rows[0].find_elements(By.TAG_NAME, "td")]
        score = int(tids(driver, "priority-score")[0].text)
        check("triage: priority per evidence item", len(rows) == 3 and cells[0] == "1" and cells[1].startswith("ITEM-001") and score > 0, cells[:3])
        check("triage: the score has its reasons", "camera original" in first, first.replace("\n", " | "))
        series = tids(driver, "series")
        check("triage: series of near-duplicates", len(series) >= max(1, len(camera_series) - 1), f"{len(series)} series; fixture labels {len(camera_series)}")
        reps = wait_for(driver, lambda d: (lambda els: els if els and all(e.get_attribute("src") for e in els) else None)(d.find_elements(By.CSS_SELECTOR, '[data-testid="series"] [data-testid="thumb-img"]')), "the representatives", timeout=60)
        fl = [driver.execute_script("return getComputedStyle(arguments[0]).filter", i) for i in reps]
        check("triage: one blurred representative per series", len(reps) == len(series) and all("blur" in x and "grayscale" in x for x in fl), len(reps))
        press(driver, series[0].find_element(By.CSS_SELECTOR, '[data-testid="series-expand"]'))
        members = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="series-members"] .member'), "the members")
        check("triage: a series expands to its members", len(members) >= 2, len(members))
        originals = [r for r in tids(driver, "unknown-row") if "camera original" in r.text]
        check("triage: unknown camera originals listed", len(originals) > 0, len(originals))
        press(driver, originals[0].find_element(By.CSS_SELECTOR, "button.link"))
        verdict = wait_for(driver, lambda d: text_of(d, "camera-original"), "the metadata")
        meta = text_of(driver, "metadata")
        check("triage: metadata and the camera-original verdict", verdict.startswith("Camera original") and "Camera" in meta and "Taken" in meta, meta.replace("\n", " | ")[:200])
        if shots:
            # The picture: the priority and the series at the top, the
            # camera original's metadata in the detail panel.
            driver.execute_script("document.querySelector('[data-testid=\"metadata\"]').scrollIntoView({block: 'start'})")
            driver.execute_script("document.querySelector('.triage-main').scrollTop = 0")
            time.sleep(1)
            shot("triage.png")
        press(driver, tid(driver, "select-camera-originals"))
        type_into(driver, "vics-output", vics_path)
        click(driver, "vics-export")
        res = wait_for(driver, lambda d: text_of(d, "vics-result") or text_of(d, "vics-error"), "the VICS export", timeout=120)
        sha = hashlib.sha256(open(vics_path, "rb").read()).hexdigest() if os.path.exists(vics_path) else "missing"
        check("triage: victim-identification VICS export", "export #" in res and sha in res, res.splitlines()[:1])
        if args.big:
            big(driver, args.big)
    except Exception as e:  # a step that never came is a failure, not a crash
        check("workflow", False, f"{e.__class__.__name__}: {e}")
        # For a person to look at; never among the README's pictures.
        driver.get_screenshot_as_file(os.environ.get("E2E_FAILURE_SHOT") or os.path.join(args.work, "failure.png"))
    finally:
        driver.quit()

    # From outside the window: the CLI reads what the window wrote.
    env = dict(os.environ)
    r = subprocess.run([args.spoor, "hits", case_path, "--json"], capture_output=True, text=True, env=env)
    try:
        hits = json.loads(r.stdout)
        reviewed = [h for h in hits if h.get("review") and h["review"].get("category") == "1"]
        check("CLI sees the review", len(reviewed) >= 1 and reviewed[0]["review"]["examiner"] == "A. de Vries", len(reviewed))
    except ValueError:
        check("CLI sees the review", False, r.stderr.strip())
    r = subprocess.run([args.spoor, "verify-report", case_path, report_path], capture_output=True, text=True)
    check("CLI verify-report accepts the export", r.returncode == 0, r.stdout.strip().splitlines()[:1])
    r = subprocess.run([args.spoor, "verify-report", case_path, vics_path], capture_output=True, text=True)
    check("CLI verify-report accepts the VICS export", r.returncode == 0, r.stdout.strip().splitlines()[:1])
    r = subprocess.run([args.spoor, "audit", case_path, "--json"], capture_output=True, text=True)
    try:
        entries = json.loads(r.stdout)
        logged = [e for e in entries if e.get("action") == "report.export" and "victim-identification" in json.dumps(e.get("details"))]
        check("CLI: the VICS export is in the audit log", len(logged) == 1, len(logged))
    except ValueError:
        check("CLI: the VICS export is in the audit log", False, r.stderr.strip()[:200])
    try:
        media = json.load(open(vics_path))["value"]
        check("VICS export holds the camera originals", len(media) > 0 and all(m.get("MD5") for m in media), len(media))
    except (OSError, ValueError, KeyError, IndexError) as e:
        check("VICS export holds the camera originals", False, e)
    r = subprocess.run([args.spoor, "verify", case_path], capture_output=True, text=True)
    check("CLI verify: intact", r.returncode == 0, r.returncode)

    if not shots:
        ledger_failure(args)

    passed = sum(results)
    failed = len(results) - passed
    print(f"e2e: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
