//! One deployed call's settings against one interaction's: every value the importer read
//! (a leaf of its `uses`, by path) is looked up in what the model says the call uses.

use super::deployed_location;
use crate::codes::{SETTING_DRIFT, SETTING_NOT_IN_MODEL};
use crate::finding::Finding;
use crate::import::ImportedInteraction;
use crate::model::{InteractionDecl, Model};
use serde_json::Value;

/// Appends one finding per deployed value that the model does not say or says otherwise.
pub fn compare(
    model: &Model,
    decl: &InteractionDecl,
    call: &ImportedInteraction,
    out: &mut Vec<Finding>,
) {
    let deployed = serde_json::to_value(&call.uses).unwrap_or(Value::Null);
    let written = serde_json::to_value(decl.uses()).unwrap_or(Value::Null);
    let mut leaves = Vec::new();
    leaves_of(&deployed, String::new(), &mut leaves);
    for (path, value) in leaves {
        let source = call.field_sources.get(&path).unwrap_or(&call.source);
        let there = deployed_location(source);
        // The paths are those of `Uses` serialised, so each is a field of the format:
        // the model's value, its `defaults` entry, or the nearest enclosing block.
        let at = model.locate(&decl.origin, &format!("uses/{path}"));
        let finding = match at_path(&written, &path) {
            Some(ours) if same(ours, value) => continue,
            Some(ours) => Finding::new(
                &SETTING_DRIFT,
                format!(
                    "`uses.{}` is {} in the model and {} in the deployed configuration",
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
                    "the deployed configuration sets `uses.{}` to {}; the model does not say",
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

/// Every scalar under `value` with its `/`-joined path, in the order of the fields of
/// `Uses`, so the findings come out in one order.
fn leaves_of<'v>(value: &'v Value, path: String, out: &mut Vec<(String, &'v Value)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let below = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}/{key}")
                };
                leaves_of(child, below, out);
            }
        }
        Value::Null => {}
        // Lists (none among the call settings today) are compared whole.
        _ => out.push((path, value)),
    }
}

fn at_path<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    let mut node = value;
    for key in path.split('/') {
        node = node.get(key)?;
    }
    (!node.is_null()).then_some(node)
}

/// Equal values; numbers by value, so `1000` and `1000.0` are one timeout.
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
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
