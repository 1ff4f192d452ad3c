//! `commsplan man DIR`: one page per subcommand, from the clap definitions.

use std::process::Command;

#[test]
fn one_page_per_subcommand_with_its_options() {
    let dir = std::env::temp_dir().join(format!("commsplan-man-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .arg("man")
        .arg(&dir)
        .output()
        .expect("commsplan runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .expect("pages written")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for expected in [
        "commsplan.1",
        "commsplan-analyze.1",
        "commsplan-diff.1",
        "commsplan-man.1",
        "commsplan-templates-export.1",
    ] {
        assert!(
            pages.iter().any(|p| p == expected),
            "{expected} in {pages:?}"
        );
    }
    assert!(!pages.iter().any(|p| p.contains("help")), "{pages:?}");
    let diff = std::fs::read_to_string(dir.join("commsplan-diff.1")).expect("page");
    // Version in the date field, so that the pages are the same on every run.
    let title = format!(
        ".TH commsplan-diff 1 {} commsplan \"commsplan manual\"",
        env!("CARGO_PKG_VERSION")
    );
    assert!(diff.contains(&title), "{}", &diff[..200.min(diff.len())]);
    for option in ["\\-\\-base", "\\-\\-fail\\-on", "new\\-error"] {
        assert!(diff.contains(option), "{option} in the diff page");
    }
    // The same definitions give the same bytes.
    let again = Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .arg("man")
        .arg(&dir)
        .output()
        .expect("commsplan runs");
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        diff,
        std::fs::read_to_string(dir.join("commsplan-diff.1")).unwrap()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
