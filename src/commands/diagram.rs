use super::{emit, EXIT_FINDINGS, EXIT_OK};
use crate::analysis::{analyze, Analysis};
use crate::cli::{DiagramArgs, FlowchartArgs};
use crate::diagram::{self, DiagramOptions, Highlight, Rendered};
use crate::model::LoadOptions;
use crate::report::escape::one_line;
use anyhow::bail;
use std::io::Write;
use std::path::Path;

pub fn run_diagram(args: &DiagramArgs) -> anyhow::Result<u8> {
    let analysis = analyze(&args.files, &LoadOptions::default())?;
    let options = DiagramOptions {
        group_by: args.group_by,
        focus: args.focus.clone(),
        depth: args.depth,
        findings: args.findings,
        legend: !args.no_legend,
    };
    if let Some(message) = diagram::unknown_focus(&analysis, &options) {
        bail!("{message}");
    }
    let rendered = diagram::render_system(&analysis, &options);
    write(
        &rendered,
        args.output.as_deref(),
        args.labels_json.as_deref(),
    )?;
    Ok(load_status(&analysis))
}

pub fn run_flowchart(args: &FlowchartArgs) -> anyhow::Result<u8> {
    let (Some(file), Some(id)) = (&args.file, &args.interaction) else {
        let rendered = diagram::render_flowchart(None);
        write(
            &rendered,
            args.output.as_deref(),
            args.labels_json.as_deref(),
        )?;
        return Ok(EXIT_OK);
    };
    let analysis = analyze(&[file], &LoadOptions::default())?;
    let model = &analysis.model;
    let Some(index) = model.interactions.iter().position(|i| i.id() == id) else {
        let hint =
            crate::model::schema::did_you_mean(id, model.interactions.iter().map(|i| i.id()))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
        bail!(
            "{} has no interaction `{}`{hint}",
            one_line(&file.display().to_string()),
            one_line(id)
        );
    };
    let rendered = diagram::render_flowchart(Some(&Highlight {
        analysis: &analysis,
        index,
    }));
    write(
        &rendered,
        args.output.as_deref(),
        args.labels_json.as_deref(),
    )?;
    Ok(load_status(&analysis))
}

fn write(rendered: &Rendered, output: Option<&Path>, labels: Option<&Path>) -> anyhow::Result<()> {
    emit(output, &rendered.text)?;
    if let Some(path) = labels {
        std::fs::write(path, rendered.labels.to_json())
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// A diagram is drawn from whatever loaded; when a file could not be read completely
/// (a loader error), say so and exit 1 as `analyze` would, since the picture may be
/// missing parts.
fn load_status(analysis: &Analysis) -> u8 {
    let loader_errors: Vec<_> = analysis
        .findings
        .iter()
        .filter(|f| f.did_not_load())
        .collect();
    if loader_errors.is_empty() {
        return EXIT_OK;
    }
    let mut err = anstream::stderr();
    for f in &loader_errors {
        let at = f
            .location
            .as_ref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        let _ = writeln!(err, "{at}error[{}]: {}", f.code, f.message);
    }
    let _ = writeln!(
        err,
        "commsplan: the diagram shows only what could be read; `commsplan analyze` explains the {} error(s)",
        loader_errors.len()
    );
    EXIT_FINDINGS
}
