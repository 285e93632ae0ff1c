//! A disk that fills up while the scan writes the case: simulated with
//! `ulimit -f` (RLIMIT_FSIZE; SIGXFSZ ignored, so a write past the limit
//! fails with EFBIG instead of killing the process). The scan stops with
//! exit 2 and a clear message, nothing is half-written (verify passes), and
//! a scan with room again resumes to the same result as a clean scan.

#[macro_use]
mod common;

use std::fs;
use std::path::Path;

use common::*;

/// `spoor scan CASE` with files limited to `blocks` KiB.
fn scan_with_limit(ws: &Workspace, case: &Path, blocks: u64) -> Run {
    let script = format!("trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" scan \"$1\"");
    let args = args!["-c", script, SPOOR, case];
    let out = std::process::Command::new("bash")
        .args(&args)
        .env("SPOOR_LIBRARY", &ws.library)
        .env_remove("SPOOR_LOG")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run bash");
    Run {
        args,
        code: exit_code(out.status),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn blocks(bytes: u64) -> u64 {
    bytes.div_ceil(1024)
}

#[test]
fn a_full_disk_stops_the_scan_cleanly_and_the_next_scan_resumes() {
    let ws = Workspace::new();
    let manifest = ws.fixtures("fixture", false);
    // A few batches' worth of rows, so the limit can land in the first
    // batch, in a later one or at the final seal.
    add_bulk(&manifest.evidence_root, 1500, 0, 0);
    ws.import_lists(&manifest);

    let clean = ws.new_case("clean.spoor", &manifest.evidence_root);
    let reference = ws.scan_completed(&clean, &[]);
    let digest = reference["content_digest"].as_str().expect("content digest").to_string();
    let reference_hits = ws.hits(&clean);
    let full_size = fs::metadata(&clean).expect("stat the clean case").len();

    for step in 0..4u64 {
        let case = ws.new_case(&format!("full-{step}.spoor"), &manifest.evidence_root);
        let empty = blocks(fs::metadata(&case).expect("stat the case").len());
        // Just above the empty case's size (4 KiB of room), then a quarter,
        // half and three quarters of the way to a scanned case's size.
        let limit = if step == 0 { empty + 4 } else { empty + (blocks(full_size) - empty) * step / 4 };
        let run = scan_with_limit(&ws, &case, limit);
        let what = format!("limit {limit} KiB (empty case {empty} KiB, scanned case {} KiB)", blocks(full_size));
        run.expect_code(2);
        assert!(run.stderr.contains("disk is full"), "{what}: the message should say the disk is full\n{}", run.describe());
        assert!(!run.stderr.contains("panicked"), "{what}\n{}", run.describe());
        let kept = sql_count(&case, "SELECT COUNT(*) FROM files");
        ws.verify_intact(&case);

        let resumed = ws.scan_completed(&case, &[]);
        assert_eq!(resumed["content_digest"], digest.as_str(), "{what}: resumed scan {resumed:#}");
        assert_eq!(resumed["counts"], reference["counts"], "{what}");
        assert_eq!(without_run_id(&ws.hits(&case)), without_run_id(&reference_hits), "{what}: hits --json");
        let runs = ws.runs(&case);
        assert!(runs.len() <= 1, "{what}: the resumed scan made a second run: {runs:#?}");
        ws.verify_intact(&case);
        println!("{what}: stopped with {kept} file rows kept: {}", run.stderr.trim());
    }
}
