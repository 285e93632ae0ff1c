//! Thumbnails of hits: read from the evidence, never from a cache.
//!
//! A thumbnail is made only from bytes that are provably the file the scan
//! recorded: the file is read once (read-only, without touching its access
//! time where the system allows), its SHA-256 is compared with the case's
//! record, and only then is it decoded, under the same pixel and memory caps
//! as the scan. The picture is turned upright by its EXIF orientation (the
//! examiner sees it as the camera meant it), shrunk to fit a square and
//! written as JPEG. A second copy, blurred and grey, is what a medium that
//! cannot hide a picture until asked (the PDF) shows.
//!
//! A video's thumbnail is its contact sheet, which the scan stored (and
//! sealed) in the case: the evidence is not read again for it.
//!
//! When any step fails the thumbnail is *unavailable*, with the reason
//! written where the picture would be: the evidence is not mounted, the
//! file changed since the scan, it is not a picture, it is too large.

use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, RgbImage};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The longest side of a thumbnail, in pixels.
pub const SIDE: u32 = 192;

/// The longest side of a video's contact sheet in a report (a grid of
/// frames needs more room than one picture).
pub const SHEET_SIDE: u32 = 400;

/// Files larger than this are not read for a thumbnail.
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// A thumbnail, as JPEG bytes (clear, and blurred grey).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thumbnail {
    pub width: u32,
    pub height: u32,
    #[serde(with = "hex_bytes")]
    pub jpeg: Vec<u8>,
    #[serde(with = "hex_bytes")]
    pub blurred_jpeg: Vec<u8>,
}

/// The thumbnail of one file in a report, or why there is none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Picture {
    pub file_id: i64,
    pub evidence_id: String,
    pub path: String,
    pub thumbnail: Option<Thumbnail>,
    /// Why no thumbnail could be made (when `thumbnail` is `None`).
    pub unavailable: Option<String>,
}

/// Where a scanned file is now: its evidence item's source folder joined
/// with the path the scan recorded (both exact bytes).
pub fn location(source_root: &[u8], relative: &[u8]) -> PathBuf {
    let root = Path::new(std::ffi::OsStr::from_bytes(source_root));
    if relative.is_empty() { root.to_path_buf() } else { root.join(std::ffi::OsStr::from_bytes(relative)) }
}

/// Makes the thumbnail of the file at `path`, whose SHA-256 the case
/// recorded as `expected_sha256` (lower-case hex). The error is the reason,
/// in words for the report and the app.
pub fn thumbnail(path: &Path, expected_sha256: Option<&str>, side: u32) -> Result<Thumbnail, String> {
    let Some(expected) = expected_sha256 else {
        return Err("the scan recorded no SHA-256 for this file, so its bytes cannot be checked".into());
    };
    let (file, _) = spoor_evidence::open_read_only(path)
        .map_err(|e| format!("the file cannot be read now ({}); is the evidence mounted?", spoor_evidence::io_reason(&e)))?;
    let mut bytes = Vec::new();
    let read = file.take(MAX_BYTES + 1).read_to_end(&mut bytes);
    read.map_err(|e| format!("the file cannot be read now ({})", spoor_evidence::io_reason(&e)))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(format!("the file is larger than {} MiB; no thumbnail is made of it", MAX_BYTES >> 20));
    }
    let actual = hex::encode(Sha256::digest(&bytes));
    if !actual.eq_ignore_ascii_case(expected) {
        return Err(format!("the file changed since the scan (its SHA-256 is now {actual}), so it is not shown"));
    }
    from_bytes(&bytes, side)
}

/// Makes a thumbnail from a picture's bytes (already checked).
pub fn from_bytes(bytes: &[u8], side: u32) -> Result<Thumbnail, String> {
    let decoded = spoor_pdq::decode::decode(bytes, &spoor_pdq::decode::Limits::default()).map_err(|e| e.to_string())?;
    let (w, h) = (decoded.info.width, decoded.info.height);
    let rgb = RgbImage::from_raw(w, h, decoded.rgb).ok_or_else(|| "the decoder returned a short picture".to_string())?;
    let mut picture = DynamicImage::ImageRgb8(rgb);
    if let Some(o) = decoded.info.orientation.and_then(|o| u8::try_from(o).ok()).and_then(Orientation::from_exif) {
        picture.apply_orientation(o);
    }
    let small = if picture.width() > side || picture.height() > side {
        picture.resize(side, side, FilterType::Triangle)
    } else {
        picture
    };
    let jpeg = encode(&small)?;
    let blurred = DynamicImage::ImageLuma8(small.to_luma8()).blur(small.width().max(small.height()) as f32 / 14.0);
    let blurred_jpeg = encode(&blurred.to_rgb8().into())?;
    Ok(Thumbnail { width: small.width(), height: small.height(), jpeg, blurred_jpeg })
}

fn encode(picture: &DynamicImage) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    picture.to_rgb8().write_with_encoder(JpegEncoder::new_with_quality(&mut out, 80)).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Thumbnail bytes are hex in the report model's canonical JSON, so the
/// report digest covers every pixel shown.
mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, ((x + y) * 3) as u8]));
        let mut out = std::io::Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png).expect("png");
        out.into_inner()
    }

    #[test]
    fn a_large_picture_is_shrunk_to_fit_and_blurred_copy_is_grey() {
        let t = from_bytes(&png(800, 400), SIDE).expect("thumbnail");
        assert_eq!((t.width, t.height), (SIDE, SIDE / 2));
        let clear = image::load_from_memory(&t.jpeg).expect("jpeg").to_rgb8();
        let blurred = image::load_from_memory(&t.blurred_jpeg).expect("jpeg").to_rgb8();
        assert_eq!(clear.dimensions(), blurred.dimensions());
        // Grey: the channels agree (within JPEG rounding).
        assert!(blurred.pixels().all(|p| p[0].abs_diff(p[1]) <= 6 && p[1].abs_diff(p[2]) <= 6));
        // Clear: colour survives.
        assert!(clear.pixels().any(|p| p[0].abs_diff(p[2]) > 30));
    }

    #[test]
    fn a_changed_file_or_a_missing_digest_gives_no_thumbnail() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.png");
        let bytes = png(40, 30);
        std::fs::write(&path, &bytes).expect("write");
        let right = hex::encode(Sha256::digest(&bytes));
        assert!(thumbnail(&path, Some(&right), SIDE).is_ok());
        let wrong = "0".repeat(64);
        let err = thumbnail(&path, Some(&wrong), SIDE).expect_err("changed");
        assert!(err.contains("changed since the scan"), "{err}");
        assert!(thumbnail(&path, None, SIDE).is_err());
        let err = thumbnail(&dir.path().join("gone.png"), Some(&right), SIDE).expect_err("missing");
        assert!(err.contains("cannot be read"), "{err}");
    }

    #[test]
    fn not_a_picture_is_a_reason_not_a_panic() {
        let err = from_bytes(b"plain text, not a picture", SIDE).expect_err("text");
        assert!(!err.is_empty());
    }

    #[test]
    fn location_joins_exact_bytes() {
        let p = location(b"/mnt/item", b"dir/\xffname.jpg");
        assert_eq!(p.as_os_str().as_bytes(), b"/mnt/item/dir/\xffname.jpg");
    }
}
