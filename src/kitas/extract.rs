//! Reading the permit's fields from the OCR lines of one upright page.
//!
//! Fields are found by their printed labels, never by position on the page (layouts vary by
//! generation, office and printer):
//!
//! 1. Titles: `IZIN TINGGAL TERBATAS ELEKTRONIK` (KITAS), `IZIN TINGGAL TETAP ELEKTRONIK`
//!    (KITAP), the old cards' `KARTU IZIN TINGGAL ...`, or a visit permit's title (not a permit).
//! 2. Labels (`labels.rs`), matched fuzzily at the start of each segment. A label's value
//!    is the rest of its segment after a `:`; else the nearest segment to its right on the same
//!    row; else the next segment below it that no other label on its row claims. An address
//!    continues onto the segments below it in its column that carry no label.
//! 3. Whether the page is a permit: a permit title, or (without any title) at least two
//!    permit-only fields (NIORA, permit number, stay permit index, re-entry permit expiry), a
//!    well-formed permit number counting as one. A visit permit, a passport page or a receipt
//!    then gives a reading with every field empty: nothing is invented for a non-permit.
//! 4. Fields without a label: the office header lines above the title, the holder's name set
//!    as a line under the title (some 2024 printouts), and the `<place>, <date>` issue line.
//! 5. The photo and signature crops, if the page image is given (`crops.rs`).
//!
//! Confidence: `confidence_text` is the mean OCR confidence of the value's characters;
//! `confidence` multiplies it by how well the label matched (1 - edits / label length), by
//! [`ExtractParams::unlabelled`] for a field found by position and shape alone, and by
//! [`ExtractParams::off_shape`] when the value does not have its field's shape (a date that
//! is not a calendar date, a permit number of the wrong form), so that a client can send
//! doubtful fields for review.
//!
//! Invariants: every field of the returned [`Reading`] is present; no input (empty lines,
//! garbage text, lines without characters) makes this panic; nothing read is logged.

use std::collections::BTreeMap;

use image::RgbImage;

use super::crops::{self, CropParams};
use super::fields::{DocumentKind, Field, FieldName, Reading};
use super::glyphs;
use super::keywords;
use super::labels::{self, Header, Key, Match, Title};
use super::normalize as norm;
use super::page::Page;
use super::vocabulary;
use crate::ocr::TextLine;

/// Tunables of field extraction. Distances are in text heights (of the label's segment).
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractParams {
    /// A line is cut where two characters are further apart than this: a word space is well
    /// under one height, the gap between a label column and a value column several.
    pub segment_gap: f32,
    /// A value on the label's row may start this far right of the label: form columns on an
    /// A4 page sit up to about 25 heights apart.
    pub right_gap: f32,
    /// A value under its label (small labels above values, as on old cards) starts within this
    /// gap below it; one row pitch further is the next row.
    pub below_gap: f32,
    /// A value under its label starts this close to the label's left edge: values set flush
    /// under their labels (one text height leaves room for a detector box's margin).
    pub below_indent: f32,
    /// A label wrapped onto the next line goes on within this gap under it: wrapped lines are
    /// set closer than rows (measured: -0.1 to 0 heights against 0.3 and more between rows).
    pub wrap_gap: f32,
    /// A wrapped address line starts within this gap below the previous line ...
    pub continuation_gap: f32,
    /// ... and this close to the value column's left edge.
    pub continuation_indent: f32,
    /// Confidence factor for a field found by position and shape rather than by a label.
    pub unlabelled: f32,
    /// Confidence factor for a value that does not have its field's shape.
    pub off_shape: f32,
    /// An unlabelled line at least this many times the labels' median height is a heading
    /// (the holder's name set large): body text varies by under 10% between lines of one
    /// size, a heading is set a size or more larger.
    pub heading: f32,
    /// A heading line (the holder's name) stands within this many title heights under the
    /// title (an English title line and a gap between: about 3).
    pub heading_zone: f32,
    /// The second part of a label the detector cut in two starts within this gap right of the
    /// first: a word space read as a wide gap, well under the gap before a value column.
    pub label_join: f32,
    /// Confidence factor of a label known by its words rather than by a lexicon wording.
    pub keyword_label: f32,
    /// Without a title, this many permit-only fields make the page a permit.
    pub permit_evidence: usize,
    /// Photo and signature search.
    pub crops: CropParams,
}

impl Default for ExtractParams {
    fn default() -> Self {
        Self {
            segment_gap: 1.6,
            right_gap: 30.0,
            below_gap: 1.2,
            below_indent: 1.0,
            wrap_gap: 0.25,
            continuation_gap: 0.8,
            continuation_indent: 1.5,
            unlabelled: 0.9,
            off_shape: 0.5,
            heading: 1.2,
            heading_zone: 5.0,
            label_join: 2.0,
            keyword_label: 0.8,
            permit_evidence: 2,
            crops: CropParams::default(),
        }
    }
}

/// Reads the fields of one upright page whose OCR `lines` are in reading order, in the page's
/// pixel coordinates. With the page image, the photo and signature are cut out too.
pub fn extract(lines: &[TextLine], page_index: usize, page: Option<&RgbImage>) -> Reading {
    extract_with(lines, page_index, page, &ExtractParams::default())
}

/// [`extract`] with explicit parameters.
pub fn extract_with(
    lines: &[TextLine],
    page_index: usize,
    image: Option<&RgbImage>,
    p: &ExtractParams,
) -> Reading {
    let page = Page::new(lines, p.segment_gap);
    let mut r = Reader::new(&page, page_index, p);
    r.image = image;
    let titles = r.titles();
    if let Some((t, _)) = titles.main {
        r.unlabel_heading_lines(t);
    }
    r.reword_labels();
    r.join_split_labels();
    r.join_wrapped_labels();
    r.decide_arrangement();
    r.labelled_fields();
    if titles.not_permit || (titles.main.is_none() && r.evidence() < p.permit_evidence) {
        return Reading::not_a_permit();
    }
    let top = titles.main.map(|(s, _)| s);
    r.header_fields(top);
    if let Some((s, m)) = titles.main {
        r.document_type(s, &m);
    }
    if let Some(s) = top {
        r.name_title(s);
    }
    r.unlabelled_permit_number();
    // Lines no lexicon wording matched, named by their words, for the fields still empty.
    for s in r.keyword_labels() {
        r.labelled_field(s);
    }
    let issue = r.issue_line(top);
    let kind = titles.kind;
    let (photo, sign) = match image {
        Some(img) => r.crops(img, issue),
        None => (None, None),
    };
    Reading {
        fields: r.fields,
        photo,
        sign,
        is_permit: true,
        kind,
        page_polygons: Default::default(),
    }
}

/// Where a field's text is: character ranges `(segment, from, to)`, several for a wrapped
/// address.
#[derive(Debug, Clone, PartialEq)]
struct Value {
    parts: Vec<(usize, usize, usize)>,
}

/// What the titles of the page say.
struct Titles {
    /// The Indonesian (or, failing that, English) permit title: its segment and match.
    main: Option<(usize, Match<Title>)>,
    kind: DocumentKind,
    not_permit: bool,
}

struct Reader<'a> {
    page: &'a Page,
    /// The page image, where there is one: its glyphs settle `0`/`O` and `1`/`I` in codes.
    image: Option<&'a RgbImage>,
    page_index: usize,
    p: &'a ExtractParams,
    /// The label each segment starts with.
    labels: Vec<Option<Match<Key>>>,
    /// Segments already taken as a title or a value.
    used: Vec<bool>,
    /// For a label the detector cut in two: the segment its second part starts, and where the
    /// rest of that segment (the value, if on it) begins.
    label_tail: Vec<Option<(usize, usize)>>,
    /// Whether the page sets values under their labels rather than beside them (decided by
    /// the bare labels' majority, [`Reader::decide_arrangement`]).
    values_below: bool,
    fields: BTreeMap<FieldName, Field>,
}

/// Where the label part of a line ends: at its first colon, else at its end.
fn label_part(chars: &[char]) -> usize {
    chars.iter().position(|c| *c == ':').unwrap_or(chars.len())
}

/// Characters that separate a label from its value.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ':' | ';' | '|' | '=' | '.' | ',' | '-' | '/' | '_')
}

/// Fields whose label only a KITAS/KITAP prints.
const PERMIT_ONLY: [FieldName; 5] = [
    FieldName::Niora,
    FieldName::PermitNumber,
    FieldName::StayPermitIndex,
    FieldName::StayMultipleEntriesPermitExpiry,
    FieldName::StayEntriesPermitExpiry,
];

impl<'a> Reader<'a> {
    fn new(page: &'a Page, page_index: usize, p: &'a ExtractParams) -> Reader<'a> {
        let labels = page.segs.iter().map(|s| labels::label(&s.chars)).collect();
        Reader {
            page,
            image: None,
            page_index,
            p,
            labels,
            used: vec![false; page.segs.len()],
            label_tail: vec![None; page.segs.len()],
            values_below: false,
            fields: FieldName::ALL
                .into_iter()
                .map(|f| (f, Field::empty()))
                .collect(),
        }
    }

    fn is_set(&self, name: FieldName) -> bool {
        self.fields.get(&name).is_some_and(|f| !f.is_empty())
    }

    /// Finds the title lines; they are never values.
    fn titles(&mut self) -> Titles {
        let mut t = Titles {
            main: None,
            kind: DocumentKind::Unknown,
            not_permit: false,
        };
        let mut english: Option<(usize, Match<Title>)> = None;
        for (s, seg) in self.page.segs.iter().enumerate() {
            let Some(m) = labels::title(&seg.chars) else {
                continue;
            };
            // A title is never a label (`IZIN TINGGAL ...` is two edits from `No. Izin Tinggal`).
            self.used[s] = true;
            self.labels[s] = None;
            match m.tag {
                Title::NotPermit => t.not_permit = true,
                Title::Kitas | Title::Kitap if t.main.is_none() => t.main = Some((s, m)),
                Title::KitasEnglish | Title::KitapEnglish if english.is_none() => {
                    english = Some((s, m))
                }
                _ => {}
            }
        }
        t.main = t.main.or(english);
        t.kind = match t.main.map(|(_, m)| m.tag) {
            Some(Title::Kitas | Title::KitasEnglish) => DocumentKind::Kitas,
            Some(Title::Kitap | Title::KitapEnglish) => DocumentKind::Kitap,
            _ => DocumentKind::Unknown,
        };
        t
    }

    /// A line centred under the title, close under it, is a heading, not a label, unless it
    /// reads as a label exactly: a holder's name set as a heading can start a letter away
    /// from a label (`BENJAMIN MICHAEL MOORE`, `Penjamin`), and labels stand in columns, not
    /// centred under the title.
    fn unlabel_heading_lines(&mut self, title: usize) {
        let segs = &self.page.segs;
        let t = &segs[title];
        let (centre, bottom, th) = ((t.bbox[0] + t.bbox[2]) / 2.0, t.bbox[3], t.height());
        for (seg, label) in segs.iter().zip(self.labels.iter_mut()) {
            let Some(m) = *label else { continue };
            let b = &seg.bbox;
            let centred = ((b[0] + b[2]) / 2.0 - centre).abs() <= seg.height();
            let close = b[1] >= bottom && b[1] - bottom <= self.p.heading_zone * th;
            if m.score < 1.0 && centred && close {
                *label = None;
            }
        }
    }

    /// Labels the detector cut in two (`Izin Masuk Kembali Bebe` | `rapa Kali s/d ...`):
    /// where a segment starting with a label has, close on its right on its row, a segment
    /// that carries the label on (the two read together match more of a label, maybe
    /// another one), the two are one label, and its value is looked for after the second.
    fn join_split_labels(&mut self) {
        let segs = &self.page.segs;
        for s in 0..segs.len() {
            let Some(m) = self.labels[s] else { continue };
            let h = segs[s].height();
            let next = (0..segs.len())
                .filter(|&j| j != s && !self.used[j] && self.page.same_row(s, j))
                .filter(|&j| {
                    let dx = segs[j].bbox[0] - segs[s].bbox[2];
                    dx >= -0.5 * h && dx <= self.p.label_join * h
                })
                .min_by(|&a, &b| segs[a].bbox[0].total_cmp(&segs[b].bbox[0]));
            let Some(j) = next else { continue };
            let mut joined = segs[s].chars.clone();
            joined.push(' ');
            let offset = joined.len();
            joined.extend(&segs[j].chars);
            let Some(whole) = labels::label(&joined) else {
                continue;
            };
            if whole.end <= offset || whole.covered <= m.covered {
                continue;
            }
            self.labels[s] = Some(Match {
                end: segs[s].chars.len(),
                ..whole
            });
            self.labels[j] = None;
            self.used[j] = true;
            self.label_tail[s] = Some((j, whole.end - offset));
        }
    }

    /// Labels wrapped onto the lines under them (`Izin Masuk Kembali` | `Beberapa Kali s/d /` |
    /// `Multiple Re-entry Permit` | `Expiry`, a form's label column too narrow for them): a
    /// segment (a label, the start of one, or `Indeks Izin Tinggal / Stay`) and, flush under
    /// it and close, a
    /// line with no value of its own beside it (in the first line's value column) that
    /// carries the label on (the lines read together match more of a label, maybe another
    /// one) are one label; its value is beside its first line. (The next row's label stands a
    /// row's gap under a label and does not carry it on.)
    fn join_wrapped_labels(&mut self) {
        let segs = &self.page.segs;
        for s in 0..segs.len() {
            if self.used[s] {
                continue;
            }
            let m = self.labels[s];
            if m.is_some_and(|m| m.tag == Key::Heading) {
                continue;
            }
            let value_column = self.free_right_of(s).first().map(|&r| segs[r].bbox);
            // The lines flush under `s`, each close under the one before, with no value of
            // their own beside them (in the column of the first line's value, or anywhere when
            // that has none: a second column's wrapped value further right is not theirs).
            let mut chain: Vec<usize> = Vec::new();
            let mut last = s;
            for _ in 0..3 {
                let next = (0..segs.len())
                    .filter(|&j| j != last && j != s && !self.used[j] && !chain.contains(&j))
                    .filter(|&j| self.flush_under(last, j, self.p.wrap_gap))
                    .min_by(|&x, &y| segs[x].bbox[1].total_cmp(&segs[y].bbox[1]));
                let Some(j) = next else { break };
                let own = self.free_right_of(j).first().is_some_and(|&r| {
                    value_column.is_none_or(|c: [f32; 4]| segs[r].bbox[0] < c[2])
                });
                if own {
                    break;
                }
                chain.push(j);
                last = j;
            }
            // The most lines that, read on from `s`, carry a label past the start of the last
            // and cover more of it than fewer lines did (a middle line, `Multiple Re-entry`,
            // may not complete the translation on its own).
            let mut joined = segs[s].chars.clone();
            let mut best = m;
            let mut taken: Vec<usize> = Vec::new();
            for (k, &j) in chain.iter().enumerate() {
                joined.push(' ');
                let offset = joined.len();
                joined.extend(&segs[j].chars);
                let Some(whole) = labels::label(&joined) else {
                    continue;
                };
                if whole.end > offset && best.is_none_or(|b| whole.covered > b.covered) {
                    best = Some(whole);
                    taken = chain[..=k].to_vec();
                }
            }
            let Some(whole) = best.filter(|_| !taken.is_empty()) else {
                // A translation in words no lexicon wording has (`Sponsor/Penjamin` over
                // `Sponsoring Company`) is still the label's, not its value: the line flush
                // under a label that names the same field by its words.
                if let (Some(m), Some(&j)) = (m, chain.first()) {
                    let text: String = segs[j].chars.iter().collect();
                    if m.tag != Key::Other && keywords::key(&text) == Some(m.tag) {
                        self.labels[j] = None;
                        self.used[j] = true;
                    }
                }
                continue;
            };
            self.labels[s] = Some(Match {
                end: segs[s].chars.len(),
                ..whole
            });
            for j in taken {
                self.labels[j] = None;
                self.used[j] = true;
            }
        }
    }

    /// A lexicon wording that is only the start of a longer label (`Tanggal Berakhir` of
    /// `Tanggal Berakhir Dokumen Perjalanan`): where the whole label (the line before a colon,
    /// holding no digit) names another field by its words ([`keywords`]), it is that field's.
    fn reword_labels(&mut self) {
        for s in 0..self.page.segs.len() {
            let Some(m) = self.labels[s] else { continue };
            let chars = &self.page.segs[s].chars;
            let cut = label_part(chars);
            let rest = chars.get(m.end..cut).unwrap_or_default();
            if !rest.iter().any(|c| c.is_alphanumeric()) || m.tag == Key::Heading {
                continue;
            }
            let text: String = chars[..cut].iter().collect();
            match keywords::key(&text) {
                Some(key) if key != m.tag => {
                    self.labels[s] = Some(Match {
                        tag: key,
                        end: cut,
                        ..m
                    });
                }
                _ => {}
            }
        }
    }

    /// Labels by their words ([`keywords`]) on the free lines no lexicon label matched: the
    /// words before a colon, or the whole line, for a field still empty.
    fn keyword_labels(&mut self) -> Vec<usize> {
        let mut found = Vec::new();
        for s in 0..self.page.segs.len() {
            if self.labels[s].is_some() || !self.free(s) {
                continue;
            }
            let chars = &self.page.segs[s].chars;
            let cut = label_part(chars);
            let text: String = chars[..cut].iter().collect();
            // (`keywords` names fields only, never `Other` or `Heading`.)
            let Some(key) = keywords::key(&text).filter(|k| !self.taken(*k)) else {
                continue;
            };
            let letters = text.chars().filter(|c| c.is_alphanumeric()).count();
            self.labels[s] = Some(Match {
                tag: key,
                text: "",
                score: self.p.keyword_label,
                end: cut,
                covered: letters,
                total: letters,
            });
            found.push(s);
        }
        found
    }

    /// Every labelled field, in reading order; the first label of a field that yields a value
    /// wins (a stacked translation under a label finds its row already taken).
    fn labelled_fields(&mut self) {
        for s in 0..self.page.segs.len() {
            self.labelled_field(s);
        }
    }

    /// Whether a label of `key` has nothing left to take: its field is read (either birth
    /// field for a place-and-date label), or it is a heading. An unreturned label still takes
    /// its value, so that no neighbour takes it.
    fn taken(&self, key: Key) -> bool {
        match key {
            Key::Heading => true,
            Key::Other => false,
            Key::Birth => {
                self.is_set(FieldName::PlaceOfBirth) || self.is_set(FieldName::DateOfBirth)
            }
            Key::Field(name) => self.is_set(name),
        }
    }

    /// The field of the label in segment `s`, if it has one and its field is still empty.
    fn labelled_field(&mut self, s: usize) {
        let Some(m) = self.labels[s] else { return };
        if self.taken(m.tag) {
            return;
        }
        let Some(mut value) = self.value_for(s, &m) else {
            return;
        };
        if m.tag == Key::Field(FieldName::Address) {
            self.continue_address(&mut value);
        }
        if m.tag == Key::Birth {
            self.continue_birth(&mut value);
        }
        match m.tag {
            Key::Birth => self.birth(&value, m.score),
            Key::Field(name) => self.set_normalised(name, &value, m.score),
            Key::Other | Key::Heading => {}
        }
    }

    /// How many permit-only fields were read (a permit number of the permit's shape counts
    /// twice: it is hard to read one by chance).
    fn evidence(&self) -> usize {
        let fields = PERMIT_ONLY.iter().filter(|f| self.is_set(**f)).count();
        let number = self
            .fields
            .get(&FieldName::PermitNumber)
            .is_some_and(|f| norm::is_permit_number(&f.value));
        fields + usize::from(number)
    }

    /// The value of the label `m` in segment `s`: the first of the rest of the segment, the
    /// segment to its right and the one below that has the field's shape, else the first found.
    /// (Overlapping detections can leave a stray first digit of a date after its label, with
    /// the whole date beside it.)
    fn value_for(&mut self, s: usize, m: &Match<Key>) -> Option<Value> {
        // A label cut in two goes on in segment `t`; its value is after that.
        let (t, end) = self.label_tail[s].unwrap_or((s, m.end));
        let candidates = if self.values_below && self.span(t, end).is_none() {
            [
                self.below(s),
                self.rest_of(t, end),
                self.right_of(t),
                self.shaped_right_of(t, m.tag),
            ]
        } else {
            [
                self.rest_of(t, end),
                self.right_of(t),
                self.below(s),
                self.shaped_right_of(t, m.tag),
            ]
        };
        let found: Vec<Value> = candidates.into_iter().flatten().collect();
        let first = found.first()?.clone();
        // If none has the shape, a shaped end of one may: the tail of a label OCR ran into
        // the value (`ootExpry 18-02-2030`).
        let value = found
            .iter()
            .find(|v| self.shaped(m.tag, v))
            .cloned()
            .or_else(|| found.iter().find_map(|v| self.shaped_tail(m.tag, v)))
            .unwrap_or(first);
        for &(seg, _, _) in &value.parts {
            self.used[seg] = true;
        }
        Some(value)
    }

    /// The longest end of `v`, from a word on, that has the shape of what `key` introduces
    /// (fields of a strict shape only: dates and codes).
    fn shaped_tail(&self, key: Key, v: &Value) -> Option<Value> {
        let strict = match key {
            Key::Field(name) => {
                name.is_date()
                    || matches!(
                        name,
                        FieldName::PermitNumber | FieldName::PassportNumber | FieldName::Niora
                    )
            }
            Key::Birth => true,
            Key::Other | Key::Heading => false,
        };
        if !strict {
            return None;
        }
        let text: Vec<char> = self.text(v).chars().collect();
        (1..text.len())
            .filter(|&i| text[i - 1].is_whitespace() && !text[i].is_whitespace())
            .filter_map(|i| self.sub(v, i, text.len()))
            .find(|tail| self.shaped(key, tail))
    }

    /// Whether `v` has the shape of what label `key` introduces.
    fn shaped(&self, key: Key, v: &Value) -> bool {
        let text = self.text(v);
        match key {
            Key::Birth => norm::place_and_date(&text).is_some() || norm::date(&text).is_some(),
            Key::Field(name) => normalised(name, &text).1,
            Key::Other | Key::Heading => true,
        }
    }

    /// The characters of segment `s` from `start` on, without leading separators or trailing
    /// space, if they hold a letter or digit.
    fn span(&self, s: usize, start: usize) -> Option<(usize, usize)> {
        let chars = &self.page.segs[s].chars;
        let from = start + chars.get(start..)?.iter().position(|c| !is_separator(*c))?;
        let to = chars.iter().rposition(|c| !c.is_whitespace())? + 1;
        let any = chars.get(from..to)?.iter().any(|c| c.is_alphanumeric());
        any.then_some((from, to))
    }

    /// [`Reader::span`] as a value: with `start` after a label, the `JOHN DOE` of
    /// `Full Name : JOHN DOE` read as one segment.
    fn rest_of(&self, s: usize, start: usize) -> Option<Value> {
        let (from, to) = self.span(s, start)?;
        Some(Value {
            parts: vec![(s, from, to)],
        })
    }

    /// The whole of segment `s` as a value.
    fn whole(&self, s: usize) -> Option<Value> {
        self.rest_of(s, 0)
    }

    /// The nearest segment right of `s` on its row, skipping a lone `:`; none if the nearest is
    /// another label or already taken (a second column of the form).
    fn right_of(&self, s: usize) -> Option<Value> {
        let &j = self.free_right_of(s).first()?;
        self.whole(j).map(|v| self.past_fragment(v))
    }

    /// The segments right of `s` on its row, nearest first, that may hold its value: a lone
    /// `:` and slivers skipped, up to the first label or taken segment (a second column of the
    /// form).
    fn free_right_of(&self, s: usize) -> Vec<usize> {
        let segs = &self.page.segs;
        let a = &segs[s];
        let h = a.height();
        let mut row: Vec<usize> = (0..segs.len())
            .filter(|&j| j != s && self.page.same_row(s, j))
            .filter(|&j| {
                let dx = segs[j].bbox[0] - a.bbox[2];
                dx >= -0.5 * h && dx <= self.p.right_gap * h
            })
            .collect();
        row.sort_by(|&i, &j| segs[i].bbox[0].total_cmp(&segs[j].bbox[0]));
        row.iter()
            .copied()
            .filter(|&j| !segs[j].is_punctuation() && !self.is_sliver(j, h, &row))
            .take_while(|&j| self.labels[j].is_none() && !self.used[j])
            .collect()
    }

    /// Whether segment `j` of a label's row is a sliver the detector boxed on its own: under
    /// half the label's height `h`, with a full-height segment of the row running on from
    /// within a text height of its right end. The recogniser reads such a box (a colon's dot,
    /// a speck of the background) as a character (`2` before `JL. KAMPUNG BARU ...`), which
    /// must not stand in for the value beside it.
    fn is_sliver(&self, j: usize, h: f32, row: &[usize]) -> bool {
        let segs = &self.page.segs;
        let b = &segs[j].bbox;
        segs[j].height() < 0.5 * h
            && row.iter().any(|&k| {
                k != j
                    && segs[k].height() >= 0.8 * h
                    && segs[k].bbox[0] < b[2] + h
                    && segs[k].bbox[2] > b[2]
            })
    }

    /// The first segment on `s`'s row, past any others, that has the shape of what `key`
    /// introduces: a label the detector cut in pieces (`No. Paspor / Pas`, `port Nmbe`) leaves
    /// its tail between it and its value. Stops at another label or a taken segment.
    fn shaped_right_of(&self, s: usize, key: Key) -> Option<Value> {
        self.free_right_of(s)
            .into_iter()
            .filter_map(|j| self.whole(j).map(|v| self.past_fragment(v)))
            .find(|v| self.shaped(key, v))
    }

    /// `r: KUALA LUMPUR` beside `Tempat/Tgl. Lahi`: overlapping detections can repeat the end
    /// of a label before the value's colon; the value starts after that colon.
    fn past_fragment(&self, v: Value) -> Value {
        let &[(s, from, to)] = v.parts.as_slice() else {
            return v;
        };
        let chars = &self.page.segs[s].chars[from..to];
        let colon = chars.iter().take(3).position(|c| *c == ':');
        match colon.and_then(|i| self.span(s, from + i + 1)) {
            Some((a, b)) => Value {
                parts: vec![(s, a, b)],
            },
            None => v,
        }
    }

    /// Whether segment `j` is the value of a label beside it: the nearest segment to its left
    /// on its row (a lone `:` skipped) is a label, other than one of `key`, with nothing of its
    /// own after it. (A stacked translation of the label looking for a value sits beside that
    /// value's second line; in a form of two columns, the left column's label or value sits on
    /// the row of a right-column value's second line, and only a bare label claims it.)
    fn claimed(&self, j: usize, key: Option<Key>) -> bool {
        if self.values_below {
            return self.claimed_from_above(j, key);
        }
        let segs = &self.page.segs;
        let h = segs[j].height();
        let nearest = (0..segs.len())
            .filter(|&k| {
                k != j
                    && !segs[k].is_punctuation()
                    && self.page.same_row(k, j)
                    && segs[k].bbox[2] <= segs[j].bbox[0] + 0.5 * h
            })
            .max_by(|&a, &b| segs[a].bbox[2].total_cmp(&segs[b].bbox[2]));
        nearest.is_some_and(|k| {
            self.labels[k].is_some_and(|m| Some(m.tag) != key && self.span(k, m.end).is_none())
        })
    }

    /// On a page of values under their labels: whether the nearest segment above `j` (a lone
    /// `:` skipped) is a bare label other than one of `key`, with `j` flush under it (that
    /// label's value, not a line wrapped from above).
    fn claimed_from_above(&self, j: usize, key: Option<Key>) -> bool {
        let segs = &self.page.segs;
        let b = &segs[j].bbox;
        let nearest = (0..segs.len())
            .filter(|&k| {
                let a = &segs[k].bbox;
                k != j
                    && !segs[k].is_punctuation()
                    && a[3] <= segs[j].cy()
                    && a[0] < b[2]
                    && a[2] > b[0]
            })
            .max_by(|&x, &y| segs[x].bbox[3].total_cmp(&segs[y].bbox[3]));
        nearest.is_some_and(|k| {
            self.labels[k].is_some_and(|m| Some(m.tag) != key && self.span(k, m.end).is_none())
                && self.flush_under(k, j, self.p.below_gap)
        })
    }

    /// Whether segment `j` starts under segment `k`, within `gap` of `k`'s text heights, at
    /// `k`'s left edge.
    fn flush_under(&self, k: usize, j: usize, gap: f32) -> bool {
        let segs = &self.page.segs;
        let (a, b) = (&segs[k], &segs[j].bbox);
        let h = a.height();
        b[1] >= a.cy()
            && b[1] - a.bbox[3] <= gap * h
            && (b[0] - a.bbox[0]).abs() <= self.p.below_indent * h
    }

    /// Decides whether the page sets values under their labels: more bare labels (nothing
    /// after them in their segment) have a free segment flush under them than a free segment
    /// beside them. Beside wins a tie, as on most printouts. (Under a label beside its value
    /// stands the next label, which is not free.)
    fn decide_arrangement(&mut self) {
        let (mut below, mut beside) = (0usize, 0usize);
        for k in 0..self.page.segs.len() {
            let Some(m) = self.labels[k] else { continue };
            if m.tag == Key::Heading {
                continue;
            }
            let (t, end) = self.label_tail[k].unwrap_or((k, m.end));
            if self.span(t, end).is_some() {
                continue;
            }
            if !self.free_right_of(t).is_empty() {
                beside += 1;
            } else if (0..self.page.segs.len())
                .any(|j| self.free(j) && self.flush_under(k, j, self.p.below_gap))
            {
                below += 1;
            }
        }
        self.values_below = below > beside;
    }

    /// Whether segment `j` is free to be a value: not a label, title or value yet, not a lone
    /// `:`.
    fn free(&self, j: usize) -> bool {
        !self.used[j] && self.labels[j].is_none() && !self.page.segs[j].is_punctuation()
    }

    /// The nearest free segment under `s`, overlapping it horizontally, that no other label on
    /// its row claims.
    fn below(&self, s: usize) -> Option<Value> {
        let segs = &self.page.segs;
        let a = &segs[s];
        let h = a.height();
        let j = (0..segs.len())
            .filter(|&j| j != s && self.free(j))
            .filter(|&j| {
                let b = &segs[j].bbox;
                b[1] >= a.cy()
                    && b[1] - a.bbox[3] <= self.p.below_gap * h
                    && b[0] <= a.bbox[2] + h
                    && b[2] >= a.bbox[0]
            })
            .filter(|&j| !self.claimed(j, self.labels[s].map(|m| m.tag)))
            .min_by(|&i, &j| segs[i].bbox[1].total_cmp(&segs[j].bbox[1]))?;
        self.whole(j)
    }

    /// Appends the lines an address wraps onto: free, unclaimed segments just below the last
    /// part that start at the value's left edge.
    fn continue_address(&mut self, value: &mut Value) {
        let Some(left) = self.polygon(value).first().map(|p| p[0]) else {
            return;
        };
        for _ in 0..3 {
            let Some(&(last, _, _)) = value.parts.last() else {
                return;
            };
            let segs = &self.page.segs;
            let a = &segs[last];
            let h = a.height();
            let next = (0..segs.len())
                .filter(|&j| j != last && self.free(j))
                .filter(|&j| {
                    let b = &segs[j].bbox;
                    b[1] >= a.cy()
                        && b[1] - a.bbox[3] <= self.p.continuation_gap * h
                        && (b[0] - left).abs() <= self.p.continuation_indent * h
                })
                .filter(|&j| !self.claimed(j, Some(Key::Field(FieldName::Address))))
                .min_by(|&i, &j| segs[i].bbox[1].total_cmp(&segs[j].bbox[1]));
            let Some(part) = next.and_then(|j| self.whole(j)) else {
                return;
            };
            for &(seg, _, _) in &part.parts {
                self.used[seg] = true;
            }
            value.parts.extend(part.parts);
        }
    }

    /// `SAINT PETERSBURG /` with its date wrapped onto the next line: the free, unclaimed
    /// line just below, at the value's left edge, joins the value when the two together split
    /// into a place and a date.
    fn continue_birth(&mut self, value: &mut Value) {
        if self.shaped(Key::Birth, value) {
            return;
        }
        let (Some(left), Some(&(last, _, _))) = (
            self.polygon(value).first().map(|p| p[0]),
            value.parts.last(),
        ) else {
            return;
        };
        let segs = &self.page.segs;
        let a = &segs[last];
        let h = a.height();
        let next = (0..segs.len())
            .filter(|&j| j != last && self.free(j))
            .filter(|&j| {
                let b = &segs[j].bbox;
                b[1] >= a.cy()
                    && b[1] - a.bbox[3] <= self.p.continuation_gap * h
                    && (b[0] - left).abs() <= self.p.continuation_indent * h
            })
            .filter(|&j| !self.claimed(j, Some(Key::Birth)))
            .min_by(|&i, &j| segs[i].bbox[1].total_cmp(&segs[j].bbox[1]));
        let Some(part) = next.and_then(|j| self.whole(j)) else {
            return;
        };
        let mut joined = value.clone();
        joined.parts.extend(part.parts.iter().copied());
        if norm::place_and_date(&self.text(&joined)).is_some() {
            for &(seg, _, _) in &part.parts {
                self.used[seg] = true;
            }
            *value = joined;
        }
    }

    /// The value's text, parts joined by a space.
    fn text(&self, v: &Value) -> String {
        let parts: Vec<String> = v
            .parts
            .iter()
            .map(|&(s, from, to)| self.page.segs[s].chars[from..to].iter().collect())
            .collect();
        parts.join(" ")
    }

    /// The value's text as [`Reader::text`] gives it, but with each `0` or `1` whose printed
    /// glyph shows the letter (see [`glyphs`]) read as that letter, and (in a `code`) an `I`
    /// put back where the strip shows a bar no character was read for. Outside codes, only a
    /// `1` is settled.
    fn glyph_text(&self, v: &Value, code: bool) -> String {
        let Some(img) = self.image else {
            return self.text(v);
        };
        let parts: Vec<String> = v
            .parts
            .iter()
            .map(|&(s, from, to)| {
                let seg = &self.page.segs[s];
                let line = &self.page.lines[seg.line];
                let consistent = (from..to).all(|k| {
                    line.chars
                        .get(seg.from + k)
                        .is_some_and(|c| c.ch == seg.chars[k])
                });
                if !consistent {
                    return seg.chars[from..to].iter().collect();
                }
                let dropped = if code {
                    glyphs::dropped_bars(img, line, seg.from + from, seg.from + to)
                } else {
                    Vec::new()
                };
                let mut out = String::new();
                for k in from..to {
                    let i = seg.from + k;
                    if dropped.contains(&i) {
                        out.push('I');
                    }
                    // In free text only a bar is settled: a round `O` after a digit is a zero
                    // there all the same (see `normalize::text`).
                    out.push(match seg.chars[k] {
                        _ if code => glyphs::settle_code(img, line, i),
                        '1' => glyphs::settle(img, line, i),
                        ch => ch,
                    });
                }
                if dropped.contains(&(seg.from + to)) {
                    out.push('I');
                }
                out
            })
            .collect();
        parts.join(" ")
    }

    /// Mean OCR confidence of the value's non-space characters.
    fn confidence(&self, v: &Value) -> f32 {
        let confs: Vec<f32> = v
            .parts
            .iter()
            .flat_map(|&(s, from, to)| {
                let seg = &self.page.segs[s];
                seg.chars[from..to]
                    .iter()
                    .zip(&seg.conf[from..to])
                    .filter(|(c, _)| !c.is_whitespace())
                    .map(|(_, conf)| conf.clamp(0.0, 1.0))
            })
            .collect();
        if confs.is_empty() {
            return 0.0;
        }
        confs.iter().sum::<f32>() / confs.len() as f32
    }

    /// One part's quadrilateral; several parts' bounding box.
    fn polygon(&self, v: &Value) -> Vec<[f32; 2]> {
        let quads: Vec<_> = v
            .parts
            .iter()
            .filter_map(|&(s, from, to)| self.page.quad(s, from, to))
            .collect();
        match quads.as_slice() {
            [] => Vec::new(),
            [q] => q.to_vec(),
            _ => {
                let pts = quads.iter().flatten();
                let (mut x0, mut y0) = (f32::INFINITY, f32::INFINITY);
                let (mut x1, mut y1) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
                for p in pts {
                    (x0, y0, x1, y1) = (x0.min(p[0]), y0.min(p[1]), x1.max(p[0]), y1.max(p[1]));
                }
                vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
            }
        }
    }

    /// Characters `from..to` of a value's text (its parts joined by a space, as
    /// [`Reader::text`] gives it), trimmed, as a value of their own.
    fn sub(&self, v: &Value, from: usize, to: usize) -> Option<Value> {
        let mut parts = Vec::new();
        let mut offset = 0;
        for &(s, start, end) in &v.parts {
            let len = end - start;
            let (a, b) = (from.max(offset), to.min(offset + len));
            if a < b {
                let chars = &self.page.segs[s].chars;
                let (a, b) = (start + a - offset, start + b - offset);
                let slice = &chars[a..b];
                if let (Some(first), Some(last)) = (
                    slice.iter().position(|c| !c.is_whitespace()),
                    slice.iter().rposition(|c| !c.is_whitespace()),
                ) {
                    parts.push((s, a + first, a + last + 1));
                }
            }
            offset += len + 1;
        }
        (!parts.is_empty()).then_some(Value { parts })
    }

    /// Stores a field read from `v` with the given normalised value and confidence factor.
    fn set(&mut self, name: FieldName, v: &Value, value: String, factor: f32) {
        let text_conf = self.confidence(v);
        let field = Field {
            value,
            value_original: self.text(v),
            confidence: text_conf * factor,
            confidence_text: text_conf,
            polygon: self.polygon(v),
            page_index: self.page_index,
        };
        self.fields.insert(name, field);
    }

    /// Normalises `v` as field `name` requires and stores it; `score` is the label's match.
    fn set_normalised(&mut self, name: FieldName, v: &Value, score: f32) {
        // Where a shape leaves letters and digits open (codes, address block codes), the
        // printed glyphs settle them; a code also gets back a plain `I` the recogniser dropped.
        let raw = match name {
            FieldName::Niora
            | FieldName::PassportNumber
            | FieldName::PermitNumber
            | FieldName::StayPermitIndex => self.glyph_text(v, true),
            FieldName::Address => self.glyph_text(v, false),
            _ => self.text(v),
        };
        let (value, shaped) = normalised(name, &raw);
        if value.is_empty() {
            return;
        }
        let factor = score * if shaped { 1.0 } else { self.p.off_shape };
        self.set(name, v, value, factor);
    }

    /// `FUJIAN, 20-01-1979` under a place/date of birth label: two fields, each with its own
    /// polygon and original text.
    fn birth(&mut self, v: &Value, score: f32) {
        let raw = self.text(v);
        let split = norm::place_and_date(&raw);
        let parts = split.as_ref().and_then(|pd| {
            let place = self.sub(v, 0, pd.place_end)?;
            let date = self.sub(v, pd.date_start, raw.chars().count())?;
            Some((place, date))
        });
        match (split, parts) {
            (Some(pd), Some((place, date))) => {
                self.set(
                    FieldName::PlaceOfBirth,
                    &place,
                    norm::text(&pd.place),
                    score,
                );
                self.set(FieldName::DateOfBirth, &date, pd.date, score);
            }
            _ => match norm::date(&raw) {
                Some(d) => self.set(FieldName::DateOfBirth, v, d, score),
                None => {
                    let factor = score * self.p.off_shape;
                    self.set(FieldName::PlaceOfBirth, v, norm::text(&raw), factor);
                }
            },
        }
    }

    /// The office region, name and address: header lines above the title (or above the first
    /// label when there is no title).
    fn header_fields(&mut self, title: Option<usize>) {
        let segs = &self.page.segs;
        let first_label = (0..segs.len()).find(|&s| self.labels[s].is_some());
        let limit = title
            .or(first_label)
            .map_or(f32::INFINITY, |s| segs[s].bbox[1]);
        let header: Vec<usize> = (0..segs.len())
            .filter(|&s| self.free(s) && segs[s].cy() < limit)
            .collect();
        self.office_block(&header);
        // Some printouts set the office block lower down or aside, under an `Issued by`
        // heading or the signature: where the header did not hold all of it, the rest is
        // looked for on the whole page.
        if !self.is_set(FieldName::OfficeName) || !self.is_set(FieldName::OfficeRegion) {
            let page: Vec<usize> = (0..segs.len()).filter(|&s| self.free(s)).collect();
            self.office_block(&page);
        }
    }

    /// The office region, name and address among the segments `block`.
    fn office_block(&mut self, block: &[usize]) {
        let segs = &self.page.segs;
        let mut office = None;
        for &s in block {
            let Some(m) = labels::header(&segs[s].chars) else {
                continue;
            };
            let name = match m.tag {
                Header::Region => FieldName::OfficeRegion,
                Header::Office => FieldName::OfficeName,
            };
            if self.is_set(name) {
                continue;
            }
            if let Some(v) = self.whole(s) {
                let value = vocabulary::office_line(&norm::text(&self.text(&v)));
                self.set(name, &v, value, m.score);
                self.used[s] = true;
                if m.tag == Header::Office {
                    office = Some(s);
                }
            }
        }
        if let Some(o) = office {
            self.office_address(o, block);
        }
    }

    /// The office's street address: the line right under the office name, or the nearest
    /// line under it in the office block, if it looks like a street address.
    fn office_address(&mut self, office: usize, header: &[usize]) {
        let segs = &self.page.segs;
        let o = &segs[office];
        let under = |s: usize| {
            !self.used[s]
                && segs[s].bbox[1] >= o.cy()
                && segs[s].bbox[0] < o.bbox[2]
                && segs[s].bbox[2] > o.bbox[0]
        };
        let nearest = |c: &mut dyn Iterator<Item = usize>| {
            c.min_by(|&a: &usize, &b: &usize| segs[a].bbox[1].total_cmp(&segs[b].bbox[1]))
        };
        // The line right under the office name, wherever the block stands (an office block
        // beside the title runs past the header's bottom), else the nearest under it in the
        // block.
        let close =
            nearest(&mut (0..segs.len()).filter(|&s| {
                self.free(s) && under(s) && segs[s].bbox[1] - o.bbox[3] <= o.height()
            }));
        let below = close
            .filter(|&s| looks_like_address(&segs[s].text()))
            .or_else(|| nearest(&mut header.iter().copied().filter(|&s| under(s))));
        let Some(s) = below.filter(|&s| looks_like_address(&segs[s].text())) else {
            return;
        };
        if let Some(v) = self.whole(s) {
            let value = address(&self.text(&v));
            self.set(FieldName::OfficeAddress, &v, value, self.p.unlabelled);
            self.used[s] = true;
        }
    }

    /// The document type: the title as the table spells it (OCR slips in a title are fixed),
    /// with the text as read for `value_original`.
    fn document_type(&mut self, s: usize, m: &Match<Title>) {
        let Some(v) = self.whole(s) else { return };
        let value = match m.tag {
            Title::Kitas | Title::Kitap => m.text.to_string(),
            _ => norm::clean(&self.text(&v)),
        };
        self.set(FieldName::DocumentType, &v, value, m.score);
    }

    /// Some 2024 printouts set the holder's name, without a label, as a centred line under the
    /// title: taken only when no name label was found.
    fn name_title(&mut self, title: usize) {
        if self.is_set(FieldName::FullName) {
            return;
        }
        let segs = &self.page.segs;
        let t = &segs[title];
        let h = t.height();
        let centre = (t.bbox[0] + t.bbox[2]) / 2.0;
        let s = (0..segs.len())
            .filter(|&s| self.free(s) && !self.claimed(s, None))
            .filter(|&s| {
                let b = &segs[s].bbox;
                b[1] >= t.cy()
                    && b[1] - t.bbox[3] <= 4.0 * h
                    && ((b[0] + b[2]) / 2.0 - centre).abs() <= h
            })
            .min_by(|&a, &b| segs[a].bbox[1].total_cmp(&segs[b].bbox[1]));
        let s = s
            .filter(|&s| looks_like_name(&segs[s].text()))
            .or_else(|| self.name_heading(title))
            .or_else(|| self.name_before_labels(title));
        let Some(s) = s else {
            return;
        };
        if let Some(v) = self.whole(s) {
            let value = norm::text(&self.text(&v));
            self.set(FieldName::FullName, &v, value, self.p.unlabelled);
            self.used[s] = true;
        }
    }

    /// The holder's name set as a heading of its own, anywhere on the page: a free line of
    /// two or more words of name characters, not words of the document's own wording, printed
    /// larger than the labels ([`ExtractParams::heading`] times their median height); of
    /// several, the nearest to the title.
    fn name_heading(&self, title: usize) -> Option<usize> {
        let segs = &self.page.segs;
        let mut label_heights: Vec<f32> = (0..segs.len())
            .filter(|&s| self.labels[s].is_some())
            .map(|s| segs[s].height())
            .collect();
        label_heights.sort_by(f32::total_cmp);
        let label_h = *label_heights.get(label_heights.len() / 2)?;
        let t = segs[title].cy();
        (0..segs.len())
            .filter(|&s| self.free(s) && !self.claimed(s, None))
            .filter(|&s| segs[s].height() >= self.p.heading * label_h)
            .filter(|&s| {
                let text = segs[s].text();
                looks_like_name(&text)
                    && text.split_whitespace().count() >= 2
                    && !vocabulary::is_document_wording(&text)
            })
            .min_by(|&a, &b| {
                (segs[a].cy() - t)
                    .abs()
                    .total_cmp(&(segs[b].cy() - t).abs())
            })
    }

    /// The holder's name printed on its own, in body size, between the title and the form's
    /// first labelled row (beside a photo, say): the one free line there of two or more words
    /// of name characters, none of them the document's own wording or an office line.
    fn name_before_labels(&self, title: usize) -> Option<usize> {
        let segs = &self.page.segs;
        let t = &segs[title];
        let first_row = (0..segs.len())
            .filter(|&s| self.labels[s].is_some() && segs[s].bbox[1] > t.bbox[3])
            .map(|s| segs[s].cy())
            .fold(f32::INFINITY, f32::min);
        let found: Vec<usize> = (0..segs.len())
            .filter(|&s| self.free(s) && !self.claimed(s, None))
            .filter(|&s| segs[s].bbox[1] >= t.cy() && segs[s].cy() < first_row)
            .filter(|&s| {
                let text = segs[s].text();
                looks_like_name(&text)
                    && text.split_whitespace().count() >= 2
                    && !vocabulary::is_document_wording(&text)
                    && labels::header(&segs[s].chars).is_none()
            })
            .collect();
        match found.as_slice() {
            [s] => Some(*s),
            _ => None,
        }
    }

    /// A permit number printed without a label (some cards): the one free segment of the
    /// permit number's shape, read only once the page is known to be a permit.
    fn unlabelled_permit_number(&mut self) {
        if self.is_set(FieldName::PermitNumber) {
            return;
        }
        let found: Vec<usize> = (0..self.page.segs.len())
            .filter(|&s| self.free(s))
            .filter(|&s| {
                let text = self.page.segs[s].text();
                let squeezed = text.chars().filter(|c| c.is_alphanumeric()).count();
                (10..=12).contains(&squeezed) && normalised(FieldName::PermitNumber, &text).1
            })
            .collect();
        let &[s] = found.as_slice() else { return };
        if let Some(v) = self.whole(s) {
            let raw = self.glyph_text(&v, true);
            let (value, _) = normalised(FieldName::PermitNumber, &raw);
            self.set(FieldName::PermitNumber, &v, value, self.p.unlabelled);
            self.used[s] = true;
        }
    }

    /// The `<place>, <date>` line of issue: the lowest free, unclaimed segment below the title
    /// that splits into a place and a date. Both fields keep the whole line as their original
    /// text and polygon, as GLAIR returns them.
    fn issue_line(&mut self, title: Option<usize>) -> Option<usize> {
        let segs = &self.page.segs;
        let top = title.map_or(f32::NEG_INFINITY, |t| segs[t].bbox[3]);
        let (s, pd) = (0..segs.len())
            .filter(|&s| self.free(s) && !self.claimed(s, None) && segs[s].bbox[1] >= top)
            .filter_map(|s| {
                let pd = norm::place_and_date(&segs[s].text())?;
                looks_like_place(&pd.place).then_some((s, pd))
            })
            .max_by(|(a, _), (b, _)| segs[*a].cy().total_cmp(&segs[*b].cy()))?;
        let v = self.whole(s)?;
        let factor = self.p.unlabelled;
        self.set(FieldName::IssuedPlace, &v, norm::text(&pd.place), factor);
        self.set(FieldName::IssuedDate, &v, pd.date, factor);
        self.used[s] = true;
        Some(s)
    }

    /// Photo and signature crops.
    fn crops(
        &self,
        img: &RgbImage,
        issue: Option<usize>,
    ) -> (Option<super::Crop>, Option<super::Crop>) {
        let segs = &self.page.segs;
        let boxes: Vec<[f32; 4]> = segs.iter().map(|s| s.bbox).collect();
        let mut heights: Vec<f32> = segs.iter().map(|s| s.height()).collect();
        heights.sort_by(f32::total_cmp);
        let text_height = heights.get(heights.len() / 2).copied().unwrap_or(16.0);
        let anchors = (0..segs.len())
            .filter(|&s| {
                self.labels[s].is_some_and(|m| PERMIT_ONLY.iter().any(|f| m.tag == Key::Field(*f)))
            })
            .map(|s| segs[s].bbox)
            .reduce(|a, b| {
                [
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[2].max(b[2]),
                    a[3].max(b[3]),
                ]
            });
        let photo = crops::photo(img, &boxes, text_height, anchors, &self.p.crops)
            .and_then(|r| crops::encode(img, r, self.page_index));
        let sign = issue
            .and_then(|s| crops::sign(img, &boxes, segs[s].bbox, &self.p.crops))
            .and_then(|r| crops::encode(img, r, self.page_index));
        (photo, sign)
    }
}

/// The normalised value of field `name` read as `raw`, and whether it has the field's shape.
/// A value out of shape is kept as read (cleaned), for a person to check.
fn normalised(name: FieldName, raw: &str) -> (String, bool) {
    let cleaned = norm::clean(raw);
    let shaped = |v: String, ok: bool| (v, ok);
    match name {
        n if n.is_date() => match norm::date(raw) {
            Some(d) => (d, true),
            None => (cleaned, false),
        },
        FieldName::Gender => match norm::gender(raw) {
            Some(g) => (g.to_string(), true),
            None => (cleaned, false),
        },
        FieldName::PermitNumber => {
            let v = norm::permit_number(raw);
            let ok = norm::is_permit_number(&v);
            shaped(v, ok)
        }
        FieldName::Niora => {
            let v = norm::niora(raw);
            let ok = norm::is_niora(&v);
            shaped(v, ok)
        }
        FieldName::PassportNumber => {
            let v = norm::passport_number(raw);
            let ok = norm::is_passport_number(&v);
            shaped(v, ok)
        }
        FieldName::StayPermitIndex => {
            let v = norm::stay_permit_index(raw);
            let ok = norm::is_stay_permit_index(&v);
            shaped(v, ok)
        }
        FieldName::Status | FieldName::Occupation => (
            vocabulary::respace(&norm::text(raw), vocabulary::STATUS_AND_OCCUPATION),
            true,
        ),
        FieldName::Address => (address(raw), true),
        _ => (norm::text(raw), true),
    }
}

/// An address with the spaces put back that its fixed words show missing (a province, a
/// block code).
fn address(raw: &str) -> String {
    vocabulary::address_words(&vocabulary::block_code(&vocabulary::respace(
        &norm::text(raw),
        vocabulary::PROVINCES,
    )))
}

/// A street address: starts like one (`JL.`, `JALAN`, a housing complex) or holds a number.
fn looks_like_address(text: &str) -> bool {
    let upper = text.trim().to_uppercase();
    let starts = ["JL", "JALAN", "KOMP", "PERUM", "GEDUNG", "GD."]
        .iter()
        .any(|p| upper.starts_with(p));
    starts || upper.chars().any(|c| c.is_ascii_digit())
}

/// A person's name: letters and name punctuation only, at least three letters.
fn looks_like_name(text: &str) -> bool {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 3
        && text
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '.' | '\'' | '-' | ','))
}

/// A place name: letters, spaces, dots and hyphens, starting with a letter.
fn looks_like_place(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_alphabetic)
        && text
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '.' | '-' | '\''))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::CharSpan;

    const W: f32 = 10.0;
    const H: f32 = 20.0;

    /// A line at `(x, y)` with 10 px characters, every character read at `conf`.
    fn line_conf(text: &str, x: f32, y: f32, conf: f32) -> TextLine {
        let chars: Vec<CharSpan> = text
            .chars()
            .enumerate()
            .map(|(i, ch)| CharSpan {
                ch,
                confidence: conf,
                span: [i as f32 * W, i as f32 * W + 8.0],
                alt: None,
            })
            .collect();
        let w = (text.chars().count() as f32 * W).max(1.0);
        TextLine {
            polygon: [[x, y], [x + w, y], [x + w, y + H], [x, y + H]],
            text: text.into(),
            confidence: conf,
            chars,
        }
    }

    fn line(text: &str, x: f32, y: f32) -> TextLine {
        line_conf(text, x, y, 0.98)
    }

    fn value(r: &Reading, name: FieldName) -> &str {
        r.value(name)
    }

    /// A 2021-style printout: English labels, `:` attached, label and value joined in some
    /// lines and apart in others.
    fn printout_2021() -> Vec<TextLine> {
        vec![
            line("KEMENTERIAN HUKUM DAN HAK ASASI MANUSIA", 250.0, 60.0),
            line("KANTOR WILAYAH BANGKA BELITUNG", 275.0, 120.0),
            line("KANIM KELAS I TPI PANGKAL PINANG", 270.0, 140.0),
            line("JL. JEND. SUDIRMAN KM. 3 SELINDUNG BARU", 245.0, 160.0),
            line("IZIN TINGGAL TERBATAS ELEKTRONIK", 241.0, 222.0),
            // Top rows right of the photo: label, then the value as its own segment.
            line("NIORA :", 300.0, 312.0),
            line("3ATAA20536", 541.0, 312.0),
            line("Permit Number :", 300.0, 342.0),
            line("2C21HB0016AT", 538.0, 342.0),
            line("Stay/Multiple Entries Permit Expiry :", 180.0, 376.0),
            line("11-07-2020", 541.0, 376.0),
            line("Stay Permit Index :", 300.0, 406.0),
            line("VI B", 540.0, 406.0),
            // Personal rows: label and value in one line, a lone colon, a wrapped address.
            line("Full Name : YOUXING CHEN", 100.0, 501.0),
            line("Place / Date of Birth", 100.0, 527.0),
            line(":", 320.0, 527.0),
            line("FUJIAN, 20-01-1979", 336.0, 527.0),
            line("Passport Number : G59337358", 100.0, 555.0),
            line("Passport Expiry : 07-03-2022", 100.0, 580.0),
            line("Nationality : CHINA", 100.0, 605.0),
            line("Gender : MALE", 100.0, 632.0),
            line(
                "Address : JL. RAYA SUNGAILIAT PANGKALPINANG KM.10",
                100.0,
                656.0,
            ),
            line("MERAWANG BANGKA", 202.0, 678.0),
            line("Occupation : ELECTRONIC TINING", 100.0, 705.0),
            line("Status : TKA BID. PERINDUSTRIAN", 100.0, 730.0),
            line("Pangkalpinang, 16-07-2019", 668.0, 958.0),
            line("KEPALA KANTOR IMIGRASI PANGKALPINANG", 640.0, 980.0),
        ]
    }

    #[test]
    fn a_2021_printout_reads_completely() {
        let r = extract(&printout_2021(), 0, None);
        assert!(r.is_permit);
        assert_eq!(r.kind, DocumentKind::Kitas);
        let want = [
            (FieldName::OfficeRegion, "KANTOR WILAYAH BANGKA BELITUNG"),
            (FieldName::OfficeName, "KANIM KELAS I TPI PANGKAL PINANG"),
            (
                FieldName::OfficeAddress,
                "JL. JEND. SUDIRMAN KM. 3 SELINDUNG BARU",
            ),
            (FieldName::DocumentType, "IZIN TINGGAL TERBATAS ELEKTRONIK"),
            (FieldName::Niora, "3ATAA20536"),
            (FieldName::PermitNumber, "2C21HB0016AT"),
            (FieldName::StayMultipleEntriesPermitExpiry, "11-07-2020"),
            (FieldName::StayPermitIndex, "VIB"),
            (FieldName::FullName, "YOUXING CHEN"),
            (FieldName::PlaceOfBirth, "FUJIAN"),
            (FieldName::DateOfBirth, "20-01-1979"),
            (FieldName::PassportNumber, "G59337358"),
            (FieldName::PassportExpiry, "07-03-2022"),
            (FieldName::Nationality, "CHINA"),
            (FieldName::Gender, "M"),
            (
                FieldName::Address,
                "JL. RAYA SUNGAILIAT PANGKALPINANG KM.10 MERAWANG BANGKA",
            ),
            (FieldName::Occupation, "ELECTRONIC TINING"),
            (FieldName::Status, "TKA BID. PERINDUSTRIAN"),
            (FieldName::IssuedPlace, "Pangkalpinang"),
            (FieldName::IssuedDate, "16-07-2019"),
            (FieldName::StayEntriesPermitExpiry, ""),
            (FieldName::GuarantorName, ""),
            (FieldName::PermitExpiry, ""),
        ];
        for (name, v) in want {
            assert_eq!(value(&r, name), v, "{}", name.as_str());
        }
        let gender = r.field(FieldName::Gender);
        assert_eq!(gender.value_original, "MALE");
        let index = r.field(FieldName::StayPermitIndex);
        assert_eq!(index.value_original, "VI B");
        let issued = r.field(FieldName::IssuedDate);
        assert_eq!(issued.value_original, "Pangkalpinang, 16-07-2019");
        assert!(r.field(FieldName::GuarantorName).polygon.is_empty());
    }

    /// `line` set `h` pixels high (a heading), its characters as wide as they are tall.
    fn tall_line(text: &str, x: f32, y: f32, h: f32) -> TextLine {
        let mut l = line(text, x, y);
        let k = h / H;
        for c in &mut l.chars {
            c.span = [c.span[0] * k, c.span[1] * k];
        }
        let w = (text.chars().count() as f32 * W * k).max(1.0);
        l.polygon = [[x, y], [x + w, y], [x + w, y + h], [x, y + h]];
        l
    }

    /// A printout of another office's layout: English labels first, no name label (the name a
    /// heading), the office block under the signature after an `Issued by` heading, separate
    /// place and date of birth, a bilingual sex value.
    fn printout_other_layout() -> Vec<TextLine> {
        vec![
            line("DIRECTORATE GENERAL OF IMMIGRATION", 250.0, 40.0),
            line("ELECTRONIC LIMITED STAY PERMIT", 260.0, 80.0),
            line("IZIN TINGGAL TERBATAS ELEKTRONIK", 250.0, 104.0),
            tall_line("MARIA ELENA GARCIA LOPEZ", 200.0, 150.0, 30.0),
            line("Registration Number / No. Register", 100.0, 220.0),
            line("2BTDE40112", 500.0, 220.0),
            line("Stay Permit Number / No. Izin Tinggal", 100.0, 246.0),
            line("2C24AB1234-A", 500.0, 246.0),
            line("Place of Birth / Tempat Lahir", 100.0, 272.0),
            line("MADRID", 500.0, 272.0),
            line("Date of Birth / Tgl. Lahir", 100.0, 298.0),
            line("17 MARET 1985", 500.0, 298.0),
            line("Sex / Jenis Kelamin", 100.0, 324.0),
            line("PEREMPUAN / FEMALE", 500.0, 324.0),
            line("Travel Document No. / Nomor Paspor", 100.0, 350.0),
            line("PA1234567", 500.0, 350.0),
            line(
                "Passport Expiration Date / Tanggal Habis Berlaku Paspor",
                100.0,
                376.0,
            ),
            line("12-11-2031", 700.0, 376.0),
            line("Citizenship / Kewarganegaraan", 100.0, 402.0),
            line("SPANYOL", 500.0, 402.0),
            line("Surabaya, 26 Januari 2024", 600.0, 600.0),
            line("Issued by / Dikeluarkan oleh", 100.0, 700.0),
            line("KANTOR WILAYAH JAWA TIMUR", 100.0, 726.0),
            line("KANTOR IMIGRASI KELAS I TPI SURABAYA", 100.0, 752.0),
            line("JL. RAYA JUANDA NO. 1 SIDOARJO", 100.0, 778.0),
        ]
    }

    #[test]
    fn another_layout_reads_by_lexicon_heading_and_office_block() {
        let r = extract(&printout_other_layout(), 0, None);
        assert!(r.is_permit);
        let want = [
            (FieldName::FullName, "MARIA ELENA GARCIA LOPEZ"),
            (FieldName::Niora, "2BTDE40112"),
            (FieldName::PermitNumber, "2C24AB1234-A"),
            (FieldName::PlaceOfBirth, "MADRID"),
            (FieldName::DateOfBirth, "17-03-1985"),
            (FieldName::Gender, "F"),
            (FieldName::PassportNumber, "PA1234567"),
            (FieldName::PassportExpiry, "12-11-2031"),
            (FieldName::Nationality, "SPANYOL"),
            (FieldName::IssuedPlace, "Surabaya"),
            (FieldName::IssuedDate, "26-01-2024"),
            (FieldName::OfficeRegion, "KANTOR WILAYAH JAWA TIMUR"),
            (
                FieldName::OfficeName,
                "KANTOR IMIGRASI KELAS I TPI SURABAYA",
            ),
            (FieldName::OfficeAddress, "JL. RAYA JUANDA NO. 1 SIDOARJO"),
        ];
        for (name, v) in want {
            assert_eq!(value(&r, name), v, "{}", name.as_str());
        }
        assert_eq!(
            r.field(FieldName::Gender).value_original,
            "PEREMPUAN / FEMALE"
        );
        // In body size, the one name-like line between the title and the rows is the name
        // all the same; where two stand there, neither is taken.
        let mut lines = printout_other_layout();
        lines[3] = line("MARIA ELENA GARCIA LOPEZ", 200.0, 150.0);
        let r = extract(&lines, 0, None);
        assert_eq!(value(&r, FieldName::FullName), "MARIA ELENA GARCIA LOPEZ");
        lines.push(line("JUAN CARLOS PEREZ", 200.0, 180.0));
        let r = extract(&lines, 0, None);
        assert_eq!(value(&r, FieldName::FullName), "");
    }

    #[test]
    fn a_label_cut_in_two_by_the_detector_is_one_label() {
        let lines = vec![
            line("IZIN TINGGAL TERBATAS ELEKTRONIK", 100.0, 20.0),
            line("NIORA : 3ATAA20536", 100.0, 60.0),
            line("Izin Masuk Kembali Bebe", 100.0, 90.0),
            line("rapa Kali s/d : 11-07-2020", 340.0, 90.0),
            line("Indeks", 100.0, 120.0),
            line("Izin Tinggal", 170.0, 120.0),
            line("E33F", 400.0, 120.0),
        ];
        let r = extract(&lines, 0, None);
        assert_eq!(
            value(&r, FieldName::StayMultipleEntriesPermitExpiry),
            "11-07-2020"
        );
        assert_eq!(value(&r, FieldName::StayEntriesPermitExpiry), "");
        assert_eq!(value(&r, FieldName::StayPermitIndex), "E33F");
    }

    #[test]
    fn a_label_wrapped_over_lines_is_one_label_with_its_value_beside_its_first_line() {
        // Lines 20 px high, wrapped lines set 22 px apart, rows 36 px; a second column's
        // address wraps beside the wrapped label.
        let lines = vec![
            line("IZIN TINGGAL TERBATAS ELEKTRONIK", 100.0, 0.0),
            line("Izin Masuk Kembali", 20.0, 60.0),
            line("29-07-2030", 300.0, 60.0),
            line("Alamat / Address", 600.0, 60.0),
            line("JALAN DEPATI AMIR", 800.0, 60.0),
            line("Beberapa Kali s/d /", 20.0, 82.0),
            line("NO. 72 BANDUNG", 800.0, 82.0),
            line("Multiple Re-entry", 20.0, 104.0),
            line("Permit Expiry", 20.0, 126.0),
            line("Berlaku Hingga", 20.0, 162.0),
            line("02-08-2030", 300.0, 162.0),
            line("Indeks Izin Tinggal / Stay", 20.0, 198.0),
            line("C317", 300.0, 198.0),
            line("Permit Index", 20.0, 220.0),
        ];
        let r = extract(&lines, 0, None);
        assert_eq!(value(&r, FieldName::StayPermitIndex), "C317");
        assert_eq!(
            value(&r, FieldName::StayMultipleEntriesPermitExpiry),
            "29-07-2030"
        );
        assert_eq!(value(&r, FieldName::StayEntriesPermitExpiry), "");
        assert_eq!(value(&r, FieldName::PermitExpiry), "02-08-2030");
        assert_eq!(
            value(&r, FieldName::Address),
            "JALAN DEPATI AMIR NO. 72 BANDUNG"
        );
    }

    #[test]
    fn a_label_no_lexicon_wording_lists_is_known_by_its_words() {
        let page = vec![
            line("IZIN TINGGAL TERBATAS ELEKTRONIK", 100.0, 0.0),
            line("NIORA", 20.0, 60.0),
            line("2C14AB1234", 300.0, 60.0),
            line("Tanggal Berakhir Dokumen Perjalanan", 20.0, 96.0),
            line("21-05-2030", 400.0, 96.0),
            line("Warga Negara", 20.0, 132.0),
            line("JEPANG", 400.0, 132.0),
        ];
        let r = extract(&page, 0, None);
        assert_eq!(value(&r, FieldName::PassportExpiry), "21-05-2030");
        assert_eq!(value(&r, FieldName::Nationality), "JEPANG");
        // On a page that is no permit, no field, whatever its labels say.
        let receipt = vec![
            line("TANDA TERIMA PEMBAYARAN", 100.0, 0.0),
            line("Warga Negara", 20.0, 60.0),
            line("JEPANG", 400.0, 60.0),
        ];
        let r = extract(&receipt, 0, None);
        assert!(!r.is_permit);
        assert_eq!(value(&r, FieldName::Nationality), "");
    }

    #[test]
    fn a_name_heading_a_letter_from_a_label_is_the_name() {
        let lines = vec![
            line("IZIN TINGGAL TERBATAS ELEKTRONIK", 300.0, 0.0),
            line("BENJAMIN MICHAEL MOORE", 345.0, 60.0),
            line("NIORA", 20.0, 120.0),
            line("MB0YS437225", 300.0, 120.0),
            line("Guarantor Name", 20.0, 150.0),
            line("PT. MEGA PRIMA JAYA TBK", 300.0, 150.0),
        ];
        let r = extract(&lines, 0, None);
        assert_eq!(
            value(&r, FieldName::GuarantorName),
            "PT. MEGA PRIMA JAYA TBK"
        );
        assert_eq!(value(&r, FieldName::FullName), "BENJAMIN MICHAEL MOORE");
    }

    #[test]
    fn a_label_tail_run_into_a_date_is_left_out() {
        let lines = vec![
            line("IZIN TINGGAL TERBATAS ELEKTRONIK", 100.0, 20.0),
            line("NIORA : 3ATAA20536", 100.0, 60.0),
            line("Tgl. Habis Berlaku Paspor/Pass", 100.0, 90.0),
            line("ootExpry 18-02-2030", 420.0, 90.0),
        ];
        let r = extract(&lines, 0, None);
        assert_eq!(value(&r, FieldName::PassportExpiry), "18-02-2030");
    }

    #[test]
    fn a_card_number_without_a_label_is_read_once_the_page_is_a_permit() {
        let lines = vec![
            line("KARTU IZIN TINGGAL TERBATAS", 100.0, 20.0),
            line("2C14JA0512AB", 100.0, 60.0),
            line("NIORA : 3ATAA20536", 100.0, 90.0),
            line("Nama : JOHN DOE", 100.0, 116.0),
        ];
        let r = extract(&lines, 0, None);
        assert_eq!(value(&r, FieldName::PermitNumber), "2C14JA0512AB");
        // On a page that is not a permit nothing is read, shaped or not.
        let lines = vec![
            line("TOKO SERBA ADA", 100.0, 20.0),
            line("2C14JA0512AB", 100.0, 60.0),
            line("Nama : JOHN DOE", 100.0, 116.0),
        ];
        let r = extract(&lines, 0, None);
        assert!(!r.is_permit);
        assert_eq!(value(&r, FieldName::PermitNumber), "");
    }

    #[test]
    fn a_sliver_boxed_before_a_value_is_not_the_value() {
        // The detector boxed a speck (8 px high beside 20 px text) where the value starts,
        // and the recogniser read it as `2`.
        let address_label_only = || {
            let mut lines: Vec<TextLine> = printout_2021()
                .into_iter()
                .filter(|l| !l.text.starts_with("Address") && l.text != "MERAWANG BANGKA")
                .collect();
            lines.push(line("Address", 100.0, 656.0));
            lines
        };
        let mut lines = address_label_only();
        let mut sliver = line("2", 195.0, 662.0);
        sliver.polygon = [
            [195.0, 662.0],
            [210.0, 662.0],
            [210.0, 670.0],
            [195.0, 670.0],
        ];
        lines.push(sliver.clone());
        // As measured on a camera photo: the value starts 12 px past the sliver's ink.
        lines.push(line("JL. KAMPUNG BARU KM. 13 CIREBON", 215.0, 656.0));
        let r = extract(&lines, 0, None);
        assert_eq!(
            value(&r, FieldName::Address),
            "JL. KAMPUNG BARU KM. 13 CIREBON"
        );
        // A value of one character at the text's height is still a value.
        let mut lines = address_label_only();
        lines.push(line("2", 195.0, 656.0));
        let r = extract(&lines, 0, None);
        assert_eq!(value(&r, FieldName::Address), "2");
        // A sliver with nothing beside it is left for the other rules to judge.
        let mut lines = address_label_only();
        lines.push(sliver);
        let r = extract(&lines, 0, None);
        assert_eq!(value(&r, FieldName::Address), "2");
    }

    fn close(a: [f32; 2], b: [f32; 2]) -> bool {
        (a[0] - b[0]).abs() < 0.5 && (a[1] - b[1]).abs() < 0.5
    }

    #[test]
    fn polygons_cover_the_value_not_the_label() {
        let r = extract(&printout_2021(), 3, None);
        // `Full Name : ` is 12 characters: the value starts 120 px into the line at x = 100.
        let name = r.field(FieldName::FullName);
        assert!(close(name.polygon[0], [220.0, 501.0]), "{:?}", name.polygon);
        assert!(close(name.polygon[2], [338.0, 521.0]), "{:?}", name.polygon);
        assert_eq!(name.page_index, 3);
        // Place and date of birth split one segment into two boxes.
        let place = r.field(FieldName::PlaceOfBirth);
        let date = r.field(FieldName::DateOfBirth);
        assert!(
            close(place.polygon[0], [336.0, 527.0]),
            "{:?}",
            place.polygon
        );
        assert!(
            close(place.polygon[1], [394.0, 527.0]),
            "{:?}",
            place.polygon
        );
        assert!(close(date.polygon[0], [416.0, 527.0]), "{:?}", date.polygon);
        assert_eq!(date.value_original, "20-01-1979");
        // The wrapped address: one box around both lines.
        let address = r.field(FieldName::Address);
        assert!(
            close(address.polygon[0], [200.0, 656.0]),
            "{:?}",
            address.polygon
        );
        assert!(
            close(address.polygon[2], [588.0, 698.0]),
            "{:?}",
            address.polygon
        );
    }

    #[test]
    fn confidence_is_text_confidence_times_label_match() {
        let lines = vec![
            line("IZIN TINGGAL TETAP ELEKTRONIK", 200.0, 100.0),
            line_conf("Natiomality : CHINA", 100.0, 200.0, 0.9),
            line_conf("Status : TKA", 100.0, 230.0, 0.8),
        ];
        let r = extract(&lines, 0, None);
        assert_eq!(r.kind, DocumentKind::Kitap);
        let n = r.field(FieldName::Nationality);
        assert!((n.confidence_text - 0.9).abs() < 1e-6);
        // One slip in an 11-letter label.
        assert!(
            (n.confidence - 0.9 * (1.0 - 1.0 / 11.0)).abs() < 1e-5,
            "{}",
            n.confidence
        );
        let s = r.field(FieldName::Status);
        assert!((s.confidence - 0.8).abs() < 1e-6);
    }

    /// A 2024-style printout with stacked bilingual labels: the Indonesian label on the value's
    /// row, a smaller English one under it.
    fn printout_2024() -> Vec<TextLine> {
        vec![
            line("DIRECTORATE GENERAL OF IMMIGRATION", 150.0, 40.0),
            line("KANTOR WILAYAH JAWA BARAT", 150.0, 62.0),
            line("KANTOR IMIGRASI KELAS I NON TPI BEKASI", 150.0, 84.0),
            line("JL. MELATI NO. 5 BEKASI", 150.0, 106.0),
            line("IZIN TINGGAL TETAP ELEKTRONIK", 200.0, 170.0),
            line("ELECTRONIC PERMANENT STAY PERMIT", 190.0, 195.0),
            line("No. Register", 220.0, 250.0),
            line("NIORA", 220.0, 268.0),
            line(": A1U1RACO10950", 480.0, 250.0),
            line("Nomor Izin Tinggal", 220.0, 300.0),
            line("Permit Number", 220.0, 318.0),
            line(": 2C25AU1440-A", 480.0, 300.0),
            line("Nama", 60.0, 450.0),
            line("Name", 60.0, 468.0),
            line(": JOHN DOE", 330.0, 450.0),
            line("Tempat/Tgl. Lahir", 60.0, 500.0),
            line("Place/Date of Birth", 60.0, 518.0),
            line(": MELBOURNE, 05-05-1990", 330.0, 500.0),
            line("Jenis Kelamin", 60.0, 550.0),
            line("Sex", 60.0, 568.0),
            line(": LAKI-LAKI", 330.0, 550.0),
            line("Alamat", 60.0, 600.0),
            line("Address", 60.0, 618.0),
            line(": JL. LIMAU BLOK.A NO.2,", 330.0, 600.0),
            line("BEKASI, JAWA BARAT", 350.0, 622.0),
            line("Pekerjaan", 60.0, 660.0),
            line("Occupation", 60.0, 678.0),
            line(": MAHASISWA", 330.0, 660.0),
            line("Penjamin", 60.0, 710.0),
            line("Sponsor", 60.0, 728.0),
            line(": LINDA DOE", 330.0, 710.0),
            line("Berlaku s/d", 60.0, 760.0),
            line("Valid Until", 60.0, 778.0),
            line(": 15-05-2026", 330.0, 760.0),
            line("Bekasi, 15 Mei 2025", 600.0, 900.0),
        ]
    }

    #[test]
    fn a_2024_printout_with_stacked_labels() {
        let r = extract(&printout_2024(), 0, None);
        assert!(r.is_permit);
        assert_eq!(r.kind, DocumentKind::Kitap);
        let want = [
            (FieldName::OfficeRegion, "KANTOR WILAYAH JAWA BARAT"),
            (
                FieldName::OfficeName,
                "KANTOR IMIGRASI KELAS I NON TPI BEKASI",
            ),
            (FieldName::OfficeAddress, "JL. MELATI NO. 5 BEKASI"),
            (FieldName::DocumentType, "IZIN TINGGAL TETAP ELEKTRONIK"),
            (FieldName::Niora, "A1U1RACO10950"),
            (FieldName::PermitNumber, "2C25AU1440-A"),
            (FieldName::FullName, "JOHN DOE"),
            (FieldName::PlaceOfBirth, "MELBOURNE"),
            (FieldName::DateOfBirth, "05-05-1990"),
            (FieldName::Gender, "M"),
            (
                FieldName::Address,
                "JL. LIMAU BLOK.A NO.2, BEKASI, JAWA BARAT",
            ),
            (FieldName::Occupation, "MAHASISWA"),
            (FieldName::GuarantorName, "LINDA DOE"),
            (FieldName::PermitExpiry, "15-05-2026"),
            (FieldName::IssuedPlace, "Bekasi"),
            (FieldName::IssuedDate, "15-05-2025"),
            (FieldName::Status, ""),
            (FieldName::PassportNumber, ""),
        ];
        for (name, v) in want {
            assert_eq!(value(&r, name), v, "{}", name.as_str());
        }
    }

    #[test]
    fn a_translation_in_words_no_wording_has_is_the_label_s_not_its_value() {
        // Values under stacked bilingual labels; the guarantor's English line is in no
        // lexicon wording but names a sponsor.
        let lines = vec![
            line("IZIN TINGGAL TERBATAS ELEKTRONIK", 100.0, 20.0),
            line("Nama Lengkap", 20.0, 60.0),
            line("Full Name", 20.0, 60.0 + H),
            line("JANE ROE", 20.0, 64.0 + 2.0 * H),
            line("Sponsor/Penjamin", 20.0, 140.0),
            line("Sponsoring Company", 20.0, 140.0 + H),
            line("PT. MAJU JAYA", 20.0, 144.0 + 2.0 * H),
            line("No. ITAS/ITAP", 400.0, 140.0),
            line("Permit No", 400.0, 140.0 + H),
            line("2C14AB1234CD", 400.0, 144.0 + 2.0 * H),
        ];
        let r = extract(&lines, 0, None);
        assert_eq!(value(&r, FieldName::FullName), "JANE ROE");
        assert_eq!(value(&r, FieldName::GuarantorName), "PT. MAJU JAYA");
        assert_eq!(value(&r, FieldName::PermitNumber), "2C14AB1234CD");
    }

    #[test]
    fn a_name_alone_before_the_rows_and_an_office_block_beside_the_title_are_read() {
        let lines = vec![
            line("KEMENTERIAN HUKUM DAN HAK ASASI MANUSIA", 20.0, 20.0),
            line("Issued by", 600.0, 20.0),
            line("KANTOR WILAYAH JAWA BARAT", 600.0, 44.0),
            line("KANTOR IMIGRASI KELAS I TPI BANDUNG", 600.0, 68.0),
            line("JL. MERDEKA NO. 5 BANDUNG", 600.0, 92.0),
            line("IZIN TINGGAL TERBATAS ELEKTRONIK", 20.0, 90.0),
            line("MARIA GARCIA LOPEZ", 300.0, 150.0),
            line("No. Izin Tinggal : 2C14AB1234CD", 20.0, 200.0),
            line("Kewarganegaraan : SPANYOL", 20.0, 230.0),
        ];
        let r = extract(&lines, 0, None);
        assert_eq!(value(&r, FieldName::FullName), "MARIA GARCIA LOPEZ");
        assert_eq!(
            value(&r, FieldName::OfficeName),
            "KANTOR IMIGRASI KELAS I TPI BANDUNG"
        );
        assert_eq!(
            value(&r, FieldName::OfficeAddress),
            "JL. MERDEKA NO. 5 BANDUNG"
        );
        assert_eq!(value(&r, FieldName::Nationality), "SPANYOL");
    }

    #[test]
    fn values_under_their_labels_in_two_columns() {
        // An old card: small labels above values, two fields on one row.
        let lines = vec![
            line("KARTU IZIN TINGGAL TERBATAS", 100.0, 20.0),
            line("Nama / Name", 20.0, 60.0),
            line("Tempat/Tgl. Lahi", 20.0, 40.0),
            line("r: SEOUL, 01-02-1980", 200.0, 40.0),
            line("JANE ROE", 20.0, 82.0),
            line("Kewarganegaraan / Nationality", 20.0, 120.0),
            line("Jenis Kelamin / Sex", 400.0, 120.0),
            line("JEPANG", 20.0, 142.0),
            line("PEREMPUAN", 400.0, 142.0),
            line("Nomor Izin / Permit No.", 20.0, 180.0),
            line("2C14AB1234CD", 20.0, 202.0),
        ];
        let r = extract(&lines, 0, None);
        assert!(r.is_permit);
        assert_eq!(
            value(&r, FieldName::DocumentType),
            "KARTU IZIN TINGGAL TERBATAS"
        );
        assert_eq!(value(&r, FieldName::FullName), "JANE ROE");
        assert_eq!(value(&r, FieldName::PlaceOfBirth), "SEOUL");
        assert_eq!(value(&r, FieldName::Nationality), "JEPANG");
        assert_eq!(value(&r, FieldName::Gender), "F");
        assert_eq!(value(&r, FieldName::PermitNumber), "2C14AB1234CD");
    }

    #[test]
    fn a_label_joined_to_its_value_across_a_wide_gap_is_cut_apart() {
        let lines = vec![
            line("IZIN TINGGAL TERBATAS ELEKTRONIK", 200.0, 100.0),
            line("Occupation            DIREKTUR", 100.0, 200.0),
        ];
        let r = extract(&lines, 0, None);
        let o = r.field(FieldName::Occupation);
        assert_eq!(o.value, "DIREKTUR");
        assert!(close(o.polygon[0], [320.0, 200.0]), "{:?}", o.polygon);
    }

    #[test]
    fn a_label_cut_in_pieces_still_finds_its_value_on_the_row() {
        let lines = vec![
            line("IZIN TINGGAL TETAP ELEKTRONIK", 200.0, 100.0),
            line("No. Paspor / Pas", 100.0, 200.0),
            line("port Nmbe", 270.0, 200.0),
            line("V44456645", 400.0, 200.0),
        ];
        let r = extract(&lines, 0, None);
        assert_eq!(value(&r, FieldName::PassportNumber), "V44456645");
    }

    #[test]
    fn a_birth_date_wrapped_onto_the_next_line_is_read() {
        let lines = vec![
            line("KARTU IZIN TINGGAL TERBATAS", 200.0, 100.0),
            line("Tempat/Tgl. Lahir", 100.0, 200.0),
            line(": SAINT PETERSBURG /", 300.0, 200.0),
            line("11-09-1960", 320.0, 222.0),
            line("Kewarganegaraan", 100.0, 250.0),
            line(": RUSIA", 300.0, 250.0),
        ];
        let r = extract(&lines, 0, None);
        assert_eq!(value(&r, FieldName::PlaceOfBirth), "SAINT PETERSBURG");
        assert_eq!(value(&r, FieldName::DateOfBirth), "11-09-1960");
        assert_eq!(value(&r, FieldName::Nationality), "RUSIA");
        let date = r.field(FieldName::DateOfBirth);
        assert!(close(date.polygon[0], [320.0, 222.0]), "{:?}", date.polygon);
    }

    #[test]
    fn ocr_slips_in_labels_and_values_are_tolerated() {
        let lines = vec![
            line("IZIN TINGGAL TERBATAS ELEKTRONlK", 200.0, 100.0),
            line("NlORA : 3ATAA2O536", 100.0, 200.0),
            line("Permlt Number : 2C2lHB0016AT", 100.0, 230.0),
            line("Fu1l Name : YOUXING CHEN", 100.0, 260.0),
            line("Passport Numbcr : G5933735B", 100.0, 290.0),
            line("Passport Explry : O7-03-2022", 100.0, 320.0),
        ];
        let r = extract(&lines, 0, None);
        assert_eq!(
            value(&r, FieldName::DocumentType),
            "IZIN TINGGAL TERBATAS ELEKTRONIK"
        );
        assert_eq!(
            r.field(FieldName::DocumentType).value_original,
            "IZIN TINGGAL TERBATAS ELEKTRONlK"
        );
        assert_eq!(value(&r, FieldName::Niora), "3ATAA20536");
        assert_eq!(value(&r, FieldName::PermitNumber), "2C21HB0016AT");
        assert_eq!(value(&r, FieldName::FullName), "YOUXING CHEN");
        assert_eq!(value(&r, FieldName::PassportNumber), "G59337358");
        assert_eq!(value(&r, FieldName::PassportExpiry), "07-03-2022");
    }

    #[test]
    fn spaces_lost_in_fixed_words_are_put_back() {
        let lines = vec![
            line("KANTOR IMIGRASI KELAS IITPI BANDUNG", 150.0, 60.0),
            line("KOMP. GRIYA ASRI BLOKQ10 NO. 6, JAWABARAT", 150.0, 80.0),
            line("IZIN TINGGAL TERBATAS ELEKTRONIK", 200.0, 100.0),
            line("NIORA : 3ATAA20536", 100.0, 200.0),
            line("Permit Number : 2C21HB0016AT", 100.0, 230.0),
            line("Occupation : TENAGAAHLI", 100.0, 260.0),
            line("Status : PENANAMAN MODALASING", 100.0, 290.0),
            line(
                "Address : PERUM. VILLA MAWAR BLOKJ7, JAWA TIMUR",
                100.0,
                320.0,
            ),
        ];
        let r = extract(&lines, 0, None);
        assert_eq!(
            value(&r, FieldName::OfficeName),
            "KANTOR IMIGRASI KELAS II TPI BANDUNG"
        );
        assert_eq!(
            value(&r, FieldName::OfficeAddress),
            "KOMP. GRIYA ASRI BLOK Q10 NO. 6, JAWA BARAT"
        );
        assert_eq!(value(&r, FieldName::Occupation), "TENAGA AHLI");
        assert_eq!(value(&r, FieldName::Status), "PENANAMAN MODAL ASING");
        assert_eq!(
            value(&r, FieldName::Address),
            "PERUM. VILLA MAWAR BLOK J7, JAWA TIMUR"
        );
        // What was read stays in `value_original`.
        assert_eq!(
            r.field(FieldName::Status).value_original,
            "PENANAMAN MODALASING"
        );
    }

    #[test]
    fn a_visit_permit_is_not_a_permit_and_yields_nothing() {
        let lines = vec![
            line("KEMENTERIAN HUKUM DAN HAK ASASI MANUSIA", 200.0, 40.0),
            line("IZIN TINGGAL KUNJUNGAN / VISIT STAY PERMIT", 180.0, 100.0),
            line("Nomor Paspor / Passport Number : E12345678", 100.0, 200.0),
            line("Indeks Visa / Visa Index : C1", 100.0, 230.0),
            line("Berlaku s/d / Valid Until : 12-03-2025", 100.0, 260.0),
            line("Nama / Full Name : JOHN DOE", 100.0, 300.0),
            line("Jakarta, 01-01-2025", 500.0, 600.0),
        ];
        let r = extract(&lines, 0, None);
        assert!(!r.is_permit);
        assert_eq!(r, Reading::not_a_permit());
    }

    #[test]
    fn a_passport_page_or_receipt_is_not_a_permit() {
        let passport = vec![
            line("PASSPORT", 20.0, 20.0),
            line("Passport No. / No. Paspor", 200.0, 60.0),
            line("G59337358", 200.0, 80.0),
            line("Surname / Nama Keluarga", 200.0, 110.0),
            line("CHEN", 200.0, 130.0),
            line("Sex / Jenis Kelamin", 200.0, 160.0),
            line("M", 200.0, 180.0),
        ];
        assert_eq!(extract(&passport, 0, None), Reading::not_a_permit());
        let receipt = vec![
            line("TOKO SINAR JAYA", 40.0, 20.0),
            line("12-03-2024 14:33", 20.0, 60.0),
            line("TOTAL 72.000", 20.0, 90.0),
        ];
        assert_eq!(extract(&receipt, 0, None), Reading::not_a_permit());
    }

    #[test]
    fn without_a_title_several_permit_labels_make_a_permit() {
        let lines = vec![
            line("NIORA : 3ATAA20536", 100.0, 200.0),
            line("Permit Number : 2C21HB0016AT", 100.0, 230.0),
            line("Full Name : YOUXING CHEN", 100.0, 260.0),
        ];
        let r = extract(&lines, 0, None);
        assert!(r.is_permit);
        assert_eq!(r.kind, DocumentKind::Unknown);
        assert_eq!(value(&r, FieldName::DocumentType), "");
        assert_eq!(value(&r, FieldName::FullName), "YOUXING CHEN");
        let only_name = vec![line("Full Name : YOUXING CHEN", 100.0, 260.0)];
        assert!(!extract(&only_name, 0, None).is_permit);
    }

    #[test]
    fn a_name_set_as_a_title_line_is_read_without_a_label() {
        let lines = vec![
            line("IZIN TINGGAL TERBATAS ELEKTRONIK", 200.0, 100.0),
            line("ELECTRONIC LIMITED STAY PERMIT", 210.0, 125.0),
            line("YOUXING CHEN", 300.0, 155.0),
            line("No. Register / NIORA : 3ATAA20536", 200.0, 220.0),
        ];
        let r = extract(&lines, 0, None);
        assert_eq!(value(&r, FieldName::FullName), "YOUXING CHEN");
        let f = r.field(FieldName::FullName);
        assert!(f.confidence < f.confidence_text);
    }

    #[test]
    fn values_out_of_shape_are_kept_with_less_confidence() {
        let lines = vec![
            line("IZIN TINGGAL TERBATAS ELEKTRONIK", 200.0, 100.0),
            line("Passport Expiry : 31-02-2022", 100.0, 200.0),
        ];
        let r = extract(&lines, 0, None);
        let f = r.field(FieldName::PassportExpiry);
        assert_eq!(f.value, "31-02-2022");
        assert!((f.confidence - 0.5 * f.confidence_text).abs() < 1e-6);
    }

    /// Per-field tallies of the synthetic-scan run: (right, compared).
    type Tally = BTreeMap<&'static str, (usize, usize)>;

    /// Compares a reading with the truth, printing every difference.
    fn score(tally: &mut Tally, tag: &str, t: &crate::synth::Truth, r: &Reading) {
        let mut count = |key: &'static str, ok: bool| {
            let e = tally.entry(key).or_default();
            e.0 += usize::from(ok);
            e.1 += 1;
        };
        count("is_permit", r.is_permit == t.is_permit);
        for (key, want) in t.fields() {
            let got = FieldName::from_key(key).map_or("", |name| r.value(name));
            if !(want.is_empty() && got.is_empty()) {
                count(key, got == want);
                if got != want {
                    println!("{tag} {key}: want {want:?} got {got:?}");
                }
            }
        }
    }

    /// The photo placeholder drawn on a generated document, in pixels at `dpi`: the rectangle
    /// in one of the photo backdrop colours, about 3:4.
    fn drawn_photo(doc: &crate::synth::Document, dpi: f32) -> Option<[f32; 4]> {
        const BACKDROPS: [[u8; 3]; 4] = [
            [200, 214, 236],
            [232, 232, 230],
            [196, 40, 46],
            [238, 240, 244],
        ];
        doc.items.iter().find_map(|item| match item {
            crate::synth::Item::Rect { x, y, w, h, color }
                if BACKDROPS.contains(color) && (0.7..0.85).contains(&(w / h)) =>
            {
                let s = dpi / 72.0;
                Some([x * s, y * s, (x + w) * s, (y + h) * s])
            }
            _ => None,
        })
    }

    /// Intersection over union of two boxes.
    fn iou(a: [f32; 4], b: [f32; 4]) -> f32 {
        let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
        let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
        let area = |r: [f32; 4]| (r[2] - r[0]) * (r[3] - r[1]);
        w * h / (area(a) + area(b) - w * h).max(1.0)
    }

    /// Tallies the crops: the photo where it was drawn (IoU >= 0.8), a signature on printouts
    /// (which carry one) and none on cards (which do not).
    fn score_crops(
        tally: &mut Tally,
        tag: &str,
        doc: &crate::synth::Document,
        dpi: f32,
        r: &Reading,
    ) {
        if !doc.truth.is_permit {
            return;
        }
        let found = r.photo.as_ref().map(|c| {
            let p = &c.polygon;
            [p[0][0], p[0][1], p[2][0], p[2][1]]
        });
        let overlap = found
            .zip(drawn_photo(doc, dpi))
            .map_or(0.0, |(a, b)| iou(a, b));
        let e = tally.entry("(photo)").or_default();
        e.0 += usize::from(overlap >= 0.8);
        e.1 += 1;
        if overlap < 0.8 {
            println!("{tag} photo: IoU {overlap:.2}");
        }
        let printout = doc.truth.kind != "card";
        let e = tally.entry("(sign)").or_default();
        e.0 += usize::from(r.sign.is_some() == printout);
        e.1 += 1;
    }

    /// Renders generated documents as clean scans, reads them with the real models and prints
    /// every field that differs from the truth, then the accuracy per field:
    /// `cargo test --lib kitas::extract::tests::synthetic_scans -- --ignored --nocapture`
    /// (`KITAS_DOCS=n` documents per kind, default 4; seeds from `KITAS_BASE`, default 7000,
    /// `100 * kind + i`; `KITAS_SEED=s` only that document,
    /// `KITAS_LINES=1` also its OCR lines; the values printed are fake identities).
    #[test]
    #[ignore = "runs the OCR models on rendered pages: minutes"]
    fn synthetic_scans() {
        use crate::ocr::{Engine, ModelPaths, PageOrientation};
        use crate::synth::{DocKind, Fonts, sample_document};
        use rand::SeedableRng;
        use rand::rngs::StdRng;
        use std::path::Path;

        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        let engine = Engine::load(&ModelPaths::in_dir(&dir), Default::default()).expect("models");
        let fonts = Fonts::load().expect("fonts");
        let env = |key: &str| std::env::var(key).ok();
        let per_kind: u64 = env("KITAS_DOCS").and_then(|v| v.parse().ok()).unwrap_or(4);
        let base: u64 = env("KITAS_BASE")
            .and_then(|v| v.parse().ok())
            .unwrap_or(7000);
        let mut tally = Tally::new();
        for (k, kind) in DocKind::ALL.into_iter().enumerate() {
            for seed in (0..per_kind).map(|i| base + 100 * k as u64 + i) {
                if env("KITAS_SEED").is_some_and(|only| only != seed.to_string()) {
                    continue;
                }
                let doc = sample_document(&mut StdRng::seed_from_u64(seed), kind, &fonts);
                let dpi = if doc.width.max(doc.height) < 400.0 {
                    260.0
                } else {
                    170.0
                };
                let img = doc.render(&fonts, dpi);
                let lines = engine.read(&img, PageOrientation::Upright).expect("read");
                let r = extract(&lines, 0, Some(&img));
                let tag = format!("{kind:?} seed {seed}");
                score(&mut tally, &tag, &doc.truth, &r);
                score_crops(&mut tally, &tag, &doc, dpi, &r);
                if env("KITAS_LINES").is_some() {
                    for l in &lines {
                        println!("    {:?} {:?}", l.polygon[0], l.text);
                    }
                }
            }
        }
        let (mut ok, mut all) = (0, 0);
        for (key, (good, total)) in &tally {
            println!("{key:40} {good:4}/{total:4}");
            if !key.starts_with('(') && *key != "is_permit" {
                ok += good;
                all += total;
            }
        }
        println!("fields: {ok}/{all} = {:.4}", ok as f32 / all.max(1) as f32);
    }

    #[test]
    fn garbage_and_empty_input_do_not_panic() {
        assert_eq!(extract(&[], 0, None), Reading::not_a_permit());
        let mut no_chars = line("Full Name : X", 0.0, 0.0);
        no_chars.chars.clear();
        let mut nan = line("NIORA : 3ATAA20536", f32::NAN, 0.0);
        nan.chars[0].span = [f32::NAN, f32::INFINITY];
        let lines = vec![
            line("", 0.0, 0.0),
            line(":::", 10.0, 10.0),
            line("Full Name :", 0.0, 40.0),
            line("Sex", 0.0, 60.0),
            no_chars,
            nan,
            line("@@@ ### $$$", 5.0, 5.0),
            line("IZIN TINGGAL TERBATAS ELEKTRONIK", 0.0, 500.0),
            line("Pangkalpinang,", 0.0, 900.0),
        ];
        let img = RgbImage::new(3, 3);
        let r = extract(&lines, 0, Some(&img));
        assert!(r.is_permit);
        assert_eq!(r.fields.len(), FieldName::ALL.len());
    }
}
