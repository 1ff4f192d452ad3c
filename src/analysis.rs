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
    phase("decided");
    let cx = Context {
        model: &model,
        decisions: &decisions,
    };
    for rule in rules::checks() {
        rule.check(&cx, &mut findings);
    }
    phase("rules");
    point_back_to_interactions(&model, &mut findings);
    sort_in_file_order(&model, &mut findings);
    phase("sorted");
    Ok(Analysis {
        model,
        decisions,
        findings,
    })
}

/// A value that an interaction takes from a YAML anchor or from `defaults` is reported
/// where it is written; the reader also needs to see which interaction it was about.
fn point_back_to_interactions(model: &Model, findings: &mut [Finding]) {
    let by_id: std::collections::HashMap<&str, &crate::model::InteractionDecl> =
        model.interactions.iter().map(|i| (i.id(), i)).collect();
    for f in findings.iter_mut() {
        let (Some(id), Some(loc)) = (&f.interaction, &f.location) else {
            continue;
        };
        let Some(decl) = by_id.get(id.as_str()) else {
            continue;
        };
        let own_file = model.files[decl.origin.file].path == loc.file;
        let inside = model
            .line_range(&decl.origin)
            .is_some_and(|(first, last)| (first..=last).contains(&loc.line));
        if !(own_file && inside) {
            let at = model.locate(&decl.origin, "id");
            f.related.push(crate::finding::Related {
                location: at,
                message: format!(
                    "in interaction `{id}`, which takes this value from a shared block"
                ),
            });
        }
    }
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

/// Phase timings on standard error when `COMMSPLAN_TIMINGS` is set (for profiling the
/// benchmark; never part of any report).
pub(crate) fn phase(name: &str) {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    let Some(start) =
        START.get_or_init(|| std::env::var_os("COMMSPLAN_TIMINGS").map(|_| Instant::now()))
    else {
        return;
    };
    let rss_mb = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u64>().ok())
        })
        .map_or(0, |pages| pages * 4096 / (1024 * 1024));
    eprintln!(
        "{:>8.3}s {rss_mb:>6} MiB  {name}",
        start.elapsed().as_secs_f64()
    );
}
