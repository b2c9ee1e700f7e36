//! Test harness: a real Apache Kafka broker in a container, and helpers to drive copydesk against it.
//!
//! ```no_run
//! # async fn example() {
//! use std::time::Duration;
//! use copydesk_integration::{consume_all, create_topic, produce, shared_broker, unique};
//!
//! let broker = shared_broker().await; // one container per test process
//! let topic = unique("articles");
//! create_topic(&broker.bootstrap(), &topic, 3, &[("cleanup.policy", "compact")]).await;
//! produce(&broker.bootstrap(), &topic, Some("id-1".as_bytes()), b"payload", &[]).await;
//! let records = consume_all(&broker.bootstrap(), &topic, true, 1, Duration::from_secs(10)).await;
//! assert_eq!(records.len(), 1);
//! # }
//! ```
//!
//! Tests that stop or restart the broker start their own [`KafkaBroker`].
//! The broker image is `copydesk/kafka:latest` (`make docker broker-image`), or
//! whatever `COPYDESK_KAFKA_IMAGE` names, e.g. `apache/kafka:4.1.1`.

mod broker;
mod cluster;
mod copydesk;
pub mod cpu;
mod docker;
mod kafka;
mod lookup;
mod otlp;
mod supervised;

pub use broker::{BrokerError, DEFAULT_IMAGE, IMAGE_ENV, KafkaBroker, STARTUP_TIMEOUT_ENV, shared_broker};
pub use cluster::{KafkaCluster, NODES};
pub use copydesk::{
    IngestProcess, MAX_MESSAGE_BYTES, OutputRecord, OutputWatcher, TestApp, Topics, assert_accounted, assert_each_once,
    binary, config, corpus_inputs, publish, spawn_app, spawn_app_args, spawn_app_with,
};
pub use kafka::{
    CLIENT_MAX_MESSAGE_BYTES, add_partitions, advertised_broker, client_config, consume_all, consumer_config,
    create_topic, payloads, produce, producer_config, send, topic_partitions, transactional_producer, unique,
    wait_until,
};
pub use lookup::{
    LookupApp, LookupProcess, StorePath, client_command, client_command_at, delete_records_before, delete_topic,
    lookup_config, publish_article, publish_article_to, publish_tombstone, spawn_lookup, spawn_lookup_with,
    test_article,
};
pub use otlp::OtlpSink;
pub use supervised::Supervised;
