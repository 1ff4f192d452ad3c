//! `commsplan import --merge INTO` end to end: on the public samples in
//! ../shared/import-samples (read there, never copied) and on fixtures of its own.

mod common;

use common::{commsplan, samples, TempDir as Temp};
use std::path::Path;
use std::process::Output;

/// A model people wrote: comments everywhere, a `needs` block, a suppression, an anchor.
const MODEL: &str = "# the tutorial, as the team sees it
version: 1
system: tutorial
x-fast: &fast { timeout_ms: 300 }   # shared by the quick calls
services:
  customer: {}      # the web front
  preference: {}
  recommendation:
    owner: recs-team
interactions:
  - id: get-preference   # the page asks first
    from: customer
    to: preference
    uses: *fast
  - id: get-recommendation
    from: preference
    to: recommendation
    needs:             # decided with the product owner, 2026-03
      realtime: true   # a person waits
      consistency: eventual   # a stale list is fine

    # retries are the mesh's business
    uses:
      pattern: sync
      timeout_ms: 3000 # we thought
    suppress:
      - rule: S003
        reason: \"the SDK pools\"
";

const NEEDS: &str = "    needs:             # decided with the product owner, 2026-03
      realtime: true   # a person waits
      consistency: eventual   # a stale list is fine

    # retries are the mesh's business
";

fn merge(tmp: &Temp, sample: &str, extra: &[&str]) -> Output {
    let path = samples().join(sample);
    let path = path.to_str().unwrap();
    let mut args = vec!["import", "kubernetes", path, "--merge", "system.yaml"];
    args.extend(extra);
    commsplan(&tmp.0, &args)
}

#[test]
fn a_second_merge_changes_nothing_and_what_people_wrote_survives() {
    let tmp = Temp::new("twice");
    std::fs::write(tmp.0.join("system.yaml"), MODEL).unwrap();
    for sample in [
        "istio-tutorial-timeout",
        "istio-tutorial-retry",
        "istio-tutorial-circuit-breaker",
    ] {
        let first = merge(&tmp, sample, &[]);
        assert_eq!(
            first.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&first.stderr)
        );
        let after_first = tmp.read("system.yaml");
        let second = merge(&tmp, sample, &[]);
        assert_eq!(second.status.code(), Some(0));
        assert_eq!(
            tmp.read("system.yaml"),
            after_first,
            "{sample}: the second merge changed the file"
        );
        assert!(
            String::from_utf8_lossy(&second.stderr).contains("unchanged system.yaml (0 changes)")
        );
    }
    let text = tmp.read("system.yaml");
    assert!(
        text.contains(NEEDS),
        "the needs block and its comments, byte for byte:\n{text}"
    );
    for kept in [
        "# the tutorial, as the team sees it\n",
        "x-fast: &fast { timeout_ms: 300 }   # shared by the quick calls\n",
        "  customer: {}      # the web front\n",
        "  - id: get-preference   # the page asks first\n",
        "    uses: *fast\n",
        "    suppress:\n      - rule: S003\n        reason: \"the SDK pools\"\n",
    ] {
        assert!(text.contains(kept), "lost {kept:?}:\n{text}");
    }
    // The deployed timeout replaced the written one, with its source; the user's
    // comment stays after it.
    assert!(text.contains("      timeout_ms: 1000 # from "), "{text}");
    assert!(
        text.contains("virtual-service-recommendation-timeout.yml:12 # we thought\n"),
        "{text}"
    );
    // The merged file loads, and drift against the last deployment finds no setting apart.
    let analyze = commsplan(&tmp.0, &["analyze", "system.yaml", "-f", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&analyze.stdout).unwrap();
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| !f["code"].as_str().unwrap().starts_with('M') || f["code"] == "M011"));
    let deployed = format!(
        "kubernetes:{}",
        samples().join("istio-tutorial-circuit-breaker").display()
    );
    let drift = commsplan(
        &tmp.0,
        &["drift", "system.yaml", "--from", &deployed, "-f", "json"],
    );
    let report: serde_json::Value = serde_json::from_slice(&drift.stdout).unwrap();
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        !codes.contains(&"I002") && !codes.contains(&"I003"),
        "{codes:?}"
    );
}

#[test]
fn another_output_file_with_other_content_needs_force_and_into_stays() {
    let tmp = Temp::new("force");
    std::fs::write(tmp.0.join("system.yaml"), MODEL).unwrap();
    std::fs::write(tmp.0.join("out.yaml"), "something else\n").unwrap();
    let refused = merge(&tmp, "istio-tutorial-timeout", &["-o", "out.yaml"]);
    assert_eq!(
        refused.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert_eq!(tmp.read("out.yaml"), "something else\n");
    let forced = merge(
        &tmp,
        "istio-tutorial-timeout",
        &["-o", "out.yaml", "--force"],
    );
    assert_eq!(forced.status.code(), Some(0));
    assert!(tmp.read("out.yaml").contains("timeout_ms: 1000 # from "));
    assert_eq!(
        tmp.read("system.yaml"),
        MODEL,
        "INTO is only read when -o names another file"
    );
    let names: Vec<_> = std::fs::read_dir(&tmp.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temporary left behind: {names:?}");
}

#[test]
fn a_model_that_does_not_load_is_not_changed() {
    let tmp = Temp::new("broken");
    let broken = "version: 1\nservices: { a: {\n";
    std::fs::write(tmp.0.join("system.yaml"), broken).unwrap();
    let out = merge(&tmp, "istio-tutorial-timeout", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("system.yaml:"),
        "a located diagnostic"
    );
    assert_eq!(tmp.read("system.yaml"), broken);
}

#[test]
fn hostile_names_are_quoted_and_the_result_loads() {
    let tmp = Temp::new("hostile");
    std::fs::write(
        tmp.0.join("system.yaml"),
        "version: 1\nsystem: s\nservices:\n  web: {}\ninteractions:\n  - id: x\n    from: web\n    to: web\n",
    )
    .unwrap();
    std::fs::write(
        tmp.0.join("deploy.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          env:\n            - name: TRUE_ADDR\n              value: \"true:80\"\n---\napiVersion: v1\nkind: Service\nmetadata: { name: \"true\" }\n",
    )
    .unwrap();
    let out = commsplan(
        &tmp.0,
        &[
            "import",
            "kubernetes",
            "deploy.yaml",
            "--merge",
            "system.yaml",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = tmp.read("system.yaml");
    assert!(text.contains("  \"true\":"), "{text}");
    let analyze = commsplan(&tmp.0, &["analyze", "system.yaml", "-f", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&analyze.stdout).unwrap();
    let loader: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with('M') && f["code"] != "M011")
        .collect();
    assert!(loader.is_empty(), "{loader:?}\n{text}");
    let again = commsplan(
        &tmp.0,
        &[
            "import",
            "kubernetes",
            "deploy.yaml",
            "--merge",
            "system.yaml",
        ],
    );
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(tmp.read("system.yaml"), text);
}

/// A model whose `interactions:` is a flow sequence on one line.
const FLOW_MODEL: &str = "version: 1
system: shop
services:
  web: {}
  cart: {}
  catalog: {}
interactions: [{id: web-cart, from: web, to: cart, needs: {realtime: true, consistency: strong, can_wait: false, ordering: false}}]
";

#[test]
fn a_flow_sequence_of_interactions_is_merged_into_and_appended_to() {
    let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/merge-flow");
    for (name, model) in [
        ("flow", FLOW_MODEL),
        (
            "empty",
            "version: 1\nsystem: shop\nservices:\n  web: {}\ninteractions: []\n",
        ),
    ] {
        let tmp = Temp::new(name);
        std::fs::copy(deploy.join("deploy.yaml"), tmp.0.join("deploy.yaml")).unwrap();
        std::fs::write(tmp.0.join("system.yaml"), model).unwrap();
        let args = [
            "import",
            "kubernetes",
            "deploy.yaml",
            "--merge",
            "system.yaml",
        ];
        let out = commsplan(&tmp.0, &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{err}");
        let text = tmp.read("system.yaml");
        // The new call is an entry of the flow sequence, with its source and the
        // `needs` TODO; what was written before it stays byte for byte.
        assert!(text.contains("  { id: web-catalog, from: web, to: catalog, summary: \"address in `CATALOG_URL`\" },  # from deploy.yaml:13; TODO needs"), "{text}");
        assert!(err.contains("added interaction `web-catalog`"), "{err}");
        assert!(
            text.starts_with("version: 1\nsystem: shop\nservices:\n  web: {}\n"),
            "{text}"
        );
        if name == "flow" {
            assert!(text.contains("[{id: web-cart, from: web, to: cart, needs: {realtime: true, consistency: strong, can_wait: false, ordering: false}, uses: { mesh: istio, timeout_ms: 2000 }},  # from deploy.yaml:15\n"), "{text}");
        }
        let analyzed = commsplan(
            &tmp.0,
            &[
                "analyze",
                "system.yaml",
                "--format",
                "json",
                "--fail-on",
                "never",
            ],
        );
        let report: serde_json::Value = serde_json::from_slice(&analyzed.stdout).unwrap();
        for f in report["findings"].as_array().unwrap() {
            let code = f["code"].as_str().unwrap();
            assert!(!code.starts_with('M') || code == "M011", "{code}: {text}");
        }
        // Idempotent: the second merge finds both calls in the model.
        let again = commsplan(&tmp.0, &args);
        assert_eq!(again.status.code(), Some(0));
        assert_eq!(
            tmp.read("system.yaml"),
            text,
            "{}",
            String::from_utf8_lossy(&again.stderr)
        );
    }
}
