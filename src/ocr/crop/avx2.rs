//! The sampler of [`super::crop_to`] eight output pixels at a time, in AVX2 vectors.
//!
//! Every value is computed by the same IEEE operations in the same order as the scalar sampler
//! (no fused multiply-adds), so every byte comes out the same. A block of eight pixels any of
//! whose samples is not wholly inside the image (an edge, or a coordinate that is not finite)
//! is left to the scalar sampler, which knows the white beyond the image.

use std::arch::x86_64::*;

use imageproc::geometric_transformations::Projection;

use super::Source;

/// A projection's matrix, read out of `imageproc`'s `Projection` (which keeps it private) so
/// that the vectors can apply it exactly as it applies itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Matrix {
    /// Row-major 3 x 3, as `imageproc` holds it.
    t: [f32; 9],
    /// `imageproc` divides by the third row only for a projective matrix; an affine one (its
    /// third row within 1e-10 of (0, 0, 1)) it applies without it.
    divide: bool,
}

impl Matrix {
    /// The matrix of `proj`, if it is projective or affine. Read from its `Debug` form, whose
    /// floats print so that they parse back to the same bits; the tests check that the matrix
    /// maps points to exactly what `proj` maps them to.
    pub(super) fn of(proj: &Projection) -> Option<Matrix> {
        let text = format!("{proj:?}");
        let divide = if text.ends_with("class: Projection }") {
            true
        } else if text.ends_with("class: Affine }") {
            false
        } else {
            return None;
        };
        let inner = text.split_once("transform: [")?.1.split_once(']')?.0;
        let mut t = [0.0f32; 9];
        let mut parts = inner.split(',');
        for v in t.iter_mut() {
            *v = parts.next()?.trim().parse().ok()?;
        }
        if parts.next().is_some() {
            return None;
        }
        Some(Matrix { t, divide })
    }

    /// The point `(x, y)` maps to, as `imageproc` computes it.
    #[cfg(test)]
    pub(super) fn map(&self, x: f32, y: f32) -> (f32, f32) {
        let t = &self.t;
        let u = t[0] * x + t[1] * y + t[2];
        let v = t[3] * x + t[4] * y + t[5];
        if self.divide {
            let d = t[6] * x + t[7] * y + t[8];
            (u / d, v / d)
        } else {
            (u, v)
        }
    }
}

/// Whether this CPU runs [`sample_row`].
pub(super) fn available() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

/// Samples row `y` of a strip, `N` x `N` samples a pixel, into `row`; a block the vectors
/// cannot take, and the last few pixels, go to `scalar(x, pixel)`.
///
/// Call only where [`available`].
#[target_feature(enable = "avx2")]
pub(super) fn sample_row<const N: usize>(
    m: &Matrix,
    src: &Source,
    y: u32,
    row: &mut [u8],
    scalar: impl Fn(u32, &mut [u8]),
) {
    let width = row.len() / 3;
    // Byte offsets are i32 lanes: an image too large for them is sampled by the scalar code.
    let fits = (src.raw.len() as u64) < (i32::MAX as u64) / 2 && src.w > 1 && src.h > 1;
    let blocks = if fits { width / 8 } else { 0 };
    let step = 1.0 / N as f32;
    let weight = _mm256_set1_ps(1.0 / (N * N) as f32);
    let t = m.t.map(|v| _mm256_set1_ps(v));
    let lane = _mm256_setr_ps(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0);
    let (w, h) = (src.w as i32, src.h as i32);
    let (below_x, below_y) = (_mm256_set1_epi32(w - 1), _mm256_set1_epi32(h - 1));
    let minus_one = _mm256_set1_epi32(-1);
    let limit = _mm256_set1_epi32(src.raw.len() as i32 - 3);
    let width_px = _mm256_set1_epi32(w);
    let stride = _mm256_set1_epi32(w * 3);
    let three = _mm256_set1_epi32(3);
    let byte = _mm256_set1_epi32(0xff);
    let half = _mm256_set1_ps(0.5);
    let base = src.raw.as_ptr() as *const i32;
    for block in 0..blocks {
        let x0 = block * 8;
        // `x as f32` for the block's eight pixels: exact, as the integers are small.
        let xs = _mm256_add_ps(_mm256_set1_ps(x0 as f32), lane);
        let mut acc = [_mm256_setzero_ps(); 3];
        let mut inside = true;
        'samples: for i in 0..N {
            let sx = _mm256_add_ps(xs, _mm256_set1_ps((i as f32 + 0.5) * step));
            for j in 0..N {
                let sy = _mm256_set1_ps(y as f32 + (j as f32 + 0.5) * step);
                let mut u = _mm256_add_ps(
                    _mm256_add_ps(_mm256_mul_ps(t[0], sx), _mm256_mul_ps(t[1], sy)),
                    t[2],
                );
                let mut v = _mm256_add_ps(
                    _mm256_add_ps(_mm256_mul_ps(t[3], sx), _mm256_mul_ps(t[4], sy)),
                    t[5],
                );
                if m.divide {
                    let d = _mm256_add_ps(
                        _mm256_add_ps(_mm256_mul_ps(t[6], sx), _mm256_mul_ps(t[7], sy)),
                        t[8],
                    );
                    u = _mm256_div_ps(u, d);
                    v = _mm256_div_ps(v, d);
                }
                let px = _mm256_sub_ps(u, half);
                let py = _mm256_sub_ps(v, half);
                let (xi, yi) = (floor(px), floor(py));
                // Inside: xi >= 0, yi >= 0, xi + 1 < w, yi + 1 < h, and the four bytes read at
                // the bottom-right neighbour within the image.
                let ok = _mm256_and_si256(
                    _mm256_and_si256(
                        _mm256_cmpgt_epi32(xi, minus_one),
                        _mm256_cmpgt_epi32(yi, minus_one),
                    ),
                    _mm256_and_si256(
                        _mm256_cmpgt_epi32(below_x, xi),
                        _mm256_cmpgt_epi32(below_y, yi),
                    ),
                );
                if _mm256_movemask_epi8(ok) != -1 {
                    inside = false;
                    break 'samples;
                }
                let top = _mm256_mullo_epi32(
                    _mm256_add_epi32(_mm256_mullo_epi32(yi, width_px), xi),
                    three,
                );
                let bottom = _mm256_add_epi32(top, stride);
                if _mm256_movemask_epi8(_mm256_cmpgt_epi32(limit, _mm256_add_epi32(bottom, three)))
                    != -1
                {
                    inside = false;
                    break 'samples;
                }
                let fx = _mm256_sub_ps(px, _mm256_cvtepi32_ps(xi));
                let fy = _mm256_sub_ps(py, _mm256_cvtepi32_ps(yi));
                // SAFETY: every offset, plus the four bytes read there, lies in `src.raw`
                // (checked just above).
                let (a, b, c, d) = unsafe {
                    (
                        _mm256_i32gather_epi32::<1>(base, top),
                        _mm256_i32gather_epi32::<1>(base, _mm256_add_epi32(top, three)),
                        _mm256_i32gather_epi32::<1>(base, bottom),
                        _mm256_i32gather_epi32::<1>(base, _mm256_add_epi32(bottom, three)),
                    )
                };
                for (k, acc) in acc.iter_mut().enumerate() {
                    let channel = |g: __m256i| {
                        let shifted = match k {
                            0 => g,
                            1 => _mm256_srli_epi32::<8>(g),
                            _ => _mm256_srli_epi32::<16>(g),
                        };
                        _mm256_cvtepi32_ps(_mm256_and_si256(shifted, byte))
                    };
                    let (a, b, c, d) = (channel(a), channel(b), channel(c), channel(d));
                    let top = _mm256_add_ps(a, _mm256_mul_ps(_mm256_sub_ps(b, a), fx));
                    let bottom = _mm256_add_ps(c, _mm256_mul_ps(_mm256_sub_ps(d, c), fx));
                    let p = _mm256_add_ps(top, _mm256_mul_ps(_mm256_sub_ps(bottom, top), fy));
                    *acc = _mm256_add_ps(*acc, _mm256_mul_ps(p, weight));
                }
            }
        }
        let out = &mut row[x0 * 3..x0 * 3 + 24];
        if !inside {
            for (k, px) in out.chunks_exact_mut(3).enumerate() {
                scalar((x0 + k) as u32, px);
            }
            continue;
        }
        let mut bytes = [[0i32; 8]; 3];
        for (k, acc) in acc.iter().enumerate() {
            // `round` (halves up; the sums are far below 2^23), then clamped to a byte.
            let t = _mm256_cvtepi32_ps(_mm256_cvttps_epi32(*acc));
            let up = _mm256_cmp_ps::<_CMP_GE_OQ>(_mm256_sub_ps(*acc, t), half);
            let r = _mm256_add_ps(t, _mm256_and_ps(up, _mm256_set1_ps(1.0)));
            let r = _mm256_min_ps(_mm256_max_ps(r, _mm256_setzero_ps()), _mm256_set1_ps(255.0));
            // SAFETY: `bytes[k]` is eight i32s, the width of the store.
            unsafe {
                _mm256_storeu_si256(
                    bytes[k].as_mut_ptr() as *mut __m256i,
                    _mm256_cvttps_epi32(r),
                )
            };
        }
        for (k, px) in out.chunks_exact_mut(3).enumerate() {
            px.copy_from_slice(&[bytes[0][k] as u8, bytes[1][k] as u8, bytes[2][k] as u8]);
        }
    }
    for x in blocks * 8..width {
        scalar(x as u32, &mut row[x * 3..x * 3 + 3]);
    }
}

/// `floor` of each lane as an integer, as the scalar `floor` computes it for coordinates that
/// can land inside an image; a lane out of i32's range (or not a number) comes out as
/// `i32::MIN` or `i32::MAX`, both outside.
#[inline]
#[target_feature(enable = "avx2")]
fn floor(x: __m256) -> __m256i {
    let t = _mm256_cvttps_epi32(x);
    let above = _mm256_cmp_ps::<_CMP_GT_OQ>(_mm256_cvtepi32_ps(t), x);
    // The comparison's mask is -1 where the truncation went up: subtract one there.
    _mm256_add_epi32(t, _mm256_castps_si256(above))
}
