//! One writer at a time: while a scan runs, a second scan of the same case
//! is refused ("in use", exit 2) and changes nothing; the first completes.

#[macro_use]
mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use common::*;
use serde_json::Value;

#[test]
fn a_second_scan_of_a_case_in_use_is_refused() {
    let ws = Workspace::new();
    let manifest = ws.fixtures("fixture", false);
    add_bulk(&manifest.evidence_root, 3000, 4, 20 << 20);
    ws.import_lists(&manifest);
    let case = ws.new_case("case.spoor", &manifest.evidence_root);

    let mut first = ws.spawn(&args!["scan", case, "--jobs", "2", "--progress", "json", "--json"], Stdio::piped(), Stdio::piped());
    let mut stdout = first.child().stdout.take().expect("stdout");
    let stdout_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let mut stderr = BufReader::new(first.child().stderr.take().expect("stderr"));

    // The first progress line means the first scan holds the case. Stop
    // it there (SIGSTOP), so the second scan surely meets a scan in
    // progress however fast this machine is.
    let mut line = String::new();
    let mut seen = String::new();
    loop {
        line.clear();
        let n = stderr.read_line(&mut line).expect("read stderr");
        assert!(n > 0, "the first scan ended before reporting progress\n{seen}");
        seen.push_str(&line);
        if serde_json::from_str::<Value>(&line).is_ok_and(|p| p["event"] == "progress") {
            break;
        }
    }
    first.signal("STOP");

    let second = ws.spoor(&args!["scan", case]);
    second.expect_code(2);
    assert!(second.stderr.contains("in use"), "the refusal says the case is in use\n{}", second.describe());
    let add = ws.spoor(&args!["evidence", "add", case, "--id", "ITEM-002", "--path", manifest.evidence_root]);
    add.expect_code(2);
    assert!(add.stderr.contains("in use"), "{}", add.describe());

    first.signal("CONT");
    let rest = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = first.wait();
    let out = stdout_reader.join().expect("stdout reader");
    let err = rest.join().expect("stderr reader");
    assert_eq!(exit_code(status), 0, "the first scan completes\nstdout: {out}\nstderr: {seen}{err}");
    let outcome: Value = serde_json::from_str(&out).expect("scan --json output");
    assert_eq!(outcome["outcome"], "completed", "{outcome:#}");
    assert_eq!(outcome["resumed"], false, "{outcome:#}");

    let shown = ws.show(&case);
    assert_eq!(shown["runs"].as_array().map(Vec::len), Some(1), "the refused scan made no run: {shown:#}");
    assert_eq!(shown["evidence"].as_array().map(Vec::len), Some(1), "the refused evidence add added nothing: {shown:#}");
    assert_eq!(shown["runs"][0]["content_digest"], outcome["content_digest"]);
    ws.verify_intact(&case);

    // Free again: a later scan is not refused.
    let later = ws.spoor(&args!["scan", case]);
    later.ok();
    assert!(later.stdout.contains("Nothing to scan"), "{}", later.describe());
}
