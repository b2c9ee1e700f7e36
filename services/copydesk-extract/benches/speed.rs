//! Speed benchmark: our extraction beside dom_smoothie over every dev page, in one run.
//!
//! Run with `make bench-extract` (`cargo bench -p copydesk-extract --bench speed`). It is a
//! report, not a test: it prints per-page latency of both extractors, measured interleaved page
//! by page so that machine noise hits both alike, then our throughput on one and two threads
//! (timed back to back in rounds, the median of the rounds' ratios reported),
//! and marks each figure against the targets of the speed issue. Run without `--bench` (as
//! `cargo test --benches` does) it only smoke-tests itself on a few pages.
//!
//! Each page's time is taken twice: wall clock (what the targets are stated in) and the thread's
//! CPU time, which other processes on a shared machine barely disturb; when the two disagree
//! the machine was busy, and the CPU figures are the ones to compare across runs. The thread
//! runs also say how many cores the process actually got. `BENCH_RUNS` sets the timed runs per
//! page; `BENCH_PAGES=FILE` also lists each page's CPU median for both, to find the pages near
//! the median that the ratio is about.
//!
//! Fairness: both run under the same global allocator (mimalloc, as the `copydesk` binary),
//! and both start from the page as a crawler fetched it. Most dev pages are stored gzipped;
//! that is the corpus's storage, so they are gunzipped before timing, for both. We get the
//! page's bytes in whatever charset it came in; dom_smoothie takes `&str`, so it is handed
//! the text *our* decoding produces (charset from BOM / declaration / sniffing, then
//! decode). Our timing includes that decoding, since we do it; theirs does not, which
//! favours them. Their figure with the decoding added, and ours with the gunzip added,
//! are printed for information. dom_smoothie uses its default config with
//! `TextMode::Formatted`, the closest to our paragraph-separated text.

use std::env;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use copydesk_extract::{Hints, Limits};
use cpu_time::{ProcessTime, ThreadTime};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The dev sets and the folder that holds each one's pages.
const SETS: [(&str, &str); 4] =
    [("trafilatura", "html"), ("daniel", "html"), ("chinese", "original"), ("mediacloud", "html")];

/// One page: its bytes as fetched (not yet decoded) and the text dom_smoothie gets.
struct Page {
    /// `set/file`, for the per-page listing.
    name: String,
    bytes: Vec<u8>,
    text: String,
    /// What our charset decoding of this page costs, for an informational line.
    decode: Duration,
    /// What gunzipping the stored file costs (zero if it is not gzipped), likewise.
    gunzip: Duration,
}

/// Every timed run of every page, for one extractor: (wall, thread CPU).
struct Timings {
    runs: Vec<Vec<(Duration, Duration)>>,
    failures: usize,
}

impl Timings {
    /// Each page's median over its runs, on the wall clock or on the CPU clock.
    fn per_page(&self, cpu: bool) -> Vec<Duration> {
        self.runs
            .iter()
            .map(|r| {
                let mut times: Vec<Duration> = r.iter().map(|t| if cpu { t.1 } else { t.0 }).collect();
                times.sort();
                times[times.len() / 2]
            })
            .collect()
    }
}

fn main() {
    let full = env::args().any(|a| a == "--bench");
    let corpus = env::var_os("COPYDESK_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dev"));
    let runs: usize = env::var("BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(if full { 5 } else { 1 });
    let mut pages = load(&corpus);
    if pages.is_empty() {
        eprintln!("speed: no pages under {} (set COPYDESK_CORPUS)", corpus.display());
        std::process::exit(if full { 1 } else { 0 });
    }
    if !full {
        pages.truncate(6);
    }
    println!(
        "speed: {} pages from {}, warm-up pass, then {runs} timed runs per page (per-page median), mimalloc",
        pages.len(),
        corpus.display()
    );

    let (ours_t, theirs_t) = measure(&pages, runs.max(1));
    if let Some(listing) = env::var_os("BENCH_PAGES") {
        list_pages(Path::new(&listing), &pages, &ours_t, &theirs_t);
    }
    for (clock, cpu) in [("wall clock", false), ("thread CPU time", true)] {
        let (us, them) = (Stats::of(&ours_t.per_page(cpu)), Stats::of(&theirs_t.per_page(cpu)));
        let with_decode: Vec<Duration> =
            theirs_t.per_page(cpu).iter().zip(&pages).map(|(t, p)| *t + p.decode).collect();
        println!("\n-- per page, {clock}");
        println!(
            "{:<27} {:>10} {:>8} {:>8} {:>8} {:>9}",
            "extractor", "median ms", "p95 ms", "mean ms", "pages/s", "failures"
        );
        let with_gunzip: Vec<Duration> = ours_t.per_page(cpu).iter().zip(&pages).map(|(t, p)| *t + p.gunzip).collect();
        us.row("copydesk-extract", ours_t.failures);
        them.row("dom_smoothie", theirs_t.failures);
        Stats::of(&with_decode).row("dom_smoothie + our decode", theirs_t.failures);
        Stats::of(&with_gunzip).row("copydesk-extract + gunzip", ours_t.failures);
        let ratio = us.median / them.median;
        println!(
            "ours/theirs: median {ratio:.2} ({}), mean {:.2}; ours p95 {:.2} ms ({})",
            verdict(ratio <= 0.7, "target <= 0.70, issue 16"),
            us.mean / them.mean,
            us.p95,
            verdict(us.p95 <= 5.0, "target <= 5 ms")
        );
    }
    println!(
        "(ours includes charset decoding, dom_smoothie's first row does not; the last two rows add our decoding to \
         theirs and the stored files' gunzip to ours)"
    );

    // The machine's speed drifts (other tenants, frequency), so a lucky
    // one-thread pass and an unlucky two-thread pass minutes apart would
    // decide the ratio. Each round times the two back to back, in
    // alternating order, and the median of the rounds' ratios is the figure.
    let mut rounds = Vec::new();
    for round in 0..if full { 7 } else { 1 } {
        let (one, two) = if round % 2 == 0 {
            let one = throughput(&pages, 1);
            (one, throughput(&pages, 2))
        } else {
            let two = throughput(&pages, 2);
            (throughput(&pages, 1), two)
        };
        rounds.push((one, two));
    }
    let mut ratios: Vec<f64> = rounds.iter().map(|(one, two)| two.0 / one.0).collect();
    let each: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
    ratios.sort_by(f64::total_cmp);
    let ratio = ratios[ratios.len() / 2];
    let best = |pass: Vec<(f64, f64)>| pass.into_iter().fold((0f64, 0f64), |a, b| if b.0 > a.0 { b } else { a });
    let (one, two) = (best(rounds.iter().map(|r| r.0).collect()), best(rounds.iter().map(|r| r.1).collect()));
    println!(
        "\n-- ours, throughput\nbest 1 thread {:.1} pages/s, best 2 threads {:.1} pages/s; cores obtained {:.2} and {:.2}\n\
         2 threads / 1 thread, each round: {}; median {ratio:.2} ({})",
        one.0,
        two.0,
        one.1,
        two.1,
        each.join(" "),
        verdict(ratio >= 1.8, "target >= 1.80"),
    );
}

/// Each page's median CPU time for both extractors, one tab-separated line
/// per page, so that the pages near the median (the ones the ratio is
/// about) can be profiled on their own.
fn list_pages(listing: &Path, pages: &[Page], ours_t: &Timings, theirs_t: &Timings) {
    let (ours, theirs) = (ours_t.per_page(true), theirs_t.per_page(true));
    let mut out = String::from("page\tours_us\ttheirs_us\n");
    for ((page, us), them) in pages.iter().zip(ours).zip(theirs) {
        out.push_str(&format!("{}\t{}\t{}\n", page.name, us.as_micros(), them.as_micros()));
    }
    if let Err(e) = std::fs::write(listing, out) {
        eprintln!("speed: cannot write {}: {e}", listing.display());
    }
}

/// A warm-up pass, then `runs` passes timing both extractors on each page in turn.
fn measure(pages: &[Page], runs: usize) -> (Timings, Timings) {
    // Warm-up: caches, lazily compiled regexes, allocator arenas.
    for page in pages {
        black_box(ours(&page.bytes));
        black_box(theirs(&page.text));
    }
    let mut ours_t = Timings { runs: vec![Vec::new(); pages.len()], failures: 0 };
    let mut theirs_t = Timings { runs: vec![Vec::new(); pages.len()], failures: 0 };
    for run in 0..runs {
        for (i, page) in pages.iter().enumerate() {
            // Alternate who goes first so neither always gets the warmer cache.
            let order = if run % 2 == 0 { [true, false] } else { [false, true] };
            for is_ours in order {
                let (wall, cpu) = (Instant::now(), ThreadTime::now());
                let ok = if is_ours { ours(&page.bytes) } else { theirs(&page.text) };
                let took = (wall.elapsed(), cpu.elapsed());
                let timings = if is_ours { &mut ours_t } else { &mut theirs_t };
                timings.runs[i].push(took);
                timings.failures += usize::from(!ok && run == 0);
            }
        }
    }
    (ours_t, theirs_t)
}

/// Our whole pipeline on the page's bytes, as the service calls it.
fn ours(bytes: &[u8]) -> bool {
    black_box(copydesk_extract::extract_with(black_box(bytes), &Hints::default(), &Limits::default())).is_ok()
}

/// dom_smoothie from decoded text: parse, then extract the article.
fn theirs(text: &str) -> bool {
    let cfg = dom_smoothie::Config { text_mode: dom_smoothie::TextMode::Formatted, ..Default::default() };
    match dom_smoothie::Readability::new(black_box(text), None, Some(cfg)) {
        Ok(mut readability) => black_box(readability.parse()).is_ok(),
        Err(_) => false,
    }
}

/// Every page of every set, in name order, unzipped; the decoded text is prepared here, untimed.
fn load(corpus: &Path) -> Vec<Page> {
    let mut pages = Vec::new();
    for (set, folder) in SETS {
        let Ok(dir) = std::fs::read_dir(corpus.join(set).join(folder)) else { continue };
        let mut paths: Vec<PathBuf> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
            .collect();
        paths.sort();
        for path in paths {
            let Ok(stored) = std::fs::read(&path) else { continue };
            let Some(bytes) = gunzip(&stored) else { continue };
            // A page we cannot even decode would time nothing comparable; it is left out.
            let Ok(text) = copydesk_extract::decode_html(&bytes, &Hints::default(), &Limits::default()) else {
                continue;
            };
            // Warm figures for the informational rows, like the timed runs'.
            let gunzip = best_of(3, || drop(black_box(gunzip(&stored))));
            let decode = best_of(3, || {
                drop(black_box(copydesk_extract::decode_html(&bytes, &Hints::default(), &Limits::default())))
            });
            let name = format!("{set}/{}", path.file_name().unwrap_or_default().to_string_lossy());
            pages.push(Page { name, bytes, text, decode, gunzip });
        }
    }
    pages
}

/// The page inside a gzipped file, or the file itself; `None` if it is broken.
fn gunzip(stored: &[u8]) -> Option<Vec<u8>> {
    if !stored.starts_with(&[0x1f, 0x8b]) {
        return Some(stored.to_vec());
    }
    let mut page = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(stored), &mut page).ok()?;
    Some(page)
}

/// The shortest of `runs` timings of `work`.
fn best_of(runs: usize, mut work: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Pages per second over two passes of the corpus, shared out to `threads`
/// threads, and the cores the process got meanwhile (CPU time / wall time).
fn throughput(pages: &[Page], threads: usize) -> (f64, f64) {
    let jobs = pages.len() * 2;
    let next = AtomicUsize::new(0);
    let (started, cpu) = (Instant::now(), ProcessTime::now());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let job = next.fetch_add(1, Ordering::Relaxed);
                    if job >= jobs {
                        break;
                    }
                    black_box(ours(&pages[job % pages.len()].bytes));
                }
            });
        }
    });
    let (wall, cpu) = (started.elapsed().as_secs_f64(), cpu.elapsed().as_secs_f64());
    (jobs as f64 / wall, cpu / wall)
}

/// Per-page figures in milliseconds, and pages per second over the summed page times.
struct Stats {
    median: f64,
    p95: f64,
    mean: f64,
    rate: f64,
}

impl Stats {
    fn of(times: &[Duration]) -> Stats {
        let mut ms: Vec<f64> = times.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);
        // Nearest rank, as `copydesk eval` picks its percentiles.
        let pick = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
        let total: f64 = ms.iter().sum();
        Stats {
            median: pick(0.5),
            p95: pick(0.95),
            mean: total / ms.len() as f64,
            rate: ms.len() as f64 * 1000.0 / total,
        }
    }

    fn row(&self, name: &str, failures: usize) {
        println!(
            "{name:<27} {:>10.3} {:>8.3} {:>8.3} {:>8.1} {failures:>9}",
            self.median, self.p95, self.mean, self.rate
        );
    }
}

fn verdict(ok: bool, target: &str) -> String {
    format!("{target}: {}", if ok { "PASS" } else { "FAIL" })
}
