//! `ListArticles` filters over the real broker: by language (a tag takes
//! its subtags) and by a published-time range, alone, together and with the
//! site, page by page; a page token is refused under other filters. Views:
//! BASIC leaves the body out of every read call, FULL and unset keep it.

use std::time::Duration;

use copydesk_integration::{
    StorePath, create_topic, publish_article, shared_broker, spawn_lookup, test_article, unique,
};
use copydesk_proto::Timestamp;
use copydesk_proto::v1::article_service_client::ArticleServiceClient;
use copydesk_proto::v1::{
    Article, ArticleView, BatchGetArticlesRequest, Block, GetArticleRequest, ListArticlesRequest, LookupArticleRequest,
};
use tonic::Code;
use tonic::transport::Channel;

const SERVING_WITHIN: Duration = Duration::from_secs(60);

fn at(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos: 0 })
}

/// Every id the filtered listing gives, one article per page.
async fn listed(client: &ArticleServiceClient<Channel>, request: ListArticlesRequest) -> Vec<String> {
    let (mut ids, mut page_token) = (Vec::new(), String::new());
    loop {
        let request = ListArticlesRequest { page_size: 1, page_token: page_token.clone(), ..request.clone() };
        let page = client.clone().list_articles(request).await.expect("list").into_inner();
        ids.extend(page.articles.into_iter().map(|a| a.id));
        if page.next_page_token.is_empty() {
            return ids;
        }
        page_token = page.next_page_token;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_filter_by_language_and_published_time() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = unique("articles");
    create_topic(&bootstrap, &topic, 2, &[("cleanup.policy", "compact")]).await;
    let articles = [
        ("a1", "en", at(1_000), "one.example"),
        ("a2", "en-GB", at(2_000), "two.example"),
        ("a3", "fr", at(3_000), "one.example"),
        ("a4", "en", None, "one.example"),
        ("a5", "zh-Hans", at(2_500), "two.example"),
    ];
    for (id, language, published_at, site) in articles {
        let article = Article { language: language.into(), published_at, ..test_article(id, site) };
        publish_article(&bootstrap, &topic, &article).await;
    }
    let store = StorePath::new();
    let lookup = spawn_lookup(&bootstrap, &topic, store.path()).await;
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING");
    let client = lookup.client().await;

    let by = |language: &str, after: Option<i64>, before: Option<i64>| ListArticlesRequest {
        language: language.into(),
        published_after: after.and_then(at),
        published_before: before.and_then(at),
        ..Default::default()
    };
    assert_eq!(listed(&client, by("en", None, None)).await, ["a1", "a2", "a4"]);
    assert_eq!(listed(&client, by("EN-gb", None, None)).await, ["a2"]);
    assert_eq!(listed(&client, by("", Some(2_000), None)).await, ["a2", "a3", "a5"]);
    assert_eq!(listed(&client, by("", None, Some(2_500))).await, ["a1", "a2"]);
    assert_eq!(listed(&client, by("en", Some(1_500), Some(3_000))).await, ["a2"]);
    let on_one = ListArticlesRequest { site: "one.example".into(), ..by("en", None, None) };
    assert_eq!(listed(&client, on_one).await, ["a1", "a4"]);
    assert!(listed(&client, by("de", None, None)).await.is_empty());

    // A token is bound to its filters.
    let first = client.clone().list_articles(ListArticlesRequest { page_size: 1, ..by("en", None, None) }).await;
    let token = first.expect("first page").into_inner().next_page_token;
    assert!(!token.is_empty());
    let elsewhere = ListArticlesRequest { page_size: 1, page_token: token, ..by("fr", None, None) };
    let refused = client.clone().list_articles(elsewhere).await.expect_err("another filter's token");
    assert_eq!(refused.code(), Code::InvalidArgument);
    let backwards = client.clone().list_articles(by("", Some(3_000), Some(1_000))).await.expect_err("empty range");
    assert_eq!(backwards.code(), Code::InvalidArgument);
    lookup.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_leave_out_the_body_only_when_asked() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = unique("articles");
    create_topic(&bootstrap, &topic, 1, &[("cleanup.policy", "compact")]).await;
    let article =
        Article { blocks: vec![Block { text: "Para.".into(), ..Block::default() }], ..test_article("v1", "v.example") };
    publish_article(&bootstrap, &topic, &article).await;
    let store = StorePath::new();
    let lookup = spawn_lookup(&bootstrap, &topic, store.path()).await;
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING");
    let mut client = lookup.client().await;

    for view in [ArticleView::Unspecified, ArticleView::Basic, ArticleView::Full] {
        let view = view as i32;
        let got = [
            client.get_article(GetArticleRequest { id: "v1".into(), view }).await.expect("get").into_inner(),
            client
                .lookup_article(LookupArticleRequest { url: article.url.clone(), view })
                .await
                .expect("lookup")
                .into_inner(),
            client
                .batch_get_articles(BatchGetArticlesRequest { ids: vec!["v1".into()], view })
                .await
                .expect("batch get")
                .into_inner()
                .articles
                .remove(0),
            client
                .list_articles(ListArticlesRequest { view, ..Default::default() })
                .await
                .expect("list")
                .into_inner()
                .articles
                .remove(0),
        ];
        for (call, got) in ["get", "lookup", "batch get", "list"].iter().zip(got) {
            if view == ArticleView::Basic as i32 {
                let expected = Article { text: String::new(), blocks: Vec::new(), ..article.clone() };
                assert_eq!(got, expected, "{call} BASIC");
            } else {
                assert_eq!(got, article, "{call} view {view}");
            }
        }
    }
    let unknown = client.get_article(GetArticleRequest { id: "v1".into(), view: 9 }).await.expect_err("unknown view");
    assert_eq!(unknown.code(), Code::InvalidArgument);
    lookup.stop().await.expect("clean stop");
}
