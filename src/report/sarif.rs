//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and SARIF viewers.
//!
//! GitHub's requirements beyond the schema (Multitool `GH` rules): `$schema` and
//! `version`, a `results` array even when clean, `message.text`, a relative
//! `artifactLocation.uri` and `region.startLine` on every result, and stable
//! `partialFingerprints` so that alerts survive edits above them.

use super::fingerprint::fingerprints;
use super::paths::{uri_path, Paths, Relative};
use super::Context;
use crate::analysis::Analysis;
use crate::finding::{Finding, Location as Loc, Severity};
use crate::rules::{registry, RuleInfo};
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run,
    RunAutomationDetails, Sarif as Log, Suppression, Tool, ToolComponent,
};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The final 2.1.0 schema, in the spelling GitHub accepts (GH1011).
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The base that relative `artifactLocation.uri`s resolve against: the checkout.
pub const SRCROOT: &str = "%SRCROOT%";
/// Key of our entry in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "commsplan/v1";

/// `--format sarif`.
pub struct Sarif;

impl super::Emitter for Sarif {
    fn emit(&self, out: &mut dyn Write, analysis: &Analysis, context: &Context) -> io::Result<()> {
        out.write_all(render(analysis, context.paths).as_bytes())
    }
}

fn render(analysis: &Analysis, paths: &Paths) -> String {
    let rules = registry();
    let fingerprints = fingerprints(analysis, paths);
    let results: Vec<SarifResult> = analysis
        .findings
        .iter()
        .zip(&fingerprints)
        .map(|(finding, fp)| result(finding, fp, &rules, paths))
        .collect();

    let mut driver = ToolComponent::builder()
        .name("commsplan")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules.iter().map(|r| descriptor(r)).collect::<Vec<_>>())
        .build();
    // Only a real address: a made-up URL would send users nowhere.
    let homepage = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty());
    driver.information_uri = homepage.map(str::to_string);

    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .automation_details(
            RunAutomationDetails::builder()
                .id(automation_id(analysis.model.system.as_deref()))
                .build(),
        )
        .build();
    let log = Log::builder()
        .schema(SCHEMA)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut out = serde_json::to_string_pretty(&log).expect("SARIF serialises");
    out.push('\n');
    out
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn descriptor(rule: &RuleInfo) -> ReportingDescriptor {
    let doc = rule.doc.trim();
    let full = section(doc, "What it checks").unwrap_or(rule.summary);
    let mut d = ReportingDescriptor::builder()
        .id(rule.code)
        .name(rule.name)
        .short_description(
            MultiformatMessageString::builder()
                .text(rule.summary)
                .build(),
        )
        .full_description(MultiformatMessageString::builder().text(full).build())
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(rule.severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(vec![
                    "architecture".to_string(),
                    rule.family.as_str().to_string(),
                ])
                .build(),
        )
        .build();
    if !doc.is_empty() {
        d.help = Some(
            MultiformatMessageString::builder()
                .text(doc)
                .markdown(doc)
                .build(),
        );
    }
    d
}

/// The body of `## title` in a rule's documentation, up to the next heading.
fn section<'a>(doc: &'a str, title: &str) -> Option<&'a str> {
    let heading = format!("## {title}\n");
    let start = doc.find(&heading)? + heading.len();
    let rest = &doc[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    let body = rest[..end].trim();
    (!body.is_empty()).then_some(body)
}

fn result(finding: &Finding, fingerprint: &str, rules: &[&RuleInfo], paths: &Paths) -> SarifResult {
    let mut text = finding.message.clone();
    if let Some(help) = &finding.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut r = SarifResult::builder()
        .rule_id(finding.code)
        .level(match finding.severity {
            Severity::Error => ResultLevel::Error,
            Severity::Warning => ResultLevel::Warning,
            Severity::Info => ResultLevel::Note,
        })
        .message(Message::builder().text(text).build())
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            fingerprint.to_string(),
        )]))
        .build();
    r.rule_index = rules
        .iter()
        .position(|rule| rule.code == finding.code)
        .map(|i| i as i64);
    if let Some(loc) = &finding.location {
        let mut location = Location::builder()
            .physical_location(physical(loc, paths))
            .build();
        if let Some(label) = &finding.label {
            location.message = Some(Message::builder().text(label.as_ref()).build());
        }
        r.locations = Some(vec![location]);
    }
    if !finding.related.is_empty() {
        r.related_locations = Some(
            finding
                .related
                .iter()
                .enumerate()
                .map(|(i, rel)| {
                    Location::builder()
                        .id(i as i64 + 1)
                        .physical_location(physical(&rel.location, paths))
                        .message(Message::builder().text(rel.message.as_str()).build())
                        .build()
                })
                .collect(),
        );
    }
    if let Some(s) = &finding.suppressed {
        let mut justification = s.reason.clone();
        if let Some(by) = &s.by {
            justification.push_str(&format!(" (by {by})"));
        }
        if let Some(until) = &s.until {
            justification.push_str(&format!(" (until {until})"));
        }
        let mut suppression = Suppression::builder()
            // Written in the architecture file, or kept in a baseline outside it.
            .kind(json!(if s.location.is_some() {
                "inSource"
            } else {
                "external"
            }))
            .status(json!("accepted"))
            .justification(justification)
            .build();
        if let Some(at) = &s.location {
            suppression.location = Some(
                Location::builder()
                    .physical_location(physical(at, paths))
                    .build(),
            );
        }
        r.suppressions = Some(vec![suppression]);
    }
    r
}

fn physical(loc: &Loc, paths: &Paths) -> PhysicalLocation {
    let artifact = match paths.relative(&loc.file) {
        Relative::Inside(rel) => ArtifactLocation::builder()
            .uri(uri_path(&rel))
            .uri_base_id(SRCROOT)
            .build(),
        Relative::Outside(given) if given.starts_with('/') => ArtifactLocation::builder()
            .uri(format!("file://{}", uri_path(&given)))
            .build(),
        Relative::Outside(given) => ArtifactLocation::builder().uri(uri_path(&given)).build(),
    };
    let end_line = loc.end_line.max(loc.line);
    // SARIF's endColumn is exclusive, as ours is; an empty range is widened to one
    // character so that viewers have something to highlight.
    let end_column = if end_line == loc.line {
        loc.end_column.max(loc.column + 1)
    } else {
        loc.end_column.max(1)
    };
    PhysicalLocation::builder()
        .artifact_location(artifact)
        .region(
            Region::builder()
                .start_line(i64::from(loc.line.max(1)))
                .start_column(i64::from(loc.column.max(1)))
                .end_line(i64::from(end_line.max(1)))
                .end_column(i64::from(end_column))
                .build(),
        )
        .build()
}

/// `runAutomationDetails.id`: GitHub's category (everything before the last `/`), so
/// that reports of two systems in one repository do not close each other's alerts.
fn automation_id(system: Option<&str>) -> String {
    let name: String = system
        .unwrap_or("system")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("commsplan/{name}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_sections() {
        let doc = "## What it checks\nThat x.\n\n## Why\nBecause.\n";
        assert_eq!(section(doc, "What it checks"), Some("That x."));
        assert_eq!(section(doc, "Why"), Some("Because."));
        assert_eq!(section(doc, "Fix"), None);
    }

    #[test]
    fn automation_ids_are_plain() {
        assert_eq!(
            automation_id(Some("hostile \"names\", 100%")),
            "commsplan/hostile--names---100-/"
        );
        assert_eq!(automation_id(None), "commsplan/system/");
    }
}
