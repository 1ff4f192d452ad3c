use clap::Parser;
use std::process::ExitCode;

// The loader allocates millions of small nodes on large systems; mimalloc makes that
// markedly cheaper than the system allocator (see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = commsplan::cli::Cli::parse();
    commsplan::commands::run(cli)
}
