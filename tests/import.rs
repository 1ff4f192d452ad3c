//! `commsplan import`: real manifests (read where they are, in the shared samples
//! folder beside the repository) and small fixtures for the edge cases.

mod common;

use common::{commsplan as run, edges, loads, pairs, samples, TempDir};
use commsplan::model::{load, LoadOptions};
use std::path::Path;

const KIND: &str = "kubernetes";

fn import(dir: &Path, args: &[&str]) -> (String, String, i32) {
    common::import(dir, KIND, args)
}

#[test]
fn bookinfo_imports_what_the_manifests_show_and_nothing_more() {
    let (text, err, code) = import(&samples(), &["istio-bookinfo"]);
    assert_eq!(code, 0, "{err}");
    let model = loads(&text, "bookinfo");
    let mut names: Vec<_> = model.services.values().map(|s| s.name.clone()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "bookinfo-gateway",
            "details",
            "mongodb",
            "mysqldb",
            "productpage",
            "ratings",
            "reviews"
        ]
    );
    // productpage → details, reviews and reviews → ratings are made in the services'
    // code with built-in host names: no manifest shows them. What they show: the
    // ingress route, and ratings v2's database addresses in its environment.
    assert_eq!(
        edges(&model),
        pairs(&[
            ("bookinfo-gateway", "productpage"),
            ("ratings", "mongodb"),
            ("ratings", "mysqldb"),
        ])
    );
    // No VirtualService of bookinfo sets a timeout or retries (the delay is a fault
    // injection), and a probe's timeout is not a call's.
    for d in &model.interactions {
        let uses = d.interaction.uses.clone().unwrap_or_default();
        assert!(
            uses.timeout_ms.is_none() && uses.retry.is_none(),
            "{}",
            d.id()
        );
    }
    assert!(text.contains("fault injection is a test, not a call setting"));
    let db = model
        .services
        .values()
        .find(|s| s.name == "mysqldb")
        .unwrap();
    assert_eq!(
        db.service.kind,
        Some(commsplan::model::types::ServiceKind::External)
    );
}

#[test]
fn bookinfo_end_to_end_writes_a_file_that_analyze_reads() {
    let t = TempDir::new("e2e");
    let target = t.0.join("system.yaml");
    let target_arg = target.to_str().unwrap();
    let (_, err, code) = import(&samples(), &["istio-bookinfo", "-o", target_arg]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("imported 7 services and 3 interactions"),
        "{err}"
    );
    let analyze = run(&t.0, &["analyze", "system.yaml", "-f", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&analyze.stdout).unwrap();
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    // The open questions are the team's, and nothing else stops the analysis.
    assert!(codes.contains(&"M011"), "{codes:?}");
    assert!(
        codes.iter().all(|c| !c.starts_with('M') || *c == "M011"),
        "{codes:?}"
    );
    // The same input writes the same bytes, and an unchanged file is left alone.
    let first = std::fs::read(&target).unwrap();
    let (_, err, code) = import(&samples(), &["istio-bookinfo", "-o", target_arg]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("unchanged"), "{err}");
    assert_eq!(std::fs::read(&target).unwrap(), first);
}

fn snapshot_set(set: &str) {
    let (text, err, code) = import(&samples(), &[set]);
    assert_eq!(code, 0, "{err}");
    loads(&text, set);
    insta::assert_snapshot!(set, text);
}

#[test]
fn tutorial_timeout() {
    snapshot_set("istio-tutorial-timeout");
}

#[test]
fn tutorial_retry() {
    snapshot_set("istio-tutorial-retry");
}

#[test]
fn tutorial_circuit_breaker() {
    snapshot_set("istio-tutorial-circuit-breaker");
}

#[test]
fn sock_shop_calls_only_what_its_environment_names() {
    let (text, err, code) = import(&samples(), &["sock-shop/deploy/kubernetes"]);
    assert_eq!(code, 0, "{err}");
    let model = loads(&text, "sock-shop");
    assert_eq!(model.services.len(), 14);
    assert_eq!(edges(&model), pairs(&[("user", "user-db")]));
}

const APP: &str = r#"apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: shop}
  spec:
    template:
      metadata: {labels: {app: web}}
      spec:
        containers:
        - name: web
          image: example/web:1
          env:
          - {name: CART_URL, value: "http://cart.shop.svc.cluster.local:8080/api"}
          - {name: CATALOG_ADDR, value: "catalog:3550"}
          - {name: TRACING_HOST, value: "collector.elsewhere.example"}
          envFrom:
          - configMapRef: {name: web-config}
          readinessProbe: {timeoutSeconds: 5, httpGet: {path: /, port: 8080}}
- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: shop}
  spec: {type: LoadBalancer, selector: {app: web}}
- apiVersion: v1
  kind: Service
  metadata: {name: cart, namespace: shop}
  spec: {selector: {app: cart}}
- apiVersion: v1
  kind: Service
  metadata: {name: catalog, namespace: shop}
  spec: {selector: {app: catalog}}
- apiVersion: v1
  kind: Service
  metadata: {name: db, namespace: shop}
  spec: {selector: {app: db}}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: web-config, namespace: shop}
  data: {PAYMENT_SERVICE: "payment", DB_HOST: "db"}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: mysql
        image: mysql:8
        envFrom:
        - configMapRef: {name: db-config}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: db-config, namespace: shop}
data: {REPLICA_OF: "cart:3306"}
---
apiVersion: batch/v1
kind: Frobnicator
metadata: {name: thing}
"#;

#[test]
fn lists_env_config_maps_and_fqdns_resolve_to_services_of_the_input() {
    let t = TempDir::new("app");
    t.write("app.yaml", APP);
    let (text, err, code) = import(&t.0, &["app.yaml"]);
    assert_eq!(code, 0, "{err}");
    let model = loads(&text, "app");
    // cart through its FQDN, catalog through host:port, db through a ConfigMap key that
    // says it is a host. `payment` is not a service of the input, the tracing host is
    // outside, and the database's own ConfigMap is not read for calls.
    assert_eq!(
        edges(&model),
        pairs(&[("web", "cart"), ("web", "catalog"), ("web", "db")])
    );
    let web = model.services.values().find(|s| s.name == "web").unwrap();
    assert_eq!(
        web.service.kind,
        Some(commsplan::model::types::ServiceKind::Gateway)
    );
    assert!(text.contains("app.yaml:15"), "{text}");
    assert!(text.contains("skipped Frobnicator `thing`"), "{text}");
    assert!(text.contains("not read for calls"), "{text}");
    assert!(
        !text.contains("timeout_ms"),
        "a probe timeout is not a call's: {text}"
    );
}

#[test]
fn hostile_names_are_written_as_escaped_yaml() {
    let t = TempDir::new("hostile");
    let name = "evil\\\"\n../../etc\u{1b}[31m é\u{2028}";
    let manifest = serde_json::json!({
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {"apiVersion": "v1", "kind": "Service",
             "metadata": {"name": name}, "spec": {"selector": {"app": "x"}}},
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "caller"},
             "spec": {"template": {"metadata": {"labels": {"app": "c"}},
               "spec": {"containers": [{"name": "c", "image": "c",
                 "env": [{"name": "A\n# injected: true", "value": format!("http://{name}:80")}]}]}}}}
        ]
    });
    t.write("evil\nfile.json", &manifest.to_string());
    let (text, err, code) = import(&t.0, &["."]);
    assert_eq!(code, 0, "{err}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{2028}'),
        "{text}"
    );
    let model = loads(&text, "hostile");
    assert!(model.services.values().any(|s| s.name == name), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("# injected")), "{text}");
}

#[test]
fn broken_yaml_is_a_located_finding_and_the_rest_is_read() {
    let t = TempDir::new("broken");
    t.write(
        "a.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: ok}\n---\nkind: [Service\n",
    );
    let (text, err, code) = import(&t.0, &["a.yaml"]);
    assert_eq!(code, 1, "{err}");
    // The unclosed bracket is found at the end of the input.
    assert!(err.contains("a.yaml:6:1: error M001"), "{err}");
    let model = loads(&text, "broken");
    assert_eq!(model.services.len(), 1);
}

#[test]
fn input_that_cannot_be_read_at_all_writes_nothing() {
    let t = TempDir::new("unreadable");
    t.write("junk.yaml", "\u{0}\u{1}binary\u{0}");
    t.write("bomb.yaml", "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d]\n");
    for file in ["junk.yaml", "bomb.yaml"] {
        let (text, err, code) = import(&t.0, &[file, "-o", "out.yaml"]);
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains(&format!("{file}:")),
            "a located diagnostic: {err}"
        );
        assert!(err.contains("nothing written"), "{err}");
        assert!(text.is_empty());
        assert!(!t.0.join("out.yaml").exists(), "{file}: no file is written");
    }
}

#[test]
fn output_is_not_overwritten_without_force_and_a_missing_path_is_an_error() {
    let t = TempDir::new("force");
    t.write(
        "in/svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: one}\n",
    );
    t.write("system.yaml", "mine\n");
    let (_, err, code) = import(&t.0, &["in", "-o", "system.yaml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(t.0.join("system.yaml")).unwrap(),
        "mine\n"
    );
    let (_, err, code) = import(&t.0, &["in", "-o", "system.yaml", "--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(t.0.join("system.yaml"))
        .unwrap()
        .contains("one"));
    let (_, err, code) = import(&t.0, &["nope"]);
    assert_eq!(code, 2, "{err}");
}

const MESH: &str = r#"apiVersion: v1
kind: Service
metadata: {name: front}
spec: {selector: {app: front}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: front}
spec:
  template:
    metadata: {labels: {app: front}}
    spec:
      containers:
      - name: front
        image: example/front
        env: [{name: BACK_ADDR, value: "back:8080"}]
---
apiVersion: v1
kind: Service
metadata: {name: back}
spec: {selector: {app: back}}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: ingress}
spec: {selector: {istio: ingressgateway}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: front}
spec:
  hosts: ["*"]
  gateways: [ingress]
  http:
  - route: [{destination: {host: front}}]
    timeout: 30s
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: back}
spec:
  hosts: [back]
  http:
  - route: [{destination: {host: back.default.svc.cluster.local}}]
    timeout: 2s
    retries: {attempts: 2, perTryTimeout: 500ms, retryOn: 5xx}
    fault: {delay: {fixedDelay: 7s, percentage: {value: 100}}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: back-again}
spec:
  hosts: [back]
  http:
  - route: [{destination: {host: back}}]
    timeout: 3s
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: back}
spec:
  host: back
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 0}
      http: {http2MaxRequests: 0, http1MaxPendingRequests: 10, idleTimeout: 90s}
    outlierDetection: {consecutive5xxErrors: 5, baseEjectionTime: 30s}
"#;

#[test]
fn istio_settings_go_on_the_calls_to_their_host() {
    let t = TempDir::new("mesh");
    t.write("mesh.yaml", MESH);
    let (text, err, code) = import(&t.0, &["mesh.yaml"]);
    assert_eq!(code, 0, "{err}");
    let model = loads(&text, "mesh");
    assert_eq!(
        edges(&model),
        pairs(&[("front", "back"), ("ingress", "front")])
    );
    let uses = |id: &str| model.interaction(id).unwrap().uses().clone();
    let back = uses("front-back");
    assert_eq!(back.timeout_ms, Some(2000));
    // Istio's `attempts` are retries after the first attempt.
    assert_eq!(back.retry.unwrap().max_attempts, Some(3));
    assert_eq!(back.mesh, Some(commsplan::model::types::MeshStack::Istio));
    assert_eq!(back.pool.unwrap().idle_timeout_ms, Some(90_000));
    // 0 keeps Istio's default: no limit is written.
    assert_eq!(back.bulkhead.as_ref().unwrap().max_concurrent, None);
    assert_eq!(back.bulkhead.unwrap().max_queue, Some(10));
    let breaker = back.circuit_breaker.unwrap();
    assert_eq!(
        (breaker.min_calls, breaker.open_ms),
        (Some(5), Some(30_000))
    );
    // The gateway-bound route's timeout is the gateway's call's only.
    assert_eq!(uses("ingress-front").timeout_ms, Some(30_000));
    assert!(
        text.contains("timeout_ms: 2000  # from mesh.yaml:45"),
        "{text}"
    );
    assert!(text.contains("fault injection is a test"), "{text}");
    assert!(text.contains("perTryTimeout `500ms`"), "{text}");
    assert!(text.contains("differs from 2000 read before"), "{text}");
}

#[cfg(unix)]
#[test]
fn output_through_a_symbolic_link_is_refused() {
    let t = TempDir::new("symlink");
    t.write(
        "svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: one}\n",
    );
    let outside = t.write("outside/keep.yaml", "keep\n");
    std::os::unix::fs::symlink(&outside, t.0.join("system.yaml")).unwrap();
    let (_, err, code) = import(&t.0, &["svc.yaml", "-o", "system.yaml", "--force"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep\n");
}

mod any_names {
    use super::*;
    use proptest::prelude::*;

    fn manifest(names: &[String], values: &[String]) -> String {
        let mut items = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let value = &values[i % values.len()];
            items.push(serde_json::json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": name}, "spec": {"selector": {"app": name}}}));
            items.push(serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": name},
                "spec": {"template": {"metadata": {"labels": {"app": name}},
                  "spec": {"containers": [{"name": value, "image": value,
                    "env": [{"name": value, "value": format!("http://{}:80 {value}", names[(i + 1) % names.len()])}]}]}}}}));
            items.push(
                serde_json::json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
                "metadata": {"name": value}, "spec": {"hosts": [name],
                  "http": [{"route": [{"destination": {"host": name}}], "timeout": value,
                            "retries": {"attempts": i, "retryOn": value}}]}}),
            );
        }
        serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string()
    }

    /// Names in the places this importer reads beyond `env`: namespaces, ConfigMap
    /// names and keys, `command` and `args`.
    fn namespaced(names: &[String], values: &[String]) -> String {
        let mut items = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let value = &values[i % values.len()];
            let peer = &names[(i + 1) % names.len()];
            let ns = &names[(i + 2) % names.len()];
            items.push(serde_json::json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": name, "namespace": ns}, "spec": {"selector": {"app": name}}}));
            items.push(serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": value, "namespace": ns},
                "data": {value: format!("{peer}.{ns}:80"), "X_ADDR": format!("http://{peer}/{value}")}}));
            items.push(serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": name, "namespace": ns},
                "spec": {"template": {"metadata": {"labels": {"app": name}},
                  "spec": {"containers": [{"name": value, "image": value,
                    "command": [value, format!("--{value}-addr={peer}:80")],
                    "args": [format!("-D{value}.url=http://{peer}.{ns}.svc.cluster.local/"), "--peer", format!("http://{peer}:1")],
                    "envFrom": [{"configMapRef": {"name": value}}]}]}}}}));
        }
        serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Hostile names and values in namespaces, ConfigMaps and arguments: the file
        /// written loads with no loader error, twice the same.
        #[test]
        fn any_names_in_namespaces_and_arguments_give_a_file_that_loads(
            names in prop::collection::vec("[a-z]{1,3}|\\PC{0,12}|[\\x00-\\x1f\"'\\\\:#&*!|>%@`{}\\[\\],.-]{1,6}|\\.\\./[a-z]{1,4}", 1..6),
            values in prop::collection::vec("\\PC{0,16}|[\\x00-\\x1f\u{1b}\u{2028}]{1,3}", 1..4),
        ) {
            let t = TempDir::new("any-ns");
            let path = t.write("m.json", &namespaced(&names, &values));
            let text = commsplan::import::write::render(
                &commsplan::import::kubernetes::import(std::slice::from_ref(&path)), "kubernetes", "s");
            let again = commsplan::import::write::render(
                &commsplan::import::kubernetes::import(&[path]), "kubernetes", "s");
            prop_assert_eq!(&text, &again);
            let clean = !text.contains('\u{1b}') && !text.contains('\u{2028}');
            prop_assert!(clean, "{}", text);
            let out = t.write("system.yaml", &text);
            let (_, findings) = load(&[&out], &LoadOptions::default()).unwrap();
            let broken: Vec<_> = findings.iter().filter(|f| f.did_not_load()).collect();
            prop_assert!(broken.is_empty(), "{:#?}\n{}", broken, text);
        }

        /// Whatever the names and values, the file written loads with no loader error
        /// and the same input writes the same text.
        #[test]
        fn any_names_give_a_file_that_loads(
            names in prop::collection::vec("[a-z]{1,3}|\\PC{0,12}|[\\x00-\\x1f\"'\\\\:#&*!|>%@`{}\\[\\],-]{1,6}", 1..6),
            values in prop::collection::vec("\\PC{0,16}|[0-9]{1,4}(ms|s|m|h)|[\\x00-\\x1f]{1,3}", 1..4),
        ) {
            let t = TempDir::new("any");
            let path = t.write("m.json", &manifest(&names, &values));
            let imported = commsplan::import::kubernetes::import(std::slice::from_ref(&path));
            let text = commsplan::import::write::render(&imported, "kubernetes", &names[0]);
            let again = commsplan::import::write::render(
                &commsplan::import::kubernetes::import(&[path]), "kubernetes", &names[0]);
            prop_assert_eq!(&text, &again);
            let out = t.write("system.yaml", &text);
            let (_, findings) = load(&[&out], &LoadOptions::default()).unwrap();
            let broken: Vec<_> = findings.iter().filter(|f| f.did_not_load()).collect();
            prop_assert!(broken.is_empty(), "{:#?}\n{}", broken, text);
        }
    }
}

#[test]
fn a_folder_import_does_not_read_its_own_output() {
    let t = TempDir::new("rerun");
    t.write(
        "svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: one}\n",
    );
    let (_, err, code) = import(&t.0, &[".", "-o", "system.yaml"]);
    assert_eq!(code, 0, "{err}");
    let (_, err, code) = import(&t.0, &[".", "-o", "system.yaml"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("unchanged"), "{err}");
}

/// Online Boutique's shape: `frontend` (ClusterIP) and `frontend-external` (LoadBalancer)
/// select the same pods. They are one service, the front door, and a call to either name
/// is a call to it.
#[test]
fn a_second_service_over_the_same_pods_is_the_same_service() {
    let t = TempDir::new("second-name");
    t.write(
        "app.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: frontend}\nspec: {selector: {app: frontend}}\n---\n\
apiVersion: v1\nkind: Service\nmetadata: {name: frontend-external}\nspec: {type: LoadBalancer, selector: {app: frontend}}\n---\n\
apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: frontend}\nspec:\n  template:\n    metadata: {labels: {app: frontend}}\n    spec:\n      containers: [{name: server, image: frontend}]\n---\n\
apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: probe}\nspec:\n  template:\n    metadata: {labels: {app: probe}}\n    spec:\n      containers:\n        - name: probe\n          image: probe\n          env: [{name: TARGET_URL, value: \"http://frontend-external:80/\"}]\n",
    );
    let (text, err, code) = import(&t.0, &["app.yaml"]);
    assert_eq!(code, 0, "{err}");
    let model = loads(&text, "second-name");
    let names: Vec<_> = model.services.values().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["frontend", "probe"], "{text}");
    let frontend = model
        .services
        .values()
        .find(|s| s.name == "frontend")
        .unwrap();
    assert_eq!(
        frontend.service.kind,
        Some(commsplan::model::types::ServiceKind::Gateway)
    );
    assert_eq!(edges(&model), pairs(&[("probe", "frontend")]));
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn addresses_in_command_and_args_are_calls_located_at_their_argument() {
    let (text, err, code) = import(repo(), &["tests/fixtures/import/args.yaml"]);
    assert_eq!(code, 0, "{err}");
    let model = loads(&text, "args");
    // `--backend http://cart:8080` (command), `--catalog-addr=catalog:3550` and
    // `-Dorders.url=http://orders/api` (args). Not: the init container's and the
    // probe's `payment:8080`, the service's own URL, an image reference, nor jaeger,
    // which the input does not have.
    assert_eq!(
        edges(&model),
        pairs(&[("web", "cart"), ("web", "catalog"), ("web", "orders")])
    );
    for (id, line) in [("web-cart", 17), ("web-catalog", 19), ("web-orders", 20)] {
        let want = format!("- id: {id}  # from tests/fixtures/import/args.yaml:{line}");
        assert!(text.contains(&want), "{want}\n{text}");
    }
    assert!(
        err.contains(
            "args.yaml:22: `--tracing` names `jaeger`, which is not a service of the input"
        ),
        "{err}"
    );
}

#[test]
fn config_maps_and_short_host_names_are_read_in_the_workload_namespace() {
    let (text, err, code) = import(repo(), &["tests/fixtures/import/namespaces.yaml"]);
    assert_eq!(code, 0, "{err}");
    let model = loads(&text, "namespaces");
    // `cart` exists in `shop` and in `default`: each is imported under `name.namespace`,
    // and a short name reaches the caller's own namespace. `payments.billing` and the
    // FQDN of `ledger` reach `billing`; a short `audit` from `shop` does not.
    assert_eq!(
        edges(&model),
        pairs(&[
            ("web", "cart.shop"),
            ("web", "ledger"),
            ("web", "payments"),
            ("worker", "cart.default"),
        ])
    );
    // The ConfigMaps of the same names in other namespaces feed no call of `web`
    // (`orders:80` in `other`, `cart:80` in `default`), and each is a located note.
    assert!(!edges(&model).contains(&("web".into(), "orders".into())));
    assert!(err.contains("namespaces.yaml:21: ConfigMap `settings` is not in namespace `shop` (the input has one in `other`"), "{err}");
    assert!(
        err.contains("namespaces.yaml:18: ConfigMap `shared-settings` is not in namespace `shop`"),
        "{err}"
    );
    assert!(err.contains("namespaces.yaml:16: `AUDIT_ADDR` names `audit`, which is not a service of namespace `shop` (the input has one in `billing`"), "{err}");
}
