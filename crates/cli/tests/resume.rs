//! A scan that is killed (SIGKILL) or interrupted (SIGINT) at any moment is
//! resumed by the next `spoor scan`, and the result is exactly what an
//! uninterrupted scan gives: same content digest, same hits, no lost or
//! doubled rows, and a case that verifies.

#[macro_use]
mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// Kill trials; each kills one scan (some also kill the resumed scan).
const TRIALS: usize = 8;
/// Seed of the delays and thread counts: a failing trial can be replayed.
const SEED: u64 = 0x5107_2026;

/// Both tests build a big tree and time scans over it: run them one at a
/// time so neither skews the other's calibration, and the disk holds one
/// copy at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// The fixture tree plus 3,000 small files and four 20-MiB files, with the
/// lists imported: a scan takes about a second even in a release build.
fn big_workspace() -> (Workspace, Manifest) {
    let ws = Workspace::new();
    let manifest = ws.fixtures("fixture", false);
    add_bulk(&manifest.evidence_root, 3000, 4, 20 << 20);
    ws.import_lists(&manifest);
    (ws, manifest)
}

/// What an uninterrupted scan gives.
struct Reference {
    digest: String,
    counts: Value,
    hits: Vec<Value>,
    warnings: Vec<Value>,
    secs: f64,
}

fn reference(ws: &Workspace, manifest: &Manifest) -> Reference {
    let case = ws.new_case("reference.spoor", &manifest.evidence_root);
    let started = Instant::now();
    let outcome = ws.scan_completed(&case, &args!["--jobs", "2"]);
    let secs = started.elapsed().as_secs_f64();
    let digest = outcome["content_digest"].as_str().expect("a content digest").to_string();
    println!("uninterrupted scan: {secs:.2} s, counts {}", outcome["counts"]);
    let hits = ws.hits(&case);
    assert!(!hits.is_empty());
    Reference { digest, counts: outcome["counts"].clone(), hits, warnings: ws.warnings(&case), secs }
}

/// Runs `spoor scan --json` until a run has completed; returns the
/// outcomes. A scan that was killed after it completed leaves nothing to
/// scan, which also ends the loop.
fn finish(ws: &Workspace, case: &Path, rng: &mut SplitMix64) -> Vec<Value> {
    let mut outcomes = Vec::new();
    for _ in 0..4 {
        let jobs = (1 + rng.below(3)).to_string();
        let run = ws.spoor(&args!["scan", case, "--json", "--jobs", jobs]);
        run.ok();
        let out = run.json();
        let done = out["outcome"] == "completed" || out["outcome"] == "nothing_to_scan";
        outcomes.push(out);
        if done {
            return outcomes;
        }
    }
    panic!("the scan did not complete after {} runs: {outcomes:#?}", outcomes.len());
}

/// The case holds exactly what the uninterrupted scan found.
fn assert_same_as_reference(ws: &Workspace, case: &Path, reference: &Reference, what: &str) {
    let runs = ws.runs(case);
    assert_eq!(runs.len(), 1, "{what}: one run, resumed, never a second one: {runs:#?}");
    let run = &runs[0];
    assert_eq!(run["state"], "completed", "{what}: {run:#}");
    assert_eq!(run["content_digest"], reference.digest.as_str(), "{what}: content digest");
    assert_eq!(run["counts"], reference.counts, "{what}: counts (lost or doubled rows)");
    let files = reference.counts["files"].as_i64().expect("counts.files");
    assert_eq!(sql_count(case, "SELECT COUNT(*) FROM files"), files, "{what}: rows in files");
    assert_eq!(
        sql_count(case, "SELECT COUNT(*) FROM (SELECT DISTINCT evidence_ref, path FROM files)"),
        files,
        "{what}: distinct paths"
    );
    let warnings = reference.counts["warnings"].as_i64().expect("counts.warnings");
    assert_eq!(sql_count(case, "SELECT COUNT(*) FROM warnings"), warnings, "{what}: rows in warnings");
    assert_eq!(without_run_id(&ws.hits(case)), without_run_id(&reference.hits), "{what}: hits --json");
    assert_eq!(warnings_comparable(&ws.warnings(case)), warnings_comparable(&reference.warnings), "{what}: warnings --json");
    ws.verify_intact(case);
}

fn recorded_files(case: &Path) -> i64 {
    // Before the case file exists in full (killed during its creation)
    // nothing can have been recorded.
    if case.exists() { sql_count(case, "SELECT COUNT(*) FROM files") } else { 0 }
}

#[test]
fn killed_scans_resume_to_the_uninterrupted_result() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let (ws, manifest) = big_workspace();
    println!("tree built in {:.2} s", started.elapsed().as_secs_f64());
    let reference = reference(&ws, &manifest);
    let total = reference.counts["files"].as_i64().expect("counts.files");
    let mut rng = SplitMix64::new(SEED);
    let mut landed = Vec::new();
    for trial in 0..TRIALS {
        let trial_started = Instant::now();
        let case: PathBuf = ws.new_case(&format!("trial-{trial}.spoor"), &manifest.evidence_root);
        // The first kill of trial t lands in the t-th eighth of an
        // uninterrupted scan's time (early, mid-scan, near the end); every
        // third trial or so also kills the scan that resumes it.
        let kills = if rng.below(3) == 0 { 2 } else { 1 };
        let mut notes = Vec::new();
        for k in 0..kills {
            let fraction = if k == 0 { (trial as f64 + rng.unit()) / TRIALS as f64 } else { rng.unit() * 0.8 };
            let delay = Duration::from_secs_f64(reference.secs * fraction);
            let jobs = if k == 0 { "2".to_string() } else { (1 + rng.below(3)).to_string() };
            let bg = ws.spawn(&args!["scan", case, "--jobs", jobs], Stdio::null(), Stdio::null());
            std::thread::sleep(delay);
            let status = bg.kill();
            let files = recorded_files(&case);
            let how = if status.code() == Some(0) { "had already completed" } else { "killed" };
            notes.push(format!("{how} at {:.0}% ({:.2} s), {files}/{total} rows", fraction * 100.0, delay.as_secs_f64()));
            if k == 0 {
                landed.push(files as f64 / total as f64);
            }
        }
        let outcomes = finish(&ws, &case, &mut rng);
        let resumed = outcomes.iter().any(|o| o["resumed"] == true);
        assert_same_as_reference(&ws, &case, &reference, &format!("trial {trial} ({})", notes.join("; ")));
        println!(
            "trial {trial}: {}; finished by {} scan(s){}; {:.2} s",
            notes.join("; "),
            outcomes.len(),
            if resumed { ", resumed" } else { "" },
            trial_started.elapsed().as_secs_f64()
        );
    }
    let shown: Vec<String> = landed.iter().map(|f| format!("{:.0}%", f * 100.0)).collect();
    println!("first kills landed at {} of the rows; {:.1} s in all", shown.join(", "), started.elapsed().as_secs_f64());
}

#[test]
fn sigint_cancels_and_the_next_scan_resumes() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (ws, manifest) = big_workspace();
    let reference = reference(&ws, &manifest);
    let case = ws.new_case("sigint.spoor", &manifest.evidence_root);

    let mut bg = ws.spawn(&args!["scan", case, "--jobs", "2", "--progress", "json"], Stdio::piped(), Stdio::piped());
    let mut stdout = bg.child().stdout.take().expect("stdout");
    let stdout_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let stderr = bg.child().stderr.take().expect("stderr");
    // Interrupt once the progress says the scan is under way and not done,
    // like an examiner pressing Ctrl-C.
    let mut sent = None;
    let mut log = Vec::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.expect("read stderr");
        if sent.is_none()
            && let Ok(p) = serde_json::from_str::<Value>(&line)
        {
            let done = p["bytes_done"].as_u64().unwrap_or(0);
            let total = p["bytes_total"].as_u64().unwrap_or(0);
            if p["event"] == "progress" && p["files_done"].as_u64().unwrap_or(0) > 0 && done < total {
                bg.signal("INT");
                sent = Some(p);
            }
        }
        log.push(line);
    }
    let status = bg.wait();
    let out = stdout_reader.join().expect("stdout reader");
    let stderr = log.join("\n");
    let sent = sent.unwrap_or_else(|| panic!("no progress line showed the scan under way and not done\n{stderr}"));
    assert_eq!(exit_code(status), 130, "a scan stopped by SIGINT exits 130\nstdout: {out}\nstderr: {stderr}");
    assert!(out.contains("resume"), "the message says the scan can be resumed\nstdout: {out}\nstderr: {stderr}");

    let runs = ws.runs(&case);
    assert_eq!(runs.len(), 1, "{runs:#?}");
    assert_eq!(runs[0]["state"], "cancelled", "{runs:#?}");
    let kept = runs[0]["counts"]["files"].as_u64().expect("counts.files");
    let total = reference.counts["files"].as_u64().expect("counts.files");
    assert!(kept < total, "the scan was cancelled part-way ({kept} of {total} rows)");
    println!("SIGINT sent at {}; {kept} of {total} rows kept", sent);
    ws.verify_intact(&case);

    let resumed = ws.scan_completed(&case, &args!["--jobs", "2"]);
    assert_eq!(resumed["resumed"], true, "{resumed:#}");
    assert_eq!(resumed["run_id"], runs[0]["run_id"], "{resumed:#}");
    assert_eq!(resumed["content_digest"], reference.digest.as_str());
    assert_same_as_reference(&ws, &case, &reference, "after SIGINT");
}
