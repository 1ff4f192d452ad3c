//! One analysis run: load, walk the flowchart per interaction, run the rules.

use crate::baseline;
use crate::config::{self, Config};
use crate::finding::{Finding, Severity};
use crate::flowchart::{flowchart, Decision};
use crate::model::{fields, load, InteractionDecl, LoadOptions, Model};
use crate::rules::{self, Context};
use crate::suppress::Suppressions;
pub(crate) use crate::timing::phase;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Settings of one run beyond loading: where the config and baseline are, and the
/// command line's rule selection.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// `--config`; otherwise commsplan.toml is searched upward from the first file.
    pub config: Option<PathBuf>,
    /// `--select`: replaces the config's `select`.
    pub select: Option<Vec<String>>,
    /// `--ignore`: added to the config's `ignore`.
    pub ignore: Vec<String>,
    /// `--baseline`.
    pub baseline: Option<PathBuf>,
}

pub struct Analysis {
    pub model: Model,
    /// The settings the run used (commsplan.toml, or the defaults).
    pub config: Config,
    /// Baseline entries that matched no finding: fixed since the baseline was written.
    pub baseline_fixed: Vec<baseline::Entry>,
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
    analyze_with(paths, options, &RunOptions::default())
}

pub fn analyze_with(
    paths: &[impl AsRef<Path>],
    options: &LoadOptions,
    run: &RunOptions,
) -> Result<Analysis> {
    let config_path = match &run.config {
        Some(p) => Some(p.clone()),
        None => paths.first().and_then(|p| config::discover(p.as_ref())),
    };
    let (mut config, config_findings) = match &config_path {
        Some(p) => config::load(p)?,
        None => (Config::default(), Vec::new()),
    };
    if let Some(select) = &run.select {
        config.select = Some(select.clone());
    }
    config.ignore.extend(run.ignore.iter().cloned());
    let today = crate::suppress::today()?;
    let baseline_entries = match &run.baseline {
        Some(p) => Some(baseline::read(p)?),
        None => None,
    };
    let (model, mut findings) = load(paths, options)?;
    findings.extend(config_findings);
    let chart = flowchart();
    let decisions: Vec<Decision> = model
        .interactions
        .iter()
        .map(|i| chart.decide(&i.interaction.needs.clone().unwrap_or_default()))
        .collect();
    let cx = Context::new(&model, &decisions, &config.thresholds);
    let selected: Vec<_> = rules::checks()
        .into_iter()
        .filter(|r| config.is_selected(r.info().code))
        .collect();
    let (suppressions, expired) = Suppressions::new(&model, &today);
    let used = suppressions.unused();
    let lines = InteractionLines::new(&model);
    // Applied to each rule's findings as soon as the rule is done, on the same core.
    let finish = |found: &mut [Finding]| {
        for f in found.iter_mut() {
            let decl = lines.find(f);
            point_back_to_interaction(&model, decl, f);
            if let Some(sev) = config.severity_of(f.code) {
                f.severity = sev;
            }
            let ends = decl.map(|(d, _)| (d.interaction.from.as_str(), d.interaction.to.as_str()));
            suppressions.mark(f, ends, &used);
        }
    };
    finish(&mut findings);
    phase("decided");
    let found = run_rules(&cx, &selected, &finish);
    phase("rules ran");
    findings.reserve_exact(found.iter().map(Vec::len).sum());
    for f in found {
        findings.extend(f);
    }
    drop_superseded(&mut findings);
    phase("rules");
    apply_impacts(&model, cx.graph(), &config, &mut findings);
    phase("impact");
    drop(cx);
    let ran = |prefix: &str| selected.iter().any(|r| r.info().code.starts_with(prefix));
    findings.extend(suppressions.report(expired, &used, &config, &ran));
    drop(lines);
    drop(suppressions);
    let baseline_fixed = match (&baseline_entries, &run.baseline) {
        (Some(entries), Some(path)) => {
            baseline::apply(&mut findings, entries, &path.to_string_lossy())
        }
        _ => Vec::new(),
    };
    phase("suppressions and baseline");
    let mut findings = crate::grouping::group(&model, findings);
    phase("grouped");
    sort_in_file_order(&model, &mut findings);
    phase("sorted");
    Ok(Analysis {
        model,
        config,
        baseline_fixed,
        decisions,
        findings,
    })
}

/// Runs the rules on every core: they only read the model, and each writes its own
/// list, so the result (rule order, then each rule's order) is the same as one by one.
fn run_rules(
    cx: &Context<'_>,
    selected: &[&'static rules::Rule],
    finish: &(dyn Fn(&mut [Finding]) + Sync),
) -> Vec<Vec<Finding>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    use std::time::{Duration, Instant};
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(selected.len());
    let results: Vec<Mutex<(Vec<Finding>, Duration)>> = selected
        .iter()
        .map(|_| Mutex::new((Vec::new(), Duration::ZERO)))
        .collect();
    let next = AtomicUsize::new(0);
    let work = || loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(rule) = selected.get(index) else {
            break;
        };
        let started = Instant::now();
        let mut found = Vec::new();
        rule.check(cx, &mut found);
        finish(&mut found);
        // Each slot is locked once, by the one worker that took its index.
        if let Ok(mut slot) = results[index].lock() {
            *slot = (found, started.elapsed());
        }
    };
    if workers > 1 {
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(work);
            }
        });
    } else {
        work();
    }
    let timings = std::env::var_os("COMMSPLAN_TIMINGS").is_some();
    results
        .into_iter()
        .zip(selected)
        .map(|(slot, rule)| {
            let (found, took) = slot.into_inner().unwrap_or_else(|e| e.into_inner());
            if timings {
                eprintln!(
                    "          {:>7.3}s  rule {} ({} findings)",
                    took.as_secs_f64(),
                    rule.info().code,
                    found.len()
                );
            }
            found
        })
        .collect()
}

/// Leaves out a general rule's finding on an interaction that a more specific rule
/// reports ([`rules::SUPERSEDES`]).
fn drop_superseded(findings: &mut Vec<Finding>) {
    for &(specific, general) in rules::SUPERSEDES {
        let covered: std::collections::HashSet<String, FastHash> = findings
            .iter()
            // A suppressed specific finding still covers the general one: the cause was
            // seen and accepted, and suppressing one finding changes no other.
            .filter(|f| f.code == specific)
            .filter_map(|f| f.interaction.clone())
            .collect();
        if covered.is_empty() {
            continue;
        }
        findings.retain(|f| {
            f.code != general || !f.interaction.as_ref().is_some_and(|i| covered.contains(i))
        });
    }
}

/// Each interaction's declaration and first and last line, looked up once rather than
/// once per finding.
struct InteractionLines<'m> {
    by_id: std::collections::HashMap<&'m str, (&'m InteractionDecl, LineRange), FastHash>,
}

type LineRange = Option<(u32, u32)>;

/// Lookup-only maps (nothing iterates them): a fast hasher, still seeded per run.
type FastHash = foldhash::fast::RandomState;

impl<'m> InteractionLines<'m> {
    fn new(model: &'m Model) -> InteractionLines<'m> {
        let by_id = model
            .interactions
            .iter()
            .map(|i| (i.id(), (i, model.line_range(&i.origin))))
            .collect();
        InteractionLines { by_id }
    }

    /// The finding's interaction, if it names one that exists.
    fn find(&self, f: &Finding) -> Option<(&'m InteractionDecl, LineRange)> {
        self.by_id.get(f.interaction.as_deref()?).copied()
    }
}

/// A value that an interaction takes from a YAML anchor or from `defaults` is reported
/// where it is written; the reader also needs to see which interaction it was about.
fn point_back_to_interaction(
    model: &Model,
    decl: Option<(&InteractionDecl, LineRange)>,
    f: &mut Finding,
) {
    let (Some((decl, lines)), Some(loc)) = (decl, &f.location) else {
        return;
    };
    let own_file = model.files[decl.origin.file].path == loc.file;
    let inside = lines.is_some_and(|(first, last)| (first..=last).contains(&loc.line));
    if !(own_file && inside) {
        let at = model.at(&decl.origin, fields::ID);
        f.related.push(crate::finding::Related {
            location: at,
            message: format!(
                "in interaction `{}`, which takes this value from a shared block",
                decl.id()
            ),
        });
    }
}

/// The order findings are printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Sort {
    /// By file, line, column, then code.
    #[default]
    Position,
    /// The top risks first: by severity, then impact score, then position.
    Risk,
}

/// Reorders findings that are in position order into risk order. The sort is stable,
/// so ties keep their position order and the result is deterministic.
pub fn sort_by_risk(findings: &mut [Finding]) {
    findings.sort_by_key(|f| std::cmp::Reverse(f.risk_key()));
}

/// Gives each finding its impact from the call graph and its rule's consequence, and
/// lowers its severity where the impact says so (`commsplan explain risk`).
fn apply_impacts(
    model: &Model,
    graph: &crate::graph::SyncGraph,
    config: &Config,
    findings: &mut [Finding],
) {
    let impacts = crate::graph::impact::Impacts::compute(model, graph);
    let harms: std::collections::HashMap<&str, crate::codes::Harm> = crate::rules::registry()
        .into_iter()
        .map(|r| (r.code, r.harm))
        .collect();
    for f in findings {
        let harm = harms.get(f.code).copied();
        impacts.apply(model, f, harm, config.severity_of(f.code).is_some());
    }
}

/// Findings sorted by file (in the order given), line, column, then code: the output
/// does not depend on the order in which rules ran.
fn sort_in_file_order(model: &Model, findings: &mut [Finding]) {
    findings.sort_by_cached_key(|f| {
        let file_rank = f
            .location
            .as_ref()
            .and_then(|l| model.files.iter().position(|s| s.path == l.file))
            .unwrap_or(usize::MAX);
        (
            file_rank,
            f.location.as_ref().map(|l| (l.line, l.column)),
            f.code,
        )
    });
    // Ties are rare and short: order them by message without copying every message
    // into the sort key.
    let same_place = |a: &Finding, b: &Finding| {
        a.code == b.code
            && match (&a.location, &b.location) {
                (Some(x), Some(y)) => (x.line, x.column, &x.file) == (y.line, y.column, &y.file),
                (None, None) => true,
                _ => false,
            }
    };
    for tied in findings.chunk_by_mut(same_place) {
        if tied.len() > 1 {
            tied.sort_by(|a, b| a.message.cmp(&b.message));
        }
    }
}
