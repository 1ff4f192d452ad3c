//! What the fuzz targets share: running an analysis on bytes, and the invariants every
//! report must keep whatever the input.
//!
//! The targets go through the library's public API only, so that they break (and are
//! adapted) when that API changes rather than silently testing something else.

pub mod archgen;

use commsplan::analysis::{analyze_with, Analysis, RunOptions};
use commsplan::model::LoadOptions;
use commsplan::report;
use std::path::{Path, PathBuf};

/// A folder of this process's own, for the files an analysis reads from disk.
pub fn scratch() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("commsplan-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch folder");
        // An empty config, given explicitly, so that no commsplan.toml found above the
        // temporary folder changes what is analysed.
        std::fs::write(dir.join("commsplan.toml"), "").expect("scratch config");
        dir
    })
}

/// Writes `bytes` as an architecture file and analyses it as the CLI does.
pub fn analyze_bytes(name: &str, bytes: &[u8], baseline: Option<&Path>) -> Analysis {
    let dir = scratch();
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write input");
    let run = RunOptions {
        config: Some(dir.join("commsplan.toml")),
        baseline: baseline.map(Path::to_path_buf),
        ..RunOptions::default()
    };
    // A readable regular file never makes the analysis fail: problems are findings.
    analyze_with(&[&path], &LoadOptions::default(), &run).expect("analysis of a readable file")
}

/// Renders every format and checks what each promises.
pub fn check_every_format(analysis: &Analysis) {
    let paths = report::paths::Paths::with_cwd(scratch(), None);
    let shown = analysis
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .count();

    for f in &analysis.findings {
        if f.code.starts_with('M') {
            let loc = f
                .location
                .as_ref()
                .unwrap_or_else(|| panic!("{} has no location: {}", f.code, f.message));
            assert!(loc.line >= 1 && loc.column >= 1, "{} at {loc:?}", f.code);
        }
    }

    let render = |format: report::Format| {
        let context = report::Context {
            paths: &paths,
            fail_on: None,
        };
        let emitter = report::emitter(format, report::Options::default());
        report::to_string(emitter.as_ref(), analysis, &context)
    };

    let json = render(report::Format::Json);
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON report parses");
    assert_eq!(
        value["findings"].as_array().map(Vec::len),
        Some(analysis.findings.len()),
        "JSON lists every finding"
    );

    let sarif = render(report::Format::Sarif);
    let value: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF parses");
    assert_eq!(value["version"], "2.1.0");

    let gitlab = render(report::Format::Gitlab);
    let value: serde_json::Value = serde_json::from_str(&gitlab).expect("GitLab report parses");
    assert_eq!(
        value.as_array().map(Vec::len),
        Some(shown),
        "one issue per finding"
    );

    let github = render(report::Format::Github);
    let commands: Vec<&str> = github.lines().collect();
    assert_eq!(commands.len(), shown, "one command per finding:\n{github}");
    for c in commands {
        assert!(
            c.starts_with("::error ") || c.starts_with("::warning ") || c.starts_with("::notice "),
            "not a workflow command: {c:?}"
        );
    }

    check_well_formed_xml(&render(report::Format::Junit));
    let _ = render(report::Format::Markdown);
    let _ = render(report::Format::Table);
}

/// Well-formed XML: every tag closed in order, entities and attributes valid, one root.
pub fn check_well_formed_xml(xml: &str) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                check_attributes(&e, xml);
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
            }
            Ok(Event::Empty(e)) => {
                check_attributes(&e, xml);
                if depth == 0 {
                    roots += 1;
                }
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Text(t)) => {
                t.decode()
                    .unwrap_or_else(|e| panic!("bad text ({e}) in:\n{xml}"));
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("JUnit is not well-formed XML ({e}):\n{xml}"),
        }
    }
    assert_eq!(depth, 0, "unclosed elements in:\n{xml}");
    assert_eq!(roots, 1, "one root element in:\n{xml}");
    for c in xml.chars() {
        assert!(
            is_xml_char(c),
            "U+{:04X} is not allowed in XML 1.0",
            c as u32
        );
    }
}

fn check_attributes(e: &quick_xml::events::BytesStart<'_>, xml: &str) {
    for a in e.attributes() {
        let a = a.unwrap_or_else(|err| panic!("bad attribute ({err}) in:\n{xml}"));
        let raw = std::str::from_utf8(&a.value).expect("attribute is UTF-8");
        quick_xml::escape::unescape(raw)
            .unwrap_or_else(|err| panic!("bad attribute value ({err}) in:\n{xml}"));
    }
}

/// XML 1.0's Char production.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Plans every generate target with the embedded templates and checks that each path
/// stays inside `--out`.
pub fn check_generate_paths(analysis: &Analysis) {
    use commsplan::generate::{plan, targets, templates::Templates};
    // Compiling the templates costs more than the rest of an iteration: once per process.
    static TEMPLATES: std::sync::OnceLock<Templates> = std::sync::OnceLock::new();
    let templates = TEMPLATES.get_or_init(|| {
        let builtin: Vec<_> = targets::embedded().collect();
        Templates::load(&builtin, None).expect("embedded templates load")
    });
    let Ok(plan) = plan(
        &analysis.model,
        &analysis.decisions,
        targets::Target::all(),
        templates,
    ) else {
        return;
    };
    for file in &plan.files {
        commsplan::generate::write::safe_relative(&file.path)
            .unwrap_or_else(|e| panic!("planned path escapes --out: {e}"));
    }
}
