//! The video stage: every file sniffed as video (by content) is
//! fingerprinted in a `spoor-video-worker` child process, its frames
//! matched against the known videos (vPDQ), and the result recorded with
//! the file.
//!
//! Isolation: FFmpeg runs only in the worker, so a crash inside a decoder
//! (a signal) or a hang costs that one file, recorded as a warning with the
//! reason, and the scan goes on. The worker caps its own address space
//! (`RLIMIT_AS`, [`VideoOptions::max_memory`]) and its decoding time; the
//! scan kills it when it outlives a wall-clock cap that grows with the
//! duration the file declares ([`VideoOptions::secs_per_video_sec`]), within
//! a hard cap ([`VideoOptions::max_secs`]). Up to [`VideoOptions::workers`]
//! workers run at once, on threads of their own, so pictures keep flowing
//! through the digest pool meanwhile.
//!
//! A video that cannot be fingerprinted (damaged, truncated, no video
//! stream, over a cap, crashed, killed) records no frames, only a warning:
//! partial results would depend on the machine's speed, and the same
//! evidence must give the same content digest.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use spoor_case::{ContactSheet, NewFile, NewHit, NewVideo, VideoFrame, VideoMatch};
use spoor_hashset::{FingerprintKind, Matcher, SetKind};
use spoor_pdq::DihedralHashes;
use spoor_video::worker::WorkerLine;
use spoor_video::{MatchSettings, SheetLayout, VideoSettings};

use crate::progress::Counters;

/// The environment variable that names the worker binary (tests, packaging);
/// [`VideoOptions::worker`] wins over it.
pub const WORKER_ENV: &str = "SPOOR_VIDEO_WORKER";
/// The worker's file name, looked for next to the running executable.
pub const WORKER_NAME: &str = "spoor-video-worker";

/// How videos are fingerprinted, bounded and matched.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoOptions {
    /// Fingerprint videos at all.
    pub enabled: bool,
    /// Frames hashed per second of presentation time (vPDQ: 1).
    pub fps: f64,
    /// The contact sheet's grid; `None` for no sheet.
    pub contact_sheet: Option<SheetLayout>,
    /// Pixels per frame beyond which a video is refused.
    pub max_pixels: u64,
    /// Decoded frames beyond which a video is given up (an endless stream).
    pub max_frames: u64,
    /// Wall-clock seconds a worker gets to open a file, and on top of the
    /// time its duration earns.
    pub base_secs: u64,
    /// Wall-clock seconds a worker gets per second of declared duration.
    pub secs_per_video_sec: f64,
    /// Hard wall-clock cap per video, whatever it declares.
    pub max_secs: u64,
    /// Address-space cap of a worker, bytes.
    pub max_memory: u64,
    /// Workers at once; `None` = the scan's `jobs` (all cores).
    pub workers: Option<usize>,
    /// FFmpeg decoding threads per worker; 0 = one per core (several
    /// workers share them; a last long video gets them all).
    pub threads: usize,
    /// The worker binary; `None` = `$SPOOR_VIDEO_WORKER`, else
    /// `spoor-video-worker` next to the running executable.
    pub worker: Option<PathBuf>,
    /// The vPDQ matching rule.
    pub matching: MatchSettings,
}

impl Default for VideoOptions {
    fn default() -> Self {
        VideoOptions {
            enabled: true,
            fps: 1.0,
            contact_sheet: Some(SheetLayout::default()),
            max_pixels: VideoSettings::DEFAULT_MAX_PIXELS,
            max_frames: VideoSettings::DEFAULT_MAX_FRAMES,
            base_secs: 60,
            secs_per_video_sec: 4.0,
            max_secs: VideoSettings::DEFAULT_MAX_DECODE_SECS,
            max_memory: 4 << 30,
            workers: None,
            threads: 0,
            worker: None,
            matching: MatchSettings::default(),
        }
    }
}

impl VideoOptions {
    /// The run-settings entries (`video_*`, `vpdq_*`) these options record.
    pub fn settings(&self) -> serde_json::Map<String, serde_json::Value> {
        let json = serde_json::json!({
            "video_enabled": self.enabled,
            "video_fps": self.fps,
            "video_contact_sheet": self.contact_sheet,
            "video_max_pixels": self.max_pixels,
            "video_max_frames": self.max_frames,
            "video_base_secs": self.base_secs,
            "video_secs_per_video_sec": self.secs_per_video_sec,
            "video_max_secs": self.max_secs,
            "video_max_memory": self.max_memory,
            "video_workers": self.workers,
            "vpdq_max_distance": self.matching.max_distance,
            "vpdq_min_quality": self.matching.min_quality,
            "vpdq_query_match_percent": self.matching.query_match_threshold,
            "vpdq_known_match_percent": self.matching.known_match_threshold,
        });
        match json {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        }
    }

    /// A resumed run keeps the sampling and matching settings it started
    /// with (they decide what it finds); the caps are this invocation's.
    pub(crate) fn resumed(&self, recorded: &serde_json::Value) -> VideoOptions {
        let mut o = self.clone();
        let get = |k: &str| recorded.get(k).filter(|v| !v.is_null());
        if let Some(v) = get("video_enabled").and_then(|v| v.as_bool()) {
            o.enabled = v;
        }
        if let Some(v) = get("video_fps").and_then(|v| v.as_f64()) {
            o.fps = v;
        }
        if let Some(v) = recorded.get("video_contact_sheet") {
            o.contact_sheet = serde_json::from_value(v.clone()).unwrap_or(o.contact_sheet);
        }
        if let Some(v) = get("video_max_pixels").and_then(|v| v.as_u64()) {
            o.max_pixels = v;
        }
        if let Some(v) = get("video_max_frames").and_then(|v| v.as_u64()) {
            o.max_frames = v;
        }
        if let Some(v) = get("vpdq_max_distance").and_then(|v| v.as_u64()) {
            o.matching.max_distance = v as u32;
        }
        if let Some(v) = get("vpdq_min_quality").and_then(|v| v.as_u64()) {
            o.matching.min_quality = v as u32;
        }
        if let Some(v) = get("vpdq_query_match_percent").and_then(|v| v.as_f64()) {
            o.matching.query_match_threshold = v;
        }
        if let Some(v) = get("vpdq_known_match_percent").and_then(|v| v.as_f64()) {
            o.matching.known_match_threshold = v;
        }
        o
    }

    /// What the worker is told: the sampling and the caps it enforces
    /// itself (its own time cap is the hard cap; the scan's proportional
    /// one is enforced from outside).
    fn worker_settings(&self, threads: usize, dihedral: bool) -> VideoSettings {
        VideoSettings {
            fps: self.fps,
            downsample: None,
            max_decode_secs: self.max_secs,
            max_frames: self.max_frames,
            max_pixels: self.max_pixels,
            contact_sheet: self.contact_sheet,
            threads,
            skip_nonref: true,
            dihedral,
        }
    }

    /// The sampling settings a video row records (what its frames depend
    /// on; not the caps, which only decide whether there are frames).
    fn recorded_settings(&self) -> serde_json::Value {
        serde_json::json!({ "fps": self.fps, "contact_sheet": self.contact_sheet, "swscale": "bitexact", "pdq": "full resolution" })
    }

    /// The worker binary to run.
    pub fn worker_path(&self) -> PathBuf {
        if let Some(p) = &self.worker {
            return p.clone();
        }
        if let Some(p) = std::env::var_os(WORKER_ENV).filter(|p| !p.is_empty()) {
            return PathBuf::from(p);
        }
        std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join(WORKER_NAME)))
            .unwrap_or_else(|| PathBuf::from(WORKER_NAME))
    }
}

/// A video waiting for a worker: its record so far and where to read it.
pub(crate) struct Job {
    pub file: NewFile,
    pub path: PathBuf,
}

/// The video stage of one run.
pub(crate) struct Stage<'a> {
    pub opts: &'a VideoOptions,
    pub matcher: &'a Matcher,
    pub rows_by_set: &'a [i64],
    pub cancel: &'a AtomicBool,
    pub counters: &'a Counters,
    /// Where contact sheets are written by the workers (a private temp
    /// folder, never beside the evidence).
    pub scratch: &'a Path,
    pub worker: PathBuf,
    pub threads: usize,
    pub next_sheet: AtomicU64,
    /// The run's PDQ thresholds: frames are matched against picture sets
    /// as pictures are.
    pub pdq: crate::PdqSettings,
}

/// How many workers, and FFmpeg threads each, for `jobs` (None: all cores).
pub(crate) fn plan(opts: &VideoOptions, jobs: Option<usize>) -> (usize, usize) {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let workers = opts.workers.or(jobs).filter(|n| *n > 0).unwrap_or(cores).max(1);
    // Every decoder may use every core: while several run they share them,
    // and the last long video of a folder still gets them all.
    let threads = if opts.threads > 0 { opts.threads } else { cores };
    (workers, threads)
}

impl Stage<'_> {
    /// Whether this record goes to the video stage.
    pub(crate) fn wants(&self, f: &NewFile) -> bool {
        self.opts.enabled && !f.known_good && f.status == "hashed" && f.type_class.as_deref() == Some("video")
    }

    /// Fingerprints the videos of `jobs` one after the other, sending each
    /// finished record to `done`. Returns when `jobs` is closed.
    pub(crate) fn serve(&self, jobs: Receiver<Job>, done: &dyn Fn(NewFile) -> bool) {
        for mut job in jobs {
            if self.cancel.load(Ordering::Relaxed) {
                // Left for the resume: never recorded half done.
                continue;
            }
            let before = (job.file.hits.len(), job.file.warnings.len());
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.fingerprint(&job.path, &mut job.file)));
            match outcome {
                Ok(Outcome::Cancelled) => continue,
                Ok(Outcome::Done) => {}
                Err(_) => {
                    job.file.video = None;
                    warn(&mut job.file, "internal error in the video stage (caught; the scan went on): not fingerprinted".into());
                }
            }
            self.counters.hits.fetch_add(job.file.hits.len().saturating_sub(before.0) as u64, Ordering::Relaxed);
            self.counters.warnings.fetch_add(job.file.warnings.len().saturating_sub(before.1) as u64, Ordering::Relaxed);
            if !done(job.file) {
                return;
            }
        }
    }

    fn fingerprint(&self, path: &Path, f: &mut NewFile) -> Outcome {
        if f.ext_mismatch {
            let ext = spoor_evidence::extension(&f.path).unwrap_or_default();
            warn(
                f,
                format!(
                    "the extension .{ext} does not fit the content ({}): fingerprinted as a video by its content",
                    f.file_type.as_deref().unwrap_or("video")
                ),
            );
        }
        let sheet = self.scratch.join(format!("sheet-{}.jpg", self.next_sheet.fetch_add(1, Ordering::Relaxed)));
        let result = self.run_worker(path, &sheet);
        let outcome = match result {
            Err(Failure::Refused { code, message }) => {
                // The worker names the file; the warning row already does.
                let prefix = format!("{}: ", path.display());
                let message = message.strip_prefix(&prefix).unwrap_or(&message).to_string();
                warn(f, Failure::Refused { code, message }.reason(self.opts));
                Outcome::Done
            }
            Err(Failure::Cancelled) => Outcome::Cancelled,
            Err(failure) => {
                warn(f, failure.reason(self.opts));
                Outcome::Done
            }
            Ok(run) => {
                self.record(f, run, &sheet);
                Outcome::Done
            }
        };
        let _ = std::fs::remove_file(&sheet);
        outcome
    }

    /// Runs one worker to its end, within the caps.
    fn run_worker(&self, path: &Path, sheet: &Path) -> Result<WorkerRun, Failure> {
        let settings =
            serde_json::to_string(&self.opts.worker_settings(self.threads, self.matches_pictures())).map_err(|e| Failure::Spawn(e.to_string()))?;
        let mut cmd = Command::new(&self.worker);
        // Its own process group: a Ctrl-C at the terminal is the scan's to
        // handle (it cancels and stops the workers), not a crash of each.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        cmd.arg("--settings").arg(settings).arg("--max-memory").arg(self.opts.max_memory.to_string());
        if self.opts.contact_sheet.is_some() {
            cmd.arg("--sheet").arg(sheet);
        }
        cmd.arg("--").arg(path).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
        let started = Instant::now();
        let mut child = cmd.spawn().map_err(|e| Failure::Spawn(format!("{}: {}", self.worker.display(), spoor_evidence::io_reason(&e))))?;
        let Some(stdout) = child.stdout.take() else {
            kill(&mut child);
            return Err(Failure::Spawn("no output pipe".into()));
        };
        let (tx, rx) = crossbeam_channel::bounded::<std::io::Result<String>>(256);
        let reader = std::thread::spawn(move || read_lines(stdout, tx));
        let mut run = WorkerRun::default();
        let mut cap = self.opts.base_secs.min(self.opts.max_secs) as f64;
        let mut last: Option<WorkerLine> = None;
        let failure = loop {
            if self.cancel.load(Ordering::Relaxed) {
                break Some(Failure::Cancelled);
            }
            let elapsed = started.elapsed().as_secs_f64();
            if elapsed >= cap {
                break Some(Failure::TimedOut { cap_secs: cap, duration: run.info.as_ref().and_then(|i| i.duration_secs) });
            }
            let wait = Duration::from_secs_f64((cap - elapsed).clamp(0.001, 0.1));
            match rx.recv_timeout(wait) {
                Ok(Ok(text)) => match serde_json::from_str::<WorkerLine>(&text) {
                    Ok(WorkerLine::Info(info)) => {
                        // The cap grows with the declared duration, within
                        // the hard cap; no duration: the hard cap.
                        cap = match info.duration_secs.filter(|d| d.is_finite() && *d >= 0.0) {
                            Some(d) => (self.opts.base_secs as f64 + self.opts.secs_per_video_sec * d).min(self.opts.max_secs as f64),
                            None => self.opts.max_secs as f64,
                        };
                        run.info = Some(*info);
                    }
                    Ok(WorkerLine::Frame(line)) => {
                        run.variants.push(line.variants());
                        run.frames.push(line.frame);
                    }
                    Ok(line @ (WorkerLine::Done(_) | WorkerLine::Error { .. })) => last = Some(line),
                    Err(e) => break Some(Failure::Protocol(format!("unreadable output line: {e}"))),
                },
                Ok(Err(e)) => break Some(Failure::Protocol(format!("reading its output: {e}"))),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break None,
            }
        };
        if let Some(failure) = failure {
            kill(&mut child);
            let _ = reader.join();
            return Err(failure);
        }
        let _ = reader.join();
        let status = match child.wait() {
            Ok(s) => s,
            Err(e) => return Err(Failure::Protocol(format!("waiting for it: {e}"))),
        };
        match (last, status.signal(), status.code()) {
            (Some(WorkerLine::Done(done)), None, Some(0)) => {
                run.done = Some(*done);
                Ok(run)
            }
            (Some(WorkerLine::Error { code, message }), None, _) => Err(Failure::Refused { code, message }),
            (_, Some(signal), _) => Err(Failure::Crashed { signal, frames: run.frames.len() }),
            (_, None, code) => Err(Failure::Exited { code }),
        }
    }

    /// Records a fingerprinted video and its vPDQ hits.
    fn record(&self, f: &mut NewFile, run: WorkerRun, sheet_path: &Path) {
        let (Some(info), Some(done)) = (run.info.or_else(|| run.done.as_ref().map(|d| d.info.clone())), run.done) else {
            return;
        };
        for w in &done.warnings {
            warn(f, format!("{} ({}): the frames decoded before it are fingerprinted", w.message, w.code));
        }
        let contact_sheet = match (&done.sheet, self.opts.contact_sheet) {
            (Some(s), Some(layout)) => match std::fs::read(sheet_path) {
                Ok(image) => {
                    let (cols, rows) = (layout.cols.clamp(1, 16), layout.rows.clamp(1, 16));
                    Some(ContactSheet {
                        mime: s.mime.clone(),
                        width: s.width,
                        height: s.height,
                        cols,
                        rows,
                        tile_width: s.width / cols,
                        tile_height: s.height / rows,
                        tiles: s.tiles.clone(),
                        sha256: String::new(),
                        image,
                    })
                }
                Err(e) => {
                    warn(f, format!("the contact sheet cannot be read back: {}", spoor_evidence::io_reason(&e)));
                    None
                }
            },
            _ => None,
        };
        let mut video = NewVideo {
            container: info.container.clone(),
            codec: info.codec.clone(),
            width: info.width,
            height: info.height,
            duration_secs: info.duration_secs,
            frame_rate: info.frame_rate,
            declared_frames: info.declared_frames,
            frames_decoded: done.frames_decoded,
            rotation: info.rotation,
            has_audio: info.has_audio,
            creation_time: info.creation_time.clone(),
            metadata: serde_json::to_value(&info.metadata).unwrap_or_default(),
            settings: self.opts.recorded_settings(),
            frames: run
                .frames
                .iter()
                .map(|fr| VideoFrame { frame_number: fr.frame_number, timestamp: fr.timestamp, pdq: fr.hash.to_string(), quality: fr.quality })
                .collect(),
            contact_sheet,
            hit_details: Vec::new(),
        };
        if run.frames.is_empty() {
            warn(f, "the video decoded to frames but none was sampled: no vPDQ fingerprint".to_string());
        }
        self.match_vpdq(f, &mut video, &run.frames);
        self.match_pictures(f, &mut video, &run.frames, &run.variants);
        f.video = Some(Box::new(video));
        // The container's tags as the file's metadata record (camera,
        // capture time, position; the camera-original verdict).
        let mut tags = info.metadata.clone();
        if let Some(t) = &info.creation_time {
            // Only the stream had it.
            tags.entry("creation_time".to_string()).or_insert_with(|| t.clone());
        }
        let meta = crate::metadata::from_container(&tags, f.file_type.as_deref().unwrap_or_default());
        for reason in meta.warnings {
            f.warnings.push(spoor_case::NewWarning {
                evidence_row: f.evidence_row,
                path: f.path.clone(),
                path_display: f.path_display.clone(),
                stage: crate::metadata::STAGE.into(),
                reason,
            });
        }
        f.metadata = Some(meta.record);
    }

    /// vPDQ against the known videos of the alert sets.
    fn match_vpdq(&self, f: &mut NewFile, video: &mut NewVideo, frames: &[spoor_video::Frame]) {
        if frames.is_empty() || !self.matcher.has_videos() {
            return;
        }
        let sets = self.matcher.sets();
        for hit in self.matcher.vpdq_matches(frames, &self.opts.matching) {
            if sets[hit.set].kind != SetKind::Alert {
                continue;
            }
            let m = hit.matched;
            video.hit_details.push((
                f.hits.len(),
                VideoMatch {
                    query_match_percent: Some(m.query_match_percent),
                    known_match_percent: Some(m.known_match_percent),
                    matched_frames: Some(m.matched_frames as u64),
                    query_unique_frames: Some(m.query_unique_frames as u64),
                    known_unique_frames: Some(m.known_unique_frames as u64),
                    ..VideoMatch::default()
                },
            ));
            f.hits.push(NewHit {
                hashset_row: self.rows_by_set[hit.set],
                method: "vpdq".into(),
                distance: None,
                category: hit.record.category.clone(),
                record: serde_json::to_value(&hit.record).unwrap_or_default(),
            });
        }
    }
}

impl Stage<'_> {
    /// Whether frames are matched against picture sets: some alert PDQ set
    /// is loaded (ignore sets are not searched, see [`Stage::match_pictures`]).
    /// Only then do the workers compute each frame's dihedral hashes.
    fn matches_pictures(&self) -> bool {
        self.matcher.has_pdq()
            && self
                .matcher
                .sets()
                .iter()
                .any(|s| s.kind == SetKind::Alert && s.fingerprint.as_ref().is_some_and(|fp| fp.kind == FingerprintKind::Pdq))
    }

    /// Frames against the alert picture PDQ sets, exactly as a picture is
    /// matched (`Matcher::pdq_lookup`: the eight dihedral variants, the
    /// run's `pdq_max_distance`, listed hashes of at least
    /// `pdq_min_quality`): every sampled frame of at least that quality is
    /// looked up. One hit per set record (method `pdq`): the nearest frame
    /// (the earliest on a tie) gives the distance, the variant and the
    /// `video_hits` row's frame number and timestamp; the record's `match`
    /// object also says how many frames matched it and the first and last
    /// of their timestamps.
    ///
    /// Known-good stays for exact digests, as for pictures: ignore PDQ sets
    /// are not searched, so a frame that looks like a known-good picture
    /// neither sets the video aside nor hides another hit (a video holding
    /// one harmless frame can hold anything else).
    fn match_pictures(&self, f: &mut NewFile, video: &mut NewVideo, frames: &[spoor_video::Frame], variants: &[Option<DihedralHashes>]) {
        if frames.is_empty() || !self.matches_pictures() {
            return;
        }
        struct Found {
            best: spoor_hashset::PdqMatch,
            frame: spoor_video::Frame,
            hash: spoor_pdq::PdqHash,
            frames: u64,
            first: f64,
            last: f64,
        }
        let mut found: std::collections::BTreeMap<(usize, u32), Found> = Default::default();
        let mut missing = 0usize;
        for (i, frame) in frames.iter().enumerate() {
            if frame.quality < u32::from(self.pdq.min_quality) {
                continue;
            }
            let Some(v) = variants.get(i).copied().flatten() else {
                missing += 1;
                continue;
            };
            let matches = match self.matcher.pdq_lookup(&v, self.pdq.max_distance, self.pdq.min_quality) {
                Ok(m) => m,
                Err(err) => {
                    warn_at(f, "match", format!("PDQ lookup of the frame at {:.3} s failed: {err}", frame.timestamp));
                    continue;
                }
            };
            for m in matches {
                if self.matcher.sets()[m.set].kind != SetKind::Alert {
                    continue;
                }
                let hash = v.get(m.variant);
                match found.entry((m.set, m.number)) {
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert(Found { frame: *frame, hash, frames: 1, first: frame.timestamp, last: frame.timestamp, best: m });
                    }
                    std::collections::btree_map::Entry::Occupied(mut e) => {
                        let x = e.get_mut();
                        x.frames += 1;
                        x.first = x.first.min(frame.timestamp);
                        x.last = x.last.max(frame.timestamp);
                        // Frames come in presentation order: a later frame
                        // replaces the best only when strictly nearer.
                        if m.distance < x.best.distance {
                            x.frame = *frame;
                            x.hash = hash;
                            x.best = m;
                        }
                    }
                }
            }
        }
        if missing > 0 {
            warn(f, format!("the video worker gave no dihedral hashes for {missing} frame(s): those were not matched against picture sets"));
        }
        // As a picture's hits: by set, then distance, then record.
        let mut found: Vec<Found> = found.into_values().collect();
        found.sort_by_key(|x| (x.best.set, x.best.distance, x.best.number));
        for x in found {
            let m = &x.best;
            let mut record = serde_json::to_value(&m.record).unwrap_or_default();
            if let Some(obj) = record.as_object_mut() {
                obj.insert(
                    "match".into(),
                    serde_json::json!({
                        "variant": m.variant.as_str(),
                        "distance": m.distance,
                        "frame_hash": x.hash.to_string(),
                        "frame_number": x.frame.frame_number,
                        "timestamp": x.frame.timestamp,
                        "frames": x.frames,
                        "first_timestamp": x.first,
                        "last_timestamp": x.last,
                    }),
                );
            }
            video.hit_details.push((
                f.hits.len(),
                VideoMatch { frame_number: Some(x.frame.frame_number), frame_timestamp: Some(x.frame.timestamp), ..VideoMatch::default() },
            ));
            f.hits.push(NewHit {
                hashset_row: self.rows_by_set[m.set],
                method: "pdq".into(),
                distance: Some(m.distance),
                category: m.record.category.clone(),
                record,
            });
        }
    }
}

enum Outcome {
    Done,
    Cancelled,
}

/// What a worker said.
#[derive(Default)]
struct WorkerRun {
    info: Option<spoor_video::VideoInfo>,
    frames: Vec<spoor_video::Frame>,
    /// Each frame's dihedral hashes, when they were asked for.
    variants: Vec<Option<DihedralHashes>>,
    done: Option<spoor_video::worker::WorkerDone>,
}

/// Why a video has no fingerprint.
enum Failure {
    Cancelled,
    Spawn(String),
    Protocol(String),
    /// The worker said why (the video's fault).
    Refused { code: String, message: String },
    Crashed { signal: i32, frames: usize },
    Exited { code: Option<i32> },
    TimedOut { cap_secs: f64, duration: Option<f64> },
}

impl Failure {
    fn reason(&self, opts: &VideoOptions) -> String {
        match self {
            Failure::Cancelled => "cancelled".into(),
            Failure::Spawn(e) => format!("the video worker cannot be started ({e}): not fingerprinted"),
            Failure::Protocol(e) => format!("the video worker misbehaved ({e}); it was stopped: not fingerprinted"),
            Failure::Refused { code, message } => format!("video cannot be fingerprinted ({code}): {message}"),
            Failure::Crashed { signal, frames } => format!(
                "the video worker crashed ({}) after {frames} sampled frame(s) (the decoder failed on this file, or ran out of its {} MiB memory cap): not fingerprinted",
                signal_name(*signal),
                opts.max_memory >> 20
            ),
            Failure::Exited { code } => format!(
                "the video worker ended ({}) without a result: not fingerprinted",
                code.map(|c| format!("exit status {c}")).unwrap_or_else(|| "no status".into())
            ),
            Failure::TimedOut { cap_secs, duration } => match duration {
                Some(d) => format!("video decoding was stopped at the time cap of {cap_secs:.0} s (for {d:.1} s of declared duration): not fingerprinted"),
                None => format!("video decoding was stopped at the time cap of {cap_secs:.0} s: not fingerprinted"),
            },
        }
    }
}

fn signal_name(signal: i32) -> String {
    let name = match signal {
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGILL => "SIGILL",
        libc::SIGKILL => "SIGKILL",
        libc::SIGTERM => "SIGTERM",
        _ => return format!("signal {signal}"),
    };
    format!("signal {signal}, {name}")
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Lines of the worker's output, each at most 1 MiB (a frame line is about
/// 150 bytes, the final line a few KiB).
fn read_lines(stdout: impl Read, tx: Sender<std::io::Result<String>>) {
    const MAX_LINE: u64 = 1 << 20;
    let mut reader = BufReader::new(stdout);
    loop {
        let mut line = String::new();
        match (&mut reader).take(MAX_LINE).read_line(&mut line) {
            Ok(0) => return,
            Ok(_) if !line.ends_with('\n') && line.len() as u64 >= MAX_LINE => {
                let _ = tx.send(Err(std::io::Error::other("a line longer than 1 MiB")));
                return;
            }
            Ok(_) => {
                if tx.send(Ok(line)).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        }
    }
}

fn warn(f: &mut NewFile, reason: String) {
    warn_at(f, "video", reason);
}

fn warn_at(f: &mut NewFile, stage: &str, reason: String) {
    f.warnings.push(spoor_case::NewWarning {
        evidence_row: f.evidence_row,
        path: f.path.clone(),
        path_display: f.path_display.clone(),
        stage: stage.into(),
        reason,
    });
}
