//! Drives the lookup service against the test broker: `copydesk serve` in
//! this process on a store file of the test's own, gRPC clients for it, and
//! articles and tombstones written straight to an articles topic.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use copydesk_lookup::{App, LookupConfig, LookupError, Metrics};
use copydesk_proto::v1::Article;
use copydesk_proto::v1::article_service_client::ArticleServiceClient;
use prost::Message;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use crate::kafka::{produce, producer_config, unique, wait_until};

/// What ingest declares on article records (`copydesk_ingest::record`).
const ARTICLE_CONTENT_TYPE: &[u8] = b"application/x-protobuf; messageType=copydesk.v1.Article";

/// A store file path in the temp folder, unique to the test; the file is
/// removed when this is dropped, so a restarted service can share it meanwhile.
pub struct StorePath {
    path: PathBuf,
}

impl StorePath {
    pub fn new() -> StorePath {
        StorePath { path: std::env::temp_dir().join(format!("{}.redb", unique("copydesk-lookup"))) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Default for StorePath {
    fn default() -> Self {
        StorePath::new()
    }
}

impl Drop for StorePath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The `copydesk serve` configuration for `topic` and `store`, gRPC and
/// metrics each on a free port.
pub fn lookup_config(bootstrap: &str, topic: &str, store: &Path) -> LookupConfig {
    let args = [
        "--brokers",
        bootstrap,
        "--articles-topic",
        topic,
        "--store-path",
        store.to_str().expect("a UTF-8 temp path"),
        "--grpc-addr",
        "127.0.0.1:0",
        "--metrics-addr",
        "127.0.0.1:0",
        "--batch-ms",
        "20",
        "--shutdown-grace-secs",
        "20",
    ];
    copydesk_settings::parse_args("serve", args).expect("valid serve flags")
}

/// A lookup service running in this process.
pub struct LookupApp {
    pub addr: std::net::SocketAddr,
    /// Where `/metrics` is served.
    pub metrics_addr: std::net::SocketAddr,
    pub metrics: Arc<Metrics>,
    shutdown: CancellationToken,
    handle: JoinHandle<Result<(), LookupError>>,
}

pub async fn spawn_lookup(bootstrap: &str, topic: &str, store: &Path) -> LookupApp {
    spawn_lookup_with(lookup_config(bootstrap, topic, store)).await
}

/// [`spawn_lookup`] with a configuration of the test's own, from [`lookup_config`].
pub async fn spawn_lookup_with(config: LookupConfig) -> LookupApp {
    let app = App::build(config).await.expect("lookup app builds");
    let (addr, metrics) = (app.local_addr(), app.metrics());
    let metrics_addr = app.metrics_addr().expect("the harness turns metrics on");
    let shutdown = CancellationToken::new();
    let handle = tokio::spawn(app.run(shutdown.clone()));
    LookupApp { addr, metrics_addr, metrics, shutdown, handle }
}

impl LookupApp {
    /// A new HTTP/2 connection to the service.
    pub async fn channel(&self) -> Channel {
        Endpoint::from_shared(format!("http://{}", self.addr))
            .expect("endpoint")
            .connect()
            .await
            .expect("connect to the lookup service")
    }

    pub async fn client(&self) -> ArticleServiceClient<Channel> {
        ArticleServiceClient::new(self.channel().await).max_decoding_message_size(64 << 20)
    }

    /// The overall status grpc.health.v1 reports ("" names the whole server).
    pub async fn health(&self, service: &str) -> ServingStatus {
        let mut client = HealthClient::new(self.channel().await);
        let response = client.check(HealthCheckRequest { service: service.to_string() }).await.expect("health check");
        response.into_inner().status()
    }

    /// Waits until the health service says SERVING for the whole server.
    pub async fn wait_serving(&self, timeout: Duration) -> bool {
        let client = HealthClient::new(self.channel().await);
        wait_until(timeout, || {
            let mut client = client.clone();
            async move {
                client
                    .check(HealthCheckRequest { service: String::new() })
                    .await
                    .is_ok_and(|r| r.into_inner().status() == ServingStatus::Serving)
            }
        })
        .await
    }

    /// `copydesk lookup --server` against this service, as an operator runs it.
    pub async fn lookup_command(&self, args: &[&str]) -> std::process::Output {
        let mut command = std::process::Command::new(crate::copydesk::binary());
        command.arg("lookup").arg("--server").arg(format!("http://{}", self.addr)).args(args);
        tokio::task::spawn_blocking(move || command.output().expect("copydesk lookup runs"))
            .await
            .expect("the command's thread")
    }

    pub fn is_running(&self) -> bool {
        !self.handle.is_finished()
    }

    /// Graceful shutdown, as on SIGTERM; the store file is closed on return.
    pub async fn stop(self) -> Result<(), LookupError> {
        self.shutdown.cancel();
        self.handle.await.expect("lookup task did not panic")
    }
}

/// Publishes `article` as ingest does: keyed by id, declared as an Article.
pub async fn publish_article(bootstrap: &str, topic: &str, article: &Article) -> (i32, i64) {
    produce(
        bootstrap,
        topic,
        Some(article.id.as_bytes()),
        &article.encode_to_vec(),
        &[("content-type", ARTICLE_CONTENT_TYPE)],
    )
    .await
}

/// [`publish_article`] to one chosen partition, which the producer must already
/// know of (it reads the topic's metadata when created).
pub async fn publish_article_to(bootstrap: &str, topic: &str, partition: i32, article: &Article) -> (i32, i64) {
    let producer: FutureProducer = producer_config(bootstrap).create().expect("create a producer");
    let headers = OwnedHeaders::new().insert(Header { key: "content-type", value: Some(ARTICLE_CONTENT_TYPE) });
    let value = article.encode_to_vec();
    let record =
        FutureRecord::<str, [u8]>::to(topic).partition(partition).key(&article.id).payload(&value).headers(headers);
    let delivery = producer
        .send(record, Duration::from_secs(30))
        .await
        .map_err(|(e, _)| e)
        .unwrap_or_else(|e| panic!("article {} to {topic} partition {partition}: {e}", article.id));
    (delivery.partition, delivery.offset)
}

/// A tombstone (null value) for the article `id`.
pub async fn publish_tombstone(bootstrap: &str, topic: &str, id: &str) -> (i32, i64) {
    let producer: FutureProducer = producer_config(bootstrap).create().expect("create a producer");
    let record = FutureRecord::<str, [u8]>::to(topic).key(id);
    let delivery =
        producer.send(record, Duration::from_secs(30)).await.map_err(|(e, _)| e).expect("tombstone delivered");
    (delivery.partition, delivery.offset)
}

/// A small article for tests that write the articles topic themselves.
pub fn test_article(id: &str, site: &str) -> Article {
    Article {
        id: id.to_string(),
        url: format!("https://{site}/news/{id}?ref=feed"),
        canonical_url: format!("https://{site}/news/{id}"),
        site: site.to_string(),
        title: format!("Article {id}"),
        text: format!("The text of article {id}."),
        word_count: 5,
        ..Default::default()
    }
}

/// `copydesk serve` as its own process, so that its memory can be measured
/// apart from the test's clients. Killed when dropped.
pub struct LookupProcess {
    child: std::process::Child,
    pub addr: std::net::SocketAddr,
    /// Where its `/metrics` endpoint listens.
    pub metrics_addr: std::net::SocketAddr,
}

impl LookupProcess {
    /// Starts the binary on `topic` and `store`, gRPC and metrics on free
    /// ports, with `extra` flags appended.
    pub fn spawn(bootstrap: &str, topic: &str, store: &Path, extra: &[&str]) -> LookupProcess {
        // Ports the kernel just handed out and released: free unless another
        // process takes one in between, which would fail the start loudly.
        let free = || std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port");
        let (addr, metrics_addr) = (free(), free());
        let child = std::process::Command::new(crate::copydesk::binary())
            .arg("serve")
            .args(["--brokers", bootstrap, "--articles-topic", topic])
            .args(["--metrics-addr", &metrics_addr.to_string()])
            .arg("--store-path")
            .arg(store)
            .args(["--grpc-addr", &addr.to_string(), "--batch-ms", "20"])
            .args(extra)
            .env("COPYDESK_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .spawn()
            .expect("copydesk serve starts");
        LookupProcess { child, addr, metrics_addr }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// An HTTP/2 channel that connects on first use (the process may not
    /// listen yet: calls fail with UNAVAILABLE until it does).
    pub fn channel(&self) -> Channel {
        Endpoint::from_shared(format!("http://{}", self.addr)).expect("endpoint").connect_lazy()
    }

    /// Waits until health says SERVING for the whole server.
    pub async fn wait_serving(&self, timeout: Duration) -> bool {
        let client = HealthClient::new(self.channel());
        wait_until(timeout, || {
            let mut client = client.clone();
            async move {
                client
                    .check(HealthCheckRequest { service: String::new() })
                    .await
                    .is_ok_and(|r| r.into_inner().status() == ServingStatus::Serving)
            }
        })
        .await
    }

    /// A line of `/proc/PID/status` in bytes, e.g. `VmRSS` (now) or `VmHWM` (the peak).
    pub fn memory(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).expect("/proc status");
        let line = status.lines().find(|l| l.starts_with(&format!("{field}:"))).expect("the field");
        let kib: u64 = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("a number of kB");
        kib * 1024
    }
}

impl Drop for LookupProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Deletes `topic` and waits until the broker no longer knows it, so that
/// a topic of the same name can be created again at once.
pub async fn delete_topic(bootstrap: &str, topic: &str) {
    use rdkafka::admin::{AdminClient, AdminOptions};
    use rdkafka::client::DefaultClientContext;
    let admin: AdminClient<DefaultClientContext> =
        crate::kafka::client_config(bootstrap).create().expect("create a Kafka admin client");
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    let results = admin.delete_topics(&[topic], &options).await.unwrap_or_else(|e| panic!("delete topic {topic}: {e}"));
    for result in results {
        if let Err((topic, code)) = result {
            panic!("delete topic {topic}: {code}");
        }
    }
    let gone = wait_until(Duration::from_secs(30), || async {
        crate::kafka::topic_partitions(bootstrap, topic).await.map_or(true, |p| p.is_empty())
    })
    .await;
    assert!(gone, "topic {topic} was deleted but metadata still shows it after 30 s");
}

/// Deletes the records of `topic`'s `partition` before `offset`, as
/// retention does: the partition then starts at `offset`.
pub async fn delete_records_before(bootstrap: &str, topic: &str, partition: i32, offset: i64) {
    use rdkafka::admin::{AdminClient, AdminOptions};
    use rdkafka::client::DefaultClientContext;
    use rdkafka::{Offset, TopicPartitionList};
    let admin: AdminClient<DefaultClientContext> =
        crate::kafka::client_config(bootstrap).create().expect("create a Kafka admin client");
    let mut before = TopicPartitionList::new();
    before.add_partition_offset(topic, partition, Offset::Offset(offset)).expect("a partition offset");
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    let deleted = admin.delete_records(&before, &options).await.unwrap_or_else(|e| panic!("delete records: {e}"));
    for entry in deleted.elements() {
        if let Err(e) = entry.error() {
            panic!("delete records of {topic}/{}: {e}", entry.partition());
        }
    }
}

/// A `copydesk` client command (`list`, `watch`, `lookup`, `revisions`)
/// against this service over plain HTTP/2, with `args` after `--server`, run
/// to its end.
pub async fn client_command(command: &str, addr: std::net::SocketAddr, args: &[&str]) -> std::process::Output {
    client_command_at(command, &format!("http://{addr}"), args).await
}

/// [`client_command`] against the service at `server` (a URL: `https://`
/// for TLS, with `--ca-cert` and the like among `args`).
pub async fn client_command_at(command: &str, server: &str, args: &[&str]) -> std::process::Output {
    let mut child = std::process::Command::new(crate::copydesk::binary());
    child.arg(command).arg("--server").arg(server).args(args);
    tokio::task::spawn_blocking(move || child.output().expect("the copydesk command runs"))
        .await
        .expect("the command's thread")
}
