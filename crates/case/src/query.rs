//! Read queries for interactive front ends (the desktop app): paged,
//! filtered and sorted hits, hits per category per evidence item, one
//! file's every detail, and where a file is on this machine.
//!
//! Everything here reads; nothing writes. The filters mirror the report's
//! (`category` matches the examiner's reviewed category when there is one,
//! else the hash set's; `uncategorised` matches neither), so what the hits
//! screen shows is what a report with the same filters lists.

use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::records::LATEST;
use crate::{Case, Error, Result, Review};

/// Largest page [`Case::query_hits`] returns.
pub const MAX_PAGE: u32 = 5_000;

/// Columns the hits can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum HitSort {
    /// Evidence item, then path (the `spoor hits` order).
    #[default]
    Path,
    Size,
    Method,
    Distance,
    Hashset,
    Category,
    Reviewed,
    Modified,
}

impl HitSort {
    fn sql(self) -> &'static str {
        match self {
            HitSort::Path => "ev.id {dir}, f.path {dir}",
            HitSort::Size => "f.size {dir}",
            HitSort::Method => "h.method {dir}",
            HitSort::Distance => "COALESCE(h.distance, -1) {dir}",
            HitSort::Hashset => "s.name {dir}, s.version {dir}",
            HitSort::Category => "COALESCE(rv.category, h.category) {dir}",
            HitSort::Reviewed => "(rv.id IS NOT NULL) {dir}",
            HitSort::Modified => "f.mtime_utc {dir}",
        }
    }
}

/// Which hits to show, in which order, and which page of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct HitQuery {
    /// Only these evidence items (ids); empty = all.
    pub evidence: Vec<String>,
    /// Only these categories (raw values, or `uncategorised`); the
    /// examiner's reviewed category wins over the hash set's. Empty = all.
    pub category: Vec<String>,
    /// Only these match methods (md5, sha1, sha256, pdq, vpdq); empty = all.
    pub method: Vec<String>,
    /// Only these hash sets (library ids); empty = all.
    pub hashset: Vec<String>,
    /// Only hits at most this far (perceptual matches); exact matches
    /// (distance 0 or none) always pass.
    pub max_distance: Option<u32>,
    /// `Some(true)`: only reviewed files; `Some(false)`: only unreviewed.
    pub reviewed: Option<bool>,
    /// Hide material that already has a category (from its hash set or a
    /// review), so nobody looks at it twice.
    pub hide_categorised: bool,
    pub sort: HitSort,
    pub descending: bool,
    pub offset: u32,
    /// Rows wanted (at most [`MAX_PAGE`]).
    pub limit: u32,
    /// Do not count the matching hits (a further page of a list whose total
    /// is known): about halves the time of a page.
    pub skip_total: bool,
}

/// One row of the hits grid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HitRow {
    pub hit_id: i64,
    pub file_id: i64,
    pub evidence_id: String,
    pub path: String,
    pub size: u64,
    pub file_type: Option<String>,
    /// `image`, `video`, ... (from the content signature).
    pub type_class: Option<String>,
    pub method: String,
    pub distance: Option<u32>,
    pub hashset: String,
    pub hashset_uid: String,
    pub hashset_profile: Option<String>,
    /// The hash set's raw category.
    pub category: Option<String>,
    /// The examiner's latest review of the file, if any.
    pub review_category: Option<String>,
    pub reviewed: bool,
    pub mtime_utc: Option<String>,
}

/// One page of hits and how many match in all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HitPage {
    /// Hits matching the filters in all; `None` when `skip_total` was asked.
    pub total: Option<u64>,
    pub offset: u32,
    pub rows: Vec<HitRow>,
}

/// Hits of one category on one evidence item (latest run per item).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CategoryCount {
    pub evidence_id: String,
    /// The effective category (reviewed, else the set's); `None` = uncategorised.
    pub category: Option<String>,
    pub hits: u64,
    /// Distinct files with such hits.
    pub files: u64,
}

/// What matched a file: one hash set's record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FileMatch {
    pub hashset: String,
    pub hashset_version: Option<String>,
    pub hashset_uid: String,
    pub hashset_kind: String,
    pub hashset_profile: Option<String>,
    pub method: String,
    pub distance: Option<u32>,
    pub category: Option<String>,
    /// The matched record as the set holds it (series, flags, names...).
    pub record: serde_json::Value,
    /// For a hit found through a video's frames: the vPDQ percentages and
    /// matched frames, or the matching frame's number and time.
    pub video: Option<crate::VideoMatch>,
}

/// Everything the case recorded about one file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FileDetail {
    pub file_id: i64,
    pub run_id: i64,
    pub evidence_id: String,
    pub path: String,
    pub path_hex: String,
    pub kind: String,
    pub size: u64,
    pub mtime_utc: Option<String>,
    pub atime_utc: Option<String>,
    pub ctime_utc: Option<String>,
    pub btime_utc: Option<String>,
    pub inode: u64,
    pub file_type: Option<String>,
    pub type_class: Option<String>,
    pub extension_mismatch: bool,
    pub md5: Option<String>,
    pub sha1: Option<String>,
    pub sha256: Option<String>,
    pub known_good: bool,
    pub picture_format: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub pdq: Option<String>,
    pub pdq_quality: Option<u32>,
    pub status: String,
    pub matches: Vec<FileMatch>,
    /// Every review of the file, oldest first (the last is in force).
    pub reviews: Vec<Review>,
    /// What the picture's or video's metadata says, when the scan read it.
    pub metadata: Option<MetadataFacts>,
    /// What the video stage found, for a video.
    pub video: Option<VideoFacts>,
}

/// A file's metadata as the detail panel shows it: the flat fields the
/// case keeps, with the lens, orientation and last-changed time taken from
/// the full record.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MetadataFacts {
    /// `present`, `absent` or `damaged`.
    pub state: String,
    /// `exif` or `container`.
    pub origin: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    /// Lens make and model, as written.
    pub lens: Option<String>,
    pub lens_serial: Option<String>,
    pub software: Option<String>,
    pub capture_local: Option<String>,
    pub capture_offset: Option<String>,
    pub capture_utc: Option<String>,
    /// Last changed (by the camera or an editor), as the clock showed it.
    pub modified: Option<String>,
    pub gps_latitude: Option<f64>,
    pub gps_longitude: Option<f64>,
    pub gps_altitude: Option<f64>,
    /// EXIF orientation, 1–8.
    pub orientation: Option<u16>,
    pub camera_original: bool,
    /// Why the file is, or is not, a camera original.
    pub verdict_reasons: Vec<String>,
}

impl MetadataFacts {
    fn from_stored(m: crate::NewMetadata) -> MetadataFacts {
        let full: serde_json::Value = m.metadata.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
        let text = |k: &str| full.get(k).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty()).map(String::from);
        let lens = match (text("lens_make"), text("lens_model")) {
            // Lens models often repeat the make ("Canon EF 50mm").
            (Some(make), Some(model)) if model.to_lowercase().starts_with(&make.to_lowercase()) => Some(model),
            (Some(make), Some(model)) => Some(format!("{make} {model}")),
            (one, other) => one.or(other),
        };
        MetadataFacts {
            state: m.state,
            origin: m.origin,
            make: m.make,
            model: m.model,
            serial: m.serial,
            lens,
            lens_serial: text("lens_serial"),
            software: m.software,
            capture_local: m.capture_local,
            capture_offset: m.capture_offset,
            capture_utc: m.capture_utc,
            modified: text("modified"),
            gps_latitude: m.gps_latitude,
            gps_longitude: m.gps_longitude,
            gps_altitude: m.gps_altitude,
            orientation: full.get("orientation").and_then(|v| v.as_u64()).and_then(|v| u16::try_from(v).ok()),
            camera_original: m.camera_original,
            verdict_reasons: m.verdict_reasons,
        }
    }
}

/// What the video stage recorded about a video, without its frames.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VideoFacts {
    pub container: String,
    pub codec: String,
    pub width: u32,
    pub height: u32,
    pub duration_secs: Option<f64>,
    pub frame_rate: Option<f64>,
    pub frames_sampled: u64,
    pub has_audio: bool,
    pub creation_time: Option<String>,
    /// The contact sheet's layout and tile times (its image through
    /// [`Case::contact_sheet`]), when one was made.
    pub contact_sheet: Option<SheetFacts>,
}

/// A contact sheet's layout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SheetFacts {
    pub width: u32,
    pub height: u32,
    pub cols: u32,
    pub rows: u32,
    /// The time of each tile, row by row, in seconds.
    pub tiles: Vec<f64>,
    pub sha256: String,
}

/// Where a recorded file is on this machine, and what identified it when
/// it was scanned (to check it is still the same file before reading it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSource {
    pub abs_path: PathBuf,
    pub size: u64,
    pub inode: u64,
    pub device: u64,
    pub type_class: Option<String>,
    /// The SHA-256 the scan recorded (to check the bytes before showing them).
    pub sha256: Option<String>,
}

/// The category scheme reviews use in this case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ReviewScheme {
    /// VICS US: 0 non-pertinent, 1 CAM, 2 exploitive/age difficult, 3 CGI, 4 comparison.
    VicsUs,
    /// CAID (UK): A, B, C and N (non-indecent).
    Caid,
}

const FROM_HITS: &str = "FROM hits h
     JOIN files f ON f.id = h.file_id
     JOIN evidence ev ON ev.id = f.evidence_ref
     JOIN hashsets s ON s.id = h.hashset_id
     JOIN latest l ON l.evidence_ref = f.evidence_ref AND l.run_id = h.run_id
     LEFT JOIN reviews rv ON rv.id = (SELECT MAX(id) FROM reviews WHERE file_id = f.id)";

fn push_in(clauses: &mut Vec<String>, args: &mut Vec<Value>, column: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    let marks = vec!["?"; values.len()].join(", ");
    clauses.push(format!("{column} IN ({marks})"));
    args.extend(values.iter().map(|v| Value::Text(v.clone())));
}

impl HitQuery {
    fn where_clause(&self) -> Result<(String, Vec<Value>)> {
        for m in &self.method {
            if !["md5", "sha1", "sha256", "pdq", "vpdq"].contains(&m.as_str()) {
                return Err(Error::Invalid(format!("match method {m:?}: use md5, sha1, sha256, pdq or vpdq")));
            }
        }
        let mut clauses = Vec::new();
        let mut args = Vec::new();
        push_in(&mut clauses, &mut args, "ev.evidence_id", &self.evidence);
        push_in(&mut clauses, &mut args, "h.method", &self.method);
        push_in(&mut clauses, &mut args, "s.set_uid", &self.hashset);
        if !self.category.is_empty() {
            let (none, raw): (Vec<&String>, Vec<&String>) = self.category.iter().partition(|c| c.as_str() == "uncategorised");
            let mut any = Vec::new();
            if !raw.is_empty() {
                any.push(format!("COALESCE(rv.category, h.category) IN ({})", vec!["?"; raw.len()].join(", ")));
                args.extend(raw.iter().map(|v| Value::Text((*v).clone())));
            }
            if !none.is_empty() {
                any.push("COALESCE(rv.category, h.category) IS NULL".into());
            }
            clauses.push(format!("({})", any.join(" OR ")));
        }
        if let Some(max) = self.max_distance {
            clauses.push("COALESCE(h.distance, 0) <= ?".into());
            args.push(Value::Integer(i64::from(max)));
        }
        match self.reviewed {
            Some(true) => clauses.push("rv.id IS NOT NULL".into()),
            Some(false) => clauses.push("rv.id IS NULL".into()),
            None => {}
        }
        if self.hide_categorised {
            clauses.push("COALESCE(rv.category, h.category) IS NULL".into());
        }
        let sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
        Ok((sql, args))
    }
}

impl Case {
    /// One page of the hits of the latest run per evidence item, filtered
    /// and sorted (ties broken by evidence item, path and hit id, so pages
    /// never overlap or skip).
    pub fn query_hits(&self, q: &HitQuery) -> Result<HitPage> {
        if q.limit == 0 || q.limit > MAX_PAGE {
            return Err(Error::Invalid(format!("page size {}: use 1 to {MAX_PAGE}", q.limit)));
        }
        let (filter, args) = q.where_clause()?;
        let total = if q.skip_total {
            None
        } else {
            let n: i64 = self.conn().query_row(
                &format!("{LATEST} SELECT COUNT(*) {FROM_HITS} {filter}"),
                rusqlite::params_from_iter(args.iter()),
                |r| r.get(0),
            )?;
            Some(n.max(0) as u64)
        };
        let dir = if q.descending { "DESC" } else { "ASC" };
        let order = q.sort.sql().replace("{dir}", dir);
        let sql = format!(
            "{LATEST} SELECT h.id, f.id, ev.evidence_id, f.path, f.size, f.file_type, f.type_class, h.method, h.distance,
                    s.name, s.set_uid, s.profile, h.category, rv.category, rv.id IS NOT NULL, f.mtime_utc
             {FROM_HITS} {filter}
             ORDER BY {order}, ev.id, f.path, h.id LIMIT ? OFFSET ?"
        );
        let mut all = args;
        all.push(Value::Integer(i64::from(q.limit)));
        all.push(Value::Integer(i64::from(q.offset)));
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(all.iter()), |r| {
            let path: Vec<u8> = r.get(3)?;
            Ok(HitRow {
                hit_id: r.get(0)?,
                file_id: r.get(1)?,
                evidence_id: r.get(2)?,
                path: spoor_evidence::display_path(&path),
                size: r.get::<_, i64>(4)?.max(0) as u64,
                file_type: r.get(5)?,
                type_class: r.get(6)?,
                method: r.get(7)?,
                distance: r.get(8)?,
                hashset: r.get(9)?,
                hashset_uid: r.get(10)?,
                hashset_profile: r.get(11)?,
                category: r.get(12)?,
                review_category: r.get(13)?,
                reviewed: r.get(14)?,
                mtime_utc: r.get(15)?,
            })
        })?;
        Ok(HitPage { total, offset: q.offset, rows: rows.collect::<rusqlite::Result<Vec<_>>>()? })
    }

    /// Hits per effective category per evidence item (latest run per item),
    /// ordered by evidence item then category (uncategorised last).
    pub fn hits_by_category(&self) -> Result<Vec<CategoryCount>> {
        let sql = format!(
            "{LATEST} SELECT ev.evidence_id, COALESCE(rv.category, h.category) AS cat, COUNT(*), COUNT(DISTINCT f.id)
             {FROM_HITS} GROUP BY ev.id, cat ORDER BY ev.id, cat IS NULL, cat"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([], |r| {
            Ok(CategoryCount {
                evidence_id: r.get(0)?,
                category: r.get(1)?,
                hits: r.get::<_, i64>(2)?.max(0) as u64,
                files: r.get::<_, i64>(3)?.max(0) as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every recorded detail of one file, its matches and its reviews.
    pub fn file_detail(&self, file_id: i64) -> Result<FileDetail> {
        use rusqlite::OptionalExtension;
        let detail = self
            .conn()
            .query_row(
                "SELECT f.id, f.run_id, ev.evidence_id, f.path, f.kind, f.size, f.mtime_utc, f.atime_utc, f.ctime_utc, f.btime_utc,
                        f.inode, f.file_type, f.type_class, f.ext_mismatch, f.md5, f.sha1, f.sha256, f.known_good,
                        f.picture_format, f.width, f.height, f.pdq, f.pdq_quality, f.status
                 FROM files f JOIN evidence ev ON ev.id = f.evidence_ref WHERE f.id = ?1",
                [file_id],
                |r| {
                    let path: Vec<u8> = r.get(3)?;
                    Ok(FileDetail {
                        file_id: r.get(0)?,
                        run_id: r.get(1)?,
                        evidence_id: r.get(2)?,
                        path: spoor_evidence::display_path(&path),
                        path_hex: hex::encode(&path),
                        kind: r.get(4)?,
                        size: r.get::<_, i64>(5)?.max(0) as u64,
                        mtime_utc: r.get(6)?,
                        atime_utc: r.get(7)?,
                        ctime_utc: r.get(8)?,
                        btime_utc: r.get(9)?,
                        inode: r.get::<_, i64>(10)? as u64,
                        file_type: r.get(11)?,
                        type_class: r.get(12)?,
                        extension_mismatch: r.get(13)?,
                        md5: r.get(14)?,
                        sha1: r.get(15)?,
                        sha256: r.get(16)?,
                        known_good: r.get(17)?,
                        picture_format: r.get(18)?,
                        width: r.get(19)?,
                        height: r.get(20)?,
                        pdq: r.get(21)?,
                        pdq_quality: r.get(22)?,
                        status: r.get(23)?,
                        matches: Vec::new(),
                        reviews: Vec::new(),
                        metadata: None,
                        video: None,
                    })
                },
            )
            .optional()?;
        let mut detail = detail.ok_or_else(|| Error::Invalid(format!("no file with id {file_id} in this case")))?;
        let mut stmt = self.conn().prepare(
            "SELECT s.name, s.version, s.set_uid, s.kind, s.profile, h.method, h.distance, h.category, h.record,
                    d.hit_id, d.query_match_percent, d.known_match_percent, d.matched_frames, d.query_unique_frames,
                    d.known_unique_frames, d.frame_number, d.frame_timestamp
             FROM hits h JOIN hashsets s ON s.id = h.hashset_id LEFT JOIN video_hits d ON d.hit_id = h.id
             WHERE h.file_id = ?1 ORDER BY s.name, s.version, h.method, h.id",
        )?;
        let rows = stmt.query_map([file_id], |r| {
            Ok((
                FileMatch {
                    hashset: r.get(0)?,
                    hashset_version: r.get(1)?,
                    hashset_uid: r.get(2)?,
                    hashset_kind: r.get(3)?,
                    hashset_profile: r.get(4)?,
                    method: r.get(5)?,
                    distance: r.get(6)?,
                    category: r.get(7)?,
                    record: serde_json::Value::Null,
                    video: match r.get::<_, Option<i64>>(9)? {
                        None => None,
                        Some(_) => Some(crate::video::video_match_at(r, 10)?),
                    },
                },
                r.get::<_, String>(8)?,
            ))
        })?;
        for row in rows {
            let (mut m, record) = row?;
            m.record = serde_json::from_str(&record)?;
            detail.matches.push(m);
        }
        detail.reviews = self.reviews(file_id)?;
        detail.metadata = self.file_metadata(file_id)?.map(|m| MetadataFacts::from_stored(m.metadata));
        if let Some(v) = self.video(file_id)? {
            let sheet = self.contact_sheet(file_id)?.map(|c| SheetFacts {
                width: c.width,
                height: c.height,
                cols: c.cols,
                rows: c.rows,
                tiles: c.tiles,
                sha256: c.sha256,
            });
            detail.video = Some(VideoFacts {
                container: v.container,
                codec: v.codec,
                width: v.width,
                height: v.height,
                duration_secs: v.duration_secs,
                frame_rate: v.frame_rate,
                frames_sampled: v.frames_sampled,
                has_audio: v.has_audio,
                creation_time: v.creation_time,
                contact_sheet: sheet,
            });
        }
        Ok(detail)
    }

    /// Where a recorded file is: its evidence item's folder joined with the
    /// path the scan recorded.
    pub fn file_source(&self, file_id: i64) -> Result<FileSource> {
        use rusqlite::OptionalExtension;
        let row = self
            .conn()
            .query_row(
                "SELECT ev.source_path, f.path, f.size, f.inode, f.device, f.type_class, f.sha256
                 FROM files f JOIN evidence ev ON ev.id = f.evidence_ref WHERE f.id = ?1",
                [file_id],
                |r| {
                    Ok((
                        r.get::<_, Vec<u8>>(0)?,
                        r.get::<_, Vec<u8>>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                    ))
                },
            )
            .optional()?;
        let (root, rel, size, inode, device, type_class, sha256) =
            row.ok_or_else(|| Error::Invalid(format!("no file with id {file_id} in this case")))?;
        // Recorded paths are relative and never climb out of the root (the
        // walk produced them); refuse anything else rather than trust it.
        let rel_path = std::path::Path::new(std::ffi::OsStr::from_bytes(&rel));
        if rel_path.is_absolute() || rel_path.components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
            return Err(Error::Invalid(format!("file {file_id}: recorded path is not inside its evidence item")));
        }
        Ok(FileSource {
            abs_path: std::path::Path::new(std::ffi::OsStr::from_bytes(&root)).join(rel_path),
            size: size.max(0) as u64,
            inode: inode as u64,
            device: device as u64,
            type_class,
            sha256,
        })
    }

    /// The scheme reviews use: CAID when a hash set the case used has the
    /// UK profile, VICS US otherwise.
    pub fn review_scheme(&self) -> Result<ReviewScheme> {
        let uk: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM hashsets WHERE UPPER(COALESCE(profile, '')) IN ('UK', 'CAID') OR format = 'caid'",
            [],
            |r| r.get(0),
        )?;
        Ok(if uk > 0 { ReviewScheme::Caid } else { ReviewScheme::VicsUs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Batch, NewCase, NewEvidence, NewFile, NewHit, RunEnd, RunStart};

    fn case_with_hits(dir: &std::path::Path, n: usize) -> Result<(Case, i64)> {
        let info = NewCase {
            case_number: "Q-1".into(),
            title: "query".into(),
            agency: "A".into(),
            examiner: "E".into(),
            time_zone: "UTC".into(),
        };
        let mut case = Case::create(&dir.join("q.spoor"), &info, "test")?;
        let ev = case.add_evidence(&NewEvidence {
            evidence_id: "ITEM-1".into(),
            description: String::new(),
            source_path: dir.as_os_str().as_bytes().to_vec(),
            acquisition_hashes: vec![],
        })?;
        let set = crate::HashSetRecord {
            set_uid: "set-1".into(),
            name: "Set".into(),
            version: Some("1".into()),
            kind: "alert".into(),
            format: "csv".into(),
            profile: None,
            importer_version: "t".into(),
            source_name: "s.csv".into(),
            source_sha256: "0".repeat(64),
            record_count: 1,
            digest_counts: serde_json::json!({}),
            imported_utc: "2026-01-01T00:00:00Z".into(),
        };
        let run = case.start_run(&RunStart {
            tool_name: "t".into(),
            tool_version: "0".into(),
            git_commit: "x".into(),
            host: "h".into(),
            settings: serde_json::json!({ "evidence": ["ITEM-1"] }),
            hashsets: vec![set],
        })?;
        let mut batch = Batch::default();
        for i in 0..n {
            batch.files.push(NewFile {
                evidence_row: ev.row_id,
                path: format!("dir/f{i:06}.jpg").into_bytes(),
                path_display: format!("dir/f{i:06}.jpg"),
                kind: "file".into(),
                size: (n - i) as u64,
                status: "hashed".into(),
                type_class: Some("image".into()),
                hits: vec![NewHit {
                    hashset_row: run.hashset_rows[0],
                    method: if i % 2 == 0 { "md5".into() } else { "pdq".into() },
                    distance: if i % 2 == 0 { None } else { Some((i % 32) as u32) },
                    category: match i % 3 {
                        0 => Some("1".into()),
                        1 => Some("2".into()),
                        _ => None,
                    },
                    record: serde_json::json!({ "n": i }),
                }],
                ..NewFile::default()
            });
        }
        case.write_batch(run.run_id, &batch)?;
        case.end_run(run.run_id, &RunEnd::Completed)?;
        Ok((case, run.run_id))
    }

    fn page(limit: u32) -> HitQuery {
        HitQuery { limit, ..HitQuery::default() }
    }

    #[test]
    fn pages_cover_every_hit_once_in_order() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::Internal(e.to_string()))?;
        let (case, _) = case_with_hits(dir.path(), 250)?;
        let mut seen = Vec::new();
        let mut q = page(100);
        loop {
            let p = case.query_hits(&q)?;
            assert_eq!(p.total, Some(250));
            if p.rows.is_empty() {
                break;
            }
            seen.extend(p.rows.into_iter().map(|r| r.path));
            q.offset += 100;
        }
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(seen, sorted, "path order, no duplicates");
        assert_eq!(seen.len(), 250);
        Ok(())
    }

    #[test]
    fn filters_and_sorting() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::Internal(e.to_string()))?;
        let (mut case, _) = case_with_hits(dir.path(), 30)?;
        let q = HitQuery { method: vec!["pdq".into()], ..page(100) };
        assert_eq!(case.query_hits(&q)?.total, Some(15));
        let q = HitQuery { method: vec!["pdq".into()], max_distance: Some(10), ..page(100) };
        let p = case.query_hits(&q)?;
        assert!(p.rows.iter().all(|r| r.distance.unwrap_or(0) <= 10));
        assert_eq!(p.total, Some(5), "odd i with i % 32 <= 10 below 30: 1,3,5,7,9");
        let q = HitQuery { category: vec!["uncategorised".into()], ..page(100) };
        assert_eq!(case.query_hits(&q)?.total, Some(10));
        let q = HitQuery { category: vec!["1".into(), "uncategorised".into()], ..page(100) };
        assert_eq!(case.query_hits(&q)?.total, Some(20));
        let q = HitQuery { sort: HitSort::Size, descending: false, ..page(3) };
        let sizes: Vec<u64> = case.query_hits(&q)?.rows.iter().map(|r| r.size).collect();
        assert_eq!(sizes, vec![1, 2, 3]);
        assert!(case.query_hits(&HitQuery { method: vec!["crc".into()], ..page(1) }).is_err());
        assert!(case.query_hits(&page(0)).is_err());

        // A review takes the file out of the unreviewed queue and its
        // category wins over the set's.
        let first = case.query_hits(&page(1))?.rows.remove(0);
        case.add_review(first.file_id, Some("4"), Some("vics-us"), "comparison")?;
        assert_eq!(case.query_hits(&HitQuery { reviewed: Some(true), ..page(100) })?.total, Some(1));
        assert_eq!(case.query_hits(&HitQuery { reviewed: Some(false), ..page(100) })?.total, Some(29));
        let four = case.query_hits(&HitQuery { category: vec!["4".into()], ..page(100) })?;
        assert_eq!(four.rows.len(), 1);
        assert_eq!(four.rows[0].review_category.as_deref(), Some("4"));
        assert_eq!(case.query_hits(&HitQuery { hide_categorised: true, ..page(100) })?.total, Some(10));
        Ok(())
    }

    #[test]
    fn hundred_thousand_hits_page_from_the_end() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::Internal(e.to_string()))?;
        let (case, _) = case_with_hits(dir.path(), 100_000)?;
        let q = HitQuery { offset: 99_990, sort: HitSort::Path, descending: true, ..page(50) };
        let p = case.query_hits(&q)?;
        assert_eq!(p.total, Some(100_000));
        assert_eq!(p.rows.len(), 10);
        let uncounted = case.query_hits(&HitQuery { skip_total: true, ..q.clone() })?;
        assert_eq!(uncounted.total, None);
        assert_eq!(uncounted.rows, p.rows);
        assert_eq!(p.rows.last().map(|r| r.path.as_str()), Some("dir/f000000.jpg"));
        let counts = case.hits_by_category()?;
        let total: u64 = counts.iter().map(|c| c.hits).sum();
        assert_eq!(total, 100_000);
        assert_eq!(counts.last().and_then(|c| c.category.clone()), None, "uncategorised last");
        Ok(())
    }

    #[test]
    fn file_detail_and_source() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::Internal(e.to_string()))?;
        let (case, _) = case_with_hits(dir.path(), 3)?;
        let row = case.query_hits(&page(1))?.rows.remove(0);
        let d = case.file_detail(row.file_id)?;
        assert_eq!(d.path, "dir/f000000.jpg");
        assert_eq!(d.matches.len(), 1);
        assert_eq!(d.matches[0].record["n"], 0);
        let src = case.file_source(row.file_id)?;
        assert_eq!(src.abs_path, dir.path().join("dir/f000000.jpg"));
        assert!(case.file_detail(999_999).is_err());
        assert_eq!(case.review_scheme()?, ReviewScheme::VicsUs);
        Ok(())
    }

    /// A video found through one of its frames: the detail says which frame
    /// and when, what the video stage recorded (with the contact sheet's
    /// layout), and what its metadata says, lens and orientation included.
    #[test]
    fn file_detail_of_a_video_frame_hit_with_metadata() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::Internal(e.to_string()))?;
        let (mut case, _) = case_with_hits(dir.path(), 1)?;
        let first = case.query_hits(&page(1))?.rows.remove(0);
        let ev = case.evidence()?.remove(0);
        let set = case.hashsets()?.remove(0);
        let run = case.start_run(&RunStart {
            tool_name: "t".into(),
            tool_version: "0".into(),
            git_commit: "x".into(),
            host: "h".into(),
            settings: serde_json::json!({ "evidence": ["ITEM-1"] }),
            hashsets: vec![set],
        })?;
        let full = serde_json::json!({ "origin": "container", "lens_make": "Canon", "lens_model": "Canon EF 50mm", "orientation": 6, "modified": "2026-05-01T10:00:00" });
        let mut batch = Batch::default();
        batch.files.push(NewFile {
            evidence_row: ev.row_id,
            path: b"DCIM/clip.mp4".to_vec(),
            path_display: "DCIM/clip.mp4".into(),
            kind: "file".into(),
            size: 10,
            status: "hashed".into(),
            type_class: Some("video".into()),
            hits: vec![NewHit {
                hashset_row: run.hashset_rows[0],
                method: "pdq".into(),
                distance: Some(4),
                category: Some("1".into()),
                record: serde_json::json!({ "n": "frame" }),
            }],
            metadata: Some(crate::NewMetadata {
                state: "present".into(),
                origin: Some("container".into()),
                metadata: Some(full.to_string()),
                make: Some("Apple".into()),
                model: Some("iPhone 12".into()),
                capture_local: Some("2026-05-01T09:59:00".into()),
                capture_offset: Some("+02:00".into()),
                capture_utc: Some("2026-05-01T07:59:00Z".into()),
                gps_latitude: Some(52.1),
                gps_longitude: Some(5.1),
                camera_original: true,
                verdict_reasons: vec!["camera make and model, no editor".into()],
                ..crate::NewMetadata::default()
            }),
            video: Some(Box::new(crate::NewVideo {
                container: "mp4".into(),
                codec: "h264".into(),
                width: 320,
                height: 240,
                duration_secs: Some(2.0),
                frames: vec![crate::VideoFrame { frame_number: 25, timestamp: 1.0, pdq: "0".repeat(64), quality: 100 }],
                contact_sheet: Some(crate::ContactSheet {
                    mime: "image/jpeg".into(),
                    width: 640,
                    height: 480,
                    cols: 4,
                    rows: 4,
                    tile_width: 160,
                    tile_height: 120,
                    tiles: vec![0.0, 1.0],
                    sha256: String::new(),
                    image: vec![0xFF, 0xD8, 0xFF, 0xD9],
                }),
                hit_details: vec![(0, crate::VideoMatch { frame_number: Some(25), frame_timestamp: Some(1.0), ..crate::VideoMatch::default() })],
                ..crate::NewVideo::default()
            })),
            ..NewFile::default()
        });
        case.write_batch(run.run_id, &batch)?;
        case.end_run(run.run_id, &RunEnd::Completed)?;
        let row = case.query_hits(&HitQuery { method: vec!["pdq".into()], ..page(10) })?.rows.into_iter().find(|r| r.path == "DCIM/clip.mp4");
        let d = case.file_detail(row.map(|r| r.file_id).ok_or_else(|| Error::Internal("no video hit".into()))?)?;
        let v = d.matches[0].video.clone().unwrap_or_default();
        assert_eq!((v.frame_number, v.frame_timestamp), (Some(25), Some(1.0)));
        let facts = d.video.ok_or_else(|| Error::Internal("no video facts".into()))?;
        assert_eq!((facts.codec.as_str(), facts.frames_sampled), ("h264", 1));
        let sheet = facts.contact_sheet.ok_or_else(|| Error::Internal("no sheet".into()))?;
        assert_eq!((sheet.cols, sheet.rows, sheet.tiles.len(), sheet.sha256.len()), (4, 4, 2, 64));
        let m = d.metadata.ok_or_else(|| Error::Internal("no metadata".into()))?;
        assert_eq!(m.lens.as_deref(), Some("Canon EF 50mm"));
        assert_eq!(m.orientation, Some(6));
        assert_eq!(m.modified.as_deref(), Some("2026-05-01T10:00:00"));
        assert_eq!((m.capture_offset.as_deref(), m.gps_latitude), (Some("+02:00"), Some(52.1)));
        assert!(m.camera_original && !m.verdict_reasons.is_empty());
        // A picture hit (of the first run) has neither.
        let p = case.file_detail(first.file_id)?;
        assert!(p.video.is_none() && p.metadata.is_none() && p.matches[0].video.is_none());
        Ok(())
    }
}
