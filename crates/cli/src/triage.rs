//! `spoor triage` (priority per evidence item, the unknown view, series,
//! near-known candidates) and `spoor triage export` (VICS 2.0 for victim
//! identification): thin over spoor-triage and spoor-report.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use spoor_case::Case;
use spoor_report::{Generator, UnknownExportRequest};
use spoor_triage::case::{CaseTriage, Selection};
use spoor_triage::library::LibrarySelection;
use spoor_triage::{ClusterSettings, NearKnownSettings, PrioritySettings, TriageSettings};

use crate::output::print_json;
use crate::{EXIT_ERROR, EXIT_VERIFY_FAILED, GIT_COMMIT, outln};

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct TriageArgs {
    #[command(subcommand)]
    command: Option<TriageCommand>,
    /// The case file
    #[arg(required = true)]
    case: Option<PathBuf>,
    #[command(flatten)]
    settings: SettingsArgs,
    /// List every unknown picture and video (the text form shows the first 20)
    #[arg(long)]
    all: bool,
    /// Print the triage as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct SettingsArgs {
    /// Largest PDQ distance linking two unknown pictures into one series
    #[arg(long, default_value_t = 31, value_name = "BITS", value_parser = clap::value_parser!(u32).range(0..=256))]
    cluster_distance: u32,
    /// Lowest PDQ quality a picture needs to be linked or compared
    #[arg(long, default_value_t = 50, value_name = "Q", value_parser = clap::value_parser!(u32).range(0..=100))]
    min_quality: u32,
    /// Smallest PDQ distance to known material listed as near-known
    #[arg(long, default_value_t = 0, value_name = "BITS", value_parser = clap::value_parser!(u32).range(0..=256))]
    near_min: u32,
    /// Largest PDQ distance to known material listed as near-known
    #[arg(long, default_value_t = 48, value_name = "BITS", value_parser = clap::value_parser!(u32).range(0..=256))]
    near_max: u32,
    /// Known material for near-known: these alert PDQ / vPDQ sets of the library (name or id; repeatable)
    /// [default: the alert sets the case's scans used]
    #[arg(long = "hashset", value_name = "NAME")]
    hashsets: Vec<String>,
    /// Compare with the case's own hits only, not with the library's sets
    #[arg(long, conflicts_with = "hashsets")]
    no_library: bool,
    #[command(flatten)]
    library: crate::LibraryArg,
    /// A capture is recent when taken at most this many days before the seizure, acquisition or scan date
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    recent_days: u32,
}

impl SettingsArgs {
    fn settings(&self) -> Result<TriageSettings> {
        let settings = TriageSettings {
            cluster: ClusterSettings { max_distance: self.cluster_distance, min_quality: self.min_quality },
            near_known: NearKnownSettings { min_distance: self.near_min, max_distance: self.near_max, min_quality: self.min_quality },
            priority: PrioritySettings { recent_days: self.recent_days },
        };
        settings.validate().map_err(|e| anyhow::anyhow!("--near-min/--near-max: {e}"))?;
        Ok(settings)
    }

    /// The library sets to compare with, unless `--no-library`.
    fn library(&self) -> Option<LibrarySelection> {
        if self.no_library {
            return None;
        }
        let root = self.library.library.clone().unwrap_or_else(spoor_hashset::Library::default_root);
        Some(LibrarySelection { root, sets: self.hashsets.clone() })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    /// Project VIC VICS 2.0 (#Media) with MD5, SHA-1, PDQ, metadata and categories
    Vics,
}

#[derive(Subcommand, Debug)]
enum TriageCommand {
    /// Export selected unknown material for victim identification (VICS 2.0) and record it in the case
    Export {
        case: PathBuf,
        #[arg(long, value_enum, default_value = "vics")]
        format: ExportFormatArg,
        /// The file to write (never replaced if it exists)
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: PathBuf,
        /// An unknown file by id (repeatable)
        #[arg(long = "file", value_name = "ID")]
        files: Vec<i64>,
        /// Every member of a series, by its id in `spoor triage` (repeatable)
        #[arg(long = "series", visible_alias = "cluster", value_name = "N")]
        series: Vec<u32>,
        /// Every unknown camera original
        #[arg(long)]
        camera_originals: bool,
        #[command(flatten)]
        settings: SettingsArgs,
        /// Who exports (the audit entry's actor) [default: the case's examiner]
        #[arg(long, env = "SPOOR_EXAMINER")]
        examiner: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub fn triage(args: TriageArgs) -> Result<u8> {
    match args.command {
        Some(TriageCommand::Export { case, format: ExportFormatArg::Vics, output, files, series, camera_originals, settings, examiner, json }) => {
            let selection = Selection { files, series, camera_originals };
            if selection.is_empty() {
                eprintln!("spoor: error: name what to export: --file ID, --series N or --camera-originals");
                return Ok(EXIT_ERROR);
            }
            let request = UnknownExportRequest {
                selection,
                settings: settings.settings()?,
                extra_known: Vec::new(),
                library: settings.library(),
                output,
                generator: Generator { name: "spoor".into(), version: env!("CARGO_PKG_VERSION").into(), commit: GIT_COMMIT.into() },
                generated_utc: None,
                actor: examiner,
            };
            let outcome = match spoor_report::export_unknown(&case, &request) {
                Ok(o) => o,
                Err(e @ spoor_report::Error::CaseNotIntact { .. }) => {
                    eprintln!("spoor: {e}");
                    return Ok(EXIT_VERIFY_FAILED);
                }
                Err(e) => return Err(e.into()),
            };
            if json {
                print_json(&outcome)?;
            } else {
                outln!(
                    "Wrote {} ({} distinct picture(s)/video(s), {} file(s)) for victim identification; export {} recorded, SHA-256 {}",
                    outcome.path.display(),
                    outcome.media,
                    outcome.files,
                    outcome.record.export_id,
                    outcome.record.sha256
                );
            }
            Ok(0)
        }
        None => {
            let case_path = args.case.context("the case file is required")?;
            let settings = args.settings.settings()?;
            let case = Case::open_read_only(&case_path)?;
            let library = match args.settings.library() {
                Some(l) => Some(l.load(&case).with_context(|| format!("reading the hash-set library {}", l.root.display()))?),
                None => None,
            };
            let t = spoor_triage::case::triage_case(&case, &settings, &[], library.as_ref())?;
            if args.json {
                print_json(&t)?;
            } else {
                print_text(&t, args.all)?;
            }
            Ok(0)
        }
    }
}

fn print_text(t: &CaseTriage, all: bool) -> Result<()> {
    outln!("Priority (highest first):");
    for e in &t.evidence {
        let reference = e
            .reference
            .as_ref()
            .map(|r| format!("{} date {}", serde_json::to_value(r.source).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(), r.utc))
            .unwrap_or_else(|| "no reference date".into());
        outln!(
            "{:>3}. {}  score {}  ({} files: {} known, {} known-good, {} unknown; {} unknown pictures, {} camera originals; {})",
            e.rank,
            e.evidence_id,
            e.score,
            e.files,
            e.known_files,
            e.known_good_files,
            e.unknown_files,
            e.unknown_pictures,
            e.camera_originals,
            reference
        );
        for r in &e.reasons {
            outln!("       {:>4}  {}", format!("+{}", r.points), r.text);
        }
        for n in &e.notes {
            outln!("       note: {n}");
        }
    }
    outln!("");
    outln!(
        "Unknown: {} file(s), {} picture(s) with a fingerprint, {} video(s) with {} distinct frame(s), {} camera original(s)",
        t.unknown_files,
        t.unknown_pictures,
        t.unknown_videos,
        t.unknown_frames,
        t.camera_originals.len()
    );
    let shown = if all { t.unknown.len() } else { t.unknown.len().min(20) };
    for u in &t.unknown[..shown] {
        let mut tags = Vec::new();
        if u.camera_original {
            tags.push("camera original".to_string());
        }
        match (&u.make, &u.model) {
            // Many cameras repeat the make in the model ("Canon EOS 5D").
            (Some(make), Some(model)) if model.to_lowercase().starts_with(&make.to_lowercase()) => tags.push(model.clone()),
            (Some(make), Some(model)) => tags.push(format!("{make} {model}")),
            (None, Some(v)) | (Some(v), None) => tags.push(v.clone()),
            (None, None) => {}
        }
        if let Some(c) = u.capture_utc.as_ref().or(u.capture_local.as_ref()) {
            tags.push(format!("taken {c}"));
        }
        if u.gps.is_some() {
            tags.push("GPS".into());
        }
        if let Some(s) = u.series_id {
            tags.push(format!("series {s}"));
        }
        if let Some(d) = u.near_known_distance {
            tags.push(format!("near known, distance {d}"));
        }
        outln!("  {:>6}  {}  {}  {}", u.file_id, u.evidence_id, u.path, tags.join(", "));
    }
    if shown < t.unknown.len() {
        outln!("  ... {} more (--all lists them, --json gives every field)", t.unknown.len() - shown);
    }
    outln!("");
    outln!("Series of near-duplicate unknown pictures and videos: {}", t.series.len());
    for s in &t.series {
        let videos = if s.videos.is_empty() { String::new() } else { format!(" ({} video(s))", s.videos.len()) };
        outln!(
            "  series {:>4}: {} members{}, {} camera original(s), on {}; look at {} {} {}",
            s.series_id,
            s.members.len(),
            videos,
            s.camera_originals,
            s.evidence_ids.join(", "),
            if s.representative_kind == "video" { "the contact sheet of video" } else { "file" },
            s.representative,
            s.representative_path
        );
        for v in &s.videos {
            let at: Vec<String> = v.frames.iter().map(|f| format!("{:.1} s", f.timestamp)).collect();
            outln!("               video {} {} joined through its frame(s) at {}", v.file_id, v.path, at.join(", "));
        }
    }
    outln!("");
    outln!(
        "Near known material (PDQ distance {} to {}): {}",
        t.settings.near_known.min_distance,
        t.settings.near_known.max_distance,
        t.near_known.len()
    );
    for n in &t.near_known {
        let known = match (&n.known.path, &n.known.label) {
            (Some(p), _) => match &n.known.frame {
                Some(f) => format!("file {} {} (frame at {:.1} s)", n.known.file_id.unwrap_or_default(), p, f.timestamp),
                None => format!("file {} {}", n.known.file_id.unwrap_or_default(), p),
            },
            (None, Some(l)) => l.clone(),
            _ => "known material".into(),
        };
        let mut how = Vec::new();
        if let Some(f) = &n.unknown_frame {
            how.push(format!("frame at {:.1} s", f.timestamp));
        }
        // The unknown picture, so turned or mirrored, looks like the known.
        if n.variant != "original" {
            how.push(format!("{} ({})", n.variant_words, n.variant));
        }
        let how = if how.is_empty() { String::new() } else { format!(" ({})", how.join(", ")) };
        outln!("  distance {:>3}: file {} {} {}{} near {}", n.distance, n.unknown_id, n.evidence_id, n.unknown_path, how, known);
    }
    outln!("");
    if t.known_sets.is_empty() {
        outln!("Known material: this case's hits ({} fingerprint(s)); no library set", t.known_pdq_from_hits);
    } else {
        outln!("Known material: this case's hits ({} fingerprint(s)) and the library's sets:", t.known_pdq_from_hits);
        for k in &t.known_sets {
            let what = if k.fingerprint == "vpdq" { format!("{} frame(s) of {} video(s)", k.fingerprints, k.videos) } else { format!("{} PDQ hash(es)", k.fingerprints) };
            outln!("  {} {} ({}): {}", k.name, k.version.as_deref().map(|v| format!("version {v}")).unwrap_or_default(), k.id, what);
        }
    }
    for n in &t.library_notes {
        outln!("  note: {n}");
    }
    Ok(())
}
