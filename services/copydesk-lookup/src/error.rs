//! The lookup library's error type, and the one place it becomes a gRPC status.

use std::net::SocketAddr;
use std::path::PathBuf;

use rdkafka::error::KafkaError;
use tonic::{Code, Status};
use tracing::error;

/// Everything that can go wrong in the lookup service: what stops it (bad
/// configuration, the store, Kafka clients, the server) and what a request
/// is refused for.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    #[error("invalid configuration:\n  {}", .0.join("\n  "))]
    Config(Vec<String>),
    #[error("cannot open the store {path}: {source}")]
    StoreOpen { path: PathBuf, source: redb::Error },
    #[error("the store {path} holds topic {stored}, not {configured}; give each topic its own store")]
    OtherTopic { path: PathBuf, stored: String, configured: String },
    #[error("store: {0}")]
    Store(#[from] redb::Error),
    #[error("stored article {id} does not decode: {source}")]
    Corrupt { id: String, source: prost::DecodeError },
    #[error("stored article {id} does not decompress: {reason}")]
    CorruptRecord { id: String, reason: String },
    #[error("cannot create the Kafka {role}: {source}")]
    Client { role: &'static str, source: KafkaError },
    #[error("cannot read {topic} from Kafka: {source}")]
    Kafka { topic: String, source: KafkaError },
    #[error("cannot listen for gRPC on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Metrics(#[from] copydesk_telemetry::TelemetryError),
    #[error("cannot build the reflection service: {0}")]
    Reflection(String),
    #[error("the gRPC server failed (or its TLS settings): {0}")]
    Serve(#[from] tonic::transport::Error),
    #[error("cannot start the store read threads: {0}")]
    ReadThreads(std::io::Error),
    #[error("the {task} task panicked: {reason}")]
    Panicked { task: &'static str, reason: String },
    #[error("the {task} task did not stop within the shutdown grace")]
    ShutdownTimeout { task: &'static str },

    // What requests are refused for.
    #[error("{0}")]
    InvalidArgument(String),
    #[error("{0}")]
    NotFound(String),
    #[error("the store is still catching up with the articles topic; retry shortly")]
    NotReady,
    #[error("this watcher fell {0} articles behind and was dropped; watch again")]
    WatcherLagged(u64),
    #[error("the service is shutting down")]
    ShuttingDown,
    /// A watch resume token the articles topic can no longer replay from.
    #[error("resume_token: {0}; watch again without it (and re-read the state, e.g. with include_existing)")]
    ResumeExpired(String),
    /// Load shed: the named limit is in use by other calls.
    #[error("the server is at its limit of {0}; retry with backoff")]
    Overloaded(&'static str),
    #[error("the response would hold {bytes} bytes of articles, over the limit of {limit}; ask for fewer")]
    TooLarge { bytes: usize, limit: usize },
}

impl From<redb::DatabaseError> for LookupError {
    fn from(e: redb::DatabaseError) -> Self {
        LookupError::Store(e.into())
    }
}

impl From<redb::TransactionError> for LookupError {
    fn from(e: redb::TransactionError) -> Self {
        LookupError::Store(e.into())
    }
}

impl From<redb::TableError> for LookupError {
    fn from(e: redb::TableError) -> Self {
        LookupError::Store(e.into())
    }
}

impl From<redb::StorageError> for LookupError {
    fn from(e: redb::StorageError) -> Self {
        LookupError::Store(e.into())
    }
}

impl From<redb::CommitError> for LookupError {
    fn from(e: redb::CommitError) -> Self {
        LookupError::Store(e.into())
    }
}

/// The only mapping to gRPC statuses. Request errors carry their message to
/// the client; anything internal is logged here in full and the client gets
/// a generic message, so store paths and Kafka details never leave the server.
impl From<LookupError> for Status {
    fn from(e: LookupError) -> Status {
        let code = match &e {
            LookupError::InvalidArgument(_) => Code::InvalidArgument,
            LookupError::NotFound(_) => Code::NotFound,
            LookupError::NotReady | LookupError::ShuttingDown => Code::Unavailable,
            LookupError::Overloaded(_) | LookupError::TooLarge { .. } => Code::ResourceExhausted,
            // The client can resume by watching again; nothing was lost on the server.
            LookupError::WatcherLagged(_) => Code::Aborted,
            // Retrying with the same token cannot help: the client must start over.
            LookupError::ResumeExpired(_) => Code::FailedPrecondition,
            _ => {
                error!(message = "Request failed.", error = %e);
                return Status::internal("internal error; see the server log");
            }
        };
        Status::new(code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_errors_keep_their_message_and_internal_ones_do_not() {
        let s = Status::from(LookupError::InvalidArgument("id: empty".into()));
        assert_eq!((s.code(), s.message()), (Code::InvalidArgument, "id: empty"));
        assert_eq!(Status::from(LookupError::NotFound("no article x".into())).code(), Code::NotFound);
        assert_eq!(Status::from(LookupError::NotReady).code(), Code::Unavailable);
        let internal = Status::from(LookupError::OtherTopic {
            path: "/secret/store.redb".into(),
            stored: "a".into(),
            configured: "b".into(),
        });
        assert_eq!(internal.code(), Code::Internal);
        assert!(!internal.message().contains("secret"));
    }
}
