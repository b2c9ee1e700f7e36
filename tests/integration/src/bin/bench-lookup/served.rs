//! serve's own view of a load run: the time its calls took inside the
//! service (`copydesk_lookup_request_duration_seconds`, scraped from its
//! `/metrics` before and after the run), which leaves out ghz's CPU and
//! queueing, the network and HTTP/2. Beside ghz's figures it says how much
//! of a latency is the server's.

use std::io::{Read, Write};
use std::net::SocketAddr;

const FAMILY: &str = "copydesk_lookup_request_duration_seconds_bucket{";

/// Cumulative counts per upper bound (seconds) of one method's histogram.
#[derive(Debug, Clone, Default)]
pub(crate) struct Buckets(Vec<(f64, u64)>);

/// The histogram of `method` (`Get`, `Lookup`) as serve exposes it now.
pub(crate) fn scrape(addr: SocketAddr, method: &str) -> Buckets {
    let mut stream = std::net::TcpStream::connect(addr).expect("serve's metrics endpoint accepts");
    stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n").expect("a request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("a response");
    let label = format!("method=\"{method}\"");
    let mut buckets: Vec<(f64, u64)> = response
        .lines()
        .filter_map(|line| line.strip_prefix(FAMILY))
        .filter(|rest| rest.contains(&label))
        .filter_map(|rest| {
            let le = rest.split("le=\"").nth(1)?.split('"').next()?;
            let le = if le == "+Inf" { f64::INFINITY } else { le.parse().ok()? };
            Some((le, rest.rsplit_once(' ')?.1.parse().ok()?))
        })
        .collect();
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    Buckets(buckets)
}

impl Buckets {
    /// The `q` quantile in milliseconds of the calls observed between
    /// `before` and `self`: the upper bound of the bucket it falls in (an
    /// overestimate by at most one bucket's width), NaN without calls.
    pub(crate) fn quantile_since(&self, before: &Buckets, q: f64) -> f64 {
        let counts: Vec<(f64, u64)> =
            self.0.iter().map(|&(le, n)| (le, n - before.0.iter().find(|b| b.0 == le).map_or(0, |b| b.1))).collect();
        let Some(&(_, total)) = counts.last() else { return f64::NAN };
        if total == 0 {
            return f64::NAN;
        }
        let rank = (q * total as f64).ceil() as u64;
        counts.iter().find(|&&(_, n)| n >= rank).map_or(f64::NAN, |&(le, _)| le * 1e3)
    }
}
