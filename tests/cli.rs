//! The binary as a user runs it: exit codes, formats, determinism, colour.

use std::process::{Command, Output};

fn commsplan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("commsplan runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

#[test]
fn example_table_snapshot() {
    let out = commsplan(&["analyze", "examples/ecommerce.yaml", "--fail-on", "never"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("ecommerce_table", stdout(&out));
}

#[test]
fn example_json_snapshot() {
    let out = commsplan(&[
        "analyze",
        "examples/ecommerce.yaml",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let report: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    // The contract's fields, FORMAT.md §4.
    for key in [
        "version",
        "system",
        "files",
        "interactions",
        "findings",
        "summary",
    ] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    let first = &report["interactions"][0];
    for key in [
        "id",
        "from",
        "to",
        "recommended",
        "declared",
        "path",
        "reasons",
        "location",
    ] {
        assert!(first.get(key).is_some(), "interaction lacks {key}");
    }
    for key in ["interactions", "errors", "warnings", "infos", "suppressed"] {
        assert!(report["summary"][key].is_u64(), "summary lacks {key}");
    }
    insta::assert_snapshot!("ecommerce_json", text);
}

#[test]
fn output_is_byte_identical_across_runs() {
    for format in ["table", "json"] {
        let args = [
            "analyze",
            "examples/ecommerce.yaml",
            "examples/online-boutique.yaml",
            "--format",
            format,
            "--fail-on",
            "never",
        ];
        let a = commsplan(&args);
        let b = commsplan(&args);
        assert_eq!(a.stdout, b.stdout, "{format} differs between runs");
        assert!(!a.stdout.is_empty());
    }
}

#[test]
fn no_colour_when_not_a_terminal_or_no_color() {
    let out = commsplan(&["analyze", "tests/corpus/dangling-reference.yaml"]);
    assert!(!out.stdout.contains(&0x1b), "ANSI escape in piped output");
    let forced = commsplan(&[
        "analyze",
        "tests/corpus/dangling-reference.yaml",
        "--color",
        "always",
    ]);
    assert!(
        forced.stdout.contains(&0x1b),
        "--color always has no colour"
    );
    let no_color = Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .args(["analyze", "tests/corpus/dangling-reference.yaml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!no_color.stdout.contains(&0x1b));
}

#[test]
fn exit_codes_follow_the_contract() {
    // Clean file.
    assert_eq!(
        commsplan(&["analyze", "examples/minimal.yaml"])
            .status
            .code(),
        Some(0)
    );
    // Errors in the file: 1.
    assert_eq!(
        commsplan(&["analyze", "tests/corpus/dangling-reference.yaml"])
            .status
            .code(),
        Some(1)
    );
    // Warnings only fail with --fail-on warning.
    let warn_only = "tests/fixtures/hostile-names.yaml";
    let default = commsplan(&["analyze", warn_only]);
    let strict = commsplan(&["analyze", warn_only, "--fail-on", "warning"]);
    let report: serde_json::Value =
        serde_json::from_slice(&commsplan(&["analyze", warn_only, "-f", "json"]).stdout).unwrap();
    assert!(report["summary"]["warnings"].as_u64().unwrap() > 0);
    if report["summary"]["errors"] == 0 {
        assert_eq!(default.status.code(), Some(0));
    }
    assert_eq!(strict.status.code(), Some(1));
    // --fail-on never never fails on findings.
    assert_eq!(
        commsplan(&[
            "analyze",
            "tests/corpus/dangling-reference.yaml",
            "--fail-on",
            "never"
        ])
        .status
        .code(),
        Some(0)
    );
    // The tool could not run: 2.
    let missing = commsplan(&["analyze", "no/such/file.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such/file.yaml"));
    assert_eq!(commsplan(&["analyze"]).status.code(), Some(2));
    assert_eq!(
        commsplan(&["analyze", "examples/minimal.yaml", "--format", "yaml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(commsplan(&["analyze", "examples"]).status.code(), Some(2));
    assert_eq!(commsplan(&["explain", "Z999"]).status.code(), Some(2));
}

#[test]
fn output_file_gets_the_report() {
    let dir = std::env::temp_dir().join(format!("commsplan-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("report.json");
    let out = commsplan(&[
        "analyze",
        "examples/minimal.yaml",
        "-f",
        "json",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(written["system"], "minimal-shop");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn init_writes_a_file_that_passes_and_refuses_to_overwrite() {
    let dir = std::env::temp_dir().join(format!("commsplan-init-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("system.yaml");
    let file = file.to_str().unwrap();
    assert_eq!(commsplan(&["init", file]).status.code(), Some(0));
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.starts_with("# yaml-language-server: $schema=./commsplan.schema.json\n"));
    assert!(dir.join("commsplan.schema.json").exists());
    let report: serde_json::Value =
        serde_json::from_slice(&commsplan(&["analyze", file, "-f", "json"]).stdout).unwrap();
    assert_eq!(report["summary"]["errors"], 0, "{report:#}");
    assert_eq!(commsplan(&["init", file]).status.code(), Some(2));
    assert_eq!(commsplan(&["init", file, "--force"]).status.code(), Some(0));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn schema_is_2020_12_and_lists_the_format() {
    let out = commsplan(&["schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let props = schema["properties"].as_object().unwrap();
    for key in ["version", "system", "services", "interactions", "defaults"] {
        assert!(props.contains_key(key), "{key}");
    }
}

#[test]
fn explain_prints_the_rule_doc_and_an_interaction() {
    let out = commsplan(&["explain", "D001"]);
    let text = stdout(&out);
    for heading in ["## What it checks", "## Why", "## Example", "## Fix"] {
        assert!(text.contains(heading), "{heading}");
    }
    let out = commsplan(&["explain", "examples/ecommerce.yaml", "send-order-email"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("recommended: queue"), "{text}");
    assert!(
        text.contains("I: if ordering is false instead → `stream`"),
        "{text}"
    );
}

#[test]
fn explain_keeps_a_service_name_with_a_line_break_on_the_header_line() {
    let out = commsplan(&[
        "explain",
        "tests/fixtures/hostile-names.yaml",
        "unicode-queue",
    ]);
    let text = stdout(&out);
    let header = text.lines().next().unwrap();
    assert!(header.ends_with("→ multi\\nline)"), "{header}");
}

#[test]
fn help_lists_every_subcommand() {
    let text = stdout(&commsplan(&["--help"]));
    for sub in [
        "analyze",
        "schema",
        "init",
        "rules",
        "explain",
        "completions",
    ] {
        assert!(text.contains(sub), "{sub}");
    }
}

#[test]
fn arguments_echoed_in_errors_show_their_control_characters() {
    // A line break too: an echoed id must not start a line of its own in a CI log.
    let id = "\u{1b}]0;pwned\u{7}\u{1b}[2J\n::error::x";
    for args in [
        ["explain", "examples/ecommerce.yaml", id],
        ["flowchart", "examples/ecommerce.yaml", id],
    ] {
        let out = commsplan(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
            "{args:?}: {stderr:?}"
        );
        assert!(stderr.contains("\\u{1b}]0;pwned\\u{7}"), "{stderr}");
        assert!(
            stderr.lines().all(|l| !l.starts_with("::")),
            "{args:?}: {stderr:?}"
        );
    }
}
