//! The fast paths against brute force on planted sets: clustering must
//! equal the connected components of the all-pairs graph exactly, and the
//! near-known listing must equal the all-pairs listing exactly.

mod synthetic;

use spoor_triage::{
    ClusterSettings, NearKnownSettings, Unknown, cluster, cluster_exhaustive, near_known,
    near_known_exhaustive,
};
use synthetic::{near_set, planted};

#[test]
fn clustering_equals_brute_force_components() {
    let set = planted(2500, 130, 60, 40, 0x7157);
    let mut checked = 0;
    for max_distance in [10, 20, 31, 40, 47, 48] {
        for min_quality in [0, 50] {
            let s = ClusterSettings {
                max_distance,
                min_quality,
            };
            let fast = cluster(&set.items, &s);
            let slow = cluster_exhaustive(&set.items, &s);
            assert_eq!(
                fast.clusters, slow.clusters,
                "distance {max_distance}, quality {min_quality}"
            );
            // The index compares a fraction of the pairs: about
            // 16 x 17 / 65536 of random pairs at a search radius of 1 bit a
            // chunk, 16 x 137 / 65536 at 2, 16 x 697 / 65536 at 3.
            let bound = if max_distance < 48 {
                slow.compared / 10
            } else {
                slow.compared / 4
            };
            assert!(
                fast.compared < bound,
                "{max_distance}: {} vs {}",
                fast.compared,
                slow.compared
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 12);
    // The set is not trivial: series, chains longer than any one step,
    // low-quality pictures kept apart, and pairs at exactly 31 linked.
    let c = cluster(&set.items, &ClusterSettings::default());
    assert!(c.series().count() > 130, "{}", c.series().count());
    assert!(c.series().any(|s| s.members.len() >= 6));
    let by_file = c.by_file();
    let (mut at31, mut at32) = (0, 0);
    for (i, a) in set.items.iter().enumerate() {
        for b in &set.items[i + 1..] {
            if a.quality < 50 || b.quality < 50 {
                continue;
            }
            match a.pdq.hamming(&b.pdq) {
                31 => {
                    at31 += 1;
                    assert_eq!(by_file[&a.id], by_file[&b.id], "31 bits apart: linked");
                }
                32 => at32 += 1,
                _ => {}
            }
        }
    }
    assert!(at31 >= 30 && at32 >= 30, "{at31} pairs at 31, {at32} at 32");
    let low: Vec<&Unknown> = set.items.iter().filter(|u| u.quality < 50).collect();
    assert!(low.len() > 40, "{}", low.len());
    for u in low {
        assert_eq!(
            c.cluster_of(u.id).map(|c| c.members.len()),
            Some(1),
            "{} has low quality",
            u.id
        );
    }
}

#[test]
fn planted_stars_come_out_whole_and_alone() {
    let set = planted(5000, 300, 0, 0, 0xBEEF);
    let c = cluster(&set.items, &ClusterSettings::default());
    let by_file = c.by_file();
    for star in &set.stars {
        let id = by_file[&star[0]];
        let cl = &c.clusters[id as usize - 1];
        let mut want = star.clone();
        want.sort_unstable();
        assert_eq!(cl.members, want);
        // The representative has the highest quality, then the lowest id.
        let best = set
            .items
            .iter()
            .filter(|u| want.contains(&u.id))
            .max_by(|a, b| a.quality.cmp(&b.quality).then(b.id.cmp(&a.id)))
            .map(|u| u.id);
        assert_eq!(Some(cl.representative), best);
    }
    let in_stars: usize = set.stars.iter().map(Vec::len).sum();
    let series_members: usize = c.series().map(|s| s.members.len()).sum();
    // Duplicates of random singletons also form series of two.
    assert!(series_members >= in_stars);
}

#[test]
fn input_order_does_not_change_the_result() {
    let set = planted(2000, 100, 30, 10, 0x0DE5);
    let s = ClusterSettings::default();
    let a = cluster(&set.items, &s).clusters;
    let mut reversed = set.items.clone();
    reversed.reverse();
    assert_eq!(cluster(&reversed, &s).clusters, a);
    let mut rotated = set.items.clone();
    rotated.rotate_left(777);
    assert_eq!(cluster(&rotated, &s).clusters, a);
}

#[test]
fn near_known_equals_brute_force() {
    let (known, mut unknown) = near_set(800, 400, 50_000, 0x4EA2);
    // Plus unrelated unknown pictures and low-quality ones.
    unknown.extend(planted(1500, 50, 10, 5, 0x1234).items);
    let mut total = 0;
    for (min_distance, max_distance) in [
        (0, 31),
        (0, 40),
        (32, 40),
        (32, 47),
        (32, 48),
        (0, 63),
        (40, 70),
    ] {
        let s = NearKnownSettings {
            min_distance,
            max_distance,
            min_quality: 50,
        };
        let fast = near_known(&unknown, &known, &s);
        let slow = near_known_exhaustive(&unknown, &known, &s);
        assert_eq!(fast, slow, "{min_distance}..={max_distance}");
        assert!(
            fast.iter()
                .all(|n| n.distance >= min_distance && n.distance <= max_distance)
        );
        total += fast.len();
    }
    assert!(total > 500, "{total}");
    // The planted ones at 32..=40 are all found, with their own known entry
    // (the low-quality known entries excepted).
    let s = NearKnownSettings {
        min_distance: 32,
        max_distance: 40,
        min_quality: 50,
    };
    let got = near_known(&unknown, &known, &s);
    for (i, u) in unknown.iter().take(400).enumerate() {
        let d = 20 + (i % 31) as u32;
        let usable = known[i].quality.is_none_or(|q| q >= 50);
        let found = got.iter().find(|n| n.unknown_id == u.id);
        if (32..=40).contains(&d) && usable {
            let n = found.unwrap_or_else(|| panic!("planted {} at {d} not found", u.id));
            assert_eq!((n.known_id, n.distance), (i as i64, d));
        } else {
            assert!(found.is_none(), "{} at {d} listed", u.id);
        }
    }
}

/// Files with several fingerprints (videos and their frames): the same
/// clusters and the same linking frames as brute force, every file listed
/// once, in one cluster.
#[test]
fn videos_as_groups_of_frames_equal_brute_force() {
    let set = planted(2000, 100, 40, 40, 0xF4A3E5);
    // Every run of 1 to 12 consecutive items becomes one "video" (they are
    // shuffled, so its frames are unrelated or from different series).
    let mut items = set.items.clone();
    let (mut i, mut video) = (0usize, 0i64);
    while i < items.len() {
        let len = 1 + (video as usize * 7) % 12;
        for it in items.iter_mut().skip(i).take(len) {
            it.id = 1_000_000 + video;
        }
        i += len;
        video += 1;
    }
    for max_distance in [20, 31, 40] {
        let s = ClusterSettings { max_distance, min_quality: 50 };
        let fast = cluster(&items, &s);
        let slow = cluster_exhaustive(&items, &s);
        assert_eq!(fast.clusters, slow.clusters, "distance {max_distance}");
        assert_eq!(fast.linked, slow.linked, "distance {max_distance}");
        let mut seen = std::collections::BTreeSet::new();
        for c in &fast.clusters {
            for m in &c.members {
                assert!(seen.insert(*m), "file {m} listed twice");
            }
        }
        assert_eq!(seen.len() as i64, video);
        assert!(fast.series().count() >= 1 && fast.clusters.len() > 1);
        assert!(!fast.linked.is_empty());
    }
}
