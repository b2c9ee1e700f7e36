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
                    let why = process.log().into_iter().rev().find(|l| l.contains("ERROR")).unwrap_or_default();
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
