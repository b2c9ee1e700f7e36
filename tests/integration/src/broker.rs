//! `KafkaBroker`: a single-node KRaft Apache Kafka broker in a container, reachable from the host at a fixed advertised address, restartable in place, with one shared instance per test process.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use testcontainers::bollard::models::{HostConfig, PortBinding};
use testcontainers::core::IntoContainerPort;
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, GenericImage, ImageExt};

use crate::docker::{self, HINT, LABEL_HOST, LABEL_PID, LABEL_ROLE, Reaper};
use crate::kafka;

/// Overrides the broker image, e.g. `apache/kafka:4.1.1` where a registry is reachable.
pub const IMAGE_ENV: &str = "COPYDESK_KAFKA_IMAGE";
/// Built on this machine by `make broker-image`.
pub const DEFAULT_IMAGE: &str = "copydesk/kafka:latest";
/// Seconds allowed from `docker create` to a broker that answers metadata requests.
pub const STARTUP_TIMEOUT_ENV: &str = "COPYDESK_KAFKA_STARTUP_TIMEOUT_SECS";
/// Generous: two JVMs starting on two cores while cargo compiles can take a while.
const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(120);
/// Printed by both the official image and ours once broker and controller serve requests.
pub(crate) const READY_LINE: &str = "Kafka Server started";
pub(crate) const CONTROLLER_PORT: u16 = 9093;

#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    #[error("Kafka broker preflight failed: {0}")]
    Preflight(String),
    #[error("Kafka broker did not start: {0}")]
    Start(String),
    #[error("Docker call for the Kafka broker failed: {0}")]
    Docker(String),
}

/// A broker container owned by a test. Dropping it removes the container.
pub struct KafkaBroker {
    container: Option<Arc<ContainerAsync<GenericImage>>>,
    name: String,
    image: String,
    port: u16,
    shared: bool,
    reaper: Option<Reaper>,
}

impl KafkaBroker {
    /// Starts a broker with the harness defaults; panics with the fix when Docker or the image is missing.
    pub async fn start() -> KafkaBroker {
        Self::start_with(&[]).await
    }

    /// Like [`KafkaBroker::start`], with extra or replaced container environment
    /// (`KAFKA_*` broker properties in the official image's convention).
    pub async fn start_with(env: &[(&str, &str)]) -> KafkaBroker {
        Self::try_start_with(env).await.unwrap_or_else(|e| panic!("{e}"))
    }

    pub async fn try_start_with(env: &[(&str, &str)]) -> Result<KafkaBroker, BrokerError> {
        let image = std::env::var(IMAGE_ENV).unwrap_or_else(|_| DEFAULT_IMAGE.to_string());
        docker::on_harness(docker::preflight(image.clone())).await?;
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let port = docker::reserve_port()?;
            let name =
                format!("copydesk-kafka-{}-{}", std::process::id(), &uuid::Uuid::new_v4().simple().to_string()[..12]);
            let reaper = if keep_containers() { None } else { Reaper::arm(&name) };
            let launched = docker::on_harness(launch(image.clone(), name.clone(), port, env.clone())).await;
            match launched {
                Ok(container) => {
                    let broker = KafkaBroker { container: Some(container), name, image, port, shared: false, reaper };
                    return Ok(broker);
                }
                Err(err) => {
                    docker::release_port(port);
                    if let Some(reaper) = reaper {
                        reaper.disarm();
                    }
                    // Another process may have bound the port between our check and Docker's bind.
                    let port_race = err.to_string().contains("already allocated")
                        || err.to_string().contains("address already in use");
                    if !port_race || attempts == 3 {
                        return Err(err);
                    }
                }
            }
        }
    }

    /// `127.0.0.1:<port>`, the address the broker advertises; valid across [`KafkaBroker::start_again`].
    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn container_name(&self) -> &str {
        &self.name
    }

    pub fn image(&self) -> &str {
        &self.image
    }

    fn container(&self) -> Arc<ContainerAsync<GenericImage>> {
        Arc::clone(self.container.as_ref().expect("broker container is present until drop"))
    }

    /// Stops the container (SIGTERM, the broker shuts down cleanly); data stays in the container.
    pub async fn stop(&self) {
        assert!(!self.shared, "the shared broker must not be stopped: start a KafkaBroker of your own");
        let container = self.container();
        let started = Instant::now();
        docker::on_harness(async move { container.stop_with_timeout(Some(30)).await })
            .await
            .unwrap_or_else(|e| panic!("stopping Kafka container {}: {e}", self.name));
        let secs = started.elapsed().as_secs_f64();
        eprintln!("kafka harness: {} stopped in {secs:.1} s", self.name);
    }

    /// Starts the same container again and waits until it serves at the same address.
    pub async fn start_again(&self) {
        let container = self.container();
        let port = self.port;
        let started = Instant::now();
        docker::on_harness(async move {
            let before = ready_lines(&container).await?;
            container.start().await.map_err(|e| BrokerError::Docker(format!("start: {e}")))?;
            wait_ready(&container, port, before, Instant::now() + startup_timeout()).await
        })
        .await
        .unwrap_or_else(|e| panic!("restarting Kafka container {}: {e}", self.name));
        let secs = started.elapsed().as_secs_f64();
        eprintln!("kafka harness: {} restarted at {} in {secs:.1} s", self.name, self.bootstrap());
    }

    /// The broker's stdout so far (all runs of the container), for diagnosing a failing test.
    pub async fn logs(&self) -> String {
        let container = self.container();
        let bytes = docker::on_harness(async move { container.stdout_to_vec().await }).await;
        String::from_utf8_lossy(&bytes.unwrap_or_default()).into_owned()
    }
}

/// One broker per test process for every test that does not restart it; each test
/// isolates itself with unique topic and group names ([`crate::unique`]).
///
/// The broker lives in a static and is therefore never dropped. The container is
/// removed when the process exits by its reaper process (see `docker::Reaper`),
/// and, should that fail too, by the label sweep of the next run.
/// A failed start is remembered, so the other tests fail at once with the same message.
pub async fn shared_broker() -> &'static KafkaBroker {
    static SHARED: tokio::sync::OnceCell<Result<KafkaBroker, String>> = tokio::sync::OnceCell::const_new();
    let started = SHARED
        .get_or_init(|| async {
            let mut broker = KafkaBroker::try_start_with(&[]).await.map_err(|e| e.to_string())?;
            broker.shared = true;
            Ok(broker)
        })
        .await;
    match started {
        Ok(broker) => broker,
        Err(message) => panic!("{message}"),
    }
}

impl Drop for KafkaBroker {
    fn drop(&mut self) {
        docker::release_port(self.port);
        let Some(container) = self.container.take() else { return };
        if keep_containers() {
            eprintln!("kafka harness: keeping container {} (TESTCONTAINERS_COMMAND=keep)", self.name);
            std::mem::forget(container);
            return;
        }
        let removed = docker::block_on_harness(
            async move {
                match Arc::try_unwrap(container) {
                    Ok(container) => container.rm().await.is_ok(),
                    Err(_still_used) => false,
                }
            },
            Duration::from_secs(30),
        );
        let removed = removed == Some(true);
        match self.reaper.take() {
            Some(reaper) if removed => reaper.disarm(),
            // Dropping the reaper closes its pipe, so it removes the container by name right away.
            Some(reaper) => drop(reaper),
            None if !removed => eprintln!("kafka harness: could not remove container {}", self.name),
            None => {}
        }
    }
}

impl fmt::Debug for KafkaBroker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KafkaBroker")
            .field("name", &self.name)
            .field("image", &self.image)
            .field("bootstrap", &self.bootstrap())
            .field("shared", &self.shared)
            .finish()
    }
}

pub(crate) fn keep_containers() -> bool {
    std::env::var("TESTCONTAINERS_COMMAND").is_ok_and(|v| v == "keep")
}

pub(crate) fn startup_timeout() -> Duration {
    std::env::var(STARTUP_TIMEOUT_ENV)
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(DEFAULT_STARTUP_TIMEOUT, Duration::from_secs)
}

/// The container listens on the same port P that it is published on, so the advertised
/// `127.0.0.1:P` is right both from the host and from inside the container: the broker
/// reaches itself there too (transaction markers, `docker exec` tools), and one listener
/// serves clients and inter-broker traffic alike.
fn broker_env(port: u16, extra: &[(String, String)]) -> BTreeMap<String, String> {
    let defaults = [
        ("KAFKA_NODE_ID", "1".to_string()),
        ("KAFKA_PROCESS_ROLES", "broker,controller".to_string()),
        ("KAFKA_LISTENERS", format!("PLAINTEXT://0.0.0.0:{port},CONTROLLER://0.0.0.0:{CONTROLLER_PORT}")),
        ("KAFKA_ADVERTISED_LISTENERS", format!("PLAINTEXT://127.0.0.1:{port}")),
        ("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT".to_string()),
        ("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER".to_string()),
        ("KAFKA_CONTROLLER_QUORUM_VOTERS", format!("1@localhost:{CONTROLLER_PORT}")),
        ("KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT".to_string()),
        // One node: internal topics cannot have more replicas than that.
        ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1".to_string()),
        ("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1".to_string()),
        ("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1".to_string()),
        ("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1".to_string()),
        ("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1".to_string()),
        // Creating 50 partitions per internal topic costs seconds on two cores, on first use.
        ("KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS", "1".to_string()),
        ("KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS", "1".to_string()),
        ("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0".to_string()),
        // A test that forgets to create its topic should fail, not get a default one.
        ("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false".to_string()),
    ];
    let mut env: BTreeMap<String, String> = defaults.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    env.extend(extra.iter().cloned());
    env
}

/// Publishes P on 127.0.0.1 only: the broker is for this machine's tests, and an
/// explicit host port binding survives `docker stop`/`docker start` unchanged.
pub(crate) fn bind_loopback(host_config: &mut HostConfig) {
    for bindings in host_config.port_bindings.iter_mut().flat_map(|map| map.values_mut()).flatten() {
        for binding in bindings.iter_mut() {
            *binding = PortBinding { host_ip: Some("127.0.0.1".to_string()), ..binding.clone() };
        }
    }
}

/// Runs on the harness runtime. Creates, starts and waits; on failure removes the container.
async fn launch(
    image: String,
    name: String,
    port: u16,
    extra_env: Vec<(String, String)>,
) -> Result<Arc<ContainerAsync<GenericImage>>, BrokerError> {
    let started = Instant::now();
    let deadline = started + startup_timeout();
    let (repo, tag) = docker::split_image(&image);
    let mut request = GenericImage::new(repo, tag)
        .with_container_name(&name)
        .with_mapped_port(port, port.tcp())
        .with_host_config_modifier(bind_loopback)
        .with_label(LABEL_ROLE, "kafka")
        .with_label(LABEL_PID, std::process::id().to_string())
        .with_label(LABEL_HOST, docker::hostname())
        .with_startup_timeout(startup_timeout());
    for (key, value) in broker_env(port, &extra_env) {
        request = request.with_env_var(key, value);
    }
    let container = match request.start().await {
        Ok(container) => Arc::new(container),
        Err(e) => {
            // testcontainers leaves a container that was created but failed to start.
            remove_by_name(&name).await;
            return Err(BrokerError::Start(format!("{image} as {name} on port {port}: {e}")));
        }
    };
    match wait_ready(&container, port, 0, deadline).await {
        Ok(()) => {
            let secs = started.elapsed().as_secs_f64();
            eprintln!("kafka harness: {name} ({image}) ready at 127.0.0.1:{port} in {secs:.1} s");
            Ok(container)
        }
        Err(e) => {
            if let Ok(container) = Arc::try_unwrap(container) {
                let _ = container.rm().await;
            }
            Err(e)
        }
    }
}

pub(crate) async fn remove_by_name(name: &str) {
    use testcontainers::bollard::query_parameters::RemoveContainerOptionsBuilder;
    if let Ok(client) = testcontainers::core::client::docker_client_instance().await {
        let options = RemoveContainerOptionsBuilder::new().force(true).v(true).build();
        let _ = client.remove_container(name, Some(options)).await;
    }
}

pub(crate) async fn ready_lines(container: &ContainerAsync<GenericImage>) -> Result<usize, BrokerError> {
    let stdout = container.stdout_to_vec().await.map_err(|e| BrokerError::Docker(format!("logs: {e}")))?;
    Ok(String::from_utf8_lossy(&stdout).matches(READY_LINE).count())
}

/// Ready means: the broker logged its start line (one more than `before`, the count from
/// earlier runs of the container), the port is still published as P, and a metadata
/// request through the advertised address names the broker at that same address.
async fn wait_ready(
    container: &ContainerAsync<GenericImage>,
    port: u16,
    before: usize,
    deadline: Instant,
) -> Result<(), BrokerError> {
    let failed = |what: String| async move {
        let stdout = container.stdout_to_vec().await.unwrap_or_default();
        let stderr = container.stderr_to_vec().await.unwrap_or_default();
        Err(BrokerError::Start(format!(
            "{what}\n--- broker stdout, last lines ---\n{}\n--- broker stderr, last lines ---\n{}\n---\n\
             (if the image is outdated: {HINT})",
            tail(&stdout, 25),
            tail(&without_stack_frames(&stderr), 15),
        )))
    };
    let mut pause = Duration::from_millis(50);
    while ready_lines(container).await? <= before {
        if !container.is_running().await.unwrap_or(false) {
            return failed("the broker container exited during start-up".to_string()).await;
        }
        if Instant::now() >= deadline {
            return failed(format!(
                "no '{READY_LINE}' line within {:?} (a slow machine may need {STARTUP_TIMEOUT_ENV})",
                startup_timeout()
            ))
            .await;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(250));
    }
    match container.get_host_port_ipv4(port).await {
        Ok(published) if published == port => {}
        other => return failed(format!("container port {port} is not published 1:1 on the host: {other:?}")).await,
    }
    let bootstrap = format!("127.0.0.1:{port}");
    let remaining = deadline.saturating_duration_since(Instant::now()).max(Duration::from_secs(5));
    match kafka::advertised_broker(&bootstrap, remaining).await {
        Ok(advertised) if advertised == bootstrap => Ok(()),
        Ok(advertised) => failed(format!("the broker advertises {advertised}, expected {bootstrap}")).await,
        Err(e) => failed(format!("no metadata from {bootstrap}: {e}")).await,
    }
}

pub(crate) fn tail(log: &[u8], lines: usize) -> String {
    let log = String::from_utf8_lossy(log);
    let all: Vec<&str> = log.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Java stack frames would crowd the exception and `Caused by` lines out of the tail.
pub(crate) fn without_stack_frames(log: &[u8]) -> Vec<u8> {
    let lines: Vec<&[u8]> = log.split(|&b| b == b'\n').filter(|line| !line.starts_with(b"\tat ")).collect();
    lines.join(&b'\n')
}
