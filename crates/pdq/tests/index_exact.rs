//! The index returns exactly what brute force returns: random base sets
//! plus neighbours planted at every distance from 0 to 32 around each
//! query, for several layouts, distances and quality thresholds.
//!
//! Deterministic (seeded SplitMix64), no wall-clock limits.

use std::collections::BTreeMap;

use spoor_pdq::index::{IndexBuilder, Layout, PdqEntry, PdqIndex, QueryPlan};
use spoor_pdq::{Dihedral, DihedralHashes, PdqHash};

struct Rng(u64);

impl Rng {
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
        for c in h.chunks_mut(8) {
            c.copy_from_slice(&self.next().to_le_bytes());
        }
        PdqHash(h)
    }
    fn quality(&mut self) -> u8 {
        self.below(101) as u8
    }
}

/// `h` with exactly `k` distinct random bits flipped.
fn flip(h: &PdqHash, k: u32, rng: &mut Rng) -> PdqHash {
    let mut out = *h;
    let mut done = 0;
    while done < k {
        let b = rng.below(256) as usize;
        let mut probe = out;
        probe.0[b / 8] ^= 1 << (b % 8);
        if probe.hamming(h) > out.hamming(h) {
            out = probe;
            done += 1;
        }
    }
    assert_eq!(out.hamming(h), k);
    out
}

/// The answer from the entries as pushed, independent of the file.
fn reference(entries: &[PdqEntry], q: &PdqHash, d: u32, min_q: u8) -> Vec<(u32, u32)> {
    let mut v: Vec<(u32, u32)> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.quality >= min_q)
        .map(|(i, e)| (i as u32, e.hash.hamming(q)))
        .filter(|&(_, dist)| dist <= d)
        .collect();
    v.sort_by_key(|&(id, dist)| (dist, id));
    v
}

struct Case {
    entries: Vec<PdqEntry>,
    queries: Vec<PdqHash>,
}

/// `base` random entries, then for each of `queries` random queries one
/// neighbour at every distance 0..=32 (and a second copy of some, so ids
/// with equal hashes occur), all shuffled into the set.
fn case(seed: u64, base: usize, queries: usize) -> Case {
    let mut rng = Rng(seed);
    let mut entries: Vec<PdqEntry> = (0..base)
        .map(|_| PdqEntry {
            hash: rng.hash(),
            quality: rng.quality(),
        })
        .collect();
    let queries: Vec<PdqHash> = (0..queries).map(|_| rng.hash()).collect();
    for q in &queries {
        for k in 0..=32 {
            let hash = flip(q, k, &mut rng);
            entries.push(PdqEntry {
                hash,
                quality: rng.quality(),
            });
            if rng.below(8) == 0 {
                entries.push(PdqEntry {
                    hash,
                    quality: rng.quality(),
                });
            }
        }
    }
    // Fisher-Yates, so planted neighbours get scattered ids.
    for i in (1..entries.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        entries.swap(i, j);
    }
    Case { entries, queries }
}

fn build(dir: &std::path::Path, name: &str, layout: Layout, entries: &[PdqEntry]) -> PdqIndex {
    let path = dir.join(name);
    let mut b = IndexBuilder::with_layout(layout);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(b.push(*e), i as u32);
    }
    b.build(&path).expect("build");
    let index = PdqIndex::open(&path).expect("open");
    index.verify().expect("verify");
    index
}

const DISTANCES: [u32; 6] = [0, 1, 8, 16, 31, 32];
const QUALITIES: [u8; 4] = [0, 50, 51, 100];

fn check_exact(index: &PdqIndex, c: &Case, extra_queries: &[PdqHash]) {
    let (mut got, mut scan, mut via_plan) = (Vec::new(), Vec::new(), Vec::new());
    let mut planted_hits = 0usize;
    for q in c.queries.iter().chain(extra_queries) {
        for d in DISTANCES {
            for mq in QUALITIES {
                let want = reference(&c.entries, q, d, mq);
                index.query_tables(q, d, mq, &mut got);
                index.brute_force(q, d, mq, &mut scan);
                index.query(q, d, mq, &mut via_plan);
                let layout = index.layout();
                let ctx = format!("layout {layout:?}, d {d}, min quality {mq}, query {q}");
                assert_eq!(scan, want, "brute force, {ctx}");
                assert_eq!(got, want, "tables, {ctx}");
                assert_eq!(via_plan, want, "query, {ctx}");
                planted_hits += want.len();
            }
        }
    }
    assert!(planted_hits > 0);
}

#[test]
fn tables_equal_brute_force_for_planted_neighbours() {
    let dir = tempfile::tempdir().expect("temp dir");
    let layouts = [
        Layout::DEFAULT,
        Layout::new(32, 8).expect("32x8"),
        Layout::new(20, 12).expect("20x12"),
        Layout::new(11, 19).expect("11x19, 47 bits not in any chunk"),
        Layout::new(7, 5).expect("7x5, most bits not in any chunk"),
    ];
    for (i, layout) in layouts.into_iter().enumerate() {
        for seed in 0..3u64 {
            let c = case(1000 * i as u64 + seed, 5_000, 12);
            let index = build(
                dir.path(),
                &format!("{i}-{seed}.pdqidx"),
                layout,
                &c.entries,
            );
            // Queries with no planted neighbours as well.
            let mut rng = Rng(seed ^ 0xabcdef);
            let misses: Vec<PdqHash> = (0..4).map(|_| rng.hash()).collect();
            check_exact(&index, &c, &misses);
        }
    }
}

/// Every planted distance, one query at a time, with the distance equal to
/// the planted one and one less (the boundary cases).
#[test]
fn boundary_distances_0_to_32() {
    let dir = tempfile::tempdir().expect("temp dir");
    let c = case(77, 2_000, 6);
    let index = build(dir.path(), "b.pdqidx", Layout::DEFAULT, &c.entries);
    let mut got = Vec::new();
    for q in &c.queries {
        for d in 0..=33u32 {
            for mq in [0u8, 50] {
                index.query_tables(q, d, mq, &mut got);
                assert_eq!(got, reference(&c.entries, q, d, mq), "d {d} mq {mq}");
            }
        }
    }
}

/// Large distances: the plan falls back to a scan, the tables stay exact.
#[test]
fn large_distances_stay_exact() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut c = case(5, 300, 2);
    // The farthest hashes: every bit flipped (distance 256), and all but one.
    for q in c.queries.clone() {
        let mut far = q;
        far.0.iter_mut().for_each(|b| *b = !*b);
        c.entries.push(PdqEntry {
            hash: far,
            quality: 60,
        });
        far.0[7] ^= 0x10;
        c.entries.push(PdqEntry {
            hash: far,
            quality: 60,
        });
    }
    let index = build(
        dir.path(),
        "l.pdqidx",
        Layout::new(32, 8).expect("layout"),
        &c.entries,
    );
    let mut got = Vec::new();
    for q in &c.queries {
        for d in [0u32, 31, 40, 64, 100, 128, 200, 254, 255, 256, 1000] {
            index.query_tables(q, d, 0, &mut got);
            assert_eq!(got, reference(&c.entries, q, d, 0), "tables d {d}");
            index.query(q, d, 0, &mut got);
            assert_eq!(got, reference(&c.entries, q, d, 0), "query d {d}");
        }
    }
    assert_eq!(index.plan(256), QueryPlan::Scan);
}

#[test]
fn plan_uses_tables_for_large_indexes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let c = case(9, 200_000, 1);
    let index = build(dir.path(), "p.pdqidx", Layout::DEFAULT, &c.entries);
    assert!(matches!(
        index.plan(31),
        QueryPlan::Tables { probes: 272, .. }
    ));
    assert!(matches!(
        index.plan(32),
        QueryPlan::Tables { probes: 392, .. }
    ));
    let mut got = Vec::new();
    let s = index.query(&c.queries[0], 31, 0, &mut got);
    assert_eq!(got, reference(&c.entries, &c.queries[0], 31, 0));
    // 272 buckets of about 3 entries each, not 200,000 comparisons.
    assert_eq!(s.probes, 272);
    assert!(s.scanned < 5_000, "{s:?}");
    assert!(s.verified < 100, "{s:?}");
}

fn dihedral_of(rng: &mut Rng, original: PdqHash) -> DihedralHashes {
    DihedralHashes {
        quality: 100,
        original,
        rotate90: rng.hash(),
        rotate180: rng.hash(),
        rotate270: rng.hash(),
        flip_x: rng.hash(),
        flip_y: rng.hash(),
        flip_plus1: rng.hash(),
        flip_minus1: rng.hash(),
    }
}

#[test]
fn dihedral_query_keeps_the_best_variant_per_entry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rng = Rng(42);
    let c = case(43, 3_000, 4);
    let mut entries = c.entries.clone();
    // Entries near two variants at once: the nearer one must win.
    let v = dihedral_of(&mut rng, c.queries[0]);
    let near_rot = flip(&v.rotate90, 3, &mut rng);
    entries.push(PdqEntry {
        hash: near_rot,
        quality: 90,
    });
    let index = build(dir.path(), "d.pdqidx", Layout::DEFAULT, &entries);
    for (i, q) in c.queries.iter().enumerate() {
        // The first query's rotation is the one planted near an entry.
        let variants = if i == 0 { v } else { dihedral_of(&mut rng, *q) };
        for d in [0u32, 16, 31, 32] {
            let got = index.query_dihedral(&variants, d, 50);
            // Reference: best (distance, variant order) per id.
            let mut best: BTreeMap<u32, (u32, usize)> = BTreeMap::new();
            for (rank, (_, h)) in variants.iter().enumerate() {
                for (id, dist) in reference(&entries, &h, d, 50) {
                    let e = best.entry(id).or_insert((dist, rank));
                    if (dist, rank) < *e {
                        *e = (dist, rank);
                    }
                }
            }
            let mut want: Vec<(u32, u32, Dihedral)> = best
                .into_iter()
                .map(|(id, (dist, rank))| (id, dist, Dihedral::ALL[rank]))
                .collect();
            want.sort_by_key(|&(id, dist, _)| (dist, id));
            let got: Vec<(u32, u32, Dihedral)> =
                got.iter().map(|m| (m.id, m.distance, m.variant)).collect();
            assert_eq!(got, want, "d {d}");
        }
    }
    // The planted rotation is found through its variant.
    let hits = index.query_dihedral(&v, 31, 50);
    let last = entries.len() as u32 - 1;
    let hit = hits
        .iter()
        .find(|m| m.id == last)
        .expect("planted rotation");
    assert_eq!((hit.distance, hit.variant), (3, Dihedral::Rotate90));
}

#[test]
fn index_is_shared_between_threads() {
    fn assert_sync<T: Send + Sync>() {}
    assert_sync::<PdqIndex>();
    let dir = tempfile::tempdir().expect("temp dir");
    let c = case(3, 4_000, 8);
    let index = build(dir.path(), "t.pdqidx", Layout::DEFAULT, &c.entries);
    std::thread::scope(|s| {
        for part in c.queries.chunks(2) {
            let (index, entries) = (&index, &c.entries);
            s.spawn(move || {
                let mut got = Vec::new();
                for q in part {
                    index.query_tables(q, 31, 50, &mut got);
                    assert_eq!(got, reference(entries, q, 31, 50));
                }
            });
        }
    });
}
