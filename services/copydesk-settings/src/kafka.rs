//! The Kafka client flags every role and client command shares, and the one
//! place they are applied to a librdkafka configuration.

use rdkafka::ClientConfig;

use crate::pass_through;

/// `--brokers` and `-X KEY=VALUE`, flattened into each command's flags.
#[derive(Debug, Clone, clap::Args)]
pub struct KafkaArgs {
    /// Kafka bootstrap servers, comma-separated.
    #[arg(long, env = "COPYDESK_BROKERS", default_value = "localhost:9092")]
    pub brokers: String,
    /// librdkafka settings passed through (security, tuning), e.g. `-X security.protocol=SASL_SSL`.
    #[arg(short = 'X', long = "kafka-option", env = "COPYDESK_KAFKA_OPTIONS", value_delimiter = ',')]
    pub kafka_options: Vec<String>,
}

impl KafkaArgs {
    /// Every problem with these flags. `owned` lists the librdkafka keys the
    /// caller sets itself because its guarantees depend on them; passing one
    /// through is refused rather than silently overridden.
    pub fn problems(&self, owned: &[&str]) -> Vec<String> {
        let mut problems = Vec::new();
        if self.brokers.split(',').all(|b| b.trim().is_empty()) {
            problems.push("brokers: empty".to_string());
        }
        if let Err(mut e) = pass_through(&self.kafka_options, with_bootstrap(owned).as_slice()) {
            problems.append(&mut e);
        }
        problems
    }

    /// Sets the bootstrap servers and, last so that an operator can tune
    /// anything the caller does not own, the pass-through options. Call it
    /// after the caller's own settings; `problems` has refused what would
    /// override an owned key, and malformed options are skipped here.
    pub fn apply(&self, config: &mut ClientConfig) {
        config.set("bootstrap.servers", self.brokers.trim());
        for (key, value) in pass_through(&self.kafka_options, &[]).unwrap_or_default() {
            if key != "bootstrap.servers" {
                config.set(key, value);
            }
        }
    }

    /// A configuration holding only these flags, for a client command that
    /// owns nothing beyond the bootstrap servers; every problem is returned.
    pub fn client_config(&self) -> Result<ClientConfig, Vec<String>> {
        let problems = self.problems(&[]);
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut config = ClientConfig::new();
        self.apply(&mut config);
        Ok(config)
    }
}

/// The bootstrap servers have their own flag in every role.
fn with_bootstrap<'a>(owned: &[&'a str]) -> Vec<&'a str> {
    let mut keys = owned.to_vec();
    if !keys.contains(&"bootstrap.servers") {
        keys.push("bootstrap.servers");
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_args;

    fn parse(args: &[&str]) -> KafkaArgs {
        parse_args("test", args).unwrap()
    }

    #[test]
    fn defaults_point_at_a_local_broker() {
        let args = parse(&[]);
        assert!(args.problems(&[]).is_empty());
        assert_eq!(args.client_config().unwrap().get("bootstrap.servers"), Some("localhost:9092"));
    }

    #[test]
    fn options_are_applied_after_the_callers_own_settings() {
        let args = parse(&["--brokers", "a:9092,b:9092", "-X", "linger.ms=5", "-X", "security.protocol=SSL"]);
        let mut config = ClientConfig::new();
        config.set("linger.ms", "20");
        args.apply(&mut config);
        assert_eq!(config.get("linger.ms"), Some("5"));
        assert_eq!(config.get("security.protocol"), Some("SSL"));
        assert_eq!(config.get("bootstrap.servers"), Some("a:9092,b:9092"));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let args = parse(&["--brokers", " , ", "-X", "group.id=x", "-X", "novalue", "-X", "bootstrap.servers=c:1"]);
        let problems = args.problems(&["group.id"]);
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].starts_with("brokers"), "{problems:?}");
        assert!(args.client_config().is_err());
    }
}
