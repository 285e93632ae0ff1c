//! Throughput of the digest stage, for `bench/digest.sh`.
//!
//! ```text
//! cargo run --release -p spoor-digest --example digest_bench -- [OPTIONS]
//!   --single-mb N      hash an in-memory buffer of N MiB (default 512) with
//!                      each hasher alone, one thread, best of 3, and derive
//!                      the CPU bound: cores / (1/md5 + 1/sha1 + 1/sha256)
//!   --tree DIR         the scan pipeline's digest stage over the regular
//!                      files under DIR: rayon par_iter + digest_file, one
//!                      warm-up pass, then best of 3
//!   --experiments      with --tree: also time variants of the read loop
//!                      (chunk size, buffer reuse, interleaving, order)
//!   --only A,B         with --experiments: only the variants whose name
//!                      contains one of these strings
//!   --make-tree DIR    create (or complete) the deterministic bench tree
//!   --gb X             size of that tree in GiB (default 1.25)
//!   --reps N           measured passes per figure (default 3)
//!   --json             print one JSON object instead of text
//! ```
//!
//! MB/s are decimal (10^6 bytes per second), as coreutils and hashdeep
//! users usually quote them.

use std::collections::BTreeMap;
use std::error::Error;
use std::fmt::Write as _;
use std::fs::File;
use std::hint::black_box;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use md5::Md5;
use rayon::prelude::*;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use spoor_digest::CHUNK;

type Res<T> = Result<T, Box<dyn Error>>;

const MIB: u64 = 1024 * 1024;
const KIB: u64 = 1024;

fn mbps(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / secs / 1e6
}

// ---------------------------------------------------------------- arguments

#[derive(Debug, Default)]
struct Args {
    single_mb: Option<u64>,
    tree: Option<PathBuf>,
    experiments: bool,
    only: Vec<String>,
    make_tree: Option<PathBuf>,
    gb: f64,
    reps: usize,
    json: bool,
}

fn parse_args() -> Res<Args> {
    let mut a = Args { gb: 1.25, reps: 3, ..Args::default() };
    let mut it = std::env::args().skip(1).peekable();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--single-mb" => {
                // The value is optional: `--single-mb` alone means 512.
                let v = match it.peek() {
                    Some(v) if !v.starts_with("--") => it.next().map(|v| v.parse()).transpose()?,
                    _ => None,
                };
                a.single_mb = Some(v.unwrap_or(512));
            }
            "--tree" => a.tree = Some(it.next().ok_or("--tree needs a folder")?.into()),
            "--experiments" => a.experiments = true,
            "--only" => {
                let v = it.next().ok_or("--only needs a comma-separated list")?;
                a.only = v.split(',').map(str::to_string).collect();
            }
            "--make-tree" => a.make_tree = Some(it.next().ok_or("--make-tree needs a folder")?.into()),
            "--gb" => a.gb = it.next().ok_or("--gb needs a number")?.parse()?,
            "--reps" => a.reps = it.next().ok_or("--reps needs a number")?.parse::<usize>()?.max(1),
            "--json" => a.json = true,
            "-h" | "--help" => {
                println!(
                    "digest_bench [--single-mb [N]] [--tree DIR [--experiments [--only A,B]]] [--make-tree DIR --gb X] [--reps N] [--json]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?} (try --help)").into()),
        }
    }
    if a.single_mb.is_none() && a.tree.is_none() && a.make_tree.is_none() {
        a.single_mb = Some(512);
    }
    Ok(a)
}

// -------------------------------------------------------- deterministic data

/// xoshiro256** seeded through splitmix64: fast, deterministic, no crate.
struct Rng([u64; 4]);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng([next(), next(), next(), next()])
    }
    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let out = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }
    fn fill(&mut self, buf: &mut [u8]) {
        let mut chunks = buf.chunks_exact_mut(8);
        for c in &mut chunks {
            c.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        let rest = chunks.into_remainder();
        let last = self.next_u64().to_le_bytes();
        let n = rest.len();
        rest.copy_from_slice(&last[..n]);
    }
}

// ------------------------------------------------------------- CPU accounting

/// CPU time (user + system, seconds) of this process, all threads, and busy
/// time of the whole machine, from /proc (USER_HZ = 100 on Linux). Used to
/// tell how much of the machine other processes took during a measurement.
#[derive(Clone, Copy, Debug, Default)]
struct CpuSnap {
    ours: f64,
    machine: f64,
}

fn cpu_snap() -> CpuSnap {
    const HZ: f64 = 100.0;
    let ours = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(") ")?.1.to_string();
            let f: Vec<&str> = after.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / HZ)
        })
        .unwrap_or(0.0);
    let machine = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| {
            let line = s.lines().next()?;
            let f: Vec<f64> = line.split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
            // user nice system idle iowait irq softirq steal
            let busy = f.first()? + f.get(1)? + f.get(2)? + f.get(5)? + f.get(6)? + f.get(7).unwrap_or(&0.0);
            Some(busy / HZ)
        })
        .unwrap_or(0.0);
    CpuSnap { ours, machine }
}

#[derive(Clone, Copy, Debug)]
struct Timed {
    secs: f64,
    /// CPU seconds this process used.
    cpu: f64,
    /// CPU seconds everything else on the machine used meanwhile.
    others: f64,
}

/// Runs `f` once and times it.
fn timed(f: impl FnOnce()) -> Timed {
    let c0 = cpu_snap();
    let t0 = Instant::now();
    f();
    let secs = t0.elapsed().as_secs_f64();
    let c1 = cpu_snap();
    let cpu = c1.ours - c0.ours;
    Timed { secs, cpu, others: ((c1.machine - c0.machine) - cpu).max(0.0) }
}

/// Best (shortest wall time) of `reps` runs.
fn best_of(reps: usize, mut f: impl FnMut()) -> Timed {
    let mut best: Option<Timed> = None;
    for _ in 0..reps {
        let t = timed(&mut f);
        if best.is_none_or(|b| t.secs < b.secs) {
            best = Some(t);
        }
    }
    best.unwrap_or(Timed { secs: f64::NAN, cpu: f64::NAN, others: f64::NAN })
}

// --------------------------------------------------------------- single-mb

#[derive(Debug)]
struct Single {
    mb: u64,
    md5: f64,
    sha1: f64,
    sha256: f64,
    cpu_bound: f64,
    combined_1t: f64,
    combined_nt: f64,
    /// Most cores other processes took during any of these measurements.
    others_cores: f64,
}

fn hash_alone<D: Digest>(buf: &[u8]) {
    let mut h = D::new();
    for c in buf.chunks(CHUNK) {
        h.update(c);
    }
    black_box(h.finalize());
}

fn single(mb: u64, reps: usize, threads: usize) -> Res<Single> {
    let len = usize::try_from(mb * MIB)?;
    let mut buf = vec![0u8; len];
    Rng::new(0x5EED).fill(&mut buf);
    let bytes = len as u64;
    let mut others_cores = 0.0f64;
    let mut note = |t: Timed| {
        others_cores = others_cores.max(t.others / t.secs);
        t.secs
    };
    let md5 = mbps(bytes, note(best_of(reps, || hash_alone::<Md5>(&buf))));
    let sha1 = mbps(bytes, note(best_of(reps, || hash_alone::<Sha1>(&buf))));
    let sha256 = mbps(bytes, note(best_of(reps, || hash_alone::<Sha256>(&buf))));
    let cpu_bound = threads as f64 / (1.0 / md5 + 1.0 / sha1 + 1.0 / sha256);
    // The library's own loop over memory (a copy into its CHUNK buffer, then
    // the three hashers): one thread, then every thread on its own share.
    let combined_1t = mbps(
        bytes,
        note(best_of(reps, || {
            black_box(spoor_digest::digest_reader(&buf[..], None).ok());
        })),
    );
    let share = len.div_ceil(threads.max(1));
    let combined_nt = mbps(
        bytes,
        note(best_of(reps, || {
            buf.par_chunks(share).for_each(|part| {
                black_box(spoor_digest::digest_reader(part, None).ok());
            });
        })),
    );
    Ok(Single { mb, md5, sha1, sha256, cpu_bound, combined_1t, combined_nt, others_cores })
}

// -------------------------------------------------------------------- tree

struct FileEntry {
    path: PathBuf,
    size: u64,
}

/// The regular files under `dir`, as the scan lists them (the evidence walk:
/// sorted by name, links not followed).
fn list_files(dir: &Path) -> Res<Vec<FileEntry>> {
    spoor_evidence::check_root(dir)?;
    let mut files = Vec::new();
    for e in spoor_evidence::walk(dir) {
        let e = e?;
        if e.kind == spoor_evidence::EntryKind::File {
            files.push(FileEntry { path: e.abs_path, size: e.size });
        }
    }
    Ok(files)
}

#[derive(Debug)]
struct TreeRun {
    name: String,
    bytes: u64,
    t: Timed,
    /// Experiments only: median time the last worker ran alone at the end.
    tail: Option<f64>,
}

impl TreeRun {
    fn mbps(&self) -> f64 {
        mbps(self.bytes, self.t.secs)
    }
    /// Throughput per CPU second this process used: blind to other processes
    /// taking cores away, so comparable to the one-core bound.
    fn cpu_mbps(&self) -> f64 {
        mbps(self.bytes, self.t.cpu)
    }
}

/// The pipeline's digest stage exactly: par_iter over the list, digest_file.
fn digest_stage(files: &[FileEntry]) -> u64 {
    files.par_iter().map(lib_file).sum()
}

fn tree(dir: &Path, reps: usize) -> Res<(Vec<FileEntry>, TreeRun)> {
    let files = list_files(dir)?;
    let bytes = digest_stage(&files); // warm-up
    let t = best_of(reps, || {
        black_box(digest_stage(&files));
    });
    Ok((files, TreeRun { name: "lib".into(), bytes, t, tail: None }))
}

// ------------------------------------------------------------ experiments

/// A copy of the library's read loop with the knobs the experiments turn:
/// read size, sub-slice size for feeding the three hashers (interleaving),
/// and a buffer reused across files instead of a fresh zeroed one.
fn digest_variant(path: &Path, chunk: usize, sub: usize, buf: &mut Vec<u8>) -> io::Result<u64> {
    let (mut file, _) = spoor_evidence::open_read_only(path)?;
    let mut md5 = Md5::new();
    let mut sha1 = Sha1::new();
    let mut sha256 = Sha256::new();
    if buf.len() != chunk {
        buf.resize(chunk, 0);
    }
    let mut head = Vec::with_capacity(spoor_digest::HEAD_LEN);
    let mut size = 0u64;
    loop {
        let n = match file.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let data = &buf[..n];
        if head.len() < spoor_digest::HEAD_LEN {
            let take = (spoor_digest::HEAD_LEN - head.len()).min(n);
            head.extend_from_slice(&data[..take]);
        }
        for s in data.chunks(sub) {
            md5.update(s);
            sha1.update(s);
            sha256.update(s);
        }
        size += n as u64;
    }
    black_box((md5.finalize(), sha1.finalize(), sha256.finalize(), head));
    Ok(size)
}

#[derive(Clone, Copy)]
enum Buf {
    /// `vec![0; chunk]` per file, as the library does.
    Fresh,
    /// One buffer per rayon worker, kept across files.
    Reused,
}

thread_local! {
    static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// One file through a read-loop variant; errors count as 0 bytes.
fn variant_file(f: &FileEntry, chunk: usize, sub: usize, buf: Buf) -> u64 {
    let r = match buf {
        Buf::Fresh => digest_variant(&f.path, chunk, sub, &mut vec![0u8; chunk]),
        Buf::Reused => BUF.with(|b| digest_variant(&f.path, chunk, sub, &mut b.borrow_mut())),
    };
    r.unwrap_or_else(|e| {
        eprintln!("digest_bench: {}: {e}", f.path.display());
        0
    })
}

/// The library on one file, as the pipeline calls it.
fn lib_file(f: &FileEntry) -> u64 {
    match spoor_digest::digest_file(&f.path, None) {
        Ok((d, _)) => d.size,
        Err(e) => {
            eprintln!("digest_bench: {e}");
            0
        }
    }
}

/// par_iter over `files` with `per_file` (at most `max_len` files per rayon
/// leaf job when given), also returning the tail: how long the last worker
/// went on after the first one ran out of files (seconds).
fn drive(files: &[&FileEntry], max_len: Option<usize>, per_file: &(dyn Fn(&FileEntry) -> u64 + Sync)) -> (u64, f64) {
    let threads = rayon::current_num_threads();
    let last_end: Vec<AtomicU64> = (0..threads).map(|_| AtomicU64::new(0)).collect();
    let t0 = Instant::now();
    let one = |f: &&FileEntry| {
        let n = per_file(f);
        if let Some(slot) = rayon::current_thread_index().and_then(|i| last_end.get(i)) {
            slot.fetch_max(u64::try_from(t0.elapsed().as_nanos()).unwrap_or(u64::MAX), Ordering::Relaxed);
        }
        n
    };
    let bytes = match max_len {
        Some(m) => files.par_iter().with_max_len(m).map(one).sum(),
        None => files.par_iter().map(one).sum(),
    };
    let ends: Vec<u64> = last_end.iter().map(|a| a.load(Ordering::Relaxed)).filter(|&e| e > 0).collect();
    let tail = match (ends.iter().max(), ends.iter().min()) {
        (Some(hi), Some(lo)) => (hi - lo) as f64 / 1e9,
        _ => 0.0,
    };
    (bytes, tail)
}

fn experiments(files: &[FileEntry], reps: usize, only: &[String], progress: bool) -> Vec<TreeRun> {
    let listed: Vec<&FileEntry> = files.iter().collect();
    let mut largest_first = listed.clone();
    largest_first.sort_by_key(|f| std::cmp::Reverse(f.size));

    let k = |n: u64| usize::try_from(n * KIB).unwrap_or(CHUNK);
    type PerFile = Box<dyn Fn(&FileEntry) -> u64 + Sync>;
    // (label, largest first, max files per leaf job, per-file work)
    let mut variants: Vec<(String, bool, Option<usize>, PerFile)> = vec![
        ("lib: par_iter, list order (the pipeline)".into(), false, None, Box::new(lib_file)),
        ("lib: par_iter().with_max_len(1)".into(), false, Some(1), Box::new(lib_file)),
        ("lib: largest files first".into(), true, None, Box::new(lib_file)),
        ("lib: largest first + with_max_len(1)".into(), true, Some(1), Box::new(lib_file)),
    ];
    for (chunk, sub, buf, largest, label) in [
        (CHUNK, CHUNK, Buf::Fresh, false, "copy of lib loop: 256K read, fresh buf"),
        (k(64), k(64), Buf::Fresh, false, "64K read, fresh buf"),
        (k(1024), k(1024), Buf::Fresh, false, "1M read, fresh buf"),
        (k(4096), k(4096), Buf::Fresh, false, "4M read, fresh buf"),
        (CHUNK, CHUNK, Buf::Reused, false, "256K read, reused buf"),
        (CHUNK, k(16), Buf::Reused, false, "256K read, hashers interleaved per 16K, reused"),
        (CHUNK, CHUNK, Buf::Reused, true, "256K read, reused buf, largest first"),
    ] {
        let label = format!("{label}, with_max_len(1)");
        variants.push((label, largest, Some(1), Box::new(move |f: &FileEntry| variant_file(f, chunk, sub, buf))));
    }
    if !only.is_empty() {
        variants.retain(|v| only.iter().any(|o| v.0.contains(o.as_str())));
    }
    let order = |largest: bool| if largest { &largest_first } else { &listed };
    // One warm-up pass each (and the byte count), then the measured passes
    // in rounds so that a burst of load elsewhere hits every variant alike.
    let bytes: Vec<u64> = variants.iter().map(|(_, l, m, f)| drive(order(*l), *m, f.as_ref()).0).collect();
    let mut runs: Vec<Vec<(Timed, f64)>> = vec![Vec::new(); variants.len()];
    for rep in 0..reps {
        if progress {
            eprintln!("  experiments, round {}/{reps}", rep + 1);
        }
        for ((_, l, m, f), r) in variants.iter().zip(runs.iter_mut()) {
            let mut tail = 0.0;
            let t = timed(|| tail = drive(order(*l), *m, f.as_ref()).1);
            r.push((t, tail));
        }
    }
    let mut out = Vec::new();
    for (((name, ..), bytes), mut r) in variants.iter().zip(bytes).zip(runs) {
        // Best wall time; the tail is the median, as one pass's tail is noisy.
        let mut tails: Vec<f64> = r.iter().map(|x| x.1).collect();
        tails.sort_by(f64::total_cmp);
        let tail = tails.get(tails.len() / 2).copied();
        r.sort_by(|a, b| a.0.secs.total_cmp(&b.0.secs));
        let t = r.first().map_or(Timed { secs: f64::NAN, cpu: f64::NAN, others: f64::NAN }, |x| x.0);
        out.push(TreeRun { name: name.clone(), bytes, t, tail });
    }
    out
}

// --------------------------------------------------------------- make-tree

/// The deterministic tree for a given size: (relative path, size, seed).
/// At 1.25 GiB: 2000 files of ~16 KiB, 400 of ~512 KiB, 16 empty ones, and
/// files of ~24 MiB up to the target (44), spread over nested folders. Sizes are
/// jittered so that most files are not a multiple of the read size.
fn plan(gb: f64) -> Vec<(PathBuf, u64, u64)> {
    let target = (gb * (1u64 << 30) as f64) as u64;
    let scale = gb / 1.25;
    let n_small = ((2000.0 * scale).round() as u64).max(1);
    let n_medium = ((400.0 * scale).round() as u64).max(1);
    let n_empty = 16;
    let jitter = |i: u64, span: u64| (i.wrapping_mul(7919) % span) as i64 - (span / 2) as i64;
    let size = |base: u64, i: u64, span: u64| (base as i64 + jitter(i, span)).max(0) as u64;
    let mut out = Vec::new();
    let mut used = 0u64;
    let place = |class: &str, i: u64| -> PathBuf {
        let h = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
        let mut p = PathBuf::from(format!("d{:02}", h % 8)).join(format!("s{:02}", (h / 8) % 6));
        if class == "small" && i.is_multiple_of(5) {
            p = p.join("deep").join(format!("x{}", i % 3)).join("y");
        }
        p.join(format!("{class}-{i:05}.bin"))
    };
    for i in 0..n_small {
        let s = size(16 * KIB, i, 4096);
        used += s;
        out.push((place("small", i), s, 1_000_000 + i));
    }
    for i in 0..n_medium {
        let s = size(512 * KIB, i, 64 * KIB);
        used += s;
        out.push((place("medium", i), s, 2_000_000 + i));
    }
    for i in 0..n_empty {
        out.push((place("empty", i), 0, 3_000_000 + i));
    }
    // Big files until the target is reached (at least one).
    let mut i = 0;
    while i == 0 || used < target {
        let s = size(24 * MIB, i, MIB);
        used += s;
        out.push((place("big", i), s, 4_000_000 + i));
        i += 1;
    }
    out
}

fn make_tree(dir: &Path, gb: f64) -> Res<(u64, u64)> {
    let plan = plan(gb);
    let total: u64 = plan.iter().map(|p| p.1).sum();
    let wanted: BTreeMap<PathBuf, u64> = plan.iter().map(|(p, s, _)| (dir.join(p), *s)).collect();
    let mut have: BTreeMap<PathBuf, u64> = BTreeMap::new();
    if dir.exists() {
        for f in list_files(dir)? {
            have.insert(f.path, f.size);
        }
        let strangers: Vec<&PathBuf> = have.keys().filter(|p| !wanted.contains_key(*p)).collect();
        if let Some(first) = strangers.first() {
            return Err(format!(
                "{} holds {} file(s) that are not part of a {gb} GiB bench tree (e.g. {}); \
                 remove the folder or choose another BENCH_DIR",
                dir.display(),
                strangers.len(),
                first.display()
            )
            .into());
        }
    }
    let todo: Vec<&(PathBuf, u64, u64)> = plan.iter().filter(|(p, s, _)| have.get(&dir.join(p)) != Some(s)).collect();
    if !todo.is_empty() {
        eprintln!("digest_bench: writing {} of {} files under {}", todo.len(), plan.len(), dir.display());
    }
    todo.par_iter().try_for_each(|(rel, size, seed)| -> io::Result<()> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut rng = Rng::new(*seed);
        let mut w = BufWriter::with_capacity(MIB as usize, File::create(&path)?);
        let mut block = vec![0u8; MIB as usize];
        let mut left = *size;
        while left > 0 {
            let n = left.min(MIB) as usize;
            rng.fill(&mut block[..n]);
            w.write_all(&block[..n])?;
            left -= n as u64;
        }
        w.flush()
    })?;
    Ok((plan.len() as u64, total))
}

// -------------------------------------------------------------------- main

fn main() -> Res<()> {
    let args = parse_args()?;
    let threads = rayon::current_num_threads();
    let mut json = String::new();
    let mut text = String::new();
    let _ = write!(json, "{{\"threads\":{threads},\"chunk\":{CHUNK}");
    let _ = writeln!(text, "rayon threads: {threads}, read size: {} KiB", CHUNK / 1024);

    if let Some(dir) = &args.make_tree {
        let (files, bytes) = make_tree(dir, args.gb)?;
        let _ = write!(json, ",\"made_files\":{files},\"made_bytes\":{bytes}");
        let _ = writeln!(text, "tree {}: {files} files, {bytes} bytes", dir.display());
    }

    if let Some(mb) = args.single_mb {
        let s = single(mb, args.reps, threads)?;
        let _ = write!(
            json,
            ",\"single_mb\":{},\"md5_mbps\":{:.1},\"sha1_mbps\":{:.1},\"sha256_mbps\":{:.1},\"cpu_bound_mbps\":{:.1},\"combined_1t_mbps\":{:.1},\"combined_nt_mbps\":{:.1},\"single_others_cores\":{:.2}",
            s.mb, s.md5, s.sha1, s.sha256, s.cpu_bound, s.combined_1t, s.combined_nt, s.others_cores
        );
        let one_core = s.cpu_bound / threads as f64;
        let _ = writeln!(
            text,
            "in memory, {} MiB, one thread, best of {}:\n  md5     {:>8.0} MB/s\n  sha1    {:>8.0} MB/s\n  sha256  {:>8.0} MB/s\n  \
             CPU bound: {threads} / (1/md5 + 1/sha1 + 1/sha256) = {:.0} MB/s ({:.0} per core)\n  \
             library loop over memory: {:.0} MB/s on 1 thread ({:.0} % of one core's bound), {:.0} MB/s on {threads} ({:.0} % of the CPU bound)",
            s.mb,
            args.reps,
            s.md5,
            s.sha1,
            s.sha256,
            s.cpu_bound,
            one_core,
            s.combined_1t,
            100.0 * s.combined_1t / one_core,
            s.combined_nt,
            100.0 * s.combined_nt / s.cpu_bound
        );
    }

    if let Some(dir) = &args.tree {
        let (files, run) = tree(dir, args.reps)?;
        let _ = write!(
            json,
            ",\"tree_files\":{},\"tree_bytes\":{},\"tree_seconds\":{:.4},\"tree_mbps\":{:.1},\"tree_cpu_seconds\":{:.2},\"tree_cpu_mbps\":{:.1},\"tree_others_cpu_seconds\":{:.2}",
            files.len(),
            run.bytes,
            run.t.secs,
            run.mbps(),
            run.t.cpu,
            run.cpu_mbps(),
            run.t.others
        );
        let _ = writeln!(
            text,
            "digest stage over {} ({} files, {} bytes), best of {}: {:.3} s, {:.0} MB/s\n  \
             CPU: ours {:.2} s ({:.0} MB per CPU second), other processes {:.2} s",
            dir.display(),
            files.len(),
            run.bytes,
            args.reps,
            run.t.secs,
            run.mbps(),
            run.t.cpu,
            run.cpu_mbps(),
            run.t.others
        );
        if args.experiments {
            if args.json {
                eprintln!("experiments (best of {}):", args.reps);
            }
            let runs = experiments(&files, args.reps, &args.only, args.json);
            json.push_str(",\"experiments\":[");
            let _ = writeln!(text, "experiments (best of {}):", args.reps);
            for (i, r) in runs.iter().enumerate() {
                if i > 0 {
                    json.push(',');
                }
                let _ = write!(
                    json,
                    "{{\"name\":\"{}\",\"seconds\":{:.4},\"mbps\":{:.1},\"cpu_mbps\":{:.1},\"cores_used\":{:.2},\"others_cpu_seconds\":{:.2},\"tail_ms\":{:.0}}}",
                    r.name.replace('"', "'"),
                    r.t.secs,
                    r.mbps(),
                    r.cpu_mbps(),
                    r.t.cpu / r.t.secs,
                    r.t.others,
                    r.tail.unwrap_or(0.0) * 1e3
                );
                let _ = writeln!(
                    text,
                    "  {:<52} {:>6.0} MB/s {:>6.0} MB/CPU-s  cores {:.2}  tail {:>3.0} ms  others {:.2} s",
                    r.name,
                    r.mbps(),
                    r.cpu_mbps(),
                    r.t.cpu / r.t.secs,
                    r.tail.unwrap_or(0.0) * 1e3,
                    r.t.others
                );
            }
            json.push(']');
        }
    }

    json.push('}');
    let mut out = io::stdout().lock();
    if args.json {
        writeln!(out, "{json}")?;
    } else {
        write!(out, "{text}")?;
    }
    Ok(())
}
