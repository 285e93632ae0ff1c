//! Benchmark of the triage clustering and near-known search against brute
//! force, on synthetic PDQ hashes with planted series (see
//! `bench/triage.sh`, which builds and runs this in release).
//!
//! `triage_bench [--n 100000] [--subset 5000] [--known 10000] [--videos 1000]
//! [--frames 60] [--rounds 3]`
//!
//! Prints `RESULT` lines; exits 1 when the fast paths and brute force ever
//! disagree, or when a planted series is not found whole.

#[path = "../tests/synthetic/mod.rs"]
mod synthetic;

use std::process::ExitCode;
use std::time::Instant;

use spoor_triage::{
    CaseTriageInput, ClusterSettings, FileRecord, FrameRecord, Known, NearKnownSettings,
    TriageSettings, Unknown, cluster, cluster_exhaustive, near_known, near_known_exhaustive,
    triage,
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
    let videos = arg("--videos", 1_000);
    let frames_each = arg("--frames", 60);
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

    // 4. Pictures and video frames together: every tenth video shows a
    // planted series (its first scene within 10 bits of a member), the
    // others unrelated scenes; each video has 3 scenes of slowly changing
    // frames (0 to 6 bits from the scene).
    let mut rng = synthetic::Rng::new(0xF4A3_E500);
    let mut frames: Vec<Unknown> = Vec::new();
    let mut video_frames: Vec<Vec<FrameRecord>> = Vec::new();
    let mut planted_videos: Vec<(i64, i64)> = Vec::new();
    for v in 0..videos {
        let id = 2_000_000_000 + v as i64;
        let scenes: Vec<spoor_pdq::PdqHash> = (0..3)
            .map(|k| {
                if k == 0 && v % 10 == 0 && !set.stars.is_empty() {
                    let star = &set.stars[v / 10 % set.stars.len()];
                    let member = set.items.iter().find(|i| i.id == star[0]).map(|i| i.pdq).unwrap_or_default();
                    planted_videos.push((id, star[0]));
                    rng.flip(member, 10)
                } else {
                    rng.hash()
                }
            })
            .collect();
        let mut list = Vec::new();
        for f in 0..frames_each {
            let scene = scenes[f * 3 / frames_each.max(1)];
            let bits = rng.below(7) as usize;
            let pdq = rng.flip(scene, bits);
            frames.push(Unknown { id, pdq, quality: 90 });
            list.push(FrameRecord { frame_number: f as u64 * 30, timestamp: f as f64, pdq, quality: 90 });
        }
        video_frames.push(list);
    }
    let mut mixed = set.items.clone();
    mixed.extend(frames.iter().copied());
    let (mixed_secs, mc) = best(rounds, || cluster(&mixed, &s));
    let by_file = mc.by_file();
    let joined = planted_videos.iter().filter(|(v, m)| by_file.get(v) == by_file.get(m)).count();
    println!(
        "RESULT cluster_with_frames pictures={n} videos={videos} frames={} items={} seconds={mixed_secs:.3} clusters={} series={} linked={} planted_videos={} joined_their_series={joined}",
        frames.len(),
        mixed.len(),
        mc.clusters.len(),
        mc.series().count(),
        mc.linked.len(),
        planted_videos.len()
    );
    ok &= joined == planted_videos.len();
    // The same against brute force on the subset and the first videos.
    let sub_videos = (videos / 20).max(1).min(videos);
    let mut check: Vec<Unknown> = set.items[..subset].to_vec();
    check.extend(frames.iter().filter(|f| f.id < 2_000_000_000 + sub_videos as i64).copied());
    let (fb_secs, fb) = best(1, || cluster_exhaustive(&check, &s));
    let ff = cluster(&check, &s);
    let same = fb.clusters == ff.clusters && fb.linked == ff.linked;
    println!(
        "RESULT cluster_with_frames_brute_force items={} brute_seconds={fb_secs:.3} identical={}",
        check.len(),
        if same { "yes" } else { "NO" }
    );
    ok &= same;

    // 5. The whole triage of such a case (clustering, near-known against
    // 10,000 known hashes as stored and transposed, priority), as
    // `spoor triage` runs it after reading the case.
    let mut files: Vec<FileRecord> = set
        .items
        .iter()
        .map(|i| FileRecord {
            file_id: i.id,
            evidence_id: "E1".into(),
            path: String::new(),
            pdq: Some(i.pdq),
            pdq_quality: Some(i.quality),
            known_good: false,
            hits: Vec::new(),
            metadata: None,
            camera_original: false,
            frames: Vec::new(),
            variants: Vec::new(),
        })
        .collect();
    for (v, list) in video_frames.into_iter().enumerate() {
        files.push(FileRecord {
            file_id: 2_000_000_000 + v as i64,
            evidence_id: "E2".into(),
            path: String::new(),
            pdq: None,
            pdq_quality: None,
            known_good: false,
            hits: Vec::new(),
            metadata: None,
            camera_original: false,
            frames: list,
            variants: Vec::new(),
        });
    }
    let extra_known: Vec<Known> = known.iter().map(|k| Known { id: -k.id - 1, ..*k }).collect();
    let input = CaseTriageInput {
        files,
        references: Default::default(),
        extra_known,
        settings: TriageSettings::default(),
    };
    let (triage_secs, t) = best(rounds, || triage(&input));
    println!(
        "RESULT triage pictures={n} videos={videos} frames={} known={known_n} near_max={} seconds={triage_secs:.3} series={} series_videos={} near_known={}",
        frames.len(),
        input.settings.near_known.max_distance,
        t.series.len(),
        t.series_videos.len(),
        t.near_known.len()
    );
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
