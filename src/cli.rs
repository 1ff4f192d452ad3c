//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

mod outputs;
pub use crate::report::Format;
pub use outputs::{Outputs, Target};

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
    after_help = "Examples:\n  commsplan init system.yaml\n  commsplan analyze system.yaml\n  commsplan analyze system.yaml --format json --output report.json\n  commsplan analyze system.yaml -f sarif -o commsplan.sarif -f github\n  commsplan explain D001\n\nExit codes: 0 no findings at or above --fail-on, 1 findings (or a broken file), 2 commsplan could not run."
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
    /// Draw the system as a Mermaid flowchart (services, interactions, patterns).
    Diagram(DiagramArgs),
    /// Draw the decision flowchart as Mermaid, with one interaction's path lit.
    Flowchart(FlowchartArgs),
    /// Generate starter client configurations (TypeScript, Go, Resilience4j, Istio, Kafka,
    /// RabbitMQ, Prometheus) from architecture files.
    Generate(GenerateArgs),
    /// List or export the templates `generate` uses.
    Templates(TemplatesArgs),
    /// Compare two versions of a system: interactions, patterns, findings, chain figures.
    Diff(crate::diff::DiffArgs),
    /// Compare architecture files with the deployed configuration (`--from kubernetes:deploy/`):
    /// settings that differ, calls on one side only.
    Drift(DriftArgs),
    /// Write a man page per subcommand into a folder.
    Man(ManArgs),
    /// Write an architecture file from what is deployed (Kubernetes manifests with their
    /// Istio resources, docker-compose files, AsyncAPI documents), each value commented
    /// with the file and line it was read from.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  commsplan import kubernetes deploy/ -o system.yaml\n  commsplan import kubernetes k8s/app.yaml istio/ > system.yaml\n  commsplan import kubernetes deploy/ --merge system.yaml\n  commsplan import compose docker-compose.yml -o system.yaml\n  commsplan import asyncapi asyncapi.yaml -o events.yaml\n\nExit codes: 0 imported, 1 an input file does not parse (located findings on stderr; the rest is still imported), 2 commsplan could not run or refused to write."
)]
pub struct ImportArgs {
    /// What the files are.
    #[arg(value_enum, value_name = "KIND")]
    pub kind: crate::import::Kind,
    /// Files, or folders read in sorted order for their .yaml, .yml and .json files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write the architecture file here instead of standard output; nothing else is
    /// written.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite the output file if it exists with other content.
    #[arg(long, requires = "output")]
    pub force: bool,
    /// Update this existing architecture file instead of writing a new one: its `uses`
    /// values are edited in place and new calls appended; what people wrote stays
    /// (docs/import.md). Written back to FILE unless `-o` names another file.
    #[arg(long, value_name = "FILE", conflicts_with = "system")]
    pub merge: Option<PathBuf>,
    /// Name of the system [default: the name of the first PATH].
    #[arg(long, value_name = "NAME")]
    pub system: Option<String>,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The folder to write `commsplan.1`, `commsplan-analyze.1`, … into (created if missing).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
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
    #[command(flatten)]
    pub outputs: Outputs,
    /// Exit with 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "LEVEL")]
    pub fail_on: FailOn,
    /// File paths in the reports (except table and json, which print them as given)
    /// are relative to this folder, the repository root [default: the current folder].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Count findings per rule instead of printing them (table: text; json: an array).
    #[arg(long)]
    pub statistics: bool,
    /// Print the findings and nothing else: no decisions table, no summary line.
    #[arg(short, long)]
    pub quiet: bool,
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
    /// Finding order: `risk` puts the top risks first (severity, then impact), `position`
    /// follows the files [default: risk for table and markdown, position for the others].
    #[arg(long, value_enum, value_name = "ORDER")]
    pub sort: Option<crate::analysis::Sort>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  commsplan drift system.yaml --from kubernetes:deploy/\n  commsplan drift system.yaml --from kubernetes:k8s/ --from kubernetes:istio/ -f sarif -o drift.sarif\n\nExit codes: 0 no drift at or above --fail-on, 1 drift at or above it (or a file that does not load), 2 commsplan could not run."
)]
pub struct DriftArgs {
    /// Architecture files (YAML). Several files form one system.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The deployed configuration: an importer's kind and a file or folder
    /// (`kubernetes:deploy/`); repeat for several.
    #[arg(long = "from", required = true, value_name = "KIND:PATH", value_parser = parse_deployed)]
    pub from: Vec<Deployed>,
    #[command(flatten)]
    pub outputs: Outputs,
    /// Exit with 1 when a finding is at or above this severity (`warning` also fails on
    /// settings and calls the model lacks).
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "LEVEL")]
    pub fail_on: FailOn,
    /// File paths in the reports (except table and json) are relative to this folder.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Print the findings and nothing else: no decisions table, no summary line.
    #[arg(short, long)]
    pub quiet: bool,
    /// Colour: auto uses colour on a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Settings file (`[severity]`, `select`, `ignore` apply to the `I` codes too);
    /// default: commsplan.toml in the first FILE's directory or above.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// One `--from KIND:PATH`.
#[derive(Debug, Clone)]
pub struct Deployed {
    pub kind: crate::import::Kind,
    pub path: PathBuf,
}

fn parse_deployed(text: &str) -> Result<Deployed, String> {
    let kinds = || {
        crate::import::Kind::value_variants()
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((kind, path)) = text.split_once(':') else {
        return Err(format!(
            "write KIND:PATH, e.g. `kubernetes:deploy/` (kinds: {})",
            kinds()
        ));
    };
    let kind = <crate::import::Kind as ValueEnum>::from_str(kind, true)
        .map_err(|_| format!("`{kind}` is not a kind of input; kinds: {}", kinds()))?;
    if path.is_empty() {
        return Err("the path after `KIND:` is empty".into());
    }
    Ok(Deployed {
        kind,
        path: PathBuf::from(path),
    })
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
    /// A rule code (D001) or name (pattern-mismatch), `risk` for how findings are ranked;
    /// or an architecture file.
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

#[derive(Debug, Args)]
pub struct DiagramArgs {
    /// Architecture files (YAML). Several files form one system.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Write the diagram to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Gather services into subgraphs by owning team, by kind, or not at all.
    #[arg(long, value_enum, default_value_t = crate::diagram::GroupBy::Owner, value_name = "BY")]
    pub group_by: crate::diagram::GroupBy,
    /// Draw only this service and the services around it.
    #[arg(long, value_name = "SERVICE")]
    pub focus: Option<String>,
    /// With --focus: how many interactions away (either direction) a service may be.
    #[arg(long, default_value_t = 1, value_name = "N", requires = "focus")]
    pub depth: usize,
    /// Colour services and interactions that have errors or warnings.
    #[arg(long)]
    pub findings: bool,
    /// Leave out the legend.
    #[arg(long)]
    pub no_legend: bool,
    /// Also write the label texts the diagram is meant to draw, as JSON (for checking a
    /// rendering against them).
    #[arg(long, value_name = "FILE", hide = true)]
    pub labels_json: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FlowchartArgs {
    /// An architecture file; with INTERACTION-ID, that interaction's path is lit.
    #[arg(value_name = "FILE", requires = "interaction")]
    pub file: Option<PathBuf>,
    /// The id of the interaction whose path to light.
    #[arg(value_name = "INTERACTION-ID")]
    pub interaction: Option<String>,
    /// Write the diagram to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the label texts the diagram is meant to draw, as JSON.
    #[arg(long, value_name = "FILE", hide = true)]
    pub labels_json: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  commsplan generate system.yaml --out generated\n  commsplan generate system.yaml --out generated --target istio,prometheus --dry-run\n  commsplan generate system.yaml --out generated --check     # in CI: exit 1 on drift\n\nExit codes: 0 done (or up to date with --check), 1 drift (--check) or a broken file, 2 commsplan could not run or refused to write."
)]
pub struct GenerateArgs {
    /// Architecture files (YAML). Several files form one system.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Folder to write into; nothing is ever written outside it.
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,
    /// Targets to generate, comma-separated. Default: all.
    #[arg(short, long, value_enum, value_delimiter = ',', value_name = "T,...")]
    pub target: Vec<crate::generate::targets::Target>,
    /// Folder with templates that replace the built-in ones of the same name
    /// (`commsplan templates export DIR` writes a starting point).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// List what would be written, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Overwrite files that exist with other content.
    #[arg(long)]
    pub force: bool,
    /// Write nothing; exit 1 when files in --out differ from what would be generated.
    #[arg(long, conflicts_with_all = ["dry_run", "force"])]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct TemplatesArgs {
    #[command(subcommand)]
    pub command: TemplatesCommand,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// List the templates by name, with what each one produces.
    List,
    /// Write the built-in templates into DIR, as a start for `generate --templates DIR`.
    Export {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Overwrite templates that exist in DIR.
        #[arg(long)]
        force: bool,
    },
}
