//! A — the seed's asynchronous checklist ("비동기식 통신"): message batching, a bounded
//! queue, a dead-letter queue, message TTL, consumer scaling, compression of large
//! messages, idempotency; plus what `ordering: true` needs. Applies to queues, streams
//! and a cqrs interaction's async half (when it names its channel).

use super::checklist::{designed, ends, has_async_half, is_log};
use super::{Context, RuleInfo};
use crate::finding::{Finding, Severity};
use crate::model::fields::{self, Field};
use crate::model::types::{Ack, Compression, Pattern};
use crate::model::InteractionDecl;
use crate::stacks::broker::Broker;
use crate::stacks::{effective, Fact};

rules! {
    MISSING_DEAD_LETTER {
        code: "A001",
        name: "missing-dead-letter",
        severity: Warning,
        harm: Integrity,
        check: check_dead_letter,
        summary: "An asynchronous interaction without a dead-letter queue",
        doc: r#"## What it checks
Queues, streams and the async half of cqrs declare `uses.dead_letter`, unless the broker
dead-letters by default for this consumer: the consumer acknowledges after processing
(`ack: after-processing`) and the declared broker documents a redelivery limit for its
protocol (ActiveMQ: 6 redeliveries of a JMS consumer, then `ActiveMQ.DLQ`; docs/stacks.md).
The message says what the acknowledgement mode does to a failing message. It is an error
where the consumer acknowledges a failing message and so loses it (`ack: before-processing`,
or `ack: after-attempt`: the ack once the consumer has run, failed or not), a warning
where the failure comes back or the mode is not declared.

## Why
The seed's async checklist: "Dead Letter Queue 설정". A message that always fails (a poison
message) is otherwise redelivered forever, blocking the queue or the partition behind it,
or it is dropped and lost without a trace. Which of the two depends on when the consumer
acknowledges: after processing, a failure comes back, and without a limit it comes back
without end (ActiveMQ keeps its limit in the JMS client, so a STOMP consumer has none);
before processing (`ack: before-processing`, as Spring's DefaultMessageListenerContainer
does with AUTO_ACKNOWLEDGE), a failure is lost at once, and no dead-letter queue of the
broker ever sees it. A consumer that acknowledges after running whatever the outcome (an ack
in a `finally`) loses a failure the same way. A lost message is silent data loss, found
only when someone asks where it went; a message that comes back is seen (a stuck queue, a
growing redelivery count), which is why only the first is an error.

## Example
```yaml
uses: { pattern: queue, protocol: amqp, channel: order.completed }
```
```yaml
uses: { pattern: queue, protocol: jms, broker: activemq, ack: before-processing }
```

## Fix
```yaml
dead_letter: { after_attempts: 5, channel: order.completed.dlq }
```
With `ack: before-processing`, acknowledge after the work first (a transacted session):
`ack: after-processing`, on ActiveMQ over JMS, then gets the broker's `ActiveMQ.DLQ`.
"#,
    }

    UNBOUNDED_QUEUE {
        code: "A002",
        name: "unbounded-queue",
        severity: Warning,
        check: check_bounded,
        summary: "A queue without a length bound",
        doc: r#"## What it checks
Queues (and the async half of cqrs on a queue broker) declare `uses.max_queue_length`.
Streams, and SQS queues (which have no length bound), are bounded by retention (`ttl_ms`,
A003) and are not asked.

## Why
The seed's checklist: "적절한 큐 크기 설정" (a suitable queue size). An unbounded queue turns a
slow consumer into a broker that runs out of memory or disk, taking every other queue on it
down too. A bound with an overflow policy fails one producer visibly instead.

## Example
```yaml
uses: { pattern: queue, protocol: amqp, channel: emails }
```

## Fix
```yaml
max_queue_length: 50000
overflow: reject-publish-dlx   # or reject-publish, drop-head
```
Size it with C003: it should hold at least a minute of traffic.
"#,
    }

    MISSING_TTL {
        code: "A003",
        name: "missing-message-ttl",
        severity: Warning,
        check: check_ttl,
        summary: "Messages without a time-to-live (or retention)",
        doc: r#"## What it checks
Queues and the async half of cqrs on a queue declare a message TTL, `uses.ttl_ms`.
With a declared `broker`, the message quotes its documented default retention (Kafka:
7 days; SQS: 4 days).
Streams (logs) declare their retention instead: `ttl_ms` for a time limit, or
`retention: forever` / `retention: compacted` for a log kept without one.
An interaction that says `expires: false` (its messages must be applied whatever their age)
is not asked for a TTL on a queue, and a `ttl_ms` written beside it is reported; on a
stream it does not replace the retention.

## Why
The seed's checklist: "메시지 TTL 설정". Without a TTL, messages that nobody consumes pile up
forever, and after an outage consumers process hours-old work (a "your order shipped" mail a
day late) instead of discarding what is stale. A log is different: a ledger or an
event-sourced topic replayed at start-up is a system of record and must not expire, so a TTL
would be the wrong fix; what matters is that the retention is a decision, not the broker's
default (Kafka's broker setting `log.retention.hours` defaults to 168: a topic that says
nothing loses its history after 7 days).

The seed asks for a TTL without saying of which messages. A TTL suits a message whose value
decays with age (a notification, a request nobody waits for any more); a command or a state
change that its consumer must apply (a payment, a status transition, an update to a copy)
is lost by one: a consumer's outage longer than the TTL becomes silent data loss. The file
says which it is (`expires: false`), and the rule then asks the opposite.

On a queue, a missing TTL is information: what it costs is stale messages processed
late, and the queue's growth is A002's (its length bound). A TTL on messages that must not
expire (it drops them unprocessed) and a log whose retention is left to the broker (a
system of record may lose its history) are warnings.

## Example
```yaml
uses: { pattern: queue, protocol: amqp, channel: notifications }
```
```yaml
expires: false
uses: { pattern: queue, protocol: amqp, channel: payments.commands, ttl_ms: 60000 }
```

## Fix
```yaml
ttl_ms: 86400000   # queue: 24 h, older messages are stale
retention: forever # stream that is a system of record (or `compacted`, or `ttl_ms`)
```
For messages that must be applied whatever their age, say so and leave out the TTL:
`expires: false` on the interaction (staleness, where it matters, is the domain's: an
expiry job, a version check).
"#,
    }

    MISSING_CONSUMER_SCALING {
        code: "A004",
        name: "missing-consumer-scaling",
        severity: Warning,
        check: check_scaling,
        summary: "No consumer scaling policy (or a min above the max)",
        doc: r#"## What it checks
Queues, streams and the async half of cqrs declare `uses.consumers` with `min` and `max`,
and `min` is not above `max`.

## Why
The seed's checklist: "컨슈머 스케일링 정책". Without a policy the backlog grows until someone
notices; with one, consumers follow the queue depth. For a stream, `max` above the number of
partitions adds idle consumers, so the policy is also a reminder to size partitions.

## Example
```yaml
uses: { pattern: stream, protocol: kafka, channel: orders.events }
```

## Fix
```yaml
consumers: { min: 2, max: 8 }
```
Size `max` with C002 (rps × processing time).
"#,
    }

    MISSING_MESSAGE_BATCH {
        code: "A005",
        name: "missing-message-batching",
        severity: Warning,
        harm: Hygiene,
        check: check_batching,
        summary: "High message rate published one message at a time",
        doc: r#"## What it checks
An asynchronous interaction at or above `message_batch_min_rps` (default 200 messages/s)
declares `uses.batch`.

## Why
The seed's checklist: "메시지 배치 처리", and its `StreamProcessor` flushes when the buffer
reaches `batchSize` or a timer fires. One network round trip and one broker write per
message caps throughput and raises broker CPU; batching amortises both. Below a few hundred
messages per second the added latency buys little, so the rule stays quiet there.

## Example
```yaml
traffic: { rps: 2000 }
uses: { pattern: stream, protocol: kafka }
```

## Fix
```yaml
batch: { max_size: 500, max_wait_ms: 50 }   # Kafka: batch.size / linger.ms
```
"#,
    }

    UNCOMPRESSED_MESSAGES {
        code: "A006",
        name: "uncompressed-large-messages",
        severity: Info,
        harm: Hygiene,
        check: check_compression,
        summary: "Messages above the compression threshold are sent uncompressed",
        doc: r#"## What it checks
An asynchronous interaction whose `traffic.payload_bytes` is at least
`message_compression_min_bytes` (default 1024) declares a `compression` codec other than
`none`.

## Why
The seed's checklist: "메시지 압축 적용"; its publisher gzips a message when
`len(data) > 1024` and marks it with a `content-encoding` header. Brokers store and replicate
every byte: compression cuts disk, network and replication lag.

## Example
```yaml
traffic: { payload_bytes: 5000 }
uses: { pattern: stream, protocol: kafka, compression: none }
```

## Fix
```yaml
compression: zstd    # or lz4, snappy, gzip
```
"#,
    }

    MISSING_IDEMPOTENCY {
        code: "A007",
        name: "missing-idempotency",
        severity: Warning,
        harm: Integrity,
        check: check_idempotency,
        summary: "A consumer that may process a redelivered message twice",
        doc: r#"## What it checks
Queues, streams and the async half of cqrs are idempotent in one of three ways: the
interaction is `idempotent: true`, `uses.idempotency.key` names the deduplication key, or
`uses.idempotency.consumer: true` says the consumer is idempotent by construction. A
consumer that acknowledges on receipt (`ack: before-processing`) is not asked, unless the
declared broker documents copies even after an acknowledgement (SQS standard queues). It is
an error where the interaction is declared `idempotent: false` (a repeat has a further
effect, as for a retry, R003), a warning where idempotency is not stated.

## Why
The seed's checklist ends with "멱등성 보장". Brokers deliver at least once: a consumer that
crashes after its side effect but before its ack gets the message again. Without
idempotency that is a second e-mail, a second charge, a second stock movement. A consumer
that acknowledges before processing is never given a message again: its delivery is at most
once, and what it risks is losing a message, which A001 reports, not processing one twice.

## Example
```yaml
uses: { pattern: queue, protocol: sqs, channel: payouts }
```

## Fix
```yaml
idempotency: { key: event_id }    # or { consumer: true }
```
"#,
    }

    ORDERING {
        code: "A008",
        name: "ordering-not-guaranteed",
        severity: Error,
        harm: Integrity,
        check: check_ordering,
        summary: "`ordering: true` without a partition key, FIFO queue or single consumer",
        doc: r#"## What it checks
For an asynchronous interaction whose `needs.ordering` is `true`: a stream (Kafka-like log)
declares `uses.partition_key`; a queue declares `fifo: true` (an SQS channel named
`*.fifo` counts, as SQS requires that suffix) or at most one consumer (`consumers.max: 1`, or
`traffic.consumers: 1` without a scaling policy). It is an error on a log, a warning on a
queue.

## Why
The flowchart sends ordered work to node J (message queue) because ordering is what it must
keep. A log keeps order only within a partition, so messages of one entity must share a key;
competing consumers on one queue reorder messages as soon as there are two. "Shipped" then
overtakes "confirmed". The two differ in how often: competing consumers swap two messages
of one entity only when both are in flight at the same moment, while a log's partitions
drift apart by their whole consumer lag, so one entity's messages are read out of order
whenever one partition lags behind another, and again on every replay of the history.

## Example
```yaml
needs: { realtime: false, ordering: true }
uses: { pattern: queue, protocol: amqp, consumers: { min: 2, max: 8 } }
```

## Fix
Streams: `partition_key: order_id`. Queues: `fifo: true` (SQS FIFO with a message group,
RabbitMQ single active consumer), or `consumers: { min: 1, max: 1 }`.
"#,
    }

    ORDERING_ACROSS_CHANNELS {
        code: "G016",
        name: "ordering-across-channels",
        severity: Warning,
        harm: Integrity,
        check: check_ordering_across_channels,
        summary: "Ordered messages from one producer to one consumer spread over several channels",
        doc: r#"## What it checks
The asynchronous interactions (queues, streams, the async half of cqrs) from one producer
to one consumer that need ordering (`needs.ordering: true`) and name two or more different
channels. One finding per producer and consumer, naming every interaction and its channel.

## Why
A queue keeps the order of its own messages, a log the order within a partition; nothing
keeps the order of one channel against another. A producer that sends the steps of one
entity's life on separate channels (accepted on one queue, expired on another, created
on a third) leaves their order to whichever consumer thread gets there first: an expiry
sent after an acceptance can be processed before it, and a status machine driven by both
ends in the wrong state or rejects the valid transition. Each interaction is ordered on
its own; only the pair shows that their messages are not ordered together.

## Example
```yaml
- { id: quote-accepted, from: policy, to: portal, needs: { realtime: false, ordering: true },
    uses: { pattern: queue, channel: quote-accepted } }
- { id: quote-expired, from: policy, to: portal, needs: { realtime: false, ordering: true },
    uses: { pattern: queue, channel: quote-expired } }
```

## Fix
Send the messages whose order matters on one channel (one queue, or one topic keyed by the
entity: `partition_key: request_id`), with the kind of change in the message; or make the
consumer order them itself (a version or sequence number per entity, a transition that
refuses a stale one). If the channels never carry the same entity's messages, or one is
only sent after the consumer has answered the other, their order is kept by causality:
suppress the finding with that reason.
"#,
    }
}

fn async_half<'a>(
    cx: &'a Context<'_>,
) -> impl Iterator<Item = (&'a InteractionDecl, Pattern)> + 'a {
    designed(cx)
        .filter(|(d, _, p)| has_async_half(d, *p))
        .map(|(d, _, p)| (d, p))
}

fn missing(
    cx: &Context<'_>,
    rule: &'static RuleInfo,
    decl: &InteractionDecl,
    field: Field,
    message: String,
    snippet: &str,
) -> Finding {
    cx.finding(rule, decl, field, message)
        .label(format!("no `{}`", field.key()))
        .help(format!("add `{snippet}` under `uses:`"))
}

/// What the declared broker documents for one setting, with where the broker is
/// declared: "sqs (uses.broker): standard queues deliver at least once …". `None` when no
/// broker is declared or its behaviour for that setting is not known.
fn broker_says(
    cx: &Context<'_>,
    decl: &InteractionDecl,
    setting: fn(&Broker) -> Option<Fact<&'static str>>,
) -> Option<String> {
    let (broker, at) = effective::broker(cx.model, decl)?;
    let fact = setting(&broker)?;
    Some(format!("{} ({at}): {}", broker.name, fact.value))
}

/// `message`, followed by the broker's documented behaviour when there is one.
fn with_broker(
    cx: &Context<'_>,
    decl: &InteractionDecl,
    message: String,
    setting: fn(&Broker) -> Option<Fact<&'static str>>,
) -> String {
    match broker_says(cx, decl, setting) {
        Some(says) => format!("{message}; {says}"),
        None => message,
    }
}

fn channel(decl: &InteractionDecl) -> String {
    decl.uses()
        .channel
        .as_deref()
        .map(|c| format!(" on `{c}`"))
        .unwrap_or_default()
}

fn check_dead_letter(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (decl, pattern) in async_half(cx) {
        let uses = decl.uses();
        if uses.dead_letter.is_some() {
            continue;
        }
        // The broker's own dead-lettering, where it has one and it applies to this
        // consumer's protocol: it counts the redeliveries of a consumer that acknowledges
        // after processing, so a poison message ends in its dead-letter queue.
        let default_dlq = effective::broker(cx.model, decl)
            .and_then(|(b, _)| b.default_dead_letter)
            .filter(|d| {
                uses.protocol
                    .as_deref()
                    .is_some_and(|p| d.protocols.iter().any(|q| q.eq_ignore_ascii_case(p)))
            });
        if uses.ack == Some(Ack::AfterProcessing) && default_dlq.is_some() {
            continue;
        }
        let dlq = uses
            .channel
            .as_deref()
            .map(|c| format!(", channel: {c}.dlq"))
            .unwrap_or_default();
        let what = match uses.ack {
            Some(Ack::BeforeProcessing) => "the consumer acknowledges each message before processing it (`ack: before-processing`), so one whose processing fails is lost, neither redelivered nor dead-lettered",
            Some(Ack::AfterProcessing) => "a message whose processing fails is delivered again (`ack: after-processing`), and one that always fails, a poison message, comes back without end",
            Some(Ack::AfterAttempt) => "the consumer acknowledges each message once it has run, failed or not (`ack: after-attempt`), so one whose processing fails is lost, neither redelivered nor dead-lettered",
            None => "a poison message is redelivered forever or lost",
        };
        // A failure that is acknowledged is gone without a trace (data lost); one that
        // comes back blocks the queue, which is seen.
        let severity = if uses.ack.is_some_and(Ack::loses_failures) {
            Severity::Error
        } else {
            MISSING_DEAD_LETTER.severity
        };
        let snippet = format!(
            "dead_letter: {{ after_attempts: {}{dlq} }}",
            crate::recommended::DEAD_LETTER_AFTER_ATTEMPTS.value
        );
        let help = match (uses.ack, default_dlq) {
            (Some(Ack::BeforeProcessing | Ack::AfterAttempt), _) => format!(
                "acknowledge once the message is processed (a transacted session, an acknowledgement after the work), so that a failure is redelivered, and add `{snippet}` under `uses:`"
            ),
            (None, Some(d)) => format!(
                "add `{snippet}` under `uses:`; or, if the consumer acknowledges after processing, write `ack: after-processing`: the broker then moves a message redelivered {} times to `{}`",
                d.after_redeliveries, d.channel
            ),
            _ => format!("add `{snippet}` under `uses:`"),
        };
        out.push(
            cx.finding(
                &MISSING_DEAD_LETTER,
                decl,
                fields::USES_DEAD_LETTER,
                with_broker(
                    cx,
                    decl,
                    format!(
                        "{pattern} {}{} has no dead-letter queue: {what}",
                        ends(decl),
                        channel(decl)
                    ),
                    |b| b.dead_letter,
                ),
            )
            .label("no `dead_letter`")
            .help(help)
            .severity(severity),
        );
    }
}

fn check_bounded(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (decl, pattern) in async_half(cx) {
        // SQS has no length bound to set: its queues are bounded by retention (A003).
        if is_log(decl, pattern)
            || decl.uses().max_queue_length.is_some()
            || decl.uses().protocol.as_deref() == Some("sqs")
        {
            continue;
        }
        let rps = decl.interaction.traffic.as_ref().and_then(|t| t.rps);
        let size = rps
            .map(|r| {
                ((r * 600.0 / 1000.0).ceil() as u64)
                    .saturating_mul(1000)
                    .max(1000)
            })
            .unwrap_or(crate::recommended::MAX_QUEUE_LENGTH.value);
        out.push(missing(
            cx,
            &UNBOUNDED_QUEUE,
            decl,
            fields::USES_MAX_QUEUE_LENGTH,
            with_broker(
                cx,
                decl,
                format!(
                    "queue {}{} is unbounded: a stalled consumer fills the broker",
                    ends(decl),
                    channel(decl)
                ),
                |b| b.bound,
            ),
            &format!("max_queue_length: {size}` and `overflow: reject-publish-dlx"),
        ));
    }
}

fn check_ttl(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (decl, pattern) in async_half(cx) {
        let uses = decl.uses();
        let must_not_expire = decl.interaction.expires == Some(false);
        if let (Some(ttl), true) = (uses.ttl_ms, must_not_expire) {
            out.push(
                cx.finding(
                    &MISSING_TTL,
                    decl,
                    fields::USES_TTL_MS,
                    with_broker(
                        cx,
                        decl,
                        format!(
                            "the messages of {}{} must not expire (`expires: false`), but `ttl_ms: {ttl}` drops one that waits longer, unprocessed",
                            ends(decl),
                            channel(decl)
                        ),
                        |b| b.retention,
                    ),
                )
                .label("TTL on messages that must not expire")
                .help("remove `ttl_ms`, or drop `expires: false` if a stale message may be discarded"),
            );
            continue;
        }
        if uses.ttl_ms.is_some() {
            continue;
        }
        // A log's retention is not a queue's TTL: a system of record keeps its log
        // forever or compacts it, and saying so is a complete answer.
        if is_log(decl, pattern) {
            if uses.retention.is_some() {
                continue;
            }
            let (what, declare) = match broker_says(cx, decl, |b| b.retention) {
                Some(says) => (
                    format!("so the broker's default applies — {says}: a log that is a system of record loses its history"),
                    String::new(),
                ),
                None => (
                    "how long the log keeps messages (and so how far a consumer can replay) is left to the broker's default".to_string(),
                    format!("; to see that default, {}", effective::DECLARE_BROKER),
                ),
            };
            out.push(
                cx.finding(
                    &MISSING_TTL,
                    decl,
                    fields::USES_TTL_MS,
                    format!(
                        "{pattern} {}{} declares no retention: {what}",
                        ends(decl),
                        channel(decl)
                    ),
                )
                .label("no retention")
                .help(format!(
                    "declare the retention under `uses:`: `retention: forever` for a system of record (a ledger, an event-sourced topic replayed at start-up), `retention: compacted` to keep the latest message per key, or `ttl_ms: <ms>` for a time limit (e.g. `ttl_ms: {}`, 7 days){declare}",
                    7 * 24 * 3_600_000u64
                )),
            );
            continue;
        }
        // A command or a state change is applied whatever its age: a TTL would drop it
        // unprocessed, and the file says that is the decision.
        if must_not_expire {
            continue;
        }
        let field = if uses.retention.is_some() {
            fields::USES_RETENTION
        } else {
            fields::USES_TTL_MS
        };
        let kept = uses
            .retention
            .map(|r| format!(" (`retention: {}` keeps a log, not a queue)", r.as_str()))
            .unwrap_or_default();
        out.push(missing(
            cx,
            &MISSING_TTL,
            decl,
            field,
            with_broker(
                cx,
                decl,
                format!(
                    "{pattern} {}{} has no message TTL{kept}: stale messages are kept and processed late",
                    ends(decl),
                    channel(decl)
                ),
                |b| b.retention,
            ),
            &format!("ttl_ms: {}", crate::recommended::TTL_MS.value),
        )
        // Late, not lost: a queue's growth is A002's (its length bound).
        .severity(Severity::Info));
    }
}

fn check_scaling(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (decl, pattern) in async_half(cx) {
        match &decl.uses().consumers {
            None => out.push(missing(
                cx,
                &MISSING_CONSUMER_SCALING,
                decl,
                fields::USES_CONSUMERS,
                format!(
                    "{pattern} {} has no consumer scaling policy: the backlog grows until someone notices",
                    ends(decl)
                ),
                &crate::recommended::consumers_block(),
            )),
            Some(c) => {
                if let (Some(min), Some(max)) = (c.min, c.max) {
                    if min > max {
                        out.push(
                            cx.finding(
                                &MISSING_CONSUMER_SCALING,
                                decl,
                                fields::USES_CONSUMERS_MIN,
                                format!(
                                    "consumer scaling of {} has min {min} above max {max}",
                                    ends(decl)
                                ),
                            )
                            .label("min > max")
                            .help(format!("write `consumers: {{ min: {max}, max: {min} }}`")),
                        );
                    }
                }
            }
        }
    }
}

fn check_batching(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (decl, pattern) in async_half(cx) {
        let Some(rps) = decl.interaction.traffic.as_ref().and_then(|t| t.rps) else {
            continue;
        };
        if rps < cx.thresholds.message_batch_min_rps || decl.uses().batch.is_some() {
            continue;
        }
        out.push(missing(
            cx,
            &MISSING_MESSAGE_BATCH,
            decl,
            fields::USES_BATCH,
            format!(
                "{pattern} {} publishes {rps} messages/s one at a time (threshold {})",
                ends(decl),
                cx.thresholds.message_batch_min_rps
            ),
            &crate::recommended::batch_block(),
        ));
    }
}

fn check_compression(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let min = cx.thresholds.message_compression_min_bytes;
    for (decl, pattern) in async_half(cx) {
        let Some(bytes) = decl
            .interaction
            .traffic
            .as_ref()
            .and_then(|t| t.payload_bytes)
        else {
            continue;
        };
        if bytes < min || !matches!(decl.uses().compression, None | Some(Compression::None)) {
            continue;
        }
        let codec = if is_log(decl, pattern) {
            "zstd"
        } else {
            "gzip"
        };
        out.push(missing(
            cx,
            &UNCOMPRESSED_MESSAGES,
            decl,
            fields::USES_COMPRESSION,
            format!(
                "{pattern} {} carries {bytes}-byte messages uncompressed (threshold {min} bytes)",
                ends(decl)
            ),
            &format!("compression: {codec}"),
        ));
    }
}

fn check_idempotency(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (decl, pattern) in async_half(cx) {
        let idem = decl.uses().idempotency.as_ref();
        if decl.interaction.idempotent == Some(true)
            || idem.is_some_and(|i| i.key.is_some() || i.consumer == Some(true))
        {
            continue;
        }
        // A consumer that acknowledges on receipt is never given a message again (it
        // loses a failed one instead: A001), unless the broker documents copies even
        // after an acknowledgement.
        if decl.uses().ack == Some(Ack::BeforeProcessing)
            && !effective::broker(cx.model, decl).is_some_and(|(b, _)| b.copies_after_ack)
        {
            continue;
        }
        // Declared to repeat its effect, a redelivery is a second charge or stock movement
        // for certain (as a retry is, R003); unstated, it may be harmless.
        let severity = if decl.interaction.idempotent == Some(false) {
            Severity::Error
        } else {
            MISSING_IDEMPOTENCY.severity
        };
        let finding = missing(
            cx,
            &MISSING_IDEMPOTENCY,
            decl,
            fields::USES_IDEMPOTENCY,
            match broker_says(cx, decl, |b| b.delivery) {
                Some(says) => format!(
                    "{pattern} {}: nothing makes a redelivered message harmless to `{}`; {says}",
                    ends(decl),
                    decl.interaction.to
                ),
                None => format!(
                    "{pattern} {}: `{}` may receive a message twice (at-least-once delivery) and nothing makes that harmless",
                    ends(decl),
                    decl.interaction.to
                ),
            },
            "idempotency: { key: event_id }",
        );
        out.push(finding.severity(severity));
    }
}

fn check_ordering(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (decl, pattern) in async_half(cx) {
        let ordered = decl
            .interaction
            .needs
            .as_ref()
            .and_then(|n| n.ordering)
            .unwrap_or(false);
        if !ordered {
            continue;
        }
        let uses = decl.uses();
        if is_log(decl, pattern) {
            if uses.partition_key.is_some() {
                continue;
            }
            out.push(
                cx.finding(
                    &ORDERING,
                    decl,
                    fields::USES_PARTITION_KEY,
                    format!(
                        "{} needs ordering, but the log{} has no partition key: messages of one entity spread over partitions and are consumed out of order",
                        ends(decl),
                        channel(decl)
                    ),
                )
                .label("no `partition_key`")
                .help("add `partition_key: <entity id>` (e.g. `partition_key: order_id`) under `uses:`"),
            );
            continue;
        }
        let single = match &uses.consumers {
            Some(c) => c.max == Some(1),
            None => decl.interaction.traffic.as_ref().and_then(|t| t.consumers) == Some(1),
        };
        // SQS requires FIFO queue names to end in `.fifo`, so the name says it.
        let sqs_fifo = uses.protocol.as_deref() == Some("sqs")
            && uses
                .channel
                .as_deref()
                .is_some_and(|c| c.ends_with(".fifo"));
        if uses.fifo == Some(true) || sqs_fifo || uses.partition_key.is_some() || single {
            continue;
        }
        // Without a declared single consumer, a queue is read by competing consumers as
        // soon as it is scaled out; the message says which of the two the file states.
        let consumers = uses
            .consumers
            .as_ref()
            .and_then(|c| c.max)
            .map(|m| format!("has up to {m} competing consumers and is not FIFO: messages are processed out of order"))
            .unwrap_or_else(|| "declares neither a single consumer nor FIFO delivery: messages are processed out of order once consumers compete".into());
        let at = if uses.consumers.is_some() {
            fields::USES_CONSUMERS_MAX
        } else {
            fields::USES_FIFO
        };
        out.push(
            cx.finding(
                &ORDERING,
                decl,
                at,
                with_broker(
                    cx,
                    decl,
                    format!(
                        "{} needs ordering, but the queue{} {consumers}",
                        ends(decl),
                        channel(decl)
                    ),
                    |b| b.ordering,
                ),
            )
            .label("reorders messages")
            .help("add `fifo: true` under `uses:` (SQS FIFO message group, RabbitMQ single active consumer), or `consumers: { min: 1, max: 1 }`")
            // Competing consumers swap two messages of one entity only while both are in
            // flight at once; a log's partitions drift apart by their whole lag, and every
            // replay reads the disorder again.
            .severity(Severity::Warning),
        );
    }
}

/// A producer and a consumer, by name.
type Pair<'a> = (&'a str, &'a str);

fn check_ordering_across_channels(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // Per producer and consumer, in file order: each ordered interaction with its channel.
    let mut pairs: Vec<(Pair<'_>, Vec<(&InteractionDecl, &str)>)> = Vec::new();
    let mut index: std::collections::HashMap<(&str, &str), usize> = std::collections::HashMap::new();
    for (decl, _) in async_half(cx) {
        let i = &decl.interaction;
        let ordered = i.needs.as_ref().and_then(|n| n.ordering) == Some(true);
        let Some(channel) = decl.uses().channel.as_deref().filter(|_| ordered) else {
            continue;
        };
        let key = (i.from.as_str(), i.to.as_str());
        let at = *index.entry(key).or_insert_with(|| {
            pairs.push((key, Vec::new()));
            pairs.len() - 1
        });
        pairs[at].1.push((decl, channel));
    }
    for ((from, to), members) in pairs {
        let mut channels: Vec<&str> = members.iter().map(|(_, c)| *c).collect();
        channels.sort_unstable();
        channels.dedup();
        if channels.len() < 2 {
            continue;
        }
        // One line however many members: each member carries this message until grouped.
        let named = crate::finding::named_list(
            members.iter().map(|(d, c)| format!("`{}` on `{c}`", d.id())),
        );
        let message = format!(
            "`{from}` sends `{to}` messages that need ordering on {} channels ({named}): each keeps its own order, but nothing orders one channel against another, so a later message on one can be processed before an earlier one on another",
            channels.len(),
        );
        for (decl, _) in &members {
            out.push(
                cx.finding(&ORDERING_ACROSS_CHANNELS, decl, fields::USES_CHANNEL, message.clone())
                    .label("ordered on its own channel only")
                    .help(format!(
                        "send the messages of `{from}` to `{to}` whose order matters on one channel (one queue, or one topic keyed by the entity), or let `{to}` order them itself (a version per entity); if they never concern the same entity, or one is only sent after `{to}` answered the other, suppress this with that reason"
                    )),
            );
        }
    }
}
