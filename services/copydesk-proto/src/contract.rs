//! The topics' contracts, in one place for every role and tool: what a record
//! on the articles topic and on the dead-letter topic carries.
//!
//! - Articles topic (compacted): key = the article's `id` (UTF-8), value = the
//!   encoded `Article`, a null value (tombstone) = deleted; headers
//!   [`header::CONTENT_TYPE`] = [`ARTICLE_CONTENT_TYPE`], [`header::SCHEMA`],
//!   [`header::TRACEPARENT`] and [`header::SOURCE`].
//! - Dead-letter topic: the input's own key, payload and headers, plus the
//!   `copydesk.errors.*` headers; the reason is one of [`Reason`].
//! - Input topic: crawler envelopes, `Snapshot`s ([`SNAPSHOT_CONTENT_TYPE`]) or
//!   plain HTML with its URL and capture time in headers.

/// Header names. Dead-letter headers follow Kafka Connect's
/// `__connect.errors.*` scheme under our own prefix.
pub mod header {
    pub const CONTENT_TYPE: &str = "content-type";
    pub const SCHEMA: &str = "copydesk-schema";
    pub const TRACEPARENT: &str = "traceparent";
    /// `topic/partition/offset` of the input a record came from, on articles
    /// and dead letters alike: every input can be accounted for downstream.
    pub const SOURCE: &str = "copydesk-source";
    pub const ERROR_REASON: &str = "copydesk.errors.reason";
    pub const ERROR_STAGE: &str = "copydesk.errors.stage";
    pub const ERROR_MESSAGE: &str = "copydesk.errors.message";
    pub const ERROR_TOPIC: &str = "copydesk.errors.topic";
    pub const ERROR_PARTITION: &str = "copydesk.errors.partition";
    pub const ERROR_OFFSET: &str = "copydesk.errors.offset";
    pub const ERROR_TIMESTAMP: &str = "copydesk.errors.timestamp";
    pub const ERROR_VERSION: &str = "copydesk.errors.extractor.version";
}

pub const ARTICLE_CONTENT_TYPE: &str = "application/x-protobuf; messageType=copydesk.v1.Article";
pub const ARTICLE_SCHEMA: &str = "copydesk.v1.Article";
pub const SNAPSHOT_CONTENT_TYPE: &str = "application/x-protobuf; messageType=copydesk.v1.Snapshot";

/// Whether a `content-type` header value declares an `Article`.
pub fn is_article_content_type(value: &str) -> bool {
    value.contains(ARTICLE_SCHEMA)
}

/// Where in the pipeline an input failed (`copydesk.errors.stage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    Extract,
    Produce,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Extract => "extract",
            Stage::Produce => "produce",
        }
    }
}

/// Why an input became a dead letter (`copydesk.errors.reason`): a closed
/// set, so headers, metrics and alerts always agree on the names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    Empty,
    TooLarge,
    Gzip,
    NotHtml,
    Envelope,
    Snapshot,
    TooManyNodes,
    TooDeep,
    Timeout,
    NoContent,
    Panic,
    /// The output topic refused the article as too large.
    ProduceTooLarge,
    /// A newer capture of the same article was already published.
    Superseded,
    /// An extraction failure this version does not name.
    Other,
}

impl Reason {
    /// Every reason, in a fixed order (metrics create a series for each).
    pub const ALL: [Reason; 14] = [
        Reason::Empty,
        Reason::TooLarge,
        Reason::Gzip,
        Reason::NotHtml,
        Reason::Envelope,
        Reason::Snapshot,
        Reason::TooManyNodes,
        Reason::TooDeep,
        Reason::Timeout,
        Reason::NoContent,
        Reason::Panic,
        Reason::ProduceTooLarge,
        Reason::Superseded,
        Reason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Empty => "empty",
            Reason::TooLarge => "too_large",
            Reason::Gzip => "gzip",
            Reason::NotHtml => "not_html",
            Reason::Envelope => "envelope",
            Reason::Snapshot => "snapshot",
            Reason::TooManyNodes => "too_many_nodes",
            Reason::TooDeep => "too_deep",
            Reason::Timeout => "timeout",
            Reason::NoContent => "no_content",
            Reason::Panic => "panic",
            Reason::ProduceTooLarge => "produce_too_large",
            Reason::Superseded => "superseded",
            Reason::Other => "other",
        }
    }

    /// The reason a header names, if it is one of ours.
    pub fn parse(name: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == name)
    }

    pub fn stage(self) -> Stage {
        match self {
            Reason::ProduceTooLarge | Reason::Superseded => Stage::Produce,
            _ => Stage::Extract,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_have_distinct_names_that_parse_back() {
        let names: std::collections::HashSet<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(names.len(), Reason::ALL.len());
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
        assert_eq!(Reason::parse("nonsense"), None);
        assert_eq!(Reason::ProduceTooLarge.stage().as_str(), "produce");
        assert_eq!(Reason::Gzip.stage(), Stage::Extract);
    }
}
