//! Sorted fixed-width digest tables (`*.idx`) and the one place that
//! memory-maps files.
//!
//! See the crate docs for the layout. A table is written in one sequential
//! pass from entries that arrive sorted ([`TableWriter`]); lookups go
//! through the fan-out table to one small bucket and search it in place, so
//! opening a table of fifty million entries costs one `mmap` call, a header
//! check and the check of a 64 KiB checksum list, not a load.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use crate::checked::{BLOCK, BlockSums, SumWriter, block_count, crc};
use crate::{DigestKind, Error, Result};

/// Magic bytes at the start of every table.
pub(crate) const MAGIC: &[u8; 8] = b"SPOORIDX";
/// Layout version written in the header.
pub(crate) const LAYOUT_VERSION: u32 = 2;
/// Header size; entries start here.
pub(crate) const HEADER_LEN: usize = 64;
/// Most fan-out bits: 16 Mi buckets (64 MiB of fan-out) is plenty for a
/// table of hundreds of millions of entries.
const MAX_FANOUT_BITS: u32 = 24;
/// Aim for 16 to 32 entries per bucket.
///
/// Why not fewer: a lookup reads the fan-out, then the entries, and each
/// read of a page not in the TLB costs a page walk (under a hypervisor, a
/// nested one) as dear as the read. A fan-out of 4 entries per bucket is
/// 32 MiB at 50 M entries and misses the TLB as often as the table does; at
/// 16-32 it is 8 MiB, stays in the TLB and mostly in cache, and the search
/// starts at the entry interpolated inside the bucket, off by one or two
/// (see `guess`), so it still reads one or two cache lines.
const BUCKET_TARGET: u64 = 16;
/// Buckets up to this size are searched by a walk from the guessed entry;
/// larger ones (a skewed set) by binary search first.
const WALK_MAX: usize = 256;

/// One table entry: digest bytes and record number.
pub(crate) type Entry<const N: usize> = ([u8; N], u32);

/// Fan-out bits for a table of about `count` entries.
pub(crate) fn fanout_bits(count: u64) -> u32 {
    let per = count / BUCKET_TARGET;
    if per < 2 {
        0
    } else {
        (63 - per.leading_zeros()).min(MAX_FANOUT_BITS)
    }
}

/// The bucket of a digest: its top `bits` bits.
#[inline]
fn bucket(digest: &[u8], bits: u32) -> usize {
    if bits == 0 {
        return 0;
    }
    let top = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    (top >> (32 - bits)) as usize
}

/// The first 8 bytes of a digest as a big-endian number: comparing these
/// orders digests like comparing the bytes.
#[inline(always)]
fn prefix(bytes: &[u8]) -> u64 {
    u64::from_be_bytes(le_bytes(&bytes[..8]))
}

/// Two digests of the same width (16 bytes or more) compared from byte 8
/// on: a number compare of bytes 8..16 (all of an MD5's rest), then the
/// bytes after them. Cheaper than comparing the slices, which calls
/// `memcmp`.
#[inline(always)]
fn cmp_rest(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    prefix(&a[8..])
        .cmp(&prefix(&b[8..]))
        .then_with(|| a[16..].cmp(&b[16..]))
}

/// Where in its bucket `lo..hi` a digest most likely stands.
///
/// Digests are uniformly distributed (they are cryptographic hashes), so
/// the bits after the bucket's `bits` give the digest's fraction of the way
/// through the bucket; the guess is off by about the square root of the
/// bucket's size (one or two entries), so a search that starts there
/// touches the one or two cache lines around it. A skewed set only costs
/// a few more steps: the guess never decides the answer.
#[inline(always)]
fn guess(digest: &[u8], bits: u32, lo: usize, hi: usize) -> usize {
    let fraction = u128::from(prefix(digest) << bits);
    lo + ((fraction * (hi - lo) as u128) >> 64) as usize
}

/// The entries `start..end` of `entries` (entry `i` at `i * size`, its
/// digest `width` bytes) within `lo..hi` whose digest equals `digest`;
/// `at` (in `lo..=hi`) is where to start looking.
///
/// A bucket holds a handful of entries, so a walk over the 8-byte prefixes
/// (contiguous, in the lines the guess brought in) beats a binary search;
/// big buckets (a skewed set) are binary-searched first. The result does
/// not depend on `at`: it is the range a plain binary search gives.
#[inline(always)]
fn search(
    entries: &[u8],
    size: usize,
    width: usize,
    (lo, hi): (usize, usize),
    at: usize,
    digest: &[u8],
) -> (usize, usize) {
    let want = prefix(digest);
    let key = |i: usize| &entries[i * size..i * size + width];
    let (mut l, mut h) = (lo, hi);
    let mut i = at.clamp(lo, hi);
    if h - l > WALK_MAX {
        while h - l > 16 {
            let mid = l + (h - l) / 2;
            if key(mid) < digest {
                l = mid + 1;
            } else {
                h = mid;
            }
        }
        i = l;
    }
    // `i` moves to the first entry of `l..h` whose prefix is not below
    // `want`.
    if i < h && prefix(key(i)) < want {
        i += 1;
        while i < h && prefix(key(i)) < want {
            i += 1;
        }
    } else {
        while i > l && prefix(key(i - 1)) >= want {
            i -= 1;
        }
    }
    // Equal prefixes are rare but for the digest itself: order the rest
    // by the next 8 bytes, then any bytes after them.
    while i < h && prefix(key(i)) == want && cmp_rest(key(i), digest).is_lt() {
        i += 1;
    }
    let start = i;
    while i < hi && prefix(key(i)) == want && cmp_rest(key(i), digest).is_eq() {
        i += 1;
    }
    (start, i)
}

/// Writes one table from entries pushed in sorted order.
#[derive(Debug)]
pub(crate) struct TableWriter<const N: usize> {
    path: PathBuf,
    out: SumWriter<BufWriter<File>>,
    bits: u32,
    fanout: Vec<u32>,
    next_bucket: usize,
    count: u64,
    last: Option<Entry<N>>,
}

impl<const N: usize> TableWriter<N> {
    /// Start a table at `path` (which must not exist) for about
    /// `expected_count` entries (an estimate: it sizes the fan-out).
    pub(crate) fn create(path: &Path, expected_count: u64) -> Result<TableWriter<N>> {
        let io = |e| Error::io(path, e);
        let file = File::create_new(path).map_err(io)?;
        let mut buf = BufWriter::with_capacity(1 << 20, file);
        buf.write_all(&[0u8; HEADER_LEN]).map_err(io)?;
        let bits = fanout_bits(expected_count);
        Ok(TableWriter {
            path: path.to_path_buf(),
            out: SumWriter::new(buf),
            bits,
            fanout: vec![0; (1usize << bits) + 1],
            next_bucket: 0,
            count: 0,
            last: None,
        })
    }

    /// Append one entry; entries must come sorted by (digest, record).
    pub(crate) fn push(&mut self, digest: &[u8; N], record: u32) -> Result<()> {
        if let Some(last) = &self.last
            && (&last.0, last.1) > (digest, record)
        {
            return Err(Error::corrupt(
                &self.path,
                "internal error: table entries out of order",
            ));
        }
        let b = bucket(digest, self.bits);
        while self.next_bucket <= b {
            self.fanout[self.next_bucket] = self.count_u32()?;
            self.next_bucket += 1;
        }
        self.out
            .write_all(digest)
            .and_then(|()| self.out.write_all(&record.to_le_bytes()))
            .map_err(|e| Error::io(&self.path, e))?;
        self.count += 1;
        self.last = Some((*digest, record));
        Ok(())
    }

    fn count_u32(&self) -> Result<u32> {
        u32::try_from(self.count).map_err(|_| {
            Error::InvalidOptions(format!("more than {} entries in one table", u32::MAX))
        })
    }

    /// Stop writing: flush the entries (for use as a sorted run, from
    /// [`HEADER_LEN`] on) and return their count.
    pub(crate) fn abandon(self) -> Result<u64> {
        let (mut buf, _) = self.out.finish();
        buf.flush().map_err(|e| Error::io(&self.path, e))?;
        Ok(self.count)
    }

    /// Write the fan-out, the checksums and the header; fsync. Returns the
    /// entry count.
    pub(crate) fn finish(mut self) -> Result<u64> {
        let io = |e| Error::io(&self.path, e);
        let count = self.count_u32()?;
        while self.next_bucket < self.fanout.len() {
            self.fanout[self.next_bucket] = count;
            self.next_bucket += 1;
        }
        let fanout_offset = HEADER_LEN as u64 + self.out.written();
        for v in &self.fanout {
            self.out.write_all(&v.to_le_bytes()).map_err(io)?;
        }
        let sums_offset = HEADER_LEN as u64 + self.out.written();
        let (mut buf, sums) = self.out.finish();
        buf.write_all(&sums).map_err(io)?;
        let mut file = buf.into_inner().map_err(|e| io(e.into_error()))?;
        let header = header(
            N as u32,
            self.count,
            self.bits,
            fanout_offset,
            sums_offset,
            crc(&sums),
        );
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(&header).map_err(io)?;
        file.sync_all().map_err(io)?;
        forget_cached(&file, sums_offset + sums.len() as u64);
        Ok(self.count)
    }
}

/// Tables at least this large are worth mapping with huge pages.
const HUGE_TABLE: u64 = 8 << 20;

/// Let the kernel drop the freshly written (and fsynced, so clean) pages
/// of a large table from the page cache.
///
/// Why: a lookup in a table of tens of millions of entries is one random
/// read in a mapping of a GB or more; with 4 KiB pages nearly every lookup
/// also misses the TLB, and under a hypervisor's nested paging that page
/// walk costs as much as the read itself. Pages written through `write()`
/// sit in the cache as small folios and are mapped 4 KiB at a time; pages
/// read back through a mapping advised `MADV_HUGEPAGE` (see
/// [`Table::open`]) come in as 2 MiB folios (Linux 6.16 and later on ext4;
/// XFS, btrfs and tmpfs have their own support) and are mapped whole. So the
/// cache of what was just written is dropped, and the first lookups read the
/// table back in 2 MiB pieces. Only a hint: where it does nothing, lookups
/// are as correct and merely slower.
#[cfg(target_os = "linux")]
fn forget_cached(file: &File, len: u64) {
    if len >= HUGE_TABLE {
        let _ = rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::DontNeed);
    }
}

#[cfg(not(target_os = "linux"))]
fn forget_cached(_file: &File, _len: u64) {}

fn header(
    width: u32,
    count: u64,
    bits: u32,
    fanout_offset: u64,
    sums_offset: u64,
    sums_crc: u32,
) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..8].copy_from_slice(MAGIC);
    h[8..12].copy_from_slice(&LAYOUT_VERSION.to_le_bytes());
    h[12..16].copy_from_slice(&width.to_le_bytes());
    h[16..24].copy_from_slice(&count.to_le_bytes());
    h[24..28].copy_from_slice(&(BLOCK as u32).to_le_bytes());
    h[28..32].copy_from_slice(&bits.to_le_bytes());
    h[32..40].copy_from_slice(&fanout_offset.to_le_bytes());
    h[40..48].copy_from_slice(&sums_offset.to_le_bytes());
    h[48..52].copy_from_slice(&sums_crc.to_le_bytes());
    let check = crc(&h[..60]);
    h[60..64].copy_from_slice(&check.to_le_bytes());
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
    // validated (header, checksums, sizes, JSON) as untrusted input, never
    // assumed.
    let map = unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
    Ok(map)
}

/// A memory-mapped digest table.
#[derive(Debug)]
pub(crate) struct Table {
    path: PathBuf,
    map: Mmap,
    width: usize,
    count: usize,
    bits: u32,
    /// Offset of the fan-out inside the checked region.
    fanout_at: usize,
    /// End of the checked region (file offset of the checksums).
    region_end: usize,
    sums: BlockSums,
}

impl Table {
    /// Map and validate a table: header checksum, magic, layout version,
    /// digest width for `kind`, the entry count against `expected_count`,
    /// the offsets against the file size and the checksum list's own
    /// checksum. Entry blocks are checked as lookups touch them.
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
            let hint = if version < LAYOUT_VERSION {
                "; remove the set and import its source again"
            } else {
                ""
            };
            return Err(bad(format!(
                "digest table layout version {version}, this build reads {LAYOUT_VERSION}{hint}"
            )));
        }
        let stored = u32::from_le_bytes(le_bytes(&map[60..64]));
        if crc(&map[..60]) != stored {
            return Err(bad("header checksum mismatch: the header is damaged".into()));
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
        let block = u32::from_le_bytes(le_bytes(&map[24..28])) as usize;
        if block != BLOCK {
            return Err(bad(format!("checksum block size {block}, expected {BLOCK}")));
        }
        let bits = u32::from_le_bytes(le_bytes(&map[28..32]));
        if bits > MAX_FANOUT_BITS || count > u64::from(u32::MAX) {
            return Err(bad(format!("{bits} fan-out bits for {count} entries")));
        }
        let fanout_offset = u64::from_le_bytes(le_bytes(&map[32..40]));
        let sums_offset = u64::from_le_bytes(le_bytes(&map[40..48]));
        let sums_crc = u32::from_le_bytes(le_bytes(&map[48..52]));
        let want_fanout = HEADER_LEN as u64 + count * (width as u64 + 4);
        let want_sums = want_fanout + ((1u64 << bits) + 1) * 4;
        let region = want_sums - HEADER_LEN as u64;
        let want_len = want_sums + block_count(region) * 4;
        if fanout_offset != want_fanout
            || sums_offset != want_sums
            || map.len() as u64 != want_len
        {
            return Err(bad(format!(
                "{} bytes with fan-out at {fanout_offset} and checksums at {sums_offset}; \
                 {count} entries of {kind} need {want_len} bytes with them at {want_fanout} \
                 and {want_sums}",
                map.len()
            )));
        }
        let sums_bytes = &map[want_sums as usize..];
        if crc(sums_bytes) != sums_crc {
            return Err(bad("the block checksum list is damaged".into()));
        }
        let sums = BlockSums::new(path, region as usize, sums_bytes)?;
        // A hint (see `forget_cached`): map the table with 2 MiB pages
        // where the page cache holds it in 2 MiB folios. Costs nothing at
        // open; failure only means 4 KiB pages.
        #[cfg(target_os = "linux")]
        if map.len() as u64 >= HUGE_TABLE {
            let _ = map.advise(memmap2::Advice::HugePage);
        }
        Ok(Table {
            path: path.to_path_buf(),
            width,
            count: count as usize,
            bits,
            fanout_at: (want_fanout as usize) - HEADER_LEN,
            region_end: want_sums as usize,
            sums,
            map,
        })
    }

    #[inline]
    fn region(&self) -> &[u8] {
        &self.map[HEADER_LEN..self.region_end]
    }

    #[inline]
    fn fanout(&self, region: &[u8], i: usize) -> u32 {
        let at = self.fanout_at + i * 4;
        u32::from_le_bytes(le_bytes(&region[at..at + 4]))
    }

    /// The entry indexes `start..end` whose digest equals `digest` (empty
    /// when none does).
    #[inline(always)]
    pub(crate) fn find(&self, digest: &[u8]) -> Result<(usize, usize)> {
        debug_assert_eq!(digest.len(), self.width);
        let (lo, hi) = self.bucket_of(digest)?;
        self.search_bucket(digest, lo, hi, guess(digest, self.bits, lo, hi))
    }

    /// The bucket `lo..hi` that holds `digest` if the table does: its
    /// fan-out entries, checked.
    #[inline(always)]
    fn bucket_of(&self, digest: &[u8]) -> Result<(usize, usize)> {
        let region = self.region();
        let b = bucket(digest, self.bits);
        let at = self.fanout_at + b * 4;
        self.sums.check(region, at, at + 8)?;
        let (lo, hi) = (
            self.fanout(region, b) as usize,
            self.fanout(region, b + 1) as usize,
        );
        if lo > hi || hi > self.count {
            return Err(Error::corrupt(
                &self.path,
                format!("fan-out bucket {b} is {lo}..{hi} of {} entries", self.count),
            ));
        }
        Ok((lo, hi))
    }

    /// The entries of bucket `lo..hi` equal to `digest`, searched from
    /// entry `at` (checked).
    #[inline(always)]
    fn search_bucket(&self, digest: &[u8], lo: usize, hi: usize, at: usize) -> Result<(usize, usize)> {
        let region = self.region();
        let size = self.width + 4;
        self.sums.check(region, lo * size, hi * size)?;
        Ok(search(&region[..self.fanout_at], size, self.width, (lo, hi), at, digest))
    }

    /// Look up `digests[p]` for every `p`, pipelined, and call `found(p,
    /// record)` for each entry that lists it, in order of `p`, then of the
    /// table.
    ///
    /// The three stages of a lookup run `d` lookups apart: the fan-out
    /// entry of lookup `p + 2d` is prefetched, then the bucket of lookup
    /// `p + d` is read from it and the entries around its guess are
    /// prefetched (bucket and guess kept in a ring), then lookup `p` is
    /// searched where both have arrived. Nothing is computed twice, and a
    /// single digest width (`N`) makes the loop tight.
    pub(crate) fn find_many<const N: usize>(
        &self,
        digests: &[[u8; N]],
        d: usize,
        mut found: impl FnMut(usize, u32),
    ) -> Result<()> {
        debug_assert_eq!(N, self.width);
        const RING: usize = 64;
        let d = d.clamp(1, RING / 2);
        let n = digests.len();
        let mut ring = [(0usize, 0usize, 0usize); RING];
        let locate = |p: usize, ring: &mut [(usize, usize, usize); RING]| -> Result<()> {
            let digest = &digests[p][..];
            let (lo, hi) = self.bucket_of(digest)?;
            let at = guess(digest, self.bits, lo, hi);
            self.prefetch_entries(at);
            ring[p % RING] = (lo, hi, at);
            Ok(())
        };
        for digest in digests.iter().take(2 * d) {
            self.prefetch_fanout(digest);
        }
        for p in 0..n.min(d) {
            locate(p, &mut ring)?;
        }
        for p in 0..n {
            if let Some(ahead) = digests.get(p + 2 * d) {
                self.prefetch_fanout(ahead);
            }
            if p + d < n {
                locate(p + d, &mut ring)?;
            }
            let (lo, hi, at) = ring[p % RING];
            let (start, end) = self.search_bucket(&digests[p], lo, hi, at)?;
            for i in start..end {
                found(p, self.record(i));
            }
        }
        Ok(())
    }

    /// Hint the CPU to fetch the fan-out entry of `digest` (first stage of
    /// a batched lookup).
    #[inline(always)]
    pub(crate) fn prefetch_fanout(&self, digest: &[u8]) {
        let at = HEADER_LEN + self.fanout_at + bucket(digest, self.bits) * 4;
        prefetch(&self.map[at..]);
    }

    /// Hint the CPU to fetch the entries around where `digest` should
    /// stand (second stage; reads the fan-out entry, which the first stage
    /// brought in): the cache line of the guessed entry and the lines
    /// before and after it, which is where the search will look.
    #[inline(always)]
    pub(crate) fn prefetch_bucket(&self, digest: &[u8]) {
        let at = HEADER_LEN + self.fanout_at + bucket(digest, self.bits) * 4;
        let Some(bounds) = self.map.get(at..at + 8) else {
            return;
        };
        let lo = u32::from_le_bytes(le_bytes(bounds)) as usize;
        let hi = u32::from_le_bytes(le_bytes(&bounds[4..])) as usize;
        if lo >= hi {
            return;
        }
        self.prefetch_entries(guess(digest, self.bits, lo, hi));
    }

    /// Hint the CPU to fetch entry `i`'s cache line and the ones before and
    /// after it.
    #[inline(always)]
    fn prefetch_entries(&self, i: usize) {
        let entry = HEADER_LEN + i * (self.width + 4);
        let first = entry.saturating_sub(64).max(HEADER_LEN);
        let last = (entry + 64).min(self.region_end.saturating_sub(1));
        for line in [first, entry, last] {
            if let Some(bytes) = self.map.get(line..) {
                prefetch(bytes);
            }
        }
    }

    /// The record number of entry `i` (from a range [`Table::find`] gave,
    /// whose blocks it has checked).
    #[inline]
    pub(crate) fn record(&self, i: usize) -> u32 {
        let size = self.width + 4;
        let at = HEADER_LEN + i * size + self.width;
        u32::from_le_bytes(le_bytes(&self.map[at..at + 4]))
    }

    /// Check every block, the entry order, the record numbers (below
    /// `records`) and the fan-out.
    pub(crate) fn verify(&self, records: u64) -> Result<()> {
        let region = self.region();
        self.sums.check_all(region)?;
        let size = self.width + 4;
        let bad = |reason: String| Error::corrupt(&self.path, reason);
        let mut bucket_of_prev = 0usize;
        for i in 0..self.count {
            let entry = &region[i * size..(i + 1) * size];
            let record = u64::from(u32::from_le_bytes(le_bytes(&entry[self.width..])));
            if record >= records {
                return Err(bad(format!(
                    "entry {i} names record {record}, the set has {records}"
                )));
            }
            // Ordered by digest bytes, then record number (a number, so
            // not its little-endian bytes).
            if i > 0 {
                let prev = &region[(i - 1) * size..i * size];
                let prev_record = u32::from_le_bytes(le_bytes(&prev[self.width..]));
                if (&prev[..self.width], prev_record) > (&entry[..self.width], record as u32) {
                    return Err(bad(format!("entry {i} is out of order")));
                }
            }
            let b = bucket(&entry[..self.width], self.bits);
            for j in bucket_of_prev + 1..=b {
                if self.fanout(region, j) as usize != i {
                    return Err(bad(format!("fan-out entry {j} should be {i}")));
                }
            }
            if i == 0 && self.fanout(region, 0) != 0 {
                return Err(bad("fan-out entry 0 should be 0".into()));
            }
            bucket_of_prev = b.max(bucket_of_prev);
        }
        for j in bucket_of_prev + 1..=(1usize << self.bits) {
            if self.fanout(region, j) as usize != self.count {
                return Err(bad(format!("fan-out entry {j} should be {}", self.count)));
            }
        }
        Ok(())
    }

    /// Checksum blocks in the table.
    pub(crate) fn blocks(&self) -> usize {
        self.sums.blocks()
    }
}

/// Ask the CPU to start loading the cache line at the start of `bytes`.
#[inline(always)]
#[allow(unsafe_code)]
fn prefetch(bytes: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it never dereferences the pointer in a
    // way that can fault or be observed, whatever the address; SSE (which
    // provides it) is part of the x86_64 baseline. The pointer comes from a
    // live slice anyway.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            bytes.as_ptr().cast(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = bytes;
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
        v.sort_unstable();
        v
    }

    fn write_table(path: &Path, entries: &[Entry<16>], expected: u64) -> Result<u64> {
        let mut w = TableWriter::<16>::create(path, expected)?;
        for (d, r) in entries {
            w.push(d, *r)?;
        }
        w.finish()
    }

    fn find(table: &Table, digest: &[u8]) -> Vec<u32> {
        let (s, e) = table.find(digest).expect("find");
        (s..e).map(|i| table.record(i)).collect()
    }

    #[test]
    fn write_then_find() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("md5.idx");
        assert_eq!(write_table(&path, &entries(), 5).expect("write"), 5);
        let bytes = std::fs::read(&path).expect("read");
        assert_eq!(&bytes[..8], b"SPOORIDX");
        assert_eq!(
            &bytes[8..24],
            &[2, 0, 0, 0, 16, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(bytes.len(), HEADER_LEN + 5 * 20 + 2 * 4 + 4);

        let table = Table::open(&path, DigestKind::Md5, 5).expect("open");
        assert_eq!(find(&table, &[5u8; 16]), vec![0, 2]);
        assert_eq!(find(&table, &[1u8; 16]), vec![7]);
        assert_eq!(find(&table, &[0xffu8; 16]), vec![1]);
        assert!(find(&table, &[0u8; 16]).is_empty());
        assert!(find(&table, &[6u8; 16]).is_empty());
        assert!(find(&table, &[0xfeu8; 16]).is_empty());
        table.verify(8).expect("verifies");
        assert!(table.verify(5).is_err(), "record 7 of 5");
    }

    #[test]
    fn fanout_buckets_over_many_entries() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("md5.idx");
        // Pseudo-random digests, some repeated, the estimate a bit off.
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut v: Vec<Entry<16>> = (0..5000u32)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let mut d = [0u8; 16];
                d[..8].copy_from_slice(&state.to_be_bytes());
                d[8..12].copy_from_slice(&i.to_be_bytes());
                (d, i)
            })
            .collect();
        v.push((v[10].0, 9999));
        v.sort_unstable();
        write_table(&path, &v, 4000).expect("write");
        let table = Table::open(&path, DigestKind::Md5, v.len() as u64).expect("open");
        assert!(table.bits >= 7, "{} bits", table.bits);
        table.verify(10_000).expect("verifies");
        for (d, r) in &v {
            assert!(find(&table, d).contains(r));
        }
        let mut absent = v[3].0;
        absent[15] ^= 0x55;
        assert!(find(&table, &absent).is_empty());
        assert_eq!(find(&table, &v.iter().find(|e| e.1 == 9999).expect("dup").0).len(), 2);
    }

    #[test]
    fn out_of_order_push_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut w = TableWriter::<16>::create(&dir.path().join("t.idx"), 2).expect("create");
        w.push(&[2u8; 16], 0).expect("first");
        assert!(w.push(&[1u8; 16], 0).is_err());
    }

    #[test]
    fn header_and_blocks_are_validated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("md5.idx");
        write_table(&path, &entries(), 5).expect("write");
        let reason = |path: &Path, kind, count| match Table::open(path, kind, count) {
            Err(Error::Corrupt { reason, .. }) => reason,
            other => panic!("expected a corrupt-table error, got {other:?}"),
        };
        assert!(reason(&path, DigestKind::Sha1, 5).contains("digest width 16"));
        assert!(reason(&path, DigestKind::Md5, 4).contains("manifest says 4"));

        let good = std::fs::read(&path).expect("read");
        let mut bad = good.clone();
        bad[8] = 1;
        std::fs::write(&path, &bad).expect("write");
        let r = reason(&path, DigestKind::Md5, 5);
        assert!(r.contains("layout version 1") && r.contains("import its source again"), "{r}");

        let mut bad = good.clone();
        bad[20] = 1; // the count, without fixing the header checksum
        std::fs::write(&path, &bad).expect("write");
        assert!(reason(&path, DigestKind::Md5, 5).contains("header checksum"));

        let mut bad = good.clone();
        bad.pop();
        std::fs::write(&path, &bad).expect("write");
        assert!(reason(&path, DigestKind::Md5, 5).contains("need"));

        let mut bad = good.clone();
        let last = bad.len() - 1;
        bad[last] ^= 0xff;
        std::fs::write(&path, &bad).expect("write");
        assert!(reason(&path, DigestKind::Md5, 5).contains("checksum list"));

        // A flipped digest byte: the open succeeds (no full read), the first
        // lookup touching the block fails, and so does verify.
        let mut bad = good.clone();
        bad[HEADER_LEN + 20] ^= 0x01;
        std::fs::write(&path, &bad).expect("write");
        let table = Table::open(&path, DigestKind::Md5, 5).expect("open is cheap");
        let err = table.find(&[5u8; 16]).expect_err("damaged block");
        assert!(err.to_string().contains("checksum mismatch"), "{err}");
        assert!(table.verify(8).is_err());

        std::fs::write(&path, b"short").expect("write");
        assert!(reason(&path, DigestKind::Md5, 5).contains("too short"));

        let empty = dir.path().join("empty.idx");
        write_table(&empty, &[], 0).expect("empty table");
        let table = Table::open(&empty, DigestKind::Md5, 0).expect("open");
        assert!(find(&table, &[0u8; 16]).is_empty());
        table.verify(0).expect("verifies");
    }

    /// SplitMix64, for reproducible random digests.
    fn next(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn random_digest<const N: usize>(state: &mut u64) -> [u8; N] {
        let mut d = [0u8; N];
        for chunk in d.chunks_mut(8) {
            let word = next(state).to_be_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        d
    }

    /// The plain answer: the equal range by binary search over the sorted
    /// entries.
    fn plain<const N: usize>(entries: &[Entry<N>], digest: &[u8; N]) -> Vec<u32> {
        let start = entries.partition_point(|e| e.0 < *digest);
        let end = entries.partition_point(|e| e.0 <= *digest);
        entries[start..end].iter().map(|e| e.1).collect()
    }

    /// Property: for tables of every shape (uniform, with repeated digests,
    /// with the edge digests 00..00 and ff..ff, skewed into one huge bucket,
    /// sized from a wrong estimate) and keys present, absent, next to
    /// present ones and at the edges, `find` gives exactly what a plain
    /// binary search gives.
    fn find_equals_binary_search<const N: usize>(kind: DigestKind, seed: u64) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut state = seed;
        for (case, &(count, estimate_num, skew)) in [
            (0usize, 1u64, false),
            (1, 1, false),
            (2, 1, false),
            (31, 1, false),
            (100, 1, false),
            (5_000, 1, false),
            (5_000, 100, false),  // estimate 100x too high: many empty buckets
            (20_000, 0, false),   // estimate 0: one bucket of everything
            (20_000, 1, true),    // half the entries share their top 24 bits
            (60_000, 1, false),
        ]
        .iter()
        .enumerate()
        {
            let mut entries: Vec<Entry<N>> = (0..count as u32)
                .map(|r| {
                    let mut d = random_digest::<N>(&mut state);
                    if skew && r % 2 == 0 {
                        d[..3].copy_from_slice(&[0x80, 0x00, 0x01]);
                    }
                    (d, r)
                })
                .collect();
            if count >= 2 {
                entries.push(([0u8; N], count as u32));
                entries.push(([0xffu8; N], count as u32 + 1));
                entries.push((entries[count / 2].0, count as u32 + 2)); // a repeat
                // Same 8-byte prefix, different rest.
                let mut near = entries[count / 3].0;
                near[N - 1] ^= 0x40;
                entries.push((near, count as u32 + 3));
            }
            entries.sort_unstable();
            let path = dir.path().join(format!("{case}.idx"));
            let mut w = TableWriter::<N>::create(&path, entries.len() as u64 * estimate_num)
                .expect("create");
            for (d, r) in &entries {
                w.push(d, *r).expect("push");
            }
            w.finish().expect("finish");
            let table = Table::open(&path, kind, entries.len() as u64).expect("open");
            // Repeated digests (records 2 and 258 list the same one in
            // some cases: little-endian bytes in the other order).
            table.verify(count as u64 + 4).expect("verifies");
            let mut keys: Vec<[u8; N]> = vec![[0u8; N], [0xffu8; N], [0x80u8; N], [0x7fu8; N]];
            for _ in 0..2_000 {
                keys.push(random_digest::<N>(&mut state)); // absent (almost surely)
                if !entries.is_empty() {
                    let e = entries[(next(&mut state) % entries.len() as u64) as usize].0;
                    keys.push(e);
                    let mut up = e;
                    up[N - 1] = up[N - 1].wrapping_add(1);
                    keys.push(up);
                    let mut down = e;
                    down[N - 1] = down[N - 1].wrapping_sub(1);
                    keys.push(down);
                    let mut other = e;
                    other[0] ^= 0x01;
                    keys.push(other);
                }
            }
            for key in &keys {
                let mut got = find(&table, key);
                got.sort_unstable();
                let want = plain(&entries, key);
                assert_eq!(got, want, "case {case}, key {key:02x?}");
                // The search gives the same answer from any starting point
                // (a guess can be anywhere in a skewed set).
                let b = bucket(key, table.bits);
                let region = table.region();
                let (lo, hi) = (table.fanout(region, b) as usize, table.fanout(region, b + 1) as usize);
                for at in [lo, hi, (lo + hi) / 2, lo + (next(&mut state) as usize % (hi - lo + 1))] {
                    let (s, e) = search(&region[..table.fanout_at], N + 4, N, (lo, hi), at, key);
                    let mut got: Vec<u32> = (s..e).map(|i| table.record(i)).collect();
                    got.sort_unstable();
                    assert_eq!(got, want, "case {case}, from {at} of {lo}..{hi}");
                }
                table.prefetch_fanout(key);
                table.prefetch_bucket(key);
            }
            // The pipelined batch gives each key's entries, in key order,
            // whatever the pipeline distance (below, at and past the ring).
            let want: Vec<(usize, u32)> = keys
                .iter()
                .enumerate()
                .flat_map(|(p, key)| {
                    let (s, e) = table.find(key).expect("find");
                    (s..e).map(move |i| (p, i))
                })
                .map(|(p, i)| (p, table.record(i)))
                .collect();
            for d in [1, 3, 16, 32, 100] {
                let mut got = Vec::new();
                table.find_many(&keys, d, |p, record| got.push((p, record))).expect("find_many");
                assert_eq!(got, want, "case {case}, distance {d}");
            }
        }
    }

    #[test]
    fn find_equals_a_plain_binary_search() {
        find_equals_binary_search::<16>(DigestKind::Md5, 1);
        find_equals_binary_search::<20>(DigestKind::Sha1, 2);
        find_equals_binary_search::<32>(DigestKind::Sha256, 3);
    }

    #[test]
    fn fanout_bits_grow_with_the_table() {
        assert_eq!(fanout_bits(0), 0);
        assert_eq!(fanout_bits(31), 0);
        assert_eq!(fanout_bits(32), 1);
        assert_eq!(fanout_bits(50_000_000), 21);
        assert_eq!(fanout_bits(u64::MAX), MAX_FANOUT_BITS);
    }
}
