//! Mermaid output: snapshots of the text, and the properties that keep it drawable.
//! (That Mermaid 11 parses, renders and draws these labels is checked by
//! `.ci/checks/diagrams.sh` with the real Mermaid.)

use commsplan::analysis::{analyze, Analysis};
use commsplan::diagram::{
    render_flowchart, render_system, system_diagram, unknown_focus, DiagramOptions, GroupBy,
    Highlight,
};
use commsplan::model::types::Pattern;
use commsplan::model::LoadOptions;

fn load(path: &str) -> Analysis {
    analyze(&[path], &LoadOptions::default()).expect("example loads")
}

fn flowchart_for(analysis: &Analysis, id: &str) -> String {
    let index = analysis
        .model
        .interactions
        .iter()
        .position(|i| i.id() == id)
        .expect("interaction exists");
    render_flowchart(Some(&Highlight { analysis, index })).text
}

/// The service ids (`s3`, `u0`) drawn in a diagram's text.
fn drawn_services(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('s') || l.starts_with('u'))
        .filter_map(|l| {
            let id: String = l
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            let rest = &l[id.len()..];
            (rest.starts_with(['(', '[', '{']) && id[1..].chars().all(|c| c.is_ascii_digit()))
                .then_some(id)
        })
        .collect()
}

/// No user text reaches the syntax: every label is one quoted string without a raw
/// quote, `<`, `>`, `&`, backtick or `%`, and each `#` starts one of the entity codes.
fn assert_labels_escaped(text: &str) {
    for line in text.lines() {
        let quotes = line.matches('"').count();
        assert!(quotes == 0 || quotes == 2, "{line}");
        let Some(label) = line.split('"').nth(1) else {
            continue;
        };
        assert!(!label.contains(['<', '>', '&', '`', '%']), "{line}");
        let mut rest = label;
        while let Some(at) = rest.find('#') {
            rest = &rest[at..];
            let entity = [
                "#quot;", "#35;", "#37;", "#lt;", "#gt;", "#38;", "#96;", "#10;", "#9;", "#32;",
            ]
            .iter()
            .find(|e| rest.starts_with(**e))
            .unwrap_or_else(|| panic!("bare # in {line}"));
            rest = &rest[entity.len()..];
        }
    }
}

#[test]
fn edge_cases_stay_drawable() {
    let a = load("tests/fixtures/diagram-edge-cases.yaml");
    let options = DiagramOptions {
        findings: true,
        ..DiagramOptions::default()
    };
    let rendered = render_system(&a, &options);
    assert_labels_escaped(&rendered.text);
    assert!(rendered
        .text
        .contains("subgraph g2[\"#37;#37;{init: {'theme':'dark'}}#37;#37;\"]"));
    // The empty name is an empty box, not an empty (unparsable) label.
    assert!(rendered.text.contains("s0(\"#32;\")"));
    // The self-loop and the undeclared service are drawn.
    assert!(rendered.text.contains("s2 -->|"));
    assert!(rendered.text.contains("u0[\"nobody\"]:::undefined"));
    for i in 0..a.model.interactions.len() {
        assert_labels_escaped(
            &render_flowchart(Some(&Highlight {
                analysis: &a,
                index: i,
            }))
            .text,
        );
    }
}

#[test]
fn ecommerce_system() {
    let a = load("examples/ecommerce.yaml");
    insta::assert_snapshot!(system_diagram(&a, &DiagramOptions::default()));
}

#[test]
fn ecommerce_findings_by_kind() {
    let a = load("examples/ecommerce.yaml");
    let options = DiagramOptions {
        group_by: GroupBy::Kind,
        findings: true,
        ..DiagramOptions::default()
    };
    insta::assert_snapshot!(system_diagram(&a, &options));
}

#[test]
fn ecommerce_focus_on_payment() {
    let a = load("examples/ecommerce.yaml");
    let options = DiagramOptions {
        group_by: GroupBy::None,
        focus: Some("payment".into()),
        depth: 1,
        legend: false,
        ..DiagramOptions::default()
    };
    insta::assert_snapshot!(system_diagram(&a, &options));
}

#[test]
fn hostile_names() {
    let a = load("tests/fixtures/hostile-names.yaml");
    let options = DiagramOptions {
        findings: true,
        ..DiagramOptions::default()
    };
    let rendered = render_system(&a, &options);
    insta::assert_snapshot!(rendered.text);
    // Every name is meant to be drawn as written (line ends normalised, trimmed).
    for name in a.model.services.keys() {
        let meant = name.trim();
        assert!(
            rendered.labels.nodes.iter().any(|l| l == meant),
            "{name:?} not among {:?}",
            rendered.labels.nodes
        );
    }
    assert_labels_escaped(&rendered.text);
    assert!(!rendered.text.contains("\nend[") && !rendered.text.contains(" end{{"));
}

#[test]
fn flowchart_plain() {
    insta::assert_snapshot!(render_flowchart(None).text);
}

#[test]
fn flowchart_sync() {
    insta::assert_snapshot!(flowchart_for(
        &load("examples/ecommerce.yaml"),
        "web-checkout"
    ));
}

#[test]
fn flowchart_sync_optimized() {
    insta::assert_snapshot!(flowchart_for(
        &load("examples/ecommerce.yaml"),
        "get-product"
    ));
}

#[test]
fn flowchart_cqrs() {
    insta::assert_snapshot!(flowchart_for(
        &load("examples/ecommerce.yaml"),
        "get-order-details"
    ));
}

#[test]
fn flowchart_queue() {
    insta::assert_snapshot!(flowchart_for(
        &load("examples/ecommerce.yaml"),
        "order-completed-notify"
    ));
}

#[test]
fn flowchart_stream() {
    insta::assert_snapshot!(flowchart_for(
        &load("examples/ecommerce.yaml"),
        "order-events-to-reporting"
    ));
}

#[test]
fn flowchart_declared_differs() {
    insta::assert_snapshot!(flowchart_for(
        &load("examples/ecommerce.yaml"),
        "send-order-email"
    ));
}

#[test]
fn flowchart_path_is_the_engines_path() {
    // Each pattern's lit edges are exactly the consecutive pairs of the engine's path.
    let a = load("examples/ecommerce.yaml");
    // The paths of FORMAT.md §1.
    for (id, pattern, path) in [
        ("web-checkout", Pattern::Sync, "A B C D L"),
        ("get-product", Pattern::SyncOptimized, "A B C E F M"),
        ("get-order-details", Pattern::Cqrs, "A B C E G N"),
        ("order-completed-notify", Pattern::Queue, "A B H I J O"),
        ("order-events-to-reporting", Pattern::Stream, "A B H I K P"),
    ] {
        let index = a
            .model
            .interactions
            .iter()
            .position(|i| i.id() == id)
            .unwrap();
        assert_eq!(a.decisions[index].recommended, Some(pattern), "{id}");
        let text = flowchart_for(&a, id);
        let path: Vec<&str> = path.split(' ').collect();
        let thick: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| l.contains(" ==>"))
            .map(|l| {
                let from = l.split(' ').next().unwrap();
                let to = l.rsplit(' ').next().unwrap();
                format!("{from}{to}")
            })
            .collect();
        let expected: Vec<String> = path
            .windows(2)
            .map(|p| format!("{}{}", p[0], p[1]))
            .collect();
        assert_eq!(thick, expected, "{id}");
    }
}

#[test]
fn focus_depth_cuts_the_neighbourhood() {
    let a = load("examples/ecommerce.yaml");
    let at = |depth| {
        let options = DiagramOptions {
            focus: Some("payment".into()),
            depth,
            legend: false,
            ..DiagramOptions::default()
        };
        let mut ids = drawn_services(&system_diagram(&a, &options));
        ids.sort();
        ids
    };
    let index = |name: &str| format!("s{}", a.model.services.get_index_of(name).unwrap());
    let names = |list: &[&str]| {
        let mut ids: Vec<String> = list.iter().map(|n| index(n)).collect();
        ids.sort();
        ids
    };
    assert_eq!(at(0), names(&["payment"]));
    // Callers (order, api-gateway) and callees (payment-provider) alike.
    assert_eq!(
        at(1),
        names(&["payment", "order", "api-gateway", "payment-provider"])
    );
    let two = at(2);
    assert!(two.contains(&index("web")) && two.contains(&index("inventory")));
    assert!(!two.contains(&index("email-provider")));
}

#[test]
fn unknown_focus_suggests_a_name() {
    let a = load("examples/ecommerce.yaml");
    let options = DiagramOptions {
        focus: Some("paymnt".into()),
        ..DiagramOptions::default()
    };
    assert_eq!(
        unknown_focus(&a, &options).as_deref(),
        Some("no service `paymnt` to focus on (did you mean `payment`?)")
    );
    let known = DiagramOptions {
        focus: Some("payment".into()),
        ..DiagramOptions::default()
    };
    assert_eq!(unknown_focus(&a, &known), None);
}

#[test]
fn group_by_changes_only_the_subgraphs() {
    let a = load("examples/ecommerce.yaml");
    let text = |group_by| {
        system_diagram(
            &a,
            &DiagramOptions {
                group_by,
                ..DiagramOptions::default()
            },
        )
    };
    let none = text(GroupBy::None);
    assert!(!none.contains("subgraph g"));
    let owner = text(GroupBy::Owner);
    let kind = text(GroupBy::Kind);
    assert_eq!(owner.matches("subgraph g").count(), 10, "ten teams");
    assert_eq!(kind.matches("subgraph g").count(), 5, "five kinds");
    let mut a_ids = drawn_services(&owner);
    let mut b_ids = drawn_services(&none);
    a_ids.sort();
    b_ids.sort();
    assert_eq!(a_ids, b_ids);
}

#[test]
fn output_is_deterministic() {
    let a = load("examples/online-boutique.yaml");
    let b = load("examples/online-boutique.yaml");
    let options = DiagramOptions {
        findings: true,
        ..DiagramOptions::default()
    };
    assert_eq!(system_diagram(&a, &options), system_diagram(&b, &options));
}

#[test]
fn flowchart_hostile_summary() {
    insta::assert_snapshot!(flowchart_for(
        &load("tests/fixtures/hostile-names.yaml"),
        "end-to-graph"
    ));
}

#[test]
fn flowchart_stops_at_the_unanswered_question() {
    let dir = std::env::temp_dir().join(format!("commsplan-diagram-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("undecided.yaml");
    std::fs::write(
        &file,
        "version: 1\nsystem: s\nservices: {a: {}, b: {}}\ninteractions:\n  - id: ab\n    from: a\n    to: b\n    needs: {realtime: true}\n    uses: {pattern: sync}\n",
    )
    .unwrap();
    let a = analyze(&[&file], &LoadOptions::default()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let text = flowchart_for(&a, "ab");
    assert!(text.contains("class A,B taken\n"), "{text}");
    assert!(text.contains("class C missing\n"), "{text}");
    assert!(text.contains("\"no recommendation: needs.consistency is unanswered (node C)\""));
    // Nothing was chosen, so the declared pattern is not called a difference.
    assert!(text.contains("\"declared: sync\""));
    assert!(!text.contains(" chosen\n"));
    // The system diagram draws it as declared.
    assert!(system_diagram(&a, &DiagramOptions::default()).contains("s0 -->|\"sync\"| s1"));
}
