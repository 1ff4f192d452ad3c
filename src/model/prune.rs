//! Leaving out what the schema rejects. A node with a schema error is treated as not
//! written, so that the rest of its interaction, service or `defaults` is still read and
//! analysed (the error itself is already a located `M` finding).

use serde_json::Value;
use std::cmp::Ordering;
use std::collections::HashMap;

/// A node's place inside its top-level item, as unescaped JSON pointer tokens.
pub(super) type Path = Vec<String>;

/// The nodes of one document that violate the schema, grouped by the top-level item they
/// belong to, so that extraction looks up each item once and does no work for valid ones.
#[derive(Debug, Default)]
pub(super) struct Invalid {
    pub defaults: Vec<Path>,
    pub services: HashMap<String, Vec<Path>>,
    pub interactions: HashMap<usize, Vec<Path>>,
    /// Top-level suppressions with any error: left out whole, as a suppression that is
    /// read in part (no `until`, no `target`) would silence more than was written.
    pub suppressions: Vec<usize>,
}

/// The fields without which an interaction cannot be named or placed in the graph. They are
/// never left out: a value that still reads (an id of the wrong form) is kept as written,
/// and one that does not (a number for `from`) leaves the interaction out.
const REQUIRED: [&str; 3] = ["id", "from", "to"];

impl Invalid {
    /// Records the node at `pointer` (an RFC 6901 JSON pointer into the document).
    /// Pointers at a whole item, or outside the items, leave nothing to prune.
    pub fn add(&mut self, pointer: &str) {
        let tokens: Vec<String> = pointer.split('/').skip(1).map(unescape).collect();
        let Some((first, rest)) = tokens.split_first() else {
            return;
        };
        match (first.as_str(), rest) {
            ("defaults", rel) if !rel.is_empty() => self.defaults.push(within_item(rel)),
            ("services", [name, rel @ ..]) if !rel.is_empty() => self
                .services
                .entry(name.clone())
                .or_default()
                .push(within_item(rel)),
            ("interactions", [index, rel @ ..]) if !rel.is_empty() => {
                let Ok(index) = index.parse::<usize>() else {
                    return;
                };
                if rel.len() == 1 && REQUIRED.contains(&rel[0].as_str()) {
                    return;
                }
                self.interactions
                    .entry(index)
                    .or_default()
                    .push(within_item(rel));
            }
            ("suppress", [index, ..]) => {
                if let Ok(index) = index.parse::<usize>() {
                    self.suppressions.push(index);
                }
            }
            _ => {}
        }
    }
}

/// An error anywhere inside a suppression entry leaves out the whole entry (see
/// [`Invalid::suppressions`]); other nodes are left out one by one.
fn within_item(rel: &[String]) -> Path {
    match rel {
        [list, index, ..] if list == "suppress" && index.parse::<usize>().is_ok() => {
            rel[..2].to_vec()
        }
        _ => rel.to_vec(),
    }
}

fn unescape(token: &str) -> String {
    if token.contains('~') {
        token.replace("~1", "/").replace("~0", "~")
    } else {
        token.to_string()
    }
}

/// Removes the nodes at `paths` from `value`. List entries are removed from the highest
/// index down, so that removing one does not move the others. Paths that do not exist
/// (already removed with their parent) are skipped.
pub(super) fn prune(value: &mut Value, paths: &mut [Path]) {
    paths.sort_by(|a, b| compare(b, a));
    let mut previous: Option<&Path> = None;
    for path in paths.iter() {
        if previous != Some(path) {
            remove(value, path);
        }
        previous = Some(path);
    }
}

/// The positions of the entries of the `suppress` list that `paths` remove.
pub(super) fn removed_suppressions(paths: &[Path]) -> Vec<usize> {
    paths
        .iter()
        .filter_map(|p| match p.as_slice() {
            [list, index] if list == "suppress" => index.parse::<usize>().ok(),
            _ => None,
        })
        .collect()
}

/// Token by token, list indices as numbers (`10` after `9`); a parent before its children.
fn compare(a: &Path, b: &Path) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let order = match (x.parse::<usize>(), y.parse::<usize>()) {
            (Ok(i), Ok(j)) => i.cmp(&j),
            _ => x.cmp(y),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

fn remove(value: &mut Value, path: &[String]) -> Option<Value> {
    let (last, parents) = path.split_last()?;
    let mut node = value;
    for token in parents {
        node = match node {
            Value::Object(map) => map.get_mut(token)?,
            Value::Array(items) => items.get_mut(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    match node {
        Value::Object(map) => map.shift_remove(last),
        Value::Array(items) => {
            let index = last.parse::<usize>().ok()?;
            (index < items.len()).then(|| items.remove(index))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(pointers: &[&str]) -> Vec<Path> {
        pointers
            .iter()
            .map(|p| p.split('/').skip(1).map(unescape).collect())
            .collect()
    }

    #[test]
    fn escaped_tokens_name_keys_with_slash_and_tilde() {
        let mut v = json!({"a/b": 1, "c~d": 2, "~1": 3, "e": 4});
        prune(&mut v, &mut paths(&["/a~1b", "/c~0d", "/~01"]));
        assert_eq!(v, json!({"e": 4}));
    }

    #[test]
    fn list_entries_go_from_the_highest_index_down() {
        let mut v = json!({"l": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]});
        prune(&mut v, &mut paths(&["/l/2", "/l/10", "/l/9", "/l/2"]));
        assert_eq!(v, json!({"l": [0, 1, 3, 4, 5, 6, 7, 8, 11]}));
    }

    #[test]
    fn children_of_removed_nodes_and_missing_paths_are_skipped() {
        let mut v = json!({"a": {"b": {"c": 1}}, "l": [{"x": 1}, {"x": 2}]});
        prune(
            &mut v,
            &mut paths(&[
                "/a/b/c", "/a/b", "/l/0/x", "/l/0", "/nope/1", "/l/7", "/a/q",
            ]),
        );
        assert_eq!(v, json!({"a": {}, "l": [{"x": 2}]}));
    }

    #[test]
    fn key_order_is_kept() {
        let mut v = json!({"z": 1, "bad": 2, "a": 3, "m": 4});
        prune(&mut v, &mut paths(&["/bad"]));
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    #[test]
    fn errors_are_grouped_by_item() {
        let mut invalid = Invalid::default();
        for p in [
            "/interactions/3/uses/timout_ms",
            "/interactions/3/suppress/1/until",
            "/interactions/3/id",
            "/interactions/4",
            "/services/a~1b/slo/availability",
            "/defaults/retry/backoff",
            "/suppress/2/target",
            "/version",
            "",
        ] {
            invalid.add(p);
        }
        assert_eq!(
            invalid.interactions[&3],
            paths(&["/uses/timout_ms", "/suppress/1"])
        );
        assert!(!invalid.interactions.contains_key(&4));
        assert_eq!(invalid.services["a/b"], paths(&["/slo/availability"]));
        assert_eq!(invalid.defaults, paths(&["/retry/backoff"]));
        assert_eq!(invalid.suppressions, [2]);
        assert_eq!(removed_suppressions(&invalid.interactions[&3]), [1]);
    }
}
