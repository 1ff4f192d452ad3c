use super::EXIT_OK;
use crate::cli::InitArgs;
use anyhow::{bail, Context};

/// The starter file, with `{{uses.path}}` placeholders for the recommended values.
const STARTER_TEMPLATE: &str = include_str!("../../templates/init/system.yaml.hbs");
pub const SCHEMA_FILE: &str = "commsplan.schema.json";

/// The starter file with the recommended values filled in; `analyze` passes it with no
/// errors (a test holds it to that).
pub fn starter() -> anyhow::Result<String> {
    let mut hb = handlebars::Handlebars::new();
    hb.set_strict_mode(true);
    // Only numbers, booleans and codec names are filled in: nothing to escape.
    hb.register_escape_fn(handlebars::no_escape);
    hb.render_template(STARTER_TEMPLATE, &crate::recommended::as_uses_json())
        .context("internal: the starter file's template does not render")
}

pub fn run(args: &InitArgs) -> anyhow::Result<u8> {
    let schema_path = args
        .file
        .parent()
        .map(|p| p.join(SCHEMA_FILE))
        .unwrap_or_else(|| SCHEMA_FILE.into());
    let mut writes = vec![(args.file.clone(), starter()?)];
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recommended as rec;

    #[test]
    fn the_starter_file_carries_the_recommended_values() {
        let text = starter().unwrap();
        assert!(!text.contains("{{"), "{text}");
        assert!(text.contains(&format!("timeout_ms: {}", rec::TIMEOUT_MS.value)));
        assert!(text.contains(&format!("max_ms: {}", rec::RETRY_MAX_MS.value)));
        assert!(text.contains(&format!(
            "consumers: {{ min: {}, max: {} }}",
            rec::CONSUMERS_MIN.value,
            rec::CONSUMERS_MAX.value
        )));
    }
}
