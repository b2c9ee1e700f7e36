//! Why a record of the articles topic is not an article: the reasons the
//! materialiser (and a watch replay) skips a record, as metric labels and log text.

/// Why a record of the articles topic is not an article; `label` is the
/// metric's `reason`, `Display` the log's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skip {
    NoKey,
    KeyNotUtf8,
    EmptyKey,
    EmptyValue,
    WrongContentType,
    Undecodable,
    KeyIdMismatch,
}

impl Skip {
    /// In discriminant order: the metrics index their counters by it.
    pub(crate) const ALL: [Skip; 7] = [
        Skip::NoKey,
        Skip::KeyNotUtf8,
        Skip::EmptyKey,
        Skip::EmptyValue,
        Skip::WrongContentType,
        Skip::Undecodable,
        Skip::KeyIdMismatch,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            Skip::NoKey => "no_key",
            Skip::KeyNotUtf8 => "key_not_utf8",
            Skip::EmptyKey => "empty_key",
            Skip::EmptyValue => "empty_value",
            Skip::WrongContentType => "content_type",
            Skip::Undecodable => "undecodable",
            Skip::KeyIdMismatch => "key_id_mismatch",
        }
    }
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Skip::NoKey => "no key",
            Skip::KeyNotUtf8 => "key is not UTF-8",
            Skip::EmptyKey => "empty key",
            // Not a tombstone (that is a null value), and no article either.
            Skip::EmptyValue => "empty value",
            Skip::WrongContentType => "content-type is not copydesk.v1.Article",
            Skip::Undecodable => "value is not a protobuf copydesk.v1.Article",
            Skip::KeyIdMismatch => "key and article id differ",
        })
    }
}
