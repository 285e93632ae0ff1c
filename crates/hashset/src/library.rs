//! The library folder: import, list, remove, load.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use crate::format::{BOM, ParsedRecord, RecordSink, detect_format, parser_for};
use crate::index::{Entry, sort_entries, table_path, write_table};
use crate::matcher::Matcher;
use crate::records::RecordWriter;
use crate::source::HashingReader;
use crate::{DigestKind, Error, FORMAT_VERSION, ImportOptions, Result, SetInfo};

pub(crate) const MANIFEST_FILE: &str = "manifest.json";
const SETS_DIR: &str = "sets";
const TMP_PREFIX: &str = ".tmp-";
const LOCK_FILE: &str = ".lock";
/// Bytes read ahead for format detection.
const HEAD_LEN: u64 = 64 * 1024;
/// Longest slug part of a set id.
const MAX_SLUG: usize = 48;

/// A hash-set library folder. See the crate docs for its layout.
#[derive(Debug, Clone)]
pub struct Library {
    root: PathBuf,
}

impl Library {
    /// Open the library at `root`, creating the folder if missing, and
    /// remove what crashed imports left behind (unless another process is
    /// importing right now).
    pub fn open(root: &Path) -> Result<Library> {
        fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
        let meta = fs::metadata(root).map_err(|e| Error::io(root, e))?;
        if !meta.is_dir() {
            return Err(Error::Library {
                path: root.to_path_buf(),
                reason: "not a folder".into(),
            });
        }
        let sets = root.join(SETS_DIR);
        fs::create_dir_all(&sets).map_err(|e| Error::io(&sets, e))?;
        let library = Library {
            root: root.to_path_buf(),
        };
        // Best effort: a read-only library (shared, or on write-protected
        // media) still opens for lookups.
        if let Ok(Some(_lock)) = library.try_lock() {
            library.clean_temp();
        }
        Ok(library)
    }

    /// `$XDG_DATA_HOME/spoor/library`, else `$HOME/.local/share/spoor/library`.
    pub fn default_root() -> PathBuf {
        let data_home = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::home_dir().map(|home| home.join(".local").join("share")))
            .unwrap_or_else(|| PathBuf::from("."));
        data_home.join("spoor").join("library")
    }

    /// The library folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn sets_dir(&self) -> PathBuf {
        self.root.join(SETS_DIR)
    }

    /// Import one hash list as a new set.
    ///
    /// The source is read once (parsing and its SHA-256 in the same pass).
    /// Everything is built in a temporary folder inside the library and
    /// renamed into place at the end, so a failed import (malformed line,
    /// I/O error, crash) adds nothing.
    pub fn import(&self, source: &Path, opts: &ImportOptions) -> Result<SetInfo> {
        let name = opts.name.trim();
        if name.is_empty() {
            return Err(Error::InvalidOptions("the set name is empty".into()));
        }
        if name.chars().any(char::is_control) {
            return Err(Error::InvalidOptions(
                "the set name holds a control character".into(),
            ));
        }
        let version = opts
            .version
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty());
        let file = File::open(source).map_err(|e| Error::io(source, e))?;

        // Imports and removals take the library lock: this makes the
        // "already imported" check and the final rename one step, and keeps
        // the temp-folder cleanup from removing a live import's folder.
        let _lock = self.lock()?;
        if self
            .list()?
            .iter()
            .any(|s| s.name == name && s.version.as_deref() == version)
        {
            return Err(Error::AlreadyExists {
                name: name.to_string(),
                version: version.map(str::to_string),
            });
        }
        self.clean_temp();
        let tmp = tempfile::Builder::new()
            .prefix(TMP_PREFIX)
            .tempdir_in(&self.root)
            .map_err(|e| Error::io(&self.root, e))?;

        let mut hashing = HashingReader::new(file);
        let mut head = Vec::new();
        (&mut hashing)
            .take(HEAD_LEN)
            .read_to_end(&mut head)
            .map_err(|e| Error::io(source, e))?;
        let format = match opts.format {
            Some(format) => format,
            None => detect_format(&head).ok_or_else(|| Error::UndetectableFormat {
                path: source.to_path_buf(),
            })?,
        };
        let bom = if head.starts_with(BOM) { BOM.len() } else { 0 };
        let mut head = Cursor::new(head);
        head.set_position(bom as u64);
        let mut input = BufReader::with_capacity(256 * 1024, head.chain(hashing));

        let mut builder = SetBuilder::new(tmp.path(), source)?;
        parser_for(format).parse(source, &mut input, &mut builder)?;
        // The hash covers the whole file even if a parser stopped early.
        io::copy(&mut input, &mut io::sink()).map_err(|e| Error::io(source, e))?;
        let (_, hashing) = input.into_inner().into_inner();
        let source_sha256 = hashing.finish_hex();

        let (record_count, digest_counts) = builder.finish(tmp.path())?;
        if record_count == 0 {
            return Err(Error::EmptySet {
                path: source.to_path_buf(),
            });
        }
        let info = SetInfo {
            id: self.unique_id(name, version, &source_sha256),
            name: name.to_string(),
            version: version.map(str::to_string),
            kind: opts.kind,
            format,
            source_name: source
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| source.to_string_lossy().into_owned()),
            source_sha256,
            record_count,
            digest_counts,
            imported_utc: now_utc(),
            format_version: FORMAT_VERSION,
        };
        write_manifest(&tmp.path().join(MANIFEST_FILE), &info)?;
        sync_dir(tmp.path())?;

        let tmp_path = tmp.keep();
        let dest = self.sets_dir().join(&info.id);
        if let Err(e) = fs::rename(&tmp_path, &dest) {
            let _ = fs::remove_dir_all(&tmp_path);
            return Err(Error::io(&dest, e));
        }
        sync_dir(&self.sets_dir())?;
        Ok(info)
    }

    /// Every set in the library, sorted by name, then version (a set without
    /// a version first), then id.
    pub fn list(&self) -> Result<Vec<SetInfo>> {
        let dir = self.sets_dir();
        let entries = fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        let mut sets = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let folder = entry.file_name();
            let folder = folder.to_string_lossy();
            let is_dir = entry
                .file_type()
                .map_err(|e| Error::io(entry.path(), e))?
                .is_dir();
            if folder.starts_with('.') || !is_dir {
                continue;
            }
            let manifest = entry.path().join(MANIFEST_FILE);
            let bytes = fs::read(&manifest).map_err(|e| Error::io(&manifest, e))?;
            let info: SetInfo = serde_json::from_slice(&bytes)
                .map_err(|e| Error::corrupt(&manifest, format!("unreadable manifest: {e}")))?;
            if info.id != folder {
                return Err(Error::corrupt(
                    &manifest,
                    format!("manifest id {:?} differs from its folder name", info.id),
                ));
            }
            sets.push(info);
        }
        sets.sort_by(|a, b| (&a.name, &a.version, &a.id).cmp(&(&b.name, &b.version, &b.id)));
        Ok(sets)
    }

    /// Remove one set. Without a version, the name must match exactly one
    /// set.
    pub fn remove(&self, name: &str, version: Option<&str>) -> Result<SetInfo> {
        let _lock = self.lock()?;
        let mut matching: Vec<SetInfo> = self
            .list()?
            .into_iter()
            .filter(|s| s.name == name && (version.is_none() || s.version.as_deref() == version))
            .collect();
        let info = match matching.len() {
            0 => {
                return Err(Error::NotFound {
                    name: name.to_string(),
                    version: version.map(str::to_string),
                });
            }
            1 => matching.remove(0),
            _ => {
                return Err(Error::Ambiguous {
                    name: name.to_string(),
                    versions: matching
                        .iter()
                        .map(|s| s.version.clone().unwrap_or_else(|| "(none)".into()))
                        .collect(),
                });
            }
        };
        // Rename first so the set disappears at once; the deletion can then
        // fail half-way without leaving a half set that `list` would see.
        let dir = self.sets_dir().join(&info.id);
        let doomed = self.root.join(format!("{TMP_PREFIX}rm-{}", info.id));
        fs::rename(&dir, &doomed).map_err(|e| Error::io(&dir, e))?;
        sync_dir(&self.sets_dir())?;
        let _ = fs::remove_dir_all(&doomed); // else cleaned by the next open
        Ok(info)
    }

    /// Load sets for lookups: every set when `names` is empty; otherwise each
    /// entry names a set by name (every version of it) or by id. An entry
    /// that matches nothing is an error.
    pub fn load(&self, names: &[String]) -> Result<Matcher> {
        let all = self.list()?;
        let selected: Vec<SetInfo> = if names.is_empty() {
            all
        } else {
            let mut keep = BTreeSet::new();
            for wanted in names {
                let mut found = false;
                for (i, s) in all.iter().enumerate() {
                    if &s.name == wanted || &s.id == wanted {
                        keep.insert(i);
                        found = true;
                    }
                }
                if !found {
                    return Err(Error::NotFound {
                        name: wanted.clone(),
                        version: None,
                    });
                }
            }
            all.into_iter()
                .enumerate()
                .filter(|(i, _)| keep.contains(i))
                .map(|(_, s)| s)
                .collect()
        };
        Matcher::open(&self.sets_dir(), selected)
    }

    /// A folder name for a new set: slug of name and version, then 8 hex
    /// digits of the source's SHA-256; suffixed if already taken.
    fn unique_id(&self, name: &str, version: Option<&str>, sha256: &str) -> String {
        let mut text = name.to_string();
        if let Some(v) = version {
            text.push(' ');
            text.push_str(v);
        }
        let base = format!("{}-{}", slug(&text), &sha256[..8.min(sha256.len())]);
        let mut id = base.clone();
        let mut n = 2;
        while self.sets_dir().join(&id).exists() {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }

    fn lock_file(&self) -> Result<File> {
        let path = self.root.join(LOCK_FILE);
        OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))
    }

    /// Take the library lock, waiting for it. Released when the file drops.
    fn lock(&self) -> Result<File> {
        let file = self.lock_file()?;
        match file.lock() {
            Ok(()) => Ok(file),
            // File systems without locks: carry on unlocked.
            Err(e) if e.kind() == io::ErrorKind::Unsupported => Ok(file),
            Err(e) => Err(Error::io(self.root.join(LOCK_FILE), e)),
        }
    }

    /// The library lock if nobody holds it.
    fn try_lock(&self) -> Result<Option<File>> {
        let file = self.lock_file()?;
        match file.try_lock() {
            Ok(()) => Ok(Some(file)),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(e)) if e.kind() == io::ErrorKind::Unsupported => {
                Ok(Some(file))
            }
            Err(fs::TryLockError::Error(e)) => Err(Error::io(self.root.join(LOCK_FILE), e)),
        }
    }

    /// Remove leftover temporary folders. Only called with the lock held.
    /// Best effort: a folder that cannot be removed now is tried next time.
    fn clean_temp(&self) {
        let Ok(entries) = fs::read_dir(&self.root) else {
            return;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(TMP_PREFIX)
                && entry.file_type().is_ok_and(|t| t.is_dir())
            {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// Collects parsed records: records stream to disk, digest entries stay in
/// memory until sorted.
#[derive(Debug)]
struct SetBuilder {
    source: PathBuf,
    records: RecordWriter,
    md5: Vec<Entry<16>>,
    sha1: Vec<Entry<20>>,
    sha256: Vec<Entry<32>>,
}

impl SetBuilder {
    fn new(dir: &Path, source: &Path) -> Result<SetBuilder> {
        Ok(SetBuilder {
            source: source.to_path_buf(),
            records: RecordWriter::create(dir)?,
            md5: Vec::new(),
            sha1: Vec::new(),
            sha256: Vec::new(),
        })
    }

    /// Flush the records, sort and write the tables; returns the record
    /// count and the entries per table.
    fn finish(mut self, dir: &Path) -> Result<(u64, BTreeMap<DigestKind, u64>)> {
        let count = self.records.finish()?;
        let mut counts = BTreeMap::new();
        if !self.md5.is_empty() {
            sort_entries(&mut self.md5);
            write_table(&table_path(dir, DigestKind::Md5), &self.md5)?;
            counts.insert(DigestKind::Md5, self.md5.len() as u64);
        }
        if !self.sha1.is_empty() {
            sort_entries(&mut self.sha1);
            write_table(&table_path(dir, DigestKind::Sha1), &self.sha1)?;
            counts.insert(DigestKind::Sha1, self.sha1.len() as u64);
        }
        if !self.sha256.is_empty() {
            sort_entries(&mut self.sha256);
            write_table(&table_path(dir, DigestKind::Sha256), &self.sha256)?;
            counts.insert(DigestKind::Sha256, self.sha256.len() as u64);
        }
        Ok((count, counts))
    }
}

impl RecordSink for SetBuilder {
    fn push(&mut self, parsed: ParsedRecord) -> Result<()> {
        let line = parsed.record.line;
        let number = self.records.push(&parsed.record)?;
        let number = u32::try_from(number).map_err(|_| Error::Parse {
            path: self.source.clone(),
            line,
            reason: format!("more than {} records in one set", u32::MAX),
        })?;
        if let Some(d) = parsed.md5 {
            self.md5.push((d, number));
        }
        if let Some(d) = parsed.sha1 {
            self.sha1.push((d, number));
        }
        if let Some(d) = parsed.sha256 {
            self.sha256.push((d, number));
        }
        Ok(())
    }
}

/// Lower-case ASCII letters and digits, runs of anything else as one `-`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= MAX_SLUG {
            break;
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "set".to_string()
    } else {
        out.to_string()
    }
}

fn write_manifest(path: &Path, info: &SetInfo) -> Result<()> {
    let mut json = serde_json::to_vec_pretty(info).map_err(|e| Error::io(path, e.into()))?;
    json.push(b'\n');
    let mut file = File::create_new(path).map_err(|e| Error::io(path, e))?;
    io::Write::write_all(&mut file, &json).map_err(|e| Error::io(path, e))?;
    file.sync_all().map_err(|e| Error::io(path, e))
}

/// Make a folder's entries (a rename, new files) durable.
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir; // Windows cannot open folders as files; NTFS journals renames.
    Ok(())
}

fn now_utc() -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("NSRL 2024.12"), "nsrl-2024-12");
        assert_eq!(slug("  --Ünïcode!! set--"), "n-code-set");
        assert_eq!(slug("***"), "set");
        assert_eq!(slug(&"a".repeat(100)).len(), MAX_SLUG);
    }

    #[test]
    fn timestamp_shape() {
        let t = now_utc();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T', "{t}");
    }
}
