use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = commsplan::cli::Cli::parse();
    commsplan::commands::run(cli)
}
