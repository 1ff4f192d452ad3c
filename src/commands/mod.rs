//! What each subcommand does. `main.rs` only parses the arguments.

mod analyze;
mod diagram;
mod diff;
mod drift;
mod explain;
mod generate;
mod import;
mod init;
mod man;

use crate::cli::{Cli, Command, Format};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Exit codes of FORMAT.md §5.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_TOOL_ERROR: u8 = 2;

pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Analyze(args) => analyze::run(&args),
        Command::Schema(args) => {
            let mut text = serde_json::to_string_pretty(crate::model::schema::json_schema())
                .expect("schema serialises");
            text.push('\n');
            emit(args.output.as_deref(), &text).map(|_| EXIT_OK)
        }
        Command::Init(args) => init::run(&args),
        Command::Rules(args) => rules(args.format),
        Command::Explain(args) => explain::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Templates(args) => generate::templates(&args),
        Command::Completions(args) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut cmd, "commsplan", &mut std::io::stdout());
            Ok(EXIT_OK)
        }
        Command::Diagram(args) => diagram::run_diagram(&args),
        Command::Flowchart(args) => diagram::run_flowchart(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Drift(args) => drift::run(&args),
        Command::Man(args) => man::run(&args),
        Command::Import(args) => import::run(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // The message may quote arguments and file contents: no raw control characters.
            let message = format!("{err:#}");
            let _ = writeln!(
                anstream::stderr(),
                "commsplan: error: {}",
                crate::report::escape::visible(&message)
            );
            ExitCode::from(EXIT_TOOL_ERROR)
        }
    }
}

/// Writes `text` to the file, or to standard output. A closed pipe (`| head`) is not
/// an error.
pub(crate) fn emit(output: Option<&Path>, text: &str) -> anyhow::Result<()> {
    emit_with(output, |out| out.write_all(text.as_bytes()))
}

/// Like [`emit`], for a report written piece by piece rather than held as one string.
pub(crate) fn emit_with(
    output: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    const BUFFER: usize = 1 << 16;
    match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            let mut out = std::io::BufWriter::with_capacity(BUFFER, file);
            write(&mut out)
                .and_then(|_| out.flush())
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
        }
        None => {
            let mut out = std::io::BufWriter::with_capacity(BUFFER, std::io::stdout().lock());
            match write(&mut out).and_then(|_| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(Into::into),
            }
        }
    }
}

fn rules(format: Format) -> anyhow::Result<u8> {
    let registry = crate::rules::registry();
    let text = match format {
        Format::Json => {
            let mut t = serde_json::to_string_pretty(&registry)?;
            t.push('\n');
            t
        }
        Format::Table => {
            let mut table = comfy_table::Table::new();
            table
                .load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
                .set_header(["code", "name", "family", "severity", "summary"]);
            for r in &registry {
                table.add_row([
                    r.code,
                    r.name,
                    r.family.as_str(),
                    r.severity.as_str(),
                    r.summary,
                ]);
            }
            format!("{table}\n")
        }
        other => anyhow::bail!(
            "`rules` prints table or json, not {other}; `analyze` writes the other formats"
        ),
    };
    emit(None, &text)?;
    Ok(EXIT_OK)
}
