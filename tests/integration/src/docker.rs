//! Docker plumbing for the broker harness: the runtime that owns Docker API calls, the preflight, host ports, and cleanup of containers a test process leaves behind.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use testcontainers::GenericImage;
use testcontainers::bollard::query_parameters::{ListContainersOptionsBuilder, RemoveContainerOptionsBuilder};
use testcontainers::core::client::docker_client_instance;
use testcontainers::runners::AsyncRunner;

use crate::broker::{BrokerError, DEFAULT_IMAGE};

/// Marks every broker container this harness starts, so leftovers can be found.
pub(crate) const LABEL_ROLE: &str = "copydesk.integration";
/// The test process that owns the container; a dead owner means the container is a leftover.
pub(crate) const LABEL_PID: &str = "copydesk.integration.pid";
/// Only leftovers of this machine are swept: a remote Docker engine may serve several.
pub(crate) const LABEL_HOST: &str = "copydesk.integration.host";

pub(crate) const HINT: &str = "run `make docker broker-image` in the repository root \
     (it starts dockerd and builds copydesk/kafka:latest without a registry)";

/// Every #[tokio::test] has its own runtime, torn down when the test ends, while the
/// testcontainers Docker client is process-wide and keeps pooled connections whose
/// I/O tasks live on the runtime that opened them. All Docker API calls therefore
/// run here, on a runtime that lives as long as the process.
fn harness() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("kafka-harness")
            .enable_all()
            .build()
            .expect("build the Kafka harness runtime")
    })
}

/// Runs `fut` on the harness runtime and awaits it from whatever runtime the caller is on.
pub(crate) async fn on_harness<T, F>(fut: F) -> T
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    match harness().spawn(fut).await {
        Ok(value) => value,
        Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
        Err(err) => panic!("Kafka harness task was cancelled: {err}"),
    }
}

/// For `Drop`, which cannot await: runs `fut` on the harness runtime and blocks for at most `timeout`.
pub(crate) fn block_on_harness<T, F>(fut: F, timeout: Duration) -> Option<T>
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    harness().spawn(async move {
        // The receiver is gone only if the caller gave up waiting; nothing to report then.
        let _ = tx.send(fut.await);
    });
    rx.recv_timeout(timeout).ok()
}

/// Checks that Docker answers and the image exists, so a missing setup fails with the fix
/// rather than a registry pull error or a timeout.
pub(crate) async fn preflight(image: String) -> Result<(), BrokerError> {
    let docker = docker_client_instance()
        .await
        .map_err(|e| BrokerError::Preflight(format!("cannot set up a Docker client ({e}); {HINT}")))?;
    docker
        .ping()
        .await
        .map_err(|e| BrokerError::Preflight(format!("Docker is not running or not reachable ({e}); {HINT}")))?;
    if docker.inspect_image(&image).await.is_err() {
        if image == DEFAULT_IMAGE {
            return Err(BrokerError::Preflight(format!("the image {image} is missing; {HINT}")));
        }
        // An override such as apache/kafka:4.1.1 can be pulled where a registry is reachable.
        let (name, tag) = split_image(&image);
        if let Err(e) = GenericImage::new(name, tag).pull_image().await {
            return Err(BrokerError::Preflight(format!(
                "the image {image} (from COPYDESK_KAFKA_IMAGE) is missing and could not be pulled ({e}); \
                 pull or build it, or unset COPYDESK_KAFKA_IMAGE and {HINT}"
            )));
        }
    }
    static SWEPT: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    SWEPT.get_or_init(sweep_leftovers).await;
    Ok(())
}

/// Splits `repo[:tag]`; a colon before the last `/` belongs to a registry host, not a tag.
pub(crate) fn split_image(image: &str) -> (String, String) {
    let slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[slash..].rfind(':') {
        Some(i) => (image[..slash + i].to_string(), image[slash + i + 1..].to_string()),
        None => (image.to_string(), "latest".to_string()),
    }
}

/// Removes broker containers whose owning test process on this machine is gone
/// (killed before its reaper could act, or the machine was rebooted mid-run).
async fn sweep_leftovers() {
    let Ok(docker) = docker_client_instance().await else { return };
    let filters = HashMap::from([("label".to_string(), vec![LABEL_ROLE.to_string()])]);
    let options = ListContainersOptionsBuilder::new().all(true).filters(&filters).build();
    let Ok(containers) = docker.list_containers(Some(options)).await else { return };
    let host = hostname();
    for summary in containers {
        let (Some(id), Some(labels)) = (summary.id, summary.labels) else { continue };
        let owner_alive =
            labels.get(LABEL_PID).is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
        if labels.get(LABEL_HOST) == Some(&host) && !owner_alive {
            let options = RemoveContainerOptionsBuilder::new().force(true).v(true).build();
            if docker.remove_container(&id, Some(options)).await.is_ok() {
                eprintln!("kafka harness: removed leftover broker container {id}");
            }
        }
    }
}

pub(crate) fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_string()).unwrap_or_default()
}

/// Ports handed to brokers of this process that are still alive. While a broker is
/// stopped for a restart its port is free on the host, and another broker of the same
/// process must not take it.
fn reserved_ports() -> &'static Mutex<HashSet<u16>> {
    static PORTS: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
    PORTS.get_or_init(Default::default)
}

/// Picks a free host port below the kernel's ephemeral range, so that no outgoing
/// connection of any process can be holding it when the container (re)starts.
pub(crate) fn reserve_port() -> Result<u16, BrokerError> {
    let ephemeral_low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32768);
    let (low, high) = if ephemeral_low > 12000 { (10000, ephemeral_low) } else { (40000, 60000) };
    let mut reserved = reserved_ports().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    for _ in 0..200 {
        let bytes = *uuid::Uuid::new_v4().as_bytes();
        let random = u16::from_le_bytes([bytes[0], bytes[1]]);
        let port = low + random % (high - low);
        // A host port is also the broker's EXTERNAL listener port inside its
        // container, so it must not be a port the container listens on
        // already: a node once drew 19092 and never started.
        let in_container = [crate::cluster::INTERNAL_PORT, crate::broker::CONTROLLER_PORT];
        if !in_container.contains(&port)
            && !reserved.contains(&port)
            && TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
        {
            reserved.insert(port);
            return Ok(port);
        }
    }
    Err(BrokerError::Start(format!("no free host port found in {low}..{high}")))
}

pub(crate) fn release_port(port: u16) {
    reserved_ports().lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&port);
}

/// A child process that removes the container when this test process ends, however it
/// ends: it blocks reading a pipe only we hold, and the kernel closes that pipe on exit
/// (normal exit, panic, SIGKILL). It runs in its own process group, so Ctrl-C aimed at
/// `cargo test` does not kill it before it has done its job. Statics are never dropped,
/// so this is what cleans up the shared broker.
pub(crate) struct Reaper {
    child: Child,
}

impl Reaper {
    /// Armed by container name, before the container exists, so no window leaks it.
    pub(crate) fn arm(container_name: &str) -> Option<Reaper> {
        Self::arm_script(r#"cat >/dev/null; exec docker rm -f -v "$0" >/dev/null 2>&1"#, &[container_name])
    }

    /// For a cluster: removes the containers, then their network (which cannot go while they use it).
    pub(crate) fn arm_cluster(container_names: &[String], network: &str) -> Option<Reaper> {
        let mut args: Vec<&str> = vec![network];
        args.extend(container_names.iter().map(String::as_str));
        let script = r#"cat >/dev/null; net=$0; docker rm -f -v "$@" >/dev/null 2>&1; exec docker network rm "$net" >/dev/null 2>&1"#;
        Self::arm_script(script, &args)
    }

    /// `sh -c script args...`, where the script waits for our end of its stdin to close.
    fn arm_script(script: &str, args: &[&str]) -> Option<Reaper> {
        let container_name = args.join(" ");
        let spawned = Command::new("sh")
            .arg("-c")
            .arg(script)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn();
        match spawned {
            Ok(child) => Some(Reaper { child }),
            Err(e) => {
                // The label sweep of the next run still removes the container.
                eprintln!("kafka harness: no reaper for {container_name} ({e}); it may outlive this process");
                None
            }
        }
    }

    /// The container was removed already: stop waiting (only our own child is killed).
    pub(crate) fn disarm(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_split_at_the_tag_not_at_a_registry_port() {
        let split = |image| {
            let (name, tag) = split_image(image);
            format!("{name} {tag}")
        };
        assert_eq!(split("copydesk/kafka:latest"), "copydesk/kafka latest");
        assert_eq!(split("apache/kafka:4.1.1"), "apache/kafka 4.1.1");
        assert_eq!(split("apache/kafka"), "apache/kafka latest");
        assert_eq!(split("registry.local:5000/kafka"), "registry.local:5000/kafka latest");
        assert_eq!(split("registry.local:5000/team/kafka:4.0"), "registry.local:5000/team/kafka 4.0");
    }

    #[test]
    fn reserved_ports_are_not_handed_out_twice() {
        let ports: Vec<u16> = (0..20).map(|_| reserve_port().expect("a free port")).collect();
        let distinct: HashSet<u16> = ports.iter().copied().collect();
        assert_eq!(distinct.len(), ports.len());
        ports.into_iter().for_each(release_port);
    }
}
