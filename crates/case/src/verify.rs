//! Verification: recomputes the audit chain, every row's hash, every seal,
//! the schema and every completed run's digests, and names what does not
//! match.
//!
//! What it proves: any row changed, deleted or inserted in any table, any
//! audit entry edited, removed or reordered, and any change of the schema
//! (a table, column, index or trigger added or altered) made without the
//! tool. What no file-only check can prove: that entries were not cut off
//! the end together with the rows they sealed, or that the whole case was
//! not rebuilt consistently from scratch. For those the case is checked
//! against the heads recorded outside it: the anchor ledger
//! ([`crate::anchors`]) and a head taken from a report or a note
//! ([`VerifyOptions::expect_head`]).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

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
    /// The case's id in the anchor ledger.
    pub case_id: Option<String>,
    /// What the heads recorded outside the case say.
    pub anchors: AnchorCheck,
}

/// The case checked against heads recorded outside it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AnchorCheck {
    /// The ledger read (`None`: no ledger configured).
    pub ledger: Option<String>,
    /// Whether that file exists.
    pub ledger_found: bool,
    /// Lines in the ledger (all cases).
    pub ledger_lines: u64,
    /// Heads the ledger holds for this case, and how many of them the case
    /// holds as recorded.
    pub case_anchors: u64,
    pub confirmed: u64,
    /// The latest head recorded for this case.
    pub latest_seq: Option<i64>,
    pub latest_hash: Option<String>,
    pub latest_time_utc: Option<String>,
    /// The head given to check (`SEQ:HASH`), and whether the case holds it.
    pub expected_head: Option<String>,
    pub expected_head_found: Option<bool>,
    /// What was not checked, and why (no ledger, no anchor for this case).
    pub notes: Vec<String>,
}

/// What to check a case against besides itself.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// The anchor ledger (`None`: none). [`verify`] uses
    /// [`crate::anchors::default_ledger`].
    pub ledger: Option<PathBuf>,
    /// A head noted earlier: the case must hold entry `seq` with this hash
    /// (or a hash starting with it, at least 16 hex digits).
    pub expect_head: Option<(i64, String)>,
}

impl VerifyOptions {
    /// The default ledger, no expected head.
    pub fn with_default_ledger() -> VerifyOptions {
        VerifyOptions { ledger: crate::anchors::default_ledger(), expect_head: None }
    }
}

/// Parses `SEQ:HASH` as `spoor verify --expect-head` takes it.
pub fn parse_head(text: &str) -> Result<(i64, String)> {
    let bad = || Error::Invalid(format!("{text:?} is not a chain head: give SEQ:HASH, e.g. 14:3fa2… (at least 16 hex digits)"));
    let (seq, hash) = text.trim().split_once([':', ' ']).ok_or_else(bad)?;
    let seq: i64 = seq.trim().trim_start_matches('#').parse().map_err(|_| bad())?;
    let hash = hash.trim().to_ascii_lowercase();
    if seq < 1 || hash.len() < 16 || hash.len() > 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    Ok((seq, hash))
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.intact
    }
}

const MAX_PROBLEMS: usize = 200;

/// Verifies the case file at `path`, against the default anchor ledger. A
/// missing file, a file that is not a Spoor case and a case of a newer format
/// are errors; a damaged or altered case is a report with problems.
pub fn verify(path: &Path) -> Result<VerifyReport> {
    verify_with(path, &VerifyOptions::with_default_ledger())
}

/// [`verify`], against the ledger and the head `options` name.
pub fn verify_with(path: &Path, options: &VerifyOptions) -> Result<VerifyReport> {
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
        case_id: None,
        anchors: AnchorCheck::default(),
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
    if let Err(e) = check(&case, options, &mut report) {
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

fn check(case: &Case, options: &VerifyOptions, report: &mut VerifyReport) -> Result<()> {
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
    check_anchors(&entries, options, report);
    Ok(())
}

/// The case against the heads recorded outside it: every head the ledger
/// holds for this case id, and the expected head. Problems are named on
/// `audit_log` (the case) or `anchors` (the ledger itself).
fn check_anchors(entries: &[StoredEntry], options: &VerifyOptions, report: &mut VerifyReport) {
    let by_seq: HashMap<i64, &StoredEntry> = entries.iter().map(|e| (e.seq, e)).collect();
    let head = report.head_seq;
    let matches = |stored: &str, wanted: &str| stored.starts_with(wanted) && wanted.len() >= 16;
    if let Some((seq, hash)) = &options.expect_head {
        report.anchors.expected_head = Some(format!("{seq}:{hash}"));
        let found = by_seq.get(seq).is_some_and(|e| matches(&e.hash, hash));
        report.anchors.expected_head_found = Some(found);
        if !found {
            let message = match by_seq.get(seq) {
                Some(e) => format!("entry {seq} has hash {}, not the expected head's {hash}: the log was rewritten from there on", e.hash),
                None if *seq > head => format!("the audit log ends at entry {head} but entry {seq} (hash {hash}) was expected: the log was cut"),
                None => format!("entry {seq} of the expected head is missing"),
            };
            problem(report, "audit_log", Some(*seq), message);
        }
    }
    let Some(ledger_path) = &options.ledger else {
        report.anchors.notes.push(format!("no anchor ledger is configured (${} is empty): the case was checked against itself only", crate::anchors::ENV));
        return;
    };
    report.anchors.ledger = Some(ledger_path.display().to_string());
    let ledger = match crate::anchors::read(ledger_path) {
        Ok(Some(l)) => l,
        Ok(None) => {
            report.anchors.notes.push(format!(
                "no anchor ledger at {} (a case verified on another machine): no anchor was found, the case was checked against itself only",
                ledger_path.display()
            ));
            return;
        }
        // As when there is no ledger (another machine, a colleague's
        // account whose ledger this user may not read): nothing outside the
        // case can be checked, which is not a sign that the case changed.
        // Whoever could make the ledger unreadable could delete it too.
        Err(e) => {
            report.anchors.notes.push(format!(
                "the anchor ledger {} cannot be read ({e}): no anchor could be checked, the case was checked against itself only",
                ledger_path.display()
            ));
            return;
        }
    };
    report.anchors.ledger_found = true;
    report.anchors.ledger_lines = ledger.lines;
    for (line, why) in &ledger.breaks {
        problem(report, "anchors", Some(*line as i64), format!("the anchor ledger {} was edited: {why}", ledger_path.display()));
    }
    let Some(case_id) = report.case_id.clone() else { return };
    let mine: Vec<&crate::anchors::Anchor> = ledger.anchors.iter().map(|(_, a)| a).filter(|a| a.case_id == case_id).collect();
    report.anchors.case_anchors = mine.len() as u64;
    if mine.is_empty() {
        report.anchors.notes.push(format!(
            "the anchor ledger {} holds no head of this case (written on another machine, or with another ledger): no anchor was found",
            ledger_path.display()
        ));
        return;
    }
    if let Some(latest) = mine.iter().max_by_key(|a| a.seq) {
        report.anchors.latest_seq = Some(latest.seq);
        report.anchors.latest_hash = Some(latest.entry_hash.clone());
        report.anchors.latest_time_utc = Some(latest.entry_time_utc.clone());
    }
    let mut confirmed = 0;
    let mut cut: Option<&crate::anchors::Anchor> = None;
    let mut rewritten: Vec<&crate::anchors::Anchor> = Vec::new();
    for a in &mine {
        match by_seq.get(&a.seq) {
            Some(e) if e.hash == a.entry_hash => confirmed += 1,
            Some(_) => rewritten.push(a),
            None if a.seq > head => {
                if cut.is_none_or(|c| a.seq > c.seq) {
                    cut = Some(a);
                }
            }
            None => rewritten.push(a),
        }
    }
    report.anchors.confirmed = confirmed;
    if let Some(a) = cut {
        let message = format!(
            "the audit log ends at entry {head} but entry {} (hash {}) was recorded on {} in the anchor ledger {}: the log was cut",
            a.seq,
            a.entry_hash,
            a.entry_time_utc,
            ledger_path.display()
        );
        problem(report, "audit_log", Some(a.seq), message);
    }
    rewritten.sort_by_key(|a| a.seq);
    if let Some(a) = rewritten.first() {
        let stored = by_seq.get(&a.seq).map_or("none".to_string(), |e| e.hash.clone());
        let message = format!(
            "entry {} has hash {stored} but the anchor ledger {} recorded entry {} of this case as {} on {}: the log was rewritten from there on, or a copy of the case was written to separately ({} such head(s))",
            a.seq,
            ledger_path.display(),
            a.seq,
            a.entry_hash,
            a.entry_time_utc,
            rewritten.len()
        );
        problem(report, "audit_log", Some(a.seq), message);
    }
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
    hash: String,
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
        if seq == 1 {
            report.case_id = Some(crate::anchors::id_from(details, hash));
        }
        out.push(StoredEntry { seq, hash: hash.clone(), seals: parsed });
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
