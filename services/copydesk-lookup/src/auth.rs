//! Bearer-token authentication: the tokens come from a file that is
//! re-read when it changes, so they rotate without a restart. Only the
//! tokens' SHA-256 digests are kept and compared, so a comparison's timing
//! says nothing about a valid token.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Status};
use tracing::{info, warn};

use crate::LookupError;

type Digests = HashSet<[u8; 32]>;

/// The accepted tokens, shared by the interceptors and the reloader.
#[derive(Clone)]
pub(crate) struct Tokens {
    path: PathBuf,
    digests: Arc<RwLock<Arc<Digests>>>,
}

/// What identifies a version of the file: a rotation changes one of them.
type Stamp = (Option<SystemTime>, u64);

fn stamp(path: &Path) -> std::io::Result<Stamp> {
    let meta = std::fs::metadata(path)?;
    Ok((meta.modified().ok(), meta.len()))
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The tokens of a file: one per line, blank lines and `#` comments skipped.
fn parse(text: &str) -> Digests {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(digest).collect()
}

fn read(path: &Path) -> Result<Digests, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let digests = parse(&text);
    if digests.is_empty() {
        return Err(format!("{}: no token in the file", path.display()));
    }
    Ok(digests)
}

impl Tokens {
    /// Reads the file once; a missing, unreadable or empty file fails the start.
    pub(crate) fn load(path: &Path) -> Result<Tokens, LookupError> {
        let digests = read(path).map_err(|e| LookupError::Config(vec![format!("auth-tokens-file: {e}")]))?;
        Ok(Tokens { path: path.to_path_buf(), digests: Arc::new(RwLock::new(Arc::new(digests))) })
    }

    fn current(&self) -> Arc<Digests> {
        self.digests.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Whether `authorization` (the header's value) names an accepted token.
    pub(crate) fn accepts(&self, authorization: Option<&str>) -> bool {
        let Some(token) = authorization.and_then(|v| v.strip_prefix("Bearer ")).map(str::trim) else { return false };
        !token.is_empty() && self.current().contains(&digest(token))
    }

    /// Checks the file every `every` until `stop`, and swaps in its tokens
    /// when it has changed. A file that cannot be read, or holds no token,
    /// keeps the tokens in use (logged): a botched rotation locks no one out.
    pub(crate) async fn watch(self, every: Duration, stop: CancellationToken) {
        let mut seen = stamp(&self.path).ok();
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tick.tick() => {}
            }
            let now = stamp(&self.path).ok();
            if now == seen {
                continue;
            }
            match read(&self.path) {
                Ok(digests) => {
                    let count = digests.len();
                    *self.digests.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(digests);
                    seen = now;
                    info!(message = "Bearer tokens reloaded.", tokens = count);
                }
                Err(error) => warn!(message = "Cannot reload the bearer tokens; keeping those in use.", %error),
            }
        }
    }
}

/// The interceptor of the guarded services: every call without an accepted
/// token is refused with UNAUTHENTICATED; with no tokens file, all pass.
#[derive(Clone)]
pub(crate) struct Guard(pub(crate) Option<Tokens>);

impl tonic::service::Interceptor for Guard {
    fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
        let Some(tokens) = &self.0 else { return Ok(request) };
        let header = request.metadata().get("authorization").and_then(|v| v.to_str().ok());
        if tokens.accepts(header) {
            Ok(request)
        } else {
            Err(Status::unauthenticated("a valid bearer token is required (authorization: Bearer TOKEN)"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_lines_without_comments_and_need_the_bearer_scheme() {
        let path = std::env::temp_dir().join(format!("copydesk-tokens-{}", uuid::Uuid::new_v4().simple()));
        std::fs::write(&path, "# rotation of 2026-12\nalpha\n\n  beta  \n").unwrap();
        let tokens = Tokens::load(&path).unwrap();
        assert!(tokens.accepts(Some("Bearer alpha")));
        assert!(tokens.accepts(Some("Bearer beta")));
        for refused in [None, Some("alpha"), Some("Bearer "), Some("Bearer gamma"), Some("Basic alpha")] {
            assert!(!tokens.accepts(refused), "{refused:?}");
        }
        std::fs::write(&path, "# nothing\n").unwrap();
        assert!(Tokens::load(&path).is_err(), "a file without tokens is refused");
        let _ = std::fs::remove_file(&path);
    }
}
