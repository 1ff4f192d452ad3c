//! R — the seed's defence against cascading failure ("계단식 장애 방지"): rate limiting at
//! the entry, bulkheads per dependency, and retries only where repeating is harmless.

use super::checklist::{designed, ends, kind_of};
use super::Context;
use crate::finding::{Finding, Severity};
use crate::model::fields;
use crate::model::types::{Exposure, RetryOn, ServiceKind};
use std::collections::HashSet;

rules! {
    MISSING_RATE_LIMIT {
        code: "R001",
        name: "missing-rate-limit",
        severity: Warning,
        check: check_rate_limit,
        summary: "Traffic enters the system without a rate limit",
        doc: r#"## What it checks
Interactions through which traffic enters the system declare `uses.rate_limit`: those called
by a `client`, and those called by a `gateway` that no interaction in the file calls (the
gateway is then the entry point itself). A call to an `external` service is not asked: it is
traffic leaving the system, whatever calls it. Nor is an entry point that only the
organisation's own people reach: a client or gateway declared `exposure: internal` (a
staff application, an operator's tool). It is a warning where the service the traffic
enters, or one it calls synchronously, declares an `slo`: the burst spends that objective.
Where none does, it is an info: the file states no level of service the limit would
protect, nor one to size it from.

## Why
The seed's `ResilientCommunicationManager` applies "Rate Limiting으로 과부하 방지" first,
before the bulkhead and the circuit breaker: a burst from outside (a retry storm from apps, a
crawler, a sale) must be shed at the door, not deep inside where it has already taken
threads and connections from everyone. Internal calls are not asked: they inherit the limit
at the entry. Nor are entry points only staff and operators reach: a known, bounded
population that does not send those bursts.

## Example
```yaml
- id: web-checkout
  from: web            # kind: client
  to: api-gateway
  uses: { pattern: sync, protocol: rest, timeout_ms: 15000 }
```

## Fix
```yaml
rate_limit: { rps: 200, burst: 50 }
```
"#,
    }

    MISSING_BULKHEAD {
        code: "R002",
        name: "missing-bulkhead",
        severity: Warning,
        check: check_bulkhead,
        summary: "A service with several sync dependencies does not isolate them",
        doc: r#"## What it checks
A service that calls at least `bulkhead_min_dependencies` (default 2) other services
synchronously declares `uses.bulkhead` on each of those calls. One finding per service,
listing the calls without one. Clients (browsers, apps) are exempt. A call to the service's
own store — a callee reached over a datastore protocol (`memcached`, `redis`, `mongodb`,
`postgres`, `mysql`, `jdbc`, `sql`, `cassandra`) that no other service calls — counts as a
dependency but is not asked for a bulkhead: its driver's connection pool already bounds
the threads that wait on it, and a cache in front of the service's database is part of the
service. A service whose only unisolated calls are to its own stores is not reported.
Nor is a service (other than a gateway) that is called through one interaction and whose
calls to other services are all steps of one `operation`, none with a `fallback`: every
request it serves needs every one of those dependencies, so when one hangs the requests
stall on it with or without separate pools, and isolating the others saves no work.
A call through a declared proxy that limits each callee on its own (Envoy's default
circuit-breaker thresholds per upstream cluster: 1024 requests in flight and 1024
pending; docs/stacks.md) has its bulkhead. Nor is a call asked for a bulkhead that would
protect nothing: one the caller makes for every request it serves
(`traffic.every_request: true`: an authentication filter's token check, a tenant
lookup), or one to a callee that each of the caller's other dependencies also calls for
every request it serves. When that callee hangs, every request stalls on
it whatever the pools; its timeout and circuit breaker (S001, S004) are the defences.

## Why
The seed's `BulkheadExecutor` keeps a separate thread pool per dependency ("서비스별 독립적인
스레드 풀": user 5–10, payment 3–5, inventory 10–20). Without it, one slow dependency takes
every worker thread and the calls to healthy dependencies fail too.

## Example
```yaml
- { id: reserve-stock, from: order, to: inventory, uses: { bulkhead: { max_concurrent: 20 } } }
- { id: get-address,   from: order, to: user,      uses: { timeout_ms: 300 } }
```

## Fix
On each listed call: `bulkhead: { max_concurrent: 10, max_queue: 20 }`, sized by Little's
law (rps × latency) with headroom.
"#,
    }

    RETRY_NOT_IDEMPOTENT {
        code: "R003",
        name: "retry-not-idempotent",
        severity: Error,
        harm: Integrity,
        check: check_retry_idempotent,
        summary: "Retries on an operation that is not idempotent",
        doc: r#"## What it checks
An interaction marked `idempotent: false` has no retry with more than one attempt, unless
`uses.idempotency.key` names a key the callee deduplicates on. The attempts are the
effective ones, layer by layer: the caller's (a written `retry`, else its client's default
retries: the .NET standard resilience handler retries three times) times the mesh's (a
written `mesh_retry`, else its default: Istio retries twice on connect failure and 503);
a written `retry` does not stop a mesh's retries. A written `retry` with
`on: connect-failure` counts no attempt: it retries only a connection that was refused or
could not be made, so the request never reached the callee and nothing is repeated. The
message names each layer and its source, and the help says how to stop each
(docs/stacks.md).

## Why
A timeout does not say whether the callee did the work. Retrying a non-idempotent operation
after a timeout repeats it: the seed's payment example (`paymentGateway.charge`) would charge
the card twice. Retries are safe only when a repeat has no further effect.

## Example
```yaml
idempotent: false
uses: { retry: { max_attempts: 2, backoff: exponential, jitter: true } }
```

## Fix
Make the operation idempotent with a key the callee deduplicates on
(`idempotency: { key: payment_id }`, e.g. an `Idempotency-Key` header) and mark it
`idempotent: true`, or stop retrying: `retry: { max_attempts: 1 }`.
"#,
    }
}

fn check_rate_limit(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let called: HashSet<&str> = cx
        .model
        .interactions
        .iter()
        .map(|d| d.interaction.to.as_str())
        .collect();
    let slo_behind = std::cell::OnceCell::new();
    for (decl, _, _) in designed(cx) {
        let from = decl.interaction.from.as_str();
        let entry = match kind_of(cx.model, from) {
            ServiceKind::Client => true,
            ServiceKind::Gateway => !called.contains(from),
            _ => false,
        };
        // A call out to an external service is traffic leaving, not entering: the limit
        // that protects the system sits where requests come in, and the provider enforces
        // its own quota on the way out.
        let outbound = kind_of(cx.model, &decl.interaction.to) == ServiceKind::External;
        // Staff and operators are a known, bounded population: the bursts a limit sheds
        // (retry storms of apps, crawlers, a sale) come from the public side.
        let internal = cx
            .model
            .service(from)
            .is_some_and(|s| s.service.exposure == Some(Exposure::Internal));
        if !entry || outbound || internal || decl.uses().rate_limit.is_some() {
            continue;
        }
        let objective = cx
            .model
            .services
            .get_index_of(&decl.interaction.to)
            .and_then(|to| slo_behind.get_or_init(|| services_with_slo_behind(cx))[to]);
        let (consequence, severity) = match objective {
            Some(s) => (
                format!(
                    "a burst reaches every service behind `{}` and spends the SLO of `{}`",
                    decl.interaction.to,
                    crate::graph::service_name(cx.model, s)
                ),
                MISSING_RATE_LIMIT.severity,
            ),
            // No declared objective behind the entry: shedding load protects no stated
            // level of service, and nothing says what rate the limit should hold.
            None => (
                format!(
                    "a burst reaches every service behind `{}`; no SLO is declared there, so a limit has no stated level to protect or to be sized from",
                    decl.interaction.to
                ),
                Severity::Info,
            ),
        };
        out.push(
            cx.finding(
                &MISSING_RATE_LIMIT,
                decl,
                fields::USES_RATE_LIMIT,
                format!(
                    "{} is where traffic enters the system and it has no rate limit: {consequence}",
                    ends(decl),
                ),
            )
            .label("no `rate_limit`")
            .help("add `rate_limit: { rps: <peak × 2>, burst: <peak / 4> }` under `uses:`")
            .severity(severity),
        );
    }
}

/// Per service, one with an SLO at it or behind it along synchronous calls.
fn services_with_slo_behind(cx: &Context<'_>) -> Vec<Option<usize>> {
    cx.graph().found_behind(|s| {
        cx.model.services.get_index(s).is_some_and(|(_, d)| {
            d.service
                .slo
                .as_ref()
                .is_some_and(|slo| slo.availability.is_some() || slo.latency_p99_ms.is_some())
        })
    })
}

fn check_bulkhead(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let graph = cx.graph();
    let mut reach = EveryRequestReach::default();
    for (service, edges) in graph.out.iter().enumerate() {
        let (name, decl) = cx
            .model
            .services
            .get_index(service)
            .expect("graph nodes are services");
        if decl.service.kind == Some(ServiceKind::Client) {
            continue;
        }
        let callees: HashSet<usize> = edges.iter().map(|&e| graph.edges[e].to).collect();
        if callees.len() < cx.thresholds.bulkhead_min_dependencies {
            continue;
        }
        let lacking: Vec<&crate::model::InteractionDecl> = edges
            .iter()
            .map(|&e| &cx.model.interactions[graph.edges[e].interaction])
            .filter(|d| !cx.own_store(d))
            .filter(|d| {
                let stacks = crate::stacks::effective::stacks(cx.model, d);
                d.declares_uses && crate::stacks::effective::bulkhead(cx.model, d, &stacks).is_none()
            })
            .filter(|d| !isolates_nothing(cx, &mut reach, edges, d))
            .collect();
        let Some(first) = lacking.first() else {
            continue;
        };
        if serves_one_operation(cx, service, decl, edges) {
            continue;
        }
        // A hub can have hundreds of calls: name a few, count the rest. The few are the
        // first by id, so that reordering the file does not change what is said.
        let mut named = lacking.clone();
        named.sort_by_key(|d| d.id());
        let mut ids: Vec<&str> = named.iter().take(8).map(|d| d.id()).collect();
        let more = lacking.len() - ids.len();
        let more_text = format!("{more} more");
        if more > 0 {
            ids.push(&more_text);
        }
        let mut f = Finding::new(
            &MISSING_BULKHEAD,
            format!(
                "`{name}` calls {} services synchronously; {} of its calls {} no bulkhead ({}): one slow dependency can take every thread",
                callees.len(),
                lacking.len(),
                if lacking.len() == 1 { "has" } else { "have" },
                ids.join(", ")
            ),
        )
        .at(cx.model.at(&first.origin, fields::USES_BULKHEAD))
        .label("no `bulkhead`")
        .help(format!(
            "add `bulkhead: {{ max_concurrent: {}, max_queue: {} }}` under `uses:` of each listed call",
            crate::recommended::BULKHEAD_MAX_CONCURRENT.value,
            crate::recommended::BULKHEAD_MAX_QUEUE.value
        ))
        .service(name.as_str());
        for d in named.iter().filter(|d| !std::ptr::eq(**d, *first)).take(8) {
            f = f.related(
                cx.model.at(&d.origin, fields::USES_BULKHEAD),
                format!("`{}` has no bulkhead either", d.id()),
            );
        }
        out.push(f);
    }
}

/// Whether a bulkhead on `call` would protect no other work of its caller: the caller
/// makes it for every request it serves, or every other dependency of the caller needs
/// the same callee for every request too (each resource server checking its tokens with
/// the auth service the gateway also routes to). When that callee hangs, every request
/// of the caller stalls on it with or without a separate pool; its timeout and circuit
/// breaker are the defences (S001, S004).
fn isolates_nothing(
    cx: &Context<'_>,
    reach: &mut EveryRequestReach,
    edges: &[usize],
    call: &crate::model::InteractionDecl,
) -> bool {
    if every_request(call) {
        return true;
    }
    let graph = cx.graph();
    let Some(target) = cx.model.services.get_index_of(call.interaction.to.as_str()) else {
        return false;
    };
    let mut others = edges
        .iter()
        .map(|&e| &graph.edges[e])
        .filter(|e| !std::ptr::eq(&cx.model.interactions[e.interaction], call))
        .filter(|e| !cx.own_store(&cx.model.interactions[e.interaction]))
        .peekable();
    others.peek().is_some() && others.all(|e| reach.needs(cx, e.to, target))
}

fn every_request(call: &crate::model::InteractionDecl) -> bool {
    call.interaction
        .traffic
        .as_ref()
        .and_then(|t| t.every_request)
        == Some(true)
}

/// Which services every request of a service reaches synchronously, remembered: a hub
/// asks it of every pair of its calls, and the answers repeat.
#[derive(Default)]
struct EveryRequestReach {
    known: std::collections::HashMap<(usize, usize), bool>,
}

impl EveryRequestReach {
    /// Whether every request `service` serves reaches `target` synchronously: it is the
    /// target, or a call it makes for every request leads there.
    fn needs(&mut self, cx: &Context<'_>, service: usize, target: usize) -> bool {
        if let Some(&known) = self.known.get(&(service, target)) {
            return known;
        }
        let graph = cx.graph();
        let mut seen = HashSet::new();
        let mut pending = vec![service];
        let mut found = false;
        while let Some(s) = pending.pop() {
            if s == target {
                found = true;
                break;
            }
            if !seen.insert(s) {
                continue;
            }
            for &e in &graph.out[s] {
                let edge = &graph.edges[e];
                if every_request(&cx.model.interactions[edge.interaction]) {
                    pending.push(edge.to);
                }
            }
        }
        self.known.insert((service, target), found);
        found
    }
}

/// Whether every request `service` serves needs every one of its dependencies: it is
/// called through one interaction, and all its calls to other services are steps of one
/// operation, none with a fallback. When one dependency hangs, the requests stall on it
/// whether or not the calls to the others have pools of their own: isolation saves no
/// other work.
fn serves_one_operation(
    cx: &Context<'_>,
    service: usize,
    decl: &crate::model::ServiceDecl,
    edges: &[usize],
) -> bool {
    let graph = cx.graph();
    if decl.service.kind == Some(ServiceKind::Gateway) || graph.in_degree[service] != 1 {
        return false;
    }
    let mut operation = None;
    for &e in edges {
        let call = &cx.model.interactions[graph.edges[e].interaction];
        if cx.own_store(call) {
            continue;
        }
        let name = call.interaction.operation.as_ref().map(|o| o.name.as_str());
        let optional = call.uses().fallback.is_some_and(|f| f.carries_on());
        if name.is_none() || optional || operation.is_some_and(|seen| seen != name) {
            return false;
        }
        operation = Some(name);
    }
    operation.is_some()
}

fn check_retry_idempotent(cx: &Context<'_>, out: &mut Vec<Finding>) {
    use crate::stacks::effective;
    for (decl, _, _) in designed(cx) {
        let uses = decl.uses();
        if decl.interaction.idempotent != Some(false)
            || uses.idempotency.as_ref().is_some_and(|i| i.key.is_some())
        {
            continue;
        }
        let stacks = effective::stacks(cx.model, decl);
        let Some(mut attempts) = effective::attempts(cx.model, decl, &stacks) else {
            continue;
        };
        // A retry of refused connections only repeats nothing: the request never reached
        // the callee.
        let connect_only = uses.retry.as_ref().is_some_and(|r| r.on == Some(RetryOn::ConnectFailure));
        if connect_only {
            attempts.client = None;
            attempts.count = attempts.mesh.as_ref().map_or(1, |m| m.count);
        }
        if attempts.count <= 1 {
            continue;
        }
        let count = attempts.count;
        let why = effective::attempts_source(&attempts).map_or(String::new(), |s| format!(" ({s})"));
        let stops: Vec<String> = attempts.retrying().map(effective::stop_retrying).collect();
        let mut f = cx.finding(
            &RETRY_NOT_IDEMPOTENT,
            decl,
            effective::attempts_field(&stacks, Some(&attempts)),
            format!(
                "{} is not idempotent but is tried {count} times{why}: a timeout followed by a retry repeats the operation",
                ends(decl)
            ),
        )
        .label(format!("{count} attempts"))
        .help(format!(
            "add `idempotency: {{ key: <request id> }}` the callee deduplicates on and set `idempotent: true`, or stop the retries: {}",
            stops.join("; and ")
        ));
        if cx.model.is_written(&decl.origin, fields::IDEMPOTENT) {
            f = f.related(
                cx.model.at(&decl.origin, fields::IDEMPOTENT),
                "declared not idempotent here",
            );
        }
        out.push(f);
    }
}
