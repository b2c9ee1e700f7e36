//! The topics ingest reads and writes: created on request, and checked at
//! start against the settings, so a mismatch is one clear error at start
//! instead of a wedged partition or a dead-letter loop hours later.

use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::types::RDKafkaErrorCode;
use tracing::warn;

use crate::IngestError;
use crate::config::IngestConfig;
use crate::kafka;

/// How long the check asks again when no broker answers. No answer says
/// nothing of the settings: an instance restarted while its cluster restarts
/// (or before the brokers are up) waits for them instead of exiting as
/// misconfigured.
const BROKERS_WAIT: Duration = Duration::from_secs(120);

/// What the check learnt of one topic: `None` when it does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Described {
    pub(crate) name: String,
    /// The topic's `max.message.bytes`, when it exists.
    pub(crate) max_message_bytes: Option<Option<usize>>,
}

fn admin(config: &IngestConfig) -> Result<AdminClient<DefaultClientContext>, IngestError> {
    kafka::admin_config(config).create().map_err(|source| IngestError::Client { role: "admin client", source })
}

fn options() -> AdminOptions {
    AdminOptions::new().operation_timeout(Some(Duration::from_secs(30))).request_timeout(Some(Duration::from_secs(30)))
}

/// Creates the output topics if they do not exist (articles compacted).
pub(crate) async fn ensure(config: &IngestConfig) -> Result<(), IngestError> {
    let admin = admin(config)?;
    let limit = kafka::message_limit(config).to_string();
    let replication = || TopicReplication::Fixed(config.topic_replication);
    let articles = NewTopic::new(&config.articles_topic, config.topic_partitions, replication())
        .set("cleanup.policy", "compact")
        .set("max.message.bytes", &limit);
    let dead = NewTopic::new(&config.dead_letter_topic, config.topic_partitions, replication())
        .set("max.message.bytes", &limit);
    let results = admin
        .create_topics([&articles, &dead], &options())
        .await
        .map_err(|e| IngestError::CreateTopic { topic: config.articles_topic.clone(), reason: e.to_string() })?;
    for result in results {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => return Err(IngestError::CreateTopic { topic, reason: code.to_string() }),
        }
    }
    Ok(())
}

/// Checks that the three topics exist and that the output topics accept a
/// message of `--max-message-bytes`; every mismatch is reported at once.
pub(crate) async fn check(config: &IngestConfig) -> Result<(), IngestError> {
    let admin = admin(config)?;
    let names = [&config.input_topic, &config.articles_topic, &config.dead_letter_topic];
    // Existence from metadata (the admin client may not create topics);
    // describing a topic that does not exist is not reliably an error.
    let owned: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let (admin, missing) = tokio::task::spawn_blocking(move || {
        let mut missing = Vec::new();
        let started = Instant::now();
        for name in &owned {
            loop {
                match admin.inner().fetch_metadata(Some(name), Duration::from_secs(30)) {
                    Ok(metadata) if metadata.topics().iter().any(|t| t.name() == name && t.error().is_none()) => {}
                    Ok(_) => missing.push(name.clone()),
                    Err(e) if started.elapsed() < BROKERS_WAIT => {
                        warn!(message = "No metadata from the brokers yet; asking again.", topic = %name, error = %e);
                        std::thread::sleep(Duration::from_secs(1));
                        continue;
                    }
                    Err(e) => return (admin, Err(format!("cannot read the metadata of {name}: {e}"))),
                }
                break;
            }
        }
        (admin, Ok(missing))
    })
    .await
    .map_err(|e| IngestError::Topics(vec![format!("the topic check did not finish: {e}")]))?;
    let missing = missing.map_err(|e| IngestError::Topics(vec![e]))?;
    let mut described: Vec<Described> =
        missing.iter().map(|name| Described { name: name.clone(), max_message_bytes: None }).collect();
    let present: Vec<&String> = names.into_iter().filter(|n| !missing.contains(n)).collect();
    let specifiers: Vec<ResourceSpecifier<'_>> = present.iter().map(|n| ResourceSpecifier::Topic(n)).collect();
    let results = admin
        .describe_configs(&specifiers, &options())
        .await
        .map_err(|e| IngestError::Topics(vec![format!("cannot describe the topics: {e}")]))?;
    let mut problems = Vec::new();
    for (name, result) in present.iter().zip(results) {
        let max_message_bytes = match result {
            Ok(resource) => {
                Some(resource.get("max.message.bytes").and_then(|e| e.value.as_deref()).and_then(|v| v.parse().ok()))
            }
            Err(RDKafkaErrorCode::UnknownTopicOrPartition | RDKafkaErrorCode::UnknownTopic) => None,
            Err(code) => {
                problems.push(format!("{name}: cannot describe the topic: {code}"));
                continue;
            }
        };
        described.push(Described { name: name.to_string(), max_message_bytes });
    }
    // Reported in the order of the settings: input, articles, dead letters.
    let rank = |d: &Described| {
        [&config.input_topic, &config.articles_topic, &config.dead_letter_topic].iter().position(|n| **n == d.name)
    };
    described.sort_by_key(rank);
    problems.extend(mismatches(config, &described));
    if problems.is_empty() { Ok(()) } else { Err(IngestError::Topics(problems)) }
}

/// The problems with the topics as described, in the order of the settings.
pub(crate) fn mismatches(config: &IngestConfig, described: &[Described]) -> Vec<String> {
    let role = |name: &str| {
        if name == config.input_topic {
            "input topic"
        } else if name == config.articles_topic {
            "articles topic"
        } else {
            "dead-letter topic"
        }
    };
    let mut problems = Vec::new();
    for topic in described {
        let (name, role) = (&topic.name, role(&topic.name));
        match topic.max_message_bytes {
            None if role == "input topic" => problems.push(format!("{role} {name} does not exist")),
            None => problems.push(format!("{role} {name} does not exist (create it, or pass --create-topics)")),
            // The input topic's own limit is the producers' business: larger
            // inputs are dead-lettered as too large.
            Some(_) if role == "input topic" => {}
            Some(Some(limit)) if limit < config.max_message_bytes => problems.push(format!(
                "{role} {name} has max.message.bytes={limit}, below --max-message-bytes={}: raise the topic's \
                 limit or lower the setting, or records that fit the input would never fit the output",
                config.max_message_bytes
            )),
            Some(_) => {}
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> IngestConfig {
        crate::config::tests::parse(&["--max-message-bytes", "2000000"])
    }

    fn topic(name: &str, limit: Option<Option<usize>>) -> Described {
        Described { name: name.into(), max_message_bytes: limit }
    }

    #[test]
    fn every_mismatch_is_reported_at_once() {
        let c = config();
        let problems = mismatches(
            &c,
            &[topic("snapshots", None), topic("articles", Some(Some(1_048_588))), topic("snapshots.dlq", None)],
        );
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].starts_with("input topic snapshots does not exist"));
        assert!(problems[1].contains("max.message.bytes=1048588, below --max-message-bytes=2000000"));
        assert!(problems[2].contains("dead-letter topic snapshots.dlq does not exist"));
    }

    #[test]
    fn topics_that_fit_pass_and_the_input_limit_is_not_ours() {
        let c = config();
        let ok = [
            topic("snapshots", Some(Some(1000))),
            topic("articles", Some(Some(2_000_000))),
            topic("snapshots.dlq", Some(None)),
        ];
        assert_eq!(mismatches(&c, &ok), Vec::<String>::new());
    }
}
