//! The manifest: what the generator wrote, with every digest, so tests can
//! assert exact results without re-deriving them.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Version of the manifest's JSON layout; bumped when a field changes meaning.
pub const MANIFEST_VERSION: u32 = 1;

/// Everything one [`crate::generate`] call wrote.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// [`MANIFEST_VERSION`] of the writer.
    pub version: u32,
    /// `OUT/evidence`, absolute.
    pub evidence_root: PathBuf,
    /// `OUT/hashsets`, absolute.
    pub hashsets_dir: PathBuf,
    /// Every regular file under `evidence_root`, sorted by path bytes.
    pub files: Vec<FixtureFile>,
    /// Every other entry under `evidence_root` (symlinks, FIFO, socket and
    /// each directory), sorted by path bytes.
    pub specials: Vec<Special>,
    /// The hash lists under `hashsets_dir`.
    pub hashsets: Vec<FixtureSet>,
    /// The camera pictures and their expected triage answers, when
    /// generated with [`crate::Extras::camera`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera: Option<CameraManifest>,
}

/// One regular file in the evidence tree.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct FixtureFile {
    /// Raw name bytes relative to `evidence_root`, `/`-separated; may be
    /// invalid UTF-8. Serialised as hex.
    #[serde(with = "hex_bytes")]
    pub path: Vec<u8>,
    /// `path` for humans (invalid bytes replaced by U+FFFD).
    pub path_lossy: String,
    pub size: u64,
    /// Lower-case hex digests.
    pub md5: String,
    pub sha1: String,
    pub sha256: String,
    /// "jpeg", "png", "gif", "bmp", "tiff" or "webp"; `None` for non-pictures.
    pub format: Option<String>,
    /// The extension does not name the content's format.
    pub extension_mismatch: bool,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Mode 000. Root can still read it; other users get `EACCES`.
    pub unreadable: bool,
}

/// A non-regular entry in the evidence tree.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Special {
    #[serde(with = "hex_bytes")]
    pub path: Vec<u8>,
    pub path_lossy: String,
    /// "symlink", "fifo", "socket" or "dir".
    pub kind: String,
    /// For symlinks, the raw target as stored in the link.
    #[serde(with = "opt_hex_bytes")]
    pub link_target: Option<Vec<u8>>,
}

/// One hash list file.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct FixtureSet {
    /// File name relative to `hashsets_dir`.
    pub file: PathBuf,
    /// "md5sum", "sha1sum", "sha256sum", "csv", or an exchange format:
    /// "vics", "caid", "nsrl-rds3", "nsrl-rds2", "hashkeeper", "encase",
    /// "tsk-idx", "tsk-kdb" (the names `spoor hashset import --format`
    /// takes; auto-detection should find the same).
    pub format: String,
    /// "alert" or "ignore".
    pub kind: String,
    /// 1-based line number of the one malformed line, if any.
    pub malformed_line: Option<u64>,
    /// Evidence paths whose digest the list names, sorted; duplicates of a
    /// listed file are all here, since they share its digest.
    #[serde(with = "hex_bytes_list")]
    pub lists: Vec<Vec<u8>>,
    /// Well-formed records (not counting a CSV header or the malformed
    /// line); records listing the same digests count once (an NSRL file
    /// shipped in two packages is one record).
    pub record_count: u64,
    /// For lists with categories (VICS, CAID): the raw category of each
    /// listed fixture file, keyed by its MD5 (lower-case hex); `None` for
    /// an uncategorised one (`null` or absent). Empty for other lists.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub categories: BTreeMap<String, Option<String>>,
    /// The category profile the list declares (`US`, `UK`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

/// The camera pictures of [`crate::Extras::camera`] and what triage must
/// find in them. Every answer is written by hand beside the picture's
/// recipe (`camera.rs`), never computed by the rules it checks.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct CameraManifest {
    /// The made-up seizure date of the device, `YYYY-MM-DDTHH:MM:SSZ`.
    pub seized_utc: String,
    /// A capture counts as recent when at most this many days before
    /// `seized_utc`.
    pub recent_days: u32,
    /// The alert list (under `hashsets_dir`) naming the `known` pictures.
    pub known_list: PathBuf,
    /// Every camera picture, sorted by path bytes.
    pub files: Vec<CameraFile>,
}

/// One camera picture and its expected answers.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct CameraFile {
    #[serde(with = "hex_bytes")]
    pub path: Vec<u8>,
    pub path_lossy: String,
    /// `image/jpeg` or `image/png`.
    pub mime: String,
    /// `present`, `partial` (IFD0 readable, the Exif sub-IFD not),
    /// `damaged` (nothing readable) or `absent`.
    pub exif: String,
    pub make: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub lens_model: Option<String>,
    pub software: Option<String>,
    /// `DateTimeOriginal` as `YYYY-MM-DDTHH:MM:SS`, when valid.
    pub capture_local: Option<String>,
    /// `OffsetTimeOriginal` (`+02:00`), when written with a valid time.
    pub capture_offset: Option<String>,
    /// The capture instant in UTC, when the offset is known.
    pub capture_utc: Option<String>,
    pub gps: Option<ExpectedGps>,
    pub orientation: Option<u16>,
    pub image_unique_id: Option<String>,
    /// A camera original by the documented rule.
    pub camera_original: bool,
    /// Taken within `recent_days` before `seized_utc`.
    pub recent: bool,
    /// Series label: pictures with the same label are near-duplicates
    /// (PDQ distance at most 31, quality at least 50); `None` stands alone.
    pub series: Option<String>,
    /// PDQ quality under 50 by construction (a flat picture).
    pub low_quality: bool,
    /// Listed in `known_list`.
    pub known: bool,
    /// A heavier edit of this known picture: PDQ distance 32 to 40.
    #[serde(with = "opt_hex_bytes")]
    pub near_known_of: Option<Vec<u8>>,
}

/// A GPS position in 1e-7 degrees (integers keep the manifest `Eq`).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpectedGps {
    pub latitude_e7: i64,
    pub longitude_e7: i64,
    /// Centimetres above sea level, negative below.
    pub altitude_cm: Option<i64>,
}

impl Manifest {
    /// Writes the manifest as pretty JSON.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(io::Error::other)?;
        fs::write(path, json).map_err(|e| crate::at(path, e))
    }

    /// Reads a manifest written by [`Manifest::write`].
    pub fn read(path: &Path) -> io::Result<Manifest> {
        let bytes = fs::read(path).map_err(|e| crate::at(path, e))?;
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| crate::at(path, io::Error::new(io::ErrorKind::InvalidData, e)))?;
        if manifest.version > MANIFEST_VERSION {
            let msg = format!(
                "manifest version {} is newer than this reader ({MANIFEST_VERSION})",
                manifest.version
            );
            return Err(crate::at(
                path,
                io::Error::new(io::ErrorKind::InvalidData, msg),
            ));
        }
        Ok(manifest)
    }

    /// The regular file at `path` (raw bytes relative to `evidence_root`).
    pub fn file(&self, path: &[u8]) -> Option<&FixtureFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// The special entry at `path`.
    pub fn special(&self, path: &[u8]) -> Option<&Special> {
        self.specials.iter().find(|s| s.path == path)
    }

    /// The hash list whose file name is `file`, e.g. `"known.md5"`.
    pub fn hashset(&self, file: &str) -> Option<&FixtureSet> {
        self.hashsets.iter().find(|s| s.file == Path::new(file))
    }

    /// Absolute path of an evidence entry given its raw relative bytes.
    pub fn evidence_path(&self, path: &[u8]) -> PathBuf {
        use std::os::unix::ffi::OsStrExt;
        self.evidence_root.join(std::ffi::OsStr::from_bytes(path))
    }
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}

mod opt_hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        bytes: &Option<Vec<u8>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(b) => s.serialize_some(&hex::encode(b)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| hex::decode(text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

mod hex_bytes_list {
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(list: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(list.len()))?;
        for bytes in list {
            seq.serialize_element(&hex::encode(bytes))?;
        }
        seq.end()
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
        Vec::<String>::deserialize(d)?
            .into_iter()
            .map(|text| hex::decode(text).map_err(serde::de::Error::custom))
            .collect()
    }
}
