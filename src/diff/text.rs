//! `diff --format table`: the changes as indented text for a terminal; new findings in
//! full, as `analyze` prints them. Also the phrases the Markdown page shares.

use super::chains::Figure;
use super::{Diff, FieldChange, FigureChange, FindingBrief, InteractionChange, NeedsChange};
use std::fmt::Write;

/// "1 interaction changed, 2 new findings, 1 fixed" — only what is not zero.
pub fn headline(diff: &Diff) -> String {
    let plural = |n: usize, one: &str, many: &str| {
        (n > 0).then(|| format!("{n} {}", if n == 1 { one } else { many }))
    };
    let i = &diff.interactions;
    let s = &diff.services;
    let parts: Vec<String> = [
        plural(i.added.len(), "interaction added", "interactions added"),
        plural(
            i.removed.len(),
            "interaction removed",
            "interactions removed",
        ),
        plural(
            i.changed.len(),
            "interaction changed",
            "interactions changed",
        ),
        plural(s.added.len(), "service added", "services added"),
        plural(s.removed.len(), "service removed", "services removed"),
        plural(s.changed.len(), "service changed", "services changed"),
        plural(diff.findings.new.len(), "new finding", "new findings"),
        plural(diff.findings.fixed.len(), "finding fixed", "findings fixed"),
        plural(
            diff.chains.len(),
            "entry point's chains changed",
            "entry points' chains changed",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        "no changes".to_string()
    } else {
        parts.join(", ")
    }
}

/// A name from the file on one line: control characters (a newline, a terminal escape)
/// shown escaped, as the table report shows them.
fn plain(s: &str) -> String {
    s.chars()
        .flat_map(|c| -> Vec<char> {
            if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            }
        })
        .collect()
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Old and new value of a figure, with its unit; availability to the precision that
/// shows the difference.
fn values(fc: &FigureChange) -> (String, String) {
    let show = |v: Option<f64>, digits: usize| match (fc.figure, v) {
        (_, None) => "—".to_string(),
        (_, Some(v)) if v == f64::INFINITY => "no limit".to_string(),
        (_, Some(v)) if v == f64::NEG_INFINITY => {
            "−∞ (a call downstream has no timeout)".to_string()
        }
        (Figure::Availability, Some(v)) => format!("{v:.digits$} %"),
        (Figure::LatencyP99Ms | Figure::TimeoutMarginMs, Some(v)) => format!("{} ms", number(v)),
        (Figure::RetryAmplification, Some(v)) => format!("{}×", number(v)),
    };
    let (mut old, mut new) = (show(fc.old, 2), show(fc.new, 2));
    if old == new {
        (old, new) = (show(fc.old, 4), show(fc.new, 4));
    }
    (old, new)
}

fn figure_name(figure: Figure) -> &'static str {
    match figure {
        Figure::Availability => "availability",
        Figure::LatencyP99Ms => "p99",
        Figure::RetryAmplification => "retry amplification",
        Figure::TimeoutMarginMs => "timeout margin",
    }
}

fn limit_phrase(fc: &FigureChange) -> Option<String> {
    let limit = fc.limit?;
    Some(match fc.figure {
        Figure::Availability => format!("SLO {} %", number(limit)),
        Figure::LatencyP99Ms => format!("objective {} ms", number(limit)),
        Figure::RetryAmplification => format!("limit {}×", number(limit)),
        Figure::TimeoutMarginMs => return None,
    })
}

/// "availability 99.84 % → 99.74 %, now below its SLO (SLO 99.8 %)".
pub fn figure_line(fc: &FigureChange) -> String {
    let (old, new) = values(fc);
    let mut line = format!("{} {old} → {new}", figure_name(fc.figure));
    if let Some(verdict) = fc.verdict() {
        let _ = write!(line, ", {verdict}");
    }
    if let Some(limit) = limit_phrase(fc).filter(|_| fc.verdict().is_some()) {
        let _ = write!(line, " ({limit})");
    }
    line
}

/// The chain the new figure comes from (the old one if it differs), for the details.
pub fn chain_line(fc: &FigureChange) -> Option<String> {
    match (&fc.old_chain, &fc.new_chain) {
        (Some(a), Some(b)) if a != b && !a.is_empty() && !b.is_empty() => {
            Some(format!("via {b} (was {a})"))
        }
        (_, Some(b)) if !b.is_empty() => Some(format!("via {b}")),
        (Some(a), _) if !a.is_empty() => Some(format!("via {a}")),
        _ => None,
    }
}

pub fn pattern_phrase(p: Option<&str>) -> &str {
    p.unwrap_or("—")
}

/// One line per change of an interaction, in reading order: patterns, answers, fields.
pub fn interaction_lines(change: &InteractionChange) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(d) = &change.declared {
        lines.push(format!(
            "declared pattern: {} → {}",
            pattern_phrase(d.old),
            pattern_phrase(d.new)
        ));
    }
    if let Some(r) = &change.recommended {
        lines.push(format!(
            "recommended pattern: {} → {}",
            pattern_phrase(r.old),
            pattern_phrase(r.new)
        ));
    }
    for n in &change.needs {
        lines.push(needs_line(n));
    }
    if let Some(p) = &change.path {
        lines.push(format!("flowchart path: {} ⇒ {}", p.old, p.new));
    }
    for f in &change.fields {
        lines.push(field_line(f));
    }
    lines
}

pub fn needs_line(n: &NeedsChange) -> String {
    format!(
        "{}: {} → {} (step {}: {})",
        n.field,
        n.old.as_deref().unwrap_or("—"),
        n.new.as_deref().unwrap_or("—"),
        n.step,
        n.question
    )
}

pub fn field_line(f: &FieldChange) -> String {
    format!(
        "{}: {} → {}",
        f.path,
        FieldChange::show(f.old.as_ref()),
        FieldChange::show(f.new.as_ref())
    )
}

pub fn finding_line(f: &FindingBrief) -> String {
    let mut s = format!("{}[{}] {}", f.severity, f.code, f.message);
    if let (Some(file), Some(line), Some(column)) = (&f.file, f.line, f.column) {
        let _ = write!(s, " ({file}:{line}:{column})");
    }
    s
}

/// The whole report; `new_findings` is the new side's findings rendered as diagnostics.
pub fn render(diff: &Diff, new_findings: &str) -> String {
    let mut out = format!(
        "{} → {}{}: {}\n",
        diff.old.label,
        diff.new.label,
        diff.new
            .system
            .as_deref()
            .map(|s| format!(" ({})", plain(s)))
            .unwrap_or_default(),
        headline(diff)
    );
    let i = &diff.interactions;
    if !(i.added.is_empty() && i.removed.is_empty() && i.changed.is_empty()) {
        out.push_str("\ninteractions\n");
        for b in &i.added {
            let _ = writeln!(
                out,
                "  + {} ({} → {}): declared {}, recommended {}",
                plain(&b.id),
                plain(&b.from),
                plain(&b.to),
                pattern_phrase(b.declared),
                pattern_phrase(b.recommended)
            );
        }
        for b in &i.removed {
            let _ = writeln!(
                out,
                "  - {} ({} → {})",
                plain(&b.id),
                plain(&b.from),
                plain(&b.to)
            );
        }
        for c in &i.changed {
            let _ = writeln!(
                out,
                "  ~ {} ({} → {})",
                plain(&c.id),
                plain(&c.from),
                plain(&c.to)
            );
            for line in interaction_lines(c) {
                let _ = writeln!(out, "      {}", plain(&line));
            }
        }
    }
    services(diff, &mut out);
    if !diff.chains.is_empty() {
        out.push_str("\nentry points\n");
        for e in &diff.chains {
            let status = if e.status == "changed" {
                String::new()
            } else {
                format!(" ({})", e.status)
            };
            let _ = writeln!(out, "  {}{status}", plain(&e.entry));
            for fc in &e.figures {
                let _ = writeln!(out, "      {}", figure_line(fc));
                if let Some(chain) = chain_line(fc) {
                    let _ = writeln!(out, "        {}", plain(&chain));
                }
            }
        }
    }
    findings(diff, new_findings, &mut out);
    out
}

fn services(diff: &Diff, out: &mut String) {
    let s = &diff.services;
    if s.added.is_empty() && s.removed.is_empty() && s.changed.is_empty() {
        return;
    }
    out.push_str("\nservices\n");
    for name in &s.added {
        let _ = writeln!(out, "  + {}", plain(name));
    }
    for name in &s.removed {
        let _ = writeln!(out, "  - {}", plain(name));
    }
    for c in &s.changed {
        let _ = writeln!(out, "  ~ {}", plain(&c.name));
        for f in &c.fields {
            let _ = writeln!(out, "      {}", plain(&field_line(f)));
        }
    }
}

fn findings(diff: &Diff, new_findings: &str, out: &mut String) {
    let f = &diff.findings;
    let _ = writeln!(
        out,
        "\nfindings: {} new, {} fixed, {} unchanged",
        f.new.len(),
        f.fixed.len(),
        f.unchanged.len()
    );
    if !f.new.is_empty() {
        out.push('\n');
        out.push_str(new_findings);
    }
    if !f.fixed.is_empty() {
        out.push_str("\nfixed\n");
        for x in &f.fixed {
            let _ = writeln!(out, "  {}", plain(&finding_line(x)));
        }
    }
}
