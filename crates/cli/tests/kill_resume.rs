//! SIGKILL aimed at the moments resume.rs's random delays rarely hit: the
//! final commit (the scan says "sealing": content digest, closing event,
//! audit entry, WAL checkpoint), the very start (first progress line, while
//! walking), and the final commit of the scan that resumes a killed one.
//! Every trial must end with exactly what an uninterrupted scan gives: one
//! run, the same counts, hits, warnings and content digest, no doubled rows,
//! and a case that verifies. scripts/kill-resume.sh runs more trials (with
//! random kills too) and prints "N passed, N failed".

#[macro_use]
mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use common::*;
use serde_json::Value;

struct Reference {
    digest: String,
    counts: Value,
    hits: Vec<Value>,
    warnings: Vec<Value>,
}

/// Where to kill: at the first progress line that contains `marker`.
#[derive(Debug, Clone, Copy)]
enum Moment {
    /// The first progress line (the walk has just begun).
    Start,
    /// The line that says the scan is sealing: inside the final commit.
    Sealing,
}

impl Moment {
    fn marker(self) -> &'static str {
        match self {
            Moment::Start => "\"event\":\"progress\"",
            Moment::Sealing => "\"stage\":\"sealing\"",
        }
    }
}

/// Starts `spoor scan --progress json` and SIGKILLs it the moment a
/// progress line shows `moment`; returns what the case says then.
fn kill_at(ws: &Workspace, case: &Path, moment: Moment, jobs: u32) -> String {
    let mut bg = ws.spawn(&args!["scan", case, "--jobs", jobs.to_string(), "--progress", "json"], Stdio::null(), Stdio::piped());
    let stderr = bg.child().stderr.take().expect("stderr");
    let mut seen = None;
    for line in BufReader::new(stderr).lines() {
        let line = line.expect("stderr");
        if line.contains(moment.marker()) {
            bg.signal("KILL");
            seen = Some(line);
            break;
        }
    }
    let status = bg.kill();
    let state = if case.exists() {
        let last = sql_count(case, "SELECT COUNT(*) FROM scan_run_events WHERE event = 'completed'");
        format!("{} rows, {}", sql_count(case, "SELECT COUNT(*) FROM files"), if last > 0 { "completed before the kill" } else { "not completed" })
    } else {
        "no case".into()
    };
    match seen {
        Some(_) => format!("killed at {moment:?} (exit {}): {state}", exit_code(status)),
        None => format!("ended before {moment:?} was seen (exit {}): {state}", exit_code(status)),
    }
}

fn finish(ws: &Workspace, case: &Path) -> usize {
    for scans in 1..=4 {
        let run = ws.spoor(&args!["scan", case, "--json", "--jobs", "2"]);
        run.ok();
        let out = run.json();
        if out["outcome"] == "completed" || out["outcome"] == "nothing_to_scan" {
            return scans;
        }
    }
    panic!("the scan did not complete after 4 runs");
}

fn assert_same(ws: &Workspace, case: &Path, reference: &Reference, what: &str) {
    let runs = ws.runs(case);
    assert_eq!(runs.len(), 1, "{what}: one run, resumed, never a second one: {runs:#?}");
    assert_eq!(runs[0]["state"], "completed", "{what}");
    assert_eq!(runs[0]["content_digest"], reference.digest.as_str(), "{what}: content digest");
    assert_eq!(runs[0]["counts"], reference.counts, "{what}: counts");
    let files = reference.counts["files"].as_i64().expect("files");
    assert_eq!(sql_count(case, "SELECT COUNT(*) FROM files"), files, "{what}: rows in files");
    assert_eq!(sql_count(case, "SELECT COUNT(*) FROM (SELECT DISTINCT evidence_ref, path FROM files)"), files, "{what}: distinct paths");
    assert_eq!(sql_count(case, "SELECT COUNT(*) FROM scan_run_events WHERE event = 'completed'"), 1, "{what}: one completed event");
    assert_eq!(without_run_id(&ws.hits(case)), without_run_id(&reference.hits), "{what}: hits");
    assert_eq!(warnings_comparable(&ws.warnings(case)), warnings_comparable(&reference.warnings), "{what}: warnings");
    ws.verify_intact(case);
}

#[test]
fn kills_in_the_final_commit_and_at_the_start_resume_to_the_same_result() {
    let ws = Workspace::new();
    let manifest = ws.fixtures("fixture", false);
    add_bulk(&manifest.evidence_root, 1500, 1, 8 << 20);
    ws.import_lists(&manifest);
    let reference_case = ws.new_case("reference.spoor", &manifest.evidence_root);
    let outcome = ws.scan_completed(&reference_case, &args!["--jobs", "2"]);
    let reference = Reference {
        digest: outcome["content_digest"].as_str().expect("digest").to_string(),
        counts: outcome["counts"].clone(),
        hits: ws.hits(&reference_case),
        warnings: ws.warnings(&reference_case),
    };
    // (first kill, jobs, also kill the resuming scan at its final commit)
    let trials: &[(Moment, u32, bool)] = &[
        (Moment::Sealing, 1, false),
        (Moment::Sealing, 2, false),
        (Moment::Sealing, 3, false),
        (Moment::Sealing, 2, true),
        (Moment::Start, 2, false),
        (Moment::Start, 1, true),
    ];
    let mut in_commit = 0;
    for (i, &(moment, jobs, again)) in trials.iter().enumerate() {
        let case = ws.new_case(&format!("trial-{i}.spoor"), &manifest.evidence_root);
        let mut notes = vec![kill_at(&ws, &case, moment, jobs)];
        if notes[0].contains("Sealing") && notes[0].contains("not completed") {
            in_commit += 1;
        }
        if again {
            notes.push(kill_at(&ws, &case, Moment::Sealing, 2));
        }
        let scans = finish(&ws, &case);
        let what = format!("trial {i}: {}", notes.join("; then "));
        assert_same(&ws, &case, &reference, &what);
        println!("{what}; finished by {scans} scan(s): same digest, hits, warnings; verifies");
    }
    println!("{in_commit} of {} first kills landed inside the final commit", trials.iter().filter(|t| matches!(t.0, Moment::Sealing)).count());
}
