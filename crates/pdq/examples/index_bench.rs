//! Builds a PDQ near-match index of deterministic random hashes with
//! planted near-duplicates, then times queries through the index against
//! brute force and checks that both return the same results.
//!
//! ```text
//! cargo run --release -p spoor-pdq --example index_bench -- build PATH [options]
//! cargo run --release -p spoor-pdq --example index_bench -- query PATH [options]
//! ```
//!
//! Options: `--n N` entries (default 10,000,000), `--layout MxW` (chunks x
//! bits, default the crate's), `--seed S`, `--queries Q` index queries
//! (default 10,000: the first half have planted neighbours), `--brute B`
//! queries also answered by brute force (default 200, spread over the
//! set), `--distance D` (31), `--min-quality Q` (50), `--threads T` (the
//! number of cores) for a parallel run, `--rounds R` (3) timed rounds that
//! alternate index and brute force (the best of each is reported: on a
//! shared machine other work slows some rounds), `--verify` to time a full
//! check.
//!
//! Build and query run as separate processes so that each reports its own
//! peak memory (`VmHWM`, which counts the mapped file pages a process has
//! touched as well as its heap).

use std::path::{Path, PathBuf};
use std::time::Instant;

use spoor_pdq::PdqHash;
use spoor_pdq::index::{IndexBuilder, Layout, PdqEntry, PdqIndex, QueryPlan, QueryStats};

/// Queries that get planted neighbours, and neighbours per query.
const PLANTED_QUERIES: u64 = 5_000;
const PLANTS_PER_QUERY: u64 = 4;
/// Planted neighbours are this many bits off, 0..=MAX_PLANT_DISTANCE, so
/// some sit just past the matching distance.
const MAX_PLANT_DISTANCE: u64 = 40;

/// SplitMix64: a tiny, well-mixed deterministic generator.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn hash(&mut self) -> PdqHash {
        let mut h = [0u8; 32];
        for chunk in h.chunks_mut(8) {
            chunk.copy_from_slice(&self.next().to_le_bytes());
        }
        PdqHash(h)
    }
}

/// `h` with exactly `k` distinct bits flipped.
fn flip(h: PdqHash, k: u64, rng: &mut Rng) -> PdqHash {
    let mut mask = [0u8; 32];
    let mut flipped = 0;
    while flipped < k {
        let b = rng.below(256) as usize;
        if mask[b / 8] & (1 << (b % 8)) == 0 {
            mask[b / 8] |= 1 << (b % 8);
            flipped += 1;
        }
    }
    let mut out = h;
    for (o, m) in out.0.iter_mut().zip(mask) {
        *o ^= m;
    }
    out
}

fn query_hash(seed: u64, j: u64) -> PdqHash {
    Rng::new(seed, 1_000_000_007 + j).hash()
}

/// Entry `i` of the data set: random, except every `stride`-th entry, which
/// is a neighbour of a planted query.
fn entry(seed: u64, n: u64, i: u64) -> PdqEntry {
    let plants = PLANTED_QUERIES * PLANTS_PER_QUERY;
    let stride = (n / plants).max(1);
    let mut rng = Rng::new(seed, i);
    // One in five below the default quality threshold.
    let quality = if rng.below(5) == 0 {
        rng.below(50) as u8
    } else {
        50 + rng.below(51) as u8
    };
    let hash = if i.is_multiple_of(stride) && i / stride < plants {
        let q = (i / stride) % PLANTED_QUERIES;
        let k = rng.below(MAX_PLANT_DISTANCE + 1);
        flip(query_hash(seed, q), k, &mut rng)
    } else {
        rng.hash()
    };
    PdqEntry { hash, quality }
}

/// Time spent by this thread on a CPU, from /proc (the machine may be
/// shared: wall time then counts other processes' turns too).
fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e9)
}

#[derive(Clone, Copy, Debug, Default)]
struct Elapsed {
    wall: f64,
    cpu: f64,
}

impl Elapsed {
    fn max() -> Elapsed {
        Elapsed {
            wall: f64::INFINITY,
            cpu: f64::INFINITY,
        }
    }
    /// The better of two, wall and CPU time each.
    fn min(self, other: Elapsed) -> Elapsed {
        Elapsed {
            wall: self.wall.min(other.wall),
            cpu: self.cpu.min(other.cpu),
        }
    }
    fn plus(self, other: Elapsed) -> Elapsed {
        Elapsed {
            wall: self.wall + other.wall,
            cpu: self.cpu + other.cpu,
        }
    }
}

struct Timer(Instant, f64);

impl Timer {
    fn start() -> Timer {
        Timer(Instant::now(), thread_cpu_seconds())
    }
    fn stop(&self) -> Elapsed {
        Elapsed {
            wall: self.0.elapsed().as_secs_f64(),
            cpu: thread_cpu_seconds() - self.1,
        }
    }
}

/// Peak resident memory (VmHWM) in MiB.
fn hwm_mib() -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or("?".to_string(), |kb| format!("{:.0}", kb / 1024.0))
}

/// Peak and current resident memory from /proc/self/status, in MiB.
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or("?".to_string(), |kb| format!("{:.0}", kb / 1024.0))
    };
    format!(
        "VmHWM {} MiB (now: RssAnon {} MiB, RssFile {} MiB)",
        field("VmHWM:"),
        field("RssAnon:"),
        field("RssFile:")
    )
}

struct Options {
    n: u64,
    layout: Layout,
    seed: u64,
    queries: u64,
    brute: u64,
    distance: u32,
    min_quality: u8,
    threads: usize,
    rounds: u32,
    verify: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: index_bench build|query PATH [--n N] [--layout MxW] [--seed S] [--queries Q] [--brute B] [--distance D] [--min-quality Q] [--threads T] [--rounds R] [--verify]"
    );
    std::process::exit(2)
}

fn parse_args() -> (String, PathBuf, Options) {
    let mut args = std::env::args().skip(1);
    let (Some(mode), Some(path)) = (args.next(), args.next()) else {
        usage()
    };
    let mut o = Options {
        n: 10_000_000,
        layout: Layout::DEFAULT,
        seed: 20_240_601,
        queries: 10_000,
        brute: 200,
        distance: 31,
        min_quality: 50,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        rounds: 3,
        verify: false,
    };
    while let Some(flag) = args.next() {
        if flag == "--verify" {
            o.verify = true;
            continue;
        }
        let value = args.next().unwrap_or_else(|| usage());
        let num = |v: &str| {
            v.replace('_', "")
                .parse::<u64>()
                .unwrap_or_else(|_| usage())
        };
        match flag.as_str() {
            "--n" => o.n = num(&value),
            "--seed" => o.seed = num(&value),
            "--queries" => o.queries = num(&value),
            "--brute" => o.brute = num(&value),
            "--distance" => o.distance = num(&value) as u32,
            "--min-quality" => o.min_quality = num(&value) as u8,
            "--threads" => o.threads = num(&value).max(1) as usize,
            "--rounds" => o.rounds = num(&value).max(1) as u32,
            "--layout" => {
                let (m, w) = value.split_once('x').unwrap_or_else(|| usage());
                o.layout = Layout::new(num(m) as u32, num(w) as u32).unwrap_or_else(|| usage());
            }
            _ => usage(),
        }
    }
    (mode, PathBuf::from(path), o)
}

fn build(path: &Path, o: &Options) {
    let t = Instant::now();
    let mut builder = IndexBuilder::with_layout(o.layout);
    builder.reserve(o.n as usize);
    for i in 0..o.n {
        builder.push(entry(o.seed, o.n, i));
    }
    let generate = t.elapsed();
    let t = Instant::now();
    if let Err(e) = builder.build(path) {
        eprintln!("{e}");
        std::process::exit(1);
    }
    let build = t.elapsed();
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    println!(
        "layout          {} chunks x {} bits",
        o.layout.chunks(),
        o.layout.bits()
    );
    println!("entries         {}", o.n);
    println!(
        "generate        {:.2} s (not part of the build)",
        generate.as_secs_f64()
    );
    println!(
        "build           {:.2} s (tables + write + fsync + rename)",
        build.as_secs_f64()
    );
    println!(
        "file size       {} bytes ({:.1} MiB, {:.1} bytes per hash)",
        size,
        size as f64 / 1048576.0,
        size as f64 / o.n.max(1) as f64
    );
    println!("build memory    {}", memory());
    println!(
        "RESULT build_s={:.2} size_bytes={size} build_hwm_mib={}",
        build.as_secs_f64(),
        hwm_mib()
    );
}

fn query(path: &Path, o: &Options) {
    let t = Instant::now();
    let index = match PdqIndex::open(path) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let open = t.elapsed();
    let layout = index.layout();
    println!(
        "layout          {} chunks x {} bits, {} entries, {:.1} MiB",
        layout.chunks(),
        layout.bits(),
        index.len(),
        index.file_len() as f64 / 1048576.0
    );
    println!("open            {:.1} µs", open.as_secs_f64() * 1e6);
    if o.verify {
        let t = Instant::now();
        let ok = index.verify();
        println!(
            "verify          {:.2} s ({ok:?})",
            t.elapsed().as_secs_f64()
        );
    }
    let (d, mq) = (o.distance, o.min_quality);
    println!("query           distance {d}, minimum quality {mq}");
    match index.plan(d) {
        QueryPlan::Tables {
            probes,
            expected_scanned,
        } => println!(
            "plan            tables: {probes} probes, ~{expected_scanned:.0} entries scanned (uniform hashes)"
        ),
        QueryPlan::Scan => println!("plan            scan"),
    }
    let queries: Vec<PdqHash> = (0..o.queries).map(|j| query_hash(o.seed, j)).collect();
    let nq = queries.len().max(1) as f64;
    let step = (o.queries / o.brute.max(1)).max(1);
    let sample: Vec<usize> = (0..queries.len())
        .step_by(step as usize)
        .take(o.brute as usize)
        .collect();
    let ns = sample.len().max(1) as f64;

    let mut out = Vec::new();
    let index_pass = |out: &mut Vec<(u32, u32)>| {
        let t = Timer::start();
        let (mut hits, mut stats) = (0u64, QueryStats::default());
        for q in &queries {
            let s = index.query(q, d, mq, out);
            hits += out.len() as u64;
            stats.probes += s.probes;
            stats.scanned += s.scanned;
            stats.verified += s.verified;
        }
        (t.stop(), hits, stats)
    };
    // The first pass maps the pages in (the file is in the page cache
    // after the build; after a reboot it would also read them).
    let (cold, hits, stats) = index_pass(&mut out);
    println!(
        "first pass      {:.0} queries/s ({} queries)",
        nq / cold.wall,
        queries.len()
    );
    println!(
        "per query       {:.0} probes, {:.0} entries scanned, {:.2} full checks, {:.2} hits",
        stats.probes as f64 / nq,
        stats.scanned as f64 / nq,
        stats.verified as f64 / nq,
        hits as f64 / nq
    );

    // Rounds that alternate index and brute force, so that a busy machine
    // slows both alike; the best round of each is the figure.
    let (mut best_index, mut best_brute) = (Elapsed::max(), Elapsed::max());
    let (mut want, mut got) = (Vec::new(), Vec::new());
    let (mut same, mut compared, mut sample_hits) = (0usize, 0usize, 0usize);
    for round in 1..=o.rounds {
        let (e, _, _) = index_pass(&mut out);
        best_index = best_index.min(e);
        let mut brute = Elapsed::default();
        for &j in &sample {
            let q = &queries[j];
            let t = Timer::start();
            index.brute_force(q, d, mq, &mut want);
            brute = brute.plus(t.stop());
            if round == 1 {
                index.query(q, d, mq, &mut got);
                compared += 1;
                sample_hits += want.len();
                if got == want {
                    same += 1;
                } else {
                    println!("MISMATCH query {j}: index {got:?}, brute force {want:?}");
                }
            }
        }
        best_brute = best_brute.min(brute);
        println!(
            "round {round}         index {:.0} queries/s ({:.0} per CPU second), brute force {:.2} queries/s ({:.2} per CPU second)",
            nq / e.wall,
            nq / e.cpu,
            ns / brute.wall,
            ns / brute.cpu
        );
    }
    let index_qps = nq / best_index.wall;
    let brute_qps = ns / best_brute.wall;
    println!(
        "index, 1 thread {:.0} queries/s ({:.1} µs each; {:.0} per CPU second)",
        index_qps,
        1e6 / index_qps,
        nq / best_index.cpu
    );
    println!(
        "brute, 1 thread {:.2} queries/s ({:.1} ms each; {:.2} per CPU second; {} queries)",
        brute_qps,
        1e3 / brute_qps,
        ns / best_brute.cpu,
        sample.len()
    );
    println!(
        "speed-up        {:.0}x (CPU time: {:.0}x)",
        index_qps / brute_qps,
        (nq / best_index.cpu) / (ns / best_brute.cpu)
    );
    println!("identical       {same}/{compared} sampled queries ({sample_hits} hits)");

    // All threads sharing one index.
    let t = Instant::now();
    let per = queries.len().div_ceil(o.threads).max(1);
    std::thread::scope(|s| {
        for part in queries.chunks(per) {
            let index = &index;
            s.spawn(move || {
                let mut out = Vec::new();
                for q in part {
                    index.query(q, d, mq, &mut out);
                }
            });
        }
    });
    let par_qps = nq / t.elapsed().as_secs_f64();
    println!("index, {} threads {:.0} queries/s", o.threads, par_qps);
    println!("query memory    {}", memory());
    println!(
        "RESULT open_us={:.1} probes={:.0} scanned={:.0} verified={:.2} hits={:.2} index_qps={:.0} index_cpu_qps={:.0} brute_qps={:.2} brute_cpu_qps={:.2} speedup={:.0} speedup_cpu={:.0} identical={same}/{compared} sample_hits={sample_hits} threads={} threads_qps={:.0} query_hwm_mib={}",
        open.as_secs_f64() * 1e6,
        stats.probes as f64 / nq,
        stats.scanned as f64 / nq,
        stats.verified as f64 / nq,
        hits as f64 / nq,
        index_qps,
        nq / best_index.cpu,
        brute_qps,
        ns / best_brute.cpu,
        index_qps / brute_qps,
        (nq / best_index.cpu) / (ns / best_brute.cpu),
        o.threads,
        par_qps,
        hwm_mib()
    );
    if same != compared {
        std::process::exit(1);
    }
}

fn main() {
    let (mode, path, o) = parse_args();
    match mode.as_str() {
        "build" => build(&path, &o),
        "query" => query(&path, &o),
        _ => usage(),
    }
}
