//! Drawing a layout family's documents ([`super::family`]): an A4 printout or an ID-1 card whose
//! labels, arrangement, columns, photo, office block, faces and value forms are the family's.
//!
//! Positions still vary per page (margins, pitch, photo size), so that a family is a template
//! and not a fixed picture.
//!
//! Arrangements: `Colon` and `Column` set labels in a column left of the values; `Below` sets the
//! value on the line under its smaller label; `Grid` is a form of ruled boxes, each with its label
//! small at the top left inside and the value under it, two fields to a row where the width
//! allows (the address across a whole row); `Leader` joins label and value with a dotted leader,
//! as old typed forms do. Office placements: in the centred header; after an "issued by" heading
//! under the signature; `Footer`, centred in a tinted band across the foot of the page; `TopBox`,
//! in a ruled box with an "issued by" heading at the top right, beside the ministry lines and
//! the title, which are then set flush left.
//!
//! Invariants: every non-empty [`Truth`] value is drawn (a wrapped address as consecutive items
//! whose texts joined by one space give it back, a date in the family's [`DateForm`], the sex in
//! its [`SexForm`]); nothing is drawn outside the page: rows that would run into the signature
//! block are set tighter, then smaller.

use rand::{Rng, RngExt};

use super::card::{ID1, guilloche};
use super::family::{
    Arrangement, Family, LabelField, NamePlacement, OfficePlacement, PhotoPlacement, label_lines,
    pick_wording, print_date, print_sex,
};
use super::fonts::{FontFace, Fonts};
use super::heldout_page;
use super::layout::{Document, INK, Rgb8, Sheet};
use super::names::pick;
use super::permit::{Facts, base_truth, paper};
use super::printout::{A4, nip};
use super::text;
use super::truth::{Truth, gender_code, title_case};

pub(super) const GREY: Rgb8 = [80, 80, 86];

/// One label/value row, already worded.
pub(super) struct FRow {
    pub(super) label: Vec<String>,
    pub(super) value: String,
    pub(super) wrap: bool,
}

/// Everything a family printout shows, already worded.
pub(super) struct PageContent {
    pub(super) header: Vec<String>,
    pub(super) title: Vec<String>,
    pub(super) name_heading: Option<String>,
    top: Vec<FRow>,
    rows: Vec<FRow>,
    issue_line: String,
    signatory: Vec<String>,
    /// The "issued by" heading's lines and the office lines under the signature.
    office_block: Option<(Vec<String>, Vec<String>)>,
    /// The heading's lines (none in a footer) and the office lines of a footer band, a top
    /// right box or a held-out placement ([`super::heldout_page`]).
    office_apart: Option<(Vec<String>, Vec<String>)>,
}

fn row<R: Rng + ?Sized>(
    rng: &mut R,
    family: &Family,
    field: LabelField,
    value: impl Into<String>,
) -> FRow {
    FRow {
        label: label_lines(pick_wording(rng, family, field), family.lang),
        value: value.into(),
        wrap: field == LabelField::Address,
    }
}

/// A printout of `family` for `facts`.
pub fn printout<R: Rng + ?Sized>(
    rng: &mut R,
    fonts: &Fonts,
    family: &Family,
    facts: &Facts,
) -> Document {
    let (content, truth) = printout_content(rng, family, facts);
    let mut sheet = Sheet::new(fonts, A4[0], A4[1]);
    draw_printout(rng, &mut sheet, family, &content);
    sheet.finish(paper(rng), truth)
}

fn printout_content<R: Rng + ?Sized>(
    rng: &mut R,
    family: &Family,
    facts: &Facts,
) -> (PageContent, Truth) {
    let date = |d: super::truth::Date| print_date(d, family.date);
    let p = &facts.person;
    let kind = if facts.permanent {
        "eitap-family"
    } else {
        "eitas-family"
    };
    let mut truth = Truth {
        stay_multiple_entries_permit_expiry: facts.reentry_expiry.dmy(),
        office_region: format!("KANTOR WILAYAH {}", facts.region.name),
        office_name: format!(
            "KANTOR IMIGRASI {} {}",
            pick(rng, &["KELAS I TPI", "KELAS I NON TPI", "KELAS II TPI"]),
            facts.office_city
        ),
        office_address: format!("{} {}", text::address(rng), facts.office_city),
        ..base_truth(kind, facts)
    };
    let office_lines = vec![
        truth.office_region.clone(),
        truth.office_name.clone(),
        truth.office_address.clone(),
    ];
    let mut header = vec![
        pick(
            rng,
            &[
                "KEMENTERIAN IMIGRASI DAN PEMASYARAKATAN",
                "KEMENTERIAN HUKUM DAN HAK ASASI MANUSIA",
            ],
        )
        .to_string(),
        "DIREKTORAT JENDERAL IMIGRASI".to_string(),
    ];
    let mut office_apart = None;
    let office_block = if family.office == OfficePlacement::UnderSignature {
        let heading = label_lines(pick_wording(rng, family, LabelField::IssuedBy), family.lang);
        Some((heading, office_lines))
    } else if family.office == OfficePlacement::TopBox {
        let heading = label_lines(pick_wording(rng, family, LabelField::IssuedBy), family.lang);
        office_apart = Some((heading, office_lines));
        None
    } else if family.office == OfficePlacement::Footer {
        office_apart = Some((Vec::new(), office_lines));
        None
    } else if let OfficePlacement::Other(o) = family.office {
        office_apart = Some((heldout_page::office_heading(rng, family, o), office_lines));
        None
    } else {
        header.extend(office_lines);
        None
    };
    let english = if facts.permanent {
        "ELECTRONIC PERMANENT STAY PERMIT"
    } else {
        "ELECTRONIC LIMITED STAY PERMIT"
    };
    let title = vec![facts.document_type().to_string(), english.to_string()];
    let heading = family.name == NamePlacement::Heading;
    let top = vec![
        row(rng, family, LabelField::Niora, facts.niora.clone()),
        row(
            rng,
            family,
            LabelField::PermitNumber,
            facts.permit_number.clone(),
        ),
        row(
            rng,
            family,
            LabelField::ReentryExpiry,
            date(facts.reentry_expiry),
        ),
        row(rng, family, LabelField::Index, facts.index.clone()),
    ];
    let mut rows = Vec::new();
    if !heading {
        rows.push(row(rng, family, LabelField::Name, p.name.clone()));
    }
    let sep = pick(rng, &[" / ", ", "]);
    rows.extend([
        row(
            rng,
            family,
            LabelField::Birth,
            format!("{}{sep}{}", p.birthplace, date(facts.birth)),
        ),
        row(
            rng,
            family,
            LabelField::PassportNumber,
            facts.passport_number.clone(),
        ),
        row(
            rng,
            family,
            LabelField::PassportExpiry,
            date(facts.passport_expiry),
        ),
        row(rng, family, LabelField::Nationality, p.nationality),
        row(rng, family, LabelField::Sex, print_sex(p.sex, family.sex)),
        row(rng, family, LabelField::Address, facts.address.clone()),
        row(rng, family, LabelField::Occupation, facts.occupation),
    ]);
    if rng.random_bool(0.7) {
        rows.push(row(
            rng,
            family,
            LabelField::Guarantor,
            facts.guarantor.clone(),
        ));
        truth.guarantor_name = facts.guarantor.clone();
    }
    rows.push(row(rng, family, LabelField::Status, facts.status));
    if rng.random_bool(0.6) {
        rows.push(row(
            rng,
            family,
            LabelField::PermitExpiry,
            date(facts.permit_expiry),
        ));
        truth.permit_expiry = facts.permit_expiry.dmy();
    }
    let place = title_case(facts.office_city);
    truth.issued_place = place.clone();
    let content = PageContent {
        header,
        title,
        name_heading: heading.then(|| p.name.clone()),
        top,
        rows,
        issue_line: format!("{place}, {}", date(facts.issued)),
        signatory: vec![format!("KEPALA KANTOR IMIGRASI {}", facts.office_city)],
        office_block,
        office_apart,
    };
    (content, truth)
}

/// The look of one page of a family.
#[derive(Clone, Copy)]
pub(super) struct Look {
    pub(super) label: FontFace,
    pub(super) value: FontFace,
    pub(super) bold: FontFace,
    pub(super) size: f32,
    pub(super) pitch: f32,
    pub(super) margin: f32,
    pub(super) right: f32,
    arrangement: Arrangement,
}

impl Look {
    fn sample<R: Rng + ?Sized>(rng: &mut R, family: &Family) -> Look {
        let size = family.size * rng.random_range(0.95f32..1.05);
        Look {
            label: family.faces.label,
            value: family.faces.value,
            bold: family.faces.bold,
            size,
            pitch: size * rng.random_range(1.6f32..1.9),
            margin: rng.random_range(42.0f32..65.0),
            right: A4[0] - rng.random_range(40.0f32..60.0),
            arrangement: family.arrangement,
        }
    }
}

fn draw_printout<R: Rng + ?Sized>(
    rng: &mut R,
    sheet: &mut Sheet,
    family: &Family,
    content: &PageContent,
) {
    let mut look = Look::sample(rng, family);
    let mut y = rng.random_range(36.0f32..56.0);
    match (&content.office_apart, family.office) {
        (Some(office), OfficePlacement::TopBox) => {
            y = header_boxed(sheet, &look, content, office, y);
        }
        (Some(office), OfficePlacement::Other(o)) => {
            y = heldout_page::head(sheet, &look, content, office, o, y);
        }
        _ => {
            y = header(sheet, &look, &content.header, y);
            y = title(sheet, &look, content, y);
        }
    }
    let footer_h = match family.office {
        OfficePlacement::Footer => footer_height(look.size),
        _ => 0.0,
    };
    // What the signature block needs below the rows, with the office lines when they go there.
    let block = 150.0
        + if content.office_block.is_some() {
            75.0
        } else {
            0.0
        }
        + footer_h;
    let limit = A4[1] - 30.0 - block;
    let (photo, rows): (Option<f32>, Vec<&FRow>) = match family.photo {
        PhotoPlacement::None => (None, content.top.iter().chain(&content.rows).collect()),
        _ => (
            Some(rng.random_range(76.0f32..90.0)),
            content.rows.iter().collect(),
        ),
    };
    let top: Vec<&FRow> = content.top.iter().collect();
    // Tighter, then smaller, until the rows end above the signature block.
    for _ in 0..6 {
        let mut probe = Sheet::new(sheet.fonts, A4[0], A4[1]);
        let end = body(&mut probe, &look, family, photo, &top, &rows, y);
        if end <= limit {
            break;
        }
        if look.pitch > look.size * 1.3 {
            look.pitch = (look.pitch - (end - limit) / 12.0).max(look.size * 1.3);
        } else {
            look.size *= 0.92;
            look.pitch = look.size * 1.3;
        }
    }
    let end = body(sheet, &look, family, photo, &top, &rows, y);
    let gap = rng.random_range(16.0f32..30.0);
    let at = (end + gap).min(limit + 20.0);
    issue_block(sheet, rng, &look, content, at);
    if let (Some(office), OfficePlacement::Other(o)) = (&content.office_apart, family.office) {
        heldout_page::beside_issue(sheet, &look, office, o, at);
    }
    if let (Some((_, office)), OfficePlacement::Footer) = (&content.office_apart, family.office) {
        let bottom = A4[1] - rng.random_range(18.0f32..28.0);
        footer(sheet, &look, office, [bottom - footer_h, bottom]);
    }
}

/// The height of a footer band of three office lines for body size `size`.
fn footer_height(size: f32) -> f32 {
    size * 0.85 * (1.35 * 3.0 + 1.3)
}

/// The office lines centred in a tinted band from `top` to `bottom` with a rule over it, the
/// office's name bold.
fn footer(sheet: &mut Sheet, look: &Look, office: &[String], [top, bottom]: [f32; 2]) {
    let small = look.size * 0.85;
    sheet.rect(
        [look.margin, top, look.right - look.margin, bottom - top],
        [232, 234, 238],
    );
    sheet.rule(look.margin, look.right, top, 0.8);
    let room = look.right - look.margin - 12.0;
    let cx = (look.margin + look.right) / 2.0;
    let mut base = top + small * 0.35;
    for (i, line) in office.iter().enumerate() {
        base += small * 1.35;
        let face = if i == 1 { look.bold } else { look.label };
        let s = sheet.fit(face, small, line, room);
        sheet.centred(line, face, s, cx, base);
    }
}

/// A rectangle's outline, `weight` points wide, inside `[x, y, w, h]`.
fn outline(sheet: &mut Sheet, [x, y, w, h]: [f32; 4], weight: f32, color: Rgb8) {
    sheet.rect([x, y, w, weight], color);
    sheet.rect([x, y + h - weight, w, weight], color);
    sheet.rect([x, y, weight, h], color);
    sheet.rect([x + w - weight, y, weight, h], color);
}

/// The ministry lines and the title flush left, the issuing office under its heading in a ruled
/// box at the top right beside them, a rule under both, then the name heading; returns the y
/// below.
fn header_boxed(
    sheet: &mut Sheet,
    look: &Look,
    content: &PageContent,
    (heading, office): &(Vec<String>, Vec<String>),
    y0: f32,
) -> f32 {
    let size = look.size * 1.1;
    let small = look.size * 0.85;
    let pad = look.size * 0.6;
    let face = |i: usize| if i < 2 { look.bold } else { look.label };
    let widest = heading
        .iter()
        .map(|l| sheet.measure(look.label, small, l))
        .chain(
            office
                .iter()
                .enumerate()
                .map(|(i, l)| sheet.measure(face(i), small, l)),
        )
        .fold(0.0f32, f32::max);
    let span = look.right - look.margin;
    let box_w = (widest + 2.0 * pad).clamp(span * 0.3, span * 0.44);
    let box_x = look.right - box_w;
    let left_room = box_x - look.margin - 14.0;
    let mut y = y0;
    for (i, line) in content.header.iter().enumerate() {
        y += size * 1.35;
        let s = sheet.fit(face(i), size, line, left_room);
        sheet.text(line, face(i), s, look.margin, y);
    }
    y += size * 0.3;
    let tsize = look.size * 1.45;
    for (i, line) in content.title.iter().enumerate() {
        let s = if i == 0 { tsize } else { tsize * 0.72 };
        y += s * 1.45;
        let s = sheet.fit(look.bold, s, line, left_room);
        sheet.text(line, look.bold, s, look.margin, y);
    }
    let top = y0 + size * 0.35;
    let inner = box_w - 2.0 * pad;
    let mut b = top + pad * 0.4;
    for line in heading {
        b += small * 1.3;
        let s = sheet.fit(look.label, small * 0.9, line, inner);
        sheet.text_in(line, look.label, s, [box_x + pad, b], GREY);
    }
    for (i, line) in office.iter().enumerate() {
        b += small * 1.3;
        let s = sheet.fit(face(i), small, line, inner);
        sheet.text(line, face(i), s, box_x + pad, b);
    }
    let bottom = b + pad;
    outline(sheet, [box_x, top, box_w, bottom - top], 0.7, INK);
    let mut y = y.max(bottom) + size * 0.8;
    sheet.rule(look.margin, look.right, y, 1.0);
    y += 6.0;
    if let Some(name) = &content.name_heading {
        y += tsize * 1.5;
        sheet.centred(name, look.bold, tsize * 1.05, A4[0] / 2.0, y);
        y += tsize * 0.8;
    }
    y + tsize * 0.4
}

/// The photo with the top rows beside it (or no photo) and then the rows in one or two
/// columns; returns the last baseline.
fn body(
    sheet: &mut Sheet,
    look: &Look,
    family: &Family,
    photo: Option<f32>,
    top: &[&FRow],
    rows: &[&FRow],
    y: f32,
) -> f32 {
    let y = match photo {
        Some(w) => {
            let h = w * 4.0 / 3.0;
            let (photo_x, span) = if family.photo == PhotoPlacement::Left {
                (look.margin, [look.margin + w + 18.0, look.right])
            } else {
                (look.right - w, [look.margin, look.right - w - 18.0])
            };
            sheet.rect([photo_x, y, w, h], [214, 220, 232]);
            sheet.rect(
                [photo_x + w * 0.3, y + h * 0.25, w * 0.4, h * 0.35],
                [200, 170, 140],
            );
            let first = y + look.size * 0.4 - look.pitch;
            let below = rows_in(sheet, look, top, span, first);
            (y + h).max(below) + look.pitch * 0.6
        }
        None => y,
    };
    if family.columns >= 2 {
        let mid = (look.margin + look.right) / 2.0;
        let half = rows.len().div_ceil(2);
        let a = rows_in(sheet, look, &rows[..half], [look.margin, mid - 10.0], y);
        let b = rows_in(sheet, look, &rows[half..], [mid + 10.0, look.right], y);
        a.max(b)
    } else {
        rows_in(sheet, look, rows, [look.margin, look.right], y)
    }
}

/// Header lines centred, the first bold, then a rule; returns the y below.
pub(super) fn header(sheet: &mut Sheet, look: &Look, lines: &[String], mut y: f32) -> f32 {
    let cx = A4[0] / 2.0;
    let size = look.size * 1.1;
    for (i, line) in lines.iter().enumerate() {
        let face = if i < 2 { look.bold } else { look.label };
        y += size * 1.35;
        sheet.centred(line, face, size, cx, y);
    }
    y += size * 0.8;
    sheet.rule(look.margin, look.right, y, 1.0);
    y + 6.0
}

/// The title lines and the name heading; returns the y below.
pub(super) fn title(sheet: &mut Sheet, look: &Look, content: &PageContent, mut y: f32) -> f32 {
    let cx = A4[0] / 2.0;
    let size = look.size * 1.45;
    for (i, line) in content.title.iter().enumerate() {
        let s = if i == 0 { size } else { size * 0.72 };
        y += s * 1.45;
        sheet.centred(line, look.bold, s, cx, y);
    }
    if let Some(name) = &content.name_heading {
        y += size * 1.7;
        sheet.centred(name, look.bold, size * 1.05, cx, y);
    }
    y + size * 1.2
}

/// Rows in `[x0, x1]` starting one pitch below `y`; returns the last baseline.
fn rows_in(sheet: &mut Sheet, look: &Look, rows: &[&FRow], [x0, x1]: [f32; 2], y: f32) -> f32 {
    match look.arrangement {
        Arrangement::Below => rows_below(sheet, look, rows, [x0, x1], y),
        Arrangement::Grid => rows_grid(sheet, look, rows, [x0, x1], y),
        Arrangement::Other(a) => heldout_page::rows(sheet, look, a, rows, [x0, x1], y),
        _ => rows_beside(sheet, look, rows, [x0, x1], y),
    }
}

/// Labels in a column, an optional colon column or dotted leaders, values to the right.
fn rows_beside(
    sheet: &mut Sheet,
    look: &Look,
    rows: &[&FRow],
    [x0, x1]: [f32; 2],
    mut y: f32,
) -> f32 {
    let small = look.size * 0.8;
    let widest = rows
        .iter()
        .flat_map(|r| r.label.iter().enumerate())
        .map(|(i, l)| sheet.measure(look.label, if i == 0 { look.size } else { small }, l))
        .fold(0.0f32, f32::max);
    let label_w = widest.min((x1 - x0) * 0.45);
    let gap = look.size * 0.8;
    let colon_x = x0 + label_w + gap;
    let value_x = match look.arrangement {
        Arrangement::Colon => colon_x + sheet.measure(look.label, look.size, ":") + gap,
        Arrangement::Leader => colon_x + look.size * 1.6,
        _ => colon_x,
    };
    let room = x1 - value_x;
    for r in rows {
        y += look.pitch;
        let mut last = y;
        let mut label_end = x0;
        // A label too long for the column wraps, as a form does, rather than shrinking past
        // three quarters of its size.
        let mut drop = 0.0;
        for (i, line) in r.label.iter().enumerate() {
            let (s, base, color) = if i == 0 {
                (look.size, y, INK)
            } else {
                (small, y + drop + look.size * 0.95 * i as f32, GREY)
            };
            let pieces = if sheet.fit(look.label, s, line, label_w) < 0.75 * s {
                sheet.wrap(line, look.label, s, label_w)
            } else {
                vec![line.clone()]
            };
            for (k, piece) in pieces.iter().enumerate() {
                let base = base + k as f32 * s * 1.1;
                let fitted = sheet.fit(look.label, s, piece, label_w);
                let end = sheet.text_in(piece, look.label, fitted, [x0, base], color);
                if i == 0 && k == 0 {
                    label_end = end;
                }
                last = last.max(base);
            }
            drop += (pieces.len().max(1) - 1) as f32 * s * 1.1;
        }
        if look.arrangement == Arrangement::Colon {
            sheet.text(":", look.label, look.size, colon_x, y);
        }
        if look.arrangement == Arrangement::Leader {
            let gap = look.size * 0.35;
            leader(sheet, [label_end + gap, value_x - gap], y, look.size);
        }
        last = last.max(values(sheet, look, r, value_x, room, y));
        y = last;
    }
    y
}

/// Each label on its own line (smaller), the value on the line below.
fn rows_below(
    sheet: &mut Sheet,
    look: &Look,
    rows: &[&FRow],
    [x0, x1]: [f32; 2],
    mut y: f32,
) -> f32 {
    let small = look.size * 0.82;
    let room = x1 - x0;
    for r in rows {
        y += look.pitch * 0.85;
        for (i, line) in r.label.iter().enumerate() {
            let base = y + small * 1.05 * i as f32;
            let s = sheet.fit(look.label, small, line, room);
            sheet.text_in(line, look.label, s, [x0, base], GREY);
        }
        let first = y + small * 1.05 * (r.label.len() - 1) as f32 + look.size * 1.2;
        y = values(sheet, look, r, x0, room, first);
    }
    y
}

/// A dotted leader on baseline `y` from `x0` to `x1`, its dots on a grid so that the leaders of
/// neighbouring rows line up.
fn leader(sheet: &mut Sheet, [x0, x1]: [f32; 2], y: f32, size: f32) {
    let step = size * 0.32;
    let dot = (size * 0.1).max(0.45);
    let mut x = (x0 / step).ceil() * step;
    while x + dot <= x1 {
        sheet.rect([x, y - dot, dot, dot], INK);
        x += step;
    }
}

/// A form grid in `[x0, x1]`: each field in a ruled box, its label small at the top left inside
/// and the value under it; two fields to a row where the span is wide enough, a wrapping field
/// (the address) across the whole row. The first boxes' top is one pitch below `y`, less the
/// cap height; returns the bottom of the last row of boxes.
fn rows_grid(sheet: &mut Sheet, look: &Look, rows: &[&FRow], [x0, x1]: [f32; 2], y: f32) -> f32 {
    let small = look.size * 0.72;
    let pad = ((look.pitch - look.size) * 0.45).clamp(1.6, 4.5);
    let two = x1 - x0 > 300.0;
    let mid = (x0 + x1) / 2.0;
    let mut top = y + look.pitch - look.size * 0.4;
    let mut i = 0;
    while i < rows.len() {
        let pair = two && i + 1 < rows.len() && !rows[i].wrap && !rows[i + 1].wrap;
        let cells: Vec<(&FRow, [f32; 2])> = if pair {
            vec![(rows[i], [x0, mid]), (rows[i + 1], [mid, x1])]
        } else {
            vec![(rows[i], [x0, x1])]
        };
        i += cells.len();
        let label_h = |r: &FRow| small * (0.9 + 1.05 * (r.label.len() - 1) as f32);
        let value_lines = |sheet: &Sheet, r: &FRow, room: f32| {
            if r.wrap {
                sheet.wrap(&r.value, look.value, look.size, room).len()
            } else {
                1
            }
        };
        let height = cells
            .iter()
            .map(|(r, [a, b])| {
                let n = value_lines(sheet, r, b - a - 2.0 * pad);
                2.0 * pad + label_h(r) + look.size * (1.25 * n as f32 + 0.3)
            })
            .fold(0.0f32, f32::max);
        for (r, [a, b]) in &cells {
            outline(sheet, [*a, top, b - a, height], 0.6, INK);
            let room = b - a - 2.0 * pad;
            for (k, line) in r.label.iter().enumerate() {
                let base = top + pad + small * (0.9 + 1.05 * k as f32);
                let s = sheet.fit(look.label, small, line, room);
                sheet.text_in(line, look.label, s, [a + pad, base], GREY);
            }
            let first = top + pad + label_h(r) + look.size * 1.2;
            values(sheet, look, r, a + pad, room, first);
        }
        top += height;
    }
    top
}

/// The value (wrapped if the row allows) with its first baseline at `y`; returns the last.
pub(super) fn values(sheet: &mut Sheet, look: &Look, r: &FRow, x: f32, room: f32, y: f32) -> f32 {
    let lines = if r.wrap {
        sheet.wrap(&r.value, look.value, look.size, room)
    } else {
        vec![r.value.clone()]
    };
    let mut last = y;
    for (i, line) in lines.iter().enumerate() {
        let base = y + look.size * 1.25 * i as f32;
        let s = sheet.fit(look.value, look.size, line, room);
        sheet.text(line, look.value, s, x, base);
        last = base;
    }
    last
}

/// Issue line, signatory, signature, employee number and, for some families, the issuing
/// office under an "issued by" heading, in the right half.
fn issue_block<R: Rng + ?Sized>(
    sheet: &mut Sheet,
    rng: &mut R,
    look: &Look,
    content: &PageContent,
    y: f32,
) {
    let size = look.size;
    let small = size * 0.9;
    let x = A4[0] * rng.random_range(0.5f32..0.56);
    let room = A4[0] - 24.0 - x;
    let put = |sheet: &mut Sheet<'_>, line: &str, face: FontFace, s: f32, base: f32| {
        let s = sheet.fit(face, s, line, room);
        sheet.text(line, face, s, x, base);
    };
    put(sheet, &content.issue_line, look.label, size, y);
    let mut base = y;
    for line in &content.signatory {
        base += small * 1.3;
        put(sheet, line, look.label, small, base);
    }
    let sign_h = rng.random_range(30.0f32..42.0);
    sheet.signature(rng, [x + 4.0, base + 6.0, room.min(120.0), sign_h]);
    base += sign_h + small * 1.6;
    let nip = nip(rng);
    put(sheet, &nip, look.label, small, base);
    if let Some((heading, office)) = &content.office_block {
        base += small * 0.8;
        for line in heading {
            base += small * 1.3;
            put(sheet, line, look.label, small, base);
        }
        for (i, line) in office.iter().enumerate() {
            base += small * 1.3;
            let face = if i < 2 { look.bold } else { look.label };
            put(sheet, line, face, small, base);
        }
    }
}

/// An ID-1 card of `family` for `facts`.
pub fn card<R: Rng + ?Sized>(
    rng: &mut R,
    fonts: &Fonts,
    family: &Family,
    facts: &Facts,
) -> Document {
    let title = if facts.permanent {
        "KARTU IZIN TINGGAL TETAP"
    } else {
        "KARTU IZIN TINGGAL TERBATAS"
    };
    let date = |d: super::truth::Date| print_date(d, family.date);
    let p = &facts.person;
    let sep = pick(rng, &[" / ", ", "]);
    let fields: Vec<FRow> = vec![
        row(rng, family, LabelField::Name, p.name.clone()),
        row(
            rng,
            family,
            LabelField::Birth,
            format!("{}{sep}{}", p.birthplace, date(facts.birth)),
        ),
        row(rng, family, LabelField::Nationality, p.nationality),
        row(rng, family, LabelField::Sex, print_sex(p.sex, family.sex)),
        row(
            rng,
            family,
            LabelField::PassportNumber,
            facts.passport_number.clone(),
        ),
        row(rng, family, LabelField::Address, facts.address.clone()),
        row(
            rng,
            family,
            LabelField::PermitNumber,
            facts.permit_number.clone(),
        ),
        row(
            rng,
            family,
            LabelField::PermitExpiry,
            date(facts.permit_expiry),
        ),
    ]
    .into_iter()
    // A card has no room for a stacked label: its languages go on one line.
    .map(|r| FRow {
        label: vec![r.label.join(" / ")],
        ..r
    })
    .collect();
    let tint = pick(rng, &[[224, 236, 228], [222, 232, 244], [240, 234, 220]]);
    let mut sheet = Sheet::new(fonts, ID1[0], ID1[1]);
    guilloche(&mut sheet, rng, tint);
    let cx = ID1[0] / 2.0;
    sheet.centred("REPUBLIK INDONESIA", family.faces.bold, 5.6, cx, 9.5);
    sheet.centred(title, family.faces.bold, 8.2, cx, 21.0);
    sheet.rule(8.0, ID1[0] - 8.0, 25.5, 0.5);
    let top = rng.random_range(31.0f32..34.0);
    let photo_w = rng.random_range(44.0f32..50.0);
    let (photo_x, span) = if family.photo == PhotoPlacement::Right {
        let px = ID1[0] - photo_w - 7.0;
        (px, [7.0, px - 5.0])
    } else {
        (7.0, [7.0 + photo_w + 6.0, ID1[0] - 6.0])
    };
    sheet.rect([photo_x, top, photo_w, photo_w * 1.28], [210, 216, 230]);
    let look = Look {
        label: family.faces.label,
        value: family.faces.value,
        bold: family.faces.bold,
        size: family.size,
        pitch: rng.random_range(9.4f32..10.2),
        margin: span[0],
        right: span[1],
        arrangement: family.arrangement,
    };
    let refs: Vec<&FRow> = fields.iter().collect();
    let label_look = Look {
        size: look.size * 0.8,
        ..look
    };
    if family.arrangement == Arrangement::Below {
        card_pairs(&mut sheet, &look, &refs, span, top);
    } else if family.arrangement == Arrangement::Grid {
        card_grid(&mut sheet, &look, &refs, span, top);
    } else if let Arrangement::Other(a) = family.arrangement {
        heldout_page::card_rows(&mut sheet, &look, a, &refs, span, top);
    } else {
        card_beside(&mut sheet, &look, &label_look, &refs, span, top);
    }
    let truth = Truth {
        is_permit: true,
        kind: "card".to_string(),
        document_type: title.to_string(),
        full_name: p.name.clone(),
        place_of_birth: p.birthplace.to_string(),
        date_of_birth: facts.birth.dmy(),
        nationality: p.nationality.to_string(),
        gender: gender_code(p.sex).to_string(),
        passport_number: facts.passport_number.clone(),
        address: facts.address.clone(),
        permit_number: facts.permit_number.clone(),
        permit_expiry: facts.permit_expiry.dmy(),
        ..Truth::default()
    };
    sheet.finish(tint, truth)
}

/// Small labels left of the values (with colons, dotted leaders or neither), one row per field.
fn card_beside(
    sheet: &mut Sheet,
    look: &Look,
    label_look: &Look,
    rows: &[&FRow],
    [x0, x1]: [f32; 2],
    top: f32,
) {
    let label_w = rows
        .iter()
        .map(|r| sheet.measure(look.label, label_look.size, &r.label[0]))
        .fold(0.0f32, f32::max)
        .min((x1 - x0) * 0.38);
    let value_x = x0
        + label_w
        + if look.arrangement == Arrangement::Leader {
            10.0
        } else {
            7.0
        };
    let room = x1 - value_x;
    let mut y = top + look.size;
    for r in rows {
        let s = sheet.fit(look.label, label_look.size, &r.label[0], label_w);
        let end = sheet.text_in(&r.label[0], look.label, s, [x0, y], GREY);
        if look.arrangement == Arrangement::Colon {
            sheet.text(":", look.label, label_look.size, value_x - 4.0, y);
        }
        if look.arrangement == Arrangement::Leader {
            leader(sheet, [end + 1.2, value_x - 1.8], y, label_look.size);
        }
        let lines = card_lines(sheet, look, r, room);
        for (i, line) in lines.iter().enumerate() {
            let s = sheet.fit(look.value, look.size, line, room);
            sheet.text(
                line,
                look.value,
                s,
                value_x,
                y + i as f32 * look.size * 1.15,
            );
        }
        y += look.pitch * 0.95 + (lines.len() - 1) as f32 * look.size * 1.15;
    }
}

/// Labels above values, short fields in pairs.
fn card_pairs(sheet: &mut Sheet, look: &Look, rows: &[&FRow], [x0, x1]: [f32; 2], top: f32) {
    let label_size = look.size * 0.72;
    let half = x0 + (x1 - x0) * 0.55;
    let layout: [&[usize]; 6] = [&[0], &[1], &[2, 3], &[4, 7], &[5], &[6]];
    let mut y = top;
    for group in layout {
        let mut used = 1;
        for (j, &f) in group.iter().enumerate() {
            let r = rows[f];
            let col_x = if j == 0 { x0 } else { half };
            let room = if group.len() == 2 && j == 0 {
                half - x0 - 4.0
            } else {
                x1 - col_x
            };
            let s = sheet.fit(look.label, label_size, &r.label[0], room);
            sheet.text_in(&r.label[0], look.label, s, [col_x, y + label_size], GREY);
            let lines = card_lines(sheet, look, r, room);
            for (i, line) in lines.iter().enumerate() {
                let base = y + label_size + look.size * (1.1 + 1.1 * i as f32);
                let s = sheet.fit(look.value, look.size, line, room);
                sheet.text(line, look.value, s, col_x, base);
            }
            used = used.max(lines.len());
        }
        y += label_size + look.size * (0.5 + 1.1 * used as f32) + 1.2;
    }
}

/// The fields of a card in a grid of ruled cells (grouped as [`card_pairs`] groups them), each
/// cell with its label small at the top left and the value under it.
fn card_grid(sheet: &mut Sheet, look: &Look, rows: &[&FRow], [x0, x1]: [f32; 2], top: f32) {
    let label_size = look.size * 0.72;
    let pad = 1.5;
    let half = x0 + (x1 - x0) * 0.55;
    let layout: [&[usize]; 6] = [&[0], &[1], &[2, 3], &[4, 7], &[5], &[6]];
    let mut y = top;
    for group in layout {
        let cells: Vec<(usize, [f32; 2])> = group
            .iter()
            .enumerate()
            .map(|(j, &f)| {
                let span = match (group.len(), j) {
                    (1, _) => [x0, x1],
                    (_, 0) => [x0, half],
                    _ => [half, x1],
                };
                (f, span)
            })
            .collect();
        let used = cells
            .iter()
            .map(|&(f, [a, b])| card_lines(sheet, look, rows[f], b - a - 2.0 * pad).len())
            .max()
            .unwrap_or(1);
        let height = 2.0 * pad + label_size * 0.9 + look.size * (1.1 * used as f32 + 0.3);
        for (f, [a, b]) in cells {
            let r = rows[f];
            let room = b - a - 2.0 * pad;
            outline(sheet, [a, y, b - a, height], 0.4, INK);
            let s = sheet.fit(look.label, label_size, &r.label[0], room);
            let label_base = y + pad + label_size * 0.9;
            sheet.text_in(&r.label[0], look.label, s, [a + pad, label_base], GREY);
            for (i, line) in card_lines(sheet, look, r, room).iter().enumerate() {
                let base = label_base + look.size * (1.05 + 1.1 * i as f32);
                let s = sheet.fit(look.value, look.size, line, room);
                sheet.text(line, look.value, s, a + pad, base);
            }
        }
        y += height;
    }
}

/// A card value's lines: the address wraps, anything else is one line (shrunk to fit).
fn card_lines(sheet: &Sheet, look: &Look, r: &FRow, room: f32) -> Vec<String> {
    if r.wrap {
        sheet.wrap(&r.value, look.value, look.size, room)
    } else {
        vec![r.value.clone()]
    }
}

#[cfg(test)]
mod tests {
    use super::super::family::{all_families, family_document};
    use super::super::layout::Item;
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    /// Rules, boxes, bands, leaders and photos stay on the page as the text does.
    #[test]
    fn every_rect_stays_on_the_page() {
        let fonts = Fonts::load().expect("fonts installed");
        for family in all_families() {
            for seed in 0..6 {
                let doc = family_document(&mut StdRng::seed_from_u64(seed), &family, &fonts);
                for item in &doc.items {
                    if let Item::Rect { x, y, w, h, .. } = *item {
                        assert!(
                            x >= -0.01 && y >= -0.01,
                            "{} {item:?} off the page",
                            family.id
                        );
                        assert!(
                            x + w <= doc.width + 0.01 && y + h <= doc.height + 0.01,
                            "{} {item:?} off the page",
                            family.id
                        );
                    }
                }
            }
        }
    }
}
