//! Reports and exports: what they read from the case, and the record of
//! every file that left it.
//!
//! Each export (an HTML or PDF report, a CSV, a VICS case file) is one
//! append-only row of the `exports` table, sealed by one `report.export`
//! audit entry that carries its filters. The row holds the file's SHA-256,
//! so a file handed in months later can be matched to the export that
//! wrote it ([`Case::exports_with_sha256`]), and the audit chain head at the
//! time of export, which the report prints.

use std::collections::HashMap;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::records::LATEST;
use crate::{Case, Error, HitView, Result, audit};

/// The formats an export can have.
pub const EXPORT_FORMATS: &[&str] = &["html", "pdf", "csv", "vics"];

/// An export to record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewExport {
    /// The time the report states as its generation time (UTC, ISO-8601 with `Z`).
    pub time_utc: String,
    /// `html`, `pdf`, `csv` or `vics`.
    pub format: String,
    /// The filters the export applied, as JSON.
    pub filters: serde_json::Value,
    /// The file name it was written under (no folder).
    pub file_name: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    pub size: u64,
    /// SHA-256 over the report's canonical content.
    pub report_digest: String,
    /// The audit chain head the report states (the last entry before this
    /// export's own).
    pub chain_head_seq: i64,
    pub chain_head_hash: String,
    /// The tool that wrote it, e.g. `spoor 0.1.0 (abc123)`.
    pub tool_version: String,
}

/// An export as recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportRecord {
    pub export_id: i64,
    pub time_utc: String,
    pub format: String,
    pub filters: serde_json::Value,
    pub file_name: String,
    pub sha256: String,
    pub size: u64,
    pub report_digest: String,
    pub chain_head_seq: i64,
    pub chain_head_hash: String,
    pub tool_version: String,
    pub exported_by: String,
    /// The audit entry that sealed the record.
    pub audit_seq: Option<i64>,
}

/// One hit with what a report shows beyond the `spoor hits` contract: the
/// hash set's identity and category profile, and every recorded time of
/// the file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HitDetail {
    #[serde(flatten)]
    pub hit: HitView,
    /// The library id of the hash set that matched.
    pub hashset_uid: String,
    /// The category scheme of that set, when it has one.
    pub hashset_profile: Option<String>,
    pub atime_utc: Option<String>,
    pub ctime_utc: Option<String>,
    pub btime_utc: Option<String>,
    /// What the entry was (`file`, ...).
    pub kind: String,
}

/// Totals per evidence item, from the latest run that scanned it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvidenceTotals {
    pub evidence_id: String,
    /// The latest run that scanned the item, if any.
    pub run_id: Option<i64>,
    /// Entries recorded (files, folders, links, ...).
    pub files: u64,
    /// Regular files read and digested.
    pub hashed: u64,
    pub bytes: u64,
    /// Files an ignore (known-good) set listed.
    pub known_good: u64,
    pub hits: u64,
    pub warnings: u64,
    /// Files read without `O_NOATIME` (the kernel refused it): reading them
    /// may have updated their access time.
    pub read_without_noatime: u64,
}

fn export_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(ExportRecord, String)> {
    Ok((
        ExportRecord {
            export_id: r.get(0)?,
            time_utc: r.get(1)?,
            format: r.get(2)?,
            filters: serde_json::Value::Null,
            file_name: r.get(4)?,
            sha256: r.get(5)?,
            size: r.get::<_, i64>(6)?.max(0) as u64,
            report_digest: r.get(7)?,
            chain_head_seq: r.get(8)?,
            chain_head_hash: r.get(9)?,
            tool_version: r.get(10)?,
            exported_by: r.get(11)?,
            audit_seq: r.get(12)?,
        },
        r.get(3)?,
    ))
}

const EXPORT_COLUMNS: &str = "id, time_utc, format, filters, file_name, sha256, size, report_digest, chain_head_seq, chain_head_hash, tool_version, exported_by, seal";

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Case {
    /// The audit chain head: the last entry's sequence number and hash.
    pub fn chain_head(&self) -> Result<(i64, String)> {
        audit::head(self.conn())
    }

    /// Records an export, sealed by one `report.export` audit entry that
    /// carries its format, filters, file name, SHA-256 and report digest.
    pub fn record_export(&mut self, export: &NewExport) -> Result<ExportRecord> {
        if !EXPORT_FORMATS.contains(&export.format.as_str()) {
            return Err(Error::Invalid(format!("export format {:?}: use one of {}", export.format, EXPORT_FORMATS.join(", "))));
        }
        for (what, value) in [("sha256", &export.sha256), ("report digest", &export.report_digest), ("chain head hash", &export.chain_head_hash)] {
            if !is_lower_hex(value, 64) {
                return Err(Error::Invalid(format!("export {what} {value:?} is not 64 lower-case hexadecimal digits")));
            }
        }
        if export.file_name.is_empty() || export.file_name.contains('/') {
            return Err(Error::Invalid(format!("export file name {:?} must be a plain file name", export.file_name)));
        }
        let actor = self.actor.clone();
        let filters = serde_json::to_string(&export.filters)?;
        let details = serde_json::json!({
            "format": export.format,
            "filters": export.filters,
            "file_name": export.file_name,
            "sha256": export.sha256,
            "size": export.size,
            "report_digest": export.report_digest,
            "chain_head": { "seq": export.chain_head_seq, "hash": export.chain_head_hash },
        });
        let id = self.write("report.export", details, |tx| {
            tx.execute(
                "INSERT INTO exports (time_utc, format, filters, file_name, sha256, size, report_digest, chain_head_seq, chain_head_hash, tool_version, exported_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    export.time_utc,
                    export.format,
                    filters,
                    export.file_name,
                    export.sha256,
                    export.size as i64,
                    export.report_digest,
                    export.chain_head_seq,
                    export.chain_head_hash,
                    export.tool_version,
                    actor
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })?;
        self.exports()?
            .into_iter()
            .find(|e| e.export_id == id)
            .ok_or_else(|| Error::Internal(format!("export {id} vanished")))
    }

    /// Every export, oldest first.
    pub fn exports(&self) -> Result<Vec<ExportRecord>> {
        self.query_exports(&format!("SELECT {EXPORT_COLUMNS} FROM exports ORDER BY id"), None)
    }

    /// The exports whose file had this SH-256 (lower-case hex), oldest first.
    pub fn exports_with_sha256(&self, sha256: &str) -> Result<Vec<ExportRecord>> {
        self.query_exports(&format!("SELECT {EXPORT_COLUMNS} FROM exports WHERE sha256 = ?1 ORDER BY id"), Some(sha256))
    }

    fn query_exports(&self, sql: &str, arg: Option<&str>) -> Result<Vec<ExportRecord>> {
        let mut stmt = self.conn().prepare(sql)?;
        let rows = match arg {
            Some(a) => stmt.query_map([a], export_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?,
            None => stmt.query_map([], export_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?,
        };
        let mut out = Vec::with_capacity(rows.len());
        for (mut rec, filters) in rows {
            rec.filters = serde_json::from_str(&filters)?;
            out.push(rec);
        }
        Ok(out)
    }

    /// The hits of [`Case::hits`] (same rows, same order) with the hash
    /// set's uid and profile and the file's access, change and birth times.
    pub fn hit_details(&self) -> Result<Vec<HitDetail>> {
        // A hit by (file, set name, set version, method, record); a file's
        // access, change and birth times and its kind.
        type Key = (i64, String, Option<String>, String, String);
        type Times = (Option<String>, Option<String>, Option<String>, String);
        let mut sets: HashMap<Key, (String, Option<String>)> = HashMap::new();
        let mut files: HashMap<i64, Times> = HashMap::new();
        let sql = format!(
            "{LATEST}
             SELECT f.id, s.name, s.version, h.method, h.record, s.set_uid, s.profile, f.atime_utc, f.ctime_utc, f.btime_utc, f.kind
             FROM hits h
             JOIN files f ON f.id = h.file_id
             JOIN hashsets s ON s.id = h.hashset_id
             JOIN latest l ON l.evidence_ref = f.evidence_ref AND l.run_id = h.run_id
             ORDER BY h.id"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let file_id: i64 = r.get(0)?;
            let record: String = r.get(4)?;
            // The record as `hits()` gives it back: parsed, then compared as JSON.
            let record = serde_json::from_str::<serde_json::Value>(&record)?.to_string();
            sets.insert((file_id, r.get(1)?, r.get(2)?, r.get(3)?, record), (r.get(5)?, r.get(6)?));
            files.insert(file_id, (r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?));
        }
        let mut out = Vec::new();
        for hit in self.hits()? {
            let key = (hit.file_id, hit.hashset.clone(), hit.hashset_version.clone(), hit.method.clone(), hit.record.to_string());
            let (uid, profile) = sets.get(&key).cloned().unwrap_or_default();
            let (atime_utc, ctime_utc, btime_utc, kind) = files.get(&hit.file_id).cloned().unwrap_or_default();
            out.push(HitDetail { hit, hashset_uid: uid, hashset_profile: profile, atime_utc, ctime_utc, btime_utc, kind });
        }
        Ok(out)
    }

    /// Totals of every evidence item (in the order added), counted from the
    /// latest run that scanned it; zeros and no run for an item not scanned.
    pub fn evidence_totals(&self) -> Result<Vec<EvidenceTotals>> {
        let sql = format!(
            "{LATEST}
             SELECT ev.evidence_id, l.run_id,
               (SELECT COUNT(*) FROM files f WHERE f.evidence_ref = ev.id AND f.run_id = l.run_id),
               (SELECT COUNT(*) FROM files f WHERE f.evidence_ref = ev.id AND f.run_id = l.run_id AND f.status = 'hashed'),
               (SELECT COALESCE(SUM(size), 0) FROM files f WHERE f.evidence_ref = ev.id AND f.run_id = l.run_id AND f.status = 'hashed'),
               (SELECT COUNT(*) FROM files f WHERE f.evidence_ref = ev.id AND f.run_id = l.run_id AND f.known_good = 1),
               (SELECT COUNT(*) FROM hits h JOIN files f ON f.id = h.file_id WHERE f.evidence_ref = ev.id AND h.run_id = l.run_id),
               (SELECT COUNT(*) FROM warnings w WHERE w.evidence_ref = ev.id AND w.run_id = l.run_id),
               (SELECT COUNT(*) FROM files f WHERE f.evidence_ref = ev.id AND f.run_id = l.run_id AND f.status = 'hashed' AND f.noatime = 0)
             FROM evidence ev LEFT JOIN latest l ON l.evidence_ref = ev.id
             ORDER BY ev.id"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let n = |r: &rusqlite::Row<'_>, i: usize| -> rusqlite::Result<u64> { Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0).max(0) as u64) };
        let rows = stmt.query_map([], |r| {
            Ok(EvidenceTotals {
                evidence_id: r.get(0)?,
                run_id: r.get(1)?,
                files: n(r, 2)?,
                hashed: n(r, 3)?,
                bytes: n(r, 4)?,
                known_good: n(r, 5)?,
                hits: n(r, 6)?,
                warnings: n(r, 7)?,
                read_without_noatime: n(r, 8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewCase;

    fn case(dir: &std::path::Path) -> Case {
        let info = NewCase {
            case_number: "2026-0042".into(),
            title: "Operation Example".into(),
            agency: "Team".into(),
            examiner: "A. de Vries".into(),
            time_zone: "UTC".into(),
        };
        Case::create(&dir.join("case.spoor"), &info, "spoor test").expect("create")
    }

    fn export(sha: &str) -> NewExport {
        NewExport {
            time_utc: "2026-12-01T10:00:00.000Z".into(),
            format: "html".into(),
            filters: serde_json::json!({ "evidence": ["ITEM-001"], "reviewed_only": true }),
            file_name: "report.html".into(),
            sha256: sha.into(),
            size: 1234,
            report_digest: "cd".repeat(32),
            chain_head_seq: 3,
            chain_head_hash: "ef".repeat(32),
            tool_version: "spoor 0.1.0 (test)".into(),
        }
    }

    #[test]
    fn an_export_is_recorded_sealed_and_found_by_its_sha256() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut c = case(dir.path());
        let (seq_before, _) = c.chain_head().expect("head");
        let rec = c.record_export(&export(&"ab".repeat(32))).expect("record");
        assert_eq!(rec.export_id, 1);
        assert_eq!(rec.exported_by, "A. de Vries");
        assert_eq!(rec.audit_seq, Some(seq_before + 1));
        assert_eq!(rec.filters["evidence"][0], "ITEM-001");
        let log = c.audit_log().expect("log");
        let last = log.last().expect("an entry");
        assert_eq!(last.action, "report.export");
        assert_eq!(last.details["filters"]["reviewed_only"], true);
        assert_eq!(last.details["sha256"], "ab".repeat(32));
        assert!(last.seals.contains_key("exports"));
        assert_eq!(c.exports_with_sha256(&"ab".repeat(32)).expect("query").len(), 1);
        assert!(c.exports_with_sha256(&"aa".repeat(32)).expect("query").is_empty());
        let path = c.path().to_path_buf();
        drop(c);
        assert!(crate::verify::verify(&path).expect("verify").is_intact());
    }

    #[test]
    fn a_bad_export_record_is_refused_and_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut c = case(dir.path());
        let entries = c.audit_log().expect("log").len();
        let mut bad = export("AB");
        assert!(matches!(c.record_export(&bad), Err(Error::Invalid(_))));
        bad.sha256 = "ab".repeat(32);
        bad.format = "docx".into();
        assert!(matches!(c.record_export(&bad), Err(Error::Invalid(_))));
        bad.format = "pdf".into();
        bad.file_name = "../x.pdf".into();
        assert!(matches!(c.record_export(&bad), Err(Error::Invalid(_))));
        assert_eq!(c.audit_log().expect("log").len(), entries);
        assert!(c.exports().expect("exports").is_empty());
    }
}
