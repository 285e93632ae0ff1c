//! Synthetic PDQ hashes with planted series, shared by the tests and the
//! benchmark (`examples/triage_bench.rs` includes this file): random hashes
//! are about 128 bits apart, so only what is planted links.

#![allow(dead_code)]

use spoor_pdq::PdqHash;
use spoor_triage::{Known, Unknown};

/// xorshift64*: fixed sequence, no dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn hash(&mut self) -> PdqHash {
        let mut h = [0u8; 32];
        for chunk in h.chunks_mut(8) {
            chunk.copy_from_slice(&self.next().to_le_bytes());
        }
        PdqHash(h)
    }
    /// `base` with `k` distinct random bits flipped.
    pub fn flip(&mut self, base: PdqHash, k: usize) -> PdqHash {
        let mut out = base;
        let mut done = std::collections::HashSet::new();
        while done.len() < k {
            let bit = self.below(256) as usize;
            if done.insert(bit) {
                out.0[bit / 8] ^= 1 << (bit % 8);
            }
        }
        out
    }
}

/// A planted set.
#[derive(Debug, Clone)]
pub struct Planted {
    pub items: Vec<Unknown>,
    /// Stars: members at most `2 x 12 = 24` bits apart pairwise, every
    /// member of quality >= 50. Each must come out as exactly one cluster.
    pub stars: Vec<Vec<i64>>,
}

/// `n` pictures: `stars` planted stars of 2 to 12 members (every member
/// within 12 bits of the star's centre), `chains` planted chains (each
/// step 20 to 31 bits, the ends far apart), `edges` boundary pairs exactly
/// 31 and 32 bits apart with the bits spread over every chunk, some exact
/// duplicates, and the rest random singletons; about 5 % of the
/// non-star pictures have quality under 50. Ids are shuffled.
pub fn planted(n: usize, stars: usize, chains: usize, edges: usize, seed: u64) -> Planted {
    let mut rng = Rng::new(seed);
    let mut hashes: Vec<(PdqHash, u32, Option<usize>)> = Vec::with_capacity(n);
    let quality = |rng: &mut Rng| {
        if rng.below(20) == 0 {
            10 + rng.below(40) as u32
        } else {
            50 + rng.below(51) as u32
        }
    };
    for s in 0..stars {
        let centre = rng.hash();
        for _ in 0..2 + rng.below(11) {
            let k = rng.below(13) as usize;
            hashes.push((rng.flip(centre, k), 50 + rng.below(51) as u32, Some(s)));
        }
    }
    for _ in 0..chains {
        let mut h = rng.hash();
        for _ in 0..3 + rng.below(6) {
            hashes.push((h, quality(&mut rng), None));
            let k = 20 + rng.below(12) as usize;
            h = rng.flip(h, k);
        }
    }
    for _ in 0..edges {
        let a = rng.hash();
        // 31 bits: two in 15 chunks, one in the 16th; 32: two in every one.
        let odd = rng.below(16) as usize;
        let mut b = a;
        let mut c = a;
        for chunk in 0..16 {
            let picks = [rng.below(16) as usize, rng.below(16) as usize];
            let (p0, p1) = if picks[0] == picks[1] {
                (picks[0], (picks[0] + 1) % 16)
            } else {
                (picks[0], picks[1])
            };
            for (i, p) in [p0, p1].into_iter().enumerate() {
                let bit = chunk * 16 + p;
                if !(chunk == odd && i == 1) {
                    b.0[bit / 8] ^= 1 << (bit % 8);
                }
                c.0[bit / 8] ^= 1 << (bit % 8);
            }
        }
        hashes.push((a, 90, None));
        hashes.push((b, 90, None));
        let a2 = rng.hash();
        let c2 = {
            let mut x = a2;
            for i in 0..32 {
                let diff = c.0[i] ^ a.0[i];
                x.0[i] ^= diff;
            }
            x
        };
        hashes.push((a2, 90, None));
        hashes.push((c2, 90, None));
    }
    // Exact duplicates of a few pictures (copies on disk).
    let dups = (hashes.len() / 50).min(n.saturating_sub(hashes.len()));
    for i in 0..dups {
        let (h, q, s) = hashes[i * 7 % hashes.len().max(1)];
        hashes.push((h, q, s));
    }
    while hashes.len() < n {
        let h = rng.hash();
        hashes.push((h, quality(&mut rng), None));
    }
    hashes.truncate(n);
    // Shuffle (Fisher-Yates), then give ids in a shuffled, gappy order.
    for i in (1..hashes.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        hashes.swap(i, j);
    }
    let mut star_members: Vec<Vec<i64>> = vec![Vec::new(); stars];
    let items = hashes
        .iter()
        .enumerate()
        .map(|(i, &(pdq, quality, star))| {
            let id = 1000 + 3 * i as i64;
            if let Some(s) = star {
                star_members[s].push(id);
            }
            Unknown { id, pdq, quality }
        })
        .collect();
    star_members.retain(|m| m.len() > 1);
    Planted {
        items,
        stars: star_members,
    }
}

/// Known entries for near-known tests: `n` random hashes, and for the
/// first `near` of them an unknown picture `d` bits away, `d` cycling
/// through 20 to 50. Returns (known, those unknowns with ids from
/// `first_id`).
pub fn near_set(n: usize, near: usize, first_id: i64, seed: u64) -> (Vec<Known>, Vec<Unknown>) {
    let mut rng = Rng::new(seed);
    let known: Vec<Known> = (0..n)
        .map(|i| Known {
            id: i as i64,
            pdq: rng.hash(),
            quality: if i % 17 == 0 { Some(30) } else { Some(90) },
        })
        .collect();
    let unknown = (0..near.min(n))
        .map(|i| Unknown {
            id: first_id + i as i64,
            pdq: rng.flip(known[i].pdq, 20 + i % 31),
            quality: 80,
        })
        .collect();
    (known, unknown)
}
