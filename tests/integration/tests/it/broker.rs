//! Smoke tests of the harness and of the broker itself: large records on a compacted topic, transaction isolation, and a broker restart.

use std::time::Duration;

use copydesk_integration::{
    KafkaBroker, advertised_broker, consume_all, consumer_config, create_topic, payloads, produce, producer_config,
    send, shared_broker, transactional_producer, unique,
};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{FutureProducer, Producer};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};

const MIB: usize = 1024 * 1024;

#[tokio::test]
async fn ten_megabyte_record_round_trips_through_a_compacted_topic() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = unique("compacted-large");
    let limit = (16 * MIB).to_string();
    create_topic(&bootstrap, &topic, 1, &[("cleanup.policy", "compact"), ("max.message.bytes", &limit)]).await;

    let payload: Vec<u8> = (0..10 * MIB).map(|i| (i % 251) as u8).collect();
    let headers: &[(&str, &[u8])] = &[("content-type", b"application/x-protobuf")];
    produce(&bootstrap, &topic, Some(b"article-1"), &payload, headers).await;

    let records = consume_all(&bootstrap, &topic, false, 1, Duration::from_secs(60)).await;
    assert_eq!(records.len(), 1, "the 10 MiB record did not come back");
    let record = &records[0];
    assert_eq!(record.key(), Some(&b"article-1"[..]));
    // Not assert_eq: a mismatch would print 10 MiB twice.
    assert!(record.payload() == Some(&payload[..]), "payload differs ({:?} bytes)", record.payload().map(<[u8]>::len));
    let header = record.headers().map(|h| h.get(0)).expect("the record keeps its headers");
    assert_eq!((header.key, header.value), ("content-type", Some(&b"application/x-protobuf"[..])));

    // The 16 MiB ceiling is the topic's own, and the broker enforces it.
    let producer: FutureProducer = producer_config(&bootstrap).create().expect("producer");
    let too_big = vec![b'x'; 17 * MIB];
    let refused = send(&producer, &topic, Some(b"article-2"), &too_big, &[]).await;
    assert!(
        matches!(refused, Err(KafkaError::MessageProduction(RDKafkaErrorCode::MessageSizeTooLarge))),
        "a 17 MiB record should be refused by the topic's limit, got {refused:?}"
    );
}

#[tokio::test]
async fn read_committed_consumer_sees_only_committed_transactions() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = unique("transactions");
    create_topic(&bootstrap, &topic, 1, &[]).await;
    let producer = transactional_producer(&bootstrap, &unique("tx")).await;
    let timeout = Duration::from_secs(30);

    // Aborted first: if isolation leaked, those records would be the first ones read.
    producer.begin_transaction().expect("begin the transaction to abort");
    for payload in ["aborted-1", "aborted-2"] {
        send(&producer, &topic, Some(b"k"), payload.as_bytes(), &[]).await.expect("send in transaction");
    }
    producer.abort_transaction(timeout).expect("abort");

    producer.begin_transaction().expect("begin the transaction to commit");
    for payload in ["committed-1", "committed-2", "committed-3"] {
        send(&producer, &topic, Some(b"k"), payload.as_bytes(), &[]).await.expect("send in transaction");
    }
    producer.commit_transaction(timeout).expect("commit");

    let committed = consume_all(&bootstrap, &topic, true, 3, Duration::from_secs(30)).await;
    assert_eq!(payloads(&committed), ["committed-1", "committed-2", "committed-3"]);

    // The aborted records are in the log all the same; only isolation hides them.
    let everything = consume_all(&bootstrap, &topic, false, 5, Duration::from_secs(30)).await;
    assert_eq!(payloads(&everything), ["aborted-1", "aborted-2", "committed-1", "committed-2", "committed-3"]);
}

#[tokio::test]
async fn broker_restart_keeps_address_records_and_committed_offsets() {
    let broker = KafkaBroker::start().await;
    let bootstrap = broker.bootstrap();
    let topic = unique("restart");
    let group = unique("restart-group");
    create_topic(&bootstrap, &topic, 2, &[]).await;

    let producer: FutureProducer = producer_config(&bootstrap).create().expect("producer");
    let (partition, offset) =
        send(&producer, &topic, Some(b"k1"), b"before restart", &[]).await.expect("produce before the restart");
    commit_offset(&bootstrap, &group, &topic, partition, offset + 1);

    broker.stop().await;
    broker.start_again().await;

    assert_eq!(broker.bootstrap(), bootstrap, "the address must not change across a restart");
    let advertised = advertised_broker(&bootstrap, Duration::from_secs(10)).await.expect("metadata");
    assert_eq!(advertised, bootstrap);

    // The producer from before the restart reconnects by itself, with the same config.
    send(&producer, &topic, Some(b"k2"), b"after restart", &[]).await.expect("produce after the restart");
    let mut seen = payloads(&consume_all(&bootstrap, &topic, false, 2, Duration::from_secs(30)).await);
    seen.sort();
    assert_eq!(seen, ["after restart", "before restart"]);
    assert_eq!(committed_offset(&bootstrap, &group, &topic, partition), Offset::Offset(offset + 1));
    producer.flush(Duration::from_secs(10)).expect("flush");
}

fn commit_offset(bootstrap: &str, group: &str, topic: &str, partition: i32, offset: i64) {
    let consumer: BaseConsumer = consumer_config(bootstrap, group, false).create().expect("consumer");
    let mut offsets = TopicPartitionList::new();
    offsets.add_partition_offset(topic, partition, Offset::Offset(offset)).expect("offset");
    consumer.commit(&offsets, CommitMode::Sync).expect("commit the group's offset");
}

fn committed_offset(bootstrap: &str, group: &str, topic: &str, partition: i32) -> Offset {
    let consumer: BaseConsumer = consumer_config(bootstrap, group, false).create().expect("consumer");
    let mut wanted = TopicPartitionList::new();
    wanted.add_partition(topic, partition);
    let committed = consumer.committed_offsets(wanted, Duration::from_secs(10)).expect("committed offsets");
    let offset = committed.find_partition(topic, partition).map_or(Offset::Invalid, |p| p.offset());
    // Dropped before the consumer: destroying a consumer while a list it returned is alive hangs.
    drop(committed);
    offset
}
