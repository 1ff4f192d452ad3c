//! `diff --format markdown`: a pull-request comment or job summary. The few changes a
//! reviewer must see come first (an SLO crossed, new errors, patterns changed); every
//! detail is folded into a `<details>` section, each list capped, so that a large
//! change still gives a short comment. Names from the file are escaped as the review
//! page escapes them.

use super::text::{chain_line, field_line, figure_line, needs_line, pattern_phrase};
use super::{Diff, FindingBrief, InteractionChange};
use crate::finding::Severity;
use crate::report::markdown::{code, inline, text};
use crate::report::paths::Paths;
use std::fmt::Write;

/// Bullets in the top list; the rest are counted.
const TOP: usize = 10;
/// Items per section of the details.
const DETAILS: usize = 50;
/// Rule codes named in the line that counts new warnings.
const CODES: usize = 8;

pub fn render(diff: &Diff, paths: &Paths) -> String {
    let mut out = String::new();
    let system = diff.new.system.as_deref().or(diff.old.system.as_deref());
    let _ = writeln!(
        out,
        "## Architecture diff{}\n",
        system
            .map(|s| format!(": {}", text(&s.replace(['\r', '\n'], " "))))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "{} → {} · {}\n",
        code(&diff.old.label, false),
        code(&diff.new.label, false),
        text(&super::text::headline(diff))
    );
    if diff.is_empty() {
        out.push_str("No change to services, interactions, findings or chains.\n\n");
    } else {
        top(diff, paths, &mut out);
        details(diff, paths, &mut out);
    }
    let _ = writeln!(
        out,
        "<sub>commsplan {} · `commsplan diff` · `commsplan explain CODE` explains a rule</sub>",
        env!("CARGO_PKG_VERSION")
    );
    out
}

/// The changes in the order a reviewer should read them: a limit crossed, new errors,
/// new warnings (by code), then each interaction's changes on one line.
fn top(diff: &Diff, paths: &Paths, out: &mut String) {
    let mut items: Vec<String> = Vec::new();
    for e in &diff.chains {
        for fc in e.figures.iter().filter(|f| f.crosses()) {
            items.push(format!(
                "**{}**: {}",
                text(&e.entry),
                text(&figure_line(fc))
            ));
        }
    }
    let new = &diff.findings.new;
    items.extend(
        new.iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| format!("new {}", finding(f, paths))),
    );
    let mut lesser: Vec<(&str, usize)> = Vec::new();
    for f in new.iter().filter(|f| f.severity != Severity::Error) {
        match lesser.iter_mut().find(|(code, _)| *code == f.code) {
            Some((_, n)) => *n += 1,
            None => lesser.push((f.code, 1)),
        }
    }
    if !lesser.is_empty() {
        let count: usize = lesser.iter().map(|(_, n)| n).sum();
        let infos = new.iter().any(|f| f.severity == Severity::Info);
        let kind = if infos {
            "warnings and infos"
        } else {
            "warnings"
        };
        lesser.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut codes: Vec<String> = (lesser.iter().take(CODES))
            .map(|(c, n)| {
                if *n == 1 {
                    code(c, false)
                } else {
                    format!("{} ×{n}", code(c, false))
                }
            })
            .collect();
        if lesser.len() > CODES {
            codes.push(format!("{} more rules", lesser.len() - CODES));
        }
        items.push(format!("{count} new {kind}: {}", codes.join(", ")));
    }
    for c in &diff.interactions.changed {
        let mut lines = changed_lines(c);
        let more = lines.len().saturating_sub(3);
        lines.truncate(3);
        if more > 0 {
            lines.push(format!("{more} more"));
        }
        items.push(format!("{}: {}", code(&c.id, false), lines.join("; ")));
    }
    for b in &diff.interactions.added {
        items.push(format!(
            "{} added ({} → {})",
            code(&b.id, false),
            text(&b.from),
            text(&b.to)
        ));
    }
    for b in &diff.interactions.removed {
        items.push(format!("{} removed", code(&b.id, false)));
    }
    for e in &diff.chains {
        let quiet: Vec<String> = (e.figures.iter().filter(|f| !f.crosses()))
            .map(|f| text(&figure_line(f)))
            .collect();
        if !quiet.is_empty() {
            items.push(format!("**{}**: {}", text(&e.entry), quiet.join("; ")));
        }
    }
    let total = items.len();
    for item in items.iter().take(TOP) {
        let _ = writeln!(out, "- {item}");
    }
    if total > TOP {
        let _ = writeln!(out, "- … and {} more below", total - TOP);
    }
    if total > 0 {
        out.push('\n');
    }
}

fn details(diff: &Diff, paths: &Paths, out: &mut String) {
    let f = &diff.findings;
    let _ = writeln!(
        out,
        "<details><summary>Details: {} interactions, {} services, {} entry points changed; findings {} new, {} fixed, {} unchanged</summary>\n",
        diff.interactions.added.len() + diff.interactions.removed.len() + diff.interactions.changed.len(),
        diff.services.added.len() + diff.services.removed.len() + diff.services.changed.len(),
        diff.chains.len(),
        f.new.len(),
        f.fixed.len(),
        f.unchanged.len()
    );
    let mut interactions: Vec<String> = Vec::new();
    for b in &diff.interactions.added {
        interactions.push(format!(
            "- added {} ({} → {}): declared {}, recommended {}",
            code(&b.id, false),
            text(&b.from),
            text(&b.to),
            pattern_phrase(b.declared),
            pattern_phrase(b.recommended)
        ));
    }
    for b in &diff.interactions.removed {
        interactions.push(format!(
            "- removed {} ({} → {})",
            code(&b.id, false),
            text(&b.from),
            text(&b.to)
        ));
    }
    interactions.extend(diff.interactions.changed.iter().map(changed_interaction));
    section(out, "Interactions", &interactions);
    section(out, "Services", &service_items(diff));
    section(out, "Entry points", &chain_items(diff));
    let items = |list: &[FindingBrief]| -> Vec<String> {
        list.iter()
            .map(|x| format!("- {}", finding(x, paths)))
            .collect()
    };
    section(out, "New findings", &items(&f.new));
    section(out, "Fixed findings", &items(&f.fixed));
    out.push_str("</details>\n\n");
}

fn section(out: &mut String, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "#### {title} ({})\n", items.len());
    for item in items.iter().take(DETAILS) {
        out.push_str(item);
        out.push('\n');
    }
    if items.len() > DETAILS {
        let _ = writeln!(
            out,
            "- … and {} more (`commsplan diff -f json` lists all)",
            items.len() - DETAILS
        );
    }
    out.push('\n');
}

fn changed_lines(c: &InteractionChange) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    if let Some(d) = &c.declared {
        lines.push(format!(
            "declared pattern {} → {}",
            pattern_phrase(d.old),
            pattern_phrase(d.new)
        ));
    }
    if let Some(r) = &c.recommended {
        lines.push(format!(
            "recommended pattern {} → {}",
            pattern_phrase(r.old),
            pattern_phrase(r.new)
        ));
    }
    lines.extend(c.needs.iter().map(|n| text(&needs_line(n))));
    if let Some(p) = &c.path {
        lines.push(format!(
            "flowchart path {} ⇒ {}",
            text(&p.old),
            text(&p.new)
        ));
    }
    lines.extend(c.fields.iter().map(|f| code(&field_line(f), false)));
    lines
}

fn changed_interaction(c: &InteractionChange) -> String {
    let mut s = format!(
        "- {} ({} → {})",
        code(&c.id, false),
        text(&c.from),
        text(&c.to)
    );
    for line in changed_lines(c) {
        let _ = write!(s, "\n  - {line}");
    }
    s
}

fn service_items(diff: &Diff) -> Vec<String> {
    let s = &diff.services;
    let mut items: Vec<String> = s
        .added
        .iter()
        .map(|n| format!("- added {}", text(n)))
        .collect();
    items.extend(s.removed.iter().map(|n| format!("- removed {}", text(n))));
    for c in &s.changed {
        let mut item = format!("- {}", text(&c.name));
        for f in &c.fields {
            let _ = write!(item, "\n  - {}", code(&field_line(f), false));
        }
        items.push(item);
    }
    items
}

fn chain_items(diff: &Diff) -> Vec<String> {
    diff.chains
        .iter()
        .map(|e| {
            let status = if e.status == "changed" {
                String::new()
            } else {
                format!(" ({})", e.status)
            };
            let mut item = format!("- **{}**{status}", text(&e.entry));
            for fc in &e.figures {
                let _ = write!(item, "\n  - {}", text(&figure_line(fc)));
                if let Some(chain) = chain_line(fc) {
                    let _ = write!(item, "<br>{}", text(&chain));
                }
            }
            item
        })
        .collect()
}

fn finding(f: &FindingBrief, paths: &Paths) -> String {
    let mut s = format!(
        "**{}** {} {} — {}",
        f.severity,
        code(f.code, false),
        f.name,
        inline(&f.message, false)
    );
    if let (Some(file), Some(line), Some(column)) = (&f.file, f.line, f.column) {
        let _ = write!(
            s,
            " · {}",
            code(&format!("{}:{line}:{column}", paths.display(file)), false)
        );
    }
    s
}
