//! The lookup service's limits: what one call, one connection and the
//! whole server may hold, so that a storm of calls is shed with
//! `RESOURCE_EXHAUSTED` instead of growing memory without bound.

use std::time::Duration;

/// Limits of `copydesk serve` (flattened into [`crate::LookupConfig`]).
#[derive(Debug, Clone, clap::Args)]
pub struct Limits {
    /// ArticleService unary calls served at once; more are refused with
    /// RESOURCE_EXHAUSTED at once (health checks and reflection never count).
    #[arg(long, env = "COPYDESK_MAX_CONCURRENT_CALLS", default_value_t = 64)]
    pub max_concurrent_calls: usize,
    /// Article bytes all calls in flight may hold together, counted twice per
    /// article (decoded, then encoded) from the read until the response is
    /// handed to the connection; a call that does not fit is refused with
    /// RESOURCE_EXHAUSTED. This is what bounds the service's memory under load.
    #[arg(long, env = "COPYDESK_MAX_IN_FLIGHT_BYTES", default_value_t = 256 << 20)]
    pub max_in_flight_bytes: usize,
    /// Largest response, in article bytes: a BatchGet over it is refused with
    /// RESOURCE_EXHAUSTED (ask for fewer ids), a List page stops short of it.
    #[arg(long, env = "COPYDESK_MAX_RESPONSE_BYTES", default_value_t = 32 << 20)]
    pub max_response_bytes: usize,
    /// Largest request message accepted (a BatchGet's ids), in bytes.
    #[arg(long, env = "COPYDESK_MAX_REQUEST_BYTES", default_value_t = 1 << 20)]
    pub max_request_bytes: usize,
    /// HTTP/2 streams (calls) one connection may have open at once.
    #[arg(long, env = "COPYDESK_MAX_CONCURRENT_STREAMS", default_value_t = 128)]
    pub max_concurrent_streams: u32,
    /// Open WatchArticles streams; more are refused with RESOURCE_EXHAUSTED.
    #[arg(long, env = "COPYDESK_MAX_WATCHERS", default_value_t = 256)]
    pub max_watchers: usize,
    /// WatchArticleEvents replays reading the articles topic at once (a watch
    /// resumed from a token the store has passed; each has a Kafka consumer
    /// of its own); more are refused with RESOURCE_EXHAUSTED until one ends.
    #[arg(long, env = "COPYDESK_MAX_WATCH_REPLAYS", default_value_t = 4)]
    pub max_watch_replays: usize,
    /// Longest a unary call may take, in seconds; a shorter `grpc-timeout`
    /// from the client wins. Over it the call answers CANCELLED.
    #[arg(long, env = "COPYDESK_CALL_TIMEOUT_SECS", default_value_t = 30)]
    pub call_timeout_secs: u64,
}

/// The in-flight budget is handed out as semaphore permits, which tokio
/// counts in `u32` per acquisition.
const MAX_BUDGET: usize = u32::MAX as usize;

impl Limits {
    /// Every problem, for the configuration's combined report.
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.max_concurrent_calls == 0 {
            errors.push("max-concurrent-calls: must be at least 1".to_string());
        }
        if self.max_watchers == 0 {
            errors.push("max-watchers: must be at least 1".to_string());
        }
        if self.max_watch_replays == 0 {
            errors.push("max-watch-replays: must be at least 1".to_string());
        }
        if self.max_concurrent_streams == 0 {
            errors.push("max-concurrent-streams: must be at least 1".to_string());
        }
        if self.call_timeout_secs == 0 {
            errors.push("call-timeout-secs: must be at least 1".to_string());
        }
        if !(1024..=(1 << 30)).contains(&self.max_request_bytes) {
            errors.push("max-request-bytes: must be between 1 KiB and 1 GiB".to_string());
        }
        if !(1024..=(1 << 30)).contains(&self.max_response_bytes) {
            errors.push("max-response-bytes: must be between 1 KiB and 1 GiB".to_string());
        }
        if self.max_in_flight_bytes > MAX_BUDGET {
            errors.push(format!("max-in-flight-bytes: at most {MAX_BUDGET}"));
        } else if self.max_in_flight_bytes < 2 * self.max_response_bytes {
            // Otherwise the largest response could never be served.
            errors.push("max-in-flight-bytes: must be at least twice max-response-bytes".to_string());
        }
        errors
    }

    pub fn call_timeout(&self) -> Duration {
        Duration::from_secs(self.call_timeout_secs)
    }
}
