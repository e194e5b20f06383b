//! Whole test documents with their expected reading: electronic permit printouts (e-ITAS and
//! e-ITAP in the 2021 and 2024 label generations), old ID-1 permit cards, and documents that are
//! not permits but look related (visit permit ITK, passport data page, shop receipt).
//!
//! [`sample_document`] draws one fake holder and their permit data ([`Facts`]), words it the way
//! the chosen kind prints it, lays it out and records the [`Truth`].
//!
//! Invariants:
//! - No real person or permit: every value is a random combination from [`super::text`].
//! - Dates are consistent: birth < issue < re-entry expiry <= permit expiry < passport expiry,
//!   and the holder is an adult at issue.
//! - Values use only upper-case Latin letters, digits, space and `.,/-:()` (issue lines may use
//!   mixed case, as printed); the truth holds exactly what is printed, normalised as described
//!   in [`super::truth`].

use rand::{Rng, RngExt};

use super::card;
use super::fonts::Fonts;
use super::layout::{Document, Sheet};
use super::names::pick;
use super::other;
use super::printout::{self, A4, Content, Generation, Row};
use super::text::{self, Person, Region, Sex};
use super::truth::{Date, Truth, gender_code, index_code, title_case};

/// The kinds of document the generator makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// e-ITAS printout, 2021-2023 labels.
    Eitas2021,
    /// e-ITAP printout, 2021-2023 labels.
    Eitap2021,
    /// e-ITAS printout, 2024 bilingual labels.
    Eitas2024,
    /// e-ITAP printout, 2024 bilingual labels.
    Eitap2024,
    /// Old ID-1 KITAS card.
    KitasCard,
    /// Old ID-1 KITAP card.
    KitapCard,
    /// Visit stay permit: not a KITAS/KITAP.
    Itk,
    /// Passport data page: not a permit.
    Passport,
    /// Shop receipt: not a permit.
    Receipt,
}

impl DocKind {
    /// Every kind, in declaration order.
    pub const ALL: [DocKind; 9] = [
        DocKind::Eitas2021,
        DocKind::Eitap2021,
        DocKind::Eitas2024,
        DocKind::Eitap2024,
        DocKind::KitasCard,
        DocKind::KitapCard,
        DocKind::Itk,
        DocKind::Passport,
        DocKind::Receipt,
    ];

    /// The truth's `kind`: `eitas-2021`, `eitap-2024`, `card`, `itk`, `passport`, `receipt`.
    pub fn name(self) -> &'static str {
        match self {
            DocKind::Eitas2021 => "eitas-2021",
            DocKind::Eitap2021 => "eitap-2021",
            DocKind::Eitas2024 => "eitas-2024",
            DocKind::Eitap2024 => "eitap-2024",
            DocKind::KitasCard | DocKind::KitapCard => "card",
            DocKind::Itk => "itk",
            DocKind::Passport => "passport",
            DocKind::Receipt => "receipt",
        }
    }

    /// Whether the document is a KITAS or KITAP.
    pub fn is_permit(self) -> bool {
        !matches!(self, DocKind::Itk | DocKind::Passport | DocKind::Receipt)
    }

    /// Whether it is a permanent stay permit (KITAP).
    pub fn is_permanent(self) -> bool {
        matches!(
            self,
            DocKind::Eitap2021 | DocKind::Eitap2024 | DocKind::KitapCard
        )
    }
}

/// A random document of `kind`, laid out with `fonts` (used to measure text).
pub fn sample_document<R: Rng + ?Sized>(rng: &mut R, kind: DocKind, fonts: &Fonts) -> Document {
    match kind {
        DocKind::Eitas2021 | DocKind::Eitap2021 => {
            printout_doc(rng, fonts, kind, Generation::Y2021)
        }
        DocKind::Eitas2024 | DocKind::Eitap2024 => {
            printout_doc(rng, fonts, kind, Generation::Y2024)
        }
        DocKind::KitasCard | DocKind::KitapCard => {
            let facts = Facts::sample(rng, kind.is_permanent(), 2011, 2016);
            card::card(rng, fonts, &facts)
        }
        DocKind::Itk => other::itk(rng, fonts),
        DocKind::Passport => other::passport(rng, fonts),
        DocKind::Receipt => other::receipt(rng, fonts),
    }
}

/// One fake holder's permit data, before wording.
#[derive(Debug, Clone)]
pub struct Facts {
    pub person: Person,
    pub permanent: bool,
    pub region: &'static Region,
    /// The city of the issuing office, upper case.
    pub office_city: &'static str,
    pub niora: String,
    pub permit_number: String,
    /// As printed, e.g. `VI B`.
    pub index: String,
    pub birth: Date,
    pub passport_number: String,
    pub passport_expiry: Date,
    pub address: String,
    pub occupation: &'static str,
    pub status: &'static str,
    pub guarantor: String,
    pub issued: Date,
    pub permit_expiry: Date,
    pub reentry_expiry: Date,
}

impl Facts {
    /// A holder whose permit was issued in `first_year..=last_year`.
    pub fn sample<R: Rng + ?Sized>(
        rng: &mut R,
        permanent: bool,
        first_year: u32,
        last_year: u32,
    ) -> Facts {
        let person = text::person(rng);
        let region = text::region(rng);
        let issued = Date::in_years(rng, first_year, last_year);
        let birth = Date::in_years(rng, 1952, issued.year - 19);
        let years = if permanent {
            5
        } else {
            rng.random_range(1..=2)
        };
        let permit_expiry = issued.plus_years(years).plus_days(-1);
        let reentry_expiry = permit_expiry.plus_days(-rng.random_range(0..8));
        let passport_expiry = permit_expiry.plus_days(rng.random_range(40..2600));
        let guarantor = if rng.random_bool(0.75) {
            text::company(rng)
        } else {
            text::full_name(rng)
        };
        Facts {
            permanent,
            region,
            office_city: region.cities[0],
            niora: text::niora(rng),
            permit_number: text::permit_number(rng),
            index: stay_index(rng, permanent).to_string(),
            birth,
            passport_number: text::passport_number(rng),
            passport_expiry,
            address: holder_address(rng, region),
            occupation: text::occupation(rng),
            status: text::status(rng),
            guarantor,
            issued,
            permit_expiry,
            reentry_expiry,
            person,
        }
    }

    /// The permit's title line.
    pub fn document_type(&self) -> &'static str {
        if self.permanent {
            "IZIN TINGGAL TETAP ELEKTRONIK"
        } else {
            "IZIN TINGGAL TERBATAS ELEKTRONIK"
        }
    }
}

fn stay_index<R: Rng + ?Sized>(rng: &mut R, permanent: bool) -> &'static str {
    if permanent {
        pick(rng, &["E33F", "E31E", "E28D", "VII", "VI C", "E33E"])
    } else {
        pick(
            rng,
            &[
                "C312", "C313", "C314", "C316", "C317", "E23", "E31A", "E31B", "E33G", "E28A",
                "D312", "VI B",
            ],
        )
    }
}

/// A street address, often followed by the city and sometimes the province, so that some are
/// long enough to wrap.
fn holder_address<R: Rng + ?Sized>(rng: &mut R, region: &Region) -> String {
    let mut s = text::address(rng);
    if rng.random_bool(0.7) {
        s = format!("{s} {}", pick(rng, region.cities));
    }
    if rng.random_bool(0.35) {
        s = format!("{s}, {}", region.province);
    }
    s
}

/// The gender as printed: `MALE`/`FEMALE` or `LAKI-LAKI`/`PEREMPUAN`.
pub fn printed_sex(sex: Sex, english: bool) -> &'static str {
    match (sex, english) {
        (Sex::Male, true) => "MALE",
        (Sex::Female, true) => "FEMALE",
        (sex, false) => sex.label(),
    }
}

/// The immigration office's name as its header prints it.
fn office_name<R: Rng + ?Sized>(rng: &mut R, facts: &Facts, generation: Generation) -> String {
    let class = pick(rng, &["KELAS I TPI", "KELAS I NON TPI", "KELAS II TPI"]);
    match generation {
        Generation::Y2021 => format!("KANIM {class} {}", facts.office_city),
        Generation::Y2024 => format!("KANTOR IMIGRASI {class} {}", facts.office_city),
    }
}

/// The truth fields every permit printout shares, before the rows decide what else is printed.
pub(crate) fn base_truth(kind: &str, facts: &Facts) -> Truth {
    Truth {
        is_permit: true,
        kind: kind.to_string(),
        document_type: facts.document_type().to_string(),
        full_name: facts.person.name.clone(),
        place_of_birth: facts.person.birthplace.to_string(),
        date_of_birth: facts.birth.dmy(),
        passport_number: facts.passport_number.clone(),
        passport_expiry: facts.passport_expiry.dmy(),
        nationality: facts.person.nationality.to_string(),
        gender: gender_code(facts.person.sex).to_string(),
        address: facts.address.clone(),
        occupation: facts.occupation.to_string(),
        status: facts.status.to_string(),
        niora: facts.niora.clone(),
        permit_number: facts.permit_number.clone(),
        stay_permit_index: index_code(&facts.index),
        issued_date: facts.issued.dmy(),
        ..Truth::default()
    }
}

fn printout_doc<R: Rng + ?Sized>(
    rng: &mut R,
    fonts: &Fonts,
    kind: DocKind,
    generation: Generation,
) -> Document {
    let years = match generation {
        Generation::Y2021 => (2019, 2023),
        Generation::Y2024 => (2024, 2025),
    };
    let facts = Facts::sample(rng, kind.is_permanent(), years.0, years.1);
    let mut truth = base_truth(kind.name(), &facts);
    let content = permit_content(rng, &facts, generation, &mut truth);
    let mut sheet = Sheet::new(fonts, A4[0], A4[1]);
    printout::draw(rng, &mut sheet, &content);
    sheet.finish(paper(rng), truth)
}

/// Office paper: a slightly warm white.
pub fn paper<R: Rng + ?Sized>(rng: &mut R) -> [u8; 3] {
    let white: u8 = rng.random_range(246..=255);
    [
        white,
        white - rng.random_range(0..=2),
        white - rng.random_range(1..=5),
    ]
}

/// The wording of a permit printout; fills the truth's optional and header fields to match.
fn permit_content<R: Rng + ?Sized>(
    rng: &mut R,
    facts: &Facts,
    generation: Generation,
    truth: &mut Truth,
) -> Content {
    let header = header(rng, facts, generation, truth);
    let english_title = match (facts.permanent, rng.random_bool(0.5)) {
        (true, _) => "ELECTRONIC PERMANENT STAY PERMIT",
        (false, true) => "ELECTRONIC LIMITED STAY PERMIT",
        (false, false) => "TEMPORARY STAY PERMIT",
    };
    let mut title = vec![facts.document_type().to_string()];
    if generation == Generation::Y2024 || rng.random_bool(0.5) {
        title.push(english_title.to_string());
    }
    let name_title = (generation == Generation::Y2024 && rng.random_bool(0.3))
        .then(|| facts.person.name.clone());
    let rows = match generation {
        Generation::Y2021 => rows_2021(rng, facts, truth),
        Generation::Y2024 => rows_2024(rng, facts, truth, name_title.is_none()),
    };
    Content {
        generation,
        header,
        title,
        name_title,
        top: top_rows(rng, facts, generation, truth),
        rows,
        issue_line: issue_line(rng, facts, generation, truth),
        signatory: signatory(rng, facts),
    }
}

/// Ministry, region, office and office address; the 2024 header may leave the office out.
fn header<R: Rng + ?Sized>(
    rng: &mut R,
    facts: &Facts,
    generation: Generation,
    truth: &mut Truth,
) -> Vec<String> {
    let mut lines = Vec::new();
    match generation {
        Generation::Y2021 => {
            if rng.random_bool(0.4) {
                lines.push("REPUBLIK INDONESIA".to_string());
            }
            lines.push("KEMENTERIAN HUKUM DAN HAK ASASI MANUSIA".to_string());
        }
        Generation::Y2024 => {
            let ministry = pick(
                rng,
                &[
                    "DIRECTORATE GENERAL OF IMMIGRATION",
                    "KEMENTERIAN IMIGRASI DAN PEMASYARAKATAN",
                ],
            );
            lines.push(ministry.to_string());
            if ministry.starts_with("KEMENTERIAN") {
                lines.push("DIREKTORAT JENDERAL IMIGRASI".to_string());
            }
            if rng.random_bool(0.35) {
                return lines;
            }
        }
    }
    truth.office_region = format!("KANTOR WILAYAH {}", facts.region.name);
    truth.office_name = office_name(rng, facts, generation);
    truth.office_address = format!("{} {}", text::address(rng), facts.office_city);
    lines.push(truth.office_region.clone());
    lines.push(truth.office_name.clone());
    lines.push(truth.office_address.clone());
    lines
}

/// NIORA, permit number, re-entry permit expiry and index, beside the photo.
fn top_rows<R: Rng + ?Sized>(
    rng: &mut R,
    facts: &Facts,
    generation: Generation,
    truth: &mut Truth,
) -> Vec<Row> {
    let y21 = generation == Generation::Y2021;
    let reentry = facts.reentry_expiry.dmy();
    // A few permits carry a single re-entry permit instead of a multiple one.
    let single = rng.random_bool(0.1);
    let reentry_row = match (single, y21) {
        (false, true) => Row::new("", "Stay/Multiple Entries Permit Expiry", reentry.clone()),
        (false, false) => Row::new(
            "Izin Masuk Kembali Beberapa Kali s/d",
            "Multiple Re-entry Permit Expiry",
            reentry.clone(),
        ),
        (true, true) => Row::new("", "Stay/Entries Permit Expiry", reentry.clone()),
        (true, false) => Row::new(
            "Izin Masuk Kembali Satu Kali s/d",
            "Single Re-entry Permit Expiry",
            reentry.clone(),
        ),
    };
    if single {
        truth.stay_entries_permit_expiry = reentry;
    } else {
        truth.stay_multiple_entries_permit_expiry = reentry;
    }
    let (niora, number, index) = if y21 {
        (
            Row::new("", "NIORA", facts.niora.clone()),
            Row::new(
                "",
                pick(rng, &["Permit Number", "Stay Permit No."]),
                facts.permit_number.clone(),
            ),
            Row::new("", "Stay Permit Index", facts.index.clone()),
        )
    } else {
        (
            Row::new("No. Register", "NIORA", facts.niora.clone()),
            Row::new(
                "Nomor Izin Tinggal",
                "Permit Number",
                facts.permit_number.clone(),
            ),
            Row::new(
                "Indeks Izin Tinggal",
                "Stay Permit Index",
                facts.index.clone(),
            ),
        )
    };
    vec![niora, number, reentry_row, index]
}

/// The 2021-2023 personal rows with English labels.
fn rows_2021<R: Rng + ?Sized>(rng: &mut R, facts: &Facts, truth: &mut Truth) -> Vec<Row> {
    let p = &facts.person;
    let mut rows = vec![
        Row::new("", pick(rng, &["Full Name", "Name"]), p.name.clone()),
        Row::new(
            "",
            pick(rng, &["Place / Date of Birth", "Place/Date of Birth"]),
            format!("{} / {}", p.birthplace, facts.birth.dmy()),
        ),
        Row::new(
            "",
            pick(rng, &["Passport Number", "Passport No."]),
            facts.passport_number.clone(),
        ),
        Row::new("", "Passport Expiry", facts.passport_expiry.dmy()),
        Row::new("", "Nationality", p.nationality),
        Row::new(
            "",
            pick(rng, &["Gender", "Sex"]),
            printed_sex(p.sex, rng.random_bool(0.8)),
        ),
        Row::new("", "Address", facts.address.clone()).wrapping(),
        Row::new("", "Occupation", facts.occupation),
    ];
    if rng.random_bool(0.7) {
        let label = pick(rng, &["Guarantor Name", "Sponsor"]);
        rows.push(Row::new("", label, facts.guarantor.clone()));
        truth.guarantor_name = facts.guarantor.clone();
    }
    rows.push(Row::new("", "Status", facts.status));
    if rng.random_bool(0.5) {
        let label = pick(rng, &["Valid Until", "Expired date"]);
        rows.push(Row::new("", label, facts.permit_expiry.dmy()));
        truth.permit_expiry = facts.permit_expiry.dmy();
    }
    rows
}

/// The 2024 personal rows with bilingual labels; the name row only if the name is not a title.
fn rows_2024<R: Rng + ?Sized>(
    rng: &mut R,
    facts: &Facts,
    truth: &mut Truth,
    name_row: bool,
) -> Vec<Row> {
    let p = &facts.person;
    let mut rows = Vec::new();
    if name_row {
        rows.push(Row::new("Nama", "Name", p.name.clone()));
    }
    let sex = printed_sex(p.sex, rng.random_bool(0.4));
    rows.extend([
        Row::new(
            "Tempat/Tgl. Lahir",
            "Place/Date of Birth",
            format!("{}, {}", p.birthplace, facts.birth.dmy()),
        ),
        Row::new(
            "No. Paspor",
            "Passport Number",
            facts.passport_number.clone(),
        ),
        Row::new(
            "Tgl. Habis Berlaku Paspor",
            "Passport Expiry",
            facts.passport_expiry.dmy(),
        ),
        Row::new("Kewarganegaraan", "Nationality", p.nationality),
        Row::new("Jenis Kelamin", "Sex", sex),
        Row::new("Alamat", "Address", facts.address.clone()).wrapping(),
        Row::new("Pekerjaan", "Occupation", facts.occupation),
    ]);
    if rng.random_bool(0.7) {
        let (id, en) = pick(rng, &[("Penjamin", "Guarantor"), ("Penjamin", "Sponsor")]);
        rows.push(Row::new(id, en, facts.guarantor.clone()));
        truth.guarantor_name = facts.guarantor.clone();
    }
    rows.push(Row::new("Status", "Status", facts.status));
    if rng.random_bool(0.6) {
        let id = pick(rng, &["Berlaku s/d", "Berlaku Hingga"]);
        rows.push(Row::new(id, "Valid Until", facts.permit_expiry.dmy()));
        truth.permit_expiry = facts.permit_expiry.dmy();
    }
    rows
}

/// `Pangkalpinang, 16-07-2019` or `Jakarta Selatan, 26 Januari 2024`; sets the issue place.
fn issue_line<R: Rng + ?Sized>(
    rng: &mut R,
    facts: &Facts,
    generation: Generation,
    truth: &mut Truth,
) -> String {
    let place = if rng.random_bool(0.2) {
        facts.office_city.to_string()
    } else {
        title_case(facts.office_city)
    };
    let spelled = match generation {
        Generation::Y2021 => rng.random_bool(0.15),
        Generation::Y2024 => rng.random_bool(0.5),
    };
    let date = if spelled {
        facts.issued.indonesian()
    } else {
        facts.issued.dmy()
    };
    truth.issued_place = place.clone();
    format!("{place}, {date}")
}

fn signatory<R: Rng + ?Sized>(rng: &mut R, facts: &Facts) -> Vec<String> {
    let office = format!("KEPALA KANTOR IMIGRASI {}", facts.office_city);
    if rng.random_bool(0.5) {
        vec!["a.n. DIREKTUR JENDERAL IMIGRASI".to_string(), office]
    } else {
        vec![office]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    /// How a truth value may appear in print: exactly, or in its printed form before
    /// normalisation.
    fn printed_forms(field: &str, value: &str) -> Vec<String> {
        // A bare `M` would be found in any text, so gender must appear as a printed word.
        let mut forms = match (field, value) {
            ("gender", "M") => vec!["MALE".to_string(), "LAKI-LAKI".to_string()],
            ("gender", _) => vec!["FEMALE".to_string(), "PEREMPUAN".to_string()],
            _ => vec![value.to_string()],
        };
        if let Some(d) = Date::parse(value) {
            forms.push(d.indonesian());
            forms.push(d.passport());
        }
        forms
    }

    fn docs(fonts: &Fonts, per_kind: u64) -> Vec<Document> {
        let mut out = Vec::new();
        for (k, kind) in DocKind::ALL.into_iter().enumerate() {
            for i in 0..per_kind {
                let mut rng = StdRng::seed_from_u64(1000 * k as u64 + i);
                out.push(sample_document(&mut rng, kind, fonts));
            }
        }
        out
    }

    #[test]
    fn every_truth_value_is_drawn() {
        let fonts = Fonts::load().expect("fonts installed");
        for doc in docs(&fonts, 12) {
            let texts: Vec<&str> = doc.texts().map(|t| t.text.as_str()).collect();
            let joined = texts.join(" ");
            let squeezed: String = joined.chars().filter(|c| *c != ' ').collect();
            for (field, value) in doc.truth.fields() {
                if value.is_empty() {
                    continue;
                }
                let found = printed_forms(field, value).iter().any(|form| {
                    // `MALE` is inside `FEMALE`: a printed gender must be a whole item.
                    let whole = field == "gender";
                    texts.iter().any(|t| {
                        if whole {
                            t == form
                        } else {
                            t.contains(form.as_str())
                        }
                    }) || (field == "address" && joined.contains(form.as_str()))
                        || (field == "stay_permit_index" && squeezed.contains(form.as_str()))
                });
                assert!(
                    found,
                    "{} {field} {value:?} not drawn in {texts:#?}",
                    doc.truth.kind
                );
            }
        }
    }

    #[test]
    fn truth_dates_are_valid_and_ordered() {
        let fonts = Fonts::load().expect("fonts installed");
        for doc in docs(&fonts, 15).into_iter().filter(|d| d.truth.is_permit) {
            let t = &doc.truth;
            let date = |s: &str| Date::parse(s).unwrap_or_else(|| panic!("bad date {s:?}"));
            let birth = date(&t.date_of_birth);
            // Cards print no passport expiry; their permit expiry is the latest date then.
            let passport = match t.passport_expiry.as_str() {
                "" => date(&t.permit_expiry).plus_days(1),
                printed => date(printed),
            };
            assert!(birth.plus_years(18) < passport, "{t:?}");
            if !t.issued_date.is_empty() {
                let issued = date(&t.issued_date);
                assert!(birth.plus_years(18) < issued, "{t:?}");
                for later in [&t.permit_expiry, &t.stay_multiple_entries_permit_expiry] {
                    if !later.is_empty() {
                        assert!(issued < date(later), "{t:?}");
                        assert!(date(later) < passport, "{t:?}");
                    }
                }
            }
            assert!(t.permit_expiry.is_empty() || Date::parse(&t.permit_expiry).is_some());
            assert!(["M", "F"].contains(&t.gender.as_str()), "{t:?}");
            assert!(!t.stay_permit_index.contains(' '));
        }
    }

    #[test]
    fn non_permits_have_empty_permit_fields_and_permits_the_core_ones() {
        let fonts = Fonts::load().expect("fonts installed");
        for doc in docs(&fonts, 6) {
            let t = &doc.truth;
            if t.is_permit {
                for core in [
                    &t.full_name,
                    &t.document_type,
                    &t.passport_number,
                    &t.permit_number,
                ] {
                    assert!(!core.is_empty(), "{t:?}");
                }
                let kitap = t.document_type.contains("TETAP");
                assert_eq!(
                    kitap,
                    t.kind.starts_with("eitap") || t.document_type == "KARTU IZIN TINGGAL TETAP"
                );
            } else {
                assert!(t.fields().iter().all(|(_, v)| v.is_empty()), "{t:?}");
                assert!(["itk", "passport", "receipt"].contains(&t.kind.as_str()));
            }
        }
    }

    #[test]
    fn values_use_the_recognisers_alphabet_and_stay_on_the_page() {
        let fonts = Fonts::load().expect("fonts installed");
        for doc in docs(&fonts, 6) {
            for (field, value) in doc.truth.fields() {
                let ok = |c: char| {
                    c.is_ascii_uppercase() || c.is_ascii_digit() || " .,/-:()".contains(c)
                };
                let mixed_case_ok = field == "issued_place";
                assert!(
                    value
                        .chars()
                        .all(|c| ok(c) || (mixed_case_ok && c.is_ascii_lowercase())),
                    "{field} {value:?}"
                );
            }
            for t in doc.texts() {
                let b = t.bounds(&fonts);
                assert!(b[0] >= 0.0 && b[1] >= 0.0, "{t:?} off the page");
                assert!(
                    b[2] <= doc.width + 0.5 && b[3] <= doc.height + 0.5,
                    "{t:?} off the page"
                );
            }
        }
    }

    #[test]
    fn layouts_vary_between_pages() {
        let fonts = Fonts::load().expect("fonts installed");
        let name_x: Vec<i32> = (0..8)
            .map(|seed| {
                let doc =
                    sample_document(&mut StdRng::seed_from_u64(seed), DocKind::Eitas2021, &fonts);
                let name = doc.truth.full_name.clone();
                let item = doc.texts().find(|t| t.text == name).expect("name drawn");
                (item.x * 10.0) as i32
            })
            .collect();
        let distinct: std::collections::HashSet<_> = name_x.iter().collect();
        assert!(distinct.len() >= 6, "name column x {name_x:?}");
    }

    #[test]
    fn same_seed_same_document() {
        let fonts = Fonts::load().expect("fonts installed");
        for kind in DocKind::ALL {
            let a = sample_document(&mut StdRng::seed_from_u64(5), kind, &fonts);
            let b = sample_document(&mut StdRng::seed_from_u64(5), kind, &fonts);
            assert_eq!(a, b, "{kind:?}");
        }
    }
}
