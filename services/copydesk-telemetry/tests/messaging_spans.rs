//! The messaging spans under a subscriber that wants them and under one that
//! filters their target out.
//!
//! A test binary of their own, run one at a time: whether a span is disabled
//! is decided by `tracing`'s callsite cache, which is global to the process
//! and is rebuilt whenever any thread installs a dispatcher. With other tests
//! installing theirs in parallel, a callsite could be cached as wanted (or
//! not) by another test's subscriber in the window before ours was counted:
//! the filtered test once saw an enabled span that way.

use std::sync::{Arc, Mutex, MutexGuard};

use copydesk_telemetry::messaging::{Message, Parent, TARGET, process, receive, send};
use tracing::Subscriber;
use tracing::span::{Attributes, Id};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::{Layer, Registry};

/// Held by each test for its whole length: only one dispatcher at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn alone() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Names and targets of the spans it sees.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(String, String)>>>);

impl<S: Subscriber> Layer<S> for Seen {
    fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _cx: Context<'_, S>) {
        let meta = attrs.metadata();
        self.0.lock().unwrap().push((meta.target().to_string(), meta.name().to_string()));
    }
}

fn message() -> Message<'static> {
    Message { topic: "t", partition: Some(2), offset: Some(7), key: Some("k"), size: Some(10) }
}

#[test]
fn spans_chain_under_their_own_target() {
    let _alone = alone();
    let seen = Seen::default();
    let subscriber = Registry::default().with(seen.clone());
    tracing::subscriber::with_default(subscriber, || {
        let sent = send(&message(), None);
        let received = receive(&message(), "g", None);
        let processed = process(&message(), Some("g"), Parent::Local(&received));
        assert!(!sent.is_disabled() && !processed.is_disabled());
    });
    let seen = seen.0.lock().unwrap().clone();
    let names: Vec<&str> = seen.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["send", "receive", "process"]);
    assert!(seen.iter().all(|(t, _)| t == TARGET), "{seen:?}");
}

#[test]
fn filtered_target_costs_a_disabled_span() {
    let _alone = alone();
    let filter = tracing_subscriber::filter::Targets::new()
        .with_default(tracing::Level::INFO)
        .with_target(TARGET, tracing::level_filters::LevelFilter::OFF);
    let seen = Seen::default();
    let subscriber = Registry::default().with(seen.clone().with_filter(filter));
    tracing::subscriber::with_default(subscriber, || {
        let received = receive(&message(), "g", Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        assert!(received.is_disabled());
        assert!(process(&message(), None, Parent::Remote(None)).is_disabled());
    });
    assert!(seen.0.lock().unwrap().is_empty());
}
