//! The loader validates and reads the items of `interactions` as the parser completes
//! each one, and falls back to reading the whole document when the file's own `defaults`
//! come after that list. Both ways must give the same model and the same findings, each
//! at its node.

mod common;

use common::TempDir;
use commsplan::finding::Finding;
use commsplan::model::{load, LoadOptions, Model};

const HEAD: &str = "version: 1\nsystem: shop\nservices:\n  web: {}\n  order: {}\n";

const DEFAULTS: &str = "defaults:
  timeout_ms: 800
  retry: { max_attempts: 0, backoff: exponential }
  colour: blue
";

const INTERACTIONS: &str = "interactions:
  - id: web-order
    from: web
    to: order
    needs: { realtime: true }
    uses: { timout_ms: 5, protocol: http }
  - 42
  - id: Web Order Two
    from: web
    to: nowhere
  - id: web-order-three
    from: web
    to: order
    uses: { retry: { max_attempts: 4 } }
    suppress:
      - { rule: S001, reason: checked, until: not-a-date }
      - { rule: S002, reason: checked }
";

fn load_text(text: &str, tag: &str) -> (Model, Vec<Finding>) {
    let dir = TempDir::new(tag);
    let path = dir.write("system.yaml", text);
    load(&[&path], &LoadOptions::default()).expect("the file is read")
}

/// Each finding as its code, message, subject and the source line it points at, so that
/// two files with the same blocks in another order can be compared.
fn described(text: &str, findings: &[Finding]) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = findings
        .iter()
        .map(|f| {
            let at = f.location.as_ref().map_or(String::new(), |l| {
                let line = lines.get(l.line as usize - 1).copied().unwrap_or("");
                format!("{line:?} col {}", l.column)
            });
            format!(
                "{} {} {:?} {:?} at {at}",
                f.code, f.message, f.interaction, f.service
            )
        })
        .collect();
    out.sort();
    out
}

fn interactions(model: &Model) -> Vec<String> {
    model
        .interactions
        .iter()
        .map(|d| {
            format!(
                "{:?} {} {}",
                d.interaction, d.origin.pointer, d.declares_uses
            )
        })
        .collect()
}

#[test]
fn defaults_after_the_interactions_are_read_as_defaults_before_them() {
    let before = format!("{HEAD}{DEFAULTS}{INTERACTIONS}");
    let after = format!("{HEAD}{INTERACTIONS}{DEFAULTS}");
    let (model_before, found_before) = load_text(&before, "stream-before");
    let (model_after, found_after) = load_text(&after, "stream-after");
    assert_eq!(interactions(&model_before), interactions(&model_after));
    assert_eq!(
        described(&before, &found_before),
        described(&after, &found_after)
    );
    // The defaults reached the interactions (all but the one that is not a mapping and
    // the one whose `to` is unknown still load), without their invalid nodes.
    let first = &model_before.interactions[0].interaction;
    let uses = first
        .uses
        .as_ref()
        .expect("defaults give every interaction uses");
    assert_eq!(uses.timeout_ms, Some(800));
    assert!(uses
        .retry
        .as_ref()
        .is_some_and(|r| r.max_attempts.is_none()));
}

#[test]
fn errors_in_items_are_at_their_node_and_name_their_interaction() {
    let text = format!("{HEAD}{DEFAULTS}{INTERACTIONS}");
    let (_, findings) = load_text(&text, "stream-located");
    let at = |code: &str, needle: &str| -> (u32, u32, Option<String>) {
        let f = findings
            .iter()
            .find(|f| f.code == code && f.message.contains(needle))
            .unwrap_or_else(|| panic!("no {code} about {needle}: {findings:#?}"));
        let l = f.location.as_ref().expect("located");
        (l.line, l.column, f.interaction.clone())
    };
    // Line 15 is the first item's `uses`; `timout_ms` starts in column 13.
    assert_eq!(
        at("M002", "timout_ms"),
        (15, 13, Some("web-order".to_string()))
    );
    assert_eq!(at("M003", "interactions[1]"), (16, 5, None));
    assert_eq!(
        at("M010", "Web Order Two"),
        (17, 9, Some("Web Order Two".into()))
    );
    assert_eq!(
        at("M004", "until"),
        (25, 47, Some("web-order-three".to_string()))
    );
    // In `defaults`, once, with no interaction.
    assert_eq!(at("M002", "colour"), (9, 3, None));
    assert_eq!(
        findings
            .iter()
            .filter(|f| f.message.contains("colour"))
            .count(),
        1
    );
}

#[test]
fn a_file_that_stops_parsing_keeps_none_of_its_items() {
    let text = format!("{HEAD}{INTERACTIONS}  - {{ id: \"open, from: web\n");
    let (model, findings) = load_text(&text, "stream-broken");
    assert!(model.interactions.is_empty());
    assert!(findings.iter().all(|f| f.code == "M001"), "{findings:#?}");
}
