//! The lookup role's Prometheus metrics. Every series is created and
//! registered once, at start (each method with each gRPC code, each skip
//! reason), so recording is one relaxed atomic add: no lock, no label
//! lookup, no allocation on the request path or in the materialiser.

use std::fmt;

use copydesk_telemetry::{DurationHistogram, Exposition, Instruments};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};
use tonic::Code;

use crate::materialise::Skip;

/// The ArticleService methods, as the `method` label names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rpc {
    Get,
    BatchGet,
    Lookup,
    List,
    Watch,
    WatchEvents,
    Revisions,
}

impl Rpc {
    const ALL: [Rpc; 7] =
        [Rpc::Get, Rpc::BatchGet, Rpc::Lookup, Rpc::List, Rpc::Watch, Rpc::WatchEvents, Rpc::Revisions];

    fn label(self) -> &'static str {
        match self {
            Rpc::Get => "Get",
            Rpc::BatchGet => "BatchGet",
            Rpc::Lookup => "Lookup",
            Rpc::List => "List",
            Rpc::Watch => "Watch",
            Rpc::WatchEvents => "WatchEvents",
            Rpc::Revisions => "ListRevisions",
        }
    }
}

/// gRPC status code names as the gRPC spec writes them, indexed by code
/// number (tonic's `Code` is that number).
const CODE_NAMES: [&str; 17] = [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

/// Upper bounds of a call's time in the service, in seconds: an article
/// answered from memory takes tens of microseconds, one read from the store
/// a fraction of a millisecond; a listing's scan or a large batch takes
/// longer, up to the call timeout (30 s by default).
const CALL_BUCKETS: &[f64] =
    &[0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// Label sets are `&'static str` pairs: building one never allocates.
type Labels<const N: usize> = [(&'static str, &'static str); N];

/// The lookup role's instruments. Clones of each live in the registry,
/// which encodes them for a scrape.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    articles_applied: Counter,
    tombstones_applied: Counter,
    /// One counter per `Skip`, in `Skip::ALL` order.
    skipped: Vec<Counter>,
    batches: Counter,
    /// `requests[rpc][code]`, in `Rpc::ALL` and code-number order.
    requests: Vec<Vec<Counter>>,
    store_articles: Gauge,
    ready: Gauge,
    hot_answers: Counter,
    hot_bytes: Gauge,
    /// `durations[rpc]`, in `Rpc::ALL` order.
    durations: Vec<DurationHistogram>,
}

/// A point-in-time copy of the materialiser's counters, for logs and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Articles written to the store (new ones and new versions).
    pub articles_applied: u64,
    /// Tombstones applied (articles deleted, or already absent).
    pub tombstones_applied: u64,
    /// Records that were not articles, skipped with their offsets stored.
    pub skipped: u64,
    /// Store write transactions.
    pub batches: u64,
    /// Whether health says SERVING.
    pub ready: bool,
}

impl Snapshot {
    /// Records applied to the store: articles and tombstones.
    pub fn applied(&self) -> u64 {
        self.articles_applied + self.tombstones_applied
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("copydesk");
        let applied = Family::<Labels<1>, Counter>::default();
        let articles_applied = applied.get_or_create_owned(&[("kind", "article")]);
        let tombstones_applied = applied.get_or_create_owned(&[("kind", "tombstone")]);
        registry.register("lookup_records_applied", "Records applied to the store: articles and tombstones.", applied);
        let skipped_family = Family::<Labels<1>, Counter>::default();
        let skipped = Skip::ALL.iter().map(|s| skipped_family.get_or_create_owned(&[("reason", s.label())])).collect();
        registry.register(
            "lookup_records_skipped",
            "Records of the articles topic that are not articles, skipped, by reason.",
            skipped_family,
        );
        let batches = registry.instrument(
            "lookup_store_batches",
            "Store write transactions (a batch of records and its offsets).",
            Counter::default(),
        );
        let request_family = Family::<Labels<2>, Counter>::default();
        let requests = Rpc::ALL
            .iter()
            .map(|rpc| {
                CODE_NAMES
                    .iter()
                    .map(|&code| request_family.get_or_create_owned(&[("method", rpc.label()), ("code", code)]))
                    .collect()
            })
            .collect();
        registry.register(
            "lookup_requests",
            "ArticleService calls answered, by method and gRPC code (Watch: whether the stream opened).",
            request_family,
        );
        let duration_family =
            Family::<Labels<1>, DurationHistogram, fn() -> DurationHistogram>::new_with_constructor(|| {
                DurationHistogram::new(CALL_BUCKETS)
            });
        let durations =
            Rpc::ALL.iter().map(|rpc| duration_family.get_or_create_owned(&[("method", rpc.label())])).collect();
        registry.register_with_unit(
            "lookup_request_duration",
            "Time from an ArticleService call's arrival in the service to its answer (a watch: until its stream opens), by method; \
             excludes the network, HTTP/2 and the request's decoding.",
            Unit::Seconds,
            duration_family,
        );
        let store_articles = registry.instrument("lookup_store_articles", "Articles in the store.", Gauge::default());
        let ready = registry.instrument(
            "lookup_ready",
            "1 while health says SERVING (the store has caught up with the topic), else 0.",
            Gauge::default(),
        );
        let hot_answers = registry.instrument(
            "lookup_hot_answers",
            "GetArticle calls answered from the hot articles in memory, without a store read.",
            Counter::default(),
        );
        let hot_bytes = registry.instrument(
            "lookup_hot_articles_bytes",
            "Memory held by the hot articles' answers, as of the last store read by id.",
            Gauge::default(),
        );
        // The role-neutral name ingest uses too: one query finds every version.
        registry.build_info();
        Metrics {
            registry,
            articles_applied,
            tombstones_applied,
            skipped,
            batches,
            requests,
            store_articles,
            ready,
            hot_answers,
            hot_bytes,
            durations,
        }
    }

    /// The OpenMetrics text exposition of every instrument.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = self.write_to(&mut out);
        out
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            articles_applied: self.articles_applied.get(),
            tombstones_applied: self.tombstones_applied.get(),
            skipped: self.skipped.iter().map(Counter::get).sum(),
            batches: self.batches.get(),
            ready: self.ready.get() == 1,
        }
    }

    /// A batch was written: its articles and tombstones, and the store's size after it.
    pub(crate) fn batch_applied(&self, articles: u64, tombstones: u64, store_articles: u64) {
        self.articles_applied.inc_by(articles);
        self.tombstones_applied.inc_by(tombstones);
        self.batches.inc();
        self.set_store_articles(store_articles);
    }

    pub(crate) fn set_store_articles(&self, n: u64) {
        self.store_articles.set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    /// A call answered from the hot articles.
    pub(crate) fn hot_answer(&self) {
        self.hot_answers.inc();
    }

    /// The hot articles' bytes after a read by id offered them an answer.
    pub(crate) fn set_hot_bytes(&self, n: u64) {
        self.hot_bytes.set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    pub(crate) fn skipped(&self, reason: Skip) {
        self.skipped[reason as usize].inc();
    }

    /// A call's outcome, as its status code; a code outside the spec's
    /// range (none exists today) is counted as UNKNOWN.
    pub(crate) fn answered(&self, rpc: Rpc, code: Code) {
        let row = &self.requests[rpc as usize];
        row.get(code as usize).unwrap_or(&row[Code::Unknown as usize]).inc();
    }

    /// How long a call took in the service, whatever its answer.
    pub(crate) fn took(&self, rpc: Rpc, elapsed: std::time::Duration) {
        self.durations[rpc as usize].observe(elapsed);
    }

    pub(crate) fn set_ready(&self, ready: bool) {
        self.ready.set(i64::from(ready));
    }
}

impl Exposition for Metrics {
    fn write_to(&self, out: &mut String) -> fmt::Result {
        self.registry.write_to(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line<'a>(text: &'a str, series: &str) -> &'a str {
        text.lines().find(|l| l.starts_with(series)).unwrap_or_else(|| panic!("no {series} in\n{text}"))
    }

    #[test]
    fn code_names_follow_tonics_code_numbers() {
        for (n, name) in CODE_NAMES.iter().enumerate() {
            let code = Code::from_i32(n as i32);
            assert_eq!(code as usize, n);
            // tonic's names are the spec's in CamelCase.
            let camel: String = name.split('_').map(|w| w[..1].to_string() + &w[1..].to_lowercase()).collect();
            assert_eq!(format!("{code:?}").to_lowercase(), camel.to_lowercase(), "{name}");
        }
    }

    #[test]
    fn skip_reasons_are_listed_in_discriminant_order_with_distinct_labels() {
        for (i, skip) in Skip::ALL.iter().enumerate() {
            assert_eq!(*skip as usize, i, "{skip:?}");
        }
        let labels: std::collections::HashSet<_> = Skip::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(labels.len(), Skip::ALL.len());
    }

    #[test]
    fn every_series_exists_from_the_start() {
        let text = Metrics::new().encode();
        let requests = text.lines().filter(|l| l.starts_with("copydesk_lookup_requests_total{")).count();
        assert_eq!(requests, Rpc::ALL.len() * CODE_NAMES.len());
        let skipped = text.lines().filter(|l| l.starts_with("copydesk_lookup_records_skipped_total{")).count();
        assert_eq!(skipped, Skip::ALL.len());
        assert!(text.contains("copydesk_build_info{version=\""), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn recordings_land_in_their_own_series() {
        let m = Metrics::new();
        m.batch_applied(3, 1, 7);
        m.batch_applied(2, 0, 9);
        m.skipped(Skip::KeyIdMismatch);
        m.answered(Rpc::Get, Code::Ok);
        m.answered(Rpc::Get, Code::Ok);
        m.answered(Rpc::Get, Code::NotFound);
        m.answered(Rpc::Watch, Code::Unavailable);
        m.set_ready(true);
        m.hot_answer();
        m.set_hot_bytes(4096);
        m.took(Rpc::Get, std::time::Duration::from_micros(40));
        m.took(Rpc::Get, std::time::Duration::from_millis(3));
        let text = m.encode();
        let has = |series: &str, value: &str| {
            assert_eq!(line(&text, series), format!("{series} {value}"), "{text}");
        };
        has("copydesk_lookup_records_applied_total{kind=\"article\"}", "5");
        has("copydesk_lookup_records_applied_total{kind=\"tombstone\"}", "1");
        has("copydesk_lookup_records_skipped_total{reason=\"key_id_mismatch\"}", "1");
        has("copydesk_lookup_records_skipped_total{reason=\"undecodable\"}", "0");
        has("copydesk_lookup_store_batches_total", "2");
        has("copydesk_lookup_requests_total{method=\"Get\",code=\"OK\"}", "2");
        has("copydesk_lookup_requests_total{method=\"Get\",code=\"NOT_FOUND\"}", "1");
        has("copydesk_lookup_requests_total{method=\"List\",code=\"OK\"}", "0");
        has("copydesk_lookup_requests_total{method=\"Watch\",code=\"UNAVAILABLE\"}", "1");
        has("copydesk_lookup_store_articles", "9");
        has("copydesk_lookup_ready", "1");
        has("copydesk_lookup_hot_answers_total", "1");
        has("copydesk_lookup_hot_articles_bytes", "4096");
        has("copydesk_lookup_request_duration_seconds_bucket{le=\"0.0001\",method=\"Get\"}", "1");
        has("copydesk_lookup_request_duration_seconds_bucket{le=\"0.005\",method=\"Get\"}", "2");
        has("copydesk_lookup_request_duration_seconds_count{method=\"Get\"}", "2");
        has("copydesk_lookup_request_duration_seconds_count{method=\"List\"}", "0");
        let s = m.snapshot();
        assert_eq!((s.applied(), s.tombstones_applied, s.skipped, s.batches, s.ready), (6, 1, 1, 2, true));
        m.set_ready(false);
        assert!(!m.snapshot().ready);
    }
}
