use std::path::PathBuf;

/// Everything that can go wrong with a case file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: not a Spoor case file ({reason})")]
    NotACase { path: PathBuf, reason: String },
    #[error("{path}: the case file is damaged ({reason})")]
    Damaged { path: PathBuf, reason: String },
    #[error(
        "{path}: case format {found} was written by a newer Spoor; this build reads formats up to {supported}. Use a newer Spoor."
    )]
    NewerFormat { path: PathBuf, found: u32, supported: u32 },
    #[error("{path}: a case file already exists there")]
    AlreadyExists { path: PathBuf },
    #[error("{path}: no case file there")]
    NotFound { path: PathBuf },
    #[error("{path}: the case is in use by another Spoor process (a scan may be running); try again when it has finished")]
    Busy { path: PathBuf },
    #[error("{path}: the case file could not be written (the disk is full, or a write failed); nothing of the last step was written and the case is as it was before it")]
    DiskFull { path: PathBuf },
    #[error("evidence item {0:?} already exists in this case")]
    DuplicateEvidence(String),
    #[error("no evidence item {0:?} in this case")]
    UnknownEvidence(String),
    #[error("invalid value: {0}")]
    Invalid(String),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("case database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("case data: {0}")]
    Json(#[from] serde_json::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T> = std::result::Result<T, Error>;
