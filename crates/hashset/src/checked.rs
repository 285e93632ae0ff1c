//! Per-block checksums: how a memory-mapped file is trusted without being
//! read whole when it is opened.
//!
//! A file's checked region is cut into [`BLOCK`]-byte blocks, each with a
//! CRC-32 computed when the file was written. A reader checks a block the
//! first time it touches it and remembers that in a bitmap, so a lookup in a
//! verified block costs one bit test, a damaged block is an error (never a
//! wrong answer), and opening a multi-GB table costs nothing but the small
//! checksum list.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Error, Result};

/// Checksum block size.
pub(crate) const BLOCK: usize = 64 * 1024;

/// CRC-32 of a byte slice.
pub(crate) fn crc(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// Checksums of one region, with the bitmap of blocks already checked.
#[derive(Debug)]
pub(crate) struct BlockSums {
    path: PathBuf,
    /// Region length in bytes.
    len: usize,
    sums: Box<[u32]>,
    verified: Box<[AtomicU64]>,
}

/// Number of blocks covering `len` bytes.
pub(crate) fn block_count(len: u64) -> u64 {
    len.div_ceil(BLOCK as u64)
}

impl BlockSums {
    /// `sums` holds one little-endian CRC-32 per block of a region of `len`
    /// bytes of the file at `path` (for error messages).
    pub(crate) fn new(path: &Path, len: usize, sums: &[u8]) -> Result<BlockSums> {
        let blocks = block_count(len as u64) as usize;
        if sums.len() != blocks * 4 {
            return Err(Error::corrupt(
                path,
                format!(
                    "{} checksum bytes for {blocks} blocks of {len} bytes",
                    sums.len()
                ),
            ));
        }
        let sums: Box<[u32]> = sums
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let verified = (0..blocks.div_ceil(64)).map(|_| AtomicU64::new(0)).collect();
        Ok(BlockSums {
            path: path.to_path_buf(),
            len,
            sums,
            verified,
        })
    }

    /// Check the blocks covering `start..end` of `region` (the checked
    /// bytes, `len` long) that are not yet known good.
    #[inline]
    pub(crate) fn check(&self, region: &[u8], start: usize, end: usize) -> Result<()> {
        if start >= end {
            return Ok(());
        }
        let first = start / BLOCK;
        let last = (end - 1) / BLOCK;
        for block in first..=last {
            let (word, bit) = (block / 64, 1u64 << (block % 64));
            if self.verified[word].load(Ordering::Relaxed) & bit != 0 {
                continue;
            }
            self.check_block(region, block)?;
            self.verified[word].fetch_or(bit, Ordering::Relaxed);
        }
        Ok(())
    }

    #[cold]
    fn check_block(&self, region: &[u8], block: usize) -> Result<()> {
        let start = block * BLOCK;
        let end = (start + BLOCK).min(self.len);
        let bytes = region.get(start..end).ok_or_else(|| {
            Error::corrupt(&self.path, format!("block {block} lies past the end"))
        })?;
        let want = self.sums[block];
        let got = crc(bytes);
        if got != want {
            return Err(Error::corrupt(
                &self.path,
                format!(
                    "checksum mismatch in block {block} (bytes {start}..{end} of the checked \
                     region): the file is damaged; remove the set and import it again"
                ),
            ));
        }
        Ok(())
    }

    /// Check every block.
    pub(crate) fn check_all(&self, region: &[u8]) -> Result<()> {
        self.check(region, 0, self.len)
    }

    /// Blocks in the region.
    pub(crate) fn blocks(&self) -> usize {
        self.sums.len()
    }
}

/// A writer that computes the CRC-32 of every [`BLOCK`] bytes written
/// through it.
#[derive(Debug)]
pub(crate) struct SumWriter<W> {
    inner: W,
    hasher: crc32fast::Hasher,
    in_block: usize,
    written: u64,
    sums: Vec<u8>,
}

impl<W: Write> SumWriter<W> {
    pub(crate) fn new(inner: W) -> SumWriter<W> {
        SumWriter {
            inner,
            hasher: crc32fast::Hasher::new(),
            in_block: 0,
            written: 0,
            sums: Vec::new(),
        }
    }

    /// Bytes written so far.
    pub(crate) fn written(&self) -> u64 {
        self.written
    }

    /// Close the last block; returns the writer and the checksums (LE u32
    /// per block).
    pub(crate) fn finish(mut self) -> (W, Vec<u8>) {
        if self.in_block > 0 {
            let hasher = std::mem::take(&mut self.hasher);
            self.sums.extend_from_slice(&hasher.finalize().to_le_bytes());
        }
        (self.inner, self.sums)
    }
}

impl<W: Write> Write for SumWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = BLOCK - self.in_block;
        let n = self.inner.write(&buf[..buf.len().min(room)])?;
        self.hasher.update(&buf[..n]);
        self.in_block += n;
        self.written += n as u64;
        if self.in_block == BLOCK {
            let hasher = std::mem::take(&mut self.hasher);
            self.sums.extend_from_slice(&hasher.finalize().to_le_bytes());
            self.in_block = 0;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_match_blocks_and_detect_a_flip() {
        let data: Vec<u8> = (0..BLOCK * 2 + 100).map(|i| (i * 7 % 251) as u8).collect();
        let mut w = SumWriter::new(Vec::new());
        // Odd-sized writes across block boundaries.
        for chunk in data.chunks(999) {
            w.write_all(chunk).expect("write");
        }
        assert_eq!(w.written(), data.len() as u64);
        let (out, sums) = w.finish();
        assert_eq!(out, data);
        assert_eq!(sums.len(), 12);
        assert_eq!(&sums[..4], &crc(&data[..BLOCK]).to_le_bytes());

        let checks = BlockSums::new(Path::new("x"), data.len(), &sums).expect("sums");
        assert_eq!(checks.blocks(), 3);
        checks.check_all(&data).expect("intact");

        let mut bad = data.clone();
        bad[BLOCK + 5] ^= 1;
        let fresh = BlockSums::new(Path::new("x"), bad.len(), &sums).expect("sums");
        fresh.check(&bad, 0, 10).expect("block 0 is fine");
        let err = fresh.check(&bad, BLOCK, BLOCK + 10).expect_err("block 1 is damaged");
        assert!(err.to_string().contains("checksum mismatch in block 1"), "{err}");
        // Still refused on the next touch: a bad block is never marked good.
        assert!(fresh.check(&bad, BLOCK + 6, BLOCK + 7).is_err());
        assert!(BlockSums::new(Path::new("x"), data.len(), &sums[..8]).is_err());
    }
}
