//! Why a video could not be fingerprinted, with a stable code per reason.

use std::io;
use std::path::PathBuf;

/// Why a video could not be probed or fingerprinted.
///
/// Every variant carries the path; [`VideoError::code`] is the stable,
/// machine-readable reason a case records and a UI switches on.
#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: not a regular file", path.display())]
    NotAFile { path: PathBuf },
    #[error("{}: the file is empty", path.display())]
    Empty { path: PathBuf },
    #[error("{}: not a media file FFmpeg recognises", path.display())]
    NotMedia { path: PathBuf },
    /// The content looks like a video container (by its signature) but
    /// FFmpeg cannot open it: truncated, damaged or a fake.
    #[error("{}: looks like {kind} but cannot be opened: {message}", path.display())]
    Malformed {
        path: PathBuf,
        kind: String,
        message: String,
    },
    /// Formats that open other files or network addresses (playlists,
    /// concatenation lists, SDP) are never followed.
    #[error(
        "{}: the {format} format refers to other files or addresses and is not followed",
        path.display()
    )]
    RefusedFormat { path: PathBuf, format: String },
    #[error("{}: no video stream (container {container})", path.display())]
    NoVideoStream { path: PathBuf, container: String },
    #[error("{}: no decoder for the {codec} video codec in this FFmpeg", path.display())]
    UnsupportedCodec { path: PathBuf, codec: String },
    /// A zero or absurd size (FFmpeg reports 0×0 for sizes over its own
    /// limits).
    #[error("{}: no usable frame size ({width}x{height})", path.display())]
    InvalidDimensions {
        path: PathBuf,
        width: u32,
        height: u32,
    },
    #[error(
        "{}: {width}x{height} is {} pixels per frame, over the cap of {max_pixels}",
        path.display(),
        u64::from(*width) * u64::from(*height)
    )]
    TooManyPixels {
        path: PathBuf,
        width: u32,
        height: u32,
        max_pixels: u64,
    },
    #[error(
        "{}: decoding took longer than the cap of {max_secs} s ({frames_decoded} frames decoded)",
        path.display()
    )]
    TimeLimit {
        path: PathBuf,
        max_secs: u64,
        frames_decoded: u64,
    },
    #[error("{}: more than the cap of {max_frames} frames", path.display())]
    FrameLimit { path: PathBuf, max_frames: u64 },
    #[error("{}: the video stream decoded to no frames", path.display())]
    NoFrames { path: PathBuf },
    #[error("{}: decoding failed: {message}", path.display())]
    Decode { path: PathBuf, message: String },
    #[error("{}: the decoder panicked: {message}", path.display())]
    Panicked { path: PathBuf, message: String },
    /// Cancelled through the caller's flag: an outcome the scan reports as
    /// such, not a fault of the file.
    #[error("{}: cancelled", path.display())]
    Cancelled { path: PathBuf },
    #[error("{}: the contact sheet could not be encoded: {message}", path.display())]
    ContactSheet { path: PathBuf, message: String },
}

impl VideoError {
    /// A stable machine-readable code, for warnings recorded in a case.
    pub fn code(&self) -> &'static str {
        match self {
            VideoError::Io { .. } => "io",
            VideoError::NotAFile { .. } => "not_a_file",
            VideoError::Empty { .. } => "empty",
            VideoError::NotMedia { .. } => "not_media",
            VideoError::Malformed { .. } => "malformed",
            VideoError::RefusedFormat { .. } => "refused_format",
            VideoError::NoVideoStream { .. } => "no_video_stream",
            VideoError::UnsupportedCodec { .. } => "unsupported_codec",
            VideoError::InvalidDimensions { .. } => "invalid_dimensions",
            VideoError::TooManyPixels { .. } => "too_many_pixels",
            VideoError::TimeLimit { .. } => "time_limit",
            VideoError::FrameLimit { .. } => "frame_limit",
            VideoError::NoFrames { .. } => "no_frames",
            VideoError::Decode { .. } => "decode_error",
            VideoError::Panicked { .. } => "decoder_panicked",
            VideoError::Cancelled { .. } => "cancelled",
            VideoError::ContactSheet { .. } => "contact_sheet",
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            VideoError::Io { path, .. }
            | VideoError::NotAFile { path }
            | VideoError::Empty { path }
            | VideoError::NotMedia { path }
            | VideoError::Malformed { path, .. }
            | VideoError::RefusedFormat { path, .. }
            | VideoError::NoVideoStream { path, .. }
            | VideoError::UnsupportedCodec { path, .. }
            | VideoError::InvalidDimensions { path, .. }
            | VideoError::TooManyPixels { path, .. }
            | VideoError::TimeLimit { path, .. }
            | VideoError::FrameLimit { path, .. }
            | VideoError::NoFrames { path }
            | VideoError::Decode { path, .. }
            | VideoError::Panicked { path, .. }
            | VideoError::Cancelled { path }
            | VideoError::ContactSheet { path, .. } => path,
        }
    }
}

pub type Result<T> = std::result::Result<T, VideoError>;

/// Why a vPDQ hash file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum VpdqFileError {
    #[error("reading the vPDQ file: {0}")]
    Io(#[from] io::Error),
    #[error("line {line}: {reason}")]
    Line { line: usize, reason: String },
}

impl VpdqFileError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            VpdqFileError::Io(_) => "io",
            VpdqFileError::Line { .. } => "malformed_line",
        }
    }
}
