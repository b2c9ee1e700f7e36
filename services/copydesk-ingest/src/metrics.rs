//! The pipeline's Prometheus metrics: every instrument is created and
//! registered once, at start, so recording a message is a few relaxed atomic
//! additions with no lock, no label lookup and no allocation.
//!
//! `endpoint` serves them over HTTP (the lock-free histogram is
//! `copydesk_telemetry`'s, shared with serve); `lag` reads consumer lag from librdkafka's statistics.

pub(crate) mod endpoint;
pub(crate) mod lag;

use std::time::Duration;

use copydesk_telemetry::{DurationHistogram, Exposition, Instruments};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

use crate::record::Reason;

/// Upper bounds of extraction times, in seconds: most pages take a few
/// milliseconds; the budget (5 s by default) caps the tail.
const EXTRACTION_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Upper bounds of consume-to-acknowledgement times, in seconds: producer
/// linger and `acks=all` add tens of milliseconds; delivery retries through a
/// broker restart take up to minutes.
const PROCESSING_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0];

/// Label sets are `&'static str` pairs: building one never allocates.
type Labels = [(&'static str, &'static str); 2];

/// The ingest role's instruments. Clones of the counters live in the
/// registry, which encodes them for a scrape.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    consumed: Counter,
    input_bytes: Counter,
    articles: Counter,
    /// One counter per dead-letter reason, in the order of `Reason::ALL`.
    dead_letters: Vec<Counter>,
    extraction: DurationHistogram,
    processing: DurationHistogram,
    in_flight_messages: Gauge,
    in_flight_bytes: Gauge,
    offsets_committed: Counter,
    delivery_errors: Counter,
    permanent_failures: Counter,
    running: Gauge,
    transactions_committed: Counter,
    transactions_aborted: Counter,
    transactions_abandoned: Counter,
    wakeups_missed: Counter,
    pub(crate) lag: lag::LagGauges,
}

/// A point-in-time copy of the main counters, for logs, tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub consumed: u64,
    pub articles: u64,
    pub dead_letters: u64,
}

impl Exposition for Metrics {
    fn write_to(&self, out: &mut String) -> std::fmt::Result {
        self.registry.write_to(out)
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
        let consumed = registry.instrument(
            "messages_consumed",
            "Input messages received from Kafka, re-reads included.",
            Counter::default(),
        );
        let input_bytes =
            registry.instrument_in("input", "Payload bytes of the input messages.", Unit::Bytes, Counter::default());
        let articles = registry.instrument("articles_produced", "Articles acknowledged by Kafka.", Counter::default());
        let dead_family = Family::<Labels, Counter>::default();
        let dead_letters = Reason::ALL
            .iter()
            .map(|r| dead_family.get_or_create_owned(&[("reason", r.as_str()), ("stage", r.stage().as_str())]))
            .collect();
        registry.register("dead_letters", "Dead letters acknowledged by Kafka, by cause.", dead_family);
        let extraction = registry.instrument_in(
            "extraction_duration",
            "Time extracting one message on the pool, queueing excluded.",
            Unit::Seconds,
            DurationHistogram::new(EXTRACTION_BUCKETS),
        );
        let processing = registry.instrument_in(
            "processing_duration",
            "Time from receiving a message to Kafka acknowledging its output (in exactly-once mode, to the commit).",
            Unit::Seconds,
            DurationHistogram::new(PROCESSING_BUCKETS),
        );
        let in_flight_messages =
            registry.instrument("in_flight_messages", "Messages received and not yet acknowledged.", Gauge::default());
        let in_flight_bytes = registry.instrument_in(
            "in_flight",
            "Payload bytes received and not yet acknowledged.",
            Unit::Bytes,
            Gauge::default(),
        );
        let offsets_committed = registry.instrument(
            "offsets_committed",
            "Partition offsets the broker accepted in commits.",
            Counter::default(),
        );
        let delivery_errors = registry.instrument(
            "delivery_errors",
            "Failed produce attempts (retried, unless the failure is permanent).",
            Counter::default(),
        );
        let permanent_failures = registry.instrument("delivery_failures_permanent",
            "Deliveries no retry can mend (a topic gone, access denied, a fatal producer); the pipeline stops on the first.", Counter::default());
        let running = registry.instrument(
            "pipeline_running",
            "1 while the pipeline consumes, 0 before it starts and once it has stopped.",
            Gauge::default(),
        );
        let transactions = Family::<[(&'static str, &'static str); 1], Counter>::default();
        let transactions_committed = transactions.get_or_create_owned(&[("outcome", "committed")]);
        let transactions_aborted = transactions.get_or_create_owned(&[("outcome", "aborted")]);
        let transactions_abandoned = transactions.get_or_create_owned(&[("outcome", "abandoned")]);
        registry.register(
            "transactions",
            "Kafka transactions by outcome (exactly-once mode); abandoned: a transaction call never returned and the pipeline stopped.",
            transactions,
        );
        let wakeups_missed = registry.instrument("consumer_wakeups_missed",
            "Times the input consumer's queue held a message or group event that no wake-up announced, found by the 1 s poll tick instead (0 is normal).", Counter::default());
        let lag = lag::LagGauges::default();
        registry.register(
            "consumer_lag_messages",
            "Messages behind the end of each assigned partition, from librdkafka's statistics.",
            lag.family(),
        );
        registry.build_info();
        Metrics {
            registry,
            consumed,
            input_bytes,
            articles,
            dead_letters,
            extraction,
            processing,
            in_flight_messages,
            in_flight_bytes,
            offsets_committed,
            delivery_errors,
            permanent_failures,
            running,
            transactions_committed,
            transactions_aborted,
            transactions_abandoned,
            wakeups_missed,
            lag,
        }
    }

    /// The OpenMetrics text exposition of every instrument.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(8 << 10);
        // Writing into a String cannot fail.
        let _ = self.registry.write_to(&mut out);
        out
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            consumed: self.consumed.get(),
            articles: self.articles.get(),
            dead_letters: self.dead_letters.iter().map(Counter::get).sum(),
        }
    }

    /// A message was received; it is in flight until `finished`.
    pub(crate) fn received(&self, bytes: usize) {
        self.consumed.inc();
        self.input_bytes.inc_by(bytes as u64);
        self.in_flight_messages.inc();
        self.in_flight_bytes.inc_by(bytes as i64);
    }

    /// A message left the window (its output acknowledged, or its batch aborted).
    pub(crate) fn finished(&self, bytes: usize) {
        self.in_flight_messages.dec();
        self.in_flight_bytes.dec_by(bytes as i64);
    }

    /// Kafka acknowledged a message's output: an article, or a dead letter for `reason`.
    pub(crate) fn delivered(&self, dead_letter: Option<Reason>) {
        match dead_letter {
            None => self.articles.inc(),
            Some(reason) => self.dead_letters[reason_index(reason)].inc(),
        };
    }

    pub(crate) fn extracted(&self, elapsed: Duration) {
        self.extraction.observe(elapsed);
    }

    pub(crate) fn processed(&self, elapsed: Duration) {
        self.processing.observe(elapsed);
    }

    pub(crate) fn offsets_committed(&self, partitions: usize) {
        self.offsets_committed.inc_by(partitions as u64);
    }

    /// The pipeline started (`true`) or stopped (`false`).
    pub(crate) fn running(&self, running: bool) {
        self.running.set(i64::from(running));
    }

    /// A delivery failed for good; the pipeline stops.
    pub(crate) fn failed(&self) {
        self.permanent_failures.inc();
        self.running.set(0);
    }

    pub(crate) fn delivery_error(&self) {
        self.delivery_errors.inc();
    }

    pub(crate) fn transaction(&self, committed: bool) {
        let counter = if committed { &self.transactions_committed } else { &self.transactions_aborted };
        counter.inc();
    }

    /// A transaction left to the broker's timeout: a call on it never returned.
    pub(crate) fn transaction_abandoned(&self) {
        self.transactions_abandoned.inc();
    }

    /// Work found on the input by the poll tick, not by a wake-up.
    pub(crate) fn wakeup_missed(&self) {
        self.wakeups_missed.inc();
    }
}

/// Where `reason` is counted: its place in `Reason::ALL` (a short scan, only
/// for dead letters; the enum is closed, so every reason has a series).
fn reason_index(reason: Reason) -> usize {
    Reason::ALL.iter().position(|&r| r == reason).unwrap_or(Reason::ALL.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
        text.lines().find(|l| l.starts_with(prefix))
    }

    #[test]
    fn recording_shows_in_the_exposition() {
        let m = Metrics::new();
        m.received(100);
        m.received(50);
        m.delivered(None);
        m.finished(100);
        m.delivered(Some(Reason::NotHtml));
        m.finished(50);
        m.transaction(true);
        m.extracted(Duration::from_millis(3));
        m.wakeup_missed();
        let text = m.encode();
        for expected in [
            "copydesk_consumer_wakeups_missed_total 1",
            "copydesk_messages_consumed_total 2",
            "copydesk_input_bytes_total 150",
            "copydesk_articles_produced_total 1",
            "copydesk_in_flight_messages 0",
            "copydesk_in_flight_bytes 0",
            "copydesk_transactions_total{outcome=\"committed\"} 1",
            "copydesk_extraction_duration_seconds_count 1",
            "copydesk_build_info{version=\"",
        ] {
            assert!(line(&text, expected).is_some(), "no {expected:?} in:\n{text}");
        }
        let dead = line(&text, "copydesk_dead_letters_total{reason=\"not_html\"").expect("a not_html series");
        assert!(dead.ends_with("stage=\"extract\"} 1"), "{dead}");
        assert!(text.ends_with("# EOF\n"));
        assert_eq!(m.snapshot(), Snapshot { consumed: 2, articles: 1, dead_letters: 1 });
    }

    #[test]
    fn every_cause_is_exposed_from_the_start() {
        // Series that exist at zero let rate() see the first dead letter.
        let text = Metrics::new().encode();
        let series = text.lines().filter(|l| l.starts_with("copydesk_dead_letters_total{")).count();
        assert_eq!(series, Reason::ALL.len());
    }

    #[test]
    fn each_reason_counts_in_its_own_series() {
        let m = Metrics::new();
        m.delivered(Some(Reason::ProduceTooLarge));
        m.delivered(Some(Reason::Superseded));
        m.delivered(Some(Reason::Superseded));
        let text = m.encode();
        for expected in [
            "copydesk_dead_letters_total{reason=\"produce_too_large\",stage=\"produce\"} 1",
            "copydesk_dead_letters_total{reason=\"superseded\",stage=\"produce\"} 2",
            "copydesk_dead_letters_total{reason=\"gzip\",stage=\"extract\"} 0",
        ] {
            assert!(line(&text, expected).is_some(), "no {expected:?} in:\n{text}");
        }
    }
}
