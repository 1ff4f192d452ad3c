//! The labelled review corpus: public systems described from their source code
//! (tests/review-corpus/<system>.yaml), each with the problems a senior reviewer would raise
//! and the findings that would be noise (<system>.labels.yaml). This suite measures, per
//! system, how many of those problems commsplan raises (recall), how much of what it reports
//! belongs to a labelled problem (precision), how many findings each raised problem costs
//! the reader, and how much labelled noise it prints.
//!
//! `cargo test --test review_corpus -- --nocapture` prints the table;
//! `REVIEW_CORPUS_WRITE=1 cargo test --test review_corpus` also writes it into
//! docs/review-corpus.md.

use commsplan::analysis::{analyze, sort_by_risk, Analysis};
use commsplan::finding::{Finding, Severity};
use commsplan::model::yaml::{parse, Limits};
use commsplan::model::LoadOptions;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const SYSTEMS: &[&str] = &[
    "teastore",
    "piggymetrics",
    "lakeside-mutual",
    "hotel-reservation",
    "eshop-on-containers",
];

/// The examples under examples/, labelled the same way (tests/review-corpus/examples/):
/// the name in the table, the file analysed, and its labels. The multi-team example is the
/// shop split by team, so it is held to the shop's labels.
const EXAMPLES: &[(&str, &str, &str)] = &[
    (
        "online-boutique",
        "examples/online-boutique.yaml",
        "online-boutique",
    ),
    ("ecommerce", "examples/ecommerce.yaml", "shop"),
    ("multi-team", "examples/multi-team/system.yaml", "shop"),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Labels {
    system: String,
    problems: Vec<Problem>,
    #[serde(default)]
    noise: Vec<Noise>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Problem {
    id: String,
    statement: String,
    severity: String,
    /// The rule that raises it today, if any.
    code: Option<String>,
    /// The rule that would express it fully, where none does today.
    #[serde(default)]
    proposed: Option<String>,
    /// Where `code` now gives the proposed rule's reason itself: a phrase its finding's
    /// message must contain for the problem to count in full.
    #[serde(default)]
    says: Option<String>,
    #[serde(default)]
    interactions: Vec<String>,
    #[serde(default)]
    services: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Noise {
    code: String,
    #[serde(default)]
    interactions: Vec<String>,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    everywhere: bool,
    why: String,
}

/// A finding is placed by the interaction or the service it is about.
fn concerns(finding: &Finding, interactions: &[String], services: &[String]) -> bool {
    let named = |name: &Option<String>, list: &[String]| {
        name.as_deref()
            .is_some_and(|n| list.iter().any(|item| item == n))
    };
    // A finding that stands for one cause shared by several interactions concerns each.
    let member = finding
        .affected
        .iter()
        .any(|a| named(&a.interaction, interactions) || named(&a.service, services));
    member || named(&finding.interaction, interactions) || named(&finding.service, services)
}

impl Problem {
    fn matches(&self, finding: &Finding) -> bool {
        self.code.as_deref() == Some(finding.code)
            && concerns(finding, &self.interactions, &self.services)
    }

    /// Whether one of `hits` gives the reason `says` asks for (in its message or in a
    /// grouped member's).
    fn says_it(&self, hits: &[&Finding]) -> bool {
        self.says.as_deref().is_some_and(|phrase| {
            hits.iter().any(|f| {
                f.message.contains(phrase) || f.affected.iter().any(|a| a.message.contains(phrase))
            })
        })
    }
}

impl Noise {
    fn matches(&self, finding: &Finding) -> bool {
        self.code == finding.code
            && (self.everywhere || concerns(finding, &self.interactions, &self.services))
    }
}

struct System {
    name: &'static str,
    labels: Labels,
    analysis: Analysis,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/review-corpus")
}

fn load(name: &'static str) -> System {
    let dir = corpus_dir();
    load_from(
        name,
        &dir.join(format!("{name}.yaml")),
        &dir.join(format!("{name}.labels.yaml")),
    )
}

fn load_from(name: &'static str, file: &Path, labels_path: &Path) -> System {
    let text = std::fs::read_to_string(labels_path).expect("labels file is readable");
    let parsed = parse(&text, Limits::default());
    assert!(
        parsed.problems.is_empty(),
        "{}: {:?}",
        labels_path.display(),
        parsed.problems
    );
    let (value, _) = parsed.root.expect("labels file holds a document");
    let labels: Labels =
        serde_json::from_value(value).unwrap_or_else(|e| panic!("{}: {e}", labels_path.display()));
    let analysis = analyze(&[file], &LoadOptions::default()).expect("system file is readable");
    System {
        name,
        labels,
        analysis,
    }
}

fn systems() -> Vec<System> {
    SYSTEMS.iter().map(|name| load(name)).collect()
}

fn examples() -> Vec<System> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    EXAMPLES
        .iter()
        .map(|(name, file, labels)| {
            load_from(
                name,
                &root.join(file),
                &corpus_dir().join(format!("examples/{labels}.labels.yaml")),
            )
        })
        .collect()
}

/// The corpus systems, then the examples.
fn everything() -> Vec<System> {
    let mut all = systems();
    all.extend(examples());
    all
}

fn active(analysis: &Analysis) -> impl Iterator<Item = &Finding> {
    analysis.findings.iter().filter(|f| f.suppressed.is_none())
}

fn severity_name(severity: Severity) -> String {
    serde_json::to_value(severity)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The figures of one system.
#[derive(Default)]
struct Figures {
    problems: usize,
    expressible: usize,
    raised: usize,
    /// Raised by a rule of today that catches it only in part (the label also names a
    /// proposed rule).
    partly: usize,
    findings: usize,
    on_problems: usize,
    noise: usize,
    unlabelled: usize,
    /// Findings per raised problem, by problem id.
    per_problem: BTreeMap<String, usize>,
    /// Raised problems whose findings' severity differs from the labelled one.
    severity_mismatch: Vec<String>,
    missed: Vec<String>,
    unlabelled_findings: Vec<String>,
    noise_findings: Vec<String>,
    /// Of the first five findings printed, how many are on a labelled problem: in
    /// position order (`--sort position`) and in risk order (the table's default).
    top_five_position: usize,
    top_five_risk: usize,
    /// The first five findings in risk order, each with what its label says it is.
    top_five: Vec<String>,
}

impl Figures {
    fn recall(&self) -> f64 {
        ratio(self.raised, self.problems)
    }

    fn precision(&self) -> f64 {
        ratio(self.on_problems, self.findings)
    }

    fn per_raised_problem(&self) -> f64 {
        ratio(self.on_problems, self.raised)
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn measure(system: &System) -> Figures {
    let mut figures = Figures {
        problems: system.labels.problems.len(),
        expressible: system
            .labels
            .problems
            .iter()
            .filter(|p| p.code.is_some())
            .count(),
        ..Figures::default()
    };
    for problem in &system.labels.problems {
        let hits: Vec<&Finding> = active(&system.analysis)
            .filter(|f| problem.matches(f))
            .collect();
        if hits.is_empty() {
            figures.missed.push(problem.id.clone());
            continue;
        }
        figures.raised += 1;
        // Kept as history once the proposed rule exists and is the one that raises it.
        let by_proposed = problem.proposed.as_deref()
            == problem
                .code
                .as_deref()
                .and_then(commsplan::rules::find)
                .map(|r| r.name);
        if problem.proposed.is_some() && !by_proposed && !problem.says_it(&hits) {
            figures.partly += 1;
        }
        figures.per_problem.insert(problem.id.clone(), hits.len());
        let differing: Vec<String> = hits
            .iter()
            .filter(|f| severity_name(f.severity) != problem.severity)
            .map(|f| format!("{} {}", f.code, severity_name(f.severity)))
            .collect();
        if !differing.is_empty() {
            figures.severity_mismatch.push(format!(
                "{} (reviewer: {}; {})",
                problem.id,
                problem.severity,
                differing.join(", ")
            ));
        }
    }
    let on_a_problem = |f: &&Finding| system.labels.problems.iter().any(|p| p.matches(f));
    let mut by_risk: Vec<Finding> = active(&system.analysis).cloned().collect();
    figures.top_five_position = by_risk.iter().take(5).filter(on_a_problem).count();
    sort_by_risk(&mut by_risk);
    figures.top_five_risk = by_risk.iter().take(5).filter(on_a_problem).count();
    figures.top_five = by_risk
        .iter()
        .take(TOP)
        .map(|f| format!("{} on {} ({})", f.code, subject(f), label_of(system, f)))
        .collect();
    for finding in active(&system.analysis) {
        figures.findings += 1;
        if system.labels.problems.iter().any(|p| p.matches(finding)) {
            figures.on_problems += 1;
        } else if system.labels.noise.iter().any(|n| n.matches(finding)) {
            figures.noise += 1;
            figures
                .noise_findings
                .push(format!("{} on {}", finding.code, subject(finding)));
        } else {
            figures.unlabelled += 1;
            figures
                .unlabelled_findings
                .push(format!("{} on {}", finding.code, subject(finding)));
        }
    }
    figures
}

const TOP: usize = 5;
fn subject(finding: &Finding) -> &str {
    finding
        .interaction
        .as_deref()
        .or(finding.service.as_deref())
        .unwrap_or("the system")
}

/// The problem a finding belongs to, else "noise" or "unlabelled".
fn label_of(system: &System, finding: &Finding) -> String {
    let problems: Vec<&str> = system
        .labels
        .problems
        .iter()
        .filter(|p| p.matches(finding))
        .map(|p| p.id.as_str())
        .collect();
    if !problems.is_empty() {
        problems.join(", ")
    } else if system.labels.noise.iter().any(|n| n.matches(finding)) {
        "noise".to_owned()
    } else {
        "unlabelled".to_owned()
    }
}

fn table(measured: &[(&str, Figures)]) -> String {
    let mut out = String::new();
    out.push_str(
        "| system | problems | expressible today | raised | of which in part | recall | findings | \
         on a problem | labelled noise | unlabelled | precision | findings per raised problem | \
         severity differs | first five on a problem: position order | risk order |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    let mut total = Figures::default();
    for (name, f) in measured {
        row(&mut out, name, f);
        total.problems += f.problems;
        total.expressible += f.expressible;
        total.raised += f.raised;
        total.partly += f.partly;
        total.findings += f.findings;
        total.on_problems += f.on_problems;
        total.noise += f.noise;
        total.unlabelled += f.unlabelled;
        total
            .severity_mismatch
            .extend(f.severity_mismatch.iter().cloned());
        total.top_five_position += f.top_five_position;
        total.top_five_risk += f.top_five_risk;
    }
    row(&mut out, "**all**", &total);
    out.push('\n');
    for (name, f) in measured {
        let per: Vec<String> = f
            .per_problem
            .iter()
            .map(|(id, n)| format!("{id} {n}"))
            .collect();
        let _ = writeln!(
            out,
            "- {name}: findings per raised problem: {}",
            per.join(", ")
        );
        let _ = writeln!(out, "  - missed: {}", list(&f.missed));
        let _ = writeln!(
            out,
            "  - severity differs from the label: {}",
            list(&f.severity_mismatch)
        );
        let _ = writeln!(
            out,
            "  - first five in risk order: {}",
            f.top_five.join("; ")
        );
        if !f.unlabelled_findings.is_empty() {
            let _ = writeln!(out, "  - unlabelled: {}", f.unlabelled_findings.join(", "));
        }
    }
    out
}

fn row(out: &mut String, name: &str, f: &Figures) {
    let _ = writeln!(
        out,
        "| {name} | {} | {} | {} | {} | {:.0} % | {} | {} | {} | {} | {:.0} % | {:.1} | {} | {} | {} |",
        f.problems,
        f.expressible,
        f.raised,
        f.partly,
        100.0 * f.recall(),
        f.findings,
        f.on_problems,
        f.noise,
        f.unlabelled,
        100.0 * f.precision(),
        f.per_raised_problem(),
        f.severity_mismatch.len(),
        f.top_five_position,
        f.top_five_risk,
    );
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

const START: &str = "<!-- figures:start -->";
const END: &str = "<!-- figures:end -->";

fn write_into_docs(table: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/review-corpus.md");
    let text = std::fs::read_to_string(&path).expect("docs/review-corpus.md is readable");
    let (Some(start), Some(end)) = (text.find(START), text.find(END)) else {
        panic!("docs/review-corpus.md has no {START} ... {END} section");
    };
    let updated = format!("{}{START}\n{table}{}", &text[..start], &text[end..],);
    std::fs::write(&path, updated).expect("docs/review-corpus.md is writable");
}

#[test]
fn every_system_loads_without_model_errors() {
    for system in everything() {
        let model: Vec<String> = system
            .analysis
            .findings
            .iter()
            .filter(|f| f.code.starts_with('M'))
            .map(|f| format!("{} {}", f.code, f.message))
            .collect();
        assert!(model.is_empty(), "{}: {model:?}", system.name);
        assert_eq!(
            Some(system.labels.system.as_str()),
            system.analysis.model.system.as_deref(),
            "{}",
            system.name
        );
        assert!(
            system.analysis.model.interactions.len() >= 10,
            "{}: a corpus system is described in full",
            system.name
        );
    }
}

fn check(
    errors: &mut Vec<String>,
    what: &str,
    owner: &str,
    names: &[String],
    known: &BTreeSet<&str>,
) {
    for name in names {
        if !known.contains(name.as_str()) {
            errors.push(format!("{owner}: {what} `{name}` is not in the file"));
        }
    }
}

#[test]
fn labels_name_real_interactions_services_and_rules() {
    for system in everything() {
        let model = &system.analysis.model;
        let interactions: BTreeSet<&str> = model.interactions.iter().map(|i| i.id()).collect();
        let services: BTreeSet<&str> = model.services.keys().map(String::as_str).collect();
        let mut ids = BTreeSet::new();
        let mut errors = Vec::new();
        for p in &system.labels.problems {
            check(
                &mut errors,
                "interaction",
                &p.id,
                &p.interactions,
                &interactions,
            );
            check(&mut errors, "service", &p.id, &p.services, &services);
            if p.interactions.is_empty() && p.services.is_empty() {
                errors.push(format!("{}: names no interaction or service", p.id));
            }
            if !ids.insert(p.id.as_str()) {
                errors.push(format!("{}: problem id used twice", p.id));
            }
            if p.statement.trim().is_empty() {
                errors.push(format!("{}: no statement", p.id));
            }
            if !["error", "warning", "info"].contains(&p.severity.as_str()) {
                errors.push(format!("{}: severity `{}`", p.id, p.severity));
            }
            match (&p.code, &p.proposed) {
                (Some(code), _) if commsplan::rules::find(code).is_none() => {
                    errors.push(format!("{}: no rule `{code}`", p.id))
                }
                (None, None) => {
                    errors.push(format!("{}: neither a code nor a proposed rule", p.id))
                }
                _ => {}
            }
        }
        for n in &system.labels.noise {
            let owner = format!("noise {}", n.code);
            check(
                &mut errors,
                "interaction",
                &owner,
                &n.interactions,
                &interactions,
            );
            check(&mut errors, "service", &owner, &n.services, &services);
            if commsplan::rules::find(&n.code).is_none() {
                errors.push(format!("{owner}: no such rule"));
            }
            if n.why.trim().is_empty() {
                errors.push(format!("{owner}: no reason"));
            }
            if n.everywhere == (!n.interactions.is_empty() || !n.services.is_empty()) {
                errors.push(format!("{owner}: either `everywhere` or a list of names"));
            }
        }
        assert!(errors.is_empty(), "{}: {errors:#?}", system.name);
    }
}

/// A problem that a rule of today expresses must stay raised: losing it is a regression.
#[test]
fn problems_with_a_rule_today_are_raised() {
    let mut missed = Vec::new();
    for system in everything() {
        for p in system.labels.problems.iter().filter(|p| p.code.is_some()) {
            let hits: Vec<&Finding> = active(&system.analysis).filter(|f| p.matches(f)).collect();
            if p.says.is_some() && !hits.is_empty() && !p.says_it(&hits) {
                missed.push(format!(
                    "{}: {} ({} no longer says `{}`)",
                    system.name,
                    p.id,
                    p.code.as_deref().unwrap_or(""),
                    p.says.as_deref().unwrap_or("")
                ));
            }
            if hits.is_empty() {
                missed.push(format!(
                    "{}: {} ({})",
                    system.name,
                    p.id,
                    p.code.as_deref().unwrap_or("")
                ));
            }
        }
    }
    assert!(missed.is_empty(), "no longer raised: {missed:#?}");
}

#[test]
fn figures_today() {
    let systems = systems();
    let measured: Vec<(&str, Figures)> = systems.iter().map(|s| (s.name, measure(s))).collect();
    for (name, f) in &measured {
        assert_eq!(
            f.on_problems + f.noise + f.unlabelled,
            f.findings,
            "{name}: every finding is counted once"
        );
    }
    let examples = examples();
    let measured_examples: Vec<(&str, Figures)> =
        examples.iter().map(|s| (s.name, measure(s))).collect();
    let table = format!(
        "{}\nThe examples under examples/, labelled the same way \
         (tests/review-corpus/examples/):\n\n{}",
        table(&measured),
        table(&measured_examples)
    );
    println!("{table}");
    if std::env::var_os("REVIEW_CORPUS_WRITE").is_some() {
        write_into_docs(&table);
    }
}

/// The targets of the design-level rules: every problem raised, no labelled noise, and no
/// more than three findings per problem.
#[test]
#[ignore = "not met yet: four labelled noise findings that are judgement the file does not carry (D001 on reads a reviewer finds cheap or one-off: PiggyMetrics' statistics, Lakeside's postal-code lookup and on-demand report; R002 on PiggyMetrics' daily rates call), and two differing severities (G011, S001); every labelled problem is raised and takes at most three findings, which the tests above keep"]
fn design_level_targets() {
    let mut failures = Vec::new();
    for system in systems() {
        let f = measure(&system);
        if !f.missed.is_empty() {
            failures.push(format!("{}: missed {:?}", system.name, f.missed));
        }
        if f.noise > 0 {
            failures.push(format!(
                "{}: {} labelled noise findings: {}",
                system.name,
                f.noise,
                f.noise_findings.join(", ")
            ));
        }
        for (id, n) in &f.per_problem {
            if *n > 3 {
                failures.push(format!("{}: {id} takes {n} findings", system.name));
            }
        }
        if !f.severity_mismatch.is_empty() {
            failures.push(format!(
                "{}: severity differs on {:?}",
                system.name, f.severity_mismatch
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The table opens with the top risks: on every system and example, each of the first
/// five findings in risk order is on a labelled problem (as many as there are), and never
/// fewer than in file order.
#[test]
fn risk_order_opens_with_labelled_problems() {
    for system in everything() {
        let f = measure(&system);
        assert!(
            f.top_five_risk >= f.top_five_position,
            "{}: {} of the first five in risk order, {} in position order",
            system.name,
            f.top_five_risk,
            f.top_five_position
        );
        assert_eq!(
            f.top_five_risk,
            f.on_problems.min(TOP),
            "{}: the first five in risk order are {:?}",
            system.name,
            f.top_five
        );
    }
}

/// A reader pays at most three diagnostics for each problem a reviewer raises, on every
/// corpus system and example.
#[test]
fn at_most_three_findings_per_raised_problem() {
    for system in everything() {
        let f = measure(&system);
        let over: Vec<String> = f
            .per_problem
            .iter()
            .filter(|(_, n)| **n > 3)
            .map(|(id, n)| format!("{id} {n}"))
            .collect();
        assert!(over.is_empty(), "{}: {over:?}", system.name);
    }
}
