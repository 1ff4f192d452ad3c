//! Checks that need the whole model: references between files, unique ids.

use super::fields::{self, Field};
use super::schema::did_you_mean;
use super::{Model, Origin};
use crate::codes;
use crate::finding::Finding;
use std::collections::HashMap;

/// An interaction's ends as written, read from the raw document so that they are
/// checked even when the interaction has other errors.
pub(super) struct RawRef {
    pub id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub origin: Origin,
}

pub(super) fn references(model: &Model, refs: &[RawRef], findings: &mut Vec<Finding>) {
    let mut first_by_id: HashMap<&str, &Origin> = HashMap::new();
    for r in refs {
        for (field, name) in [(fields::FROM, &r.from), (fields::TO, &r.to)] {
            let Some(name) = name else { continue };
            if let Some(f) = unknown_service(model, &r.origin, field, name, r.id.as_deref()) {
                findings.push(f);
            }
        }
        let Some(id) = &r.id else { continue };
        match first_by_id.get(id.as_str()) {
            Some(first) => findings.push(
                Finding::new(
                    &codes::DUPLICATE_ID,
                    format!("interaction id `{id}` is used twice"),
                )
                .at(model.at(&r.origin, fields::ID))
                .label("second use")
                .related(model.at(first, fields::ID), "first used here")
                .interaction(id.clone())
                .help("give each interaction its own id"),
            ),
            None => {
                first_by_id.insert(id, &r.origin);
            }
        }
    }
}

pub(super) fn duplicate_service(
    model: &Model,
    name: &str,
    first: &Origin,
    second: &Origin,
) -> Finding {
    Finding::new(
        &codes::DUPLICATE_SERVICE,
        format!("service `{name}` is defined in two files"),
    )
    .at(model.key_at(second, Field::ITSELF))
    .label("second definition")
    .related(model.key_at(first, Field::ITSELF), "first defined here")
    .service(name)
    .help("define the service in one file only")
}

/// The services a carried copy names (`copy.of`, `copy.kept_by`), read from the typed
/// model: the block is optional, so an interaction whose other parts failed has none.
pub(super) fn copy_references(model: &Model, findings: &mut Vec<Finding>) {
    for decl in &model.interactions {
        let Some(copy) = decl.interaction.copy.as_deref() else {
            continue;
        };
        let named = [
            (fields::COPY_OF, Some(&copy.of)),
            (fields::COPY_KEPT_BY, copy.kept_by.as_ref()),
        ];
        for (field, name) in named {
            let Some(name) = name else { continue };
            if let Some(f) = unknown_service(model, &decl.origin, field, name, Some(decl.id())) {
                findings.push(f);
            }
        }
    }
}

/// The interactions an `operation.based_on` names, read from the typed model.
pub(super) fn based_on_references(model: &Model, findings: &mut Vec<Finding>) {
    // Most files say no `based_on`: no set of every id for them.
    if !model
        .interactions
        .iter()
        .any(|d| d.interaction.based_on().is_some())
    {
        return;
    }
    let ids: std::collections::HashSet<&str> = model.interactions.iter().map(|d| d.id()).collect();
    for decl in &model.interactions {
        let Some(read) = decl.interaction.based_on() else {
            continue;
        };
        if ids.contains(read) {
            continue;
        }
        let f = Finding::new(
            &codes::UNKNOWN_INTERACTION,
            format!("`operation.based_on` names `{read}`, which is not an interaction"),
        )
        .at(model.at(&decl.origin, fields::OPERATION_BASED_ON))
        .label("no such interaction")
        .interaction(decl.id().to_string());
        // In file order, so that a tie between two suggestions always goes the same way.
        let in_order = model.interactions.iter().map(|d| d.id());
        findings.push(match did_you_mean(read, in_order) {
            Some(s) => f.help(format!("did you mean `{s}`?")),
            None => f.help("name the id of the interaction whose answer this write is decided on"),
        });
    }
}

/// M007 for `name` at `field` of the interaction at `origin`, unless it is a service.
fn unknown_service(
    model: &Model,
    origin: &Origin,
    field: Field,
    name: &str,
    id: Option<&str>,
) -> Option<Finding> {
    if model.services.contains_key(name) {
        return None;
    }
    let mut f = Finding::new(
        &codes::UNKNOWN_SERVICE,
        format!(
            "`{}` names `{name}`, which is not a service",
            field.path().replace('/', ".")
        ),
    )
    .at(model.at(origin, field))
    .label("no such service");
    if let Some(id) = id {
        f = f.interaction(id.to_string());
    }
    Some(
        match did_you_mean(name, model.services.keys().map(String::as_str)) {
            Some(s) => f.help(format!("did you mean `{s}`?")),
            None => f.help(format!("define `{name}` under `services:`")),
        },
    )
}
