//! The one error type of the extraction library.

use std::time::Duration;

/// Why a document could not become an article. Every variant is a property of
/// the input (or of the limits), so the pipeline dead-letters it rather than retrying.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    #[error("input is empty")]
    Empty,
    #[error("input is {bytes} bytes, over the limit of {limit}")]
    TooLarge { bytes: usize, limit: usize },
    #[error("gzip stream is corrupt or truncated: {0}")]
    Gzip(String),
    #[error("input is binary data, not HTML")]
    NotHtml,
    #[error("malformed crawler envelope: {0}")]
    Envelope(&'static str),
    #[error("malformed protobuf snapshot: {0}")]
    Snapshot(String),
    #[error("document has {nodes} nodes, over the limit of {limit}")]
    TooManyNodes { nodes: usize, limit: usize },
    #[error("document nests {depth} containers deep, over the limit of {limit}")]
    TooDeep { depth: usize, limit: usize },
    #[error("extraction took longer than its budget of {budget:?}")]
    Timeout { budget: Duration },
    #[error("no article text found")]
    NoContent,
}

impl ExtractError {
    /// A short stable name, for metrics labels and dead-letter headers.
    pub fn kind(&self) -> &'static str {
        match self {
            ExtractError::Empty => "empty",
            ExtractError::TooLarge { .. } => "too_large",
            ExtractError::Gzip(_) => "gzip",
            ExtractError::NotHtml => "not_html",
            ExtractError::Envelope(_) => "envelope",
            ExtractError::Snapshot(_) => "snapshot",
            ExtractError::TooManyNodes { .. } => "too_many_nodes",
            ExtractError::TooDeep { .. } => "too_deep",
            ExtractError::Timeout { .. } => "timeout",
            ExtractError::NoContent => "no_content",
        }
    }
}
