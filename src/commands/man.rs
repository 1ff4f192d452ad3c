//! `commsplan man DIR`: one roff page per subcommand, generated from the same clap
//! definitions that parse the command line, so a page cannot drift from the binary.

use super::EXIT_OK;
use crate::cli::{Cli, ManArgs};
use anyhow::Context as _;
use std::io::Write as _;

pub fn run(args: &ManArgs) -> anyhow::Result<u8> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    let written = write_pages(&args.dir)?;
    let _ = writeln!(
        anstream::stderr(),
        "commsplan: wrote {} man pages to {}",
        written.len(),
        args.dir.display()
    );
    Ok(EXIT_OK)
}

/// Writes `commsplan.1` and `commsplan-SUB.1` (`commsplan-templates-list.1` for nested
/// ones) and returns the file names, sorted. Hidden subcommands get no page.
pub fn write_pages(dir: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let mut cmd = <Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
    // Building propagates the version and the `commsplan sub` display names to the
    // subcommands before they are taken apart, one page each.
    cmd.build();
    let mut written = Vec::new();
    write_tree(&cmd, dir, &mut written)?;
    written.sort();
    Ok(written)
}

fn write_tree(
    cmd: &clap::Command,
    dir: &std::path::Path,
    written: &mut Vec<String>,
) -> anyhow::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_tree(sub, dir, written)?;
    }
    // The date field is the version: a build date would make the pages differ from
    // run to run, and an empty field shifts the others (roff drops empty arguments).
    let man = clap_mangen::Man::new(cmd.clone())
        .date(env!("CARGO_PKG_VERSION"))
        .source("commsplan")
        .manual("commsplan manual");
    let path = man
        .generate_to(dir)
        .with_context(|| format!("cannot write a man page into {}", dir.display()))?;
    written.push(
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    Ok(())
}
