use std::path::PathBuf;

/// Everything that can go wrong making or checking a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Case(#[from] spoor_case::Error),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("invalid filter: {0}")]
    Filter(String),
    #[error("unknown report format {0:?}: use html, pdf, csv or vics")]
    UnknownFormat(String),
    #[error("{path}: the case failed verification ({problem}); a report would vouch for data that cannot be trusted. Run `spoor verify` for details")]
    CaseNotIntact { path: PathBuf, problem: String },
    #[error("{path}: a file already exists there; choose another name or remove it first")]
    OutputExists { path: PathBuf },
    #[error("rendering the {format} report: {message}")]
    Render { format: &'static str, message: String },
    /// A victim-identification export names something it cannot export.
    #[error("{0}")]
    Selection(String),
    #[error("report data: {0}")]
    Json(#[from] serde_json::Error),
}

impl Error {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Error {
        Error::Io { path: path.to_path_buf(), source }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
