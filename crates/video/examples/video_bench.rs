//! Times fingerprinting for `bench/video.sh`: one frame per second by
//! default, `--jobs` files at once (as the scan runs its video workers;
//! the largest first, each decoder with FFmpeg's own thread count unless
//! `--threads` says),
//! printing one tab-separated line per file (`file, duration_s, wall_s,
//! frames, sheet`) and a total with the batch's wall-clock time.
//!
//! ```text
//! cargo run --release -p spoor-video --example video_bench -- \
//!     [--fps F] [--threads N] [--jobs N] [--sheet] [--ref-dir DIR] FILE...
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
    let mut jobs = 1usize;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--fps" => settings.fps = args.next().context("--fps F")?.parse()?,
            "--threads" => settings.threads = args.next().context("--threads N")?.parse()?,
            "--jobs" => jobs = args.next().context("--jobs N")?.parse()?,
            "--sheet" => settings.contact_sheet = Some(SheetLayout::default()),
            "--ref-dir" => ref_dir = Some(args.next().context("--ref-dir DIR")?.into()),
            flag if flag.starts_with("--") => bail!("unknown option {flag}"),
            _ => files.push(PathBuf::from(a)),
        }
    }
    if files.is_empty() {
        bail!("usage: video_bench [--fps F] [--threads N] [--jobs N] [--sheet] [--ref-dir DIR] FILE...");
    }
    // Files in parallel, as the scan runs its video workers: `jobs` at
    // once, the largest first, each decoder with FFmpeg's own thread count
    // (so the last long file still uses every core once the others are
    // done).
    let jobs = jobs.max(1).min(files.len());
    let mut order: Vec<usize> = (0..files.len()).collect();
    if jobs > 1 {
        let size = |p: &PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
        order.sort_by_key(|&i| std::cmp::Reverse(size(&files[i])));
    }
    let batch = Instant::now();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let lines: Vec<Result<(usize, String, f64, f64)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..jobs)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&i) = order.get(n) else { break };
                        let file = &files[i];
                        out.push(one(file, &settings, ref_dir.as_deref()).map(|(l, d, w)| (i, l, d, w)));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let batch_secs = batch.elapsed().as_secs_f64();
    let mut lines = lines.into_iter().collect::<Result<Vec<_>>>()?;
    lines.sort_by_key(|l| l.0);
    let (mut video_secs, mut wall_secs) = (0.0, 0.0);
    for (_, line, duration, wall) in &lines {
        println!("{line}");
        video_secs += duration;
        wall_secs += wall;
    }
    println!("TOTAL\t{video_secs:.1}\t{wall_secs:.2}\tbatch {batch_secs:.2}\tjobs {jobs}\tthreads {}", settings.threads);
    Ok(())
}

/// Fingerprints one file: its output line, duration and wall time.
fn one(file: &Path, settings: &VideoSettings, ref_dir: Option<&Path>) -> Result<(String, f64, f64)> {
    let start = Instant::now();
    let r = spoor_video::fingerprint(file, settings, None)
        .with_context(|| format!("fingerprinting {}", file.display()))?;
    let wall = start.elapsed().as_secs_f64();
    let duration = r.info.duration_secs.unwrap_or(0.0);
    let mut line = format!(
        "{}\t{duration:.1}\t{wall:.2}\t{}\t{}",
        file.display(),
        r.frames.len(),
        r.contact_sheet.map_or(0, |s| s.bytes.len())
    );
    if let Some(dir) = ref_dir {
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
    Ok((line, duration, wall))
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
