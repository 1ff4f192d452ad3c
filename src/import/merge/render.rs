//! YAML text for the values a merge writes: scalars quoted only where plain text would
//! read as something else, keys likewise, and the `# from file:line` comment.

use crate::import::Source;
use serde_json::Value;

/// A scalar or a mapping on one line (`4`, `orders`, `"a: b"`, `{ max_attempts: 4 }`).
pub fn flow(value: &Value) -> String {
    match value {
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", key(k), flow(v)))
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", items.join(", "))
        }
        Value::String(s) => key(s),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// A string as a plain scalar when YAML 1.2's core schema reads it back as the same
/// string, else double-quoted with JSON's escapes (which YAML's double quotes share).
pub fn key(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "nan" | "inf"
        );
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).expect("a string serialises")
    }
}

/// `# from file:line`, on one line whatever the file name holds.
pub fn comment(source: &Source) -> String {
    let file: String = source
        .file
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    format!("# from {file}:{}", source.line)
}

/// Block lines for `value` under `key` at `indent` spaces: a scalar on the key's line
/// with its comment, a mapping as a key line and its entries two spaces further in.
pub fn block(
    out: &mut String,
    indent: usize,
    name: &str,
    value: &Value,
    comment_of: &dyn Fn(&[&str]) -> Option<String>,
    path: &mut Vec<String>,
) {
    path.push(name.to_string());
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push_str(&format!("{pad}{}:\n", key(name)));
            for (k, v) in map {
                block(out, indent + 2, k, v, comment_of, path);
            }
        }
        _ => {
            let keys: Vec<&str> = path.iter().map(String::as_str).collect();
            let note = comment_of(&keys)
                .map(|c| format!("  {c}"))
                .unwrap_or_default();
            out.push_str(&format!("{pad}{}: {}{note}\n", key(name), flow(value)));
        }
    }
    path.pop();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_that_read_as_something_else_are_quoted() {
        assert_eq!(key("orders.v1"), "orders.v1");
        for s in [
            "true",
            "No",
            "1000",
            "a: b",
            "#x",
            "",
            "a b",
            "é",
            "-x",
            "line\nbreak",
        ] {
            let text = key(s);
            assert!(text.starts_with('"'), "{s:?} -> {text}");
            let parsed = crate::model::yaml::parse(&format!("k: {text}\n"), Default::default());
            let (value, _) = parsed.root.expect("parses");
            assert_eq!(value["k"], Value::String(s.into()), "{text}");
        }
    }

    #[test]
    fn a_comment_stays_on_its_line() {
        let source = Source {
            file: "a\nb.yaml".into(),
            line: 3,
            column: 1,
        };
        assert_eq!(comment(&source), "# from a?b.yaml:3");
    }
}
