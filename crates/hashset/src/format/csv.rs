//! CSV with a header row naming its hash columns, and the two formats that
//! are CSV underneath: HashKeeper `.hsh` and NSRL RDS 2.x `NSRLFile.txt`.
//!
//! Header cells are matched case-insensitively after trimming and ignoring
//! `-`, `_` and spaces: `md5`, `sha1` (`SHA-1`), `sha256` (`SHA-256`) are
//! digest columns (at least one is required), `category` is the category,
//! `name` / `filename` (`file_name`, `File Name`) is the file name, `series`
//! the series, `filesize` / `mediasize` the size; every other column is kept
//! verbatim in [`crate::Record::extra`]. A row may leave a digest cell empty
//! but must fill at least one.
//!
//! HashKeeper names its MD5 column `hash` (and has `file_name`, `file_size`,
//! `comments`); NSRL RDS 2.x writes `"SHA-1","MD5","FileName","FileSize"`
//! among its columns, in one of two orders: both are read by header name.

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, Read};
use std::path::Path;

use super::{ParsedRecord, Parser, RecordSink, shorten};
use crate::{DigestKind, Error, Record, Result};

/// Parser for CSV-shaped hash lists.
#[derive(Debug)]
pub(crate) struct CsvList(pub(crate) Dialect);

/// Which header names mean what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// A hash-list CSV.
    Generic,
    /// HashKeeper `.hsh`.
    HashKeeper,
    /// NSRL RDS 2.x `NSRLFile.txt`.
    Nsrl,
}

/// What a column holds.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Role {
    Digest(DigestKind),
    Category,
    Name,
    Series,
    Size,
    Comments,
    Extra(String),
}

fn header_key(cell: &str) -> String {
    cell.trim()
        .trim_matches('"')
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The role a header cell names, if it is one this parser knows.
fn known_role(cell: &str, dialect: Dialect) -> Option<Role> {
    let key = header_key(cell);
    match (dialect, key.as_str()) {
        (_, "md5") => Some(Role::Digest(DigestKind::Md5)),
        (_, "sha1") => Some(Role::Digest(DigestKind::Sha1)),
        (_, "sha256") => Some(Role::Digest(DigestKind::Sha256)),
        (Dialect::HashKeeper, "hash") => Some(Role::Digest(DigestKind::Md5)),
        (Dialect::Generic, "category") => Some(Role::Category),
        (_, "name" | "filename") => Some(Role::Name),
        (Dialect::Generic, "series") => Some(Role::Series),
        (_, "filesize" | "mediasize") => Some(Role::Size),
        (Dialect::HashKeeper, "comments") => Some(Role::Comments),
        _ => None,
    }
}

fn cells(line: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(line)
        .split(',')
        .map(|cell| cell.trim().trim_matches('"').to_string())
        .collect()
}

/// Does this raw first line look like a hash-list CSV header?
pub(crate) fn is_hash_header(line: &[u8]) -> bool {
    line.contains(&b',')
        && cells(line)
            .iter()
            .any(|cell| matches!(known_role(cell, Dialect::Generic), Some(Role::Digest(_))))
}

/// Does this raw first line look like an NSRL RDS 2.x header?
pub(crate) fn is_nsrl_header(line: &[u8]) -> bool {
    let keys: Vec<String> = cells(line).iter().map(|c| header_key(c)).collect();
    let has = |k: &str| keys.iter().any(|c| c == k);
    has("sha1") && has("productcode") && has("opsystemcode")
}

/// Does this raw first line look like a HashKeeper header?
pub(crate) fn is_hashkeeper_header(line: &[u8]) -> bool {
    line.contains(&b',') && cells(line).iter().any(|c| c.eq_ignore_ascii_case("hash"))
}

impl Parser for CsvList {
    fn parse(
        &self,
        source: &Path,
        input: &mut dyn BufRead,
        sink: &mut dyn RecordSink,
    ) -> Result<()> {
        let parse_error = |line: u64, reason: String| Error::Parse {
            path: source.to_path_buf(),
            line,
            reason,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineCounter::new(input));
        let mut row = csv::ByteRecord::new();
        let mut last_line = 0u64;
        let Some(header_line) = next_row(source, &mut reader, &mut row, last_line)? else {
            return Ok(()); // empty file: the importer reports an empty set
        };
        last_line = header_line;
        let roles =
            header_roles(&row, self.0).map_err(|reason| parse_error(header_line, reason))?;
        sink.meta(super::SourceMeta {
            variant: Some(
                match self.0 {
                    Dialect::Generic => "csv",
                    Dialect::HashKeeper => "hashkeeper",
                    Dialect::Nsrl => "nsrl-rds2",
                }
                .to_string(),
            ),
            ..super::SourceMeta::default()
        });

        while let Some(line) = next_row(source, &mut reader, &mut row, last_line)? {
            last_line = line;
            let record =
                parse_row(&roles, &row, line).map_err(|reason| parse_error(line, reason))?;
            sink.push(record)?;
        }
        Ok(())
    }
}

/// Read the next row; its 1-based line, or `None` at the end.
fn next_row<R: Read>(
    source: &Path,
    reader: &mut csv::Reader<LineCounter<R>>,
    row: &mut csv::ByteRecord,
    last_line: u64,
) -> Result<Option<u64>> {
    match reader.read_byte_record(row) {
        Ok(false) => Ok(None),
        Ok(true) => {
            let line = match row.position() {
                Some(p) => reader.get_mut().line_at(p.byte()),
                None => last_line + 1,
            };
            Ok(Some(line))
        }
        Err(err) => {
            let line = last_line + 1;
            Err(match err.into_kind() {
                csv::ErrorKind::Io(e) => Error::io(source, e),
                other => Error::Parse {
                    path: source.to_path_buf(),
                    line,
                    reason: format!("unreadable CSV row: {other:?}"),
                },
            })
        }
    }
}

/// Counts line breaks in what the CSV reader consumes, to give each row its
/// true 1-based line.
///
/// The `csv` crate's own `Position::line` is off after CRLF line ends and
/// after skipped blank lines (a row's start byte may be the `\n` of the line
/// end before it). Its byte offsets are usable, so this reader remembers
/// where the `\r` and `\n` bytes are (only those not yet behind a row start,
/// so memory stays bounded by the CSV reader's read-ahead) and counts.
#[derive(Debug)]
struct LineCounter<R> {
    inner: R,
    offset: u64,
    breaks: VecDeque<(u64, bool)>,
    newlines_passed: u64,
}

impl<R: Read> LineCounter<R> {
    fn new(inner: R) -> LineCounter<R> {
        LineCounter {
            inner,
            offset: 0,
            breaks: VecDeque::new(),
            newlines_passed: 0,
        }
    }

    /// The 1-based line of a row whose start byte the CSV reader gave as
    /// `start`. Starts must be given in increasing order.
    fn line_at(&mut self, start: u64) -> u64 {
        while let Some(&(at, is_newline)) = self.breaks.front() {
            if at >= start {
                break;
            }
            self.breaks.pop_front();
            self.newlines_passed += u64::from(is_newline);
        }
        // A row never starts with a line break: skip the ones the reader
        // left in front of it.
        let mut cursor = start;
        while let Some(&(at, is_newline)) = self.breaks.front() {
            if at != cursor {
                break;
            }
            self.breaks.pop_front();
            self.newlines_passed += u64::from(is_newline);
            cursor += 1;
        }
        self.newlines_passed + 1
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' || b == b'\r' {
                self.breaks.push_back((self.offset + i as u64, b == b'\n'));
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// Each column's role and header text, or why the header is unusable.
fn header_roles(
    header: &csv::ByteRecord,
    dialect: Dialect,
) -> std::result::Result<Vec<(Role, String)>, String> {
    let mut roles: Vec<(Role, String)> = Vec::with_capacity(header.len());
    for (i, cell) in header.iter().enumerate() {
        let text = String::from_utf8_lossy(cell).trim().to_string();
        let role = match known_role(&text, dialect) {
            Some(role) => {
                if let Some((_, first)) = roles.iter().find(|(r, _)| *r == role) {
                    return Err(format!(
                        "header names the same column twice: {first:?} and {text:?}"
                    ));
                }
                role
            }
            None => {
                let mut key = if text.is_empty() {
                    format!("column {}", i + 1)
                } else {
                    text.clone()
                };
                if roles.iter().any(|(r, _)| *r == Role::Extra(key.clone())) {
                    key = format!("{key} (column {})", i + 1);
                }
                Role::Extra(key)
            }
        };
        roles.push((role, text));
    }
    if !roles.iter().any(|(r, _)| matches!(r, Role::Digest(_))) {
        let cells: Vec<&str> = roles.iter().map(|(_, t)| t.as_str()).collect();
        let expected = match dialect {
            Dialect::HashKeeper => "hash",
            Dialect::Nsrl => "SHA-1 or MD5",
            Dialect::Generic => "md5, sha1 or sha256",
        };
        return Err(format!(
            "the header names no hash column ({expected}): {:?}",
            shorten(cells.join(",").as_bytes())
        ));
    }
    Ok(roles)
}

/// One data row.
fn parse_row(
    roles: &[(Role, String)],
    row: &csv::ByteRecord,
    line: u64,
) -> std::result::Result<ParsedRecord, String> {
    if row.len() != roles.len() {
        return Err(format!(
            "row has {} fields, the header has {}",
            row.len(),
            roles.len()
        ));
    }
    let mut parsed = ParsedRecord {
        record: Record {
            line,
            extra: BTreeMap::new(),
            ..Record::default()
        },
        ..ParsedRecord::default()
    };
    for ((role, header), cell) in roles.iter().zip(row.iter()) {
        let in_column = |reason: String| format!("column {header:?}: {reason}");
        match role {
            Role::Digest(kind) => {
                let text = cell.trim_ascii();
                if text.is_empty() {
                    continue;
                }
                parsed.set_digest(*kind, text).map_err(in_column)?;
            }
            Role::Category => {
                if !cell.trim_ascii().is_empty() {
                    parsed.record.category = Some(String::from_utf8_lossy(cell).into_owned());
                }
            }
            Role::Name => {
                if !cell.is_empty() {
                    parsed.record.name = Some(String::from_utf8_lossy(cell).into_owned());
                }
            }
            Role::Series => {
                if !cell.trim_ascii().is_empty() {
                    parsed.record.series = Some(String::from_utf8_lossy(cell).into_owned());
                }
            }
            Role::Comments => {
                if !cell.trim_ascii().is_empty() {
                    parsed.record.comments = Some(String::from_utf8_lossy(cell).into_owned());
                }
            }
            Role::Size => {
                let text = String::from_utf8_lossy(cell);
                match text.trim().parse::<u64>() {
                    Ok(size) => parsed.record.media_size = Some(size),
                    Err(_) if text.trim().is_empty() => {}
                    // Not a number: kept as written rather than refused.
                    Err(_) => {
                        parsed.record.extra.insert(header.clone(), text.into_owned());
                    }
                }
            }
            Role::Extra(key) => {
                parsed
                    .record
                    .extra
                    .insert(key.clone(), String::from_utf8_lossy(cell).into_owned());
            }
        }
    }
    if parsed.md5.is_none() && parsed.sha1.is_none() && parsed.sha256.is_none() {
        return Err("no digest in any hash column".to_string());
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MD5: &str = "900150983cd24fb0d6963f7d28e17f72";
    const SHA1: &str = "a9993e364706816aba3e25717850c26c9cd0d89d";

    fn parse(text: &str) -> Result<Vec<ParsedRecord>> {
        let mut out = Vec::new();
        CsvList(Dialect::Generic).parse(Path::new("list.csv"), &mut text.as_bytes(), &mut out)?;
        Ok(out)
    }

    #[test]
    fn quoted_fields_category_and_extra_columns() {
        let text = format!(
            "File_Name,MD5,SHA-1,Category,Notes,\r\n\
             \"a, b.jpg\",{up},,CAT-1,\"said \"\"hi\"\"\",\r\n\
             c.jpg,,{SHA1},,,x\r\n",
            up = MD5.to_uppercase()
        );
        let records = parse(&text).expect("parses");
        assert_eq!(records.len(), 2);
        let first = &records[0].record;
        assert_eq!(first.line, 2);
        assert_eq!(first.name.as_deref(), Some("a, b.jpg"));
        assert_eq!(first.md5.as_deref(), Some(MD5));
        assert_eq!(first.sha1, None);
        assert_eq!(first.category.as_deref(), Some("CAT-1"));
        assert_eq!(
            first.extra.get("Notes").map(String::as_str),
            Some("said \"hi\"")
        );
        assert_eq!(first.extra.get("column 6").map(String::as_str), Some(""));
        assert!(records[0].sha1.is_none());

        let second = &records[1].record;
        assert_eq!(second.line, 3);
        assert_eq!(second.md5, None);
        assert_eq!(second.sha1.as_deref(), Some(SHA1));
        assert_eq!(second.category, None);
        assert_eq!(second.extra.get("column 6").map(String::as_str), Some("x"));
    }

    #[test]
    fn header_without_hash_column_is_named() {
        let err = parse("name,size\na,1\n").expect_err("no hash column");
        assert_eq!(
            err.to_string(),
            "list.csv line 1: the header names no hash column (md5, sha1 or sha256): \"name,size\""
        );
    }

    #[test]
    fn bad_rows_name_their_line() {
        let err = parse(&format!("md5,name\n{MD5},a\n{MD5},b,extra\n")).expect_err("3 fields");
        assert_eq!(
            err.to_string(),
            "list.csv line 3: row has 3 fields, the header has 2"
        );

        let err = parse(&format!("md5,sha1\n{MD5},\n,\n")).expect_err("no digest");
        assert_eq!(
            err.to_string(),
            "list.csv line 3: no digest in any hash column"
        );

        let err = parse("md5,name\nxyz,a\n").expect_err("bad hex");
        assert_eq!(
            err.to_string(),
            "list.csv line 2: column \"md5\": not a hexadecimal digest: \"xyz\""
        );

        let err = parse("md5,MD5\n").expect_err("duplicate column");
        assert!(
            err.to_string()
                .contains("line 1: header names the same column twice"),
            "{err}"
        );
    }

    #[test]
    fn quoted_field_spanning_lines_reports_its_first_line() {
        let text = format!("md5,name\n{MD5},\"two\nlines\"\n{MD5},after\n");
        let records = parse(&text).expect("parses");
        assert_eq!(records[0].record.name.as_deref(), Some("two\nlines"));
        assert_eq!(records[0].record.line, 2);
        assert_eq!(records[1].record.line, 4);
    }

    #[test]
    fn line_numbers_survive_crlf_and_blank_lines() {
        let text = format!("\r\n\r\nmd5,name\r\n\r\n{MD5},a\r\n{MD5},\"b\r\nc\"\r\n\n{MD5},d");
        let records = parse(&text).expect("parses");
        let lines: Vec<u64> = records.iter().map(|r| r.record.line).collect();
        assert_eq!(lines, vec![5, 6, 9]);
        assert_eq!(records[1].record.name.as_deref(), Some("b\r\nc"));

        let bad = format!("md5,name\r\n{MD5},a\r\n\r\nxyz,b\r\n");
        let err = parse(&bad).expect_err("bad hex");
        assert!(err.to_string().starts_with("list.csv line 4:"), "{err}");
    }

    #[test]
    fn nsrl_both_orders_and_hashkeeper() {
        let mut out = Vec::new();
        let text = format!(
            "\"SHA-1\",\"FileName\",\"FileSize\",\"ProductCode\",\"OpSystemCode\",\"MD4\",\"MD5\",\"CRC32\",\"SpecialCode\"\r\n\
             \"{}\",\"abc.txt\",3,1234,\"WIN\",\"00\",\"{}\",\"352441C2\",\"\"\r\n",
            SHA1.to_uppercase(),
            MD5.to_uppercase()
        );
        CsvList(Dialect::Nsrl)
            .parse(Path::new("NSRLFile.txt"), &mut text.as_bytes(), &mut out)
            .expect("order 1");
        let text2 = format!(
            "\"SHA-1\",\"MD5\",\"CRC32\",\"FileName\",\"FileSize\",\"ProductCode\",\"OpSystemCode\",\"SpecialCode\"\n\
             \"{}\",\"{}\",\"352441C2\",\"abc.txt\",3,1234,\"WIN\",\"\"\n",
            SHA1.to_uppercase(),
            MD5.to_uppercase()
        );
        CsvList(Dialect::Nsrl)
            .parse(Path::new("NSRLFile.txt"), &mut text2.as_bytes(), &mut out)
            .expect("order 2");
        for r in &out {
            assert_eq!(r.record.sha1.as_deref(), Some(SHA1));
            assert_eq!(r.record.md5.as_deref(), Some(MD5));
            assert_eq!(r.record.name.as_deref(), Some("abc.txt"));
            assert_eq!(r.record.media_size, Some(3));
            assert_eq!(r.record.extra.get("ProductCode").map(String::as_str), Some("1234"));
            assert_eq!(r.record.line, 2);
        }

        let mut out = Vec::new();
        let text = format!(
            "\"file_id\",\"hash\",\"file_name\",\"directory\",\"file_size\",\"comments\"\n\
             1,\"{MD5}\",\"abc.txt\",\"C:/x\",3,\"seen\"\n"
        );
        CsvList(Dialect::HashKeeper)
            .parse(Path::new("set.hsh"), &mut text.as_bytes(), &mut out)
            .expect("hashkeeper");
        assert_eq!(out[0].record.md5.as_deref(), Some(MD5));
        assert_eq!(out[0].record.name.as_deref(), Some("abc.txt"));
        assert_eq!(out[0].record.comments.as_deref(), Some("seen"));
        assert_eq!(out[0].record.media_size, Some(3));
        assert_eq!(out[0].record.extra.get("directory").map(String::as_str), Some("C:/x"));
        // In generic CSV `hash` is just another column.
        assert!(parse(&format!("hash,name\n{MD5},a\n")).is_err());
    }

    #[test]
    fn header_detection() {
        assert!(is_hash_header(b"\"SHA-256\",name"));
        assert!(is_hash_header(b"name, md5"));
        assert!(!is_hash_header(b"name,category"));
        assert!(!is_hash_header(b"md5"));
    }
}
