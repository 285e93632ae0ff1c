//! Synthetic scenes: gradients, circles, blocks, checkerboards and noise,
//! drawn from a seed so that every run paints the same pixels.
//!
//! The pixels are deliberately plain: these pictures exist only to give the
//! scanner real, decodable files of known size and digest.

use image::{Rgb, RgbImage, Rgba, RgbaImage};

/// splitmix64: a tiny PRNG with a fixed, documented output sequence. Written
/// here rather than taken from `rand` so the fixture bytes cannot change when
/// a dependency changes its algorithm.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (`n > 0`), by multiply-shift rather than modulo.
    pub(crate) fn below(&mut self, n: u32) -> u32 {
        (((self.next_u64() >> 32) * u64::from(n)) >> 32) as u32
    }

    pub(crate) fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }

    pub(crate) fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut buf = vec![0; len];
        self.fill(&mut buf);
        buf
    }

    fn color(&mut self) -> [u8; 3] {
        let [r, g, b, ..] = self.next_u64().to_le_bytes();
        [r, g, b]
    }
}

/// What a picture shows. Every look starts from a seeded background so two
/// pictures with different seeds never share bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Look {
    /// A diagonal two-colour gradient.
    Gradient,
    /// A gradient with filled circles.
    Circles,
    /// A gradient with filled rectangles.
    Blocks,
    /// A checkerboard with one circle on top.
    Checker,
    /// Seeded noise in every byte.
    Noise,
}

/// Paints `look` at `width` x `height` from `seed`.
/// `grain` adds up to that much noise to every byte (0 for none).
pub(crate) fn render(look: Look, width: u32, height: u32, seed: u64, grain: u8) -> RgbImage {
    let mut rng = SplitMix64::new(seed);
    let mut canvas = Canvas::new(width, height);
    match look {
        Look::Gradient => {
            let (a, b) = (rng.color(), rng.color());
            canvas.gradient(a, b, rng.below(257));
        }
        Look::Circles => {
            let (a, b) = (rng.color(), rng.color());
            canvas.gradient(a, b, rng.below(257));
            for _ in 0..3 + rng.below(5) {
                let r = 1 + rng.below(width.min(height) / 4 + 1);
                let (cx, cy) = (rng.below(width), rng.below(height));
                canvas.circle(cx, cy, r, rng.color());
            }
        }
        Look::Blocks => {
            let (a, b) = (rng.color(), rng.color());
            canvas.gradient(a, b, rng.below(257));
            for _ in 0..3 + rng.below(6) {
                let (x0, y0) = (rng.below(width), rng.below(height));
                let (w, h) = (1 + rng.below(width / 3 + 1), 1 + rng.below(height / 3 + 1));
                canvas.rect(
                    x0,
                    y0,
                    x0.saturating_add(w),
                    y0.saturating_add(h),
                    rng.color(),
                );
            }
        }
        Look::Checker => {
            let cell = 2 + rng.below(width.min(height) / 4 + 1);
            let (a, b) = (rng.color(), rng.color());
            canvas.checker(cell, a, b);
            let r = 1 + width.min(height) / 4;
            canvas.circle(width / 2, height / 2, r, rng.color());
        }
        Look::Noise => rng.fill(&mut canvas.pixels),
    }
    canvas.grain(&mut rng, grain);
    canvas.into_image()
}

/// `render` with an alpha channel: opaque inside a circle, fading outside.
pub(crate) fn render_rgba(look: Look, width: u32, height: u32, seed: u64, grain: u8) -> RgbaImage {
    let rgb = render(look, width, height, seed, grain);
    let (cx, cy) = (i64::from(width) / 2, i64::from(height) / 2);
    let r2 = (cx * cx).min(cy * cy).max(1);
    RgbaImage::from_fn(width, height, |x, y| {
        let Rgb([r, g, b]) = *rgb.get_pixel(x, y);
        let (dx, dy) = (i64::from(x) - cx, i64::from(y) - cy);
        let d2 = dx * dx + dy * dy;
        let alpha = if d2 <= r2 { 255 } else { (255 * r2 / d2) as u8 };
        Rgba([r, g, b, alpha])
    })
}

/// A flat RGB buffer with span-based drawing: the 4000x3000 picture must
/// paint quickly even in a debug build.
struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Self {
        let len = width as usize * height as usize * 3;
        Self {
            width,
            height,
            pixels: vec![0; len],
        }
    }

    fn into_image(self) -> RgbImage {
        RgbImage::from_raw(self.width, self.height, self.pixels)
            .unwrap_or_else(|| unreachable!("buffer sized from width and height"))
    }

    fn row(&mut self, y: u32) -> &mut [u8] {
        let stride = self.width as usize * 3;
        let start = y as usize * stride;
        &mut self.pixels[start..start + stride]
    }

    fn span(&mut self, y: u32, x0: u32, x1: u32, color: [u8; 3]) {
        let x1 = x1.min(self.width);
        if y >= self.height || x0 >= x1 {
            return;
        }
        let row = self.row(y);
        fill_pixels(&mut row[x0 as usize * 3..x1 as usize * 3], color);
    }

    /// Adds seeded grain of up to `amplitude` to every byte. Rows take
    /// windows of one shared noise strip: cheap, and no visible pattern at
    /// these sizes.
    fn grain(&mut self, rng: &mut SplitMix64, amplitude: u8) {
        if amplitude == 0 {
            return;
        }
        let stride = self.width as usize * 3;
        let mut strip = rng.bytes(stride + 4096);
        for b in &mut strip {
            *b %= amplitude;
        }
        for y in 0..self.height {
            let offset = rng.below(4096) as usize;
            let row = self.row(y);
            for (px, n) in row.iter_mut().zip(&strip[offset..]) {
                *px = px.saturating_add(*n);
            }
        }
    }

    /// `slant` in 0..=256 weighs the horizontal against the vertical axis.
    fn gradient(&mut self, a: [u8; 3], b: [u8; 3], slant: u32) {
        let (w, h) = (i64::from(self.width.max(1)), i64::from(self.height.max(1)));
        let slant = i64::from(slant.min(256));
        // 257 steps from `a` to `b`; a pixel's step is linear in x and y.
        let palette: Vec<[u8; 3]> = (0..=256)
            .map(|t| {
                std::array::from_fn(|c| {
                    let (from, to) = (i64::from(a[c]), i64::from(b[c]));
                    (from + (to - from) * t / 256) as u8
                })
            })
            .collect();
        let col: Vec<i64> = (0..w).map(|x| x * 256 / w * slant).collect();
        let stride = self.width as usize * 3;
        let mut previous: Option<(i64, usize)> = None;
        for y in 0..self.height {
            let ty = i64::from(y) * 256 / h * (256 - slant);
            let start = y as usize * stride;
            // Rows with the same vertical step are identical: copy, don't
            // repaint (the 4000x3000 picture has only 257 distinct rows).
            if let Some((prev_ty, prev_start)) = previous
                && prev_ty == ty
            {
                self.pixels
                    .copy_within(prev_start..prev_start + stride, start);
                continue;
            }
            let row = self.row(y);
            for (px, cx) in row.chunks_exact_mut(3).zip(&col) {
                px.copy_from_slice(&palette[((cx + ty) >> 8) as usize]);
            }
            previous = Some((ty, start));
        }
    }

    fn circle(&mut self, cx: u32, cy: u32, r: u32, color: [u8; 3]) {
        let (cx, cy, r) = (i64::from(cx), i64::from(cy), i64::from(r));
        for dy in -r..=r {
            let y = cy + dy;
            if y < 0 || y >= i64::from(self.height) {
                continue;
            }
            let half = isqrt(r * r - dy * dy);
            let x0 = (cx - half).max(0) as u32;
            let x1 = (cx + half + 1).max(0) as u32;
            self.span(y as u32, x0, x1, color);
        }
    }

    fn rect(&mut self, x0: u32, y0: u32, x1: u32, y1: u32, color: [u8; 3]) {
        for y in y0..y1.min(self.height) {
            self.span(y, x0, x1, color);
        }
    }

    fn checker(&mut self, cell: u32, a: [u8; 3], b: [u8; 3]) {
        let cell = cell.max(1);
        for y in 0..self.height {
            let mut x = 0;
            while x < self.width {
                let color = if (x / cell + y / cell).is_multiple_of(2) {
                    a
                } else {
                    b
                };
                self.span(y, x, x + cell, color);
                x += cell;
            }
        }
    }
}

/// Fills `buf` (whole pixels) with `color` by doubling copies: memcpy speed
/// even in a debug build.
fn fill_pixels(buf: &mut [u8], color: [u8; 3]) {
    if buf.len() < 3 {
        return;
    }
    buf[..3].copy_from_slice(&color);
    let mut filled = 3;
    while filled < buf.len() {
        let n = filled.min(buf.len() - filled);
        buf.copy_within(..n, filled);
        filled += n;
    }
}

fn isqrt(n: i64) -> i64 {
    if n <= 0 {
        return 0;
    }
    let mut x = (n as f64).sqrt() as i64;
    while x * x > n {
        x -= 1;
    }
    while (x + 1) * (x + 1) <= n {
        x += 1;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_reference_sequence() {
        // First outputs for seed 1234567, from the reference C implementation.
        let mut rng = SplitMix64::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn same_seed_same_pixels_different_seed_different_pixels() {
        for look in [
            Look::Gradient,
            Look::Circles,
            Look::Blocks,
            Look::Checker,
            Look::Noise,
        ] {
            let a = render(look, 37, 23, 9, 0);
            assert_eq!(a, render(look, 37, 23, 9, 0), "{look:?}");
            assert_ne!(a, render(look, 37, 23, 10, 0), "{look:?}");
            assert_ne!(a, render(look, 37, 23, 9, 8), "{look:?}");
        }
    }

    #[test]
    fn fill_pixels_covers_every_byte() {
        for len in [0, 3, 6, 9, 30, 3 * 1001] {
            let mut buf = vec![0; len];
            fill_pixels(&mut buf, [1, 2, 3]);
            assert!(buf.chunks_exact(3).all(|px| px == [1, 2, 3]), "{len}");
        }
    }

    #[test]
    fn gradient_row_copies_match_painting() {
        // Tall and narrow, so many rows share a step and are copied.
        let img = render(Look::Gradient, 5, 1000, 3, 0);
        let mut canvas = Canvas::new(5, 1000);
        let mut rng = SplitMix64::new(3);
        let (a, b) = (rng.color(), rng.color());
        canvas.gradient(a, b, rng.below(257));
        assert_eq!(img.as_raw(), &canvas.pixels);
        assert_ne!(img.get_pixel(0, 0), img.get_pixel(4, 999));
    }

    #[test]
    fn isqrt_is_exact() {
        for n in 0..10_000 {
            let r = isqrt(n);
            assert!(r * r <= n && (r + 1) * (r + 1) > n, "{n}");
        }
    }
}
