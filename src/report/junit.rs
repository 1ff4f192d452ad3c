//! `--format junit`: JUnit XML for CI test reports (GitLab, Jenkins, Azure, CircleCI).
//!
//! One `<testsuite>` per architecture file; in it one `<testcase>` per interaction
//! (name: the interaction id, classname: the system) and one named after the file for
//! what belongs to no interaction (loader errors, services). A case fails when it has
//! findings at or above `--fail-on`; quick-junit gives a case one status, so its single
//! `<failure>` lists every such finding. Findings below the level and suppressed ones go
//! to the case's `<system-out>`. Valid against Jenkins' junit-10.xsd; no timestamps or
//! times, so the output is byte-identical from run to run.

use super::paths::Paths;
use super::{position, Context};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
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
    let classname = model.system.clone().unwrap_or_else(|| "commsplan".into());
    let mut report = Report::new("commsplan");
    // Each finding's case: its interaction's, or its file's.
    let homes: Vec<(usize, Option<&str>)> = analysis
        .findings
        .iter()
        .map(|f| {
            match f
                .interaction
                .as_deref()
                .and_then(|id| model.interaction(id))
            {
                Some(decl) => (decl.origin.file, Some(decl.id())),
                None => (file_of(analysis, f), None),
            }
        })
        .collect();
    let findings_of = |file: usize, id: Option<&str>| -> Vec<&Finding> {
        analysis
            .findings
            .iter()
            .zip(&homes)
            .filter(|(_, home)| **home == (file, id))
            .map(|(f, _)| f)
            .collect()
    };
    for (index, file) in model.files.iter().enumerate() {
        let name = paths.display(&file.path);
        let mut suite = TestSuite::new(name.as_str());
        suite.add_test_case(case(
            &name,
            &classname,
            &findings_of(index, None),
            paths,
            fail_on,
        ));
        for decl in model.interactions.iter().filter(|d| d.origin.file == index) {
            let findings = findings_of(index, Some(decl.id()));
            suite.add_test_case(case(decl.id(), &classname, &findings, paths, fail_on));
        }
        report.add_test_suite(suite);
    }
    let xml = report.to_string().expect("JUnit report serialises");
    // quick-junit writes `skipped` on <testsuites>, which junit-10.xsd does not allow
    // there (it does on <testsuite>). Attribute values are escaped, so the first
    // ` skipped="0"` is that attribute; commsplan never skips a case.
    xml.replacen(" skipped=\"0\"", "", 1)
}

/// The index of the file a finding points at; the first file when it points nowhere.
fn file_of(analysis: &Analysis, finding: &Finding) -> usize {
    finding
        .location
        .as_ref()
        .and_then(|loc| analysis.model.files.iter().position(|f| f.path == loc.file))
        .unwrap_or(0)
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
        .filter(|f| f.suppressed.is_none() && fail_on.is_some_and(|t| f.severity >= t))
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
                .set_message(format!("{}: {}{more}", first.code, first.message))
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
        .filter(|f| !failing.iter().any(|g| std::ptr::eq(*g, **f)))
        .map(|f| describe(f, paths))
        .collect();
    if !others.is_empty() {
        case.set_system_out(others.join("\n\n"));
    }
    case
}

/// A finding as plain text, the way a test log shows it.
fn describe(finding: &Finding, paths: &Paths) -> String {
    let mut s = format!("{}[{}] {}", finding.severity, finding.code, finding.message);
    if let Some(loc) = &finding.location {
        s.push_str(&format!(
            "\n  --> {}",
            position(&paths.display(&loc.file), loc)
        ));
    }
    if let Some(help) = &finding.help {
        s.push_str(&format!("\n  help: {help}"));
    }
    if let Some(sup) = &finding.suppressed {
        s.push_str(&format!("\n  suppressed: {}", sup.reason));
    }
    s
}
