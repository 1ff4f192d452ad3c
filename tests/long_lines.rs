//! A whole list written on one line (flow style) is an ordinary input: every finding on
//! that line must cost the same as on a line of its own. Locating text by scanning the
//! line for each finding made 10,000 interactions on one line take 26 s in a release
//! build (40,000: 44 s), where the same list written one per line took 0.3 s.

use std::process::{Command, Stdio};
use std::time::Duration;

/// `count` interactions between 50 pairs of services, all on the line of `interactions:`,
/// each with findings (no timeout, pool, breaker or metrics), some grouped by caller.
fn one_line_system(count: usize) -> String {
    let mut text = String::from("version: 1\nsystem: one-line\nservices:\n");
    for s in 0..50 {
        text.push_str(&format!("  a{s}: {{}}\n  b{s}: {{}}\n"));
    }
    let items: Vec<String> = (0..count)
        .map(|i| {
            let s = i % 50;
            format!("{{id: i{i}, from: a{s}, to: b{s}, needs: {{realtime: true, consistency: strong}}, uses: {{pattern: sync, protocol: rest}}}}")
        })
        .collect();
    text.push_str(&format!("interactions: [{}]\n", items.join(", ")));
    text
}

/// The processor time the children of this process have used so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage fills a local it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// `analyze --format json` of `text`, written to a scratch file: its exit code, its report
/// and the processor time it took.
fn analyze(name: &str, text: &str) -> (Option<i32>, Vec<u8>, Duration) {
    let dir = std::env::temp_dir().join(format!("commsplan-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("system.yaml");
    std::fs::write(&path, text).unwrap();
    let before = children_cpu();
    let out = Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .args([
            "analyze",
            path.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .stderr(Stdio::null())
        .output()
        .expect("commsplan runs");
    let cpu = children_cpu() - before;
    std::fs::remove_dir_all(&dir).ok();
    (out.status.code(), out.stdout, cpu)
}

#[test]
fn many_interactions_on_one_line_cost_what_they_cost_on_many() {
    let (code, _, cpu) = analyze("long-line", &one_line_system(8_000));
    assert_eq!(code, Some(0));
    // A debug build does this in a few seconds; scanning the line per finding took
    // minutes.
    assert!(cpu < Duration::from_secs(30), "took {cpu:?} of CPU");
}

/// On one line with characters outside ASCII before them, an anchor defined in one
/// interaction's `uses` and taken by the next is still found at its column: the gap in
/// it is one finding for both.
#[test]
fn an_anchor_on_a_long_non_ascii_line_is_found_at_its_column() {
    let padding: Vec<String> = (0..600)
        .map(|i| {
            format!(
                "{{id: p{i}, from: 주문, to: 결제, needs: {{realtime: false, ordering: false}}}}"
            )
        })
        .collect();
    let text = format!(
            "version: 1\nsystem: t\nservices:\n  주문: {{}}\n  결제: {{}}\ninteractions: [{}, {{id: x, from: 주문, to: 결제, idempotent: true, needs: {{realtime: true, consistency: strong}}, uses: &u {{pattern: sync, protocol: rest, timeout_ms: 100}}}}, {{id: y, from: 결제, to: 주문, idempotent: true, needs: {{realtime: true, consistency: strong}}, uses: *u}}]\n",
            padding.join(", ")
        );
    let (_, stdout, _) = analyze("long-anchor", &text);
    let report: serde_json::Value = serde_json::from_slice(&stdout).expect("JSON report");
    let pools: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "S003")
        .collect();
    assert_eq!(pools.len(), 1, "{pools:#?}");
    let members: Vec<&str> = pools[0]["affected"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["interaction"].as_str())
        .collect();
    assert_eq!(members, ["x", "y"]);
    assert!(
        pools[0]["message"].as_str().unwrap().contains("`&u`"),
        "{}",
        pools[0]["message"]
    );
}
