//! Properties over generated systems: the same input gives the same bytes whatever the
//! number of cores; every flowchart answer combination gives one pattern or one located
//! M011; a baseline or a suppression written from a run's findings covers exactly them.

// The architecture-file generator the `architecture` fuzz target uses.
#[path = "../fuzz/src/archgen.rs"]
#[allow(dead_code)]
mod archgen;

use commsplan::analysis::{analyze_with, Analysis, RunOptions};
use commsplan::model::types::Pattern;
use commsplan::model::LoadOptions;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "commsplan-prop-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // Given explicitly, so that no commsplan.toml above the folder is used.
        std::fs::write(dir.join("commsplan.toml"), "").unwrap();
        Scratch(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn analyze(&self, file: &Path, baseline: Option<PathBuf>) -> Analysis {
        let run = RunOptions {
            config: Some(self.0.join("commsplan.toml")),
            baseline,
            ..RunOptions::default()
        };
        analyze_with(&[file], &LoadOptions::default(), &run).expect("analysis runs")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn generated(bytes: &[u8]) -> String {
    archgen::architecture(&mut arbitrary::Unstructured::new(bytes))
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // Failures are reported with the generated input; no files are left behind.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------
// Determinism: one core or all of them, the same bytes in every format.

#[cfg(target_os = "linux")]
mod determinism {
    use super::*;
    use std::os::unix::process::CommandExt;
    use std::process::Command;

    const FORMATS: &[&str] = &[
        "json", "sarif", "github", "junit", "gitlab", "markdown", "table",
    ];

    /// Every format of one run, and its exit code, with the process bound to `cores`
    /// (`None`: all), which is what the analysis sizes its worker threads by.
    fn run(dir: &Path, file: &Path, cores: Option<usize>, tag: &str) -> Vec<u8> {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_commsplan"));
        cmd.arg("analyze")
            .arg(file)
            .arg("--config")
            .arg(dir.join("commsplan.toml"))
            .current_dir(dir)
            .env("COMMSPLAN_TODAY", "2025-06-01")
            .env_remove("CLICOLOR_FORCE");
        for f in FORMATS {
            cmd.args(["-f", f, "-o"])
                .arg(dir.join(format!("{tag}.{f}")));
        }
        if let Some(n) = cores {
            // SAFETY: only async-signal-safe calls between fork and exec, on locals.
            unsafe {
                cmd.pre_exec(move || {
                    let mut set: libc::cpu_set_t = std::mem::zeroed();
                    for cpu in 0..n {
                        libc::CPU_SET(cpu, &mut set);
                    }
                    if libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let out = cmd.output().expect("commsplan runs");
        let mut all = format!("exit {:?}\n", out.status.code()).into_bytes();
        all.extend(&out.stderr);
        for f in FORMATS {
            all.extend(format!("\n== {f}\n").as_bytes());
            all.extend(std::fs::read(dir.join(format!("{tag}.{f}"))).unwrap_or_default());
        }
        all
    }

    proptest! {
        #![proptest_config(config(12))]
        #[test]
        fn same_bytes_on_one_core_and_on_all(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
            let s = Scratch::new("det");
            let file = s.write("system.yaml", &generated(&bytes));
            let one = run(&s.0, &file, Some(1), "one");
            let all = run(&s.0, &file, None, "all");
            let again = run(&s.0, &file, None, "again");
            prop_assert!(one == all, "one core and all cores differ");
            prop_assert!(all == again, "two runs differ");
        }
    }
}

// ---------------------------------------------------------------------------------------
// The flowchart: every combination of answers, each answer given, missing or invalid.

#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    Yes,
    No,
    Missing,
    Invalid,
}

const ANSWERS: [Answer; 4] = [Answer::Yes, Answer::No, Answer::Missing, Answer::Invalid];

/// FORMAT.md §1: the pattern, or the first question on the path without a valid answer.
fn expected(
    realtime: Answer,
    strong: Answer,
    can_wait: Answer,
    ordering: Answer,
) -> Result<Pattern, &'static str> {
    let given = |a: Answer, field: &'static str| match a {
        Answer::Yes => Ok(true),
        Answer::No => Ok(false),
        Answer::Missing | Answer::Invalid => Err(field),
    };
    if given(realtime, "realtime")? {
        if given(strong, "consistency")? {
            Ok(Pattern::Sync)
        } else if given(can_wait, "can_wait")? {
            Ok(Pattern::SyncOptimized)
        } else {
            Ok(Pattern::Cqrs)
        }
    } else if given(ordering, "ordering")? {
        Ok(Pattern::Queue)
    } else {
        Ok(Pattern::Stream)
    }
}

fn answer_line(key: &str, a: Answer, yes: &str, no: &str) -> String {
    match a {
        Answer::Yes => format!("      {key}: {yes}\n"),
        Answer::No => format!("      {key}: {no}\n"),
        Answer::Missing => String::new(),
        Answer::Invalid => format!("      {key}: maybe\n"),
    }
}

#[test]
fn every_answer_combination_gives_one_pattern_or_one_located_m011() {
    let mut combos = Vec::new();
    for r in ANSWERS {
        for c in ANSWERS {
            for w in ANSWERS {
                for o in ANSWERS {
                    combos.push((r, c, w, o));
                }
            }
        }
    }
    let mut yaml =
        String::from("version: 1\nsystem: chart\nservices:\n  a: {}\n  b: {}\ninteractions:\n");
    for (i, &(r, c, w, o)) in combos.iter().enumerate() {
        yaml.push_str(&format!(
            "  - id: i{i}\n    from: a\n    to: b\n    needs:\n"
        ));
        yaml.push_str(&answer_line("realtime", r, "true", "false"));
        yaml.push_str(&answer_line("consistency", c, "strong", "eventual"));
        yaml.push_str(&answer_line("can_wait", w, "true", "false"));
        yaml.push_str(&answer_line("ordering", o, "true", "false"));
        yaml.push_str("      x-pad: 0\n");
    }
    let s = Scratch::new("chart");
    let file = s.write("chart.yaml", &yaml);
    let a = s.analyze(&file, None);
    assert_eq!(a.decisions.len(), combos.len());
    let lines: Vec<&str> = yaml.lines().collect();
    for (i, (&(r, c, w, o), decision)) in combos.iter().zip(&a.decisions).enumerate() {
        let id = format!("i{i}");
        let m011: Vec<_> = a
            .findings
            .iter()
            .filter(|f| f.code == "M011" && f.interaction.as_deref() == Some(id.as_str()))
            .collect();
        match expected(r, c, w, o) {
            Ok(pattern) => {
                assert_eq!(
                    decision.recommended,
                    Some(pattern),
                    "{id}: {r:?} {c:?} {w:?} {o:?}"
                );
                assert!(m011.is_empty(), "{id}: a pattern and an M011");
            }
            Err(field) => {
                assert_eq!(decision.recommended, None, "{id}");
                assert_eq!(m011.len(), 1, "{id}: {r:?} {c:?} {w:?} {o:?}: {m011:#?}");
                let f = m011[0];
                assert!(
                    f.message.contains(&format!("`needs.{field}`")),
                    "{id}: {}",
                    f.message
                );
                let loc = f.location.as_ref().expect("M011 is located");
                // At the answer when it is written, else at `needs:` of this interaction.
                let line = lines[loc.line as usize - 1];
                let written_invalid = match field {
                    "realtime" => r,
                    "consistency" => c,
                    "can_wait" => w,
                    _ => o,
                } == Answer::Invalid;
                let at_answer = line.trim_start().starts_with(&format!("{field}:"));
                let at_needs = line.trim_start().starts_with("needs:");
                assert!(at_answer || at_needs, "{id}: located at {line:?}");
                assert_eq!(at_answer, written_invalid, "{id}: located at {line:?}");
                let id_line = (0..loc.line as usize)
                    .rev()
                    .map(|n| lines[n])
                    .find(|l| l.trim_start().starts_with("- id:"))
                    .unwrap();
                assert_eq!(
                    id_line.trim(),
                    format!("- id: {id}"),
                    "{id}: wrong interaction"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Baselines and suppressions written from a run's findings cover exactly those findings.

proptest! {
    #![proptest_config(config(24))]
    #[test]
    fn a_baseline_of_a_run_covers_the_run(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let s = Scratch::new("baseline");
        let file = s.write("system.yaml", &generated(&bytes));
        let first = s.analyze(&file, None);
        let entries = commsplan::baseline::entries(&first.findings);
        let baseline = s.0.join("baseline.json");
        commsplan::baseline::write(&baseline, &entries).unwrap();
        prop_assert_eq!(&commsplan::baseline::read(&baseline).unwrap(), &entries);

        let expected_reason = format!("in baseline {}", baseline.display());
        let second = s.analyze(&file, Some(baseline));
        prop_assert!(second.baseline_fixed.is_empty(), "fixed: {:?}", second.baseline_fixed);
        prop_assert!(commsplan::baseline::entries(&second.findings).is_empty());
        // A group of the first run is matched per member, so the second run reports each
        // member alone, in the baseline.
        let members = |found: &[commsplan::finding::Finding]| {
            let mut all: Vec<_> = found
                .iter()
                .flat_map(|f| f.members())
                .map(|m| (m.code, m.interaction.clone(), m.message.clone(), commsplan::baseline::baselinable(&m)))
                .collect();
            all.sort();
            all
        };
        let before = members(&first.findings);
        let after: Vec<_> = {
            let mut all: Vec<_> = second
                .findings
                .iter()
                .map(|b| {
                    let reason = b.suppressed.as_ref().map(|s| s.reason.as_str());
                    prop_assert!(b.affected.is_empty() || reason.is_none());
                    Ok((b.code, b.interaction.clone(), b.message.clone(), reason == Some(expected_reason.as_str())))
                })
                .collect::<Result<_, TestCaseError>>()?;
            all.sort();
            all
        };
        prop_assert_eq!(before, after);
    }
}

/// A small system that loads without model errors, so that its rule findings can be
/// suppressed one by one.
fn clean_system() -> impl Strategy<Value = String> {
    let interaction = (
        0..4usize,
        0..4usize,
        any::<[bool; 4]>(),
        prop::option::of(prop::sample::select(vec![
            "sync",
            "sync-optimized",
            "cqrs",
            "queue",
            "stream",
        ])),
        prop::option::of(1..5000u32),
        any::<bool>(),
    );
    prop::collection::vec(interaction, 1..8).prop_map(|items| {
        let mut yaml = String::from(
            "version: 1\nsystem: s\nservices:\n  s0: {}\n  s1: {}\n  s2: {}\n  s3: {}\ninteractions:\n",
        );
        for (i, (from, to, needs, pattern, timeout, retry)) in items.into_iter().enumerate() {
            let [realtime, strong, can_wait, ordering] = needs;
            let consistency = if strong { "strong" } else { "eventual" };
            yaml.push_str(&format!(
                "  - id: c{i}\n    from: s{from}\n    to: s{to}\n    needs: {{ realtime: {realtime}, consistency: {consistency}, can_wait: {can_wait}, ordering: {ordering} }}\n    uses:\n      metrics: true\n"
            ));
            if let Some(p) = pattern {
                yaml.push_str(&format!("      pattern: {p}\n"));
            }
            if let Some(t) = timeout {
                yaml.push_str(&format!("      timeout_ms: {t}\n"));
            }
            if retry {
                yaml.push_str("      retry: { max_attempts: 3, backoff: exponential, base_ms: 100, max_ms: 2000, jitter: true }\n");
            }
        }
        yaml
    })
}

proptest! {
    #![proptest_config(config(24))]
    #[test]
    fn suppressing_each_finding_by_rule_and_target_covers_exactly_it(yaml in clean_system()) {
        let s = Scratch::new("suppress");
        let file = s.write("system.yaml", &yaml);
        let first = s.analyze(&file, None);
        // Each member of a group is its own target.
        let members: Vec<commsplan::finding::Finding> =
            first.findings.iter().flat_map(|f| f.members()).collect();
        let mut targets: Vec<(&str, &str)> = members
            .iter()
            .filter(|f| !f.code.starts_with('M') && f.suppressed.is_none())
            .filter_map(|f| Some((f.code, f.interaction.as_deref()?)))
            .collect();
        targets.sort();
        targets.dedup();
        let mut with_suppressions = yaml.clone();
        if !targets.is_empty() {
            with_suppressions.push_str("suppress:\n");
            for (code, id) in &targets {
                with_suppressions.push_str(&format!(
                    "  - {{ rule: {code}, target: {id}, reason: accepted in review }}\n"
                ));
            }
        }
        let file = s.write("suppressed.yaml", &with_suppressions);
        let second = s.analyze(&file, None);
        // Nothing but the marks changes: no finding appears (an unused suppression would)
        // and none goes away.
        let key = |f: &commsplan::finding::Finding| (f.code, f.interaction.clone(), f.message.clone());
        let mut before: Vec<_> = members.iter().map(key).collect();
        let mut after: Vec<_> = second.findings.iter().map(key).collect();
        before.sort();
        after.sort();
        prop_assert_eq!(before, after);
        for f in &second.findings {
            let covered = f
                .interaction
                .as_deref()
                .is_some_and(|id| targets.contains(&(f.code, id)));
            prop_assert_eq!(f.suppressed.is_some(), covered, "{} {:?}", f.code, f.interaction);
        }
    }
}
