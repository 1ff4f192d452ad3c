//! S — the seed's synchronous checklist ("성능 최적화 체크리스트 · 동기식 통신"):
//! connection pooling, timeouts, circuit breaker thresholds, retries with exponential
//! backoff and jitter, batch APIs, response compression, caching. Applies to sync,
//! sync-optimized and the synchronous half of cqrs.

use super::checklist::{designed, ends, kind_of, slo_latency};
use super::Context;
use crate::finding::Finding;
use crate::model::fields::{self, Field};
use crate::model::types::{Backoff, Compression, Pattern, RetryOn, ServiceKind};

rules! {
    MISSING_TIMEOUT {
        code: "S001",
        name: "missing-timeout",
        severity: Error,
        harm: Wait,
        check: check_timeout,
        summary: "A synchronous call without a timeout",
        doc: r#"## What it checks
Every interaction whose pattern has a synchronous part (sync, sync-optimized, cqrs)
declares `uses.timeout_ms` (or inherits it from `defaults`), or declares a client or mesh
whose documented default bounds the call (OkHttp's 10 s read timeout, Envoy's 15 s route
timeout; docs/stacks.md). A client known to set no timeout at all (axios, Go's
`http.Client`, Python requests, gRPC without a deadline) is named in the message; without
a declared client the message says the library's default is not known. On a call with a
circuit breaker (written, from `defaults` or a declared client's default), the message
says that the breaker never opens on a hang. Calls made by a `client` (a browser, an app,
a command-line tool a person runs) are exempt: the person waiting is that call's timeout,
and no thread of the system is held by it; the calls the system makes on its behalf are
what this rule judges.

## Why
The seed's sync checklist asks for "적절한 타임아웃 값 설정" (a suitable timeout). Without one
a hung callee holds the caller's thread or connection until the client library's default —
often none at all — and the caller fails in turn: the start of a cascading failure. The
seed's own client sets `timeout: 5000`. A circuit breaker does not make up for it: it
opens on failed calls, and a call that hangs without a timeout never fails, so the
breaker stays closed through the very outage it was added for.

## Example
```yaml
uses: { pattern: sync, protocol: rest }
```

## Fix
Set `timeout_ms` above the callee's p99 latency and within what the caller's own callers
wait for it; the finding's help suggests a value from the declared SLOs.
"#,
    }

    TIMEOUT_BELOW_P99 {
        code: "S002",
        name: "timeout-below-callee-p99",
        severity: Info,
        check: check_timeout_p99,
        summary: "The timeout is shorter than the callee's declared p99 latency",
        doc: r#"## What it checks
The effective timeout — `uses.timeout_ms`, else a declared stack's default (httpx's 5 s,
Envoy's 15 s route timeout; docs/stacks.md) — against the callee's `slo.latency_p99_ms`. (The other side of the
budget — a timeout longer than what the caller's own caller waits — is G003.)

## Why
A timeout has to fit the latency budget on both sides. By the callee's own objective, 1 %
of its answers take longer than its p99; a timeout below that cuts more than 1 % of calls
that would have succeeded, and retries turn them into extra load exactly when the callee is
slowest. Info: a tight timeout on an optional call (ads, recommendations) that falls back
to nothing can be deliberate.

## Example
```yaml
services:
  inventory: { slo: { latency_p99_ms: 300 } }
interactions:
  - { id: get-stock, from: catalog, to: inventory, uses: { timeout_ms: 250 } }
```

## Fix
Raise `timeout_ms` above the callee's p99, or make the callee faster and lower its
declared p99. If the short timeout is deliberate (a cached fallback answers instead),
suppress with that reason.
"#,
    }

    MISSING_POOL {
        code: "S003",
        name: "missing-connection-pool",
        severity: Warning,
        harm: Hygiene,
        check: check_pool,
        summary: "A synchronous call without a keep-alive connection pool",
        doc: r#"## What it checks
Every synchronous call declares `uses.pool` with `keep_alive` not set to `false`, unless
connections are reused anyway: gRPC (`protocol: grpc`) multiplexes one HTTP/2 connection,
a declared client that pools by default needs no `pool` written, nor does a call through a
declared mesh whose proxy pools its connections to the callee (Envoy, Istio; docs/stacks.md).
Without a declared client the message says that reuse is not known. A call made by a job
(`runs_in: job`) is not asked: no request waits on its handshakes, and it calls at the pace
of its own loop, not of the traffic. Nor is a call whose caller is `kind: client` (a
browser, a mobile app, a person's tool): its connections are the client's own, kept by the
browser or the app's HTTP library, not something the system's configuration sets; a `pool`
written there with `keep_alive: false` is still reported.

## Why
First item of the seed's sync checklist: "Connection Pooling 설정", shown with an agent
that keeps sockets alive (`keepAlive: true`, `maxSockets`, `freeSocketTimeout`). Without a
pool every call pays a TCP (and TLS) handshake, and under load the caller runs out of
ephemeral ports or file descriptors.

## Example
```yaml
uses: { pattern: sync, protocol: rest, timeout_ms: 500 }
```

## Fix
```yaml
pool: { keep_alive: true, max_connections: 50, max_idle: 10, idle_timeout_ms: 30000 }
```
Size `max_connections` by Little's law (C001): at least rps × latency.
"#,
    }

    MISSING_BREAKER {
        code: "S004",
        name: "missing-circuit-breaker",
        severity: Warning,
        check: check_breaker,
        summary: "A synchronous call between services without a circuit breaker",
        doc: r#"## What it checks
Every synchronous call declares `uses.circuit_breaker`, or a client whose default
pipeline has one (`polly-standard`, `resilience4j`; docs/stacks.md). Calls made by a
`client` (a browser or app, which reports the failure to its user) are exempt, and so are
calls to the caller's own store: a datastore protocol (`memcached`, `redis`, `mongodb`,
`postgres`, `mysql`, `jdbc`, `sql`, `cassandra`) to a callee no other service talks to. A
service's own database is part of the service; its pool's bounds and the call's timeout
protect it, and a breaker in front of it only turns a slow query into the same error.
Calls made by a job (`runs_in: job`) are exempt too: no request's threads wait on them,
and what a breaker sheds is the load of requests that keep arriving, while a job's calls
come at the pace of its own loop (S006 and R003 still judge how the job retries).

## Why
The flowchart's node L for the sync pattern is "Circuit Breaker + 재시도", and the seed's
cascading-failure defence puts a circuit breaker inside the bulkhead. Without one, a failing
callee keeps receiving the full load (plus retries) and the caller keeps waiting on it.

## Example
```yaml
uses: { pattern: sync, protocol: grpc, timeout_ms: 500 }
```

## Fix
```yaml
circuit_breaker: { failure_rate_percent: 50, min_calls: 20, open_ms: 30000, half_open_calls: 5 }
```
"#,
    }

    BREAKER_THRESHOLDS {
        code: "S005",
        name: "circuit-breaker-thresholds",
        severity: Warning,
        check: check_breaker_thresholds,
        summary: "Circuit breaker thresholds that trip on noise or never trip",
        doc: r#"## What it checks
The declared circuit breaker's thresholds: `failure_rate_percent` within
`breaker_failure_rate_min`..`breaker_failure_rate_max` (default 5–80), `min_calls` at least
`breaker_min_calls` (default 5), `open_ms` at least `breaker_min_open_ms` (default 1000).
Where no `circuit_breaker` is written, the declared client's documented breaker (Polly's
standard handler, Resilience4j's `ofDefaults()`; docs/stacks.md) is judged the same way,
and the message says the thresholds are that client's defaults.

## Why
The seed's checklist asks to tune the breaker's thresholds ("Circuit Breaker 임계값 조정").
A breaker that opens at 1 % failures or after two calls trips on ordinary noise; one that
waits for 95 % failures never protects anyone; an open state of a few milliseconds sends the
full load back to a callee that is still down.

## Example
```yaml
circuit_breaker: { failure_rate_percent: 95, min_calls: 2, open_ms: 100 }
```

## Fix
Start from `{ failure_rate_percent: 50, min_calls: 20, open_ms: 30000, half_open_calls: 5 }`
and adjust from production data. Thresholds are configurable in `commsplan.toml`.
"#,
    }

    RETRY_POLICY {
        code: "S006",
        name: "retry-policy",
        severity: Warning,
        check: check_retry,
        summary: "Retries that are unbounded, without exponential backoff, or without jitter",
        doc: r#"## What it checks
A call's effective attempts are at most `retry_max_attempts` (default 5): the caller's
(a written `retry.max_attempts`, else its client's default retries) times the mesh's (a
written `mesh_retry.max_attempts`, else the mesh's default: Istio retries twice; see
docs/stacks.md), and the message names each layer and where it comes from. A written
retry with more than one attempt also has a `max_attempts`, `backoff: exponential` and
`jitter: true` (a stack's own schedule is its documented one), unless it is a failover:
`next_instance: true` with `on: connect-failure` (each retry goes to another instance, and
only after the connection failed). The fix's schedule fits the
caller's timeout (attempts × timeout + backoff: the mesh's tries run inside each attempt's
timeout), and the figures are rounded to ones a person writes where a round figure still
fits.

## Why
The seed's checklist: "재시도 정책 최적화 (지수 백오프 + 지터)" — exponential backoff plus
jitter. Retries without backoff hammer a struggling callee; retries without jitter from many
callers arrive in synchronised waves (thundering herd); unbounded retries never give up.
Both protect a callee from work sent again. A failover sends none: a request whose
connection failed never reached a callee, and the retry goes to another instance, as
client-side balancers do (Ribbon's `MaxAutoRetriesNextServer`, tried at once). A retry after
a timeout is different even on another instance: the first may still be working, and when
every instance is slow the retries come back at once, so backoff and jitter still apply.

## Example
```yaml
retry: { max_attempts: 2, backoff: exponential, base_ms: 200, max_ms: 1000 }
```

```yaml
retry: { max_attempts: 3, backoff: none, next_instance: true, on: any }   # Ribbon, timeouts too
```

## Fix
```yaml
retry: { max_attempts: 3, backoff: exponential, base_ms: 100, max_ms: 1000, jitter: true }
```
A client that cannot delay its retries (Ribbon's LoadBalancerCommand) is given a retry
handler that retries connection failures only (a `RetryHandler` whose retriable exceptions
are `ConnectException`): `retry: { max_attempts: 3, next_instance: true, on: connect-failure }`.
"#,
    }

    MISSING_BATCH {
        code: "S007",
        name: "missing-batch-api",
        severity: Warning,
        harm: Hygiene,
        check: check_batch,
        summary: "A sync-optimized read at high rate with small payloads and no batch API",
        doc: r#"## What it checks
A `sync-optimized` interaction at or above `batch_min_rps` (default 100) whose payload is at
most `batch_max_payload_bytes` (default 4096, or unknown) declares `uses.batch` — unless it
declares a cache, which absorbs the repeated reads (S009 asks for the cache first).

## Why
The flowchart's node M for sync-optimized is "캐싱 + 배치 처리" (caching + batching), and the
seed's `BatchOptimizedClient` fetches uncached ids through `/users/batch` in chunks of 50.
Many small calls cost more in round trips and per-request overhead than in payload. Plain
sync calls are not asked for a batch API: a checkout is one request, not many.

## Example
```yaml
traffic: { rps: 2000, payload_bytes: 200 }
uses: { pattern: sync-optimized, cache: { ttl_ms: 30000 } }
```

## Fix
```yaml
batch: { max_size: 50, max_wait_ms: 10 }
```
"#,
    }

    MISSING_COMPRESSION {
        code: "S008",
        name: "missing-response-compression",
        severity: Info,
        harm: Hygiene,
        check: check_compression,
        summary: "Payloads above the compression threshold are sent uncompressed",
        doc: r#"## What it checks
A synchronous interaction whose `traffic.payload_bytes` is at least `compression_min_bytes`
(default 1024) declares a `compression` codec other than `none`, and does not set
`uses.compression_min_bytes` above the payload.

## Why
The seed's checklist asks for "응답 데이터 압축" (response compression), and its clients
enable `compression: true`; its producer compresses above 1 KiB. Text payloads of a few KiB
shrink several-fold, which saves bandwidth and tail latency. Info: below a few KiB the gain
is small.

## Example
```yaml
traffic: { payload_bytes: 12000 }
uses: { pattern: sync, protocol: rest }
```

## Fix
```yaml
compression: gzip          # or br, zstd
```
"#,
    }

    MISSING_CACHE {
        code: "S009",
        name: "missing-cache",
        severity: Warning,
        harm: Hygiene,
        check: check_cache,
        summary: "A sync-optimized read without a cache",
        doc: r#"## What it checks
A `sync-optimized` interaction that reads (not marked `idempotent: false`) declares
`uses.cache`.

## Why
The flowchart sends interactions whose users can wait and whose data may be eventually
consistent to "동기식 + 최적화", whose node M is "캐싱 + 배치 처리". The seed's client checks
its cache first (`user:{id}`, 5 minutes) and only fetches what is missing. Without the cache
the "optimised" call is a plain sync call.

## Example
```yaml
uses: { pattern: sync-optimized, protocol: rest, timeout_ms: 800 }
```

## Fix
```yaml
cache: { ttl_ms: 300000 }   # as long as the data may be stale
```
"#,
    }
}

fn sync_half<'a>(
    cx: &'a Context<'_>,
) -> impl Iterator<Item = (&'a crate::model::InteractionDecl, Pattern)> + 'a {
    designed(cx)
        .filter(|(_, _, p)| p.has_sync_part())
        .map(|(d, _, p)| (d, p))
}

fn check_timeout(cx: &Context<'_>, out: &mut Vec<Finding>) {
    use crate::stacks::{effective, Limit};
    for (decl, _) in sync_half(cx) {
        if kind_of(cx.model, &decl.interaction.from) == ServiceKind::Client {
            continue;
        }
        let stacks = effective::stacks(cx.model, decl);
        let known = effective::timeout(cx.model, decl, &stacks);
        if matches!(known, Some((Limit::Ms(..), _))) {
            continue;
        }
        let i = &decl.interaction;
        let suggestion = super::budget::timeout(cx, decl).snippet();
        let (message, label, help) = match known {
            Some((_, effective::Origin::Stack { stack, .. })) => (
                format!(
                    "sync call {} has no timeout at all: {stack} sets none unless one is configured, so a hung `{}` holds the caller forever",
                    ends(decl),
                    i.to
                ),
                format!("{stack}: no timeout"),
                format!("add `{suggestion} under `uses:` and set it on the {stack} client"),
            ),
            _ if stacks.client.is_none() => (
                format!(
                    "sync call {} declares no timeout and no `client`, so the library's default is not known: a hung `{}` may hold the caller indefinitely",
                    ends(decl),
                    i.to
                ),
                "no `timeout_ms`".to_string(),
                format!("add `{suggestion} under `uses:`, or {}", effective::DECLARE_STACK),
            ),
            _ => (
                format!(
                    "sync call {} declares no timeout, and commsplan knows no documented default for its client: a hung `{}` may hold the caller indefinitely",
                    ends(decl),
                    i.to
                ),
                "no `timeout_ms`".to_string(),
                format!("add `{suggestion} under `uses:`"),
            ),
        };
        let (message, label, help) = match effective::breaker(cx.model, decl, &stacks) {
            Some((_, origin)) => breaker_never_opens(decl, &origin, message, help),
            None => (message, label, help),
        };
        out.push(
            cx.finding(&MISSING_TIMEOUT, decl, fields::USES_TIMEOUT_MS, message)
                .label(label)
                .help(help),
        );
    }
}

/// S001 on a call that has a circuit breaker: the breaker counts failed calls, and a call
/// without a timeout does not fail while it hangs, so the breaker never opens on a hang,
/// the failure it is there for. Said in the one finding about the missing timeout.
fn breaker_never_opens(
    decl: &crate::model::InteractionDecl,
    origin: &crate::stacks::effective::Origin,
    message: String,
    help: String,
) -> (String, String, String) {
    use crate::stacks::effective::Origin;
    let whose = match origin {
        Origin::Stack { stack, .. } => format!("its {stack} circuit breaker (a default of the client)"),
        _ => "its `circuit_breaker`".to_string(),
    };
    (
        format!(
            "{message}; {whose} never opens on a hang: calls to `{}` that hang never fail, so the breaker counts no failure while the caller's threads pile up",
            decl.interaction.to
        ),
        "no `timeout_ms` under a breaker".to_string(),
        format!("a breaker opens on failed calls, and only a timeout makes a hung call fail: {help}"),
    )
}

fn check_timeout_p99(cx: &Context<'_>, out: &mut Vec<Finding>) {
    use crate::stacks::{effective, Limit};
    for (decl, _) in sync_half(cx) {
        let i = &decl.interaction;
        let stacks = effective::stacks(cx.model, decl);
        let known = effective::timeout(cx.model, decl, &stacks);
        let (Some((Limit::Ms(timeout, _), origin)), Some(p99)) =
            (&known, slo_latency(cx.model, &i.to))
        else {
            continue;
        };
        if (*timeout as f64) >= p99 {
            continue;
        }
        let source = effective::timeout_source(&known).map_or(String::new(), |s| format!(" ({s})"));
        let mut f = cx.finding(
            &TIMEOUT_BELOW_P99,
            decl,
            effective::stack_field(&stacks, origin, fields::USES_TIMEOUT_MS),
            format!(
                "timeout {timeout} ms{source} is below `{}`'s declared p99 of {p99} ms: more than 1 % of calls {} time out",
                i.to,
                ends(decl)
            ),
        )
        .label(format!("< p99 {p99} ms"))
        .help({
            let advice = super::budget::timeout(cx, decl);
            match advice.value {
                Some(_) => format!(
                    "set `{}, or lower `{}`'s `slo.latency_p99_ms` once it is faster",
                    advice.snippet(),
                    i.to
                ),
                None => format!("set `{}", advice.snippet()),
            }
        });
        if let Some(s) = cx.model.service(&i.to) {
            f = f.related(
                cx.model.at(&s.origin, fields::SLO_LATENCY_P99_MS),
                format!("`{}` declares p99 {p99} ms here", i.to),
            );
        }
        out.push(f);
    }
}

fn check_pool(cx: &Context<'_>, out: &mut Vec<Finding>) {
    use crate::stacks::effective;
    for (decl, _) in sync_half(cx).filter(|(d, _)| !d.interaction.in_a_job()) {
        let help = format!("add `{}` under `uses:`", crate::recommended::pool_block());
        if decl.uses().pool.as_ref().is_some_and(|p| p.keep_alive == Some(false)) {
            out.push(
                cx.finding(
                    &MISSING_POOL,
                    decl,
                    fields::USES_POOL_KEEP_ALIVE,
                    format!(
                        "sync call {} turns keep-alive off: pooled connections are closed after each call",
                        ends(decl)
                    ),
                )
                .label("keep-alive off")
                .help("set `keep_alive: true`"),
            );
            continue;
        }
        if kind_of(cx.model, &decl.interaction.from) == ServiceKind::Client {
            continue;
        }
        let stacks = effective::stacks(cx.model, decl);
        let known = effective::connections(cx.model, decl, &stacks);
        if known.as_ref().is_some_and(|(c, _)| c.reuses()) {
            continue;
        }
        let (message, help) = match stacks.client {
            // The stack is known to open a connection per call (Spring's mail sender).
            Some(_) if known.is_some() => {
                let name = stacks.client_stack().map_or("", |s| s.name);
                (
                    format!(
                        "sync call {} declares no connection pool, and {name} opens a new connection for each call and closes it after (docs/stacks.md)",
                        ends(decl)
                    ),
                    help,
                )
            }
            None => (
                format!(
                    "sync call {} declares no connection pool and no `client`, so whether calls reuse connections is not known",
                    ends(decl)
                ),
                format!("{help}, or {}", effective::DECLARE_STACK),
            ),
            Some(_) => {
                let name = stacks.client_stack().map_or("", |s| s.name);
                (
                    format!(
                        "sync call {} declares no connection pool, and commsplan knows no documented pooling default for {name}",
                        ends(decl)
                    ),
                    help,
                )
            }
        };
        out.push(
            cx.finding(&MISSING_POOL, decl, fields::USES_POOL, message)
                .label("no `pool`")
                .help(help),
        );
    }
}

fn check_breaker(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (decl, _) in sync_half(cx) {
        if kind_of(cx.model, &decl.interaction.from) == ServiceKind::Client
            || cx.own_store(decl)
            || decl.interaction.in_a_job()
        {
            continue;
        }
        let stacks = crate::stacks::effective::stacks(cx.model, decl);
        if crate::stacks::effective::breaker(cx.model, decl, &stacks).is_some() {
            continue;
        }
        out.push(
            cx.finding(
                &MISSING_BREAKER,
                decl,
                fields::USES_CIRCUIT_BREAKER,
                format!(
                    "sync call {} declares no circuit breaker: without one a failing `{}` keeps receiving full load and retries",
                    ends(decl),
                    decl.interaction.to
                ),
            )
            .label("no `circuit_breaker`")
            .help("add `circuit_breaker: { failure_rate_percent: 50, min_calls: 20, open_ms: 30000, half_open_calls: 5 }` under `uses:`"),
        );
    }
}

/// The breaker S005 judges: the written `circuit_breaker`, else the declared client's
/// documented default (`None` where neither exists), with the field a finding points at
/// and the words that say where the thresholds come from.
struct JudgedBreaker {
    failure_rate: Option<f64>,
    min_calls: Option<u32>,
    open_ms: Option<u64>,
    from_stack: Option<&'static str>,
}

fn judged_breaker(cx: &Context<'_>, decl: &crate::model::InteractionDecl) -> Option<JudgedBreaker> {
    use crate::stacks::effective;
    if let Some(cb) = &decl.uses().circuit_breaker {
        return Some(JudgedBreaker {
            failure_rate: cb.failure_rate_percent,
            min_calls: cb.min_calls,
            open_ms: cb.open_ms,
            from_stack: None,
        });
    }
    let stacks = effective::stacks(cx.model, decl);
    match effective::breaker(cx.model, decl, &stacks)? {
        (b, effective::Origin::Stack { stack, .. }) => Some(JudgedBreaker {
            failure_rate: Some(b.failure_rate_percent),
            min_calls: Some(b.min_calls),
            open_ms: Some(b.open_ms),
            from_stack: Some(stack),
        }),
        _ => None,
    }
}

fn breaker_problems(t: &super::Thresholds, cb: &JudgedBreaker) -> Vec<(Field, String, String)> {
    let mut problems: Vec<(Field, String, String)> = Vec::new();
    if let Some(rate) = cb.failure_rate {
        if rate < t.breaker_failure_rate_min {
            problems.push((
                fields::USES_CIRCUIT_BREAKER_FAILURE_RATE,
                format!("opens at {rate} % failures, on ordinary noise"),
                "failure_rate_percent: 50".into(),
            ));
        } else if rate > t.breaker_failure_rate_max {
            problems.push((
                fields::USES_CIRCUIT_BREAKER_FAILURE_RATE,
                format!("waits for {rate} % failures, so it hardly ever opens"),
                "failure_rate_percent: 50".into(),
            ));
        }
    }
    if let Some(n) = cb.min_calls {
        if n < t.breaker_min_calls {
            problems.push((
                fields::USES_CIRCUIT_BREAKER_MIN_CALLS,
                format!("judges the failure rate after only {n} calls"),
                format!("min_calls: {}", t.breaker_min_calls.max(20)),
            ));
        }
    }
    if let Some(ms) = cb.open_ms {
        if ms < t.breaker_min_open_ms {
            problems.push((
                fields::USES_CIRCUIT_BREAKER_OPEN_MS,
                format!("stays open only {ms} ms, sending load back to a callee still down"),
                "open_ms: 30000".into(),
            ));
        }
    }
    problems
}

fn check_breaker_thresholds(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (decl, _) in sync_half(cx) {
        let Some(cb) = judged_breaker(cx, decl) else {
            continue;
        };
        for (field, what, fix) in breaker_problems(cx.thresholds, &cb) {
            let f = match cb.from_stack {
                None => cx
                    .finding(
                        &BREAKER_THRESHOLDS,
                        decl,
                        field,
                        format!("the circuit breaker on {} {what}", ends(decl)),
                    )
                    .label("threshold")
                    .help(format!("set `{fix}`")),
                Some(stack) => cx
                    .finding(
                        &BREAKER_THRESHOLDS,
                        decl,
                        fields::USES_CLIENT,
                        format!(
                            "the circuit breaker on {} ({stack}'s default, no `circuit_breaker` written) {what}",
                            ends(decl)
                        ),
                    )
                    .label(format!("{stack} default"))
                    .help(format!(
                        "write `circuit_breaker: {{ {fix} }}` under `uses:` and configure the {stack} breaker the same way"
                    )),
            };
            out.push(f);
        }
    }
}

/// What S006 finds wrong with a call's retries: the effective attempts against the
/// bound (either layer, their product included), and a written retry's own schedule.
fn retry_problems(
    t: &super::Thresholds,
    retry: Option<&crate::model::types::Retry>,
    attempts: Option<&crate::stacks::effective::Attempts>,
    count_field: Field,
) -> Vec<(Field, String)> {
    use crate::stacks::effective;
    let mut problems: Vec<(Field, String)> = Vec::new();
    if retry.is_some_and(|r| r.max_attempts.is_none()) {
        problems.push((
            fields::USES_RETRY_MAX_ATTEMPTS,
            "no `max_attempts`: the library default decides, possibly unbounded".into(),
        ));
    }
    if let Some(a) = attempts.filter(|a| a.count > t.retry_max_attempts) {
        let source = effective::attempts_source(a).map_or(String::new(), |s| format!(" ({s})"));
        problems.push((
            count_field,
            format!(
                "{} attempts{source} (more than {}) keep a failing callee busy",
                a.count, t.retry_max_attempts
            ),
        ));
    }
    // The schedule is the writer's where a retry is written and retries; a stack's
    // own schedule is its documented one.
    let Some(retry) = retry.filter(|r| r.max_attempts.is_none_or(|n| n > 1)) else {
        return problems;
    };
    // A failover: each retry goes to another instance, and only after the connection
    // failed, so the request never reached a callee and adds no work to a struggling
    // one. Backoff and jitter protect a callee from work sent again; there is none.
    let next_instance = retry.next_instance == Some(true);
    if next_instance && retry.on == Some(RetryOn::ConnectFailure) {
        return problems;
    }
    let failover = if next_instance {
        " (each retry goes to another instance, but after a timeout too, when the callee may still be working: the load comes back at once to a service whose instances may all be slow)"
    } else {
        ""
    };
    if retry.backoff != Some(Backoff::Exponential) {
        let what = match retry.backoff {
            Some(Backoff::Fixed) => "fixed backoff",
            Some(Backoff::None) => "no backoff",
            _ => "no backoff declared",
        };
        problems.push((
            fields::USES_RETRY_BACKOFF,
            format!("{what}: retries arrive while the callee is still struggling{failover}"),
        ));
    }
    if retry.jitter != Some(true) {
        problems.push((
            fields::USES_RETRY_JITTER,
            "no jitter: callers retry in synchronised waves".into(),
        ));
    }
    problems
}

fn check_retry(cx: &Context<'_>, out: &mut Vec<Finding>) {
    use crate::stacks::effective;
    let t = cx.thresholds;
    for (decl, _) in sync_half(cx) {
        let stacks = effective::stacks(cx.model, decl);
        let attempts = effective::attempts(cx.model, decl, &stacks);
        let retry = decl.uses().retry.as_ref();
        let count_field = effective::attempts_field(&stacks, attempts.as_ref());
        let problems = retry_problems(t, retry, attempts.as_ref(), count_field);
        let Some(&(first, _)) = problems.first() else {
            continue;
        };
        let mesh = attempts.as_ref().and_then(|a| a.mesh.clone()).filter(|l| l.count > 1);
        let client = attempts.as_ref().and_then(|a| a.client.as_ref()).map(|l| l.count);
        let want = super::budget::ScheduleWant {
            attempts: client
                .unwrap_or(crate::recommended::RETRY_MAX_ATTEMPTS.value)
                .min(t.retry_max_attempts),
            base_ms: retry
                .and_then(|r| r.base_ms)
                .unwrap_or(crate::recommended::RETRY_BASE_MS.value),
            max_ms: 0,
            per_attempt: mesh.as_ref().map_or(1, |l| l.count),
            max_total: t.retry_max_attempts,
        };
        let want = super::budget::ScheduleWant {
            max_ms: retry
                .and_then(|r| r.max_ms)
                .unwrap_or(want.base_ms.saturating_mul(10)),
            ..want
        };
        let fit = super::budget::schedule(cx, decl, want);
        let reasons: Vec<String> = problems.iter().map(|(_, r)| r.clone()).collect();
        let under_mesh = mesh.as_ref().map_or(String::new(), |l| {
            format!(
                "; the mesh tries each attempt {} times ({}): to retry at one layer only, {}",
                l.count,
                effective::layer_source(l),
                effective::stop_retrying(l)
            )
        });
        out.push(
            cx.finding(
                &RETRY_POLICY,
                decl,
                first,
                format!("retry on {}: {}", ends(decl), reasons.join("; ")),
            )
            .label(if first == fields::USES_RETRY_JITTER {
                "no jitter"
            } else if first == fields::USES_RETRY_BACKOFF {
                "no exponential backoff"
            } else {
                "unbounded"
            })
            .help(format!(
                "write `retry: {{ max_attempts: {}, backoff: exponential, base_ms: {}, max_ms: {}, jitter: true }}`{}{under_mesh}",
                fit.attempts, fit.base_ms, fit.max_ms, fit.why
            )),
        );
    }
}

fn check_batch(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let t = cx.thresholds;
    for (decl, _) in sync_half(cx).filter(|(_, p)| *p == Pattern::SyncOptimized) {
        let traffic = decl.interaction.traffic.clone().unwrap_or_default();
        let Some(rps) = traffic.rps else { continue };
        if decl.uses().batch.is_some()
            || decl.uses().cache.is_some()
            || rps < t.batch_min_rps
            || traffic
                .payload_bytes
                .is_some_and(|b| b > t.batch_max_payload_bytes)
        {
            continue;
        }
        out.push(
            cx.finding(
                &MISSING_BATCH,
                decl,
                fields::USES_BATCH,
                format!(
                    "sync-optimized {} runs at {rps} req/s{} without a batch API: round trips dominate",
                    ends(decl),
                    traffic
                        .payload_bytes
                        .map(|b| format!(" with {b}-byte payloads"))
                        .unwrap_or_default()
                ),
            )
            .label("no `batch`")
            .help("add `batch: { max_size: 50, max_wait_ms: 10 }` under `uses:` and a batch endpoint on the callee"),
        );
    }
}

fn check_compression(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let t = cx.thresholds;
    for (decl, _) in sync_half(cx) {
        let Some(bytes) = decl
            .interaction
            .traffic
            .as_ref()
            .and_then(|t| t.payload_bytes)
        else {
            continue;
        };
        if bytes < t.compression_min_bytes {
            continue;
        }
        let uses = decl.uses();
        let (field, why) = match uses.compression {
            None => (fields::USES_COMPRESSION, "no compression".to_string()),
            Some(Compression::None) => (
                fields::USES_COMPRESSION,
                "`compression: none`".to_string(),
            ),
            Some(_) => match uses.compression_min_bytes {
                Some(min) if min > bytes => (
                    fields::USES_COMPRESSION_MIN_BYTES,
                    format!("`compression_min_bytes: {min}` is above the payload"),
                ),
                _ => continue,
            },
        };
        out.push(
            cx.finding(
                &MISSING_COMPRESSION,
                decl,
                field,
                format!(
                    "{} carries {bytes}-byte payloads with {why} (threshold {} bytes)",
                    ends(decl),
                    t.compression_min_bytes
                ),
            )
            .label("uncompressed")
            .help(if field == fields::USES_COMPRESSION {
                "set `compression: gzip` (or `br`, `zstd`) under `uses:`".to_string()
            } else {
                format!("set `compression_min_bytes: {}`", t.compression_min_bytes)
            }),
        );
    }
}

fn check_cache(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (decl, _) in sync_half(cx).filter(|(_, p)| *p == Pattern::SyncOptimized) {
        if decl.uses().cache.is_some() || decl.interaction.idempotent == Some(false) {
            continue;
        }
        out.push(
            cx.finding(
                &MISSING_CACHE,
                decl,
                fields::USES_CACHE,
                format!(
                    "sync-optimized read {} has no cache: every request goes to `{}`",
                    ends(decl),
                    decl.interaction.to
                ),
            )
            .label("no `cache`")
            .help(
                "add `cache: { ttl_ms: 300000 }` under `uses:` (as long as the data may be stale)",
            ),
        );
    }
}
