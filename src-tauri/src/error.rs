//! The one error type that crosses the IPC boundary.
//!
//! Engine crates keep their own `thiserror` enums; commands convert them into
//! an [`AppError`] whose [`ErrorCode`] is part of the front-end contract.

use std::fmt;

use serde::Serialize;

/// What went wrong, as a stable machine-readable code.
///
/// Serialised as `snake_case` strings (`"internal"`, `"not_found"`...). The UI
/// switches on these values, so a variant, once released, is never renamed:
/// add new variants instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// A bug or an unexpected state in Spoor itself.
    Internal,
    /// The request from the UI was malformed or out of range.
    InvalidArgument,
    /// A file, case or hash set the request named does not exist.
    NotFound,
    /// The operating system refused access.
    PermissionDenied,
    /// Reading or writing failed for another I/O reason.
    Io,
    /// Another process (or a scan in this window) holds the case's writer lock.
    Busy,
    /// The thing to create exists already (a case file, a hash set, a report file).
    AlreadyExists,
    /// The case file or a hash set failed verification: it was altered or damaged.
    NotIntact,
    /// A hash list whose format could not be recognised or is not supported.
    UnsupportedFormat,
    /// A file (a picture for a thumbnail) could not be decoded.
    Undecodable,
}

/// The error every command returns: `{ "code": "...", "message": "..." }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AppError {
    /// Stable code the UI switches on.
    pub code: ErrorCode,
    /// Human-readable detail for display and logs; never parsed.
    pub message: String,
}

impl AppError {
    /// Creates an error with the given code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

impl From<std::io::Error> for AppError {
    fn from(err: std::io::Error) -> Self {
        let code = match err.kind() {
            std::io::ErrorKind::NotFound => ErrorCode::NotFound,
            std::io::ErrorKind::PermissionDenied => ErrorCode::PermissionDenied,
            _ => ErrorCode::Io,
        };
        Self::new(code, err.to_string())
    }
}

impl From<spoor_case::Error> for AppError {
    fn from(err: spoor_case::Error) -> Self {
        use spoor_case::Error as E;
        let code = match &err {
            E::NotFound { .. } | E::UnknownEvidence(_) => ErrorCode::NotFound,
            E::AlreadyExists { .. } | E::DuplicateEvidence(_) => ErrorCode::AlreadyExists,
            E::NotACase { .. } | E::NewerFormat { .. } | E::Invalid(_) => ErrorCode::InvalidArgument,
            E::Io { source, .. } if source.kind() == std::io::ErrorKind::PermissionDenied => ErrorCode::PermissionDenied,
            E::Busy { .. } => ErrorCode::Busy,
            E::Damaged { .. } => ErrorCode::NotIntact,
            E::Io { .. } | E::DiskFull { .. } => ErrorCode::Io,
            E::Sqlite(_) | E::Json(_) | E::Internal(_) => ErrorCode::Internal,
        };
        Self::new(code, err.to_string())
    }
}

impl From<spoor_hashset::Error> for AppError {
    fn from(err: spoor_hashset::Error) -> Self {
        use spoor_hashset::Error as E;
        let code = match &err {
            E::Io { .. } | E::Library { .. } => ErrorCode::Io,
            E::NotFound { .. } => ErrorCode::NotFound,
            E::AlreadyExists { .. } => ErrorCode::AlreadyExists,
            E::Corrupt { .. } | E::OldLayout { .. } => ErrorCode::NotIntact,
            E::UndetectableFormat { .. } | E::UnsupportedFormat { .. } => ErrorCode::UnsupportedFormat,
            _ => ErrorCode::InvalidArgument,
        };
        Self::new(code, err.to_string())
    }
}

impl From<spoor_scan::Error> for AppError {
    fn from(err: spoor_scan::Error) -> Self {
        use spoor_scan::Error as E;
        match err {
            E::Case(e) | E::Write(e) => e.into(),
            E::HashSet(e) => e.into(),
            E::Evidence { .. } => Self::new(ErrorCode::NotFound, err.to_string()),
            E::NoEvidence | E::MissingHashSet { .. } | E::Settings(_) => Self::new(ErrorCode::InvalidArgument, err.to_string()),
            E::Threads(_) => Self::new(ErrorCode::Internal, err.to_string()),
        }
    }
}

impl From<spoor_report::Error> for AppError {
    fn from(err: spoor_report::Error) -> Self {
        use spoor_report::Error as E;
        match err {
            E::Case(e) => e.into(),
            E::Io { ref source, .. } => {
                let code = AppError::from(std::io::Error::from(source.kind())).code;
                Self::new(code, err.to_string())
            }
            E::CaseNotIntact { .. } => Self::new(ErrorCode::NotIntact, err.to_string()),
            E::OutputExists { .. } => Self::new(ErrorCode::AlreadyExists, err.to_string()),
            E::Filter(_) | E::UnknownFormat(_) | E::Selection(_) => Self::new(ErrorCode::InvalidArgument, err.to_string()),
            E::Render { .. } | E::Json(_) => Self::new(ErrorCode::Internal, err.to_string()),
        }
    }
}

/// Result type of every Tauri command.
impl From<spoor_triage::Error> for AppError {
    fn from(err: spoor_triage::Error) -> Self {
        use spoor_triage::Error as E;
        match err {
            E::Case(e) => e.into(),
            E::Invalid(_) => Self::new(ErrorCode::InvalidArgument, err.to_string()),
            E::Json(_) => Self::new(ErrorCode::Internal, err.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message() {
        let err = AppError::new(ErrorCode::InvalidArgument, "bad page size");
        let json = serde_json::to_value(&err).expect("serialise");
        assert_eq!(
            json,
            serde_json::json!({ "code": "invalid_argument", "message": "bad page size" })
        );
    }

    #[test]
    fn codes_are_stable_snake_case_strings() {
        let cases = [
            (ErrorCode::Internal, "internal"),
            (ErrorCode::InvalidArgument, "invalid_argument"),
            (ErrorCode::NotFound, "not_found"),
            (ErrorCode::PermissionDenied, "permission_denied"),
            (ErrorCode::Io, "io"),
            (ErrorCode::Busy, "busy"),
            (ErrorCode::AlreadyExists, "already_exists"),
            (ErrorCode::NotIntact, "not_intact"),
            (ErrorCode::UnsupportedFormat, "unsupported_format"),
            (ErrorCode::Undecodable, "undecodable"),
        ];
        for (code, expected) in cases {
            assert_eq!(
                serde_json::to_value(code).expect("serialise"),
                serde_json::Value::from(expected)
            );
        }
    }

    #[test]
    fn io_errors_map_to_codes() {
        let err = AppError::from(std::io::Error::from(std::io::ErrorKind::NotFound));
        assert_eq!(err.code, ErrorCode::NotFound);
        let err = AppError::from(std::io::Error::other("disk on fire"));
        assert_eq!(err.code, ErrorCode::Io);
    }
}
