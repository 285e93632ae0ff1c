//! The TypeScript declarations of every type that crosses IPC, generated
//! from the Rust types with ts-rs (never copied by hand).
//!
//! `ui/src/bindings.ts` is committed; the test below fails when it is not
//! what the Rust types give now. `SPOOR_UPDATE_BINDINGS=1 cargo test -p
//! spoor-app bindings` rewrites it.

use ts_rs::{Config, TS};

/// The contents of `ui/src/bindings.ts`.
pub fn typescript() -> String {
    // serde writes u64/i64 as JSON numbers; every count and id here is far
    // below 2^53, so `number` is what the window receives.
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from the Rust types by src-tauri/src/bindings.rs (ts-rs). Do not edit.\n\
         // Regenerate: SPOOR_UPDATE_BINDINGS=1 cargo test -p spoor-app bindings\n\n",
    );
    macro_rules! decl {
        ($($t:ty),* $(,)?) => {$(
            out.push_str("export ");
            out.push_str(&<$t>::decl(&cfg));
            out.push_str("\n\n");
        )*};
    }
    decl!(
        serde_json::Value,
        crate::error::ErrorCode,
        crate::error::AppError,
        crate::commands::AppInfo,
        crate::recent::RecentCase,
        crate::commands::CaseOverview,
        crate::commands::AddEvidence,
        crate::commands::LibraryView,
        crate::commands::ImportRequest,
        crate::commands::WorkProgress,
        crate::commands::ImportResult,
        crate::commands::ScanRequest,
        crate::commands::ThumbnailData,
        crate::commands::ExportReportRequest,
        crate::commands::VictimIdExportRequest,
        crate::ledger::LedgerFailure,
        crate::ledger::LedgerStatus,
        spoor_case::NewCase,
        spoor_case::CaseInfo,
        spoor_case::AcquisitionHash,
        spoor_case::EvidenceItem,
        spoor_case::HashSetRecord,
        spoor_case::RunCounts,
        spoor_case::RunInfo,
        spoor_case::Review,
        spoor_case::WarningView,
        spoor_case::audit::TableSeal,
        spoor_case::audit::AuditEntry,
        spoor_case::verify::Problem,
        spoor_case::verify::RunCheck,
        spoor_case::verify::AnchorCheck,
        spoor_case::verify::VerifyReport,
        spoor_case::exports::ExportRecord,
        spoor_case::exports::EvidenceTotals,
        spoor_case::query::HitSort,
        spoor_case::query::HitQuery,
        spoor_case::query::HitRow,
        spoor_case::query::HitPage,
        spoor_case::query::CategoryCount,
        spoor_case::query::FileMatch,
        spoor_case::query::FileDetail,
        spoor_case::query::ReviewScheme,
        spoor_case::query::MetadataFacts,
        spoor_case::query::VideoFacts,
        spoor_case::query::SheetFacts,
        spoor_case::VideoMatch,
        spoor_hashset::SetKind,
        spoor_hashset::DigestKind,
        spoor_hashset::Format,
        spoor_hashset::SetInfo,
        spoor_hashset::FingerprintKind,
        spoor_hashset::FingerprintInfo,
        spoor_hashset::Conflict,
        spoor_hashset::ImportReport,
        spoor_scan::Stage,
        spoor_scan::Snapshot,
        spoor_scan::Summary,
        spoor_scan::Outcome,
        spoor_report::Format,
        spoor_report::Filters,
        spoor_report::ExportOutcome,
        spoor_report::FileCheck,
        spoor_report::UnknownExportOutcome,
        spoor_metadata::GpsPosition,
        spoor_triage::ClusterSettings,
        spoor_triage::NearKnownSettings,
        spoor_triage::PrioritySettings,
        spoor_triage::TriageSettings,
        spoor_triage::Reason,
        spoor_triage::ReferenceSource,
        spoor_triage::ReferenceDate,
        spoor_triage::case::EvidenceTriage,
        spoor_triage::case::UnknownMedia,
        spoor_triage::case::Series,
        spoor_triage::case::SeriesVideoEntry,
        spoor_triage::FrameRef,
        spoor_triage::case::KnownSetRef,
        spoor_triage::library::KnownSet,
        spoor_triage::case::KnownRef,
        spoor_triage::case::NearKnownEntry,
        spoor_triage::case::Selection,
        spoor_triage::case::CaseTriage,
    );
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn bindings_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
        let want = super::typescript();
        if std::env::var_os("SPOOR_UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &want).expect("write ui/src/bindings.ts");
            return;
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "ui/src/bindings.ts is not what the Rust types give: run SPOOR_UPDATE_BINDINGS=1 cargo test -p spoor-app bindings"
        );
    }
}
