//! What the case records about videos (migration 2): the stream, the
//! sampled frames with their PDQ (vPDQ), a contact sheet, and the numbers
//! behind hits found through frames.
//!
//! Rows are written with their file record ([`NewFile::video`]) in the same
//! batch, sealed like every other row, and covered by the run's content
//! digest (per file, after its hits: video, frames, contact sheet image,
//! hit details) and rows digest (the tables that hold rows of the run).

use rusqlite::params;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Case, NewFile, Result};

/// The video tables, in the order they are sealed and digested.
pub const VIDEO_TABLES: &[&str] = &["videos", "frames", "contact_sheets", "video_hits"];

/// What the video stage found for one file.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct NewVideo {
    pub container: String,
    pub codec: String,
    pub width: u32,
    pub height: u32,
    pub duration_secs: Option<f64>,
    pub frame_rate: Option<f64>,
    pub declared_frames: Option<u64>,
    pub frames_decoded: u64,
    pub rotation: Option<f64>,
    pub has_audio: bool,
    pub creation_time: Option<String>,
    /// The container's tags.
    pub metadata: serde_json::Value,
    /// The sampling and matching settings, as recorded.
    pub settings: serde_json::Value,
    pub frames: Vec<VideoFrame>,
    pub contact_sheet: Option<ContactSheet>,
    /// Details of hits found through frames: (index into [`NewFile::hits`],
    /// the numbers).
    pub hit_details: Vec<(usize, VideoMatch)>,
}

/// One sampled frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VideoFrame {
    pub frame_number: u64,
    /// Presentation time, seconds from the first frame.
    pub timestamp: f64,
    /// PDQ, 64 lower-case hex digits.
    pub pdq: String,
    pub quality: u32,
}

/// A contact sheet: a grid of evenly spaced frames, encoded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactSheet {
    /// `image/jpeg`.
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub cols: u32,
    pub rows: u32,
    pub tile_width: u32,
    pub tile_height: u32,
    /// The timestamp of each tile, row by row.
    pub tiles: Vec<f64>,
    /// Lower-case hex SHA-256 of `image` (filled in when read back; ignored
    /// when written, where it is computed).
    #[serde(default)]
    pub sha256: String,
    #[serde(skip)]
    pub image: Vec<u8>,
}

/// The numbers behind a hit found through frames (the `video` field of a
/// hit in `spoor hits --json`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VideoMatch {
    /// vPDQ: the share of the scanned video's unique frames that match the
    /// known video, in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_match_percent: Option<f64>,
    /// vPDQ: the share of the known video's unique frames that match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_match_percent: Option<f64>,
    /// vPDQ: unique frames of the scanned video with a match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_frames: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_unique_frames: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_unique_frames: Option<u64>,
    /// A frame that matched a picture (method `pdq`): its number and time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_number: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_timestamp: Option<f64>,
}

/// A video as recorded (`Case::video`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VideoView {
    pub file_id: i64,
    pub run_id: i64,
    pub container: String,
    pub codec: String,
    pub width: u32,
    pub height: u32,
    pub duration_secs: Option<f64>,
    pub frame_rate: Option<f64>,
    pub declared_frames: Option<u64>,
    pub frames_decoded: u64,
    pub frames_sampled: u64,
    pub rotation: Option<f64>,
    pub has_audio: bool,
    pub creation_time: Option<String>,
    pub metadata: serde_json::Value,
    pub settings: serde_json::Value,
}

/// Writes a file's video rows; called by the batch writer right after the
/// file's row and its hits (whose ids are then the file's last ones).
pub(crate) fn insert(tx: &rusqlite::Transaction<'_>, run_id: i64, file_id: i64, f: &NewFile) -> Result<()> {
    let Some(v) = &f.video else { return Ok(()) };
    tx.prepare_cached(
        "INSERT INTO videos (run_id, file_id, container, codec, width, height, duration_secs, frame_rate, declared_frames,
            frames_decoded, frames_sampled, rotation, has_audio, creation_time, metadata, settings)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        run_id,
        file_id,
        v.container,
        v.codec,
        v.width,
        v.height,
        v.duration_secs,
        v.frame_rate,
        v.declared_frames.map(|n| n as i64),
        v.frames_decoded as i64,
        v.frames.len() as i64,
        v.rotation,
        v.has_audio,
        v.creation_time,
        v.metadata.to_string(),
        v.settings.to_string()
    ])?;
    let mut frame_stmt = tx.prepare_cached(
        "INSERT INTO frames (run_id, file_id, frame_number, timestamp, pdq, quality) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for fr in &v.frames {
        frame_stmt.execute(params![run_id, file_id, fr.frame_number as i64, fr.timestamp, fr.pdq, fr.quality])?;
    }
    if let Some(s) = &v.contact_sheet {
        tx.prepare_cached(
            "INSERT INTO contact_sheets (run_id, file_id, mime, width, height, cols, rows, tile_width, tile_height, tiles, sha256, image)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?
        .execute(params![
            run_id,
            file_id,
            s.mime,
            s.width,
            s.height,
            s.cols,
            s.rows,
            s.tile_width,
            s.tile_height,
            serde_json::to_string(&s.tiles)?,
            hex::encode(Sha256::digest(&s.image)),
            s.image
        ])?;
    }
    if !v.hit_details.is_empty() {
        let hit_ids: Vec<i64> = tx
            .prepare_cached("SELECT id FROM hits WHERE file_id = ?1 ORDER BY id")?
            .query_map([file_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = tx.prepare_cached(
            "INSERT INTO video_hits (run_id, hit_id, query_match_percent, known_match_percent, matched_frames, query_unique_frames,
                known_unique_frames, frame_number, frame_timestamp) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for (index, m) in &v.hit_details {
            let Some(hit_id) = hit_ids.get(*index) else {
                return Err(crate::Error::Internal(format!("video hit {index} of file {file_id} has no hit row")));
            };
            stmt.execute(params![
                run_id,
                hit_id,
                m.query_match_percent,
                m.known_match_percent,
                m.matched_frames.map(|n| n as i64),
                m.query_unique_frames.map(|n| n as i64),
                m.known_unique_frames.map(|n| n as i64),
                m.frame_number.map(|n| n as i64),
                m.frame_timestamp
            ])?;
        }
    }
    Ok(())
}

/// Feeds a file's video rows into the run's content digest (nothing for a
/// file without them, so digests of files without video are as before).
pub(crate) fn digest_file(conn: &rusqlite::Connection, file_id: i64, h: &mut Sha256) -> Result<()> {
    let queries: [(&[u8], &str); 4] = [
        (
            b"V",
            // Not `frames_decoded`: how many frames the decoder had to
            // produce depends on its threading (frames no sample can fall
            // on are skipped where that is exact), not on the content.
            "SELECT container, codec, width, height, duration_secs, frame_rate, declared_frames, frames_sampled,
                    rotation, has_audio, creation_time, metadata, settings FROM videos WHERE file_id = ?1",
        ),
        (b"R", "SELECT frame_number, timestamp, pdq, quality FROM frames WHERE file_id = ?1 ORDER BY frame_number, timestamp"),
        (b"S", "SELECT mime, width, height, cols, rows, tile_width, tile_height, tiles, image FROM contact_sheets WHERE file_id = ?1"),
        (
            b"D",
            "SELECT s.set_uid, h.method, h.record, d.query_match_percent, d.known_match_percent, d.matched_frames,
                    d.query_unique_frames, d.known_unique_frames, d.frame_number, d.frame_timestamp
             FROM video_hits d JOIN hits h ON h.id = d.hit_id JOIN hashsets s ON s.id = h.hashset_id
             WHERE h.file_id = ?1 ORDER BY s.set_uid, h.method, h.record, d.frame_number",
        ),
    ];
    for (tag, sql) in queries {
        let mut stmt = conn.prepare_cached(sql)?;
        let columns = stmt.column_count();
        let mut rows = stmt.query([file_id])?;
        while let Some(row) = rows.next()? {
            h.update(tag);
            for i in 0..columns {
                put(h, row.get_ref(i)?);
            }
        }
    }
    Ok(())
}

/// One value, type-tagged, into a run digest (the content digest and the
/// video rows' digest use the same encoding).
pub(crate) fn put(h: &mut Sha256, v: rusqlite::types::ValueRef<'_>) {
    use rusqlite::types::ValueRef::*;
    match v {
        Null => h.update([0u8]),
        Integer(i) => {
            h.update([1u8]);
            h.update(i.to_be_bytes());
        }
        Real(f) => {
            h.update([2u8]);
            h.update(f.to_bits().to_be_bytes());
        }
        Text(t) | Blob(t) => {
            h.update([3u8]);
            h.update((t.len() as u64).to_be_bytes());
            h.update(t);
        }
    }
}

/// The video tables holding rows of a run: what its rows digest covers
/// besides files, hits and warnings. A table with no row of the run is left
/// out, so runs without video keep the digest they always had (and deleting
/// every row of a table still changes it).
pub(crate) fn tables_of_run(conn: &rusqlite::Connection, run_id: i64) -> Result<Vec<&'static str>> {
    let mut out = Vec::new();
    for table in VIDEO_TABLES {
        let any: bool = conn.query_row(&format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE run_id = ?1)"), [run_id], |r| r.get(0))?;
        if any {
            out.push(*table);
        }
    }
    Ok(out)
}

impl Case {
    /// What the video stage recorded about a file, if it is a video.
    pub fn video(&self, file_id: i64) -> Result<Option<VideoView>> {
        use rusqlite::OptionalExtension;
        let row = self
            .conn()
            .query_row(
                "SELECT file_id, run_id, container, codec, width, height, duration_secs, frame_rate, declared_frames, frames_decoded,
                        frames_sampled, rotation, has_audio, creation_time, metadata, settings FROM videos WHERE file_id = ?1",
                [file_id],
                |r| {
                    Ok((
                        VideoView {
                            file_id: r.get(0)?,
                            run_id: r.get(1)?,
                            container: r.get(2)?,
                            codec: r.get(3)?,
                            width: r.get(4)?,
                            height: r.get(5)?,
                            duration_secs: r.get(6)?,
                            frame_rate: r.get(7)?,
                            declared_frames: r.get::<_, Option<i64>>(8)?.map(|n| n as u64),
                            frames_decoded: r.get::<_, i64>(9)? as u64,
                            frames_sampled: r.get::<_, i64>(10)? as u64,
                            rotation: r.get(11)?,
                            has_audio: r.get(12)?,
                            creation_time: r.get(13)?,
                            metadata: serde_json::Value::Null,
                            settings: serde_json::Value::Null,
                        },
                        r.get::<_, String>(14)?,
                        r.get::<_, String>(15)?,
                    ))
                },
            )
            .optional()?;
        let Some((mut view, metadata, settings)) = row else { return Ok(None) };
        view.metadata = serde_json::from_str(&metadata)?;
        view.settings = serde_json::from_str(&settings)?;
        Ok(Some(view))
    }

    /// A video's sampled frames, in order.
    pub fn frames(&self, file_id: i64) -> Result<Vec<VideoFrame>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT frame_number, timestamp, pdq, quality FROM frames WHERE file_id = ?1 ORDER BY frame_number, timestamp")?;
        let rows = stmt.query_map([file_id], |r| {
            Ok(VideoFrame { frame_number: r.get::<_, i64>(0)? as u64, timestamp: r.get(1)?, pdq: r.get(2)?, quality: r.get(3)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// A video's contact sheet, with its image.
    pub fn contact_sheet(&self, file_id: i64) -> Result<Option<ContactSheet>> {
        use rusqlite::OptionalExtension;
        let row = self
            .conn()
            .query_row(
                "SELECT mime, width, height, cols, rows, tile_width, tile_height, tiles, sha256, image FROM contact_sheets WHERE file_id = ?1",
                [file_id],
                |r| {
                    Ok((
                        ContactSheet {
                            mime: r.get(0)?,
                            width: r.get(1)?,
                            height: r.get(2)?,
                            cols: r.get(3)?,
                            rows: r.get(4)?,
                            tile_width: r.get(5)?,
                            tile_height: r.get(6)?,
                            tiles: Vec::new(),
                            sha256: r.get(8)?,
                            image: r.get(9)?,
                        },
                        r.get::<_, String>(7)?,
                    ))
                },
            )
            .optional()?;
        let Some((mut sheet, tiles)) = row else { return Ok(None) };
        sheet.tiles = serde_json::from_str(&tiles)?;
        Ok(Some(sheet))
    }

    /// The numbers behind hits found through frames, by hit row id.
    pub(crate) fn video_matches(&self) -> Result<std::collections::HashMap<i64, VideoMatch>> {
        let mut stmt = self.conn().prepare(
            "SELECT hit_id, query_match_percent, known_match_percent, matched_frames, query_unique_frames, known_unique_frames,
                    frame_number, frame_timestamp FROM video_hits",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, video_match_at(r, 1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The `video_hits` numbers of a hit read from `row`, whose columns from
/// `at` on are `query_match_percent, known_match_percent, matched_frames,
/// query_unique_frames, known_unique_frames, frame_number,
/// frame_timestamp`.
pub(crate) fn video_match_at(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<VideoMatch> {
    let n = |i: usize| -> rusqlite::Result<Option<u64>> { Ok(row.get::<_, Option<i64>>(at + i)?.map(|v| v.max(0) as u64)) };
    Ok(VideoMatch {
        query_match_percent: row.get(at)?,
        known_match_percent: row.get(at + 1)?,
        matched_frames: n(2)?,
        query_unique_frames: n(3)?,
        known_unique_frames: n(4)?,
        frame_number: n(5)?,
        frame_timestamp: row.get(at + 6)?,
    })
}
