//! The two sides of a call's time budget, for the values the rules suggest: a timeout
//! above the callee's p99 and within what the caller waits, and a retry schedule whose
//! total fits the caller's timeout. The caller's wait comes from the graph: the shortest
//! effective timeout (written, `defaults`, or a stack's documented limit) of the sync
//! calls into the calling service.

use super::checklist::slo_latency;
use super::Context;
use crate::model::InteractionDecl;
use crate::stacks::{effective, Limit};

/// How long the calling service is waited on: the shortest timeout of the sync calls
/// into it, with the index of that call.
#[derive(Debug, Clone, Copy)]
pub struct Wait {
    pub ms: u64,
    pub by: usize,
}

/// Per service (index in `model.services`), the shortest wait of its callers.
pub fn waits(cx: &Context<'_>) -> Vec<Option<Wait>> {
    let mut waits: Vec<Option<Wait>> = vec![None; cx.model.services.len()];
    let graph = cx.graph();
    // The edge's effective timeout, as every graph rule reads it.
    for edge in &graph.edges {
        let Some(ms) = edge.timeout_ms else {
            continue;
        };
        let slot = &mut waits[edge.to];
        if slot.is_none_or(|w| ms < w.ms) {
            *slot = Some(Wait {
                ms,
                by: edge.interaction,
            });
        }
    }
    waits
}

/// "the 10000 ms `gateway` waits on `llm-proxy` (`ask`)".
pub fn describe_wait(cx: &Context<'_>, wait: Wait) -> String {
    let by = &cx.model.interactions[wait.by];
    format!(
        "the {} ms `{}` waits on `{}` (`{}`)",
        wait.ms,
        by.interaction.from,
        by.interaction.to,
        by.id()
    )
}

/// A suggested `timeout_ms` for `decl`, or `None` when no value fits, and the text that
/// says why, starting after the value: "` (1.5 × …; within …)".
pub struct TimeoutAdvice {
    pub value: Option<u64>,
    pub why: String,
}

fn round_up_50(v: f64) -> u64 {
    ((v / 50.0).ceil() * 50.0).max(50.0) as u64
}

/// The timeout to suggest for `decl`: 1.5 × the callee's p99 (the recommended value
/// without one), lowered to fit what the caller waits, each attempt and the backoff
/// between them included; never at or below the p99.
pub fn timeout(cx: &Context<'_>, decl: &InteractionDecl) -> TimeoutAdvice {
    let callee = decl.interaction.to.as_str();
    let p99 = slo_latency(cx.model, callee);
    // The effective attempts, as G003 counts them: a mesh that retries by default
    // divides the caller's wait among its attempts as a written retry does.
    let stacks = effective::stacks(cx.model, decl);
    let attempts = effective::attempts(cx.model, decl, &stacks).map_or(1, |a| a.count);
    let wait = cx
        .model
        .services
        .get_index_of(decl.interaction.from.as_str())
        .and_then(|i| cx.waits()[i]);
    let backoff = crate::graph::backoff_total_ms(decl, attempts);
    let upper = wait.map(|w| w.ms.saturating_sub(backoff) / u64::from(attempts));
    let wanted = p99.map_or(crate::recommended::TIMEOUT_MS.value, |p| {
        round_up_50(p * 1.5)
    });
    let value = match (upper, p99) {
        (Some(u), _) if wanted < u => Some(wanted),
        (Some(u), Some(p)) if (p.ceil() as u64) < u => Some((p.ceil() as u64 + u) / 2),
        (Some(_), Some(_)) => None,
        (Some(u), None) => Some((u * 4 / 5).max(1)),
        (None, _) => Some(wanted),
    };
    let below = match p99 {
        Some(p) if value == Some(wanted) => format!("1.5 × `{callee}`'s p99 of {p} ms"),
        Some(p) => format!("above `{callee}`'s p99 of {p} ms"),
        None => format!("above the callee's p99; `{callee}` declares no `slo.latency_p99_ms`"),
    };
    let within = match wait {
        Some(w) => {
            let per = if attempts > 1 {
                format!(" for each of {attempts} attempts and {backoff} ms of backoff")
            } else {
                String::new()
            };
            format!("; within {}{per}", describe_wait(cx, w))
        }
        None => String::new(),
    };
    let why = match (value, wait) {
        (None, Some(w)) => format!(
            "` above `{callee}`'s p99 — no value fits: the p99 is not below {}; raise that timeout or make `{callee}` faster",
            describe_wait(cx, w)
        ),
        _ => format!("` ({below}{within})"),
    };
    TimeoutAdvice { value, why }
}

impl TimeoutAdvice {
    /// "timeout_ms: 750` (…)", for "add `{…} under `uses:`".
    pub fn snippet(&self) -> String {
        match self.value {
            Some(v) => format!("timeout_ms: {v}{}", self.why),
            None => format!("timeout_ms{}", self.why),
        }
    }
}

/// Total of the delays of an exponential schedule without jitter: `base`, `2 × base`, …,
/// each capped at `max`, between `attempts` attempts.
pub fn exponential_delays_ms(attempts: u32, base: u64, max: u64) -> u64 {
    (1..attempts.max(1))
        .map(|i| {
            base.saturating_mul(1u64.checked_shl(i - 1).unwrap_or(u64::MAX))
                .min(max)
        })
        .fold(0u64, u64::saturating_add)
}

/// A retry schedule that fits the caller's wait: attempts, base and cap, and the sentence
/// that shows the sum.
pub struct Schedule {
    pub attempts: u32,
    pub base_ms: u64,
    pub max_ms: u64,
    pub why: String,
}

/// Fits `attempts × timeout + delays` into the caller's wait: the cap first (no delay
/// longer than half the wait), then fewer attempts.
pub fn schedule(
    cx: &Context<'_>,
    decl: &InteractionDecl,
    attempts: u32,
    base_ms: u64,
    max_ms: u64,
) -> Schedule {
    let wait = cx
        .model
        .services
        .get_index_of(decl.interaction.from.as_str())
        .and_then(|i| cx.waits()[i]);
    let Some(wait) = wait else {
        return Schedule {
            attempts,
            base_ms,
            max_ms,
            why: String::new(),
        };
    };
    let max_ms = max_ms.min(wait.ms / 2).max(1);
    let base_ms = base_ms.min(max_ms);
    let stacks = effective::stacks(cx.model, decl);
    let timeout = match effective::timeout(cx.model, decl, &stacks) {
        Some((Limit::Ms(ms, _), _)) => Some(ms),
        _ => None,
    };
    let total = |n: u32| {
        timeout
            .unwrap_or(0)
            .saturating_mul(u64::from(n))
            .saturating_add(exponential_delays_ms(n, base_ms, max_ms))
    };
    let mut attempts = attempts.max(1);
    while attempts > 1 && total(attempts) > wait.ms {
        attempts -= 1;
    }
    let why = match timeout {
        Some(t) => format!(
            " — {attempts} × {t} ms + {} ms of backoff = {} ms, within {}",
            exponential_delays_ms(attempts, base_ms, max_ms),
            total(attempts),
            describe_wait(cx, wait)
        ),
        None => format!(
            " — `max_ms` within {}; with a `timeout_ms`, attempts × timeout + backoff must fit it too",
            describe_wait(cx, wait)
        ),
    };
    Schedule {
        attempts,
        base_ms,
        max_ms,
        why,
    }
}
