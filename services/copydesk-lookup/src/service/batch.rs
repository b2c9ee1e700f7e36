//! BatchGetArticles: the request's checks, shared by both answers, and the
//! answer served, built from the articles' protobuf bytes as the store
//! gives them (`Store::get_many_encoded_within`) rather than decoded for
//! tonic to encode again. Each article is then held once before the frame
//! takes it, not three times (decompressed, decoded, encoded), which is
//! what the in-flight byte budget (twice the articles' bytes) assumes.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use copydesk_proto::v1::BatchGetArticlesRequest;
use prost::encoding::{WireType, encode_key, encode_varint};
use tonic::codegen::BoxFuture;
use tonic::server::UnaryService;
use tonic::{Request, Response, Status};

use super::{Lookup, MAX_BATCH_IDS};
use crate::LookupError;
use crate::encoded::Encoded;
use crate::metrics::Rpc;
use crate::view::View;

/// `BatchGetArticlesResponse.articles` and `.missing_ids`.
const ARTICLES_FIELD: u32 = 1;
const MISSING_FIELD: u32 = 2;

/// The ids to read, trimmed, each once, in the order first asked, and the
/// view; or why the request is refused.
pub(super) fn checked(request: BatchGetArticlesRequest) -> Result<(Vec<String>, View), LookupError> {
    let BatchGetArticlesRequest { ids, view } = request;
    let view = View::of(view)?;
    if ids.is_empty() {
        return Err(LookupError::InvalidArgument("ids: at least one is required".into()));
    }
    if ids.len() > MAX_BATCH_IDS {
        return Err(LookupError::InvalidArgument(format!("ids: at most {MAX_BATCH_IDS}")));
    }
    if ids.iter().any(|id| id.trim().is_empty()) {
        return Err(LookupError::InvalidArgument("ids: an id is empty".into()));
    }
    let mut seen = HashSet::with_capacity(ids.len());
    let ids = ids.into_iter().map(|id| id.trim().to_string()).filter(|id| seen.insert(id.clone())).collect();
    Ok((ids, view))
}

impl Lookup {
    /// BatchGetArticles: as [`Lookup::batch_get`] answers it, in bytes.
    pub(crate) async fn batch_get_encoded(
        &self,
        request: Request<BatchGetArticlesRequest>,
    ) -> Result<Response<Encoded>, Status> {
        let (ids, view) = checked(request.into_inner())?;
        let mut call = self.admission.call()?;
        let (ids, found, call) = self
            .read(move |s| {
                let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
                let found = s.get_many_encoded_within(&refs, view.part(), |n| call.reserve(n))?;
                Ok((ids, found, call))
            })
            .await?;
        Ok(call.attach(Response::new(answer(&ids, found))))
    }
}

/// The response's bytes as prost writes them: every article found (field
/// 1) in the order asked, then every id not found (field 2).
fn answer(ids: &[String], found: Vec<Option<Vec<u8>>>) -> Encoded {
    let mut pieces = Vec::with_capacity(2 * ids.len() + 1);
    let mut missing = Vec::new();
    for (id, article) in ids.iter().zip(found) {
        match article {
            Some(bytes) => {
                let mut head = Vec::with_capacity(11);
                encode_key(ARTICLES_FIELD, WireType::LengthDelimited, &mut head);
                encode_varint(bytes.len() as u64, &mut head);
                pieces.push(Bytes::from(head));
                pieces.push(Bytes::from(bytes));
            }
            None => prost::encoding::string::encode(MISSING_FIELD, id, &mut missing),
        }
    }
    pieces.push(Bytes::from(missing));
    Encoded::from_pieces(pieces)
}

/// The route's service, counted as the generated method counts its calls.
pub(super) struct BatchGetEncoded(pub(super) Arc<Lookup>);

impl UnaryService<BatchGetArticlesRequest> for BatchGetEncoded {
    type Response = Encoded;
    type Future = BoxFuture<Response<Encoded>, Status>;

    fn call(&mut self, request: Request<BatchGetArticlesRequest>) -> Self::Future {
        let lookup = self.0.clone();
        Box::pin(async move { lookup.counted(Rpc::BatchGet, Instant::now(), lookup.batch_get_encoded(request).await) })
    }
}

#[cfg(test)]
mod tests {
    use copydesk_proto::v1::{ArticleView, BatchGetArticlesResponse};
    use prost::Message;

    use super::super::encoded::tests::{article, framed, serving};
    use super::*;
    use crate::service::ArticleService;

    /// Every view, small and large articles, duplicates and absent ids: the
    /// bytes sent are those of the generated method's answer, and refusals
    /// carry the same codes and messages.
    #[tokio::test]
    async fn answers_are_byte_identical_to_the_generated_method() {
        let (lookup, _store) = serving(8, &[&article("small", 40), &article("large", 8000)]);
        let batch = |ids: &[&str], view: ArticleView| BatchGetArticlesRequest {
            ids: ids.iter().map(|id| id.to_string()).collect(),
            view: view as i32,
        };
        let asks: [&[&str]; 4] =
            [&["small"], &["large", " small ", "nope", "large", "gone", "nope"], &["nope"], &["small", "large"]];
        for ids in asks {
            for view in [ArticleView::Unspecified, ArticleView::Basic, ArticleView::Full] {
                let want = lookup.batch_get_articles(Request::new(batch(ids, view))).await.unwrap().into_inner();
                let sent = framed(lookup.batch_get_encoded(Request::new(batch(ids, view))).await.unwrap());
                assert_eq!(sent, want.encode_to_vec(), "{ids:?}, view {view:?}");
                let decoded = BatchGetArticlesResponse::decode(sent.as_slice()).unwrap();
                assert_eq!(decoded.articles.len() + decoded.missing_ids.len(), ids.len().min(4), "{ids:?}");
            }
        }
        let mut too_many = batch(&[], ArticleView::Full);
        too_many.ids = (0..=MAX_BATCH_IDS).map(|i| format!("id-{i}")).collect();
        let refused = [
            batch(&[], ArticleView::Full),
            batch(&["a", " "], ArticleView::Full),
            too_many,
            BatchGetArticlesRequest { ids: vec!["small".into()], view: 99 },
        ];
        for request in refused {
            let want = lookup.batch_get_articles(Request::new(request.clone())).await.unwrap_err();
            let got = lookup.batch_get_encoded(Request::new(request)).await.unwrap_err();
            assert_eq!((got.code(), got.message()), (want.code(), want.message()));
        }
    }

    /// The answer holds the call's share of the byte budget until it is
    /// dropped: twice the articles' bytes, the pieces and the frame.
    #[tokio::test]
    async fn the_answer_holds_twice_its_articles_bytes() {
        let big = article("big", 8000);
        let size = big.encoded_len();
        let (lookup, _store) = serving(8, &[&big]);
        let ask = || Request::new(BatchGetArticlesRequest { ids: vec!["big".into(); 3], view: 0 });
        let held = lookup.batch_get_encoded(ask()).await.unwrap();
        assert_eq!(lookup.admission.bytes_available(), (64 << 20) - 2 * size);
        drop(held);
        assert_eq!(lookup.admission.bytes_available(), 64 << 20);
    }
}
