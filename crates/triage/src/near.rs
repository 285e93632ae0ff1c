//! Unknown pictures that resemble known material from further away than a
//! match: candidates for an examiner to look at (a new picture of a known
//! series, a heavier edit, a crop).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use spoor_pdq::PdqHash;

use crate::cluster::Unknown;
use crate::mih::{self, Words, distance, words};

/// One known fingerprint: a hit's file PDQ or a PDQ entry of a hash set.
/// `id` is the caller's (a file id, a set record number).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    pub id: i64,
    pub pdq: PdqHash,
    /// When known; entries under the minimum quality are not used.
    pub quality: Option<u32>,
}

impl From<(i64, PdqHash)> for Known {
    fn from((id, pdq): (i64, PdqHash)) -> Known {
        Known {
            id,
            pdq,
            quality: None,
        }
    }
}

/// The range of distances that makes an unknown picture a near-known
/// candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NearKnownSettings {
    /// An unknown whose nearest known entry is closer than this is not
    /// listed (default 0: list everything up to `max_distance`; set it to
    /// the match threshold + 1, e.g. 32, when the scan already reports PDQ
    /// matches as hits).
    pub min_distance: u32,
    /// Largest distance listed (default 40: wider than the match threshold
    /// of 31, where unrelated pictures are still rare: two random PDQ
    /// hashes are about 128 bits apart, and PDQ's authors measured false
    /// matches at a few per million pairs at 31 to 40 on photographs).
    pub max_distance: u32,
    /// Unknown and known pictures under this PDQ quality are skipped
    /// (default 50).
    pub min_quality: u32,
}

impl Default for NearKnownSettings {
    fn default() -> Self {
        NearKnownSettings {
            min_distance: 0,
            max_distance: 40,
            min_quality: 50,
        }
    }
}

/// An unknown picture near known material.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NearKnown {
    pub unknown_id: i64,
    /// The nearest known entry (the lowest id among equally near ones).
    pub known_id: i64,
    pub distance: u32,
    /// Known entries within `max_distance` of this picture, the nearest
    /// included.
    pub within: u32,
}

/// Lists each unknown picture whose nearest known entry lies between
/// `min_distance` and `max_distance`, nearest first (then by unknown id).
///
/// Unknown and known hashes are joined by multi-index hashing (see
/// `mih.rs`): the pairs sharing a chunk within `floor(max_distance / 16)`
/// bits are checked in full. At 40 that is 137 masks a chunk, about 3 % of
/// random pairs, so this is for the known entries a case holds (its hits,
/// a PDQ list of thousands), not for a library of millions, which an
/// on-disk index answers.
///
/// A file with several fingerprints (the dihedral variants of a picture,
/// the frames of a video) can be passed as several [`Unknown`]s with the
/// same id: it is listed once, at its nearest.
pub fn near_known(
    unknown: &[Unknown],
    known: &[Known],
    settings: &NearKnownSettings,
) -> Vec<NearKnown> {
    let known: Vec<&Known> = known
        .iter()
        .filter(|k| k.quality.is_none_or(|q| q >= settings.min_quality))
        .collect();
    let hashes: Vec<PdqHash> = known.iter().map(|k| k.pdq).collect();
    let queries: Vec<&Unknown> = unknown
        .iter()
        .filter(|u| u.quality >= settings.min_quality)
        .collect();
    if hashes.is_empty() || queries.is_empty() {
        return Vec::new();
    }
    let max = settings.max_distance;
    let known_words: Vec<Words> = hashes.iter().map(words).collect();
    let query_words: Vec<Words> = queries.iter().map(|u| words(&u.pdq)).collect();
    let pairs: Vec<(u32, u32, u32)> = if mih::radius(max) <= mih::MAX_RADIUS {
        mih::join(&query_words, Some(&known_words), max).pairs
    } else {
        query_words
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, q)| {
                known_words
                    .iter()
                    .enumerate()
                    .map(move |(j, k)| (i as u32, j as u32, distance(q, k)))
                    .filter(move |p| p.2 <= max)
            })
            .collect()
    };
    // Per query: the nearest known entry and how many are within range.
    let mut per_query: Vec<Nearest> = queries.iter().map(|u| (u.id, None, 0)).collect();
    for (i, j, d) in pairs {
        let q = &mut per_query[i as usize];
        q.2 += 1;
        let cand = (d, known[j as usize].id);
        if q.1.is_none_or(|b| cand < b) {
            q.1 = Some(cand);
        }
    }
    listing(per_query, settings)
}

/// Per query: its id, the nearest `(distance, known id)` within range, and
/// how many known entries are within range.
type Nearest = (i64, Option<(u32, i64)>, u32);

/// One entry per unknown id, at its nearest, in range, ordered.
fn listing(per_query: Vec<Nearest>, settings: &NearKnownSettings) -> Vec<NearKnown> {
    let mut by_id: std::collections::BTreeMap<i64, (u32, i64, u32)> =
        std::collections::BTreeMap::new();
    for (id, best, within) in per_query {
        let Some((d, k)) = best else { continue };
        let e = by_id.entry(id).or_insert((d, k, within));
        if (d, k) < (e.0, e.1) {
            e.0 = d;
            e.1 = k;
        }
        e.2 = e.2.max(within);
    }
    let mut out: Vec<NearKnown> = by_id
        .into_iter()
        .filter(|(_, (d, _, _))| *d >= settings.min_distance)
        .map(|(unknown_id, (distance, known_id, within))| NearKnown {
            unknown_id,
            known_id,
            distance,
            within,
        })
        .collect();
    out.sort_by_key(|n| (n.distance, n.unknown_id));
    out
}

/// The same by comparing every pair (tests and benchmarks).
pub fn near_known_exhaustive(
    unknown: &[Unknown],
    known: &[Known],
    settings: &NearKnownSettings,
) -> Vec<NearKnown> {
    let known: Vec<&Known> = known
        .iter()
        .filter(|k| k.quality.is_none_or(|q| q >= settings.min_quality))
        .collect();
    let per_query = unknown
        .iter()
        .filter(|u| u.quality >= settings.min_quality)
        .map(|u| {
            let mut best: Option<(u32, i64)> = None;
            let mut within = 0;
            for k in &known {
                let d = u.pdq.hamming(&k.pdq);
                if d <= settings.max_distance {
                    within += 1;
                    if best.is_none_or(|b| (d, k.id) < b) {
                        best = Some((d, k.id));
                    }
                }
            }
            (u.id, best, within)
        })
        .collect();
    listing(per_query, settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flip(base: PdqHash, bits: impl IntoIterator<Item = usize>) -> PdqHash {
        let mut out = base;
        for k in bits {
            out.0[k / 8] ^= 1 << (k % 8);
        }
        out
    }

    #[test]
    fn nearest_in_range_with_counts() {
        let k1 = PdqHash([0x3C; 32]);
        let k2 = flip(k1, 0..6);
        let far = PdqHash([0xC3; 32]);
        let known = [
            Known {
                id: 100,
                pdq: k1,
                quality: Some(100),
            },
            Known {
                id: 101,
                pdq: k2,
                quality: None,
            },
            Known {
                id: 102,
                pdq: far,
                quality: Some(90),
            },
            // Low quality: never used.
            Known {
                id: 103,
                pdq: flip(k1, [200]),
                quality: Some(10),
            },
        ];
        let unknown = [
            // 36 from k1, 42 from k2 (6 more bits): nearest k1, one within 40.
            Unknown {
                id: 1,
                pdq: flip(k1, (0..36).map(|i| 255 - i * 7)),
                quality: 80,
            },
            // 5 from k1: nearer than the minimum of 32 below.
            Unknown {
                id: 2,
                pdq: flip(k1, 100..105),
                quality: 80,
            },
            // Equally near both k1 and k2? 3 from each: lowest id wins.
            Unknown {
                id: 3,
                pdq: flip(k1, 0..3),
                quality: 80,
            },
            // Low quality unknown: skipped.
            Unknown {
                id: 4,
                pdq: k1,
                quality: 20,
            },
            // Far from everything.
            Unknown {
                id: 5,
                pdq: PdqHash([0x0F; 32]),
                quality: 80,
            },
        ];
        let all = NearKnownSettings::default();
        let got = near_known(&unknown, &known, &all);
        assert_eq!(got, near_known_exhaustive(&unknown, &known, &all));
        let ids: Vec<(i64, i64, u32, u32)> = got
            .iter()
            .map(|n| (n.unknown_id, n.known_id, n.distance, n.within))
            .collect();
        assert_eq!(ids, vec![(3, 100, 3, 2), (2, 100, 5, 2), (1, 100, 36, 1)]);
        let beyond_match = NearKnownSettings {
            min_distance: 32,
            ..all
        };
        let got = near_known(&unknown, &known, &beyond_match);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].unknown_id, got[0].distance), (1, 36));
        assert!(near_known(&unknown, &[], &all).is_empty());
    }

    #[test]
    fn several_fingerprints_of_one_file_list_it_once_at_its_nearest() {
        let k = PdqHash([0x5A; 32]);
        let known = [Known {
            id: 7,
            pdq: k,
            quality: None,
        }];
        let unknown = [
            Unknown {
                id: 1,
                pdq: flip(k, (0..38).map(|i| i * 6)),
                quality: 90,
            },
            Unknown {
                id: 1,
                pdq: flip(k, (0..33).map(|i| i * 7)),
                quality: 90,
            },
        ];
        let got = near_known(&unknown, &known, &NearKnownSettings::default());
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].distance, 33);
    }

    #[test]
    fn very_wide_ranges_compare_everything() {
        let k = PdqHash([0x00; 32]);
        let known = [Known {
            id: 1,
            pdq: k,
            quality: None,
        }];
        let unknown = [Unknown {
            id: 9,
            pdq: flip(k, 0..70),
            quality: 90,
        }];
        let wide = NearKnownSettings {
            max_distance: 80,
            ..NearKnownSettings::default()
        };
        assert_eq!(near_known(&unknown, &known, &wide)[0].distance, 70);
    }
}
