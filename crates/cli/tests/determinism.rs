//! The thread count changes nothing: two cases over the same tree, scanned
//! with `--jobs 1` and `--jobs 4`, give the same hits, warnings and content
//! digest.

#[macro_use]
mod common;

use common::*;

#[test]
fn jobs_1_and_jobs_4_give_identical_results() {
    let ws = Workspace::new();
    let manifest = ws.fixtures("fixture", false);
    // Enough files that four workers finish them in another order than one.
    add_bulk(&manifest.evidence_root, 1500, 0, 0);
    ws.import_lists(&manifest);

    let one = ws.new_case("jobs-1.spoor", &manifest.evidence_root);
    let four = ws.new_case("jobs-4.spoor", &manifest.evidence_root);
    let a = ws.scan_completed(&one, &args!["--jobs", "1"]);
    let b = ws.scan_completed(&four, &args!["--jobs", "4"]);

    let digest = a["content_digest"].as_str().expect("a content digest");
    assert!(is_lower_hex(digest, 64), "{digest}");
    assert_eq!(a["content_digest"], b["content_digest"], "content digests differ\n--jobs 1: {a:#}\n--jobs 4: {b:#}");
    assert_eq!(a["counts"], b["counts"]);
    assert!(a["counts"]["files"].as_u64().unwrap_or_default() > 1500, "{a:#}");

    let hits_one = ws.hits(&one);
    assert!(!hits_one.is_empty());
    assert_eq!(without_run_id(&hits_one), without_run_id(&ws.hits(&four)), "hits --json differ between --jobs 1 and --jobs 4");
    assert_eq!(warnings_comparable(&ws.warnings(&one)), warnings_comparable(&ws.warnings(&four)), "warnings differ");
    ws.verify_intact(&one);
    ws.verify_intact(&four);
}
