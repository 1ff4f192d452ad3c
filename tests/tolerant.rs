//! A schema error leaves out the node it is about, not the interaction, service or
//! `defaults` around it: the rest is still read, decided and checked, while the error is
//! reported once, at the node.

use commsplan::analysis::{analyze, Analysis};
use commsplan::finding::Finding;
use commsplan::model::types::{Language, ServiceKind};
use commsplan::model::LoadOptions;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The text in a fresh directory with an empty commsplan.toml, so that no settings file
/// above the temp directory can change the result.
fn write(yaml: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("commsplan-tolerant-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("commsplan.toml"), "").unwrap();
    let path = dir.join("system.yaml");
    std::fs::write(&path, yaml).unwrap();
    path
}

fn run(yaml: &str) -> Analysis {
    analyze(&[write(yaml)], &LoadOptions::default()).expect("analysis runs")
}

/// Unsuppressed findings of `code` about `interaction`.
fn about<'a>(a: &'a Analysis, code: &str, interaction: &str) -> Vec<&'a Finding> {
    a.findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .filter(|f| f.code == code && f.interaction.as_deref() == Some(interaction))
        .collect()
}

fn one<'a>(a: &'a Analysis, code: &str) -> &'a Finding {
    let found: Vec<&Finding> = a.findings.iter().filter(|f| f.code == code).collect();
    assert_eq!(found.len(), 1, "one {code}: {:#?}", codes(a));
    found[0]
}

fn at(f: &Finding) -> (u32, u32) {
    let loc = f.location.as_ref().expect("located");
    (loc.line, loc.column)
}

fn codes(a: &Analysis) -> Vec<(&'static str, Option<&str>, (u32, u32))> {
    a.findings
        .iter()
        .map(|f| (f.code, f.interaction.as_deref(), at(f)))
        .collect()
}

fn interaction_ids(a: &Analysis) -> Vec<&str> {
    a.model.interactions.iter().map(|i| i.id()).collect()
}

const CYCLE_WITH_TYPO: &str = "\
version: 1
system: t
services:
  a: {}
  b: {}
  c: {}
interactions:
  - id: x
    from: a
    to: b
    needs: { realtime: true, consistency: strong }
    uses: { pattern: sync, timeout_ms: 500 }
  - id: y
    from: b
    to: c
    needs: { realtime: true, consistency: strong }
    uses: { pattern: sync, timeout_ms: 500 }
  - id: z
    from: c
    to: a
    needs: { realtime: true, consistency: strong }
    uses:
      pattern: sync
      timout_ms: 500
";

#[test]
fn misspelt_key_keeps_the_interaction_in_the_json_report() {
    let path = write(CYCLE_WITH_TYPO);
    let out = Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .args(["analyze", path.to_str().unwrap(), "--format", "json"])
        .output()
        .expect("commsplan runs");
    assert_eq!(out.status.code(), Some(1), "the schema error fails the run");
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");

    let z = report["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "z")
        .expect("`z` is in the report despite its misspelt key");
    assert_eq!(z["recommended"], "sync");
    assert_eq!(z["declared"], "sync");
    assert_eq!(z["path"], serde_json::json!(["A", "B", "C", "D", "L"]));
    assert_eq!(report["summary"]["interactions"], 3);

    let findings = report["findings"].as_array().unwrap();
    let of =
        |code: &str| -> Vec<&Value> { findings.iter().filter(|f| f["code"] == code).collect() };
    // The one finding about the misspelt key, at the key, with the suggestion.
    let m002 = of("M002");
    assert_eq!(m002.len(), 1, "{m002:#?}");
    assert_eq!(m002[0]["location"]["line"], 24);
    assert_eq!(m002[0]["location"]["column"], 7);
    assert_eq!(m002[0]["interaction"], "z");
    assert!(m002[0]["help"]
        .as_str()
        .unwrap()
        .contains("did you mean `timeout_ms`?"));
    // The checklist still runs: with the key misspelt, no timeout is configured (said by
    // G007 where a caller above gives up, else by S001).
    assert!(
        of("S001")
            .iter()
            .chain(&of("G007"))
            .any(|f| f["interaction"] == "z"),
        "no missing timeout for z: {findings:#?}"
    );
    assert!(of("S004").iter().any(|f| f["interaction"] == "z"
        || f["affected"]
            .as_array()
            .is_some_and(|a| a.iter().any(|m| m["interaction"] == "z"))));
    // And the call graph still has the edge c → a that closes the cycle.
    let g001 = of("G001");
    assert_eq!(g001.len(), 1, "{findings:#?}");
    let message = g001[0]["message"].as_str().unwrap();
    assert!(message.contains("a → b → c → a"), "{message}");
    assert!(message.contains("x, y, z"), "{message}");
}

#[test]
fn wrong_type_leaves_out_the_field_and_keeps_the_rest_of_the_block() {
    let a = run("\
version: 1
system: t
services: { a: {}, b: {} }
interactions:
  - id: x
    from: a
    to: b
    idempotent: true
    needs: { realtime: true, consistency: strong }
    uses:
      pattern: sync
      timeout_ms: fast
      retry: { max_attempts: three, backoff: exponential, jitter: true }
      circuit_breaker: { failure_rate_percent: 50, min_calls: 20, open_ms: 30000 }
      pool: { keep_alive: true, max_connections: 10 }
      metrics: true
");
    assert_eq!(interaction_ids(&a), ["x"]);
    let m003: Vec<_> = a.findings.iter().filter(|f| f.code == "M003").collect();
    assert_eq!(
        m003.iter().map(|f| at(f)).collect::<Vec<_>>(),
        [(12, 19), (13, 30)],
        "{:#?}",
        codes(&a)
    );
    let uses = a.model.interactions[0].uses();
    assert_eq!(uses.timeout_ms, None);
    let retry = uses.retry.as_ref().expect("retry kept");
    assert_eq!(retry.max_attempts, None);
    assert!(retry.backoff.is_some() && retry.jitter == Some(true));
    assert!(uses.circuit_breaker.is_some() && uses.pool.is_some());
    // Only what the left-out field was for is reported; the breaker, pool and metrics
    // that are written count.
    assert_eq!(about(&a, "S001", "x").len(), 1);
    for code in ["S003", "S004", "O001"] {
        assert!(about(&a, code, "x").is_empty(), "{code}: {:#?}", codes(&a));
    }
}

#[test]
fn bad_enum_answer_becomes_a_missing_answer() {
    let a = run("\
version: 1
system: t
services: { a: {}, b: {} }
interactions:
  - id: x
    from: a
    to: b
    needs: { realtime: true, consistency: streng }
    uses: { pattern: sync, timeout_ms: 500 }
");
    assert_eq!(interaction_ids(&a), ["x"]);
    let m004 = one(&a, "M004");
    assert_eq!(at(m004), (8, 43));
    assert!(m004
        .help
        .as_deref()
        .unwrap()
        .contains("did you mean `strong`?"));
    // The flowchart stops at the question the left-out answer was for, and says so.
    let decision = &a.decisions[0];
    assert_eq!(decision.recommended, None);
    assert_eq!(decision.path, ["A", "B", "C"]);
    let m011 = one(&a, "M011");
    assert!(m011
        .message
        .contains("`needs.consistency` has no valid answer: node C"));
    assert_eq!(at(m011), (8, 43), "at the answer as written");
    // The declared pattern still selects the checklist.
    assert!(!about(&a, "S004", "x").is_empty(), "{:#?}", codes(&a));
}

#[test]
fn invalid_defaults_field_keeps_the_valid_fields() {
    let a = run("\
version: 1
system: t
defaults:
  timeout_ms: 2s
  pool: { keep_alive: true, max_connections: 10 }
  circuit_breaker: { failure_rate_percent: 50, min_calls: 20, open_ms: 30000 }
  metrics: true
services: { a: {}, b: {} }
interactions:
  - id: x
    from: a
    to: b
    needs: { realtime: true, consistency: strong }
    uses: { pattern: sync }
");
    assert_eq!(at(one(&a, "M003")), (4, 15));
    let uses = a.model.interactions[0].uses();
    assert!(uses.pool.is_some() && uses.circuit_breaker.is_some());
    assert_eq!(uses.metrics, Some(true));
    assert_eq!(uses.timeout_ms, None);
    assert_eq!(about(&a, "S001", "x").len(), 1);
    for code in ["S003", "S004", "O001"] {
        assert!(about(&a, code, "x").is_empty(), "{code}: {:#?}", codes(&a));
    }
}

#[test]
fn service_with_a_bad_slo_field_keeps_its_kind() {
    let a = run("\
version: 1
system: t
services:
  web:
    kind: client
    language: go
    ownr: team-web
    slo: { availability: high, latency_p99_ms: 300 }
  \"a/b~c\": { kind: worker, slo: { availability: 150 } }
  b: {}
interactions:
  - { id: x, from: web, to: b, needs: { realtime: true, consistency: strong }, uses: { pattern: sync, timeout_ms: 500 } }
  - { id: y, from: web, to: \"a/b~c\", needs: { realtime: false, ordering: false }, uses: { pattern: stream } }
");
    let web = &a.model.service("web").expect("web").service;
    assert_eq!(web.kind, Some(ServiceKind::Client));
    assert_eq!(web.language, Some(Language::Go));
    let slo = web.slo.as_ref().expect("slo kept");
    assert_eq!(slo.availability, None);
    assert_eq!(slo.latency_p99_ms, Some(300.0));
    // A name that needs escaping in a JSON pointer (`/` and `~`).
    let odd = &a.model.service("a/b~c").expect("a/b~c").service;
    assert_eq!(odd.kind, Some(ServiceKind::Worker));
    assert_eq!(odd.slo.as_ref().and_then(|s| s.availability), None);

    let located: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.code.starts_with('M'))
        .map(|f| (f.code, f.service.as_deref(), at(f)))
        .collect();
    assert_eq!(
        located,
        [
            ("M002", Some("web"), (7, 5)),
            ("M003", Some("web"), (8, 26)),
            ("M004", Some("a/b~c"), (9, 49)),
        ]
    );
}

#[test]
fn invalid_suppressions_are_not_applied_and_the_others_keep_their_place() {
    let a = run("\
version: 1
system: t
services:
  a: {}
  b:
    suppress:
      - rule: S004
      - rule: S030
        reason: typo of S003
interactions:
  - id: x
    from: a
    to: b
    needs: { realtime: true, consistency: strong }
    uses: { pattern: sync, timeout_ms: 500, metrics: false }
    suppress:
      - rule: S004
      - rule: S003
        reason: pooled by the SDK
        until: soon
      - rule: O001
        reason: metrics come from the mesh
suppress:
  - rule: S
    reason: only for `b`
    target: 5
");
    assert_eq!(interaction_ids(&a), ["x"]);
    let m012: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.code == "M012")
        .map(at)
        .collect();
    assert_eq!(m012, [(7, 9), (17, 9)]);
    // A suppression with an error silences nothing: not without a reason, not for ever
    // for an `until` that is not a date, not system-wide for a `target` that is not a name.
    assert_eq!(about(&a, "S003", "x").len(), 1, "{:#?}", codes(&a));
    assert_eq!(about(&a, "S004", "x").len(), 1);
    // The valid ones apply and are located at their own entries, not at the neighbour
    // that moved up when an invalid one was left out.
    let o001 = a.findings.iter().find(|f| f.code == "O001").expect("O001");
    let by = o001.suppressed.as_ref().expect("O001 is suppressed");
    let loc = by.location.as_ref().unwrap();
    assert_eq!(loc.line, 21, "{loc:?}");
    let m019 = one(&a, "M019");
    assert!(m019.message.contains("`S030`"), "{}", m019.message);
    assert_eq!(at(m019), (8, 15));
}

#[test]
fn required_fields_still_decide_whether_an_interaction_is_read() {
    let a = run("\
version: 1
system: t
services: { a: {}, b: {} }
interactions:
  - { id: no-to, from: a, needs: { realtime: true, consistency: strong } }
  - { id: numeric-from, from: 5, to: b, needs: { realtime: true, consistency: strong } }
  - { id: Bad Id, from: a, to: b, needs: { realtime: true, consistency: strong } }
  - { id: ok, from: a, to: b, nedds: { realtime: true }, needs: { realtime: true, consistency: strong } }
");
    // Without `to`, or with a `from` that is no name, there is nothing to place in the
    // graph: the interaction is left out, and the error says why.
    assert_eq!(interaction_ids(&a), ["Bad Id", "ok"]);
    assert_eq!(at(one(&a, "M005")), (5, 7));
    assert_eq!(at(one(&a, "M003")), (6, 31));
    // An id of the wrong form still names the interaction.
    assert_eq!(at(one(&a, "M010")), (7, 11));
    assert_eq!(at(one(&a, "M002")), (8, 31));
}

#[test]
fn counts_out_of_range_or_written_as_floats_do_not_lose_the_interaction() {
    let a = run("\
version: 1
system: t
services: { a: {}, b: {} }
interactions:
  - id: x
    from: a
    to: b
    needs: { realtime: true, consistency: strong }
    uses:
      pattern: sync
      timeout_ms: 500.0
      retry: { max_attempts: 5000000000, backoff: exponential }
      ttl_ms: 99999999999999999999
");
    // Too large for its Rust type: reported at the value and left out, like any other
    // schema error (it used to pass the schema and drop the interaction unreported).
    let m004: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.code == "M004")
        .map(at)
        .collect();
    assert_eq!(m004, [(12, 30), (13, 15)], "{:#?}", codes(&a));
    assert_eq!(interaction_ids(&a), ["x"]);
    let uses = a.model.interactions[0].uses();
    // `500.0` is the integer 500, as JSON Schema reads it.
    assert_eq!(uses.timeout_ms, Some(500));
    assert_eq!(uses.retry.as_ref().and_then(|r| r.max_attempts), None);
    assert_eq!(uses.ttl_ms, None);
}

#[test]
fn a_written_uses_block_counts_even_when_its_only_field_is_left_out() {
    let a = run("\
version: 1
system: t
services: { a: {}, b: {} }
interactions:
  - id: x
    from: a
    to: b
    needs: { realtime: true, consistency: strong }
    uses: { timout_ms: 500 }
");
    assert!(a.model.interactions[0].declares_uses);
    // The design is written, so the checklist applies rather than the "not designed yet"
    // note.
    assert!(about(&a, "D002", "x").is_empty(), "{:#?}", codes(&a));
    assert_eq!(about(&a, "S001", "x").len(), 1);
}
