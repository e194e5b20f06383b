//! The held-out layout choices ([`super::heldout`]): what they are called, how their labels,
//! sex and dates print, and how their rows and office blocks are drawn. [`super::family`] and
//! [`super::family_page`] only name them (`Other(..)` on each axis) and call in here.
//!
//! Whoever tunes the reader (`src/kitas/`) must not read this file, as for
//! [`super::heldout`]: `kitascan bench accuracy --held-out` means something only while these
//! choices stay unseen. Once seen, a choice moves to the tuning side (its variant into
//! `family.rs`, its drawing into `family_page.rs`).
//!
//! Invariants (tested in `family` and `family_page`): whatever is printed, the truth keeps the
//! seeds' conventions (sex `M`/`F`, dates `dd-mm-yyyy`); every non-empty truth value is drawn as
//! one text item (a wrapped address as consecutive items); nothing is drawn off the page.

use rand::Rng;

use super::family::{Family, LabelField, Wording, label_lines, pick_wording};
use super::family_page::{FRow, GREY, Look, PageContent, header, title, values};
use super::layout::{INK, Sheet};
use super::printout::A4;
use super::text::Sex;
use super::truth::Date;

/// How the two languages of a label are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// `Nama (Name)`: the English wording in brackets after the Indonesian one.
    IdParen,
    /// The English wording with a smaller Indonesian line under it.
    EnStacked,
}

/// Where a value sits relative to its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrange {
    /// A ruled two-column table: the label in a shaded cell, the value in the cell to its right.
    Table,
    /// `Label: value` run in, the value straight after its label's colon (not aligned).
    RunIn,
}

/// Where the issuing office is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Office {
    /// A letterhead: an emblem at the left, the ministry and office lines centred beside it,
    /// a double rule under them.
    Letterhead,
    /// Under an "issued by" heading at the bottom left, beside the signature block.
    BottomLeft,
}

/// How the holder's sex is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SexPrint {
    /// `Laki-laki` / `Perempuan`.
    TitleCase,
    /// `MALE / LAKI-LAKI`.
    EnId,
    /// `PRIA` / `WANITA`.
    PriaWanita,
}

/// How dates are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePrint {
    /// `2024-01-26`.
    Iso,
    /// `26 Okt 2024`: Indonesian month abbreviations.
    MonthIdAbbr,
    /// `26-JAN-2024`.
    DashAbbr,
}

pub fn lang_name(l: Lang) -> &'static str {
    match l {
        Lang::IdParen => "id (en)",
        Lang::EnStacked => "en over id",
    }
}

pub fn arrangement_name(a: Arrange) -> &'static str {
    match a {
        Arrange::Table => "ruled table",
        Arrange::RunIn => "label: value run in",
    }
}

pub fn office_name(o: Office) -> &'static str {
    match o {
        Office::Letterhead => "letterhead",
        Office::BottomLeft => "bottom left",
    }
}

pub fn sex_name(s: SexPrint) -> &'static str {
    match s {
        SexPrint::TitleCase => "Laki-laki/Perempuan",
        SexPrint::EnId => "MALE / LAKI-LAKI",
        SexPrint::PriaWanita => "PRIA/WANITA",
    }
}

pub fn date_name(d: DatePrint) -> &'static str {
    match d {
        DatePrint::Iso => "yyyy-mm-dd",
        DatePrint::MonthIdAbbr => "26 Okt 2024",
        DatePrint::DashAbbr => "26-JAN-2024",
    }
}

/// The label lines of a wording with both languages (the caller handles one-language ones).
pub fn label_lines_of(w: Wording, l: Lang) -> Vec<String> {
    match l {
        Lang::IdParen => vec![format!("{} ({})", w.id, w.en)],
        Lang::EnStacked => vec![w.en.to_string(), w.id.to_string()],
    }
}

pub fn print_sex(sex: Sex, form: SexPrint) -> &'static str {
    let male = usize::from(sex == Sex::Male);
    match form {
        SexPrint::TitleCase => ["Perempuan", "Laki-laki"][male],
        SexPrint::EnId => ["FEMALE / PEREMPUAN", "MALE / LAKI-LAKI"][male],
        SexPrint::PriaWanita => ["WANITA", "PRIA"][male],
    }
}

const BULAN_ABBR: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
];
const MONTH_ABBR: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

pub fn print_date(date: Date, form: DatePrint) -> String {
    let (d, m, y) = (date.day, date.month as usize, date.year);
    match form {
        DatePrint::Iso => format!("{y:04}-{m:02}-{d:02}"),
        DatePrint::MonthIdAbbr => format!("{d} {} {y}", BULAN_ABBR[m - 1]),
        DatePrint::DashAbbr => format!("{d:02}-{}-{y:04}", MONTH_ABBR[m - 1]),
    }
}

/// The heading printed over the office lines of placement `o` (none for a letterhead).
pub(super) fn office_heading<R: Rng + ?Sized>(
    rng: &mut R,
    family: &Family,
    o: Office,
) -> Vec<String> {
    match o {
        Office::Letterhead => Vec::new(),
        Office::BottomLeft => {
            label_lines(pick_wording(rng, family, LabelField::IssuedBy), family.lang)
        }
    }
}

/// The top of a page whose office is placed by `o`: header and title; returns the y below.
pub(super) fn head(
    sheet: &mut Sheet,
    look: &Look,
    content: &PageContent,
    (_, office): &(Vec<String>, Vec<String>),
    o: Office,
    y: f32,
) -> f32 {
    let y = match o {
        Office::Letterhead => letterhead(sheet, look, &content.header, office, y),
        Office::BottomLeft => header(sheet, look, &content.header, y),
    };
    title(sheet, look, content, y)
}

/// What placement `o` draws beside the signature block, whose issue line is at `y`.
pub(super) fn beside_issue(
    sheet: &mut Sheet,
    look: &Look,
    (heading, office): &(Vec<String>, Vec<String>),
    o: Office,
    y: f32,
) {
    if o != Office::BottomLeft {
        return;
    }
    let small = look.size * 0.9;
    let x = look.margin;
    let room = A4[0] * 0.5 - 16.0 - x;
    let mut base = y;
    for (i, line) in heading.iter().enumerate() {
        if i > 0 {
            base += small * 1.2;
        }
        let s = sheet.fit(look.label, small, line, room);
        sheet.text_in(line, look.label, s, [x, base], GREY);
    }
    base += small * 0.4;
    for (i, line) in office.iter().enumerate() {
        base += small * 1.3;
        let face = if i == 1 { look.bold } else { look.label };
        let s = sheet.fit(face, small, line, room);
        sheet.text(line, face, s, x, base);
    }
}

/// An emblem at the left and the ministry and office lines centred beside it, the office's
/// name larger, then a thick and a thin rule; returns the y below.
fn letterhead(
    sheet: &mut Sheet,
    look: &Look,
    ministry: &[String],
    office: &[String],
    y0: f32,
) -> f32 {
    let size = look.size * 1.05;
    let lines: Vec<(&String, bool, f32)> = ministry
        .iter()
        .map(|l| (l, true, size))
        .chain(office.iter().enumerate().map(|(i, l)| match i {
            1 => (l, true, size * 1.15),
            2 => (l, false, size * 0.9),
            _ => (l, false, size),
        }))
        .collect();
    let height: f32 = lines.iter().map(|(_, _, s)| s * 1.3).sum();
    let e = (height * 0.8).clamp(42.0, 62.0);
    let (ex, ey) = (look.margin + e / 2.0, y0 + 4.0 + height / 2.0);
    let circle = |r: f32| -> Vec<[f32; 2]> {
        (0..24)
            .map(|k| {
                let a = k as f32 * std::f32::consts::TAU / 24.0;
                [ex + r * a.cos(), ey + r * a.sin()]
            })
            .collect()
    };
    sheet.polygon(circle(e / 2.0), [168, 140, 70]);
    sheet.polygon(circle(e * 0.38), [226, 212, 170]);
    sheet.polygon(
        vec![
            [ex, ey - e * 0.26],
            [ex + e * 0.2, ey + e * 0.2],
            [ex - e * 0.2, ey + e * 0.2],
        ],
        [150, 120, 60],
    );
    let x0 = look.margin + e + 10.0;
    let cx = (x0 + look.right) / 2.0;
    let room = look.right - x0;
    let mut y = y0;
    for (line, bold, s) in lines {
        y += s * 1.3;
        let face = if bold { look.bold } else { look.label };
        let s = sheet.fit(face, s, line, room);
        let w = sheet.measure(face, s, line);
        sheet.text(line, face, s, cx - w / 2.0, y);
    }
    let y = y.max(ey + e / 2.0) + size * 0.7;
    sheet.rule(look.margin, look.right, y, 1.8);
    sheet.rule(look.margin, look.right, y + 3.0, 0.6);
    y + 8.0
}

/// Rows of arrangement `a` in `[x0, x1]` starting one pitch below `y`; returns the last
/// baseline (a table: its bottom).
pub(super) fn rows(
    sheet: &mut Sheet,
    look: &Look,
    a: Arrange,
    rows: &[&FRow],
    span: [f32; 2],
    y: f32,
) -> f32 {
    match a {
        Arrange::Table => rows_table(sheet, look, rows, span, y),
        Arrange::RunIn => rows_run_in(sheet, look, rows, span, y),
    }
}

/// The rows of a card in arrangement `a`, from `top` down.
pub(super) fn card_rows(
    sheet: &mut Sheet,
    look: &Look,
    a: Arrange,
    rows: &[&FRow],
    span: [f32; 2],
    top: f32,
) {
    let draw = |sheet: &mut Sheet, look: &Look| match a {
        Arrange::Table => rows_table(sheet, look, rows, span, top - look.pitch + look.size * 0.4),
        Arrange::RunIn => {
            rows_run_in(sheet, look, rows, span, top - look.pitch + look.size) + look.size * 0.4
        }
    };
    // Smaller and tighter until the rows end inside the card.
    let mut look = *look;
    for _ in 0..6 {
        let mut probe = Sheet::new(sheet.fonts, sheet.width, sheet.height);
        if draw(&mut probe, &look) <= sheet.height - 4.0 {
            break;
        }
        look.size *= 0.93;
        look.pitch *= 0.93;
    }
    draw(sheet, &look);
}

/// A ruled table: labels in shaded cells of a left column, values in the cells to their right;
/// the table's top is one pitch below `y`, less the cap height; returns its bottom.
fn rows_table(sheet: &mut Sheet, look: &Look, rows: &[&FRow], [x0, x1]: [f32; 2], y: f32) -> f32 {
    let lsize = look.size * 0.9;
    let small = look.size * 0.76;
    let pad = ((look.pitch - look.size) * 0.5).clamp(1.4, 4.0);
    let sizes = |i: usize| if i == 0 { lsize } else { small };
    let widest = rows
        .iter()
        .flat_map(|r| r.label.iter().enumerate())
        .map(|(i, l)| sheet.measure(look.label, sizes(i), l))
        .fold(0.0f32, f32::max);
    let label_w = (widest + 2.0 * pad).min((x1 - x0) * 0.42);
    let div = x0 + label_w;
    let room = x1 - div - 2.0 * pad;
    let top0 = y + look.pitch - look.size * 0.4;
    let mut top = top0;
    for r in rows {
        // The label's lines, a line too long for its cell wrapped rather than shrunk far.
        let mut label: Vec<(String, f32)> = Vec::new();
        for (i, line) in r.label.iter().enumerate() {
            let s = sizes(i);
            let inner = label_w - 2.0 * pad;
            if sheet.fit(look.label, s, line, inner) < 0.75 * s {
                label.extend(
                    wrap_label(sheet, look, line, s, inner)
                        .into_iter()
                        .map(|p| (p, s)),
                );
            } else {
                label.push((line.clone(), s));
            }
        }
        let value_n = if r.wrap {
            sheet.wrap(&r.value, look.value, look.size, room).len()
        } else {
            1
        };
        let label_h: f32 = label.iter().map(|(_, s)| s * 1.15).sum();
        let value_h = look.size * 1.25 * value_n as f32;
        let height = 2.0 * pad + label_h.max(value_h);
        sheet.rect([x0, top, label_w, height], [234, 235, 238]);
        let mut base = top + pad;
        for (k, (line, s)) in label.iter().enumerate() {
            base += s * if k == 0 { 0.95 } else { 1.15 };
            let fitted = sheet.fit(look.label, *s, line, label_w - 2.0 * pad);
            let color = if *s < lsize { GREY } else { INK };
            sheet.text_in(line, look.label, fitted, [x0 + pad, base], color);
        }
        values(
            sheet,
            look,
            r,
            div + pad,
            room,
            top + pad + look.size * 0.95,
        );
        sheet.rule(x0, x1, top, 0.6);
        top += height;
    }
    sheet.rule(x0, x1, top, 0.6);
    for x in [x0, div, x1 - 0.6] {
        sheet.rect([x, top0 - 0.3, 0.6, top - top0 + 0.6], INK);
    }
    top
}

/// A label's lines in `width`: broken where its languages meet (after ` /`, before ` (`) as a
/// form breaks them, and each part wrapped at spaces if it is still too wide.
fn wrap_label(sheet: &Sheet, look: &Look, label: &str, size: f32, width: f32) -> Vec<String> {
    let parts: Vec<String> = if let Some((a, b)) = label.split_once(" / ") {
        vec![format!("{a} /"), b.to_string()]
    } else if let Some((a, b)) = label.split_once(" (") {
        vec![a.to_string(), format!("({b}")]
    } else {
        vec![label.to_string()]
    };
    parts
        .iter()
        .flat_map(|p| {
            if sheet.fit(look.label, size, p, width) < 0.75 * size {
                sheet.wrap(p, look.label, size, width)
            } else {
                vec![p.clone()]
            }
        })
        .collect()
}

/// `Label: value` with the value straight after the label (after the widest of a stacked
/// label's lines), a value too long for the rest of the line wrapped under itself.
fn rows_run_in(
    sheet: &mut Sheet,
    look: &Look,
    rows: &[&FRow],
    [x0, x1]: [f32; 2],
    mut y: f32,
) -> f32 {
    let small = look.size * 0.8;
    let span = x1 - x0;
    let max_label = span * 0.6;
    for r in rows {
        y += look.pitch;
        let first = format!("{}:", r.label[0]);
        let s = sheet.fit(look.label, look.size, &first, max_label);
        let mut base = y;
        let mut label_right = x0;
        let pieces = if s < 0.75 * look.size {
            wrap_label(sheet, look, &first, look.size, max_label)
        } else {
            vec![first]
        };
        for (k, piece) in pieces.iter().enumerate() {
            base = y + k as f32 * look.size * 1.1;
            let fitted = sheet.fit(look.label, look.size, piece, max_label);
            label_right = label_right.max(sheet.text(piece, look.label, fitted, x0, base));
        }
        let mut below = base;
        for line in r.label.iter().skip(1) {
            below += small * 1.1;
            let fitted = sheet.fit(look.label, small, line, max_label);
            label_right =
                label_right.max(sheet.text_in(line, look.label, fitted, [x0, below], GREY));
        }
        let value_x = label_right + look.size * 0.5;
        y = if r.wrap {
            run_on(sheet, look, &r.value, [x0, value_x, x1], [base, below])
        } else {
            values(sheet, look, r, value_x, x1 - value_x, base).max(below)
        };
    }
    y
}

/// A wrapping value run on after its label at `value_x` on baseline `base`, its further lines
/// from the left edge (indented) below the label's lines, which end at `below`; returns the
/// last baseline. Joining the lines with one space gives the value back.
fn run_on(
    sheet: &mut Sheet,
    look: &Look,
    value: &str,
    [x0, value_x, x1]: [f32; 3],
    [base, below]: [f32; 2],
) -> f32 {
    let words: Vec<&str> = value.split(' ').collect();
    let mut n = 1;
    while n < words.len()
        && sheet.measure(look.value, look.size, &words[..n + 1].join(" ")) <= x1 - value_x
    {
        n += 1;
    }
    let first = words[..n].join(" ");
    let s = sheet.fit(look.value, look.size, &first, x1 - value_x);
    sheet.text(&first, look.value, s, value_x, base);
    if n == words.len() {
        return base.max(below);
    }
    let indent = x0 + look.size;
    let rest = sheet.wrap(&words[n..].join(" "), look.value, look.size, x1 - indent);
    let mut last = base.max(below);
    for line in rest {
        last += look.size * 1.25;
        let s = sheet.fit(look.value, look.size, &line, x1 - indent);
        sheet.text(&line, look.value, s, indent, last);
    }
    last
}

#[cfg(test)]
pub(super) mod testing {
    use super::super::family::{DateForm, SexForm};
    use super::*;

    pub const SEX_FORMS: [SexForm; 3] = [
        SexForm::Other(SexPrint::TitleCase),
        SexForm::Other(SexPrint::EnId),
        SexForm::Other(SexPrint::PriaWanita),
    ];
    pub const DATE_FORMS: [DateForm; 3] = [
        DateForm::Other(DatePrint::Iso),
        DateForm::Other(DatePrint::MonthIdAbbr),
        DateForm::Other(DatePrint::DashAbbr),
    ];

    /// The truth's sex code of a sex printed in a held-out form.
    pub fn parse_sex(s: &str) -> Option<&'static str> {
        match s {
            "Laki-laki" | "MALE / LAKI-LAKI" | "PRIA" => Some("M"),
            "Perempuan" | "FEMALE / PEREMPUAN" | "WANITA" => Some("F"),
            _ => None,
        }
    }

    /// The truth's date of a date printed in a held-out form.
    pub fn parse_date(s: &str) -> Option<String> {
        let parts: Vec<&str> = s.split(['-', ' ']).collect();
        let [a, b, c] = parts[..] else { return None };
        if a.len() == 4 {
            return Some(Date::new(c.parse().ok()?, b.parse().ok()?, a.parse().ok()?)?.dmy());
        }
        let m = BULAN_ABBR
            .iter()
            .chain(&MONTH_ABBR)
            .position(|x| *x == b)
            .map(|i| i % 12 + 1)?;
        Some(Date::new(a.parse().ok()?, m as u32, c.parse().ok()?)?.dmy())
    }
}
