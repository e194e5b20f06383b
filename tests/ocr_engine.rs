//! The engine's contract with its models: dictionary from metadata, plans cached per shape
//! bucket, stages that can be driven one by one.

mod common;

use image::{Rgb, RgbImage};
use kitascan::ocr::PageOrientation;
use kitascan::synth::{FontFace, Fonts, render_line};
use tract_onnx::prelude::*;

fn line(text: &str, px: f32, margin: u32) -> RgbImage {
    let fonts = Fonts::load().expect("fonts");
    render_line(
        text,
        fonts.get(FontFace::Sans),
        px,
        margin,
        Rgb([0, 0, 0]),
        Rgb([255, 255, 255]),
    )
}

#[test]
fn the_dictionary_comes_from_the_model_metadata() {
    let engine = common::engine();
    // PP-OCRv4's dictionary: 6623 entries; the model adds the blank and the space.
    let full = engine.recognizer.full_dictionary();
    assert_eq!(full.len(), 6623);
    assert_eq!(full.class_text(6624), Some(" "));
    // What a permit prints is read (full-width forms as ASCII); Chinese is not.
    let read = engine.recognizer.dictionary();
    let texts: Vec<&str> = (1..=read.len() + 1)
        .filter_map(|c| read.class_text(c))
        .collect();
    for want in ["A", "z", "0", "9", "/", "-", ".", ",", ":", "(", " "] {
        assert!(texts.contains(&want), "{want:?} is read");
    }
    let in_full = |t: &str| (1..=full.len()).any(|c| full.class_text(c) == Some(t));
    for want in ["É", "ü", "Å"].into_iter().filter(|t| in_full(t)) {
        assert!(texts.contains(&want), "{want:?} is read");
    }
    assert!(
        !texts.iter().any(|t| t
            .chars()
            .map(kitascan::ocr::ctc::ascii_form)
            .any(|c| c > '\u{24F}')),
        "{texts:?}"
    );
    assert!(read.len() > 150 && read.len() < 400, "{}", read.len());
    assert_eq!(read.class_text(0), None, "class 0 stays the blank");
    assert_eq!(
        read.class_text(read.len() + 1),
        Some(" "),
        "and the space stays last"
    );
}

#[test]
fn a_head_cut_to_latin_reads_what_the_whole_head_reads() {
    use kitascan::ocr::{Charset, Engine, EngineParams, ModelPaths};
    let latin = common::engine();
    let mut params = EngineParams::default();
    params.rec.charset = Charset::All;
    let all = Engine::load(&ModelPaths::in_dir(&common::models_dir()), params).expect("load");
    assert_eq!(
        latin.recognizer.params.charset,
        Charset::Latin,
        "the default"
    );
    let strips: Vec<RgbImage> = [
        "KARTU IZIN TINGGAL TERBATAS",
        "2C21HB0016AT",
        "Jl. Jend. Sudirman Kav. 52-53, Jakarta",
        "MULLER, JOSE P.",
        "12-08-2027",
    ]
    .iter()
    .map(|t| line(t, 28.0, 8))
    .collect();
    let a = all.recognize(&strips).expect("whole head");
    let b = latin.recognize(&strips).expect("cut head");
    for (a, b) in a.iter().zip(&b) {
        assert_eq!(a.text, b.text);
        // Only the Chinese characters' share of each step is gone from the scores.
        assert!(
            b.confidence >= a.confidence - 1e-4,
            "{} {}",
            a.confidence,
            b.confidence
        );
        assert!(
            b.confidence - a.confidence < 0.05,
            "{} {}",
            a.confidence,
            b.confidence
        );
    }
}

#[test]
fn images_of_other_sizes_in_one_bucket_reuse_the_compiled_plan() {
    let engine = common::engine();
    let a = line("KANIM KELAS I", 24.0, 30);
    let b = line("KANIM KELAS II", 26.0, 24);
    assert_ne!(a.dimensions(), b.dimensions());
    let first = engine.read(&a, PageOrientation::Upright).expect("read a");
    assert_eq!(first[0].text, "KANIM KELAS I");
    let plans = engine.cached_plans();
    assert_eq!(plans[0], 1, "one detector plan after one image");
    let second = engine.read(&b, PageOrientation::Upright).expect("read b");
    assert_eq!(second[0].text, "KANIM KELAS II");
    assert_eq!(
        engine.cached_plans(),
        plans,
        "the second size paid no new compilation"
    );
}

#[test]
fn the_recogniser_keeps_a_plan_for_every_width_bucket() {
    let engine = common::engine();
    let p = &engine.recognizer.params;
    let buckets = p.buckets();
    // One strip in each bucket, as a page of short labels and long address lines brings.
    let strips: Vec<RgbImage> = (0..buckets)
        .map(|k| RgbImage::from_pixel(k * p.width_bucket + 20, 48, Rgb([255, 255, 255])))
        .collect();
    engine.recognizer.recognize(&strips).expect("recognize");
    assert_eq!(
        engine.recognizer.cached_plans(),
        buckets as usize,
        "every bucket's plan is still held, none evicted"
    );
    assert!(buckets as usize > kitascan::ocr::model::OnnxModel::MAX_PLANS);
}

#[test]
fn plans_of_every_width_share_one_set_of_weights_and_read_as_a_plan_of_their_own() {
    let text = line("2C21HB0016AT", 30.0, 4);
    // The line's own plan in a fresh engine: the first plan, so it packs its weights itself.
    let alone = common::engine();
    let p = &alone.recognizer.params;
    let own = alone
        .recognizer
        .recognize(std::slice::from_ref(&text))
        .expect("recognize");
    let (_, one_plan) = alone.recognizer.shared_weights();
    // Another engine compiles a plan for every width bucket first, narrowest to widest, and
    // then reads the line with the plan that took its weights from the others.
    let shared = common::engine();
    for k in 0..p.buckets() {
        let strip = RgbImage::from_pixel(k * p.width_bucket + 20, 48, Rgb([255, 255, 255]));
        shared.recognizer.recognize(&[strip]).expect("recognize");
    }
    let (held, all_plans) = shared.recognizer.shared_weights();
    let read = shared.recognizer.recognize(&[text]).expect("recognize");
    assert_eq!(read[0].text, own[0].text);
    assert_eq!(read[0].text, "2C21HB0016AT");
    assert_eq!(read[0].confidence.to_bits(), own[0].confidence.to_bits());
    assert_eq!(
        format!("{:?}", read[0].chars),
        format!("{:?}", own[0].chars)
    );
    // Unshared, the packings would grow with every plan: 12 plans, 12 times one plan's.
    assert!(
        all_plans < 3 * one_plan,
        "{held} packings of {all_plans} bytes for {} plans; one plan alone packs {one_plan}",
        p.buckets()
    );
}

#[test]
fn stages_hand_off_typed_values_and_lines_land_in_input_coordinates() {
    let engine = common::engine();
    let img = line("2C21HB0016AT", 30.0, 40);
    let detection = engine.detect(&img).expect("detect");
    assert_eq!(detection.boxes.len(), 1);
    let (quads, strips) = engine.strips(&img, &detection.boxes);
    assert_eq!(strips[0].height(), 48);
    let readings = engine.recognize(&strips).expect("recognize");
    assert_eq!(readings[0].text, "2C21HB0016AT");
    let lines = engine
        .read_boxes(&img, &quads, PageOrientation::Upright)
        .expect("read");
    let q = lines[0].polygon;
    // The text was drawn from x = 40 with a 40 px margin all round.
    assert!(q[0][0] > 25.0 && q[0][0] < 45.0, "{q:?}");
    assert!(
        q[1][0] > img.width() as f32 - 45.0 && q[1][0] < img.width() as f32 - 25.0,
        "{q:?}"
    );
    // Characters are spread along the line, in order, within it.
    let spans: Vec<[f32; 2]> = lines[0].chars.iter().map(|c| c.span).collect();
    assert!(spans.windows(2).all(|w| w[0][0] < w[1][0]));
    assert!(spans.last().expect("chars")[1] <= q[1][0] - q[0][0] + 1.0);
}

#[test]
fn an_upside_down_line_is_turned_and_its_polygon_starts_at_the_text_start() {
    let engine = common::engine();
    let img = image::imageops::rotate180(&line("JL. JEND. SUDIRMAN KM. 3", 28.0, 30));
    let lines = engine.read(&img, PageOrientation::Unknown).expect("read");
    assert_eq!(lines[0].text, "JL. JEND. SUDIRMAN KM. 3");
    // Corner 0 is the text's top-left: in the turned image, the bottom-right.
    let q = lines[0].polygon;
    assert!(q[0][0] > q[1][0] && q[0][1] > q[3][1], "{q:?}");
}

#[test]
fn an_empty_page_reads_as_no_lines() {
    let engine = common::engine();
    let blank = RgbImage::from_pixel(640, 480, Rgb([250, 250, 250]));
    assert!(
        engine
            .read(&blank, PageOrientation::Unknown)
            .expect("read")
            .is_empty()
    );
}

#[test]
fn a_pool_of_threads_reads_the_same_lines_as_one_thread() {
    let engine = common::engine();
    let img = line("KARTU IZIN TINGGAL TERBATAS 2C21HB0016AT", 28.0, 30);
    kitascan::ocr::set_threads(1);
    let one = engine.read(&img, PageOrientation::Upright).expect("read");
    kitascan::ocr::set_threads(2);
    assert_eq!(kitascan::ocr::threads(), 2);
    let two = engine.read(&img, PageOrientation::Upright).expect("read");
    kitascan::ocr::set_threads(1);
    assert_eq!(one.len(), 1);
    assert!(one[0].text.ends_with("2C21HB0016AT"), "{}", one[0].text);
    let texts =
        |l: &[kitascan::ocr::TextLine]| l.iter().map(|l| l.text.clone()).collect::<Vec<_>>();
    assert_eq!(texts(&one), texts(&two));
    assert!((one[0].confidence - two[0].confidence).abs() < 1e-3);
}

/// One model file typed and decluttered for inputs of `input`'s shape.
fn decluttered(file: &str, input: &Tensor) -> TypedModel {
    let path = common::models_dir().join(file);
    tract_onnx::onnx()
        .with_ignore_value_info(true)
        .model_for_path(&path)
        .and_then(|m| m.with_input_fact(0, f32::fact(input.shape()).into()))
        .and_then(|m| m.into_typed())
        .and_then(|m| m.into_decluttered())
        .expect("the model types")
}

/// `m` optimised and run on `input`: its first output's values.
fn run(m: TypedModel, input: &Tensor) -> Vec<f32> {
    let plan = m
        .into_optimized()
        .and_then(|m| m.into_runnable())
        .expect("plan");
    let out = plan.run(tvec!(input.clone().into())).expect("run");
    out[0]
        .to_plain_array_view::<f32>()
        .expect("f32")
        .iter()
        .copied()
        .collect()
}

/// Runs one model file on `input` as exported and with its hard-swish activations fused:
/// the number fused and the largest difference between the two outputs.
fn fused_against_exported(file: &str, input: &Tensor) -> (usize, f32, Vec<f32>, Vec<f32>) {
    let typed = decluttered(file, input);
    let mut fused = typed.clone();
    let n = kitascan::ocr::fuse::hard_swish(&mut fused).expect("fuse");
    let (want, got) = (run(typed, input), run(fused, input));
    let diff = want
        .iter()
        .zip(&got)
        .map(|(w, g)| (w - g).abs())
        .fold(0.0, f32::max);
    (n, diff, want, got)
}

/// A rendered line as the models take it: channels first, scaled to -1..1, `width` wide.
fn as_input(img: &RgbImage, height: usize, width: usize) -> Tensor {
    tract_ndarray::Array4::from_shape_fn((1, 3, height, width), |(_, c, y, x)| {
        let v = if (x as u32) < img.width() && (y as u32) < img.height() {
            img.get_pixel(x as u32, y as u32)[c]
        } else {
            255
        };
        v as f32 / 127.5 - 1.0
    })
    .into_tensor()
}

#[test]
fn fused_activations_compute_what_the_exported_models_compute() {
    // Each model's every activation is found, and its outputs move by float rounding only.
    let img = line("2C21HB0016AT", 30.0, 4);
    let strip = image::imageops::resize(
        &img,
        48 * img.width() / img.height(),
        48,
        image::imageops::FilterType::Triangle,
    );
    let (n, diff, want, got) =
        fused_against_exported("ch_PP-OCRv4_rec_infer.onnx", &as_input(&strip, 48, 320));
    assert_eq!(n, 28, "PP-OCRv4's recogniser has 28 hard-swish activations");
    assert!(diff < 1e-4, "recogniser probabilities moved by {diff}");
    // The same character wins at every step.
    let classes = 6625;
    let best = |p: &[f32]| -> Vec<usize> {
        p.chunks(classes)
            .map(|s| {
                (0..classes)
                    .max_by(|&a, &b| s[a].total_cmp(&s[b]))
                    .unwrap_or(0)
            })
            .collect()
    };
    assert_eq!(best(&want), best(&got));

    let (n, diff, ..) =
        fused_against_exported("ch_PP-OCRv4_det_infer.onnx", &as_input(&img, 64, 480));
    assert_eq!(n, 24, "PP-OCRv4's detector has 24");
    assert!(diff < 1e-4, "detector probabilities moved by {diff}");

    let (n, diff, ..) = fused_against_exported(
        "ch_ppocr_mobile_v2.0_cls_infer.onnx",
        &as_input(&strip, 48, 192),
    );
    assert_eq!(n, 18, "the angle classifier has 18");
    assert!(diff < 1e-5, "classifier probabilities moved by {diff}");
}

/// Runs one model file on `input` with tract's depthwise convolutions and with
/// [`kitascan::ocr::fuse::depthwise`]'s (hard-swish fused in both): the number replaced and both
/// outputs.
fn depthwise_against_tracts(file: &str, input: &Tensor) -> (usize, Vec<f32>, Vec<f32>) {
    let mut typed = decluttered(file, input);
    kitascan::ocr::fuse::hard_swish(&mut typed).expect("fuse");
    let mut replaced = typed.clone();
    let n = kitascan::ocr::fuse::depthwise(&mut replaced).expect("depthwise");
    (n, run(typed, input), run(replaced, input))
}

#[test]
fn depthwise_convolutions_compute_tracts_own_numbers() {
    // Every depthwise convolution of the three models is replaced, and every output is the
    // number tract computes: the same sums in the same order.
    let img = line("2C21HB0016AT", 30.0, 4);
    let strip = image::imageops::resize(
        &img,
        48 * img.width() / img.height(),
        48,
        image::imageops::FilterType::Triangle,
    );
    for (file, input, count) in [
        ("ch_PP-OCRv4_rec_infer.onnx", as_input(&strip, 48, 320), 14),
        ("ch_PP-OCRv4_det_infer.onnx", as_input(&img, 64, 480), 14),
        (
            "ch_ppocr_mobile_v2.0_cls_infer.onnx",
            as_input(&strip, 48, 192),
            11,
        ),
    ] {
        let (n, want, got) = depthwise_against_tracts(file, &input);
        assert_eq!(n, count, "{file}: depthwise convolutions replaced");
        assert_eq!(want.len(), got.len(), "{file}");
        let differ = want.iter().zip(&got).filter(|(w, g)| w != g).count();
        assert_eq!(
            differ,
            0,
            "{file}: {differ} of {} outputs differ",
            want.len()
        );
    }
}

#[test]
fn threads_asking_for_one_new_shape_at_once_compile_it_once_and_share_the_plan() {
    use kitascan::ocr::model::OnnxModel;
    let path = common::models_dir().join("ch_ppocr_mobile_v2.0_cls_infer.onnx");
    let model = OnnxModel::load(&path).expect("load");
    let start = std::sync::Barrier::new(3);
    let plans: Vec<_> = std::thread::scope(|s| {
        let asks: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    model.plan(&[1, 3, 48, 192]).expect("plan")
                })
            })
            .collect();
        asks.into_iter()
            .map(|a| a.join().expect("thread"))
            .collect()
    });
    assert_eq!(model.compilations(), 1);
    assert!(plans.iter().all(|p| std::sync::Arc::ptr_eq(p, &plans[0])));
    assert_eq!(model.cached_plans(), 1);
    // Another shape is a second compilation; the first shape's plan is reused.
    model.plan(&[1, 3, 48, 96]).expect("plan");
    let again = model.plan(&[1, 3, 48, 192]).expect("plan");
    assert!(std::sync::Arc::ptr_eq(&again, &plans[0]));
    assert_eq!((model.compilations(), model.cached_plans()), (2, 2));
}

#[test]
fn a_prepared_engine_reads_an_a4_page_and_lines_of_every_width_without_compiling() {
    let engine = common::engine();
    engine.prepare(1654, 2339).expect("prepare");
    let p = &engine.recognizer.params;
    let det = engine.detector.prepared_shapes(1654, 2339).len();
    // The whole page (672 x 960 scaled, 768 x 1024 padded) and four windows 640 wide.
    assert_eq!(det, 5);
    assert_eq!(engine.cached_plans(), [det, 1, p.buckets() as usize]);
    let compiled = engine.compilations();
    assert_eq!(compiled, [det, 1, p.buckets() as usize]);
    // A blank A4 page at 200 dpi: the detector's first pass, nothing found, no second pass.
    let page = RgbImage::from_pixel(1654, 2339, Rgb([255, 255, 255]));
    assert!(engine.detect(&page).expect("detect").boxes.is_empty());
    // A strip in every width bucket, each classified and read.
    let strips: Vec<RgbImage> = (0..p.buckets())
        .map(|k| RgbImage::from_pixel(k * p.width_bucket + 20, 48, Rgb([255, 255, 255])))
        .collect();
    engine.classify(&strips).expect("classify");
    engine.recognize(&strips).expect("recognize");
    assert_eq!(
        engine.compilations(),
        compiled,
        "nothing compiled after prepare"
    );
}
