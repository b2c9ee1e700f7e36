//! The no-op baseline of the lookup benchmark: a tonic server with the same
//! settings as `copydesk serve` (keepalive, a server span per call, stream
//! and time limits, reflection) whose one unary method,
//! `grpc.health.v1.Health/Check`, answers a fixed two-byte message without
//! looking anything up. What it reaches is what tonic and the load generator
//! allow on this machine; GetArticle is measured against it.

use std::net::SocketAddr;
use std::time::Duration;

use futures::stream::BoxStream;
use tokio_util::sync::CancellationToken;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_server::{Health, HealthServer};
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};

/// serve's defaults (`copydesk serve --help`): the same server, minus the work.
const KEEPALIVE: Duration = Duration::from_secs(30);
const MAX_CONCURRENT_STREAMS: u32 = 128;
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

struct Fixed;

#[tonic::async_trait]
impl Health for Fixed {
    async fn check(&self, _: Request<HealthCheckRequest>) -> Result<Response<HealthCheckResponse>, Status> {
        Ok(Response::new(HealthCheckResponse { status: ServingStatus::Serving as i32 }))
    }

    type WatchStream = BoxStream<'static, Result<HealthCheckResponse, Status>>;

    async fn watch(&self, _: Request<HealthCheckRequest>) -> Result<Response<Self::WatchStream>, Status> {
        Err(Status::unimplemented("the no-op server answers Check only"))
    }
}

/// Starts the no-op server on a free loopback port, on its own runtime of
/// two worker threads (as `copydesk serve` has on two cores), so the
/// benchmark's own tasks never share its threads; stops when `stop` is
/// cancelled.
pub(crate) fn spawn(stop: CancellationToken) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    listener.set_nonblocking(true).expect("non-blocking");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("the no-op server's runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
            let reflection = || {
                tonic_reflection::server::Builder::configure()
                    .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            };
            // Both versions, as serve has: ghz 0.93 asks v1alpha.
            let reflection_v1 = reflection().build_v1().expect("reflection v1");
            let reflection_v1alpha = reflection().build_v1alpha().expect("reflection v1alpha");
            Server::builder()
                .http2_keepalive_interval(Some(KEEPALIVE))
                .trace_fn(copydesk_telemetry::grpc_server_span)
                .max_concurrent_streams(MAX_CONCURRENT_STREAMS)
                .timeout(CALL_TIMEOUT)
                .add_service(HealthServer::new(Fixed))
                .add_service(reflection_v1)
                .add_service(reflection_v1alpha)
                .serve_with_incoming_shutdown(
                    TcpIncoming::from(listener).with_nodelay(Some(true)),
                    stop.cancelled_owned(),
                )
                .await
                .expect("the no-op server runs");
        });
    });
    addr
}
