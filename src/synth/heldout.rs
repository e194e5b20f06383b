//! The held-out half of the layout families ([`super::family`]): label wordings and family
//! definitions the reader is never tuned on.
//!
//! Whoever tunes the reader (`src/kitas/`) must not read this file, nor copy its wordings into
//! the reader: `kitascan bench accuracy --held-out` measures how the reader does on layouts and
//! labels it has not seen, and that number means something only while they stay unseen. The
//! wordings are plausible ones a real office's template might print, written for this file, not
//! taken from documents.
//!
//! Invariants (tested in `family`): no wording here is also a tuning wording; every family here
//! has [`Split::HeldOut`] and uses at least one layout choice no tuning family uses.

use super::family::{
    Arrangement, DateForm, Faces, Family, LabelField, LangOrder, Medium, NamePlacement,
    OfficePlacement, PhotoPlacement, SexForm, Split, Wording, faces,
};
use super::fonts::FontFace;

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

/// The held-out families, printouts first.
pub(super) const FAMILIES: [Family; 12] = [
    family(
        "h-p1",
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
    family(
        "h-p2",
        Medium::Printout,
        (LangOrder::IdOnly, Arrangement::Colon),
        (NamePlacement::Heading, OfficePlacement::UnderSignature),
        PhotoPlacement::Left,
        faces(FontFace::Narrow, FontFace::Narrow, FontFace::SansBold),
        (10.0, 2),
        (SexForm::IndonesianLetter, DateForm::Dot),
    ),
    family(
        "h-p3",
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
    family(
        "h-p4",
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
    family(
        "h-p5",
        Medium::Printout,
        (LangOrder::IdOnly, Arrangement::Below),
        (NamePlacement::Labelled, OfficePlacement::UnderSignature),
        PhotoPlacement::Left,
        faces(FontFace::Serif, FontFace::DejaVuSerif, FontFace::SerifBold),
        (10.0, 1),
        (SexForm::Indonesian, DateForm::MonthEn),
    ),
    // A form grid of ruled boxes, the office in a band at the foot of the page.
    family(
        "h-p6",
        Medium::Printout,
        (LangOrder::IdOnly, Arrangement::Grid),
        (NamePlacement::Labelled, OfficePlacement::Footer),
        PhotoPlacement::Right,
        faces(FontFace::Narrow, FontFace::Narrow, FontFace::SansBold),
        (9.5, 1),
        (SexForm::Bilingual, DateForm::MonthAbbr),
    ),
    // Dotted leaders, the office in a box at the top right beside a flush-left title.
    family(
        "h-p7",
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
    family(
        "h-p8",
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
    family(
        "h-p9",
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
    family(
        "h-c1",
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
    family(
        "h-c2",
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
    family(
        "h-c3",
        Medium::Card,
        (LangOrder::IdOnly, Arrangement::Grid),
        (NamePlacement::Labelled, OfficePlacement::None),
        PhotoPlacement::Right,
        faces(FontFace::Narrow, FontFace::SansBold, FontFace::SansBold),
        (6.5, 1),
        (SexForm::Letter, DateForm::MonthAbbr),
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
    }
}
