//! Which way a straightened page's text runs, measured from its pixels before any line detection.
//!
//! [`super::locate::orient`] detects lines on the page as it comes and, when the boxes stand
//! taller than wide, turns the page a quarter and detects again: a camera page lying on its side
//! paid for two detector passes. This measure lets it turn such a page first.
//!
//! Printed lines are bands of ink with blank space between them, so across the lines the ink
//! comes and goes, and along them it averages out over the letters. The page (at half size) is
//! tiled twice, with windows wide and short, and with windows narrow and tall. In each wide window
//! the edge energy of each row is summed along the row, and the spread of those sums, over their
//! mean, says how much the window looks like lines running across; each tall window does the same
//! for lines running down. Windows with more edges count for more. A page of text gets a high
//! score one way and a low one the other; blank paper, photos and noise score low both ways.

/// The two scores of a page: how much its edges look like lines running across, and down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Direction {
    pub across: f32,
    pub down: f32,
}

/// A page is taken to lie on its side only when lines running down score this many times higher
/// than lines running across. A guess the detector then contradicts costs a detection pass, so
/// the guess is made only when the page says so clearly.
pub const SIDEWAYS_RATIO: f32 = 1.5;

/// A window's long side and short side, in half-size pixels: long enough that a profile along the
/// short side averages over many letters, short enough to hold a few lines and stay within one
/// column of text.
const LONG: usize = 160;
const SHORT: usize = 48;

impl Direction {
    /// Measures a page (see the module's documentation).
    pub fn of(page: &image::RgbImage) -> Direction {
        let (w, h) = (page.width() as usize / 2, page.height() as usize / 2);
        if w < 2 || h < 2 {
            return Direction {
                across: 0.0,
                down: 0.0,
            };
        }
        // Half-size grey levels: the mean of each 2 x 2 block's green samples.
        let raw = page.as_raw();
        let stride = page.width() as usize * 3;
        let mut grey = vec![0u16; w * h];
        for y in 0..h {
            let (r0, r1) = (&raw[2 * y * stride..], &raw[(2 * y + 1) * stride..]);
            for (x, g) in grey[y * w..(y + 1) * w].iter_mut().enumerate() {
                let i = 6 * x + 1;
                *g = r0[i] as u16 + r0[i + 3] as u16 + r1[i] as u16 + r1[i + 3] as u16;
            }
        }
        // Edge energy: the absolute steps to the right and downwards neighbours.
        let mut edges = vec![0u16; w * h];
        for y in 0..h - 1 {
            for x in 0..w - 1 {
                let g = grey[y * w + x];
                edges[y * w + x] =
                    g.abs_diff(grey[y * w + x + 1]) + g.abs_diff(grey[(y + 1) * w + x]);
            }
        }
        let edge = |x: usize, y: usize| edges[y * w + x] as f32;
        let across = score(w, h, LONG, SHORT, |x0, y0, i| {
            (x0..x0 + LONG).map(|x| edge(x, y0 + i)).sum()
        });
        let down = score(w, h, SHORT, LONG, |x0, y0, i| {
            (y0..y0 + LONG).map(|y| edge(x0 + i, y)).sum()
        });
        Direction { across, down }
    }

    /// Whether the page's text clearly runs down it: the page lies on its side.
    pub fn sideways(&self) -> bool {
        self.down > SIDEWAYS_RATIO * self.across
    }
}

/// The edge-weighted mean of each window's squared coefficient of variation of its profile.
/// `profile(x0, y0, i)` is the `i`-th of the window's [`SHORT`] sums, for the window whose
/// top-left corner is `(x0, y0)`.
fn score(
    w: usize,
    h: usize,
    win_w: usize,
    win_h: usize,
    profile: impl Fn(usize, usize, usize) -> f32,
) -> f32 {
    let (mut weighted, mut total) = (0.0f64, 0.0f64);
    for y0 in (0..h.saturating_sub(win_h - 1)).step_by(win_h) {
        for x0 in (0..w.saturating_sub(win_w - 1)).step_by(win_w) {
            let sums: [f32; SHORT] = std::array::from_fn(|i| profile(x0, y0, i));
            let energy: f32 = sums.iter().sum();
            if energy <= 0.0 {
                continue;
            }
            let mean = energy / SHORT as f32;
            let var = sums.iter().map(|s| (s - mean) * (s - mean)).sum::<f32>() / SHORT as f32;
            weighted += (energy * var / (mean * mean)) as f64;
            total += energy as f64;
        }
    }
    if total > 0.0 {
        (weighted / total) as f32
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, imageops};

    /// A white page with `rows` lines of dark "words", 12 px high, 20 apart: letters of 4 to 8
    /// px (their two sides and a bar across) with gaps of 2 to 4, and wider gaps between words,
    /// all drawn from a fixed pseudo-random sequence so that no two lines line up.
    fn lined_page(w: u32, h: u32, rows: u32) -> RgbImage {
        let mut page = RgbImage::from_pixel(w, h, Rgb([235, 235, 230]));
        let mut state = 7u32;
        let mut next = |n: u32| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 16) % n
        };
        let ink = Rgb([30, 30, 30]);
        for r in 0..rows {
            let y0 = 40 + r * 20;
            if y0 + 12 >= h {
                break;
            }
            let mut x = 40 + next(20);
            while x + 8 < w - 40 {
                let letter = 4 + next(5);
                for y in y0..y0 + 12 {
                    page.put_pixel(x, y, ink);
                    page.put_pixel(x + letter - 1, y, ink);
                }
                for dx in 0..letter {
                    page.put_pixel(x + dx, y0 + 3 + next(7), ink);
                }
                x += letter + 2 + next(3) + if next(7) == 0 { 8 } else { 0 };
            }
        }
        page
    }

    #[test]
    fn lines_across_score_across_and_a_quarter_turn_scores_down() {
        let page = lined_page(800, 1100, 50);
        let upright = Direction::of(&page);
        assert!(upright.across > 4.0 * upright.down, "{upright:?}");
        assert!(!upright.sideways());
        for turned in [imageops::rotate90(&page), imageops::rotate270(&page)] {
            let d = Direction::of(&turned);
            assert!(d.sideways(), "{d:?}");
            // The same page measures about the same, turned (the windows fall a little
            // differently on it).
            assert!(
                (d.down - upright.across).abs() < 0.25 * upright.across,
                "{d:?}"
            );
        }
    }

    #[test]
    fn blank_noisy_and_tiny_pages_are_not_taken_as_sideways() {
        let blank = RgbImage::from_pixel(600, 800, Rgb([240, 240, 240]));
        assert_eq!(Direction::of(&blank).across, 0.0);
        assert!(!Direction::of(&blank).sideways());
        // Noise has no direction: neither score stands out.
        let mut state = 12345u32;
        let noisy = RgbImage::from_fn(600, 800, |_, _| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let v = 120 + (state >> 24) as u8 / 2;
            Rgb([v, v, v])
        });
        let d = Direction::of(&noisy);
        assert!(!d.sideways(), "{d:?}");
        assert!(d.down < 1.5 * d.across && d.across < 1.5 * d.down, "{d:?}");
        for (w, h) in [(0, 0), (1, 1), (3, 500), (500, 3), (100, 100)] {
            assert!(!Direction::of(&RgbImage::new(w, h)).sideways());
        }
    }

    #[test]
    fn generated_documents_of_every_kind_read_across_upright_and_down_on_their_side() {
        use crate::synth::{DocKind, Fonts, sample_document};
        use rand::SeedableRng;
        use rand::rngs::StdRng;

        let fonts = Fonts::load().expect("fonts");
        for (k, kind) in DocKind::ALL.into_iter().enumerate() {
            let doc = sample_document(&mut StdRng::seed_from_u64(500 + k as u64), kind, &fonts);
            // About the resolution of a straightened camera page.
            let dpi = if doc.width.max(doc.height) < 400.0 {
                260.0
            } else {
                130.0
            };
            let page = doc.render(&fonts, dpi);
            let upright = Direction::of(&page);
            assert!(!upright.sideways(), "{kind:?} upright: {upright:?}");
            assert!(
                upright.across > 2.0 * upright.down,
                "{kind:?} upright: {upright:?}"
            );
            let upside_down = Direction::of(&imageops::rotate180(&page));
            assert!(
                !upside_down.sideways(),
                "{kind:?} upside down: {upside_down:?}"
            );
            for turned in [imageops::rotate90(&page), imageops::rotate270(&page)] {
                let d = Direction::of(&turned);
                assert!(d.sideways(), "{kind:?} on its side: {d:?}");
            }
        }
    }
}
