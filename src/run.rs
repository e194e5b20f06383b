//! `kitascan run`: the kiosk. The camera side ([`kitascan::daemon`]: capture, gate, reader,
//! LED) runs on its own thread; the LAN API, the results store, the events stream and the kiosk
//! page on the async runtime. Under systemd (`Type=notify`) it reports readiness once both are
//! up and pings the watchdog while the camera loop keeps turning.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};

use kitascan::api::{self, AppState};
use kitascan::capture::replay::frame_files;
use kitascan::capture::{SourceSpec, open_source};
use kitascan::clock::SystemClock;
use kitascan::config::{BUILT_IN, Config};
use kitascan::daemon::{Daemon, DaemonParams, Timing};
use kitascan::fleet::{self, FleetParams};
use kitascan::led;
use kitascan::ocr::Engine;
use kitascan::store::Store;

/// Command-line overrides of the configuration.
pub struct RunArgs {
    pub config: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub db: Option<PathBuf>,
    pub source: Option<String>,
    pub fps: Option<u32>,
    pub led: Option<String>,
}

/// The configuration with its overrides applied and checked, and its name for messages.
pub fn configure(args: &RunArgs) -> Result<(Config, String)> {
    let (mut config, file) = match &args.config {
        Some(path) => (Config::load(path)?, path.display().to_string()),
        None => (Config::built_in()?, BUILT_IN.to_string()),
    };
    if let Some(listen) = args.listen {
        config.server.listen = listen;
    }
    if let Some(db) = &args.db {
        config.store.db = db.clone();
    }
    if let Some(source) = &args.source {
        config.daemon.source = source.clone();
    }
    if let Some(fps) = args.fps {
        config.daemon.fps = fps;
    }
    if let Some(led) = &args.led {
        config.daemon.led = led.clone();
    }
    let with_flags = format!("{file} with command-line flags");
    config.validate(&with_flags)?;
    config.check_listen(&file)?;
    Ok((config, file))
}

pub fn run(config: Config, engine: impl FnOnce() -> Result<Engine>) -> Result<()> {
    // The store first: a database this binary cannot use is reported before the slow model load.
    let store = Store::open(&config.store.db)
        .with_context(|| format!("opening the database {}", config.store.db.display()))?;
    let engine = engine()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(config, Arc::new(store), Arc::new(engine)))
}

async fn serve(config: Config, store: Arc<Store>, engine: Arc<Engine>) -> Result<()> {
    let listen = config.server.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let local = listener.local_addr()?;
    let state = AppState::new(config.clone(), store.clone(), engine.clone());
    tokio::spawn(state.clone().run_retention());
    // Fleet delivery (`[fleet]`): the outbox to the back office, from where it left off.
    fleet::spawn(
        &config.fleet,
        store,
        state.fleet().clone(),
        FleetParams::default(),
    );
    let heartbeat = Arc::new(AtomicU64::new(0));
    prepare_plans(engine.clone());
    let camera = start_camera(&config, &state, engine, heartbeat.clone())?;
    tokio::spawn(watchdog(heartbeat, camera.is_some()));
    // Tests and scripts read this line to find the port (with `--listen 127.0.0.1:0`).
    eprintln!("kitascan: listening on http://{local}");
    let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Ready]);
    let stopping = state.clone();
    axum::serve(listener, api::app(state))
        .with_graceful_shutdown(async move {
            shutdown().await;
            let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Stopping]);
            if let Some((stop, thread)) = camera {
                // The reading in progress is finished and stored before the server stops.
                stop.store(true, Ordering::SeqCst);
                let _ = tokio::task::spawn_blocking(move || thread.join()).await;
            }
            stopping.shut_down();
        })
        .await
        .context("serving HTTP")?;
    eprintln!("kitascan: stopped");
    Ok(())
}

/// Compiles on a thread of its own the model plans that an A4 page (as a 200 dpi PDF renders
/// it) needs, while the daemon already answers: otherwise the first document read pays for them.
/// A document arriving meanwhile waits only for the plans it shares with the ones being compiled.
fn prepare_plans(engine: Arc<Engine>) {
    let spawned = std::thread::Builder::new()
        .name("kitascan-prepare".into())
        .spawn(move || {
            let started = Instant::now();
            match engine.prepare(1654, 2339) {
                Ok(()) => tracing::info!(
                    seconds = started.elapsed().as_secs_f32(),
                    plans = ?engine.cached_plans(),
                    "model plans compiled ahead of the first document"
                ),
                Err(e) => tracing::warn!(error = %e, "could not compile the model plans ahead"),
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "could not start the thread compiling the model plans");
    }
}

type CameraThread = (Arc<AtomicBool>, std::thread::JoinHandle<()>);

/// Starts the camera loop on its own thread, unless the source is `none`.
fn start_camera(
    config: &Config,
    state: &AppState,
    engine: Arc<Engine>,
    heartbeat: Arc<AtomicU64>,
) -> Result<Option<CameraThread>> {
    let d = &config.daemon;
    let spec = d.source().map_err(|e| anyhow!(e))?;
    if spec == SourceSpec::None {
        return Ok(None);
    }
    if let SourceSpec::Replay(dir) = &spec {
        // A replay that cannot play is a configuration error, reported before starting.
        frame_files(dir)?;
    }
    let clock = Arc::new(SystemClock::new());
    let camera = d.camera();
    let (fps, replay_loop) = (d.fps as f32, d.replay_loop);
    let source_clock = clock.clone();
    let led = led::open(d.led().map_err(|e| anyhow!(e))?).map_err(|e| anyhow!(e))?;
    let params = DaemonParams {
        gate: config.gate.clone(),
        backoff_max: Duration::from_secs(d.reconnect_max_secs),
        timing: Timing::RealTime,
        ..DaemonParams::default()
    };
    let mut daemon = Daemon::new(
        params,
        state.clone(),
        tokio::runtime::Handle::current(),
        engine,
        led,
        clock,
    );
    let started = Instant::now();
    daemon.on_tick(move || {
        heartbeat.store(started.elapsed().as_millis() as u64 + 1, Ordering::Relaxed);
    });
    let stop = daemon.stopper();
    let name = spec.to_string();
    let thread = std::thread::Builder::new()
        .name("kitascan-camera".into())
        .spawn(move || {
            // Opened on this thread: a V4L2 device is used only by the thread that opened it.
            let mut source = match open_source(&spec, &camera, fps, replay_loop, source_clock) {
                Ok(Some(source)) => source,
                Ok(None) => return,
                Err(e) => {
                    tracing::error!(error = %e, "the frame source cannot be used");
                    eprintln!("kitascan: {name}: {e}");
                    return;
                }
            };
            let stats = daemon.run(&mut *source);
            tracing::info!(
                source = %name,
                frames = stats.frames,
                while_reading = stats.while_reading,
                reads = stats.reads.len(),
                reconnects = stats.reconnects,
                "camera loop ended"
            );
            eprintln!(
                "kitascan: {name} ended after {} frames, {} readings",
                stats.frames,
                stats.reads.len()
            );
        })
        .context("starting the camera thread")?;
    Ok(Some((stop, thread)))
}

/// Pings systemd's watchdog (when the unit has `WatchdogSec=`) at half its interval, as long as
/// the camera loop has turned within the interval: a loop stuck on a hung device gets the
/// service restarted.
async fn watchdog(heartbeat: Arc<AtomicU64>, camera: bool) {
    let mut usec = 0u64;
    if !sd_notify::watchdog_enabled(false, &mut usec) || usec == 0 {
        return;
    }
    let interval = Duration::from_micros(usec);
    let started = Instant::now();
    let mut tick = tokio::time::interval(interval / 2);
    loop {
        tick.tick().await;
        let now = started.elapsed().as_millis() as u64;
        let last = heartbeat.load(Ordering::Relaxed);
        // The camera loop's clock starts a moment before this one: a beat counts if it is recent.
        let alive = !camera || now.saturating_sub(last) < interval.as_millis() as u64;
        if alive {
            let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Watchdog]);
        } else {
            tracing::error!("the camera loop has not turned within the watchdog interval");
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM (systemd's stop).
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
