//! Contiguous-offset tracking: which input offsets may be committed.
//!
//! Messages of a partition are received in offset order but finish in any
//! order (extraction time varies). An offset may be committed only when it
//! and every offset received before it in its partition have their output
//! acknowledged; otherwise a crash would skip the unfinished ones.

use std::collections::{HashMap, VecDeque};

/// Per-partition queues of received offsets, each marked done or not.
#[derive(Debug, Default)]
pub(crate) struct OffsetTracker {
    partitions: HashMap<i32, VecDeque<(i64, bool)>>,
}

impl OffsetTracker {
    /// Records a received message. Offsets must arrive in increasing order per
    /// partition; a lower one means the partition was rewound (reassigned or
    /// seeked), and what was pending before it is forgotten.
    pub(crate) fn received(&mut self, partition: i32, offset: i64) {
        let queue = self.partitions.entry(partition).or_default();
        if queue.back().is_some_and(|&(last, _)| last >= offset) {
            queue.clear();
        }
        queue.push_back((offset, false));
    }

    /// Marks an offset's output as acknowledged. Returns the highest offset
    /// that is now contiguously done (to be stored for commit), if that moved.
    pub(crate) fn acknowledged(&mut self, partition: i32, offset: i64) -> Option<i64> {
        let queue = self.partitions.get_mut(&partition)?;
        let index = queue.binary_search_by_key(&offset, |&(o, _)| o).ok()?;
        queue[index].1 = true;
        let mut done = None;
        while let Some(&(o, true)) = queue.front() {
            done = Some(o);
            queue.pop_front();
        }
        done
    }

    /// Forgets partitions this consumer no longer owns; late acknowledgements
    /// for them are then ignored (the new owner re-reads from the last commit).
    pub(crate) fn revoke(&mut self, partitions: impl IntoIterator<Item = i32>) {
        for p in partitions {
            self.partitions.remove(&p);
        }
    }

    /// Offsets held, done or not, over all partitions: what this costs in
    /// memory, since done offsets wait here behind an unfinished one.
    pub(crate) fn tracked(&self) -> usize {
        self.partitions.values().map(VecDeque::len).sum()
    }

    /// Messages received and not yet acknowledged, over all partitions.
    pub(crate) fn pending(&self) -> usize {
        self.partitions.values().map(|q| q.iter().filter(|(_, done)| !done).count()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_only_contiguous_prefixes() {
        let mut t = OffsetTracker::default();
        for o in [10, 11, 12, 13] {
            t.received(0, o);
        }
        assert_eq!(t.acknowledged(0, 12), None, "11 and 10 are still open");
        assert_eq!(t.tracked(), 4, "12 is done but waits behind 10 and 11");
        assert_eq!(t.acknowledged(0, 10), Some(10));
        assert_eq!(t.acknowledged(0, 11), Some(12), "11 closes the gap up to 12");
        assert_eq!(t.pending(), 1);
        assert_eq!(t.acknowledged(0, 13), Some(13));
        assert_eq!(t.pending(), 0);
    }

    #[test]
    fn partitions_are_independent_and_gaps_in_offsets_are_fine() {
        let mut t = OffsetTracker::default();
        t.received(0, 5);
        t.received(1, 100);
        t.received(0, 9); // Compaction or transaction markers leave offset gaps.
        assert_eq!(t.acknowledged(1, 100), Some(100));
        assert_eq!(t.acknowledged(0, 9), None);
        assert_eq!(t.acknowledged(0, 5), Some(9));
    }

    #[test]
    fn unknown_and_revoked_acknowledgements_are_ignored() {
        let mut t = OffsetTracker::default();
        t.received(3, 1);
        t.received(3, 2);
        assert_eq!(t.acknowledged(3, 7), None);
        t.revoke([3]);
        assert_eq!(t.acknowledged(3, 1), None);
        assert_eq!(t.pending(), 0);
    }

    #[test]
    fn a_rewind_starts_the_partition_over() {
        let mut t = OffsetTracker::default();
        t.received(0, 50);
        t.received(0, 51);
        t.received(0, 40); // Reassigned: the new owner starts from the last commit.
        assert_eq!(t.acknowledged(0, 50), None);
        assert_eq!(t.acknowledged(0, 40), Some(40));
    }
}
