//! `--format table`: the decisions as a table, then each finding as a rustc-style
//! diagnostic with its source snippet, then a one-line summary.

use super::snippet::{LineIndex, Window};
use super::{interaction_rows, position, Context};
use crate::analysis::Analysis;
use crate::finding::{Finding, Location, Severity};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement};
use std::collections::HashMap;
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
    let sources = Sources::new(analysis);
    while let Some(finding) = findings.next() {
        let text = render_finding(&sources, finding, &renderer);
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

/// Names may hold newlines or control characters; the table shows them escaped.
fn one_line(s: &str) -> String {
    super::escape::one_line(s).into_owned()
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// The most places of a grouped finding that the table quotes.
const QUOTED_PLACES: usize = 10;

fn render_finding(sources: &Sources, finding: &Finding, renderer: &Renderer) -> String {
    let title = level(finding.severity)
        .primary_title(one_line(&finding.message))
        .id(finding.code);
    let mut group = Group::with_title(title);
    let mut fixes = Vec::new();
    if let Some(loc) = &finding.location {
        match sources.window(loc) {
            Some(window) => {
                let mut primary = AnnotationKind::Primary.span(window.range.clone());
                if let Some(label) = &finding.label {
                    primary = primary.label(one_line(label));
                }
                let (with, fix) = quote(group, window, loc, primary, true);
                group = with;
                fixes.extend(fix);
            }
            None => {
                let at = position(&one_line(&loc.file), loc);
                group = group.element(Level::NOTE.message(format!("at {at}")));
            }
        }
    }
    // A group can affect thousands of interactions: the first places are quoted, the
    // rest counted (the JSON and SARIF reports hold every one).
    let shown = if finding.affected.is_empty() {
        finding.related.len()
    } else {
        QUOTED_PLACES.min(finding.related.len())
    };
    for related in &finding.related[..shown] {
        let loc = &related.location;
        if let Some(window) = sources.window(loc) {
            let context = AnnotationKind::Context
                .span(window.range.clone())
                .label(one_line(&related.message));
            let (with, fix) = quote(group, window, loc, context, false);
            group = with;
            fixes.extend(fix);
        } else {
            // A place in a file that was not analysed (a deployed manifest): named.
            let at = position(&one_line(&loc.file), loc);
            let message = format!("{}: at {at}", one_line(&related.message));
            group = group.element(Level::NOTE.message(message));
        }
    }
    if shown < finding.related.len() {
        let more = finding.related.len() - shown;
        group = group.element(Level::NOTE.message(format!(
            "and {more} more places (all in the JSON and SARIF reports)"
        )));
    }
    if let Some(risk) = crate::graph::impact::summary(finding) {
        group = group.element(Level::NOTE.message(one_line(&risk)));
    }
    if let Some(help) = &finding.help {
        group = group.element(Level::HELP.message(one_line(help)));
    }
    fix_headers(renderer.render(&[group]), &fixes)
}

/// `group` with the snippet of `window`, and for a cut line the place its header shows
/// and the place it is: the renderer counts the column from the start of the text it is
/// given, which for a cut line is not the start of the line.
fn quote<'a>(
    group: Group<'a>,
    window: Window,
    loc: &Location,
    annotation: annotate_snippets::Annotation<'a>,
    primary: bool,
) -> (Group<'a>, Option<(String, String)>) {
    let path = one_line(&loc.file);
    let fix = window.cut_column.map(|column| {
        let counted = window.text[..window.range.start].chars().count() + 1;
        let place = |c: usize| format!("{path}:{}:{c}\n", window.first_line);
        (place(counted), place(column))
    });
    let mut snippet = Snippet::source(window.text)
        .line_start(window.first_line)
        .path(path.clone());
    if primary {
        snippet = snippet.fold(false);
    }
    (group.element(snippet.annotation(annotation)), fix)
}

/// Puts each cut line's true column into its header, in order, after the title.
fn fix_headers(mut text: String, fixes: &[(String, String)]) -> String {
    let mut from = text.find('\n').unwrap_or(text.len());
    for (shown, true_place) in fixes {
        if let Some(at) = text[from..].find(shown.as_str()) {
            let at = from + at;
            text.replace_range(at..at + shown.len(), true_place);
            from = at + true_place.len();
        }
    }
    text
}

/// The files' texts and line indexes, by path.
struct Sources<'a> {
    files: HashMap<&'a str, (&'a str, LineIndex)>,
}

impl<'a> Sources<'a> {
    fn new(analysis: &'a Analysis) -> Sources<'a> {
        let mut files = HashMap::new();
        for file in &analysis.model.files {
            // The first of two files with one path is the one a finding is shown in.
            files
                .entry(&*file.path)
                .or_insert_with(|| (file.text.as_str(), LineIndex::new(&file.text)));
        }
        Sources { files }
    }

    fn window(&self, loc: &Location) -> Option<Window> {
        let (text, index) = self.files.get(&*loc.file)?;
        Window::new(text, index, loc)
    }
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
