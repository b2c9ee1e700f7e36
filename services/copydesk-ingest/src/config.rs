//! The ingest role's configuration: flags and `COPYDESK_*` environment
//! variables, with librdkafka options passed through, validated as a whole.

use std::net::SocketAddr;
use std::time::Duration;

use copydesk_settings::{KafkaArgs, optional_socket, valid_topic};

use crate::IngestError;

/// Delivery guarantee of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Delivery {
    /// Offsets are committed after the output is acknowledged; a crash can
    /// republish an article (same key, same content), never lose one.
    AtLeastOnce,
    /// Output and offsets are committed in one Kafka transaction; readers
    /// with `isolation.level=read_committed` see each article once.
    ExactlyOnce,
}

/// Settings of `copydesk ingest`.
#[derive(Debug, Clone, clap::Args)]
pub struct IngestConfig {
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Topic the crawlers publish snapshots to.
    #[arg(long, env = "COPYDESK_INPUT_TOPIC", default_value = "snapshots")]
    pub input_topic: String,
    /// Compacted topic articles are published to, keyed by article id.
    #[arg(long, env = "COPYDESK_ARTICLES_TOPIC", default_value = "articles")]
    pub articles_topic: String,
    /// Topic for inputs that cannot become articles, with the reason in headers.
    #[arg(long, env = "COPYDESK_DEAD_LETTER_TOPIC", default_value = "snapshots.dlq")]
    pub dead_letter_topic: String,
    /// Consumer group; ingest instances in one group share the partitions.
    #[arg(long, env = "COPYDESK_GROUP_ID", default_value = "copydesk-ingest")]
    pub group_id: String,
    #[arg(long, env = "COPYDESK_DELIVERY", value_enum, default_value_t = Delivery::AtLeastOnce)]
    pub delivery: Delivery,
    /// Transactional id for exactly-once mode. Default: `copydesk-<group>-<host>-<random>`, new for every
    /// process, so instances never fence each other; a dead instance's open transaction is then aborted by the
    /// broker after the transaction timeout (20 s). Give a stable id per instance (e.g. a StatefulSet pod name)
    /// to have a restarted instance fence its predecessor's transaction at once instead.
    #[arg(long, env = "COPYDESK_TRANSACTIONAL_ID")]
    pub transactional_id: Option<String>,
    /// Extraction threads (default: the number of CPUs).
    #[arg(long, env = "COPYDESK_WORKERS")]
    pub workers: Option<usize>,
    /// Most messages between fetch and acknowledged output; fetching pauses at this many.
    #[arg(long, env = "COPYDESK_MAX_IN_FLIGHT", default_value_t = 256)]
    pub max_in_flight: usize,
    /// Most payload bytes in flight; fetching pauses above this.
    #[arg(long, env = "COPYDESK_MAX_IN_FLIGHT_BYTES", default_value_t = 128 << 20)]
    pub max_in_flight_bytes: usize,
    /// Largest accepted input message; larger ones are dead-lettered. Also
    /// sizes fetches, produced messages and topics copydesk creates.
    #[arg(long, env = "COPYDESK_MAX_MESSAGE_BYTES", default_value_t = 32 << 20)]
    pub max_message_bytes: usize,
    /// Per-document extraction budget, in milliseconds.
    #[arg(long, env = "COPYDESK_EXTRACT_BUDGET_MS", default_value_t = 5000)]
    pub extract_budget_ms: u64,
    /// Create the articles (compacted) and dead-letter topics if missing.
    #[arg(long, env = "COPYDESK_CREATE_TOPICS")]
    pub create_topics: bool,
    /// Partitions of topics copydesk creates.
    #[arg(long, env = "COPYDESK_TOPIC_PARTITIONS", default_value_t = 6)]
    pub topic_partitions: i32,
    /// Replication factor of topics copydesk creates.
    #[arg(long, env = "COPYDESK_TOPIC_REPLICATION", default_value_t = 1)]
    pub topic_replication: i32,
    /// Messages per transaction in exactly-once mode.
    #[arg(long, env = "COPYDESK_TRANSACTION_MESSAGES", default_value_t = 200)]
    pub transaction_messages: usize,
    /// Longest a transaction stays open collecting messages, in milliseconds.
    #[arg(long, env = "COPYDESK_TRANSACTION_MS", default_value_t = 100)]
    pub transaction_ms: u64,
    /// How long shutdown may take to finish in-flight work, in seconds.
    #[arg(long, env = "COPYDESK_SHUTDOWN_GRACE_SECS", default_value_t = 30)]
    pub shutdown_grace_secs: u64,
    /// Address of the Prometheus `/metrics` endpoint, IP:PORT; empty disables it.
    #[arg(long, env = "COPYDESK_METRICS_ADDR", default_value = "0.0.0.0:9464")]
    pub metrics_addr: String,
}

/// librdkafka keys the pipeline's guarantees depend on; pass-through may not touch them.
const OWNED_KEYS: &[&str] = &[
    "bootstrap.servers",
    "group.id",
    "enable.auto.commit",
    "enable.auto.offset.store",
    "isolation.level",
    "transactional.id",
    "enable.idempotence",
    "auto.offset.reset",
    "allow.auto.create.topics",
];

impl IngestConfig {
    /// Checks everything and reports every problem at once.
    pub fn validate(&self) -> Result<(), IngestError> {
        let mut errors = self.kafka.problems(OWNED_KEYS);
        for (name, topic) in [
            ("input-topic", &self.input_topic),
            ("articles-topic", &self.articles_topic),
            ("dead-letter-topic", &self.dead_letter_topic),
        ] {
            if let Err(e) = valid_topic(topic) {
                errors.push(format!("{name}: {e}"));
            }
        }
        if self.input_topic == self.articles_topic || self.input_topic == self.dead_letter_topic {
            errors.push("input-topic: must differ from the output topics".to_string());
        }
        if self.articles_topic == self.dead_letter_topic {
            errors.push("dead-letter-topic: must differ from articles-topic".to_string());
        }
        if self.group_id.trim().is_empty() {
            errors.push("group-id: empty".to_string());
        }
        if self.workers == Some(0) {
            errors.push("workers: must be at least 1".to_string());
        }
        if self.max_in_flight == 0 {
            errors.push("max-in-flight: must be at least 1".to_string());
        }
        if !(1024..=(1 << 30)).contains(&self.max_message_bytes) {
            errors.push("max-message-bytes: must be between 1 KiB and 1 GiB".to_string());
        }
        if self.max_in_flight_bytes < self.max_message_bytes {
            errors.push(
                "max-in-flight-bytes: must be at least max-message-bytes, or large messages never fit".to_string(),
            );
        }
        if self.extract_budget_ms == 0 {
            errors.push("extract-budget-ms: must be positive".to_string());
        }
        if self.topic_partitions < 1 || self.topic_replication < 1 {
            errors.push("topic-partitions and topic-replication: must be at least 1".to_string());
        }
        if self.delivery == Delivery::ExactlyOnce && self.transaction_messages == 0 {
            errors.push("transaction-messages: must be at least 1".to_string());
        }
        if let Err(e) = self.metrics_socket() {
            errors.push(format!("metrics-addr: {e}"));
        }
        if errors.is_empty() { Ok(()) } else { Err(IngestError::Config(errors)) }
    }

    /// Where to serve metrics: `None` when disabled by an empty setting.
    pub fn metrics_socket(&self) -> Result<Option<SocketAddr>, String> {
        optional_socket(&self.metrics_addr, 9464)
    }

    pub fn workers(&self) -> usize {
        self.workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// The transactional id this process uses in exactly-once mode.
    pub fn transactional_id(&self) -> String {
        self.transactional_id.clone().unwrap_or_else(|| {
            // Unique per process: two instances on one host (or two pods
            // with one hostname) must not fence each other.
            let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
            let host = host.trim();
            let host = if host.is_empty() { "host" } else { host };
            format!("copydesk-{}-{host}-{}", self.group_id, uuid::Uuid::new_v4().simple())
        })
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn parse(args: &[&str]) -> IngestConfig {
        copydesk_settings::parse_args("ingest", args).unwrap()
    }

    #[test]
    fn defaults_are_valid() {
        parse(&[]).validate().unwrap();
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let c = parse(&[
            "--input-topic",
            "bad topic!",
            "--articles-topic",
            "same",
            "--dead-letter-topic",
            "same",
            "--workers",
            "0",
            "-X",
            "group.id=x",
            "-X",
            "novalue",
            "--metrics-addr",
            "localhost",
        ]);
        let Err(IngestError::Config(errors)) = c.validate() else { panic!("expected config errors") };
        let all = errors.join("\n");
        for needle in
            ["input-topic", "dead-letter-topic: must differ", "workers", "group.id", "novalue", "metrics-addr"]
        {
            assert!(all.contains(needle), "missing {needle} in:\n{all}");
        }
        assert_eq!(errors.len(), 6, "{all}");
    }

    #[test]
    fn metrics_address_is_an_ip_and_port_or_empty() {
        assert_eq!(parse(&[]).metrics_socket().unwrap(), Some("0.0.0.0:9464".parse().unwrap()));
        assert_eq!(
            parse(&["--metrics-addr", "[::1]:9100"]).metrics_socket().unwrap(),
            Some("[::1]:9100".parse().unwrap())
        );
        assert_eq!(parse(&["--metrics-addr", ""]).metrics_socket().unwrap(), None);
        assert!(parse(&["--metrics-addr", "0.0.0.0"]).metrics_socket().is_err());
    }

    #[test]
    fn default_transactional_ids_are_unique_per_process_and_a_given_one_is_kept() {
        let c = parse(&["--group-id", "g"]);
        let (a, b) = (c.transactional_id(), c.transactional_id());
        assert!(a.starts_with("copydesk-g-"), "{a}");
        assert_ne!(a, b, "two instances of one group on one host must not share an id");
        assert_eq!(parse(&["--transactional-id", "pod-0"]).transactional_id(), "pod-0");
    }

    #[test]
    fn keys_the_pipeline_owns_are_refused_from_pass_through() {
        let c = parse(&["-X", "security.protocol=SASL_SSL", "-X", "enable.idempotence=false"]);
        let Err(IngestError::Config(errors)) = c.validate() else { panic!("expected config errors") };
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("enable.idempotence"), "{errors:?}");
    }
}
