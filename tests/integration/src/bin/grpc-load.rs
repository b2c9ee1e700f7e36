//! A lean gRPC load generator for `bench-lookup`, run as a process of its
//! own: unary calls of pre-encoded requests, round robin, over a few HTTP/2
//! connections, either as fast as the server answers (a fixed number of
//! calls in flight) or open loop at a fixed rate. Answers are taken as bytes
//! and not decoded, so the generator's own CPU per call stays a fraction of
//! the server's, where ghz (which decodes every answer by reflection)
//! spends several times the server's and, on a small machine, sets the
//! latency it reports.
//!
//! In the open loop a call's latency runs from the moment it was due, not
//! from when it was sent: a generator that falls behind shows the delay
//! instead of hiding it (no coordinated omission).
//!
//! `grpc-load ADDR /package.Service/Method REQUESTS CONNECTIONS CONCURRENCY SECS RPS`
//! (RPS 0: as fast as answered). REQUESTS holds length-delimited protobuf
//! messages. Prints one JSON object: rps, count, errors, p50_ms, p99_ms,
//! client_cpu_s.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::{Buf, BufMut, Bytes};
use tonic::Status;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::transport::{Channel, Endpoint};

/// Requests and answers as the bytes they are.
#[derive(Clone, Copy, Default)]
struct Raw;

impl Codec for Raw {
    type Encode = Bytes;
    type Decode = Bytes;
    type Encoder = Raw;
    type Decoder = Raw;

    fn encoder(&mut self) -> Raw {
        Raw
    }

    fn decoder(&mut self) -> Raw {
        Raw
    }
}

impl Encoder for Raw {
    type Item = Bytes;
    type Error = Status;

    fn encode(&mut self, item: Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put(item);
        Ok(())
    }
}

impl Decoder for Raw {
    type Item = Bytes;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Bytes>, Status> {
        Ok(Some(src.copy_to_bytes(src.remaining())))
    }
}

/// What every call shares: the connections, the requests, the method.
struct Calls {
    channels: Vec<Channel>,
    requests: Vec<Bytes>,
    path: tonic::codegen::http::uri::PathAndQuery,
}

impl Calls {
    /// Call number `n`: its connection and request, round robin. Whether it
    /// answered OK.
    async fn call(&self, n: usize) -> bool {
        let mut grpc = tonic::client::Grpc::new(self.channels[n % self.channels.len()].clone());
        if grpc.ready().await.is_err() {
            return false;
        }
        let request = tonic::Request::new(self.requests[n % self.requests.len()].clone());
        grpc.unary(request, self.path.clone(), Raw).await.is_ok()
    }
}

/// Latencies in microseconds and the count of failed calls.
#[derive(Default)]
struct Tally {
    micros: Vec<u32>,
    errors: u64,
}

impl Tally {
    fn add(&mut self, ok: bool, took: Duration) {
        self.micros.push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
        self.errors += u64::from(!ok);
    }
}

fn read_requests(path: &str) -> Vec<Bytes> {
    let mut data = Bytes::from(std::fs::read(path).unwrap_or_else(|e| panic!("read {path}: {e}")));
    let mut requests = Vec::new();
    while data.has_remaining() {
        let len = prost::encoding::decode_varint(&mut data).expect("a length-delimited message") as usize;
        assert!(len <= data.remaining(), "{path}: a message runs past the end");
        requests.push(data.split_to(len));
    }
    assert!(!requests.is_empty(), "{path} holds no request");
    requests
}

/// As fast as answered: `concurrency` loops, each sending its next call
/// when the last one answers.
async fn closed_loop(calls: Arc<Calls>, concurrency: usize, until: Instant) -> Tally {
    gather((0..concurrency).map(|first| {
        let calls = calls.clone();
        tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut n = first;
            while Instant::now() < until {
                let sent = Instant::now();
                let ok = calls.call(n).await;
                tally.add(ok, sent.elapsed());
                n += concurrency;
            }
            tally
        })
    }))
    .await
}

/// At `rps`, open loop: call n is due at n / rps seconds, and the next
/// free one of `concurrency` loops sends it then (a loop still waiting for
/// an answer leaves it to another; when all are busy, the wait counts in
/// the call's latency). The runtime's timer ticks by the millisecond, so
/// calls due within one tick go out together. (A thread of its own letting
/// them go every 100 µs was tried: on two shared cores its wake-ups cost
/// more latency than the bursts.)
async fn open_loop(calls: Arc<Calls>, concurrency: usize, rps: f64, start: Instant, secs: u64) -> Tally {
    let next = Arc::new(AtomicUsize::new(0));
    let total = (rps * secs as f64) as usize;
    gather((0..concurrency).map(|_| {
        let (calls, next) = (calls.clone(), next.clone());
        tokio::spawn(async move {
            let mut tally = Tally::default();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    break tally;
                }
                let due = start + Duration::from_secs_f64(n as f64 / rps);
                tokio::time::sleep_until(due.into()).await;
                let ok = calls.call(n).await;
                tally.add(ok, due.elapsed());
            }
        })
    }))
    .await
}

/// The loops' tallies, once every loop has ended.
async fn gather(loops: impl Iterator<Item = tokio::task::JoinHandle<Tally>>) -> Tally {
    let loops: Vec<_> = loops.collect();
    let mut all = Tally::default();
    for handle in loops {
        let tally = handle.await.expect("a load loop");
        all.micros.extend(tally.micros);
        all.errors += tally.errors;
    }
    all
}

fn quantile(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    f64::from(sorted[at]) / 1e3
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, method, requests, connections, concurrency, secs, rps] = &args[..] else {
        eprintln!("usage: grpc-load ADDR /package.Service/Method REQUESTS CONNECTIONS CONCURRENCY SECS RPS");
        std::process::exit(2);
    };
    let number = |s: &str| s.parse::<u64>().unwrap_or_else(|_| panic!("{s}: not a number"));
    let (connections, concurrency, secs, rps) = (number(connections), number(concurrency), number(secs), number(rps));
    // One thread: the generator takes at most one core from the server's machine.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let tally = runtime.block_on(async {
        let endpoint = Endpoint::from_shared(format!("http://{addr}")).expect("an address");
        let mut channels = Vec::new();
        for _ in 0..connections.max(1) {
            channels.push(endpoint.connect().await.unwrap_or_else(|e| panic!("connect to {addr}: {e}")));
        }
        let path = method.parse().unwrap_or_else(|_| panic!("{method}: not a method path"));
        let calls = Arc::new(Calls { channels, requests: read_requests(requests), path });
        let start = Instant::now();
        let tally = if rps == 0 {
            closed_loop(calls, concurrency as usize, start + Duration::from_secs(secs)).await
        } else {
            open_loop(calls, concurrency as usize, rps as f64, start, secs).await
        };
        (tally, start.elapsed())
    });
    let (mut tally, took) = tally;
    tally.micros.sort_unstable();
    let report = serde_json::json!({
        "rps": tally.micros.len() as f64 / took.as_secs_f64(),
        "count": tally.micros.len(),
        "errors": tally.errors,
        "p50_ms": quantile(&tally.micros, 0.50),
        "p99_ms": quantile(&tally.micros, 0.99),
        "client_cpu_s": copydesk_integration::cpu::own_seconds(std::process::id()).unwrap_or(f64::NAN),
    });
    println!("{report}");
}
