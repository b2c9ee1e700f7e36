//! Reads of current articles by id and by URL, whole or their heads, in
//! one snapshot, with the caller told their decoded size before anything
//! is decompressed.

use redb::ReadableDatabase;

use super::{ARTICLES, Articles, Part, Reserved, Store, pieces, record, tails, url_index, url_key};
use crate::LookupError;
use copydesk_proto::v1::Article;

impl Store {
    pub fn get(&self, id: &str) -> Result<Option<Article>, LookupError> {
        Ok(self.get_many(&[id])?.pop().flatten())
    }

    /// Several articles read in one snapshot, in the order asked.
    pub fn get_many(&self, ids: &[&str]) -> Result<Vec<Option<Article>>, LookupError> {
        self.get_many_within(ids, |_| Ok(()))
    }

    /// [`Store::get_many`], with `reserve` told the decoded bytes of what
    /// was found before anything is decompressed, so that a caller can
    /// refuse (or budget) a large answer before it takes memory.
    pub fn get_many_within(&self, ids: &[&str], reserve: impl FnOnce(usize) -> Reserved) -> Articles {
        self.get_part_within(ids, Part::Whole, reserve)
    }

    /// [`Store::get_many_within`] reading only `part` of each article.
    pub fn get_part_within(&self, ids: &[&str], part: Part, reserve: impl FnOnce(usize) -> Reserved) -> Articles {
        let found = self.load_within(ids, part, reserve)?;
        ids.iter().zip(found).map(|(id, bytes)| bytes.map(|b| record::decode(id, &b, part)).transpose()).collect()
    }

    /// The stored records of `ids` (for `part`), read in one snapshot, and
    /// `reserve` told the bytes they decode to, before any is decompressed.
    pub(super) fn load_within(
        &self,
        ids: &[&str],
        part: Part,
        reserve: impl FnOnce(usize) -> Reserved,
    ) -> Result<Vec<Option<Vec<u8>>>, LookupError> {
        let txn = self.db.begin_read()?;
        let (articles, pieces, tails) =
            (txn.open_table(ARTICLES)?, txn.open_table(pieces::PIECES)?, txn.open_table(tails::TAILS)?);
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            found.push(pieces::load(&articles, &pieces, &tails, id, part)?);
        }
        reserve(found.iter().flatten().map(|bytes| record::decoded_len(bytes, part)).sum())?;
        Ok(found)
    }

    /// The article whose URL or canonical URL is `url` (after [`url_key`]).
    pub fn find_url(&self, url: &str) -> Result<Option<Article>, LookupError> {
        self.find_url_within(url, |_| Ok(()))
    }

    /// [`Store::find_url`], reserving as [`Store::get_many_within`] does.
    pub fn find_url_within(
        &self,
        url: &str,
        reserve: impl FnOnce(usize) -> Reserved,
    ) -> Result<Option<Article>, LookupError> {
        self.find_url_part(url, Part::Whole, reserve)
    }

    /// [`Store::find_url_within`] reading only `part` of the article.
    pub fn find_url_part(
        &self,
        url: &str,
        part: Part,
        reserve: impl FnOnce(usize) -> Reserved,
    ) -> Result<Option<Article>, LookupError> {
        let txn = self.db.begin_read()?;
        let urls = txn.open_table(url_index::URL_OWNERS)?;
        let Some(id) = url_index::owner(&urls, &url_key(url))? else { return Ok(None) };
        Ok(self.get_part_within(&[&id], part, reserve)?.pop().flatten())
    }
}
