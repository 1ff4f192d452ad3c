//! Every rule fires on a small system built to break it and stays silent on the same
//! system with the fix applied. A rule registered without a case here, or without a
//! complete doc, fails the suite.

use commsplan::analysis::{analyze_with, Analysis, RunOptions};
use commsplan::finding::{Finding, Severity};
use commsplan::model::LoadOptions;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh directory with an empty commsplan.toml, so that no settings file above the
/// temp directory can change the result.
fn scratch() -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("commsplan-rules-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("commsplan.toml"), "").unwrap();
    dir
}

fn run_with(yaml: &str, run: RunOptions) -> Analysis {
    let dir = scratch();
    let path = dir.join("system.yaml");
    std::fs::write(&path, yaml).unwrap();
    analyze_with(&[&path], &LoadOptions::default(), &run).expect("analysis runs")
}

fn run(yaml: &str) -> Analysis {
    run_with(yaml, RunOptions::default())
}

/// `yaml` analysed with `toml` as its commsplan.toml.
fn run_with_toml(yaml: &str, toml: &str) -> Analysis {
    let dir = scratch();
    std::fs::write(dir.join("commsplan.toml"), toml).unwrap();
    let path = dir.join("system.yaml");
    std::fs::write(&path, yaml).unwrap();
    analyze_with(&[&path], &LoadOptions::default(), &RunOptions::default()).expect("analysis runs")
}

fn active(a: &Analysis) -> Vec<&Finding> {
    a.findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect()
}

fn codes(yaml: &str) -> BTreeSet<&'static str> {
    active(&run(yaml)).iter().map(|f| f.code).collect()
}

const SERVICES: &str = "
services:
  web: { kind: client }
  gw: { kind: gateway }
  a: {}
  b: {}
  c: {}
  d: {}
  e: {}
  f: {}
";

fn doc(services: &str, interactions: &str) -> String {
    format!("version: 1\nsystem: t\n{services}\ninteractions:\n{interactions}")
}

/// A `uses` flow mapping from defaults with overrides; an empty value removes a key.
fn uses(base: &[(&str, &str)], over: &[(&str, &str)]) -> String {
    let mut fields: Vec<(String, String)> = base
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (k, v) in over {
        match fields.iter_mut().find(|(fk, _)| fk == k) {
            Some(entry) => entry.1 = v.to_string(),
            None => fields.push((k.to_string(), v.to_string())),
        }
    }
    let body: Vec<String> = fields
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    format!("{{ {} }}", body.join(", "))
}

const SYNC_OK: &[(&str, &str)] = &[
    ("pattern", "sync"),
    ("protocol", "grpc"),
    ("timeout_ms", "500"),
    (
        "retry",
        "{ max_attempts: 2, backoff: exponential, base_ms: 50, max_ms: 500, jitter: true }",
    ),
    (
        "circuit_breaker",
        "{ failure_rate_percent: 50, min_calls: 20, open_ms: 30000 }",
    ),
    ("pool", "{ keep_alive: true, max_connections: 10 }"),
    ("metrics", "true"),
];

const QUEUE_OK: &[(&str, &str)] = &[
    ("pattern", "queue"),
    ("protocol", "amqp"),
    ("channel", "jobs"),
    ("dead_letter", "{ after_attempts: 5 }"),
    ("ttl_ms", "86400000"),
    ("max_queue_length", "100000"),
    ("consumers", "{ min: 1, max: 4 }"),
    ("idempotency", "{ key: event_id }"),
    ("metrics", "true"),
];

const STREAM_OK: &[(&str, &str)] = &[
    ("pattern", "stream"),
    ("protocol", "kafka"),
    ("channel", "events"),
    ("partition_key", "order_id"),
    ("dead_letter", "{ after_attempts: 3 }"),
    ("ttl_ms", "604800000"),
    ("consumers", "{ min: 1, max: 4 }"),
    ("idempotency", "{ key: event_id }"),
    ("metrics", "true"),
];

const STRONG: &str = "{ realtime: true, consistency: strong }";
const CACHED: &str = "{ realtime: true, consistency: eventual, can_wait: true }";
const UNORDERED: &str = "{ realtime: false, ordering: false }";
const ORDERED: &str = "{ realtime: false, ordering: true }";

/// One interaction line.
fn call(id: &str, from: &str, to: &str, needs: &str, extra: &str, uses: &str) -> String {
    format!("  - {{ id: {id}, from: {from}, to: {to}, idempotent: true, needs: {needs}{extra}, uses: {uses} }}\n")
}

fn sync_call(id: &str, from: &str, to: &str, over: &[(&str, &str)]) -> String {
    call(id, from, to, STRONG, "", &uses(SYNC_OK, over))
}

fn single(interaction: String) -> String {
    doc(SERVICES, &interaction)
}

struct Case {
    code: &'static str,
    fires: String,
    silent: String,
}

fn case(code: &'static str, fires: String, silent: String) -> Case {
    Case {
        code,
        fires,
        silent,
    }
}

fn chain(hops: &[(&str, &str)], over: &[(&str, &str)]) -> String {
    hops.iter()
        .enumerate()
        .map(|(i, (from, to))| sync_call(&format!("h{i}"), from, to, over))
        .collect()
}

/// `a` writes at `b` and then at `c` in one operation; `atomicity` is appended to the
/// second step's `operation`.
fn two_writes(atomicity: &str) -> String {
    call(
        "w1",
        "a",
        "b",
        STRONG,
        ", operation: { name: place-order, writes: true }",
        &uses(SYNC_OK, &[]),
    ) + &call(
        "w2",
        "a",
        "c",
        STRONG,
        &format!(", operation: {{ name: place-order, writes: true{atomicity} }}"),
        &uses(SYNC_OK, &[]),
    )
}

/// `a` saves to its own store and sends a message to `b` in one operation.
fn saved_then_sent(atomicity: &str) -> String {
    call(
        "sent",
        "a",
        "b",
        ORDERED,
        &format!(", operation: {{ name: request-quote, local_write: true{atomicity} }}"),
        &uses(QUEUE_OK, &[]),
    )
}

/// `a` reads from `b`, then writes back to `b` in the same operation.
fn read_then_write(concurrency: &str) -> String {
    call(
        "get",
        "a",
        "b",
        STRONG,
        ", operation: { name: edit }",
        &uses(SYNC_OK, &[]),
    ) + &call(
        "save",
        "a",
        "b",
        STRONG,
        &format!(", operation: {{ name: edit, writes: true, based_on: get{concurrency} }}"),
        &uses(SYNC_OK, &[]),
    )
}

fn cases() -> Vec<Case> {
    let slo_services = |gw: &str, a: &str, b: &str, c: &str| {
        format!(
            "
services:
  gw: {{ kind: gateway, slo: {gw} }}
  a: {{ slo: {a} }}
  b: {{ slo: {b} }}
  c: {{ slo: {c} }}
"
        )
    };
    let three_hops = "  - { id: h0, from: gw, to: a, idempotent: true, needs: { realtime: true, consistency: strong }, uses: { pattern: sync, timeout_ms: 5000, metrics: true } }\n  - { id: h1, from: a, to: b, idempotent: true, needs: { realtime: true, consistency: strong }, uses: { pattern: sync, timeout_ms: 2000, metrics: true } }\n  - { id: h2, from: b, to: c, idempotent: true, needs: { realtime: true, consistency: strong }, uses: { pattern: sync, timeout_ms: 500, metrics: true } }\n";
    vec![
        case(
            "M011",
            single(call("x", "a", "b", "{ realtime: true }", "", &uses(SYNC_OK, &[]))),
            single(sync_call("x", "a", "b", &[])),
        ),
        case(
            "D001",
            single(call("x", "a", "b", STRONG, "", &uses(QUEUE_OK, &[]))),
            single(sync_call("x", "a", "b", &[])),
        ),
        case(
            "D002",
            single("  - { id: x, from: a, to: b, needs: { realtime: true, consistency: strong } }\n".into()),
            single(sync_call("x", "a", "b", &[])),
        ),
        case(
            "S001",
            single(sync_call("x", "a", "b", &[("timeout_ms", "")])),
            single(sync_call("x", "a", "b", &[])),
        ),
        case(
            "S002",
            doc(
                "services:\n  a: {}\n  b: { slo: { latency_p99_ms: 300 } }\n",
                &sync_call("x", "a", "b", &[("timeout_ms", "200")]),
            ),
            doc(
                "services:\n  a: {}\n  b: { slo: { latency_p99_ms: 300 } }\n",
                &sync_call("x", "a", "b", &[("timeout_ms", "400")]),
            ),
        ),
        case(
            "S003",
            // gRPC multiplexes one connection by protocol, so the case is over REST.
            single(sync_call("x", "a", "b", &[("protocol", "rest"), ("pool", "")])),
            single(sync_call("x", "a", "b", &[("protocol", "rest")])),
        ),
        case(
            "S004",
            single(sync_call("x", "a", "b", &[("circuit_breaker", "")])),
            // A client (browser, app) is not asked for a breaker.
            single(sync_call("x", "web", "gw", &[("circuit_breaker", ""), ("rate_limit", "{ rps: 100 }")])),
        ),
        case(
            "S005",
            single(sync_call("x", "a", "b", &[("circuit_breaker", "{ failure_rate_percent: 95, min_calls: 20, open_ms: 30000 }")])),
            single(sync_call("x", "a", "b", &[])),
        ),
        case(
            "S006",
            single(sync_call("x", "a", "b", &[("retry", "{ max_attempts: 2, backoff: exponential, base_ms: 50 }")])),
            single(sync_call("x", "a", "b", &[("retry", "{ max_attempts: 1 }")])),
        ),
        // A failover (another instance, after a connection failure only) needs no backoff;
        // a retry after a timeout does, even on another instance.
        case(
            "S006",
            single(sync_call("x", "a", "b", &[("retry", "{ max_attempts: 3, backoff: none, next_instance: true, on: any }")])),
            single(sync_call("x", "a", "b", &[("retry", "{ max_attempts: 3, backoff: none, next_instance: true, on: connect-failure }")])),
        ),
        case(
            "S007",
            single(call("x", "a", "b", CACHED, ", traffic: { rps: 500, payload_bytes: 200 }", &uses(SYNC_OK, &[("pattern", "sync-optimized")]))),
            single(call("x", "a", "b", CACHED, ", traffic: { rps: 500, payload_bytes: 200 }", &uses(SYNC_OK, &[("pattern", "sync-optimized"), ("batch", "{ max_size: 50 }")]))),
        ),
        case(
            "S008",
            single(call("x", "a", "b", STRONG, ", traffic: { payload_bytes: 5000 }", &uses(SYNC_OK, &[]))),
            single(call("x", "a", "b", STRONG, ", traffic: { payload_bytes: 5000 }", &uses(SYNC_OK, &[("compression", "gzip")]))),
        ),
        case(
            "S009",
            single(call("x", "a", "b", CACHED, "", &uses(SYNC_OK, &[("pattern", "sync-optimized")]))),
            single(call("x", "a", "b", CACHED, "", &uses(SYNC_OK, &[("pattern", "sync-optimized"), ("cache", "{ ttl_ms: 60000 }")]))),
        ),
        case(
            "A001",
            single(call("x", "a", "b", ORDERED, "", &uses(QUEUE_OK, &[("dead_letter", ""), ("fifo", "true")]))),
            single(call("x", "a", "b", ORDERED, "", &uses(QUEUE_OK, &[("fifo", "true")]))),
        ),
        // ActiveMQ dead-letters a JMS consumer's message after 6 redeliveries, but only if
        // failures are redelivered: a consumer that acknowledges on receipt loses them.
        case(
            "A001",
            single(call("x", "a", "b", ORDERED, "", &uses(QUEUE_OK, &[("dead_letter", ""), ("fifo", "true"), ("protocol", "jms"), ("broker", "activemq"), ("ack", "before-processing")]))),
            single(call("x", "a", "b", ORDERED, "", &uses(QUEUE_OK, &[("dead_letter", ""), ("fifo", "true"), ("protocol", "jms"), ("broker", "activemq"), ("ack", "after-processing")]))),
        ),
        // The limit is the JMS client's: a STOMP consumer is redelivered without end.
        case(
            "A001",
            single(call("x", "a", "b", ORDERED, "", &uses(QUEUE_OK, &[("dead_letter", ""), ("fifo", "true"), ("protocol", "stomp"), ("broker", "activemq"), ("ack", "after-processing")]))),
            single(call("x", "a", "b", ORDERED, "", &uses(QUEUE_OK, &[("fifo", "true"), ("protocol", "stomp"), ("broker", "activemq"), ("ack", "after-processing")]))),
        ),
        case(
            "A002",
            single(call("x", "a", "b", ORDERED, "", &uses(QUEUE_OK, &[("max_queue_length", ""), ("fifo", "true")]))),
            // SQS has no length bound to set.
            single(call("x", "a", "b", ORDERED, "", &uses(QUEUE_OK, &[("max_queue_length", ""), ("protocol", "sqs"), ("fifo", "true")]))),
        ),
        case(
            "A003",
            single(call("x", "a", "b", UNORDERED, "", &uses(STREAM_OK, &[("ttl_ms", "")]))),
            single(call("x", "a", "b", UNORDERED, "", &uses(STREAM_OK, &[]))),
        ),
        // A message that must not expire is not asked for a TTL, and one written is wrong.
        case(
            "A003",
            single(call("x", "a", "b", ORDERED, ", expires: false", &uses(QUEUE_OK, &[("fifo", "true")]))),
            single(call("x", "a", "b", ORDERED, ", expires: false", &uses(QUEUE_OK, &[("fifo", "true"), ("ttl_ms", "")]))),
        ),
        case(
            "A004",
            single(call("x", "a", "b", UNORDERED, "", &uses(STREAM_OK, &[("consumers", "")]))),
            single(call("x", "a", "b", UNORDERED, "", &uses(STREAM_OK, &[]))),
        ),
        case(
            "A005",
            single(call("x", "a", "b", UNORDERED, ", traffic: { rps: 1000 }", &uses(STREAM_OK, &[]))),
            single(call("x", "a", "b", UNORDERED, ", traffic: { rps: 1000 }", &uses(STREAM_OK, &[("batch", "{ max_size: 500, max_wait_ms: 50 }")]))),
        ),
        case(
            "A006",
            single(call("x", "a", "b", UNORDERED, ", traffic: { payload_bytes: 5000 }", &uses(STREAM_OK, &[]))),
            single(call("x", "a", "b", UNORDERED, ", traffic: { payload_bytes: 5000 }", &uses(STREAM_OK, &[("compression", "zstd")]))),
        ),
        case(
            "A007",
            single("  - { id: x, from: a, to: b, idempotent: false, needs: { realtime: false, ordering: false }, uses: { pattern: stream, protocol: kafka, dead_letter: { after_attempts: 3 }, ttl_ms: 1000, consumers: { max: 2 }, metrics: true } }\n".into()),
            single("  - { id: x, from: a, to: b, idempotent: false, needs: { realtime: false, ordering: false }, uses: { pattern: stream, protocol: kafka, dead_letter: { after_attempts: 3 }, ttl_ms: 1000, consumers: { max: 2 }, metrics: true, idempotency: { key: event_id } } }\n".into()),
        ),
        // A consumer that acknowledges on receipt is never redelivered a message, unless
        // the broker delivers copies after an acknowledgement (SQS standard queues).
        case(
            "A007",
            single("  - { id: x, from: a, to: b, idempotent: false, needs: { realtime: false, ordering: false }, uses: { pattern: queue, protocol: sqs, broker: sqs, dead_letter: { after_attempts: 3 }, ttl_ms: 1000, consumers: { max: 2 }, metrics: true, ack: before-processing } }\n".into()),
            single("  - { id: x, from: a, to: b, idempotent: false, needs: { realtime: false, ordering: false }, uses: { pattern: queue, protocol: jms, broker: activemq, dead_letter: { after_attempts: 3 }, ttl_ms: 1000, max_queue_length: 1000, consumers: { max: 2 }, metrics: true, ack: before-processing } }\n".into()),
        ),
        case(
            "A008",
            single(call("x", "a", "b", ORDERED, "", &uses(QUEUE_OK, &[]))),
            single(call("x", "a", "b", ORDERED, "", &uses(QUEUE_OK, &[("fifo", "true")]))),
        ),
        case(
            "R001",
            single(sync_call("x", "web", "gw", &[])),
            single(sync_call("x", "web", "gw", &[("rate_limit", "{ rps: 100 }")])),
        ),
        case(
            "R002",
            single(sync_call("x", "a", "b", &[]) + &sync_call("y", "a", "c", &[])),
            single(
                sync_call("x", "a", "b", &[("bulkhead", "{ max_concurrent: 10 }")])
                    + &sync_call("y", "a", "c", &[("bulkhead", "{ max_concurrent: 5 }")]),
            ),
        ),
        case(
            "R003",
            single("  - { id: x, from: a, to: b, idempotent: false, needs: { realtime: true, consistency: strong }, uses: { pattern: sync, retry: { max_attempts: 3 } } }\n".into()),
            single("  - { id: x, from: a, to: b, idempotent: false, needs: { realtime: true, consistency: strong }, uses: { pattern: sync, retry: { max_attempts: 3 }, idempotency: { key: payment_id } } }\n".into()),
        ),
        case(
            "O001",
            single(sync_call("x", "a", "b", &[("metrics", "")]) + &sync_call("y", "a", "c", &[])),
            single(sync_call("x", "a", "b", &[]) + &sync_call("y", "a", "c", &[])),
        ),
        case(
            "G001",
            single(sync_call("x", "a", "b", &[]) + &sync_call("y", "b", "c", &[]) + &sync_call("z", "c", "a", &[])),
            single(sync_call("x", "a", "b", &[]) + &sync_call("y", "b", "c", &[]) + &call("z", "c", "a", UNORDERED, "", &uses(STREAM_OK, &[]))),
        ),
        case(
            "G002",
            single(chain(&[("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "f")], &[])),
            single(chain(&[("a", "b"), ("b", "c"), ("c", "d"), ("d", "e")], &[])),
        ),
        case(
            "G003",
            single(sync_call("x", "a", "b", &[("timeout_ms", "1000"), ("retry", "")]) + &sync_call("y", "b", "c", &[("timeout_ms", "500"), ("retry", "{ max_attempts: 3, backoff: exponential, base_ms: 100, jitter: true }")])),
            single(sync_call("x", "a", "b", &[("timeout_ms", "2000"), ("retry", "")]) + &sync_call("y", "b", "c", &[("timeout_ms", "500"), ("retry", "{ max_attempts: 3, backoff: exponential, base_ms: 100, jitter: true }")])),
        ),
        case(
            "G004",
            single(chain(&[("a", "b"), ("b", "c"), ("c", "d")], &[("timeout_ms", ""), ("retry", "{ max_attempts: 3, backoff: exponential, jitter: true }")])),
            single(chain(&[("a", "b"), ("b", "c"), ("c", "d")], &[("timeout_ms", ""), ("retry", "{ max_attempts: 1 }")])),
        ),
        case(
            "G005",
            doc(&slo_services("{ availability: 99.9 }", "{ availability: 99.9 }", "{ availability: 99.9 }", "{ availability: 99.5 }"), three_hops),
            doc(&slo_services("{ availability: 99.0 }", "{ availability: 99.9 }", "{ availability: 99.9 }", "{ availability: 99.5 }"), three_hops),
        ),
        case(
            "G006",
            doc(&slo_services("{ latency_p99_ms: 500 }", "{ latency_p99_ms: 200 }", "{ latency_p99_ms: 200 }", "{ latency_p99_ms: 200 }"), three_hops),
            doc(&slo_services("{ latency_p99_ms: 600 }", "{ latency_p99_ms: 200 }", "{ latency_p99_ms: 200 }", "{ latency_p99_ms: 200 }"), three_hops),
        ),
        case(
            "G007",
            single(sync_call("x", "a", "b", &[("timeout_ms", "1000"), ("retry", "")]) + &sync_call("y", "b", "c", &[("timeout_ms", "")])),
            single(sync_call("x", "a", "b", &[("timeout_ms", "1000"), ("retry", "")]) + &sync_call("y", "b", "c", &[("timeout_ms", "300")])),
        ),
        case(
            "G008",
            single(call("f", "a", "b", UNORDERED, "", &uses(STREAM_OK, &[])) + &call("r", "c", "b", CACHED, "", &uses(SYNC_OK, &[("pattern", "sync-optimized"), ("cache", "{ ttl_ms: 1000 }")])) + &sync_call("x", "d", "b", &[])),
            // The decision is taken at the owner that publishes the stream.
            single(call("f", "a", "b", UNORDERED, "", &uses(STREAM_OK, &[])) + &call("r", "c", "b", CACHED, "", &uses(SYNC_OK, &[("pattern", "sync-optimized"), ("cache", "{ ttl_ms: 1000 }")])) + &sync_call("x", "d", "a", &[])),
        ),
        case(
            "C001",
            single(call("x", "a", "b", STRONG, ", traffic: { rps: 1000, processing_ms: 100 }", &uses(SYNC_OK, &[("protocol", "rest"), ("pool", "{ keep_alive: true, max_connections: 20 }")]))),
            // gRPC multiplexes 100 calls per connection by default.
            single(call("x", "a", "b", STRONG, ", traffic: { rps: 1000, processing_ms: 100 }", &uses(SYNC_OK, &[("pool", "{ keep_alive: true, max_connections: 20 }")]))),
        ),
        case(
            "C002",
            single(call("x", "a", "b", UNORDERED, ", traffic: { rps: 100, processing_ms: 100 }", &uses(STREAM_OK, &[]))),
            single(call("x", "a", "b", UNORDERED, ", traffic: { rps: 100, processing_ms: 100 }", &uses(STREAM_OK, &[("consumers", "{ min: 2, max: 12 }")]))),
        ),
        case(
            "G009",
            single(sync_call("x", "a", "b", &[("fallback", "default")])),
            // The failure reaches the caller, who shows an error instead of a placeholder.
            single(sync_call("x", "a", "b", &[("fallback", "none")])),
        ),
        case(
            "G010",
            single(call("x", "a", "b", CACHED, ", traffic: { calls_per_request: 11 }", &uses(SYNC_OK, &[]))),
            single(call("x", "a", "b", CACHED, ", traffic: { calls_per_request: 11 }", &uses(SYNC_OK, &[("batch", "{ max_size: 50 }")]))),
        ),
        case(
            "G011",
            single(two_writes("")),
            single(two_writes(", atomicity: saga")),
        ),
        case(
            "G012",
            single(saved_then_sent("")),
            single(saved_then_sent(", atomicity: outbox")),
        ),
        case(
            "G013",
            single(saved_then_sent(", atomicity: outbox, relay: after-commit")),
            single(saved_then_sent(", atomicity: outbox, relay: polling")),
        ),
        case(
            "G014",
            single(call("x", "a", "b", STRONG, ", copy: { of: c, what: prices }", &uses(SYNC_OK, &[]))),
            single(call("x", "a", "b", CACHED, ", copy: { of: c, what: prices }", &uses(SYNC_OK, &[("pattern", "sync-optimized"), ("cache", "{ ttl_ms: 1000 }")]))),
        ),
        case(
            "G015",
            single(read_then_write("")),
            single(read_then_write(", concurrency: version")),
        ),
        case(
            "G016",
            single(
                call("x", "a", "b", ORDERED, "", &uses(QUEUE_OK, &[("fifo", "true"), ("channel", "accepted")]))
                    + &call("y", "a", "b", ORDERED, "", &uses(QUEUE_OK, &[("fifo", "true"), ("channel", "expired")])),
            ),
            single(
                call("x", "a", "b", ORDERED, "", &uses(QUEUE_OK, &[("fifo", "true"), ("channel", "quotes")]))
                    + &call("y", "a", "b", ORDERED, "", &uses(QUEUE_OK, &[("fifo", "true"), ("channel", "quotes")])),
            ),
        ),
        case(
            "G017",
            single(call("x", "a", "b", STRONG, ", copy: { of: b, kept_by: web, signed: true, what: session }", &uses(SYNC_OK, &[]))),
            single(call("x", "a", "b", STRONG, ", copy: { of: c, kept_by: web, signed: true, what: session }", &uses(SYNC_OK, &[]))),
        ),
        case(
            "G018",
            single(call("x", "a", "b", UNORDERED, "", &uses(QUEUE_OK, &[("pattern", "stream"), ("idempotency", "{ key: event_id, recorded: after-attempt }")]))),
            single(call("x", "a", "b", UNORDERED, "", &uses(QUEUE_OK, &[("pattern", "stream"), ("idempotency", "{ key: event_id, recorded: after-processing }")]))),
        ),
        case(
            "C003",
            single(call("x", "a", "b", ORDERED, ", traffic: { rps: 100 }", &uses(QUEUE_OK, &[("fifo", "true"), ("max_queue_length", "1000")]))),
            single(call("x", "a", "b", ORDERED, ", traffic: { rps: 100 }", &uses(QUEUE_OK, &[("fifo", "true"), ("max_queue_length", "6000")]))),
        ),
    ]
}

#[test]
fn every_rule_fires_and_stays_silent() {
    let mut failures = Vec::new();
    for c in cases() {
        let fired = codes(&c.fires);
        if !fired.contains(c.code) {
            failures.push(format!(
                "{} did not fire; got {fired:?} on\n{}",
                c.code, c.fires
            ));
        }
        let silent = codes(&c.silent);
        if silent.contains(c.code) {
            failures.push(format!(
                "{} fired on its fixed case; got {silent:?} on\n{}",
                c.code, c.silent
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The fixed cases of the sync checklist are clean for every rule, not only for the one
/// under test: the base design is what the docs recommend.
#[test]
fn recommended_designs_are_clean() {
    for yaml in [
        single(sync_call("x", "a", "b", &[])),
        single(call(
            "x",
            "a",
            "b",
            ORDERED,
            "",
            &uses(QUEUE_OK, &[("fifo", "true")]),
        )),
        single(call("x", "a", "b", UNORDERED, "", &uses(STREAM_OK, &[]))),
    ] {
        let found = codes(&yaml);
        assert!(found.is_empty(), "{found:?} on\n{yaml}");
    }
}

#[test]
fn every_rule_that_runs_has_a_case() {
    let covered: BTreeSet<&str> = cases().iter().map(|c| c.code).collect();
    for rule in commsplan::rules::checks() {
        let code = rule.info().code;
        assert!(
            covered.contains(code),
            "rule {code} has no fire/silent case"
        );
    }
}

#[test]
fn every_rule_has_complete_documentation() {
    for rule in commsplan::rules::registry() {
        let mut at = 0;
        for heading in ["## What it checks", "## Why", "## Example", "## Fix"] {
            let found = rule.doc[at..]
                .find(heading)
                .unwrap_or_else(|| panic!("{} lacks `{heading}` (in this order)", rule.code));
            at += found + heading.len();
        }
        for section in rule.doc.split("## ").skip(1) {
            let body = section.split_once('\n').map_or("", |(_, b)| b);
            assert!(
                !body.trim().is_empty(),
                "{}: a section is empty: {section:?}",
                rule.code
            );
        }
        assert!(!rule.summary.is_empty(), "{} has no summary", rule.code);
        assert!(
            rule.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}: `{}` is not kebab-case",
            rule.code,
            rule.name
        );
    }
}

#[test]
fn codes_are_unique_and_use_their_family_letter() {
    let mut seen = BTreeSet::new();
    for rule in commsplan::rules::registry() {
        assert!(seen.insert(rule.code), "{} registered twice", rule.code);
        let letter = match rule.family.as_str() {
            "model" => 'M',
            "decision" => 'D',
            "sync" => 'S',
            "async" => 'A',
            "resilience" => 'R',
            "observability" => 'O',
            "graph" => 'G',
            "capacity" => 'C',
            "drift" => 'I',
            other => panic!("unknown family {other}"),
        };
        assert!(
            rule.code.starts_with(letter),
            "{} is not in family {letter}",
            rule.code
        );
    }
}

fn message_of(a: &Analysis, code: &str) -> String {
    active(a)
        .into_iter()
        .find(|f| f.code == code)
        .map(|f| f.message.clone())
        .unwrap_or_else(|| panic!("no {code}"))
}

#[test]
fn retry_amplification_of_three_hops_of_three_is_27() {
    let yaml = single(chain(
        &[("a", "b"), ("b", "c"), ("c", "d")],
        &[
            ("timeout_ms", ""),
            (
                "retry",
                "{ max_attempts: 3, backoff: exponential, jitter: true }",
            ),
        ],
    ));
    let m = message_of(&run(&yaml), "G004");
    assert!(m.contains("27×"), "{m}");
    assert!(m.contains("a → b → c → d"), "{m}");
    assert!(m.contains("3 × 3 × 3"), "{m}");
}

/// One call's own attempts, however many, multiply nothing: S006 bounds them, G004 is
/// silent. Two entry points whose worst chains meet at the same two retrying hops are one
/// finding, not one per entry point.
#[test]
fn retry_amplification_needs_two_layers_and_is_reported_once_per_cause() {
    let retry = |n: u32| format!("{{ max_attempts: {n}, backoff: exponential, jitter: true }}");
    let one_layer = single(
        sync_call("h0", "a", "b", &[("timeout_ms", ""), ("retry", "")])
            + &sync_call("h1", "b", "c", &[("timeout_ms", ""), ("retry", &retry(12))]),
    );
    let a = run(&one_layer);
    assert!(finding_of(&a, "G004").is_empty());
    assert!(!finding_of(&a, "S006").is_empty());
    let services = "services:\n  a: {}\n  x: {}\n  m: {}\n  b: {}\n  c: {}\n";
    let meeting = doc(
        services,
        &(sync_call("a-m", "a", "m", &[("timeout_ms", ""), ("retry", "")])
            + &sync_call("x-m", "x", "m", &[("timeout_ms", ""), ("retry", "")])
            + &sync_call("m-b", "m", "b", &[("timeout_ms", ""), ("retry", &retry(3))])
            + &sync_call("b-c", "b", "c", &[("timeout_ms", ""), ("retry", &retry(4))])),
    );
    let a = run(&meeting);
    let g004 = finding_of(&a, "G004");
    assert_eq!(g004.len(), 1, "{g004:?}");
    assert!(g004[0].message.contains("12×"), "{}", g004[0].message);
    assert!(g004[0].affected.is_empty(), "{:?}", g004[0].affected);
}

/// `web` reaches the gateway by two routes, one to a quick service and one to a slow one;
/// which route leads where is not in the file, so G003 holds each to the quickest and is
/// silent. A caller with one way into the gateway is held to the slowest route.
#[test]
fn timeout_inversion_through_a_gateway_holds_each_route_to_the_quickest() {
    let services = "services:\n  web: {}\n  gw: { kind: gateway }\n  quick: {}\n  slow: {}\n";
    let timeout = |ms: &str| [("timeout_ms", ms.to_string()), ("retry", String::new())];
    let call = |id: &str, from: &str, to: &str, ms: &str| {
        let t = timeout(ms);
        let over: Vec<(&str, &str)> = t.iter().map(|(k, v)| (*k, v.as_str())).collect();
        sync_call(id, from, to, &over)
    };
    let downstream =
        call("gw-quick", "gw", "quick", "500") + &call("gw-slow", "gw", "slow", "9000");
    let two_routes = doc(
        services,
        &(call("web-route-1", "web", "gw", "2000")
            + &call("web-route-2", "web", "gw", "2000")
            + &downstream),
    );
    assert!(finding_of(&run(&two_routes), "G003").is_empty());
    let one_way = doc(
        services,
        &(call("web-all", "web", "gw", "2000") + &downstream),
    );
    let a = run(&one_way);
    let g003 = finding_of(&a, "G003");
    assert_eq!(g003.len(), 1);
    assert!(g003[0].message.contains("`gw-slow`"), "{}", g003[0].message);
}

/// A retry of refused connections only (`on: connect-failure`) repeats nothing the callee
/// did: R003 is silent on it, and asks again as soon as the retry covers timeouts.
#[test]
fn retries_of_refused_connections_repeat_no_operation() {
    let system = |on: &str| {
        single(format!("  - {{ id: x, from: a, to: b, idempotent: false, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, protocol: grpc, timeout_ms: 500, retry: {{ max_attempts: 3, backoff: exponential, jitter: true, on: {on} }} }} }}\n"))
    };
    assert!(finding_of(&run(&system("connect-failure")), "R003").is_empty());
    let any = run(&system("any"));
    let r003 = finding_of(&any, "R003");
    assert_eq!(r003.len(), 1);
    assert!(
        r003[0].message.contains("tried 3 times"),
        "{}",
        r003[0].message
    );
}

/// When one attempt alone outlasts the caller's wait, S006's help does not claim a
/// schedule that fits: it asks for the timeout to be lowered first.
#[test]
fn a_retry_fix_never_claims_a_fit_that_one_attempt_breaks() {
    let yaml = single(
        sync_call("h0", "a", "b", &[("timeout_ms", "1000"), ("retry", "")])
            + &sync_call(
                "h1",
                "b",
                "c",
                &[
                    ("timeout_ms", "3000"),
                    (
                        "retry",
                        "{ max_attempts: 9, backoff: exponential, jitter: true }",
                    ),
                ],
            ),
    );
    let a = run(&yaml);
    let s006 = finding_of(&a, "S006");
    assert_eq!(s006.len(), 1);
    let help = s006[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("lower this call's timeout first"), "{help}");
    assert!(!help.contains("within"), "{help}");
}

#[test]
fn composite_availability_of_999_999_995_is_9930() {
    let yaml = doc(
        "services:\n  gw: { kind: gateway, slo: { availability: 99.9 } }\n  a: { slo: { availability: 99.9 } }\n  b: { slo: { availability: 99.9 } }\n  c: { slo: { availability: 99.5 } }\n",
        &chain(&[("gw", "a"), ("a", "b"), ("b", "c")], &[]),
    );
    let m = message_of(&run(&yaml), "G005");
    assert!(m.contains("99.30 %"), "{m}");
    assert!(m.contains("gw → a → b → c"), "{m}");
}

#[test]
fn availability_takes_the_weakest_branch() {
    // gw → a (99.99) → b (99.0) and gw → c (99.95): the chain through b is the weak one.
    let yaml = doc(
        "services:\n  gw: { kind: gateway, slo: { availability: 99.95 } }\n  a: { slo: { availability: 99.99 } }\n  b: { slo: { availability: 99.0 } }\n  c: { slo: { availability: 99.95 } }\n",
        &chain(&[("gw", "a"), ("a", "b"), ("gw", "c")], &[]),
    );
    let m = message_of(&run(&yaml), "G005");
    assert!(m.contains("gw → a → b"), "{m}");
    assert!(m.contains("98.99 %"), "{m}");
}

#[test]
fn timeout_inversion_counts_attempts_and_backoff() {
    // b waits 3 × 500 + 100 + 200 = 1800 ms on c; a gives up after 1000.
    let yaml = single(
        sync_call("x", "a", "b", &[("timeout_ms", "1000"), ("retry", "")])
            + &sync_call(
                "y",
                "b",
                "c",
                &[
                    ("timeout_ms", "500"),
                    (
                        "retry",
                        "{ max_attempts: 3, backoff: exponential, base_ms: 100, jitter: true }",
                    ),
                ],
            ),
    );
    let a = run(&yaml);
    let m = message_of(&a, "G003");
    assert!(m.contains("1800 ms"), "{m}");
    assert!(m.contains("a → b → c"), "{m}");
    let f = active(&a).into_iter().find(|f| f.code == "G003").unwrap();
    assert_eq!(f.interaction.as_deref(), Some("x"));
    assert_eq!(f.related.len(), 1);
}

#[test]
fn cycle_names_every_hop() {
    let yaml = single(
        sync_call("x", "a", "b", &[])
            + &sync_call("y", "b", "c", &[])
            + &sync_call("z", "c", "a", &[]),
    );
    let m = message_of(&run(&yaml), "G001");
    assert!(m.contains("a → b → c → a"), "{m}");
    assert!(m.contains("x, y, z"), "{m}");
}

#[test]
fn depth_counts_hops_from_the_entry() {
    let yaml = single(chain(
        &[("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "f")],
        &[],
    ));
    let a = run(&yaml);
    let m = message_of(&a, "G002");
    assert!(m.contains("5 hops"), "{m}");
    assert!(m.contains("a → b → c → d → e → f"), "{m}");
    // Pointed at the hop that goes over the limit (the fifth).
    let f = active(&a).into_iter().find(|f| f.code == "G002").unwrap();
    assert_eq!(f.interaction.as_deref(), Some("h4"));
}

#[test]
fn undesigned_interaction_gets_one_note_not_a_checklist() {
    let yaml = single(
        "  - { id: x, from: a, to: b, needs: { realtime: false, ordering: true } }\n".into(),
    );
    let found = codes(&yaml);
    assert_eq!(found, BTreeSet::from(["D002"]));
}

#[test]
fn findings_point_at_the_field_or_the_uses_mapping() {
    let yaml = single(sync_call(
        "x",
        "a",
        "b",
        &[
            ("timeout_ms", ""),
            ("retry", "{ max_attempts: 2, backoff: fixed, jitter: true }"),
        ],
    ));
    let a = run(&yaml);
    let s001 = active(&a).into_iter().find(|f| f.code == "S001").unwrap();
    let loc = s001.location.as_ref().unwrap();
    let line = yaml.lines().nth(loc.line as usize - 1).unwrap();
    let at: String = line.chars().skip(loc.column as usize - 1).take(4).collect();
    assert_eq!(at, "uses", "S001 points at the `uses` key: {line}");
    let s006 = active(&a).into_iter().find(|f| f.code == "S006").unwrap();
    let loc = s006.location.as_ref().unwrap();
    let line = yaml.lines().nth(loc.line as usize - 1).unwrap();
    let at: String = line.chars().skip(loc.column as usize - 1).take(5).collect();
    assert_eq!(at, "fixed", "S006 points at the backoff value: {line}");
    assert!(s006.help.as_deref().unwrap().contains("jitter: true"));
}

#[test]
fn checklist_follows_declared_pattern_else_recommended() {
    // Declared queue on a strong-consistency need: D001, and the queue checklist applies.
    let yaml = single(call(
        "x",
        "a",
        "b",
        STRONG,
        "",
        &uses(QUEUE_OK, &[("dead_letter", "")]),
    ));
    let found = codes(&yaml);
    assert!(
        found.contains("D001") && found.contains("A001"),
        "{found:?}"
    );
    assert!(!found.contains("S001"), "{found:?}");
    // No declared pattern: the recommended one (sync) decides.
    let yaml = single(call(
        "x",
        "a",
        "b",
        STRONG,
        "",
        "{ protocol: grpc, metrics: true }",
    ));
    let found = codes(&yaml);
    assert!(found.contains("S001"), "{found:?}");
}

#[test]
fn output_is_deterministic() {
    let yaml = single(
        sync_call("x", "a", "b", &[("timeout_ms", "")])
            + &sync_call("y", "b", "c", &[])
            + &sync_call("z", "c", "a", &[]),
    );
    let dir = scratch();
    let path = dir.join("system.yaml");
    std::fs::write(&path, yaml).unwrap();
    let render = || {
        let a = analyze_with(&[&path], &LoadOptions::default(), &RunOptions::default()).unwrap();
        commsplan::report::json::render(&a)
    };
    assert_eq!(render(), render());
}

#[test]
fn extreme_figures_do_not_overflow_or_hang() {
    let huge = "{ max_attempts: 4000000000, backoff: exponential, base_ms: 18446744073709551615, max_ms: 18446744073709551615, jitter: true }";
    let yaml = single(
        call(
            "x",
            "a",
            "b",
            STRONG,
            ", traffic: { rps: 1.0e300, payload_bytes: 18446744073709551615, processing_ms: 1.0e300 }",
            &uses(SYNC_OK, &[("timeout_ms", "1"), ("retry", huge)]),
        ) + &sync_call("y", "b", "c", &[("timeout_ms", "18446744073709551615"), ("retry", huge)])
            + &call(
                "z",
                "c",
                "d",
                ORDERED,
                ", traffic: { rps: 1.0e300, processing_ms: 1.0e300 }",
                &uses(QUEUE_OK, &[("max_queue_length", "")]),
            ),
    );
    let started = std::time::Instant::now();
    let found = codes(&yaml);
    assert!(started.elapsed().as_secs() < 5);
    assert!(
        found.contains("G003") && found.contains("C002"),
        "{found:?}"
    );
}

#[test]
fn ordering_needs_fifo_true_or_a_single_consumer() {
    let fires = |over: &[(&str, &str)]| {
        codes(&single(call(
            "x",
            "a",
            "b",
            ORDERED,
            "",
            &uses(QUEUE_OK, over),
        )))
        .contains("A008")
    };
    assert!(fires(&[("fifo", "false")]));
    assert!(!fires(&[("consumers", "{ min: 1, max: 1 }")]));
    assert!(!fires(&[("protocol", "sqs"), ("channel", "points.fifo")]));
    assert!(fires(&[("protocol", "sqs"), ("channel", "points")]));
    // A stream keeps order per partition: the key is what counts.
    let stream = |over: &[(&str, &str)]| {
        codes(&single(call(
            "x",
            "a",
            "b",
            ORDERED,
            "",
            &uses(STREAM_OK, over),
        )))
        .contains("A008")
    };
    assert!(!stream(&[]));
    assert!(stream(&[("partition_key", "")]));
}

#[test]
fn large_json_report_is_serde_jsons_pretty_layout() {
    // Enough findings for the report to serialise them on a second core.
    let calls: String = (0..1200)
        .map(|i| sync_call(&format!("c{i}"), &format!("s{i}"), &format!("t{i}"), &[]))
        .collect();
    let dir = scratch();
    let path = dir.join("system.yaml");
    std::fs::write(&path, single(calls)).unwrap();
    let a = analyze_with(&[&path], &LoadOptions::default(), &RunOptions::default()).unwrap();
    assert!(a.findings.len() > 1000, "{} findings", a.findings.len());
    let text = commsplan::report::json::render(&a);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        value["findings"].as_array().unwrap().len(),
        a.findings.len()
    );
    assert_eq!(serde_json::to_string_pretty(&value).unwrap() + "\n", text);
}

fn finding_of<'a>(a: &'a Analysis, code: &str) -> Vec<&'a Finding> {
    active(a).into_iter().filter(|f| f.code == code).collect()
}

#[test]
fn unbounded_downstream_names_the_chain_and_the_hop() {
    let yaml = single(
        sync_call("x", "a", "b", &[("timeout_ms", "1000"), ("retry", "")])
            + &sync_call("y", "b", "c", &[("timeout_ms", "")]),
    );
    let a = run(&yaml);
    let found = finding_of(&a, "G007");
    assert_eq!(found.len(), 1);
    let f = found[0];
    assert_eq!(f.interaction.as_deref(), Some("y"));
    assert!(f.message.contains("a → b → c"), "{}", f.message);
    assert!(f.message.contains("1000 ms (`x`)"), "{}", f.message);
    assert_eq!(f.related.len(), 1);
    // With its retries, each attempt has to fit the caller's bound: (1000 - 50) / 2 = 475,
    // stated rounded down to a figure that still fits.
    assert!(
        f.help
            .as_deref()
            .unwrap()
            .contains("450 ms or less for each of its 2 attempts and 50 ms of backoff"),
        "{:?}",
        f.help
    );
}

#[test]
fn unbounded_downstream_needs_a_designed_hop_under_a_bound() {
    // The inner call is not designed yet: D002 says so, its timeout is not known.
    let undesigned = single(
        sync_call("x", "a", "b", &[("timeout_ms", "1000")])
            + "  - { id: y, from: b, to: c, needs: { realtime: true, consistency: strong } }\n",
    );
    assert!(!codes(&undesigned).contains("G007"));
    // Nothing above gives up: S001 on each call, no inversion.
    let unbounded = single(
        sync_call("x", "a", "b", &[("timeout_ms", "")])
            + &sync_call("y", "b", "c", &[("timeout_ms", "")]),
    );
    let found = codes(&unbounded);
    assert!(
        found.contains("S001") && !found.contains("G007"),
        "{found:?}"
    );
    // An asynchronous hop in between ends the chain: nobody waits across it.
    let across_a_stream = single(
        sync_call("x", "a", "b", &[("timeout_ms", "1000")])
            + &call("s", "b", "c", UNORDERED, "", &uses(STREAM_OK, &[]))
            + &sync_call("y", "c", "d", &[("timeout_ms", "")]),
    );
    assert!(!codes(&across_a_stream).contains("G007"));
}

#[test]
fn unbounded_downstream_is_found_through_calls_without_a_timeout() {
    let yaml = single(
        sync_call("x", "a", "b", &[("timeout_ms", "1000")])
            + "  - { id: y, from: b, to: c, needs: { realtime: true, consistency: strong } }\n"
            + &sync_call("z", "c", "d", &[("timeout_ms", "")]),
    );
    let a = run(&yaml);
    let found = finding_of(&a, "G007");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].interaction.as_deref(), Some("z"));
    assert!(
        found[0].message.contains("a → b → c → d"),
        "{}",
        found[0].message
    );
    assert_eq!(found[0].related.len(), 2);
}

#[test]
fn unbounded_downstream_shortens_a_long_chain() {
    let hops: Vec<(String, String)> = (0..12)
        .map(|i| (format!("s{i}"), format!("s{}", i + 1)))
        .collect();
    let mut interactions = sync_call("h0", "s0", "s1", &[("timeout_ms", "1000")]);
    for (i, (from, to)) in hops.iter().enumerate().skip(1) {
        interactions += &sync_call(&format!("h{i}"), from, to, &[("timeout_ms", "")]);
    }
    let services: String = (0..=12).map(|i| format!("  s{i}: {{}}\n")).collect();
    let a = run(&doc(&format!("services:\n{services}"), &interactions));
    let found = finding_of(&a, "G007");
    assert_eq!(found.len(), 11);
    let last = found
        .iter()
        .find(|f| f.interaction.as_deref() == Some("h11"))
        .unwrap();
    assert!(
        last.message
            .contains("s0 → s1 → … → s6 → s7 → s8 → s9 → s10 → s11 → s12 (12 hops)"),
        "{}",
        last.message
    );
}

fn read_model(strong_call: &str) -> String {
    single(
        call("f", "a", "b", UNORDERED, "", &uses(STREAM_OK, &[]))
            + &call(
                "r",
                "c",
                "b",
                CACHED,
                "",
                &uses(
                    SYNC_OK,
                    &[("pattern", "sync-optimized"), ("cache", "{ ttl_ms: 1000 }")],
                ),
            )
            + strong_call,
    )
}

#[test]
fn stale_strong_read_names_the_feeding_interaction() {
    let a = run(&read_model(&sync_call("x", "d", "b", &[])));
    let found = finding_of(&a, "G008");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].interaction.as_deref(), Some("x"));
    assert!(
        found[0].message.contains("`f` (a stream from `a`)"),
        "{}",
        found[0].message
    );
    assert!(found[0].help.as_deref().unwrap().contains("`a`"));
    assert_eq!(found[0].related.len(), 1);
}

#[test]
fn stale_strong_read_spares_services_that_own_data() {
    // The strong call writes (not idempotent, or deduplicated by a key): the callee is the
    // record of what it writes.
    let write = "  - { id: x, from: d, to: b, idempotent: false, needs: { realtime: true, consistency: strong }, uses: { pattern: sync, timeout_ms: 500 } }\n";
    assert!(!codes(&read_model(write)).contains("G008"));
    let keyed = sync_call("x", "d", "b", &[("idempotency", "{ key: order_id }")]);
    assert!(!codes(&read_model(&keyed)).contains("G008"));
    // The callee publishes events of its own.
    let publishes =
        sync_call("x", "d", "b", &[]) + &call("p", "b", "e", UNORDERED, "", &uses(STREAM_OK, &[]));
    assert!(!codes(&read_model(&publishes)).contains("G008"));
    // Fed by a queue of work, not a stream of facts.
    let queue_fed = single(
        call(
            "f",
            "a",
            "b",
            ORDERED,
            "",
            &uses(QUEUE_OK, &[("fifo", "true")]),
        ) + &call(
            "r",
            "c",
            "b",
            CACHED,
            "",
            &uses(
                SYNC_OK,
                &[("pattern", "sync-optimized"), ("cache", "{ ttl_ms: 1000 }")],
            ),
        ) + &sync_call("x", "d", "b", &[]),
    );
    assert!(!codes(&queue_fed).contains("G008"));
    // Nobody reads it as eventually consistent: nothing says its answers lag.
    let only_strong = single(
        call("f", "a", "b", UNORDERED, "", &uses(STREAM_OK, &[])) + &sync_call("x", "d", "b", &[]),
    );
    assert!(!codes(&only_strong).contains("G008"));
}

#[test]
fn stale_strong_read_on_a_cache_server() {
    let memcached = single(sync_call("x", "a", "b", &[("protocol", "memcached")]));
    let a = run(&memcached);
    let found = finding_of(&a, "G008");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("memcached cache"),
        "{}",
        found[0].message
    );
    // Redis is often the store of record.
    assert!(!codes(&single(sync_call("x", "a", "b", &[("protocol", "redis")]))).contains("G008"));
}

#[test]
fn unbounded_downstream_replaces_the_missing_timeout_on_its_call() {
    let yaml = single(
        sync_call("x", "a", "b", &[("timeout_ms", "1000")])
            + &sync_call("y", "b", "c", &[("timeout_ms", "")]),
    );
    let a = run(&yaml);
    let on_y: Vec<&str> = active(&a)
        .into_iter()
        .filter(|f| f.interaction.as_deref() == Some("y"))
        .map(|f| f.code)
        .collect();
    assert!(
        on_y.contains(&"G007") && !on_y.contains(&"S001"),
        "{on_y:?}"
    );
    // What S001 would say about y's breaker, G007 says in its place.
    let g007 = finding_of(&a, "G007");
    assert!(
        g007[0].message.contains("never opens on a hang"),
        "{}",
        g007[0].message
    );
    // Without G007, the missing timeout is reported as S001 again.
    let a = run_with(
        &yaml,
        RunOptions {
            ignore: vec!["G007".into()],
            ..RunOptions::default()
        },
    );
    assert!(finding_of(&a, "S001")
        .iter()
        .any(|f| f.interaction.as_deref() == Some("y")));
}

#[test]
fn fallback_on_strong_read_reports_stale_and_made_up_answers_only() {
    let a = run(&single(sync_call("x", "a", "b", &[("fallback", "stale")])));
    let found = finding_of(&a, "G009");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("`x`") && found[0].message.contains("last known answer"),
        "{}",
        found[0].message
    );
    assert_eq!(found[0].related.len(), 1);
    // An empty answer shows as missing; an eventual read may be old.
    assert!(!codes(&single(sync_call("x", "a", "b", &[("fallback", "empty")]))).contains("G009"));
    let eventual = call(
        "x",
        "a",
        "b",
        CACHED,
        "",
        &uses(SYNC_OK, &[("fallback", "default")]),
    );
    assert!(!codes(&single(eventual)).contains("G009"));
}

/// An empty fallback is reported where it is written back: a later step of the same
/// operation writes to the callee the read came from (read, merge, save the whole value).
/// A write to another callee, or a read outside an operation, stays silent.
#[test]
fn an_empty_fallback_written_back_by_its_operation_is_reported() {
    let system = |write_to: &str| {
        single(
            call(
                "read",
                "a",
                "b",
                STRONG,
                ", operation: { name: add-item }",
                &uses(SYNC_OK, &[("fallback", "empty")]),
            ) + &call(
                "save",
                "a",
                write_to,
                STRONG,
                ", operation: { name: add-item, writes: true }",
                &uses(SYNC_OK, &[]),
            ),
        )
    };
    let a = run(&system("b"));
    let found = finding_of(&a, "G009");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("writes it back to `b` (`save`)"),
        "{}",
        found[0].message
    );
    assert!(finding_of(&run(&system("c")), "G009").is_empty());
}

#[test]
fn per_item_call_counts_unbounded_items_and_spares_small_counts_and_caches() {
    let per_item = |traffic: &str, over: &[(&str, &str)]| {
        single(call(
            "x",
            "a",
            "b",
            CACHED,
            &format!(", traffic: {{ {traffic} }}"),
            &uses(SYNC_OK, over),
        ))
    };
    let a = run(&per_item("per_item: true", &[]));
    let found = finding_of(&a, "G010");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("`x`") && found[0].message.contains("once per item"),
        "{}",
        found[0].message
    );
    assert!(found[0].help.as_deref().unwrap().contains("batch"));
    // A bound below the threshold, a bound on the items, a cache for a read: silent.
    assert!(!codes(&per_item("calls_per_request: 4", &[])).contains("G010"));
    assert!(!codes(&per_item("per_item: true, calls_per_request: 3", &[])).contains("G010"));
    assert!(!codes(&per_item(
        "per_item: true",
        &[("cache", "{ ttl_ms: 1000 }")]
    ))
    .contains("G010"));
    // A write is not answered by a cache.
    let write = single(
        call(
            "x",
            "a",
            "b",
            CACHED,
            ", traffic: { per_item: true }",
            &uses(SYNC_OK, &[("cache", "{ ttl_ms: 1000 }")]),
        )
        .replace("idempotent: true", "idempotent: false"),
    );
    assert!(codes(&write).contains("G010"));
    // With a count and the callee's p99, the time in sequence is said.
    let slow = doc(
        "services:\n  a: {}\n  b: { slo: { latency_p99_ms: 40 } }\n",
        &call(
            "x",
            "a",
            "b",
            CACHED,
            ", traffic: { calls_per_request: 10 }",
            &uses(SYNC_OK, &[]),
        ),
    );
    let a = run(&slow);
    assert!(
        finding_of(&a, "G010")[0].message.contains("400 ms"),
        "{:?}",
        finding_of(&a, "G010")
    );
    // The threshold is configurable.
    let a = run_with_toml(
        &per_item("calls_per_request: 4", &[]),
        "[thresholds]\ncalls_per_request_min = 3\n",
    );
    assert_eq!(finding_of(&a, "G010").len(), 1);
}

#[test]
fn non_atomic_multi_write_is_one_finding_per_operation_at_its_first_step() {
    let yaml = single(two_writes(""));
    let first_step = yaml.lines().position(|l| l.contains("id: w1")).unwrap() + 1;
    let a = run(&yaml);
    let found = finding_of(&a, "G011");
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f.interaction.as_deref(), Some("w1"));
    assert!(
        f.message.contains("`w1` (to `b`)") && f.message.contains("`w2` (to `c`)"),
        "{}",
        f.message
    );
    let members: Vec<&str> = f
        .affected
        .iter()
        .filter_map(|m| m.interaction.as_deref())
        .collect();
    assert_eq!(members, ["w1", "w2"]);
    assert_eq!(
        f.location.as_ref().map(|l| l.line as usize),
        Some(first_step)
    );
    // A transaction silences it too; an outbox does not make two calls atomic.
    assert!(!codes(&single(two_writes(", atomicity: transaction"))).contains("G011"));
    assert!(codes(&single(two_writes(", atomicity: outbox"))).contains("G011"));
    // A write at a callee and the caller's own store are two writes; a read is none.
    let with_store = call(
        "w1",
        "a",
        "b",
        STRONG,
        ", operation: { name: register, writes: true, local_write: true }",
        &uses(SYNC_OK, &[]),
    );
    let a = run(&single(with_store));
    let found = finding_of(&a, "G011");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("`a`'s own store"),
        "{}",
        found[0].message
    );
    let read = call(
        "w1",
        "a",
        "b",
        STRONG,
        ", operation: { name: register, local_write: true }",
        &uses(SYNC_OK, &[]),
    );
    assert!(!codes(&single(read)).contains("G011"));
    // The same name on two callers is two operations.
    let apart = two_writes("").replacen("from: a, to: c", "from: d, to: c", 1);
    assert!(!codes(&single(apart)).contains("G011"));
}

#[test]
fn dual_write_names_the_publish_and_is_silenced_by_an_outbox_or_a_transaction() {
    let a = run(&single(saved_then_sent("")));
    let found = finding_of(&a, "G012");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("`sent` (on `jobs`)")
            && found[0].message.contains("`a`'s own store"),
        "{}",
        found[0].message
    );
    assert!(!codes(&single(saved_then_sent(", atomicity: transaction"))).contains("G012"));
    // A saga compensates writes; it does not make a publish atomic with the store.
    assert!(codes(&single(saved_then_sent(", atomicity: saga"))).contains("G012"));
    // A publish with no write beside it is a plain message.
    let only_sent = call(
        "sent",
        "a",
        "b",
        ORDERED,
        ", operation: { name: request-quote }",
        &uses(QUEUE_OK, &[]),
    );
    assert!(!codes(&single(only_sent)).contains("G012"));
    // A remote write and a publish in one operation: the steps are named and grouped.
    let remote = call(
        "w",
        "a",
        "c",
        STRONG,
        ", operation: { name: request-quote, writes: true }",
        &uses(SYNC_OK, &[]),
    ) + &call(
        "sent",
        "a",
        "b",
        ORDERED,
        ", operation: { name: request-quote }",
        &uses(QUEUE_OK, &[]),
    );
    let a = run(&single(remote));
    let found = finding_of(&a, "G012");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].affected.len(), 2);
    assert!(
        found[0].message.contains("`w` (to `c`)"),
        "{}",
        found[0].message
    );
}

#[test]
fn a_breaker_over_a_call_without_a_timeout_is_said_in_the_one_missing_timeout() {
    let a = run(&single(sync_call("x", "a", "b", &[("timeout_ms", "")])));
    let on_x: Vec<&Finding> = active(&a)
        .into_iter()
        .filter(|f| f.interaction.as_deref() == Some("x"))
        .collect();
    let s001: Vec<&&Finding> = on_x.iter().filter(|f| f.code == "S001").collect();
    assert_eq!(s001.len(), 1);
    assert!(
        s001[0].message.contains("never opens on a hang"),
        "{}",
        s001[0].message
    );
    assert!(s001[0].help.as_deref().unwrap().contains("only a timeout"));
    // No breaker: the plain S001.
    let a = run(&single(sync_call(
        "x",
        "a",
        "b",
        &[("timeout_ms", ""), ("circuit_breaker", "")],
    )));
    let plain = finding_of(&a, "S001");
    assert_eq!(plain.len(), 1);
    assert!(
        !plain[0].message.contains("breaker"),
        "{}",
        plain[0].message
    );
}

/// R002 leaves a service's own stores alone (its cache and its database, called over a
/// datastore protocol by no one else) but still asks the calls beside them to be isolated.
#[test]
fn bulkheads_are_asked_for_dependencies_not_for_a_services_own_stores() {
    let system = |extra_call: &str| {
        format!(
            "version: 1\nsystem: t\nservices:\n  rate: {{}}\n  cache: {{ kind: external }}\n  db: {{ kind: external }}\n  provider: {{ kind: external }}\n  other: {{}}\ninteractions:\n  - {{ id: rate-cache, from: rate, to: cache, idempotent: true, needs: {{ realtime: true, consistency: eventual, can_wait: false }}, uses: {{ pattern: sync, protocol: memcached, timeout_ms: 100 }} }}\n  - {{ id: rate-db, from: rate, to: db, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, protocol: mongodb, timeout_ms: 500 }} }}\n{extra_call}"
        )
    };
    let r002 = |yaml: &str| -> Vec<String> {
        run(yaml)
            .findings
            .iter()
            .filter(|f| f.code == "R002")
            .map(|f| f.message.clone())
            .collect()
    };
    // A cache in front of the service's own database: nothing to isolate.
    assert!(r002(&system("")).is_empty());
    // A provider beside them is a dependency: only its call is listed.
    let with_provider = r002(&system("  - { id: rate-provider, from: rate, to: provider, idempotent: true, needs: { realtime: true, consistency: strong }, uses: { pattern: sync, protocol: rest, timeout_ms: 800 } }\n"));
    assert_eq!(with_provider.len(), 1, "{with_provider:?}");
    assert!(
        with_provider[0].contains("1 of its calls has no bulkhead (rate-provider)"),
        "{with_provider:?}"
    );
    // A database another service also calls is shared, not the service's own.
    let shared = r002(&system("  - { id: other-db, from: other, to: db, idempotent: true, needs: { realtime: true, consistency: strong }, uses: { pattern: sync, protocol: mongodb, timeout_ms: 500 } }\n"));
    assert_eq!(shared.len(), 1, "{shared:?}");
    assert!(shared[0].contains("(rate-db)"), "{shared:?}");
}

/// The calls of `rate` to its own cache and database, and one call from `front` into it,
/// the calls declared `sync` where the flowchart reaches `sync-optimized`; `extra` adds
/// services or interactions.
fn cached_system(rate_service: &str, extra: &str) -> String {
    format!(
        "version: 1\nsystem: t\nservices:\n  front: {{ kind: gateway }}\n  rate: {rate_service}\n  cache: {{ kind: external }}\n  db: {{ kind: external }}\n  other: {{}}\ninteractions:\n  - {{ id: front-rate, from: front, to: rate, idempotent: true, needs: {{ realtime: true, consistency: eventual, can_wait: true }}, uses: {{ pattern: sync, protocol: grpc, timeout_ms: 500 }} }}\n  - {{ id: rate-db, from: rate, to: db, idempotent: true, needs: {{ realtime: true, consistency: eventual, can_wait: true }}, uses: {{ pattern: sync, protocol: mongodb, timeout_ms: 300 }} }}\n{extra}"
    )
}

const RATE_CACHE: &str = "  - { id: rate-cache, from: rate, to: cache, idempotent: true, needs: { realtime: true, consistency: eventual, can_wait: true }, uses: { pattern: sync, protocol: memcached, timeout_ms: 100 } }\n";

fn on_codes(a: &Analysis, code: &str) -> BTreeSet<String> {
    active(a)
        .into_iter()
        .filter(|f| f.code == code)
        .flat_map(|f| {
            let mut ids: Vec<String> = f
                .affected
                .iter()
                .filter_map(|m| m.interaction.clone())
                .collect();
            ids.extend(f.interaction.clone());
            ids
        })
        .collect()
}

/// D001 does not ask for caching where it stands: the call to a cache store, calls into a
/// service that keeps a cache or declares one, and the service's own database, where the
/// data lives (the caching is asked on the calls into the service).
#[test]
fn sync_optimized_is_not_asked_where_the_caching_stands() {
    // No cache anywhere: the call into `rate` is asked to become sync-optimized; `rate`'s
    // call to its own database is not (the data lives there).
    let bare = on_codes(&run(&cached_system("{}", "")), "D001");
    assert_eq!(bare, ["front-rate"].map(String::from).into(), "{bare:?}");
    // `rate` keeps memcached in front of its database: none of the three is asked.
    let aside = on_codes(&run(&cached_system("{}", RATE_CACHE)), "D001");
    assert!(aside.is_empty(), "{aside:?}");
    // `rate` declares a cache it answers from: its callers are not asked.
    let declared = on_codes(
        &run(&cached_system("{ cache: { ttl_ms: 60000 } }", "")),
        "D001",
    );
    assert!(declared.is_empty(), "{declared:?}");
    // A cache store another service also talks to is not `rate`'s own, and `rate` still
    // reads its database uncached on the other path: its callers are asked again.
    let shared_cache = format!(
        "{RATE_CACHE}  - {{ id: other-cache, from: other, to: cache, idempotent: true, needs: {{ realtime: true, consistency: eventual, can_wait: true }}, uses: {{ pattern: sync, protocol: memcached, timeout_ms: 100 }} }}\n"
    );
    let shared = on_codes(&run(&cached_system("{}", &shared_cache)), "D001");
    assert_eq!(
        shared,
        ["front-rate"].map(String::from).into(),
        "{shared:?}"
    );
    // The same database read over a shared store (another service calls it too) is a
    // dependency between services, and is asked.
    let shared_db = "  - { id: other-db, from: other, to: db, idempotent: true, needs: { realtime: true, consistency: strong }, uses: { pattern: sync, protocol: mongodb, timeout_ms: 300 } }\n";
    let shared = on_codes(&run(&cached_system("{}", shared_db)), "D001");
    assert_eq!(
        shared,
        ["front-rate", "rate-db"].map(String::from).into(),
        "{shared:?}"
    );
}

/// A queue where the flowchart reaches a stream (no order to keep) is one service's own
/// queue, which is what the answers ask for: not reported. The same queue declared for
/// several consumer services is: they compete, and each message reaches one of them.
/// A WebSocket the callee pushes on is not a read to cache, and a call G010 reports is
/// left to G010.
#[test]
fn a_queue_for_unordered_work_is_asked_only_when_services_share_it() {
    let q = |id: &str, to: &str, channel: &str| {
        call(
            id,
            "a",
            to,
            UNORDERED,
            "",
            &uses(QUEUE_OK, &[("channel", channel)]),
        )
    };
    let own = single(q("to-b", "b", "b-events") + &q("to-c", "c", "c-events"));
    assert!(on_codes(&run(&own), "D001").is_empty());
    // Two interactions of one consumer on its queue are still its own queue.
    let one_reader = single(q("to-b", "b", "b-events") + &q("again-b", "b", "b-events"));
    assert!(on_codes(&run(&one_reader), "D001").is_empty());
    let shared = single(q("to-b", "b", "events") + &q("to-c", "c", "events"));
    let a = run(&shared);
    let found = finding_of(&a, "D001");
    assert_eq!(found.len(), 1, "one cause, grouped: {found:#?}");
    let members: Vec<&str> = found[0]
        .affected
        .iter()
        .filter_map(|m| m.interaction.as_deref())
        .collect();
    assert_eq!(members, ["to-b", "to-c"]);
    assert!(
        found[0].affected[0]
            .message
            .contains("the queue `events` is also read by `c`: consumers of one queue compete"),
        "{:#?}",
        found[0]
    );
    let socket = call(
        "hub",
        "gw",
        "b",
        CACHED,
        "",
        &uses(SYNC_OK, &[("protocol", "websocket")]),
    );
    assert!(on_codes(&run(&single(socket.clone())), "D001").is_empty());
    let read = socket.replace("websocket", "grpc");
    assert_eq!(
        on_codes(&run(&single(read.clone())), "D001"),
        ["hub"].map(String::from).into()
    );
    // Made once per item with no batch: G010 gives node M's fix (batch, or cache in the
    // caller) with its reason, and D001 does not repeat it.
    let per_item = read.replace(", needs:", ", traffic: { per_item: true }, needs:");
    let a = run(&single(per_item));
    assert!(on_codes(&a, "D001").is_empty());
    assert_eq!(on_codes(&a, "G010"), ["hub"].map(String::from).into());
}

/// A service that only combines answers from cached services (`mid` calls `rate`, which
/// declares a cache) adds no uncached work: the call into it is not asked for caching.
/// One uncached call of `mid` (to a service without a cache) and it is asked again.
#[test]
fn sync_optimized_is_not_asked_where_every_call_behind_the_callee_is_cached() {
    let system = |extra: &str| {
        format!(
            "version: 1\nsystem: t\nservices:\n  front: {{ kind: gateway }}\n  mid: {{}}\n  rate: {{ cache: {{}} }}\n  plain: {{}}\ninteractions:\n  - {{ id: front-mid, from: front, to: mid, idempotent: true, needs: {{ realtime: true, consistency: eventual, can_wait: true }}, uses: {{ pattern: sync, protocol: grpc, timeout_ms: 500 }} }}\n  - {{ id: mid-rate, from: mid, to: rate, idempotent: true, needs: {{ realtime: true, consistency: eventual, can_wait: true }}, uses: {{ pattern: sync, protocol: grpc, timeout_ms: 300 }} }}\n{extra}"
        )
    };
    let cached = on_codes(&run(&system("")), "D001");
    assert!(cached.is_empty(), "{cached:?}");
    let uncached = on_codes(&run(&system("  - { id: mid-plain, from: mid, to: plain, idempotent: true, needs: { realtime: true, consistency: eventual, can_wait: true }, uses: { pattern: sync, protocol: grpc, timeout_ms: 300 } }\n")), "D001");
    assert_eq!(
        uncached,
        ["front-mid", "mid-plain"].map(String::from).into(),
        "{uncached:?}"
    );
}

/// A job's call (`runs_in: job`) is not asked for the caching of sync-optimized, for a
/// connection pool or for a circuit breaker; the same call made while serving a request is
/// asked for all three.
#[test]
fn a_jobs_call_is_not_asked_for_caching_pooling_or_a_breaker() {
    let system = |runs_in: &str| {
        format!(
            "version: 1\nsystem: t\nservices:\n  worker: {{}}\n  accounts: {{}}\ninteractions:\n  - {{ id: worker-accounts, from: worker, to: accounts, idempotent: true, {runs_in}needs: {{ realtime: true, consistency: eventual, can_wait: true }}, uses: {{ pattern: sync, protocol: rest, timeout_ms: 1000 }} }}\n"
        )
    };
    let request = run(&system(""));
    for code in ["D001", "S003", "S004"] {
        assert_eq!(
            on_codes(&request, code),
            ["worker-accounts"].map(String::from).into(),
            "{code}"
        );
    }
    let job = run(&system("runs_in: job, "));
    for code in ["D001", "S003", "S004"] {
        assert!(on_codes(&job, code).is_empty(), "{code}");
    }
}

/// R002 is not asked of a service called through one interaction whose calls are all
/// steps of one operation: every request needs each dependency. A second way in, a step
/// of another operation, or a step with a fallback, and it is asked again.
#[test]
fn bulkheads_are_not_asked_where_every_request_needs_every_dependency() {
    let system = |second_op: &str, fallback: &str, extra: &str| {
        format!(
            "version: 1\nsystem: t\nservices:\n  front: {{ kind: gateway }}\n  search: {{}}\n  geo: {{}}\n  rate: {{}}\ninteractions:\n  - {{ id: front-search, from: front, to: search, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, protocol: grpc, timeout_ms: 900 }} }}\n  - {{ id: search-geo, from: search, to: geo, idempotent: true, operation: {{ name: nearby }}, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, protocol: grpc, timeout_ms: 300 }} }}\n  - {{ id: search-rate, from: search, to: rate, idempotent: true, operation: {{ name: {second_op} }}, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, protocol: grpc, timeout_ms: 300{fallback} }} }}\n{extra}"
        )
    };
    let r002 = |yaml: &str| -> Vec<String> {
        active(&run(yaml))
            .into_iter()
            .filter(|f| f.code == "R002" && f.service.as_deref() == Some("search"))
            .map(|f| f.message.clone())
            .collect()
    };
    assert!(r002(&system("nearby", "", "")).is_empty());
    let asked = |messages: Vec<String>| {
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].contains("(search-geo, search-rate)"),
            "{messages:?}"
        );
    };
    asked(r002(&system("rates", "", "")));
    asked(r002(&system("nearby", ", fallback: empty", "")));
    let second_way_in = "  - { id: front-search-2, from: front, to: search, idempotent: true, needs: { realtime: true, consistency: strong }, uses: { pattern: sync, protocol: grpc, timeout_ms: 900 } }\n";
    asked(r002(&system("nearby", "", second_way_in)));
}

/// A bulkhead around a call that every request needs protects no other work: `gw` routes
/// to `a` and `b`, which both check each request's token with `auth`, which `gw` also
/// routes to. R002 still asks `gw` to isolate `a` from `b`, but not `auth`, and never asks
/// for a pool around `a`'s own token check; without `every_request` it asks for all.
#[test]
fn bulkheads_are_not_asked_around_a_call_every_request_needs() {
    let system = |every: &str| {
        let call = |id: &str, from: &str, to: &str, traffic: &str| {
            format!("  - {{ id: {id}, from: {from}, to: {to}, idempotent: true, {traffic}needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, protocol: rest, timeout_ms: 500 }} }}\n")
        };
        format!(
            "version: 1\nsystem: t\nservices:\n  gw: {{ kind: gateway }}\n  auth: {{}}\n  a: {{}}\n  b: {{}}\n  c: {{}}\ninteractions:\n{}{}{}{}{}{}",
            call("gw-auth", "gw", "auth", ""),
            call("gw-a", "gw", "a", ""),
            call("gw-b", "gw", "b", ""),
            call("a-auth", "a", "auth", every),
            call("a-c", "a", "c", ""),
            call("b-auth", "b", "auth", every),
        )
    };
    let r002 = |yaml: &str, service: &str| -> Vec<String> {
        active(&run(yaml))
            .into_iter()
            .filter(|f| f.code == "R002" && f.service.as_deref() == Some(service))
            .map(|f| f.message.clone())
            .collect()
    };
    let every = system("traffic: { every_request: true }, ");
    let gw = r002(&every, "gw");
    assert_eq!(gw.len(), 1, "{gw:?}");
    assert!(gw[0].contains("(gw-a, gw-b)"), "{gw:?}");
    // `a` is asked for a pool around its call to `c` only.
    let a = r002(&every, "a");
    assert_eq!(a.len(), 1, "{a:?}");
    assert!(a[0].contains("(a-c)"), "{a:?}");
    let plain = system("");
    let gw = r002(&plain, "gw");
    assert!(gw[0].contains("(gw-a, gw-auth, gw-b)"), "{gw:?}");
    let a = r002(&plain, "a");
    assert!(a[0].contains("(a-auth, a-c)"), "{a:?}");
}

/// S004 is not asked of a service's own store, and S001 not of a client's own call; both
/// are still asked of the calls between services.
#[test]
fn breakers_and_timeouts_are_asked_between_services_only() {
    let yaml = format!(
        "{}  - {{ id: web-front, from: web, to: front, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, protocol: rest }} }}\n",
        cached_system("{}", RATE_CACHE).replace("services:\n", "services:\n  web: { kind: client }\n")
    );
    let a = run(&yaml);
    let s004 = on_codes(&a, "S004");
    assert_eq!(s004, ["front-rate"].map(String::from).into(), "{s004:?}");
    let s001 = on_codes(&a, "S001");
    assert!(s001.is_empty(), "{s001:?}");
    // The same call made by a gateway is asked for its timeout.
    let gateway = run(&yaml.replace("web: { kind: client }", "web: { kind: gateway }"));
    assert_eq!(
        on_codes(&gateway, "S001"),
        ["web-front"].map(String::from).into()
    );
}

/// `gw` waits 1 s on `a`, whose call to `b` has no timeout: G007 names the chain. Made by a
/// job of `a` (`runs_in: job`), that call is on no request's path: G007 is silent, and the
/// call's own missing timeout is S001, lowered to a warning.
#[test]
fn a_jobs_call_continues_no_request_chain() {
    let system = |runs_in: &str| {
        format!(
            "version: 1\nsystem: t\nservices:\n  gw: {{ kind: gateway }}\n  a: {{}}\n  b: {{}}\ninteractions:\n  - {{ id: gw-a, from: gw, to: a, idempotent: true, needs: {{ realtime: true, consistency: eventual, can_wait: false }}, uses: {{ pattern: sync, protocol: rest, timeout_ms: 1000 }} }}\n  - {{ id: a-b, from: a, to: b, idempotent: true, {runs_in}needs: {{ realtime: true, consistency: eventual, can_wait: false }}, uses: {{ pattern: sync, protocol: rest }} }}\n"
        )
    };
    let request = run(&system(""));
    assert!(!finding_of(&request, "G007").is_empty());
    let job = run(&system("runs_in: job, "));
    assert!(finding_of(&job, "G007").is_empty());
    let s001 = finding_of(&job, "S001");
    assert_eq!(s001.len(), 1);
    assert_eq!(s001[0].severity, commsplan::finding::Severity::Warning);
    let impact = s001[0].impact.as_ref().unwrap();
    assert!(impact.lowered);
    assert!(
        impact.reasons.iter().any(|r| r.contains("runs_in: job")),
        "{impact:?}"
    );
}

/// R001 asks a public entry point for a rate limit, not one only the organisation's staff
/// reach (`exposure: internal`), whether the entry is a client or a gateway nothing calls.
#[test]
fn rate_limits_are_asked_at_public_entry_points_only() {
    let system = |web: &str, gateway: &str| {
        format!(
            "version: 1\nsystem: t\nservices:\n  web: {{ kind: client{web} }}\n  edge: {{ kind: gateway{gateway} }}\n  api: {{}}\n  orders: {{}}\ninteractions:\n  - {{ id: web-api, from: web, to: api, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, protocol: rest, timeout_ms: 900 }} }}\n  - {{ id: edge-orders, from: edge, to: orders, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, protocol: rest, timeout_ms: 900 }} }}\n"
        )
    };
    let asked = on_codes(&run(&system("", "")), "R001");
    assert_eq!(asked, ["edge-orders", "web-api"].map(String::from).into());
    let internal = ", exposure: internal";
    let staff_web = on_codes(&run(&system(internal, "")), "R001");
    assert_eq!(staff_web, ["edge-orders"].map(String::from).into());
    let staff_both = on_codes(&run(&system(internal, internal)), "R001");
    assert!(staff_both.is_empty(), "{staff_both:?}");
    let public = on_codes(&run(&system(", exposure: public", "")), "R001");
    assert_eq!(public, asked);
}

/// A service that loads its data in a job of its own from another service (`recs` reads
/// `orders` at start-up) keeps a copy: a strong read of it is G008, naming the job and
/// the owner; and a read the flowchart sends to `cqrs` is not asked to become one, since
/// the copy is the read model. Without the job, `recs` owns its data: neither is said.
#[test]
fn a_copy_loaded_by_a_job_is_a_read_model() {
    let system = |runs_in: &str| {
        format!(
            "version: 1\nsystem: t\nservices:\n  web: {{ kind: gateway }}\n  recs: {{}}\n  orders: {{}}\n  checkout: {{}}\ninteractions:\n  - {{ id: load, from: recs, to: orders, idempotent: true, {runs_in}needs: {{ realtime: true, consistency: eventual, can_wait: true }}, uses: {{ pattern: sync, protocol: rest, timeout_ms: 5000 }} }}\n  - {{ id: show, from: web, to: recs, idempotent: true, needs: {{ realtime: true, consistency: eventual, can_wait: false }}, uses: {{ pattern: sync, protocol: rest, timeout_ms: 500 }} }}\n  - {{ id: decide, from: checkout, to: recs, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, protocol: rest, timeout_ms: 500 }} }}\n"
        )
    };
    let job = run(&system("runs_in: job, "));
    let g008 = finding_of(&job, "G008");
    assert_eq!(g008.len(), 1, "{g008:?}");
    assert_eq!(g008[0].interaction.as_deref(), Some("decide"));
    assert!(
        g008[0]
            .message
            .contains("a copy it loads in a job (`load`, reading `orders`)"),
        "{}",
        g008[0].message
    );
    assert!(g008[0].help.as_deref().unwrap().contains("`orders`"));
    assert!(on_codes(&job, "D001").is_empty());
    let request = run(&system(""));
    assert!(finding_of(&request, "G008").is_empty());
    // (`load`, now a request's read, is asked for the caching of sync-optimized.)
    assert_eq!(
        on_codes(&request, "D001"),
        ["load", "show"].map(String::from).into()
    );
}

fn severity_of(yaml: &str, code: &str) -> Vec<Severity> {
    finding_of(&run(yaml), code)
        .iter()
        .map(|f| f.severity)
        .collect()
}

/// A001 is an error where a failing message is acknowledged and lost, a warning where it
/// comes back or the file does not say when the consumer acknowledges.
#[test]
fn a_lost_message_is_an_error_one_that_comes_back_a_warning() {
    let queue = |ack: &str| {
        single(call(
            "x",
            "a",
            "b",
            ORDERED,
            "",
            &uses(
                QUEUE_OK,
                &[("dead_letter", ""), ("fifo", "true"), ("ack", ack)],
            ),
        ))
    };
    assert_eq!(
        severity_of(&queue("before-processing"), "A001"),
        [Severity::Error]
    );
    assert_eq!(
        severity_of(&queue("after-attempt"), "A001"),
        [Severity::Error]
    );
    assert_eq!(
        severity_of(&queue("after-processing"), "A001"),
        [Severity::Warning]
    );
    assert_eq!(severity_of(&queue(""), "A001"), [Severity::Warning]);
    let a = run(&queue("after-attempt"));
    let message = &finding_of(&a, "A001")[0].message;
    assert!(
        message.contains("`ack: after-attempt`") && message.contains("is lost"),
        "{message}"
    );
    // Acknowledged after running, a consumer that dies first still gets a copy: it is
    // asked for idempotency, as one acknowledging after processing is.
    let consumer = |ack: &str| {
        single(format!("  - {{ id: x, from: a, to: b, idempotent: false, needs: {UNORDERED}, uses: {{ pattern: queue, protocol: amqp, dead_letter: {{ after_attempts: 3 }}, ttl_ms: 1000, max_queue_length: 1000, consumers: {{ max: 2 }}, metrics: true, ack: {ack} }} }}\n"))
    };
    assert_eq!(
        severity_of(&consumer("after-attempt"), "A007"),
        [Severity::Error]
    );
    assert!(severity_of(&consumer("before-processing"), "A007").is_empty());
}

/// A007 is an error where the consumer is declared to repeat its effect, a warning where
/// idempotency is not stated.
#[test]
fn a_redelivery_declared_to_repeat_its_effect_is_an_error() {
    let consumer = |idempotent: &str| {
        single(format!("  - {{ id: x, from: a, to: b{idempotent}, needs: {UNORDERED}, uses: {{ pattern: stream, protocol: kafka, dead_letter: {{ after_attempts: 3 }}, ttl_ms: 1000, consumers: {{ max: 2 }}, metrics: true }} }}\n"))
    };
    assert_eq!(
        severity_of(&consumer(", idempotent: false"), "A007"),
        [Severity::Error]
    );
    assert_eq!(severity_of(&consumer(""), "A007"), [Severity::Warning]);
    assert!(severity_of(&consumer(", idempotent: true"), "A007").is_empty());
}

/// A008 is an error on a log (its partitions drift apart by their lag, and replays read
/// the disorder again), a warning on a queue with competing consumers.
#[test]
fn disorder_on_a_log_is_an_error_on_a_queue_a_warning() {
    let log = single(call(
        "x",
        "a",
        "b",
        ORDERED,
        "",
        &uses(STREAM_OK, &[("partition_key", "")]),
    ));
    let queue = single(call("x", "a", "b", ORDERED, "", &uses(QUEUE_OK, &[])));
    assert_eq!(severity_of(&log, "A008"), [Severity::Error]);
    assert_eq!(severity_of(&queue, "A008"), [Severity::Warning]);
}

/// G009 is an error where the file shows the made-up answer written back, a warning where
/// it shows only the read.
#[test]
fn a_fallback_answer_written_back_is_an_error_one_only_served_a_warning() {
    let read = |fallback: &str, write_to: &str| {
        single(
            call(
                "read",
                "a",
                "b",
                STRONG,
                ", operation: { name: edit }",
                &uses(SYNC_OK, &[("fallback", fallback)]),
            ) + &call(
                "save",
                "a",
                write_to,
                STRONG,
                ", operation: { name: edit, writes: true }",
                &uses(SYNC_OK, &[]),
            ),
        )
    };
    assert_eq!(
        severity_of(&read("default", "b"), "G009"),
        [Severity::Error]
    );
    assert_eq!(severity_of(&read("empty", "b"), "G009"), [Severity::Error]);
    assert_eq!(
        severity_of(&read("default", "c"), "G009"),
        [Severity::Warning]
    );
    assert_eq!(
        severity_of(&read("stale", "c"), "G009"),
        [Severity::Warning]
    );
}

/// R001 is a warning where the traffic enters a service with an SLO or one that calls
/// one synchronously, an info where the file declares no objective behind the entry.
#[test]
fn a_missing_rate_limit_is_a_warning_in_front_of_an_slo() {
    let services = |slo_at: &str| {
        let mut s = String::from(
            "\nservices:\n  web: { kind: client }\n  gw: { kind: gateway }\n  a: {}\n  b: {}\n",
        );
        s = s.replace(
            &format!("  {slo_at}: {{}}\n"),
            &format!("  {slo_at}: {{ slo: {{ availability: 99.9 }} }}\n"),
        );
        s.replace(
            &format!("  {slo_at}: {{ kind: gateway }}\n"),
            &format!("  {slo_at}: {{ kind: gateway, slo: {{ availability: 99.9 }} }}\n"),
        )
    };
    let system = |slo_at: &str| {
        doc(
            &services(slo_at),
            &(sync_call("enter", "web", "gw", &[]) + &sync_call("route", "gw", "a", &[])),
        )
    };
    let r001 = |slo_at: &str| {
        let a = run(&system(slo_at));
        finding_of(&a, "R001")
            .iter()
            .map(|f| (f.severity, f.message.clone()))
            .collect::<Vec<_>>()
    };
    let at_gateway = r001("gw");
    assert_eq!(at_gateway.len(), 1);
    assert_eq!(at_gateway[0].0, Severity::Warning);
    assert!(
        at_gateway[0].1.contains("spends the SLO of `gw`"),
        "{}",
        at_gateway[0].1
    );
    let behind = r001("a");
    assert_eq!(behind[0].0, Severity::Warning);
    assert!(
        behind[0].1.contains("spends the SLO of `a`"),
        "{}",
        behind[0].1
    );
    // `b` is called by nobody: its SLO is not behind the entry.
    let none = r001("b");
    assert_eq!(none[0].0, Severity::Info);
    assert!(
        none[0].1.contains("no SLO is declared there"),
        "{}",
        none[0].1
    );
    // A severity set in commsplan.toml still wins over the rule's own.
    let configured = run_with_toml(&system("b"), "[severity]\nR001 = \"error\"\n");
    assert_eq!(finding_of(&configured, "R001")[0].severity, Severity::Error);
}

/// G013: an outbox published once after the commit, with no relay on any step of its
/// operation, is reported per publishing step and grouped per caller; an outbox that does
/// not say how it is published, or one with a relay behind the quick path, is not.
#[test]
fn an_outbox_published_once_after_the_commit_is_reported_once_per_caller() {
    let step = |id: &str, op: &str, to: &str, relay: &str| {
        call(
            id,
            "a",
            to,
            ORDERED,
            &format!(", operation: {{ name: {op}, local_write: true, atomicity: outbox{relay} }}"),
            &uses(QUEUE_OK, &[("fifo", "true"), ("channel", id)]),
        )
    };
    let once = ", relay: after-commit";
    let a = run(&single(
        step("placed", "place", "b", once) + &step("paid", "pay", "c", once),
    ));
    let found = finding_of(&a, "G013");
    assert_eq!(found.len(), 1, "one per caller's outbox: {found:#?}");
    assert_eq!(found[0].affected.len(), 2);
    assert!(
        found[0].message.contains("the outbox of `a`"),
        "{}",
        found[0].message
    );
    let alone = run(&single(step("placed", "place", "b", once)));
    let message = &finding_of(&alone, "G013")[0].message;
    assert!(
        message.contains("publishes it only once, right after the commit (`relay: after-commit`)")
            && message.contains("`b` never learns"),
        "{message}"
    );
    // Unsaid, an outbox is taken to have its relay.
    assert!(!codes(&single(step("placed", "place", "b", ""))).contains("G013"));
    // The quick path after the commit with a relay behind it, said on another step.
    let relayed = step("placed", "place", "b", once)
        + &step("placed-2", "place", "c", ", relay: log-tailing");
    assert!(!codes(&single(relayed)).contains("G013"));
    // Without an outbox the problem is G012's, not a relay's.
    let no_outbox = call(
        "placed",
        "a",
        "b",
        ORDERED,
        ", operation: { name: place, local_write: true, relay: after-commit }",
        &uses(QUEUE_OK, &[("fifo", "true")]),
    );
    let codes = codes(&single(no_outbox));
    assert!(
        codes.contains("G012") && !codes.contains("G013"),
        "{codes:?}"
    );
}

/// G014: a copy of another service's data that the callee takes as given is reported
/// where the decision needs the current value, or where a client kept it unsigned; the
/// message says which of the two, and the owner and the keeper are related locations.
#[test]
fn a_decision_on_a_carried_copy_names_the_owner_and_the_keeper() {
    let system = |needs: &str, copy: &str| {
        single(call(
            "x",
            "a",
            "b",
            needs,
            &format!(", copy: {copy}"),
            &uses(SYNC_OK, &[]),
        ))
    };
    let a = run(&system(CACHED, "{ of: c, kept_by: web, what: prices }"));
    let found = finding_of(&a, "G014");
    assert_eq!(found.len(), 1);
    let f = found[0];
    assert!(
        f.message.contains("a copy of `c`'s prices, kept by `web`")
            && f.message.contains("a client sends what it likes")
            && !f.message.contains("consistency: strong"),
        "{}",
        f.message
    );
    let related: Vec<&str> = f.related.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(related, ["`c` owns the prices", "`web` keeps the copy"]);
    // At the `copy` key of the interaction's line (the 15th of the file).
    let line = call(
        "x",
        "a",
        "b",
        CACHED,
        ", copy: { of: c, kept_by: web, what: prices }",
        &uses(SYNC_OK, &[]),
    );
    let column = u32::try_from(line.find("copy:").unwrap() + 1).unwrap();
    assert_eq!(
        f.location.as_ref().map(|l| (l.line, l.column)),
        Some((15, column))
    );
    // Signed, a client's copy is old at worst: reported only where the value must be current.
    assert!(finding_of(
        &run(&system(CACHED, "{ of: c, kept_by: web, signed: true }")),
        "G014"
    )
    .is_empty());
    let a = run(&system(STRONG, "{ of: c, kept_by: web, signed: true }"));
    let message = &finding_of(&a, "G014")[0].message;
    assert!(
        message.contains("needs the current value (`consistency: strong`)")
            && !message.contains("a client sends"),
        "{message}"
    );
    // Kept by another service, an eventual decision may take an old copy.
    assert!(finding_of(&run(&system(CACHED, "{ of: c, kept_by: d }")), "G014").is_empty());
    // The services a copy names must exist, as `from` and `to` must.
    let a = run(&system(STRONG, "{ of: cc, kept_by: wbe }"));
    assert!(
        finding_of(&a, "G014").is_empty(),
        "an owner that is not a service is M007's"
    );
    let unknown: Vec<&str> = finding_of(&a, "M007")
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        unknown,
        [
            "`copy.of` names `cc`, which is not a service",
            "`copy.kept_by` names `wbe`, which is not a service"
        ]
    );
}

/// G017: a signed copy sent back to its signer is one info finding at `copy`, which says
/// when it happens on every request, and G014 leaves it to G017; a client asking the
/// signer, an unsigned copy of the callee's own data, or a signed copy of a third
/// service's, is not G017's.
#[test]
fn a_signature_sent_back_to_its_signer_is_reported_once() {
    let check = |traffic: &str, signed: &str| {
        single(call(
            "is-logged-in",
            "a",
            "b",
            STRONG,
            &format!("{traffic}, copy: {{ of: b, kept_by: web{signed}, what: session blob }}"),
            &uses(SYNC_OK, &[]),
        ))
    };
    let a = run(&check(
        ", traffic: { every_request: true }",
        ", signed: true",
    ));
    let found = finding_of(&a, "G017");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, Severity::Info);
    assert_eq!(
        found[0].message,
        "`is-logged-in` (`a → b`) asks `b` to check the signature of a session blob `b` signed itself, for every request `a` serves: `b` takes the copy as given (it reads nothing of its own), so the remote check tells nothing that checking the signature at `a` would not, and costs a round trip and a dependency on `b` each time"
    );
    assert!(finding_of(&a, "G014").is_empty());
    let a = run(&check("", ", signed: true"));
    assert!(!finding_of(&a, "G017")[0].message.contains("every request"));
    // A client asking the signer: the check cannot be the client's own.
    let from_client = single(call(
        "whoami",
        "web",
        "b",
        STRONG,
        ", copy: { of: b, kept_by: web, signed: true, what: session blob }",
        &uses(SYNC_OK, &[]),
    ));
    assert!(finding_of(&run(&from_client), "G017").is_empty());
    // Unsigned: the keeper may have changed it, which is G014's (a client kept it).
    let a = run(&check("", ""));
    assert!(finding_of(&a, "G017").is_empty());
    assert_eq!(finding_of(&a, "G014").len(), 1);
}

/// G018: a key recorded before the work, or also when it fails, is an error at
/// `recorded` on a consumer and on a synchronous API alike; recorded with the work's
/// commit it is not reported, nor is a key that does not say when it is recorded.
#[test]
fn an_idempotency_key_recorded_when_the_work_fails_is_an_error() {
    let consumer = |recorded: &str| {
        single(call(
            "x",
            "a",
            "b",
            UNORDERED,
            "",
            &uses(
                QUEUE_OK,
                &[
                    ("pattern", "stream"),
                    ("idempotency", &format!("{{ key: event_id{recorded} }}")),
                ],
            ),
        ))
    };
    let a = run(&consumer(", recorded: before-processing"));
    let found = finding_of(&a, "G018");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, Severity::Error);
    assert_eq!(
        found[0].message,
        "`x` (`a → b`): `b` records the key `event_id` as handled before the work, in a commit of its own: a failure or a crash between the two leaves the key recorded and the work undone, so every redelivery or retry of it is taken for a duplicate and skipped, and the work is never done"
    );
    assert!(finding_of(&run(&consumer(", recorded: after-processing")), "G018").is_empty());
    assert!(finding_of(&run(&consumer("")), "G018").is_empty());
    // A payment API that stores the key on receipt: the client's retry after a failure is
    // answered as done.
    let api = single(call(
        "pay",
        "a",
        "b",
        STRONG,
        "",
        &uses(
            SYNC_OK,
            &[(
                "idempotency",
                "{ key: Idempotency-Key, recorded: after-attempt }",
            )],
        ),
    ));
    let a = run(&api);
    assert!(finding_of(&a, "G018")[0]
        .message
        .contains("whether the work succeeds or fails"));
}

/// A003's severity follows what the gap costs: a queue without a TTL processes stale
/// messages late (information; its growth is A002's), a TTL on messages that must not
/// expire drops them, and a log left to the broker's retention may lose its history
/// (warnings).
#[test]
fn a_missing_ttl_is_information_on_a_queue_and_a_warning_where_data_is_lost() {
    let severity = |extra: &str, over: &[(&str, &str)]| {
        let a = run(&single(call(
            "x",
            "a",
            "b",
            UNORDERED,
            extra,
            &uses(QUEUE_OK, over),
        )));
        let found = finding_of(&a, "A003");
        assert_eq!(found.len(), 1, "{found:#?}");
        found[0].severity
    };
    assert_eq!(severity("", &[("ttl_ms", "")]), Severity::Info);
    assert_eq!(severity(", expires: false", &[]), Severity::Warning);
    assert_eq!(
        severity("", &[("pattern", "stream"), ("ttl_ms", "")]),
        Severity::Warning
    );
}

/// G015: a synchronous read-modify-write in one operation is a warning naming the other
/// writers of the callee; a write that acts later on a check (a message, another
/// operation) is an error; a write based on another service's read, or guarded, is not
/// reported; a `based_on` that names no interaction is M021.
#[test]
fn a_write_decided_on_an_earlier_read_needs_a_version_lock_or_reservation() {
    let other_writer = call(
        "reprice",
        "c",
        "b",
        STRONG,
        ", operation: { name: reprice, writes: true }",
        &uses(SYNC_OK, &[]),
    );
    let a = run(&single(read_then_write("") + &other_writer));
    let found = finding_of(&a, "G015");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, Severity::Warning);
    assert!(
        found[0]
            .message
            .contains("writes back what `get` read from `b`")
            && found[0].message.contains("overwritten unseen")
            && found[0]
                .message
                .contains("`b` is also written by `reprice`"),
        "{}",
        found[0].message
    );
    assert_eq!(found[0].related.len(), 1);
    // Checked in one operation, acted on by a message of another: the window stays open.
    let check = call(
        "check",
        "a",
        "b",
        ORDERED,
        ", operation: { name: validate }",
        &uses(QUEUE_OK, &[("fifo", "true"), ("channel", "checks")]),
    );
    let act = call(
        "remove",
        "a",
        "b",
        ORDERED,
        ", operation: { name: pay, based_on: check }",
        &uses(QUEUE_OK, &[("fifo", "true"), ("channel", "removals")]),
    );
    let a = run(&single(check.clone() + &act));
    let found = finding_of(&a, "G015");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, Severity::Error);
    assert!(
        found[0]
            .message
            .contains("a check that no longer holds is acted on"),
        "{}",
        found[0].message
    );
    let reserved = act.replace(
        "based_on: check",
        "based_on: check, concurrency: reservation",
    );
    assert!(finding_of(&run(&single(check + &reserved)), "G015").is_empty());
    // One step that reads and writes back names itself.
    let own = call(
        "scan",
        "a",
        "b",
        STRONG,
        ", operation: { name: scan, writes: true, based_on: scan }",
        &uses(SYNC_OK, &[]),
    );
    let a = run(&single(own));
    assert!(finding_of(&a, "G015")[0]
        .message
        .contains("writes back what it read from `b`"));
    // Decided on another service's answer: a copy of its data (G014), not a race here.
    let elsewhere = call(
        "get",
        "a",
        "c",
        STRONG,
        ", operation: { name: edit }",
        &uses(SYNC_OK, &[]),
    ) + &call(
        "save",
        "a",
        "b",
        STRONG,
        ", operation: { name: edit, writes: true, based_on: get }",
        &uses(SYNC_OK, &[]),
    );
    assert!(finding_of(&run(&single(elsewhere)), "G015").is_empty());
    // A read that is not there.
    let typo = read_then_write("").replace("based_on: get", "based_on: gett");
    let a = run(&single(typo));
    let unknown = finding_of(&a, "M021");
    assert_eq!(unknown.len(), 1);
    assert_eq!(
        unknown[0].message,
        "`operation.based_on` names `gett`, which is not an interaction"
    );
    assert_eq!(unknown[0].help.as_deref(), Some("did you mean `get`?"));
}

/// O001 checks a convention of the files: where nothing says `metrics`, the files make no
/// claim about what the system exports, and nothing is reported; once one interaction or
/// the defaults say it, every designed interaction is asked, and `metrics: false` is said.
#[test]
fn missing_metrics_is_asked_where_the_files_have_the_convention() {
    let silent = single(
        sync_call("x", "a", "b", &[("metrics", "")])
            + &sync_call("y", "a", "c", &[("metrics", "")]),
    );
    assert!(finding_of(&run(&silent), "O001").is_empty());
    let off = single(sync_call("x", "a", "b", &[("metrics", "false")]));
    let a = run(&off);
    assert!(finding_of(&a, "O001")[0]
        .message
        .contains("turns metrics off"));
    let defaults = format!(
        "version: 1\nsystem: t\ndefaults:\n  metrics: true\n{SERVICES}\ninteractions:\n{}{}",
        sync_call("x", "a", "b", &[("metrics", "")]),
        sync_call("y", "a", "c", &[("metrics", "false")])
    );
    let a = run(&defaults);
    let found = finding_of(&a, "O001");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].interaction.as_deref(), Some("y"));
}

/// G016: one finding per producer and consumer whose ordered messages use several channels,
/// naming each; unordered interactions, or channels to different consumers, are not
/// reported; a suppression on one member leaves the others in the group.
#[test]
fn ordered_messages_over_several_channels_are_one_finding_per_pair() {
    let q = |id: &str, to: &str, channel: &str, needs: &str| {
        call(
            id,
            "a",
            to,
            needs,
            "",
            &uses(QUEUE_OK, &[("fifo", "true"), ("channel", channel)]),
        )
    };
    let a = run(&single(
        q("accepted", "b", "accepted", ORDERED)
            + &q("expired", "b", "expired", ORDERED)
            + &q("created", "b", "created", ORDERED)
            + &q("audit", "c", "audit", ORDERED)
            + &q("stats", "b", "stats", UNORDERED),
    ));
    let found = finding_of(&a, "G016");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].affected.len(), 3);
    assert!(
        found[0].message.contains("on 3 channels (`accepted` on `accepted`, `expired` on `expired`, `created` on `created`)"),
        "{}",
        found[0].message
    );
    let suppressed = single(
        q("accepted", "b", "accepted", ORDERED)
            + &q("expired", "b", "expired", ORDERED).replace(
                " }\n",
                ", suppress: [{ rule: G016, reason: sent only after b answered } ] }\n",
            )
            + &q("created", "b", "created", ORDERED),
    );
    let a = run(&suppressed);
    let active: Vec<&Finding> = finding_of(&a, "G016")
        .into_iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    assert_eq!(active.len(), 1);
    let ids: Vec<&str> = active[0]
        .affected
        .iter()
        .filter_map(|m| m.interaction.as_deref())
        .collect();
    assert_eq!(ids, ["accepted", "created"]);
}

/// G011, G015 and G016 name at most ten interactions in a message and count the rest: every
/// member carries the message, so naming all of them made the report grow with the square
/// of the members (thousands of writers of one callee, or of ordered channels).
#[test]
fn messages_name_ten_members_and_count_the_rest() {
    let members = 60;
    let ordered: String = (0..members)
        .map(|n| {
            let (id, channel) = (format!("m{n}"), format!("c{n}"));
            call(
                &id,
                "a",
                "b",
                ORDERED,
                "",
                &uses(QUEUE_OK, &[("fifo", "true"), ("channel", &channel)]),
            )
        })
        .collect();
    let a = run(&single(ordered));
    let found = finding_of(&a, "G016");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].affected.len(), members);
    assert!(
        found[0]
            .message
            .contains("on 60 channels (`m0` on `c0`, `m1` on `c1`,")
            && found[0].message.contains("`m9` on `c9` and 50 more)")
            && !found[0].message.contains("`m10`"),
        "{}",
        found[0].message
    );
    // Each write is decided on the next one's read: every finding names ten of the others.
    let writes: String = (0..members)
        .map(|n| {
            let op = format!(
                ", operation: {{ name: o{n}, writes: true, based_on: w{} }}",
                (n + 1) % members
            );
            call(&format!("w{n}"), "a", "b", STRONG, &op, &uses(SYNC_OK, &[]))
        })
        .collect();
    let a = run(&single(writes.clone()));
    let found = finding_of(&a, "G015");
    assert_eq!(found.len(), members);
    let first = found
        .iter()
        .find(|f| f.interaction.as_deref() == Some("w0"))
        .expect("w0 is reported");
    assert!(
        first
            .message
            .ends_with("`b` is also written by `w2`, `w3`, `w4`, `w5`, `w6`, `w7`, `w8`, `w9`, `w10`, `w11` and 48 more"),
        "{}",
        first.message
    );
    // G011 on one operation of many writing steps, each step carrying the message: the
    // first ten steps, and a count of the rest.
    let steps: String = (0..members)
        .map(|n| {
            call(
                &format!("s{n}"),
                "a",
                "b",
                STRONG,
                ", operation: { name: big, writes: true }",
                &uses(SYNC_OK, &[]),
            )
        })
        .collect();
    let a = run(&single(steps));
    let found = finding_of(&a, "G011");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].affected.len(), members);
    assert!(
        found[0].affected[0].message.contains(
            "writes in 60 steps with no saga or transaction: `s0` (to `b`), `s1` (to `b`),"
        ) && found[0].affected[0]
            .message
            .contains("`s9` (to `b`) and 50 more; a failure between them"),
        "{}",
        found[0].affected[0].message
    );
}

/// G003 is an error where the callee may go on for twice its caller's timeout or more and
/// a request from outside reaches the caller; a smaller overrun, or a caller no request
/// reaches (a message consumer), is a warning.
#[test]
fn a_gross_inversion_on_a_requests_path_is_an_error() {
    let system = |entry: &str, inner_ms: &str| {
        single(
            sync_call("x", entry, "b", &[("timeout_ms", "1000"), ("retry", "")])
                + &sync_call("y", "b", "c", &[("timeout_ms", inner_ms), ("retry", "")]),
        )
    };
    // From the gateway: 2500 ms under 1000 ms is an error, 1200 ms a warning.
    assert_eq!(
        severity_of(&system("gw", "2500"), "G003"),
        [Severity::Error]
    );
    assert_eq!(
        severity_of(&system("gw", "1200"), "G003"),
        [Severity::Warning]
    );
    // `a` is called by nothing: no request from outside reaches it.
    assert_eq!(
        severity_of(&system("a", "2500"), "G003"),
        [Severity::Warning]
    );
    // Reached from the gateway through another service, it is on a request's path.
    let through = single(
        sync_call("w", "gw", "a", &[("timeout_ms", "5000"), ("retry", "")])
            + &sync_call("x", "a", "b", &[("timeout_ms", "1000"), ("retry", "")])
            + &sync_call("y", "b", "c", &[("timeout_ms", "2500"), ("retry", "")]),
    );
    assert_eq!(severity_of(&through, "G003"), [Severity::Error]);
}
