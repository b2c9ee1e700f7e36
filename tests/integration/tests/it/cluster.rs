//! Ingest over a three-broker cluster, in each delivery mode: the leader of a busy
//! input partition is killed mid-stream and comes back, later the whole cluster is
//! restarted, and every input is still accounted for (exactly-once: once).
//! The broker killed first is the group's coordinator whenever it leads an
//! input partition.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use copydesk_ingest::Delivery;
use copydesk_integration::{
    KafkaCluster, OutputWatcher, Supervised, Topics, assert_accounted, assert_each_once, consume_all, corpus_inputs,
    publish, wait_until,
};

/// Bounds, not expectations: the measured times are printed.
const DRAIN: Duration = Duration::from_secs(240);
const RESUME: Duration = Duration::from_secs(90);

/// The corpus under keys of one copy: publishing copy 0 and later copy 1 gives distinct inputs.
fn copy(c: usize) -> Vec<(String, Vec<u8>)> {
    corpus_inputs().into_iter().map(|(k, v)| (format!("{c}-{k}"), v)).collect()
}

/// The input partition of a source `topic/partition/offset`.
fn partition_of(source: &str) -> Option<i32> {
    source.rsplit('/').nth(1)?.parse().ok()
}

/// Inputs of `partition` accounted for so far.
fn done_in(watcher: &OutputWatcher, partition: i32) -> usize {
    watcher.sources().iter().filter(|s| partition_of(s) == Some(partition)).count()
}

/// Inputs still to go, by input partition.
fn left(published: &[String], done: &HashSet<String>) -> [usize; 3] {
    let mut left = [0usize; 3];
    for source in published.iter().filter(|s| !done.contains(*s)) {
        if let Some(p) = partition_of(source) {
            left[p as usize] += 1;
        }
    }
    left
}

/// The broker to kill and the busy input partition it leads. Preferably the
/// group's coordinator (the leader of `__consumer_offsets`' one partition):
/// losing it is the hard case, where librdkafka's `send_offsets_to_transaction`
/// waited for ever on the coordinator it had cached. Only a partition with
/// work still to do can show that work resumed, so the work left is counted
/// after the leader lookups, which take seconds on a loaded machine. Also
/// says whether the broker chosen is the coordinator.
async fn victim(
    cluster: &KafkaCluster,
    input: &str,
    sources: &[String],
    watcher: &OutputWatcher,
) -> (usize, i32, bool) {
    let coordinator = cluster.leader("__consumer_offsets", 0).await;
    let mut leaders = [None; 3];
    for (p, leader) in (0..3).zip(leaders.iter_mut()) {
        // A lookup that times out is asked again rather than leaving the
        // partition out of the choice.
        for _ in 0..5 {
            *leader = cluster.leader(input, p).await;
            if leader.is_some() {
                break;
            }
        }
    }
    let left = left(sources, &watcher.sources());
    let with_leader: Vec<_> =
        (0..3).zip(leaders).filter_map(|(p, leader)| Some((leader?, p, left[p as usize]))).collect();
    let led: Vec<_> = with_leader.iter().copied().filter(|&(_, _, left)| left > 0).collect();
    let busy: Vec<_> = led.iter().copied().filter(|&(_, _, left)| left >= BUSY).collect();
    let busiest = |c: &[(usize, i32, usize)]| c.iter().copied().max_by_key(|&(_, _, left)| left);
    let by_coordinator: Vec<_> = busy.iter().copied().filter(|&(l, _, _)| Some(l) == coordinator).collect();
    let (leader, partition, _) = busiest(&by_coordinator)
        .or_else(|| busiest(&busy))
        .or_else(|| busiest(&led))
        // On a quiet machine ingest can read the whole first copy between the
        // progress check and this choice (seen: every partition at 0 left).
        // Any led partition will do then: the caller tops the input up after
        // the kill, and that input can only flow through the successor.
        .or_else(|| with_leader.iter().copied().find(|&(l, _, _)| Some(l) == coordinator))
        .or_else(|| with_leader.first().copied())
        .unwrap_or_else(|| panic!("no input partition has a leader (left: {left:?})"));
    (leader, partition, Some(leader) == coordinator)
}

/// Inputs a partition must still have for its leader's death to come mid-stream.
const BUSY: usize = 50;

async fn all_in_sync(cluster: &KafkaCluster, topics: &Topics) -> bool {
    for topic in [&topics.input, &topics.articles, &topics.dead_letters] {
        if !cluster.fully_replicated(topic).await {
            return false;
        }
    }
    true
}

/// The output records a new reader finds now: tells a service that stopped
/// producing from a test reader that stopped reading.
async fn outputs_now(bootstrap: &str, topics: &Topics, read_committed: bool) -> usize {
    let mut n = 0;
    for topic in [&topics.articles, &topics.dead_letters] {
        n += consume_all(bootstrap, topic, read_committed, usize::MAX, Duration::from_secs(15)).await.len();
    }
    n
}

async fn leader_kill_and_full_restart(delivery: Delivery) {
    let exactly_once = delivery == Delivery::ExactlyOnce;
    let cluster = KafkaCluster::launch().await;
    let bootstrap = cluster.bootstrap();
    let topics = cluster.create_topics().await;
    let mut sources = publish(&bootstrap, &topics.input, &copy(0)).await;
    let watcher = OutputWatcher::start(&bootstrap, &topics, exactly_once).await;
    // A child process, its log in the test's: as in production, it is
    // restarted if it exits, and each exit is checked below.
    let app = Supervised::spawn(&topics.args(&bootstrap, delivery));

    // 1. The leader of a busy input partition dies mid-stream, then comes back.
    assert!(watcher.wait_for(sources.len() / 4, DRAIN).await, "no progress before the leader kill");
    let (leader, partition, coordinator) = victim(&cluster, &topics.input, &sources, &watcher).await;
    let before = done_in(&watcher, partition);
    cluster.kill(leader).await;
    let killed = Instant::now();
    let at_kill = watcher.sources().len();
    // Ingest may have drained the partition while the kill took effect. New
    // input then shows the same thing: it can only flow through the dead
    // leader's successor.
    let left_then = left(&sources, &watcher.sources())[partition as usize];
    let topped_up = left_then < BUSY;
    if topped_up {
        sources.extend(publish(&bootstrap, &topics.input, &copy(5)).await);
    }
    assert!(at_kill < sources.len(), "the leader kill should come mid-stream");
    let moved = wait_until(RESUME, || async { done_in(&watcher, partition) > before }).await;
    assert!(
        moved,
        "input partition {partition} ({left_then} inputs to go at the kill, topped up: {topped_up}) made no progress \
         within {RESUME:?} after its leader died"
    );
    let after_leader_kill = killed.elapsed();
    cluster.start(leader).await;

    // 2. The returned broker catches up; then more input than ingest can
    // finish in several seconds, and once a little of it is done the whole
    // cluster goes down at once and comes back.
    let in_sync = wait_until(RESUME, || all_in_sync(&cluster, &topics)).await;
    assert!(in_sync, "the returned broker did not catch up within {RESUME:?}");
    assert!(watcher.wait_for(sources.len(), DRAIN).await, "the first part was not all accounted for");
    let first = sources.len();
    // The watcher reads behind ingest, by hundreds of records under load:
    // four copies keep the restart mid-stream all the same.
    for c in 1..=4 {
        sources.extend(publish(&bootstrap, &topics.input, &copy(c)).await);
    }
    assert!(watcher.wait_for(first + 50, DRAIN).await, "no progress before the full restart");
    // The watcher reads behind ingest in bursts: it once saw the last of the
    // four copies in the same read as the 50th, and the restart would have
    // come after the stream. Then more input keeps it mid-stream: three
    // copies at once, since on a quiet machine ingest kept pace with the
    // publishing of one and the restart again came after the stream.
    if sources.len() - watcher.sources().len() < BUSY {
        let more: Vec<_> = (6..=8).flat_map(copy).collect();
        sources.extend(publish(&bootstrap, &topics.input, &more).await);
    }
    let at_restart = watcher.sources().len();
    assert!(at_restart < sources.len(), "the full restart should come mid-stream");
    let down = Instant::now();
    cluster.restart_all().await;
    let up = down.elapsed();
    let flowing = watcher.wait_for(at_restart + 1, RESUME).await;
    if !flowing {
        let fresh = outputs_now(&bootstrap, &topics, exactly_once).await;
        panic!(
            "no output within {RESUME:?} after the cluster came back: the watcher holds {} records, a new reader finds {fresh}",
            watcher.records().len()
        );
    }
    let after_restart = down.elapsed();

    // 3. Everything is accounted for, and exactly-once saw nothing twice.
    assert!(watcher.wait_for(sources.len(), DRAIN).await, "accounted {} of {}", watcher.sources().len(), sources.len());
    assert!(app.is_running(), "ingest is running at the end");
    let restarts = app.restarts();
    assert!(app.terminate(Duration::from_secs(60)).await, "clean shutdown");
    // At-least-once rides it all out in one process. An exactly-once
    // process may exit only to get fresh clients: when librdkafka left a
    // transaction call waiting for ever on a departed coordinator (see
    // ingest's txn.rs), or when its producer is fenced or fatally broken,
    // as when the broker aborted a transaction that outlived the restart.
    for why in &restarts {
        assert!(exactly_once && why.contains("a restart brings fresh Kafka clients"), "ingest exited: {why}");
    }
    let records = watcher.records();
    assert_accounted(&records, &sources);
    if exactly_once {
        assert_each_once(&records, &sources);
    }
    eprintln!(
        "cluster ({delivery:?}): {} inputs, {} outputs; leader of input partition {partition} (node {}, group \
         coordinator: {coordinator}) killed at {at_kill} accounted (input topped up after: {topped_up}), output from that partition \
         again after {:.1} s; \
         full restart at {at_restart} accounted: cluster back after {:.1} s, output again {:.1} s after it went down; \
         {} restart(s) of ingest; the watcher re-read {} output record(s)",
        sources.len(),
        records.len(),
        leader + 1,
        after_leader_kill.as_secs_f64(),
        up.as_secs_f64(),
        after_restart.as_secs_f64(),
        restarts.len(),
        watcher.rereads(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_least_once_rides_out_a_leader_kill_and_a_full_cluster_restart() {
    leader_kill_and_full_restart(Delivery::AtLeastOnce).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_once_rides_out_a_leader_kill_and_a_full_cluster_restart_without_duplicates() {
    leader_kill_and_full_restart(Delivery::ExactlyOnce).await;
}
