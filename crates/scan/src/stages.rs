//! The stages of one run, and the writer that records them.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, bounded};
use rayon::prelude::*;
use spoor_case::{Batch, Case, EvidenceItem, NewFile, NewHit, NewWarning, Recorded, RunHandle, utc};
use spoor_evidence::{Entry, EntryKind, Timestamp, display_path};
use spoor_hashset::{Matcher, SetKind};

use crate::progress::{Counters, Progress, Stage};
use crate::{PdqSettings, ScanOptions};

/// One entry to process, with the evidence item it belongs to.
struct Work {
    evidence_row: i64,
    /// The evidence root, canonicalised, to tell links that leave it.
    root: PathBuf,
    entry: Entry,
}

/// What reading a listed file gave.
struct Read {
    digest: spoor_digest::FileDigest,
    /// Whether `O_NOATIME` was granted.
    noatime: bool,
    /// The size listed (or, for a file replaced since, the size found).
    expected: u64,
    /// Whether there was more than `expected` bytes: only those were read.
    grew: bool,
}

enum Msg {
    File(Box<NewFile>),
    Warning(NewWarning),
}

pub(crate) struct Pipeline<'a> {
    pub items: &'a [EvidenceItem],
    pub matcher: &'a Matcher,
    pub handle: &'a RunHandle,
    pub recorded: &'a Recorded,
    pub opts: &'a ScanOptions,
    pub pdq: PdqSettings,
    /// The run's video options (a resumed run's recorded ones).
    pub video: &'a crate::VideoOptions,
    pub cancel: &'a AtomicBool,
    pub counters: &'a Counters,
    pub progress: &'a dyn Progress,
    pub budget: DecodeBudget,
}

impl Pipeline<'_> {
    /// Runs the stages and records their output; returns when every result
    /// is committed, the scan was cancelled, or writing failed.
    pub fn run(&self, case: &mut Case) -> spoor_case::Result<()> {
        let started = Instant::now();
        // Case row of each loaded set, by its library id: the run's record
        // and the matcher agree on ids whatever order either lists them in.
        let rows_by_set: Vec<i64> = self
            .matcher
            .sets()
            .iter()
            .map(|s| {
                self.handle
                    .hashset_uids
                    .iter()
                    .position(|u| *u == s.id)
                    .map(|i| self.handle.hashset_rows[i])
                    .ok_or_else(|| spoor_case::Error::Internal(format!("hash set {} is not recorded for this run", s.id)))
            })
            .collect::<spoor_case::Result<_>>()?;

        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.opts.jobs.unwrap_or(0))
            .thread_name(|i| format!("spoor-digest-{i}"))
            .build()
            .map_err(|e| spoor_case::Error::Internal(format!("worker threads: {e}")))?;

        let (tx, rx) = bounded::<Msg>(4096);
        let (done_tx, done_rx) = bounded::<()>(1);
        // Videos go to worker processes on threads of their own, so the
        // digest pool keeps reading pictures meanwhile (crate::video).
        let scratch = tempfile::Builder::new()
            .prefix("spoor-video-")
            .tempdir()
            .map_err(|e| spoor_case::Error::Internal(format!("a temporary folder for contact sheets: {e}")))?;
        let (video_workers, video_threads) = crate::video::plan(self.video, self.opts.jobs);
        let videos = crate::video::Stage {
            opts: self.video,
            matcher: self.matcher,
            rows_by_set: &rows_by_set,
            cancel: self.cancel,
            counters: self.counters,
            scratch: scratch.path(),
            worker: self.video.worker_path(),
            threads: video_threads,
            next_sheet: Default::default(),
            pdq: self.pdq,
        };
        let (video_tx, video_rx) = crossbeam_channel::unbounded::<crate::video::Job>();
        std::thread::scope(|s| {
            let writer = s.spawn(|| self.write(case, rx));
            // Before the first tick, which would otherwise show the default.
            self.counters.set_stage(Stage::Walking);
            let ticker = s.spawn(|| loop {
                self.progress.update(&self.counters.snapshot_at(started));
                match done_rx.recv_timeout(Duration::from_millis(200)) {
                    Err(RecvTimeoutError::Timeout) => continue,
                    _ => break,
                }
            });
            let (work, walk_warnings) = self.walk();
            for w in walk_warnings {
                let _ = tx.send(Msg::Warning(w));
            }
            self.counters.set_stage(Stage::Hashing);
            let video_threads: Vec<_> = (0..video_workers)
                .map(|i| {
                    let (jobs, tx, videos) = (video_rx.clone(), tx.clone(), &videos);
                    std::thread::Builder::new()
                        .name(format!("spoor-video-{i}"))
                        .spawn_scoped(s, move || videos.serve(jobs, &|f| tx.send(Msg::File(Box::new(f))).is_ok()))
                })
                .collect();
            drop(video_rx);
            pool.install(|| {
                work.par_iter().for_each_with((tx.clone(), video_tx.clone()), |(tx, video_tx), w| {
                    if self.cancel.load(Ordering::Relaxed) {
                        return;
                    }
                    let file = catch_unwind(AssertUnwindSafe(|| self.process(w, &rows_by_set)))
                        .unwrap_or_else(|panic| Some(self.panicked(w, panic)));
                    if let Some(file) = file {
                        if videos.wants(&file) {
                            let _ = video_tx.send(crate::video::Job { file, path: w.entry.abs_path.clone() });
                        } else {
                            let _ = tx.send(Msg::File(Box::new(file)));
                        }
                    }
                });
            });
            drop(video_tx);
            for t in video_threads.into_iter().flatten() {
                let _ = t.join();
            }
            drop(tx);
            let written = writer.join().unwrap_or_else(|_| Err(spoor_case::Error::Internal("the writer thread panicked".into())));
            let _ = done_tx.send(());
            let _ = ticker.join();
            self.progress.update(&self.counters.snapshot_at(started));
            written
        })
    }

    /// Lists every entry of every evidence item (lstat only), leaving out
    /// what this run already recorded.
    fn walk(&self) -> (Vec<Work>, Vec<NewWarning>) {
        let mut work = Vec::new();
        let mut warnings = Vec::new();
        for item in self.items {
            let root_path = Path::new(OsStr::from_bytes(&item.source_path));
            let root = std::fs::canonicalize(root_path).unwrap_or_else(|_| root_path.to_path_buf());
            for found in spoor_evidence::walk(root_path) {
                if self.cancel.load(Ordering::Relaxed) {
                    return (work, warnings);
                }
                match found {
                    Ok(entry) => {
                        if self.recorded.files.contains(&(item.row_id, entry.rel_path.clone())) {
                            self.counters.resumed_files.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                        self.counters.files_total.fetch_add(1, Ordering::Relaxed);
                        if entry.kind == EntryKind::File {
                            self.counters.bytes_total.fetch_add(entry.size, Ordering::Relaxed);
                        }
                        work.push(Work { evidence_row: item.row_id, root: root.clone(), entry });
                    }
                    Err(err) => {
                        let w = NewWarning {
                            evidence_row: item.row_id,
                            path_display: display_path(&err.rel_path),
                            path: err.rel_path,
                            stage: "walk".into(),
                            reason: err.reason,
                        };
                        if !self.recorded.warnings.contains(&w) {
                            self.counters.warnings.fetch_add(1, Ordering::Relaxed);
                            warnings.push(w);
                        }
                    }
                }
            }
        }
        (work, warnings)
    }

    /// Reads, digests, sniffs and matches one entry. `None` when the scan
    /// was cancelled during the read (the file is left for the resume).
    fn process(&self, w: &Work, rows_by_set: &[i64]) -> Option<NewFile> {
        let e = &w.entry;
        let mut f = base_record(w);
        match e.kind {
            EntryKind::File => {
                match self.read_listed(&mut f, &e.abs_path, e) {
                    Err(spoor_digest::Error::Cancelled { .. }) => return None,
                    // Replaced by something that is not a regular file: said by read_listed.
                    Ok(None) => {}
                    Err(spoor_digest::Error::Io { source, .. }) => {
                        f.status = "error".into();
                        let reason = match source.raw_os_error() {
                            Some(libc::ELOOP) => "replaced by a symbolic link during the scan: not followed".to_string(),
                            _ => format!("cannot be read: {}", spoor_evidence::io_reason(&source)),
                        };
                        warn(&mut f, "read", reason);
                    }
                    Ok(Some(Read { digest: d, noatime, expected, grew })) => {
                        if grew {
                            // Reading on would chase a writer, or never end
                            // (a file that grows for ever).
                            warn(
                                &mut f,
                                "read",
                                format!("changed size during the scan: grew past the {expected} bytes it had when listed; the digests are of those first {expected} bytes"),
                            );
                        } else if d.size != expected {
                            warn(
                                &mut f,
                                "read",
                                format!("changed size during the scan: {expected} bytes when listed, {} bytes read; the digests are of the bytes read", d.size),
                            );
                        }
                        f.size = d.size;
                        f.noatime = noatime;
                        f.status = "hashed".into();
                        f.md5 = Some(d.digests.md5_hex());
                        f.sha1 = Some(d.digests.sha1_hex());
                        f.sha256 = Some(d.digests.sha256_hex());
                        let ft = spoor_digest::sniff(&d.head, d.size);
                        f.ext_mismatch = spoor_digest::extension_mismatch(&ft, spoor_evidence::extension(&e.rel_path).as_deref());
                        f.file_type = Some(ft.mime);
                        f.type_class = Some(ft.class);
                        self.match_exact(&mut f, &d.digests, rows_by_set);
                        // Known-good files skip the later stages. A panic in
                        // the decode stage costs the fingerprint, not the
                        // digests already taken.
                        if !f.known_good && f.type_class.as_deref() == Some("image")
                            && let Err(panic) = catch_unwind(AssertUnwindSafe(|| self.fingerprint(&mut f, &e.abs_path, rows_by_set)))
                        {
                            f.picture = None;
                            f.hits.retain(|h| h.method != "pdq");
                            let reason = format!("picture decoding panicked (caught; the scan went on): {}", panic_text(panic.as_ref()));
                            warn(&mut f, "decode", reason);
                        }
                    }
                }
            }
            EntryKind::Symlink => {
                if let Some(reason) = link_warning(&e.abs_path, &w.root, e.link_target.as_deref().unwrap_or_default()) {
                    warn(&mut f, "walk", reason);
                }
            }
            EntryKind::Fifo | EntryKind::Socket | EntryKind::BlockDevice | EntryKind::CharDevice => {
                let what = match e.kind {
                    EntryKind::Fifo => "FIFO (named pipe)",
                    EntryKind::Socket => "socket",
                    EntryKind::BlockDevice => "block device",
                    _ => "character device",
                };
                warn(&mut f, "walk", format!("{what}: recorded, not opened or read (reading could block or change it)"));
            }
            EntryKind::Dir => {}
        }
        self.counters.files_done.fetch_add(1, Ordering::Relaxed);
        self.counters.warnings.fetch_add(f.warnings.len() as u64, Ordering::Relaxed);
        self.counters.hits.fetch_add(f.hits.len() as u64, Ordering::Relaxed);
        if f.known_good {
            self.counters.known_good.fetch_add(1, Ordering::Relaxed);
        }
        Some(f)
    }

    /// Decodes a picture (capped, panic-safe), records its PDQ fingerprint
    /// of the stored pixels and matches it against the PDQ sets. A picture
    /// that cannot be decoded is a warning with the decoder's reason.
    fn fingerprint(&self, f: &mut NewFile, path: &Path, rows_by_set: &[i64]) {
        injected_fault(&f.path);
        if f.size > self.opts.max_picture_bytes {
            let reason = format!("picture of {} bytes is over the decoding cap of {} bytes: not fingerprinted", f.size, self.opts.max_picture_bytes);
            warn(f, "decode", reason);
            return;
        }
        let bytes = match read_capped(path, self.opts.max_picture_bytes) {
            Ok(b) => b,
            Err(e) => {
                warn(f, "decode", format!("cannot be read again for decoding: {}", spoor_evidence::io_reason(&e)));
                return;
            }
        };
        // Metadata of the same bytes, whether or not the pixels decode.
        let meta = crate::metadata::from_picture(&bytes, f.file_type.as_deref().unwrap_or_default());
        for reason in meta.warnings {
            warn(f, crate::metadata::STAGE, reason);
        }
        f.metadata = Some(meta.record);
        // Wait until this picture's estimated peak fits in the budget the
        // workers share: N workers never decode N worst-case pictures at once.
        let _reserved = self.budget.reserve(decode_estimate(&bytes));
        match spoor_pdq::decode::fingerprint_file_bytes(&bytes, &self.opts.decode_limits) {
            Ok((pdq, variants, info)) => {
                f.picture = Some(spoor_case::Picture {
                    format: info.format.to_string(),
                    width: info.width,
                    height: info.height,
                    frames: info.frames,
                    orientation: info.orientation,
                    pdq: pdq.hash.to_string(),
                    pdq_quality: pdq.quality,
                    // The seven others, kept so triage can compare a rotated
                    // or mirrored copy without the pixels (`pdq_variants`).
                    variants: variants
                        .iter()
                        .filter(|(d, _)| *d != spoor_pdq::Dihedral::Original)
                        .map(|(d, h)| spoor_case::PdqVariant { variant: d.as_str().to_string(), pdq: h.to_string() })
                        .collect(),
                });
                self.match_pdq(f, &variants, rows_by_set);
            }
            Err(err) => {
                let reason = match &err {
                    spoor_pdq::decode::DecodeError::UnknownFormat | spoor_pdq::decode::DecodeError::UnsupportedFormat(_) => format!(
                        "picture type {} cannot be decoded by Spoor: not fingerprinted",
                        f.file_type.as_deref().unwrap_or("?")
                    ),
                    other => format!("picture cannot be decoded ({}): {other}", other.code()),
                };
                warn(f, "decode", reason);
            }
        }
    }

    /// PDQ lookups: a picture of at least the minimum quality is compared,
    /// through its eight dihedral variants, with every PDQ set; each record
    /// of an alert set within the distance is a hit (method `pdq`, the
    /// distance, and in the stored record a `match` object naming the
    /// variant and the hashes compared). Known-good stays for exact digests
    /// only: a near match in an ignore set never sets a picture aside, so
    /// ignore PDQ sets are not searched.
    fn match_pdq(&self, f: &mut NewFile, variants: &spoor_pdq::DihedralHashes, rows_by_set: &[i64]) {
        if !self.matcher.has_pdq() || variants.quality < u32::from(self.pdq.min_quality) {
            return;
        }
        let matches = match self.matcher.pdq_lookup(variants, self.pdq.max_distance, self.pdq.min_quality) {
            Ok(m) => m,
            Err(err) => {
                warn(f, "match", format!("PDQ lookup failed: {err}"));
                return;
            }
        };
        let sets = self.matcher.sets();
        for m in matches {
            if sets[m.set].kind != SetKind::Alert {
                continue;
            }
            let mut record = serde_json::to_value(&m.record).unwrap_or_default();
            if let Some(obj) = record.as_object_mut() {
                obj.insert(
                    "match".into(),
                    serde_json::json!({
                        "variant": m.variant.as_str(),
                        "distance": m.distance,
                        "picture_hash": variants.get(m.variant).to_string(),
                    }),
                );
            }
            f.hits.push(NewHit {
                hashset_row: rows_by_set[m.set],
                method: "pdq".into(),
                distance: Some(m.distance),
                category: m.record.category.clone(),
                record,
            });
        }
    }

    /// Exact lookups: alert sets give hits; an ignore set marks the file
    /// known-good, unless an alert set lists it too (then the hit stands and
    /// the conflict is a warning: known-bad is never set aside).
    fn match_exact(&self, f: &mut NewFile, d: &spoor_digest::Digests, rows_by_set: &[i64]) {
        let matches = match self.matcher.lookup(&d.md5, &d.sha1, &d.sha256) {
            Ok(m) => m,
            Err(err) => {
                warn(f, "match", format!("hash-set lookup failed: {err}"));
                return;
            }
        };
        let sets = self.matcher.sets();
        let mut ignore_by: Vec<usize> = Vec::new();
        for m in matches {
            let set = &sets[m.set];
            match set.kind {
                SetKind::Ignore => ignore_by.push(m.set),
                SetKind::Alert => f.hits.push(NewHit {
                    hashset_row: rows_by_set[m.set],
                    method: m.method.to_string(),
                    distance: None,
                    category: m.record.category.clone(),
                    record: serde_json::to_value(&m.record).unwrap_or_default(),
                }),
            }
        }
        if let Some(&first) = ignore_by.first() {
            if f.hits.is_empty() {
                f.known_good = true;
                f.known_good_set = Some(rows_by_set[first]);
            } else {
                let reason = format!(
                    "listed as known-good by {:?} and as known material by {} alert set(s): kept as a hit, not set aside",
                    sets[first].name,
                    f.hits.len()
                );
                warn(f, "match", reason);
            }
        }
    }

    /// Opens a listed regular file (read-only, no links followed, no
    /// blocking), checks it is still the file the walk listed, and digests
    /// it. A file replaced by another regular file is read, with a warning
    /// and the stat fields of the file read; one replaced by anything else
    /// (a FIFO, a device) is not read at all.
    fn read_listed(&self, f: &mut NewFile, path: &Path, e: &Entry) -> spoor_digest::Result<Option<Read>> {
        let io = |source| spoor_digest::Error::Io { path: path.to_path_buf(), source };
        let (file, noatime) = spoor_evidence::open_read_only(path).map_err(io)?;
        let md = file.metadata().map_err(io)?;
        let mut expected = e.size;
        if !spoor_evidence::same_file(&file, e).map_err(io)? {
            use std::os::unix::fs::{FileTypeExt, MetadataExt};
            let ft = md.file_type();
            if !md.is_file() {
                let what = if ft.is_fifo() {
                    "a FIFO"
                } else if ft.is_char_device() {
                    "a character device"
                } else if ft.is_block_device() {
                    "a block device"
                } else if ft.is_socket() {
                    "a socket"
                } else {
                    "something that is not a regular file"
                };
                f.status = "error".into();
                warn(f, "read", format!("replaced by {what} during the scan: not read"));
                return Ok(None);
            }
            warn(
                f,
                "read",
                format!(
                    "replaced by another file during the scan (inode {} when listed, {} when read): the digests and times are of the file read",
                    e.inode,
                    md.ino()
                ),
            );
            expected = md.len();
            f.inode = md.ino();
            f.device = md.dev();
            f.mode = md.mode();
            f.mtime_utc = utc::from_unix(md.mtime(), md.mtime_nsec() as u32);
            f.atime_utc = utc::from_unix(md.atime(), md.atime_nsec() as u32);
            f.ctime_utc = utc::from_unix(md.ctime(), md.ctime_nsec() as u32);
            f.btime_utc = md.created().ok().and_then(|t| {
                let d = t.duration_since(std::time::UNIX_EPOCH).ok()?;
                utc::from_unix(d.as_secs() as i64, d.subsec_nanos())
            });
        }
        // At most the size listed: the digests are of the file as it was
        // listed, and a file that keeps growing cannot hold a worker.
        use std::io::Read as _;
        // Bytes count as they are read, so that the rate and the bar move
        // while one big file is being hashed, not only when it ends.
        let counted = CountedRead { inner: (&file).take(expected), bytes: &self.counters.bytes_done };
        match spoor_digest::digest_reader(counted, Some(self.cancel)) {
            Ok(digest) => {
                let grew = digest.size == expected && (&file).read(&mut [0u8; 1]).map_err(io)? > 0;
                Ok(Some(Read { digest, noatime, expected, grew }))
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Err(spoor_digest::Error::Cancelled { path: path.to_path_buf() }),
            Err(source) => Err(io(source)),
        }
    }

    fn panicked(&self, w: &Work, panic: Box<dyn std::any::Any + Send>) -> NewFile {
        let msg = panic_text(panic.as_ref());
        let mut f = base_record(w);
        f.status = "error".into();
        warn(&mut f, "read", format!("internal error while processing this file (caught; the scan went on): {msg}"));
        self.counters.files_done.fetch_add(1, Ordering::Relaxed);
        self.counters.warnings.fetch_add(1, Ordering::Relaxed);
        f
    }

    /// The one thread that writes the case: batches by count or time.
    fn write(&self, case: &mut Case, rx: Receiver<Msg>) -> spoor_case::Result<()> {
        let mut batch = Batch::default();
        let mut last = Instant::now();
        let mut failed: Option<spoor_case::Error> = None;
        loop {
            let msg = rx.recv_timeout(self.opts.batch_interval);
            let closed = matches!(msg, Err(RecvTimeoutError::Disconnected));
            if failed.is_none() {
                match msg {
                    Ok(Msg::File(f)) => batch.files.push(*f),
                    Ok(Msg::Warning(w)) => batch.warnings.push(w),
                    Err(_) => {}
                }
                let size = batch.files.len() + batch.warnings.len();
                if size > 0 && (closed || size >= self.opts.batch_files || last.elapsed() >= self.opts.batch_interval) {
                    if let Err(e) = case.write_batch(self.handle.run_id, &batch) {
                        // Stop the workers; drain what they still send.
                        self.cancel.store(true, Ordering::SeqCst);
                        failed = Some(e);
                    }
                    batch = Batch::default();
                    last = Instant::now();
                }
            }
            if closed {
                return failed.map_or(Ok(()), Err);
            }
        }
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// A test seam, in debug builds only: decoding a file whose path ends with
/// `$SPOOR_FAULT_PANIC_ON` panics, as a decoder bug would
/// (crates/cli/tests/hostile.rs proves the scan survives it).
fn injected_fault(path: &[u8]) {
    #[cfg(debug_assertions)]
    if let Some(suffix) = std::env::var_os("SPOOR_FAULT_PANIC_ON") {
        use std::os::unix::ffi::OsStrExt;
        if !suffix.is_empty() && path.ends_with(suffix.as_bytes()) {
            panic!("fault injected by SPOOR_FAULT_PANIC_ON");
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = path;
}

/// Memory that picture decodes may hold at once, shared by the workers:
/// each reserves its estimate before decoding and waits until it fits; a
/// picture whose estimate is larger than the whole budget decodes alone.
#[derive(Debug)]
pub(crate) struct DecodeBudget {
    total: u64,
    used: Mutex<u64>,
    freed: Condvar,
}

pub(crate) struct Reservation<'a> {
    budget: &'a DecodeBudget,
    amount: u64,
}

impl DecodeBudget {
    pub(crate) fn new(total: u64) -> DecodeBudget {
        DecodeBudget { total: total.max(1), used: Mutex::new(0), freed: Condvar::new() }
    }

    fn reserve(&self, want: u64) -> Reservation<'_> {
        let amount = want.min(self.total);
        let mut used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        // `amount <= total`, so it fits once nothing else is reserved.
        while *used + amount > self.total {
            used = self.freed.wait(used).unwrap_or_else(PoisonError::into_inner);
        }
        *used += amount;
        Reservation { budget: self, amount }
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        let mut used = self.budget.used.lock().unwrap_or_else(PoisonError::into_inner);
        *used -= self.amount;
        self.budget.freed.notify_all();
    }
}

/// The most decoding `bytes` may hold at once: the decoder's pixel buffer
/// (its size from the header alone), the RGB copy PDQ hashes, and the
/// file's bytes. A header that cannot be read costs the bytes only (the
/// decoder then refuses it before allocating).
fn decode_estimate(bytes: &[u8]) -> u64 {
    use image::ImageDecoder;
    let pixels = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|mut r| {
            r.no_limits();
            r.into_decoder().ok()
        })
        .map(|d| {
            let (w, h) = d.dimensions();
            d.total_bytes().saturating_add(u64::from(w) * u64::from(h) * 3)
        })
        .unwrap_or(0);
    pixels.saturating_add(bytes.len() as u64)
}

/// Reads at most `cap` bytes of an evidence file, read-only.
fn read_capped(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let (file, _) = spoor_evidence::open_read_only(path)?;
    let mut bytes = Vec::new();
    file.take(cap).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn warn(f: &mut NewFile, stage: &str, reason: String) {
    f.warnings.push(NewWarning {
        evidence_row: f.evidence_row,
        path: f.path.clone(),
        path_display: f.path_display.clone(),
        stage: stage.into(),
        reason,
    });
}

fn time(t: Option<Timestamp>) -> Option<String> {
    t.and_then(|t| utc::from_unix(t.secs, t.nanos))
}

fn base_record(w: &Work) -> NewFile {
    let e = &w.entry;
    NewFile {
        evidence_row: w.evidence_row,
        path: e.rel_path.clone(),
        path_display: display_path(&e.rel_path),
        kind: e.kind.as_str().into(),
        size: e.size,
        mtime_utc: time(e.mtime),
        atime_utc: time(e.atime),
        ctime_utc: time(e.ctime),
        btime_utc: time(e.btime),
        inode: e.inode,
        device: e.device,
        mode: e.mode,
        link_target: e.link_target.clone(),
        status: "not_read".into(),
        ..NewFile::default()
    }
}

/// Why a link deserves a note: it loops, dangles or leaves the evidence.
/// Resolving a link reads only link targets and directory entries, never a
/// file's content.
fn link_warning(link: &Path, root: &Path, target: &[u8]) -> Option<String> {
    let shown = display_path(target);
    match std::fs::canonicalize(link) {
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => Some(format!("symbolic link loop (-> {shown}): recorded, not followed")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Some(format!("dangling symbolic link (-> {shown}, which does not exist): recorded, not followed"))
        }
        Err(e) => Some(format!("symbolic link (-> {shown}) cannot be resolved: {}", spoor_evidence::io_reason(&e))),
        Ok(resolved) if !resolved.starts_with(root) => {
            Some(format!("symbolic link points outside the evidence (-> {shown}): recorded, not followed"))
        }
        Ok(_) => None,
    }
}

/// Adds what passes through to a progress counter.
struct CountedRead<'a, R> {
    inner: R,
    bytes: &'a std::sync::atomic::AtomicU64,
}

impl<R: std::io::Read> std::io::Read for CountedRead<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod counted_tests {
    use std::io::Read;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// The counter moves with every read, before the file ends: a 3 MiB
    /// file read in 1 MiB chunks shows 1, 2, then 3 MiB.
    #[test]
    fn counted_read_moves_while_reading() {
        let data = vec![7u8; 3 << 20];
        let bytes = AtomicU64::new(0);
        let mut r = super::CountedRead { inner: &data[..], bytes: &bytes };
        let mut buf = vec![0u8; 1 << 20];
        let mut seen = Vec::new();
        loop {
            let n = r.read(&mut buf).unwrap_or(0);
            if n == 0 {
                break;
            }
            seen.push(bytes.load(Ordering::Relaxed));
        }
        assert_eq!(seen, vec![1 << 20, 2 << 20, 3 << 20]);
    }
}
