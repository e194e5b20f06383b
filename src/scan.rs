//! `kitascan scan`: read permits from files and folders, print the wire shapes as JSON lines.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};

use kitascan::input::{self, InputError, Limits};
use kitascan::kitas::read::{Source, StageTimes, read_pages};
use kitascan::ocr::Engine;
use kitascan::wire::{glair, verihubs};

/// File name endings a folder scan picks up (content decides the format once opened).
const EXTENSIONS: [&str; 4] = ["jpg", "jpeg", "png", "pdf"];

/// Reads every file of `paths`; with `timing`, each line also carries `elapsed_ms`, the time from
/// opening the file to its response, and `stages_ms`, the reader's stages (for `bench/compare`).
/// A path `-` reads file paths from standard input, one a line, and answers each as it arrives
/// (a long-running reader another program feeds, as `bench/compare` does).
pub fn scan(engine: &Engine, paths: &[PathBuf], verihubs: bool, timing: bool) -> Result<ExitCode> {
    let mut failed = false;
    let mut out = std::io::stdout().lock();
    for path in paths {
        if path.as_os_str() == "-" {
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                let file = line.trim();
                if file.is_empty() {
                    continue;
                }
                let (ok, value) = scan_one(engine, Path::new(file), verihubs, timing);
                failed |= !ok;
                writeln!(out, "{value}")?;
                out.flush()?;
            }
            continue;
        }
        let files = if path.is_dir() {
            folder_files(path)?
        } else {
            vec![path.clone()]
        };
        let bar = progress(path.is_dir(), files.len());
        for file in &files {
            bar.set_message(
                file.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
            let (ok, value) = scan_one(engine, file, verihubs, timing);
            failed |= !ok;
            bar.suspend(|| writeln!(out, "{value}"))?;
            bar.inc(1);
        }
        bar.finish_and_clear();
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// One file's output line: the response with its `file`, and with `timing` its times.
fn scan_one(engine: &Engine, file: &Path, verihubs: bool, timing: bool) -> (bool, Value) {
    let started = Instant::now();
    let (ok, mut value, times) = scan_file(engine, file, verihubs);
    let elapsed = started.elapsed();
    if let Value::Object(map) = &mut value {
        map.insert("file".into(), json!(file));
        if timing {
            map.insert("elapsed_ms".into(), json!(ms(elapsed)));
            if let Some(times) = times {
                let stages: serde_json::Map<String, Value> = times
                    .stages()
                    .iter()
                    .map(|(name, t)| (name.to_string(), json!(ms(*t))))
                    .collect();
                map.insert("stages_ms".into(), Value::Object(stages));
            }
        }
    }
    (ok, value)
}

/// The readable files of a folder, in name order.
fn folder_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    files.sort();
    Ok(files)
}

fn progress(visible: bool, len: usize) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed_precise} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::new(len as u64).with_style(style)
}

/// Reads one file: `(true, reading)` or `(false, error object)` in the chosen shape, and the
/// stage times of a file that was read.
fn scan_file(engine: &Engine, file: &Path, verihubs: bool) -> (bool, Value, Option<StageTimes>) {
    let pages = match input::load(file, &Limits::default()) {
        Ok(pages) => pages,
        Err(e) => {
            eprintln!("kitascan: {}: {e}", file.display());
            let status = match e {
                InputError::UnsupportedFormat | InputError::Empty => "FILE_INVALID_FORMAT",
                _ => "FAILED",
            };
            return (false, error_body(status, verihubs), None);
        }
    };
    let images: Vec<_> = pages.into_iter().map(|p| p.image).collect();
    match read_pages(engine, images, source_of(file)) {
        Ok(Some(read)) if verihubs => {
            (true, verihubs::result_data(&read.reading), Some(read.times))
        }
        Ok(Some(read)) => (true, glair::response(&read.reading), Some(read.times)),
        Ok(None) => (false, error_body("FAILED", verihubs), None),
        Err(e) => {
            eprintln!("kitascan: {}: {e}", file.display());
            (false, error_body("FAILED", verihubs), None)
        }
    }
}

/// A PDF page is the document itself; a picture may be a photo of one lying somewhere in it.
fn source_of(file: &Path) -> Source {
    let mut head = [0u8; 1024];
    let n = std::fs::File::open(file)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    match input::sniff(&head[..n]) {
        Some(input::Format::Pdf) => Source::Document,
        _ => Source::Auto,
    }
}

fn error_body(status: &str, verihubs: bool) -> Value {
    if verihubs {
        let (_, body) = if status == "FAILED" {
            verihubs::internal_error()
        } else {
            verihubs::bad_payload()
        };
        body
    } else {
        glair::error(status).1
    }
}

fn ms(t: std::time::Duration) -> f64 {
    t.as_secs_f64() * 1000.0
}
