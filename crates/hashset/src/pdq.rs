//! PDQ sets: picture fingerprints matched by Hamming distance.
//!
//! A PDQ set is imported from a plain list (`hash` or `hash,quality` per
//! line, [`spoor_pdq::index::parse_pdq_list`]) or from a CSV file with a PDQ
//! column (`pdq`, `pdq_hash`, or `hash` / `signal` / `signal_value` beside a
//! `quality` column; `quality` / `pdq_quality`, `category`, `name` /
//! `filename`, `series` and `comments` are read by name, every other column
//! is kept in [`Record::extra`]). A bare hash gets quality
//! [`spoor_pdq::index::BARE_HASH_QUALITY`].
//!
//! The set folder has the layout of every set (manifest, `records.jsonl` /
//! `.off` / `.sum`, all checksummed, built in a temporary folder and renamed
//! into place) and, instead of sorted digest tables, one [`PDQ_INDEX_FILE`]:
//! a memory-mapped multi-index-hashing index ([`spoor_pdq::index`]) whose
//! entry `i` is record `i`. Records keep source order; a hash listed twice is
//! two records, and a picture near both gets two hits.
//!
//! Matching ([`Matcher::pdq_lookup`]) compares the eight dihedral variants of
//! a picture's hash with every loaded PDQ set and reports, per record, the
//! nearest variant within the distance. Listed hashes under the minimum
//! quality are kept in the index (and counted in
//! [`FingerprintInfo::low_quality`]) but not matched.

use std::io::{self, BufRead};
use std::path::{Path, PathBuf};

use spoor_pdq::index::{
    BARE_HASH_QUALITY, DEFAULT_MIN_QUALITY, FORMAT_VERSION as INDEX_VERSION, IndexBuilder,
    IndexError, PdqEntry, PdqIndex, parse_pdq_list,
};
use spoor_pdq::{Dihedral, DihedralHashes, PdqHash};

use crate::matcher::Matcher;
use crate::records::{RecordStore, RecordWriter};
use crate::{Error, FingerprintInfo, FingerprintKind, Record, Result, SetInfo};

/// The PDQ index in a PDQ set's folder.
pub const PDQ_INDEX_FILE: &str = "pdq.idx";

/// Header names (lower case, without `-`, `_` and spaces) of a PDQ column
/// that identify a CSV as a PDQ list by themselves.
const PDQ_COLUMNS: [&str; 2] = ["pdq", "pdqhash"];
/// Header names of a hash column that is PDQ when a quality column is
/// beside it (python-threatexchange and ThreatExchange exports).
const GENERIC_HASH_COLUMNS: [&str; 3] = ["hash", "signal", "signalvalue"];
const QUALITY_COLUMNS: [&str; 2] = ["pdqquality", "quality"];
/// Columns of exact digests: a CSV that has one is a digest list.
const DIGEST_COLUMNS: [&str; 3] = ["md5", "sha1", "sha256"];

/// One record of a PDQ set within the distance of a picture.
#[derive(Clone, Debug, PartialEq)]
pub struct PdqMatch {
    /// Index into [`Matcher::sets`].
    pub set: usize,
    /// Record number inside the set.
    pub number: u32,
    /// Hamming distance between the listed hash and the matching variant.
    pub distance: u32,
    /// The variant of the picture's hash that matched: the picture, so
    /// transformed, looks like the listed one (the nearest variant; the
    /// first in [`Dihedral::ALL`] order on a tie).
    pub variant: Dihedral,
    /// What the set's record said, with its category's display name.
    pub record: Record,
}

fn header_key(cell: &str) -> String {
    cell.trim()
        .trim_start_matches('\u{feff}')
        .trim_matches('"')
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Does this first line name a PDQ column (and no exact digest column)?
pub(crate) fn is_pdq_csv_header(line: &[u8]) -> bool {
    let text = String::from_utf8_lossy(line);
    if !text.contains(',') {
        return false;
    }
    let keys: Vec<String> = text.split(',').map(header_key).collect();
    let has = |names: &[&str]| keys.iter().any(|k| names.contains(&k.as_str()));
    !has(&DIGEST_COLUMNS)
        && (has(&PDQ_COLUMNS) || (has(&GENERIC_HASH_COLUMNS) && has(&QUALITY_COLUMNS)))
}

/// 64 hex digits.
fn hex64(token: &[u8]) -> Option<PdqHash> {
    std::str::from_utf8(token).ok()?.parse().ok()
}

/// Does the head of a file look like a plain PDQ list?
///
/// A line `hash,quality` (64 hex digits, a comma, a whole number up to 100)
/// is PDQ. A list of bare 64-digit hashes could also be SHA-256 digests;
/// it is taken as PDQ only when every hash has at most 128 bits set (a PDQ
/// hash sets the bits above the median of 256 coefficients, so never more)
/// and at least half of them exactly 128 (a SHA-256 digest has exactly 128
/// with probability 5 %). Otherwise (or with a name after the hash) it is a
/// `sha256sum` list; `--format pdq` settles any doubt.
pub(crate) fn looks_like_pdq_list(head: &[u8]) -> bool {
    let mut lines: Vec<&[u8]> = head.split(|&b| b == b'\n').collect();
    // The last piece may be cut off by the head's end.
    if lines.len() > 1 {
        lines.pop();
    }
    let (mut bare, mut balanced) = (0u64, 0u64);
    for line in lines {
        let line = line.trim_ascii();
        let line = line.strip_prefix(crate::format::BOM).unwrap_or(line);
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        let mut fields = line.split(|&b| b == b',');
        let Some(hash) = fields.next().and_then(|t| hex64(t.trim_ascii())) else {
            return false;
        };
        match (fields.next(), fields.next()) {
            (Some(q), None) => {
                let q = std::str::from_utf8(q.trim_ascii()).ok();
                return q.and_then(|q| q.parse::<u8>().ok()).is_some_and(|q| q <= 100);
            }
            (None, _) => {
                let ones: u32 = hash.0.iter().map(|b| b.count_ones()).sum();
                if ones > 128 {
                    return false;
                }
                bare += 1;
                balanced += u64::from(ones == 128);
            }
            _ => return false,
        }
    }
    bare > 0 && balanced * 2 >= bare
}

/// Is the first data line of `head` a CSV header rather than a hash?
pub(crate) fn starts_with_header(head: &[u8]) -> bool {
    let head = head.strip_prefix(crate::format::BOM).unwrap_or(head);
    for line in head.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        let first = line.split(|&b| b == b',').next().unwrap_or_default();
        return line.contains(&b',') && hex64(first.trim_ascii()).is_none();
    }
    false
}

/// What [`build`] made.
#[derive(Debug)]
pub(crate) struct BuiltPdq {
    pub(crate) record_count: u64,
    pub(crate) fingerprint: FingerprintInfo,
    /// `pdq-list` or `pdq-csv`, for the importer version.
    pub(crate) variant: &'static str,
}

/// An index error as the crate's error (every variant names the file).
fn index_error(e: IndexError) -> Error {
    match e {
        IndexError::Io { path, source } => Error::Io { path, source },
        other => {
            let path = match &other {
                IndexError::NotAnIndex { path }
                | IndexError::Version { path, .. }
                | IndexError::Truncated { path, .. }
                | IndexError::HeaderChecksum { path }
                | IndexError::SectionChecksum { path, .. }
                | IndexError::Corrupt { path, .. } => path.clone(),
                IndexError::Io { path, .. } => path.clone(),
            };
            Error::Corrupt {
                path,
                reason: other.to_string(),
            }
        }
    }
}

/// Collects records and index entries in the same order.
struct PdqWriter {
    source: PathBuf,
    records: RecordWriter,
    index: IndexBuilder,
    low_quality: u64,
}

impl PdqWriter {
    fn push(&mut self, record: &Record, hash: PdqHash, quality: u8) -> Result<()> {
        if self.index.len() >= u32::MAX as usize - 1 {
            return Err(Error::Parse {
                path: self.source.clone(),
                line: record.line,
                reason: format!("more than {} hashes in one set", u32::MAX - 1),
            });
        }
        let json = serde_json::to_vec(record).map_err(|e| Error::io(&self.source, io::Error::other(e)))?;
        let number = self.records.push_json(&json)?;
        let id = self.index.push(PdqEntry { hash, quality });
        debug_assert_eq!(u64::from(id), number);
        self.low_quality += u64::from(quality < DEFAULT_MIN_QUALITY);
        Ok(())
    }
}

/// Reads a PDQ list or CSV from `input` (its byte-order mark removed) and
/// writes the records and `pdq.idx` into the set folder `dir`. `csv` says
/// whether the source starts with a header row ([`starts_with_header`]).
/// The first bad line fails the import, naming the line.
pub(crate) fn build(dir: &Path, source: &Path, input: &mut dyn BufRead, csv: bool) -> Result<BuiltPdq> {
    let mut w = PdqWriter {
        source: source.to_path_buf(),
        records: RecordWriter::create(dir)?,
        index: IndexBuilder::new(),
        low_quality: 0,
    };
    let parse_error = |line: u64, reason: String| Error::Parse {
        path: source.to_path_buf(),
        line,
        reason,
    };
    if csv {
        read_csv(&mut w, source, input)?;
    } else {
        for item in parse_pdq_list(&mut *input) {
            let (line, entry) = match item {
                Ok(v) => v,
                Err(e) => match e.kind {
                    spoor_pdq::index::ListErrorKind::Io(source_err) => return Err(Error::io(source, source_err)),
                    kind => return Err(parse_error(e.line, kind.to_string())),
                },
            };
            let record = Record {
                line,
                pdq: Some(entry.hash.to_string()),
                pdq_quality: Some(entry.quality),
                ..Record::default()
            };
            w.push(&record, entry.hash, entry.quality)?;
        }
    }
    let record_count = w.records.finish()?;
    let index_path = dir.join(PDQ_INDEX_FILE);
    w.index.build(&index_path).map_err(index_error)?;
    Ok(BuiltPdq {
        record_count,
        fingerprint: FingerprintInfo {
            kind: FingerprintKind::Pdq,
            count: record_count,
            low_quality: w.low_quality,
            index_version: INDEX_VERSION,
        },
        variant: if csv { "pdq-csv" } else { "pdq-list" },
    })
}

/// What a CSV column holds.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Role {
    Hash,
    Quality,
    Category,
    Name,
    Series,
    Comments,
    Extra(String),
}

fn read_csv(w: &mut PdqWriter, source: &Path, input: &mut dyn BufRead) -> Result<()> {
    let parse_error = |line: u64, reason: String| Error::Parse {
        path: source.to_path_buf(),
        line,
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(input);
    let mut row = csv::StringRecord::new();
    let line_of = |row: &csv::StringRecord| row.position().map_or(0, csv::Position::line);
    let read = |reader: &mut csv::Reader<&mut dyn BufRead>, row: &mut csv::StringRecord| {
        reader.read_record(row).map_err(|e| match e.kind() {
            csv::ErrorKind::Io(_) => match e.into_kind() {
                csv::ErrorKind::Io(io) => Error::io(source, io),
                _ => Error::io(source, io::Error::other("CSV read failed")),
            },
            csv::ErrorKind::Utf8 { pos, .. } => Error::Parse {
                path: source.to_path_buf(),
                line: pos.as_ref().map_or(0, csv::Position::line),
                reason: "not UTF-8 text".into(),
            },
            _ => Error::Parse {
                path: source.to_path_buf(),
                line: e.position().map_or(0, csv::Position::line),
                reason: format!("unreadable CSV row: {e}"),
            },
        })
    };
    if !read(&mut reader, &mut row)? {
        return Ok(());
    }
    let header_line = line_of(&row);
    let keys: Vec<String> = row.iter().map(header_key).collect();
    let pick = |names: &[&str]| names.iter().find_map(|n| keys.iter().position(|k| k == n));
    let Some(hash_col) = pick(&PDQ_COLUMNS).or_else(|| pick(&GENERIC_HASH_COLUMNS)) else {
        return Err(parse_error(
            header_line,
            format!("the header names no PDQ column (pdq, pdq_hash, hash, signal or signal_value): {:?}", row.iter().collect::<Vec<_>>().join(",")),
        ));
    };
    let quality_col = pick(&QUALITY_COLUMNS);
    let roles: Vec<Role> = row
        .iter()
        .zip(&keys)
        .enumerate()
        .map(|(i, (text, key))| {
            if i == hash_col {
                Role::Hash
            } else if Some(i) == quality_col {
                Role::Quality
            } else {
                match key.as_str() {
                    "category" => Role::Category,
                    "name" | "filename" => Role::Name,
                    "series" => Role::Series,
                    "comments" => Role::Comments,
                    _ if text.trim().is_empty() => Role::Extra(format!("column {}", i + 1)),
                    _ => Role::Extra(text.trim().to_string()),
                }
            }
        })
        .collect();
    while read(&mut reader, &mut row)? {
        let line = line_of(&row);
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if row.len() != roles.len() {
            return Err(parse_error(line, format!("row has {} fields, the header has {}", row.len(), roles.len())));
        }
        let mut record = Record { line, ..Record::default() };
        let (mut hash, mut quality) = (None, BARE_HASH_QUALITY);
        for (role, cell) in roles.iter().zip(row.iter()) {
            let text = cell.trim();
            let value = (!text.is_empty()).then(|| text.to_string());
            match role {
                Role::Hash => {
                    let h: PdqHash = text
                        .parse()
                        .map_err(|e| parse_error(line, format!("bad PDQ hash {:?}: {e}", crate::format::shorten(text.as_bytes()))))?;
                    hash = Some(h);
                }
                Role::Quality => {
                    if !text.is_empty() {
                        quality = text.parse::<u8>().ok().filter(|&q| q <= 100).ok_or_else(|| {
                            parse_error(line, format!("bad quality {:?}: expected a whole number from 0 to 100", crate::format::shorten(text.as_bytes())))
                        })?;
                    }
                }
                Role::Category => record.category = value,
                Role::Name => record.name = value,
                Role::Series => record.series = value,
                Role::Comments => record.comments = value,
                Role::Extra(key) => {
                    if let Some(v) = value {
                        record.extra.insert(key.clone(), v);
                    }
                }
            }
        }
        let Some(hash) = hash else {
            return Err(parse_error(line, "the row has no PDQ hash".into()));
        };
        record.pdq = Some(hash.to_string());
        record.pdq_quality = Some(quality);
        w.push(&record, hash, quality)?;
    }
    Ok(())
}

/// Opens a PDQ set's index, checking it against the manifest.
pub(crate) fn open_index(dir: &Path, info: &SetInfo) -> Result<PdqIndex> {
    let path = dir.join(PDQ_INDEX_FILE);
    let index = PdqIndex::open(&path).map_err(index_error)?;
    let count = info.fingerprint.as_ref().map_or(0, |f| f.count);
    if index.len() as u64 != count || count != info.record_count {
        return Err(Error::corrupt(
            &path,
            format!("{} hashes in the index, the manifest says {count} for {} records", index.len(), info.record_count),
        ));
    }
    Ok(index)
}

/// Checks every section of the index and that record `i` lists the hash
/// and quality of entry `i`.
pub(crate) fn verify(dir: &Path, info: &SetInfo, records: &RecordStore) -> Result<()> {
    let index = open_index(dir, info)?;
    index.verify().map_err(index_error)?;
    for id in 0..index.len() as u32 {
        let entry = index.entry(id);
        let record = records.get(id)?;
        let listed: Option<PdqHash> = record.pdq.as_deref().and_then(|h| h.parse().ok());
        if listed != Some(entry.hash) || record.pdq_quality != Some(entry.quality) {
            return Err(Error::corrupt(
                index.path(),
                format!("entry {id} does not match record {id} (source line {})", record.line),
            ));
        }
    }
    Ok(())
}

/// Writes the set as a plain PDQ list: `hash,quality` per line, in record
/// order (importing it again gives the same hashes and qualities).
pub(crate) fn export_list(info: &SetInfo, records: &RecordStore, out: &mut dyn io::Write) -> Result<u64> {
    let io_err = |e: io::Error| Error::io(format!("<export of {}>", info.id), e);
    let mut written = 0;
    for n in 0..records.len() {
        let r = records.get(n as u32)?;
        let (Some(hash), Some(quality)) = (&r.pdq, r.pdq_quality) else {
            continue;
        };
        writeln!(out, "{hash},{quality}").map_err(io_err)?;
        written += 1;
    }
    out.flush().map_err(io_err)?;
    Ok(written)
}

/// Writes the set as CSV: `pdq`, `pdq_quality`, the named fields, then
/// every extra column the source had (importing it again gives the same
/// records, save their line numbers).
pub(crate) fn export_csv(info: &SetInfo, records: &RecordStore, out: &mut dyn io::Write) -> Result<u64> {
    let io_err = |e: io::Error| Error::io(format!("<export of {}>", info.id), e);
    let mut extra_keys = std::collections::BTreeSet::new();
    for n in 0..records.len() {
        extra_keys.extend(records.get(n as u32)?.extra.into_keys());
    }
    let mut csv = csv::Writer::from_writer(&mut *out);
    let mut header: Vec<String> = ["pdq", "pdq_quality", "name", "category", "category_name", "series", "comments", "line"]
        .map(String::from)
        .to_vec();
    header.extend(extra_keys.iter().cloned());
    csv.write_record(&header).map_err(|e| io_err(e.into()))?;
    let mut written = 0;
    for n in 0..records.len() {
        let r = records.get(n as u32)?;
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let category_name = r.category.as_ref().and_then(|c| info.categories.get(c).cloned()).unwrap_or_default();
        let mut row = vec![
            opt(&r.pdq),
            r.pdq_quality.map(|q| q.to_string()).unwrap_or_default(),
            opt(&r.name),
            opt(&r.category),
            category_name,
            opt(&r.series),
            opt(&r.comments),
            r.line.to_string(),
        ];
        row.extend(extra_keys.iter().map(|k| r.extra.get(k).cloned().unwrap_or_default()));
        csv.write_record(&row).map_err(|e| io_err(e.into()))?;
        written += 1;
    }
    csv.flush().map_err(io_err)?;
    Ok(written)
}

/// The PDQ indexes of the loaded sets, by set index.
#[derive(Debug, Default)]
pub(crate) struct PdqIndexes {
    indexes: Vec<(usize, PdqIndex)>,
}

impl PdqIndexes {
    /// Maps the index of every PDQ set among `infos` (headers only).
    pub(crate) fn open(sets_dir: &Path, infos: &[SetInfo]) -> Result<PdqIndexes> {
        let mut indexes = Vec::new();
        for (i, info) in infos.iter().enumerate() {
            if info.fingerprint.as_ref().is_some_and(|f| f.kind == FingerprintKind::Pdq) {
                indexes.push((i, open_index(&sets_dir.join(&info.id), info)?));
            }
        }
        Ok(PdqIndexes { indexes })
    }
}

impl Matcher {
    /// Whether any loaded set is a PDQ set.
    pub fn has_pdq(&self) -> bool {
        !self.pdq.indexes.is_empty()
    }

    /// The records of every loaded PDQ set within `max_distance` of any of
    /// the eight variants of a picture's hash, whose listed quality is at
    /// least `min_quality`: each record once, with its nearest variant.
    /// Ordered by set, then distance, then record number. The picture's own
    /// quality is the caller's to check.
    pub fn pdq_lookup(&self, variants: &DihedralHashes, max_distance: u32, min_quality: u8) -> Result<Vec<PdqMatch>> {
        let mut out = Vec::new();
        for (set, index) in &self.pdq.indexes {
            for m in index.query_dihedral(variants, max_distance, min_quality) {
                out.push(PdqMatch {
                    set: *set,
                    number: m.id,
                    distance: m.distance,
                    variant: m.variant,
                    record: self.read_record(*set, m.id)?,
                });
            }
        }
        Ok(out)
    }

    /// Every listed hash of the loaded PDQ sets within `max_distance` of
    /// `hash` (one orientation: the caller passes the variants it has),
    /// with listed quality at least `min_quality`, appended to `out` (not
    /// cleared), ordered by set, then distance, then record number. No
    /// record is read (see [`Matcher::pdq_record`]).
    ///
    /// This is the wide query of triage's near-known candidates (distance
    /// 32 to 48 and more), where [`Matcher::pdq_lookup`] is the match. Each
    /// index answers exactly what comparing every listed hash would
    /// ([`spoor_pdq::PdqIndex::query`]), through its tables when that is
    /// cheaper, else by a scan.
    pub fn pdq_near(&self, hash: &PdqHash, max_distance: u32, min_quality: u8, out: &mut Vec<PdqNear>) {
        let mut hits = Vec::new();
        for (set, index) in &self.pdq.indexes {
            index.query(hash, max_distance, min_quality, &mut hits);
            out.extend(hits.iter().map(|&(number, distance)| PdqNear { set: *set, number, distance }));
        }
    }

    /// Record `number` of the loaded set `set` (an index into
    /// [`Matcher::sets`]), with its category's display name.
    pub fn pdq_record(&self, set: usize, number: u32) -> Result<Record> {
        if set >= self.sets().len() {
            return Err(Error::InvalidOptions(format!("there is no loaded set {set}")));
        }
        self.read_record(set, number)
    }
}

/// A listed hash near a fingerprint ([`Matcher::pdq_near`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PdqNear {
    /// Index into [`Matcher::sets`].
    pub set: usize,
    /// Record number inside the set (= its entry in the index).
    pub number: u32,
    pub distance: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDQ: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

    /// A hash `n` bits (spread over the 256) away from `base`, the
    /// flipped bits chosen by `seed`.
    fn away(base: PdqHash, n: usize, seed: u64) -> PdqHash {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut bits: Vec<usize> = (0..256).collect();
        for i in (1..256).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            bits.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let mut h = base;
        for &k in &bits[..n] {
            h.0[k / 8] ^= 1 << (k % 8);
        }
        h
    }

    /// The wide query finds exactly what comparing every listed hash finds,
    /// at the match distance and at triage's wider ones, in two sets, with
    /// the quality filter.
    #[test]
    fn near_equals_brute_force() {
        let dir = tempfile::tempdir().expect("tempdir");
        let library = crate::Library::open(&dir.path().join("library")).expect("library");
        let base: PdqHash = PDQ.parse().expect("hash");
        // Two lists: hashes at every distance 0..=70 from `base`, and
        // unrelated ones; some under quality 50.
        let mut listed: Vec<Vec<(PdqHash, u8)>> = vec![Vec::new(), Vec::new()];
        for d in 0..=70usize {
            let q = if d % 7 == 3 { 40 } else { 90 };
            listed[d % 2].push((away(base, d, d as u64 + 1), q));
        }
        for seed in 0..300 {
            listed[seed % 2].push((away(base, 128, 1000 + seed as u64), 100));
        }
        for (i, list) in listed.iter().enumerate() {
            let path = dir.path().join(format!("set{i}.txt"));
            let text: String = list.iter().map(|(h, q)| format!("{h},{q}\n")).collect();
            std::fs::write(&path, text).expect("write");
            let opts = crate::ImportOptions { name: format!("near {i}"), format: Some(crate::Format::Pdq), ..Default::default() };
            library.import(&path, &opts).expect("import");
        }
        let matcher = library.load(&[]).expect("load");
        // The loaded order of the sets, by name.
        let order: Vec<usize> =
            matcher.sets().iter().map(|s| if s.name == "near 0" { 0 } else { 1 }).collect();
        for probe in [base, away(base, 5, 77), away(base, 40, 78)] {
            for max in [0, 31, 32, 40, 48, 64] {
                for min_quality in [0u8, 50] {
                    let mut got = Vec::new();
                    matcher.pdq_near(&probe, max, min_quality, &mut got);
                    let mut want = Vec::new();
                    for (set, which) in order.iter().enumerate() {
                        let mut here: Vec<PdqNear> = listed[*which]
                            .iter()
                            .enumerate()
                            .filter(|(_, (h, q))| probe.hamming(h) <= max && *q >= min_quality)
                            .map(|(n, (h, _))| PdqNear { set, number: n as u32, distance: probe.hamming(h) })
                            .collect();
                        here.sort_by_key(|m| (m.distance, m.number));
                        want.extend(here);
                    }
                    assert_eq!(got, want, "distance {max}, quality {min_quality}");
                }
            }
        }
        let mut got = Vec::new();
        matcher.pdq_near(&base, 48, 50, &mut got);
        assert!(got.len() > 20);
        let r = matcher.pdq_record(got[0].set, got[0].number).expect("record");
        assert_eq!(r.pdq.as_deref(), Some(PDQ));
        assert!(matcher.pdq_record(9, 0).is_err());
    }

    #[test]
    fn detects_pdq_lists_and_csv() {
        assert!(looks_like_pdq_list(format!("{PDQ},100\n").as_bytes()));
        assert!(looks_like_pdq_list(format!("# pdq\n{PDQ}\n{PDQ}\n").as_bytes()));
        // 256 bits set: never a PDQ hash.
        assert!(!looks_like_pdq_list(format!("{}\n", "f".repeat(64)).as_bytes()));
        // A name after the hash: a sha256sum line.
        assert!(!looks_like_pdq_list(format!("{PDQ}  a.jpg\n").as_bytes()));
        assert!(!looks_like_pdq_list(format!("{PDQ},101\n").as_bytes()));
        assert!(is_pdq_csv_header(b"pdq,category,name"));
        assert!(is_pdq_csv_header(b"hash,quality"));
        assert!(is_pdq_csv_header(b"\"Signal Value\",Quality,tags"));
        assert!(!is_pdq_csv_header(b"md5,pdq"));
        assert!(!is_pdq_csv_header(b"hash,file_name"));
        assert!(starts_with_header(b"\n# x\npdq,quality\n"));
        assert!(!starts_with_header(format!("{PDQ},100\n").as_bytes()));
    }
}
