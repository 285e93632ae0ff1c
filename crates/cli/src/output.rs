//! What the CLI prints: JSON for scripts, plain columns for people.

use std::io::Write;

/// `println!` that returns an error instead of panicking when standard
/// output is gone (a closed pipe: `spoor hits case.spoor | head -1`).
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?;
    }};
}

use anyhow::Result;
use serde::Serialize;
use spoor_case::{Case, HitView};
use spoor_case::verify::VerifyReport;
use spoor_hashset::SetInfo;

pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

pub fn print_json_line<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 { format!("{n} B") } else { format!("{v:.1} {}", UNITS[unit]) }
}

pub fn print_hits(hits: &[HitView]) -> Result<()> {
    if hits.is_empty() {
        outln!("No hits.");
        return Ok(());
    }
    outln!("{:>6} {:<10} {:<7} {:<14} {:<8} {:<8} {:<24} PATH", "FILE", "EVIDENCE", "METHOD", "MATCH", "CATEGORY", "REVIEW", "HASH SET");
    for h in hits {
        let set = match &h.hashset_version {
            Some(v) => format!("{} {v}", h.hashset),
            None => h.hashset.clone(),
        };
        let review = h.review.as_ref().map(|r| r.category.clone().unwrap_or_else(|| "note".into())).unwrap_or_else(|| "-".into());
        // Exact methods match whole digests; PDQ names its distance and the
        // dihedral variant of the picture that matched.
        let how = match (h.distance, &h.variant) {
            (None, _) => "exact".to_string(),
            (Some(d), Some(v)) => format!("{d} {v}"),
            (Some(d), None) => d.to_string(),
        };
        outln!(
            "{:>6} {:<10} {:<7} {:<14} {:<8} {:<8} {:<24} {}",
            h.file_id,
            h.evidence_id,
            h.method,
            how,
            h.category.as_deref().unwrap_or("-"),
            review,
            set,
            h.path
        );
        if let Some(v) = &h.video {
            match (v.query_match_percent, v.known_match_percent, v.matched_frames) {
                (Some(q), Some(k), Some(n)) => {
                    outln!("{:>6} vPDQ: {q:.1}% of this video's frames in the known video, {k:.1}% of the known video's in this one; {n} frame(s) matched", "")
                }
                _ => {
                    if let Some(t) = v.frame_timestamp {
                        outln!("{:>6} {}", "", frame_words(t, v.frame_number, &h.record));
                    }
                }
            }
        }
    }
    outln!("{} hit(s)", hits.len());
    Ok(())
}

/// A frame that matched a picture: its time and number, and from the
/// hit's `match` object how many frames matched and over which span.
fn frame_words(t: f64, number: Option<u64>, record: &serde_json::Value) -> String {
    let mut words = format!("frame at {t:.3} s");
    if let Some(n) = number {
        words.push_str(&format!(" (frame {n})"));
    }
    let m = &record["match"];
    if let (Some(count), Some(first), Some(last)) = (m["frames"].as_u64(), m["first_timestamp"].as_f64(), m["last_timestamp"].as_f64()) {
        words.push_str(&format!("; {count} frame(s) matched, from {first:.3} s to {last:.3} s"));
    }
    words
}

pub fn print_sets(sets: &[SetInfo]) -> Result<()> {
    if sets.is_empty() {
        outln!("The library holds no hash sets; import one with `spoor hashset import`.");
        return Ok(());
    }
    for s in sets {
        let mut counts: Vec<String> = s.digest_counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
        if let Some(fp) = &s.fingerprint {
            counts.push(format!("{} {} ({} under quality 50)", fp.kind, fp.count, fp.low_quality));
        }
        if s.vpdq_videos > 0 {
            counts.push(format!("{} known video(s) with vPDQ", s.vpdq_videos));
        }
        outln!(
            "{} {}\n  kind {}, format {}{}, {} records ({}), source {} sha256 {}, imported {}, id {}",
            s.name,
            s.version.as_deref().unwrap_or("(no version)"),
            s.kind,
            s.format,
            s.profile.as_deref().map(|p| format!(", profile {p}")).unwrap_or_default(),
            s.record_count,
            counts.join(", "),
            s.source_name,
            s.source_sha256,
            s.imported_utc,
            s.id
        );
    }
    Ok(())
}

pub fn print_verify(r: &VerifyReport) -> Result<()> {
    let case = r.case_number.as_deref().unwrap_or("?");
    if r.intact {
        outln!("Case {case}: INTACT");
        outln!("  audit log: {} entries, chain head #{} {}", r.audit_entries, r.head_seq, r.head_hash);
        let rows: Vec<String> = r.rows.iter().map(|(t, n)| format!("{t} {n}")).collect();
        outln!("  rows checked: {}", rows.join(", "));
        for run in &r.runs {
            outln!("  scan run {}: {}, content digest {}", run.run_id, run.state, run.content_digest.as_deref().unwrap_or("-"));
        }
        print_anchors(r)?;
    } else {
        outln!("Case {case}: VERIFICATION FAILED");
        outln!("  audit log: {} entries, chain head seen #{} {}", r.audit_entries, r.head_seq, r.head_hash);
        if let Some(first) = r.problems.first() {
            outln!("  first mismatch: {first}");
        }
        for p in r.problems.iter().skip(1).take(20) {
            outln!("  also: {p}");
        }
        if r.problems.len() > 21 {
            outln!("  … and {} more (use --json for all)", r.problems.len() - 21);
        }
        print_anchors(r)?;
    }
    Ok(())
}

/// What the heads recorded outside the case say.
fn print_anchors(r: &VerifyReport) -> Result<()> {
    let a = &r.anchors;
    if let (Some(head), Some(found)) = (&a.expected_head, a.expected_head_found) {
        outln!("  expected head {head}: {}", if found { "held" } else { "NOT held" });
    }
    if a.case_anchors > 0 {
        outln!(
            "  anchors: {} of {} head(s) recorded for this case in {} confirmed; latest #{} of {}",
            a.confirmed,
            a.case_anchors,
            a.ledger.as_deref().unwrap_or("-"),
            a.latest_seq.unwrap_or(0),
            a.latest_time_utc.as_deref().unwrap_or("-")
        );
    }
    for note in &a.notes {
        outln!("  note: {note}");
    }
    Ok(())
}

pub fn show_case(case: &Case, json: bool) -> Result<()> {
    let info = case.info()?;
    let evidence = case.evidence()?;
    let hashsets = case.hashsets()?;
    let runs = case.runs()?;
    if json {
        return print_json(&serde_json::json!({ "case": info, "evidence": evidence, "hashsets": hashsets, "runs": runs }));
    }
    outln!("Case {}: {}", info.case_number, info.title);
    outln!("  agency {}, examiner {}, time zone {}, created {}", info.agency, info.examiner, info.time_zone, info.created_utc);
    outln!("Evidence:");
    for e in &evidence {
        outln!("  {}  {}  {}", e.evidence_id, e.source_path_display, e.description);
    }
    outln!("Hash sets used:");
    for s in &hashsets {
        outln!("  {} {} ({}, {} records, source sha256 {})", s.name, s.version.as_deref().unwrap_or(""), s.kind, s.record_count, s.source_sha256);
    }
    outln!("Scan runs:");
    for r in &runs {
        outln!(
            "  #{} {} started {} by {} {} ({}): {} files, {} hits, {} known-good, {} warnings",
            r.run_id, r.state, r.started_utc, r.tool_name, r.tool_version, r.git_commit, r.counts.files, r.counts.hits, r.counts.known_good, r.counts.warnings
        );
    }
    Ok(())
}
