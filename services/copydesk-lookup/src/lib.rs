//! The lookup service: the compacted articles topic materialised into an
//! embedded store, and served over gRPC (`copydesk.v1.ArticleService`).
//!
//! # Layout
//! - `config`: the role's settings (flags and `COPYDESK_*` env) and their validation.
//! - `store`: the redb file: articles (compressed records) and their earlier revisions, URL and
//!   site indexes, offsets per partition.
//! - `url_key`: the one URL normaliser, of index writes and of lookups.
//! - `materialise`: the whole topic into the store, from the stored offsets; readiness;
//!   partitions added while running.
//! - `service`: ArticleService over the store (`list_filter`: ListArticles' language and time filters;
//!   `service::watch`: the watch streams, deletions, resume tokens and replays; `service::revisions`:
//!   ListArticleRevisions); `server`: gRPC wiring, health, reflection.
//! - `encoded`: the codec of responses encoded beforehand (GetArticle and LookupArticle send
//!   the stored bytes: `service::encoded`).
//! - `view`: ArticleView, BASIC (no body) or FULL.
//! - `read_pool`: the threads GetArticle and LookupArticle read the store on.
//! - `admission`: the limits on calls, bytes in flight and watchers (load shedding).
//! - `security`: TLS and client certificates; `auth`: bearer tokens, re-read when rotated.
//! - `metrics`: the Prometheus instruments, served on `/metrics` by `copydesk-telemetry`.
//! - `error`: the crate's error type and its one mapping to gRPC statuses.

mod admission;
mod auth;
pub mod config;
pub mod encoded;
mod error;
mod list_filter;
mod materialise;
pub mod metrics;
mod read_pool;
mod security;
mod server;
mod service;
pub mod store;
pub mod url_key;
mod view;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

pub use crate::config::LookupConfig;
pub use crate::error::LookupError;
use crate::materialise::Materialiser;
pub use crate::metrics::{Metrics, Snapshot};
pub use crate::server::SERVICE_NAME;
pub use crate::service::{DEFAULT_PAGE_SIZE, Lookup, MAX_BATCH_IDS, MAX_PAGE_SIZE};
use crate::store::Store;

/// A configured lookup service: the store open, the gRPC (and metrics) port bound.
pub struct App {
    config: Arc<LookupConfig>,
    store: Arc<Store>,
    listener: TcpListener,
    secured: security::Secured,
    metrics: Arc<Metrics>,
    /// The bound metrics socket, served from `run`; `None` when disabled.
    metrics_listener: Option<TcpListener>,
}

impl App {
    /// Validates the configuration (every problem at once), then binds the
    /// gRPC and metrics ports and opens the store, so a taken port or a
    /// locked store fails the start rather than the first request.
    pub async fn build(config: LookupConfig) -> Result<App, LookupError> {
        config.validate()?;
        let secured = security::Secured::load(&config.security)?;
        let addr = config.grpc_socket().map_err(|e| LookupError::Config(vec![e]))?;
        let listener = TcpListener::bind(addr).await.map_err(|source| LookupError::Bind { addr, source })?;
        let metrics_listener = match config.metrics_socket().map_err(|e| LookupError::Config(vec![e]))? {
            Some(addr) => Some(copydesk_telemetry::bind(addr).await?),
            None => None,
        };
        let (path, topic, cache) = (config.store_path.clone(), config.articles_topic.clone(), config.store_cache_bytes);
        let retention = config.revisions.retention();
        let store = blocking("store open", move || Store::open_with_cache(&path, &topic, cache)).await??;
        let store = store.with_retention(retention).with_hot_bytes(config.hot_articles_bytes);
        let articles = store.len()?;
        info!(message = "Store open.", path = %store.path().display(), articles);
        let metrics = Arc::new(Metrics::new());
        metrics.set_store_articles(articles);
        Ok(App { config: Arc::new(config), store: Arc::new(store), listener, secured, metrics, metrics_listener })
    }

    /// Where gRPC is served (the actual port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// The service's instruments, shared with the running service.
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// Where `/metrics` is served (the actual port when 0 was asked for).
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Runs until `shutdown` is cancelled, then stops within the grace period.
    ///
    /// The materialiser, the gRPC server and the metrics endpoint are
    /// supervised as named tasks: if one ends on its own, the others are
    /// stopped too and the first one's outcome is returned. On shutdown the
    /// server stops accepting, ends the watch streams and finishes unary
    /// calls, the materialiser writes the batch in hand, and the store is
    /// closed when both are done; the endpoint stops last, so the drain can
    /// be watched.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), LookupError> {
        let App { config, store, listener, secured, metrics, metrics_listener } = self;
        let reads = read_pool::ReadPool::per_core().map_err(LookupError::ReadThreads)?;
        let stop = shutdown.child_token();
        let (events, _) = broadcast::channel(service::WATCH_BUFFER);
        let (ready_tx, ready_rx) = watch::channel(false);
        let materialiser = Materialiser {
            config: config.clone(),
            store: store.clone(),
            events: events.clone(),
            ready: ready_tx,
            metrics: metrics.clone(),
        };
        let mut reader = tokio::spawn(materialiser.run(stop.clone()));
        let service = Lookup {
            store: store.clone(),
            events,
            ready: ready_rx.clone(),
            stop: stop.clone(),
            metrics: metrics.clone(),
            admission: admission::Admission::new(&config.limits),
            reads,
            config: config.clone(),
        };
        let server = server::serve(listener, service, config.limits.clone(), secured, ready_rx, stop.clone());
        let mut server = tokio::spawn(server);
        // Not a child of `stop`: the endpoint outlives the other two.
        let endpoint_stop = CancellationToken::new();
        let mut endpoint = metrics_listener.map(|listener| {
            if let Ok(addr) = listener.local_addr() {
                info!(message = "Serving metrics.", %addr, path = "/metrics");
            }
            let stop = endpoint_stop.clone();
            tokio::spawn(async move {
                copydesk_telemetry::serve(listener, metrics, stop).await;
                Ok(())
            })
        });
        let endpoint_ended = async {
            match endpoint.as_mut() {
                Some(handle) => handle.await,
                None => std::future::pending().await,
            }
        };

        let first = tokio::select! {
            _ = stop.cancelled() => None,
            done = &mut reader => Some((MATERIALISER, outcome(MATERIALISER, done))),
            done = &mut server => Some((SERVER, outcome(SERVER, done))),
            done = endpoint_ended => Some((ENDPOINT, outcome(ENDPOINT, done))),
        };
        if let Some((task, result)) = &first {
            match result {
                Ok(()) => warn!(message = "A task ended on its own; stopping the service.", task),
                Err(e) => error!(message = "A task failed; stopping the service.", task, error = %e),
            }
        } else {
            info!(message = "Shutting down.", grace_secs = config.shutdown_grace_secs);
        }
        stop.cancel();
        let deadline = tokio::time::Instant::now() + config.shutdown_grace();
        let mut result = Ok(());
        for (task, handle) in [(MATERIALISER, reader), (SERVER, server)] {
            let done = match &first {
                Some((finished, _)) if *finished == task => continue,
                _ => finish(task, handle, deadline).await,
            };
            result = result.and(done);
        }
        endpoint_stop.cancel();
        if let Some(handle) = endpoint.filter(|_| !matches!(first, Some((ENDPOINT, _)))) {
            result = result.and(finish(ENDPOINT, handle, deadline).await);
        }
        let result = match first {
            Some((_, first)) => first.and(result),
            None => result,
        };
        // Every other holder of the store has ended with its task; dropping
        // the last handle closes the file and releases its lock.
        match Arc::try_unwrap(store) {
            Ok(store) => drop(store),
            Err(_) => warn!(message = "The store is still in use at exit; it closes with the process."),
        }
        result
    }
}

const MATERIALISER: &str = "materialiser";
const SERVER: &str = "gRPC server";
const ENDPOINT: &str = "metrics endpoint";

/// Waits for a stopping task until `deadline`, then aborts it.
async fn finish(
    task: &'static str,
    mut handle: JoinHandle<Result<(), LookupError>>,
    deadline: tokio::time::Instant,
) -> Result<(), LookupError> {
    match tokio::time::timeout_at(deadline, &mut handle).await {
        Ok(done) => outcome(task, done),
        Err(_) => {
            error!(message = "A task did not stop within the grace period; aborting it.", task);
            handle.abort();
            let _ = handle.await;
            Err(LookupError::ShutdownTimeout { task })
        }
    }
}

/// A supervised task's result, with a panic turned into an error naming the task.
fn outcome(
    task: &'static str,
    joined: Result<Result<(), LookupError>, tokio::task::JoinError>,
) -> Result<(), LookupError> {
    match joined {
        Ok(result) => result,
        Err(join) => {
            error!(message = "Task panicked.", task, error = %join);
            Err(LookupError::Panicked { task, reason: join.to_string() })
        }
    }
}

/// Runs blocking work (store transactions, librdkafka metadata calls) off
/// the async workers; a panic in it becomes an error naming the work.
pub(crate) async fn blocking<T: Send + 'static>(
    task: &'static str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, LookupError> {
    tokio::task::spawn_blocking(f).await.map_err(|join| LookupError::Panicked { task, reason: join.to_string() })
}
