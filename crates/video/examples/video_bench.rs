//! Times fingerprinting for `bench/video.sh`: each file in turn, one frame
//! per second by default, printing one tab-separated line per file
//! (`file, duration_s, wall_s, frames, sheet`) and a total.
//!
//! ```text
//! cargo run --release -p spoor-video --example video_bench -- \
//!     [--fps F] [--threads N] [--sheet] [--ref-dir DIR] FILE...
//! ```
//!
//! With `--ref-dir`, `DIR/<file stem>.txt` (one `hash,quality` per line,
//! as the reference pipeline in `bench/video.sh` writes them) is compared
//! with Spoor's frames by the vPDQ rule, both ways.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use spoor_video::{Frame, MatchSettings, PdqHash, SheetLayout, VideoSettings, vpdq_match};

fn main() -> Result<()> {
    let mut settings = VideoSettings {
        contact_sheet: None,
        ..VideoSettings::default()
    };
    let mut ref_dir: Option<PathBuf> = None;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--fps" => settings.fps = args.next().context("--fps F")?.parse()?,
            "--threads" => settings.threads = args.next().context("--threads N")?.parse()?,
            "--sheet" => settings.contact_sheet = Some(SheetLayout::default()),
            "--ref-dir" => ref_dir = Some(args.next().context("--ref-dir DIR")?.into()),
            flag if flag.starts_with("--") => bail!("unknown option {flag}"),
            _ => files.push(PathBuf::from(a)),
        }
    }
    if files.is_empty() {
        bail!("usage: video_bench [--fps F] [--threads N] [--sheet] [--ref-dir DIR] FILE...");
    }
    let (mut video_secs, mut wall_secs) = (0.0, 0.0);
    for file in &files {
        let start = Instant::now();
        let r = spoor_video::fingerprint(file, &settings, None)
            .with_context(|| format!("fingerprinting {}", file.display()))?;
        let wall = start.elapsed().as_secs_f64();
        let duration = r.info.duration_secs.unwrap_or(0.0);
        video_secs += duration;
        wall_secs += wall;
        let mut line = format!(
            "{}\t{duration:.1}\t{wall:.2}\t{}\t{}",
            file.display(),
            r.frames.len(),
            r.contact_sheet.map_or(0, |s| s.bytes.len())
        );
        if let Some(dir) = &ref_dir {
            let stem = file.file_stem().context("file name")?.to_string_lossy();
            let reference = read_reference(&dir.join(format!("{stem}.txt")))?;
            let ms = MatchSettings::default();
            let a = vpdq_match(&r.frames, &reference, &ms);
            let b = vpdq_match(&reference, &r.frames, &ms);
            line += &format!(
                "\tspoor-in-ref {:.1}%\tref-in-spoor {:.1}%",
                a.query_match_percent, b.query_match_percent
            );
        }
        println!("{line}");
    }
    println!("TOTAL\t{video_secs:.1}\t{wall_secs:.2}");
    Ok(())
}

/// `hash,quality` lines as the reference pipeline writes them.
fn read_reference(path: &Path) -> Result<Vec<Frame>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let (hash, quality) = line.split_once(',').context("hash,quality")?;
            Ok(Frame {
                frame_number: i as u64,
                timestamp: i as f64,
                hash: hash.parse::<PdqHash>()?,
                quality: quality.trim().parse()?,
            })
        })
        .collect()
}
