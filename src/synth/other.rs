//! Documents that are not a KITAS/KITAP but reach the kiosk anyway, so the reader must say "not a
//! permit" for them: a visit stay permit (ITK), which shares the printout's look, a passport
//! number and a name; a passport data page; a shop receipt.
//!
//! Invariant: their truth is [`Truth::not_a_permit`]: every permit field empty.

use rand::{Rng, RngExt};

use super::card::guilloche;
use super::fonts::{FontFace, Fonts};
use super::layout::{Document, INK, Sheet};
use super::names::pick;
use super::permit::{DocKind, Facts, paper, printed_sex};
use super::printout::{self, A4, Content, Generation, Row};
use super::text;
use super::truth::{Date, Truth, gender_code, title_case};

/// ID-3 (passport page) in points: 125 x 88 mm.
pub const ID3: [f32; 2] = [125.0 / 25.4 * 72.0, 88.0 / 25.4 * 72.0];

/// A visit stay permit printout: same header, photo and rows as an e-ITAS, with a passport number.
pub fn itk<R: Rng + ?Sized>(rng: &mut R, fonts: &Fonts) -> Document {
    let facts = Facts::sample(rng, false, 2021, 2025);
    let generation = if rng.random_bool(0.5) {
        Generation::Y2021
    } else {
        Generation::Y2024
    };
    let p = &facts.person;
    let stay_until = facts.issued.plus_days(rng.random_range(30..180));
    let visa = pick(rng, &["B211A", "C1", "C2", "D1", "B1"]);
    let title = if rng.random_bool(0.5) {
        vec!["IZIN TINGGAL KUNJUNGAN / VISIT STAY PERMIT".to_string()]
    } else {
        vec![
            "IZIN TINGGAL KUNJUNGAN".to_string(),
            "VISIT STAY PERMIT".to_string(),
        ]
    };
    let content = Content {
        generation,
        header: vec![
            "KEMENTERIAN HUKUM DAN HAK ASASI MANUSIA".to_string(),
            "DIREKTORAT JENDERAL IMIGRASI".to_string(),
        ],
        title,
        name_title: None,
        top: vec![
            Row::new(
                "Nomor Paspor",
                "Passport Number",
                facts.passport_number.clone(),
            ),
            Row::new("Indeks Visa", "Visa Index", visa),
            Row::new(
                "Nomor Visa",
                "Visa Number",
                format!("{visa}{}", text::niora(rng)),
            ),
            Row::new("Berlaku s/d", "Valid Until", stay_until.dmy()),
        ],
        rows: vec![
            Row::new("Nama", "Full Name", p.name.clone()),
            Row::new(
                "Tempat/Tgl. Lahir",
                "Place / Date of Birth",
                format!("{} / {}", p.birthplace, facts.birth.dmy()),
            ),
            Row::new("Kewarganegaraan", "Nationality", p.nationality),
            Row::new("Jenis Kelamin", "Gender", printed_sex(p.sex, true)),
            Row::new(
                "Alamat di Indonesia",
                "Address in Indonesia",
                facts.address.clone(),
            )
            .wrapping(),
            Row::new(
                "Tujuan",
                "Purpose of Visit",
                pick(rng, &["WISATA", "KUNJUNGAN KELUARGA", "RAPAT BISNIS"]),
            ),
        ],
        issue_line: format!("{}, {}", title_case(facts.office_city), facts.issued.dmy()),
        signatory: vec![format!("KEPALA KANTOR IMIGRASI {}", facts.office_city)],
    };
    let mut sheet = Sheet::new(fonts, A4[0], A4[1]);
    printout::draw(rng, &mut sheet, &content);
    sheet.finish(paper(rng), Truth::not_a_permit(DocKind::Itk.name()))
}

/// ICAO country code and English name for a nationality as the permit spells it.
fn country(nationality: &str) -> (&'static str, &'static str) {
    match nationality {
        "TIONGKOK" => ("CHN", "CHINA"),
        "KOREA SELATAN" => ("KOR", "REPUBLIC OF KOREA"),
        "JEPANG" => ("JPN", "JAPAN"),
        "INDIA" => ("IND", "INDIA"),
        "AUSTRALIA" => ("AUS", "AUSTRALIA"),
        "AMERIKA SERIKAT" => ("USA", "UNITED STATES OF AMERICA"),
        "PERSATUAN KERAJAAN" => ("GBR", "UNITED KINGDOM"),
        "BELANDA" => ("NLD", "NETHERLANDS"),
        "JERMAN" => ("D", "GERMANY"),
        "RUSIA" => ("RUS", "RUSSIAN FEDERATION"),
        "MALAYSIA" => ("MYS", "MALAYSIA"),
        "VIETNAM" => ("VNM", "VIET NAM"),
        "FILIPINA" => ("PHL", "PHILIPPINES"),
        "THAILAND" => ("THA", "THAILAND"),
        // ICAO's code for specimen documents.
        _ => ("UTO", "UTOPIA"),
    }
}

/// A passport data page: small labelled fields beside the photo, the machine-readable zone below.
pub fn passport<R: Rng + ?Sized>(rng: &mut R, fonts: &Fonts) -> Document {
    let facts = Facts::sample(rng, false, 2019, 2025);
    let p = &facts.person;
    let (code, name) = country(p.nationality);
    let mut words: Vec<&str> = p.name.split(' ').collect();
    let surname = words.pop().unwrap_or_default().to_string();
    let given = words.join(" ");
    let expiry = facts.passport_expiry;
    let issue = expiry.plus_days(-3652);
    let sex = gender_code(p.sex);
    let tint = pick(rng, &[[236, 230, 222], [226, 234, 236], [238, 232, 238]]);
    let mut sheet = Sheet::new(fonts, ID3[0], ID3[1]);
    guilloche(&mut sheet, rng, tint);
    sheet.text("PASSPORT", FontFace::SansBold, 11.0, 14.0, 20.0);
    sheet.right(name, FontFace::SansBold, 9.0, ID3[0] - 14.0, 20.0);
    sheet.photo(rng, [14.0, 32.0, 82.0, 106.0]);
    let fields = [
        ("Type / Jenis", "P".to_string()),
        ("Code / Kode", code.to_string()),
        ("Passport No. / No. Paspor", facts.passport_number.clone()),
        ("Surname / Nama Keluarga", surname.clone()),
        ("Given Names / Nama Depan", given.clone()),
        ("Nationality / Kebangsaan", name.to_string()),
        ("Date of Birth / Tanggal Lahir", facts.birth.passport()),
        ("Sex / Jenis Kelamin", sex.to_string()),
        ("Place of Birth / Tempat Lahir", p.birthplace.to_string()),
        ("Date of Issue / Tanggal Dikeluarkan", issue.passport()),
        ("Date of Expiry / Tanggal Habis Berlaku", expiry.passport()),
    ];
    passport_fields(&mut sheet, &fields);
    let mrz = mrz_lines(
        code,
        &surname,
        &given,
        &facts.passport_number,
        facts.birth,
        sex,
        expiry,
    );
    for (i, line) in mrz.iter().enumerate() {
        let size = sheet.fit(FontFace::Mono, 12.0, line, ID3[0] - 24.0);
        sheet.text(
            line,
            FontFace::Mono,
            size,
            12.0,
            ID3[1] - 28.0 + 14.0 * i as f32,
        );
    }
    sheet.finish(tint, Truth::not_a_permit(DocKind::Passport.name()))
}

/// Label above value, the three short codes side by side on the first row.
fn passport_fields(sheet: &mut Sheet, fields: &[(&str, String)]) {
    let x0 = 108.0;
    let mut y = 36.0;
    for (i, (label, value)) in fields.iter().enumerate() {
        let (x, advance) = match i {
            0 => (x0, false),
            1 => (x0 + 50.0, false),
            2 => (x0 + 110.0, true),
            _ => (x0, true),
        };
        let room = ID3[0] - 12.0 - x;
        let label_size = sheet.fit(FontFace::Sans, 4.8, label, room);
        sheet.text_in(label, FontFace::Sans, label_size, [x, y], [80, 80, 90]);
        let size = sheet.fit(FontFace::SansBold, 7.6, value, room);
        sheet.text(value, FontFace::SansBold, size, x, y + 8.0);
        if advance {
            y += 14.4;
        }
    }
}

/// The two 44-character lines of a TD3 machine-readable zone, check digits included.
fn mrz_lines(
    code: &str,
    surname: &str,
    given: &str,
    number: &str,
    birth: Date,
    sex: &str,
    expiry: Date,
) -> [String; 2] {
    let pad = |s: String, n: usize| format!("{s:<<n$}").chars().take(n).collect::<String>();
    let names = format!("{}<<{}", surname.replace(' ', "<"), given.replace(' ', "<"));
    let line1 = pad(format!("P<{code:<<3}{names}"), 44);
    let number = pad(number.to_string(), 9);
    let with_check = |s: String| format!("{s}{}", check_digit(&s));
    let doc = with_check(number);
    let dob = with_check(birth.yymmdd());
    let exp = with_check(expiry.yymmdd());
    let optional = with_check("<".repeat(14));
    let composite = check_digit(&format!("{doc}{dob}{exp}{optional}"));
    let line2 = format!("{doc}{code:<<3}{dob}{sex}{exp}{optional}{composite}");
    [line1, line2]
}

/// ICAO 9303 check digit: weights 7, 3, 1; digits as themselves, letters A=10.., `<` = 0.
fn check_digit(s: &str) -> u32 {
    let value = |c: char| match c {
        '0'..='9' => c as u32 - '0' as u32,
        'A'..='Z' => c as u32 - 'A' as u32 + 10,
        _ => 0,
    };
    s.chars()
        .zip([7, 3, 1].iter().cycle())
        .map(|(c, w)| value(c) * w)
        .sum::<u32>()
        % 10
}

/// A thermal-printer shop receipt in a monospaced face: shop, items, total, thanks.
pub fn receipt<R: Rng + ?Sized>(rng: &mut R, fonts: &Fonts) -> Document {
    let lines = receipt_lines(rng);
    let size = rng.random_range(7.2f32..8.4);
    let pitch = size * 1.35;
    let width = 80.0 / 25.4 * 72.0;
    let height = 36.0 + pitch * lines.len() as f32 + 30.0;
    let mut sheet = Sheet::new(fonts, width, height);
    let mut y = 30.0;
    for (i, line) in lines.iter().enumerate() {
        let face = if i == 0 {
            FontFace::SansBold
        } else {
            FontFace::Mono
        };
        let fitted = sheet.fit(face, size, line, width - 16.0);
        let w = sheet.measure(face, fitted, line);
        let centred = i < 3 || line.starts_with("TERIMA") || line.starts_with("BARANG");
        let x = if centred { (width - w) / 2.0 } else { 8.0 };
        sheet.text_in(line, face, fitted, [x, y], INK);
        y += pitch;
    }
    sheet.finish(
        [248, 247, 243],
        Truth::not_a_permit(DocKind::Receipt.name()),
    )
}

fn receipt_lines<R: Rng + ?Sized>(rng: &mut R) -> Vec<String> {
    const ITEMS: &[(&str, u32)] = &[
        ("AQUA 600ML", 3500),
        ("INDOMIE GORENG", 3100),
        ("ROTI TAWAR", 15500),
        ("KOPI KAPAL API", 1500),
        ("TEH BOTOL SOSRO", 5000),
        ("SABUN LIFEBUOY", 4200),
        ("GULA PASIR 1KG", 17500),
        ("BERAS 5KG", 72000),
        ("TELUR AYAM 1KG", 28000),
        ("MINYAK GORENG 2L", 36000),
    ];
    let shop = pick(
        rng,
        &[
            "TOKO SINAR JAYA",
            "MINIMARKET MITRA",
            "SWALAYAN CAHAYA",
            "TOKO BERKAH",
        ],
    );
    let city = text::region(rng).cities[0];
    let date = Date::in_years(rng, 2022, 2025);
    let mut lines = vec![
        shop.to_string(),
        text::address(rng),
        city.to_string(),
        "-".repeat(32),
        format!(
            "{} {:02}:{:02}",
            date.dmy(),
            rng.random_range(7..22),
            rng.random_range(0..60)
        ),
        format!(
            "NO. {:06}  KASIR: {}",
            rng.random_range(1..999_999),
            pick(rng, &["DEWI", "RINA", "AGUS", "BUDI"])
        ),
        "-".repeat(32),
    ];
    let mut total = 0;
    for _ in 0..rng.random_range(3..9) {
        let (name, price) = pick(rng, ITEMS);
        let qty = rng.random_range(1..4);
        total += qty * price;
        lines.push(name.to_string());
        lines.push(format!(
            "  {qty} X {:>8} {:>17}",
            rupiah(price),
            rupiah(qty * price)
        ));
    }
    let cash = total.div_ceil(50_000) * 50_000;
    lines.extend([
        "-".repeat(32),
        format!("TOTAL {:>26}", rupiah(total)),
        format!("TUNAI {:>26}", rupiah(cash)),
        format!("KEMBALI {:>24}", rupiah(cash - total)),
        "-".repeat(32),
        "TERIMA KASIH".to_string(),
        "BARANG YANG SUDAH DIBELI TIDAK DAPAT DIKEMBALIKAN".to_string(),
    ]);
    lines
}

/// `72000` -> `72.000`.
fn rupiah(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mrz_check_digits_follow_icao() {
        // ICAO 9303 part 4 specimen: document number L898902C3, check digit 6.
        assert_eq!(check_digit("L898902C3"), 6);
        assert_eq!(check_digit("740812"), 2);
        assert_eq!(check_digit("120415"), 9);
        let birth = Date::new(12, 8, 1974).expect("valid");
        let expiry = Date::new(15, 4, 2012).expect("valid");
        let [l1, l2] = mrz_lines(
            "UTO",
            "ERIKSSON",
            "ANNA MARIA",
            "L898902C3",
            birth,
            "F",
            expiry,
        );
        assert_eq!(l1, "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<");
        assert_eq!(l2.len(), 44);
        assert!(l2.starts_with("L898902C36UTO7408122F1204159"), "{l2}");
    }

    #[test]
    fn rupiah_groups_thousands() {
        assert_eq!(rupiah(500), "500");
        assert_eq!(rupiah(72000), "72.000");
        assert_eq!(rupiah(1234567), "1.234.567");
    }
}
