//! G — rules over the whole synchronous call graph: what no single interaction shows.
//! Chains start at services nothing calls synchronously (clients, gateways, workers);
//! each finding names its whole chain.

use super::Context;
use crate::finding::Finding;
use crate::model::fields;
use crate::graph::{service_name, SyncGraph};
use crate::stacks::effective;
use std::collections::{BTreeMap, HashMap, HashSet};

rules! {
    SYNC_CYCLE {
        code: "G001",
        name: "sync-cycle",
        severity: Error,
        harm: Wait,
        check: check_cycles,
        summary: "Services call each other synchronously in a cycle",
        doc: r#"## What it checks
Cycles in the graph of synchronous calls (sync, sync-optimized, cqrs; declared, or
recommended where nothing is declared). One finding per cycle, naming it.

## Why
In a sync cycle each service waits on the next while holding a thread and a connection: under
load they exhaust each other's pools (a distributed deadlock), a failure anywhere fails
them all, and no service can be deployed or scaled on its own. The seed's flowchart only
keeps calls synchronous where an answer is needed now; a call back up the chain rarely is.

## Example
```yaml
- { id: a-b, from: order,   to: payment, uses: { pattern: sync } }
- { id: b-a, from: payment, to: order,   uses: { pattern: sync } }
```

## Fix
Break the cycle: make the call back an event (`pattern: stream`), pass the data the callee
needs in the request, or move the shared logic into one service.
"#,
    }

    SYNC_DEPTH {
        code: "G002",
        name: "sync-chain-depth",
        severity: Warning,
        check: check_depth,
        summary: "A chain of synchronous calls longer than the threshold",
        doc: r#"## What it checks
The longest chain of synchronous hops from an entry point (a service nothing calls
synchronously: a client, gateway or worker) against `max_sync_depth` (default 4).

## Why
Every hop adds its latency, its failure rate and its timeout to the chain; the entry waits
for all of them. The seed keeps synchronous calls for answers needed now and moves the rest
to queues and events ("서비스 간 결합도 감소"). A deep sync chain is usually work that could
be asynchronous, or data that could be cached or replicated closer to the caller.

## Example
`web → gateway → order → payment → fraud → psp` is 5 hops.

## Fix
Make the deepest hops asynchronous, cache (sync-optimized) or replicate the data they fetch,
or raise `max_sync_depth` in `commsplan.toml` if the chain is known to be safe.
"#,
    }

    TIMEOUT_INVERSION {
        code: "G003",
        name: "timeout-budget-inversion",
        severity: Warning,
        harm: Wait,
        check: check_timeout_inversion,
        summary: "A caller's timeout is shorter than the callee's own worst case downstream",
        doc: r#"## What it checks
For each synchronous call A → B with a timeout: B's slowest synchronous call B → C, at worst
— its timeout × its attempts plus the backoff delays between them — fits within A's
timeout. Timeouts and attempts are the effective ones: written, else a declared stack's
default (okhttp's 10 s read timeout, Envoy's 15 s route timeout, Istio's 2 retries;
docs/stacks.md), and the message says which values are defaults. One finding per callee B, at its first caller that gives up too early, naming the
others. It is an error where B may go on for twice A's timeout or more and a request from
outside reaches A (A is a client or a gateway, or one calls it synchronously): the callee
then works at least as long again after the request's caller gave up, and each retry of
the request adds another copy of that work. A smaller overrun, or a caller driven by
messages or jobs, is a warning.

Through a gateway that A reaches by several interactions (one per route: A → gateway for
the catalogue, another for the basket), which of the gateway's calls each route leads to
is not in the file; each of those calls is held to the gateway's quickest call instead of
its slowest, since every route waits at least that long. A caller with one interaction
into the gateway (everything it sends goes through it) is held to the slowest.

## Why
When A gives up first, B keeps working (and retrying C) for an answer nobody will read: the
load is wasted exactly when the system is slow, and A's own retries multiply it. Timeouts must
shrink along a chain: each caller waits longer than its callee can take. The seed's client
pairs `timeout` with retries; this rule checks that the pair fits the level above.

## Example
```yaml
- { id: place-order,   from: gateway, to: order,     uses: { timeout_ms: 5000 } }
- { id: reserve-stock, from: order,   to: inventory,
    uses: { timeout_ms: 2000, retry: { max_attempts: 3, backoff: exponential, base_ms: 100 } } }
# order may wait 3 × 2000 + 100 + 200 = 6300 ms > 5000 ms
```

## Fix
Raise the caller's `timeout_ms` above the figure in the message, or shorten the callee's
downstream timeout or attempts (a retry budget: fewer attempts deeper in the chain).
"#,
    }

    RETRY_AMPLIFICATION {
        code: "G004",
        name: "retry-amplification",
        severity: Warning,
        check: check_amplification,
        summary: "Retries at several levels of a sync chain multiply the load",
        doc: r#"## What it checks
The product of the attempts along each synchronous chain from an entry point, against
`max_retry_amplification` (default 10). A hop's attempts are the caller's (its
`retry.max_attempts`, else its declared client's default retries) times the mesh's (its
`mesh_retry.max_attempts`, else the mesh's default: `mesh: istio` retries twice, 3
attempts): a client retrying 3 times under Istio is 9 requests on that one hop
(docs/stacks.md). Stack defaults and layered hops are named in the message with their
sources. One finding per entry point, for its worst chain; entry points whose worst
chains meet at the same retries get one. A chain with a single retrying layer (one call's
own attempts, however many) is not a multiplication: S006 bounds that count.

## Why
Retries multiply down a chain: three levels that each try 3 times send 3 × 3 × 3 = 27 calls
to the deepest service for one user request — exactly when it is failing. This is how a
brief slowdown becomes an outage (a retry storm). The seed asks for retry policies with
backoff and jitter; those spread the load in time but do not reduce it.

## Example
`gateway → order → inventory → warehouse`, each `retry: { max_attempts: 3 }`: 27×.

## Fix
Retry at one level only (usually the one closest to the failing dependency) and set
`retry: { max_attempts: 1 }` on the others, or use a retry budget.
"#,
    }

    COMPOSITE_AVAILABILITY {
        code: "G005",
        name: "composite-availability",
        severity: Warning,
        check: check_availability,
        summary: "A sync chain's composite availability is below the entry service's SLO",
        doc: r#"## What it checks
For each entry service that declares `slo.availability` (a gateway or client, or a service
nothing calls synchronously): the product of the declared availabilities of the services it
depends on along a synchronous chain. One finding per entry, for its weakest chain.
Services without a declared availability count as 100 %.

## Why
A synchronous dependency's failure is the caller's failure: a request that needs services of
99.9 %, 99.9 % and 99.5 % succeeds at best 99.9 % × 99.9 % × 99.5 % ≈ 99.30 %. An entry
promising more than its chain delivers will miss its SLO however well it is run itself. The
seed's answer is to keep only what needs a real-time answer synchronous.

## Example
```yaml
api-gateway: { kind: gateway, slo: { availability: 99.95 } }
order:       { slo: { availability: 99.9 } }
```

## Fix
Make the weakest dependencies asynchronous or optional (a fallback, a cache), raise their
availability, or lower the entry's objective to what the chain can deliver.
"#,
    }

    LATENCY_BUDGET {
        code: "G006",
        name: "latency-budget",
        severity: Warning,
        check: check_latency,
        summary: "Summed p99 latencies along a sync chain exceed the entry's latency SLO",
        doc: r#"## What it checks
For each entry service that declares `slo.latency_p99_ms`: the sum of the declared
`latency_p99_ms` of the services along each synchronous chain it starts. One finding per
entry, for its slowest chain. Each service's figure is taken as its own contribution.

## Why
Latencies add up along a chain of synchronous calls made one after another. If the services
behind an entry need more time together than the entry's own p99 objective, the objective is
missed whenever they are at their p99 — which, across several hops, is often.

## Example
```yaml
api-gateway: { kind: gateway, slo: { latency_p99_ms: 500 } }
order:       { slo: { latency_p99_ms: 300 } }
payment:     { slo: { latency_p99_ms: 400 } }
```

## Fix
Call the services in parallel where the data allows, cache, make hops asynchronous, or raise
the entry's latency objective to what the chain needs.
"#,
    }
}

fn interaction_id<'a>(cx: &'a Context<'_>, graph: &SyncGraph, edge: usize) -> &'a str {
    cx.model.interactions[graph.edges[edge].interaction].id()
}

fn check_cycles(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let graph = cx.graph();
    for members in &graph.cycles {
        let cycle = graph.cycle_edges(members);
        let Some(&first) = cycle.first() else {
            continue;
        };
        let first_decl = &cx.model.interactions[graph.edges[first].interaction];
        let ids: Vec<&str> = cycle
            .iter()
            .map(|&e| interaction_id(cx, graph, e))
            .collect();
        let mut f = cx.finding(
            &SYNC_CYCLE,
            first_decl,
            fields::TO,
            format!(
                "synchronous call cycle {} (via {})",
                graph.describe(cx.model, &cycle),
                ids.join(", ")
            ),
        )
        .label("starts the cycle")
        .help(format!(
            "make one call of the cycle asynchronous, e.g. `uses: {{ pattern: stream }}` on `{}`, or pass the data along instead of calling back",
            ids.last().copied().unwrap_or_default()
        ));
        for &e in cycle.iter().skip(1) {
            let d = &cx.model.interactions[graph.edges[e].interaction];
            f = f.related(
                cx.model.at(&d.origin, fields::TO),
                format!("then `{}` calls `{}`", d.interaction.from, d.interaction.to),
            );
        }
        if members.len() > 1 && cycle.len() < members.len() {
            let names: Vec<&str> = members.iter().map(|&s| service_name(cx.model, s)).collect();
            f.message.push_str(&format!(
                "; these services are all in one cycle: {}",
                names.join(", ")
            ));
        }
        out.push(f);
    }
}

fn check_depth(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let graph = cx.graph();
    let max = cx.thresholds.max_sync_depth;
    let best = graph.best(0.0, |_, v| v + 1.0, |a, b| a > b);
    for root in graph.roots() {
        let chain = graph.chain(&best, root);
        if chain.len() <= max {
            continue;
        }
        let beyond = chain[max];
        let d = &cx.model.interactions[graph.edges[beyond].interaction];
        let entry = &cx.model.interactions[graph.edges[chain[0]].interaction];
        out.push(
            cx.finding(
                &SYNC_DEPTH,
                d,
                fields::TO,
                format!(
                    "sync chain of {} hops from `{}` (more than {max}): {}",
                    chain.len(),
                    service_name(cx.model, root),
                    graph.describe(cx.model, &chain)
                ),
            )
            .label(format!("hop {} of {}", max + 1, chain.len()))
            .help(format!(
                "make `{}` (or a later hop) asynchronous or cached, or raise `max_sync_depth` in commsplan.toml",
                d.id()
            ))
            .related(
                cx.model.at(&entry.origin, fields::FROM),
                format!("the chain starts at `{}`", entry.interaction.from),
            ),
        );
    }
}

/// Callers listed by name in one message; the rest are counted.
const LISTED: usize = 5;

/// Per service, its worst wait on one of its own sync calls, and that call's edge.
/// Per service, its slowest synchronous call at worst (`longest`) or its quickest
/// (`!longest`), with that call's edge.
fn downstream_waits(
    cx: &Context<'_>,
    graph: &SyncGraph,
    longest: bool,
) -> Vec<Option<(u64, usize)>> {
    graph
        .out
        .iter()
        .map(|edges| {
            edges
                .iter()
                .filter_map(|&e| {
                    let edge = &graph.edges[e];
                    edge.worst_case_ms(&cx.model.interactions[edge.interaction])
                        .map(|w| (w, e))
                })
                .fold(None, |acc: Option<(u64, usize)>, (w, e)| match acc {
                    Some((kept, _)) if (kept >= w) == longest => acc,
                    _ => Some((w, e)),
                })
        })
        .collect()
}

/// The downstream wait each call is held to: its callee's slowest call, except through
/// a gateway that the caller reaches by several routes (one interaction each). Which of
/// the gateway's calls a route leads to is not in the file, so such a call is held to
/// the gateway's quickest: every route waits at least that long.
fn held_to(
    cx: &Context<'_>,
    graph: &SyncGraph,
    slowest: &[Option<(u64, usize)>],
    quickest: &[Option<(u64, usize)>],
) -> Vec<Option<(u64, usize)>> {
    use crate::model::types::ServiceKind;
    let mut routes: HashMap<(usize, usize), usize> = HashMap::new();
    for edge in &graph.edges {
        *routes.entry((edge.from, edge.to)).or_default() += 1;
    }
    graph
        .edges
        .iter()
        .map(|edge| {
            let gateway = cx.model.services[edge.to].service.kind == Some(ServiceKind::Gateway);
            if gateway && routes[&(edge.from, edge.to)] > 1 {
                quickest[edge.to]
            } else {
                slowest[edge.to]
            }
        })
        .collect()
}

/// Per callee and slow downstream call, the edges of the callers that give up before
/// the callee can be done waiting on it.
fn early_callers(
    graph: &SyncGraph,
    held: &[Option<(u64, usize)>],
) -> BTreeMap<(usize, usize), Vec<usize>> {
    let mut early: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (index, edge) in graph.edges.iter().enumerate() {
        if let (Some(timeout), Some((downstream, via))) = (edge.timeout_ms, held[index]) {
            if timeout < downstream {
                early.entry((edge.to, via)).or_default().push(index);
            }
        }
    }
    early
}

/// "3 × 2000 ms + 300 ms backoff" for the worst wait of one call, and where its values
/// that are stack defaults come from ("okhttp default read timeout 10000 ms"), if any.
fn worst_wait_text(inner: &crate::graph::Edge, downstream: u64) -> (String, String) {
    let timeout = inner.timeout_ms.unwrap_or(0);
    let backoff = downstream.saturating_sub(timeout.saturating_mul(u64::from(inner.waits)));
    let how = if inner.waits > 1 {
        format!(
            "{} × {timeout} ms{}",
            inner.waits,
            if backoff > 0 {
                format!(" + {backoff} ms backoff")
            } else {
                String::new()
            }
        )
    } else {
        format!("{timeout} ms")
    };
    let sources: Vec<String> = [
        effective::timeout_source(&inner.timeout),
        // Only attempts the caller waits out explain a wait (not a library's resend
        // after a connection failure, nor the mesh's retries inside each attempt).
        inner
            .attempts_from
            .as_ref()
            .filter(|a| a.waited() > 1)
            .and_then(effective::attempts_source),
    ]
    .into_iter()
    .flatten()
    .collect();
    (how, sources.join("; "))
}

/// " (okhttp default read timeout 10000 ms)" when a caller's timeout is a stack default.
fn timeout_note(edge: &crate::graph::Edge) -> String {
    effective::timeout_source(&edge.timeout).map_or(String::new(), |s| format!(" ({s})"))
}

/// The field a finding about an edge's timeout points at: the written `timeout_ms`, or
/// the stack declaration whose default it is.
fn timeout_field(cx: &Context<'_>, edge: &crate::graph::Edge) -> crate::model::fields::Field {
    let decl = &cx.model.interactions[edge.interaction];
    match &edge.timeout {
        Some((_, origin)) => effective::stack_field(
            &effective::stacks(cx.model, decl),
            origin,
            fields::USES_TIMEOUT_MS,
        ),
        None => fields::USES_TIMEOUT_MS,
    }
}

/// The field a finding about an edge's attempts points at.
fn attempts_field(cx: &Context<'_>, edge: &crate::graph::Edge) -> crate::model::fields::Field {
    let decl = &cx.model.interactions[edge.interaction];
    effective::attempts_field(&effective::stacks(cx.model, decl), edge.attempts_from.as_ref())
}

/// "; 2 more callers give up sooner too: `a` (300 ms), `b` (400 ms)".
fn other_callers(cx: &Context<'_>, graph: &SyncGraph, callers: &[usize]) -> String {
    if callers.len() <= 1 {
        return String::new();
    }
    let named: Vec<String> = callers[1..]
        .iter()
        .take(LISTED)
        .map(|&e| {
            let d = &cx.model.interactions[graph.edges[e].interaction];
            format!(
                "`{}` ({} ms{})",
                d.id(),
                graph.edges[e].timeout_ms.unwrap_or(0),
                effective::timeout_source(&graph.edges[e].timeout)
                    .map_or(String::new(), |s| format!(", {s}"))
            )
        })
        .collect();
    let more = callers.len() - 1 - named.len();
    format!(
        "; {} more caller{} give{} up sooner too: {}{}",
        callers.len() - 1,
        if callers.len() == 2 { "" } else { "s" },
        if callers.len() == 2 { "s" } else { "" },
        named.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

fn check_timeout_inversion(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let graph = cx.graph();
    let slowest = downstream_waits(cx, graph, true);
    let quickest = downstream_waits(cx, graph, false);
    let held = held_to(cx, graph, &slowest, &quickest);
    // One finding per callee and slow downstream call: that call is the one cause, the
    // callers that give up too early are listed with it.
    let early = early_callers(graph, &held);
    let fronted = reached_from_the_front(cx, graph);
    for callers in early.values() {
        let (Some(&first), Some((downstream, via))) =
            (callers.first(), callers.first().and_then(|&e| held[e]))
        else {
            continue;
        };
        let edge = &graph.edges[first];
        let timeout = edge.timeout_ms.unwrap_or(0);
        let decl = &cx.model.interactions[edge.interaction];
        let inner = &graph.edges[via];
        let inner_decl = &cx.model.interactions[inner.interaction];
        let (how, sources) = worst_wait_text(inner, downstream);
        let inner_is_default = !sources.is_empty();
        let (in_message, in_label) = if inner_is_default {
            (format!("{how}; {sources}"), format!(" ({sources})"))
        } else {
            (how.clone(), String::new())
        };
        let mut f = cx.finding(
            &TIMEOUT_INVERSION,
            decl,
            timeout_field(cx, edge),
            format!(
                "`{}` gives up after {timeout} ms{}, but `{}` may wait {downstream} ms on `{}` ({in_message}): chain {}{}",
                decl.interaction.from,
                timeout_note(edge),
                decl.interaction.to,
                inner_decl.id(),
                graph.describe(cx.model, &[first, via]),
                other_callers(cx, graph, callers)
            ),
        )
        .label(format!("< {downstream} ms downstream"))
        .help(format!(
            "set `timeout_ms: {}` or more on the callers, or {} `timeout_ms`/`retry.max_attempts` on `{}`",
            super::budget::at_least(downstream.saturating_add(downstream / 10), u64::MAX),
            if inner_is_default { "write lower" } else { "lower" },
            inner_decl.id()
        ))
        .related(
            cx.model.at(&inner_decl.origin, timeout_field(cx, inner)),
            format!(
                "`{}` waits up to {how} here{in_label}",
                inner_decl.interaction.from
            ),
        );
        for &e in callers[1..].iter().take(LISTED) {
            let d = &cx.model.interactions[graph.edges[e].interaction];
            f = f.related(
                cx.model.at(&d.origin, timeout_field(cx, &graph.edges[e])),
                format!("`{}` gives up sooner too", d.id()),
            );
        }
        // A request's caller gone while the callee goes on for as long again or longer:
        // every retry of the request adds a full copy of that work to a slow system.
        let gross = downstream >= timeout.saturating_mul(2);
        if gross && callers.iter().any(|&e| fronted[graph.edges[e].from]) {
            f = f.severity(crate::finding::Severity::Error);
        }
        out.push(f);
    }
}

/// Per service: whether a request from outside reaches it synchronously — it is a client
/// or a gateway, or one of them calls it, directly or through others. A service driven by
/// messages or its own jobs is not, whatever it calls.
fn reached_from_the_front(cx: &Context<'_>, graph: &SyncGraph) -> Vec<bool> {
    use crate::model::types::ServiceKind;
    let mut reached: Vec<bool> = (0..graph.out.len())
        .map(|s| {
            cx.model.services.get_index(s).is_some_and(|(_, d)| {
                matches!(d.service.kind, Some(ServiceKind::Client | ServiceKind::Gateway))
            })
        })
        .collect();
    let mut todo: Vec<usize> = (0..reached.len()).filter(|&s| reached[s]).collect();
    while let Some(s) = todo.pop() {
        for &e in &graph.out[s] {
            let to = graph.edges[e].to;
            if !reached[to] {
                reached[to] = true;
                todo.push(to);
            }
        }
    }
    reached
}

fn check_amplification(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let graph = cx.graph();
    let max = cx.thresholds.max_retry_amplification;
    let best = graph.best(1.0, |e, v| f64::from(e.attempts) * v, |a, b| a > b);
    let mut reported: HashSet<Vec<usize>> = HashSet::new();
    for root in graph.roots() {
        if best[root].value <= max {
            continue;
        }
        let chain = graph.chain(&best, root);
        let retrying: Vec<usize> = chain
            .iter()
            .copied()
            .filter(|&e| graph.edges[e].attempts > 1)
            .collect();
        let Some(&first) = retrying.first() else {
            continue;
        };
        // One retrying layer is not a multiplication: its count alone is S006's. Two
        // entry points whose worst chains meet at the same retries are one cause.
        if retry_layers(graph, &retrying) < 2 || !reported.insert(retrying.clone()) {
            continue;
        }
        let factors: Vec<String> = retrying
            .iter()
            .map(|&e| graph.edges[e].attempts.to_string())
            .collect();
        // Where the counts that are stack defaults come from, named by interaction.
        let sources: Vec<String> = retrying
            .iter()
            .filter_map(|&e| {
                let edge = &graph.edges[e];
                let source = edge.attempts_from.as_ref().and_then(effective::attempts_source)?;
                Some(format!(
                    "`{}`: {source}",
                    cx.model.interactions[edge.interaction].id()
                ))
            })
            .collect();
        let d = &cx.model.interactions[graph.edges[first].interaction];
        let last = service_name(cx.model, graph.edges[*chain.last().expect("non-empty")].to);
        let mut f = cx.finding(
            &RETRY_AMPLIFICATION,
            d,
            attempts_field(cx, &graph.edges[first]),
            format!(
                "retries multiply to {}× along {} ({}{}): one failing request sends {} calls to `{last}`",
                best[root].value,
                graph.describe(cx.model, &chain),
                factors.join(" × "),
                if sources.is_empty() {
                    String::new()
                } else {
                    format!("; {}", sources.join("; "))
                },
                best[root].value
            ),
        )
        .label(format!("{}×", graph.edges[first].attempts))
        .help(if sources.is_empty() {
            "retry at one level only: keep the retry closest to the failing dependency and set `retry: { max_attempts: 1 }` on the others"
        } else {
            "retry at one level only: keep the retry closest to the failing dependency and set `retry: { max_attempts: 1 }` on the others; where the retries are a stack's default, turn them off in its configuration (for a mesh, its retry policy) and write `retry: { max_attempts: 1 }`"
        });
        for &e in retrying.iter().skip(1) {
            let other = &cx.model.interactions[graph.edges[e].interaction];
            let note = (graph.edges[e].attempts_from.as_ref())
                .and_then(effective::attempts_source)
                .map_or(String::new(), |s| format!(" ({s})"));
            f = f.related(
                cx.model.at(&other.origin, attempts_field(cx, &graph.edges[e])),
                format!("`{}` retries {}× too{note}", other.id(), graph.edges[e].attempts),
            );
        }
        out.push(f);
    }
}

/// How many layers retry along `retrying`: on each hop the caller's own attempts, and a
/// mesh's that multiply them.
fn retry_layers(graph: &SyncGraph, retrying: &[usize]) -> usize {
    retrying
        .iter()
        .map(|&e| {
            let edge = &graph.edges[e];
            usize::from(edge.waits > 1) + usize::from(edge.attempts > edge.waits)
        })
        .sum()
}

/// Entry services for the SLO rules: clients and gateways, and services that nothing
/// calls synchronously.
fn slo_entries(cx: &Context<'_>, graph: &SyncGraph) -> Vec<usize> {
    use crate::model::types::ServiceKind;
    (0..graph.out.len())
        .filter(|&s| !graph.out[s].is_empty())
        .filter(|&s| {
            let kind = cx.model.services[s].service.kind;
            matches!(kind, Some(ServiceKind::Client | ServiceKind::Gateway))
                || graph.in_degree[s] == 0
        })
        .collect()
}

fn slo_of<'a>(cx: &'a Context<'_>, s: usize) -> Option<&'a crate::model::types::Slo> {
    cx.model.services[s].service.slo.as_ref()
}

/// "payment 99.9 %" for each callee along `chain` that declares the figure.
fn chain_figures(
    cx: &Context<'_>,
    graph: &SyncGraph,
    chain: &[usize],
    figure: impl Fn(&crate::model::types::Slo) -> Option<f64>,
    unit: &str,
) -> Vec<String> {
    chain
        .iter()
        .filter_map(|&e| {
            let to = graph.edges[e].to;
            slo_of(cx, to)
                .and_then(&figure)
                .map(|v| format!("{} {v} {unit}", service_name(cx.model, to)))
        })
        .collect()
}

fn check_availability(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let graph = cx.graph();
    let availability = |s: usize| {
        slo_of(cx, s)
            .and_then(|slo| slo.availability)
            .map_or(1.0, |a| a / 100.0)
    };
    let best = graph.best(1.0, |e, v| availability(e.to) * v, |a, b| a < b);
    for entry in slo_entries(cx, graph) {
        let Some(objective) = slo_of(cx, entry).and_then(|s| s.availability) else {
            continue;
        };
        let composite = best[entry].value * 100.0;
        // Compare at the precision availabilities are written with.
        if composite + 1e-9 >= objective {
            continue;
        }
        let chain = graph.chain(&best, entry);
        let figures = chain_figures(cx, graph, &chain, |s| s.availability, "%");
        let name = service_name(cx.model, entry);
        let svc = &cx.model.services[entry];
        let mut f = Finding::new(
            &COMPOSITE_AVAILABILITY,
            format!(
                "`{name}` promises {objective} % but its sync chain {} delivers at most {composite:.2} % ({})",
                graph.describe(cx.model, &chain),
                figures.join(" × ")
            ),
        )
        .at(cx.model.at(&svc.origin, fields::SLO_AVAILABILITY))
        .label(format!("> {composite:.2} %"))
        .help(format!(
            "make the weakest hop of the chain asynchronous or give it a fallback, raise its availability, or set `availability: {}` or lower",
            (composite * 100.0).floor() / 100.0
        ))
        .service(name);
        for &e in &chain {
            let d = &cx.model.interactions[graph.edges[e].interaction];
            if let Some(dep) = cx
                .model
                .services
                .get_index(graph.edges[e].to)
                .map(|(_, d)| d)
            {
                if cx.model.is_written(&dep.origin, fields::SLO_AVAILABILITY) {
                    f = f.related(
                        cx.model.at(&dep.origin, fields::SLO_AVAILABILITY),
                        format!("`{}` (via `{}`)", dep.name, d.id()),
                    );
                }
            }
        }
        out.push(f);
    }
}

fn check_latency(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let graph = cx.graph();
    let latency = |s: usize| {
        slo_of(cx, s)
            .and_then(|slo| slo.latency_p99_ms)
            .unwrap_or(0.0)
    };
    let best = graph.best(0.0, |e, v| latency(e.to) + v, |a, b| a > b);
    for entry in slo_entries(cx, graph) {
        let Some(objective) = slo_of(cx, entry).and_then(|s| s.latency_p99_ms) else {
            continue;
        };
        let total = best[entry].value;
        if total <= objective {
            continue;
        }
        let chain = graph.chain(&best, entry);
        let figures = chain_figures(cx, graph, &chain, |s| s.latency_p99_ms, "ms");
        let name = service_name(cx.model, entry);
        let svc = &cx.model.services[entry];
        out.push(
            Finding::new(
                &LATENCY_BUDGET,
                format!(
                    "`{name}` has a p99 objective of {objective} ms but its sync chain {} adds up to {total} ms ({})",
                    graph.describe(cx.model, &chain),
                    figures.join(" + ")
                ),
            )
            .at(cx.model.at(&svc.origin, fields::SLO_LATENCY_P99_MS))
            .label(format!("< {total} ms"))
            .help(format!(
                "call independent services in parallel, cache or make hops asynchronous, or set `latency_p99_ms: {}`",
                total.ceil()
            ))
            .service(name),
        );
    }
}
