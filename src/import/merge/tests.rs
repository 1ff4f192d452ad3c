use super::*;
use crate::import::{ImportedService, Source};
use crate::model::types::{Retry, Service, Uses};
use std::collections::BTreeMap;
use std::sync::Arc;

struct Temp(std::path::PathBuf);

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Merges `deployed` into `text` and returns the new text.
fn merged(name: &str, text: &str, deployed: &Imported) -> Merged {
    let dir = std::env::temp_dir().join(format!("commsplan-merge-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let _cleanup = Temp(dir.clone());
    let path = dir.join("system.yaml");
    std::fs::write(&path, text).unwrap();
    let out = merge(&path, deployed).unwrap().expect("the file loads");
    // The result loads without an error, and merging again changes nothing.
    std::fs::write(&path, &out.text).unwrap();
    let (_, findings) = crate::model::load(&[&path], &Default::default()).unwrap();
    assert!(
        !findings.iter().any(Finding::did_not_load),
        "{findings:?}\n{}",
        out.text
    );
    let again = merge(&path, deployed).unwrap().expect("loads");
    assert_eq!(again.text, out.text, "a second merge changes nothing");
    assert!(again.changes.is_empty(), "{:?}", again.changes);
    out
}

fn source(line: u32) -> Source {
    Source {
        file: Arc::from("deploy/vs.yaml"),
        line,
        column: 3,
    }
}

fn call(from: &str, to: &str, uses: Uses, fields: &[&str]) -> ImportedInteraction {
    ImportedInteraction {
        id: format!("{from}-{to}"),
        from: from.into(),
        to: to.into(),
        summary: None,
        uses,
        source: source(1),
        field_sources: fields
            .iter()
            .enumerate()
            .map(|(i, k)| (k.to_string(), source(10 + i as u32)))
            .collect(),
    }
}

fn deployed(calls: Vec<ImportedInteraction>) -> Imported {
    let mut imported = Imported::default();
    for c in &calls {
        for name in [&c.from, &c.to] {
            imported.services.insert(
                name.clone(),
                ImportedService {
                    service: Service::default(),
                    source: source(2),
                    field_sources: BTreeMap::new(),
                },
            );
        }
    }
    imported.interactions = calls;
    imported
}

fn timeout(ms: u64) -> Uses {
    Uses {
        timeout_ms: Some(ms),
        ..Uses::default()
    }
}

const SHOP: &str = "version: 1   # the only version
system: shop
services:
  customer: {}     # the web front
  preference: {}
  recommendation: {}
defaults:
  retry: { max_attempts: 3 }
interactions:
  # the page asks for preferences
  - id: get-preference
    from: customer
    to: preference
    needs:
      realtime: true      # a person waits
      consistency: strong # answers must be current
    uses:
      pattern: sync
      timeout_ms: 1000 # agreed with the team
    suppress:
      - { rule: S003, reason: \"the SDK pools\" }
  - id: get-recommendation
    from: preference
    to: recommendation
    needs: { realtime: true }
";

#[test]
fn a_changed_value_is_replaced_in_place_and_everything_else_stays() {
    let d = deployed(vec![call(
        "customer",
        "preference",
        timeout(2000),
        &["timeout_ms"],
    )]);
    let out = merged("replace", SHOP, &d);
    let expected = SHOP.replace(
        "timeout_ms: 1000 # agreed with the team",
        "timeout_ms: 2000 # from deploy/vs.yaml:10 # agreed with the team",
    );
    assert_eq!(out.text, expected);
    assert!(
        out.notes.iter().any(|n| n.contains("get-recommendation")),
        "{:?}",
        out.notes
    );
}

#[test]
fn a_missing_value_is_inserted_under_uses_or_with_a_new_uses_block() {
    let d = deployed(vec![
        call(
            "customer",
            "preference",
            Uses {
                pool: Some(crate::model::types::Pool {
                    max_connections: Some(5),
                    ..Default::default()
                }),
                ..timeout(1000)
            },
            &["timeout_ms", "pool/max_connections"],
        ),
        call(
            "preference",
            "recommendation",
            timeout(300),
            &["timeout_ms"],
        ),
    ]);
    let out = merged("insert", SHOP, &d);
    let expected = SHOP
        .replace(
            "      timeout_ms: 1000 # agreed with the team\n",
            "      timeout_ms: 1000 # agreed with the team\n      pool:\n        max_connections: 5  # from deploy/vs.yaml:11\n",
        )
        .replace(
            "    needs: { realtime: true }\n",
            "    needs: { realtime: true }\n    uses:\n      timeout_ms: 300  # from deploy/vs.yaml:10\n",
        );
    assert_eq!(out.text, expected);
}

#[test]
fn a_value_from_defaults_is_overridden_on_the_interaction_and_defaults_stay() {
    let retry = |n| Uses {
        retry: Some(Retry {
            max_attempts: Some(n),
            ..Retry::default()
        }),
        ..Uses::default()
    };
    let d = deployed(vec![
        call("customer", "preference", retry(3), &["retry/max_attempts"]),
        call(
            "preference",
            "recommendation",
            retry(5),
            &["retry/max_attempts"],
        ),
    ]);
    let out = merged("defaults", SHOP, &d);
    assert!(out.text.contains("  retry: { max_attempts: 3 }\n"));
    assert!(out.text.ends_with(
        "    needs: { realtime: true }\n    uses:\n      retry:\n        max_attempts: 5  # from deploy/vs.yaml:10\n"
    ), "{}", out.text);
    assert_eq!(out.changes.len(), 1, "{:?}", out.changes);
}

#[test]
fn a_shared_anchor_is_not_edited_for_one_interaction() {
    let text = "version: 1
system: s
x-retry: &retry { max_attempts: 3, base_ms: 100 }
services: { a: {}, b: {}, c: {} }
interactions:
  - id: one
    from: a
    to: b
    uses:
      retry: *retry
  - id: two
    from: a
    to: c
    uses:
      retry: *retry
";
    let retry = Uses {
        retry: Some(Retry {
            max_attempts: Some(4),
            ..Retry::default()
        }),
        ..Uses::default()
    };
    let out = merged(
        "anchor",
        text,
        &deployed(vec![call("a", "b", retry, &["retry/max_attempts"])]),
    );
    let expected = text.replacen(
        "      retry: *retry\n",
        "      retry: { max_attempts: 4, base_ms: 100 }  # from deploy/vs.yaml:10\n",
        1,
    );
    assert_eq!(out.text, expected);
}

#[test]
fn a_new_call_is_appended_with_its_services_and_needs_left_as_a_todo() {
    let mut c = call("customer", "payment: \"eu\"", timeout(800), &["timeout_ms"]);
    c.id = "get-preference".into();
    let out = merged("new", SHOP, &deployed(vec![c]));
    assert!(
        out.text
            .starts_with(&SHOP[..SHOP.find("defaults:").unwrap()].replace(
                "  recommendation: {}\n",
                "  recommendation: {}\n  \"payment: \\\"eu\\\"\": {}  # from deploy/vs.yaml:2\n"
            )),
        "{}",
        out.text
    );
    assert!(out.text.ends_with(&format!(
        "{}  - id: get-preference-2  # from deploy/vs.yaml:1\n    from: customer\n    to: \"payment: \\\"eu\\\"\"\n    # TODO needs: realtime, consistency, can_wait, ordering are business answers the deployment cannot give\n    uses:\n      timeout_ms: 800  # from deploy/vs.yaml:10\n",
        "    needs: { realtime: true }\n"
    )), "{}", out.text);
}

#[test]
fn flow_mappings_get_the_entry_inline() {
    let text = "version: 1
system: s
services: { a: {}, b: {} }
interactions:
  - { id: one, from: a, to: b, uses: { pattern: sync } }
";
    let out = merged(
        "flow",
        text,
        &deployed(vec![call("a", "b", timeout(250), &["timeout_ms"])]),
    );
    assert_eq!(
        out.text,
        text.replace(
            "uses: { pattern: sync } }\n",
            "uses: { pattern: sync, timeout_ms: 250 } }  # from deploy/vs.yaml:10\n"
        )
    );
}

#[test]
fn a_file_that_does_not_load_is_not_merged() {
    let dir = std::env::temp_dir().join(format!("commsplan-merge-{}-broken", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let _cleanup = Temp(dir.clone());
    let path = dir.join("system.yaml");
    std::fs::write(&path, "version: 1\nservices: { a: {\n").unwrap();
    let findings = merge(&path, &Imported::default()).unwrap().unwrap_err();
    assert!(findings.iter().all(Finding::did_not_load) && !findings.is_empty());
}

#[test]
fn a_nested_flow_mapping_gets_each_entry_in_its_own_braces() {
    let text = "version: 1
system: s
services: { a: {}, b: {} }
interactions:
  - id: one
    from: a
    to: b
    uses: { retry: { max_attempts: 3 }, pattern: sync }
";
    let uses = Uses {
        retry: Some(Retry {
            max_attempts: Some(3),
            base_ms: Some(50),
            ..Retry::default()
        }),
        ..timeout(250)
    };
    let out = merged(
        "nested",
        text,
        &deployed(vec![call("a", "b", uses, &["timeout_ms", "retry/base_ms"])]),
    );
    assert_eq!(
        out.text,
        text.replace(
            "uses: { retry: { max_attempts: 3 }, pattern: sync }\n",
            "uses: { retry: { max_attempts: 3, base_ms: 50 }, pattern: sync, timeout_ms: 250 }  # from deploy/vs.yaml:10\n"
        )
    );
}
