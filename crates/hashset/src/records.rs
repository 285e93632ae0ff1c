//! The records a set's tables point at: `records.jsonl` (one JSON
//! [`Record`] per line), `records.off` (a u64 LE byte offset per record), so
//! a match reads one line without loading the rest, and `records.sum`, the
//! block checksums of both.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use crate::checked::{BLOCK, BlockSums, SumWriter, block_count, crc};
use crate::index::{le_bytes, map_file};
use crate::{Error, Record, Result};

pub(crate) const RECORDS_FILE: &str = "records.jsonl";
pub(crate) const OFFSETS_FILE: &str = "records.off";
pub(crate) const SUMS_FILE: &str = "records.sum";
const SUMS_MAGIC: &[u8; 8] = b"SPOORSUM";
const SUMS_VERSION: u32 = 2;
const SUMS_HEADER: usize = 64;

/// Appends records while a set is imported.
#[derive(Debug)]
pub(crate) struct RecordWriter {
    dir: PathBuf,
    records_path: PathBuf,
    offsets_path: PathBuf,
    records: SumWriter<BufWriter<File>>,
    offsets: SumWriter<BufWriter<File>>,
    count: u64,
}

impl RecordWriter {
    pub(crate) fn create(set_dir: &Path) -> Result<RecordWriter> {
        let records_path = set_dir.join(RECORDS_FILE);
        let offsets_path = set_dir.join(OFFSETS_FILE);
        let records = File::create_new(&records_path).map_err(|e| Error::io(&records_path, e))?;
        let offsets = File::create_new(&offsets_path).map_err(|e| Error::io(&offsets_path, e))?;
        Ok(RecordWriter {
            dir: set_dir.to_path_buf(),
            records: SumWriter::new(BufWriter::with_capacity(1 << 20, records)),
            offsets: SumWriter::new(BufWriter::with_capacity(1 << 16, offsets)),
            records_path,
            offsets_path,
            count: 0,
        })
    }

    /// Append one record; returns its record number.
    #[cfg(test)]
    pub(crate) fn push(&mut self, record: &Record) -> Result<u64> {
        let line = serde_json::to_vec(record)
            .map_err(|e| Error::io(&self.records_path, e.into()))?;
        self.push_json(&line)
    }

    /// Append one record given as its JSON (one line, no line end); returns
    /// its record number.
    pub(crate) fn push_json(&mut self, json: &[u8]) -> Result<u64> {
        let position = self.records.written();
        self.records
            .write_all(json)
            .and_then(|()| self.records.write_all(b"\n"))
            .map_err(|e| Error::io(&self.records_path, e))?;
        self.offsets
            .write_all(&position.to_le_bytes())
            .map_err(|e| Error::io(&self.offsets_path, e))?;
        let number = self.count;
        self.count += 1;
        Ok(number)
    }

    /// Records so far.
    #[cfg(test)]
    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// Flush and fsync both files, write `records.sum`; returns the record
    /// count.
    pub(crate) fn finish(self) -> Result<u64> {
        let mut lens = Vec::new();
        let mut all_sums = Vec::new();
        for (writer, path) in [
            (self.records, &self.records_path),
            (self.offsets, &self.offsets_path),
        ] {
            lens.push(writer.written());
            let (buf, sums) = writer.finish();
            all_sums.extend_from_slice(&sums);
            let file = buf
                .into_inner()
                .map_err(|e| Error::io(path, e.into_error()))?;
            file.sync_all().map_err(|e| Error::io(path, e))?;
        }
        let mut header = [0u8; SUMS_HEADER];
        header[..8].copy_from_slice(SUMS_MAGIC);
        header[8..12].copy_from_slice(&SUMS_VERSION.to_le_bytes());
        header[12..16].copy_from_slice(&(BLOCK as u32).to_le_bytes());
        header[16..24].copy_from_slice(&lens[0].to_le_bytes());
        header[24..32].copy_from_slice(&lens[1].to_le_bytes());
        header[32..40].copy_from_slice(&self.count.to_le_bytes());
        header[40..44].copy_from_slice(&crc(&all_sums).to_le_bytes());
        let check = crc(&header[..60]);
        header[60..].copy_from_slice(&check.to_le_bytes());
        let path = self.dir.join(SUMS_FILE);
        let io = |e| Error::io(&path, e);
        let mut file = File::create_new(&path).map_err(io)?;
        file.write_all(&header).map_err(io)?;
        file.write_all(&all_sums).map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok(self.count)
    }
}

/// A set's records, memory-mapped.
#[derive(Debug)]
pub(crate) struct RecordStore {
    records_path: PathBuf,
    offsets_path: PathBuf,
    records: Mmap,
    offsets: Mmap,
    record_sums: BlockSums,
    offset_sums: BlockSums,
    count: u64,
}

impl RecordStore {
    /// Map both files and check them and their checksum file against the
    /// manifest's record count.
    pub(crate) fn open(set_dir: &Path, count: u64) -> Result<RecordStore> {
        let records_path = set_dir.join(RECORDS_FILE);
        let offsets_path = set_dir.join(OFFSETS_FILE);
        let sums_path = set_dir.join(SUMS_FILE);
        let records = map_file(&records_path)?;
        let offsets = map_file(&offsets_path)?;
        if offsets.len() as u128 != count as u128 * 8 {
            return Err(Error::corrupt(
                &offsets_path,
                format!(
                    "{} bytes, {count} records need {}",
                    offsets.len(),
                    count as u128 * 8
                ),
            ));
        }
        let sums = fs::read(&sums_path).map_err(|e| Error::io(&sums_path, e))?;
        let bad = |reason: String| Error::corrupt(&sums_path, reason);
        if sums.len() < SUMS_HEADER || &sums[..8] != SUMS_MAGIC {
            return Err(bad("not a Spoor checksum file".into()));
        }
        if crc(&sums[..60]) != u32::from_le_bytes(le_bytes(&sums[60..64])) {
            return Err(bad("header checksum mismatch: the header is damaged".into()));
        }
        let version = u32::from_le_bytes(le_bytes(&sums[8..12]));
        let block = u32::from_le_bytes(le_bytes(&sums[12..16])) as usize;
        if version != SUMS_VERSION || block != BLOCK {
            return Err(bad(format!(
                "checksum file version {version} with {block}-byte blocks; this build reads \
                 version {SUMS_VERSION} with {BLOCK}"
            )));
        }
        let records_len = u64::from_le_bytes(le_bytes(&sums[16..24]));
        let offsets_len = u64::from_le_bytes(le_bytes(&sums[24..32]));
        let sum_count = u64::from_le_bytes(le_bytes(&sums[32..40]));
        if records_len != records.len() as u64
            || offsets_len != offsets.len() as u64
            || sum_count != count
        {
            return Err(bad(format!(
                "describes {sum_count} records in {records_len} + {offsets_len} bytes; the \
                 files hold {} + {} bytes and the manifest says {count} records",
                records.len(),
                offsets.len()
            )));
        }
        let body = &sums[SUMS_HEADER..];
        if crc(body) != u32::from_le_bytes(le_bytes(&sums[40..44])) {
            return Err(bad("the block checksum list is damaged".into()));
        }
        let split = (block_count(records_len) * 4) as usize;
        if body.len() != split + (block_count(offsets_len) * 4) as usize {
            return Err(bad("the block checksum list has the wrong length".into()));
        }
        let record_sums = BlockSums::new(&records_path, records.len(), &body[..split])?;
        let offset_sums = BlockSums::new(&offsets_path, offsets.len(), &body[split..])?;
        Ok(RecordStore {
            records_path,
            offsets_path,
            records,
            offsets,
            record_sums,
            offset_sums,
            count,
        })
    }

    /// Records in the store.
    pub(crate) fn len(&self) -> u64 {
        self.count
    }

    fn offset(&self, number: u64) -> Result<u64> {
        let at = number as usize * 8;
        self.offset_sums.check(&self.offsets, at, at + 8)?;
        Ok(u64::from_le_bytes(le_bytes(&self.offsets[at..at + 8])))
    }

    /// Fetch one record by number.
    pub(crate) fn get(&self, number: u32) -> Result<Record> {
        let number = u64::from(number);
        if number >= self.count {
            return Err(Error::corrupt(
                &self.records_path,
                format!("record {number} asked for, the set has {}", self.count),
            ));
        }
        let start = self.offset(number)?;
        let end = if number + 1 < self.count {
            self.offset(number + 1)?
        } else {
            self.records.len() as u64
        };
        let (s, e) = (start as usize, end as usize);
        if s > e || e > self.records.len() {
            return Err(Error::corrupt(
                &self.offsets_path,
                format!("record {number} has bad offsets {start}..{end}"),
            ));
        }
        self.record_sums.check(&self.records, s, e)?;
        serde_json::from_slice(self.records[s..e].trim_ascii_end())
            .map_err(|e| Error::corrupt(&self.records_path, format!("record {number}: {e}")))
    }

    /// Check every block of both files.
    pub(crate) fn verify(&self) -> Result<()> {
        self.offset_sums.check_all(&self.offsets)?;
        self.record_sums.check_all(&self.records)
    }

    /// Checksum blocks in both files.
    pub(crate) fn blocks(&self) -> usize {
        self.record_sums.blocks() + self.offset_sums.blocks()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_fetch_by_number() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut writer = RecordWriter::create(dir.path()).expect("create");
        let records: Vec<Record> = (1..=3)
            .map(|i| Record {
                line: i * 10,
                name: Some(format!("file {i}\nwith newline")),
                ..Record::default()
            })
            .collect();
        for (i, r) in records.iter().enumerate() {
            assert_eq!(writer.push(r).expect("push"), i as u64);
        }
        assert_eq!(writer.count(), 3);
        assert_eq!(writer.finish().expect("finish"), 3);

        let store = RecordStore::open(dir.path(), 3).expect("open");
        assert_eq!(store.len(), 3);
        assert_eq!(store.get(2).expect("get"), records[2]);
        assert_eq!(store.get(0).expect("get"), records[0]);
        assert_eq!(store.get(1).expect("get").line, 20);
        assert!(matches!(store.get(3), Err(Error::Corrupt { .. })));
        store.verify().expect("intact");
        assert!(matches!(
            RecordStore::open(dir.path(), 4),
            Err(Error::Corrupt { .. })
        ));

        // A changed byte inside a record is caught by its block checksum.
        let path = dir.path().join(RECORDS_FILE);
        let mut bytes = fs::read(&path).expect("read");
        let at = bytes.iter().position(|&b| b == b'f').expect("an f");
        bytes[at] = b'g';
        fs::write(&path, &bytes).expect("write");
        let store = RecordStore::open(dir.path(), 3).expect("open is cheap");
        let err = store.get(0).expect_err("damaged");
        assert!(err.to_string().contains("checksum mismatch"), "{err}");
        assert!(store.verify().is_err());

        fs::write(dir.path().join(SUMS_FILE), b"nonsense").expect("write");
        assert!(RecordStore::open(dir.path(), 3).is_err());
    }
}
