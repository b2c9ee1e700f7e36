//! The `/metrics` HTTP endpoint Prometheus scrapes: HTTP/1.1, one route.
//!
//! Roles bind the socket while building, after their configuration is
//! validated, so a taken port fails the start rather than the first scrape.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{ALLOW, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, warn};

use crate::{Exposition, TelemetryError};

/// prometheus-client writes the OpenMetrics text format, which Prometheus
/// negotiates by this type.
const CONTENT_TYPE_OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// More concurrent scrapers than this is a misconfiguration or an attack;
/// extra connections are closed at once rather than held.
const MAX_CONNECTIONS: usize = 32;

/// A client that opens a connection and sends nothing must not hold it.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// A scrape's body is reserved at this size: a few hundred series fit
/// without the string growing.
const BODY_CAPACITY: usize = 8 << 10;

pub async fn bind(addr: SocketAddr) -> Result<TcpListener, TelemetryError> {
    TcpListener::bind(addr).await.map_err(|source| TelemetryError::Bind { addr, source })
}

/// Serves until `stop` is cancelled, then closes every open connection.
/// Accept errors (out of file descriptors, a reset handshake) are transient:
/// they are logged and the loop goes on, so scrapes never stop the role.
pub async fn serve<E: Exposition + ?Sized>(listener: TcpListener, exposition: Arc<E>, stop: CancellationToken) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) if connections.len() >= MAX_CONNECTIONS => drop(stream),
                Ok((stream, peer)) => {
                    connections.spawn(connection(stream, peer, exposition.clone()));
                }
                Err(error) => {
                    warn!(message = "Metrics endpoint cannot accept a connection.", %error);
                    // Nothing to await: the error is the kernel's (e.g. no
                    // file descriptors), so back off rather than spin.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
    connections.shutdown().await;
}

async fn connection<E: Exposition + ?Sized>(stream: tokio::net::TcpStream, peer: SocketAddr, exposition: Arc<E>) {
    let service = service_fn(move |request: Request<Incoming>| {
        let response = respond(&request, &*exposition);
        async move { Ok::<_, Infallible>(response) }
    });
    let served = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service)
        .await;
    if let Err(error) = served {
        debug!(message = "Metrics connection ended with an error.", %error, %peer);
    }
}

fn respond<E: Exposition + ?Sized>(request: &Request<Incoming>, exposition: &E) -> Response<Full<Bytes>> {
    let builder = Response::builder();
    let response = match (request.method(), request.uri().path()) {
        (&Method::GET | &Method::HEAD, "/metrics") => {
            let mut body = String::with_capacity(BODY_CAPACITY);
            match exposition.write_to(&mut body).and_then(|()| trace_counters(&mut body)) {
                Ok(()) => builder.header(CONTENT_TYPE, CONTENT_TYPE_OPENMETRICS).body(Full::from(body)),
                Err(_) => {
                    // A half-written exposition would read as counters gone
                    // back to zero; an error makes the scrape fail instead.
                    error!(message = "Cannot encode the metrics.");
                    builder.status(StatusCode::INTERNAL_SERVER_ERROR).body(Full::default())
                }
            }
        }
        (_, "/metrics") => {
            builder.status(StatusCode::METHOD_NOT_ALLOWED).header(ALLOW, "GET, HEAD").body(Full::default())
        }
        _ => builder.status(StatusCode::NOT_FOUND).body(Full::from("only /metrics is served here\n")),
    };
    // The parts above are constants; building cannot fail.
    response.unwrap_or_default()
}

/// The trace export counters, shared by every role, go in before the
/// exposition's closing `# EOF`.
fn trace_counters(body: &mut String) -> std::fmt::Result {
    use std::fmt::Write as _;
    let Some(end) = body.strip_suffix("# EOF\n").map(str::len) else { return Ok(()) };
    body.truncate(end);
    let (exported, dropped) = crate::span_counts();
    write!(
        body,
        "# HELP copydesk_trace_spans_exported Spans handed to the trace collector.\n\
         # TYPE copydesk_trace_spans_exported counter\n\
         copydesk_trace_spans_exported_total {exported}\n\
         # HELP copydesk_trace_spans_dropped Spans lost: export queue full, or the collector failed or timed out.\n\
         # TYPE copydesk_trace_spans_dropped counter\n\
         copydesk_trace_spans_dropped_total {dropped}\n\
         # EOF\n"
    )
}

#[cfg(test)]
mod tests {
    use std::fmt;
    use std::io::{Read, Write};

    use prometheus_client::metrics::counter::Counter;
    use prometheus_client::registry::Registry;

    use super::*;

    /// A plain HTTP/1.1 request over a blocking socket: the client side needs
    /// no HTTP library.
    async fn request(addr: SocketAddr, line: &'static str) -> String {
        tokio::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            write!(stream, "{line} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).unwrap();
            response
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn serves_the_exposition_and_stops_when_told() {
        let listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut registry = Registry::with_prefix("test");
        let scrapes = Counter::<u64>::default();
        registry.register("scrapes", "Scrapes seen by the test.", scrapes.clone());
        scrapes.inc_by(3);
        let stop = CancellationToken::new();
        let server = tokio::spawn(serve(listener, Arc::new(registry), stop.clone()));

        let ok = request(addr, "GET /metrics").await;
        assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
        assert!(ok.contains("content-type: application/openmetrics-text"), "{ok}");
        assert!(ok.contains("\r\n\r\n# HELP test_scrapes"), "{ok}");
        assert!(ok.contains("test_scrapes_total 3\n"), "{ok}");
        assert!(ok.ends_with("# EOF\n"), "{ok}");
        assert!(request(addr, "GET /").await.starts_with("HTTP/1.1 404 "));
        let post = request(addr, "POST /metrics").await;
        assert!(post.starts_with("HTTP/1.1 405 ") && post.contains("allow: GET, HEAD"), "{post}");

        stop.cancel();
        server.await.unwrap();
        assert!(std::net::TcpStream::connect(addr).is_err(), "the socket is closed after stop");
    }

    struct Broken;

    impl Exposition for Broken {
        fn write_to(&self, out: &mut String) -> fmt::Result {
            out.push_str("# HELP half");
            Err(fmt::Error)
        }
    }

    #[tokio::test]
    async fn an_encoding_error_is_a_failed_scrape_not_a_partial_one() {
        let listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = CancellationToken::new();
        let exposition: Arc<dyn Exposition> = Arc::new(Broken);
        let server = tokio::spawn(serve(listener, exposition, stop.clone()));
        let response = request(addr, "GET /metrics").await;
        assert!(response.starts_with("HTTP/1.1 500 "), "{response}");
        assert!(!response.contains("half"), "{response}");
        stop.cancel();
        server.await.unwrap();
    }

    #[tokio::test]
    async fn a_taken_port_is_a_bind_error() {
        let first = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = first.local_addr().unwrap();
        let Err(TelemetryError::Bind { addr: reported, .. }) = bind(addr).await else {
            panic!("binding a taken port must fail")
        };
        assert_eq!(reported, addr);
    }
}
