//! Rules: each has a stable code, a kebab-case name, a default severity and its
//! documentation beside it (What it checks / Why / Example / Fix). `commsplan explain
//! CODE` prints that same text, and `commsplan rules` lists the registry.

/// Declares unit structs that implement [`Rule`] with a `RuleInfo` static and a check
/// function each.
macro_rules! rules {
    ($($ty:ident => $info:ident, $check:ident;)*) => {$(
        pub struct $ty;
        impl $crate::rules::Rule for $ty {
            fn info(&self) -> &'static $crate::rules::RuleInfo {
                &$info
            }
            fn check(&self, cx: &$crate::rules::Context<'_>, out: &mut Vec<$crate::finding::Finding>) {
                $check(cx, out)
            }
        }
    )*};
}

pub mod asynchronous;
pub mod capacity;
pub mod checklist;
pub mod decision;
pub mod design;
pub mod graph;
pub mod model;
pub mod observability;
pub mod resilience;
pub mod sync;

use crate::finding::{Finding, Severity};
use crate::flowchart::Decision;
use crate::model::Model;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Model,
    Decision,
    Sync,
    Async,
    Resilience,
    Observability,
    Graph,
    Capacity,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Model => "model",
            Family::Decision => "decision",
            Family::Sync => "sync",
            Family::Async => "async",
            Family::Resilience => "resilience",
            Family::Observability => "observability",
            Family::Graph => "graph",
            Family::Capacity => "capacity",
        }
    }
}

/// A rule's identity and documentation.
#[derive(Debug, Serialize)]
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub family: Family,
    pub severity: Severity,
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// Markdown: What it checks / Why / Example / Fix.
    #[serde(skip)]
    pub doc: &'static str,
}

/// What a rule sees: the loaded model and the flowchart's decision per interaction
/// (same order as `model.interactions`).
pub struct Context<'a> {
    pub model: &'a Model,
    pub decisions: &'a [Decision],
    pub thresholds: &'a crate::config::Thresholds,
    graph: std::sync::OnceLock<crate::graph::SyncGraph>,
    designed: std::sync::OnceLock<Vec<(usize, crate::model::types::Pattern)>>,
}

impl<'a> Context<'a> {
    pub fn new(
        model: &'a Model,
        decisions: &'a [Decision],
        thresholds: &'a crate::config::Thresholds,
    ) -> Context<'a> {
        Context {
            model,
            decisions,
            thresholds,
            graph: std::sync::OnceLock::new(),
            designed: std::sync::OnceLock::new(),
        }
    }

    /// The interactions the checklists apply to, with the pattern that applies, found once
    /// for every rule: each rule then visits only these, not every interaction.
    pub fn designed(&self) -> &[(usize, crate::model::types::Pattern)] {
        self.designed.get_or_init(|| {
            self.model
                .interactions
                .iter()
                .zip(self.decisions)
                .enumerate()
                .filter(|(_, (decl, _))| decl.declares_uses)
                .filter_map(|(index, (decl, decision))| {
                    checklist::applied_pattern(decl, decision).map(|p| (index, p))
                })
                .collect()
        })
    }

    /// The sync call graph, built on first use and shared by the rules that walk it.
    pub fn graph(&self) -> &crate::graph::SyncGraph {
        self.graph
            .get_or_init(|| crate::graph::SyncGraph::build(self.model, self.decisions))
    }
}

pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

/// The rules that run after loading, in a fixed order.
pub fn checks() -> Vec<&'static dyn Rule> {
    let mut all: Vec<&'static dyn Rule> =
        vec![&decision::MissingAnswer, &decision::PatternMismatch];
    all.extend(checklist::ALL);
    all.extend(sync::ALL);
    all.extend(asynchronous::ALL);
    all.extend(resilience::ALL);
    all.extend(observability::ALL);
    all.extend(graph::ALL);
    all.extend(design::ALL);
    all.extend(capacity::ALL);
    all
}

/// Every code commsplan can report, loader codes included.
pub fn registry() -> Vec<&'static RuleInfo> {
    let mut all: Vec<&'static RuleInfo> = model::ALL.to_vec();
    all.extend(checks().iter().map(|r| r.info()));
    all.extend(crate::suppress::CODES);
    all.push(&crate::config::INVALID_CONFIG);
    all.sort_by_key(|r| r.code);
    all
}

pub fn find(code: &str) -> Option<&'static RuleInfo> {
    registry()
        .into_iter()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
}
