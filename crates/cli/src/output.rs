//! What the CLI prints: JSON for scripts, plain columns for people.

use std::io::Write;

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

pub fn print_hits(hits: &[HitView]) {
    if hits.is_empty() {
        println!("No hits.");
        return;
    }
    println!("{:<10} {:<7} {:<8} {:<24} PATH", "EVIDENCE", "METHOD", "CATEGORY", "HASH SET");
    for h in hits {
        let set = match &h.hashset_version {
            Some(v) => format!("{} {v}", h.hashset),
            None => h.hashset.clone(),
        };
        println!("{:<10} {:<7} {:<8} {:<24} {}", h.evidence_id, h.method, h.category.as_deref().unwrap_or("-"), set, h.path);
    }
    println!("{} hit(s)", hits.len());
}

pub fn print_sets(sets: &[SetInfo]) {
    if sets.is_empty() {
        println!("The library holds no hash sets; import one with `spoor hashset import`.");
        return;
    }
    for s in sets {
        let counts: Vec<String> = s.digest_counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!(
            "{} {}\n  kind {}, format {}, {} records ({}), source {} sha256 {}, imported {}, id {}",
            s.name,
            s.version.as_deref().unwrap_or("(no version)"),
            s.kind,
            s.format,
            s.record_count,
            counts.join(", "),
            s.source_name,
            s.source_sha256,
            s.imported_utc,
            s.id
        );
    }
}

pub fn print_verify(r: &VerifyReport) {
    let case = r.case_number.as_deref().unwrap_or("?");
    if r.intact {
        println!("Case {case}: INTACT");
        println!("  audit log: {} entries, chain head #{} {}", r.audit_entries, r.head_seq, r.head_hash);
        let rows: Vec<String> = r.rows.iter().map(|(t, n)| format!("{t} {n}")).collect();
        println!("  rows checked: {}", rows.join(", "));
        for run in &r.runs {
            println!("  scan run {}: {}, content digest {}", run.run_id, run.state, run.content_digest.as_deref().unwrap_or("-"));
        }
    } else {
        println!("Case {case}: VERIFICATION FAILED");
        if let Some(first) = r.problems.first() {
            println!("  first mismatch: {first}");
        }
        for p in r.problems.iter().skip(1).take(20) {
            println!("  also: {p}");
        }
        if r.problems.len() > 21 {
            println!("  … and {} more (use --json for all)", r.problems.len() - 21);
        }
    }
}

pub fn show_case(case: &Case, json: bool) -> Result<()> {
    let info = case.info()?;
    let evidence = case.evidence()?;
    let hashsets = case.hashsets()?;
    let runs = case.runs()?;
    if json {
        return print_json(&serde_json::json!({ "case": info, "evidence": evidence, "hashsets": hashsets, "runs": runs }));
    }
    println!("Case {}: {}", info.case_number, info.title);
    println!("  agency {}, examiner {}, time zone {}, created {}", info.agency, info.examiner, info.time_zone, info.created_utc);
    println!("Evidence:");
    for e in &evidence {
        println!("  {}  {}  {}", e.evidence_id, e.source_path_display, e.description);
    }
    println!("Hash sets used:");
    for s in &hashsets {
        println!("  {} {} ({}, {} records, source sha256 {})", s.name, s.version.as_deref().unwrap_or(""), s.kind, s.record_count, s.source_sha256);
    }
    println!("Scan runs:");
    for r in &runs {
        println!(
            "  #{} {} started {} by {} {} ({}): {} files, {} hits, {} known-good, {} warnings",
            r.run_id, r.state, r.started_utc, r.tool_name, r.tool_version, r.git_commit, r.counts.files, r.counts.hits, r.counts.known_good, r.counts.warnings
        );
    }
    Ok(())
}
