//! Lookups against a plain answer: the batched, pipelined and reordered
//! path ([`Matcher::matches_many`]) and the one-file path
//! ([`Matcher::matches`], [`Matcher::lookup`]) give exactly what a brute
//! force over the source lists gives, for random keys present and absent,
//! the edge digests 00..00 and ff..ff, and batch sizes on both sides of the
//! thresholds where the batched path changes strategy.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use spoor_hashset::{DigestKind, FileDigests, ImportOptions, Library, RecordRef, SetKind};

/// SplitMix64.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn random<const N: usize>(state: &mut u64) -> [u8; N] {
    let mut d = [0u8; N];
    for chunk in d.chunks_mut(8) {
        chunk.copy_from_slice(&next(state).to_be_bytes()[..chunk.len()]);
    }
    d
}

#[test]
fn batched_and_single_lookups_equal_a_brute_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let library = Library::open(&dir.path().join("library")).expect("library");
    let mut state = 42u64;

    // Set A: md5sum list; set B: a CSV with MD5 and SHA-1 (two tables).
    // Both hold the edge digests; B repeats some of A's MD5s.
    let mut md5s: Vec<[u8; 16]> = (0..30_000).map(|_| random(&mut state)).collect();
    md5s.push([0; 16]);
    md5s.push([0xff; 16]);
    let mut b_rows: Vec<([u8; 16], [u8; 20])> = (0..20_000)
        .map(|i| {
            let md5 = if i % 10 == 0 { md5s[i * 7 % md5s.len()] } else { random(&mut state) };
            (md5, random(&mut state))
        })
        .collect();
    b_rows.push(([0xff; 16], [0; 20]));
    b_rows.push(([0; 16], [0xff; 20]));

    let a_path = dir.path().join("a.md5");
    let a_text: String = md5s
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{}  a{i}\n", hex::encode(d)))
        .collect();
    fs::write(&a_path, a_text).expect("write");
    let b_path = dir.path().join("b.csv");
    let mut b_text = String::from("md5,sha1,name\n");
    for (i, (m, s)) in b_rows.iter().enumerate() {
        b_text.push_str(&format!("{},{},b{i}\n", hex::encode(m), hex::encode(s)));
    }
    fs::write(&b_path, b_text).expect("write");
    for (name, path) in [("A", &a_path), ("B", &b_path)] {
        library
            .import(
                path,
                &ImportOptions {
                    name: name.into(),
                    kind: SetKind::Alert,
                    ..ImportOptions::default()
                },
            )
            .expect("import");
    }
    let matcher = library.load(&[]).expect("load");
    assert_eq!(matcher.sets().len(), 2);

    // Brute force: digest -> (set, name) of every record listing it.
    let mut by_md5: BTreeMap<[u8; 16], BTreeSet<(usize, String)>> = BTreeMap::new();
    let mut by_sha1: BTreeMap<[u8; 20], BTreeSet<(usize, String)>> = BTreeMap::new();
    for (i, d) in md5s.iter().enumerate() {
        by_md5.entry(*d).or_default().insert((0, format!("a{i}")));
    }
    for (i, (m, s)) in b_rows.iter().enumerate() {
        by_md5.entry(*m).or_default().insert((1, format!("b{i}")));
        by_sha1.entry(*s).or_default().insert((1, format!("b{i}")));
    }
    let expected = |f: &FileDigests| -> BTreeSet<(usize, String)> {
        let mut all = BTreeSet::new();
        all.extend(by_md5.get(&f.0).into_iter().flatten().cloned());
        all.extend(by_sha1.get(&f.1).into_iter().flatten().cloned());
        all
    };

    // Queries: present MD5s, present SHA-1s, absent, edges, neighbours.
    let mut files: Vec<FileDigests> = Vec::new();
    for k in 0..45_000u64 {
        let mut f: FileDigests = (random(&mut state), random(&mut state), random(&mut state));
        match k % 6 {
            0 => f.0 = md5s[(next(&mut state) % md5s.len() as u64) as usize],
            1 => f.1 = b_rows[(next(&mut state) % b_rows.len() as u64) as usize].1,
            2 => {
                let row = b_rows[(next(&mut state) % b_rows.len() as u64) as usize];
                f.0 = row.0;
                f.1 = row.1;
            }
            3 => {
                let mut d = md5s[(next(&mut state) % md5s.len() as u64) as usize];
                d[15] ^= 1;
                f.0 = d;
            }
            4 => {
                f.0 = if k % 12 == 4 { [0; 16] } else { [0xff; 16] };
                f.1 = if k % 12 == 4 { [0xff; 20] } else { [0; 20] };
            }
            _ => {}
        }
        files.push(f);
    }
    let named = |r: &RecordRef| -> (usize, String) {
        let record = matcher.record(r).expect("record");
        (r.set, record.name.expect("named"))
    };

    // One by one, against the brute force.
    let mut single: Vec<(usize, RecordRef)> = Vec::new();
    let mut hits = 0;
    for (i, f) in files.iter().enumerate() {
        let mut refs = Vec::new();
        matcher.matches(&f.0, &f.1, &f.2, &mut refs).expect("matches");
        let got: BTreeSet<(usize, String)> = refs.iter().map(named).collect();
        assert_eq!(got.len(), refs.len(), "file {i}: a record twice");
        assert_eq!(got, expected(f), "file {i}");
        hits += refs.len();
        single.extend(refs.into_iter().map(|r| (i, r)));
        let full: BTreeSet<(usize, String)> = matcher
            .lookup(&f.0, &f.1, &f.2)
            .expect("lookup")
            .into_iter()
            .map(|m| (m.set, m.record.name.expect("named")))
            .collect();
        assert_eq!(full, expected(f), "file {i}");
    }
    assert!(hits > files.len() / 2, "{hits} hits: the queries must find things");

    // Batched, at sizes around every threshold, and from an offset.
    for size in [0usize, 1, 2, 15, 1023, 1024, 1025, 5000, 16_384, 16_385, 45_000] {
        let batch = &files[..size];
        let mut out = vec![(usize::MAX, single.first().map(|p| p.1).unwrap_or(RecordRef {
            set: 0,
            record: 0,
            method: DigestKind::Md5,
        }))];
        matcher.matches_many(batch, &mut out).expect("batched");
        assert_eq!(out[0].0, usize::MAX, "what was in `out` stays");
        let want: Vec<(usize, RecordRef)> = single.iter().filter(|p| p.0 < size).copied().collect();
        assert_eq!(&out[1..], &want[..], "batch of {size}");
    }
    let tail = &files[30_000..];
    let mut out = Vec::new();
    matcher.matches_many(tail, &mut out).expect("batched");
    let want: Vec<(usize, RecordRef)> = single
        .iter()
        .filter(|p| p.0 >= 30_000)
        .map(|p| (p.0 - 30_000, p.1))
        .collect();
    assert_eq!(out, want);
}
