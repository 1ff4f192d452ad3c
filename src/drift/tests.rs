use super::*;
use crate::import::{ImportedService, Source};
use crate::model::types::{Retry, Service, Uses};
use std::collections::BTreeMap;
use std::sync::Arc;

fn model(name: &str, text: &str) -> Model {
    let dir = std::env::temp_dir().join(format!("commsplan-drift-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("system.yaml");
    std::fs::write(&path, text).unwrap();
    let (model, findings) = crate::model::load(&[&path], &Default::default()).unwrap();
    assert!(!findings.iter().any(Finding::did_not_load), "{findings:?}");
    std::fs::remove_dir_all(&dir).unwrap();
    model
}

fn source(line: u32) -> Source {
    Source {
        file: Arc::from("deploy/vs.yaml"),
        line,
        column: 3,
    }
}

fn call(from: &str, to: &str, uses: Uses, fields: &[(&str, u32)]) -> ImportedInteraction {
    ImportedInteraction {
        id: format!("{from}-{to}"),
        from: from.into(),
        to: to.into(),
        summary: None,
        uses,
        source: source(1),
        field_sources: fields
            .iter()
            .map(|(k, l)| (k.to_string(), source(*l)))
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
                    source: source(1),
                    field_sources: BTreeMap::new(),
                },
            );
        }
    }
    imported.interactions = calls;
    imported
}

const SHOP: &str = "version: 1
system: shop
services: { customer: {}, preference: {}, recommendation: {} }
defaults:
  retry: { max_attempts: 3 }
interactions:
  - id: get-preference
    from: customer
    to: preference
    uses:
      timeout_ms: 1000
  - id: get-recommendation
    from: preference
    to: recommendation
    needs: { realtime: true }
";

fn timeout(ms: u64) -> Uses {
    Uses {
        timeout_ms: Some(ms),
        ..Uses::default()
    }
}

#[test]
fn a_matching_deployment_reports_nothing() {
    let m = model("match", SHOP);
    let d = deployed(vec![
        call(
            "customer",
            "preference",
            timeout(1000),
            &[("timeout_ms", 9)],
        ),
        call("preference", "recommendation", Uses::default(), &[]),
    ]);
    assert_eq!(compare(&m, &d), Vec::new());
}

#[test]
fn a_different_timeout_is_one_finding_at_both_places() {
    let m = model("timeout", SHOP);
    let d = deployed(vec![
        call(
            "customer",
            "preference",
            timeout(2000),
            &[("timeout_ms", 9)],
        ),
        call("preference", "recommendation", Uses::default(), &[]),
    ]);
    let found = compare(&m, &d);
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    assert_eq!(f.code, "I001");
    assert_eq!(f.interaction.as_deref(), Some("get-preference"));
    let at = f.location.as_ref().unwrap();
    assert_eq!((at.line, at.column), (11, 19));
    assert_eq!(f.related.len(), 1);
    assert_eq!(&*f.related[0].location.file, "deploy/vs.yaml");
    assert_eq!(f.related[0].location.line, 9);
    assert!(
        f.message.contains("1000") && f.message.contains("2000"),
        "{}",
        f.message
    );
}

#[test]
fn a_value_from_defaults_is_compared_and_pointed_at_in_defaults() {
    let m = model("defaults", SHOP);
    let retry = Uses {
        retry: Some(Retry {
            max_attempts: Some(4),
            ..Retry::default()
        }),
        ..Uses::default()
    };
    let d = deployed(vec![
        call(
            "customer",
            "preference",
            Uses {
                timeout_ms: Some(1000),
                ..retry.clone()
            },
            &[("retry/max_attempts", 5)],
        ),
        call(
            "preference",
            "recommendation",
            retry,
            &[("retry/max_attempts", 6)],
        ),
    ]);
    let found = compare(&m, &d);
    assert_eq!(found.len(), 2, "{found:?}");
    for f in &found {
        assert_eq!(f.code, "I001");
        assert_eq!(f.location.as_ref().unwrap().line, 5, "the defaults' value");
    }
}

#[test]
fn a_deployed_value_the_model_lacks_points_at_the_interaction() {
    let m = model("lacks", SHOP);
    let d = deployed(vec![
        call("customer", "preference", timeout(1000), &[]),
        call(
            "preference",
            "recommendation",
            timeout(3000),
            &[("timeout_ms", 4)],
        ),
    ]);
    let found = compare(&m, &d);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code, "I002");
    assert_eq!(found[0].interaction.as_deref(), Some("get-recommendation"));
    assert_eq!(found[0].location.as_ref().unwrap().line, 12);
}

#[test]
fn calls_on_one_side_only_are_reported_on_that_side() {
    let m = model("sides", SHOP);
    let d = deployed(vec![
        call("customer", "preference", timeout(1000), &[]),
        call("customer", "recommendation", Uses::default(), &[]),
    ]);
    let mut found = compare(&m, &d);
    found.sort_by_key(|f| f.code);
    let codes: Vec<_> = found.iter().map(|f| f.code).collect();
    assert_eq!(codes, ["I003", "I004"], "{found:?}");
    assert_eq!(&*found[0].location.as_ref().unwrap().file, "deploy/vs.yaml");
    assert_eq!(found[0].related.len(), 1);
    assert_eq!(found[1].interaction.as_deref(), Some("get-recommendation"));
    assert_eq!(found[1].severity, crate::finding::Severity::Info);
}

#[test]
fn an_asynchronous_call_matches_by_channel() {
    let m = model(
        "channels",
        "version: 1
system: s
services: { a: {}, b: {} }
interactions:
  - id: orders
    from: a
    to: b
    uses: { channel: orders }
  - id: refunds
    from: a
    to: b
    uses: { channel: refunds }
",
    );
    let on = |c: &str| Uses {
        channel: Some(c.into()),
        ..Uses::default()
    };
    let d = deployed(vec![
        call("a", "b", on("orders"), &[]),
        call("a", "b", on("payments"), &[]),
    ]);
    let mut found = compare(&m, &d);
    found.sort_by_key(|f| f.code);
    let codes: Vec<_> = found
        .iter()
        .map(|f| (f.code, f.interaction.clone()))
        .collect();
    assert_eq!(
        codes,
        [
            ("I003", Some("a-b".to_string())),
            ("I004", Some("refunds".to_string()))
        ],
        "{found:?}"
    );
    assert_eq!(matching::matches(&m, &d.interactions[0]), [0]);
}
