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
}

/// Table lookups kept in flight by [`Matcher::matches_many`]: the distance
/// between the fan-out and bucket stages (and between the bucket stage and
/// the search). About the memory loads a core keeps outstanding; on a 50 M
/// set (bench/hashset.sh) 8 to 24 performed alike within the noise of a
/// shared machine, 4 was clearly slower.
const PIPELINE_LOOKUPS: usize = 16;

/// Batches of at least this many files are looked up in digest order (see
/// [`Matcher::matches_many`]).
const ORDER_MIN: usize = 1024;

/// Larger batches are looked up in blocks of this many files, so that the
/// ordering's arrays stay in cache.
const ORDER_BLOCK: usize = 16384;

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
    /// A lookup in a table of tens of millions of entries waits on memory,
    /// not on the CPU: a read of the fan-out, then one of the entries it
    /// points to, in a mapping of a GB where nearly every read also misses
    /// the TLB. Two things hide that:
    ///
    /// - the lookups run as a software pipeline: while file `i` is
    ///   searched, the entries of file `i + d` and the fan-out of file
    ///   `i + 2d` are being fetched, so many memory loads are in flight at
    ///   once instead of one;
    /// - a batch of at least 1024 files is looked up in the order of their
    ///   digests (by a one-pass bucket sort on the leading bits of the
    ///   digest kind with the most entries), in blocks of 16384 files so
    ///   that the sort's arrays stay in cache, so neighbouring lookups read
    ///   nearby memory and their page walks find the page tables in cache.
    ///   The pairs are put back in file order afterwards.
    pub fn matches_many(
        &self,
        files: &[FileDigests],
        out: &mut Vec<(usize, RecordRef)>,
    ) -> Result<()> {
        if files.len() > ORDER_BLOCK {
            for (n, chunk) in files.chunks(ORDER_BLOCK).enumerate() {
                let first = out.len();
                self.matches_many(chunk, out)?;
                for pair in &mut out[first..] {
                    pair.0 += n * ORDER_BLOCK;
                }
            }
            return Ok(());
        }
        if files.len() < ORDER_MIN {
            return self.pipeline(files, (0..files.len()).map(|i| i as u32), out);
        }
        let order = self.locality_order(files);
        let first = out.len();
        self.pipeline(files, order.iter().copied(), out)?;
        // Back to file order: a stable counting sort on the file index
        // (each file's pairs stay in the order they were found).
        let found = out.split_off(first);
        let mut starts = vec![0u32; files.len() + 1];
        for (file, _) in &found {
            starts[file + 1] += 1;
        }
        for i in 0..files.len() {
            starts[i + 1] += starts[i];
        }
        let mut placed: Vec<Option<(usize, RecordRef)>> = vec![None; found.len()];
        for pair in found {
            let at = &mut starts[pair.0];
            placed[*at as usize] = Some(pair);
            *at += 1;
        }
        out.extend(placed.into_iter().flatten());
        Ok(())
    }

    /// The files' indexes ordered by the leading bits of the digest kind
    /// with the most table entries (a bucket sort: digests are uniform, so
    /// buckets of about four files, in digest order between buckets).
    fn locality_order(&self, files: &[FileDigests]) -> Vec<u32> {
        let mut entries = [0u64; 3];
        for set in &self.sets {
            for (slot, table) in set.tables.iter().enumerate() {
                if let Some(table) = table {
                    entries[slot] += table.len() as u64;
                }
            }
        }
        let slot = (0..3).max_by_key(|&s| (entries[s], 3 - s)).unwrap_or(0);
        let bits = (usize::BITS - files.len().leading_zeros()).saturating_sub(2).clamp(1, 22);
        let key = |f: &FileDigests| {
            let d = digest_of(f, slot);
            (u32::from_be_bytes([d[0], d[1], d[2], d[3]]) >> (32 - bits)) as usize
        };
        let mut starts = vec![0u32; (1 << bits) + 1];
        for f in files {
            starts[key(f) + 1] += 1;
        }
        for i in 0..1 << bits {
            starts[i + 1] += starts[i];
        }
        let mut order = vec![0u32; files.len()];
        for (i, f) in files.iter().enumerate() {
            let at = &mut starts[key(f)];
            order[*at as usize] = i as u32;
            *at += 1;
        }
        order
    }

    /// The pipelined lookups of `files[i]` for each `i` of `order`.
    fn pipeline(
        &self,
        files: &[FileDigests],
        order: impl Iterator<Item = u32> + Clone,
        out: &mut Vec<(usize, RecordRef)>,
    ) -> Result<()> {
        let d = (PIPELINE_LOOKUPS / self.tables.max(1)).max(1);
        let mut fanout_stage = order.clone();
        let mut bucket_stage = order.clone();
        for i in fanout_stage.by_ref().take(2 * d) {
            self.prefetch(&files[i as usize], Stage::Fanout);
        }
        for i in bucket_stage.by_ref().take(d) {
            self.prefetch(&files[i as usize], Stage::Bucket);
        }
        let mut refs = Vec::with_capacity(4);
        for i in order {
            if let Some(ahead) = fanout_stage.next() {
                self.prefetch(&files[ahead as usize], Stage::Fanout);
            }
            if let Some(ahead) = bucket_stage.next() {
                self.prefetch(&files[ahead as usize], Stage::Bucket);
            }
            let i = i as usize;
            refs.clear();
            self.collect(&files[i], &mut refs)?;
            out.extend(refs.iter().map(|r| (i, *r)));
        }
        Ok(())
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
}
