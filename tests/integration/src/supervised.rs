//! `copydesk ingest` under a supervisor, as in production (systemd,
//! Kubernetes, compose): started again whenever it exits, every restart kept
//! with the error that stopped it, so a test can say which exits it allows.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::copydesk::IngestProcess;

pub struct Supervised {
    current: Arc<Mutex<IngestProcess>>,
    restarts: Arc<Mutex<Vec<String>>>,
    stop: CancellationToken,
    watch: JoinHandle<()>,
}

impl Supervised {
    /// Starts `copydesk ingest` with `args`, and again with the same
    /// arguments each time it exits, until `terminate`.
    pub fn spawn(args: &[String]) -> Supervised {
        let current = Arc::new(Mutex::new(IngestProcess::spawn(args)));
        let restarts = Arc::new(Mutex::new(Vec::new()));
        let stop = CancellationToken::new();
        let watch = tokio::spawn({
            let (current, restarts, stop, args) = (current.clone(), restarts.clone(), stop.clone(), args.to_vec());
            async move {
                let mut tick = tokio::time::interval(Duration::from_millis(250));
                loop {
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tick.tick() => {}
                    }
                    let mut process = current.lock().unwrap();
                    if process.is_running() {
                        continue;
                    }
                    let why = exit_reason(&process.log());
                    eprintln!("supervisor: ingest {} exited ({why}); starting it again", process.pid());
                    restarts.lock().unwrap().push(why);
                    *process = IngestProcess::spawn(&args);
                }
            }
        });
        Supervised { current, restarts, stop, watch }
    }

    /// The error line of each exit so far, in order.
    pub fn restarts(&self) -> Vec<String> {
        self.restarts.lock().unwrap().clone()
    }

    /// Whether the current process is running.
    pub fn is_running(&self) -> bool {
        self.current.lock().unwrap().is_running()
    }

    /// Stops supervising, then SIGTERM; whether the process exited cleanly in time.
    pub async fn terminate(self, within: Duration) -> bool {
        self.stop.cancel();
        let _ = self.watch.await;
        let current = self.current;
        tokio::task::spawn_blocking(move || current.lock().unwrap().terminate(within)).await.unwrap_or(false)
    }
}

/// Why a process exited: copydesk's own last error line. librdkafka's
/// threads may still log after it ("ADDOFFSETS ... Timed out" once the
/// pipeline had stopped for that very call), so theirs come last in the
/// output without being the reason; one of theirs counts only when
/// copydesk logged no error.
fn exit_reason(log: &[String]) -> String {
    let ours = |l: &&String| l.contains(" ERROR copydesk");
    let last = log.iter().rev().find(ours).or_else(|| log.iter().rev().find(|l| l.contains("ERROR")));
    last.cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::exit_reason;

    #[test]
    fn the_reason_is_copydesks_error_not_a_later_librdkafka_line() {
        let log = [
            "2026-12-07T10:42:26.903262Z ERROR copydesk::cmd::runtime: Pipeline stopped. error=a transaction call never \
             returned; exiting so that a restart brings fresh Kafka clients",
            "2026-12-07T10:42:26.903759Z ERROR librdkafka: librdkafka: ADDOFFSETS [thrd:main]: Local: Timed out",
        ]
        .map(String::from);
        assert!(exit_reason(&log).contains("fresh Kafka clients"));
        let theirs = ["2026-12-07T10:42:26Z ERROR librdkafka: librdkafka: FAIL [thrd:main]: down".to_string()];
        assert!(exit_reason(&theirs).contains("FAIL"), "with no error of copydesk's, the last one");
        assert_eq!(exit_reason(&[]), "");
    }
}
