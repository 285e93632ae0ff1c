//! `spoor report` and `spoor verify-report`: files written and recorded,
//! recognised later, and the exit-code contract (0 yes, 1 not verified,
//! 2 usage or input error).

#[macro_use]
mod common;

use common::*;

#[test]
fn a_report_is_written_recorded_and_verified() {
    let ws = Workspace::new();
    let (_, case) = ws.fixture_case(false);
    ws.scan_completed(&case, &[]);
    let hits = ws.hits(&case).len();

    let html = ws.path("report.html");
    let run = ws.spoor(&args!["report", case, "--format", "html", "-o", html, "--reviewed-only", "--json"]);
    run.ok();
    let out = run.json();
    let bytes = std::fs::read(&html).expect("the report was written");
    assert_eq!(out["record"]["sha256"], sha256_hex(&bytes));
    assert_eq!(out["record"]["filters"]["reviewed_only"], true);
    assert_eq!(out["hits"], 0, "nothing is reviewed yet");
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert!(text.contains("<code>--reviewed-only</code>"), "the filter is stated verbatim");

    for (format, name) in [("pdf", "report.pdf"), ("csv", "hits.csv"), ("vics", "case.json")] {
        let run = ws.spoor(&args!["report", case, "--format", format, "-o", ws.path(name)]);
        run.ok();
        assert!(run.stdout.contains("recorded as export #"), "{}", run.describe());
    }
    let csv = std::fs::read_to_string(ws.path("hits.csv")).expect("csv");
    assert_eq!(csv.lines().count(), hits + 1, "one row per hit and a header");

    let run = ws.spoor(&args!["verify-report", case, html]);
    run.ok();
    assert!(run.stdout.contains("a report of case 2026-0042: export #1, html"), "{}", run.describe());
    ws.spoor(&args!["verify-report", case, ws.path("report.pdf")]).ok();

    // The audit log carries one report.export entry per file, and the case stays intact.
    let run = ws.spoor(&args!["audit", case, "--json"]);
    run.ok();
    let exports: Vec<_> = run.json().as_array().expect("array").iter().filter(|e| e["action"] == "report.export").cloned().collect();
    assert_eq!(exports.len(), 4);
    assert_eq!(exports[0]["details"]["filters"]["reviewed_only"], true);
    ws.verify_intact(&case);

    // An altered copy is not a report of the case (exit 1), and says whose digest it names.
    let altered = ws.path("altered.html");
    std::fs::write(&altered, text.replace("Operation Example", "Operation Exampel")).expect("write");
    let run = ws.spoor(&args!["verify-report", case, altered]);
    run.expect_code(1);
    assert!(run.stdout.contains("NOT a report of case") && run.stdout.contains("altered or re-saved copy of that export"), "{}", run.describe());
}

#[test]
fn refusals_keep_the_exit_code_contract() {
    let ws = Workspace::new();
    let (_, case) = ws.fixture_case(false);
    ws.scan_completed(&case, &[]);

    // An existing file is never replaced.
    let existing = ws.path("keep.html");
    std::fs::write(&existing, "keep").expect("write");
    let run = ws.spoor(&args!["report", case, "--format", "html", "-o", existing]);
    run.expect_code(2);
    assert!(run.stderr.contains("already exists"), "{}", run.describe());
    assert_eq!(std::fs::read_to_string(&existing).expect("read"), "keep");
    // An unknown evidence item or method is a usage error.
    ws.spoor(&args!["report", case, "--format", "html", "-o", ws.path("a.html"), "--evidence", "ITEM-999"]).expect_code(2);
    ws.spoor(&args!["report", case, "--format", "html", "-o", ws.path("a.html"), "--method", "crc32"]).expect_code(2);
    assert!(!ws.path("a.html").exists());
    // A file that is not there is an input error.
    ws.spoor(&args!["verify-report", case, ws.path("missing.html")]).expect_code(2);

    // Altered behind the tool's back: no report (exit 1), and an earlier
    // report can no longer be vouched for (exit 1).
    let earlier = ws.path("earlier.html");
    ws.spoor(&args!["report", case, "--format", "html", "-o", earlier]).ok();
    let conn = rusqlite::Connection::open(&case).expect("open the case with SQLite");
    conn.execute("UPDATE hits SET category = '4' WHERE id = (SELECT MIN(id) FROM hits)", []).expect("tamper");
    drop(conn);
    let run = ws.spoor(&args!["report", case, "--format", "pdf", "-o", ws.path("later.pdf")]);
    run.expect_code(1);
    assert!(run.stderr.contains("failed verification"), "{}", run.describe());
    assert!(!ws.path("later.pdf").exists());
    let run = ws.spoor(&args!["verify-report", case, earlier]);
    run.expect_code(1);
    assert!(run.stdout.contains("NOT VERIFIED"), "{}", run.describe());
}
