//! The old plastic KITAS/KITAP card (ID-1, 85.6 x 54 mm, landscape), phased out from 2016 but
//! still presented: dense small print on a tinted, patterned background, fewer fields than the
//! printout (title, name, place/date of birth, nationality, sex, passport number, address,
//! permit number, expiry).
//!
//! Two designs: labels left of the values with the photo at the left, or small labels above
//! the values in two columns with the photo at the right. Colours, fonts, sizes and positions
//! vary per card.
//!
//! Invariant: the document is exactly ID-1 sized and every truth value is printed on it.

use rand::{Rng, RngExt};

use super::fonts::FontFace;
use super::layout::{Document, INK, Rgb8, Sheet};
use super::names::pick;
use super::permit::{DocKind, Facts, printed_sex};
use super::truth::{Truth, gender_code};
use crate::synth::Fonts;

/// ID-1 in points: 85.6 x 54 mm.
pub const ID1: [f32; 2] = [85.6 / 25.4 * 72.0, 54.0 / 25.4 * 72.0];

const LABEL_GREY: Rgb8 = [70, 74, 80];

/// One field: Indonesian label, English label, value.
type Field = (&'static str, &'static str, String);

/// A random card for `facts`.
pub fn card<R: Rng + ?Sized>(rng: &mut R, fonts: &Fonts, facts: &Facts) -> Document {
    let kind = if facts.permanent {
        DocKind::KitapCard
    } else {
        DocKind::KitasCard
    };
    let title = if facts.permanent {
        "KARTU IZIN TINGGAL TETAP"
    } else {
        "KARTU IZIN TINGGAL TERBATAS"
    };
    let tint = pick(
        rng,
        &[
            [224, 236, 228],
            [222, 232, 244],
            [240, 234, 220],
            [236, 226, 236],
        ],
    );
    let mut sheet = Sheet::new(fonts, ID1[0], ID1[1]);
    guilloche(&mut sheet, rng, tint);
    let (regular, bold) = pick(
        rng,
        &[
            (FontFace::Sans, FontFace::SansBold),
            (FontFace::DejaVu, FontFace::DejaVuBold),
        ],
    );
    let top = banner(&mut sheet, rng, title, bold, tint);
    let english = rng.random_bool(0.5);
    let birth_sep = pick(rng, &[" / ", ", "]);
    let fields: Vec<Field> = vec![
        ("Nama", "Name", facts.person.name.clone()),
        (
            "Tempat/Tgl. Lahir",
            "Place/Date of Birth",
            format!(
                "{}{birth_sep}{}",
                facts.person.birthplace,
                facts.birth.dmy()
            ),
        ),
        (
            "Kewarganegaraan",
            "Nationality",
            facts.person.nationality.to_string(),
        ),
        (
            "Jenis Kelamin",
            "Sex",
            printed_sex(facts.person.sex, english).to_string(),
        ),
        ("No. Paspor", "Passport No.", facts.passport_number.clone()),
        ("Alamat", "Address", facts.address.clone()),
        ("Nomor Izin", "Permit No.", facts.permit_number.clone()),
        ("Berlaku s/d", "Valid Until", facts.permit_expiry.dmy()),
    ];
    let faces = [regular, if rng.random_bool(0.5) { bold } else { regular }];
    if rng.random_bool(0.5) {
        side_labels(&mut sheet, rng, faces, &fields, top);
    } else {
        stacked_labels(&mut sheet, rng, faces, &fields, top);
    }
    sheet.finish(tint, card_truth(kind, title, facts))
}

fn card_truth(kind: DocKind, title: &str, facts: &Facts) -> Truth {
    Truth {
        is_permit: true,
        kind: kind.name().to_string(),
        document_type: title.to_string(),
        full_name: facts.person.name.clone(),
        place_of_birth: facts.person.birthplace.to_string(),
        date_of_birth: facts.birth.dmy(),
        nationality: facts.person.nationality.to_string(),
        gender: gender_code(facts.person.sex).to_string(),
        passport_number: facts.passport_number.clone(),
        address: facts.address.clone(),
        permit_number: facts.permit_number.clone(),
        permit_expiry: facts.permit_expiry.dmy(),
        ..Truth::default()
    }
}

/// Fine wavy lines in a slightly darker shade of the tint, as security print.
pub(super) fn guilloche<R: Rng + ?Sized>(sheet: &mut Sheet, rng: &mut R, tint: Rgb8) {
    let shade = tint.map(|c| c.saturating_sub(22));
    let (w, h) = (sheet.width, sheet.height);
    let freq = rng.random_range(0.04f32..0.09);
    for k in 0..9 {
        let phase = rng.random_range(0.0f32..6.3);
        let base = h * (k as f32 + 0.5) / 9.0;
        let points = (0..=80)
            .map(|i| {
                let x = w * i as f32 / 80.0;
                [x, base + 5.0 * (x * freq + phase).sin()]
            })
            .collect();
        sheet.stroke(points, 0.35, shade);
    }
}

/// The country and title, on a coloured band or in ink; returns the y where fields may start.
fn banner<R: Rng + ?Sized>(
    sheet: &mut Sheet,
    rng: &mut R,
    title: &str,
    bold: FontFace,
    tint: Rgb8,
) -> f32 {
    let cx = sheet.width / 2.0 + rng.random_range(-4.0..4.0);
    let band = rng.random_bool(0.5);
    let color = if band {
        let dark = tint.map(|c| (f32::from(c) * 0.35) as u8);
        sheet.rect([0.0, 0.0, sheet.width, 27.0], dark);
        [250, 250, 250]
    } else {
        INK
    };
    let small = rng.random_range(5.2f32..6.2);
    let big = rng.random_range(7.8f32..9.0);
    let country = "REPUBLIK INDONESIA";
    let w = sheet.measure(bold, small, country);
    sheet.text_in(country, bold, small, [cx - w / 2.0, 9.5], color);
    let big = sheet.fit(bold, big, title, sheet.width - 16.0);
    let w = sheet.measure(bold, big, title);
    sheet.text_in(title, bold, big, [cx - w / 2.0, 21.5], color);
    if !band {
        sheet.rule(8.0, sheet.width - 8.0, 25.5, 0.5);
    }
    rng.random_range(32.0..36.0)
}

/// Photo at the left, `Label :` then value on each row to its right.
fn side_labels<R: Rng + ?Sized>(
    sheet: &mut Sheet,
    rng: &mut R,
    [label_face, value_face]: [FontFace; 2],
    fields: &[Field],
    top: f32,
) {
    let photo_w = rng.random_range(46.0f32..54.0);
    let x = rng.random_range(6.0f32..10.0);
    sheet.photo(rng, [x, top, photo_w, photo_w * 1.28]);
    let label_size = rng.random_range(5.0f32..5.6);
    let value_size = rng.random_range(6.2f32..7.0);
    let label_x = x + photo_w + rng.random_range(5.0..9.0);
    let label_w = fields
        .iter()
        .map(|(id, _, _)| sheet.measure(label_face, label_size, id))
        .fold(0.0f32, f32::max);
    let value_x = label_x + label_w + 8.0;
    let room = sheet.width - 6.0 - value_x;
    let pitch = rng.random_range(9.6f32..10.6);
    let mut y = top + value_size;
    for (id, _, value) in fields {
        sheet.text(id, label_face, label_size, label_x, y);
        sheet.text(":", label_face, label_size, value_x - 4.5, y);
        let lines = sheet.wrap(value, value_face, value_size, room);
        for (i, line) in lines.iter().enumerate() {
            let size = sheet.fit(value_face, value_size, line, room);
            sheet.text(
                line,
                value_face,
                size,
                value_x,
                y + i as f32 * value_size * 1.15,
            );
        }
        y += pitch + (lines.len() - 1) as f32 * value_size * 1.15;
    }
}

/// Small grey bilingual labels above the values, short fields in pairs, photo at the right.
fn stacked_labels<R: Rng + ?Sized>(
    sheet: &mut Sheet,
    rng: &mut R,
    [label_face, value_face]: [FontFace; 2],
    fields: &[Field],
    top: f32,
) {
    let photo_w = rng.random_range(44.0f32..52.0);
    let photo_x = sheet.width - photo_w - rng.random_range(6.0..10.0);
    sheet.photo(rng, [photo_x, top, photo_w, photo_w * 1.28]);
    let label_size = rng.random_range(4.6f32..5.2);
    let value_size = rng.random_range(6.2f32..7.0);
    let x = rng.random_range(7.0f32..11.0);
    let right = photo_x - 5.0;
    let half = x + (right - x) * 0.55;
    // Rows of one or two fields: name, birth, nationality+sex, passport+expiry, address, permit.
    let layout: [&[usize]; 6] = [&[0], &[1], &[2, 3], &[4, 7], &[5], &[6]];
    let mut y = top;
    for row in layout {
        let mut lines_used = 1;
        for (j, &f) in row.iter().enumerate() {
            let (id, en, value) = &fields[f];
            let col_x = if j == 0 { x } else { half };
            let room = if row.len() == 2 && j == 0 {
                half - x - 4.0
            } else {
                right - col_x
            };
            let label = format!("{id} / {en}");
            let size = sheet.fit(label_face, label_size, &label, room);
            sheet.text_in(
                &label,
                label_face,
                size,
                [col_x, y + label_size],
                LABEL_GREY,
            );
            let lines = sheet.wrap(value, value_face, value_size, room);
            for (i, line) in lines.iter().enumerate() {
                let base = y + label_size + value_size * (1.15 + 1.1 * i as f32);
                let size = sheet.fit(value_face, value_size, line, room);
                sheet.text(line, value_face, size, col_x, base);
            }
            lines_used = lines_used.max(lines.len());
        }
        y += label_size + value_size * (0.6 + 1.1 * lines_used as f32) + 1.5;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::permit::sample_document;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn card_has_id1_aspect_and_everything_fits() {
        let fonts = Fonts::load().expect("fonts installed");
        assert!((ID1[0] / ID1[1] - 85.6 / 54.0).abs() < 1e-4);
        for seed in 0..16 {
            let kind = if seed % 2 == 0 {
                DocKind::KitasCard
            } else {
                DocKind::KitapCard
            };
            let doc = sample_document(&mut StdRng::seed_from_u64(seed), kind, &fonts);
            assert_eq!([doc.width, doc.height], ID1);
            let (w, h) = doc.pixel_size(200.0);
            assert!((w as f32 / h as f32 - 85.6 / 54.0).abs() < 0.01, "{w}x{h}");
            assert_eq!(doc.truth.kind, "card");
            for t in doc.texts() {
                let b = t.bounds(&fonts);
                assert!(
                    b[0] >= 0.0 && b[2] <= doc.width + 0.5,
                    "{t:?} leaves the card"
                );
                assert!(
                    b[1] >= 0.0 && b[3] <= doc.height + 0.5,
                    "{t:?} leaves the card"
                );
            }
            assert!(doc.truth.office_name.is_empty() && doc.truth.issued_date.is_empty());
        }
    }
}
