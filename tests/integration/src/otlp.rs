//! A live OTLP/gRPC trace receiver in this process that only counts what it
//! receives: the other end of trace export for the ingest benchmark, so an
//! "export on" run pays for real batching, encoding and sending, with nothing
//! kept (a long run would otherwise hold every span in memory).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use tokio_util::sync::CancellationToken;

#[derive(Clone, Default)]
struct Counter {
    spans: Arc<AtomicU64>,
    requests: Arc<AtomicU64>,
}

#[tonic::async_trait]
impl TraceService for Counter {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let spans: usize =
            request.into_inner().resource_spans.iter().flat_map(|r| &r.scope_spans).map(|s| s.spans.len()).sum();
        self.spans.fetch_add(spans as u64, Ordering::Relaxed);
        self.requests.fetch_add(1, Ordering::Relaxed);
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

/// The receiver, serving until dropped.
pub struct OtlpSink {
    counter: Counter,
    addr: SocketAddr,
    stop: CancellationToken,
}

impl OtlpSink {
    /// Serves OTLP/gRPC on a free loopback port.
    pub async fn start() -> OtlpSink {
        let counter = Counter::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the OTLP receiver");
        let addr = listener.local_addr().expect("OTLP receiver address");
        let stop = CancellationToken::new();
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(TraceServiceServer::new(counter.clone()))
                .serve_with_incoming_shutdown(
                    tonic::transport::server::TcpIncoming::from(listener),
                    stop.clone().cancelled_owned(),
                ),
        );
        OtlpSink { counter, addr, stop }
    }

    /// `OTEL_EXPORTER_OTLP_ENDPOINT` for an exporter sending here.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Spans and export requests received so far.
    pub fn received(&self) -> (u64, u64) {
        (self.counter.spans.load(Ordering::Relaxed), self.counter.requests.load(Ordering::Relaxed))
    }
}

impl Drop for OtlpSink {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
