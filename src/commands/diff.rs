//! `commsplan diff`: load both sides, stop with their diagnostics if either does not
//! load, otherwise compare and render.

use super::{emit, EXIT_FINDINGS, EXIT_OK};
use crate::analysis::{analyze_with, Analysis, RunOptions};
use crate::diff::{self, git, DiffArgs, DiffFormat};
use crate::model::LoadOptions;
use crate::report;
use anyhow::{bail, Result};
use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

pub fn run(args: &DiffArgs) -> Result<u8> {
    let (mut old, mut new, labels) = load_sides(args)?;
    let broken = (diff::broken(&old), diff::broken(&new));
    if !broken.0.is_empty() || !broken.1.is_empty() {
        let mut page = report_broken(args, &mut old, broken.0, "old")?;
        page.push_str(&report_broken(args, &mut new, broken.1, "new")?);
        if matches!(args.format, DiffFormat::Github | DiffFormat::Markdown) {
            emit(args.output.as_deref(), &page)?;
        }
        return Ok(EXIT_FINDINGS);
    }
    diff::ungroup(&mut old);
    diff::ungroup(&mut new);
    let result = diff::compare(&old, &new, labels);
    let paths = report::paths::Paths::new(args.root.as_deref())
        .map_err(|e| anyhow::anyhow!("cannot read the current folder: {e}"))?;
    let new_only: Vec<usize> = result.findings.new.iter().map(|f| f.index).collect();
    keep_findings(&mut new, &new_only);
    let text = match args.format {
        DiffFormat::Json => {
            let mut t = serde_json::to_string_pretty(&result)?;
            t.push('\n');
            t
        }
        DiffFormat::Markdown => diff::markdown::render(&result, &paths),
        DiffFormat::Github => github_annotations(&new, &paths),
        DiffFormat::Table => {
            let color = args.output.is_none()
                && anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
            diff::text::render(&result, &diagnostics(&new, color))
        }
    };
    emit(args.output.as_deref(), &text)?;
    Ok(if args.fail_on.fails(&result) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

type Sides = (Analysis, Analysis, (String, String));

fn load_sides(args: &DiffArgs) -> Result<Sides> {
    let run = RunOptions {
        config: args.config.clone(),
        ..RunOptions::default()
    };
    let load = |files: &[PathBuf]| analyze_with(files, &LoadOptions::default(), &run);
    if let Some(base) = &args.base {
        if args.files.is_empty() {
            bail!("--base {base} needs the architecture files to compare: `commsplan diff --base {base} FILE…`");
        }
        let checkout = git::checkout(base, &args.files)?;
        let old_files: Vec<PathBuf> = checkout
            .files
            .iter()
            .filter_map(|(_, p)| p.clone())
            .collect();
        let new_files: Vec<PathBuf> = args.files.iter().filter(|f| f.exists()).cloned().collect();
        for (given, at_base) in &checkout.files {
            if at_base.is_none() && !given.exists() {
                bail!(
                    "{} is neither in the working tree nor in {base}",
                    given.display()
                );
            }
        }
        let mut old = load(&old_files)?;
        let names: HashMap<String, String> = checkout
            .files
            .iter()
            .filter_map(|(given, p)| {
                Some((
                    p.as_ref()?.to_string_lossy().into_owned(),
                    checkout.display(given),
                ))
            })
            .collect();
        relabel(&mut old, &names);
        let new = load(&new_files)?;
        return Ok((old, new, (base.clone(), "working tree".to_string())));
    }
    let (old_files, new_files) = if args.old.is_empty() {
        match args.files.as_slice() {
            [a, b] => (vec![a.clone()], vec![b.clone()]),
            _ => bail!("give OLD and NEW (`commsplan diff old.yaml new.yaml`), --old FILE… --new FILE…, or --base REF FILE…"),
        }
    } else {
        if !args.files.is_empty() {
            bail!("with --old and --new, give every file with one of them");
        }
        (args.old.clone(), args.new.clone())
    };
    let label = |files: &[PathBuf]| {
        files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    Ok((
        load(&old_files)?,
        load(&new_files)?,
        (label(&old_files), label(&new_files)),
    ))
}

/// Files read from a revision's checkout are shown as `REV:path`, in the model and in
/// every location of every finding.
fn relabel(analysis: &mut Analysis, names: &HashMap<String, String>) {
    let shared: HashMap<&str, Arc<str>> = names
        .iter()
        .map(|(from, to)| (from.as_str(), Arc::from(to.as_str())))
        .collect();
    let rename = |file: &mut Arc<str>| {
        if let Some(to) = shared.get(&**file) {
            *file = Arc::clone(to);
        }
    };
    for f in &mut analysis.model.files {
        rename(&mut f.path);
    }
    for f in &mut analysis.findings {
        if let Some(loc) = &mut f.location {
            rename(&mut loc.file);
        }
        for r in &mut f.related {
            rename(&mut r.location.file);
        }
        if let Some(loc) = f.suppressed.as_mut().and_then(|s| s.location.as_mut()) {
            rename(&mut loc.file);
        }
    }
}

/// Keeps only the findings at `indices` (in their order), to render them in full.
fn keep_findings(analysis: &mut Analysis, indices: &[usize]) {
    let mut all: Vec<Option<crate::finding::Finding>> = std::mem::take(&mut analysis.findings)
        .into_iter()
        .map(Some)
        .collect();
    analysis.findings = indices
        .iter()
        .filter_map(|&i| all.get_mut(i)?.take())
        .collect();
}

/// The findings as `analyze` prints them, without its summary line.
fn diagnostics(analysis: &Analysis, color: bool) -> String {
    let options = report::table::Options {
        color,
        findings_only: true,
    };
    let text = report::table::render(analysis, &options);
    let summary = format!("{}\n", report::table::summary_line(analysis));
    text.strip_suffix(&summary).unwrap_or(&text).to_string()
}

/// A side that does not load: its diagnostics on standard error; returned as github
/// annotations or a Markdown page, so that a pull request shows them too.
fn report_broken(
    args: &DiffArgs,
    side: &mut Analysis,
    broken: Vec<usize>,
    name: &str,
) -> Result<String> {
    if broken.is_empty() {
        return Ok(String::new());
    }
    keep_findings(side, &broken);
    let mut err = anstream::stderr();
    let _ = writeln!(
        err,
        "commsplan: the {name} side does not load; nothing was compared:\n"
    );
    let _ = write!(err, "{}", diagnostics(side, true));
    let paths = report::paths::Paths::new(args.root.as_deref())
        .map_err(|e| anyhow::anyhow!("cannot read the current folder: {e}"))?;
    if args.format == DiffFormat::Github {
        return Ok(github_annotations(side, &paths));
    }
    use report::markdown::{code, inline};
    let mut page =
        format!("## Architecture diff\n\nThe {name} side does not load; nothing was compared:\n\n");
    for f in &side.findings {
        let at = f.location.as_ref().map(|l| {
            let place = format!("{}:{}:{}", paths.display(&l.file), l.line, l.column);
            format!(" · {}", code(&place, false))
        });
        page.push_str(&format!(
            "- **{}** {} — {}{}\n",
            f.severity,
            code(f.code, false),
            inline(&f.message, false),
            at.unwrap_or_default()
        ));
    }
    page.push('\n');
    Ok(page)
}

/// GitHub workflow commands for the findings `analysis` holds, written by the same
/// emitter as `analyze --format github`.
fn github_annotations(
    analysis: &crate::analysis::Analysis,
    paths: &report::paths::Paths,
) -> String {
    let context = report::Context {
        paths,
        fail_on: None,
    };
    report::to_string(&report::github::Github, analysis, &context)
}
