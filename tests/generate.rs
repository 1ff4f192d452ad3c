//! `commsplan generate` end to end: the binary on the examples, into temporary folders.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_commsplan"))
}

struct Temp(PathBuf);
impl Temp {
    fn new(tag: &str) -> Temp {
        let p = std::env::temp_dir().join(format!("commsplan-gen-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).unwrap();
        Temp(p)
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
}
impl Drop for Temp {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

fn generate(input: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["generate", input, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read(p: PathBuf) -> String {
    fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn minimal_example_snapshots() {
    let t = Temp::new("snap");
    let o = generate("examples/minimal.yaml", &t.0, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    insta::assert_snapshot!(
        "minimal_istio_inventory",
        read(t.path("istio/inventory.yaml"))
    );
    insta::assert_snapshot!(
        "minimal_kafka_producer",
        read(t.path("kafka/order-events/producer.properties"))
    );
    insta::assert_snapshot!(
        "minimal_prometheus_rules",
        read(t.path("prometheus/rules.yml"))
    );
    insta::assert_snapshot!("minimal_go_orders", read(t.path("go/orders/clients.go")));
    insta::assert_snapshot!(
        "minimal_resilience4j_absent",
        t.path("resilience4j").exists().to_string()
    );
}

#[test]
fn hostile_names_snapshots() {
    let t = Temp::new("hostile");
    let o = generate("tests/fixtures/generate-hostile.yaml", &t.0, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut files = Vec::new();
    collect(&t.0, &t.0, &mut files);
    insta::assert_snapshot!("hostile_file_list", files.join("\n"));
    insta::assert_snapshot!(
        "hostile_rabbitmq",
        read(t.path("rabbitmq/definitions.json"))
    );
    insta::assert_snapshot!(
        "hostile_resilience4j",
        read(t.path("resilience4j/etc-passwd-3754d6/application.yml"))
    );
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            collect(root, &p, out);
        } else {
            out.push(p.strip_prefix(root).unwrap().display().to_string());
        }
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    let a = Temp::new("det-a");
    let b = Temp::new("det-b");
    assert!(generate("examples/ecommerce.yaml", &a.0, &[])
        .status
        .success());
    assert!(generate("examples/ecommerce.yaml", &b.0, &[])
        .status
        .success());
    let (mut fa, mut fb) = (Vec::new(), Vec::new());
    collect(&a.0, &a.0, &mut fa);
    collect(&b.0, &b.0, &mut fb);
    assert_eq!(fa, fb);
    assert!(fa.len() > 20, "{fa:?}");
    for f in &fa {
        assert_eq!(read(a.path(f)), read(b.path(f)), "{f}");
    }
}

#[test]
fn check_reports_drift_and_passes_when_up_to_date() {
    let t = Temp::new("check");
    let out = t.path("out");
    assert!(generate("examples/minimal.yaml", &out, &[])
        .status
        .success());
    let ok = generate("examples/minimal.yaml", &out, &["--check"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(stderr(&ok).contains("up to date"));

    fs::write(out.join("istio/inventory.yaml"), "edited\n").unwrap();
    fs::remove_file(out.join("prometheus/rules_test.yml")).unwrap();
    let mut extra = read(out.join("kafka/order-events/consumer.properties"));
    extra.push_str("# renamed interaction\n");
    fs::write(out.join("kafka/gone.properties"), extra).unwrap();
    fs::write(out.join("kafka/users-own.properties"), "acks=all\n").unwrap();

    let drift = generate("examples/minimal.yaml", &out, &["--check"]);
    assert_eq!(drift.status.code(), Some(1));
    let e = stderr(&drift);
    assert!(
        e.contains("stale:") && e.contains("istio/inventory.yaml"),
        "{e}"
    );
    assert!(
        e.contains("missing:") && e.contains("prometheus/rules_test.yml"),
        "{e}"
    );
    assert!(
        e.contains("extra:") && e.contains("kafka/gone.properties"),
        "{e}"
    );
    assert!(
        !e.contains("users-own"),
        "a file without our header is not ours: {e}"
    );
    // --check writes nothing
    assert_eq!(read(out.join("istio/inventory.yaml")), "edited\n");
}

#[test]
fn existing_files_need_force_and_dry_run_writes_nothing() {
    let t = Temp::new("force");
    let out = t.path("out");
    let dry = generate("examples/minimal.yaml", &out, &["--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(!out.exists(), "--dry-run created the output folder");
    let listing = String::from_utf8_lossy(&dry.stdout);
    assert!(
        listing.contains("would create") && listing.contains("istio/inventory.yaml"),
        "{listing}"
    );

    assert!(generate("examples/minimal.yaml", &out, &[])
        .status
        .success());
    fs::write(out.join("istio/inventory.yaml"), "mine\n").unwrap();
    let refused = generate("examples/minimal.yaml", &out, &[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("--force"), "{}", stderr(&refused));
    assert_eq!(read(out.join("istio/inventory.yaml")), "mine\n");

    let dry = generate("examples/minimal.yaml", &out, &["--dry-run"]);
    assert!(String::from_utf8_lossy(&dry.stdout).contains("needs --force"));

    let forced = generate("examples/minimal.yaml", &out, &["--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(read(out.join("istio/inventory.yaml")).contains("kind: DestinationRule"));
}

#[test]
fn target_selection_limits_the_files() {
    let t = Temp::new("targets");
    let o = generate("examples/minimal.yaml", &t.0, &["--target", "kafka,istio"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut files = Vec::new();
    collect(&t.0, &t.0, &mut files);
    assert!(
        files
            .iter()
            .all(|f| f.starts_with("kafka/") || f.starts_with("istio/")),
        "{files:?}"
    );
    assert_eq!(files.len(), 3, "{files:?}");
}

#[test]
fn exported_templates_override_the_built_in_ones() {
    let t = Temp::new("tpl");
    let tpl = t.path("tpl");
    let e = run(&["templates", "export", tpl.to_str().unwrap()]);
    assert!(e.status.success(), "{}", stderr(&e));
    let path = tpl.join("kafka/producer.properties.hbs");
    let mut text = read(path.clone());
    text.push_str("# team: {{comment i.to}}\nbuffer.memory=33554432\n");
    fs::write(&path, text).unwrap();
    fs::remove_file(tpl.join("kafka/consumer.properties.hbs")).unwrap();

    let out = t.path("out");
    let o = generate(
        "examples/minimal.yaml",
        &out,
        &["--target", "kafka", "--templates", tpl.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let producer = read(out.join("kafka/order-events/producer.properties"));
    assert!(
        producer.ends_with("# team: inventory\nbuffer.memory=33554432\n"),
        "{producer}"
    );
    assert!(producer.lines().next().unwrap().contains("(overridden)"));
    // the consumer still comes from the built-in template
    assert!(!read(out.join("kafka/order-events/consumer.properties")).contains("overridden"));

    let list = run(&["templates", "list"]);
    let listing = String::from_utf8_lossy(&list.stdout);
    for name in [
        "typescript/clients.ts",
        "rabbitmq/definitions.json",
        "prometheus/rules_test.yml",
    ] {
        assert!(listing.contains(name), "{listing}");
    }
}

#[test]
fn a_missing_variable_in_a_template_is_an_error() {
    let t = Temp::new("strict");
    let tpl = t.path("tpl");
    fs::create_dir_all(tpl.join("istio")).unwrap();
    fs::write(tpl.join("istio/mesh.yaml.hbs"), "host: {{str hots}}\n").unwrap();
    let o = generate(
        "examples/minimal.yaml",
        &t.path("out"),
        &["--templates", tpl.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("istio/mesh.yaml") && e.contains("hots"), "{e}");
    assert!(
        !t.path("out/istio").exists(),
        "files written despite the error"
    );
}

#[test]
fn a_broken_file_generates_nothing() {
    let t = Temp::new("broken");
    let input = t.path("broken.yaml");
    fs::write(&input, "version: 1\nsystem: x\nservices: {a: {}}\ninteractions:\n  - id: a-b\n    from: a\n    to: nowhere\n").unwrap();
    let o = generate(input.to_str().unwrap(), &t.path("out"), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing generated"), "{}", stderr(&o));
    assert!(!t.path("out").exists());
}

fn yaml(text: &str) -> serde_json::Value {
    use commsplan::model::yaml;
    let parsed = yaml::parse(text, yaml::Limits::default());
    assert!(
        parsed.problems.is_empty(),
        "YAML problems: {:?}",
        parsed.problems.len()
    );
    parsed.root.expect("a document").0
}

/// The values that reach the files are the names as written, not a mangled copy: each
/// output parsed back gives the fixture's exact strings.
#[test]
fn hostile_names_survive_a_round_trip_through_each_format() {
    let t = Temp::new("roundtrip");
    assert!(generate("tests/fixtures/generate-hostile.yaml", &t.0, &[])
        .status
        .success());

    let r4j = yaml(&read(
        t.path("resilience4j/etc-passwd-3754d6/application.yml"),
    ));
    assert_eq!(r4j["spring"]["application"]["name"], "../../etc/passwd");

    let defs: serde_json::Value =
        serde_json::from_str(&read(t.path("rabbitmq/definitions.json"))).unwrap();
    let names: Vec<&str> = defs["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["work \"q\" {{y}} \\ 주문", "dlq/../\"x\""]);

    let rules = yaml(&read(t.path("prometheus/rules.yml")));
    let injected = "{{ template \"x\" }}\n$(rm -rf /)";
    let mut seen = false;
    for group in rules["groups"].as_array().unwrap() {
        for rule in group["rules"].as_array().unwrap() {
            if rule["labels"]["interaction"] == "template-injection" {
                // Prometheus expands `{{ }}` in labels: the name is written so that the
                // expansion gives it back literally.
                assert_eq!(
                    rule["labels"]["from"]
                        .as_str()
                        .unwrap()
                        .replace("{{ \"{{\" }}", "{{"),
                    injected
                );
                assert!(rule["expr"]
                    .as_str()
                    .unwrap()
                    .contains("job=\"{{ template \\\"x\\\" }}\\n$(rm -rf /)\""));
                seen = true;
            }
        }
    }
    assert!(seen);

    let mesh = read(t.path("istio/order-6be090.yaml"));
    for doc in mesh.split("\n---\n") {
        let v = yaml(doc);
        assert_eq!(v["metadata"]["name"], "order-6be090");
    }

    let ts = read(t.path("typescript/con-x/clients.ts"));
    assert!(
        ts.contains(r#"channel: "orders.\"created\",v1:% {{x}}","#),
        "{ts}"
    );
    assert!(ts.contains(r#"partitionKey: "order\"id","#));
    let go = read(t.path("go/template-x-rm-rf-84d50d/clients.go"));
    assert!(
        go.contains("// template-injection: {{ template \"x\" }}\\n$(rm -rf /) -> con"),
        "{go}"
    );
}

/// The `inputs sha256:` of every generated file below `dir`.
fn input_hashes(dir: &Path) -> std::collections::BTreeSet<String> {
    let mut files = Vec::new();
    collect(dir, dir, &mut files);
    files
        .iter()
        .filter_map(|f| {
            let text = read(dir.join(f));
            let at = text
                .find("inputs_sha256\": \"")
                .map(|i| i + 17)
                .or_else(|| text.find("inputs sha256:").map(|i| i + 14))?;
            Some(text[at..at + 16].to_string())
        })
        .collect()
}

#[test]
fn a_run_waits_for_the_folder_lock_and_writes_nothing_meanwhile() {
    let t = Temp::new("lock");
    let out = t.path("out");
    fs::create_dir_all(&out).unwrap();
    let held = fs::File::open(&out).unwrap();
    held.lock().unwrap();
    let mut child = bin()
        .args(["generate", "examples/minimal.yaml", "--out"])
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the run did not wait for the lock"
    );
    assert_eq!(fs::read_dir(&out).unwrap().count(), 0, "wrote while locked");
    held.unlock().unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("waiting for another commsplan run"));
    assert!(out.join("prometheus/rules.yml").exists());
}

#[test]
fn concurrent_runs_with_different_inputs_do_not_mix() {
    for round in 0..3 {
        let t = Temp::new(&format!("race-{round}"));
        let out = t.path("out");
        let spawn = |input: &str| {
            bin()
                .args(["generate", input, "--out"])
                .arg(&out)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let a = spawn("examples/minimal.yaml");
        let b = spawn("examples/ecommerce.yaml");
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let codes = [a.status.code(), b.status.code()];
        assert!(
            codes.contains(&Some(0)) && codes.contains(&Some(2)),
            "one run writes, the other finds its files and refuses: {codes:?}\n{}\n{}",
            stderr(&a),
            stderr(&b)
        );
        let hashes = input_hashes(&out);
        assert_eq!(hashes.len(), 1, "files from both inputs: {hashes:?}");
    }
}

#[test]
fn a_killed_runs_temporary_files_are_ignored_then_removed() {
    let t = Temp::new("leftover");
    let out = t.path("out");
    assert!(generate("examples/minimal.yaml", &out, &[])
        .status
        .success());
    // What a run killed between writing and renaming leaves behind.
    let leftover = out.join("prometheus/.rules.yml.commsplan-4194304.tmp");
    fs::write(&leftover, read(out.join("prometheus/rules.yml"))).unwrap();
    let check = generate("examples/minimal.yaml", &out, &["--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let again = generate("examples/minimal.yaml", &out, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(!leftover.exists(), "the next run removes it");
    // A file of the user's that only looks similar is kept.
    let mine = out.join("prometheus/.notes.tmp");
    fs::write(&mine, "mine\n").unwrap();
    assert!(generate("examples/minimal.yaml", &out, &[])
        .status
        .success());
    assert!(mine.exists());
}

/// Runs `generate` on the e-commerce example with the given override templates and
/// returns the exit code, stderr and how long it took.
fn with_templates(tag: &str, files: &[(&str, &str)]) -> (Option<i32>, String, f64) {
    let t = Temp::new(tag);
    let tpl = t.path("tpl");
    for (name, text) in files {
        let path = tpl.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let start = std::time::Instant::now();
    let o = generate(
        "examples/ecommerce.yaml",
        &t.path("out"),
        &["--templates", tpl.to_str().unwrap()],
    );
    let secs = start.elapsed().as_secs_f64();
    if !o.status.success() {
        assert!(
            !t.path("out").exists(),
            "nothing is written when a template fails"
        );
    }
    (o.status.code(), stderr(&o), secs)
}

#[test]
fn a_partial_that_includes_itself_is_an_error_before_rendering() {
    let (code, e, _) = with_templates(
        "self-include",
        &[(
            "istio/mesh.yaml.hbs",
            "a: 1\n{{#*inline \"again\"}}x{{> again}}{{/inline}}\n{{> again}}\n",
        )],
    );
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains("include cycle"), "{e}");
    assert!(e.contains("istio/mesh.yaml.hbs:2:"), "file and line: {e}");
}

#[test]
fn templates_that_include_each_other_are_an_error_before_rendering() {
    let (code, e, _) = with_templates(
        "mutual",
        &[
            (
                "prometheus/rules.yml.hbs",
                "groups:\n{{> prometheus/rules_test.yml}}\n",
            ),
            (
                "prometheus/rules_test.yml.hbs",
                "x: 1\n\n{{> prometheus/rules.yml}}\n",
            ),
        ],
    );
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains("include cycle"), "{e}");
    assert!(
        e.contains("rules.yml.hbs:2:1") && e.contains("rules_test.yml.hbs:3:1"),
        "both includes located: {e}"
    );
}

#[test]
fn nested_loops_over_the_model_stop_at_the_loop_budget() {
    let each = |n: usize| {
        let open = "{{#each @root.groups}}".repeat(n);
        let close = "{{/each}}".repeat(n);
        format!("groups: []\n{open}{close}\n")
    };
    let (code, e, secs) = with_templates("loops", &[("prometheus/rules.yml.hbs", &each(6))]);
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains("loops ran more iterations"), "{e}");
    assert!(e.contains("prometheus/rules.yml"), "{e}");
    assert!(secs < 20.0, "took {secs:.1} s");
    // Two levels are well within the budget.
    let (code, e, _) = with_templates("loops-ok", &[("prometheus/rules.yml.hbs", &each(2))]);
    assert_eq!(code, Some(0), "{e}");
}

#[test]
fn output_past_the_size_limit_is_an_error() {
    let body = format!("# {}\n", "x".repeat(8 * 1024));
    let text = format!(
        "groups: []\n{{{{#each groups}}}}{{{{#each @root.groups}}}}{{{{#each @root.groups}}}}{body}{{{{/each}}}}{{{{/each}}}}{{{{/each}}}}"
    );
    let (code, e, _) = with_templates("output", &[("prometheus/rules.yml.hbs", &text)]);
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains("output grew past"), "{e}");
}

#[test]
fn template_files_are_checked_before_use() {
    // A partial name that is computed cannot be checked for cycles.
    let (code, e, _) = with_templates(
        "dynamic",
        &[("istio/mesh.yaml.hbs", "a: 1\n{{> (lookup this \"x\")}}\n")],
    );
    assert_eq!(code, Some(2), "{e}");
    assert!(
        e.contains("mesh.yaml.hbs:2:") && e.contains("written out"),
        "{e}"
    );
    // Nesting is capped.
    let deep = format!("{}x{}", "{{#if a}}".repeat(80), "{{/if}}".repeat(80));
    let (code, e, _) = with_templates("deep", &[("istio/mesh.yaml.hbs", &deep)]);
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains("deeper than 64"), "{e}");
    // Size is capped.
    let big = "#".repeat(300 * 1024);
    let (code, e, _) = with_templates("big", &[("istio/mesh.yaml.hbs", &big)]);
    assert_eq!(code, Some(2), "{e}");
    assert!(e.contains("larger than 256 KiB"), "{e}");
}

#[cfg(unix)]
#[test]
fn a_template_that_is_not_a_regular_file_is_refused() {
    let t = Temp::new("fifo");
    let tpl = t.path("tpl");
    fs::create_dir_all(tpl.join("istio")).unwrap();
    let fifo = tpl.join("istio/mesh.yaml.hbs");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let o = generate(
        "examples/minimal.yaml",
        &t.path("out"),
        &["--templates", tpl.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
}

/// The attempts of each `VirtualService` route, by route name.
fn route_attempts(mesh: &str) -> Vec<(String, i64)> {
    mesh.split("\n---\n")
        .map(yaml)
        .filter(|v| v["kind"] == "VirtualService")
        .flat_map(|v| v["spec"]["http"].as_array().cloned().unwrap_or_default())
        .map(|r| {
            let name = r["name"].as_str().unwrap_or_default().to_string();
            (name, r["retries"]["attempts"].as_i64().unwrap_or(-1))
        })
        .collect()
}

/// Retries live at one layer: the file's `retry` is the caller's own (the client code
/// retries), so without a declared mesh or `mesh_retry` the Istio route retries nothing
/// and says so (`attempts: 0`: Istio's default would retry twice more). A declared mesh
/// or a written `mesh_retry` is the mesh layer's, and the route follows it.
#[test]
fn istio_routes_do_not_retry_on_top_of_the_client_unless_the_mesh_is_declared() {
    let t = Temp::new("one-layer");
    let system = |caller: &str, uses: &str| {
        format!(
            "version: 1\nsystem: t\nservices:\n  a: {{ language: go{caller} }}\n  b: {{ language: go }}\ninteractions:\n  - {{ id: a-b, from: a, to: b, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, protocol: rest, timeout_ms: 900, retry: {{ max_attempts: 3, backoff: exponential, base_ms: 50, jitter: true }}{uses} }} }}\n"
        )
    };
    let cases = [
        ("no-mesh", system("", ""), 0),
        ("istio", system(", mesh: istio", ""), 2),
        (
            "written",
            system("", ", mesh_retry: { max_attempts: 2 }"),
            1,
        ),
    ];
    for (tag, text, want) in cases {
        let input = t.path(&format!("{tag}.yaml"));
        fs::write(&input, text).unwrap();
        let out = t.path(tag);
        let o = generate(input.to_str().unwrap(), &out, &["--target", "istio,go"]);
        assert!(o.status.success(), "{tag}: {}", stderr(&o));
        let mesh = read(out.join("istio/b.yaml"));
        let routes = route_attempts(&mesh);
        assert!(
            routes.contains(&("a-b".to_string(), want)),
            "{tag}: {routes:?}\n{mesh}"
        );
        // The client code keeps the caller's own three attempts in every case.
        let go = read(out.join("go/a/clients.go"));
        assert!(go.contains("3"), "{tag}: {go}");
    }
}
