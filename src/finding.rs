//! The one Finding type. Rules and the loader produce it; every output format renders it.

use crate::codes::RuleInfo;
pub use crate::codes::Severity;
use serde::Serialize;
use std::borrow::Cow;

/// A place in a source file. Lines and columns are 1-based; columns count characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// Shared with the source file: a report can hold many locations in one file.
    pub file: std::sync::Arc<str>,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

/// `file:line:column`, as compilers print a place.
impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A secondary place that helps explain a finding (the first of two duplicates, the
/// callee of a chain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// Why a finding is not counted against the exit code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppressed {
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// Where the suppression is written; `None` for a baseline entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Most rules' help and labels are fixed text: borrowed, not copied per finding.
    pub help: Option<Cow<'static, str>>,
    pub interaction: Option<String>,
    pub service: Option<String>,
    pub location: Option<Location>,
    /// Short text under the snippet's caret (rustc's primary label).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Box<Suppressed>>,
    /// How much the finding's interaction or service matters (see `explain risk`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact: Option<Box<Impact>>,
    /// For a finding that stands for one cause shared by several interactions (a value
    /// written once in `defaults` or an anchor, one caller's client, one channel): each
    /// interaction it affects, as it would have been reported alone. Empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Affected>,
}

/// One interaction that a grouped finding affects, with what was found there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Affected {
    pub interaction: Option<String>,
    pub service: Option<String>,
    pub severity: Severity,
    pub message: String,
    /// Where the interaction takes the value, or its declaration when that is the
    /// group's own location.
    pub location: Option<Location>,
    /// Where the member alone would have been reported (the group's location for a
    /// shared value): what baselines and suppressions of one member are matched on.
    #[serde(skip)]
    pub reported_at: Option<Location>,
}

impl Finding {
    pub fn new(rule: &'static RuleInfo, message: impl Into<String>) -> Finding {
        Finding {
            code: rule.code,
            name: rule.name,
            severity: rule.severity,
            message: message.into(),
            help: None,
            interaction: None,
            service: None,
            location: None,
            label: None,
            related: Vec::new(),
            suppressed: None,
            impact: None,
            affected: Vec::new(),
        }
    }

    pub fn help(mut self, help: impl Into<Cow<'static, str>>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// A severity other than the rule's default, where the rule's own documentation says
    /// when (a lost message is worse than one redelivered). A severity set in
    /// commsplan.toml still wins: it is applied after the rules.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn label(mut self, label: impl Into<Cow<'static, str>>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn interaction(mut self, id: impl Into<String>) -> Self {
        self.interaction = Some(id.into());
        self
    }

    pub fn service(mut self, name: impl Into<String>) -> Self {
        self.service = Some(name.into());
        self
    }

    pub fn related(mut self, location: Location, message: impl Into<String>) -> Self {
        self.related.push(Related {
            location,
            message: message.into(),
        });
        self
    }

    /// The findings this one stands for: itself, or each affected interaction of a group
    /// as it would have been reported alone (what baselines are written from).
    pub fn members(&self) -> Vec<Finding> {
        if self.affected.is_empty() {
            return vec![self.clone()];
        }
        let base = Finding {
            affected: Vec::new(),
            related: Vec::new(),
            ..self.clone()
        };
        self.affected
            .iter()
            .map(|a| Finding {
                severity: a.severity,
                message: a.message.clone(),
                interaction: a.interaction.clone(),
                service: a.service.clone(),
                location: a.reported_at.clone(),
                ..base.clone()
            })
            .collect()
    }

    /// The impact score plus the points of the rule's consequence, 0 without an
    /// impact: the last key of the risk order.
    pub fn risk_score(&self) -> u32 {
        self.impact.as_ref().map_or(0, |i| i.score + i.consequence)
    }

    /// The risk order, highest first: severity; then whether a request can fail for the
    /// gap (a hygiene gap — metrics, pooling, caching — comes after every other finding of
    /// its severity, however busy its call); then [`Finding::risk_score`].
    pub fn risk_key(&self) -> (Severity, bool, u32) {
        let fails_requests = self.impact.as_ref().is_some_and(|i| !i.hygiene);
        (self.severity, fails_requests, self.risk_score())
    }

    /// Whether the finding says an input did not load: an error of the loader or of
    /// the config reader. Every command that stops or fails on a broken file asks this.
    pub fn did_not_load(&self) -> bool {
        self.severity == Severity::Error && crate::codes::is_input_code(self.code)
    }
}

/// How much a finding's subject matters, and why. Computed from the call graph by
/// `graph::impact`; declared here, with the finding that carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Impact {
    pub score: u32,
    pub level: Level,
    /// Shared by every finding on the same subject: one list per interaction or service,
    /// not a copy per finding.
    pub reasons: std::sync::Arc<[String]>,
    /// Whether the finding's severity was lowered one level for it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub lowered: bool,
    /// Points for what goes wrong when the rule's gap is hit (`codes::Harm`), added to
    /// `score` in the risk order. Not in the report: the order shows it.
    #[serde(skip)]
    pub consequence: u32,
    /// The rule's consequence is hygiene (`codes::Harm::Hygiene`): the risk order puts it
    /// after the findings of its severity whose gap can fail a request.
    #[serde(skip)]
    pub hygiene: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Low,
    Normal,
    High,
}

/// The most items a message names before it counts the rest: a message stays one line
/// however many interactions share the cause (the group's `affected` list names them all).
pub const NAMED_IN_MESSAGE: usize = 10;

/// "`a`, `b` and 3 more": the first [`NAMED_IN_MESSAGE`] of `names`, then how many are left.
pub fn named_list<I>(names: I) -> String
where
    I: IntoIterator<Item = String>,
    I::IntoIter: ExactSizeIterator,
{
    let names = names.into_iter();
    let total = names.len();
    named_of(names, total)
}

/// [`named_list`] for names that are not counted in advance: only the first
/// [`NAMED_IN_MESSAGE`] are drawn from `names`, `total` says how many there are.
pub fn named_of(names: impl Iterator<Item = String>, total: usize) -> String {
    let shown: Vec<String> = names.take(NAMED_IN_MESSAGE).collect();
    let mut text = shown.join(", ");
    if total > shown.len() {
        text.push_str(&format!(" and {} more", total - shown.len()));
    }
    text
}

/// "`a`, `b` and `c`" while there are at most [`NAMED_IN_MESSAGE`] names, then as
/// [`named_of`]: "`a`, `b`, … and 12 more".
pub fn and_list(names: impl Iterator<Item = String>, total: usize) -> String {
    if total > NAMED_IN_MESSAGE {
        return named_of(names, total);
    }
    let named: Vec<String> = names.take(NAMED_IN_MESSAGE).collect();
    match named.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => named.concat(),
    }
}
