//! Giving the file's free pages back to the file system: redb's
//! compaction, run when the store opens and a large share of the file is
//! free.
//!
//! Why: redb grows its file by doubling it (up to 4 GiB at a time), and the
//! pages a write transaction copies are freed but stay in the file. A store
//! just built from the topic is about 1.5 times its allocated pages. redb
//! reuses free pages before it grows again, so the free space does not grow
//! without bound, but it never goes back to the file system either. A
//! compaction moves the allocated pages to the file's start and cuts the
//! file after the last one.
//!
//! Where: redb compacts only with no read or write transaction open. At
//! open the store is not shared yet (the materialiser, the server and its
//! health answers start later), so nothing waits on it but the start. Its
//! cost is one copy of the pages it moves (seconds per GB), and it runs
//! only when it gives back at least [`MIN_FREE_SHARE`] of the file and
//! [`MIN_FREE_BYTES`]: a store that was compacted and has grown a little
//! since is left alone.

use std::path::Path;
use std::time::Instant;

use redb::Database;
use tracing::info;

use crate::LookupError;

/// The share of the file that must be free for a compaction at open.
pub(super) const MIN_FREE_SHARE: f64 = 0.25;
/// The free bytes below which a compaction at open is not worth its time.
pub(super) const MIN_FREE_BYTES: u64 = 16 << 20;

/// The file's size, and its bytes in allocated pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSpace {
    pub file_bytes: u64,
    pub allocated_bytes: u64,
}

impl FileSpace {
    /// The bytes of the file outside allocated pages.
    pub fn free_bytes(&self) -> u64 {
        self.file_bytes.saturating_sub(self.allocated_bytes)
    }

    /// Whether a compaction gives back enough to be run: at least `share`
    /// of the file and `min_bytes`.
    pub(super) fn worth_compacting(&self, share: f64, min_bytes: u64) -> bool {
        let free = self.free_bytes();
        free >= min_bytes && free as f64 >= share * self.file_bytes as f64
    }
}

/// Where `db`'s file (at `path`) stands.
pub(super) fn file_space(db: &Database, path: &Path) -> Result<FileSpace, LookupError> {
    let txn = db.begin_write()?;
    let stats = txn.stats()?;
    txn.abort()?;
    let file_bytes = std::fs::metadata(path).map_err(|e| LookupError::Store(redb::StorageError::Io(e).into()))?.len();
    Ok(FileSpace { file_bytes, allocated_bytes: stats.allocated_pages() * stats.page_size() as u64 })
}

/// Compacts `db` (no transaction may be open on it), logging what it gave
/// back; the file's space before and after.
pub(super) fn compact(db: &mut Database, path: &Path) -> Result<(FileSpace, FileSpace), LookupError> {
    let before = file_space(db, path)?;
    let started = Instant::now();
    db.compact().map_err(|e| LookupError::Store(e.into()))?;
    let after = file_space(db, path)?;
    info!(
        message = "Store compacted.",
        path = %path.display(),
        file_bytes_before = before.file_bytes,
        file_bytes_after = after.file_bytes,
        allocated_bytes = after.allocated_bytes,
        elapsed_ms = started.elapsed().as_millis() as u64
    );
    Ok((before, after))
}

/// Compacts `db` when the free share of its file is at least `share` and
/// `min_bytes`; the space before and after when it did.
pub(super) fn compact_if_worth(
    db: &mut Database,
    path: &Path,
    share: f64,
    min_bytes: u64,
) -> Result<Option<(FileSpace, FileSpace)>, LookupError> {
    if !file_space(db, path)?.worth_compacting(share, min_bytes) {
        return Ok(None);
    }
    compact(db, path).map(Some)
}

impl super::Store {
    /// Compacts the store's file now (see the module's doc): the file's
    /// space before and after. Needs the store unshared: no read may be
    /// open meanwhile.
    pub fn compact(&mut self) -> Result<(FileSpace, FileSpace), LookupError> {
        compact(&mut self.db, &self.path)
    }

    /// The file's size and its bytes in allocated pages.
    pub fn file_space(&self) -> Result<FileSpace, LookupError> {
        file_space(&self.db, &self.path)
    }
}

#[cfg(test)]
mod tests;
