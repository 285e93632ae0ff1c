//! The FFmpeg side: opening a file as a nameless byte stream, choosing the
//! video stream, decoding under caps, sampling, hashing and thumbnails.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ff::format::context::{Input, StreamIo};
use ff::media::Type as Media;
use ff::software::scaling;
use ffmpeg_next as ff;

use crate::sheet::{self, Collector, Grid};
use crate::skip::Skipper;
use crate::{
    DecodeWarning, DihedralHashes, Frame, Result, VideoError, VideoInfo, VideoResult, VideoSettings,
};

/// Demuxers that open other files or network addresses by themselves.
/// The empty protocol whitelist stops them too; refusing them by name makes
/// the reason clear.
const REFUSED_FORMATS: &[&str] = &["hls", "dash", "concat", "sdp", "rtp", "rtsp", "imf"];

/// Codecs whose non-reference frames are never used by other frames, so
/// skipping them is exact (H.264 `nal_ref_idc = 0`, MPEG B-frames). HEVC's
/// "sub-layer non-reference" pictures can still be referenced by higher
/// temporal layers, and VP8/9 were not verified: they are always decoded.
const SKIPPABLE_CODECS: &[&str] = &["h264", "mpeg4", "mpeg2video", "mpeg1video"];

/// Containers with one timestamped packet per frame.
const SKIPPABLE_CONTAINERS: &[&str] = &["mov,mp4", "matroska"];

/// Codecs whose every frame is decoded on its own (no frame refers to
/// another): a frame no sample can fall on is not even given to the decoder.
const INTRA_ONLY_CODECS: &[&str] = &[
    "mjpeg", "jpeg2000", "prores", "dnxhd", "rawvideo", "huffyuv", "ffvhuff", "utvideo",
    "magicyuv", "v210",
];

/// Containers with one timestamped packet per frame for intra-only codecs
/// (no reordering, so AVI's timestamps are reliable too).
const INTRA_CONTAINERS: &[&str] = &["mov,mp4", "matroska", "avi"];

/// The I/O buffer FFmpeg reads the file through.
const IO_BUFFER: usize = 256 * 1024;

/// Consecutive demuxer or decoder errors after which a file is given up.
const MAX_CONSECUTIVE_ERRORS: u32 = 1000;

static INIT: Once = Once::new();
static LOGGING: AtomicBool = AtomicBool::new(false);

fn init() {
    INIT.call_once(|| {
        // Registers FFmpeg's error strings; nothing else with the features
        // this crate enables (no devices, no filters).
        let _ = ff::init();
        apply_logging();
    });
}

fn apply_logging() {
    use ff::util::log::{Level, set_level};
    set_level(if LOGGING.load(Ordering::Relaxed) {
        Level::Warning
    } else {
        Level::Quiet
    });
}

pub(crate) fn set_logging(on: bool) {
    LOGGING.store(on, Ordering::Relaxed);
    init();
    apply_logging();
}

/// Runs `f` with panics turned into [`VideoError::Panicked`].
pub(crate) fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => Err(VideoError::Panicked {
            path: path.to_path_buf(),
            message: panic_message(payload.as_ref()),
        }),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-text panic payload".to_string()
    }
}

/// The time cap and cancellation, shared with FFmpeg's interrupt callback.
struct Guard<'a> {
    path: &'a Path,
    deadline: Option<Instant>,
    max_secs: u64,
    cancel: Option<&'a AtomicBool>,
    /// Set when the loop gives up, so FFmpeg's blocking reads stop too.
    abort: Arc<AtomicBool>,
}

impl<'a> Guard<'a> {
    fn new(path: &'a Path, max_secs: u64, cancel: Option<&'a AtomicBool>) -> Guard<'a> {
        Guard {
            path,
            // An absurd cap (years) is the same as none.
            deadline: Instant::now().checked_add(Duration::from_secs(max_secs)),
            max_secs,
            cancel,
            abort: Arc::new(AtomicBool::new(false)),
        }
    }

    /// For FFmpeg's interrupt callback: must not panic (a panic there
    /// aborts the process).
    fn interrupt(&self) -> impl FnMut() -> bool + Send + 'static {
        let abort = Arc::clone(&self.abort);
        let deadline = self.deadline;
        move || abort.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d)
    }

    fn check(&self, frames_decoded: u64) -> Result<()> {
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            self.abort.store(true, Ordering::Relaxed);
            return Err(VideoError::Cancelled {
                path: self.path.to_path_buf(),
            });
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            self.abort.store(true, Ordering::Relaxed);
            return Err(VideoError::TimeLimit {
                path: self.path.to_path_buf(),
                max_secs: self.max_secs,
                frames_decoded,
            });
        }
        Ok(())
    }
}

/// An opened file: the demuxer, the chosen stream and what it says.
struct Source {
    input: Input,
    stream: usize,
    time_base: ff::Rational,
    info: VideoInfo,
    is_still_picture: bool,
    /// The video stream's own duration where the container gives one (the
    /// container's may be an audio track's), else the container's.
    video_duration: Option<f64>,
}

fn open(path: &Path, guard: &Guard) -> Result<Source> {
    init();
    let pb = || path.to_path_buf();
    let io = |source| VideoError::Io { path: pb(), source };
    let (mut file, _noatime) = spoor_evidence::open_read_only(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(VideoError::NotAFile { path: pb() });
    }
    if meta.len() == 0 {
        return Err(VideoError::Empty { path: pb() });
    }
    let looks_like = sniff(&mut file).map_err(io)?;

    let stream_io = StreamIo::from_read_seek_with_capacity(file, IO_BUFFER).map_err(|e| {
        VideoError::Decode {
            path: pb(),
            message: format!("cannot set up reading: {e}"),
        }
    })?;
    let mut options = ff::Dictionary::new();
    // Nothing may be opened besides this stream: no files, no network.
    options.set("protocol_whitelist", "none");
    let input = match ff::format::input_from_stream_with_interrupt(
        stream_io,
        None,
        Some(options),
        guard.interrupt(),
    ) {
        Ok(input) => input,
        Err(e) => {
            guard.check(0)?;
            return Err(match looks_like {
                Some(kind) => VideoError::Malformed {
                    path: pb(),
                    kind,
                    message: e.to_string(),
                },
                None => VideoError::NotMedia { path: pb() },
            });
        }
    };

    let container = input.format().name().to_string();
    if container
        .split(',')
        .any(|name| REFUSED_FORMATS.contains(&name))
    {
        return Err(VideoError::RefusedFormat {
            path: pb(),
            format: container,
        });
    }
    let is_still_picture = container == "image2" || container.ends_with("_pipe");

    let attached = |s: &ff::format::stream::Stream| {
        s.disposition()
            .contains(ff::format::stream::Disposition::ATTACHED_PIC)
    };
    let chosen = input
        .streams()
        .best(Media::Video)
        .filter(|s| !attached(s))
        .or_else(|| {
            input
                .streams()
                .find(|s| s.parameters().medium() == Media::Video && !attached(s))
        })
        .map(|s| s.index());
    let Some(stream) = chosen else {
        return Err(VideoError::NoVideoStream {
            path: pb(),
            container,
        });
    };
    let has_audio = input
        .streams()
        .any(|s| s.parameters().medium() == Media::Audio);
    let st = input
        .stream(stream)
        .ok_or_else(|| VideoError::NoVideoStream {
            path: pb(),
            container: container.clone(),
        })?;
    let time_base = st.time_base();
    let codec = st.parameters().id().name().to_string();
    let frame_rate = rate(st.avg_frame_rate()).or_else(|| rate(st.rate()));
    let duration_secs = if input.duration() > 0 {
        Some(input.duration() as f64 / f64::from(ff::ffi::AV_TIME_BASE))
    } else if st.duration() > 0 {
        seconds(st.duration(), time_base)
    } else {
        None
    };
    let video_duration = if st.duration() > 0 {
        seconds(st.duration(), time_base)
    } else {
        duration_secs
    };
    let declared_frames = u64::try_from(st.frames()).ok().filter(|n| *n > 0);
    let rotation = st
        .side_data()
        .find(|sd| sd.kind() == ff::codec::packet::side_data::Type::DisplayMatrix)
        .and_then(|sd| display_rotation(sd.data()));
    let metadata = tags(&input.metadata());
    let creation_time = metadata
        .get("creation_time")
        .cloned()
        .or_else(|| tags(&st.metadata()).remove("creation_time"));

    let info = VideoInfo {
        container,
        codec,
        width: 0,
        height: 0,
        sample_aspect_ratio: None,
        duration_secs,
        frame_rate,
        declared_frames,
        rotation,
        has_audio,
        creation_time,
        metadata,
    };
    Ok(Source {
        input,
        stream,
        time_base,
        info,
        is_still_picture,
        video_duration,
    })
}

/// The video kind the file's signature claims (`"video/mp4"`, ...), read
/// from its first bytes; the file is rewound.
fn sniff(file: &mut File) -> std::io::Result<Option<String>> {
    let mut head = Vec::with_capacity(8192);
    file.by_ref().take(8192).read_to_end(&mut head)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(infer::get(&head)
        .filter(|t| t.matcher_type() == infer::MatcherType::Video)
        .map(|t| t.mime_type().to_string()))
}

/// Opens a decoder for the chosen stream. `threads: None` opens a
/// single-threaded decoder without the pixel cap, only to read the declared
/// size: FFmpeg zeroes a size over the cap when opening, which would hide
/// why the file is refused.
fn open_decoder(
    src: &Source,
    path: &Path,
    max_pixels: u64,
    threads: Option<usize>,
) -> Result<ff::decoder::Video> {
    let pb = || path.to_path_buf();
    let st = src
        .input
        .stream(src.stream)
        .ok_or_else(|| VideoError::NoVideoStream {
            path: pb(),
            container: src.info.container.clone(),
        })?;
    let params = st.parameters();
    let unsupported = || VideoError::UnsupportedCodec {
        path: pb(),
        codec: src.info.codec.clone(),
    };
    let codec = ff::decoder::find(params.id()).ok_or_else(unsupported)?;
    let ctx = ff::codec::Context::from_parameters(params).map_err(|e| VideoError::Decode {
        path: pb(),
        message: format!("codec parameters: {e}"),
    })?;
    let mut dec = ctx.decoder();
    dec.set_packet_time_base(src.time_base);
    let mut options = ff::Dictionary::new();
    match threads {
        None => options.set("threads", "1"),
        Some(n) => {
            options.set(
                "threads",
                &if n == 0 {
                    "auto".to_string()
                } else {
                    n.to_string()
                },
            );
            options.set("thread_type", "frame+slice");
            // The decoder refuses larger frames (a size change mid-stream)
            // before allocating them.
            options.set(
                "max_pixels",
                &max_pixels.clamp(1, i32::MAX as u64).to_string(),
            );
        }
    }
    let opened = dec.open_as_with(codec, options).map_err(|e| match e {
        ff::Error::DecoderNotFound => unsupported(),
        e => VideoError::Decode {
            path: pb(),
            message: format!("opening the {} decoder: {e}", src.info.codec),
        },
    })?;
    opened.video().map_err(|e| VideoError::Decode {
        path: pb(),
        message: format!("not a video decoder: {e}"),
    })
}

/// Reads the declared frame size and aspect into `src.info` and checks it
/// against the caps.
fn declared_size(src: &mut Source, path: &Path, max_pixels: u64) -> Result<()> {
    let probe = open_decoder(src, path, max_pixels, None)?;
    let (w, h) = (probe.width(), probe.height());
    src.info.width = w;
    src.info.height = h;
    let sar = probe.aspect_ratio();
    if sar.numerator() > 0 && sar.denominator() > 0 && sar.numerator() != sar.denominator() {
        src.info.sample_aspect_ratio = Some((sar.numerator() as u32, sar.denominator() as u32));
    }
    check_size(path, w, h, max_pixels)
}

fn check_size(path: &Path, width: u32, height: u32, max_pixels: u64) -> Result<()> {
    // FFmpeg's own limit for a side is 16384 for most codecs and 32768 in
    // its image checks; anything over 65535 is nonsense.
    if width == 0 || height == 0 || width > 65_535 || height > 65_535 {
        return Err(VideoError::InvalidDimensions {
            path: path.to_path_buf(),
            width,
            height,
        });
    }
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(VideoError::TooManyPixels {
            path: path.to_path_buf(),
            width,
            height,
            max_pixels,
        });
    }
    Ok(())
}

pub(crate) fn probe(path: &Path, settings: &VideoSettings) -> Result<Option<VideoInfo>> {
    let guard = Guard::new(path, settings.max_decode_secs, None);
    let mut src = match open(path, &guard) {
        Ok(src) => src,
        Err(VideoError::NotMedia { .. } | VideoError::NoVideoStream { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    if src.is_still_picture {
        return Ok(None);
    }
    // A codec without a decoder, or a size over the caps, still describes
    // the file (fingerprinting then says what is wrong).
    match declared_size(&mut src, path, settings.max_pixels) {
        Ok(())
        | Err(
            VideoError::UnsupportedCodec { .. }
            | VideoError::Decode { .. }
            | VideoError::TooManyPixels { .. }
            | VideoError::InvalidDimensions { .. },
        ) => {}
        Err(e) => return Err(e),
    }
    Ok(Some(src.info))
}

pub(crate) fn fingerprint(
    path: &Path,
    settings: &VideoSettings,
    cancel: Option<&AtomicBool>,
    on_frame: &mut dyn FnMut(&Frame, Option<&DihedralHashes>),
) -> Result<VideoResult> {
    let guard = Guard::new(path, settings.max_decode_secs, cancel);
    let mut src = open(path, &guard)?;
    declared_size(&mut src, path, settings.max_pixels)?;
    let mut decoder = open_decoder(&src, path, settings.max_pixels, Some(settings.threads))?;
    let in_container = |list: &[&str]| list.iter().any(|c| src.info.container.starts_with(c));
    let codec = src.info.codec.as_str();
    let intra_only = INTRA_ONLY_CODECS.contains(&codec) && in_container(INTRA_CONTAINERS);
    let skippable = settings.skip_nonref
        && settings.fps > 0.0
        && (intra_only || SKIPPABLE_CODECS.contains(&codec) && in_container(SKIPPABLE_CONTAINERS));
    let grid = settings.contact_sheet.as_ref().map(|layout| {
        let (w, h) = (f64::from(src.info.width), f64::from(src.info.height));
        let (sn, sd) = src.info.sample_aspect_ratio.unwrap_or((1, 1));
        Grid::new(layout, w * f64::from(sn) / f64::from(sd), h)
    });
    let mut run = Run {
        path: path.to_path_buf(),
        settings,
        time_base: src.time_base,
        frame_rate: src.info.frame_rate,
        sampler: Sampler::new(settings.fps),
        clock: Clock::default(),
        hasher: Hasher::default(),
        thumbs: grid.map(|g| {
            (
                g,
                Collector::new(g.tiles(), src.video_duration),
                Scaler::default(),
            )
        }),
        frames: Vec::new(),
        skipper: Skipper::new(skippable),
        number_by_pts: skippable,
        decoded: 0,
        corrupt: 0,
        damaged: 0,
        consecutive_errors: 0,
        on_frame,
    };
    let mut warnings = Vec::new();
    let mut frame = ff::frame::Video::empty();
    let mut bad_reads = 0u32;
    let mut packets = 0u64;
    // The latest packet timestamp, for frames skipped at the end.
    let mut last_pts: Option<i64> = None;
    loop {
        guard.check(run.decoded)?;
        // A fresh packet each time: av_read_frame overwrites without
        // releasing what the packet held.
        let mut packet = ff::Packet::empty();
        match packet.read(&mut src.input) {
            Ok(()) => bad_reads = 0,
            Err(ff::Error::Eof) => break,
            Err(ff::Error::InvalidData) if bad_reads < MAX_CONSECUTIVE_ERRORS => {
                // The demuxer can resynchronise past damaged data.
                bad_reads += 1;
                continue;
            }
            Err(e) => {
                guard.check(run.decoded)?;
                warnings.push(DecodeWarning {
                    code: "read_error".to_string(),
                    message: format!("reading stopped after {} frames: {e}", run.decoded),
                });
                break;
            }
        }
        if packet.stream() != src.stream {
            // Audio, subtitles, data, other video: never decoded.
            continue;
        }
        // Frames skipped unseen count against the cap too.
        packets += 1;
        if packets > settings.max_frames {
            return Err(VideoError::FrameLimit {
                path: path.to_path_buf(),
                max_frames: settings.max_frames,
            });
        }
        let pts = packet.pts();
        last_pts = last_pts.max(pts);
        if run.number_by_pts {
            let skip = run.may_skip(pts);
            run.skipper.sent(pts);
            if skip && intra_only {
                // Every frame stands alone: this one need not be read at all.
                continue;
            }
            decoder.skip_frame(if skip {
                ff::Discard::NonReference
            } else {
                ff::Discard::Default
            });
        }
        if let Err(e) = decoder.send_packet(&packet) {
            run.decoder_error(e)?;
        }
        run.drain(&mut decoder, &mut frame, &guard)?;
    }
    // Flush the frames the decoder still holds.
    if decoder.send_eof().is_ok() {
        run.drain(&mut decoder, &mut frame, &guard)?;
    }
    if run.decoded == 0 {
        return Err(VideoError::NoFrames {
            path: path.to_path_buf(),
        });
    }
    if run.corrupt > 0 || run.damaged > 0 {
        warnings.push(DecodeWarning {
            code: "corrupt_data".to_string(),
            message: format!(
                "the decoder rejected {} packets and marked {} frames as damaged",
                run.corrupt, run.damaged
            ),
        });
    }
    // A demuxer may take a cut as the end of the file: compare with what
    // the container declared.
    let last_packet = run
        .clock
        .first
        .zip(last_pts)
        .and_then(|(first, last)| seconds(last.saturating_sub(first), src.time_base));
    let last = match (run.clock.last, last_packet) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    if let (Some(declared), Some(last)) = (src.video_duration, last) {
        let interval = src
            .info
            .frame_rate
            .filter(|r| *r > 0.0)
            .map_or(0.0, |r| 1.0 / r);
        if last + 2.0 * interval + 0.5 < declared {
            warnings.push(DecodeWarning {
                code: "ended_early".to_string(),
                message: format!(
                    "frames end at {last:.3} s of the {declared:.3} s the container declares"
                ),
            });
        }
    }
    let contact_sheet = match run.thumbs.take() {
        Some((grid, collector, _)) => Some(sheet::compose(&grid, collector.finish()).map_err(
            |message| VideoError::ContactSheet {
                path: path.to_path_buf(),
                message,
            },
        )?),
        None => None,
    };
    Ok(VideoResult {
        info: src.info,
        frames: run.frames,
        contact_sheet,
        frames_decoded: run.decoded,
        frames_skipped: if run.number_by_pts {
            run.skipper.finish()
        } else {
            0
        },
        warnings,
    })
}

/// The state of one decoding run.
struct Run<'a> {
    path: PathBuf,
    settings: &'a VideoSettings,
    time_base: ff::Rational,
    frame_rate: Option<f64>,
    sampler: Sampler,
    clock: Clock,
    hasher: Hasher,
    thumbs: Option<(Grid, Collector, Scaler)>,
    frames: Vec<Frame>,
    /// Skips non-reference frames no sample can fall on (see `skip.rs`).
    skipper: Skipper,
    /// Frame numbers from the packets' timestamps (when skipping was
    /// possible at the start), else from the count of decoded frames.
    number_by_pts: bool,
    decoded: u64,
    /// Packets the decoder rejected.
    corrupt: u64,
    /// Frames the decoder produced but marked as damaged (concealed errors).
    damaged: u64,
    consecutive_errors: u32,
    on_frame: &'a mut dyn FnMut(&Frame, Option<&DihedralHashes>),
}

impl Run<'_> {
    fn decoder_error(&mut self, e: ff::Error) -> Result<()> {
        match e {
            // Not expected (the decoder is drained after every packet);
            // nothing is lost by going on.
            ff::Error::Other { errno } if errno == ff::util::error::EAGAIN => Ok(()),
            ff::Error::Eof => Ok(()),
            e => {
                self.corrupt += 1;
                self.consecutive_errors += 1;
                if self.consecutive_errors > MAX_CONSECUTIVE_ERRORS {
                    return Err(VideoError::Decode {
                        path: self.path.clone(),
                        message: format!(
                            "{} consecutive decoding errors, the last: {e}",
                            self.consecutive_errors
                        ),
                    });
                }
                Ok(())
            }
        }
    }

    fn drain(
        &mut self,
        decoder: &mut ff::decoder::Video,
        frame: &mut ff::frame::Video,
        guard: &Guard,
    ) -> Result<()> {
        loop {
            match decoder.receive_frame(frame) {
                Ok(()) => {
                    self.consecutive_errors = 0;
                    self.frame(frame)?;
                    guard.check(self.decoded)?;
                }
                Err(ff::Error::Eof) => return Ok(()),
                Err(ff::Error::Other { errno }) if errno == ff::util::error::EAGAIN => {
                    return Ok(());
                }
                Err(e) => {
                    self.decoder_error(e)?;
                    return Ok(());
                }
            }
        }
    }

    /// Whether the decoder may drop this packet if it is a non-reference
    /// frame.
    fn may_skip(&self, pts: Option<i64>) -> bool {
        if self.sampler.resynced {
            return false;
        }
        let (Some(first), tb) = (self.clock.first, self.time_base) else {
            return false;
        };
        let secs = |t: i64| seconds(t.saturating_sub(first), tb);
        // The contact sheet may want it (it then costs a decode, not
        // exactness).
        if let (Some((_, collector, _)), Some(ts)) = (&self.thumbs, pts.and_then(secs))
            && collector.wants(ts)
        {
            return false;
        }
        self.skipper
            .may_skip(pts, |t| secs(t).and_then(|s| self.sampler.slot(s)))
    }

    fn frame(&mut self, frame: &ff::frame::Video) -> Result<()> {
        let number = if self.number_by_pts {
            self.decoded + self.skipper.output(frame.timestamp())
        } else {
            self.decoded
        };
        self.decoded += 1;
        if number + 1 > self.settings.max_frames {
            return Err(VideoError::FrameLimit {
                path: self.path.clone(),
                max_frames: self.settings.max_frames,
            });
        }
        check_size(
            &self.path,
            frame.width(),
            frame.height(),
            self.settings.max_pixels,
        )?;
        if frame.is_corrupt() || frame.has_decode_errors() {
            self.damaged += 1;
        }
        let ts = self
            .clock
            .seconds(frame.timestamp(), self.time_base, self.frame_rate);
        if self.sampler.take(ts) {
            let (r, dihedral) = self
                .hasher
                .hash(frame, self.settings.downsample, self.settings.dihedral)
                .map_err(|message| VideoError::Decode {
                    path: self.path.clone(),
                    message,
                })?;
            let f = Frame {
                frame_number: number,
                timestamp: ts,
                hash: r.hash,
                quality: r.quality,
            };
            (self.on_frame)(&f, dihedral.as_ref());
            self.frames.push(f);
        }
        if let Some((grid, collector, scaler)) = &mut self.thumbs
            && collector.wants(ts)
        {
            let rgb = scaler
                .rgb(
                    frame,
                    grid.tile_w,
                    grid.tile_h,
                    portable(scaling::Flags::AREA),
                )
                .map_err(|message| VideoError::Decode {
                    path: self.path.clone(),
                    message,
                })?;
            collector.push(ts, rgb.packed());
        }
        Ok(())
    }
}

/// Presentation time in seconds since the first decoded frame. Frames
/// without a timestamp are placed one frame interval after the previous
/// one.
#[derive(Debug, Default)]
struct Clock {
    first: Option<i64>,
    last: Option<f64>,
}

impl Clock {
    fn seconds(&mut self, ts: Option<i64>, time_base: ff::Rational, rate: Option<f64>) -> f64 {
        let secs = ts.and_then(|ts| {
            let first = *self.first.get_or_insert(ts);
            seconds(ts.saturating_sub(first), time_base)
        });
        let secs = match (secs, self.last) {
            (Some(s), _) => s,
            (None, None) => 0.0,
            (None, Some(last)) => last + rate.filter(|r| *r > 0.0).map_or(0.0, |r| 1.0 / r),
        };
        self.last = Some(secs);
        secs
    }
}

fn seconds(ts: i64, tb: ff::Rational) -> Option<f64> {
    let (num, den) = (tb.numerator(), tb.denominator());
    if num <= 0 || den <= 0 {
        return None;
    }
    let s = ts as f64 * f64::from(num) / f64::from(den);
    s.is_finite().then_some(s)
}

fn rate(r: ff::Rational) -> Option<f64> {
    (r.numerator() > 0 && r.denominator() > 0)
        .then(|| f64::from(r.numerator()) / f64::from(r.denominator()))
}

/// Chooses the frames to hash: the first frame at or after each multiple of
/// `1 / fps` seconds (every frame when `fps` is 0).
#[derive(Debug)]
pub(crate) struct Sampler {
    fps: f64,
    next_slot: f64,
    last: Option<f64>,
    /// Timestamps went back at some point (see [`Sampler::take`]).
    resynced: bool,
}

impl Sampler {
    pub(crate) fn new(fps: f64) -> Sampler {
        Sampler {
            fps: if fps.is_finite() && fps > 0.0 {
                fps
            } else {
                0.0
            },
            next_slot: 0.0,
            last: None,
            resynced: false,
        }
    }

    /// The sampling slot of a presentation time: `floor(ts * fps)`, with an
    /// epsilon that keeps `k / fps`, computed in floating point, in slot k.
    /// `None` in every-frame mode.
    pub(crate) fn slot(&self, ts: f64) -> Option<i64> {
        (self.fps > 0.0).then(|| (ts * self.fps + 1e-6).floor() as i64)
    }

    pub(crate) fn take(&mut self, ts: f64) -> bool {
        if self.fps == 0.0 {
            return true;
        }
        // Timestamps that jump back by more than a second (a damaged or
        // spliced stream) restart the schedule rather than stall it.
        if self.last.is_some_and(|last| ts + 1.0 < last) {
            self.next_slot = f64::NEG_INFINITY;
            self.resynced = true;
        }
        self.last = Some(ts);
        let slot = (ts * self.fps + 1e-6).floor();
        if slot >= self.next_slot {
            self.next_slot = slot + 1.0;
            true
        } else {
            false
        }
    }
}

/// swscale into packed RGB24, with the context kept while the input's size
/// and format stay the same.
#[derive(Default)]
struct Scaler {
    ctx: Option<scaling::Context>,
    out: Option<ff::frame::Video>,
}

impl std::fmt::Debug for Scaler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scaler").finish_non_exhaustive()
    }
}

/// A borrowed RGB24 picture with its row stride.
struct Rgb<'a> {
    width: usize,
    height: usize,
    stride: usize,
    data: &'a [u8],
}

impl Rgb<'_> {
    fn row(&self, y: usize) -> &[u8] {
        &self.data[y * self.stride..y * self.stride + self.width * 3]
    }

    fn packed(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.width * self.height * 3);
        for y in 0..self.height {
            v.extend_from_slice(self.row(y));
        }
        v
    }
}

impl Scaler {
    fn rgb(
        &mut self,
        frame: &ff::frame::Video,
        width: u32,
        height: u32,
        flags: scaling::Flags,
    ) -> std::result::Result<Rgb<'_>, String> {
        let input = scaling::context::Definition {
            format: frame.format(),
            width: frame.width(),
            height: frame.height(),
        };
        let reuse = self.ctx.as_ref().is_some_and(|c| {
            *c.input() == input && c.output().width == width && c.output().height == height
        });
        if !reuse {
            let ctx = scaling::Context::get(
                input.format,
                input.width,
                input.height,
                ff::format::Pixel::RGB24,
                width,
                height,
                flags,
            )
            .map_err(|e| {
                format!(
                    "cannot convert {:?} {}x{} to RGB: {e}",
                    input.format, input.width, input.height
                )
            })?;
            self.ctx = Some(ctx);
            self.out = None;
        }
        let (Some(ctx), out) = (self.ctx.as_mut(), &mut self.out) else {
            return Err("no scaling context".to_string());
        };
        let out = out.get_or_insert_with(ff::frame::Video::empty);
        ctx.run(frame, out)
            .map_err(|e| format!("converting to RGB: {e}"))?;
        let stride = out.stride(0);
        let data = out.data(0);
        let (w, h) = (width as usize, height as usize);
        if stride < w * 3 || data.len() < stride * (h - 1) + w * 3 {
            return Err("the converted picture is smaller than expected".to_string());
        }
        Ok(Rgb {
            width: w,
            height: h,
            stride,
            data,
        })
    }
}

/// swscale's bit-exact mode: the same RGB on every CPU. With FFmpeg's
/// default flags the result depends on which SIMD code the CPU gets (the
/// reference's own sample hashes were made by two different code paths);
/// see the crate docs and `tests/conformance.rs` for the measured effect.
fn portable(flags: scaling::Flags) -> scaling::Flags {
    flags | scaling::Flags::ACCURATE_RND | scaling::Flags::BITEXACT
}

/// Conversion at the decoded size: the reference's `SWS_AREA` (which does
/// no filtering when nothing is scaled).
const NATIVE_FLAGS: scaling::Flags = scaling::Flags::AREA
    .union(scaling::Flags::ACCURATE_RND)
    .union(scaling::Flags::BITEXACT);

/// Scaling to n×n: Lanczos, which reproduces the reference's `-128x128`
/// sample hashes (its current code says `SWS_AREA`, but its published
/// hashes were made with Lanczos: 100 % identical against 23 % for area).
const DOWNSAMPLE_FLAGS: scaling::Flags = scaling::Flags::LANCZOS
    .union(scaling::Flags::ACCURATE_RND)
    .union(scaling::Flags::BITEXACT);

/// Frames to PDQ as the vPDQ reference does it (see the crate docs).
#[derive(Debug, Default)]
struct Hasher {
    scaler: Scaler,
    luma: Vec<f32>,
}

impl Hasher {
    /// The frame's PDQ hash, and its eight dihedral hashes when asked.
    fn hash(
        &mut self,
        frame: &ff::frame::Video,
        downsample: Option<u32>,
        dihedral: bool,
    ) -> std::result::Result<(spoor_pdq::PdqResult, Option<DihedralHashes>), String> {
        let (w, h, flags) = match downsample {
            Some(n) if n > 0 => (n, n, DOWNSAMPLE_FLAGS),
            _ => (frame.width(), frame.height(), NATIVE_FLAGS),
        };
        let rgb = self.scaler.rgb(frame, w, h, flags)?;
        self.luma.resize(rgb.width * rgb.height, 0.0);
        for (y, out) in self.luma.chunks_exact_mut(rgb.width).enumerate() {
            for (o, px) in out.iter_mut().zip(rgb.row(y).chunks_exact(3)) {
                *o = luma(px);
            }
        }
        if !dihedral {
            return Ok((spoor_pdq::hash_luma_f32(w, h, &self.luma), None));
        }
        let variants = spoor_pdq::dihedral_luma_f32(w, h, &self.luma);
        // One downsample and DCT give all eight, and `original` is the plain
        // hash, except at exactly 64x64: the plain hash takes such a frame as
        // already downsampled, the dihedral ones filter it (as the
        // reference does), so the frame's own hash is computed apart.
        let plain = if w == 64 && h == 64 {
            spoor_pdq::hash_luma_f32(w, h, &self.luma)
        } else {
            spoor_pdq::PdqResult {
                hash: variants.original,
                quality: variants.quality,
            }
        };
        Ok((plain, Some(variants)))
    }
}

/// The reference's `fillFloatLumaFromRGB`: `f32` products summed left to
/// right (Rust never fuses them into FMA, nor does the reference's default
/// x86-64 build).
#[inline(always)]
fn luma(px: &[u8]) -> f32 {
    0.299f32 * f32::from(px[0]) + 0.587f32 * f32::from(px[1]) + 0.114f32 * f32::from(px[2])
}

/// Tags as a map; FFmpeg hands over whatever bytes the file holds, so each
/// value is re-validated as UTF-8.
fn tags(dict: &ff::DictionaryRef) -> BTreeMap<String, String> {
    dict.iter()
        .map(|(k, v)| {
            (
                String::from_utf8_lossy(k.as_bytes()).into_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// The rotation FFmpeg's `av_display_rotation_get` reports, from the nine
/// 16.16 fixed-point values of a display matrix, as degrees
/// counter-clockwise in (-180, 180].
fn display_rotation(data: &[u8]) -> Option<f64> {
    if data.len() < 36 {
        return None;
    }
    let m = |i: usize| {
        let mut b = [0u8; 4];
        b.copy_from_slice(&data[i * 4..i * 4 + 4]);
        f64::from(i32::from_ne_bytes(b)) / 65536.0
    };
    let scale0 = m(0).hypot(m(3));
    let scale1 = m(1).hypot(m(4));
    if scale0 == 0.0 || scale1 == 0.0 {
        return None;
    }
    let r = -(m(1) / scale1).atan2(m(0) / scale0).to_degrees();
    let r = if r == -0.0 { 0.0 } else { r };
    r.is_finite().then_some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampler_takes_the_first_frame_of_each_second() {
        let mut s = Sampler::new(1.0);
        // 29.97 fps.
        let taken: Vec<u64> = (0..300u64)
            .filter(|i| s.take(*i as f64 * 1001.0 / 30000.0))
            .collect();
        assert_eq!(taken, vec![0, 30, 60, 90, 120, 150, 180, 210, 240, 270]);
        // 3 per second at 30 fps: frames 0, 10, 20, ... despite 10/30 not
        // being exact in binary.
        let mut s = Sampler::new(3.0);
        let taken: Vec<u64> = (0..31u64).filter(|i| s.take(*i as f64 / 30.0)).collect();
        assert_eq!(taken, vec![0, 10, 20, 30]);
    }

    #[test]
    fn sampler_every_frame_and_gaps() {
        let mut s = Sampler::new(0.0);
        assert!((0..10).all(|i| s.take(f64::from(i) * 0.001)));
        // A gap of ten seconds yields one frame, not ten.
        let mut s = Sampler::new(1.0);
        assert!(s.take(0.0));
        assert!(s.take(10.0));
        assert!(!s.take(10.5));
        assert!(s.take(11.0));
        // Jumping back restarts the schedule.
        assert!(s.take(2.0));
        assert!(!s.take(2.5));
    }

    #[test]
    fn clock_counts_from_the_first_frame() {
        let tb = ff::Rational::new(1, 1000);
        let mut c = Clock::default();
        assert_eq!(c.seconds(Some(5000), tb, Some(25.0)), 0.0);
        assert_eq!(c.seconds(Some(5040), tb, Some(25.0)), 0.04);
        assert_eq!(c.seconds(None, tb, Some(25.0)), 0.08);
        assert_eq!(seconds(1, ff::Rational::new(0, 0)), None);
    }

    #[test]
    fn display_matrix_rotation() {
        // FFmpeg's av_display_rotation_set(90): [0, -1, 0; 1, 0, 0; 0, 0, 1]
        // in 16.16 (the last column 2.30), as a phone's portrait video.
        let one = 1i32 << 16;
        let m = [0, -one, 0, one, 0, 0, 0, 0, 1 << 30];
        let bytes: Vec<u8> = m.iter().flat_map(|v| v.to_ne_bytes()).collect();
        assert_eq!(display_rotation(&bytes), Some(90.0));
        let ident = [one, 0, 0, 0, one, 0, 0, 0, 1 << 30];
        let bytes: Vec<u8> = ident.iter().flat_map(|v| v.to_ne_bytes()).collect();
        assert_eq!(display_rotation(&bytes), Some(0.0));
        assert_eq!(display_rotation(&[0; 10]), None);
    }

    #[test]
    fn luma_is_the_reference_f32_sum() {
        assert_eq!(luma(&[255, 255, 255]), 255.0f32);
        let v = luma(&[10, 20, 30]);
        let expected = 0.299f32 * 10.0 + 0.587f32 * 20.0 + 0.114f32 * 30.0;
        assert_eq!(v.to_bits(), expected.to_bits());
    }
}
