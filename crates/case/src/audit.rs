//! The audit log: a SHA-256 hash chain whose entries seal the rows written
//! in their transaction.
//!
//! Sealing: every data row is inserted with `seal` NULL. Before the
//! transaction commits, [`append`] gives every unsealed row its `row_hash`
//! (SHA-256 of the row's canonical encoding) and the new entry's sequence
//! number, and records per table the sealed ids (as ranges), their count and a
//! digest over `(id, row_hash)` pairs. The entry's own hash covers those seals
//! and the previous entry's hash. [`crate::verify`] recomputes all of it.

use std::collections::BTreeMap;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, Result, utc};

/// Every table whose rows are sealed, in the order they are sealed.
pub const SEALED_TABLES: &[&str] = &[
    "schema_migrations",
    "case_info",
    "evidence",
    "hashsets",
    "scan_runs",
    "scan_run_events",
    "files",
    "warnings",
    "hits",
    "reviews",
    "exports",
    "file_metadata",
    "evidence_dates",
    "videos",
    "frames",
    "contact_sheets",
    "video_hits",
    "pdq_variants",
];

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What one entry sealed in one table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableSeal {
    pub rows: u64,
    /// Sealed ids as inclusive ranges, ascending.
    pub ids: Vec<(i64, i64)>,
    /// SHA-256 over the big-endian id and the row hash of each sealed row,
    /// in id order.
    pub digest: String,
}

/// One entry of the audit log, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEntry {
    pub seq: i64,
    pub time_utc: String,
    pub actor: String,
    pub action: String,
    pub details: serde_json::Value,
    pub seals: BTreeMap<String, TableSeal>,
    pub prev_hash: String,
    pub entry_hash: String,
}

/// The hash of an entry: its predecessor's hash and its own content.
pub fn entry_hash(prev_hash: &str, seq: i64, time_utc: &str, actor: &str, action: &str, details: &str, seals: &str) -> String {
    let mut h = Sha256::new();
    for part in [prev_hash, &seq.to_string(), time_utc, actor, action, details, seals] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Columns of a sealed table that make up a row's content: all but `seal`
/// and `row_hash`, in declared order.
pub fn content_columns(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"))?;
    let cols = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|c| c != "seal" && c != "row_hash")
        .collect();
    Ok(cols)
}

/// The primary-key column of a sealed table (its rowid alias).
pub fn id_column(table: &str) -> &'static str {
    if table == "audit_log" { "seq" } else { "id" }
}

/// SHA-256 of a row's canonical encoding: the table name, then each column's
/// name and type-tagged value, lengths prefixed, so no two different rows
/// (nor the same values in another table or column) encode alike.
pub fn row_hash(table: &str, columns: &[String], row: &rusqlite::Row<'_>) -> Result<String> {
    let mut h = Sha256::new();
    h.update((table.len() as u64).to_be_bytes());
    h.update(table.as_bytes());
    for (i, col) in columns.iter().enumerate() {
        h.update((col.len() as u64).to_be_bytes());
        h.update(col.as_bytes());
        match row.get_ref(i)? {
            ValueRef::Null => h.update([0u8]),
            ValueRef::Integer(v) => {
                h.update([1u8]);
                h.update(v.to_be_bytes());
            }
            ValueRef::Real(v) => {
                h.update([2u8]);
                h.update(v.to_bits().to_be_bytes());
            }
            ValueRef::Text(t) => {
                h.update([3u8]);
                h.update((t.len() as u64).to_be_bytes());
                h.update(t);
            }
            ValueRef::Blob(b) => {
                h.update([4u8]);
                h.update((b.len() as u64).to_be_bytes());
                h.update(b);
            }
        }
    }
    Ok(hex::encode(h.finalize()))
}

/// Accumulates a [`TableSeal`] over rows given in id order.
#[derive(Debug, Default)]
pub struct SealBuilder {
    rows: u64,
    ids: Vec<(i64, i64)>,
    hasher: Sha256,
}

impl SealBuilder {
    pub fn push(&mut self, id: i64, row_hash: &str) {
        self.rows += 1;
        match self.ids.last_mut() {
            Some((_, end)) if *end + 1 == id => *end = id,
            _ => self.ids.push((id, id)),
        }
        self.hasher.update(id.to_be_bytes());
        self.hasher.update(row_hash.as_bytes());
    }

    pub fn finish(self) -> TableSeal {
        TableSeal { rows: self.rows, ids: self.ids, digest: hex::encode(self.hasher.finalize()) }
    }
}

/// Seals every unsealed row with sequence number `seq`.
fn seal_pending(conn: &Connection, seq: i64) -> Result<BTreeMap<String, TableSeal>> {
    let mut seals = BTreeMap::new();
    for table in SEALED_TABLES {
        let columns = content_columns(conn, table)?;
        if columns.is_empty() {
            // Not created yet: a migration before the one that adds it.
            continue;
        }
        let select = format!("SELECT {} FROM {table} WHERE seal IS NULL ORDER BY id", columns.join(", "));
        let mut stmt = conn.prepare(&select)?;
        let mut update = conn.prepare_cached(&format!("UPDATE {table} SET seal = ?1, row_hash = ?2 WHERE id = ?3"))?;
        let mut rows = stmt.query([])?;
        let mut builder = SealBuilder::default();
        let mut pending = Vec::new();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let hash = row_hash(table, &columns, row)?;
            builder.push(id, &hash);
            pending.push((id, hash));
        }
        drop(rows);
        for (id, hash) in pending {
            update.execute(params![seq, hash, id])?;
        }
        if builder.rows > 0 {
            seals.insert((*table).to_string(), builder.finish());
        }
    }
    Ok(seals)
}

/// The last entry's sequence number and hash, or `(0, GENESIS)`.
pub fn head(conn: &Connection) -> Result<(i64, String)> {
    let mut stmt = conn.prepare("SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1")?;
    let mut rows = stmt.query([])?;
    match rows.next()? {
        Some(r) => Ok((r.get(0)?, r.get(1)?)),
        None => Ok((0, GENESIS.to_string())),
    }
}

/// Appends an entry that seals every row written in this transaction. Call
/// it last inside the transaction. An entry that seals nothing is refused:
/// every action leaves a sealed row, so cutting entries off the end of the
/// log always leaves rows whose seal names a missing entry.
pub fn append(conn: &Connection, actor: &str, action: &str, details: &serde_json::Value) -> Result<AuditEntry> {
    let (last_seq, prev_hash) = head(conn)?;
    let seq = last_seq + 1;
    let seals = seal_pending(conn, seq)?;
    if seals.is_empty() {
        return Err(Error::Internal(format!("audit entry {action} would seal no row")));
    }
    let time_utc = utc::now();
    let details_text = serde_json::to_string(details)?;
    let seals_text = serde_json::to_string(&seals)?;
    let hash = entry_hash(&prev_hash, seq, &time_utc, actor, action, &details_text, &seals_text);
    conn.execute(
        "INSERT INTO audit_log (seq, time_utc, actor, action, details, seals, prev_hash, entry_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![seq, time_utc, actor, action, details_text, seals_text, prev_hash, hash],
    )?;
    Ok(AuditEntry {
        seq,
        time_utc,
        actor: actor.to_string(),
        action: action.to_string(),
        details: details.clone(),
        seals,
        prev_hash,
        entry_hash: hash,
    })
}

/// Every entry, in order.
pub fn entries(conn: &Connection) -> Result<Vec<AuditEntry>> {
    let mut stmt =
        conn.prepare("SELECT seq, time_utc, actor, action, details, seals, prev_hash, entry_hash FROM audit_log ORDER BY seq")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, time_utc, actor, action, details, seals, prev_hash, entry_hash) = row?;
        out.push(AuditEntry {
            seq,
            time_utc,
            actor,
            action,
            details: serde_json::from_str(&details)?,
            seals: serde_json::from_str(&seals)?,
            prev_hash,
            entry_hash,
        });
    }
    Ok(out)
}
