//! What a failed delivery means, in one place for both loops: an output the
//! broker refuses as too large is replaced (never retried as it is), a
//! failure that no retry can mend stops the service, and anything else is
//! retried.

use std::time::Duration;

use rdkafka::Message;
use rdkafka::error::KafkaError;
use rdkafka::message::OwnedMessage;
use rdkafka::producer::{FutureRecord, Producer};
use rdkafka::types::{RDKafkaErrorCode, RDKafkaRespErr};
use rdkafka::util::Timeout;
use tracing::{Instrument, warn};

use crate::config::IngestConfig;
use crate::kafka::OutputProducer;
use crate::metrics::Metrics;
use crate::order::Newest;
use crate::process;
use crate::record::{self, Output, Reason, Rejection};

/// What a delivery error asks of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The record can never fit: replace it (article → dead letter → dead
    /// letter without payload).
    TooLarge,
    /// No retry will succeed (authorisation, a topic gone, a fatal producer):
    /// stop with the error so a supervisor sees it and restarts us.
    Permanent,
    /// Brokers restarting, leaders moving, timeouts: retry.
    Transient,
}

/// Classifies a delivery error of a record for `topic`.
pub(crate) async fn refusal(error: &KafkaError, producer: &OutputProducer, topic: &str) -> Refusal {
    if producer.client().fatal_error().is_some() {
        return Refusal::Permanent;
    }
    match error.rdkafka_error_code().map(classify) {
        Some(Class::TooLarge) => Refusal::TooLarge,
        Some(Class::Permanent) => Refusal::Permanent,
        // Brokers restarting can say this of a topic that exists; only a
        // fresh look at the metadata tells a deleted topic from an outage.
        Some(Class::Unknown) if topic_is_gone(producer, topic).await => Refusal::Permanent,
        _ => Refusal::Transient,
    }
}

/// What an error code alone says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    TooLarge,
    Permanent,
    /// The topic is unknown: deleted (permanent), or an outage (transient).
    Unknown,
    Transient,
}

fn classify(code: RDKafkaErrorCode) -> Class {
    use RDKafkaErrorCode as C;
    match code {
        C::MessageSizeTooLarge | C::MessageBatchTooLarge => Class::TooLarge,
        // The output topics were checked at start; one that is unknown now
        // may have been deleted, and the producer may not create it (it
        // would come back with the broker's defaults, not compacted).
        C::UnknownTopic | C::UnknownTopicOrPartition => Class::Unknown,
        C::TopicAuthorizationFailed
        | C::ClusterAuthorizationFailed
        | C::TransactionalIdAuthorizationFailed
        | C::InvalidTopic
        | C::Fatal
        | C::ProducerFenced
        | C::InvalidProducerEpoch
        | C::UnsupportedVersion => Class::Permanent,
        _ => Class::Transient,
    }
}

/// Whether the cluster, asked now, says `topic` does not exist. No answer
/// (the brokers are away) is not a yes.
async fn topic_is_gone(producer: &OutputProducer, topic: &str) -> bool {
    let (producer, topic) = (producer.clone(), topic.to_string());
    tokio::task::spawn_blocking(move || match producer.client().fetch_metadata(Some(&topic), Duration::from_secs(10)) {
        Ok(metadata) => metadata
            .topics()
            .iter()
            .any(|t| t.name() == topic && t.error() == Some(RDKafkaRespErr::RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)),
        Err(_) => false,
    })
    .await
    .unwrap_or(false)
}

/// The smaller stand-in for an output the broker refused as too large: an
/// article becomes a dead letter, a dead letter loses its payload but keeps
/// the headers that record the failure. `None` when nothing is left to cut.
pub(crate) fn shrink(out: &Output, msg: &OwnedMessage, config: &IngestConfig) -> Option<Output> {
    match out.dead_letter {
        None => {
            let why = Rejection::new(Reason::ProduceTooLarge, "the articles topic refused the article as too large");
            let span = process::send_span(&out.span, &config.dead_letter_topic, msg);
            Some(record::dead_letter(&config.dead_letter_topic, msg, &why, span))
        }
        Some(_) if !out.payload.is_empty() => {
            warn!(parent: &out.span, message = "Dead letter too large for its topic; sending it without the payload.", partition = msg.partition(), offset = msg.offset(), traceparent = out.traceparent());
            let Output { topic, key, headers, dead_letter, span, .. } = out;
            Some(Output {
                topic: topic.clone(),
                key: key.clone(),
                payload: Vec::new(),
                headers: headers.clone(),
                dead_letter: *dead_letter,
                captured_ms: None,
                span: span.clone(),
            })
        }
        Some(_) => None,
    }
}

/// `out`, or a `superseded` dead letter when a newer capture of the same
/// article was already sent (see `order`). Call it right before the send.
pub(crate) fn in_order(out: Output, msg: &OwnedMessage, config: &IngestConfig, newest: &Newest) -> Output {
    match (&out.key, out.captured_ms, out.dead_letter) {
        (Some(key), Some(at), None) if !newest.admit(key, at) => {
            let why = Rejection::new(Reason::Superseded, "a newer capture of this article was already published");
            let span = process::send_span(&out.span, &config.dead_letter_topic, msg);
            record::dead_letter(&config.dead_letter_topic, msg, &why, span)
        }
        _ => out,
    }
}

/// Sends until acknowledged (at-least-once). An article Kafka refuses as too
/// large becomes a dead letter; a dead letter refused as too large loses its
/// payload but keeps its headers, so the record of the failure is never
/// lost. A permanent failure is returned: the caller stops the service.
pub(crate) async fn deliver(
    producer: &OutputProducer,
    mut out: Output,
    msg: &OwnedMessage,
    config: &IngestConfig,
    metrics: &Metrics,
    newest: &Newest,
) -> Result<(), KafkaError> {
    let mut backoff = Duration::from_millis(100);
    loop {
        // Checked on every attempt: a newer capture may have gone out while
        // this one waited to be retried.
        out = in_order(out, msg, config, newest);
        let mut record = FutureRecord::to(&out.topic).payload(&out.payload).headers(out.headers.clone());
        if let Some(key) = &out.key {
            record = record.key(key);
        }
        let error = match producer.send(record, Timeout::Never).instrument(out.span.clone()).await {
            Ok(_) => {
                metrics.delivered(out.dead_letter);
                return Ok(());
            }
            Err((error, _)) => error,
        };
        metrics.delivery_error();
        match refusal(&error, producer, &out.topic).await {
            Refusal::TooLarge => match shrink(&out, msg, config) {
                Some(smaller) => out = smaller,
                // Headers alone do not fit: the topic's limit is absurdly low.
                None => return Err(error),
            },
            Refusal::Permanent => return Err(error),
            Refusal::Transient => {
                warn!(parent: &out.span, message = "Delivery failed; retrying.", %error, topic = %out.topic, retry_in_ms = backoff.as_millis() as u64, traceparent = out.traceparent());
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_classified_by_what_a_retry_could_change() {
        assert_eq!(classify(RDKafkaErrorCode::MessageSizeTooLarge), Class::TooLarge);
        assert_eq!(classify(RDKafkaErrorCode::UnknownTopicOrPartition), Class::Unknown);
        assert_eq!(classify(RDKafkaErrorCode::UnknownTopic), Class::Unknown);
        assert_eq!(classify(RDKafkaErrorCode::TopicAuthorizationFailed), Class::Permanent);
        assert_eq!(classify(RDKafkaErrorCode::Fatal), Class::Permanent);
        for transient in [
            RDKafkaErrorCode::MessageTimedOut,
            RDKafkaErrorCode::NotLeaderForPartition,
            RDKafkaErrorCode::BrokerTransportFailure,
            RDKafkaErrorCode::NotEnoughReplicas,
            RDKafkaErrorCode::RequestTimedOut,
        ] {
            assert_eq!(classify(transient), Class::Transient, "{transient:?}");
        }
    }
}
