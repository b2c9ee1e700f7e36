//! The `copydesk.v1` protobuf contracts, generated at build time from `proto/`.
//!
//! Messages (`Snapshot`, `Article`, ...) are always available and serialise to
//! JSON by the proto3 JSON mapping (lowerCamelCase names, RFC 3339 timestamps).
//! The tonic client and server for `ArticleService` need the `grpc` feature.

#![allow(missing_docs, unreachable_pub, clippy::all)]

/// Types of package `copydesk.v1`.
pub mod v1 {
    include!(concat!(env!("OUT_DIR"), "/copydesk.v1.rs"));
    include!(concat!(env!("OUT_DIR"), "/copydesk.v1.serde.rs"));
}

pub mod contract;
mod timestamp;

pub use timestamp::Timestamp;

/// The encoded `FileDescriptorSet` of every copydesk proto, for gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/copydesk_descriptor.bin"));

#[cfg(test)]
mod tests {
    use super::v1::{Article, Author};
    use prost::Message;

    #[test]
    fn json_uses_the_proto3_mapping() {
        let article = Article {
            canonical_url: "https://example.com/a".into(),
            published_at: Some(crate::Timestamp { seconds: 1_718_611_981, nanos: 0 }),
            authors: vec![Author { name: "A. Writer".into(), ..Default::default() }],
            word_count: 3,
            ..Default::default()
        };
        let json = serde_json::to_value(&article).unwrap();
        assert_eq!(json["canonicalUrl"], "https://example.com/a");
        assert_eq!(json["publishedAt"], "2024-06-17T08:13:01Z");
        assert_eq!(json["authors"][0]["name"], "A. Writer");
        assert_eq!(json["wordCount"], 3);
        let back: Article = serde_json::from_value(json).unwrap();
        assert_eq!(back, article);
        assert_eq!(Article::decode(article.encode_to_vec().as_slice()).unwrap(), article);
    }
}
