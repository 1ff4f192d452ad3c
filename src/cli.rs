//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Recommends communication patterns between microservices and lints what a team
/// declared against performance and resilience checklists.
///
/// commsplan reads a YAML architecture file (services and the interactions between
/// them), walks a decision flowchart for each interaction (real-time? consistency? can
/// the user wait? ordering?) and reports where the declared design and the
/// recommendation disagree or where the checklist has gaps.
#[derive(Debug, Parser)]
#[command(name = "commsplan", version, max_term_width = 100)]
#[command(
    after_help = "Examples:\n  commsplan init system.yaml\n  commsplan analyze system.yaml\n  commsplan analyze system.yaml --format json --output report.json\n  commsplan explain D001\n\nExit codes: 0 no findings at or above --fail-on, 1 findings (or a broken file), 2 commsplan could not run."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse architecture files: recommendations, then findings.
    Analyze(AnalyzeArgs),
    /// Print the JSON Schema (draft 2020-12) of the architecture file.
    Schema(SchemaArgs),
    /// Write a commented starter architecture file (and its schema beside it).
    Init(InitArgs),
    /// List every rule with its code, name, family and default severity.
    Rules(RulesArgs),
    /// Explain a rule (`explain D001`) or one interaction's decision (`explain FILE ID`).
    Explain(ExplainArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Decisions table and rustc-style diagnostics (for people).
    Table,
    /// The JSON report of FORMAT.md §4 (for scripts).
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Architecture files (YAML). Several files form one system.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Exit with 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "LEVEL")]
    pub fail_on: FailOn,
    /// Write the report to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Colour: auto uses colour on a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Settings file; default: commsplan.toml in the first FILE's directory or above.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Report only these rule codes or prefixes (comma-separated, e.g. `S,G001`);
    /// replaces `select` of commsplan.toml.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Option<Vec<String>>,
    /// Do not report these rule codes or prefixes; added to `ignore` of commsplan.toml.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Findings recorded in this baseline file are reported as suppressed; entries that
    /// no longer match are listed on stderr as fixed.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Record every current finding in this baseline file (and report them as suppressed).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Write the schema to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The file to create.
    #[arg(default_value = "system.yaml", value_name = "FILE")]
    pub file: PathBuf,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
    /// Do not write commsplan.schema.json beside the file.
    #[arg(long)]
    pub no_schema: bool,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code (D001) or name (pattern-mismatch); or an architecture file.
    #[arg(value_name = "CODE|FILE")]
    pub target: String,
    /// With a file: the id of the interaction to explain.
    #[arg(value_name = "INTERACTION-ID")]
    pub interaction: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
