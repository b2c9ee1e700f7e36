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
    use copydesk_telemetry::Exposition;

    use super::*;

    // Serving over HTTP (routes, methods, stopping) is tested once, in
    // `copydesk-telemetry`, and end to end by the metrics integration test.
    #[test]
    fn the_exposition_holds_this_roles_instruments() {
        let metrics = Metrics::new();
        metrics.received(10);
        let mut out = String::new();
        metrics.write_to(&mut out).unwrap();
        assert!(out.starts_with("# HELP copydesk_messages_consumed"), "{out}");
        assert!(out.contains("copydesk_messages_consumed_total 1\n"), "{out}");
        assert!(out.ends_with("# EOF\n"), "{out}");
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
