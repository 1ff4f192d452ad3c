//! Output formats. Each renders the same [`Analysis`]; none of them changes what a
//! finding says.
//!
//! Every format is an [`Emitter`], as every ruff output format is one of its `Emitter`
//! (`crates/ruff_linter/src/message/mod.rs`): it is given the analysis, a [`Context`]
//! shared by all formats, and a writer. What differs between runs of one format (colour,
//! `--quiet`, `--statistics`) is an option of its emitter, chosen by [`emitter`].

pub mod escape;
pub mod fingerprint;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod paths;
pub mod sarif;
mod snippet;
pub mod statistics;
pub mod table;

use crate::analysis::Analysis;
use crate::finding::{Location, Severity};
use paths::Paths;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Decisions table and rustc-style diagnostics (for people).
    Table,
    /// The JSON report described in docs/format.md (for scripts).
    Json,
    /// SARIF 2.1.0 (GitHub code scanning, IDE SARIF viewers).
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…::…`): annotations on a PR.
    Github,
    /// JUnit XML: one test suite per file, one test case per interaction.
    Junit,
    /// GitLab Code Quality JSON (merge-request widget).
    Gitlab,
    /// A Markdown design-review page (PR comment, job summary).
    Markdown,
}

impl Format {
    /// Whether `--statistics` can take this format's place on standard output.
    pub fn has_statistics(self) -> bool {
        matches!(self, Format::Table | Format::Json)
    }
}

/// The spelling users type after `--format`, as clap parses it.
impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use clap::ValueEnum as _;
        let value = self
            .to_possible_value()
            .expect("no format is skipped by clap");
        f.write_str(value.get_name())
    }
}

/// What a report is written against, the same for every format of a run.
pub struct Context<'a> {
    /// How file paths are shown (relative to `--root`).
    pub paths: &'a Paths,
    /// `--fail-on`: the severity from which a finding fails the run.
    pub fail_on: Option<Severity>,
}

/// One output format.
pub trait Emitter {
    fn emit(
        &self,
        out: &mut dyn Write,
        analysis: &Analysis,
        context: &Context,
    ) -> std::io::Result<()>;
}

/// How one report of a run is to be written, beyond its format.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub color: bool,
    /// `--quiet`: the findings only.
    pub quiet: bool,
    /// `--statistics`: counts per rule in place of the report (table and json).
    pub statistics: bool,
}

/// The emitter of `format` with `options`.
pub fn emitter(format: Format, options: Options) -> Box<dyn Emitter> {
    match format {
        Format::Table if options.statistics => Box::new(statistics::Text),
        Format::Json if options.statistics => Box::new(statistics::Json),
        Format::Table => Box::new(table::Table {
            color: options.color,
            quiet: options.quiet,
        }),
        Format::Json => Box::new(json::Json),
        Format::Sarif => Box::new(sarif::Sarif),
        Format::Github => Box::new(github::Github),
        Format::Junit => Box::new(junit::Junit),
        Format::Gitlab => Box::new(gitlab::Gitlab),
        Format::Markdown => Box::new(markdown::Markdown {
            quiet: options.quiet,
        }),
    }
}

/// A report held whole, for tests and for messages built around a report.
pub fn to_string(emitter: &dyn Emitter, analysis: &Analysis, context: &Context) -> String {
    let mut out = Vec::new();
    emitter
        .emit(&mut out, analysis, context)
        .expect("writing to memory does not fail");
    String::from_utf8(out).expect("reports are UTF-8")
}

/// `file:line:column`, the way every text report points at a place.
pub fn position(file: &str, location: &Location) -> String {
    format!("{file}:{}:{}", location.line, location.column)
}

/// A view of one interaction as the reports show it.
pub struct InteractionRow<'a> {
    pub id: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub recommended: Option<&'static str>,
    pub declared: Option<&'static str>,
    pub path: &'a [&'static str],
    pub reasons: &'a [String],
    pub location: Location,
}

pub fn interaction_rows(analysis: &Analysis) -> Vec<InteractionRow<'_>> {
    let model = &analysis.model;
    model
        .interactions
        .iter()
        .zip(&analysis.decisions)
        .map(|(decl, decision)| InteractionRow {
            id: &decl.interaction.id,
            from: &decl.interaction.from,
            to: &decl.interaction.to,
            recommended: decision.recommended.map(|p| p.as_str()),
            declared: decl.uses().pattern.map(|p| p.as_str()),
            path: &decision.path,
            reasons: &decision.reasons,
            location: model.locate(&decl.origin, ""),
        })
        .collect()
}

/// "23 interactions", "1 error", "14 warnings", "3 infos": the counts every summary shows,
/// unsuppressed findings only.
pub fn count_phrases(analysis: &Analysis) -> [String; 4] {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    [
        plural(
            analysis.model.interactions.len(),
            "interaction",
            "interactions",
        ),
        plural(analysis.count(Severity::Error), "error", "errors"),
        plural(analysis.count(Severity::Warning), "warning", "warnings"),
        plural(analysis.count(Severity::Info), "info", "infos"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn format_names_are_the_ones_clap_parses() {
        for format in Format::value_variants() {
            let name = format.to_string();
            assert_eq!(Format::from_str(&name, false), Ok(*format), "{name}");
        }
        assert_eq!(Format::Markdown.to_string(), "markdown");
    }
}
