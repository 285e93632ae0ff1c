//! A near-match index for PDQ hashes: multi-index hashing (Norouzi, Punjani
//! and Fleet, "Fast Exact Search in Hamming Space with Multi-Index
//! Hashing") over one memory-mapped, versioned file.
//!
//! The 256 bits are cut into `m` substrings (*chunks*) of `w` bits each
//! ([`Layout`]). A hash within distance `d` of the query differs from it in
//! at most `d` bits, spread over the chunks, so by the pigeonhole principle
//! some chunk is close: with `d = m·r + a` (`0 ≤ a < m`), one of the first
//! `a + 1` chunks is within `r` of the query's chunk, or one of the others
//! within `r - 1` (otherwise the distance would be at least
//! `(a+1)(r+1) + (m-a-1)r > d`). For `d = 31` and 16 chunks that is every
//! chunk within 1 (17 values each, 272 *probes*); for `d = 32`, the first
//! chunk within 2 and the others within 1 (392 probes).
//!
//! For every chunk the file holds a table of the entries sorted by chunk
//! value (a counting sort: `2^w + 1` bucket offsets), and beside each
//! entry's id the 96 hash bits that follow the chunk (its *tail*). A query
//! reads the buckets of its probes in order and compares tails: the chunk's
//! distance (known from the probe) plus the tail's is a lower bound of the
//! full distance, so nothing within `d` is dropped, and for unrelated
//! hashes it is almost never as low as 31 (96 random bits differ in 31 or
//! fewer places with probability 4·10⁻⁴). Only the few entries that pass
//! are read in full and compared over 256 bits. The result is exact: the
//! same as comparing against every entry ([`PdqIndex::brute_force`]).
//!
//! Without tails, every entry in a probed bucket costs a cache miss to
//! fetch its hash: at ten million random hashes a query at distance 31
//! fetches about 41,500 of them with 16 chunks of 16 bits, 3,300 with 11
//! chunks of 23 bits (but then 2,794 probes into 32 MiB offset tables),
//! and was 16 to 66 times faster than brute force. With tails, 16x16 reads
//! 272 buckets of 1.8 KiB in order: about 150 times faster, at the price of
//! 16 bytes per entry per chunk (289 bytes a hash at ten million). Wider
//! chunks (14x18, 12x21, 11x23) measured the same speed within the noise
//! of a shared machine, with files 10 to 20 % smaller but larger fixed
//! offset tables (14 to 352 MiB whatever the number of hashes) and slower
//! at a million hashes; 16x16 is the default. See
//! `bench/README-pdq-index.md`.
//!
//! Quality is stored per entry and filtered at query time: the reference
//! tools discard hashes under quality 50 ([`DEFAULT_MIN_QUALITY`]), but that
//! is the caller's setting, so low-quality hashes are kept in the index.
//!
//! ```
//! use spoor_pdq::index::{IndexBuilder, PdqEntry, PdqIndex};
//! use spoor_pdq::PdqHash;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("known.pdqidx");
//! let known: PdqHash =
//!     "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22".parse()?;
//! let mut builder = IndexBuilder::new();
//! let id = builder.push(PdqEntry { hash: known, quality: 100 });
//! builder.build(&path)?;
//!
//! let index = PdqIndex::open(&path)?;
//! let mut probe = known;
//! probe.0[0] ^= 0b11; // two bits off
//! let mut hits = Vec::new();
//! index.query(&probe, 31, 50, &mut hits);
//! assert_eq!(hits, vec![(id, 2)]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # File format (version 1, little-endian)
//!
//! | offset | size | field |
//! | --- | --- | --- |
//! | 0 | 8 | magic `SPOORPDQ` |
//! | 8 | 4 | layout version (1) |
//! | 12 | 4 | header length (a multiple of 64) |
//! | 16 | 8 | entry count `n` |
//! | 24 | 4 | chunks `m` |
//! | 28 | 4 | bits per chunk `w` |
//! | 32 | 8 | file length |
//! | 40 | 4 | section count (`2 + 3m`) |
//! | 44 | 4 | zero |
//! | 48 | 24 each | sections: offset `u64`, length `u64`, CRC-32 `u32`, zero `u32` |
//! | | 4 | CRC-32 of the header bytes before it |
//!
//! Sections start on 64-byte boundaries, in this order: hashes (`32n`
//! bytes, the hash bytes as printed), qualities (`n` bytes), then for each
//! chunk its bucket offsets (`4(2^w + 1)` bytes, `u32`), its tails (`12n`
//! bytes) and its ids (`4n` bytes, `u32`), both in bucket order with ids
//! ascending within a bucket. Chunk `c` is bits `c·w .. c·w + w` of the
//! hash read as a big-endian 256-bit string, first bit first; its tail is
//! the next 96 bits, wrapping from the last bit to the first, stored as a
//! `u32` (the first 32) then a `u64`.
//!
//! Opening checks the header (magic, version, checksum, lengths) and costs
//! O(1); the section checksums and the tables' consistency are checked by
//! [`PdqIndex::verify`]. Queries never trust the sections: a corrupt file
//! gives wrong answers (which `verify` reports), never a panic.

use std::fs::File;
use std::io::{self, BufRead, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use memmap2::Mmap;
use serde::Serialize;

use crate::{Dihedral, DihedralHashes, ParseHashError, PdqHash};

/// The matching distance of the reference tools: hashes at Hamming distance
/// 31 or less match.
pub const DEFAULT_MAX_DISTANCE: u32 = 31;

/// The reference tools discard hashes of quality under 50.
pub const DEFAULT_MIN_QUALITY: u8 = 50;

/// The quality given to a list line that carries a bare hash. Published
/// lists of bare hashes have been filtered by their makers, so the hash is
/// taken as fully trusted rather than silently never matched.
pub const BARE_HASH_QUALITY: u8 = 100;

/// Layout version written in, and required of, the header.
pub const FORMAT_VERSION: u32 = 1;

const MAGIC: &[u8; 8] = b"SPOORPDQ";
/// Fixed part of the header, before the section table.
const HEADER_FIXED: usize = 48;
const SECTION_ENTRY: usize = 24;
const ALIGN: u64 = 64;
/// Widest chunk: a table of 2^24 + 1 offsets is 64 MiB.
const MAX_CHUNK_BITS: u32 = 24;
const HASH_BYTES: usize = 32;
/// A table's tail: the 96 hash bits after the chunk.
const TAIL_BYTES: usize = 12;
/// Sections per chunk: offsets, tails, ids.
const CHUNK_SECTIONS: usize = 3;
/// Hash bits stored in a table entry.
const TAIL_BITS: u32 = 96;

/// One indexed hash and its quality (0..=100 from the reference; any byte
/// is stored as given).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct PdqEntry {
    pub hash: PdqHash,
    pub quality: u8,
}

/// How the 256 bits are cut: `chunks` substrings of `bits` bits each,
/// from the first bit (bits past `chunks * bits` are checked but not
/// indexed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Layout {
    chunks: u32,
    bits: u32,
}

impl Layout {
    /// 16 chunks of 16 bits (see the module docs for why).
    pub const DEFAULT: Layout = Layout {
        chunks: 16,
        bits: 16,
    };

    /// `chunks` substrings of `bits` bits, if `1 <= bits <= 24` and
    /// `chunks * bits <= 256`.
    pub fn new(chunks: u32, bits: u32) -> Option<Layout> {
        let ok = (1..=MAX_CHUNK_BITS).contains(&bits)
            && bits + TAIL_BITS <= 256
            && chunks >= 1
            && chunks.checked_mul(bits).is_some_and(|b| b <= 256);
        ok.then_some(Layout { chunks, bits })
    }

    pub fn chunks(&self) -> u32 {
        self.chunks
    }

    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Search radius of each chunk for a query at `max_distance`: chunk
    /// `c` is probed within `radius[c]` of the query's value, or skipped
    /// (`None`). See the module docs for why this is exact.
    fn radii(&self, max_distance: u32) -> impl Iterator<Item = (u32, Option<u32>)> + use<> {
        let (m, w) = (self.chunks, self.bits);
        let (r, a) = (max_distance / m, max_distance % m);
        (0..m).map(move |c| {
            let radius = if c <= a { Some(r) } else { r.checked_sub(1) };
            (c, radius.map(|r| r.min(w)))
        })
    }

    /// Number of buckets a query at `max_distance` probes.
    pub fn probes(&self, max_distance: u32) -> u64 {
        self.radii(max_distance)
            .filter_map(|(_, r)| r)
            .map(|r| ball(self.bits, r))
            .sum()
    }

    fn buckets(&self) -> usize {
        1usize << self.bits
    }
}

impl Default for Layout {
    fn default() -> Layout {
        Layout::DEFAULT
    }
}

/// Number of `w`-bit values within distance `r` of a given one.
fn ball(w: u32, r: u32) -> u64 {
    let mut total = 0u64;
    let mut binom = 1u64; // C(w, k)
    for k in 0..=r.min(w) {
        total += binom;
        binom = binom * u64::from(w - k) / u64::from(k + 1);
    }
    total
}

/// Calls `f` with every `w`-bit mask of at most `radius` set bits, fewest
/// bits first (Gosper's hack for each bit count).
#[inline]
fn for_each_mask(w: u32, radius: u32, mut f: impl FnMut(u32)) {
    let limit = 1u64 << w;
    for k in 0..=radius.min(w) {
        let mut mask: u64 = (1u64 << k) - 1;
        while mask < limit {
            f(mask as u32);
            if mask == 0 {
                break;
            }
            let low = mask & mask.wrapping_neg();
            let ripple = mask + low;
            mask = (((ripple ^ mask) >> 2) >> low.trailing_zeros()) | ripple;
        }
    }
}

/// The hash as four words for the distance: any fixed byte order works
/// for a Hamming distance, and little-endian loads are free.
#[inline(always)]
fn distance_words(h: &[u8; HASH_BYTES]) -> [u64; 4] {
    let w = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&h[i * 8..i * 8 + 8]);
        u64::from_le_bytes(b)
    };
    [w(0), w(1), w(2), w(3)]
}

#[inline(always)]
fn distance(q: &[u64; 4], h: &[u8; HASH_BYTES]) -> u32 {
    let h = distance_words(h);
    popcount4([q[0] ^ h[0], q[1] ^ h[1], q[2] ^ h[2], q[3] ^ h[3]])
}

// Bit counting. The baseline x86-64 target has no popcount instruction, so
// `count_ones` becomes a dozen shifts and masks per word; adding two words'
// partial counts before the last steps (while they fit: a nibble holds up
// to 15, a byte up to 255) does those steps once per pair instead of per
// word. Builds for a CPU with the instruction use it.
const M1: u64 = 0x5555_5555_5555_5555;
const M2: u64 = 0x3333_3333_3333_3333;
const M4: u64 = 0x0f0f_0f0f_0f0f_0f0f;
const H01: u64 = 0x0101_0101_0101_0101;

/// Per-nibble bit counts (each at most 4).
#[inline(always)]
fn nibble_counts(x: u64) -> u64 {
    let x = x - ((x >> 1) & M1);
    (x & M2) + ((x >> 2) & M2)
}

/// Per-byte sums of nibble counts.
#[inline(always)]
fn byte_sums(x: u64) -> u64 {
    (x & M4) + ((x >> 4) & M4)
}

/// Set bits in four words.
#[inline(always)]
fn popcount4(w: [u64; 4]) -> u32 {
    if cfg!(target_feature = "popcnt") {
        return w.iter().map(|x| x.count_ones()).sum();
    }
    // Nibbles: at most 4 + 4 = 8 per pair; bytes: at most 16, and each
    // pair's total at most 128, which the top byte of the product holds
    // (all four words' 256 would not).
    let a = byte_sums(nibble_counts(w[0]) + nibble_counts(w[1]));
    let b = byte_sums(nibble_counts(w[2]) + nibble_counts(w[3]));
    ((a.wrapping_mul(H01) >> 56) + (b.wrapping_mul(H01) >> 56)) as u32
}

/// Set bits in a 32-bit and a 64-bit word.
#[inline(always)]
fn popcount96(lo: u32, hi: u64) -> u32 {
    if cfg!(target_feature = "popcnt") {
        return lo.count_ones() + hi.count_ones();
    }
    let s = byte_sums(nibble_counts(u64::from(lo)) + nibble_counts(hi));
    (s.wrapping_mul(H01) >> 56) as u32
}

/// The hash as a big-endian 256-bit string, first bit first, in five
/// words: the fifth repeats the first, for reads that wrap around.
#[inline]
fn string_words(h: &[u8; HASH_BYTES]) -> [u64; 5] {
    let w = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&h[i * 8..i * 8 + 8]);
        u64::from_be_bytes(b)
    };
    [w(0), w(1), w(2), w(3), w(0)]
}

/// `n` bits (`1..=64`) of the string from bit `pos` on, wrapping from the
/// last bit to the first.
#[inline]
fn bits_at(s: &[u64; 5], pos: u32, n: u32) -> u64 {
    let pos = pos % 256;
    let i = (pos / 64) as usize;
    let pair = (u128::from(s[i]) << 64) | u128::from(s[i + 1]);
    ((pair << (pos % 64)) >> (128 - n)) as u64
}

/// Value of chunk `c`: bits `c·w .. c·w + w`.
#[inline]
fn chunk_value(s: &[u64; 5], c: u32, w: u32) -> u32 {
    bits_at(s, c * w, w) as u32
}

/// The 96 bits that follow chunk `c` (wrapping), as table `c` stores
/// them: the first 32, then the next 64.
#[inline]
fn tail_words(s: &[u64; 5], c: u32, w: u32) -> (u32, u64) {
    let at = c * w + w;
    (bits_at(s, at, 32) as u32, bits_at(s, at + 32, 64))
}

/// A stored tail (`u32` then `u64`, little-endian).
#[inline(always)]
fn tail_bytes((lo, hi): (u32, u64)) -> [u8; TAIL_BYTES] {
    let mut b = [0u8; TAIL_BYTES];
    b[..4].copy_from_slice(&lo.to_le_bytes());
    b[4..].copy_from_slice(&hi.to_le_bytes());
    b
}

#[inline(always)]
fn read_tail(b: &[u8; TAIL_BYTES]) -> (u32, u64) {
    let mut hi = [0u8; 8];
    hi.copy_from_slice(&b[4..]);
    (
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        u64::from_le_bytes(hi),
    )
}

#[inline(always)]
fn le_u32(b: &[u8; 4]) -> u32 {
    u32::from_le_bytes(*b)
}

// ------------------------------------------------------------------ errors

/// Why an index could not be written, opened or verified. Every variant
/// names the file.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}: not a Spoor PDQ index (bad magic bytes)", path.display())]
    NotAnIndex { path: PathBuf },
    #[error(
        "{}: PDQ index layout version {found}, this build reads version {FORMAT_VERSION}",
        path.display()
    )]
    Version { path: PathBuf, found: u32 },
    #[error(
        "{}: truncated PDQ index: it needs {expected} bytes, the file has {actual}",
        path.display()
    )]
    Truncated {
        path: PathBuf,
        expected: u64,
        actual: u64,
    },
    #[error("{}: PDQ index header checksum mismatch (corrupt header)", path.display())]
    HeaderChecksum { path: PathBuf },
    #[error("{}: PDQ index {section} section checksum mismatch", path.display())]
    SectionChecksum { path: PathBuf, section: String },
    #[error("{}: corrupt PDQ index: {reason}", path.display())]
    Corrupt { path: PathBuf, reason: String },
}

impl IndexError {
    fn io(path: &Path, source: io::Error) -> IndexError {
        IndexError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    fn corrupt(path: &Path, reason: impl Into<String>) -> IndexError {
        IndexError::Corrupt {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}

pub type Result<T, E = IndexError> = std::result::Result<T, E>;

// ----------------------------------------------------------------- builder

/// Collects entries in memory and writes an index file.
#[derive(Debug, Default)]
pub struct IndexBuilder {
    layout: Layout,
    hashes: Vec<[u8; HASH_BYTES]>,
    qualities: Vec<u8>,
}

impl IndexBuilder {
    /// A builder with the default [`Layout`].
    pub fn new() -> IndexBuilder {
        IndexBuilder::with_layout(Layout::DEFAULT)
    }

    pub fn with_layout(layout: Layout) -> IndexBuilder {
        IndexBuilder {
            layout,
            hashes: Vec::new(),
            qualities: Vec::new(),
        }
    }

    /// Room for `additional` more entries.
    pub fn reserve(&mut self, additional: usize) {
        self.hashes.reserve(additional);
        self.qualities.reserve(additional);
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Adds an entry and returns its id: ids count from 0 in push order.
    ///
    /// # Panics
    /// Past `u32::MAX` entries (about 140 GB of hashes).
    pub fn push(&mut self, entry: PdqEntry) -> u32 {
        let id = u32::try_from(self.hashes.len())
            .ok()
            .filter(|&id| id < u32::MAX);
        let Some(id) = id else {
            panic!("a PDQ index holds at most {} entries", u32::MAX);
        };
        self.hashes.push(entry.hash.0);
        self.qualities.push(entry.quality);
        id
    }

    /// Writes the index to `path` atomically: into a temporary file in the
    /// same folder, synced, then renamed over `path`.
    pub fn build(&self, path: &Path) -> Result<()> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".pdq-index-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| IndexError::io(dir, e))?;
        let tmp_path = tmp.path().to_path_buf();
        self.write(tmp.as_file())
            .map_err(|e| IndexError::io(&tmp_path, e))?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| IndexError::io(&tmp_path, e))?;
        tmp.persist(path)
            .map_err(|e| IndexError::io(path, e.error))?;
        // Make the rename itself durable; not every platform can sync a
        // folder, so a failure here is not an error.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    fn write(&self, file: &File) -> io::Result<()> {
        let n = self.hashes.len();
        let layout = self.layout;
        let section_count = 2 + CHUNK_SECTIONS * layout.chunks as usize;
        let header_len = header_len(section_count);
        let mut out = SectionWriter {
            inner: BufWriter::with_capacity(1 << 20, file),
            pos: 0,
            crc: crc32fast::Hasher::new(),
        };
        out.put(&vec![0u8; header_len])?;
        let mut sections = Vec::with_capacity(section_count);

        let start = out.begin()?;
        out.put(self.hashes.as_flattened())?;
        sections.push(out.end(start));

        let start = out.begin()?;
        out.put(&self.qualities)?;
        sections.push(out.end(start));

        for c in 0..layout.chunks {
            let table = Table::sort(&self.hashes, layout, c);
            let start = out.begin()?;
            out.put_u32s(&table.offsets)?;
            sections.push(out.end(start));
            for part in [Part::Tails, Part::Ids] {
                let start = out.begin()?;
                table.for_each_group(part, |bytes| out.put(bytes))?;
                sections.push(out.end(start));
            }
        }
        let file_len = out.pos;
        out.inner.flush()?;
        let mut file = out.inner.into_inner().map_err(|e| e.into_error())?;

        let header = Header {
            header_len,
            entries: n as u64,
            layout,
            file_len,
            sections,
        };
        file.seek(SeekFrom::Start(0))?;
        file.write_all(&header.encode())?;
        file.flush()
    }
}

/// One chunk's table while it is built: the entries grouped by the top
/// bits of their chunk value (the first pass of a radix sort), sorted the
/// rest of the way one group at a time as they are written. Both passes
/// read and write memory in order; a plain counting sort that fetched each
/// entry's hash in bucket order would wait on a cache miss per entry.
struct Table {
    /// `2^w + 1` bucket starts.
    offsets: Vec<u32>,
    /// Entries (tail and id) in group order, in id order within a group.
    grouped: Vec<(u32, u64, u32)>,
    /// Each grouped entry's chunk value, less the group bits.
    low: Vec<u16>,
    /// Chunk-value bits below the group bits.
    shift: u32,
}

/// Which table section to produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Tails,
    Ids,
}

impl Table {
    /// At most 2^10 groups, so the first pass writes to few enough places
    /// at once to stay in cache.
    const GROUP_BITS: u32 = 10;

    fn sort(hashes: &[[u8; HASH_BYTES]], layout: Layout, c: u32) -> Table {
        let w = layout.bits;
        let shift = w.saturating_sub(Table::GROUP_BITS);
        let mut offsets = vec![0u32; layout.buckets() + 1];
        for h in hashes {
            offsets[chunk_value(&string_words(h), c, w) as usize + 1] += 1;
        }
        for b in 1..offsets.len() {
            offsets[b] += offsets[b - 1];
        }
        let mut cursor: Vec<u32> = offsets.iter().step_by(1 << shift).copied().collect();
        let mut grouped = vec![(0u32, 0u64, 0u32); hashes.len()];
        let mut low = vec![0u16; hashes.len()];
        for (id, h) in hashes.iter().enumerate() {
            let s = string_words(h);
            let v = chunk_value(&s, c, w);
            let (lo, hi) = tail_words(&s, c, w);
            let slot = &mut cursor[(v >> shift) as usize];
            grouped[*slot as usize] = (lo, hi, id as u32);
            low[*slot as usize] = (v & ((1 << shift) - 1)) as u16;
            *slot += 1;
        }
        Table {
            offsets,
            grouped,
            low,
            shift,
        }
    }

    /// One section's bytes in bucket order, a group at a time: each group
    /// is sorted by the low bits of the chunk value (stably, so ids stay
    /// ascending in a bucket).
    fn for_each_group<E>(
        &self,
        part: Part,
        mut f: impl FnMut(&[u8]) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let per_group = 1usize << self.shift;
        let mut cursor = vec![0u32; per_group];
        let mut sorted: Vec<(u32, u64, u32)> = Vec::new();
        let mut bytes: Vec<u8> = Vec::new();
        let group_starts: Vec<u32> = self.offsets.iter().step_by(per_group).copied().collect();
        for bounds in group_starts.windows(2) {
            let (start, end) = (bounds[0] as usize, bounds[1] as usize);
            sorted.clear();
            sorted.resize(end - start, (0, 0, 0));
            // Bucket starts of this group, relative to the group.
            cursor.fill(0);
            for &l in &self.low[start..end] {
                cursor[l as usize] += 1;
            }
            let mut sum = 0u32;
            for slot in cursor.iter_mut() {
                let count = *slot;
                *slot = sum;
                sum += count;
            }
            for (e, &l) in self.grouped[start..end].iter().zip(&self.low[start..end]) {
                let slot = &mut cursor[l as usize];
                sorted[*slot as usize] = *e;
                *slot += 1;
            }
            bytes.clear();
            match part {
                Part::Tails => {
                    bytes.extend(sorted.iter().flat_map(|&(lo, hi, _)| tail_bytes((lo, hi))))
                }
                Part::Ids => bytes.extend(sorted.iter().flat_map(|&(_, _, id)| id.to_le_bytes())),
            }
            f(&bytes)?;
        }
        Ok(())
    }
}

fn header_len(section_count: usize) -> usize {
    let raw = HEADER_FIXED + SECTION_ENTRY * section_count + 4;
    raw.div_ceil(ALIGN as usize) * ALIGN as usize
}

/// A buffered writer that knows its position and checksums one section.
struct SectionWriter<'a> {
    inner: BufWriter<&'a File>,
    pos: u64,
    crc: crc32fast::Hasher,
}

impl SectionWriter<'_> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.inner.write_all(bytes)?;
        self.crc.update(bytes);
        self.pos += bytes.len() as u64;
        Ok(())
    }

    fn put_u32s(&mut self, values: &[u32]) -> io::Result<()> {
        let mut buf = Vec::with_capacity(4 * 16384);
        for chunk in values.chunks(16384) {
            buf.clear();
            buf.extend(chunk.iter().flat_map(|v| v.to_le_bytes()));
            self.put(&buf)?;
        }
        Ok(())
    }

    /// Pads to the next section boundary and starts a checksum.
    fn begin(&mut self) -> io::Result<u64> {
        let pad = self.pos.next_multiple_of(ALIGN) - self.pos;
        self.put(&vec![0u8; pad as usize])?;
        self.crc = crc32fast::Hasher::new();
        Ok(self.pos)
    }

    fn end(&mut self, start: u64) -> Section {
        let crc = std::mem::take(&mut self.crc).finalize();
        Section {
            offset: start,
            len: self.pos - start,
            crc,
        }
    }
}

// ------------------------------------------------------------------ header

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Section {
    offset: u64,
    len: u64,
    crc: u32,
}

#[derive(Debug)]
struct Header {
    header_len: usize,
    entries: u64,
    layout: Layout,
    file_len: u64,
    sections: Vec<Section>,
}

impl Header {
    fn encode(&self) -> Vec<u8> {
        let mut h = Vec::with_capacity(self.header_len);
        h.extend_from_slice(MAGIC);
        h.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        h.extend_from_slice(&(self.header_len as u32).to_le_bytes());
        h.extend_from_slice(&self.entries.to_le_bytes());
        h.extend_from_slice(&self.layout.chunks.to_le_bytes());
        h.extend_from_slice(&self.layout.bits.to_le_bytes());
        h.extend_from_slice(&self.file_len.to_le_bytes());
        h.extend_from_slice(&(self.sections.len() as u32).to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes());
        for s in &self.sections {
            h.extend_from_slice(&s.offset.to_le_bytes());
            h.extend_from_slice(&s.len.to_le_bytes());
            h.extend_from_slice(&s.crc.to_le_bytes());
            h.extend_from_slice(&0u32.to_le_bytes());
        }
        let crc = crc32fast::hash(&h);
        h.extend_from_slice(&crc.to_le_bytes());
        h.resize(self.header_len, 0);
        h
    }

    /// Reads and checks a header against the file's `bytes`.
    fn decode(path: &Path, bytes: &[u8]) -> Result<Header> {
        let actual = bytes.len() as u64;
        let truncated = |expected: u64| IndexError::Truncated {
            path: path.to_path_buf(),
            expected,
            actual,
        };
        if bytes.len() < MAGIC.len() {
            return Err(if MAGIC.starts_with(bytes) {
                truncated(HEADER_FIXED as u64)
            } else {
                IndexError::NotAnIndex {
                    path: path.to_path_buf(),
                }
            });
        }
        if &bytes[..MAGIC.len()] != MAGIC {
            return Err(IndexError::NotAnIndex {
                path: path.to_path_buf(),
            });
        }
        if bytes.len() < HEADER_FIXED {
            return Err(truncated(HEADER_FIXED as u64));
        }
        let u32_at = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let u64_at = |at: usize| u64::from(u32_at(at)) | (u64::from(u32_at(at + 4)) << 32);
        let version = u32_at(8);
        if version != FORMAT_VERSION {
            return Err(IndexError::Version {
                path: path.to_path_buf(),
                found: version,
            });
        }
        let header_len_field = u32_at(12) as usize;
        let section_count = u32_at(40) as usize;
        // At most 256 chunks, so at most 2 + 512 sections.
        if section_count > 2 + CHUNK_SECTIONS * 256 || header_len_field != header_len(section_count)
        {
            return Err(IndexError::HeaderChecksum {
                path: path.to_path_buf(),
            });
        }
        if bytes.len() < header_len_field {
            return Err(truncated(header_len_field as u64));
        }
        let crc_at = HEADER_FIXED + SECTION_ENTRY * section_count;
        if crc32fast::hash(&bytes[..crc_at]) != u32_at(crc_at) {
            return Err(IndexError::HeaderChecksum {
                path: path.to_path_buf(),
            });
        }
        let file_len = u64_at(32);
        if actual < file_len {
            return Err(truncated(file_len));
        }
        if actual > file_len {
            return Err(IndexError::corrupt(
                path,
                format!("{} bytes after the end of the index", actual - file_len),
            ));
        }
        let entries = u64_at(16);
        let Some(layout) = Layout::new(u32_at(24), u32_at(28)) else {
            return Err(IndexError::corrupt(
                path,
                format!(
                    "no such layout: {} chunks of {} bits",
                    u32_at(24),
                    u32_at(28)
                ),
            ));
        };
        if entries >= u64::from(u32::MAX) {
            return Err(IndexError::corrupt(path, format!("{entries} entries")));
        }
        if section_count != 2 + CHUNK_SECTIONS * layout.chunks as usize {
            return Err(IndexError::corrupt(
                path,
                format!("{section_count} sections for {} chunks", layout.chunks),
            ));
        }
        let sections: Vec<Section> = (0..section_count)
            .map(|i| {
                let at = HEADER_FIXED + SECTION_ENTRY * i;
                Section {
                    offset: u64_at(at),
                    len: u64_at(at + 8),
                    crc: u32_at(at + 16),
                }
            })
            .collect();
        let mut end = header_len_field as u64;
        for (i, s) in sections.iter().enumerate() {
            let want = match i {
                0 => entries * HASH_BYTES as u64,
                1 => entries,
                i => match (i - 2) % CHUNK_SECTIONS {
                    0 => 4 * (layout.buckets() as u64 + 1),
                    1 => TAIL_BYTES as u64 * entries,
                    _ => 4 * entries,
                },
            };
            let fits = s.offset % ALIGN == 0
                && s.offset >= end
                && s.len == want
                && s.offset.checked_add(s.len).is_some_and(|e| e <= file_len);
            if !fits {
                return Err(IndexError::corrupt(
                    path,
                    format!(
                        "{} section at {} of {} bytes does not fit the layout",
                        section_name(i),
                        s.offset,
                        s.len
                    ),
                ));
            }
            end = s.offset + s.len;
        }
        Ok(Header {
            header_len: header_len_field,
            entries,
            layout,
            file_len,
            sections,
        })
    }
}

fn section_name(i: usize) -> String {
    match i {
        0 => "hashes".to_string(),
        1 => "qualities".to_string(),
        i => {
            let part = ["offsets", "tails", "ids"][(i - 2) % CHUNK_SECTIONS];
            format!("chunk {} {part}", (i - 2) / CHUNK_SECTIONS)
        }
    }
}

/// Map a whole index file read-only.
#[allow(unsafe_code)]
fn map_file(path: &Path, file: &File) -> Result<Mmap> {
    // SAFETY: index files are written once into a temporary file, synced,
    // and renamed into place; no code modifies one in place afterwards (a
    // rebuild renames a new file over it, and a mapping of a replaced or
    // deleted file stays valid). The mapped bytes are treated as untrusted
    // input: the header is checked on open, every read goes through
    // bounds-checked slices, and `verify` checks the section checksums.
    unsafe { Mmap::map(file) }.map_err(|e| IndexError::io(path, e))
}

// ------------------------------------------------------------------- index

/// One result of [`PdqIndex::query_dihedral`]: the entry, its distance to
/// the nearest variant of the query, and that variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct NearMatch {
    pub id: u32,
    pub distance: u32,
    pub variant: Dihedral,
}

/// How a query at a given distance is answered.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum QueryPlan {
    /// Look up `probes` buckets and scan about `expected_scanned` table
    /// entries in them (for uniformly random hashes).
    Tables { probes: u64, expected_scanned: f64 },
    /// Compare with every entry: the tables would do more work (very large
    /// distances, or a small index).
    Scan,
}

/// Work done by one query.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct QueryStats {
    /// Buckets looked up (0 for a scan).
    pub probes: u64,
    /// Table entries scanned: their chunk is close to the query's, and
    /// the 96 bits stored beside the id are compared.
    pub scanned: u64,
    /// Full 256-bit comparisons made: entries that passed the 96-bit test
    /// (for a scan, every entry).
    pub verified: u64,
}

/// Per-thread buffers of a query, kept between queries.
#[derive(Debug, Default)]
struct Scratch {
    /// Bucket bounds and the distance budget left for the rest of the hash.
    ranges: Vec<(u32, u32, u32)>,
    candidates: Vec<u32>,
    probes: u64,
    scanned: u64,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// A memory-mapped PDQ index. Queries take `&self` and hold no lock: share
/// one index between threads.
#[derive(Debug)]
pub struct PdqIndex {
    path: PathBuf,
    map: Mmap,
    header: Header,
    len: usize,
}

impl PdqIndex {
    /// Maps `path` and checks its header. Costs O(1) whatever the size:
    /// the section checksums are checked by [`PdqIndex::verify`].
    pub fn open(path: &Path) -> Result<PdqIndex> {
        let file = File::open(path).map_err(|e| IndexError::io(path, e))?;
        let actual = file.metadata().map_err(|e| IndexError::io(path, e))?.len();
        if actual < HEADER_FIXED as u64 {
            // Too short to map usefully; read what there is to say why.
            let mut bytes = Vec::new();
            (&file)
                .take(HEADER_FIXED as u64)
                .read_to_end(&mut bytes)
                .map_err(|e| IndexError::io(path, e))?;
            Header::decode(path, &bytes)?;
            return Err(IndexError::Truncated {
                path: path.to_path_buf(),
                expected: HEADER_FIXED as u64,
                actual,
            });
        }
        let map = map_file(path, &file)?;
        let header = Header::decode(path, &map)?;
        Ok(PdqIndex {
            path: path.to_path_buf(),
            len: header.entries as usize,
            map,
            header,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn layout(&self) -> Layout {
        self.header.layout
    }

    /// Size of the file in bytes.
    pub fn file_len(&self) -> u64 {
        self.header.file_len
    }

    fn section(&self, i: usize) -> &[u8] {
        let s = self.header.sections[i];
        // Checked against the file length when the header was read.
        &self.map[s.offset as usize..(s.offset + s.len) as usize]
    }

    fn hashes(&self) -> &[[u8; HASH_BYTES]] {
        self.section(0).as_chunks().0
    }

    fn qualities(&self) -> &[u8] {
        self.section(1)
    }

    fn offsets(&self, chunk: u32) -> &[[u8; 4]] {
        self.section(2 + CHUNK_SECTIONS * chunk as usize)
            .as_chunks()
            .0
    }

    fn tails(&self, chunk: u32) -> &[[u8; TAIL_BYTES]] {
        self.section(3 + CHUNK_SECTIONS * chunk as usize)
            .as_chunks()
            .0
    }

    fn ids(&self, chunk: u32) -> &[[u8; 4]] {
        self.section(4 + CHUNK_SECTIONS * chunk as usize)
            .as_chunks()
            .0
    }

    /// Entry `id`, if there is one.
    pub fn get(&self, id: u32) -> Option<PdqEntry> {
        let hash = *self.hashes().get(id as usize)?;
        let quality = *self.qualities().get(id as usize)?;
        Some(PdqEntry {
            hash: PdqHash(hash),
            quality,
        })
    }

    /// Entry `id`.
    ///
    /// # Panics
    /// If `id >= self.len()`.
    pub fn entry(&self, id: u32) -> PdqEntry {
        match self.get(id) {
            Some(e) => e,
            None => panic!("PDQ index entry {id} out of range (len {})", self.len),
        }
    }

    /// How [`PdqIndex::query`] answers a query at `max_distance`.
    pub fn plan(&self, max_distance: u32) -> QueryPlan {
        let layout = self.header.layout;
        let probes = layout.probes(max_distance);
        let expected_scanned = self.len as f64 * probes as f64 / layout.buckets() as f64;
        // A table entry costs about what a hash costs in a scan; a probe is
        // a cache miss or two, worth a few dozen sequential entries.
        if 32.0 * probes as f64 + expected_scanned < self.len as f64 {
            QueryPlan::Tables {
                probes,
                expected_scanned,
            }
        } else {
            QueryPlan::Scan
        }
    }

    /// Entries within `max_distance` of `query` with quality at least
    /// `min_quality`, as `(id, distance)` sorted by distance then id, in
    /// `out` (cleared first). Exactly the entries
    /// [`PdqIndex::brute_force`] finds.
    pub fn query(
        &self,
        query: &PdqHash,
        max_distance: u32,
        min_quality: u8,
        out: &mut Vec<(u32, u32)>,
    ) -> QueryStats {
        match self.plan(max_distance) {
            QueryPlan::Scan => self.brute_force(query, max_distance, min_quality, out),
            QueryPlan::Tables { .. } => self.query_tables(query, max_distance, min_quality, out),
        }
    }

    /// [`PdqIndex::query`] through the tables whatever the plan says (for
    /// tests and measurements).
    pub fn query_tables(
        &self,
        query: &PdqHash,
        max_distance: u32,
        min_quality: u8,
        out: &mut Vec<(u32, u32)>,
    ) -> QueryStats {
        out.clear();
        SCRATCH.with_borrow_mut(|scratch| {
            self.scan_tables(query, max_distance, scratch);
            // A near entry passes in most of its chunks' tables: check it
            // once. (Candidates are few: near entries and rare chance.)
            scratch.candidates.sort_unstable();
            scratch.candidates.dedup();
            let (hashes, qualities) = (self.hashes(), self.qualities());
            let q = distance_words(&query.0);
            for &id in &scratch.candidates {
                let Some(h) = hashes.get(id as usize) else {
                    continue;
                };
                let d = distance(&q, h);
                if d <= max_distance
                    && qualities
                        .get(id as usize)
                        .is_some_and(|&ql| ql >= min_quality)
                {
                    out.push((id, d));
                }
            }
            out.sort_unstable_by_key(|&(id, d)| (d, id));
            QueryStats {
                probes: scratch.probes,
                scanned: scratch.scanned,
                verified: scratch.candidates.len() as u64,
            }
        })
    }

    /// The table part of a query: into `scratch.candidates`, the ids of
    /// the entries whose chunk and 96 following bits are together within
    /// `max_distance` of the query's. That is a lower bound of the full
    /// distance, so no match is lost; for random hashes almost nothing
    /// else passes.
    ///
    /// Per chunk, first the bucket bounds of every probe (with 16-bit
    /// chunks the offset tables are 256 KiB each and stay in cache), then
    /// the buckets: each is a run of 12-byte tails read in order, so the
    /// cost is a few cache misses per probe, not one per candidate.
    fn scan_tables(&self, query: &PdqHash, max_distance: u32, scratch: &mut Scratch) {
        let (m, w) = (self.header.layout.chunks, self.header.layout.bits);
        let s = string_words(&query.0);
        scratch.candidates.clear();
        scratch.probes = 0;
        scratch.scanned = 0;
        for (c, radius) in self.header.layout.radii(max_distance) {
            let Some(radius) = radius else { continue };
            debug_assert!(c < m);
            let (offsets, tails, ids) = (self.offsets(c), self.tails(c), self.ids(c));
            let value = chunk_value(&s, c, w);
            let (q_lo, q_hi) = tail_words(&s, c, w);
            scratch.ranges.clear();
            for_each_mask(w, radius, |mask| {
                let b = (value ^ mask) as usize;
                if let (Some(start), Some(end)) = (offsets.get(b), offsets.get(b + 1)) {
                    // radius <= max_distance / m, so this cannot underflow.
                    let budget = max_distance - mask.count_ones();
                    scratch.ranges.push((le_u32(start), le_u32(end), budget));
                }
            });
            scratch.probes += scratch.ranges.len() as u64;
            // Touch each cache line of the buckets first (a tail every 60
            // bytes): these loads are independent, so the memory system
            // fetches many lines at once, and the scan below finds them in
            // cache instead of waiting line by line.
            let mut touched = 0u8;
            for &(start, end, _) in &scratch.ranges {
                if let Some(bucket) = tails.get(start as usize..end as usize) {
                    for t in bucket.iter().step_by(64 / TAIL_BYTES) {
                        touched ^= t[0];
                    }
                }
            }
            std::hint::black_box(touched);
            for &(start, end, budget) in &scratch.ranges {
                let Some(bucket) = tails.get(start as usize..end as usize) else {
                    continue;
                };
                scratch.scanned += bucket.len() as u64;
                for (i, t) in bucket.iter().enumerate() {
                    let (lo, hi) = read_tail(t);
                    if popcount96(lo ^ q_lo, hi ^ q_hi) <= budget
                        && let Some(id) = ids.get(start as usize + i)
                    {
                        scratch.candidates.push(le_u32(id));
                    }
                }
            }
        }
    }

    /// Compares `query` with every entry: the reference answer for
    /// [`PdqIndex::query`], with the same arguments and result.
    pub fn brute_force(
        &self,
        query: &PdqHash,
        max_distance: u32,
        min_quality: u8,
        out: &mut Vec<(u32, u32)>,
    ) -> QueryStats {
        out.clear();
        let q = distance_words(&query.0);
        let (hashes, qualities) = (self.hashes(), self.qualities());
        for (id, (h, &ql)) in hashes.iter().zip(qualities).enumerate() {
            let d = distance(&q, h);
            if d <= max_distance && ql >= min_quality {
                out.push((id as u32, d));
            }
        }
        out.sort_unstable_by_key(|&(id, d)| (d, id));
        QueryStats {
            probes: 0,
            scanned: 0,
            verified: hashes.len() as u64,
        }
    }

    /// Entries within `max_distance` of any of the eight variants, each
    /// once with its nearest variant (the first in [`Dihedral::ALL`] order
    /// on a tie), sorted by distance then id. The query's own quality
    /// (`variants.quality`) is the caller's to check.
    pub fn query_dihedral(
        &self,
        variants: &DihedralHashes,
        max_distance: u32,
        min_quality: u8,
    ) -> Vec<NearMatch> {
        let mut all = Vec::new();
        let mut hits = Vec::new();
        for (rank, (variant, hash)) in variants.iter().enumerate() {
            self.query(&hash, max_distance, min_quality, &mut hits);
            all.extend(
                hits.iter()
                    .map(|&(id, distance)| (id, distance, rank, variant)),
            );
        }
        all.sort_unstable_by_key(|&(id, distance, rank, _)| (id, distance, rank));
        all.dedup_by_key(|m| m.0);
        let mut out: Vec<NearMatch> = all
            .into_iter()
            .map(|(id, distance, _, variant)| NearMatch {
                id,
                distance,
                variant,
            })
            .collect();
        out.sort_unstable_by_key(|m| (m.distance, m.id));
        out
    }

    /// Reads the whole file: checks every section checksum, then that the
    /// tables hold each entry exactly once, in the bucket of its chunk
    /// value. A file that passes answers queries exactly.
    pub fn verify(&self) -> Result<()> {
        for (i, s) in self.header.sections.iter().enumerate() {
            if crc32fast::hash(self.section(i)) != s.crc {
                return Err(IndexError::SectionChecksum {
                    path: self.path.clone(),
                    section: section_name(i),
                });
            }
        }
        // The tables must be exactly what a build makes of the hashes:
        // rebuild each one (sequential passes, as in a build) and compare.
        let hashes = self.hashes();
        for c in 0..self.header.layout.chunks {
            let corrupt =
                |what: &str| IndexError::corrupt(&self.path, format!("chunk {c}: {what}"));
            let table = Table::sort(hashes, self.header.layout, c);
            let offsets = self.section(2 + CHUNK_SECTIONS * c as usize);
            let same_offsets = offsets
                .as_chunks::<4>()
                .0
                .iter()
                .map(le_u32)
                .eq(table.offsets.iter().copied());
            if !same_offsets {
                return Err(corrupt("bucket offsets do not match the hashes"));
            }
            for (i, part) in [(3, Part::Tails), (4, Part::Ids)] {
                let mut stored = self.section(i + CHUNK_SECTIONS * c as usize);
                table.for_each_group(part, |bytes| match stored.split_at_checked(bytes.len()) {
                    Some((head, rest)) if head == bytes => {
                        stored = rest;
                        Ok(())
                    }
                    _ => Err(corrupt("table entries do not match the hashes")),
                })?;
            }
        }
        Ok(())
    }
}

// ------------------------------------------------------------------- lists

/// Why a line of a PDQ list or CSV could not be read.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct ListError {
    /// 1-based line number.
    pub line: u64,
    pub kind: ListErrorKind,
}

#[derive(Debug, thiserror::Error)]
pub enum ListErrorKind {
    #[error("read failed: {0}")]
    Io(#[source] io::Error),
    #[error("not UTF-8 text")]
    NotText,
    #[error("bad PDQ hash {text:?}: {reason}")]
    Hash {
        text: String,
        reason: ParseHashError,
    },
    #[error("bad quality {0:?}: expected a whole number from 0 to 100")]
    Quality(String),
    #[error("{0} comma-separated fields, expected `hash` or `hash,quality`")]
    Fields(usize),
    #[error("no {0} column in the CSV header")]
    NoColumn(String),
    #[error("the row has no {0} cell")]
    MissingCell(String),
    #[error("CSV: {0}")]
    Csv(String),
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= 80 {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(77).collect();
        short.push_str("...");
        short
    }
}

fn parse_hash(text: &str) -> Result<PdqHash, ListErrorKind> {
    text.parse().map_err(|reason| ListErrorKind::Hash {
        text: shorten(text),
        reason,
    })
}

fn parse_quality(text: &str) -> Result<u8, ListErrorKind> {
    if text.is_empty() {
        return Ok(BARE_HASH_QUALITY);
    }
    text.parse::<u8>()
        .ok()
        .filter(|&q| q <= 100)
        .ok_or_else(|| ListErrorKind::Quality(shorten(text)))
}

fn parse_list_line(text: &str) -> Result<PdqEntry, ListErrorKind> {
    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
    match fields.as_slice() {
        [hash] => Ok(PdqEntry {
            hash: parse_hash(hash)?,
            quality: BARE_HASH_QUALITY,
        }),
        [hash, quality] if !quality.is_empty() => Ok(PdqEntry {
            hash: parse_hash(hash)?,
            quality: parse_quality(quality)?,
        }),
        [_, _] => Err(ListErrorKind::Quality(String::new())),
        _ => Err(ListErrorKind::Fields(fields.len())),
    }
}

/// Reads a plain PDQ list: one `hash` or `hash,quality` per line (spaces
/// around fields and CRLF endings allowed; blank lines and lines starting
/// with `#` skipped). A bare hash gets [`BARE_HASH_QUALITY`].
///
/// Yields `(line number, entry)`; a bad line yields an error naming it and
/// reading goes on, so the caller can record it and keep the rest. A read
/// error ends the list.
///
/// ```
/// let text = "# known\n\
///     f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22,87\n\
///     not-a-hash\n";
/// let lines: Vec<_> = spoor_pdq::index::parse_pdq_list(text.as_bytes()).collect();
/// let (line, entry) = lines[0].as_ref().expect("good line");
/// assert_eq!((*line, entry.quality), (2, 87));
/// assert_eq!(lines[1].as_ref().map_err(|e| e.line).unwrap_err(), 3);
/// ```
pub fn parse_pdq_list<R: BufRead>(reader: R) -> PdqList<R> {
    PdqList {
        reader,
        line: 0,
        buf: Vec::new(),
        done: false,
    }
}

/// Iterator returned by [`parse_pdq_list`].
#[derive(Debug)]
pub struct PdqList<R> {
    reader: R,
    line: u64,
    buf: Vec<u8>,
    done: bool,
}

impl<R: BufRead> Iterator for PdqList<R> {
    type Item = Result<(u64, PdqEntry), ListError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.buf.clear();
            let line = self.line + 1;
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => self.done = true,
                Ok(_) => {
                    self.line = line;
                    let fail = |kind| Some(Err(ListError { line, kind }));
                    let Ok(text) = std::str::from_utf8(&self.buf) else {
                        return fail(ListErrorKind::NotText);
                    };
                    let text = text.trim_start_matches('\u{feff}').trim();
                    if text.is_empty() || text.starts_with('#') {
                        continue;
                    }
                    return Some(
                        parse_list_line(text)
                            .map(|e| (line, e))
                            .map_err(|kind| ListError { line, kind }),
                    );
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(ListError {
                        line,
                        kind: ListErrorKind::Io(e),
                    }));
                }
            }
        }
        None
    }
}

/// Header names (compared lower-case, without `-`, `_` and spaces) taken
/// as the hash column, best first.
const CSV_HASH_COLUMNS: [&str; 5] = ["pdq", "pdqhash", "hash", "signal", "signalvalue"];
/// Header names taken as the quality column, best first.
const CSV_QUALITY_COLUMNS: [&str; 2] = ["pdqquality", "quality"];

fn header_key(cell: &str) -> String {
    cell.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// PDQ hashes from a column of a CSV file with a header row. Yields
/// `(line number, entry)` like [`parse_pdq_list`]; an empty quality cell
/// (or no quality column) gives [`BARE_HASH_QUALITY`].
pub struct PdqCsv<R> {
    records: csv::StringRecordsIntoIter<R>,
    hash_col: usize,
    quality_col: Option<usize>,
    hash_name: String,
}

impl<R> std::fmt::Debug for PdqCsv<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdqCsv")
            .field("hash_col", &self.hash_col)
            .field("quality_col", &self.quality_col)
            .field("hash_name", &self.hash_name)
            .finish_non_exhaustive()
    }
}

impl<R: Read> PdqCsv<R> {
    /// Finds the columns by header name: the hash in `pdq`, `pdq_hash`,
    /// `hash`, `signal` or `signal_value` (the first of these present), the
    /// quality in `pdq_quality` or `quality` if there is one.
    pub fn new(reader: R) -> Result<PdqCsv<R>, ListError> {
        PdqCsv::open(reader, &CSV_HASH_COLUMNS, &CSV_QUALITY_COLUMNS)
    }

    /// The hash in column `hash_column`, the quality in `quality_column`
    /// (header names, matched as in [`PdqCsv::new`]).
    pub fn with_columns(
        reader: R,
        hash_column: &str,
        quality_column: Option<&str>,
    ) -> Result<PdqCsv<R>, ListError> {
        let quality: Vec<&str> = quality_column.into_iter().collect();
        let csv = PdqCsv::open(reader, &[hash_column], &quality)?;
        if let (Some(name), None) = (quality_column, csv.quality_col) {
            return Err(ListError {
                line: 1,
                kind: ListErrorKind::NoColumn(name.to_string()),
            });
        }
        Ok(csv)
    }

    fn open(
        reader: R,
        hash_names: &[&str],
        quality_names: &[&str],
    ) -> Result<PdqCsv<R>, ListError> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(reader);
        let headers = rdr.headers().map_err(|e| ListError {
            line: 1,
            kind: ListErrorKind::Csv(e.to_string()),
        })?;
        let keys: Vec<String> = headers.iter().map(header_key).collect();
        let find = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| keys.iter().position(|k| *k == header_key(n)))
        };
        let Some(hash_col) = find(hash_names) else {
            return Err(ListError {
                line: 1,
                kind: ListErrorKind::NoColumn(hash_names.join(" / ")),
            });
        };
        let quality_col = find(quality_names);
        Ok(PdqCsv {
            hash_name: headers.get(hash_col).unwrap_or_default().to_string(),
            records: rdr.into_records(),
            hash_col,
            quality_col,
        })
    }
}

impl<R: Read> Iterator for PdqCsv<R> {
    type Item = Result<(u64, PdqEntry), ListError>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = self.records.next()?;
        let line = |pos: Option<&csv::Position>| pos.map_or(0, csv::Position::line);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                return Some(Err(ListError {
                    line: line(e.position()),
                    kind: ListErrorKind::Csv(e.to_string()),
                }));
            }
        };
        let line = line(record.position());
        let entry = (|| {
            let hash = record
                .get(self.hash_col)
                .filter(|h| !h.is_empty())
                .ok_or_else(|| ListErrorKind::MissingCell(self.hash_name.clone()))?;
            let quality = match self.quality_col.and_then(|c| record.get(c)) {
                Some(q) => parse_quality(q)?,
                None => BARE_HASH_QUALITY,
            };
            Ok(PdqEntry {
                hash: parse_hash(hash)?,
                quality,
            })
        })();
        Some(
            entry
                .map(|e| (line, e))
                .map_err(|kind| ListError { line, kind }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_counts_match_count_ones() {
        let mut x = 0x0123_4567_89ab_cdef_u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut cases = vec![[0u64; 4], [u64::MAX; 4], [u64::MAX, 0, u64::MAX, 1]];
        cases.extend((0..10_000).map(|_| [next(), next() & next(), next() | next(), next()]));
        for w in cases {
            let want: u32 = w.iter().map(|x| x.count_ones()).sum();
            assert_eq!(popcount4(w), want, "{w:x?}");
            let want = (w[0] as u32).count_ones() + w[1].count_ones();
            assert_eq!(popcount96(w[0] as u32, w[1]), want, "{w:x?}");
        }
    }

    #[test]
    fn ball_sizes() {
        assert_eq!(ball(16, 0), 1);
        assert_eq!(ball(16, 1), 17);
        assert_eq!(ball(16, 2), 137);
        assert_eq!(ball(23, 2), 277);
        assert_eq!(ball(8, 8), 256);
        assert_eq!(ball(8, 20), 256);
    }

    #[test]
    fn masks_enumerate_the_ball_once() {
        for (w, r) in [
            (8u32, 0u32),
            (8, 1),
            (8, 3),
            (8, 8),
            (12, 2),
            (16, 2),
            (5, 9),
        ] {
            let mut seen = std::collections::HashSet::new();
            for_each_mask(w, r, |m| {
                assert!(m < (1 << w));
                assert!(m.count_ones() <= r);
                assert!(seen.insert(m), "{w} {r}: {m:b} twice");
            });
            assert_eq!(seen.len() as u64, ball(w, r), "{w} bits radius {r}");
        }
    }

    #[test]
    fn radii_follow_the_pigeonhole() {
        let l = |m, w| Layout::new(m, w).expect("layout");
        let radii = |layout: Layout, d| layout.radii(d).map(|(_, r)| r).collect::<Vec<_>>();
        // d = 31 = 16·1 + 15: every chunk within 1.
        assert_eq!(radii(l(16, 16), 31), vec![Some(1); 16]);
        // d = 32 = 16·2 + 0: the first within 2, the others within 1.
        let mut want = vec![Some(1); 16];
        want[0] = Some(2);
        assert_eq!(radii(l(16, 16), 32), want);
        // d = 3 < m: the first four chunks exactly, the rest skipped.
        let mut want = vec![None; 16];
        want[..4].fill(Some(0));
        assert_eq!(radii(l(16, 16), 3), want);
        assert_eq!(l(16, 16).probes(31), 272);
        assert_eq!(l(16, 16).probes(32), 137 + 15 * 17);
        assert_eq!(Layout::DEFAULT.probes(31), 272);
        // d = 31 = 11·2 + 9: ten chunks within 2, the last within 1.
        assert_eq!(l(11, 23).probes(31), 10 * 277 + 24);
    }

    #[test]
    fn bits_read_the_string_in_order_and_wrap() {
        let mut h = PdqHash::ZERO;
        h.0[0] = 0b1010_0000;
        h.0[31] = 0x01;
        let s = string_words(&h.0);
        assert_eq!(bits_at(&s, 0, 4), 0b1010);
        assert_eq!(chunk_value(&s, 0, 16), 0b1010_0000 << 8);
        assert_eq!(chunk_value(&s, 15, 16), 1);
        assert_eq!(bits_at(&s, 253, 3), 1);
        // Wrapping: the last 4 bits then the first 4.
        assert_eq!(bits_at(&s, 252, 8), 0b0001_1010);
        assert_eq!(bits_at(&s, 256 + 252, 8), 0b0001_1010);
        // Across a word boundary: bits 60..68.
        let mut h = PdqHash::ZERO;
        h.0[7] = 0x0f;
        h.0[8] = 0xf0;
        assert_eq!(bits_at(&string_words(&h.0), 60, 8), 0xff);
        // The tail of the last 16-bit chunk is the first 96 bits.
        let mut h = PdqHash::ZERO;
        h.0[0] = 0x80;
        h.0[11] = 0x01;
        let (lo, hi) = tail_words(&string_words(&h.0), 15, 16);
        assert_eq!((lo, hi), (1 << 31, 1));
    }

    #[test]
    fn layouts_are_checked() {
        assert!(Layout::new(16, 16).is_some());
        assert!(Layout::new(11, 24).is_none()); // 264 bits
        assert!(Layout::new(8, 32).is_none()); // too wide to tabulate
        assert!(Layout::new(0, 8).is_none());
        assert!(Layout::new(256, 1).is_some());
    }

    #[test]
    fn list_lines() {
        let h = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
        assert_eq!(parse_list_line(h).expect("bare").quality, BARE_HASH_QUALITY);
        assert_eq!(
            parse_list_line(&format!("{h} , 42"))
                .expect("quality")
                .quality,
            42
        );
        assert!(matches!(
            parse_list_line(&format!("{h},101")),
            Err(ListErrorKind::Quality(_))
        ));
        assert!(matches!(
            parse_list_line(&format!("{h},")),
            Err(ListErrorKind::Quality(_))
        ));
        assert!(matches!(
            parse_list_line(&format!("{h},50,x")),
            Err(ListErrorKind::Fields(3))
        ));
        assert!(matches!(
            parse_list_line("abc"),
            Err(ListErrorKind::Hash { .. })
        ));
    }
}
