//! Decision rules: the flowchart's answer against the file.

use super::Context;
use crate::codes::{self, Severity};
use crate::finding::Finding;
use crate::flowchart::Question;
use crate::model::fields::{self, Field};
use crate::model::types::Pattern;
use std::collections::{HashMap, HashSet};

/// Where the answer to `question` is written under an interaction.
fn answer_field(question: Question) -> Field {
    match question {
        Question::Realtime => fields::NEEDS_REALTIME,
        Question::Consistency => fields::NEEDS_CONSISTENCY,
        Question::CanWait => fields::NEEDS_CAN_WAIT,
        Question::Ordering => fields::NEEDS_ORDERING,
    }
}

fn check_missing_answer(cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (decl, decision) in cx.model.interactions.iter().zip(cx.decisions) {
            let Some((node, question)) = decision.missing else {
                continue;
            };
            let field = question.field();
            let at = answer_field(question);
            // An answer that is written but invalid was left out (and reported where it is).
            let (what, fix) = if cx.model.is_written(&decl.origin, at) {
                ("has no valid answer", "write")
            } else {
                ("is missing", "add")
            };
            out.push(
                cx.finding(
                    &codes::MISSING_ANSWER,
                    decl,
                    at,
                    format!(
                        "`needs.{field}` {what}: node {node} asks {}",
                        question.asks()
                    ),
                )
                .label(format!("node {node} needs `{field}`"))
                .help(format!(
                    "{fix} `{}` under `needs:`",
                    question.how_to_answer()
                )),
            );
        }
}

rules! {
    @uses codes::MISSING_ANSWER => check_missing_answer;

    PATTERN_MISMATCH {
        code: "D001",
        name: "pattern-mismatch",
        severity: Warning,
        check: check_pattern_mismatch,
        summary: "The declared pattern differs from the flowchart's recommendation",
        doc: r#"## What it checks
`uses.pattern` against the pattern the decision flowchart reaches from the answers under
`needs` (see `commsplan flowchart`).

## Why
The flowchart encodes the trade-off: strong consistency needs a synchronous answer; work the
caller does not wait for belongs on a queue or a stream, where a slow or failed consumer does
not fail the caller. A declared pattern that disagrees means either the design or the answers
are wrong. For example, sending e-mail synchronously from checkout makes checkout as available
as the mail server.

## Example
```yaml
needs: { realtime: false, ordering: false }
uses:  { pattern: sync, protocol: rest }     # the flowchart says: stream
```

A stream whose `needs.ordering` is `true` where the flowchart reaches a queue (node J) is
reported as information, not a warning: a log keyed by the entity (`partition_key`, which
A008 asks for) keeps the order of each entity's messages, which is the order such work
usually needs. The information names that per-key guarantee.

A call declared `sync` where the flowchart reaches `sync-optimized` (node M: caching and
batching) is not reported when the caching already stands: the call has a `uses.cache`;
it is itself a call to a cache store (protocol `memcached` or `redis`); the callee declares
`cache:` (a cache it answers from, such as an entity cache or data loaded into memory at
start-up) or keeps a cache store of its own; every synchronous call the callee makes
reaches such a cache (the callee adds no uncached work of its own). The design is then
sync-optimized in all but its label. Two calls are not asked for caching at all: a call to
the caller's own store (a datastore protocol to a callee no other service calls), where the
data lives — node M's cache goes in front of the service, on the calls into it, which are
asked; and a call made by a job (`runs_in: job`), which no user waits for, so a cache would
only speed up a pass that reads each record once.

A queue where the flowchart reaches a stream (node K: no order to keep) is not reported
when the queue is one service's own: the producer does not wait and no order is kept, which
is what the answers ask for; a log would add replay, not a fix (an exchange that fans out to
one durable queue per subscriber is such a design). It is reported when the same queue
(`uses.channel`) is declared for two or more consumer services: consumers of one queue
compete, so each message reaches only one of them, and the message names the others.

A call G010 reports (made many times for one request with no batch API) is not
reported here as well: G010's fix, a batch API or a cache in the caller, is node M's
caching and batching, and G010 says why it matters there.

A call over a protocol that holds a connection open for messages the callee pushes
(`protocol: websocket`, `sse`) is not asked for the caching of `sync-optimized`: nothing is
read on it.

A call declared `sync` where the flowchart reaches `cqrs` (node N: a read model apart from
the writes) is not reported when its callee is such a read model: a copy fed by a stream or
loaded by a job of its own from another service, which takes no write (what G008 counts as
a copy). The query side already stands apart; the call is its read.

## Fix
Change the design to the recommended pattern, or correct the answers if they are wrong. If
the team has decided otherwise on purpose, suppress with a reason.
"#,
    }
}

fn check_pattern_mismatch(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let read_models = std::cell::OnceCell::new();
    let shared_queues = std::cell::OnceCell::new();
    for (decl, decision) in cx.model.interactions.iter().zip(cx.decisions) {
        let (Some(declared), Some(recommended)) = (decl.uses().pattern, decision.recommended)
        else {
            continue;
        };
        if declared == recommended {
            continue;
        }
        if declared == Pattern::Sync
            && recommended == Pattern::SyncOptimized
            && (caching_in_place(cx, decl)
                || decl.interaction.in_a_job()
                || cx.push_channel(decl)
                || super::operation::repeated_unbatched(cx, decl, decision).is_some())
        {
            continue;
        }
        if declared == Pattern::Queue && recommended == Pattern::Stream {
            let shared = shared_queues.get_or_init(|| queues_read_by_several(cx));
            if let Some(f) = split_queue(cx, decl, shared) {
                out.push(f);
            }
            continue;
        }
        if declared == Pattern::Sync && recommended == Pattern::Cqrs {
            let fed = read_models.get_or_init(|| super::design::fed_copies(cx));
            let to = cx.model.services.get_index_of(&decl.interaction.to);
            if to.is_some_and(|t| fed[t].is_some()) {
                continue;
            }
        }
        if let Some(f) = keyed_log(cx, decl, declared, recommended) {
            out.push(f);
            continue;
        }
        let why = decision.reasons.join(", ");
        out.push(
            cx.finding(
                &PATTERN_MISMATCH,
                decl,
                fields::USES_PATTERN,
                format!(
                    "declared `{declared}` but the flowchart recommends `{recommended}` ({why}; path {})",
                    decision.path.join(" → ")
                ),
            )
            .label(format!("flowchart: {recommended}"))
            .help(format!(
                "build it as `{recommended}`, or correct `needs` if an answer is wrong; `commsplan explain {} {}` shows each answer's effect",
                cx.model.files[decl.origin.file].path,
                decl.id()
            )),
        );
    }
}

/// Whether the caching the flowchart's node M asks of `sync-optimized` already stands for
/// this call, or belongs elsewhere: at the callee (see `caches_at_callee`), behind every
/// call the callee makes, or the call is to the caller's own store, where the data lives
/// (the caching goes in front of the service, on the calls into it, which are asked).
/// The design is then sync-optimized in all but its label, and a reviewer would not ask
/// for caching it has.
fn caching_in_place(cx: &Context<'_>, decl: &crate::model::InteractionDecl) -> bool {
    caches_at_callee(cx, decl) || cx.own_store(decl) || cached_behind(cx, &decl.interaction.to)
}

/// The caching that stands at this call's own callee: a response cache on the call, a
/// cache store as the callee, or a callee that answers from a cache of its own.
fn caches_at_callee(cx: &Context<'_>, decl: &crate::model::InteractionDecl) -> bool {
    let to = decl.interaction.to.as_str();
    decl.uses().cache.is_some()
        || cx.to_cache_store(decl)
        || cx.model.service(to).is_some_and(|s| s.service.cache.is_some())
        || cx.keeps_cache_store(to)
}

/// Whether every synchronous call `service` makes reaches a cache (a cache store, or a
/// service that answers from one): the callee does no uncached work of its own to speed
/// up, so the caching node M asks for already stands one hop further.
fn cached_behind(cx: &Context<'_>, service: &str) -> bool {
    let Some(index) = cx.model.services.get_index_of(service) else {
        return false;
    };
    let graph = cx.graph();
    let calls = &graph.out[index];
    !calls.is_empty()
        && calls.iter().all(|&e| {
            let call = &cx.model.interactions[graph.edges[e].interaction];
            caches_at_callee(cx, call)
        })
}

/// Per queue channel read by two services or more, those consumers in file order.
fn queues_read_by_several<'a>(cx: &Context<'a>) -> HashMap<&'a str, Vec<&'a str>> {
    let mut readers: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    for decl in &cx.model.interactions {
        if decl.uses().pattern != Some(Pattern::Queue) {
            continue;
        }
        let to = decl.interaction.to.as_str();
        if let Some(channel) = decl.uses().channel.as_deref() {
            if seen.insert((channel, to)) {
                readers.entry(channel).or_default().push(to);
            }
        }
    }
    readers.retain(|_, list| list.len() > 1);
    readers
}

/// A queue where the flowchart reaches a stream (node K: no order to keep). A queue of
/// the consumer's own gives what the answers ask for (the producer does not wait, and no
/// order is kept); the log adds replay. What a queue cannot do is give every message to
/// several services: on one queue they compete, and each message reaches one of them.
fn split_queue(
    cx: &Context<'_>,
    decl: &crate::model::InteractionDecl,
    shared: &HashMap<&str, Vec<&str>>,
) -> Option<Finding> {
    let channel = decl.uses().channel.as_deref()?;
    let readers = shared.get(channel)?;
    // Drawn lazily: thousands of services may share one queue, each with this message.
    let others = crate::finding::named_of(
        readers
            .iter()
            .filter(|r| **r != decl.interaction.to)
            .map(|r| format!("`{r}`")),
        readers.len() - 1,
    );
    Some(
        cx.finding(
            &PATTERN_MISMATCH,
            decl,
            fields::USES_PATTERN,
            format!(
                "declared `queue` where the flowchart recommends `stream`, and the queue `{channel}` is also read by {others}: consumers of one queue compete, so each message reaches only one of these services, while each expects every message"
            ),
        )
        .label("one queue, several services")
        .help(format!(
            "publish to a stream (or a topic or fan-out exchange) and give each consumer its own subscription or queue; `{channel}` then stays the queue of one service"
        )),
    )
}

/// A stream where the flowchart sends ordered work to a queue: a log keyed by the entity
/// keeps the order of each entity, which is the order such work needs. Telling it to
/// become a queue while A008 asks it for a partition key would be two opposite fixes, so
/// the recommendation is information that names the per-key guarantee (and, without a
/// key yet, that A008's key is what gives it).
fn keyed_log(
    cx: &Context<'_>,
    decl: &crate::model::InteractionDecl,
    declared: Pattern,
    recommended: Pattern,
) -> Option<Finding> {
    let ordered = decl.interaction.needs.as_ref().and_then(|n| n.ordering) == Some(true);
    if declared != Pattern::Stream || recommended != Pattern::Queue || !ordered {
        return None;
    }
    let (guarantee, label) = match &decl.uses().partition_key {
        Some(key) => (
            format!("keyed by `{key}`, the log keeps the order of the messages of each `{key}` (not across keys)"),
            format!("order per `{key}`"),
        ),
        None => (
            "once it has a partition key (A008), the log keeps the order of each key's messages (not across keys)".to_string(),
            "order per key, once keyed".to_string(),
        ),
    };
    let mut f = cx
        .finding(
            &PATTERN_MISMATCH,
            decl,
            fields::USES_PATTERN,
            format!(
                "declared `stream` where the flowchart recommends `queue` for ordered work: {guarantee}, which is the ordering most work needs"
            ),
        )
        .label(label)
        .help("keep the stream if order matters per entity (an order, an account); build it as a queue with `fifo: true` only if messages of different entities must stay in one order");
    f.severity = Severity::Info;
    Some(f)
}
