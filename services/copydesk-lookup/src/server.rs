//! The gRPC server: ArticleService, grpc.health.v1 driven by the
//! materialiser's readiness, and server reflection (v1 and v1alpha, unless
//! turned off), on one HTTP/2 listener, over TLS when configured, with
//! bearer tokens checked on every call but health checks.

use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;
use tracing::info;

use crate::LookupError;
use crate::admission::hold_until_sent;
use crate::auth::Guard;
use crate::config::Limits;
use crate::metrics::Metrics;
use crate::security::Secured;
use crate::service::Lookup;
use crate::service::encoded::Articles;

/// The name health checks use for ArticleService; "" is the whole server.
pub const SERVICE_NAME: &str = "copydesk.v1.ArticleService";

/// Pings idle connections so that a watcher behind a NAT or a load balancer
/// is not cut off silently, and a vanished client is noticed.
const KEEPALIVE: Duration = Duration::from_secs(30);

/// Both health names at once: clients ask for either. The ready gauge is
/// set here too, so that it says exactly what health says.
async fn set_health(reporter: &HealthReporter, metrics: &Metrics, status: ServingStatus) {
    // The gauge first: whoever sees SERVING on health then sees 1 in a scrape.
    metrics.set_ready(status == ServingStatus::Serving);
    reporter.set_service_status("", status).await;
    reporter.set_service_status(SERVICE_NAME, status).await;
}

/// Serves until `stop` is cancelled, then stops accepting, ends the watch
/// streams (the service observes `stop` too) and lets unary calls finish.
pub(crate) async fn serve(
    listener: TcpListener,
    service: Lookup,
    limits: Limits,
    secured: Secured,
    mut ready: watch::Receiver<bool>,
    stop: CancellationToken,
) -> Result<(), LookupError> {
    let metrics = service.metrics.clone();
    let (reporter, health) = tonic_health::server::health_reporter();
    set_health(&reporter, &metrics, ServingStatus::NotServing).await;
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(copydesk_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    // Health stays open to probes; ArticleService and reflection need a
    // token when a tokens file is configured.
    let guard = Guard(secured.tokens.clone());
    let (reflection_v1, reflection_v1alpha) = if secured.reflection {
        let v1 = reflection().build_v1().map_err(|e| LookupError::Reflection(e.to_string()))?;
        let v1alpha = reflection().build_v1alpha().map_err(|e| LookupError::Reflection(e.to_string()))?;
        (Some(InterceptedService::new(v1, guard.clone())), Some(InterceptedService::new(v1alpha, guard.clone())))
    } else {
        (None, None)
    };
    if let Ok(addr) = listener.local_addr() {
        info!(
            message = "Serving gRPC.",
            %addr,
            tls = secured.tls.is_some(),
            tokens = secured.tokens.is_some(),
            reflection = secured.reflection
        );
    }
    // A response is at most the article bytes allowed plus the missing ids
    // (no more than the request held) and a little framing.
    let max_encoding = limits.max_response_bytes + limits.max_request_bytes + (64 << 10);
    // GetArticle and LookupArticle send the stored bytes; the rest is generated.
    let articles = Articles::new(service, limits.max_request_bytes, max_encoding);
    let mut builder = Server::builder();
    if let Some(tls) = secured.tls {
        builder = builder.tls_config(tls)?;
    }
    let reloader = async {
        if let Some(tokens) = secured.tokens {
            tokens.watch(secured.reload, stop.clone()).await;
        }
    };
    let server = builder
        .http2_keepalive_interval(Some(KEEPALIVE))
        // A server span per call, continuing the caller's `traceparent`.
        .trace_fn(copydesk_telemetry::grpc_server_span)
        .max_concurrent_streams(limits.max_concurrent_streams)
        // The longest a unary call may take; a client's shorter grpc-timeout wins.
        .timeout(limits.call_timeout())
        .layer(tower::util::MapResponseLayer::new(hold_until_sent as fn(_) -> _))
        .add_service(health)
        .add_optional_service(reflection_v1)
        .add_optional_service(reflection_v1alpha)
        .add_service(InterceptedService::new(articles, guard))
        // Without TCP_NODELAY a small response (a health check, a missing
        // id) waits for the client's delayed ACK: bench-lookup saw health
        // checks at p50 43 ms. tonic sets it only on listeners it binds.
        .serve_with_incoming_shutdown(
            TcpIncoming::from(listener).with_nodelay(Some(true)),
            stop.clone().cancelled_owned(),
        );
    let readiness = async {
        // SERVING while the materialiser is caught up; NOT_SERVING again while
        // it rebuilds the store (the topic was deleted and created again).
        // The watch guards must not live across an await: only bools leave the selects.
        loop {
            let caught_up = tokio::select! {
                _ = stop.cancelled() => false,
                ready = ready.wait_for(|ready| *ready) => ready.is_ok(),
            };
            if !caught_up {
                break;
            }
            set_health(&reporter, &metrics, ServingStatus::Serving).await;
            let behind = tokio::select! {
                _ = stop.cancelled() => false,
                ready = ready.wait_for(|ready| !*ready) => ready.is_ok(),
            };
            if !behind {
                break;
            }
            set_health(&reporter, &metrics, ServingStatus::NotServing).await;
        }
        // Load balancers stop sending new calls while the server drains.
        set_health(&reporter, &metrics, ServingStatus::NotServing).await;
    };
    let (served, (), ()) = tokio::join!(server, readiness, reloader);
    served.map_err(LookupError::Serve)
}
