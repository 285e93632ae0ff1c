//! NIST NSRL RDS v3: an SQLite database whose `FILE` table lists
//! `sha256, sha1, md5` (upper-case hex), `file_name`, `file_size` and
//! `package_id`; "minimal" builds keep the same columns. Rows stream from
//! one query (never loaded whole); a record's `line` is its 1-based row.
//! Rows with the same three digests merge into one record (with up to
//! [`crate::MAX_NAMES`] names) in the import's sort. The `VERSION` table,
//! when present, gives the source title. (RDS 2.x `NSRLFile.txt` is read by
//! the CSV module.)

use std::path::Path;

use rusqlite::types::ValueRef;

use super::{ParsedRecord, RecordSink, SourceMeta, open_sqlite, sqlite_error, table_names};
use crate::{DigestKind, Error, Result};

/// Read an RDS v3 database.
pub(crate) fn parse_rds3(source: &Path, sink: &mut dyn RecordSink) -> Result<()> {
    let conn = open_sqlite(source)?;
    let tables = table_names(&conn, source)?;
    let Some(file_table) = tables.iter().find(|t| t.eq_ignore_ascii_case("FILE")) else {
        return Err(Error::Database {
            path: source.to_path_buf(),
            reason: "no FILE table: not an NSRL RDS v3 database".into(),
        });
    };
    let mut columns = Vec::new();
    {
        let mut stmt = conn
            .prepare(&format!("PRAGMA table_info(\"{file_table}\")"))
            .map_err(|e| sqlite_error(source, e))?;
        let mut rows = stmt.query([]).map_err(|e| sqlite_error(source, e))?;
        while let Some(row) = rows.next().map_err(|e| sqlite_error(source, e))? {
            let name: String = row.get(1).map_err(|e| sqlite_error(source, e))?;
            columns.push(name.to_ascii_lowercase());
        }
    }
    let col = |name: &str| {
        if columns.iter().any(|c| c == name) {
            format!("\"{name}\"")
        } else {
            "NULL".to_string()
        }
    };
    if !["sha256", "sha1", "md5"].iter().any(|c| columns.iter().any(|n| n == c)) {
        return Err(Error::Database {
            path: source.to_path_buf(),
            reason: "the FILE table has no sha256, sha1 or md5 column".into(),
        });
    }
    let mut title = None;
    if tables.iter().any(|t| t.eq_ignore_ascii_case("VERSION"))
        && let Ok(mut stmt) = conn.prepare("SELECT * FROM VERSION LIMIT 1")
        && let Ok(mut rows) = stmt.query([])
        && let Ok(Some(row)) = rows.next()
    {
        // Read as plain values: a failed conversion to String makes rusqlite
        // look up the column's name, and `SELECT *` takes the names from the
        // file's own schema, which may not be UTF-8 (rusqlite panics then;
        // found by fuzz/fuzz_targets/hashset_sqlite.rs).
        let text = |i: usize| match row.get::<_, rusqlite::types::Value>(i) {
            Ok(rusqlite::types::Value::Text(s)) => Some(s),
            _ => None,
        };
        let (version, build) = (text(0), text(1));
        title = version.map(|v| match build {
            Some(b) if !b.is_empty() => format!("NSRL RDS {v} ({b})"),
            _ => format!("NSRL RDS {v}"),
        });
    }
    let sql = format!(
        "SELECT {}, {}, {}, {}, {}, {} FROM \"{file_table}\"",
        col("sha256"),
        col("sha1"),
        col("md5"),
        col("file_name"),
        col("file_size"),
        col("package_id"),
    );
    let mut stmt = conn.prepare(&sql).map_err(|e| sqlite_error(source, e))?;
    let mut rows = stmt.query([]).map_err(|e| sqlite_error(source, e))?;
    let mut row_no = 0u64;
    while let Some(row) = rows.next().map_err(|e| sqlite_error(source, e))? {
        row_no += 1;
        let bad = |reason: String| Error::Parse {
            path: source.to_path_buf(),
            line: row_no,
            reason: format!("FILE row {row_no}: {reason}"),
        };
        let mut parsed = ParsedRecord::default();
        parsed.record.line = row_no;
        for (i, kind) in [(0, DigestKind::Sha256), (1, DigestKind::Sha1), (2, DigestKind::Md5)] {
            match row.get_ref(i).map_err(|e| sqlite_error(source, e))? {
                ValueRef::Null => {}
                ValueRef::Text(t) | ValueRef::Blob(t) => {
                    let t = t.trim_ascii();
                    if !t.is_empty() {
                        parsed.set_digest(kind, t).map_err(bad)?;
                    }
                }
                other => return Err(bad(format!("{kind} is a {:?}", other.data_type()))),
            }
        }
        if !parsed.has_digest() {
            return Err(bad("no digest".into()));
        }
        if let Ok(ValueRef::Text(t)) = row.get_ref(3)
            && !t.is_empty()
        {
            parsed.record.name = Some(String::from_utf8_lossy(t).into_owned());
        }
        match row.get_ref(4) {
            Ok(ValueRef::Integer(n)) if n >= 0 => parsed.record.media_size = Some(n as u64),
            Ok(ValueRef::Text(t)) => {
                parsed.record.media_size = String::from_utf8_lossy(t).trim().parse().ok();
            }
            _ => {}
        }
        match row.get_ref(5) {
            Ok(ValueRef::Integer(n)) => {
                parsed.record.extra.insert("package_id".into(), n.to_string());
            }
            Ok(ValueRef::Text(t)) => {
                parsed
                    .record
                    .extra
                    .insert("package_id".into(), String::from_utf8_lossy(t).into_owned());
            }
            _ => {}
        }
        sink.push(parsed)?;
    }
    sink.meta(SourceMeta {
        variant: Some("nsrl-rds3".into()),
        profile: None,
        title,
    });
    Ok(())
}
