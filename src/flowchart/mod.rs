//! The seed's decision flowchart as data. The engine walks this graph, the diagram
//! renders it and `explain` prints it: there is no second copy of the decision logic.

use crate::model::types::{Consistency, Needs, Pattern};
use crate::model::InteractionDecl;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use std::sync::OnceLock;

/// One of the four questions the flowchart asks about an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    Realtime,
    Consistency,
    CanWait,
    Ordering,
}

impl Question {
    /// The key under `needs:` that answers this question.
    pub fn field(self) -> &'static str {
        match self {
            Question::Realtime => "realtime",
            Question::Consistency => "consistency",
            Question::CanWait => "can_wait",
            Question::Ordering => "ordering",
        }
    }

    /// The question as a sentence fragment, for messages.
    pub fn asks(self) -> &'static str {
        match self {
            Question::Realtime => "whether a real-time response is needed",
            Question::Consistency => "whether data consistency is critical",
            Question::CanWait => "whether the user can wait",
            Question::Ordering => "whether ordering must be guaranteed",
        }
    }

    /// What to write to answer it, for help texts.
    pub fn how_to_answer(self) -> &'static str {
        match self {
            Question::Realtime => "realtime: true | false",
            Question::Consistency => "consistency: strong | eventual",
            Question::CanWait => "can_wait: true | false",
            Question::Ordering => "ordering: true | false",
        }
    }

    /// The flowchart answer (`yes` edge or `no` edge) given by `needs`, if answered.
    pub fn answer(self, needs: &Needs) -> Option<bool> {
        match self {
            Question::Realtime => needs.realtime,
            Question::Consistency => needs.consistency.map(|c| c == Consistency::Strong),
            Question::CanWait => needs.can_wait,
            Question::Ordering => needs.ordering,
        }
    }

    /// How an answer reads in a reason: `realtime is true`, `consistency is eventual`.
    pub fn describe(self, answer: bool) -> String {
        match self {
            Question::Consistency => {
                format!(
                    "consistency is {}",
                    if answer { "strong" } else { "eventual" }
                )
            }
            q => format!("{} is {}", q.field(), answer),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Start,
    Ask(Question),
    /// A node that leads on without a question (H).
    Consider,
    /// The node that chooses a pattern (D, F, G, J, K).
    Choose(Pattern),
    /// The practice that goes with the chosen pattern (L … P); the walk ends here.
    Practice(Pattern),
}

#[derive(Debug, Clone)]
pub struct FlowNode {
    pub id: &'static str,
    pub label: &'static str,
    pub step: Step,
}

/// An edge; `answer` is `Some` on the yes/no edges leaving a question.
#[derive(Debug, Clone, Copy)]
pub struct FlowEdge {
    pub answer: Option<bool>,
}

pub struct Flowchart {
    pub graph: DiGraph<FlowNode, FlowEdge>,
    pub start: NodeIndex,
}

impl Flowchart {
    pub fn node(&self, id: &str) -> Option<NodeIndex> {
        self.graph.node_indices().find(|&i| self.graph[i].id == id)
    }

    /// Walks the chart with the interaction's answers.
    pub fn decide(&self, needs: &Needs) -> Decision {
        let mut decision = Decision::default();
        let mut at = self.start;
        // The chart is acyclic; the bound only guards against a broken graph.
        for _ in 0..=self.graph.node_count() {
            let node = &self.graph[at];
            decision.path.push(node.id);
            let mut wanted = None;
            match node.step {
                Step::Ask(q) => match q.answer(needs) {
                    Some(a) => {
                        decision
                            .reasons
                            .push(format!("{}: {}", node.id, q.describe(a)));
                        decision.answers.push((node.id, q, a));
                        wanted = Some(a);
                    }
                    None => {
                        decision.missing = Some((node.id, q));
                        return decision;
                    }
                },
                Step::Choose(p) => decision.recommended = Some(p),
                _ => {}
            }
            let next = self
                .graph
                .edges_directed(at, Direction::Outgoing)
                .find(|e| e.weight().answer == wanted)
                .map(|e| e.target());
            match next {
                Some(n) => at = n,
                None => break,
            }
        }
        decision
    }
}

/// The result of walking the chart for one interaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    pub recommended: Option<Pattern>,
    /// Node ids visited, from `A`.
    pub path: Vec<&'static str>,
    /// One line per question answered: `B: realtime is true`.
    pub reasons: Vec<String>,
    pub answers: Vec<(&'static str, Question, bool)>,
    /// The question the walk stopped at because `needs` does not answer it.
    pub missing: Option<(&'static str, Question)>,
}

/// The pattern whose checklist applies to an interaction: the declared `uses.pattern`,
/// since that is what is built; without one, the flowchart's recommendation.
pub fn applied_pattern(decl: &InteractionDecl, decision: &Decision) -> Option<Pattern> {
    decl.uses().pattern.or(decision.recommended)
}

pub fn flowchart() -> &'static Flowchart {
    static CHART: OnceLock<Flowchart> = OnceLock::new();
    CHART.get_or_init(build)
}

fn build() -> Flowchart {
    use Pattern::*;
    use Question::*;
    let nodes: [(&str, &str, Step); 16] = [
        ("A", "communication needed", Step::Start),
        ("B", "real-time response needed?", Step::Ask(Realtime)),
        ("C", "is data consistency critical?", Step::Ask(Consistency)),
        ("E", "can the user wait?", Step::Ask(CanWait)),
        ("H", "consider async communication", Step::Consider),
        ("I", "must ordering be guaranteed?", Step::Ask(Ordering)),
        ("D", "sync REST/gRPC", Step::Choose(Sync)),
        ("F", "sync + optimisation", Step::Choose(SyncOptimized)),
        ("G", "command-query separation", Step::Choose(Cqrs)),
        ("J", "message queue", Step::Choose(Queue)),
        ("K", "event streaming", Step::Choose(Stream)),
        ("L", "circuit breaker + retry", Step::Practice(Sync)),
        ("M", "caching + batching", Step::Practice(SyncOptimized)),
        ("N", "sync answer + async processing", Step::Practice(Cqrs)),
        ("O", "RabbitMQ / SQS", Step::Practice(Queue)),
        ("P", "Kafka / EventBridge", Step::Practice(Stream)),
    ];
    let edges: [(&str, &str, Option<bool>); 15] = [
        ("A", "B", None),
        ("B", "C", Some(true)),
        ("B", "H", Some(false)),
        ("C", "D", Some(true)),
        ("C", "E", Some(false)),
        ("E", "F", Some(true)),
        ("E", "G", Some(false)),
        ("H", "I", None),
        ("I", "J", Some(true)),
        ("I", "K", Some(false)),
        ("D", "L", None),
        ("F", "M", None),
        ("G", "N", None),
        ("J", "O", None),
        ("K", "P", None),
    ];
    let mut graph = DiGraph::new();
    let index: Vec<(&str, NodeIndex)> = nodes
        .iter()
        .map(|&(id, label, step)| (id, graph.add_node(FlowNode { id, label, step })))
        .collect();
    let at = |id: &str| {
        index
            .iter()
            .find(|(n, _)| *n == id)
            .map(|(_, i)| *i)
            .expect("node")
    };
    for (from, to, answer) in edges {
        graph.add_edge(at(from), at(to), FlowEdge { answer });
    }
    Flowchart {
        start: at("A"),
        graph,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All 16 combinations of the four answers against FORMAT.md §1.
    #[test]
    fn every_answer_combination_matches_the_contract() {
        let chart = flowchart();
        for bits in 0..16u8 {
            let realtime = bits & 1 != 0;
            let strong = bits & 2 != 0;
            let can_wait = bits & 4 != 0;
            let ordering = bits & 8 != 0;
            let needs = Needs {
                realtime: Some(realtime),
                consistency: Some(if strong {
                    Consistency::Strong
                } else {
                    Consistency::Eventual
                }),
                can_wait: Some(can_wait),
                ordering: Some(ordering),
            };
            let (pattern, path): (Pattern, &[&str]) = match (realtime, strong, can_wait, ordering) {
                (true, true, _, _) => (Pattern::Sync, &["A", "B", "C", "D", "L"]),
                (true, false, true, _) => (Pattern::SyncOptimized, &["A", "B", "C", "E", "F", "M"]),
                (true, false, false, _) => (Pattern::Cqrs, &["A", "B", "C", "E", "G", "N"]),
                (false, _, _, true) => (Pattern::Queue, &["A", "B", "H", "I", "J", "O"]),
                (false, _, _, false) => (Pattern::Stream, &["A", "B", "H", "I", "K", "P"]),
            };
            let d = chart.decide(&needs);
            assert_eq!(d.recommended, Some(pattern), "bits {bits:04b}");
            assert_eq!(d.path, path, "bits {bits:04b}");
            assert!(d.missing.is_none());
        }
    }

    #[test]
    fn unreached_questions_are_not_needed() {
        let d = flowchart().decide(&Needs {
            realtime: Some(false),
            ordering: Some(true),
            ..Needs::default()
        });
        assert_eq!(d.recommended, Some(Pattern::Queue));
        assert_eq!(d.reasons, ["B: realtime is false", "I: ordering is true"]);
    }

    #[test]
    fn walk_stops_at_first_unanswered_question() {
        let d = flowchart().decide(&Needs {
            realtime: Some(true),
            ..Needs::default()
        });
        assert_eq!(d.recommended, None);
        assert_eq!(d.missing, Some(("C", Question::Consistency)));
        assert_eq!(d.path, ["A", "B", "C"]);
    }

    #[test]
    fn graph_has_the_seed_node_ids() {
        let ids: Vec<_> = flowchart().graph.node_weights().map(|n| n.id).collect();
        for id in "ABCDEFGHIJKLMNOP".chars() {
            assert!(ids.contains(&id.to_string().as_str()), "{id}");
        }
    }
}
