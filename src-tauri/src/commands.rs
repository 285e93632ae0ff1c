//! Tauri commands: the whole IPC surface of the desktop app.
//!
//! Each command is a few lines that call an engine crate (the same calls the
//! `spoor` CLI makes) and map its error to [`AppError`]. Quick reads run on
//! the async runtime's blocking pool so the window never waits on the disk;
//! long work (hash-set import, scan, report export) runs on its own thread
//! and streams throttled progress over a [`Channel`].

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use spoor_case::query::{CategoryCount, FileDetail, HitPage, HitQuery, ReviewScheme};
use spoor_case::{AcquisitionHash, Case, NewCase, NewEvidence};
use spoor_hashset::{Format, ImportOptions, Library, SetInfo, SetKind};
use tauri::ipc::Channel;
use tauri::State;

use crate::error::{AppError, ErrorCode, Result};
use crate::recent::{self, RecentCase};

/// The git commit this app was built from (set by build.rs).
pub const GIT_COMMIT: &str = env!("SPOOR_GIT_COMMIT");

/// How often long work reports while the engine has nothing finer to say.
const TICK: Duration = Duration::from_millis(250);

/// What the shell keeps between commands: where things are, and the cancel
/// flag of the scan that is running (one at a time per window).
#[derive(Debug)]
pub struct AppState {
    pub library_root: PathBuf,
    pub data_dir: PathBuf,
    pub scan_cancel: Mutex<Option<Arc<AtomicBool>>>,
}

/// What the start screen shows about this build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AppInfo {
    /// Product name.
    pub name: String,
    /// Version of this build, from the workspace version.
    pub version: String,
    pub git_commit: String,
    /// The newest case-file format the engine reads and writes.
    pub case_format: u32,
    /// The hash-set library layout the engine reads and writes.
    pub library_layout: u32,
}

/// Everything the case overview shows.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct CaseOverview {
    pub path: PathBuf,
    pub case: spoor_case::CaseInfo,
    pub evidence: Vec<spoor_case::EvidenceItem>,
    /// Per evidence item, from the latest run that scanned it: files,
    /// bytes, known-good set aside, hits, warnings.
    pub totals: Vec<spoor_case::exports::EvidenceTotals>,
    pub hashsets: Vec<spoor_case::HashSetRecord>,
    pub runs: Vec<spoor_case::RunInfo>,
    pub by_category: Vec<CategoryCount>,
    pub exports: Vec<spoor_case::exports::ExportRecord>,
    /// The run a scan would resume, if one is unfinished.
    pub resumable_run: Option<i64>,
    pub review_scheme: ReviewScheme,
}

/// A new evidence item, as the form gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ts_rs::TS)]
pub struct AddEvidence {
    pub evidence_id: String,
    pub folder: PathBuf,
    pub description: String,
    /// `ALGORITHM:HEX` of the acquired image, as supplied.
    pub acquisition_hashes: Vec<String>,
}

/// The hash-set library and where it is.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct LibraryView {
    pub root: PathBuf,
    pub sets: Vec<SetInfo>,
}

/// A hash list to import.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ts_rs::TS)]
pub struct ImportRequest {
    pub file: PathBuf,
    pub name: String,
    pub version: Option<String>,
    /// `None`: ignore for NSRL, otherwise the examiner must choose.
    pub kind: Option<SetKind>,
    /// `None`: detected from the content.
    pub format: Option<Format>,
}

/// Progress of an import or an export, read from the engine's counters
/// every [`TICK`]: bytes of the source read and records parsed for an
/// import, hits read into the report for an export.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct WorkProgress {
    /// Import: `detecting`, `importing`, `done`. Export: `verifying`,
    /// `reading`, `pictures`, `rendering`, `recording`, `done`.
    pub stage: String,
    pub detail: Option<String>,
    pub elapsed_secs: f64,
    /// What `done` and `total` count: `bytes` (import) or `hits` (export).
    pub unit: Option<String>,
    pub done: u64,
    /// `None` while unknown (a folder of vPDQ files has no one size).
    pub total: Option<u64>,
    /// Records parsed so far (import).
    pub records: Option<u64>,
    /// `unit`s per second so far.
    pub rate_per_sec: f64,
    /// Seconds left at that rate, when it can be estimated.
    pub eta_secs: Option<f64>,
}

/// One reading of an engine's progress counters.
#[derive(Debug, Clone, Default, PartialEq)]
struct Probe {
    /// Overrides the stage name when the engine says where it is.
    stage: Option<&'static str>,
    done: u64,
    total: Option<u64>,
    records: Option<u64>,
}

impl WorkProgress {
    fn at(stage: &str, detail: Option<String>, unit: Option<&str>, probe: &Probe, elapsed_secs: f64) -> WorkProgress {
        let rate = if elapsed_secs > 0.0 { probe.done as f64 / elapsed_secs } else { 0.0 };
        let eta = match probe.total {
            Some(total) if rate > 0.0 && total >= probe.done => Some((total - probe.done) as f64 / rate),
            _ => None,
        };
        WorkProgress {
            stage: probe.stage.unwrap_or(stage).to_string(),
            detail,
            elapsed_secs,
            unit: unit.map(String::from),
            done: probe.done,
            total: probe.total,
            records: probe.records,
            rate_per_sec: rate,
            eta_secs: eta,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ImportResult {
    pub info: SetInfo,
    pub report: spoor_hashset::ImportReport,
}

/// How to scan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct ScanRequest {
    /// Hash sets to use (library ids); empty = every set in the library.
    pub hashsets: Vec<String>,
    /// Scan evidence a completed run covered again.
    pub rescan: bool,
    /// Worker threads; `None` = all cores.
    pub jobs: Option<u32>,
}

/// Unknown material to export for victim identification.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ts_rs::TS)]
pub struct VictimIdExportRequest {
    pub selection: spoor_triage::case::Selection,
    /// The settings the triage screen showed (series ids depend on them);
    /// `None` for the engine's defaults.
    pub settings: Option<spoor_triage::TriageSettings>,
    pub output: PathBuf,
    /// Who exports; `None` for the case's examiner.
    pub examiner: Option<String>,
}

/// A thumbnail as a `data:` URL (the CSP allows no other image source).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ThumbnailData {
    pub data_url: String,
    pub width: u32,
    pub height: u32,
}

/// A report to write.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ts_rs::TS)]
pub struct ExportReportRequest {
    pub format: spoor_report::Format,
    pub filters: spoor_report::Filters,
    pub output: PathBuf,
    /// Who exports; `None` for the case's examiner.
    pub examiner: Option<String>,
}

/// Runs `f` on the blocking pool: commands never hold up the window.
///
/// Every command's work goes through here, so here the shell takes a failed
/// anchor-ledger append of whatever the work wrote (succeeded or not) and
/// queues it for the window ([`crate::ledger`]): no command that writes to
/// a case, now or added later, can leave one unsaid.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    let result = tauri::async_runtime::spawn_blocking(move || {
        let out = f();
        crate::ledger::collect();
        out
    })
    .await
    .map_err(|e| AppError::new(ErrorCode::Internal, format!("background task failed: {e}")));
    // A panic in `f` still leaves any failure for the next command.
    crate::ledger::collect();
    result?
}

/// Runs long work on its own thread and sends a [`WorkProgress`] with
/// `stage` and what `probe` reads from the engine's counters every
/// [`TICK`] until it ends (never more often: throttled by construction).
async fn with_ticks<T: Send + 'static>(
    channel: Channel<WorkProgress>,
    stage: &'static str,
    detail: Option<String>,
    unit: Option<&'static str>,
    probe: impl Fn() -> Probe + Send + 'static,
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    blocking(move || {
        let started = Instant::now();
        let (tx, rx) = std::sync::mpsc::channel();
        let worker = std::thread::Builder::new()
            .name(format!("spoor-{stage}"))
            .spawn(move || {
                let _ = tx.send(f());
            })
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("could not start a worker thread: {e}")))?;
        let result = loop {
            match rx.recv_timeout(TICK) {
                Ok(result) => break result,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    // Long work writes more than once: say a failure now.
                    crate::ledger::collect();
                    let _ = channel.send(WorkProgress::at(stage, detail.clone(), unit, &probe(), started.elapsed().as_secs_f64()));
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    break Err(AppError::new(ErrorCode::Internal, format!("the {stage} worker stopped without an answer")));
                }
            }
        };
        let _ = worker.join();
        let last = Probe { stage: Some("done"), ..probe() };
        let _ = channel.send(WorkProgress::at(stage, detail, unit, &last, started.elapsed().as_secs_f64()));
        result
    })
    .await
}

fn tool_version() -> String {
    format!("spoor-app {} ({GIT_COMMIT})", env!("CARGO_PKG_VERSION"))
}

fn overview(path: &Path) -> Result<CaseOverview> {
    let case = Case::open_read_only(path)?;
    Ok(CaseOverview {
        path: path.to_path_buf(),
        case: case.info()?,
        evidence: case.evidence()?,
        totals: case.evidence_totals()?,
        hashsets: case.hashsets()?,
        runs: case.runs()?,
        by_category: case.hits_by_category()?,
        exports: case.exports()?,
        resumable_run: case.resumable_run()?.map(|r| r.run_id),
        review_scheme: case.review_scheme()?,
    })
}

fn remember(state: &AppState, overview: &CaseOverview) {
    // The list is a convenience: failing to save it never fails the command.
    let _ = recent::remember(
        &state.data_dir,
        RecentCase {
            path: overview.path.clone(),
            case_number: overview.case.case_number.clone(),
            title: overview.case.title.clone(),
            opened_utc: spoor_case::utc::now(),
        },
    );
}

fn library(state: &AppState) -> Result<Library> {
    Ok(Library::open(&state.library_root)?)
}

/// Name and version of this build.
#[tauri::command]
pub fn app_info() -> Result<AppInfo> {
    Ok(AppInfo {
        name: "Spoor".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        git_commit: GIT_COMMIT.into(),
        case_format: spoor_case::FORMAT_VERSION,
        library_layout: spoor_hashset::FORMAT_VERSION,
    })
}

/// Cases opened or created here, newest first.
#[tauri::command]
pub fn recent_cases(state: State<'_, AppState>) -> Vec<RecentCase> {
    recent::load(&state.data_dir)
}

/// Creates a case file (never over an existing file) and opens it.
#[tauri::command]
pub async fn create_case(state: State<'_, AppState>, path: PathBuf, info: NewCase) -> Result<CaseOverview> {
    let p = path.clone();
    blocking(move || Case::create(&p, &info, &tool_version()).map(drop).map_err(AppError::from)).await?;
    let view = blocking(move || overview(&path)).await?;
    remember(&state, &view);
    Ok(view)
}

/// Opens a case (read-only) and adds it to the recent list.
#[tauri::command]
pub async fn open_case(state: State<'_, AppState>, path: PathBuf) -> Result<CaseOverview> {
    let view = blocking(move || overview(&path)).await?;
    remember(&state, &view);
    Ok(view)
}

/// The case overview, read fresh.
#[tauri::command]
pub async fn case_overview(path: PathBuf) -> Result<CaseOverview> {
    blocking(move || overview(&path)).await
}

/// Registers a mounted evidence folder (as `spoor evidence add`).
#[tauri::command]
pub async fn add_evidence(path: PathBuf, request: AddEvidence) -> Result<spoor_case::EvidenceItem> {
    blocking(move || {
        let hashes = request
            .acquisition_hashes
            .iter()
            .filter(|h| !h.trim().is_empty())
            .map(|h| h.parse::<AcquisitionHash>())
            .collect::<spoor_case::Result<Vec<_>>>()?;
        spoor_evidence::check_root(&request.folder).map_err(|e| AppError::new(ErrorCode::NotFound, e.to_string()))?;
        let abs = std::fs::canonicalize(&request.folder)?;
        let mut case = Case::open(&path)?;
        Ok(case.add_evidence(&NewEvidence {
            evidence_id: request.evidence_id.trim().to_string(),
            description: request.description,
            source_path: abs.as_os_str().as_bytes().to_vec(),
            acquisition_hashes: hashes,
        })?)
    })
    .await
}

/// The hash-set library with every set's provenance.
#[tauri::command]
pub async fn library_sets(state: State<'_, AppState>) -> Result<LibraryView> {
    let root = state.library_root.clone();
    blocking(move || Ok(LibraryView { sets: Library::open(&root)?.list()?, root })).await
}

/// The format a hash list's content shows, if any.
#[tauri::command]
pub async fn detect_format(file: PathBuf) -> Result<Option<Format>> {
    blocking(move || Ok(spoor_hashset::detect_file_format(&file)?)).await
}

/// Imports a hash list into the library (atomic), with progress.
#[tauri::command]
pub async fn import_hashset(state: State<'_, AppState>, request: ImportRequest, on_progress: Channel<WorkProgress>) -> Result<ImportResult> {
    let lib = library(&state)?;
    let _ = on_progress.send(WorkProgress::at("detecting", None, None, &Probe::default(), 0.0));
    let file = request.file.clone();
    let format = match request.format {
        Some(f) => Some(f),
        None => blocking(move || Ok(spoor_hashset::detect_file_format(&file)?)).await?,
    };
    let kind = match (request.kind, format.and_then(Format::default_kind)) {
        (Some(kind), _) | (None, Some(kind)) => kind,
        (None, None) => {
            return Err(AppError::new(
                ErrorCode::InvalidArgument,
                "choose alert (known material) or ignore (known-good): only NSRL sets default to ignore",
            ));
        }
    };
    let detail = format.map(|f| format!("format {f}"));
    let opts = ImportOptions { name: request.name, version: request.version, kind, format, ..ImportOptions::default() };
    let file = request.file;
    let counters = Arc::new(spoor_hashset::ImportProgress::default());
    let seen = Arc::clone(&counters);
    let probe = move || {
        let total = seen.source_bytes.load(Ordering::Relaxed);
        Probe {
            stage: None,
            done: seen.bytes_read.load(Ordering::Relaxed),
            total: (total > 0).then_some(total),
            records: Some(seen.records.load(Ordering::Relaxed)),
        }
    };
    with_ticks(on_progress, "importing", detail, Some("bytes"), probe, move || {
        let (info, report) = lib.import_with_progress(&file, &opts, &counters)?;
        Ok(ImportResult { info, report })
    })
    .await
}

/// Removes a set from the library (cases keep their record of it).
#[tauri::command]
pub async fn remove_hashset(state: State<'_, AppState>, id: String) -> Result<SetInfo> {
    let lib = library(&state)?;
    blocking(move || Ok(lib.remove(&id, None)?)).await
}

/// Streams the scan's throttled snapshots to the window.
struct ChannelProgress(Channel<spoor_scan::Snapshot>);

impl spoor_scan::Progress for ChannelProgress {
    fn update(&self, snapshot: &spoor_scan::Snapshot) {
        // A scan writes batch by batch: a failed head is queued while it runs.
        crate::ledger::collect();
        let _ = self.0.send(snapshot.clone());
    }
}

/// Scans the case's evidence, or resumes its unfinished run (as `spoor
/// scan`). Cancel with [`cancel_scan`]: the run stays resumable.
#[tauri::command]
pub async fn scan(state: State<'_, AppState>, path: PathBuf, request: ScanRequest, on_progress: Channel<spoor_scan::Snapshot>) -> Result<spoor_scan::Outcome> {
    let lib = library(&state)?;
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let mut running = state.scan_cancel.lock().map_err(|_| AppError::new(ErrorCode::Internal, "scan state poisoned"))?;
        if running.is_some() {
            return Err(AppError::new(ErrorCode::Busy, "a scan is already running in this window"));
        }
        *running = Some(cancel.clone());
    }
    let opts = spoor_scan::ScanOptions {
        jobs: request.jobs.map(|j| j as usize),
        hashsets: request.hashsets,
        rescan: request.rescan,
        tool: spoor_scan::Tool { name: "spoor-app".into(), version: env!("CARGO_PKG_VERSION").into(), git_commit: GIT_COMMIT.into() },
        ..spoor_scan::ScanOptions::default()
    };
    let result = blocking(move || {
        let case = Case::open(&path)?;
        Ok(spoor_scan::scan(case, &lib, &opts, cancel, &ChannelProgress(on_progress))?)
    })
    .await;
    if let Ok(mut running) = state.scan_cancel.lock() {
        *running = None;
    }
    result
}

/// Asks the running scan to stop after the files being read; `false` when
/// no scan is running.
#[tauri::command]
pub fn cancel_scan(state: State<'_, AppState>) -> bool {
    match state.scan_cancel.lock().ok().and_then(|r| r.clone()) {
        Some(flag) => {
            flag.store(true, Ordering::SeqCst);
            true
        }
        None => false,
    }
}

/// One page of hits, filtered and sorted.
#[tauri::command]
pub async fn hits(path: PathBuf, query: HitQuery) -> Result<HitPage> {
    blocking(move || Ok(Case::open_read_only(&path)?.query_hits(&query)?)).await
}

/// Every detail of one file: hashes, times, matches with their records, reviews.
#[tauri::command]
pub async fn file_detail(path: PathBuf, file_id: i64) -> Result<FileDetail> {
    blocking(move || Ok(Case::open_read_only(&path)?.file_detail(file_id)?)).await
}

/// A downscaled picture of a file, read from the evidence by its id and
/// made only from bytes whose SHA-256 is the scan's record (the report's
/// own thumbnail code, `spoor_report::picture`). Nothing is cached on disk.
#[tauri::command]
pub async fn thumbnail(path: PathBuf, file_id: i64, max_side: u32) -> Result<ThumbnailData> {
    use base64::Engine;
    if !(16..=1024).contains(&max_side) {
        return Err(AppError::new(ErrorCode::InvalidArgument, format!("thumbnail size {max_side}: use 16 to 1024 pixels")));
    }
    blocking(move || {
        let source = Case::open_read_only(&path)?.file_source(file_id)?;
        let t = spoor_report::picture::thumbnail(&source.abs_path, source.sha256.as_deref(), max_side)
            .map_err(|reason| AppError::new(ErrorCode::Undecodable, reason))?;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&t.jpeg);
        Ok(ThumbnailData { data_url: format!("data:image/jpeg;base64,{b64}"), width: t.width, height: t.height })
    })
    .await
}

/// A video's contact sheet as the case holds it (made and sealed by the
/// scan; the evidence is not read), as a `data:` URL: shown blurred and
/// grey until revealed, like every thumbnail. `None` when the scan made
/// none (not a video, or the sheet was switched off).
#[tauri::command]
pub async fn contact_sheet(path: PathBuf, file_id: i64) -> Result<Option<ThumbnailData>> {
    blocking(move || sheet_data(&path, file_id)).await
}

fn sheet_data(path: &Path, file_id: i64) -> Result<Option<ThumbnailData>> {
    use base64::Engine;
    let Some(sheet) = Case::open_read_only(path)?.contact_sheet(file_id)? else { return Ok(None) };
    // Only what the CSP's img-src and the front end expect: never a type
    // taken on trust from the file.
    if sheet.mime != "image/jpeg" && sheet.mime != "image/png" {
        return Err(AppError::new(ErrorCode::Undecodable, format!("contact sheet of file {file_id}: unexpected type {}", sheet.mime)));
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(&sheet.image);
    Ok(Some(ThumbnailData { data_url: format!("data:{};base64,{b64}", sheet.mime), width: sheet.width, height: sheet.height }))
}

/// Known material for triage's near-known candidates, as `spoor triage`
/// takes it by default: the library's alert PDQ and vPDQ sets that the
/// case's scans used.
fn triage_library(state: &AppState) -> spoor_triage::library::LibrarySelection {
    spoor_triage::library::LibrarySelection { root: state.library_root.clone(), sets: Vec::new() }
}

/// The triage of the case (as `spoor triage --json`): priority per
/// evidence item with its reasons, unknown pictures and videos with their
/// metadata, series, near-known candidates. Computed fresh, never stored.
#[tauri::command]
pub async fn triage(
    state: State<'_, AppState>,
    path: PathBuf,
    settings: Option<spoor_triage::TriageSettings>,
) -> Result<spoor_triage::case::CaseTriage> {
    let selection = triage_library(&state);
    blocking(move || {
        let settings = settings.unwrap_or_default();
        settings.validate()?;
        let case = Case::open_read_only(&path)?;
        let library = selection.load(&case)?;
        Ok(spoor_triage::case::triage_case(&case, &settings, &[], Some(&library))?)
    })
    .await
}

/// Exports selected unknown material as VICS 2.0 for victim
/// identification, recorded in the case and its audit log (as `spoor
/// triage export`).
#[tauri::command]
pub async fn export_victim_id(
    state: State<'_, AppState>,
    path: PathBuf,
    request: VictimIdExportRequest,
) -> Result<spoor_report::UnknownExportOutcome> {
    let library = triage_library(&state);
    blocking(move || {
        if request.selection.is_empty() {
            return Err(AppError::new(ErrorCode::InvalidArgument, "select unknown files, a series or the camera originals to export"));
        }
        let settings = request.settings.unwrap_or_default();
        settings.validate()?;
        let export = spoor_report::UnknownExportRequest {
            selection: request.selection,
            settings,
            extra_known: Vec::new(),
            library: Some(library),
            output: request.output,
            generator: spoor_report::Generator { name: "spoor-app".into(), version: env!("CARGO_PKG_VERSION").into(), commit: GIT_COMMIT.into() },
            generated_utc: None,
            actor: request.examiner.filter(|e| !e.trim().is_empty()),
        };
        Ok(spoor_report::export_unknown(&path, &export)?)
    })
    .await
}

/// Records a review of a file (category in the case's scheme, note),
/// sealed in the audit log with the examiner and time.
#[tauri::command]
pub async fn review(path: PathBuf, file_id: i64, category: Option<String>, note: String, examiner: Option<String>) -> Result<spoor_case::Review> {
    blocking(move || {
        let mut case = Case::open(&path)?;
        let scheme = case.review_scheme()?;
        if let Some(c) = &category {
            let allowed: &[&str] = match scheme {
                ReviewScheme::VicsUs => &["0", "1", "2", "3", "4"],
                ReviewScheme::Caid => &["A", "B", "C", "N"],
            };
            if !allowed.contains(&c.as_str()) {
                return Err(AppError::new(ErrorCode::InvalidArgument, format!("category {c:?}: use one of {}", allowed.join(", "))));
            }
        }
        if let Some(who) = examiner.filter(|w| !w.trim().is_empty()) {
            case.set_actor(who.trim());
        }
        let profile = match scheme {
            ReviewScheme::VicsUs => "vics-us",
            ReviewScheme::Caid => "caid",
        };
        Ok(case.add_review(file_id, category.as_deref(), Some(profile), &note)?)
    })
    .await
}

/// Warnings of the latest run per evidence item.
#[tauri::command]
pub async fn warnings(path: PathBuf) -> Result<Vec<spoor_case::WarningView>> {
    blocking(move || Ok(Case::open_read_only(&path)?.warnings()?)).await
}

/// The audit log, in order.
#[tauri::command]
pub async fn audit_log(path: PathBuf) -> Result<Vec<spoor_case::audit::AuditEntry>> {
    blocking(move || Ok(Case::open_read_only(&path)?.audit_log()?)).await
}

/// Verifies the case file (as `spoor verify`).
#[tauri::command]
pub async fn verify_case(path: PathBuf) -> Result<spoor_case::verify::VerifyReport> {
    blocking(move || Ok(spoor_case::verify::verify(&path)?)).await
}

/// Writes a report (as `spoor report`) and records it in the case.
#[tauri::command]
pub async fn export_report(
    state: State<'_, AppState>,
    path: PathBuf,
    request: ExportReportRequest,
    on_progress: Channel<WorkProgress>,
) -> Result<spoor_report::ExportOutcome> {
    let library = triage_library(&state);
    let export = spoor_report::ExportRequest {
        format: request.format,
        filters: request.filters,
        output: request.output,
        thumbnails: false,
        generator: spoor_report::Generator { name: "spoor-app".into(), version: env!("CARGO_PKG_VERSION").into(), commit: GIT_COMMIT.into() },
        generated_utc: None,
        actor: request.examiner.filter(|e| !e.trim().is_empty()),
    };
    let detail = Some(format!("{} to {}", export.format, export.output.display()));
    let counters = Arc::new(spoor_report::ExportProgress::default());
    let seen = Arc::clone(&counters);
    let probe = move || {
        let total = seen.hits_total.load(Ordering::Relaxed);
        Probe {
            stage: Some(seen.stage().as_str()),
            done: seen.hits_done.load(Ordering::Relaxed),
            total: (total > 0).then_some(total),
            records: None,
        }
    };
    with_ticks(on_progress, "verifying", detail, Some("hits"), probe, move || {
        Ok(spoor_report::export_with(&path, &export, Some(&library), &counters)?)
    })
    .await
}

/// Tells whether a file is exactly a report this case produced (as `spoor verify-report`).
#[tauri::command]
pub async fn verify_report(path: PathBuf, file: PathBuf) -> Result<spoor_report::FileCheck> {
    blocking(move || Ok(spoor_report::verify_file(&path, &file)?)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_case_is_not_found() {
        let err = overview(Path::new("/nonexistent/case.spoor")).err().map(|e| e.code);
        assert_eq!(err, Some(ErrorCode::NotFound));
    }

    #[test]
    fn overview_reads_a_real_case() -> std::result::Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("c.spoor");
        let info = NewCase { case_number: "2026-0001".into(), title: "T".into(), agency: "A".into(), examiner: "E".into(), time_zone: "UTC".into() };
        drop(Case::create(&path, &info, "test")?);
        let view = overview(&path)?;
        assert_eq!(view.case.case_number, "2026-0001");
        assert!(view.by_category.is_empty());
        assert_eq!(view.review_scheme, ReviewScheme::VicsUs);
        assert_eq!(view.resumable_run, None);
        Ok(())
    }

    #[test]
    fn progress_rate_and_eta_come_from_the_counters() {
        let p = WorkProgress::at("importing", None, Some("bytes"), &Probe { stage: None, done: 50, total: Some(150), records: Some(5) }, 2.0);
        assert_eq!((p.stage.as_str(), p.done, p.total, p.records), ("importing", 50, Some(150), Some(5)));
        assert_eq!(p.rate_per_sec, 25.0);
        assert_eq!(p.eta_secs, Some(4.0));
        let unknown = WorkProgress::at("importing", None, Some("bytes"), &Probe { stage: Some("done"), done: 50, total: None, records: None }, 0.0);
        assert_eq!((unknown.stage.as_str(), unknown.rate_per_sec, unknown.eta_secs), ("done", 0.0, None));
    }

    /// A video's contact sheet comes from the case, as the stored JPEG;
    /// a file without one has none.
    #[test]
    fn contact_sheets_come_from_the_case() -> std::result::Result<(), Box<dyn std::error::Error>> {
        use spoor_case::{Batch, ContactSheet, NewFile, NewVideo, RunEnd, RunStart};
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("c.spoor");
        let info = NewCase { case_number: "V-1".into(), title: String::new(), agency: String::new(), examiner: "E".into(), time_zone: "UTC".into() };
        let mut case = Case::create(&path, &info, "test")?;
        let ev = case.add_evidence(&NewEvidence { evidence_id: "ITEM-1".into(), description: String::new(), source_path: b"/mnt/x".to_vec(), acquisition_hashes: vec![] })?;
        let run = case.start_run(&RunStart {
            tool_name: "t".into(),
            tool_version: "0".into(),
            git_commit: "x".into(),
            host: "h".into(),
            settings: serde_json::json!({ "evidence": ["ITEM-1"] }),
            hashsets: vec![],
        })?;
        let jpeg = vec![0xFF, 0xD8, 0xFF, 0xD9];
        let mut batch = Batch::default();
        for (name, sheet) in [("clip.mp4", true), ("other.mp4", false)] {
            batch.files.push(NewFile {
                evidence_row: ev.row_id,
                path: name.as_bytes().to_vec(),
                path_display: name.into(),
                kind: "file".into(),
                size: 4,
                status: "hashed".into(),
                type_class: Some("video".into()),
                video: Some(Box::new(NewVideo {
                    codec: "h264".into(),
                    contact_sheet: sheet.then(|| ContactSheet {
                        mime: "image/jpeg".into(),
                        width: 640,
                        height: 480,
                        cols: 4,
                        rows: 4,
                        tile_width: 160,
                        tile_height: 120,
                        tiles: vec![0.0],
                        sha256: String::new(),
                        image: jpeg.clone(),
                    }),
                    ..NewVideo::default()
                })),
                ..NewFile::default()
            });
        }
        case.write_batch(run.run_id, &batch)?;
        case.end_run(run.run_id, &RunEnd::Completed)?;
        drop(case);
        let t = sheet_data(&path, 1)?.ok_or("no sheet")?;
        assert_eq!(t.data_url, "data:image/jpeg;base64,/9j/2Q==");
        assert_eq!((t.width, t.height), (640, 480));
        assert_eq!(sheet_data(&path, 2)?, None);
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
