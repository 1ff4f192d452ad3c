//! One analysis run: load, walk the flowchart per interaction, run the rules.

use crate::finding::{Finding, Severity};
use crate::flowchart::{flowchart, Decision};
use crate::model::{load, LoadOptions, Model};
use crate::rules::{self, Context};
use anyhow::Result;
use std::path::Path;

pub struct Analysis {
    pub model: Model,
    /// One per interaction, in `model.interactions` order.
    pub decisions: Vec<Decision>,
    /// In file order.
    pub findings: Vec<Finding>,
}

impl Analysis {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.suppressed.is_none() && f.severity == severity)
            .count()
    }

    pub fn suppressed(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.suppressed.is_some())
            .count()
    }

    /// The worst unsuppressed severity, for the exit code.
    pub fn worst(&self) -> Option<Severity> {
        self.findings
            .iter()
            .filter(|f| f.suppressed.is_none())
            .map(|f| f.severity)
            .max()
    }
}

pub fn analyze(paths: &[impl AsRef<Path>], options: &LoadOptions) -> Result<Analysis> {
    let (model, mut findings) = load(paths, options)?;
    let chart = flowchart();
    let decisions: Vec<Decision> = model
        .interactions
        .iter()
        .map(|i| chart.decide(&i.interaction.needs.clone().unwrap_or_default()))
        .collect();
    let cx = Context {
        model: &model,
        decisions: &decisions,
    };
    for rule in rules::checks() {
        rule.check(&cx, &mut findings);
    }
    sort_in_file_order(&model, &mut findings);
    Ok(Analysis {
        model,
        decisions,
        findings,
    })
}

/// Findings sorted by file (in the order given), line, column, then code: the output
/// does not depend on the order in which rules ran.
fn sort_in_file_order(model: &Model, findings: &mut [Finding]) {
    let file_rank = |f: &Finding| {
        f.location
            .as_ref()
            .and_then(|l| model.files.iter().position(|s| s.path == l.file))
            .unwrap_or(usize::MAX)
    };
    findings.sort_by_cached_key(|f| {
        (
            file_rank(f),
            f.location.as_ref().map(|l| (l.line, l.column)),
            f.code,
            f.message.clone(),
        )
    });
}
