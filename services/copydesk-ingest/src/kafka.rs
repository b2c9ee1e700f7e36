//! Kafka clients configured for the pipeline's guarantees.

use std::sync::Arc;

use rdkafka::producer::{FutureProducer, Producer};
use rdkafka::statistics::Statistics;
use rdkafka::{ClientConfig, ClientContext};

use crate::IngestError;
use crate::config::{Delivery, IngestConfig};
use copydesk_settings::rebootstrap::{BrokerWatch, STATISTICS_MS};

/// The output producer, idempotent or transactional.
pub(crate) type OutputProducer = FutureProducer<OutputContext>;

/// Hears the output producer's statistics, to keep it from losing every
/// broker for good (`rebootstrap`).
pub(crate) struct OutputContext {
    brokers: Arc<BrokerWatch>,
}

impl ClientContext for OutputContext {
    fn stats(&self, statistics: Statistics) {
        self.brokers.observe(&statistics);
    }
}

/// What one consumer fetch asks for at most, over all partitions and per
/// partition (librdkafka's defaults are 50 MiB and 1 MiB).
const FETCH_MAX_BYTES: usize = 4 << 20;
const PARTITION_FETCH_BYTES: usize = 1 << 20;

/// Room for a maximal payload plus headers and protocol framing.
pub(crate) fn message_limit(config: &IngestConfig) -> usize {
    config.max_message_bytes + (1 << 20)
}

fn base() -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("client.id", format!("copydesk-ingest-{}", std::process::id()))
        // librdkafka learns of a dead leader's successor only from metadata,
        // which it otherwise refreshes every 5 minutes: records for the dead
        // leader's partitions then wait until a transaction's 20 s message
        // timeout fails them. One small request per client each 5 s finds the
        // new leader soon after the controller elects it (about 9 s, KRaft's
        // broker session timeout).
        .set("topic.metadata.refresh.interval.ms", "5000")
        // Every client reports statistics: they show a client that has lost
        // every broker (`rebootstrap`), and give the consumer's lag. One
        // small JSON report per 10 s.
        .set("statistics.interval.ms", STATISTICS_MS.to_string());
    c
}

/// The shared flags go last, so operators can tune anything we do not own
/// (validation has already refused the keys we do own).
fn with_pass_through(mut c: ClientConfig, config: &IngestConfig) -> ClientConfig {
    config.kafka.apply(&mut c);
    c
}

/// The admin client's configuration: the shared base and the pass-through.
pub(crate) fn admin_config(config: &IngestConfig) -> ClientConfig {
    let mut c = base();
    // Its metadata requests must not create the topics they ask about.
    c.set("allow.auto.create.topics", "false");
    with_pass_through(c, config)
}

pub(crate) fn consumer_config(config: &IngestConfig) -> ClientConfig {
    let mut c = base();
    let limit = message_limit(config);
    c.set("group.id", &config.group_id)
        .set("auto.offset.reset", "earliest")
        // A full window pauses the partitions, and a pause drops whatever
        // librdkafka fetched ahead: it is fetched again on resume. So fetch
        // ahead little. Fetches the size of the message limit (33 MiB) were
        // mostly thrown away, once per window in at-least-once and once per
        // transaction in exactly-once: these settings took 6-9% off ingest's
        // CPU per message (`make bench-ingest-versions`, 5 pairs).
        // Large pages still come through whole: the broker returns a first
        // record batch larger than these limits as it is (KIP-74).
        .set("fetch.max.bytes", FETCH_MAX_BYTES.to_string())
        .set("max.partition.fetch.bytes", PARTITION_FETCH_BYTES.to_string())
        // ... which makes the largest response one maximal message.
        .set("receive.message.max.bytes", (limit + FETCH_MAX_BYTES).to_string())
        // librdkafka prefetches into its own queue; keep that bounded too
        // (in KiB), or a backlog would grow memory behind our window.
        .set("queued.max.messages.kbytes", (config.max_message_bytes / 1024 * 2).max(16 * 1024).to_string())
        // A quarter of the window per partition: after a resume, the window's
        // free half fills from two partitions or more without a wait.
        .set("queued.min.messages", (config.max_in_flight / 4).clamp(8, 1000).to_string())
        // A partition whose queue is at those marks is asked again after this
        // long. librdkafka's 1 s held a small queue empty for most of each
        // second: throughput fell by a third in the benchmark.
        .set("fetch.queue.backoff.ms", "50")
        .set("partition.assignment.strategy", "cooperative-sticky")
        // A crashed instance's partitions move to the others within seconds,
        // not the 45 s default.
        .set("session.timeout.ms", "10000")
        .set("heartbeat.interval.ms", "1000");
    match config.delivery {
        Delivery::AtLeastOnce => {
            // Offsets are stored by us, only for contiguously acknowledged
            // output; librdkafka commits what is stored, periodically and on
            // revocation.
            c.set("enable.auto.commit", "true")
                .set("enable.auto.offset.store", "false")
                .set("auto.commit.interval.ms", "1000");
        }
        Delivery::ExactlyOnce => {
            c.set("enable.auto.commit", "false").set("isolation.level", "read_committed");
        }
    }
    with_pass_through(c, config)
}

pub(crate) fn producer_config(config: &IngestConfig, transactional_id: Option<&str>) -> ClientConfig {
    let mut c = base();
    c.set("enable.idempotence", "true")
        .set("acks", "all")
        .set("message.max.bytes", message_limit(config).to_string())
        .set("compression.type", "lz4")
        // The output topics were checked at start. One deleted since must
        // fail delivery (and stop us), not come back with the broker's
        // defaults: an articles topic that is not compacted grows forever.
        .set("allow.auto.create.topics", "false")
        // Each produce request costs the broker far more than its bytes do
        // (acks=all, idempotence): at 5 ms the broker took twice the CPU of
        // 20 ms in the ingest benchmark, and latency stays within budget.
        .set("linger.ms", "20")
        // Keep retrying through broker restarts; delivery failure after this
        // is retried by the pipeline itself.
        .set("message.timeout.ms", "120000");
    if let Some(id) = transactional_id {
        // Short enough that a crashed instance's open transaction does not
        // hold read_committed readers back for long.
        // librdkafka requires message.timeout.ms <= transaction.timeout.ms.
        c.set("transactional.id", id).set("transaction.timeout.ms", "20000").set("message.timeout.ms", "20000");
    }
    with_pass_through(c, config)
}

/// The input consumer, subscribed; `context` hears rebalances, and passes
/// statistics to `brokers`, which is tied to the new client here.
pub(crate) fn subscribed_consumer<C: rdkafka::consumer::ConsumerContext + 'static>(
    config: &IngestConfig,
    context: C,
    brokers: &BrokerWatch,
) -> Result<rdkafka::consumer::StreamConsumer<C>, IngestError> {
    use rdkafka::consumer::Consumer;
    let consumer: rdkafka::consumer::StreamConsumer<C> = consumer_config(config)
        .create_with_context(context)
        .map_err(|source| IngestError::Client { role: "consumer", source })?;
    brokers.attach(consumer.client());
    consumer
        .subscribe(&[&config.input_topic])
        .map_err(|source| IngestError::Subscribe { topic: config.input_topic.clone(), source })?;
    Ok(consumer)
}

/// The output producer: idempotent, or transactional under `transactional_id`.
pub(crate) fn producer(config: &IngestConfig, transactional_id: Option<&str>) -> Result<OutputProducer, IngestError> {
    let brokers = BrokerWatch::new(&config.kafka.brokers);
    let producer: OutputProducer = producer_config(config, transactional_id)
        .create_with_context(OutputContext { brokers: brokers.clone() })
        .map_err(|source| IngestError::Client { role: "producer", source })?;
    brokers.attach(producer.client());
    Ok(producer)
}
