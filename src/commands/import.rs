use super::{EXIT_FINDINGS, EXIT_OK};
use crate::cli::ImportArgs;
use crate::import::{self, write};
use crate::report::escape::visible;
use anyhow::{bail, Result};
use std::io::Write as _;
use std::path::Path;

pub fn run(args: &ImportArgs) -> Result<u8> {
    for path in &args.paths {
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() || m.is_dir() => {}
            Ok(_) => bail!("{} is not a file or a folder", path.display()),
            Err(e) => bail!("cannot read {}: {e}", path.display()),
        }
    }
    let imported = import::import(args.kind, &args.paths);
    let system = args
        .system
        .clone()
        .unwrap_or_else(|| system_name(&args.paths[0]));
    let text = write::render(&imported, args.kind.as_str(), &system);
    let mut err = anstream::stderr();
    for finding in &imported.diagnostics {
        let at = finding
            .location
            .as_ref()
            .map_or(String::new(), |l| format!("{l}: "));
        let _ = writeln!(
            err,
            "{}",
            visible(&format!(
                "{at}{} {}: {}",
                finding.severity.as_str(),
                finding.code,
                finding.message
            ))
        );
    }
    let _ = writeln!(
        err,
        "imported {} services and {} interactions ({} notes)",
        imported.services.len(),
        imported.interactions.len(),
        imported.notes.len()
    );
    match &args.output {
        Some(path) => {
            let action = write::write_file(path, &text, args.force)?;
            let _ = writeln!(
                err,
                "{} {}",
                action.as_str(),
                visible(&path.display().to_string())
            );
        }
        None => super::emit(None, &text)?,
    }
    Ok(if imported.diagnostics.iter().any(|f| f.did_not_load()) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// The system's name when none is given: the first path's last component (the folder
/// or the file without its extension).
fn system_name(path: &Path) -> String {
    let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let name = if resolved.is_dir() {
        resolved.file_name()
    } else {
        resolved.file_stem()
    };
    name.map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "imported".into())
}
