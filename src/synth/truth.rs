//! The expected reading of a generated document, and the calendar arithmetic its dates need.
//!
//! Invariants:
//! - Every [`Truth`] value is already normalised the way the reader must return it: dates as
//!   `dd-mm-yyyy` (also when printed `26 Januari 2024`), gender as `M`/`F`, the stay permit index
//!   without inner spaces (`VI B` -> `VIB`), a wrapped address joined by one space. Everything
//!   else is exactly the printed text.
//! - A field the document does not print is `""`; a non-permit has every permit field `""`.

use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

use super::text::{Sex, days_in_month};

/// What a perfect reader returns for one document, with the GLAIR field names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truth {
    /// Whether the document is a KITAS or KITAP (printout or card) at all.
    pub is_permit: bool,
    /// The generator's name of the layout, e.g. `eitas-2021`, `card`, `itk`, `receipt`.
    pub kind: String,
    pub office_region: String,
    pub office_name: String,
    pub office_address: String,
    /// The printed title line, e.g. `IZIN TINGGAL TERBATAS ELEKTRONIK`.
    pub document_type: String,
    pub permit_number: String,
    pub stay_permit_index: String,
    pub stay_multiple_entries_permit_expiry: String,
    pub stay_entries_permit_expiry: String,
    pub niora: String,
    pub full_name: String,
    pub place_of_birth: String,
    pub date_of_birth: String,
    pub passport_number: String,
    pub passport_expiry: String,
    pub nationality: String,
    /// `M` or `F`.
    pub gender: String,
    pub address: String,
    pub occupation: String,
    pub status: String,
    pub guarantor_name: String,
    pub issued_place: String,
    pub issued_date: String,
    /// Verihubs' `permit_expiry_date`: the printed `Berlaku s/d` / `Valid Until` date.
    pub permit_expiry: String,
}

impl Truth {
    /// The truth of a document that is not a permit: only `kind` is set.
    pub fn not_a_permit(kind: &str) -> Truth {
        Truth {
            kind: kind.to_string(),
            ..Truth::default()
        }
    }

    /// Every permit field as `(name, value)`, in GLAIR's order (without `is_permit` and `kind`).
    pub fn fields(&self) -> [(&'static str, &str); 23] {
        [
            ("office_region", &self.office_region),
            ("office_name", &self.office_name),
            ("office_address", &self.office_address),
            ("document_type", &self.document_type),
            ("permit_number", &self.permit_number),
            ("stay_permit_index", &self.stay_permit_index),
            (
                "stay_multiple_entries_permit_expiry",
                &self.stay_multiple_entries_permit_expiry,
            ),
            (
                "stay_entries_permit_expiry",
                &self.stay_entries_permit_expiry,
            ),
            ("niora", &self.niora),
            ("full_name", &self.full_name),
            ("place_of_birth", &self.place_of_birth),
            ("date_of_birth", &self.date_of_birth),
            ("passport_number", &self.passport_number),
            ("passport_expiry", &self.passport_expiry),
            ("nationality", &self.nationality),
            ("gender", &self.gender),
            ("address", &self.address),
            ("occupation", &self.occupation),
            ("status", &self.status),
            ("guarantor_name", &self.guarantor_name),
            ("issued_place", &self.issued_place),
            ("issued_date", &self.issued_date),
            ("permit_expiry", &self.permit_expiry),
        ]
        .map(|(k, v)| (k, v.as_str()))
    }
}

/// The truth's spelling of a sex.
pub fn gender_code(sex: Sex) -> &'static str {
    match sex {
        Sex::Male => "M",
        Sex::Female => "F",
    }
}

/// A stay permit index as the reader returns it: `VI B` -> `VIB`.
pub fn index_code(printed: &str) -> String {
    printed.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Indonesian month names, as issue dates spell them (`26 Januari 2024`).
const BULAN: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// English month abbreviations, as passports print them (`04 MAR 1984`).
const MONTH_ABBR: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// A calendar date. Fields are ordered year, month, day so that the derived order is calendar order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// A date if `day`, `month`, `year` name a real calendar day (years 1900-2199).
    pub fn new(day: u32, month: u32, year: u32) -> Option<Date> {
        let valid = (1900..2200).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// Parses `dd-mm-yyyy`.
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.split('-');
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || d.len() != 2 || m.len() != 2 || y.len() != 4 {
            return None;
        }
        Date::new(d.parse().ok()?, m.parse().ok()?, y.parse().ok()?)
    }

    /// `dd-mm-yyyy`, the truth's (and most printouts') form.
    pub fn dmy(self) -> String {
        format!("{:02}-{:02}-{:04}", self.day, self.month, self.year)
    }

    /// `26 Januari 2024`, as some issue lines spell it.
    pub fn indonesian(self) -> String {
        format!(
            "{} {} {}",
            self.day,
            BULAN[self.month as usize - 1],
            self.year
        )
    }

    /// `04 MAR 1984`, as passports print it.
    pub fn passport(self) -> String {
        format!(
            "{:02} {} {}",
            self.day,
            MONTH_ABBR[self.month as usize - 1],
            self.year
        )
    }

    /// `yymmdd`, the machine-readable zone's form.
    pub fn yymmdd(self) -> String {
        format!("{:02}{:02}{:02}", self.year % 100, self.month, self.day)
    }

    /// Days since 1970-01-01 (negative before), by the civil-from-days algorithm.
    fn to_days(self) -> i64 {
        let (y, m, d) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u32;
        Date { year, month, day }
    }

    /// The date `days` later (earlier if negative).
    pub fn plus_days(self, days: i64) -> Date {
        Date::from_days(self.to_days() + days)
    }

    /// The same day `years` later, or the 28th of February for a 29th in a common year.
    pub fn plus_years(self, years: u32) -> Date {
        let year = self.year + years;
        let day = self.day.min(days_in_month(year, self.month));
        Date { year, day, ..self }
    }

    /// A uniformly random date in `first..=last` (just `first` if the range is empty).
    pub fn between<R: Rng + ?Sized>(rng: &mut R, first: Date, last: Date) -> Date {
        let (a, b) = (first.to_days(), last.to_days());
        if b <= a {
            return first;
        }
        Date::from_days(rng.random_range(a..=b))
    }

    /// A random date in the years `first..=last`.
    pub fn in_years<R: Rng + ?Sized>(rng: &mut R, first: u32, last: u32) -> Date {
        let from = Date {
            year: first,
            month: 1,
            day: 1,
        };
        let to = Date {
            year: last.max(first),
            month: 12,
            day: 31,
        };
        Date::between(rng, from, to)
    }
}

/// `PANGKALPINANG` -> `Pangkalpinang`, `JAKARTA SELATAN` -> `Jakarta Selatan`: how issue lines
/// write the place.
pub fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_string() + &chars.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn day_arithmetic_round_trips_and_crosses_months_and_leap_days() {
        let d = Date::new(28, 2, 2024).expect("valid");
        assert_eq!(d.plus_days(1), Date::new(29, 2, 2024).expect("valid"));
        assert_eq!(d.plus_days(2), Date::new(1, 3, 2024).expect("valid"));
        assert_eq!(
            Date::new(31, 12, 1999).expect("valid").plus_days(1),
            Date::new(1, 1, 2000).expect("valid")
        );
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..2000 {
            let a = Date::in_years(&mut rng, 1950, 2040);
            assert_eq!(Date::parse(&a.dmy()), Some(a));
            let n = rng.random_range(-5000..5000);
            assert_eq!(a.plus_days(n).plus_days(-n), a);
            assert_eq!(a.plus_days(n) > a, n > 0);
        }
    }

    #[test]
    fn plus_years_keeps_the_day_or_clamps_leap_day() {
        let leap = Date::new(29, 2, 2024).expect("valid");
        assert_eq!(leap.plus_years(1), Date::new(28, 2, 2025).expect("valid"));
        assert_eq!(leap.plus_years(4), leap.plus_years(4));
        assert_eq!(leap.plus_years(4).day, 29);
    }

    #[test]
    fn formats() {
        let d = Date::new(26, 1, 2024).expect("valid");
        assert_eq!(d.dmy(), "26-01-2024");
        assert_eq!(d.indonesian(), "26 Januari 2024");
        assert_eq!(
            Date::new(4, 3, 1984).expect("valid").passport(),
            "04 MAR 1984"
        );
        assert_eq!(Date::new(4, 3, 1984).expect("valid").yymmdd(), "840304");
        assert!(Date::parse("31-04-2020").is_none());
        assert!(Date::parse("1-04-2020").is_none());
        assert_eq!(index_code("VI B"), "VIB");
        assert_eq!(title_case("JAKARTA SELATAN"), "Jakarta Selatan");
    }

    #[test]
    fn truth_json_uses_glair_names() {
        let t = Truth {
            is_permit: true,
            full_name: "YOUXING CHEN".into(),
            ..Truth::default()
        };
        let json = serde_json::to_value(&t).expect("serialises");
        assert_eq!(json["full_name"], "YOUXING CHEN");
        assert_eq!(json["stay_multiple_entries_permit_expiry"], "");
        let back: Truth = serde_json::from_value(json).expect("deserialises");
        assert_eq!(back, t);
        assert_eq!(t.fields().len(), 23);
    }
}
