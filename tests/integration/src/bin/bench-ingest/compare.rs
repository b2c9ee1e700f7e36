//! Two ways of running the service, compared on the same broker, the same
//! pages and the same message count, in interleaved passes (A B A B ...),
//! so that the shared host's drift falls on both alike. Reported: median and
//! range of ingest CPU ms per message, which the other engineers' load moves
//! little, and of docs/s, which it moves a lot; and their ratios B/A.

use std::path::PathBuf;

use copydesk_integration::OtlpSink;
use rdkafka::producer::FutureProducer;

use crate::pass::{Arm, Pass, end_to_end};

/// Trace export off (A) against on (B): OTLP/gRPC to a live receiver in
/// this process, every message traced (the default sampler, parent-based,
/// always on for a root), the exporter's batching as shipped.
pub(crate) async fn export(
    bootstrap: &str,
    producer: &FutureProducer,
    pages: &[(String, Vec<u8>)],
    n: usize,
    pairs: usize,
) {
    let sink = OtlpSink::start().await;
    let off = Arm::current();
    let mut on = Arm { name: "export on".into(), ..off.clone() };
    on.env = vec![
        ("OTEL_TRACES_EXPORTER".into(), Some("otlp".into())),
        ("OTEL_EXPORTER_OTLP_ENDPOINT".into(), Some(sink.endpoint())),
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT".into(), None),
        ("OTEL_TRACES_SAMPLER".into(), None),
        ("OTEL_SERVICE_NAME".into(), Some("copydesk-bench".into())),
    ];
    let off = Arm { name: "export off".into(), ..off };
    let before = sink.received();
    let (a, b) = interleave(bootstrap, producer, pages, n, pairs, &off, &on).await;
    let (spans, requests) = sink.received();
    println!(
        "  the receiver got {} spans in {} export requests over the {pairs} export-on passes: {:.1} spans a message",
        spans - before.0,
        requests - before.1,
        (spans - before.0) as f64 / (pairs * n) as f64
    );
    report(&off.name, &a, &on.name, &b, n);
}

/// The binary at `base` (A) against the workspace's (B), export off in both.
pub(crate) async fn versions(
    bootstrap: &str,
    producer: &FutureProducer,
    pages: &[(String, Vec<u8>)],
    n: usize,
    pairs: usize,
    base: PathBuf,
) {
    assert!(base.is_file(), "no copydesk binary at {}", base.display());
    let old = Arm::of(&format!("base {}", base.display()), base);
    let new = Arm::of(&format!("current {}", copydesk_integration::binary().display()), copydesk_integration::binary());
    let (a, b) = interleave(bootstrap, producer, pages, n, pairs, &old, &new).await;
    report(&old.name, &a, &new.name, &b, n);
}

async fn interleave(
    bootstrap: &str,
    producer: &FutureProducer,
    pages: &[(String, Vec<u8>)],
    n: usize,
    pairs: usize,
    a: &Arm,
    b: &Arm,
) -> (Vec<Pass>, Vec<Pass>) {
    let (mut pa, mut pb) = (Vec::new(), Vec::new());
    for pair in 1..=pairs {
        for (arm, passes) in [(a, &mut pa), (b, &mut pb)] {
            let pass = end_to_end(bootstrap, producer, pages, n, arm).await;
            println!(
                "pair {pair} {:<12} {:>6.2} CPU ms/msg, {:>4.0} docs/s first to last output ({:.0} with start-up), peak RSS {:.0} MB",
                short(&arm.name),
                pass.cpu_ms_per_msg,
                pass.docs_per_sec,
                pass.overall_per_sec,
                pass.peak_rss_mb
            );
            passes.push(pass);
        }
    }
    (pa, pb)
}

fn short(name: &str) -> &str {
    name.split_whitespace().next().filter(|w| *w == "base" || *w == "current").unwrap_or(name)
}

/// Median, min and max.
fn stats(values: impl Iterator<Item = f64>) -> (f64, f64, f64) {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn report(a_name: &str, a: &[Pass], b_name: &str, b: &[Pass], n: usize) {
    println!("{} pairs of {n} messages, interleaved; A = {a_name}, B = {b_name}", a.len());
    println!("| | CPU ms/msg median (range) | docs/s median (range) |");
    println!("|---|---|---|");
    for (label, passes) in [("A", a), ("B", b)] {
        let (cm, cl, ch) = stats(passes.iter().map(|p| p.cpu_ms_per_msg));
        let (dm, dl, dh) = stats(passes.iter().map(|p| p.docs_per_sec));
        println!("| {label} | {cm:.2} ({cl:.2}-{ch:.2}) | {dm:.0} ({dl:.0}-{dh:.0}) |");
    }
    let (ca, cb) = (stats(a.iter().map(|p| p.cpu_ms_per_msg)).0, stats(b.iter().map(|p| p.cpu_ms_per_msg)).0);
    let (da, db) = (stats(a.iter().map(|p| p.docs_per_sec)).0, stats(b.iter().map(|p| p.docs_per_sec)).0);
    // Each pair's own ratio too: the two passes of a pair ran minutes apart,
    // under much the same load from the rest of the machine.
    let (rc, rcl, rch) = stats(a.iter().zip(b).map(|(x, y)| y.cpu_ms_per_msg / x.cpu_ms_per_msg));
    let (rd, rdl, rdh) = stats(a.iter().zip(b).map(|(x, y)| y.docs_per_sec / x.docs_per_sec));
    println!(
        "B/A: CPU per message {:+.1}% (ratio of medians {:.3}; per pair median {rc:.3}, range {rcl:.3}-{rch:.3}); docs/s {:+.1}% (ratio of medians {:.3}; per pair median {rd:.3}, range {rdl:.3}-{rdh:.3})",
        100.0 * (cb / ca - 1.0),
        cb / ca,
        100.0 * (db / da - 1.0),
        db / da
    );
}
