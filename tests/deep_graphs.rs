//! Call graphs far deeper than any real system: every walk over them must be iterative,
//! so `analyze`, `diagram` and `generate` finish cleanly however long a chain or cycle
//! of synchronous calls is. A recursive walk overflowed the stack of a rule's worker
//! thread at some 22,000 hops.
//!
//! The files are written by the tests. The million-hop cases run in release builds only
//! (`cargo test --release --test deep_graphs`, as CI does); in a debug build they take
//! minutes, the 30,000-hop ones well under a minute.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Beyond the depth at which a recursive walk overflowed the 2 MiB stack of a worker.
const DEEP: usize = 30_000;
const MILLION: usize = 1_000_000;

/// `hops` synchronous calls `s0 → s1 → …`; a ring calls `s0` back from the last service.
/// One event stream besides gives `generate` something to write. Every call follows the
/// sync checklist, so that the report holds the graph rules' findings, not a million
/// checklist ones.
fn system(hops: usize, ring: bool) -> String {
    let services = if ring { hops } else { hops + 1 };
    let mut text = String::with_capacity(hops * 130);
    // In `defaults`, not on each call: a million calls must stay under the size limit.
    text.push_str("version: 1\nsystem: deep\n");
    text.push_str("defaults: { timeout_ms: 100, pool: { keep_alive: true, max_connections: 10 }, circuit_breaker: { failure_rate_percent: 50, min_calls: 20, open_ms: 30000 }, metrics: true }\n");
    text.push_str("services:\n");
    text.push_str("  s0: { slo: { availability: 99.99, latency_p99_ms: 100 } }\n");
    for s in 1..services {
        text.push_str(&format!("  s{s}: {{}}\n"));
    }
    text.push_str("interactions:\n");
    for i in 0..hops {
        let to = (i + 1) % services;
        text.push_str(&format!(
            "  - {{ id: i{i}, from: s{i}, to: s{to}, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync }} }}\n"
        ));
    }
    text.push_str("  - { id: events, from: s0, to: s1, needs: { realtime: false, ordering: false }, uses: { pattern: stream, protocol: kafka, channel: deep.events } }\n");
    text
}

struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("commsplan-deep-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch folder");
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn commsplan(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .args(args)
        .output()
        .expect("commsplan runs")
}

/// Exit code 0 and nothing on stderr beyond what the command is expected to say; a stack
/// overflow aborts with a signal and prints `has overflowed its stack`.
fn assert_clean(what: &str, out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{what} failed: {stderr}");
    assert!(!stderr.contains("overflow"), "{what}: {stderr}");
}

fn run_all(hops: usize, ring: bool) {
    let tag = format!("{}-{hops}", if ring { "ring" } else { "chain" });
    let dir = Scratch::new(&tag);
    let file = dir.path("system.yaml");
    std::fs::write(&file, system(hops, ring)).expect("write the system");

    let report = dir.path("report.json");
    let out = commsplan(&[
        Path::new("analyze"),
        &file,
        Path::new("--format"),
        Path::new("json"),
        Path::new("-o"),
        &report,
        Path::new("--fail-on"),
        Path::new("never"),
    ]);
    assert_clean("analyze", &out);
    let report = std::fs::read_to_string(&report).expect("the JSON report");
    // The system itself loads: over a limit (M013), nothing would be walked at all.
    assert!(
        !report.contains("\"code\": \"M"),
        "the test system does not load cleanly"
    );
    // The walks ran to the end of the graph: the findings name the whole of it.
    if ring {
        assert!(report.contains("\"code\": \"G001\""), "no cycle found");
        let last = format!("s{} → s0 (via i0, ", hops - 1);
        assert!(report.contains(&last), "the cycle is not closed");
    } else {
        let depth = format!("sync chain of {hops} hops from `s0`");
        assert!(report.contains(&depth), "no {depth}");
        let last = format!("s{} → s{hops}", hops - 1);
        assert!(report.contains(&last), "the chain does not reach its end");
    }

    let diagram = dir.path("system.mmd");
    let out = commsplan(&[
        Path::new("diagram"),
        &file,
        Path::new("--no-legend"),
        Path::new("-o"),
        &diagram,
    ]);
    assert_clean("diagram", &out);
    let diagram = std::fs::read_to_string(&diagram).expect("the diagram");
    let links = diagram.lines().filter(|l| l.contains(" -->")).count();
    // Solid arrows are the sync calls; the stream is dotted. No legend is drawn.
    assert_eq!(links, hops, "sync links drawn");

    let generated = dir.path("generated");
    let out = commsplan(&[
        Path::new("generate"),
        &file,
        Path::new("--out"),
        &generated,
        Path::new("--target"),
        Path::new("kafka"),
    ]);
    assert_clean("generate", &out);
    let producer = generated.join("kafka/events/producer.properties");
    assert!(producer.is_file(), "nothing generated");
}

#[test]
fn a_long_chain_of_sync_calls_is_walked_to_its_end() {
    run_all(DEEP, false);
}

#[test]
fn a_long_ring_of_sync_calls_is_one_cycle() {
    run_all(DEEP, true);
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "minutes in a debug build; CI runs it in release"
)]
fn a_million_hop_chain() {
    run_all(MILLION, false);
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "minutes in a debug build; CI runs it in release"
)]
fn a_million_hop_ring() {
    run_all(MILLION, true);
}

#[test]
fn the_test_systems_are_what_they_say() {
    let chain = system(3, false);
    assert!(chain.contains("  - { id: i2, from: s2, to: s3,"));
    assert!(chain.contains("  s3: {}\n"));
    let ring = system(3, true);
    assert!(ring.contains("  - { id: i2, from: s2, to: s0,"));
    assert!(!ring.contains("  s3:"));
}
