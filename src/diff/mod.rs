//! `commsplan diff`: what a change to an architecture does, for a review. Two analyses
//! (old and new) are compared by identity, never by position: services by name,
//! interactions by id, findings as baselines match them (code, interaction or service,
//! content fingerprint), entry points by service name. Reordering or reformatting a
//! file therefore changes nothing.

mod chains;
mod fields;
pub mod git;
pub mod markdown;
pub mod text;

use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};
use crate::flowchart::{flowchart, Question, Step};
use crate::model::types::Needs;
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;

pub use chains::{EntryChange, FigureChange};
pub use fields::FieldChange;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  commsplan diff old.yaml new.yaml\n  commsplan diff --base origin/main architecture/system.yaml\n  commsplan diff --base HEAD~1 a.yaml b.yaml -f markdown -o review.md\n  commsplan diff --old a.yaml --old b.yaml --new a2.yaml --new b2.yaml\n\nExit codes: 0 nothing new at or above --fail-on, 1 new findings at or above it (or either side does not load), 2 commsplan could not run."
)]
pub struct DiffArgs {
    /// Without --base: OLD then NEW. With --base: the files (several form one system),
    /// compared with themselves as they are in the git revision.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Compare FILE… in the working tree with the same files in this git revision
    /// (a branch, tag, commit, `HEAD~1`, `origin/main`).
    #[arg(long, value_name = "REF", conflicts_with_all = ["old", "new"])]
    pub base: Option<String>,
    /// A file of the old system (repeat for a system made of several files).
    #[arg(long, value_name = "FILE", requires = "new")]
    pub old: Vec<PathBuf>,
    /// A file of the new system (repeat for a system made of several files).
    #[arg(long, value_name = "FILE", requires = "old")]
    pub new: Vec<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = DiffFormat::Table, value_name = "FORMAT")]
    pub format: DiffFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a new finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOnNew::NewError, value_name = "LEVEL")]
    pub fail_on: FailOnNew,
    /// File paths in the github and markdown formats are relative to this folder
    /// [default: the current folder].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Settings file for both sides; default: commsplan.toml found upward from each
    /// side's first file (for --base, as it is in the revision).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// The changes as text, new findings as rustc-style diagnostics (for people).
    Table,
    /// The whole comparison as JSON (for scripts).
    Json,
    /// A pull-request comment: the top changes first, the details folded away.
    Markdown,
    /// GitHub Actions annotations on the new findings only.
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnNew {
    NewError,
    NewWarning,
    Never,
}

impl FailOnNew {
    /// Whether `diff`'s new findings fail the run.
    pub fn fails(self, diff: &Diff) -> bool {
        let threshold = match self {
            FailOnNew::NewError => Severity::Error,
            FailOnNew::NewWarning => Severity::Warning,
            FailOnNew::Never => return false,
        };
        diff.findings.new.iter().any(|f| f.severity >= threshold)
    }
}

/// One side as the reports name it.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// `HEAD~1`, `working tree`, or the file names.
    pub label: String,
    pub files: Vec<String>,
    pub system: Option<String>,
}

/// Everything that differs between two versions of a system.
#[derive(Debug, Serialize)]
pub struct Diff {
    pub old: Side,
    pub new: Side,
    pub services: ServiceChanges,
    pub interactions: InteractionChanges,
    pub findings: FindingChanges,
    /// Per entry point, the chain figures that changed.
    pub chains: Vec<EntryChange>,
}

impl Diff {
    /// Whether the two sides are the same system as far as commsplan can tell.
    pub fn is_empty(&self) -> bool {
        self.services.added.is_empty()
            && self.services.removed.is_empty()
            && self.services.changed.is_empty()
            && self.interactions.added.is_empty()
            && self.interactions.removed.is_empty()
            && self.interactions.changed.is_empty()
            && self.findings.new.is_empty()
            && self.findings.fixed.is_empty()
            && self.chains.is_empty()
    }
}

#[derive(Debug, Default, Serialize)]
pub struct ServiceChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<ServiceChange>,
}

#[derive(Debug, Serialize)]
pub struct ServiceChange {
    pub name: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Default, Serialize)]
pub struct InteractionChanges {
    pub added: Vec<InteractionBrief>,
    pub removed: Vec<InteractionBrief>,
    pub changed: Vec<InteractionChange>,
}

#[derive(Debug, Serialize)]
pub struct InteractionBrief {
    pub id: String,
    pub from: String,
    pub to: String,
    pub declared: Option<&'static str>,
    pub recommended: Option<&'static str>,
}

/// An old and a new value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change<T> {
    pub old: T,
    pub new: T,
}

#[derive(Debug, Serialize)]
pub struct InteractionChange {
    pub id: String,
    pub from: String,
    pub to: String,
    /// `uses.pattern` (with the file's defaults).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared: Option<Change<Option<&'static str>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommended: Option<Change<Option<&'static str>>>,
    /// The flowchart path, `A → B → C`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Change<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<NeedsChange>,
    /// Every other field that changed, `uses.timeout_ms` and the like.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

/// A changed answer to one of the flowchart's questions.
#[derive(Debug, Serialize)]
pub struct NeedsChange {
    /// `needs.realtime`.
    pub field: String,
    /// The flowchart node that asks it (`B`) and its question.
    pub step: &'static str,
    pub question: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct FindingChanges {
    pub new: Vec<FindingBrief>,
    pub fixed: Vec<FindingBrief>,
    pub unchanged: Vec<FindingBrief>,
}

/// A finding as the diff shows it, located on its own side.
#[derive(Debug, Clone, Serialize)]
pub struct FindingBrief {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interaction: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// Index into the side's `analysis.findings`, for rendering it in full.
    #[serde(skip)]
    pub index: usize,
}

/// Compares two analyses. `old` and `new` name the sides in reports.
pub fn compare(old: &Analysis, new: &Analysis, labels: (String, String)) -> Diff {
    Diff {
        old: side(old, labels.0),
        new: side(new, labels.1),
        services: compare_services(old, new),
        interactions: compare_interactions(old, new),
        findings: compare_findings(&old.findings, &new.findings),
        chains: chains::compare(old, new),
    }
}

fn side(analysis: &Analysis, label: String) -> Side {
    Side {
        label,
        files: analysis
            .model
            .files
            .iter()
            .map(|f| f.path.to_string())
            .collect(),
        system: analysis.model.system.clone(),
    }
}

fn compare_services(old: &Analysis, new: &Analysis) -> ServiceChanges {
    let (old_services, new_services) = (&old.model.services, &new.model.services);
    let mut changes = ServiceChanges {
        added: new_services
            .keys()
            .filter(|k| !old_services.contains_key(*k))
            .cloned()
            .collect(),
        removed: old_services
            .keys()
            .filter(|k| !new_services.contains_key(*k))
            .cloned()
            .collect(),
        changed: Vec::new(),
    };
    for (name, decl) in new_services {
        let Some(before) = old_services.get(name) else {
            continue;
        };
        let fields = fields::compare_values(&before.service, &decl.service, &[]);
        if !fields.is_empty() {
            changes.changed.push(ServiceChange {
                name: name.clone(),
                fields,
            });
        }
    }
    // Names, not file order: moving a service must not reorder the report.
    changes.added.sort();
    changes.removed.sort();
    changes.changed.sort_by(|a, b| a.name.cmp(&b.name));
    changes
}

fn brief(analysis: &Analysis, index: usize) -> InteractionBrief {
    let decl = &analysis.model.interactions[index];
    InteractionBrief {
        id: decl.id().to_string(),
        from: decl.interaction.from.clone(),
        to: decl.interaction.to.clone(),
        declared: decl.uses().pattern.map(|p| p.as_str()),
        recommended: analysis.decisions[index].recommended.map(|p| p.as_str()),
    }
}

/// Interaction index by id; the first of duplicate ids (M-rules report the others).
fn by_id(analysis: &Analysis) -> HashMap<&str, usize> {
    let mut map = HashMap::new();
    for (index, decl) in analysis.model.interactions.iter().enumerate() {
        map.entry(decl.id()).or_insert(index);
    }
    map
}

fn compare_interactions(old: &Analysis, new: &Analysis) -> InteractionChanges {
    let (old_ids, new_ids) = (by_id(old), by_id(new));
    let mut changes = InteractionChanges::default();
    for (&id, &index) in &new_ids {
        match old_ids.get(id) {
            None => changes.added.push(brief(new, index)),
            Some(&before) => {
                if let Some(change) = compare_interaction(old, before, new, index) {
                    changes.changed.push(change);
                }
            }
        }
    }
    for (&id, &index) in &old_ids {
        if !new_ids.contains_key(id) {
            changes.removed.push(brief(old, index));
        }
    }
    changes.added.sort_by(|a, b| a.id.cmp(&b.id));
    changes.removed.sort_by(|a, b| a.id.cmp(&b.id));
    changes.changed.sort_by(|a, b| a.id.cmp(&b.id));
    changes
}

fn changed<T: PartialEq>(old: T, new: T) -> Option<Change<T>> {
    (old != new).then_some(Change { old, new })
}

fn compare_interaction(
    old: &Analysis,
    before: usize,
    new: &Analysis,
    after: usize,
) -> Option<InteractionChange> {
    let (a, b) = (
        &old.model.interactions[before],
        &new.model.interactions[after],
    );
    let (da, db) = (&old.decisions[before], &new.decisions[after]);
    let change = InteractionChange {
        id: b.id().to_string(),
        from: b.interaction.from.clone(),
        to: b.interaction.to.clone(),
        declared: changed(
            a.uses().pattern.map(|p| p.as_str()),
            b.uses().pattern.map(|p| p.as_str()),
        ),
        recommended: changed(
            da.recommended.map(|p| p.as_str()),
            db.recommended.map(|p| p.as_str()),
        ),
        path: changed(da.path.join(" → "), db.path.join(" → ")),
        needs: compare_needs(a.interaction.needs.as_ref(), b.interaction.needs.as_ref()),
        fields: fields::compare_values(
            &a.interaction,
            &b.interaction,
            &["id", "needs", "uses.pattern"],
        ),
    };
    let same = change.declared.is_none()
        && change.recommended.is_none()
        && change.path.is_none()
        && change.needs.is_empty()
        && change.fields.is_empty();
    (!same).then_some(change)
}

fn compare_needs(old: Option<&Needs>, new: Option<&Needs>) -> Vec<NeedsChange> {
    let chart = flowchart();
    let empty = Needs::default();
    let (old, new) = (old.unwrap_or(&empty), new.unwrap_or(&empty));
    let show = |q: Question, needs: &Needs| q.answer(needs).map(|a| answer_text(q, a));
    [
        Question::Realtime,
        Question::Consistency,
        Question::CanWait,
        Question::Ordering,
    ]
    .into_iter()
    .filter(|&q| q.answer(old) != q.answer(new))
    .map(|q| {
        let node = chart
            .graph
            .node_weights()
            .find(|n| n.step == Step::Ask(q))
            .expect("every question has its node");
        NeedsChange {
            field: format!("needs.{}", q.field()),
            step: node.id,
            question: node.label,
            old: show(q, old),
            new: show(q, new),
        }
    })
    .collect()
}

/// An answer as it is written in the file.
fn answer_text(q: Question, answer: bool) -> String {
    match q {
        Question::Consistency => if answer { "strong" } else { "eventual" }.to_string(),
        _ => answer.to_string(),
    }
}

/// Findings matched as a baseline matches them: by code, interaction, service and a
/// fingerprint of the content, each match used once. What is left is matched once more
/// by code, service and the message's words in any order: a rule that lists calls or a
/// cycle in file order says the same thing of a reordered file, starting elsewhere.
/// Suppressed findings are not counted on either side.
fn compare_findings(old: &[Finding], new: &[Finding]) -> FindingChanges {
    let exact = |f: &Finding| -> Vec<String> {
        let e = crate::baseline::entry_of(f);
        let or_empty = |s: Option<String>| s.unwrap_or_default();
        vec![
            e.code,
            or_empty(e.interaction),
            or_empty(e.service),
            e.fingerprint,
        ]
    };
    let reordered = |f: &Finding| -> Vec<String> {
        let mut words: Vec<String> = f
            .message
            .split(|c: char| c.is_whitespace() || ",;:()".contains(c))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        words.sort_unstable();
        words.insert(0, f.service.clone().unwrap_or_default());
        words.insert(0, f.code.to_string());
        words
    };
    let active = |found: &[Finding]| -> Vec<usize> {
        (0..found.len())
            .filter(|&i| found[i].suppressed.is_none())
            .collect()
    };
    let (mut old_left, mut new_left) = (active(old), active(new));
    let mut unchanged = Vec::new();
    for key in [&exact as &dyn Fn(&Finding) -> Vec<String>, &reordered] {
        let mut remaining: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
        for &i in old_left.iter().rev() {
            remaining.entry(key(&old[i])).or_default().push(i);
        }
        new_left.retain(
            |&i| match remaining.get_mut(&key(&new[i])).and_then(Vec::pop) {
                Some(_) => {
                    unchanged.push(i);
                    false
                }
                None => true,
            },
        );
        let mut left: Vec<usize> = remaining.into_values().flatten().collect();
        left.sort_unstable();
        old_left = left;
    }
    unchanged.sort_unstable();
    let briefs = |found: &[Finding], indices: Vec<usize>| -> Vec<FindingBrief> {
        indices
            .into_iter()
            .map(|i| finding_brief(&found[i], i))
            .collect()
    };
    FindingChanges {
        new: briefs(new, new_left),
        fixed: briefs(old, old_left),
        unchanged: briefs(new, unchanged),
    }
}

fn finding_brief(f: &Finding, index: usize) -> FindingBrief {
    FindingBrief {
        code: f.code,
        name: f.name,
        severity: f.severity,
        message: f.message.clone(),
        interaction: f.interaction.clone(),
        service: f.service.clone(),
        file: f.location.as_ref().map(|l| l.file.to_string()),
        line: f.location.as_ref().map(|l| l.line),
        column: f.location.as_ref().map(|l| l.column),
        index,
    }
}

/// A diff is about what changed on each interaction: a group's members are compared one
/// by one, so that one more interaction under a shared gap is one new finding (on that
/// interaction), not the whole group new and the old one fixed.
pub fn ungroup(analysis: &mut Analysis) {
    if analysis.findings.iter().all(|f| f.affected.is_empty()) {
        return;
    }
    analysis.findings = analysis
        .findings
        .iter()
        .flat_map(Finding::members)
        .collect();
}

/// Findings that mean the side did not load: the file itself is broken.
pub fn broken(analysis: &Analysis) -> Vec<usize> {
    (0..analysis.findings.len())
        .filter(|&i| {
            let f = &analysis.findings[i];
            f.suppressed.is_none() && f.did_not_load()
        })
        .collect()
}
