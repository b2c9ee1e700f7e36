//! WatchArticles and WatchArticleEvents: one feed per watcher, of the changes
//! the materialiser stores, after the existing articles (`include_existing`)
//! or after a replay of the topic from a resume token.
//!
//! Every change is broadcast with its partition and offset in the articles
//! topic, and a feed keeps, per partition, the next offset it has passed:
//! that map is the resume token. A feed subscribes to the broadcast before
//! it reads the store's offsets, so every change at or past them comes on
//! the broadcast; a change before them was already listed or replayed, and
//! is dropped when the broadcast brings it too. WatchArticles is the same
//! feed with only the stored articles kept (it never saw deletions).

mod replay;
mod resume;

use std::collections::BTreeMap;

use copydesk_proto::v1::article_event::Event as Kind;
use copydesk_proto::v1::{Article, ArticleEvent, WatchArticlesRequest, WatchCaughtUp};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

use self::replay::Replay;
use self::resume::{Position, now_secs};
use super::{Lookup, site_filter};
use crate::store::Change;
use crate::{LookupError, blocking};

/// One stored change and where it was read in the articles topic.
#[derive(Debug)]
pub(crate) struct Event {
    pub(crate) partition: i32,
    pub(crate) offset: i64,
    pub(crate) kind: Kind,
}

impl Event {
    pub(crate) fn of(partition: i32, offset: i64, change: Change) -> Event {
        let kind = match change {
            Change::Upsert { article, .. } => Kind::Upserted(*article),
            Change::Delete { id } => Kind::DeletedId(id),
        };
        Event { partition, offset, kind }
    }
}

pub(crate) type Stream<T> = ReceiverStream<Result<T, Status>>;

/// Existing articles are read from the store this many at a time.
const LISTING_PAGE: usize = 256;

impl Lookup {
    /// WatchArticles: stored articles only, as before deletions were streamed.
    pub(super) async fn watch_articles(&self, request: WatchArticlesRequest) -> Result<Stream<Article>, LookupError> {
        if !request.resume_token.is_empty() {
            return Err(LookupError::InvalidArgument(
                "resume_token: only WatchArticleEvents resumes (it is what sends the tokens)".into(),
            ));
        }
        self.open_feed(request, None, |event| match event.event {
            Some(Kind::Upserted(article)) => Some(article),
            _ => None,
        })
        .await
    }

    /// WatchArticleEvents: every change, each with its resume token.
    pub(super) async fn watch_events(
        &self,
        request: WatchArticlesRequest,
    ) -> Result<Stream<ArticleEvent>, LookupError> {
        let resume = match request.resume_token.as_str() {
            "" => None,
            token => Some(Position::decode(token)?),
        };
        self.open_feed(request, resume, Some).await
    }

    /// Takes a watcher slot, fixes where the feed starts (checking a resume
    /// token against the store and the topic, so that a refusal is the
    /// call's status), then feeds the stream from a task of its own.
    async fn open_feed<T: Send + 'static>(
        &self,
        request: WatchArticlesRequest,
        resume: Option<Position>,
        shape: fn(ArticleEvent) -> Option<T>,
    ) -> Result<Stream<T>, LookupError> {
        let slot = self.admission.watcher()?;
        // Subscribed before the store's offsets are read: see the module's doc.
        let live = self.events.subscribe();
        let store = self.store.clone();
        let (stored, topic_id) =
            blocking("store read", move || Ok::<_, LookupError>((store.offsets()?, store.topic_id()?))).await??;
        let topic_id = topic_id.unwrap_or_default();
        let (start, next) = match resume {
            None => (Start::Listing(request.include_existing), stored.clone()),
            Some(token) => {
                // While the store catches up (or is rebuilt for a re-created
                // topic) its offsets and topic id are not yet the topic's.
                self.check_ready()?;
                self.check_token(&token, &topic_id)?;
                let replay = Replay::start(&self.admission, &self.config, &token.next, &stored).await?;
                (Start::Replay(replay), token.next)
            }
        };
        let (tx, rx) = mpsc::channel(64);
        let feed = Feed { service: self.clone(), tx, shape, site: site_filter(&request.site), topic_id, next };
        tokio::spawn(async move {
            feed.run(live, start, stored).await;
            // The watcher's slot is free once its feed has ended.
            drop(slot);
        });
        Ok(ReceiverStream::new(rx))
    }

    /// A token of another incarnation of the topic, or older than the
    /// resume window, cannot be replayed exactly.
    fn check_token(&self, token: &Position, topic_id: &str) -> Result<(), LookupError> {
        if !token.topic_id.is_empty() && !topic_id.is_empty() && token.topic_id != topic_id {
            return Err(LookupError::ResumeExpired(
                "the articles topic was deleted and created again since it was issued".into(),
            ));
        }
        let max_age = self.config.watch_resume_max_secs;
        let age = now_secs().saturating_sub(token.issued);
        if max_age > 0 && age > max_age {
            return Err(LookupError::ResumeExpired(format!(
                "issued {age} s ago, over the {max_age} s resume window (the topic's deletions may be compacted away)"
            )));
        }
        Ok(())
    }
}

/// What a feed sends before the live changes.
enum Start {
    /// The stored articles first, if asked (WatchArticles' `include_existing`).
    Listing(bool),
    /// The changes after a resume token, if any are before the store's offsets.
    Replay(Option<Replay>),
}

/// One watcher's feed.
struct Feed<T> {
    service: Lookup,
    tx: mpsc::Sender<Result<T, Status>>,
    /// Turns an event into what the stream carries, or leaves it out.
    shape: fn(ArticleEvent) -> Option<T>,
    site: Option<String>,
    topic_id: String,
    /// Partition -> the next offset to send: the resume token.
    next: BTreeMap<i32, i64>,
}

impl<T: Send + 'static> Feed<T> {
    /// Feeds the watcher until it hangs up, falls too far behind, or the
    /// service stops.
    async fn run(
        mut self,
        mut live: broadcast::Receiver<std::sync::Arc<Event>>,
        start: Start,
        stored: BTreeMap<i32, i64>,
    ) {
        let stop = self.service.stop.clone();
        match start {
            Start::Listing(false) | Start::Replay(None) => {}
            Start::Listing(true) => {
                if !self.list_existing().await {
                    return;
                }
            }
            Start::Replay(Some(mut replay)) => loop {
                let event = tokio::select! {
                    _ = stop.cancelled() => return self.end(LookupError::ShuttingDown),
                    _ = self.tx.closed() => return,
                    event = replay.next() => event,
                };
                match event {
                    Some(event) => {
                        if !self.send(&event).await {
                            return;
                        }
                    }
                    None => break,
                }
            },
        }
        // The replay stopped at the store's offsets; a token further on keeps its own.
        for (p, end) in stored {
            let next = self.next.entry(p).or_insert(end);
            *next = (*next).max(end);
        }
        let caught_up = ArticleEvent { event: Some(Kind::CaughtUp(WatchCaughtUp {})), resume_token: self.token() };
        if !self.deliver(caught_up).await {
            return;
        }
        let mut ready = self.service.ready.clone();
        loop {
            // Readiness withdrawn once reached means the topic was deleted or
            // re-created: this feed's offsets mean nothing in the new one.
            // (Only bools leave the awaits: a watch guard must not live across one.)
            let withdrawn = async {
                let reached = ready.wait_for(|ready| *ready).await.is_ok();
                reached && ready.wait_for(|ready| !*ready).await.is_ok()
            };
            let received = tokio::select! {
                _ = stop.cancelled() => return self.end(LookupError::ShuttingDown),
                _ = self.tx.closed() => return,
                true = withdrawn => return self.end(LookupError::NotReady),
                received = live.recv() => received,
            };
            match received {
                Ok(event) => {
                    if !self.send(&event).await {
                        return;
                    }
                }
                Err(RecvError::Lagged(n)) => return self.end(LookupError::WatcherLagged(n)),
                Err(RecvError::Closed) => return,
            }
        }
    }

    /// Sends one change unless the feed is already past it; false when the
    /// watcher is gone or the service is stopping.
    async fn send(&mut self, event: &Event) -> bool {
        let next = self.next.entry(event.partition).or_insert(0);
        if event.offset < *next {
            return true;
        }
        *next = event.offset + 1;
        if let (Some(site), Kind::Upserted(article)) = (&self.site, &event.kind)
            && article.site != *site
        {
            return true;
        }
        let resume_token = self.token();
        self.deliver(ArticleEvent { event: Some(event.kind.clone()), resume_token }).await
    }

    /// The stored articles, in id order, a page at a time; they carry no
    /// token, as they are a listing, not changes.
    async fn list_existing(&self) -> bool {
        let mut after: Option<String> = None;
        loop {
            let (store, site, from) = (self.service.store.clone(), self.site.clone(), after.take());
            let read = blocking("store read", move || store.list(site.as_deref(), from.as_deref(), LISTING_PAGE));
            let page = match read.await {
                Ok(Ok(page)) => page,
                Ok(Err(e)) | Err(e) => {
                    self.end(e);
                    return false;
                }
            };
            for article in page.articles {
                let event = ArticleEvent { event: Some(Kind::Upserted(article)), resume_token: String::new() };
                if !self.deliver(event).await {
                    return false;
                }
            }
            match page.next_after {
                Some(last) => after = Some(last),
                None => return true,
            }
        }
    }

    fn token(&self) -> String {
        Position { topic_id: self.topic_id.clone(), issued: now_secs(), next: self.next.clone() }.encode()
    }

    /// Hands one event to the stream, shaped for its call. False when the
    /// watcher is gone or the service is stopping: a slow client blocks
    /// only its own feed, and never the shutdown.
    async fn deliver(&self, event: ArticleEvent) -> bool {
        let Some(item) = (self.shape)(event) else { return true };
        tokio::select! {
            _ = self.service.stop.cancelled() => {
                self.end(LookupError::ShuttingDown);
                false
            }
            sent = self.tx.send(Ok(item)) => sent.is_ok(),
        }
    }

    /// Ends the stream with `error` if the watcher can still take it.
    fn end(&self, error: LookupError) {
        let _ = self.tx.try_send(Err(error.into()));
    }
}
