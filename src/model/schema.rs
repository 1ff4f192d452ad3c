//! The JSON Schema of the architecture file, generated from the Rust types, and the
//! mapping of schema violations to located `M` findings.

use super::prune::Invalid;
use super::types::ArchitectureFile;
use super::yaml::{escape_pointer_token, SpanTree};
use crate::codes;
use crate::finding::{Finding, Location};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

/// The schema as `commsplan schema` prints it (draft 2020-12).
pub fn json_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
        let schema = generator.into_root_schema_for::<ArchitectureFile>();
        let mut value = schema.to_value();
        tidy(&mut value);
        if let Value::Object(root) = &mut value {
            root.insert(
                "$id".into(),
                json!("https://commsplan.dev/schema/v1/commsplan.schema.json"),
            );
            // `version` must be exactly 1; the type alone would allow any integer.
            if let Some(Value::Object(version)) = root
                .get_mut("properties")
                .and_then(|p| p.get_mut("version"))
            {
                version.insert("const".into(), json!(1));
            }
        }
        value
    })
}

/// Makes the generated schema read as a hand-written one would, and fit YAML users:
/// optional fields may be absent but not `null`, integer formats such as `uint32` are
/// not JSON Schema formats (strict validators reject them), and `x-` keys are allowed
/// on every object.
fn tidy(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get("type") {
                let non_null: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
                if non_null.len() == 1 {
                    map.insert("type".into(), non_null[0].clone());
                } else if non_null.len() != types.len() {
                    map.insert("type".into(), Value::Array(non_null));
                }
            }
            if let Some(Value::Array(any_of)) = map.get("anyOf") {
                let non_null: Vec<Value> = any_of
                    .iter()
                    .filter(|s| s.get("type") != Some(&json!("null")))
                    .cloned()
                    .collect();
                if non_null.len() == 1 && non_null.len() != any_of.len() {
                    map.remove("anyOf");
                    if let Value::Object(inner) = &non_null[0] {
                        for (k, v) in inner {
                            map.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                }
            }
            if let Some(Value::String(f)) = map.get("format") {
                if is_numeric_format(f) {
                    // The format's range stays: without it a count too large for the Rust
                    // type would pass the schema and then fail to read, unreported.
                    if let Some((min, max)) = integer_range(f) {
                        map.entry("minimum").or_insert(min);
                        map.entry("maximum").or_insert(max);
                    }
                    map.remove("format");
                }
            }
            if map.get("default") == Some(&Value::Null) {
                map.remove("default");
            }
            if map.get("additionalProperties") == Some(&Value::Bool(false)) {
                map.insert("patternProperties".into(), json!({ "^x-": {} }));
            }
            for v in map.values_mut() {
                tidy(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

fn is_numeric_format(f: &str) -> bool {
    matches!(
        f,
        "uint"
            | "uint8"
            | "uint16"
            | "uint32"
            | "uint64"
            | "int"
            | "int8"
            | "int16"
            | "int32"
            | "int64"
            | "float"
            | "double"
    )
}

/// The range of an integer format, as JSON numbers.
fn integer_range(format: &str) -> Option<(Value, Value)> {
    Some(match format {
        "uint8" => (json!(0), json!(u8::MAX)),
        "uint16" => (json!(0), json!(u16::MAX)),
        "uint32" => (json!(0), json!(u32::MAX)),
        "uint" | "uint64" => (json!(0), json!(u64::MAX)),
        "int8" => (json!(i8::MIN), json!(i8::MAX)),
        "int16" => (json!(i16::MIN), json!(i16::MAX)),
        "int32" => (json!(i32::MIN), json!(i32::MAX)),
        "int" | "int64" => (json!(i64::MIN), json!(i64::MAX)),
        _ => return None,
    })
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(json_schema())
            .expect("the generated schema compiles")
    })
}

/// Where the nodes of a validated value are: the span tree of the node at `base` (a
/// pointer into the document), and the prefix of the validated value's paths that stands
/// for `base` (an item validated inside a one-item wrapper has its own index there).
pub(super) struct Place<'a> {
    pub spans: &'a SpanTree,
    pub base: &'a str,
    pub wrapped: &'a str,
}

impl Place<'_> {
    /// The whole document.
    pub fn document(spans: &SpanTree) -> Place<'_> {
        Place {
            spans,
            base: "",
            wrapped: "",
        }
    }

    /// A path of the validated value as a pointer into the document.
    fn in_document(&self, path: &str) -> String {
        match path.strip_prefix(self.wrapped) {
            Some(rest) if self.wrapped != self.base => format!("{}{rest}", self.base),
            _ => path.to_string(),
        }
    }

    /// A document pointer relative to the span tree's node.
    fn relative<'p>(&self, pointer: &'p str) -> &'p str {
        pointer.strip_prefix(self.base).unwrap_or(pointer)
    }

    fn value_location(&self, file: &super::SourceFile, pointer: &str) -> Location {
        file.value_location(self.spans, self.relative(pointer))
    }

    fn key_location(&self, file: &super::SourceFile, pointer: &str) -> Location {
        file.key_location(self.spans, self.relative(pointer))
    }

    fn mapping_location(&self, file: &super::SourceFile, pointer: &str) -> Location {
        file.mapping_location(self.spans, self.relative(pointer))
    }
}

/// Validates a document: one finding per violation, each at its node, and the nodes in
/// violation, for extraction to leave out.
pub(super) fn validate(
    doc: &Value,
    place: &Place<'_>,
    file: &super::SourceFile,
) -> (Vec<Finding>, Invalid) {
    let mut out = Vec::new();
    let mut invalid = Invalid::default();
    for error in validator().iter_errors(doc) {
        let path = place.in_document(&error.instance_path().to_string());
        let schema_path = error.schema_path().to_string();
        if let ValidationErrorKind::AdditionalProperties { unexpected } = error.kind() {
            let (interaction, service) = subject_of(&path, file);
            for key in unexpected {
                invalid.add(&format!("{path}/{}", escape_pointer_token(key)));
                let mut f = unknown_key(key, &path, &schema_path, place, file);
                f.interaction.clone_from(&interaction);
                f.service.clone_from(&service);
                out.push(f);
            }
        } else {
            // For a missing field this is its mapping: a nested one (a suppression) is left
            // out whole; for a whole item `Invalid::add` leaves nothing to prune.
            invalid.add(&path);
            if let Some(f) = to_finding(
                error.kind(),
                error.instance(),
                &path,
                &schema_path,
                place,
                file,
            ) {
                out.push(f);
            }
        }
    }
    (out, invalid)
}

/// Validates one top-level part of a document on its own (`key` is `interactions`, with
/// the item at `index`, or `defaults`): the part is placed in a document that holds
/// only it, so that the schema, the schema paths and so the findings are those of the
/// whole document. Returns the part with the findings and the nodes in violation.
pub(super) fn validate_part(
    key: &str,
    index: Option<usize>,
    part: Value,
    spans: &SpanTree,
    file: &super::SourceFile,
) -> (Value, Vec<Finding>, Invalid) {
    let mut top = Map::new();
    top.insert("version".into(), json!(1));
    let (held, wrapped, base) = match index {
        Some(i) => (
            Value::Array(vec![part]),
            format!("/{key}/0"),
            format!("/{key}/{i}"),
        ),
        None => (part, format!("/{key}"), format!("/{key}")),
    };
    top.insert(key.into(), held);
    let doc = Value::Object(top);
    let place = Place {
        spans,
        base: &base,
        wrapped: &wrapped,
    };
    let (findings, invalid) = validate(&doc, &place, file);
    let held = match doc {
        Value::Object(mut top) => top.swap_remove(key),
        _ => None,
    };
    let part = match (held, index) {
        (Some(Value::Array(mut items)), Some(_)) => items.pop().unwrap_or(Value::Null),
        (Some(part), None) => part,
        _ => Value::Null,
    };
    (part, findings, invalid)
}

fn unknown_key(
    key: &str,
    path: &str,
    schema_path: &str,
    place: &Place<'_>,
    file: &super::SourceFile,
) -> Finding {
    let known = known_properties(schema_path);
    let pointer = format!("{path}/{}", escape_pointer_token(key));
    let f = Finding::new(
        &codes::UNKNOWN_KEY,
        format!("unknown key `{}`", truncate(key, 60)),
    )
    .at(place.key_location(file, &pointer))
    .label("not a key of this mapping");
    match did_you_mean(key, known.iter().map(String::as_str)) {
        Some(s) => f.help(format!("did you mean `{s}`?")),
        None if !known.is_empty() => f.help(format!(
            "known keys here: {}; keys starting with `x-` are ignored",
            known.join(", ")
        )),
        None => f,
    }
}

fn to_finding(
    kind: &ValidationErrorKind,
    instance: &Value,
    path: &str,
    _schema_path: &str,
    place: &Place<'_>,
    file: &super::SourceFile,
) -> Option<Finding> {
    let at = |pointer: &str| place.value_location(file, pointer);
    let (interaction, service) = subject_of(path, file);
    let mut finding = match kind {
        ValidationErrorKind::Type { kind } => wrong_type(kind, instance, path).at(at(path)),
        ValidationErrorKind::Enum { options } => not_allowed(options, instance, path).at(at(path)),
        ValidationErrorKind::Constant { expected_value } if path == "/version" => Finding::new(
            &codes::BAD_VERSION,
            format!(
                "unsupported version {}; this commsplan reads version {}",
                plain(instance),
                plain(expected_value)
            ),
        )
        .at(at(path))
        .label("unsupported version")
        .help("write `version: 1`"),
        ValidationErrorKind::Required { property } => {
            missing(&plain(property), path).at(place.mapping_location(file, path))
        }
        ValidationErrorKind::Pattern { pattern } => {
            pattern_mismatch(pattern, instance, path).at(at(path))
        }
        other => out_of_bounds(other, instance, path).at(at(path)),
    };
    finding.interaction = interaction;
    finding.service = service;
    Some(finding)
}

/// A value of the wrong type, with a hint for the YAML 1.1 booleans and empty values.
fn wrong_type(kind: &TypeKind, instance: &Value, path: &str) -> Finding {
    let expected = type_names(kind);
    let message = if path.is_empty() {
        format!(
            "the file must be a mapping with `version`, `system`, `services` and `interactions`, not {}",
            describe_value(instance)
        )
    } else {
        format!(
            "`{}` must be {expected}, found {}",
            last_key(path),
            describe_value(instance)
        )
    };
    let mut f = Finding::new(&codes::WRONG_TYPE, message).label(format!("expected {expected}"));
    if expected.contains("boolean") {
        if let Value::String(s) = instance {
            if is_yaml11_bool(s) {
                f = f.help(format!(
                    "YAML 1.2 reads `{s}` as a string; write `true` or `false`"
                ));
            }
        }
    }
    if instance.is_null() {
        f = f.help("the value is empty; write a value or remove the key");
    }
    f
}

/// A value outside an enumeration, with the closest allowed one when there is one.
fn not_allowed(options: &Value, instance: &Value, path: &str) -> Finding {
    let allowed: Vec<String> = options
        .as_array()
        .map(|a| a.iter().map(plain).collect())
        .unwrap_or_default();
    let f = Finding::new(
        &codes::INVALID_VALUE,
        format!("`{}` is not a valid `{}`", plain(instance), last_key(path)),
    )
    .label(format!("expected one of: {}", allowed.join(", ")));
    match did_you_mean(&plain(instance), allowed.iter().map(String::as_str)) {
        Some(s) => f.help(format!(
            "did you mean `{s}`? allowed: {}",
            allowed.join(", ")
        )),
        None => f.help(format!("allowed values: {}", allowed.join(", "))),
    }
}

/// A required key that is absent: the version and a suppression's reason have their
/// own codes.
fn missing(name: &str, path: &str) -> Finding {
    if path.is_empty() && name == "version" {
        Finding::new(&codes::BAD_VERSION, "`version` is missing")
            .help("add `version: 1` at the top of the file")
    } else if name == "reason" && path.contains("/suppress/") {
        Finding::new(&codes::MISSING_REASON, "this suppression has no `reason`")
            .label("needs a reason")
            .help("add `reason:` saying why the finding does not apply here")
    } else {
        Finding::new(&codes::MISSING_FIELD, format!("`{name}` is missing"))
            .label(format!("`{name}` required here"))
    }
}

/// A string not of the form its key takes; an interaction id gets a suggestion.
fn pattern_mismatch(pattern: &str, instance: &Value, path: &str) -> Finding {
    let value = plain(instance);
    if path.starts_with("/interactions/") && path.ends_with("/id") {
        Finding::new(
            &codes::INVALID_ID,
            format!("invalid interaction id `{value}`"),
        )
        .label("not [a-z0-9][a-z0-9-_.]*")
        .help(format!("try `{}`", suggest_id(&value)))
    } else {
        Finding::new(
            &codes::INVALID_VALUE,
            format!("`{value}` does not match the form of `{}`", last_key(path)),
        )
        .label(format!("expected to match {pattern}"))
    }
}

/// A number out of its range, an empty string, or another invalid value.
fn out_of_bounds(kind: &ValidationErrorKind, instance: &Value, path: &str) -> Finding {
    match kind {
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => Finding::new(
            &codes::INVALID_VALUE,
            format!(
                "`{}` is {}, below the minimum of {limit}",
                last_key(path),
                plain(instance)
            ),
        )
        .label(format!("at least {limit}")),
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => Finding::new(
            &codes::INVALID_VALUE,
            format!(
                "`{}` is {}, above the maximum of {limit}",
                last_key(path),
                plain(instance)
            ),
        )
        .label(format!("at most {limit}")),
        ValidationErrorKind::MinLength { .. } => Finding::new(
            &codes::INVALID_VALUE,
            format!("`{}` must not be empty", last_key(path)),
        )
        .label("empty"),
        other => Finding::new(
            &codes::INVALID_VALUE,
            format!("`{}`: {}", last_key(path), describe_kind(other)),
        ),
    }
}

fn describe_kind(kind: &ValidationErrorKind) -> String {
    match kind {
        ValidationErrorKind::MinItems { limit } => format!("needs at least {limit} items"),
        ValidationErrorKind::MaxItems { limit } => format!("takes at most {limit} items"),
        _ => "invalid value".into(),
    }
}

/// For schema errors inside an interaction or service: its id or name, for reports.
fn subject_of(path: &str, file: &super::SourceFile) -> (Option<String>, Option<String>) {
    let mut parts = path.split('/').skip(1);
    match (parts.next(), parts.next()) {
        (Some("interactions"), Some(i)) => {
            let id = i
                .parse::<usize>()
                .ok()
                .and_then(|i| file.doc_interaction_id(i));
            (id, None)
        }
        (Some("services"), Some(name)) => (None, Some(name.replace("~1", "/").replace("~0", "~"))),
        _ => (None, None),
    }
}

/// The properties the schema allows at the object whose `additionalProperties` failed.
fn known_properties(schema_path: &str) -> Vec<String> {
    let root = json_schema();
    let mut node = root;
    let tokens: Vec<&str> = schema_path.split('/').skip(1).collect();
    // The last token is `additionalProperties`; walk to its parent object schema.
    for token in &tokens[..tokens.len().saturating_sub(1)] {
        if *token == "$ref" {
            let Some(target) = node.get("$ref").and_then(Value::as_str) else {
                return Vec::new();
            };
            node = match root.pointer(target.trim_start_matches('#')) {
                Some(n) => n,
                None => return Vec::new(),
            };
            continue;
        }
        let token = token.replace("~1", "/").replace("~0", "~");
        node = match node {
            Value::Object(m) => match m.get(&token) {
                Some(n) => n,
                None => return Vec::new(),
            },
            Value::Array(a) => match token.parse::<usize>().ok().and_then(|i| a.get(i)) {
                Some(n) => n,
                None => return Vec::new(),
            },
            _ => return Vec::new(),
        };
    }
    // A `$ref` object: resolve it to the object that holds the properties.
    if let Some(target) = node.get("$ref").and_then(Value::as_str) {
        if let Some(n) = root.pointer(target.trim_start_matches('#')) {
            node = n;
        }
    }
    node.get("properties")
        .and_then(Value::as_object)
        .map(|p: &Map<String, Value>| p.keys().cloned().collect())
        .unwrap_or_default()
}

pub fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase());
        if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

fn is_yaml11_bool(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "yes" | "no" | "on" | "off" | "y" | "n"
    )
}

fn type_names(kind: &TypeKind) -> String {
    let name = |t: &jsonschema::JsonType| match t.to_string().as_str() {
        "object" => "a mapping".to_string(),
        "array" => "a list".to_string(),
        "integer" => "an integer".to_string(),
        "number" => "a number".to_string(),
        "boolean" => "a boolean (true or false)".to_string(),
        "string" => "a string".to_string(),
        other => other.to_string(),
    };
    match kind {
        TypeKind::Single(t) => name(t),
        TypeKind::Multiple(set) => set
            .iter()
            .map(|t| name(&t))
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn describe_value(v: &Value) -> String {
    match v {
        Value::Null => "an empty value".into(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("the string `{}`", truncate(s, 40)),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => truncate(s, 60),
        other => other.to_string(),
    }
}

fn truncate(s: &str, max: usize) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() > max {
        format!("{}…", one_line.chars().take(max).collect::<String>())
    } else {
        one_line
    }
}

fn last_key(path: &str) -> String {
    let key = path.rsplit('/').next().unwrap_or("");
    if key.parse::<usize>().is_ok() {
        let parent = path.rsplit('/').nth(1).unwrap_or("");
        format!("{}[{key}]", parent.replace("~1", "/").replace("~0", "~"))
    } else {
        key.replace("~1", "/").replace("~0", "~")
    }
}

fn suggest_id(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if matches!(c, '-' | '_' | '.') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if trimmed.is_empty() {
        "interaction-1".into()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_has_no_null_types_or_integer_formats() {
        let text = json_schema().to_string();
        assert!(!text.contains("\"null\""), "{text}");
        assert!(!text.contains("uint32"));
        assert!(text.contains("2020-12"));
    }

    #[test]
    fn integer_fields_keep_the_range_of_their_rust_type() {
        let schema = json_schema();
        let attempts = &schema["$defs"]["Retry"]["properties"]["max_attempts"];
        assert_eq!(attempts["minimum"], json!(1), "the declared minimum wins");
        assert_eq!(attempts["maximum"], json!(u32::MAX));
        let bytes = &schema["$defs"]["Traffic"]["properties"]["payload_bytes"];
        assert_eq!(bytes["maximum"], json!(u64::MAX));
        let rps = &schema["$defs"]["Traffic"]["properties"]["rps"];
        assert!(rps.get("maximum").is_none(), "numbers have no range");
    }

    #[test]
    fn known_properties_follow_refs() {
        let props = known_properties(
            "/properties/interactions/items/$ref/properties/uses/$ref/additionalProperties",
        );
        assert!(props.contains(&"timeout_ms".to_string()), "{props:?}");
    }

    #[test]
    fn ids_are_suggested_in_kebab_case() {
        assert_eq!(suggest_id("Reserve Stock!"), "reserve-stock");
    }
}
