//! `ListArticleRevisions`: one article's revisions, newest first, a page at
//! a time. Page tokens name the article and the revision the page ended
//! at, so a token is refused for another article rather than misread.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use copydesk_proto::v1::{ListArticleRevisionsRequest, ListArticleRevisionsResponse};
use tonic::{Request, Response, Status};

use super::{DEFAULT_PAGE_SIZE, Lookup, MAX_PAGE_SIZE, required};
use crate::LookupError;
use crate::store::Key;
use crate::view::View;

/// The format of these tokens; a listing's tokens are another format.
const TOKEN_VERSION: &str = "r1";

fn encode_token(id: &str, (at, hash): &Key) -> String {
    URL_SAFE_NO_PAD.encode(format!("{TOKEN_VERSION}\0{id}\0{at}\0{hash}"))
}

/// The revision to list before, from a token issued for article `id`.
fn decode_token(token: &str, id: &str) -> Result<Option<Key>, LookupError> {
    if token.is_empty() {
        return Ok(None);
    }
    let invalid = |why: &str| LookupError::InvalidArgument(format!("page_token: {why}"));
    let foreign = || invalid("not a token this service issued");
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| foreign())?;
    let text = String::from_utf8(bytes).map_err(|_| foreign())?;
    let mut parts = text.splitn(4, '\0');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(TOKEN_VERSION), Some(token_id), Some(at), Some(hash)) => {
            if token_id != id {
                return Err(invalid("issued for another article"));
            }
            Ok(Some((at.parse().map_err(|_| foreign())?, hash.to_string())))
        }
        _ => Err(foreign()),
    }
}

pub(super) async fn list(
    service: &Lookup,
    request: Request<ListArticleRevisionsRequest>,
) -> Result<Response<ListArticleRevisionsResponse>, Status> {
    let request = request.into_inner();
    let id = required("id", &request.id)?;
    let size = match request.page_size {
        n if n < 0 => return Err(LookupError::InvalidArgument("page_size: must not be negative".into()).into()),
        0 => DEFAULT_PAGE_SIZE,
        n => (n as usize).min(MAX_PAGE_SIZE),
    };
    let part = View::of(request.view)?.part();
    let before = decode_token(&request.page_token, &id)?;
    let mut call = service.admission.call()?;
    let max_bytes = service.admission.max_response_bytes();
    let (page, call) = service
        .read({
            let id = id.clone();
            move |s| {
                let before = before.as_ref().map(|(at, hash)| (*at, hash.as_str()));
                let page = s.revisions_within(&id, before, size, max_bytes, part, |n| call.reserve(n))?;
                Ok((page, call))
            }
        })
        .await?;
    let Some(page) = page else {
        return Err(LookupError::NotFound(format!("no article with id {id}")).into());
    };
    let next_page_token = page.next_before.map(|key| encode_token(&id, &key)).unwrap_or_default();
    Ok(call.attach(Response::new(ListArticleRevisionsResponse { revisions: page.revisions, next_page_token })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_belong_to_their_article() {
        let key = (1_700_000_000_123, "ab\0cd".to_string());
        let token = encode_token("a1", &key);
        assert_eq!(decode_token(&token, "a1").unwrap(), Some(key));
        assert!(matches!(decode_token(&token, "a2"), Err(LookupError::InvalidArgument(_))));
        assert_eq!(decode_token("", "a1").unwrap(), None);
        for bad in ["!!", "eA", &URL_SAFE_NO_PAD.encode("r1\0a1\0notanumber\0h")] {
            assert!(matches!(decode_token(bad, "a1"), Err(LookupError::InvalidArgument(_))), "{bad}");
        }
    }
}
