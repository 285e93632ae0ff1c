//! Encoding synthetic scenes into the six picture formats the scanner reads.

use std::io::{self, Cursor};

use image::codecs::bmp::BmpEncoder;
use image::codecs::gif::{GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::tiff::TiffEncoder;
use image::codecs::webp::WebPEncoder;
use image::{Delay, ExtendedColorType, Frame, ImageEncoder, ImageError};

use crate::scene::{self, Look};

/// A picture container format, named as in [`crate::FixtureFile::format`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Jpeg,
    Png,
    Gif,
    Bmp,
    Tiff,
    WebP,
}

impl Format {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Gif => "gif",
            Self::Bmp => "bmp",
            Self::Tiff => "tiff",
            Self::WebP => "webp",
        }
    }

    /// Extensions (lower case) that truthfully name this format.
    pub(crate) fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Jpeg => &["jpg", "jpeg", "jpe", "jfif"],
            Self::Png => &["png"],
            Self::Gif => &["gif"],
            Self::Bmp => &["bmp", "dib"],
            Self::Tiff => &["tif", "tiff"],
            Self::WebP => &["webp"],
        }
    }

    /// Whether a file name's extension disagrees with the content.
    pub(crate) fn mismatches(self, name: &[u8]) -> bool {
        let ext = match name.iter().rposition(|&b| b == b'.') {
            Some(dot) => name[dot + 1..].to_ascii_lowercase(),
            None => return true,
        };
        !self.extensions().iter().any(|e| e.as_bytes() == ext)
    }
}

/// How one picture is drawn and stored.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Recipe {
    pub(crate) format: Format,
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) look: Look,
    pub(crate) seed: u64,
    /// PNG, GIF and WebP only: store an alpha channel.
    pub(crate) alpha: bool,
    /// GIF only: more than one frame makes an animation.
    pub(crate) frames: u32,
    /// Sensor-like noise, so photos compress like photos (0 for none).
    pub(crate) grain: u8,
}

/// Renders and encodes `recipe`. The encoders are deterministic, so the same
/// recipe gives the same bytes with the same `image` version.
pub(crate) fn encode(recipe: &Recipe) -> io::Result<Vec<u8>> {
    let Recipe {
        format,
        width: w,
        height: h,
        look,
        seed,
        alpha,
        grain,
        frames: _,
    } = *recipe;
    let mut out = Cursor::new(Vec::new());
    let result = if alpha {
        let img = scene::render_rgba(look, w, h, seed, grain);
        let color = ExtendedColorType::Rgba8;
        match format {
            Format::Png => PngEncoder::new(&mut out).write_image(&img, w, h, color),
            Format::WebP => WebPEncoder::new_lossless(&mut out).write_image(&img, w, h, color),
            Format::Gif => encode_gif(&mut out, recipe),
            other => {
                return Err(io::Error::other(format!(
                    "fixture recipe asks for alpha in {}",
                    other.name()
                )));
            }
        }
    } else if format == Format::Gif {
        encode_gif(&mut out, recipe)
    } else {
        let img = scene::render(look, w, h, seed, grain);
        let color = ExtendedColorType::Rgb8;
        match format {
            Format::Jpeg => {
                JpegEncoder::new_with_quality(&mut out, 85).write_image(&img, w, h, color)
            }
            Format::Png => PngEncoder::new(&mut out).write_image(&img, w, h, color),
            Format::Bmp => BmpEncoder::new(&mut out).write_image(&img, w, h, color),
            Format::Tiff => TiffEncoder::new(&mut out).write_image(&img, w, h, color),
            Format::WebP => WebPEncoder::new_lossless(&mut out).write_image(&img, w, h, color),
            Format::Gif => unreachable!("handled above"),
        }
    };
    result.map_err(image_error)?;
    Ok(out.into_inner())
}

/// GIF frames are drawn with consecutive seeds, so an animation's frames
/// differ while staying reproducible.
fn encode_gif(out: &mut Cursor<Vec<u8>>, recipe: &Recipe) -> Result<(), ImageError> {
    let mut encoder = GifEncoder::new_with_speed(out, 10);
    if recipe.frames > 1 {
        encoder.set_repeat(Repeat::Infinite)?;
    }
    let frames = (0..recipe.frames.max(1)).map(|i| {
        let seed = recipe.seed.wrapping_add(u64::from(i));
        let buffer =
            scene::render_rgba(recipe.look, recipe.width, recipe.height, seed, recipe.grain);
        Frame::from_parts(buffer, 0, 0, Delay::from_numer_denom_ms(120, 1))
    });
    encoder.encode_frames(frames)
}

fn image_error(err: ImageError) -> io::Error {
    match err {
        ImageError::IoError(e) => e,
        other => io::Error::other(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_mismatch_is_case_insensitive() {
        assert!(!Format::Jpeg.mismatches(b"IMG_0001.JPG"));
        assert!(!Format::Tiff.mismatches(b"scan.tif"));
        assert!(Format::Jpeg.mismatches(b"report.dat"));
        assert!(Format::Png.mismatches(b"photo.jpg"));
        assert!(Format::Png.mismatches(b"no-extension"));
    }
}
