//! Pictures for PDQ matching: originals, and an evidence folder holding
//! resized, re-encoded, rotated and mirrored copies of them, an animated GIF
//! whose first frame is one of them, a nearly flat picture (low PDQ
//! quality), an unrelated picture and a truncated one that cannot be
//! decoded.
//!
//! A test builds a PDQ list from `originals/` (with `spoor hash`), imports
//! it and scans `evidence/`; [`PdqManifest`] says what each file is, so the
//! test asserts exact hits. Every byte is deterministic.

use std::fs;
use std::io::{self, Cursor};
use std::path::{Path, PathBuf};

use image::codecs::gif::{GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{DynamicImage, Frame, ImageFormat, RgbImage, RgbaImage};

use crate::scene::{Look, render};

/// One picture of the evidence folder derived from an original.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PdqCopy {
    /// Path under `evidence/`.
    pub path: String,
    /// File name of the original under `originals/`.
    pub original: String,
    /// What was done to the original.
    pub transform: &'static str,
    /// The dihedral variant (Spoor's name, `spoor_pdq::Dihedral::as_str`)
    /// of the copy's hash expected to come nearest the original's.
    pub variant: &'static str,
}

/// What [`generate_pdq`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PdqManifest {
    /// `OUT/originals`: the pictures a PDQ list is made from.
    pub originals_dir: PathBuf,
    /// `OUT/evidence`: the folder to scan.
    pub evidence_dir: PathBuf,
    /// File names under `originals/`.
    pub originals: Vec<String>,
    /// Copies of originals under `evidence/`.
    pub copies: Vec<PdqCopy>,
    /// A nearly flat picture, in both folders (identical bytes): its PDQ
    /// quality is under 50.
    pub low_quality: String,
    /// A picture like no original, under `evidence/`.
    pub unrelated: String,
    /// A truncated PNG under `evidence/`: a decode warning, no hit.
    pub broken: String,
}

fn jpeg(img: &RgbImage, quality: u8) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .map_err(io::Error::other)?;
    Ok(out)
}

fn encode(img: &RgbImage, format: ImageFormat) -> io::Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img.clone())
        .write_to(&mut out, format)
        .map_err(io::Error::other)?;
    Ok(out.into_inner())
}

/// A two-frame GIF whose first frame is `first`.
fn animated_gif(first: &RgbImage, second: &RgbImage) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = GifEncoder::new_with_speed(&mut out, 10);
        enc.set_repeat(Repeat::Infinite).map_err(io::Error::other)?;
        for img in [first, second] {
            let rgba: RgbaImage = DynamicImage::ImageRgb8(img.clone()).to_rgba8();
            enc.encode_frame(Frame::new(rgba)).map_err(io::Error::other)?;
        }
    }
    Ok(out)
}

/// A picture with structure at the scales PDQ looks at (so its quality is
/// high), from integer triangle waves only: the same bytes on every machine.
fn textured(width: u32, height: u32, seed: u32) -> RgbImage {
    let tri = |t: i64, period: i64| {
        let m = t.rem_euclid(period);
        (m - period / 2).abs() * 255 / (period / 2)
    };
    let s = i64::from(seed);
    let (p1, p2, p3) = (i64::from(width) / (3 + s % 4), i64::from(height) / (2 + s % 3), 37 + 11 * (s % 5));
    let base = render(Look::Circles, width, height, 0x5eed_0000 + u64::from(seed), 0);
    RgbImage::from_fn(width, height, |x, y| {
        let (x, y) = (i64::from(x), i64::from(y));
        let a = tri(x + 2 * s * 7, p1.max(8));
        let b = tri(y + x / 3, p2.max(8));
        let c = tri(x - 2 * y + s * 13, p3);
        let px = base.get_pixel(x as u32, y as u32).0;
        let mix = |w: [i64; 3], o: u8| ((w[0] * a + w[1] * b + w[2] * c) / 4 + i64::from(o) / 4).clamp(0, 255) as u8;
        image::Rgb([mix([2, 1, 0], px[0]), mix([0, 2, 1], px[1]), mix([1, 0, 2], px[2])])
    })
}

/// Writes `OUT/originals` and `OUT/evidence` (`out` must not hold them).
pub fn generate_pdq(out: &Path) -> io::Result<PdqManifest> {
    let originals_dir = out.join("originals");
    let evidence_dir = out.join("evidence");
    fs::create_dir_all(&originals_dir)?;
    fs::create_dir_all(evidence_dir.join("copies"))?;

    let beach = textured(640, 480, 1);
    let garden = textured(600, 400, 2);
    let harbour = textured(480, 360, 3);
    let unrelated = textured(500, 500, 4);
    // Nearly flat: a faint gradient, far under PDQ quality 50.
    let flat = RgbImage::from_fn(300, 200, |x, y| {
        let v = 120 + ((x / 100 + y / 100) % 2) as u8;
        image::Rgb([v, v, v])
    });

    let originals = [("beach.png", &beach), ("garden.png", &garden), ("harbour.png", &harbour), ("flat.png", &flat)];
    for (name, img) in originals {
        fs::write(originals_dir.join(name), encode(img, ImageFormat::Png)?)?;
    }

    let mut copies = Vec::new();
    let mut put = |path: &str, bytes: Vec<u8>, original: &str, transform: &'static str, variant: &'static str| -> io::Result<()> {
        fs::write(evidence_dir.join(path), bytes)?;
        copies.push(PdqCopy { path: path.into(), original: original.into(), transform, variant });
        Ok(())
    };
    let half = imageops::resize(&beach, 320, 240, FilterType::Triangle);
    put("copies/beach_small.jpg", jpeg(&half, 85)?, "beach.png", "resized to half and saved as JPEG", "original")?;
    put("copies/beach_q40.jpg", jpeg(&beach, 40)?, "beach.png", "re-encoded as JPEG of quality 40", "original")?;
    // image's rotate90 turns clockwise: turning the copy counter-clockwise
    // gives the original back.
    put("copies/garden_rot90.png", encode(&imageops::rotate90(&garden), ImageFormat::Png)?, "garden.png", "rotated 90° clockwise", "rotate90")?;
    put("copies/garden_mirror.png", encode(&imageops::flip_horizontal(&garden), ImageFormat::Png)?, "garden.png", "mirrored left to right", "flipy")?;
    put("copies/harbour_rot180.bmp", encode(&imageops::rotate180(&harbour), ImageFormat::Bmp)?, "harbour.png", "rotated 180°", "rotate180")?;
    put(
        "copies/harbour_upside_down.webp",
        encode(&imageops::flip_vertical(&harbour), ImageFormat::WebP)?,
        "harbour.png",
        "mirrored top to bottom (lossless WebP)",
        "flipx",
    )?;
    put("copies/harbour_anim.gif", animated_gif(&harbour, &unrelated)?, "harbour.png", "first frame of an animated GIF (256 colours)", "original")?;

    fs::write(evidence_dir.join("flat.png"), encode(&flat, ImageFormat::Png)?)?;
    fs::write(evidence_dir.join("unrelated.png"), encode(&unrelated, ImageFormat::Png)?)?;
    // A PNG cut in half: its pixel data ends early, which PNG decoders
    // refuse (a truncated JPEG, by contrast, decodes with grey filler).
    let whole = encode(&garden, ImageFormat::Png)?;
    fs::write(evidence_dir.join("broken.png"), &whole[..whole.len() / 2])?;

    Ok(PdqManifest {
        originals_dir,
        evidence_dir,
        originals: originals.iter().map(|(n, _)| (*n).to_string()).collect(),
        copies,
        low_quality: "flat.png".into(),
        unrelated: "unrelated.png".into(),
        broken: "broken.png".into(),
    })
}
