//! CPU time of a process (and of its descendants) from `/proc`, for the
//! benchmarks: user + system time is what a shared, noisy host moves least,
//! unlike wall-clock rates (another engineer's build steals cores, not
//! cycles the service spends).

use std::sync::OnceLock;

/// Clock ticks per second of `/proc/*/stat` times (`getconf CLK_TCK`; 100 on
/// every Linux we run).
fn ticks_per_sec() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// (ppid, utime + stime, cutime + cstime) in ticks, from `/proc/PID/stat`.
fn stat(pid: u32) -> Option<(u32, u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: the fields
    // counted here are those after its closing one (field 3, state, first).
    let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    let num = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    Some((num(1)? as u32, num(11)? + num(12)?, num(13)? + num(14)?))
}

/// Seconds of CPU that `pid` has used so far, all its threads, its
/// children left out. None once it has exited.
pub fn own_seconds(pid: u32) -> Option<f64> {
    let (_, own, _) = stat(pid)?;
    Some(own as f64 / ticks_per_sec())
}

/// Seconds of CPU that `pid` has used so far, all its threads, plus what
/// its children used: those it waited for (counted in its own stat) and
/// those still running (found by parent id). None once it has exited.
pub fn seconds(pid: u32) -> Option<f64> {
    let (_, own, waited) = stat(pid)?;
    let mut ticks = own + waited;
    let mut parents = vec![pid];
    while let Some(parent) = parents.pop() {
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let Some(child) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
            if let Some((ppid, used, waited)) = stat(child)
                && ppid == parent
            {
                ticks += used + waited;
                parents.push(child);
            }
        }
    }
    Some(ticks as f64 / ticks_per_sec())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    /// Waits until `pid`'s counted CPU has grown by `secs` over `before`,
    /// doing `work` meanwhile; false if it did not within two minutes
    /// (a niced test on a busy host gets little CPU per wall-clock second).
    fn grows(pid: u32, before: f64, secs: f64, mut work: impl FnMut()) -> bool {
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            work();
            if super::seconds(pid).expect("stat") - before >= secs {
                return true;
            }
        }
        false
    }

    #[test]
    fn counts_this_process() {
        let me = std::process::id();
        let before = super::seconds(me).expect("own stat");
        let mut x = 0u64;
        let spin = || {
            for _ in 0..1_000_000 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
        };
        assert!(grows(me, before, 0.2, spin), "no CPU counted for a spinning thread");
    }

    #[test]
    fn counts_a_running_child() {
        let me = std::process::id();
        let mut child = std::process::Command::new("sh").arg("-c").arg("while :; do :; done").spawn().expect("sh");
        // This thread only sleeps: what grows is the child's time.
        let before = super::seconds(me).expect("own stat");
        let counted = grows(me, before, 0.2, || std::thread::sleep(Duration::from_millis(50)));
        let _ = child.kill();
        let _ = child.wait();
        assert!(counted, "a busy child's CPU was not counted");
    }

    #[test]
    fn none_for_a_process_that_is_gone() {
        let mut child = std::process::Command::new("true").spawn().expect("true");
        let pid = child.id();
        child.wait().expect("reaped");
        assert_eq!(super::seconds(pid), None);
        assert_eq!(super::own_seconds(pid), None);
    }

    #[test]
    fn own_time_leaves_a_child_out() {
        let me = std::process::id();
        let mut child = std::process::Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"])
            .spawn()
            .expect("sh");
        child.wait().expect("reaped");
        let (own, all) = (super::own_seconds(me).expect("own stat"), super::seconds(me).expect("stat"));
        assert!(all - own >= 0.01, "the waited-for child's CPU is not told apart: own {own}, all {all}");
    }
}
