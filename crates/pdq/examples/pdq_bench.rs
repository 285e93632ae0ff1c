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
    let mut positional = Vec::new();
    let mut all = std::env::args().skip(1);
    while let Some(a) = all.next() {
        if a == "--out" {
            out_file = all.next();
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
