//! The library folder: import, list, remove, load.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::format::vics::add_name;
use crate::format::{
    BOM, ParsedRecord, RecordSink, SQLITE_MAGIC, SourceMeta, detect_format, open_sqlite,
    parse_database, parser_for, sqlite_format_from_tables, table_names,
};
use crate::index::{Table, table_path};
use crate::matcher::Matcher;
use crate::records::{RecordStore, RecordWriter};
use crate::sort::{KEY_LEN, Key, RecordSorter, TableBuilder, key_digests, record_key};
use crate::source::HashingReader;
use crate::{
    Conflict, DigestKind, Error, FORMAT_VERSION, Format, IMPORTER, ImportOptions, ImportReport,
    MAX_REPORTED_CONFLICTS, Profile, Record, Result, SetInfo,
};

pub(crate) const MANIFEST_FILE: &str = "manifest.json";
pub(crate) const CONFLICTS_FILE: &str = "conflicts.jsonl";
const SETS_DIR: &str = "sets";
const TMP_PREFIX: &str = ".tmp-";
const LOCK_FILE: &str = ".lock";
/// Bytes read ahead for format detection.
const HEAD_LEN: u64 = 64 * 1024;
/// Longest slug part of a set id.
const MAX_SLUG: usize = 48;

/// Live counters of one import, for a progress display: whoever shows them
/// reads them as often as it likes (the importer only adds to them, so a
/// reader never slows the import). Pass one to
/// [`Library::import_with_progress`].
#[derive(Debug, Default)]
pub struct ImportProgress {
    /// The source's size in bytes, once opened (0 while unknown, and for a
    /// folder of vPDQ files).
    pub source_bytes: AtomicU64,
    /// Bytes of the source read so far (parsing and hashing are one pass).
    pub bytes_read: AtomicU64,
    /// Records parsed so far (digest sets; PDQ and vPDQ lists count bytes
    /// only).
    pub records: AtomicU64,
}

/// Counts what passes through into an [`ImportProgress`].
struct Counting<R> {
    inner: R,
    progress: Arc<ImportProgress>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.bytes_read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

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

    /// Import one hash list as a new set. See [`Library::import_with_report`].
    pub fn import(&self, source: &Path, opts: &ImportOptions) -> Result<SetInfo> {
        self.import_with_report(source, opts).map(|(info, _)| info)
    }

    /// Import one hash list as a new set, and say what was merged and which
    /// categories conflicted.
    ///
    /// The source is read once (parsing and its SHA-256 in the same pass;
    /// SQLite sources are hashed, then queried). Everything is built in a
    /// temporary folder inside the library and renamed into place at the
    /// end, so a failed import (malformed record, I/O error, crash) adds
    /// nothing.
    pub fn import_with_report(
        &self,
        source: &Path,
        opts: &ImportOptions,
    ) -> Result<(SetInfo, ImportReport)> {
        self.import_with_progress(source, opts, &Arc::default())
    }

    /// [`Library::import_with_report`], counting bytes read and records
    /// parsed into `progress` as it goes.
    pub fn import_with_progress(
        &self,
        source: &Path,
        opts: &ImportOptions,
        progress: &Arc<ImportProgress>,
    ) -> Result<(SetInfo, ImportReport)> {
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
        // A folder is read as one stream of vPDQ files (see `vpdq`).
        let file = crate::vpdq::open_source(source)?;
        if let Ok(meta) = fs::metadata(source)
            && meta.is_file()
        {
            progress.source_bytes.store(meta.len(), Ordering::Relaxed);
        }
        let file = Counting { inner: file, progress: Arc::clone(progress) };

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
        let detected = match opts.format {
            Some(format) => format,
            None => detect(&head, source)?.ok_or_else(|| Error::UndetectableFormat {
                path: source.to_path_buf(),
            })?,
        };

        if detected == Format::Pdq {
            // Fingerprints, not digests: records in source order and a
            // near-match index (crate::pdq) instead of the digest sort.
            let bom = if head.starts_with(BOM) { BOM.len() } else { 0 };
            let csv = crate::pdq::starts_with_header(&head);
            let mut head = Cursor::new(head);
            head.set_position(bom as u64);
            let mut input = BufReader::with_capacity(256 * 1024, head.chain(hashing));
            let pdq = crate::pdq::build(tmp.path(), source, &mut input, csv)?;
            io::copy(&mut input, &mut io::sink()).map_err(|e| Error::io(source, e))?;
            let (_, hashing) = input.into_inner().into_inner();
            let meta = SourceMeta { variant: Some(pdq.variant.to_string()), ..SourceMeta::default() };
            let built = Built {
                record_count: pdq.record_count,
                digest_counts: BTreeMap::new(),
                report: ImportReport::default(),
                fingerprint: Some(pdq.fingerprint),
                vpdq_videos: 0,
            };
            return self.install(tmp, source, opts, detected, hashing.finish_hex(), meta, built);
        }
        let mut builder = SetBuilder::new(tmp.path(), source, opts.sort_memory, Arc::clone(progress))?;
        let source_sha256 = match parser_for(detected, opts) {
            Some(parser) => {
                let bom = if head.starts_with(BOM) && detected != Format::EnCase {
                    BOM.len()
                } else {
                    0
                };
                let mut head = Cursor::new(head);
                head.set_position(bom as u64);
                let mut input = BufReader::with_capacity(256 * 1024, head.chain(hashing));
                parser.parse(source, &mut input, &mut builder)?;
                // The hash covers the whole file even if a parser stopped early.
                io::copy(&mut input, &mut io::sink()).map_err(|e| Error::io(source, e))?;
                let (_, hashing) = input.into_inner().into_inner();
                hashing.finish_hex()
            }
            None => {
                io::copy(&mut hashing, &mut io::sink()).map_err(|e| Error::io(source, e))?;
                let sha256 = hashing.finish_hex();
                parse_database(detected, source, &mut builder)?;
                sha256
            }
        };

        let meta = builder.meta.clone();
        let built = builder.finish()?;
        self.install(tmp, source, opts, detected, source_sha256, meta, built)
    }

    /// Describe a set built in `tmp` and rename it into place.
    #[allow(clippy::too_many_arguments)]
    fn install(
        &self,
        tmp: tempfile::TempDir,
        source: &Path,
        opts: &ImportOptions,
        detected: Format,
        source_sha256: String,
        meta: SourceMeta,
        built: Built,
    ) -> Result<(SetInfo, ImportReport)> {
        let name = opts.name.trim();
        let version = opts
            .version
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty());
        if built.record_count == 0 && built.vpdq_videos == 0 {
            return Err(Error::EmptySet {
                path: source.to_path_buf(),
            });
        }
        let profile = match detected {
            Format::Caid => Some(Profile::Uk),
            _ => meta.profile,
        };
        let format = if detected == Format::Vics && profile == Some(Profile::Uk) {
            Format::Caid
        } else {
            detected
        };
        let variant = meta.variant.unwrap_or_else(|| format.as_str().to_string());
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
            record_count: built.record_count,
            digest_counts: built.digest_counts,
            imported_utc: now_utc(),
            format_version: FORMAT_VERSION,
            profile: profile.map(|p| p.as_str().to_string()),
            importer_version: format!("{IMPORTER} {variant}"),
            categories: profile
                .map(|p| p.category_names(&opts.caid_grades))
                .unwrap_or_default(),
            source_title: meta.title,
            duplicates_merged: built.report.duplicates_merged,
            conflict_count: built.report.conflict_count,
            fingerprint: built.fingerprint,
            vpdq_videos: built.vpdq_videos,
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
        Ok((info, built.report))
    }

    /// Write every record of a set to `out` as VICS JSON 2.0 (with the
    /// set's profile), md5sum lines (records with an MD5) or CSV, in the
    /// set's record order. Without a version, the name (or id) must match
    /// exactly one set. Returns the records written.
    pub fn export(
        &self,
        name: &str,
        version: Option<&str>,
        format: Format,
        out: &mut dyn Write,
    ) -> Result<u64> {
        let info = self.find_one(name, version)?;
        let dir = self.sets_dir().join(&info.id);
        check_layout(&info, &dir)?;
        let records = RecordStore::open(&dir, info.record_count)?;
        let videos = crate::vpdq::load(&dir, &info)?;
        if format == Format::Vpdq {
            let io = |e| Error::io(format!("<export of {}>", info.id), e);
            let written = crate::vpdq::export(&videos, out).map_err(io)?;
            out.flush().map_err(io)?;
            return Ok(written);
        }
        match (&info.fingerprint, format) {
            (Some(_), Format::Pdq) => crate::pdq::export_list(&info, &records, out),
            (Some(_), Format::Csv) => crate::pdq::export_csv(&info, &records, out),
            (None, Format::Pdq) => Err(Error::UnsupportedFormat {
                path: PathBuf::from(&info.id),
                reason: "a set of digests cannot be exported as a PDQ list".into(),
            }),
            (Some(_), other) => Err(Error::UnsupportedFormat {
                path: PathBuf::from(&info.id),
                reason: format!("a PDQ set exports as pdq or csv, not {other}"),
            }),
            (None, _) => crate::export::export(&info, &records, &videos, format, out),
        }
    }

    /// Check every byte of a set's tables and records against their block
    /// checksums, the tables' order and fan-out, and the record numbers they
    /// hold. Slow (reads the whole set); a damaged set is an
    /// [`Error::Corrupt`] naming the file and block.
    pub fn verify_set(&self, name: &str, version: Option<&str>) -> Result<VerifyReport> {
        let info = self.find_one(name, version)?;
        let dir = self.sets_dir().join(&info.id);
        check_layout(&info, &dir)?;
        let records = RecordStore::open(&dir, info.record_count)?;
        records.verify()?;
        crate::vpdq::load(&dir, &info)?;
        let mut blocks = records.blocks() as u64;
        let mut tables = 0;
        for kind in DigestKind::ALL {
            if let Some(&count) = info.digest_counts.get(&kind).filter(|&&c| c > 0) {
                let table = Table::open(&table_path(&dir, kind), kind, count)?;
                table.verify(info.record_count)?;
                blocks += table.blocks() as u64;
                tables += 1;
            }
        }
        if info.fingerprint.is_some() {
            crate::pdq::verify(&dir, &info, &records)?;
            tables += 1;
        }
        Ok(VerifyReport {
            id: info.id,
            records: info.record_count,
            tables,
            blocks,
        })
    }

    /// The category conflicts found when a set was imported.
    pub fn conflicts(&self, name: &str, version: Option<&str>) -> Result<Vec<Conflict>> {
        let info = self.find_one(name, version)?;
        let path = self.sets_dir().join(&info.id).join(CONFLICTS_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(&path, e)),
        };
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .map_err(|e| Error::corrupt(&path, format!("unreadable conflict: {e}")))
            })
            .collect()
    }

    /// The one set with this name (or id) and version.
    fn find_one(&self, name: &str, version: Option<&str>) -> Result<SetInfo> {
        self.find(name, version, true)
    }

    /// The one set with this name (or, with `by_id`, id) and version.
    fn find(&self, name: &str, version: Option<&str>, by_id: bool) -> Result<SetInfo> {
        let mut matching: Vec<SetInfo> = self
            .list()?
            .into_iter()
            .filter(|s| {
                (s.name == name || (by_id && s.id == name))
                    && (version.is_none() || s.version.as_deref() == version)
            })
            .collect();
        match matching.len() {
            0 => Err(Error::NotFound {
                name: name.to_string(),
                version: version.map(str::to_string),
            }),
            1 => Ok(matching.remove(0)),
            _ => Err(Error::Ambiguous {
                name: name.to_string(),
                versions: matching
                    .iter()
                    .map(|s| s.version.clone().unwrap_or_else(|| "(none)".into()))
                    .collect(),
            }),
        }
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
        let info = self.find(name, version, false)?;
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

/// What [`Library::verify_set`] checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// The set's id.
    pub id: String,
    /// Records in the set.
    pub records: u64,
    /// Digest tables checked.
    pub tables: u32,
    /// 64 KiB blocks whose checksum was checked.
    pub blocks: u64,
}

/// The format of the file at `path`, from its content: [`detect_format`]
/// on its first 64 KiB, and for an SQLite database whose schema is not in
/// them, its table names. `None` when nothing fits.
pub fn detect_file_format(path: &Path) -> Result<Option<Format>> {
    let file = crate::vpdq::open_source(path)?;
    let mut head = Vec::new();
    file.take(HEAD_LEN)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path, e))?;
    detect(&head, path)
}

fn detect(head: &[u8], path: &Path) -> Result<Option<Format>> {
    if crate::vpdq::detect(head) {
        return Ok(Some(Format::Vpdq));
    }
    if let Some(format) = detect_format(head) {
        return Ok(Some(format));
    }
    if head.starts_with(SQLITE_MAGIC) {
        let conn = open_sqlite(path)?;
        return Ok(sqlite_format_from_tables(&table_names(&conn, path)?));
    }
    Ok(None)
}

/// Refuse sets this build does not read.
pub(crate) fn check_layout(info: &SetInfo, dir: &Path) -> Result<()> {
    match info.format_version {
        FORMAT_VERSION => Ok(()),
        v if v < FORMAT_VERSION => Err(Error::OldLayout {
            name: info.name.clone(),
            id: info.id.clone(),
            version: v,
            current: FORMAT_VERSION,
        }),
        v => Err(Error::corrupt(
            dir.join(MANIFEST_FILE),
            format!("set layout version {v}, this build reads {FORMAT_VERSION}"),
        )),
    }
}

/// Most source lines kept per conflict.
const MAX_CONFLICT_LINES: usize = 100;

/// Collects parsed records into the external sort, then writes the set.
#[derive(Debug)]
struct SetBuilder {
    dir: PathBuf,
    runs: PathBuf,
    source: PathBuf,
    budget: usize,
    sorter: RecordSorter,
    seq: u64,
    kinds: [u64; 3],
    json: Vec<u8>,
    meta: SourceMeta,
    vpdq: crate::vpdq::TableWriter,
    progress: Arc<ImportProgress>,
}

/// The result of [`SetBuilder::finish`].
#[derive(Debug)]
struct Built {
    record_count: u64,
    digest_counts: BTreeMap<DigestKind, u64>,
    report: ImportReport,
    fingerprint: Option<crate::FingerprintInfo>,
    vpdq_videos: u64,
}

/// The records of one key while the merge meets them.
#[derive(Debug)]
struct Group {
    key: Key,
    /// The first record's JSON, written as is when it stands alone.
    json: Vec<u8>,
    /// The merged record, once a second record with the key came.
    merged: Option<Record>,
    lines: Vec<u64>,
    categories: Vec<String>,
}

impl SetBuilder {
    fn new(dir: &Path, source: &Path, budget: usize, progress: Arc<ImportProgress>) -> Result<SetBuilder> {
        let runs = dir.join("runs");
        fs::create_dir(&runs).map_err(|e| Error::io(&runs, e))?;
        Ok(SetBuilder {
            dir: dir.to_path_buf(),
            sorter: RecordSorter::new(&runs, budget),
            runs,
            source: source.to_path_buf(),
            budget,
            seq: 0,
            kinds: [0; 3],
            json: Vec::with_capacity(512),
            meta: SourceMeta::default(),
            vpdq: crate::vpdq::TableWriter::new(dir),
            progress,
        })
    }

    /// Merge, write the records and tables; remove the runs.
    fn finish(self) -> Result<Built> {
        let SetBuilder {
            dir,
            runs,
            source,
            budget,
            sorter,
            kinds,
            vpdq,
            ..
        } = self;
        let vpdq_videos = vpdq.finish()?;
        let mut merged = sorter.finish()?;
        let mut records = RecordWriter::create(&dir)?;
        let table_budget = budget / 2;
        let mut md5 = (kinds[0] > 0)
            .then(|| TableBuilder::<16>::new(&table_path(&dir, DigestKind::Md5), &runs, kinds[0], table_budget))
            .transpose()?;
        let mut sha1 = (kinds[1] > 0)
            .then(|| TableBuilder::<20>::new(&table_path(&dir, DigestKind::Sha1), &runs, kinds[1], table_budget))
            .transpose()?;
        let mut sha256 = (kinds[2] > 0)
            .then(|| TableBuilder::<32>::new(&table_path(&dir, DigestKind::Sha256), &runs, kinds[2], table_budget))
            .transpose()?;
        let conflicts_path = dir.join(CONFLICTS_FILE);
        let conflicts_file =
            File::create_new(&conflicts_path).map_err(|e| Error::io(&conflicts_path, e))?;
        let mut conflicts = BufWriter::new(conflicts_file);
        let mut report = ImportReport::default();

        let mut emit = |group: &mut Group, report: &mut ImportReport| -> Result<()> {
            let number = match &group.merged {
                None => records.push_json(&group.json)?,
                Some(record) => {
                    let json = serde_json::to_vec(record)
                        .map_err(|e| Error::io(&dir, io::Error::other(e)))?;
                    records.push_json(&json)?
                }
            };
            let number = u32::try_from(number).map_err(|_| Error::Parse {
                path: source.clone(),
                line: group.lines.first().copied().unwrap_or(0),
                reason: format!("more than {} distinct records in one set", u32::MAX),
            })?;
            let (d5, d1, d256) = key_digests(&group.key);
            if let (Some(d), Some(t)) = (d5, md5.as_mut()) {
                t.push(&d, number)?;
            }
            if let (Some(d), Some(t)) = (d1, sha1.as_mut()) {
                t.push(&d, number)?;
            }
            if let (Some(d), Some(t)) = (d256, sha256.as_mut()) {
                t.push(&d, number)?;
            }
            if group.categories.len() > 1 {
                let digest = match (d256, d1, d5) {
                    (Some(d), _, _) => format!("sha256:{}", hex::encode(d)),
                    (None, Some(d), _) => format!("sha1:{}", hex::encode(d)),
                    (None, None, Some(d)) => format!("md5:{}", hex::encode(d)),
                    (None, None, None) => String::new(),
                };
                let conflict = Conflict {
                    digest,
                    categories: std::mem::take(&mut group.categories),
                    lines: std::mem::take(&mut group.lines),
                };
                let mut line = serde_json::to_vec(&conflict)
                    .map_err(|e| Error::io(&conflicts_path, io::Error::other(e)))?;
                line.push(b'\n');
                conflicts
                    .write_all(&line)
                    .map_err(|e| Error::io(&conflicts_path, e))?;
                report.conflict_count += 1;
                if report.conflicts.len() < MAX_REPORTED_CONFLICTS {
                    report.conflicts.push(conflict);
                }
            }
            Ok(())
        };

        let (mut key, mut seq, mut payload) = ([0u8; KEY_LEN], 0u64, Vec::new());
        let mut group: Option<Group> = None;
        while merged.next(&mut key, &mut seq, &mut payload)? {
            match &mut group {
                Some(g) if g.key == key => {
                    report.duplicates_merged += 1;
                    absorb(g, &payload, &dir)?;
                }
                _ => {
                    let next = Group {
                        key,
                        json: std::mem::take(&mut payload),
                        merged: None,
                        lines: Vec::new(),
                        categories: Vec::new(),
                    };
                    if let Some(mut done) = group.replace(next) {
                        emit(&mut done, &mut report)?;
                        payload = done.json;
                    }
                }
            }
        }
        if let Some(mut done) = group.take() {
            emit(&mut done, &mut report)?;
        }
        drop(merged);

        let record_count = records.finish()?;
        let mut digest_counts = BTreeMap::new();
        if let Some(t) = md5 {
            digest_counts.insert(DigestKind::Md5, t.finish()?);
        }
        if let Some(t) = sha1 {
            digest_counts.insert(DigestKind::Sha1, t.finish()?);
        }
        if let Some(t) = sha256 {
            digest_counts.insert(DigestKind::Sha256, t.finish()?);
        }
        let file = conflicts
            .into_inner()
            .map_err(|e| Error::io(&conflicts_path, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&conflicts_path, e))?;
        fs::remove_dir_all(&runs).map_err(|e| Error::io(&runs, e))?;
        Ok(Built {
            record_count,
            digest_counts,
            report,
            fingerprint: None,
            vpdq_videos,
        })
    }
}

/// Fold one more record with the group's key into the group.
fn absorb(group: &mut Group, json: &[u8], dir: &Path) -> Result<()> {
    let parse = |bytes: &[u8]| -> Result<Record> {
        serde_json::from_slice(bytes).map_err(|e| {
            Error::corrupt(dir.join("runs"), format!("internal error: sorted record unreadable: {e}"))
        })
    };
    if group.merged.is_none() {
        let first = parse(&group.json)?;
        group.lines.push(first.line);
        group.categories.extend(first.category.clone());
        group.merged = Some(first);
    }
    let other = parse(json)?;
    if group.lines.len() < MAX_CONFLICT_LINES {
        group.lines.push(other.line);
    }
    if let Some(c) = &other.category
        && !group.categories.contains(c)
    {
        group.categories.push(c.clone());
    }
    if let Some(acc) = group.merged.as_mut() {
        merge(acc, other);
    }
    Ok(())
}

/// Merge a later record with the same digests into `acc` (see the crate
/// docs: first record wins, names and tags are united, empty fields are
/// filled, other categories are noted).
pub(crate) fn merge(acc: &mut Record, other: Record) {
    acc.merged += 1 + other.merged;
    for name in other.name.into_iter().chain(other.other_names) {
        add_name(acc, name);
    }
    acc.names_omitted += other.names_omitted;
    match (&acc.category, other.category) {
        (None, Some(c)) => acc.category = Some(c),
        (Some(a), Some(c)) if *a != c && !acc.other_categories.contains(&c) => {
            acc.other_categories.push(c)
        }
        _ => {}
    }
    for c in other.other_categories {
        if acc.category.as_ref() != Some(&c) && !acc.other_categories.contains(&c) {
            acc.other_categories.push(c);
        }
    }
    fn fill<T>(a: &mut Option<T>, b: Option<T>) {
        if a.is_none() {
            *a = b;
        }
    }
    fill(&mut acc.series, other.series);
    fill(&mut acc.victim_identified, other.victim_identified);
    fill(&mut acc.offender_identified, other.offender_identified);
    fill(&mut acc.is_distributed, other.is_distributed);
    fill(&mut acc.is_precategorized, other.is_precategorized);
    fill(&mut acc.comments, other.comments);
    fill(&mut acc.photodna, other.photodna);
    fill(&mut acc.media_size, other.media_size);
    for tag in other.tags {
        if !acc.tags.contains(&tag) {
            acc.tags.push(tag);
        }
    }
    for (k, v) in other.extra {
        acc.extra.entry(k).or_insert(v);
    }
}

impl RecordSink for SetBuilder {
    fn push(&mut self, mut parsed: ParsedRecord) -> Result<()> {
        // A vPDQ frame list goes to the set's video table; a record with
        // nothing else (a vPDQ text file) ends there.
        if let Some(frames) = crate::vpdq::take_frames(&mut parsed.record) {
            let frames = frames.map_err(|reason| Error::Parse {
                path: self.source.clone(),
                line: parsed.record.line,
                reason,
            })?;
            self.vpdq.push(&parsed.record, frames)?;
            if !parsed.has_digest() {
                return Ok(());
            }
        }
        if !parsed.has_digest() {
            return Err(Error::Parse {
                path: self.source.clone(),
                line: parsed.record.line,
                reason: "record without a digest".into(),
            });
        }
        let key = record_key(parsed.md5.as_ref(), parsed.sha1.as_ref(), parsed.sha256.as_ref());
        self.kinds[0] += u64::from(parsed.md5.is_some());
        self.kinds[1] += u64::from(parsed.sha1.is_some());
        self.kinds[2] += u64::from(parsed.sha256.is_some());
        self.json.clear();
        serde_json::to_writer(&mut self.json, &parsed.record)
            .map_err(|e| Error::io(&self.dir, io::Error::other(e)))?;
        self.sorter.push(key, self.seq, &self.json)?;
        self.seq += 1;
        self.progress.records.store(self.seq, Ordering::Relaxed);
        Ok(())
    }

    fn meta(&mut self, meta: SourceMeta) {
        let old = std::mem::take(&mut self.meta);
        self.meta = SourceMeta {
            variant: meta.variant.or(old.variant),
            profile: meta.profile.or(old.profile),
            title: meta.title.or(old.title),
        };
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

    /// The counters end at the source's size and record count, and an
    /// import without a counter imports the same set.
    #[test]
    fn progress_counts_bytes_and_records() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let list = dir.path().join("list.md5");
        let text: String = (0..5000u32).map(|i| format!("{:032x}  file{i}.jpg\n", u128::from(i) * 7 + 1)).collect();
        fs::write(&list, &text).map_err(|e| Error::io(&list, e))?;
        let lib = Library::open(&dir.path().join("lib"))?;
        let progress = Arc::new(ImportProgress::default());
        let opts = ImportOptions { name: "counted".into(), ..ImportOptions::default() };
        let (info, _) = lib.import_with_progress(&list, &opts, &progress)?;
        assert_eq!(info.record_count, 5000);
        assert_eq!(progress.source_bytes.load(Ordering::Relaxed), text.len() as u64);
        assert_eq!(progress.bytes_read.load(Ordering::Relaxed), text.len() as u64);
        assert_eq!(progress.records.load(Ordering::Relaxed), 5000);
        let plain = lib.import(&list, &ImportOptions { name: "plain".into(), ..ImportOptions::default() })?;
        assert_eq!((plain.record_count, plain.source_sha256), (info.record_count, info.source_sha256));
        Ok(())
    }
}
