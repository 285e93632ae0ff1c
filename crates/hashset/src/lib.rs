//! Hash-set library: known-material hash lists, imported once, looked up by
//! every scan.
//!
//! An examiner imports a hash list into a [`Library`] folder as an *alert*
//! or *ignore* set. A scan then [`Library::load`]s the sets into a
//! [`Matcher`] and calls [`Matcher::lookup`] with each file's three digests.
//!
//! Sources ([`Format`], detected from the content with `format: None`):
//! VICS JSON 1.x and 2.0 (Project VIC) and its UK profile (CAID), NSRL RDS v3
//! (SQLite) and RDS 2.x (`NSRLFile.txt`), HashKeeper `.hsh`, EnCase `.hash`,
//! Sleuth Kit `.idx` and `.kdb`, md5sum / sha1sum / sha256sum text and CSV.
//! Every importer streams: a source of several GB is never held in memory.
//!
//! Sets can hold tens of millions of records, so nothing is parsed at load
//! time: every digest kind is a sorted table of fixed-width entries that is
//! memory-mapped and searched in place; matched records are fetched one by
//! one through an offset table.
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
//!     ..ImportOptions::default()
//! })?;
//! assert_eq!(info.record_count, 1);
//! assert_eq!(info.importer_version, "spoor-hashset 0.1.0 md5sum");
//!
//! let matcher = library.load(&[])?;
//! let md5: [u8; 16] = hex::decode("900150983cd24fb0d6963f7d28e17f72")?.try_into().expect("16 bytes");
//! let hits = matcher.lookup(&md5, &[0; 20], &[0; 32])?;
//! assert_eq!(hits.len(), 1);
//! assert_eq!(hits[0].record.name.as_deref(), Some("abc.txt"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Duplicates and conflicts
//!
//! Records that list exactly the same digests (the same MD5, SHA-1 and
//! SHA-256, each present or absent alike) describe the same content and are
//! merged into one record: the first record in source order is kept, the
//! file names of the others are added to [`Record::other_names`], tags are
//! united, and any field the first left empty is taken from the next that
//! has it. [`Record::merged`] counts the records folded in. When two of them
//! give different categories, the first one stays in [`Record::category`],
//! the others go to [`Record::other_categories`], and the import reports a
//! [`Conflict`] ([`Library::import_with_report`]); the conflicts are also
//! kept in the set folder (`conflicts.jsonl`). Records that share only some
//! digests (an MD5-only line and an MD5+SHA-1 line for the same MD5) stay
//! separate records, and a lookup returns both.
//!
//! # Categories and profiles
//!
//! A category is stored raw, as the source wrote it (`"0"` is a value,
//! absent or `null` is `None`), with the set's profile ([`SetInfo::profile`]:
//! `US`, `UK`, `CUSTOM` or `Default`, from the VICS header). The display name
//! comes from the table the set was imported with ([`SetInfo::categories`],
//! built by [`Profile::category_names`]); [`Matcher::lookup`] fills in
//! [`Record::category_name`]. For the UK profile (CAID) the numeric codes
//! are not public: the default ([`CaidGrades::default`]) is `1` = Category A,
//! `2` = Category B, `3` = Category C, `0` = non-indecent, and an import can
//! change it through [`ImportOptions::caid_grades`].
//!
//! # PDQ sets
//!
//! A set imported with [`Format::Pdq`] (a plain list of `hash` or
//! `hash,quality` lines, or a CSV with a PDQ column; detected from the
//! content) holds picture fingerprints, matched by Hamming distance rather
//! than equality: [`SetInfo::fingerprint`] describes it, its folder holds
//! [`PDQ_INDEX_FILE`] (a [`spoor_pdq::index`] multi-index-hashing index,
//! entry `i` = record `i`) instead of digest tables, and
//! [`Matcher::pdq_lookup`] searches it with the eight dihedral variants of
//! a picture's hash. Records keep source order (a hash listed twice is two
//! records) and carry [`Record::pdq`] and [`Record::pdq_quality`]; import,
//! list, verify, remove and export (`pdq` lines or CSV) work as for every
//! set.
//!
//! # On-disk layout (format version 2)
//!
//! ```text
//! <root>/
//!   .lock                  advisory lock, held by import and remove
//!   .tmp-XXXXXX/           an import in progress (or a crashed one: removed
//!                          by the next open or import, ignored by list/load);
//!                          also holds the sort runs of a large import
//!   sets/<id>/             one imported set, moved here by a single rename
//!     manifest.json        the SetInfo as JSON (format_version = 2)
//!     md5.idx              sorted digest tables, one per digest kind present
//!     sha1.idx
//!     sha256.idx
//!     records.jsonl        one JSON Record per line, in digest order
//!     records.off          u64 LE byte offset into records.jsonl per record
//!     records.sum          block checksums of records.jsonl and records.off
//!     conflicts.jsonl      category conflicts found at import (maybe empty)
//!     pdq.idx              PDQ sets only, instead of the digest tables and
//!                          conflicts: the near-match index
//! ```
//!
//! `<id>` is a slug of the name and version plus the first 8 hex digits of
//! the source's SHA-256, e.g. `nsrl-2024-12-1a2b3c4d`.
//!
//! An `.idx` file is a 64-byte header, the entries, a fan-out table and the
//! block checksums:
//!
//! | offset | size | field                                               |
//! | ------ | ---- | --------------------------------------------------- |
//! | 0      | 8    | magic `b"SPOORIDX"`                                 |
//! | 8      | 4    | layout version, u32 LE (2)                          |
//! | 12     | 4    | digest width in bytes, u32 LE (16, 20 or 32)        |
//! | 16     | 8    | entry count, u64 LE                                 |
//! | 24     | 4    | checksum block size, u32 LE (65536)                 |
//! | 28     | 4    | fan-out bits `b`, u32 LE (0 to 24)                  |
//! | 32     | 8    | offset of the fan-out table, u64 LE                 |
//! | 40     | 8    | offset of the block checksums, u64 LE               |
//! | 48     | 4    | CRC-32 of the block checksums, u32 LE               |
//! | 52     | 8    | zero                                                |
//! | 60     | 4    | CRC-32 of bytes 0..60, u32 LE                       |
//!
//! Each entry (from offset 64) is the raw digest bytes followed by the
//! record number (u32 LE, 0-based index into `records.off`), sorted by
//! digest bytes, then record number. The fan-out table holds `2^b + 1`
//! u32 LE entry indexes: entry `i` of the table is the first entry whose top
//! `b` digest bits are `>= i`; `b` is chosen for buckets of 16 to 32
//! entries (tables written before chose 4 to 8; both read alike), and a
//! lookup starts at the entry interpolated inside its bucket. The block checksums are one CRC-32 per 64 KiB block of the bytes
//! from offset 64 to the checksums (entries and fan-out). The header and the
//! checksum list are checked when a table is opened (microseconds, not a
//! read of the table); each block is checked the first time a lookup
//! touches it, and remembered in a bitmap, so a damaged table gives an
//! error, never a wrong answer. [`Library::verify_set`] checks every block.
//!
//! `records.sum` is a 64-byte header (magic `b"SPOORSUM"`, version, block
//! size, the byte lengths of `records.jsonl` and `records.off`, a CRC-32 of
//! the checksum lists and of the header) followed by one CRC-32 per 64 KiB
//! block of `records.jsonl`, then of `records.off`; a record is checked
//! the same way when it is first read.
//!
//! Files are written once inside the temporary folder, fsynced, and the
//! folder is renamed into `sets/`: a set is either complete or absent, and a
//! file is never modified in place (which is what makes memory-mapping them
//! sound). Sets of layout version 1 are listed but not loaded: the error
//! says to remove and import them again.
//!
//! # Import pipeline
//!
//! Parsing streams records into an external merge sort keyed by the
//! record's digests: sorted runs of at most [`ImportOptions::sort_memory`]
//! bytes are written to the import's temporary folder, then merged. The
//! merge meets duplicates side by side (and merges them), writes the
//! records in digest order and the MD5 table directly; the SHA-1 and SHA-256
//! tables get their own bounded external sort when they do not come out in
//! order. Memory stays bounded whatever the size of the source.

mod checked;
mod error;
mod export;
mod format;
mod index;
mod library;
mod matcher;
mod pdq;
mod records;
mod sort;
mod source;
mod vpdq;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use error::{Error, Result};
pub use format::detect_format;
pub use library::{ImportProgress, Library, VerifyReport, detect_file_format};
pub use matcher::{ExactMatch, FileDigests, Matcher, RecordRef};
pub use pdq::{PDQ_INDEX_FILE, PdqMatch};
pub use vpdq::{KnownVideo, VpdqHit};

/// Version of the on-disk layout written by this crate.
pub const FORMAT_VERSION: u32 = 2;

/// The importer's name and version, the start of [`SetInfo::importer_version`].
pub const IMPORTER: &str = concat!("spoor-hashset ", env!("CARGO_PKG_VERSION"));

/// Default for [`ImportOptions::sort_memory`]: 256 MiB.
pub const DEFAULT_SORT_MEMORY: usize = 256 << 20;

/// What a match against a set means for the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Format {
    /// `md5sum` output: 32 hex digits, then optionally `  name` or ` *name`.
    #[serde(rename = "md5sum")]
    Md5sum,
    /// `sha1sum` output: 40 hex digits.
    #[serde(rename = "sha1sum")]
    Sha1sum,
    /// `sha256sum` output: 64 hex digits.
    #[serde(rename = "sha256sum")]
    Sha256sum,
    /// CSV with a header row naming its hash columns.
    #[serde(rename = "csv")]
    Csv,
    /// VICS JSON (Project VIC) 1.x or 2.0, any profile.
    #[serde(rename = "vics")]
    Vics,
    /// VICS JSON 2.0 with the UK profile: the UK Child Abuse Image Database.
    #[serde(rename = "caid")]
    Caid,
    /// NIST NSRL RDS v3: an SQLite database with a `FILE` table.
    #[serde(rename = "nsrl-rds3")]
    NsrlRds3,
    /// NIST NSRL RDS 2.x `NSRLFile.txt` (quoted CSV, either column order).
    #[serde(rename = "nsrl-rds2")]
    NsrlRds2,
    /// HashKeeper `.hsh`: CSV whose MD5 column is named `hash`.
    #[serde(rename = "hashkeeper")]
    HashKeeper,
    /// EnCase `.hash`: binary MD5 hash set.
    #[serde(rename = "encase")]
    EnCase,
    /// Sleuth Kit `.idx`: sorted `digest|offset` lines.
    #[serde(rename = "tsk-idx")]
    TskIdx,
    /// Sleuth Kit `.kdb`: SQLite hash database.
    #[serde(rename = "tsk-kdb")]
    TskKdb,
    /// PDQ picture fingerprints: a plain list (`hash` or `hash,quality` per
    /// line) or a CSV with a PDQ column. Matched by Hamming distance, not
    /// exactly (see the crate docs on PDQ sets).
    #[serde(rename = "pdq")]
    Pdq,
    /// vPDQ frame lists (`frame,quality,hash,timestamp` lines): one file per
    /// video, or a folder of them.
    #[serde(rename = "vpdq")]
    Vpdq,
}

impl Format {
    /// Every format, in `Display` order.
    pub const ALL: [Format; 14] = [
        Format::Md5sum,
        Format::Sha1sum,
        Format::Sha256sum,
        Format::Csv,
        Format::Vics,
        Format::Caid,
        Format::NsrlRds3,
        Format::NsrlRds2,
        Format::HashKeeper,
        Format::EnCase,
        Format::TskIdx,
        Format::TskKdb,
        Format::Pdq,
        Format::Vpdq,
    ];

    /// Formats [`Library::export`] writes (`pdq` for PDQ sets, `vpdq` for sets of known videos).
    pub const EXPORTS: [Format; 5] = [Format::Vics, Format::Md5sum, Format::Csv, Format::Pdq, Format::Vpdq];

    /// The lower-case name, as in `Display`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Md5sum => "md5sum",
            Format::Sha1sum => "sha1sum",
            Format::Sha256sum => "sha256sum",
            Format::Csv => "csv",
            Format::Vics => "vics",
            Format::Caid => "caid",
            Format::NsrlRds3 => "nsrl-rds3",
            Format::NsrlRds2 => "nsrl-rds2",
            Format::HashKeeper => "hashkeeper",
            Format::EnCase => "encase",
            Format::TskIdx => "tsk-idx",
            Format::TskKdb => "tsk-kdb",
            Format::Pdq => "pdq",
            Format::Vpdq => "vpdq",
        }
    }

    /// The kind a set of this format is imported as when none is given:
    /// `Some(Ignore)` for NSRL (known software), `None` (must be given) for
    /// the rest.
    pub fn default_kind(self) -> Option<SetKind> {
        match self {
            Format::NsrlRds3 | Format::NsrlRds2 => Some(SetKind::Ignore),
            _ => None,
        }
    }

    /// Is the source an SQLite database (read by path, not streamed)?
    pub fn is_sqlite(self) -> bool {
        matches!(self, Format::NsrlRds3 | Format::TskKdb)
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
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == wanted)
            .ok_or_else(|| Error::UnknownValue {
                what: "hash-list format",
                value: s.to_string(),
                expected: "md5sum, sha1sum, sha256sum, csv, vics, caid, nsrl-rds3, nsrl-rds2, \
                           hashkeeper, encase, tsk-idx, tsk-kdb, pdq or vpdq",
            })
    }
}

/// A VICS category profile: which scheme a set's raw category numbers
/// follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Profile {
    /// Project VIC US categories 0–4 (also used by VICS 1.x, which predates
    /// profiles).
    #[serde(rename = "US")]
    Us,
    /// UK: CAID grades A, B, C and non-indecent.
    #[serde(rename = "UK")]
    Uk,
    /// A unit's own scheme: categories have no built-in names.
    #[serde(rename = "CUSTOM")]
    Custom,
    /// The VICS 2.0 `Default` profile, named like the US scheme.
    #[serde(rename = "Default")]
    Default,
}

impl Profile {
    /// The name as in the VICS header (`US`, `UK`, `CUSTOM`, `Default`).
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Us => "US",
            Profile::Uk => "UK",
            Profile::Custom => "CUSTOM",
            Profile::Default => "Default",
        }
    }

    /// The display names of this profile's raw categories; `caid` gives the
    /// UK numbers. Empty for [`Profile::Custom`].
    pub fn category_names(self, caid: &CaidGrades) -> BTreeMap<String, String> {
        match self {
            Profile::Us | Profile::Default => US_CATEGORIES
                .iter()
                .map(|(raw, name)| (raw.to_string(), name.to_string()))
                .collect(),
            Profile::Uk => caid.names(),
            Profile::Custom => BTreeMap::new(),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Profile {
    type Err = Error;

    fn from_str(s: &str) -> Result<Profile> {
        match s.trim().to_ascii_lowercase().as_str() {
            "us" => Ok(Profile::Us),
            "uk" | "caid" => Ok(Profile::Uk),
            "custom" => Ok(Profile::Custom),
            "default" => Ok(Profile::Default),
            _ => Err(Error::UnknownValue {
                what: "category profile",
                value: s.to_string(),
                expected: "US, UK, CUSTOM or Default",
            }),
        }
    }
}

/// Project VIC US category names (as Autopsy's image gallery names them).
pub const US_CATEGORIES: [(&str, &str); 5] = [
    ("0", "non-pertinent"),
    ("1", "child abuse material (CAM)"),
    ("2", "child exploitive (non-CAM) / age difficult"),
    ("3", "CGI / animation"),
    ("4", "comparison images"),
];

/// Which raw category value of a UK-profile (CAID) set means which grade.
///
/// No public source gives CAID's numeric codes, so this is a setting. The
/// default, `1` = A, `2` = B, `3` = C, `0` = non-indecent, follows the US
/// scheme's habit of `0` for "not of interest" and numbers the grades in
/// order of severity; change it when your CAID export says otherwise.
/// Letters (`A`, `Category B`, `non-indecent`) written as the category are
/// recognised whatever the mapping.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaidGrades {
    /// Raw value meaning Category A.
    pub a: String,
    /// Raw value meaning Category B.
    pub b: String,
    /// Raw value meaning Category C.
    pub c: String,
    /// Raw value meaning non-indecent.
    pub non_indecent: String,
}

impl Default for CaidGrades {
    fn default() -> Self {
        CaidGrades {
            a: "1".into(),
            b: "2".into(),
            c: "3".into(),
            non_indecent: "0".into(),
        }
    }
}

impl CaidGrades {
    /// Raw value → display name, including the textual forms.
    pub fn names(&self) -> BTreeMap<String, String> {
        let mut names = BTreeMap::new();
        for (raw, name) in [
            ("A", "Category A"),
            ("B", "Category B"),
            ("C", "Category C"),
            ("Category A", "Category A"),
            ("Category B", "Category B"),
            ("Category C", "Category C"),
            ("non-indecent", "non-indecent"),
            ("Non-Indecent", "non-indecent"),
        ] {
            names.insert(raw.to_string(), name.to_string());
        }
        names.insert(self.a.clone(), "Category A".into());
        names.insert(self.b.clone(), "Category B".into());
        names.insert(self.c.clone(), "Category C".into());
        names.insert(self.non_indecent.clone(), "non-indecent".into());
        names
    }
}

/// The display name of a raw category under a profile (`US`, `UK`,
/// `CUSTOM`, `Default`, case-insensitive), with the default CAID mapping.
/// `None` for an unknown profile or a value the profile does not name.
///
/// ```
/// assert_eq!(spoor_hashset::category_name("US", "1"), Some("child abuse material (CAM)".into()));
/// assert_eq!(spoor_hashset::category_name("UK", "2"), Some("Category B".into()));
/// assert_eq!(spoor_hashset::category_name("CUSTOM", "2"), None);
/// ```
pub fn category_name(profile: &str, raw: &str) -> Option<String> {
    let profile: Profile = profile.parse().ok()?;
    profile
        .category_names(&CaidGrades::default())
        .remove(raw.trim())
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
    /// Raw values of the CAID grades, for UK-profile sets.
    pub caid_grades: CaidGrades,
    /// Memory for sorting, in bytes: larger imports sort in runs on disk.
    /// At least 64 KiB is used.
    pub sort_memory: usize,
}

impl Default for ImportOptions {
    /// An unnamed alert set of a detected format; for `..Default::default()`.
    fn default() -> Self {
        ImportOptions {
            name: String::new(),
            version: None,
            kind: SetKind::Alert,
            format: None,
            caid_grades: CaidGrades::default(),
            sort_memory: DEFAULT_SORT_MEMORY,
        }
    }
}

/// Description of one imported set, as stored in its `manifest.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// Records imported (after merging duplicates).
    pub record_count: u64,
    /// Entries per digest table; a kind with no entry is absent.
    pub digest_counts: BTreeMap<DigestKind, u64>,
    /// Import time, UTC, ISO-8601 with `Z`, e.g. `2026-12-01T04:13:14Z`.
    pub imported_utc: String,
    /// On-disk layout version ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// The category profile (`US`, `UK`, `CUSTOM`, `Default`) of a VICS or
    /// CAID set; `None` for formats without one.
    #[serde(default)]
    pub profile: Option<String>,
    /// The importer and the source variant it read, e.g.
    /// `spoor-hashset 0.1.0 vics-2.0`. Empty in manifests written before
    /// this field existed.
    #[serde(default)]
    pub importer_version: String,
    /// Raw category → display name, as in force at import (see the crate
    /// docs on profiles).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub categories: BTreeMap<String, String>,
    /// A title carried inside the source (the EnCase set name, the Sleuth
    /// Kit index name, the NSRL version), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_title: Option<String>,
    /// Source records folded into another record with the same digests.
    #[serde(default)]
    pub duplicates_merged: u64,
    /// Digests whose records gave different categories (see
    /// `conflicts.jsonl`).
    #[serde(default)]
    pub conflict_count: u64,
    /// The perceptual fingerprints the set is matched by, when it is a
    /// fingerprint set (PDQ) rather than a set of exact digests; absent for
    /// digest sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<FingerprintInfo>,
    /// Known videos with vPDQ frame lists (`vpdq.jsonl`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub vpdq_videos: u64,
}

impl SetInfo {
    /// The formats [`Library::export`] writes this set in: a PDQ set as a
    /// PDQ list or CSV, any other set as VICS, md5sum, CSV or vPDQ text
    /// (its known videos).
    pub fn export_formats(&self) -> &'static [Format] {
        if self.fingerprint.is_some() {
            &[Format::Pdq, Format::Csv]
        } else {
            &[Format::Vics, Format::Md5sum, Format::Csv, Format::Vpdq]
        }
    }
}

/// A kind of perceptual fingerprint a set can hold. Each kind has its own
/// on-disk index in the set folder and its own lookup; exact digest tables
/// and records work the same for every set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum FingerprintKind {
    /// PDQ picture hashes (256 bits + quality), in a multi-index-hashing
    /// index (`pdq.idx`, [`spoor_pdq::index`]).
    Pdq,
}

impl FingerprintKind {
    /// The lower-case name, as in `Display`.
    pub fn as_str(self) -> &'static str {
        match self {
            FingerprintKind::Pdq => "pdq",
        }
    }
}

impl fmt::Display for FingerprintKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a fingerprint set's index holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FingerprintInfo {
    /// Which fingerprint.
    pub kind: FingerprintKind,
    /// Fingerprints in the index (one per record).
    pub count: u64,
    /// Of those, how many are under the reference's matching quality (50):
    /// kept, but not matched at the default minimum quality.
    pub low_quality: u64,
    /// The index file's layout version.
    pub index_version: u32,
}

/// What one record (line, row, Media entry) of a source said, kept for the
/// case and the report. Fields added after layout 1 are optional and left
/// out of the JSON when empty, so records of md5sum and CSV lists read the
/// same as before.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// 1-based line in the source (for CSV, the line where the row starts;
    /// for JSON, the line where the Media object starts; for SQLite and
    /// EnCase sources, the 1-based row or entry number).
    pub line: u64,
    /// MD5 as listed, lower-case hex.
    pub md5: Option<String>,
    /// SHA-1 as listed, lower-case hex.
    pub sha1: Option<String>,
    /// SHA-256 as listed, lower-case hex.
    pub sha256: Option<String>,
    /// The first file name the source gave (md5sum name, CSV name column,
    /// first VICS `MediaFiles` name, NSRL file name).
    pub name: Option<String>,
    /// Raw category value as written; `None` when absent, null or empty.
    pub category: Option<String>,
    /// Other columns and fields, verbatim, keyed by their header or name.
    pub extra: BTreeMap<String, String>,
    /// Display name of the category under the set's profile; filled in by
    /// lookups, never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_name: Option<String>,
    /// VICS `Series`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    /// VICS `VictimIdentified`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub victim_identified: Option<bool>,
    /// VICS `OffenderIdentified`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offender_identified: Option<bool>,
    /// VICS `IsDistributed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_distributed: Option<bool>,
    /// VICS `IsPrecategorized`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_precategorized: Option<bool>,
    /// VICS `Tags`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// VICS `Comments` (Sleuth Kit comments too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
    /// PhotoDNA as listed (base64), stored and exported, never computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photodna: Option<String>,
    /// Size in bytes of the listed content (VICS `MediaSize`, NSRL file
    /// size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_size: Option<u64>,
    /// Further file names for the same content, in source order, without
    /// repeats: VICS `MediaFiles` beyond the first, names of merged
    /// duplicates. At most [`MAX_NAMES`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_names: Vec<String>,
    /// PDQ hash as listed (64 lower-case hex digits), for PDQ sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdq: Option<String>,
    /// Its quality (0..=100; 100 for a bare hash, see
    /// [`spoor_pdq::index::BARE_HASH_QUALITY`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdq_quality: Option<u8>,
    /// Names left out of `other_names` beyond [`MAX_NAMES`].
    #[serde(default, skip_serializing_if = "is_zero")]
    pub names_omitted: u64,
    /// Categories that merged duplicates gave besides `category`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_categories: Vec<String>,
    /// Source records merged into this one (0: it stood alone).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub merged: u64,
}

/// Most names kept in [`Record::other_names`]; NSRL lists some contents
/// (the empty file) under millions of names.
pub const MAX_NAMES: usize = 64;

fn is_zero(n: &u64) -> bool {
    *n == 0
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

    /// Every file name: `name`, then `other_names`.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.name
            .iter()
            .chain(self.other_names.iter())
            .map(String::as_str)
    }
}

/// Digests whose records disagree on the category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Conflict {
    /// The strongest digest the records share, as `kind:hex`, e.g.
    /// `md5:900150983cd24fb0d6963f7d28e17f72`.
    pub digest: String,
    /// The distinct categories, in source order.
    pub categories: Vec<String>,
    /// Source lines of the records (at most 100).
    pub lines: Vec<u64>,
}

/// What an import did besides adding the set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    /// Source records folded into another record with the same digests.
    pub duplicates_merged: u64,
    /// Category conflicts (the first [`MAX_REPORTED_CONFLICTS`]; all of
    /// them are in the set's `conflicts.jsonl`).
    pub conflicts: Vec<Conflict>,
    /// How many conflicts there were in all.
    pub conflict_count: u64,
}

/// Most conflicts returned in an [`ImportReport`].
pub const MAX_REPORTED_CONFLICTS: usize = 1000;

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
            let json = serde_json::to_string(&format).expect("serialise");
            assert_eq!(json, format!("\"{format}\""));
        }
        for profile in [Profile::Us, Profile::Uk, Profile::Custom, Profile::Default] {
            assert_eq!(profile.to_string().parse::<Profile>().ok(), Some(profile));
        }
        assert_eq!(
            "SHA-256".parse::<DigestKind>().ok(),
            Some(DigestKind::Sha256)
        );
        assert_eq!("NSRL_RDS3".parse::<Format>().ok(), Some(Format::NsrlRds3));
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

    #[test]
    fn category_names_per_profile() {
        assert_eq!(category_name("us", "0").as_deref(), Some("non-pertinent"));
        assert_eq!(category_name("Default", "3").as_deref(), Some("CGI / animation"));
        assert_eq!(category_name("UK", "1").as_deref(), Some("Category A"));
        assert_eq!(category_name("UK", "0").as_deref(), Some("non-indecent"));
        assert_eq!(category_name("UK", "Category C").as_deref(), Some("Category C"));
        assert_eq!(category_name("US", "9"), None);
        assert_eq!(category_name("CUSTOM", "1"), None);
        assert_eq!(category_name("nonsense", "1"), None);
        let swapped = CaidGrades {
            a: "3".into(),
            c: "1".into(),
            ..CaidGrades::default()
        };
        let names = Profile::Uk.category_names(&swapped);
        assert_eq!(names.get("3").map(String::as_str), Some("Category A"));
        assert_eq!(names.get("1").map(String::as_str), Some("Category C"));
    }

    #[test]
    fn old_records_and_manifests_still_read() {
        let record: Record = serde_json::from_str(
            r#"{"line":2,"md5":"900150983cd24fb0d6963f7d28e17f72","sha1":null,"sha256":null,"name":"a","category":null,"extra":{}}"#,
        )
        .expect("layout-1 record");
        assert_eq!(record.name.as_deref(), Some("a"));
        assert!(record.tags.is_empty() && record.series.is_none());
        // And a plain record serialises exactly as layout 1 did.
        assert_eq!(
            serde_json::to_string(&record).expect("serialise"),
            r#"{"line":2,"md5":"900150983cd24fb0d6963f7d28e17f72","sha1":null,"sha256":null,"name":"a","category":null,"extra":{}}"#
        );
        let info: SetInfo = serde_json::from_str(
            r#"{"id":"x-1","name":"x","version":null,"kind":"alert","format":"md5sum","source_name":"a","source_sha256":"00","record_count":1,"digest_counts":{"md5":1},"imported_utc":"2026-01-01T00:00:00Z","format_version":1}"#,
        )
        .expect("layout-1 manifest");
        assert_eq!(info.profile, None);
        assert_eq!(info.importer_version, "");
    }
}
