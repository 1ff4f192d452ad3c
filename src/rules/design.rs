//! Design-level rules: problems no single checklist item shows, because they lie between
//! two interactions or between what a call needs and what it is built with — a bound
//! above a call that has none, a decision that needs the current data taken where only a
//! copy is kept, or answered with a placeholder when the call fails.

use super::Context;
use crate::finding::{Finding, Severity};
use crate::flowchart::applied_pattern;
use crate::graph::{Edge, SyncGraph};
use crate::model::fields;
use crate::model::types::{Consistency, Fallback, Pattern};
use crate::model::InteractionDecl;
use crate::stacks::effective;
use std::collections::HashMap;

rules! {
    UNBOUNDED_DOWNSTREAM {
        code: "G007",
        name: "unbounded-downstream",
        severity: Error,
        harm: Wait,
        check: check_unbounded_downstream,
        summary: "A synchronous call with no timeout below a caller that gives up",
        doc: r#"## What it checks
Every designed synchronous call B → C that has a `uses` block but no effective timeout
(none written, its own or from `defaults`, and none from a declared stack: a client known
to set none, such as axios, counts as none; docs/stacks.md), where some caller above B — directly, or through calls that set
no timeout either — gives up after a `timeout_ms`. One finding per call without a
timeout, naming the nearest caller that gives up and the chain between them.
Interactions with no `uses` block are not reported (D002 says they are not designed yet),
but a chain is followed through them. On a call that G007 reports, S001 (the missing
timeout itself) is left out: one cause, one finding; `--ignore G007` brings S001 back.
Where the call has a circuit breaker, the message says, as S001's would, that the breaker
never opens on a hang. Where no timeout is written and no stack is declared, the message
says exactly that (a library default the file does not name may still bound the wait):
declaring the caller's `client:` settles it either way.

## Why
This is the worst timeout-budget inversion (G003 measures the others, and cannot here:
the worst case is unbounded). The caller gives up and reports a failure, but B is still
waiting on C, and C goes on and commits: the user retries and the work is done twice —
two orders, two charges. Meanwhile every such call holds one of B's threads and
connections for as long as C hangs, so a slow C exhausts B while B's callers see only
their own timeouts. The seed's client pairs every call with a `timeout`.

## Example
```yaml
- { id: place-order, from: gateway, to: order,   uses: { timeout_ms: 2000 } }
- { id: charge,      from: order,   to: payment, uses: { pattern: sync } }   # no timeout
```

## Fix
Give the inner call a `timeout_ms` that fits within the caller's, its retries included
(the finding's help gives the bound), so that work stops when nobody waits for it any
more; make the operation idempotent with a key so that the caller's retry is harmless.
"#,
    }

    STALE_STRONG_READ {
        code: "G008",
        name: "stale-strong-read",
        severity: Error,
        harm: Integrity,
        check: check_stale_strong_read,
        summary: "A decision that needs strong consistency is answered from a copy of the data",
        doc: r#"## What it checks
Every synchronous interaction with `needs.consistency: strong` whose callee keeps only a
copy of the data:
- the callee is fed by a stream (an interaction of pattern `stream` to it, from another
  service) or loads its data in a job of its own (a `runs_in: job` call that reads another
  service: a start-up load, a periodic sync), publishes nothing itself (it is the `from` of no queue, stream or cqrs
  interaction), takes no write (no synchronous call to it is `idempotent: false` or
  carries a `uses.idempotency` key) and other callers already read it with
  `consistency: eventual`: a read model or projection; or
- the interaction reads a cache server (`protocol: memcached`), which evicts entries and
  is written after the store of record, if at all.

A service that consumes a stream but also takes writes or publishes events of its own is
not reported: it is likely the owner of what the decision reads. Queues are not counted
as feeds: they carry work for their consumer, which is usually the record of what it does.
One finding per strong interaction, naming the feeding interaction.

## Why
A copy fed by events lags its owner by the time the events take to arrive — under load,
seconds or more. A decision that needs the current value (a balance check, a stock count,
a seat) taken on the copy lets two concurrent requests both pass the check: two payments
against one balance, two bookings of the last room. The seed keeps `strong` decisions
synchronous precisely so that they are taken on the data of record.

## Example
```yaml
- { id: ledger-feed,   from: payments, to: balance-view, uses: { pattern: stream } }
- { id: show-balance,  from: web,      to: balance-view,
    needs: { realtime: true, consistency: eventual, can_wait: true } }
- { id: check-balance, from: checkout, to: balance-view, idempotent: true,
    needs: { realtime: true, consistency: strong }, uses: { pattern: sync } }
```

## Fix
Take the decision at the owner of the data: call it synchronously, or make the write
itself conditional there (a compare-and-set, a reservation, a unique constraint). If the
decision can tolerate the lag, say so with `consistency: eventual`.
"#,
    }

    FALLBACK_ON_STRONG_READ {
        code: "G009",
        name: "fallback-on-strong-read",
        severity: Error,
        harm: Integrity,
        check: check_fallback_on_strong_read,
        summary: "A call that needs the current data falls back to a stale or made-up answer",
        doc: r#"## What it checks
Every interaction with `needs.consistency: strong` whose `uses.fallback` is `stale` (the
last known or cached answer) or `default` (a placeholder or made-up value). A fallback
of `none` is not reported (it lets the failure reach the caller), nor is `empty`, which
shows as missing, except in a read-modify-write: when a later step of the same
`operation` writes to the callee the read came from, the empty answer is what gets
written back, over the data it stands for (a basket read that fails as an empty basket,
then saved whole). It is an error where that later write is in the file (the made-up
answer is saved over the real data), a warning where the file shows only the read (the
caller shows or decides on it, which the file does not say).

## Why
`consistency: strong` says that the answer must be the current one: the caller decides
or shows something on it that a stale or invented value gets wrong. A fallback that
serves one when the call fails (an open breaker, a timeout) turns an outage, which the
caller would see, into wrong data, which it does not: Lakeside Mutual's customer portal
shows a placeholder customer ("No first name info available") on the profile page the
customer edits, and a save from that page writes the placeholder back. A check taken on
the last known balance or stock lets a request pass that the owner would refuse.

## Example
```yaml
- id: get-customer
  from: portal
  to: customer-core
  needs: { realtime: true, consistency: strong }
  uses: { pattern: sync, timeout_ms: 800, circuit_breaker: { failure_rate_percent: 50 }, fallback: default }
```

## Fix
Let the failure reach the caller (`fallback: none`), who shows an error or retries
later, or keep the fallback and say the answer may be old: mark the result as stale in
the response and refuse writes based on it. If an old answer is acceptable, the
interaction is not strong: set `consistency: eventual`.
"#,
    }

    DECISION_ON_CARRIED_COPY {
        code: "G014",
        name: "decision-on-carried-copy",
        severity: Error,
        harm: Integrity,
        check: check_carried_copy,
        summary: "A decision taken on a copy of another service's data that the request carries",
        doc: r#"## What it checks
Every interaction that declares `copy: { of: <owner> }` — the request or message carries
a copy of data `<owner>` owns (prices in a basket, a total the caller computed), which the
callee takes as given — where the callee's decision needs the current value
(`needs.consistency: strong`), or where the copy was kept by a client
(`copy.kept_by` names a service of `kind: client`: a cookie, a basket the browser writes
back) and is not signed (`copy.signed: true`: the callee checks the issuer's signature),
whatever the consistency asked. One finding per interaction, at `copy`, with the
owner and the keeper as related locations. Declare `copy` only where the callee uses the
values as sent; one that reads them again from the owner, or checks them against it,
carries ids, not a copy.

## Why
A copy is as old as the moment it was read: the callee that decides on it (charges a
price, grants a discount, accepts a total) decides on a value the owner may have changed
since, which is what `consistency: strong` says must not happen. Kept by a client, it is
also whatever the client sends: a cookie or a request body is the user's to edit, so the
order is taken at the price the user chose. TeaStore's web UI copies each product's price
into the signed cart cookie when it is added and charges it at checkout, however long ago
that was; eShopOnContainers'
basket holds the prices the client posted, and ordering charges them without reading the
catalogue. The request path looks sound from every single interaction; only the copy's
way through the graph shows it.

## Example
```yaml
- id: place-order
  from: webui
  to: orders
  needs: { realtime: true, consistency: strong }
  copy: { of: catalogue, kept_by: browser, what: prices }
```

## Fix
Let the callee read the values from the owner when it decides (`orders` asks `catalogue`
for the prices of the ids it is sent), or make the copy checkable: a quote the owner
signed, with an expiry and a version the callee verifies. Then carry ids, and remove
`copy`.

A copy sent back to the service that owns and signed it (`copy.of` is the callee and
`copy.signed: true`: a session blob checked by the service that issued it) is G017's:
there the callee is the owner and the question is why the check is remote.
"#,
    }

    SIGNATURE_CHECKED_REMOTELY {
        code: "G017",
        name: "signature-checked-remotely",
        severity: Info,
        harm: Spread,
        check: check_signature_checked_remotely,
        summary: "A signed copy sent back to its signer to have the signature checked",
        doc: r#"## What it checks
Every interaction whose request carries a signed copy of its callee's own data
(`copy: { of: <the callee>, signed: true }`: a session blob, a token the callee issued)
that the callee takes as given: it checks the signature and answers from the copy, without
reading data of its own. The finding says whether the caller does it for every request it
serves (`traffic.every_request: true`). One finding per interaction, at `copy`. A
caller of `kind: client` (a browser, an app) is not reported: the copy is checked against
what it holds, so the check belongs to the signer.

## Why
A signature exists so that whoever holds the signer's key can trust the copy without
asking the signer. Sending it back to be checked buys nothing the signature does not
already give: the signer, taking the copy as given, cannot tell a revoked session from a
valid one either. It costs a round trip on every request that checks, and makes the signer
a dependency of each of them: when it is slow or down, every page that shows the login
state is. TeaStore's web UI posts the signed session blob to the auth service on every
page to learn whether the user is logged in; the auth service only verifies the blob's
signature.

## Example
```yaml
- id: is-logged-in
  from: webui
  to: auth
  traffic: { every_request: true }
  copy: { of: auth, kept_by: browser, signed: true, what: session blob }
```

## Fix
Verify the signature where the copy arrives, with the signer's public key (an asymmetric
signature such as a JWT's RS256 or EdDSA, the key fetched once and cached) or the shared
secret of a keyed hash, and call the
signer only for what needs its current data: a revocation list, a fresh login. Where the
decision does need that data (`consistency: strong`), the call must read it, and the copy
is then checked against the owner, not taken as given: remove `copy` from it.
"#,
    }
}

/// Protocols of cache servers: a copy by design, never the record. memcached "is an
/// in-memory key-value store for small chunks of arbitrary data" that evicts the least
/// recently used items when full (https://memcached.org/about). Redis is left out: it is
/// often run as the store of record.
const CACHE_PROTOCOLS: &[&str] = &["memcached"];

/// Hops of a chain named in full; a longer chain is shortened in the middle.
const NAMED_HOPS: usize = 6;

/// Where a walk down from the bounded calls reached a service: the edge it came by, the
/// bounded edge the walk started from and the hops between.
#[derive(Clone, Copy)]
struct Reached {
    came_by: usize,
    bound: usize,
    hops: usize,
}

/// Breadth-first from every call with a timeout, down through calls without one: for
/// each service, the nearest bounded call above it. Linear in the graph, no recursion.
fn under_a_bound(edges: &[Edge], out: &[Vec<usize>]) -> Vec<Option<Reached>> {
    let mut reached: Vec<Option<Reached>> = vec![None; out.len()];
    let mut queue = std::collections::VecDeque::new();
    // The tightest bound first: of the callers that give up, the one that gives up
    // soonest is the one a reader must be shown.
    let mut bounded: Vec<(u64, usize)> = edges
        .iter()
        .enumerate()
        .filter_map(|(index, edge)| edge.timeout_ms.map(|t| (t, index)))
        .collect();
    bounded.sort_unstable();
    for (_, index) in bounded {
        let edge = &edges[index];
        if reached[edge.to].is_none() {
            reached[edge.to] = Some(Reached {
                came_by: index,
                bound: index,
                hops: 1,
            });
            queue.push_back(edge.to);
        }
    }
    while let Some(service) = queue.pop_front() {
        let Some(at) = reached[service] else {
            continue;
        };
        for &e in &out[service] {
            let to = edges[e].to;
            if edges[e].timeout_ms.is_none() && reached[to].is_none() {
                reached[to] = Some(Reached {
                    came_by: e,
                    bound: at.bound,
                    hops: at.hops + 1,
                });
                queue.push_back(to);
            }
        }
    }
    reached
}

/// `a → b → c` from the bounded call down to `last`; the middle of a long chain is
/// elided, so that naming it costs a bounded number of steps.
fn chain_text(
    cx: &Context<'_>,
    graph: &SyncGraph,
    reached: &[Option<Reached>],
    last: usize,
) -> String {
    let from = graph.edges[last].from;
    let Some(at) = reached[from] else {
        return graph.describe(cx.model, &[last]);
    };
    let mut tail = vec![last];
    let mut service = from;
    while tail.len() < NAMED_HOPS {
        let Some(r) = reached[service] else { break };
        tail.push(r.came_by);
        if r.came_by == at.bound {
            break;
        }
        service = graph.edges[r.came_by].from;
    }
    tail.reverse();
    let text = graph.describe(cx.model, &tail);
    if tail[0] == at.bound {
        return text;
    }
    format!(
        "{} → … → {text} ({} hops)",
        graph.describe(cx.model, &[at.bound]),
        at.hops + 1
    )
}

/// What happens after the caller has given up: a write goes on and is done again by the
/// retry; a read holds a thread and a connection for an answer nobody reads.
fn consequence(decl: &InteractionDecl, caller: &str) -> String {
    let i = &decl.interaction;
    match i.idempotent {
        Some(false) => format!(
            "after `{caller}` gives up, `{}` may still complete the write, and a retry of the request writes again",
            i.to
        ),
        Some(true) => format!(
            "after `{caller}` gives up, `{}` keeps a thread and a connection waiting on `{}` for an answer nobody reads",
            i.from, i.to
        ),
        None => format!(
            "after `{caller}` gives up, `{}` keeps waiting on `{}`, and if the call writes, a retry of the request writes again",
            i.from, i.to
        ),
    }
}

/// "; its circuit breaker never opens on a hang" where the call has one: G007 replaces
/// S001 on its call, and so says what S001 would have said about the breaker.
fn breaker_note(cx: &Context<'_>, decl: &InteractionDecl) -> String {
    let stacks = effective::stacks(cx.model, decl);
    match effective::breaker(cx.model, decl, &stacks) {
        Some(_) => "; its circuit breaker never opens on a hang: a call that hangs never fails".to_string(),
        None => String::new(),
    }
}

/// A value the callee's own p99 suggests (1.5 × p99, as S001 suggests), when it fits
/// under `bound`: the one number a reader can paste.
fn example_timeout(cx: &Context<'_>, callee: &str, bound: u64) -> String {
    let Some(p99) = super::checklist::slo_latency(cx.model, callee) else {
        return String::new();
    };
    let value = ((p99 * 1.5 / 50.0).ceil() * 50.0).max(50.0) as u64;
    if value >= bound {
        return String::new();
    }
    format!(", e.g. `timeout_ms: {value}` (1.5 × `{callee}`'s p99 of {p99} ms)")
}

/// "; axios default: no timeout" when a stack says the call has none, or its bound
/// is a stack default; nothing when the value is written or unknown.
fn source_note(timeout: &crate::stacks::effective::Effective<crate::stacks::Limit>) -> String {
    effective::timeout_source(timeout).map_or(String::new(), |s| format!("; {s}"))
}

/// For a call right under the caller that gives up: 1.5 × the callee's p99 when it fits,
/// else, when the callee declares a p99, the value S001 would suggest, which fits both sides of the budget (above the
/// callee's p99, within what the caller waits), so that G007 never leaves a reader
/// without a value that S001, which it supersedes, would have given.
fn direct_example(cx: &Context<'_>, decl: &InteractionDecl, bound: u64) -> String {
    let example = example_timeout(cx, &decl.interaction.to, bound);
    // Without a declared p99 there is no lower side to fit: the bound alone is said.
    if !example.is_empty() || super::checklist::slo_latency(cx.model, &decl.interaction.to).is_none() {
        return example;
    }
    let advice = super::budget::timeout(cx, decl);
    match advice.value {
        Some(v) if v < bound => format!(", e.g. `{}", advice.snippet()),
        _ => String::new(),
    }
}

fn check_unbounded_downstream(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let graph = cx.graph();
    let reached = under_a_bound(&graph.edges, &graph.out);
    for (index, edge) in graph.edges.iter().enumerate() {
        let decl = &cx.model.interactions[edge.interaction];
        if edge.timeout_ms.is_some() || !decl.declares_uses {
            continue;
        }
        let Some(at) = reached[edge.from] else {
            continue;
        };
        let bound = &graph.edges[at.bound];
        let bound_decl = &cx.model.interactions[bound.interaction];
        let limit = bound.timeout_ms.unwrap_or(0);
        let i = &decl.interaction;
        let direct = at.hops == 1;
        let backoff = crate::graph::backoff_total_ms(decl, edge.waits);
        // Stated as a bound the reader can write: rounded down (1566 → 1500), so it still fits.
        let per_attempt = super::budget::at_most(
            limit.saturating_sub(backoff) / u64::from(edge.waits.max(1)),
            0,
        );
        let fits = if edge.waits > 1 {
            format!(
                "{per_attempt} ms or less for each of its {} attempts{}",
                edge.waits,
                if backoff > 0 {
                    format!(" and {backoff} ms of backoff")
                } else {
                    String::new()
                }
            )
        } else {
            format!("less than {limit} ms")
        };
        let mut f = cx.finding(
            &UNBOUNDED_DOWNSTREAM,
            decl,
            fields::USES_TIMEOUT_MS,
            format!(
                "`{}` waits on `{}` with {} (`{}`{}), below `{}`, which gives up after {limit} ms (`{}`{}): chain {}; {}",
                i.from,
                i.to,
                // Nothing written and no declared stack: the file does not bound the
                // wait, but a library default may; the message says no more than is known.
                if edge.timeout.is_none() {
                    "no timeout written and no `client` declared whose default is known"
                } else {
                    "no timeout"
                },
                decl.id(),
                source_note(&edge.timeout),
                bound_decl.interaction.from,
                bound_decl.id(),
                source_note(&bound.timeout),
                chain_text(cx, graph, &reached, index),
                consequence(decl, &bound_decl.interaction.from) + &breaker_note(cx, decl),
            ),
        )
        .label(format!("no `timeout_ms` under a {limit} ms caller"))
        .help(format!(
            "add `timeout_ms` under `uses:` on `{}`{}: {fits}{}{}",
            decl.id(),
            match &edge.timeout {
                Some((_, effective::Origin::Stack { stack, .. })) if effective::is_mesh(stack) =>
                    format!(" (or a timeout on its {stack} route)"),
                Some((_, effective::Origin::Stack { stack, .. })) =>
                    format!(" and set it on the {stack} client"),
                _ => String::new(),
            },
            if direct {
                String::new()
            } else {
                " less what the hops between take".to_string()
            },
            if direct {
                direct_example(cx, decl, per_attempt.min(limit))
            } else {
                example_timeout(cx, &i.to, per_attempt.min(limit))
            }
        ))
        .related(
            cx.model.at(
                &bound_decl.origin,
                effective::stack_field(
                    &effective::stacks(cx.model, bound_decl),
                    bound.timeout.as_ref().map_or(&effective::Origin::Written, |t| &t.1),
                    fields::USES_TIMEOUT_MS,
                ),
            ),
            format!("`{}` gives up after {limit} ms here", bound_decl.interaction.from),
        );
        if !direct {
            let entry = &cx.model.interactions[graph.edges[at.came_by].interaction];
            f = f.related(
                cx.model.at(&entry.origin, fields::TO),
                format!(
                    "`{}` is called here, {} hops below `{}`, through calls without a timeout",
                    i.from, at.hops, bound_decl.interaction.from
                ),
            );
        }
        out.push(f);
    }
}

/// What makes the callee's data a copy.
enum Copied<'a> {
    /// Fed by this stream interaction.
    Fed(&'a InteractionDecl),
    /// Read from a cache server over this protocol.
    Cache(&'a str),
}

/// Per service: the first stream that feeds it, or the first job of its own that reads
/// another service, when the model shows nothing else that writes its data (it publishes
/// nothing and takes no write) and its other callers already read it as lagging
/// (`consistency: eventual`): a read model.
pub(super) fn fed_copies<'a>(cx: &'a Context<'_>) -> Vec<Option<&'a InteractionDecl>> {
    let services = &cx.model.services;
    let mut feed: Vec<Option<&InteractionDecl>> = vec![None; services.len()];
    let mut owner = vec![false; services.len()];
    let mut read_as_eventual = vec![false; services.len()];
    for (decl, decision) in cx.model.interactions.iter().zip(cx.decisions) {
        let Some(pattern) = applied_pattern(decl, decision) else {
            continue;
        };
        let i = &decl.interaction;
        let (Some(from), Some(to)) = (services.get_index_of(&i.from), services.get_index_of(&i.to))
        else {
            continue;
        };
        if pattern.has_async_part() {
            // A service that publishes events of its own owns some data of record.
            owner[from] = true;
        }
        if pattern.has_sync_part() {
            // A call that is not idempotent, or carries a key to deduplicate it on, writes.
            owner[to] |= i.idempotent == Some(false) || decl.uses().idempotency.is_some();
            read_as_eventual[to] |=
                i.needs.as_ref().and_then(|n| n.consistency) == Some(Consistency::Eventual);
        }
        if pattern == Pattern::Stream && from != to && feed[to].is_none() {
            feed[to] = Some(decl);
        }
        if loads_a_copy(decl, pattern) && from != to && feed[from].is_none() {
            feed[from] = Some(decl);
        }
    }
    (0..services.len())
        .map(|s| feed[s].filter(|_| !owner[s] && read_as_eventual[s]))
        .collect()
}

/// A job of the caller that reads the callee: what it reads becomes the caller's copy.
fn loads_a_copy(decl: &InteractionDecl, pattern: Pattern) -> bool {
    let i = &decl.interaction;
    i.in_a_job() && pattern.has_sync_part() && i.idempotent != Some(false)
}

/// The service whose data `feed` copies into `copy`: a stream's publisher, or the
/// service a job of `copy` reads.
fn source_of<'a>(feed: &'a InteractionDecl, copy: &str) -> &'a str {
    let i = &feed.interaction;
    if i.from == copy {
        &i.to
    } else {
        &i.from
    }
}

fn check_stale_strong_read(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let fed = fed_copies(cx);
    for (decl, decision) in cx.model.interactions.iter().zip(cx.decisions) {
        let i = &decl.interaction;
        let strong = i.needs.as_ref().and_then(|n| n.consistency) == Some(Consistency::Strong);
        if !strong || !applied_pattern(decl, decision).is_some_and(|p| p.has_sync_part()) {
            continue;
        }
        let protocol = decl.uses().protocol.as_deref();
        let copy = match protocol.filter(|p| CACHE_PROTOCOLS.contains(p)) {
            Some(p) => Copied::Cache(p),
            None => match cx.model.services.get_index_of(&i.to).and_then(|s| fed[s]) {
                Some(feed) => Copied::Fed(feed),
                None => continue,
            },
        };
        out.push(stale_read_finding(cx, decl, &copy));
    }
}

fn stale_read_finding(cx: &Context<'_>, decl: &InteractionDecl, copy: &Copied<'_>) -> Finding {
    let i = &decl.interaction;
    let why = match copy {
        Copied::Fed(feed) if feed.interaction.from == i.to => format!(
            "`{}` keeps a copy it loads in a job (`{}`, reading `{}`), so the answer may lag the owner",
            i.to,
            feed.id(),
            feed.interaction.to
        ),
        Copied::Fed(feed) => format!(
            "`{}` keeps a copy fed asynchronously by `{}` (a stream from `{}`), so the answer may lag the owner",
            i.to,
            feed.id(),
            feed.interaction.from
        ),
        Copied::Cache(protocol) => format!(
            "`{}` is a {protocol} cache: a copy that evicts entries and is written after the store of record",
            i.to
        ),
    };
    let owner = match copy {
        Copied::Fed(feed) => format!("`{}`", source_of(feed, &i.to)),
        Copied::Cache(_) => "the store of record".to_string(),
    };
    let mut f = cx.finding(
        &STALE_STRONG_READ,
        decl,
        fields::NEEDS_CONSISTENCY,
        format!(
            "{} needs strong consistency, but {why}: two concurrent requests can both pass the check",
            super::checklist::ends(decl)
        ),
    )
    .label("decided on a copy")
    .help(format!(
        "take the decision at {owner} (a synchronous read there, or a conditional write: compare-and-set, reservation, unique key), or set `consistency: eventual` if the lag is acceptable"
    ));
    if let Copied::Fed(feed) = copy {
        f = f.related(
            cx.model.at(&feed.origin, fields::USES_PATTERN),
            format!("`{}` is fed here from `{}`", i.to, source_of(feed, &i.to)),
        );
    }
    f
}

fn check_fallback_on_strong_read(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let writes = writing_steps(cx);
    for decl in &cx.model.interactions {
        let i = &decl.interaction;
        let strong = i.needs.as_ref().and_then(|n| n.consistency) == Some(Consistency::Strong);
        if !strong {
            continue;
        }
        let written_back = i.operation.as_ref().and_then(|op| {
            writes
                .get(&(i.from.as_str(), i.to.as_str(), op.name.as_str()))
                .copied()
                .filter(|w| !std::ptr::eq(*w, decl))
        });
        let served = match decl.uses().fallback {
            Some(Fallback::Stale) => "the last known answer, of unknown age",
            Some(Fallback::Default) => "a placeholder value",
            Some(Fallback::Empty) if written_back.is_some() => "an empty answer",
            _ => continue,
        };
        let fallback = decl.uses().fallback.map_or("", Fallback::as_str);
        let consequence = match written_back {
            Some(write) => format!(
                "the next step of `{}` writes it back to `{}` (`{}`), over the data it stands for",
                write.interaction.operation.as_ref().map_or("", |o| o.name.as_str()),
                write.interaction.to,
                write.id()
            ),
            None => "the caller takes it for the current data and decides or writes on it".into(),
        };
        out.push(
            cx.finding(
                &FALLBACK_ON_STRONG_READ,
                decl,
                fields::USES_FALLBACK,
                format!(
                    "{} needs strong consistency, but when the call fails `{}` serves {served} (`fallback: {fallback}`): {consequence}",
                    super::checklist::ends(decl),
                    i.from
                ),
            )
            .label(format!("`{fallback}` where the answer must be current"))
            .help(format!(
                "let the failure reach the caller (`fallback: none`) on `{}`, or mark the fallback answer as not current and refuse writes based on it; if an old answer is acceptable, set `consistency: eventual`",
                decl.id()
            ))
            .related(
                cx.model.at(&decl.origin, fields::NEEDS_CONSISTENCY),
                "the answer must be current here",
            )
            .severity(if written_back.is_some() {
                FALLBACK_ON_STRONG_READ.severity
            } else {
                Severity::Warning
            }),
        );
    }
}

/// Per caller, callee and operation, its first step that writes there: where a read of
/// the same operation from the same callee is a read-modify-write, and an answer the
/// read made up is what gets saved.
fn writing_steps<'a>(cx: &'a Context<'_>) -> HashMap<(&'a str, &'a str, &'a str), &'a InteractionDecl> {
    let mut steps = HashMap::new();
    for d in &cx.model.interactions {
        let i = &d.interaction;
        if let Some(op) = i.operation.as_ref().filter(|o| o.writes == Some(true)) {
            steps
                .entry((i.from.as_str(), i.to.as_str(), op.name.as_str()))
                .or_insert(d);
        }
    }
    steps
}

fn check_carried_copy(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for decl in &cx.model.interactions {
        let i = &decl.interaction;
        // A copy of an owner that is not a service is M007's: nothing more to say of it.
        let Some((copy, owner)) = i
            .copy
            .as_deref()
            .and_then(|c| cx.model.service(&c.of).map(|owner| (c, owner)))
        else {
            continue;
        };
        if signed_own_copy(decl).is_some() {
            continue;
        }
        let strong = i.needs.as_ref().and_then(|n| n.consistency) == Some(Consistency::Strong);
        let keeper = copy.kept_by.as_deref();
        // A signed copy cannot be changed by its keeper; it can still be old.
        let by_client = copy.signed != Some(true)
            && keeper.is_some_and(|k| {
                super::checklist::kind_of(cx.model, k) == crate::model::types::ServiceKind::Client
            });
        if !strong && !by_client {
            continue;
        }
        let what = copy.what.as_deref().unwrap_or("data");
        let kept = match keeper {
            Some(k) => format!(", kept by `{k}` since it was read"),
            None => String::new(),
        };
        let mut harms = Vec::new();
        if by_client {
            harms.push(
                "a client sends what it likes, so the decision is taken on values nobody checked"
                    .to_string(),
            );
        }
        if strong {
            harms.push(format!(
                "the copy is as old as when it was read, and the decision needs the current value (`consistency: strong`) that `{}` may have changed since",
                copy.of
            ));
        }
        let message = format!(
            "{} carries a copy of `{}`'s {what}{kept}, which `{}` takes as given: {}",
            super::checklist::ends(decl),
            copy.of,
            i.to,
            harms.join("; ")
        );
        let mut f = cx
            .finding(&DECISION_ON_CARRIED_COPY, decl, fields::COPY, message)
            .label(format!("a copy of `{}`'s {what}, taken as given", copy.of))
            .help(format!(
                "let `{}` read the {what} from `{}` when it decides (or check the copy against it: a signed quote with an expiry and a version), carry only ids, and remove `copy`",
                i.to, copy.of
            ));
        f = f.related(cx.model.locate(&owner.origin, ""), format!("`{}` owns the {what}", copy.of));
        if let Some(keeper) = keeper.and_then(|k| cx.model.service(k).map(|s| (k, s))) {
            f = f.related(cx.model.locate(&keeper.1.origin, ""), format!("`{}` keeps the copy", keeper.0));
        }
        out.push(f);
    }
}

/// The signed copy the interaction sends back to the service that owns it, if any.
fn signed_own_copy(decl: &InteractionDecl) -> Option<&crate::model::types::CarriedCopy> {
    let i = &decl.interaction;
    i.copy
        .as_deref()
        .filter(|c| c.signed == Some(true) && c.of == i.to)
}

fn check_signature_checked_remotely(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for decl in &cx.model.interactions {
        let Some(copy) = signed_own_copy(decl) else {
            continue;
        };
        let i = &decl.interaction;
        // A client cannot be trusted with the check: it is the holder the signature is
        // checked against, so asking the signer is the right design there.
        if super::checklist::kind_of(cx.model, &i.from) == crate::model::types::ServiceKind::Client
        {
            continue;
        }
        let what = copy.what.as_deref().unwrap_or("data");
        let every = i.traffic.as_ref().and_then(|t| t.every_request) == Some(true);
        let when = if every {
            format!(", for every request `{}` serves", i.from)
        } else {
            String::new()
        };
        let (caller, signer) = (&i.from, &i.to);
        let message = format!(
            "{} asks `{signer}` to check the signature of a {what} `{signer}` signed itself{when}: `{signer}` takes the copy as given (it reads nothing of its own), so the remote check tells nothing that checking the signature at `{caller}` would not, and costs a round trip and a dependency on `{signer}` each time",
            super::checklist::ends(decl),
        );
        out.push(
            cx.finding(&SIGNATURE_CHECKED_REMOTELY, decl, fields::COPY, message)
                .label(format!("`{signer}`'s own signature, checked remotely"))
                .help(format!(
                    "verify the signature at `{caller}` (with `{signer}`'s public key, or the shared secret of a keyed hash), and call `{signer}` only for what needs its current data (a revocation list, a fresh login)"
                )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(from: usize, to: usize, timeout_ms: Option<u64>) -> Edge {
        Edge {
            interaction: from,
            from,
            to,
            attempts: 1,
            attempts_from: None,
            waits: 1,
            timeout_ms,
            timeout: timeout_ms.map(|ms| {
                (
                    crate::stacks::Limit::Ms(ms, "request"),
                    effective::Origin::Written,
                )
            }),
            cyclic: false,
        }
    }

    /// A bounded call above a million calls without a timeout: the walk is a loop, not a
    /// recursion, and every service learns the bound and its distance.
    #[test]
    fn a_million_hops_under_one_bound() {
        let n = 1_000_000;
        let edges: Vec<Edge> = (0..n)
            .map(|i| hop(i, i + 1, (i == 0).then_some(1000)))
            .collect();
        let out: Vec<Vec<usize>> = (0..=n)
            .map(|i| if i < n { vec![i] } else { vec![] })
            .collect();
        let reached = under_a_bound(&edges, &out);
        assert!(reached[0].is_none());
        let last = reached[n].expect("the last service is under the bound");
        assert_eq!((last.bound, last.hops, last.came_by), (0, n, n - 1));
    }

    /// The tightest of several callers is the one named; a bounded call is its own bound.
    #[test]
    fn the_tightest_bound_wins_and_bounds_restart() {
        let edges = vec![
            hop(0, 2, Some(5000)),
            hop(1, 2, Some(800)),
            hop(2, 3, None),
            hop(3, 4, Some(100)),
        ];
        let out = vec![vec![0], vec![1], vec![2], vec![3], vec![]];
        let reached = under_a_bound(&edges, &out);
        assert_eq!(reached[3].map(|r| (r.bound, r.hops)), Some((1, 2)));
        assert_eq!(reached[4].map(|r| (r.bound, r.hops)), Some((3, 1)));
    }
}
