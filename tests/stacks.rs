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

/// The stacks of the review corpus pool by default (Jersey on Grizzly, Feign through
/// Ribbon, Zuul, EclipseLink, the MongoDB Go driver, gomemcache, SqlClient,
/// StackExchange.Redis, a browser): S003 is
/// silent on each without a `pool` written; Spring's mail sender opens a connection per
/// call, and S003 says so.
#[test]
fn framework_and_driver_stacks_that_pool_answer_s003_and_one_that_does_not_fires() {
    for stack in [
        "browser",
        "jersey",
        "jersey-grizzly",
        "feign-ribbon",
        "spring-cloud-zuul",
        "eclipselink",
        "mongo-go-driver",
        "gomemcache",
        "sqlclient",
        "stackexchange-redis",
    ] {
        let a = run(&system(
            "",
            &format!("client: {stack}"),
            "",
            "protocol: rest, timeout_ms: 500",
        ));
        assert!(found(&a, "S003").is_empty(), "{stack} pools");
    }
    let a = run(&system(
        "",
        "client: spring-javamail",
        "",
        "protocol: smtp, timeout_ms: 500",
    ));
    let f = one(&a, "S003");
    assert!(
        f.message
            .contains("spring-javamail opens a new connection for each call"),
        "{}",
        f.message
    );
    // A written pool with keep-alive answers it.
    let a = run(&system(
        "",
        "client: spring-javamail",
        "",
        "protocol: smtp, timeout_ms: 500, pool: { keep_alive: true, max_connections: 2 }",
    ));
    assert!(found(&a, "S003").is_empty());
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
    assert!(
        f.message.contains("istio (mesh default): 2 retries"),
        "{}",
        f.message
    );
    // The caller's own retry policy does not stop the proxy's retries…
    let own = system(
        "",
        "mesh: istio",
        "idempotent: false, ",
        "protocol: rest, timeout_ms: 500, retry: { max_attempts: 1 }",
    );
    let a = run(&own);
    assert!(one(&a, "R003").message.contains("tried 3 times"));
    let help = one(&a, "R003").help.clone().unwrap_or_default();
    assert!(help.contains("mesh_retry: { max_attempts: 1 }"), "{help}");
    // …the mesh's written retry policy does.
    let off = system(
        "",
        "mesh: istio",
        "idempotent: false, ",
        "protocol: rest, timeout_ms: 500, retry: { max_attempts: 1 }, mesh_retry: { max_attempts: 1 }",
    );
    assert!(found(&run(&off), "R003").is_empty());
}

/// A library's own resend after a connection failure counts as an attempt only where
/// its source says the request may already have been processed: okhttp resends any
/// method (R003 on a write); Go's Transport resends idempotent requests only; Reactor
/// Netty resends only a request whose headers were never sent, and gRPC only an RPC the
/// server's application never saw, so neither is duplicate work.
#[test]
fn transparent_replays_are_not_attempts_and_possibly_processed_ones_are() {
    let write = |client: &str| {
        run(&system(
            "",
            &format!("client: {client}"),
            "idempotent: false, ",
            "protocol: rest, timeout_ms: 500",
        ))
    };
    let a = write("okhttp");
    let f = one(&a, "R003");
    assert!(f.message.contains("tried 2 times"), "{}", f.message);
    assert!(f.message.contains("okhttp default"), "{}", f.message);
    for quiet in ["spring-webclient", "grpc-go", "grpc-java", "go-net-http"] {
        assert!(found(&write(quiet), "R003").is_empty(), "{quiet}");
    }
    // Turning okhttp's resend off is written as one attempt.
    let a = run(&system(
        "",
        "client: okhttp",
        "idempotent: false, ",
        "protocol: rest, timeout_ms: 500, retry: { max_attempts: 1 }",
    ));
    assert!(found(&a, "R003").is_empty());
}

#[test]
fn a_client_retry_under_a_retrying_mesh_multiplies() {
    // 3 attempts by the caller, each tried 3 times by Istio: 9 requests at the callee.
    let layered = system(
        "",
        "mesh: istio",
        "idempotent: false, ",
        "protocol: rest, timeout_ms: 500, retry: { max_attempts: 3, backoff: exponential, base_ms: 10, jitter: true }",
    );
    let a = run(&layered);
    let f = one(&a, "R003");
    assert!(f.message.contains("tried 9 times"), "{}", f.message);
    assert!(
        f.message.contains(
            "3 × 3 attempts: `retry.max_attempts: 3` written, under istio (mesh default): 2 retries"
        ),
        "{}",
        f.message
    );
    let help = f.help.clone().unwrap_or_default();
    assert!(
        help.contains("set `retry: { max_attempts: 1 }`; and configure the istio route"),
        "{help}"
    );
    // 9 attempts is more than S006's bound of 5: the fix fits both layers into it.
    let s006 = one(&a, "S006");
    assert!(
        s006.message.contains("9 attempts (3 × 3 attempts"),
        "{}",
        s006.message
    );
    let help = s006.help.clone().unwrap_or_default();
    assert!(help.contains("max_attempts: 1,"), "{help}");
    assert!(
        help.contains("the mesh tries each attempt 3 times"),
        "{help}"
    );
    // Polly's standard handler retries 3 times (4 attempts) under Istio's 3: 12.
    let stacked = system(
        "",
        "mesh: istio, client: polly-standard",
        "idempotent: false, ",
        "protocol: rest, timeout_ms: 500",
    );
    let a = run(&stacked);
    let f = one(&a, "R003");
    assert!(f.message.contains("tried 12 times"), "{}", f.message);
    assert!(
        f.message.contains("polly-standard default: 3 retries"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("istio (mesh default): 2 retries"),
        "{}",
        f.message
    );
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
    // The sidecar holds the connections to the callee: Istio's Envoy pools them.
    assert!(
        text.contains("connections     keep-alive connection pool  ← istio default"),
        "{text}"
    );
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

/// A sync chain `gw → a → b → c`; `uses` gives each hop's extra `uses` fields.
fn chain(uses: [&str; 3]) -> String {
    let hop = |id: &str, from: &str, to: &str, extra: &str| {
        format!("  - {{ id: {id}, from: {from}, to: {to}, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync{extra} }} }}\n")
    };
    format!(
        "version: 1\nsystem: t\nservices:\n  gw: {{ kind: gateway }}\n  a: {{}}\n  b: {{}}\n  c: {{}}\ninteractions:\n{}{}{}",
        hop("gw-a", "gw", "a", uses[0]),
        hop("a-b", "a", "b", uses[1]),
        hop("b-c", "b", "c", uses[2]),
    )
}

const RETRY3: &str = ", timeout_ms: 100, retry: { max_attempts: 3, backoff: exponential, base_ms: 10, jitter: true }";

#[test]
fn istio_default_retries_multiply_along_a_chain_with_written_retries() {
    // 3 × 3 written is 9×, under the default threshold of 10.
    let written = run(&chain([RETRY3, RETRY3, ", timeout_ms: 100"]));
    assert!(found(&written, "G004").is_empty());
    // Istio retries the last hop twice by default: 3 × 3 × 3.
    let meshed = run(&chain([RETRY3, RETRY3, ", timeout_ms: 100, mesh: istio"]));
    let g004 = one(&meshed, "G004");
    assert!(g004.message.contains("27×"), "{}", g004.message);
    assert!(
        g004.message
            .contains("`b-c`: istio (mesh default): 2 retries on connect-failure"),
        "{}",
        g004.message
    );
    // The mesh's written retry policy replaces its default.
    let overridden = run(&chain([
        RETRY3,
        RETRY3,
        ", timeout_ms: 100, mesh: istio, mesh_retry: { max_attempts: 1 }",
    ]));
    assert!(found(&overridden, "G004").is_empty());
    // A caller that retries under the mesh multiplies with it on the same hop: 3 × 9.
    let layered = run(&chain([
        RETRY3,
        ", timeout_ms: 100",
        &format!("{RETRY3}, mesh: istio"),
    ]));
    let g004 = one(&layered, "G004");
    assert!(g004.message.contains("27×"), "{}", g004.message);
    assert!(g004.message.contains("(3 × 9;"), "{}", g004.message);
    assert!(
        g004.message.contains(
            "`b-c`: 3 × 3 attempts: `retry.max_attempts: 3` written, under istio (mesh default)"
        ),
        "{}",
        g004.message
    );
}

#[test]
fn okhttp_default_read_timeout_exceeds_a_shorter_caller() {
    let hop = |extra: &str| {
        format!("version: 1\nsystem: t\nservices:\n  gw: {{ kind: gateway }}\n  a: {{}}\n  b: {{}}\ninteractions:\n  - {{ id: gw-a, from: gw, to: a, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, timeout_ms: 5000 }} }}\n  - {{ id: a-b, from: a, to: b, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync{extra} }} }}\n")
    };
    // No stack: the inner call is unbounded as far as anything says; G007, not G003.
    let unknown = run(&hop(""));
    assert!(found(&unknown, "G003").is_empty());
    assert_eq!(found(&unknown, "G007").len(), 1);
    // okhttp reads for 10 s by default: longer than the 5 s the gateway waits.
    let okhttp = run(&hop(", client: okhttp"));
    let g003 = one(&okhttp, "G003");
    assert!(
        g003.message.contains(
            "may wait 10000 ms on `a-b` (10000 ms; okhttp default read timeout 10000 ms)"
        ),
        "{}",
        g003.message
    );
    // The default bounds the call, so neither G007 nor S001 calls it unbounded.
    assert!(found(&okhttp, "G007").is_empty());
    assert!(found(&okhttp, "S001").is_empty());
    // A written timeout overrides the default.
    let written = run(&hop(", client: okhttp, timeout_ms: 2000"));
    assert!(found(&written, "G003").is_empty());
}

#[test]
fn a_client_without_a_timeout_is_unbounded_for_g007_and_says_whose_default() {
    let a = run(&chain([
        ", timeout_ms: 2000",
        ", client: axios",
        ", timeout_ms: 100",
    ]));
    let g007 = one(&a, "G007");
    assert!(
        g007.message
            .contains("no timeout (`a-b`; axios default: no timeout)"),
        "{}",
        g007.message
    );
    assert!(found(&a, "S001").is_empty(), "G007 supersedes S001");
}

#[test]
fn a_caller_bounded_by_its_mesh_default_is_named() {
    // Envoy's route timeout (15 s) is the gateway's wait; `a` may wait 3 × 6 s below it.
    let a = run(&chain([
        ", mesh: envoy",
        ", timeout_ms: 6000, retry: { max_attempts: 3, backoff: exponential, base_ms: 10, jitter: true }",
        ", timeout_ms: 100",
    ]));
    let g003 = one(&a, "G003");
    assert!(
        g003.message
            .contains("`gw` gives up after 15000 ms (envoy (mesh default) route timeout 15000 ms)"),
        "{}",
        g003.message
    );
}

#[test]
fn s002_judges_a_default_timeout_below_the_callees_p99() {
    let yaml = |extra: &str| {
        format!("version: 1\nsystem: t\nservices:\n  a: {{}}\n  b: {{ slo: {{ latency_p99_ms: 6000 }} }}\ninteractions:\n  - {{ id: x, from: a, to: b, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync{extra} }} }}\n")
    };
    let s002 = one(&run(&yaml(", client: httpx")), "S002").message.clone();
    assert!(
        s002.contains(
            "timeout 5000 ms (httpx default network inactivity timeout 5000 ms) is below"
        ),
        "{s002}"
    );
    assert!(found(&run(&yaml(", client: httpx, timeout_ms: 9000")), "S002").is_empty());
    assert!(found(&run(&yaml("")), "S002").is_empty());
}

/// A suggested timeout fits the caller's wait across the caller's own attempts; a mesh's
/// retries run inside each attempt's timeout and take no share of it.
#[test]
fn a_suggested_timeout_is_shared_by_the_callers_attempts_not_the_meshs() {
    let yaml = |extra: &str| {
        format!("version: 1\nsystem: t\nservices:\n  gw: {{ kind: gateway }}\n  a: {{}}\n  b: {{}}\ninteractions:\n  - {{ id: gw-a, from: gw, to: a, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, timeout_ms: 3000 }} }}\n  - {{ id: a-b, from: a, to: b, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync{extra} }} }}\n")
    };
    let help = |a: &Analysis| one(a, "G007").help.clone().unwrap_or_default();
    let plain = help(&run(&yaml("")));
    assert!(plain.contains("less than 3000 ms"), "{plain}");
    let meshed = help(&run(&yaml(", mesh: istio")));
    assert!(meshed.contains("less than 3000 ms"), "{meshed}");
    // Three attempts of the caller's own share the 3 s.
    let retried = help(&run(&yaml(
        ", mesh: istio, retry: { max_attempts: 3, backoff: none }",
    )));
    assert!(
        retried.contains("1000 ms or less for each of its 3 attempts"),
        "{retried}"
    );
}

#[test]
fn s002_suggests_a_timeout_that_fits_the_callers_wait_across_its_attempts() {
    let yaml = |extra: &str| {
        format!("version: 1\nsystem: t\nservices:\n  gw: {{ kind: gateway }}\n  a: {{}}\n  b: {{ slo: {{ latency_p99_ms: 800 }} }}\ninteractions:\n  - {{ id: gw-a, from: gw, to: a, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, timeout_ms: 3000 }} }}\n  - {{ id: a-b, from: a, to: b, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, timeout_ms: 100{extra} }} }}\n")
    };
    let help = |a: &Analysis| one(a, "S002").help.clone().unwrap_or_default();
    // 1.5 × p99 = 1200 ms fits one attempt in 3 s, with or without the mesh's retries.
    assert!(help(&run(&yaml(""))).contains("timeout_ms: 1200"));
    let meshed = help(&run(&yaml(", mesh: istio")));
    assert!(meshed.contains("timeout_ms: 1200"), "{meshed}");
    // Three attempts of the caller's own do not fit 1200 ms each.
    let retried = help(&run(&yaml(
        ", mesh: istio, retry: { max_attempts: 3, backoff: none }",
    )));
    assert!(retried.contains("timeout_ms: 900"), "{retried}");
    assert!(retried.contains("for each of 3 attempts"), "{retried}");
}

/// The mesh's retries multiply what the callee receives, not what the caller waits: they
/// run inside each of the caller's attempts (the route timeout includes all retries).
#[test]
fn mesh_retries_add_requests_not_waits() {
    // `a` waits at most 2 × 1000 ms + 10 ms backoff on `b`; `gw` waits 2500 ms on `a`.
    let a_b =
        ", timeout_ms: 1000, mesh: istio, retry: { max_attempts: 2, backoff: fixed, base_ms: 10 }";
    let fits = run(&chain([", timeout_ms: 2500", a_b, ", timeout_ms: 100"]));
    assert!(
        found(&fits, "G003").is_empty(),
        "{:?}",
        found(&fits, "G003")
    );
    // Below the caller's own attempts it still inverts: 2 × 1000 ms + 10 ms > 1500 ms.
    let inverted = run(&chain([", timeout_ms: 1500", a_b, ", timeout_ms: 100"]));
    let g003 = one(&inverted, "G003");
    assert!(
        g003.message.contains("2 × 1000 ms + 10 ms backoff"),
        "{}",
        g003.message
    );
    // The callee still receives both layers' attempts: 2 × 3 on that hop.
    let r003 = run(
        &chain([", timeout_ms: 2500", a_b, ", timeout_ms: 100"]).replacen(
            "id: a-b, from: a, to: b, idempotent: true",
            "id: a-b, from: a, to: b, idempotent: false",
            1,
        ),
    );
    assert!(
        one(&r003, "R003").message.contains("6 times"),
        "{}",
        one(&r003, "R003").message
    );
}

/// `explain` lists a library's own resend whether it counts as an attempt or not: grpc-go's
/// transparent retry (not counted), and Go's Transport resend, which skips a call declared
/// `idempotent: false`.
#[test]
fn explain_lists_a_librarys_own_resends() {
    let explain = |yaml: String| {
        let path = write(&yaml);
        let out = Command::new(env!("CARGO_BIN_EXE_commsplan"))
            .args(["explain", path.to_str().unwrap(), "x"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let grpc = explain(system(
        "",
        "client: grpc-go",
        "",
        "protocol: grpc, timeout_ms: 800",
    ));
    assert!(
        grpc.contains("  resends         sent again once: an RPC that never left the client"),
        "{grpc}"
    );
    assert!(
        grpc.contains("not counted as an attempt)  ← grpc-go default"),
        "{grpc}"
    );
    let go = explain(system(
        "",
        "client: go-net-http",
        "idempotent: false, ",
        "protocol: rest, timeout_ms: 800",
    ));
    assert!(
        go.contains("(not for this call: it is `idempotent: false`)  ← go-net-http default"),
        "{go}"
    );
    let plain = explain(system("", "", "", "protocol: rest, timeout_ms: 800"));
    assert!(!plain.contains("resends"), "{plain}");
}

/// A gateway that is an Envoy proxy limits each upstream cluster on its own by default
/// (1024 requests in flight, 1024 pending): R002 asks it for no bulkhead. Without the
/// mesh, or behind Istio (whose defaults were not recorded as a limit), it is asked.
#[test]
fn envoy_default_cluster_limits_are_a_bulkhead_per_callee() {
    let gateway = |mesh: &str| {
        let call = |id: &str, to: &str| {
            format!("  - {{ id: {id}, from: gw, to: {to}, idempotent: true, needs: {{ realtime: true, consistency: strong }}, uses: {{ pattern: sync, protocol: rest, timeout_ms: 500 }} }}\n")
        };
        format!(
            "version: 1\nsystem: t\nservices:\n  gw: {{ kind: gateway{mesh} }}\n  a: {{}}\n  b: {{}}\ninteractions:\n{}{}",
            call("gw-a", "a"),
            call("gw-b", "b")
        )
    };
    assert!(found(&run(&gateway(", mesh: envoy")), "R002").is_empty());
    // `explain` shows where the limit comes from.
    let path = write(&gateway(", mesh: envoy"));
    let out = Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .args(["explain", path.to_str().unwrap(), "gw-a"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "bulkhead        at most 1024 requests in flight and 1024 waiting, per callee  ← envoy"
        ),
        "{text}"
    );
    assert_eq!(found(&run(&gateway("")), "R002").len(), 1);
    assert_eq!(found(&run(&gateway(", mesh: istio")), "R002").len(), 1);
}
