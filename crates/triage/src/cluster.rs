//! Series of unknown pictures: connected components of "PDQ distance at
//! most `max_distance`, both of quality at least `min_quality`".

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use spoor_pdq::PdqHash;

use crate::mih::{self, Words, distance, words};

/// One unknown picture: the case's file id, its PDQ hash and quality.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Unknown {
    pub id: i64,
    pub pdq: PdqHash,
    pub quality: u32,
}

impl From<(i64, PdqHash, u32)> for Unknown {
    fn from((id, pdq, quality): (i64, PdqHash, u32)) -> Unknown {
        Unknown { id, pdq, quality }
    }
}

/// How pictures are linked into series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClusterSettings {
    /// Largest PDQ distance that links two pictures (default 31, the
    /// distance PDQ's authors give for "same picture" at a low false-match
    /// rate, and the default of the near-match stage).
    pub max_distance: u32,
    /// Pictures under this PDQ quality are never linked: they stay alone
    /// (default 50, as the reference's matching tools). Flat or tiny
    /// pictures get low quality and hashes that match by chance.
    pub min_quality: u32,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        ClusterSettings {
            max_distance: 31,
            min_quality: 50,
        }
    }
}

/// A series: pictures linked through chains of near-duplicates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    /// 1-based, in the output order (largest first).
    pub id: u32,
    /// The member to show for the series: the highest PDQ quality, then the
    /// lowest file id.
    pub representative: i64,
    /// File ids, ascending.
    pub members: Vec<i64>,
}

/// Every input picture in exactly one cluster (a picture with no
/// neighbour, or of low quality, is a cluster of one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clustering {
    /// Largest first, then by lowest member id.
    pub clusters: Vec<Cluster>,
    /// Full distance computations made (for benchmarks).
    pub compared: u64,
}

impl Clustering {
    /// The cluster holding file `id`.
    pub fn cluster_of(&self, id: i64) -> Option<&Cluster> {
        self.clusters
            .iter()
            .find(|c| c.members.binary_search(&id).is_ok())
    }

    /// Clusters of two or more pictures.
    pub fn series(&self) -> impl Iterator<Item = &Cluster> {
        self.clusters.iter().filter(|c| c.members.len() > 1)
    }

    /// File id → cluster id, for every input picture.
    pub fn by_file(&self) -> HashMap<i64, u32> {
        self.clusters
            .iter()
            .flat_map(|c| c.members.iter().map(move |&m| (m, c.id)))
            .collect()
    }
}

/// Groups `items` into series.
///
/// How: pictures under `min_quality` are set aside as clusters of one.
/// Identical hashes are joined first (one entry per distinct hash, so a
/// thousand copies cost one). The distinct hashes are joined with
/// themselves by multi-index hashing (16 chunks of 16 bits, see `mih.rs`):
/// the pairs sharing a chunk within `floor(max_distance / 16)` bits are
/// checked in full, and every pair within `max_distance` is joined in a
/// union-find. The 16 chunks run on rayon; the result does not depend on
/// the thread count or the input order (connected components are unique),
/// only on the ids given.
///
/// Cost: about `16 x masks x n^2 / 2^17` distance checks for random hashes
/// (`masks` = 17 at distance 31: 0.4 % of all pairs), plus the pairs
/// inside each series, read in memory order; for `max_distance` of 64 or
/// more every pair is compared.
pub fn cluster(items: &[Unknown], settings: &ClusterSettings) -> Clustering {
    let n = items.len();
    let mut uf = UnionFind::new(n);
    // Distinct hashes of the linkable pictures.
    let mut linkable: Vec<usize> = (0..n)
        .filter(|&i| items[i].quality >= settings.min_quality)
        .collect();
    linkable.sort_by(|&a, &b| items[a].pdq.cmp(&items[b].pdq));
    let mut distinct: Vec<usize> = Vec::new();
    for &i in &linkable {
        match distinct.last() {
            Some(&d) if items[d].pdq == items[i].pdq => uf.union(d, i),
            _ => distinct.push(i),
        }
    }
    let hashes: Vec<PdqHash> = distinct.iter().map(|&i| items[i].pdq).collect();
    let (edges, compared) = near_pairs(&hashes, settings.max_distance);
    for (a, b) in edges {
        uf.union(distinct[a as usize], distinct[b as usize]);
    }
    Clustering {
        clusters: components(items, &mut uf),
        compared,
    }
}

/// The same clusters by comparing every pair: `O(n^2)`, for tests and
/// benchmarks (the reference the fast path must equal).
pub fn cluster_exhaustive(items: &[Unknown], settings: &ClusterSettings) -> Clustering {
    let n = items.len();
    let mut uf = UnionFind::new(n);
    let mut compared = 0;
    for i in 0..n {
        if items[i].quality < settings.min_quality {
            continue;
        }
        for j in i + 1..n {
            if items[j].quality < settings.min_quality {
                continue;
            }
            compared += 1;
            if items[i].pdq.hamming(&items[j].pdq) <= settings.max_distance {
                uf.union(i, j);
            }
        }
    }
    Clustering {
        clusters: components(items, &mut uf),
        compared,
    }
}

/// Pairs `(i, j)`, `i < j`, of `hashes` within `max_distance`, and the
/// number of full comparisons made.
fn near_pairs(hashes: &[PdqHash], max_distance: u32) -> (Vec<(u32, u32)>, u64) {
    let n = hashes.len();
    if n < 2 {
        return (Vec::new(), 0);
    }
    let words: Vec<Words> = hashes.iter().map(words).collect();
    if mih::radius(max_distance) > mih::MAX_RADIUS {
        // Flipping would cost more than comparing everything.
        let found: Vec<(Vec<(u32, u32)>, u64)> = (0..n)
            .into_par_iter()
            .map(|i| {
                let mut out = Vec::new();
                for j in i + 1..n {
                    if distance(&words[i], &words[j]) <= max_distance {
                        out.push((i as u32, j as u32));
                    }
                }
                (out, (n - i - 1) as u64)
            })
            .collect();
        return merge(found);
    }
    let joined = mih::join(&words, None, max_distance);
    (
        joined.pairs.into_iter().map(|(i, j, _)| (i, j)).collect(),
        joined.compared,
    )
}

fn merge(parts: Vec<(Vec<(u32, u32)>, u64)>) -> (Vec<(u32, u32)>, u64) {
    let compared = parts.iter().map(|p| p.1).sum();
    let edges = parts.into_iter().flat_map(|p| p.0).collect();
    (edges, compared)
}

/// The clusters of a union-find over `items`, ordered and numbered.
fn components(items: &[Unknown], uf: &mut UnionFind) -> Vec<Cluster> {
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..items.len() {
        groups.entry(uf.find(i)).or_default().push(i);
    }
    let mut clusters: Vec<Cluster> = groups
        .into_values()
        .map(|members| {
            let rep = members
                .iter()
                .copied()
                .max_by(|&a, &b| {
                    items[a]
                        .quality
                        .cmp(&items[b].quality)
                        .then(items[b].id.cmp(&items[a].id))
                })
                .map(|i| items[i].id)
                .unwrap_or_default();
            let mut ids: Vec<i64> = members.iter().map(|&i| items[i].id).collect();
            ids.sort_unstable();
            Cluster {
                id: 0,
                representative: rep,
                members: ids,
            }
        })
        .collect();
    clusters.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then(a.members[0].cmp(&b.members[0]))
    });
    for (k, c) in clusters.iter_mut().enumerate() {
        c.id = k as u32 + 1;
    }
    clusters
}

/// Union-find with path halving and union by size.
struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] as usize != x {
            let p = self.parent[x] as usize;
            self.parent[x] = self.parent[p];
            x = self.parent[x] as usize;
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a as u32;
        self.size[a] += self.size[b];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(fill: u8) -> PdqHash {
        PdqHash([fill; 32])
    }

    /// `base` with bits `bits` flipped.
    fn flip(base: PdqHash, bits: &[usize]) -> PdqHash {
        let mut out = base;
        for &k in bits {
            out.0[k / 8] ^= 1 << (k % 8);
        }
        out
    }

    #[test]
    fn representative_is_highest_quality_then_lowest_id() {
        let a = h(0x55);
        let items = [
            Unknown {
                id: 9,
                pdq: a,
                quality: 90,
            },
            Unknown {
                id: 4,
                pdq: flip(a, &[1, 2]),
                quality: 100,
            },
            Unknown {
                id: 2,
                pdq: flip(a, &[3]),
                quality: 100,
            },
            Unknown {
                id: 7,
                pdq: flip(a, &[200]),
                quality: 60,
            },
        ];
        let c = cluster(&items, &ClusterSettings::default());
        assert_eq!(c.clusters.len(), 1);
        assert_eq!(c.clusters[0].representative, 2);
        assert_eq!(c.clusters[0].members, vec![2, 4, 7, 9]);
    }

    #[test]
    fn low_quality_stays_alone_even_when_identical() {
        let a = h(0x0F);
        let items = [
            Unknown {
                id: 1,
                pdq: a,
                quality: 49,
            },
            Unknown {
                id: 2,
                pdq: a,
                quality: 49,
            },
            Unknown {
                id: 3,
                pdq: a,
                quality: 50,
            },
            Unknown {
                id: 4,
                pdq: a,
                quality: 80,
            },
        ];
        let c = cluster(&items, &ClusterSettings::default());
        let sizes: Vec<usize> = c.clusters.iter().map(|c| c.members.len()).collect();
        assert_eq!(sizes, vec![2, 1, 1]);
        assert_eq!(c.clusters[0].members, vec![3, 4]);
        assert_eq!(
            c.clusters,
            cluster_exhaustive(&items, &ClusterSettings::default()).clusters
        );
    }

    /// The pigeonhole bound at its edge: 31 bits spread so that 15 chunks
    /// differ by 2 and one by 1 must link; 32 bits, 2 in every chunk, must
    /// not (and is not reached by a radius-1 search anyway).
    #[test]
    fn boundary_distances_spread_over_every_chunk() {
        let a = h(0xA5);
        let mut bits31 = Vec::new();
        for c in 0..16 {
            bits31.push(c * 16);
            if c != 7 {
                bits31.push(c * 16 + 9);
            }
        }
        let bits32: Vec<usize> = (0..16).flat_map(|c| [c * 16 + 2, c * 16 + 11]).collect();
        let b = flip(a, &bits31);
        let c = flip(a, &bits32);
        assert_eq!(a.hamming(&b), 31);
        assert_eq!(a.hamming(&c), 32);
        assert!(b.hamming(&c) > 31);
        let items = [
            Unknown {
                id: 1,
                pdq: a,
                quality: 100,
            },
            Unknown {
                id: 2,
                pdq: b,
                quality: 100,
            },
            Unknown {
                id: 3,
                pdq: c,
                quality: 100,
            },
        ];
        let s = ClusterSettings::default();
        let got = cluster(&items, &s);
        assert_eq!(got.clusters[0].members, vec![1, 2]);
        assert_eq!(got.clusters[1].members, vec![3]);
        assert_eq!(got.clusters, cluster_exhaustive(&items, &s).clusters);
        // At 32, the search radius grows to 2 and finds it.
        let wide = ClusterSettings {
            max_distance: 32,
            ..s
        };
        assert_eq!(cluster(&items, &wide).clusters[0].members, vec![1, 2, 3]);
    }

    #[test]
    fn chains_link_transitively() {
        // a - b - c each 20 apart, a to c 40: one series.
        let a = h(0x33);
        let b = flip(a, &(0..20).map(|k| k * 12).collect::<Vec<_>>());
        let c = flip(b, &(0..20).map(|k| k * 12 + 5).collect::<Vec<_>>());
        assert_eq!(a.hamming(&c), 40);
        let items = [
            Unknown {
                id: 10,
                pdq: a,
                quality: 70,
            },
            Unknown {
                id: 20,
                pdq: c,
                quality: 70,
            },
            Unknown {
                id: 30,
                pdq: b,
                quality: 70,
            },
        ];
        let got = cluster(&items, &ClusterSettings::default());
        assert_eq!(got.clusters.len(), 1);
        assert_eq!(got.clusters[0].members, vec![10, 20, 30]);
        assert_eq!(got.cluster_of(20).map(|c| c.id), Some(1));
        assert_eq!(got.series().count(), 1);
    }

    #[test]
    fn wide_distances_fall_back_to_comparing_everything() {
        let a = h(0x00);
        let b = flip(a, &(0..70).collect::<Vec<_>>());
        let items = [
            Unknown {
                id: 1,
                pdq: a,
                quality: 99,
            },
            Unknown {
                id: 2,
                pdq: b,
                quality: 99,
            },
        ];
        let s = ClusterSettings {
            max_distance: 70,
            min_quality: 50,
        };
        assert_eq!(cluster(&items, &s).clusters.len(), 1);
        assert_eq!(cluster(&items, &s).compared, 1);
        assert!(cluster(&[], &s).clusters.is_empty());
    }
}
