//! The synchronous call graph: services as nodes, sync interactions (declared, or
//! recommended when nothing is declared) as edges. The G and R rules read it; it is
//! built once per run and indexed by service, so every walk is linear in its size.

pub mod impact;

use crate::flowchart::{applied_pattern, Decision};
use crate::model::types::Backoff;
use crate::model::{InteractionDecl, Model};
use crate::stacks::effective::{self, Attempts, Effective};
use crate::stacks::Limit;
use petgraph::graph::{DiGraph, NodeIndex};

/// One sync call: `from` waits for `to`.
#[derive(Debug, Clone)]
pub struct Edge {
    /// Index into `model.interactions`.
    pub interaction: usize,
    pub from: usize,
    pub to: usize,
    /// Attempts in total (1 without retries): the effective count, written or a
    /// declared stack's default retries.
    pub attempts: u32,
    /// Where `attempts` comes from; `None` when nothing says the call is retried.
    pub attempts_from: Option<Attempts>,
    /// The attempts the caller waits out one after another: its own (written, or its
    /// client's default). A mesh's retries are not among them: they run inside each of
    /// those attempts, within the caller's own timeout and within the mesh route's
    /// timeout, which spans the route's retries (Envoy's router filter documentation,
    /// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter:
    /// "The route timeout … includes all retries"). They multiply the requests the callee
    /// receives (`attempts`), not the caller's wait.
    pub waits: u32,
    /// The effective timeout when it is bounded: written, or a declared stack's default.
    /// `None` when there is none (a stack without a timeout) or nothing says.
    pub timeout_ms: Option<u64>,
    /// The effective timeout with its origin, as `stacks::effective` gives it: every
    /// graph rule reads the timeout from here, so that they agree on it.
    pub timeout: Effective<Limit>,
    /// Whether the edge lies on a cycle (inside a strongly connected component).
    pub cyclic: bool,
}

impl Edge {
    /// How long the caller can wait on this call at worst: every attempt times out,
    /// and the backoff delays between attempts are waited in full.
    pub fn worst_case_ms(&self, decl: &InteractionDecl) -> Option<u64> {
        let timeout = self.timeout_ms?;
        Some(
            timeout
                .saturating_mul(u64::from(self.waits))
                .saturating_add(backoff_total_ms(decl, self.waits)),
        )
    }
}

/// Sum of the delays between `attempts` attempts.
pub fn backoff_total_ms(decl: &InteractionDecl, attempts: u32) -> u64 {
    let Some(retry) = &decl.uses().retry else {
        return 0;
    };
    let base = retry.base_ms.unwrap_or(0);
    let cap = retry.max_ms.unwrap_or(u64::MAX);
    let delays = u64::from(attempts.max(1) - 1);
    let delay = |i: u64| match retry.backoff {
        Some(Backoff::Exponential) => base
            .saturating_mul(1u64.checked_shl((i - 1) as u32).unwrap_or(u64::MAX))
            .min(cap),
        Some(Backoff::None) => 0,
        // Fixed, or unspecified: the base delay, the least any policy waits.
        Some(Backoff::Fixed) | None => base.min(cap),
    };
    // After 64 doublings every delay is at the cap (or saturated): add the rest at once,
    // so that an absurd `max_attempts` costs no time.
    let head = delays.min(64);
    let mut total = (1..=head).map(delay).fold(0u64, u64::saturating_add);
    if delays > head {
        total = total.saturating_add(delay(64).saturating_mul(delays - head));
    }
    total
}

pub struct SyncGraph {
    pub graph: DiGraph<usize, usize>,
    pub edges: Vec<Edge>,
    /// Per service (index in `model.services`): its outgoing sync edges, in file order.
    pub out: Vec<Vec<usize>>,
    /// Per service: how many sync edges come in.
    pub in_degree: Vec<usize>,
    /// Strongly connected components with a cycle, each sorted by service index.
    pub cycles: Vec<Vec<usize>>,
    /// Services in an order where every non-cyclic edge goes forward.
    topo: Vec<usize>,
}

/// The best value a walk reached from a service, and the edge it continued on.
#[derive(Debug, Clone, Copy)]
pub struct Best {
    pub value: f64,
    pub next: Option<usize>,
}

impl SyncGraph {
    pub fn build(model: &Model, decisions: &[Decision]) -> SyncGraph {
        let n = model.services.len();
        let mut graph = DiGraph::with_capacity(n, model.interactions.len());
        let nodes: Vec<NodeIndex> = (0..n).map(|i| graph.add_node(i)).collect();
        let mut edges = Vec::new();
        let mut out = vec![Vec::new(); n];
        let mut in_degree = vec![0; n];
        for (index, (decl, decision)) in model.interactions.iter().zip(decisions).enumerate() {
            // A job's call is on no request's path: it neither continues a chain of calls
            // into its caller nor closes a cycle of them.
            if !applied_pattern(decl, decision).is_some_and(|p| p.has_sync_part())
                || decl.interaction.in_a_job()
            {
                continue;
            }
            let i = &decl.interaction;
            let (Some(from), Some(to)) = (
                model.services.get_index_of(&i.from),
                model.services.get_index_of(&i.to),
            ) else {
                continue;
            };
            let stacks = effective::stacks(model, decl);
            let attempts_from = effective::attempts(model, decl, &stacks);
            let timeout = effective::timeout(model, decl, &stacks);
            graph.add_edge(nodes[from], nodes[to], edges.len());
            out[from].push(edges.len());
            in_degree[to] += 1;
            edges.push(Edge {
                interaction: index,
                from,
                to,
                attempts: attempts_from.as_ref().map_or(1, |a| a.count),
                waits: attempts_from.as_ref().map_or(1, Attempts::waited),
                attempts_from,
                timeout_ms: match timeout {
                    Some((Limit::Ms(ms, _), _)) => Some(ms),
                    _ => None,
                },
                timeout,
                cyclic: false,
            });
        }
        let mut component = vec![usize::MAX; n];
        let mut cycles = Vec::new();
        // Kosaraju, not Tarjan: petgraph's Tarjan recurses once per hop and overflows the
        // stack of a rule's worker thread on a chain of some 20,000 calls; Kosaraju keeps
        // its own stack. The order it yields components in does not matter: members and
        // cycles are sorted below.
        for scc in petgraph::algo::kosaraju_scc(&graph) {
            let members: Vec<usize> = scc.iter().map(|ix| graph[*ix]).collect();
            let has_cycle =
                members.len() > 1 || out[members[0]].iter().any(|&e| edges[e].to == members[0]);
            if has_cycle {
                let id = cycles.len();
                for &m in &members {
                    component[m] = id;
                }
                let mut sorted = members;
                sorted.sort_unstable();
                cycles.push(sorted);
            }
        }
        for e in &mut edges {
            e.cyclic = component[e.from] != usize::MAX && component[e.from] == component[e.to];
        }
        cycles.sort();
        let topo = topological(n, &edges, &out);
        SyncGraph {
            graph,
            edges,
            out,
            in_degree,
            cycles,
            topo,
        }
    }

    /// Services where chains start: nothing calls them synchronously and they call
    /// something. Chains through a cycle are cut at the cycle (G001 reports it).
    pub fn roots(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.out.len()).filter(|&s| self.in_degree[s] == 0 && !self.out[s].is_empty())
    }

    /// For every service, the best value over the acyclic chains that start there:
    /// `step(edge, value_at_callee)` extends a chain by one edge, `better(a, b)` says
    /// whether `a` beats `b`, `base` is the value of a chain of no edges.
    pub fn best<F, B>(&self, base: f64, step: F, better: B) -> Vec<Best>
    where
        F: Fn(&Edge, f64) -> f64,
        B: Fn(f64, f64) -> bool,
    {
        let mut best = vec![
            Best {
                value: base,
                next: None
            };
            self.out.len()
        ];
        for &s in self.topo.iter().rev() {
            for &e in &self.out[s] {
                let edge = &self.edges[e];
                if edge.cyclic {
                    continue;
                }
                let v = step(edge, best[edge.to].value);
                if best[s].next.is_none() || better(v, best[s].value) {
                    best[s] = Best {
                        value: v,
                        next: Some(e),
                    };
                }
            }
        }
        best
    }

    /// For every service, a service that `has` what is asked, found at it or behind it
    /// along its synchronous calls: itself first, else along its calls in file order. A
    /// cycle's members share what any of them finds (two passes over the acyclic order,
    /// with the cycles joined in between, which is enough unless cycles are chained).
    pub fn found_behind(&self, has: impl Fn(usize) -> bool) -> Vec<Option<usize>> {
        let mut found: Vec<Option<usize>> =
            (0..self.out.len()).map(|s| has(s).then_some(s)).collect();
        for pass in 0..2 {
            if pass == 1 {
                for cycle in &self.cycles {
                    let shared = cycle.iter().find_map(|&s| found[s]);
                    for &s in cycle {
                        found[s] = found[s].or(shared);
                    }
                }
            }
            for &s in self.topo.iter().rev() {
                if found[s].is_some() {
                    continue;
                }
                found[s] = self.out[s]
                    .iter()
                    .map(|&e| &self.edges[e])
                    .filter(|e| !e.cyclic)
                    .find_map(|e| found[e.to]);
            }
        }
        found
    }

    /// The edges of the best chain from `start`, following `best`.
    pub fn chain(&self, best: &[Best], start: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut at = start;
        while let Some(e) = best[at].next {
            chain.push(e);
            at = self.edges[e].to;
            if chain.len() > self.edges.len() {
                break;
            }
        }
        chain
    }

    /// A cycle through the component, as edges, starting at its first service.
    pub fn cycle_edges(&self, members: &[usize]) -> Vec<usize> {
        let start = members[0];
        let inside = |s: usize| members.binary_search(&s).is_ok();
        // Breadth-first from `start` inside the component until an edge returns to it.
        let mut came_by: Vec<Option<usize>> = vec![None; self.out.len()];
        let mut queue = std::collections::VecDeque::from([start]);
        let mut seen = vec![false; self.out.len()];
        seen[start] = true;
        while let Some(s) = queue.pop_front() {
            for &e in &self.out[s] {
                let to = self.edges[e].to;
                if !inside(to) {
                    continue;
                }
                if to == start {
                    let mut path = vec![e];
                    let mut at = s;
                    while at != start {
                        let back = came_by[at].expect("visited nodes have a parent edge");
                        path.push(back);
                        at = self.edges[back].from;
                    }
                    path.reverse();
                    return path;
                }
                if !seen[to] {
                    seen[to] = true;
                    came_by[to] = Some(e);
                    queue.push_back(to);
                }
            }
        }
        Vec::new()
    }

    /// `a → b → c` for a chain of edges.
    pub fn describe(&self, model: &Model, chain: &[usize]) -> String {
        let mut names = Vec::with_capacity(chain.len() + 1);
        if let Some(&first) = chain.first() {
            names.push(service_name(model, self.edges[first].from));
        }
        for &e in chain {
            names.push(service_name(model, self.edges[e].to));
        }
        names.join(" → ")
    }
}

/// What the sync chains from one entry service promise: the figures the G rules judge
/// (G005, G006, G004, G003), each with the chain of edges that gives it. For comparing
/// two versions of a system; the rules report only what crosses a threshold.
#[derive(Debug, Clone)]
pub struct EntryFigures {
    pub service: usize,
    /// Composite availability of the weakest chain, as a fraction.
    pub availability: (f64, Vec<usize>),
    /// Summed p99 of the slowest chain, in ms.
    pub latency_ms: (f64, Vec<usize>),
    /// Product of the attempts along the most retried chain.
    pub amplification: (f64, Vec<usize>),
    /// The smallest margin, in ms, of a caller's timeout over its callee's worst wait
    /// downstream (negative: the caller gives up first; minus infinity: the callee has a
    /// call without a timeout); infinite when no timed call has a callee that calls on.
    pub timeout_margin_ms: (f64, Vec<usize>),
}

impl SyncGraph {
    /// Entry services as the SLO rules take them: clients, gateways and services that
    /// nothing calls synchronously, when they call something.
    pub fn entries(&self, model: &Model) -> Vec<usize> {
        use crate::model::types::ServiceKind::{Client, Gateway};
        (0..self.out.len())
            .filter(|&s| !self.out[s].is_empty())
            .filter(|&s| {
                matches!(model.services[s].service.kind, Some(Client | Gateway))
                    || self.in_degree[s] == 0
            })
            .collect()
    }

    pub fn entry_figures(&self, model: &Model) -> Vec<EntryFigures> {
        let slo = |s: usize| model.services[s].service.slo.as_ref();
        let available = |s: usize| {
            slo(s)
                .and_then(|o| o.availability)
                .map_or(1.0, |a| a / 100.0)
        };
        let latency = |s: usize| slo(s).and_then(|o| o.latency_p99_ms).unwrap_or(0.0);
        // As G003 computes it, except that a call without a timeout may wait forever.
        let worst_wait: Vec<Option<f64>> = (self.out.iter())
            .map(|edges| {
                (edges.iter())
                    .map(|&e| {
                        let edge = &self.edges[e];
                        (edge.worst_case_ms(&model.interactions[edge.interaction]))
                            .map_or(f64::INFINITY, |w| w as f64)
                    })
                    .reduce(f64::max)
            })
            .collect();
        let margin = |e: &Edge| match (e.timeout_ms, worst_wait[e.to]) {
            (Some(t), Some(w)) => t as f64 - w,
            _ => f64::INFINITY,
        };
        let walks = [
            self.best(1.0, |e, v| available(e.to) * v, |a, b| a < b),
            self.best(0.0, |e, v| latency(e.to) + v, |a, b| a > b),
            self.best(1.0, |e, v| f64::from(e.attempts) * v, |a, b| a > b),
            self.best(f64::INFINITY, |e, v| margin(e).min(v), |a, b| a < b),
        ];
        let figure = |walk: &[Best], s: usize| (walk[s].value, self.chain(walk, s));
        (self.entries(model).into_iter())
            .map(|s| EntryFigures {
                service: s,
                availability: figure(&walks[0], s),
                latency_ms: figure(&walks[1], s),
                amplification: figure(&walks[2], s),
                timeout_margin_ms: figure(&walks[3], s),
            })
            .collect()
    }
}

pub fn service_name(model: &Model, index: usize) -> &str {
    model
        .services
        .get_index(index)
        .map(|(k, _)| k.as_str())
        .unwrap_or("?")
}

/// Kahn's algorithm over the non-cyclic edges; ties in service order, so the result
/// is deterministic.
fn topological(n: usize, edges: &[Edge], out: &[Vec<usize>]) -> Vec<usize> {
    let mut indegree = vec![0usize; n];
    for e in edges.iter().filter(|e| !e.cyclic) {
        indegree[e.to] += 1;
    }
    let mut ready: std::collections::VecDeque<usize> =
        (0..n).filter(|&s| indegree[s] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(s) = ready.pop_front() {
        order.push(s);
        for &e in &out[s] {
            let edge = &edges[e];
            if edge.cyclic {
                continue;
            }
            indegree[edge.to] -= 1;
            if indegree[edge.to] == 0 {
                ready.push_back(edge.to);
            }
        }
    }
    order
}
