//! The operations of one AsyncAPI document, read from the application's view.
//!
//! AsyncAPI 2.x: in a Channel Item Object, `publish` "defines the messages consumed by
//! the application from the channel" and `subscribe` "the messages produced by the
//! application and sent to the channel" (AsyncAPI 2.6.0, Channel Item Object,
//! <https://www.asyncapi.com/docs/reference/specification/v2.6.0#channelItemObject>):
//! so `publish` is a receive and `subscribe` a send. AsyncAPI 3.0 says it outright with
//! `action: send | receive` on an Operation Object whose `channel` is a `$ref`
//! (<https://www.asyncapi.com/docs/reference/specification/v3.0.0#operationObject>).

use super::refs::{At, Files};
use crate::import::{Note, Source};
use crate::model::types::Pattern;
use crate::model::yaml::escape_pointer_token;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Send,
    Receive,
}

/// One thing the application does on one channel.
#[derive(Debug, Clone)]
pub struct Operation {
    pub app: String,
    pub action: Action,
    /// The channel's address (2.x: the channel's key; 3.0: its `address`).
    pub address: String,
    pub address_source: Source,
    pub protocol: Option<(String, Source)>,
    pub pattern: Option<(Pattern, Source)>,
    pub partition_key: Option<(String, Source)>,
    pub summary: Option<String>,
    /// The operation itself.
    pub source: Source,
}

/// Every operation of the document in `file`, for the application `app`.
pub fn read_operations(files: &mut Files, file: usize, app: &str) -> Vec<Operation> {
    let version = files
        .doc(file)
        .and_then(|d| d.value.get("asyncapi"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if version.starts_with("2.") {
        read_v2(files, file, app)
    } else {
        read_v3(files, file, app)
    }
}

fn keys(files: &Files, at: &At) -> Vec<String> {
    let mut keys: Vec<String> = files
        .value(at)
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

fn child(at: &At, token: &str) -> At {
    At {
        file: at.file,
        pointer: format!("{}/{}", at.pointer, escape_pointer_token(token)),
    }
}

fn text(files: &Files, at: &At, key: &str) -> Option<String> {
    files
        .value(at)?
        .get(key)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn read_v2(files: &mut Files, file: usize, app: &str) -> Vec<Operation> {
    let root = At {
        file,
        pointer: String::new(),
    };
    let channels = child(&root, "channels");
    let mut out = Vec::new();
    for name in keys(files, &channels) {
        let declared = child(&channels, &name);
        let Some(channel) = files.resolve(&declared) else {
            continue;
        };
        let servers = v2_servers(files, file, &channel);
        let protocol = protocol_of(files, &servers, &channel);
        let pattern = pattern_of(files, &channel, protocol.as_ref());
        for (key, action) in [("publish", Action::Receive), ("subscribe", Action::Send)] {
            let written = child(&channel, key);
            if files.value(&written).is_none() {
                continue;
            }
            let Some(op) = files.resolve(&written) else {
                continue;
            };
            let messages = v2_messages(files, &op);
            let layers = trait_layers(files, &op, Version::V2);
            out.push(Operation {
                app: app.into(),
                action,
                address: name.clone(),
                address_source: files.source(&declared),
                protocol: protocol.clone(),
                pattern: pattern.clone(),
                partition_key: partition_key(files, &messages, &op, Version::V2),
                summary: merged_text(files, &layers, "summary")
                    .or_else(|| text(files, &channel, "description")),
                source: files.source(&written),
            });
        }
    }
    out
}

/// The servers of a 2.x channel: those it names, or every server of the document.
fn v2_servers(files: &mut Files, file: usize, channel: &At) -> Vec<At> {
    let all = At {
        file,
        pointer: "/servers".into(),
    };
    let named: Vec<String> = files
        .value(channel)
        .and_then(|c| c.get("servers"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let names = if named.is_empty() {
        keys(files, &all)
    } else {
        named
    };
    names
        .iter()
        .filter_map(|n| files.resolve(&child(&all, n)))
        .collect()
}

fn v2_messages(files: &mut Files, op: &At) -> Vec<At> {
    let written = child(op, "message");
    let Some(message) = files.resolve(&written) else {
        return Vec::new();
    };
    let one_of = child(&message, "oneOf");
    match files.value(&one_of).and_then(Value::as_array).map(Vec::len) {
        Some(n) => (0..n)
            .filter_map(|i| files.resolve(&child(&one_of, &i.to_string())))
            .collect(),
        None => vec![message],
    }
}

fn read_v3(files: &mut Files, file: usize, app: &str) -> Vec<Operation> {
    let root = At {
        file,
        pointer: String::new(),
    };
    let operations = child(&root, "operations");
    let mut out = Vec::new();
    for name in keys(files, &operations) {
        let written = child(&operations, &name);
        let Some(op) = files.resolve(&written) else {
            continue;
        };
        let action = match text(files, &op, "action").as_deref() {
            Some("send") => Action::Send,
            Some("receive") => Action::Receive,
            other => {
                note(files, &op, format!("operation `{name}`: action {other:?} is neither `send` nor `receive`: skipped"));
                continue;
            }
        };
        let Some(channel) = files.resolve(&child(&op, "channel")) else {
            note(
                files,
                &op,
                format!("operation `{name}`: its channel cannot be read: skipped"),
            );
            continue;
        };
        let Some((address, address_source)) = v3_address(files, &channel) else {
            continue;
        };
        let servers = v3_servers(files, file, &channel);
        let protocol = protocol_of(files, &servers, &channel);
        let messages = v3_messages(files, &op, &channel);
        let layers = trait_layers(files, &op, Version::V3);
        out.push(Operation {
            app: app.into(),
            action,
            address,
            address_source,
            pattern: pattern_of(files, &channel, protocol.as_ref()),
            protocol,
            partition_key: partition_key(files, &messages, &op, Version::V3),
            summary: merged_text(files, &layers, "summary")
                .or_else(|| text(files, &channel, "description")),
            source: files.source(&written),
        });
    }
    out
}

fn note(files: &mut Files, at: &At, message: String) {
    let source = files.source(at);
    files.notes.push(Note { source, message });
}

/// A 3.0 channel's `address`. A null or absent address "MUST be interpreted as
/// unknown" (3.0.0, Channel Object): such a channel is noted and not joined to others.
fn v3_address(files: &mut Files, channel: &At) -> Option<(String, Source)> {
    match text(files, channel, "address") {
        Some(a) => Some((a, files.source(&child(channel, "address")))),
        None => {
            note(files, channel, "the channel's address is unknown (null or absent): its operations are not imported".into());
            None
        }
    }
}

/// The servers of a 3.0 channel: its `servers` (`$ref`s), or every server of the
/// document when it has none (3.0.0, Channel Object `servers`).
fn v3_servers(files: &mut Files, file: usize, channel: &At) -> Vec<At> {
    let listed = child(channel, "servers");
    if let Some(n) = files.value(&listed).and_then(Value::as_array).map(Vec::len) {
        if n > 0 {
            return (0..n)
                .filter_map(|i| files.resolve(&child(&listed, &i.to_string())))
                .collect();
        }
    }
    let all = At {
        file,
        pointer: "/servers".into(),
    };
    keys(files, &all)
        .iter()
        .filter_map(|n| files.resolve(&child(&all, n)))
        .collect()
}

fn v3_messages(files: &mut Files, op: &At, channel: &At) -> Vec<At> {
    let listed = child(op, "messages");
    if let Some(n) = files.value(&listed).and_then(Value::as_array).map(Vec::len) {
        return (0..n)
            .filter_map(|i| files.resolve(&child(&listed, &i.to_string())))
            .collect();
    }
    let declared = child(channel, "messages");
    keys(files, &declared)
        .iter()
        .filter_map(|k| files.resolve(&child(&declared, k)))
        .collect()
}

/// AsyncAPI protocol names in the model's words: the secure variant of a protocol is
/// the same protocol over TLS (AsyncAPI 3.0.0, Server Object `protocol`).
fn normalise_protocol(p: &str) -> String {
    let p = p.trim().to_ascii_lowercase();
    match p.as_str() {
        "amqps" => "amqp".into(),
        "kafka-secure" => "kafka".into(),
        "secure-mqtt" => "mqtt".into(),
        "wss" => "ws".into(),
        "https" => "http".into(),
        "stomps" => "stomp".into(),
        _ => p,
    }
}

/// Bindings keys that name a protocol (AsyncAPI bindings).
const BINDING_PROTOCOLS: &[&str] = &[
    "amqp",
    "amqp1",
    "anypointmq",
    "googlepubsub",
    "ibmmq",
    "jms",
    "kafka",
    "mqtt",
    "nats",
    "pulsar",
    "redis",
    "sns",
    "solace",
    "sqs",
    "stomp",
    "ws",
];

/// The one protocol of the channel's servers; when they have none or several, the one
/// protocol the channel's `bindings` name. Several protocols are left unset.
fn protocol_of(files: &Files, servers: &[At], channel: &At) -> Option<(String, Source)> {
    let mut found: BTreeMap<String, Source> = BTreeMap::new();
    for server in servers {
        if let Some(p) = text(files, server, "protocol") {
            found
                .entry(normalise_protocol(&p))
                .or_insert_with(|| files.source(&child(server, "protocol")));
        }
    }
    if found.len() == 1 {
        return found.into_iter().next();
    }
    let bindings = child(channel, "bindings");
    let named: Vec<String> = keys(files, &bindings)
        .into_iter()
        .filter(|k| BINDING_PROTOCOLS.contains(&k.as_str()))
        .collect();
    match named.as_slice() {
        [one] => Some((one.clone(), files.source(&child(&bindings, one)))),
        _ => None,
    }
}

/// The pattern only where the input says it without doubt: a Kafka topic is a log
/// whose events "are not deleted after consumption" (Apache Kafka documentation,
/// "Main Concepts and Terminology", <https://kafka.apache.org/documentation/#intro_concepts_and_terms>),
/// a stream; an AMQP channel binding with `is: queue` is a queue (AsyncAPI AMQP
/// bindings, Channel Binding Object `is`,
/// <https://github.com/asyncapi/bindings/blob/master/amqp/README.md#channel-binding-object>).
/// MQTT, WebSocket and the default AMQP `is: routingKey` say neither.
fn pattern_of(
    files: &Files,
    channel: &At,
    protocol: Option<&(String, Source)>,
) -> Option<(Pattern, Source)> {
    if let Some((p, at)) = protocol {
        if p == "kafka" {
            return Some((Pattern::Stream, at.clone()));
        }
    }
    let is = child(&child(&child(channel, "bindings"), "amqp"), "is");
    match files.value(&is).and_then(Value::as_str) {
        Some("queue") => Some((Pattern::Queue, files.source(&is))),
        _ => None,
    }
}

/// The Kafka message key (`bindings.kafka.key`, a schema) of the operation's messages,
/// named by the schema's `title` or the name its `$ref` points at. Messages whose keys
/// differ, or a key schema with no name, leave the partition key unset (noted).
fn partition_key(
    files: &mut Files,
    messages: &[At],
    op: &At,
    version: Version,
) -> Option<(String, Source)> {
    let mut found: BTreeMap<String, Source> = BTreeMap::new();
    for message in messages {
        let layers = trait_layers(files, message, version);
        let Some(written) = merged(files, &layers, &["bindings", "kafka", "key"]) else {
            continue;
        };
        let source = files.source(&written);
        let Some(schema) = files.resolve(&written) else {
            continue;
        };
        let name = text(files, &schema, "title").or_else(|| {
            (schema != written)
                .then(|| schema.pointer.rsplit('/').next().map(unescape))
                .flatten()
                .filter(|n| !n.is_empty())
        });
        match name {
            Some(n) => {
                found.entry(n).or_insert(source);
            }
            None => files.notes.push(Note {
                source,
                message: "the Kafka message key has no name (no `title`, no `$ref`): partition_key not imported".into(),
            }),
        }
    }
    if found.len() > 1 {
        let names: Vec<&str> = found.keys().map(String::as_str).collect();
        note(
            files,
            op,
            format!(
                "the messages have different Kafka keys ({}): partition_key not imported",
                names.join(", ")
            ),
        );
        return None;
    }
    found.into_iter().next()
}

/// Which specification's trait merging applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V2,
    V3,
}

/// Most traits read for one operation or message; more are noted and left out.
const MAX_TRAITS: usize = 64;

/// The objects whose properties make an operation or message once its `traits` are
/// applied, weakest first. AsyncAPI 2.6.0, Operation Object and Message Object `traits`
/// (<https://www.asyncapi.com/docs/reference/specification/v2.6.0#operationObject>):
/// "Traits MUST be merged into the operation object using the JSON Merge Patch
/// algorithm in the same order they are defined here", so each trait overrides the
/// object and the traits before it. AsyncAPI 3.0.0, Traits Merge Mechanism
/// (<https://www.asyncapi.com/docs/reference/specification/v3.0.0#traitsMergeMechanism>):
/// "Traits are merged into the target object using the JSON Merge Patch algorithm in the
/// same order they are defined. A property on a trait MUST NOT override the same property
/// on the target object": the object itself comes last, over its traits.
fn trait_layers(files: &mut Files, object: &At, version: Version) -> Vec<At> {
    let listed = child(object, "traits");
    let n = files
        .value(&listed)
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if n > MAX_TRAITS {
        note(
            files,
            &listed,
            format!("{n} traits: only the first {MAX_TRAITS} are applied"),
        );
    }
    let traits: Vec<At> = (0..n.min(MAX_TRAITS))
        .filter_map(|i| files.resolve(&child(&listed, &i.to_string())))
        .collect();
    match version {
        Version::V2 => std::iter::once(object.clone()).chain(traits).collect(),
        Version::V3 => traits
            .into_iter()
            .chain(std::iter::once(object.clone()))
            .collect(),
    }
}

/// Where the property at `path` of the merged object is written (not followed through
/// a `$ref` at its last step, so that its name can be read): the strongest layer that
/// writes it. As JSON Merge Patch does, a `null` removes the property, and a value that
/// is not an object on the way replaces everything below it.
fn merged(files: &mut Files, layers: &[At], path: &[&str]) -> Option<At> {
    'layers: for layer in layers.iter().rev() {
        let mut at = layer.clone();
        for (i, token) in path.iter().enumerate() {
            let next = child(&at, token);
            match files.value(&next) {
                None => continue 'layers,
                Some(Value::Null) => return None,
                Some(_) if i + 1 == path.len() => return Some(next),
                Some(_) => {}
            }
            at = files.resolve(&next)?;
            if !files.value(&at).is_some_and(Value::is_object) {
                return None;
            }
        }
    }
    None
}

/// The text at `key` of the merged object.
fn merged_text(files: &mut Files, layers: &[At], key: &str) -> Option<String> {
    let at = merged(files, layers, &[key])?;
    files
        .value(&at)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}
