//! The metadata step: what a picture's EXIF (or a video's container tags)
//! says, and whether the file is a camera original, as one `file_metadata`
//! record plus warnings of stage `metadata` for what could not be read.
//!
//! Pictures are read from the bytes the decode step already holds (same
//! size cap). A video stage that probes containers calls [`from_container`]
//! with the tags its demuxer reports and stores the result the same way.

use spoor_case::NewMetadata;
use spoor_metadata::{MediaMetadata, Verdict, camera_original};

/// Stage name of metadata warnings.
pub const STAGE: &str = "metadata";

/// A file's metadata record and the warnings it gives (reasons only; the
/// caller adds the path).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Extracted {
    pub record: NewMetadata,
    pub warnings: Vec<String>,
}

/// Reads a picture's metadata from its bytes. Never panics (the EXIF
/// reader runs under `catch_unwind` inside `spoor-metadata`); a damaged
/// block gives state `damaged` and one warning with the reader's reason.
/// `mime` is the sniffed type, not the extension.
pub fn from_picture(bytes: &[u8], mime: &str) -> Extracted {
    match spoor_metadata::from_bytes(bytes) {
        Ok(meta) => {
            let meta = meta.filter(|m| !m.is_empty());
            let verdict = camera_original(meta.as_ref(), mime);
            record(meta, &verdict)
        }
        Err(e) => {
            let verdict = Verdict::unreadable(&e);
            let mut out = record(None, &verdict);
            out.record.state = "damaged".into();
            out.warnings.push(format!("{e} ({}): capture time, camera and position unknown", e.code()));
            out
        }
    }
}

/// Builds the record of a video from its container tags (`key`, `value`
/// as the demuxer reports them, e.g. `com.apple.quicktime.make`,
/// `creation_time`, `location`). `mime` is the sniffed type.
pub fn from_container<I, K, V>(tags: I, mime: &str) -> Extracted
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let meta = MediaMetadata::from_container_tags(tags).filter(|m| !m.is_empty());
    let verdict = camera_original(meta.as_ref(), mime);
    record(meta, &verdict)
}

fn record(meta: Option<MediaMetadata>, verdict: &Verdict) -> Extracted {
    let mut out = Extracted {
        record: NewMetadata {
            state: "absent".into(),
            camera_original: verdict.is_camera_original,
            verdict_reasons: verdict.reasons.clone(),
            ..NewMetadata::default()
        },
        warnings: Vec::new(),
    };
    let Some(meta) = meta else { return out };
    out.warnings.extend(meta.notes.iter().cloned());
    let r = &mut out.record;
    r.state = "present".into();
    r.origin = Some(
        match meta.origin {
            spoor_metadata::Origin::Exif => "exif",
            spoor_metadata::Origin::Container => "container",
        }
        .into(),
    );
    r.make = meta.make.clone();
    r.model = meta.model.clone();
    r.serial = meta.serial.clone();
    r.software = meta.software.clone();
    if let Some(c) = &meta.capture {
        r.capture_local = Some(c.local.clone());
        r.capture_offset = c.offset.clone();
        r.capture_utc = c.utc.clone();
        r.capture_unix = c.unix_seconds();
    }
    if let Some(g) = meta.gps {
        r.gps_latitude = Some(g.latitude);
        r.gps_longitude = Some(g.longitude);
        r.gps_altitude = g.altitude;
    }
    // The record serialises (plain strings and numbers); a failure here
    // would be a bug, and it is recorded rather than hidden.
    match serde_json::to_string(&meta) {
        Ok(json) => r.metadata = Some(json),
        Err(e) => out.warnings.push(format!("the metadata could not be stored as JSON: {e}")),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jpeg_without_exif_is_absent_and_not_original() {
        let e = from_picture(&[0xFF, 0xD8, 0xFF, 0xD9], "image/jpeg");
        assert_eq!(e.record.state, "absent");
        assert!(!e.record.camera_original);
        assert!(e.record.verdict_reasons[0].contains("messenger"), "{:?}", e.record.verdict_reasons);
        assert!(e.warnings.is_empty());
        assert_eq!(e.record.metadata, None);
    }

    #[test]
    fn damaged_exif_is_a_warning() {
        // A JPEG whose APP1 Exif segment holds a broken TIFF header.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10];
        jpeg.extend_from_slice(b"Exif\0\0XX\0*\0\0\0\x08\0\0");
        jpeg.extend_from_slice(&[0xFF, 0xD9]);
        let e = from_picture(&jpeg, "image/jpeg");
        assert_eq!(e.record.state, "damaged");
        assert!(!e.record.camera_original);
        assert_eq!(e.warnings.len(), 1);
        assert!(e.warnings[0].contains("exif_damaged"), "{:?}", e.warnings);
    }

    #[test]
    fn phone_video_tags_make_a_camera_original() {
        let e = from_container(
            [
                ("com.android.manufacturer", "samsung"),
                ("com.android.model", "SM-G991B"),
                ("creation_time", "2024-04-30T18:00:00.000000Z"),
                ("location", "+48.8566+002.3522/"),
            ],
            "video/mp4",
        );
        assert_eq!(e.record.state, "present");
        assert_eq!(e.record.origin.as_deref(), Some("container"));
        assert!(e.record.camera_original, "{:?}", e.record.verdict_reasons);
        assert_eq!(e.record.gps_latitude, Some(48.8566));
        assert_eq!(e.record.capture_utc.as_deref(), Some("2024-04-30T18:00:00Z"));
        let json: MediaMetadata = serde_json::from_str(e.record.metadata.as_deref().unwrap_or("null")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(json.make.as_deref(), Some("samsung"));
    }
}
