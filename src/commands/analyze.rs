use super::{emit_with, EXIT_FINDINGS, EXIT_OK};
use crate::analysis::{analyze_with, Analysis, RunOptions, Sort};
use crate::baseline;
use crate::cli::{AnalyzeArgs, ColorChoice, FailOn};
use crate::finding::Severity;
use crate::model::LoadOptions;
use crate::report::{self, Emitter as _};
use std::io::Write as _;

pub fn run(args: &AnalyzeArgs) -> anyhow::Result<u8> {
    if args.statistics {
        if let Some(t) = args.outputs.stdout() {
            if !t.format.has_statistics() {
                anyhow::bail!(
                    "--statistics replaces the table or json report on standard output, not `{}`; write `-f {} -o FILE`",
                    t.format,
                    t.format
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
            anyhow::bail!(
                "`{}` is not a rule code or prefix; `commsplan rules` lists them",
                report::escape::one_line(code)
            );
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
            report::escape::one_line(&path.to_string_lossy())
        );
    }
    report_fixed(&analysis);
    let reporting = Reporting {
        outputs: &args.outputs,
        fail_on: args.fail_on,
        root: args.root.as_deref(),
        quiet: args.quiet,
        color: args.color,
        sort: args.sort,
        statistics: args.statistics,
    };
    let failed = write_reports(&mut analysis, &reporting)?;
    // The process ends next; freeing millions of nodes one by one would only cost time.
    std::mem::forget(analysis);
    Ok(if failed { EXIT_FINDINGS } else { EXIT_OK })
}

/// How the reports of a run are written: the options `analyze` and `drift` share.
pub(crate) struct Reporting<'a> {
    pub outputs: &'a crate::cli::Outputs,
    pub fail_on: FailOn,
    pub root: Option<&'a std::path::Path>,
    pub quiet: bool,
    pub color: ColorChoice,
    pub sort: Option<Sort>,
    pub statistics: bool,
}

/// Writes every `-f/-o` report of `analysis`; whether a finding reaches `--fail-on`.
pub(crate) fn write_reports(analysis: &mut Analysis, args: &Reporting<'_>) -> anyhow::Result<bool> {
    let targets = &args.outputs.targets;
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let paths = report::paths::Paths::new(args.root)
        .map_err(|e| anyhow::anyhow!("cannot read the current folder: {e}"))?;
    let context = report::Context {
        paths: &paths,
        fail_on: threshold,
    };
    // Findings arrive in position order; the targets that want it are written first,
    // then the findings are put in risk order once for the rest.
    let order = |format: report::Format| args.sort.unwrap_or(default_sort(format));
    let mut ordered: Vec<_> = targets.iter().collect();
    ordered.sort_by_key(|t| order(t.format) == Sort::Risk);
    let mut sorted_by_risk = false;
    for target in ordered {
        if order(target.format) == Sort::Risk && !sorted_by_risk {
            crate::analysis::sort_by_risk(&mut analysis.findings);
            sorted_by_risk = true;
        }
        let to_stdout = target.output.is_none();
        let options = report::Options {
            color: use_color(args.color, !to_stdout),
            quiet: args.quiet,
            statistics: args.statistics && to_stdout,
        };
        let emitter = report::emitter(target.format, options);
        emit_with(target.output.as_deref(), |out| {
            emitter.emit(out, analysis, &context)
        })?;
    }
    crate::analysis::phase("rendered");
    if args.statistics && args.outputs.stdout().is_none() {
        emit_with(None, |out| {
            report::statistics::Text.emit(out, analysis, &context)
        })?;
    }
    Ok(matches!((threshold, analysis.worst()), (Some(t), Some(w)) if w >= t))
}

/// People read the table and the Markdown page top down: the top risks come first.
/// Machine formats keep the stable position order unless `--sort risk` asks otherwise.
fn default_sort(format: report::Format) -> Sort {
    match format {
        report::Format::Table | report::Format::Markdown => Sort::Risk,
        _ => Sort::Position,
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
