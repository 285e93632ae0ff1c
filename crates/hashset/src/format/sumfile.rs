//! `md5sum` / `sha1sum` / `sha256sum` output.
//!
//! Each line is `<hex>  <name>` (text mode), `<hex> *<name>` (binary mode) or
//! a bare `<hex>`. Blank lines and lines starting with `#` are skipped. GNU
//! coreutils prefixes a line with `\` when the name holds a backslash or a
//! newline, and escapes those as `\\` and `\n`; such lines are unescaped.

use std::io::{BufRead, Read};
use std::path::Path;

use super::{ParsedRecord, Parser, RecordSink, parse_digest};
use crate::{DigestKind, Error, Record, Result};

/// A line longer than this is refused rather than buffered: hash lists are
/// hostile input too.
const MAX_LINE: u64 = 1 << 20;

/// Parser for one digest kind's `*sum` format.
#[derive(Debug)]
pub(crate) struct SumFile(pub(crate) DigestKind);

impl Parser for SumFile {
    fn parse(
        &self,
        source: &Path,
        input: &mut dyn BufRead,
        sink: &mut dyn RecordSink,
    ) -> Result<()> {
        let mut buf = Vec::with_capacity(256);
        let mut line_no = 0u64;
        loop {
            buf.clear();
            let n = input
                .take(MAX_LINE + 1)
                .read_until(b'\n', &mut buf)
                .map_err(|e| Error::io(source, e))?;
            if n == 0 {
                return Ok(());
            }
            line_no += 1;
            if buf.len() as u64 > MAX_LINE {
                return Err(Error::Parse {
                    path: source.to_path_buf(),
                    line: line_no,
                    reason: format!("line longer than {MAX_LINE} bytes"),
                });
            }
            if let Some(record) = self
                .parse_line(&buf, line_no)
                .map_err(|reason| Error::Parse {
                    path: source.to_path_buf(),
                    line: line_no,
                    reason,
                })?
            {
                sink.push(record)?;
            }
        }
    }
}

impl SumFile {
    /// One line (with its line ending, if any). `Ok(None)` for a blank or
    /// comment line.
    fn parse_line(
        &self,
        raw: &[u8],
        line_no: u64,
    ) -> std::result::Result<Option<ParsedRecord>, String> {
        let line = raw.strip_suffix(b"\n").unwrap_or(raw);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = line.trim_ascii_start();
        if line.trim_ascii_end().is_empty() || line.starts_with(b"#") {
            return Ok(None);
        }
        let (escaped, line) = match line.strip_prefix(b"\\") {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let end = line
            .iter()
            .position(|&b| b == b' ' || b == b'\t')
            .unwrap_or(line.len());
        let (token, rest) = line.split_at(end);
        let name = if rest.trim_ascii().is_empty() {
            None
        } else {
            // `rest` starts with the separator; then comes the mode marker
            // (' ' for text, '*' for binary) unless the list uses a single
            // space.
            let rest = &rest[1..];
            let rest = rest
                .strip_prefix(b" ")
                .or_else(|| rest.strip_prefix(b"*"))
                .unwrap_or(rest);
            let name = String::from_utf8_lossy(rest).into_owned();
            Some(if escaped { unescape(&name) } else { name })
        };
        let mut parsed = ParsedRecord {
            record: Record {
                line: line_no,
                name,
                ..Record::default()
            },
            ..ParsedRecord::default()
        };
        match self.0 {
            DigestKind::Md5 => {
                let (bytes, hex) = parse_digest::<16>(token, self.0)?;
                parsed.md5 = Some(bytes);
                parsed.record.md5 = Some(hex);
            }
            DigestKind::Sha1 => {
                let (bytes, hex) = parse_digest::<20>(token, self.0)?;
                parsed.sha1 = Some(bytes);
                parsed.record.sha1 = Some(hex);
            }
            DigestKind::Sha256 => {
                let (bytes, hex) = parse_digest::<32>(token, self.0)?;
                parsed.sha256 = Some(bytes);
                parsed.record.sha256 = Some(hex);
            }
        }
        Ok(Some(parsed))
    }
}

/// Undo coreutils' name escaping (`\\`, `\n`, `\r`).
fn unescape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MD5: &str = "900150983cd24fb0d6963f7d28e17f72";
    const SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    fn parse(kind: DigestKind, text: &[u8]) -> Result<Vec<ParsedRecord>> {
        let mut out = Vec::new();
        SumFile(kind).parse(Path::new("known.md5"), &mut &text[..], &mut out)?;
        Ok(out)
    }

    #[test]
    fn text_binary_and_bare_lines() {
        let text = format!(
            "# header\n{MD5}  text name.txt\n\n{up} *bin.exe\r\n{MD5}\n{MD5} single\n\\{MD5}  a\\\\b\\nc\n",
            up = MD5.to_uppercase()
        );
        let records = parse(DigestKind::Md5, text.as_bytes()).expect("parses");
        let got: Vec<_> = records
            .iter()
            .map(|r| {
                (
                    r.record.line,
                    r.record.md5.as_deref(),
                    r.record.name.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (2, Some(MD5), Some("text name.txt")),
                (4, Some(MD5), Some("bin.exe")),
                (5, Some(MD5), None),
                (6, Some(MD5), Some("single")),
                (7, Some(MD5), Some("a\\b\nc")),
            ]
        );
        assert_eq!(records[0].md5.map(|d| d[15]), Some(0x72));
        assert!(
            records
                .iter()
                .all(|r| r.sha1.is_none() && r.sha256.is_none())
        );
    }

    #[test]
    fn malformed_lines_name_their_number() {
        let text = format!("{MD5}  a\n{MD5}  b\nxyz  c\n");
        let err = parse(DigestKind::Md5, text.as_bytes()).expect_err("line 3 is bad");
        assert_eq!(
            err.to_string(),
            "known.md5 line 3: not a hexadecimal digest: \"xyz\""
        );

        let err =
            parse(DigestKind::Md5, format!("{SHA256}  a\n").as_bytes()).expect_err("wrong width");
        assert!(matches!(err, Error::Parse { line: 1, .. }), "{err:?}");
        assert!(err.to_string().contains("found 64"), "{err}");
    }

    #[test]
    fn sha256_lines() {
        let records =
            parse(DigestKind::Sha256, format!("{SHA256}  abc\n").as_bytes()).expect("parses");
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].record.sha256.as_deref(), Some(SHA256));
        assert_eq!(records[0].sha256.map(|d| d[0]), Some(0xba));
    }

    #[test]
    fn overlong_line_is_refused() {
        let mut text = format!("{MD5}  ").into_bytes();
        text.resize(text.len() + MAX_LINE as usize + 10, b'a');
        text.push(b'\n');
        let err = parse(DigestKind::Md5, &text).expect_err("too long");
        assert!(
            err.to_string().contains("line 1: line longer than"),
            "{err}"
        );
    }
}
