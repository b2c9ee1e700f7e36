//! The one error type of the crate: every way a gold set or an output file can fail to load.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// Why a gold set or an output file could not be scored.
///
/// Shapes on which score.py would raise (a number where a title belongs, say) are errors
/// here too, rather than a figure that the reference script would never have printed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EvalError {
    /// A file or folder could not be read (missing, unreadable, not UTF-8).
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A file, or one line of a JSONL file, is not valid JSON; `line` is 1-based.
    #[error("{}:{line}: malformed JSON: {source}", path.display())]
    Json {
        path: PathBuf,
        line: usize,
        #[source]
        source: serde_json::Error,
    },
    /// A JSONL line parsed, but a field has a type that score.py cannot use.
    #[error("{}:{line}: {message}", path.display())]
    Record { path: PathBuf, line: usize, message: String },
    /// A gold file parsed, but lacks a field or has one of a type that score.py cannot use.
    #[error("{}: {message}", path.display())]
    Gold { path: PathBuf, message: String },
    /// The set name is not one that score.py knows.
    #[error("unknown set {0:?}; expected one of aeb, chinese, daniel, mediacloud, trafilatura, wcxb")]
    UnknownSet(String),
}

impl EvalError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }

    pub(crate) fn gold(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::Gold { path: path.into(), message: message.into() }
    }
}
