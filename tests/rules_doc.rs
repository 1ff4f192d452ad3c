//! docs/rules.md ends with a rule reference generated from the rules' own documentation;
//! this test keeps the two the same. `UPDATE_DOCS=1 cargo test --test rules_doc` rewrites it.

const START: &str = "<!-- rules:start -->\n";
const END: &str = "<!-- rules:end -->";

/// The rule's consequence in the risk order (`commsplan explain risk`); input and drift
/// findings are not ranked by it.
fn consequence(rule: &commsplan::codes::RuleInfo) -> String {
    use commsplan::codes::Family;
    if matches!(rule.family, Family::Model | Family::Drift) {
        String::new()
    } else {
        format!(" · consequence: {}", rule.harm.as_str())
    }
}

fn reference() -> String {
    let mut out = String::new();
    for rule in commsplan::rules::registry() {
        out.push_str(&format!(
            "### {} {}\n\n{} · default severity: {}{}\n\n{}\n\n{}\n\n",
            rule.code,
            rule.name,
            rule.family.as_str(),
            rule.severity,
            consequence(rule),
            rule.summary,
            rule.doc
                .trim_end()
                .replace("\n## ", "\n#### ")
                .replacen("## ", "#### ", 1)
        ));
    }
    out
}

#[test]
fn rule_reference_in_docs_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find(START).expect("start marker") + START.len();
    let end = text.find(END).expect("end marker");
    let expected = reference();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let updated = format!("{}{}{}", &text[..start], expected, &text[end..]);
        std::fs::write(path, updated).unwrap();
        return;
    }
    assert!(
        text[start..end] == expected,
        "docs/rules.md's rule reference is out of date: run `UPDATE_DOCS=1 cargo test --test rules_doc`"
    );
}

fn commsplan(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("commsplan runs")
}

/// Every declared code is listed by `commsplan rules`, explained by `commsplan explain`
/// and documented in docs/rules.md, and every check's code is run by one rule.
#[test]
fn every_declared_code_is_listed_explained_and_documented() {
    use commsplan::codes::Kind;
    let registry = commsplan::rules::registry();
    let listed = commsplan(&["rules", "--format", "json"]);
    assert_eq!(listed.status.code(), Some(0));
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let listed: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md")).unwrap();
    let checks = commsplan::rules::checks();
    for rule in &registry {
        assert!(
            listed.contains(&rule.code),
            "`rules` does not list {}",
            rule.code
        );
        let explained = commsplan(&["explain", rule.code]);
        let text = String::from_utf8_lossy(&explained.stdout);
        assert!(
            explained.status.code() == Some(0)
                && text.starts_with(&format!("# {} {}\n", rule.code, rule.name)),
            "`explain {}` does not explain it",
            rule.code
        );
        assert!(
            docs.contains(&format!("\n### {} {}\n", rule.code, rule.name)),
            "docs/rules.md has no section for {}",
            rule.code
        );
        let runs = checks
            .iter()
            .filter(|c| std::ptr::eq(c.info(), *rule))
            .count();
        let expected = usize::from(rule.kind == Kind::Check);
        assert_eq!(runs, expected, "{} is run by {runs} rules", rule.code);
    }
    assert_eq!(listed.len(), registry.len());
    for check in &checks {
        assert_eq!(check.info().kind, Kind::Check, "{}", check.info().code);
        assert!(registry.iter().any(|r| std::ptr::eq(*r, check.info())));
    }
}
