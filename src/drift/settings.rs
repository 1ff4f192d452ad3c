//! One deployed call's settings against one interaction's: every value the importer read
//! (a leaf of its `uses`, by path) is looked up in what the model says the call uses.

use super::deployed_location;
use crate::codes::{SETTING_DRIFT, SETTING_NOT_IN_MODEL};
use crate::finding::Finding;
use crate::import::{matching, ImportedInteraction};
use crate::model::{InteractionDecl, Model};
use serde_json::Value;

/// Appends one finding per deployed value that the model does not say or says otherwise.
pub fn compare(
    model: &Model,
    decl: &InteractionDecl,
    call: &ImportedInteraction,
    out: &mut Vec<Finding>,
) {
    let written = serde_json::to_value(decl.uses()).unwrap_or(Value::Null);
    for (path, value) in matching::settings(&call.uses) {
        let value = &value;
        let source = call.field_sources.get(&path).unwrap_or(&call.source);
        let there = deployed_location(source);
        // The paths are those of `Uses` serialised, so each is a field of the format:
        // the model's value, its `defaults` entry, or the nearest enclosing block.
        let at = model.locate(&decl.origin, &format!("uses/{path}"));
        let finding = match matching::setting(&written, &path) {
            Some(ours) if matching::same(ours, value) => continue,
            Some(ours) => Finding::new(
                &SETTING_DRIFT,
                format!(
                    "`{}`: `uses.{}` is {} in the model and {} in the deployed configuration",
                    decl.id(),
                    path.replace('/', "."),
                    show(ours),
                    show(value)
                ),
            )
            .help("decide which side is right: `commsplan import … --merge FILE` writes the deployed value into the model")
            .label("the model's value"),
            None => Finding::new(
                &SETTING_NOT_IN_MODEL,
                format!(
                    "`{}`: the deployed configuration sets `uses.{}` to {}; the model does not say",
                    decl.id(),
                    path.replace('/', "."),
                    show(value)
                ),
            )
            .help("write the value into the model (`commsplan import … --merge FILE` does it)")
            .label("no such value here"),
        };
        out.push(
            finding
                .interaction(decl.id())
                .service(decl.interaction.from.clone())
                .at(at)
                .related(there, format!("deployed: {}", show(value))),
        );
    }
}

fn show(value: &Value) -> String {
    let text = match value {
        Value::String(s) => format!("`{s}`"),
        other => other.to_string(),
    };
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}
