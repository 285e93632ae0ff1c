//! JPEG decoding with libjpeg-turbo's arithmetic, as the reference pipeline
//! (Pillow, which links libjpeg-turbo) decodes: the accurate integer IDCT
//! (`JDCT_ISLOW`) and "fancy" (triangle-filter) chroma upsampling, both
//! libjpeg's defaults and Pillow's. The code is libjpeg-turbo's as mozjpeg
//! ships it (the `mozjpeg` crate builds it from source with `cc`; its SIMD
//! paths give the same pixels as its plain C), so the pixels are the ones
//! the reference hashed and the hashes agree bit for bit.
//!
//! Hostile input:
//! * the marker structure is walked first (no decoding): a JPEG with more
//!   scans than [`Limits::max_jpeg_scans`] is refused, since every scan of
//!   a progressive JPEG touches every coefficient block again (libjpeg-turbo's
//!   advice against scan floods);
//! * the pixel cap is checked from the header, and the memory the decode
//!   needs (output pixels, plus the whole-picture coefficient buffer of a
//!   progressive or multi-scan JPEG) against [`Limits::max_alloc`], before
//!   `jpeg_start_decompress` allocates anything large;
//! * libjpeg's fatal errors unwind out of its C code as Rust panics (the
//!   `mozjpeg` crate's error manager; the C is compiled with
//!   `-fexceptions`), are caught here and become [`DecodeError::Malformed`];
//!   the decompressor is destroyed on the way out, so nothing leaks;
//! * the deadline is checked each time libjpeg asks for input (every
//!   64 KiB, which covers the whole entropy-decoding pass of a
//!   progressive JPEG) and every 16 output rows;
//! * a JPEG whose data ends before its last row (libjpeg would warn, fake an
//!   end marker and fill the rest with flat grey) is refused as truncated,
//!   not hashed: half-grey pixels would give a fingerprint of a picture that
//!   does not exist, and the reference (Pillow) refuses such files too.

use std::cell::Cell;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use mozjpeg::{ColorSpace, DctMethod, Decompress};

use crate::decode::{DecodeError, Deadline, Input, Limits, Result, check_pixels, timed_out_error};

const NAME: &str = "jpeg";

/// What the marker walk found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Structure {
    /// Start-of-scan markers before the end marker (or the end of the data).
    pub(crate) scans: u32,
    /// A progressive frame (SOF2, 6, 10, 14).
    pub(crate) progressive: bool,
}

/// Walks the marker segments without decoding anything: counts the scans
/// (skipping each scan's entropy-coded data to the next marker) and notes
/// the frame type. Stops at the end marker or the end of the data.
pub(crate) fn structure(b: &[u8]) -> Structure {
    let mut s = Structure::default();
    let mut p = 2;
    loop {
        // Junk before a marker is skipped (libjpeg warns and does the same),
        // and so are fill bytes.
        match b.get(p..).and_then(|rest| rest.iter().position(|&x| x == 0xFF)) {
            Some(i) => p += i,
            None => return s,
        }
        while b.get(p) == Some(&0xFF) {
            p += 1;
        }
        let Some(&marker) = b.get(p) else {
            return s;
        };
        p += 1;
        match marker {
            0xD9 => return s,
            // Standalone markers: no length.
            0x00 | 0x01 | 0xD0..=0xD8 => continue,
            _ => {}
        }
        let Some(len) = b.get(p..p + 2).map(|l| usize::from(u16::from_be_bytes([l[0], l[1]]))) else {
            return s;
        };
        match marker {
            0xC2 | 0xC6 | 0xCA | 0xCE => s.progressive = true,
            0xDA => {
                s.scans = s.scans.saturating_add(1);
                // The entropy-coded data runs to the next marker: 0xFF not
                // followed by a stuffed zero or a restart marker.
                let mut q = p + len;
                loop {
                    match b.get(q..).and_then(|rest| rest.iter().position(|&x| x == 0xFF)) {
                        Some(i) => q += i,
                        None => return s,
                    }
                    match b.get(q + 1) {
                        None => return s,
                        Some(0x00 | 0xD0..=0xD7) => q += 2,
                        Some(_) => break,
                    }
                }
                p = q;
                continue;
            }
            _ => {}
        }
        p += len;
    }
}

/// The bytes libjpeg will need at once: the output pixels, and for a
/// progressive or multi-scan JPEG the whole picture's DCT coefficients (two
/// bytes each, up to 4 components, rounded up to whole 16x16 MCUs).
fn memory_estimate(width: u32, height: u32, components: usize, structure: &Structure) -> u64 {
    let (w, h) = (u64::from(width), u64::from(height));
    let out = w * h * 3;
    let coefficients = if structure.progressive || structure.scans > 1 {
        w.div_ceil(16) * 16 * h.div_ceil(16) * 16 * components.min(4) as u64 * 2
    } else {
        0
    };
    out + coefficients
}

/// Decodes a JPEG to 8-bit RGB as Pillow's `Image.open(...).convert("RGB")`
/// gives it (see the module docs).
pub(crate) fn decode(bytes: &[u8], limits: &Limits, deadline: Deadline) -> Result<(u32, u32, Vec<u8>)> {
    let structure = structure(bytes);
    if structure.scans > limits.max_jpeg_scans {
        return Err(DecodeError::TooManyScans {
            scans: structure.scans,
            max_scans: limits.max_jpeg_scans,
        });
    }
    let timed_out = Cell::new(false);
    let ran_out = Cell::new(false);
    let input = Input::new(bytes, deadline, &timed_out, &ran_out);
    let result = catch_unwind(AssertUnwindSafe(|| decode_libjpeg(input, limits, &structure, &ran_out)));
    if timed_out.get() {
        return Err(timed_out_error(NAME, limits));
    }
    match result {
        Ok(r) => r,
        Err(payload) => {
            let message = crate::decode::panic_message(payload.as_ref());
            match message.strip_prefix("libjpeg fatal error: ") {
                Some(m) => Err(DecodeError::Malformed {
                    format: NAME,
                    message: m.to_string(),
                }),
                // Not libjpeg's: let the outer guard report the panic.
                None => resume_unwind(payload),
            }
        }
    }
}

fn decode_libjpeg(
    input: Input<'_>,
    limits: &Limits,
    structure: &Structure,
    ran_out: &Cell<bool>,
) -> Result<(u32, u32, Vec<u8>)> {
    let deadline = input.deadline;
    let malformed = |e: io::Error| DecodeError::Malformed {
        format: NAME,
        message: e.to_string(),
    };
    // Reads the header (to the first scan) only.
    let mut d = Decompress::builder().from_reader(input).map_err(malformed)?;
    let (width, height) = (d.width(), d.height());
    let (width, height) = (
        u32::try_from(width).unwrap_or(u32::MAX),
        u32::try_from(height).unwrap_or(u32::MAX),
    );
    check_pixels(NAME, width, height, limits)?;
    let components = d.components().len();
    if memory_estimate(width, height, components, structure) > limits.max_alloc {
        return Err(DecodeError::MemoryLimit {
            format: NAME,
            max_alloc: limits.max_alloc,
        });
    }
    // libjpeg's defaults, and what Pillow leaves them at; set so that no
    // change of default can move a pixel silently.
    d.dct_method(DctMethod::IntegerSlow);
    d.do_fancy_upsampling(true);
    // Four components: Pillow asks libjpeg for CMYK (it converts YCCK) and
    // converts that itself; anything else: libjpeg's RGB (it replicates grey
    // and converts YCbCr).
    let cmyk = matches!(d.color_space(), ColorSpace::JCS_CMYK | ColorSpace::JCS_YCCK);
    let mut started = if cmyk {
        d.to_colorspace(ColorSpace::JCS_CMYK)
    } else {
        d.rgb()
    }
    .map_err(malformed)?;
    let (w, h) = (started.width(), started.height());
    if (w, h) != (width as usize, height as usize) {
        return Err(DecodeError::Malformed {
            format: NAME,
            message: format!("output size {w}x{h} differs from the header's {width}x{height}"),
        });
    }
    let channels = if cmyk { 4 } else { 3 };
    const ROWS: usize = 16;
    let mut rgb = Vec::new();
    rgb.try_reserve_exact(w * h * 3).map_err(|_| DecodeError::MemoryLimit {
        format: NAME,
        max_alloc: limits.max_alloc,
    })?;
    let mut rows = vec![0u8; w * ROWS * channels];
    let mut done = 0;
    while done < h {
        if deadline.passed() {
            return Err(timed_out_error(NAME, limits));
        }
        let n = ROWS.min(h - done);
        let chunk = &mut rows[..w * n * channels];
        started.read_scanlines_into::<u8>(chunk).map_err(malformed)?;
        if cmyk {
            rgb.extend(chunk.chunks_exact(4).flat_map(pillow_cmyk_to_rgb));
        } else {
            rgb.extend_from_slice(chunk);
        }
        done += n;
    }
    // Every row is out. Had the data ended first, libjpeg would have faked
    // an end marker and filled the rest with grey: refuse that.
    if ran_out.get() {
        return Err(DecodeError::Malformed {
            format: NAME,
            message: "truncated: the data ends before the last row (not hashed: the rest would be \
                      filler)"
                .to_string(),
        });
    }
    Ok((width, height, rgb))
}

/// Pillow's reading of a 4-component JPEG: raw mode `CMYK;I` (Adobe's
/// inverted convention, which Pillow assumes for every CMYK JPEG), then
/// `convert("RGB")`'s `cmyk2rgb`: `nk = 255 - k; out = nk - c * nk / 255`
/// with its rounding (`MULDIV255`).
fn pillow_cmyk_to_rgb(raw: &[u8]) -> [u8; 3] {
    let muldiv255 = |a: u32, b: u32| {
        let t = a * b + 128;
        ((t >> 8) + t) >> 8
    };
    let [c, m, y, k] = [raw[0], raw[1], raw[2], raw[3]].map(|v| u32::from(255 - v));
    let nk = 255 - k;
    [c, m, y].map(|v| nk.saturating_sub(muldiv255(v, nk)) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure_counts_scans_and_skips_entropy_data() {
        // SOI, SOF2 (len 2), SOS with stuffed 0xFF00 and a restart marker in
        // its data, a second SOS, EOI, then a third SOS after the end.
        let b = [
            0xFF, 0xD8, 0xFF, 0xC2, 0x00, 0x02, 0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF, 0x00, 0x34,
            0xFF, 0xD0, 0x56, 0xFF, 0xFF, 0xDA, 0x00, 0x02, 0x78, 0xFF, 0xD9, 0xFF, 0xDA, 0x00,
            0x02,
        ];
        assert_eq!(
            structure(&b),
            Structure {
                scans: 2,
                progressive: true
            }
        );
        // Truncated anywhere: no panic, a count so far.
        for n in 0..b.len() {
            let _ = structure(&b[..n]);
        }
    }

    #[test]
    fn pillow_cmyk_conversion() {
        // Inverted storage: raw 255 is 0 ink.
        assert_eq!(pillow_cmyk_to_rgb(&[255, 255, 255, 255]), [255, 255, 255]);
        assert_eq!(pillow_cmyk_to_rgb(&[255, 255, 255, 0]), [0, 0, 0]);
        assert_eq!(pillow_cmyk_to_rgb(&[0, 255, 127, 255]), [0, 255, 127]);
        // nk = 155, c = 100: 155 - round(100 * 155 / 255) = 155 - 61.
        assert_eq!(pillow_cmyk_to_rgb(&[155, 255, 255, 155]), [94, 155, 155]);
    }
}
