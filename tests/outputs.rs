//! The CI output formats on the examples and the hostile fixtures: snapshots of each
//! format, plus the properties the consumers rely on (suppressions, fingerprints,
//! escaping, argument pairing, exit codes).

use commsplan::analysis::{analyze, Analysis};
use commsplan::finding::{Severity, Suppressed};
use commsplan::model::LoadOptions;
use commsplan::report::{github, gitlab, junit, markdown, paths::Paths, sarif, statistics};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const INPUTS: [(&str, &str); 3] = [
    ("ecommerce", "examples/ecommerce.yaml"),
    ("hostile_names", "tests/fixtures/hostile-names.yaml"),
    ("hostile_findings", "tests/fixtures/hostile-findings.yaml"),
];

fn load(path: &str) -> Analysis {
    analyze(&[path], &LoadOptions::default()).expect("analysis runs")
}

fn repo_paths() -> Paths {
    Paths::with_cwd(Path::new(env!("CARGO_MANIFEST_DIR")), None)
}

/// The SARIF log without the rule table and rule indexes, which change whenever a rule
/// is added anywhere (`sarif_is_clean_json_with_every_rule` checks the table). Each
/// index is checked against its `ruleId` before it is dropped.
fn sarif_without_rules(text: &str) -> String {
    let mut log: Value = serde_json::from_str(text).unwrap();
    let run = &mut log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].take();
    for result in run["results"].as_array_mut().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        result.as_object_mut().unwrap().remove("ruleIndex");
    }
    run["tool"]["driver"]
        .as_object_mut()
        .unwrap()
        .remove("rules");
    serde_json::to_string_pretty(&log).unwrap() + "\n"
}

#[test]
fn snapshots_of_every_format() {
    let paths = repo_paths();
    for (name, input) in INPUTS {
        let analysis = load(input);
        insta::assert_snapshot!(
            format!("{name}.sarif"),
            sarif_without_rules(&sarif::render(&analysis, &paths))
        );
        insta::assert_snapshot!(format!("{name}.github"), github::render(&analysis, &paths));
        insta::assert_snapshot!(
            format!("{name}.junit"),
            junit::render(&analysis, &paths, Some(Severity::Warning))
        );
        insta::assert_snapshot!(format!("{name}.gitlab"), gitlab::render(&analysis, &paths));
        insta::assert_snapshot!(
            format!("{name}.md"),
            markdown::render(&analysis, &paths, &markdown::Options { quiet: false })
        );
    }
}

#[test]
fn sarif_is_clean_json_with_every_rule() {
    let analysis = load("examples/minimal.yaml");
    let log: Value = serde_json::from_str(&sarif::render(&analysis, &repo_paths())).unwrap();
    assert_eq!(log["$schema"], sarif::SCHEMA);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    // GitHub requires the array even when there is nothing to report.
    assert_eq!(run["results"], Value::Array(vec![]));
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), commsplan::rules::registry().len());
    for rule in rules {
        for key in ["id", "name", "shortDescription", "fullDescription", "help"] {
            assert!(!rule[key].is_null(), "rule {} lacks {key}", rule["id"]);
        }
        assert!(["error", "warning", "note"]
            .contains(&rule["defaultConfiguration"]["level"].as_str().unwrap()));
    }
}

#[test]
fn suppressed_findings_are_sarif_suppressions_and_not_annotations() {
    let mut analysis = load("tests/fixtures/hostile-names.yaml");
    assert_eq!(analysis.findings.len(), 1, "the fixture has one D001");
    let at = analysis.findings[0].location.clone();
    analysis.findings[0].suppressed = Some(Suppressed {
        reason: "the external API only takes messages".into(),
        by: Some("team-orders".into()),
        until: None,
        location: at,
    });
    let paths = repo_paths();
    let log: Value = serde_json::from_str(&sarif::render(&analysis, &paths)).unwrap();
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "D001");
    assert_eq!(result["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        result["suppressions"][0]["justification"],
        "the external API only takes messages (by team-orders)"
    );
    assert_eq!(github::render(&analysis, &paths), "");
    assert_eq!(gitlab::render(&analysis, &paths), "[]\n");
    let xml = junit::render(&analysis, &paths, Some(Severity::Info));
    assert!(!xml.contains("<failure"), "{xml}");
    assert!(xml.contains("suppressed: the external API"), "{xml}");
    let md = markdown::render(&analysis, &paths, &markdown::Options { quiet: false });
    assert!(
        md.contains("<details><summary>Suppressed (1)</summary>"),
        "{md}"
    );
    assert!(md.contains("No findings."), "{md}");
    // A baseline entry has no place in the file.
    analysis.findings[0].suppressed.as_mut().unwrap().location = None;
    let log: Value = serde_json::from_str(&sarif::render(&analysis, &paths)).unwrap();
    assert_eq!(
        log["runs"][0]["results"][0]["suppressions"][0]["kind"],
        "external"
    );
}

#[test]
fn fingerprints_survive_moved_lines() {
    let base = std::env::temp_dir().join(format!("commsplan-fp-{}", std::process::id()));
    let text = std::fs::read_to_string("examples/ecommerce.yaml").unwrap();
    let moved = format!("# a comment\n# and another\n\n{text}");
    let mut runs = Vec::new();
    for (dir, body) in [("a", &text), ("b", &moved)] {
        let root = base.join(dir);
        std::fs::create_dir_all(&root).unwrap();
        let file = root.join("arch.yaml");
        std::fs::write(&file, body).unwrap();
        let analysis = analyze(&[&file], &LoadOptions::default()).unwrap();
        let paths = Paths::with_cwd(&root, None);
        let log: Value = serde_json::from_str(&sarif::render(&analysis, &paths)).unwrap();
        runs.push(log["runs"][0]["results"].as_array().unwrap().clone());
    }
    std::fs::remove_dir_all(&base).unwrap();
    let (a, b) = (&runs[0], &runs[1]);
    assert!(!a.is_empty());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        let line = |r: &Value| r["locations"][0]["physicalLocation"]["region"]["startLine"].clone();
        assert_eq!(line(y).as_i64().unwrap(), line(x).as_i64().unwrap() + 3);
        assert_eq!(x["partialFingerprints"], y["partialFingerprints"]);
        assert_eq!(
            x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "arch.yaml"
        );
    }
}

#[test]
fn statistics_count_per_rule() {
    let analysis = load("examples/ecommerce.yaml");
    let counts = statistics::counts(&analysis);
    assert_eq!(counts.len(), 1);
    assert_eq!((counts[0].code, counts[0].count), ("D001", 3));
    assert_eq!(
        statistics::render_text(&analysis),
        "3  D001  warning  pattern-mismatch\n"
    );
    let analysis = load("tests/fixtures/hostile-findings.yaml");
    let codes: Vec<&str> = statistics::counts(&analysis)
        .iter()
        .map(|c| c.code)
        .collect();
    // Most frequent first, then ties by code.
    assert_eq!(codes, ["M007", "M002", "M011"]);
}

fn commsplan(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("commsplan runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn several_formats_in_one_run() {
    let dir = std::env::temp_dir().join(format!("commsplan-multi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sarif_path = dir.join("out.sarif");
    let junit_path = dir.join("out.xml");
    let (code, stdout, _) = commsplan(&[
        "analyze",
        "tests/fixtures/hostile-findings.yaml",
        "-f",
        "sarif",
        "-o",
        sarif_path.to_str().unwrap(),
        "-f",
        "github",
        "--format",
        "junit",
        "--output",
        junit_path.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "errors found");
    assert_eq!(stdout.lines().count(), 4);
    assert!(stdout.starts_with("::error title=M007 unknown-service,"));
    let sarif_text = std::fs::read_to_string(&sarif_path).unwrap();
    assert!(sarif_text.contains("\"ruleId\": \"M011\""));
    assert!(std::fs::read_to_string(&junit_path)
        .unwrap()
        .starts_with("<?xml"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_single_json_form_is_unchanged() {
    let (code, stdout, _) = commsplan(&["analyze", "examples/ecommerce.yaml", "--format", "json"]);
    assert_eq!(code, 0);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["summary"]["warnings"], 3);
    let file = std::env::temp_dir().join(format!("commsplan-json-{}.json", std::process::id()));
    // `-o` before `-f` still pairs when there is one of each.
    let (code, stdout, _) = commsplan(&[
        "analyze",
        "examples/ecommerce.yaml",
        "-o",
        file.to_str().unwrap(),
        "-f",
        "json",
    ]);
    assert_eq!((code, stdout.as_str()), (0, ""));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(written, report);
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn unpaired_outputs_are_argument_errors() {
    let (code, _, stderr) = commsplan(&[
        "analyze",
        "examples/minimal.yaml",
        "-o",
        "x.sarif",
        "-f",
        "sarif",
        "-f",
        "github",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`--output x.sarif` has no `--format` before it"),
        "{stderr}"
    );
    let (code, _, stderr) = commsplan(&[
        "analyze",
        "examples/minimal.yaml",
        "-f",
        "sarif",
        "-f",
        "github",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("would all write to standard output"),
        "{stderr}"
    );
    let (code, _, stderr) = commsplan(&[
        "analyze",
        "examples/minimal.yaml",
        "-f",
        "sarif",
        "--statistics",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--statistics"), "{stderr}");
}

#[test]
fn quiet_and_statistics_on_the_command_line() {
    let (code, stdout, _) = commsplan(&[
        "analyze",
        "examples/ecommerce.yaml",
        "--quiet",
        "--color",
        "never",
    ]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("warning[D001]"), "{stdout}");
    assert!(!stdout.contains("from → to"), "no table: {stdout}");
    assert!(
        !stdout.contains("shop: 23 interactions"),
        "no summary: {stdout}"
    );
    let (code, stdout, _) = commsplan(&["analyze", "examples/minimal.yaml", "-q"]);
    assert_eq!((code, stdout.as_str()), (0, ""));
    let (_, stdout, _) = commsplan(&["analyze", "examples/ecommerce.yaml", "-q", "-f", "markdown"]);
    assert!(!stdout.contains("### Interactions"), "{stdout}");
    assert!(stdout.contains("#### Warnings (3)"), "{stdout}");
    let (_, stdout, _) = commsplan(&["analyze", "examples/ecommerce.yaml", "--statistics"]);
    assert_eq!(stdout, "3  D001  warning  pattern-mismatch\n");
    let (_, stdout, _) = commsplan(&[
        "analyze",
        "examples/ecommerce.yaml",
        "--statistics",
        "-f",
        "json",
    ]);
    let counts: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(counts[0]["code"], "D001");
    assert_eq!(counts[0]["count"], 3);
}

#[test]
fn junit_fails_only_at_the_fail_on_level() {
    let analysis = load("examples/ecommerce.yaml");
    let paths = repo_paths();
    let at_error = junit::render(&analysis, &paths, Some(Severity::Error));
    assert!(!at_error.contains("<failure"));
    assert_eq!(at_error.matches("<system-out>").count(), 3);
    let at_warning = junit::render(&analysis, &paths, Some(Severity::Warning));
    assert_eq!(at_warning.matches("<failure").count(), 3);
    // junit-10.xsd has no `skipped` on <testsuites>, only on <testsuite>.
    let root = at_warning.lines().nth(1).unwrap();
    assert!(
        root.starts_with("<testsuites ") && !root.contains("skipped"),
        "{root}"
    );
}
