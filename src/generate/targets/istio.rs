//! `istio`: per called service in the mesh, a DestinationRule and a VirtualService.

use super::{Inputs, Job, Resolved};
use crate::generate::fields::{self, UsesPath};
use crate::generate::templates::templates;
use crate::generate::values::Effective;
use crate::model::types::ServiceKind;
use crate::recommended as rec;
use serde_json::{json, Value};
use std::collections::BTreeMap;

templates! {
    "istio/mesh.yaml" => "per sync target: DestinationRule and VirtualService",
}

const USES: &[UsesPath] = &[
    fields::TIMEOUT_MS,
    fields::RETRY,
    fields::CIRCUIT_BREAKER,
    fields::POOL,
    fields::BULKHEAD,
];

/// Envoy's outlier detection counts consecutive 5xx, not a rate: eject after as many
/// consecutive failures as the breaker's rate would allow in its minimum window.
fn consecutive_errors(v: &Effective) -> u64 {
    ((v.circuit_breaker.min_calls as f64) * v.circuit_breaker.failure_rate_percent / 100.0)
        .round()
        .max(1.0) as u64
}

fn retry_on(r: &Resolved) -> &'static str {
    let grpc = r.v.protocol.eq_ignore_ascii_case("grpc");
    match (r.v.idempotent, grpc) {
        // Without idempotency only failures that never reached the server are safe.
        (false, _) => "connect-failure,refused-stream",
        (true, true) => "connect-failure,refused-stream,reset,unavailable,cancelled",
        (true, false) => "connect-failure,refused-stream,reset,gateway-error",
    }
}

pub fn jobs(inputs: &Inputs) -> Vec<Job> {
    let mut by_target: BTreeMap<usize, (String, Vec<&Resolved>)> = BTreeMap::new();
    for r in &inputs.resolved {
        let i = &r.decl.interaction;
        if !r.pattern.has_sync_part()
            || inputs.kind(&i.to) == ServiceKind::External
            || matches!(
                inputs.kind(&i.from),
                ServiceKind::Client | ServiceKind::External
            )
        {
            continue;
        }
        let rank = inputs
            .model
            .services
            .get_index_of(&i.to)
            .unwrap_or(usize::MAX);
        by_target
            .entry(rank)
            .or_insert_with(|| (i.to.clone(), Vec::new()))
            .1
            .push(r);
    }
    let mut out = Vec::new();
    for (_, (to, calls)) in by_target {
        let slug = inputs.slug_of(&to);
        // One pool per destination: each caller's sidecar applies it on its own, so the
        // largest declared need wins; ejection follows the strictest breaker.
        let max_connections = calls.iter().map(|r| r.v.pool.max_connections).max();
        let max_pending = calls.iter().map(|r| r.v.bulkhead.max_queue.max(1)).max();
        let idle = calls.iter().map(|r| r.v.pool.idle_timeout_ms).max();
        let connect = calls.iter().map(|r| r.v.timeout_ms.min(1000)).min();
        let consecutive = calls.iter().map(|r| consecutive_errors(&r.v)).min();
        let ejection = calls.iter().map(|r| r.v.circuit_breaker.open_ms).max();
        let keep_alive = calls.iter().any(|r| r.v.pool.keep_alive);
        let routes: Vec<Value> = calls
            .iter()
            .map(|r| {
                let mut d = inputs.dep(r, USES);
                // The proxy's own attempts where they are known (`mesh_retry`, or the
                // declared mesh's default), as `explain` lists them. Without either the
                // file's `retry` is the caller's own, which the client code retries: the
                // route retries nothing (`attempts: 0`, not Istio's default of 2), so the
                // two layers never multiply.
                let attempts = u64::from(r.v.mesh_attempts.unwrap_or(1).max(1));
                d["retries"] = json!(attempts - 1);
                d["per_try_ms"] = json!(r.v.timeout_ms.div_ceil(attempts).max(1));
                d["retry_on"] = json!(retry_on(r));
                d
            })
            .collect();
        out.push(Job {
            path: format!("istio/{slug}.yaml"),
            template: "istio/mesh.yaml",
            context: json!({
                "system": inputs.system,
                "service": to,
                "host": slug,
                "max_connections": max_connections,
                "max_pending": max_pending,
                "idle_timeout_ms": idle,
                "connect_timeout_ms": connect,
                "keep_alive": keep_alive,
                "keep_alive_ms": rec::KEEP_ALIVE_MS.value,
                "consecutive_errors": consecutive,
                "ejection_ms": ejection,
                "default_timeout_ms": rec::TIMEOUT_MS.value,
                "routes": routes,
            }),
        });
    }
    out
}
