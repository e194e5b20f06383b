//! Layout families: permit documents whose look is built from independent choices, split into
//! families the reader may be tuned on and held-out families it must never be tuned on.
//!
//! The classic generator ([`super::permit`]) draws its pages from two label generations; a reader
//! tuned on those can learn their quirks. A family fixes one value on each axis below, and any
//! combination of values renders ([`super::family_page`]), so that a held-out family differs
//! from every tuning family in ways a real office's template could:
//!
//! - label wording per field: drawn per page from the split's wording list ([`wordings`]),
//! - language order of labels ([`LangOrder`]),
//! - label-value arrangement ([`Arrangement`]),
//! - the holder's name as an unlabelled heading or as a labelled row ([`NamePlacement`]),
//! - where the issuing office is printed ([`OfficePlacement`]),
//! - photo position ([`PhotoPlacement`]),
//! - faces and body size ([`Faces`]),
//! - one or two columns of rows,
//! - how sex and dates are printed ([`SexForm`], [`DateForm`]).
//!
//! The tuning families (the held-out ones live in [`super::heldout`] and are not listed here;
//! [`family_table`] prints both). t-p10 to t-p18 and t-c4 to t-c6 were held out (as h-p1 to
//! h-p9 and h-c1 to h-c3) until they were seen; they print the spent wordings
//! ([`WordingSet::Spent`]), the others the first tuning wordings. Each axis also has held-out
//! values (`Other`), defined and drawn in `heldout_page.rs` and not described here.
//!
//! | id | medium | language | arrangement | name | office | photo | faces | size | cols | sex | dates |
//! |---|---|---|---|---|---|---|---|---|---|---|---|
//! | t-p1 | printout | id / en | label : value | labelled | header | left | Sans, Sans, SansBold | 10 | 1 | MALE/FEMALE | dd-mm-yyyy |
//! | t-p2 | printout | en | label : value | labelled | header | left | Sans, SansBold, SansBold | 9.5 | 1 | MALE/FEMALE | dd-mm-yyyy |
//! | t-p3 | printout | stacked | label column | heading | header | left | DejaVu, DejaVu, DejaVuBold | 9.5 | 1 | LAKI-LAKI/PEREMPUAN | 26 Januari 2024 |
//! | t-p4 | printout | id / en | label column | labelled | header | none | Serif, Serif, SerifBold | 10.5 | 2 | LAKI-LAKI/PEREMPUAN | dd-mm-yyyy |
//! | t-p5 | printout | en | label column | heading | header | none | Sans, Sans, SansBold | 9 | 2 | MALE/FEMALE | 26 Januari 2024 |
//! | t-p6 | printout | stacked | label : value | labelled | header | left | Serif, SerifBold, SerifBold | 10 | 2 | MALE/FEMALE | dd-mm-yyyy |
//! | t-p7 | printout | id / en | label : value | heading | header | left | DejaVu, DejaVuBold, DejaVuBold | 9 | 1 | LAKI-LAKI/PEREMPUAN | 26 Januari 2024 |
//! | t-p8 | printout | id / en | value below label | labelled | under signature | left | Sans, Sans, SansBold | 10 | 1 | MALE/FEMALE | dd-mm-yyyy |
//! | t-p9 | printout | en | value below label | heading | header | none | DejaVu, DejaVu, DejaVuBold | 9.5 | 2 | LAKI-LAKI/PEREMPUAN | 26 Januari 2024 |
//! | t-p10 | printout | en / id | value below label | labelled | under signature | right | DejaVuSerif, DejaVuSerif, SerifBold | 10 | 1 | M/F | dd/mm/yyyy |
//! | t-p11 | printout | id | label : value | heading | under signature | left | Narrow, Narrow, SansBold | 10 | 2 | L/P | dd.mm.yyyy |
//! | t-p12 | printout | id / en | value below label | heading | header | none | DejaVuCondensed, DejaVuCondensed, DejaVuBold | 9.5 | 2 | LAKI-LAKI / MALE | 26 January 2024 |
//! | t-p13 | printout | en / id | label column | labelled | header | right | DejaVuMono, DejaVuMono, DejaVuBold | 9 | 1 | M/F | 26 JAN 2024 |
//! | t-p14 | printout | id | value below label | labelled | under signature | left | Serif, DejaVuSerif, SerifBold | 10 | 1 | LAKI-LAKI/PEREMPUAN | 26 January 2024 |
//! | t-p15 | printout | id | form grid | labelled | footer band | right | Narrow, Narrow, SansBold | 9.5 | 1 | LAKI-LAKI / MALE | 26 JAN 2024 |
//! | t-p16 | printout | en / id | dotted leader | heading | box top right | left | DejaVuSerif, DejaVuSerif, DejaVuBold | 10 | 1 | L/P | dd.mm.yyyy |
//! | t-p17 | printout | stacked | form grid | labelled | box top right | none | DejaVuCondensed, DejaVuCondensed, DejaVuBold | 9 | 1 | M/F | 26 January 2024 |
//! | t-p18 | printout | id / en | dotted leader | labelled | footer band | none | DejaVuMono, DejaVuMono, SansBold | 9.5 | 1 | LAKI-LAKI / MALE | dd/mm/yyyy |
//! | t-c1 | card | id / en | label : value | labelled | none | left | Sans, SansBold, SansBold | 6.5 | 1 | LAKI-LAKI/PEREMPUAN | dd-mm-yyyy |
//! | t-c2 | card | en | label column | labelled | none | left | DejaVu, DejaVuBold, DejaVuBold | 6.5 | 1 | MALE/FEMALE | dd-mm-yyyy |
//! | t-c3 | card | id / en | value below label | labelled | none | left | Serif, SerifBold, SerifBold | 6.5 | 1 | LAKI-LAKI/PEREMPUAN | dd-mm-yyyy |
//! | t-c4 | card | en / id | value below label | labelled | none | right | DejaVuCondensed, DejaVuBold, DejaVuBold | 6.5 | 1 | LAKI-LAKI / MALE | dd/mm/yyyy |
//! | t-c5 | card | en / id | dotted leader | labelled | none | left | DejaVuSerif, DejaVuBold, DejaVuBold | 6.5 | 1 | L/P | dd.mm.yyyy |
//! | t-c6 | card | id | form grid | labelled | none | right | Narrow, SansBold, SansBold | 6.5 | 1 | M/F | 26 JAN 2024 |
//!
//! Invariants:
//! - Every held-out family uses at least one choice (language order, arrangement, office
//!   placement, photo position, face, sex or date form) that no tuning family uses, and held-out
//!   pages print only held-out wordings (tested).
//! - Whatever a family prints, the [`Truth`] keeps the seeds' conventions: gender `M`/`F`,
//!   dates `dd-mm-yyyy`, the index without spaces; every non-empty truth value is printed.
//! - A family document depends only on the family and the RNG.

use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

use super::fonts::{FontFace, Fonts};
use super::heldout;
use super::heldout_page;
use super::layout::Document;
use super::names::pick;
use super::permit::Facts;
use super::text::Sex;
use super::truth::Date;

/// Whether the reader may be tuned on a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Split {
    Tuning,
    HeldOut,
}

impl Split {
    pub fn name(self) -> &'static str {
        match self {
            Split::Tuning => "tuning",
            Split::HeldOut => "held-out",
        }
    }
}

/// A printed A4 page or an ID-1 card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Medium {
    Printout,
    Card,
}

/// How the two languages of a label are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LangOrder {
    /// `Nama / Name`.
    IdEn,
    /// The English wording first, then the Indonesian one.
    EnId,
    IdOnly,
    EnOnly,
    /// The Indonesian wording with a smaller English line under it.
    Stacked,
    /// A held-out order ([`super::heldout_page`]).
    Other(heldout_page::Lang),
}

/// Where a value sits relative to its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrangement {
    /// `Label : value`, the colons aligned.
    Colon,
    /// Labels in a column, values in a column to their right, no colon.
    Column,
    /// The value on the line below its label.
    Below,
    /// Each field in a ruled box of a form grid ([`super::family_page`]).
    Grid,
    /// A dotted leader between label and value.
    Leader,
    /// A held-out arrangement ([`super::heldout_page`]).
    Other(heldout_page::Arrange),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamePlacement {
    /// A large bold line under the title, no label.
    Heading,
    Labelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficePlacement {
    /// Region, office and address in the header.
    Header,
    /// After an "issued by" heading under the signature.
    UnderSignature,
    /// In a band at the foot of the page.
    Footer,
    /// In a box at the top right.
    TopBox,
    /// Not printed (cards).
    None,
    /// A held-out placement ([`super::heldout_page`]).
    Other(heldout_page::Office),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoPlacement {
    Left,
    Right,
    None,
}

/// How the holder's sex is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SexForm {
    /// `M` / `F`.
    Letter,
    /// `MALE` / `FEMALE`.
    English,
    /// `LAKI-LAKI` / `PEREMPUAN`.
    Indonesian,
    /// `L` / `P`.
    IndonesianLetter,
    /// `LAKI-LAKI / MALE`.
    Bilingual,
    /// A held-out form ([`super::heldout_page`]).
    Other(heldout_page::SexPrint),
}

/// How dates are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateForm {
    /// `26-01-2024`.
    Dash,
    /// `26/01/2024`.
    Slash,
    /// `26.01.2024`.
    Dot,
    /// `26 Januari 2024`.
    MonthId,
    /// `26 January 2024`.
    MonthEn,
    /// `26 JAN 2024`.
    MonthAbbr,
    /// A held-out form ([`super::heldout_page`]).
    Other(heldout_page::DatePrint),
}

/// The faces of a family: labels, values, and bold lines (title, heading, header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Faces {
    pub label: FontFace,
    pub value: FontFace,
    pub bold: FontFace,
}

/// The list a family's label wordings are drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordingSet {
    /// The first tuning wordings (those of t-p1 to t-p9 and t-c1 to t-c3).
    Tuning,
    /// Wordings that were held out until they were seen; tuning since (those of t-p10 to t-p18
    /// and t-c4 to t-c6, the families that were held out with them).
    Spent,
    /// The held-out wordings ([`super::heldout`]).
    HeldOut,
}

/// One layout family: a value on every axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Family {
    pub id: &'static str,
    pub split: Split,
    pub medium: Medium,
    pub lang: LangOrder,
    pub arrangement: Arrangement,
    pub name: NamePlacement,
    pub office: OfficePlacement,
    pub photo: PhotoPlacement,
    pub faces: Faces,
    /// Body text size in points.
    pub size: f32,
    /// Columns of label/value rows (printouts; a card's layout decides its own).
    pub columns: u8,
    pub sex: SexForm,
    pub date: DateForm,
    pub wordings: WordingSet,
}

/// The fields that carry a label, and the heading of an office block under the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LabelField {
    Niora,
    PermitNumber,
    ReentryExpiry,
    Index,
    Name,
    Birth,
    PassportNumber,
    PassportExpiry,
    Nationality,
    Sex,
    Address,
    Occupation,
    Guarantor,
    Status,
    PermitExpiry,
    IssuedBy,
}

impl LabelField {
    pub const ALL: [LabelField; 16] = [
        LabelField::Niora,
        LabelField::PermitNumber,
        LabelField::ReentryExpiry,
        LabelField::Index,
        LabelField::Name,
        LabelField::Birth,
        LabelField::PassportNumber,
        LabelField::PassportExpiry,
        LabelField::Nationality,
        LabelField::Sex,
        LabelField::Address,
        LabelField::Occupation,
        LabelField::Guarantor,
        LabelField::Status,
        LabelField::PermitExpiry,
        LabelField::IssuedBy,
    ];
}

/// A label's Indonesian and English wording; either may be empty when only one exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wording {
    pub id: &'static str,
    pub en: &'static str,
}

/// A wording as a struct expression, so that lists of them are promoted to statics.
macro_rules! w {
    ($id:expr, $en:expr $(,)?) => {
        Wording { id: $id, en: $en }
    };
}

/// The first tuning wordings: the labels of `kitas-documents.md` ("Labels seen") and those the
/// classic generator prints.
fn tuning_wordings(field: LabelField) -> &'static [Wording] {
    use LabelField as F;
    match field {
        F::Niora => &[w!("No. Register", "NIORA"), w!("", "NIORA")],
        F::PermitNumber => &[
            w!("Nomor Izin Tinggal", "Permit Number"),
            w!("No. Izin Tinggal", "Stay Permit No."),
            w!("Nomor KITAS/KITAP", "Permit Number"),
            w!("Nomor Izin", "Permit No."),
        ],
        F::ReentryExpiry => &[
            w!(
                "Izin Masuk Kembali Beberapa Kali s/d",
                "Multiple Re-entry Permit Expiry",
            ),
            w!("", "Stay/Multiple Entries Permit Expiry"),
        ],
        F::Index => &[
            w!("Indeks Izin Tinggal", "Stay Permit Index"),
            w!("Indeks", "Stay Permit Index"),
        ],
        F::Name => &[w!("Nama", "Name"), w!("Nama", "Full Name")],
        F::Birth => &[
            w!("Tempat/Tgl. Lahir", "Place/Date of Birth"),
            w!("Tempat/Tgl. Lahir", "Place / Date of Birth"),
        ],
        F::PassportNumber => &[
            w!("No. Paspor", "Passport Number"),
            w!("Nomor Dokumen Perjalanan/Paspor", "Travel Document Number"),
            w!("No. Paspor", "Passport No."),
        ],
        F::PassportExpiry => &[w!("Tgl. Habis Berlaku Paspor", "Passport Expiry")],
        F::Nationality => &[w!("Kewarganegaraan", "Nationality")],
        F::Sex => &[w!("Jenis Kelamin", "Sex"), w!("Jenis Kelamin", "Gender")],
        F::Address => &[w!("Alamat", "Address")],
        F::Occupation => &[w!("Pekerjaan", "Occupation")],
        F::Guarantor => &[
            w!("Penjamin", "Guarantor"),
            w!("Penjamin", "Sponsor"),
            w!("Penjamin", "Guarantor Name"),
        ],
        F::Status => &[w!("Status", "Status")],
        F::PermitExpiry => &[
            w!("Berlaku s/d", "Valid Until"),
            w!("Berlaku Hingga", "Valid Until"),
            w!("Berlaku s/d", "Expired date"),
        ],
        F::IssuedBy => &[w!("Dikeluarkan oleh", "Issued by")],
    }
}

/// The spent wordings: held out until the families that printed them were seen, tuning since.
fn spent_wordings(field: LabelField) -> &'static [Wording] {
    use LabelField as F;
    match field {
        F::Niora => &[
            w!("Nomor Register", "Registration Number"),
            w!("No. Reg.", "Reg. No."),
        ],
        F::PermitNumber => &[
            w!("Nomor Izin Tinggal", "Stay Permit Number"),
            w!("No. ITAS/ITAP", "Permit No"),
            w!("Nomor Izin Tinggal", "Residence Permit Number"),
        ],
        F::ReentryExpiry => &[
            w!(
                "Izin Masuk Kembali Berlaku sampai dengan",
                "Re-entry Permit Valid until",
            ),
            w!(
                "Izin Masuk Kembali Ganda s/d",
                "Multiple Exit Re-entry until",
            ),
        ],
        F::Index => &[
            w!("Kode Indeks", "Permit Index Code"),
            w!("Indeks Izin", "Index"),
        ],
        F::Name => &[
            w!("Nama Lengkap", "Full Name"),
            w!("Nama Pemegang", "Holder's Name"),
        ],
        F::Birth => &[
            w!("Tempat dan Tanggal Lahir", "Place and Date of Birth"),
            w!("Tempat, Tgl Lahir", "Birth Place, Date"),
        ],
        F::PassportNumber => &[
            w!("Nomor Dokumen Perjalanan", "Travel Document No."),
            w!("Nomor Paspor", "Passport No"),
        ],
        F::PassportExpiry => &[
            w!("Masa Berlaku Paspor", "Passport Valid Until"),
            w!(
                "Tanggal Habis Berlaku Dokumen Perjalanan",
                "Date of Expiry of Travel Document",
            ),
        ],
        F::Nationality => &[
            w!("Kebangsaan", "Citizenship"),
            w!("Warga Negara", "Nationality"),
        ],
        F::Sex => &[w!("L/P", "Sex (M/F)"), w!("Kelamin", "Gender")],
        F::Address => &[
            w!("Alamat di Indonesia", "Address in Indonesia"),
            w!("Alamat Tinggal", "Residential Address"),
        ],
        F::Occupation => &[
            w!("Jabatan", "Position"),
            w!("Pekerjaan/Jabatan", "Job Title"),
        ],
        F::Guarantor => &[
            w!("Nama Penjamin", "Sponsor Name"),
            w!("Sponsor/Penjamin", "Sponsoring Company"),
        ],
        F::Status => &[
            w!("Status Izin", "Permit Status"),
            w!("Keterangan", "Purpose of Stay"),
        ],
        F::PermitExpiry => &[
            w!("Berlaku sampai dengan", "Valid until"),
            w!("Tgl. Berakhir", "Date of Expiry"),
            w!("Masa Berlaku s.d.", "Expiry Date"),
        ],
        F::IssuedBy => &[
            w!("Diterbitkan oleh", "Issuing Office"),
            w!("Kantor Penerbit", "Issuing Authority"),
        ],
    }
}

/// The wordings of `set` for `field`.
pub fn set_wordings(field: LabelField, set: WordingSet) -> &'static [Wording] {
    match set {
        WordingSet::Tuning => tuning_wordings(field),
        WordingSet::Spent => spent_wordings(field),
        WordingSet::HeldOut => heldout::wordings(field),
    }
}

/// Every wording the pages of `split` may print for `field`.
pub fn wordings(field: LabelField, split: Split) -> Vec<Wording> {
    match split {
        Split::Tuning => [tuning_wordings(field), spent_wordings(field)].concat(),
        Split::HeldOut => heldout::wordings(field).to_vec(),
    }
}

/// The tuning families; their table is in the module doc.
pub const TUNING: [Family; 24] = [
    printout(
        "t-p1",
        LangOrder::IdEn,
        Arrangement::Colon,
        NamePlacement::Labelled,
        PhotoPlacement::Left,
        faces(FontFace::Sans, FontFace::Sans, FontFace::SansBold),
        (10.0, 1),
        (SexForm::English, DateForm::Dash),
    ),
    printout(
        "t-p2",
        LangOrder::EnOnly,
        Arrangement::Colon,
        NamePlacement::Labelled,
        PhotoPlacement::Left,
        faces(FontFace::Sans, FontFace::SansBold, FontFace::SansBold),
        (9.5, 1),
        (SexForm::English, DateForm::Dash),
    ),
    printout(
        "t-p3",
        LangOrder::Stacked,
        Arrangement::Column,
        NamePlacement::Heading,
        PhotoPlacement::Left,
        faces(FontFace::DejaVu, FontFace::DejaVu, FontFace::DejaVuBold),
        (9.5, 1),
        (SexForm::Indonesian, DateForm::MonthId),
    ),
    printout(
        "t-p4",
        LangOrder::IdEn,
        Arrangement::Column,
        NamePlacement::Labelled,
        PhotoPlacement::None,
        faces(FontFace::Serif, FontFace::Serif, FontFace::SerifBold),
        (10.5, 2),
        (SexForm::Indonesian, DateForm::Dash),
    ),
    printout(
        "t-p5",
        LangOrder::EnOnly,
        Arrangement::Column,
        NamePlacement::Heading,
        PhotoPlacement::None,
        faces(FontFace::Sans, FontFace::Sans, FontFace::SansBold),
        (9.0, 2),
        (SexForm::English, DateForm::MonthId),
    ),
    printout(
        "t-p6",
        LangOrder::Stacked,
        Arrangement::Colon,
        NamePlacement::Labelled,
        PhotoPlacement::Left,
        faces(FontFace::Serif, FontFace::SerifBold, FontFace::SerifBold),
        (10.0, 2),
        (SexForm::English, DateForm::Dash),
    ),
    printout(
        "t-p7",
        LangOrder::IdEn,
        Arrangement::Colon,
        NamePlacement::Heading,
        PhotoPlacement::Left,
        faces(FontFace::DejaVu, FontFace::DejaVuBold, FontFace::DejaVuBold),
        (9.0, 1),
        (SexForm::Indonesian, DateForm::MonthId),
    ),
    Family {
        office: OfficePlacement::UnderSignature,
        ..printout(
            "t-p8",
            LangOrder::IdEn,
            Arrangement::Below,
            NamePlacement::Labelled,
            PhotoPlacement::Left,
            faces(FontFace::Sans, FontFace::Sans, FontFace::SansBold),
            (10.0, 1),
            (SexForm::English, DateForm::Dash),
        )
    },
    printout(
        "t-p9",
        LangOrder::EnOnly,
        Arrangement::Below,
        NamePlacement::Heading,
        PhotoPlacement::None,
        faces(FontFace::DejaVu, FontFace::DejaVu, FontFace::DejaVuBold),
        (9.5, 2),
        (SexForm::Indonesian, DateForm::MonthId),
    ),
    card(
        "t-c1",
        LangOrder::IdEn,
        Arrangement::Colon,
        PhotoPlacement::Left,
        faces(FontFace::Sans, FontFace::SansBold, FontFace::SansBold),
        (SexForm::Indonesian, DateForm::Dash),
    ),
    card(
        "t-c2",
        LangOrder::EnOnly,
        Arrangement::Column,
        PhotoPlacement::Left,
        faces(FontFace::DejaVu, FontFace::DejaVuBold, FontFace::DejaVuBold),
        (SexForm::English, DateForm::Dash),
    ),
    card(
        "t-c3",
        LangOrder::IdEn,
        Arrangement::Below,
        PhotoPlacement::Left,
        faces(FontFace::Serif, FontFace::SerifBold, FontFace::SerifBold),
        (SexForm::Indonesian, DateForm::Dash),
    ),
    // The families held out until they were seen (h-p1 to h-p9, h-c1 to h-c3), with their
    // wordings.
    spent(
        "t-p10",
        Medium::Printout,
        (LangOrder::EnId, Arrangement::Below),
        (NamePlacement::Labelled, OfficePlacement::UnderSignature),
        PhotoPlacement::Right,
        faces(
            FontFace::DejaVuSerif,
            FontFace::DejaVuSerif,
            FontFace::SerifBold,
        ),
        (10.0, 1),
        (SexForm::Letter, DateForm::Slash),
    ),
    spent(
        "t-p11",
        Medium::Printout,
        (LangOrder::IdOnly, Arrangement::Colon),
        (NamePlacement::Heading, OfficePlacement::UnderSignature),
        PhotoPlacement::Left,
        faces(FontFace::Narrow, FontFace::Narrow, FontFace::SansBold),
        (10.0, 2),
        (SexForm::IndonesianLetter, DateForm::Dot),
    ),
    spent(
        "t-p12",
        Medium::Printout,
        (LangOrder::IdEn, Arrangement::Below),
        (NamePlacement::Heading, OfficePlacement::Header),
        PhotoPlacement::None,
        faces(
            FontFace::DejaVuCondensed,
            FontFace::DejaVuCondensed,
            FontFace::DejaVuBold,
        ),
        (9.5, 2),
        (SexForm::Bilingual, DateForm::MonthEn),
    ),
    spent(
        "t-p13",
        Medium::Printout,
        (LangOrder::EnId, Arrangement::Column),
        (NamePlacement::Labelled, OfficePlacement::Header),
        PhotoPlacement::Right,
        faces(
            FontFace::DejaVuMono,
            FontFace::DejaVuMono,
            FontFace::DejaVuBold,
        ),
        (9.0, 1),
        (SexForm::Letter, DateForm::MonthAbbr),
    ),
    spent(
        "t-p14",
        Medium::Printout,
        (LangOrder::IdOnly, Arrangement::Below),
        (NamePlacement::Labelled, OfficePlacement::UnderSignature),
        PhotoPlacement::Left,
        faces(FontFace::Serif, FontFace::DejaVuSerif, FontFace::SerifBold),
        (10.0, 1),
        (SexForm::Indonesian, DateForm::MonthEn),
    ),
    // A form grid of ruled boxes, the office in a band at the foot of the page.
    spent(
        "t-p15",
        Medium::Printout,
        (LangOrder::IdOnly, Arrangement::Grid),
        (NamePlacement::Labelled, OfficePlacement::Footer),
        PhotoPlacement::Right,
        faces(FontFace::Narrow, FontFace::Narrow, FontFace::SansBold),
        (9.5, 1),
        (SexForm::Bilingual, DateForm::MonthAbbr),
    ),
    // Dotted leaders, the office in a box at the top right beside a flush-left title.
    spent(
        "t-p16",
        Medium::Printout,
        (LangOrder::EnId, Arrangement::Leader),
        (NamePlacement::Heading, OfficePlacement::TopBox),
        PhotoPlacement::Left,
        faces(
            FontFace::DejaVuSerif,
            FontFace::DejaVuSerif,
            FontFace::DejaVuBold,
        ),
        (10.0, 1),
        (SexForm::IndonesianLetter, DateForm::Dot),
    ),
    // A form grid with stacked labels in its boxes, the office boxed at the top right.
    spent(
        "t-p17",
        Medium::Printout,
        (LangOrder::Stacked, Arrangement::Grid),
        (NamePlacement::Labelled, OfficePlacement::TopBox),
        PhotoPlacement::None,
        faces(
            FontFace::DejaVuCondensed,
            FontFace::DejaVuCondensed,
            FontFace::DejaVuBold,
        ),
        (9.0, 1),
        (SexForm::Letter, DateForm::MonthEn),
    ),
    // A typewriter-like form: monospaced, dotted leaders, the office in the footer band.
    spent(
        "t-p18",
        Medium::Printout,
        (LangOrder::IdEn, Arrangement::Leader),
        (NamePlacement::Labelled, OfficePlacement::Footer),
        PhotoPlacement::None,
        faces(
            FontFace::DejaVuMono,
            FontFace::DejaVuMono,
            FontFace::SansBold,
        ),
        (9.5, 1),
        (SexForm::Bilingual, DateForm::Slash),
    ),
    spent(
        "t-c4",
        Medium::Card,
        (LangOrder::EnId, Arrangement::Below),
        (NamePlacement::Labelled, OfficePlacement::None),
        PhotoPlacement::Right,
        faces(
            FontFace::DejaVuCondensed,
            FontFace::DejaVuBold,
            FontFace::DejaVuBold,
        ),
        (6.5, 1),
        (SexForm::Bilingual, DateForm::Slash),
    ),
    // An old plastic card with dotted leaders from the labels to the values.
    spent(
        "t-c5",
        Medium::Card,
        (LangOrder::EnId, Arrangement::Leader),
        (NamePlacement::Labelled, OfficePlacement::None),
        PhotoPlacement::Left,
        faces(
            FontFace::DejaVuSerif,
            FontFace::DejaVuBold,
            FontFace::DejaVuBold,
        ),
        (6.5, 1),
        (SexForm::IndonesianLetter, DateForm::Dot),
    ),
    // A card whose fields sit in a grid of ruled cells.
    spent(
        "t-c6",
        Medium::Card,
        (LangOrder::IdOnly, Arrangement::Grid),
        (NamePlacement::Labelled, OfficePlacement::None),
        PhotoPlacement::Right,
        faces(FontFace::Narrow, FontFace::SansBold, FontFace::SansBold),
        (6.5, 1),
        (SexForm::Letter, DateForm::MonthAbbr),
    ),
];

pub(super) const fn faces(label: FontFace, value: FontFace, bold: FontFace) -> Faces {
    Faces { label, value, bold }
}

/// A tuning printout family with the office in the header.
#[allow(clippy::too_many_arguments)]
const fn printout(
    id: &'static str,
    lang: LangOrder,
    arrangement: Arrangement,
    name: NamePlacement,
    photo: PhotoPlacement,
    faces: Faces,
    (size, columns): (f32, u8),
    (sex, date): (SexForm, DateForm),
) -> Family {
    Family {
        id,
        split: Split::Tuning,
        medium: Medium::Printout,
        lang,
        arrangement,
        name,
        office: OfficePlacement::Header,
        photo,
        faces,
        size,
        columns,
        sex,
        date,
        wordings: WordingSet::Tuning,
    }
}

/// A tuning card family.
const fn card(
    id: &'static str,
    lang: LangOrder,
    arrangement: Arrangement,
    photo: PhotoPlacement,
    faces: Faces,
    (sex, date): (SexForm, DateForm),
) -> Family {
    Family {
        id,
        split: Split::Tuning,
        medium: Medium::Card,
        lang,
        arrangement,
        name: NamePlacement::Labelled,
        office: OfficePlacement::None,
        photo,
        faces,
        size: 6.5,
        columns: 1,
        sex,
        date,
        wordings: WordingSet::Tuning,
    }
}

/// A tuning family that was held out until it was seen, printing the spent wordings.
#[allow(clippy::too_many_arguments)]
const fn spent(
    id: &'static str,
    medium: Medium,
    (lang, arrangement): (LangOrder, Arrangement),
    (name, office): (NamePlacement, OfficePlacement),
    photo: PhotoPlacement,
    faces: Faces,
    (size, columns): (f32, u8),
    (sex, date): (SexForm, DateForm),
) -> Family {
    Family {
        id,
        split: Split::Tuning,
        medium,
        lang,
        arrangement,
        name,
        office,
        photo,
        faces,
        size,
        columns,
        sex,
        date,
        wordings: WordingSet::Spent,
    }
}

/// The families of `split`, printouts first.
pub fn families(split: Split) -> Vec<Family> {
    match split {
        Split::Tuning => TUNING.to_vec(),
        Split::HeldOut => heldout::FAMILIES.to_vec(),
    }
}

/// Every family of both splits.
pub fn all_families() -> Vec<Family> {
    let mut all = families(Split::Tuning);
    all.extend(families(Split::HeldOut));
    all
}

impl Family {
    /// The family's choices as `(axis, value)` pairs, in the table's column order.
    pub fn choices(&self) -> [(&'static str, String); 12] {
        let faces = format!(
            "{:?}, {:?}, {:?}",
            self.faces.label, self.faces.value, self.faces.bold
        );
        [
            ("medium", format!("{:?}", self.medium).to_lowercase()),
            ("language", lang_name(self.lang).to_string()),
            (
                "arrangement",
                arrangement_name(self.arrangement).to_string(),
            ),
            ("name", format!("{:?}", self.name).to_lowercase()),
            ("office", office_name(self.office).to_string()),
            ("photo", format!("{:?}", self.photo).to_lowercase()),
            ("faces", faces),
            ("size", format!("{}", self.size)),
            ("cols", self.columns.to_string()),
            ("sex", sex_name(self.sex).to_string()),
            ("dates", date_name(self.date).to_string()),
            ("wordings", wording_set_name(self.wordings).to_string()),
        ]
    }
}

fn lang_name(l: LangOrder) -> &'static str {
    match l {
        LangOrder::IdEn => "id / en",
        LangOrder::EnId => "en / id",
        LangOrder::IdOnly => "id",
        LangOrder::EnOnly => "en",
        LangOrder::Stacked => "stacked",
        LangOrder::Other(l) => heldout_page::lang_name(l),
    }
}

fn wording_set_name(w: WordingSet) -> &'static str {
    match w {
        WordingSet::Tuning => "tuning",
        WordingSet::Spent => "spent",
        WordingSet::HeldOut => "held-out",
    }
}

fn arrangement_name(a: Arrangement) -> &'static str {
    match a {
        Arrangement::Colon => "label : value",
        Arrangement::Column => "label column",
        Arrangement::Below => "value below label",
        Arrangement::Grid => "form grid",
        Arrangement::Leader => "dotted leader",
        Arrangement::Other(a) => heldout_page::arrangement_name(a),
    }
}

fn office_name(o: OfficePlacement) -> &'static str {
    match o {
        OfficePlacement::Header => "header",
        OfficePlacement::UnderSignature => "under signature",
        OfficePlacement::Footer => "footer band",
        OfficePlacement::TopBox => "box top right",
        OfficePlacement::None => "none",
        OfficePlacement::Other(o) => heldout_page::office_name(o),
    }
}

fn sex_name(s: SexForm) -> &'static str {
    match s {
        SexForm::Letter => "M/F",
        SexForm::English => "MALE/FEMALE",
        SexForm::Indonesian => "LAKI-LAKI/PEREMPUAN",
        SexForm::IndonesianLetter => "L/P",
        SexForm::Bilingual => "LAKI-LAKI / MALE",
        SexForm::Other(f) => heldout_page::sex_name(f),
    }
}

fn date_name(d: DateForm) -> &'static str {
    match d {
        DateForm::Dash => "dd-mm-yyyy",
        DateForm::Slash => "dd/mm/yyyy",
        DateForm::Dot => "dd.mm.yyyy",
        DateForm::MonthId => "26 Januari 2024",
        DateForm::MonthEn => "26 January 2024",
        DateForm::MonthAbbr => "26 JAN 2024",
        DateForm::Other(f) => heldout_page::date_name(f),
    }
}

/// The families as a Markdown table: id, split, then every choice.
pub fn family_table(families: &[Family]) -> String {
    let mut out = String::from("| id | split |");
    let mut rule = String::from("|---|---|");
    for (axis, _) in TUNING[0].choices() {
        out.push_str(&format!(" {axis} |"));
        rule.push_str("---|");
    }
    out.push('\n');
    out.push_str(&rule);
    for f in families {
        out.push_str(&format!("\n| {} | {} |", f.id, f.split.name()));
        for (_, value) in f.choices() {
            out.push_str(&format!(" {value} |"));
        }
    }
    out.push('\n');
    out
}

/// The label lines of `wording` in language order `lang`: one line, or two when stacked.
pub fn label_lines(wording: Wording, lang: LangOrder) -> Vec<String> {
    let (id, en) = (wording.id, wording.en);
    if id.is_empty() || en.is_empty() || id == en {
        return vec![if id.is_empty() { en } else { id }.to_string()];
    }
    match lang {
        LangOrder::IdEn => vec![format!("{id} / {en}")],
        LangOrder::EnId => vec![format!("{en} / {id}")],
        LangOrder::IdOnly => vec![id.to_string()],
        LangOrder::EnOnly => vec![en.to_string()],
        LangOrder::Stacked => vec![id.to_string(), en.to_string()],
        LangOrder::Other(l) => heldout_page::label_lines_of(wording, l),
    }
}

/// The sex as `form` prints it.
pub fn print_sex(sex: Sex, form: SexForm) -> &'static str {
    let male = sex == Sex::Male;
    match form {
        SexForm::Letter => ["F", "M"][usize::from(male)],
        SexForm::English => ["FEMALE", "MALE"][usize::from(male)],
        SexForm::Indonesian => ["PEREMPUAN", "LAKI-LAKI"][usize::from(male)],
        SexForm::IndonesianLetter => ["P", "L"][usize::from(male)],
        SexForm::Bilingual => ["PEREMPUAN / FEMALE", "LAKI-LAKI / MALE"][usize::from(male)],
        SexForm::Other(f) => heldout_page::print_sex(sex, f),
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The date as `form` prints it.
pub fn print_date(date: Date, form: DateForm) -> String {
    let (d, m, y) = (date.day, date.month, date.year);
    match form {
        DateForm::Dash => date.dmy(),
        DateForm::Slash => format!("{d:02}/{m:02}/{y:04}"),
        DateForm::Dot => format!("{d:02}.{m:02}.{y:04}"),
        DateForm::MonthId => date.indonesian(),
        DateForm::MonthEn => format!("{d} {} {y}", MONTHS_EN[m as usize - 1]),
        DateForm::MonthAbbr => date.passport(),
        DateForm::Other(f) => heldout_page::print_date(date, f),
    }
}

/// A random document of `family`: a fake holder, labels drawn from the family's split, laid
/// out by [`super::family_page`].
pub fn family_document<R: Rng + ?Sized>(rng: &mut R, family: &Family, fonts: &Fonts) -> Document {
    let permanent = rng.random_bool(0.3);
    match family.medium {
        Medium::Printout => {
            let facts = Facts::sample(rng, permanent, 2021, 2025);
            super::family_page::printout(rng, fonts, family, &facts)
        }
        Medium::Card => {
            let facts = Facts::sample(rng, permanent, 2011, 2016);
            super::family_page::card(rng, fonts, family, &facts)
        }
    }
}

/// The wording of `field` on one page of `family`.
pub fn pick_wording<R: Rng + ?Sized>(rng: &mut R, family: &Family, field: LabelField) -> Wording {
    pick(rng, set_wordings(field, family.wordings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::truth::Truth;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use std::collections::HashSet;

    /// The truth value behind a printed date, or `None` if `s` is in none of the forms.
    fn parse_printed_date(s: &str) -> Option<String> {
        if let Some(d) = Date::parse(&s.replace(['/', '.'], "-")) {
            return Some(d.dmy());
        }
        if let Some(d) = heldout_page::testing::parse_date(s) {
            return Some(d);
        }
        let mut parts = s.split(' ');
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        let month = (1u32..=12).find(|&i| {
            let en = MONTHS_EN[i as usize - 1];
            let id = Date::new(1, i, 2000).map(|d| d.indonesian());
            let id = id.as_deref().and_then(|p| p.split(' ').nth(1));
            m == en || m == en[..3].to_uppercase() || Some(m) == id
        })?;
        Some(Date::new(d.parse().ok()?, month, y.parse().ok()?)?.dmy())
    }

    fn parse_printed_sex(s: &str) -> Option<&'static str> {
        match s {
            "M" | "MALE" | "LAKI-LAKI" | "L" | "LAKI-LAKI / MALE" => Some("M"),
            "F" | "FEMALE" | "PEREMPUAN" | "P" | "PEREMPUAN / FEMALE" => Some("F"),
            _ => heldout_page::testing::parse_sex(s),
        }
    }

    const FORMS: [DateForm; 6] = [
        DateForm::Dash,
        DateForm::Slash,
        DateForm::Dot,
        DateForm::MonthId,
        DateForm::MonthEn,
        DateForm::MonthAbbr,
    ];
    const SEXES: [SexForm; 5] = [
        SexForm::Letter,
        SexForm::English,
        SexForm::Indonesian,
        SexForm::IndonesianLetter,
        SexForm::Bilingual,
    ];

    #[test]
    fn sex_and_date_forms_normalise_to_the_truth() {
        let mut rng = StdRng::seed_from_u64(4);
        let forms = FORMS.iter().chain(&heldout_page::testing::DATE_FORMS);
        for _ in 0..300 {
            let d = Date::in_years(&mut rng, 1950, 2035);
            for &form in forms.clone() {
                let printed = print_date(d, form);
                assert_eq!(
                    parse_printed_date(&printed).as_deref(),
                    Some(d.dmy().as_str()),
                    "{printed}"
                );
            }
        }
        for sex in [Sex::Male, Sex::Female] {
            let code = crate::synth::truth::gender_code(sex);
            for &form in SEXES.iter().chain(&heldout_page::testing::SEX_FORMS) {
                assert_eq!(parse_printed_sex(print_sex(sex, form)), Some(code));
            }
        }
    }

    /// Whether `value` of `field` is printed in `texts` in a form `family` prints.
    fn printed(family: &Family, field: &str, value: &str, texts: &[&str]) -> bool {
        let joined = texts.join(" ");
        let squeezed: String = joined.chars().filter(|c| *c != ' ').collect();
        match field {
            "gender" => texts.iter().any(|t| parse_printed_sex(t) == Some(value)),
            "address" => joined.contains(value),
            "stay_permit_index" => squeezed.contains(value),
            _ => {
                let form = Date::parse(value).map(|d| print_date(d, family.date));
                let want = form.as_deref().unwrap_or(value);
                texts.iter().any(|t| t.contains(want))
            }
        }
    }

    fn check_document(family: &Family, truth: &Truth, texts: &[&str]) {
        for (field, value) in truth.fields() {
            if value.is_empty() {
                continue;
            }
            assert!(
                printed(family, field, value, texts),
                "{} {field} {value:?} not printed in {texts:#?}",
                family.id
            );
        }
    }

    #[test]
    fn every_family_prints_every_truth_value_and_stays_on_the_page() {
        let fonts = Fonts::load().expect("fonts installed");
        for family in all_families() {
            for seed in 0..6 {
                let mut rng = StdRng::seed_from_u64(seed);
                let doc = family_document(&mut rng, &family, &fonts);
                let texts: Vec<&str> = doc.texts().map(|t| t.text.as_str()).collect();
                let t = &doc.truth;
                assert!(t.is_permit);
                for core in [&t.full_name, &t.passport_number, &t.permit_number] {
                    assert!(!core.is_empty(), "{} {t:?}", family.id);
                }
                assert!(["M", "F"].contains(&t.gender.as_str()));
                for d in [&t.date_of_birth, &t.permit_expiry, &t.issued_date] {
                    assert!(d.is_empty() || Date::parse(d).is_some(), "{d:?}");
                }
                check_document(&family, t, &texts);
                for item in doc.texts() {
                    let b = item.bounds(&fonts);
                    assert!(
                        b[0] >= -0.01 && b[1] >= -0.01,
                        "{} {item:?} off the page",
                        family.id
                    );
                    assert!(
                        b[2] <= doc.width + 0.5 && b[3] <= doc.height + 0.5,
                        "{} {item:?} off the page",
                        family.id
                    );
                }
            }
        }
    }

    #[test]
    fn every_label_is_a_wording_of_the_familys_split() {
        let fonts = Fonts::load().expect("fonts installed");
        for family in all_families() {
            let other = match family.split {
                Split::Tuning => Split::HeldOut,
                Split::HeldOut => Split::Tuning,
            };
            let words = |split: Split| -> HashSet<&str> {
                LabelField::ALL
                    .iter()
                    .flat_map(|f| wordings(*f, split))
                    .flat_map(|w| [w.id, w.en])
                    .filter(|s| !s.is_empty())
                    .collect()
            };
            let own = words(family.split);
            let foreign_only: HashSet<&str> = words(other).difference(&own).copied().collect();
            for seed in 0..4 {
                let doc = family_document(&mut StdRng::seed_from_u64(seed), &family, &fonts);
                for t in doc.texts() {
                    // A label line is one wording or two joined by ` / ` or bracketed, maybe
                    // with a colon after it.
                    let text = t.text.trim_end_matches(':');
                    let bracketed = text
                        .strip_suffix(')')
                        .and_then(|t| t.rsplit_once(" ("))
                        .map(|(a, b)| [a, b]);
                    let parts = std::iter::once(text)
                        .chain(text.split(" / "))
                        .chain(bracketed.into_iter().flatten());
                    for part in parts {
                        assert!(
                            !foreign_only.contains(part),
                            "{} prints {:?} of the other split",
                            family.id,
                            t.text
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn split_has_its_sizes_and_held_out_choices_are_new() {
        let tuning = families(Split::Tuning);
        let held = families(Split::HeldOut);
        let count = |fs: &[Family], m: Medium| fs.iter().filter(|f| f.medium == m).count();
        assert_eq!(count(&tuning, Medium::Printout), 18);
        assert_eq!(count(&tuning, Medium::Card), 6);
        assert!(count(&held, Medium::Printout) >= 6);
        assert!(count(&held, Medium::Card) >= 2);
        assert!(
            tuning
                .iter()
                .all(|f| (f.wordings == WordingSet::HeldOut) == (f.split == Split::HeldOut))
        );
        assert!(held.iter().all(|f| f.wordings == WordingSet::HeldOut));
        assert!(tuning.iter().all(|f| f.split == Split::Tuning));
        assert!(held.iter().all(|f| f.split == Split::HeldOut));
        let ids: HashSet<_> = all_families().iter().map(|f| f.id).collect();
        assert_eq!(ids.len(), tuning.len() + held.len());
        // Each axis's values as the table prints them; a held-out family must use at least one
        // value of a layout axis (not the wordings) that no tuning family uses.
        let seen: HashSet<(&str, String)> = tuning
            .iter()
            .flat_map(|f| f.choices())
            .filter(|(axis, _)| *axis != "wordings" && *axis != "size")
            .collect();
        let faces_seen: HashSet<FontFace> = tuning
            .iter()
            .flat_map(|f| [f.faces.label, f.faces.value, f.faces.bold])
            .collect();
        for f in &held {
            let new_choice = f
                .choices()
                .into_iter()
                .filter(|(axis, _)| *axis != "wordings" && *axis != "size")
                .any(|c| !seen.contains(&(c.0, c.1.clone())));
            let new_face = [f.faces.label, f.faces.value]
                .iter()
                .any(|face| !faces_seen.contains(face));
            assert!(new_choice, "{} has no new choice", f.id);
            assert!(
                new_face || f.medium == Medium::Card,
                "{} has no new face",
                f.id
            );
        }
        for axis in ["language", "arrangement", "office", "sex", "dates"] {
            let new = held
                .iter()
                .flat_map(|f| f.choices())
                .any(|(a, v)| a == axis && !seen.contains(&(a, v.clone())));
            assert!(new, "no held-out family has a new {axis}");
        }
        // Held-out wordings are new words, not the tuning ones, in either language.
        let tuning_words: HashSet<&str> = LabelField::ALL
            .iter()
            .flat_map(|f| wordings(*f, Split::Tuning))
            .flat_map(|w| [w.id, w.en])
            .collect();
        for field in LabelField::ALL {
            let held_words = wordings(field, Split::HeldOut);
            assert!(!held_words.is_empty(), "{field:?}");
            for h in held_words {
                assert!(!tuning_words.contains(h.id), "{field:?} {h:?}");
                assert!(!tuning_words.contains(h.en), "{field:?} {h:?}");
            }
        }
        // Each family draws from its split's wordings.
        for f in all_families() {
            for field in LabelField::ALL {
                let all = wordings(field, f.split);
                assert!(
                    set_wordings(field, f.wordings)
                        .iter()
                        .all(|w| all.contains(w))
                );
            }
        }
    }

    #[test]
    fn family_table_lists_every_family_with_every_axis() {
        let table = family_table(&all_families());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2 + all_families().len());
        let columns = lines[0].matches('|').count();
        assert!(lines.iter().all(|l| l.matches('|').count() == columns));
        assert!(lines[2].starts_with("| t-p1 | tuning | printout | id / en |"));
    }

    #[test]
    fn module_doc_lists_the_tuning_families_as_the_table_does() {
        let doc = include_str!("family.rs");
        for f in TUNING {
            let row = doc
                .lines()
                .find(|l| l.starts_with(&format!("//! | {} |", f.id)))
                .unwrap_or_else(|| panic!("{} not in the module doc", f.id));
            let c = f.choices();
            for (axis, value) in &c {
                if ["wordings", "medium"].contains(axis) {
                    continue;
                }
                assert!(
                    row.contains(value.as_str()),
                    "{} {axis} {value} in {row}",
                    f.id
                );
            }
        }
    }
}
