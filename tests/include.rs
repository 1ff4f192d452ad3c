//! `include:` in architecture files: a system split over files gives the findings of the
//! single file, each located in the file where it is written; includes that cannot be
//! followed are located errors.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("commsplan runs")
}

/// The JSON report of `analyze` on `files`, run in `dir`.
fn report(dir: &Path, files: &[&str]) -> Value {
    let mut args = vec!["analyze"];
    args.extend(files);
    args.extend(["--format", "json", "--fail-on", "never"]);
    let out = run(dir, &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory holding `files` (path → text).
fn project(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("include")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn findings(report: &Value) -> &[Value] {
    report["findings"].as_array().expect("findings")
}

fn with_code<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    findings(report)
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

/// `file:line:column` of a location.
fn place(location: &Value) -> String {
    format!(
        "{}:{}:{}",
        location["file"].as_str().unwrap(),
        location["line"],
        location["column"]
    )
}

/// The text of the line a location points at, in the file it names (relative to `dir`).
fn line_at(dir: &Path, location: &Value) -> String {
    let text = std::fs::read_to_string(dir.join(location["file"].as_str().unwrap())).unwrap();
    let line = location["line"].as_u64().unwrap() as usize;
    text.lines().nth(line - 1).unwrap().trim().to_string()
}

type Key = (String, String, String, String);

fn key(f: &Value) -> Key {
    let text = |k: &str| f[k].as_str().unwrap_or("").to_string();
    (
        text("code"),
        text("message"),
        text("interaction"),
        text("service"),
    )
}

fn by_key(report: &Value) -> BTreeMap<Key, Vec<&Value>> {
    let mut map: BTreeMap<Key, Vec<&Value>> = BTreeMap::new();
    for f in findings(report) {
        map.entry(key(f)).or_default().push(f);
    }
    map
}

#[test]
fn the_multi_team_example_gives_the_single_file_findings_in_the_file_where_each_is_written() {
    let single = report(repo(), &["examples/ecommerce.yaml"]);
    let multi = report(repo(), &["examples/multi-team/system.yaml"]);
    assert!(findings(&single).len() > 10, "the example has findings");
    let (single_keys, multi_keys) = (by_key(&single), by_key(&multi));
    assert_eq!(
        single_keys.keys().collect::<Vec<_>>(),
        multi_keys.keys().collect::<Vec<_>>()
    );
    assert_eq!(single["summary"], multi["summary"]);
    let mut in_team_files = 0;
    for (key, multi_found) in &multi_keys {
        let single_found = &single_keys[key];
        assert_eq!(single_found.len(), multi_found.len(), "{key:?}");
        for (s, m) in single_found.iter().zip(multi_found) {
            let file = m["location"]["file"].as_str().unwrap();
            assert!(
                file.starts_with("examples/multi-team/"),
                "{key:?} at {file}"
            );
            in_team_files += usize::from(file.contains("/teams/"));
            // The same value, written in the team's file.
            assert_eq!(
                line_at(repo(), &s["location"]),
                line_at(repo(), &m["location"]),
                "{key:?}: {} vs {}",
                place(&s["location"]),
                place(&m["location"])
            );
            let related = |f: &Value| f["related"].as_array().cloned().unwrap_or_default();
            for (rs, rm) in related(s).iter().zip(&related(m)) {
                assert_eq!(rs["message"], rm["message"]);
                assert_eq!(
                    line_at(repo(), &rs["location"]),
                    line_at(repo(), &rm["location"])
                );
            }
        }
    }
    assert!(in_team_files > 10);
    let decisions = |r: &Value| {
        let mut rows: Vec<String> = r["interactions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                format!(
                    "{} {} {} {} {} {}",
                    i["id"], i["from"], i["to"], i["recommended"], i["declared"], i["path"]
                )
            })
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(decisions(&single), decisions(&multi));
    assert_eq!(multi["system"], "shop");
}

#[test]
fn the_root_comes_first_then_each_match_of_a_pattern_in_alphabetical_order() {
    let multi = report(repo(), &["examples/multi-team/system.yaml"]);
    let files: Vec<&str> = multi["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(files[0], "examples/multi-team/system.yaml");
    assert_eq!(files.len(), 11, "{files:?}");
    let mut sorted = files[1..].to_vec();
    sorted.sort();
    assert_eq!(files[1..], sorted[..]);
}

const TEAM: &str = "version: 1\nservices:\n  {name}: {}\ninteractions:\n  - { id: {name}-call, from: {name}, to: hub, needs: { realtime: false, ordering: false } }\n";

fn team(name: &str) -> String {
    TEAM.replace("{name}", name)
}

#[test]
fn glob_matches_are_read_in_alphabetical_order_and_skip_the_including_file() {
    let (c, a, b) = (team("c"), team("a"), team("b"));
    let dir = project(
        "glob-order",
        &[
            (
                "system.yaml",
                "version: 1\nsystem: s\nservices: { hub: {} }\ninclude: ['*.yaml', 'more/*.yaml']\n",
            ),
            ("c.yaml", &c),
            ("a.yaml", &a),
            ("more/b.yaml", &b),
            (".hidden.yaml", "not: [valid"),
        ],
    );
    let r = report(&dir, &["system.yaml"]);
    assert_eq!(
        r["files"],
        serde_json::json!(["system.yaml", "a.yaml", "c.yaml", "more/b.yaml"])
    );
    let ids: Vec<&str> = r["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a-call", "c-call", "b-call"]);
    assert!(
        findings(&r)
            .iter()
            .all(|f| !f["code"].as_str().unwrap().starts_with('M')),
        "{:#?}",
        findings(&r)
    );
}

#[test]
fn a_cycle_is_reported_at_the_entry_that_closes_it_and_the_one_that_starts_it() {
    let dir = project(
        "cycle",
        &[
            (
                "system.yaml",
                "version: 1\nsystem: s\ninclude:\n  - teams/a.yaml\n",
            ),
            (
                "teams/a.yaml",
                "version: 1\nservices: { a: {} }\ninclude: [b.yaml]\n",
            ),
            (
                "teams/b.yaml",
                "version: 1\nservices: { b: {} }\ninclude:\n  - ./a.yaml\n",
            ),
        ],
    );
    let r = report(&dir, &["system.yaml"]);
    let cycles = with_code(&r, "M020");
    assert_eq!(cycles.len(), 1, "{cycles:#?}");
    let f = cycles[0];
    assert_eq!(
        f["message"],
        "include cycle: `teams/a.yaml` → `teams/b.yaml` → `teams/a.yaml`"
    );
    assert_eq!(place(&f["location"]), "teams/b.yaml:4:5");
    assert_eq!(f["related"][0]["message"], "the cycle starts here");
    assert_eq!(place(&f["related"][0]["location"]), "teams/a.yaml:3:11");
    // Each file is still read once: no duplicates.
    assert!(with_code(&r, "M016").is_empty());
}

#[test]
fn a_file_that_includes_itself_is_reported_at_the_entry() {
    let dir = project(
        "self",
        &[(
            "system.yaml",
            "version: 1\nsystem: s\nservices: {}\ninteractions: []\ninclude: [system.yaml]\n",
        )],
    );
    let r = report(&dir, &["system.yaml"]);
    let found = with_code(&r, "M020");
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0]["message"],
        "`system.yaml` includes this file itself"
    );
    assert_eq!(place(&found[0]["location"]), "system.yaml:5:11");
}

#[test]
fn entries_that_name_no_readable_file_are_located_errors() {
    let dir = project(
        "missing",
        &[
            (
                "root/system.yaml",
                "version: 1\nsystem: s\ninclude:\n  - teams/ordrs.yaml\n  - '*.yml'\n  - /etc/hostname\n  - ../outside.yaml\n  - teams\n  - 'team[s.yaml'\n",
            ),
            ("root/teams/orders.yaml", "version: 1\n"),
            ("outside.yaml", "version: 1\n"),
        ],
    );
    let r = report(&dir, &["root/system.yaml"]);
    let found: Vec<(String, String)> = with_code(&r, "M020")
        .iter()
        .map(|f| {
            (
                place(&f["location"]),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let root_dir = std::fs::canonicalize(dir.join("root")).unwrap();
    assert_eq!(
        found,
        [
            (
                "root/system.yaml:4:5".to_string(),
                "cannot include `teams/ordrs.yaml`: no file `root/teams/ordrs.yaml`".to_string()
            ),
            (
                "root/system.yaml:5:5".into(),
                "`*.yml` matches no file".into()
            ),
            (
                "root/system.yaml:6:5".into(),
                "cannot include `/etc/hostname`: the path is absolute".into()
            ),
            (
                "root/system.yaml:7:5".into(),
                format!(
                    "cannot include `../outside.yaml`: `root/../outside.yaml` is outside `{}`, the directory of the file given on the command line",
                    root_dir.display()
                )
            ),
            (
                "root/system.yaml:8:5".into(),
                "cannot include `teams`: `root/teams` is a directory".into()
            ),
            (
                "root/system.yaml:9:5".into(),
                "cannot include `team[s.yaml`: invalid range pattern at character 5".into()
            ),
        ]
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_is_not_opened() {
    let dir = project(
        "fifo",
        &[(
            "system.yaml",
            "version: 1\nsystem: s\ninclude: [pipe.yaml, 'p*.yaml']\n",
        )],
    );
    let made = Command::new("mkfifo")
        .arg(dir.join("pipe.yaml"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    // A FIFO opened for reading blocks until a writer comes: the run ending at all is
    // the test. The pattern skips it; the path names it.
    let r = report(&dir, &["system.yaml"]);
    let messages: Vec<&str> = with_code(&r, "M020")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "cannot include `pipe.yaml`: `pipe.yaml` is not a regular file",
            "`p*.yaml` matches no file"
        ]
    );
}

#[test]
fn a_service_or_id_defined_in_two_files_names_both_places() {
    let dir = project(
        "duplicates",
        &[
            (
                "system.yaml",
                "version: 1\nsystem: s\nservices:\n  hub: {}\n  order: {}\ninteractions:\n  - { id: call, from: order, to: hub, needs: { realtime: false, ordering: false } }\ninclude: [team.yaml]\n",
            ),
            (
                "team.yaml",
                "version: 1\nservices:\n  order: {}\ninteractions:\n  - { id: call, from: hub, to: order, needs: { realtime: false, ordering: false } }\n",
            ),
        ],
    );
    let r = report(&dir, &["system.yaml"]);
    let service = with_code(&r, "M016");
    assert_eq!(service.len(), 1);
    assert_eq!(place(&service[0]["location"]), "team.yaml:3:3");
    assert_eq!(
        place(&service[0]["related"][0]["location"]),
        "system.yaml:5:3"
    );
    let id = with_code(&r, "M008");
    assert_eq!(id.len(), 1);
    assert_eq!(place(&id[0]["location"]), "team.yaml:5:11");
    assert_eq!(place(&id[0]["related"][0]["location"]), "system.yaml:7:11");
}

/// `b` answers in 300 ms at p99; each team calls it without a timeout of its own.
const DEFAULTS_TEAM: &str = "version: 1\n{defaults}services:\n  {name}: {}\ninteractions:\n  - id: {name}-call\n    from: {name}\n    to: b\n    needs: { realtime: true, consistency: strong }\n    uses: { pattern: sync }\n";

#[test]
fn defaults_apply_to_the_included_files_and_a_files_own_defaults_win() {
    let own = DEFAULTS_TEAM
        .replace("{defaults}", "defaults:\n  timeout_ms: 200\n")
        .replace("{name}", "own");
    let inherits = DEFAULTS_TEAM
        .replace("{defaults}", "")
        .replace("{name}", "inherits");
    let dir = project(
        "defaults",
        &[
            (
                "system.yaml",
                "version: 1\nsystem: s\ndefaults:\n  timeout_ms: 100\nservices:\n  b: { slo: { latency_p99_ms: 300 } }\ninclude: [teams/*.yaml]\n",
            ),
            ("teams/own.yaml", &own),
            ("teams/inherits.yaml", &inherits),
        ],
    );
    let r = report(&dir, &["system.yaml"]);
    let below_p99: Vec<(String, &str)> = with_code(&r, "S002")
        .iter()
        .map(|f| (place(&f["location"]), f["interaction"].as_str().unwrap()))
        .collect();
    assert_eq!(
        below_p99,
        [
            ("system.yaml:4:15".to_string(), "inherits-call"),
            ("teams/own.yaml:3:15".to_string(), "own-call"),
        ]
    );
    let messages: Vec<&str> = with_code(&r, "S002")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].starts_with("timeout 100 ms"), "{messages:?}");
    assert!(messages[1].starts_with("timeout 200 ms"), "{messages:?}");
    assert!(with_code(&r, "S001").is_empty(), "both have a timeout");
}

#[test]
fn only_the_file_given_on_the_command_line_must_name_the_system() {
    let dir = project(
        "required",
        &[
            ("system.yaml", "version: 1\ninclude: [team.yaml]\n"),
            ("team.yaml", "version: 1\nservices: { a: {} }\n"),
            ("alone.yaml", "version: 1\nsystem: s\n"),
        ],
    );
    let r = report(&dir, &["system.yaml"]);
    let missing: Vec<(String, &str)> = with_code(&r, "M005")
        .iter()
        .map(|f| (place(&f["location"]), f["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        missing,
        [("system.yaml:1:1".to_string(), "`system` is missing")]
    );
    // A file that neither includes nor is included still needs both lists, as before.
    let r = report(&dir, &["alone.yaml"]);
    let missing: Vec<&str> = with_code(&r, "M005")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        missing,
        ["`interactions` is missing", "`services` is missing"]
    );
}

#[test]
fn includes_nested_too_deep_stop_at_a_located_limit() {
    let mut files: Vec<(String, String)> = (0..20)
        .map(|i| {
            (
                format!("f{i}.yaml"),
                format!(
                    "version: 1\nservices: {{ s{i}: {{}} }}\ninclude: [f{}.yaml]\n",
                    i + 1
                ),
            )
        })
        .collect();
    files.push(("f20.yaml".into(), "version: 1\n".into()));
    files.push((
        "system.yaml".into(),
        "version: 1\nsystem: s\ninclude: [f0.yaml]\n".into(),
    ));
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let dir = project("deep", &borrowed);
    let r = report(&dir, &["system.yaml"]);
    let limit = with_code(&r, "M013");
    assert_eq!(limit.len(), 1, "{limit:#?}");
    assert_eq!(limit[0]["message"], "includes are nested more than 16 deep");
    assert_eq!(place(&limit[0]["location"]), "f15.yaml:3:11");
    assert_eq!(
        place(&limit[0]["related"][0]["location"]),
        "system.yaml:3:11"
    );
    assert_eq!(r["files"].as_array().unwrap().len(), 17);
}

#[test]
fn a_file_given_on_the_command_line_and_included_is_read_once() {
    let r = report(
        repo(),
        &[
            "examples/multi-team/system.yaml",
            "examples/multi-team/teams/orders.yaml",
        ],
    );
    assert!(with_code(&r, "M016").is_empty());
    assert!(with_code(&r, "M008").is_empty());
    assert_eq!(r["files"].as_array().unwrap().len(), 11);
}

#[test]
fn diagram_and_generate_read_the_included_files() {
    let out = run(repo(), &["diagram", "examples/ecommerce.yaml"]);
    let single = String::from_utf8(out.stdout).unwrap();
    let out = run(repo(), &["diagram", "examples/multi-team/system.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    let multi = String::from_utf8(out.stdout).unwrap();
    let head = |d: &str| d.lines().nth(1).unwrap_or("").to_string();
    assert_eq!(
        head(&single),
        head(&multi),
        "same counts of services and interactions"
    );
    for service in [
        "web",
        "api-gateway",
        "payment-provider",
        "audit-log",
        "reporting",
    ] {
        assert!(multi.contains(&format!("\"{service}\"")), "{service}");
    }

    let generated = |input: &str, name: &str| {
        let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("include")
            .join(name);
        let _ = std::fs::remove_dir_all(&out_dir);
        let out = run(
            repo(),
            &["generate", input, "--out", out_dir.to_str().unwrap()],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut names = Vec::new();
        let mut stack = vec![out_dir.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    names.push(p.strip_prefix(&out_dir).unwrap().to_path_buf());
                }
            }
        }
        names.sort();
        names
    };
    let single = generated("examples/ecommerce.yaml", "gen-single");
    let multi = generated("examples/multi-team/system.yaml", "gen-multi");
    assert!(single.len() > 10);
    assert_eq!(single, multi);
}

#[cfg(unix)]
#[test]
fn patterns_take_linked_files_but_do_not_enter_linked_directories() {
    use std::os::unix::fs::symlink;
    let (a, b) = (team("a"), team("b"));
    let dir = project(
        "links",
        &[
            (
                "system.yaml",
                "version: 1\nsystem: s\nservices: { hub: {} }\ninclude: ['teams/**/*.yaml']\n",
            ),
            ("teams/a.yaml", &a),
            ("elsewhere/b.yaml", &b),
        ],
    );
    // Links back up would make the walk loop, or leave the project.
    symlink("..", dir.join("teams/up")).unwrap();
    symlink("../..", dir.join("teams/up2")).unwrap();
    symlink("../elsewhere", dir.join("teams/linked-dir")).unwrap();
    symlink("../elsewhere/b.yaml", dir.join("teams/b.yaml")).unwrap();
    let r = report(&dir, &["system.yaml"]);
    assert_eq!(
        r["files"],
        serde_json::json!(["system.yaml", "teams/a.yaml", "teams/b.yaml"])
    );
    assert!(findings(&r)
        .iter()
        .all(|f| !f["code"].as_str().unwrap().starts_with('M')));
}

#[test]
fn a_pattern_may_start_above_the_including_file_inside_the_project() {
    let a = team("a");
    let dir = project(
        "up",
        &[
            (
                "system.yaml",
                "version: 1\nsystem: s\nservices: { hub: {} }\ninclude: [teams/index.yaml]\n",
            ),
            (
                "teams/index.yaml",
                "version: 1\ninclude: ['../shared/*.yaml', '../../*.yaml']\n",
            ),
            ("shared/a.yaml", &a),
        ],
    );
    let r = report(&dir, &["system.yaml"]);
    assert_eq!(
        r["files"],
        serde_json::json!(["system.yaml", "teams/index.yaml", "teams/../shared/a.yaml"])
    );
    let outside = with_code(&r, "M020");
    assert_eq!(outside.len(), 1);
    assert_eq!(place(&outside[0]["location"]), "teams/index.yaml:2:31");
    assert!(
        outside[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot include `../../*.yaml`: `teams/../..` is outside"),
        "{}",
        outside[0]["message"]
    );
}

#[test]
fn at_most_a_thousand_files_are_read_through_include() {
    let mut files: Vec<(String, String)> = (0..1001)
        .map(|i| (format!("teams/t{i:04}.yaml"), "version: 1\n".to_string()))
        .collect();
    files.push((
        "system.yaml".into(),
        "version: 1\nsystem: s\ninclude: [teams/*.yaml]\n".into(),
    ));
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let dir = project("many", &borrowed);
    let r = report(&dir, &["system.yaml"]);
    let limit = with_code(&r, "M013");
    assert_eq!(limit.len(), 1, "{limit:#?}");
    assert_eq!(limit[0]["message"], "more than 1000 files are included");
    assert_eq!(place(&limit[0]["location"]), "system.yaml:3:11");
    let read = r["files"].as_array().unwrap();
    assert_eq!(read.len(), 1001, "the root and 1000 team files");
    assert_eq!(read[1000], "teams/t0999.yaml");
}
