//! docs/rules.md ends with a rule reference generated from the rules' own documentation;
//! this test keeps the two the same. `UPDATE_DOCS=1 cargo test --test rules_doc` rewrites it.

const START: &str = "<!-- rules:start -->\n";
const END: &str = "<!-- rules:end -->";

fn reference() -> String {
    let mut out = String::new();
    for rule in commsplan::rules::registry() {
        out.push_str(&format!(
            "### {} {}\n\n{} · default severity: {}\n\n{}\n\n{}\n\n",
            rule.code,
            rule.name,
            rule.family.as_str(),
            rule.severity,
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
