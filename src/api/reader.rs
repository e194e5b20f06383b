//! The bounded reading queue: uploads are decoded and read on a fixed number of worker threads,
//! never on the async runtime, and never more of them held in memory than the queue admits.
//!
//! Admission is a semaphore of `queue_capacity + workers` permits, taken *before* an upload's
//! body is read and held until its answer is sent; with none left the upload is answered 503.
//! Behind it, a channel with room for every admitted job feeds the workers.
//!
//! Decoding runs on the worker too, so a PDF that renders slowly occupies one worker, not the
//! server: pages and resolution are bounded by [`crate::input::Limits`], and a caller stops
//! waiting after `read_timeout_secs` (the render then finishes on its worker and is dropped;
//! hayro cannot be interrupted).

use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use image::RgbImage;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast, oneshot};

use super::metrics::Metrics;
use super::{ServerEvent, StateBoard};
use crate::config::Config;
use crate::input::{self, InputError, Limits};
use crate::kitas::Reading;
use crate::kitas::read::{Source, read_pages};
use crate::ocr::Engine;

/// What the reader made of one file: the reading and the page it was read from.
pub struct PageResult {
    pub reading: Reading,
    /// The upright, straightened page.
    pub page: RgbImage,
}

/// Reads permits from page images: the OCR engine, or a stand-in in tests.
pub trait Recognizer: Send + Sync + 'static {
    /// Reads the pages of one file, taking them: a reader may drop each once it is done with it.
    fn read(&self, pages: Vec<RgbImage>, source: Source) -> Result<Option<PageResult>, String>;
}

impl Recognizer for Engine {
    fn read(&self, pages: Vec<RgbImage>, source: Source) -> Result<Option<PageResult>, String> {
        let read = read_pages(self, pages, source);
        crate::ocr::release_free_memory();
        read.map(|r| {
            r.map(|r| PageResult {
                reading: r.reading,
                page: r.page,
            })
        })
        .map_err(|e| e.to_string())
    }
}

/// A finished read.
pub struct Done {
    pub reading: Reading,
    /// The straightened page as JPEG, when images are kept.
    pub jpeg: Option<Vec<u8>>,
}

/// Why a read produced no reading.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("reading failed: {0}")]
    Failed(String),
}

struct Job {
    bytes: Vec<u8>,
    reply: oneshot::Sender<Result<Done, ReadError>>,
}

/// The queue and its workers.
pub struct ReadQueue {
    admission: Arc<Semaphore>,
    jobs: SyncSender<Job>,
    metrics: Arc<Metrics>,
}

impl ReadQueue {
    /// Starts `config.reader.workers` threads reading from a queue of
    /// `config.reader.queue_capacity` jobs.
    pub(crate) fn start(
        config: &Config,
        recognizer: Arc<dyn Recognizer>,
        metrics: Arc<Metrics>,
        events: broadcast::Sender<ServerEvent>,
        daemon_state: Arc<Mutex<StateBoard>>,
    ) -> ReadQueue {
        let r = &config.reader;
        // Room for every admitted upload, so that a job admitted while the workers have not
        // yet taken theirs off the channel is never refused: admission is the bound.
        let (jobs, rx) = mpsc::sync_channel::<Job>(r.queue_capacity + r.workers);
        let rx = Arc::new(Mutex::new(rx));
        let worker = Worker {
            limits: r.limits(),
            jpeg_quality: config
                .store
                .store_images
                .then_some(config.store.jpeg_quality),
            recognizer,
            metrics: metrics.clone(),
            events,
            daemon_state,
        };
        for i in 0..r.workers {
            let (worker, rx) = (worker.clone(), rx.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("kitascan-reader-{i}"))
                .spawn(move || worker.run(&rx));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a reader thread");
            }
        }
        ReadQueue {
            admission: Arc::new(Semaphore::new(r.queue_capacity + r.workers)),
            jobs,
            metrics,
        }
    }

    /// A place in the queue, or `None` when it is full.
    pub fn admit(&self) -> Option<OwnedSemaphorePermit> {
        self.admission.clone().try_acquire_owned().ok()
    }

    /// Queues a file for reading; `None` when the queue is full (which admission prevents).
    pub fn submit(&self, bytes: Vec<u8>) -> Option<oneshot::Receiver<Result<Done, ReadError>>> {
        let (reply, rx) = oneshot::channel();
        match self.jobs.try_send(Job { bytes, reply }) {
            Ok(()) => {
                // Waiting or being read; the worker takes it off when done.
                self.metrics.queue_depth.inc();
                Some(rx)
            }
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => None,
        }
    }
}

#[derive(Clone)]
struct Worker {
    limits: Limits,
    jpeg_quality: Option<u8>,
    recognizer: Arc<dyn Recognizer>,
    metrics: Arc<Metrics>,
    events: broadcast::Sender<ServerEvent>,
    /// The shown state; counts the uploads being read, across workers.
    daemon_state: Arc<Mutex<StateBoard>>,
}

impl Worker {
    fn run(&self, rx: &Mutex<Receiver<Job>>) {
        loop {
            let job = {
                let rx = rx.lock().unwrap_or_else(|p| p.into_inner());
                match rx.recv() {
                    Ok(job) => job,
                    // Every sender is gone: the server is shutting down.
                    Err(_) => return,
                }
            };
            self.set_busy(1);
            let started = Instant::now();
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.read(&job.bytes)))
                    .unwrap_or_else(|_| Err(ReadError::Failed("the reader panicked".into())));
            let elapsed = started.elapsed();
            match &result {
                Ok(done) => {
                    self.metrics.latency.observe(elapsed.as_secs_f64());
                    tracing::info!(
                        ms = elapsed.as_millis() as u64,
                        bytes = job.bytes.len(),
                        permit = done.reading.is_permit,
                        "upload read"
                    );
                }
                Err(e) => {
                    self.metrics.scan(match e {
                        ReadError::Input(_) => "refused",
                        ReadError::Failed(_) => "failed",
                    });
                    tracing::info!(ms = elapsed.as_millis() as u64, bytes = job.bytes.len(), error = %e, "upload not read");
                }
            }
            self.set_busy(-1);
            self.metrics.queue_depth.dec();
            // The caller may have stopped waiting (timeout, disconnect): nothing to do then.
            let _ = job.reply.send(result);
        }
    }

    fn set_busy(&self, delta: isize) {
        let shown = {
            let mut board = self.daemon_state.lock().unwrap_or_else(|p| p.into_inner());
            board.change(|b| b.add_uploads(delta))
        };
        if let Some(shown) = shown {
            let _ = self.events.send(ServerEvent::state(shown));
        }
    }

    fn read(&self, bytes: &[u8]) -> Result<Done, ReadError> {
        let pages = input::decode(bytes, &self.limits)?;
        // A PDF page is the document itself; a picture may be a photo of one lying in it.
        let source = match input::sniff(bytes) {
            Some(input::Format::Pdf) => Source::Document,
            _ => Source::Auto,
        };
        let images: Vec<RgbImage> = pages.into_iter().map(|p| p.image).collect();
        let read = self
            .recognizer
            .read(images, source)?
            .ok_or_else(|| ReadError::Failed("no page was read".into()))?;
        let jpeg = match self.jpeg_quality {
            Some(q) => Some(jpeg(&read.page, q)?),
            None => None,
        };
        Ok(Done {
            reading: read.reading,
            jpeg,
        })
    }
}

impl From<String> for ReadError {
    fn from(e: String) -> Self {
        ReadError::Failed(e)
    }
}

pub(crate) fn jpeg(page: &RgbImage, quality: u8) -> Result<Vec<u8>, ReadError> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(page)
        .map_err(|e| ReadError::Failed(format!("encoding the page image: {e}")))?;
    Ok(out)
}
