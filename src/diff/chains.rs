//! What each entry point's synchronous chains promise, before and after: the figures
//! the G rules judge (composite availability against the SLO, summed p99 against the
//! latency objective, retry amplification, the tightest timeout margin), from
//! [`SyncGraph::entry_figures`], compared by entry service name.

use crate::analysis::Analysis;
use crate::graph::{EntryFigures, SyncGraph};
use serde::Serialize;

/// The figures of one entry point that changed.
#[derive(Debug, Serialize)]
pub struct EntryChange {
    pub entry: String,
    /// `changed`, `added` (a new entry point) or `removed`.
    pub status: &'static str,
    pub figures: Vec<FigureChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// Percent.
    Availability,
    /// Milliseconds.
    LatencyP99Ms,
    /// Calls per request.
    RetryAmplification,
    /// Milliseconds; negative when a caller gives up before its callee.
    TimeoutMarginMs,
}

#[derive(Debug, Serialize)]
pub struct FigureChange {
    pub figure: Figure,
    /// `None`: not an entry point on that side. A timeout margin may be infinite: no
    /// timed call has a callee that calls on (`"no-limit"` in JSON), or a callee has a
    /// call without a timeout and may wait forever (`"unbounded-wait"`).
    #[serde(serialize_with = "figure_value")]
    pub old: Option<f64>,
    #[serde(serialize_with = "figure_value")]
    pub new: Option<f64>,
    /// What the figure is judged against on the new side (old side for a removed entry):
    /// the SLO, or the rule's threshold.
    pub limit: Option<f64>,
    /// `old chain`, `new chain`: the chain that gives each figure, `a → b → c`.
    pub old_chain: Option<String>,
    pub new_chain: Option<String>,
    /// Whether each side meets `limit` (`None` without a limit or a figure).
    pub old_ok: Option<bool>,
    pub new_ok: Option<bool>,
}

impl FigureChange {
    /// "now below its SLO": a change of verdict, which is what a reviewer must see.
    pub fn verdict(&self) -> Option<&'static str> {
        let (worse, better, still) = match self.figure {
            Figure::Availability => (
                "now below its SLO",
                "meets its SLO again",
                "still below its SLO",
            ),
            Figure::LatencyP99Ms => (
                "now over its latency objective",
                "within its latency objective again",
                "still over its latency objective",
            ),
            Figure::RetryAmplification => (
                "now over the limit",
                "within the limit again",
                "still over the limit",
            ),
            Figure::TimeoutMarginMs => (
                "now a caller may give up before its callee is done",
                "no caller gives up early any more",
                "a caller still may give up before its callee is done",
            ),
        };
        match (self.old_ok, self.new_ok) {
            (Some(true) | None, Some(false)) => Some(worse),
            (Some(false), Some(true)) => Some(better),
            (Some(false), Some(false)) => Some(still),
            _ => None,
        }
    }

    /// Whether the change crosses a limit (the top of a review).
    pub fn crosses(&self) -> bool {
        matches!(
            (self.old_ok, self.new_ok),
            (Some(true) | None, Some(false)) | (Some(false), Some(true))
        )
    }
}

struct Side<'a> {
    analysis: &'a Analysis,
    graph: SyncGraph,
    figures: Vec<EntryFigures>,
}

impl<'a> Side<'a> {
    fn new(analysis: &'a Analysis) -> Side<'a> {
        let graph = SyncGraph::build(&analysis.model, &analysis.decisions);
        let figures = graph.entry_figures(&analysis.model);
        Side {
            analysis,
            graph,
            figures,
        }
    }

    fn name(&self, f: &EntryFigures) -> &'a str {
        crate::graph::service_name(&self.analysis.model, f.service)
    }

    fn find(&self, name: &str) -> Option<&EntryFigures> {
        self.figures.iter().find(|f| self.name(f) == name)
    }

    /// The figure's value, the chain that gives it, and its limit.
    fn figure(&self, f: &EntryFigures, which: Figure) -> (f64, String, Option<f64>) {
        let slo = self.analysis.model.services[f.service].service.slo.as_ref();
        let thresholds = &self.analysis.config.thresholds;
        let ((value, chain), limit) = match which {
            Figure::Availability => (&f.availability, slo.and_then(|s| s.availability)),
            Figure::LatencyP99Ms => (&f.latency_ms, slo.and_then(|s| s.latency_p99_ms)),
            Figure::RetryAmplification => {
                (&f.amplification, Some(thresholds.max_retry_amplification))
            }
            Figure::TimeoutMarginMs => (&f.timeout_margin_ms, Some(0.0)),
        };
        let value = match which {
            Figure::Availability => value * 100.0,
            _ => *value,
        };
        let chain = self.graph.describe(&self.analysis.model, chain);
        (value, chain, limit)
    }
}

/// Whether `value` meets `limit` as the G rules judge it.
fn meets(which: Figure, value: f64, limit: Option<f64>) -> Option<bool> {
    let limit = limit?;
    Some(match which {
        // G005 compares at the precision availabilities are written with.
        Figure::Availability => value + 1e-7 >= limit,
        Figure::TimeoutMarginMs => value >= limit,
        Figure::LatencyP99Ms | Figure::RetryAmplification => value <= limit,
    })
}

fn differ(x: f64, y: f64) -> bool {
    if x.is_infinite() || y.is_infinite() {
        return x != y;
    }
    (x - y).abs() > 1e-9 * x.abs().max(y.abs()).max(1.0)
}

fn figure_value<S: serde::Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        None => s.serialize_none(),
        Some(v) if *v == f64::INFINITY => s.serialize_str("no-limit"),
        Some(v) if *v == f64::NEG_INFINITY => s.serialize_str("unbounded-wait"),
        Some(v) => s.serialize_f64(*v),
    }
}

const FIGURES: [Figure; 4] = [
    Figure::Availability,
    Figure::LatencyP99Ms,
    Figure::RetryAmplification,
    Figure::TimeoutMarginMs,
];

fn figure_changes(
    old: Option<(&Side<'_>, &EntryFigures)>,
    new: Option<(&Side<'_>, &EntryFigures)>,
) -> Vec<FigureChange> {
    let mut out = Vec::new();
    for which in FIGURES {
        let before = old.map(|(side, f)| side.figure(f, which));
        let after = new.map(|(side, f)| side.figure(f, which));
        let (old_value, new_value) = (before.as_ref().map(|b| b.0), after.as_ref().map(|a| a.0));
        if let (Some(x), Some(y)) = (old_value, new_value) {
            if !differ(x, y) {
                continue;
            }
        }
        let limit = after.as_ref().or(before.as_ref()).and_then(|s| s.2);
        out.push(FigureChange {
            figure: which,
            old: old_value,
            new: new_value,
            limit,
            old_ok: before.as_ref().and_then(|b| meets(which, b.0, b.2)),
            new_ok: after.as_ref().and_then(|a| meets(which, a.0, a.2)),
            old_chain: before.map(|b| b.1),
            new_chain: after.map(|a| a.1),
        });
    }
    out
}

pub fn compare(old: &Analysis, new: &Analysis) -> Vec<EntryChange> {
    let (old, new) = (Side::new(old), Side::new(new));
    let mut changes = Vec::new();
    for f in &new.figures {
        let name = new.name(f);
        let before = old.find(name);
        let figures = figure_changes(before.map(|b| (&old, b)), Some((&new, f)));
        if !figures.is_empty() {
            let status = if before.is_some() { "changed" } else { "added" };
            changes.push(EntryChange {
                entry: name.to_string(),
                status,
                figures,
            });
        }
    }
    for f in &old.figures {
        let name = old.name(f);
        if new.find(name).is_none() {
            changes.push(EntryChange {
                entry: name.to_string(),
                status: "removed",
                figures: figure_changes(Some((&old, f)), None),
            });
        }
    }
    changes.sort_by(|a, b| a.entry.cmp(&b.entry));
    changes
}
