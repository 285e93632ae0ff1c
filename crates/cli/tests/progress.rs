//! Machine-readable scan output: `--progress json` writes JSON lines on
//! standard error; `--json` prints the outcome on standard output.

#[macro_use]
mod common;

use common::*;
use serde_json::Value;

#[test]
fn progress_json_lines_on_stderr_and_the_outcome_on_stdout() {
    let ws = Workspace::new();
    let (_manifest, case) = ws.fixture_case(false);
    let run = ws.spoor(&args!["scan", case, "--progress", "json", "--json"]);
    run.ok();

    let outcome = run.json();
    assert_eq!(outcome["outcome"], "completed", "{outcome:#}");
    for key in ["files", "bytes", "hits", "known_good", "warnings"] {
        assert!(outcome["counts"][key].is_u64(), "counts.{key} missing: {outcome:#}");
    }
    assert!(is_lower_hex(outcome["content_digest"].as_str().unwrap_or_default(), 64), "{outcome:#}");

    let lines: Vec<&str> = run.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "no progress on stderr\n{}", run.describe());
    let mut events = Vec::new();
    for line in &lines {
        let v: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("stderr line is not JSON ({e}): {line}\n{}", run.describe()));
        assert_eq!(v["event"], "progress", "{line}");
        for key in ["files_done", "files_total", "bytes_done", "bytes_total"] {
            assert!(v[key].is_u64(), "{key} missing or not a count: {line}");
        }
        assert!(v["bytes_per_sec"].is_number(), "{line}");
        assert!(v["eta_secs"].is_number() || v["eta_secs"].is_null(), "{line}");
        assert!(v["stage"].is_string(), "{line}");
        events.push(v);
    }
    // Counters only grow.
    for pair in events.windows(2) {
        for key in ["files_done", "bytes_done"] {
            assert!(pair[0][key].as_u64() <= pair[1][key].as_u64(), "{key} went down: {} then {}", pair[0], pair[1]);
        }
    }
    let last = events.last().expect("at least one event");
    assert_eq!(last["files_done"], last["files_total"], "the last progress line is complete: {last}");
    assert_eq!(last["bytes_done"], last["bytes_total"], "{last}");
    assert_eq!(last["files_total"], outcome["counts"]["files"], "progress and outcome count the same entries");
}

#[test]
fn without_progress_json_stderr_stays_quiet() {
    let ws = Workspace::new();
    let (_manifest, case) = ws.fixture_case(false);
    let run = ws.spoor(&args!["scan", case, "--json"]);
    run.ok();
    assert_eq!(run.json()["outcome"], "completed");
    // Not a terminal, so --progress auto draws nothing.
    assert_eq!(run.stderr, "", "{}", run.describe());
}
