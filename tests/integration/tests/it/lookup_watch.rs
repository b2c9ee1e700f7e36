//! WatchArticleEvents over the real broker: deletions are streamed; a
//! watcher that comes back with its last resume token gets exactly the
//! changes after it (replayed from the topic, then live), in order; a token
//! that is not one is INVALID_ARGUMENT, one the topic can no longer replay
//! from is FAILED_PRECONDITION; the watcher cap holds for the new stream.
//! Then `copydesk list` and `copydesk watch` as an operator runs them.

use std::sync::Mutex;
use std::time::Duration;

use copydesk_integration::{
    StorePath, client_command, create_topic, delete_records_before, lookup_config, publish_article, publish_tombstone,
    shared_broker, spawn_lookup_with, test_article, unique, wait_until,
};
use copydesk_proto::v1::article_event::Event as Kind;
use copydesk_proto::v1::article_service_client::ArticleServiceClient;
use copydesk_proto::v1::{Article, ArticleEvent, GetArticleRequest, WatchArticlesRequest};
use tonic::transport::Channel;
use tonic::{Code, Status, Streaming};

const WITHIN: Duration = Duration::from_secs(60);

/// An event in short: `+id title` stored, `-id` deleted, `caught up`.
fn summary(event: &ArticleEvent) -> String {
    match &event.event {
        Some(Kind::Upserted(a)) => format!("+{} {}", a.id, a.title),
        Some(Kind::DeletedId(id)) => format!("-{id}"),
        Some(Kind::CaughtUp(_)) => "caught up".to_string(),
        None => "nothing".to_string(),
    }
}

async fn next(stream: &mut Streaming<ArticleEvent>) -> ArticleEvent {
    let event = tokio::time::timeout(WITHIN, stream.message()).await.expect("an event in time");
    event.expect("the stream goes on").expect("the stream is not over")
}

/// The events up to and including the caught-up marker, in short.
async fn until_caught_up(stream: &mut Streaming<ArticleEvent>) -> (Vec<String>, String) {
    let mut seen = Vec::new();
    loop {
        let event = next(stream).await;
        seen.push(summary(&event));
        if matches!(event.event, Some(Kind::CaughtUp(_))) {
            return (seen, event.resume_token);
        }
    }
}

fn watch_request(token: &str) -> WatchArticlesRequest {
    WatchArticlesRequest { resume_token: token.to_string(), ..Default::default() }
}

/// WatchArticleEvents from `token`, once the one watcher slot is free again
/// (a dropped stream frees it when its feed notices): the first answer
/// other than RESOURCE_EXHAUSTED.
async fn watch_when_free(
    client: &ArticleServiceClient<Channel>,
    token: &str,
) -> Result<Streaming<ArticleEvent>, Status> {
    let answer = Mutex::new(None);
    let (answer_ref, client) = (&answer, client);
    let answered = wait_until(WITHIN, || async move {
        match client.clone().watch_article_events(watch_request(token)).await {
            Err(status) if status.code() == Code::ResourceExhausted => false,
            done => {
                *answer_ref.lock().unwrap() = Some(done.map(tonic::Response::into_inner));
                true
            }
        }
    })
    .await;
    assert!(answered, "the watcher slot was never freed");
    answer.into_inner().unwrap().expect("an answer")
}

async fn stored(client: &ArticleServiceClient<Channel>, id: &str) -> bool {
    client.clone().get_article(GetArticleRequest { id: id.into(), ..Default::default() }).await.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchers_see_deletions_and_resume_exactly_after_their_token() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = unique("articles");
    // One partition: every change has its place in one order. `delete` too,
    // so that records can be deleted from its start below.
    create_topic(&bootstrap, &topic, 1, &[("cleanup.policy", "compact,delete")]).await;
    let article = |id: &str| test_article(id, "news.example");
    for id in ["a1", "a2"] {
        publish_article(&bootstrap, &topic, &article(id)).await;
    }
    let store = StorePath::new();
    let mut config = lookup_config(&bootstrap, &topic, store.path());
    config.limits.max_watchers = 1;
    let lookup = spawn_lookup_with(config).await;
    assert!(lookup.wait_serving(WITHIN).await, "never SERVING");
    let client = lookup.client().await;

    // Live from now: the stream starts with its token, then the changes.
    let mut stream = watch_when_free(&client, "").await.expect("watch");
    let (start, token) = until_caught_up(&mut stream).await;
    assert_eq!(start, ["caught up"]);
    assert!(!token.is_empty());
    let second = client.clone().watch_article_events(watch_request("")).await.expect_err("one watcher at most");
    assert_eq!(second.code(), Code::ResourceExhausted, "{second:?}");
    publish_article(&bootstrap, &topic, &article("a3")).await;
    publish_tombstone(&bootstrap, &topic, "a1").await;
    let (added, deleted) = (next(&mut stream).await, next(&mut stream).await);
    assert_eq!([summary(&added), summary(&deleted)], ["+a3 Article a3", "-a1"]);
    let kept = deleted.resume_token.clone();
    assert_ne!(kept, added.resume_token);
    drop(stream);

    // While it is away: new articles, a corrected one, a deletion, all stored
    // before it comes back, so that they are replayed from the topic.
    publish_article(&bootstrap, &topic, &article("a4")).await;
    let corrected = Article { title: "Article a2, corrected".into(), ..article("a2") };
    publish_article(&bootstrap, &topic, &corrected).await;
    publish_tombstone(&bootstrap, &topic, "a3").await;
    let (_, end) = publish_article(&bootstrap, &topic, &article("a5")).await;
    let applied = wait_until(WITHIN, || async { stored(&client, "a5").await && !stored(&client, "a3").await }).await;
    assert!(applied, "the changes were never stored");

    let mut resumed = watch_when_free(&client, &kept).await.expect("resume");
    let (replayed, _) = until_caught_up(&mut resumed).await;
    assert_eq!(replayed, ["+a4 Article a4", "+a2 Article a2, corrected", "-a3", "+a5 Article a5", "caught up"]);
    // Then live, with nothing repeated.
    publish_article(&bootstrap, &topic, &article("a6")).await;
    assert_eq!(summary(&next(&mut resumed).await), "+a6 Article a6");

    // Refusals: a token that is not one (before any slot is taken), the old
    // stream given a token, and a token from before the topic's start.
    let bad = client.clone().watch_article_events(watch_request("bm90IGEgdG9rZW4")).await.expect_err("a bad token");
    assert_eq!(bad.code(), Code::InvalidArgument, "{bad:?}");
    let old = client.clone().watch_articles(watch_request(&kept)).await.expect_err("WatchArticles has no tokens");
    assert_eq!(old.code(), Code::InvalidArgument, "{old:?}");
    drop(resumed);
    delete_records_before(&bootstrap, &topic, 0, end).await;
    let expired = watch_when_free(&client, &kept).await.expect_err("a token the topic cannot replay from");
    assert_eq!(expired.code(), Code::FailedPrecondition, "{expired:?}");
    lookup.stop().await.expect("clean stop");
}

/// A folder of the test's own, removed when dropped.
struct Folder(std::path::PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A command's stdout as JSON values, one per line, once it succeeded.
fn json_lines(output: &std::process::Output) -> Vec<serde_json::Value> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the command failed: {stderr}");
    let stdout = String::from_utf8(output.stdout.clone()).expect("UTF-8 output");
    stdout.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect()
}

fn field<'a>(values: &'a [serde_json::Value], path: &[&str]) -> Vec<&'a str> {
    values.iter().map(|v| path.iter().fold(v, |v, key| &v[*key]).as_str().unwrap_or("")).collect()
}

/// `copydesk list` and `copydesk watch` against a service that wants a
/// bearer token (given by the clients' shared `--token-file`): pages
/// followed, filters and the view applied, events printed as JSON lines,
/// and a watch that goes on from its state file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_and_watch_commands_print_json_lines_and_resume() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = unique("articles");
    create_topic(&bootstrap, &topic, 1, &[("cleanup.policy", "compact")]).await;
    for (id, site, language) in [("c1", "one.example", "en"), ("c2", "two.example", "en"), ("c3", "one.example", "fr")]
    {
        let article = Article { language: language.into(), ..test_article(id, site) };
        publish_article(&bootstrap, &topic, &article).await;
    }
    let folder = Folder(std::env::temp_dir().join(unique("copydesk-watch")));
    std::fs::create_dir_all(&folder.0).expect("a temp folder");
    let tokens = folder.0.join("tokens");
    std::fs::write(&tokens, "reader-token\n").expect("a tokens file");
    let state = folder.0.join("state");
    let (tokens, state) = (tokens.to_str().unwrap(), state.to_str().unwrap());
    let store = StorePath::new();
    let mut config = lookup_config(&bootstrap, &topic, store.path());
    config.security.auth_tokens_file = Some(tokens.into());
    let lookup = spawn_lookup_with(config).await;
    assert!(lookup.wait_serving(WITHIN).await, "never SERVING");
    let run = |command: &'static str, args: Vec<&str>| {
        let args: Vec<String> = ["--token-file", tokens].into_iter().chain(args).map(String::from).collect();
        let addr = lookup.addr;
        async move { client_command(command, addr, &args.iter().map(String::as_str).collect::<Vec<_>>()).await }
    };

    let listed = json_lines(&run("list", vec!["--site", "one.example", "--page-size", "1"]).await);
    assert_eq!(field(&listed, &["id"]), ["c1", "c3"]);
    let french = json_lines(&run("list", vec!["--language", "fr", "--view", "basic"]).await);
    assert_eq!(field(&french, &["id"]), ["c3"]);
    assert_eq!(field(&french, &["text"]), [""], "BASIC leaves the text out");
    let anonymous = client_command("list", lookup.addr, &[]).await;
    assert!(!anonymous.status.success());
    assert!(String::from_utf8_lossy(&anonymous.stderr).contains("Unauthenticated"), "{anonymous:?}");

    // The first watch starts live: its one event is the marker, whose token it keeps.
    let started = json_lines(&run("watch", vec!["--state-file", state, "--max-events", "1"]).await);
    assert_eq!(started.len(), 1);
    assert!(started[0]["caughtUp"].is_object(), "{started:?}");
    assert_eq!(std::fs::read_to_string(state).unwrap().trim(), field(&started, &["resumeToken"])[0]);
    publish_tombstone(&bootstrap, &topic, "c1").await;
    publish_article(&bootstrap, &topic, &test_article("c4", "one.example")).await;
    let has = |id: &'static str| run("lookup", vec!["--id", id]);
    assert!(wait_until(WITHIN, || async { has("c4").await.status.success() }).await, "c4 never stored");
    let changes = json_lines(&run("watch", vec!["--state-file", state, "--max-events", "2"]).await);
    assert_eq!(field(&changes, &["deletedId"]), ["c1", ""]);
    assert_eq!(field(&changes, &["upserted", "id"]), ["", "c4"]);
    assert_eq!(std::fs::read_to_string(state).unwrap().trim(), field(&changes, &["resumeToken"])[1]);
    publish_tombstone(&bootstrap, &topic, "c2").await;
    assert!(wait_until(WITHIN, || async { !has("c2").await.status.success() }).await, "c2 never deleted");
    let more = json_lines(&run("watch", vec!["--state-file", state, "--max-events", "1"]).await);
    assert_eq!(field(&more, &["deletedId"]), ["c2"], "the state file's token, and nothing before it");
    let refused = run("watch", vec!["--resume", "bm90IGEgdG9rZW4"]).await;
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("InvalidArgument"), "{refused:?}");
    lookup.stop().await.expect("clean stop");
}
