//! The hash-set scale benchmark's workhorse (driven by `bench/hashset.sh`).
//!
//! ```text
//! hashset_bench generate --records N --format vics|md5sum --out FILE
//! hashset_bench import   --library DIR --name NAME --source FILE
//! hashset_bench lookup   --library DIR --name NAME --records N [--queries Q]
//! ```
//!
//! `generate` writes N records with uniformly distributed MD5 and SHA-1
//! values (record i's digests come from a fixed mix of i, so two runs write
//! the same bytes and `lookup` can re-derive any record's digests).
//! `import` and `lookup` print `key=value` lines: records/s, peak resident
//! memory (VmHWM of this process), index sizes, open time, lookups/s.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use spoor_hashset::{ImportOptions, Library, RecordRef, SetKind};

fn main() {
    if let Err(e) = run() {
        eprintln!("hashset_bench: {e}");
        std::process::exit(2);
    }
}

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn need(args: &[String], name: &str) -> Res<String> {
    arg(args, name).ok_or_else(|| format!("missing {name}").into())
}

fn run() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") => generate(
            need(&args, "--records")?.parse()?,
            &need(&args, "--format")?,
            Path::new(&need(&args, "--out")?),
        ),
        Some("import") => import(
            Path::new(&need(&args, "--library")?),
            &need(&args, "--name")?,
            Path::new(&need(&args, "--source")?),
        ),
        Some("lookup") => lookup(
            Path::new(&need(&args, "--library")?),
            &need(&args, "--name")?,
            need(&args, "--records")?.parse()?,
            arg(&args, "--queries").map(|q| q.parse()).transpose()?.unwrap_or(2_000_000),
        ),
        _ => Err("usage: hashset_bench generate|import|lookup ... (see the source)".into()),
    }
}

/// SplitMix64: record i's digest words.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn md5_of(i: u64) -> [u8; 16] {
    let mut d = [0u8; 16];
    d[..8].copy_from_slice(&mix(i * 4).to_be_bytes());
    d[8..].copy_from_slice(&mix(i * 4 + 1).to_be_bytes());
    d
}

fn sha1_of(i: u64) -> [u8; 20] {
    let mut d = [0u8; 20];
    d[..8].copy_from_slice(&mix(i * 4 + 2).to_be_bytes());
    d[8..16].copy_from_slice(&mix(i * 4 + 3).to_be_bytes());
    d[16..].copy_from_slice(&mix(i ^ 0x5555_5555_5555).to_be_bytes()[..4]);
    d
}

fn hex_upper(bytes: &[u8], out: &mut Vec<u8>) {
    const H: &[u8; 16] = b"0123456789ABCDEF";
    for b in bytes {
        out.push(H[(b >> 4) as usize]);
        out.push(H[(b & 15) as usize]);
    }
}

fn generate(records: u64, format: &str, out: &Path) -> Res<()> {
    let started = Instant::now();
    let mut w = BufWriter::with_capacity(1 << 22, File::create(out)?);
    let mut line = Vec::with_capacity(256);
    match format {
        "vics" => {
            w.write_all(b"{\"@odata.context\":\"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media\",\"value\":[\n")?;
            for i in 0..records {
                line.clear();
                if i > 0 {
                    line.extend_from_slice(b",\n");
                }
                write!(line, "{{\"MediaID\":{i},\"Category\":{},\"MD5\":\"", i % 5)?;
                hex_upper(&md5_of(i), &mut line);
                line.extend_from_slice(b"\",\"SHA1\":\"");
                hex_upper(&sha1_of(i), &mut line);
                write!(
                    line,
                    "\",\"MediaSize\":{},\"MediaFiles\":[{{\"FileName\":\"f{i}.jpg\"}}]}}",
                    1000 + mix(i) % 5_000_000
                )?;
                w.write_all(&line)?;
            }
            w.write_all(b"\n]}\n")?;
        }
        "md5sum" => {
            for i in 0..records {
                line.clear();
                line.extend_from_slice(hex::encode(md5_of(i)).as_bytes());
                writeln!(line, "  f{i}.jpg")?;
                w.write_all(&line)?;
            }
        }
        other => return Err(format!("unknown format {other}").into()),
    }
    w.flush()?;
    let bytes = std::fs::metadata(out)?.len();
    println!("generated_records={records}");
    println!("generated_bytes={bytes}");
    println!("generate_seconds={:.2}", started.elapsed().as_secs_f64());
    Ok(())
}

/// CPU time this thread has run, in seconds (`/proc/thread-self/schedstat`;
/// 0 where there is none).
fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|ns| ns.parse::<f64>().ok()))
        .map_or(0.0, |ns| ns / 1e9)
}

/// VmHWM (peak resident set) of this process, in bytes.
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()))
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

fn set_dir(library: &Library, name: &str) -> Res<(spoor_hashset::SetInfo, PathBuf)> {
    let info = library
        .list()?
        .into_iter()
        .find(|s| s.name == name)
        .ok_or("no such set")?;
    let dir = library.root().join("sets").join(&info.id);
    Ok((info, dir))
}

fn import(root: &Path, name: &str, source: &Path) -> Res<()> {
    let library = Library::open(root)?;
    let started = Instant::now();
    let (info, report) = library.import_with_report(
        source,
        &ImportOptions {
            name: name.into(),
            kind: SetKind::Alert,
            ..ImportOptions::default()
        },
    )?;
    let secs = started.elapsed().as_secs_f64();
    let (_, dir) = set_dir(&library, name)?;
    let size = |f: &str| std::fs::metadata(dir.join(f)).map(|m| m.len()).unwrap_or(0);
    let idx: u64 = ["md5.idx", "sha1.idx", "sha256.idx"].iter().map(|f| size(f)).sum();
    let records: u64 = ["records.jsonl", "records.off", "records.sum"].iter().map(|f| size(f)).sum();
    println!("format={}", info.format);
    println!("records={}", info.record_count);
    println!("duplicates_merged={}", report.duplicates_merged);
    println!("import_seconds={secs:.2}");
    println!("records_per_second={:.0}", info.record_count as f64 / secs);
    println!("peak_rss_bytes={}", peak_rss());
    println!("index_bytes={idx}");
    println!("md5_idx_bytes={}", size("md5.idx"));
    println!("records_bytes={records}");
    Ok(())
}

/// The 1-minute load average (`/proc/loadavg`), or "?".
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn lookup(root: &Path, name: &str, records: u64, queries: usize) -> Res<()> {
    println!("lookup_load_average_start={}", load_average());
    let library = Library::open(root)?;
    let (info, _) = set_dir(&library, name)?;
    // Open: map the tables and records, check headers and checksum lists.
    let mut open_best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let m = library.load(std::slice::from_ref(&info.id))?;
        open_best = open_best.min(t.elapsed().as_secs_f64());
        drop(m);
    }
    let matcher = library.load(std::slice::from_ref(&info.id))?;
    println!("open_ms={:.3}", open_best * 1e3);

    // Queries: random keys, half of them digests of records picked at
    // random (present), half digests of no record (absent), interleaved
    // in a random order.
    let mut present: Vec<([u8; 16], [u8; 20])> = Vec::with_capacity(queries);
    let mut mixed: Vec<([u8; 16], [u8; 20])> = Vec::with_capacity(queries);
    let mut state = 0x1234_5678u64;
    for k in 0..queries as u64 {
        state = mix(state);
        let i = state % records;
        present.push((md5_of(i), sha1_of(i)));
        state = mix(state);
        let j = if state & 1 == 0 { state % records } else { records + 1 + k };
        mixed.push((md5_of(j), sha1_of(j)));
    }
    let mixed_hits_expected = mixed
        .iter()
        .zip(0..)
        .filter(|&(q, k)| q.0 != md5_of(records + 1 + k))
        .count();
    println!("lookup_queries={queries}");
    println!("lookup_present_share={:.3}", mixed_hits_expected as f64 / queries as f64);
    let zero256 = [0u8; 32];
    let zero1 = [0u8; 20];
    let mut out: Vec<RecordRef> = Vec::with_capacity(8);

    // Warm the pages and checksum bitmap once (as a scan would after its
    // first files), then measure.
    let t = Instant::now();
    for (md5, sha1) in &present {
        out.clear();
        matcher.matches(md5, sha1, &zero256, &mut out)?;
    }
    println!("warm_up_seconds={:.2}", t.elapsed().as_secs_f64());
    // How much of the mapped files the kernel maps with 2 MiB pages.
    let pmd_kb = std::fs::read_to_string("/proc/self/smaps_rollup")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("FilePmdMapped:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()))
        })
        .unwrap_or(0);
    println!("huge_page_mapped_bytes={}", pmd_kb * 1024);
    // Best of five, by the wall clock and by this thread's CPU time (the
    // machine may be shared: the CPU time is the per-core rate).
    // BENCH_ONLY=substring: run only the measurements whose label holds it
    // (for profiling one of them).
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let best_of = |label: &str, n: usize, f: &mut dyn FnMut() -> Res<usize>, expect: usize| -> Res<()> {
        if !label.contains(only.as_str()) {
            return Ok(());
        }
        let (mut wall, mut cpu) = (f64::MAX, f64::MAX);
        for _ in 0..5 {
            let (t, c) = (Instant::now(), thread_cpu_seconds());
            let hits = f()?;
            wall = wall.min(t.elapsed().as_secs_f64());
            cpu = cpu.min(thread_cpu_seconds() - c);
            if hits != expect {
                return Err(format!("{label}: {hits} hits, expected {expect}").into());
            }
        }
        println!("{label}_per_second={:.0}", n as f64 / wall);
        if cpu > 0.0 {
            println!("{label}_per_cpu_second={:.0}", n as f64 / cpu);
        }
        Ok(())
    };
    let single = |qs: &[([u8; 16], [u8; 20])], use_sha1: bool| -> Res<usize> {
        let mut out: Vec<RecordRef> = Vec::with_capacity(8);
        let mut hits = 0;
        for (md5, sha1) in qs {
            out.clear();
            matcher.matches(md5, if use_sha1 { sha1 } else { &zero1 }, &zero256, &mut out)?;
            hits += out.len();
        }
        Ok(hits)
    };
    let n = queries;
    best_of("lookups_md5_present", n, &mut || single(&present, false), n)?;
    best_of("lookups_md5_mixed", n, &mut || single(&mixed, false), mixed_hits_expected)?;
    best_of("lookups_md5_sha1_mixed", n, &mut || single(&mixed, true), mixed_hits_expected)?;
    // Batched: the same lookups through the pipelined path.
    let batch = |qs: &[([u8; 16], [u8; 20])], use_sha1: bool| -> Vec<([u8; 16], [u8; 20], [u8; 32])> {
        qs.iter().map(|(m, s)| (*m, if use_sha1 { *s } else { zero1 }, zero256)).collect()
    };
    let mut pairs = Vec::with_capacity(n);
    for (label, files, expect) in [
        ("lookups_md5_batched_present", batch(&present, false), n),
        ("lookups_md5_batched_mixed", batch(&mixed, false), mixed_hits_expected),
        ("lookups_md5_sha1_batched_mixed", batch(&mixed, true), mixed_hits_expected),
    ] {
        best_of(label, n, &mut || {
            pairs.clear();
            matcher.matches_many(&files, &mut pairs)?;
            Ok(pairs.len())
        }, expect)?;
    }
    // The same, in calls of 1024 files (a scan-sized batch: too few keys
    // for neighbouring lookups to share pages).
    let files = batch(&mixed, false);
    best_of("lookups_md5_batched_1024_mixed", n, &mut || {
        let mut hits = 0;
        for chunk in files.chunks(1024) {
            pairs.clear();
            matcher.matches_many(chunk, &mut pairs)?;
            hits += pairs.len();
        }
        Ok(hits)
    }, mixed_hits_expected)?;
    // Full lookups returning parsed records (what a scan's hit costs).
    let t = Instant::now();
    let n = queries.min(200_000);
    for (md5, sha1) in &present[..n] {
        let hits = matcher.lookup(md5, sha1, &zero256)?;
        if hits.len() != 1 {
            return Err("a present record was not found".into());
        }
    }
    println!("lookups_with_record_per_second={:.0}", n as f64 / t.elapsed().as_secs_f64());
    println!("peak_rss_bytes={}", peak_rss());
    println!("lookup_load_average_end={}", load_average());
    Ok(())
}
