//! The `/metrics` endpoint of a running service: the counters follow the
//! messages (every consumed input is an article or a dead letter), consumer
//! lag is reported per partition, the exposition is well-formed OpenMetrics,
//! and the endpoint closes on shutdown.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use copydesk_ingest::Delivery;
use copydesk_integration::{Topics, publish, shared_broker, spawn_app_with, wait_until};

/// One scrape: each sample by its series (name and labels), and the families
/// the `# TYPE` lines declare.
pub(crate) struct Exposition {
    samples: HashMap<String, f64>,
    families: HashSet<String>,
}

impl Exposition {
    pub(crate) fn value(&self, series: &str) -> f64 {
        *self.samples.get(series).unwrap_or_else(|| panic!("no series {series}"))
    }

    /// The sum over every series of a labelled family.
    pub(crate) fn sum(&self, name: &str) -> f64 {
        let prefix = format!("{name}{{");
        self.samples.iter().filter(|(s, _)| s.starts_with(&prefix)).map(|(_, v)| v).sum()
    }
}

/// GETs `/metrics` over a plain socket and parses the body, checking the
/// format on the way: every sample belongs to a declared family and has a
/// numeric value, and the body ends with `# EOF`.
pub(crate) async fn scrape(addr: SocketAddr) -> Exposition {
    let response = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("metrics endpoint accepts");
        stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    })
    .await
    .unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    assert!(head.contains("content-type: application/openmetrics-text"), "{head}");
    assert!(body.ends_with("# EOF\n"), "the exposition is terminated");

    let mut families = HashSet::new();
    let mut samples = HashMap::new();
    for line in body.lines() {
        if let Some(declared) = line.strip_prefix("# TYPE ") {
            let (name, kind) = declared.split_once(' ').expect("# TYPE name kind");
            assert!(["counter", "gauge", "histogram", "info"].contains(&kind), "{line}");
            families.insert(name.to_string());
        } else if !line.starts_with('#') {
            let (series, value) = line.rsplit_once(' ').expect("a sample is `series value`");
            let value: f64 = value.parse().unwrap_or_else(|_| panic!("not a number in {line:?}"));
            let name = series.split('{').next().unwrap();
            assert!(families.iter().any(|f| name.starts_with(f.as_str())), "sample {name} outside any declared family");
            samples.insert(series.to_string(), value);
        }
    }
    Exposition { samples, families }
}

fn page(n: usize) -> Vec<u8> {
    format!(
        "<html><body><article><h1>Story {n}</h1><p>{}</p></article></body></html>",
        "A sentence of real news text, long enough to be the body. ".repeat(20)
    )
    .into_bytes()
}

/// Runs ingest over three good and three bad inputs and checks what the
/// endpoint reports, before, during and after.
async fn counts_every_message(delivery: Delivery) -> Exposition {
    let broker = shared_broker().await;
    let bootstrap = broker.bootstrap();
    let topics = Topics::create(&bootstrap).await;
    // Statistics (and so the lag gauge) every half second, not every ten.
    let app = spawn_app_with(&bootstrap, &topics, delivery, &["-X", "statistics.interval.ms=500"]).await;

    let idle = scrape(app.metrics_addr).await;
    for family in ["copydesk_messages_consumed", "copydesk_dead_letters", "copydesk_processing_duration_seconds"] {
        assert!(idle.families.contains(family), "{family} is declared before any message");
    }
    assert_eq!(idle.value("copydesk_messages_consumed_total"), 0.0);
    assert_eq!(idle.value(&format!("copydesk_build_info{{version=\"{}\"}}", env!("CARGO_PKG_VERSION"))), 1.0);

    let garbage: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let inputs: Vec<(String, Vec<u8>)> = vec![
        ("good-1".into(), page(1)),
        ("empty".into(), Vec::new()),
        ("good-2".into(), page(2)),
        ("garbage-1".into(), garbage.clone()),
        ("good-3".into(), page(3)),
        ("garbage-2".into(), garbage),
    ];
    let input_bytes: usize = inputs.iter().map(|(_, p)| p.len()).sum();
    publish(&bootstrap, &topics.input, &inputs).await;

    // Everything consumed, accounted for, out of the window, and committed.
    let addr = app.metrics_addr;
    let settled = wait_until(Duration::from_secs(60), || async move {
        let m = scrape(addr).await;
        m.value("copydesk_messages_consumed_total") == 6.0
            && m.value("copydesk_articles_produced_total") + m.sum("copydesk_dead_letters_total") == 6.0
            && m.value("copydesk_in_flight_messages") == 0.0
            && m.value("copydesk_offsets_committed_total") >= 1.0
    })
    .await;
    let m = scrape(addr).await;
    assert!(settled, "counters did not settle: {:?}", m.samples);
    assert!(app.is_running());

    assert_eq!(m.value("copydesk_articles_produced_total"), 3.0, "{:?}", m.samples);
    assert_eq!(m.sum("copydesk_dead_letters_total"), 3.0);
    assert_eq!(m.value("copydesk_dead_letters_total{reason=\"empty\",stage=\"extract\"}"), 1.0);
    assert_eq!(m.value("copydesk_input_bytes_total"), input_bytes as f64);
    assert_eq!(m.value("copydesk_in_flight_bytes"), 0.0);
    assert_eq!(m.value("copydesk_delivery_errors_total"), 0.0);
    // The empty input is refused before extraction; the other five are timed.
    assert_eq!(m.value("copydesk_extraction_duration_seconds_count"), 5.0);
    assert_eq!(m.value("copydesk_extraction_duration_seconds_bucket{le=\"+Inf\"}"), 5.0);
    assert_eq!(m.value("copydesk_processing_duration_seconds_count"), 6.0);
    assert_eq!(app.metrics.snapshot().consumed, 6, "the endpoint and the in-process view agree");

    // Every input partition reports its lag, and once all is consumed it is none.
    let caught_up = wait_until(Duration::from_secs(20), || async move {
        let m = scrape(addr).await;
        (0..3).all(|p| m.samples.get(&format!("copydesk_consumer_lag_messages{{partition=\"{p}\"}}")) == Some(&0.0))
    })
    .await;
    assert!(caught_up, "no zero lag for every partition: {:?}", scrape(addr).await.samples);

    app.stop().await.expect("clean shutdown");
    assert!(std::net::TcpStream::connect(addr).is_err(), "the endpoint stops with the service");
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_every_message_at_least_once() {
    let m = counts_every_message(Delivery::AtLeastOnce).await;
    assert_eq!(m.sum("copydesk_transactions_total"), 0.0, "no transactions in this mode");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_every_message_exactly_once() {
    let m = counts_every_message(Delivery::ExactlyOnce).await;
    assert!(m.value("copydesk_transactions_total{outcome=\"committed\"}") >= 1.0);
    assert_eq!(m.value("copydesk_transactions_total{outcome=\"aborted\"}"), 0.0);
}
