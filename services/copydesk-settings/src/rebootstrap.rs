//! Gives a Kafka client that has lost every broker its bootstrap servers back.
//!
//! Since 2.10, librdkafka drops each broker a metadata answer no longer lists.
//! A broker in controlled shutdown can answer that there are no brokers at all,
//! and a client of a one-broker cluster (or of the last broker of a cluster
//! restarting as a whole) then drops its only one. With no broker left it
//! sends no metadata request, and the KIP-1102 re-bootstrap timer, which a
//! request starts, never runs: the client is cut off for good (librdkafka
//! issue #5301, open in 2.12 and 2.13). We saw it in ingest's broker-restart test:
//! the producer of an ingest instance logged "0 brokers" while the broker
//! stopped, then "no usable brokers" every second, and delivered nothing
//! again, while its consumer, which had kept its broker, went on.
//!
//! Each client's statistics (every `STATISTICS_MS`) list the brokers it
//! knows. When none is left but librdkafka's own internal and logical ones,
//! the bootstrap servers are added again, as a re-bootstrap would do; a
//! client that still knows a broker is left alone.

// One audited foreign call: `rd_kafka_brokers_add`, which the rdkafka crate
// does not wrap.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::sync::Arc;
use std::sync::atomic::{AtomicPtr, Ordering};

use rdkafka::ClientContext;
use rdkafka::bindings as rd;
use rdkafka::client::Client;
use rdkafka::statistics::Statistics;
use tracing::warn;

/// How often each client reports its statistics, which this check reads
/// (and the consumer's lag metrics too): a client without brokers gets them
/// back within this long.
pub const STATISTICS_MS: u32 = 10_000;

/// One client's bootstrap servers and, once created, its librdkafka handle.
#[derive(Debug)]
pub struct BrokerWatch {
    bootstrap: Option<CString>,
    client: AtomicPtr<rd::rd_kafka_t>,
}

impl BrokerWatch {
    /// A watch that restores `bootstrap` (the `--brokers` list). A list with
    /// a NUL byte cannot be given to librdkafka; such a watch does nothing
    /// (validation refuses it before any client is made).
    pub fn new(bootstrap: &str) -> Arc<BrokerWatch> {
        Arc::new(BrokerWatch { bootstrap: CString::new(bootstrap.trim()).ok(), client: AtomicPtr::default() })
    }

    /// Ties the watch to the client whose context holds it. Until then,
    /// `observe` does nothing.
    pub fn attach<C: ClientContext>(&self, client: &Client<C>) {
        self.client.store(client.native_ptr(), Ordering::Release);
    }

    /// Reads one statistics report of the attached client; restores the
    /// bootstrap servers if it knows no broker, and then says so.
    pub fn observe(&self, statistics: &Statistics) -> bool {
        if knows_a_broker(statistics) {
            return false;
        }
        let rk = self.client.load(Ordering::Acquire);
        let Some(bootstrap) = &self.bootstrap else { return false };
        if rk.is_null() {
            return false;
        }
        // SAFETY: `rk` is the handle of the client whose statistics callback
        // is running now (the watch lives in that client's context), so the
        // handle is alive; `rd_kafka_brokers_add` is thread-safe and copies
        // the NUL-terminated list it is given.
        let added = unsafe { rd::rd_kafka_brokers_add(rk, bootstrap.as_ptr()) };
        warn!(
            message = "The Kafka client knew no broker any more; its bootstrap servers were added again.",
            client = %statistics.name,
            added,
        );
        true
    }
}

/// Whether a client knows a real broker: one from the bootstrap list or one
/// learned from metadata, not librdkafka's internal and logical ones.
fn knows_a_broker(statistics: &Statistics) -> bool {
    statistics.brokers.values().any(|b| b.source == "learned" || b.source == "configured")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statistics(sources: &[&str]) -> Statistics {
        let brokers = sources
            .iter()
            .enumerate()
            .map(|(i, source)| {
                let name = format!("b{i}");
                let broker = rdkafka::statistics::Broker {
                    name: name.clone(),
                    source: (*source).to_string(),
                    ..Default::default()
                };
                (name, broker)
            })
            .collect();
        Statistics { name: "c".to_string(), brokers, ..Default::default() }
    }

    #[test]
    fn only_learned_or_configured_brokers_count() {
        assert!(knows_a_broker(&statistics(&["learned", "logical", "internal"])));
        assert!(knows_a_broker(&statistics(&["configured", "internal"])));
        assert!(!knows_a_broker(&statistics(&["logical", "internal"])));
        assert!(!knows_a_broker(&statistics(&[])));
    }

    #[test]
    fn a_watch_without_a_client_does_nothing() {
        // No client attached: nothing to call, and no crash.
        assert!(!BrokerWatch::new("127.0.0.1:9").observe(&statistics(&["internal"])));
    }
}
