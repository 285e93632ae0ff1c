//! Verification: recomputes the audit chain, every row's hash, every seal,
//! the schema and every completed run's digests, and names what does not
//! match.
//!
//! What it proves: any row changed, deleted or inserted in any table, any
//! audit entry edited, removed or reordered, and any change of the schema
//! (a table, column, index or trigger added or altered) made without the
//! tool. What no file-only check can prove: that the whole case was not
//! rebuilt consistently from scratch; for that, compare the chain head
//! printed here with the one in an earlier report or note.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};

use crate::audit::{self, SealBuilder, TableSeal};
use crate::{Case, Error, MIGRATIONS, Result};

/// One thing that does not match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Problem {
    /// Where: a table name, `audit_log`, `schema` or `file`.
    pub table: String,
    /// The row id (or audit sequence number), when one row is at fault.
    pub row: Option<i64>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.row {
            Some(row) => write!(f, "{} row {}: {}", self.table, row, self.message),
            None => write!(f, "{}: {}", self.table, self.message),
        }
    }
}

/// A completed run's digests, as recorded and as recomputed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RunCheck {
    pub run_id: i64,
    pub state: String,
    pub content_digest: Option<String>,
    pub rows_digest: Option<String>,
}

/// The outcome of [`verify`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VerifyReport {
    pub intact: bool,
    pub case_number: Option<String>,
    pub format_version: Option<u32>,
    pub audit_entries: u64,
    /// The last audit entry: sequence number and hash. Write it down; a later
    /// verify that shows an earlier head means entries were cut off.
    pub head_seq: i64,
    pub head_hash: String,
    /// Rows checked per table.
    pub rows: BTreeMap<String, u64>,
    pub runs: Vec<RunCheck>,
    /// Every mismatch, the first one first.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.intact
    }
}

const MAX_PROBLEMS: usize = 200;

/// Verifies the case file at `path`. A missing file, a file that is not a
/// Spoor case and a case of a newer format are errors; a damaged or altered
/// case is a report with problems.
pub fn verify(path: &Path) -> Result<VerifyReport> {
    if !path.exists() {
        return Err(Error::NotFound { path: path.to_path_buf() });
    }
    let mut report = VerifyReport {
        intact: false,
        case_number: None,
        format_version: None,
        audit_entries: 0,
        head_seq: 0,
        head_hash: audit::GENESIS.to_string(),
        rows: BTreeMap::new(),
        runs: Vec::new(),
        problems: Vec::new(),
    };
    let case = match Case::open_read_only(path) {
        Ok(c) => c,
        // A damaged case fails verification; a file that is not a case at
        // all, or one from a newer format, is an input error (the caller's
        // exit 2), not evidence of tampering.
        Err(e @ (Error::Damaged { .. } | Error::Sqlite(_) | Error::Invalid(_))) => {
            report.problems.push(Problem { table: "file".into(), row: None, message: e.to_string() });
            return Ok(report);
        }
        Err(e) => return Err(e),
    };
    if let Err(e) = check(&case, &mut report) {
        report.problems.push(Problem { table: "file".into(), row: None, message: format!("the case cannot be read: {e}") });
    }
    report.intact = report.problems.is_empty();
    Ok(report)
}

fn problem(report: &mut VerifyReport, table: &str, row: Option<i64>, message: String) {
    if report.problems.len() < MAX_PROBLEMS {
        report.problems.push(Problem { table: table.to_string(), row, message });
    }
}

fn check(case: &Case, report: &mut VerifyReport) -> Result<()> {
    let conn = case.conn();
    let integrity: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if integrity != "ok" {
        problem(report, "file", None, format!("SQLite integrity check failed: {integrity}"));
        return Ok(());
    }
    let version = case.format_version()?;
    report.format_version = Some(version);
    report.case_number = case.info().ok().map(|i| i.case_number);
    check_schema(conn, version, report)?;
    let entries = check_chain(conn, report)?;
    check_rows(conn, &entries, report)?;
    check_runs(case, report)?;
    Ok(())
}

/// The schema must be exactly what the migrations up to `version` create.
fn check_schema(conn: &Connection, version: u32, report: &mut VerifyReport) -> Result<()> {
    let expected = Connection::open_in_memory_with_flags(OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?;
    for (_, _, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v <= version) {
        expected.execute_batch(sql)?;
    }
    let schema = |c: &Connection| -> Result<BTreeMap<(String, String), Option<String>>> {
        let mut stmt = c.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")?;
        let rows = stmt.query_map([], |r| Ok(((r.get::<_, String>(0)?, r.get::<_, String>(1)?), r.get::<_, Option<String>>(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<BTreeMap<_, _>>>()?)
    };
    let want = schema(&expected)?;
    let have = schema(conn)?;
    for (key, sql) in &have {
        match want.get(key) {
            None => problem(report, "schema", None, format!("{} {} was added behind the tool's back", key.0, key.1)),
            Some(w) if w != sql => problem(report, "schema", None, format!("{} {} was altered", key.0, key.1)),
            Some(_) => {}
        }
    }
    for key in want.keys().filter(|k| !have.contains_key(*k)) {
        problem(report, "schema", None, format!("{} {} was dropped", key.0, key.1));
    }
    Ok(())
}

/// An audit entry as stored, with its seals parsed.
struct StoredEntry {
    seq: i64,
    seals: BTreeMap<String, TableSeal>,
}

fn check_chain(conn: &Connection, report: &mut VerifyReport) -> Result<Vec<StoredEntry>> {
    let mut stmt =
        conn.prepare("SELECT seq, time_utc, actor, action, details, seals, prev_hash, entry_hash FROM audit_log ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1;
    let mut prev = audit::GENESIS.to_string();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let texts: Vec<String> = (1..8).map(|i| r.get::<_, String>(i)).collect::<rusqlite::Result<_>>()?;
        let (time, actor, action, details, seals, prev_hash, hash) =
            (&texts[0], &texts[1], &texts[2], &texts[3], &texts[4], &texts[5], &texts[6]);
        if seq != expected_seq {
            problem(report, "audit_log", Some(seq), format!("entry {expected_seq} is missing (the chain jumps to {seq})"));
        }
        if *prev_hash != prev {
            problem(report, "audit_log", Some(seq), "does not link to the entry before it (previous hash differs)".into());
        }
        let recomputed = audit::entry_hash(prev_hash, seq, time, actor, action, details, seals);
        if recomputed != *hash {
            problem(report, "audit_log", Some(seq), format!("entry '{action}' was altered (its hash does not match its content)"));
        }
        let parsed: BTreeMap<String, TableSeal> = match serde_json::from_str(seals) {
            Ok(s) => s,
            Err(e) => {
                problem(report, "audit_log", Some(seq), format!("its seals cannot be read: {e}"));
                BTreeMap::new()
            }
        };
        out.push(StoredEntry { seq, seals: parsed });
        prev = hash.clone();
        expected_seq = seq + 1;
    }
    report.audit_entries = out.len() as u64;
    report.head_seq = out.last().map(|e| e.seq).unwrap_or(0);
    report.head_hash = prev;
    if out.is_empty() {
        problem(report, "audit_log", None, "the audit log is empty".into());
    }
    Ok(out)
}

fn check_rows(conn: &Connection, entries: &[StoredEntry], report: &mut VerifyReport) -> Result<()> {
    let by_seq: HashMap<i64, &StoredEntry> = entries.iter().map(|e| (e.seq, e)).collect();
    for table in audit::SEALED_TABLES {
        let columns = audit::content_columns(conn, table)?;
        if columns.is_empty() {
            // The schema check has named the missing table already.
            continue;
        }
        let sql = format!("SELECT {}, seal, row_hash FROM {table} ORDER BY id", columns.join(", "));
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        let mut groups: BTreeMap<i64, SealBuilder> = BTreeMap::new();
        let mut count = 0u64;
        while let Some(r) = rows.next()? {
            count += 1;
            let id: i64 = r.get(0)?;
            let seal: Option<i64> = r.get(columns.len())?;
            let stored: Option<String> = r.get(columns.len() + 1)?;
            let computed = audit::row_hash(table, &columns, r)?;
            let Some(seal) = seal else {
                problem(report, table, Some(id), "was inserted behind the tool's back (it carries no seal)".into());
                continue;
            };
            if stored.as_deref() != Some(computed.as_str()) {
                problem(report, table, Some(id), format!("was changed after audit entry {seal} sealed it"));
            }
            match by_seq.get(&seal).map(|e| e.seals.get(*table)) {
                None => problem(report, table, Some(id), format!("names audit entry {seal}, which does not exist (entries were removed, or the row was inserted)")),
                Some(None) => problem(report, table, Some(id), format!("was inserted behind the tool's back (audit entry {seal} sealed no {table} rows)")),
                Some(Some(_)) => {}
            }
            groups.entry(seal).or_default().push(id, &computed);
        }
        report.rows.insert((*table).to_string(), count);
        for entry in entries {
            let Some(claimed) = entry.seals.get(*table) else { continue };
            let found = groups.remove(&entry.seq).map(SealBuilder::finish);
            let found_ids: Vec<i64> = found.as_ref().map(|f| expand(&f.ids)).unwrap_or_default();
            let claimed_ids = expand(&claimed.ids);
            let missing: Vec<i64> = claimed_ids.iter().copied().filter(|id| found_ids.binary_search(id).is_err()).collect();
            let extra: Vec<i64> = found_ids.iter().copied().filter(|id| claimed_ids.binary_search(id).is_err()).collect();
            if let Some(first) = missing.first() {
                problem(
                    report,
                    table,
                    Some(*first),
                    format!("was deleted ({} row(s) sealed by audit entry {} are missing: {})", missing.len(), entry.seq, preview(&missing)),
                );
            }
            if let Some(first) = extra.first() {
                problem(report, table, Some(*first), format!("was inserted behind the tool's back under audit entry {}", entry.seq));
            }
            if missing.is_empty() && extra.is_empty() && found.as_ref().map(|f| &f.digest) != Some(&claimed.digest) {
                problem(report, table, None, format!("the rows sealed by audit entry {} do not match their seal", entry.seq));
            }
        }
    }
    Ok(())
}

fn expand(ranges: &[(i64, i64)]) -> Vec<i64> {
    let mut ids: Vec<i64> = ranges.iter().flat_map(|&(a, b)| a..=b).collect();
    ids.sort_unstable();
    ids
}

fn preview(ids: &[i64]) -> String {
    let shown: Vec<String> = ids.iter().take(10).map(i64::to_string).collect();
    if ids.len() > 10 { format!("{}, …", shown.join(", ")) } else { shown.join(", ") }
}

/// Every completed run's recorded digests must be recomputable.
fn check_runs(case: &Case, report: &mut VerifyReport) -> Result<()> {
    for run in case.runs()? {
        if run.state == "completed" {
            let content = case.content_digest(run.run_id)?;
            if run.content_digest.as_deref() != Some(content.as_str()) {
                problem(report, "scan_runs", Some(run.run_id), "what the run found no longer matches its content digest".into());
            }
            let rows = case.rows_digest(run.run_id)?;
            if run.rows_digest.as_deref() != Some(rows.as_str()) {
                problem(report, "scan_runs", Some(run.run_id), "the rows the run wrote no longer match its rows digest".into());
            }
        }
        report.runs.push(RunCheck {
            run_id: run.run_id,
            state: run.state,
            content_digest: run.content_digest,
            rows_digest: run.rows_digest,
        });
    }
    Ok(())
}
