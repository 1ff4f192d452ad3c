use super::EXIT_OK;
use crate::cli::InitArgs;
use anyhow::{bail, Context};

/// The starter file; `analyze` passes it with no errors (a test holds it to that).
pub const STARTER: &str = include_str!("../../templates/init/system.yaml");
pub const SCHEMA_FILE: &str = "commsplan.schema.json";

pub fn run(args: &InitArgs) -> anyhow::Result<u8> {
    let schema_path = args
        .file
        .parent()
        .map(|p| p.join(SCHEMA_FILE))
        .unwrap_or_else(|| SCHEMA_FILE.into());
    let mut writes = vec![(args.file.clone(), STARTER.to_string())];
    if !args.no_schema {
        let mut schema = serde_json::to_string_pretty(crate::model::schema::json_schema())?;
        schema.push('\n');
        writes.push((schema_path, schema));
    }
    if !args.force {
        if let Some((existing, _)) = writes.iter().find(|(p, _)| p.exists()) {
            bail!("{} exists; use --force to overwrite it", existing.display());
        }
    }
    if let Some(parent) = args.file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    for (path, text) in &writes {
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    eprintln!(
        "next: edit {0}, then run `commsplan analyze {0}`",
        args.file.display()
    );
    Ok(EXIT_OK)
}
