//! Putting back spaces in words the permits print from a fixed vocabulary.
//!
//! The recogniser drops some spaces between tightly set words (`PENANAMAN MODALASING`,
//! `KANTOR IMIGRASI KELAS IITPI`) where neither the ink nor the time steps show them (see
//! [`crate::ocr::spaces`]). Where a field's words come from a known list (the purposes of stay,
//! common occupations, the office classes, Indonesia's provinces), a run of words that equals a
//! known phrase once spaces are ignored is that phrase.
//!
//! Invariants:
//! - Only spaces change: the letters, digits and punctuation of the text are kept as read.
//! - A phrase replaces whole words only (`KELASIITPI` in a longer word is left alone), and the
//!   longest phrase wins where two would fit.

/// Purposes of stay printed as `Status` (the public samples' `TKA BID. PERINDUSTRIAN` and
/// `PENYATUAN KELUARGA`, and the other stay purposes of the immigration rules) and occupations
/// of several words, as the permits print them.
pub const STATUS_AND_OCCUPATION: &[&str] = &[
    "TKA BID. PERINDUSTRIAN",
    "TKA BID. PERTAMBANGAN",
    "TKA BID. PERDAGANGAN",
    "TKA BID. PENDIDIKAN",
    "TKA BID. KONSTRUKSI",
    "TKA BID. PARIWISATA",
    "TKA BID. KESEHATAN",
    "TKA BID. PERTANIAN",
    "PENYATUAN KELUARGA",
    "LANJUT USIA",
    "PENANAMAN MODAL ASING",
    "RUMAH KEDUA",
    "PELAJAR / MAHASISWA",
    "TENAGA AHLI",
    "MANAJER PRODUKSI",
    "TEKNISI MESIN",
    "AHLI GEOLOGI",
    "GURU BAHASA INGGRIS",
    "IBU RUMAH TANGGA",
    "GENERAL MANAGER",
    "QUALITY CONTROL",
    "KEPALA TEKNIK TAMBANG",
    "KARYAWAN SWASTA",
];

/// Classes of immigration offices, as in `KANTOR IMIGRASI KELAS I NON TPI BEKASI`.
pub const OFFICE_CLASSES: &[&str] = &[
    "KELAS I TPI",
    "KELAS I NON TPI",
    "KELAS II TPI",
    "KELAS II NON TPI",
    "KELAS I KHUSUS TPI",
    "KELAS I KHUSUS NON TPI",
    "KELAS III",
];

/// Indonesia's provinces of more than one word, which end many addresses.
pub const PROVINCES: &[&str] = &[
    "NANGGROE ACEH DARUSSALAM",
    "SUMATERA UTARA",
    "SUMATERA BARAT",
    "SUMATERA SELATAN",
    "KEPULAUAN RIAU",
    "KEPULAUAN BANGKA BELITUNG",
    "BANGKA BELITUNG",
    "DKI JAKARTA",
    "JAWA BARAT",
    "JAWA TENGAH",
    "JAWA TIMUR",
    "DI YOGYAKARTA",
    "NUSA TENGGARA BARAT",
    "NUSA TENGGARA TIMUR",
    "KALIMANTAN BARAT",
    "KALIMANTAN TENGAH",
    "KALIMANTAN SELATAN",
    "KALIMANTAN TIMUR",
    "KALIMANTAN UTARA",
    "SULAWESI UTARA",
    "SULAWESI TENGAH",
    "SULAWESI SELATAN",
    "SULAWESI TENGGARA",
    "SULAWESI BARAT",
    "MALUKU UTARA",
    "PAPUA BARAT",
    "PAPUA BARAT DAYA",
    "PAPUA TENGAH",
    "PAPUA PEGUNUNGAN",
    "PAPUA SELATAN",
];

/// Words of the documents' own printed wording (ministry and office headers, titles, section
/// headings, the signature block) in both languages: a line holding one is not a holder's name.
const DOCUMENT_WORDS: &[&str] = &[
    "KEMENTERIAN",
    "KEMENKUMHAM",
    "DIREKTORAT",
    "JENDERAL",
    "IMIGRASI",
    "PEMASYARAKATAN",
    "REPUBLIK",
    "INDONESIA",
    "HUKUM",
    "ASASI",
    "MANUSIA",
    "KANTOR",
    "WILAYAH",
    "KANIM",
    "KEPALA",
    "IZIN",
    "TINGGAL",
    "TERBATAS",
    "TETAP",
    "ELEKTRONIK",
    "KARTU",
    "DATA",
    "PRIBADI",
    "KETERANGAN",
    "MINISTRY",
    "DIRECTORATE",
    "GENERAL",
    "IMMIGRATION",
    "REPUBLIC",
    "OFFICE",
    "PERMIT",
    "STAY",
    "LIMITED",
    "PERMANENT",
    "TEMPORARY",
    "ELECTRONIC",
    "RESIDENCE",
    "PERSONAL",
    "DETAILS",
    "INFORMATION",
    "HOLDER",
];

/// Whether `text` holds a word of the documents' own wording ([`DOCUMENT_WORDS`]).
pub fn is_document_wording(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|w| DOCUMENT_WORDS.iter().any(|d| d.eq_ignore_ascii_case(w)))
}

/// `text` with each run of its words that spells a phrase of `phrases` (ignoring spaces)
/// replaced by that phrase.
pub fn respace(text: &str, phrases: &[&str]) -> String {
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    let mut keyed: Vec<(String, &str)> = phrases.iter().map(|p| (p.replace(' ', ""), *p)).collect();
    keyed.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let found = (i + 1..=words.len()).rev().find_map(|end| {
            let joined: String = words[i..end].concat();
            keyed
                .iter()
                .find(|(k, _)| *k == joined)
                .map(|(_, p)| (end, *p))
        });
        match found {
            Some((end, phrase)) => {
                out.push(phrase.to_string());
                i = end;
            }
            None => {
                out.push(words[i].to_string());
                i += 1;
            }
        }
    }
    out.join(" ")
}

/// An office header line (`KANTOR WILAYAH <region>`, `KANTOR IMIGRASI <class> <city>`) with
/// the spaces of its fixed words as printed, wherever the recogniser dropped or moved them
/// (`KANTORWIL AYAHBANGKABELITUNG` -> `KANTOR WILAYAH BANGKA BELITUNG`): from its start, the
/// office words, an office class ([`OFFICE_CLASSES`]) and a province ([`PROVINCES`]) are taken
/// as long as the text spells them ignoring spaces; the rest keeps its spaces as read, but a
/// word that ends in a compass word (`JAKARTASELATAN`) is split before it, as place names
/// print it.
pub fn office_line(text: &str) -> String {
    const OFFICE: [&str; 4] = ["KANTOR WILAYAH", "KANTOR IMIGRASI", "KANIM", "KANWIL"];
    let squeezed: Vec<(char, usize)> = text
        .char_indices()
        .filter(|(_, c)| !c.is_whitespace())
        .map(|(i, c)| (c, i))
        .collect();
    let mut phrases: Vec<&str> = OFFICE.to_vec();
    phrases.extend(OFFICE_CLASSES);
    phrases.extend(PROVINCES);
    phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let mut out: Vec<String> = Vec::new();
    let mut k = 0;
    'phrases: loop {
        for p in &phrases {
            let key: Vec<char> = p.chars().filter(|c| *c != ' ').collect();
            let end = k + key.len();
            let spelt = end <= squeezed.len()
                && squeezed[k..end]
                    .iter()
                    .map(|(c, _)| *c)
                    .eq(key.iter().copied());
            if spelt {
                out.push(p.to_string());
                k = end;
                continue 'phrases;
            }
        }
        break;
    }
    if let Some(&(_, at)) = squeezed.get(k) {
        for w in text[at..].split(' ').filter(|w| !w.is_empty()) {
            out.push(split_compass(w));
        }
    }
    out.join(" ")
}

/// `JAKARTASELATAN` -> `JAKARTA SELATAN`; a word that is only the compass word stays.
fn split_compass(word: &str) -> String {
    const COMPASS: [&str; 6] = ["SELATAN", "UTARA", "BARAT", "TIMUR", "PUSAT", "TENGAH"];
    for c in COMPASS {
        if let Some(head) = word.strip_suffix(c)
            && head.chars().count() >= 3
            && head.chars().all(|ch| ch.is_ascii_uppercase())
        {
            return format!("{head} {c}");
        }
    }
    word.to_string()
}

/// The abbreviations Indonesian addresses print with a dot (`JL. LIMAU NO. 2 RT. 001 RW. 003`,
/// `KM. 10`, `GG. MAWAR`): a word that is one of them once look-alike digits are read as
/// letters (`N0.` -> `NO.`), and a bare `JL` whose dot the recogniser missed or doubled (`JL`,
/// `JL..` -> `JL.`: a street name always follows it).
pub fn address_words(text: &str) -> String {
    const WORDS: [&str; 6] = ["JL", "NO", "RT", "RW", "KM", "GG"];
    let words: Vec<&str> = text.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let core = w.trim_end_matches(['.', ',']);
        let tail = &w[core.len()..];
        let folded: String = core
            .chars()
            .map(|c| match c {
                '0' => 'O',
                '1' => 'I',
                c => c,
            })
            .collect();
        let word = match WORDS.iter().find(|a| **a == folded) {
            Some(&"JL") if i + 1 < words.len() && (tail.is_empty() || tail.starts_with("..")) => {
                format!("JL.{}", tail.trim_start_matches('.'))
            }
            Some(a) if core != folded => format!("{a}{tail}"),
            _ => w.to_string(),
        };
        out.push(word);
    }
    out.join(" ")
}

/// `BLOKJ7` -> `BLOK J7`: the block word of an address read together with its block code (one
/// or two letters and one to three digits); and `BLOK JIO` -> `BLOK J10`: after the code's
/// leading letter, an `I` or `O` among its digits is the `1` or `0` of its number.
pub fn block_code(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let after_blok = i > 0 && words[i - 1] == "BLOK";
        let word = match w.strip_prefix("BLOK") {
            // A comma may close the address's street part: `BLOKJ7,`.
            Some(code) if !code.is_empty() => match repaired_block_code(code) {
                Some(code) => format!("BLOK {code}"),
                None => w.to_string(),
            },
            _ if after_blok => repaired_block_code(w).unwrap_or_else(|| w.to_string()),
            _ => w.to_string(),
        };
        out.push(word);
    }
    out.join(" ")
}

/// The block code `code` (with any closing `,` or `.`), its number's `I`/`O` read as `1`/`0`;
/// `None` if it is not a block code even so.
fn repaired_block_code(code: &str) -> Option<String> {
    let body = code.trim_end_matches([',', '.']);
    let close = &code[body.len()..];
    if is_block_code(body) {
        return Some(code.to_string());
    }
    // One leading letter, then a number of one or two characters in which the recogniser
    // took a digit for the letter of the same shape (`J1O`, `WIO`, `FI`).
    let mut chars = body.chars();
    let first = chars.next().filter(char::is_ascii_uppercase)?;
    let tail: Vec<char> = chars.collect();
    let digit_like = |c: &char| c.is_ascii_digit() || matches!(c, 'I' | 'O' | 'l');
    if !(1..=2).contains(&tail.len()) || !tail.iter().all(digit_like) {
        return None;
    }
    let number: String = tail
        .iter()
        .map(|c| match c {
            'I' | 'l' => '1',
            'O' => '0',
            d => *d,
        })
        .collect();
    Some(format!("{first}{number}{close}"))
}

fn is_block_code(code: &str) -> bool {
    let letters = code.chars().take_while(char::is_ascii_uppercase).count();
    let digits = code.chars().skip(letters).count();
    (1..=2).contains(&letters)
        && (1..=3).contains(&digits)
        && code.chars().skip(letters).all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_lines_get_the_spaces_of_their_fixed_words() {
        assert_eq!(
            office_line("KANTORWIL AYAHBANGKABELITUNG"),
            "KANTOR WILAYAH BANGKA BELITUNG"
        );
        assert_eq!(
            office_line("KANTORIMIGRASIKELASINON TPI JAKARTASELATAN"),
            "KANTOR IMIGRASI KELAS I NON TPI JAKARTA SELATAN"
        );
        assert_eq!(
            office_line("KANTORIMIGRASIKEL ASIITPIPANGKALPINANG"),
            "KANTOR IMIGRASI KELAS II TPI PANGKALPINANG"
        );
        // Read right: unchanged.
        for line in [
            "KANTOR WILAYAH DKI JAKARTA",
            "KANTOR IMIGRASI KELAS I TPI BANDUNG",
            "KANTOR WILAYAH JAWA TIMUR",
        ] {
            assert_eq!(office_line(line), line);
        }
    }

    #[test]
    fn address_abbreviations_get_their_letters_and_dot() {
        assert_eq!(
            address_words("JL DEPATI AMIR N0. 83 RT. 019 RW. 007"),
            "JL. DEPATI AMIR NO. 83 RT. 019 RW. 007"
        );
        assert_eq!(address_words("JL.. KAMPUNG BARU"), "JL. KAMPUNG BARU");
        // Numbers and other words stay as read.
        assert_eq!(
            address_words("KM. 10 NO. 2 BLOK A0"),
            "KM. 10 NO. 2 BLOK A0"
        );
        assert_eq!(address_words("KOTA JL"), "KOTA JL");
    }

    #[test]
    fn a_phrase_read_without_its_spaces_gets_them_back() {
        let s = STATUS_AND_OCCUPATION;
        assert_eq!(respace("PENANAMAN MODALASING", s), "PENANAMAN MODAL ASING");
        assert_eq!(respace("TENAGAAHLI", s), "TENAGA AHLI");
        assert_eq!(respace("TKABID.PERDAGANGAN", s), "TKA BID. PERDAGANGAN");
        assert_eq!(respace("TKA BID.PERDAGANGAN", s), "TKA BID. PERDAGANGAN");
        // Already right, or not a known phrase: as read.
        assert_eq!(respace("TENAGA AHLI", s), "TENAGA AHLI");
        assert_eq!(respace("SUPERVISOR", s), "SUPERVISOR");
        assert_eq!(respace("TENAGAAHLIX", s), "TENAGAAHLIX");
        // A slip in a letter is not a space: left for a person to check.
        assert_eq!(respace("PENANAMAN MODALASlNG", s), "PENANAMAN MODALASlNG");
    }

    #[test]
    fn a_phrase_inside_a_longer_text_replaces_whole_words_only() {
        let c = OFFICE_CLASSES;
        assert_eq!(
            respace("KANTOR IMIGRASI KELAS IITPI BANDUNG", c),
            "KANTOR IMIGRASI KELAS II TPI BANDUNG"
        );
        assert_eq!(
            respace("KANTOR IMIGRASI KELAS INON TPI BEKASI", c),
            "KANTOR IMIGRASI KELAS I NON TPI BEKASI"
        );
        assert_eq!(
            respace("KANIM KELAS I TPI PANGKAL PINANG", c),
            "KANIM KELAS I TPI PANGKAL PINANG"
        );
        assert_eq!(
            respace("PERUM. VILLA MAWAR NO. 33 MALANG, JAWATIMUR", PROVINCES),
            "PERUM. VILLA MAWAR NO. 33 MALANG, JAWA TIMUR"
        );
        assert_eq!(respace("XJAWATIMUR", PROVINCES), "XJAWATIMUR");
    }

    #[test]
    fn a_block_code_is_split_from_its_word() {
        assert_eq!(
            block_code("KOMPLEK TAMAN ANGGREK BLOKJ8 NO. 5"),
            "KOMPLEK TAMAN ANGGREK BLOK J8 NO. 5"
        );
        assert_eq!(block_code("BLOKY9 NO. 8"), "BLOK Y9 NO. 8");
        assert_eq!(block_code("BLOKAB123"), "BLOK AB123");
        assert_eq!(block_code("BLOKJ7, JAWA TIMUR"), "BLOK J7, JAWA TIMUR");
        // Not a block code: as read.
        assert_eq!(block_code("BLOK J8"), "BLOK J8");
        assert_eq!(block_code("BLOKADE"), "BLOKADE");
        assert_eq!(block_code("BLOK"), "BLOK");
        assert_eq!(block_code("BLOKABC1"), "BLOKABC1");
    }

    #[test]
    fn a_block_number_read_with_letters_gets_its_digits_back() {
        assert_eq!(
            block_code("KOMPLEK PURI INDAH BLOK JIO NO. 36"),
            "KOMPLEK PURI INDAH BLOK J10 NO. 36"
        );
        assert_eq!(block_code("BLOK FIO NO. 9"), "BLOK F10 NO. 9");
        assert_eq!(block_code("BLOK W1O, BALI"), "BLOK W10, BALI");
        assert_eq!(block_code("BLOKYIO NO. 7"), "BLOK Y10 NO. 7");
        // Two letters and a digit are a code as they stand.
        assert_eq!(block_code("BLOK CI2"), "BLOK CI2");
        // Codes that read right, and words that are no code, stay as read.
        assert_eq!(block_code("BLOK I3 NO. 5 BLOK O5"), "BLOK I3 NO. 5 BLOK O5");
        assert_eq!(block_code("BLOK AB1"), "BLOK AB1");
        assert_eq!(block_code("BLOK MAWAR"), "BLOK MAWAR");
        assert_eq!(block_code("BLOK"), "BLOK");
        assert_eq!(block_code("JIO NO. 5"), "JIO NO. 5");
    }
}
