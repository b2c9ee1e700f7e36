//! Admission of ArticleService calls: how many run at once, how many
//! article bytes they hold together, and how many watch streams are open.
//! A call that does not fit is refused at once with `RESOURCE_EXHAUSTED`
//! (load shedding): waiting would only queue memory.
//!
//! A call's permits live until its response body has been handed to the
//! connection, not just until the handler returns: tonic encodes the
//! response after the handler, so the [`hold_until_sent`] layer moves them
//! from the response's extensions into its body.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::LookupError;
use crate::config::Limits;

/// The server's shared budgets.
#[derive(Clone)]
pub(crate) struct Admission {
    calls: Arc<Semaphore>,
    bytes: Arc<Semaphore>,
    watchers: Arc<Semaphore>,
    /// Watch replays reading the topic at once, each with a consumer of its own.
    replays: Arc<Semaphore>,
    max_response_bytes: usize,
}

impl Admission {
    pub(crate) fn new(limits: &Limits) -> Admission {
        Admission {
            calls: Arc::new(Semaphore::new(limits.max_concurrent_calls)),
            bytes: Arc::new(Semaphore::new(limits.max_in_flight_bytes)),
            watchers: Arc::new(Semaphore::new(limits.max_watchers)),
            replays: Arc::new(Semaphore::new(limits.max_watch_replays)),
            max_response_bytes: limits.max_response_bytes,
        }
    }

    /// A slot for one unary call, or `Overloaded` when all are taken.
    pub(crate) fn call(&self) -> Result<Call, LookupError> {
        let slot = self.calls.clone().try_acquire_owned().map_err(|_| LookupError::Overloaded("concurrent calls"))?;
        Ok(Call { _slot: slot, bytes: None, budget: self.bytes.clone(), max_response_bytes: self.max_response_bytes })
    }

    /// A slot for one watch stream, held by the stream's task.
    pub(crate) fn watcher(&self) -> Result<OwnedSemaphorePermit, LookupError> {
        self.watchers.clone().try_acquire_owned().map_err(|_| LookupError::Overloaded("watchers"))
    }

    /// A slot for one watch replay (a resumed watch reading the topic), held
    /// until the replay has reached the live changes.
    pub(crate) fn replay(&self) -> Result<OwnedSemaphorePermit, LookupError> {
        self.replays.clone().try_acquire_owned().map_err(|_| LookupError::Overloaded("watch replays"))
    }

    /// The in-flight byte budget not held by any call.
    #[cfg(test)]
    pub(crate) fn bytes_available(&self) -> usize {
        self.bytes.available_permits()
    }

    /// The largest response a call may build, in article bytes.
    pub(crate) fn max_response_bytes(&self) -> usize {
        self.max_response_bytes
    }
}

/// What an admitted call holds: its slot, and once its articles' sizes are
/// known, their share of the in-flight byte budget.
pub(crate) struct Call {
    _slot: OwnedSemaphorePermit,
    bytes: Option<OwnedSemaphorePermit>,
    budget: Arc<Semaphore>,
    max_response_bytes: usize,
}

impl Call {
    /// Reserves room for `stored` bytes of articles, read before any is
    /// decoded: twice that (the decoded articles, then the encoded
    /// response). Over the response cap is `TooLarge`; a budget in use by
    /// other calls is `Overloaded`.
    pub(crate) fn reserve(&mut self, stored: usize) -> Result<(), LookupError> {
        if stored > self.max_response_bytes {
            return Err(LookupError::TooLarge { bytes: stored, limit: self.max_response_bytes });
        }
        // `stored` is at most the cap, which validation keeps below u32::MAX / 2.
        let permits = u32::try_from(2 * stored).map_err(|_| LookupError::Overloaded("in-flight bytes"))?;
        let more = self
            .budget
            .clone()
            .try_acquire_many_owned(permits)
            .map_err(|_| LookupError::Overloaded("in-flight bytes"))?;
        match &mut self.bytes {
            Some(held) => held.merge(more),
            None => self.bytes = Some(more),
        }
        Ok(())
    }

    /// Puts the permits in the response's extensions, for [`hold_until_sent`].
    pub(crate) fn attach<T>(self, mut response: tonic::Response<T>) -> tonic::Response<T> {
        response.extensions_mut().insert(Held { _call: Arc::new(self) });
        response
    }
}

/// A call's permits on their way through tonic (extensions must be `Clone`).
#[derive(Clone)]
struct Held {
    _call: Arc<Call>,
}

/// The server layer's function: the response body keeps the call's permits
/// until it has been read to its end by the connection (or dropped).
pub(crate) fn hold_until_sent(mut response: http::Response<tonic::body::Body>) -> http::Response<HeldBody> {
    let held = response.extensions_mut().remove::<Held>();
    response.map(|body| HeldBody { body, _held: held })
}

/// A response body and the permits of the call that built it.
pub(crate) struct HeldBody {
    body: tonic::body::Body,
    _held: Option<Held>,
}

impl http_body::Body for HeldBody {
    type Data = Bytes;
    type Error = tonic::Status;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, tonic::Status>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Limits for unit tests: `calls` unary calls, `bytes` in flight, responses up to `response`.
#[cfg(test)]
pub(crate) fn limits(calls: usize, bytes: usize, response: usize) -> Limits {
    Limits {
        max_concurrent_calls: calls,
        max_in_flight_bytes: bytes,
        max_response_bytes: response,
        max_request_bytes: 1 << 20,
        max_concurrent_streams: 8,
        max_watchers: 1,
        max_watch_replays: 1,
        call_timeout_secs: 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_beyond_the_limit_are_refused_until_one_ends() {
        let admission = Admission::new(&limits(2, 1000, 500));
        let (a, _b) = (admission.call().unwrap(), admission.call().unwrap());
        assert!(matches!(admission.call(), Err(LookupError::Overloaded("concurrent calls"))));
        drop(a);
        admission.call().unwrap();
    }

    #[test]
    fn bytes_are_reserved_twice_and_returned_when_the_call_ends() {
        let admission = Admission::new(&limits(4, 1000, 500));
        let mut first = admission.call().unwrap();
        first.reserve(300).unwrap();
        let mut second = admission.call().unwrap();
        assert!(matches!(second.reserve(300), Err(LookupError::Overloaded("in-flight bytes"))), "600 + 600 > 1000");
        second.reserve(200).unwrap();
        assert!(matches!(admission.call().unwrap().reserve(501), Err(LookupError::TooLarge { .. })));
        drop((first, second));
        admission.call().unwrap().reserve(500).unwrap();
    }

    #[test]
    fn watchers_beyond_the_limit_are_refused() {
        let admission = Admission::new(&limits(1, 1000, 500));
        let held = admission.watcher().unwrap();
        assert!(matches!(admission.watcher(), Err(LookupError::Overloaded("watchers"))));
        drop(held);
        drop(admission.watcher().unwrap());
    }
}
