//! `kitascan bench accuracy`: the reader against the truth of a generated set.
//!
//! Exact match: the reader's normalised value equals the truth's, spaces included; a field the
//! document does not print must come back empty. On a non-permit every permit field must be
//! empty: any value there is an invented field, counted separately.
//!
//! Two sets, one scoring path: the classic set ([`generate_set`], tabled per capture
//! condition) and a layout-family set of one split ([`generate_family_set`], tabled per report
//! kind and per family, after the family table).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use image::RgbImage;
use kitascan::input::{self, Limits};
use kitascan::kitas::extract;
use kitascan::kitas::fields::{FieldName, Reading};
use kitascan::kitas::read::{Source, read_page, read_pages};
use kitascan::ocr::{Engine, TextLine};
use kitascan::synth::family::{self, Split};
use kitascan::synth::{Condition, SampleInfo, generate_family_set, generate_set};

/// Which generated set the benchmark reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetChoice {
    /// [`generate_set`]: the classic kinds under the four conditions.
    Classic,
    /// [`generate_family_set`] of one split.
    Families(Split),
}

#[derive(Default)]
struct Tally {
    right: usize,
    total: usize,
}

#[derive(Default)]
struct FamilyTally {
    fields: Tally,
    decision: Tally,
}

impl Tally {
    fn add(&mut self, ok: bool) {
        self.right += usize::from(ok);
        self.total += 1;
    }

    fn rate(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.right as f64 / self.total as f64
        }
    }
}

#[derive(Default)]
struct Results {
    /// Per capture condition (classic set) or per report kind (family set).
    by_group: BTreeMap<String, Tally>,
    /// Per family (family set only; non-permits under `non-permit`).
    by_family: BTreeMap<String, FamilyTally>,
    by_field: BTreeMap<&'static str, Tally>,
    permit_decision: Tally,
    invented: usize,
    non_permits: usize,
    misses: Vec<String>,
    times: BTreeMap<String, Vec<Duration>>,
    /// Letter-digit pairs in codes, per pair: [letters right, letters read as the digit,
    /// digits right, digits read as the letter].
    pairs: BTreeMap<(char, char), [usize; 4]>,
    /// Codes read with as many characters as printed (the ones the pair table counts), of all.
    codes_aligned: Tally,
}

/// The fields whose letters and digits only the code's own grammar and glyphs decide.
const CODE_FIELDS: [&str; 3] = ["niora", "passport_number", "permit_number"];

/// Counts each printed character of a letter-digit pair in code `want` as read in `got`, when
/// the two have as many characters.
fn tally_pairs(results: &mut Results, want: &str, got: &str) {
    let (w, g): (Vec<char>, Vec<char>) = (want.chars().collect(), got.chars().collect());
    results.codes_aligned.add(w.len() == g.len());
    if w.len() != g.len() {
        return;
    }
    for (&a, &b) in w.iter().zip(&g) {
        for &(letter, digit) in &kitascan::ocr::ctc::PAIRS {
            let t = results.pairs.entry((letter, digit)).or_default();
            if a == letter {
                t[0] += usize::from(b == letter);
                t[1] += usize::from(b == digit);
            } else if a == digit {
                t[2] += usize::from(b == digit);
                t[3] += usize::from(b == letter);
            }
        }
    }
}

pub fn run(
    engine: &Engine,
    dir: &Path,
    (n, seed): (usize, u64),
    max_misses: usize,
    choice: SetChoice,
    ocr_cache: Option<&Path>,
) -> Result<()> {
    if let Some(c) = ocr_cache {
        std::fs::create_dir_all(c).with_context(|| format!("creating {}", c.display()))?;
    }
    let set = load_or_generate(dir, n, seed, choice)?;
    let bar = ProgressBar::new(set.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut results = Results::default();
    for info in &set {
        bar.set_message(info.file.clone());
        score(engine, dir, info, ocr_cache, &mut results)
            .with_context(|| format!("reading {}", info.file))?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    match choice {
        SetChoice::Classic => {
            println!(
                "Accuracy on {n} generated documents (seed {seed}, {} OCR thread(s)): exact match of every field, spaces included.\n",
                kitascan::ocr::threads()
            );
            print_report(&results, "condition", max_misses);
        }
        SetChoice::Families(split) => {
            println!(
                "Accuracy on {n} generated documents of the {} layout families (seed {seed}, {} OCR thread(s)): exact match of every field, spaces included.\n",
                split.name(),
                kitascan::ocr::threads()
            );
            println!("{}", family::family_table(&family::families(split)));
            print_report(&results, "kind", max_misses);
        }
    }
    Ok(())
}

/// The set in `dir` if a complete one for this choice, `n` and `seed` is there, else a new one.
fn load_or_generate(dir: &Path, n: usize, seed: u64, choice: SetChoice) -> Result<Vec<SampleInfo>> {
    let marker = match choice {
        SetChoice::Classic => dir.join(format!("set-{seed}-{n}.json")),
        SetChoice::Families(split) => {
            dir.join(format!("family-set-{}-{seed}-{n}.json", split.name()))
        }
    };
    let cached = std::fs::read(&marker)
        .ok()
        .and_then(|b| serde_json::from_slice::<Vec<SampleInfo>>(&b).ok());
    if let Some(set) = cached {
        return Ok(set);
    }
    eprintln!(
        "kitascan bench accuracy: generating {n} documents (seed {seed}) in {}",
        dir.display()
    );
    let set = match choice {
        SetChoice::Classic => generate_set(dir, n, seed)?,
        SetChoice::Families(split) => generate_family_set(dir, n, seed, split)?,
    };
    std::fs::write(&marker, serde_json::to_vec(&set)?)?;
    Ok(set)
}

fn condition_name(c: Condition) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn score(
    engine: &Engine,
    dir: &Path,
    info: &SampleInfo,
    ocr_cache: Option<&Path>,
    results: &mut Results,
) -> Result<()> {
    let group = match info.report_kind {
        Some(kind) => kind.name().to_string(),
        None => condition_name(info.condition),
    };
    let source = if info.condition.is_camera() {
        Source::Camera
    } else {
        Source::Document
    };
    let start = Instant::now();
    let reading = match ocr_cache {
        Some(cache) => cached_reading(engine, dir, info, source, cache)?,
        None => {
            let pages = input::load(&dir.join(&info.file), &Limits::default())?;
            let images: Vec<_> = pages.into_iter().map(|p| p.image).collect();
            read_pages(engine, images, source)?.map(|r| r.reading)
        }
    };
    results
        .times
        .entry(group.clone())
        .or_default()
        .push(start.elapsed());
    let truth = &info.truth;
    let is_permit = reading.as_ref().is_some_and(|r| r.is_permit);
    results.permit_decision.add(is_permit == truth.is_permit);
    let family = info.report_kind.map(|_| match info.family.as_str() {
        "" => "non-permit".to_string(),
        id => id.to_string(),
    });
    if let Some(f) = &family {
        let tally = results.by_family.entry(f.clone()).or_default();
        tally.decision.add(is_permit == truth.is_permit);
    }
    if !truth.is_permit {
        results.non_permits += 1;
    }
    for (key, want) in truth.fields() {
        let Some(name) = FieldName::from_key(key) else {
            continue;
        };
        let got = reading.as_ref().map_or("", |r| r.value(name));
        let ok = got == want;
        if !truth.is_permit {
            results.invented += usize::from(!got.is_empty());
        }
        results.by_group.entry(group.clone()).or_default().add(ok);
        if let Some(f) = &family {
            results
                .by_family
                .entry(f.clone())
                .or_default()
                .fields
                .add(ok);
        }
        results.by_field.entry(key).or_default().add(ok);
        if truth.is_permit && CODE_FIELDS.contains(&key) && !want.is_empty() {
            tally_pairs(results, want, got);
        }
        if !ok {
            results
                .misses
                .push(format!("{} {key}: want {want:?} got {got:?}", info.file));
        }
    }
    Ok(())
}

/// One page's OCR as the field finder sees it (`--ocr-cache`).
#[derive(serde::Serialize, serde::Deserialize)]
struct CachedPage {
    lines: Vec<TextLine>,
}

/// The reading of `info`'s document from the OCR cache, as [`read_pages`] would choose it (the
/// first page that is a permit, else the first page); on a miss, every page is read and kept.
fn cached_reading(
    engine: &Engine,
    dir: &Path,
    info: &SampleInfo,
    source: Source,
    cache: &Path,
) -> Result<Option<Reading>> {
    let index = cache.join(format!("{}.ocr.json", info.file));
    let image_of = |i: usize| cache.join(format!("{}.p{i}.png", info.file));
    let pages: Vec<(CachedPage, RgbImage)> = match std::fs::read(&index) {
        Ok(bytes) => {
            let pages: Vec<CachedPage> = serde_json::from_slice(&bytes)?;
            let mut out = Vec::new();
            for (i, p) in pages.into_iter().enumerate() {
                let img = image::open(image_of(i))?.to_rgb8();
                out.push((p, img));
            }
            out
        }
        Err(_) => {
            let pages = input::load(&dir.join(&info.file), &Limits::default())?;
            let mut out = Vec::new();
            for (i, p) in pages.into_iter().enumerate() {
                let read = read_page(engine, p.image, i, source)?;
                read.page.save(image_of(i))?;
                out.push((CachedPage { lines: read.lines }, read.page));
            }
            let lines: Vec<&CachedPage> = out.iter().map(|(p, _)| p).collect();
            std::fs::write(&index, serde_json::to_vec(&lines)?)?;
            out
        }
    };
    let mut first = None;
    for (i, (p, img)) in pages.iter().enumerate() {
        let reading = extract(&p.lines, i, Some(img));
        if reading.is_permit {
            return Ok(Some(reading));
        }
        first.get_or_insert(reading);
    }
    Ok(first)
}

/// The tables after the heading; `group` names the first table's rows (`condition`, `kind`).
fn print_report(r: &Results, group: &str, max_misses: usize) {
    println!("| {group} | fields right | rate | median s/document |");
    println!("|---|---:|---:|---:|");
    let mut all = Tally::default();
    for (condition, t) in &r.by_group {
        all.right += t.right;
        all.total += t.total;
        let mut times = r.times.get(condition).cloned().unwrap_or_default();
        times.sort();
        let median = times
            .get(times.len() / 2)
            .map_or(0.0, Duration::as_secs_f64);
        println!(
            "| {condition} | {}/{} | {:.2}% | {median:.2} |",
            t.right,
            t.total,
            100.0 * t.rate()
        );
    }
    println!(
        "| all | {}/{} | {:.2}% | |",
        all.right,
        all.total,
        100.0 * all.rate()
    );
    println!("\n| field | right | rate |");
    println!("|---|---:|---:|");
    for (field, t) in &r.by_field {
        println!(
            "| {field} | {}/{} | {:.2}% |",
            t.right,
            t.total,
            100.0 * t.rate()
        );
    }
    println!(
        "\nLetter-digit pairs in codes ({}), over the {} of {} codes read with as many \
         characters as printed:\n",
        CODE_FIELDS.join(", "),
        r.codes_aligned.right,
        r.codes_aligned.total
    );
    println!(
        "| pair | letters right | letters read as the digit | digits right | digits read as the letter |"
    );
    println!("|---|---:|---:|---:|---:|");
    for ((letter, digit), t) in &r.pairs {
        println!(
            "| {letter}/{digit} | {}/{} | {} | {}/{} | {} |",
            t[0],
            t[0] + t[1],
            t[1],
            t[2],
            t[2] + t[3],
            t[3]
        );
    }
    if !r.by_family.is_empty() {
        println!("\n| family | fields right | rate | permit or not right |");
        println!("|---|---:|---:|---:|");
        for (id, t) in &r.by_family {
            println!(
                "| {id} | {}/{} | {:.2}% | {}/{} |",
                t.fields.right,
                t.fields.total,
                100.0 * t.fields.rate(),
                t.decision.right,
                t.decision.total
            );
        }
    }
    println!(
        "\nPermit or not decided right: {}/{}. Invented fields on {} non-permits: {}.",
        r.permit_decision.right, r.permit_decision.total, r.non_permits, r.invented
    );
    println!(
        "\nMisses ({} in all, first {}):",
        r.misses.len(),
        max_misses.min(r.misses.len())
    );
    for m in r.misses.iter().take(max_misses) {
        println!("- {m}");
    }
}
