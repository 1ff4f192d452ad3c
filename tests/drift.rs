//! `commsplan drift` end to end on the public samples in ../shared/import-samples (read
//! there, never copied) and on small fixtures of its own.

mod common;

use common::{commsplan, samples, TempDir as Temp};
use std::path::Path;
use std::process::Output;

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The tutorial imported, with the call the VirtualService configures (made in code, so
/// not in the manifests) written by hand as the written file's comment suggests.
fn tutorial_model(dir: &Path, deployed: &str) {
    let out = commsplan(
        dir,
        &["import", "kubernetes", deployed, "-o", "system.yaml"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut text = std::fs::read_to_string(dir.join("system.yaml")).unwrap();
    text.push_str("  - id: get-recommendation\n    from: preference\n    to: recommendation\n    uses:\n      timeout_ms: 1000\n");
    std::fs::write(dir.join("system.yaml"), text).unwrap();
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn a_model_that_matches_its_manifests_reports_nothing() {
    let tmp = Temp::new("match");
    copy_tree(
        &samples().join("istio-tutorial-timeout"),
        &tmp.0.join("deploy"),
    );
    tutorial_model(&tmp.0, "deploy");
    let out = commsplan(
        &tmp.0,
        &[
            "drift",
            "system.yaml",
            "--from",
            "kubernetes:deploy",
            "-f",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["findings"], serde_json::json!([]));
}

#[test]
fn one_changed_virtual_service_timeout_is_one_finding_at_both_places() {
    let tmp = Temp::new("changed");
    let deploy = tmp.0.join("deploy");
    copy_tree(&samples().join("istio-tutorial-timeout"), &deploy);
    tutorial_model(&tmp.0, "deploy");
    let vs = deploy.join("istiofiles/virtual-service-recommendation-timeout.yml");
    let text = std::fs::read_to_string(&vs).unwrap();
    assert!(text.contains("timeout: 1.000s"));
    std::fs::write(&vs, text.replace("timeout: 1.000s", "timeout: 2.500s")).unwrap();
    let out = commsplan(
        &tmp.0,
        &[
            "drift",
            "system.yaml",
            "--from",
            "kubernetes:deploy",
            "-f",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "an I001 is an error");
    let report = json(&out);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f["code"], "I001");
    assert_eq!(f["interaction"], "get-recommendation");
    let message = f["message"].as_str().unwrap();
    assert!(message.starts_with("`get-recommendation`: "), "{message}");
    let model_text = std::fs::read_to_string(tmp.0.join("system.yaml")).unwrap();
    let line = model_text
        .lines()
        .position(|l| l.trim() == "timeout_ms: 1000")
        .unwrap()
        + 1;
    assert_eq!(f["location"]["file"], "system.yaml");
    assert_eq!(f["location"]["line"], line);
    let related = &f["related"][0]["location"];
    assert_eq!(
        related["file"],
        "deploy/istiofiles/virtual-service-recommendation-timeout.yml"
    );
    assert_eq!(related["line"], 12);
    assert!(f["message"].as_str().unwrap().contains("2500"));
    // The table names both places too.
    let table = commsplan(
        &tmp.0,
        &[
            "drift",
            "system.yaml",
            "--from",
            "kubernetes:deploy",
            "-q",
            "--color",
            "never",
        ],
    );
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains(&format!("system.yaml:{line}:19")), "{text}");
    assert!(
        text.contains("virtual-service-recommendation-timeout.yml:12"),
        "{text}"
    );
}

const MODEL: &str = "version: 1
system: shop
services: { web: {}, \"cart svc\": {}, stock: {} }
interactions:
  - id: add-to-cart
    from: web
    to: \"cart svc\"
    uses: { timeout_ms: 500 }
  - id: reserve
    from: \"cart svc\"
    to: stock
";

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers:
        - name: web
          env:
            - name: PAYMENT_ADDR
              value: \"payment:8080\"
---
apiVersion: v1
kind: Service
metadata: { name: payment }
";

#[test]
fn calls_on_one_side_only_are_reported_on_their_side_with_the_analyze_exit_codes() {
    let tmp = Temp::new("sides");
    std::fs::write(tmp.0.join("system.yaml"), MODEL).unwrap();
    std::fs::write(tmp.0.join("deploy.yaml"), DEPLOYMENT).unwrap();
    let out = commsplan(
        &tmp.0,
        &[
            "drift",
            "system.yaml",
            "--from",
            "kubernetes:deploy.yaml",
            "-f",
            "json",
        ],
    );
    let report = json(&out);
    let mut codes: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().into(),
                f["location"]["file"].as_str().unwrap().into(),
            )
        })
        .collect();
    codes.sort();
    assert!(
        codes.contains(&("I003".into(), "deploy.yaml".into())),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("I004".into(), "system.yaml".into())),
        "{codes:?}"
    );
    // Services on one side only: `payment` runs and the model lacks it (I005, at the
    // deployed Service); `cart svc` and `stock` are in the model and not deployed (I006).
    let services: Vec<(&str, &str)> = codes
        .iter()
        .filter(|(c, _)| c == "I005" || c == "I006")
        .map(|(c, f)| (c.as_str(), f.as_str()))
        .collect();
    assert_eq!(
        services,
        [
            ("I005", "deploy.yaml"),
            ("I006", "system.yaml"),
            ("I006", "system.yaml")
        ],
        "{codes:?}"
    );
    assert!(
        codes
            .iter()
            .all(|(c, _)| ["I003", "I004", "I005", "I006"].contains(&c.as_str())),
        "{codes:?}"
    );
    // I003 and I005 are warnings, I004 and I006 information: the default --fail-on
    // passes, warning fails.
    assert_eq!(out.status.code(), Some(0));
    let strict = commsplan(
        &tmp.0,
        &[
            "drift",
            "system.yaml",
            "--from",
            "kubernetes:deploy.yaml",
            "--fail-on",
            "warning",
            "-q",
        ],
    );
    assert_eq!(strict.status.code(), Some(1));
    // The same input gives the same bytes.
    let again = commsplan(
        &tmp.0,
        &[
            "drift",
            "system.yaml",
            "--from",
            "kubernetes:deploy.yaml",
            "-f",
            "json",
        ],
    );
    assert_eq!(again.stdout, out.stdout);
}

#[test]
fn broken_inputs_are_located_findings_and_bad_arguments_exit_2() {
    let tmp = Temp::new("broken");
    std::fs::write(tmp.0.join("system.yaml"), "version: 1\nservices: { a: {\n").unwrap();
    std::fs::write(tmp.0.join("deploy.yaml"), "kind: [\n").unwrap();
    let out = commsplan(
        &tmp.0,
        &[
            "drift",
            "system.yaml",
            "--from",
            "kubernetes:deploy.yaml",
            "-f",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["file"].as_str().unwrap())
        .collect();
    assert!(
        files.contains(&"system.yaml") && files.contains(&"deploy.yaml"),
        "{files:?}"
    );
    for bad in [
        "kubernetes",
        "helm:deploy.yaml",
        "kubernetes:",
        "kubernetes:missing/",
    ] {
        let out = commsplan(&tmp.0, &["drift", "system.yaml", "--from", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
}

/// Every Kubernetes sample, imported and then checked against itself: no drift, and a
/// merge of the same manifests into the imported file changes nothing.
#[test]
fn each_sample_imported_has_no_drift_from_its_manifests() {
    for set in [
        "istio-bookinfo",
        "sock-shop",
        "istio-tutorial-timeout",
        "istio-tutorial-retry",
        "istio-tutorial-circuit-breaker",
        "istio-tutorial-no-retries",
    ] {
        let tmp = Temp::new(set);
        let path = samples().join(set);
        let path = path.to_str().unwrap();
        let out = commsplan(&tmp.0, &["import", "kubernetes", path, "-o", "system.yaml"]);
        assert_eq!(out.status.code(), Some(0), "{set}");
        let drift = commsplan(
            &tmp.0,
            &[
                "drift",
                "system.yaml",
                "--from",
                &format!("kubernetes:{path}"),
                "-f",
                "json",
            ],
        );
        assert_eq!(drift.status.code(), Some(0), "{set}");
        assert_eq!(json(&drift)["findings"], serde_json::json!([]), "{set}");
        let written = std::fs::read_to_string(tmp.0.join("system.yaml")).unwrap();
        let merge = commsplan(
            &tmp.0,
            &["import", "kubernetes", path, "--merge", "system.yaml"],
        );
        assert_eq!(merge.status.code(), Some(0), "{set}");
        assert_eq!(
            std::fs::read_to_string(tmp.0.join("system.yaml")).unwrap(),
            written,
            "{set}"
        );
    }
}

/// A deployed file that does not read hides its calls: it is a located finding, and no
/// interaction is reported as unseen because of it.
#[test]
fn a_broken_manifest_is_reported_and_does_not_make_every_call_look_unseen() {
    let tmp = Temp::new("broken-deploy");
    std::fs::write(tmp.0.join("system.yaml"), MODEL).unwrap();
    std::fs::write(
        tmp.0.join("deploy.yaml"),
        "kind: Deployment\nmetadata: { name: [\n",
    )
    .unwrap();
    let out = commsplan(
        &tmp.0,
        &[
            "drift",
            "system.yaml",
            "--from",
            "kubernetes:deploy.yaml",
            "-f",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert_eq!(f["location"]["file"], "deploy.yaml", "{f}");
        assert_ne!(f["code"], "I004");
    }
}

/// A model with services that run outside the cluster, against a deployment with a
/// datastore and a load generator the model leaves out.
const INFRA_MODEL: &str = "version: 1
system: shop
services:
  web: {}
  payments-api: { kind: external }
  browser: { kind: client }
  orders-db: {}
  billing: {}
interactions:
  - id: web-orders-db
    from: web
    to: orders-db
";

const INFRA_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers:
        - name: web
          image: example/web:1
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: cache }
spec:
  template:
    spec:
      containers:
        - { name: redis, image: redis:7 }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: loadgenerator }
spec:
  template:
    spec:
      containers:
        - { name: locust, image: locustio/locust:2 }
";

fn findings_of(out: &Output) -> Vec<(String, String, String)> {
    let mut found: Vec<(String, String, String)> = json(out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .filter(|(c, _, _)| c == "I005" || c == "I006")
        .collect();
    found.sort();
    found
}

#[test]
fn services_on_one_side_only_are_reported_with_precision() {
    let tmp = Temp::new("infra");
    std::fs::write(tmp.0.join("system.yaml"), INFRA_MODEL).unwrap();
    std::fs::write(tmp.0.join("deploy.yaml"), INFRA_DEPLOYMENT).unwrap();
    let args = [
        "drift",
        "system.yaml",
        "--from",
        "kubernetes:deploy.yaml",
        "-f",
        "json",
    ];
    let found = findings_of(&commsplan(&tmp.0, &args));
    let brief: Vec<(&str, &str, bool)> = found
        .iter()
        .map(|(c, s, m)| (c.as_str(), s.as_str(), m.contains("`billing`")))
        .collect();
    // Only `billing` is a model service the files should run and do not: the external
    // API, the client and the datastore-named `orders-db` are not reported. The deployed
    // datastore and load generator the model leaves out are information, not warnings.
    assert_eq!(
        brief,
        [
            ("I005", "info", false),
            ("I005", "info", false),
            ("I006", "info", true),
        ],
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(_, _, m)| m.contains("`cache` (datastore or broker (image `redis:7`))")),
        "{found:?}"
    );
    // An AsyncAPI document describes some applications only, and Istio resources alone
    // deploy no service: neither makes a model service look undeployed.
    std::fs::write(
        tmp.0.join("vs.yaml"),
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: web }\nspec: { hosts: [web], http: [{ timeout: 1s, route: [{ destination: { host: web } }] }] }\n",
    )
    .unwrap();
    let istio = findings_of(&commsplan(
        &tmp.0,
        &[
            "drift",
            "system.yaml",
            "--from",
            "kubernetes:vs.yaml",
            "-f",
            "json",
        ],
    ));
    assert!(istio.iter().all(|(c, _, _)| c != "I006"), "{istio:?}");
    std::fs::write(
        tmp.0.join("api.yaml"),
        "asyncapi: 3.0.0\ninfo: { title: web, version: '1' }\nchannels: { a: { address: a } }\noperations: { s: { action: send, channel: { $ref: '#/channels/a' } } }\n",
    )
    .unwrap();
    let asyncapi = findings_of(&commsplan(
        &tmp.0,
        &[
            "drift",
            "system.yaml",
            "--from",
            "asyncapi:api.yaml",
            "-f",
            "json",
        ],
    ));
    assert_eq!(
        asyncapi,
        Vec::new(),
        "the placeholder peer is not a deployed service"
    );
}
