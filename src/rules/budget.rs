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

/// The steps a person rounds a figure in milliseconds to, largest first.
const STEPS: [u64; 8] = [10_000, 5_000, 1_000, 500, 100, 50, 10, 5];

/// The roundest figure near `exact` that lies strictly between `lo` and `hi`: the
/// nearest multiple of the largest step of at most a quarter of it (two significant
/// figures, or a half: 343 → 350, 18000 stays) that is inside the budget, else of a
/// smaller step; never further than an eighth of `exact` from it. `exact` itself when no
/// round figure fits, or when `exact` is outside
/// the budget.
pub fn readable(exact: u64, lo: u64, hi: u64) -> u64 {
    if exact <= lo || exact >= hi {
        return exact;
    }
    for step in STEPS.into_iter().filter(|s| s.saturating_mul(4) <= exact) {
        let down = exact / step * step;
        let up = down.saturating_add(step);
        let near = if exact - down <= up - exact {
            [down, up]
        } else {
            [up, down]
        };
        // A round figure far from the exact one says something else: a smaller step.
        let close = |c: u64| c.abs_diff(exact) <= exact / 8;
        if let Some(c) = near.into_iter().find(|&c| c > lo && c < hi && close(c)) {
            return c;
        }
    }
    exact
}

/// The roundest figure at or above `min` and below `hi`, for a value the help states as
/// a lower bound ("N or more"): `readable` rounds to the nearest figure, which can fall
/// under the bound (25850 → 25000); this one rounds up on the same scale (26000), never
/// further than an eighth above `min`. `min` itself when no round figure fits.
pub fn at_least(min: u64, hi: u64) -> u64 {
    if min >= hi {
        return min;
    }
    for step in STEPS.into_iter().filter(|s| s.saturating_mul(4) <= min) {
        let up = min.div_ceil(step).saturating_mul(step);
        if up < hi && up - min <= min / 8 {
            return up;
        }
    }
    min
}

/// The roundest figure at or below `max` and above `lo`, for a value the help states as
/// an upper bound ("N or less"): rounded down on `readable`'s scale, never further than
/// an eighth below `max`. `max` itself when no round figure fits.
pub fn at_most(max: u64, lo: u64) -> u64 {
    if max <= lo {
        return max;
    }
    for step in STEPS.into_iter().filter(|s| s.saturating_mul(4) <= max) {
        let down = max / step * step;
        if down > lo && max - down <= max / 8 {
            return down;
        }
    }
    max
}

/// The timeout to suggest for `decl`: 1.5 × the callee's p99 (the recommended value
/// without one), lowered to fit what the caller waits, each attempt and the backoff
/// between them included; never at or below the p99.
pub fn timeout(cx: &Context<'_>, decl: &InteractionDecl) -> TimeoutAdvice {
    let callee = decl.interaction.to.as_str();
    let p99 = slo_latency(cx.model, callee);
    // The attempts the caller waits out, as G003 counts them: its own (written, or its
    // client's default). A mesh retries inside each attempt's timeout, so it does not
    // divide the caller's wait further (`graph::Edge::waits`).
    let stacks = effective::stacks(cx.model, decl);
    let attempts = effective::attempts(cx.model, decl, &stacks).map_or(1, |a| a.waited());
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
    let exact = match (upper, p99) {
        (Some(u), _) if wanted < u => Some(wanted),
        (Some(u), Some(p)) if (p.ceil() as u64) < u => Some((p.ceil() as u64 + u) / 2),
        (Some(_), Some(_)) => None,
        (Some(u), None) => Some((u * 4 / 5).max(1)),
        (None, _) => Some(wanted),
    };
    // Rounded inside the budget: above the p99 by at least half the headroom the exact
    // figure has, below each attempt's share of the caller's wait.
    let value = exact.map(|v| {
        let lo = p99.map_or(v / 2, |p| {
            let p = p.ceil() as u64;
            p + v.saturating_sub(p) / 2
        });
        readable(v, lo, upper.unwrap_or(u64::MAX))
    });
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
/// longer than half the wait), then fewer attempts. `per_attempt` is how many requests
/// each attempt makes (a mesh that retries under the caller multiplies them, inside the
/// attempt's timeout); the attempts it leaves fit `max_attempts` too (`max` in total,
/// both layers counted).
pub fn schedule(cx: &Context<'_>, decl: &InteractionDecl, want: ScheduleWant) -> Schedule {
    let ScheduleWant {
        attempts,
        base_ms,
        max_ms,
        per_attempt,
        max_total,
    } = want;
    let per_attempt = per_attempt.max(1);
    let mut attempts = attempts.min((max_total / per_attempt).max(1)).max(1);
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
    let half = wait.ms / 2;
    let max_ms = if max_ms > half {
        // An upper bound ("at most half the wait"): rounded down, never above it.
        at_most(half, half / 2)
    } else {
        max_ms
    }
    .max(1);
    let base_ms = base_ms.min(max_ms);
    let stacks = effective::stacks(cx.model, decl);
    let timeout = match effective::timeout(cx.model, decl, &stacks) {
        Some((Limit::Ms(ms, _), _)) => Some(ms),
        _ => None,
    };
    // The mesh's tries run inside each attempt's timeout (`graph::Edge::waits`): they
    // count towards `max_total`, not towards the wait.
    let total = |n: u32| {
        timeout
            .unwrap_or(0)
            .saturating_mul(u64::from(n))
            .saturating_add(exponential_delays_ms(n, base_ms, max_ms))
    };
    while attempts > 1 && total(attempts) > wait.ms {
        attempts -= 1;
    }
    let why = match timeout {
        // Even one attempt outlasts the caller: no schedule fits until the timeout is
        // lowered, and the sum would claim a fit it does not have.
        Some(t) if total(1) > wait.ms => format!(
            " — one attempt alone can take {t} ms, more than {}: lower this call's timeout first",
            describe_wait(cx, wait)
        ),
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

/// What a retry fix asks for before it is fitted to the caller's wait.
pub struct ScheduleWant {
    pub attempts: u32,
    pub base_ms: u64,
    pub max_ms: u64,
    /// Requests each attempt makes: the mesh's attempts under the caller's.
    pub per_attempt: u32,
    /// The most requests a call may make, both layers counted (`retry_max_attempts`).
    pub max_total: u32,
}

#[cfg(test)]
mod tests {
    use super::{at_least, at_most, readable};
    use proptest::prelude::*;

    #[test]
    fn computed_figures_become_ones_a_person_writes() {
        // A lower bound rounds up, an upper bound down, on the same scale.
        assert_eq!(readable(25_850, 24_675, u64::MAX), 25_000);
        assert_eq!(at_least(25_850, u64::MAX), 26_000);
        assert_eq!(at_least(27_600, u64::MAX), 30_000);
        assert_eq!(at_least(18_000, u64::MAX), 18_000);
        assert_eq!(at_least(343, 345), 343, "no round figure under the ceiling");
        assert_eq!(at_most(25_850, 0), 25_000);
        assert_eq!(at_most(343, 342), 343, "no round figure above the floor");
        assert_eq!(at_most(1_090, 0), 1_000);
        assert_eq!(readable(343, 300, 387), 350);
        assert_eq!(readable(343, 321, 345), 340);
        assert_eq!(readable(6930, 6615, u64::MAX), 7000);
        assert_eq!(readable(18_000, 12_000, u64::MAX), 18_000);
        assert_eq!(readable(900, 850, 1000), 900);
        // No round figure between the bounds: the exact one.
        assert_eq!(readable(343, 342, 344), 343);
    }

    proptest! {
        /// Every rounded suggestion stays inside its budget, and near the exact figure.
        #[test]
        fn a_rounded_value_stays_within_its_budget(
            lo in 0u64..1_000_000,
            width in 2u64..1_000_000,
            at in 0.0f64..1.0,
        ) {
            let hi = lo + width;
            let exact = lo + 1 + ((width - 2) as f64 * at) as u64;
            let v = readable(exact, lo, hi);
            prop_assert!(v > lo && v < hi, "{v} outside ({lo}, {hi})");
            prop_assert!(v.abs_diff(exact) <= exact / 8 + 1, "{v} far from {exact}");
        }

        /// A lower bound never rounds below itself, an upper bound never above.
        #[test]
        fn bounds_round_away_from_what_they_bound(v in 0u64..10_000_000, room in 1u64..10_000_000) {
            let up = at_least(v, v.saturating_add(room));
            prop_assert!(up >= v && (up < v.saturating_add(room) || up == v));
            prop_assert!(up - v <= v / 8);
            let down = at_most(v, v.saturating_sub(room));
            prop_assert!(down <= v && v - down <= v / 8);
        }
    }
}
