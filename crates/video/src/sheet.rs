//! Contact sheets: evenly spaced frames collected in one decoding pass,
//! without trusting the container's duration, then laid out and encoded.

use image::RgbImage;
use image::codecs::jpeg::JpegEncoder;

use crate::{ContactSheet, SheetLayout};

const MAX_GRID: u32 = 16;
const MIN_TILE: u32 = 16;
const MAX_TILE: u32 = 640;
const JPEG_QUALITY: u8 = 85;

/// A grid clamped to the documented bounds, with the tile height from the
/// display aspect ratio.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Grid {
    pub cols: u32,
    pub rows: u32,
    pub tile_w: u32,
    pub tile_h: u32,
}

impl Grid {
    /// `display_w / display_h` is the picture's display aspect (coded size
    /// times the sample aspect ratio). Tiles are kept between a quarter and
    /// twice as high as wide so absurd aspect ratios stay bounded.
    pub fn new(layout: &SheetLayout, display_w: f64, display_h: f64) -> Grid {
        let cols = layout.cols.clamp(1, MAX_GRID);
        let rows = layout.rows.clamp(1, MAX_GRID);
        let tile_w = layout.tile_width.clamp(MIN_TILE, MAX_TILE);
        let aspect = if display_w > 0.0 && display_h > 0.0 {
            display_h / display_w
        } else {
            9.0 / 16.0
        };
        let tile_h = (f64::from(tile_w) * aspect.clamp(0.25, 2.0)).round() as u32;
        Grid {
            cols,
            rows,
            tile_w,
            tile_h: tile_h.max(2),
        }
    }

    pub fn tiles(&self) -> usize {
        (self.cols * self.rows) as usize
    }
}

/// Keeps between `n` and `2n` thumbnails at (roughly) equal time steps:
/// when `2n` are held, every other one is dropped and the step doubles. So
/// the sheet spans the whole video however long it turns out to be, with at
/// most `2n + 1` thumbnails in memory.
#[derive(Debug)]
pub(crate) struct Collector {
    n: usize,
    step: f64,
    next: f64,
    kept: Vec<(f64, Vec<u8>)>,
}

impl Collector {
    /// `duration` (if known) sets the first step, so a video of that
    /// length needs no thinning; the step starts at a quarter of a second at
    /// most, so a container that overstates its duration (or none) cannot
    /// make the sheet skip a short video. Long videos cost a few doublings
    /// (ten from 0.25 s to two hours), each a handful of thumbnails.
    pub fn new(n: usize, duration: Option<f64>) -> Collector {
        let n = n.max(1);
        let step = match duration {
            Some(d) if d.is_finite() && d > 0.0 => (d / (2 * n) as f64).clamp(1e-3, 0.25),
            _ => 0.25,
        };
        Collector {
            n,
            step,
            next: 0.0,
            kept: Vec::with_capacity(2 * n),
        }
    }

    /// Whether the frame at `ts` (seconds) should become a thumbnail.
    pub fn wants(&self, ts: f64) -> bool {
        ts >= self.next
    }

    pub fn push(&mut self, ts: f64, rgb: Vec<u8>) {
        self.kept.push((ts, rgb));
        if self.kept.len() >= 2 * self.n {
            let mut i = 0;
            self.kept.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.step *= 2.0;
        }
        self.next = ((ts / self.step).floor() + 1.0) * self.step;
    }

    /// Up to `n` thumbnails spread evenly over those kept.
    pub fn finish(self) -> Vec<(f64, Vec<u8>)> {
        let len = self.kept.len();
        if len <= self.n {
            return self.kept;
        }
        let picks: Vec<usize> = (0..self.n)
            .map(|j| (((j as f64 + 0.5) * len as f64 / self.n as f64) as usize).min(len - 1))
            .collect();
        self.kept
            .into_iter()
            .enumerate()
            .filter(|(i, _)| picks.contains(i))
            .map(|(_, t)| t)
            .collect()
    }
}

/// Lays tiles (RGB24, `tile_w * tile_h * 3` bytes each) out row by row on
/// black and encodes the sheet as JPEG.
pub(crate) fn compose(grid: &Grid, tiles: Vec<(f64, Vec<u8>)>) -> Result<ContactSheet, String> {
    let (w, h) = (grid.cols * grid.tile_w, grid.rows * grid.tile_h);
    let mut sheet = RgbImage::new(w, h);
    let mut stamps = Vec::with_capacity(tiles.len());
    for (i, (ts, rgb)) in tiles.into_iter().take(grid.tiles()).enumerate() {
        let tile = RgbImage::from_raw(grid.tile_w, grid.tile_h, rgb)
            .ok_or_else(|| "a tile has the wrong size".to_string())?;
        let (col, row) = (i as u32 % grid.cols, i as u32 / grid.cols);
        image::imageops::replace(
            &mut sheet,
            &tile,
            i64::from(col * grid.tile_w),
            i64::from(row * grid.tile_h),
        );
        stamps.push(ts);
    }
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
        .encode_image(&sheet)
        .map_err(|e| e.to_string())?;
    Ok(ContactSheet {
        bytes,
        mime: "image/jpeg".to_string(),
        width: w,
        height: h,
        tiles: stamps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(n: usize, duration: Option<f64>, frames: usize, fps: f64) -> Vec<f64> {
        let mut c = Collector::new(n, duration);
        let mut peak = 0;
        for i in 0..frames {
            let ts = i as f64 / fps;
            if c.wants(ts) {
                c.push(ts, Vec::new());
            }
            peak = peak.max(c.kept.len());
        }
        assert!(peak < 2 * n, "kept {peak} thumbnails at once");
        c.finish().into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn tiles_span_the_whole_video_without_knowing_its_length() {
        // Two hours at 30 fps, duration unknown.
        let stamps = run(16, None, 2 * 3600 * 30, 30.0);
        assert_eq!(stamps.len(), 16);
        assert!(stamps.windows(2).all(|w| w[0] < w[1]));
        assert!(stamps[0] < 600.0, "first tile at {}", stamps[0]);
        assert!(stamps[15] > 6000.0, "last tile at {}", stamps[15]);
        // Gaps within a factor of two of each other.
        let gaps: Vec<f64> = stamps.windows(2).map(|w| w[1] - w[0]).collect();
        let (lo, hi) = gaps
            .iter()
            .fold((f64::MAX, 0.0f64), |(lo, hi), g| (lo.min(*g), hi.max(*g)));
        assert!(hi <= 2.0 * lo + 1e-9, "gaps from {lo} to {hi}");
    }

    #[test]
    fn short_videos_give_every_frame_they_have() {
        assert_eq!(run(16, Some(0.2), 5, 25.0).len(), 5);
        // A two-second clip still fills the grid.
        assert_eq!(run(16, Some(2.0), 60, 30.0).len(), 16);
    }

    #[test]
    fn an_overstated_duration_does_not_starve_the_sheet() {
        let stamps = run(16, Some(1e12), 10 * 30, 30.0);
        assert_eq!(stamps.len(), 16);
    }

    #[test]
    fn grid_bounds_hold() {
        let g = Grid::new(
            &SheetLayout {
                cols: 100,
                rows: 0,
                tile_width: 100_000,
            },
            1.0,
            1e9,
        );
        assert_eq!((g.cols, g.rows, g.tile_w, g.tile_h), (16, 1, 640, 1280));
        let g = Grid::new(&SheetLayout::default(), 1920.0, 1080.0);
        assert_eq!((g.tile_w, g.tile_h), (160, 90));
    }

    #[test]
    fn compose_encodes_a_jpeg_of_the_grid_size() {
        let g = Grid::new(&SheetLayout::default(), 1920.0, 1080.0);
        let tiles = (0..3)
            .map(|i| {
                (
                    i as f64,
                    vec![(i * 80) as u8; (g.tile_w * g.tile_h * 3) as usize],
                )
            })
            .collect();
        let sheet = compose(&g, tiles).expect("encodes");
        assert_eq!(sheet.tiles, vec![0.0, 1.0, 2.0]);
        let img = image::load_from_memory(&sheet.bytes).expect("decodes");
        assert_eq!((img.width(), img.height()), (640, 360));
        assert_eq!(&sheet.bytes[..3], &[0xff, 0xd8, 0xff]);
    }
}
