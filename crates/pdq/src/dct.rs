//! From the 64×64 downsample to the hash: quality metric, 16×16 DCT, the
//! dihedral sign/transpose patterns, and the median threshold.

use std::sync::OnceLock;

use crate::downscale::SIDE;
use crate::hash::PdqHash;

/// Coefficients kept per axis.
pub(crate) const KEEP: usize = 16;

pub(crate) type Dct16 = [[f32; KEEP]; KEEP];

/// Rows 1..=16 of the 64-point DCT-II matrix, scaled by `sqrt(2/64)`, as the
/// reference builds it: the scale is an `f32`, the product is taken in `f64`
/// with `cos` and then rounded to `f32`.
fn dct_matrix() -> &'static [[f32; SIDE]; KEEP] {
    static MATRIX: OnceLock<[[f32; SIDE]; KEEP]> = OnceLock::new();
    MATRIX.get_or_init(|| {
        let scale = (2.0f64 / SIDE as f64).sqrt() as f32;
        let mut m = [[0.0f32; SIDE]; KEEP];
        for (i, row) in m.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                let angle = (std::f64::consts::PI / 2.0 / SIDE as f64)
                    * (i + 1) as f64
                    * (2 * j + 1) as f64;
                *v = (f64::from(scale) * angle.cos()) as f32;
            }
        }
        m
    })
}

/// `B = D A Dᵀ` with `T = D A` first, each sum accumulated in `f32` from
/// index 0 upwards, as the reference's `dct64To16`.
pub(crate) fn dct64_to_16(a: &[[f32; SIDE]; SIDE]) -> Dct16 {
    let d = dct_matrix();
    let mut t = [[0.0f32; SIDE]; KEEP];
    for (i, t_row) in t.iter_mut().enumerate() {
        for (j, t_ij) in t_row.iter_mut().enumerate() {
            let mut sum = 0.0f32;
            for (k, a_row) in a.iter().enumerate() {
                sum += d[i][k] * a_row[j];
            }
            *t_ij = sum;
        }
    }
    let mut b = [[0.0f32; KEEP]; KEEP];
    for (i, b_row) in b.iter_mut().enumerate() {
        for (j, b_ij) in b_row.iter_mut().enumerate() {
            let mut sum = 0.0f32;
            for (t_ik, d_jk) in t[i].iter().zip(d[j].iter()) {
                sum += t_ik * d_jk;
            }
            *b_ij = sum;
        }
    }
    b
}

/// The reference's image-domain quality: the sum of quantised vertical and
/// horizontal gradients of the 64×64 downsample, divided by 90, capped at 100.
pub(crate) fn quality(a: &[[f32; SIDE]; SIDE]) -> u32 {
    // `int d = ((u - v) * 100) / 255;` in f32, truncated toward zero.
    let step = |u: f32, v: f32| -> i64 { i64::from((((u - v) * 100.0) / 255.0) as i32).abs() };
    let mut sum: i64 = 0;
    for (upper, lower) in a.iter().zip(a.iter().skip(1)) {
        for (u, v) in upper.iter().zip(lower) {
            sum += step(*u, *v);
        }
    }
    for row in a.iter() {
        for j in 0..SIDE - 1 {
            sum += step(row[j], row[j + 1]);
        }
    }
    // Integer division, as the reference's `gradient_sum / 90`.
    (sum / 90).min(100) as u32
}

/// Torben Mogensen's median (the reference's `torben`): for an even count
/// this is the lower of the two middle values.
fn torben(m: &[f32]) -> f32 {
    let n = m.len() as i64;
    let half = (n + 1) / 2;
    let mut min = m[0];
    let mut max = m[0];
    for &v in &m[1..] {
        if v < min {
            min = v;
        }
        if v > max {
            max = v;
        }
    }
    let (mut less, mut equal, mut guess, mut max_lt, mut min_gt);
    // Each round strictly narrows [min, max] to another input value, so it
    // ends within `n` rounds; the bound only guards against NaN inputs.
    let mut rounds = 0;
    loop {
        guess = (min + max) / 2.0;
        less = 0i64;
        let mut greater = 0i64;
        equal = 0i64;
        max_lt = min;
        min_gt = max;
        for &v in m {
            if v < guess {
                less += 1;
                if v > max_lt {
                    max_lt = v;
                }
            } else if v > guess {
                greater += 1;
                if v < min_gt {
                    min_gt = v;
                }
            } else {
                equal += 1;
            }
        }
        rounds += 1;
        if (less <= half && greater <= half) || rounds > m.len() + 1 {
            break;
        } else if less > greater {
            max = max_lt;
        } else {
            min = min_gt;
        }
    }
    if less >= half {
        max_lt
    } else if less + equal >= half {
        guess
    } else {
        min_gt
    }
}

/// One bit per coefficient: set when above the median of all 256.
pub(crate) fn to_bits(b: &Dct16) -> PdqHash {
    let flat: Vec<f32> = b.iter().flatten().copied().collect();
    let median = torben(&flat);
    let mut hash = PdqHash::ZERO;
    for (k, &v) in flat.iter().enumerate() {
        if v > median {
            hash.set_bit(k);
        }
    }
    hash
}

/// The eight dihedral transforms, applied to the DCT rather than the pixels
/// (the reference's `dct16OriginalTo*`). An odd-index (row or column)
/// coefficient changes sign when its axis is mirrored; a transpose swaps
/// the axes.
pub(crate) fn transform(a: &Dct16, variant: crate::Dihedral) -> Dct16 {
    use crate::Dihedral as D;
    let mut b = [[0.0f32; KEEP]; KEEP];
    for i in 0..KEEP {
        for j in 0..KEEP {
            let v = a[i][j];
            let (odd_i, odd_j, odd_sum) = (i & 1 == 1, j & 1 == 1, (i + j) & 1 == 1);
            match variant {
                D::Original => b[i][j] = v,
                D::Rotate90 => b[j][i] = if odd_j { v } else { -v },
                D::Rotate180 => b[i][j] = if odd_sum { -v } else { v },
                D::Rotate270 => b[j][i] = if odd_i { v } else { -v },
                D::FlipX => b[i][j] = if odd_i { v } else { -v },
                D::FlipY => b[i][j] = if odd_j { v } else { -v },
                D::FlipPlus1 => b[j][i] = v,
                D::FlipMinus1 => b[j][i] = if odd_sum { -v } else { v },
            }
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torben_is_lower_median() {
        let v: Vec<f32> = (0..256).rev().map(|x| x as f32).collect();
        assert_eq!(torben(&v), 127.0);
        assert_eq!(torben(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(torben(&[5.0; 256]), 5.0);
        // NaN input must not hang.
        let mut nan = v.clone();
        nan[0] = f32::NAN;
        let _ = torben(&nan);
        nan[0] = 1.0;
        nan[10] = f32::INFINITY;
        nan[11] = f32::NEG_INFINITY;
        let _ = torben(&nan);
    }

    #[test]
    fn dct_matrix_first_entries() {
        // sqrt(2/64) * cos(pi/128 * 1 * 1)
        let d = dct_matrix();
        let want =
            ((2.0f64 / 64.0).sqrt() as f32 as f64 * (std::f64::consts::PI / 128.0).cos()) as f32;
        assert_eq!(d[0][0], want);
        assert!(
            (d[15][63]
                - (0.176_776_7 * (std::f64::consts::PI / 128.0 * 16.0 * 127.0).cos() as f32))
                .abs()
                < 1e-6
        );
    }

    #[test]
    fn flat_picture_has_zero_quality() {
        let a = [[100.0f32; SIDE]; SIDE];
        assert_eq!(quality(&a), 0);
    }

    #[test]
    fn quality_caps_at_100() {
        let mut a = [[0.0f32; SIDE]; SIDE];
        for (i, row) in a.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = if (i + j) % 2 == 0 { 255.0 } else { 0.0 };
            }
        }
        assert_eq!(quality(&a), 100);
    }

    #[test]
    fn transforms_compose_like_the_dihedral_group() {
        use crate::Dihedral as D;
        let mut a = [[0.0f32; KEEP]; KEEP];
        for (i, row) in a.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = (i * 16 + j) as f32 - 100.5;
            }
        }
        let r90 = transform(&a, D::Rotate90);
        assert_eq!(transform(&r90, D::Rotate90), transform(&a, D::Rotate180));
        assert_eq!(
            transform(&transform(&a, D::Rotate180), D::Rotate90),
            transform(&a, D::Rotate270)
        );
        for d in D::ALL {
            if matches!(d, D::FlipX | D::FlipY | D::FlipPlus1 | D::FlipMinus1) {
                assert_eq!(transform(&transform(&a, d), d), a, "{d:?} is an involution");
            }
        }
    }
}
