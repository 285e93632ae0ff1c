//! Hash-set library: known-material hash lists, imported once, looked up by
//! every scan.
//!
//! An examiner imports a hash list (md5sum / sha1sum / sha256sum text, or a
//! CSV with hash columns) into a [`Library`] folder as an *alert* or *ignore*
//! set. A scan then [`Library::load`]s the sets into a [`Matcher`] and calls
//! [`Matcher::lookup`] with each file's three digests.
//!
//! Sets can hold tens of millions of records, so nothing is parsed at load
//! time: every digest kind is a sorted table of fixed-width entries that is
//! memory-mapped and binary-searched; matched records are fetched one by one
//! through an offset table.
//!
//! ```
//! use spoor_hashset::{ImportOptions, Library, SetKind};
//!
//! let dir = tempfile::tempdir()?;
//! let list = dir.path().join("known.md5");
//! std::fs::write(&list, "900150983CD24FB0D6963F7D28E17F72  abc.txt\n")?;
//!
//! let library = Library::open(&dir.path().join("library"))?;
//! let info = library.import(&list, &ImportOptions {
//!     name: "Known bad".into(),
//!     version: Some("1".into()),
//!     kind: SetKind::Alert,
//!     format: None, // detected from the content
//! })?;
//! assert_eq!(info.record_count, 1);
//!
//! let matcher = library.load(&[])?;
//! let md5: [u8; 16] = hex::decode("900150983cd24fb0d6963f7d28e17f72")?.try_into().expect("16 bytes");
//! let hits = matcher.lookup(&md5, &[0; 20], &[0; 32])?;
//! assert_eq!(hits.len(), 1);
//! assert_eq!(hits[0].record.name.as_deref(), Some("abc.txt"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # On-disk layout (format version 1)
//!
//! ```text
//! <root>/
//!   .lock                  advisory lock, held by import and remove
//!   .tmp-XXXXXX/           an import in progress (or a crashed one: removed
//!                          by the next open or import, ignored by list/load)
//!   sets/<id>/             one imported set, moved here by a single rename
//!     manifest.json        the SetInfo as JSON (format_version = 1)
//!     md5.idx              sorted digest tables, one per digest kind present
//!     sha1.idx
//!     sha256.idx
//!     records.jsonl        one JSON Record per line, in record-number order
//!     records.off          u64 LE byte offset into records.jsonl per record
//! ```
//!
//! `<id>` is a slug of the name and version plus the first 8 hex digits of
//! the source's SHA-256, e.g. `nsrl-2024-12-1a2b3c4d`.
//!
//! An `.idx` file is a 32-byte header followed by `count` entries:
//!
//! | offset | size | field                                        |
//! | ------ | ---- | -------------------------------------------- |
//! | 0      | 8    | magic `b"SPOORIDX"`                          |
//! | 8      | 4    | layout version, u32 LE (1)                   |
//! | 12     | 4    | digest width in bytes, u32 LE (16, 20 or 32) |
//! | 16     | 8    | entry count, u64 LE                          |
//! | 24     | 8    | zero padding                                 |
//!
//! Each entry is the raw digest bytes followed by the record number (u32
//! LE, 0-based index into `records.off`). Entries are sorted by digest bytes,
//! then by record number; duplicates are kept, since two records may list the
//! same digest. A table is only written for a digest kind that has entries;
//! the manifest's `digest_counts` says which ones exist and how many entries
//! each has, and loading checks every header against it.
//!
//! Files are written once inside the temporary folder, fsynced, and the
//! folder is renamed into `sets/`: a set is either complete or absent, and a
//! file is never modified in place (which is what makes memory-mapping them
//! sound).

mod error;
mod format;
mod index;
mod library;
mod matcher;
mod records;
mod source;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use error::{Error, Result};
pub use format::detect_format;
pub use library::Library;
pub use matcher::{ExactMatch, Matcher};

/// Version of the on-disk layout written by this crate.
pub const FORMAT_VERSION: u32 = 1;

/// What a match against a set means for the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SetKind {
    /// Known material of interest: a match is reported.
    Alert,
    /// Known harmless material (e.g. operating-system files): a match lets
    /// the file be set aside.
    Ignore,
}

impl SetKind {
    /// The lower-case name, as in `Display`.
    pub fn as_str(self) -> &'static str {
        match self {
            SetKind::Alert => "alert",
            SetKind::Ignore => "ignore",
        }
    }
}

impl fmt::Display for SetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SetKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<SetKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "alert" => Ok(SetKind::Alert),
            "ignore" => Ok(SetKind::Ignore),
            _ => Err(Error::UnknownValue {
                what: "set kind",
                value: s.to_string(),
                expected: "alert or ignore",
            }),
        }
    }
}

/// A digest algorithm. The order (`Md5 < Sha1 < Sha256`) is also the
/// strength order used to pick the reported match method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestKind {
    /// MD5, 16 bytes.
    Md5,
    /// SHA-1, 20 bytes.
    Sha1,
    /// SHA-256, 32 bytes.
    Sha256,
}

impl DigestKind {
    /// Every kind, weakest first.
    pub const ALL: [DigestKind; 3] = [DigestKind::Md5, DigestKind::Sha1, DigestKind::Sha256];

    /// Digest width in bytes.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(self) -> usize {
        match self {
            DigestKind::Md5 => 16,
            DigestKind::Sha1 => 20,
            DigestKind::Sha256 => 32,
        }
    }

    /// Digest width in hexadecimal digits.
    pub fn hex_len(self) -> usize {
        self.len() * 2
    }

    /// The lower-case name, as in `Display`.
    pub fn as_str(self) -> &'static str {
        match self {
            DigestKind::Md5 => "md5",
            DigestKind::Sha1 => "sha1",
            DigestKind::Sha256 => "sha256",
        }
    }
}

impl fmt::Display for DigestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DigestKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<DigestKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md5" => Ok(DigestKind::Md5),
            "sha1" | "sha-1" => Ok(DigestKind::Sha1),
            "sha256" | "sha-256" => Ok(DigestKind::Sha256),
            _ => Err(Error::UnknownValue {
                what: "digest kind",
                value: s.to_string(),
                expected: "md5, sha1 or sha256",
            }),
        }
    }
}

/// A hash-list source format. "auto" is expressed as `Option<Format>::None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `md5sum` output: 32 hex digits, then optionally `  name` or ` *name`.
    Md5sum,
    /// `sha1sum` output: 40 hex digits.
    Sha1sum,
    /// `sha256sum` output: 64 hex digits.
    Sha256sum,
    /// CSV with a header row naming its hash columns.
    Csv,
}

impl Format {
    /// Every format, in `Display` order.
    pub const ALL: [Format; 4] = [
        Format::Md5sum,
        Format::Sha1sum,
        Format::Sha256sum,
        Format::Csv,
    ];

    /// The lower-case name, as in `Display`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Md5sum => "md5sum",
            Format::Sha1sum => "sha1sum",
            Format::Sha256sum => "sha256sum",
            Format::Csv => "csv",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md5sum" => Ok(Format::Md5sum),
            "sha1sum" => Ok(Format::Sha1sum),
            "sha256sum" => Ok(Format::Sha256sum),
            "csv" => Ok(Format::Csv),
            _ => Err(Error::UnknownValue {
                what: "hash-list format",
                value: s.to_string(),
                expected: "md5sum, sha1sum, sha256sum or csv",
            }),
        }
    }
}

/// How to import one source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    /// Name of the set, e.g. "NSRL". Must not be empty.
    pub name: String,
    /// Version of the set, e.g. "2024.12". `Some("")` is treated as `None`.
    pub version: Option<String>,
    /// Alert or ignore.
    pub kind: SetKind,
    /// The source format; `None` detects it from the content.
    pub format: Option<Format>,
}

/// Description of one imported set, as stored in its `manifest.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetInfo {
    /// Stable folder name: slug of name and version plus 8 hex digits of the
    /// source's SHA-256.
    pub id: String,
    /// Name given at import.
    pub name: String,
    /// Version given at import.
    pub version: Option<String>,
    /// Alert or ignore.
    pub kind: SetKind,
    /// Format the source was read as.
    pub format: Format,
    /// File name of the imported source (lossy UTF-8).
    pub source_name: String,
    /// Lower-case hex SHA-256 of the source file's bytes.
    pub source_sha256: String,
    /// Records (lines or rows) imported.
    pub record_count: u64,
    /// Entries per digest table; a kind with no entry is absent.
    pub digest_counts: BTreeMap<DigestKind, u64>,
    /// Import time, UTC, ISO-8601 with `Z`, e.g. `2026-12-01T04:13:14Z`.
    pub imported_utc: String,
    /// On-disk layout version ([`FORMAT_VERSION`]).
    pub format_version: u32,
}

/// What one line of a source said, kept for the case and the report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// 1-based line in the source (for CSV, the line where the row starts).
    pub line: u64,
    /// MD5 as listed, lower-case hex.
    pub md5: Option<String>,
    /// SHA-1 as listed, lower-case hex.
    pub sha1: Option<String>,
    /// SHA-256 as listed, lower-case hex.
    pub sha256: Option<String>,
    /// File name column, or the md5sum name.
    pub name: Option<String>,
    /// Raw category value as written; `None` when absent or empty.
    pub category: Option<String>,
    /// Other CSV columns, verbatim, keyed by their header.
    pub extra: BTreeMap<String, String>,
}

impl Record {
    /// The listed digest of one kind, lower-case hex.
    pub fn digest(&self, kind: DigestKind) -> Option<&str> {
        match kind {
            DigestKind::Md5 => self.md5.as_deref(),
            DigestKind::Sha1 => self.sha1.as_deref(),
            DigestKind::Sha256 => self.sha256.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_through_display_and_from_str() {
        for kind in [SetKind::Alert, SetKind::Ignore] {
            assert_eq!(kind.to_string().parse::<SetKind>().ok(), Some(kind));
        }
        for kind in DigestKind::ALL {
            assert_eq!(kind.to_string().parse::<DigestKind>().ok(), Some(kind));
        }
        for format in Format::ALL {
            assert_eq!(format.to_string().parse::<Format>().ok(), Some(format));
        }
        assert_eq!(
            "SHA-256".parse::<DigestKind>().ok(),
            Some(DigestKind::Sha256)
        );
        assert_eq!(SetKind::Alert.to_string(), "alert");
        assert_eq!(Format::Sha256sum.to_string(), "sha256sum");
        let err = "auto".parse::<Format>().expect_err("auto is not a format");
        assert_eq!(err.code(), "unknown_value");
        assert!(err.to_string().contains("\"auto\""), "{err}");
    }

    #[test]
    fn digest_widths() {
        assert_eq!(DigestKind::Md5.len(), 16);
        assert_eq!(DigestKind::Sha1.len(), 20);
        assert_eq!(DigestKind::Sha256.len(), 32);
        assert_eq!(DigestKind::Sha1.hex_len(), 40);
        assert!(DigestKind::Sha256 > DigestKind::Sha1 && DigestKind::Sha1 > DigestKind::Md5);
    }

    #[test]
    fn serde_names_are_lower_case() {
        let json = serde_json::to_string(&(SetKind::Ignore, DigestKind::Sha1, Format::Csv))
            .expect("serialise");
        assert_eq!(json, r#"["ignore","sha1","csv"]"#);
    }
}
