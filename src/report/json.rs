//! `--format json`: FORMAT.md §4, field for field. Fields beyond the contract are added,
//! never renamed.

use super::interaction_rows;
use crate::analysis::Analysis;
use crate::finding::{Finding, Location, Severity};
use serde::Serialize;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    system: Option<&'a str>,
    files: Vec<&'a str>,
    interactions: Vec<Interaction<'a>>,
    findings: &'a [Finding],
    summary: Summary,
}

#[derive(Serialize)]
struct Interaction<'a> {
    id: &'a str,
    from: &'a str,
    to: &'a str,
    recommended: Option<&'static str>,
    declared: Option<&'static str>,
    path: &'a [&'static str],
    reasons: &'a [String],
    location: Location,
}

#[derive(Serialize)]
struct Summary {
    interactions: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    suppressed: usize,
}

pub fn render(analysis: &Analysis) -> String {
    let mut out = Vec::new();
    write(analysis, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Streams the report: a large system's report is never held whole in memory.
pub fn write(analysis: &Analysis, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let model = &analysis.model;
    let report = Report {
        version: 1,
        system: model.system.as_deref(),
        files: model.files.iter().map(|f| f.path.as_str()).collect(),
        interactions: interaction_rows(analysis)
            .into_iter()
            .map(|r| Interaction {
                id: r.id,
                from: r.from,
                to: r.to,
                recommended: r.recommended,
                declared: r.declared,
                path: r.path,
                reasons: r.reasons,
                location: r.location,
            })
            .collect(),
        findings: &analysis.findings,
        summary: Summary {
            interactions: model.interactions.len(),
            errors: analysis.count(Severity::Error),
            warnings: analysis.count(Severity::Warning),
            infos: analysis.count(Severity::Info),
            suppressed: analysis.suppressed(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    out.write_all(b"\n")
}
