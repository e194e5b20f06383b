//! The `kitascan` command: a thin CLI over the library. It finds the model files, loads inputs,
//! runs the stages and prints JSON; everything it does is a library call.

mod bench;
mod run;
mod scan;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use serde::Serialize;

use kitascan::input::{self, Limits};
use kitascan::ocr::{Engine, EngineParams, ModelPaths, PageOrientation, Precision, TextLine};

#[derive(Parser)]
#[command(
    name = "kitascan",
    version,
    about = "On-device reader for Indonesian residence permits (KITAS/KITAP)"
)]
struct Cli {
    /// Folder holding the ONNX models (default: $KITASCAN_MODELS, ./models, or beside the binary).
    #[arg(long, global = true)]
    models: Option<PathBuf>,
    /// Threads of the OCR models (default: every core; for `run`, the config's
    /// `reader.threads`, whose default leaves one core to the camera loop).
    #[arg(long, global = true, value_parser = clap::value_parser!(u16).range(1..=64))]
    threads: Option<u16>,
    /// Model precision: f32, or int8 (the files of models/quantize; slower than f32 on x86).
    /// Default: f32; for `run`, the config's `reader.precision`.
    #[arg(long, global = true)]
    precision: Option<Precision>,
    /// Save every model input as .npy files in DIR (calibration data for models/quantize; use
    /// on generated documents only: the files hold the documents' pixels).
    #[arg(long, global = true, hide = true, value_name = "DIR")]
    record_inputs: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read the text lines of images and PDFs; prints one JSON object per input.
    Ocr {
        /// JPEG, PNG or PDF files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The pages are known to be upright: skip the angle classifier.
        #[arg(long)]
        upright: bool,
        /// Write the detection probability map beside each input (`<input>.p<N>.detmap.png`).
        #[arg(long)]
        debug: bool,
    },
    /// Read residence permits: one JSON line per file, in the GLAIR response shape (`status`,
    /// `reason`, `read`) with an added `file`, or Verihubs' `result_data` with `--format verihubs`.
    /// A folder argument reads every JPEG, PNG and PDF in it, with a progress bar on stderr.
    Scan {
        /// Files and folders; `-` reads file paths from standard input, one a line, and answers
        /// each as it arrives.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = WireFormat::Glair)]
        format: WireFormat,
        /// Add `elapsed_ms` to each line: the time from opening the file to its response.
        #[arg(long)]
        timing: bool,
    },
    /// Generate test documents (fake identities): permits and non-permits in every capture
    /// condition, each with its ground truth as JSON beside it.
    /// With `--tray`, write instead a tray scene for `kitascan run --source replay:OUT_DIR`: the
    /// frames a kiosk camera sees as permits are laid down, left and taken away.
    Synth {
        out_dir: PathBuf,
        #[arg(long, default_value_t = 20)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write a tray scene (JPEG frames and scene.json) instead of a document set.
        #[arg(long)]
        tray: bool,
        /// Frame size of a tray scene.
        #[arg(long, default_value_t = 1920)]
        width: u32,
        #[arg(long, default_value_t = 1080)]
        height: u32,
        /// With `--tray`: a scene of one tray condition (`plain`, `clipped`, `glare_over_text`,
        /// ... see README.md), or `all` for one folder per condition under OUT_DIR.
        #[arg(long, requires = "tray")]
        condition: Option<String>,
    },
    /// Read a generated sample permit (fake identity) and print its lines: a first look at the
    /// engine with nothing but the models.
    Demo,
    /// Serve the LAN API and the kiosk page: uploads read in GLAIR's and Verihubs' shapes, the
    /// stored scans, live events (see README.md). Stop with Ctrl-C or SIGTERM.
    Run {
        /// Configuration file (default: the built-in one, as in config/kitascan.toml).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Address to listen on, overriding `server.listen`.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// Database file, overriding `store.db`.
        #[arg(long)]
        db: Option<PathBuf>,
        /// Frame source, overriding `daemon.source`: camera, camera:INDEX, replay:DIR or none.
        #[arg(long)]
        source: Option<String>,
        /// Frames per second of the camera or replay, overriding `daemon.fps`.
        #[arg(long)]
        fps: Option<u32>,
        /// Status LED, overriding `daemon.led`: gpio:PIN, log or none.
        #[arg(long)]
        led: Option<String>,
    },
    /// Benchmarks.
    Bench {
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
    /// The kiosk's cameras (V4L2, Linux only).
    Camera {
        #[command(subcommand)]
        what: CameraCommand,
    },
}

#[derive(Subcommand)]
enum CameraCommand {
    /// Each camera with its formats, resolutions and frame rates, and its controls with their
    /// ranges and current values (what `[daemon.camera_controls]` can set).
    List {
        /// Print JSON (an array of cameras) instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KITASCAN_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kitascan: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum WireFormat {
    Glair,
    Verihubs,
}

fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Synth {
        out_dir,
        n,
        seed,
        tray,
        width,
        height,
        condition,
    } = &cli.command
    {
        if let Some(name) = condition {
            use kitascan::synth::conditions::{Condition, write_condition};
            let chosen: Vec<Condition> = if name == "all" {
                Condition::ALL.to_vec()
            } else {
                let c = Condition::from_name(name).ok_or_else(|| {
                    let names: Vec<&str> = Condition::ALL.iter().map(|c| c.name()).collect();
                    anyhow::anyhow!(
                        "`{name}` is not a tray condition: use all or one of {}",
                        names.join(", ")
                    )
                })?;
                vec![c]
            };
            for c in chosen {
                let dir = if name == "all" {
                    out_dir.join(c.name())
                } else {
                    out_dir.clone()
                };
                let scene = write_condition(&dir, c, *width, *height, *seed)?;
                eprintln!(
                    "kitascan synth: wrote the tray condition {} ({} frames) to {}",
                    c.name(),
                    scene.frames.len(),
                    dir.display()
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        if *tray {
            let script = kitascan::synth::tray::demo_script();
            let scene =
                kitascan::synth::tray::write_scene(out_dir, &script, *width, *height, *seed)?;
            eprintln!(
                "kitascan synth: wrote a tray scene of {} frames ({} documents) to {}",
                scene.frames.len(),
                scene.placements.len(),
                out_dir.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        let set = kitascan::synth::generate_set(out_dir, *n, *seed)?;
        eprintln!(
            "kitascan synth: wrote {} documents and their truth to {}",
            set.len(),
            out_dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Camera {
        what: CameraCommand::List { json },
    } = &cli.command
    {
        return camera_list(*json);
    }
    if let Command::Run {
        config,
        listen,
        db,
        source,
        fps,
        led,
    } = &cli.command
    {
        let args = run::RunArgs {
            config: config.clone(),
            listen: *listen,
            db: db.clone(),
            source: source.clone(),
            fps: *fps,
            led: led.clone(),
        };
        let (mut config, _) = run::configure(&args)?;
        if let Some(n) = cli.threads {
            config.reader.threads = usize::from(n);
        }
        if let Some(p) = cli.precision {
            config.reader.precision = p;
        }
        kitascan::ocr::set_threads(config.reader.ocr_threads());
        kitascan::ocr::set_cpu_features(&config.reader.cpu_features)?;
        let models = cli.models.clone();
        let precision = config.reader.precision;
        run::run(config, move || {
            load_engine(&find_models(models.as_deref(), precision)?)
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let models = find_models(cli.models.as_deref(), cli.precision.unwrap_or_default())?;
    if let Some(dir) = &cli.record_inputs {
        kitascan::ocr::model::record_inputs(dir)
            .with_context(|| format!("recording model inputs in {}", dir.display()))?;
    }
    kitascan::ocr::set_cpu_features(kitascan::ocr::default_cpu_features())?;
    kitascan::ocr::set_threads(cli.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        usize::from,
    ));
    match cli.command {
        Command::Run { .. } => Ok(ExitCode::SUCCESS),
        Command::Synth { .. } => Ok(ExitCode::SUCCESS),
        Command::Camera { .. } => Ok(ExitCode::SUCCESS),
        Command::Scan {
            paths,
            format,
            timing,
        } => {
            let engine = load_engine(&models)?;
            let code = scan::scan(&engine, &paths, format == WireFormat::Verihubs, timing);
            for (model, n) in kitascan::ocr::model::recorded_inputs() {
                eprintln!("kitascan: recorded {n} inputs of {model}");
            }
            code
        }
        Command::Ocr {
            files,
            upright,
            debug,
        } => {
            let engine = load_engine(&models)?;
            let orientation = if upright {
                PageOrientation::Upright
            } else {
                PageOrientation::Unknown
            };
            Ok(ocr_files(&engine, &files, orientation, debug))
        }
        Command::Demo => {
            let engine = load_engine(&models)?;
            demo(&engine)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { what } => {
            let engine = std::sync::Arc::new(load_engine(&models)?);
            bench::run(engine, what)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `kitascan camera list`: every camera, or a line on stderr saying there is none (not an
/// error: a kiosk being set up may not have its camera plugged in yet).
fn camera_list(json: bool) -> Result<ExitCode> {
    let cameras = match kitascan::capture::list::query() {
        Ok(cameras) => cameras,
        // Not Linux: "cameras are supported on Linux (V4L2) only".
        Err(e) if cfg!(not(target_os = "linux")) => {
            eprintln!("kitascan camera list: {e}");
            if json {
                println!("[]");
            }
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => bail!("listing the cameras: {e}"),
    };
    if cameras.is_empty() {
        eprintln!("kitascan camera list: no cameras found (no V4L2 device in /dev/video*)");
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&cameras)?);
    } else {
        print!("{}", kitascan::capture::list::text(&cameras));
    }
    Ok(ExitCode::SUCCESS)
}

/// The models folder: the flag, then `$KITASCAN_MODELS`, then `./models`, then the repository's
/// `models/` when run from its target folder, then the packaged location. The first folder with
/// the f32 models is taken; `int8` needs its quantized files there too.
fn find_models(flag: Option<&Path>, precision: Precision) -> Result<ModelPaths> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = flag {
        candidates.push(dir.to_owned());
    } else {
        if let Some(dir) = std::env::var_os("KITASCAN_MODELS") {
            candidates.push(dir.into());
        }
        candidates.push("models".into());
        if let Ok(exe) = std::env::current_exe() {
            // target/<profile>/kitascan -> <repo>/models
            if let Some(repo) = exe.parent().and_then(Path::parent).and_then(Path::parent) {
                candidates.push(repo.join("models"));
            }
        }
        candidates.push("/usr/share/kitascan/models".into());
    }
    for dir in &candidates {
        if !ModelPaths::in_dir(dir).missing().is_empty() {
            continue;
        }
        let paths = ModelPaths::with_precision(dir, precision);
        let missing = paths.missing();
        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(|p| p.display().to_string()).collect();
            bail!(
                "{precision} model files not found ({}); run models/quantize to make them from \
                 the f32 models",
                names.join(", ")
            );
        }
        return Ok(paths);
    }
    let looked: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
    bail!(
        "model files not found (looked in {}); run models/fetch to get them",
        looked.join(", ")
    )
}

fn load_engine(paths: &ModelPaths) -> Result<Engine> {
    Engine::load(paths, EngineParams::default()).context("loading the OCR models")
}

#[derive(Serialize)]
struct PageLines {
    index: usize,
    width: u32,
    height: u32,
    lines: Vec<TextLine>,
}

#[derive(Serialize)]
struct FileLines<'a> {
    file: &'a Path,
    pages: Vec<PageLines>,
}

/// Reads each file and prints its JSON line; a bad file is reported on stderr and skipped.
fn ocr_files(
    engine: &Engine,
    files: &[PathBuf],
    orientation: PageOrientation,
    debug: bool,
) -> ExitCode {
    let mut failed = false;
    let stdout = std::io::stdout();
    for file in files {
        match ocr_file(engine, file, orientation, debug) {
            Ok(pages) => {
                let out = FileLines { file, pages };
                let mut lock = stdout.lock();
                let written =
                    serde_json::to_writer(&mut lock, &out).is_ok() && writeln!(lock).is_ok();
                if !written {
                    return ExitCode::FAILURE;
                }
            }
            Err(e) => {
                eprintln!("kitascan: {}: {e:#}", file.display());
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn ocr_file(
    engine: &Engine,
    file: &Path,
    orientation: PageOrientation,
    debug: bool,
) -> Result<Vec<PageLines>> {
    let pages = input::load(file, &Limits::default())?;
    let mut out = Vec::with_capacity(pages.len());
    for page in pages {
        let detection = engine.detect(&page.image)?;
        if debug {
            let mut name = file.as_os_str().to_owned();
            name.push(format!(".p{}.detmap.png", page.index));
            detection
                .map
                .save(&name)
                .with_context(|| format!("writing {}", PathBuf::from(&name).display()))?;
        }
        let lines = engine.read_boxes(&page.image, &detection.boxes, orientation)?;
        out.push(PageLines {
            index: page.index,
            width: page.image.width(),
            height: page.image.height(),
            lines,
        });
    }
    Ok(out)
}

fn demo(engine: &Engine) -> Result<()> {
    use rand::SeedableRng;
    let fonts = kitascan::synth::Fonts::load()?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let (page, _) = kitascan::synth::sample_page(&mut rng, &fonts);
    eprintln!(
        "kitascan demo: reading a generated {}x{} sample page",
        page.width(),
        page.height()
    );
    for line in engine.read(&page, PageOrientation::Unknown)? {
        println!("{:5.3}  {}", line.confidence, line.text);
    }
    Ok(())
}
