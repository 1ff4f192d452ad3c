//! `import --merge INTO`: the deployed settings written into an existing architecture
//! file by editing its text at the spans the loader keeps, so that everything people
//! wrote — `needs`, comments, suppressions, order, quoting, flow or block style — stays
//! byte for byte, and only the edited values change.
//!
//! What is edited, per interaction the deployed call matches (`matching`):
//! - a value written on the interaction that differs is replaced in place;
//! - a value the interaction does not write (absent, or only in the file's `defaults`) is
//!   inserted under its own `uses:` (a `uses:` block is added when there is none), so
//!   that it overrides the defaults for this interaction only;
//! - a value that comes from a YAML alias (`retry: *shared`, or a key merged in with
//!   `<<: *shared`) is never edited where the anchor is: the interaction gets its own
//!   value, which overrides the shared one, and the shared block stays as it is.
//!
//! Calls the model does not have are appended at the end of `interactions:` (and their
//! services added under `services:`); interactions the deployment does not show are
//! kept. Every inserted or changed value carries a `# from file:line` comment.
//! Nothing is removed.

mod edit;
mod render;

use super::{matching, Imported, ImportedInteraction};
use crate::finding::Finding;
use crate::model::Model;
use edit::Editor;
use std::path::Path;

/// The outcome of a merge: the new text and what changed, for the messages on stderr.
#[derive(Debug)]
pub struct Merged {
    pub original: String,
    pub text: String,
    /// One line per edit.
    pub changes: Vec<String>,
    /// What was read but not written: interactions the deployment does not show, values
    /// that could not be edited.
    pub notes: Vec<String>,
}

/// Merges `deployed` into the architecture file at `path`. A file that does not load
/// is not edited: its findings are returned instead.
pub fn merge(path: &Path, deployed: &Imported) -> anyhow::Result<Result<Merged, Vec<Finding>>> {
    let (model, findings) = crate::model::load(&[path], &Default::default())?;
    if findings.iter().any(Finding::did_not_load) {
        return Ok(Err(findings
            .into_iter()
            .filter(Finding::did_not_load)
            .collect()));
    }
    let file = &model.files[0];
    let Some(spans) = file.spans.as_ref() else {
        anyhow::bail!("{} holds no document", file.path);
    };
    let mut editor = Editor::new(&file.text, spans);
    let mut notes = Vec::new();
    let mut matched: Vec<Vec<&ImportedInteraction>> = vec![Vec::new(); model.interactions.len()];
    let mut new_calls = Vec::new();
    for call in &deployed.interactions {
        let found = matching::matches(&model, call);
        if found.is_empty() {
            new_calls.push(call);
        }
        for index in found {
            matched[index].push(call);
        }
    }
    let policies: Vec<Vec<ImportedInteraction>> = model
        .interactions
        .iter()
        .zip(&matched)
        .map(|(decl, calls)| match calls.is_empty() {
            true => matching::policy_calls(&model, decl, deployed),
            false => Vec::new(),
        })
        .collect();
    for (index, policy_calls) in policies.iter().enumerate() {
        matched[index].extend(policy_calls);
    }
    for (decl, calls) in model.interactions.iter().zip(&matched) {
        if calls.is_empty() {
            notes.push(format!(
                "kept interaction `{}` ({} -> {}): the deployed files do not show it",
                decl.id(),
                decl.interaction.from,
                decl.interaction.to
            ));
        } else if decl.origin.file != 0 {
            notes.push(format!(
                "interaction `{}` is in {}, not in the merged file: not edited",
                decl.id(),
                model.files[decl.origin.file].path
            ));
        } else {
            editor.settings(decl, calls, &mut notes);
        }
    }
    add_new(&model, &mut editor, deployed, &new_calls, &mut notes);
    let (text, changes) = editor.finish()?;
    Ok(Ok(Merged {
        original: file.text.clone(),
        text,
        changes,
        notes,
    }))
}

/// Appends the calls the model does not have, with the services they name.
fn add_new(
    model: &Model,
    editor: &mut Editor<'_>,
    deployed: &Imported,
    calls: &[&ImportedInteraction],
    notes: &mut Vec<String>,
) {
    let mut names: Vec<&str> = Vec::new();
    for call in calls {
        for name in [call.from.as_str(), call.to.as_str()] {
            if model.service(name).is_none() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    for name in names {
        let service = deployed.services.get(name);
        editor.add_service(name, service, notes);
    }
    let mut ids: Vec<String> = model
        .interactions
        .iter()
        .map(|d| d.id().to_string())
        .collect();
    for call in calls {
        let mut id = call.id.clone();
        let mut n = 2;
        while ids.contains(&id) {
            id = format!("{}-{n}", call.id);
            n += 1;
        }
        ids.push(id.clone());
        editor.add_interaction(&id, call, notes);
    }
}

#[cfg(test)]
mod tests;
