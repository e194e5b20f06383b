//! Turning field text as read into the values both services return: dates as `dd-mm-yyyy`,
//! gender as `M`/`F`, codes (permit number, NIORA, passport number, stay permit index) in their
//! printed shape with OCR slips repaired.
//!
//! Invariants:
//! - Pure functions of their input: no state, no panics on any text.
//! - A character is only changed where the value's shape decides what it must be: `O` becomes
//!   `0` in a digit position of a date or code, never in a name, and a position whose kind the
//!   shape leaves open (the last character of `E33G` / `C312`) is left alone.
//! - Dates are validated against the calendar; a text that is not a valid date gives `None`
//!   rather than a guess.

/// The OCR confusions between letters and digits (`O`/`0`, `I`/`1`, `S`/`5`, `B`/`8`, `Z`/`2`):
/// the digit a letter-shaped character stands for where a digit must be.
fn as_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        'O' | 'o' | 'Q' => Some('0'),
        'I' | 'l' | 'i' | '|' | '!' => Some('1'),
        'S' | 's' => Some('5'),
        'B' => Some('8'),
        'Z' | 'z' => Some('2'),
        _ => None,
    }
}

/// The letter a digit-shaped character stands for where a letter must be (a `J` whose hook
/// alone was read is a `)`).
fn as_letter(c: char) -> Option<char> {
    match c {
        'A'..='Z' => Some(c),
        'a'..='z' => Some(c.to_ascii_uppercase()),
        '0' => Some('O'),
        '1' | '|' => Some('I'),
        ')' => Some('J'),
        '5' => Some('S'),
        '8' => Some('B'),
        '2' => Some('Z'),
        _ => None,
    }
}

/// Collapses runs of whitespace to one space, trims, and strips a leading `:` (what is left of
/// a `Label : value` layout when the colon was read with the value).
pub fn clean(s: &str) -> String {
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed
        .trim_start_matches(|c: char| c == ':' || c.is_whitespace())
        .to_string()
}

/// Upper-case letters and digits only: `VI B` -> `VIB`, `2C21 HB0016AT` -> `2C21HB0016AT`.
fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Levenshtein distance between two short strings.
pub(crate) fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = (diag + usize::from(ca != cb)).min(up + 1).min(row[j] + 1);
            diag = up;
        }
    }
    row[b.len()]
}

/// Month names and abbreviations, Indonesian and English, with their numbers.
const MONTHS: &[(&str, u32)] = &[
    ("JANUARI", 1),
    ("JANUARY", 1),
    ("JAN", 1),
    ("FEBRUARI", 2),
    ("PEBRUARI", 2),
    ("FEBRUARY", 2),
    ("FEB", 2),
    ("PEB", 2),
    ("MARET", 3),
    ("MARCH", 3),
    ("MAR", 3),
    ("APRIL", 4),
    ("APR", 4),
    ("MEI", 5),
    ("MAY", 5),
    ("JUNI", 6),
    ("JUNE", 6),
    ("JUN", 6),
    ("JULI", 7),
    ("JULY", 7),
    ("JUL", 7),
    ("AGUSTUS", 8),
    ("AUGUST", 8),
    ("AGU", 8),
    ("AGS", 8),
    ("AGT", 8),
    ("AUG", 8),
    ("SEPTEMBER", 9),
    ("SEPT", 9),
    ("SEP", 9),
    ("OKTOBER", 10),
    ("OCTOBER", 10),
    ("OKT", 10),
    ("OCT", 10),
    ("NOVEMBER", 11),
    ("NOPEMBER", 11),
    ("NOV", 11),
    ("NOP", 11),
    ("DESEMBER", 12),
    ("DECEMBER", 12),
    ("DES", 12),
    ("DEC", 12),
];

/// The month a name or abbreviation stands for. Short forms must match exactly (`JUNI` and
/// `JULI` are one letter apart); full names of five letters or more may carry one OCR slip
/// (two from eight letters) if that leaves a single month.
pub fn month(name: &str) -> Option<u32> {
    let upper: Vec<char> = name.chars().flat_map(char::to_uppercase).collect();
    let text: String = upper.iter().collect();
    if let Some((_, m)) = MONTHS.iter().find(|(n, _)| *n == text) {
        return Some(*m);
    }
    if upper.len() < 5 {
        return None;
    }
    let allowed = if upper.len() >= 8 { 2 } else { 1 };
    let mut best: Option<(usize, u32)> = None;
    let mut tied = false;
    for (n, m) in MONTHS.iter().filter(|(n, _)| n.len() >= 5) {
        let d = edit_distance(&upper, &n.chars().collect::<Vec<_>>());
        match best {
            _ if d > allowed => {}
            Some((bd, bm)) if d == bd && bm != *m => tied = true,
            Some((bd, _)) if d >= bd => {}
            _ => {
                best = Some((d, *m));
                tied = false;
            }
        }
    }
    if tied { None } else { best.map(|(_, m)| m) }
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days in `month` of `year` (0 for a month that does not exist).
pub fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// The digits of a numeric date part of `min..=max` characters, confusions repaired; with the
/// number of characters that had to be repaired.
fn date_number(part: &str, min: usize, max: usize) -> Option<(u32, usize)> {
    let n = part.chars().count();
    if n < min || n > max {
        return None;
    }
    let digits: String = part.chars().map(as_digit).collect::<Option<String>>()?;
    let repaired = part.chars().filter(|c| !c.is_ascii_digit()).count();
    Some((digits.parse().ok()?, repaired))
}

/// A date as `dd-mm-yyyy`, from `04-03-1984`, `04/03/1984`, `4.3.1984`, `4-3-1984`,
/// `26 Januari 2024`, `26 JANUARI 2024`, `26 January 2024` or `26-Jan-2024`.
///
/// The three parts must be the whole text. Within the numeric parts `O`, `I`, `l`, `S`, `B`, `Z`
/// are read as the digits they resemble, as long as most of the numeric characters are real
/// digits (the shape is then a date beyond doubt). Returns `None` for anything that is not a
/// real calendar day in 1900..=2199.
pub fn date(s: &str) -> Option<String> {
    let s = clean(s);
    let parts: Vec<&str> = s
        .split(['-', '/', '.', ',', ' ', '_'])
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [d, m, y] => date_of(d, m, y),
        _ => spaced_date(&s).or_else(|| unspaced_month(&s)),
    }
}

/// `14Agustus 2025`, `14 Agustus2025`: a month's name read against the day or the year. The
/// name (three letters or more) is cut from the digits around it; a lone letter among digits
/// (`2O24`) is a slip that [`date_of`] repairs, not a name.
fn unspaced_month(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 2);
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..].iter().take_while(|c| c.is_alphabetic()).count();
        if run >= 3 {
            out.push(' ');
            out.extend(&chars[i..i + run]);
            out.push(' ');
            i += run;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    let parts: Vec<&str> = out.split_whitespace().collect();
    match parts.as_slice() {
        [d, m, y] if m.chars().all(char::is_alphabetic) && out != s => date_of(d, m, y),
        _ => None,
    }
}

/// `10-08-196 3`: a numeric date whose marks split it in three, with a space read inside a
/// part.
fn spaced_date(s: &str) -> Option<String> {
    let parts: Vec<String> = s
        .split(['-', '/', '.', ',', '_'])
        .map(|p| p.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .filter(|p| !p.is_empty())
        .collect();
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    date_of(d, m, y)
}

fn date_of(d: &str, m: &str, y: &str) -> Option<String> {
    let (day, r1) = date_number(d, 1, 2)?;
    let (year, r3) = date_number(y, 4, 4)?;
    let (mon, r2, numeric_len) = match date_number(m, 1, 2) {
        Some((mon, r)) => (mon, r, m.chars().count()),
        None => (month(m)?, 0, 0),
    };
    let numeric = d.chars().count() + 4 + numeric_len;
    if 2 * (r1 + r2 + r3) > numeric {
        return None;
    }
    let valid = (1900..=2199).contains(&year) && day >= 1 && day <= days_in_month(year, mon);
    valid.then(|| format!("{day:02}-{mon:02}-{year:04}"))
}

/// `M` or `F` from `MALE`, `FEMALE`, `LAKI-LAKI`, `PEREMPUAN`, `PRIA`, `WANITA`, `L`, `P`,
/// `M`, `F`, in any case; words may carry one OCR slip (two in the long Indonesian ones) as
/// long as that does not make `MALE` and `FEMALE` equally likely.
///
/// A bilingual value (`LAKI-LAKI / MALE`, `PEREMPUAN (FEMALE)`, `L / M`) gives its code when
/// its parts agree on it.
pub fn gender(s: &str) -> Option<&'static str> {
    if let Some(code) = gender_word(s) {
        return Some(code);
    }
    // The separator may have been lost (`PEREMPUAN FEMALE`): words then stand on their own.
    let marks = |c: char| matches!(c, '/' | '|' | '(' | ')' | ',' | '\\');
    agreed(s.split(marks)).or_else(|| agreed(s.split(|c: char| marks(c) || c.is_whitespace())))
}

/// The one code that two or more parts, each a gender word, agree on.
fn agreed<'a>(parts: impl Iterator<Item = &'a str>) -> Option<&'static str> {
    let codes: Option<Vec<&str>> = parts
        .filter(|p| p.chars().any(char::is_alphanumeric))
        .map(gender_word)
        .collect();
    let codes = codes?;
    (codes.len() >= 2 && codes.iter().all(|c| *c == codes[0])).then(|| codes[0])
}

/// [`gender`] of one word.
fn gender_word(s: &str) -> Option<&'static str> {
    let t: Vec<char> = squeeze(s).chars().collect();
    let text: String = t.iter().collect();
    match text.as_str() {
        "M" | "L" => return Some("M"),
        "F" | "P" => return Some("F"),
        _ => {}
    }
    const WORDS: [(&str, &str, usize); 6] = [
        ("MALE", "M", 1),
        ("FEMALE", "F", 1),
        ("LAKILAKI", "M", 2),
        ("PEREMPUAN", "F", 2),
        ("PRIA", "M", 0),
        ("WANITA", "F", 1),
    ];
    let scored: Vec<(usize, &str)> = WORDS
        .iter()
        .map(|(w, code, allowed)| {
            let d = edit_distance(&t, &w.chars().collect::<Vec<_>>());
            (if d <= *allowed { d } else { usize::MAX }, *code)
        })
        .collect();
    let best = scored.iter().map(|(d, _)| *d).min()?;
    if best == usize::MAX {
        return None;
    }
    let mut codes = scored.iter().filter(|(d, _)| *d == best).map(|(_, c)| *c);
    let first = codes.next()?;
    codes.all(|c| c == first).then_some(first)
}

/// A place and a date read from one text, as `SINGAPORE / 04-03-1984`, `FUJIAN, 20-01-1979`,
/// `JAKARTA,20-01-1979` or `Jakarta, 26 Januari 2024`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceDate {
    /// The place, cleaned, without the separator.
    pub place: String,
    /// The date as `dd-mm-yyyy`.
    pub date: String,
    /// Characters `0..place_end` of the input hold the place.
    pub place_end: usize,
    /// Characters `date_start..` of the input hold the date.
    pub date_start: usize,
}

/// Splits `<place><sep> <date>` where the separator is `,` or `/` (or, failing those, a
/// space) and the date fills the rest of the text. The rightmost split that leaves a valid
/// date wins, so a date written with slashes stays whole. The place must hold a letter.
pub fn place_and_date(s: &str) -> Option<PlaceDate> {
    let chars: Vec<char> = s.chars().collect();
    let at = |sep: &dyn Fn(char) -> bool| {
        (0..chars.len())
            .rev()
            .filter(|&i| sep(chars[i]))
            .find_map(|i| split_at(&chars, i))
    };
    at(&|c| c == ',' || c == '/')
        .or_else(|| at(&char::is_whitespace))
        // `Bandung.26-08-2024`: a comma read as a dot, its space lost.
        .or_else(|| at(&|c| c == '.'))
}

fn split_at(chars: &[char], i: usize) -> Option<PlaceDate> {
    let right: String = chars[i + 1..].iter().collect();
    let date = date(&right)?;
    let is_sep = |c: &char| c.is_whitespace() || matches!(c, ',' | '/' | ':');
    // A comma read as `.` (or a stray dot before it) is left at the end of the place: no
    // place name ends in a dot, so trailing dots go with the separator.
    let place_end = chars[..i].iter().rposition(|c| !is_sep(c) && *c != '.')? + 1;
    let place_start = chars[..place_end].iter().position(|c| !is_sep(c))?;
    let mut place: String = chars[place_start..place_end].iter().collect();
    // A slash read as `I`, `l`, `|` or `1` is left as a lone character after the place.
    if let Some((head, last)) = place.rsplit_once(' ')
        && matches!(last, "I" | "l" | "|" | "1")
    {
        place = head.trim_end().to_string();
    }
    if !place.chars().any(char::is_alphabetic) {
        return None;
    }
    let place_end = place_start + place.chars().count();
    let date_start = i + 1 + chars[i + 1..].iter().position(|c| !is_sep(c))?;
    Some(PlaceDate {
        place: clean(&place),
        date,
        place_end,
        date_start,
    })
}

/// Free text (names, places, addresses) cleaned, with slips repaired where the word decides:
/// a `0` or `1` between two letters is the `O` or `I` it must be there (`BONJ0L` -> `BONJOL`),
/// an `O` after a digit in a number is a zero (`KM. 2O` -> `KM. 20`) and an `I` between two
/// of its digits a one (`RT. 0I2` -> `RT. 012`), and a lower-case `l` in an
/// otherwise upper-case word is an `I` (`MUMBAl` -> `MUMBAI`). Text that is mostly upper case
/// is made all upper case (`KIM wOo mIN` -> `KIM WOO MIN`); mixed-case text (`Pangkalpinang`)
/// and codes mixing letters and digits (`Z11`, `A6`) are left alone.
pub fn text(s: &str) -> String {
    let repaired = clean(s)
        .split(' ')
        .map(repair_word)
        .collect::<Vec<_>>()
        .join(" ");
    let letters = repaired.chars().filter(|c| c.is_alphabetic()).count();
    let upper = repaired.chars().filter(|c| c.is_uppercase()).count();
    if letters >= 3 && upper * 5 >= letters * 3 {
        repaired.to_uppercase()
    } else {
        repaired
    }
}

fn repair_word(word: &str) -> String {
    let c: Vec<char> = word.chars().collect();
    // `2O`, `4O5`, `0I2`: an O after a digit, or an I between two digits, in a word of
    // digits. A leading letter may be a block letter (`BLOK O5`, `BLOK I3`), so only those
    // change.
    let number = c.iter().any(char::is_ascii_digit)
        && c.iter()
            .filter(|c| c.is_alphabetic())
            .all(|c| matches!(c, 'O' | 'I' | 'l'));
    if number {
        let digit = |i: Option<usize>| i.and_then(|i| c.get(i)).is_some_and(char::is_ascii_digit);
        return (0..c.len())
            .map(|i| match c[i] {
                'O' if digit(i.checked_sub(1)) => '0',
                'I' | 'l' if digit(i.checked_sub(1)) && digit(Some(i + 1)) => '1',
                ch => ch,
            })
            .collect();
    }
    let letter = |i: Option<usize>| {
        i.and_then(|i| c.get(i))
            .is_some_and(char::is_ascii_alphabetic)
    };
    let upper = c.iter().filter(|c| c.is_ascii_uppercase()).count();
    let lower = c.iter().filter(|c| c.is_ascii_lowercase()).count();
    let l_only = upper >= 2 && c.iter().filter(|ch| **ch == 'l').count() == lower;
    // `DAVA0`, `MUMBA1`: a lone 0 or 1 at either end of a word of at least three letters (a
    // block code such as `A1` or `AB1` has fewer).
    let digits = c.iter().filter(|c| c.is_ascii_digit()).count();
    let letters = c.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let word_end = |i: usize| {
        (i == 0 || i + 1 == c.len()) && digits == 1 && letters >= 3 && letters + 1 == c.len()
    };
    (0..c.len())
        .map(|i| match c[i] {
            '0' | '1' if word_end(i) || (letter(i.checked_sub(1)) && letter(Some(i + 1))) => {
                if c[i] == '0' { 'O' } else { 'I' }
            }
            'l' if l_only => 'I',
            ch => ch,
        })
        .collect()
}

/// A stay permit index without inner spaces (`VI B` -> `VIB`), with slips repaired where the
/// shape decides: after a leading class letter (`C312`, `E33G`) the middle characters are
/// digits; in a Roman-numeral index (`VII`, `VIB`) a `1` or `l` is an `I`.
pub fn stay_permit_index(s: &str) -> String {
    let raw: Vec<char> = s
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '|')
        .collect();
    let mut code: Vec<char> = raw.iter().map(|c| c.to_ascii_uppercase()).collect();
    match code.first() {
        Some('V' | 'X') => {
            for c in code.iter_mut().skip(1) {
                if matches!(*c, '1' | 'L' | '|') {
                    *c = 'I';
                }
            }
        }
        // Only the interior: the first is the class letter, the last may be a letter or a digit.
        Some(first) if first.is_ascii_alphabetic() && code.len() >= 3 => {
            let digits = code[1..code.len() - 1]
                .iter()
                .filter(|c| c.is_ascii_digit())
                .count();
            if digits > 0 {
                let last = code.len() - 1;
                for c in &mut code[1..last] {
                    *c = as_digit(*c).unwrap_or(*c);
                }
            }
        }
        _ => {}
    }
    code.into_iter().filter(|c| *c != '|').collect()
}

/// Whether a (normalised) stay permit index has a known shape: a class letter and one to three
/// digits with an optional letter (`C312`, `E33G`, `E23`), or a Roman numeral with an optional
/// letter (`VIB`, `VII`, `IC`).
pub fn is_stay_permit_index(s: &str) -> bool {
    let c: Vec<char> = s.chars().collect();
    let roman = c
        .iter()
        .take_while(|c| matches!(c, 'I' | 'V' | 'X'))
        .count();
    if roman >= 1 && c.len() - roman <= 1 && c.iter().all(char::is_ascii_uppercase) {
        return true;
    }
    let digits = c.iter().skip(1).take_while(|c| c.is_ascii_digit()).count();
    let rest = c.len().saturating_sub(1 + digits);
    c.first().is_some_and(char::is_ascii_uppercase)
        && (1..=3).contains(&digits)
        && rest <= 1
        && c.last().is_some_and(char::is_ascii_alphanumeric)
}

/// What each position of a permit number holds.
#[derive(Clone, Copy)]
enum Slot {
    Digit,
    Letter,
}

/// `2C21HB0016AT`: digit, letter, two-digit year, two letters, four digits, then two letters
/// (or `-` and a letter, as in `2C25AU1440-A`).
const PERMIT_SHAPE: [Slot; 10] = [
    Slot::Digit,
    Slot::Letter,
    Slot::Digit,
    Slot::Digit,
    Slot::Letter,
    Slot::Letter,
    Slot::Digit,
    Slot::Digit,
    Slot::Digit,
    Slot::Digit,
];

/// A permit number with slips repaired per position (`2C2lHBOO16AT` -> `2C21HB0016AT`), or, if
/// it does not have twelve characters in the permit shape even after repair, the text upper-cased
/// without spaces.
pub fn permit_number(s: &str) -> String {
    let raw: Vec<char> = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '_' | '~' | '–' | '—' => '-',
            c => c,
        })
        .collect();
    let fallback = || {
        raw.iter()
            .flat_map(|c| c.to_uppercase())
            .collect::<String>()
    };
    if raw.len() != 12 {
        return fallback();
    }
    let head = raw[..10]
        .iter()
        .zip(PERMIT_SHAPE)
        .map(|(c, slot)| match slot {
            Slot::Digit => as_digit(*c),
            Slot::Letter => as_letter(*c),
        });
    let tail = match raw[10] {
        '-' => [Some('-'), as_letter(raw[11])],
        c => [as_letter(c), as_letter(raw[11])],
    };
    head.chain(tail)
        .collect::<Option<String>>()
        .unwrap_or_else(fallback)
}

/// Whether a (normalised) permit number has the permit shape.
pub fn is_permit_number(s: &str) -> bool {
    let c: Vec<char> = s.chars().collect();
    if c.len() != 12 {
        return false;
    }
    let head = c[..10]
        .iter()
        .zip(PERMIT_SHAPE)
        .all(|(c, slot)| match slot {
            Slot::Digit => c.is_ascii_digit(),
            Slot::Letter => c.is_ascii_uppercase(),
        });
    let tail = (c[10] == '-' || c[10].is_ascii_uppercase()) && c[11].is_ascii_uppercase();
    head && tail
}

/// A NIORA upper-cased without spaces. Its prefix mixes letters and digits freely, so no
/// position there can be repaired; only its five-digit serial at the end is, and only when at
/// most one of those five characters is not already a digit.
pub fn niora(s: &str) -> String {
    let mut c: Vec<char> = squeeze(s).chars().collect();
    if (10..=13).contains(&c.len()) {
        let start = c.len() - 5;
        let letters = c[start..].iter().filter(|c| !c.is_ascii_digit()).count();
        if letters <= 1 {
            for ch in &mut c[start..] {
                *ch = as_digit(*ch).unwrap_or(*ch);
            }
        }
    }
    c.into_iter().collect()
}

/// Whether a (normalised) NIORA has the shape: 10 to 13 upper-case letters and digits.
pub fn is_niora(s: &str) -> bool {
    (10..=13).contains(&s.chars().count())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// A passport number upper-cased without spaces: up to two leading letters, then digits
/// (`G59337358`, `AU1095500`, `512345678`). Slips are repaired in the digit run only, and only
/// when most of it is already digits; a leading letter read as a digit is put back where no
/// all-digit shape fits (see [`leading_letter`]).
pub fn passport_number(s: &str) -> String {
    let c: Vec<char> = squeeze(s).chars().collect();
    let letters = c
        .iter()
        .take(2)
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let (head, run) = c.split_at(letters);
    let digits = run.iter().filter(|c| c.is_ascii_digit()).count();
    let repaired: Option<String> = if run.len() >= 6 && 2 * digits > run.len() {
        run.iter().map(|c| as_digit(*c)).collect()
    } else {
        None
    };
    let head: String = head.iter().collect();
    let read = match repaired {
        Some(run) => head + &run,
        None => c.into_iter().collect(),
    };
    leading_letter(read)
}

/// The first character of an all-digit reading that no known shape gives: the shapes begin
/// with a letter (`G59337358`, `J1234567`, `AU1095500`) or are nine digits that do not begin
/// with `0`. Eight digits, or nine beginning with `0`, are a letter and its digits with the
/// letter read as the digit it resembles (`09698341` -> `O9698341`, `17667774` -> `I7667774`).
/// Only `0` and `1` change: they are the digits whose letters the recogniser takes for them.
fn leading_letter(read: String) -> String {
    let c: Vec<char> = read.chars().collect();
    let all_digits = c.iter().all(char::is_ascii_digit);
    let unknown = c.len() == 8 || (c.len() == 9 && c[0] == '0');
    match c.first() {
        Some(&first @ ('0' | '1')) if all_digits && unknown => {
            let letter = if first == '0' { 'O' } else { 'I' };
            std::iter::once(letter)
                .chain(c[1..].iter().copied())
                .collect()
        }
        _ => read,
    }
}

/// Whether a (normalised) passport number has the usual shape: up to two letters, then six
/// to nine digits.
pub fn is_passport_number(s: &str) -> bool {
    let letters = s.chars().take_while(char::is_ascii_uppercase).count();
    let digits = s.chars().skip(letters).filter(char::is_ascii_digit).count();
    letters <= 2 && (6..=9).contains(&digits) && letters + digits == s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_printed_form() {
        let table = [
            ("04-03-1984", "04-03-1984"),
            ("04/03/1984", "04-03-1984"),
            ("4-3-1984", "04-03-1984"),
            ("4.3.1984", "04-03-1984"),
            ("26 Januari 2024", "26-01-2024"),
            ("26 JANUARI 2024", "26-01-2024"),
            ("26 January 2024", "26-01-2024"),
            ("26-Jan-2024", "26-01-2024"),
            ("1 Mei 2025", "01-05-2025"),
            ("17 Agustus 1945", "17-08-1945"),
            ("31 Desember 2023", "31-12-2023"),
            ("05 Okt 2020", "05-10-2020"),
            ("04 MAR 1984", "04-03-1984"),
            (": 11-07-2020", "11-07-2020"),
            ("  20-01- 1979 ", "20-01-1979"),
            ("29-02-2024", "29-02-2024"),
            ("10-08-196 3", "10-08-1963"),
            ("1 0-08-1963", "10-08-1963"),
            ("14Agustus 2025", "14-08-2025"),
            ("14 Agustus2025", "14-08-2025"),
            ("3Mei2024", "03-05-2024"),
        ];
        for (input, want) in table {
            assert_eq!(date(input).as_deref(), Some(want), "{input:?}");
        }
    }

    #[test]
    fn date_slips_are_repaired_only_inside_the_date_shape() {
        let table = [
            ("2O-01-1979", Some("20-01-1979")),
            ("I1-07-2020", Some("11-07-2020")),
            ("1l-07-2020", Some("11-07-2020")),
            ("07-03-2O22", Some("07-03-2022")),
            ("O5-05-199O", Some("05-05-1990")),
            ("16-07-20I9", Some("16-07-2019")),
            ("26 Januari 2O24", Some("26-01-2024")),
            ("26 Januarl 2024", Some("26-01-2024")),
            ("Z8-0B-1985", Some("28-08-1985")),
            ("S5-05-1990", None),
            // Mostly letters: not a date that was misread, just not a date.
            ("OI-OI-IOOS", None),
        ];
        for (input, want) in table {
            assert_eq!(date(input).as_deref(), want, "{input:?}");
        }
    }

    #[test]
    fn invalid_or_partial_dates_are_refused() {
        for input in [
            "",
            "31-04-2020",
            "29-02-2023",
            "00-01-2020",
            "12-13-2020",
            "12-01-20",
            "12-01-1850",
            "04-03",
            "FUJIAN, 20-01-1979",
            "26 Juno 2024",
            "JOHN DOE",
            "123-04-2020",
            "FUJIAN 20-01-1979",
            "12-0 1-20",
        ] {
            assert_eq!(date(input), None, "{input:?}");
        }
    }

    #[test]
    fn months_by_name_with_slips() {
        assert_eq!(month("Februari"), Some(2));
        assert_eq!(month("PEBRUARI"), Some(2));
        assert_eq!(month("Agustus"), Some(8));
        assert_eq!(month("AGUSTU5"), Some(8));
        assert_eq!(month("sept"), Some(9));
        assert_eq!(month("Nopember"), Some(11));
        // Four-letter names one letter apart must match exactly.
        assert_eq!(month("JUNI"), Some(6));
        assert_eq!(month("JULI"), Some(7));
        assert_eq!(month("JUXI"), None);
    }

    #[test]
    fn genders() {
        let table = [
            ("MALE", Some("M")),
            ("FEMALE", Some("F")),
            ("Male", Some("M")),
            ("LAKI-LAKI", Some("M")),
            ("LAKI - LAKI", Some("M")),
            ("PEREMPUAN", Some("F")),
            ("L", Some("M")),
            ("P", Some("F")),
            ("M", Some("M")),
            ("F", Some("F")),
            ("MAIE", Some("M")),
            ("FEMAIE", Some("F")),
            ("PEREMPUAM", Some("F")),
            (": MALE", Some("M")),
            // One slip from both MALE and FEMALE: no guess.
            ("EMALE", None),
            ("", None),
            ("X", None),
            ("UNKNOWN", None),
            // Bilingual values: both words agree, or there is no answer.
            ("LAKI-LAKI / MALE", Some("M")),
            ("PEREMPUAN / FEMALE", Some("F")),
            ("FEMALE (PEREMPUAN)", Some("F")),
            ("PEREMPUAN FEMALE", Some("F")),
            ("L / M", Some("M")),
            ("LAKI-LAKI / FEMALE", None),
            ("LAKI-LAKI / WANITA", None),
        ];
        for (input, want) in table {
            assert_eq!(gender(input), want, "{input:?}");
        }
    }

    #[test]
    fn place_and_date_splits() {
        let table = [
            ("SINGAPORE / 04-03-1984", "SINGAPORE", "04-03-1984"),
            ("FUJIAN, 20-01-1979", "FUJIAN", "20-01-1979"),
            ("JAKARTA,20-01-1979", "JAKARTA", "20-01-1979"),
            ("Pangkalpinang, 16-07-2019", "Pangkalpinang", "16-07-2019"),
            ("Jakarta, 26 Januari 2024", "Jakarta", "26-01-2024"),
            (
                "Jakarta Selatan, 26 Januari 2024",
                "Jakarta Selatan",
                "26-01-2024",
            ),
            ("SINGAPORE / 04/03/1984", "SINGAPORE", "04-03-1984"),
            ("NEW YORK 04-03-1984", "NEW YORK", "04-03-1984"),
            ("HO CHI MINH, 2O-01-1979", "HO CHI MINH", "20-01-1979"),
            ("GLASGOW I 21-11-1971", "GLASGOW", "21-11-1971"),
            ("Bandung., 16-07-2019", "Bandung", "16-07-2019"),
            ("BIRMINGHAM. 04-03-1984", "BIRMINGHAM", "04-03-1984"),
            ("Bandung.26-08-2024", "Bandung", "26-08-2024"),
            (
                "Jakarta Selatan, 14Agustus 2025",
                "Jakarta Selatan",
                "14-08-2025",
            ),
            (
                "ST. PETERSBURG / 04-03-1984",
                "ST. PETERSBURG",
                "04-03-1984",
            ),
            (
                "SAINT PETERSBURG / 10-08-196 3",
                "SAINT PETERSBURG",
                "10-08-1963",
            ),
        ];
        for (input, place, date) in table {
            let got = place_and_date(input).unwrap_or_else(|| panic!("{input:?} not split"));
            assert_eq!((got.place.as_str(), got.date.as_str()), (place, date));
            let chars: Vec<char> = input.chars().collect();
            let place_text: String = chars[..got.place_end].iter().collect();
            assert!(place_text.ends_with(place), "{input:?}: {place_text:?}");
            assert!(chars[got.date_start].is_alphanumeric(), "{input:?}");
        }
        for input in [
            "04-03-1984",
            "FUJIAN",
            "FUJIAN, 31-02-1979",
            "",
            ", 04-03-1984",
        ] {
            assert_eq!(place_and_date(input), None, "{input:?}");
        }
    }

    #[test]
    fn stay_permit_indices() {
        let table = [
            ("VI B", "VIB"),
            ("V1 B", "VIB"),
            ("VII", "VII"),
            ("C312", "C312"),
            ("C3I2", "C312"),
            ("E33G", "E33G"),
            ("E3SG", "E35G"),
            ("e31a", "E31A"),
            ("E 31 A", "E31A"),
            ("IC", "IC"),
            ("E23", "E23"),
        ];
        for (input, want) in table {
            let got = stay_permit_index(input);
            assert_eq!(got, want, "{input:?}");
            assert!(is_stay_permit_index(&got), "{got:?}");
        }
        assert!(!is_stay_permit_index("JOHN DOE"));
        assert!(!is_stay_permit_index(""));
        assert!(!is_stay_permit_index("C31234"));
    }

    #[test]
    fn permit_numbers_are_repaired_per_position() {
        let table = [
            ("2C21HB0016AT", "2C21HB0016AT"),
            ("2C21H80016AT", "2C21HB0016AT"),
            ("2C2lHBOO16AT", "2C21HB0016AT"),
            ("ZC21HB0016AT", "2C21HB0016AT"),
            ("2C25AU1440-A", "2C25AU1440-A"),
            ("2C25AU144O_A", "2C25AU1440-A"),
            ("2C21 HB0016 AT", "2C21HB0016AT"),
            ("2c21hb0016at", "2C21HB0016AT"),
            ("2C21HB0016A", "2C21HB0016A"),
            ("2C21HB0016A%", "2C21HB0016A%"),
            ("3B19CF2492S)", "3B19CF2492SJ"),
        ];
        for (input, want) in table {
            assert_eq!(permit_number(input), want, "{input:?}");
        }
        assert!(is_permit_number("2C21HB0016AT"));
        assert!(is_permit_number("2C25AU1440-A"));
        assert!(!is_permit_number("2C21HB0016A"));
        assert!(!is_permit_number("AU1095500"));
    }

    #[test]
    fn niora_repairs_only_its_serial() {
        assert_eq!(niora("3ATAA20536"), "3ATAA20536");
        assert_eq!(niora("A1U1RACO10950"), "A1U1RACO10950");
        assert_eq!(niora("3ATAA2O536"), "3ATAA20536");
        assert_eq!(niora("3ata a20536"), "3ATAA20536");
        // The prefix mixes letters and digits: an O there may be an O.
        assert_eq!(niora("3OTAA20536"), "3OTAA20536");
        // Two letters in the serial: the shape no longer decides.
        assert_eq!(niora("3ATAA2OS36"), "3ATAA2OS36");
        assert!(is_niora("3ATAA20536"));
        assert!(!is_niora("3ATAA"));
        assert!(!is_niora("3ATAA-20536"));
    }

    #[test]
    fn passport_numbers_are_repaired_in_the_digit_run() {
        let table = [
            ("G59337358", "G59337358"),
            ("G5933735B", "G59337358"),
            ("AU1O95500", "AU1095500"),
            ("AU 1095500", "AU1095500"),
            ("512345678", "512345678"),
            ("SI234567", "SI234567"),
            ("E12345678", "E12345678"),
            // A letter read as the digit it resembles: no all-digit shape has eight digits,
            // or nine beginning with 0.
            ("09698341", "O9698341"),
            ("17667774", "I7667774"),
            ("088651703", "O88651703"),
            ("123456789", "123456789"),
            ("023456789", "O23456789"),
            ("29698341", "29698341"),
            ("V02753324", "V02753324"),
        ];
        for (input, want) in table {
            assert_eq!(passport_number(input), want, "{input:?}");
        }
        assert!(is_passport_number("AU1095500"));
        assert!(is_passport_number("512345678"));
        assert!(!is_passport_number("ABC123456"));
        assert!(!is_passport_number("G5"));
    }

    #[test]
    fn free_text_repairs_digits_only_inside_words() {
        assert_eq!(text("JL. IMAM BONJ0L NO. 10"), "JL. IMAM BONJOL NO. 10");
        assert_eq!(text("L1NDA DOE"), "LINDA DOE");
        assert_eq!(text("BLOK Z11 KM.10 RT. 001"), "BLOK Z11 KM.10 RT. 001");
        assert_eq!(text("A0"), "A0");
        assert_eq!(text(": 0"), "0");
        assert_eq!(text("MUMBAl"), "MUMBAI");
        assert_eq!(text("MUMBA1"), "MUMBAI");
        assert_eq!(text("DAVA0"), "DAVAO");
        assert_eq!(text("0SAKA"), "OSAKA");
        assert_eq!(text("BLOK A1 AB1 ABC12 0"), "BLOK A1 AB1 ABC12 0");
        assert_eq!(text("Pangkalpinang"), "Pangkalpinang");
        assert_eq!(text("l"), "l");
        assert_eq!(text("JL. KEMANG RAYA KM. 2O"), "JL. KEMANG RAYA KM. 20");
        assert_eq!(text("RT. 0I2 RW. 0l0"), "RT. 012 RW. 010");
        assert_eq!(text("BLOK I3"), "BLOK I3");
        assert_eq!(text("BLOK V1 NO. 4O RT. 01O"), "BLOK V1 NO. 40 RT. 010");
        assert_eq!(text("BLOK I3 NO. 5 BLOK O5"), "BLOK I3 NO. 5 BLOK O5");
        assert_eq!(text("NO. 1O5J"), "NO. 1O5J");
        assert_eq!(text("KIM wOo mIN"), "KIM WOO MIN");
        assert_eq!(text("Jakarta Selatan"), "Jakarta Selatan");
    }

    #[test]
    fn clean_collapses_and_strips_the_colon() {
        assert_eq!(clean("  :  JOHN   DOE  "), "JOHN DOE");
        assert_eq!(clean("::JL. MELATI\tNO. 5"), "JL. MELATI NO. 5");
        assert_eq!(clean(""), "");
        assert_eq!(clean("A:B"), "A:B");
    }
}
