//! The span queue between the pipeline and the exporter: `on_end` only ever
//! tries to enqueue, so a slow or dead collector costs dropped spans (counted)
//! and never a blocked message. A dedicated thread batches and exports.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::time::{Duration, Instant};

use opentelemetry::Context;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{Span, SpanData, SpanExporter, SpanProcessor};
use tracing::{Dispatch, warn};

/// Spans waiting for export: past this many, new ones are dropped.
const QUEUE: usize = 8192;
/// Spans per export request.
const BATCH: usize = 512;
/// How long a span may wait for a batch to fill.
const INTERVAL: Duration = Duration::from_secs(1);
/// An export that takes longer counts as failed: its spans are dropped.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

static EXPORTED: AtomicU64 = AtomicU64::new(0);
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// Spans handed to the collector, and spans lost (queue full or export
/// failed), since the process started.
pub fn span_counts() -> (u64, u64) {
    (EXPORTED.load(Ordering::Relaxed), DROPPED.load(Ordering::Relaxed))
}

/// The exporters we build: one enum, so the worker needs no boxing.
#[derive(Debug)]
pub(crate) enum Exporter {
    Otlp(opentelemetry_otlp::SpanExporter),
    Zipkin(crate::zipkin::ZipkinExporter),
}

impl Exporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        match self {
            Exporter::Otlp(e) => e.export(batch).await,
            Exporter::Zipkin(e) => e.export(batch).await,
        }
    }

    fn set_resource(&mut self, resource: &Resource) {
        match self {
            Exporter::Otlp(e) => e.set_resource(resource),
            // The service name was given when it was built.
            Exporter::Zipkin(_) => {}
        }
    }

    fn shutdown(&mut self) {
        if let Exporter::Otlp(e) = self {
            let _ = e.shutdown();
        }
    }
}

enum Msg {
    Span(Box<SpanData>),
    /// Export what is queued, then answer.
    Flush(mpsc::Sender<()>),
    /// Export what is queued, stop, then answer.
    Stop(mpsc::Sender<()>),
}

/// The SDK's span processor: a bounded queue in front of the export thread.
#[derive(Debug)]
pub(crate) struct Queue {
    tx: SyncSender<Msg>,
}

impl Queue {
    /// Starts the export thread. `make` builds the exporter on that thread,
    /// inside its own Tokio runtime (tonic and reqwest need one); a build
    /// error is returned here, before anything else starts.
    pub(crate) fn start(
        make: impl FnOnce() -> Result<Exporter, String> + Send + 'static,
        resource: Resource,
    ) -> Result<Queue, String> {
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let (ready_tx, ready_rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("copydesk-trace-export".into())
            .spawn(move || {
                // The exporter's own HTTP/2 and gRPC code emits tracing
                // spans; they must not be traced back into this queue.
                let quiet = Dispatch::new(tracing::subscriber::NoSubscriber::default());
                let built = tracing::dispatcher::with_default(&quiet, || -> Result<_, String> {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
                    let rt = rt.map_err(|e| format!("cannot start the trace export runtime: {e}"))?;
                    let exporter = {
                        let _entered = rt.enter();
                        make()?
                    };
                    Ok((rt, exporter))
                });
                match built {
                    Ok((rt, mut exporter)) => {
                        let _ = ready_tx.send(Ok(()));
                        exporter.set_resource(&resource);
                        run(rx, &rt, &mut exporter, &quiet);
                        exporter.shutdown();
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            })
            .map_err(|e| format!("cannot start the trace export thread: {e}"))?;
        ready_rx.recv().map_err(|_| "the trace export thread ended at start".to_string())??;
        Ok(Queue { tx })
    }

    fn ask(&self, make: fn(mpsc::Sender<()>) -> Msg, timeout: Duration) -> OTelSdkResult {
        let (done_tx, done_rx) = mpsc::channel();
        // A full queue drains within one export: waiting for room here is
        // bounded, and only shutdown and explicit flushes come this way.
        self.tx.send(make(done_tx)).map_err(|_| OTelSdkError::AlreadyShutdown)?;
        done_rx.recv_timeout(timeout).map_err(|_| OTelSdkError::Timeout(timeout))
    }
}

impl SpanProcessor for Queue {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        if !span.span_context.is_sampled() {
            return;
        }
        match self.tx.try_send(Msg::Span(Box::new(span))) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                DROPPED.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.ask(Msg::Flush, EXPORT_TIMEOUT + INTERVAL)
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.ask(Msg::Stop, timeout)
    }
}

/// The export loop: a batch goes out when full or when its first span has
/// waited `INTERVAL`; a failed export is logged once per failure streak.
fn run(rx: Receiver<Msg>, rt: &tokio::runtime::Runtime, exporter: &mut Exporter, quiet: &Dispatch) {
    let mut batch: Vec<SpanData> = Vec::with_capacity(BATCH);
    let mut failing = false;
    let mut export = |batch: &mut Vec<SpanData>| {
        if batch.is_empty() {
            return;
        }
        let n = batch.len() as u64;
        let spans = std::mem::replace(batch, Vec::with_capacity(BATCH));
        let result = tracing::dispatcher::with_default(quiet, || {
            rt.block_on(async { tokio::time::timeout(EXPORT_TIMEOUT, exporter.export(spans)).await })
        });
        match result {
            Ok(Ok(())) => {
                EXPORTED.fetch_add(n, Ordering::Relaxed);
                failing = false;
            }
            Ok(Err(error)) => {
                DROPPED.fetch_add(n, Ordering::Relaxed);
                if !std::mem::replace(&mut failing, true) {
                    warn!(message = "Cannot export spans; dropping them until the collector answers.", %error);
                }
            }
            Err(_) => {
                DROPPED.fetch_add(n, Ordering::Relaxed);
                if !std::mem::replace(&mut failing, true) {
                    warn!(message = "Span export timed out; dropping spans until the collector answers.");
                }
            }
        }
    };
    let mut deadline: Option<Instant> = None;
    loop {
        let received = match deadline {
            Some(d) => rx.recv_timeout(d.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match received {
            Ok(Msg::Span(span)) => {
                batch.push(*span);
                deadline.get_or_insert_with(|| Instant::now() + INTERVAL);
                if batch.len() >= BATCH {
                    export(&mut batch);
                    deadline = None;
                }
            }
            Ok(Msg::Flush(done)) => {
                export(&mut batch);
                deadline = None;
                let _ = done.send(());
            }
            Ok(Msg::Stop(done)) => {
                export(&mut batch);
                let _ = done.send(());
                return;
            }
            Err(RecvTimeoutError::Timeout) => {
                export(&mut batch);
                deadline = None;
            }
            Err(RecvTimeoutError::Disconnected) => {
                export(&mut batch);
                return;
            }
        }
    }
}
