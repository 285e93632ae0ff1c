//! Source formats: one module per format behind the [`Parser`] trait.
//!
//! A parser turns a source's bytes into [`ParsedRecord`]s, pushed one at a
//! time into a [`RecordSink`] so that a set of any size streams to disk.
//! SQLite sources (NSRL RDS v3, Sleuth Kit `.kdb`) are read by path with a
//! streaming query instead ([`parse_database`]).

mod csv;
mod encase;
mod nsrl;
mod sumfile;
mod tsk;
pub(crate) mod vics;

use std::io::BufRead;
use std::path::Path;

use crate::{DigestKind, Format, ImportOptions, Profile, Record, Result};

/// UTF-8 byte-order mark, tolerated at the start of any text source.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// SQLite's file header.
pub(crate) const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// One parsed record: what is kept for the report, and the digests as bytes
/// for the tables.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ParsedRecord {
    pub(crate) record: Record,
    pub(crate) md5: Option<[u8; 16]>,
    pub(crate) sha1: Option<[u8; 20]>,
    pub(crate) sha256: Option<[u8; 32]>,
}

impl ParsedRecord {
    /// Set one digest from hex text (both the bytes and the lower-case hex).
    pub(crate) fn set_digest(
        &mut self,
        kind: DigestKind,
        text: &[u8],
    ) -> std::result::Result<(), String> {
        match kind {
            DigestKind::Md5 => {
                let (bytes, hex) = parse_digest::<16>(text, kind)?;
                self.md5 = Some(bytes);
                self.record.md5 = Some(hex);
            }
            DigestKind::Sha1 => {
                let (bytes, hex) = parse_digest::<20>(text, kind)?;
                self.sha1 = Some(bytes);
                self.record.sha1 = Some(hex);
            }
            DigestKind::Sha256 => {
                let (bytes, hex) = parse_digest::<32>(text, kind)?;
                self.sha256 = Some(bytes);
                self.record.sha256 = Some(hex);
            }
        }
        Ok(())
    }

    /// Set one digest from raw bytes of the right width.
    pub(crate) fn set_digest_bytes(
        &mut self,
        kind: DigestKind,
        bytes: &[u8],
    ) -> std::result::Result<(), String> {
        if bytes.len() != kind.len() {
            return Err(format!(
                "{kind} digest needs {} bytes, found {}",
                kind.len(),
                bytes.len()
            ));
        }
        self.set_digest(kind, hex::encode(bytes).as_bytes())
    }

    /// Does the record carry any digest?
    pub(crate) fn has_digest(&self) -> bool {
        self.md5.is_some() || self.sha1.is_some() || self.sha256.is_some()
    }
}

/// What a source says about itself, learnt while parsing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SourceMeta {
    /// The variant read, e.g. `vics-2.0`, for the importer version.
    pub(crate) variant: Option<String>,
    /// The category profile, for VICS.
    pub(crate) profile: Option<Profile>,
    /// A title carried inside the source.
    pub(crate) title: Option<String>,
}

/// Where a parser delivers its records.
pub(crate) trait RecordSink {
    fn push(&mut self, record: ParsedRecord) -> Result<()>;

    /// What the source says about itself; may come after some records.
    fn meta(&mut self, _meta: SourceMeta) {}
}

impl RecordSink for Vec<ParsedRecord> {
    fn push(&mut self, record: ParsedRecord) -> Result<()> {
        Vec::push(self, record);
        Ok(())
    }
}

/// A stream source-format importer.
pub(crate) trait Parser {
    /// Read `input` to its end (any byte-order mark already removed), pushing
    /// every record into `sink`. `source` names the file in errors. The first
    /// malformed record is an [`crate::Error::Parse`] naming its 1-based line
    /// (or an [`crate::Error::ParseAt`] naming its byte offset).
    fn parse(
        &self,
        source: &Path,
        input: &mut dyn BufRead,
        sink: &mut dyn RecordSink,
    ) -> Result<()>;
}

/// The parser for a stream format; `None` for SQLite formats.
pub(crate) fn parser_for(format: Format, opts: &ImportOptions) -> Option<Box<dyn Parser>> {
    let _ = opts;
    Some(match format {
        Format::Md5sum => Box::new(sumfile::SumFile(DigestKind::Md5)),
        Format::Sha1sum => Box::new(sumfile::SumFile(DigestKind::Sha1)),
        Format::Sha256sum => Box::new(sumfile::SumFile(DigestKind::Sha256)),
        Format::Csv => Box::new(csv::CsvList(csv::Dialect::Generic)),
        Format::HashKeeper => Box::new(csv::CsvList(csv::Dialect::HashKeeper)),
        Format::NsrlRds2 => Box::new(csv::CsvList(csv::Dialect::Nsrl)),
        Format::Vics => Box::new(vics::Vics { force_uk: false }),
        Format::Caid => Box::new(vics::Vics { force_uk: true }),
        Format::EnCase => Box::new(encase::EnCase),
        Format::TskIdx => Box::new(tsk::TskIdx),
        Format::Vpdq => Box::new(crate::vpdq::TextParser),
        // SQLite sources are read by path; PDQ sets have their own builder
        // (crate::pdq), not the digest sort.
        Format::NsrlRds3 | Format::TskKdb | Format::Pdq => return None,
    })
}

/// Read an SQLite source by path.
pub(crate) fn parse_database(format: Format, source: &Path, sink: &mut dyn RecordSink) -> Result<()> {
    match format {
        Format::NsrlRds3 => nsrl::parse_rds3(source, sink),
        Format::TskKdb => tsk::parse_kdb(source, sink),
        other => Err(crate::Error::UnsupportedFormat {
            path: source.to_path_buf(),
            reason: format!("{other} is not an SQLite format"),
        }),
    }
}

/// Open an SQLite source read-only and immutable: nothing (no journal, no
/// `-wal` or `-shm` file) is written beside it.
pub(crate) fn open_sqlite(path: &Path) -> Result<rusqlite::Connection> {
    use std::os::unix::ffi::OsStrExt;
    let abs = std::path::absolute(path).map_err(|e| crate::Error::io(path, e))?;
    let mut uri = String::from("file:");
    for &b in abs.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
        | rusqlite::OpenFlags::SQLITE_OPEN_URI
        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = rusqlite::Connection::open_with_flags(&uri, flags).map_err(|e| sqlite_error(path, e))?;
    Ok(conn)
}

/// An SQLite error as a [`crate::Error::Database`].
pub(crate) fn sqlite_error(path: &Path, e: rusqlite::Error) -> crate::Error {
    crate::Error::Database {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// The tables and views of a database.
pub(crate) fn table_names(conn: &rusqlite::Connection, path: &Path) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        .map_err(|e| sqlite_error(path, e))?;
    let names = stmt
        .query_map([], |row| row.get::<_, String>(0))
        .map_err(|e| sqlite_error(path, e))?
        .collect::<std::result::Result<Vec<String>, _>>()
        .map_err(|e| sqlite_error(path, e))?;
    Ok(names)
}

/// Which SQLite format a database is, from its table names.
pub(crate) fn sqlite_format_from_tables(tables: &[String]) -> Option<Format> {
    let has = |name: &str| tables.iter().any(|t| t.eq_ignore_ascii_case(name));
    if has("hashes") && has("db_properties") {
        Some(Format::TskKdb)
    } else if has("FILE") {
        Some(Format::NsrlRds3)
    } else {
        None
    }
}

/// Guess a source's format from its first bytes (64 KiB are plenty).
///
/// In order:
/// - the SQLite header: a schema naming the tables `hashes` and
///   `db_properties` is a Sleuth Kit `.kdb`, one naming `FILE` is NSRL RDS
///   v3 (when the schema is not in the first bytes, [`crate::detect_file_format`]
///   opens the database to look);
/// - the EnCase magic `HASH\r\n\xff\0` is EnCase;
/// - a JSON object (after an optional BOM) mentioning `odata` or `"value"` is
///   VICS, CAID when its header names the `UK` profile;
/// - otherwise the first non-blank line decides: `"SHA-1"` with
///   `ProductCode` is NSRL RDS 2.x; hex digits then `|` is a Sleuth Kit
///   `.idx`; a CSV header with a `hash` column is HashKeeper; a CSV header
///   with a recognised hash column (`md5`, `sha1`, `sha-1`, `sha256`,
///   `sha-256`) is CSV, one with a PDQ column (`pdq`, `pdq_hash`, or a hash
///   column beside `quality`) and no digest column is PDQ; a plain PDQ list
///   (see `pdq::looks_like_pdq_list`) is PDQ; past blank and `#` comment
///   lines, a leading token of 32, 40 or 64 hexadecimal digits is md5sum,
///   sha1sum or sha256sum.
///
/// Anything else is `None`.
pub fn detect_format(head: &[u8]) -> Option<Format> {
    if head.starts_with(SQLITE_MAGIC) {
        let text = String::from_utf8_lossy(head).to_ascii_lowercase();
        if text.contains("db_properties") && text.contains("hashes") {
            return Some(Format::TskKdb);
        }
        if text.contains("table file") || text.contains("table \"file\"") || text.contains("package_id") {
            return Some(Format::NsrlRds3);
        }
        return None;
    }
    if head.starts_with(encase::MAGIC_PREFIX) {
        return Some(Format::EnCase);
    }
    let head = head.strip_prefix(BOM).unwrap_or(head);
    if head.trim_ascii_start().starts_with(b"{") {
        let text = String::from_utf8_lossy(head);
        if text.contains("odata") || text.contains("\"value\"") {
            return Some(if vics::header_profile(&text) == Some(Profile::Uk) {
                Format::Caid
            } else {
                Format::Vics
            });
        }
        return None;
    }
    if crate::pdq::looks_like_pdq_list(head) {
        return Some(Format::Pdq);
    }
    let mut first = true;
    for line in head.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        if first {
            if csv::is_nsrl_header(line) {
                return Some(Format::NsrlRds2);
            }
            if tsk::is_idx_line(line) {
                return Some(Format::TskIdx);
            }
            if crate::pdq::is_pdq_csv_header(line) {
                return Some(Format::Pdq);
            }
            if csv::is_hashkeeper_header(line) {
                return Some(Format::HashKeeper);
            }
            if csv::is_hash_header(line) {
                return Some(Format::Csv);
            }
        }
        first = false;
        if line.starts_with(b"#") {
            continue;
        }
        let line = line.strip_prefix(b"\\").unwrap_or(line);
        let end = line
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(line.len());
        let token = &line[..end];
        if !token.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        return match token.len() {
            32 => Some(Format::Md5sum),
            40 => Some(Format::Sha1sum),
            64 => Some(Format::Sha256sum),
            _ => None,
        };
    }
    None
}

/// Decode one hex digest of exactly `N` bytes, or say why not (the reason
/// goes into an [`crate::Error::Parse`]). Returns the bytes and the
/// lower-case hex.
pub(crate) fn parse_digest<const N: usize>(
    text: &[u8],
    kind: crate::DigestKind,
) -> std::result::Result<([u8; N], String), String> {
    #[inline(always)]
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    if text.len() == N * 2 {
        let mut bytes = [0u8; N];
        let mut ok = true;
        for (i, pair) in text.chunks_exact(2).enumerate() {
            match (nibble(pair[0]), nibble(pair[1])) {
                (Some(h), Some(l)) => bytes[i] = (h << 4) | l,
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            let lower = text.to_ascii_lowercase();
            let hex = String::from_utf8(lower).map_err(|e| e.to_string())?;
            return Ok((bytes, hex));
        }
    }
    if text.is_empty() || !text.iter().all(u8::is_ascii_hexdigit) {
        return Err(format!("not a hexadecimal digest: {:?}", shorten(text)));
    }
    Err(format!(
        "{} digest needs {} hexadecimal digits, found {}: {:?}",
        kind,
        N * 2,
        text.len(),
        shorten(text)
    ))
}

/// Lossy text of at most 80 characters, for error messages about hostile
/// input.
pub(crate) fn shorten(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.chars().count() <= 80 {
        text.into_owned()
    } else {
        let mut short: String = text.chars().take(77).collect();
        short.push_str("...");
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DigestKind;

    const MD5: &str = "900150983cd24fb0d6963f7d28e17f72";
    const SHA1: &str = "a9993e364706816aba3e25717850c26c9cd0d89d";
    const SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn detects_sum_files_by_token_length() {
        assert_eq!(
            detect_format(format!("{MD5}  abc\n").as_bytes()),
            Some(Format::Md5sum)
        );
        assert_eq!(
            detect_format(format!("{SHA1} *abc\n").as_bytes()),
            Some(Format::Sha1sum)
        );
        assert_eq!(
            detect_format(SHA256.to_uppercase().as_bytes()),
            Some(Format::Sha256sum)
        );
        let commented = format!("\u{feff}# made by hand\r\n\r\n{MD5}\r\n");
        assert_eq!(detect_format(commented.as_bytes()), Some(Format::Md5sum));
        let escaped = format!("\\{MD5}  a\\\\b\n");
        assert_eq!(detect_format(escaped.as_bytes()), Some(Format::Md5sum));
    }

    #[test]
    fn detects_csv_by_header() {
        assert_eq!(detect_format(b"name,MD5,size\nx,1,2\n"), Some(Format::Csv));
        assert_eq!(
            detect_format(b"\xEF\xBB\xBF\"SHA-1\",category\n"),
            Some(Format::Csv)
        );
        assert_eq!(detect_format(b" File Name , sha-256 \n"), Some(Format::Csv));
    }

    #[test]
    fn detects_the_exchange_formats() {
        assert_eq!(
            detect_format(b"\xEF\xBB\xBF{\"odata.metadata\":\"http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media\",\"value\":[]}"),
            Some(Format::Vics)
        );
        assert_eq!(
            detect_format(b"{ \"@odata.context\": \"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media\", \"value\": [] }"),
            Some(Format::Caid)
        );
        assert_eq!(detect_format(b"  {\"value\": [{\"MD5\": \"00\"}"), Some(Format::Vics));
        assert_eq!(detect_format(b"{\"other\": 1}"), None);
        assert_eq!(
            detect_format(b"\"SHA-1\",\"FileName\",\"FileSize\",\"ProductCode\",\"OpSystemCode\",\"MD4\",\"MD5\",\"CRC32\",\"SpecialCode\"\r\n"),
            Some(Format::NsrlRds2)
        );
        assert_eq!(
            detect_format(b"\"SHA-1\",\"MD5\",\"CRC32\",\"FileName\",\"FileSize\",\"ProductCode\",\"OpSystemCode\",\"SpecialCode\"\n"),
            Some(Format::NsrlRds2)
        );
        assert_eq!(
            detect_format(b"\"file_id\",\"hash\",\"file_name\",\"directory\"\n"),
            Some(Format::HashKeeper)
        );
        assert_eq!(
            detect_format(format!("00000000000000000000000000000000|My set\n{MD5}|0\n").as_bytes()),
            Some(Format::TskIdx)
        );
        assert_eq!(
            detect_format(b"HASH\r\n\xff\x00\x02\x00\x00\x00\x01\x00\x00\x00"),
            Some(Format::EnCase)
        );
        let mut sqlite = SQLITE_MAGIC.to_vec();
        sqlite.extend_from_slice(b"...CREATE TABLE FILE (sha256 TEXT, package_id INTEGER)");
        assert_eq!(detect_format(&sqlite), Some(Format::NsrlRds3));
        let mut kdb = SQLITE_MAGIC.to_vec();
        kdb.extend_from_slice(b"...CREATE TABLE db_properties ... CREATE TABLE hashes");
        assert_eq!(detect_format(&kdb), Some(Format::TskKdb));
        assert_eq!(detect_format(SQLITE_MAGIC), None);
    }

    #[test]
    fn rejects_the_rest() {
        assert_eq!(detect_format(b""), None);
        assert_eq!(detect_format(b"\n\n# only comments\n"), None);
        assert_eq!(detect_format(b"name,size,date\n"), None);
        assert_eq!(detect_format(b"md5\n"), None, "a CSV header needs a comma");
        assert_eq!(detect_format(b"0123456789abcdef  short\n"), None);
        assert_eq!(
            detect_format(format!("{}  x\n", &SHA256[..63]).as_bytes()),
            None
        );
        assert_eq!(
            detect_format(b"MD5 (abc) = 900150983cd24fb0d6963f7d28e17f72\n"),
            None
        );
    }

    #[test]
    fn digest_parsing_reasons() {
        let (bytes, hex) =
            parse_digest::<16>(MD5.to_uppercase().as_bytes(), DigestKind::Md5).expect("valid md5");
        assert_eq!(hex, MD5);
        assert_eq!(bytes[0], 0x90);
        let err = parse_digest::<16>(b"xyz", DigestKind::Md5).expect_err("not hex");
        assert_eq!(err, "not a hexadecimal digest: \"xyz\"");
        let err = parse_digest::<20>(MD5.as_bytes(), DigestKind::Sha1).expect_err("too short");
        assert!(
            err.starts_with("sha1 digest needs 40 hexadecimal digits, found 32"),
            "{err}"
        );
        assert!(parse_digest::<16>(b"", DigestKind::Md5).is_err());
    }
}
