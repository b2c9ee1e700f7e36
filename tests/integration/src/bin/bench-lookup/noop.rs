//! The no-op baselines of the lookup benchmark: a tonic server with the same
//! settings as `copydesk serve` (keepalive, a server span per call, stream
//! and time limits, reflection) and two unary methods that look nothing up:
//! - `grpc.health.v1.Health/Check` answers a fixed two-byte message: what
//!   tonic and the load generator allow on this machine at the least;
//! - `copydesk.v1.ArticleService/GetArticle` answers the protobuf bytes of
//!   the generated article asked for, encoded beforehand and kept in a map:
//!   the load generator decodes the same articles as from serve, so the
//!   comparison with serve's GetArticle is of the server's work alone.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use copydesk_lookup::encoded::{Encoded, EncodedCodec};
use copydesk_proto::v1::GetArticleRequest;
use futures::stream::BoxStream;
use tokio_util::sync::CancellationToken;
use tonic::codegen::{Body, BoxFuture, Service, StdError, http};
use tonic::server::{Grpc, NamedService, UnaryService};
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

/// GetArticle from a map of encoded articles by id; every other method of
/// ArticleService is unimplemented.
#[derive(Clone)]
struct Articles(Arc<HashMap<String, Encoded>>);

impl NamedService for Articles {
    const NAME: &'static str = "copydesk.v1.ArticleService";
}

impl<B> Service<http::Request<B>> for Articles
where
    B: Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Infallible>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if request.uri().path() != "/copydesk.v1.ArticleService/GetArticle" {
            let status = Status::unimplemented("the no-op server answers GetArticle only");
            return Box::pin(async move { Ok(status.into_http()) });
        }
        let articles = self.clone();
        Box::pin(async move { Ok(Grpc::new(EncodedCodec::default()).unary(articles, request).await) })
    }
}

impl UnaryService<GetArticleRequest> for Articles {
    type Response = Encoded;
    type Future = std::future::Ready<Result<Response<Encoded>, Status>>;

    fn call(&mut self, request: Request<GetArticleRequest>) -> Self::Future {
        let id = &request.get_ref().id;
        std::future::ready(match self.0.get(id) {
            Some(article) => Ok(Response::new(article.clone())),
            None => Err(Status::not_found(format!("the no-op server holds no article {id}"))),
        })
    }
}

/// Starts the no-op server on a free loopback port, on its own runtime of
/// two worker threads (as `copydesk serve` has on two cores), so the
/// benchmark's own tasks never share its threads; stops when `stop` is
/// cancelled. GetArticle answers the `articles` given, encoded, by id.
pub(crate) fn spawn(stop: CancellationToken, articles: HashMap<String, Vec<u8>>) -> SocketAddr {
    let articles = Articles(Arc::new(articles.into_iter().map(|(id, bytes)| (id, Encoded::from(bytes))).collect()));
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
                    .register_encoded_file_descriptor_set(copydesk_proto::FILE_DESCRIPTOR_SET)
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
                .add_service(articles)
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
