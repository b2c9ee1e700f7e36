//! Runs ghz, the gRPC load generator (a Go module, built by
//! `scripts/go-tools.sh`), as a process of its own, and reads its JSON report.

use std::path::PathBuf;

use crate::pin;

/// Where `scripts/go-tools.sh` installs the Go tools: `$COPYDESK_CACHE/go-bin`
/// (default `/var/cache/copydesk/go-bin`, as for `make check-deploy`).
pub(crate) fn go_bin() -> PathBuf {
    let cache = std::env::var_os("COPYDESK_CACHE").unwrap_or_else(|| "/var/cache/copydesk".into());
    PathBuf::from(cache).join("go-bin")
}

/// The ghz binary, if it was built.
pub(crate) fn find() -> Option<PathBuf> {
    let path = go_bin().join("ghz");
    path.is_file().then_some(path)
}

/// One load run: what to call, how hard, for how long.
pub(crate) struct Run<'a> {
    pub(crate) addr: std::net::SocketAddr,
    /// `package.Service/Method`.
    pub(crate) call: &'a str,
    /// A JSON array of requests, sent round robin.
    pub(crate) data_file: &'a std::path::Path,
    pub(crate) connections: u32,
    pub(crate) concurrency: u32,
    pub(crate) secs: u32,
    /// Requests per second in all; `None` is as fast as the server answers.
    pub(crate) rps: Option<u32>,
    /// The CPUs ghz runs on (`pin`), or any.
    pub(crate) cpus: Option<&'a str>,
}

/// What ghz measured.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Outcome {
    pub(crate) rps: f64,
    pub(crate) count: u64,
    pub(crate) errors: u64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    /// ghz's own CPU time (user + system), when `/usr/bin/time` is there.
    pub(crate) client_cpu_s: f64,
    /// The server's CPU time over the run (set by the caller).
    pub(crate) server_cpu_s: f64,
    /// The p99 of the calls' time inside serve (`served`), when measured.
    pub(crate) served_p99_ms: f64,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:>7.0} QPS, p50 {:>6.2} ms, p99 {:>6.2} ms ({} calls, {} errors; CPU per 1000 calls: server {:.0} ms, load generator {:.0} ms)",
            self.rps,
            self.p50_ms,
            self.p99_ms,
            self.count,
            self.errors,
            per_thousand(self.server_cpu_s, self.count),
            per_thousand(self.client_cpu_s, self.count)
        )?;
        if !self.served_p99_ms.is_nan() {
            write!(f, "; inside serve p99 <= {:.2} ms", self.served_p99_ms)?;
        }
        Ok(())
    }
}

fn per_thousand(cpu_s: f64, calls: u64) -> f64 {
    cpu_s * 1e3 * 1e3 / calls.max(1) as f64
}

/// `/usr/bin/time`, to learn what the load generator itself costs.
const TIME: &str = "/usr/bin/time";

fn percentile(report: &serde_json::Value, q: u64) -> f64 {
    report["latencyDistribution"]
        .as_array()
        .and_then(|d| d.iter().find(|p| p["percentage"].as_u64() == Some(q)))
        .and_then(|p| p["latency"].as_f64())
        .map_or(f64::NAN, |ns| ns / 1e6)
}

/// Runs ghz to the end and returns its figures; panics with ghz's own
/// message when it fails (a benchmark, not a test: nothing to recover).
pub(crate) fn run(ghz: &std::path::Path, run: &Run<'_>) -> Outcome {
    let times = std::env::temp_dir().join(format!("bench-lookup-ghz-{}.time", std::process::id()));
    let timed = std::path::Path::new(TIME).is_file();
    let mut command = if timed { pin::command(TIME.as_ref(), run.cpus) } else { pin::command(ghz, run.cpus) };
    if timed {
        command.args(["-f", "%U %S", "-o"]).arg(&times).arg(ghz);
    }
    command
        .args(["--insecure", "--format", "json", "--call", run.call])
        .arg("--data-file")
        .arg(run.data_file)
        .args(["--connections", &run.connections.to_string()])
        .args(["--concurrency", &run.concurrency.to_string()])
        .args(["--duration", &format!("{}s", run.secs)])
        // Calls still in flight when the time is up are left out, not
        // counted as errors of a closed connection.
        .args(["--duration-stop", "ignore"]);
    if let Some(rps) = run.rps {
        command.args(["--rps", &rps.to_string()]);
    }
    command.arg(run.addr.to_string());
    let output = command.output().expect("ghz runs");
    assert!(output.status.success() || !output.stdout.is_empty(), "ghz: {}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("ghz's report is not JSON ({e}): {}", String::from_utf8_lossy(&output.stdout));
    });
    let count = report["count"].as_u64().unwrap_or(0);
    let errors = report["statusCodeDistribution"]
        .as_object()
        .map_or(0, |codes| codes.iter().filter(|(code, _)| *code != "OK").filter_map(|(_, n)| n.as_u64()).sum());
    let client_cpu_s = std::fs::read_to_string(&times).ok().map_or(f64::NAN, |t| {
        t.lines().last().unwrap_or_default().split_whitespace().filter_map(|n| n.parse::<f64>().ok()).sum()
    });
    let _ = std::fs::remove_file(&times);
    Outcome {
        rps: report["rps"].as_f64().unwrap_or(0.0),
        count,
        errors,
        p50_ms: percentile(&report, 50),
        p99_ms: percentile(&report, 99),
        client_cpu_s,
        server_cpu_s: f64::NAN,
        served_p99_ms: f64::NAN,
    }
}
