//! The Sleuth Kit's hash databases: the `.idx` index (text) and the `.kdb`
//! SQLite database.
//!
//! `.idx`: sorted lines `digest|offset` (MD5 or SHA-1 hex; the offset points
//! into the database the index was built from and is not kept); a first
//! line of zeros carries the set name, which becomes the source title.
//!
//! `.kdb`: tables `hashes(id, md5, sha1, sha2_256)` (binary, or hex text),
//! `file_names(name, hash_id)`, `comments(comment, hash_id)` and
//! `db_properties(name, value)`. Read in three ordered streams joined on the
//! hash id, so memory stays bounded; a record's `line` is its 1-based row.

use std::io::{BufRead, Read};
use std::path::Path;

use rusqlite::types::ValueRef;

use super::{ParsedRecord, Parser, RecordSink, SourceMeta, open_sqlite, shorten, sqlite_error, table_names};
use crate::format::vics::add_name;
use crate::{DigestKind, Error, Result};

const MAX_LINE: u64 = 1 << 20;

/// Does this line look like a Sleuth Kit index line (`hex|...`)?
pub(crate) fn is_idx_line(line: &[u8]) -> bool {
    match line.iter().position(|&b| b == b'|') {
        Some(bar) => {
            (bar == 32 || bar == 40) && line[..bar].iter().all(u8::is_ascii_hexdigit)
        }
        None => false,
    }
}

/// Parser for `.idx` files.
#[derive(Debug)]
pub(crate) struct TskIdx;

impl Parser for TskIdx {
    fn parse(
        &self,
        source: &Path,
        input: &mut dyn BufRead,
        sink: &mut dyn RecordSink,
    ) -> Result<()> {
        let mut buf = Vec::with_capacity(128);
        let mut line_no = 0u64;
        let mut title = None;
        let error = |line: u64, reason: String| Error::Parse {
            path: source.to_path_buf(),
            line,
            reason,
        };
        loop {
            buf.clear();
            let n = input
                .take(MAX_LINE + 1)
                .read_until(b'\n', &mut buf)
                .map_err(|e| Error::io(source, e))?;
            if n == 0 {
                break;
            }
            line_no += 1;
            if buf.len() as u64 > MAX_LINE {
                return Err(error(line_no, format!("line longer than {MAX_LINE} bytes")));
            }
            let line = buf.trim_ascii();
            if line.is_empty() {
                continue;
            }
            let Some(bar) = line.iter().position(|&b| b == b'|') else {
                return Err(error(
                    line_no,
                    format!("expected digest|offset, found {:?}", shorten(line)),
                ));
            };
            let (digest, rest) = (&line[..bar], &line[bar + 1..]);
            if !digest.is_empty() && digest.iter().all(|&b| b == b'0') {
                // The name line.
                let name = String::from_utf8_lossy(rest).trim().to_string();
                if !name.is_empty() {
                    title = Some(name);
                }
                continue;
            }
            let kind = match digest.len() {
                40 => DigestKind::Sha1,
                64 => DigestKind::Sha256,
                _ => DigestKind::Md5,
            };
            let mut parsed = ParsedRecord::default();
            parsed.record.line = line_no;
            parsed
                .set_digest(kind, digest)
                .map_err(|reason| error(line_no, reason))?;
            sink.push(parsed)?;
        }
        sink.meta(SourceMeta {
            variant: Some("tsk-idx".into()),
            profile: None,
            title,
        });
        Ok(())
    }
}

/// One stream of (hash id, text) rows, ordered by hash id.
struct Side<'s> {
    rows: Option<rusqlite::Rows<'s>>,
    current: Option<(i64, String)>,
}

impl Side<'_> {
    fn advance(&mut self, source: &Path) -> Result<()> {
        self.current = None;
        if let Some(rows) = &mut self.rows
            && let Some(row) = rows.next().map_err(|e| sqlite_error(source, e))?
        {
            let id: i64 = row.get(0).map_err(|e| sqlite_error(source, e))?;
            let text: Option<String> = row.get(1).map_err(|e| sqlite_error(source, e))?;
            self.current = Some((id, text.unwrap_or_default()));
        }
        Ok(())
    }

    /// Every text for `id` (skipping smaller ids, which name no hash row).
    fn take(&mut self, id: i64, source: &Path, mut f: impl FnMut(String)) -> Result<()> {
        while let Some((at, _)) = &self.current {
            if *at > id {
                break;
            }
            if *at == id
                && let Some((_, text)) = self.current.take()
                && !text.is_empty()
            {
                f(text);
            }
            self.advance(source)?;
        }
        Ok(())
    }
}

/// Read a `.kdb` database.
pub(crate) fn parse_kdb(source: &Path, sink: &mut dyn RecordSink) -> Result<()> {
    let conn = open_sqlite(source)?;
    let tables = table_names(&conn, source)?;
    let has = |t: &str| tables.iter().any(|n| n.eq_ignore_ascii_case(t));
    if !has("hashes") {
        return Err(Error::Database {
            path: source.to_path_buf(),
            reason: "no \"hashes\" table: not a Sleuth Kit hash database".into(),
        });
    }
    let mut title = None;
    if has("db_properties") {
        let mut stmt = conn
            .prepare("SELECT name, value FROM db_properties")
            .map_err(|e| sqlite_error(source, e))?;
        let mut rows = stmt.query([]).map_err(|e| sqlite_error(source, e))?;
        while let Some(row) = rows.next().map_err(|e| sqlite_error(source, e))? {
            let name: Option<String> = row.get(0).ok();
            let value: Option<String> = row.get(1).ok();
            if let (Some(n), Some(v)) = (name, value)
                && n.to_ascii_lowercase().contains("name")
                && title.is_none()
                && !v.trim().is_empty()
            {
                title = Some(v.trim().to_string());
            }
        }
    }
    let mut names_stmt = if has("file_names") {
        Some(
            conn.prepare("SELECT hash_id, name FROM file_names ORDER BY hash_id")
                .map_err(|e| sqlite_error(source, e))?,
        )
    } else {
        None
    };
    let mut comments_stmt = if has("comments") {
        Some(
            conn.prepare("SELECT hash_id, comment FROM comments ORDER BY hash_id")
                .map_err(|e| sqlite_error(source, e))?,
        )
    } else {
        None
    };
    let mut names = Side {
        rows: match &mut names_stmt {
            Some(s) => Some(s.query([]).map_err(|e| sqlite_error(source, e))?),
            None => None,
        },
        current: None,
    };
    names.advance(source)?;
    let mut comments = Side {
        rows: match &mut comments_stmt {
            Some(s) => Some(s.query([]).map_err(|e| sqlite_error(source, e))?),
            None => None,
        },
        current: None,
    };
    comments.advance(source)?;

    let mut stmt = conn
        .prepare("SELECT id, md5, sha1, sha2_256 FROM hashes ORDER BY id")
        .map_err(|e| sqlite_error(source, e))?;
    let mut rows = stmt.query([]).map_err(|e| sqlite_error(source, e))?;
    let mut row_no = 0u64;
    while let Some(row) = rows.next().map_err(|e| sqlite_error(source, e))? {
        row_no += 1;
        let bad = |reason: String| Error::Parse {
            path: source.to_path_buf(),
            line: row_no,
            reason: format!("hashes row {row_no}: {reason}"),
        };
        let id: i64 = row.get(0).map_err(|e| sqlite_error(source, e))?;
        let mut parsed = ParsedRecord::default();
        parsed.record.line = row_no;
        for (col, kind) in [(1, DigestKind::Md5), (2, DigestKind::Sha1), (3, DigestKind::Sha256)] {
            match row.get_ref(col).map_err(|e| sqlite_error(source, e))? {
                ValueRef::Null => {}
                ValueRef::Blob([]) => {}
                ValueRef::Blob(b) if b.len() == kind.len() => {
                    parsed.set_digest_bytes(kind, b).map_err(bad)?
                }
                ValueRef::Blob(b) | ValueRef::Text(b) => {
                    let text = b.trim_ascii();
                    if !text.is_empty() {
                        parsed.set_digest(kind, text).map_err(bad)?;
                    }
                }
                other => return Err(bad(format!("{kind} is a {:?}", other.data_type()))),
            }
        }
        if !parsed.has_digest() {
            return Err(bad("no digest".into()));
        }
        names.take(id, source, |n| add_name(&mut parsed.record, n))?;
        let mut notes: Vec<String> = Vec::new();
        comments.take(id, source, |c| notes.push(c))?;
        if !notes.is_empty() {
            parsed.record.comments = Some(notes.join("\n"));
        }
        sink.push(parsed)?;
    }
    sink.meta(SourceMeta {
        variant: Some("tsk-kdb".into()),
        profile: None,
        title,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idx_lines() {
        let text = "00000000000000000000000000000000|My set\n\
                    0123456789ABCDEF0123456789ABCDEF|12\n\
                    \n\
                    a9993e364706816aba3e25717850c26c9cd0d89d|40\n";
        struct Collect(Vec<ParsedRecord>, Option<String>);
        impl RecordSink for Collect {
            fn push(&mut self, r: ParsedRecord) -> Result<()> {
                self.0.push(r);
                Ok(())
            }
            fn meta(&mut self, meta: SourceMeta) {
                self.1 = meta.title;
            }
        }
        let mut sink = Collect(Vec::new(), None);
        TskIdx
            .parse(Path::new("x.idx"), &mut text.as_bytes(), &mut sink)
            .expect("parses");
        assert_eq!(sink.1.as_deref(), Some("My set"));
        assert_eq!(sink.0.len(), 2);
        assert_eq!(sink.0[0].record.md5.as_deref(), Some("0123456789abcdef0123456789abcdef"));
        assert_eq!(sink.0[0].record.line, 2);
        assert_eq!(sink.0[1].record.line, 4);
        assert!(sink.0[1].sha1.is_some());

        let mut sink = Collect(Vec::new(), None);
        let err = TskIdx
            .parse(Path::new("x.idx"), &mut "0123|4\nnot a line\n".as_bytes(), &mut sink)
            .expect_err("bad");
        assert!(err.to_string().contains("line 1"), "{err}");
        assert!(is_idx_line(b"00000000000000000000000000000000|x"));
        assert!(!is_idx_line(b"0000|x"));
    }
}
