//! Sorted fixed-width digest tables (`*.idx`) and the one place that
//! memory-maps files.
//!
//! See the crate docs for the layout. Lookups binary-search the mapped
//! entries in place: opening a table of fifty million entries costs one
//! `mmap` call and a header check, not a load.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use crate::{DigestKind, Error, Result};

/// Magic bytes at the start of every table.
pub(crate) const MAGIC: &[u8; 8] = b"SPOORIDX";
/// Layout version written in the header.
pub(crate) const LAYOUT_VERSION: u32 = 1;
/// Header size; entries start here.
pub(crate) const HEADER_LEN: usize = 32;

/// One table entry before it is written: digest bytes and record number.
pub(crate) type Entry<const N: usize> = ([u8; N], u32);

/// Sort entries by digest, then record number.
///
/// In memory for now. This is the seam where an external merge sort (sorted
/// runs spilled to the temporary folder, then merged while writing) goes in
/// for sets too large to sort in RAM.
pub(crate) fn sort_entries<const N: usize>(entries: &mut [Entry<N>]) {
    entries.sort_unstable();
}

/// Write a sorted table to `path` and fsync it.
pub(crate) fn write_table<const N: usize>(path: &Path, entries: &[Entry<N>]) -> Result<()> {
    let io = |e| Error::io(path, e);
    let file = File::create_new(path).map_err(io)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    out.write_all(&header(N as u32, entries.len() as u64))
        .map_err(io)?;
    for (digest, record) in entries {
        out.write_all(digest).map_err(io)?;
        out.write_all(&record.to_le_bytes()).map_err(io)?;
    }
    let file = out.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    Ok(())
}

fn header(width: u32, count: u64) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..8].copy_from_slice(MAGIC);
    h[8..12].copy_from_slice(&LAYOUT_VERSION.to_le_bytes());
    h[12..16].copy_from_slice(&width.to_le_bytes());
    h[16..24].copy_from_slice(&count.to_le_bytes());
    h
}

/// Map a whole file read-only.
#[allow(unsafe_code)]
pub(crate) fn map_file(path: &Path) -> Result<Mmap> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    // SAFETY: the mapped files belong to a set folder, which is written once
    // inside a temporary folder, fsynced, and then moved into place by a
    // rename. No code modifies a set's files in place afterwards: a set is
    // only ever replaced by another rename or deleted, and deleting a mapped
    // file on Unix keeps the mapping valid. Bytes read through the map are
    // validated (header, sizes, JSON) as untrusted input, never assumed.
    let map = unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
    Ok(map)
}

/// A memory-mapped digest table.
#[derive(Debug)]
pub(crate) struct Table {
    map: Mmap,
    width: usize,
    count: usize,
}

impl Table {
    /// Map and validate a table: magic, layout version, digest width for
    /// `kind`, the entry count against `expected_count` and the file size.
    pub(crate) fn open(path: &Path, kind: DigestKind, expected_count: u64) -> Result<Table> {
        let map = map_file(path)?;
        let bad = |reason: String| Error::corrupt(path, reason);
        if map.len() < HEADER_LEN {
            return Err(bad(format!(
                "{} bytes is too short for a digest table header",
                map.len()
            )));
        }
        if &map[..8] != MAGIC {
            return Err(bad("not a Spoor digest table (bad magic)".into()));
        }
        let version = u32::from_le_bytes(le_bytes(&map[8..12]));
        if version != LAYOUT_VERSION {
            return Err(bad(format!(
                "digest table layout version {version}, this build reads {LAYOUT_VERSION}"
            )));
        }
        let width = u32::from_le_bytes(le_bytes(&map[12..16])) as usize;
        if width != kind.len() {
            return Err(bad(format!(
                "digest width {width}, {kind} needs {}",
                kind.len()
            )));
        }
        let count = u64::from_le_bytes(le_bytes(&map[16..24]));
        if count != expected_count {
            return Err(bad(format!(
                "{count} entries in the header, the manifest says {expected_count}"
            )));
        }
        let expected_len = (count as u128) * (width as u128 + 4) + HEADER_LEN as u128;
        if map.len() as u128 != expected_len {
            return Err(bad(format!(
                "{} bytes, {count} entries of {kind} need {expected_len}",
                map.len()
            )));
        }
        Ok(Table {
            map,
            width,
            count: count as usize,
        })
    }

    fn entry(&self, i: usize) -> &[u8] {
        let size = self.width + 4;
        let start = HEADER_LEN + i * size;
        &self.map[start..start + size]
    }

    /// Record numbers of every entry whose digest equals `digest`, ascending.
    pub(crate) fn find(&self, digest: &[u8]) -> Vec<u32> {
        debug_assert_eq!(digest.len(), self.width);
        // Lower bound: the first entry whose digest is not less than `digest`.
        let (mut lo, mut hi) = (0, self.count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if &self.entry(mid)[..self.width] < digest {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let mut found = Vec::new();
        for i in lo..self.count {
            let entry = self.entry(i);
            if &entry[..self.width] != digest {
                break;
            }
            found.push(u32::from_le_bytes(le_bytes(&entry[self.width..])));
        }
        found
    }
}

/// A fixed-size array from a slice of known length.
pub(crate) fn le_bytes<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[..N]);
    out
}

/// Paths of a set's table for one digest kind.
pub(crate) fn table_path(set_dir: &Path, kind: DigestKind) -> PathBuf {
    set_dir.join(format!("{kind}.idx"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<Entry<16>> {
        let mut v = vec![
            ([9u8; 16], 4),
            ([1u8; 16], 7),
            ([5u8; 16], 2),
            ([5u8; 16], 0),
            ([0xffu8; 16], 1),
        ];
        sort_entries(&mut v);
        v
    }

    #[test]
    fn sorted_by_digest_then_record() {
        let got: Vec<(u8, u32)> = entries().iter().map(|(d, r)| (d[0], *r)).collect();
        assert_eq!(got, vec![(1, 7), (5, 0), (5, 2), (9, 4), (0xff, 1)]);
    }

    #[test]
    fn write_then_find() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("md5.idx");
        write_table(&path, &entries()).expect("write");
        let bytes = std::fs::read(&path).expect("read");
        assert_eq!(bytes.len(), HEADER_LEN + 5 * 20);
        assert_eq!(&bytes[..8], b"SPOORIDX");
        assert_eq!(
            &bytes[8..24],
            &[1, 0, 0, 0, 16, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0]
        );

        let table = Table::open(&path, DigestKind::Md5, 5).expect("open");
        assert_eq!(table.find(&[5u8; 16]), vec![0, 2]);
        assert_eq!(table.find(&[1u8; 16]), vec![7]);
        assert_eq!(table.find(&[0xffu8; 16]), vec![1]);
        assert!(table.find(&[0u8; 16]).is_empty());
        assert!(table.find(&[6u8; 16]).is_empty());
        assert!(table.find(&[0xfeu8; 16]).is_empty());
    }

    #[test]
    fn header_is_validated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("md5.idx");
        write_table(&path, &entries()).expect("write");
        let reason = |path: &Path, kind, count| match Table::open(path, kind, count) {
            Err(Error::Corrupt { reason, .. }) => reason,
            other => panic!("expected a corrupt-table error, got {other:?}"),
        };
        assert!(reason(&path, DigestKind::Sha1, 5).contains("digest width 16"));
        assert!(reason(&path, DigestKind::Md5, 4).contains("manifest says 4"));

        let good = std::fs::read(&path).expect("read");
        let mut bad = good.clone();
        bad[8] = 2;
        std::fs::write(&path, &bad).expect("write");
        assert!(reason(&path, DigestKind::Md5, 5).contains("layout version 2"));

        let mut bad = good.clone();
        bad.pop();
        std::fs::write(&path, &bad).expect("write");
        assert!(reason(&path, DigestKind::Md5, 5).contains("bytes, 5 entries"));

        std::fs::write(&path, b"short").expect("write");
        assert!(reason(&path, DigestKind::Md5, 5).contains("too short"));

        let empty = write_table::<16>(&dir.path().join("empty.idx"), &[]);
        assert!(empty.is_ok());
        let table = Table::open(&dir.path().join("empty.idx"), DigestKind::Md5, 0).expect("open");
        assert!(table.find(&[0u8; 16]).is_empty());
    }
}
