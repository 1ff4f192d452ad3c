//! One finding per cause: a gap shared by several interactions (a value in `defaults`, one
//! caller's client, one entry point, one channel) is reported once, naming every
//! interaction it affects, in every format; suppressions and baselines still work per
//! interaction.

use commsplan::analysis::{analyze, analyze_with, Analysis, RunOptions};
use commsplan::baseline;
use commsplan::finding::{Finding, Severity};
use commsplan::model::LoadOptions;
use commsplan::report::{self, paths::Paths, Format};
use serde_json::Value;
use std::path::Path;

const FIXTURE: &str = "tests/fixtures/grouped.yaml";

fn load(path: &str) -> Analysis {
    analyze(&[path], &LoadOptions::default()).expect("analysis runs")
}

fn render(format: Format, analysis: &Analysis) -> String {
    let paths = Paths::with_cwd(Path::new(env!("CARGO_MANIFEST_DIR")), None);
    let context = report::Context {
        paths: &paths,
        fail_on: Some(Severity::Warning),
    };
    let emitter = report::emitter(format, report::Options::default());
    report::to_string(emitter.as_ref(), analysis, &context)
}

fn affected_ids(f: &Finding) -> Vec<&str> {
    f.affected
        .iter()
        .filter_map(|a| a.interaction.as_deref())
        .collect()
}

fn active<'a>(analysis: &'a Analysis, code: &str) -> Vec<&'a Finding> {
    analysis
        .findings
        .iter()
        .filter(|f| f.code == code && f.suppressed.is_none())
        .collect()
}

#[test]
fn one_finding_per_cause() {
    let analysis = load(FIXTURE);
    // The channel: one A001 for the three subscriptions of `orders`.
    let dlq = active(&analysis, "A001");
    assert_eq!(dlq.len(), 1);
    assert_eq!(
        affected_ids(dlq[0]),
        ["order-to-billing", "order-to-shipping", "order-to-audit"]
    );
    assert!(dlq[0]
        .message
        .contains("channel `orders`, shared by 3 interactions"));
    // The entry point: one R001 for every route entering at `web`.
    let limits = active(&analysis, "R001");
    assert_eq!(limits.len(), 1);
    assert_eq!(limits[0].affected.len(), 6);
    // The caller's client: retries from `defaults` without backoff on all three calls.
    let retries = active(&analysis, "S006");
    assert_eq!(retries.len(), 1);
    assert_eq!(
        affected_ids(retries[0]),
        ["web-catalog", "web-stock", "web-prices"]
    );
    // The group's own interaction is its first member; each member keeps its message.
    assert_eq!(retries[0].interaction.as_deref(), Some("web-catalog"));
    assert!(retries[0].affected[1].message.contains("`web → stock`"));
    // A rule about one interaction at a time is not grouped.
    assert_eq!(active(&analysis, "A004").len(), 3);
    // Counts: a group is one finding.
    assert_eq!(analysis.count(Severity::Error), 1);
}

#[test]
fn a_suppression_removes_one_member_only() {
    let analysis = load(FIXTURE);
    let timeouts = active(&analysis, "S001");
    assert_eq!(timeouts.len(), 1);
    assert_eq!(affected_ids(timeouts[0]), ["web-catalog", "web-prices"]);
    let suppressed: Vec<_> = analysis
        .findings
        .iter()
        .filter(|f| f.code == "S001" && f.suppressed.is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0].interaction.as_deref(), Some("web-stock"));
    assert!(suppressed[0].affected.is_empty());
    assert_eq!(analysis.suppressed(), 1);
}

#[test]
fn baselines_match_per_member() {
    let dir = std::env::temp_dir().join(format!("commsplan-grouping-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let analysis = load(FIXTURE);
    let entries = baseline::entries(&analysis.findings);
    // Written per interaction: the S006 group gives three entries.
    let retry_entries: Vec<_> = entries.iter().filter(|e| e.code == "S006").collect();
    assert_eq!(retry_entries.len(), 3);
    // A baseline that holds only `web-stock`'s S006 takes that member out of the group.
    let one: Vec<_> = retry_entries
        .into_iter()
        .filter(|e| e.interaction.as_deref() == Some("web-stock"))
        .cloned()
        .collect();
    let path = dir.join("baseline.json");
    baseline::write(&path, &one).unwrap();
    let run = RunOptions {
        baseline: Some(path),
        ..RunOptions::default()
    };
    let with = analyze_with(&[FIXTURE], &LoadOptions::default(), &run).unwrap();
    let retries = active(&with, "S006");
    assert_eq!(retries.len(), 1);
    assert_eq!(affected_ids(retries[0]), ["web-catalog", "web-prices"]);
    assert!(with.baseline_fixed.is_empty());
    assert_eq!(with.suppressed(), analysis.suppressed() + 1);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_format_names_the_members() {
    let analysis = load(FIXTURE);
    let json: Value = serde_json::from_str(&render(Format::Json, &analysis)).unwrap();
    let group = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "A001")
        .unwrap();
    let members: Vec<&str> = group["affected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["interaction"].as_str().unwrap())
        .collect();
    assert_eq!(
        members,
        ["order-to-billing", "order-to-shipping", "order-to-audit"]
    );
    assert!(group["affected"][2]["location"]["line"].is_u64());
    // v1 fields keep their meaning: one interaction, the first affected.
    assert_eq!(group["interaction"], "order-to-billing");

    let sarif: Value = serde_json::from_str(&render(Format::Sarif, &analysis)).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "S006")
        .unwrap();
    let related = result["relatedLocations"].as_array().unwrap();
    for id in ["web-catalog", "web-stock", "web-prices"] {
        assert!(
            related
                .iter()
                .any(|r| r["message"]["text"].as_str().unwrap().contains(id)),
            "{id}: {related:?}"
        );
    }
    for format in [
        Format::Github,
        Format::Gitlab,
        Format::Junit,
        Format::Markdown,
        Format::Table,
    ] {
        let text = render(format, &analysis);
        for id in ["order-to-billing", "order-to-shipping", "order-to-audit"] {
            assert!(
                text.lines()
                    .any(|l| l.contains("dead-letter") && l.contains(id)),
                "{format:?} names {id} on the A001 line: {text}"
            );
        }
    }
    insta::assert_snapshot!("grouped.json", render(Format::Json, &analysis));
    insta::assert_snapshot!("grouped.table", render(Format::Table, &analysis));
}

#[test]
fn grouping_is_deterministic() {
    let first = render(Format::Json, &load(FIXTURE));
    for _ in 0..3 {
        assert_eq!(render(Format::Json, &load(FIXTURE)), first);
    }
}

/// Two callers take their database settings from one anchor, one whole and one merged;
/// the anchor has no timeout.
const ANCHORED: &str = r#"version: 1
system: anchored
x-db: &db
  pattern: sync
  protocol: postgres
  pool: { keep_alive: true, max_connections: 10 }
  circuit_breaker: { failure_rate_percent: 50, min_calls: 20, open_ms: 30000, half_open_calls: 3 }
  metrics: true
services:
  orders: {}
  billing: {}
  db: { kind: external }
interactions:
  - id: orders-db
    from: orders
    to: db
    idempotent: true
    needs: { realtime: true, consistency: strong }
    uses: *db
  - id: billing-db
    from: billing
    to: db
    idempotent: true
    needs: { realtime: true, consistency: strong }
    uses:
      <<: *db
      serialization: binary
"#;

#[test]
fn a_gap_in_an_anchor_is_one_finding_at_the_anchor() {
    let dir = std::env::temp_dir().join(format!("commsplan-anchored-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("system.yaml");
    std::fs::write(&path, ANCHORED).unwrap();
    let analysis = analyze(&[&path], &LoadOptions::default()).unwrap();
    let timeouts = active(&analysis, "S001");
    assert_eq!(timeouts.len(), 1, "{timeouts:?}");
    assert_eq!(affected_ids(timeouts[0]), ["orders-db", "billing-db"]);
    let at = timeouts[0].location.as_ref().unwrap();
    // `&db` on line 3, column 7.
    assert_eq!((at.line, at.column), (3, 7));
    assert!(
        timeouts[0].message.contains("`&db`"),
        "{}",
        timeouts[0].message
    );

    // With a timeout in one caller's own block, the other is reported alone, as before.
    let fixed = ANCHORED.replace(
        "      serialization: binary\n",
        "      serialization: binary\n      timeout_ms: 500\n",
    );
    std::fs::write(&path, fixed).unwrap();
    let analysis = analyze(&[&path], &LoadOptions::default()).unwrap();
    let timeouts = active(&analysis, "S001");
    assert_eq!(timeouts.len(), 1);
    assert!(timeouts[0].affected.is_empty());
    assert_eq!(timeouts[0].interaction.as_deref(), Some("orders-db"));
    // Reported where it is, with the anchor's sharing in the help: adding the timeout to
    // `&db` also changes billing-db, which has its own.
    let help = timeouts[0].help.as_deref().unwrap_or("");
    assert!(
        help.contains("takes the block `&db`")
            && help.contains(":3:7")
            && help.contains("which 2 `uses:` blocks take")
            && help.contains("<<: *db"),
        "{help}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The anchor is found where YAML defines it: at the start of a word, after the other
/// anchors of its line, its column counted in characters; not in a comment's `x&db`.
#[test]
fn a_shared_anchor_is_located_among_others_on_its_line() {
    let text = ANCHORED
        .replace("system: anchored\n", "system: anchored\n# the x&db block below\n")
        .replace(
            "x-db: &db\n  pattern: sync\n  protocol: postgres\n  pool: { keep_alive: true, max_connections: 10 }\n  circuit_breaker: { failure_rate_percent: 50, min_calls: 20, open_ms: 30000, half_open_calls: 3 }\n  metrics: true\n",
            "x-all: [&é1 1, &db {pattern: sync, protocol: postgres, pool: {keep_alive: true, max_connections: 10}, circuit_breaker: {failure_rate_percent: 50, min_calls: 20, open_ms: 30000, half_open_calls: 3}, metrics: true}]\n",
        );
    assert!(text.contains("x-all"), "the fixture changed");
    let analysis = analyze_text("anchor-on-a-line", &text);
    let timeouts = active(&analysis, "S001");
    assert_eq!(timeouts.len(), 1, "{timeouts:#?}");
    assert_eq!(affected_ids(timeouts[0]), ["orders-db", "billing-db"]);
    let at = timeouts[0].location.as_ref().unwrap();
    // `x-all: [&é1 1, ` is 15 characters (17 bytes): `&db` starts at column 16.
    assert_eq!((at.line, at.column, at.end_column), (4, 16, 19));
}

#[test]
fn explain_shows_an_interaction_its_share_of_a_group() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .args(["explain", FIXTURE, "web-prices"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let findings = &text[text.find("findings (").expect("a findings section")..];
    // The members on `web-prices` of the R001, S001 and S006 groups, as found there.
    assert!(findings.starts_with("findings (3):"), "{findings}");
    let timeout = findings
        .lines()
        .find(|l| l.contains("error [S001]"))
        .expect("the S001 member");
    assert!(timeout.contains("`web → prices`"), "{findings}");
    assert!(!findings.contains("web-catalog"), "{findings}");
}

const READS: &str = r#"version: 1
system: reads
defaults:
  serialization: json
services:
  web: { kind: gateway }
  catalog: {}
  prices: {}
  stock: {}
  search: {}
interactions:
  - id: web-search
    from: web
    to: search
    needs: { realtime: true, consistency: strong }
    uses: { pattern: sync, protocol: grpc, timeout_ms: 500, metrics: true }
  - id: web-catalog
    from: web
    to: catalog
    needs: { realtime: true, consistency: eventual, can_wait: true }
    uses: { pattern: sync, protocol: http, timeout_ms: 500 }
  - id: web-prices
    from: web
    to: prices
    needs: { realtime: true, consistency: eventual, can_wait: true }
    uses: { pattern: sync, protocol: http, timeout_ms: 500 }
  - id: web-stock
    from: web
    to: stock
    needs: { realtime: false, ordering: false }
    uses: { pattern: sync, protocol: http, timeout_ms: 500 }
"#;

fn analyze_text(name: &str, text: &str) -> Analysis {
    let dir = std::env::temp_dir().join(format!("commsplan-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("system.yaml");
    std::fs::write(&path, text).unwrap();
    let analysis = analyze(&[&path], &LoadOptions::default()).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    analysis
}

#[test]
fn missing_metrics_are_one_finding_per_file_at_its_defaults() {
    let analysis = analyze_text("metrics", READS);
    let metrics = active(&analysis, "O001");
    assert_eq!(metrics.len(), 1, "{metrics:?}");
    assert_eq!(
        affected_ids(metrics[0]),
        ["web-catalog", "web-prices", "web-stock"]
    );
    // `defaults:` on line 3, column 1: where one line fixes all three.
    let at = metrics[0].location.as_ref().unwrap();
    assert_eq!((at.line, at.column), (3, 1));
    assert!(metrics[0]
        .help
        .as_deref()
        .is_some_and(|h| h.contains("`defaults:`")));
    // Metrics declared in `defaults` leave nothing to report.
    let declared = READS.replace(
        "  serialization: json\n",
        "  serialization: json\n  metrics: true\n",
    );
    assert!(active(&analyze_text("metrics-set", &declared), "O001").is_empty());
}

#[test]
fn one_callers_reads_with_the_same_answers_are_one_decision() {
    let analysis = analyze_text("decision", READS);
    let mismatches = active(&analysis, "D001");
    // The two eventual reads share their answers; the third call answers differently and
    // is its own decision.
    assert_eq!(mismatches.len(), 2, "{mismatches:?}");
    let grouped = mismatches
        .iter()
        .find(|f| !f.affected.is_empty())
        .expect("a group");
    assert_eq!(affected_ids(grouped), ["web-catalog", "web-prices"]);
    let alone = mismatches.iter().find(|f| f.affected.is_empty()).unwrap();
    assert_eq!(alone.interaction.as_deref(), Some("web-stock"));
}

/// `a` calls `x` and `y`, `b` calls `x`; none has a breaker unless `a-y` gets `breaker`.
fn breakers(breaker: &str) -> String {
    let call = |id: &str, from: &str, to: &str, extra: &str| {
        format!("  - {{ id: {id}, from: {from}, to: {to}, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, protocol: rest, timeout_ms: 500{extra} }} }}\n")
    };
    format!(
        "version: 1\nsystem: t\nservices:\n  a: {{}}\n  b: {{}}\n  x: {{}}\n  y: {{}}\ninteractions:\n{}{}{}",
        call("a-x", "a", "x", ""),
        call("a-y", "a", "y", breaker),
        call("b-x", "b", "x", ""),
    )
}

/// A file where no call has a circuit breaker says so once; once one call has one, the
/// callee that two callers leave unguarded is one finding, and a call only its own caller
/// leaves unguarded is reported alone.
#[test]
fn missing_breakers_are_one_finding_per_file_then_per_unguarded_callee() {
    let none = analyze_text("breakers-none", &breakers(""));
    let s004 = active(&none, "S004");
    assert_eq!(s004.len(), 1, "{s004:?}");
    assert_eq!(affected_ids(s004[0]), ["a-x", "a-y", "b-x"]);
    assert!(s004[0]
        .message
        .contains("not one call of the file has a circuit breaker"));

    let one = analyze_text(
        "breakers-one",
        &breakers(", circuit_breaker: { failure_rate_percent: 50, min_calls: 20, open_ms: 30000, half_open_calls: 5 }"),
    );
    let s004 = active(&one, "S004");
    assert_eq!(s004.len(), 1, "{s004:?}");
    assert_eq!(affected_ids(s004[0]), ["a-x", "b-x"]);
    assert!(
        s004[0].message.contains("no caller of `x` listed has one"),
        "{}",
        s004[0].message
    );
    // Reported at the callee's declaration (line 6: `  x: {}`).
    assert_eq!(s004[0].location.as_ref().map(|l| l.line), Some(6));
}

/// `gw-a` defines the anchor in its own `uses:`; `a-b` takes it whole and `gw-b` merges it.
const INLINE_ANCHOR: &str = "version: 1
system: t
services:
  gw: { kind: gateway }
  a: { slo: { latency_p99_ms: 500 } }
  b: { slo: { latency_p99_ms: 500 } }
interactions:
  - id: gw-a
    from: gw
    to: a
    idempotent: true
    needs: { realtime: true, consistency: strong }
    uses: &base
      pattern: sync
      protocol: rest
      timeout_ms: 100
      retry: { max_attempts: 4 }
  - id: a-b
    from: a
    to: b
    idempotent: true
    needs: { realtime: true, consistency: strong }
    uses: *base
  - id: gw-b
    from: gw
    to: b
    idempotent: true
    needs: { realtime: true, consistency: strong }
    uses:
      <<: *base
      client: axios
";

/// Through an anchor defined inside an interaction, the owner and the takers of a value
/// get one finding at the value, whichever rule reports it: a value written once
/// (S002's timeout, S006's retry), a gap in the anchor (S003's pool). No rule reports the
/// owner apart from its takers at the same place.
#[test]
fn an_anchor_inside_an_interaction_is_one_cause_for_its_owner_and_takers() {
    let analysis = analyze_text("inline-anchor", INLINE_ANCHOR);
    for (code, line) in [("S002", 16), ("S006", 17), ("S003", 13)] {
        let found = active(&analysis, code);
        assert_eq!(found.len(), 1, "{code}: {found:#?}");
        assert_eq!(affected_ids(found[0]), ["gw-a", "a-b", "gw-b"], "{code}");
        assert_eq!(
            found[0].location.as_ref().map(|l| l.line),
            Some(line),
            "{code}"
        );
    }
    // Every finding about the anchor's own values points inside the anchor's block.
    for f in analysis
        .findings
        .iter()
        .filter(|f| ["S002", "S006", "G003", "G004"].contains(&f.code))
    {
        let line = f.location.as_ref().unwrap().line;
        assert!((13..=17).contains(&line), "{}: {line}", f.code);
    }
    // A rate limit is where traffic enters: one R001 at `gw`, not at the shared block.
    let r001 = active(&analysis, "R001");
    assert_eq!(r001.len(), 1, "{r001:#?}");
    assert_eq!(r001[0].location.as_ref().map(|l| l.line), Some(4));
}
