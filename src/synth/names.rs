//! Fake foreign residents: full names as printed on a permit, with a matching nationality (in
//! Indonesian, as the permit prints it) and place of birth.
//!
//! Names are assembled from lists of common given names and surnames, following each culture's
//! naming pattern (surname first for Chinese and Korean names, patronymics for Arab and Malay ones,
//! feminine surnames for Russian women, ...), so combinations are invented, not real people.

use rand::{Rng, RngExt};

/// The most words a permit's name field carries in practice.
const MAX_WORDS: usize = 4;

/// Sex as printed on the permit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// The permit's wording: `LAKI-LAKI` or `PEREMPUAN`.
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "LAKI-LAKI",
            Sex::Female => "PEREMPUAN",
        }
    }
}

/// A fake permit holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Upper-case full name, 1 to 4 words, e.g. `YOUXING CHEN`.
    pub name: String,
    pub sex: Sex,
    /// Nationality in Indonesian, e.g. `KOREA SELATAN`.
    pub nationality: &'static str,
    /// A city of that country, e.g. `ROTTERDAM`.
    pub birthplace: &'static str,
}

/// How a culture orders and builds the parts of a name.
#[derive(Clone, Copy)]
enum Style {
    /// Given name(s), then surname; surnames may carry particles (`VAN DER`, `AL`).
    Western,
    /// Pinyin syllables joined into a given name; either order (passports differ).
    Chinese,
    /// Surname, then a two-syllable given name.
    Korean,
    /// Either order.
    Japanese,
    /// Given name, optional middle name, surname; sometimes a single name only.
    Indian,
    /// Given name and surname, the surname in its feminine form for women.
    Russian,
    /// Given name, father's name, family name.
    Arab,
    /// Surname, `VAN`/`THI`, given name.
    Vietnamese,
    /// Given name, `BIN`/`BINTI`, father's name.
    Malay,
}

struct Home {
    nationality: &'static str,
    places: &'static [&'static str],
}

struct Pool {
    style: Style,
    male: &'static [&'static str],
    female: &'static [&'static str],
    surnames: &'static [&'static str],
    homes: &'static [Home],
}

const CHINESE_SYLLABLES: &[&str] = &[
    "WEI", "MING", "XIAO", "YU", "HUA", "JIAN", "LI", "NA", "JING", "HAO", "YOU", "XING", "ZHI",
    "QIANG", "LEI", "TING", "FANG", "YAN", "JUN", "HONG", "LIN", "PENG", "XUE", "CHENG", "GUANG",
];
const KOREAN_SYLLABLES: &[&str] = &[
    "MIN", "JUN", "SEO", "YEON", "JI", "WOO", "HYUN", "SOO", "YOUNG", "HO", "EUN", "JAE", "SUNG",
    "HEE", "DONG", "KYUNG", "HYE", "JIN",
];
const ENGLISH_MALE: &[&str] = &[
    "JAMES",
    "JOHN",
    "MICHAEL",
    "DAVID",
    "ROBERT",
    "WILLIAM",
    "DANIEL",
    "MATTHEW",
    "ANDREW",
    "CHRISTOPHER",
    "THOMAS",
    "RYAN",
    "JOSHUA",
    "BENJAMIN",
    "PETER",
    "MARK",
];
const ENGLISH_FEMALE: &[&str] = &[
    "SARAH",
    "JESSICA",
    "EMILY",
    "JENNIFER",
    "ELIZABETH",
    "REBECCA",
    "CHLOE",
    "HANNAH",
    "OLIVIA",
    "MARGARET",
    "LAURA",
    "KATE",
];
const ARAB_MALE: &[&str] = &[
    "MUHAMMAD", "AHMED", "ALI", "OMAR", "KHALID", "HASSAN", "HUSSEIN", "YOUSEF", "IBRAHIM",
    "ABDULLAH", "MAHMOUD", "SAEED", "FAISAL", "TARIQ",
];
const MALAY_MALE: &[&str] = &[
    "AHMAD", "MOHD", "AZMAN", "HAFIZ", "FAIZAL", "RIDZUAN", "ISMAIL", "ZULKIFLI", "HAMZAH",
];

const POOLS: &[Pool] = &[
    Pool {
        style: Style::Chinese,
        male: CHINESE_SYLLABLES,
        female: CHINESE_SYLLABLES,
        surnames: &[
            "CHEN", "WANG", "LI", "ZHANG", "LIU", "YANG", "HUANG", "ZHAO", "WU", "ZHOU", "XU",
            "SUN", "MA", "ZHU", "HU", "GUO", "HE", "LIN", "LUO", "GAO",
        ],
        homes: &[Home {
            nationality: "TIONGKOK",
            places: &[
                "SHANGHAI",
                "BEIJING",
                "GUANGZHOU",
                "SHENZHEN",
                "FUJIAN",
                "CHONGQING",
                "WUHAN",
                "NANJING",
                "TIANJIN",
                "HUNAN",
                "JIANGSU",
                "ZHEJIANG",
            ],
        }],
    },
    Pool {
        style: Style::Korean,
        male: KOREAN_SYLLABLES,
        female: KOREAN_SYLLABLES,
        surnames: &[
            "KIM", "LEE", "PARK", "CHOI", "JUNG", "KANG", "CHO", "YOON", "JANG", "LIM", "HAN",
            "SHIN",
        ],
        homes: &[Home {
            nationality: "KOREA SELATAN",
            places: &[
                "SEOUL", "BUSAN", "INCHEON", "DAEGU", "DAEJEON", "GWANGJU", "ULSAN",
            ],
        }],
    },
    Pool {
        style: Style::Japanese,
        male: &[
            "HIROSHI", "TAKESHI", "KENJI", "DAISUKE", "YUTA", "SHOTA", "KAZUKI", "RYO", "NAOKI",
            "TAKUYA",
        ],
        female: &[
            "YUKI", "AIKO", "HARUKA", "MISAKI", "YUMI", "SAKURA", "NAOMI", "EMI", "KAORI",
        ],
        surnames: &[
            "TANAKA",
            "SUZUKI",
            "SATO",
            "TAKAHASHI",
            "WATANABE",
            "ITO",
            "YAMAMOTO",
            "NAKAMURA",
            "KOBAYASHI",
            "KATO",
            "YOSHIDA",
            "MATSUMOTO",
        ],
        homes: &[Home {
            nationality: "JEPANG",
            places: &[
                "TOKYO", "OSAKA", "NAGOYA", "YOKOHAMA", "FUKUOKA", "SAPPORO", "KOBE",
            ],
        }],
    },
    Pool {
        style: Style::Indian,
        male: &[
            "RAJESH", "SURESH", "AMIT", "VIKRAM", "ARJUN", "RAHUL", "SANJAY", "ANIL", "DEEPAK",
            "MANOJ", "PRAKASH", "RAVI",
        ],
        female: &[
            "PRIYA", "ANJALI", "SUNITA", "KAVITA", "DEEPA", "NEHA", "POOJA", "LAKSHMI",
        ],
        surnames: &[
            "SHARMA", "PATEL", "NAIR", "IYER", "GUPTA", "REDDY", "SINGH", "VERMA", "MENON", "RAO",
            "PILLAI", "KRISHNAN",
        ],
        homes: &[Home {
            nationality: "INDIA",
            places: &[
                "MUMBAI",
                "NEW DELHI",
                "CHENNAI",
                "KOLKATA",
                "BANGALORE",
                "HYDERABAD",
                "PUNE",
                "KERALA",
            ],
        }],
    },
    Pool {
        style: Style::Western,
        male: ENGLISH_MALE,
        female: ENGLISH_FEMALE,
        surnames: &[
            "SMITH",
            "JONES",
            "WILLIAMS",
            "BROWN",
            "WILSON",
            "TAYLOR",
            "JOHNSON",
            "WHITE",
            "MARTIN",
            "ANDERSON",
            "THOMPSON",
            "MILLER",
            "DAVIS",
            "GARCIA",
            "MOORE",
            "JACKSON",
            "CLARK",
            "LEWIS",
            "WALKER",
            "MACDONALD",
        ],
        homes: &[
            Home {
                nationality: "AUSTRALIA",
                places: &[
                    "PERTH",
                    "SYDNEY",
                    "MELBOURNE",
                    "BRISBANE",
                    "ADELAIDE",
                    "DARWIN",
                ],
            },
            Home {
                nationality: "AMERIKA SERIKAT",
                places: &[
                    "NEW YORK",
                    "LOS ANGELES",
                    "HOUSTON",
                    "CHICAGO",
                    "SEATTLE",
                    "SAN DIEGO",
                    "DENVER",
                ],
            },
            Home {
                nationality: "PERSATUAN KERAJAAN",
                places: &["LONDON", "MANCHESTER", "BIRMINGHAM", "LEEDS", "GLASGOW"],
            },
        ],
    },
    Pool {
        style: Style::Western,
        male: &[
            "JAN", "PIETER", "HENDRIK", "WILLEM", "JOHANNES", "DAAN", "SEM", "LUCAS", "BRAM",
            "KOEN", "RUUD", "MAARTEN",
        ],
        female: &[
            "ANNA", "EMMA", "SOPHIE", "JULIA", "FLEUR", "ANOUK", "SANNE", "LOTTE", "INGE",
            "MARIEKE",
        ],
        surnames: &[
            "DE JONG",
            "JANSEN",
            "DE VRIES",
            "VAN DEN BERG",
            "VAN DIJK",
            "BAKKER",
            "VISSER",
            "SMIT",
            "MEIJER",
            "DE BOER",
            "MULDER",
            "DE GROOT",
            "BOS",
            "VOS",
            "HENDRIKS",
            "VAN LEEUWEN",
            "DEKKER",
        ],
        homes: &[Home {
            nationality: "BELANDA",
            places: &[
                "ROTTERDAM",
                "AMSTERDAM",
                "UTRECHT",
                "DEN HAAG",
                "EINDHOVEN",
                "GRONINGEN",
                "LEIDEN",
            ],
        }],
    },
    Pool {
        style: Style::Western,
        male: &[
            "LUKAS",
            "STEFAN",
            "MARKUS",
            "JUERGEN",
            "KLAUS",
            "FLORIAN",
            "TOBIAS",
            "SEBASTIAN",
        ],
        female: &["KATHARINA", "SABINE", "MONIKA", "JULIA", "LENA", "CLAUDIA"],
        surnames: &[
            "MUELLER",
            "SCHMIDT",
            "SCHNEIDER",
            "FISCHER",
            "WEBER",
            "MEYER",
            "WAGNER",
            "BECKER",
            "HOFFMANN",
            "SCHULZ",
        ],
        homes: &[Home {
            nationality: "JERMAN",
            places: &[
                "BERLIN",
                "MUENCHEN",
                "HAMBURG",
                "FRANKFURT",
                "KOELN",
                "STUTTGART",
            ],
        }],
    },
    Pool {
        style: Style::Russian,
        male: &[
            "DMITRY",
            "SERGEY",
            "ALEXANDER",
            "ANDREY",
            "ALEXEY",
            "MAXIM",
            "IVAN",
            "NIKOLAI",
            "VLADIMIR",
            "PAVEL",
            "MIKHAIL",
        ],
        female: &[
            "ANNA",
            "ELENA",
            "OLGA",
            "NATALIA",
            "TATIANA",
            "SVETLANA",
            "IRINA",
            "EKATERINA",
            "YULIA",
        ],
        surnames: &[
            "IVANOV",
            "SMIRNOV",
            "KUZNETSOV",
            "POPOV",
            "VASILIEV",
            "PETROV",
            "SOKOLOV",
            "MIKHAILOV",
            "NOVIKOV",
            "FEDOROV",
            "MOROZOV",
            "VOLKOV",
            "LEBEDEV",
            "KOZLOV",
            "ORLOVSKY",
            "BORODIN",
        ],
        homes: &[Home {
            nationality: "RUSIA",
            places: &[
                "MOSCOW",
                "SAINT PETERSBURG",
                "NOVOSIBIRSK",
                "KAZAN",
                "VLADIVOSTOK",
                "YEKATERINBURG",
            ],
        }],
    },
    Pool {
        style: Style::Arab,
        male: ARAB_MALE,
        female: &[
            "FATIMA", "AISHA", "MARYAM", "NOOR", "LAYLA", "ZAINAB", "HUDA", "SALMA",
        ],
        surnames: &[
            "HASSAN",
            "AL FARSI",
            "AL HARBI",
            "AL QAHTANI",
            "AL GHAMDI",
            "MANSOUR",
            "SALEH",
            "HAMDAN",
            "AL RASHID",
            "NASSER",
            "ABDELRAHMAN",
            "EL SAYED",
        ],
        homes: &[
            Home {
                nationality: "ARAB SAUDI",
                places: &["RIYADH", "JEDDAH", "MAKKAH", "DAMMAM", "MADINAH"],
            },
            Home {
                nationality: "MESIR",
                places: &["CAIRO", "ALEXANDRIA", "GIZA"],
            },
            Home {
                nationality: "YAMAN",
                places: &["SANAA", "ADEN", "HADRAMAUT"],
            },
            Home {
                nationality: "UNI EMIRAT ARAB",
                places: &["DUBAI", "ABU DHABI", "SHARJAH"],
            },
        ],
    },
    Pool {
        style: Style::Vietnamese,
        male: &[
            "AN", "MINH", "DUC", "HUNG", "TUAN", "NAM", "QUANG", "THANH", "HIEU",
        ],
        female: &[
            "HOA", "LAN", "LINH", "MAI", "THAO", "HUONG", "TRANG", "NGOC",
        ],
        surnames: &[
            "NGUYEN", "TRAN", "LE", "PHAM", "HOANG", "HUYNH", "PHAN", "VU", "VO", "DANG", "BUI",
            "DO",
        ],
        homes: &[Home {
            nationality: "VIETNAM",
            places: &["HANOI", "HO CHI MINH", "DA NANG", "HAI PHONG", "HUE"],
        }],
    },
    Pool {
        style: Style::Western,
        male: &[
            "JOSE",
            "JUAN",
            "MARK",
            "JOHN PAUL",
            "ROMMEL",
            "ARNEL",
            "JERICHO",
        ],
        female: &[
            "MARIA",
            "MARY JANE",
            "ANGELICA",
            "KRISTINE",
            "JOY",
            "ROSALIE",
        ],
        surnames: &[
            "SANTOS",
            "REYES",
            "CRUZ",
            "BAUTISTA",
            "OCAMPO",
            "GARCIA",
            "MENDOZA",
            "DELA CRUZ",
            "TORRES",
            "VILLANUEVA",
        ],
        homes: &[Home {
            nationality: "FILIPINA",
            places: &["MANILA", "CEBU", "DAVAO", "QUEZON CITY", "ILOILO"],
        }],
    },
    Pool {
        style: Style::Malay,
        male: MALAY_MALE,
        female: &["NURUL", "SITI", "AISYAH", "FARAH", "NOR AZIZAH", "HALIMAH"],
        surnames: MALAY_MALE,
        homes: &[Home {
            nationality: "MALAYSIA",
            places: &[
                "KUALA LUMPUR",
                "JOHOR BAHRU",
                "PENANG",
                "IPOH",
                "KUCHING",
                "MELAKA",
            ],
        }],
    },
    Pool {
        style: Style::Western,
        male: &[
            "SOMCHAI",
            "SOMSAK",
            "ANAN",
            "PRASERT",
            "THANAWAT",
            "KITTIPONG",
        ],
        female: &["SUDA", "NATTAYA", "PORNTHIP", "KANYA", "SIRIPORN"],
        surnames: &[
            "WONGSAWAT",
            "SRISUK",
            "CHAIYAPORN",
            "SAETANG",
            "BOONMA",
            "RATTANAKORN",
            "SUKSAWAT",
        ],
        homes: &[Home {
            nationality: "THAILAND",
            places: &["BANGKOK", "CHIANG MAI", "PHUKET", "KHON KAEN"],
        }],
    },
];

/// A uniformly chosen element of a non-empty constant list.
pub(crate) fn pick<T: Copy, R: Rng + ?Sized>(rng: &mut R, list: &[T]) -> T {
    list[rng.random_range(0..list.len())]
}

/// A fake permit holder of a random nationality.
pub fn person<R: Rng + ?Sized>(rng: &mut R) -> Person {
    let pool = &POOLS[rng.random_range(0..POOLS.len())];
    let sex = if rng.random_bool(0.7) {
        Sex::Male
    } else {
        Sex::Female
    };
    let home = &pool.homes[rng.random_range(0..pool.homes.len())];
    Person {
        name: compose_name(rng, pool, sex),
        sex,
        nationality: home.nationality,
        birthplace: pick(rng, home.places),
    }
}

/// An upper-case full name of a random nationality, e.g. `MUHAMMAD ALI HASSAN`.
pub fn full_name<R: Rng + ?Sized>(rng: &mut R) -> String {
    person(rng).name
}

/// Every nationality the names are drawn from, in Indonesian.
pub fn nationalities() -> impl Iterator<Item = &'static str> {
    POOLS
        .iter()
        .flat_map(|p| p.homes.iter().map(|h| h.nationality))
}

fn compose_name<R: Rng + ?Sized>(rng: &mut R, pool: &Pool, sex: Sex) -> String {
    let given_list = match sex {
        Sex::Male => pool.male,
        Sex::Female => pool.female,
    };
    let given = pick(rng, given_list);
    let surname = pick(rng, pool.surnames);
    let parts: Vec<String> = match pool.style {
        Style::Western => western(rng, given_list, given, surname),
        Style::Chinese => chinese(rng, pool.male, surname),
        Style::Korean => korean(rng, pool.male, surname),
        Style::Japanese => either_order(rng, given, surname),
        Style::Indian => indian(rng, sex, given, surname),
        Style::Russian => vec![given.into(), russian_surname(surname, sex)],
        Style::Arab => vec![given.into(), pick(rng, ARAB_MALE).into(), surname.into()],
        Style::Vietnamese => vietnamese(sex, given, surname),
        Style::Malay => malay(rng, sex, given),
    };
    cap_words(&parts.join(" "))
}

fn western<R: Rng + ?Sized>(
    rng: &mut R,
    given_list: &[&'static str],
    given: &str,
    surname: &str,
) -> Vec<String> {
    let mut parts = vec![given.to_string()];
    // A middle name is common, but a particle surname (`VAN DEN BERG`) leaves no room for one.
    let room = MAX_WORDS.saturating_sub(word_count(given) + word_count(surname));
    if room > 0 && rng.random_bool(0.4) {
        let middle = pick(rng, given_list);
        if middle != given && word_count(middle) <= room {
            parts.push(middle.into());
        }
    }
    parts.push(surname.into());
    parts
}

fn chinese<R: Rng + ?Sized>(rng: &mut R, syllables: &[&'static str], surname: &str) -> Vec<String> {
    let mut given = pick(rng, syllables).to_string();
    if rng.random_bool(0.7) {
        given.push_str(pick(rng, syllables));
    }
    either_order(rng, &given, surname)
}

fn korean<R: Rng + ?Sized>(rng: &mut R, syllables: &[&'static str], surname: &str) -> Vec<String> {
    let (a, b) = (pick(rng, syllables), pick(rng, syllables));
    // Korean passports write the given name either joined (`MINJUN`) or as two words.
    let given = if rng.random_bool(0.6) {
        format!("{a}{b}")
    } else {
        format!("{a} {b}")
    };
    vec![surname.into(), given]
}

fn either_order<R: Rng + ?Sized>(rng: &mut R, given: &str, surname: &str) -> Vec<String> {
    if rng.random_bool(0.5) {
        vec![given.into(), surname.into()]
    } else {
        vec![surname.into(), given.into()]
    }
}

fn indian<R: Rng + ?Sized>(rng: &mut R, sex: Sex, given: &str, surname: &str) -> Vec<String> {
    // Many South Indian passports carry a single name with an empty surname field.
    if rng.random_bool(0.1) {
        return vec![given.into()];
    }
    let middles: &[&str] = match sex {
        Sex::Male => &["KUMAR", "PRASAD", "CHANDRA", "MOHAN"],
        Sex::Female => &["KUMARI", "DEVI", "RANI"],
    };
    let mut parts = vec![given.to_string()];
    if rng.random_bool(0.4) {
        parts.push(pick(rng, middles).into());
    }
    parts.push(surname.into());
    parts
}

fn russian_surname(surname: &str, sex: Sex) -> String {
    match sex {
        Sex::Male => surname.into(),
        Sex::Female => match surname.strip_suffix("SKY") {
            Some(stem) => format!("{stem}SKAYA"),
            None => format!("{surname}A"),
        },
    }
}

fn vietnamese(sex: Sex, given: &str, surname: &str) -> Vec<String> {
    let middle = match sex {
        Sex::Male => "VAN",
        Sex::Female => "THI",
    };
    vec![surname.into(), middle.into(), given.into()]
}

fn malay<R: Rng + ?Sized>(rng: &mut R, sex: Sex, given: &str) -> Vec<String> {
    let link = match sex {
        Sex::Male => "BIN",
        Sex::Female => "BINTI",
    };
    vec![given.into(), link.into(), pick(rng, MALAY_MALE).into()]
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Drops middle names so that a name never exceeds [`MAX_WORDS`]; the first given name and the
/// whole surname, particles included, are what identify a person.
fn cap_words(name: &str) -> String {
    let mut words: Vec<&str> = name.split_whitespace().collect();
    while words.len() > MAX_WORDS {
        words.remove(1);
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn names_are_upper_case_with_one_to_four_words() {
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..2000 {
            let name = full_name(&mut rng);
            let words = name.split(' ').count();
            assert!((1..=MAX_WORDS).contains(&words), "{name:?}");
            assert!(
                name.chars().all(|c| c.is_ascii_uppercase() || c == ' '),
                "{name:?}"
            );
            assert!(!name.contains("  ") && name.trim() == name, "{name:?}");
        }
    }

    #[test]
    fn many_nationalities_appear() {
        let mut rng = StdRng::seed_from_u64(2);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..3000 {
            seen.insert(person(&mut rng).nationality);
        }
        assert_eq!(seen.len(), nationalities().count(), "{seen:?}");
        for n in [
            "TIONGKOK",
            "KOREA SELATAN",
            "AMERIKA SERIKAT",
            "BELANDA",
            "RUSIA",
            "INDIA",
        ] {
            assert!(seen.contains(n), "{n} never drawn");
        }
    }

    #[test]
    fn birthplace_belongs_to_the_nationality() {
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..500 {
            let p = person(&mut rng);
            let home = POOLS
                .iter()
                .flat_map(|pool| pool.homes)
                .find(|h| h.nationality == p.nationality)
                .expect("nationality comes from a pool");
            assert!(home.places.contains(&p.birthplace), "{p:?}");
        }
    }

    #[test]
    fn culture_specific_forms() {
        assert_eq!(russian_surname("IVANOV", Sex::Female), "IVANOVA");
        assert_eq!(russian_surname("ORLOVSKY", Sex::Female), "ORLOVSKAYA");
        assert_eq!(russian_surname("PETROV", Sex::Male), "PETROV");
        assert_eq!(
            vietnamese(Sex::Female, "LAN", "TRAN"),
            ["TRAN", "THI", "LAN"]
        );
        assert_eq!(cap_words("PIETER JAN VAN DEN BERG"), "PIETER VAN DEN BERG");
    }

    #[test]
    fn same_seed_same_people() {
        let draw = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (0..50).map(|_| person(&mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }
}
