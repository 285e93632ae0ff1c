//! Thumbnails of recorded files, for the examiner's review screens.
//!
//! A thumbnail is made on request from the evidence itself, by the case's
//! file id: the file is located through the case ([`spoor_case::Case::file_source`]),
//! opened read-only (`O_NOATIME`, `O_NOFOLLOW`, `O_NONBLOCK`), checked to be
//! the same file the scan recorded (inode, device, size), read up to a cap,
//! decoded with the scanner's capped, panic-safe decoder, downscaled and
//! encoded as PNG. Nothing is written anywhere: thumbnails are never cached
//! on disk, so no copy of the material exists outside the evidence.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let case = spoor_case::Case::open_read_only(std::path::Path::new("case.spoor"))?;
//! let thumb = spoor_thumbnail::thumbnail(&case, 17, &spoor_thumbnail::Options::default())?;
//! assert!(thumb.width <= 256 && thumb.height <= 256);
//! # Ok(()) }
//! ```

use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

use spoor_case::Case;

/// How big, and how much may be read and decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The longer side of the thumbnail, in pixels (at most 1024).
    pub max_side: u32,
    /// Files larger than this are not read.
    pub max_bytes: u64,
    /// Decoder caps (pixels, allocation).
    pub limits: spoor_pdq::decode::Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options { max_side: 256, max_bytes: 256 * 1024 * 1024, limits: spoor_pdq::decode::Limits::default() }
    }
}

/// A PNG thumbnail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Thumbnail {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The picture's own size.
    pub source_width: u32,
    pub source_height: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Case(#[from] spoor_case::Error),
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: not the file the scan recorded any more (it was replaced or changed)", path.display())]
    Changed { path: PathBuf },
    #[error("{}: {size} bytes is over the thumbnail cap of {cap} bytes", path.display())]
    TooLarge { path: PathBuf, size: u64, cap: u64 },
    #[error("{}: no picture to show: {source}", path.display())]
    Decode { path: PathBuf, source: spoor_pdq::decode::DecodeError },
    #[error("thumbnail size {0}: use 16 to 1024 pixels")]
    BadSize(u32),
    #[error("encoding the thumbnail: {0}")]
    Encode(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Makes the thumbnail of the case's file `file_id`.
pub fn thumbnail(case: &Case, file_id: i64, opts: &Options) -> Result<Thumbnail> {
    if !(16..=1024).contains(&opts.max_side) {
        return Err(Error::BadSize(opts.max_side));
    }
    let src = case.file_source(file_id)?;
    let path = src.abs_path.clone();
    let io = |source| Error::Io { path: path.clone(), source };
    let (file, _noatime) = spoor_evidence::open_read_only(&path).map_err(io)?;
    let md = file.metadata().map_err(io)?;
    if !md.is_file() || md.ino() != src.inode || md.dev() != src.device || md.len() != src.size {
        return Err(Error::Changed { path });
    }
    if md.len() > opts.max_bytes {
        return Err(Error::TooLarge { path, size: md.len(), cap: opts.max_bytes });
    }
    let mut bytes = Vec::with_capacity(md.len() as usize);
    file.take(opts.max_bytes).read_to_end(&mut bytes).map_err(io)?;
    let decoded = spoor_pdq::decode::decode(&bytes, &opts.limits).map_err(|source| Error::Decode { path: path.clone(), source })?;
    drop(bytes);
    let (w, h) = (decoded.info.width, decoded.info.height);
    let rgb = image::RgbImage::from_raw(w, h, decoded.rgb).ok_or_else(|| Error::Encode("pixel buffer does not match the size".into()))?;
    let scale = f64::from(opts.max_side) / f64::from(w.max(h));
    let (tw, th) = if scale < 1.0 {
        (((f64::from(w) * scale).round() as u32).max(1), ((f64::from(h) * scale).round() as u32).max(1))
    } else {
        (w, h)
    };
    let small = if (tw, th) == (w, h) { rgb } else { image::imageops::thumbnail(&rgb, tw, th) };
    let mut png = Vec::new();
    small
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| Error::Encode(e.to_string()))?;
    Ok(Thumbnail { png, width: tw, height: th, source_width: w, source_height: h })
}

#[cfg(test)]
mod tests {
    use super::*;
    use spoor_case::{Batch, HashSetRecord, NewCase, NewEvidence, NewFile, RunEnd, RunStart};
    use std::os::unix::ffi::OsStrExt;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    /// A case whose one file is `name` under `root`, recorded with the
    /// file's current identity.
    fn case_with(root: &std::path::Path, name: &str) -> std::result::Result<(Case, i64), Box<dyn std::error::Error>> {
        let info = NewCase { case_number: "T-1".into(), title: String::new(), agency: String::new(), examiner: "E".into(), time_zone: "UTC".into() };
        let case_path = root.parent().ok_or("no parent")?.join("t.spoor");
        let mut case = Case::create(&case_path, &info, "test")?;
        let ev = case.add_evidence(&NewEvidence {
            evidence_id: "I".into(),
            description: String::new(),
            source_path: root.as_os_str().as_bytes().to_vec(),
            acquisition_hashes: vec![],
        })?;
        let set = HashSetRecord {
            set_uid: "s".into(), name: "s".into(), version: None, kind: "alert".into(), format: "csv".into(), profile: None,
            importer_version: "t".into(), source_name: "s".into(), source_sha256: "0".repeat(64), record_count: 0,
            digest_counts: serde_json::json!({}), imported_utc: "2026-01-01T00:00:00Z".into(),
        };
        let run = case.start_run(&RunStart {
            tool_name: "t".into(), tool_version: "0".into(), git_commit: "x".into(), host: "h".into(),
            settings: serde_json::json!({ "evidence": ["I"] }), hashsets: vec![set],
        })?;
        let md = std::fs::metadata(root.join(name))?;
        let batch = Batch {
            files: vec![NewFile {
                evidence_row: ev.row_id, path: name.as_bytes().to_vec(), path_display: name.into(), kind: "file".into(),
                size: md.len(), inode: md.ino(), device: md.dev(), status: "hashed".into(), ..NewFile::default()
            }],
            warnings: vec![],
        };
        case.write_batch(run.run_id, &batch)?;
        case.end_run(run.run_id, &RunEnd::Completed)?;
        let id = case.file_detail_id(name)?;
        Ok((case, id))
    }

    trait FileId {
        fn file_detail_id(&self, name: &str) -> std::result::Result<i64, Box<dyn std::error::Error>>;
    }
    impl FileId for Case {
        fn file_detail_id(&self, name: &str) -> std::result::Result<i64, Box<dyn std::error::Error>> {
            for id in 1..10 {
                if self.file_detail(id).map(|d| d.path == name).unwrap_or(false) {
                    return Ok(id);
                }
            }
            Err("file not recorded".into())
        }
    }

    #[test]
    fn downscales_a_picture_keeping_its_shape() -> TestResult {
        let dir = tempfile::tempdir()?;
        let root = dir.path().join("ev");
        std::fs::create_dir(&root)?;
        let img = image::RgbImage::from_fn(400, 200, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        img.save(root.join("a.png"))?;
        let (case, id) = case_with(&root, "a.png")?;
        let t = thumbnail(&case, id, &Options { max_side: 100, ..Options::default() })?;
        assert_eq!((t.width, t.height, t.source_width, t.source_height), (100, 50, 400, 200));
        let back = image::load_from_memory(&t.png)?;
        assert_eq!((back.width(), back.height()), (100, 50));
        Ok(())
    }

    #[test]
    fn a_changed_file_or_a_non_picture_is_refused() -> TestResult {
        let dir = tempfile::tempdir()?;
        let root = dir.path().join("ev");
        std::fs::create_dir(&root)?;
        std::fs::write(root.join("n.txt"), b"not a picture")?;
        let (case, id) = case_with(&root, "n.txt")?;
        assert!(matches!(thumbnail(&case, id, &Options::default()), Err(Error::Decode { .. })));
        std::fs::write(root.join("n.txt"), b"not a picture, and longer now")?;
        assert!(matches!(thumbnail(&case, id, &Options::default()), Err(Error::Changed { .. })));
        assert!(matches!(thumbnail(&case, id, &Options { max_side: 2, ..Options::default() }), Err(Error::BadSize(2))));
        assert!(thumbnail(&case, 9999, &Options::default()).is_err());
        Ok(())
    }
}
