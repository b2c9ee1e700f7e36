//! Counters of the pipeline's progress, for logs, tests and benchmarks.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Stats {
    consumed: AtomicU64,
    articles: AtomicU64,
    dead_letters: AtomicU64,
}

/// A point-in-time copy of the counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub consumed: u64,
    pub articles: u64,
    pub dead_letters: u64,
}

impl Stats {
    pub(crate) fn consumed(&self) {
        self.consumed.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn delivered(&self, dead_letter: bool) {
        let counter = if dead_letter { &self.dead_letters } else { &self.articles };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            consumed: self.consumed.load(Ordering::Relaxed),
            articles: self.articles.load(Ordering::Relaxed),
            dead_letters: self.dead_letters.load(Ordering::Relaxed),
        }
    }
}
