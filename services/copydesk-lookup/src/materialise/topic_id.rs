//! The articles topic's Kafka topic id (a UUID the broker gives a topic when
//! it is created), read with librdkafka's DescribeTopics admin call.
//!
//! A topic deleted and created again under the same name gets a new id, and
//! its offsets start over: offsets stored for the old topic mean nothing in
//! the new one. The name alone cannot tell the two apart; the id can.
//!
//! The rdkafka crate exposes neither DescribeTopics nor topic ids, so this is
//! the one place in the crate that calls librdkafka's C API itself. Every
//! object created here is destroyed here, before the function returns.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_char};
use std::time::Duration;

use rdkafka::bindings as rd;
use rdkafka::client::Client;
use rdkafka::client::ClientContext;

/// What DescribeTopics said about the topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TopicId {
    /// The topic exists with this id (32 lowercase hex digits).
    Id(String),
    /// The broker does not know the topic (deleted, or not created yet).
    Missing,
    /// The broker answers without ids (older than Kafka 3.1): no check possible.
    Unsupported,
}

/// Asks the cluster for `topic`'s id over `client`'s connections (so with
/// its TLS and SASL settings). Blocking: call it off the async workers.
pub(crate) fn describe<C: ClientContext>(
    client: &Client<C>,
    topic: &str,
    timeout: Duration,
) -> Result<TopicId, String> {
    let name = CString::new(topic).map_err(|_| "the topic name holds a NUL byte".to_string())?;
    let rk = client.native_ptr();
    let timeout_ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    // SAFETY: `rk` is a live client handle for as long as `client` is
    // borrowed. Each object below is created, used and destroyed in this
    // scope; strings read from the result are copied before the event (which
    // owns them) is destroyed.
    unsafe {
        let mut names = [name.as_ptr()];
        let topics = rd::rd_kafka_TopicCollection_of_topic_names(names.as_mut_ptr(), 1);
        let options = rd::rd_kafka_AdminOptions_new(rk, rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBETOPICS);
        let mut errstr = [0 as c_char; 256];
        rd::rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, errstr.as_mut_ptr(), errstr.len());
        let queue = rd::rd_kafka_queue_new(rk);
        rd::rd_kafka_DescribeTopics(rk, topics, options, queue);
        // librdkafka answers by the request timeout at the latest; the
        // margin covers its queueing.
        let event = rd::rd_kafka_queue_poll(queue, timeout_ms.saturating_add(5_000));
        let answer = read_answer(event, topic);
        if !event.is_null() {
            rd::rd_kafka_event_destroy(event);
        }
        rd::rd_kafka_queue_destroy(queue);
        rd::rd_kafka_AdminOptions_destroy(options);
        rd::rd_kafka_TopicCollection_destroy(topics);
        answer
    }
}

/// The topic's entry in a DescribeTopics result event.
///
/// # Safety
/// `event` is null or a live event returned for a DescribeTopics call.
unsafe fn read_answer(event: *mut rd::rd_kafka_event_t, topic: &str) -> Result<TopicId, String> {
    if event.is_null() {
        return Err("DescribeTopics: no answer in time".to_string());
    }
    // SAFETY: the caller guarantees a live DescribeTopics event; the
    // pointers read from it live as long as it does.
    unsafe {
        if rd::rd_kafka_event_error(event) != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
            return Err(format!("DescribeTopics: {}", text(rd::rd_kafka_event_error_string(event))));
        }
        let result = rd::rd_kafka_event_DescribeTopics_result(event);
        if result.is_null() {
            return Err("DescribeTopics: not a DescribeTopics result".to_string());
        }
        let mut count = 0usize;
        let descriptions = rd::rd_kafka_DescribeTopics_result_topics(result, &mut count);
        for i in 0..count {
            let description = *descriptions.add(i);
            if text(rd::rd_kafka_TopicDescription_name(description)) != topic {
                continue;
            }
            let error = rd::rd_kafka_TopicDescription_error(description);
            if !error.is_null() {
                let code = rd::rd_kafka_error_code(error);
                if code == rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART {
                    return Ok(TopicId::Missing);
                }
                return Err(format!("DescribeTopics {topic}: {}", text(rd::rd_kafka_error_string(error))));
            }
            let id = rd::rd_kafka_TopicDescription_topic_id(description);
            if id.is_null() {
                return Ok(TopicId::Unsupported);
            }
            let (high, low) =
                (rd::rd_kafka_Uuid_most_significant_bits(id), rd::rd_kafka_Uuid_least_significant_bits(id));
            return Ok(id_of(high, low));
        }
        Ok(TopicId::Missing)
    }
}

/// The id as text; Kafka's zero UUID means "no id".
fn id_of(high: i64, low: i64) -> TopicId {
    if high == 0 && low == 0 {
        return TopicId::Unsupported;
    }
    TopicId::Id(format!("{:016x}{:016x}", high as u64, low as u64))
}

/// A C string of librdkafka's as Rust text ("" for null).
///
/// # Safety
/// `s` is null or a NUL-terminated string that outlives the call.
unsafe fn text(s: *const c_char) -> String {
    if s.is_null() {
        return String::new();
    }
    // SAFETY: as the caller guarantees.
    unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_hex_digits_and_zero_is_none() {
        assert_eq!(id_of(0, 0), TopicId::Unsupported);
        assert_eq!(id_of(1, -1), TopicId::Id("0000000000000001ffffffffffffffff".to_string()));
    }
}
