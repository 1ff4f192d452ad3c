//! Broken inputs: each must give a located finding with the right code, and no panic.

use commsplan::analysis::analyze;
use commsplan::model::LoadOptions;
use std::path::Path;

/// (file, code, line, column) of the first finding of that code.
const CASES: &[(&str, &str, u32, u32)] = &[
    ("bad-indentation.yaml", "M001", 6, 4),
    ("tab-indentation.yaml", "M001", 4, 2),
    // An unclosed quote is reported at the opening quote, not at the end of the file.
    ("unclosed-double-quote.yaml", "M001", 3, 14),
    ("unclosed-single-quote.yaml", "M001", 4, 19),
    ("unclosed-flow-mapping.yaml", "M001", 5, 13),
    ("two-documents.yaml", "M001", 6, 1),
    ("wrong-type-string-for-int.yaml", "M003", 11, 19),
    ("yes-is-a-string.yaml", "M003", 11, 17),
    ("top-level-list.yaml", "M003", 1, 1),
    ("empty-value.yaml", "M003", 9, 23),
    ("unknown-key-did-you-mean.yaml", "M002", 11, 7),
    // The invalid node is left out and the rest of the interaction is still checked
    // (these two answer no flowchart question).
    ("unknown-key-did-you-mean.yaml", "M011", 7, 5),
    ("wrong-type-string-for-int.yaml", "M011", 7, 5),
    // A left-out answer is a missing one: the flowchart stops at its node.
    ("bad-enum-answer.yaml", "M004", 12, 20),
    ("bad-enum-answer.yaml", "M011", 12, 20),
    // Inside an optional block, the bad field itself, not the block.
    ("unknown-key-in-optional-block.yaml", "M002", 13, 9),
    ("error-inside-optional-block.yaml", "M003", 11, 30),
    ("bad-enum-pattern.yaml", "M004", 11, 16),
    ("negative-rps.yaml", "M004", 10, 21),
    ("availability-over-100.yaml", "M004", 6, 26),
    ("missing-to.yaml", "M005", 7, 5),
    // 64 bytes, no final line break: the table quotes the end of the text.
    ("snippet-at-a-whole-stride.yaml", "M003", 5, 5),
    ("duplicate-map-key.yaml", "M006", 5, 3),
    ("dangling-reference.yaml", "M007", 9, 9),
    ("crlf-and-bom.yaml", "M007", 8, 9),
    ("duplicate-interaction-id.yaml", "M008", 8, 11),
    ("version-two.yaml", "M009", 1, 10),
    ("version-missing.yaml", "M009", 1, 1),
    ("invalid-id.yaml", "M010", 7, 9),
    ("missing-answer-ordering.yaml", "M011", 10, 5),
    ("missing-answer-can-wait.yaml", "M011", 10, 5),
    ("suppression-without-reason.yaml", "M012", 12, 9),
    ("alias-bomb.yaml", "M013", 9, 57),
    ("deep-nesting-flow.yaml", "M013", 5, 264),
    ("deep-nesting-block.yaml", "M013", 69, 129),
    ("latin1.yaml", "M014", 4, 19),
    ("binary-junk.yaml", "M014", 3, 1),
    ("empty.yaml", "M015", 1, 1),
    ("only-comment.yaml", "M015", 1, 1),
];

fn corpus(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn every_broken_file_gives_a_located_finding() {
    let mut failures = Vec::new();
    for &(name, code, line, column) in CASES {
        let path = corpus(name);
        let analysis = analyze(&[&path], &LoadOptions::default()).expect("file is readable");
        let found = analysis.findings.iter().find(|f| f.code == code);
        match found.and_then(|f| f.location.as_ref()) {
            Some(loc) if loc.line == line && loc.column == column && *loc.file == *path => {}
            Some(loc) => failures.push(format!(
                "{name}: {code} at {}:{}, expected {line}:{column}",
                loc.line, loc.column
            )),
            None => failures.push(format!(
                "{name}: no {code}; got {:?}",
                analysis
                    .findings
                    .iter()
                    .map(|f| (f.code, f.message.as_str()))
                    .collect::<Vec<_>>()
            )),
        }
        assert!(
            analysis.worst() == Some(commsplan::finding::Severity::Error),
            "{name}: a broken file must fail"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn corpus_has_every_file_listed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    listed.sort();
    listed.dedup();
    assert_eq!(on_disk, listed);
    assert!(listed.len() >= 25);
}

#[test]
fn messages_say_what_to_do() {
    let check = |name: &str, code: &str, needle: &str| {
        let analysis = analyze(&[corpus(name)], &LoadOptions::default()).unwrap();
        let f = analysis
            .findings
            .iter()
            .find(|f| f.code == code)
            .unwrap_or_else(|| panic!("{name}: no {code}"));
        let text = format!("{} {}", f.message, f.help.as_deref().unwrap_or(""));
        assert!(text.contains(needle), "{name}: `{text}` lacks `{needle}`");
    };
    check(
        "unknown-key-did-you-mean.yaml",
        "M002",
        "did you mean `timeout_ms`?",
    );
    check(
        "unknown-key-in-optional-block.yaml",
        "M002",
        "did you mean `backoff`?",
    );
    check(
        "yes-is-a-string.yaml",
        "M003",
        "YAML 1.2 reads `yes` as a string",
    );
    check(
        "bad-enum-pattern.yaml",
        "M004",
        "sync, sync-optimized, cqrs, queue, stream",
    );
    check(
        "dangling-reference.yaml",
        "M007",
        "did you mean `inventory`?",
    );
    check(
        "missing-answer-ordering.yaml",
        "M011",
        "node I asks whether ordering must be guaranteed",
    );
    check("invalid-id.yaml", "M010", "reserve-stock");
    check("alias-bomb.yaml", "M013", "alias");
}

/// Inputs that are not in the corpus because they are made on the fly: any bytes must
/// give findings or an error, never a panic.
#[test]
fn arbitrary_bytes_never_panic() {
    let dir = std::env::temp_dir().join(format!("commsplan-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let alphabet = b"ab:- \n\t{}[]&*!|>'\"#%@`,?<<~0123456789.\xc3\xa9\xff\x00";
    for round in 0..300 {
        let len = (round * 7) % 200;
        let mut bytes = Vec::with_capacity(len);
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            bytes.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        let path = dir.join(format!("case-{round}.yaml"));
        std::fs::write(&path, &bytes).unwrap();
        let result = std::panic::catch_unwind(|| analyze(&[&path], &LoadOptions::default()));
        assert!(
            result.is_ok(),
            "panic on {:?}",
            String::from_utf8_lossy(&bytes)
        );
        let analysis = result.unwrap().unwrap();
        for f in &analysis.findings {
            let loc = f.location.as_ref().expect("every finding is located");
            assert!(loc.line >= 1 && loc.column >= 1);
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_broken_file_renders_in_every_format() {
    use clap::ValueEnum as _;
    use commsplan::report::{self, paths::Paths, Context, Format, Options};
    let paths = Paths::with_cwd(Path::new(env!("CARGO_MANIFEST_DIR")), None);
    let context = Context {
        paths: &paths,
        fail_on: Some(commsplan::finding::Severity::Error),
    };
    for &(name, ..) in CASES {
        let analysis = analyze(&[&corpus(name)], &LoadOptions::default()).expect("readable");
        for &format in Format::value_variants() {
            for options in [
                Options::default(),
                Options {
                    quiet: true,
                    ..Options::default()
                },
            ] {
                let emitter = report::emitter(format, options);
                let text = report::to_string(&*emitter, &analysis, &context);
                assert!(
                    format == Format::Github || !text.is_empty(),
                    "{name}: {format} wrote nothing"
                );
            }
        }
    }
}
