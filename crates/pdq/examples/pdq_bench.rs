//! Hashes every picture under a folder and reports throughput, with the time
//! split between decoding and hashing.
//!
//! ```text
//! cargo run --release -p spoor-pdq --example pdq_bench -- FOLDER [THREADS] [REPEAT] [--out FILE]
//! ```
//!
//! THREADS defaults to the number of cores; REPEAT (default 1) hashes the
//! set several times, for small folders. The work per picture is the scan's:
//! the capped decode, then the eight dihedral hashes from one downsample
//! and DCT (`dihedral_rgb`; the scan stores their `original`). `--out`
//! writes `hash,quality,path` per picture, sorted by path (`bench/pdq.sh`
//! compares them with the reference's).
//!
//! `--jpeg-decoders` instead times, on one thread, the JPEG decode alone by
//! Spoor's decoder (libjpeg-turbo's code) and by zune-jpeg (through `image`,
//! the decoder Spoor used before) over every JPEG in the folder, file by
//! file alternating, and prints both totals.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use spoor_pdq::decode::{Limits, decode};
use spoor_pdq::{PdqHash, dihedral_rgb};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&entry.path(), out);
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
}

#[derive(Default)]
struct Totals {
    pictures: usize,
    skipped: usize,
    pixels: u64,
    read: Duration,
    decode: Duration,
    hash: Duration,
    results: Vec<(PathBuf, PdqHash, u32)>,
}

fn main() {
    let mut out_file: Option<String> = None;
    let mut jpeg_decoders = false;
    let mut positional = Vec::new();
    let mut all = std::env::args().skip(1);
    while let Some(a) = all.next() {
        if a == "--out" {
            out_file = all.next();
        } else if a == "--jpeg-decoders" {
            jpeg_decoders = true;
        } else {
            positional.push(a);
        }
    }
    let mut args = positional.into_iter();
    let Some(root) = args.next() else {
        eprintln!("usage: pdq_bench FOLDER [THREADS] [REPEAT]");
        std::process::exit(2);
    };
    let threads: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let repeat: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let mut files = Vec::new();
    walk(Path::new(&root), &mut files);
    files.sort();
    if jpeg_decoders {
        compare_jpeg_decoders(&files);
        return;
    }
    let jobs: Vec<&PathBuf> = (0..repeat).flat_map(|_| files.iter()).collect();

    let next = AtomicUsize::new(0);
    let totals = Mutex::new(Totals::default());
    let limits = Limits::default();
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut mine = Totals::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = jobs.get(i) else { break };
                    let t0 = Instant::now();
                    let Ok(bytes) = std::fs::read(path) else {
                        mine.skipped += 1;
                        continue;
                    };
                    let t1 = Instant::now();
                    let Ok(d) = decode(&bytes, &limits) else {
                        mine.skipped += 1;
                        continue;
                    };
                    let t2 = Instant::now();
                    let r = dihedral_rgb(d.info.width, d.info.height, &d.rgb);
                    let t3 = Instant::now();
                    if out_file.is_some() {
                        mine.results.push(((*path).clone(), r.original, r.quality));
                    }
                    mine.pictures += 1;
                    mine.pixels += u64::from(d.info.width) * u64::from(d.info.height);
                    mine.read += t1 - t0;
                    mine.decode += t2 - t1;
                    mine.hash += t3 - t2;
                }
                let mut t = totals.lock().unwrap_or_else(|e| e.into_inner());
                t.pictures += mine.pictures;
                t.skipped += mine.skipped;
                t.pixels += mine.pixels;
                t.read += mine.read;
                t.decode += mine.decode;
                t.hash += mine.hash;
                t.results.append(&mut mine.results);
            });
        }
    });
    let wall = start.elapsed();
    let mut t = totals.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(out) = &out_file {
        t.results.sort_by(|a, b| a.0.cmp(&b.0));
        let text: String = t.results.iter().map(|(p, h, q)| format!("{h},{q},{}\n", p.display())).collect();
        if let Err(e) = std::fs::write(out, text) {
            eprintln!("{out}: {e}");
            std::process::exit(1);
        }
    }
    let per = |d: Duration| d.as_secs_f64() * 1000.0 / t.pictures.max(1) as f64;
    println!(
        "{} pictures ({} skipped), {:.1} megapixels each on average, {threads} threads",
        t.pictures,
        t.skipped,
        t.pixels as f64 / 1e6 / t.pictures.max(1) as f64
    );
    println!(
        "{:.1} pictures/s wall ({:.2} s); per picture on one thread: read {:.1} ms, decode {:.1} ms, hash {:.1} ms",
        t.pictures as f64 / wall.as_secs_f64(),
        wall.as_secs_f64(),
        per(t.read),
        per(t.decode),
        per(t.hash)
    );
}

/// One thread, every JPEG: Spoor's decode (libjpeg-turbo's code, with the
/// caps) against zune-jpeg's through `image` (RGB8), alternating file by
/// file so both see the same machine load.
fn compare_jpeg_decoders(files: &[PathBuf]) {
    let limits = Limits::default();
    let (mut n, mut pixels, mut same) = (0usize, 0u64, 0usize);
    let (mut ours, mut zune) = (Duration::ZERO, Duration::ZERO);
    for path in files {
        let Ok(bytes) = std::fs::read(path) else { continue };
        if !bytes.starts_with(&[0xFF, 0xD8]) {
            continue;
        }
        let t0 = Instant::now();
        let a = decode(&bytes, &limits);
        let t1 = Instant::now();
        let b = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg).map(|i| i.to_rgb8());
        let t2 = Instant::now();
        let (Ok(a), Ok(b)) = (a, b) else { continue };
        n += 1;
        pixels += u64::from(a.info.width) * u64::from(a.info.height);
        ours += t1 - t0;
        zune += t2 - t1;
        if a.rgb == b.as_raw().as_slice() {
            same += 1;
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0 / n.max(1) as f64;
    println!(
        "{n} JPEGs, {:.1} megapixels each on average, one thread: libjpeg-turbo (Spoor) {:.1} ms per picture ({:.1} s), zune-jpeg {:.1} ms ({:.1} s): libjpeg-turbo takes {:.2}x zune-jpeg's time; identical pixels in {same} of {n}",
        pixels as f64 / 1e6 / n.max(1) as f64,
        ms(ours),
        ours.as_secs_f64(),
        ms(zune),
        zune.as_secs_f64(),
        ours.as_secs_f64() / zune.as_secs_f64().max(1e-9)
    );
}
