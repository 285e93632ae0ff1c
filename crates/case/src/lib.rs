//! The Spoor case file: one SQLite database per case.
//!
//! It holds the case, evidence items, the hash sets used, scan runs, file
//! records, warnings, hits and an append-only audit log that is a SHA-256
//! hash chain sealing every row (see [`audit`]); [`verify`] recomputes it.
//! Every data table is append-only. The file is in WAL mode, every write is
//! one transaction, and numbered migrations embedded in the binary bring a
//! case to the current format; a case from a newer format is refused.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("case.spoor");
//! let info = spoor_case::NewCase {
//!     case_number: "2026-0042".into(), title: "Operation Example".into(),
//!     agency: "Team Digitale Opsporing".into(), examiner: "A. de Vries".into(), time_zone: "UTC".into(),
//! };
//! let case = spoor_case::Case::create(&path, &info, "spoor 0.1.0")?;
//! assert_eq!(case.info()?.case_number, "2026-0042");
//! drop(case);
//! assert!(spoor_case::verify::verify(&path)?.is_intact());
//! # Ok(()) }
//! ```

pub mod anchors;
pub mod audit;
mod error;
pub mod exports;
pub mod metadata;
pub mod query;
pub mod records;
pub mod utc;
pub mod verify;
pub mod video;

use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};

pub use error::{Error, Result};
pub use metadata::{EvidenceDate, FileMetadataRow, NewMetadata, TriageFileRow, TriageHit};
pub use records::*;
pub use video::{ContactSheet, NewVideo, VideoFrame, VideoMatch, VideoView};

/// `PRAGMA application_id` of a Spoor case ("SPOR").
pub const APPLICATION_ID: i32 = 0x5350_4F52;

/// The migrations, numbered from 1, embedded in the binary. The case format
/// version is the highest one applied.
pub const MIGRATIONS: &[(u32, &str, &str)] = &[
    (1, "initial", include_str!("migrations/0001_initial.sql")),
    (2, "metadata", include_str!("migrations/0002_metadata.sql")),
    (3, "video", include_str!("migrations/0003_video.sql")),
    (4, "pdq_variants", include_str!("migrations/0004_pdq_variants.sql")),
];

/// The newest case format this build reads and writes.
pub const FORMAT_VERSION: u32 = 4;

/// What the examiner gives when creating a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewCase {
    pub case_number: String,
    pub title: String,
    pub agency: String,
    pub examiner: String,
    /// IANA name of the examiner's time zone, for display; the case stores
    /// UTC throughout.
    pub time_zone: String,
}

/// The case as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseInfo {
    pub case_number: String,
    pub title: String,
    pub agency: String,
    pub examiner: String,
    pub time_zone: String,
    pub created_utc: String,
    pub format_version: u32,
}

/// An open case file.
#[derive(Debug)]
pub struct Case {
    conn: Connection,
    path: PathBuf,
    /// Held while this process may write: an exclusive `flock` on the case
    /// file, so a second writer is refused instead of interleaving.
    lock: Option<File>,
    actor: String,
    /// The case's id for the anchor ledger, once known.
    case_id: Option<String>,
    /// Where the case is, as the anchor ledger records it (a case being
    /// created is written under a temporary name first).
    anchor_path: PathBuf,
}

impl Case {
    /// Creates a new case file. Refuses to overwrite anything.
    pub fn create(path: &Path, info: &NewCase, tool_version: &str) -> Result<Case> {
        Case::create_upto(path, info, tool_version, FORMAT_VERSION)
    }

    /// [`Case::create`] in case format `format` (older formats: for tests
    /// of the upgrade path). Opening it for writing upgrades it.
    fn create_upto(path: &Path, info: &NewCase, tool_version: &str, format: u32) -> Result<Case> {
        if path.exists() {
            return Err(Error::AlreadyExists { path: path.to_path_buf() });
        }
        for (field, value) in [("case number", &info.case_number), ("examiner", &info.examiner)] {
            if value.trim().is_empty() {
                return Err(Error::Invalid(format!("the {field} must not be empty")));
            }
        }
        // Create under a temporary name and rename into place, so a failed
        // creation (a full disk, say) never leaves a half-made case behind.
        let tmp = tmp_sibling(path);
        let made = (|| -> Result<()> {
            let conn = Connection::open(&tmp).map_err(|e| map_full(&tmp, e))?;
            configure(&conn, &tmp)?;
            conn.pragma_update(None, "application_id", APPLICATION_ID)?;
            let anchor_path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
            let mut case = Case { conn, path: tmp.clone(), lock: None, actor: info.examiner.clone(), case_id: None, anchor_path };
            case.migrate(tool_version, format)?;
            case.write("case.create", serde_json::json!({ "case_number": info.case_number }), |tx| {
                tx.execute(
                    "INSERT INTO case_info (id, case_number, title, agency, examiner, time_zone, created_utc) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
                    params![info.case_number, info.title, info.agency, info.examiner, info.time_zone, utc::now()],
                )?;
                Ok(())
            })?;
            case.conn.pragma_update(None, "wal_checkpoint", "TRUNCATE").ok();
            drop(case);
            Ok(())
        })();
        if let Err(e) = made {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
            }
            return Err(e);
        }
        std::fs::rename(&tmp, path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        Case::open_upto(path, format)
    }

    /// Opens a case for reading and writing, taking the exclusive writer
    /// lock ([`Error::Busy`] when another process holds it). Brings an older format up to
    /// date (in one transaction, recorded in the audit log).
    pub fn open(path: &Path) -> Result<Case> {
        Case::open_upto(path, FORMAT_VERSION)
    }

    /// [`Case::open`], upgrading no further than format `upto`.
    fn open_upto(path: &Path, upto: u32) -> Result<Case> {
        let conn = open_conn(path, false)?;
        configure(&conn, path)?;
        let anchor_path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let mut case = Case { conn, path: path.to_path_buf(), lock: None, actor: String::new(), case_id: None, anchor_path };
        case.lock()?;
        case.actor = case.info()?.examiner;
        if case.format_version()? < upto {
            case.migrate(&format!("spoor {}", env!("CARGO_PKG_VERSION")), upto)?;
        }
        Ok(case)
    }

    /// Opens a case for reading only (verify, listings, reports).
    pub fn open_read_only(path: &Path) -> Result<Case> {
        let conn = open_conn(path, true)?;
        let case = Case { conn, path: path.to_path_buf(), lock: None, actor: String::new(), case_id: None, anchor_path: path.to_path_buf() };
        let found = case.format_version()?;
        if found < FORMAT_VERSION {
            return Err(Error::Invalid(format!(
                "{}: case format {found} is older than this build's {FORMAT_VERSION}; open it once for writing to upgrade it",
                path.display()
            )));
        }
        Ok(case)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The person recorded as the actor of audit entries (the case's
    /// examiner unless set otherwise).
    pub fn set_actor(&mut self, actor: &str) {
        self.actor = actor.to_string();
    }

    /// Takes the exclusive writer lock, or fails with [`Error::Busy`].
    fn lock(&mut self) -> Result<()> {
        if self.lock.is_some() {
            return Ok(());
        }
        let file = File::open(&self.path).map_err(|source| Error::Io { path: self.path.clone(), source })?;
        match file.try_lock() {
            Ok(()) => {
                self.lock = Some(file);
                Ok(())
            }
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Busy { path: self.path.clone() }),
            Err(std::fs::TryLockError::Error(source)) => Err(Error::Io { path: self.path.clone(), source }),
        }
    }

    /// The case format version recorded in the file.
    pub fn format_version(&self) -> Result<u32> {
        let v: Option<u32> = self.conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| r.get(0))?;
        Ok(v.unwrap_or(0))
    }

    /// Applies the migrations after the case's current format, up to
    /// format `upto`.
    fn migrate(&mut self, tool_version: &str, upto: u32) -> Result<()> {
        let current = match self.conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| r.get::<_, Option<u32>>(0)) {
            Ok(v) => v.unwrap_or(0),
            Err(_) => 0,
        };
        for (version, name, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v > current && *v <= upto) {
            let mut details = serde_json::json!({ "version": version, "name": name });
            if current == 0 && *version == 1 {
                // The first entry of a new case carries its id (anchors.rs).
                details["case_id"] = serde_json::Value::String(anchors::new_case_id());
            }
            self.write("case.migrate", details, |tx| {
                tx.execute_batch(sql)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_utc, tool_version) VALUES (?1, ?2, ?3, ?4)",
                    params![version, name, utc::now(), tool_version],
                )?;
                // In the same transaction: the header's version and the
                // recorded migrations never disagree, so a disagreement is
                // tampering (open_conn).
                tx.pragma_update(None, "user_version", version)?;
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Runs `f` in one transaction and seals what it wrote with one audit
    /// entry. Nothing is written when `f` or the sealing fails.
    pub(crate) fn write<T>(
        &mut self,
        action: &str,
        details: serde_json::Value,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let path = self.path.clone();
        let actor = self.actor.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| map_full(&path, e))?;
        let out = f(&tx).map_err(|e| map_full_err(&path, e))?;
        let entry = audit::append(&tx, &actor, action, &details).map_err(|e| map_full_err(&path, e))?;
        tx.commit().map_err(|e| map_full(&path, e))?;
        self.anchor(&entry);
        Ok(out)
    }

    /// Records a committed head in the anchor ledger. A failure does not
    /// undo the write: it is kept for the caller to say
    /// ([`anchors::take_failure`]).
    fn anchor(&mut self, entry: &audit::AuditEntry) {
        let Some(ledger) = anchors::default_ledger() else { return };
        if self.case_id.is_none() {
            self.case_id = anchors::case_id(&self.conn).ok().flatten();
        }
        let Some(case_id) = self.case_id.clone() else { return };
        let case_number = self.conn.query_row("SELECT case_number FROM case_info WHERE id = 1", [], |r| r.get::<_, String>(0)).ok();
        let anchor = anchors::Anchor {
            v: anchors::LINE_VERSION,
            case_id,
            case_number,
            seq: entry.seq,
            entry_hash: entry.entry_hash.clone(),
            prev_hash: entry.prev_hash.clone(),
            entry_time_utc: entry.time_utc.clone(),
            case_path: self.anchor_path.display().to_string(),
            prev_line: String::new(),
        };
        let case_path = anchor.case_path.clone();
        if let Err(e) = anchors::record(&ledger, anchor) {
            anchors::note_failure(&ledger, &case_path, &e);
        }
    }

    /// The case's id in the anchor ledger (see [`anchors`]).
    pub fn case_id(&self) -> Result<Option<String>> {
        anchors::case_id(&self.conn)
    }

    /// The case as stored.
    pub fn info(&self) -> Result<CaseInfo> {
        let format_version = self.format_version()?;
        self.conn
            .query_row(
                "SELECT case_number, title, agency, examiner, time_zone, created_utc FROM case_info WHERE id = 1",
                [],
                |r| {
                    Ok(CaseInfo {
                        case_number: r.get(0)?,
                        title: r.get(1)?,
                        agency: r.get(2)?,
                        examiner: r.get(3)?,
                        time_zone: r.get(4)?,
                        created_utc: r.get(5)?,
                        format_version,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| Error::NotACase { path: self.path.clone(), reason: "it holds no case record".into() })
    }

    /// The audit log, in order.
    pub fn audit_log(&self) -> Result<Vec<audit::AuditEntry>> {
        audit::entries(&self.conn)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

impl Drop for Case {
    fn drop(&mut self) {
        // Fold the WAL back into the main file when this was the writer, so
        // the case is one self-contained file when it is copied or sealed.
        if self.lock.is_some() {
            let _ = self.conn.pragma_update(None, "wal_checkpoint", "TRUNCATE");
        }
    }
}

fn tmp_sibling(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".creating-{}", std::process::id()));
    path.with_file_name(name)
}

fn open_conn(path: &Path, read_only: bool) -> Result<Connection> {
    if !path.exists() {
        return Err(Error::NotFound { path: path.to_path_buf() });
    }
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let not_a_case = |reason: String| Error::NotACase { path: path.to_path_buf(), reason };
    // Read the header ourselves: a damaged case still says what it is in
    // its first 100 bytes, and damage must not be mistaken for "not a case".
    let mut header = Vec::with_capacity(100);
    {
        use std::io::Read;
        let f = File::open(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        f.take(100).read_to_end(&mut header).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    }
    let n = header.len();
    if n < 16 || &header[..16] != b"SQLite format 3\0" {
        return Err(not_a_case(if n == 0 { "the file is empty".into() } else { "it is not an SQLite database".into() }));
    }
    if n < 100 {
        return Err(not_a_case(format!("it is cut short inside the 100-byte SQLite header ({n} bytes)")));
    }
    let be32 = |at: usize| u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]]);
    if be32(68) as i32 != APPLICATION_ID {
        return Err(not_a_case("it is not a Spoor case database".into()));
    }
    if be32(60) > FORMAT_VERSION {
        return Err(Error::NewerFormat { path: path.to_path_buf(), found: be32(60), supported: FORMAT_VERSION });
    }
    let damaged = |e: rusqlite::Error| Error::Damaged { path: path.to_path_buf(), reason: e.to_string() };
    let conn = Connection::open_with_flags(path, flags).map_err(damaged)?;
    // From here on the file says it is a Spoor case: what fails is damage.
    let user_version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(damaged)?;
    let recorded: u32 = conn
        .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| r.get::<_, Option<u32>>(0))
        .map_err(damaged)?
        .unwrap_or(0);
    if user_version > FORMAT_VERSION {
        return Err(Error::NewerFormat { path: path.to_path_buf(), found: user_version, supported: FORMAT_VERSION });
    }
    // Migrations set both in one transaction: when they differ, rows of
    // schema_migrations were changed, deleted or inserted by hand.
    if recorded != user_version {
        return Err(Error::Damaged {
            path: path.to_path_buf(),
            reason: format!(
                "schema_migrations records case format {recorded} but the file header says {user_version}: schema_migrations was altered"
            ),
        });
    }
    Ok(conn)
}

fn configure(conn: &Connection, path: &Path) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| map_full(path, e))?;
    // FULL: a committed batch survives a power cut, not only a crash.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(())
}

fn is_full(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DiskFull)
        || matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_IOERR_WRITE)
}

fn map_full(path: &Path, e: rusqlite::Error) -> Error {
    if is_full(&e) { Error::DiskFull { path: path.to_path_buf() } } else { Error::Sqlite(e) }
}

fn map_full_err(path: &Path, e: Error) -> Error {
    match e {
        Error::Sqlite(inner) => map_full(path, inner),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    fn info() -> NewCase {
        NewCase {
            case_number: "2026-3".into(),
            title: String::new(),
            agency: String::new(),
            examiner: "E. Xaminer".into(),
            time_zone: "UTC".into(),
        }
    }

    /// One completed run over one picture, with `variants` stored beside it.
    fn picture_run(case: &mut Case, evidence_id: &str, variants: Vec<PdqVariant>) -> Result<i64> {
        let ev = case.add_evidence(&NewEvidence {
            evidence_id: evidence_id.into(),
            description: String::new(),
            source_path: b"/mnt/x".to_vec(),
            acquisition_hashes: vec![],
        })?;
        let run = case.start_run(&RunStart {
            tool_name: "spoor".into(),
            tool_version: "0".into(),
            git_commit: "x".into(),
            host: "lab".into(),
            settings: serde_json::json!({}),
            hashsets: vec![],
        })?;
        let file = NewFile {
            evidence_row: ev.row_id,
            path: b"DCIM/1.jpg".to_vec(),
            path_display: "DCIM/1.jpg".into(),
            kind: "file".into(),
            size: 10,
            status: "hashed".into(),
            type_class: Some("image".into()),
            md5: Some("0".repeat(32)),
            picture: Some(Picture {
                format: "jpeg".into(),
                width: 64,
                height: 64,
                pdq: format!("{:064x}", 1),
                pdq_quality: 100,
                variants,
                ..Picture::default()
            }),
            ..NewFile::default()
        };
        case.write_batch(run.run_id, &Batch { files: vec![file], warnings: vec![] })?;
        case.end_run(run.run_id, &RunEnd::Completed)?;
        Ok(run.run_id)
    }

    fn seven() -> Vec<PdqVariant> {
        ["rotate90", "rotate180", "rotate270", "flipx", "flipy", "flipplus1", "flipminus1"]
            .iter()
            .enumerate()
            .map(|(i, v)| PdqVariant { variant: (*v).into(), pdq: format!("{:064x}", i + 2) })
            .collect()
    }

    /// A case of format 3 (no `pdq_variants`) opens, is upgraded to the
    /// current format in one audited step, still verifies (its run's
    /// digests are unchanged), reads its old pictures with no variants,
    /// and stores variants for pictures scanned after the upgrade.
    #[test]
    fn a_format_3_case_is_upgraded_and_keeps_verifying() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("case.spoor");
        let mut case = Case::create_upto(&path, &info(), "spoor old", 3)?;
        assert_eq!(case.format_version()?, 3);
        let old_run = picture_run(&mut case, "ITEM-1", vec![])?;
        let old = case.runs()?.into_iter().find(|r| r.run_id == old_run).ok_or("run")?;
        drop(case);
        // Read-only use of an old case asks for the upgrade.
        let refused = Case::open_read_only(&path).err().ok_or("an old case opened read-only")?;
        assert!(refused.to_string().contains("case format 3 is older"), "{refused}");

        let mut case = Case::open(&path)?;
        assert_eq!(case.format_version()?, FORMAT_VERSION);
        let names: Vec<String> = {
            let mut stmt = case.conn().prepare("SELECT name FROM schema_migrations ORDER BY version")?;
            stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        assert_eq!(names, ["initial", "metadata", "video", "pdq_variants"]);
        assert!(case.audit_log()?.iter().any(|e| e.action == "case.migrate" && e.details["version"] == 4));
        // The old run's digests recompute to what was recorded.
        assert_eq!(case.content_digest(old_run)?, old.content_digest.clone().ok_or("content digest")?);
        assert_eq!(case.rows_digest(old_run)?, old.rows_digest.clone().ok_or("rows digest")?);
        let files = case.triage_files()?;
        assert_eq!(files.len(), 1);
        assert!(files[0].pdq.is_some() && files[0].pdq_variants.is_empty());

        // A picture scanned now keeps its seven variants, sealed and verified.
        let new_run = picture_run(&mut case, "ITEM-2", seven())?;
        let count: i64 = case.conn().query_row("SELECT COUNT(*) FROM pdq_variants WHERE run_id = ?1", [new_run], |r| r.get(0))?;
        assert_eq!(count, 7);
        let files = case.triage_files()?;
        let new = files.iter().find(|f| f.evidence_id == "ITEM-2").ok_or("ITEM-2")?;
        assert_eq!(new.pdq_variants, seven());
        assert!(files.iter().find(|f| f.evidence_id == "ITEM-1").is_some_and(|f| f.pdq_variants.is_empty()));
        // The variants are part of what the run found.
        let digest = case.content_digest(new_run)?;
        case.conn().execute("UPDATE pdq_variants SET pdq = ?1 WHERE variant = 'flipy'", [format!("{:064x}", 99)])?;
        assert_ne!(case.content_digest(new_run)?, digest);
        case.conn().execute("UPDATE pdq_variants SET pdq = ?1 WHERE variant = 'flipy'", [format!("{:064x}", 6)])?;
        drop(case);
        let report = verify::verify_with(&path, &verify::VerifyOptions::default())?;
        assert!(report.is_intact(), "{:?}", report.problems);
        assert_eq!(report.format_version, Some(FORMAT_VERSION));
        assert_eq!(report.rows.get("pdq_variants"), Some(&7));
        Ok(())
    }

    /// Only the seven names PDQ hits use are stored.
    #[test]
    fn an_unknown_variant_name_is_refused() -> TestResult {
        let dir = tempfile::tempdir()?;
        let mut case = Case::create(&dir.path().join("case.spoor"), &info(), "spoor test")?;
        let bad = vec![PdqVariant { variant: "original".into(), pdq: "0".repeat(64) }];
        assert!(picture_run(&mut case, "ITEM-1", bad).is_err());
        Ok(())
    }
}
