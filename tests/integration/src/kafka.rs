//! Kafka client helpers for tests: unique names, client configs, topic creation, produce, read-everything consume, and deadline-bounded waiting.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use copydesk_settings::rebootstrap::{BrokerWatch, STATISTICS_MS};

use rdkafka::admin::{AdminClient, AdminOptions, NewPartitions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, StreamConsumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, Message, OwnedHeaders, OwnedMessage};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::statistics::Statistics;
use rdkafka::{ClientContext, Offset, TopicPartitionList};

/// Client-side ceiling for tests with big messages, so that the broker's and the
/// topic's limits are what a test exercises, not the client's 1 MB default.
pub const CLIENT_MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// `name-<uuid>`: a topic, group or transactional id no other test (or earlier run) uses.
pub fn unique(name: &str) -> String {
    format!("{name}-{}", uuid::Uuid::new_v4().simple())
}

/// Settings every test client shares: short timeouts, so a broken broker fails a test in
/// seconds rather than librdkafka's minutes.
pub fn client_config(bootstrap: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", bootstrap)
        .set("socket.connection.setup.timeout.ms", "5000")
        .set("reconnect.backoff.max.ms", "1000");
    config
}

/// Acks from all replicas, idempotent, and a 30 s bound on delivery (long enough to ride
/// out a broker restart).
pub fn producer_config(bootstrap: &str) -> ClientConfig {
    let mut config = client_config(bootstrap);
    config
        .set("acks", "all")
        .set("enable.idempotence", "true")
        .set("message.timeout.ms", "30000")
        .set("message.max.bytes", CLIENT_MAX_MESSAGE_BYTES.to_string());
    config
}

/// A consumer in `group` that starts at the earliest offset and never commits by itself.
pub fn consumer_config(bootstrap: &str, group: &str, read_committed: bool) -> ClientConfig {
    let mut config = client_config(bootstrap);
    config
        .set("group.id", group)
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .set("session.timeout.ms", "6000")
        .set("isolation.level", if read_committed { "read_committed" } else { "read_uncommitted" });
    config
}

/// The context of the harness's long-lived readers: they ride out a whole
/// cluster's restart as the services' own clients do. librdkafka can drop
/// every broker when the last one stopping answers that there are none
/// (`copydesk_settings::rebootstrap`, librdkafka #5301); a reader of the
/// test's cut off that way would fail a test whose service is fine.
pub(crate) struct Rebootstrapping(Arc<BrokerWatch>);

impl ClientContext for Rebootstrapping {
    fn stats(&self, statistics: Statistics) {
        if self.0.observe(&statistics) {
            eprintln!(
                "test client {}: it knew no broker any more; its bootstrap servers were added again",
                statistics.name
            );
        }
    }
}

impl ConsumerContext for Rebootstrapping {}

/// A consumer of [`consumer_config`] that gets its bootstrap servers back
/// if it loses every broker.
pub(crate) fn rebootstrapping_consumer(
    bootstrap: &str,
    group: &str,
    read_committed: bool,
) -> StreamConsumer<Rebootstrapping> {
    let watch = BrokerWatch::new(bootstrap);
    let consumer: StreamConsumer<Rebootstrapping> = consumer_config(bootstrap, group, read_committed)
        .set("statistics.interval.ms", STATISTICS_MS.to_string())
        .create_with_context(Rebootstrapping(watch.clone()))
        .expect("create a test consumer");
    watch.attach(consumer.client());
    consumer
}

/// A transactional producer with its transactions initialised, ready for `begin_transaction`.
pub async fn transactional_producer(bootstrap: &str, transactional_id: &str) -> FutureProducer {
    let producer: FutureProducer = producer_config(bootstrap)
        .set("transactional.id", transactional_id)
        .set("transaction.timeout.ms", "60000")
        .create()
        .expect("create a transactional producer");
    blocking(move || producer.init_transactions(Duration::from_secs(30)).map(|()| producer))
        .await
        .unwrap_or_else(|e| panic!("init_transactions for {transactional_id}: {e}"))
}

/// Creates a topic with replication factor 1 and waits until metadata shows every
/// partition with a leader. Tests use [`unique`] names, so the topic is new.
pub async fn create_topic(bootstrap: &str, name: &str, partitions: i32, configs: &[(&str, &str)]) {
    let admin: AdminClient<DefaultClientContext> =
        client_config(bootstrap).create().expect("create a Kafka admin client");
    let mut topic = NewTopic::new(name, partitions, TopicReplication::Fixed(1));
    for (key, value) in configs {
        topic = topic.set(key, value);
    }
    create_new_topic(&admin, &topic, configs).await;
    let ready = wait_until(Duration::from_secs(30), || async {
        topic_partitions(bootstrap, name).await.is_ok_and(|p| p.len() == partitions as usize)
    })
    .await;
    assert!(ready, "topic {name} was created but its {partitions} partitions did not all get a leader within 30 s");
}

/// Sends one CreateTopics request for `topic`, a name from [`unique`], and panics unless
/// the topic now exists with `configs`.
///
/// "Already exists" counts as created when the topic holds `configs`: no other test
/// knows the name, so the topic can only be this request's own: the controller created
/// it for the client's first attempt, which timed out, and answered the client's retry
/// with "already exists". A loaded machine does that (seen in a fault loop at load 33).
pub(crate) async fn create_new_topic<C: ClientContext + 'static>(
    admin: &AdminClient<C>,
    topic: &NewTopic<'_>,
    configs: &[(&str, &str)],
) {
    let name = topic.name;
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    let results = admin.create_topics([topic], &options).await.unwrap_or_else(|e| panic!("create topic {name}: {e}"));
    for result in results {
        match result {
            Ok(_) => {}
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {
                let held = topic_configs(admin, name).await;
                let differ: Vec<_> =
                    configs.iter().filter(|(key, value)| held.get(*key).map(String::as_str) != Some(*value)).collect();
                assert!(differ.is_empty(), "{name} already existed without {differ:?}: it is not this test's topic");
                eprintln!("create topic {name}: a retry found it created by the first attempt");
            }
            Err((topic, code)) => panic!("create topic {topic} with {configs:?}: {code}"),
        }
    }
}

/// The settings `name` holds, as DescribeConfigs reports them.
async fn topic_configs<C: ClientContext + 'static>(admin: &AdminClient<C>, name: &str) -> BTreeMap<String, String> {
    let options = AdminOptions::new().request_timeout(Some(Duration::from_secs(30)));
    let described = admin
        .describe_configs([&ResourceSpecifier::Topic(name)], &options)
        .await
        .unwrap_or_else(|e| panic!("describe the configs of {name}: {e}"));
    let resource =
        described.into_iter().next().and_then(Result::ok).unwrap_or_else(|| panic!("no configs described for {name}"));
    resource.entries.into_iter().filter_map(|entry| Some((entry.name, entry.value?))).collect()
}

/// Grows `name` to `total` partitions, as an operator scaling out does, and
/// waits until metadata shows every partition with a leader.
pub async fn add_partitions(bootstrap: &str, name: &str, total: usize) {
    let admin: AdminClient<DefaultClientContext> =
        client_config(bootstrap).create().expect("create a Kafka admin client");
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    let results = admin
        .create_partitions([&NewPartitions::new(name, total)], &options)
        .await
        .unwrap_or_else(|e| panic!("add partitions to {name}: {e}"));
    for result in results {
        if let Err((topic, code)) = result {
            panic!("grow {topic} to {total} partitions: {code}");
        }
    }
    let ready = wait_until(Duration::from_secs(30), || async {
        topic_partitions(bootstrap, name).await.is_ok_and(|p| p.len() == total)
    })
    .await;
    assert!(ready, "{name} was grown but its {total} partitions did not all get a leader within 30 s");
}

/// The partitions of `topic` that have a leader; an error if the broker does not know the topic.
pub async fn topic_partitions(bootstrap: &str, topic: &str) -> Result<Vec<i32>, KafkaError> {
    let config = client_config(bootstrap);
    let topic = topic.to_string();
    blocking(move || {
        let client: BaseConsumer = config.create()?;
        let metadata = client.fetch_metadata(Some(&topic), Duration::from_secs(5))?;
        let Some(found) = metadata.topics().iter().find(|t| t.name() == topic) else {
            return Ok(Vec::new());
        };
        if let Some(code) = found.error() {
            return Err(KafkaError::MetadataFetch(code.into()));
        }
        Ok(found.partitions().iter().filter(|p| p.leader() >= 0).map(|p| p.id()).collect())
    })
    .await
}

/// `host:port` of the broker as its metadata advertises it, retried until `timeout`.
pub async fn advertised_broker(bootstrap: &str, timeout: Duration) -> Result<String, KafkaError> {
    let deadline = Instant::now() + timeout;
    loop {
        let config = client_config(bootstrap);
        let attempt = blocking(move || {
            let client: BaseConsumer = config.create()?;
            let metadata = client.fetch_metadata(None, Duration::from_secs(5))?;
            let broker = metadata
                .brokers()
                .first()
                .ok_or(KafkaError::MetadataFetch(rdkafka::types::RDKafkaErrorCode::BrokerNotAvailable))?;
            Ok(format!("{}:{}", broker.host(), broker.port()))
        })
        .await;
        match attempt {
            Ok(address) => return Ok(address),
            Err(e) if Instant::now() >= deadline => return Err(e),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Produces one record and waits for its acknowledgement; returns (partition, offset).
/// `key: None` writes a record without a key (refused by compacted topics).
pub async fn produce(
    bootstrap: &str,
    topic: &str,
    key: Option<&[u8]>,
    payload: &[u8],
    headers: &[(&str, &[u8])],
) -> (i32, i64) {
    let producer: FutureProducer = producer_config(bootstrap).create().expect("create a producer");
    send(&producer, topic, key, payload, headers)
        .await
        .unwrap_or_else(|e| panic!("produce {} bytes to {topic}: {e}", payload.len()))
}

/// Sends one record with `producer` (inside a transaction, if the caller began one).
pub async fn send(
    producer: &FutureProducer,
    topic: &str,
    key: Option<&[u8]>,
    payload: &[u8],
    headers: &[(&str, &[u8])],
) -> Result<(i32, i64), KafkaError> {
    let headers = headers
        .iter()
        .fold(OwnedHeaders::new(), |all, (name, value)| all.insert(Header { key: name, value: Some(*value) }));
    let mut record = FutureRecord::<[u8], [u8]>::to(topic).payload(payload).headers(headers);
    if let Some(key) = key {
        record = record.key(key);
    }
    let delivery = producer.send(record, Duration::from_secs(30)).await.map_err(|(e, _)| e)?;
    Ok((delivery.partition, delivery.offset))
}

/// Reads `topic` from the beginning of every partition until `expected` records arrived
/// or `timeout` passed, and returns what arrived (a test asserts the count). The consumer
/// is assigned partitions directly, so no group rebalance delays it and no offsets are
/// committed. With `read_committed`, records of open or aborted transactions are skipped.
pub async fn consume_all(
    bootstrap: &str,
    topic: &str,
    read_committed: bool,
    expected: usize,
    timeout: Duration,
) -> Vec<OwnedMessage> {
    let deadline = tokio::time::Instant::now() + timeout;
    let partitions = topic_partitions(bootstrap, topic)
        .await
        .unwrap_or_else(|e| panic!("metadata of {topic} before consuming: {e}"));
    assert!(!partitions.is_empty(), "topic {topic} has no partitions with a leader; was it created?");
    let consumer = rebootstrapping_consumer(bootstrap, &unique("consume-all"), read_committed);
    let mut assignment = TopicPartitionList::new();
    for partition in partitions {
        assignment.add_partition_offset(topic, partition, Offset::Beginning).expect("offset for a fresh assignment");
    }
    consumer.assign(&assignment).unwrap_or_else(|e| panic!("assign {topic}: {e}"));
    let mut received = Vec::with_capacity(expected);
    while received.len() < expected {
        match tokio::time::timeout_at(deadline, consumer.recv()).await {
            Err(_elapsed) => break,
            Ok(Ok(message)) => received.push(message.detach()),
            // Transient (e.g. while a broker restarts): librdkafka keeps fetching.
            Ok(Err(e)) => eprintln!("consume_all({topic}): {e}"),
        }
    }
    received
}

/// Payloads of `messages` as UTF-8 strings, for readable assertions.
pub fn payloads(messages: &[OwnedMessage]) -> Vec<String> {
    messages.iter().map(|m| String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned()).collect()
}

/// Polls `condition` until it holds or `timeout` passes (then false). Each evaluation is
/// bounded by the same deadline, and the pause between evaluations grows to 250 ms.
pub async fn wait_until<F, Fut>(timeout: Duration, mut condition: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    let mut pause = Duration::from_millis(10);
    loop {
        match tokio::time::timeout_at(deadline, condition()).await {
            Ok(true) => return true,
            Ok(false) if tokio::time::Instant::now() < deadline => {}
            _ => return false,
        }
        tokio::time::sleep(pause.min(deadline.saturating_duration_since(tokio::time::Instant::now()))).await;
        pause = (pause * 2).min(Duration::from_millis(250));
    }
}

/// librdkafka's metadata and transaction calls block; keep them off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(value) => value,
        Err(err) => std::panic::resume_unwind(err.into_panic()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names_keep_the_prefix_and_differ() {
        let (a, b) = (unique("articles"), unique("articles"));
        assert!(a.starts_with("articles-") && a.len() == "articles-".len() + 32, "{a}");
        assert_ne!(a, b);
    }

    #[tokio::test]
    async fn wait_until_returns_once_the_condition_holds() {
        let mut calls = 0;
        let held = wait_until(Duration::from_secs(5), || {
            calls += 1;
            let now = calls;
            async move { now >= 3 }
        })
        .await;
        assert!(held);
        assert_eq!(calls, 3);
    }

    #[tokio::test]
    async fn wait_until_gives_up_at_the_deadline_even_if_the_condition_hangs() {
        let started = Instant::now();
        let held = wait_until(Duration::from_millis(200), std::future::pending::<bool>).await;
        assert!(!held);
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
