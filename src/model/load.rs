//! The one loading boundary: files in, a [`Model`] and located findings out.

use super::checks::{self, RawRef};
use super::prune::{prune, removed_suppressions, Invalid};
use super::types::{Interaction, Service, Suppression, Uses};
use super::yaml::{self, escape_pointer_token, Limits, ProblemKind};
use super::{InteractionDecl, Model, Origin, ServiceDecl, SourceFile, SuppressionDecl};
use crate::codes;
use crate::finding::Finding;
use crate::source_io::{Kind, ReadError};
use anyhow::Result;
use serde::Deserialize as _;
use serde_json::Value;
use std::path::Path;

#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    /// Largest file read, in bytes.
    pub max_file_bytes: u64,
    pub limits: Limits,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_bytes: 256 * 1024 * 1024,
            limits: Limits::default(),
        }
    }
}

/// Reads every file. Problems in the files are findings; only a path that cannot be read
/// at all is an error (exit code 2).
pub fn load(paths: &[impl AsRef<Path>], options: &LoadOptions) -> Result<(Model, Vec<Finding>)> {
    let mut model = Model::default();
    let mut findings = Vec::new();
    let mut refs = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let bytes = read_limited(path, options.max_file_bytes)?;
        let file_index = model.files.len();
        let display = path.to_string_lossy().into_owned();
        load_one(
            &mut model,
            &mut findings,
            &mut refs,
            file_index,
            display,
            bytes,
            options,
        );
    }
    checks::references(&model, &refs, &mut findings);
    Ok((model, findings))
}

enum Read_ {
    Bytes(Vec<u8>),
    TooLarge(u64),
}

fn read_limited(path: &Path, max: u64) -> Result<Read_> {
    match crate::source_io::read_capped(path, max) {
        Ok(bytes) => Ok(Read_::Bytes(bytes)),
        Err(ReadError::TooLarge { size, .. }) => Ok(Read_::TooLarge(size)),
        Err(ReadError::NotRegular {
            kind: Kind::Directory,
        }) => anyhow::bail!(
            "{} is a directory; give the architecture files themselves",
            path.display()
        ),
        Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    }
}

fn load_one(
    model: &mut Model,
    findings: &mut Vec<Finding>,
    refs: &mut Vec<RawRef>,
    file_index: usize,
    path: String,
    read: Read_,
    options: &LoadOptions,
) {
    let mut file = SourceFile {
        path: path.as_str().into(),
        text: String::new(),
        spans: None,
        interaction_ids: Vec::new(),
    };
    let bytes = match read {
        Read_::TooLarge(size) => {
            findings.push(
                Finding::new(
                    &codes::LIMIT,
                    format!(
                        "the file is {} MiB, over the limit of {} MiB",
                        size / (1024 * 1024),
                        options.max_file_bytes / (1024 * 1024)
                    ),
                )
                .at(file.start_location())
                .help("split the system into several files and pass them all"),
            );
            model.files.push(file);
            return;
        }
        Read_::Bytes(b) => b,
    };
    let text = match decode(bytes) {
        Ok(t) => t,
        Err((text_before, message)) => {
            let pos = end_pos(&text_before);
            findings.push(
                Finding::new(&codes::ENCODING, message)
                    .at(file.location(yaml::Span::point(pos)))
                    .label("here")
                    .help("save the file as UTF-8 text"),
            );
            model.files.push(file);
            return;
        }
    };
    file.text = text;
    crate::timing::phase("read");

    let parsed = yaml::parse(&file.text, options.limits);
    crate::timing::phase("parsed");
    for p in &parsed.problems {
        let info = match p.kind {
            ProblemKind::Syntax | ProblemKind::ComplexKey => &codes::YAML_SYNTAX,
            ProblemKind::DuplicateKey => &codes::DUPLICATE_KEY,
            ProblemKind::BadMerge => &codes::WRONG_TYPE,
            ProblemKind::Limit => &codes::LIMIT,
        };
        let mut f = Finding::new(info, p.message.clone())
            .at(file.location(p.span))
            .label(p.label.clone());
        if let Some(h) = &p.help {
            f = f.help(h.clone());
        }
        if let Some((span, msg)) = &p.related {
            f = f.related(file.location(*span), msg.clone());
        }
        findings.push(f);
    }
    let Some(root) = parsed.root else {
        if parsed.problems.is_empty() {
            findings.push(
                Finding::new(&codes::EMPTY, "the file holds no YAML document")
                    .at(file.start_location())
                    .help("start from `commsplan init`"),
            );
        }
        model.files.push(file);
        return;
    };
    let (doc, spans) = root;
    if doc.is_null() {
        findings.push(
            Finding::new(&codes::EMPTY, "the file holds an empty document")
                .at(file.location(spans.span))
                .help("start from `commsplan init`"),
        );
        model.files.push(file);
        return;
    }
    file.interaction_ids = doc
        .get("interactions")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|i| i.get("id").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let (schema_findings, invalid) = super::schema::validate(&doc, &spans, &file);
    findings.extend(schema_findings);
    crate::timing::phase("validated");
    file.spans = Some(spans);
    model.files.push(file);
    extract(model, findings, refs, file_index, doc, invalid);
    crate::timing::phase("extracted");
}

/// Moves a document into the model. Nodes with schema errors are left out as if not
/// written (their errors are already reported) and the rest of each item is read; an item
/// that still does not read (an interaction without `to`) is left out, though its
/// `from`/`to` are still checked.
fn extract(
    model: &mut Model,
    findings: &mut Vec<Finding>,
    refs: &mut Vec<RawRef>,
    file: usize,
    doc: Value,
    mut invalid: Invalid,
) {
    let Value::Object(mut top) = doc else {
        return;
    };
    if model.system.is_none() {
        model.system = top
            .get("system")
            .and_then(Value::as_str)
            .map(str::to_string);
        model.description = top
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    let defaults: Option<Value> = top.remove("defaults").and_then(|mut d| {
        prune(&mut d, &mut invalid.defaults);
        Uses::deserialize(&d).is_ok().then_some(d)
    });

    if let Some(Value::Object(services)) = top.remove("services") {
        for (name, mut value) in services {
            let origin = Origin {
                file,
                pointer: format!("/services/{}", escape_pointer_token(&name)),
            };
            let mut removed = Vec::new();
            if let Some(mut paths) = invalid.services.remove(&name) {
                removed = removed_suppressions(&paths);
                prune(&mut value, &mut paths);
            }
            let Ok(mut service) = serde_json::from_value::<Service>(value) else {
                // Keep the name so that references to it do not cascade into errors.
                model.services.entry(name.clone()).or_insert(ServiceDecl {
                    name,
                    service: Service::default(),
                    origin,
                });
                continue;
            };
            renumber(&mut service.suppress, &removed);
            if let Some(first) = model.services.get(&name) {
                findings.push(checks::duplicate_service(
                    model,
                    &name,
                    &first.origin,
                    &origin,
                ));
                continue;
            }
            model.services.insert(
                name.clone(),
                ServiceDecl {
                    name,
                    service,
                    origin,
                },
            );
        }
    }

    if let Some(Value::Array(items)) = top.remove("interactions") {
        for (index, mut value) in items.into_iter().enumerate() {
            let origin = Origin {
                file,
                pointer: format!("/interactions/{index}"),
            };
            let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
            refs.push(RawRef {
                id: text("id"),
                from: text("from"),
                to: text("to"),
                origin: origin.clone(),
            });
            // Written, even if a field in it is left out below.
            let declares_uses = value.get("uses").is_some();
            let mut removed = Vec::new();
            if let Some(mut paths) = invalid.interactions.remove(&index) {
                removed = removed_suppressions(&paths);
                prune(&mut value, &mut paths);
            }
            if let (Some(defaults), Value::Object(map)) = (&defaults, &mut value) {
                let uses = map
                    .entry("uses")
                    .or_insert_with(|| Value::Object(Default::default()));
                merge_under(uses, defaults);
            }
            if let Ok(mut interaction) = serde_json::from_value::<Interaction>(value) {
                renumber(&mut interaction.suppress, &removed);
                model.interactions.push(InteractionDecl {
                    interaction,
                    origin,
                    declares_uses,
                });
            }
        }
    }

    if let Some(Value::Array(items)) = top.remove("suppress") {
        for (index, value) in items.into_iter().enumerate() {
            if invalid.suppressions.contains(&index) {
                continue;
            }
            if let Ok(suppression) = serde_json::from_value::<Suppression>(value) {
                model.suppressions.push(SuppressionDecl {
                    suppression,
                    origin: Origin {
                        file,
                        pointer: format!("/suppress/{index}"),
                    },
                });
            }
        }
    }
}

/// After invalid entries of a `suppress` list were left out (`removed`, positions as
/// written): each kept entry's position as written, for locating it.
fn renumber(kept: &mut [Suppression], removed: &[usize]) {
    if removed.is_empty() {
        return;
    }
    let mut written = (0..).filter(|i| !removed.contains(i));
    for s in kept {
        s.written_index = written.next();
    }
}

/// Adds what `base` has and `target` lacks, mapping by mapping; `target` wins.
fn merge_under(target: &mut Value, base: &Value) {
    if let (Value::Object(t), Value::Object(b)) = (target, base) {
        for (k, bv) in b {
            match t.get_mut(k) {
                Some(tv) => merge_under(tv, bv),
                None => {
                    t.insert(k.clone(), bv.clone());
                }
            }
        }
    }
}

/// UTF-8 text without a byte-order mark, or the text before the first bad byte and
/// what is wrong with it.
fn decode(mut bytes: Vec<u8>) -> std::result::Result<String, (String, String)> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err((
            String::new(),
            "the file is UTF-16 encoded; commsplan reads UTF-8".into(),
        ));
    }
    let (text, bad_byte) = match String::from_utf8(bytes) {
        Ok(t) => (t, None),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let mut bytes = e.into_bytes();
            let bad = bytes[valid];
            bytes.truncate(valid);
            (String::from_utf8(bytes).expect("valid prefix"), Some(bad))
        }
    };
    // Whichever problem comes first in the file is the one to show.
    if let Some((at, ch)) = text.char_indices().find(|&(_, c)| !is_yaml_printable(c)) {
        return Err((
            text[..at].to_string(),
            format!(
                "control character U+{:04X} is not allowed in YAML (is this a binary file?)",
                ch as u32
            ),
        ));
    }
    if let Some(bad) = bad_byte {
        return Err((
            text,
            format!("the file is not valid UTF-8: byte 0x{bad:02X} cannot start or continue a character (Latin-1 text?)"),
        ));
    }
    Ok(text)
}

/// YAML's c-printable set (tab, line breaks, and printable Unicode).
fn is_yaml_printable(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | '\u{20}'..='\u{7E}' | '\u{85}' | '\u{A0}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
        && c != '\u{FEFF}'
}

/// The position just after `text`.
fn end_pos(text: &str) -> yaml::Pos {
    let line = text.matches('\n').count() as u32 + 1;
    let last_line = text.rsplit('\n').next().unwrap_or("");
    yaml::Pos {
        line,
        column: last_line.chars().count() as u32 + 1,
    }
}
