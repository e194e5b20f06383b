//! Whole pages: a composer that draws positioned text items on paper, and a sampler that lays out
//! a printout in the style of an Indonesian electronic residence permit (ministry header, title,
//! then label/value rows such as `Full Name : YOUXING CHEN`).
//!
//! Pages are A4 at 150 dpi (1240 x 1754 px), the size a printed permit has when scanned or
//! photographed at a resolution OCR is comfortable with.

use image::{Rgb, RgbImage};
use rand::{Rng, RngExt};

use super::fonts::{FontFace, Fonts};
use super::names::pick;
use super::render::{draw_text, line_height, text_width};
use super::text::{self, Person, Region};

/// A4 at 150 dpi.
pub const PAGE_W: u32 = 1240;
/// A4 at 150 dpi.
pub const PAGE_H: u32 = 1754;

const MARGIN: f32 = 110.0;
const INK: Rgb<u8> = Rgb([24, 24, 28]);
const LABEL_X: f32 = MARGIN;
const COLON_X: f32 = 400.0;
const VALUE_X: f32 = 420.0;
const ROWS_TOP: f32 = 470.0;
const ROWS_BOTTOM: f32 = 1420.0;
/// Modules per side of the QR-like block (the size of a version-3 QR code).
pub(super) const QR_MODULES: u32 = 29;
const QR_MODULE_PX: u32 = 6;

/// One piece of text on a page: `(x, y)` is the top-left of its line box, in page pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct PageText {
    pub text: String,
    pub face: FontFace,
    /// Font size in pixels (see [`super::render`]).
    pub px: f32,
    pub x: f32,
    pub y: f32,
}

impl PageText {
    /// The item's line box `[x0, y0, x1, y1]` when drawn with `fonts`.
    pub fn bounds(&self, fonts: &Fonts) -> [f32; 4] {
        let font = fonts.get(self.face);
        [
            self.x,
            self.y,
            self.x + text_width(font, self.px, &self.text),
            self.y + line_height(font, self.px),
        ]
    }
}

/// A `width` x `height` sheet of `paper` with every item drawn on it in near-black ink.
pub fn compose_page(
    width: u32,
    height: u32,
    paper: Rgb<u8>,
    items: &[PageText],
    fonts: &Fonts,
) -> RgbImage {
    let mut img = RgbImage::from_pixel(width, height, paper);
    for item in items {
        let font = fonts.get(item.face);
        draw_text(&mut img, font, item.px, item.x, item.y, &item.text, INK);
    }
    img
}

/// A random permit-style printout and the texts on it, in drawing order.
///
/// The list holds every drawn word-bearing item (header lines, title, labels, values, footer); the
/// aligned `:` separators and the QR-like code are decoration and are not listed.
pub fn sample_page<R: Rng + ?Sized>(rng: &mut R, fonts: &Fonts) -> (RgbImage, Vec<String>) {
    let items = sample_page_items(rng, fonts);
    // Office paper is a slightly warm white, never tinted green or blue.
    let white: u8 = rng.random_range(244..=252);
    let paper = Rgb([
        white,
        white - rng.random_range(0..=2),
        white - rng.random_range(2..=6),
    ]);
    let mut img = compose_page(PAGE_W, PAGE_H, paper, &items, fonts);
    decorate(&mut img, rng, &items, fonts);
    let texts = items
        .into_iter()
        .filter(|i| i.text.chars().any(char::is_alphanumeric))
        .map(|i| i.text)
        .collect();
    (img, texts)
}

/// The text items of a random permit-style page, for tests that need each text's position:
/// from the same RNG state, [`sample_page`] draws exactly these, then the rules and QR-like code.
pub fn sample_page_items<R: Rng + ?Sized>(rng: &mut R, fonts: &Fonts) -> Vec<PageText> {
    let person = text::person(rng);
    let region = text::region(rng);
    let office_city = region.cities[0];
    let mut items = header(rng, fonts, region, office_city);
    let all_fields = fields(rng, &person, region, office_city);
    let rows = choose_rows(rng, all_fields);
    items.extend(row_items(rng, fonts, &rows));
    items.push(PageText {
        text: "Dokumen ini diterbitkan secara elektronik dan sah tanpa tanda tangan basah".into(),
        face: FontFace::Sans,
        px: 18.0,
        x: MARGIN,
        y: PAGE_H as f32 - 100.0,
    });
    items
}

fn centred(fonts: &Fonts, text: String, face: FontFace, px: f32, y: f32) -> PageText {
    let px = fit_px(fonts, face, px, &text, PAGE_W as f32 - 2.0 * MARGIN);
    let width = text_width(fonts.get(face), px, &text);
    PageText {
        x: ((PAGE_W as f32 - width) / 2.0).round(),
        text,
        face,
        px,
        y,
    }
}

/// `px`, shrunk just enough for `text` to fit in `max_width`.
fn fit_px(fonts: &Fonts, face: FontFace, px: f32, text: &str, max_width: f32) -> f32 {
    let width = text_width(fonts.get(face), px, text);
    if width <= max_width {
        px
    } else {
        (px * max_width / width).floor()
    }
}

fn header<R: Rng + ?Sized>(
    rng: &mut R,
    fonts: &Fonts,
    region: &Region,
    office_city: &str,
) -> Vec<PageText> {
    // The ministry was renamed in 2024; permits of both eras are in circulation.
    let ministry = if rng.random_bool(0.6) {
        "KEMENTERIAN HUKUM DAN HAK ASASI MANUSIA"
    } else {
        "KEMENTERIAN IMIGRASI DAN PEMASYARAKATAN"
    };
    let class = pick(rng, &["KELAS I TPI", "KELAS I NON TPI", "KELAS II TPI"]);
    let permanent = rng.random_bool(0.2);
    let (title, subtitle) = if permanent {
        (
            "IZIN TINGGAL TETAP ELEKTRONIK",
            "ELECTRONIC PERMANENT STAY PERMIT",
        )
    } else {
        (
            "IZIN TINGGAL TERBATAS ELEKTRONIK",
            "ELECTRONIC LIMITED STAY PERMIT",
        )
    };
    let office_address = format!("{}, {office_city}", text::address(rng));
    vec![
        centred(fonts, ministry.into(), FontFace::SansBold, 30.0, 100.0),
        centred(
            fonts,
            "REPUBLIK INDONESIA".into(),
            FontFace::SansBold,
            30.0,
            140.0,
        ),
        centred(
            fonts,
            format!("KANTOR WILAYAH {}", region.name),
            FontFace::SansBold,
            28.0,
            180.0,
        ),
        centred(
            fonts,
            format!("KANTOR IMIGRASI {class} {office_city}"),
            FontFace::Sans,
            24.0,
            222.0,
        ),
        centred(fonts, office_address, FontFace::Sans, 20.0, 258.0),
        centred(fonts, title.into(), FontFace::SansBold, 36.0, 345.0),
        centred(fonts, subtitle.into(), FontFace::Sans, 24.0, 395.0),
    ]
}

/// Every field a permit printout may carry, in printing order, as `(label, value)`.
fn fields<R: Rng + ?Sized>(
    rng: &mut R,
    person: &Person,
    region: &Region,
    office_city: &str,
) -> Vec<(&'static str, String)> {
    let city = pick(rng, region.cities);
    // Years in a consistent order: entry, issue, expiry of the permit, expiry of the passport.
    let issued = rng.random_range(2019..=2025);
    let expires = issued + rng.random_range(1..=2);
    vec![
        ("Full Name", person.name.clone()),
        ("Sex", person.sex.label().into()),
        ("Place of Birth", person.birthplace.into()),
        ("Date of Birth", text::date_between(rng, 1950, 2004)),
        ("Nationality", person.nationality.into()),
        (
            "Marital Status",
            pick(rng, &["KAWIN", "BELUM KAWIN", "CERAI HIDUP"]).into(),
        ),
        ("Passport No.", text::passport_number(rng)),
        (
            "Passport Expiry",
            text::date_between(rng, expires + 1, expires + 8),
        ),
        ("Stay Permit No.", text::permit_number(rng)),
        ("NIORA", text::niora(rng)),
        (
            "Permit Index",
            pick(
                rng,
                &["C312", "C313", "C314", "D312", "E23", "E31A", "E33G"],
            )
            .into(),
        ),
        ("Purpose of Stay", text::status(rng).into()),
        ("Occupation", text::occupation(rng).into()),
        ("Sponsor", text::company(rng)),
        ("Sponsor Address", text::address(rng)),
        ("Address", text::address(rng)),
        ("City", city.into()),
        ("Province", region.province.into()),
        (
            "Phone",
            format!("08{}", rng.random_range(1_000_000_000u64..=9_999_999_999)),
        ),
        (
            "Date of Entry",
            text::date_between(rng, issued - 4, issued - 1),
        ),
        ("Port of Entry", port_of_entry(rng, office_city)),
        ("Extension", format!("KE-{}", rng.random_range(1..=4))),
        ("Date of Issue", text::date_between(rng, issued, issued)),
        ("Valid Until", text::date_between(rng, expires, expires)),
        ("Issuing Office", format!("KANTOR IMIGRASI {office_city}")),
        (
            "Application No.",
            rng.random_range(1_000_000_000_000u64..=9_999_999_999_999)
                .to_string(),
        ),
    ]
}

fn port_of_entry<R: Rng + ?Sized>(rng: &mut R, office_city: &str) -> String {
    let ports = [
        "BANDARA SOEKARNO-HATTA",
        "BANDARA NGURAH RAI",
        "BANDARA KUALANAMU",
        "BANDARA JUANDA",
        "PELABUHAN BATAM CENTER",
    ];
    if rng.random_bool(0.3) {
        format!("TPI {office_city}")
    } else {
        pick(rng, &ports).into()
    }
}

/// 15 to 25 of the fields, in order; name and permit number are always kept.
fn choose_rows<R: Rng + ?Sized>(
    rng: &mut R,
    mut fields: Vec<(&'static str, String)>,
) -> Vec<(&'static str, String)> {
    let keep = rng.random_range(15..=25).min(fields.len());
    while fields.len() > keep {
        let i = rng.random_range(0..fields.len());
        if !matches!(fields[i].0, "Full Name" | "Stay Permit No.") {
            fields.remove(i);
        }
    }
    fields
}

fn row_items<R: Rng + ?Sized>(
    rng: &mut R,
    fonts: &Fonts,
    rows: &[(&'static str, String)],
) -> Vec<PageText> {
    let label_face = pick(rng, &[FontFace::Sans, FontFace::DejaVu]);
    let value_face = pick(
        rng,
        &[FontFace::Sans, FontFace::SansBold, FontFace::DejaVuBold],
    );
    let px = if rows.len() > 20 { 22.0 } else { 24.0 };
    let pitch = ((ROWS_BOTTOM - ROWS_TOP) / rows.len() as f32)
        .min(54.0)
        .floor();
    let value_room = PAGE_W as f32 - MARGIN - VALUE_X;
    let mut items = Vec::with_capacity(rows.len() * 3);
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = ROWS_TOP + i as f32 * pitch;
        let item = |text: String, face, px, x| PageText {
            text,
            face,
            px,
            x,
            y,
        };
        items.push(item((*label).into(), label_face, px, LABEL_X));
        items.push(item(":".into(), label_face, px, COLON_X));
        let value_px = fit_px(fonts, value_face, px, value, value_room);
        items.push(item(value.clone(), value_face, value_px, VALUE_X));
    }
    items
}

/// Rules under the letterhead and a QR-like block, which printouts carry and a detector must not
/// mistake for text.
fn decorate<R: Rng + ?Sized>(img: &mut RgbImage, rng: &mut R, items: &[PageText], fonts: &Fonts) {
    let (x0, x1) = (MARGIN as u32, PAGE_W - MARGIN as u32);
    fill_rect(img, x0, 300, x1, 304, INK);
    fill_rect(img, x0, 308, x1, 309, INK);
    let rows_end = items
        .iter()
        .filter(|i| i.y < PAGE_H as f32 - 200.0)
        .map(|i| i.bounds(fonts)[3])
        .fold(0.0f32, f32::max);
    let side = QR_MODULES * QR_MODULE_PX;
    let qr_y = (rows_end as u32 + 40).min(PAGE_H - 130 - side);
    draw_qr_like(img, rng, x1 - side, qr_y);
}

fn fill_rect(img: &mut RgbImage, x0: u32, y0: u32, x1: u32, y1: u32, color: Rgb<u8>) {
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            img.put_pixel(x, y, color);
        }
    }
}

/// Random modules with the three finder squares of a QR code; it only has to look like one.
fn draw_qr_like<R: Rng + ?Sized>(img: &mut RgbImage, rng: &mut R, x: u32, y: u32) {
    let m = QR_MODULE_PX;
    for row in 0..QR_MODULES {
        for col in 0..QR_MODULES {
            let dark = match finder_module(row, col) {
                Some(dark) => dark,
                None => rng.random_bool(0.5),
            };
            if dark {
                let (px, py) = (x + col * m, y + row * m);
                fill_rect(img, px, py, px + m, py + m, INK);
            }
        }
    }
}

/// Whether module `(row, col)` of a finder pattern is dark; `None` outside the finders.
pub(super) fn finder_module(row: u32, col: u32) -> Option<bool> {
    let far = QR_MODULES - 8;
    let (r, c) = match (row, col) {
        (r, c) if r < 8 && c < 8 => (r, c),
        (r, c) if r < 8 && c > far => (r, c - far - 1),
        (r, c) if r > far && c < 8 => (r - far - 1, c),
        _ => return None,
    };
    // Rows and columns 0..7 hold the 7x7 pattern; the eighth is its light separator.
    if r == 7 || c == 7 {
        return Some(false);
    }
    let ring = r.min(c).min(6 - r).min(6 - c);
    Some(ring != 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    const PAPER: Rgb<u8> = Rgb([255, 255, 255]);

    fn dark_in(img: &RgbImage, b: [f32; 4]) -> usize {
        let (x0, y0) = (b[0].max(0.0) as u32, b[1].max(0.0) as u32);
        let (x1, y1) = (
            (b[2] as u32).min(img.width()),
            (b[3] as u32).min(img.height()),
        );
        (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| img.get_pixel(x, y).0[0] < 128)
            .count()
    }

    #[test]
    fn compose_draws_each_item_in_its_box_and_nothing_else() {
        let fonts = Fonts::load().expect("fonts installed");
        let items = vec![
            PageText {
                text: "Full Name".into(),
                face: FontFace::Sans,
                px: 24.0,
                x: 20.0,
                y: 20.0,
            },
            PageText {
                text: "YOUXING CHEN".into(),
                face: FontFace::SansBold,
                px: 24.0,
                x: 220.0,
                y: 20.0,
            },
            PageText {
                text: "2C21HB0016AT".into(),
                face: FontFace::Mono,
                px: 30.0,
                x: 20.0,
                y: 120.0,
            },
        ];
        let img = compose_page(500, 200, PAPER, &items, &fonts);
        let mut total = 0;
        for item in &items {
            let inside = dark_in(&img, item.bounds(&fonts));
            assert!(
                inside > 30,
                "{:?} drew only {inside} dark pixels",
                item.text
            );
            total += inside;
        }
        assert_eq!(
            dark_in(&img, [0.0, 0.0, 500.0, 200.0]),
            total,
            "ink outside item boxes"
        );
    }

    #[test]
    fn sample_page_is_a4_with_a_permit_layout() {
        let fonts = Fonts::load().expect("fonts installed");
        let mut rng = StdRng::seed_from_u64(5);
        for _ in 0..5 {
            let (img, texts) = sample_page(&mut rng, &fonts);
            assert_eq!(img.dimensions(), (PAGE_W, PAGE_H));
            assert!(texts.iter().any(|t| t.starts_with("KEMENTERIAN")));
            assert!(texts.iter().any(|t| t.starts_with("KANTOR WILAYAH ")));
            assert!(texts.iter().any(|t| t.starts_with("IZIN TINGGAL ")));
            let name_at = texts
                .iter()
                .position(|t| t == "Full Name")
                .expect("name row");
            assert!(
                texts[name_at + 1]
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == ' ')
            );
            assert!(texts.iter().all(|t| t != ":"));
        }
    }

    #[test]
    fn rows_are_fifteen_to_twenty_five_and_nothing_overlaps_or_leaves_the_page() {
        let fonts = Fonts::load().expect("fonts installed");
        let mut rng = StdRng::seed_from_u64(6);
        for _ in 0..20 {
            let items = sample_page_items(&mut rng, &fonts);
            let rows = items.iter().filter(|i| i.text == ":").count();
            assert!((15..=25).contains(&rows), "{rows} rows");
            let boxes: Vec<[f32; 4]> = items.iter().map(|i| i.bounds(&fonts)).collect();
            for (i, b) in boxes.iter().enumerate() {
                assert!(
                    b[0] >= MARGIN - 1.0 && b[2] <= PAGE_W as f32 - MARGIN + 1.0,
                    "{:?}",
                    items[i]
                );
                assert!(b[1] >= 0.0 && b[3] <= PAGE_H as f32, "{:?}", items[i]);
                for (j, c) in boxes.iter().enumerate().skip(i + 1) {
                    let overlap = b[0] < c[2] && c[0] < b[2] && b[1] < c[3] && c[1] < b[3];
                    assert!(!overlap, "{:?} overlaps {:?}", items[i], items[j]);
                }
            }
        }
    }

    #[test]
    fn finder_patterns_have_their_rings() {
        assert_eq!(finder_module(0, 0), Some(true));
        assert_eq!(finder_module(1, 1), Some(false));
        assert_eq!(finder_module(3, 3), Some(true));
        assert_eq!(finder_module(7, 3), Some(false));
        assert_eq!(finder_module(0, QR_MODULES - 1), Some(true));
        assert_eq!(finder_module(QR_MODULES - 2, 1), Some(false));
        assert_eq!(finder_module(14, 14), None);
    }

    #[test]
    fn same_seed_same_page() {
        let fonts = Fonts::load().expect("fonts installed");
        let a = sample_page(&mut StdRng::seed_from_u64(21), &fonts);
        let b = sample_page(&mut StdRng::seed_from_u64(21), &fonts);
        let c = sample_page(&mut StdRng::seed_from_u64(22), &fonts);
        assert!(a == b);
        assert!(a.1 != c.1);
    }
}
