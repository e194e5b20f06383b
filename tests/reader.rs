//! The permit reader end to end on a small fixed subset of generated documents (fake
//! identities), through the `kitascan scan` command as a user runs it: every field must come back
//! exactly as the generator's truth says, in both wire shapes.

mod common;

use common::kitascan;

use std::path::{Path, PathBuf};
use std::process::Output;

use kitascan::kitas::fields::FieldName;
use kitascan::synth::{SampleInfo, generate_set};

/// The golden subset: the first documents of the seed-1 set, which cycle through e-ITAS/e-ITAP
/// printouts of both label generations, cards and a non-permit, as scans, vector PDFs, image PDFs
/// and camera photos.
const GOLDEN: usize = 8;

fn golden_set(dir: &Path) -> Vec<SampleInfo> {
    generate_set(dir, GOLDEN, 1).expect("generate the golden set")
}

/// The first permit of the golden set written to a file ending in `ending`, and its path.
fn golden_permit(dir: &Path, ending: &str) -> (SampleInfo, PathBuf) {
    let info = golden_set(dir)
        .into_iter()
        .find(|i| i.truth.is_permit && i.file.ends_with(ending))
        .unwrap_or_else(|| panic!("a permit ending in {ending} in the golden set"));
    let file = dir.join(&info.file);
    (info, file)
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn a_folder_scan_reads_every_field_of_the_golden_documents() {
    let dir = tempfile::tempdir().expect("tempdir");
    let set = golden_set(dir.path());
    let out = kitascan(&["scan", dir.path().to_str().expect("utf-8")]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(
        lines.len(),
        set.len(),
        "one line per document file (the truth JSON files are skipped)"
    );
    let mut wrong = Vec::new();
    for info in &set {
        let line = lines
            .iter()
            .find(|l| l["file"].as_str().is_some_and(|f| f.ends_with(&info.file)))
            .expect("a line for every file");
        assert_eq!(line["status"], "SUCCESS");
        let reason = line["reason"].as_str().expect("reason");
        let want_reason = if info.truth.is_permit {
            "File successfully read."
        } else {
            "File successfully read. Some fields are invalid."
        };
        assert_eq!(reason, want_reason, "{}", info.file);
        for (key, want) in info.truth.fields() {
            if FieldName::from_key(key).is_some_and(FieldName::is_glair) {
                let got = line["read"][key]["value"].as_str().unwrap_or("<missing>");
                if got != want {
                    wrong.push(format!("{} {key}: want {want:?} got {got:?}", info.file));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "fields read wrong:\n{}", wrong.join("\n"));
}

#[test]
fn the_verihubs_shape_has_its_seventeen_keys_and_spelled_out_sex() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (info, file) = golden_permit(dir.path(), ".png");
    let out = kitascan(&[
        "scan",
        "--format",
        "verihubs",
        file.to_str().expect("utf-8"),
    ]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = &json_lines(&out)[0];
    let object = line.as_object().expect("an object");
    // The 17 result_data keys, plus the `file` the command adds.
    assert_eq!(object.len(), 18, "{line}");
    let sex = if info.truth.gender == "M" {
        "MALE"
    } else {
        "FEMALE"
    };
    assert_eq!(line["sex"], sex);
    assert_eq!(line["full_name"], info.truth.full_name.as_str());
    assert_eq!(line["permit_index"], info.truth.stay_permit_index.as_str());
}

#[test]
fn an_unreadable_file_gets_the_glair_error_object_and_a_failing_exit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fake = dir.path().join("permit.jpg");
    std::fs::write(&fake, "not an image").expect("write");
    let out = kitascan(&["scan", fake.to_str().expect("utf-8")]);
    assert!(!out.status.success());
    let line = &json_lines(&out)[0];
    assert_eq!(line["status"], "FILE_INVALID_FORMAT");
    assert_eq!(
        line["reason"],
        "Failed to process invalid file format. Please upload the correct file format"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn timing_reports_each_stage_within_the_documents_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, file) = golden_permit(dir.path(), ".jpg");
    let out = kitascan(&["scan", "--timing", file.to_str().expect("utf-8")]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = &json_lines(&out)[0];
    let elapsed = line["elapsed_ms"].as_f64().expect("elapsed_ms");
    let stages = line["stages_ms"].as_object().expect("stages_ms");
    let names: Vec<&str> = stages.keys().map(String::as_str).collect();
    let mut want = vec!["locate", "detect", "classify", "recognize", "extract"];
    want.sort_unstable();
    assert_eq!(names, want, "{line}");
    let ms = |k: &str| stages[k].as_f64().expect("a number");
    // A photo is located, its lines detected, voted on and read: each stage took time.
    for k in ["locate", "detect", "classify", "recognize"] {
        assert!(ms(k) > 0.0, "{k}: {line}");
    }
    let sum: f64 = stages.values().filter_map(|v| v.as_f64()).sum();
    assert!(sum <= elapsed, "stages {sum} ms > document {elapsed} ms");
}

#[test]
fn paths_on_standard_input_are_answered_one_by_one_in_order() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().expect("tempdir");
    let (info, permit) = golden_permit(dir.path(), ".png");
    let fake = dir.path().join("notes.jpg");
    std::fs::write(&fake, "not an image").expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kitascan"))
        .args(["scan", "-"])
        .env("KITASCAN_MODELS", common::models_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut answer = |path: &Path| {
        writeln!(stdin, "{}", path.display()).expect("write a path");
        stdin.flush().expect("flush");
        let mut line = String::new();
        stdout.read_line(&mut line).expect("read the answer");
        serde_json::from_str::<serde_json::Value>(&line).expect("a JSON line")
    };
    // Each path is answered before the next is sent: the reader does not wait for the end.
    let bad = answer(&fake);
    assert_eq!(bad["status"], "FILE_INVALID_FORMAT");
    assert_eq!(bad["file"], fake.to_str().expect("utf-8"));
    let good = answer(&permit);
    assert_eq!(good["status"], "SUCCESS", "{good}");
    assert_eq!(good["file"], permit.to_str().expect("utf-8"));
    assert_eq!(
        good["read"]["full_name"]["value"],
        info.truth.full_name.as_str()
    );
    drop(stdin);
    let status = child.wait().expect("exits at the end of its input");
    assert!(!status.success(), "one of the files was unreadable");
}

/// A scanned permit laid on its side (both ways) is turned before its only detection, reads
/// every field, and ends up exactly as the reader without the guess leaves it; an upright page
/// wrongly guessed sideways also ends up exactly as without the guess.
#[test]
fn a_page_on_its_side_is_turned_first_and_a_wrong_guess_changes_nothing() {
    use kitascan::kitas::locate::{orient, orient_guessing};
    let dir = tempfile::tempdir().expect("tempdir");
    let (info, file) = golden_permit(dir.path(), "scan.png");
    let page = image::open(&file).expect("the scan").to_rgb8();
    let engine = common::engine();
    let same = |a: &kitascan::kitas::locate::Upright, b: &kitascan::kitas::locate::Upright| {
        a.quarters == b.quarters && a.boxes == b.boxes && a.page == b.page
    };
    for (turned, want_quarters) in [
        (image::imageops::rotate90(&page), 3),
        (image::imageops::rotate270(&page), 1),
    ] {
        let measured = orient(&engine, turned.clone()).expect("orient");
        assert_eq!(measured.quarters, want_quarters);
        let unguessed = orient_guessing(&engine, turned.clone(), false).expect("orient");
        assert!(same(&measured, &unguessed), "as without the guess");
        // Written out and read through the command: every field of the truth.
        let path = dir.path().join(format!("turned-{want_quarters}.png"));
        turned.save(&path).expect("save");
        let out = kitascan(&["scan", path.to_str().expect("utf-8")]);
        let line = &json_lines(&out)[0];
        for (key, want) in info.truth.fields() {
            if FieldName::from_key(key).is_some_and(FieldName::is_glair) {
                assert_eq!(
                    line["read"][key]["value"],
                    want,
                    "{key} of {}",
                    path.display()
                );
            }
        }
    }
    let upright = orient_guessing(&engine, page.clone(), false).expect("orient");
    assert_eq!(upright.quarters, 0);
    let wrongly_guessed = orient_guessing(&engine, page, true).expect("orient");
    assert!(
        same(&upright, &wrongly_guessed),
        "a wrong guess changes nothing"
    );
}
