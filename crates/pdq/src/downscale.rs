//! Jarosz tent filter and decimation to 64×64, bit-identical to the
//! reference's `jaroszFilterFloat` + `decimateFloat`.
//!
//! The reference blurs the whole picture with two rounds of (box along rows,
//! box along columns), each box a running sum in `f32`, then samples 64×64
//! points. Its column pass walks the picture column by column, a cache miss
//! per pixel on large pictures. Here the same arithmetic is reordered so the
//! memory is read in rows:
//!
//! * every output value still gets exactly the reference's `f32` operations
//!   in the reference's order (add the entering value, subtract the leaving
//!   one, divide by the window count), so results are bit-identical; only
//!   *which* output is computed when changes;
//! * a column pass keeps one running sum per column and consumes whole rows
//!   (`StreamingBox`), holding just the last `window` rows;
//! * a row pass works on eight rows at once, transposed into an 8-lane tile so
//!   the eight independent running sums are vector lanes instead of one long
//!   dependency chain;
//! * the passes are chained row by row, so the full-size intermediate buffers
//!   of the reference are never allocated; the second row pass keeps only the
//!   64 sampled columns, and the last column pass runs over those alone.

/// Side of the downsampled picture the DCT reads.
pub(crate) const SIDE: usize = 64;

/// Rows processed together in a row pass.
const LANES: usize = 8;

/// Box window of one pass (the reference's `computeJaroszFilterWindowSize`):
/// two passes each cover half of the input pixels that map to one output
/// pixel, rounded up.
pub(crate) fn window_size(old_dimension: usize, new_dimension: usize) -> usize {
    // The reference's `(old + 2 * new - 1) / (2 * new)`.
    old_dimension.div_ceil(2 * new_dimension)
}

/// Index of the input row (or column) sampled for output `out` of `out_len`
/// (the reference's `decimateFloat`: centres, not corners, computed in `f64`).
fn sample_index(out: usize, in_len: usize, out_len: usize) -> usize {
    // Truncation, as the reference's `(int)` cast.
    (((out as f64 + 0.5) * in_len as f64) / out_len as f64) as usize
}

/// The reference's phase lengths for a box of `window` over `len` values.
#[derive(Clone, Copy, Debug)]
struct Phases {
    /// Values summed before the first output (phase 1).
    lead: usize,
    /// Full window size (end of phase 2, start of phase 3).
    full: usize,
    /// Outputs written in phase 4, with no value added.
    tail: usize,
}

impl Phases {
    fn new(window: usize) -> Phases {
        // The reference's `half_window_size = (full + 2) / 2`: 7 -> 4, 8 -> 5.
        let half = (window + 2) / 2;
        Phases {
            lead: half - 1,
            full: window,
            tail: half - 1,
        }
    }
}

// The four steps of a running box sum, each over a row of running sums. Each
// keeps the reference's `f32` operation order per value:
// `sum += in[ri]; sum -= in[li]; out = sum / count`.

#[inline(always)]
fn step_add(sums: &mut [f32], add: &[f32]) {
    for (s, a) in sums.iter_mut().zip(add) {
        *s += *a;
    }
}

#[inline(always)]
fn step_add_emit(sums: &mut [f32], add: &[f32], count: f32, out: &mut [f32]) {
    for ((s, a), o) in sums.iter_mut().zip(add).zip(out.iter_mut()) {
        *s += *a;
        *o = *s / count;
    }
}

#[inline(always)]
fn step_slide_emit(sums: &mut [f32], add: &[f32], sub: &[f32], count: f32, out: &mut [f32]) {
    for (((s, a), d), o) in sums.iter_mut().zip(add).zip(sub).zip(out.iter_mut()) {
        let mut v = *s + *a;
        v -= *d;
        *s = v;
        *o = v / count;
    }
}

#[inline(always)]
fn step_sub_emit(sums: &mut [f32], sub: &[f32], count: f32, out: &mut [f32]) {
    for ((s, d), o) in sums.iter_mut().zip(sub).zip(out.iter_mut()) {
        *s -= *d;
        *o = *s / count;
    }
}

/// Box filter along axis 0 of a `len × width` row-major block held in
/// memory: column `c` of `output` is the reference's `box1DFloat` of column
/// `c` of `input`.
fn box_axis0(input: &[f32], output: &mut [f32], len: usize, width: usize, window: usize) {
    debug_assert!(input.len() >= len * width && output.len() >= len * width);
    debug_assert!(window >= 1 && window <= len);
    let p = Phases::new(window);
    let row = |r: usize| r * width..(r + 1) * width;
    let mut sums = vec![0.0f32; width];
    let mut count = 0usize;
    let mut ri = 0;
    let mut oi = 0;
    let mut li = 0;
    for _ in 0..p.lead {
        step_add(&mut sums, &input[row(ri)]);
        count += 1;
        ri += 1;
    }
    for _ in 0..p.full - p.lead {
        count += 1;
        step_add_emit(
            &mut sums,
            &input[row(ri)],
            count as f32,
            &mut output[row(oi)],
        );
        ri += 1;
        oi += 1;
    }
    for _ in 0..len - p.full {
        step_slide_emit(
            &mut sums,
            &input[row(ri)],
            &input[row(li)],
            count as f32,
            &mut output[row(oi)],
        );
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..p.tail {
        count -= 1;
        step_sub_emit(
            &mut sums,
            &input[row(li)],
            count as f32,
            &mut output[row(oi)],
        );
        li += 1;
        oi += 1;
    }
}

/// Eight values, one per row of a batch.
pub(crate) type Lanes = [f32; LANES];

/// Box filter along each lane of a transposed tile (`tile[j][k]` = column
/// `j` of batch row `k`): the reference's `box1DFloat` along eight rows at
/// once, each lane's running sum a vector lane. Calls `emit(j, values)` for
/// the `j` in `wanted` (ascending, repeats allowed) or, when `wanted` is
/// `None`, for every `j`; a pass whose output is only sampled so skips the
/// other divisions (the running sums, and so the results, are unchanged).
fn box_lanes(
    tile: &[Lanes],
    window: usize,
    wanted: Option<&[usize]>,
    mut emit: impl FnMut(usize, &Lanes),
) {
    let len = tile.len();
    debug_assert!(window >= 1 && window <= len);
    let p = Phases::new(window);
    let mut sums: Lanes = [0.0; LANES];
    let mut out: Lanes = [0.0; LANES];
    let mut next_wanted = 0;
    let mut put = |oi: usize, sums: &Lanes, count: usize| {
        let repeat = match wanted {
            None => 1,
            Some(w) => {
                let start = next_wanted;
                while w.get(next_wanted) == Some(&oi) {
                    next_wanted += 1;
                }
                next_wanted - start
            }
        };
        if repeat > 0 {
            let c = count as f32;
            for (o, s) in out.iter_mut().zip(sums) {
                *o = *s / c;
            }
            for _ in 0..repeat {
                emit(oi, &out);
            }
        }
    };
    let mut count = 0;
    let mut oi = 0;
    for add in &tile[..p.lead] {
        for (s, a) in sums.iter_mut().zip(add) {
            *s += *a;
        }
        count += 1;
    }
    for add in &tile[p.lead..p.full] {
        for (s, a) in sums.iter_mut().zip(add) {
            *s += *a;
        }
        count += 1;
        put(oi, &sums, count);
        oi += 1;
    }
    for (add, sub) in tile[p.full..].iter().zip(tile) {
        for ((s, a), d) in sums.iter_mut().zip(add).zip(sub) {
            let v = *s + *a;
            *s = v - *d;
        }
        put(oi, &sums, count);
        oi += 1;
    }
    for sub in &tile[len - p.full..len - p.full + p.tail] {
        for (s, d) in sums.iter_mut().zip(sub) {
            *s -= *d;
        }
        count -= 1;
        put(oi, &sums, count);
        oi += 1;
    }
}

/// The box along axis 0 of the picture, fed one row at a time: keeps the
/// rows still to be subtracted, plus room for a batch of eight coming rows,
/// in a ring, and yields each output row as soon as it is final.
#[derive(Debug)]
struct StreamingBox {
    width: usize,
    len: usize,
    phases: Phases,
    sums: Vec<f32>,
    /// Input row `r` sits in slot `r % slots` until subtracted.
    ring: Vec<f32>,
    slots: usize,
    out: Vec<f32>,
    count: usize,
    read: usize,
    left: usize,
    written: usize,
}

impl StreamingBox {
    fn new(len: usize, width: usize, window: usize) -> StreamingBox {
        debug_assert!(window >= 1 && window <= len);
        let slots = window + LANES;
        StreamingBox {
            width,
            len,
            phases: Phases::new(window),
            sums: vec![0.0; width],
            ring: vec![0.0; slots * width],
            slots,
            out: vec![0.0; width],
            count: 0,
            read: 0,
            left: 0,
            written: 0,
        }
    }

    /// Offset in [`Self::ring`] of input row `r`, which may be written while
    /// `self.read <= r < self.read + 8`.
    fn offset(&self, r: usize) -> usize {
        debug_assert!(r >= self.read && r < self.read + LANES);
        (r % self.slots) * self.width
    }

    /// Consumes input row `self.read` (already written in the ring);
    /// returns the next output row when one is ready.
    fn push(&mut self) -> Option<&[f32]> {
        debug_assert!(self.read < self.len);
        let p = self.phases;
        let read = self.read;
        self.read += 1;
        let o = (read % self.slots) * self.width;
        let row = &self.ring[o..o + self.width];
        if read < p.lead {
            self.count += 1;
            step_add(&mut self.sums, row);
            return None;
        }
        if read < p.full {
            self.count += 1;
            step_add_emit(&mut self.sums, row, self.count as f32, &mut self.out);
        } else {
            let o = (self.left % self.slots) * self.width;
            let old = &self.ring[o..o + self.width];
            step_slide_emit(&mut self.sums, row, old, self.count as f32, &mut self.out);
            self.left += 1;
        }
        self.written += 1;
        Some(&self.out)
    }

    /// After all rows are fed, yields the remaining output rows one by one.
    fn drain(&mut self) -> Option<&[f32]> {
        debug_assert_eq!(self.read, self.len);
        if self.written == self.len {
            return None;
        }
        self.count -= 1;
        let o = (self.left % self.slots) * self.width;
        step_sub_emit(
            &mut self.sums,
            &self.ring[o..o + self.width],
            self.count as f32,
            &mut self.out,
        );
        self.left += 1;
        self.written += 1;
        Some(&self.out)
    }
}

/// Where the luma comes from.
pub(crate) trait LumaRows {
    fn width(&self) -> usize;
    fn height(&self) -> usize;
    /// Writes row `r` (`width` values) into `out`.
    fn fill_row(&self, r: usize, out: &mut [f32]);
    /// Writes rows `first..first + n` (`n <= 8`) transposed: `tile[j][k]` is
    /// column `j` of row `first + k`.
    fn fill_tile(&self, first: usize, n: usize, tile: &mut [Lanes], scratch: &mut [f32]) {
        for k in 0..n {
            self.fill_row(first + k, scratch);
            for (t, v) in tile.iter_mut().zip(scratch.iter()) {
                t[k] = *v;
            }
        }
    }
}

/// Pass 3 batches: rows of pass 2 gathered eight at a time into a tile,
/// boxed along the rows, kept only at the 64 sampled columns.
struct ThirdPass<'a> {
    tile: Vec<Lanes>,
    rows: usize,
    first: usize,
    window: usize,
    cols: &'a [usize; SIDE],
    /// `sampled[r * 64 + o]`: row `r` of pass 3 at sampled column `o`.
    sampled: Vec<f32>,
}

impl ThirdPass<'_> {
    fn take(&mut self, row: &[f32]) {
        let k = self.rows;
        for (t, v) in self.tile.iter_mut().zip(row) {
            t[k] = *v;
        }
        self.rows += 1;
        if self.rows == LANES {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let (n, first) = (self.rows, self.first);
        let sampled = &mut self.sampled;
        let mut o = 0;
        box_lanes(&self.tile, self.window, Some(self.cols), |_, v| {
            for (k, x) in v.iter().enumerate().take(n) {
                sampled[(first + k) * SIDE + o] = *x;
            }
            o += 1;
        });
        self.first += n;
        self.rows = 0;
    }
}

/// Blurs and decimates the picture to 64×64 exactly as the reference's
/// `jaroszFilterFloat` (two passes) followed by `decimateFloat`.
///
/// Requires width and height ≥ 1.
pub(crate) fn jarosz_decimate(src: &impl LumaRows) -> [[f32; SIDE]; SIDE] {
    let (w, h) = (src.width(), src.height());
    let window_along_rows = window_size(w, SIDE);
    let window_along_cols = window_size(h, SIDE);
    let cols: [usize; SIDE] = std::array::from_fn(|o| sample_index(o, w, SIDE));
    let rows: [usize; SIDE] = std::array::from_fn(|o| sample_index(o, h, SIDE));

    // Pass 1 (rows, eight at a time) -> pass 2 (columns, streaming) ->
    // pass 3 (rows, eight at a time, divided only at the sampled columns) ->
    // pass 4 (columns, over the 64 sampled columns only).
    let mut first: Vec<Lanes> = vec![[0.0; LANES]; w];
    let mut scratch = vec![0.0f32; w];
    let mut second = StreamingBox::new(h, w, window_along_cols);
    let mut third = ThirdPass {
        tile: vec![[0.0; LANES]; w],
        rows: 0,
        first: 0,
        window: window_along_rows,
        cols: &cols,
        sampled: vec![0.0; h * SIDE],
    };

    let mut boxed: Vec<Lanes> = vec![[0.0; LANES]; w];
    let mut r = 0;
    while r < h {
        let n = LANES.min(h - r);
        src.fill_tile(r, n, &mut first, &mut scratch);
        box_lanes(&first, window_along_rows, None, |j, v| boxed[j] = *v);
        // Transposed back into pass 2's ring rows, one contiguous row at a
        // time.
        for k in 0..n {
            let o = second.offset(r + k);
            for (d, t) in second.ring[o..o + w].iter_mut().zip(&boxed) {
                *d = t[k];
            }
        }
        for _ in 0..n {
            if let Some(row) = second.push() {
                third.take(row);
            }
        }
        r += n;
    }
    while let Some(row) = second.drain() {
        third.take(row);
    }
    if third.rows > 0 {
        third.flush();
    }

    let mut fourth = vec![0.0f32; h * SIDE];
    box_axis0(&third.sampled, &mut fourth, h, SIDE, window_along_cols);
    let mut out = [[0.0f32; SIDE]; SIDE];
    for (o, &i) in out.iter_mut().zip(rows.iter()) {
        o.copy_from_slice(&fourth[i * SIDE..(i + 1) * SIDE]);
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Straight transcription of the reference's data flow (full buffers,
    /// column pass by strided access), used as the oracle.
    pub(crate) fn naive_jarosz_decimate(luma: &[f32], w: usize, h: usize) -> [[f32; SIDE]; SIDE] {
        fn box1d(
            inv: &[f32],
            outv: &mut [f32],
            base: usize,
            len: usize,
            stride: usize,
            full: usize,
        ) {
            let half = (full + 2) / 2;
            let (mut li, mut ri, mut oi) = (base, base, base);
            let mut sum = 0.0f32;
            let mut cur = 0i32;
            for _ in 0..half - 1 {
                sum += inv[ri];
                cur += 1;
                ri += stride;
            }
            for _ in 0..full - half + 1 {
                sum += inv[ri];
                cur += 1;
                outv[oi] = sum / cur as f32;
                ri += stride;
                oi += stride;
            }
            for _ in 0..len - full {
                sum += inv[ri];
                sum -= inv[li];
                outv[oi] = sum / cur as f32;
                li += stride;
                ri += stride;
                oi += stride;
            }
            for _ in 0..half - 1 {
                sum -= inv[li];
                cur -= 1;
                outv[oi] = sum / cur as f32;
                li += stride;
                oi += stride;
            }
        }
        let wr = window_size(w, 64);
        let wc = window_size(h, 64);
        let mut b1 = luma.to_vec();
        let mut b2 = vec![0.0f32; w * h];
        for _ in 0..2 {
            for i in 0..h {
                box1d(&b1, &mut b2, i * w, w, 1, wr);
            }
            for j in 0..w {
                box1d(&b2, &mut b1, j, h, w, wc);
            }
        }
        let mut out = [[0.0f32; SIDE]; SIDE];
        for (oi, row) in out.iter_mut().enumerate() {
            let ii = sample_index(oi, h, 64);
            for (oj, v) in row.iter_mut().enumerate() {
                *v = b1[ii * w + sample_index(oj, w, 64)];
            }
        }
        out
    }

    pub(crate) struct Slice<'a> {
        pub w: usize,
        pub h: usize,
        pub luma: &'a [f32],
    }

    impl LumaRows for Slice<'_> {
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

    /// Deterministic pseudo-random luma (xorshift), with fractional values so
    /// float rounding is exercised.
    pub(crate) fn noise(w: usize, h: usize, seed: u64) -> Vec<f32> {
        let mut x = seed | 1;
        (0..w * h)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 25_500) as f32 / 100.0 + 0.123
            })
            .collect()
    }

    #[test]
    fn window_sizes_match_reference_formula() {
        assert_eq!(window_size(1024, 64), 8);
        assert_eq!(window_size(1600, 64), 13);
        assert_eq!(window_size(128, 64), 1);
        assert_eq!(window_size(129, 64), 2);
        assert_eq!(window_size(5, 64), 1);
    }

    #[test]
    fn streaming_filter_is_bit_identical_to_reference_order() {
        let sizes = [
            (5, 5),
            (7, 13),
            (64, 64),
            (63, 65),
            (100, 37),
            (129, 128),
            (257, 300),
            (640, 480),
            (1001, 203),
            (203, 1001),
        ];
        for (seed, &(w, h)) in sizes.iter().enumerate() {
            let luma = noise(w, h, seed as u64 + 7);
            let want = naive_jarosz_decimate(&luma, w, h);
            let got = jarosz_decimate(&Slice { w, h, luma: &luma });
            for i in 0..SIDE {
                for j in 0..SIDE {
                    assert_eq!(
                        got[i][j].to_bits(),
                        want[i][j].to_bits(),
                        "{w}x{h} at [{i}][{j}]"
                    );
                }
            }
        }
    }

    /// `cargo test --release -p spoor-pdq --lib -- --ignored --nocapture
    /// filter_speed`: the reference's data flow against this one on a
    /// 12-megapixel picture.
    #[test]
    #[ignore = "timing, run in release"]
    fn filter_speed() {
        let (w, h) = (4032, 3024);
        let luma = noise(w, h, 11);
        let t = std::time::Instant::now();
        let naive = naive_jarosz_decimate(&luma, w, h);
        let naive_time = t.elapsed();
        let t = std::time::Instant::now();
        let fast = jarosz_decimate(&Slice { w, h, luma: &luma });
        let fast_time = t.elapsed();
        assert_eq!(naive, fast);
        println!("{w}x{h}: reference order {naive_time:?}, streaming {fast_time:?}");
    }
}
