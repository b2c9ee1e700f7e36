//! What both roles need to be scraped by Prometheus: the `/metrics` HTTP
//! endpoint, and the one trait that tells it what to write.
//!
//! It knows nothing of any role's instruments: a role hands it something
//! that can write an OpenMetrics exposition, and owns its own registry.

mod endpoint;

use std::fmt;
use std::net::SocketAddr;

use prometheus_client::registry::Registry;

pub use crate::endpoint::{bind, serve};

/// Anything the endpoint can serve: it writes the whole exposition, `# EOF`
/// included, for each scrape. A role's metrics struct implements it by
/// encoding its registry.
pub trait Exposition: Send + Sync + 'static {
    fn write_to(&self, out: &mut String) -> fmt::Result;
}

impl Exposition for Registry {
    fn write_to(&self, out: &mut String) -> fmt::Result {
        prometheus_client::encoding::text::encode(out, self)
    }
}

/// Why the endpoint could not start.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("cannot serve metrics on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
}
