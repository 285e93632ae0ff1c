//! Benchmark of the triage clustering and near-known search against brute
//! force, on synthetic PDQ hashes with planted series (see
//! `bench/triage.sh`, which builds and runs this in release).
//!
//! `triage_bench [--n 100000] [--subset 5000] [--known 10000] [--rounds 3]`
//!
//! Prints `RESULT` lines; exits 1 when the fast paths and brute force ever
//! disagree, or when a planted series is not found whole.

#[path = "../tests/synthetic/mod.rs"]
mod synthetic;

use std::process::ExitCode;
use std::time::Instant;

use spoor_triage::{
    ClusterSettings, NearKnownSettings, Unknown, cluster, cluster_exhaustive, near_known,
    near_known_exhaustive,
};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Best wall time of `rounds` runs of `f`, and its last result.
fn best<T>(rounds: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best, out.expect("at least one round"))
}

fn main() -> ExitCode {
    let n = arg("--n", 100_000);
    let subset = arg("--subset", 5_000).min(n);
    let known_n = arg("--known", 10_000);
    let rounds = arg("--rounds", 3);
    let threads = rayon::current_num_threads();
    let mut ok = true;

    let set = synthetic::planted(n, n / 20, n / 200, 200, 0x5EED_7A1A);
    let s = ClusterSettings::default();
    eprintln!(
        "{n} hashes, {} planted series, {threads} threads",
        set.stars.len()
    );

    // 1. The whole set, all threads and one.
    let (secs, c) = best(rounds, || cluster(&set.items, &s));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let (secs1, _) = pool.install(|| best(rounds, || cluster(&set.items, &s)));
    let pairs = n as f64 * (n as f64 - 1.0) / 2.0;
    println!(
        "RESULT cluster n={n} threads={threads} seconds={secs:.3} seconds_1_thread={secs1:.3} clusters={} series={} compared={} compared_fraction={:.5}",
        c.clusters.len(),
        c.series().count(),
        c.compared,
        c.compared as f64 / pairs
    );
    // Every planted series comes out whole and alone.
    let by_file = c.by_file();
    let mut broken = 0;
    for star in &set.stars {
        let id = by_file[&star[0]];
        let members = &c.clusters[id as usize - 1].members;
        let mut want = star.clone();
        want.sort_unstable();
        if *members != want {
            broken += 1;
        }
    }
    println!(
        "RESULT planted series={} found_whole={}",
        set.stars.len(),
        set.stars.len() - broken
    );
    ok &= broken == 0;

    // 2. Brute force on a subset: the same components exactly.
    let sub: Vec<Unknown> = set.items[..subset].to_vec();
    let (brute_secs, brute) = best(1, || cluster_exhaustive(&sub, &s));
    let (fast_secs, fast) = best(rounds, || cluster(&sub, &s));
    let identical = brute.clusters == fast.clusters;
    // Brute force grows with the pairs: n^2 / 2.
    let scale = (n as f64 / subset.max(1) as f64).powi(2);
    println!(
        "RESULT brute_force n={subset} brute_seconds={brute_secs:.3} index_seconds={fast_secs:.4} speedup={:.0} brute_seconds_at_n={:.1} speedup_at_n={:.0} brute_compared={} index_compared={} series={} identical={}",
        brute_secs / fast_secs.max(1e-9),
        brute_secs * scale,
        brute_secs * scale / secs.max(1e-9),
        brute.compared,
        fast.compared,
        fast.series().count(),
        if identical { "yes" } else { "NO" }
    );
    ok &= identical;

    // 3. Near-known: every picture against a known list.
    let (known, near) = synthetic::near_set(known_n, known_n / 5, 1_000_000_000, 0x0C0F_FEE5);
    let mut unknown = set.items.clone();
    unknown.extend(near.iter().copied());
    let ns = NearKnownSettings::default();
    let (near_secs, listed) = best(rounds, || near_known(&unknown, &known, &ns));
    println!(
        "RESULT near_known unknown={} known={known_n} max_distance={} seconds={near_secs:.3} listed={}",
        unknown.len(),
        ns.max_distance,
        listed.len()
    );
    let check: Vec<Unknown> = unknown[..subset]
        .iter()
        .chain(near.iter())
        .copied()
        .collect();
    let (nb_secs, nb) = best(1, || near_known_exhaustive(&check, &known, &ns));
    let (nf_secs, nf) = best(rounds, || near_known(&check, &known, &ns));
    let same = nb == nf;
    println!(
        "RESULT near_known_brute_force unknown={} known={known_n} brute_seconds={nb_secs:.3} index_seconds={nf_secs:.4} listed={} identical={}",
        check.len(),
        nf.len(),
        if same { "yes" } else { "NO" }
    );
    ok &= same;
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
