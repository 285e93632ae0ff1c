//! Video fingerprints through the system FFmpeg (`ffmpeg-next`): vPDQ
//! per-frame hashes, vPDQ matching, contact sheets, and a worker binary for
//! running all of it in a child process.
//!
//! # What it computes
//!
//! * [`probe`] describes a file (container, codec, size, duration, frame
//!   rate, rotation, tags) or says it is not a video.
//! * [`fingerprint`] decodes the best video stream and hashes sampled frames
//!   with PDQ ([`spoor_pdq`]) the way Meta's vPDQ reference feeds PDQ: each
//!   frame converted by swscale to RGB24 at its decoded size (FFmpeg's
//!   default BT.601 matrix, as the reference), luminance
//!   `0.299 R + 0.587 G + 0.114 B` summed in `f32` as the reference's
//!   `fillFloatLumaFromRGB`, PDQ at full resolution. With
//!   [`VideoSettings::downsample`] set to `n`, swscale first scales to n×n
//!   (the reference's `-s n`; Lanczos, which is what reproduces its
//!   `-128x128` sample hashes).
//! * [`vpdq_match`] compares two frame lists the way python-threatexchange
//!   does; [`read_vpdq`] and [`write_vpdq`] read and write the reference's
//!   text format.
//! * A contact sheet (a grid of evenly spaced frames, JPEG) comes out of
//!   the same decoding pass.
//!
//! ## Why swscale runs in its bit-exact mode
//!
//! The reference converts with swscale's default flags, whose result
//! depends on the CPU: x86 gets SIMD code that rounds differently from the
//! plain C code other machines run. The reference's own published hashes
//! (ThreatExchange `vpdq/sample-hashes/`) were made both ways: twelve of the
//! thirteen plain files reproduce bit for bit only with the C path,
//! `test-padded-dimensions.txt` only with x86's SSSE3 path. This crate sets
//! `SWS_ACCURATE_RND | SWS_BITEXACT`, which gives identical pixels on every
//! CPU (checked: the same bytes with and without FFmpeg's SIMD), so a hash
//! in a report can be reproduced on any examiner's machine. Measured
//! against the reference files (`tests/conformance.rs`, every frame):
//! 94.6 % of frame hashes identical at the decoded size (the rest within 4
//! bits), 99.98 % at 128×128, and every video matches its reference file
//! at 100 % both ways under the vPDQ rule. With FFmpeg's default flags on
//! x86 only 50.6 % would be identical.
//!
//! # Sampling and what is skipped
//!
//! [`VideoSettings::fps`] frames per second of presentation time are
//! hashed: the first frame of each slot `floor(t * fps)`, where `t` is the
//! frame's timestamp in seconds since the first decoded frame (so gaps in a
//! variable-frame-rate video give one frame, not a burst). With `fps = 0`
//! every decoded frame is hashed, as the reference does for its sample
//! hashes. Frame numbers count frames in presentation order from 0, as the
//! reference's do; timestamps are the frames' own presentation times (the
//! reference writes `frame_number / frame_rate`, the same for constant
//! frame rates).
//!
//! Decoding is the cost, and predicted frames depend on the frames before
//! them, so only work that provably changes nothing is left out:
//!
//! * A non-reference frame (H.264 `nal_ref_idc = 0`, MPEG-1/2/4 B-frames)
//!   is not decoded when a frame presented before it lies in the same
//!   sampling slot, because then it cannot be sampled and nothing else reads
//!   it ([`VideoSettings::skip_nonref`]; about 40 % of the frames of typical
//!   H.264 at 1 fps; H.264 and MPEG in MP4/MOV and Matroska only, where each
//!   packet is one timestamped frame; HEVC and VP8/9 are always decoded in
//!   full). Intra-only codecs (MJPEG, ProRes, DNxHD, JPEG 2000, raw, ...)
//!   go further: such a frame is not given to the decoder at all (also in
//!   AVI). Setting `skip_frame = nonref` for the whole file would not be
//!   exact (it could drop a frame that should be sampled), nor would seeking
//!   (it lands on keyframes), so neither is used. `tests/synthetic.rs`
//!   checks that frames, numbers, timestamps and hashes are identical with
//!   and without skipping.
//! * Only sampled frames are converted to RGB and hashed, and only the
//!   contact sheet's candidates are scaled to tiles.
//! * Packets of other streams (audio, subtitles, data) are read by the
//!   demuxer and dropped without being decoded.
//!
//! FFmpeg decodes with its own threads (frame and slice threading,
//! [`VideoSettings::threads`]).
//!
//! # Hostile input
//!
//! * The container is detected from the content only: the file is opened by
//!   this crate (read-only, no link following, no atime update where
//!   permitted, see [`spoor_evidence::open_read_only`]) and handed to FFmpeg
//!   as a byte stream without a name, so the extension plays no part.
//! * FFmpeg may open nothing itself: the protocol whitelist is empty, and
//!   formats that refer to other files or network addresses (HLS, DASH,
//!   concat lists, SDP, IMF) are refused by name.
//! * A pixel cap per frame (checked from the stream header and again on
//!   every decoded frame, and passed to the decoder as `max_pixels`), a cap
//!   on decoded frames, and a wall-clock cap on the whole file (also
//!   enforced inside FFmpeg's reads by its interrupt callback) bound the
//!   work. Cancellation through an [`AtomicBool`] is checked between
//!   packets.
//! * Memory: frame buffers are bounded by the pixel cap (times the few
//!   frames FFmpeg's threads and reordering hold); the contact sheet keeps
//!   at most `2 × tiles` thumbnails whatever the length. FFmpeg offers no
//!   per-call memory limit through the safe API, so a hard limit is a
//!   process limit (`RLIMIT_AS`) on the worker (below).
//! * Container tags: `ffmpeg-next` hands them over as `&str` without
//!   checking UTF-8; they are copied at once with a lossy conversion.
//! * Panics anywhere in the pipeline are caught ([`VideoError::Panicked`]).
//! * Damage that still lets frames through is reported, not hidden: the
//!   result's `warnings` say when reading stopped on an error, when frames
//!   end well before the declared duration (a truncated file), and how many
//!   packets the decoder rejected or frames it concealed.
//!
//! Every failure is a [`VideoError`] with a stable [`VideoError::code`].
//!
//! # Crashes and process isolation
//!
//! `catch_unwind` cannot catch what happens inside FFmpeg's C code: a
//! segmentation fault, an abort or an out-of-memory kill in a decoder takes
//! the whole process down. FFmpeg's decoders are fuzzed continuously
//! (OSS-Fuzz) and Debian ships security updates, but memory-safety bugs in
//! decoders are found every year, and a forensic scan reads exactly the files
//! an adversary may have crafted. Recommendation: in the scan, fingerprint
//! videos in a child process — the `spoor-video-worker` binary in this crate
//! takes a path and settings and writes one JSON line per frame (see
//! [`worker`]) — so a crash costs one file (recorded as a warning with the
//! signal) and not the scan; the parent should also kill a worker that
//! outlives the time cap, because the cap is checked between packets and
//! frames and inside FFmpeg's reads, not inside a single decoder call. In-process
//! use (this API) is fine for trusted input, tests and tools. The library
//! keeps no global state besides FFmpeg's log level, so either way works.
//! (No crash was seen with the hostile files in `tests/hostile.rs`; that
//! says little about files crafted against a decoder bug.)
//!
//! # Example
//!
//! ```no_run
//! use spoor_video::{fingerprint, read_vpdq, vpdq_match, MatchSettings, VideoSettings};
//!
//! let settings = VideoSettings::default(); // one frame per second, a contact sheet
//! let scanned = fingerprint("evidence/clip.mp4".as_ref(), &settings, None)?;
//! let known = read_vpdq(std::fs::File::open("known/clip.txt")?)?;
//! let m = vpdq_match(&scanned.frames, &known, &MatchSettings::default());
//! println!(
//!     "{:.1}% of the clip's frames are in the known video ({})",
//!     m.query_match_percent,
//!     if m.is_match { "match" } else { "no match" },
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Matching needs no video, only frame lists:
//!
//! ```
//! use spoor_video::{read_vpdq, vpdq_match, write_vpdq, MatchSettings};
//!
//! let known = read_vpdq(
//!     "0,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0.000\n\
//!      30,100,c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c,1.000\n"
//!         .as_bytes(),
//! )?;
//! // A copy whose second frame is one bit off still matches.
//! let mut copy = known.clone();
//! copy[1].hash.0[31] ^= 1;
//! let m = vpdq_match(&copy, &known, &MatchSettings::default());
//! assert!(m.is_match && m.query_match_percent == 100.0);
//! let mut text = Vec::new();
//! write_vpdq(&mut text, &copy)?;
//! assert_eq!(read_vpdq(text.as_slice())?, copy);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(feature = "ffmpeg")]
mod decode;
mod error;
#[cfg(feature = "ffmpeg")]
mod sheet;
#[cfg(feature = "ffmpeg")]
mod skip;
mod vpdq;
pub mod worker;

use std::collections::BTreeMap;
#[cfg(feature = "ffmpeg")]
use std::path::Path;
#[cfg(feature = "ffmpeg")]
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

pub use error::{Result, VideoError, VpdqFileError};
pub use spoor_pdq::{DihedralHashes, PdqHash};
pub use vpdq::{
    Frame, MatchSettings, VpdqMatch, parse_vpdq_line, read_vpdq, vpdq_match, write_vpdq,
};

/// How a video is sampled, hashed and bounded. Missing fields take their
/// defaults when deserialised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VideoSettings {
    /// Frames hashed per second of presentation time; `0` (or anything
    /// not positive and finite) hashes every decoded frame.
    pub fps: f64,
    /// `None`: hash each frame at its decoded size (the reference's
    /// default). `Some(n)`: scale to n×n first, as the reference's `-s n`.
    pub downsample: Option<u32>,
    /// Wall-clock cap for one file, in seconds (open, decode and hash).
    pub max_decode_secs: u64,
    /// Cap on decoded frames (not only sampled ones).
    pub max_frames: u64,
    /// Cap on pixels per frame (`width * height`).
    pub max_pixels: u64,
    /// The contact sheet's grid, or `None` for no sheet.
    pub contact_sheet: Option<SheetLayout>,
    /// Decoder threads; `0` lets FFmpeg choose (one per core).
    pub threads: usize,
    /// Leave undecoded the frames on which no sample can fall when nothing
    /// else needs them: non-reference frames of H.264 and MPEG-1/2/4 in
    /// MP4/MOV or Matroska, any frame of intra-only codecs (MJPEG, ...).
    /// Exact: the hashes, frame numbers and timestamps are those of full
    /// decoding; see the crate docs. About 40 % less decoding for typical
    /// H.264 at 1 fps, 96 % for MJPEG at 25 fps.
    pub skip_nonref: bool,
    /// Also compute the eight dihedral hashes of every sampled frame (one
    /// downsample and one DCT, as for a picture), handed to the frame
    /// callback of [`fingerprint_with`] and written on the worker's frame
    /// lines: what matching frames against picture PDQ sets needs. The
    /// frame's own hash is unchanged (the plain hash, as the reference's).
    pub dihedral: bool,
}

impl VideoSettings {
    /// 30 minutes: about two hours of 1080p H.264 on two cores.
    pub const DEFAULT_MAX_DECODE_SECS: u64 = 1800;
    /// 10 million frames: 46 hours at 60 frames per second.
    pub const DEFAULT_MAX_FRAMES: u64 = 10_000_000;
    /// 8192×8192; 8K UHD (7680×4320) fits.
    pub const DEFAULT_MAX_PIXELS: u64 = 8192 * 8192;

    /// Every frame, as the reference's sample hashes are made.
    pub fn every_frame() -> VideoSettings {
        VideoSettings {
            fps: 0.0,
            ..VideoSettings::default()
        }
    }
}

impl Default for VideoSettings {
    fn default() -> Self {
        VideoSettings {
            fps: 1.0,
            downsample: None,
            max_decode_secs: Self::DEFAULT_MAX_DECODE_SECS,
            max_frames: Self::DEFAULT_MAX_FRAMES,
            max_pixels: Self::DEFAULT_MAX_PIXELS,
            contact_sheet: Some(SheetLayout::default()),
            threads: 0,
            skip_nonref: true,
            dihedral: false,
        }
    }
}

/// A contact sheet's grid. Values are clamped to 1..=16 columns and rows
/// and 16..=640 pixels per tile, so a sheet is at most 10240 pixels wide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetLayout {
    pub cols: u32,
    pub rows: u32,
    /// Tile width in pixels; the height follows the display aspect ratio.
    pub tile_width: u32,
}

impl Default for SheetLayout {
    /// 4×4 tiles 160 pixels wide.
    fn default() -> Self {
        SheetLayout {
            cols: 4,
            rows: 4,
            tile_width: 160,
        }
    }
}

/// What is known about a video file before decoding it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VideoInfo {
    /// FFmpeg's demuxer name, e.g. `"mov,mp4,m4a,3gp,3g2,mj2"`, `"matroska,webm"`.
    pub container: String,
    /// FFmpeg's codec name of the chosen video stream, e.g. `"h264"`.
    pub codec: String,
    /// Size of the video stream as declared (0 when [`probe`] finds no
    /// decoder for the codec, or FFmpeg rejects the declared size).
    pub width: u32,
    pub height: u32,
    /// Sample aspect ratio `(num, den)` when the container or stream says
    /// pixels are not square.
    pub sample_aspect_ratio: Option<(u32, u32)>,
    /// From the container, else the stream.
    pub duration_secs: Option<f64>,
    /// Average frame rate, else FFmpeg's base rate.
    pub frame_rate: Option<f64>,
    /// The number of frames the container declares (not always present or
    /// true).
    pub declared_frames: Option<u64>,
    /// Rotation in degrees (counter-clockwise) from the stream's display
    /// matrix, as recorded by phones. Recorded, never applied: the reference
    /// hashes the stored pixels.
    pub rotation: Option<f64>,
    pub has_audio: bool,
    /// The container's (else the stream's) `creation_time` tag, as stored.
    pub creation_time: Option<String>,
    /// The container's tags as FFmpeg names them (`make`, `model`,
    /// `location`, `com.apple.quicktime.*`, `encoder`, ...). Values that
    /// are not UTF-8 are converted lossily.
    pub metadata: BTreeMap<String, String>,
}

/// A grid of frames, encoded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactSheet {
    /// The encoded picture.
    pub bytes: Vec<u8>,
    /// `"image/jpeg"`.
    pub mime: String,
    pub width: u32,
    pub height: u32,
    /// The timestamp (seconds) of each tile, row by row; fewer than the
    /// grid holds when the video has fewer frames.
    pub tiles: Vec<f64>,
}

/// Something worth recording about a video that was fingerprinted anyway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecodeWarning {
    /// `"read_error"`: the demuxer stopped early on an error (a truncated
    /// or damaged file); the frames before it are hashed.
    /// `"ended_early"`: the frames end well before the duration the
    /// container declares (typically a truncated file).
    /// `"corrupt_data"`: the decoder rejected packets or concealed errors.
    pub code: String,
    pub message: String,
}

/// A fingerprinted video.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VideoResult {
    pub info: VideoInfo,
    /// Sampled frames in presentation order.
    pub frames: Vec<Frame>,
    pub contact_sheet: Option<ContactSheet>,
    /// Frames the decoder produced (all of them, sampled or not).
    pub frames_decoded: u64,
    /// Non-reference frames left undecoded because no sample could fall on
    /// them ([`VideoSettings::skip_nonref`]); frames lost to decoding
    /// errors are counted here too when skipping was on.
    pub frames_skipped: u64,
    pub warnings: Vec<DecodeWarning>,
}

#[cfg(feature = "ffmpeg")]
/// Describes a file if it holds a video stream; `Ok(None)` for files that
/// FFmpeg does not recognise, containers without a video stream (audio
/// files; cover art does not count) and still pictures (FFmpeg's image
/// demuxers: JPEG, PNG, ... are for [`spoor_pdq`]).
///
/// A file whose signature says video but which FFmpeg cannot open is an
/// error ([`VideoError::Malformed`]), not `None`: it is evidence of a
/// damaged or disguised file.
pub fn probe(path: &Path) -> Result<Option<VideoInfo>> {
    decode::guarded(path, || decode::probe(path, &VideoSettings::default()))
}

#[cfg(feature = "ffmpeg")]
/// Decodes the best video stream and hashes sampled frames; see the crate
/// docs. `cancel` is polled between packets.
pub fn fingerprint(
    path: &Path,
    settings: &VideoSettings,
    cancel: Option<&AtomicBool>,
) -> Result<VideoResult> {
    fingerprint_with(path, settings, cancel, &mut |_, _| {})
}

#[cfg(feature = "ffmpeg")]
/// [`fingerprint`], calling `on_frame` as each sampled frame is hashed (for
/// progress, or to stream frames out of a worker process), with the frame's
/// eight dihedral hashes when [`VideoSettings::dihedral`] is set.
pub fn fingerprint_with(
    path: &Path,
    settings: &VideoSettings,
    cancel: Option<&AtomicBool>,
    on_frame: &mut dyn FnMut(&Frame, Option<&DihedralHashes>),
) -> Result<VideoResult> {
    decode::guarded(path, || {
        decode::fingerprint(path, settings, cancel, on_frame)
    })
}

#[cfg(feature = "ffmpeg")]
/// Turns FFmpeg's own log output on (warnings and errors, to stderr) or off
/// (the default: one damaged file can print thousands of lines).
pub fn set_ffmpeg_logging(on: bool) {
    decode::set_logging(on);
}
