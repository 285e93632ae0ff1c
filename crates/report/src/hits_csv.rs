//! The CSV export: one row per hit, UTF-8, a header row, RFC 4180 quoting.
//!
//! Text that a spreadsheet would run as a formula (a cell starting with
//! `=`, `+`, `-`, `@`, a tab or a carriage return: a file name chosen by a
//! suspect can be one) is prefixed with `'` in the free-text columns
//! (`path`, the names and the review note). `path_hex` always holds the
//! exact bytes.

use crate::model::{Report, ReportHit};
use crate::{Error, Result};

/// The header row.
pub const COLUMNS: &[&str] = &[
    "evidence_id",
    "file_id",
    "path",
    "path_hex",
    "size",
    "file_type",
    "extension_mismatch",
    "mtime_utc",
    "atime_utc",
    "ctime_utc",
    "btime_utc",
    "md5",
    "sha1",
    "sha256",
    "pdq",
    "pdq_quality",
    "method",
    "distance",
    "variant",
    "hashset",
    "hashset_version",
    "hashset_kind",
    "hashset_uid",
    "category_profile",
    "category",
    "category_name",
    "known_good",
    "review_category",
    "review_category_name",
    "review_note",
    "review_examiner",
    "review_time_utc",
    "run_id",
    "vpdq_query_match_percent",
    "vpdq_known_match_percent",
    "vpdq_matched_frames",
    "frame_timestamp",
    "frame_number",
    "frames_matched",
    "frames_first_timestamp",
    "frames_last_timestamp",
];

/// A free-text value, made inert for spreadsheets.
pub fn inert(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn row(h: &ReportHit) -> Vec<String> {
    let r = h.review.as_ref();
    let v = h.video.as_ref();
    vec![
        inert(&h.evidence_id),
        h.file_id.to_string(),
        inert(&h.path),
        h.path_hex.clone(),
        h.size.to_string(),
        opt(&h.file_type),
        h.extension_mismatch.to_string(),
        opt(&h.mtime_utc),
        opt(&h.atime_utc),
        opt(&h.ctime_utc),
        opt(&h.btime_utc),
        opt(&h.md5),
        opt(&h.sha1),
        opt(&h.sha256),
        opt(&h.pdq),
        h.pdq_quality.map(|q| q.to_string()).unwrap_or_default(),
        h.method.clone(),
        h.distance.map(|d| d.to_string()).unwrap_or_default(),
        opt(&h.variant),
        inert(&h.hashset),
        inert(&opt(&h.hashset_version)),
        h.hashset_kind.clone(),
        h.hashset_uid.clone(),
        inert(&opt(&h.profile)),
        inert(&opt(&h.category)),
        inert(&opt(&h.category_name)),
        h.known_good.to_string(),
        inert(&r.and_then(|r| r.category.clone()).unwrap_or_default()),
        inert(&r.and_then(|r| r.category_name.clone()).unwrap_or_default()),
        inert(&r.map(|r| r.note.clone()).unwrap_or_default()),
        inert(&r.map(|r| r.examiner.clone()).unwrap_or_default()),
        r.map(|r| r.time_utc.clone()).unwrap_or_default(),
        h.run_id.to_string(),
        v.and_then(|v| v.query_match_percent).map(|p| format!("{p:.1}")).unwrap_or_default(),
        v.and_then(|v| v.known_match_percent).map(|p| format!("{p:.1}")).unwrap_or_default(),
        v.and_then(|v| v.matched_frames).map(|n| n.to_string()).unwrap_or_default(),
        v.and_then(|v| v.frame_timestamp).map(|t| format!("{t:.3}")).unwrap_or_default(),
        v.and_then(|v| v.frame_number).map(|n| n.to_string()).unwrap_or_default(),
        h.frames.as_ref().map(|f| f.frames.to_string()).unwrap_or_default(),
        h.frames.as_ref().map(|f| format!("{:.3}", f.first_timestamp)).unwrap_or_default(),
        h.frames.as_ref().map(|f| format!("{:.3}", f.last_timestamp)).unwrap_or_default(),
    ]
}

/// Renders the hits as CSV.
pub fn render(report: &Report) -> Result<Vec<u8>> {
    let err = |e: csv::Error| Error::Render { format: "csv", message: e.to_string() };
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    w.write_record(COLUMNS).map_err(err)?;
    for h in &report.hits {
        w.write_record(row(h)).map_err(err)?;
    }
    w.into_inner().map_err(|e| Error::Render { format: "csv", message: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_made_inert_and_plain_text_is_not() {
        assert_eq!(inert("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(inert("-1+1"), "'-1+1");
        assert_eq!(inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert("Users/alex/a.jpg"), "Users/alex/a.jpg");
        assert_eq!(inert(""), "");
    }
}
