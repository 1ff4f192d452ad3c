//! Field-by-field comparison of two values of the file format, by their JSON form: the
//! loader has already resolved anchors, merge keys and `defaults`, so only what the
//! values mean is compared, never how they are written.

use serde::Serialize;
use serde_json::Value;

/// One field that differs: `uses.timeout_ms` from `500` to nothing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Dotted path from the interaction or service: `uses.retry.max_attempts`.
    pub path: String,
    /// `None`: not written on that side.
    pub old: Option<Value>,
    pub new: Option<Value>,
}

impl FieldChange {
    /// `500` or `{max_attempts: 3, backoff: exponential}`, or `—` when absent.
    pub fn show(value: Option<&Value>) -> String {
        value.map_or_else(|| "—".to_string(), compact)
    }
}

/// The fields in which `new` differs from `old`, in path order. A mapping present on
/// one side only is one change (`uses.retry` added), not one per field inside it.
/// `skip` holds paths compared elsewhere (`needs`, `uses.pattern`).
pub fn compare_values<T: Serialize>(old: &T, new: &T, skip: &[&str]) -> Vec<FieldChange> {
    let (Ok(old), Ok(new)) = (serde_json::to_value(old), serde_json::to_value(new)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk("", Some(&old), Some(&new), skip, &mut out);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn walk(
    path: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    skip: &[&str],
    out: &mut Vec<FieldChange>,
) {
    if skip.contains(&path) {
        return;
    }
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(&child, a.get(key), b.get(key), skip, out);
            }
        }
        (a, b) if !same(a, b) => out.push(FieldChange {
            path: path.to_string(),
            old: a.cloned(),
            new: b.cloned(),
        }),
        _ => {}
    }
}

/// Equal values; numbers by value, so that `99.9` and `99.90` (or `3` and `3.0`) are one.
fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// A value on one line, as YAML flow style reads: strings unquoted when plain.
fn compact(value: &Value) -> String {
    match value {
        Value::String(s) if is_plain(s) => s.clone(),
        Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}: {}", compact(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(compact).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// Whether a string can be shown without quotes and still read as one value.
fn is_plain(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ' '))
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !matches!(s, "true" | "false" | "null")
        && s.parse::<f64>().is_err()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_changes_and_whole_blocks() {
        let old = json!({"uses": {"timeout_ms": 500, "retry": null, "pattern": "sync"}, "id": "a"});
        let new = json!({"uses": {"retry": {"max_attempts": 3}, "pattern": "queue"}, "id": "b"});
        let changes = compare_values(&old, &new, &["id", "uses.pattern"]);
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["uses.retry", "uses.timeout_ms"]);
        assert_eq!(
            FieldChange::show(changes[0].new.as_ref()),
            "{max_attempts: 3}"
        );
        assert_eq!(FieldChange::show(changes[1].new.as_ref()), "—");
    }

    #[test]
    fn numbers_compare_by_value_and_strings_show_safely() {
        assert!(compare_values(&json!({"a": 3}), &json!({"a": 3.0}), &[]).is_empty());
        assert_eq!(compact(&json!("team-orders")), "team-orders");
        assert_eq!(compact(&json!("true")), "\"true\"");
        assert_eq!(compact(&json!("a: b")), "\"a: b\"");
        assert_eq!(compact(&json!("12")), "\"12\"");
    }
}
