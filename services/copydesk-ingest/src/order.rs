//! Newer captures win: an article is not published over a newer capture of
//! itself that this process already published.
//!
//! Messages finish out of order (extraction time varies, deliveries are
//! retried), and the compacted articles topic keeps whatever was written
//! last under a key. So the capture time of the newest article sent under
//! each key is remembered, and an older one that finishes later becomes a
//! `superseded` dead letter instead. The check and the send happen without
//! an await between them, and the producer keeps send order per partition,
//! so what is written under a key only ever moves forward in capture time.
//!
//! Memory is bounded: the oldest keys are forgotten first. Across restarts
//! and instances the lookup store applies the same rule when it reads.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

/// Keys remembered; about 100 bytes each.
const REMEMBERED: usize = 100_000;

/// The newest capture time sent per article key.
#[derive(Debug)]
pub(crate) struct Newest {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    newest: HashMap<Vec<u8>, i64>,
    /// Keys in the order they were first remembered, for eviction.
    order: VecDeque<Vec<u8>>,
    capacity: usize,
}

impl Default for Newest {
    fn default() -> Newest {
        Newest::with_capacity(REMEMBERED)
    }
}

impl Newest {
    pub(crate) fn with_capacity(capacity: usize) -> Newest {
        Newest { inner: Mutex::new(Inner { capacity: capacity.max(1), ..Inner::default() }) }
    }

    /// Whether an article under `key` captured at `captured_ms` may be sent:
    /// no newer capture of it was sent before. Records it when it may.
    pub(crate) fn admit(&self, key: &[u8], captured_ms: i64) -> bool {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(newest) = inner.newest.get_mut(key) {
            if *newest > captured_ms {
                return false;
            }
            *newest = captured_ms;
            return true;
        }
        if inner.order.len() >= inner.capacity
            && let Some(old) = inner.order.pop_front()
        {
            inner.newest.remove(&old);
        }
        inner.order.push_back(key.to_vec());
        inner.newest.insert(key.to_vec(), captured_ms);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_capture_after_a_newer_one_is_refused() {
        let n = Newest::default();
        assert!(n.admit(b"a", 200));
        assert!(!n.admit(b"a", 100), "older than what was sent");
        assert!(n.admit(b"a", 200), "the same capture again (a replay) is fine");
        assert!(n.admit(b"a", 300));
        assert!(n.admit(b"b", 100), "keys are independent");
    }

    #[test]
    fn memory_is_bounded_by_forgetting_the_oldest_keys() {
        let n = Newest::with_capacity(2);
        assert!(n.admit(b"a", 200));
        assert!(n.admit(b"b", 200));
        assert!(n.admit(b"c", 200));
        assert!(n.admit(b"a", 100), "a was forgotten to make room");
        assert!(!n.admit(b"c", 100), "c is still remembered");
    }
}
