//! How much a finding's subject matters: its impact, from the synchronous call graph.
//! Computed once per run in time linear in the graph (one pass over its strongly connected
//! components, no recursion), then looked up per finding. The scoring is documented in
//! [`SCORING`], which `commsplan explain risk` prints and docs/rules.md repeats.

use super::SyncGraph;
use crate::codes::Harm;
use crate::finding::{Finding, Severity};
use crate::model::types::{Consistency, ServiceKind};
use crate::model::Model;
// Looked up by interaction id only (nothing iterates it): a fast hasher.
use foldhash::{HashMap, HashMapExt};

/// Points for a call on the synchronous path of a service with an SLO.
const SLO_PATH: u32 = 40;
/// Added when that SLO is 99.9 % or stricter.
const STRICT_SLO: u32 = 10;
/// Points for a call on the synchronous path of an entry point without an SLO.
const ENTRY_PATH: u32 = 20;
/// Points for a decision that needs strong consistency.
const STRONG: u32 = 25;
/// Sync calls into a service from which its fan-in counts, and the points for it.
const FAN_IN_FROM: usize = 3;
const FAN_IN: u32 = 10;
const HIGH_FAN_IN_FROM: usize = 6;
const HIGH_FAN_IN: u32 = 20;
/// From this score an impact is high.
const HIGH_FROM: u32 = 40;
/// From this score the text reports print the impact under a high-impact finding. Below
/// it the note would repeat, under nearly every finding of a system with an SLO, what the
/// order already shows; from it two reasons add up (an SLO path and strong consistency,
/// a strict SLO and high fan-in).
const NOTED_FROM: u32 = 65;
/// The reason given for a synchronous call whose answer the caller does not wait for.
const SIDE_CALL: &str =
    "side call: the caller carries on without the answer (needs.realtime: false)";
/// The reason given for a synchronous call whose failure the caller answers itself.
const FALLBACK_CALL: &str =
    "optional call: the caller serves a fallback when it fails (uses.fallback)";
/// The reason given for a call a job of the caller makes.
const JOB_CALL: &str = "made by a job of the caller, which no request waits for (runs_in: job)";
/// The reason given for an unbounded wait whose caller is a client of the system.
const PERSON_WAITS: &str =
    "the caller is a client (kind: client): a person waits, no thread of the system";

/// The scoring, as `commsplan explain risk` prints it.
pub const SCORING: &str = "\
Risk: how findings are ranked and when their severity follows impact

Each finding on an interaction or a service gets an impact from the synchronous call
graph (sync interactions, declared or recommended):

  +40  on the synchronous path of a service with an SLO (+10 more at 99.9 % or stricter):
       the call is made while that service waits, so its failure spends that SLO
  +20  otherwise on the synchronous path of an entry point (kind client or gateway, or a
       service no one calls synchronously that is not a worker or external)
  +25  the interaction needs strong consistency (needs.consistency: strong)
  +10  fan-in: 3 or more sync calls go into the callee (+20 from 6)

An asynchronous interaction counts the path of its producer at half weight: its sender
does not wait, but the message is produced on that path.

A synchronous call whose caller carries on without the answer (needs.realtime: false,
without strong consistency) gets no points for the path it is made on: its failure does
not fail the request (a side call, such as recording statistics after a change). So does
a call with a fallback (uses.fallback: stale, default or empty, without strong
consistency): an optional side path, whose failure the caller answers itself. A call
made by a job of the caller (runs_in: job: a schedule, a poll loop, a start-up load) is
not in the graph at all: no request waits for it, so it gets no path points and does not
continue the chains of calls into its caller.

Consequence: what goes wrong when the gap is hit, declared once with each rule (a default
per family, overridden by the rules whose consequence differs) and added to the impact
score in the risk order:

  +50  integrity: data wrong, lost or applied twice (a retried payment, a decision on a
       stale copy, a message lost or processed twice)
  +40  wait: a wait without a bound, or one that outlasts its caller's, holds the
       caller's threads and every caller's above (after they have given up)
  +20  spread: a failure or load that spreads (no breaker, bulkhead or admission control,
       retries that multiply, capacity below the traffic)
   +0  hygiene: visibility or efficiency (metrics, pooling, caching, compression): the gap
       makes failures harder to see or calls slower but fails no request by itself

A hygiene finding comes after every other finding of its severity, whatever its impact:
a missing metric or pool on the busiest call does not outrank, at the same severity, a
missing breaker or an unbounded wait anywhere, because no request fails for it. Among
themselves, hygiene findings follow their impact. A group of findings with one cause
takes the impact of its member that scores most: the cause is hit there.

A wait whose caller is a client (kind: client: a browser, a person's tool) gets no
consequence points, and an S finding about it is lowered one level: what waits is a person,
who gives up, not a thread of the system.

The impact is high from 40 points. It is low for a synchronous call that scores 0: off
every entry point's and SLO's synchronous path or a side call, no strong consistency,
fan-in under 3 (a side path, such as a batch job's call).

The table and Markdown print the impact under a finding only where it changes the
reading: its severity was lowered, or it scores 65 or more (two reasons at once).

Severity follows impact, conservatively:
  - S, R and O findings on a synchronous call of low impact are lowered one level
    (error to warning, warning to info); the impact's reasons say why.
  - Nothing is raised by impact: the default severities are the ones for a call on a
    critical path. A rule may set a finding's severity from what the file says of the
    gap itself, as its documentation says (A001: a message lost is an error, one
    redelivered a warning; G003: an overrun of twice the caller's timeout on a request's
    path is an error); impact then applies to that severity.
  - M findings (problems of the input files), and every other family, never change.
  - A severity set in commsplan.toml ([severity]) always wins.

Order: `analyze --sort risk` prints findings by severity, then hygiene last, then impact
score plus consequence points, then position (file, line, column, code). The table and the Markdown page use it by default; json, sarif,
github, junit and gitlab keep position order unless `--sort risk` is given.
";

pub use crate::finding::{Impact, Level};

/// What reaches a service synchronously: the strictest SLO above it and an entry point.
#[derive(Debug, Clone, Copy, Default)]
struct Reach {
    /// (availability in thousandths of a percent, service), the strictest first.
    slo: Option<(u64, usize)>,
    entry: Option<usize>,
}

impl Reach {
    fn merge(&mut self, other: Reach) {
        let stricter = |a: (u64, usize), b: (u64, usize)| a.0 > b.0 || (a.0 == b.0 && a.1 < b.1);
        if let Some(o) = other.slo {
            if self.slo.is_none_or(|s| stricter(o, s)) {
                self.slo = Some(o);
            }
        }
        if let Some(o) = other.entry {
            if self.entry.is_none_or(|e| o < e) {
                self.entry = Some(o);
            }
        }
    }
}

/// Impacts of one run, per interaction and per service.
pub struct Impacts {
    interactions: Vec<Option<Impact>>,
    services: Vec<Impact>,
    interaction_index: HashMap<String, usize>,
    /// Whether each interaction is a synchronous call: an edge of the graph, or a call
    /// made by a job (left out of the graph).
    sync: Vec<bool>,
}

impl Impacts {
    pub fn compute(model: &Model, graph: &SyncGraph) -> Impacts {
        let reach = reach(model, graph);
        let mut sync = sync_interactions(model, graph);
        // A job's synchronous call is left out of the graph but is still a call whose
        // checklist findings follow its (low) impact.
        for (index, decl) in model.interactions.iter().enumerate() {
            sync[index] |= decl.interaction.in_a_job()
                && decl.uses().pattern.is_some_and(|p| p.has_sync_part());
        }
        let services = (0..model.services.len())
            .map(|s| {
                let mut score = Score::default();
                score.path(model, reach[s], 1, "on the synchronous path of");
                score.fan_in(graph.in_degree[s], s, model);
                score.finish(false)
            })
            .collect();
        let mut interaction_index = HashMap::with_capacity(model.interactions.len());
        let interactions = model
            .interactions
            .iter()
            .enumerate()
            .map(|(index, decl)| {
                interaction_index
                    .entry(decl.id().to_string())
                    .or_insert(index);
                let i = &decl.interaction;
                let from = model.services.get_index_of(&i.from)?;
                let to = model.services.get_index_of(&i.to);
                let mut score = Score::default();
                let strong = i.needs.as_ref().and_then(|n| n.consistency);
                let answer_unused = i.needs.as_ref().and_then(|n| n.realtime) == Some(false);
                let fallback = decl.uses().fallback.is_some_and(|f| f.carries_on());
                let weak = strong != Some(Consistency::Strong);
                let job = i.in_a_job();
                if job {
                    // Off every request's path: what fails is a run of the job, which the
                    // next run repeats.
                    score.reasons.push(JOB_CALL.to_string());
                } else if sync[index] && answer_unused && weak {
                    // The caller carries on without the answer: the call is made on the
                    // request's path, but its failure does not fail the request.
                    score.reasons.push(SIDE_CALL.to_string());
                } else if sync[index] && fallback && weak {
                    // The caller answers the failure itself: an optional side path. With
                    // strong consistency the fallback is wrong data (G009), not a way out.
                    score.reasons.push(FALLBACK_CALL.to_string());
                } else if sync[index] {
                    score.path(model, reach[from], 1, "on the synchronous path of");
                } else {
                    score.path(model, reach[from], 2, "produced on the synchronous path of");
                }
                if strong == Some(Consistency::Strong) {
                    score.add(STRONG, "strong consistency".to_string());
                }
                if let Some(to) = to {
                    score.fan_in(graph.in_degree[to], to, model);
                }
                let mut impact = score.finish(sync[index]);
                if job && impact.level == Level::Normal {
                    // What a gap costs there is one run of the job, which the next repeats.
                    impact.level = Level::Low;
                }
                Some(impact)
            })
            .collect();
        Impacts {
            interactions,
            services,
            interaction_index,
            sync,
        }
    }

    /// The impact of a finding's subject: its interaction, else its service.
    pub fn of(&self, finding: &Finding) -> Option<(&Impact, bool)> {
        if let Some(id) = finding.interaction.as_deref() {
            let index = *self.interaction_index.get(id)?;
            return Some((self.interactions[index].as_ref()?, self.sync[index]));
        }
        None
    }

    pub fn of_service(&self, model: &Model, finding: &Finding) -> Option<&Impact> {
        let index = model.services.get_index_of(finding.service.as_deref()?)?;
        self.services.get(index)
    }

    /// Whether the finding's interaction is called by a service of kind client.
    fn called_by_client(&self, model: &Model, finding: &Finding) -> bool {
        let caller = finding
            .interaction
            .as_deref()
            .and_then(|id| self.interaction_index.get(id))
            .and_then(|&i| model.interactions.get(i))
            .and_then(|d| model.services.get(&d.interaction.from));
        caller.is_some_and(|s| s.service.kind == Some(ServiceKind::Client))
    }

    /// Gives `finding` its impact and lowers its severity where the impact says so.
    /// `harm`: the consequence its rule declares. `configured`: commsplan.toml sets this
    /// code's severity (which then stands).
    pub fn apply(
        &self,
        model: &Model,
        finding: &mut Finding,
        harm: Option<Harm>,
        configured: bool,
    ) {
        if crate::codes::is_input_code(finding.code) {
            return;
        }
        let (impact, on_sync_call) = match self.of(finding) {
            Some((impact, sync)) => (impact, sync),
            None if finding.interaction.is_none() => match self.of_service(model, finding) {
                Some(impact) => (impact, false),
                None => return,
            },
            None => return,
        };
        let mut impact = impact.clone();
        let person_waits = harm == Some(Harm::Wait) && self.called_by_client(model, finding);
        impact.consequence = match harm {
            Some(harm) if !person_waits => harm.points(),
            _ => 0,
        };
        impact.hygiene = harm == Some(Harm::Hygiene);
        let lower_it = impact.level == Level::Low || person_waits;
        if !configured && on_sync_call && lower_it && lowerable(finding.code) {
            finding.severity = lower(finding.severity);
            impact.lowered = true;
            if person_waits {
                let mut reasons = impact.reasons.to_vec();
                reasons.push(PERSON_WAITS.to_string());
                impact.reasons = reasons.into();
            }
        }
        finding.impact = Some(Box::new(impact));
    }
}

/// `risk: high (75): on the synchronous path of …`: what the text reports show under a
/// finding where the impact changes the reading: its severity was lowered for it, or it
/// is high from two reasons at once ([`NOTED_FROM`]). Elsewhere the order says enough.
pub fn summary(finding: &Finding) -> Option<String> {
    let impact = finding.impact.as_ref()?;
    let level = match impact.level {
        Level::High if impact.score >= NOTED_FROM => "high",
        Level::Low if impact.lowered => "low, severity lowered one level",
        Level::Normal if impact.lowered => "normal, severity lowered one level",
        Level::High if impact.lowered => "high, severity lowered one level",
        _ => return None,
    };
    Some(format!(
        "risk: {level} ({}): {}",
        impact.score,
        impact.reasons.join(", ")
    ))
}

/// The end of `explain CODE`: the rule's consequence in the risk order and, for the
/// codes whose severity follows impact, how.
pub fn explain_note(rule: &crate::codes::RuleInfo) -> String {
    use crate::codes::Family;
    // Input and drift findings are not ranked by impact.
    if matches!(rule.family, Family::Model | Family::Drift) {
        return "\n".to_string();
    }
    let mut note = format!(
        "\n\nRisk: consequence {} (+{} in the risk order)",
        rule.harm.as_str(),
        rule.harm.points()
    );
    if lowerable(rule.code) {
        note.push_str(
            "; on a synchronous call of low impact (a side path) this finding is lowered one \
             level",
        );
    }
    note.push_str("; `commsplan explain risk` shows the scoring.\n");
    note
}

/// The checklist families whose weight depends on the call they are about.
fn lowerable(code: &str) -> bool {
    matches!(code.as_bytes().first(), Some(b'S' | b'R' | b'O'))
}

fn lower(severity: Severity) -> Severity {
    match severity {
        Severity::Error => Severity::Warning,
        Severity::Warning | Severity::Info => Severity::Info,
    }
}

#[derive(Default)]
struct Score {
    score: u32,
    reasons: Vec<String>,
}

impl Score {
    fn add(&mut self, points: u32, reason: String) {
        self.score += points;
        self.reasons.push(reason);
    }

    /// Points for the SLO or entry point above a service, divided by `divisor`.
    fn path(&mut self, model: &Model, reach: Reach, divisor: u32, how: &str) {
        let name = |s: usize| super::service_name(model, s);
        if let Some((availability, s)) = reach.slo {
            let strict = availability >= 99_900;
            let points = SLO_PATH + if strict { STRICT_SLO } else { 0 };
            let slo = slo_text(model, s);
            self.add(
                points / divisor,
                format!(
                    "{how} `{}` ({slo})",
                    crate::report::escape::one_line(name(s))
                ),
            );
        } else if let Some(s) = reach.entry {
            self.add(
                ENTRY_PATH / divisor,
                format!(
                    "{how} entry point `{}`",
                    crate::report::escape::one_line(name(s))
                ),
            );
        }
    }

    fn fan_in(&mut self, calls: usize, service: usize, model: &Model) {
        let points = if calls >= HIGH_FAN_IN_FROM {
            HIGH_FAN_IN
        } else if calls >= FAN_IN_FROM {
            FAN_IN
        } else {
            return;
        };
        let name = crate::report::escape::one_line(super::service_name(model, service));
        self.add(
            points,
            format!("fan-in {calls}: {calls} sync calls into `{name}`"),
        );
    }

    fn finish(self, sync_call: bool) -> Impact {
        let level = if self.score >= HIGH_FROM {
            Level::High
        } else if self.score == 0 && sync_call {
            Level::Low
        } else {
            Level::Normal
        };
        let mut reasons = self.reasons;
        if level == Level::Low && reasons.is_empty() {
            reasons.push("side path: off every entry point's and SLO's synchronous path".into());
        }
        Impact {
            score: self.score,
            level,
            reasons: reasons.into(),
            lowered: false,
            consequence: 0,
            hygiene: false,
        }
    }
}

fn slo_text(model: &Model, service: usize) -> String {
    let slo = model
        .services
        .get_index(service)
        .and_then(|(_, s)| s.service.slo.as_ref());
    match slo {
        Some(s) if s.availability.is_some() => {
            format!("SLO {} %", s.availability.unwrap_or_default())
        }
        Some(s) => format!("SLO p99 {} ms", s.latency_p99_ms.unwrap_or_default()),
        None => "SLO".to_string(),
    }
}

/// Whether each interaction is an edge of the sync graph.
fn sync_interactions(model: &Model, graph: &SyncGraph) -> Vec<bool> {
    let mut sync = vec![false; model.interactions.len()];
    for e in &graph.edges {
        sync[e.interaction] = true;
    }
    sync
}

/// What reaches each service synchronously, the service itself included. Kahn's
/// algorithm over the graph's components (a cycle is one component, its members reach
/// one another), iterative and linear.
fn reach(model: &Model, graph: &SyncGraph) -> Vec<Reach> {
    let n = model.services.len();
    let mut reach: Vec<Reach> = (0..n).map(|s| own_reach(model, graph, s)).collect();
    let mut component = vec![usize::MAX; n];
    let mut members: Vec<Vec<usize>> = graph.cycles.clone();
    for (id, cycle) in graph.cycles.iter().enumerate() {
        for &s in cycle {
            component[s] = id;
        }
    }
    for (s, c) in component.iter_mut().enumerate() {
        if *c == usize::MAX {
            *c = members.len();
            members.push(vec![s]);
        }
    }
    let crossing = |e: &super::Edge| component[e.from] != component[e.to];
    let mut waiting = vec![0usize; members.len()];
    for e in graph.edges.iter().filter(|e| crossing(e)) {
        waiting[component[e.to]] += 1;
    }
    let mut ready: std::collections::VecDeque<usize> =
        (0..members.len()).filter(|&c| waiting[c] == 0).collect();
    while let Some(c) = ready.pop_front() {
        let mut shared = Reach::default();
        for &s in &members[c] {
            shared.merge(reach[s]);
        }
        for &s in &members[c] {
            reach[s] = shared;
            for e in graph.out[s].iter().map(|&e| &graph.edges[e]) {
                if crossing(e) {
                    reach[e.to].merge(shared);
                    waiting[component[e.to]] -= 1;
                    if waiting[component[e.to]] == 0 {
                        ready.push_back(component[e.to]);
                    }
                }
            }
        }
    }
    reach
}

fn own_reach(model: &Model, graph: &SyncGraph, s: usize) -> Reach {
    let Some((_, decl)) = model.services.get_index(s) else {
        return Reach::default();
    };
    let service = &decl.service;
    let slo = service.slo.as_ref().and_then(|slo| {
        let availability = slo.availability.map_or(0, |a| (a * 1000.0).round() as u64);
        (slo.availability.is_some() || slo.latency_p99_ms.is_some()).then_some((availability, s))
    });
    let entry = match service.kind {
        Some(ServiceKind::Client | ServiceKind::Gateway) => true,
        Some(ServiceKind::Worker | ServiceKind::External) => false,
        Some(ServiceKind::Service) | None => graph.in_degree[s] == 0 && !graph.out[s].is_empty(),
    };
    Reach {
        slo,
        entry: entry.then_some(s),
    }
}
