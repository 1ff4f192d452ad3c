//! Any text as a user template (`generate --templates DIR`) over a fixed system: loading
//! and rendering may refuse the template, never panic or hang.
#![no_main]

use commsplan::generate::{plan, targets, templates::Templates};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn analysis() -> &'static commsplan::analysis::Analysis {
    static ANALYSIS: OnceLock<commsplan::analysis::Analysis> = OnceLock::new();
    ANALYSIS.get_or_init(|| {
        let text = include_bytes!("../../examples/ecommerce.yaml");
        commsplan_fuzz::analyze_bytes("ecommerce.yaml", text, None)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let analysis = analysis();
    let dir = commsplan_fuzz::scratch().join("templates");
    let _ = std::fs::remove_dir_all(&dir);
    // The first byte picks which embedded template the text overrides.
    let builtin: Vec<_> = targets::embedded().collect();
    let name = builtin[usize::from(pick) % builtin.len()].name;
    let path = dir.join(format!("{name}.hbs"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    let Ok(templates) = Templates::load(&builtin, Some(&dir)) else {
        return;
    };
    if let Ok(plan) = plan(
        &analysis.model,
        &analysis.decisions,
        targets::Target::all(),
        &templates,
    ) {
        for file in &plan.files {
            commsplan::generate::write::safe_relative(&file.path).expect("path inside --out");
        }
    }
});
