//! Drives copydesk against the test broker: the ingest service in-process
//! (`spawn_app`) or as a real process (for kill -9), inputs in, and a
//! watcher that accounts for every input on the output topics.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use copydesk_ingest::{App, Delivery, IngestConfig, IngestError, Metrics};
use rdkafka::consumer::Consumer;
use rdkafka::message::{Headers, Message, OwnedMessage};
use rdkafka::producer::FutureProducer;
use rdkafka::{Offset, TopicPartitionList};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::kafka::{
    create_topic, producer_config, rebootstrapping_consumer, send, topic_partitions, unique, wait_until,
};

/// Input limit of the topics tests create: a 15 MB page must fit.
pub const MAX_MESSAGE_BYTES: usize = 32 << 20;

/// One test's topics and consumer group, all uniquely named.
#[derive(Debug, Clone)]
pub struct Topics {
    pub input: String,
    pub articles: String,
    pub dead_letters: String,
    pub group: String,
}

impl Topics {
    /// Creates the input (3 partitions), articles (compacted) and dead-letter topics.
    pub async fn create(bootstrap: &str) -> Topics {
        Topics::create_with(bootstrap, &[]).await
    }

    /// As `create`, with `outputs` added to (or overriding) the articles and
    /// dead-letter topics' configuration.
    pub async fn create_with(bootstrap: &str, outputs: &[(&str, &str)]) -> Topics {
        let topics = Topics::unique();
        for (name, config) in topics.configs(outputs) {
            let config: Vec<(&str, &str)> = config.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            create_topic(bootstrap, name, 3, &config).await;
        }
        topics
    }

    /// Names no other test uses.
    pub fn unique() -> Topics {
        Topics {
            input: unique("snapshots"),
            articles: unique("articles"),
            dead_letters: unique("dead-letters"),
            group: unique("ingest"),
        }
    }

    /// Each topic with the configuration `create` gives it: room for the
    /// largest input, the articles topic compacted, and `outputs` added to (or
    /// overriding, each key once) the two output topics' settings.
    pub fn configs(&self, outputs: &[(&str, &str)]) -> [(&str, Vec<(String, String)>); 3] {
        let limit = (MAX_MESSAGE_BYTES + (2 << 20)).to_string();
        let with = |defaults: &[(&str, &str)], extra: &[(&str, &str)]| -> Vec<(String, String)> {
            let mut all: Vec<(String, String)> = defaults
                .iter()
                .filter(|(k, _)| !extra.iter().any(|(o, _)| o == k))
                .chain(extra)
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            all.sort();
            all
        };
        [
            (&self.input, with(&[("max.message.bytes", &limit)], &[])),
            (&self.articles, with(&[("cleanup.policy", "compact"), ("max.message.bytes", &limit)], outputs)),
            (&self.dead_letters, with(&[("max.message.bytes", &limit)], outputs)),
        ]
    }

    /// The ingest flags for these topics.
    pub fn args(&self, bootstrap: &str, delivery: Delivery) -> Vec<String> {
        let delivery = match delivery {
            Delivery::AtLeastOnce => "at-least-once",
            Delivery::ExactlyOnce => "exactly-once",
        };
        [
            "--brokers",
            bootstrap,
            "--input-topic",
            &self.input,
            "--articles-topic",
            &self.articles,
            "--dead-letter-topic",
            &self.dead_letters,
            "--group-id",
            &self.group,
            "--delivery",
            delivery,
            "--max-message-bytes",
            &MAX_MESSAGE_BYTES.to_string(),
            "--workers",
            "2",
            "--shutdown-grace-secs",
            "20",
            // A free port each: tests run side by side in one process.
            "--metrics-addr",
            "127.0.0.1:0",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }
}

/// The ingest configuration the binary would get from `args`.
pub fn config(args: &[String]) -> IngestConfig {
    copydesk_settings::parse_args("ingest", args).expect("valid ingest flags")
}

/// An ingest service running in this process.
pub struct TestApp {
    pub metrics: Arc<Metrics>,
    /// Where its `/metrics` endpoint listens.
    pub metrics_addr: std::net::SocketAddr,
    shutdown: CancellationToken,
    handle: JoinHandle<Result<(), IngestError>>,
}

pub async fn spawn_app(bootstrap: &str, topics: &Topics, delivery: Delivery) -> TestApp {
    spawn_app_with(bootstrap, topics, delivery, &[]).await
}

/// [`spawn_app`] with more flags after the usual ones (e.g. `-X key=value`).
pub async fn spawn_app_with(bootstrap: &str, topics: &Topics, delivery: Delivery, extra: &[&str]) -> TestApp {
    let mut args = topics.args(bootstrap, delivery);
    args.extend(extra.iter().map(|a| a.to_string()));
    spawn_app_args(&args).await
}

/// Logs of services run in this process, to the test's captured output:
/// libtest shows them when the test fails. Threads inherit the capture of
/// the test that spawned them, so each test's runtime logs into its own.
/// The filter is `COPYDESK_CHILD_LOG`'s, as for child processes.
pub(crate) fn log_in_process() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let filter = std::env::var("COPYDESK_CHILD_LOG").unwrap_or_else(|_| "warn,copydesk_ingest=info".into());
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_ansi(false)
            .with_test_writer()
            .try_init();
    });
}

/// The ingest service in-process, with exactly these flags.
pub async fn spawn_app_args(args: &[String]) -> TestApp {
    log_in_process();
    let app = App::build(config(args)).await.expect("ingest app builds");
    let metrics = app.metrics();
    let metrics_addr = app.metrics_addr().expect("the test flags enable metrics");
    let shutdown = CancellationToken::new();
    let handle = tokio::spawn(app.run(shutdown.clone()));
    TestApp { metrics, metrics_addr, shutdown, handle }
}

impl TestApp {
    /// Whether the pipeline task is still running (a crash would end it).
    pub fn is_running(&self) -> bool {
        !self.handle.is_finished()
    }

    /// Waits for the pipeline to end by itself (a failure), at most `within`.
    pub async fn ended(self, within: Duration) -> Option<Result<(), IngestError>> {
        let handle = self.handle;
        let _keep = self.shutdown;
        tokio::time::timeout(within, handle).await.ok().map(|joined| joined.expect("pipeline task did not panic"))
    }

    /// Graceful shutdown, as on SIGTERM.
    pub async fn stop(self) -> Result<(), IngestError> {
        self.shutdown.cancel();
        self.handle.await.expect("pipeline task did not panic")
    }
}

/// The `copydesk` binary built by this workspace, in the test's own profile.
pub fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("COPYDESK_BIN") {
        return path.into();
    }
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let path = target.join(profile).join("copydesk");
    assert!(
        path.is_file(),
        "{} is missing: build it first (`cargo build -p copydesk`; `make test` does)",
        path.display()
    );
    path
}

/// `copydesk ingest` as a child process, killed when dropped. Its log lines
/// are echoed to the test's stderr and kept, so a test can see what it did.
pub struct IngestProcess {
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl IngestProcess {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn spawn(args: &[String]) -> IngestProcess {
        IngestProcess::spawn_with(&binary(), args, &[])
    }

    /// [`IngestProcess::spawn`] of the binary at `bin` (another build of
    /// copydesk, as a benchmark compares), with `env` set for it (a value
    /// of `None` removes the variable).
    pub fn spawn_with(bin: &std::path::Path, args: &[String], env: &[(&str, Option<&str>)]) -> IngestProcess {
        // Info from the pipeline (group changes, the metrics address), warnings
        // from the rest; `COPYDESK_CHILD_LOG` overrides it to study a test.
        let filter = std::env::var("COPYDESK_CHILD_LOG").unwrap_or_else(|_| "warn,copydesk_ingest=info".into());
        // A test that asks for its own log filter in `env` keeps it.
        let filter = env.iter().find(|(key, _)| *key == "COPYDESK_LOG").and_then(|(_, v)| *v).unwrap_or(&filter);
        let mut command = Command::new(bin);
        for (key, value) in env {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        let mut child = command
            .arg("ingest")
            .args(args)
            .env("COPYDESK_LOG", filter)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("copydesk ingest starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (stderr, sink, pid) = (child.stderr.take().expect("piped stderr"), log.clone(), child.id());
        std::thread::spawn(move || {
            for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)).map_while(Result::ok) {
                eprintln!("[ingest {pid}] {line}");
                sink.lock().unwrap().push(line);
            }
        });
        IngestProcess { child, log }
    }

    /// The log lines so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Every assignment this process received so far, in order (the
    /// partitions of each "Partitions assigned." line).
    pub fn assignments(&self) -> Vec<Vec<i32>> {
        self.log()
            .iter()
            .filter(|l| l.contains("Partitions assigned."))
            .filter_map(|l| {
                let list = l.split("partitions=[").nth(1)?.split(']').next()?;
                Some(list.split(',').filter_map(|p| p.trim().parse().ok()).collect())
            })
            .collect()
    }

    /// Waits until this process has been assigned at least one partition.
    pub async fn wait_for_partitions(&self, timeout: Duration) -> bool {
        wait_until(timeout, || async { self.assignments().iter().any(|a| !a.is_empty()) }).await
    }

    /// Where its `/metrics` endpoint listens, once it has said so.
    pub async fn metrics_addr(&self, timeout: Duration) -> Option<std::net::SocketAddr> {
        let find = || {
            self.log()
                .iter()
                .filter(|l| l.contains("Serving metrics."))
                .find_map(|l| l.split("addr=").nth(1)?.split_whitespace().next()?.parse().ok())
        };
        wait_until(timeout, || async { find().is_some() }).await.then(find).flatten()
    }

    /// Every thread's stack, from gdb when the machine has it: what a test
    /// that times out waiting on the process prints, so a rare stall says
    /// whether the process was blocked somewhere or idle waiting for a wake-up.
    pub fn thread_dump(&self) -> String {
        let pid = self.child.id().to_string();
        let output = Command::new("timeout")
            .args(["60", "gdb", "-p", &pid, "-batch", "-nx", "-ex", "set pagination off", "-ex", "thread apply all bt"])
            .stdin(Stdio::null())
            .output();
        match output {
            Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
            Ok(out) => format!("(gdb failed: {}: {})", out.status, String::from_utf8_lossy(&out.stderr)),
            Err(error) => format!("(no thread dump: {error})"),
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGKILL: no drain, no commit, no flush.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for the graceful exit; returns whether it succeeded.
    pub fn terminate(&mut self, within: Duration) -> bool {
        self.terminate_within(within).is_some_and(|status| status.success())
    }

    /// SIGTERM, then waits at most `within` for the process to exit; returns
    /// its exit status, or `None` if it is still running.
    pub fn terminate_within(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for IngestProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Publishes `(key, payload)` pairs; returns each input's `topic/partition/offset`.
pub async fn publish(bootstrap: &str, topic: &str, inputs: &[(String, Vec<u8>)]) -> Vec<String> {
    let producer: FutureProducer = producer_config(bootstrap).create().expect("producer");
    let mut sources = Vec::with_capacity(inputs.len());
    for chunk in inputs.chunks(64) {
        let sends = chunk.iter().map(|(key, payload)| send(&producer, topic, Some(key.as_bytes()), payload, &[]));
        for result in futures::future::join_all(sends).await {
            let (partition, offset) = result.expect("input delivered");
            sources.push(format!("{topic}/{partition}/{offset}"));
        }
    }
    sources
}

/// The seed message and every dev-corpus page, keyed by file name.
pub fn corpus_inputs() -> Vec<(String, Vec<u8>)> {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    assert!(shared.is_dir(), "the corpus is expected at {}", shared.display());
    let mut files = vec![shared.join("seed/bbc-zhongwen-world-69124999.snapshot")];
    for dir in ["dev/trafilatura/html", "dev/daniel/html", "dev/chinese/original", "dev/mediacloud/html"] {
        let mut set: Vec<PathBuf> =
            std::fs::read_dir(shared.join(dir)).expect("corpus folder").map(|e| e.expect("entry").path()).collect();
        set.sort();
        files.extend(set);
    }
    files
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).expect("read page")))
        .collect()
}

/// One output record as the accounting needs it.
#[derive(Debug, Clone)]
pub struct OutputRecord {
    pub topic: String,
    /// Where the record is in its topic: two outputs for one input are two
    /// positions; the same position read twice is one output.
    pub partition: i32,
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    pub source: String,
    pub headers: HashMap<String, String>,
    pub payload: Vec<u8>,
    /// The record's Kafka timestamp (when copydesk produced it), in ms.
    pub timestamp: Option<i64>,
}

/// Reads the articles and dead-letter topics from the start, continuously,
/// so tests can wait for conditions on everything produced so far.
pub struct OutputWatcher {
    records: Arc<Mutex<Vec<OutputRecord>>>,
    rereads: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl OutputWatcher {
    pub async fn start(bootstrap: &str, topics: &Topics, read_committed: bool) -> OutputWatcher {
        let consumer = rebootstrapping_consumer(bootstrap, &unique("watcher"), read_committed);
        let mut assignment = TopicPartitionList::new();
        for topic in [&topics.articles, &topics.dead_letters] {
            for p in topic_partitions(bootstrap, topic).await.expect("output topic metadata") {
                assignment.add_partition_offset(topic, p, Offset::Beginning).expect("assignment");
            }
        }
        consumer.assign(&assignment).expect("assign output topics");
        let records = Arc::new(Mutex::new(Vec::new()));
        let rereads = Arc::new(AtomicUsize::new(0));
        let (sink, rereads_seen) = (records.clone(), rereads.clone());
        let task = tokio::spawn(async move {
            // The watcher's own consumer can deliver a record again: after
            // brokers restart, librdkafka may fail to validate its position
            // and reset it to the beginning (auto.offset.reset). That is the
            // test's reader reading twice, not copydesk writing twice, so a
            // position already seen is counted apart and not recorded again.
            let mut seen = HashSet::new();
            loop {
                match consumer.recv().await {
                    Ok(m) if !seen.insert((m.topic().to_string(), m.partition(), m.offset())) => {
                        if rereads_seen.fetch_add(1, Ordering::Relaxed) == 0 {
                            eprintln!(
                                "watcher: read {}/{}/{} a second time (its position was reset); repeats are not counted",
                                m.topic(),
                                m.partition(),
                                m.offset()
                            );
                        }
                    }
                    Ok(m) => sink.lock().unwrap().push(record_of(&m.detach())),
                    Err(e) => {
                        eprintln!("watcher: {e}");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            }
        });
        OutputWatcher { records, rereads, task }
    }

    /// Records the watcher's consumer delivered again at a position it had
    /// already read (not recorded twice).
    pub fn rereads(&self) -> usize {
        self.rereads.load(Ordering::Relaxed)
    }

    pub fn records(&self) -> Vec<OutputRecord> {
        self.records.lock().unwrap().clone()
    }

    /// Distinct inputs accounted for so far.
    pub fn sources(&self) -> HashSet<String> {
        self.records.lock().unwrap().iter().map(|r| r.source.clone()).collect()
    }

    /// Waits until at least `n` distinct inputs are accounted for.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        wait_until(timeout, || async { self.sources().len() >= n }).await
    }
}

impl Drop for OutputWatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn record_of(m: &OwnedMessage) -> OutputRecord {
    let mut headers = HashMap::new();
    if let Some(h) = m.headers() {
        for header in h.iter() {
            headers
                .insert(header.key.to_string(), String::from_utf8_lossy(header.value.unwrap_or_default()).into_owned());
        }
    }
    OutputRecord {
        topic: m.topic().to_string(),
        partition: m.partition(),
        offset: m.offset(),
        key: m.key().map(<[u8]>::to_vec),
        source: headers.get("copydesk-source").cloned().unwrap_or_default(),
        headers,
        payload: m.payload().map(<[u8]>::to_vec).unwrap_or_default(),
        timestamp: m.timestamp().to_millis(),
    }
}

/// Exactly-once's promise over everything produced: one output record per
/// input. On failure it names an input written more than once, with the
/// positions of its outputs.
pub fn assert_each_once(records: &[OutputRecord], inputs: &[String]) {
    let mut outputs: HashMap<&str, Vec<String>> = HashMap::new();
    for r in records {
        outputs.entry(&r.source).or_default().push(format!("{}/{}/{}", r.topic, r.partition, r.offset));
    }
    let repeated: Vec<_> = outputs.iter().filter(|(_, at)| at.len() > 1).collect();
    assert!(
        repeated.is_empty() && records.len() == inputs.len(),
        "exactly-once: {} outputs for {} inputs; {} inputs written more than once, e.g. {:?}",
        records.len(),
        inputs.len(),
        repeated.len(),
        repeated.first()
    );
}

/// Checks the delivery contract over everything produced: every input is
/// accounted for, nothing else appears, and where an input was published
/// more than once (a replay after a crash), every copy has the same key.
/// One exception: a replayed input may meet a newer capture of its article
/// where it did not before (or the other way round), so one of its copies
/// may be its article and another a `superseded` dead letter.
pub fn assert_accounted(records: &[OutputRecord], inputs: &[String]) {
    let expected: HashSet<&str> = inputs.iter().map(String::as_str).collect();
    let mut keys: HashMap<&str, HashSet<Option<&[u8]>>> = HashMap::new();
    for r in records {
        assert!(expected.contains(r.source.as_str()), "output for an unknown input {:?}", r.source);
        let superseded = r.headers.get("copydesk.errors.reason").is_some_and(|reason| reason == "superseded");
        if !superseded {
            keys.entry(&r.source).or_default().insert(r.key.as_deref());
        }
    }
    for r in records {
        // Accounted for, even if a superseded dead letter was its only output.
        keys.entry(&r.source).or_default();
    }
    let missing: Vec<&&str> = expected.iter().filter(|s| !keys.contains_key(**s)).collect();
    assert!(missing.is_empty(), "{} of {} inputs lost, e.g. {:?}", missing.len(), inputs.len(), missing.first());
    for (source, k) in keys {
        assert!(k.len() <= 1, "input {source} was republished under {} different keys", k.len());
    }
}
