//! Suppressions, commsplan.toml and baselines, through the library and the binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn scratch(config: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("commsplan-sup-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("commsplan.toml"), config).unwrap();
    dir
}

/// `order → user` without a timeout (S001) and without a pool (S003); `order → mail`
/// without metrics (O001).
const SYSTEM: &str = "version: 1
system: t
services:
  order:
    suppress: SERVICE_SUPPRESS
  user: {}
  mail: {}
interactions:
  - id: get-user
    from: order
    to: user
    idempotent: true
    needs: { realtime: true, consistency: strong }
    uses:
      pattern: sync
      protocol: rest
      circuit_breaker: { failure_rate_percent: 50, min_calls: 20, open_ms: 30000 }
      metrics: true
    suppress: INTERACTION_SUPPRESS
  - id: send-mail
    from: order
    to: mail
    idempotent: true
    needs: { realtime: false, ordering: false }
    uses: { pattern: stream, protocol: kafka, dead_letter: { after_attempts: 3 }, ttl_ms: 1000, consumers: { max: 2 }, idempotency: { key: id } }
suppress: TOP_SUPPRESS
";

fn system(service: &str, interaction: &str, top: &str) -> String {
    SYSTEM
        .replace("SERVICE_SUPPRESS", service)
        .replace("INTERACTION_SUPPRESS", interaction)
        .replace("TOP_SUPPRESS", top)
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
    json: serde_json::Value,
}

fn commsplan(dir: &Path, args: &[&str], today: &str) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .current_dir(dir)
        .env("COMMSPLAN_TODAY", today)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    Out {
        code: out.status.code().unwrap(),
        json: serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null),
        stdout,
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn analyze(yaml: &str, config: &str, extra: &[&str], today: &str) -> Out {
    let dir = scratch(config);
    std::fs::write(dir.join("system.yaml"), yaml).unwrap();
    let mut args = vec!["analyze", "system.yaml", "--format", "json"];
    args.extend(extra);
    commsplan(&dir, &args, today)
}

/// (code, interaction or service, suppressed?) of each finding.
fn findings(out: &Out) -> Vec<(String, String, bool)> {
    out.json["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no JSON report: {} {}", out.stdout, out.stderr))
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["interaction"]
                    .as_str()
                    .or(f["service"].as_str())
                    .unwrap_or("")
                    .to_string(),
                f.get("suppressed").is_some(),
            )
        })
        .collect()
}

fn has(out: &Out, code: &str, suppressed: bool) -> bool {
    findings(out)
        .iter()
        .any(|(c, _, s)| c == code && *s == suppressed)
}

const NONE: &str = "[]";

#[test]
fn unsuppressed_baseline_of_the_fixture() {
    let out = analyze(&system(NONE, NONE, NONE), "", &[], "2026-01-01");
    assert!(has(&out, "S001", false), "{}", out.stdout);
    assert!(has(&out, "S003", false));
    assert!(has(&out, "O001", false));
    assert_eq!(out.code, 1, "S001 is an error");
}

#[test]
fn interaction_suppression_is_kept_in_json_with_its_reason() {
    let yaml = system(
        NONE,
        "[{ rule: S001, reason: the client library sets 2 s, by: team-a }]",
        NONE,
    );
    let out = analyze(&yaml, "", &[], "2026-01-01");
    let f = out.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "S001")
        .expect("kept in the report");
    assert_eq!(f["suppressed"]["reason"], "the client library sets 2 s");
    assert_eq!(f["suppressed"]["by"], "team-a");
    assert!(f["suppressed"]["location"]["line"].as_u64().unwrap() > 1);
    assert_eq!(out.json["summary"]["suppressed"], 1);
    assert_eq!(out.json["summary"]["errors"], 0);
    assert_eq!(out.code, 0, "only a suppressed error left");
}

#[test]
fn service_suppression_covers_its_interactions_by_prefix() {
    let yaml = system(
        "[{ rule: S, reason: order is being rewritten }]",
        NONE,
        NONE,
    );
    let out = analyze(&yaml, "", &[], "2026-01-01");
    assert!(has(&out, "S001", true) && has(&out, "S003", true));
    assert!(has(&out, "O001", false), "other families still reported");
}

#[test]
fn top_level_suppression_with_a_target() {
    let yaml = system(
        NONE,
        NONE,
        "[{ rule: O001, reason: mail metrics come from the provider, target: send-mail }]",
    );
    let out = analyze(&yaml, "", &[], "2026-01-01");
    assert!(has(&out, "O001", true));
    assert!(has(&out, "S001", false));
}

#[test]
fn expired_suppression_stops_applying_and_is_reported() {
    let yaml = system(
        NONE,
        "[{ rule: S001, reason: fixing in Q1, until: 2026-03-31 }]",
        NONE,
    );
    let before = analyze(&yaml, "", &[], "2026-03-31");
    assert!(has(&before, "S001", true), "in force through its until day");
    assert!(!has(&before, "M018", false));
    let after = analyze(&yaml, "", &[], "2026-04-01");
    assert!(has(&after, "S001", false));
    assert!(has(&after, "M018", false));
}

#[test]
fn unused_and_unknown_suppressions_are_warnings() {
    let yaml = system(
        NONE,
        "[{ rule: S009, reason: not a cached read }, { rule: S999, reason: typo }]",
        NONE,
    );
    let out = analyze(&yaml, "", &[], "2026-01-01");
    let m019: Vec<_> = out.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "M019")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(m019.len(), 2, "{m019:?}");
    assert!(m019
        .iter()
        .any(|m| m.contains("S999") && m.contains("not a rule")));
    assert!(m019
        .iter()
        .any(|m| m.contains("S009") && m.contains("matches no finding")));
    // Deselected rules do not make their suppressions "unused".
    let out = analyze(&yaml, "ignore = [\"S009\"]", &[], "2026-01-01");
    let unused = findings(&out)
        .iter()
        .filter(|(c, _, _)| c == "M019")
        .count();
    assert_eq!(unused, 1);
}

#[test]
fn config_selects_ignores_and_overrides_severity() {
    let yaml = system(NONE, NONE, NONE);
    let out = analyze(
        &yaml,
        "select = [\"S\"]\nignore = [\"S003\"]\n",
        &[],
        "2026-01-01",
    );
    let codes: Vec<String> = findings(&out).into_iter().map(|(c, _, _)| c).collect();
    assert!(codes.contains(&"S001".to_string()));
    assert!(
        !codes.iter().any(|c| c == "S003" || c == "O001"),
        "{codes:?}"
    );

    let out = analyze(&yaml, "[severity]\nS001 = \"warning\"\n", &[], "2026-01-01");
    let f = out.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "S001")
        .unwrap()
        .clone();
    assert_eq!(f["severity"], "warning");
    assert_eq!(out.code, 0);

    // The command line replaces `select` and adds to `ignore`.
    let out = analyze(
        &yaml,
        "select = [\"S\"]\n",
        &["--select", "O"],
        "2026-01-01",
    );
    let codes: Vec<String> = findings(&out).into_iter().map(|(c, _, _)| c).collect();
    assert_eq!(codes, vec!["O001".to_string()]);
}

#[test]
fn thresholds_come_from_the_config() {
    // Two sync hops: fine by default (4), over a limit of 1.
    let yaml = "version: 1
system: t
services: { a: {}, b: {}, c: {} }
interactions:
  - { id: x, from: a, to: b, needs: { realtime: true, consistency: strong }, uses: { pattern: sync } }
  - { id: y, from: b, to: c, needs: { realtime: true, consistency: strong }, uses: { pattern: sync } }
";
    let out = analyze(yaml, "", &[], "2026-01-01");
    assert!(!has(&out, "G002", false));
    let out = analyze(
        yaml,
        "[thresholds]\nmax_sync_depth = 1\n",
        &[],
        "2026-01-01",
    );
    assert!(has(&out, "G002", false));
}

#[test]
fn unknown_config_key_is_a_located_error() {
    let yaml = system(NONE, NONE, NONE);
    let out = analyze(
        &yaml,
        "select = [\"S\"]\n\n[thresholds]\nmax_sync_dept = 3\n",
        &[],
        "2026-01-01",
    );
    let f = out.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "M017")
        .expect("M017")
        .clone();
    assert!(
        f["message"].as_str().unwrap().contains("max_sync_depth"),
        "{f}"
    );
    assert_eq!(f["location"]["file"], "commsplan.toml");
    assert_eq!(f["location"]["line"], 4);
    assert_eq!(f["location"]["column"], 1);
    assert_eq!(out.code, 1);

    let out = analyze(&yaml, "select = [\"Q\"]\n", &[], "2026-01-01");
    let f = out.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "M017")
        .expect("unknown code is M017")
        .clone();
    assert_eq!(f["location"]["line"], 1);
    assert_eq!(f["location"]["column"], 11);
}

#[test]
fn unreadable_config_path_is_exit_2() {
    let dir = scratch("");
    std::fs::write(dir.join("system.yaml"), system(NONE, NONE, NONE)).unwrap();
    let out = commsplan(
        &dir,
        &["analyze", "system.yaml", "--config", "missing.toml"],
        "2026-01-01",
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("missing.toml"), "{}", out.stderr);
    let out = commsplan(
        &dir,
        &["analyze", "system.yaml", "--select", "Q9"],
        "2026-01-01",
    );
    assert_eq!(
        out.code, 2,
        "an unknown code on the command line is a usage error"
    );
}

#[test]
fn bad_commsplan_today_is_exit_2() {
    let dir = scratch("");
    std::fs::write(dir.join("system.yaml"), system(NONE, NONE, NONE)).unwrap();
    let out = commsplan(&dir, &["analyze", "system.yaml"], "2026-02-30");
    assert_eq!(out.code, 2);
}

#[test]
fn baseline_survives_moved_lines_and_reports_fixed_entries() {
    let dir = scratch("");
    let yaml = system(NONE, NONE, NONE);
    std::fs::write(dir.join("system.yaml"), &yaml).unwrap();
    let written = commsplan(
        &dir,
        &[
            "analyze",
            "system.yaml",
            "--format",
            "json",
            "--write-baseline",
            "baseline.json",
        ],
        "2026-01-01",
    );
    assert_eq!(written.code, 0, "{}", written.stderr);
    assert!(written.stderr.contains("wrote"));
    let text = std::fs::read_to_string(dir.join("baseline.json")).unwrap();
    assert!(!text.contains("\"line\""), "keyed without line numbers");
    let entries: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        entries["entries"].as_array().unwrap().len(),
        findings(&written).len()
    );

    // Lines move: a comment block on top, blank lines and comments between interactions.
    let moved = format!(
        "# a comment\n# another\n\n{}",
        yaml.replace(
            "  - id: send-mail",
            "\n  # mail goes out after the order\n  - id: send-mail"
        )
    );
    std::fs::write(dir.join("system.yaml"), &moved).unwrap();
    let out = commsplan(
        &dir,
        &[
            "analyze",
            "system.yaml",
            "--format",
            "json",
            "--baseline",
            "baseline.json",
        ],
        "2026-01-01",
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        findings(&out).iter().all(|(_, _, s)| *s),
        "all in the baseline"
    );
    assert!(out.stderr.is_empty(), "{}", out.stderr);

    // A timeout is added: S001 is fixed, everything else still matches.
    let fixed = moved.replace(
        "      protocol: rest\n",
        "      protocol: rest\n      timeout_ms: 500\n",
    );
    std::fs::write(dir.join("system.yaml"), &fixed).unwrap();
    let out = commsplan(
        &dir,
        &[
            "analyze",
            "system.yaml",
            "--format",
            "json",
            "--baseline",
            "baseline.json",
        ],
        "2026-01-01",
    );
    assert_eq!(out.code, 0);
    assert!(out.stderr.contains("fixed S001 get-user"), "{}", out.stderr);
    assert!(!out.stderr.contains("S003"), "{}", out.stderr);

    // A new problem is not in the baseline.
    // (Turned off, not left out: a file that never says `metrics` is not asked for them.)
    let worse = fixed.replace("      metrics: true\n", "      metrics: false\n");
    std::fs::write(dir.join("system.yaml"), &worse).unwrap();
    let out = commsplan(
        &dir,
        &[
            "analyze",
            "system.yaml",
            "--format",
            "json",
            "--baseline",
            "baseline.json",
            "--fail-on",
            "warning",
        ],
        "2026-01-01",
    );
    assert!(findings(&out).contains(&("O001".into(), "get-user".into(), false)));
    assert_eq!(out.code, 1);
}

#[test]
fn broken_baseline_is_exit_2() {
    let dir = scratch("");
    std::fs::write(dir.join("system.yaml"), system(NONE, NONE, NONE)).unwrap();
    std::fs::write(dir.join("b.json"), "{ not json").unwrap();
    let out = commsplan(
        &dir,
        &["analyze", "system.yaml", "--baseline", "b.json"],
        "2026-01-01",
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("b.json"));
}

#[test]
fn config_is_found_upward_from_the_file() {
    let dir = scratch("ignore = [\"S001\"]\n");
    let nested = dir.join("services/shop");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(nested.join("system.yaml"), system(NONE, NONE, NONE)).unwrap();
    let out = commsplan(
        &dir,
        &["analyze", "services/shop/system.yaml", "--format", "json"],
        "2026-01-01",
    );
    let codes: Vec<String> = findings(&out).into_iter().map(|(c, _, _)| c).collect();
    assert!(!codes.contains(&"S001".to_string()), "{codes:?}");
    assert!(codes.contains(&"S003".to_string()));
}

#[test]
fn rules_and_explain_list_the_new_rules() {
    let dir = scratch("");
    let out = commsplan(&dir, &["rules", "--format", "json"], "2026-01-01");
    assert_eq!(out.code, 0);
    let codes: Vec<&str> = out
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    for code in [
        "S001", "A008", "R003", "O001", "G004", "C003", "D002", "M017", "M018", "M019",
    ] {
        assert!(codes.contains(&code), "{code} not listed");
    }
    let out = commsplan(&dir, &["explain", "G004"], "2026-01-01");
    assert_eq!(out.code, 0);
    let doc = commsplan::rules::find("G004").unwrap().doc;
    assert!(
        out.stdout.contains(doc.trim_end()),
        "explain prints the doc beside the code"
    );
}
