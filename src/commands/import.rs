use super::{EXIT_FINDINGS, EXIT_OK};
use crate::cli::ImportArgs;
use crate::import::{self, write};
use crate::report::escape::{one_line, visible};
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
    if let Some(into) = &args.merge {
        return merge(args, into, &imported);
    }
    let system = args
        .system
        .clone()
        .filter(|s| !s.is_empty())
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
    for note in &imported.notes {
        let _ = writeln!(
            err,
            "{}",
            // One line per note: a line break in a name must not start a line of its own.
            one_line(&format!("note: {}: {}", note.source, note.message))
        );
    }
    let _ = writeln!(
        err,
        "imported {} services and {} interactions ({} notes)",
        imported.services.len(),
        imported.interactions.len(),
        imported.notes.len()
    );
    let broken = imported.diagnostics.iter().any(|f| f.did_not_load());
    if broken && imported.services.is_empty() {
        // Nothing was read: an empty file would only hide the error behind a new file.
        let _ = writeln!(err, "nothing written: no input could be read");
        return Ok(EXIT_FINDINGS);
    }
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
    Ok(if broken { EXIT_FINDINGS } else { EXIT_OK })
}

/// `--merge INTO`: the deployment written into an existing file. INTO is the explicit
/// target, so writing it back needs no `--force`; `-o` naming another file with other
/// content does.
fn merge(args: &ImportArgs, into: &Path, imported: &import::Imported) -> Result<u8> {
    let mut err = anstream::stderr();
    report_diagnostics(imported);
    let merged = match import::merge::merge(into, imported)? {
        Ok(merged) => merged,
        Err(findings) => {
            report(&findings);
            let _ = writeln!(
                err,
                "{} does not load; it was not changed",
                visible(&into.display().to_string())
            );
            return Ok(EXIT_FINDINGS);
        }
    };
    for line in merged.changes.iter().chain(&merged.notes) {
        let _ = writeln!(err, "{}", one_line(line));
    }
    let (target, force) = match &args.output {
        Some(out) if !same_file(out, into) => (out.as_path(), args.force),
        _ => (into, true),
    };
    let action = if merged.text == merged.original && target == into {
        crate::generate::write::Action::Unchanged
    } else {
        write::write_file(target, &merged.text, force)?
    };
    let _ = writeln!(
        err,
        "{} {} ({} changes)",
        action.as_str(),
        visible(&target.display().to_string()),
        merged.changes.len()
    );
    Ok(if imported.diagnostics.iter().any(|f| f.did_not_load()) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// Whether two paths name one file (the second may not exist yet).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The importer's diagnostics, one located line each, on stderr.
fn report_diagnostics(imported: &import::Imported) {
    report(&imported.diagnostics);
}

fn report(findings: &[crate::finding::Finding]) {
    let mut err = anstream::stderr();
    for finding in findings {
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
