//! Phase timings for profiling the benchmark: the loader, the analysis and the commands
//! mark where each phase ends. Kept apart so that every layer can mark its phases
//! without depending on the one above.

/// Phase timings on standard error when `COMMSPLAN_TIMINGS` is set (for profiling the
/// benchmark; never part of any report).
pub fn phase(name: &str) {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    let Some(start) =
        START.get_or_init(|| std::env::var_os("COMMSPLAN_TIMINGS").map(|_| Instant::now()))
    else {
        return;
    };
    let rss_mb = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u64>().ok())
        })
        .map_or(0, |pages| pages * 4096 / (1024 * 1024));
    // The peak so far (VmHWM): what `/usr/bin/time` reports at the end.
    let peak_mb = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024);
    eprintln!(
        "{:>8.3}s {rss_mb:>6} MiB (peak {peak_mb:>6} MiB)  {name}",
        start.elapsed().as_secs_f64()
    );
}
