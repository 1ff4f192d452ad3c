//! `--format table`: the decisions as a table, then each finding as a rustc-style
//! diagnostic with its source snippet, then a one-line summary.

use super::{interaction_rows, position, Context};
use crate::analysis::Analysis;
use crate::finding::{Finding, Location, Severity};
use crate::model::SourceFile;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement};
use std::io::{self, Write};

/// `--format table`. Colour and `--quiet` are its options.
pub struct Table {
    pub color: bool,
    /// `--quiet`: the findings only, without the decisions table and the summary line
    /// (as `ruff -q`).
    pub quiet: bool,
}

impl super::Emitter for Table {
    fn emit(&self, out: &mut dyn Write, analysis: &Analysis, _: &Context) -> io::Result<()> {
        let parts = Parts {
            decisions: !self.quiet,
            summary: !self.quiet,
        };
        write(out, analysis, self.color, parts)
    }
}

/// The options of [`render`], for a report shown around another message.
pub struct Options {
    pub color: bool,
    /// Leave out the interactions table (lint use: findings only).
    pub findings_only: bool,
}

/// The table report as one string: findings and the summary line, and the decisions
/// table unless `findings_only`.
pub fn render(analysis: &Analysis, options: &Options) -> String {
    let parts = Parts {
        decisions: !options.findings_only,
        summary: true,
    };
    let mut out = Vec::new();
    write(&mut out, analysis, options.color, parts).expect("writing to memory does not fail");
    String::from_utf8(out).expect("the report is UTF-8")
}

#[derive(Clone, Copy)]
struct Parts {
    decisions: bool,
    summary: bool,
}

fn write(out: &mut dyn Write, analysis: &Analysis, color: bool, parts: Parts) -> io::Result<()> {
    if parts.decisions && !analysis.model.interactions.is_empty() {
        out.write_all(decisions_table(analysis).as_bytes())?;
        out.write_all(b"\n\n")?;
    }
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut findings = analysis
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .peekable();
    while let Some(finding) = findings.next() {
        let text = render_finding(analysis, finding, &renderer);
        if parts.summary || findings.peek().is_some() {
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n\n")?;
        } else {
            // Without the summary the report ends with the last finding and one newline.
            out.write_all(text.trim_end_matches('\n').as_bytes())?;
            out.write_all(b"\n")?;
        }
    }
    if parts.summary {
        out.write_all(summary_line(analysis).as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn decisions_table(analysis: &Analysis) -> String {
    let mut table = comfy_table::Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header([
            "interaction",
            "from → to",
            "recommended",
            "declared",
            "path",
        ]);
    for row in interaction_rows(analysis) {
        let declared = match (row.declared, row.recommended) {
            (Some(d), Some(r)) if d != r => format!("{d} ≠"),
            (Some(d), _) => d.to_string(),
            (None, _) => "—".to_string(),
        };
        table.add_row([
            one_line(row.id),
            format!("{} → {}", one_line(row.from), one_line(row.to)),
            row.recommended.unwrap_or("?").to_string(),
            declared,
            row.path.join(" "),
        ]);
    }
    table.to_string()
}

/// Names may hold newlines or control characters; a table cell shows them escaped.
fn one_line(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

fn render_finding(analysis: &Analysis, finding: &Finding, renderer: &Renderer) -> String {
    let file_of = |loc: &Location| analysis.model.files.iter().find(|f| f.path == loc.file);
    let title = level(finding.severity)
        .primary_title(one_line(&finding.message))
        .id(finding.code);
    let mut group = Group::with_title(title);
    if let Some(loc) = &finding.location {
        match file_of(loc).and_then(|f| Window::new(f, loc)) {
            Some(window) => {
                let mut snippet = Snippet::source(window.text.clone())
                    .line_start(window.first_line)
                    .path(loc.file.to_string())
                    .fold(false);
                let mut primary = AnnotationKind::Primary.span(window.range.clone());
                if let Some(label) = &finding.label {
                    primary = primary.label(one_line(label));
                }
                snippet = snippet.annotation(primary);
                group = group.element(snippet);
            }
            None => {
                group =
                    group.element(Level::NOTE.message(format!("at {}", position(&loc.file, loc))));
            }
        }
    }
    for related in &finding.related {
        let loc = &related.location;
        if let Some(window) = file_of(loc).and_then(|f| Window::new(f, loc)) {
            group = group.element(
                Snippet::source(window.text.clone())
                    .line_start(window.first_line)
                    .path(loc.file.to_string())
                    .annotation(
                        AnnotationKind::Context
                            .span(window.range.clone())
                            .label(one_line(&related.message)),
                    ),
            );
        }
    }
    if let Some(help) = &finding.help {
        group = group.element(Level::HELP.message(help.clone()));
    }
    renderer.render(&[group])
}

/// The lines a finding covers (at most a few), with the finding's byte range in them.
struct Window {
    text: String,
    first_line: usize,
    range: std::ops::Range<usize>,
}

const MAX_WINDOW_LINES: u32 = 4;

impl Window {
    fn new(file: &SourceFile, loc: &Location) -> Option<Window> {
        if file.text.is_empty() {
            return None;
        }
        let first = loc.line as usize;
        let last = loc
            .end_line
            .min(loc.line + MAX_WINDOW_LINES - 1)
            .max(loc.line) as usize;
        let lines: Vec<&str> = file
            .text
            .split_inclusive('\n')
            .skip(first - 1)
            .take(last - first + 1)
            .collect();
        if lines.is_empty() {
            // The location is past the last line (an error at the end of the input).
            let last_line = file.text.split_inclusive('\n').count().max(1);
            let text = file
                .text
                .split_inclusive('\n')
                .next_back()
                .unwrap_or("")
                .to_string();
            let len = text.trim_end_matches(['\n', '\r']).len();
            return Some(Window {
                text,
                first_line: last_line,
                range: len..len,
            });
        }
        let text: String = lines.concat();
        let start = byte_of_column(lines[0], loc.column);
        let end = if last == loc.end_line as usize {
            let offset: usize = lines[..lines.len() - 1].iter().map(|l| l.len()).sum();
            offset + byte_of_column(lines[lines.len() - 1], loc.end_column)
        } else {
            text.trim_end_matches(['\n', '\r']).len()
        };
        let end = end.max(start);
        Some(Window {
            text,
            first_line: first,
            range: start..end,
        })
    }
}

/// Byte offset of a 1-based character column within a line (clamped to the line).
fn byte_of_column(line: &str, column: u32) -> usize {
    let content = line.trim_end_matches(['\n', '\r']);
    content
        .char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map_or(content.len(), |(i, _)| i)
}

pub fn summary_line(analysis: &Analysis) -> String {
    let [interactions, errors, warnings, infos] = super::count_phrases(analysis);
    format!(
        "{}: {interactions}, {errors}, {warnings}, {infos} ({} suppressed)",
        analysis
            .model
            .system
            .as_deref()
            .map(one_line)
            .unwrap_or_else(|| "commsplan".into()),
        analysis.suppressed()
    )
}
