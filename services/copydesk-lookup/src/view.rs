//! `ArticleView`: how much of an article a call returns. BASIC leaves out
//! the body (`text` and `blocks`), the bulk of an article, for clients that
//! list or check articles; FULL (and an unset view, so that clients written
//! before views see no change) returns everything.

use copydesk_proto::v1::{Article, ArticleView};

use crate::LookupError;
use crate::store::Part;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    Basic,
    Full,
}

impl View {
    /// The view a request asked for; a value this server does not know is
    /// refused rather than served as FULL, so a client never gets more than
    /// it meant to ask for without being told.
    pub(crate) fn of(view: i32) -> Result<View, LookupError> {
        match ArticleView::try_from(view) {
            Ok(ArticleView::Basic) => Ok(View::Basic),
            Ok(ArticleView::Unspecified | ArticleView::Full) => Ok(View::Full),
            Err(_) => Err(LookupError::InvalidArgument(format!("view: unknown value {view}"))),
        }
    }

    /// The part of a stored article this view needs: BASIC's has no body
    /// to decompress or decode.
    pub(crate) fn part(self) -> Part {
        match self {
            View::Basic => Part::Head,
            View::Full => Part::Whole,
        }
    }

    /// The article as this view shows it.
    pub(crate) fn shape(self, mut article: Article) -> Article {
        if self == View::Basic {
            article.text = String::new();
            article.blocks = Vec::new();
        }
        article
    }
}

#[cfg(test)]
mod tests {
    use copydesk_proto::v1::Block;

    use super::*;

    #[test]
    fn basic_drops_the_body_and_unset_means_full() {
        let article = Article {
            id: "a".into(),
            title: "T".into(),
            text: "body".into(),
            blocks: vec![Block::default()],
            ..Article::default()
        };
        let basic = View::of(ArticleView::Basic as i32).unwrap().shape(article.clone());
        assert_eq!((basic.text.as_str(), basic.blocks.len(), basic.title.as_str()), ("", 0, "T"));
        assert_eq!(View::of(0).unwrap().shape(article.clone()), article);
        assert_eq!(View::of(ArticleView::Full as i32).unwrap().shape(article.clone()), article);
        assert!(matches!(View::of(99), Err(LookupError::InvalidArgument(_))));
    }
}
