//! The index file: round trip, atomic replacement, and clear errors for
//! damaged files (never a panic, even when a query runs on bad sections).

use std::path::{Path, PathBuf};

use spoor_pdq::PdqHash;
use spoor_pdq::index::{IndexBuilder, IndexError, Layout, PdqEntry, PdqIndex};

fn entries(n: usize, seed: u64) -> Vec<PdqEntry> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|_| {
            let mut h = [0u8; 32];
            for c in h.chunks_mut(8) {
                c.copy_from_slice(&next().to_le_bytes());
            }
            PdqEntry {
                hash: PdqHash(h),
                quality: (next() % 101) as u8,
            }
        })
        .collect()
}

fn write(path: &Path, layout: Layout, entries: &[PdqEntry]) {
    let mut b = IndexBuilder::with_layout(layout);
    for e in entries {
        b.push(*e);
    }
    b.build(path).expect("build");
}

/// A small index (8x8 layout: tiny tables) in a fresh folder.
fn fixture() -> (tempfile::TempDir, PathBuf, Vec<PdqEntry>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("set.pdqidx");
    let e = entries(300, 1);
    write(&path, Layout::new(8, 8).expect("layout"), &e);
    (dir, path, e)
}

#[test]
fn round_trip() {
    let (_dir, path, e) = fixture();
    let index = PdqIndex::open(&path).expect("open");
    assert_eq!(index.len(), e.len());
    assert_eq!(index.layout(), Layout::new(8, 8).expect("layout"));
    assert_eq!(
        index.file_len(),
        std::fs::metadata(&path).expect("stat").len()
    );
    for (i, want) in e.iter().enumerate() {
        assert_eq!(index.entry(i as u32), *want);
    }
    assert_eq!(index.get(e.len() as u32), None);
    index.verify().expect("verify");
}

#[test]
fn empty_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("empty.pdqidx");
    IndexBuilder::new().build(&path).expect("build");
    let index = PdqIndex::open(&path).expect("open");
    assert!(index.is_empty());
    index.verify().expect("verify");
    let mut out = vec![(9, 9)];
    index.query(&PdqHash::ZERO, 31, 0, &mut out);
    assert!(out.is_empty());
    index.query_tables(&PdqHash::ZERO, 31, 0, &mut out);
    assert!(out.is_empty());
}

#[test]
#[should_panic(expected = "out of range")]
fn entry_out_of_range_panics() {
    let (_dir, path, e) = fixture();
    let index = PdqIndex::open(&path).expect("open");
    index.entry(e.len() as u32);
}

#[test]
fn build_replaces_atomically_and_leaves_no_temporary_files() {
    let (dir, path, _) = fixture();
    let old = PdqIndex::open(&path).expect("open");
    let new_entries = entries(50, 2);
    write(&path, Layout::DEFAULT, &new_entries);
    // The old mapping still reads the old file.
    assert_eq!(old.len(), 300);
    old.verify().expect("old mapping intact");
    let new = PdqIndex::open(&path).expect("open new");
    assert_eq!(new.len(), 50);
    assert_eq!(new.entry(49), new_entries[49]);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("set.pdqidx")]);
}

#[test]
fn build_into_a_missing_folder_names_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("no-such-folder").join("x.pdqidx");
    let err = IndexBuilder::new().build(&path).expect_err("must fail");
    assert!(matches!(err, IndexError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("no-such-folder"), "{err}");
}

#[test]
fn missing_file_is_an_io_error_with_its_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("absent.pdqidx");
    let err = PdqIndex::open(&path).expect_err("must fail");
    assert!(matches!(err, IndexError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("absent.pdqidx"), "{err}");
}

fn damaged(path: &Path, f: impl FnOnce(&mut Vec<u8>)) -> IndexError {
    let mut bytes = std::fs::read(path).expect("read");
    f(&mut bytes);
    std::fs::write(path, &bytes).expect("write");
    PdqIndex::open(path).expect_err("damaged file must not open")
}

#[test]
fn bad_magic_is_not_an_index() {
    let (_dir, path, _) = fixture();
    let err = damaged(&path, |b| b[0] = b'X');
    assert!(matches!(err, IndexError::NotAnIndex { .. }), "{err:?}");
    assert!(err.to_string().contains("not a Spoor PDQ index"), "{err}");
    // Any other file, too.
    std::fs::write(&path, b"hash,quality\n").expect("write");
    let err = PdqIndex::open(&path).expect_err("text file");
    assert!(matches!(err, IndexError::NotAnIndex { .. }), "{err:?}");
}

#[test]
fn newer_version_is_refused_by_number() {
    let (_dir, path, _) = fixture();
    let err = damaged(&path, |b| b[8] = 2);
    assert!(
        matches!(err, IndexError::Version { found: 2, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("version 2"), "{err}");
}

#[test]
fn header_corruption_fails_the_checksum() {
    let (_dir, path, _) = fixture();
    let original = std::fs::read(&path).expect("read");
    let sections = u32::from_le_bytes(original[40..44].try_into().expect("4 bytes")) as usize;
    // Entry count, layout, file length, a section offset, a section CRC,
    // the header CRC itself.
    for at in [
        16usize,
        24,
        28,
        33,
        48,
        64,
        48 + 24 * 3 + 16,
        48 + 24 * sections,
    ] {
        std::fs::write(&path, &original).expect("restore");
        let err = damaged(&path, |b| b[at] ^= 0x04);
        assert!(
            matches!(err, IndexError::HeaderChecksum { .. }),
            "byte {at}: {err:?}"
        );
        assert!(err.to_string().contains("header checksum"), "{err}");
    }
}

#[test]
fn truncated_file_says_how_much_is_missing() {
    let (_dir, path, _) = fixture();
    let original = std::fs::read(&path).expect("read");
    let full = original.len() as u64;
    let header_len = u32::from_le_bytes(original[12..16].try_into().expect("4 bytes")) as usize;
    for keep in [
        original.len() - 1,
        original.len() / 2,
        header_len + 1,
        header_len,
        header_len - 1,
        100,
        47,
        8,
        3,
        0,
    ] {
        std::fs::write(&path, &original[..keep]).expect("truncate");
        let err = PdqIndex::open(&path).expect_err("truncated");
        match &err {
            IndexError::Truncated {
                expected, actual, ..
            } => {
                assert_eq!(*actual, keep as u64);
                assert!(*expected > *actual);
                if keep >= header_len {
                    assert_eq!(*expected, full);
                } else if keep >= 48 {
                    assert_eq!(*expected, header_len as u64);
                }
            }
            other => panic!("kept {keep} bytes: {other:?}"),
        }
        assert!(err.to_string().contains("truncated"), "{err}");
    }
}

#[test]
fn trailing_bytes_are_corruption() {
    let (_dir, path, _) = fixture();
    let err = damaged(&path, |b| b.extend_from_slice(b"junk"));
    assert!(matches!(err, IndexError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("4 bytes after the end"), "{err}");
}

/// A damaged section opens (opening is O(1)), answers queries without
/// panicking, and fails `verify` with the section's name.
#[test]
fn section_damage_is_found_by_verify_and_never_panics() {
    let (_dir, path, e) = fixture();
    let original = std::fs::read(&path).expect("read");
    let header_len = u32::from_le_bytes(original[12..16].try_into().expect("4 bytes")) as usize;
    let mut x = 0x1234_5678_u64;
    let mut rand = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for round in 0..40 {
        let mut bytes = original.clone();
        // Some rounds scribble one byte, some a whole run.
        let runs = if round % 4 == 0 { 64 } else { 1 };
        for _ in 0..runs {
            let at = header_len + (rand() as usize) % (bytes.len() - header_len);
            bytes[at] = rand() as u8;
        }
        if bytes == original {
            continue;
        }
        std::fs::write(&path, &bytes).expect("write");
        let index = PdqIndex::open(&path).expect("header intact, opens");
        let mut out = Vec::new();
        for q in e.iter().take(10) {
            for d in [0, 31, 32, 64] {
                index.query(&q.hash, d, 0, &mut out);
                index.query_tables(&q.hash, d, 0, &mut out);
            }
        }
        let _ = index.get(3);
        match index.verify() {
            Err(IndexError::SectionChecksum { section, .. }) => assert!(!section.is_empty()),
            // Padding between sections is not checksummed.
            Ok(()) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
    std::fs::write(&path, &original).expect("restore");
    PdqIndex::open(&path)
        .expect("open")
        .verify()
        .expect("verify");
}

#[test]
fn verify_names_the_section() {
    let (_dir, path, _) = fixture();
    let bytes = std::fs::read(&path).expect("read");
    // Section 0 (hashes) starts at the header's first section offset.
    let first = u64::from_le_bytes(bytes[48..56].try_into().expect("8 bytes")) as usize;
    let mut damaged = bytes.clone();
    damaged[first + 5] ^= 1;
    std::fs::write(&path, &damaged).expect("write");
    let err = PdqIndex::open(&path)
        .expect("opens")
        .verify()
        .expect_err("bad");
    assert!(err.to_string().contains("hashes section checksum"), "{err}");
}
