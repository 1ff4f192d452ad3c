//! The CI output formats on the examples and the hostile fixtures: snapshots of each
//! format, plus the properties the consumers rely on (suppressions, fingerprints,
//! escaping, argument pairing, exit codes).

use commsplan::analysis::{analyze, analyze_with, Analysis, RunOptions};
use commsplan::finding::{Severity, Suppressed};
use commsplan::model::LoadOptions;
use commsplan::report::{self, paths::Paths, sarif, statistics, Format};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const INPUTS: [(&str, &str); 4] = [
    ("ecommerce", "examples/ecommerce.yaml"),
    ("hostile_names", "tests/fixtures/hostile-names.yaml"),
    ("hostile_findings", "tests/fixtures/hostile-findings.yaml"),
    ("grouped", "tests/fixtures/grouped.yaml"),
];

fn load(path: &str) -> Analysis {
    analyze(&[path], &LoadOptions::default()).expect("analysis runs")
}

/// The analysis with only the rules whose code starts with one of `select` (as
/// `--select`): the decision rule alone gives a file a known, small set of findings.
fn load_selected(path: &str, select: &[&str]) -> Analysis {
    let run = RunOptions {
        select: Some(select.iter().map(|s| s.to_string()).collect()),
        ..RunOptions::default()
    };
    analyze_with(&[path], &LoadOptions::default(), &run).expect("analysis runs")
}

/// Unsuppressed findings per rule code, counted from a JSON report's `findings`.
fn counts_in_report(report: &Value) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        if f.get("suppressed").is_none() {
            *counts
                .entry(f["code"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    counts
}

/// The exit code FORMAT.md §5 gives a report at the default `--fail-on error`.
fn expected_exit(report: &Value) -> i32 {
    i32::from(report["summary"]["errors"].as_u64().unwrap() > 0)
}

fn repo_paths() -> Paths {
    Paths::with_cwd(Path::new(env!("CARGO_MANIFEST_DIR")), None)
}

/// A report of `format` held whole, at `--fail-on warning` (the default options).
fn render(format: Format, analysis: &Analysis, paths: &Paths) -> String {
    render_at(format, analysis, paths, Some(Severity::Warning))
}

fn render_at(
    format: Format,
    analysis: &Analysis,
    paths: &Paths,
    fail_on: Option<Severity>,
) -> String {
    let context = report::Context { paths, fail_on };
    let emitter = report::emitter(format, report::Options::default());
    report::to_string(emitter.as_ref(), analysis, &context)
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
            sarif_without_rules(&render(Format::Sarif, &analysis, &paths))
        );
        insta::assert_snapshot!(
            format!("{name}.github"),
            render(Format::Github, &analysis, &paths)
        );
        insta::assert_snapshot!(
            format!("{name}.junit"),
            render_at(Format::Junit, &analysis, &paths, Some(Severity::Warning))
        );
        insta::assert_snapshot!(
            format!("{name}.gitlab"),
            render(Format::Gitlab, &analysis, &paths)
        );
        insta::assert_snapshot!(
            format!("{name}.md"),
            render(Format::Markdown, &analysis, &paths)
        );
    }
}

#[test]
fn sarif_is_clean_json_with_every_rule() {
    let analysis = load("examples/minimal.yaml");
    let log: Value =
        serde_json::from_str(&render(Format::Sarif, &analysis, &repo_paths())).unwrap();
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
    // The checklist rules report more on this fixture; the decision rule reports one D001.
    let mut analysis = load_selected("tests/fixtures/hostile-names.yaml", &["D"]);
    assert_eq!(analysis.findings.len(), 1, "the fixture has one D001");
    assert_eq!(analysis.findings[0].code, "D001");
    let at = analysis.findings[0].location.clone();
    analysis.findings[0].suppressed = Some(Box::new(Suppressed {
        reason: "the external API only takes messages".into(),
        by: Some("team-orders".into()),
        until: None,
        location: at,
    }));
    let paths = repo_paths();
    let log: Value = serde_json::from_str(&render(Format::Sarif, &analysis, &paths)).unwrap();
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "D001");
    assert_eq!(result["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        result["suppressions"][0]["justification"],
        "the external API only takes messages (by team-orders)"
    );
    assert_eq!(render(Format::Github, &analysis, &paths), "");
    assert_eq!(render(Format::Gitlab, &analysis, &paths), "[]\n");
    let xml = render_at(Format::Junit, &analysis, &paths, Some(Severity::Info));
    assert!(!xml.contains("<failure"), "{xml}");
    assert!(xml.contains("suppressed: the external API"), "{xml}");
    let md = render(Format::Markdown, &analysis, &paths);
    assert!(
        md.contains("<details><summary>Suppressed (1)</summary>"),
        "{md}"
    );
    assert!(md.contains("No findings."), "{md}");
    // A baseline entry has no place in the file.
    analysis.findings[0].suppressed.as_mut().unwrap().location = None;
    let log: Value = serde_json::from_str(&render(Format::Sarif, &analysis, &paths)).unwrap();
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
        let log: Value = serde_json::from_str(&render(Format::Sarif, &analysis, &paths)).unwrap();
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
    for input in [
        "examples/ecommerce.yaml",
        "tests/fixtures/hostile-findings.yaml",
    ] {
        let analysis = load(input);
        // Counted independently: unsuppressed findings per code and severity.
        let mut expected: BTreeMap<(&str, Severity), usize> = BTreeMap::new();
        for f in analysis.findings.iter().filter(|f| f.suppressed.is_none()) {
            *expected.entry((f.code, f.severity)).or_default() += 1;
        }
        let counts = statistics::counts(&analysis);
        let got: BTreeMap<(&str, Severity), usize> = counts
            .iter()
            .map(|c| ((c.code, c.severity), c.count))
            .collect();
        assert_eq!(got, expected, "{input}");
        assert_eq!(
            counts.len(),
            got.len(),
            "one line per code and severity: {input}"
        );
        // Most frequent first, then ties by code, the most severe first; both files have
        // ties.
        for pair in counts.windows(2) {
            assert!(
                (pair[1].count, pair[0].code, pair[1].severity)
                    < (pair[0].count, pair[1].code, pair[0].severity),
                "{input}: {} ({}) before {} ({})",
                pair[0].code,
                pair[0].count,
                pair[1].code,
                pair[1].count
            );
        }
        assert!(
            counts.windows(2).any(|p| p[0].count == p[1].count),
            "{input} exercises the tie-break"
        );
    }
    // ecommerce: D001 is the most frequent rule (2 warnings, and 1 info on its own line, as
    // in the JSON report), and its two suppressed S003 findings are not counted.
    let analysis = load("examples/ecommerce.yaml");
    assert_eq!(analysis.suppressed(), 2);
    assert!(analysis
        .findings
        .iter()
        .filter(|f| f.code == "S003")
        .all(|f| f.suppressed.is_some()));
    let counts = statistics::counts(&analysis);
    assert!(counts.iter().all(|c| c.code != "S003"));
    assert_eq!((counts[0].code, counts[0].count), ("D001", 2));
    let text = statistics::render_text(&analysis);
    assert_eq!(text.lines().count(), counts.len());
    assert!(
        text.starts_with("2  D001  warning  pattern-mismatch\n"),
        "{text}"
    );
    assert!(
        text.contains("\n1  D001  info     pattern-mismatch\n"),
        "{text}"
    );
    let per_severity: usize = analysis
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none() && f.code == "D001")
        .count();
    let counted: usize = counts
        .iter()
        .filter(|c| c.code == "D001")
        .map(|c| c.count)
        .sum();
    assert_eq!(counted, per_severity);
    // hostile-findings: the rules with 2 findings by code, M007 and the checklist of
    // `odd-key` (analysed despite its unknown key) among them; then the singles in code
    // order: A008, M002, M011, S001 and S004 (no call of the file has a breaker: one finding
    // for the file). The file never says `metrics`, so O001 does not ask for them.
    let analysis = load("tests/fixtures/hostile-findings.yaml");
    let codes: Vec<&str> = statistics::counts(&analysis)
        .iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(
        codes,
        [
            "A001", "A002", "A003", "A004", "A007", "M007", "S003", "A008", "M002", "M011", "S001",
            "S004"
        ]
    );
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
    let (_, json, _) = commsplan(&[
        "analyze",
        "tests/fixtures/hostile-findings.yaml",
        "-f",
        "json",
    ]);
    let report: Value = serde_json::from_str(&json).unwrap();
    // One annotation per unsuppressed finding of the same run.
    let findings: usize = counts_in_report(&report).values().sum();
    assert!(findings > 0);
    assert_eq!(stdout.lines().count(), findings, "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("::error title=M007 unknown-service,")),
        "{stdout}"
    );
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
    let report: Value = serde_json::from_str(&stdout).unwrap();
    // ecommerce has errors since the checklist rules (R003, S001, A008): exit 1.
    assert_eq!(code, expected_exit(&report));
    assert_eq!(code, 1);
    let warnings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "warning" && f.get("suppressed").is_none())
        .count();
    assert!(warnings > 0);
    assert_eq!(report["summary"]["warnings"], warnings);
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
    assert_eq!((code, stdout.as_str()), (expected_exit(&report), ""));
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
    // The table opens with the top risks: the JSON report in the same order.
    let (_, json, _) = commsplan(&[
        "analyze",
        "examples/ecommerce.yaml",
        "-f",
        "json",
        "--sort",
        "risk",
    ]);
    let report: Value = serde_json::from_str(&json).unwrap();
    let (code, stdout, _) = commsplan(&[
        "analyze",
        "examples/ecommerce.yaml",
        "--quiet",
        "--color",
        "never",
    ]);
    assert_eq!(code, expected_exit(&report));
    // The findings and nothing else, starting with the first one of the report.
    let first = &report["findings"][0];
    let head = format!(
        "{}[{}]",
        first["severity"].as_str().unwrap(),
        first["code"].as_str().unwrap()
    );
    assert!(stdout.starts_with(&head), "{head}: {stdout}");
    assert!(!stdout.contains("from → to"), "no table: {stdout}");
    assert!(
        !stdout.contains("shop: 23 interactions"),
        "no summary: {stdout}"
    );
    let (code, stdout, _) = commsplan(&["analyze", "examples/minimal.yaml", "-q"]);
    assert_eq!((code, stdout.as_str()), (0, ""));
    let (_, stdout, _) = commsplan(&["analyze", "examples/ecommerce.yaml", "-q", "-f", "markdown"]);
    assert!(!stdout.contains("### Interactions"), "{stdout}");
    let warnings = format!("#### Warnings ({})", report["summary"]["warnings"]);
    assert!(stdout.contains(&warnings), "{warnings}: {stdout}");
    let (_, stdout, _) = commsplan(&["analyze", "examples/ecommerce.yaml", "--statistics"]);
    assert_eq!(
        stdout,
        statistics::render_text(&load("examples/ecommerce.yaml"))
    );
    assert!(
        stdout.starts_with("2  D001  warning  pattern-mismatch\n"),
        "{stdout}"
    );
    let (_, stdout, _) = commsplan(&[
        "analyze",
        "examples/ecommerce.yaml",
        "--statistics",
        "-f",
        "json",
    ]);
    let counts: Value = serde_json::from_str(&stdout).unwrap();
    let got: BTreeMap<String, usize> =
        counts
            .as_array()
            .unwrap()
            .iter()
            .fold(BTreeMap::new(), |mut by_code, c| {
                let code = c["code"].as_str().unwrap().to_string();
                *by_code.entry(code).or_default() += c["count"].as_u64().unwrap() as usize;
                by_code
            });
    assert_eq!(got, counts_in_report(&report));
    assert_eq!(counts[0]["code"], "D001");
    assert_eq!(counts[0]["severity"], "warning");
    assert_eq!(counts[0]["count"], 2);
}

#[test]
fn junit_fails_only_at_the_fail_on_level() {
    // The decision rule alone: three D001 findings in three interactions, two warnings
    // and the information on the stream that a partition key keeps in order.
    let analysis = load_selected("examples/ecommerce.yaml", &["D"]);
    assert_eq!(analysis.findings.len(), 3);
    assert!(analysis.findings.iter().all(|f| f.interaction.is_some()));
    let warnings = |s: Severity| analysis.findings.iter().filter(|f| f.severity == s).count();
    assert_eq!(
        (warnings(Severity::Warning), warnings(Severity::Info)),
        (2, 1)
    );
    let paths = repo_paths();
    let at_error = render_at(Format::Junit, &analysis, &paths, Some(Severity::Error));
    assert!(!at_error.contains("<failure"));
    assert_eq!(at_error.matches("<system-out>").count(), 3);
    let at_warning = render_at(Format::Junit, &analysis, &paths, Some(Severity::Warning));
    assert_eq!(at_warning.matches("<failure").count(), 2);
    assert_eq!(
        at_warning.matches("<system-out>").count(),
        1,
        "{at_warning}"
    );
    let never = render_at(Format::Junit, &analysis, &paths, None);
    assert!(!never.contains("<failure"), "{never}");
    // Every rule: a test case fails at `error` only when it has an unsuppressed error
    // (those that belong to no interaction fail the case named after the file).
    let analysis = load("examples/ecommerce.yaml");
    let failing_cases = |level: Severity| {
        let cases: std::collections::BTreeSet<Option<&str>> = analysis
            .findings
            .iter()
            .filter(|f| f.suppressed.is_none() && f.severity >= level)
            .map(|f| f.interaction.as_deref())
            .collect();
        cases.len()
    };
    let at_error = render_at(Format::Junit, &analysis, &paths, Some(Severity::Error));
    assert!(failing_cases(Severity::Error) > 0);
    assert!(failing_cases(Severity::Error) < failing_cases(Severity::Warning));
    assert_eq!(
        at_error.matches("<failure").count(),
        failing_cases(Severity::Error),
        "{at_error}"
    );
    let at_warning = render_at(Format::Junit, &analysis, &paths, Some(Severity::Warning));
    assert_eq!(
        at_warning.matches("<failure").count(),
        failing_cases(Severity::Warning),
        "{at_warning}"
    );
    // junit-10.xsd has no `skipped` on <testsuites>, only on <testsuite>.
    let root = at_warning.lines().nth(1).unwrap();
    assert!(
        root.starts_with("<testsuites ") && !root.contains("skipped"),
        "{root}"
    );
}

/// A scratch folder of this test process.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("commsplan-outputs-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A system of `n` interactions, each with an unknown key (one M002 and the checklist
/// findings of a bare sync call each), lines ending with `newline`.
fn many_findings(n: usize, newline: &str) -> String {
    let mut text = String::from("version: 1\nsystem: big\nservices:\n  a: {kind: service}\n  b: {kind: service}\ninteractions:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  - {{id: i{i}, from: a, to: b, bogus: {i}, needs: {{realtime: true, consistency: strong}}}}\n"
        ));
    }
    text.replace('\n', newline)
}

#[test]
fn a_huge_line_is_quoted_around_the_column() {
    let dir = scratch("long-line");
    let path = dir.join("long.yaml");
    let filler = "é".repeat(3_000_000);
    std::fs::write(
        &path,
        format!("{{version: 1, system: big, services: {{}}, interactions: [], x-long: \"{filler}\", bogus: 1}}\n"),
    )
    .unwrap();
    let analysis = load(path.to_str().unwrap());
    let json: Value = serde_json::from_str(&commsplan::report::json::render(&analysis)).unwrap();
    let m002 = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "M002")
        .expect("the unknown key is reported");
    let column = m002["location"]["column"].as_u64().unwrap();
    assert!(column > 3_000_000, "{column}");
    let table = commsplan::report::table::render(
        &analysis,
        &commsplan::report::table::Options {
            color: false,
            findings_only: true,
        },
    );
    assert!(
        table.len() < 20_000,
        "the table quotes {} bytes",
        table.len()
    );
    assert!(
        table.contains(&format!("{}:1:{column}\n", path.display())),
        "{table}"
    );
    assert!(table.contains("bogus"), "{table}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cr_line_endings_give_every_format_one_line_index() {
    let dir = scratch("cr");
    for (name, newline) in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")] {
        let path = dir.join(format!("{name}.yaml"));
        std::fs::write(&path, many_findings(3, newline)).unwrap();
        let analysis = load(path.to_str().unwrap());
        let json: Value =
            serde_json::from_str(&commsplan::report::json::render(&analysis)).unwrap();
        let table = commsplan::report::table::render(
            &analysis,
            &commsplan::report::table::Options {
                color: false,
                findings_only: true,
            },
        );
        let headers: Vec<&str> = table
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("--> "))
            .collect();
        let expected: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let l = &f["location"];
                format!("{}:{}:{}", path.display(), l["line"], l["column"])
            })
            .collect();
        assert_eq!(headers, expected, "{name}");
        // The M002 of the first interaction is on line 7, whatever ends the lines.
        assert!(
            expected.iter().any(|e| e.ends_with(":7:30")),
            "{name}: {expected:?}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn names_and_paths_cannot_inject_into_logs_or_terminals() {
    let dir = scratch("inject");
    let path = dir.join("evil\u{1b}]0;title\u{7}\u{1b}[2J.yaml");
    let text = many_findings(1, "\n").replace(
        "system: big",
        "system: \"ok\\n::error file=x::injected\\u001b[31m\"",
    );
    std::fs::write(&path, text).unwrap();
    let file = path.to_str().unwrap();
    for format in [
        "table", "junit", "github", "markdown", "sarif", "gitlab", "json",
    ] {
        let (_, stdout, stderr) = commsplan(&[
            "analyze",
            file,
            "-f",
            format,
            "--color",
            "never",
            "--fail-on",
            "never",
        ]);
        assert!(!stdout.is_empty(), "{format}: {stderr}");
        for c in ['\u{1b}', '\u{7}'] {
            assert!(!stdout.contains(c), "{format} prints {c:?} raw:\n{stdout}");
        }
        assert!(
            !stdout
                .lines()
                .any(|l| l.trim_start().starts_with("::error file=x")),
            "{format} lets the system name start a workflow command:\n{stdout}"
        );
    }
    let (code, _, stderr) = commsplan(&["analyze", file, "--select", "\u{1b}[31mX\u{7}"]);
    assert_eq!(code, 2);
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr}"
    );
    assert!(stderr.contains("\\u{1b}[31mX\\u{7}"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
