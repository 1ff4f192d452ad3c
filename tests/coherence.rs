//! Advice that holds together: no two findings ask for opposite fixes, a suggested value
//! fits both sides of its budget (above the callee's p99, within what the caller waits),
//! a log's retention is judged as retention, rate limits are asked where traffic enters,
//! and every message about an interaction names it.

use commsplan::analysis::{analyze_with, Analysis, RunOptions};
use commsplan::codes::Severity;
use commsplan::finding::Finding;
use commsplan::model::LoadOptions;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn run(yaml: &str) -> Analysis {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("commsplan-coherence-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("commsplan.toml"), "").unwrap();
    let path = dir.join("system.yaml");
    std::fs::write(&path, yaml).unwrap();
    analyze_with(&[&path], &LoadOptions::default(), &RunOptions::default()).expect("analysis runs")
}

fn with_code<'a>(a: &'a Analysis, code: &str) -> Vec<&'a Finding> {
    a.findings
        .iter()
        .filter(|f| f.code == code && f.suppressed.is_none())
        .collect()
}

fn system(services: &str, interactions: &str) -> String {
    format!("version: 1\nsystem: t\nservices:\n{services}\ninteractions:\n{interactions}")
}

const STREAM: &str = "pattern: stream, protocol: kafka, channel: orders, dead_letter: { after_attempts: 3 }, consumers: { min: 1, max: 4 }, idempotency: { key: event_id }, metrics: true";

fn ordered_stream(extra: &str) -> String {
    system(
        "  a: {}\n  b: {}\n",
        &format!("  - {{ id: order-events, from: a, to: b, needs: {{ realtime: false, ordering: true }}, uses: {{ {STREAM}{extra} }} }}\n"),
    )
}

#[test]
fn a_keyed_stream_that_needs_ordering_gets_the_queue_advice_as_information() {
    let a = run(&ordered_stream(
        ", partition_key: order_id, ttl_ms: 604800000",
    ));
    let d001 = with_code(&a, "D001");
    assert_eq!(d001.len(), 1, "{:#?}", a.findings);
    assert_eq!(d001[0].severity, Severity::Info);
    assert!(
        d001[0].message.contains("each `order_id`"),
        "{}",
        d001[0].message
    );
    assert!(with_code(&a, "A008").is_empty());
}

#[test]
fn an_unkeyed_ordered_stream_is_asked_for_a_key_and_not_told_to_become_a_queue() {
    let a = run(&ordered_stream(", ttl_ms: 604800000"));
    let d001 = with_code(&a, "D001");
    assert_eq!(d001.len(), 1);
    assert_eq!(d001[0].severity, Severity::Info, "{}", d001[0].message);
    assert!(d001[0].message.contains("A008"));
    assert_eq!(with_code(&a, "A008").len(), 1);
}

#[test]
fn a_sync_call_where_a_queue_is_recommended_still_warns() {
    let a = run(&system(
        "  a: {}\n  b: {}\n",
        "  - { id: mail, from: a, to: b, needs: { realtime: false, ordering: true }, uses: { pattern: sync, timeout_ms: 500 } }\n",
    ));
    let d001 = with_code(&a, "D001");
    assert_eq!(d001.len(), 1);
    assert_eq!(d001[0].severity, Severity::Warning);
}

fn unordered_stream(extra: &str) -> String {
    system(
        "  a: {}\n  b: {}\n",
        &format!("  - {{ id: ledger, from: a, to: b, needs: {{ realtime: false, ordering: false }}, uses: {{ {STREAM}, partition_key: account_id{extra} }} }}\n"),
    )
}

#[test]
fn a_log_declared_forever_or_compacted_has_its_retention() {
    for retention in ["forever", "compacted"] {
        let a = run(&unordered_stream(&format!(", retention: {retention}")));
        assert!(
            with_code(&a, "A003").is_empty(),
            "{retention}: {:#?}",
            a.findings
        );
    }
}

#[test]
fn a_log_without_retention_is_asked_for_retention_not_a_message_ttl() {
    let a = run(&unordered_stream(""));
    let a003 = with_code(&a, "A003");
    assert_eq!(a003.len(), 1);
    let f = a003[0];
    assert!(f.message.contains("retention"), "{}", f.message);
    assert!(!f.message.contains("TTL"), "{}", f.message);
    let help = f.help.as_deref().unwrap_or_default();
    assert!(
        help.contains("retention: forever") && help.contains("retention: compacted"),
        "{help}"
    );
}

#[test]
fn a_queue_still_needs_a_message_ttl_even_with_a_retention() {
    let a = run(&system(
        "  a: {}\n  b: {}\n",
        "  - { id: mails, from: a, to: b, needs: { realtime: false, ordering: true }, uses: { pattern: queue, protocol: amqp, fifo: true, retention: forever } }\n",
    ));
    let a003 = with_code(&a, "A003");
    assert_eq!(a003.len(), 1);
    assert!(
        a003[0].message.contains("message TTL"),
        "{}",
        a003[0].message
    );
}

const SYNC: &str = "pattern: sync, protocol: rest, timeout_ms: 500, metrics: true, circuit_breaker: { failure_rate_percent: 50, min_calls: 20, open_ms: 30000 }";

#[test]
fn rate_limits_are_asked_where_traffic_enters_not_on_calls_out() {
    let services =
        "  web: { kind: client }\n  gw: { kind: gateway }\n  stripe: { kind: external }\n";
    let into = run(&system(
        services,
        &format!("  - {{ id: web-api, from: web, to: gw, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ {SYNC} }} }}\n"),
    ));
    assert_eq!(with_code(&into, "R001").len(), 1);
    let out = run(&system(
        services,
        &format!("  - {{ id: charge, from: gw, to: stripe, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ {SYNC} }} }}\n  - {{ id: pay, from: web, to: stripe, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ {SYNC} }} }}\n"),
    ));
    assert!(with_code(&out, "R001").is_empty(), "{:#?}", out.findings);
}

/// The numbers after `key` in `text`: "timeout_ms: 13500" gives 13500.
fn number_after(text: &str, key: &str) -> Option<u64> {
    let rest = &text[text.find(key)? + key.len()..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// An LLM behind a gateway whose mesh gives up after Envoy's 15 s route timeout.
fn llm_behind_gateway(p99: u32, timeout: &str) -> String {
    system(
        &format!("  gw: {{ kind: gateway }}\n  app: {{}}\n  llm: {{ slo: {{ latency_p99_ms: {p99} }} }}\n"),
        &format!("  - {{ id: ask, from: gw, to: app, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, mesh: envoy }} }}\n  - {{ id: complete, from: app, to: llm, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync{timeout} }} }}\n"),
    )
}

#[test]
fn a_suggested_timeout_is_above_the_p99_and_within_the_callers_wait() {
    // The gateway's wait is a bound above a call without one: G007 reports it (and
    // supersedes S001), with the value S001 would suggest.
    let a = run(&llm_behind_gateway(12000, ""));
    assert!(with_code(&a, "S001").is_empty(), "{:#?}", a.findings);
    let g007 = with_code(&a, "G007");
    assert_eq!(g007.len(), 1, "{:#?}", a.findings);
    let help = g007[0].help.as_deref().unwrap_or_default();
    let value = number_after(help, "timeout_ms: ").expect(help);
    assert!(value > 12000 && value < 15000, "{help}");
    assert!(
        help.contains("within the 15000 ms `gw` waits on `app` (`ask`)"),
        "{help}"
    );
    // Without a caller that waits, 1.5 × p99 is suggested as it is.
    let alone = run(&system(
        "  app: {}\n  llm: { slo: { latency_p99_ms: 12000 } }\n",
        "  - { id: complete, from: app, to: llm, idempotent: true, needs: { realtime: true, consistency: strong }, uses: { pattern: sync } }\n",
    ));
    let help = with_code(&alone, "S001")[0]
        .help
        .as_deref()
        .unwrap_or_default()
        .to_string();
    assert_eq!(number_after(&help, "timeout_ms: "), Some(18000), "{help}");
    assert!(!help.contains("within"), "{help}");
}

#[test]
fn a_timeout_below_p99_is_raised_within_the_callers_wait_or_said_not_to_fit() {
    let a = run(&llm_behind_gateway(12000, ", timeout_ms: 1000"));
    let s002 = with_code(&a, "S002");
    assert_eq!(s002.len(), 1, "{:#?}", a.findings);
    let help = s002[0].help.as_deref().unwrap_or_default();
    let value = number_after(help, "timeout_ms: ").expect(help);
    assert!(value > 12000 && value < 15000, "{help}");
    let a = run(&llm_behind_gateway(20000, ", timeout_ms: 1000"));
    let help = with_code(&a, "S002")[0]
        .help
        .as_deref()
        .unwrap_or_default()
        .to_string();
    assert!(help.contains("no value fits"), "{help}");
    assert_eq!(number_after(&help, "timeout_ms: "), None, "{help}");
}

fn retried(retry: &str) -> String {
    system(
        "  gw: { kind: gateway }\n  app: {}\n  db: {}\n",
        &format!("  - {{ id: ask, from: gw, to: app, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, timeout_ms: 3000 }} }}\n  - {{ id: read, from: app, to: db, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, timeout_ms: 1000, retry: {retry} }} }}\n"),
    )
}

#[test]
fn a_retry_fix_fits_the_callers_timeout() {
    let a = run(&retried(
        "{ max_attempts: 3, backoff: fixed, base_ms: 500, max_ms: 180000 }",
    ));
    let s006 = with_code(&a, "S006");
    assert_eq!(s006.len(), 1, "{:#?}", a.findings);
    let help = s006[0].help.as_deref().unwrap_or_default();
    let attempts = number_after(help, "max_attempts: ").expect(help);
    let base = number_after(help, "base_ms: ").expect(help);
    let max = number_after(help, "max_ms: ").expect(help);
    assert!(
        max <= 3000,
        "max_ms longer than the caller's timeout: {help}"
    );
    let delays: u64 = (1..attempts).map(|i| (base << (i - 1)).min(max)).sum();
    assert!(attempts * 1000 + delays <= 3000, "{help}");
    assert!(
        help.contains("within the 3000 ms `gw` waits on `app` (`ask`)"),
        "{help}"
    );
}

#[test]
fn a_retry_fix_without_a_waiting_caller_keeps_its_values() {
    let a = run(&system(
        "  app: {}\n  db: {}\n",
        "  - { id: read, from: app, to: db, idempotent: true, needs: { realtime: true, consistency: strong }, uses: { pattern: sync, timeout_ms: 1000, retry: { max_attempts: 3, backoff: fixed, base_ms: 500, max_ms: 180000 } } }\n",
    ));
    let help = with_code(&a, "S006")[0]
        .help
        .as_deref()
        .unwrap_or_default()
        .to_string();
    assert_eq!(number_after(&help, "max_ms: "), Some(180000), "{help}");
    assert!(!help.contains("within"), "{help}");
}

fn inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![
        root.join("examples/ecommerce.yaml"),
        root.join("examples/minimal.yaml"),
        root.join("examples/online-boutique.yaml"),
        root.join("examples/multi-team/system.yaml"),
    ];
    let mut corpus: Vec<PathBuf> = std::fs::read_dir(root.join("tests/review-corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "yaml")
                && !p.to_string_lossy().ends_with(".labels.yaml")
        })
        .collect();
    corpus.sort();
    files.extend(corpus);
    files
}

fn analyse(path: &Path) -> Analysis {
    analyze_with(&[path], &LoadOptions::default(), &RunOptions::default()).expect("analysis runs")
}

#[test]
fn every_interaction_finding_names_its_interaction_on_every_example() {
    let mut checked = 0;
    for path in inputs() {
        let a = analyse(&path);
        for f in &a.findings {
            let Some(id) = &f.interaction else { continue };
            checked += 1;
            assert!(
                f.message.contains(&format!("`{id}`")),
                "{}: {} does not name `{id}`: {}",
                path.display(),
                f.code,
                f.message
            );
        }
    }
    assert!(checked > 50, "only {checked} interaction findings");
}

/// Where a message suggests a timeout with its budget, the value lies inside it: above
/// the callee's p99 (when it is declared) and below what the caller waits.
#[test]
fn every_suggested_timeout_fits_its_budget_on_every_example() {
    let mut checked = 0;
    for path in inputs() {
        let a = analyse(&path);
        for f in &a.findings {
            let help = f.help.as_deref().unwrap_or_default();
            let Some(value) = number_after(help, "`timeout_ms: ") else {
                continue;
            };
            if let Some(wait) = number_after(help, "within the ") {
                checked += 1;
                assert!(value < wait, "{}: {help}", f.code);
            }
            if let Some(p99) = number_after(help, "p99 of ") {
                assert!(value > p99, "{}: {help}", f.code);
            }
        }
    }
    assert!(checked > 0, "no suggestion with a budget was checked");
}

/// A keyed stream told to become a queue while asked for its key (D001 against A008) is
/// the contradiction the issue names; no example has both as warnings on one interaction.
#[test]
fn no_example_tells_an_ordered_stream_both_to_be_a_queue_and_to_take_a_key() {
    for path in inputs() {
        let a = analyse(&path);
        for f in a.findings.iter().filter(|f| f.code == "A008") {
            let contradicting = a.findings.iter().any(|g| {
                g.code == "D001"
                    && g.interaction == f.interaction
                    && g.message.contains("declared `stream`")
                    && g.severity != Severity::Info
            });
            assert!(!contradicting, "{}: {:?}", path.display(), f.interaction);
        }
    }
}

const QUEUE: &str =
    "pattern: queue, protocol: amqp, channel: jobs, consumers: { min: 1, max: 4 }, metrics: true";

fn queue_with(services: &str, defaults: &str, uses: &str) -> String {
    format!(
        "version: 1\nsystem: t\n{defaults}services:\n{services}\ninteractions:\n  - {{ id: jobs, from: a, to: b, needs: {{ realtime: false, ordering: false }}, uses: {{ {QUEUE}{uses} }} }}\n"
    )
}

#[test]
fn a_declared_broker_says_what_it_does_and_where_it_is_declared() {
    let a = run(&queue_with(
        "  a: {}\n  b: {}\n",
        "defaults:\n  broker: sqs\n",
        "",
    ));
    let a007 = with_code(&a, "A007");
    assert!(
        a007[0]
            .message
            .contains("sqs (defaults.broker): standard queues deliver at least once"),
        "{}",
        a007[0].message
    );
    let a003 = with_code(&a, "A003");
    assert!(
        a003[0].message.contains("after 4 days"),
        "{}",
        a003[0].message
    );
    let a = run(&queue_with("  a: { broker: rabbitmq }\n  b: {}\n", "", ""));
    let a001 = with_code(&a, "A001");
    assert!(
        a001[0]
            .message
            .contains("rabbitmq (the publishing service's `broker`): a message rejected"),
        "{}",
        a001[0].message
    );
    let a002 = with_code(&a, "A002");
    assert!(
        a002[0]
            .message
            .contains("no length limit unless `max-length`"),
        "{}",
        a002[0].message
    );
}

#[test]
fn without_a_broker_the_messages_assert_no_broker_behaviour() {
    let a = run(&queue_with("  a: {}\n  b: {}\n", "", ""));
    for f in a.findings.iter().filter(|f| f.code.starts_with('A')) {
        for name in [
            "rabbitmq",
            "sqs",
            "kafka",
            "nats",
            "eventbridge",
            "activemq",
        ] {
            assert!(!f.message.contains(&format!("{name} (")), "{}", f.message);
        }
    }
}

#[test]
fn a_kafka_log_without_retention_is_told_the_seven_day_default() {
    let with = run(&unordered_stream(", broker: kafka"));
    let a003 = with_code(&with, "A003");
    assert!(
        a003[0]
            .message
            .contains("kafka (uses.broker): topics delete messages after 7 days"),
        "{}",
        a003[0].message
    );
    let without = run(&unordered_stream(""));
    let help = with_code(&without, "A003")[0]
        .help
        .as_deref()
        .unwrap_or_default()
        .to_string();
    assert!(help.contains("declare `broker:`"), "{help}");
}

#[test]
fn the_schema_has_broker_and_retention() {
    let schema = commsplan::model::schema::json_schema().to_string();
    for name in [
        "\"broker\"",
        "\"retention\"",
        "\"rabbitmq\"",
        "\"compacted\"",
    ] {
        assert!(schema.contains(name), "{name} missing from the schema");
    }
}

fn run_with_toml(yaml: &str, toml: &str) -> Analysis {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("commsplan-coherence-{}-t{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("commsplan.toml"), toml).unwrap();
    let path = dir.join("system.yaml");
    std::fs::write(&path, yaml).unwrap();
    analyze_with(&[&path], &LoadOptions::default(), &RunOptions::default()).expect("analysis runs")
}

fn polly_call() -> String {
    system(
        "  a: { client: polly-standard }\n  b: {}\n",
        "  - { id: pay, from: a, to: b, idempotent: true, needs: { realtime: true, consistency: strong }, uses: { pattern: sync, metrics: true } }\n",
    )
}

#[test]
fn a_clients_default_breaker_is_judged_by_its_thresholds() {
    // Polly's standard handler opens at 10 % failures: inside the default range…
    assert!(with_code(&run(&polly_call()), "S005").is_empty());
    // …and below a stricter one, which the message attributes to the client's default.
    let a = run_with_toml(
        &polly_call(),
        "[thresholds]\nbreaker_failure_rate_min = 20.0\n",
    );
    let s005 = with_code(&a, "S005");
    assert_eq!(s005.len(), 1, "{:#?}", a.findings);
    assert!(
        s005[0].message.contains("polly-standard's default"),
        "{}",
        s005[0].message
    );
    assert!(s005[0].message.contains("10 %"), "{}", s005[0].message);
}

#[test]
fn explain_lists_the_declared_broker_and_its_documented_defaults() {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("commsplan-coherence-{}-e{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("commsplan.toml"), "").unwrap();
    let path = dir.join("system.yaml");
    std::fs::write(&path, queue_with("  a: { broker: sqs }\n  b: {}\n", "", "")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .arg("explain")
        .arg(&path)
        .arg("jobs")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("broker          sqs  (declared at the publishing service's `broker`)"),
        "{text}"
    );
    assert!(
        text.contains("delivery        standard queues deliver at least once"),
        "{text}"
    );
    assert!(
        text.contains("← sqs default (aws-sdk-sqs 1.10.0 (SQS API): https://www.rubydoc.info/"),
        "{text}"
    );
}

/// Where a retry fix shows its sum ("= 2900 ms, within the 3000 ms …"), the sum fits the
/// caller's wait; a mesh that retries under the caller counts in the bound on attempts,
/// not in the wait (its tries run inside each attempt's timeout).
#[test]
fn every_suggested_retry_schedule_fits_its_budget_on_every_example() {
    let layered = system(
        "  gw: { kind: gateway }\n  app: { mesh: istio }\n  db: {}\n",
        "  - { id: ask, from: gw, to: app, idempotent: true, needs: { realtime: true, consistency: strong }, uses: { pattern: sync, timeout_ms: 3000 } }\n  - { id: read, from: app, to: db, idempotent: true, needs: { realtime: true, consistency: strong }, uses: { pattern: sync, timeout_ms: 400, retry: { max_attempts: 3, backoff: fixed, base_ms: 500, max_ms: 180000 } } }\n",
    );
    let mut analyses: Vec<Analysis> = inputs().iter().map(|p| analyse(p)).collect();
    analyses.push(run(&layered));
    let mut checked = 0;
    for a in &analyses {
        for f in a.findings.iter().filter(|f| f.code == "S006") {
            let help = f.help.as_deref().unwrap_or_default();
            let (Some(total), Some(wait)) = (
                number_after(help, "ms of backoff = "),
                number_after(help, "within the "),
            ) else {
                continue;
            };
            checked += 1;
            assert!(total <= wait, "{help}");
        }
    }
    assert!(checked > 0, "no retry schedule with a budget was checked");
    // Istio tries each attempt 3 times: one attempt is all the bound of 5 leaves.
    let a = analyses.last().expect("the layered system");
    let help = with_code(a, "S006")[0]
        .help
        .as_deref()
        .unwrap_or_default()
        .to_string();
    assert!(help.contains("max_attempts: 1,"), "{help}");
    assert!(help.contains("1 × 400 ms"), "{help}");
    assert!(
        help.contains("the mesh tries each attempt 3 times"),
        "{help}"
    );
}

fn activemq_queue(uses: &str) -> String {
    system(
        "  a: {}\n  b: {}\n",
        &format!("  - {{ id: jobs, from: a, to: b, needs: {{ realtime: false, ordering: false }}, uses: {{ pattern: queue, channel: jobs, broker: activemq, consumers: {{ min: 1, max: 4 }}, metrics: true{uses} }} }}\n"),
    )
}

#[test]
fn the_acknowledgement_mode_says_whether_a_failed_message_is_lost_or_comes_back() {
    let before = run(&activemq_queue(", protocol: jms, ack: before-processing"));
    let a001 = with_code(&before, "A001");
    assert!(a001[0].message.contains("is lost"), "{}", a001[0].message);
    assert!(
        a001[0]
            .help
            .as_deref()
            .unwrap_or_default()
            .contains("acknowledge once the message is processed"),
        "{:?}",
        a001[0].help
    );
    assert!(
        with_code(&before, "A007").is_empty(),
        "at most once: no redelivery"
    );
    let stomp = run(&activemq_queue(", protocol: stomp, ack: after-processing"));
    let a001 = with_code(&stomp, "A001");
    assert!(
        a001[0].message.contains("comes back without end"),
        "{}",
        a001[0].message
    );
    let unknown = run(&activemq_queue(", protocol: jms"));
    let help = with_code(&unknown, "A001")[0]
        .help
        .clone()
        .unwrap_or_default();
    assert!(
        help.contains("write `ack: after-processing`") && help.contains("ActiveMQ.DLQ"),
        "{help}"
    );
    let a002 = with_code(&unknown, "A002");
    assert!(
        a002[0]
            .message
            .contains("shared by every queue on the broker"),
        "{}",
        a002[0].message
    );
}
