//! `--format junit`: JUnit XML for CI test reports (GitLab, Jenkins, Azure, CircleCI).
//!
//! One `<testsuite>` per architecture file; in it one `<testcase>` per interaction
//! (name: the interaction id, classname: the system) and one named after the file for
//! what belongs to no interaction (loader errors, services). A case fails when it has
//! findings at or above `--fail-on`; quick-junit gives a case one status, so its single
//! `<failure>` lists every such finding. Findings below the level and suppressed ones go
//! to the case's `<system-out>`. Valid against Jenkins' junit-10.xsd; no timestamps or
//! times, so the output is byte-identical from run to run.

use super::escape::one_line;
use super::paths::Paths;
use super::{position, Context};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::HashMap;
use std::io::{self, Write};

/// `--format junit`; a case fails at `--fail-on`.
pub struct Junit;

impl super::Emitter for Junit {
    fn emit(&self, out: &mut dyn Write, analysis: &Analysis, context: &Context) -> io::Result<()> {
        out.write_all(render(analysis, context.paths, context.fail_on).as_bytes())
    }
}

fn render(analysis: &Analysis, paths: &Paths, fail_on: Option<Severity>) -> String {
    let model = &analysis.model;
    let classname = attribute(model.system.as_deref().unwrap_or("commsplan"));
    let mut report = Report::new("commsplan");
    let homes = homes(analysis);
    let take = |file: usize, id: Option<&str>| homes.get(&(file, id)).cloned().unwrap_or_default();
    for (index, file) in model.files.iter().enumerate() {
        let name = attribute(&paths.display(&file.path));
        let mut suite = TestSuite::new(name.as_str());
        suite.add_test_case(case(&name, &classname, &take(index, None), paths, fail_on));
        for decl in model.interactions.iter().filter(|d| d.origin.file == index) {
            let findings = take(index, Some(decl.id()));
            let name = attribute(decl.id());
            suite.add_test_case(case(&name, &classname, &findings, paths, fail_on));
        }
        report.add_test_suite(suite);
    }
    let xml = report.to_string().expect("JUnit report serialises");
    // quick-junit writes `skipped` on <testsuites>, which junit-10.xsd does not allow
    // there (it does on <testsuite>). Attribute values are escaped, so the first
    // ` skipped="0"` is that attribute; commsplan never skips a case.
    xml.replacen(" skipped=\"0\"", "", 1)
}

/// The findings of each case, by (file, interaction id): an interaction's findings go to
/// its case (the first interaction of that id), the others to their file's.
fn homes(analysis: &Analysis) -> HashMap<(usize, Option<&str>), Vec<&Finding>> {
    let model = &analysis.model;
    let mut interactions: HashMap<&str, usize> = HashMap::new();
    for decl in &model.interactions {
        interactions.entry(decl.id()).or_insert(decl.origin.file);
    }
    let files: HashMap<&str, usize> = model
        .files
        .iter()
        .enumerate()
        .rev()
        .map(|(i, f)| (&*f.path, i))
        .collect();
    let mut homes: HashMap<(usize, Option<&str>), Vec<&Finding>> = HashMap::new();
    for f in &analysis.findings {
        // A grouped finding fails the case of every interaction it affects.
        let mut members: Vec<&str> = f
            .affected
            .iter()
            .filter_map(|a| a.interaction.as_deref())
            .collect();
        members.dedup();
        let mut placed = false;
        for id in members.iter().skip(1) {
            if let Some((&id, &file)) = interactions.get_key_value(id) {
                homes.entry((file, Some(id))).or_default().push(f);
                placed = true;
            }
        }
        let first = members.first().copied().or(f.interaction.as_deref());
        let interaction = first.and_then(|id| {
            let (&id, &file) = interactions.get_key_value(id)?;
            Some((file, Some(id)))
        });
        if placed && interaction.is_none() {
            continue;
        }
        let home = interaction.unwrap_or_else(|| {
            let file = f
                .location
                .as_ref()
                .and_then(|l| files.get(&*l.file).copied());
            (file.unwrap_or(0), None)
        });
        homes.entry(home).or_default().push(f);
    }
    homes
}

fn case(
    name: &str,
    classname: &str,
    findings: &[&Finding],
    paths: &Paths,
    fail_on: Option<Severity>,
) -> TestCase {
    let failing: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| fails(f, fail_on))
        .collect();
    let status = match failing.first() {
        None => TestCaseStatus::success(),
        Some(first) => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let more = match failing.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            status
                .set_message(format!(
                    "{}: {}{more}",
                    first.code,
                    one_line(&first.message)
                ))
                .set_type(failing.iter().map(|f| f.code).collect::<Vec<_>>().join(" "))
                .set_description(
                    failing
                        .iter()
                        .map(|f| describe(f, paths))
                        .collect::<Vec<_>>()
                        .join("\n\n"),
                );
            status
        }
    };
    let mut case = TestCase::new(name, status);
    case.set_classname(classname);
    let others: Vec<String> = findings
        .iter()
        .filter(|f| !fails(f, fail_on))
        .map(|f| describe(f, paths))
        .collect();
    if !others.is_empty() {
        case.set_system_out(others.join("\n\n"));
    }
    case
}

/// Attribute values stay on one line: an XML parser would read a raw line break as a
/// space, and a CI log that prints the file would show it as a new line.
fn attribute(s: &str) -> String {
    one_line(s).into_owned()
}

fn fails(finding: &Finding, fail_on: Option<Severity>) -> bool {
    finding.suppressed.is_none() && fail_on.is_some_and(|t| finding.severity >= t)
}

/// A finding as plain text, the way a test log shows it.
fn describe(finding: &Finding, paths: &Paths) -> String {
    let mut s = format!(
        "{}[{}] {}",
        finding.severity,
        finding.code,
        one_line(&finding.message)
    );
    if let Some(loc) = &finding.location {
        let file = paths.display(&loc.file);
        s.push_str(&format!("\n  --> {}", position(&one_line(&file), loc)));
    }
    if let Some(help) = &finding.help {
        s.push_str(&format!("\n  help: {}", one_line(help)));
    }
    if let Some(sup) = &finding.suppressed {
        s.push_str(&format!("\n  suppressed: {}", one_line(&sup.reason)));
    }
    s
}
