//! Fake field values as they print on a residence permit: dates, permit numbers, NIORA, passport
//! numbers, Indonesian addresses, places, occupations and permit statuses.
//!
//! Values have the shape and vocabulary of real ones (upper case, Indonesian abbreviations such as
//! `JL.`, `RT.`, `KM.`) so that the recognizer is tested on what it will meet, but every value is a
//! random combination. Names and nationalities live in [`super::names`] and are re-exported here.

use rand::{Rng, RngExt};

use super::names::pick;
pub use super::names::{Person, Sex, full_name, nationalities, person};

/// A kind of single text line, for recognizer tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// A full name, e.g. `YOUXING CHEN`.
    Name,
    /// A date `dd-mm-yyyy`.
    Date,
    /// A permit number, NIORA or passport number.
    Code,
    /// An Indonesian street address.
    Address,
}

impl LineKind {
    /// Every kind, in declaration order.
    pub const ALL: [LineKind; 4] = [
        LineKind::Name,
        LineKind::Date,
        LineKind::Code,
        LineKind::Address,
    ];
}

/// One random value of `kind`.
pub fn sample_line<R: Rng + ?Sized>(rng: &mut R, kind: LineKind) -> String {
    match kind {
        LineKind::Name => full_name(rng),
        LineKind::Date => date(rng),
        LineKind::Code => match rng.random_range(0..3) {
            0 => permit_number(rng),
            1 => niora(rng),
            _ => passport_number(rng),
        },
        LineKind::Address => address(rng),
    }
}

/// A valid calendar date `dd-mm-yyyy` between 1950 and 2035.
pub fn date<R: Rng + ?Sized>(rng: &mut R) -> String {
    date_between(rng, 1950, 2035)
}

/// A valid calendar date `dd-mm-yyyy` with the year in `first_year..=last_year`.
pub fn date_between<R: Rng + ?Sized>(rng: &mut R, first_year: u32, last_year: u32) -> String {
    let year = rng.random_range(first_year..=last_year.max(first_year));
    let month = rng.random_range(1..=12);
    let day = rng.random_range(1..=days_in_month(year, month));
    format!("{day:02}-{month:02}-{year:04}")
}

/// Days in `month` (1-12) of `year`, leap years included.
pub fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn letters<R: Rng + ?Sized>(rng: &mut R, n: usize) -> String {
    (0..n)
        .map(|_| char::from(rng.random_range(b'A'..=b'Z')))
        .collect()
}

fn digits<R: Rng + ?Sized>(rng: &mut R, n: usize) -> String {
    (0..n)
        .map(|_| char::from(rng.random_range(b'0'..=b'9')))
        .collect()
}

/// A permit number like `2C21HB0016AT` or `2C25AU1440-A`: permit class digit and letter, two-digit
/// year of issue, office letters, four-digit serial, then two letters or `-A`.
pub fn permit_number<R: Rng + ?Sized>(rng: &mut R) -> String {
    let class = rng.random_range(1..=4);
    let letter = char::from(rng.random_range(b'A'..=b'F'));
    let year = rng.random_range(10..=26);
    let office = letters(rng, 2);
    let serial = digits(rng, 4);
    let tail = if rng.random_bool(0.3) {
        "-A".to_string()
    } else {
        letters(rng, 2)
    };
    format!("{class}{letter}{year}{office}{serial}{tail}")
}

/// A NIORA (foreigner registration number) like `3ATAA20536` or `A1U1RACO10950`: a mixed
/// letter/digit prefix of 5 to 8 characters, mostly letters, then five digits.
pub fn niora<R: Rng + ?Sized>(rng: &mut R) -> String {
    let prefix_len = rng.random_range(5..=8);
    let mut s: String = (0..prefix_len)
        .map(|_| {
            if rng.random_bool(0.3) {
                char::from(rng.random_range(b'0'..=b'9'))
            } else {
                char::from(rng.random_range(b'A'..=b'Z'))
            }
        })
        .collect();
    s.push_str(&digits(rng, 5));
    s
}

/// A passport number in one of the common shapes: `G59337358` (letter, 8 digits), `AU1095500`
/// (2 letters, 7 digits), `J1234567` (letter, 7 digits) or 9 digits.
pub fn passport_number<R: Rng + ?Sized>(rng: &mut R) -> String {
    match rng.random_range(0..4) {
        0 => letters(rng, 1) + &digits(rng, 8),
        1 => letters(rng, 2) + &digits(rng, 7),
        2 => letters(rng, 1) + &digits(rng, 7),
        _ => char::from(rng.random_range(b'1'..=b'9')).to_string() + &digits(rng, 8),
    }
}

const STREETS: &[&str] = &[
    "JEND. SUDIRMAN",
    "SUDIRMAN",
    "GATOT SUBROTO",
    "JEND. AHMAD YANI",
    "DIPONEGORO",
    "MERDEKA",
    "SOEKARNO HATTA",
    "MAYOR SYAFRIE RACHMAN",
    "DEPATI AMIR",
    "KOLONEL H. BARLIAN",
    "HASANUDDIN",
    "PATTIMURA",
    "IMAM BONJOL",
    "MANGGA DUA",
    "KEMANG RAYA",
    "MELATI",
    "ANGGREK",
    "KENANGA",
    "PAHLAWAN",
    "BASUKI RAHMAT",
    "RAYA SUNGAILIAT",
    "RAYA KOBA",
    "TUNTUNG",
    "SELAN",
    "KAMPUNG BARU",
    "TELUK BAYUR",
    "MH. THAMRIN",
    "HR. RASUNA SAID",
];
const COMPLEXES: &[&str] = &[
    "GRIYA ASRI",
    "BUKIT PERMAI",
    "TAMAN SARI",
    "PURI INDAH",
    "CITRA GARDEN",
    "GRAHA KENCANA",
    "BANGKA PERMAI",
    "VILLA MAWAR",
    "PESONA INDAH",
    "BUMI SERPONG DAMAI",
    "TAMAN ANGGREK",
];

/// An Indonesian street address, e.g. `JL. RAYA SUNGAILIAT NO. 12 RT. 003 RW. 005`,
/// `JL. JEND. SUDIRMAN KM. 3` or `KOMP. GRIYA ASRI BLOK A2 NO. 7`.
pub fn address<R: Rng + ?Sized>(rng: &mut R) -> String {
    match rng.random_range(0..5) {
        0 | 1 => street_with_number(rng),
        2 => format!(
            "{} {} KM. {}",
            street_word(rng),
            pick(rng, STREETS),
            rng.random_range(1..=25)
        ),
        _ => housing_complex(rng),
    }
}

fn street_word<R: Rng + ?Sized>(rng: &mut R) -> &'static str {
    if rng.random_bool(0.75) {
        "JL."
    } else {
        "JALAN"
    }
}

fn street_with_number<R: Rng + ?Sized>(rng: &mut R) -> String {
    let mut s = format!(
        "{} {} NO. {}",
        street_word(rng),
        pick(rng, STREETS),
        house_number(rng)
    );
    if rng.random_bool(0.5) {
        s.push_str(&rt_rw(rng));
    }
    s
}

fn housing_complex<R: Rng + ?Sized>(rng: &mut R) -> String {
    let kind = pick(rng, &["KOMP.", "PERUM.", "KOMPLEK", "PERUMAHAN"]);
    let block = format!("{}{}", letters(rng, 1), rng.random_range(1..=12));
    let mut s = format!(
        "{kind} {} BLOK {block} NO. {}",
        pick(rng, COMPLEXES),
        rng.random_range(1..=40)
    );
    if rng.random_bool(0.25) {
        s.push_str(&rt_rw(rng));
    }
    s
}

fn house_number<R: Rng + ?Sized>(rng: &mut R) -> String {
    let n = rng.random_range(1..=250);
    if rng.random_bool(0.15) {
        format!("{n}{}", letters(rng, 1))
    } else {
        n.to_string()
    }
}

fn rt_rw<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!(
        " RT. {:03} RW. {:03}",
        rng.random_range(1..=20),
        rng.random_range(1..=12)
    )
}

/// An immigration region: the regional office's name, its province and cities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// As in `KANTOR WILAYAH BANGKA BELITUNG`.
    pub name: &'static str,
    pub province: &'static str,
    /// The first city hosts the immigration office.
    pub cities: &'static [&'static str],
}

/// The regions the generator knows, with the cities addresses are placed in.
pub const REGIONS: &[Region] = &[
    Region {
        name: "BANGKA BELITUNG",
        province: "KEPULAUAN BANGKA BELITUNG",
        cities: &[
            "PANGKALPINANG",
            "SUNGAILIAT",
            "MUNTOK",
            "TOBOALI",
            "KOBA",
            "TANJUNG PANDAN",
        ],
    },
    Region {
        name: "DKI JAKARTA",
        province: "DKI JAKARTA",
        cities: &[
            "JAKARTA SELATAN",
            "JAKARTA PUSAT",
            "JAKARTA UTARA",
            "JAKARTA BARAT",
        ],
    },
    Region {
        name: "JAWA BARAT",
        province: "JAWA BARAT",
        cities: &["BANDUNG", "BEKASI", "BOGOR", "KARAWANG", "CIREBON"],
    },
    Region {
        name: "JAWA TIMUR",
        province: "JAWA TIMUR",
        cities: &["SURABAYA", "MALANG", "SIDOARJO", "GRESIK"],
    },
    Region {
        name: "BALI",
        province: "BALI",
        cities: &["DENPASAR", "BADUNG", "GIANYAR", "SINGARAJA"],
    },
    Region {
        name: "KEPULAUAN RIAU",
        province: "KEPULAUAN RIAU",
        cities: &["BATAM", "TANJUNG PINANG", "KARIMUN", "BINTAN"],
    },
    Region {
        name: "SULAWESI TENGAH",
        province: "SULAWESI TENGAH",
        cities: &["PALU", "MOROWALI", "LUWUK", "POSO"],
    },
    Region {
        name: "SUMATERA UTARA",
        province: "SUMATERA UTARA",
        cities: &["MEDAN", "BINJAI", "PEMATANGSIANTAR", "KUALA NAMU"],
    },
];

/// A random immigration region.
pub fn region<R: Rng + ?Sized>(rng: &mut R) -> &'static Region {
    &REGIONS[rng.random_range(0..REGIONS.len())]
}

/// A city: Indonesian most of the time, otherwise a foreign birthplace such as `ROTTERDAM`.
pub fn place<R: Rng + ?Sized>(rng: &mut R) -> String {
    if rng.random_bool(0.6) {
        let cities = region(rng).cities;
        pick(rng, cities).to_string()
    } else {
        person(rng).birthplace.to_string()
    }
}

/// An occupation as written on a permit.
pub fn occupation<R: Rng + ?Sized>(rng: &mut R) -> &'static str {
    pick(
        rng,
        &[
            "DIREKTUR",
            "MANAJER PRODUKSI",
            "TENAGA AHLI",
            "ENGINEER",
            "SUPERVISOR",
            "KONSULTAN",
            "TEKNISI MESIN",
            "AHLI GEOLOGI",
            "GURU BAHASA INGGRIS",
            "KOKI",
            "PENELITI",
            "PENSIUNAN",
            "IBU RUMAH TANGGA",
            "GENERAL MANAGER",
            "QUALITY CONTROL",
            "KEPALA TEKNIK TAMBANG",
            "PELAJAR",
            "KARYAWAN SWASTA",
        ],
    )
}

/// The purpose of stay, e.g. `TKA BID. PERINDUSTRIAN` or `PENYATUAN KELUARGA`.
pub fn status<R: Rng + ?Sized>(rng: &mut R) -> &'static str {
    pick(
        rng,
        &[
            "TKA BID. PERINDUSTRIAN",
            "TKA BID. PERTAMBANGAN",
            "TKA BID. PERDAGANGAN",
            "TKA BID. PENDIDIKAN",
            "TKA BID. KONSTRUKSI",
            "TKA BID. PARIWISATA",
            "PENYATUAN KELUARGA",
            "LANJUT USIA",
            "PENANAMAN MODAL ASING",
            "RUMAH KEDUA",
            "PENELITIAN",
            "PELAJAR / MAHASISWA",
        ],
    )
}

/// An invented sponsoring company, e.g. `PT. BANGKA MINERAL SEJAHTERA`.
pub fn company<R: Rng + ?Sized>(rng: &mut R) -> String {
    const FIRST: &[&str] = &[
        "BANGKA",
        "NUSANTARA",
        "SINAR",
        "CAHAYA",
        "SAMUDRA",
        "INDO",
        "GLOBAL",
        "MITRA",
        "BUMI",
        "TRI",
        "DUTA",
        "MEGA",
    ];
    const SECOND: &[&str] = &[
        "MINERAL", "KARYA", "PRIMA", "MANDIRI", "PERKASA", "LOGAM", "ENERGI", "TEKNIK", "AGRO",
        "SARANA",
    ];
    const LAST: &[&str] = &[
        "SEJAHTERA",
        "MAKMUR",
        "ABADI",
        "JAYA",
        "UTAMA",
        "SENTOSA",
        "LESTARI",
    ];
    let mut s = format!("PT. {} {}", pick(rng, FIRST), pick(rng, SECOND));
    if rng.random_bool(0.7) {
        s = format!("{s} {}", pick(rng, LAST));
    }
    if rng.random_bool(0.1) {
        s.push_str(" TBK");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    /// Parses `dd-mm-yyyy` into a valid calendar date.
    fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
        let parts: Vec<&str> = s.split('-').collect();
        let [d, m, y] = parts.as_slice() else {
            return None;
        };
        if d.len() != 2 || m.len() != 2 || y.len() != 4 {
            return None;
        }
        let (d, m, y) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
        let valid = (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m);
        valid.then_some((d, m, y))
    }

    fn shape(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                'A'..='Z' => 'L',
                '0'..='9' => 'D',
                other => other,
            })
            .collect()
    }

    #[test]
    fn dates_are_valid_calendar_dates() {
        let mut rng = StdRng::seed_from_u64(10);
        let mut saw_feb_29 = false;
        for _ in 0..20_000 {
            let s = date(&mut rng);
            let (d, m, y) = parse_date(&s).unwrap_or_else(|| panic!("invalid date {s}"));
            assert!((1950..=2035).contains(&y));
            saw_feb_29 |= d == 29 && m == 2;
        }
        assert!(saw_feb_29, "leap days never drawn");
        let s = date_between(&mut rng, 2024, 2024);
        assert!(s.ends_with("-2024"), "{s}");
    }

    #[test]
    fn calendar_rules() {
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(2023, 11), 30);
        assert_eq!(days_in_month(2023, 12), 31);
        assert!(parse_date("31-04-2020").is_none());
    }

    #[test]
    fn permit_numbers_have_their_shape() {
        let mut rng = StdRng::seed_from_u64(11);
        let (mut dash, mut letters) = (0, 0);
        for _ in 0..2000 {
            let s = permit_number(&mut rng);
            match shape(&s).as_str() {
                "DLDDLLDDDDLL" => letters += 1,
                "DLDDLLDDDD-L" => {
                    assert!(s.ends_with("-A"), "{s}");
                    dash += 1;
                }
                other => panic!("{s} has shape {other}"),
            }
        }
        assert!(dash > 0 && letters > 0);
    }

    #[test]
    fn niora_and_passport_have_their_shape() {
        let mut rng = StdRng::seed_from_u64(12);
        for _ in 0..2000 {
            let n = niora(&mut rng);
            assert!((10..=13).contains(&n.len()), "{n}");
            assert!(
                n.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
                "{n}"
            );
            assert!(n[n.len() - 5..].chars().all(|c| c.is_ascii_digit()), "{n}");
            let p = passport_number(&mut rng);
            let sh = shape(&p);
            assert!(
                ["LDDDDDDDD", "LLDDDDDDD", "LDDDDDDD", "DDDDDDDDD"].contains(&sh.as_str()),
                "{p}"
            );
        }
    }

    #[test]
    fn addresses_use_indonesian_forms() {
        let mut rng = StdRng::seed_from_u64(13);
        let all: Vec<String> = (0..500).map(|_| address(&mut rng)).collect();
        for token in [
            "JL. ", "JALAN ", "KOMP. ", "PERUM. ", " NO. ", " RT. ", " RW. ", " KM. ", " BLOK ",
        ] {
            assert!(
                all.iter().any(|a| a.contains(token)),
                "{token:?} never used"
            );
        }
        for a in &all {
            assert!(!a.chars().any(|c| c.is_ascii_lowercase()), "{a}");
            assert!(a.len() <= 60, "{a} too long for a permit line");
        }
    }

    #[test]
    fn sample_line_covers_every_kind() {
        let mut rng = StdRng::seed_from_u64(14);
        for kind in LineKind::ALL {
            for _ in 0..50 {
                let s = sample_line(&mut rng, kind);
                assert!(!s.is_empty() && s.trim() == s, "{kind:?}: {s:?}");
                if kind == LineKind::Date {
                    assert!(parse_date(&s).is_some(), "{s}");
                }
            }
        }
    }

    #[test]
    fn other_fields_are_plausible() {
        let mut rng = StdRng::seed_from_u64(15);
        for _ in 0..200 {
            assert!(company(&mut rng).starts_with("PT. "));
            assert!(!occupation(&mut rng).is_empty());
            assert!(!status(&mut rng).is_empty());
            let p = place(&mut rng);
            assert!(p.chars().all(|c| c.is_ascii_uppercase() || c == ' '), "{p}");
        }
    }

    #[test]
    fn same_seed_same_lines() {
        let draw = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            LineKind::ALL.map(|k| sample_line(&mut rng, k))
        };
        assert_eq!(draw(99), draw(99));
    }
}
