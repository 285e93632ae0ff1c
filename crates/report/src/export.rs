//! Writing an export and recording it in the case; telling whether a file
//! is one.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use spoor_case::exports::{ExportRecord, NewExport};
use spoor_case::{Case, utc, verify};

use spoor_triage::TriageSettings;
use spoor_triage::case::{KnownPdq, Selection};

use crate::filter::Filters;
use crate::model::{BuildOptions, Generator, Report};
use crate::{Error, Format, Result, render};

/// What to export, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportRequest {
    pub format: Format,
    pub filters: Filters,
    /// The file to write. It must not exist yet.
    pub output: PathBuf,
    /// Thumbnails were asked for (none are available yet; the report says so).
    pub thumbnails: bool,
    pub generator: Generator,
    /// The generation time to state; `None` for now. Tests fix it.
    pub generated_utc: Option<String>,
    /// Who exports (the audit entry's actor); `None` for the case's examiner.
    pub actor: Option<String>,
}

/// What an export did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportOutcome {
    pub path: PathBuf,
    pub hits: u64,
    pub record: ExportRecord,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Builds the report of the case at `case_path`, writes it to
/// `request.output` and records the export in the case (one `exports` row,
/// one `report.export` audit entry).
///
/// The case is verified first, under the writer lock: a case that fails
/// verification is not reported on ([`Error::CaseNotIntact`]). The file is
/// written under a temporary name beside the output, synced, recorded, and
/// then linked into place, so an existing file is never replaced and no
/// report file exists that the case does not record.
pub fn export(case_path: &Path, request: &ExportRequest) -> Result<ExportOutcome> {
    export_with_progress(case_path, request, &ExportProgress::default())
}

/// Where an export is: what it is doing, and how many of the case's hits
/// (and thumbnails, when asked for) are in the report so far. The exporter
/// only adds to the counters; a display reads them as often as it likes.
#[derive(Debug, Default)]
pub struct ExportProgress {
    /// An [`ExportStage`] as its number.
    pub stage: std::sync::atomic::AtomicU8,
    pub hits_total: std::sync::atomic::AtomicU64,
    pub hits_done: std::sync::atomic::AtomicU64,
    pub pictures_total: std::sync::atomic::AtomicU64,
    pub pictures_done: std::sync::atomic::AtomicU64,
}

/// The steps of an export, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportStage {
    /// Verifying the case under its writer lock.
    Verifying,
    /// Reading the hits into the report.
    Reading,
    /// Making thumbnails (when asked for).
    Pictures,
    /// Drawing the format.
    Rendering,
    /// Writing, syncing and recording the file.
    Recording,
}

impl ExportStage {
    pub const ALL: [ExportStage; 5] =
        [ExportStage::Verifying, ExportStage::Reading, ExportStage::Pictures, ExportStage::Rendering, ExportStage::Recording];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportStage::Verifying => "verifying",
            ExportStage::Reading => "reading",
            ExportStage::Pictures => "pictures",
            ExportStage::Rendering => "rendering",
            ExportStage::Recording => "recording",
        }
    }
}

impl ExportProgress {
    pub fn set_stage(&self, stage: ExportStage) {
        let n = ExportStage::ALL.iter().position(|s| *s == stage).unwrap_or(0);
        self.stage.store(n as u8, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn stage(&self) -> ExportStage {
        let n = usize::from(self.stage.load(std::sync::atomic::Ordering::Relaxed));
        ExportStage::ALL.get(n).copied().unwrap_or(ExportStage::Verifying)
    }
}

/// [`export`], reporting where it is through `progress`.
pub fn export_with_progress(case_path: &Path, request: &ExportRequest, progress: &ExportProgress) -> Result<ExportOutcome> {
    request.filters.validate()?;
    let output = &request.output;
    let file_name = output_name(output)?;
    progress.set_stage(ExportStage::Verifying);
    let (mut case, verification) = open_verified(case_path, request.actor.as_deref())?;
    let generated_utc = request.generated_utc.clone().unwrap_or_else(utc::now);
    progress.set_stage(ExportStage::Reading);
    let report = Report::build_with_progress(
        &case,
        &verification,
        &BuildOptions {
            filters: request.filters.clone(),
            generator: request.generator.clone(),
            generated_utc: generated_utc.clone(),
            thumbnails: request.thumbnails,
        },
        progress,
    )?;
    let digest = report.digest()?;
    progress.set_stage(ExportStage::Rendering);
    let bytes = render(&report, &digest, request.format)?;
    progress.set_stage(ExportStage::Recording);
    let record = write_recorded(
        &mut case,
        output,
        &bytes,
        NewExport {
            time_utc: generated_utc,
            format: request.format.as_str().into(),
            filters: serde_json::to_value(&request.filters)?,
            file_name,
            sha256: sha256_hex(&bytes),
            size: bytes.len() as u64,
            report_digest: digest,
            chain_head_seq: report.chain_head.seq,
            chain_head_hash: report.chain_head.hash.clone(),
            tool_version: request.generator.label(),
        },
    )?;
    Ok(ExportOutcome { path: output.clone(), hits: report.hits.len() as u64, record })
}

/// The plain file name of an output that must not exist yet.
fn output_name(output: &Path) -> Result<String> {
    if output.exists() || output.is_symlink() {
        return Err(Error::OutputExists { path: output.to_path_buf() });
    }
    Ok(output
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::Filter(format!("{}: the output needs a file name in UTF-8", output.display())))?
        .to_string())
}

/// Opens the case for writing (as `actor`) and verifies it under the lock.
fn open_verified(case_path: &Path, actor: Option<&str>) -> Result<(Case, verify::VerifyReport)> {
    let mut case = Case::open(case_path)?;
    if let Some(actor) = actor {
        case.set_actor(actor);
    }
    let verification = verify::verify(case_path)?;
    if !verification.is_intact() {
        let problem = verification.problems.first().map(|p| p.to_string()).unwrap_or_else(|| "unknown".into());
        return Err(Error::CaseNotIntact { path: case_path.to_path_buf(), problem });
    }
    Ok((case, verification))
}

/// Writes `bytes` under a temporary name beside `output`, syncs it,
/// records the export in the case, then links it into place: an existing
/// file is never replaced and no file exists that the case does not record.
fn write_recorded(case: &mut Case, output: &Path, bytes: &[u8], export: NewExport) -> Result<ExportRecord> {
    let file_name = export.file_name.clone();
    let output = &output.to_path_buf();
    let folder = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = folder.join(format!(".{file_name}.spoor-{}.tmp", std::process::id()));
    let written = (|| -> Result<()> {
        // Named by the output: the temporary name means nothing to the user.
        let mut f = File::create_new(&tmp).map_err(|e| Error::io(output, e))?;
        f.write_all(bytes).map_err(|e| Error::io(&tmp, e))?;
        f.sync_all().map_err(|e| Error::io(&tmp, e))?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    let record = case.record_export(&export);
    let record = match record {
        Ok(r) => r,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(e.into());
        }
    };
    // A hard link fails if the name exists: nothing is ever replaced.
    let linked = fs::hard_link(&tmp, output);
    let _ = fs::remove_file(&tmp);
    linked.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists { Error::OutputExists { path: output.clone() } } else { Error::io(output, e) }
    })?;
    if let Ok(dir) = File::open(&folder) {
        let _ = dir.sync_all();
    }
    Ok(record)
}

/// What to export for victim identification, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct UnknownExportRequest {
    /// Which unknown material.
    pub selection: Selection,
    /// The triage settings (series ids depend on them).
    pub settings: TriageSettings,
    /// Known PDQ fingerprints from outside the case (PDQ hash sets).
    pub extra_known: Vec<KnownPdq>,
    /// The file to write. It must not exist yet.
    pub output: PathBuf,
    pub generator: Generator,
    /// The time to record; `None` for now.
    pub generated_utc: Option<String>,
    /// Who exports; `None` for the case's examiner.
    pub actor: Option<String>,
}

/// What a victim-identification export did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UnknownExportOutcome {
    pub path: PathBuf,
    /// Distinct contents (VICS media records) written.
    pub media: u64,
    /// Files (copies) they stand for.
    pub files: u64,
    pub record: ExportRecord,
}

/// Exports selected unknown material of the case at `case_path` as a VICS
/// 2.0 `#Media` file for victim identification ([`spoor_triage::vics`]):
/// MD5, SHA-1, SHA-256, size, PDQ, metadata, the examiner's category (or
/// none) and every copy's path. Recorded like a report: the case is
/// verified first under the writer lock, the file is written, synced,
/// recorded (format `vics`, filters `{"export": "victim-identification",
/// "selection", "settings"}`, one `report.export` audit entry) and linked
/// into place; `spoor verify-report` recognises it.
pub fn export_unknown(case_path: &Path, request: &UnknownExportRequest) -> Result<UnknownExportOutcome> {
    let output = &request.output;
    let file_name = output_name(output)?;
    let (mut case, verification) = open_verified(case_path, request.actor.as_deref())?;
    let generated_utc = request.generated_utc.clone().unwrap_or_else(utc::now);
    let rows = spoor_triage::case::read(&case).map_err(triage_error)?;
    let references = spoor_triage::case::references(&case).map_err(triage_error)?;
    let triage = spoor_triage::case::triage_rows(&rows, &references, &request.settings, &request.extra_known);
    let media = spoor_triage::case::select(&triage, &rows, &request.selection).map_err(triage_error)?;
    let bytes = spoor_triage::vics::render(&media).map_err(triage_error)?;
    let filters = serde_json::json!({
        "export": "victim-identification",
        "selection": request.selection,
        "settings": request.settings,
    });
    // The content digest of this export: what it says, without the bytes'
    // layout (the same role as a report digest).
    let digest = sha256_hex(&serde_json::to_vec(&serde_json::json!({ "filters": filters, "media": media }))?);
    let record = write_recorded(
        &mut case,
        output,
        &bytes,
        NewExport {
            time_utc: generated_utc,
            format: "vics".into(),
            filters,
            file_name,
            sha256: sha256_hex(&bytes),
            size: bytes.len() as u64,
            report_digest: digest,
            chain_head_seq: verification.head_seq,
            chain_head_hash: verification.head_hash.clone(),
            tool_version: request.generator.label(),
        },
    )?;
    Ok(UnknownExportOutcome {
        path: output.clone(),
        media: media.len() as u64,
        files: media.iter().map(|m| m.files.len() as u64).sum(),
        record,
    })
}

fn triage_error(e: spoor_triage::Error) -> Error {
    match e {
        spoor_triage::Error::Case(c) => Error::Case(c),
        spoor_triage::Error::Json(j) => Error::Json(j),
        spoor_triage::Error::Invalid(m) => Error::Selection(m),
    }
}

/// Whether a file is exactly an export of a case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FileCheck {
    pub file: PathBuf,
    pub sha256: String,
    pub size: u64,
    pub case_number: Option<String>,
    /// The case passed `spoor verify`; without that its record of exports
    /// proves nothing.
    pub case_intact: bool,
    pub case_problem: Option<String>,
    /// The exports recorded with this file's SHA-256 (normally one).
    pub exports: Vec<ExportRecord>,
    /// Exports whose report digest the file names although its bytes are
    /// not theirs: an altered or re-saved copy.
    pub named_exports: Vec<ExportRecord>,
}

impl FileCheck {
    /// The file is byte for byte an export the (intact) case recorded.
    pub fn is_genuine(&self) -> bool {
        self.case_intact && !self.exports.is_empty()
    }
}

/// Files larger than this are not searched for a report digest (they are
/// still hashed and looked up).
const SEARCH_LIMIT: u64 = 256 << 20;

/// Checks whether `file` is exactly a report (or export) that the case at
/// `case_path` recorded. Read-only.
pub fn verify_file(case_path: &Path, file: &Path) -> Result<FileCheck> {
    let verification = verify::verify(case_path)?;
    let case = Case::open_read_only(case_path)?;
    let mut f = File::open(file).map_err(|e| Error::io(file, e))?;
    let mut hasher = Sha256::new();
    let mut head = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(file, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        if size < SEARCH_LIMIT {
            head.extend_from_slice(&buf[..n]);
        }
        size += n as u64;
    }
    let sha256 = hex::encode(hasher.finalize());
    let exports = case.exports_with_sha256(&sha256)?;
    let named_exports = if exports.is_empty() {
        let tokens = hex_tokens(&head);
        case.exports()?.into_iter().filter(|e| tokens.contains(&e.report_digest)).collect()
    } else {
        Vec::new()
    };
    Ok(FileCheck {
        file: file.to_path_buf(),
        sha256,
        size,
        case_number: verification.case_number.clone(),
        case_intact: verification.is_intact(),
        case_problem: verification.problems.first().map(|p| p.to_string()),
        exports,
        named_exports,
    })
}

/// Every run of exactly 64 lower-case hex digits in `bytes`.
fn hex_tokens(bytes: &[u8]) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    let mut start = None;
    for (i, b) in bytes.iter().chain(std::iter::once(&b' ')).enumerate() {
        let hex = b.is_ascii_digit() || (b'a'..=b'f').contains(b);
        match (hex, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s == 64 {
                    out.insert(String::from_utf8_lossy(&bytes[s..i]).into_owned());
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_tokens_are_exactly_64_digits() {
        let d = "ab".repeat(32);
        let text = format!("digest {d}, not {}x {}", "cd".repeat(33), "ef".repeat(31));
        let found = hex_tokens(text.as_bytes());
        assert_eq!(found.len(), 1);
        assert!(found.contains(&d));
    }
}
