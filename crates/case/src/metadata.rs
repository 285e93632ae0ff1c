//! Picture and video metadata (`file_metadata`), evidence dates
//! (`evidence_dates`), and the flat per-file view that triage reads.
//!
//! The case does not interpret metadata: the scan gives it the JSON of
//! `spoor-metadata`'s record plus the flat fields reports and queries use,
//! and the camera-original verdict with its reasons.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::records::LATEST;
use crate::{Case, Error, Result, utc};

/// What the scan read from one file's metadata, written with its `files`
/// row (see [`crate::NewFile::metadata`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewMetadata {
    /// `present`, `absent` or `damaged`.
    pub state: String,
    /// `exif` or `container`, when present.
    pub origin: Option<String>,
    /// The JSON of the full record, when present.
    pub metadata: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub software: Option<String>,
    /// Capture time as the camera's clock showed it (`YYYY-MM-DDTHH:MM:SS`).
    pub capture_local: Option<String>,
    /// Its UTC offset (`+02:00`), when recorded.
    pub capture_offset: Option<String>,
    /// The capture instant in UTC, when the offset is known.
    pub capture_utc: Option<String>,
    /// Seconds since the Unix epoch (the local time read as UTC when no
    /// offset is known).
    pub capture_unix: Option<i64>,
    pub gps_latitude: Option<f64>,
    pub gps_longitude: Option<f64>,
    pub gps_altitude: Option<f64>,
    pub camera_original: bool,
    /// Why the file is, or is not, a camera original.
    pub verdict_reasons: Vec<String>,
}

/// A `file_metadata` row as stored, with its file id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileMetadataRow {
    pub file_id: i64,
    #[serde(flatten)]
    pub metadata: NewMetadata,
}

/// A date of an evidence item, as the examiner stated it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceDate {
    pub evidence_id: String,
    /// `seizure` or `acquisition`.
    pub kind: String,
    /// RFC 3339 in UTC, `Z`.
    pub utc: String,
    pub added_utc: String,
    pub added_by: String,
}

/// An alert hit of a file, with its set's category profile and the
/// examiner's latest review (which wins over the set's category).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageHit {
    pub category: Option<String>,
    pub profile: Option<String>,
}

/// One file of the latest run of its evidence item, with what triage needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TriageFileRow {
    pub file_id: i64,
    pub evidence_id: String,
    pub path: String,
    pub size: u64,
    pub type_class: Option<String>,
    pub file_type: Option<String>,
    pub md5: Option<String>,
    pub sha1: Option<String>,
    pub sha256: Option<String>,
    pub pdq: Option<String>,
    pub pdq_quality: Option<u32>,
    pub known_good: bool,
    /// Alert hits (categories as reviewed when the file was reviewed).
    pub hits: Vec<TriageHit>,
    /// The examiner's latest review category, reviewed or not as known.
    pub review_category: Option<String>,
    pub review_profile: Option<String>,
    pub metadata: Option<NewMetadata>,
    /// A picture's seven other dihedral variants (`pdq_variants`); empty
    /// for a picture scanned before case format 4, and for videos.
    #[serde(default)]
    pub pdq_variants: Vec<crate::PdqVariant>,
}

const METADATA_COLUMNS: &str = "m.state, m.origin, m.metadata, m.make, m.model, m.serial, m.software, m.capture_local, m.capture_offset, \
     m.capture_utc, m.capture_unix, m.gps_latitude, m.gps_longitude, m.gps_altitude, m.camera_original, m.verdict_reasons";

/// Reads [`METADATA_COLUMNS`] starting at column `at`.
fn metadata_from_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Option<NewMetadata>> {
    let Some(state) = r.get::<_, Option<String>>(at)? else {
        return Ok(None);
    };
    let reasons: String = r.get(at + 15)?;
    Ok(Some(NewMetadata {
        state,
        origin: r.get(at + 1)?,
        metadata: r.get(at + 2)?,
        make: r.get(at + 3)?,
        model: r.get(at + 4)?,
        serial: r.get(at + 5)?,
        software: r.get(at + 6)?,
        capture_local: r.get(at + 7)?,
        capture_offset: r.get(at + 8)?,
        capture_utc: r.get(at + 9)?,
        capture_unix: r.get(at + 10)?,
        gps_latitude: r.get(at + 11)?,
        gps_longitude: r.get(at + 12)?,
        gps_altitude: r.get(at + 13)?,
        camera_original: r.get(at + 14)?,
        verdict_reasons: serde_json::from_str(&reasons).unwrap_or_else(|_| vec![reasons.clone()]),
    }))
}

/// Inserts the metadata row of a file just inserted (same transaction).
pub(crate) fn insert(tx: &rusqlite::Transaction<'_>, run_id: i64, file_id: i64, m: &NewMetadata) -> Result<()> {
    if !matches!(m.state.as_str(), "present" | "absent" | "damaged") {
        return Err(Error::Invalid(format!("metadata state {:?}: use present, absent or damaged", m.state)));
    }
    let reasons = serde_json::to_string(&m.verdict_reasons)?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO file_metadata (file_id, run_id, state, origin, metadata, make, model, serial, software, capture_local, capture_offset,
            capture_utc, capture_unix, gps_latitude, gps_longitude, gps_altitude, camera_original, verdict_reasons)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?;
    stmt.execute(params![
        file_id,
        run_id,
        m.state,
        m.origin,
        m.metadata,
        m.make,
        m.model,
        m.serial,
        m.software,
        m.capture_local,
        m.capture_offset,
        m.capture_utc,
        m.capture_unix,
        m.gps_latitude,
        m.gps_longitude,
        m.gps_altitude,
        m.camera_original,
        reasons
    ])?;
    Ok(())
}

/// The `file_metadata` columns that go into a run's content digest, for
/// the file `?1`, in a fixed order.
pub(crate) const CONTENT_SQL: &str = "SELECT state, origin, metadata, make, model, serial, software, capture_local, capture_offset, capture_utc,
        capture_unix, gps_latitude, gps_longitude, gps_altitude, camera_original, verdict_reasons
     FROM file_metadata WHERE file_id = ?1";

/// Number of columns [`CONTENT_SQL`] selects.
pub(crate) const CONTENT_COLUMNS: usize = 16;

impl Case {
    /// The metadata the scan recorded for a file, if any.
    pub fn file_metadata(&self, file_id: i64) -> Result<Option<FileMetadataRow>> {
        let sql = format!("SELECT {METADATA_COLUMNS} FROM file_metadata m WHERE m.file_id = ?1");
        let row = self.conn().query_row(&sql, [file_id], |r| metadata_from_row(r, 0)).optional()?.flatten();
        Ok(row.map(|metadata| FileMetadataRow { file_id, metadata }))
    }

    /// The metadata of every file of the latest run per evidence item, by
    /// file id.
    pub fn latest_metadata(&self) -> Result<HashMap<i64, NewMetadata>> {
        let sql = format!(
            "{LATEST}
             SELECT m.file_id, {METADATA_COLUMNS} FROM file_metadata m
             JOIN files f ON f.id = m.file_id
             JOIN latest l ON l.evidence_ref = f.evidence_ref AND l.run_id = f.run_id"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, metadata_from_row(r, 1)?)))?;
        let mut out = HashMap::new();
        for r in rows {
            if let (id, Some(m)) = r? {
                out.insert(id, m);
            }
        }
        Ok(out)
    }

    /// Records when an evidence item was seized or acquired (a new row:
    /// the latest per item and kind wins). `utc` must be RFC 3339; it is
    /// stored in UTC with `Z`.
    pub fn add_evidence_date(&mut self, evidence_id: &str, kind: &str, when: &str) -> Result<EvidenceDate> {
        if !matches!(kind, "seizure" | "acquisition") {
            return Err(Error::Invalid(format!("evidence date kind {kind:?}: use seizure or acquisition")));
        }
        let item = self
            .evidence_item(evidence_id)?
            .ok_or_else(|| Error::Invalid(format!("no evidence item {evidence_id:?} in this case")))?;
        let utc_text = utc::parse_to_utc(when)
            .ok_or_else(|| Error::Invalid(format!("{kind} date {when:?} is not an RFC 3339 time (e.g. 2024-05-20T09:00:00Z)")))?;
        let actor = self.actor.clone();
        let added = utc::now();
        let details = serde_json::json!({ "evidence_id": evidence_id, "kind": kind, "utc": utc_text });
        self.write("evidence.date", details, |tx| {
            tx.execute(
                "INSERT INTO evidence_dates (evidence_ref, kind, utc, added_utc, added_by) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![item.row_id, kind, utc_text, added, actor],
            )?;
            Ok(())
        })?;
        Ok(EvidenceDate { evidence_id: evidence_id.to_string(), kind: kind.to_string(), utc: utc_text, added_utc: added, added_by: actor })
    }

    /// The latest seizure and acquisition date of every evidence item that
    /// has one, in evidence order, seizure first.
    pub fn evidence_dates(&self) -> Result<Vec<EvidenceDate>> {
        let mut stmt = self.conn().prepare(
            "SELECT ev.evidence_id, d.kind, d.utc, d.added_utc, d.added_by FROM evidence_dates d
             JOIN evidence ev ON ev.id = d.evidence_ref
             WHERE d.id IN (SELECT MAX(id) FROM evidence_dates GROUP BY evidence_ref, kind)
             ORDER BY ev.id, d.kind DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(EvidenceDate { evidence_id: r.get(0)?, kind: r.get(1)?, utc: r.get(2)?, added_utc: r.get(3)?, added_by: r.get(4)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every file of the latest run per evidence item, with its alert hits
    /// (category and set profile; the examiner's latest review in their
    /// place when the file was reviewed) and its metadata: what triage
    /// reads. Ordered by evidence item and path.
    pub fn triage_files(&self) -> Result<Vec<TriageFileRow>> {
        let sql = format!(
            "{LATEST}
             SELECT f.id, ev.evidence_id, f.path, f.size, f.type_class, f.file_type, f.md5, f.sha1, f.sha256, f.pdq, f.pdq_quality,
                    f.known_good, {METADATA_COLUMNS}
             FROM files f
             JOIN evidence ev ON ev.id = f.evidence_ref
             JOIN latest l ON l.evidence_ref = f.evidence_ref AND l.run_id = f.run_id
             LEFT JOIN file_metadata m ON m.file_id = f.id
             WHERE f.kind = 'file'
             ORDER BY ev.id, f.path"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([], |r| {
            let path: Vec<u8> = r.get(2)?;
            Ok(TriageFileRow {
                file_id: r.get(0)?,
                evidence_id: r.get(1)?,
                path: spoor_evidence::display_path(&path),
                size: r.get::<_, i64>(3)?.max(0) as u64,
                type_class: r.get(4)?,
                file_type: r.get(5)?,
                md5: r.get(6)?,
                sha1: r.get(7)?,
                sha256: r.get(8)?,
                pdq: r.get(9)?,
                pdq_quality: r.get(10)?,
                known_good: r.get(11)?,
                hits: Vec::new(),
                review_category: None,
                review_profile: None,
                metadata: metadata_from_row(r, 12)?,
                pdq_variants: Vec::new(),
            })
        })?;
        let mut files = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        let mut hits: HashMap<i64, Vec<TriageHit>> = HashMap::new();
        let hit_sql = format!(
            "{LATEST}
             SELECT h.file_id, h.category, s.profile FROM hits h
             JOIN files f ON f.id = h.file_id
             JOIN hashsets s ON s.id = h.hashset_id
             JOIN latest l ON l.evidence_ref = f.evidence_ref AND l.run_id = h.run_id
             WHERE s.kind = 'alert'
             ORDER BY h.file_id, h.id"
        );
        let mut stmt = self.conn().prepare(&hit_sql)?;
        for r in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, TriageHit { category: r.get(1)?, profile: r.get(2)? })))? {
            let (id, hit) = r?;
            hits.entry(id).or_default().push(hit);
        }
        let mut variants: HashMap<i64, Vec<crate::PdqVariant>> = HashMap::new();
        let variant_sql = format!(
            "{LATEST}
             SELECT v.file_id, v.variant, v.pdq FROM pdq_variants v
             JOIN files f ON f.id = v.file_id
             JOIN latest l ON l.evidence_ref = f.evidence_ref AND l.run_id = v.run_id
             ORDER BY v.file_id, v.id"
        );
        let mut stmt = self.conn().prepare(&variant_sql)?;
        for r in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, crate::PdqVariant { variant: r.get(1)?, pdq: r.get(2)? })))? {
            let (id, v) = r?;
            variants.entry(id).or_default().push(v);
        }
        let reviews = self.latest_reviews()?;
        for f in &mut files {
            f.pdq_variants = variants.remove(&f.file_id).unwrap_or_default();
            let review = reviews.get(&f.file_id);
            f.review_category = review.and_then(|r| r.category.clone());
            f.review_profile = review.and_then(|r| r.profile.clone());
            if let Some(h) = hits.remove(&f.file_id) {
                f.hits = match review {
                    // The examiner's verdict stands for every hit of the file.
                    Some(r) if r.category.is_some() => h.iter().map(|_| TriageHit { category: r.category.clone(), profile: r.profile.clone() }).collect(),
                    _ => h,
                };
            }
        }
        Ok(files)
    }
}
