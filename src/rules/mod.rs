//! Rules: each has a stable code, a kebab-case name, a default severity and its
//! documentation beside it (What it checks / Why / Example / Fix). `commsplan explain
//! CODE` prints that same text, and `commsplan rules` lists the registry.
//!
//! A rule is declared once, in its family's file, inside that file's `rules!` block:
//! the declaration makes both its code's [`RuleInfo`] and its entry in the family's
//! `RULES`, so a declared rule always runs and is always listed.

/// Declares a family's rules. For each entry, a `RuleInfo` static named after it and an
/// entry in the family's `RULES`, in declaration order. `harm:` declares the rule's
/// consequence where it differs from its family's default ([`crate::codes::Harm`]). `@uses CODE => check;` runs a
/// check whose code is declared in [`crate::codes`] (the `M` codes all live there).
macro_rules! rules {
    (
        $(@uses $known:path => $known_check:path;)*
        $($info:ident {
            code: $code:literal,
            name: $name:literal,
            severity: $severity:ident,
            $(harm: $harm:ident,)?
            check: $check:path,
            summary: $summary:expr,
            doc: $doc:expr,
        })*
    ) => {
        $(pub static $info: $crate::codes::RuleInfo = $crate::codes::RuleInfo::new(
            $code,
            $name,
            $crate::codes::Kind::Check,
            $crate::codes::Severity::$severity,
            $summary,
            $doc,
        )$(.with_harm($crate::codes::Harm::$harm))?;)*

        pub(super) static RULES: &[$crate::rules::Rule] = &[
            $($crate::rules::Rule::new(&$known, $known_check),)*
            $($crate::rules::Rule::new(&$info, $check),)*
        ];
    };
}

/// Declares the family modules and [`checks`], which runs every family's `RULES` in
/// the order given here.
macro_rules! families {
    ($($family:ident),* $(,)?) => {
        $(pub mod $family;)*

        /// The rules that run after loading, in a fixed order: family by family, each
        /// family in declaration order.
        pub fn checks() -> Vec<&'static Rule> {
            [$($family::RULES),*].into_iter().flatten().collect()
        }
    };
}

families!(
    decision,
    checklist,
    sync,
    asynchronous,
    resilience,
    observability,
    graph,
    design,
    operation,
    capacity,
);

mod budget;
mod thresholds;

/// `(specific, general)`: where the specific rule reports an interaction (suppressed or not),
/// the general rule's finding on that interaction says nothing more, and is left out so
/// that one cause gives one finding. G007 is S001 with its consequence (a caller above
/// gives up while the call goes on) and the bound its fix must fit. Ignoring the specific
/// rule brings the general one back.
pub const SUPERSEDES: &[(&str, &str)] = &[("G007", "S001")];

pub use crate::codes::{Family, RuleInfo};
pub use thresholds::Thresholds;

use crate::finding::Finding;
use crate::flowchart::{applied_pattern, Decision};
use crate::model::fields::Field;
use crate::model::{InteractionDecl, Model};
use std::collections::{HashMap, HashSet};

/// What a rule sees: the loaded model and the flowchart's decision per interaction
/// (same order as `model.interactions`).
pub struct Context<'a> {
    pub model: &'a Model,
    pub decisions: &'a [Decision],
    pub thresholds: &'a Thresholds,
    graph: std::sync::OnceLock<crate::graph::SyncGraph>,
    designed: std::sync::OnceLock<Vec<(usize, crate::model::types::Pattern)>>,
    waits: std::sync::OnceLock<Vec<Option<budget::Wait>>>,
    sole_callers: std::sync::OnceLock<HashMap<&'a str, Option<&'a str>>>,
    cache_keepers: std::sync::OnceLock<HashSet<&'a str>>,
}

/// Protocols a service speaks to a store of its own (a database or cache), not to a service.
const STORE_PROTOCOLS: &[&str] = &[
    "memcached",
    "redis",
    "mongodb",
    "postgres",
    "postgresql",
    "mysql",
    "jdbc",
    "sql",
    "cassandra",
];

/// Store protocols whose store is itself a cache: a call to it is the caching the
/// flowchart's node M asks for.
const CACHE_PROTOCOLS: &[&str] = &["memcached", "redis"];

/// Protocols that hold a connection open for messages the callee pushes (a WebSocket,
/// server-sent events): no read is answered on them, so there is nothing to cache.
const PUSH_PROTOCOLS: &[&str] = &["websocket", "sse", "server-sent-events"];

fn protocol_in(decl: &InteractionDecl, list: &[&str]) -> bool {
    decl.uses()
        .protocol
        .as_deref()
        .is_some_and(|p| list.iter().any(|known| p.eq_ignore_ascii_case(known)))
}

impl<'a> Context<'a> {
    pub fn new(
        model: &'a Model,
        decisions: &'a [Decision],
        thresholds: &'a Thresholds,
    ) -> Context<'a> {
        Context {
            model,
            decisions,
            thresholds,
            graph: std::sync::OnceLock::new(),
            designed: std::sync::OnceLock::new(),
            waits: std::sync::OnceLock::new(),
            sole_callers: std::sync::OnceLock::new(),
            cache_keepers: std::sync::OnceLock::new(),
        }
    }

    /// Whether `decl` reaches its caller's own store: a datastore protocol, and no other
    /// service talks to that callee. Such a call is the service's inside, not a dependency
    /// between services: bulkheads and breakers are not asked for it.
    pub fn own_store(&self, decl: &InteractionDecl) -> bool {
        let i = &decl.interaction;
        protocol_in(decl, STORE_PROTOCOLS)
            && self.sole_callers().get(i.to.as_str()) == Some(&Some(i.from.as_str()))
    }

    /// Whether `decl` is a channel the callee pushes on (WebSocket, server-sent events).
    pub fn push_channel(&self, decl: &InteractionDecl) -> bool {
        protocol_in(decl, PUSH_PROTOCOLS)
    }

    /// Whether `decl` is a call to a cache store (memcached, Redis).
    pub fn to_cache_store(&self, decl: &InteractionDecl) -> bool {
        protocol_in(decl, CACHE_PROTOCOLS)
    }

    /// Whether `service` keeps a cache store of its own (a memcached or Redis only it
    /// talks to): it answers reads from that cache before its database.
    pub fn keeps_cache_store(&self, service: &str) -> bool {
        self.cache_keepers
            .get_or_init(|| {
                self.model
                    .interactions
                    .iter()
                    .filter(|d| self.to_cache_store(d) && self.own_store(d))
                    .map(|d| d.interaction.from.as_str())
                    .collect()
            })
            .contains(service)
    }

    /// Per callee, its one caller, or `None` where several services call it; found once,
    /// since every rule asking would otherwise scan all interactions per interaction.
    fn sole_callers(&self) -> &HashMap<&'a str, Option<&'a str>> {
        self.sole_callers.get_or_init(|| {
            let mut callers: HashMap<&'a str, Option<&'a str>> = HashMap::new();
            for decl in &self.model.interactions {
                let i = &decl.interaction;
                callers
                    .entry(i.to.as_str())
                    .and_modify(|only| {
                        if *only != Some(i.from.as_str()) {
                            *only = None;
                        }
                    })
                    .or_insert(Some(i.from.as_str()));
            }
            callers
        })
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
                    applied_pattern(decl, decision).map(|p| (index, p))
                })
                .collect()
        })
    }

    /// Per service, how long its callers wait on it (the shortest effective timeout of
    /// the sync calls into it), found once for every rule that suggests a value.
    pub(crate) fn waits(&self) -> &[Option<budget::Wait>] {
        self.waits.get_or_init(|| budget::waits(self))
    }

    /// The sync call graph, built on first use and shared by the rules that walk it.
    pub fn graph(&self) -> &crate::graph::SyncGraph {
        self.graph
            .get_or_init(|| crate::graph::SyncGraph::build(self.model, self.decisions))
    }

    /// A finding of `rule` about the interaction `decl`, pointing at `field` of it. The
    /// message names the interaction's id: a message that does not is prefixed with it,
    /// since two interactions between the same services differ only by id.
    pub fn finding(
        &self,
        rule: &'static RuleInfo,
        decl: &InteractionDecl,
        field: Field,
        message: impl Into<String>,
    ) -> Finding {
        let message = named(decl.id(), message.into());
        Finding::new(rule, message)
            .at(self.model.at(&decl.origin, field))
            .interaction(decl.id())
    }
}

/// `message`, prefixed with "`id`: " unless it already names `id` in backticks.
pub fn named(id: &str, message: String) -> String {
    if message.contains(&format!("`{id}`")) {
        message
    } else {
        format!("`{id}`: {message}")
    }
}

/// One check: the code it reports and the function that finds it.
pub struct Rule {
    info: &'static RuleInfo,
    check: fn(&Context<'_>, &mut Vec<Finding>),
}

impl Rule {
    const fn new(info: &'static RuleInfo, check: fn(&Context<'_>, &mut Vec<Finding>)) -> Rule {
        Rule { info, check }
    }

    pub fn info(&self) -> &'static RuleInfo {
        self.info
    }

    pub fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        (self.check)(cx, out)
    }
}

/// Every code commsplan can report, the `M` and `I` codes included, in code order.
pub fn registry() -> Vec<&'static RuleInfo> {
    let mut all: Vec<&'static RuleInfo> = crate::codes::MODEL.to_vec();
    all.extend(crate::codes::DRIFT);
    all.extend(checks().iter().map(|r| r.info()));
    all.sort_by_key(|r| r.code);
    // A check of an `M` code (M011) is in both lists.
    all.dedup_by(|a, b| std::ptr::eq(*a, *b));
    all
}

/// The registered code closest to a misspelt `word`, for "did you mean" hints.
pub fn closest_code(word: &str) -> Option<&'static str> {
    crate::model::schema::did_you_mean(word, registry().iter().map(|r| r.code))
}

pub fn find(code: &str) -> Option<&'static RuleInfo> {
    registry()
        .into_iter()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
}
