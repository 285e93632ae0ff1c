//! Reports and exports of a Spoor case: what leaves the lab.
//!
//! A report is read months later, on an ordinary machine, by a prosecutor,
//! a defence expert or a judge. It says what was found, where, how, with
//! which tool and hash-set versions, and how to check it was not altered.
//!
//! - [`Report::build`] reads the case into one data model (applying the
//!   [`Filters`]); [`Report::digest`] is the SHA-256 of its canonical JSON,
//!   the *report digest* every page shows.
//! - [`render`] draws the model as [`Format::Html`] (one self-contained
//!   file, no script, nothing loaded from anywhere), [`Format::Pdf`]
//!   (embedded DejaVu fonts, page numbers, the case number and digest on
//!   every page), [`Format::Csv`] (one row per hit) or [`Format::Vics`] (a
//!   Project VIC 2.0 case file).
//! - [`export`] does both under the case's writer lock, after verifying the
//!   case, and records the file's SHA-256 in the case's `exports` table with
//!   one `report.export` audit entry; [`verify_file`] later says whether a
//!   file is exactly such an export, and when it was made.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use spoor_report::{ExportRequest, Filters, Format, Generator};
//! let outcome = spoor_report::export(std::path::Path::new("case.spoor"), &ExportRequest {
//!     format: Format::Html,
//!     filters: Filters { reviewed_only: true, ..Filters::default() },
//!     output: "report.html".into(),
//!     thumbnails: false,
//!     generator: Generator { name: "spoor".into(), version: "0.1.0".into(), commit: "abc123".into() },
//!     generated_utc: None,
//!     actor: None,
//! })?;
//! println!("sha256 {}", outcome.record.sha256);
//! let check = spoor_report::verify_file(std::path::Path::new("case.spoor"), &outcome.path)?;
//! assert!(check.is_genuine());
//! # Ok(()) }
//! ```

pub mod category;
pub mod doc;
mod error;
mod export;
pub mod filter;
pub mod hits_csv;
pub mod html;
pub mod model;
pub mod pdf;
pub mod picture;
pub mod vics;

use serde::{Deserialize, Serialize};

pub use error::{Error, Result};
pub use export::{
    ExportOutcome, ExportProgress, ExportRequest, ExportStage, FileCheck, UnknownExportOutcome, UnknownExportRequest, export,
    export_unknown, export_with_progress, verify_file,
};
pub use filter::Filters;
pub use model::{BuildOptions, Generator, REPORT_VERSION, Report};

/// The formats a report can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ReportFormat"))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Html,
    Pdf,
    Csv,
    Vics,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Html, Format::Pdf, Format::Csv, Format::Vics];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Csv => "csv",
            Format::Vics => "vics",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Format> {
        Format::ALL.into_iter().find(|f| f.as_str().eq_ignore_ascii_case(s.trim())).ok_or_else(|| Error::UnknownFormat(s.into()))
    }
}

/// Renders a built report in one format. `digest` is [`Report::digest`].
pub fn render(report: &Report, digest: &str, format: Format) -> Result<Vec<u8>> {
    match format {
        Format::Html => Ok(html::render(report, digest).into_bytes()),
        Format::Pdf => pdf::render(report, digest),
        Format::Csv => hits_csv::render(report),
        Format::Vics => vics::render(report, digest),
    }
}
