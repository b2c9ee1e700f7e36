//! Where the store file's bytes go, for benchmarks and measurements: the
//! records' bytes and redb's pages by kind.

use redb::ReadableTable;

use super::{ARTICLES, Store, pieces, revisions};
use crate::LookupError;

impl Store {
    /// Where the file's bytes go, for benchmarks: the records' bytes (all
    /// revisions), and redb's pages by kind.
    pub fn space(&self) -> Result<String, LookupError> {
        let txn = self.db.begin_write()?;
        let mut records = 0;
        for entry in txn.open_table(ARTICLES)?.iter()? {
            records += entry?.1.value().len();
        }
        for entry in txn.open_table(pieces::PIECES)?.iter()? {
            records += entry?.1.value().len();
        }
        for entry in txn.open_table(revisions::REVISIONS)?.iter()? {
            records += entry?.1.value().len();
        }
        let stats = txn.stats()?;
        let page = stats.page_size() as u64;
        let text = format!(
            "records {records} bytes; pages: {} allocated, {} leaf, {} branch ({} bytes each); stored {} bytes, metadata {}, fragmented {}",
            stats.allocated_pages(),
            stats.leaf_pages(),
            stats.branch_pages(),
            page,
            stats.stored_bytes(),
            stats.metadata_bytes(),
            stats.fragmented_bytes()
        );
        txn.abort()?;
        Ok(text)
    }
}
