//! Ingest's `/metrics` endpoint: the shared one from `copydesk-telemetry`,
//! serving this role's instruments, with its bind error in this crate's type.
//!
//! The socket is bound in `App::build`, after the configuration is
//! validated, so a taken port fails the start rather than the first scrape.

use std::net::SocketAddr;
use std::sync::Arc;

use copydesk_telemetry::TelemetryError;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::IngestError;
use crate::metrics::Metrics;

pub(crate) async fn bind(addr: SocketAddr) -> Result<TcpListener, IngestError> {
    copydesk_telemetry::bind(addr).await.map_err(|e| match e {
        TelemetryError::Bind { addr, source } => IngestError::MetricsBind { addr, source },
    })
}

/// Serves until `stop` is cancelled, then closes every open connection.
pub(crate) async fn serve(listener: TcpListener, metrics: Arc<Metrics>, stop: CancellationToken) {
    copydesk_telemetry::serve(listener, metrics, stop).await;
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

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
    async fn serves_metrics_and_stops_when_told() {
        let listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let metrics = Arc::new(Metrics::new());
        metrics.received(10);
        let stop = CancellationToken::new();
        let server = tokio::spawn(serve(listener, metrics, stop.clone()));

        let ok = request(addr, "GET /metrics").await;
        assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
        assert!(ok.contains("content-type: application/openmetrics-text"), "{ok}");
        assert!(ok.contains("\r\n\r\n# HELP copydesk_messages_consumed"), "{ok}");
        assert!(ok.contains("copydesk_messages_consumed_total 1\n"), "{ok}");
        assert!(request(addr, "GET /").await.starts_with("HTTP/1.1 404 "));
        let post = request(addr, "POST /metrics").await;
        assert!(post.starts_with("HTTP/1.1 405 ") && post.contains("allow: GET, HEAD"), "{post}");

        stop.cancel();
        server.await.unwrap();
        assert!(std::net::TcpStream::connect(addr).is_err(), "the socket is closed after stop");
    }

    #[tokio::test]
    async fn a_taken_port_is_a_bind_error() {
        let first = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = first.local_addr().unwrap();
        let Err(IngestError::MetricsBind { addr: reported, .. }) = bind(addr).await else {
            panic!("binding a taken port must fail")
        };
        assert_eq!(reported, addr);
    }
}
