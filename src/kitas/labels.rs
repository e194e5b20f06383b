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
}

use FieldName as F;

/// Field labels, Indonesian and English, 2021-2023 and 2024+ printouts and old cards.
const LABELS: &[(Key, &[&str])] = &[
    (
        Key::Field(F::Niora),
        &["NIORA", "No. Register", "Nomor Register", "No. Registrasi"],
    ),
    (
        Key::Field(F::PermitNumber),
        &[
            "Permit Number",
            "Permit No.",
            "Stay Permit No.",
            "Stay Permit Number",
            "No. Izin Tinggal",
            "Nomor Izin Tinggal",
            "Nomor Izin",
            "No. Izin",
            "Nomor KITAS/KITAP",
            "Nomor KITAS",
            "Nomor KITAP",
            "No. KITAS",
            "No. KITAP",
        ],
    ),
    (
        Key::Field(F::StayMultipleEntriesPermitExpiry),
        &[
            "Stay/Multiple Entries Permit Expiry",
            "Multiple Entries Permit Expiry",
            "Multiple Re-entry Permit Expiry",
            "Izin Masuk Kembali Beberapa Kali s/d",
            "Izin Masuk Kembali Beberapa Kali",
        ],
    ),
    (
        Key::Field(F::StayEntriesPermitExpiry),
        &[
            "Stay/Entries Permit Expiry",
            "Entries Permit Expiry",
            "Re-entry Permit Expiry",
            "Izin Masuk Kembali s/d",
            "Izin Masuk Kembali",
        ],
    ),
    (
        Key::Field(F::StayPermitIndex),
        &[
            "Stay Permit Index",
            "Indeks Izin Tinggal",
            "Indeks",
            "Index",
        ],
    ),
    (
        Key::Field(F::FullName),
        &["Full Name", "Name", "Nama", "Nama Lengkap"],
    ),
    (
        Key::Birth,
        &[
            "Place / Date of Birth",
            "Place and Date of Birth",
            "Tempat/Tgl. Lahir",
            "Tempat/Tanggal Lahir",
            "Tempat dan Tanggal Lahir",
        ],
    ),
    (
        Key::Field(F::PassportNumber),
        &[
            "Passport Number",
            "Passport No.",
            "No. Paspor",
            "Nomor Paspor",
            "Travel Document Number",
            "Nomor Dokumen Perjalanan/Paspor",
            "Nomor Dokumen Perjalanan",
            "No. Dokumen Perjalanan",
        ],
    ),
    (
        Key::Field(F::PassportExpiry),
        &[
            "Passport Expiry",
            "Passport Expiry Date",
            "Passport Valid Until",
            "Tgl. Habis Berlaku Paspor",
            "Tanggal Habis Berlaku Paspor",
            "Masa Berlaku Paspor",
        ],
    ),
    (
        Key::Field(F::Nationality),
        &["Nationality", "Kewarganegaraan"],
    ),
    (Key::Field(F::Gender), &["Gender", "Sex", "Jenis Kelamin"]),
    (Key::Field(F::Address), &["Address", "Alamat"]),
    (Key::Field(F::Occupation), &["Occupation", "Pekerjaan"]),
    (
        Key::Field(F::GuarantorName),
        &[
            "Guarantor Name",
            "Guarantor",
            "Nama Penjamin",
            "Penjamin",
            "Sponsor",
            "Sponsor Name",
        ],
    ),
    (Key::Field(F::Status), &["Status"]),
    (
        Key::Field(F::PermitExpiry),
        &[
            "Berlaku s/d",
            "Berlaku Hingga",
            "Berlaku Sampai",
            "Valid Until",
            "Expired date",
            "Expiry Date",
        ],
    ),
    (
        Key::Other,
        &[
            "Visa Index",
            "Indeks Visa",
            "Visa Number",
            "Nomor Visa",
            "Purpose of Visit",
            "Tujuan",
            "Type",
            "Code",
            "Kode",
            "Surname",
            "Nama Keluarga",
            "Given Names",
            "Nama Depan",
            "Date of Birth",
            "Tanggal Lahir",
            "Place of Birth",
            "Tempat Lahir",
            "Date of Issue",
            "Tanggal Dikeluarkan",
            "Date of Expiry",
            "Tanggal Habis Berlaku",
            "Kebangsaan",
            "Alamat di Indonesia",
            "Address in Indonesia",
        ],
    ),
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

pub(crate) static LABEL_TABLE: LazyLock<Table<Key>> = LazyLock::new(|| Table::new(LABELS));
pub(crate) static TITLE_TABLE: LazyLock<Table<Title>> = LazyLock::new(|| Table::new(TITLES));
pub(crate) static HEADER_TABLE: LazyLock<Table<Header>> = LazyLock::new(|| Table::new(HEADERS));

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

/// The best way `label` matches a prefix of `text`: (edits, prefix length), preferring fewer
/// edits and then a prefix as long as the label.
fn prefix_distance(label: &[char], text: &[char]) -> Option<(usize, usize)> {
    let m = label.len();
    let a = allowed(m);
    let n = text.len().min(m + a);
    if m == 0 || n + a < m {
        return None;
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
    (m.saturating_sub(a).max(1)..=n)
        .map(|j| (row[j], j.abs_diff(m), j))
        .filter(|(d, _, _)| *d <= a)
        .min()
        .map(|(d, _, j)| (d, j))
}

impl<T: Copy + PartialEq + 'static> Table<T> {
    fn new(entries: &'static [(T, &'static [&'static str])]) -> Table<T> {
        let defs = entries
            .iter()
            .flat_map(|(tag, texts)| {
                texts
                    .iter()
                    .map(move |t| (*tag, *t, normalise(&t.chars().collect::<Vec<_>>(), 0).0))
            })
            .collect();
        Table { defs }
    }

    /// The best entry (of those `want` accepts) matching `chars` from `start`.
    pub fn best(&self, chars: &[char], start: usize, want: impl Fn(T) -> bool) -> Option<Match<T>> {
        let (norm, index) = normalise(chars, start);
        let mut best: Option<(isize, Match<T>)> = None;
        for (tag, text, label) in self.defs.iter().filter(|(t, _, _)| want(*t)) {
            let Some((d, j)) = prefix_distance(label, &norm) else {
                continue;
            };
            let end = index[j - 1] + 1;
            let mid_word = chars.get(end).is_some_and(|c| c.is_alphanumeric());
            if mid_word && (d > 0 || label.len() < 8) {
                continue;
            }
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
        let slash = chars.get(p) == Some(&'/');
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
        found.score = found.score.max(next.score);
        found.covered += next.covered;
    }
    Some(found)
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

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn key(s: &str) -> Option<Key> {
        label(&chars(s)).map(|m| m.tag)
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
            ("Alamat di Indonesia", Key::Other),
        ];
        for (text, want) in table {
            assert_eq!(key(text), Some(want), "{text:?}");
        }
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
