//! The ingest library's error type.

use rdkafka::error::KafkaError;

/// What stops the ingest pipeline. Bad input never does: it is dead-lettered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    #[error("invalid configuration:\n  {}", .0.join("\n  "))]
    Config(Vec<String>),
    #[error("cannot create the Kafka {role}: {source}")]
    Client { role: &'static str, source: KafkaError },
    #[error("cannot create topic {topic}: {reason}")]
    CreateTopic { topic: String, reason: String },
    #[error("the topics do not match the settings:\n  {}", .0.join("\n  "))]
    Topics(Vec<String>),
    #[error("cannot subscribe to {topic}: {source}")]
    Subscribe { topic: String, source: KafkaError },
    #[error("delivery failed for good (no retry can mend it): {0}")]
    Delivery(KafkaError),
    /// The transactional producer is fenced or in a fatal state (for one,
    /// the broker aborted a transaction that outlived `transaction.timeout.ms`
    /// while the cluster was down). Only a new producer can go on.
    #[error("the transactional producer cannot go on ({0}); exiting so that a restart brings fresh Kafka clients")]
    Transaction(KafkaError),
    #[error("a transaction call never returned ({0}); exiting so that a restart brings fresh Kafka clients")]
    Stalled(String),
    #[error("cannot commit offsets: {0}")]
    Commit(KafkaError),
    #[error("the extraction pool could not start: {0}")]
    Pool(String),
    #[error("cannot serve metrics on {addr}: {source}")]
    MetricsBind { addr: std::net::SocketAddr, source: std::io::Error },
    #[error("the {task} task panicked: {reason}")]
    Panicked { task: &'static str, reason: String },
}
