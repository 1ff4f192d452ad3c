//! O — the seed's metrics per communication pattern ("통신 패턴별 핵심 메트릭").

use super::checklist::{designed, ends, has_async_half};
use super::Context;
use crate::finding::Finding;
use crate::model::fields;

rules! {
    MISSING_METRICS {
        code: "O001",
        name: "missing-metrics",
        severity: Warning,
        check: check_metrics,
        summary: "The seed's metrics are not declared for the interaction",
        doc: r#"## What it checks
Every designed interaction declares `uses.metrics: true`: it exports the seed's metrics for
its pattern. This is a convention of the files: it is checked where they say `metrics`
somewhere (in a file's `defaults:` or on any interaction), and a model that never says it
is not asked. Such a model makes no claim about what the system exports — a tracing agent,
a mesh's or a framework's telemetry may measure every call — and a finding would assert
what the files do not say.

| part | metrics |
|---|---|
| sync (sync, sync-optimized, cqrs) | `http_requests_total`, `http_request_duration_seconds`, `circuit_breaker_state` |
| async (queue, stream, cqrs with a channel) | `messages_published_total`, `messages_processed_total`, `message_processing_duration_seconds`, `queue_depth` |

## Why
The seed's `SyncCommunicationMetrics` and `AsyncCommunicationMetrics` name these as the core
metrics of each pattern, and its closing advice is to optimise step by step from production
data ("실제 운영 데이터를 바탕으로 점진적 개선"). An interaction without them cannot be tuned,
alerted on, or checked against its SLO; the G and C rules here rest on figures that only
these metrics can confirm.

## Example
```yaml
- id: place-order
  uses: { pattern: sync, protocol: grpc, timeout_ms: 800, metrics: true }
- id: order-events
  uses: { pattern: stream, protocol: kafka, channel: orders.events }   # no `metrics`
```

## Fix
```yaml
metrics: true
```
"#,
    }
}

const SYNC_METRICS: &str =
    "http_requests_total, http_request_duration_seconds, circuit_breaker_state";
const ASYNC_METRICS: &str = "messages_published_total, messages_processed_total, message_processing_duration_seconds, queue_depth";

fn check_metrics(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // Whether exporting the metrics is a convention of these files at all.
    let said = cx
        .model
        .interactions
        .iter()
        .any(|d| d.uses().metrics.is_some());
    if !said {
        return;
    }
    for (decl, _, pattern) in designed(cx) {
        let uses = decl.uses();
        if uses.metrics == Some(true) {
            continue;
        }
        let mut names = Vec::new();
        if pattern.has_sync_part() {
            names.push(SYNC_METRICS);
        }
        if has_async_half(decl, pattern) {
            names.push(ASYNC_METRICS);
        }
        if names.is_empty() {
            names.push(ASYNC_METRICS);
        }
        let explicit_off = uses.metrics == Some(false);
        out.push(
            cx.finding(
                &MISSING_METRICS,
                decl,
                fields::USES_METRICS,
                format!(
                    "{pattern} {} {}: {} cannot be watched",
                    ends(decl),
                    if explicit_off {
                        "turns metrics off"
                    } else {
                        "declares no metrics"
                    },
                    names.join(", ")
                ),
            )
            .label(if explicit_off {
                "metrics off"
            } else {
                "no `metrics`"
            })
            .help(if explicit_off {
                "set `metrics: true`".to_string()
            } else {
                "add `metrics: true` under `uses:` and export the metrics named above".to_string()
            }),
        );
    }
}
