//! The lookup role's configuration: flags and `COPYDESK_*` environment
//! variables, with librdkafka options passed through, validated as a whole
//! before any file is opened or socket bound.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use copydesk_settings::{KafkaArgs, optional_socket, valid_topic};

use crate::LookupError;

mod limits;
mod revisions;
mod security;

pub use self::limits::Limits;
pub use self::revisions::Revisions;
pub use self::security::Security;

/// Settings of `copydesk serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct LookupConfig {
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// The compacted articles topic to materialise, keyed by article id.
    #[arg(long, env = "COPYDESK_ARTICLES_TOPIC", default_value = "articles")]
    pub articles_topic: String,
    /// The embedded store's file (created if missing). One replica, one file:
    /// it is locked while the service runs.
    #[arg(long, env = "COPYDESK_STORE_PATH", default_value = "copydesk-lookup.redb")]
    pub store_path: PathBuf,
    /// Memory the store may keep as its own cache of the file, in bytes. The
    /// rest is read through the kernel's page cache, which is not the
    /// process's RSS. redb's default, 1 GiB, took serve to 1.5 GiB of RSS
    /// over 100,000 articles.
    #[arg(long, env = "COPYDESK_STORE_CACHE_BYTES", default_value_t = crate::store::DEFAULT_CACHE_BYTES)]
    pub store_cache_bytes: usize,
    /// Memory kept for the answers of the articles read most recently, in
    /// bytes, so that the articles asked again and again are answered by id
    /// without reading the store; 0 disables it. One article's answer
    /// larger than a 64th of this is never kept.
    #[arg(long, env = "COPYDESK_HOT_ARTICLES_BYTES", default_value_t = crate::store::DEFAULT_HOT_BYTES)]
    pub hot_articles_bytes: usize,
    /// Address the gRPC server listens on, IP:PORT.
    #[arg(long, env = "COPYDESK_GRPC_ADDR", default_value = "0.0.0.0:50051")]
    pub grpc_addr: String,
    /// Most records written to the store in one transaction.
    #[arg(long, env = "COPYDESK_BATCH_RECORDS", default_value_t = 1000)]
    pub batch_records: usize,
    /// Longest a batch waits for more records before it is written, in milliseconds.
    #[arg(long, env = "COPYDESK_BATCH_MS", default_value_t = 50)]
    pub batch_ms: u64,
    /// Largest article record expected on the topic; sizes fetches.
    #[arg(long, env = "COPYDESK_MAX_MESSAGE_BYTES", default_value_t = 32 << 20)]
    pub max_message_bytes: usize,
    /// Address of the Prometheus `/metrics` endpoint, IP:PORT; empty disables it.
    #[arg(long, env = "COPYDESK_METRICS_ADDR", default_value = "0.0.0.0:9465")]
    pub metrics_addr: String,
    /// How often the articles topic's partition count is checked, in seconds:
    /// partitions added while running are read from then on.
    #[arg(long, env = "COPYDESK_PARTITION_CHECK_SECS", default_value_t = 30)]
    pub partition_check_secs: u64,
    /// How old a WatchArticleEvents resume token may be, in seconds; older
    /// ones are refused with FAILED_PRECONDITION. Set it to the articles
    /// topic's `delete.retention.ms` (Kafka's default: one day): past that,
    /// compaction may have dropped the tombstones of deletions after the
    /// token, and a replay would miss them. 0: no age limit.
    #[arg(long, env = "COPYDESK_WATCH_RESUME_MAX_SECS", default_value_t = 86_400)]
    pub watch_resume_max_secs: u64,
    /// How long shutdown may take (RPCs in flight, the last batch), in seconds.
    #[arg(long, env = "COPYDESK_SHUTDOWN_GRACE_SECS", default_value_t = 30)]
    pub shutdown_grace_secs: u64,
    #[command(flatten)]
    pub limits: Limits,
    #[command(flatten)]
    pub revisions: Revisions,
    #[command(flatten)]
    pub security: Security,
}

/// librdkafka keys that the materialiser's guarantees depend on: it assigns
/// partitions itself, never commits to a group, reads only committed
/// transactions and needs end-of-partition events for readiness.
const OWNED_KEYS: &[&str] = &[
    "bootstrap.servers",
    "group.id",
    "enable.auto.commit",
    "enable.auto.offset.store",
    "isolation.level",
    "auto.offset.reset",
    "enable.partition.eof",
];

impl LookupConfig {
    /// Checks everything and reports every problem at once.
    pub fn validate(&self) -> Result<(), LookupError> {
        let mut errors = self.kafka.problems(OWNED_KEYS);
        if let Err(e) = valid_topic(&self.articles_topic) {
            errors.push(format!("articles-topic: {e}"));
        }
        if self.store_path.as_os_str().is_empty() {
            errors.push("store-path: empty".to_string());
        } else if self.store_path.is_dir() {
            errors.push(format!("store-path: {} is a directory; name a file", self.store_path.display()));
        }
        let grpc = self.grpc_socket().map_err(|e| errors.push(format!("grpc-addr: {e}"))).ok();
        match self.metrics_socket() {
            Err(e) => errors.push(format!("metrics-addr: {e}")),
            // Port 0 asks for any free port, so two zeros never collide.
            Ok(Some(metrics)) if metrics.port() != 0 && grpc.is_some_and(|g| g.port() == metrics.port()) => {
                errors.push(format!("metrics-addr: port {} is grpc-addr's", metrics.port()));
            }
            Ok(_) => {}
        }
        if self.batch_records == 0 {
            errors.push("batch-records: must be at least 1".to_string());
        }
        if !(1024..=(1 << 30)).contains(&self.max_message_bytes) {
            errors.push("max-message-bytes: must be between 1 KiB and 1 GiB".to_string());
        }
        if self.shutdown_grace_secs == 0 {
            errors.push("shutdown-grace-secs: must be at least 1".to_string());
        }
        if self.partition_check_secs == 0 {
            errors.push("partition-check-secs: must be at least 1".to_string());
        }
        errors.append(&mut self.limits.problems());
        errors.append(&mut self.revisions.problems());
        errors.append(&mut self.security.problems());
        if errors.is_empty() { Ok(()) } else { Err(LookupError::Config(errors)) }
    }

    /// Where the gRPC server listens.
    pub fn grpc_socket(&self) -> Result<SocketAddr, String> {
        let addr = self.grpc_addr.trim();
        addr.parse().map_err(|_| format!("{addr:?} is not IP:PORT (e.g. 0.0.0.0:50051, [::]:50051)"))
    }

    /// Where to serve metrics: `None` when disabled by an empty setting.
    pub fn metrics_socket(&self) -> Result<Option<SocketAddr>, String> {
        optional_socket(&self.metrics_addr, 9465)
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }

    pub fn partition_check(&self) -> Duration {
        Duration::from_secs(self.partition_check_secs)
    }

    pub fn batch_wait(&self) -> Duration {
        Duration::from_millis(self.batch_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> LookupConfig {
        copydesk_settings::parse_args("serve", args).unwrap()
    }

    #[test]
    fn defaults_are_valid() {
        let c = parse(&[]);
        c.validate().unwrap();
        assert_eq!(c.grpc_socket().unwrap(), "0.0.0.0:50051".parse().unwrap());
        assert_eq!(c.metrics_socket().unwrap(), Some("0.0.0.0:9465".parse().unwrap()));
        assert_eq!(c.partition_check(), Duration::from_secs(30));
    }

    #[test]
    fn metrics_address_is_an_ip_and_port_or_empty_and_not_the_grpc_port() {
        assert_eq!(parse(&["--metrics-addr", ""]).metrics_socket().unwrap(), None);
        parse(&["--metrics-addr", ""]).validate().unwrap();
        let c = parse(&["--metrics-addr", "127.0.0.1:9100"]);
        assert_eq!(c.metrics_socket().unwrap(), Some("127.0.0.1:9100".parse().unwrap()));
        c.validate().unwrap();
        assert!(parse(&["--metrics-addr", "0.0.0.0"]).metrics_socket().is_err());
        let Err(LookupError::Config(errors)) = parse(&["--metrics-addr", "127.0.0.1:50051"]).validate() else {
            panic!("the gRPC port twice must be refused")
        };
        assert_eq!(errors, ["metrics-addr: port 50051 is grpc-addr's"]);
        parse(&["--grpc-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"]).validate().unwrap();
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let dir = std::env::temp_dir();
        let c = parse(&[
            "--brokers",
            " , ",
            "--articles-topic",
            "bad topic!",
            "--store-path",
            dir.to_str().unwrap(),
            "--grpc-addr",
            "localhost",
            "--metrics-addr",
            "localhost",
            "--batch-records",
            "0",
            "--shutdown-grace-secs",
            "0",
            "--partition-check-secs",
            "0",
            "--max-watchers",
            "0",
            "--max-response-bytes",
            "1000000",
            "--max-in-flight-bytes",
            "1000000",
            "-X",
            "isolation.level=read_uncommitted",
            "-X",
            "novalue",
        ]);
        let Err(LookupError::Config(errors)) = c.validate() else { panic!("expected config errors") };
        let all = errors.join("\n");
        for needle in [
            "brokers",
            "articles-topic",
            "store-path",
            "grpc-addr",
            "metrics-addr",
            "batch-records",
            "shutdown-grace-secs",
            "partition-check-secs",
            "max-watchers",
            "max-in-flight-bytes",
            "isolation.level",
            "novalue",
        ] {
            assert!(all.contains(needle), "missing {needle} in:\n{all}");
        }
        assert_eq!(errors.len(), 12, "{all}");
    }

    #[test]
    fn pass_through_options_reach_the_consumer_last() {
        let c = parse(&["-X", "security.protocol=SASL_SSL", "-X", "fetch.wait.max.ms=100"]);
        c.validate().unwrap();
        let consumer = crate::materialise::consumer_config(&c);
        assert_eq!(consumer.get("security.protocol"), Some("SASL_SSL"));
        assert_eq!(consumer.get("fetch.wait.max.ms"), Some("100"));
        assert_eq!(consumer.get("isolation.level"), Some("read_committed"));
    }
}
