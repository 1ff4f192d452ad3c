//! What one request makes a service do: a call repeated once per item, and an operation
//! whose writes are spread over several steps (calls, a publish, the caller's own store)
//! that nothing makes happen all or none. No single interaction shows either: the first
//! is a count declared on the call, the second lies between the steps of one operation.

use super::Context;
use crate::finding::Finding;
use crate::flowchart::applied_pattern;
use crate::model::fields;
use crate::model::types::{Atomicity, KeyRecorded, Pattern, Relay};
use crate::model::InteractionDecl;
use std::collections::HashMap;

rules! {
    PER_ITEM_CALL {
        code: "G010",
        name: "per-item-call",
        severity: Warning,
        check: check_per_item_call,
        summary: "A synchronous call made once per item of a request, with no batch API",
        doc: r#"## What it checks
Every interaction with a synchronous part (sync, sync-optimized, cqrs; declared or
recommended) that is made `traffic.calls_per_request` times or more for one request of
its caller (`calls_per_request_min`, default 5), or once per item of the request's data
(`traffic.per_item: true`, with no `calls_per_request` to bound it), and declares no
`uses.batch` — nor, for a read, a `uses.cache`, which answers the repeats locally. For a
worker, a request is one run of its job. One finding per interaction; with a count and
a declared `slo.latency_p99_ms` of the callee, the message gives what the calls take
one after another.

## Why
An N+1 lookup makes the caller wait for N round trips where one would do, and sends N
times the load to the callee: the cost grows with the data (the policies of a customer,
the recommendations on a page, the recipients of a nightly job), not with the traffic,
so it is missed in tests on small data and found in production. Started in parallel,
the calls are N concurrent requests per request, which exhausts the callee's pool first.
The flowchart's node M pairs caching with batching, and the seed's
`BatchOptimizedClient` fetches the ids it has not cached through one `/users/batch` call
in chunks of 50.

## Example
```yaml
- id: get-product
  from: webui
  to: persistence
  summary: the product, then one call per recommended product id
  traffic: { calls_per_request: 11 }
  uses: { pattern: sync, timeout_ms: 1000 }
```

## Fix
Give the callee a batch endpoint that takes all ids in one call and declare it
(`batch: { max_size: 50, max_wait_ms: 10 }`), or, for reads that may be a little old,
cache the answers in the caller (`cache: { ttl_ms: 60000 }`). If the count is really
bounded and small, write it: `calls_per_request: 3`.
"#,
    }

    NON_ATOMIC_MULTI_WRITE {
        code: "G011",
        name: "non-atomic-multi-write",
        severity: Error,
        harm: Integrity,
        check: check_non_atomic_multi_write,
        summary: "An operation writes in several steps with no saga or transaction",
        doc: r#"## What it checks
The interactions of one caller that name the same `operation: { name }` are the steps of
one operation. An operation with two or more writes — synchronous steps with
`operation.writes: true`, and the caller's own store when a step says
`operation.local_write: true` — reports unless one of its steps declares
`operation.atomicity: saga` or `transaction`. One finding per operation, at its first
writing step in file order, naming every writing step; the other steps are related
locations.

## Why
Each step commits on its own. A failure between two of them — a timeout, a crash, a
refused second call — leaves the first write done and the later ones not: an order
without its items, a user without an account. Nothing completes or undoes it, and a
retry of the whole request often fails on what the first attempt left ("already
exists"). The caller's error tells the user the operation failed, when half of it
happened.

## Example
```yaml
- { id: create-order, from: auth, to: persistence, operation: { name: place-order, writes: true } }
- { id: create-items, from: auth, to: persistence, operation: { name: place-order, writes: true } }
```

## Fix
Do the writes in one call and one transaction at the service that owns them
(`atomicity: transaction`), or make the operation a saga: every step has a compensation
that undoes it when a later step fails, run from a record of where the operation got to
(`atomicity: saga`). Idempotency keys on the steps let a retry complete what a failure
left half done.
"#,
    }

    DUAL_WRITE {
        code: "G012",
        name: "dual-write-without-outbox",
        severity: Error,
        harm: Integrity,
        check: check_dual_write,
        summary: "An operation writes data and publishes a message with no outbox",
        doc: r#"## What it checks
An operation (the steps of one caller with the same `operation: { name }`) that both
writes — the caller's own store (`operation.local_write: true`) or a synchronous step
with `operation.writes: true` — and publishes a message (a step of pattern `queue` or
`stream`), unless one of its steps declares `operation.atomicity: outbox` or
`transaction`. One finding per operation, at its first publishing or writing step in file
order, naming every one of them; the operation's other steps are related locations.

## Why
The store and the broker are two systems with no transaction between them. Save, then
send: a crash or a broker outage after the save loses the message, and the consumers
never learn of the write. Send, then save: the message announces a write that fails or
is rolled back, and the consumers act on something that did not happen. Either way the
two sides disagree for good, and nothing reports it.

## Example
```yaml
- id: quote-requested
  from: self-service
  to: policy-management
  operation: { name: request-quote, local_write: true }   # saves the request, then sends
  uses: { pattern: queue, channel: quote-requests }
```

## Fix
Write the message to an outbox table in the same local transaction as the data and
publish it from there (a relay or change-data capture), then declare
`atomicity: outbox`; or make the store and the broker one (a transactional broker, event
sourcing: the event is the write), `atomicity: transaction`. Consumers still need to
deduplicate: an outbox delivers at least once.
"#,
    }

    OUTBOX_WITHOUT_RELAY {
        code: "G013",
        name: "outbox-without-relay",
        severity: Error,
        harm: Integrity,
        check: check_outbox_relay,
        summary: "An outbox whose entries are published once, with nothing to publish those left unsent",
        doc: r#"## What it checks
An operation that declares `operation.atomicity: outbox` and says its entries are
published by the request itself, once, right after the commit (`operation.relay:
after-commit`), with no relay behind it (`polling` or `log-tailing` on another step).
One finding per publishing step, grouped per caller: a service's outbox has one
publisher, whatever the operation. An outbox that does not say how it is published is
not reported: `atomicity: outbox` is taken to mean one with a relay.

## Why
An outbox makes the write and the message one local transaction; what makes the message
reach the broker is the relay, which publishes every entry not yet confirmed, however
long ago it was written. Published once after the commit, an entry is lost when that one
attempt fails: the process stops between the commit and the publish, the broker is down
or refuses the message, or the entry is marked as sent before the broker confirmed it.
The write stays and the consumers never learn of it: the dual write of G012, behind a
table that looks like an outbox. eShopOnContainers' IntegrationEventLogService saves
each event with the order and publishes it right after the commit, and nothing reads an
entry left `NotPublished` or `PublishedFailed` again.

## Example
```yaml
- id: order-started
  from: ordering
  to: basket
  operation: { name: create-order, local_write: true, atomicity: outbox, relay: after-commit }
  uses: { pattern: queue, channel: basket }
```

## Fix
Publish from the outbox with a relay that reads every unsent entry and publishes it until
the broker confirms it (a polling publisher, `relay: polling`; change-data capture on the
outbox table, `relay: log-tailing`), and mark an entry sent only on the broker's confirm
(publisher confirms). Publishing right after the commit can stay as the quick path, with
the relay behind it.
"#,
    }

    LOST_UPDATE {
        code: "G015",
        name: "lost-update",
        severity: Error,
        harm: Integrity,
        check: check_lost_update,
        summary: "A write decided on an earlier read of the same service, with no version, lock or reservation",
        doc: r#"## What it checks
Every interaction whose `operation.based_on` names the read or check its write is decided
on — an earlier interaction to the same callee (read the basket, change it, write it back;
check the stock, then remove it), or the interaction itself when one step reads and
writes back — and that declares no `operation.concurrency` (`version`, `lock` or
`reservation`). A `based_on` naming a read of another service is not reported: that is a
copy of the other service's data (G014). The message names the other interactions that
write to the callee. It is an error where the write goes out as a message
(`queue`, `stream`) or in another operation than the read: the window between the two
stays open for as long as the steps between take (a payment, a wait in a queue). It is a
warning where read and write are synchronous steps of one operation: the window is a
round trip, hit only by two changes at the same moment.

## Why
Between the read and the write, another request can change the same data. The write then
stores a value computed from what it read, over a change it never saw (a lost update: two
tabs adding an item to one basket, a handler repricing it, and one of them wins), or it acts
on a check that no longer holds (two orders for the last item both pass the stock check,
and the second removal fails after the customer has paid). Each interaction is correct on
its own; only the pair, and the other writers of the same data, show the race.

## Example
```yaml
- id: get-basket
  from: bff
  to: basket
  operation: { name: add-item }
- id: save-basket
  from: bff
  to: basket
  operation: { name: add-item, writes: true, based_on: get-basket }
```

## Fix
Make the write conditional on what was read: carry the version read and let the callee
refuse a stale one (`concurrency: version`: an ETag with If-Match, a version column, a
compare-and-set), or reserve at the check and release when the operation stops
(`concurrency: reservation`); or let the owner apply the change itself in one call (add an
item, not save the whole basket), and drop the read.
"#,
    }

    KEY_RECORDED_ON_FAILURE {
        code: "G018",
        name: "key-recorded-on-failure",
        severity: Error,
        harm: Integrity,
        check: check_key_recorded_on_failure,
        summary: "An idempotency key recorded as handled even when the handling failed",
        doc: r#"## What it checks
Every interaction whose callee records the idempotency key it has handled either before
the work, in a commit of its own (`uses.idempotency.recorded: before-processing`), or
whether the work succeeded or failed (`recorded: after-attempt`: a handler that catches
the failure and lets its transaction commit with the key). One finding per interaction,
at `recorded`. `recorded: after-processing`, in the work's own transaction and only on
success, is the design the key needs, and is not reported.

## Why
An idempotency key exists so that a repeat is safe: a redelivered message, or a client's
retry, is recognised and not done twice. Recorded when the work failed, the key turns
every repeat into "already done": the broker's redelivery, the producer's retry and a
dead-letter replay are all skipped, so the work is never done, and nothing fails loudly
(the message is acknowledged, the retry answers success). eShopOnContainers' ordering
service saves the request id of an order's creation and swallows the creation's
exception: the duplicate-check row commits, no order exists, and a redelivery is taken
for a duplicate. Each step looks safe alone; the key's meaning depends on when it is
written.

## Example
```yaml
uses:
  pattern: queue
  idempotency: { key: request_id, recorded: after-attempt }
```

## Fix
Record the key in the same transaction as the work's effect, committed only when the
work succeeds (`recorded: after-processing`); let a failure propagate so the transaction
rolls back and the message is redelivered (or dead-lettered); where the key must be
claimed before the work (a long task), record it as "in progress" with an expiry and mark
it done with the effect, so that a failed claim can be taken again.
"#,
    }
}

fn check_key_recorded_on_failure(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for decl in &cx.model.interactions {
        let Some(idempotency) = decl.uses().idempotency.as_ref() else {
            continue;
        };
        let Some(recorded) = idempotency.recorded.filter(|r| r.survives_failure()) else {
            continue;
        };
        let i = &decl.interaction;
        let key = idempotency
            .key
            .as_deref()
            .map_or_else(|| "its idempotency key".to_string(), |k| format!("the key `{k}`"));
        let when = match recorded {
            KeyRecorded::BeforeProcessing => {
                "before the work, in a commit of its own: a failure or a crash between the two"
            }
            _ => "whether the work succeeds or fails: a failed handling",
        };
        let message = format!(
            "{}: `{}` records {key} as handled {when} leaves the key recorded and the work undone, so every redelivery or retry of it is taken for a duplicate and skipped, and the work is never done",
            super::checklist::ends(decl),
            i.to
        );
        out.push(
            cx.finding(
                &KEY_RECORDED_ON_FAILURE,
                decl,
                fields::USES_IDEMPOTENCY_RECORDED,
                message,
            )
            .label("recorded even when the work fails")
            .help(format!(
                "record the key in the transaction of `{}`'s work, committed only when it succeeds (`recorded: after-processing`), and let a failure roll it back",
                i.to
            )),
        );
    }
}

fn check_per_item_call(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (decl, decision) in cx.model.interactions.iter().zip(cx.decisions) {
        if let Some(count) = repeated_unbatched(cx, decl, decision) {
            let read = decl.interaction.idempotent != Some(false);
            out.push(per_item_finding(cx, decl, count, read));
        }
    }
}

/// Whether G010 reports this call: synchronous, made many times for one request (the
/// declared count, `None` for once per item) with no batch, nor a cache for a read.
/// D001 leaves such a call's caching and batching to G010, whose fix they are.
pub(super) fn repeated_unbatched(
    cx: &Context<'_>,
    decl: &InteractionDecl,
    decision: &crate::flowchart::Decision,
) -> Option<Option<u32>> {
    if !applied_pattern(decl, decision).is_some_and(Pattern::has_sync_part) {
        return None;
    }
    let traffic = decl.interaction.traffic.as_ref();
    let count = traffic.and_then(|t| t.calls_per_request);
    let many = match count {
        Some(n) => n >= cx.thresholds.calls_per_request_min,
        None => traffic.and_then(|t| t.per_item) == Some(true),
    };
    let uses = decl.uses();
    let read = decl.interaction.idempotent != Some(false);
    (many && uses.batch.is_none() && !(read && uses.cache.is_some())).then_some(count)
}

fn per_item_finding(
    cx: &Context<'_>,
    decl: &InteractionDecl,
    count: Option<u32>,
    read: bool,
) -> Finding {
    let i = &decl.interaction;
    let (how, cost, field) = match count {
        Some(n) => (
            format!("{n} times for one request (`calls_per_request: {n}`)"),
            format!("{n} round trips on `{}`'s path and {n}× the load on `{}`", i.from, i.to),
            fields::TRAFFIC_CALLS_PER_REQUEST,
        ),
        None => (
            "once per item of the request's data (`per_item: true`)".to_string(),
            format!(
                "a round trip per item on `{}`'s path and as many calls to `{}`: the cost grows with the data",
                i.from, i.to
            ),
            fields::TRAFFIC_PER_ITEM,
        ),
    };
    let in_sequence = match (count, super::checklist::slo_latency(cx.model, &i.to)) {
        (Some(n), Some(p99)) => format!(
            "; one after another that is up to {} ms at `{}`'s p99 of {p99} ms",
            f64::from(n) * p99,
            i.to
        ),
        _ => String::new(),
    };
    let cache = if read {
        ", or cache the answers in the caller (`cache: { ttl_ms: 60000 }`) if they may be a little old"
    } else {
        ""
    };
    cx.finding(
        &PER_ITEM_CALL,
        decl,
        field,
        format!(
            "{} is made {how} with no batch API: {cost}{in_sequence}",
            super::checklist::ends(decl)
        ),
    )
    .label(match count {
        Some(n) => format!("{n} calls per request"),
        None => "one call per item".to_string(),
    })
    .help(format!(
        "give `{}` an endpoint that takes every id in one call and declare it on `{}` (`batch: {{ max_size: 50, max_wait_ms: 10 }}`, as the seed's BatchOptimizedClient does){cache}",
        i.to,
        decl.id()
    ))
}

/// One operation: its steps in file order, and what they say about it.
struct Operation<'a> {
    caller: &'a str,
    name: &'a str,
    /// Synchronous steps that write at their callee.
    writes: Vec<&'a InteractionDecl>,
    /// Steps that publish a message (queue or stream).
    publishes: Vec<&'a InteractionDecl>,
    /// Every step, for the related locations.
    steps: Vec<&'a InteractionDecl>,
    local_write: bool,
    atomicity: Vec<Atomicity>,
    /// The steps that say what publishes the outbox, with what they say.
    relay: Vec<(Relay, &'a InteractionDecl)>,
}

impl Operation<'_> {
    fn made_whole_by(&self, ways: &[Atomicity]) -> bool {
        self.atomicity.iter().any(|a| ways.contains(a))
    }

    /// "`a` (to `b`) and `c` (to `d`)" for `steps`, with the caller's own store last; past
    /// [`crate::finding::NAMED_IN_MESSAGE`] the rest are counted, since every step's
    /// finding carries the message.
    fn names(&self, steps: &[&InteractionDecl], store: bool) -> String {
        let own = store.then(|| format!("`{}`'s own store", self.caller));
        let named = steps
            .iter()
            .map(|d| format!("`{}` (to `{}`)", d.id(), d.interaction.to))
            .chain(own);
        crate::finding::and_list(named, steps.len() + usize::from(store))
    }
}

/// The operations of the model, in the order their first step is declared.
fn operations<'a>(cx: &'a Context<'_>) -> Vec<Operation<'a>> {
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    let mut all: Vec<Operation<'a>> = Vec::new();
    for (decl, decision) in cx.model.interactions.iter().zip(cx.decisions) {
        let Some(op) = decl.interaction.operation.as_ref() else {
            continue;
        };
        let key = (decl.interaction.from.as_str(), op.name.as_str());
        let at = *index.entry(key).or_insert_with(|| {
            all.push(Operation {
                caller: key.0,
                name: key.1,
                writes: Vec::new(),
                publishes: Vec::new(),
                steps: Vec::new(),
                local_write: false,
                atomicity: Vec::new(),
                relay: Vec::new(),
            });
            all.len() - 1
        });
        let operation = &mut all[at];
        operation.steps.push(decl);
        operation.local_write |= op.local_write == Some(true);
        operation.atomicity.extend(op.atomicity);
        operation.relay.extend(op.relay.map(|r| (r, decl)));
        match applied_pattern(decl, decision) {
            Some(Pattern::Queue | Pattern::Stream) => operation.publishes.push(decl),
            Some(_) if op.writes == Some(true) => operation.writes.push(decl),
            _ => {}
        }
    }
    all
}

/// One finding per step in `members`, each naming the whole operation; grouping
/// (`grouping.rs`) merges them into one at the first step.
fn per_step(
    cx: &Context<'_>,
    rule: &'static crate::codes::RuleInfo,
    operation: &Operation<'_>,
    members: &[&InteractionDecl],
    message: &str,
    (label, help): (&str, &str),
    out: &mut Vec<Finding>,
) {
    // The other members are named by the group; the steps that neither write nor publish
    // are shown here, the first few of them: each member's finding carries them.
    let ids: std::collections::HashSet<&str> = members.iter().map(|m| m.id()).collect();
    let others: Vec<&InteractionDecl> = operation
        .steps
        .iter()
        .copied()
        .filter(|o| !ids.contains(o.id()))
        .collect();
    let shown = others.len().min(crate::finding::NAMED_IN_MESSAGE);
    let related: Vec<_> = others[..shown]
        .iter()
        .enumerate()
        .map(|(n, other)| {
            let more = match others.len() - shown {
                left if left > 0 && n + 1 == shown => format!(" (and {left} more steps)"),
                _ => String::new(),
            };
            (
                cx.model.at(&other.origin, fields::OPERATION),
                format!("`{}` is a step of `{}` too{more}", other.id(), operation.name),
            )
        })
        .collect();
    for decl in members {
        let mut f = cx
            .finding(rule, decl, fields::OPERATION, message)
            .label(label.to_string())
            .help(help.to_string());
        for (at, text) in &related {
            f = f.related(at.clone(), text.clone());
        }
        out.push(f);
    }
}

fn check_non_atomic_multi_write(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for operation in operations(cx) {
        let count = operation.writes.len() + usize::from(operation.local_write);
        if count < 2 || operation.made_whole_by(&[Atomicity::Saga, Atomicity::Transaction]) {
            continue;
        }
        let message = format!(
            "operation `{}` of `{}` writes in {count} steps with no saga or transaction: {}; a failure between them leaves some written and the others not, and nothing completes or undoes it",
            operation.name,
            operation.caller,
            operation.names(&operation.writes, operation.local_write)
        );
        let help = format!(
            "do the writes of `{}` in one call and transaction at the service that owns them (`atomicity: transaction`), or give each step a compensation run when a later one fails (a saga, `atomicity: saga`)",
            operation.name
        );
        // Two writes include at least one writing step: the steps named are those.
        let members = &operation.writes;
        let label = format!("{count} writes, no saga or transaction");
        per_step(cx, &NON_ATOMIC_MULTI_WRITE, &operation, members, &message, (&label, &help), out);
    }
}

fn check_dual_write(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for operation in operations(cx) {
        let writes = !operation.writes.is_empty() || operation.local_write;
        if !writes
            || operation.publishes.is_empty()
            || operation.made_whole_by(&[Atomicity::Outbox, Atomicity::Transaction])
        {
            continue;
        }
        let published = crate::finding::and_list(
            operation.publishes.iter().map(|d| match &d.uses().channel {
                Some(channel) => format!("`{}` (on `{channel}`)", d.id()),
                None => format!("`{}`", d.id()),
            }),
            operation.publishes.len(),
        );
        let message = format!(
            "operation `{}` of `{}` writes {} and publishes {} with no outbox or transaction: a failure between a write and a publish loses the message for a saved write, or sends it for a write that never happened",
            operation.name,
            operation.caller,
            operation.names(&operation.writes, operation.local_write),
            published
        );
        let help = format!(
            "write the messages of `{}` to an outbox table in the same local transaction as the data and publish them from there, then declare `atomicity: outbox` on a step; consumers still deduplicate (an outbox delivers at least once)",
            operation.name
        );
        let members: Vec<&InteractionDecl> = operation
            .publishes
            .iter()
            .chain(&operation.writes)
            .copied()
            .collect();
        let label = "write and publish, no outbox";
        per_step(cx, &DUAL_WRITE, &operation, &members, &message, (label, &help), out);
    }
}

fn check_outbox_relay(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for operation in operations(cx) {
        let relayed = operation
            .relay
            .iter()
            .any(|(r, _)| matches!(r, Relay::Polling | Relay::LogTailing));
        let once = operation
            .relay
            .iter()
            .any(|(r, _)| *r == Relay::AfterCommit);
        if !operation.made_whole_by(&[Atomicity::Outbox])
            || !once
            || relayed
            || operation.publishes.is_empty()
        {
            continue;
        }
        for decl in &operation.publishes {
            let channel = decl
                .uses()
                .channel
                .as_deref()
                .map(|c| format!(" on `{c}`"))
                .unwrap_or_default();
            let message = format!(
                "operation `{}` of `{}` saves `{}`{channel} in an outbox but publishes it only once, right after the commit (`relay: after-commit`): an entry that attempt leaves unsent (the process stops after the commit, the broker is down or refuses it) is never published, and `{}` never learns of a write that was saved",
                operation.name,
                operation.caller,
                decl.id(),
                decl.interaction.to
            );
            let help = format!(
                "publish `{}`'s outbox with a relay that reads every unsent entry until the broker confirms it (`relay: polling`, or change-data capture: `relay: log-tailing`), and mark an entry sent only on the broker's confirm; publishing after the commit can stay as the quick path",
                operation.caller
            );
            out.push(
                cx.finding(&OUTBOX_WITHOUT_RELAY, decl, fields::OPERATION_RELAY, message)
                    .label("published once, no relay")
                    .help(help),
            );
        }
    }
}

fn check_lost_update(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // Most files say no `based_on`: no index of every id for them.
    if !cx.model.interactions.iter().any(|d| d.interaction.based_on().is_some()) {
        return;
    }
    let by_id: HashMap<&str, (usize, &InteractionDecl)> = cx
        .model
        .interactions
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id(), (i, d)))
        .collect();
    // Per callee, the interactions that write there, once: each finding names them.
    let mut writers: HashMap<&str, Vec<&InteractionDecl>> = HashMap::new();
    for d in &cx.model.interactions {
        if writes_at_its_callee(d) {
            writers.entry(d.interaction.to.as_str()).or_default().push(d);
        }
    }
    for (index, decl) in cx.model.interactions.iter().enumerate() {
        let Some(op) = decl.interaction.operation.as_ref() else {
            continue;
        };
        let Some(&(read_index, read)) = op.based_on.as_deref().and_then(|id| by_id.get(id))
        else {
            continue;
        };
        if op.concurrency.is_some() || read.interaction.to != decl.interaction.to {
            continue;
        }
        let asynchronous = |d: &InteractionDecl, i: usize| {
            matches!(
                applied_pattern(d, &cx.decisions[i]),
                Some(Pattern::Queue | Pattern::Stream)
            )
        };
        let same_operation = read.interaction.operation.as_ref().is_some_and(|r| {
            r.name == op.name && read.interaction.from == decl.interaction.from
        });
        let later = asynchronous(decl, index) || asynchronous(read, read_index) || !same_operation;
        let others = writers
            .get(decl.interaction.to.as_str())
            .map_or(&[][..], Vec::as_slice);
        out.push(lost_update_finding(cx, decl, read, others, later));
    }
}

/// Whether the interaction changes its callee's data: a write, or one decided on a read.
fn writes_at_its_callee(d: &InteractionDecl) -> bool {
    let op = d.interaction.operation.as_ref();
    op.is_some_and(|o| o.writes == Some(true) || o.based_on.is_some())
}

fn lost_update_finding(
    cx: &Context<'_>,
    decl: &InteractionDecl,
    read: &InteractionDecl,
    writers: &[&InteractionDecl],
    later: bool,
) -> Finding {
    let i = &decl.interaction;
    let read_name = if std::ptr::eq(read, decl) {
        "it".to_string()
    } else {
        format!("`{}`", read.id())
    };
    // Counted, not collected: a callee may have thousands of writers, each with a finding.
    let is_other = |d: &&&InteractionDecl| !std::ptr::eq(**d, decl) && !std::ptr::eq(**d, read);
    // `decl` is among the writers; `read` too when it writes (it may be `decl` itself).
    let read_writes = !std::ptr::eq(read, decl) && writes_at_its_callee(read);
    let total = writers.len() - 1 - usize::from(read_writes);
    let others = match total {
        0 => String::new(),
        _ => format!(
            "; `{}` is also written by {}",
            i.to,
            crate::finding::named_of(
                writers.iter().filter(is_other).map(|d| format!("`{}`", d.id())),
                total
            )
        ),
    };
    let message = if later {
        format!(
            "{} acts on what {read_name} found at `{}` earlier, with no version, lock or reservation: it runs later (a message, another operation), after whatever steps come between, so another request may have changed the data, and a check that no longer holds is acted on{others}",
            super::checklist::ends(decl),
            i.to
        )
    } else {
        format!(
            "{} writes back what {read_name} read from `{}`, changed, with no version or lock: a change another request makes in between is overwritten unseen (a lost update); the window is one round trip, hit when two changes meet{others}",
            super::checklist::ends(decl),
            i.to
        )
    };
    let mut f = cx
        .finding(&LOST_UPDATE, decl, fields::OPERATION_BASED_ON, message)
        .label("decided on an earlier read, unguarded")
        .help(format!(
            "carry the version read and let `{}` refuse a stale write (`concurrency: version`), reserve at the check (`concurrency: reservation`), or let `{}` apply the change itself in one call",
            i.to, i.to
        ))
        .severity(if later {
            LOST_UPDATE.severity
        } else {
            crate::finding::Severity::Warning
        });
    if !std::ptr::eq(read, decl) {
        f = f.related(cx.model.at(&read.origin, fields::ID), "the read the write is decided on");
    }
    f
}
