//! `commsplan diff` as a reviewer runs it: two commits of the example, a reordered
//! file, a broken side.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn commsplan(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .args(args)
        .current_dir(dir)
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("commsplan runs")
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs")
        .status
        .success();
    assert!(ok, "git {args:?}");
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("commsplan-diff-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("examples")).unwrap();
    dir
}

fn example() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/ecommerce.yaml"
    ))
    .unwrap()
}

/// The change of the acceptance test: a timeout removed, an interaction made
/// asynchronous, a retry level added.
fn changed(text: &str) -> String {
    let text = text.replace(
        "      timeout_ms: 2000        # bumped from 500 after the Black Friday incident\n",
        "",
    );
    let text = text.replace(
        "      retry: *no-retry        # never replay a checkout from the edge\n",
        "      retry: *retry-std\n",
    );
    let at = text.find("  - id: get-shipping-address").unwrap();
    let p = at + text[at..].find("pattern: sync").unwrap();
    format!(
        "{}pattern: queue{}",
        &text[..p],
        &text[p + "pattern: sync".len()..]
    )
}

#[test]
fn base_revision_shows_exactly_the_change() {
    let dir = scratch("base");
    std::fs::write(dir.join("examples/ecommerce.yaml"), example()).unwrap();
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-qm", "one"]);
    std::fs::write(dir.join("examples/ecommerce.yaml"), changed(&example())).unwrap();
    git(&dir, &["commit", "-qam", "two"]);
    let out = commsplan(
        &dir,
        &[
            "diff",
            "--base",
            "HEAD~1",
            "examples/ecommerce.yaml",
            "-f",
            "json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a new error fails the default --fail-on"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let changed: Vec<&str> = json["interactions"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        changed,
        ["get-shipping-address", "place-order", "reserve-stock"]
    );
    let by_id = |id: &str| {
        json["interactions"]["changed"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_id("get-shipping-address")["declared"],
        serde_json::json!({"old": "sync", "new": "queue"})
    );
    assert_eq!(
        by_id("reserve-stock")["fields"],
        serde_json::json!([{"path": "uses.timeout_ms", "old": 2000, "new": null}])
    );
    let place_order = by_id("place-order");
    let retry: Vec<&str> = place_order["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(retry.contains(&"uses.retry.max_attempts"), "{retry:?}");
    for key in ["added", "removed"] {
        assert!(json["interactions"][key].as_array().unwrap().is_empty());
        assert!(json["services"][key].as_array().unwrap().is_empty());
    }
    let codes = |list: &str| -> Vec<String> {
        json["findings"][list]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f["code"].as_str().unwrap(),
                    f["interaction"].as_str().unwrap_or("-")
                )
            })
            .collect()
    };
    let new = codes("new");
    // The removed timeout sits under `place-order`'s bounded one: G007 says it (and S001,
    // which it supersedes, is left out).
    assert!(new.contains(&"G007 reserve-stock".to_string()), "{new:?}");
    assert!(
        new.contains(&"D001 get-shipping-address".to_string()),
        "{new:?}"
    );
    let fixed = codes("fixed");
    assert!(
        fixed.contains(&"G007 get-shipping-address".to_string()),
        "{fixed:?}"
    );
    // The added retry level multiplies the calls of both entry points' chains.
    let chains = json["chains"].as_array().unwrap();
    let amplification: Vec<(String, f64, f64)> = chains
        .iter()
        .flat_map(|e| {
            e["figures"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["figure"] == "retry_amplification")
                .map(move |f| {
                    (
                        e["entry"].as_str().unwrap().to_string(),
                        f["old"].as_f64().unwrap(),
                        f["new"].as_f64().unwrap(),
                    )
                })
        })
        .collect();
    assert_eq!(
        amplification,
        [("api-gateway".into(), 6.0, 9.0), ("web".into(), 6.0, 9.0)]
    );
    // Fixed findings are located in the revision.
    let fixed_file = json["findings"]["fixed"][0]["file"].as_str().unwrap();
    assert_eq!(fixed_file, "HEAD~1:examples/ecommerce.yaml");

    let md = commsplan(
        &dir,
        &[
            "diff",
            "--base",
            "HEAD~1",
            "examples/ecommerce.yaml",
            "-f",
            "markdown",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(md.status.code(), Some(0));
    let md = String::from_utf8(md.stdout).unwrap();
    let top = md.split("<details>").next().unwrap();
    for expected in [
        "`G007`",
        "declared pattern sync → queue",
        "`uses.timeout_ms: 2000 → —`",
        "retry amplification 6× → 9×",
    ] {
        assert!(top.contains(expected), "{expected} in the top of\n{md}");
    }
    let gh = commsplan(
        &dir,
        &[
            "diff",
            "--base",
            "HEAD~1",
            "examples/ecommerce.yaml",
            "-f",
            "github",
            "--fail-on",
            "new-warning",
        ],
    );
    assert_eq!(gh.status.code(), Some(1));
    let gh = String::from_utf8(gh.stdout).unwrap();
    assert_eq!(
        gh.lines().count(),
        new.len(),
        "one annotation per new finding:\n{gh}"
    );
    assert!(
        gh.lines()
            .all(|l| l.contains("file=examples/ecommerce.yaml")),
        "{gh}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Interactions and services in reverse order, blank lines and comments moved: the
/// same system.
fn reordered(text: &str) -> String {
    let start = text.find("\ninteractions:\n").unwrap() + "\ninteractions:\n".len();
    let mut items: Vec<String> = Vec::new();
    for line in text[start..].lines() {
        if line.starts_with("  - id:") || items.is_empty() {
            items.push(String::new());
        }
        if !line.trim_start().starts_with('#') && !line.trim().is_empty() {
            items.last_mut().unwrap().push_str(line);
            items.last_mut().unwrap().push('\n');
        }
    }
    items.reverse();
    format!("{}\n\n# reordered\n{}", &text[..start], items.join("\n"))
}

#[test]
fn reordering_or_reformatting_gives_an_empty_diff() {
    let dir = scratch("reorder");
    std::fs::write(dir.join("old.yaml"), example()).unwrap();
    std::fs::write(dir.join("new.yaml"), reordered(&example())).unwrap();
    let out = commsplan(&dir, &["diff", "old.yaml", "new.yaml", "-f", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for list in ["added", "removed", "changed"] {
        assert_eq!(json["interactions"][list], serde_json::json!([]), "{list}");
    }
    assert_eq!(json["findings"]["new"], serde_json::json!([]));
    assert_eq!(json["findings"]["fixed"], serde_json::json!([]));
    assert_eq!(json["chains"], serde_json::json!([]));
    let text = commsplan(&dir, &["diff", "old.yaml", "new.yaml"]);
    assert!(String::from_utf8(text.stdout)
        .unwrap()
        .contains("no changes"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broken_side_gives_located_diagnostics_and_exit_1() {
    let dir = scratch("broken");
    std::fs::write(dir.join("old.yaml"), example()).unwrap();
    std::fs::write(dir.join("new.yaml"), "version: 1\nsystem: x\nservices: {a: {}}\ninteractions:\n  - id: a\n    from: a\n    to: b\n").unwrap();
    let out = commsplan(&dir, &["diff", "old.yaml", "new.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("new side does not load") && err.contains("new.yaml:7:9"),
        "{err}"
    );
    let out = commsplan(
        &dir,
        &["diff", "--old", "old.yaml", "--new", "missing.yaml"],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unreadable path is a tool error"
    );
    let out = commsplan(&dir, &["diff", "--base", "no-such-ref", "old.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A grouped finding is compared per interaction: one more call under the same gap is one
/// new finding on that call, and the group's other members stay unchanged.
#[test]
fn one_more_member_of_a_group_is_one_new_finding() {
    let dir = scratch("group");
    let old = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/grouped.yaml"
    ))
    .unwrap();
    let new = format!(
        "{old}  - id: web-reviews\n    from: web\n    to: catalog\n    idempotent: true\n    needs: {{ realtime: true, consistency: strong }}\n    uses: {{ pattern: sync, protocol: rest }}\n"
    );
    assert!(new.ends_with("protocol: rest }\n") && !old.contains("web-reviews"));
    std::fs::write(dir.join("old.yaml"), &old).unwrap();
    std::fs::write(dir.join("new.yaml"), &new).unwrap();
    let out = commsplan(&dir, &["diff", "old.yaml", "new.yaml", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes_on = |list: &str, id: &str| -> Vec<String> {
        report["findings"][list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["interaction"] == id)
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    // A service's own finding that lists its calls (R002) changes with them; every
    // finding on an interaction is new only on the added call, and none is fixed.
    let on_interactions = |list: &str| -> Vec<serde_json::Value> {
        report["findings"][list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f.get("interaction").is_some())
            .cloned()
            .collect()
    };
    assert!(on_interactions("fixed").is_empty(), "{report:#}");
    assert!(
        on_interactions("new")
            .iter()
            .all(|f| f["interaction"] == "web-reviews"),
        "only the added call has new findings: {report:#}"
    );
    assert!(codes_on("new", "web-reviews").contains(&"S001".to_string()));
    assert!(codes_on("unchanged", "web-prices").contains(&"S001".to_string()));
    std::fs::remove_dir_all(&dir).ok();
}
