//! PDQ sets in the library: import (plain lists and CSV, detected), lookup
//! by the eight dihedral variants, export, verify, damage, removal.

use std::fs;

use spoor_hashset::{Format, ImportOptions, Library, SetKind};
use spoor_pdq::{Dihedral, DihedralHashes, PdqHash};

/// A deterministic PDQ-shaped hash: exactly 128 bits set.
fn hash(seed: u64) -> PdqHash {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut bits: Vec<usize> = (0..256).collect();
    for i in (1..256).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bits.swap(i, (x % (i as u64 + 1)) as usize);
    }
    let mut h = PdqHash::ZERO;
    for &k in &bits[..128] {
        h.0[31 - k / 8] |= 1 << (k % 8);
    }
    h
}

fn flip(h: PdqHash, n: usize) -> PdqHash {
    let mut out = h;
    for k in 0..n {
        out.0[k % 32] ^= 1 << (k / 32);
    }
    out
}

/// Variants where only `variant` is near `target` (the rest unrelated).
fn variants_with(variant: Dihedral, near: PdqHash) -> DihedralHashes {
    let mut v = DihedralHashes {
        quality: 100,
        original: hash(1001),
        rotate90: hash(1002),
        rotate180: hash(1003),
        rotate270: hash(1004),
        flip_x: hash(1005),
        flip_y: hash(1006),
        flip_plus1: hash(1007),
        flip_minus1: hash(1008),
    };
    match variant {
        Dihedral::Original => v.original = near,
        Dihedral::Rotate90 => v.rotate90 = near,
        Dihedral::Rotate180 => v.rotate180 = near,
        Dihedral::Rotate270 => v.rotate270 = near,
        Dihedral::FlipX => v.flip_x = near,
        Dihedral::FlipY => v.flip_y = near,
        Dihedral::FlipPlus1 => v.flip_plus1 = near,
        Dihedral::FlipMinus1 => v.flip_minus1 = near,
    }
    v
}

fn opts(name: &str, format: Option<Format>) -> ImportOptions {
    ImportOptions { name: name.into(), version: Some("1".into()), kind: SetKind::Alert, format, ..ImportOptions::default() }
}

fn set_files(library: &Library, id: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(library.root().join("sets").join(id))
        .expect("set folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn plain_list_imports_matches_exports_and_verifies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = dir.path().join("known.txt");
    let text = format!("# known pictures\n{}\n{},87\n{},20\n", hash(1), hash(2), hash(3));
    fs::write(&list, &text).expect("write");
    assert_eq!(spoor_hashset::detect_file_format(&list).expect("detect"), Some(Format::Pdq));

    let library = Library::open(&dir.path().join("lib")).expect("library");
    let info = library.import(&list, &opts("Known pictures", None)).expect("import");
    assert_eq!(info.format, Format::Pdq);
    assert_eq!(info.record_count, 3);
    assert!(info.digest_counts.is_empty());
    let fp = info.fingerprint.clone().expect("a fingerprint set");
    assert_eq!((fp.kind.as_str(), fp.count, fp.low_quality), ("pdq", 3, 1));
    assert_eq!(info.importer_version, "spoor-hashset 0.1.0 pdq-list");
    assert_eq!(info.source_sha256.len(), 64);
    assert_eq!(
        set_files(&library, &info.id),
        ["manifest.json", "pdq.idx", "records.jsonl", "records.off", "records.sum"]
    );
    assert_eq!(library.list().expect("list"), vec![info.clone()]);

    let matcher = library.load(&[]).expect("load");
    assert!(matcher.has_pdq());
    // Record 2 (quality 87), 9 bits off, seen through the picture's
    // rotate270 variant.
    let found = matcher.pdq_lookup(&variants_with(Dihedral::Rotate270, flip(hash(2), 9)), 31, 50).expect("lookup");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].distance, found[0].variant, found[0].number), (9, Dihedral::Rotate270, 1));
    assert_eq!(found[0].record.line, 3);
    assert_eq!(found[0].record.pdq_quality, Some(87));
    // Beyond the distance: nothing; a tighter distance setting misses it.
    assert!(matcher.pdq_lookup(&variants_with(Dihedral::Original, flip(hash(2), 32)), 31, 50).expect("lookup").is_empty());
    assert!(matcher.pdq_lookup(&variants_with(Dihedral::Original, flip(hash(2), 9)), 8, 50).expect("lookup").is_empty());
    // The listed hash of quality 20 matches only when the minimum allows it.
    assert!(matcher.pdq_lookup(&variants_with(Dihedral::Original, hash(3)), 31, 50).expect("lookup").is_empty());
    assert_eq!(matcher.pdq_lookup(&variants_with(Dihedral::Original, hash(3)), 31, 20).expect("lookup").len(), 1);
    // Exact lookups never see a PDQ set.
    assert!(matcher.lookup(&[0; 16], &[0; 20], &hash(1).0).expect("lookup").is_empty());

    let report = library.verify_set("Known pictures", None).expect("verify");
    assert_eq!((report.records, report.tables), (3, 1));

    let mut out = Vec::new();
    assert_eq!(library.export("Known pictures", None, Format::Pdq, &mut out).expect("export"), 3);
    let exported = String::from_utf8(out).expect("utf-8");
    assert_eq!(exported, format!("{},100\n{},87\n{},20\n", hash(1), hash(2), hash(3)));
    // Round trip: the export imports to the same hashes and qualities.
    let again = dir.path().join("again.pdq");
    fs::write(&again, &exported).expect("write");
    let info2 = library.import(&again, &opts("Again", None)).expect("re-import");
    assert_eq!(info2.fingerprint.map(|f| (f.count, f.low_quality)), Some((3, 1)));
    assert!(library.export("Known pictures", None, Format::Md5sum, &mut Vec::new()).is_err());

    library.remove("Again", None).expect("remove");
    assert_eq!(library.list().expect("list").len(), 1);
}

#[test]
fn csv_with_a_pdq_column_keeps_categories_and_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("known.csv");
    fs::write(
        &csv,
        format!("\u{feff}pdq_hash,quality,category,name,source\n{},90,1,beach.jpg,unit 7\n{},,2,\"a, b.png\",\n", hash(5), hash(6)),
    )
    .expect("write");
    assert_eq!(spoor_hashset::detect_file_format(&csv).expect("detect"), Some(Format::Pdq));
    let library = Library::open(&dir.path().join("lib")).expect("library");
    let info = library.import(&csv, &opts("Csv", None)).expect("import");
    assert_eq!(info.importer_version, "spoor-hashset 0.1.0 pdq-csv");
    let matcher = library.load(&[]).expect("load");
    let found = matcher.pdq_lookup(&variants_with(Dihedral::FlipY, hash(6)), 31, 50).expect("lookup");
    assert_eq!(found.len(), 1);
    let r = &found[0].record;
    assert_eq!((r.category.as_deref(), r.name.as_deref(), r.pdq_quality), (Some("2"), Some("a, b.png"), Some(100)));
    assert_eq!(found[0].variant, Dihedral::FlipY);
    let first = matcher.pdq_lookup(&variants_with(Dihedral::Original, hash(5)), 31, 50).expect("lookup");
    assert_eq!(first[0].record.extra.get("source").map(String::as_str), Some("unit 7"));

    let mut out = Vec::new();
    library.export("Csv", None, Format::Csv, &mut out).expect("export");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.starts_with("pdq,pdq_quality,name,category,category_name,series,comments,line,source\n"), "{text}");
    let back = dir.path().join("back.csv");
    fs::write(&back, &text).expect("write");
    let info2 = library.import(&back, &opts("Back", None)).expect("re-import the CSV export");
    assert_eq!(info2.format, Format::Pdq);
    assert_eq!(info2.record_count, info.record_count);
}

#[test]
fn a_bad_line_adds_nothing_and_names_the_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = dir.path().join("bad.pdq");
    fs::write(&list, format!("{},50\n{}x,50\n", hash(1), &hash(2).to_string()[..63])).expect("write");
    let library = Library::open(&dir.path().join("lib")).expect("library");
    let err = library.import(&list, &opts("Bad", Some(Format::Pdq))).expect_err("bad hash");
    assert!(err.to_string().contains("line 2"), "{err}");
    assert!(library.list().expect("list").is_empty());
    // A bare 64-digit list that is not PDQ-shaped is left to sha256sum.
    let sums = dir.path().join("sums.txt");
    fs::write(&sums, format!("{}\n", "f".repeat(64))).expect("write");
    assert_eq!(spoor_hashset::detect_file_format(&sums).expect("detect"), Some(Format::Sha256sum));
}

#[test]
fn a_damaged_index_fails_verify() {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = dir.path().join("known.pdq");
    let text: String = (0..200).map(|i| format!("{},{}\n", hash(i), 50 + i % 50)).collect();
    fs::write(&list, text).expect("write");
    let library = Library::open(&dir.path().join("lib")).expect("library");
    let info = library.import(&list, &opts("Known", None)).expect("import");
    library.verify_set("Known", None).expect("intact");
    let idx = library.root().join("sets").join(&info.id).join(spoor_hashset::PDQ_INDEX_FILE);
    let mut bytes = fs::read(&idx).expect("read");
    let n = bytes.len();
    bytes[n - 100] ^= 0x40;
    fs::write(&idx, bytes).expect("write");
    let err = library.verify_set("Known", None).expect_err("damaged");
    assert_eq!(err.code(), "corrupt", "{err}");
    assert!(err.to_string().contains("pdq.idx"), "{err}");
}
