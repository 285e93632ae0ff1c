//! The crate's error type.

use std::io;
use std::path::{Path, PathBuf};

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong while importing, listing or loading hash sets.
///
/// Every variant that comes from the file system carries the path involved.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file or folder failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// A line (or CSV row) of an imported source could not be parsed.
    /// The import is abandoned and nothing is added to the library.
    #[error("{} line {line}: {reason}", path.display())]
    Parse {
        /// The source file being imported.
        path: PathBuf,
        /// 1-based line number in the source.
        line: u64,
        /// What was wrong with it.
        reason: String,
    },

    /// A record of a binary or JSON source could not be parsed, at a byte
    /// offset. The import is abandoned and nothing is added.
    #[error("{} byte {offset}{}: {reason}", path.display(), line.map(|l| format!(" (line {l})")).unwrap_or_default())]
    ParseAt {
        /// The source file being imported.
        path: PathBuf,
        /// 0-based byte offset in the source where the bad part starts.
        offset: u64,
        /// 1-based line of that byte, when the source is text.
        line: Option<u64>,
        /// What was wrong.
        reason: String,
    },

    /// An SQLite source (NSRL RDS v3, Sleuth Kit `.kdb`) could not be read.
    #[error("{}: {reason}", path.display())]
    Database {
        /// The source file.
        path: PathBuf,
        /// What went wrong (SQLite's message, or a missing table).
        reason: String,
    },

    /// A stored set was written by an older layout this build no longer
    /// reads.
    #[error(
        "hash set \"{name}\" ({id}) was imported with layout version {version}, which this build \
         no longer reads (it reads {current}): remove it and import its source again"
    )]
    OldLayout {
        /// Name of the set.
        name: String,
        /// Its folder id.
        id: String,
        /// The layout it was written with.
        version: u32,
        /// The layout this build reads.
        current: u32,
    },

    /// A set with the same name and version is already in the library.
    #[error("hash set {} is already imported", describe(name, version.as_deref()))]
    AlreadyExists {
        /// Name of the set.
        name: String,
        /// Version of the set, if any.
        version: Option<String>,
    },

    /// No set with this name (and version) is in the library.
    #[error("no hash set {} in the library", describe(name, version.as_deref()))]
    NotFound {
        /// Name (or id) asked for.
        name: String,
        /// Version asked for, if any.
        version: Option<String>,
    },

    /// A name without a version matches several sets.
    #[error(
        "hash set \"{name}\" has several versions ({}); name the version",
        versions.join(", ")
    )]
    Ambiguous {
        /// Name asked for.
        name: String,
        /// The versions present (`(none)` for a set without version).
        versions: Vec<String>,
    },

    /// The library folder is unusable (not a folder, bad layout, ...).
    #[error("hash-set library {}: {reason}", path.display())]
    Library {
        /// The library root or a folder inside it.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// A stored set's files are damaged or of an unknown layout version.
    #[error("hash set files {}: {reason}", path.display())]
    Corrupt {
        /// The damaged file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// The source's format could not be detected from its content.
    #[error(
        "{}: cannot detect the hash-list format (expected VICS JSON, NSRL, HashKeeper, EnCase, Sleuth Kit, md5sum, sha1sum, sha256sum or CSV with a hash column); name the format",
        path.display()
    )]
    UndetectableFormat {
        /// The source file.
        path: PathBuf,
    },

    /// The source is of a format this version does not import.
    #[error("{}: unsupported format: {reason}", path.display())]
    UnsupportedFormat {
        /// The source file.
        path: PathBuf,
        /// Why it is not supported.
        reason: String,
    },

    /// The source held no record at all (only blank or comment lines).
    #[error("{}: no hash records found; nothing imported", path.display())]
    EmptySet {
        /// The source file.
        path: PathBuf,
    },

    /// An import option is invalid (empty name, ...).
    #[error("invalid import option: {0}")]
    InvalidOptions(String),

    /// A string did not name a known kind, digest or format.
    #[error("unknown {what} \"{value}\" (expected {expected})")]
    UnknownValue {
        /// What was being parsed ("set kind", "digest kind", "format").
        what: &'static str,
        /// The text given.
        value: String,
        /// The accepted values.
        expected: &'static str,
    },
}

impl Error {
    /// Shorthand for an [`Error::Io`] with its path.
    pub(crate) fn io(path: impl AsRef<Path>, source: io::Error) -> Error {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// Shorthand for an [`Error::Corrupt`].
    pub(crate) fn corrupt(path: impl AsRef<Path>, reason: impl Into<String>) -> Error {
        Error::Corrupt {
            path: path.as_ref().to_path_buf(),
            reason: reason.into(),
        }
    }

    /// A stable, machine-readable code for this error, for the CLI's exit
    /// status and the desktop shell's `{ code, message }` error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::Parse { .. } | Error::ParseAt { .. } => "parse",
            Error::Database { .. } => "database",
            Error::OldLayout { .. } => "old_layout",
            Error::AlreadyExists { .. } => "already_exists",
            Error::NotFound { .. } => "not_found",
            Error::Ambiguous { .. } => "ambiguous",
            Error::Library { .. } => "library",
            Error::Corrupt { .. } => "corrupt",
            Error::UndetectableFormat { .. } => "undetectable_format",
            Error::UnsupportedFormat { .. } => "unsupported_format",
            Error::EmptySet { .. } => "empty_set",
            Error::InvalidOptions(_) => "invalid_options",
            Error::UnknownValue { .. } => "unknown_value",
        }
    }
}

fn describe(name: &str, version: Option<&str>) -> String {
    match version {
        Some(v) => format!("\"{name}\" version \"{v}\""),
        None => format!("\"{name}\""),
    }
}
