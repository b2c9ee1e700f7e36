//! Fills the benchmark's articles topic as ingest would (keyed by id,
//! declared as Articles, lz4 with ingest's linger), and measures what the
//! topic holds on the broker's disk.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use copydesk_integration::{KafkaBroker, producer_config};
use prost::Message;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};

use crate::generate::Generator;

/// What ingest declares on article records (`copydesk_ingest::record`).
const ARTICLE_CONTENT_TYPE: &[u8] = b"application/x-protobuf; messageType=copydesk.v1.Article";

/// Sends in flight at most: enough to keep the broker busy, few enough that
/// the producer's queue stays within a few hundred megabytes.
const WINDOW: usize = 4096;

/// What was published.
pub(crate) struct Filled {
    /// Encoded (uncompressed) Article bytes.
    pub(crate) value_bytes: u64,
    pub(crate) secs: f64,
    /// Every encoded size, for the median.
    pub(crate) sizes: Vec<u32>,
}

/// Publishes articles `0..n` of `generator` to `topic`, with ingest's
/// producer settings (`copydesk_ingest::kafka::producer_config`): lz4,
/// 20 ms linger, idempotent, acks from all.
pub(crate) async fn publish(bootstrap: &str, topic: &str, generator: &Generator, n: u64) -> Filled {
    let producer: FutureProducer = producer_config(bootstrap)
        .set("compression.type", "lz4")
        .set("linger.ms", "20")
        .set("message.timeout.ms", "120000")
        .create()
        .expect("a producer");
    let started = Instant::now();
    let mut pending: VecDeque<DeliveryFuture> = VecDeque::new();
    let mut filled = Filled { value_bytes: 0, secs: 0.0, sizes: Vec::with_capacity(n as usize) };
    for i in 0..n {
        let article = generator.article(i);
        let value = article.encode_to_vec();
        filled.value_bytes += value.len() as u64;
        filled.sizes.push(value.len() as u32);
        let source = format!("bench-snapshots/0/{i}");
        let headers = OwnedHeaders::new()
            .insert(Header { key: "content-type", value: Some(ARTICLE_CONTENT_TYPE) })
            .insert(Header { key: "copydesk-source", value: Some(source.as_bytes()) });
        let mut record = FutureRecord::to(topic).key(article.id.as_str()).payload(value.as_slice()).headers(headers);
        loop {
            match producer.send_result(record) {
                Ok(delivery) => {
                    pending.push_back(delivery);
                    break;
                }
                Err((e, back)) if e.rdkafka_error_code() == Some(RDKafkaErrorCode::QueueFull) => {
                    record = back;
                    match pending.pop_front() {
                        Some(delivery) => settle(delivery).await,
                        None => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                }
                Err((e, _)) => panic!("cannot publish to {topic}: {e}"),
            }
        }
        while pending.len() > WINDOW {
            settle(pending.pop_front().expect("a pending send")).await;
        }
        if (i + 1) % 20_000 == 0 {
            println!("  published {} articles ({:.0} s)", i + 1, started.elapsed().as_secs_f64());
        }
    }
    for delivery in pending {
        settle(delivery).await;
    }
    filled.secs = started.elapsed().as_secs_f64();
    filled
}

async fn settle(delivery: DeliveryFuture) {
    delivery.await.expect("delivery reported").map_err(|(e, _)| e).expect("article delivered");
}

/// The bytes of `topic`'s log segments on the broker's disk (every
/// partition, indexes left out: they are preallocated), read inside the
/// broker's container.
pub(crate) fn topic_log_bytes(broker: &KafkaBroker, topic: &str) -> u64 {
    let script = format!("cat /var/lib/kafka/data/{topic}-*/*.log | wc -c");
    let output = std::process::Command::new("docker")
        .args(["exec", broker.container_name(), "sh", "-c", &script])
        .output()
        .expect("docker exec runs");
    assert!(output.status.success(), "reading the topic's segments: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().parse().expect("a byte count")
}
