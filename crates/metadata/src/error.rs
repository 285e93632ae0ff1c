//! Why metadata could not be read.

/// Metadata that is there but cannot be read. Absent metadata is not an
/// error (`Ok(None)`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The EXIF block (or the container structure around it) is malformed
    /// or truncated: the reader's reason.
    #[error("damaged EXIF: {0}")]
    Damaged(String),
    /// The EXIF reader panicked on this input (a bug in it, caught).
    #[error("the EXIF reader panicked: {0}")]
    Panicked(String),
}

impl Error {
    /// A stable machine-readable code, for warnings recorded in a case
    /// (stage `metadata`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Damaged(_) => "exif_damaged",
            Error::Panicked(_) => "exif_panicked",
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
