//! `--statistics`: how many findings each rule reported, most frequent first (then by
//! code), as `ruff check --statistics` does. Suppressed findings are not counted. A rule
//! whose findings carry different severities (lowered on a side path, or as its
//! documentation says) has a line per severity, the most severe first.

use super::Context;
use crate::analysis::Analysis;
use crate::finding::Severity;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Count {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub count: usize,
}

pub fn counts(analysis: &Analysis) -> Vec<Count> {
    let mut by_code: BTreeMap<(&'static str, Severity), Count> = BTreeMap::new();
    for f in analysis.findings.iter().filter(|f| f.suppressed.is_none()) {
        by_code
            .entry((f.code, f.severity))
            .or_insert(Count {
                code: f.code,
                name: f.name,
                severity: f.severity,
                count: 0,
            })
            .count += 1;
    }
    let mut counts: Vec<Count> = by_code.into_values().collect();
    counts.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.code.cmp(b.code))
            .then(b.severity.cmp(&a.severity))
    });
    counts
}

/// `--statistics` with the table format: one line per rule.
pub struct Text;

/// `--statistics` with the json format: an array of counts.
pub struct Json;

impl super::Emitter for Text {
    fn emit(&self, out: &mut dyn Write, analysis: &Analysis, _: &Context) -> io::Result<()> {
        out.write_all(render_text(analysis).as_bytes())
    }
}

impl super::Emitter for Json {
    fn emit(&self, out: &mut dyn Write, analysis: &Analysis, _: &Context) -> io::Result<()> {
        out.write_all(render_json(analysis).as_bytes())
    }
}

/// One line per rule: count, code, severity, name; nothing when there are no findings.
pub fn render_text(analysis: &Analysis) -> String {
    let counts = counts(analysis);
    let width = counts.first().map_or(1, |c| c.count.to_string().len());
    counts
        .iter()
        .map(|c| {
            format!(
                "{:>width$}  {:<4}  {:<7}  {}\n",
                c.count,
                c.code,
                c.severity.as_str(),
                c.name
            )
        })
        .collect()
}

pub fn render_json(analysis: &Analysis) -> String {
    let mut out = serde_json::to_string_pretty(&counts(analysis)).expect("serialises");
    out.push('\n');
    out
}
