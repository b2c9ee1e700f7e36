//! `copydesk lookup`: finds an article by id or URL, asking the gRPC lookup
//! service (`--server`) or, without one, scanning the articles topic.
//!
//! The scan reads the compacted topic from the start to its current end,
//! keeping the latest version of the matching article (a tombstone, or a
//! later version without the URL, forgets it): an operator's tool for when no
//! lookup service runs, and slow on a large topic. URLs are compared as the
//! service compares them (`copydesk_lookup::url_key`). On a topic written
//! with transactions the last offsets are commit markers that no message
//! carries, so the end of a partition is known by librdkafka's end-of-partition
//! event, not only by the offset of the last message read.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use copydesk_lookup::url_key::url_key;
use copydesk_proto::v1::Article;
use copydesk_settings::KafkaArgs;
use prost::Message as _;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};

use crate::cmd::client::ServerArgs;

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    kafka: KafkaArgs,
    /// The articles topic.
    #[arg(long, env = "COPYDESK_ARTICLES_TOPIC", default_value = "articles")]
    topic: String,
    /// Article id (the record key).
    #[arg(long, conflicts_with = "url", required_unless_present = "url")]
    id: Option<String>,
    /// The article's URL or canonical URL.
    #[arg(long)]
    url: Option<String>,
    /// With --server, the lookup service is asked instead of the topic scanned.
    #[command(flatten)]
    client: ServerArgs,
    /// Give up after this many seconds (the topic scan, or the connection and
    /// the call to the service).
    #[arg(long, default_value_t = 60)]
    timeout_secs: u64,
}

/// What the topic scan relies on: it reads committed articles only and
/// never commits offsets to a group.
const SCAN_OWNED_KEYS: &[&str] = &["group.id", "enable.auto.commit", "isolation.level"];

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(refused) = crate::cmd::runtime::refuse(&args.kafka.problems(SCAN_OWNED_KEYS)) {
        return Ok(refused);
    }
    match args.client.server.clone() {
        Some(server) => ask_server(&server, &args),
        None => scan_topic(&args),
    }
}

/// One RPC to the lookup service: GetArticle by id or LookupArticle by URL.
fn ask_server(server: &str, args: &Args) -> anyhow::Result<ExitCode> {
    use copydesk_proto::v1::{GetArticleRequest, LookupArticleRequest};
    use tonic::Code;

    let timeout = Duration::from_secs(args.timeout_secs);
    let answer = crate::cmd::runtime::tokio()?.block_on(async {
        let mut client = args.client.connect(Some(timeout)).await?;
        let response = match (&args.id, &args.url) {
            (Some(id), _) => client.get_article(GetArticleRequest { id: id.clone(), ..Default::default() }).await,
            (None, Some(url)) => {
                client.lookup_article(LookupArticleRequest { url: url.clone(), ..Default::default() }).await
            }
            (None, None) => bail!("give --id or --url"),
        };
        Ok(response)
    })?;
    match answer {
        Ok(article) => {
            println!("{}", serde_json::to_string_pretty(&article.into_inner())?);
            Ok(ExitCode::SUCCESS)
        }
        Err(status) if status.code() == Code::NotFound => {
            eprintln!("copydesk: {}", status.message());
            Ok(ExitCode::FAILURE)
        }
        Err(status) => bail!("{server} answered {:?}: {}", status.code(), status.message()),
    }
}

fn scan_topic(args: &Args) -> anyhow::Result<ExitCode> {
    let mut config = ClientConfig::new();
    config
        .set("group.id", "copydesk-lookup")
        .set("enable.auto.commit", "false")
        .set("isolation.level", "read_committed")
        .set("enable.partition.eof", "true")
        .set("fetch.max.bytes", (64 << 20).to_string())
        .set("max.partition.fetch.bytes", (64 << 20).to_string());
    args.kafka.apply(&mut config);
    let consumer: BaseConsumer = config.create().context("cannot create the Kafka consumer")?;
    let timeout = Duration::from_secs(args.timeout_secs);
    let metadata = consumer.fetch_metadata(Some(&args.topic), timeout).context("cannot read topic metadata")?;
    let partitions: Vec<i32> = metadata.topics().iter().flat_map(|t| t.partitions().iter().map(|p| p.id())).collect();
    if partitions.is_empty() {
        bail!("topic {} does not exist or has no partitions", args.topic);
    }
    let mut assignment = TopicPartitionList::new();
    let mut remaining = Vec::new();
    for &p in &partitions {
        let (low, high) = consumer.fetch_watermarks(&args.topic, p, timeout).context("cannot read offsets")?;
        if high > low {
            assignment.add_partition_offset(&args.topic, p, Offset::Beginning)?;
            remaining.push((p, high));
        }
    }
    consumer.assign(&assignment)?;
    let deadline = Instant::now() + timeout;
    let mut found: Option<Article> = None;
    let wanted_url = args.url.as_deref().map(url_key);
    while !remaining.is_empty() {
        if Instant::now() > deadline {
            bail!("timed out reading {}", args.topic);
        }
        let message = match consumer.poll(Duration::from_millis(500)) {
            None => continue,
            // Read up to the end the broker gives read_committed consumers.
            Some(Err(KafkaError::PartitionEOF(partition))) => {
                remaining.retain(|&(p, _)| p != partition);
                continue;
            }
            Some(message) => message.context("cannot read the topic")?,
        };
        let (partition, offset) = (message.partition(), message.offset());
        remaining.retain(|&(p, high)| !(p == partition && offset + 1 >= high));
        let Some(key) = message.key() else { continue };
        let Some(payload) = message.payload() else {
            // A tombstone: the article is deleted.
            if found.as_ref().is_some_and(|a| a.id.as_bytes() == key)
                || args.id.as_deref().map(str::as_bytes) == Some(key)
            {
                found = None;
            }
            continue;
        };
        let key_matches = args.id.as_deref().is_some_and(|id| key == id.as_bytes());
        let holder = found.as_ref().is_some_and(|a| a.id.as_bytes() == key);
        if !(key_matches || args.url.is_some()) {
            continue;
        }
        let Ok(article) = Article::decode(payload) else { continue };
        let url_matches = wanted_url
            .as_deref()
            .is_some_and(|u| [&article.url, &article.canonical_url].iter().any(|a| !a.is_empty() && url_key(a) == u));
        if key_matches || url_matches {
            found = Some(article);
        } else if holder {
            // The article that held the URL moved away from it.
            found = None;
        }
    }
    match found {
        Some(article) => {
            println!("{}", serde_json::to_string_pretty(&article)?);
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!(
                "copydesk: no article with that {} on {}",
                if args.id.is_some() { "id" } else { "URL" },
                args.topic
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
