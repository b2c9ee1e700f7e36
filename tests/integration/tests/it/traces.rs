//! One trace across the system: a page replayed with trace export on gives
//! spans, received here by an in-process OTLP collector, that chain by parent
//! ids from `copydesk replay` through ingest to serve's store, and a
//! GetArticle call whose server span continues the caller's `traceparent`
//! and links to the trace that produced the article.

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use copydesk_ingest::Delivery;
use copydesk_integration::{StorePath, Topics, binary, shared_broker, wait_until};
use copydesk_proto::v1::GetArticleRequest;
use copydesk_proto::v1::article_service_client::ArticleServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use tokio_util::sync::CancellationToken;

const WITHIN: Duration = Duration::from_secs(90);

/// A span as received, with the service that sent it.
#[derive(Debug, Clone)]
struct Received {
    service: String,
    span: Span,
}

impl Received {
    fn attr(&self, key: &str) -> Option<String> {
        let value = self.span.attributes.iter().find(|kv| kv.key == key)?.value.as_ref()?.value.as_ref()?;
        Some(match value {
            Value::StringValue(s) => s.clone(),
            Value::IntValue(i) => i.to_string(),
            Value::BoolValue(b) => b.to_string(),
            other => format!("{other:?}"),
        })
    }

    fn kind(&self) -> SpanKind {
        SpanKind::try_from(self.span.kind).unwrap_or(SpanKind::Unspecified)
    }
}

/// The in-process OTLP collector: every exported span, kept in order.
#[derive(Clone, Default)]
struct Collector {
    spans: Arc<Mutex<Vec<Received>>>,
}

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let mut spans = self.spans.lock().expect("collector lock");
        for resource_spans in request.into_inner().resource_spans {
            let service = resource_spans
                .resource
                .iter()
                .flat_map(|r| &r.attributes)
                .find(|kv| kv.key == "service.name")
                .and_then(|kv| kv.value.as_ref()?.value.as_ref())
                .map(|v| match v {
                    Value::StringValue(s) => s.clone(),
                    other => format!("{other:?}"),
                })
                .unwrap_or_default();
            for scope in resource_spans.scope_spans {
                for span in scope.spans {
                    spans.push(Received { service: service.clone(), span });
                }
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

impl Collector {
    /// Serves OTLP/gRPC on a free port until `stop`.
    async fn start(stop: CancellationToken) -> (Collector, SocketAddr) {
        let collector = Collector::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the collector");
        let addr = listener.local_addr().expect("collector address");
        let service = TraceServiceServer::new(collector.clone());
        tokio::spawn(tonic::transport::Server::builder().add_service(service).serve_with_incoming_shutdown(
            tonic::transport::server::TcpIncoming::from(listener),
            stop.cancelled_owned(),
        ));
        (collector, addr)
    }

    fn find(&self, matches: impl Fn(&Received) -> bool) -> Option<Received> {
        self.spans.lock().expect("collector lock").iter().find(|r| matches(r)).cloned()
    }

    async fn wait_for(&self, what: &str, matches: impl Fn(&Received) -> bool) -> Received {
        let found = wait_until(WITHIN, || std::future::ready(self.find(&matches).is_some())).await;
        assert!(found, "no {what} span; received: {:#?}", self.names());
        self.find(&matches).expect("found above")
    }

    fn names(&self) -> Vec<String> {
        let spans = self.spans.lock().expect("collector lock");
        spans.iter().map(|r| format!("{}: {}", r.service, r.span.name)).collect()
    }
}

/// A `copydesk` child process exporting to the collector; killed when dropped.
struct Proc(Child);

impl Proc {
    fn spawn(args: &[&str], otlp: SocketAddr) -> Proc {
        Proc(command(args, otlp).stdout(Stdio::null()).spawn().expect("copydesk starts"))
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn command(args: &[&str], otlp: SocketAddr) -> Command {
    let mut command = Command::new(binary());
    command
        .args(args)
        .env("COPYDESK_LOG", "warn")
        .env("OTEL_TRACES_EXPORTER", "otlp")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://{otlp}"))
        .env_remove("OTEL_SERVICE_NAME")
        .env_remove("OTEL_RESOURCE_ATTRIBUTES")
        .env_remove("OTEL_TRACES_SAMPLER");
    command
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address").port()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_trace_from_replay_to_lookup() {
    let stop = CancellationToken::new();
    let (collector, otlp) = Collector::start(stop.clone()).await;
    let broker = shared_broker().await;
    let bootstrap = broker.bootstrap();
    let topics = Topics::create(&bootstrap).await;
    let store = StorePath::new();
    let grpc = format!("127.0.0.1:{}", free_port());
    let store_path = store.path().to_str().expect("a UTF-8 temp path");
    let serve_args = [
        "serve",
        "--brokers",
        &bootstrap,
        "--articles-topic",
        &topics.articles,
        "--store-path",
        store_path,
        "--grpc-addr",
        &grpc,
        "--metrics-addr",
        "127.0.0.1:0",
        "--batch-ms",
        "20",
    ];
    let _serve = Proc::spawn(&serve_args, otlp);
    let ingest_args = topics.args(&bootstrap, Delivery::AtLeastOnce);
    let ingest_args: Vec<&str> = std::iter::once("ingest").chain(ingest_args.iter().map(String::as_str)).collect();
    let _ingest = Proc::spawn(&ingest_args, otlp);

    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/seed/bbc-zhongwen-world-69124999.snapshot");
    let replay = command(&["replay", "--brokers", &bootstrap, "--topic", &topics.input, seed], otlp).output();
    let replay = replay.expect("copydesk replay runs");
    assert!(replay.status.success(), "replay failed: {}", String::from_utf8_lossy(&replay.stderr));

    // replay → ingest: receive, process and send, each the child of the last.
    let sent = collector.wait_for("replay send", |r| r.service == "copydesk-replay").await;
    assert_eq!(sent.span.name, format!("send {}", topics.input));
    assert_eq!(sent.kind(), SpanKind::Producer);
    assert!(sent.span.parent_span_id.is_empty(), "each page starts a trace");
    assert_eq!(sent.attr("messaging.system").as_deref(), Some("kafka"));
    assert_eq!(sent.attr("messaging.operation.type").as_deref(), Some("send"));
    let trace = sent.span.trace_id.clone();
    let child_of = |parent: &Received, service: &'static str, name: String| {
        let (trace, parent_id) = (trace.clone(), parent.span.span_id.clone());
        move |r: &Received| {
            r.service == service
                && r.span.trace_id == trace
                && r.span.parent_span_id == parent_id
                && r.span.name == name
        }
    };
    let receive = collector
        .wait_for("ingest receive", child_of(&sent, "copydesk-ingest", format!("receive {}", topics.input)))
        .await;
    assert_eq!(receive.kind(), SpanKind::Client);
    assert_eq!(receive.attr("messaging.operation.type").as_deref(), Some("receive"));
    assert_eq!(receive.attr("messaging.consumer.group.name").as_deref(), Some(topics.group.as_str()));
    assert!(receive.attr("messaging.kafka.offset").is_some(), "{receive:?}");
    let process = collector
        .wait_for("ingest process", child_of(&receive, "copydesk-ingest", format!("process {}", topics.input)))
        .await;
    assert_eq!(process.kind(), SpanKind::Consumer);
    assert_eq!(process.attr("messaging.destination.name").as_deref(), Some(topics.input.as_str()));
    assert_eq!(process.attr("messaging.operation.type").as_deref(), Some("process"));
    let publish = collector
        .wait_for("ingest send", child_of(&process, "copydesk-ingest", format!("send {}", topics.articles)))
        .await;
    assert_eq!(publish.kind(), SpanKind::Producer);
    assert_eq!(publish.attr("messaging.operation.type").as_deref(), Some("send"));

    // ingest → serve: the article is stored in the trace that produced it.
    let stored = collector
        .wait_for("serve store", child_of(&publish, "copydesk-serve", format!("process {}", topics.articles)))
        .await;
    assert_eq!(stored.kind(), SpanKind::Consumer);
    let id = stored.attr("messaging.kafka.message.key").expect("the stored article's id");

    // A GetArticle call in a trace of the caller's: its server span
    // continues that trace and links to the article's.
    let caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let caller_span = "00f067aa0ba902b7";
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{grpc}")).expect("endpoint");
    let mut client = ArticleServiceClient::new(channel.connect().await.expect("connect to serve"));
    let mut request = tonic::Request::new(GetArticleRequest { id: id.clone(), ..Default::default() });
    let traceparent = format!("00-{caller_trace}-{caller_span}-01").parse().expect("ascii");
    request.metadata_mut().insert("traceparent", traceparent);
    let article = client.get_article(request).await.expect("the stored article").into_inner();
    assert_eq!(article.id, id);
    let get = collector
        .wait_for("GetArticle", |r| {
            r.service == "copydesk-serve" && r.span.name == "copydesk.v1.ArticleService/GetArticle"
        })
        .await;
    assert_eq!(get.kind(), SpanKind::Server);
    assert_eq!(hex(&get.span.trace_id), caller_trace, "the caller's trace is continued");
    assert_eq!(hex(&get.span.parent_span_id), caller_span);
    assert_eq!(get.attr("rpc.system").as_deref(), Some("grpc"));
    assert_eq!(get.attr("rpc.method").as_deref(), Some("GetArticle"));
    assert!(
        get.span.links.iter().any(|l| l.trace_id == trace && l.span_id == publish.span.span_id),
        "GetArticle links to the article's trace: {:?}",
        get.span.links
    );
    stop.cancel();
}
