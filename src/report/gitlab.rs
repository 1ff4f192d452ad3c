//! `--format gitlab`: a GitLab Code Quality report (the CodeClimate subset GitLab reads)
//! for the merge-request widget and the pipeline's Code Quality tab.
//!
//! Severities: error → `major`, warning → `minor`, info → `info` (as GitLab's own ESLint
//! formatter maps them; `critical` and `blocker` are left for security scanners).
//! Suppressed findings are left out: GitLab has no notion of a suppressed issue.

use super::fingerprint::fingerprints;
use super::paths::Paths;
use super::Context;
use crate::analysis::Analysis;
use crate::finding::Severity;
use crate::rules::{find, Family};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: &'static str,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<Content>,
    categories: Vec<&'static str>,
    severity: &'static str,
    fingerprint: &'a str,
    location: IssueLocation,
}

#[derive(Serialize)]
struct Content {
    body: String,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

/// `--format gitlab`.
pub struct Gitlab;

impl super::Emitter for Gitlab {
    fn emit(&self, out: &mut dyn Write, analysis: &Analysis, context: &Context) -> io::Result<()> {
        out.write_all(render(analysis, context.paths).as_bytes())
    }
}

fn render(analysis: &Analysis, paths: &Paths) -> String {
    let fingerprints = fingerprints(analysis, paths);
    let first_file = analysis.model.files.first().map(|f| &*f.path).unwrap_or("");
    let issues: Vec<Issue> = analysis
        .findings
        .iter()
        .zip(&fingerprints)
        .filter(|(f, _)| f.suppressed.is_none())
        .map(|(f, fp)| {
            // GitLab requires a path and a line; a finding about no place in particular
            // is shown at the top of the first file.
            let (file, begin, end) = match &f.location {
                Some(l) => (&*l.file, l.line.max(1), l.end_line.max(l.line).max(1)),
                None => (first_file, 1, 1),
            };
            let family = find(f.code).map(|r| r.family);
            Issue {
                kind: "issue",
                check_name: f.code,
                description: format!("{} [{} {}]", f.message, f.code, f.name),
                content: f.help.as_ref().map(|h| Content {
                    body: format!("help: {h}"),
                }),
                categories: vec![category(family)],
                severity: severity(f.severity),
                fingerprint: fp,
                location: IssueLocation {
                    path: paths.display(file),
                    lines: Lines { begin, end },
                },
            }
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&issues).expect("report serialises");
    out.push('\n');
    out
}

pub fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// CodeClimate's category for a rule family.
fn category(family: Option<Family>) -> &'static str {
    match family {
        Some(Family::Sync | Family::Async | Family::Capacity) => "Performance",
        Some(Family::Graph) => "Complexity",
        Some(Family::Observability) => "Clarity",
        // A model that disagrees with the running system misleads every other check.
        Some(Family::Model | Family::Decision | Family::Resilience | Family::Drift) | None => {
            "Bug Risk"
        }
    }
}
