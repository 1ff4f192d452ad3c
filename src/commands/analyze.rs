use super::{emit, EXIT_FINDINGS, EXIT_OK};
use crate::analysis::analyze;
use crate::cli::{AnalyzeArgs, ColorChoice, FailOn, Format};
use crate::finding::Severity;
use crate::model::LoadOptions;
use crate::report;

pub fn run(args: &AnalyzeArgs) -> anyhow::Result<u8> {
    let analysis = analyze(&args.files, &LoadOptions::default())?;
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
    crate::analysis::phase("rendered");
    emit(args.output.as_deref(), &text)?;
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failed = matches!((threshold, analysis.worst()), (Some(t), Some(w)) if w >= t);
    // The process ends next; freeing millions of nodes one by one would only cost time.
    std::mem::forget(analysis);
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
