//! docker-compose files → services and the calls their environment shows.
//!
//! Every entry of `services` is a service. A call is read from an address in a
//! service's `environment`, its `env_file`s (`compose/env_file.rs`) or its `command`
//! and `entrypoint` arguments (a URL, a `host:port`, or the whole value of a variable
//! whose name says it is an address) that names another service of the same input:
//! compose makes each service reachable by its name on the project's network, so that
//! is how callers address it. A `links` entry is a call too, and its alias a name of the
//! linked service. `depends_on` orders start-up and is not read as a call (it is
//! noted where no address backs it); a `healthcheck` is the engine probing the
//! container, not a call setting. A service whose image is a broker (RabbitMQ, Kafka,
//! NATS) or a datastore is of kind `external`, its own environment is not read for
//! calls, and the calls to a broker carry its protocol. docs/import.md is the mapping.

use super::asyncapi::refs::key_source;
mod env_file;

use super::input::{read_inputs, roots, yaml_documents, Document};
use super::names::{
    argument_values, hosts_in, image_words, unique_id, DATASTORES, LOAD_GENERATORS,
};
use super::{Imported, ImportedInteraction, ImportedService, Note, Source};
use crate::model::types::{Service, ServiceKind, Uses};
use crate::model::yaml::escape_pointer_token;
use env_file::EnvFiles;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Image words of brokers and the protocol their clients speak: RabbitMQ's is AMQP
/// 0-9-1 (<https://www.rabbitmq.com/docs/protocols>), Kafka's its own binary protocol
/// over TCP (<https://kafka.apache.org/documentation/#protocol>), NATS its own
/// (<https://docs.nats.io/reference/reference-protocols/nats-protocol>).
const BROKERS: &[(&str, &str)] = &[
    ("rabbitmq", "amqp"),
    ("kafka", "kafka"),
    ("redpanda", "kafka"),
    ("nats", "nats"),
];

/// Reads the compose files in `paths` (files, or folders walked in sorted order).
pub fn import(paths: &[PathBuf]) -> Imported {
    let inputs = read_inputs(paths);
    let mut imported = Imported {
        diagnostics: inputs.diagnostics,
        ..Imported::default()
    };
    for (file, message) in inputs.skipped {
        imported
            .notes
            .push(note_at(start(file), format!("skipped: {message}")));
    }
    let mut documents = Vec::new();
    for file in &inputs.files {
        let (docs, findings) = yaml_documents(&file.path, &file.text);
        imported.diagnostics.extend(findings);
        documents.extend(docs);
    }
    let services = services(&documents, &mut imported);
    imported.lists_services = !services.is_empty();
    calls(&services, roots(paths), &mut imported);
    imported.services.sort_keys();
    imported.interactions.sort_by(|a, b| a.id.cmp(&b.id));
    imported.notes.sort();
    imported.notes.dedup();
    imported
}

fn start(file: std::sync::Arc<str>) -> Source {
    Source {
        file,
        line: 1,
        column: 1,
    }
}

fn note_at(source: Source, message: String) -> Note {
    Note { source, message }
}

/// One compose service as read: its document and the pointer of its entry.
struct ComposeService<'d> {
    doc: &'d Document,
    pointer: String,
    value: &'d Value,
    role: Role,
}

#[derive(Clone, PartialEq)]
enum Role {
    Plain,
    /// A broker, with the protocol its clients speak.
    Broker(&'static str),
    Datastore,
    LoadGenerator,
}

fn role_of(name: &str, image: Option<&str>) -> Role {
    let lowered_name = name.to_ascii_lowercase();
    let Some(image) = image.map(str::to_ascii_lowercase) else {
        return if LOAD_GENERATORS.iter().any(|w| lowered_name.contains(w)) {
            Role::LoadGenerator
        } else {
            Role::Plain
        };
    };
    if LOAD_GENERATORS
        .iter()
        .any(|w| lowered_name.contains(w) || image.contains(w))
    {
        return Role::LoadGenerator;
    }
    let words: Vec<&str> = image_words(&image).collect();
    if let Some((_, protocol)) = BROKERS.iter().find(|(w, _)| words.contains(w)) {
        return Role::Broker(protocol);
    }
    if words.iter().any(|w| DATASTORES.contains(w)) {
        return Role::Datastore;
    }
    Role::Plain
}

/// Every service of every compose document, by name. A later file that names the same
/// service adds its environment (as compose merges override files) and keeps the first
/// declaration as the service's source.
fn services<'d>(
    documents: &'d [Document],
    imported: &mut Imported,
) -> BTreeMap<String, Vec<ComposeService<'d>>> {
    let mut found: BTreeMap<String, Vec<ComposeService<'d>>> = BTreeMap::new();
    // One note per file that is not compose, at its first document: a folder of
    // Kubernetes manifests would otherwise give a note per document.
    let mut skipped: Vec<(Source, usize)> = Vec::new();
    for doc in documents {
        let Some(map) = doc.value.get("services").and_then(Value::as_object) else {
            match skipped.last_mut() {
                Some((first, count)) if first.file == doc.file => *count += 1,
                _ => skipped.push((doc.source(""), 1)),
            }
            continue;
        };
        for (name, value) in map {
            let pointer = format!("/services/{}", escape_pointer_token(name));
            let image = value.get("image").and_then(Value::as_str);
            let role = role_of(name, image);
            let entry = ComposeService {
                doc,
                pointer,
                value,
                role,
            };
            if !imported.services.contains_key(name) {
                imported
                    .services
                    .insert(name.clone(), declared(&entry, image));
            }
            found.entry(name.clone()).or_default().push(entry);
        }
    }
    for (first, count) in skipped {
        let what = if count == 1 {
            "not a compose file (no `services` mapping): skipped".to_string()
        } else {
            format!(
                "not a compose file (no `services` mapping; {count} such documents from here on): skipped"
            )
        };
        imported.notes.push(note_at(first, what));
    }
    found
}

fn declared(entry: &ComposeService<'_>, image: Option<&str>) -> ImportedService {
    let mut service = ImportedService {
        service: Service::default(),
        source: key_source(entry.doc, &entry.pointer),
        field_sources: BTreeMap::new(),
    };
    let image_at = entry.doc.source(&format!("{}/image", entry.pointer));
    let image = image.unwrap_or_default();
    let (kind, description) = match entry.role {
        Role::Plain => return service,
        Role::Broker(protocol) => (
            ServiceKind::External,
            Some(format!("broker, {protocol} (image `{image}`)")),
        ),
        Role::Datastore => (
            ServiceKind::External,
            Some(format!("datastore (image `{image}`)")),
        ),
        Role::LoadGenerator => (ServiceKind::Client, None),
    };
    service.service.kind = Some(kind);
    service
        .field_sources
        .insert("kind".into(), image_at.clone());
    if let Some(description) = description {
        service.service.description = Some(description);
        service.field_sources.insert("description".into(), image_at);
    }
    service
}

/// The `environment` of a service as (name, value, pointer): the list form
/// (`KEY=VALUE`) and the map form (`KEY: value`, numbers and booleans as text).
fn environment<'v>(entry: &ComposeService<'v>) -> Vec<(String, String, String)> {
    let base = format!("{}/environment", entry.pointer);
    let mut out = Vec::new();
    match entry.value.get("environment") {
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                if let Some((k, v)) = item.as_str().and_then(|s| s.split_once('=')) {
                    out.push((k.to_string(), v.to_string(), format!("{base}/{i}")));
                }
            }
        }
        Some(Value::Object(map)) => {
            for (k, v) in map {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => continue,
                };
                out.push((
                    k.clone(),
                    text,
                    format!("{base}/{}", escape_pointer_token(k)),
                ));
            }
        }
        _ => {}
    }
    out
}

/// The names in `depends_on`, list or map form, with their pointers.
fn depends_on(entry: &ComposeService<'_>) -> Vec<(String, String)> {
    let base = format!("{}/depends_on", entry.pointer);
    match entry.value.get("depends_on") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_str().map(|s| (s.to_string(), format!("{base}/{i}"))))
            .collect(),
        Some(Value::Object(map)) => map
            .keys()
            .map(|k| (k.clone(), format!("{base}/{}", escape_pointer_token(k))))
            .collect(),
        _ => Vec::new(),
    }
}

/// One `links` entry (`SERVICE` or `SERVICE:ALIAS`): the service linked and the host
/// name the linking service reaches it by.
struct Link {
    target: String,
    alias: String,
    pointer: String,
}

fn links(entry: &ComposeService<'_>) -> Vec<Link> {
    let base = format!("{}/links", entry.pointer);
    let items = entry.value.get("links").and_then(Value::as_array);
    items
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, v)| {
            let text = v.as_str()?;
            let (target, alias) = text.split_once(':').unwrap_or((text, text));
            Some(Link {
                target: target.to_string(),
                alias: alias.to_string(),
                pointer: format!("{base}/{i}"),
            })
        })
        .collect()
}

/// The values of a service that may hold an address, as (key, value, source): its
/// `environment`, the variables of its `env_file`s that `environment` does not set
/// (compose gives `environment` precedence), and its `entrypoint` and `command`
/// arguments.
fn addresses(
    entry: &ComposeService<'_>,
    env_files: &mut EnvFiles,
    notes: &mut Vec<Note>,
) -> Vec<(String, String, Source)> {
    let environment = environment(entry);
    let set: BTreeSet<String> = environment.iter().map(|(k, _, _)| k.clone()).collect();
    let mut out: Vec<(String, String, Source)> = environment
        .into_iter()
        .map(|(k, v, pointer)| (k, v, entry.doc.source(&pointer)))
        .collect();
    let variables = env_files.variables(
        entry.doc,
        &entry.pointer,
        entry.value.get("env_file"),
        notes,
    );
    for v in variables.into_iter().filter(|v| !set.contains(&v.key)) {
        out.push((v.key, v.value, v.source));
    }
    for field in ["entrypoint", "command"] {
        let at = format!("{}/{field}", entry.pointer);
        // The string form is split at white space, as a list of words; each value is
        // located at the line of the string.
        let (args, located): (Vec<&str>, bool) = match entry.value.get(field) {
            Some(Value::String(line)) => (line.split_whitespace().collect(), false),
            Some(Value::Array(items)) => (
                items.iter().map(|v| v.as_str().unwrap_or("")).collect(),
                true,
            ),
            _ => continue,
        };
        for (key, value, index) in argument_values(&args) {
            let pointer = if located {
                format!("{at}/{index}")
            } else {
                at.clone()
            };
            out.push((
                key.to_string(),
                value.to_string(),
                entry.doc.source(&pointer),
            ));
        }
    }
    out
}

/// Every call the compose files show: an address of another service (a link's alias
/// reaching the linked service), and every `links` entry, which exists to let the
/// service reach the one it names.
fn calls(
    services: &BTreeMap<String, Vec<ComposeService<'_>>>,
    roots: Vec<std::path::PathBuf>,
    imported: &mut Imported,
) {
    let mut found: BTreeMap<(String, String), ImportedInteraction> = BTreeMap::new();
    let mut env_files = EnvFiles::new(roots);
    for (from, entries) in services {
        for entry in entries {
            if entry.value.get("healthcheck").is_some() {
                imported.notes.push(note_at(
                    entry.doc.source(&format!("{}/healthcheck", entry.pointer)),
                    format!("`{from}`: a healthcheck is the engine probing the container, not a call setting: not imported"),
                ));
            }
            if matches!(entry.role, Role::Broker(_) | Role::Datastore) {
                continue;
            }
            let links = links(entry);
            for (key, value, source) in addresses(entry, &mut env_files, &mut imported.notes) {
                for host in hosts_in(&key, &value) {
                    let to = links
                        .iter()
                        .find(|l| l.alias == host)
                        .map_or(host, |l| l.target.clone());
                    add_call(services, from, &to, &source, &mut found);
                }
            }
            for link in &links {
                if !services.contains_key(&link.target) {
                    imported.notes.push(note_at(
                        entry.doc.source(&link.pointer),
                        format!("`{from}` links `{}`, which is not a service of the input: no call imported", link.target),
                    ));
                    continue;
                }
                let source = entry.doc.source(&link.pointer);
                add_call(services, from, &link.target, &source, &mut found);
            }
        }
    }
    note_start_order(services, &found, imported);
    let mut ids = BTreeSet::new();
    for ((from, to), mut interaction) in found {
        interaction.id = unique_id(&from, &to, &mut ids);
        imported.interactions.push(interaction);
    }
}

/// The call `from → to`, at the first place it is seen, when `to` is another service
/// of the input; a call to a broker carries the protocol its clients speak.
fn add_call(
    services: &BTreeMap<String, Vec<ComposeService<'_>>>,
    from: &str,
    to: &str,
    source: &Source,
    found: &mut BTreeMap<(String, String), ImportedInteraction>,
) {
    let Some(targets) = services.get(to).filter(|_| to != from) else {
        return;
    };
    let pair = (from.to_string(), to.to_string());
    if found.contains_key(&pair) {
        return;
    }
    let mut uses = Uses::default();
    let mut field_sources = BTreeMap::new();
    if let Role::Broker(protocol) = targets[0].role {
        uses.protocol = Some(protocol.to_string());
        let image_at = targets[0]
            .doc
            .source(&format!("{}/image", targets[0].pointer));
        field_sources.insert("protocol".into(), image_at);
    }
    let interaction = ImportedInteraction {
        id: String::new(),
        from: from.to_string(),
        to: to.to_string(),
        summary: None,
        uses,
        source: source.clone(),
        field_sources,
    };
    found.insert(pair, interaction);
}

/// `depends_on` says which container starts first; a service can depend on one it
/// never calls (a migration job, a volume initialiser), so it is not a call. Noted
/// where no address in the environment backs it, so the team can add the call.
fn note_start_order(
    services: &BTreeMap<String, Vec<ComposeService<'_>>>,
    found: &BTreeMap<(String, String), ImportedInteraction>,
    imported: &mut Imported,
) {
    for (from, entries) in services {
        for entry in entries {
            for (to, pointer) in depends_on(entry) {
                let at = entry.doc.source(&pointer);
                let message = if !services.contains_key(&to) {
                    format!("`{from}` depends on `{to}`, which is not a service of the input")
                } else if found.contains_key(&(from.clone(), to.clone())) {
                    continue;
                } else {
                    format!(
                        "`{from}` depends on `{to}` (start order) but no address of it is in its environment: no interaction imported"
                    )
                };
                imported.notes.push(note_at(at, message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_come_from_image_words() {
        assert!(role_of("rabbitmq", Some("rabbitmq:3.6.8")) == Role::Broker("amqp"));
        assert!(role_of("bus", Some("bitnami/kafka:3.7")) == Role::Broker("kafka"));
        assert!(role_of("nats", Some("nats:2.10-alpine")) == Role::Broker("nats"));
        assert!(role_of("carts-db", Some("mongo:3.4")) == Role::Datastore);
        assert!(role_of("user-db", Some("weaveworksdemos/user-db:0.4.0")) == Role::Datastore);
        assert!(role_of("user", Some("weaveworksdemos/user:0.4.7")) == Role::Plain);
        assert!(role_of("locust", None) == Role::LoadGenerator);
    }
}
