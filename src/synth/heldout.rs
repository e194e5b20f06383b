//! The held-out half of the layout families ([`super::family`]): label wordings and family
//! definitions the reader is never tuned on.
//!
//! Whoever tunes the reader (`src/kitas/`) must not read this file, nor copy its wordings into
//! the reader: `kitascan bench accuracy --held-out` measures how the reader does on layouts and
//! labels it has not seen, and that number means something only while they stay unseen. The
//! wordings are plausible ones a real office's template might print, written for this file, not
//! taken from documents.
//!
//! The layout choices only held-out families use are defined and drawn in
//! [`super::heldout_page`], which is not to be read either.
//!
//! Invariants (tested in `family`): no wording here, nor either language of one, is also a
//! tuning wording; every family here has [`Split::HeldOut`] and uses at least one layout choice
//! no tuning family uses, and every printout family a face no tuning family uses.

use super::family::{
    Arrangement, DateForm, Faces, Family, LabelField, LangOrder, Medium, NamePlacement,
    OfficePlacement, PhotoPlacement, SexForm, Split, Wording, WordingSet, faces,
};
use super::fonts::FontFace;
use super::heldout_page::{Arrange, DatePrint, Lang, Office, SexPrint};

/// A wording as a struct expression, so that lists of them are promoted to statics.
macro_rules! w {
    ($id:expr, $en:expr $(,)?) => {
        Wording { id: $id, en: $en }
    };
}

/// The held-out wordings of `field`.
pub(super) fn wordings(field: LabelField) -> &'static [Wording] {
    use LabelField as F;
    match field {
        F::Niora => &[
            w!("No. Registrasi", "Registration No."),
            w!("Nomor Induk Orang Asing", "Foreigner Registration No."),
        ],
        F::PermitNumber => &[
            w!("No. KITAS/KITAP", "KITAS/KITAP No."),
            w!("Nomor Dokumen Izin Tinggal", "Stay Permit Document No."),
        ],
        F::ReentryExpiry => &[
            w!("Masa Berlaku Izin Masuk Kembali", "Re-entry Permit Expires"),
            w!("Izin Keluar Masuk Kembali s/d", "MERP Expires On"),
        ],
        F::Index => &[
            w!("Indeks Visa", "Visa Index"),
            w!("Kode Izin Tinggal", "Stay Permit Code"),
        ],
        F::Name => &[
            w!("Nama Pemegang Izin", "Name of Holder"),
            w!("Nama Sesuai Paspor", "Name as in Passport"),
        ],
        F::Birth => &[
            w!("Tempat/Tanggal Lahir", "Birthplace/Birth Date"),
            w!("Tmp./Tgl. Lahir", "Place & Date of Birth"),
        ],
        F::PassportNumber => &[
            w!("No. Dokumen Perjalanan", "Travel Doc. No."),
            w!("Nomor Paspor/Dok. Perjalanan", "Passport/Travel Doc. No."),
        ],
        F::PassportExpiry => &[
            w!("Masa Laku Paspor", "Passport Expires On"),
            w!("Tgl. Kedaluwarsa Paspor", "Expiry of Passport"),
        ],
        F::Nationality => &[
            w!("Warganegara", "Country of Citizenship"),
            w!("Negara Asal", "Nationality/Country"),
        ],
        F::Sex => &[
            w!("Jns. Kelamin", "Sex/Gender"),
            w!("J. Kelamin", "Male/Female"),
        ],
        F::Address => &[
            w!("Alamat Domisili", "Domicile Address"),
            w!("Alamat Lengkap", "Full Address"),
        ],
        F::Occupation => &[
            w!("Profesi", "Profession"),
            w!("Jabatan/Pekerjaan", "Occupation/Position"),
        ],
        F::Guarantor => &[
            w!("Penjamin/Sponsor", "Guarantor/Sponsor"),
            w!("Nama Sponsor", "Name of Guarantor"),
        ],
        F::Status => &[
            w!("Status Keimigrasian", "Immigration Status"),
            w!("Jenis Kegiatan", "Type of Activity"),
        ],
        F::PermitExpiry => &[
            w!("Berlaku Sampai", "Valid Through"),
            w!("Masa Berlaku Izin Tinggal", "Stay Permit Expiry"),
            w!("Tanggal Berakhir Izin", "End of Permit Validity"),
        ],
        F::IssuedBy => &[
            w!("Dikeluarkan di", "Issued at"),
            w!("Instansi Penerbit", "Issuing Agency"),
        ],
    }
}

/// The held-out families, printouts first.
pub(super) const FAMILIES: [Family; 11] = [
    family(
        "h-p10",
        Medium::Printout,
        (
            LangOrder::Other(Lang::IdParen),
            Arrangement::Other(Arrange::Table),
        ),
        (
            NamePlacement::Labelled,
            OfficePlacement::Other(Office::Letterhead),
        ),
        PhotoPlacement::Right,
        faces(FontFace::Sans, FontFace::NarrowBold, FontFace::SansBold),
        (9.5, 1),
        (
            SexForm::Other(SexPrint::TitleCase),
            DateForm::Other(DatePrint::Iso),
        ),
    ),
    family(
        "h-p11",
        Medium::Printout,
        (
            LangOrder::Other(Lang::EnStacked),
            Arrangement::Other(Arrange::RunIn),
        ),
        (
            NamePlacement::Heading,
            OfficePlacement::Other(Office::BottomLeft),
        ),
        PhotoPlacement::Left,
        faces(FontFace::Serif, FontFace::Mono, FontFace::SerifBold),
        (10.0, 1),
        (
            SexForm::Other(SexPrint::EnId),
            DateForm::Other(DatePrint::MonthIdAbbr),
        ),
    ),
    family(
        "h-p12",
        Medium::Printout,
        (LangOrder::IdEn, Arrangement::Other(Arrange::Table)),
        (
            NamePlacement::Labelled,
            OfficePlacement::Other(Office::BottomLeft),
        ),
        PhotoPlacement::None,
        faces(
            FontFace::DejaVuSerifCondensed,
            FontFace::DejaVuSerifCondensed,
            FontFace::DejaVuBold,
        ),
        (9.5, 2),
        (
            SexForm::Other(SexPrint::PriaWanita),
            DateForm::Other(DatePrint::DashAbbr),
        ),
    ),
    family(
        "h-p13",
        Medium::Printout,
        (LangOrder::IdOnly, Arrangement::Other(Arrange::RunIn)),
        (
            NamePlacement::Labelled,
            OfficePlacement::Other(Office::Letterhead),
        ),
        PhotoPlacement::Right,
        faces(FontFace::Mono, FontFace::Mono, FontFace::MonoBold),
        (9.5, 1),
        (SexForm::IndonesianLetter, DateForm::Other(DatePrint::Iso)),
    ),
    family(
        "h-p14",
        Medium::Printout,
        (LangOrder::EnId, Arrangement::Colon),
        (
            NamePlacement::Heading,
            OfficePlacement::Other(Office::Letterhead),
        ),
        PhotoPlacement::Left,
        faces(FontFace::Narrow, FontFace::NarrowBold, FontFace::NarrowBold),
        (10.0, 1),
        (
            SexForm::Other(SexPrint::EnId),
            DateForm::Other(DatePrint::DashAbbr),
        ),
    ),
    family(
        "h-p15",
        Medium::Printout,
        (LangOrder::Other(Lang::IdParen), Arrangement::Below),
        (NamePlacement::Labelled, OfficePlacement::Header),
        PhotoPlacement::None,
        faces(
            FontFace::DejaVuCondensed,
            FontFace::DejaVuCondensedBold,
            FontFace::DejaVuCondensedBold,
        ),
        (9.0, 2),
        (
            SexForm::Other(SexPrint::TitleCase),
            DateForm::Other(DatePrint::MonthIdAbbr),
        ),
    ),
    family(
        "h-p16",
        Medium::Printout,
        (LangOrder::Stacked, Arrangement::Other(Arrange::Table)),
        (NamePlacement::Heading, OfficePlacement::TopBox),
        PhotoPlacement::Right,
        faces(
            FontFace::DejaVuSerifCondensed,
            FontFace::DejaVuSerif,
            FontFace::DejaVuBold,
        ),
        (10.0, 1),
        (SexForm::Bilingual, DateForm::Other(DatePrint::Iso)),
    ),
    family(
        "h-p17",
        Medium::Printout,
        (LangOrder::EnOnly, Arrangement::Other(Arrange::Table)),
        (
            NamePlacement::Heading,
            OfficePlacement::Other(Office::BottomLeft),
        ),
        PhotoPlacement::Left,
        faces(FontFace::NarrowBold, FontFace::Sans, FontFace::SansBold),
        (9.5, 2),
        (SexForm::English, DateForm::Other(DatePrint::DashAbbr)),
    ),
    family(
        "h-c4",
        Medium::Card,
        (
            LangOrder::Other(Lang::IdParen),
            Arrangement::Other(Arrange::Table),
        ),
        (NamePlacement::Labelled, OfficePlacement::None),
        PhotoPlacement::Left,
        faces(FontFace::Narrow, FontFace::NarrowBold, FontFace::NarrowBold),
        (6.5, 1),
        (
            SexForm::Other(SexPrint::TitleCase),
            DateForm::Other(DatePrint::DashAbbr),
        ),
    ),
    family(
        "h-c5",
        Medium::Card,
        (
            LangOrder::Other(Lang::EnStacked),
            Arrangement::Other(Arrange::RunIn),
        ),
        (NamePlacement::Labelled, OfficePlacement::None),
        PhotoPlacement::Right,
        faces(
            FontFace::DejaVuSerifCondensed,
            FontFace::DejaVuCondensedBold,
            FontFace::DejaVuBold,
        ),
        (6.5, 1),
        (
            SexForm::Other(SexPrint::EnId),
            DateForm::Other(DatePrint::Iso),
        ),
    ),
    family(
        "h-c6",
        Medium::Card,
        (LangOrder::IdEn, Arrangement::Below),
        (NamePlacement::Labelled, OfficePlacement::None),
        PhotoPlacement::Right,
        faces(FontFace::Serif, FontFace::MonoBold, FontFace::SerifBold),
        (6.5, 1),
        (
            SexForm::Other(SexPrint::PriaWanita),
            DateForm::Other(DatePrint::MonthIdAbbr),
        ),
    ),
];

#[allow(clippy::too_many_arguments)]
const fn family(
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
        split: Split::HeldOut,
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
        wordings: WordingSet::HeldOut,
    }
}
