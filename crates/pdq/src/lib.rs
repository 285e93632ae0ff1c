//! PDQ, Meta's perceptual image hash (ThreatExchange), bit-exact with the
//! reference implementation, plus its eight dihedral variants and a guarded
//! picture decoder ([`decode`]).
//!
//! The pipeline is the reference's, with the same `f32` operations in the
//! same order, so results are bit-identical: luminance
//! `0.299 R + 0.587 G + 0.114 B` (as the `pdqhash` Python bindings compute it,
//! see [`hash_rgb`]); a Jarosz tent filter (two rounds of box filters along
//! rows then columns, each window `ceil(dimension / 128)`); decimation to
//! 64×64 at pixel centres; the quality metric on that 64×64 picture; the
//! 16×16 low-frequency corner of its DCT; one bit per coefficient above the
//! median (Torben's). Pictures under 5 pixels on a side get the zero hash and
//! quality 0, as in the reference.
//!
//! Only the memory order differs: the filter streams the picture row by row
//! (see `downscale.rs`), about 15 times faster than the reference's column
//! pass on a 12-megapixel picture and without its two full-size `f32`
//! buffers.
//!
//! ```
//! // A 100×80 gradient.
//! let (w, h) = (100u32, 80u32);
//! let rgb: Vec<u8> = (0..w * h)
//!     .flat_map(|i| {
//!         let (x, y) = (i % w, i / w);
//!         [(x * 2) as u8, (y * 3) as u8, ((x + y) % 256) as u8]
//!     })
//!     .collect();
//! let r = spoor_pdq::hash_rgb(w, h, &rgb);
//! assert_eq!(r.hash.to_string().len(), 64);
//! // The dihedral set's original is the same hash.
//! let all = spoor_pdq::dihedral_rgb(w, h, &rgb);
//! assert_eq!(all.original, r.hash);
//! ```

mod dct;
pub mod decode;
mod downscale;
mod hash;
pub mod index;
mod jpeg;

use serde::Serialize;

pub use hash::{ParseHashError, PdqHash};
pub use index::{
    IndexBuilder, IndexError, Layout, ListError, ListErrorKind, NearMatch, PdqCsv, PdqEntry,
    PdqIndex, QueryPlan, QueryStats, parse_pdq_list,
};

use dct::Dct16;
use downscale::{Lanes, LumaRows, SIDE};

/// The reference's minimum hashable side, in pixels.
pub const MIN_HASHABLE_DIM: u32 = 5;

/// A hash and the reference's quality score (0..=100; matching tools
/// discard hashes under 50).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct PdqResult {
    pub hash: PdqHash,
    pub quality: u32,
}

/// The eight dihedral transforms of a picture, named as in the reference
/// (`pdqDihedralHash256esFromFloatLuma`) and the reference's test set
/// `pdq/data/reg-test-input/dih/`. The hash of variant `v` of a picture is
/// (up to rounding) the hash of the picture transformed by `v`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Dihedral {
    /// The picture as stored.
    Original,
    /// Rotated 90° counter-clockwise.
    Rotate90,
    /// Rotated 180°.
    Rotate180,
    /// Rotated 270° counter-clockwise (90° clockwise).
    Rotate270,
    /// Mirrored top to bottom (reflection in the horizontal axis).
    FlipX,
    /// Mirrored left to right (reflection in the vertical axis).
    FlipY,
    /// Transposed: reflection in the main diagonal (top-left to bottom-right).
    FlipPlus1,
    /// Reflection in the anti-diagonal (top-right to bottom-left).
    FlipMinus1,
}

impl Dihedral {
    /// All eight, in the reference's order.
    pub const ALL: [Dihedral; 8] = [
        Dihedral::Original,
        Dihedral::Rotate90,
        Dihedral::Rotate180,
        Dihedral::Rotate270,
        Dihedral::FlipX,
        Dihedral::FlipY,
        Dihedral::FlipPlus1,
        Dihedral::FlipMinus1,
    ];

    /// The name Spoor records (in a case's hits and reports): the
    /// reference's name in lower case (`original`, `rotate90`, `rotate180`,
    /// `rotate270`, `flipx`, `flipy`, `flipplus1`, `flipminus1`).
    pub fn as_str(self) -> &'static str {
        match self {
            Dihedral::Original => "original",
            Dihedral::Rotate90 => "rotate90",
            Dihedral::Rotate180 => "rotate180",
            Dihedral::Rotate270 => "rotate270",
            Dihedral::FlipX => "flipx",
            Dihedral::FlipY => "flipy",
            Dihedral::FlipPlus1 => "flipplus1",
            Dihedral::FlipMinus1 => "flipminus1",
        }
    }

    /// The transform in words, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Dihedral::Original => "as stored",
            Dihedral::Rotate90 => "rotated 90° counter-clockwise",
            Dihedral::Rotate180 => "rotated 180°",
            Dihedral::Rotate270 => "rotated 90° clockwise",
            Dihedral::FlipX => "mirrored top to bottom",
            Dihedral::FlipY => "mirrored left to right",
            Dihedral::FlipPlus1 => "mirrored in the main diagonal (transposed)",
            Dihedral::FlipMinus1 => "mirrored in the anti-diagonal",
        }
    }

    /// The variant named by [`Dihedral::as_str`] or [`Dihedral::name`]
    /// (any case).
    pub fn from_name(name: &str) -> Option<Dihedral> {
        Dihedral::ALL
            .into_iter()
            .find(|d| d.as_str().eq_ignore_ascii_case(name.trim()) || d.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The name python-threatexchange prints (`ORIGINAL`, `ROTATE90`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Dihedral::Original => "ORIGINAL",
            Dihedral::Rotate90 => "ROTATE90",
            Dihedral::Rotate180 => "ROTATE180",
            Dihedral::Rotate270 => "ROTATE270",
            Dihedral::FlipX => "FLIPX",
            Dihedral::FlipY => "FLIPY",
            Dihedral::FlipPlus1 => "FLIPPLUS1",
            Dihedral::FlipMinus1 => "FLIPMINUS1",
        }
    }
}

/// The hashes of all eight dihedral variants (one quality: it is the same
/// for all of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct DihedralHashes {
    pub quality: u32,
    pub original: PdqHash,
    pub rotate90: PdqHash,
    pub rotate180: PdqHash,
    pub rotate270: PdqHash,
    pub flip_x: PdqHash,
    pub flip_y: PdqHash,
    pub flip_plus1: PdqHash,
    pub flip_minus1: PdqHash,
}

impl DihedralHashes {
    pub fn get(&self, variant: Dihedral) -> PdqHash {
        match variant {
            Dihedral::Original => self.original,
            Dihedral::Rotate90 => self.rotate90,
            Dihedral::Rotate180 => self.rotate180,
            Dihedral::Rotate270 => self.rotate270,
            Dihedral::FlipX => self.flip_x,
            Dihedral::FlipY => self.flip_y,
            Dihedral::FlipPlus1 => self.flip_plus1,
            Dihedral::FlipMinus1 => self.flip_minus1,
        }
    }

    /// `(variant, hash)` in the reference's order.
    pub fn iter(&self) -> impl Iterator<Item = (Dihedral, PdqHash)> + '_ {
        Dihedral::ALL.into_iter().map(|d| (d, self.get(d)))
    }

    fn zero() -> DihedralHashes {
        DihedralHashes {
            quality: 0,
            original: PdqHash::ZERO,
            rotate90: PdqHash::ZERO,
            rotate180: PdqHash::ZERO,
            rotate270: PdqHash::ZERO,
            flip_x: PdqHash::ZERO,
            flip_y: PdqHash::ZERO,
            flip_plus1: PdqHash::ZERO,
            flip_minus1: PdqHash::ZERO,
        }
    }
}

/// Hashes 8-bit RGB pixels, interleaved, row-major (`width * height * 3`
/// bytes).
///
/// Luminance is computed as the `pdqhash` Python bindings (the reference
/// core as ThreatExchange's Python tools call it) do: in `f64`, then rounded
/// to `f32`. (The C++ command-line tool's `fillFloatLumaFromRGB` sums in
/// `f32` instead, which can move a value by one `f32` step; the conformance
/// set was made through the bindings.)
///
/// # Panics
/// If `rgb.len() != width * height * 3`.
pub fn hash_rgb(width: u32, height: u32, rgb: &[u8]) -> PdqResult {
    let src = RgbRows::new(width, height, rgb);
    hash_rows(&src)
}

/// Hashes a luminance buffer (`width * height` values, row-major, nominally
/// 0..=255): the reference's `pdqHash256FromFloatLuma`.
///
/// As in the reference, a 64×64 input is taken as already downsampled and
/// is not filtered.
///
/// # Panics
/// If `luma.len() != width * height`.
pub fn hash_luma_f32(width: u32, height: u32, luma: &[f32]) -> PdqResult {
    let src = LumaSlice::new(width, height, luma);
    hash_rows(&src)
}

/// The eight dihedral hashes of 8-bit RGB pixels, from one downsample and
/// one DCT (see [`hash_rgb`] for the input).
///
/// # Panics
/// If `rgb.len() != width * height * 3`.
pub fn dihedral_rgb(width: u32, height: u32, rgb: &[u8]) -> DihedralHashes {
    let src = RgbRows::new(width, height, rgb);
    dihedral_rows(&src)
}

/// The eight dihedral hashes of a luminance buffer: the reference's
/// `pdqDihedralHash256esFromFloatLuma`. Unlike [`hash_luma_f32`], the
/// reference filters a 64×64 input here too, so for exactly 64×64 pictures
/// `original` may differ from the plain hash by a few bits.
///
/// # Panics
/// If `luma.len() != width * height`.
pub fn dihedral_luma_f32(width: u32, height: u32, luma: &[f32]) -> DihedralHashes {
    let src = LumaSlice::new(width, height, luma);
    dihedral_rows(&src)
}

fn too_small(src: &impl LumaRows) -> bool {
    src.width() < MIN_HASHABLE_DIM as usize || src.height() < MIN_HASHABLE_DIM as usize
}

fn hash_rows(src: &impl LumaRows) -> PdqResult {
    if too_small(src) {
        return PdqResult {
            hash: PdqHash::ZERO,
            quality: 0,
        };
    }
    let small = if src.width() == SIDE && src.height() == SIDE {
        // The reference's shortcut for frames already scaled to 64×64.
        let mut a = [[0.0f32; SIDE]; SIDE];
        for (r, row) in a.iter_mut().enumerate() {
            src.fill_row(r, row);
        }
        a
    } else {
        downscale::jarosz_decimate(src)
    };
    let (dct, quality) = dct_and_quality(&small);
    PdqResult {
        hash: dct::to_bits(&dct),
        quality,
    }
}

fn dihedral_rows(src: &impl LumaRows) -> DihedralHashes {
    if too_small(src) {
        return DihedralHashes::zero();
    }
    let small = downscale::jarosz_decimate(src);
    let (dct, quality) = dct_and_quality(&small);
    let bits = |d| dct::to_bits(&dct::transform(&dct, d));
    DihedralHashes {
        quality,
        original: dct::to_bits(&dct),
        rotate90: bits(Dihedral::Rotate90),
        rotate180: bits(Dihedral::Rotate180),
        rotate270: bits(Dihedral::Rotate270),
        flip_x: bits(Dihedral::FlipX),
        flip_y: bits(Dihedral::FlipY),
        flip_plus1: bits(Dihedral::FlipPlus1),
        flip_minus1: bits(Dihedral::FlipMinus1),
    }
}

fn dct_and_quality(small: &[[f32; SIDE]; SIDE]) -> (Dct16, u32) {
    (dct::dct64_to_16(small), dct::quality(small))
}

/// Interleaved 8-bit RGB as luma rows.
struct RgbRows<'a> {
    w: usize,
    h: usize,
    rgb: &'a [u8],
}

impl<'a> RgbRows<'a> {
    fn new(width: u32, height: u32, rgb: &'a [u8]) -> RgbRows<'a> {
        let (w, h) = (width as usize, height as usize);
        assert_eq!(
            Some(rgb.len()),
            w.checked_mul(h).and_then(|n| n.checked_mul(3)),
            "RGB buffer must hold width * height * 3 bytes"
        );
        RgbRows { w, h, rgb }
    }
}

impl LumaRows for RgbRows<'_> {
    fn width(&self) -> usize {
        self.w
    }
    fn height(&self) -> usize {
        self.h
    }
    fn fill_row(&self, r: usize, out: &mut [f32]) {
        let row = &self.rgb[r * self.w * 3..(r + 1) * self.w * 3];
        for (o, px) in out.iter_mut().zip(row.chunks_exact(3)) {
            *o = luma(px[0], px[1], px[2]);
        }
    }

    fn fill_tile(&self, first: usize, n: usize, tile: &mut [Lanes], _scratch: &mut [f32]) {
        // Straight into the transposed tile: one pass over the pixels.
        let stride = self.w * 3;
        for k in 0..n {
            let row = &self.rgb[(first + k) * stride..(first + k + 1) * stride];
            for (t, px) in tile.iter_mut().zip(row.chunks_exact(3)) {
                t[k] = luma(px[0], px[1], px[2]);
            }
        }
    }
}

/// `0.299 R + 0.587 G + 0.114 B` as the `pdqhash` bindings compute it
/// (numpy, in `f64`, summed left to right, then rounded to `f32`).
///
/// Computed here as the correctly rounded `f32` quotient
/// `(299 R + 587 G + 114 B) / 1000`, which is the same value for every
/// input: the exact luma is never within 6e-11 (relative) of an `f32`
/// rounding midpoint, far beyond the `f64` path's error (about 4e-16), so
/// both round the exact value. `luma_is_numpy_f64_for_all_colours` checks
/// all 2^24 colours.
#[inline(always)]
fn luma(r: u8, g: u8, b: u8) -> f32 {
    let n = 299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b);
    // n < 2^24, so the conversion is exact.
    n as f32 / 1000.0
}

/// A row-major `f32` luminance buffer as rows.
struct LumaSlice<'a> {
    w: usize,
    h: usize,
    luma: &'a [f32],
}

impl<'a> LumaSlice<'a> {
    fn new(width: u32, height: u32, luma: &'a [f32]) -> LumaSlice<'a> {
        let (w, h) = (width as usize, height as usize);
        assert_eq!(
            Some(luma.len()),
            w.checked_mul(h),
            "luma buffer must hold width * height values"
        );
        LumaSlice { w, h, luma }
    }
}

impl LumaRows for LumaSlice<'_> {
    fn width(&self) -> usize {
        self.w
    }
    fn height(&self) -> usize {
        self.h
    }
    fn fill_row(&self, r: usize, out: &mut [f32]) {
        out.copy_from_slice(&self.luma[r * self.w..(r + 1) * self.w]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::downscale::tests::noise;

    #[test]
    fn tiny_pictures_get_zero_hash() {
        for (w, h) in [(4u32, 100u32), (100, 4), (0, 0), (1, 1)] {
            let rgb = vec![7u8; (w * h * 3) as usize];
            let r = hash_rgb(w, h, &rgb);
            assert_eq!(
                r,
                PdqResult {
                    hash: PdqHash::ZERO,
                    quality: 0
                }
            );
            assert_eq!(dihedral_rgb(w, h, &rgb), DihedralHashes::zero());
        }
        let r = hash_rgb(5, 5, &[0u8; 75]);
        assert_eq!(r.quality, 0);
    }

    #[test]
    fn dihedral_original_equals_plain_hash() {
        let (w, h) = (333usize, 201usize);
        let luma = noise(w, h, 3);
        let plain = hash_luma_f32(w as u32, h as u32, &luma);
        let all = dihedral_luma_f32(w as u32, h as u32, &luma);
        assert_eq!(plain.hash, all.original);
        assert_eq!(plain.quality, all.quality);
    }

    /// Hashing the rotated pixels gives (nearly) the variant computed from
    /// the DCT: the names say which way each transform goes.
    #[test]
    fn dihedral_variants_match_transformed_pixels() {
        // Sizes whose box windows are odd (3 and 5) and whose decimation
        // steps are odd (5 and 9), so the filter is symmetric under every
        // transform and only float rounding can differ.
        let (w, h) = (320usize, 576usize);
        // Smooth content, so the transforms are near-exact.
        let luma: Vec<f32> = (0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as f32, (i / w) as f32);
                128.0 + 60.0 * (x / 23.0).sin() * (y / 41.0).cos() + 0.3 * x - 0.2 * y
                    + 20.0 * ((x * y) / 3000.0).sin()
            })
            .collect();
        let at = |x: usize, y: usize| luma[y * w + x];
        let all = dihedral_luma_f32(w as u32, h as u32, &luma);
        // Counter-clockwise 90°: new picture h wide, w high; new (x, y) shows
        // old (w-1-y, x).
        let rot90: Vec<f32> = (0..w * h).map(|i| at(w - 1 - i / h, i % h)).collect();
        let rot180: Vec<f32> = (0..w * h)
            .map(|i| at(w - 1 - i % w, h - 1 - i / w))
            .collect();
        let rot270: Vec<f32> = (0..w * h).map(|i| at(i / h, h - 1 - i % h)).collect();
        let flip_x: Vec<f32> = (0..w * h).map(|i| at(i % w, h - 1 - i / w)).collect();
        let flip_y: Vec<f32> = (0..w * h).map(|i| at(w - 1 - i % w, i / w)).collect();
        let transpose: Vec<f32> = (0..w * h).map(|i| at(i / h, i % h)).collect();
        let anti: Vec<f32> = (0..w * h)
            .map(|i| at(w - 1 - i / h, h - 1 - i % h))
            .collect();
        let cases = [
            (Dihedral::Rotate90, &rot90, h, w),
            (Dihedral::Rotate180, &rot180, w, h),
            (Dihedral::Rotate270, &rot270, h, w),
            (Dihedral::FlipX, &flip_x, w, h),
            (Dihedral::FlipY, &flip_y, w, h),
            (Dihedral::FlipPlus1, &transpose, h, w),
            (Dihedral::FlipMinus1, &anti, h, w),
        ];
        for (d, pixels, tw, th) in cases {
            let direct = hash_luma_f32(tw as u32, th as u32, pixels).hash;
            let dist = direct.hamming(&all.get(d));
            assert!(
                dist <= 2,
                "{d:?}: {dist} bits from the rotated pixels' hash"
            );
        }
    }

    /// A deterministic picture, hashed by Meta's C++ core through the
    /// `pdqhash` 0.2.8 bindings (`compute` and `compute_dihedral`) to give
    /// the constants below.
    fn synthetic(w: usize, h: usize) -> Vec<u8> {
        let mut rgb = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                rgb.push(((x * x / 7 + 3 * y) % 256) as u8);
                rgb.push(((x * y / 5 + 17 * x) % 256) as u8);
                rgb.push((((x + 2 * y) * (x / 9 + 1)) % 256) as u8);
            }
        }
        rgb
    }

    #[test]
    fn matches_reference_core_on_synthetic_pictures() {
        let cases: [(u32, u32, [&str; 8]); 2] = [
            (
                64,
                64,
                [
                    "b8e964baa9b556b3554548ba55b55ea811ac56aa5568ad65594e3314c76e1f58",
                    "a092a095e0146c12b519a48c3147d541f7c077c4f7f2a9fac5ebd561f46ac5ef",
                    "edbfce14fef3fe1d1010ea3004e2f402c4f9fc00003f07cf0c1b99be923bb5f2",
                    "f5470a3fb541ceb8e04c0e2644127feaa295dd6e22a7235090be7fcb011fef45",
                    "b8c99b45a9b5a14c5545b74555b5a15711aca9555568529a594eccebc76ee0a7",
                    "edbf31effef20be610101def00e00bfdc4f903ff003ff8300c1b6641923b4b0d",
                    "a0125f6ae0149beda5195b7311472abff7c0883bf7f27605c5eb2a9e544aba10",
                    "f5c7f5c0b5413947f44cf3d974128015a2952291a6a7fcaf90bed034a33fb0ba",
                ],
            ),
            (
                200,
                150,
                [
                    "63f1fff33c1600bf1fc7676303bc7e00fffffc80a00007ff3ff8fe00c0007000",
                    "00e63a38e1ed977369cc9323c89c3367cad83367d0980d671090ff6f5c90376f",
                    "34a4d5596945aa954a96efe855c5d2aaaaaa462a7555ad556aa554aa9555daaa",
                    "55b39092f4b83cd83c9939891dc999cd9f8d99cd85cda7cd45c545c509c58dc5",
                    "61f1a00c3c10ffc01fc3babd009087ffffff137fa000f8003ff001ffc0008fff",
                    "36a42aa66945556f4a96101755c53d55aaaab9d5f55552aa6aa5ab5595553555",
                    "40e6c5c7e5ed69cd69cc6ddccf9cce98dad8cc98d698f29812983a907c90dc90",
                    "55936f6db4b8c3273c99c6761dc966329f8d663285cd583245c5ba3a09c5723a",
                ],
            ),
        ];
        for (w, h, want) in cases {
            let rgb = synthetic(w as usize, h as usize);
            let plain = hash_rgb(w, h, &rgb);
            assert_eq!(plain.hash.to_string(), want[0], "{w}x{h} plain");
            assert_eq!(plain.quality, 100);
            let all = dihedral_rgb(w, h, &rgb);
            assert_eq!(all.quality, 100);
            for ((variant, hash), want) in all.iter().zip(want) {
                assert_eq!(hash.to_string(), want, "{w}x{h} {variant:?}");
            }
        }
    }

    #[test]
    fn luma_is_numpy_f64_for_all_colours() {
        for r in 0..=255u8 {
            for g in 0..=255u8 {
                for b in 0..=255u8 {
                    let numpy =
                        (f64::from(r) * 0.299 + f64::from(g) * 0.587 + f64::from(b) * 0.114) as f32;
                    assert_eq!(luma(r, g, b).to_bits(), numpy.to_bits(), "{r} {g} {b}");
                }
            }
        }
    }

    #[test]
    #[should_panic(expected = "width * height * 3")]
    fn wrong_buffer_length_panics() {
        let _ = hash_rgb(10, 10, &[0u8; 10]);
    }
}
