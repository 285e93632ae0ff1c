//! The anchor ledger: the chain heads a case has had, kept outside it.
//!
//! Deleting the last audit entry of a case together with every row it
//! sealed leaves a file that is consistent in itself: no check of the file
//! alone can show it. So every write to a case also appends the new chain
//! head (case id, sequence number, entry hash, time) as one line to an
//! append-only ledger outside the case, and [`crate::verify`] checks the case
//! against every head the ledger holds for it: a case whose log ends before
//! a recorded head was cut; one whose entry differs from a recorded head was
//! rewritten from there on (or a copy of it was written to separately).
//!
//! The ledger is a per-user file in the Spoor data folder
//! (`$XDG_DATA_HOME/spoor/anchors.jsonl`, else
//! `$HOME/.local/share/spoor/anchors.jsonl`), or the file `$SPOOR_ANCHORS`
//! names (a lab may keep it on a server share the examiner's machine can
//! only append to; empty: no ledger). Each line is JSON and holds the
//! SHA-256 of the line before it, so a line edited, removed or inserted
//! anywhere but at the very end breaks the chain and is named. A line torn
//! by a crash (it does not parse) is skipped, and the next line links to the
//! last whole one, so a crash never makes the ledger look edited.
//!
//! No sidecar next to the case: whoever can cut the case can cut a file
//! beside it too, and copies of the case folder would carry it along; the
//! ledger helps because it is somewhere else.
//!
//! A case's id is a random value recorded in the details of its first audit
//! entry when it is created (cases made before that: the hash of their first
//! entry), so copies of one case share it and no two cases do.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::GENESIS;

/// The environment variable naming the ledger file (empty: none).
pub const ENV: &str = "SPOOR_ANCHORS";

/// The version of a ledger line's layout.
pub const LINE_VERSION: u32 = 1;

/// One line of the ledger: a chain head of one case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Anchor {
    pub v: u32,
    pub case_id: String,
    pub case_number: Option<String>,
    /// The head: the audit entry's sequence number, hash, and the hash of
    /// the entry before it.
    pub seq: i64,
    pub entry_hash: String,
    pub prev_hash: String,
    /// When the entry was written (its `time_utc`).
    pub entry_time_utc: String,
    /// Where the case was on this machine when written (for people).
    pub case_path: String,
    /// SHA-256 of the ledger line before this one (`0…0` for the first).
    pub prev_line: String,
}

/// The ledger to use: `$SPOOR_ANCHORS` when set (`None` when it is
/// empty), else the per-user file in the Spoor data folder.
pub fn default_ledger() -> Option<PathBuf> {
    if let Some(v) = std::env::var_os(ENV) {
        return (!v.is_empty()).then(|| PathBuf::from(v));
    }
    let data_home = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(data_home.join("spoor").join("anchors.jsonl"))
}

/// A new random case id (128 bits from the OS-seeded hasher keys, the time
/// and the process id, through SHA-256).
pub fn new_case_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = Sha256::new();
    for _ in 0..2 {
        let mut k = std::collections::hash_map::RandomState::new().build_hasher();
        k.write_u8(0);
        h.update(k.finish().to_be_bytes());
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    h.update(now.as_nanos().to_be_bytes());
    h.update(std::process::id().to_be_bytes());
    hex::encode(&h.finalize()[..16])
}

/// A case's id: `case_id` in the details of its first audit entry, else
/// (cases made before ids) that entry's hash; `None` for an empty log.
pub fn case_id(conn: &rusqlite::Connection) -> crate::Result<Option<String>> {
    use rusqlite::OptionalExtension;
    let first: Option<(String, String)> = conn
        .query_row("SELECT details, entry_hash FROM audit_log WHERE seq = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(first.map(|(details, hash)| id_from(&details, &hash)))
}

/// The id from the first entry's details text and hash.
pub fn id_from(details: &str, hash: &str) -> String {
    serde_json::from_str::<serde_json::Value>(details)
        .ok()
        .and_then(|d| d.get("case_id").and_then(|v| v.as_str()).map(str::to_string))
        .unwrap_or_else(|| hash.to_string())
}

/// The SHA-256 of one line's bytes (without its newline).
pub fn line_hash(line: &[u8]) -> String {
    hex::encode(Sha256::digest(line))
}

/// Heads that could not be recorded since the failure was last taken: the
/// last ledger and error, and how many heads failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The ledger that could not be written.
    pub ledger: PathBuf,
    /// The operating system's error, as text.
    pub error: String,
    /// The case whose head was not recorded (as it is written in the ledger).
    pub case_path: String,
    /// How many heads were not recorded (each write to a case is one).
    pub heads: u64,
}

impl Failure {
    /// The failure as one sentence (what the CLI prints).
    pub fn message(&self) -> String {
        format!("the chain head was not recorded in the anchor ledger {}: {}", self.ledger.display(), self.error)
    }
}

static LAST_FAILURE: Mutex<Option<Failure>> = Mutex::new(None);

/// Why the last head could not be recorded, if it could not (the write to
/// the case itself stood); taken, so it is said once.
pub fn take_failure() -> Option<String> {
    take_failure_detail().map(|f| f.message())
}

/// As [`take_failure`], with the ledger, error, case and number of heads
/// apart (for the desktop app's warning).
pub fn take_failure_detail() -> Option<Failure> {
    LAST_FAILURE.lock().map(|mut f| f.take()).unwrap_or(None)
}

pub(crate) fn note_failure(ledger: &Path, case_path: &str, err: &io::Error) {
    if let Ok(mut f) = LAST_FAILURE.lock() {
        let heads = f.as_ref().map_or(0, |p| p.heads) + 1;
        *f = Some(Failure { ledger: ledger.to_path_buf(), error: err.to_string(), case_path: case_path.to_string(), heads });
    }
}

/// Appends `anchor` (its `prev_line` filled in here) to the ledger, under an
/// exclusive lock so concurrent writers keep the chain, in one `write`.
pub fn record(ledger: &Path, mut anchor: Anchor) -> io::Result<()> {
    if let Some(dir) = ledger.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = OpenOptions::new().read(true).append(true).create(true).open(ledger)?;
    file.lock()?;
    let (last, torn) = last_whole_line(&mut file)?;
    anchor.prev_line = last.as_deref().map_or_else(|| GENESIS.to_string(), line_hash);
    let mut out = Vec::new();
    if torn {
        // End the torn line so it stays one line, skipped by readers.
        out.push(b'\n');
    }
    out.extend(serde_json::to_vec(&anchor).map_err(io::Error::other)?);
    out.push(b'\n');
    file.write_all(&out)?;
    file.sync_data()?;
    Ok(())
}

/// The last line of the ledger that parses as an anchor, and whether the
/// file ends inside a line (torn by a crash). Reads from the end.
fn last_whole_line(file: &mut File) -> io::Result<(Option<Vec<u8>>, bool)> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut window = 8192u64;
    loop {
        let start = len.saturating_sub(window);
        file.seek(SeekFrom::Start(start))?;
        let mut buf = Vec::new();
        Read::by_ref(file).take(len - start).read_to_end(&mut buf)?;
        let torn = buf.last().is_some_and(|&b| b != b'\n');
        // Lines wholly inside the window (the first may be cut unless the
        // window starts the file).
        let mut lines: Vec<&[u8]> = buf.split(|&b| b == b'\n').collect();
        if torn || buf.last() == Some(&b'\n') {
            lines.pop();
        }
        let first_whole = usize::from(start > 0);
        if let Some(found) = lines.iter().skip(first_whole).rev().find(|l| serde_json::from_slice::<Anchor>(l).is_ok()) {
            return Ok((Some(found.to_vec()), torn));
        }
        if start == 0 {
            return Ok((None, torn));
        }
        window = window.saturating_mul(4);
    }
}

/// The ledger as read: every anchor, and what is wrong with its chain.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    /// Lines that parse as anchors.
    pub lines: u64,
    /// Lines that do not parse (torn by a crash, or damaged), skipped.
    pub skipped: Vec<u64>,
    pub anchors: Vec<(u64, Anchor)>,
    /// Where the chain of lines is broken: the line number (from 1) and why.
    pub breaks: Vec<(u64, String)>,
}

/// Reads and checks a ledger; `Ok(None)` when there is no such file.
pub fn read(ledger: &Path) -> io::Result<Option<Ledger>> {
    let bytes = match std::fs::read(ledger) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut out = Ledger::default();
    let mut prev = GENESIS.to_string();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let number = i as u64 + 1;
        if line.is_empty() {
            continue;
        }
        let Ok(anchor) = serde_json::from_slice::<Anchor>(line) else {
            out.skipped.push(number);
            continue;
        };
        if anchor.prev_line != prev {
            out.breaks.push((
                number,
                format!(
                    "line {number} does not follow the line before it (it names {}, the line before hashes to {prev}): a line was changed, removed or inserted there",
                    anchor.prev_line
                ),
            ));
        }
        prev = line_hash(line);
        out.lines += 1;
        out.anchors.push((number, anchor));
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchor(case: &str, seq: i64) -> Anchor {
        Anchor {
            v: LINE_VERSION,
            case_id: case.into(),
            case_number: Some("C-1".into()),
            seq,
            entry_hash: format!("{seq:064x}"),
            prev_hash: format!("{:064x}", seq - 1),
            entry_time_utc: "2026-12-01T00:00:00.000Z".into(),
            case_path: "/cases/c.spoor".into(),
            prev_line: String::new(),
        }
    }

    #[test]
    fn lines_chain_and_an_edit_is_named() -> std::result::Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("sub/anchors.jsonl");
        for seq in 1..=3 {
            record(&path, anchor("a", seq))?;
        }
        let ledger = read(&path)?.ok_or("no ledger")?;
        assert_eq!((ledger.lines, ledger.breaks.len()), (3, 0));
        let text = std::fs::read_to_string(&path)?;
        std::fs::write(&path, text.replacen("\"seq\":2", "\"seq\":7", 1))?;
        let ledger = read(&path)?.ok_or("no ledger")?;
        assert_eq!(ledger.breaks.iter().map(|b| b.0).collect::<Vec<_>>(), vec![3]);
        Ok(())
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_the_chain_goes_on() -> std::result::Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("anchors.jsonl");
        record(&path, anchor("a", 1))?;
        OpenOptions::new().append(true).open(&path)?.write_all(b"{\"v\":1,\"case_id\":\"a\",\"se")?;
        record(&path, anchor("a", 2))?;
        let ledger = read(&path)?.ok_or("no ledger")?;
        assert_eq!((ledger.lines, ledger.skipped.clone(), ledger.breaks.len()), (2, vec![2], 0));
        Ok(())
    }

    #[test]
    fn case_ids_differ() {
        assert_ne!(new_case_id(), new_case_id());
        assert_eq!(new_case_id().len(), 32);
    }
}
