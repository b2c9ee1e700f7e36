//! GetArticle, LookupArticle and BatchGetArticles (`batch.rs`) answered
//! with the articles' protobuf bytes as the store gives them
//! (`crate::encoded`), instead of decoding the articles for tonic to encode
//! again; every other method goes to the generated server. The bytes are
//! what the generated methods would send.
//!
//! [`Articles`] routes by path like the generated server, and sits in the
//! same place: the token guard, the server's layers (deadlines, stream and
//! admission limits, the call's span) and the counted answer all apply.
//!
//! Their reads run on the read pool (`crate::read_pool`), never on the
//! async workers; an article over [`POOL_BYTES`] is read again on tokio's
//! blocking pool, so that decompressing a page of megabytes never holds a
//! pool thread that the short reads queue for. A hot article asked by id is
//! answered from memory on the async worker itself: no hop, no read.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use copydesk_proto::v1::article_service_server::{ArticleServiceServer, SERVICE_NAME};
use copydesk_proto::v1::{BatchGetArticlesRequest, GetArticleRequest, LookupArticleRequest};
use tonic::codegen::{Body, BoxFuture, Service, StdError};
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::{Request, Response, Status};

use super::batch::BatchGetEncoded;
use super::{Lookup, required};
use crate::LookupError;
use crate::admission::Call;
use crate::encoded::{Encoded, EncodedCodec};
use crate::metrics::Rpc;
use crate::store::{Found, Part, Store};
use crate::view::View;

const GET: &str = "/copydesk.v1.ArticleService/GetArticle";
const LOOKUP: &str = "/copydesk.v1.ArticleService/LookupArticle";
const BATCH_GET: &str = "/copydesk.v1.ArticleService/BatchGetArticles";

/// The largest article (decoded bytes of the part asked for) read on the
/// read pool; larger ones (rare: the 99th percentile of the dev corpus is
/// under 64 KB) are read on a blocking thread.
pub(crate) const POOL_BYTES: usize = 64 << 10;

/// ArticleService: two methods answered with encoded articles, the rest by
/// the generated server.
#[derive(Clone)]
pub(crate) struct Articles {
    generated: ArticleServiceServer<Lookup>,
    lookup: Arc<Lookup>,
    max_decoding: usize,
    max_encoding: usize,
}

impl Articles {
    /// The service, with the same message size limits on every method.
    pub(crate) fn new(lookup: Lookup, max_decoding: usize, max_encoding: usize) -> Articles {
        let lookup = Arc::new(lookup);
        let generated = ArticleServiceServer::from_arc(lookup.clone())
            .max_decoding_message_size(max_decoding)
            .max_encoding_message_size(max_encoding);
        Articles { generated, lookup, max_decoding, max_encoding }
    }

    fn grpc<Req: prost::Message + Default + Send + 'static>(&self) -> Grpc<EncodedCodec<Req>> {
        // No compression, as the generated server is configured.
        Grpc::new(EncodedCodec::default())
            .apply_max_message_size_config(Some(self.max_decoding), Some(self.max_encoding))
    }
}

impl NamedService for Articles {
    const NAME: &'static str = SERVICE_NAME;
}

impl<B> Service<http::Request<B>> for Articles
where
    B: Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Infallible>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // As the generated server: always ready, load is shed per call.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let lookup = self.lookup.clone();
        match request.uri().path() {
            GET => {
                let mut grpc = self.grpc::<GetArticleRequest>();
                Box::pin(async move { Ok(grpc.unary(GetEncoded(lookup), request).await) })
            }
            LOOKUP => {
                let mut grpc = self.grpc::<LookupArticleRequest>();
                Box::pin(async move { Ok(grpc.unary(LookupEncoded(lookup), request).await) })
            }
            BATCH_GET => {
                let mut grpc = self.grpc::<BatchGetArticlesRequest>();
                Box::pin(async move { Ok(grpc.unary(BatchGetEncoded(lookup), request).await) })
            }
            _ => self.generated.call(request),
        }
    }
}

struct GetEncoded(Arc<Lookup>);

impl UnaryService<GetArticleRequest> for GetEncoded {
    type Response = Encoded;
    type Future = BoxFuture<Response<Encoded>, Status>;

    fn call(&mut self, request: Request<GetArticleRequest>) -> Self::Future {
        let lookup = self.0.clone();
        Box::pin(async move { lookup.counted(Rpc::Get, Instant::now(), lookup.get_encoded(request).await) })
    }
}

struct LookupEncoded(Arc<Lookup>);

impl UnaryService<LookupArticleRequest> for LookupEncoded {
    type Response = Encoded;
    type Future = BoxFuture<Response<Encoded>, Status>;

    fn call(&mut self, request: Request<LookupArticleRequest>) -> Self::Future {
        let lookup = self.0.clone();
        Box::pin(async move { lookup.counted(Rpc::Lookup, Instant::now(), lookup.lookup_encoded(request).await) })
    }
}

/// One article's read: by id or by URL, up to a size limit.
type Read = fn(&Store, &str, Part, usize, &mut Call) -> Result<Found, LookupError>;

/// Whether a read's key may be answered from the hot articles, which are
/// kept by id (a URL's owner can change without its article changing).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hot {
    ById,
    No,
}

impl Lookup {
    /// GetArticle: as [`Lookup::get`] answers it, in bytes.
    pub(crate) async fn get_encoded(&self, request: Request<GetArticleRequest>) -> Result<Response<Encoded>, Status> {
        let id = required("id", &request.get_ref().id)?;
        let view = View::of(request.get_ref().view)?;
        let read: Read = |s, id, part, limit, call| s.get_encoded_within(id, part, limit, |n| call.reserve(n));
        let (found, call) = self.read_encoded(id.clone(), view.part(), read, Hot::ById).await?;
        let Found::Bytes(bytes) = found else {
            return Err(LookupError::NotFound(format!("no article with id {id}")).into());
        };
        // With traces exported, the call's span links to the trace that
        // produced the article; otherwise the link is not even read.
        let span = tracing::Span::current();
        if copydesk_telemetry::traceparent(&span).is_some()
            && let Some(tp) = self.read(move |s| s.trace_of(&id)).await?
        {
            copydesk_telemetry::link_to(&span, &tp);
        }
        Ok(call.attach(Response::new(bytes.into())))
    }

    /// LookupArticle: as [`Lookup::lookup`] answers it, in bytes.
    pub(crate) async fn lookup_encoded(
        &self,
        request: Request<LookupArticleRequest>,
    ) -> Result<Response<Encoded>, Status> {
        let url = required("url", &request.get_ref().url)?;
        let view = View::of(request.get_ref().view)?;
        let read: Read = |s, url, part, limit, call| s.find_url_encoded_within(url, part, limit, |n| call.reserve(n));
        match self.read_encoded(url.clone(), view.part(), read, Hot::No).await? {
            (Found::Bytes(bytes), call) => Ok(call.attach(Response::new(bytes.into()))),
            _ => Err(LookupError::NotFound(format!("no article with URL or canonical URL {url}")).into()),
        }
    }

    /// Admits the call and answers a hot article at once; reads others on
    /// the read pool, or, when the article is over [`POOL_BYTES`], again on
    /// a blocking thread.
    async fn read_encoded(&self, key: String, part: Part, read: Read, hot: Hot) -> Result<(Found, Call), LookupError> {
        let mut call = self.admission.call()?;
        self.check_ready()?;
        if hot == Hot::ById
            && let Some(answer) = self.store.hot_encoded(&key, part)
        {
            call.reserve(answer.len())?;
            self.metrics.hot_answer();
            return Ok((Found::Bytes(answer), call));
        }
        let store = self.store.clone();
        let (found, mut call, key) = self
            .reads
            .run("store read", move || Ok((read(&store, &key, part, POOL_BYTES, &mut call)?, call, key)))
            .await?;
        if hot == Hot::ById {
            self.metrics.set_hot_bytes(self.store.hot_bytes());
        }
        match found {
            Found::Larger(_) => self.read(move |s| Ok((read(s, &key, part, usize::MAX, &mut call)?, call))).await,
            found => Ok((found, call)),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use copydesk_proto::v1::{Article, ArticleView, Block};
    use prost::Message;
    use tokio::sync::broadcast;
    use tokio_util::sync::CancellationToken;
    use tonic::Code;

    use super::*;
    use crate::admission::{Admission, limits};
    use crate::metrics::Metrics;
    use crate::read_pool::ReadPool;
    use crate::service::ArticleService;
    use crate::store::tests::Temp;
    use crate::store::{Batch, Change};

    pub(in crate::service) fn service(
        path: &std::path::Path,
        calls: usize,
    ) -> (Lookup, tokio::sync::watch::Sender<bool>) {
        let store = Arc::new(Store::open(path, "articles").unwrap());
        let (ready_tx, ready) = tokio::sync::watch::channel(false);
        let (events, _) = broadcast::channel(1);
        let admission = Admission::new(&limits(calls, 64 << 20, 16 << 20));
        let config = Arc::new(copydesk_settings::parse_args("serve", ["--store-path", "unused.redb"]).unwrap());
        let stop = CancellationToken::new();
        let reads = ReadPool::new(2).unwrap();
        (Lookup { store, events, ready, stop, metrics: Arc::new(Metrics::new()), admission, reads, config }, ready_tx)
    }

    /// A ready service over a store of its own that holds `articles`; the
    /// store's file goes with the [`Temp`].
    pub(in crate::service) fn serving(calls: usize, articles: &[&Article]) -> (Arc<Lookup>, Temp) {
        let temp = Temp::new();
        let (lookup, ready) = service(&temp.path, calls);
        let changes =
            articles.iter().map(|a| Change::Upsert { id: a.id.clone(), article: Box::new((*a).clone()) }).collect();
        lookup.store.apply(&Batch { changes, ..Batch::default() }).unwrap();
        ready.send_replace(true);
        (Arc::new(lookup), temp)
    }

    pub(in crate::service) fn article(id: &str, words: usize) -> Article {
        Article {
            id: id.into(),
            url: format!("https://s.example/{id}"),
            site: "s.example".into(),
            title: format!("Title {id}"),
            text: "Some words here. ".repeat(words),
            blocks: vec![Block { text: "Some words here.".into(), kind: 1, ..Block::default() }; words / 10],
            tags: vec!["t".into()],
            content_hash: format!("{id}{words}"),
            ..Article::default()
        }
    }

    /// The message bytes of an answer: what the codec's `Writer` puts in the frame.
    pub(in crate::service) fn framed(answer: Response<Encoded>) -> Vec<u8> {
        answer.into_inner().to_vec()
    }

    /// Every view of small and large (blocking-read) articles, by id and by
    /// URL: the bytes sent are those of the article the generated methods
    /// answer, and errors carry the same codes.
    #[tokio::test]
    async fn answers_are_byte_identical_to_the_generated_methods() {
        let path = std::env::temp_dir().join(format!("copydesk-encoded-{}.redb", uuid::Uuid::new_v4().simple()));
        let (lookup, ready) = service(&path, 8);
        let (small, large) = (article("small", 40), article("large", 8000));
        assert!(large.encoded_len() > POOL_BYTES && small.encoded_len() < POOL_BYTES);
        let changes = [&small, &large]
            .iter()
            .map(|a| Change::Upsert { id: a.id.clone(), article: Box::new((*a).clone()) })
            .collect();
        lookup.store.apply(&Batch { changes, offsets: [(0, 2)].into(), traces: Vec::new() }).unwrap();
        let get = |id: &str, view: i32| GetArticleRequest { id: id.into(), view };
        let by_url = |id: &str, view: i32| LookupArticleRequest { url: format!("https://s.example/{id}/"), view };
        assert_eq!(lookup.get_encoded(Request::new(get("small", 0))).await.unwrap_err().code(), Code::Unavailable);
        ready.send_replace(true);
        for id in ["small", "large"] {
            for view in [ArticleView::Unspecified, ArticleView::Basic, ArticleView::Full].map(|v| v as i32) {
                let want = lookup.get_article(Request::new(get(id, view))).await.unwrap().into_inner();
                let sent = framed(lookup.get_encoded(Request::new(get(id, view))).await.unwrap());
                assert_eq!(sent, want.encode_to_vec(), "GetArticle {id}, view {view}");
                let want = lookup.lookup_article(Request::new(by_url(id, view))).await.unwrap().into_inner();
                let sent = framed(lookup.lookup_encoded(Request::new(by_url(id, view))).await.unwrap());
                assert_eq!(sent, want.encode_to_vec(), "LookupArticle {id}, view {view}");
            }
        }
        for (id, view) in [("nope", 0), (" ", 0), ("small", 99)] {
            let want = lookup.get_article(Request::new(get(id, view))).await.unwrap_err();
            let got = lookup.get_encoded(Request::new(get(id, view))).await.unwrap_err();
            assert_eq!((got.code(), got.message()), (want.code(), want.message()), "GetArticle {id:?}, view {view}");
            let want = lookup.lookup_article(Request::new(by_url(id, view))).await.unwrap_err();
            let got = lookup.lookup_encoded(Request::new(by_url(id, view))).await.unwrap_err();
            assert_eq!(got.code(), want.code(), "LookupArticle {id:?}, view {view}");
        }
        drop(lookup);
        let _ = std::fs::remove_file(&path);
    }

    /// An answer holds its admission slot until it is dropped (sent), as
    /// the generated methods' answers do, and the calls are counted.
    #[tokio::test]
    async fn answers_hold_their_slot_and_are_counted() {
        let (lookup, _store) = serving(1, &[&article("a", 10)]);
        let mut route = GetEncoded(lookup.clone());
        let held = route.call(Request::new(GetArticleRequest { id: "a".into(), view: 0 })).await.unwrap();
        let refused = route.call(Request::new(GetArticleRequest { id: "a".into(), view: 0 })).await.unwrap_err();
        assert_eq!(refused.code(), Code::ResourceExhausted);
        drop(held);
        route.call(Request::new(GetArticleRequest { id: "a".into(), view: 0 })).await.unwrap();
        let text = lookup.metrics.encode();
        for series in [
            "copydesk_lookup_requests_total{method=\"Get\",code=\"OK\"} 2",
            "copydesk_lookup_requests_total{method=\"Get\",code=\"RESOURCE_EXHAUSTED\"} 1",
        ] {
            assert!(text.lines().any(|l| l == series), "no {series} in\n{text}");
        }
    }
}
