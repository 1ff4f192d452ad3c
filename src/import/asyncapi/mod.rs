//! AsyncAPI 2.x and 3.0 documents → asynchronous interactions, from sender to receiver.
//!
//! Each document describes one application (a service named by `info.title`, or by the
//! file's folder when the title is missing). Its operations say what it sends and what
//! it receives on which channel (`operations.read_operations`). Applications of the input
//! that send and receive on the same channel address are joined sender → receiver; a
//! side with no application in the input is the placeholder service
//! [`PLACEHOLDER`], which says that it is one. docs/import.md is the mapping.

mod operations;
pub(super) mod refs;

use super::input::{read_inputs, roots};
use super::names::unique_id;
use super::{Imported, ImportedInteraction, ImportedService, Note, Source};
use crate::model::types::{Service, ServiceKind, Uses};
use operations::{Action, Operation};
use refs::Files;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The service that stands for the other side of a channel when no document of the
/// input sends (or receives) on it: the broker and whoever is behind it.
pub const PLACEHOLDER: &str = "unknown-peers";

/// Most interactions joined from one input: every sender times every receiver of an
/// address grows as a product, so a hostile input could ask for billions.
pub const MAX_INTERACTIONS: usize = 100_000;

/// Reads the AsyncAPI documents in `paths` (files, or folders walked in sorted order).
pub fn import(paths: &[PathBuf]) -> Imported {
    let inputs = read_inputs(paths);
    // `$ref`s may point into each folder given and each given file's folder.
    let mut files = Files::new(roots(paths));
    let mut imported = Imported {
        diagnostics: inputs.diagnostics,
        ..Imported::default()
    };
    for (file, message) in inputs.skipped {
        imported.notes.push(Note {
            source: Source {
                file,
                line: 1,
                column: 1,
            },
            message: format!("skipped: {message}"),
        });
    }
    let indices: Vec<usize> = inputs
        .files
        .iter()
        .map(|f| files.add(&f.path, &f.text))
        .collect();
    let mut all = Vec::new();
    let mut names = BTreeSet::new();
    for file in indices {
        if let Some(app) = application(&files, file, &mut names, &mut imported) {
            all.extend(operations::read_operations(&mut files, file, &app));
        }
    }
    join(&all, &mut imported);
    imported.notes.append(&mut files.notes);
    imported.diagnostics.append(&mut files.diagnostics);
    imported.services.sort_keys();
    imported.interactions.sort_by(|a, b| a.id.cmp(&b.id));
    imported.notes.sort();
    imported.notes.dedup();
    imported
}

/// The application a document describes, added as a service; `None` for a file that is
/// not an AsyncAPI document of a supported version (noted).
fn application(
    files: &Files,
    file: usize,
    names: &mut BTreeSet<String>,
    imported: &mut Imported,
) -> Option<String> {
    let doc = files.doc(file)?;
    let at = |pointer: &str| doc.source(pointer);
    let Some(version) = doc.value.get("asyncapi").and_then(Value::as_str) else {
        // Shared components (messages, schemas) are read only as `$ref` targets.
        imported.notes.push(Note {
            source: at(""),
            message: "not an AsyncAPI document (no `asyncapi` version): read only where a `$ref` points into it".into(),
        });
        return None;
    };
    if !(version.starts_with("2.") || version.starts_with("3.0")) {
        imported.notes.push(Note {
            source: at("/asyncapi"),
            message: format!("AsyncAPI version `{version}` is not read (2.x and 3.0 are)"),
        });
        return None;
    }
    let title = doc
        .value
        .pointer("/info/title")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let (base, pointer) = match title {
        Some(t) => (t.to_string(), "/info/title"),
        None => (folder_name(&doc.file), ""),
    };
    let mut name = base.clone();
    let mut n = 2;
    while !names.insert(name.clone()) {
        name = format!("{base} ({n})");
        n += 1;
    }
    let mut service = Service::default();
    let mut field_sources = BTreeMap::new();
    if let Some(d) = doc
        .value
        .pointer("/info/description")
        .and_then(Value::as_str)
    {
        service.description = Some(d.trim().to_string());
        field_sources.insert("description".into(), at("/info/description"));
    }
    imported.services.insert(
        name.clone(),
        ImportedService {
            service,
            source: at(pointer),
            field_sources,
        },
    );
    Some(name)
}

/// The name of the folder a file is in (`backend` for `backend/asyncapi.yaml`), or the
/// file's stem when it has no folder.
fn folder_name(file: &str) -> String {
    let path = Path::new(file);
    path.parent()
        .and_then(Path::file_name)
        .or_else(|| path.file_stem())
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty() && n != "." && n != "..")
        .unwrap_or_else(|| "application".into())
}

/// Interactions from every sender to every receiver of each channel address; a side
/// with no application in the input is the placeholder.
fn join(all: &[Operation], imported: &mut Imported) {
    let mut by_address: BTreeMap<&str, (Vec<&Operation>, Vec<&Operation>)> = BTreeMap::new();
    for op in all {
        let sides = by_address.entry(op.address.as_str()).or_default();
        match op.action {
            Action::Send => sides.0.push(op),
            Action::Receive => sides.1.push(op),
        }
    }
    let mut ids = BTreeSet::new();
    for (senders, receivers) in by_address.into_values() {
        let room = MAX_INTERACTIONS.saturating_sub(imported.interactions.len()) + 1;
        for (from, to) in pairs(&senders, &receivers, room) {
            if imported.interactions.len() >= MAX_INTERACTIONS {
                let op = from.or(to).expect("a pair has a side");
                imported.notes.push(Note {
                    source: op.source.clone(),
                    message: format!(
                        "more than {MAX_INTERACTIONS} interactions: the rest is not imported"
                    ),
                });
                return;
            }
            if from.is_none() || to.is_none() {
                add_placeholder(imported, from.or(to).expect("a pair has a side"));
            }
            let interaction = interaction(from, to, &mut ids);
            imported.interactions.push(interaction);
        }
    }
}

type Pair<'o> = (Option<&'o Operation>, Option<&'o Operation>);

/// Each sender to each receiver that is another application; a sender with no other
/// receiver sends to the placeholder, and a receiver with no other sender receives
/// from it. An application that sends and receives on one address is not joined to
/// itself.
/// At most `limit` pairs are made.
fn pairs<'o>(
    senders: &[&'o Operation],
    receivers: &[&'o Operation],
    limit: usize,
) -> Vec<Pair<'o>> {
    let mut out = Vec::new();
    for s in senders {
        if out.len() >= limit {
            break;
        }
        let others: Vec<&&Operation> = receivers.iter().filter(|r| r.app != s.app).collect();
        if others.is_empty() {
            out.push((Some(*s), None));
        }
        let room = limit.saturating_sub(out.len());
        out.extend(others.into_iter().take(room).map(|r| (Some(*s), Some(*r))));
    }
    for r in receivers {
        if senders.iter().all(|s| s.app == r.app) {
            out.push((None, Some(*r)));
        }
    }
    out
}

fn add_placeholder(imported: &mut Imported, first_seen: &Operation) {
    if imported.services.contains_key(PLACEHOLDER) {
        return;
    }
    let service = Service {
        kind: Some(ServiceKind::External),
        description: Some(
            "placeholder, not read from the input: the broker and the peers on the other side of channels that no document of the input describes"
                .into(),
        ),
        ..Service::default()
    };
    imported.services.insert(
        PLACEHOLDER.into(),
        ImportedService {
            service,
            source: first_seen.source.clone(),
            field_sources: BTreeMap::new(),
        },
    );
}

/// One interaction: settings from the sender's side where it has them (it chooses the
/// key and the server it publishes to), else from the receiver's.
fn interaction(
    from: Option<&Operation>,
    to: Option<&Operation>,
    ids: &mut BTreeSet<String>,
) -> ImportedInteraction {
    let sides: Vec<&Operation> = from.into_iter().chain(to).collect();
    let main = sides[0];
    let from_name = from.map_or(PLACEHOLDER, |o| o.app.as_str());
    let to_name = to.map_or(PLACEHOLDER, |o| o.app.as_str());
    let mut uses = Uses {
        channel: Some(main.address.clone()),
        ..Uses::default()
    };
    let mut field_sources = BTreeMap::new();
    field_sources.insert("channel".into(), main.address_source.clone());
    if let Some((p, at)) = sides.iter().find_map(|o| o.protocol.as_ref()) {
        uses.protocol = Some(p.clone());
        field_sources.insert("protocol".into(), at.clone());
    }
    if let Some((p, at)) = sides.iter().find_map(|o| o.pattern.as_ref()) {
        uses.pattern = Some(*p);
        field_sources.insert("pattern".into(), at.clone());
    }
    if let Some((k, at)) = sides.iter().find_map(|o| o.partition_key.as_ref()) {
        uses.partition_key = Some(k.clone());
        field_sources.insert("partition_key".into(), at.clone());
    }
    ImportedInteraction {
        id: unique_id(from_name, to_name, ids),
        from: from_name.into(),
        to: to_name.into(),
        summary: sides.iter().find_map(|o| o.summary.clone()),
        uses,
        source: main.source.clone(),
        field_sources,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(app: &str, action: Action) -> Operation {
        let at = Source {
            file: "a.yaml".into(),
            line: 1,
            column: 1,
        };
        Operation {
            app: app.into(),
            action,
            address: "c".into(),
            address_source: at.clone(),
            protocol: None,
            pattern: None,
            partition_key: None,
            summary: None,
            source: at,
        }
    }

    #[test]
    fn the_join_of_many_senders_and_receivers_is_bounded() {
        let ops: Vec<Operation> = (0..400)
            .map(|i| op(&format!("s{i}"), Action::Send))
            .chain((0..400).map(|i| op(&format!("r{i}"), Action::Receive)))
            .collect();
        let mut imported = Imported::default();
        join(&ops, &mut imported);
        assert_eq!(imported.interactions.len(), MAX_INTERACTIONS);
        assert!(imported.notes[0].message.contains("not imported"));
    }

    #[test]
    fn an_application_on_both_sides_is_not_joined_to_itself_but_to_the_placeholder() {
        let ops = [
            op("a", Action::Send),
            op("a", Action::Receive),
            op("b", Action::Receive),
        ];
        let mut imported = Imported::default();
        join(&ops, &mut imported);
        let flows: Vec<_> = imported
            .interactions
            .iter()
            .map(|i| (i.from.as_str(), i.to.as_str()))
            .collect();
        // `a` receives from no other application of the input: from the placeholder.
        assert_eq!(flows, [("a", "b"), (PLACEHOLDER, "a")]);
    }
}
