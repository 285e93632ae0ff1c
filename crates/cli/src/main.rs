//! `spoor`: the command-line twin of the desktop app.
//!
//! Exit codes (a public contract): 0 success (a scan with warnings too);
//! 1 verification failed; 2 usage, input or I/O error; 130 scan cancelled
//! (Ctrl-C; run the scan again to resume it).

mod lookup;
mod output;
mod progress;
mod report;
mod triage;

use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use spoor_case::{AcquisitionHash, Case, NewCase, NewEvidence};
use spoor_hashset::{CaidGrades, Format, ImportOptions, Library, SetKind};
use spoor_scan::{Outcome, ScanOptions, Tool};

use crate::output::{human_bytes, print_json, print_json_line};

/// The git commit this binary was built from (set by build.rs).
const GIT_COMMIT: &str = env!("SPOOR_GIT_COMMIT");

/// Exit status for a verification that failed.
const EXIT_VERIFY_FAILED: u8 = 1;
/// Exit status for a usage, input or I/O error.
const EXIT_ERROR: u8 = 2;
/// Exit status for a scan stopped by Ctrl-C (resumable).
const EXIT_CANCELLED: u8 = 130;

#[derive(Parser, Debug)]
#[command(name = "spoor", version, about = "Forensic hash and fingerprint matching of seized media", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug, Clone)]
struct LibraryArg {
    /// The hash-set library folder [default: $SPOOR_LIBRARY, else the platform data folder]
    #[arg(long, env = "SPOOR_LIBRARY", value_name = "DIR")]
    library: Option<PathBuf>,
}

impl LibraryArg {
    fn open(&self) -> Result<Library> {
        let root = self.library.clone().unwrap_or_else(Library::default_root);
        Library::open(&root).with_context(|| format!("opening the hash-set library {}", root.display()))
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create or show a case file
    #[command(subcommand)]
    Case(CaseCommand),
    /// Import, list, look digests up in, export, verify and remove hash sets in the library
    #[command(subcommand)]
    Hashset(HashsetCommand),
    /// Register and list evidence items of a case
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// Scan the case's evidence (resumes an unfinished scan)
    Scan(ScanArgs),
    /// List the hits of a case
    Hits {
        case: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// List the warnings recorded by the scans of a case
    Warnings {
        case: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Check the case file's audit chain and every row, and the case against the chain heads recorded outside it; exit 1 if anything was altered
    Verify {
        case: PathBuf,
        #[arg(long)]
        json: bool,
        /// A chain head noted earlier (from a report or `spoor verify`): the case must still hold entry SEQ with this hash
        #[arg(long, value_name = "SEQ:HASH")]
        expect_head: Option<String>,
        /// The anchor ledger to check against [default: $SPOOR_ANCHORS, else the Spoor data folder's anchors.jsonl]
        #[arg(long, value_name = "FILE")]
        anchors: Option<PathBuf>,
    },
    /// Record an examiner's review of a file: its category and a note
    Review {
        case: PathBuf,
        /// The file's id (`file_id` in `spoor hits --json`)
        file_id: i64,
        /// The category to assign (raw value, e.g. 1 for VICS US or A for CAID); omit to record only a note
        #[arg(long)]
        category: Option<String>,
        /// The category scheme (e.g. vics-us, caid)
        #[arg(long)]
        profile: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        /// Who reviews [default: the case's examiner]
        #[arg(long, env = "SPOOR_EXAMINER")]
        examiner: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show the audit log of a case
    Audit {
        case: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Write a report of the case (HTML, PDF, CSV or VICS) and record it in the case
    Report(report::ReportArgs),
    /// Triage: priority per evidence item with its reasons, unknown material, series, near-known candidates;
    /// `spoor triage export` writes selected unknown material for victim identification
    Triage(triage::TriageArgs),
    /// Tell whether a file is exactly a report this case produced, and when; exit 1 if not
    VerifyReport {
        case: PathBuf,
        /// The report file to check
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Digest files (MD5, SHA-1, SHA-256) and identify their type, without a case
    Hash {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
enum CaseCommand {
    /// Create a new case file
    Init {
        case: PathBuf,
        /// Case number
        #[arg(long)]
        number: String,
        /// The examiner responsible
        #[arg(long)]
        examiner: String,
        #[arg(long, default_value = "")]
        agency: String,
        #[arg(long, default_value = "")]
        title: String,
        /// The examiner's time zone (IANA name), for display; the case stores UTC
        #[arg(long, default_value = "UTC")]
        time_zone: String,
        #[arg(long)]
        json: bool,
    },
    /// Show the case, its evidence, hash sets and scan runs
    Show {
        case: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum KindArg {
    Alert,
    Ignore,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FormatArg {
    Auto,
    Md5sum,
    Sha1sum,
    Sha256sum,
    Csv,
    /// VICS JSON 1.x / 2.0 (Project VIC)
    Vics,
    /// VICS 2.0 UK profile (CAID)
    Caid,
    /// NSRL RDS v3 (SQLite)
    NsrlRds3,
    /// NSRL RDS 2.x NSRLFile.txt
    NsrlRds2,
    /// HashKeeper .hsh
    Hashkeeper,
    /// EnCase .hash
    Encase,
    /// Sleuth Kit .idx
    TskIdx,
    /// Sleuth Kit .kdb (SQLite)
    TskKdb,
    /// PDQ picture hashes: `hash` or `hash,quality` per line, or CSV with a PDQ column
    Pdq,
    /// vPDQ frame lists (frame,quality,hash,timestamp lines): a file per video, or a folder of them
    Vpdq,
}

impl FormatArg {
    fn format(self) -> Option<Format> {
        Some(match self {
            FormatArg::Auto => return None,
            FormatArg::Md5sum => Format::Md5sum,
            FormatArg::Sha1sum => Format::Sha1sum,
            FormatArg::Sha256sum => Format::Sha256sum,
            FormatArg::Csv => Format::Csv,
            FormatArg::Vics => Format::Vics,
            FormatArg::Caid => Format::Caid,
            FormatArg::NsrlRds3 => Format::NsrlRds3,
            FormatArg::NsrlRds2 => Format::NsrlRds2,
            FormatArg::Hashkeeper => Format::HashKeeper,
            FormatArg::Encase => Format::EnCase,
            FormatArg::TskIdx => Format::TskIdx,
            FormatArg::TskKdb => Format::TskKdb,
            FormatArg::Pdq => Format::Pdq,
            FormatArg::Vpdq => Format::Vpdq,
        })
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ExportFormatArg {
    /// VICS JSON 2.0 with the set's profile
    Vics,
    /// md5sum lines (records with an MD5)
    Md5sum,
    /// CSV with every kept field
    Csv,
    /// PDQ sets: `hash,quality` per line
    Pdq,
    /// The known videos as vPDQ text (a `# name` line, then its frames, per video)
    Vpdq,
}

#[derive(Subcommand, Debug)]
enum HashsetCommand {
    /// Import a hash list into the library (atomic: a bad record changes nothing)
    Import {
        /// The list; for vPDQ, a file or a folder of files (one per video)
        file: PathBuf,
        #[arg(long)]
        name: String,
        #[arg(long)]
        version: Option<String>,
        /// alert: known material; ignore: known-good, set aside [default: ignore for NSRL; required otherwise]
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        #[arg(long, value_enum, default_value = "auto")]
        format: FormatArg,
        /// CAID (UK profile) raw category values of grades A,B,C and non-indecent [default: 1,2,3,0]
        #[arg(long, value_name = "A,B,C,NON_INDECENT")]
        caid_grades: Option<String>,
        #[command(flatten)]
        library: LibraryArg,
        #[arg(long)]
        json: bool,
    },
    /// List the sets in the library with their provenance
    List {
        #[command(flatten)]
        library: LibraryArg,
        #[arg(long)]
        json: bool,
    },
    /// Remove a set from the library
    Remove {
        name: String,
        #[arg(long)]
        version: Option<String>,
        #[command(flatten)]
        library: LibraryArg,
    },
    /// Write a set's records out as VICS JSON, md5sum lines or CSV (PDQ sets: pdq or csv)
    Export {
        /// The set's name (or id)
        name: String,
        #[arg(long)]
        version: Option<String>,
        #[arg(long, value_enum)]
        format: ExportFormatArg,
        /// Output file [default: standard output]
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        library: LibraryArg,
    },
    /// Look digests up in the library's sets (like Sleuth Kit's hfind): the MD5, SHA-1 or
    /// SHA-256 at the start of each line of FILE (bare, md5sum/sha1sum/sha256sum, CSV or
    /// BSD `MD5 (name) = digest` lines; blank and # lines passed over, others skipped with a
    /// warning). Prints every digest with its matches, in the list's order; exit 0 whether
    /// or not any is found
    Lookup {
        /// The list of digests [default: standard input; also `-`]
        file: Option<PathBuf>,
        /// Use only these hash sets (name or id; repeatable) [default: all]
        #[arg(long = "hashset", value_name = "NAME")]
        hashsets: Vec<String>,
        /// Print only the digests found
        #[arg(long)]
        found_only: bool,
        #[command(flatten)]
        library: LibraryArg,
        /// One JSON object per digest, a line each: line, digest, kind, matches (set, set_id,
        /// set_version, set_kind, record)
        #[arg(long)]
        json: bool,
    },
    /// Check every block of a set's tables and records; exit 1 if damaged
    Verify {
        /// The set's name (or id)
        name: String,
        #[arg(long)]
        version: Option<String>,
        #[command(flatten)]
        library: LibraryArg,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
enum EvidenceCommand {
    /// Register a mounted evidence folder
    Add {
        case: PathBuf,
        /// The evidence item's id, e.g. ITEM-001
        #[arg(long)]
        id: String,
        /// The mounted folder (mount it read-only)
        #[arg(long)]
        path: PathBuf,
        #[arg(long, default_value = "")]
        description: String,
        /// ALGORITHM:HEX of the acquired image, as supplied (repeatable)
        #[arg(long = "acquisition-hash", value_name = "ALGO:HEX")]
        acquisition_hashes: Vec<String>,
        /// When the device was seized (RFC 3339, e.g. 2024-05-20T09:00:00Z, or a date): the reference for "recent" in triage
        #[arg(long, value_name = "UTC")]
        seized: Option<String>,
        /// When the evidence was acquired (imaged), RFC 3339 or a date
        #[arg(long, value_name = "UTC")]
        acquired: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Record (or correct) when an evidence item was seized or acquired; without a flag, list the dates
    Dates {
        case: PathBuf,
        /// The evidence item's id (omit to list every item's dates)
        id: Option<String>,
        /// When the device was seized (RFC 3339 or a date)
        #[arg(long, value_name = "UTC", requires = "id")]
        seized: Option<String>,
        /// When the evidence was acquired (RFC 3339 or a date)
        #[arg(long, value_name = "UTC", requires = "id")]
        acquired: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List the evidence items
    List {
        case: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ProgressArg {
    /// A bar on a terminal, nothing otherwise
    Auto,
    Bar,
    /// JSON lines on standard error, about five a second
    Json,
    None,
}

/// `--picture-timeout`: seconds (0 and fractions allowed), or `none`.
#[derive(Clone, Copy, Debug)]
struct PictureTimeout(Option<std::time::Duration>);

fn parse_picture_timeout(s: &str) -> std::result::Result<PictureTimeout, String> {
    if s.trim().eq_ignore_ascii_case("none") {
        return Ok(PictureTimeout(None));
    }
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=1e9).contains(&v) => Ok(PictureTimeout(Some(std::time::Duration::from_secs_f64(v)))),
        _ => Err(format!("expected a number of seconds (0 or more) or `none`, got {s:?}")),
    }
}

#[derive(Args, Debug)]
struct ScanArgs {
    case: PathBuf,
    /// Worker threads [default: all cores]
    #[arg(long)]
    jobs: Option<usize>,
    /// Use only these hash sets (name or id; repeatable) [default: all]
    #[arg(long = "hashset", value_name = "NAME")]
    hashsets: Vec<String>,
    /// Scan evidence items again even if a completed run covered them
    #[arg(long)]
    rescan: bool,
    /// PDQ: largest Hamming distance (0-256) at which a picture matches a listed hash
    #[arg(long, value_name = "N", default_value_t = spoor_pdq::index::DEFAULT_MAX_DISTANCE, value_parser = clap::value_parser!(u32).range(0..=256))]
    pdq_distance: u32,
    /// PDQ: pictures and listed hashes under this quality (0-100) are recorded but not matched
    #[arg(long, value_name = "N", default_value_t = spoor_pdq::index::DEFAULT_MIN_QUALITY, value_parser = clap::value_parser!(u8).range(0..=100))]
    pdq_min_quality: u8,
    /// Pictures: seconds one picture's decoding may take (`none`: no cap); past it the
    /// picture gets a `decode` warning (timed_out) and the scan moves on
    #[arg(long, value_name = "SECS", default_value = "20", value_parser = parse_picture_timeout)]
    picture_timeout: PictureTimeout,
    #[arg(long, value_enum, default_value = "auto")]
    progress: ProgressArg,
    #[command(flatten)]
    library: LibraryArg,
    /// Print the summary as JSON
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    video: VideoArgs,
}

/// How videos are fingerprinted and matched (recorded in the run's settings).
#[derive(Args, Debug)]
struct VideoArgs {
    /// Do not fingerprint videos (they are still digested and matched by hash)
    #[arg(long)]
    no_video: bool,
    /// Video frames hashed per second of presentation time
    #[arg(long, value_name = "F", default_value_t = 1.0)]
    video_fps: f64,
    /// Make no contact sheets
    #[arg(long)]
    no_contact_sheet: bool,
    /// Video worker processes at once [default: --jobs]
    #[arg(long, value_name = "N")]
    video_workers: Option<usize>,
    /// Hard wall-clock cap per video, seconds
    #[arg(long, value_name = "SECS", default_value_t = 1800)]
    video_max_secs: u64,
    /// Wall-clock seconds a worker gets per second of declared duration (plus --video-base-secs)
    #[arg(long, value_name = "F", default_value_t = 4.0)]
    video_secs_per_second: f64,
    /// Wall-clock seconds a worker gets to open a file, and on top of what the duration earns
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    video_base_secs: u64,
    /// Address-space cap of each video worker, MiB
    #[arg(long, value_name = "MIB", default_value_t = 4096)]
    video_max_memory: u64,
    /// Pixels per frame beyond which a video is refused
    #[arg(long, value_name = "N", default_value_t = 8192 * 8192)]
    video_max_pixels: u64,
    /// Decoded frames beyond which a video is given up
    #[arg(long, value_name = "N", default_value_t = 10_000_000)]
    video_max_frames: u64,
    /// The video worker binary [default: spoor-video-worker next to spoor]
    #[arg(long, env = "SPOOR_VIDEO_WORKER", value_name = "PATH")]
    video_worker: Option<PathBuf>,
    /// vPDQ: largest Hamming distance at which two frames match
    #[arg(long, value_name = "BITS", default_value_t = 31)]
    vpdq_max_distance: u32,
    /// vPDQ: frames of lower PDQ quality are ignored on both sides
    #[arg(long, value_name = "Q", default_value_t = 50)]
    vpdq_min_quality: u32,
    /// vPDQ: share of the scanned video's unique frames that must match, percent
    #[arg(long, value_name = "PERCENT", default_value_t = 80.0)]
    vpdq_query_match: f64,
    /// vPDQ: share of the known video's unique frames that must match, percent
    #[arg(long, value_name = "PERCENT", default_value_t = 0.0)]
    vpdq_known_match: f64,
}

impl VideoArgs {
    fn options(&self) -> Result<spoor_scan::VideoOptions> {
        if !(self.video_fps.is_finite() && self.video_fps > 0.0) {
            bail!("--video-fps must be a number above 0, got {}", self.video_fps);
        }
        for (flag, v) in [("--vpdq-query-match", self.vpdq_query_match), ("--vpdq-known-match", self.vpdq_known_match)] {
            if !(0.0..=100.0).contains(&v) {
                bail!("{flag} is a percentage from 0 to 100, got {v}");
            }
        }
        if self.vpdq_max_distance > 256 || self.vpdq_min_quality > 100 {
            bail!("--vpdq-max-distance is at most 256 and --vpdq-min-quality at most 100");
        }
        let defaults = spoor_scan::VideoOptions::default();
        Ok(spoor_scan::VideoOptions {
            enabled: !self.no_video,
            fps: self.video_fps,
            contact_sheet: if self.no_contact_sheet { None } else { defaults.contact_sheet },
            max_pixels: self.video_max_pixels,
            max_frames: self.video_max_frames,
            base_secs: self.video_base_secs,
            secs_per_video_sec: self.video_secs_per_second.max(0.0),
            max_secs: self.video_max_secs,
            max_memory: self.video_max_memory.saturating_mul(1 << 20),
            workers: self.video_workers,
            threads: 0,
            worker: self.video_worker.clone(),
            matching: spoor_scan::VpdqSettings {
                max_distance: self.vpdq_max_distance,
                min_quality: self.vpdq_min_quality,
                query_match_threshold: self.vpdq_query_match,
                known_match_threshold: self.vpdq_known_match,
            },
        })
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("SPOOR_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = run(cli);
    // The case was written; only its head is missing from the ledger.
    if let Some(failure) = spoor_case::anchors::take_failure() {
        eprintln!("spoor: warning: {failure}");
    }
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = std::io::stdout().flush();
            eprintln!("spoor: error: {}", error_chain(&err));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// A reader that stopped reading (`| head`) is not an error.
/// serde_json wraps the write error in its own type, which says what kind
/// of I/O error it was.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || e.downcast_ref::<serde_json::Error>().and_then(|j| j.io_error_kind()) == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes, each said once: the engine's errors already
/// name their cause in their message, so a cause that the text so far ends
/// with is not repeated.
fn error_chain(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if text.ends_with(&part) || text.contains(&format!("{part}:")) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Case(CaseCommand::Init { case, number, examiner, agency, title, time_zone, json }) => {
            let info = NewCase { case_number: number, title, agency, examiner, time_zone };
            let c = Case::create(&case, &info, &tool_version()).with_context(|| format!("creating {}", case.display()))?;
            let info = c.info()?;
            if json {
                print_json(&info)?;
            } else {
                outln!("Created case {} ({}) in {}", info.case_number, info.title, case.display());
            }
            Ok(0)
        }
        Command::Case(CaseCommand::Show { case, json }) => output::show_case(&Case::open_read_only(&case)?, json).map(|_| 0),
        Command::Hashset(cmd) => hashset(cmd),
        Command::Evidence(EvidenceCommand::Add { case, id, path, description, acquisition_hashes, seized, acquired, json }) => {
            let hashes =
                acquisition_hashes.iter().map(|h| h.parse::<AcquisitionHash>()).collect::<spoor_case::Result<Vec<_>>>()?;
            let dates = evidence_dates_arg(seized.as_deref(), acquired.as_deref())?;
            spoor_evidence::check_root(&path)?;
            let abs = std::fs::canonicalize(&path).with_context(|| format!("resolving {}", path.display()))?;
            let mut c = Case::open(&case)?;
            let item = c.add_evidence(&NewEvidence {
                evidence_id: id,
                description,
                source_path: abs.as_os_str().as_bytes().to_vec(),
                acquisition_hashes: hashes,
            })?;
            let mut recorded = Vec::new();
            for (kind, when) in dates {
                recorded.push(c.add_evidence_date(&item.evidence_id, kind, &when)?);
            }
            if json {
                #[derive(serde::Serialize)]
                struct Added<'a> {
                    #[serde(flatten)]
                    item: &'a spoor_case::EvidenceItem,
                    dates: &'a [spoor_case::EvidenceDate],
                }
                print_json(&Added { item: &item, dates: &recorded })?;
            } else {
                for d in &recorded {
                    outln!("  {} date {}", d.kind, d.utc);
                }
                outln!("Added evidence item {} ({})", item.evidence_id, item.source_path_display);
                for h in &item.acquisition_hashes {
                    outln!("  acquisition hash {}:{} (as supplied; a mounted folder cannot be checked against it)", h.algorithm, h.value);
                }
            }
            Ok(0)
        }
        Command::Evidence(EvidenceCommand::Dates { case, id, seized, acquired, json }) => {
            let dates = evidence_dates_arg(seized.as_deref(), acquired.as_deref())?;
            let listed = if dates.is_empty() {
                let all = Case::open_read_only(&case)?.evidence_dates()?;
                all.into_iter().filter(|d| id.as_ref().is_none_or(|i| *i == d.evidence_id)).collect()
            } else {
                let id = id.context("name the evidence item")?;
                let mut c = Case::open(&case)?;
                let mut out = Vec::new();
                for (kind, when) in dates {
                    out.push(c.add_evidence_date(&id, kind, &when)?);
                }
                out
            };
            if json {
                print_json(&listed)?;
            } else {
                for d in &listed {
                    outln!("{}\t{}\t{}\t(recorded {} by {})", d.evidence_id, d.kind, d.utc, d.added_utc, d.added_by);
                }
            }
            Ok(0)
        }
        Command::Evidence(EvidenceCommand::List { case, json }) => {
            let items = Case::open_read_only(&case)?.evidence()?;
            if json {
                print_json(&items)?;
            } else {
                for i in items {
                    outln!("{}\t{}\t{}", i.evidence_id, i.source_path_display, i.description);
                }
            }
            Ok(0)
        }
        Command::Scan(args) => scan(args),
        Command::Hits { case, json } => {
            let hits = Case::open_read_only(&case)?.hits()?;
            if json {
                print_json(&hits)?;
            } else {
                output::print_hits(&hits)?;
            }
            Ok(0)
        }
        Command::Warnings { case, json } => {
            let warnings = Case::open_read_only(&case)?.warnings()?;
            if json {
                print_json(&warnings)?;
            } else {
                for w in &warnings {
                    outln!("{}\t{}\t{}\t{}", w.evidence_id, w.stage, w.path, w.reason);
                }
                outln!("{} warning(s)", warnings.len());
            }
            Ok(0)
        }
        Command::Verify { case, json, expect_head, anchors } => {
            let mut options = spoor_case::verify::VerifyOptions::with_default_ledger();
            if let Some(head) = expect_head {
                options.expect_head = Some(spoor_case::verify::parse_head(&head)?);
            }
            if anchors.is_some() {
                options.ledger = anchors;
            }
            let report = spoor_case::verify::verify_with(&case, &options)?;
            if json {
                print_json(&report)?;
            } else {
                output::print_verify(&report)?;
            }
            Ok(if report.is_intact() { 0 } else { EXIT_VERIFY_FAILED })
        }
        Command::Review { case, file_id, category, profile, note, examiner, json } => {
            let mut c = Case::open(&case)?;
            if let Some(who) = examiner {
                c.set_actor(&who);
            }
            let review = c.add_review(file_id, category.as_deref(), profile.as_deref(), &note)?;
            if json {
                print_json(&review)?;
            } else {
                outln!(
                    "Reviewed file {} as {} by {} at {}",
                    review.file_id,
                    review.category.as_deref().unwrap_or("(no category)"),
                    review.examiner,
                    review.time_utc
                );
            }
            Ok(0)
        }
        Command::Audit { case, json } => {
            let log = Case::open_read_only(&case)?.audit_log()?;
            if json {
                print_json(&log)?;
            } else {
                for e in &log {
                    outln!("{:>6}  {}  {:<14}  {}  {}", e.seq, e.time_utc, e.action, e.actor, &e.entry_hash[..16]);
                }
            }
            Ok(0)
        }
        Command::Hash { files, json } => hash(&files, json),
        Command::Report(args) => report::report(args),
        Command::VerifyReport { case, file, json } => report::verify_report(case, file, json),
        Command::Triage(args) => triage::triage(args),
    }
}

/// The `--seized` / `--acquired` values, checked before anything is written.
fn evidence_dates_arg(seized: Option<&str>, acquired: Option<&str>) -> Result<Vec<(&'static str, String)>> {
    let mut out = Vec::new();
    for (kind, flag, value) in [("seizure", "--seized", seized), ("acquisition", "--acquired", acquired)] {
        if let Some(v) = value {
            let utc = spoor_case::utc::parse_to_utc(v)
                .with_context(|| format!("{flag} {v:?} is not an RFC 3339 time (e.g. 2024-05-20T09:00:00Z) or a date (2024-05-20)"))?;
            out.push((kind, utc));
        }
    }
    Ok(out)
}

fn tool_version() -> String {
    format!("spoor {} ({})", env!("CARGO_PKG_VERSION"), GIT_COMMIT)
}

fn hashset(cmd: HashsetCommand) -> Result<u8> {
    match cmd {
        HashsetCommand::Import { file, name, version, kind, format, caid_grades, library, json } => {
            let lib = library.open()?;
            let format = format.format();
            let kind = match kind {
                Some(KindArg::Alert) => SetKind::Alert,
                Some(KindArg::Ignore) => SetKind::Ignore,
                None => {
                    let detected = match format {
                        Some(f) => Some(f),
                        None => spoor_hashset::detect_file_format(&file)?,
                    };
                    match detected.and_then(Format::default_kind) {
                        Some(kind) => kind,
                        None => bail!(
                            "--kind is required for {} (alert: known material; ignore: known-good); only NSRL sets default to ignore",
                            detected.map(|f| format!("a {f} list")).unwrap_or_else(|| "this list".into())
                        ),
                    }
                }
            };
            let mut opts = ImportOptions { name, version, kind, format, ..ImportOptions::default() };
            if let Some(grades) = caid_grades {
                let parts: Vec<&str> = grades.split(',').map(str::trim).collect();
                let [a, b, c, n] = parts[..] else {
                    bail!("--caid-grades takes four comma-separated values (A,B,C,non-indecent), got {grades:?}");
                };
                opts.caid_grades = CaidGrades { a: a.into(), b: b.into(), c: c.into(), non_indecent: n.into() };
            }
            let (info, report) = lib.import_with_report(&file, &opts)?;
            if json {
                #[derive(serde::Serialize)]
                struct Imported<'a> {
                    #[serde(flatten)]
                    info: &'a spoor_hashset::SetInfo,
                    report: &'a spoor_hashset::ImportReport,
                }
                print_json(&Imported { info: &info, report: &report })?;
            } else {
                let mut counts: Vec<String> = info.digest_counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
                if let Some(fp) = &info.fingerprint {
                    counts.push(format!("{} {} ({} under quality 50)", fp.kind, fp.count, fp.low_quality));
                }
                if info.vpdq_videos > 0 {
                    counts.push(format!("{} known video(s) with vPDQ", info.vpdq_videos));
                }
                println!(
                    "Imported {:?}{} as {} ({}{}): {} records ({}); source SHA-256 {}; id {}",
                    info.name,
                    info.version.as_deref().map(|v| format!(" version {v}")).unwrap_or_default(),
                    info.kind,
                    info.format,
                    info.profile.as_deref().map(|p| format!(", profile {p}")).unwrap_or_default(),
                    info.record_count,
                    counts.join(", "),
                    info.source_sha256,
                    info.id
                );
                if report.duplicates_merged > 0 {
                    println!("  {} duplicate record(s) merged into records with the same digests", report.duplicates_merged);
                }
                if report.conflict_count > 0 {
                    println!("  {} digest(s) listed with conflicting categories (kept: the first; all in the set's conflicts.jsonl):", report.conflict_count);
                    for c in &report.conflicts {
                        let lines: Vec<String> = c.lines.iter().map(u64::to_string).collect();
                        println!("    {}  categories {}  lines {}", c.digest, c.categories.join(", "), lines.join(", "));
                    }
                    if report.conflict_count > report.conflicts.len() as u64 {
                        println!("    ... {} more", report.conflict_count - report.conflicts.len() as u64);
                    }
                }
            }
            Ok(0)
        }
        HashsetCommand::List { library, json } => {
            let sets = library.open()?.list()?;
            if json {
                print_json(&sets)?;
            } else {
                output::print_sets(&sets)?;
            }
            Ok(0)
        }
        HashsetCommand::Remove { name, version, library } => {
            let info = library.open()?.remove(&name, version.as_deref())?;
            println!("Removed {:?} ({})", info.name, info.id);
            Ok(0)
        }
        HashsetCommand::Export { name, version, format, output, library } => {
            let lib = library.open()?;
            let format = match format {
                ExportFormatArg::Vics => Format::Vics,
                ExportFormatArg::Md5sum => Format::Md5sum,
                ExportFormatArg::Csv => Format::Csv,
                ExportFormatArg::Pdq => Format::Pdq,
                ExportFormatArg::Vpdq => Format::Vpdq,
            };
            match output {
                None => {
                    let stdout = std::io::stdout();
                    let mut out = std::io::BufWriter::new(stdout.lock());
                    lib.export(&name, version.as_deref(), format, &mut out)?;
                    out.flush()?;
                }
                Some(path) => {
                    // Written beside the target, then renamed: an export
                    // that fails leaves no half file under the name.
                    let partial = path.with_extension(match path.extension() {
                        Some(e) => format!("{}.partial", e.to_string_lossy()),
                        None => "partial".to_string(),
                    });
                    let file = std::fs::File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
                    let mut out = std::io::BufWriter::new(file);
                    let written = lib.export(&name, version.as_deref(), format, &mut out).inspect_err(|_| {
                        let _ = std::fs::remove_file(&partial);
                    })?;
                    let file = out.into_inner().map_err(|e| e.into_error()).with_context(|| format!("writing {}", partial.display()))?;
                    file.sync_all().with_context(|| format!("writing {}", partial.display()))?;
                    std::fs::rename(&partial, &path).with_context(|| format!("renaming to {}", path.display()))?;
                    eprintln!("Exported {written} records to {}", path.display());
                }
            }
            Ok(0)
        }
        HashsetCommand::Lookup { file, hashsets, found_only, library, json } => {
            lookup::lookup(&library.open()?, file.as_deref(), &hashsets, found_only, json)
        }
        HashsetCommand::Verify { name, version, library, json } => {
            let lib = library.open()?;
            match lib.verify_set(&name, version.as_deref()) {
                Ok(report) => {
                    if json {
                        print_json(&serde_json::json!({ "intact": true, "report": report }))?;
                    } else {
                        println!(
                            "Hash set {} is intact: {} records, {} tables, {} blocks checked",
                            report.id, report.records, report.tables, report.blocks
                        );
                    }
                    Ok(0)
                }
                Err(err @ (spoor_hashset::Error::Corrupt { .. } | spoor_hashset::Error::OldLayout { .. })) => {
                    if json {
                        print_json(&serde_json::json!({ "intact": false, "code": err.code(), "message": err.to_string() }))?;
                    } else {
                        println!("Hash set {name} is damaged: {err}");
                    }
                    Ok(EXIT_VERIFY_FAILED)
                }
                Err(err) => Err(err.into()),
            }
        }
    }
}

fn scan(args: ScanArgs) -> Result<u8> {
    let library = args.library.open()?;
    let case = Case::open(&args.case)?;
    let cancel = Arc::new(AtomicBool::new(false));
    let presses = Arc::new(AtomicUsize::new(0));
    {
        let cancel = cancel.clone();
        ctrlc::set_handler(move || {
            if presses.fetch_add(1, Ordering::SeqCst) == 0 {
                cancel.store(true, Ordering::SeqCst);
                eprintln!("\nspoor: stopping after the files being read; what is done is kept (Ctrl-C again to quit at once)");
            } else {
                // Safe at any moment: every commit is one SQLite transaction.
                std::process::exit(i32::from(EXIT_CANCELLED));
            }
        })
        .context("installing the Ctrl-C handler")?;
    }
    let decode_limits = spoor_pdq::decode::Limits { max_decode_time: args.picture_timeout.0, ..spoor_pdq::decode::Limits::default() };
    let opts = ScanOptions {
        jobs: args.jobs,
        decode_limits,
        hashsets: args.hashsets,
        rescan: args.rescan,
        pdq_max_distance: args.pdq_distance,
        pdq_min_quality: args.pdq_min_quality,
        tool: Tool { name: "spoor".into(), version: env!("CARGO_PKG_VERSION").into(), git_commit: GIT_COMMIT.into() },
        video: args.video.options()?,
        ..ScanOptions::default()
    };
    let mode = match args.progress {
        ProgressArg::Auto if std::io::IsTerminal::is_terminal(&std::io::stderr()) => ProgressArg::Bar,
        ProgressArg::Auto => ProgressArg::None,
        other => other,
    };
    let drawer = progress::Drawer::new(mode == ProgressArg::Bar, mode == ProgressArg::Json);
    let outcome = spoor_scan::scan(case, &library, &opts, cancel, &drawer);
    drawer.finish();
    let outcome = outcome?;
    if args.json {
        print_json(&outcome)?;
    }
    match &outcome {
        Outcome::NothingToScan => {
            if !args.json {
                outln!("Nothing to scan: every evidence item was scanned by a completed run (use --rescan to scan again).");
            }
            Ok(0)
        }
        Outcome::Cancelled(s) => {
            if !args.json {
                outln!(
                    "Scan run {} cancelled after {} files; run `spoor scan {}` again to resume it.",
                    s.run_id,
                    s.counts.files,
                    args.case.display()
                );
            }
            Ok(EXIT_CANCELLED)
        }
        Outcome::Completed(s) => {
            if !args.json {
                let c = &s.counts;
                outln!(
                    "Scan run {} {}: {} entries, {} hashed in {:.1} s; {} hit(s); {} known-good file(s) set aside; {} warning(s){}",
                    s.run_id,
                    if s.resumed { "resumed and completed" } else { "completed" },
                    c.files,
                    human_bytes(c.bytes),
                    s.elapsed_secs,
                    c.hits,
                    c.known_good,
                    c.warnings,
                    if c.warnings > 0 { format!(" (list them with `spoor warnings {}`)", args.case.display()) } else { String::new() }
                );
                outln!("Content digest: {}", s.content_digest.as_deref().unwrap_or("-"));
            }
            Ok(0)
        }
    }
}

/// `spoor hash`: one JSON object per line (or a table), every file read
/// read-only; something that is not a regular file is reported, never opened.
fn hash(files: &[PathBuf], json: bool) -> Result<u8> {
    let mut failed = 0;
    for path in files {
        match hash_one(path) {
            Ok(v) => {
                if json {
                    print_json_line(&v)?;
                } else {
                    outln!("{}  {}  {}  {}  {}", v.md5, v.sha1, v.sha256, v.r#type, v.path);
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("spoor: {}: {e:#}", path.display());
            }
        }
    }
    Ok(if failed > 0 { EXIT_ERROR } else { 0 })
}

#[derive(serde::Serialize)]
struct HashOutput {
    path: String,
    size: u64,
    r#type: String,
    md5: String,
    sha1: String,
    sha256: String,
    extension_mismatch: bool,
    /// PDQ of a picture's stored pixels (null for other files).
    pdq: Option<String>,
    pdq_quality: Option<u32>,
    /// Why a picture has no PDQ, when it could not be decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pdq_error: Option<String>,
}

/// Digests one file and, for a picture, decodes it: both from one
/// descriptor opened by `spoor_evidence::open_read_only` (`O_NOATIME` where
/// permitted, `O_NOFOLLOW`: a link swapped in after the check is refused),
/// the digest streamed, the decode under the scan's caps (file size, pixels,
/// decoder allocations).
fn hash_one(path: &Path) -> Result<HashOutput> {
    use std::io::{Read, Seek};
    match std::fs::symlink_metadata(path) {
        Ok(md) if !md.is_file() => {
            bail!("not a regular file ({}); not opened", if md.is_dir() { "a folder" } else if md.is_symlink() { "a symbolic link" } else { "a special file" })
        }
        Ok(_) => {}
        // Past PATH_MAX only a descriptor walk reaches it: open_read_only
        // does, and the opened file is checked below.
        Err(e) if e.kind() == std::io::ErrorKind::InvalidFilename => {}
        Err(e) => return Err(e).context("cannot stat"),
    }
    // A link swapped in after the check fails here (ELOOP), never followed.
    let (mut file, _) = spoor_evidence::open_read_only(path).map_err(|e| anyhow::anyhow!("cannot be opened: {}", spoor_evidence::io_reason(&e)))?;
    let opened = file.metadata().context("cannot stat the opened file")?;
    if !opened.is_file() {
        bail!("replaced by something that is not a regular file after it was checked; not read");
    }
    let d = spoor_digest::digest_reader(&file, None).context("reading")?;
    let ft = spoor_digest::sniff(&d.head, d.size);
    let raw = path.as_os_str().as_bytes();
    let (mut pdq, mut pdq_quality, mut pdq_error) = (None, None, None);
    if ft.class == "image" {
        let caps = ScanOptions::default();
        if d.size > caps.max_picture_bytes {
            pdq_error = Some(format!(
                "picture of {} bytes is over the decoding cap of {} bytes: not fingerprinted",
                d.size, caps.max_picture_bytes
            ));
        } else {
            let mut bytes = Vec::new();
            file.rewind().context("reading the picture")?;
            (&file).take(caps.max_picture_bytes).read_to_end(&mut bytes).context("reading the picture")?;
            match spoor_pdq::decode::hash_file_bytes(&bytes, &caps.decode_limits) {
                Ok((r, _)) => {
                    pdq = Some(r.hash.to_string());
                    pdq_quality = Some(r.quality);
                }
                Err(e) => pdq_error = Some(e.to_string()),
            }
        }
    }
    Ok(HashOutput {
        pdq,
        pdq_quality,
        pdq_error,
        path: spoor_evidence::display_path(raw),
        size: d.size,
        extension_mismatch: spoor_digest::extension_mismatch(&ft, spoor_evidence::extension(raw).as_deref()),
        r#type: ft.mime,
        md5: d.digests.md5_hex(),
        sha1: d.digests.sha1_hex(),
        sha256: d.digests.sha256_hex(),
    })
}
