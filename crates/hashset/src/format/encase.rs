//! EnCase `.hash` hash sets (binary).
//!
//! Layout (EnCase 4 to 6): a 16-byte magic `48 41 53 48 0D 0A FF 00 02 00
//! 00 00 01 00 00 00`, a u32 LE record count at 0x10, filler to 0x408, the
//! set name (UTF-16LE, 0x50 bytes) at 0x408, its type or category
//! (UTF-16LE, 0x28 bytes) at 0x458, then from 0x480 one 18-byte record per
//! MD5: the 16 digest bytes and a 2-byte divider. Records carry no names;
//! a record's `line` is its 1-based entry number. The set name and type
//! become the set's source title.

use std::io::BufRead;
use std::path::Path;

use super::{ParsedRecord, Parser, RecordSink, SourceMeta};
use crate::{DigestKind, Error, Result};

/// The first 8 bytes, shared by every EnCase hash-set version.
pub(crate) const MAGIC_PREFIX: &[u8] = b"HASH\r\n\xff\x00";
const MAGIC: [u8; 16] = [
    0x48, 0x41, 0x53, 0x48, 0x0D, 0x0A, 0xFF, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
];
const COUNT_AT: usize = 0x10;
const NAME_AT: usize = 0x408;
const NAME_LEN: usize = 0x50;
const TYPE_AT: usize = 0x458;
const TYPE_LEN: usize = 0x28;
/// Where the records start.
pub(crate) const RECORDS_AT: usize = 0x480;
/// Bytes per record.
pub(crate) const RECORD_LEN: usize = 18;

/// Parser for EnCase hash sets.
#[derive(Debug)]
pub(crate) struct EnCase;

/// UTF-16LE text up to the first NUL.
fn utf16(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .take_while(|&u| u != 0)
        .collect();
    String::from_utf16_lossy(&units).trim().to_string()
}

impl Parser for EnCase {
    fn parse(
        &self,
        source: &Path,
        input: &mut dyn BufRead,
        sink: &mut dyn RecordSink,
    ) -> Result<()> {
        let at = |offset: usize, reason: String| Error::ParseAt {
            path: source.to_path_buf(),
            offset: offset as u64,
            line: None,
            reason,
        };
        let mut header = vec![0u8; RECORDS_AT];
        let got = read_full(input, &mut header).map_err(|e| Error::io(source, e))?;
        if got < RECORDS_AT {
            return Err(at(got, format!("the header needs {RECORDS_AT} bytes, the file has {got}")));
        }
        if header[..16] != MAGIC {
            return Err(at(0, "not an EnCase hash set (bad magic)".into()));
        }
        let count = u32::from_le_bytes([
            header[COUNT_AT],
            header[COUNT_AT + 1],
            header[COUNT_AT + 2],
            header[COUNT_AT + 3],
        ]) as u64;
        let name = utf16(&header[NAME_AT..NAME_AT + NAME_LEN]);
        let kind = utf16(&header[TYPE_AT..TYPE_AT + TYPE_LEN]);
        let title = match (name.is_empty(), kind.is_empty()) {
            (true, true) => None,
            (false, true) => Some(name),
            (true, false) => Some(format!("[{kind}]")),
            (false, false) => Some(format!("{name} [{kind}]")),
        };
        sink.meta(SourceMeta {
            variant: Some("encase".into()),
            profile: None,
            title,
        });
        let mut record = [0u8; RECORD_LEN];
        for i in 0..count {
            let offset = RECORDS_AT + (i as usize) * RECORD_LEN;
            let got = read_full(input, &mut record).map_err(|e| Error::io(source, e))?;
            if got < RECORD_LEN {
                return Err(at(
                    offset,
                    format!("the header announces {count} records, the file ends in record {}", i + 1),
                ));
            }
            let mut parsed = ParsedRecord::default();
            parsed.record.line = i + 1;
            parsed
                .set_digest_bytes(DigestKind::Md5, &record[..16])
                .map_err(|reason| at(offset, reason))?;
            sink.push(parsed)?;
        }
        Ok(())
    }
}

/// Read until `buf` is full or the input ends; the bytes read.
fn read_full(input: &mut dyn BufRead, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// An EnCase hash set of `md5s` named `name` of type `kind` (for tests and
/// fixtures; the fixture crate writes its own copy).
#[cfg(test)]
pub(crate) fn write(name: &str, kind: &str, md5s: &[[u8; 16]]) -> Vec<u8> {
    let mut out = vec![0u8; RECORDS_AT];
    out[..16].copy_from_slice(&MAGIC);
    out[COUNT_AT..COUNT_AT + 4].copy_from_slice(&(md5s.len() as u32).to_le_bytes());
    for (i, u) in name.encode_utf16().take(NAME_LEN / 2 - 1).enumerate() {
        out[NAME_AT + 2 * i..NAME_AT + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
    for (i, u) in kind.encode_utf16().take(TYPE_LEN / 2 - 1).enumerate() {
        out[TYPE_AT + 2 * i..TYPE_AT + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
    for d in md5s {
        out.extend_from_slice(d);
        out.extend_from_slice(&[0, 0]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Collect(Vec<ParsedRecord>, SourceMeta);
    impl RecordSink for Collect {
        fn push(&mut self, r: ParsedRecord) -> Result<()> {
            self.0.push(r);
            Ok(())
        }
        fn meta(&mut self, meta: SourceMeta) {
            self.1 = meta;
        }
    }

    #[test]
    fn reads_records_and_title() {
        let bytes = write("Known bad", "Notable", &[[1; 16], [0xab; 16]]);
        assert!(bytes.starts_with(MAGIC_PREFIX));
        let mut sink = Collect(Vec::new(), SourceMeta::default());
        EnCase
            .parse(Path::new("x.hash"), &mut &bytes[..], &mut sink)
            .expect("parses");
        assert_eq!(sink.0.len(), 2);
        assert_eq!(sink.0[1].record.md5.as_deref(), Some("abababababababababababababababab"));
        assert_eq!(sink.0[1].record.line, 2);
        assert_eq!(sink.1.title.as_deref(), Some("Known bad [Notable]"));

        let truncated = &bytes[..bytes.len() - 3];
        let mut sink = Collect(Vec::new(), SourceMeta::default());
        let err = EnCase
            .parse(Path::new("x.hash"), &mut &truncated[..], &mut sink)
            .expect_err("truncated");
        assert!(err.to_string().contains(&format!("byte {}", RECORDS_AT + RECORD_LEN)), "{err}");
        let mut sink = Collect(Vec::new(), SourceMeta::default());
        assert!(EnCase.parse(Path::new("x.hash"), &mut &bytes[..100], &mut sink).is_err());
    }
}
