//! The `kitascan` binary as a user runs it: real files in, JSON lines out, clear errors.

mod common;

use common::kitascan;

use std::path::Path;

use image::ImageFormat;
use kitascan::synth::{Background, CameraParams, Fonts, photograph, sample_page};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Writes a camera-like photo of a generated page (perspective, blur, noise, JPEG) and returns
/// the page's texts.
fn write_photo(path: &Path) -> Vec<String> {
    let fonts = Fonts::load().expect("fonts");
    let mut rng = StdRng::seed_from_u64(11);
    let (page, texts) = sample_page(&mut rng, &fonts);
    let params = CameraParams {
        frame_w: 1920,
        frame_h: 1080,
        fill: 0.92,
        rotation_deg: 4.0,
        tilt: 0.06,
        blur_sigma: 0.8,
        noise_sigma: 3.0,
        jpeg_quality: 80,
        vignette: 0.25,
        glare: 0.0,
        background: Background::Wood,
        ..CameraParams::default()
    };
    let (photo, _) = photograph(&page, &params, &mut rng).expect("photograph");
    photo
        .save_with_format(path, ImageFormat::Jpeg)
        .expect("write jpeg");
    texts
}

#[test]
fn ocr_reads_the_lines_of_a_photographed_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let photo = dir.path().join("photo.jpg");
    let texts = write_photo(&photo);
    let out = kitascan(&["ocr", photo.to_str().expect("utf-8 path")]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let parsed: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    assert_eq!(parsed["file"], photo.to_str().expect("utf-8"));
    let page = &parsed["pages"][0];
    assert_eq!(
        (page["width"].as_u64(), page["height"].as_u64()),
        (Some(1920), Some(1080))
    );
    let lines: Vec<&str> = page["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["text"].as_str())
        .collect();
    for line in page["lines"].as_array().expect("lines") {
        let polygon = line["polygon"].as_array().expect("polygon");
        assert_eq!(polygon.len(), 4);
        for p in polygon {
            let (x, y) = (p[0].as_f64().expect("x"), p[1].as_f64().expect("y"));
            assert!(
                (0.0..=1920.0).contains(&x) && (0.0..=1080.0).contains(&y),
                "{p} outside the frame"
            );
        }
    }
    // Each text the page printed should be found in a line read from the photo (a line may hold
    // a label and its value together).
    let found = texts
        .iter()
        .filter(|t| lines.iter().any(|l| l.contains(t.as_str())))
        .count();
    let rate = found as f64 / texts.len() as f64;
    println!(
        "found {found} of {} printed texts exactly ({:.0}%)",
        texts.len(),
        rate * 100.0
    );
    for t in texts
        .iter()
        .filter(|t| !lines.iter().any(|l| l.contains(t.as_str())))
    {
        println!("  not found: {t:?}");
    }
    assert!(
        rate >= 0.85,
        "only {:.0}% of the printed texts read back",
        rate * 100.0
    );
}

#[test]
fn unreadable_files_get_a_one_line_error_and_a_failing_exit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fake = dir.path().join("notes.jpg");
    std::fs::write(&fake, "this is not a picture\n").expect("write");
    let missing = dir.path().join("missing.png");
    let good = dir.path().join("line.png");
    let fonts = Fonts::load().expect("fonts");
    let line = kitascan::synth::render_line(
        "2C21HB0016AT",
        fonts.get(kitascan::synth::FontFace::Sans),
        28.0,
        20,
        image::Rgb([0, 0, 0]),
        image::Rgb([255, 255, 255]),
    );
    line.save(&good).expect("write png");

    let out = kitascan(&[
        "ocr",
        fake.to_str().expect("utf-8"),
        good.to_str().expect("utf-8"),
        missing.to_str().expect("utf-8"),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().collect();
    assert_eq!(errors.len(), 2, "one line per bad file: {stderr}");
    assert!(
        errors[0].contains("notes.jpg") && errors[0].contains("JPEG, PNG"),
        "{}",
        errors[0]
    );
    assert!(errors[1].contains("missing.png"), "{}", errors[1]);
    assert!(!stderr.contains("panicked"));
    // The good file in between is still read.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let parsed: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(parsed["pages"][0]["lines"][0]["text"], "2C21HB0016AT");
}

#[test]
fn ocr_reads_a_pdf_with_vector_text() {
    use kitascan::synth::{DocKind, pdf::vector_pdf, sample_document};
    let fonts = Fonts::load().expect("fonts");
    let mut rng = StdRng::seed_from_u64(5);
    let doc = sample_document(&mut rng, DocKind::Eitas2021, &fonts);
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = dir.path().join("permit.pdf");
    std::fs::write(&pdf, vector_pdf(&doc, &fonts).expect("pdf")).expect("write pdf");
    let out = kitascan(&["ocr", "--upright", pdf.to_str().expect("utf-8")]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let page = &parsed["pages"][0];
    // A4 at 200 dpi.
    assert_eq!(
        (page["width"].as_u64(), page["height"].as_u64()),
        (Some(1654), Some(2339))
    );
    let text: Vec<&str> = page["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["text"].as_str())
        .collect();
    for want in [
        doc.truth.document_type.as_str(),
        doc.truth.full_name.as_str(),
        doc.truth.permit_number.as_str(),
    ] {
        assert!(
            text.iter().any(|l| l.contains(want)),
            "{want:?} not in {text:?}"
        );
    }
}

/// Golden documents: one scanned printout or card of every layout family, tuning and held-out,
/// read by `kitascan scan` over their folder. Every one is a permit of the right kind, and at
/// most [`TUNING_MISSES`] / [`HELD_OUT_MISSES`] of its 23 fields differ from its truth (the
/// accuracy benchmark measures the rates over hundreds of documents; this catches a family that
/// stops being read). Failures name the family and how many fields missed, never the values
/// (the held-out families' wordings are not to be read while tuning).
/// Where the reader stands on 2026-12-07, fourth session (these documents: at most 2 misses on a
/// tuning family's, 2-13 on a held-out family's, the most on the fresh held-out families); a
/// ratchet, lowered as issue 34 ("Read permits that nobody on the team drew") closes the gap to
/// the benchmark's targets.
const TUNING_MISSES: usize = 2;
/// The tuning families that were held out until they were seen (t-p10 to t-p18, t-c4 to t-c6):
/// their documents here are the ones they had as held-out families.
const SPENT_MISSES: usize = 13;
/// The fresh held-out families (h-p10 on, h-c4 on), new on 2026-12-07: at most 15 misses.
const HELD_OUT_MISSES: usize = 15;

#[test]
fn scan_reads_a_document_of_every_layout_family() {
    use kitascan::synth::family::{WordingSet, all_families};
    use kitascan::synth::{Condition, family::family_document, write_sample};

    let dir = tempfile::tempdir().expect("tempdir");
    let fonts = Fonts::load().expect("fonts");
    let mut truths = std::collections::BTreeMap::new();
    for (i, family) in all_families().iter().enumerate() {
        let seed = 7000 + i as u64;
        let doc = family_document(&mut StdRng::seed_from_u64(seed), family, &fonts);
        let stem = format!("{i:02}-{}", family.id);
        let info = write_sample(&doc, &fonts, Condition::Scan, dir.path(), &stem, seed)
            .expect("sample written");
        // The sample's JSON sits beside the image; `scan` reads images only.
        std::fs::remove_file(dir.path().join(format!("{stem}.json"))).expect("json removed");
        truths.insert(info.file.clone(), (family.id, family.wordings, info.truth));
    }
    let out = kitascan(&["scan", dir.path().to_str().expect("utf-8 path")]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let mut seen = 0;
    let mut failures = Vec::new();
    for line in stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let file = v["file"].as_str().expect("file");
        let name = Path::new(file)
            .file_name()
            .and_then(|n| n.to_str())
            .expect("file name");
        let (family, wordings, truth) = truths.get(name).expect("a written document");
        seen += 1;
        let fields = truth.fields();
        let missed = fields
            .iter()
            .filter(|(key, want)| v["read"][*key]["value"].as_str().unwrap_or("") != *want)
            .count();
        let kind = v["read"]["document_type"]["value"].as_str().unwrap_or("");
        let allowed = match wordings {
            WordingSet::Tuning => TUNING_MISSES,
            WordingSet::Spent => SPENT_MISSES,
            WordingSet::HeldOut => HELD_OUT_MISSES,
        };
        if kind != truth.document_type || missed > allowed {
            failures.push(format!(
                "{family}: {missed} of {} fields missed, document type right: {}",
                fields.len(),
                kind == truth.document_type
            ));
        }
    }
    assert_eq!(seen, truths.len(), "one answer per document");
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Whether this machine has a V4L2 device node.
fn has_video_device() -> bool {
    std::fs::read_dir("/dev").is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("video"))
    })
}

#[test]
fn camera_list_says_when_there_is_no_camera_and_succeeds() {
    let out = kitascan(&["camera", "list"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    if cfg!(not(target_os = "linux")) {
        assert!(stderr.contains("Linux (V4L2) only"), "{stderr}");
    } else if has_video_device() {
        // A machine with a camera: each device gets a block (or a line saying why it was skipped).
        assert!(stdout.starts_with("camera:"), "{stdout}");
    } else {
        assert_eq!(
            stderr.trim(),
            "kitascan camera list: no cameras found (no V4L2 device in /dev/video*)"
        );
        assert_eq!(stdout, "");
    }

    let out = kitascan(&["camera", "list", "--json"]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cameras: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let cameras = cameras.as_array().expect("an array of cameras");
    if !has_video_device() {
        assert!(cameras.is_empty(), "{cameras:?}");
    }
    for camera in cameras {
        assert!(
            camera["index"].is_u64() && camera["name"].is_string(),
            "{camera}"
        );
        assert!(
            camera["formats"].is_array() && camera["controls"].is_array(),
            "{camera}"
        );
    }
}

#[test]
fn run_refuses_a_bad_camera_control_naming_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        "[daemon.camera_controls]\nexposure = 120\npower_line_frequency = 55\n",
    )
    .expect("write config");
    let out = kitascan(&[
        "run",
        "--config",
        config.to_str().expect("utf-8"),
        "--source",
        "none",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "kiosk.toml: daemon.camera_controls.power_line_frequency: must be 50, 60 or \"off\""
        ),
        "{stderr}"
    );
}
