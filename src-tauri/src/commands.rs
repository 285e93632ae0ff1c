//! Tauri commands: the whole IPC surface of the desktop app.
//!
//! Each command stays a few lines long and delegates to an engine crate; the
//! engine commands (open case, scan, ...) join [`app_info`] here.

use serde::Serialize;

use crate::error::Result;

/// What the start screen shows about this build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInfo {
    /// Product name.
    pub name: &'static str,
    /// Version of this build, from the workspace version.
    pub version: &'static str,
    /// The newest case-file format the engine reads and writes.
    pub case_format: u32,
    /// The hash-set library layout the engine reads and writes.
    pub library_layout: u32,
}

/// What the case overview shows first: the case, its evidence and runs,
/// and how many hits and warnings the latest runs recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseSummary {
    pub case: spoor_case::CaseInfo,
    pub evidence: Vec<spoor_case::EvidenceItem>,
    pub runs: Vec<spoor_case::RunInfo>,
    pub hits: usize,
    pub warnings: usize,
}

/// Opens a case read-only and summarises it.
#[tauri::command]
pub fn case_summary(path: std::path::PathBuf) -> Result<CaseSummary> {
    let case = spoor_case::Case::open_read_only(&path)?;
    Ok(CaseSummary {
        case: case.info()?,
        evidence: case.evidence()?,
        runs: case.runs()?,
        hits: case.hits()?.len(),
        warnings: case.warnings()?.len(),
    })
}

/// Name and version of this build.
#[tauri::command]
pub fn app_info() -> Result<AppInfo> {
    Ok(AppInfo {
        name: "Spoor",
        version: env!("CARGO_PKG_VERSION"),
        case_format: spoor_case::FORMAT_VERSION,
        library_layout: spoor_hashset::FORMAT_VERSION,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_summary_of_a_missing_case_is_not_found() {
        let err = case_summary("/nonexistent/case.spoor".into()).err().map(|e| e.code);
        assert_eq!(err, Some(crate::error::ErrorCode::NotFound));
    }

    #[test]
    fn case_summary_reads_a_real_case() -> std::result::Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("c.spoor");
        let info = spoor_case::NewCase {
            case_number: "2026-0001".into(),
            title: "T".into(),
            agency: "A".into(),
            examiner: "E".into(),
            time_zone: "UTC".into(),
        };
        drop(spoor_case::Case::create(&path, &info, "test")?);
        let summary = case_summary(path)?;
        assert_eq!(summary.case.case_number, "2026-0001");
        assert_eq!(summary.hits, 0);
        Ok(())
    }

    #[test]
    fn app_info_reports_the_package_version() {
        let info = app_info().expect("app_info never fails");
        assert_eq!(info.name, "Spoor");
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(info.case_format, spoor_case::FORMAT_VERSION);
    }

    #[test]
    fn app_info_serialises_with_snake_case_fields() {
        let json = serde_json::to_value(app_info().expect("app_info")).expect("serialise");
        assert_eq!(json["name"], "Spoor");
        assert!(json["case_format"].is_u64());
    }
}
