//! What the case records, and the typed ways to write and read it.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Case, Error, Result, utc};

/// A hash the examiner supplies for an evidence item (of the image or disk
/// it was mounted from), e.g. `sha256:<hex>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AcquisitionHash {
    pub algorithm: String,
    pub value: String,
    /// Whether Spoor could check it: a mounted folder cannot be, so it is
    /// recorded as supplied.
    pub verified: Option<bool>,
}

impl std::str::FromStr for AcquisitionHash {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let (algo, value) =
            s.split_once(':').ok_or_else(|| Error::Invalid(format!("acquisition hash {s:?} is not ALGORITHM:HEX")))?;
        let algorithm = algo.trim().to_lowercase().replace('-', "");
        let len = match algorithm.as_str() {
            "md5" => 32,
            "sha1" => 40,
            "sha256" => 64,
            "sha512" => 128,
            other => return Err(Error::Invalid(format!("acquisition hash algorithm {other:?}: use md5, sha1, sha256 or sha512"))),
        };
        let value = value.trim().to_lowercase();
        if value.len() != len || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Invalid(format!("acquisition hash {s:?}: {algorithm} takes {len} hexadecimal digits")));
        }
        Ok(AcquisitionHash { algorithm, value, verified: None })
    }
}

/// An evidence item to register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvidence {
    pub evidence_id: String,
    pub description: String,
    /// The mounted folder, raw path bytes.
    pub source_path: Vec<u8>,
    pub acquisition_hashes: Vec<AcquisitionHash>,
}

/// An evidence item as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvidenceItem {
    #[serde(skip)]
    pub row_id: i64,
    pub evidence_id: String,
    pub description: String,
    #[serde(skip)]
    pub source_path: Vec<u8>,
    #[serde(rename = "source_path")]
    pub source_path_display: String,
    pub acquisition_hashes: Vec<AcquisitionHash>,
    pub added_utc: String,
    pub added_by: String,
}

/// A hash set as the case records it when a scan uses it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HashSetRecord {
    /// The library's stable id for this import.
    pub set_uid: String,
    pub name: String,
    pub version: Option<String>,
    pub kind: String,
    pub format: String,
    /// The category scheme of the set (VICS US, CAID, custom), when it has one.
    pub profile: Option<String>,
    /// The importer that built the library's tables (crate and version).
    pub importer_version: String,
    pub source_name: String,
    pub source_sha256: String,
    pub record_count: u64,
    pub digest_counts: serde_json::Value,
    pub imported_utc: String,
}

/// What is recorded when a scan run starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunStart {
    pub tool_name: String,
    pub tool_version: String,
    pub git_commit: String,
    pub host: String,
    pub settings: serde_json::Value,
    pub hashsets: Vec<HashSetRecord>,
}

/// A run to write into: its id and the case row id of each hash set, in the
/// order the run's matcher holds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunHandle {
    pub run_id: i64,
    pub hashset_rows: Vec<i64>,
    pub hashset_uids: Vec<String>,
}

/// One file-system entry found by a scan, with what the scan found.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct NewFile {
    pub evidence_row: i64,
    pub path: Vec<u8>,
    pub path_display: String,
    pub kind: String,
    pub size: u64,
    pub mtime_utc: Option<String>,
    pub atime_utc: Option<String>,
    pub ctime_utc: Option<String>,
    pub btime_utc: Option<String>,
    pub inode: u64,
    pub device: u64,
    pub mode: u32,
    pub link_target: Option<Vec<u8>>,
    pub file_type: Option<String>,
    pub type_class: Option<String>,
    pub ext_mismatch: bool,
    pub md5: Option<String>,
    pub sha1: Option<String>,
    pub sha256: Option<String>,
    pub known_good: bool,
    /// Case row id of the known-good set that listed the file.
    pub known_good_set: Option<i64>,
    pub picture: Option<Picture>,
    /// What the video stage found (videos only).
    pub video: Option<Box<crate::video::NewVideo>>,
    /// `hashed`, `not_read` (not a regular file) or `error`.
    pub status: String,
    pub noatime: bool,
    /// What the picture's (or video's) metadata says, for every picture
    /// the scan looked at (`file_metadata`).
    pub metadata: Option<crate::NewMetadata>,
    pub hits: Vec<NewHit>,
    pub warnings: Vec<NewWarning>,
}

/// What decoding a picture gave: its geometry and PDQ fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Picture {
    pub format: String,
    pub width: u32,
    pub height: u32,
    /// Frames in an animation (the first is fingerprinted).
    pub frames: Option<u32>,
    /// EXIF orientation tag (1–8), recorded, not applied.
    pub orientation: Option<u16>,
    /// PDQ hash, 64 lower-case hex digits.
    pub pdq: String,
    /// PDQ quality, 0–100.
    pub pdq_quality: u32,
    /// The PDQ of the picture's seven other dihedral variants (rotations
    /// and mirror images; `pdq` is the `original`), in the reference's
    /// order; empty when not computed. Stored in `pdq_variants`.
    #[serde(default)]
    pub variants: Vec<PdqVariant>,
}

/// One dihedral variant of a picture's PDQ, as `pdq_variants` stores it.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PdqVariant {
    /// The variant's name as PDQ hits record it (`rotate90`, `rotate180`,
    /// `rotate270`, `flipx`, `flipy`, `flipplus1`, `flipminus1`).
    pub variant: String,
    /// PDQ hash, 64 lower-case hex digits.
    pub pdq: String,
}

/// A match of a file against a hash set.
#[derive(Clone, Debug, PartialEq)]
pub struct NewHit {
    /// Case row id of the hash set (from [`RunHandle::hashset_rows`]).
    pub hashset_row: i64,
    pub method: String,
    pub distance: Option<u32>,
    pub category: Option<String>,
    /// The matched record, as JSON.
    pub record: serde_json::Value,
}

/// A recorded problem: what could not be done, where, and why.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NewWarning {
    pub evidence_row: i64,
    pub path: Vec<u8>,
    pub path_display: String,
    pub stage: String,
    pub reason: String,
}

/// What one commit of the scan writer holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Batch {
    pub files: Vec<NewFile>,
    /// Warnings not tied to a file record (a folder that cannot be listed).
    pub warnings: Vec<NewWarning>,
}

/// What a run already wrote, so a resumed run skips it.
#[derive(Clone, Debug, Default)]
pub struct Recorded {
    pub files: HashSet<(i64, Vec<u8>)>,
    pub warnings: HashSet<NewWarning>,
}

/// How a run ends (or pauses).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunEnd {
    Completed,
    Cancelled,
    Failed(String),
}

/// Totals of a run, counted from what it recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RunCounts {
    pub files: u64,
    pub bytes: u64,
    pub hits: u64,
    pub known_good: u64,
    pub warnings: u64,
}

/// A scan run and its current state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RunInfo {
    pub run_id: i64,
    pub started_utc: String,
    pub tool_name: String,
    pub tool_version: String,
    pub git_commit: String,
    pub host: String,
    pub settings: serde_json::Value,
    /// started, resumed, cancelled, failed or completed.
    pub state: String,
    pub ended_utc: Option<String>,
    pub counts: RunCounts,
    pub content_digest: Option<String>,
    pub rows_digest: Option<String>,
}

/// An examiner's review of a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Review {
    pub file_id: i64,
    /// The category the examiner assigned (raw value), or null to clear it.
    pub category: Option<String>,
    /// The category scheme the value belongs to (e.g. `vics-us`, `caid`).
    pub profile: Option<String>,
    pub note: String,
    pub examiner: String,
    pub time_utc: String,
}

/// One hit, joined with its file and hash set: the `spoor hits` contract.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HitView {
    /// The case's id of the file (what a review names).
    pub file_id: i64,
    pub evidence_id: String,
    /// The path relative to the evidence root, made readable
    /// ([`spoor_evidence`]'s display form: invalid bytes as `\xNN`).
    pub path: String,
    /// The exact path bytes, hex.
    pub path_hex: String,
    pub size: u64,
    pub md5: Option<String>,
    pub sha1: Option<String>,
    pub sha256: Option<String>,
    /// The file's PDQ fingerprint (pictures), and its quality.
    pub pdq: Option<String>,
    pub pdq_quality: Option<u32>,
    pub method: String,
    pub distance: Option<u32>,
    /// For a `pdq` hit: the dihedral variant of the picture that matched
    /// (`original`, `rotate90`, ..., `flipminus1`), from the `match` object
    /// the scan stores in the hit's record.
    #[serde(default)]
    pub variant: Option<String>,
    pub hashset: String,
    pub hashset_version: Option<String>,
    pub hashset_kind: String,
    pub category: Option<String>,
    pub record: serde_json::Value,
    pub file_type: Option<String>,
    pub extension_mismatch: bool,
    pub known_good: bool,
    pub mtime_utc: Option<String>,
    pub run_id: i64,
    /// The examiner's latest review of the file, if any.
    pub review: Option<Review>,
    /// For a hit found through a video's frames: both vPDQ percentages and
    /// the matched frame count (method `vpdq`), or the frame (method `pdq`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<crate::video::VideoMatch>,
}

/// One recorded warning: the `spoor warnings` contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WarningView {
    pub evidence_id: String,
    pub path: String,
    pub path_hex: String,
    pub stage: String,
    pub reason: String,
    pub time_utc: String,
    pub run_id: i64,
}

/// Rows of the latest run that touched each evidence item.
pub(crate) const LATEST: &str = "WITH latest AS (
    SELECT evidence_ref, MAX(run_id) AS run_id FROM (
        SELECT evidence_ref, run_id FROM files UNION ALL SELECT evidence_ref, run_id FROM warnings
    ) GROUP BY evidence_ref)";

impl Case {
    /// Registers an evidence item.
    pub fn add_evidence(&mut self, item: &NewEvidence) -> Result<EvidenceItem> {
        if item.evidence_id.trim().is_empty() {
            return Err(Error::Invalid("the evidence id must not be empty".into()));
        }
        if self.evidence_item(&item.evidence_id)?.is_some() {
            return Err(Error::DuplicateEvidence(item.evidence_id.clone()));
        }
        let actor = self.actor.clone();
        let hashes = serde_json::to_string(&item.acquisition_hashes)?;
        let display = spoor_display(&item.source_path);
        self.write("evidence.add", serde_json::json!({ "evidence_id": item.evidence_id, "source_path": display }), |tx| {
            tx.execute(
                "INSERT INTO evidence (evidence_id, description, source_path, source_path_display, acquisition_hashes, added_utc, added_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![item.evidence_id, item.description, item.source_path, display, hashes, utc::now(), actor],
            )?;
            Ok(())
        })?;
        self.evidence_item(&item.evidence_id)?.ok_or_else(|| Error::Internal("evidence row vanished".into()))
    }

    /// Every evidence item, in the order added.
    pub fn evidence(&self) -> Result<Vec<EvidenceItem>> {
        let mut stmt = self.conn().prepare(
            "SELECT id, evidence_id, description, source_path, source_path_display, acquisition_hashes, added_utc, added_by FROM evidence ORDER BY id",
        )?;
        let rows = stmt.query_map([], evidence_from_row)?;
        let mut out = Vec::new();
        for r in rows {
            let (mut item, hashes) = r?;
            item.acquisition_hashes = serde_json::from_str(&hashes)?;
            out.push(item);
        }
        Ok(out)
    }

    pub fn evidence_item(&self, evidence_id: &str) -> Result<Option<EvidenceItem>> {
        Ok(self.evidence()?.into_iter().find(|e| e.evidence_id == evidence_id))
    }

    /// Starts a scan run: records the hash sets it uses (once per import)
    /// and the run with its tool and settings.
    pub fn start_run(&mut self, start: &RunStart) -> Result<RunHandle> {
        if let Some(run) = self.resumable_run()? {
            return Err(Error::Invalid(format!("scan run {} has not finished; resume it first", run.run_id)));
        }
        let uids: Vec<String> = start.hashsets.iter().map(|h| h.set_uid.clone()).collect();
        let details = serde_json::json!({ "tool_version": start.tool_version, "git_commit": start.git_commit, "hashsets": uids, "settings": start.settings });
        let mut settings = start.settings.clone();
        if let Some(obj) = settings.as_object_mut() {
            obj.insert("hashset_uids".into(), serde_json::json!(uids));
        }
        let run_id = self.write("scan.start", details, |tx| {
            for set in &start.hashsets {
                tx.execute(
                    "INSERT OR IGNORE INTO hashsets (set_uid, name, version, kind, format, profile, importer_version, source_name, source_sha256, record_count, digest_counts, imported_utc, added_utc)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                    params![
                        set.set_uid, set.name, set.version, set.kind, set.format, set.profile, set.importer_version, set.source_name, set.source_sha256,
                        set.record_count as i64, set.digest_counts.to_string(), set.imported_utc, utc::now()
                    ],
                )?;
            }
            tx.execute(
                "INSERT INTO scan_runs (started_utc, tool_name, tool_version, git_commit, host, settings) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![utc::now(), start.tool_name, start.tool_version, start.git_commit, start.host, settings.to_string()],
            )?;
            let run_id = tx.last_insert_rowid();
            insert_event(tx, run_id, "started", &RunCounts::default(), None, None, None)?;
            Ok(run_id)
        })?;
        self.run_handle(run_id)
    }

    /// The run that has not completed, if any: it is resumed, not restarted.
    pub fn resumable_run(&self) -> Result<Option<RunInfo>> {
        Ok(self.runs()?.into_iter().rev().find(|r| r.state != "completed"))
    }

    /// Resumes an unfinished run (records a `resumed` event).
    pub fn resume_run(&mut self, run_id: i64) -> Result<RunHandle> {
        let counts = self.run_counts(run_id)?;
        self.write("scan.resume", serde_json::json!({ "run_id": run_id }), |tx| insert_event(tx, run_id, "resumed", &counts, None, None, None))?;
        self.run_handle(run_id)
    }

    fn run_handle(&self, run_id: i64) -> Result<RunHandle> {
        let settings: String = self.conn().query_row("SELECT settings FROM scan_runs WHERE id = ?1", [run_id], |r| r.get(0))?;
        let settings: serde_json::Value = serde_json::from_str(&settings)?;
        let uids: Vec<String> = settings
            .get("hashset_uids")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        let mut rows = Vec::new();
        for uid in &uids {
            rows.push(self.conn().query_row("SELECT id FROM hashsets WHERE set_uid = ?1", [uid], |r| r.get(0))?);
        }
        Ok(RunHandle { run_id, hashset_rows: rows, hashset_uids: uids })
    }

    /// What a run has already recorded.
    pub fn recorded(&self, run_id: i64) -> Result<Recorded> {
        let mut rec = Recorded::default();
        let mut stmt = self.conn().prepare("SELECT evidence_ref, path FROM files WHERE run_id = ?1")?;
        for r in stmt.query_map([run_id], |r| Ok((r.get(0)?, r.get(1)?)))? {
            rec.files.insert(r?);
        }
        let mut stmt = self.conn().prepare("SELECT evidence_ref, path, path_display, stage, reason FROM warnings WHERE run_id = ?1")?;
        for r in stmt.query_map([run_id], |r| {
            Ok(NewWarning { evidence_row: r.get(0)?, path: r.get(1)?, path_display: r.get(2)?, stage: r.get(3)?, reason: r.get(4)? })
        })? {
            rec.warnings.insert(r?);
        }
        Ok(rec)
    }

    /// Writes one batch of a run in one transaction, sealed by one audit
    /// entry.
    pub fn write_batch(&mut self, run_id: i64, batch: &Batch) -> Result<()> {
        if batch.files.is_empty() && batch.warnings.is_empty() {
            return Ok(());
        }
        let hits: usize = batch.files.iter().map(|f| f.hits.len()).sum();
        let details = serde_json::json!({ "run_id": run_id, "files": batch.files.len(), "hits": hits });
        self.write("scan.batch", details, |tx| {
            let now = utc::now();
            let mut file_stmt = tx.prepare_cached(
                "INSERT INTO files (run_id, evidence_ref, path, path_display, kind, size, mtime_utc, atime_utc, ctime_utc, btime_utc,
                    inode, device, mode, link_target, file_type, type_class, ext_mismatch, md5, sha1, sha256, known_good, known_good_set, status, noatime,
                    picture_format, width, height, frames, orientation, pdq, pdq_quality)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,
                    ?25, ?26, ?27, ?28, ?29, ?30, ?31)",
            )?;
            let mut hit_stmt = tx.prepare_cached(
                "INSERT INTO hits (run_id, file_id, hashset_id, method, distance, category, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let mut warn_stmt = tx.prepare_cached(
                "INSERT INTO warnings (run_id, evidence_ref, path, path_display, stage, reason, time_utc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for f in &batch.files {
                file_stmt.execute(params![
                    run_id,
                    f.evidence_row,
                    f.path,
                    f.path_display,
                    f.kind,
                    f.size as i64,
                    f.mtime_utc,
                    f.atime_utc,
                    f.ctime_utc,
                    f.btime_utc,
                    f.inode as i64,
                    f.device as i64,
                    f.mode,
                    f.link_target,
                    f.file_type,
                    f.type_class,
                    f.ext_mismatch,
                    f.md5,
                    f.sha1,
                    f.sha256,
                    f.known_good,
                    f.known_good_set,
                    f.status,
                    f.noatime,
                    f.picture.as_ref().map(|p| p.format.as_str()),
                    f.picture.as_ref().map(|p| p.width),
                    f.picture.as_ref().map(|p| p.height),
                    f.picture.as_ref().and_then(|p| p.frames),
                    f.picture.as_ref().and_then(|p| p.orientation),
                    f.picture.as_ref().map(|p| p.pdq.as_str()),
                    f.picture.as_ref().map(|p| p.pdq_quality)
                ])?;
                let file_id = tx.last_insert_rowid();
                for v in f.picture.iter().flat_map(|p| &p.variants) {
                    tx.prepare_cached("INSERT INTO pdq_variants (run_id, file_id, variant, pdq) VALUES (?1, ?2, ?3, ?4)")?
                        .execute(params![run_id, file_id, v.variant, v.pdq])?;
                }
                if let Some(m) = &f.metadata {
                    crate::metadata::insert(tx, run_id, file_id, m)?;
                }
                for h in &f.hits {
                    hit_stmt.execute(params![run_id, file_id, h.hashset_row, h.method, h.distance, h.category, h.record.to_string()])?;
                }
                for w in &f.warnings {
                    warn_stmt.execute(params![run_id, w.evidence_row, w.path, w.path_display, w.stage, w.reason, now])?;
                }
                crate::video::insert(tx, run_id, file_id, f)?;
            }
            for w in &batch.warnings {
                warn_stmt.execute(params![run_id, w.evidence_row, w.path, w.path_display, w.stage, w.reason, now])?;
            }
            Ok(())
        })
    }

    /// Ends (or pauses) a run. A completed run's event carries the content
    /// digest (reproducible: independent of thread count, order and resumes)
    /// and the rows digest (over every row the run wrote, exactly).
    pub fn end_run(&mut self, run_id: i64, end: &RunEnd) -> Result<RunInfo> {
        let counts = self.run_counts(run_id)?;
        let (event, message) = match end {
            RunEnd::Completed => ("completed", None),
            RunEnd::Cancelled => ("cancelled", None),
            RunEnd::Failed(m) => ("failed", Some(m.clone())),
        };
        let (content, rows) = if *end == RunEnd::Completed {
            (Some(self.content_digest(run_id)?), Some(self.rows_digest(run_id)?))
        } else {
            (None, None)
        };
        let details = serde_json::json!({
            "run_id": run_id, "outcome": event, "counts": counts, "content_digest": content, "rows_digest": rows, "message": message,
        });
        self.write(&format!("scan.{event}"), details, |tx| {
            insert_event(tx, run_id, event, &counts, content.as_deref(), rows.as_deref(), message.as_deref())
        })?;
        self.runs()?
            .into_iter()
            .find(|r| r.run_id == run_id)
            .ok_or_else(|| Error::Internal(format!("run {run_id} vanished")))
    }

    /// Totals of a run, counted from its rows.
    pub fn run_counts(&self, run_id: i64) -> Result<RunCounts> {
        let c = self.conn();
        let one = |sql: &str| -> Result<u64> { Ok(c.query_row(sql, [run_id], |r| r.get::<_, i64>(0))?.max(0) as u64) };
        Ok(RunCounts {
            files: one("SELECT COUNT(*) FROM files WHERE run_id = ?1")?,
            bytes: one("SELECT COALESCE(SUM(size), 0) FROM files WHERE run_id = ?1 AND status = 'hashed'")?,
            hits: one("SELECT COUNT(*) FROM hits WHERE run_id = ?1")?,
            known_good: one("SELECT COUNT(*) FROM files WHERE run_id = ?1 AND known_good = 1")?,
            warnings: one("SELECT COUNT(*) FROM warnings WHERE run_id = ?1")?,
        })
    }

    /// Every run, oldest first, with its latest state.
    pub fn runs(&self) -> Result<Vec<RunInfo>> {
        let mut stmt = self.conn().prepare(
            "SELECT r.id, r.started_utc, r.tool_name, r.tool_version, r.git_commit, r.host, r.settings,
                    e.event, e.time_utc, e.files, e.bytes, e.hits, e.known_good, e.warnings, e.content_digest, e.rows_digest
             FROM scan_runs r JOIN scan_run_events e ON e.id = (SELECT MAX(id) FROM scan_run_events WHERE run_id = r.id)
             ORDER BY r.id",
        )?;
        let rows = stmt.query_map([], |r| {
            let state: String = r.get(7)?;
            let ended: String = r.get(8)?;
            Ok((
                RunInfo {
                    run_id: r.get(0)?,
                    started_utc: r.get(1)?,
                    tool_name: r.get(2)?,
                    tool_version: r.get(3)?,
                    git_commit: r.get(4)?,
                    host: r.get(5)?,
                    settings: serde_json::Value::Null,
                    ended_utc: matches!(state.as_str(), "completed" | "cancelled" | "failed").then_some(ended),
                    state,
                    counts: RunCounts {
                        files: r.get::<_, i64>(9)? as u64,
                        bytes: r.get::<_, i64>(10)? as u64,
                        hits: r.get::<_, i64>(11)? as u64,
                        known_good: r.get::<_, i64>(12)? as u64,
                        warnings: r.get::<_, i64>(13)? as u64,
                    },
                    content_digest: r.get(14)?,
                    rows_digest: r.get(15)?,
                },
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (mut info, settings) = r?;
            info.settings = serde_json::from_str(&settings)?;
            out.push(info);
        }
        Ok(out)
    }

    /// Hits of the latest run that scanned each evidence item, ordered by
    /// evidence item, path, hash set and method.
    pub fn hits(&self) -> Result<Vec<HitView>> {
        let sql = format!(
            "{LATEST}
             SELECT ev.evidence_id, f.path, f.size, f.md5, f.sha1, f.sha256, h.method, h.distance, s.name, s.version, s.kind,
                    h.category, h.record, f.file_type, f.ext_mismatch, f.known_good, f.mtime_utc, h.run_id, f.id, f.pdq, f.pdq_quality, h.id
             FROM hits h
             JOIN files f ON f.id = h.file_id
             JOIN evidence ev ON ev.id = f.evidence_ref
             JOIN hashsets s ON s.id = h.hashset_id
             JOIN latest l ON l.evidence_ref = f.evidence_ref AND l.run_id = h.run_id
             ORDER BY ev.id, f.path, s.name, s.version, h.method, h.record"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([], |r| {
            let path: Vec<u8> = r.get(1)?;
            Ok((
                HitView {
                    evidence_id: r.get(0)?,
                    path: spoor_display(&path),
                    path_hex: hex::encode(&path),
                    size: r.get::<_, i64>(2)? as u64,
                    md5: r.get(3)?,
                    sha1: r.get(4)?,
                    sha256: r.get(5)?,
                    method: r.get(6)?,
                    distance: r.get(7)?,
                    variant: None,
                    hashset: r.get(8)?,
                    hashset_version: r.get(9)?,
                    hashset_kind: r.get(10)?,
                    category: r.get(11)?,
                    record: serde_json::Value::Null,
                    file_type: r.get(13)?,
                    extension_mismatch: r.get(14)?,
                    known_good: r.get(15)?,
                    mtime_utc: r.get(16)?,
                    run_id: r.get(17)?,
                    file_id: r.get(18)?,
                    pdq: r.get(19)?,
                    pdq_quality: r.get(20)?,
                    review: None,
                    video: None,
                },
                r.get::<_, String>(12)?,
                r.get::<_, i64>(21)?,
            ))
        })?;
        let reviews = self.latest_reviews()?;
        let mut video = self.video_matches()?;
        let mut out = Vec::new();
        for r in rows {
            let (mut hit, record, hit_id) = r?;
            hit.record = serde_json::from_str(&record)?;
            hit.variant = hit.record.pointer("/match/variant").and_then(|v| v.as_str()).map(String::from);
            hit.review = reviews.get(&hit.file_id).cloned();
            hit.video = video.remove(&hit_id);
            out.push(hit);
        }
        Ok(out)
    }

    /// Records an examiner's review of a file (a new row: earlier reviews
    /// stay on record).
    pub fn add_review(&mut self, file_id: i64, category: Option<&str>, profile: Option<&str>, note: &str) -> Result<Review> {
        let exists: Option<i64> = self.conn().query_row("SELECT id FROM files WHERE id = ?1", [file_id], |r| r.get(0)).optional()?;
        if exists.is_none() {
            return Err(Error::Invalid(format!("no file with id {file_id} in this case")));
        }
        let examiner = self.actor.clone();
        let time = utc::now();
        let details = serde_json::json!({ "file_id": file_id, "category": category, "profile": profile, "note": note });
        self.write("review.add", details, |tx| {
            tx.execute(
                "INSERT INTO reviews (file_id, category, profile, note, examiner, time_utc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![file_id, category, profile, note, examiner, time],
            )?;
            Ok(())
        })?;
        Ok(Review {
            file_id,
            category: category.map(String::from),
            profile: profile.map(String::from),
            note: note.to_string(),
            examiner,
            time_utc: time,
        })
    }

    /// Every review of a file, oldest first.
    pub fn reviews(&self, file_id: i64) -> Result<Vec<Review>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT file_id, category, profile, note, examiner, time_utc FROM reviews WHERE file_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([file_id], review_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The latest review of every reviewed file.
    pub fn latest_reviews(&self) -> Result<std::collections::HashMap<i64, Review>> {
        let mut stmt = self.conn().prepare(
            "SELECT file_id, category, profile, note, examiner, time_utc FROM reviews
             WHERE id IN (SELECT MAX(id) FROM reviews GROUP BY file_id)",
        )?;
        let rows = stmt.query_map([], review_from_row)?;
        let mut out = std::collections::HashMap::new();
        for r in rows {
            let review = r?;
            out.insert(review.file_id, review);
        }
        Ok(out)
    }

    /// Warnings of the latest run that scanned each evidence item.
    pub fn warnings(&self) -> Result<Vec<WarningView>> {
        let sql = format!(
            "{LATEST}
             SELECT ev.evidence_id, w.path, w.stage, w.reason, w.time_utc, w.run_id
             FROM warnings w
             JOIN evidence ev ON ev.id = w.evidence_ref
             JOIN latest l ON l.evidence_ref = w.evidence_ref AND l.run_id = w.run_id
             ORDER BY ev.id, w.path, w.stage, w.reason"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([], |r| {
            let path: Vec<u8> = r.get(1)?;
            Ok(WarningView {
                evidence_id: r.get(0)?,
                path: spoor_display(&path),
                path_hex: hex::encode(&path),
                stage: r.get(2)?,
                reason: r.get(3)?,
                time_utc: r.get(4)?,
                run_id: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Number of files a run set aside as known-good, and other totals, for
    /// the latest run per evidence item.
    pub fn file_count(&self, run_id: i64) -> Result<u64> {
        Ok(self.run_counts(run_id)?.files)
    }

    /// A digest over what a run found, independent of row ids, insertion
    /// order, thread count and resumes: files ordered by evidence item and
    /// path bytes with their metadata, digests and verdicts; each file's
    /// hits ordered by hash set, method and record; then the warnings,
    /// ordered.
    pub fn content_digest(&self, run_id: i64) -> Result<String> {
        let c = self.conn();
        let mut h = Sha256::new();
        let put = crate::video::put;
        let mut files = c.prepare(
            "SELECT f.id, ev.evidence_id, f.path, f.kind, f.size, f.mtime_utc, f.ctime_utc, f.btime_utc, f.inode, f.mode,
                    f.link_target, f.file_type, f.ext_mismatch, f.md5, f.sha1, f.sha256, f.known_good, f.status,
                    (SELECT set_uid FROM hashsets WHERE id = f.known_good_set),
                    f.picture_format, f.width, f.height, f.frames, f.orientation, f.pdq, f.pdq_quality
             FROM files f JOIN evidence ev ON ev.id = f.evidence_ref WHERE f.run_id = ?1 ORDER BY ev.evidence_id, f.path",
        )?;
        let mut hits = c.prepare(
            "SELECT s.set_uid, h.method, h.distance, h.category, h.record FROM hits h JOIN hashsets s ON s.id = h.hashset_id
             WHERE h.file_id = ?1 ORDER BY s.set_uid, h.method, h.record",
        )?;
        let mut meta = c.prepare(crate::metadata::CONTENT_SQL)?;
        // Not there in a case being brought to format 4 (tests of the
        // upgrade path write format-3 runs).
        let mut variants = if crate::audit::content_columns(c, "pdq_variants")?.is_empty() {
            None
        } else {
            Some(c.prepare("SELECT variant, pdq FROM pdq_variants WHERE file_id = ?1 ORDER BY variant")?)
        };
        let mut rows = files.query([run_id])?;
        while let Some(row) = rows.next()? {
            h.update(b"F");
            for i in 1..26 {
                put(&mut h, row.get_ref(i)?);
            }
            let file_id: i64 = row.get(0)?;
            let mut hr = hits.query([file_id])?;
            while let Some(hit) = hr.next()? {
                h.update(b"H");
                for i in 0..5 {
                    put(&mut h, hit.get_ref(i)?);
                }
            }
            // Files without metadata add nothing, so runs recorded before
            // format 2 keep their digest.
            let mut mr = meta.query([file_id])?;
            while let Some(m) = mr.next()? {
                h.update(b"M");
                for i in 0..crate::metadata::CONTENT_COLUMNS {
                    put(&mut h, m.get_ref(i)?);
                }
            }
            drop(hr);
            // Likewise a picture without stored variants (format 3 and
            // before) adds nothing.
            if let Some(variants) = variants.as_mut() {
                let mut vr = variants.query([file_id])?;
                while let Some(v) = vr.next()? {
                    h.update(b"P");
                    for i in 0..2 {
                        put(&mut h, v.get_ref(i)?);
                    }
                }
            }
            crate::video::digest_file(c, file_id, &mut h)?;
        }
        drop(rows);
        let mut warns = c.prepare(
            "SELECT ev.evidence_id, w.path, w.stage, w.reason FROM warnings w JOIN evidence ev ON ev.id = w.evidence_ref
             WHERE w.run_id = ?1 ORDER BY ev.evidence_id, w.path, w.stage, w.reason",
        )?;
        let mut rows = warns.query([run_id])?;
        while let Some(row) = rows.next()? {
            h.update(b"W");
            for i in 0..4 {
                put(&mut h, row.get_ref(i)?);
            }
        }
        Ok(hex::encode(h.finalize()))
    }

    /// A digest over every row a run wrote (files, hits, warnings,
    /// file_metadata, the video tables, pdq_variants), exactly as stored,
    /// in id order: it pins the rows themselves. A table the run wrote no
    /// row to (file_metadata before case format 2, pdq_variants before
    /// format 4, or a run that met no picture) is left out, so older runs
    /// digest as they did before.
    pub fn rows_digest(&self, run_id: i64) -> Result<String> {
        let mut h = Sha256::new();
        let video_tables = crate::video::tables_of_run(self.conn(), run_id)?;
        for table in ["files", "hits", "warnings", "file_metadata"].into_iter().chain(video_tables).chain(["pdq_variants"]) {
            if table == "pdq_variants" && crate::audit::content_columns(self.conn(), table)?.is_empty() {
                continue;
            }
            if table == "file_metadata" || table == "pdq_variants" {
                let any: Option<i64> = self
                    .conn()
                    .query_row(&format!("SELECT id FROM {table} WHERE run_id = ?1 LIMIT 1"), [run_id], |r| r.get(0))
                    .optional()?;
                if any.is_none() {
                    continue;
                }
            }
            let mut stmt = self.conn().prepare(&format!("SELECT id, row_hash FROM {table} WHERE run_id = ?1 ORDER BY id"))?;
            let mut rows = stmt.query([run_id])?;
            h.update(table.as_bytes());
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let row_hash: Option<String> = r.get(1)?;
                h.update(id.to_be_bytes());
                h.update(row_hash.unwrap_or_default().as_bytes());
            }
        }
        Ok(hex::encode(h.finalize()))
    }

    /// The id of the hash-set row with this library uid, if the case has it.
    pub fn hashset_row(&self, set_uid: &str) -> Result<Option<i64>> {
        Ok(self.conn().query_row("SELECT id FROM hashsets WHERE set_uid = ?1", [set_uid], |r| r.get(0)).optional()?)
    }

    /// The hash sets this case has used.
    pub fn hashsets(&self) -> Result<Vec<HashSetRecord>> {
        let mut stmt = self.conn().prepare(
            "SELECT set_uid, name, version, kind, format, source_name, source_sha256, record_count, digest_counts, imported_utc, profile, importer_version FROM hashsets ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                HashSetRecord {
                    set_uid: r.get(0)?,
                    name: r.get(1)?,
                    version: r.get(2)?,
                    kind: r.get(3)?,
                    format: r.get(4)?,
                    source_name: r.get(5)?,
                    source_sha256: r.get(6)?,
                    record_count: r.get::<_, i64>(7)? as u64,
                    digest_counts: serde_json::Value::Null,
                    imported_utc: r.get(9)?,
                    profile: r.get(10)?,
                    importer_version: r.get(11)?,
                },
                r.get::<_, String>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (mut rec, counts) = r?;
            rec.digest_counts = serde_json::from_str(&counts)?;
            out.push(rec);
        }
        Ok(out)
    }
}

fn insert_event(
    tx: &rusqlite::Transaction<'_>,
    run_id: i64,
    event: &str,
    counts: &RunCounts,
    content: Option<&str>,
    rows: Option<&str>,
    message: Option<&str>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO scan_run_events (run_id, time_utc, event, files, bytes, hits, known_good, warnings, content_digest, rows_digest, message)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            run_id,
            utc::now(),
            event,
            counts.files as i64,
            counts.bytes as i64,
            counts.hits as i64,
            counts.known_good as i64,
            counts.warnings as i64,
            content,
            rows,
            message
        ],
    )?;
    Ok(())
}

fn review_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Review> {
    Ok(Review {
        file_id: r.get(0)?,
        category: r.get(1)?,
        profile: r.get(2)?,
        note: r.get(3)?,
        examiner: r.get(4)?,
        time_utc: r.get(5)?,
    })
}

fn evidence_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(EvidenceItem, String)> {
    Ok((
        EvidenceItem {
            row_id: r.get(0)?,
            evidence_id: r.get(1)?,
            description: r.get(2)?,
            source_path: r.get(3)?,
            source_path_display: r.get(4)?,
            acquisition_hashes: Vec::new(),
            added_utc: r.get(6)?,
            added_by: r.get(7)?,
        },
        r.get(5)?,
    ))
}

use spoor_evidence::display_path as spoor_display;
