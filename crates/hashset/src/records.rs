//! The records a set's tables point at: `records.jsonl` (one JSON
//! [`Record`] per line) and `records.off` (a u64 LE byte offset per record),
//! so a match reads one line without loading the rest.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use crate::index::{le_bytes, map_file};
use crate::{Error, Record, Result};

pub(crate) const RECORDS_FILE: &str = "records.jsonl";
pub(crate) const OFFSETS_FILE: &str = "records.off";

/// Appends records while a set is imported.
#[derive(Debug)]
pub(crate) struct RecordWriter {
    records_path: PathBuf,
    offsets_path: PathBuf,
    records: BufWriter<File>,
    offsets: BufWriter<File>,
    position: u64,
    count: u64,
    line: Vec<u8>,
}

impl RecordWriter {
    pub(crate) fn create(set_dir: &Path) -> Result<RecordWriter> {
        let records_path = set_dir.join(RECORDS_FILE);
        let offsets_path = set_dir.join(OFFSETS_FILE);
        let records = File::create_new(&records_path).map_err(|e| Error::io(&records_path, e))?;
        let offsets = File::create_new(&offsets_path).map_err(|e| Error::io(&offsets_path, e))?;
        Ok(RecordWriter {
            records: BufWriter::with_capacity(1 << 20, records),
            offsets: BufWriter::with_capacity(1 << 16, offsets),
            records_path,
            offsets_path,
            position: 0,
            count: 0,
            line: Vec::with_capacity(256),
        })
    }

    /// Append one record; returns its record number.
    pub(crate) fn push(&mut self, record: &Record) -> Result<u64> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, record)
            .map_err(|e| Error::io(&self.records_path, e.into()))?;
        self.line.push(b'\n');
        self.records
            .write_all(&self.line)
            .map_err(|e| Error::io(&self.records_path, e))?;
        self.offsets
            .write_all(&self.position.to_le_bytes())
            .map_err(|e| Error::io(&self.offsets_path, e))?;
        self.position += self.line.len() as u64;
        let number = self.count;
        self.count += 1;
        Ok(number)
    }

    /// Flush and fsync both files; returns the record count.
    pub(crate) fn finish(self) -> Result<u64> {
        for (writer, path) in [
            (self.records, &self.records_path),
            (self.offsets, &self.offsets_path),
        ] {
            let file = writer
                .into_inner()
                .map_err(|e| Error::io(path, e.into_error()))?;
            file.sync_all().map_err(|e| Error::io(path, e))?;
        }
        Ok(self.count)
    }
}

/// A set's records, memory-mapped.
#[derive(Debug)]
pub(crate) struct RecordStore {
    records_path: PathBuf,
    records: Mmap,
    offsets: Mmap,
    count: u64,
}

impl RecordStore {
    /// Map both files and check them against the manifest's record count.
    pub(crate) fn open(set_dir: &Path, count: u64) -> Result<RecordStore> {
        let records_path = set_dir.join(RECORDS_FILE);
        let offsets_path = set_dir.join(OFFSETS_FILE);
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
        let store = RecordStore {
            records_path,
            records,
            offsets,
            count,
        };
        if count > 0 && store.offset(count - 1) >= store.records.len() as u64 {
            return Err(Error::corrupt(
                &store.records_path,
                "shorter than its offset table says",
            ));
        }
        Ok(store)
    }

    fn offset(&self, number: u64) -> u64 {
        let at = number as usize * 8;
        u64::from_le_bytes(le_bytes(&self.offsets[at..at + 8]))
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
        let start = self.offset(number);
        let end = if number + 1 < self.count {
            self.offset(number + 1)
        } else {
            self.records.len() as u64
        };
        let bytes = usize::try_from(start)
            .ok()
            .zip(usize::try_from(end).ok())
            .and_then(|(s, e)| self.records.get(s..e))
            .ok_or_else(|| {
                Error::corrupt(
                    &self.records_path,
                    format!("record {number} has bad offsets {start}..{end}"),
                )
            })?;
        serde_json::from_slice(bytes.trim_ascii_end())
            .map_err(|e| Error::corrupt(&self.records_path, format!("record {number}: {e}")))
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
        assert_eq!(writer.finish().expect("finish"), 3);

        let store = RecordStore::open(dir.path(), 3).expect("open");
        assert_eq!(store.get(2).expect("get"), records[2]);
        assert_eq!(store.get(0).expect("get"), records[0]);
        assert_eq!(store.get(1).expect("get").line, 20);
        assert!(matches!(store.get(3), Err(Error::Corrupt { .. })));
        assert!(matches!(
            RecordStore::open(dir.path(), 4),
            Err(Error::Corrupt { .. })
        ));
    }
}
