use super::{emit, EXIT_FINDINGS, EXIT_OK};
use crate::analysis::{analyze_with, Analysis, RunOptions};
use crate::baseline;
use crate::cli::{AnalyzeArgs, ColorChoice, FailOn, Format};
use crate::finding::Severity;
use crate::model::LoadOptions;
use crate::report;
use std::io::Write as _;

pub fn run(args: &AnalyzeArgs) -> anyhow::Result<u8> {
    for code in args.select.iter().flatten().chain(&args.ignore) {
        if code != "ALL"
            && !crate::rules::registry()
                .iter()
                .any(|r| r.code.starts_with(code.as_str()))
            || code.is_empty()
        {
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
    let text = match args.format {
        Format::Json => report::json::render(&analysis),
        Format::Table => report::table::render(
            &analysis,
            &report::table::Options {
                color: use_color(args.color, args.output.is_some()),
                findings_only: false,
            },
        ),
    };
    emit(args.output.as_deref(), &text)?;
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failed = matches!((threshold, analysis.worst()), (Some(t), Some(w)) if w >= t);
    Ok(if failed { EXIT_FINDINGS } else { EXIT_OK })
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
