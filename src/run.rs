//! `kitascan run`: the kiosk's server. Until the daemon issue adds the camera side, it serves
//! uploads, the results store, the events stream and the kiosk page.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};

use kitascan::api::{self, AppState};
use kitascan::config::{BUILT_IN, Config};
use kitascan::ocr::Engine;
use kitascan::store::Store;

/// Command-line overrides of the configuration.
pub struct RunArgs {
    pub config: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub db: Option<PathBuf>,
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
    let state = AppState::new(config, store, engine);
    tokio::spawn(state.clone().run_retention());
    // Tests and scripts read this line to find the port (with `--listen 127.0.0.1:0`).
    eprintln!("kitascan: listening on http://{local}");
    let stopping = state.clone();
    axum::serve(listener, api::app(state))
        .with_graceful_shutdown(async move {
            shutdown().await;
            stopping.shut_down();
        })
        .await
        .context("serving HTTP")?;
    eprintln!("kitascan: stopped");
    Ok(())
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
