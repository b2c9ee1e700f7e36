//! Optional CPU pinning for the latency runs: `BENCH_LOOKUP_PIN=SERVER/CLIENT`
//! (CPU lists as `taskset` takes them, e.g. `0/1`) puts both servers, serve
//! and the no-op, on the SERVER CPUs and ghz on the CLIENT ones. On a small
//! machine ghz spends about four times the servers' CPU per GetArticle, so
//! unpinned, its goroutines queue the servers' threads and every latency
//! figure is mostly ghz's; pinned, each side's queueing is its own. Both
//! sides get the same pinning, so the comparison stays fair.

use std::process::Command;

/// Where each side runs.
#[derive(Debug, Clone)]
pub(crate) struct Pin {
    pub(crate) server: String,
    pub(crate) client: String,
}

/// The pinning asked for, if any; a malformed value stops the benchmark.
pub(crate) fn from_env() -> Option<Pin> {
    let value = std::env::var("BENCH_LOOKUP_PIN").ok().filter(|v| !v.is_empty())?;
    let (server, client) =
        value.split_once('/').unwrap_or_else(|| panic!("BENCH_LOOKUP_PIN={value}: want SERVER/CLIENT"));
    Some(Pin { server: server.to_string(), client: client.to_string() })
}

/// Moves every thread of process `pid` onto `cpus`; threads it starts later
/// inherit it.
pub(crate) fn process(pid: u32, cpus: &str) {
    let status = Command::new("taskset")
        .args(["--all-tasks", "--cpu-list", "--pid", cpus, &pid.to_string()])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("taskset runs");
    assert!(status.success(), "taskset {cpus} for process {pid}: {status}");
}

/// `program` started on `cpus`, or as it is without pinning.
pub(crate) fn command(program: &std::path::Path, cpus: Option<&str>) -> Command {
    match cpus {
        Some(cpus) => {
            let mut command = Command::new("taskset");
            command.args(["--cpu-list", cpus]).arg(program);
            command
        }
        None => Command::new(program),
    }
}
