//! From file bytes to the 8-bit RGB pixels PDQ hashes, guarded for hostile
//! input.
//!
//! * The format is found from the content, never from a file name.
//! * A pixel cap (default 100 megapixels) is checked from the header, and a
//!   memory limit is passed to the decoder, before any pixel buffer is
//!   allocated.
//! * A time cap (default 20 s per picture) is checked cooperatively: every
//!   time a decoder asks for input (at most 64 KiB at a time, so also within
//!   a JPEG's entropy decoding, a PNG's inflating, a GIF's LZW), and every
//!   16 output rows of a JPEG. Past it the decode stops with
//!   [`DecodeError::TimedOut`]. A JPEG with more scans than
//!   [`Limits::max_jpeg_scans`] is refused before decoding (scan floods).
//! * JPEG is decoded by libjpeg-turbo's code as the reference's Pillow does
//!   (see `jpeg.rs`), so its pixels, and hashes, are the reference's.
//! * Every decode runs under `catch_unwind`: a decoder panic becomes
//!   [`DecodeError::Panicked`], never a crash of the scan.
//! * Pixels become RGB as Pillow's `Image.convert("RGB")` makes them (what
//!   the reference's Python tools hash): alpha is dropped, not composited;
//!   palettes are looked up ignoring transparency; grey is replicated; 16-bit
//!   grey is scaled by 1/257 (rounded), other 16-bit pictures keep their high
//!   byte as Pillow's unpackers do; a GIF's first frame is laid on its
//!   logical screen filled with the transparent index (or index 0) as Pillow
//!   does.
//! * EXIF orientation is read and returned, never applied: the reference
//!   hashes the stored pixels, and callers record the tag.

use std::cell::Cell;
use std::io::{self, BufRead, Cursor, Read, Seek, SeekFrom};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat};
use serde::Serialize;

use crate::jpeg;
use crate::{DihedralHashes, PdqResult};

/// Decoding limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted `width * height`, checked from the header before
    /// decoding.
    pub max_pixels: u64,
    /// Largest allocation the decoder may make, in bytes.
    pub max_alloc: u64,
    /// Longest a picture's decoding may take; `None`: no cap. Checked at
    /// every input request of the decoder and every 16 output rows of a
    /// JPEG (see the module docs); zero stops at the first check.
    pub max_decode_time: Option<Duration>,
    /// Most scans a JPEG may have (a progressive JPEG has about 10; every
    /// scan revisits the whole picture, so thousands are a denial of
    /// service, as libjpeg-turbo warns).
    pub max_jpeg_scans: u32,
}

impl Limits {
    /// 100 megapixels.
    pub const DEFAULT_MAX_PIXELS: u64 = 100_000_000;
    /// 1 GiB: a 100-megapixel RGBA picture at 16 bits per channel fits.
    pub const DEFAULT_MAX_ALLOC: u64 = 1 << 30;
    /// 20 s: the worst legitimate picture (100 megapixels, progressive)
    /// decodes in a few seconds on a slow core.
    pub const DEFAULT_MAX_DECODE_TIME: Duration = Duration::from_secs(20);
    /// 500, the limit libjpeg-turbo's own fuzzers and `djpeg -maxscans`
    /// examples use.
    pub const DEFAULT_MAX_JPEG_SCANS: u32 = 500;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pixels: Self::DEFAULT_MAX_PIXELS,
            max_alloc: Self::DEFAULT_MAX_ALLOC,
            max_decode_time: Some(Self::DEFAULT_MAX_DECODE_TIME),
            max_jpeg_scans: Self::DEFAULT_MAX_JPEG_SCANS,
        }
    }
}

/// What is known about a decoded picture besides its pixels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageInfo {
    pub width: u32,
    pub height: u32,
    /// `"jpeg"`, `"png"`, `"gif"`, `"bmp"`, `"tiff"` or `"webp"`.
    pub format: &'static str,
    /// The EXIF orientation tag (1..=8 when valid) as stored; not applied.
    pub orientation: Option<u16>,
    /// Number of frames for animated or multi-frame files (every GIF, an
    /// APNG, an animated WebP); `None` for single pictures. Only the first
    /// frame is decoded and hashed.
    pub frames: Option<u32>,
}

/// A decoded picture: 8-bit RGB, interleaved, row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub info: ImageInfo,
    /// `width * height * 3` bytes.
    pub rgb: Vec<u8>,
}

/// Why a picture could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("not a picture format this tool decodes")]
    UnknownFormat,
    #[error("{0} pictures are recognised but not decoded by this build")]
    UnsupportedFormat(&'static str),
    #[error(
        "{format}: {width}x{height} is {} pixels, over the cap of {max_pixels}",
        u64::from(*width) * u64::from(*height)
    )]
    TooManyPixels {
        format: &'static str,
        width: u32,
        height: u32,
        max_pixels: u64,
    },
    #[error("{format}: decoding needs more memory than the limit of {max_alloc} bytes")]
    MemoryLimit {
        format: &'static str,
        max_alloc: u64,
    },
    #[error("{format}: unsupported feature: {message}")]
    Unsupported {
        format: &'static str,
        message: String,
    },
    #[error("{format}: malformed or truncated: {message}")]
    Malformed {
        format: &'static str,
        message: String,
    },
    #[error("{format}: the decoder panicked: {message}")]
    Panicked {
        format: &'static str,
        message: String,
    },
    #[error(
        "{format}: decoding was stopped at the time cap of {} s per picture",
        limit.as_secs_f64()
    )]
    TimedOut {
        format: &'static str,
        limit: Duration,
    },
    #[error("jpeg: {scans} scans, over the cap of {max_scans} (a scan flood; not decoded)")]
    TooManyScans { scans: u32, max_scans: u32 },
}

impl DecodeError {
    /// A stable machine-readable code, for warnings recorded in a case.
    pub fn code(&self) -> &'static str {
        match self {
            DecodeError::UnknownFormat => "unknown_format",
            DecodeError::UnsupportedFormat(_) => "unsupported_format",
            DecodeError::TooManyPixels { .. } => "too_many_pixels",
            DecodeError::MemoryLimit { .. } => "memory_limit",
            DecodeError::Unsupported { .. } => "unsupported_feature",
            DecodeError::Malformed { .. } => "malformed",
            DecodeError::Panicked { .. } => "decoder_panicked",
            DecodeError::TimedOut { .. } => "timed_out",
            DecodeError::TooManyScans { .. } => "too_many_scans",
        }
    }
}

pub type Result<T> = std::result::Result<T, DecodeError>;

/// How many input bytes a decoder gets per request: the deadline is checked
/// between requests. Large enough that libjpeg-turbo's Huffman fast path
/// (which wants a few KiB buffered) is used almost all the time.
pub(crate) const CHUNK: usize = 64 * 1024;

/// When decoding must stop, if ever.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    at: Option<Instant>,
}

impl Deadline {
    pub(crate) fn start(limits: &Limits) -> Deadline {
        Deadline {
            at: limits.max_decode_time.and_then(|d| Instant::now().checked_add(d)),
        }
    }

    pub(crate) fn passed(&self) -> bool {
        self.at.is_some_and(|at| Instant::now() >= at)
    }
}

/// The file's bytes, handed to a decoder at most [`CHUNK`] at a time, with
/// the deadline checked at every request: past it, the read fails and
/// `timed_out` is set, so the decoder's error can be told apart.
#[derive(Debug)]
pub(crate) struct Input<'a> {
    data: &'a [u8],
    pos: usize,
    pub(crate) deadline: Deadline,
    /// Set when the deadline stopped a read.
    pub(crate) timed_out: &'a Cell<bool>,
    /// Set when a read found no more data (libjpeg then fakes an end marker).
    pub(crate) ran_out: &'a Cell<bool>,
}

impl<'a> Input<'a> {
    pub(crate) fn new(
        data: &'a [u8],
        deadline: Deadline,
        timed_out: &'a Cell<bool>,
        ran_out: &'a Cell<bool>,
    ) -> Input<'a> {
        Input {
            data,
            pos: 0,
            deadline,
            timed_out,
            ran_out,
        }
    }
}

impl BufRead for Input<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.deadline.passed() {
            self.timed_out.set(true);
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the decoding time cap has passed",
            ));
        }
        let start = self.pos.min(self.data.len());
        let end = start.saturating_add(CHUNK).min(self.data.len());
        if start == end {
            self.ran_out.set(true);
        }
        Ok(&self.data[start..end])
    }

    fn consume(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.data.len());
    }
}

impl Read for Input<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let chunk = self.fill_buf()?;
        let n = chunk.len().min(out.len());
        out[..n].copy_from_slice(&chunk[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl Seek for Input<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let len = self.data.len() as i128;
        let target = match to {
            SeekFrom::Start(n) => i128::from(n),
            SeekFrom::End(d) => len + i128::from(d),
            SeekFrom::Current(d) => self.pos as i128 + i128::from(d),
        };
        if target < 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start",
            ));
        }
        // Past the end is allowed (reads then find nothing), as for a Cursor.
        self.pos = usize::try_from(target).unwrap_or(usize::MAX);
        Ok(self.pos as u64)
    }
}

pub(crate) fn timed_out_error(format: &'static str, limits: &Limits) -> DecodeError {
    DecodeError::TimedOut {
        format,
        limit: limits.max_decode_time.unwrap_or_default(),
    }
}

/// Decodes a picture's first frame to 8-bit RGB (see the module docs for
/// the conversions).
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Decoded> {
    let deadline = Deadline::start(limits);
    let format = sniff(bytes)?;
    let name = format_name(format);
    match catch_unwind(AssertUnwindSafe(|| {
        decode_unguarded(bytes, format, limits, deadline)
    })) {
        Ok(result) => result,
        Err(payload) => Err(DecodeError::Panicked {
            format: name,
            message: panic_message(payload.as_ref()),
        }),
    }
}

/// Decodes and hashes; the pixels are dropped, the description kept.
pub fn hash_file_bytes(bytes: &[u8], limits: &Limits) -> Result<(PdqResult, ImageInfo)> {
    let d = decode(bytes, limits)?;
    let r = crate::hash_rgb(d.info.width, d.info.height, &d.rgb);
    Ok((r, d.info))
}

/// Decodes and computes the eight dihedral hashes (whose `original` is the
/// plain hash, except for exactly 64×64 pictures: see
/// [`crate::dihedral_luma_f32`]).
pub fn dihedral_file_bytes(bytes: &[u8], limits: &Limits) -> Result<(DihedralHashes, ImageInfo)> {
    let d = decode(bytes, limits)?;
    let r = crate::dihedral_rgb(d.info.width, d.info.height, &d.rgb);
    Ok((r, d.info))
}

/// Decodes once and gives both the plain hash (what is stored for the
/// picture) and the eight dihedral hashes (what is matched). They share the
/// downsample and DCT, so `plain` is `variants.original`, except for
/// exactly 64×64 pictures, which the reference hashes unfiltered but
/// filters for its dihedral hashes (see [`crate::dihedral_luma_f32`]).
pub fn fingerprint_file_bytes(
    bytes: &[u8],
    limits: &Limits,
) -> Result<(PdqResult, DihedralHashes, ImageInfo)> {
    let d = decode(bytes, limits)?;
    let (w, h) = (d.info.width, d.info.height);
    let variants = crate::dihedral_rgb(w, h, &d.rgb);
    let plain = if (w, h) == (64, 64) {
        crate::hash_rgb(w, h, &d.rgb)
    } else {
        PdqResult {
            hash: variants.original,
            quality: variants.quality,
        }
    };
    Ok((plain, variants, d.info))
}

fn sniff(bytes: &[u8]) -> Result<ImageFormat> {
    let format = image::guess_format(bytes).map_err(|_| DecodeError::UnknownFormat)?;
    match format {
        ImageFormat::Jpeg
        | ImageFormat::Png
        | ImageFormat::Gif
        | ImageFormat::Bmp
        | ImageFormat::Tiff
        | ImageFormat::WebP => Ok(format),
        other => Err(DecodeError::UnsupportedFormat(
            other.extensions_str().first().copied().unwrap_or("unknown"),
        )),
    }
}

fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::Png => "png",
        ImageFormat::Gif => "gif",
        ImageFormat::Bmp => "bmp",
        ImageFormat::Tiff => "tiff",
        ImageFormat::WebP => "webp",
        _ => "unknown",
    }
}

pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-text panic payload".to_string()
    }
}

fn decode_unguarded(
    bytes: &[u8],
    format: ImageFormat,
    limits: &Limits,
    deadline: Deadline,
) -> Result<Decoded> {
    let name = format_name(format);
    let (width, height, rgb) = match format {
        ImageFormat::Gif => gif_first_frame(bytes, limits, deadline)?,
        ImageFormat::Jpeg => jpeg::decode(bytes, limits, deadline)?,
        _ => decode_with_image(bytes, format, limits, deadline)?,
    };
    let info = ImageInfo {
        width,
        height,
        format: name,
        orientation: exif_orientation(bytes),
        frames: count_frames(bytes, format),
    };
    Ok(Decoded { info, rgb })
}

pub(crate) fn check_pixels(name: &'static str, width: u32, height: u32, limits: &Limits) -> Result<()> {
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(DecodeError::TooManyPixels {
            format: name,
            width,
            height,
            max_pixels: limits.max_pixels,
        });
    }
    Ok(())
}

fn image_error(name: &'static str, limits: &Limits, e: ImageError) -> DecodeError {
    match e {
        ImageError::Limits(_) => DecodeError::MemoryLimit {
            format: name,
            max_alloc: limits.max_alloc,
        },
        ImageError::Unsupported(u) => DecodeError::Unsupported {
            format: name,
            message: u.to_string(),
        },
        other => DecodeError::Malformed {
            format: name,
            message: other.to_string(),
        },
    }
}

fn decode_with_image(
    bytes: &[u8],
    format: ImageFormat,
    limits: &Limits,
    deadline: Deadline,
) -> Result<(u32, u32, Vec<u8>)> {
    let name = format_name(format);
    let (timed_out, ran_out) = (Cell::new(false), Cell::new(false));
    let err = |e| {
        if timed_out.get() {
            timed_out_error(name, limits)
        } else {
            image_error(name, limits, e)
        }
    };
    let mut image_limits = image::Limits::default();
    image_limits.max_alloc = Some(limits.max_alloc);
    let input = Input::new(bytes, deadline, &timed_out, &ran_out);
    let mut reader = image::ImageReader::with_format(input, format);
    reader.limits(image_limits.clone());
    // Reads the header only.
    let decoder = reader.into_decoder().map_err(err)?;
    let (width, height) = decoder.dimensions();
    check_pixels(name, width, height, limits)?;
    image_limits.reserve(decoder.total_bytes()).map_err(err)?;
    let picture = DynamicImage::from_decoder(decoder).map_err(err)?;
    if timed_out.get() {
        // A decoder that took the failed read for the end of its data.
        return Err(timed_out_error(name, limits));
    }
    Ok((width, height, pillow_rgb(picture)))
}

/// RGB as Pillow's `convert("RGB")` gives it (16-bit grey: as the reference
/// CSV's generator scaled it, round(v / 257)).
fn pillow_rgb(picture: DynamicImage) -> Vec<u8> {
    fn grey(values: impl Iterator<Item = u8>, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n * 3);
        for v in values {
            out.extend_from_slice(&[v, v, v]);
        }
        out
    }
    let n = picture.width() as usize * picture.height() as usize;
    let high = |v: u16| (v >> 8) as u8;
    match picture {
        DynamicImage::ImageRgb8(b) => b.into_raw(),
        DynamicImage::ImageRgba8(b) => b
            .as_raw()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect(),
        DynamicImage::ImageLuma8(b) => grey(b.as_raw().iter().copied(), n),
        DynamicImage::ImageLumaA8(b) => grey(b.as_raw().chunks_exact(2).map(|p| p[0]), n),
        DynamicImage::ImageLuma16(b) => grey(
            b.as_raw()
                .iter()
                .map(|&v| ((u32::from(v) + 128) / 257) as u8),
            n,
        ),
        DynamicImage::ImageLumaA16(b) => grey(b.as_raw().chunks_exact(2).map(|p| high(p[0])), n),
        DynamicImage::ImageRgb16(b) => b.as_raw().iter().map(|&v| high(v)).collect(),
        DynamicImage::ImageRgba16(b) => b
            .as_raw()
            .chunks_exact(4)
            .flat_map(|p| [high(p[0]), high(p[1]), high(p[2])])
            .collect(),
        other => other.to_rgb8().into_raw(),
    }
}

/// The first frame of a GIF as Pillow composes it: a canvas the size of the
/// logical screen (grown if the frame overhangs it), filled with the
/// frame's transparent index, or index 0 without one; the frame's indices
/// placed on it; every index looked up in the local palette, else the global
/// one, else taken as grey. Transparency is not applied, as in Pillow's
/// `convert("RGB")`.
fn gif_first_frame(
    bytes: &[u8],
    limits: &Limits,
    deadline: Deadline,
) -> Result<(u32, u32, Vec<u8>)> {
    let name = "gif";
    let (timed_out, ran_out) = (Cell::new(false), Cell::new(false));
    let malformed = |e: gif::DecodingError| match e {
        _ if timed_out.get() => timed_out_error(name, limits),
        gif::DecodingError::MemoryLimit | gif::DecodingError::OutOfMemory => {
            DecodeError::MemoryLimit {
                format: name,
                max_alloc: limits.max_alloc,
            }
        }
        other => DecodeError::Malformed {
            format: name,
            message: other.to_string(),
        },
    };
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    options.set_memory_limit(match std::num::NonZeroU64::new(limits.max_alloc) {
        Some(n) => gif::MemoryLimit::Bytes(n),
        None => gif::MemoryLimit::Unlimited,
    });
    let input = Input::new(bytes, deadline, &timed_out, &ran_out);
    let mut decoder = options.read_info(input).map_err(malformed)?;
    let (screen_w, screen_h) = (u32::from(decoder.width()), u32::from(decoder.height()));
    let global: Option<Vec<u8>> = decoder.global_palette().map(<[u8]>::to_vec);
    let Some(frame) = decoder.next_frame_info().map_err(malformed)? else {
        return Err(DecodeError::Malformed {
            format: name,
            message: "no image in the file".to_string(),
        });
    };
    let (left, top) = (u32::from(frame.left), u32::from(frame.top));
    let (fw, fh) = (u32::from(frame.width), u32::from(frame.height));
    let width = screen_w.max(left + fw);
    let height = screen_h.max(top + fh);
    check_pixels(name, width, height, limits)?;
    let canvas_bytes = u64::from(width) * u64::from(height) * 4 + u64::from(fw) * u64::from(fh);
    if canvas_bytes > limits.max_alloc {
        return Err(DecodeError::MemoryLimit {
            format: name,
            max_alloc: limits.max_alloc,
        });
    }
    let fill = frame.transparent.unwrap_or(0);
    let local = frame.palette.clone();
    let mut indices = vec![0u8; fw as usize * fh as usize];
    decoder.read_into_buffer(&mut indices).map_err(malformed)?;
    if timed_out.get() {
        return Err(timed_out_error(name, limits));
    }

    let (w, h) = (width as usize, height as usize);
    let mut canvas = vec![fill; w * h];
    for (y, row) in indices.chunks_exact(fw.max(1) as usize).enumerate() {
        let start = (top as usize + y) * w + left as usize;
        canvas[start..start + row.len()].copy_from_slice(row);
    }
    let palette = local.or(global);
    let mut rgb = Vec::with_capacity(w * h * 3);
    for &i in &canvas {
        let i = usize::from(i);
        match &palette {
            Some(p) => match p.get(i * 3..i * 3 + 3) {
                Some(c) => rgb.extend_from_slice(c),
                None => rgb.extend_from_slice(&[0, 0, 0]),
            },
            None => rgb.extend_from_slice(&[i as u8, i as u8, i as u8]),
        }
    }
    Ok((width, height, rgb))
}

/// The EXIF orientation tag, from any container kamadak-exif reads (JPEG,
/// TIFF, PNG, WebP, HEIF). Unreadable EXIF is simply no orientation.
fn exif_orientation(bytes: &[u8]) -> Option<u16> {
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok()?;
    let field = exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?;
    u16::try_from(field.value.get_uint(0)?).ok()
}

fn count_frames(bytes: &[u8], format: ImageFormat) -> Option<u32> {
    match format {
        ImageFormat::Gif => gif_frame_count(bytes),
        ImageFormat::Png => apng_frame_count(bytes),
        ImageFormat::WebP => webp_frame_count(bytes),
        _ => None,
    }
}

/// Counts image descriptors by walking the GIF block structure, without
/// decompressing anything.
fn gif_frame_count(b: &[u8]) -> Option<u32> {
    let flags = *b.get(10)?;
    let mut p = 13;
    if flags & 0x80 != 0 {
        p += 3 << ((flags & 7) + 1);
    }
    let skip_sub_blocks = |mut p: usize| -> Option<usize> {
        loop {
            let n = usize::from(*b.get(p)?);
            p += 1;
            if n == 0 {
                return Some(p);
            }
            p += n;
        }
    };
    let mut frames = 0u32;
    loop {
        match b.get(p) {
            Some(0x21) => p = skip_sub_blocks(p + 2)?,
            Some(0x2C) => {
                let flags = *b.get(p + 9)?;
                p += 10;
                if flags & 0x80 != 0 {
                    p += 3 << ((flags & 7) + 1);
                }
                frames += 1;
                // LZW minimum code size, then the data sub-blocks.
                p = match skip_sub_blocks(p + 1) {
                    Some(p) => p,
                    None => break,
                };
            }
            _ => break,
        }
    }
    Some(frames)
}

/// `num_frames` of the `acTL` chunk, when the PNG is animated.
fn apng_frame_count(b: &[u8]) -> Option<u32> {
    let mut p = 8;
    while p + 8 <= b.len() {
        let len = u32::from_be_bytes(b[p..p + 4].try_into().ok()?) as usize;
        let kind = &b[p + 4..p + 8];
        if kind == b"acTL" {
            let data = b.get(p + 8..p + 12)?;
            return Some(u32::from_be_bytes(data.try_into().ok()?));
        }
        if kind == b"IDAT" {
            return None;
        }
        p = p.checked_add(12)?.checked_add(len)?;
    }
    None
}

/// Number of `ANMF` chunks, when the WebP is animated.
fn webp_frame_count(b: &[u8]) -> Option<u32> {
    let mut p = 12;
    let mut frames = 0u32;
    let mut animated = false;
    while p + 8 <= b.len() {
        let kind = &b[p..p + 4];
        let len = u32::from_le_bytes(b[p + 4..p + 8].try_into().ok()?) as usize;
        match kind {
            b"ANIM" => animated = true,
            b"ANMF" => frames += 1,
            _ => {}
        }
        p = p.checked_add(8)?.checked_add(len)?.checked_add(len & 1)?;
    }
    animated.then_some(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).expect("encode");
        out.into_inner()
    }

    fn gradient(w: u32, h: u32) -> image::RgbImage {
        image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x * 3) as u8, (y * 5) as u8, ((x + y) * 2) as u8])
        })
    }

    #[test]
    fn lossless_formats_round_trip_pixels() {
        let img = DynamicImage::ImageRgb8(gradient(40, 30));
        for format in [ImageFormat::Png, ImageFormat::Bmp, ImageFormat::Tiff] {
            let bytes = encode(&img, format);
            let d = decode(&bytes, &Limits::default()).expect("decodes");
            assert_eq!((d.info.width, d.info.height), (40, 30));
            assert_eq!(d.rgb, img.to_rgb8().into_raw(), "{format:?}");
            assert_eq!(d.info.orientation, None);
            assert_eq!(d.info.frames, None);
        }
    }

    #[test]
    fn alpha_is_dropped_not_composited() {
        let img =
            image::RgbaImage::from_fn(8, 8, |x, _| image::Rgba([200, 100, 50, (x * 30) as u8]));
        let bytes = encode(&DynamicImage::ImageRgba8(img), ImageFormat::Png);
        let d = decode(&bytes, &Limits::default()).expect("decodes");
        assert!(d.rgb.chunks_exact(3).all(|p| p == [200, 100, 50]));
    }

    #[test]
    fn sixteen_bit_grey_scaled_by_257() {
        let img = image::ImageBuffer::<image::Luma<u16>, _>::from_fn(4, 4, |x, y| {
            image::Luma([[
                0u16,
                128,
                129,
                385,
                65535,
                257 * 7,
                257 * 7 + 128,
                257 * 7 + 129,
            ][((y * 4 + x) % 8) as usize]])
        });
        let bytes = encode(&DynamicImage::ImageLuma16(img), ImageFormat::Png);
        let d = decode(&bytes, &Limits::default()).expect("decodes");
        let firsts: Vec<u8> = d.rgb.chunks_exact(3).map(|p| p[0]).take(8).collect();
        assert_eq!(firsts, [0, 0, 1, 1, 255, 7, 7, 8]);
    }

    #[test]
    fn refuses_huge_png_from_its_header() {
        // A valid PNG header claiming 100,000 x 100,000 pixels, no data.
        let mut png = Vec::new();
        png.extend_from_slice(b"\x89PNG\r\n\x1a\n");
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        png.extend_from_slice(&13u32.to_be_bytes());
        let mut chunk = b"IHDR".to_vec();
        chunk.extend_from_slice(&ihdr);
        png.extend_from_slice(&chunk);
        png.extend_from_slice(&crc32(&chunk).to_be_bytes());
        for (kind, data) in [
            (&b"IDAT"[..], &b"\x78\x9c\x03\x00\x00\x00\x00\x01"[..]),
            (b"IEND", b""),
        ] {
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let mut chunk = kind.to_vec();
            chunk.extend_from_slice(data);
            png.extend_from_slice(&chunk);
            png.extend_from_slice(&crc32(&chunk).to_be_bytes());
        }
        let err = decode(&png, &Limits::default()).expect_err("refused");
        assert!(
            matches!(
                err,
                DecodeError::TooManyPixels { .. } | DecodeError::MemoryLimit { .. }
            ),
            "{err}"
        );
        // With no memory limit the pixel cap still refuses it.
        let lax = Limits {
            max_pixels: Limits::DEFAULT_MAX_PIXELS,
            max_alloc: u64::MAX,
            ..Limits::default()
        };
        let err = decode(&png, &lax).expect_err("refused");
        assert_eq!(err.code(), "too_many_pixels", "{err}");
    }

    #[test]
    fn pixel_cap_is_configurable() {
        let bytes = encode(&DynamicImage::ImageRgb8(gradient(40, 30)), ImageFormat::Png);
        let tight = Limits {
            max_pixels: 1000,
            ..Limits::default()
        };
        let err = decode(&bytes, &tight).expect_err("over the cap");
        assert_eq!(
            err,
            DecodeError::TooManyPixels {
                format: "png",
                width: 40,
                height: 30,
                max_pixels: 1000
            }
        );
        assert!(err.to_string().contains("1200 pixels"));
    }

    #[test]
    fn garbage_and_truncation_are_errors() {
        assert_eq!(
            decode(b"hello", &Limits::default()),
            Err(DecodeError::UnknownFormat)
        );
        let bytes = encode(&DynamicImage::ImageRgb8(gradient(64, 64)), ImageFormat::Png);
        let err = decode(&bytes[..bytes.len() / 2], &Limits::default()).expect_err("truncated");
        assert_eq!(err.code(), "malformed", "{err}");
        let jpeg = encode(
            &DynamicImage::ImageRgb8(gradient(64, 64)),
            ImageFormat::Jpeg,
        );
        let _ = decode(&jpeg[..jpeg.len() / 3], &Limits::default());
    }

    #[test]
    fn gif_first_frame_uses_palette_colour_of_transparent_pixels() {
        // 4x2 screen, one 2x2 frame at (1, 0), palette: 0 red, 1 green,
        // 2 blue, 3 white; index 2 transparent.
        let palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
        let mut bytes = Vec::new();
        {
            let mut enc = gif::Encoder::new(&mut bytes, 4, 2, &palette).expect("encoder");
            let mut frame = gif::Frame::from_indexed_pixels(2, 2, vec![1, 2, 3, 1], Some(2));
            frame.left = 1;
            enc.write_frame(&frame).expect("frame");
            let second = gif::Frame::from_indexed_pixels(4, 2, vec![0; 8], None);
            enc.write_frame(&second).expect("frame");
        }
        let d = decode(&bytes, &Limits::default()).expect("decodes");
        assert_eq!(
            (d.info.width, d.info.height, d.info.frames),
            (4, 2, Some(2))
        );
        let px: Vec<&[u8]> = d.rgb.chunks_exact(3).collect();
        // Outside the frame: the transparent index's colour (blue).
        assert_eq!(px[0], [0, 0, 255]);
        assert_eq!(px[1], [0, 255, 0]);
        assert_eq!(px[2], [0, 0, 255]);
        assert_eq!(px[5], [255, 255, 255]);
        assert_eq!(px[6], [0, 255, 0]);
    }

    #[test]
    fn exif_orientation_is_returned_not_applied() {
        let img = DynamicImage::ImageRgb8(gradient(40, 30));
        let jpeg = encode(&img, ImageFormat::Jpeg);
        // Insert an APP1 EXIF segment with orientation 6 after SOI.
        let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
        tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
        tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
        tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
        tiff.extend_from_slice(&1u32.to_be_bytes()); // count
        tiff.extend_from_slice(&[0, 6, 0, 0]); // value
        tiff.extend_from_slice(&0u32.to_be_bytes()); // next IFD
        let mut app1 = b"Exif\x00\x00".to_vec();
        app1.extend_from_slice(&tiff);
        let mut with_exif = jpeg[..2].to_vec();
        with_exif.extend_from_slice(&[0xFF, 0xE1]);
        with_exif.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        with_exif.extend_from_slice(&app1);
        with_exif.extend_from_slice(&jpeg[2..]);
        let d = decode(&with_exif, &Limits::default()).expect("decodes");
        assert_eq!(d.info.orientation, Some(6));
        assert_eq!((d.info.width, d.info.height), (40, 30));
        let plain = decode(&jpeg, &Limits::default()).expect("decodes");
        assert_eq!(plain.rgb, d.rgb);
    }

    #[test]
    fn fingerprint_gives_the_plain_hash_and_the_variants() {
        for (w, h) in [(64, 64), (90, 70)] {
            let bytes = encode(&DynamicImage::ImageRgb8(gradient(w, h)), ImageFormat::Png);
            let (plain, variants, info) =
                fingerprint_file_bytes(&bytes, &Limits::default()).expect("decodes");
            let (want, _) = hash_file_bytes(&bytes, &Limits::default()).expect("decodes");
            assert_eq!(plain, want, "{w}x{h}");
            let (all, _) = dihedral_file_bytes(&bytes, &Limits::default()).expect("decodes");
            assert_eq!(variants, all);
            assert_eq!((info.width, info.height), (w, h));
        }
        for d in crate::Dihedral::ALL {
            assert_eq!(crate::Dihedral::from_name(d.as_str()), Some(d));
            assert_eq!(crate::Dihedral::from_name(d.name()), Some(d));
        }
    }

    fn progressive_jpeg(w: usize, h: usize) -> Vec<u8> {
        let rgb = gradient(w as u32, h as u32).into_raw();
        let mut c = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
        c.set_size(w, h);
        c.set_quality(90.0);
        c.set_progressive_mode();
        let mut started = c.start_compress(Vec::new()).expect("start");
        started.write_scanlines(&rgb).expect("rows");
        started.finish().expect("finish")
    }

    /// A progressive JPEG whose last scan is repeated `extra` times: libjpeg
    /// only warns about the repeated progression and decodes every copy,
    /// each a full pass over the coefficients (a scan flood).
    fn scan_flood(extra: usize) -> Vec<u8> {
        let jpeg = progressive_jpeg(64, 48);
        let last_sos = jpeg
            .windows(2)
            .rposition(|w| w == [0xFF, 0xDA])
            .expect("a scan");
        assert_eq!(&jpeg[jpeg.len() - 2..], [0xFF, 0xD9]);
        let last_scan = &jpeg[last_sos..jpeg.len() - 2];
        let mut out = jpeg[..jpeg.len() - 2].to_vec();
        for _ in 0..extra {
            out.extend_from_slice(last_scan);
        }
        out.extend_from_slice(&[0xFF, 0xD9]);
        out
    }

    #[test]
    fn zero_time_cap_stops_every_format_at_its_first_check() {
        let img = DynamicImage::ImageRgb8(gradient(64, 48));
        let mut files = vec![("jpeg", progressive_jpeg(64, 48))];
        for format in [
            ImageFormat::Png,
            ImageFormat::Bmp,
            ImageFormat::Tiff,
            ImageFormat::Gif,
            ImageFormat::Jpeg,
        ] {
            files.push((format_name(format), encode(&img, format)));
        }
        let stop = Limits {
            max_decode_time: Some(Duration::ZERO),
            ..Limits::default()
        };
        let uncapped = Limits {
            max_decode_time: None,
            ..Limits::default()
        };
        for (name, bytes) in &files {
            let err = decode(bytes, &stop).expect_err("stopped");
            assert_eq!(err.code(), "timed_out", "{name}: {err}");
            assert_eq!(
                err,
                DecodeError::TimedOut {
                    format: name,
                    limit: Duration::ZERO
                }
            );
            assert!(err.to_string().contains("time cap of 0 s"), "{err}");
            let d = decode(bytes, &uncapped).expect("decodes without a cap");
            assert_eq!((d.info.width, d.info.height), (64, 48), "{name}");
            assert_eq!(d, decode(bytes, &Limits::default()).expect("decodes"));
        }
    }

    #[test]
    fn jpeg_scan_flood_is_refused_before_decoding() {
        let plain = progressive_jpeg(64, 48);
        let scans = jpeg::structure(&plain).scans;
        assert!(scans > 1 && scans < 20, "{scans} scans");
        let flood = scan_flood(3000);
        let err = decode(&flood, &Limits::default()).expect_err("refused");
        assert_eq!(
            err,
            DecodeError::TooManyScans {
                scans: scans + 3000,
                max_scans: Limits::DEFAULT_MAX_JPEG_SCANS
            }
        );
        assert_eq!(err.code(), "too_many_scans");
        // The cap is what refuses it: libjpeg itself would decode it (to the
        // same pixels, the repeated refinement adding nothing here)...
        let lax = Limits {
            max_jpeg_scans: u32::MAX,
            ..Limits::default()
        };
        let d = decode(&flood, &lax).expect("libjpeg decodes a flood");
        assert_eq!((d.info.width, d.info.height), (64, 48));
        // ... and the time cap still applies to it.
        let stop = Limits {
            max_decode_time: Some(Duration::ZERO),
            ..lax
        };
        assert_eq!(decode(&flood, &stop).expect_err("stopped").code(), "timed_out");
        // An ordinary progressive JPEG is far under the cap.
        assert!(decode(&plain, &Limits::default()).is_ok());
    }

    #[test]
    fn truncated_jpeg_is_refused_not_hashed_with_filler() {
        let img = DynamicImage::ImageRgb8(gradient(64, 64));
        for jpeg in [encode(&img, ImageFormat::Jpeg), progressive_jpeg(64, 64)] {
            for cut in [jpeg.len() / 3, jpeg.len() * 2 / 3] {
                let err = decode(&jpeg[..cut], &Limits::default()).expect_err("truncated");
                assert_eq!(err.code(), "malformed", "{err}");
                assert!(err.to_string().contains("truncated"), "{err}");
            }
            assert!(decode(&jpeg, &Limits::default()).is_ok());
        }
        // Cut inside the header: libjpeg's own fatal error, caught.
        let jpeg = encode(&img, ImageFormat::Jpeg);
        let err = decode(&jpeg[..40], &Limits::default()).expect_err("no frame");
        assert_eq!(err.code(), "malformed", "{err}");
    }

    #[test]
    fn jpeg_memory_cap_is_checked_from_the_header() {
        let jpeg = progressive_jpeg(64, 48);
        let tight = Limits {
            max_alloc: 64 * 48 * 3,
            ..Limits::default()
        };
        let err = decode(&jpeg, &tight).expect_err("over the memory cap");
        assert_eq!(err.code(), "memory_limit", "{err}");
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
