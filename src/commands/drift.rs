use super::analyze::{write_reports, Reporting};
use super::{EXIT_FINDINGS, EXIT_OK};
use crate::analysis::RunOptions;
use crate::cli::DriftArgs;
use crate::import::Imported;
use crate::report::escape::one_line;
use std::io::Write as _;

pub fn run(args: &DriftArgs) -> anyhow::Result<u8> {
    for deployed in &args.from {
        if std::fs::metadata(&deployed.path).is_err() {
            anyhow::bail!(
                "cannot read `{}` (from `--from {}:{}`)",
                one_line(&deployed.path.to_string_lossy()),
                deployed.kind.as_str(),
                one_line(&deployed.path.to_string_lossy())
            );
        }
    }
    let parts: Vec<Imported> = args
        .from
        .iter()
        .map(|d| crate::import::import(d.kind, std::slice::from_ref(&d.path)))
        .collect();
    let deployed = crate::drift::combine(parts);
    let mut err = anstream::stderr();
    for note in &deployed.notes {
        let _ = writeln!(
            err,
            "commsplan: note: {}: {}",
            one_line(&note.source.to_string()),
            one_line(&note.message)
        );
    }
    let run = RunOptions {
        config: args.config.clone(),
        ..RunOptions::default()
    };
    let mut analysis = crate::drift::analyze(&args.files, &run, &deployed)?;
    let reporting = Reporting {
        outputs: &args.outputs,
        fail_on: args.fail_on,
        root: args.root.as_deref(),
        quiet: args.quiet,
        color: args.color,
        sort: None,
        statistics: false,
    };
    let failed = write_reports(&mut analysis, &reporting)?;
    Ok(if failed { EXIT_FINDINGS } else { EXIT_OK })
}
