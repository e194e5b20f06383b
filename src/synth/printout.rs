//! The A4 electronic permit printout (e-ITAS / e-ITAP) and look-alikes drawn with the same layout
//! (the visit permit ITK): a header block, the title, a photo with a column of numbers to its
//! right, label/value rows, and the place and date of issue above a signature.
//!
//! What is printed is decided by the caller ([`Content`]); this file only decides how it looks:
//! fonts, sizes, margins, column positions, label style and spacing are drawn at random for each
//! page so that no field sits at a fixed position and a reader has to go by labels and shapes.
//!
//! Invariants: every [`Content`] string is drawn exactly once as one text item or, for a wrapped
//! row, as consecutive items whose texts joined by one space give the value back; nothing is
//! drawn outside the page.

use rand::{Rng, RngExt};

use super::fonts::FontFace;
use super::layout::{INK, Rgb8, Sheet};
use super::names::pick;

/// A4 in points.
pub const A4: [f32; 2] = [595.28, 841.89];

const GREY: Rgb8 = [88, 88, 92];

/// Which label generation the page follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generation {
    /// 2021-2023: centred ministry header, English labels (`Full Name :`).
    Y2021,
    /// 2024 on: left-aligned header, bilingual labels (`Nama / Name`), optional QR code.
    Y2024,
}

/// A row label: the Indonesian and the English wording (2021 pages print only the English one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    pub id: &'static str,
    pub en: &'static str,
}

/// One label/value row; `wrap` lets a long value continue on a second line in the value column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub label: Label,
    pub value: String,
    pub wrap: bool,
}

impl Row {
    pub fn new(id: &'static str, en: &'static str, value: impl Into<String>) -> Row {
        Row {
            label: Label { id, en },
            value: value.into(),
            wrap: false,
        }
    }

    /// The same row, allowed to wrap.
    pub fn wrapping(self) -> Row {
        Row { wrap: true, ..self }
    }
}

/// Everything a printout shows, already worded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    pub generation: Generation,
    /// Header lines, top to bottom; the first is the ministry and is set in bold.
    pub header: Vec<String>,
    /// Title lines; the first is the document type.
    pub title: Vec<String>,
    /// The holder's name as an unlabelled line under the title (some 2024 pages).
    pub name_title: Option<String>,
    /// Rows in the column right of the photo.
    pub top: Vec<Row>,
    /// Rows below the photo.
    pub rows: Vec<Row>,
    /// `Pangkalpinang, 16-07-2019`.
    pub issue_line: String,
    /// Office lines under the issue line, above the signature.
    pub signatory: Vec<String>,
}

/// How labels are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LabelMode {
    English,
    /// `Nama / Name` on one line.
    Inline,
    /// `Nama` with a smaller grey `Name` under it.
    Stacked,
}

/// The random look of one page.
#[derive(Clone, Copy)]
struct Style {
    label_face: FontFace,
    value_face: FontFace,
    bold_face: FontFace,
    size: f32,
    pitch: f32,
    margin: f32,
    right: f32,
    /// Colon attached to the label (`Full Name :`) or in its own aligned column.
    colon_attached: bool,
    mode: LabelMode,
}

impl Style {
    fn sample<R: Rng + ?Sized>(rng: &mut R, generation: Generation) -> Style {
        let (regular, bold) = pick(
            rng,
            &[
                (FontFace::Sans, FontFace::SansBold),
                (FontFace::Sans, FontFace::SansBold),
                (FontFace::DejaVu, FontFace::DejaVuBold),
            ],
        );
        let size = rng.random_range(9.0f32..11.0);
        let mode = match generation {
            Generation::Y2021 => LabelMode::English,
            Generation::Y2024 if rng.random_bool(0.5) => LabelMode::Inline,
            Generation::Y2024 => LabelMode::Stacked,
        };
        Style {
            label_face: regular,
            value_face: if rng.random_bool(0.4) { bold } else { regular },
            bold_face: bold,
            size,
            pitch: size * rng.random_range(1.55f32..1.95),
            margin: rng.random_range(42.0f32..75.0),
            right: A4[0] - rng.random_range(40.0f32..65.0),
            colon_attached: rng.random_bool(0.5),
            mode,
        }
    }

    /// The label's printed lines: one, or two in stacked mode.
    fn label_lines(&self, label: Label) -> Vec<String> {
        let inline = label.id.is_empty() || label.id == label.en;
        match self.mode {
            LabelMode::English => vec![label.en.to_string()],
            _ if inline => vec![label.en.to_string()],
            LabelMode::Inline => vec![format!("{} / {}", label.id, label.en)],
            LabelMode::Stacked => vec![label.id.to_string(), label.en.to_string()],
        }
    }

    fn with_colon(&self, line: &str) -> String {
        if self.colon_attached {
            format!("{line} :")
        } else {
            line.to_string()
        }
    }
}

/// Lays `content` out on an A4 sheet.
pub fn draw<R: Rng + ?Sized>(rng: &mut R, sheet: &mut Sheet, content: &Content) {
    let style = Style::sample(rng, content.generation);
    let mut y = rng.random_range(38.0f32..68.0);
    y = match content.generation {
        Generation::Y2021 => centred_header(sheet, rng, &style, &content.header, y),
        Generation::Y2024 => left_header(sheet, rng, &style, &content.header, y),
    };
    y = title(sheet, rng, &style, content, y);
    y = photo_block(sheet, rng, &style, &content.top, y);
    y = rows(
        sheet,
        &style,
        style.margin + rng.random_range(0.0..12.0),
        &content.rows,
        y,
    );
    let gap = rng.random_range(18.0..40.0);
    let y = issue_block(sheet, rng, &style, content, y + gap);
    footer(sheet, rng, &style, content.generation, y);
}

/// Ministry, region, office and address centred over the page, then a rule; returns the y below.
fn centred_header<R: Rng + ?Sized>(
    sheet: &mut Sheet,
    rng: &mut R,
    style: &Style,
    lines: &[String],
    mut y: f32,
) -> f32 {
    let size = rng.random_range(10.5f32..12.5);
    let cx = A4[0] / 2.0 + rng.random_range(-8.0..8.0);
    for (i, line) in lines.iter().enumerate() {
        // The address line is set smaller and regular, the office lines bold.
        let last = i + 1 == lines.len() && lines.len() > 2;
        let (face, s) = if last {
            (style.label_face, size * 0.82)
        } else {
            (style.bold_face, size)
        };
        y += s * 1.35;
        sheet.centred(line, face, s, cx, y);
    }
    y += size * 0.8;
    sheet.rule(style.margin, style.right, y, rng.random_range(0.8..1.6));
    if rng.random_bool(0.5) {
        sheet.rule(style.margin, style.right, y + 2.5, 0.5);
    }
    y + 6.0
}

/// A round emblem and the header lines left-aligned beside it; returns the y below.
fn left_header<R: Rng + ?Sized>(
    sheet: &mut Sheet,
    rng: &mut R,
    style: &Style,
    lines: &[String],
    y: f32,
) -> f32 {
    let size = rng.random_range(10.0f32..12.0);
    let emblem = rng.random_range(36.0f32..48.0);
    let centre = [style.margin + emblem / 2.0, y + emblem / 2.0];
    let gold = [196, 160, 60];
    sheet.polygon(circle(centre, emblem / 2.0), gold);
    sheet.polygon(circle(centre, emblem * 0.36), [250, 246, 236]);
    sheet.polygon(circle(centre, emblem * 0.22), gold);
    let x = style.margin + emblem + rng.random_range(10.0..18.0);
    let room = style.right - x;
    let mut base = y;
    for (i, line) in lines.iter().enumerate() {
        let (face, s) = match i {
            0 => (style.bold_face, size * 1.1),
            _ if i + 1 == lines.len() && lines.len() > 2 => (style.label_face, size * 0.85),
            _ => (style.bold_face, size * 0.95),
        };
        base += s * 1.3;
        let s = sheet.fit(face, s, line, room);
        sheet.text(line, face, s, x, base);
    }
    let bottom = base.max(y + emblem) + size * 0.7;
    sheet.rule(
        style.margin,
        style.right,
        bottom,
        rng.random_range(1.0..2.0),
    );
    bottom + 4.0
}

fn circle(c: [f32; 2], r: f32) -> Vec<[f32; 2]> {
    (0..48)
        .map(|i| {
            let a = std::f32::consts::TAU * i as f32 / 48.0;
            [c[0] + r * a.cos(), c[1] + r * a.sin()]
        })
        .collect()
}

/// The title lines (first large and bold) and the optional name line; returns the y below.
fn title<R: Rng + ?Sized>(
    sheet: &mut Sheet,
    rng: &mut R,
    style: &Style,
    content: &Content,
    mut y: f32,
) -> f32 {
    let size = rng.random_range(13.0f32..16.0);
    let cx = A4[0] / 2.0 + rng.random_range(-6.0..6.0);
    for (i, line) in content.title.iter().enumerate() {
        let (face, s) = if i == 0 {
            (style.bold_face, size)
        } else {
            (style.label_face, size * 0.72)
        };
        y += s * 1.45;
        sheet.centred(line, face, s, cx, y);
    }
    if let Some(name) = &content.name_title {
        y += size * 1.6;
        sheet.centred(name, style.bold_face, size * 0.9, cx, y);
    }
    y + size * rng.random_range(0.9..1.5)
}

/// The photo at the left and the `top` rows to its right; returns the y below both.
fn photo_block<R: Rng + ?Sized>(
    sheet: &mut Sheet,
    rng: &mut R,
    style: &Style,
    top: &[Row],
    y: f32,
) -> f32 {
    let w = rng.random_range(78.0f32..96.0);
    let h = w * 4.0 / 3.0;
    let x = style.margin + rng.random_range(0.0..10.0);
    sheet.photo(rng, [x, y, w, h]);
    let column_x = x + w + rng.random_range(14.0..30.0);
    let first = y + style.size * rng.random_range(1.2..2.2);
    let below = rows(sheet, style, column_x, top, first - style.pitch);
    (y + h).max(below) + style.pitch * rng.random_range(0.8..1.4)
}

/// Label/value rows starting one pitch below `y` with labels at `label_x`; returns the last
/// baseline. Inline bilingual labels too wide to leave the values their room are stacked
/// instead, as forms do in a narrow column.
fn rows(sheet: &mut Sheet, style: &Style, label_x: f32, rows: &[Row], y: f32) -> f32 {
    let (value_x, _) = columns(sheet, style, label_x, rows);
    let needed = rows
        .iter()
        .filter(|r| !r.wrap)
        .map(|r| sheet.measure(style.value_face, style.size, &r.value))
        .fold(0.0f32, f32::max);
    if style.mode == LabelMode::Inline && style.right - value_x < needed {
        let stacked = Style {
            mode: LabelMode::Stacked,
            ..*style
        };
        return rows_in(sheet, &stacked, label_x, rows, y);
    }
    rows_in(sheet, style, label_x, rows, y)
}

/// Where the colon and the values go: `(value_x, colon_x)`.
fn columns(sheet: &Sheet, style: &Style, label_x: f32, rows: &[Row]) -> (f32, f32) {
    let label_w = rows
        .iter()
        .flat_map(|r| style.label_lines(r.label))
        .map(|l| sheet.measure(style.label_face, style.size, &style.with_colon(&l)))
        .fold(0.0f32, f32::max);
    let gap = style.size * 0.8;
    let colon_x = label_x + label_w + gap;
    let value_x = if style.colon_attached {
        colon_x
    } else {
        colon_x + sheet.measure(style.label_face, style.size, ":") + gap
    };
    (value_x, colon_x)
}

fn rows_in(sheet: &mut Sheet, style: &Style, label_x: f32, rows: &[Row], mut y: f32) -> f32 {
    let (value_x, colon_x) = columns(sheet, style, label_x, rows);
    let room = style.right - value_x;
    for row in rows {
        y += style.pitch;
        y = row_at(sheet, style, [label_x, colon_x, value_x], room, row, y);
    }
    y
}

/// Draws one row with its first baseline at `y`; returns the row's last baseline.
fn row_at(
    sheet: &mut Sheet,
    style: &Style,
    [label_x, colon_x, value_x]: [f32; 3],
    room: f32,
    row: &Row,
    y: f32,
) -> f32 {
    let lines = style.label_lines(row.label);
    let mut last = y;
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            sheet.text(
                &style.with_colon(line),
                style.label_face,
                style.size,
                label_x,
                y,
            );
        } else {
            last = y + style.size * 0.95 * i as f32;
            let small = style.size * 0.8;
            sheet.text_in(line, style.label_face, small, [label_x, last], GREY);
        }
    }
    if !style.colon_attached {
        sheet.text(":", style.label_face, style.size, colon_x, y);
    }
    let values = if row.wrap {
        sheet.wrap(&row.value, style.value_face, style.size, room)
    } else {
        vec![row.value.clone()]
    };
    for (i, value) in values.iter().enumerate() {
        let base = y + style.size * 1.25 * i as f32;
        let size = sheet.fit(style.value_face, style.size, value, room);
        sheet.text(value, style.value_face, size, value_x, base);
        last = last.max(base);
    }
    last
}

/// The issue line, the signatory's office, a signature and an employee number, as a block in
/// the right half; returns the y below it.
fn issue_block<R: Rng + ?Sized>(
    sheet: &mut Sheet,
    rng: &mut R,
    style: &Style,
    content: &Content,
    y: f32,
) -> f32 {
    let size = style.size;
    let small = size * 0.9;
    let widths = std::iter::once(sheet.measure(style.label_face, size, &content.issue_line)).chain(
        content
            .signatory
            .iter()
            .map(|l| sheet.measure(style.label_face, small, l)),
    );
    let block_w = widths.fold(120.0f32, f32::max);
    let x = (style.right - block_w - rng.random_range(0.0..30.0)).max(A4[0] * 0.45);
    sheet.text(&content.issue_line, style.label_face, size, x, y);
    let mut base = y;
    for line in &content.signatory {
        base += small * 1.3;
        sheet.text(line, style.label_face, small, x, base);
    }
    let sign_h = rng.random_range(34.0f32..52.0);
    sheet.signature(rng, [x + 4.0, base + 6.0, block_w.min(130.0), sign_h]);
    base += sign_h + small * 1.6;
    let nip = nip(rng);
    sheet.text(&nip, style.label_face, small, x, base);
    base
}

/// A note that the document is electronically signed and, on 2024 pages, a QR code.
fn footer<R: Rng + ?Sized>(
    sheet: &mut Sheet,
    rng: &mut R,
    style: &Style,
    generation: Generation,
    content_bottom: f32,
) {
    let note_y = A4[1] - rng.random_range(30.0f32..50.0);
    let qr = generation == Generation::Y2024;
    if qr {
        let side = rng.random_range(56.0f32..76.0);
        let top = (note_y - side - 16.0).max(content_bottom + 10.0);
        sheet.qr_like(rng, [style.margin, top], side);
    }
    if qr || rng.random_bool(0.6) {
        let note = pick(
            rng,
            &[
                "Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat elektronik.",
                "This document is electronically signed and does not require a wet signature.",
                "Dokumen ini sah tanpa tanda tangan basah dan cap dinas.",
            ],
        );
        let size = sheet.fit(
            style.label_face,
            style.size * 0.75,
            note,
            style.right - style.margin,
        );
        sheet.text_in(note, style.label_face, size, [style.margin, note_y], INK);
    }
}

/// A signing officer's civil-servant number (`NIP. 19650410 200904 2 009`): birth date, year and
/// month of appointment, sex digit, serial.
pub(crate) fn nip<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!(
        "NIP. {}{:02}{:02} {}{:02} {} {:03}",
        rng.random_range(1965..1992),
        rng.random_range(1..13),
        rng.random_range(1..29),
        rng.random_range(1988..2016),
        rng.random_range(1..13),
        rng.random_range(1..3),
        rng.random_range(1..20)
    )
}
