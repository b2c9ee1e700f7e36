//! Consumer lag per input partition, from the statistics librdkafka emits
//! every `statistics.interval.ms` (set on the consumer in `kafka.rs`).
//!
//! This runs once per interval on the consumer's poll thread, never per
//! message, so it may lock and allocate.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use rdkafka::error::KafkaResult;
use rdkafka::statistics::Statistics;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};

use crate::metrics::Metrics;

type PartitionLabel = [(&'static str, i32); 1];

/// One gauge per partition this consumer fetches; partitions it no longer
/// fetches are removed, so a revoked partition does not report a stale lag.
#[derive(Debug, Default)]
pub(crate) struct LagGauges {
    family: Family<PartitionLabel, Gauge>,
    shown: Mutex<BTreeSet<i32>>,
}

impl LagGauges {
    /// The family to register; it shares its series with `self`.
    pub(crate) fn family(&self) -> Family<PartitionLabel, Gauge> {
        self.family.clone()
    }

    /// Replaces the series with `lags`, `(partition, messages behind)`.
    pub(crate) fn update(&self, lags: impl IntoIterator<Item = (i32, i64)>) {
        let mut shown = self.shown.lock().unwrap_or_else(PoisonError::into_inner);
        let mut now = BTreeSet::new();
        for (partition, lag) in lags {
            self.family.get_or_create(&[("partition", partition)]).set(lag);
            now.insert(partition);
        }
        for gone in shown.difference(&now) {
            self.family.remove(&[("partition", *gone)]);
        }
        *shown = now;
    }

    /// Takes the input topic's partitions from a statistics report: only
    /// those being fetched, and only with a known lag (librdkafka reports -1
    /// until it knows both the high watermark and our position).
    pub(crate) fn record(&self, statistics: &Statistics, topic: &str) {
        let Some(topic) = statistics.topics.get(topic) else { return self.update([]) };
        self.update(
            topic.partitions.iter().filter(|(partition, p)| **partition >= 0 && p.fetch_state == "active").filter_map(
                |(&partition, p)| Some((partition, lag(p.consumer_lag, p.app_offset, p.ls_offset, p.hi_offset)?)),
            ),
        );
    }
}

/// Messages behind: librdkafka's own figure (end of the log less the
/// committed offset), or, when it cannot know the committed offset because
/// exactly-once commits go through the producer's transactions, the end of
/// the log (last stable offset, else high watermark) less the position.
fn lag(consumer_lag: i64, position: i64, last_stable: i64, high_watermark: i64) -> Option<i64> {
    if consumer_lag >= 0 {
        return Some(consumer_lag);
    }
    let end = if last_stable >= 0 { last_stable } else { high_watermark };
    (end >= 0 && position >= 0).then(|| (end - position).max(0))
}

/// What the input consumer reports to the metrics (through its context in
/// `intake`): lag from the statistics, and the offsets each commit carried.
#[derive(Clone)]
pub(crate) struct ConsumerMetrics {
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) topic: Arc<str>,
}

impl ConsumerMetrics {
    pub(crate) fn statistics(&self, statistics: &Statistics) {
        self.metrics.lag.record(statistics, &self.topic);
    }

    pub(crate) fn committed(&self, result: &KafkaResult<()>, offsets: &TopicPartitionList) {
        if result.is_ok() {
            let accepted = offsets
                .elements()
                .iter()
                .filter(|e| matches!(e.offset(), Offset::Offset(_)) && e.error().is_ok())
                .count();
            self.metrics.offsets_committed(accepted);
        }
    }
}

#[cfg(test)]
mod tests {
    use prometheus_client::encoding::text::encode;
    use prometheus_client::registry::Registry;

    use super::*;

    fn series(gauges: &LagGauges) -> Vec<String> {
        let mut registry = Registry::default();
        registry.register("lag_messages", "Lag.", gauges.family());
        let mut text = String::new();
        encode(&mut text, &registry).unwrap();
        let mut lines: Vec<String> =
            text.lines().filter(|l| l.starts_with("lag_messages{")).map(str::to_string).collect();
        lines.sort();
        lines
    }

    #[test]
    fn lag_falls_back_to_the_position_when_commits_are_unknown() {
        assert_eq!(lag(7, 3, 20, 20), Some(7), "librdkafka's figure when it has one");
        assert_eq!(lag(-1, 15, 20, 22), Some(5), "exactly-once: last stable offset less position");
        assert_eq!(lag(-1, 15, -1, 22), Some(7), "no stable offset: high watermark");
        assert_eq!(lag(-1, -1001, 20, 20), None, "no position yet");
        assert_eq!(lag(-1, 4, -1, -1), None, "no end known");
    }

    #[test]
    fn partitions_no_longer_fetched_disappear() {
        let gauges = LagGauges::default();
        gauges.update([(0, 5), (1, 0), (2, 12)]);
        assert_eq!(
            series(&gauges),
            ["lag_messages{partition=\"0\"} 5", "lag_messages{partition=\"1\"} 0", "lag_messages{partition=\"2\"} 12",]
        );
        gauges.update([(1, 3)]);
        assert_eq!(series(&gauges), ["lag_messages{partition=\"1\"} 3"]);
        gauges.update([]);
        assert!(series(&gauges).is_empty());
    }
}
