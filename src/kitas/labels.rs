//! The words printed on permits (field labels in both languages and both label generations,
//! document titles, office header lines) and how they are recognised at the start of a text.
//!
//! Matching ignores case, spaces and punctuation (`Tempat/Tgl. Lahir` is `TEMPATTGIAHIR`, with
//! look-alike characters folded together) and tolerates OCR slips: a label of `m` such characters may differ from the text in `m / 5` edits
//! (none for labels of four characters or fewer, where one edit turns `Nama` into `Name`).
//!
//! Invariants:
//! - A match starts at the given character and ends at a word boundary, so `Sex` does not match
//!   the start of `Sexton` (a long label read exactly may run into the next word: OCR drops the
//!   space before the colon).
//! - Among labels that match, the one matching most characters wins, each edit counting double
//!   against it: `Izin Masuk Kembali Beberapa Kali s/d` with two slips beats `Izin Masuk Kembali`
//!   read exactly, and `Stay Permit Index` beats `Stay Permit No.` on its own line.

use std::sync::LazyLock;

use super::fields::FieldName;

/// What a label introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Field(FieldName),
    /// `Place / Date of Birth`: one value holding two fields.
    Birth,
    /// A label of something the reader does not return (visa index, purpose of visit, the
    /// labels of a passport page): known so that its value is not taken for a neighbour's, and
    /// so that it ends a wrapped address.
    Other,
    /// A heading over lines found by what they say (`Issued by` over the office block): it
    /// takes no value.
    Heading,
}

use FieldName as F;

/// The lexicon of field labels: for every field, the wordings Indonesian and English
/// immigration documents use, from the printouts of both label generations and the old cards
/// (`../shared/kitas-documents.md`, "Labels seen") and from the terms of ICAO Doc 9303 and of
/// Indonesian immigration law (a passport is a *travel document*, *dokumen perjalanan*; a
/// guarantor is a *sponsor*, *penjamin*; NIORA is *Nomor Induk Orang Asing*, the foreigner's
/// registration number). Each wording also stands for its abbreviated and spelt-out forms
/// ([`ABBREVIATIONS`]: `No.` / `Nomor` / `Number`, `Tgl.` / `Tanggal`, `s/d` / `sampai dengan`),
/// and a label printed in both languages is matched in either order (`Nama / Name`,
/// `Name / Nama`, see [`label`]). The README's field list prints this table.
const LABELS: &[(Key, &[&str])] = &[
    (
        Key::Field(F::Niora),
        &[
            "NIORA",
            "No. Register",
            "No. Registrasi",
            "Registration Number",
            "Register Number",
            "Nomor Induk Orang Asing",
            "Foreigner Registration Number",
            "Foreigner Identity Number",
            "No. Reg.",
            "Reg. No.",
        ],
    ),
    (
        Key::Field(F::PermitNumber),
        &[
            "Permit Number",
            "Stay Permit Number",
            "Residence Permit Number",
            "No. Izin Tinggal",
            "No. Izin",
            "Izin Tinggal No.",
            "No. KITAS/KITAP",
            "No. KITAS",
            "No. KITAP",
            "KITAS Number",
            "KITAP Number",
            "KITAS/KITAP Number",
            "No. ITAS",
            "No. ITAP",
            "ITAS Number",
            "ITAP Number",
        ],
    ),
    (
        Key::Field(F::StayMultipleEntriesPermitExpiry),
        &[
            "Stay/Multiple Entries Permit Expiry",
            "Multiple Entries Permit Expiry",
            "Multiple Re-entry Permit Expiry",
            "Multiple Re-entry Permit Valid Until",
            "Multiple Re-entry Permit",
            "Multiple Exit Re-entry Permit",
            "Izin Masuk Kembali Beberapa Kali s/d",
            "Izin Masuk Kembali Beberapa Kali Berlaku s/d",
            "Izin Masuk Kembali Beberapa Kali",
            "Izin Masuk Kembali Ganda s/d",
            // A re-entry permit named without saying how many entries: the one a KITAS or
            // KITAP carries is the multiple one (the single one is named as such).
            "Re-entry Permit Expiry",
            "Re-entry Permit Valid Until",
            "Re-entry Permit",
            "Izin Masuk Kembali s/d",
            "Izin Masuk Kembali Berlaku s/d",
            "Izin Masuk Kembali",
        ],
    ),
    (
        Key::Field(F::StayEntriesPermitExpiry),
        &[
            "Stay/Entries Permit Expiry",
            "Entries Permit Expiry",
            "Single Re-entry Permit Expiry",
            "Single Re-entry Permit",
            "Single Exit Re-entry Permit",
            "Izin Masuk Kembali Satu Kali s/d",
            "Izin Masuk Kembali Satu Kali",
            "Izin Masuk Kembali Sekali",
        ],
    ),
    (
        Key::Field(F::StayPermitIndex),
        &[
            "Stay Permit Index",
            "Permit Index",
            "Indeks Izin Tinggal",
            "Indeks",
            "Index",
            "Kode Izin Tinggal",
            "Stay Permit Code",
            "Kode Indeks",
            "Indeks Izin",
            "Index Code",
            "Permit Index Code",
        ],
    ),
    (
        Key::Field(F::FullName),
        &[
            "Full Name",
            "Name",
            "Nama",
            "Nama Lengkap",
            "Name of Holder",
            "Holder's Name",
            "Holder Name",
            "Nama Pemegang",
            "Nama Pemegang Izin",
        ],
    ),
    (
        Key::Birth,
        &[
            "Place / Date of Birth",
            "Place and Date of Birth",
            "Place, Date of Birth",
            "Birth Place / Date",
            "Tempat/Tgl. Lahir",
            "Tempat dan Tgl. Lahir",
            "Tempat, Tgl. Lahir",
        ],
    ),
    (
        Key::Field(F::PlaceOfBirth),
        &["Place of Birth", "Birth Place", "Tempat Lahir"],
    ),
    (
        Key::Field(F::DateOfBirth),
        &["Date of Birth", "Birth Date", "Tgl. Lahir"],
    ),
    (
        Key::Field(F::PassportNumber),
        &[
            "Passport Number",
            "No. Paspor",
            "No. Passport",
            "Travel Document Number",
            "Travel Document No.",
            "No. Dokumen Perjalanan/Paspor",
            "No. Dokumen Perjalanan",
            "No. Paspor/Dokumen Perjalanan",
            "Passport/Travel Document Number",
        ],
    ),
    (
        Key::Field(F::PassportExpiry),
        &[
            "Passport Expiry",
            "Passport Expiry Date",
            "Passport Expiration Date",
            "Passport Expiration",
            "Passport Valid Until",
            "Passport Validity",
            "Passport Date of Expiry",
            "Travel Document Expiry",
            "Travel Document Expiry Date",
            "Travel Document Valid Until",
            "Tgl. Habis Berlaku Paspor",
            "Habis Berlaku Paspor",
            "Masa Berlaku Paspor",
            "Paspor Berlaku s/d",
            "Berlaku Paspor s/d",
            "Tgl. Berakhir Paspor",
            "Tgl. Habis Berlaku Dokumen Perjalanan",
            "Masa Berlaku Dokumen Perjalanan",
            "Dokumen Perjalanan Berlaku s/d",
            "Date of Expiry of Travel Document",
            "Date of Expiry of Passport",
        ],
    ),
    (
        Key::Field(F::Nationality),
        &[
            "Nationality",
            "Kewarganegaraan",
            "Kebangsaan",
            "Citizenship",
            "Warga Negara",
        ],
    ),
    (
        Key::Field(F::Gender),
        &[
            "Gender",
            "Sex",
            "Jenis Kelamin",
            "Kelamin",
            "L/P",
            // Forms that say which letters to write.
            "Sex (M/F)",
            "Gender (M/F)",
            "Jenis Kelamin (L/P)",
            "Kelamin (L/P)",
        ],
    ),
    (
        Key::Field(F::Address),
        &[
            "Address",
            "Alamat",
            "Alamat di Indonesia",
            "Address in Indonesia",
            "Alamat Tinggal",
            "Alamat Tempat Tinggal",
            "Residential Address",
            "Domicile",
            "Domisili",
        ],
    ),
    (
        Key::Field(F::Occupation),
        &[
            "Occupation",
            "Pekerjaan",
            "Profession",
            "Profesi",
            "Job Title",
            "Jabatan",
            "Position",
        ],
    ),
    (
        Key::Field(F::GuarantorName),
        &[
            "Guarantor Name",
            "Guarantor",
            "Name of Guarantor",
            "Nama Penjamin",
            "Penjamin",
            "Sponsor",
            "Sponsor Name",
            "Name of Sponsor",
            "Nama Sponsor",
        ],
    ),
    (
        Key::Field(F::Status),
        &[
            "Status",
            "Status Izin Tinggal",
            "Stay Permit Status",
            "Permit Status",
            "Status Izin",
            "Purpose of Stay",
            "Tujuan Tinggal",
            "Keterangan",
            "Remarks",
        ],
    ),
    (
        Key::Field(F::PermitExpiry),
        &[
            "Berlaku s/d",
            "Berlaku Hingga",
            "Berlaku Sampai",
            "Masa Berlaku",
            "Masa Berlaku Izin Tinggal",
            "Izin Tinggal Berlaku s/d",
            "Tgl. Berakhir",
            "Tgl. Habis Berlaku",
            "Valid Until",
            "Valid Thru",
            "Valid To",
            "Expired date",
            "Expiry Date",
            "Expiration Date",
            "Date of Expiry",
            "Permit Expiry",
            "Permit Expiry Date",
            "Permit Valid Until",
            "Stay Permit Expiry",
            "Stay Permit Valid Until",
        ],
    ),
    (
        Key::Field(F::IssuedDate),
        &[
            "Date of Issue",
            "Issue Date",
            "Issued Date",
            "Issued on",
            "Tgl. Dikeluarkan",
            "Pada Tgl.",
            "Tgl. Terbit",
            "Tgl. Penerbitan",
        ],
    ),
    (
        Key::Field(F::IssuedPlace),
        &[
            "Place of Issue",
            "Issued at",
            "Dikeluarkan di",
            "Diterbitkan di",
            "Tempat Dikeluarkan",
            "Tempat Terbit",
            "Tempat Penerbitan",
        ],
    ),
    (
        Key::Other,
        &[
            "Visa Index",
            "Indeks Visa",
            "Visa Number",
            "No. Visa",
            "Purpose of Visit",
            "Tujuan",
            "Type",
            "Code",
            "Kode",
            "Surname",
            "Nama Keluarga",
            "Given Names",
            "Nama Depan",
        ],
    ),
    (
        // The heading of an office block under the signature: its lines are found by what
        // they say (`KANTOR IMIGRASI ...`).
        Key::Heading,
        &[
            "Issued by",
            "Issuing Office",
            "Dikeluarkan oleh",
            "Diterbitkan oleh",
            "Kantor Penerbit",
        ],
    ),
];

/// Words printed in full or abbreviated: a lexicon wording with one of a group's words also
/// stands for the same wording with each other word of the group.
const ABBREVIATIONS: &[&[&str]] = &[
    &["No.", "Nomor", "Number", "No", "Nr.", "Num."],
    &["Tgl.", "Tanggal", "Tgl"],
    &["s/d", "sampai dengan", "sampai", "hingga"],
];

/// What a title line says the document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Title {
    /// `IZIN TINGGAL TERBATAS ...`: the printed title is the document type.
    Kitas,
    Kitap,
    /// The English title line under the Indonesian one: evidence, not the document type.
    KitasEnglish,
    KitapEnglish,
    /// A visit permit: not a KITAS/KITAP whatever else it shows.
    NotPermit,
}

const TITLES: &[(Title, &[&str])] = &[
    (
        Title::Kitas,
        &[
            "IZIN TINGGAL TERBATAS ELEKTRONIK",
            "KARTU IZIN TINGGAL TERBATAS",
            "IZIN TINGGAL TERBATAS",
        ],
    ),
    (
        Title::Kitap,
        &[
            "IZIN TINGGAL TETAP ELEKTRONIK",
            "KARTU IZIN TINGGAL TETAP",
            "IZIN TINGGAL TETAP",
        ],
    ),
    (
        Title::KitasEnglish,
        &[
            "ELECTRONIC LIMITED STAY PERMIT",
            "LIMITED STAY PERMIT",
            "TEMPORARY STAY PERMIT",
        ],
    ),
    (
        Title::KitapEnglish,
        &["ELECTRONIC PERMANENT STAY PERMIT", "PERMANENT STAY PERMIT"],
    ),
    (
        Title::NotPermit,
        &[
            "IZIN TINGGAL KUNJUNGAN",
            "VISIT STAY PERMIT",
            "VISIT PERMIT",
        ],
    ),
];

/// Header lines that name the issuing office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Header {
    Region,
    Office,
}

const HEADERS: &[(Header, &[&str])] = &[
    (Header::Region, &["KANTOR WILAYAH"]),
    (Header::Office, &["KANIM", "KANTOR IMIGRASI"]),
];

/// One table of printed words, normalised once.
pub(crate) struct Table<T: Copy + 'static> {
    defs: Vec<(T, &'static str, Vec<char>)>,
}

pub(crate) static LABEL_TABLE: LazyLock<Table<Key>> =
    LazyLock::new(|| Table::new(LABELS, ABBREVIATIONS));
pub(crate) static TITLE_TABLE: LazyLock<Table<Title>> = LazyLock::new(|| Table::new(TITLES, &[]));
pub(crate) static HEADER_TABLE: LazyLock<Table<Header>> =
    LazyLock::new(|| Table::new(HEADERS, &[]));

/// A printed word found at the start of a text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Match<T> {
    pub tag: T,
    /// The table's spelling of what matched.
    pub text: &'static str,
    /// 1 - edits / label length: how well the text matched, 0..1.
    pub score: f32,
    /// Index of the character after the last matched one.
    pub end: usize,
    /// How many letters and digits of the text the match covered, and how many there are from
    /// the start of the match on.
    pub covered: usize,
    pub total: usize,
}

/// Upper-case letters and digits of `chars[start..]`, with the index each came from. Characters
/// OCR confuses are folded together (`l`, `1`, `I` and `L`; `0` and `O`; `5` and `S`; `8` and
/// `B`; `2` and `Z`): no two labels differ only there, and `Fu11 Name` is then `Full Name`.
fn normalise(chars: &[char], start: usize) -> (Vec<char>, Vec<usize>) {
    chars
        .iter()
        .enumerate()
        .skip(start)
        .filter(|(_, c)| c.is_alphanumeric())
        .map(|(i, c)| (fold(*c), i))
        .unzip()
}

fn fold(c: char) -> char {
    match c.to_uppercase().next().unwrap_or(c) {
        'L' | '1' => 'I',
        '0' | 'Q' => 'O',
        '5' => 'S',
        '8' => 'B',
        '2' => 'Z',
        c => c,
    }
}

/// Edits a label of `m` letters and digits may differ by.
fn allowed(m: usize) -> usize {
    if m <= 4 { 0 } else { m / 5 }
}

/// The ways `label` matches a prefix of `text` within the allowed edits: (edits, prefix
/// length), best first: fewer edits, then a prefix as long as the label.
fn prefix_distances(label: &[char], text: &[char]) -> Vec<(usize, usize)> {
    let m = label.len();
    let a = allowed(m);
    let n = text.len().min(m + a);
    if m == 0 || n + a < m {
        return Vec::new();
    }
    let mut row: Vec<usize> = (0..=n).collect();
    for (i, lc) in label.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for j in 0..n {
            let up = row[j + 1];
            row[j + 1] = (diag + usize::from(*lc != text[j]))
                .min(up + 1)
                .min(row[j] + 1);
            diag = up;
        }
    }
    let mut ends: Vec<(usize, usize, usize)> = (m.saturating_sub(a).max(1)..=n)
        .map(|j| (row[j], j.abs_diff(m), j))
        .filter(|(d, _, _)| *d <= a)
        .collect();
    ends.sort_unstable();
    ends.into_iter().map(|(d, _, j)| (d, j)).collect()
}

/// Where `word` stands in `text` as a whole word (case ignored): its byte range.
fn find_word(text: &str, word: &str) -> Option<(usize, usize)> {
    let upper = text.to_uppercase();
    let word = word.to_uppercase();
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    let mut from = 0;
    while let Some(i) = upper.get(from..)?.find(&word) {
        let (a, b) = (from + i, from + i + word.len());
        let before = upper[..a].chars().next_back();
        let after = upper[b..].chars().next();
        let ends_in_mark = !word.ends_with(|c: char| c.is_alphanumeric());
        if boundary(before) && (ends_in_mark || boundary(after)) {
            return Some((a, b));
        }
        from = b;
    }
    None
}

/// `text` and every wording that swaps one of its words for another of the word's group in
/// `groups` (`No. Paspor`, `Nomor Paspor`, ...). Lexicon texts are ASCII, so byte ranges of the
/// upper-cased text are those of the text.
fn spellings(text: &str, groups: &[&[&str]]) -> Vec<String> {
    let mut out = vec![text.to_string()];
    for group in groups {
        let mut longest_first: Vec<&str> = group.to_vec();
        longest_first.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let mut next = Vec::new();
        for t in &out {
            let found = longest_first
                .iter()
                .find_map(|w| find_word(t, w).map(|r| (r, *w)));
            match found {
                Some(((a, b), _)) if t.is_ascii() => {
                    for w in group.iter() {
                        next.push(format!("{}{}{}", &t[..a], w, &t[b..]));
                    }
                }
                _ => next.push(t.clone()),
            }
        }
        out = next;
    }
    out
}

impl<T: Copy + PartialEq + 'static> Table<T> {
    /// The table of `entries`, each wording also in every spelling `abbreviations` allows.
    fn new(
        entries: &'static [(T, &'static [&'static str])],
        abbreviations: &[&[&str]],
    ) -> Table<T> {
        let mut defs: Vec<(T, &'static str, Vec<char>)> = Vec::new();
        for (tag, texts) in entries {
            for text in texts.iter() {
                for spelling in spellings(text, abbreviations) {
                    let norm = normalise(&spelling.chars().collect::<Vec<_>>(), 0).0;
                    if !defs.iter().any(|(t, _, n)| *t == *tag && *n == norm) {
                        defs.push((*tag, text, norm));
                    }
                }
            }
        }
        Table { defs }
    }

    #[cfg(test)]
    /// Every wording of the table as written (without the spellings it stands for), with its
    /// tag: the lexicon as documented.
    pub fn wordings(&self) -> impl Iterator<Item = (T, &'static str)> + '_ {
        let mut seen: Vec<&'static str> = Vec::new();
        self.defs.iter().filter_map(move |(tag, text, _)| {
            if seen.contains(text) {
                None
            } else {
                seen.push(text);
                Some((*tag, *text))
            }
        })
    }

    /// The best entry (of those `want` accepts) matching `chars` from `start`.
    pub fn best(&self, chars: &[char], start: usize, want: impl Fn(T) -> bool) -> Option<Match<T>> {
        let (norm, index) = normalise(chars, start);
        let mut best: Option<(isize, Match<T>)> = None;
        for (tag, text, label) in self.defs.iter().filter(|(t, _, _)| want(*t)) {
            // The best end that does not cut a word (`Kewarganegaran / Nationality` ends
            // after its first word, not one letter into the second with the same edits).
            let Some((d, j, end)) =
                prefix_distances(label, &norm)
                    .into_iter()
                    .find_map(|(d, j)| {
                        let end = index[j - 1] + 1;
                        let mid_word = chars.get(end).is_some_and(|c| c.is_alphanumeric());
                        (!mid_word || (d == 0 && label.len() >= 8)).then_some((d, j, end))
                    })
            else {
                continue;
            };
            let rank = label.len() as isize - 2 * d as isize;
            if best.as_ref().is_some_and(|(r, _)| *r >= rank) {
                continue;
            }
            let m = Match {
                tag: *tag,
                text,
                score: 1.0 - d as f32 / label.len() as f32,
                end,
                covered: j,
                total: norm.len(),
            };
            best = Some((rank, m));
        }
        best.map(|(_, m)| m)
    }
}

/// The field label a text starts with, taking in a translation that follows it
/// (`Nama / Name`, `Tempat/Tgl. Lahir / Place/Date of Birth`): `end` is then after the last.
pub(crate) fn label(chars: &[char]) -> Option<Match<Key>> {
    let mut found = LABEL_TABLE.best(chars, 0, |_| true)?;
    for _ in 0..2 {
        let mut p = found.end;
        while chars.get(p).is_some_and(|c| c.is_whitespace()) {
            p += 1;
        }
        // A translation follows a slash, a bar or an opening bracket: `Nama / Name`,
        // `Name | Nama`, `Nama (Name)`.
        let slash = chars
            .get(p)
            .is_some_and(|c| matches!(c, '/' | '|' | '(' | '\\'));
        if slash {
            p += 1;
        }
        let key = found.tag;
        let Some(next) = LABEL_TABLE.best(chars, p, |k| k == key) else {
            break;
        };
        // Without a slash only an exact repeat is a translation rather than the value.
        if !slash && next.score < 1.0 {
            break;
        }
        found.end = next.end;
        if chars.get(found.end) == Some(&')') {
            found.end += 1;
        }
        found.score = found.score.max(next.score);
        found.covered += next.covered;
    }
    found.end = past_cut_translation(chars, found.end, found.tag);
    Some(found)
}

/// A translation cut short where OCR ran the value into it (`Tempat/Tgl. Lahir/ Place/ Date of
/// ROTTERDAM`): the end of the label moved past the translation's printed start, when at least
/// five of its letters (and two fifths of it) stand there as printed and a value follows.
fn past_cut_translation(chars: &[char], end: usize, key: Key) -> usize {
    let mut p = end;
    while chars
        .get(p)
        .is_some_and(|c| c.is_whitespace() || matches!(c, '/' | '|' | '(' | '\\'))
    {
        p += 1;
    }
    let (norm, index) = normalise(chars, p);
    let cut = LABEL_TABLE
        .defs
        .iter()
        .filter(|(tag, _, _)| *tag == key)
        .map(|(_, _, label)| {
            let common = label.iter().zip(&norm).take_while(|(a, b)| a == b).count();
            (common, label.len())
        })
        .filter(|&(common, len)| common >= 5 && common < len && common * 5 >= len * 2)
        .map(|(common, _)| common)
        .max();
    match cut {
        // Something of the value must be left after the cut.
        Some(common) if common < norm.len() => index[common - 1] + 1,
        _ => end,
    }
}

/// The document title a text is, if it is one. A permit title must fill most of the line (so a
/// sentence that merely starts with `Izin tinggal terbatas` is not the title); a visit permit's
/// title may be followed by its English translation.
pub(crate) fn title(chars: &[char]) -> Option<Match<Title>> {
    let m = TITLE_TABLE.best(chars, 0, |_| true)?;
    let fills = m.covered * 4 >= m.total * 3;
    (fills || m.tag == Title::NotPermit).then_some(m)
}

/// The office header line a text is, if it is one.
pub(crate) fn header(chars: &[char]) -> Option<Match<Header>> {
    HEADER_TABLE.best(chars, 0, |_| true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kitas::keywords;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn key(s: &str) -> Option<Key> {
        label(&chars(s)).map(|m| m.tag)
    }

    #[test]
    fn a_misspelt_label_ends_at_its_word_not_inside_the_next() {
        // `Kewarganegaran` (one letter short) matches with one edit ending either after it or
        // one letter into `Nationality`; the match keeps its translation and leaves the value.
        let text = chars("Kewarganegaran / Nationality JEPANG");
        let m = label(&text).expect("a label");
        assert_eq!(m.tag, Key::Field(F::Nationality));
        assert_eq!(text[m.end..].iter().collect::<String>().trim(), "JEPANG");
    }

    #[test]
    fn labels_of_both_generations_and_languages() {
        let table = [
            ("Full Name : JOHN DOE", Key::Field(F::FullName)),
            ("Nama / Name", Key::Field(F::FullName)),
            ("Place / Date of Birth :", Key::Birth),
            ("Tempat/Tgl. Lahir / Place/Date of Birth", Key::Birth),
            ("Passport Number", Key::Field(F::PassportNumber)),
            ("No. Paspor", Key::Field(F::PassportNumber)),
            ("Passport Expiry", Key::Field(F::PassportExpiry)),
            ("Tgl. Habis Berlaku Paspor", Key::Field(F::PassportExpiry)),
            ("Kewarganegaraan", Key::Field(F::Nationality)),
            ("Sex", Key::Field(F::Gender)),
            ("Jenis Kelamin / Sex", Key::Field(F::Gender)),
            ("Alamat", Key::Field(F::Address)),
            ("Sponsor", Key::Field(F::GuarantorName)),
            ("Penjamin / Guarantor", Key::Field(F::GuarantorName)),
            ("NIORA", Key::Field(F::Niora)),
            ("No. Register / NIORA", Key::Field(F::Niora)),
            ("Stay Permit No.", Key::Field(F::PermitNumber)),
            (
                "Nomor Izin Tinggal / Permit Number",
                Key::Field(F::PermitNumber),
            ),
            ("Stay Permit Index", Key::Field(F::StayPermitIndex)),
            ("Indeks Izin Tinggal", Key::Field(F::StayPermitIndex)),
            (
                "Stay/Multiple Entries Permit Expiry",
                Key::Field(F::StayMultipleEntriesPermitExpiry),
            ),
            (
                "Izin Masuk Kembali Beberapa Kali s/d",
                Key::Field(F::StayMultipleEntriesPermitExpiry),
            ),
            (
                "Stay/Entries Permit Expiry",
                Key::Field(F::StayEntriesPermitExpiry),
            ),
            ("Berlaku s/d / Valid Until", Key::Field(F::PermitExpiry)),
            ("Expired date", Key::Field(F::PermitExpiry)),
            ("Indeks Visa / Visa Index", Key::Other),
            ("Alamat di Indonesia", Key::Field(F::Address)),
        ];
        for (text, want) in table {
            assert_eq!(key(text), Some(want), "{text:?}");
        }
    }

    #[test]
    fn abbreviations_both_orders_and_other_terms() {
        let table = [
            ("Nomor Paspor", Key::Field(F::PassportNumber)),
            ("Passport No.", Key::Field(F::PassportNumber)),
            (
                "Tanggal Habis Berlaku Paspor",
                Key::Field(F::PassportExpiry),
            ),
            (
                "Izin Masuk Kembali Beberapa Kali sampai dengan",
                Key::Field(F::StayMultipleEntriesPermitExpiry),
            ),
            ("Name / Nama", Key::Field(F::FullName)),
            ("Nama (Name)", Key::Field(F::FullName)),
            ("Sex | Jenis Kelamin", Key::Field(F::Gender)),
            ("Nomor Induk Orang Asing", Key::Field(F::Niora)),
            ("Travel Document Number", Key::Field(F::PassportNumber)),
            ("Tanggal Lahir", Key::Field(F::DateOfBirth)),
            ("Tempat Lahir", Key::Field(F::PlaceOfBirth)),
            ("Tempat / Tanggal Lahir", Key::Birth),
            ("Issued by / Dikeluarkan oleh", Key::Heading),
            ("Dikeluarkan di", Key::Field(F::IssuedPlace)),
            ("Pada Tanggal", Key::Field(F::IssuedDate)),
            ("Date of Expiry of Passport", Key::Field(F::PassportExpiry)),
            ("Date of Expiry", Key::Field(F::PermitExpiry)),
        ];
        for (text, want) in table {
            assert_eq!(key(text), Some(want), "{text:?}");
        }
        // The end of a bracketed translation is past its bracket.
        let text = chars("Nama (Name) JOHN DOE");
        let m = label(&text).expect("a label");
        assert_eq!(text[m.end..].iter().collect::<String>(), " JOHN DOE");
    }

    #[test]
    fn a_translation_cut_short_by_its_value_ends_the_label() {
        let text = chars("Tempat/Tgl. Lahir/ Place/ Date of ROTTERDAM, 04-10-2005");
        let m = label(&text).expect("a label");
        assert_eq!(m.tag, Key::Birth);
        assert_eq!(
            text[m.end..].iter().collect::<String>(),
            " ROTTERDAM, 04-10-2005"
        );
        // A whole translation, or a value that merely starts like one, is left alone.
        let text = chars("Nama / Name : JOHN DOE");
        let m = label(&text).expect("a label");
        assert_eq!(text[m.end..].iter().collect::<String>(), " : JOHN DOE");
        let text = chars("Alamat : ALAMO STREET 5");
        let m = label(&text).expect("a label");
        assert_eq!(
            text[m.end..].iter().collect::<String>(),
            " : ALAMO STREET 5"
        );
    }

    #[test]
    fn spellings_swap_whole_words_only() {
        let s = spellings("No. Paspor", ABBREVIATIONS);
        assert!(s.contains(&"Nomor Paspor".to_string()), "{s:?}");
        assert!(s.contains(&"Number Paspor".to_string()), "{s:?}");
        // `No` inside `Nomor` or `Nota` is no abbreviation.
        assert_eq!(spellings("Nota", ABBREVIATIONS), vec!["Nota".to_string()]);
        let s = spellings("Berlaku s/d", ABBREVIATIONS);
        assert!(s.contains(&"Berlaku sampai dengan".to_string()), "{s:?}");
    }

    #[test]
    fn the_readme_lists_every_wording_of_the_lexicon() {
        let readme = include_str!("../../README.md");
        for (_, text) in LABEL_TABLE.wordings() {
            assert!(
                readme.contains(&format!("`{text}`")),
                "README.md does not list the label wording `{text}`"
            );
        }
    }

    #[test]
    fn a_re_entry_permit_is_the_multiple_one_unless_named_single() {
        let multiple = Some(Key::Field(F::StayMultipleEntriesPermitExpiry));
        let single = Some(Key::Field(F::StayEntriesPermitExpiry));
        for text in [
            "Izin Masuk Kembali s/d",
            "Izin Masuk Kembali Beberapa Kali s/d",
            "Re-entry Permit Expiry",
            "Multiple Exit Re-entry Permit",
            "Stay/Multiple Entries Permit Expiry",
        ] {
            assert_eq!(key(text), multiple, "{text}");
        }
        for text in [
            "Izin Masuk Kembali Satu Kali s/d",
            "Single Re-entry Permit Expiry",
            "Stay/Entries Permit Expiry",
        ] {
            assert_eq!(key(text), single, "{text}");
        }
        // Known by its words only: the same rule.
        assert_eq!(keywords::key("Izin Masuk Kembali Berakhir"), multiple,);
        assert_eq!(keywords::key("Izin Masuk Kembali Sekali Berakhir"), single);
    }

    #[test]
    fn ocr_slips_in_labels_are_tolerated() {
        let table = [
            ("Fu11 Name : JOHN", Key::Field(F::FullName)),
            ("Passport Numbcr", Key::Field(F::PassportNumber)),
            ("Natlonality", Key::Field(F::Nationality)),
            (
                "Izin Masuk Kernbali Beberapa Kali s/d",
                Key::Field(F::StayMultipleEntriesPermitExpiry),
            ),
            ("Pekerjaam", Key::Field(F::Occupation)),
            ("Stay Permit lndex", Key::Field(F::StayPermitIndex)),
            ("FullName:JOHN", Key::Field(F::FullName)),
        ];
        for (text, want) in table {
            assert_eq!(key(text), Some(want), "{text:?}");
        }
    }

    #[test]
    fn values_and_words_that_merely_start_alike_are_not_labels() {
        for text in [
            "JOHN DOE",
            "Sexton",
            "STATUSQUO",
            "INDIA",
            "JL. MELATI NO. 5",
            "KEPALA KANTOR IMIGRASI",
            "NIP. 19800512",
            "Nam",
            "",
            ":",
        ] {
            assert_eq!(key(text), None, "{text:?}");
        }
    }

    #[test]
    fn the_label_end_points_past_a_translation_and_before_the_value() {
        let text = chars("Nama / Name : JOHN DOE");
        let m = label(&text).expect("a label");
        let rest: String = text[m.end..].iter().collect();
        assert_eq!(rest, " : JOHN DOE");
        let text = chars("Place / Date of Birth : FUJIAN, 20-01-1979");
        let m = label(&text).expect("a label");
        assert_eq!(
            text[m.end..].iter().collect::<String>(),
            " : FUJIAN, 20-01-1979"
        );
    }

    #[test]
    fn titles_and_headers() {
        let t = |s: &str| title(&chars(s)).map(|m| m.tag);
        assert_eq!(t("IZIN TINGGAL TERBATAS ELEKTRONIK"), Some(Title::Kitas));
        assert_eq!(t("IZIN TINGGAL TETAP ELEKTRONIK"), Some(Title::Kitap));
        assert_eq!(t("IZIN TINGGAL TETAF ELEKTRONIK"), Some(Title::Kitap));
        assert_eq!(t("KARTU IZIN TINGGAL TERBATAS"), Some(Title::Kitas));
        assert_eq!(
            t("ELECTRONIC LIMITED STAY PERMIT"),
            Some(Title::KitasEnglish)
        );
        assert_eq!(
            t("IZIN TINGGAL KUNJUNGAN / VISIT STAY PERMIT"),
            Some(Title::NotPermit)
        );
        assert_eq!(
            t("Izin tinggal terbatas ini berlaku selama satu tahun"),
            None
        );
        let h = |s: &str| header(&chars(s)).map(|m| m.tag);
        assert_eq!(h("KANTOR WILAYAH BANGKA BELITUNG"), Some(Header::Region));
        assert_eq!(h("KANIM KELAS I TPI PANGKAL PINANG"), Some(Header::Office));
        assert_eq!(h("KANTOR IMIGRASI KELAS I TPI BATAM"), Some(Header::Office));
        assert_eq!(h("KEPALA KANTOR IMIGRASI BATAM"), None);
    }
}
