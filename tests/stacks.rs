//! The rules judge the effective configuration: what is written, over the file's
//! `defaults`, over the declared stack's documented defaults. Each changed rule fires and
//! stays silent with and without a declared stack; explain lists where each value comes
//! from; docs/stacks.md is the knowledge base as the code holds it.

use commsplan::analysis::{analyze_with, Analysis, RunOptions};
use commsplan::finding::Finding;
use commsplan::model::LoadOptions;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn write(yaml: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("commsplan-stacks-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("commsplan.toml"), "").unwrap();
    let path = dir.join("system.yaml");
    std::fs::write(&path, yaml).unwrap();
    path
}

fn run(yaml: &str) -> Analysis {
    analyze_with(
        &[&write(yaml)],
        &LoadOptions::default(),
        &RunOptions::default(),
    )
    .expect("analysis runs")
}

/// One sync call `a → b`; `top` goes above `services`, `caller` into `a`'s mapping.
fn system(top: &str, caller: &str, idempotent: &str, uses: &str) -> String {
    format!(
        "version: 1\nsystem: t\n{top}services:\n  a: {{ {caller} }}\n  b: {{}}\ninteractions:\n  - {{ id: x, from: a, to: b, {idempotent}needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, {uses} }} }}\n"
    )
}

fn found<'a>(a: &'a Analysis, code: &str) -> Vec<&'a Finding> {
    a.findings
        .iter()
        .filter(|f| f.suppressed.is_none() && f.code == code)
        .collect()
}

fn one<'a>(a: &'a Analysis, code: &str) -> &'a Finding {
    let f = found(a, code);
    assert_eq!(
        f.len(),
        1,
        "{code}: {:?}",
        a.findings.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
    f[0]
}

#[test]
fn timeout_without_a_stack_says_what_it_cannot_know() {
    let a = run(&system("", "", "", "protocol: rest"));
    let f = one(&a, "S001");
    assert!(f.message.contains("no `client`"), "{}", f.message);
    assert!(f.message.contains("not known"), "{}", f.message);
    assert!(
        f.help.as_deref().unwrap_or("").contains("client:"),
        "{:?}",
        f.help
    );
}

#[test]
fn axios_has_no_timeout_at_all() {
    let a = run(&system(
        "defaults: { client: axios }\n",
        "",
        "",
        "protocol: rest",
    ));
    let f = one(&a, "S001");
    assert!(f.message.contains("no timeout at all"), "{}", f.message);
    assert!(f.message.contains("axios"), "{}", f.message);
}

#[test]
fn a_stack_with_a_default_timeout_answers_s001() {
    for stack in [
        "client: okhttp",
        "client: dotnet-httpclientfactory",
        "mesh: envoy",
    ] {
        let a = run(&system("", "", "", &format!("protocol: rest, {stack}")));
        assert!(found(&a, "S001").is_empty(), "{stack}");
    }
    // A written timeout wins over a stack that has none.
    let a = run(&system(
        "",
        "",
        "",
        "protocol: rest, client: axios, timeout_ms: 500",
    ));
    assert!(found(&a, "S001").is_empty());
}

#[test]
fn grpc_multiplexes_by_protocol_so_no_pool_is_asked() {
    let a = run(&system("", "", "", "protocol: grpc, timeout_ms: 500"));
    assert!(found(&a, "S003").is_empty());
    let a = run(&system("", "", "", "protocol: rest, timeout_ms: 500"));
    let f = one(&a, "S003");
    assert!(f.message.contains("not known"), "{}", f.message);
    assert!(!f.message.contains("every call pays"), "{}", f.message);
}

#[test]
fn a_pooling_client_answers_s003_and_an_unknown_one_says_so() {
    let a = run(&system(
        "",
        "client: reqwest",
        "",
        "protocol: rest, timeout_ms: 500",
    ));
    assert!(found(&a, "S003").is_empty(), "the caller's client pools");
    let a = run(&system(
        "",
        "",
        "",
        "protocol: rest, timeout_ms: 500, client: fetch",
    ));
    let f = one(&a, "S003");
    assert!(f.message.contains("fetch"), "{}", f.message);
    // Keep-alive turned off is still judged as written.
    let a = run(&system(
        "",
        "",
        "",
        "protocol: rest, timeout_ms: 500, client: reqwest, pool: { keep_alive: false }",
    ));
    assert!(one(&a, "S003").message.contains("keep-alive off"));
}

#[test]
fn a_default_breaker_answers_s004() {
    let a = run(&system("", "", "", "protocol: rest, timeout_ms: 500"));
    assert!(one(&a, "S004")
        .message
        .contains("declares no circuit breaker"));
    for stack in ["polly-standard", "resilience4j"] {
        let a = run(&system(
            "",
            "",
            "",
            &format!("protocol: rest, timeout_ms: 500, client: {stack}"),
        ));
        assert!(found(&a, "S004").is_empty(), "{stack}");
    }
}

#[test]
fn istio_retries_a_call_that_is_not_idempotent() {
    let plain = system(
        "",
        "",
        "idempotent: false, ",
        "protocol: rest, timeout_ms: 500",
    );
    assert!(found(&run(&plain), "R003").is_empty(), "no retry is known");
    let istio = system(
        "",
        "mesh: istio",
        "idempotent: false, ",
        "protocol: rest, timeout_ms: 500",
    );
    let a = run(&istio);
    let f = one(&a, "R003");
    assert!(f.message.contains("tried 3 times"), "{}", f.message);
    assert!(f.message.contains("istio: 2 retries"), "{}", f.message);
    // A written retry policy is the caller's decision and wins over the mesh's.
    let off = system(
        "",
        "mesh: istio",
        "idempotent: false, ",
        "protocol: rest, timeout_ms: 500, retry: { max_attempts: 1 }",
    );
    assert!(found(&run(&off), "R003").is_empty());
}

#[test]
fn the_interaction_beats_the_service_beats_the_defaults() {
    // defaults say axios (no timeout), the service says okhttp (10 s read timeout).
    let a = run(&system(
        "defaults: { client: axios }\n",
        "client: okhttp",
        "",
        "protocol: rest",
    ));
    assert!(found(&a, "S001").is_empty());
    // The interaction's own axios wins over the service's okhttp.
    let a = run(&system(
        "",
        "client: okhttp",
        "",
        "protocol: rest, client: axios",
    ));
    assert!(one(&a, "S001").message.contains("axios"));
}

#[test]
fn an_unknown_stack_name_is_a_located_error() {
    let a = analyze_with(
        &[&write(&system("", "", "", "protocol: rest, client: curl"))],
        &LoadOptions::default(),
        &RunOptions::default(),
    )
    .expect("analysis runs");
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "M004")
        .expect("invalid value");
    assert!(f.location.is_some());
}

#[test]
fn explain_lists_the_effective_configuration_with_origins() {
    let path = write(&system(
        "defaults: { client: axios }\n",
        "mesh: istio",
        "",
        "protocol: rest, timeout_ms: 800",
    ));
    let out = Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .args(["explain", path.to_str().unwrap(), "x"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("effective configuration:"), "{text}");
    assert!(
        text.contains("axios  (declared at defaults.client)"),
        "{text}"
    );
    assert!(
        text.contains("istio  (declared at the calling service's `mesh`)"),
        "{text}"
    );
    assert!(text.contains("request timeout 800 ms  ← written"), "{text}");
    assert!(
        text.contains("← istio default (Istio 1.22: https://istio.io/"),
        "{text}"
    );
    assert!(text.contains("connections     unknown"), "{text}");
}

const START: &str = "<!-- stacks:start -->\n";
const END: &str = "<!-- stacks:end -->";

/// docs/stacks.md shows the knowledge base as the code holds it.
/// `UPDATE_DOCS=1 cargo test --test stacks` rewrites it.
#[test]
fn knowledge_base_in_docs_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/stacks.md");
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find(START).expect("start marker") + START.len();
    let end = text.find(END).expect("end marker");
    let expected = commsplan::stacks::reference();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(
            path,
            format!("{}{}{}", &text[..start], expected, &text[end..]),
        )
        .unwrap();
        return;
    }
    assert!(
        text[start..end] == expected,
        "docs/stacks.md is out of date: run `UPDATE_DOCS=1 cargo test --test stacks`"
    );
}
