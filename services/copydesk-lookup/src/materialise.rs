//! The materialiser: reads the whole articles topic into the store, from the
//! stored offsets, and tells watchers and the health service what happened.
//!
//! Every replica reads every partition (manual assignment, no consumer
//! group, nothing committed to Kafka): the store, not the broker, remembers
//! how far it got. Records are applied in batches, each batch and its
//! offsets in one store transaction. Partitions added to the topic while
//! running are found by a periodic check (`partitions`) and read too.

mod partitions;
mod skip;
mod topic_id;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use copydesk_proto::v1::Article;
use copydesk_settings::rebootstrap::{BrokerWatch, STATISTICS_MS};
use copydesk_telemetry::messaging::{self, Parent};
use prost::Message as _;
use rdkafka::client::ClientContext;
use rdkafka::consumer::{Consumer, ConsumerContext, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Headers, Message};
use rdkafka::statistics::Statistics;
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;
use tracing::{Span, info, warn};

use self::partitions::Growth;
pub(crate) use self::skip::Skip;
use self::topic_id::TopicId;
use crate::metrics::Metrics;
use crate::service::watch::Event;
use crate::store::{Batch, Change, Store};
use crate::{LookupConfig, LookupError, blocking};

/// How long one metadata or admin question to the cluster may take.
const KAFKA_TIMEOUT: Duration = Duration::from_secs(10);

/// A topic's partitions with their ends, and its topic id when the broker has ids.
type Found = (BTreeMap<i32, i64>, Option<String>);

/// Why reading one incarnation of the topic ended.
enum Ended {
    Stopped,
    /// Deleted, or deleted and created again: the store is rebuilt.
    TopicReplaced,
}

/// What the materialiser works with, and whom it tells.
pub(crate) struct Materialiser {
    pub(crate) config: Arc<LookupConfig>,
    pub(crate) store: Arc<Store>,
    /// Every change stored, with its place in the topic, for the watchers.
    pub(crate) events: broadcast::Sender<Arc<Event>>,
    pub(crate) ready: watch::Sender<bool>,
    pub(crate) metrics: Arc<Metrics>,
}

/// librdkafka reports each end of partition twice: to the reader (where it
/// counts for readiness) and to the client's error callback, whose default
/// logs it as an error. Here only real errors are logged. Statistics go to
/// the watch that keeps the reader from losing every broker for good.
pub(crate) struct Context {
    brokers: Arc<BrokerWatch>,
}

impl ClientContext for Context {
    fn stats(&self, statistics: Statistics) {
        self.brokers.observe(&statistics);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        if matches!(error, KafkaError::PartitionEOF(_) | KafkaError::Global(RDKafkaErrorCode::PartitionEOF)) {
            return;
        }
        // librdkafka retries by itself (broker restarts, leader moves).
        warn!(message = "Kafka client error.", %error, reason);
    }
}

impl ConsumerContext for Context {}

pub(crate) type Reader = StreamConsumer<Context>;

/// A reader of the articles topic made from `client` (`consumer_config`'s
/// settings, perhaps amended), its broker watch tied to it.
pub(crate) fn reader(
    client: &ClientConfig,
    config: &LookupConfig,
    role: &'static str,
) -> Result<Arc<Reader>, LookupError> {
    let brokers = BrokerWatch::new(&config.kafka.brokers);
    let reader: Reader = client
        .create_with_context(Context { brokers: brokers.clone() })
        .map_err(|source| LookupError::Client { role, source })?;
    brokers.attach(reader.client());
    Ok(Arc::new(reader))
}

pub(crate) fn consumer_config(config: &LookupConfig) -> ClientConfig {
    let limit = (config.max_message_bytes + (1 << 20)).to_string();
    let mut c = ClientConfig::new();
    c.set("client.id", format!("copydesk-lookup-{}", std::process::id()))
        // librdkafka wants a group id; it is never joined (partitions are
        // assigned) and nothing is committed to it.
        .set("group.id", "copydesk-lookup")
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        // Articles of aborted transactions (exactly-once ingest) never show.
        .set("isolation.level", "read_committed")
        // A partition's end is known from this event even when the last
        // offsets are transaction markers, which are never delivered.
        .set("enable.partition.eof", "true")
        // A stored offset that compaction or retention has passed starts
        // that partition over from its earliest record.
        .set("auto.offset.reset", "earliest")
        .set("fetch.max.bytes", &limit)
        .set("max.partition.fetch.bytes", &limit)
        // Read by the broker watch (`copydesk_settings::rebootstrap`).
        .set("statistics.interval.ms", STATISTICS_MS.to_string());
    config.kafka.apply(&mut c);
    c
}

impl Materialiser {
    /// Reads until `stop` is cancelled; the batch in hand is written first.
    /// When the topic is deleted (and created again), readiness is withdrawn
    /// and the store is rebuilt from the new topic.
    pub(crate) async fn run(self, stop: CancellationToken) -> Result<(), LookupError> {
        let consumer = reader(&consumer_config(&self.config), &self.config, "consumer")?;
        while let Ended::TopicReplaced = self.read(&consumer, &stop).await? {
            // Until the new topic is read to its end, answers would come
            // from a topic that no longer exists.
            self.ready.send_replace(false);
            if let Err(error) = consumer.unassign() {
                warn!(message = "Cannot drop the old topic's partitions.", %error);
            }
        }
        info!(message = "Materialiser stopped.", records_applied = self.metrics.snapshot().applied());
        Ok(())
    }

    /// Reads one incarnation of the topic (one topic id) until stopped or
    /// until the topic is found deleted or replaced.
    async fn read(&self, consumer: &Arc<Reader>, stop: &CancellationToken) -> Result<Ended, LookupError> {
        let topic = self.config.articles_topic.clone();
        let Some((ends, id)) = self.discover(consumer, stop).await? else { return Ok(Ended::Stopped) };
        if let Some(id) = &id {
            let (store, new) = (self.store.clone(), id.clone());
            if blocking("store reset", move || store.adopt_topic_id(&new)).await?? {
                warn!(message = "The articles topic was deleted and created again; rebuilding the store from it.", %topic, topic_id = %id);
                self.metrics.set_store_articles(0);
            }
        }
        let partitions: Vec<i32> = ends.keys().copied().collect();
        let stored = self.store.offsets()?;
        // Partitions still short of the end they had at start: readiness waits for them.
        let mut behind: HashMap<i32, i64> = HashMap::new();
        let mut assignment = TopicPartitionList::new();
        for &p in &partitions {
            let start = stored.get(&p).copied();
            if start.unwrap_or(0) < ends[&p] {
                behind.insert(p, ends[&p]);
            }
            let offset = start.map_or(Offset::Beginning, Offset::Offset);
            assignment
                .add_partition_offset(&topic, p, offset)
                .map_err(|source| LookupError::Kafka { topic: topic.clone(), source })?;
        }
        consumer.assign(&assignment).map_err(|source| LookupError::Kafka { topic: topic.clone(), source })?;
        info!(message = "Materialising.", %topic, partitions = partitions.len(), resumed = stored.len(), behind = behind.len());
        let started = Instant::now();
        if behind.is_empty() {
            self.caught_up(started);
        }

        // Added partitions are not in `behind`: readiness, once reached, stays.
        let mut growth = Growth::new(&topic, partitions.iter().copied(), self.config.partition_check());
        let max = self.config.batch_records;
        loop {
            let first = tokio::select! {
                _ = stop.cancelled() => return Ok(Ended::Stopped),
                _ = growth.due() => {
                    if self.replaced(consumer, id.as_deref(), stop).await {
                        return Ok(Ended::TopicReplaced);
                    }
                    growth.check(consumer, &self.store, stop).await;
                    continue;
                }
                m = consumer.recv() => m,
            };
            let (mut batch, mut at) = (Batch::default(), Vec::new());
            let mut records = 0;
            self.take(first, &mut batch, &mut at, &mut records, &mut behind);
            let deadline = tokio::time::Instant::now() + self.config.batch_wait();
            while records < max {
                match tokio::time::timeout_at(deadline, consumer.recv()).await {
                    Ok(m) => self.take(m, &mut batch, &mut at, &mut records, &mut behind),
                    Err(_) => break,
                }
            }
            if !batch.offsets.is_empty() {
                self.apply(batch, at).await?;
            }
            if behind.is_empty() && !*self.ready.borrow() {
                self.caught_up(started);
            }
        }
    }

    /// Whether the topic read under id `known` is gone or has another id
    /// now. An unanswered question is no: the next check asks again.
    async fn replaced(&self, consumer: &Arc<Reader>, known: Option<&str>, stop: &CancellationToken) -> bool {
        let (c, topic) = (consumer.clone(), self.config.articles_topic.clone());
        let described = blocking("describe topic", move || topic_id::describe(c.client(), &topic, KAFKA_TIMEOUT));
        let described = tokio::select! {
            _ = stop.cancelled() => return false,
            described = described => described,
        };
        let topic = &self.config.articles_topic;
        match described {
            Ok(Ok(TopicId::Id(now))) if known.is_some_and(|known| known != now) => {
                warn!(message = "The articles topic has a new topic id: it was deleted and created again.", %topic, topic_id = %now);
                true
            }
            Ok(Ok(TopicId::Missing)) => {
                warn!(message = "The articles topic was deleted; waiting for it to exist again.", %topic);
                true
            }
            Ok(Ok(_)) => false,
            Ok(Err(error)) => {
                warn!(message = "Cannot read the articles topic's id; checking again later.", %error);
                false
            }
            Err(error) => {
                warn!(message = "Cannot read the articles topic's id; checking again later.", %error);
                false
            }
        }
    }

    /// The topic's partitions and the end (high watermark) of each, and its
    /// topic id (`None` from a broker without ids), waiting and retrying
    /// while the topic does not exist or has a partition without a leader:
    /// the service may start before ingest has created the topic, or just
    /// after. `None` when stopped while waiting.
    async fn discover(&self, consumer: &Arc<Reader>, stop: &CancellationToken) -> Result<Option<Found>, LookupError> {
        let mut delay = Duration::from_millis(250);
        loop {
            let (c, topic) = (consumer.clone(), self.config.articles_topic.clone());
            let found = blocking("metadata", move || -> Result<Option<Found>, String> {
                let id = match topic_id::describe(c.client(), &topic, KAFKA_TIMEOUT)? {
                    TopicId::Missing => return Ok(None),
                    TopicId::Id(id) => Some(id),
                    TopicId::Unsupported => None,
                };
                let metadata = c.fetch_metadata(Some(&topic), KAFKA_TIMEOUT).map_err(|e| e.to_string())?;
                let Some(t) = metadata.topics().iter().find(|t| t.name() == topic && t.error().is_none()) else {
                    return Ok(None);
                };
                if t.partitions().is_empty() || t.partitions().iter().any(|p| p.leader() < 0 || p.error().is_some()) {
                    return Ok(None);
                }
                let mut ends = BTreeMap::new();
                for p in t.partitions() {
                    let (_, high) = c.fetch_watermarks(&topic, p.id(), KAFKA_TIMEOUT).map_err(|e| e.to_string())?;
                    ends.insert(p.id(), high);
                }
                Ok(Some((ends, id)))
            })
            .await?;
            match found {
                Ok(Some(found)) => return Ok(Some(found)),
                Ok(None) => {
                    warn!(message = "The articles topic does not exist yet, or lacks leaders; waiting.", topic = %self.config.articles_topic)
                }
                Err(error) => warn!(message = "Cannot read the topic's partitions and ends yet; retrying.", %error),
            }
            tokio::select! {
                _ = stop.cancelled() => return Ok(None),
                _ = tokio::time::sleep(delay) => {}
            }
            delay = (delay * 2).min(Duration::from_secs(5));
        }
    }

    /// Adds one received message (or event) to the batch.
    fn take(
        &self,
        received: Result<BorrowedMessage<'_>, KafkaError>,
        batch: &mut Batch,
        at: &mut Vec<(i32, i64)>,
        records: &mut usize,
        behind: &mut HashMap<i32, i64>,
    ) {
        let message = match received {
            Ok(message) => message,
            Err(KafkaError::PartitionEOF(p)) => {
                behind.remove(&p);
                return;
            }
            Err(error) => {
                // librdkafka retries by itself (broker restarts, leader moves).
                warn!(message = "Error reading the articles topic.", %error);
                return;
            }
        };
        let (p, offset) = (message.partition(), message.offset());
        *records += 1;
        batch.offsets.insert(p, offset + 1);
        if behind.get(&p).is_some_and(|&end| offset + 1 >= end) {
            behind.remove(&p);
        }
        match change_of(&message) {
            Ok(change) => {
                match (&change, traceparent_of(&message)) {
                    (Change::Upsert { id, .. }, Some(tp)) => batch.traces.push((id.clone(), tp)),
                    (Change::Upsert { id, .. } | Change::Delete { id }, _) => batch.traces.retain(|(i, _)| i != id),
                }
                batch.changes.push(change);
                at.push((p, offset));
            }
            Err(reason) => {
                self.metrics.skipped(reason);
                warn!(message = "Skipping a record that is not an article.", %reason, partition = p, offset);
            }
        }
    }

    /// Writes the batch and its offsets, then tells watchers about each
    /// change, at its partition and offset (`at`, one per change).
    async fn apply(&self, batch: Batch, at: Vec<(i32, i64)>) -> Result<(), LookupError> {
        // One `process` span per traced article, in the article's trace;
        // they end when the batch is committed.
        let spans: Vec<Span> =
            batch.traces.iter().map(|(id, tp)| store_span(&self.config.articles_topic, id, tp)).collect();
        let store = self.store.clone();
        // The article count is read from the table's header: no scan.
        let (batch, stored) = blocking("store write", move || -> Result<_, LookupError> {
            store.apply(&batch)?;
            Ok((batch, store.len()?))
        })
        .await??;
        let (mut upserts, mut deletes) = (0, 0);
        for (change, (partition, offset)) in batch.changes.into_iter().zip(at) {
            match &change {
                Change::Upsert { .. } => upserts += 1,
                Change::Delete { .. } => deletes += 1,
            }
            // No watcher is no error.
            let _ = self.events.send(Arc::new(Event::of(partition, offset, change)));
        }
        self.metrics.batch_applied(upserts, deletes, stored);
        drop(spans);
        Ok(())
    }

    fn caught_up(&self, started: Instant) {
        self.ready.send_replace(true);
        info!(
            message = "Caught up with the articles topic; serving.",
            records = self.metrics.snapshot().applied(),
            elapsed_ms = started.elapsed().as_millis() as u64
        );
    }
}

/// The record's `traceparent` header, if any.
fn traceparent_of(message: &BorrowedMessage<'_>) -> Option<String> {
    let headers = message.headers()?;
    let value = headers.iter().find(|h| h.key.eq_ignore_ascii_case("traceparent"))?.value?;
    std::str::from_utf8(value).ok().map(str::to_string)
}

/// The span of storing one article (OpenTelemetry messaging, CONSUMER
/// `process`), continuing the trace its record carried.
fn store_span(topic: &str, id: &str, traceparent: &str) -> Span {
    let message = messaging::Message { topic, key: Some(id), ..messaging::Message::default() };
    messaging::process(&message, None, Parent::Remote(Some(traceparent)))
}

/// What one record does to the store. The key is the article id (the topic
/// is compacted by it, and tombstones carry only it); a value that is not
/// an `Article` under that id is refused with the reason.
pub(crate) fn change_of(message: &BorrowedMessage<'_>) -> Result<Change, Skip> {
    let id = match message.key().map(std::str::from_utf8) {
        None => return Err(Skip::NoKey),
        Some(Err(_)) => return Err(Skip::KeyNotUtf8),
        Some(Ok("")) => return Err(Skip::EmptyKey),
        Some(Ok(id)) => id.to_string(),
    };
    let Some(payload) = message.payload() else { return Ok(Change::Delete { id }) };
    if payload.is_empty() {
        return Err(Skip::EmptyValue);
    }
    let declared = message
        .headers()
        .and_then(|h| h.iter().find(|h| h.key.eq_ignore_ascii_case("content-type")).and_then(|h| h.value));
    if declared.is_some_and(|v| !String::from_utf8_lossy(v).contains("copydesk.v1.Article")) {
        return Err(Skip::WrongContentType);
    }
    let mut article = Article::decode(payload).map_err(|_| Skip::Undecodable)?;
    if article.id.is_empty() {
        article.id = id.clone();
        return Ok(Change::Upsert { id, article: Box::new(article) });
    }
    if article.id != id {
        return Err(Skip::KeyIdMismatch);
    }
    Ok(Change::Upsert { id, article: Box::new(article) })
}
