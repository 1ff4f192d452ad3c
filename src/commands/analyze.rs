use super::{emit, emit_with, EXIT_FINDINGS, EXIT_OK};
use crate::analysis::{analyze_with, Analysis, RunOptions};
use crate::baseline;
use crate::cli::{AnalyzeArgs, ColorChoice, FailOn, Format};
use crate::finding::Severity;
use crate::model::LoadOptions;
use crate::report;
use std::io::Write as _;

pub fn run(args: &AnalyzeArgs) -> anyhow::Result<u8> {
    let targets = &args.outputs.targets;
    if args.statistics {
        if let Some(t) = args.outputs.stdout() {
            if !matches!(t.format, Format::Table | Format::Json) {
                anyhow::bail!(
                    "--statistics replaces the table or json report on standard output, not `{}`; write `-f {} -o FILE`",
                    t.format.name(),
                    t.format.name()
                );
            }
        }
    }
    for code in args.select.iter().flatten().chain(&args.ignore) {
        let known = code == "ALL"
            || (!code.is_empty()
                && crate::rules::registry()
                    .iter()
                    .any(|r| r.code.starts_with(code.as_str())));
        if !known {
            anyhow::bail!("`{code}` is not a rule code or prefix; `commsplan rules` lists them");
        }
    }
    let run = RunOptions {
        config: args.config.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        baseline: args.baseline.clone(),
    };
    let mut analysis = analyze_with(&args.files, &LoadOptions::default(), &run)?;
    if let Some(path) = &args.write_baseline {
        let entries = baseline::entries(&analysis.findings);
        baseline::write(path, &entries)?;
        baseline::apply(&mut analysis.findings, &entries, &path.to_string_lossy());
        let _ = writeln!(
            anstream::stderr(),
            "commsplan: wrote {} baseline entries to {}",
            entries.len(),
            path.display()
        );
    }
    report_fixed(&analysis);
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let paths = report::paths::Paths::new(args.root.as_deref())
        .map_err(|e| anyhow::anyhow!("cannot read the current folder: {e}"))?;
    for target in targets {
        let to_stdout = target.output.is_none();
        let text = match target.format {
            Format::Table if args.statistics && to_stdout => {
                report::statistics::render_text(&analysis)
            }
            Format::Json if args.statistics && to_stdout => {
                report::statistics::render_json(&analysis)
            }
            Format::Json => {
                emit_with(target.output.as_deref(), |out| {
                    report::json::write(&analysis, out)
                })?;
                continue;
            }
            Format::Table => {
                let options = report::table::Options {
                    color: use_color(args.color, !to_stdout),
                    findings_only: args.quiet,
                };
                let text = report::table::render(&analysis, &options);
                if args.quiet {
                    quiet_table(&analysis, text)
                } else {
                    text
                }
            }
            Format::Sarif => report::sarif::render(&analysis, &paths),
            Format::Github => report::github::render(&analysis, &paths),
            Format::Junit => report::junit::render(&analysis, &paths, threshold),
            Format::Gitlab => report::gitlab::render(&analysis, &paths),
            Format::Markdown => report::markdown::render(
                &analysis,
                &paths,
                &report::markdown::Options { quiet: args.quiet },
            ),
        };
        emit(target.output.as_deref(), &text)?;
    }
    crate::analysis::phase("rendered");
    if args.statistics && args.outputs.stdout().is_none() {
        emit(None, &report::statistics::render_text(&analysis))?;
    }
    let failed = matches!((threshold, analysis.worst()), (Some(t), Some(w)) if w >= t);
    // The process ends next; freeing millions of nodes one by one would only cost time.
    std::mem::forget(analysis);
    Ok(if failed { EXIT_FINDINGS } else { EXIT_OK })
}

/// `--quiet` keeps the findings and drops the closing summary line (as `ruff -q`).
fn quiet_table(analysis: &Analysis, text: String) -> String {
    let summary = format!("{}\n", report::table::summary_line(analysis));
    let findings = text.strip_suffix(&summary).unwrap_or(&text);
    // Findings are separated by blank lines; end with one newline, or print nothing.
    let findings = findings.trim_end_matches('\n');
    if findings.is_empty() {
        String::new()
    } else {
        format!("{findings}\n")
    }
}

/// `auto`: colour only on a terminal, and not when NO_COLOR is set (anstream's rules).
fn use_color(choice: ColorChoice, to_file: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            !to_file
                && anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
        }
    }
}

/// Baseline entries that matched nothing: the problem was fixed (or its content changed,
/// in which case it is reported as a new finding). They go to stderr so that the report
/// itself stays about the file.
fn report_fixed(analysis: &Analysis) {
    if analysis.baseline_fixed.is_empty() {
        return;
    }
    let mut err = anstream::stderr();
    let _ = writeln!(
        err,
        "commsplan: {} baseline entries no longer match (fixed, or changed); rewrite the baseline with --write-baseline to drop them:",
        analysis.baseline_fixed.len()
    );
    for e in &analysis.baseline_fixed {
        let subject = e
            .interaction
            .as_deref()
            .or(e.service.as_deref())
            .unwrap_or("-");
        let _ = writeln!(err, "  fixed {} {subject}: {}", e.code, e.message);
    }
}
