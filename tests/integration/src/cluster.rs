//! `KafkaCluster`: three KRaft brokers (each broker and controller, a three-voter quorum) on a Docker network of their own, each reachable from the host at its own 127.0.0.1 port, with single-node kill and start and a whole-cluster restart.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use testcontainers::core::IntoContainerPort;
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, GenericImage, ImageExt};

use crate::broker::{
    BrokerError, CONTROLLER_PORT, DEFAULT_IMAGE, IMAGE_ENV, bind_loopback, keep_containers, ready_lines,
    remove_by_name, startup_timeout, tail,
};
use crate::copydesk::Topics;
use crate::docker::{self, LABEL_HOST, LABEL_PID, LABEL_ROLE, Reaper};
use crate::kafka::{client_config, create_new_topic, wait_until};

/// Brokers in the cluster; node ids are 1..=NODES.
pub const NODES: usize = 3;
/// The listener the brokers use among themselves, by container name on the cluster's network.
pub(crate) const INTERNAL_PORT: u16 = 19092;
/// Small enough that three brokers fit beside the other tests on two cores.
const HEAP: &str = "-Xmx384m -Xms384m";

/// A three-broker cluster owned by a test. Dropping it removes the containers and the network.
pub struct KafkaCluster {
    nodes: Vec<Node>,
    network: String,
    image: String,
    reaper: Option<Reaper>,
}

struct Node {
    name: String,
    port: u16,
    container: Option<Arc<ContainerAsync<GenericImage>>>,
}

impl KafkaCluster {
    /// Starts the three brokers and waits until each serves metadata listing all three.
    pub async fn launch() -> KafkaCluster {
        Self::try_launch().await.unwrap_or_else(|e| panic!("{e}"))
    }

    pub async fn try_launch() -> Result<KafkaCluster, BrokerError> {
        let image = std::env::var(IMAGE_ENV).unwrap_or_else(|_| DEFAULT_IMAGE.to_string());
        docker::on_harness(docker::preflight(image.clone())).await?;
        let run = format!("{}-{}", std::process::id(), &uuid::Uuid::new_v4().simple().to_string()[..10]);
        let network = format!("copydesk-net-{run}");
        let mut nodes = Vec::with_capacity(NODES);
        for id in 1..=NODES {
            nodes.push(Node {
                name: format!("copydesk-kafka-{run}-{id}"),
                port: docker::reserve_port()?,
                container: None,
            });
        }
        let names: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
        let reaper = if keep_containers() { None } else { Reaper::arm_cluster(&names, &network) };
        let mut cluster = KafkaCluster { nodes, network, image, reaper };
        let started = Instant::now();
        let voters = cluster.voters();
        // A broker does not report itself started before a quorum of controllers
        // exists, so all three are created before any is waited for.
        let launches = cluster.nodes.iter().enumerate().map(|(i, node)| {
            let request = cluster.request(i, node, &voters);
            let name = node.name.clone();
            docker::on_harness(async move {
                match request.start().await {
                    Ok(container) => Ok(Arc::new(container)),
                    Err(e) => {
                        remove_by_name(&name).await;
                        Err(BrokerError::Start(format!("{name}: {e}")))
                    }
                }
            })
        });
        let launched = futures::future::join_all(launches).await;
        let mut failure = None;
        for (node, result) in cluster.nodes.iter_mut().zip(launched) {
            match result {
                Ok(container) => node.container = Some(container),
                Err(e) => failure = failure.or(Some(e)),
            }
        }
        if let Some(e) = failure {
            return Err(e); // Drop removes whatever did start.
        }
        cluster.wait_ready(&[0; NODES], (0..NODES).collect()).await?;
        eprintln!(
            "kafka cluster: {} ready at {} in {:.1} s",
            cluster.network,
            cluster.bootstrap(),
            started.elapsed().as_secs_f64()
        );
        Ok(cluster)
    }

    /// All three advertised host addresses, comma-separated.
    pub fn bootstrap(&self) -> String {
        self.nodes.iter().map(|n| format!("127.0.0.1:{}", n.port)).collect::<Vec<_>>().join(",")
    }

    /// The host address of broker `node` (0-based index; its node id is `node + 1`).
    pub fn address(&self, node: usize) -> String {
        format!("127.0.0.1:{}", self.nodes[node].port)
    }

    pub fn container_name(&self, node: usize) -> &str {
        &self.nodes[node].name
    }

    pub fn image(&self) -> &str {
        &self.image
    }

    /// SIGKILL to broker `node`: the process dies at once, as in a power cut; its data stays.
    pub async fn kill(&self, node: usize) {
        self.kill_all_of(&[node]).await;
        eprintln!("kafka cluster: killed node {} ({})", node + 1, self.nodes[node].name);
    }

    /// Starts broker `node` again and waits until every broker lists it as serving.
    pub async fn start(&self, node: usize) {
        let started = Instant::now();
        self.start_nodes(vec![node]).await;
        eprintln!("kafka cluster: node {} back in {:.1} s", node + 1, started.elapsed().as_secs_f64());
    }

    /// Kills all three brokers at once, then starts them again and waits until the
    /// cluster serves; every address stays the same.
    pub async fn restart_all(&self) {
        let started = Instant::now();
        self.kill_all_of(&(0..NODES).collect::<Vec<_>>()).await;
        self.start_nodes((0..NODES).collect()).await;
        eprintln!("kafka cluster: all {NODES} nodes restarted in {:.1} s", started.elapsed().as_secs_f64());
    }

    /// The index (0-based) of the broker leading `topic`'s `partition`, from metadata.
    pub async fn leader(&self, topic: &str, partition: i32) -> Option<usize> {
        let (topic, bootstrap) = (topic.to_string(), self.bootstrap());
        let leader = blocking(move || {
            let client: BaseConsumer = client_config(&bootstrap).create().ok()?;
            let metadata = client.fetch_metadata(Some(&topic), Duration::from_secs(5)).ok()?;
            let found = metadata.topics().iter().find(|t| t.name() == topic)?;
            found.partitions().iter().find(|p| p.id() == partition).map(|p| p.leader())
        })
        .await?;
        usize::try_from(leader).ok().filter(|id| (1..=NODES).contains(id)).map(|id| id - 1)
    }

    /// Whether every partition of `topic` has a leader and all three replicas in sync.
    pub async fn fully_replicated(&self, topic: &str) -> bool {
        let (topic, bootstrap) = (topic.to_string(), self.bootstrap());
        blocking(move || {
            let Ok(client) = client_config(&bootstrap).create::<BaseConsumer>() else { return false };
            let Ok(metadata) = client.fetch_metadata(Some(&topic), Duration::from_secs(5)) else { return false };
            let Some(found) = metadata.topics().iter().find(|t| t.name() == topic) else { return false };
            !found.partitions().is_empty()
                && found.partitions().iter().all(|p| p.leader() >= 0 && p.isr().len() == NODES)
        })
        .await
    }

    /// Creates `name` at replication factor 3 with `min.insync.replicas=2` (plus `configs`)
    /// and waits until every partition has a leader and three in-sync replicas.
    pub async fn create_topic(&self, name: &str, partitions: i32, configs: &[(&str, &str)]) {
        let admin: AdminClient<DefaultClientContext> =
            client_config(&self.bootstrap()).create().expect("create a Kafka admin client");
        let mut topic =
            NewTopic::new(name, partitions, TopicReplication::Fixed(NODES as i32)).set("min.insync.replicas", "2");
        for (key, value) in configs {
            topic = topic.set(key, value);
        }
        create_new_topic(&admin, &topic, configs).await;
        let ready = wait_until(Duration::from_secs(60), || self.fully_replicated(name)).await;
        assert!(ready, "topic {name} was created but did not get {NODES} in-sync replicas everywhere within 60 s");
    }

    /// The input, articles and dead-letter topics as [`Topics::create`] makes them, but
    /// replicated three times with `min.insync.replicas=2`.
    pub async fn create_topics(&self) -> Topics {
        let topics = Topics::unique();
        for (name, config) in topics.configs(&[]) {
            let config: Vec<(&str, &str)> = config.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            self.create_topic(name, 3, &config).await;
        }
        topics
    }

    /// Every broker's stdout so far (all runs), for diagnosing a failing test.
    pub async fn logs(&self) -> String {
        let mut all = String::new();
        for node in &self.nodes {
            let container = node.container();
            let bytes = docker::on_harness(async move { container.stdout_to_vec().await }).await;
            all.push_str(&format!("--- {} ---\n{}\n", node.name, String::from_utf8_lossy(&bytes.unwrap_or_default())));
        }
        all
    }

    fn voters(&self) -> String {
        let voters: Vec<String> =
            self.nodes.iter().enumerate().map(|(i, n)| format!("{}@{}:{CONTROLLER_PORT}", i + 1, n.name)).collect();
        voters.join(",")
    }

    fn request(&self, index: usize, node: &Node, voters: &str) -> testcontainers::ContainerRequest<GenericImage> {
        let (repo, tag) = docker::split_image(&self.image);
        let mut request = GenericImage::new(repo, tag)
            .with_container_name(&node.name)
            .with_network(&self.network)
            .with_mapped_port(node.port, node.port.tcp())
            .with_host_config_modifier(bind_loopback)
            .with_label(LABEL_ROLE, "kafka")
            .with_label(LABEL_PID, std::process::id().to_string())
            .with_label(LABEL_HOST, docker::hostname())
            .with_startup_timeout(startup_timeout());
        for (key, value) in node_env(index + 1, &node.name, node.port, voters) {
            request = request.with_env_var(key, value);
        }
        request
    }

    async fn kill_all_of(&self, nodes: &[usize]) {
        let names: Vec<String> = nodes.iter().map(|&i| self.nodes[i].name.clone()).collect();
        docker::on_harness(async move {
            let client = testcontainers::core::client::docker_client_instance().await.expect("Docker client");
            let kills = names.iter().map(|name| client.kill_container(name, None));
            for (name, result) in names.iter().zip(futures::future::join_all(kills).await) {
                result.unwrap_or_else(|e| panic!("docker kill {name}: {e}"));
            }
        })
        .await;
    }

    async fn start_nodes(&self, nodes: Vec<usize>) {
        let mut before = [0; NODES];
        for &i in &nodes {
            let container = self.nodes[i].container();
            before[i] = docker::on_harness(async move {
                let before = ready_lines(&container).await?;
                container.start().await.map_err(|e| BrokerError::Docker(format!("start: {e}")))?;
                Ok::<_, BrokerError>(before)
            })
            .await
            .unwrap_or_else(|e| panic!("starting {} again: {e}", self.nodes[i].name));
        }
        self.wait_ready(&before, nodes).await.unwrap_or_else(|e| panic!("{e}"));
    }

    /// Ready: each of `nodes` logged one more start line than `before`, and every broker's
    /// metadata lists all three at their host addresses (a restarted broker is listed only
    /// once the controller has unfenced it).
    async fn wait_ready(&self, before: &[usize; NODES], nodes: Vec<usize>) -> Result<(), BrokerError> {
        let deadline = Instant::now() + startup_timeout();
        for &i in &nodes {
            let container = self.nodes[i].container();
            let wanted = before[i];
            let started =
                wait_until(deadline.saturating_duration_since(Instant::now()), || {
                    let container = Arc::clone(&container);
                    async move {
                        docker::on_harness(async move { ready_lines(&container).await.unwrap_or(0) }).await > wanted
                    }
                })
                .await;
            if !started {
                return Err(self.start_failure(i, "no start line").await);
            }
        }
        let mut expected: Vec<String> = (0..NODES).map(|i| self.address(i)).collect();
        expected.sort();
        for i in 0..NODES {
            let address = self.address(i);
            let expected = expected.clone();
            let listed = wait_until(deadline.saturating_duration_since(Instant::now()), || {
                let (address, expected) = (address.clone(), expected.clone());
                async move { brokers_seen_by(address).await == expected }
            })
            .await;
            if !listed {
                let seen = brokers_seen_by(address.clone()).await;
                return Err(self.start_failure(i, &format!("{address} lists brokers {seen:?}")).await);
            }
        }
        Ok(())
    }

    async fn start_failure(&self, node: usize, what: &str) -> BrokerError {
        let container = self.nodes[node].container();
        let stdout = docker::on_harness(async move { container.stdout_to_vec().await.unwrap_or_default() }).await;
        BrokerError::Start(format!(
            "cluster node {} ({}) not ready within {:?}: {what}\n--- its stdout, last lines ---\n{}",
            node + 1,
            self.nodes[node].name,
            startup_timeout(),
            tail(&stdout, 30)
        ))
    }
}

impl Node {
    fn container(&self) -> Arc<ContainerAsync<GenericImage>> {
        Arc::clone(self.container.as_ref().expect("cluster container is present until drop"))
    }
}

/// The sorted `host:port` list of brokers that the broker at `address` reports.
async fn brokers_seen_by(address: String) -> Vec<String> {
    blocking(move || {
        let Ok(client) = client_config(&address).create::<BaseConsumer>() else { return Vec::new() };
        let Ok(metadata) = client.fetch_metadata(None, Duration::from_secs(3)) else { return Vec::new() };
        let mut brokers: Vec<String> =
            metadata.brokers().iter().map(|b| format!("{}:{}", b.host(), b.port())).collect();
        brokers.sort();
        brokers
    })
    .await
}

/// The official image's `KAFKA_*` convention for a combined broker and controller.
/// Clients on the host use EXTERNAL (container port P published as 127.0.0.1:P); the
/// brokers replicate and send transaction markers over INTERNAL, by container name.
fn node_env(id: usize, name: &str, port: u16, voters: &str) -> BTreeMap<String, String> {
    let replicas = NODES.to_string();
    let settings = [
        ("KAFKA_NODE_ID", id.to_string()),
        ("KAFKA_PROCESS_ROLES", "broker,controller".to_string()),
        (
            "KAFKA_LISTENERS",
            format!(
                "INTERNAL://0.0.0.0:{INTERNAL_PORT},EXTERNAL://0.0.0.0:{port},CONTROLLER://0.0.0.0:{CONTROLLER_PORT}"
            ),
        ),
        ("KAFKA_ADVERTISED_LISTENERS", format!("INTERNAL://{name}:{INTERNAL_PORT},EXTERNAL://127.0.0.1:{port}")),
        (
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
            "CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT".to_string(),
        ),
        ("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER".to_string()),
        ("KAFKA_INTER_BROKER_LISTENER_NAME", "INTERNAL".to_string()),
        ("KAFKA_CONTROLLER_QUORUM_VOTERS", voters.to_string()),
        // Internal topics survive a broker loss like the test's own topics do.
        ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", replicas.clone()),
        ("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", replicas.clone()),
        ("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2".to_string()),
        ("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", replicas.clone()),
        ("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "2".to_string()),
        ("KAFKA_DEFAULT_REPLICATION_FACTOR", replicas),
        ("KAFKA_MIN_INSYNC_REPLICAS", "2".to_string()),
        // As for the single broker: 50 partitions per internal topic cost seconds on two cores.
        ("KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS", "1".to_string()),
        ("KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS", "1".to_string()),
        ("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0".to_string()),
        ("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false".to_string()),
        ("KAFKA_HEAP_OPTS", HEAP.to_string()),
        // A restarted container may get another address on the network: resolve peers'
        // names afresh instead of from the JVM's 30 s cache.
        ("KAFKA_OPTS", "-Dsun.net.inetaddr.ttl=0 -Dsun.net.inetaddr.negative.ttl=0".to_string()),
    ];
    settings.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

impl Drop for KafkaCluster {
    fn drop(&mut self) {
        for node in &self.nodes {
            docker::release_port(node.port);
        }
        let containers: Vec<_> = self.nodes.iter_mut().filter_map(|n| n.container.take()).collect();
        if keep_containers() {
            eprintln!("kafka cluster: keeping {} (TESTCONTAINERS_COMMAND=keep)", self.network);
            containers.into_iter().for_each(std::mem::forget);
            return;
        }
        let removed = docker::block_on_harness(
            async move {
                let removals = containers.into_iter().map(|container| async move {
                    match Arc::try_unwrap(container) {
                        Ok(container) => container.rm().await.is_ok(),
                        Err(_still_used) => false,
                    }
                });
                futures::future::join_all(removals).await.into_iter().all(|ok| ok)
            },
            Duration::from_secs(30),
        );
        // The network goes with the last container (testcontainers holds it); if a
        // removal failed, the reaper removes containers and network by name.
        match self.reaper.take() {
            Some(reaper) if removed == Some(true) => reaper.disarm(),
            Some(reaper) => drop(reaper),
            None => {}
        }
    }
}

impl fmt::Debug for KafkaCluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KafkaCluster")
            .field("network", &self.network)
            .field("image", &self.image)
            .field("bootstrap", &self.bootstrap())
            .finish()
    }
}

/// librdkafka's metadata calls block; keep them off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(value) => value,
        Err(err) => std::panic::resume_unwind(err.into_panic()),
    }
}
