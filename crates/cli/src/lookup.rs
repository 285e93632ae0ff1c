//! `spoor hashset lookup`: a list of digests looked up in the library's
//! sets, the way Sleuth Kit's `hfind` looks hashes up in a database, through
//! the batched lookup path (`Matcher::find_digests`).
//!
//! Each line gives one digest at its start: a bare MD5, SHA-1 or SHA-256
//! (its width says which), an `md5sum`/`sha1sum`/`sha256sum` line, a CSV row
//! whose first field is the digest, or a BSD `MD5 (name) = digest` line.
//! Blank lines and `#` comments are passed over; any other line is skipped
//! with a warning naming its number. The list is read in chunks, so a list
//! of tens of millions of digests takes constant memory.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Serialize;
use spoor_hashset::{DigestKind, Library, Matcher, Record, RecordRef};

/// Digests looked up per batch (and held in memory at once).
const CHUNK: usize = 1 << 20;

/// Warnings about skipped lines printed one by one before only counting.
const SHOWN_SKIPS: u64 = 10;

/// One input digest: its line and where it sits among its kind's digests.
struct Entry {
    line: u64,
    kind: DigestKind,
    index: usize,
}

/// A chunk of the list, each kind's digests apart.
#[derive(Default)]
struct Chunk {
    entries: Vec<Entry>,
    md5: Vec<[u8; 16]>,
    sha1: Vec<[u8; 20]>,
    sha256: Vec<[u8; 32]>,
}

impl Chunk {
    fn push(&mut self, line: u64, bytes: &[u8]) {
        let (kind, index) = match bytes.len() {
            16 => (DigestKind::Md5, push(&mut self.md5, bytes)),
            20 => (DigestKind::Sha1, push(&mut self.sha1, bytes)),
            _ => (DigestKind::Sha256, push(&mut self.sha256, bytes)),
        };
        self.entries.push(Entry { line, kind, index });
    }

    fn digest(&self, e: &Entry) -> String {
        match e.kind {
            DigestKind::Md5 => hex::encode(self.md5[e.index]),
            DigestKind::Sha1 => hex::encode(self.sha1[e.index]),
            DigestKind::Sha256 => hex::encode(self.sha256[e.index]),
        }
    }
}

fn push<const N: usize>(v: &mut Vec<[u8; N]>, bytes: &[u8]) -> usize {
    let mut d = [0u8; N];
    d.copy_from_slice(bytes);
    v.push(d);
    v.len() - 1
}

/// The digest at the start of a line: its bytes (16, 20 or 32), `Ok(None)`
/// for a blank or comment line, `Err(why)` for a line without one.
fn parse_line(raw: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let text = std::str::from_utf8(raw).map_err(|_| "not UTF-8 text".to_string())?;
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() || text.starts_with('#') {
        return Ok(None);
    }
    // BSD form: `MD5 (name) = digest`.
    let token = match text.rsplit_once(" = ") {
        Some((head, tail)) if head.contains(" (") && head.ends_with(')') => tail.trim(),
        _ => {
            let text = text.strip_prefix('\\').unwrap_or(text);
            let end = text.find(|c: char| c.is_whitespace() || c == ',' || c == ';').unwrap_or(text.len());
            text[..end].trim_matches('"')
        }
    };
    if !matches!(token.len(), 32 | 40 | 64) {
        return Err(format!("{:?} is not an MD5, SHA-1 or SHA-256 (32, 40 or 64 hex digits)", clip(token)));
    }
    hex::decode(token).map(Some).map_err(|_| format!("{:?} is not hexadecimal", clip(token)))
}

fn clip(s: &str) -> String {
    s.chars().take(70).collect()
}

/// One match, as `--json` writes it.
#[derive(Serialize)]
struct Found<'a> {
    set: &'a str,
    set_id: &'a str,
    set_version: Option<&'a str>,
    /// alert or ignore
    set_kind: String,
    record: Record,
}

/// One input digest, as `--json` writes it (a line each).
#[derive(Serialize)]
struct Looked<'a> {
    line: u64,
    digest: String,
    kind: DigestKind,
    matches: Vec<Found<'a>>,
}

/// What `lookup` counted, for the summary.
#[derive(Default)]
struct Totals {
    digests: u64,
    found: u64,
    matches: u64,
    skipped: u64,
}

pub(crate) fn lookup(library: &Library, input: Option<&Path>, hashsets: &[String], found_only: bool, json: bool) -> Result<u8> {
    let matcher = library.load(hashsets)?;
    if matcher.sets().is_empty() {
        bail!("the hash-set library {} holds no sets to look digests up in", library.root().display());
    }
    let mut reader: Box<dyn BufRead> = match input.filter(|p| p.as_os_str() != "-") {
        Some(path) => Box::new(std::io::BufReader::with_capacity(
            1 << 20,
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?,
        )),
        None => Box::new(std::io::stdin().lock()),
    };
    let name = input.map_or_else(|| "standard input".to_string(), |p| p.display().to_string());
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut totals = Totals::default();
    let mut chunk = Chunk::default();
    let mut raw = Vec::new();
    let mut line = 0u64;
    loop {
        raw.clear();
        let n = reader.read_until(b'\n', &mut raw).with_context(|| format!("reading {name}"))?;
        if n > 0 {
            line += 1;
            match parse_line(&raw) {
                Ok(Some(bytes)) => chunk.push(line, &bytes),
                Ok(None) => {}
                Err(why) => {
                    totals.skipped += 1;
                    if totals.skipped <= SHOWN_SKIPS {
                        eprintln!("spoor: warning: {name} line {line}: {why}: skipped");
                    }
                }
            }
        }
        if chunk.entries.len() >= CHUNK || (n == 0 && !chunk.entries.is_empty()) {
            write_chunk(&matcher, &chunk, found_only, json, &mut out, &mut totals)?;
            chunk = Chunk::default();
        }
        if n == 0 {
            break;
        }
    }
    out.flush()?;
    if totals.skipped > SHOWN_SKIPS {
        eprintln!("spoor: warning: {} more line(s) of {name} skipped", totals.skipped - SHOWN_SKIPS);
    }
    eprintln!(
        "{} digest(s) looked up in {} set(s): {} found ({} match(es)), {} not found{}",
        totals.digests,
        matcher.sets().len(),
        totals.found,
        totals.matches,
        totals.digests - totals.found,
        if totals.skipped > 0 { format!("; {} line(s) skipped", totals.skipped) } else { String::new() }
    );
    Ok(0)
}

/// Looks one chunk up (each kind in one batched call) and writes its
/// digests in the order of the list.
fn write_chunk(matcher: &Matcher, chunk: &Chunk, found_only: bool, json: bool, out: &mut impl Write, totals: &mut Totals) -> Result<()> {
    let mut pairs: [Vec<(usize, RecordRef)>; 3] = Default::default();
    matcher.find_digests(&chunk.md5, &mut pairs[0])?;
    matcher.find_digests(&chunk.sha1, &mut pairs[1])?;
    matcher.find_digests(&chunk.sha256, &mut pairs[2])?;
    // Each kind's pairs are in the order of its digests, as the entries
    // are: one cursor per kind walks them.
    let mut cursor = [0usize; 3];
    let sets = matcher.sets();
    for e in &chunk.entries {
        let k = match e.kind {
            DigestKind::Md5 => 0,
            DigestKind::Sha1 => 1,
            DigestKind::Sha256 => 2,
        };
        let start = cursor[k];
        while cursor[k] < pairs[k].len() && pairs[k][cursor[k]].0 == e.index {
            cursor[k] += 1;
        }
        let refs = &pairs[k][start..cursor[k]];
        totals.digests += 1;
        totals.matches += refs.len() as u64;
        if !refs.is_empty() {
            totals.found += 1;
        } else if found_only {
            continue;
        }
        let digest = chunk.digest(e);
        let mut matches = Vec::with_capacity(refs.len());
        for (_, r) in refs {
            let info = &sets[r.set];
            matches.push(Found {
                set: &info.name,
                set_id: &info.id,
                set_version: info.version.as_deref(),
                set_kind: info.kind.to_string(),
                record: matcher.record(r)?,
            });
        }
        if json {
            serde_json::to_writer(&mut *out, &Looked { line: e.line, digest, kind: e.kind, matches })?;
            writeln!(out)?;
        } else if matches.is_empty() {
            writeln!(out, "{digest}\tnot found")?;
        } else {
            for m in &matches {
                let category = match (&m.record.category, &m.record.category_name) {
                    (Some(raw), Some(name)) => format!("category {raw} ({name})"),
                    (Some(raw), None) => format!("category {raw}"),
                    _ => "uncategorised".to_string(),
                };
                writeln!(
                    out,
                    "{digest}\t{}{}\t{}\t{category}\t{}",
                    m.set,
                    m.set_version.map(|v| format!(" {v}")).unwrap_or_default(),
                    m.set_kind,
                    m.record.name.as_deref().unwrap_or("-"),
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_give_their_digest() {
        let md5 = "d41d8cd98f00b204e9800998ecf8427e";
        let sha1 = "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709";
        let want = |h: &str| Ok(Some(hex::decode(h).expect("hex")));
        assert_eq!(parse_line(md5.as_bytes()), want(md5));
        assert_eq!(parse_line(format!("{md5}  name with spaces.jpg\r\n").as_bytes()), want(md5));
        assert_eq!(parse_line(format!("\\{md5}  odd\\nname").as_bytes()), want(md5));
        assert_eq!(parse_line(format!("\u{feff}{sha1},x.jpg,3").as_bytes()), want(sha1));
        assert_eq!(parse_line(format!("\"{sha1}\";1").as_bytes()), want(sha1));
        assert_eq!(parse_line(format!("SHA1 (a = b.jpg) = {sha1}").as_bytes()), want(sha1));
        assert_eq!(parse_line(b"   \n"), Ok(None));
        assert_eq!(parse_line(b"# md5 list"), Ok(None));
        assert!(parse_line(b"md5,name").expect_err("a header").contains("32, 40 or 64"));
        assert!(parse_line(&[b'z'; 32]).expect_err("not hex").contains("hexadecimal"));
        assert!(parse_line(b"\xff\xfe").expect_err("bytes").contains("UTF-8"));
    }
}
