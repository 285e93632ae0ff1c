//! The `spoor-video-worker` protocol: fingerprinting in a child process, so
//! a crash inside FFmpeg costs one file and not the scan.
//!
//! ```text
//! spoor-video-worker [--settings JSON] [--fps F] [--every-frame]
//!                    [--downsample N] [--sheet OUT.jpg] [--max-memory BYTES]
//!                    [--verbose] [--] PATH
//! ```
//!
//! The binary ships with the `spoor` command-line tool (package
//! `spoor-cli`), next to `spoor`, where the scan looks for it.
//!
//! `--settings` takes a [`VideoSettings`] as JSON (the other options
//! override its fields). `--max-memory` caps the worker's address space
//! (`RLIMIT_AS`, set by the worker on itself before FFmpeg runs), so a
//! decoder that runs away fails an allocation instead of exhausting the
//! machine. Standard output gets one JSON object per line ([`WorkerLine`]):
//! an `info` line once the file is opened (so a parent can scale its time
//! cap to the duration), a `frame` line as each sampled frame is hashed,
//! then one `done` or `error` line. The contact sheet, when wanted, is written to
//! the `--sheet` file (never beside the evidence unless asked). Exit status:
//! 0 done, 2 the video could not be fingerprinted (the `error` line says
//! why), 1 bad usage. A parent that sees the process die by a signal without
//! a final line records the file as having crashed the decoder; the frames
//! already read stay valid.

use std::ffi::OsString;
#[cfg(feature = "ffmpeg")]
use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use spoor_pdq::{Dihedral, DihedralHashes, PdqHash};

use crate::{DecodeWarning, Frame, VideoInfo, VideoSettings};

/// One line of the worker's output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WorkerLine {
    /// What the file holds, before decoding starts.
    Info(Box<VideoInfo>),
    Frame(FrameLine),
    Done(Box<WorkerDone>),
    Error {
        code: String,
        message: String,
    },
}

/// A sampled frame as the worker writes it: the frame's fields, and its
/// eight dihedral hashes when [`VideoSettings::dihedral`] was asked for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameLine {
    #[serde(flatten)]
    pub frame: Frame,
    /// The dihedral hashes in [`spoor_pdq::Dihedral::ALL`] order (the
    /// first is the frame as stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dihedral: Option<Box<[PdqHash; 8]>>,
}

impl FrameLine {
    pub fn new(frame: Frame, dihedral: Option<&DihedralHashes>) -> FrameLine {
        FrameLine {
            frame,
            dihedral: dihedral.map(|d| Box::new(Dihedral::ALL.map(|v| d.get(v)))),
        }
    }

    /// The dihedral hashes, with the frame's quality.
    pub fn variants(&self) -> Option<DihedralHashes> {
        let [original, rotate90, rotate180, rotate270, flip_x, flip_y, flip_plus1, flip_minus1] =
            *self.dihedral.as_deref()?;
        Some(DihedralHashes {
            quality: self.frame.quality,
            original,
            rotate90,
            rotate180,
            rotate270,
            flip_x,
            flip_y,
            flip_plus1,
            flip_minus1,
        })
    }
}

/// The worker's last line when the video was fingerprinted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerDone {
    pub info: VideoInfo,
    /// Frames written (the `frame` lines before this one).
    pub frames: usize,
    pub frames_decoded: u64,
    pub warnings: Vec<DecodeWarning>,
    /// Where the contact sheet was written and its tiles' timestamps.
    pub sheet: Option<SheetFile>,
}

/// A contact sheet the worker wrote to a file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetFile {
    pub path: PathBuf,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub tiles: Vec<f64>,
}

/// The worker's command line.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkerArgs {
    pub path: PathBuf,
    pub settings: VideoSettings,
    pub sheet: Option<PathBuf>,
    /// Address-space cap in bytes (`RLIMIT_AS`).
    pub max_memory: Option<u64>,
    pub verbose: bool,
}

/// Parses the arguments after the program name.
pub fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<WorkerArgs, String> {
    let mut args = args.into_iter();
    let mut settings = VideoSettings::default();
    let mut overrides: Vec<(String, String)> = Vec::new();
    let mut sheet = None;
    let mut max_memory = None;
    let mut verbose = false;
    let mut path = None;
    while let Some(arg) = args.next() {
        let text = arg.to_str().map(str::to_string);
        match text.as_deref() {
            Some("--") => {
                let p = args.next().ok_or("-- needs a path after it")?;
                if path.replace(PathBuf::from(p)).is_some() {
                    return Err("exactly one video path".to_string());
                }
            }
            Some("--verbose") => verbose = true,
            Some("--every-frame") => overrides.push(("fps".into(), "0".into())),
            Some(flag @ ("--settings" | "--fps" | "--downsample")) => {
                let value = args
                    .next()
                    .and_then(|v| v.into_string().ok())
                    .ok_or_else(|| format!("{flag} needs a value"))?;
                if flag == "--settings" {
                    settings =
                        serde_json::from_str(&value).map_err(|e| format!("--settings: {e}"))?;
                } else {
                    overrides.push((flag.trim_start_matches("--").to_string(), value));
                }
            }
            Some("--max-memory") => {
                let value = args.next().and_then(|v| v.into_string().ok());
                max_memory = Some(
                    value
                        .as_deref()
                        .and_then(|v| v.parse::<u64>().ok())
                        .filter(|n| *n > 0)
                        .ok_or_else(|| format!("--max-memory {value:?}: not a byte count"))?,
                );
            }
            Some("--sheet") => {
                sheet = Some(PathBuf::from(
                    args.next().ok_or("--sheet needs a file name")?,
                ));
            }
            Some(flag) if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ => {
                if path.replace(PathBuf::from(arg)).is_some() {
                    return Err("exactly one video path".to_string());
                }
            }
        }
    }
    for (key, value) in overrides {
        match key.as_str() {
            "fps" => {
                settings.fps = value
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite() && *f >= 0.0)
                    .ok_or_else(|| format!("--fps {value:?}: not a number >= 0"))?;
            }
            _ => {
                let n = value
                    .parse::<u32>()
                    .map_err(|_| format!("--downsample {value:?}: not a size"))?;
                settings.downsample = (n > 0).then_some(n);
            }
        }
    }
    if sheet.is_none() {
        settings.contact_sheet = None;
    } else if settings.contact_sheet.is_none() {
        settings.contact_sheet = Some(Default::default());
    }
    Ok(WorkerArgs {
        path: path.ok_or("a video path is required")?,
        settings,
        sheet,
        max_memory,
        verbose,
    })
}

/// Fingerprints `args.path`, writing [`WorkerLine`]s to `out`; returns the
/// exit status.
#[cfg(feature = "ffmpeg")]
pub fn run(args: &WorkerArgs, out: &mut dyn Write) -> i32 {
    // A worker whose parent died (a scan killed with SIGKILL) stops too
    // (best effort: only Linux has this).
    let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL));
    if let Some(bytes) = args.max_memory {
        let limit = rustix::process::Rlimit {
            current: Some(bytes),
            maximum: Some(bytes),
        };
        if let Err(e) = rustix::process::setrlimit(rustix::process::Resource::As, limit) {
            let line = WorkerLine::Error {
                code: "io".to_string(),
                message: format!("cannot cap the worker's memory at {bytes} bytes: {e}"),
            };
            return if emit(out, &line) { 2 } else { 1 };
        }
    }
    crate::set_ffmpeg_logging(args.verbose);
    let mut written = true;
    // What the file holds, first: the parent scales its time cap to the
    // duration. A file that cannot be described is left to `fingerprint`,
    // which says why.
    if let Ok(Some(info)) = crate::probe(&args.path) {
        written &= emit(out, &WorkerLine::Info(Box::new(info)));
    }
    // Frames are written as they are hashed, so a crash keeps what was read.
    // Nobody reading any more (the parent gave up) stops the decoding.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let result = crate::fingerprint_with(&args.path, &args.settings, Some(&stop), &mut |f, dihedral| {
        if !emit(out, &WorkerLine::Frame(FrameLine::new(*f, dihedral))) {
            written = false;
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    });
    let (line, status) = match result {
        Ok(r) => match write_sheet(r.contact_sheet, args.sheet.as_deref()) {
            Ok(sheet) => (
                WorkerLine::Done(Box::new(WorkerDone {
                    frames: r.frames.len(),
                    info: r.info,
                    frames_decoded: r.frames_decoded,
                    warnings: r.warnings,
                    sheet,
                })),
                0,
            ),
            Err(message) => (
                WorkerLine::Error {
                    code: "io".to_string(),
                    message,
                },
                2,
            ),
        },
        Err(e) => (
            WorkerLine::Error {
                code: e.code().to_string(),
                message: e.to_string(),
            },
            2,
        ),
    };
    written &= emit(out, &line);
    if written { status } else { 1 }
}

#[cfg(feature = "ffmpeg")]
fn emit(out: &mut dyn Write, line: &WorkerLine) -> bool {
    serde_json::to_writer(&mut *out, line).is_ok()
        && out.write_all(b"\n").is_ok()
        && out.flush().is_ok()
}

#[cfg(feature = "ffmpeg")]
fn write_sheet(
    sheet: Option<crate::ContactSheet>,
    path: Option<&std::path::Path>,
) -> Result<Option<SheetFile>, String> {
    let (Some(s), Some(path)) = (sheet, path) else {
        return Ok(None);
    };
    std::fs::write(path, &s.bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Some(SheetFile {
        path: path.to_path_buf(),
        mime: s.mime,
        width: s.width,
        height: s.height,
        tiles: s.tiles,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<WorkerArgs, String> {
        parse_args(list.iter().map(OsString::from))
    }

    #[test]
    fn parses_options() {
        let a = args(&["--fps", "2", "--downsample", "128", "clip.mp4"]).expect("valid");
        assert_eq!(a.settings.fps, 2.0);
        assert_eq!(a.settings.downsample, Some(128));
        assert_eq!(a.settings.contact_sheet, None);
        assert_eq!(a.path, PathBuf::from("clip.mp4"));
        let a = args(&["--", "--odd-name.mp4"]).expect("valid");
        assert_eq!(a.path, PathBuf::from("--odd-name.mp4"));
        let a = args(&["--max-memory", "1000000", "clip.mp4"]).expect("valid");
        assert_eq!(a.max_memory, Some(1_000_000));
        assert!(args(&["--max-memory", "lots", "clip.mp4"]).is_err());
        let a = args(&["--every-frame", "--sheet", "s.jpg", "clip.mp4"]).expect("valid");
        assert_eq!(a.settings.fps, 0.0);
        assert!(a.settings.contact_sheet.is_some());
        let json = serde_json::to_string(&VideoSettings {
            max_frames: 7,
            ..VideoSettings::default()
        })
        .expect("json");
        let a = args(&["--settings", &json, "x"]).expect("valid");
        assert_eq!(a.settings.max_frames, 7);
        let a = args(&["--settings", r#"{"max_decode_secs": 5}"#, "x"]).expect("partial");
        assert_eq!(a.settings.max_decode_secs, 5);
        assert_eq!(a.settings.fps, 1.0);
        for bad in [
            &["clip.mp4", "other.mp4"][..],
            &["--fps"],
            &["--fps", "-1", "x"],
            &["--bogus", "x"],
            &[],
        ] {
            assert!(args(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn lines_round_trip_as_json() {
        let line = WorkerLine::Error {
            code: "not_media".into(),
            message: "x: not a media file".into(),
        };
        let text = serde_json::to_string(&line).expect("json");
        assert!(text.starts_with(r#"{"type":"error""#), "{text}");
        assert_eq!(
            serde_json::from_str::<WorkerLine>(&text).expect("parse"),
            line
        );
        // A frame line is flat (the reference's field names at the top),
        // with the dihedral hashes only when they were computed.
        let frame = Frame {
            frame_number: 30,
            timestamp: 1.0,
            hash: PdqHash([0x5a; 32]),
            quality: 87,
        };
        let plain = WorkerLine::Frame(FrameLine::new(frame, None));
        let text = serde_json::to_string(&plain).expect("json");
        assert!(!text.contains("dihedral"), "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(v["frame_number"], 30);
        assert_eq!(v["quality"], 87);
        assert_eq!(serde_json::from_str::<WorkerLine>(&text).expect("parse"), plain);
        let mut variants = spoor_pdq::dihedral_rgb(64, 64, &[7u8; 64 * 64 * 3]);
        variants.rotate90 = PdqHash([1; 32]);
        variants.flip_minus1 = PdqHash([2; 32]);
        variants.quality = 87;
        let line = FrameLine::new(frame, Some(&variants));
        let text = serde_json::to_string(&WorkerLine::Frame(line.clone())).expect("json");
        let WorkerLine::Frame(back) = serde_json::from_str::<WorkerLine>(&text).expect("parse") else {
            panic!("not a frame line: {text}");
        };
        assert_eq!(back, line);
        assert_eq!(back.variants(), Some(variants));
    }
}
