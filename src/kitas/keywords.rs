//! Labels by their words: a wording the lexicon ([`super::labels`]) does not list is still a
//! label when it names its field with the words such labels are made of.
//!
//! Offices word their labels freely (`Tanggal Berakhir Paspor`, `Warga Negara`, `Sponsor`), and
//! no list of whole wordings has them all. The words are fewer: a passport's expiry is a label
//! naming a passport (*paspor*, a travel document) and an end (*berlaku*, *habis*, *expiry*,
//! *valid until*); a nationality one naming citizenship (*kewarganegaraan*, *warga negara*,
//! *kebangsaan*, *citizenship*). The word groups below were written from Indonesian and
//! English usage (KBBI, ICAO Doc 9303 and immigration terms), not from any generated document.
//!
//! Invariants:
//! - A text is a label here only when it holds no digit, has at most [`MAX_WORDS`] words and
//!   every group of one rule; rules are tried most specific first, and a rule's `none` words
//!   veto it (a guarantor's name is no holder's name).
//! - The reader asks this only for lines no lexicon label matched, and only once the page is
//!   known to be a permit, for fields still empty: it never decides whether a page is a permit.

use super::labels::Key;
use super::normalize::edit_distance;
use crate::kitas::FieldName as F;

/// A label of more words than this is a sentence, not a label.
pub const MAX_WORDS: usize = 7;

/// Alternatives, each a word or a phrase of words (upper case, split as [`words`] splits).
type Group = &'static [&'static str];

struct Rule {
    key: Key,
    all: &'static [Group],
    none: Group,
}

const PASSPORT: Group = &[
    "PASPOR",
    "PASSPORT",
    "PASPORT",
    "TRAVEL DOCUMENT",
    "DOKUMEN PERJALANAN",
    "DOK PERJALANAN",
];
const END: Group = &[
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "EXPIRED",
    "EXPIRE",
    "BERLAKU",
    "HABIS",
    "BERAKHIR",
    "AKHIR",
    "VALID",
    "UNTIL",
    "HINGGA",
    "SAMPAI",
];
const REENTRY: Group = &[
    "MASUK KEMBALI",
    "REENTRY",
    "RE ENTRY",
    "RETURN",
    "ENTRIES",
    "ENTRY",
];
const MULTIPLE: Group = &[
    "BEBERAPA", "MULTIPLE", "BERKALI", "BERULANG", "MULTI", "GANDA",
];
/// A re-entry permit for one entry is named so; one named without a count is the multiple one
/// a KITAS or KITAP carries.
const SINGLE: Group = &["SATU KALI", "SEKALI", "SINGLE", "ONCE"];
const NIORA: Group = &[
    "NIORA",
    "REGISTER",
    "REGISTRASI",
    "REGISTRATION",
    "INDUK",
    "ORANG ASING",
    "FOREIGNER",
];
const INDEX: Group = &["INDEKS", "INDEX", "KLASIFIKASI", "CLASSIFICATION"];
const PERMIT: Group = &[
    "IZIN", "IJIN", "PERMIT", "KITAS", "KITAP", "ITAS", "ITAP", "KARTU", "CARD",
];
const NUMBER: Group = &["NO", "NOMOR", "NOMER", "NUMBER", "NR", "NUM", "NOMBOR"];
const BIRTH: Group = &["LAHIR", "BIRTH", "KELAHIRAN", "BORN"];
const PLACE: Group = &["TEMPAT", "PLACE", "KOTA", "CITY", "LOKASI", "AT", "DI"];
const DATE: Group = &["TANGGAL", "TGL", "DATE", "ON", "PADA"];
const NATIONALITY: Group = &[
    "NATIONALITY",
    "KEWARGANEGARAAN",
    "KEBANGSAAN",
    "WARGA NEGARA",
    "WARGANEGARA",
    "CITIZENSHIP",
    "CITIZEN",
    "NASIONALITAS",
];
const SEX: Group = &["SEX", "GENDER", "KELAMIN"];
const ADDRESS: Group = &[
    "ALAMAT",
    "ADDRESS",
    "DOMISILI",
    "DOMICILE",
    "RESIDENCE",
    "TEMPAT TINGGAL",
];
const OCCUPATION: Group = &[
    "PEKERJAAN",
    "OCCUPATION",
    "PROFESSION",
    "PROFESI",
    "JABATAN",
    "JOB",
    "POSITION",
    "EMPLOYMENT",
];
const GUARANTOR: Group = &[
    "PENJAMIN",
    "SPONSOR",
    "SPONSORING",
    "SPONSORED",
    "GUARANTOR",
    "PENANGGUNG",
    "EMPLOYER",
    "PEMBERI KERJA",
];
const STATUS: Group = &[
    "STATUS",
    "KEPERLUAN",
    "KEGIATAN",
    "ACTIVITY",
    "DALAM RANGKA",
    "PURPOSE",
];
const ISSUE: Group = &[
    "DIKELUARKAN",
    "ISSUED",
    "ISSUE",
    "TERBIT",
    "DITERBITKAN",
    "PENERBITAN",
    "DIBERIKAN",
];
const NAME: Group = &["NAMA", "NAME"];
/// Names that are not the holder's.
const OTHER_NAMES: Group = &[
    "PENJAMIN",
    "SPONSOR",
    "GUARANTOR",
    "PERUSAHAAN",
    "COMPANY",
    "KELUARGA",
    "FAMILY",
    "GIVEN",
    "DEPAN",
    "AYAH",
    "IBU",
    "FATHER",
    "MOTHER",
    "SPOUSE",
    "KANTOR",
    "OFFICE",
    "PEJABAT",
    "OFFICER",
];

/// Most specific first: the first rule whose groups are all present wins.
const RULES: &[Rule] = &[
    Rule {
        key: Key::Field(F::PassportExpiry),
        all: &[PASSPORT, END],
        none: &[],
    },
    Rule {
        key: Key::Field(F::PassportNumber),
        all: &[PASSPORT],
        none: &[],
    },
    Rule {
        key: Key::Field(F::StayMultipleEntriesPermitExpiry),
        all: &[REENTRY, MULTIPLE],
        none: &[],
    },
    Rule {
        key: Key::Field(F::StayEntriesPermitExpiry),
        all: &[REENTRY, SINGLE],
        none: &[],
    },
    Rule {
        key: Key::Field(F::StayMultipleEntriesPermitExpiry),
        all: &[REENTRY],
        none: &[],
    },
    Rule {
        key: Key::Field(F::Niora),
        all: &[NIORA],
        none: &[],
    },
    Rule {
        key: Key::Field(F::StayPermitIndex),
        all: &[INDEX],
        none: &[],
    },
    Rule {
        key: Key::Field(F::PermitNumber),
        all: &[PERMIT, NUMBER],
        none: &[],
    },
    Rule {
        key: Key::Birth,
        all: &[BIRTH, PLACE, DATE],
        none: &[],
    },
    Rule {
        key: Key::Field(F::PlaceOfBirth),
        all: &[BIRTH, PLACE],
        none: &[],
    },
    Rule {
        key: Key::Field(F::DateOfBirth),
        all: &[BIRTH, DATE],
        none: &[],
    },
    Rule {
        key: Key::Field(F::IssuedDate),
        all: &[ISSUE, DATE],
        none: &[],
    },
    Rule {
        key: Key::Field(F::IssuedPlace),
        all: &[ISSUE, PLACE],
        none: &[],
    },
    Rule {
        key: Key::Field(F::PermitExpiry),
        all: &[END],
        none: &["LAHIR", "BIRTH"],
    },
    Rule {
        key: Key::Field(F::Nationality),
        all: &[NATIONALITY],
        none: &[],
    },
    Rule {
        key: Key::Field(F::Gender),
        all: &[SEX],
        none: &[],
    },
    Rule {
        key: Key::Field(F::Address),
        all: &[ADDRESS],
        none: &["KANTOR", "OFFICE"],
    },
    Rule {
        key: Key::Field(F::Occupation),
        all: &[OCCUPATION],
        none: &[],
    },
    Rule {
        key: Key::Field(F::GuarantorName),
        all: &[GUARANTOR],
        none: &[],
    },
    Rule {
        key: Key::Field(F::Status),
        all: &[STATUS],
        none: &[],
    },
    Rule {
        key: Key::Field(F::FullName),
        all: &[NAME],
        none: OTHER_NAMES,
    },
];

/// The upper-cased words of `text`: runs of letters (a hyphen or a slash splits, so
/// `Re-entry` is `RE ENTRY`).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_uppercase)
        .collect()
}

/// Whether `word` is `want`: the same, or, for words of six letters or more, one edit away
/// after the same first letter (an OCR slip; a name a letter from a word, `BENJAMIN` and
/// `PENJAMIN`, differs at its start).
fn same_word(word: &str, want: &str) -> bool {
    if word == want {
        return true;
    }
    let (a, b): (Vec<char>, Vec<char>) = (word.chars().collect(), want.chars().collect());
    b.len() >= 6
        && a.first() == b.first()
        && a.len().abs_diff(b.len()) <= 1
        && edit_distance(&a, &b) <= 1
}

/// Whether `phrase` (one or more words) stands in `text`'s words.
fn has(text: &[String], phrase: &str) -> bool {
    let want: Vec<&str> = phrase.split(' ').collect();
    text.windows(want.len())
        .any(|w| w.iter().zip(&want).all(|(a, b)| same_word(a, b)))
}

/// The field a label worded as `text` introduces, by its words, or `None`.
pub fn key(text: &str) -> Option<Key> {
    if text.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let w = words(text);
    if w.is_empty() || w.len() > MAX_WORDS {
        return None;
    }
    RULES
        .iter()
        .find(|r| {
            r.all.iter().all(|g| g.iter().any(|p| has(&w, p))) && !r.none.iter().any(|p| has(&w, p))
        })
        .map(|r| r.key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_worded_freely_are_known_by_their_words() {
        let table = [
            ("Tanggal Berakhir Paspor", Key::Field(F::PassportExpiry)),
            ("Travel Document Valid Until", Key::Field(F::PassportExpiry)),
            ("Nomor Dokumen Perjalanan", Key::Field(F::PassportNumber)),
            ("Warga Negara", Key::Field(F::Nationality)),
            ("Sponsor", Key::Field(F::GuarantorName)),
            ("Nama Penjamin", Key::Field(F::GuarantorName)),
            ("Nama Pemilik", Key::Field(F::FullName)),
            (
                "Re-entry Permit (Multiple) Valid Until",
                Key::Field(F::StayMultipleEntriesPermitExpiry),
            ),
            ("Tempat & Tanggal Kelahiran", Key::Birth),
            ("Kota Kelahiran", Key::Field(F::PlaceOfBirth)),
            ("Alamat di Indonesia", Key::Field(F::Address)),
            ("Jabatan", Key::Field(F::Occupation)),
            ("Izin Tinggal Berakhir", Key::Field(F::PermitExpiry)),
            ("Nomer Kartu Izin", Key::Field(F::PermitNumber)),
            ("Tanggal Diterbitkan", Key::Field(F::IssuedDate)),
        ];
        for (text, want) in table {
            assert_eq!(key(text), Some(want), "{text}");
        }
    }

    #[test]
    fn values_sentences_and_other_names_are_not_labels() {
        for text in [
            "JL. SUDIRMAN NO. 12",
            "KEPALA KANTOR IMIGRASI BANDUNG",
            "Nama Kantor",
            "PT. SINAR PERKASA",
            "Dokumen ini dicetak secara elektronik dan tidak memerlukan tanda tangan basah",
            "BENJAMIN MICHAEL MOORE",
        ] {
            assert_eq!(key(text), None, "{text}");
        }
    }
}
