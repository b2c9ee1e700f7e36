//! `copydesk.v1.ArticleService` over the store: request checks, paging
//! tokens; the watch streams are in `watch`.

use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use copydesk_proto::v1::article_service_server::ArticleService;
use copydesk_proto::v1::{
    Article, ArticleEvent, BatchGetArticlesRequest, BatchGetArticlesResponse, GetArticleRequest,
    ListArticleRevisionsRequest, ListArticleRevisionsResponse, ListArticlesRequest, ListArticlesResponse,
    LookupArticleRequest, WatchArticlesRequest,
};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use tonic::{Code, Request, Response, Status};

use crate::admission::Admission;
use crate::list_filter::Filter;
use crate::metrics::{Metrics, Rpc};
use crate::read_pool::ReadPool;
use crate::store::Store;
use crate::view::View;
use crate::{LookupConfig, LookupError, blocking};

pub(crate) mod encoded;
pub(crate) mod watch;

mod batch;
mod revisions;

/// Page size when the request names none (AIP-158 leaves it to the server).
pub const DEFAULT_PAGE_SIZE: usize = 50;
/// Larger page sizes are lowered to this.
pub const MAX_PAGE_SIZE: usize = 1000;
/// More ids than this in one BatchGet is refused rather than truncated.
pub const MAX_BATCH_IDS: usize = 1000;
/// Changes a watcher may fall behind before it is dropped.
pub(crate) const WATCH_BUFFER: usize = 1024;

/// Page tokens say which format and filter they belong to, so a token from
/// another listing, or an edited one, is refused rather than misread.
const TOKEN_VERSION: &str = "v1";

/// The service. Cheap to clone: everything is shared.
#[derive(Clone)]
pub struct Lookup {
    pub(crate) store: Arc<Store>,
    /// Every change stored, with its place in the topic (`watch`).
    pub(crate) events: broadcast::Sender<Arc<watch::Event>>,
    pub(crate) ready: tokio::sync::watch::Receiver<bool>,
    /// Ends watch streams on shutdown, so the server's drain is not held open.
    pub(crate) stop: CancellationToken,
    pub(crate) metrics: Arc<Metrics>,
    /// Limits on calls, bytes in flight and watchers; over them, load is shed.
    pub(crate) admission: Admission,
    /// The threads GetArticle and LookupArticle read the store on.
    pub(crate) reads: ReadPool,
    /// What a watch replay reads the articles topic with.
    pub(crate) config: Arc<LookupConfig>,
}

impl Lookup {
    /// Reads are refused until the store has caught up: an absent article
    /// would otherwise be reported as NotFound when it may simply not have
    /// been read yet.
    fn check_ready(&self) -> Result<(), LookupError> {
        if *self.ready.borrow() { Ok(()) } else { Err(LookupError::NotReady) }
    }

    /// Counts and times a call's answer; `started` is taken as the call
    /// enters the service (arguments are evaluated in order, so before the
    /// answer's future runs).
    fn counted<T>(&self, rpc: Rpc, started: Instant, answer: Result<T, Status>) -> Result<T, Status> {
        self.metrics.took(rpc, started.elapsed());
        self.metrics.answered(rpc, answer.as_ref().map_or_else(Status::code, |_| Code::Ok));
        answer
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, LookupError> + Send + 'static,
    ) -> Result<T, LookupError> {
        self.check_ready()?;
        let store = self.store.clone();
        blocking("store read", move || f(&store)).await?
    }
}

fn required(field: &str, value: &str) -> Result<String, LookupError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(LookupError::InvalidArgument(format!("{field}: required")));
    }
    Ok(value.to_string())
}

/// The site filter as stored: hosts are lowercase.
fn site_filter(site: &str) -> Option<String> {
    let site = site.trim();
    (!site.is_empty()).then(|| site.to_ascii_lowercase())
}

pub(crate) fn encode_token(site: Option<&str>, after: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{TOKEN_VERSION}\0{}\0{after}", site.unwrap_or_default()))
}

/// The id to list after, from a token issued for the same site filter.
pub(crate) fn decode_token(token: &str, site: Option<&str>) -> Result<Option<String>, LookupError> {
    if token.is_empty() {
        return Ok(None);
    }
    let invalid = |why: &str| LookupError::InvalidArgument(format!("page_token: {why}"));
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid("not a token this service issued"))?;
    let text = String::from_utf8(bytes).map_err(|_| invalid("not a token this service issued"))?;
    let mut parts = text.splitn(3, '\0');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(TOKEN_VERSION), Some(token_site), Some(after)) if !after.is_empty() => {
            if token_site != site.unwrap_or_default() {
                return Err(invalid("issued for another site or filter"));
            }
            Ok(Some(after.to_string()))
        }
        _ => Err(invalid("not a token this service issued")),
    }
}

/// The calls themselves; the trait's methods below count each answer.
impl Lookup {
    async fn get(&self, request: Request<GetArticleRequest>) -> Result<Response<Article>, Status> {
        let id = required("id", &request.get_ref().id)?;
        let view = View::of(request.get_ref().view)?;
        let mut call = self.admission.call()?;
        // With traces exported, the call's span links to the trace that
        // produced the article; otherwise the link is not even read.
        let span = tracing::Span::current();
        let linked = copydesk_telemetry::traceparent(&span).is_some();
        let found = self.read({
            let id = id.clone();
            move |s| {
                let article = s.get_part_within(&[&id], view.part(), |n| call.reserve(n))?.pop().flatten();
                let trace = if linked { s.trace_of(&id)? } else { None };
                Ok((article, trace, call))
            }
        });
        let (found, trace, call) = found.await?;
        if let Some(tp) = trace {
            copydesk_telemetry::link_to(&span, &tp);
        }
        match found {
            Some(article) => Ok(call.attach(Response::new(view.shape(article)))),
            None => Err(LookupError::NotFound(format!("no article with id {id}")).into()),
        }
    }

    /// BatchGetArticles as the generated server would answer it; served in
    /// bytes by `batch.rs`, whose tests hold it to this.
    async fn batch_get(
        &self,
        request: Request<BatchGetArticlesRequest>,
    ) -> Result<Response<BatchGetArticlesResponse>, Status> {
        let (ids, view) = batch::checked(request.into_inner())?;
        let mut call = self.admission.call()?;
        let (ids, found, call) = self
            .read(move |s| {
                let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
                let found = s.get_part_within(&refs, view.part(), |n| call.reserve(n))?;
                Ok((ids, found, call))
            })
            .await?;
        let mut response = BatchGetArticlesResponse::default();
        // Found articles keep the order they were first asked in.
        for (id, article) in ids.into_iter().zip(found) {
            match article {
                Some(article) => response.articles.push(view.shape(article)),
                None => response.missing_ids.push(id),
            }
        }
        Ok(call.attach(Response::new(response)))
    }

    async fn lookup(&self, request: Request<LookupArticleRequest>) -> Result<Response<Article>, Status> {
        let url = required("url", &request.get_ref().url)?;
        let view = View::of(request.get_ref().view)?;
        let mut call = self.admission.call()?;
        let found = self.read({
            let url = url.clone();
            move |s| Ok((s.find_url_part(&url, view.part(), |n| call.reserve(n))?, call))
        });
        match found.await? {
            (Some(article), call) => Ok(call.attach(Response::new(view.shape(article)))),
            (None, _) => Err(LookupError::NotFound(format!("no article with URL or canonical URL {url}")).into()),
        }
    }

    async fn list(&self, request: Request<ListArticlesRequest>) -> Result<Response<ListArticlesResponse>, Status> {
        let request = request.into_inner();
        let size = match request.page_size {
            n if n < 0 => return Err(LookupError::InvalidArgument("page_size: must not be negative".into()).into()),
            0 => DEFAULT_PAGE_SIZE,
            n => (n as usize).min(MAX_PAGE_SIZE),
        };
        let site = site_filter(&request.site);
        let view = View::of(request.view)?;
        let filter = Filter::of(&request)?;
        let filter_is_empty = filter.is_empty();
        // Tokens name every filter, so one cannot be carried to another listing.
        let token_key = filter.token_key(site.as_deref());
        let after = decode_token(&request.page_token, token_key.as_deref())?;
        let mut call = self.admission.call()?;
        let max_bytes = self.admission.max_response_bytes();
        let (page, call) = self
            .read({
                let site = site.clone();
                move |s| {
                    let keep = move |a: &Article| filter.keeps(a);
                    let keep: Option<&(dyn Fn(&Article) -> bool + Send + Sync)> =
                        if filter_is_empty { None } else { Some(&keep) };
                    let page =
                        s.list_part(site.as_deref(), after.as_deref(), size, (max_bytes, view.part()), keep, |n| {
                            call.reserve(n)
                        })?;
                    Ok((page, call))
                }
            })
            .await?;
        let next_page_token = page.next_after.map(|last| encode_token(token_key.as_deref(), &last)).unwrap_or_default();
        let articles = page.articles.into_iter().map(|a| view.shape(a)).collect();
        Ok(call.attach(Response::new(ListArticlesResponse { articles, next_page_token })))
    }
}

/// Every call is counted by method and status code, here, where the answer
/// (an error already mapped to its status in `error.rs`) leaves the service.
#[tonic::async_trait]
impl ArticleService for Lookup {
    async fn get_article(&self, request: Request<GetArticleRequest>) -> Result<Response<Article>, Status> {
        self.counted(Rpc::Get, Instant::now(), self.get(request).await)
    }

    async fn batch_get_articles(
        &self,
        request: Request<BatchGetArticlesRequest>,
    ) -> Result<Response<BatchGetArticlesResponse>, Status> {
        self.counted(Rpc::BatchGet, Instant::now(), self.batch_get(request).await)
    }

    async fn lookup_article(&self, request: Request<LookupArticleRequest>) -> Result<Response<Article>, Status> {
        self.counted(Rpc::Lookup, Instant::now(), self.lookup(request).await)
    }

    async fn list_articles(
        &self,
        request: Request<ListArticlesRequest>,
    ) -> Result<Response<ListArticlesResponse>, Status> {
        self.counted(Rpc::List, Instant::now(), self.list(request).await)
    }

    type WatchArticlesStream = watch::Stream<Article>;

    /// Counted when the stream opens; how it ends is not a call's answer.
    async fn watch_articles(
        &self,
        request: Request<WatchArticlesRequest>,
    ) -> Result<Response<Self::WatchArticlesStream>, Status> {
        let started = Instant::now();
        let answer = self.watch_articles(request.into_inner()).await;
        self.counted(Rpc::Watch, started, answer.map(Response::new).map_err(Status::from))
    }

    async fn list_article_revisions(
        &self,
        request: Request<ListArticleRevisionsRequest>,
    ) -> Result<Response<ListArticleRevisionsResponse>, Status> {
        self.counted(Rpc::Revisions, Instant::now(), revisions::list(self, request).await)
    }

    type WatchArticleEventsStream = watch::Stream<ArticleEvent>;

    async fn watch_article_events(
        &self,
        request: Request<WatchArticlesRequest>,
    ) -> Result<Response<Self::WatchArticleEventsStream>, Status> {
        let started = Instant::now();
        let answer = self.watch_events(request.into_inner()).await;
        self.counted(Rpc::WatchEvents, started, answer.map(Response::new).map_err(Status::from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip_and_belong_to_their_filter() {
        let token = encode_token(Some("www.bbc.com"), "00ff");
        assert_eq!(decode_token(&token, Some("www.bbc.com")).unwrap().as_deref(), Some("00ff"));
        assert!(matches!(decode_token(&token, None), Err(LookupError::InvalidArgument(_))));
        assert!(matches!(decode_token(&token, Some("other.example")), Err(LookupError::InvalidArgument(_))));
        let unfiltered = encode_token(None, "00ff");
        assert_eq!(decode_token(&unfiltered, None).unwrap().as_deref(), Some("00ff"));
        assert_eq!(decode_token("", None).unwrap(), None);
        for bad in ["not base64!", "djE", &URL_SAFE_NO_PAD.encode("v2\0\0x"), &URL_SAFE_NO_PAD.encode("v1\0\0")] {
            assert!(matches!(decode_token(bad, None), Err(LookupError::InvalidArgument(_))), "{bad}");
        }
    }

    /// Each call is counted once, under its method and the code it answered.
    #[tokio::test]
    async fn every_answer_is_counted_by_method_and_code() {
        let path = std::env::temp_dir().join(format!("copydesk-service-{}.redb", uuid::Uuid::new_v4().simple()));
        let store = Arc::new(Store::open(&path, "articles").unwrap());
        let (ready_tx, ready) = tokio::sync::watch::channel(false);
        let metrics = Arc::new(Metrics::new());
        let (events, _) = broadcast::channel(1);
        let admission = Admission::new(&crate::admission::limits(4, 1 << 20, 1 << 19));
        let stop = CancellationToken::new();
        let config = Arc::new(copydesk_settings::parse_args("serve", ["--store-path", "unused.redb"]).unwrap());
        let reads = ReadPool::new(2).unwrap();
        let service = Lookup { store, events, ready, stop, metrics: metrics.clone(), admission, reads, config };
        let get = |id: &str| {
            service.get_article(Request::new(GetArticleRequest { id: id.to_string(), ..Default::default() }))
        };
        assert_eq!(get("x").await.unwrap_err().code(), Code::Unavailable, "not caught up yet");
        ready_tx.send_replace(true);
        assert_eq!(get("x").await.unwrap_err().code(), Code::NotFound);
        assert_eq!(get(" ").await.unwrap_err().code(), Code::InvalidArgument);
        let list = ListArticlesRequest { page_size: 10, ..Default::default() };
        assert!(service.list_articles(Request::new(list)).await.unwrap().into_inner().articles.is_empty());
        drop(service);
        let _ = std::fs::remove_file(&path);

        let text = metrics.encode();
        let count = |method: &str, code: &str| {
            let series = format!("copydesk_lookup_requests_total{{method=\"{method}\",code=\"{code}\"}} ");
            let line = text.lines().find(|l| l.starts_with(&series)).unwrap_or_else(|| panic!("no {series}"));
            line[series.len()..].parse::<u64>().unwrap()
        };
        assert_eq!(count("Get", "UNAVAILABLE"), 1);
        assert_eq!(count("Get", "NOT_FOUND"), 1);
        assert_eq!(count("Get", "INVALID_ARGUMENT"), 1);
        assert_eq!(count("Get", "OK"), 0);
        assert_eq!(count("List", "OK"), 1);
        assert_eq!(count("Lookup", "OK"), 0);
    }

    #[test]
    fn site_filters_are_hosts_in_lowercase() {
        assert_eq!(site_filter(" WWW.BBC.com "), Some("www.bbc.com".to_string()));
        assert_eq!(site_filter("  "), None);
    }
}
