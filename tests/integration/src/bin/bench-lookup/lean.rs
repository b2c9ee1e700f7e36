//! Runs `grpc-load`, the lean load generator built beside this benchmark,
//! as a process of its own, and reads its one-line JSON report. It spends a
//! fraction of ghz's CPU per call, so on a small machine the latency it
//! reports is mostly the server's, not the generator's own queueing.

use std::path::{Path, PathBuf};

use crate::ghz::{Outcome, Run};
use crate::pin;

/// `grpc-load` beside this binary, if it was built.
pub(crate) fn find() -> Option<PathBuf> {
    let path = std::env::current_exe().ok()?.parent()?.join("grpc-load");
    path.is_file().then_some(path)
}

/// The length-delimited requests beside a ghz data file (`data_file` writes both).
pub(crate) fn requests_of(data_file: &Path) -> PathBuf {
    data_file.with_extension("bin")
}

/// Runs `grpc-load` to the end and returns its figures; panics with its
/// own message when it fails (a benchmark, not a test).
pub(crate) fn run(program: &Path, run: &Run<'_>) -> Outcome {
    let output = pin::command(program, run.cpus)
        .arg(run.addr.to_string())
        .arg(format!("/{}", run.call))
        .arg(requests_of(run.data_file))
        .args([run.connections, run.concurrency, run.secs, run.rps.unwrap_or(0)].map(|n| n.to_string()))
        .output()
        .expect("grpc-load runs");
    assert!(output.status.success(), "grpc-load: {}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("grpc-load's report is not JSON ({e}): {}", String::from_utf8_lossy(&output.stdout));
    });
    let number = |key: &str| report[key].as_f64().unwrap_or(f64::NAN);
    Outcome {
        rps: number("rps"),
        count: report["count"].as_u64().unwrap_or(0),
        errors: report["errors"].as_u64().unwrap_or(0),
        p50_ms: number("p50_ms"),
        p99_ms: number("p99_ms"),
        client_cpu_s: number("client_cpu_s"),
        server_cpu_s: f64::NAN,
        served_p99_ms: f64::NAN,
    }
}
