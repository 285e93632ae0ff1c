//! The scan pipeline: walk → stat → read + digest → sniff → match → record.
//!
//! Stages run cheapest first. The walk lists every entry of every evidence
//! item (lstat only); the digest stage reads each regular file once on a
//! rayon pool, sniffs its type and looks its digests up in the hash sets;
//! one writer thread owns the case file and commits in batches, each sealed
//! by an audit entry. A run that is cancelled, killed or fails part-way is
//! resumed by the next scan: what was committed is kept, what was not is
//! redone, and the result is the same as an uninterrupted run's.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::{Arc, atomic::AtomicBool};
//! let case = spoor_case::Case::open(std::path::Path::new("case.spoor"))?;
//! let library = spoor_hashset::Library::open(&spoor_hashset::Library::default_root())?;
//! let outcome = spoor_scan::scan(case, &library, &spoor_scan::ScanOptions::default(),
//!     Arc::new(AtomicBool::new(false)), &spoor_scan::NoProgress)?;
//! println!("{:?}", outcome.counts());
//! # Ok(()) }
//! ```

pub mod metadata;
mod progress;
mod stages;
mod video;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use spoor_case::{Case, HashSetRecord, RunCounts, RunEnd, RunStart};
use spoor_hashset::{Library, SetInfo};

pub use progress::{Counters, NoProgress, Progress, Snapshot, Stage};
pub use video::{VideoOptions, WORKER_ENV, WORKER_NAME};
pub use spoor_video::{MatchSettings as VpdqSettings, SheetLayout};

/// Who ran the scan: written into the run record and the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
    pub git_commit: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool { name: "spoor".into(), version: env!("CARGO_PKG_VERSION").into(), git_commit: "unknown".into() }
    }
}

/// How to scan.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Worker threads for reading and hashing; `None` = all cores.
    pub jobs: Option<usize>,
    /// Hash sets to use, by name or id; empty = every set in the library.
    pub hashsets: Vec<String>,
    /// Scan every evidence item again, even those a completed run covered.
    pub rescan: bool,
    /// Commit after this many files ...
    pub batch_files: usize,
    /// ... or after this long, whichever comes first.
    pub batch_interval: Duration,
    pub tool: Tool,
    /// Pixel and memory caps for picture decoding (hostile input).
    pub decode_limits: spoor_pdq::decode::Limits,
    /// Pictures larger than this many bytes are not decoded (a warning says so).
    pub max_picture_bytes: u64,
    /// Videos: sampling, the worker's caps and the vPDQ rule.
    pub video: VideoOptions,
    /// Memory the workers' picture decodes may hold at once, estimated from
    /// each picture's header; one larger than this decodes alone.
    pub decode_memory: u64,
    /// PDQ matching: a picture matches a listed hash when one of its eight
    /// dihedral variants is within this Hamming distance (0..=256).
    pub pdq_max_distance: u32,
    /// PDQ matching: pictures (and listed hashes) under this quality are
    /// recorded but not matched.
    pub pdq_min_quality: u8,
}

/// The PDQ matching thresholds of a run, as recorded in its settings
/// (`pdq_max_distance`, `pdq_min_quality`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdqSettings {
    pub max_distance: u32,
    pub min_quality: u8,
}

impl PdqSettings {
    /// The thresholds a run recorded; `None` for runs from before PDQ
    /// matching.
    fn from_run(settings: &serde_json::Value) -> Option<PdqSettings> {
        let max_distance = settings.get("pdq_max_distance")?.as_u64()?;
        let min_quality = settings.get("pdq_min_quality")?.as_u64()?;
        Some(PdqSettings { max_distance: u32::try_from(max_distance).ok()?, min_quality: u8::try_from(min_quality).ok()? })
    }
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            jobs: None,
            hashsets: Vec::new(),
            rescan: false,
            batch_files: 512,
            batch_interval: Duration::from_millis(500),
            tool: Tool::default(),
            decode_limits: spoor_pdq::decode::Limits::default(),
            max_picture_bytes: 512 * 1024 * 1024,
            video: VideoOptions::default(),
            decode_memory: 1 << 30,
            pdq_max_distance: spoor_pdq::index::DEFAULT_MAX_DISTANCE,
            pdq_min_quality: spoor_pdq::index::DEFAULT_MIN_QUALITY,
        }
    }
}

/// How a scan ended. Cancellation is an outcome, not an error: the run is
/// kept and the next scan resumes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Completed(Summary),
    Cancelled(Summary),
    /// Every evidence item has been scanned by a completed run already.
    NothingToScan,
}

impl Outcome {
    pub fn counts(&self) -> Option<&RunCounts> {
        match self {
            Outcome::Completed(s) | Outcome::Cancelled(s) => Some(&s.counts),
            Outcome::NothingToScan => None,
        }
    }
}

/// What a run did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Summary {
    pub run_id: i64,
    /// Whether this invocation resumed an unfinished run.
    pub resumed: bool,
    pub evidence_ids: Vec<String>,
    pub counts: RunCounts,
    pub content_digest: Option<String>,
    pub elapsed_secs: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Case(#[from] spoor_case::Error),
    #[error(transparent)]
    HashSet(#[from] spoor_hashset::Error),
    #[error("evidence item {id}: {source}")]
    Evidence { id: String, source: spoor_evidence::Error },
    #[error("the case has no evidence items; add one with `spoor evidence add`")]
    NoEvidence,
    #[error(
        "scan run {run_id} used hash set {uid}, which is no longer in the library at {library}; import it again to resume the run"
    )]
    MissingHashSet { run_id: i64, uid: String, library: PathBuf },
    #[error("invalid scan settings: {0}")]
    Settings(String),
    #[error("could not start worker threads: {0}")]
    Threads(String),
    #[error("scan stopped: {0}")]
    Write(spoor_case::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// The case's record of a library set.
pub fn hashset_record(info: &SetInfo) -> HashSetRecord {
    HashSetRecord {
        set_uid: info.id.clone(),
        name: info.name.clone(),
        version: info.version.clone(),
        kind: info.kind.to_string(),
        format: info.format.to_string(),
        profile: info.profile.clone(),
        // Manifests written before the field existed leave it empty.
        importer_version: if info.importer_version.is_empty() {
            format!("spoor-hashset (layout {})", info.format_version)
        } else {
            info.importer_version.clone()
        },
        source_name: info.source_name.clone(),
        source_sha256: info.source_sha256.clone(),
        record_count: info.record_count,
        digest_counts: serde_json::to_value(&info.digest_counts).unwrap_or_default(),
        imported_utc: info.imported_utc.clone(),
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

/// Scans the case's evidence: resumes an unfinished run if there is one,
/// else starts a run over the evidence items no completed run has covered
/// (every item with `rescan`).
pub fn scan(mut case: Case, library: &Library, opts: &ScanOptions, cancel: Arc<AtomicBool>, progress: &dyn Progress) -> Result<Outcome> {
    let started = Instant::now();
    let evidence = case.evidence()?;
    if evidence.is_empty() {
        return Err(Error::NoEvidence);
    }
    let requested = PdqSettings { max_distance: opts.pdq_max_distance, min_quality: opts.pdq_min_quality };
    if requested.max_distance > 256 || requested.min_quality > 100 {
        return Err(Error::Settings(format!(
            "PDQ distance {} (0 to 256) or minimum quality {} (0 to 100) out of range",
            requested.max_distance, requested.min_quality
        )));
    }
    let mut video = opts.video.clone();
    let (handle, matcher, items, resumed, pdq) = match case.resumable_run()? {
        Some(run) => {
            let uids: Vec<String> = run
                .settings
                .get("hashset_uids")
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or_default();
            let available: Vec<String> = library.list()?.into_iter().map(|s| s.id).collect();
            if let Some(missing) = uids.iter().find(|u| !available.contains(u)) {
                return Err(Error::MissingHashSet { run_id: run.run_id, uid: missing.clone(), library: library.root().to_path_buf() });
            }
            let ids: Vec<String> = run
                .settings
                .get("evidence")
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or_default();
            let items: Vec<_> = evidence.into_iter().filter(|e| ids.contains(&e.evidence_id)).collect();
            check_roots(&items)?;
            let matcher = library.load(&uids)?;
            // A resumed run keeps the thresholds it started with, so its
            // result is the uninterrupted run's.
            let pdq = PdqSettings::from_run(&run.settings).unwrap_or(requested);
            video = opts.video.resumed(&run.settings);
            let handle = case.resume_run(run.run_id)?;
            (handle, matcher, items, true, pdq)
        }
        None => {
            let covered = covered_evidence(&case)?;
            let items: Vec<_> = evidence.into_iter().filter(|e| opts.rescan || !covered.contains(&e.evidence_id)).collect();
            if items.is_empty() {
                return Ok(Outcome::NothingToScan);
            }
            check_roots(&items)?;
            let matcher = library.load(&opts.hashsets)?;
            let mut settings = serde_json::json!({
                "jobs": opts.jobs,
                "evidence": items.iter().map(|e| e.evidence_id.clone()).collect::<Vec<_>>(),
                "hashset_selection": opts.hashsets,
                "library": library.root().display().to_string(),
                "rescan": opts.rescan,
                "follow_symlinks": false,
                "picture_max_pixels": opts.decode_limits.max_pixels,
                "picture_max_bytes": opts.max_picture_bytes,
                "picture_decode_memory": opts.decode_memory,
                "picture_timeout_secs": opts.decode_limits.max_decode_time.map(|d| d.as_secs_f64()),
                "picture_max_jpeg_scans": opts.decode_limits.max_jpeg_scans,
                "one_file_system": true,
                "pdq_max_distance": requested.max_distance,
                "pdq_min_quality": requested.min_quality,
            });
            if let Some(map) = settings.as_object_mut() {
                map.extend(opts.video.settings());
            }
            let handle = case.start_run(&RunStart {
                tool_name: opts.tool.name.clone(),
                tool_version: opts.tool.version.clone(),
                git_commit: opts.tool.git_commit.clone(),
                host: host_name(),
                settings,
                hashsets: matcher.sets().iter().map(hashset_record).collect(),
            })?;
            (handle, matcher, items, false, requested)
        }
    };
    let run_id = handle.run_id;
    let recorded = case.recorded(run_id)?;
    let counters = Arc::new(Counters::default());
    let pipeline = stages::Pipeline {
        items: &items,
        matcher: &matcher,
        handle: &handle,
        recorded: &recorded,
        opts,
        pdq,
        video: &video,
        cancel: &cancel,
        counters: &counters,
        progress,
        budget: stages::DecodeBudget::new(opts.decode_memory),
    };
    let written = pipeline.run(&mut case);
    let evidence_ids = items.iter().map(|e| e.evidence_id.clone()).collect();
    match written {
        Err(e) => {
            // Record the failure if the case can still be written; the run
            // stays resumable either way.
            let _ = case.end_run(run_id, &RunEnd::Failed(e.to_string()));
            Err(Error::Write(e))
        }
        Ok(()) if cancel.load(Ordering::SeqCst) => {
            let info = case.end_run(run_id, &RunEnd::Cancelled)?;
            Ok(Outcome::Cancelled(Summary {
                run_id,
                resumed,
                evidence_ids,
                counts: info.counts,
                content_digest: None,
                elapsed_secs: started.elapsed().as_secs_f64(),
            }))
        }
        Ok(()) => {
            progress.update(&counters.snapshot(Stage::Sealing, started));
            let info = case.end_run(run_id, &RunEnd::Completed)?;
            Ok(Outcome::Completed(Summary {
                run_id,
                resumed,
                evidence_ids,
                counts: info.counts,
                content_digest: info.content_digest,
                elapsed_secs: started.elapsed().as_secs_f64(),
            }))
        }
    }
}

fn check_roots(items: &[spoor_case::EvidenceItem]) -> Result<()> {
    use std::os::unix::ffi::OsStrExt;
    for item in items {
        let root = std::path::Path::new(std::ffi::OsStr::from_bytes(&item.source_path));
        spoor_evidence::check_root(root).map_err(|source| Error::Evidence { id: item.evidence_id.clone(), source })?;
    }
    Ok(())
}

/// Evidence ids that a completed run has scanned.
fn covered_evidence(case: &Case) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for run in case.runs()?.into_iter().filter(|r| r.state == "completed") {
        if let Some(ids) = run.settings.get("evidence").and_then(|v| v.as_array()) {
            out.extend(ids.iter().filter_map(|v| v.as_str().map(String::from)));
        }
    }
    Ok(out)
}
