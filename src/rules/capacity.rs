//! C — capacity by Little's law (L = λ × W): the concurrency an interaction needs is its
//! rate times the time each request or message is in flight.

use super::checklist::{designed, ends, has_async_half, slo_latency};
use super::Context;
use crate::finding::Finding;
use crate::model::fields;

rules! {
    POOL_TOO_SMALL {
        code: "C001",
        name: "pool-too-small",
        severity: Warning,
        check: check_pool,
        summary: "The connection pool is smaller than rps × latency",
        doc: r#"## What it checks
For a synchronous call with `pool.max_connections` and a known rate: `max_connections` ×
concurrency per connection ≥ `traffic.rps` × latency, where latency is
`traffic.processing_ms` or else the callee's `slo.latency_p99_ms`. A gRPC (HTTP/2)
connection carries `streams_per_connection` (default 100) concurrent calls; HTTP/1.1 one.

## Why
Little's law: the requests in flight equal arrival rate × time in the system. A pool smaller
than that queues requests inside the client, adding latency no dashboard of the callee
shows, and under a latency spike it turns into timeouts. The seed sizes its agent with
`maxSockets: 100`.

## Example
```yaml
traffic: { rps: 800, processing_ms: 60 }   # 48 in flight
uses: { protocol: rest, pool: { keep_alive: true, max_connections: 20 } }
```

## Fix
Set `max_connections` to at least the figure in the message, plus headroom (×1.5).
"#,
    }

    TOO_FEW_CONSUMERS {
        code: "C002",
        name: "too-few-consumers",
        severity: Warning,
        check: check_consumers,
        summary: "The consumers cannot keep up with rps × processing time",
        doc: r#"## What it checks
For an asynchronous interaction with a known `traffic.rps` and `traffic.processing_ms`:
the most consumers it can have (`uses.consumers.max`, else `traffic.consumers`) is at least
rps × processing time (one message at a time per consumer).

## Why
Little's law again: a consumer busy `processing_ms` per message handles 1000 /
`processing_ms` messages per second. With fewer consumers than rps × processing time, the
queue grows without bound even at full scale-out, and no TTL or bound fixes that.

## Example
```yaml
traffic: { rps: 300, processing_ms: 40 }   # needs 12 consumers
uses: { consumers: { min: 2, max: 8 } }
```

## Fix
Raise `consumers.max` to the figure in the message plus headroom, batch the processing, or
make it faster.
"#,
    }

    QUEUE_FILLS_FAST {
        code: "C003",
        name: "queue-fills-fast",
        severity: Warning,
        check: check_queue_bound,
        summary: "The queue bound fills in under a minute of consumer outage",
        doc: r#"## What it checks
For an asynchronous interaction with `max_queue_length` and `traffic.rps`: the bound holds
at least `queue_outage_seconds` (default 60) of traffic, `max_queue_length` / rps.

## Why
A bound exists to survive a consumer outage (a deploy, a crash loop, a slow dependency)
without losing messages. If it fills in seconds, any restart of the consumers makes the
overflow policy drop or reject messages.

## Example
```yaml
traffic: { rps: 500 }
uses: { max_queue_length: 1000 }     # 2 seconds
```

## Fix
Raise `max_queue_length` to the figure in the message (with the broker's memory and disk in
mind), or let overflow go to a dead-letter queue (`overflow: reject-publish-dlx`).
"#,
    }
}

fn check_pool(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (decl, _, pattern) in designed(cx) {
        if !pattern.has_sync_part() {
            continue;
        }
        let uses = decl.uses();
        let Some(max) = uses.pool.as_ref().and_then(|p| p.max_connections) else {
            continue;
        };
        let traffic = decl.interaction.traffic.as_ref();
        let Some(rps) = traffic.and_then(|t| t.rps) else {
            continue;
        };
        let (latency, source) = match traffic.and_then(|t| t.processing_ms) {
            Some(ms) => (ms, "processing time"),
            None => match slo_latency(cx.model, &decl.interaction.to) {
                Some(ms) => (ms, "callee p99"),
                None => continue,
            },
        };
        let multiplexed = matches!(uses.protocol.as_deref(), Some("grpc" | "http2" | "h2"));
        let per_connection = if multiplexed {
            cx.thresholds.streams_per_connection.max(1)
        } else {
            1
        };
        let needed = rps * latency / 1000.0;
        let capacity = f64::from(max) * f64::from(per_connection);
        if capacity >= needed {
            continue;
        }
        let want = (needed / f64::from(per_connection) * 1.5).ceil() as u64;
        out.push(
            cx.finding(
                &POOL_TOO_SMALL,
                decl,
                fields::USES_POOL_MAX_CONNECTIONS,
                format!(
                    "{} needs {needed:.0} concurrent requests ({rps} req/s × {latency} ms {source}) but the pool allows {capacity:.0}",
                    ends(decl)
                ),
            )
            .label(format!("< {needed:.0} in flight"))
            .help(format!("set `max_connections: {want}` (Little's law plus 50 % headroom)")),
        );
    }
}

fn check_consumers(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (decl, _, pattern) in designed(cx) {
        if !has_async_half(decl, pattern) {
            continue;
        }
        let traffic = decl.interaction.traffic.as_ref();
        let (Some(rps), Some(ms)) = (
            traffic.and_then(|t| t.rps),
            traffic.and_then(|t| t.processing_ms),
        ) else {
            continue;
        };
        let uses = decl.uses();
        let (consumers, field) = match uses.consumers.as_ref().and_then(|c| c.max) {
            Some(m) => (m, fields::USES_CONSUMERS_MAX),
            None => match traffic.and_then(|t| t.consumers) {
                Some(c) => (c, fields::TRAFFIC_CONSUMERS),
                None => continue,
            },
        };
        let needed = rps * ms / 1000.0;
        if f64::from(consumers) >= needed {
            continue;
        }
        let want = (needed * 1.5).ceil() as u64;
        out.push(
            cx.finding(
                &TOO_FEW_CONSUMERS,
                decl,
                field,
                format!(
                    "{} needs {needed:.1} busy consumers ({rps} msg/s × {ms} ms) but has at most {consumers}: the backlog grows without bound",
                    ends(decl)
                ),
            )
            .label(format!("< {needed:.1} needed"))
            .help(format!("set `consumers: {{ max: {want} }}` (plus headroom), or batch or speed up the processing")),
        );
    }
}

fn check_queue_bound(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let window = cx.thresholds.queue_outage_seconds;
    for (decl, _, pattern) in designed(cx) {
        if !has_async_half(decl, pattern) {
            continue;
        }
        let (Some(bound), Some(rps)) = (
            decl.uses().max_queue_length,
            decl.interaction.traffic.as_ref().and_then(|t| t.rps),
        ) else {
            continue;
        };
        if rps <= 0.0 {
            continue;
        }
        let seconds = bound as f64 / rps;
        if seconds >= window {
            continue;
        }
        let want = (rps * window).ceil() as u64;
        out.push(
            cx.finding(
                &QUEUE_FILLS_FAST,
                decl,
                fields::USES_MAX_QUEUE_LENGTH,
                format!(
                    "the bound of {bound} messages on {} fills in {seconds:.1} s at {rps} msg/s if the consumers stop (less than {window} s)",
                    ends(decl)
                ),
            )
            .label(format!("{seconds:.1} s of traffic"))
            .help(format!("set `max_queue_length: {want}` or more")),
        );
    }
}
