//! A duration histogram that records with atomics alone, for both roles.
//!
//! prometheus-client's `Histogram` takes a mutex on every observation; ingest
//! observes every message twice (extraction, then consume to ack) and serve
//! every call, from many threads at once, so that lock would be contended
//! exactly when the service is busiest. Here an observation is one binary
//! search over the bounds and two relaxed `fetch_add`s. Each role keeps its
//! own bounds, beside the instruments that use them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use prometheus_client::encoding::{EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::{MetricType, TypedMetric};

/// Clones share the counts, as prometheus-client's own metrics do: the
/// registry holds one clone for encoding, the pipeline another for recording.
#[derive(Debug, Clone)]
pub struct DurationHistogram {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Upper bounds in seconds, for the exposition, ascending.
    bounds: &'static [f64],
    /// The same bounds in nanoseconds, so an observation needs no float maths.
    bounds_ns: Box<[u64]>,
    /// Per-bucket (not cumulative) counts; the last one is `+Inf`.
    counts: Box<[AtomicU64]>,
    /// Sum of all observations in nanoseconds: 2^64 ns is 584 years.
    sum_ns: AtomicU64,
}

impl DurationHistogram {
    /// `bounds` must be ascending and finite; `+Inf` is implied.
    pub fn new(bounds: &'static [f64]) -> DurationHistogram {
        debug_assert!(bounds.windows(2).all(|w| w[0] < w[1]) && bounds.iter().all(|b| b.is_finite()));
        let bounds_ns = bounds.iter().map(|&s| Duration::from_secs_f64(s).as_nanos() as u64).collect();
        let counts = (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect();
        DurationHistogram { inner: Arc::new(Inner { bounds, bounds_ns, counts, sum_ns: AtomicU64::new(0) }) }
    }

    pub fn observe(&self, elapsed: Duration) {
        let ns = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        // Prometheus buckets are "less than or equal": a value on a bound
        // belongs to that bound's bucket.
        let bucket = self.inner.bounds_ns.partition_point(|&bound| bound < ns);
        self.inner.counts[bucket].fetch_add(1, Ordering::Relaxed);
        self.inner.sum_ns.fetch_add(ns, Ordering::Relaxed);
    }

    /// Observations so far (the sum of the buckets).
    #[cfg(test)]
    fn count(&self) -> u64 {
        self.inner.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }
}

impl TypedMetric for DurationHistogram {
    const TYPE: MetricType = MetricType::Histogram;
}

impl EncodeMetric for DurationHistogram {
    fn encode(&self, mut encoder: MetricEncoder<'_>) -> Result<(), std::fmt::Error> {
        let inner = &*self.inner;
        // A scrape may interleave with observations; the count is taken from
        // the buckets read here, so `_count` always equals the `+Inf` bucket.
        let buckets: Vec<(f64, u64)> = inner
            .bounds
            .iter()
            .copied()
            .chain(std::iter::once(f64::INFINITY))
            .zip(inner.counts.iter().map(|c| c.load(Ordering::Relaxed)))
            .collect();
        let count = buckets.iter().map(|&(_, n)| n).sum();
        let sum = inner.sum_ns.load(Ordering::Relaxed) as f64 / 1e9;
        encoder.encode_histogram::<NoLabelSet>(sum, count, &buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Histogram
    }
}

#[cfg(test)]
mod tests {
    use prometheus_client::encoding::text::encode;
    use prometheus_client::registry::{Registry, Unit};

    use super::*;

    fn exposition(h: &DurationHistogram) -> String {
        let mut registry = Registry::default();
        registry.register_with_unit("wait", "Waiting time.", Unit::Seconds, h.clone());
        let mut out = String::new();
        encode(&mut out, &registry).unwrap();
        out
    }

    #[test]
    fn buckets_are_cumulative_and_bounds_inclusive() {
        let h = DurationHistogram::new(&[0.01, 0.1, 1.0]);
        h.observe(Duration::from_millis(5));
        h.observe(Duration::from_millis(10)); // On the bound: counted in le="0.01".
        h.observe(Duration::from_millis(50));
        h.observe(Duration::from_secs(3));
        let text = exposition(&h);
        for line in [
            "wait_seconds_bucket{le=\"0.01\"} 2",
            "wait_seconds_bucket{le=\"0.1\"} 3",
            "wait_seconds_bucket{le=\"1.0\"} 3",
            "wait_seconds_bucket{le=\"+Inf\"} 4",
            "wait_seconds_count 4",
            "wait_seconds_sum 3.065",
        ] {
            assert!(text.lines().any(|l| l == line), "no {line:?} in:\n{text}");
        }
        assert!(text.contains("# TYPE wait_seconds histogram"), "{text}");
        assert_eq!(h.count(), 4);
    }

    #[test]
    fn clones_share_counts_across_threads() {
        let h = DurationHistogram::new(&[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0]);
        std::thread::scope(|s| {
            for _ in 0..4 {
                let h = h.clone();
                s.spawn(move || (0..1000).for_each(|i| h.observe(Duration::from_micros(i))));
            }
        });
        assert_eq!(h.count(), 4000);
        assert!(exposition(&h).contains("wait_seconds_count 4000"));
    }

    #[test]
    fn huge_durations_land_in_the_overflow_bucket() {
        let h = DurationHistogram::new(&[0.001, 1.0, 10.0]);
        h.observe(Duration::MAX);
        assert!(exposition(&h).contains("wait_seconds_bucket{le=\"10.0\"} 0"));
        assert_eq!(h.count(), 1);
    }
}
