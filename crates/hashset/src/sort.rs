//! External merge sorts with bounded memory: records by their digests, and
//! table entries by digest.
//!
//! Items collect in memory up to a budget; a full buffer is sorted and
//! written as a run file inside the import's temporary folder; at the end
//! the runs (and what is still in memory) are merged with a heap. A set of
//! any size is thus sorted in memory proportional to the budget plus one
//! read buffer per run.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::index::{Entry, HEADER_LEN, TableWriter};
use crate::{Error, Result};

/// A record's sort key: presence flag and bytes of MD5, SHA-1 and SHA-256,
/// in that order, so records sort by MD5 first (absent first) and records
/// with the same digests are side by side.
pub(crate) const KEY_LEN: usize = 1 + 16 + 1 + 20 + 1 + 32;
pub(crate) type Key = [u8; KEY_LEN];

/// Read buffer per run file while merging.
const RUN_READ_BUF: usize = 256 * 1024;
/// Smallest budget honoured (tests use tiny ones to force many runs).
const MIN_BUDGET: usize = 64 * 1024;

/// The key of a record with these digests.
pub(crate) fn record_key(
    md5: Option<&[u8; 16]>,
    sha1: Option<&[u8; 20]>,
    sha256: Option<&[u8; 32]>,
) -> Key {
    let mut key = [0u8; KEY_LEN];
    if let Some(d) = md5 {
        key[0] = 1;
        key[1..17].copy_from_slice(d);
    }
    if let Some(d) = sha1 {
        key[17] = 1;
        key[18..38].copy_from_slice(d);
    }
    if let Some(d) = sha256 {
        key[38] = 1;
        key[39..71].copy_from_slice(d);
    }
    key
}

/// A key's MD5, SHA-1 and SHA-256.
pub(crate) type KeyDigests = (Option<[u8; 16]>, Option<[u8; 20]>, Option<[u8; 32]>);

/// The digests of a key.
pub(crate) fn key_digests(key: &Key) -> KeyDigests {
    let md5 = (key[0] == 1).then(|| crate::index::le_bytes::<16>(&key[1..17]));
    let sha1 = (key[17] == 1).then(|| crate::index::le_bytes::<20>(&key[18..38]));
    let sha256 = (key[38] == 1).then(|| crate::index::le_bytes::<32>(&key[39..71]));
    (md5, sha1, sha256)
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Item {
    key: Key,
    seq: u64,
    start: usize,
    len: u32,
}

/// Sorts (key, sequence number, payload) items; the payload is a record's
/// JSON, carried through the sort so the merge never reads back at random.
#[derive(Debug)]
pub(crate) struct RecordSorter {
    dir: PathBuf,
    arena: Vec<u8>,
    items: Vec<Item>,
    /// Sort order: (first 8 key bytes, item index); sorting these small
    /// pairs moves far less memory than sorting the items.
    order: Vec<(u64, u32)>,
    runs: Vec<PathBuf>,
}

/// Per-item memory: the item and its place in the order.
const ITEM_COST: usize = size_of::<Item>() + size_of::<(u64, u32)>();

impl RecordSorter {
    /// Runs go into `dir`; about `budget` bytes are held in memory.
    pub(crate) fn new(dir: &Path, budget: usize) -> RecordSorter {
        let budget = budget.max(MIN_BUDGET);
        let item_bytes = budget / 3;
        let cap = (item_bytes / ITEM_COST).clamp(16, u32::MAX as usize);
        RecordSorter {
            dir: dir.to_path_buf(),
            arena: Vec::with_capacity(budget - item_bytes),
            items: Vec::with_capacity(cap),
            order: Vec::new(),
            runs: Vec::new(),
        }
    }

    /// Add one item; `seq` must grow with each call.
    pub(crate) fn push(&mut self, key: Key, seq: u64, payload: &[u8]) -> Result<()> {
        if !self.items.is_empty()
            && (self.items.len() == self.items.capacity()
                || self.arena.len() + payload.len() > self.arena.capacity())
        {
            self.spill()?;
        }
        let len = u32::try_from(payload.len()).map_err(|_| {
            Error::InvalidOptions("a record of more than 4 GiB of JSON".to_string())
        })?;
        self.items.push(Item {
            key,
            seq,
            start: self.arena.len(),
            len,
        });
        self.arena.extend_from_slice(payload);
        Ok(())
    }

    fn sort_items(&mut self) {
        let items = &self.items;
        self.order.clear();
        self.order.extend(
            items
                .iter()
                .enumerate()
                .map(|(i, it)| (u64::from_be_bytes(crate::index::le_bytes::<8>(&it.key)), i as u32)),
        );
        self.order.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                let (x, y) = (&items[a.1 as usize], &items[b.1 as usize]);
                (&x.key, x.seq).cmp(&(&y.key, y.seq))
            })
        });
    }

    fn spill(&mut self) -> Result<()> {
        self.sort_items();
        let path = self.dir.join(format!("records-{:05}.run", self.runs.len()));
        let io = |e| Error::io(&path, e);
        let file = File::create_new(&path).map_err(io)?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        for &(_, i) in &self.order {
            let item = &self.items[i as usize];
            out.write_all(&item.key).map_err(io)?;
            out.write_all(&item.seq.to_le_bytes()).map_err(io)?;
            out.write_all(&item.len.to_le_bytes()).map_err(io)?;
            out.write_all(&self.arena[item.start..item.start + item.len as usize])
                .map_err(io)?;
        }
        out.flush().map_err(io)?;
        self.runs.push(path);
        self.items.clear();
        self.order.clear();
        self.arena.clear();
        Ok(())
    }

    /// Runs written so far (for tests).
    #[cfg(test)]
    pub(crate) fn run_count(&self) -> usize {
        self.runs.len()
    }

    /// Everything pushed, in (key, seq) order.
    pub(crate) fn finish(mut self) -> Result<MergedRecords> {
        if self.runs.is_empty() {
            self.sort_items();
            return Ok(MergedRecords::Memory {
                arena: self.arena,
                items: self.items,
                order: self.order,
                pos: 0,
            });
        }
        if !self.items.is_empty() {
            self.spill()?;
        }
        // Free the buffers before the merge allocates its own.
        drop(std::mem::take(&mut self.arena));
        drop(std::mem::take(&mut self.items));
        drop(std::mem::take(&mut self.order));
        let mut readers = Vec::with_capacity(self.runs.len());
        let mut heap = BinaryHeap::with_capacity(self.runs.len());
        for path in &self.runs {
            let file = File::open(path).map_err(|e| Error::io(path, e))?;
            let mut reader = RunReader {
                path: path.clone(),
                input: BufReader::with_capacity(RUN_READ_BUF, file),
                payload: Vec::new(),
            };
            if let Some((key, seq)) = reader.next()? {
                heap.push(Reverse((key, seq, readers.len())));
            }
            readers.push(reader);
        }
        Ok(MergedRecords::Runs { heap, readers })
    }
}

#[derive(Debug)]
pub(crate) struct RunReader {
    path: PathBuf,
    input: BufReader<File>,
    payload: Vec<u8>,
}

impl RunReader {
    fn next(&mut self) -> Result<Option<(Key, u64)>> {
        let io = |e| Error::io(&self.path, e);
        let mut key = [0u8; KEY_LEN];
        match self.input.read_exact(&mut key) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(io(e)),
        }
        let mut word = [0u8; 8];
        self.input.read_exact(&mut word).map_err(io)?;
        let seq = u64::from_le_bytes(word);
        let mut len = [0u8; 4];
        self.input.read_exact(&mut len).map_err(io)?;
        self.payload.resize(u32::from_le_bytes(len) as usize, 0);
        self.input.read_exact(&mut self.payload).map_err(io)?;
        Ok(Some((key, seq)))
    }
}

/// The sorted items of a [`RecordSorter`].
#[derive(Debug)]
pub(crate) enum MergedRecords {
    Memory {
        arena: Vec<u8>,
        items: Vec<Item>,
        order: Vec<(u64, u32)>,
        pos: usize,
    },
    Runs {
        heap: BinaryHeap<Reverse<(Key, u64, usize)>>,
        readers: Vec<RunReader>,
    },
}

impl MergedRecords {
    /// The next item into `key`, `seq` and `payload`; `false` at the end.
    pub(crate) fn next(
        &mut self,
        key: &mut Key,
        seq: &mut u64,
        payload: &mut Vec<u8>,
    ) -> Result<bool> {
        match self {
            MergedRecords::Memory {
                arena,
                items,
                order,
                pos,
            } => {
                let Some(&(_, i)) = order.get(*pos) else {
                    return Ok(false);
                };
                let item = &items[i as usize];
                *pos += 1;
                *key = item.key;
                *seq = item.seq;
                payload.clear();
                payload.extend_from_slice(&arena[item.start..item.start + item.len as usize]);
                Ok(true)
            }
            MergedRecords::Runs { heap, readers } => {
                let Some(Reverse((k, s, run))) = heap.pop() else {
                    return Ok(false);
                };
                *key = k;
                *seq = s;
                payload.clear();
                payload.extend_from_slice(&readers[run].payload);
                if let Some((k, s)) = readers[run].next()? {
                    heap.push(Reverse((k, s, run)));
                }
                Ok(true)
            }
        }
    }
}

/// Builds one digest table from entries in any order: written straight to
/// the table while they come sorted (the MD5 table always does, since
/// records are ordered by MD5 first), and sorted externally as soon as one
/// comes out of order.
#[derive(Debug)]
pub(crate) struct TableBuilder<const N: usize> {
    final_path: PathBuf,
    runs_dir: PathBuf,
    expected: u64,
    budget: usize,
    state: BuilderState<N>,
}

#[derive(Debug)]
enum BuilderState<const N: usize> {
    Direct {
        writer: TableWriter<N>,
        last: Option<Entry<N>>,
    },
    Sorting {
        /// Sorted run files: (path, byte offset of the first entry, count).
        runs: Vec<(PathBuf, u64, u64)>,
        buf: Vec<Entry<N>>,
    },
    Done,
}

impl<const N: usize> TableBuilder<N> {
    /// A table at `final_path`, for about `expected` entries; runs go into
    /// `runs_dir`; `budget` bytes of entries are held in memory at most.
    pub(crate) fn new(
        final_path: &Path,
        runs_dir: &Path,
        expected: u64,
        budget: usize,
    ) -> Result<TableBuilder<N>> {
        Ok(TableBuilder {
            final_path: final_path.to_path_buf(),
            runs_dir: runs_dir.to_path_buf(),
            expected,
            budget: budget.max(MIN_BUDGET),
            state: BuilderState::Direct {
                writer: TableWriter::create(final_path, expected)?,
                last: None,
            },
        })
    }

    pub(crate) fn push(&mut self, digest: &[u8; N], record: u32) -> Result<()> {
        match &mut self.state {
            BuilderState::Direct { writer, last } => {
                if last.is_none_or(|l| (l.0, l.1) <= (*digest, record)) {
                    *last = Some((*digest, record));
                    return writer.push(digest, record);
                }
                // Out of order: what was written is the first sorted run.
                let BuilderState::Direct { writer, .. } =
                    std::mem::replace(&mut self.state, BuilderState::Done)
                else {
                    unreachable!("matched Direct above")
                };
                let count = writer.abandon()?;
                let run0 = self.runs_dir.join(format!("table{N}-direct.run"));
                fs::rename(&self.final_path, &run0).map_err(|e| Error::io(&run0, e))?;
                let cap = (self.budget / size_of::<Entry<N>>()).max(16);
                let mut buf = Vec::with_capacity(cap);
                buf.push((*digest, record));
                self.state = BuilderState::Sorting {
                    runs: vec![(run0, HEADER_LEN as u64, count)],
                    buf,
                };
                Ok(())
            }
            BuilderState::Sorting { runs, buf } => {
                if buf.len() == buf.capacity() {
                    buf.sort_unstable();
                    let path = self
                        .runs_dir
                        .join(format!("table{N}-{:05}.run", runs.len()));
                    let io = |e| Error::io(&path, e);
                    let file = File::create_new(&path).map_err(io)?;
                    let mut out = BufWriter::with_capacity(1 << 20, file);
                    for (d, r) in buf.iter() {
                        out.write_all(d).map_err(io)?;
                        out.write_all(&r.to_le_bytes()).map_err(io)?;
                    }
                    out.flush().map_err(io)?;
                    runs.push((path, 0, buf.len() as u64));
                    buf.clear();
                }
                buf.push((*digest, record));
                Ok(())
            }
            BuilderState::Done => Err(Error::InvalidOptions(
                "internal error: table builder used after finish".into(),
            )),
        }
    }

    /// Write the table; returns its entry count.
    pub(crate) fn finish(mut self) -> Result<u64> {
        match std::mem::replace(&mut self.state, BuilderState::Done) {
            BuilderState::Direct { writer, .. } => writer.finish(),
            BuilderState::Sorting { runs, mut buf } => {
                buf.sort_unstable();
                // The merge's own buffers replace the sort buffer.
                let mut readers = Vec::with_capacity(runs.len());
                for (path, offset, count) in &runs {
                    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
                    file.seek(SeekFrom::Start(*offset))
                        .map_err(|e| Error::io(path, e))?;
                    readers.push(EntryReader {
                        path: path.clone(),
                        input: BufReader::with_capacity(RUN_READ_BUF, file),
                        left: *count,
                    });
                }
                let mut heap: BinaryHeap<Reverse<(Entry<N>, usize)>> = BinaryHeap::new();
                for (i, r) in readers.iter_mut().enumerate() {
                    if let Some(e) = r.next::<N>()? {
                        heap.push(Reverse((e, i)));
                    }
                }
                let mem = readers.len();
                let mut in_memory = buf.into_iter();
                if let Some(e) = in_memory.next() {
                    heap.push(Reverse((e, mem)));
                }
                let mut writer = TableWriter::<N>::create(&self.final_path, self.expected)?;
                while let Some(Reverse(((d, r), source))) = heap.pop() {
                    writer.push(&d, r)?;
                    let next = if source == mem {
                        in_memory.next()
                    } else {
                        readers[source].next::<N>()?
                    };
                    if let Some(e) = next {
                        heap.push(Reverse((e, source)));
                    }
                }
                for (path, _, _) in &runs {
                    let _ = fs::remove_file(path);
                }
                writer.finish()
            }
            BuilderState::Done => Err(Error::InvalidOptions(
                "internal error: table builder finished twice".into(),
            )),
        }
    }
}

#[derive(Debug)]
struct EntryReader {
    path: PathBuf,
    input: BufReader<File>,
    left: u64,
}

impl EntryReader {
    fn next<const N: usize>(&mut self) -> Result<Option<Entry<N>>> {
        if self.left == 0 {
            return Ok(None);
        }
        let mut digest = [0u8; N];
        let mut record = [0u8; 4];
        self.input
            .read_exact(&mut digest)
            .and_then(|()| self.input.read_exact(&mut record))
            .map_err(|e| Error::io(&self.path, e))?;
        self.left -= 1;
        Ok(Some((digest, u32::from_le_bytes(record))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DigestKind;
    use crate::index::Table;

    fn lcg(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *state >> 11
    }

    #[test]
    fn records_sort_across_many_runs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut sorter = RecordSorter::new(dir.path(), 0); // the minimum budget
        let mut state = 7u64;
        let mut expected = Vec::new();
        for seq in 0..20_000u64 {
            let md5 = (lcg(&mut state) % 5000).to_be_bytes().repeat(2);
            let md5: [u8; 16] = md5.try_into().expect("16");
            let key = record_key(Some(&md5), None, None);
            let payload = format!("record {seq}").into_bytes();
            sorter.push(key, seq, &payload).expect("push");
            expected.push((key, seq, payload));
        }
        assert!(sorter.run_count() > 3, "{} runs", sorter.run_count());
        expected.sort();
        let mut merged = sorter.finish().expect("finish");
        let (mut key, mut seq, mut payload) = ([0u8; KEY_LEN], 0, Vec::new());
        let mut got = Vec::new();
        while merged.next(&mut key, &mut seq, &mut payload).expect("next") {
            got.push((key, seq, payload.clone()));
        }
        assert_eq!(got, expected);
    }

    #[test]
    fn keys_order_md5_first_and_round_trip() {
        let a = record_key(None, Some(&[9; 20]), None);
        let b = record_key(Some(&[0; 16]), None, None);
        let c = record_key(Some(&[0; 16]), Some(&[1; 20]), Some(&[2; 32]));
        assert!(a < b && b < c);
        assert_eq!(key_digests(&c), (Some([0; 16]), Some([1; 20]), Some([2; 32])));
        assert_eq!(key_digests(&a), (None, Some([9; 20]), None));
    }

    #[test]
    fn table_builder_direct_and_sorted() {
        let dir = tempfile::tempdir().expect("tempdir");
        // In order: stays direct.
        let path = dir.path().join("md5.idx");
        let mut b = TableBuilder::<16>::new(&path, dir.path(), 100, 0).expect("new");
        for i in 0..100u32 {
            let mut d = [0u8; 16];
            d[..4].copy_from_slice(&i.to_be_bytes());
            b.push(&d, i).expect("push");
        }
        assert!(matches!(b.state, BuilderState::Direct { .. }));
        assert_eq!(b.finish().expect("finish"), 100);
        Table::open(&path, DigestKind::Md5, 100)
            .expect("open")
            .verify(100)
            .expect("verify");

        // Shuffled, more than the budget: runs, then a merge.
        let path = dir.path().join("sha1.idx");
        let mut b = TableBuilder::<20>::new(&path, dir.path(), 30_000, 0).expect("new");
        let mut state = 3u64;
        let mut all = Vec::new();
        for i in 0..30_000u32 {
            let mut d = [0u8; 20];
            d[..8].copy_from_slice(&lcg(&mut state).to_be_bytes());
            b.push(&d, i).expect("push");
            all.push((d, i));
        }
        assert_eq!(b.finish().expect("finish"), 30_000);
        let table = Table::open(&path, DigestKind::Sha1, 30_000).expect("open");
        table.verify(30_000).expect("sorted and complete");
        for (d, i) in all.iter().step_by(97) {
            let (s, e) = table.find(d).expect("find");
            assert!((s..e).any(|j| table.record(j) == *i));
        }
        // Run files are gone.
        let left: Vec<_> = fs::read_dir(dir.path())
            .expect("read")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".run"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
