//! Source formats: one module per format behind the [`Parser`] trait.
//!
//! A parser turns a source's bytes into [`ParsedRecord`]s, pushed one at a
//! time into a [`RecordSink`] so that a set of any size streams to disk.
//! Adding a format (VICS, NSRL RDS, EnCase hash sets, ...) is a new module,
//! a new [`Format`] variant, and one line in [`parser_for`].

mod csv;
mod sumfile;

use std::io::BufRead;
use std::path::Path;

use crate::{Format, Record, Result};

/// UTF-8 byte-order mark, tolerated at the start of any text source.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One parsed record: what is kept for the report, and the digests as bytes
/// for the tables.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ParsedRecord {
    pub(crate) record: Record,
    pub(crate) md5: Option<[u8; 16]>,
    pub(crate) sha1: Option<[u8; 20]>,
    pub(crate) sha256: Option<[u8; 32]>,
}

/// Where a parser delivers its records.
pub(crate) trait RecordSink {
    fn push(&mut self, record: ParsedRecord) -> Result<()>;
}

impl RecordSink for Vec<ParsedRecord> {
    fn push(&mut self, record: ParsedRecord) -> Result<()> {
        Vec::push(self, record);
        Ok(())
    }
}

/// A source-format importer.
pub(crate) trait Parser {
    /// Read `input` to its end (any byte-order mark already removed), pushing
    /// every record into `sink`. `source` names the file in errors. The first
    /// malformed line is an [`crate::Error::Parse`] naming its 1-based line.
    fn parse(
        &self,
        source: &Path,
        input: &mut dyn BufRead,
        sink: &mut dyn RecordSink,
    ) -> Result<()>;
}

/// The parser for a format.
pub(crate) fn parser_for(format: Format) -> Box<dyn Parser> {
    match format {
        Format::Md5sum => Box::new(sumfile::SumFile(crate::DigestKind::Md5)),
        Format::Sha1sum => Box::new(sumfile::SumFile(crate::DigestKind::Sha1)),
        Format::Sha256sum => Box::new(sumfile::SumFile(crate::DigestKind::Sha256)),
        Format::Csv => Box::new(csv::CsvList),
    }
}

/// Guess a source's format from its first bytes (a few KiB are plenty).
///
/// A first non-blank line holding a comma and a recognised hash column name
/// (`md5`, `sha1`, `sha-1`, `sha256`, `sha-256`) is CSV. Otherwise, past blank
/// and `#` comment lines, the first line's leading token decides: 32, 40 or 64
/// hexadecimal digits are md5sum, sha1sum or sha256sum. Anything else is
/// `None`.
pub fn detect_format(head: &[u8]) -> Option<Format> {
    let head = head.strip_prefix(BOM).unwrap_or(head);
    let mut first = true;
    for line in head.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        if first && csv::is_hash_header(line) {
            return Some(Format::Csv);
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
/// goes into an [`crate::Error::Parse`]).
pub(crate) fn parse_digest<const N: usize>(
    text: &[u8],
    kind: crate::DigestKind,
) -> std::result::Result<([u8; N], String), String> {
    if !text.iter().all(u8::is_ascii_hexdigit) || text.is_empty() {
        return Err(format!("not a hexadecimal digest: {:?}", shorten(text)));
    }
    if text.len() != N * 2 {
        return Err(format!(
            "{} digest needs {} hexadecimal digits, found {}: {:?}",
            kind,
            N * 2,
            text.len(),
            shorten(text)
        ));
    }
    let mut bytes = [0u8; N];
    hex::decode_to_slice(text, &mut bytes)
        .map_err(|e| format!("not a hexadecimal digest: {:?} ({e})", shorten(text)))?;
    Ok((bytes, hex::encode(bytes)))
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
