//! Where the store file's bytes go, for benchmarks and measurements: the
//! records' bytes, redb's pages by kind, and each table's pages.

use redb::{ReadableTable, ReadableTableMetadata, TableHandle, WriteTransaction};

use super::{ARTICLES, SITES, Store, TRACES, pieces, revisions, tails, url_index};
use crate::LookupError;

impl Store {
    /// Where the file's bytes go, for benchmarks: the records' bytes (all
    /// revisions; the packed first bytes with their blobs' directories and
    /// dead bytes), redb's pages by kind, then each table's pages and the
    /// bytes of its keys and values.
    pub fn space(&self) -> Result<String, LookupError> {
        let txn = self.db.begin_write()?;
        let mut records = 0;
        for entry in txn.open_table(ARTICLES)?.iter()? {
            records += entry?.1.value().len();
        }
        for entry in txn.open_table(pieces::PIECES)?.iter()? {
            records += entry?.1.value().len();
        }
        for entry in txn.open_table(tails::TAILS)?.iter()? {
            records += entry?.1.value().len();
        }
        for entry in txn.open_table(revisions::REVISIONS)?.iter()? {
            records += entry?.1.value().len();
        }
        let stats = txn.stats()?;
        let page = stats.page_size() as u64;
        let mut text = format!(
            "records {records} bytes; pages: {} allocated, {} leaf, {} branch ({} bytes each); stored {} bytes, metadata {}, fragmented {}",
            stats.allocated_pages(),
            stats.leaf_pages(),
            stats.branch_pages(),
            page,
            stats.stored_bytes(),
            stats.metadata_bytes(),
            stats.fragmented_bytes()
        );
        text.push_str(&tables(&txn)?);
        txn.abort()?;
        Ok(text)
    }
}

/// Each table's leaf and branch pages and stored bytes, as `; name: ...`.
fn tables(txn: &WriteTransaction) -> Result<String, LookupError> {
    let mut text = String::new();
    let mut add = |name: &str, stats: redb::TableStats| {
        text.push_str(&format!(
            "; {name}: {} leaf + {} branch pages, stored {} bytes, fragmented {}",
            stats.leaf_pages(),
            stats.branch_pages(),
            stats.stored_bytes(),
            stats.fragmented_bytes()
        ));
    };
    add(ARTICLES.name(), txn.open_table(ARTICLES)?.stats()?);
    add(pieces::PIECES.name(), txn.open_table(pieces::PIECES)?.stats()?);
    add(tails::TAILS.name(), txn.open_table(tails::TAILS)?.stats()?);
    add(url_index::URL_OWNERS.name(), txn.open_table(url_index::URL_OWNERS)?.stats()?);
    add(SITES.name(), txn.open_table(SITES)?.stats()?);
    add(TRACES.name(), txn.open_table(TRACES)?.stats()?);
    add(revisions::REVISIONS.name(), txn.open_table(revisions::REVISIONS)?.stats()?);
    Ok(text)
}
