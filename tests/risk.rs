//! Impact from the call graph, severity that follows it, and `--sort position|risk`.

use commsplan::analysis::{analyze, analyze_with, sort_by_risk, RunOptions};
use commsplan::finding::{Finding, Severity};
use commsplan::graph::impact::Level;
use commsplan::model::LoadOptions;
use std::path::PathBuf;
use std::process::Command;

/// `web` enters at `checkout` (SLO 99.9 %), which calls `payment` (strong consistency),
/// which calls `ledger`; a nightly `batch` worker calls `mailer`. No call has a timeout.
const SYSTEM: &str = r#"version: 1
system: risk-test
defaults:
  metrics: false
services:
  web: { kind: client }
  checkout: { slo: { availability: 99.9 } }
  payment: {}
  ledger: {}
  batch: { kind: worker }
  mailer: {}
interactions:
  - id: batch-mail
    from: batch
    to: mailer
    needs: { realtime: true, consistency: eventual, can_wait: false }
    uses: { pattern: sync, protocol: http }
  - id: web-checkout
    from: web
    to: checkout
    needs: { realtime: true, consistency: eventual, can_wait: false }
    uses: { pattern: sync, protocol: http }
  - id: checkout-payment
    from: checkout
    to: payment
    needs: { realtime: true, consistency: strong }
    uses: { pattern: sync, protocol: http }
  - id: payment-ledger
    from: payment
    to: ledger
    needs: { realtime: true, consistency: eventual, can_wait: false }
    uses: { pattern: sync, protocol: http }
"#;

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("commsplan-risk-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("system.yaml");
    std::fs::write(&path, text).expect("write system");
    path
}

fn on<'a>(findings: &'a [Finding], code: &str, interaction: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.code == code && f.interaction.as_deref() == Some(interaction))
        .unwrap_or_else(|| panic!("{code} on {interaction}"))
}

#[test]
fn impact_follows_the_sync_paths_of_slos_and_entry_points() {
    let path = write("impact", SYSTEM);
    let analysis = analyze(&[&path], &LoadOptions::default()).expect("analyzes");
    let f = &analysis.findings;
    let ledger = on(f, "S001", "payment-ledger").impact.as_ref().unwrap();
    assert_eq!(ledger.level, Level::High);
    assert_eq!(
        *ledger.reasons,
        ["on the synchronous path of `checkout` (SLO 99.9 %)"]
    );
    assert_eq!(ledger.score, 50);
    let payment = on(f, "S001", "checkout-payment").impact.as_ref().unwrap();
    assert_eq!(payment.score, 75, "{payment:?}");
    assert!(payment.reasons.contains(&"strong consistency".to_string()));
    // `web` is an entry point above the SLO: its own call is on its path, not the SLO's.
    // (S001 and S003 are not asked of a client's call; its pattern is judged by the same
    // graph.)
    let entry = on(f, "D001", "web-checkout").impact.as_ref().unwrap();
    assert_eq!(
        entry.reasons[0],
        "on the synchronous path of entry point `web`"
    );
    let side = on(f, "S001", "batch-mail").impact.as_ref().unwrap();
    assert_eq!((side.level, side.score), (Level::Low, 0));
}

#[test]
fn severity_is_lowered_on_a_side_path_only() {
    let path = write("severity", SYSTEM);
    let analysis = analyze(&[&path], &LoadOptions::default()).expect("analyzes");
    let f = &analysis.findings;
    assert_eq!(on(f, "S001", "batch-mail").severity, Severity::Warning);
    assert_eq!(on(f, "S001", "payment-ledger").severity, Severity::Error);
    assert_eq!(on(f, "S001", "checkout-payment").severity, Severity::Error);
    // D findings are not checklist findings of a call: they never move.
    for d in f.iter().filter(|f| f.code.starts_with('D')) {
        assert_eq!(
            d.severity,
            commsplan::rules::find(d.code).unwrap().severity,
            "{d:?}"
        );
    }
}

#[test]
fn a_configured_severity_wins_over_impact() {
    let path = write("configured", SYSTEM);
    let config = path.with_file_name("commsplan.toml");
    std::fs::write(&config, "[severity]\nS001 = \"error\"\n").expect("write config");
    let run = RunOptions {
        config: Some(config),
        ..RunOptions::default()
    };
    let analysis = analyze_with(&[&path], &LoadOptions::default(), &run).expect("analyzes");
    assert_eq!(
        on(&analysis.findings, "S001", "batch-mail").severity,
        Severity::Error
    );
}

#[test]
fn risk_order_puts_severity_then_impact_first_and_ties_in_position_order() {
    let path = write("order", SYSTEM);
    let analysis = analyze(&[&path], &LoadOptions::default()).expect("analyzes");
    let mut findings = analysis.findings.clone();
    sort_by_risk(&mut findings);
    let key = |f: &Finding| f.risk_key();
    assert!(findings.windows(2).all(|w| key(&w[0]) >= key(&w[1])));
    let first = &findings[0];
    assert_eq!(
        (first.code, first.interaction.as_deref()),
        ("S001", Some("checkout-payment"))
    );
    // Equal keys keep the order the analysis gave them (file order).
    let rank = |f: &Finding| analysis.findings.iter().position(|g| g == f).unwrap();
    for w in findings.windows(2) {
        if key(&w[0]) == key(&w[1]) {
            assert!(rank(&w[0]) < rank(&w[1]));
        }
    }
}

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .args(args)
        .output()
        .expect("commsplan runs");
    String::from_utf8(out.stdout).expect("utf-8")
}

fn headlines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with("error[") || l.starts_with("warning[") || l.starts_with("info["))
        .map(str::to_owned)
        .collect()
}

#[test]
fn sort_flag_orders_the_table_and_the_json_report() {
    let path = write("flag", SYSTEM);
    let file = path.to_str().unwrap();
    let table = |sort: &[&str]| {
        let mut args = vec!["analyze", file, "-q", "--color", "never"];
        args.extend(sort);
        headlines(&run(&args))
    };
    let default = table(&[]);
    assert_eq!(default, table(&["--sort", "risk"]));
    let position = table(&["--sort", "position"]);
    assert_ne!(default, position);
    assert!(default[0].starts_with("error[S001]"), "{default:?}");
    assert!(position[0].contains("batch"), "{position:?}");
    let codes = |sort: &[&str]| {
        let mut args = vec!["analyze", file, "-f", "json"];
        args.extend(sort);
        let report: serde_json::Value = serde_json::from_str(&run(&args)).expect("json");
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{} {}", f["code"], f["interaction"]))
            .collect::<Vec<_>>()
    };
    let json_default = codes(&[]);
    assert_eq!(json_default, codes(&["--sort", "position"]));
    assert_ne!(json_default, codes(&["--sort", "risk"]));
    // Deterministic: the same run twice gives the same bytes.
    assert_eq!(table(&[]), table(&[]));
}

#[test]
fn json_findings_carry_their_impact() {
    let path = write("json", SYSTEM);
    let text = run(&["analyze", path.to_str().unwrap(), "-f", "json"]);
    let report: serde_json::Value = serde_json::from_str(&text).expect("json");
    let side = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "S001" && f["interaction"] == "batch-mail")
        .expect("S001 on batch-mail");
    assert_eq!(side["severity"], "warning");
    assert_eq!(side["impact"]["level"], "low");
    assert_eq!(side["impact"]["score"], 0);
}

#[test]
fn a_long_chain_is_walked_without_recursion() {
    let hops = 20_000;
    let mut text = String::from("version: 1\nsystem: chain\nservices:\n  s0: { kind: gateway }\n");
    for i in 1..=hops {
        text.push_str(&format!("  s{i}: {{}}\n"));
    }
    text.push_str("interactions:\n");
    for i in 0..hops {
        text.push_str(&format!(
            "  - {{ id: c{i}, from: s{i}, to: s{}, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, protocol: http }} }}\n",
            i + 1
        ));
    }
    let path = write("chain", &text);
    let analysis = analyze(&[&path], &LoadOptions::default()).expect("analyzes");
    let last = format!("c{}", hops - 1);
    let impact = on(&analysis.findings, "S001", &last)
        .impact
        .as_ref()
        .unwrap();
    assert_eq!(
        impact.reasons[0],
        "on the synchronous path of entry point `s0`"
    );
}

#[test]
fn explain_risk_prints_the_scoring() {
    let text = run(&["explain", "risk"]);
    assert!(text.starts_with("Risk: how findings are ranked"), "{text}");
    let timeout = run(&["explain", "S001"]);
    assert!(timeout.contains("Risk: consequence wait (+40"), "{timeout}");
    assert!(timeout.contains("lowered one level"), "{timeout}");
    let mismatch = run(&["explain", "D001"]);
    assert!(
        mismatch.contains("Risk: consequence spread (+20"),
        "{mismatch}"
    );
    assert!(!mismatch.contains("lowered one level"), "{mismatch}");
    assert!(run(&["explain", "O001"]).contains("consequence hygiene (+0"));
    assert!(!run(&["explain", "M001"]).contains("Risk:"));
}

/// `checkout` (SLO 99.9 %) records an audit entry after each order and carries on whatever
/// the answer (`needs.realtime: false`); it also calls `stock` and waits for the answer.
const SIDE_CALL: &str = r#"version: 1
system: side-call
services:
  web: { kind: client }
  checkout: { slo: { availability: 99.9 } }
  audit: {}
  stock: {}
interactions:
  - id: web-checkout
    from: web
    to: checkout
    needs: { realtime: true, consistency: eventual, can_wait: false }
    uses: { pattern: sync, protocol: rest }
  - id: checkout-audit
    from: checkout
    to: audit
    needs: { realtime: false, ordering: false }
    uses: { pattern: sync, protocol: http }
  - id: checkout-stock
    from: checkout
    to: stock
    needs: { realtime: true, consistency: eventual, can_wait: false }
    uses: { pattern: sync, protocol: grpc }
"#;

#[test]
fn a_side_call_on_an_slo_path_is_lowered() {
    let path = write("side-call", SIDE_CALL);
    let analysis = analyze(&[&path], &LoadOptions::default()).expect("analyzes");
    let f = &analysis.findings;
    let side = on(f, "S001", "checkout-audit");
    assert_eq!(side.severity, Severity::Warning, "{side:?}");
    let impact = side.impact.as_ref().unwrap();
    assert_eq!(
        (impact.level, impact.score, impact.lowered),
        (Level::Low, 0, true)
    );
    assert!(
        impact.reasons[0].contains("needs.realtime: false"),
        "{impact:?}"
    );
    let note = commsplan::graph::impact::summary(side).expect("a lowered finding is noted");
    assert!(note.contains("severity lowered"), "{note}");
    // The call whose answer the caller waits for stays an error, and its note is left out:
    // one reason (the SLO path) says nothing the order does not.
    let waited = on(f, "S001", "checkout-stock");
    assert_eq!(waited.severity, Severity::Error);
    assert_eq!(waited.impact.as_ref().unwrap().level, Level::High);
    assert!(commsplan::graph::impact::summary(waited).is_none());
}

#[test]
fn a_side_call_that_needs_strong_consistency_is_not_lowered() {
    let strong = SIDE_CALL.replace(
        "needs: { realtime: false, ordering: false }",
        "needs: { realtime: false, ordering: false, consistency: strong }",
    );
    let path = write("side-call-strong", &strong);
    let analysis = analyze(&[&path], &LoadOptions::default()).expect("analyzes");
    let side = on(&analysis.findings, "S001", "checkout-audit");
    assert_eq!(side.severity, Severity::Error, "{side:?}");
    assert!(!side.impact.as_ref().unwrap().lowered);
}

/// A call with a fallback is an optional side path: its caller answers the failure
/// itself, so its checklist findings are lowered as a side call's are; with strong
/// consistency the fallback is wrong data, not a way out, and nothing is lowered.
#[test]
fn a_call_with_a_fallback_is_an_optional_side_path() {
    let stock = "needs: { realtime: true, consistency: eventual, can_wait: false }
    uses: { pattern: sync, protocol: grpc }";
    let with_fallback = SIDE_CALL.replace(
        stock,
        "needs: { realtime: true, consistency: eventual, can_wait: false }
    uses: { pattern: sync, protocol: grpc, fallback: stale }",
    );
    assert_ne!(with_fallback, SIDE_CALL);
    let path = write("fallback-call", &with_fallback);
    let analysis = analyze(&[&path], &LoadOptions::default()).expect("analyzes");
    let optional = on(&analysis.findings, "S001", "checkout-stock");
    assert_eq!(optional.severity, Severity::Warning, "{optional:?}");
    let impact = optional.impact.as_ref().unwrap();
    assert_eq!((impact.level, impact.lowered), (Level::Low, true));
    assert!(impact.reasons[0].contains("uses.fallback"), "{impact:?}");
    // `fallback: none` says the failure goes on up: the call is on the path.
    let none = with_fallback.replace("fallback: stale", "fallback: none");
    let path = write("fallback-none", &none);
    let analysis = analyze(&[&path], &LoadOptions::default()).expect("analyzes");
    assert_eq!(
        on(&analysis.findings, "S001", "checkout-stock").severity,
        Severity::Error
    );
    let strong = with_fallback.replace(
        "needs: { realtime: true, consistency: eventual, can_wait: false }
    uses: { pattern: sync, protocol: grpc, fallback: stale }",
        "needs: { realtime: true, consistency: strong }
    uses: { pattern: sync, protocol: grpc, fallback: stale }",
    );
    let path = write("fallback-strong", &strong);
    let analysis = analyze(&[&path], &LoadOptions::default()).expect("analyzes");
    let on_strong = on(&analysis.findings, "S001", "checkout-stock");
    assert_eq!(on_strong.severity, Severity::Error);
    assert!(!on_strong.impact.as_ref().unwrap().lowered);
}

/// The consequence of the rule weighs beside the place in the graph: on one call, a
/// missing breaker (a failure that spreads) ranks above missing metrics (hygiene), which
/// impact alone would tie and position order would put first (O001 before S004).
#[test]
fn consequence_ranks_a_spreading_failure_above_hygiene_at_the_same_place() {
    let path = write("consequence", SYSTEM);
    let mut findings = analyze(&[&path], &LoadOptions::default())
        .expect("analyzes")
        .findings;
    // No call of the file has a breaker: one finding for the file, naming checkout-payment.
    let breaker = findings
        .iter()
        .find(|f| {
            f.code == "S004"
                && f.affected
                    .iter()
                    .any(|a| a.interaction.as_deref() == Some("checkout-payment"))
        })
        .expect("S004 names checkout-payment")
        .clone();
    // Missing metrics are one finding for the file; checkout-payment scores most of its
    // members, so the group takes its impact.
    let metrics = findings
        .iter()
        .find(|f| {
            f.code == "O001"
                && f.affected
                    .iter()
                    .any(|a| a.interaction.as_deref() == Some("checkout-payment"))
        })
        .expect("O001 names checkout-payment")
        .clone();
    assert_eq!(breaker.severity, metrics.severity);
    assert_eq!(
        breaker.impact.as_ref().map(|i| i.score),
        metrics.impact.as_ref().map(|i| i.score),
        "same place in the graph"
    );
    assert!(breaker.risk_score() > metrics.risk_score());
    sort_by_risk(&mut findings);
    let at = |code: &str| {
        findings
            .iter()
            .position(|f| {
                f.code == code
                    && (f.interaction.as_deref() == Some("checkout-payment")
                        || f.affected
                            .iter()
                            .any(|a| a.interaction.as_deref() == Some("checkout-payment")))
            })
            .unwrap()
    };
    assert!(at("S004") < at("O001"), "breaker before metrics");
    // An unbounded wait on the payment path outranks both, and every warning.
    assert_eq!(findings[0].code, "S001");
    assert_eq!(findings[0].severity, Severity::Error);
}

/// A client's own call is not asked for a timeout (the person waiting is its bound); the
/// calls the system makes for it are, at full severity.
#[test]
fn a_clients_own_call_is_not_asked_for_a_timeout() {
    let path = write("client-wait", SYSTEM);
    let f = analyze(&[&path], &LoadOptions::default())
        .expect("analyzes")
        .findings;
    assert!(
        !f.iter()
            .any(|f| f.code == "S001" && f.interaction.as_deref() == Some("web-checkout")),
        "the person waiting is the timeout of a client's call"
    );
    let system = on(&f, "S001", "checkout-payment");
    assert_eq!(system.severity, Severity::Error);
    assert!(!system.impact.as_ref().unwrap().lowered);
    assert_eq!(system.impact.as_ref().unwrap().consequence, 40);
}

/// Hygiene (metrics, pooling) comes after every finding of its severity whose gap can fail
/// a request: the missing metrics of the file (the payment path among them, impact high)
/// rank below the batch call's pattern mismatch (impact low).
#[test]
fn hygiene_comes_after_every_gap_that_can_fail_a_request() {
    let path = write("hygiene", SYSTEM);
    let mut findings = analyze(&[&path], &LoadOptions::default())
        .expect("analyzes")
        .findings;
    sort_by_risk(&mut findings);
    let metrics = findings
        .iter()
        .position(|f| f.code == "O001")
        .expect("missing metrics are reported");
    let batch_mismatch = findings
        .iter()
        .position(|f| f.code == "D001" && f.interaction.as_deref() == Some("batch-mail"))
        .expect("the batch call's pattern differs from the flowchart's");
    assert_eq!(
        findings[metrics].severity, findings[batch_mismatch].severity,
        "compared at one severity"
    );
    assert!(
        findings[metrics].risk_score() > findings[batch_mismatch].risk_score(),
        "the metrics group scores more on impact alone"
    );
    assert!(batch_mismatch < metrics, "yet the mismatch comes first");
}
