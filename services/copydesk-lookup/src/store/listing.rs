//! Listings over the store: articles in id order, of one site or of all,
//! a page at a time, within a byte budget and a filter's scan budget.

use std::ops::Bound;

use copydesk_proto::v1::Article;
use redb::ReadableDatabase;

use super::record::{self, Part};
use super::{ARTICLES, Page, Reserved, SITES, Store, pieces, tails};
use crate::LookupError;
use crate::list_filter::SCAN_BUDGET;

/// Listings reserve room for at most this many ids up front.
const MAX_PREALLOCATED: usize = 1024;

impl Store {
    /// Up to `limit` articles after the id `after`, in id order, of one site
    /// or of all. The order is the keys', so it is stable across calls and an
    /// article present throughout a listing is returned exactly once.
    pub fn list(&self, site: Option<&str>, after: Option<&str>, limit: usize) -> Result<Page, LookupError> {
        self.list_within(site, after, limit, usize::MAX, None, |_| Ok(()))
    }

    /// [`Store::list`], with the page also ended before its stored bytes
    /// pass `max_bytes` (one article at least, so a listing always moves on),
    /// only articles `keep` accepts (at most [`SCAN_BUDGET`] or 20 per asked
    /// result examined: a page out of budget is short, and goes on after the
    /// last one examined), and `reserve` told the page's bytes before the
    /// page is decoded.
    pub fn list_within(
        &self,
        site: Option<&str>,
        after: Option<&str>,
        limit: usize,
        max_bytes: usize,
        keep: Option<&(dyn Fn(&Article) -> bool + Send + Sync)>,
        reserve: impl FnOnce(usize) -> Reserved,
    ) -> Result<Page, LookupError> {
        self.list_part(site, after, limit, (max_bytes, Part::Whole), keep, reserve)
    }

    /// [`Store::list_within`] reading only `part` of each article; the
    /// byte budget is of that part.
    pub fn list_part(
        &self,
        site: Option<&str>,
        after: Option<&str>,
        limit: usize,
        (max_bytes, part): (usize, Part),
        keep: Option<&(dyn Fn(&Article) -> bool + Send + Sync)>,
        reserve: impl FnOnce(usize) -> Reserved,
    ) -> Result<Page, LookupError> {
        let txn = self.db.begin_read()?;
        let (articles, pieces, tails) =
            (txn.open_table(ARTICLES)?, txn.open_table(pieces::PIECES)?, txn.open_table(tails::TAILS)?);
        let candidates: Box<dyn Iterator<Item = Result<String, LookupError>>> = match site {
            None => {
                let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
                let range = articles.range::<&str>((lower, Bound::Unbounded))?;
                Box::new(range.map(|entry| Ok(entry?.0.value().to_string())))
            }
            Some(site) => {
                let sites = txn.open_table(SITES)?;
                let lower = match after {
                    Some(after) => Bound::Excluded((site, after)),
                    None => Bound::Included((site, "")),
                };
                let range = sites.range::<(&str, &str)>((lower, Bound::Unbounded))?;
                let site = site.to_string();
                Box::new(
                    range
                        .map(move |entry| {
                            let (key, _) = entry?;
                            let (entry_site, id) = key.value();
                            Ok((entry_site == site).then(|| id.to_string()))
                        })
                        .take_while(|id: &Result<Option<String>, LookupError>| !matches!(id, Ok(None)))
                        .map(|id| id.map(Option::unwrap_or_default)),
                )
            }
        };
        // One more than asked tells whether another page follows.
        let mut ids: Vec<String> = Vec::with_capacity(limit.min(MAX_PREALLOCATED) + 1);
        let budget = if keep.is_some() { SCAN_BUDGET.max(limit.saturating_mul(20)) } else { usize::MAX };
        let (mut examined, mut resume) = (0, None);
        for id in candidates {
            if ids.len() > limit {
                break;
            }
            let id = id?;
            if let Some(keep) = keep {
                if examined == budget {
                    break;
                }
                examined += 1;
                // Filters read only the head: no body is read or decompressed
                // to test one, and a damaged article is left out, not an error.
                let kept = match pieces::load(&articles, &pieces, &tails, &id, Part::Head) {
                    Ok(Some(bytes)) => record::decode(&id, &bytes, Part::Head).is_ok_and(|a| keep(&a)),
                    Ok(None) | Err(LookupError::CorruptRecord { .. }) => false,
                    Err(error) => return Err(error),
                };
                if !kept {
                    resume = Some(id);
                    continue;
                }
                resume = None;
            }
            ids.push(id);
        }
        // Only a scan that ran out of budget after a left-out article resumes there.
        if examined < budget {
            resume = None;
        }
        let mut more = ids.len() > limit;
        ids.truncate(limit);
        // Indexes and articles change in the same transactions, so an
        // indexed id is always stored in this snapshot.
        let mut stored = Vec::with_capacity(ids.len());
        let (mut total, mut cut) = (0, None);
        for (i, id) in ids.iter().enumerate() {
            let Some(bytes) = pieces::load(&articles, &pieces, &tails, id, part)? else { continue };
            let size = record::decoded_len(&bytes, part);
            if i > 0 && total + size > max_bytes {
                cut = Some(i);
                break;
            }
            total += size;
            stored.push((i, bytes));
        }
        reserve(total)?;
        let page = stored
            .into_iter()
            .map(|(i, bytes)| record::decode(&ids[i], &bytes, part))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(cut) = cut {
            ids.truncate(cut);
            more = true;
        }
        let next_after = match (more, resume) {
            (true, _) => ids.pop(),
            (false, Some(resume)) => Some(resume),
            (false, None) if examined == budget => ids.pop(),
            (false, None) => None,
        };
        Ok(Page { articles: page, next_after })
    }
}
