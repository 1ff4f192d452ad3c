//! `commsplan import compose`: the Sock Shop compose file read where it is, and small
//! fixtures for the environment forms, brokers, start order, hostile names and broken YAML.

mod common;

use common::{edges, loads, pairs, samples, TempDir};
use std::path::Path;

const KIND: &str = "compose";

fn import(dir: &Path, args: &[&str]) -> (String, String, i32) {
    common::import(dir, KIND, args)
}

fn kind_of(model: &commsplan::model::Model, name: &str) -> Option<&'static str> {
    model
        .service(name)
        .and_then(|s| s.service.kind)
        .map(|k| k.as_str())
}

#[test]
fn sock_shop_compose_imports_its_services_and_the_one_address_it_names() {
    let dir = samples().join("sock-shop/deploy/docker-compose");
    let (text, err, code) = import(&dir, &["docker-compose.yml"]);
    assert_eq!(code, 0, "{err}");
    let model = loads(&text, "sock-shop");
    assert_eq!(model.services.len(), 15, "{text}");
    // `MONGO_HOST=user-db:27017` is the only address in an environment; JAVA_OPTS and
    // the database passwords name no service.
    assert_eq!(edges(&model), pairs(&[("user", "user-db")]));
    assert_eq!(kind_of(&model, "rabbitmq"), Some("external"));
    assert_eq!(kind_of(&model, "carts-db"), Some("external"));
    assert_eq!(kind_of(&model, "orders-db"), Some("external"));
    assert_eq!(kind_of(&model, "front-end"), None);
    insta::assert_snapshot!("compose-sock-shop", text);
}

const FIXTURE: &str = "\
services:
  web:
    image: example/web:1
    environment:
      - API_URL=http://api:8080/v1
      - CACHE_ADDR=cache:6379
      - SELF=http://web:80
      - ELSEWHERE=http://not-in-input:80
      - PLAIN
    depends_on:
      - api
      - cache
      - db-migrate
    healthcheck:
      test: [CMD, curl, -f, http://localhost]
      timeout: 5s
  api:
    image: example/api:1
    environment:
      ORDERS_QUEUE_HOST: rabbit
      KAFKA_BOOTSTRAP: events:9092
      PORT: 8080
    depends_on:
      rabbit: {condition: service_healthy}
      nats: {condition: service_started}
  cache:
    image: redis:7
  rabbit:
    image: rabbitmq:3-management
    environment:
      RABBITMQ_NODENAME: rabbit@api
  events:
    image: bitnami/kafka:3.7
  nats:
    image: nats:2.10
  db-migrate:
    image: example/migrate:1
";

#[test]
fn environment_forms_brokers_and_start_order() {
    let t = TempDir::new("forms");
    t.write("compose.yaml", FIXTURE);
    let (text, err, code) = import(&t.0, &["."]);
    assert_eq!(code, 0, "{err}");
    let model = loads(&text, "forms");
    assert_eq!(
        edges(&model),
        pairs(&[
            ("api", "events"),
            ("api", "rabbit"),
            ("web", "api"),
            ("web", "cache"),
        ])
    );
    let protocol = |to: &str| {
        model
            .interactions
            .iter()
            .find(|d| d.interaction.to == to)
            .and_then(|d| d.uses().protocol.clone())
    };
    assert_eq!(protocol("rabbit").as_deref(), Some("amqp"));
    assert_eq!(protocol("events").as_deref(), Some("kafka"));
    assert_eq!(protocol("cache"), None);
    // A broker's own environment is not read for calls.
    assert!(!edges(&model).contains(&("rabbit".into(), "api".into())));
    // `depends_on` alone is not a call: noted where no address backs it.
    assert!(
        text.contains("`api` depends on `nats` (start order)"),
        "{text}"
    );
    assert!(
        text.contains("`web` depends on `db-migrate` (start order)"),
        "{text}"
    );
    assert!(!text.contains("`web` depends on `api`"), "{text}");
    assert!(
        text.contains("compose.yaml:15: `web`: a healthcheck"),
        "{text}"
    );
    assert!(!text.contains("timeout_ms"), "{text}");
    assert!(
        text.contains("protocol: amqp  # from ./compose.yaml:29"),
        "{text}"
    );
}

#[test]
fn hostile_service_names_are_escaped_and_load() {
    let t = TempDir::new("hostile");
    t.write(
        "c.yaml",
        "services:\n  \"a\\\"b\\n\\e[31mc: é\":\n    environment: {X_URL: 'http://api:1'}\n  api: {image: x}\n",
    );
    let (text, err, code) = import(&t.0, &["c.yaml"]);
    assert_eq!(code, 0, "{err}");
    assert!(!text.contains('\u{1b}'), "{text}");
    let model = loads(&text, "hostile");
    assert_eq!(edges(&model), pairs(&[("a\"b\n\u{1b}[31mc: é", "api")]));
}

#[test]
fn broken_yaml_is_a_located_diagnostic() {
    let t = TempDir::new("broken");
    t.write("a.yaml", "services:\n  web: {image: [x\n");
    t.write("b.yaml", "services:\n  api: {image: y}\n");
    let (text, err, code) = import(&t.0, &["."]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("a.yaml:") && err.contains("M001"), "{err}");
    let model = loads(&text, "broken");
    assert_eq!(model.services.len(), 1);
}

#[test]
fn links_env_files_and_command_arguments_are_read_inside_the_input() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (text, err, code) = import(root, &["tests/fixtures/import/compose"]);
    assert_eq!(code, 0, "{err}");
    let model = loads(&text, "links");
    // web → api (its environment, and a link), → cache (`--cache-addr cache:6379`),
    // → db (`database:5432` in web.env, `database` being the alias of its link to db);
    // worker → api (worker.env), → rabbit (`--queue-url=amqp://…` in its command
    // string). Not: web.env's `OVERRIDDEN_URL` (`environment` sets it), worker's
    // `-h web` (not an address flag), and nothing from the env files not read.
    assert_eq!(
        edges(&model),
        pairs(&[
            ("web", "api"),
            ("web", "cache"),
            ("web", "db"),
            ("worker", "api"),
            ("worker", "rabbit"),
        ])
    );
    for (id, at) in [
        ("web-api", "docker-compose.yml:13"),
        ("web-cache", "docker-compose.yml:14"),
        ("web-db", "web.env:2"),
        ("worker-api", "worker.env:1"),
        ("worker-rabbit", "docker-compose.yml:17"),
    ] {
        let want = format!("- id: {id}  # from tests/fixtures/import/compose/{at}\n");
        assert!(text.contains(&want), "{want}\n{text}");
    }
    // Env files that are missing, optional or outside the input are located notes.
    for note in [
        "docker-compose.yml:8: env_file `optional.env` (`required: false`) does not exist",
        "docker-compose.yml:10: env_file `../args.yaml` is outside the input",
        "docker-compose.yml:11: env_file `missing.env` does not exist",
        "docker-compose.yml:29: `legacy` links `gone`, which is not a service of the input",
    ] {
        assert!(err.contains(note), "{note}\n{err}");
    }
}

#[test]
fn a_link_without_an_address_is_still_a_call_and_env_files_are_bounded() {
    let t = TempDir::new("links");
    t.write(
        "docker-compose.yml",
        "services:\n  web:\n    image: w\n    links: [api]\n    depends_on: [api]\n    env_file: [big.env, sub/../../escape.env, dir.env]\n  api:\n    image: a\n",
    );
    t.write("big.env", &"X=http://api:80\n".repeat(80_000));
    std::fs::create_dir_all(t.0.join("dir.env")).unwrap();
    let (text, err, code) = import(&t.0, &["docker-compose.yml"]);
    assert_eq!(code, 0, "{err}");
    let model = loads(&text, "links-only");
    assert_eq!(edges(&model), pairs(&[("web", "api")]));
    // The link is the call (`depends_on` alone would only be a note).
    assert!(!err.contains("depends on `api`"), "{err}");
    assert!(
        err.contains("env_file `big.env` could not be read"),
        "{err}"
    );
    assert!(err.contains("env_file `sub/../../escape.env`"), "{err}");
    assert!(
        err.contains("env_file `dir.env` could not be read"),
        "{err}"
    );
}

#[test]
fn hostile_env_file_paths_links_and_deep_documents_give_escaped_notes() {
    let t = TempDir::new("hostile-env");
    let compose = serde_json::json!({"services": {
        "web\u{1b}[31m": {"image": "w", "links": ["a\"pi:al\u{2028}ias\n# x", "gone\n# injected: true"],
            "env_file": ["\u{1b}[2J\n../../etc/passwd", "/etc/passwd", "https://x/e.env", {"path": "e\u{0}.env", "required": false}],
            "command": ["--to", "http://a\"pi:80", "-Dx.url=http://\u{1b}:1"]},
        "a\"pi": {"image": "a"}}});
    t.write("docker-compose.json", &compose.to_string());
    t.write(
        "deep.yaml",
        &format!("services:\n  x: {}{}\n", "[".repeat(5000), "]".repeat(5000)),
    );
    let (text, err, code) = import(&t.0, &["docker-compose.json", "deep.yaml"]);
    assert!(code == 0 || code == 1, "{err}");
    assert!(
        err.contains("deep.yaml:"),
        "a located diagnostic for the deep document: {err}"
    );
    assert!(
        !err.contains('\u{1b}') && !text.contains('\u{1b}'),
        "{err}\n{text}"
    );
    assert!(
        !err.contains('\u{2028}') && !text.contains('\u{2028}'),
        "{err}\n{text}"
    );
    assert!(!text.lines().any(|l| l.starts_with("# injected")), "{text}");
    let model = loads(&text, "hostile-env");
    // The link is the call: no address can name `a"pi`, which is not a host name.
    assert!(
        edges(&model).contains(&("web\u{1b}[31m".to_string(), "a\"pi".to_string())),
        "{text}"
    );
    assert!(!err.lines().any(|l| l.starts_with("# injected")), "{err}");
    for why in ["absolute or a URL", "does not exist", "`required: false`"] {
        assert!(err.contains(why), "{why}: {err}");
    }
}

/// A folder that holds Kubernetes manifests beside the compose file: one note per file
/// that is not compose, however many documents it holds.
#[test]
fn a_manifest_file_beside_the_compose_file_is_one_note() {
    let dir = samples().join("sock-shop/deploy");
    let (text, err, code) = import(&dir, &["."]);
    assert_eq!(code, 0, "{err}");
    let skipped: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("complete-demo.yaml") && l.contains("not a compose file"))
        .collect();
    assert_eq!(skipped.len(), 1, "{err}");
    assert!(skipped[0].contains("documents from here on"), "{err}");
    assert_eq!(
        edges(&loads(&text, "sock-shop-folder")),
        pairs(&[("user", "user-db")])
    );
}
