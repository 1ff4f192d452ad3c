//! An [`Imported`] as the text of an architecture file: deterministic, every imported
//! value commented with the `file:line` it was read from, the four `needs` questions
//! left to the team as TODO comments, and what was not imported listed at the top.
//!
//! Every string from the input is written as a double-quoted YAML scalar with escapes
//! (quotes, backslashes, control and non-printable characters), and comments have
//! their control characters escaped, so that a hostile name in a manifest cannot end a
//! line or a scalar early.

use super::{DestinationPolicy, Imported, Source};
use crate::generate::write::{apply, lock, prepare, Action, LockMode};
use crate::generate::Generated;
use anyhow::{bail, Context as _, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// The architecture file for `imported`, read by the importer named `kind`.
pub fn render(imported: &Imported, kind: &str, system: &str) -> String {
    let mut out = String::new();
    header(&mut out, imported, kind);
    out.push_str("version: 1\n");
    // The format requires a name; an empty one would not load.
    let system = if system.is_empty() {
        "imported"
    } else {
        system
    };
    let _ = writeln!(out, "system: {}", scalar(&Value::String(system.into())));
    services(&mut out, imported);
    interactions(&mut out, imported);
    out
}

fn header(out: &mut String, imported: &Imported, kind: &str) {
    let _ = writeln!(
        out,
        "{} {kind}`. Each value is commented with the file and\n\
         # line it was read from; nothing here is guessed.\n\
         #\n\
         # TODO for the team: every interaction's `needs` (realtime, consistency, can_wait,\n\
         # ordering) is a business answer that no manifest holds. Until it is written,\n\
         # `commsplan analyze` reports the missing answer (M011) for that interaction.",
        super::input::WRITTEN_MARK
    );
    if !imported.notes.is_empty() {
        out.push_str("#\n# Read but not imported:\n");
        for note in &imported.notes {
            let _ = writeln!(
                out,
                "#   {}: {}",
                comment(&note.source.to_string()),
                comment(&note.message)
            );
        }
    }
    let unattached: Vec<&DestinationPolicy> = imported
        .unattached_policies()
        .into_iter()
        .filter(|p| !uses_value(p).as_object().is_none_or(|m| m.is_empty()))
        .collect();
    if !unattached.is_empty() {
        out.push_str(
            "#\n# Settings for calls to these services that no imported interaction takes: the\n\
             # callers are not visible in the input (the calls are made in code). Copy them\n\
             # under `uses` when you add the interaction:\n",
        );
        for policy in unattached {
            let _ = writeln!(
                out,
                "#   calls to {} ({}):",
                comment(&policy.host),
                comment(&policy.source.to_string())
            );
            let mut block = String::new();
            mapping(
                &mut block,
                &uses_value(policy),
                3,
                "",
                &policy.field_sources,
            );
            for line in block.lines() {
                let _ = writeln!(out, "#  {line}");
            }
        }
    }
}

fn uses_value(policy: &DestinationPolicy) -> Value {
    serde_json::to_value(&policy.uses).unwrap_or(Value::Null)
}

fn services(out: &mut String, imported: &Imported) {
    if imported.services.is_empty() {
        out.push_str("services: {}\n");
        return;
    }
    out.push_str("services:\n");
    for (name, service) in &imported.services {
        let value = serde_json::to_value(&service.service).unwrap_or(Value::Null);
        let empty = value.as_object().is_none_or(|m| m.is_empty());
        // A key with nothing under it would be null: an empty service is `{}`.
        let _ = writeln!(
            out,
            "  {}:{}{}",
            key(name),
            if empty { " {}" } else { "" },
            from(Some(&service.source))
        );
        if !empty {
            mapping(out, &value, 4, "", &service.field_sources);
        }
    }
}

fn interactions(out: &mut String, imported: &Imported) {
    if imported.interactions.is_empty() {
        out.push_str("interactions: []\n");
        return;
    }
    out.push_str("interactions:\n");
    for i in &imported.interactions {
        let _ = writeln!(
            out,
            "  - id: {}{}",
            scalar(&Value::String(i.id.clone())),
            from(Some(&i.source))
        );
        let _ = writeln!(out, "    from: {}", scalar(&Value::String(i.from.clone())));
        let _ = writeln!(out, "    to: {}", scalar(&Value::String(i.to.clone())));
        if let Some(summary) = &i.summary {
            let _ = writeln!(
                out,
                "    summary: {}",
                scalar(&Value::String(summary.clone()))
            );
        }
        out.push_str(
            "    # TODO(needs): the team's answers; infrastructure does not hold them.\n\
             \x20   # needs:\n\
             \x20   #   realtime:     # true | false: does the caller need the answer to go on?\n\
             \x20   #   consistency:  # strong | eventual\n\
             \x20   #   can_wait:     # true | false: can the user wait for it?\n\
             \x20   #   ordering:     # true | false: must the messages stay in order?\n",
        );
        let uses = serde_json::to_value(&i.uses).unwrap_or(Value::Null);
        if uses.as_object().is_some_and(|m| !m.is_empty()) {
            out.push_str("    uses:\n");
            mapping(out, &uses, 6, "", &i.field_sources);
        }
    }
}

/// Writes the entries of the mapping `value` at `indent`, each leaf commented with its
/// source from `sources` (keyed by path below the mapping, `retry/max_attempts`).
fn mapping(
    out: &mut String,
    value: &Value,
    indent: usize,
    path: &str,
    sources: &BTreeMap<String, Source>,
) {
    let Some(map) = value.as_object() else {
        return;
    };
    for (k, v) in map {
        let here = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}/{k}")
        };
        let pad = " ".repeat(indent);
        match v {
            Value::Object(_) => {
                let _ = writeln!(out, "{pad}{}:", key(k));
                mapping(out, v, indent + 2, &here, sources);
            }
            _ => {
                let _ = writeln!(
                    out,
                    "{pad}{}: {}{}",
                    key(k),
                    scalar(v),
                    from(sources.get(&here))
                );
            }
        }
    }
}

fn from(source: Option<&Source>) -> String {
    source.map_or(String::new(), |s| {
        format!("  # from {}", comment(&s.to_string()))
    })
}

/// A mapping key: plain when it is a simple name that YAML reads as that string,
/// double-quoted otherwise.
fn key(name: &str) -> String {
    let plain = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
        && !matches!(
            name,
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain {
        name.to_string()
    } else {
        quoted(name)
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => key(s),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        // Not reached: mappings are written by `mapping`, and `uses` has no lists.
        other => quoted(&other.to_string()),
    }
}

/// A double-quoted YAML scalar: `"` and `\` escaped, and every character YAML does not
/// allow as printable (C0 and C1 controls, DEL, U+2028/9, BOM, non-characters) written as
/// an escape (YAML 1.2 §5.7).
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// Text for a comment: on one line, with no control characters.
fn comment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// Writes `text` to `path`: atomically, in the folder `path` is in (which must exist),
/// never through a symbolic link, and not over a file with other content unless `force`.
pub fn write_file(path: &Path, text: &str, force: bool) -> Result<Action> {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        bail!("-o {}: not a file name", path.display());
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let root = std::fs::canonicalize(parent)
        .with_context(|| format!("cannot find the folder {}", parent.display()))?;
    let _lock = lock(&root, LockMode::Exclusive)?;
    let files = [Generated {
        path: name.to_string(),
        template: "import",
        content: text.to_string(),
    }];
    let steps = prepare(Some(&root), &files, force)?;
    apply(&root, &steps)?;
    Ok(steps.first().map_or(Action::Unchanged, |s| s.action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_strings_are_quoted_with_escapes() {
        assert_eq!(key("reviews"), "reviews");
        assert_eq!(key("true"), "\"true\"");
        assert_eq!(key("Front End"), "\"Front End\"");
        assert_eq!(
            quoted("a\"b\\c\nd\u{1b}[31m"),
            "\"a\\\"b\\\\c\\nd\\u001b[31m\""
        );
        assert_eq!(quoted("ok\u{2028}é"), "\"ok\\u2028é\"");
        assert_eq!(comment("x\ny\u{1b}"), "x\\u{a}y\\u{1b}");
    }
}
