//! Looking a file's digests up in the loaded sets.

use std::path::Path;

use crate::index::{Table, table_path};
use crate::library::check_layout;
use crate::records::RecordStore;
use crate::{DigestKind, Record, Result, SetInfo};

/// One set's record that lists one of the file's digests.
#[derive(Clone, Debug, PartialEq)]
pub struct ExactMatch {
    /// Index into [`Matcher::sets`].
    pub set: usize,
    /// The strongest digest kind by which the record matched.
    pub method: DigestKind,
    /// What the set's record said, with its category's display name filled
    /// in from the set's profile.
    pub record: Record,
}

/// One file's MD5, SHA-1 and SHA-256, as [`Matcher::matches_many`] takes
/// them.
pub type FileDigests = ([u8; 16], [u8; 20], [u8; 32]);

/// A matching record, not yet read: the hot path of a lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordRef {
    /// Index into [`Matcher::sets`].
    pub set: usize,
    /// Record number inside the set.
    pub record: u32,
    /// The strongest digest kind by which the record matched.
    pub method: DigestKind,
}

/// One loaded set: its mapped tables (indexed by `DigestKind as usize`) and
/// records.
#[derive(Debug)]
struct LoadedSet {
    tables: [Option<Table>; 3],
    records: RecordStore,
}

/// The loaded sets, ready for lookups. Cheap to share: `Send + Sync`, every
/// lookup only reads memory-mapped files.
#[derive(Debug)]
pub struct Matcher {
    infos: Vec<SetInfo>,
    sets: Vec<LoadedSet>,
    /// Known videos per set (vPDQ), indexed like `infos`.
    videos: crate::vpdq::KnownVideos,
    /// Tables loaded, over all sets and digest kinds.
    tables: usize,
    /// The near-match indexes of the PDQ sets among them.
    pub(crate) pdq: crate::pdq::PdqIndexes,
    /// Buffers of [`Matcher::matches_many`]'s ordered path, one per call
    /// running at once, kept for the next calls: a batch of two million
    /// files fills about 150 MB of them, and fresh memory costs a page
    /// fault per 4 KiB on first touch, which was a sixth of the batch's
    /// time.
    scratch: std::sync::Mutex<Vec<Ordered>>,
}

/// Table lookups kept in flight by [`Matcher::matches_many`]: the distance
/// between the fan-out and bucket stages (and between the bucket stage and
/// the search). About the memory loads a core keeps outstanding; on a 50 M
/// set (bench/hashset.sh) 8 to 32 performed alike within the noise of a
/// shared machine, 4 was clearly slower.
const PIPELINE_LOOKUPS: usize = 16;

/// Larger batches are looked up in blocks of this many files (the ordered
/// copy of a block's digests takes 72 bytes a file, 150 MB at most).
const ORDER_BLOCK: usize = 1 << 21;

/// Bits sorted per radix pass: 2048 counters (8 KiB, in L1) and as many
/// output streams, few enough for the TLB to hold every stream's page.
const RADIX_BITS: u32 = 11;

/// A stage of a pipelined lookup.
#[derive(Clone, Copy)]
enum Stage {
    /// Load the fan-out entry.
    Fanout,
    /// Load the bucket the fan-out entry points to.
    Bucket,
}

fn digest_of(f: &FileDigests, slot: usize) -> &[u8] {
    match slot {
        0 => &f.0,
        1 => &f.1,
        _ => &f.2,
    }
}

fn slot(kind: DigestKind) -> usize {
    match kind {
        DigestKind::Md5 => 0,
        DigestKind::Sha1 => 1,
        DigestKind::Sha256 => 2,
    }
}

/// Bits needed to number `n` things (at least 1).
fn bits_for(n: usize) -> u32 {
    (usize::BITS - n.saturating_sub(1).leading_zeros()).max(1)
}

/// `items` stably sorted by `key` (below `1 << bits`, `bits` at most
/// twice [`RADIX_BITS`]), appended to `out`: a least significant digit
/// radix sort in one or two passes, through `spare` when two.
///
/// Why not a comparison sort or one counting pass: ordering two million
/// lookups must cost a few nanoseconds each, not the tens a comparison sort
/// takes, and a single counting pass over 2^21 buckets scatters its writes
/// over the whole output, each write a cache and TLB miss.
fn radix_sort_into<T: Copy>(
    items: &[T],
    bits: u32,
    key: impl Fn(&T) -> usize + Copy,
    spare: &mut Vec<T>,
    out: &mut Vec<T>,
) {
    assert!(bits <= 2 * RADIX_BITS, "{bits} bits is more than two passes");
    let Some(&fill) = items.first() else {
        return;
    };
    let first = out.len();
    out.resize(first + items.len(), fill);
    if bits <= RADIX_BITS {
        scatter(items, 0, bits, key, &mut out[first..]);
    } else {
        spare.clear();
        spare.resize(items.len(), fill);
        scatter(items, 0, RADIX_BITS, key, spare);
        scatter(spare, RADIX_BITS, bits - RADIX_BITS, key, &mut out[first..]);
    }
}

/// The counting half of a radix pass: for each of `buckets` digits, where
/// its first item goes (the items of lower digits before it).
fn bucket_starts<T>(items: &[T], buckets: usize, digit: impl Fn(&T) -> usize) -> Vec<usize> {
    let mut starts = vec![0usize; buckets];
    for item in items {
        starts[digit(item)] += 1;
    }
    let mut at = 0;
    for s in &mut starts {
        let n = *s;
        *s = at;
        at += n;
    }
    starts
}

/// One radix pass: `items` stably ordered by bits `shift..shift + width`
/// of their key, written over `target` (as long as `items`).
fn scatter<T: Copy>(
    items: &[T],
    shift: u32,
    width: u32,
    key: impl Fn(&T) -> usize,
    target: &mut [T],
) {
    let digit = |item: &T| (key(item) >> shift) & ((1usize << width) - 1);
    let mut starts = bucket_starts(items, 1 << width, digit);
    for item in items {
        let at = &mut starts[digit(item)];
        target[*at] = *item;
        *at += 1;
    }
}

/// `lookup` of `items` in blocks of at most `block`, each block's pairs
/// appended to `out` with their indexes counted from the start of `items`.
fn by_blocks<T>(
    items: &[T],
    block: usize,
    out: &mut Vec<(usize, RecordRef)>,
    mut lookup: impl FnMut(&[T], &mut Vec<(usize, RecordRef)>) -> Result<()>,
) -> Result<()> {
    for (n, chunk) in items.chunks(block).enumerate() {
        let first = out.len();
        lookup(chunk, out)?;
        for pair in &mut out[first..] {
            pair.0 += n * block;
        }
    }
    Ok(())
}

/// Within each file's pairs from `first` on (consecutive, as the batched
/// path leaves them), keep a record that several digest kinds of its set
/// matched once, at its first place, with the strongest kind: what
/// [`Matcher::matches`] gives.
fn merge_kinds(pairs: &mut Vec<(usize, RecordRef)>, first: usize) {
    let (mut read, mut write) = (first, first);
    while read < pairs.len() {
        let file = pairs[read].0;
        let group = write;
        while read < pairs.len() && pairs[read].0 == file {
            let pair = pairs[read];
            match pairs[group..write]
                .iter_mut()
                .find(|(_, r)| r.set == pair.1.set && r.record == pair.1.record)
            {
                Some((_, r)) => r.method = r.method.max(pair.1.method),
                None => {
                    pairs[write] = pair;
                    write += 1;
                }
            }
            read += 1;
        }
    }
    pairs.truncate(write);
}

/// The lookups of `keyed`'s digests in `table` (of set `set`, digest
/// kind `kind`), as `(file index, record)` pairs appended to `found`.
fn find_keyed<const N: usize>(
    table: &Table,
    keyed: &Keyed<N>,
    set: usize,
    kind: DigestKind,
    found: &mut Vec<(usize, RecordRef)>,
) -> Result<()> {
    table.find_many(&keyed.digests, PIPELINE_LOOKUPS, |p, record| {
        found.push((keyed.index[p] as usize, RecordRef { set, record, method: kind }));
    })
}

/// A block of files' digests in the order their lookups run in (see
/// [`Matcher::locality_order`]): per digest kind some loaded table holds,
/// the files' digests of that kind in the order of their leading bits,
/// with each one's file index (the other kinds empty); and the buffers
/// that put the pairs found back in file order. Kept between calls (see
/// [`Matcher::scratch`]).
#[derive(Debug, Default)]
struct Ordered {
    md5: Keyed<16>,
    sha1: Keyed<20>,
    sha256: Keyed<32>,
    found: Vec<(usize, RecordRef)>,
    spare: Vec<(usize, RecordRef)>,
}

/// Digests of one kind in lookup order, each with its file's index.
#[derive(Debug, Default)]
struct Keyed<const N: usize> {
    index: Vec<u32>,
    digests: Vec<[u8; N]>,
}

impl<const N: usize> Keyed<N> {
    /// The digests `pick` gives of `files` (or none when `used` is
    /// false), in the order of their leading `bits` bits (at most
    /// [`RADIX_BITS`]): one pass of a radix sort. The buffers of an earlier
    /// call are reused in place.
    fn fill<F>(&mut self, files: &[F], used: bool, bits: u32, pick: impl Fn(&F) -> &[u8; N]) {
        self.index.clear();
        self.digests.clear();
        if !used {
            return;
        }
        let key = |f: &F| {
            let d = pick(f);
            (u32::from_be_bytes([d[0], d[1], d[2], d[3]]) >> (32 - bits)) as usize
        };
        let mut starts = bucket_starts(files, 1 << bits, key);
        self.index.resize(files.len(), 0);
        self.digests.resize(files.len(), [0; N]);
        for (i, f) in files.iter().enumerate() {
            let at = &mut starts[key(f)];
            self.index[*at] = i as u32;
            self.digests[*at] = *pick(f);
            *at += 1;
        }
    }
}

impl Matcher {
    /// Map every set in `infos`, whose folders are `sets_dir/<id>`. Only
    /// headers and checksum lists are read: no table is loaded.
    pub(crate) fn open(sets_dir: &Path, infos: Vec<SetInfo>) -> Result<Matcher> {
        let mut sets = Vec::with_capacity(infos.len());
        let mut videos = Vec::with_capacity(infos.len());
        for info in &infos {
            let dir = sets_dir.join(&info.id);
            check_layout(info, &dir)?;
            let mut tables = [None, None, None];
            for kind in DigestKind::ALL {
                if let Some(&count) = info.digest_counts.get(&kind).filter(|&&c| c > 0) {
                    tables[slot(kind)] = Some(Table::open(&table_path(&dir, kind), kind, count)?);
                }
            }
            let records = RecordStore::open(&dir, info.record_count)?;
            sets.push(LoadedSet { tables, records });
            videos.push(crate::vpdq::load(&dir, info)?);
        }
        let tables = sets
            .iter()
            .map(|s| s.tables.iter().flatten().count())
            .sum();
        let pdq = crate::pdq::PdqIndexes::open(sets_dir, &infos)?;
        Ok(Matcher {
            infos,
            sets,
            videos: crate::vpdq::KnownVideos::new(videos),
            tables,
            pdq,
            scratch: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// The loaded sets; [`ExactMatch::set`] indexes this.
    pub fn sets(&self) -> &[SetInfo] {
        &self.infos
    }

    /// The records listing one of the digests, appended to `out` (which is
    /// not cleared): per set, each record once with its strongest method.
    /// No record is read, so this is the cost of a lookup that finds
    /// nothing. With several tables loaded (sets, digest kinds), their
    /// memory loads are overlapped as in [`Matcher::matches_many`].
    #[inline]
    pub fn matches(
        &self,
        md5: &[u8; 16],
        sha1: &[u8; 20],
        sha256: &[u8; 32],
        out: &mut Vec<RecordRef>,
    ) -> Result<()> {
        let file = (*md5, *sha1, *sha256);
        if self.tables > 1 {
            self.prefetch(&file, Stage::Fanout);
            self.prefetch(&file, Stage::Bucket);
        }
        self.collect(&file, out)
    }

    /// The lookups of one file in every table, appended to `out`.
    #[inline(always)]
    fn collect(&self, f: &FileDigests, out: &mut Vec<RecordRef>) -> Result<()> {
        for (index, set) in self.sets.iter().enumerate() {
            let first = out.len();
            for kind in DigestKind::ALL {
                let Some(table) = &set.tables[slot(kind)] else {
                    continue;
                };
                let (start, end) = table.find(digest_of(f, slot(kind)))?;
                for i in start..end {
                    let record = table.record(i);
                    // Kinds come weakest first: a later kind upgrades.
                    match out[first..].iter_mut().find(|r| r.record == record) {
                        Some(r) => r.method = r.method.max(kind),
                        None => out.push(RecordRef {
                            set: index,
                            record,
                            method: kind,
                        }),
                    }
                }
            }
        }
        Ok(())
    }

    /// Ask the CPU to start loading what one stage of the lookups of `f`
    /// will read, in every table.
    #[inline(always)]
    fn prefetch(&self, f: &FileDigests, stage: Stage) {
        for set in &self.sets {
            for (slot, table) in set.tables.iter().enumerate() {
                if let Some(table) = table {
                    match stage {
                        Stage::Fanout => table.prefetch_fanout(digest_of(f, slot)),
                        Stage::Bucket => table.prefetch_bucket(digest_of(f, slot)),
                    }
                }
            }
        }
    }

    /// [`Matcher::matches`] for many files at once: `(file index, record)`
    /// pairs appended to `out`, in file order, each file's pairs as
    /// [`Matcher::matches`] gives them. The fast path: the way a list of
    /// files (a scan's batch, a whole hash list) is checked.
    ///
    /// A lookup in a table of tens of millions of entries waits on memory:
    /// a read of the fan-out, then one of the entries it points to, in a
    /// mapping of a GB where a random read also misses the TLB. And at ten
    /// million lookups a second, every instruction counts too. So:
    ///
    /// - the files' digests of each kind are moved into the order of their
    ///   leading bits (one radix pass a kind, which cuts a table into 2048
    ///   slices), in blocks of up to 2^21 files: consecutive lookups then
    ///   read the same slice of the table, whose pages the TLB keeps;
    /// - each table is searched on its own over the whole block
    ///   (`Table::find_many`): a loop over digests of one width that
    ///   prefetches the fan-out entry of the lookup `2d` ahead, reads the
    ///   bucket of the lookup `d` ahead and prefetches the entries around
    ///   its guess, and searches the current one, so that many memory
    ///   loads are in flight and nothing is computed twice;
    /// - the pairs are put back in file order by a two-pass radix sort on
    ///   the file index, which leaves each file's pairs in table order, and
    ///   a record that several digest kinds of its set matched is kept
    ///   once with the strongest, as [`Matcher::matches`] does.
    ///
    /// On the 50 M tables of `bench/hashset.sh` this runs at 11-14 M
    /// lookups a second on one core with a block of two million keys, and
    /// at 6-8 M with blocks of 1024.
    pub fn matches_many(
        &self,
        files: &[FileDigests],
        out: &mut Vec<(usize, RecordRef)>,
    ) -> Result<()> {
        self.matches_in_blocks(files, out, ORDER_BLOCK)
    }

    /// [`Matcher::matches_many`] in blocks of at most `block` files.
    fn matches_in_blocks(
        &self,
        files: &[FileDigests],
        out: &mut Vec<(usize, RecordRef)>,
        block: usize,
    ) -> Result<()> {
        by_blocks(files, block, out, |files, out| self.matches_block(files, out))
    }

    /// [`Matcher::matches_many`] of one block (at most [`ORDER_BLOCK`]
    /// files, so that its indexes and sort keys fit two radix passes).
    fn matches_block(&self, files: &[FileDigests], out: &mut Vec<(usize, RecordRef)>) -> Result<()> {
        let mut ordered = self
            .scratch
            .lock()
            .map(|mut pool| pool.pop())
            .ok()
            .flatten()
            .unwrap_or_default();
        self.locality_order(files, &mut ordered);
        let mut found = std::mem::take(&mut ordered.found);
        found.clear();
        let looked_up = self.find_ordered(&ordered, &mut found);
        if looked_up.is_ok() {
            // Back to file order: a stable radix sort on the file index
            // keeps each file's pairs in the order the tables were searched
            // in, which is the order `collect` finds them in.
            let first = out.len();
            radix_sort_into(&found, bits_for(files.len()), |p| p.0, &mut ordered.spare, out);
            if self.sets.iter().any(|s| s.tables.iter().flatten().count() > 1) {
                merge_kinds(out, first);
            }
        }
        ordered.found = found;
        if let Ok(mut pool) = self.scratch.lock() {
            pool.push(ordered);
        }
        looked_up
    }

    /// Every table's lookups of the ordered files, table by table (sets in
    /// order, digest kinds weakest first): `(file index, record)` pairs in
    /// that order, each table's in the files' order.
    fn find_ordered(&self, ordered: &Ordered, found: &mut Vec<(usize, RecordRef)>) -> Result<()> {
        for (index, set) in self.sets.iter().enumerate() {
            for kind in DigestKind::ALL {
                let Some(table) = &set.tables[slot(kind)] else {
                    continue;
                };
                match kind {
                    DigestKind::Md5 => find_keyed(table, &ordered.md5, index, kind, found)?,
                    DigestKind::Sha1 => find_keyed(table, &ordered.sha1, index, kind, found)?,
                    DigestKind::Sha256 => find_keyed(table, &ordered.sha256, index, kind, found)?,
                }
            }
        }
        Ok(())
    }

    /// The files' digests of each kind some table holds, in the order of
    /// their leading bits: one pass of a radix sort (up to [`RADIX_BITS`]
    /// bits) per kind, which moves the digests themselves. Each kind has
    /// its own order, so that the lookups in every table, not only the
    /// tables of one kind, read it slice by slice.
    ///
    /// Why move the digests rather than order indexes into `files`: the
    /// lookups would then read `files` in a random order, and in a batch of
    /// millions (a hundred MB and more) each of those reads is a cache and
    /// TLB miss that a lookup waits for before it can start its prefetches.
    /// Moved, they are read in sequence. One pass suffices: it cuts the
    /// table into 2048 slices (half a MB each at fifty million entries),
    /// and the lookups inside one slice share its pages.
    fn locality_order(&self, files: &[FileDigests], ordered: &mut Ordered) {
        let mut used = [false; 3];
        for set in &self.sets {
            for (slot, table) in set.tables.iter().enumerate() {
                used[slot] |= table.is_some();
            }
        }
        let bits = bits_for(files.len()).min(RADIX_BITS);
        ordered.md5.fill(files, used[0], bits, |f| &f.0);
        ordered.sha1.fill(files, used[1], bits, |f| &f.1);
        ordered.sha256.fill(files, used[2], bits, |f| &f.2);
    }

    /// Digests of one kind (`N` bytes: 16 MD5, 20 SHA-1, 32 SHA-256), each
    /// looked up in every loaded set's table of that kind:
    /// `(digest index, record)` pairs appended to `out`, in digest order,
    /// each digest's in set order, then table order. The batched path of
    /// [`Matcher::matches_many`] for a list of bare digests (`spoor
    /// hashset lookup`), where a line gives one digest and not a file's
    /// three.
    pub fn find_digests<const N: usize>(
        &self,
        digests: &[[u8; N]],
        out: &mut Vec<(usize, RecordRef)>,
    ) -> Result<()> {
        let kind = match N {
            16 => DigestKind::Md5,
            20 => DigestKind::Sha1,
            32 => DigestKind::Sha256,
            _ => {
                return Err(crate::Error::InvalidOptions(format!(
                    "{N}-byte digests: MD5 is 16 bytes, SHA-1 20, SHA-256 32"
                )));
            }
        };
        by_blocks(digests, ORDER_BLOCK, out, |chunk, out| {
            let mut keyed = Keyed::<N>::default();
            keyed.fill(chunk, true, bits_for(chunk.len()).min(RADIX_BITS), |d| d);
            let mut found = Vec::new();
            for (index, set) in self.sets.iter().enumerate() {
                if let Some(table) = &set.tables[slot(kind)] {
                    find_keyed(table, &keyed, index, kind, &mut found)?;
                }
            }
            radix_sort_into(&found, bits_for(chunk.len()), |p| p.0, &mut Vec::new(), out);
            Ok(())
        })
    }

    /// Whether any loaded set holds known videos (vPDQ).
    pub fn has_videos(&self) -> bool {
        !self.videos.is_empty()
    }

    /// The known videos (vPDQ) that a scanned video's frames match under
    /// the vPDQ rule, in set order, then source order.
    pub fn vpdq_matches(
        &self,
        frames: &[spoor_video::Frame],
        settings: &spoor_video::MatchSettings,
    ) -> Vec<crate::VpdqHit> {
        self.videos.matches(frames, settings)
    }

    /// The known videos (vPDQ) of loaded set `set` (an index into
    /// [`Matcher::sets`]), with their frames: none for a set without any.
    pub fn known_videos(&self, set: usize) -> &[crate::KnownVideo] {
        self.videos.of_set(set)
    }

    /// Read one matching record, with its category's display name.
    pub fn record(&self, r: &RecordRef) -> Result<Record> {
        self.read_record(r.set, r.record)
    }

    /// Record `number` of set `set`, with its category's display name.
    pub(crate) fn read_record(&self, set: usize, number: u32) -> Result<Record> {
        let mut record = self.sets[set].records.get(number)?;
        if let Some(c) = &record.category {
            record.category_name = self.infos[set].categories.get(c).cloned();
        }
        Ok(record)
    }

    /// Every (set, record) whose listed digest equals the file's. A record
    /// that matches by several digests is reported once, with the strongest
    /// method (sha256 > sha1 > md5). Ordered by set index, then record line.
    pub fn lookup(
        &self,
        md5: &[u8; 16],
        sha1: &[u8; 20],
        sha256: &[u8; 32],
    ) -> Result<Vec<ExactMatch>> {
        let mut refs = Vec::new();
        self.matches(md5, sha1, sha256, &mut refs)?;
        let mut matches = Vec::with_capacity(refs.len());
        for r in &refs {
            matches.push(ExactMatch {
                set: r.set,
                method: r.method,
                record: self.record(r)?,
            });
        }
        matches.sort_by_key(|m| (m.set, m.record.line));
        Ok(matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matcher_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Matcher>();
    }

    /// SplitMix64.
    fn next(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    #[test]
    fn bits_number_things() {
        assert_eq!(bits_for(0), 1);
        assert_eq!(bits_for(1), 1);
        assert_eq!(bits_for(2), 1);
        assert_eq!(bits_for(3), 2);
        assert_eq!(bits_for(1024), 10);
        assert_eq!(bits_for(1025), 11);
        assert!(bits_for(ORDER_BLOCK) <= 2 * RADIX_BITS);
    }

    /// Property: the radix sort gives what a stable comparison sort gives,
    /// for key widths under, at and over one pass, with repeated keys.
    #[test]
    fn radix_sort_equals_a_stable_sort() {
        let mut state = 7;
        for (len, bits) in [(0, 5), (1, 5), (2, 1), (100, 3), (5000, 11), (5000, 12), (20_000, 22), (3000, 17)] {
            let items: Vec<(usize, u32)> = (0..len)
                .map(|i| ((next(&mut state) % (1u64 << bits)) as usize, i as u32))
                .collect();
            let mut want = items.clone();
            want.sort_by_key(|p| p.0);
            let mut got = vec![(9, 9)];
            radix_sort_into(&items, bits, |p| p.0, &mut Vec::new(), &mut got);
            assert_eq!(got[0], (9, 9), "what was in `out` stays");
            assert_eq!(&got[1..], &want[..], "{len} items, {bits} bits");
        }
    }

    /// The batched path in small blocks, in one block and one file at a
    /// time give the same pairs in the same order.
    #[test]
    fn blocks_do_not_change_the_answer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let library = crate::Library::open(&dir.path().join("library")).expect("library");
        let mut state = 3;
        let digests: Vec<[u8; 16]> = (0..3000)
            .map(|_| {
                let mut d = [0u8; 16];
                d[..8].copy_from_slice(&next(&mut state).to_be_bytes());
                d[8..].copy_from_slice(&next(&mut state).to_be_bytes());
                d
            })
            .collect();
        let list: String = digests
            .iter()
            .enumerate()
            .map(|(i, d)| format!("{}  f{i}\n{}  g{i}\n", hex::encode(d), hex::encode(d)))
            .collect();
        let path = dir.path().join("list.md5");
        std::fs::write(&path, list).expect("write");
        library
            .import(&path, &crate::ImportOptions { name: "s".into(), ..Default::default() })
            .expect("import");
        let matcher = library.load(&[]).expect("load");
        let files: Vec<FileDigests> = (0..5000u64)
            .map(|k| {
                let md5 = if k % 2 == 0 {
                    digests[(next(&mut state) % 3000) as usize]
                } else {
                    let mut d = [0u8; 16];
                    d[..8].copy_from_slice(&next(&mut state).to_be_bytes());
                    d
                };
                (md5, [0; 20], [0; 32])
            })
            .collect();
        let mut one_by_one = Vec::new();
        for (i, f) in files.iter().enumerate() {
            let mut refs = Vec::new();
            matcher.matches(&f.0, &f.1, &f.2, &mut refs).expect("matches");
            one_by_one.extend(refs.into_iter().map(|r| (i, r)));
        }
        assert!(one_by_one.len() >= 2500, "{} pairs", one_by_one.len());
        for block in [1, 7, 1024, 1500, 4999, 5000, ORDER_BLOCK] {
            let mut got = Vec::new();
            matcher.matches_in_blocks(&files, &mut got, block).expect("batched");
            assert_eq!(got, one_by_one, "blocks of {block}");
        }
        // The same MD5s as bare digests: the same pairs (the set has only
        // an MD5 table); other widths find nothing or are refused.
        let md5s: Vec<[u8; 16]> = files.iter().map(|f| f.0).collect();
        let mut got = vec![(usize::MAX, one_by_one[0].1)];
        matcher.find_digests(&md5s, &mut got).expect("digests");
        assert_eq!(got[0].0, usize::MAX, "what was in `out` stays");
        assert_eq!(&got[1..], &one_by_one[..]);
        let mut none = Vec::new();
        matcher.find_digests(&[[0u8; 20]; 3], &mut none).expect("no SHA-1 table");
        assert!(none.is_empty());
        assert!(matcher.find_digests(&[[0u8; 8]], &mut none).is_err());
    }
}
