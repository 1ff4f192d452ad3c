//! Text edits at span positions: replacements of scalars and insertions into mappings
//! and sequences, applied together at the end and checked by parsing the result.

use super::render;
use crate::import::{matching, ImportedInteraction, ImportedService, Source};
use crate::model::yaml::{self, Pos, Span, SpanChildren, SpanTree};
use crate::model::InteractionDecl;
use serde_json::{Map, Value};

struct Edit {
    start: usize,
    end: usize,
    text: String,
    /// Among edits at one offset, smaller comes first in the text: entries of a nested
    /// mapping before those of the mapping around it, new interactions after both.
    place: usize,
}

/// The place of a new interaction at the end of `interactions:` (see [`Edit::place`]).
const APPENDED: usize = usize::MAX;

/// Pending insertions into one mapping: its pointer, and the values by key.
struct Insert {
    pointer: String,
    values: Map<String, Value>,
    sources: Vec<(Vec<String>, Source)>,
}

pub struct Editor<'t> {
    text: &'t str,
    spans: &'t SpanTree,
    line_starts: Vec<usize>,
    edits: Vec<Edit>,
    inserts: Vec<Insert>,
    changes: Vec<String>,
}

impl<'t> Editor<'t> {
    pub fn new(text: &'t str, spans: &'t SpanTree) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Editor {
            text,
            spans,
            line_starts,
            edits: Vec::new(),
            inserts: Vec::new(),
            changes: Vec::new(),
        }
    }

    /// The byte offset of a position (1-based line, column in characters).
    fn offset(&self, pos: Pos) -> usize {
        let line = (pos.line.max(1) as usize - 1).min(self.line_starts.len() - 1);
        let start = self.line_starts[line];
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(pos.column.max(1) as usize - 1)
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    /// The offset just past the end of the line holding `offset` (its newline included).
    fn line_end(&self, offset: usize) -> usize {
        self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i + 1)
    }

    fn is_alias(&self, node: &SpanTree) -> bool {
        self.text[self.offset(node.span.start)..].starts_with('*')
    }

    fn is_flow(&self, node: &SpanTree) -> bool {
        matches!(
            self.text[self.offset(node.span.start)..].chars().next(),
            Some('{' | '[')
        )
    }

    /// The settings of `calls` written into the interaction `decl` where they differ.
    pub fn settings(
        &mut self,
        decl: &InteractionDecl,
        calls: &[&ImportedInteraction],
        notes: &mut Vec<String>,
    ) {
        let Some(item) = self.spans.get(&decl.origin.pointer) else {
            return;
        };
        let effective = serde_json::to_value(decl.uses()).unwrap_or(Value::Null);
        let mut done: Vec<String> = Vec::new();
        for call in calls {
            for (path, value) in matching::settings(&call.uses) {
                if done.contains(&path) {
                    continue;
                }
                done.push(path.clone());
                if matching::setting(&effective, &path).is_some_and(|v| matching::same(v, &value)) {
                    continue;
                }
                let source = call.field_sources.get(&path).unwrap_or(&call.source);
                let keys: Vec<String> = std::iter::once("uses".to_string())
                    .chain(path.split('/').map(str::to_string))
                    .collect();
                self.setting(decl, item, &keys, &value, &effective, source, notes);
            }
        }
    }

    /// One setting: replaced where the interaction writes it, else inserted under the
    /// deepest mapping the interaction writes on its path.
    #[allow(clippy::too_many_arguments)]
    fn setting(
        &mut self,
        decl: &InteractionDecl,
        item: &SpanTree,
        keys: &[String],
        value: &Value,
        effective: &Value,
        source: &Source,
        notes: &mut Vec<String>,
    ) {
        let mut node = item;
        let mut pointer = decl.origin.pointer.clone();
        let shown = keys[1..].join(".");
        for (depth, key) in keys.iter().enumerate() {
            let child = match &node.children {
                SpanChildren::Map(m) => m.iter().find(|(k, _)| **k == **key).map(|(_, c)| c),
                _ => None,
            };
            let explicit = child.filter(|c| c.key_span().is_some_and(|k| within(k, item.span)));
            let Some(child) = explicit else {
                // Not written here (absent, from `defaults`, or merged in with `<<`):
                // the interaction's own entry, which overrides.
                let mut own = nested(&keys[depth + 1..], value.clone());
                if child.is_some() && depth > 0 {
                    // A mapping merged in from an anchor is replaced whole for this
                    // interaction: its other values are kept by copying them.
                    let path = keys[1..=depth].join("/");
                    if let Some(mut whole) = matching::setting(effective, &path).cloned() {
                        put(&mut whole, &keys[depth + 1..], value.clone());
                        own = whole;
                    }
                }
                self.insert(&pointer, key, own, keys[depth..].to_vec(), source);
                self.changes.push(format!(
                    "{}: set uses.{shown} to {}",
                    decl.id(),
                    render::flow(value)
                ));
                return;
            };
            if self.is_alias(child) || !within(child.span, item.span) {
                // `key: *alias`: the alias token is replaced by the interaction's own value.
                let path = keys[1..=depth].join("/");
                let mut whole = if depth == 0 {
                    effective.clone()
                } else {
                    matching::setting(effective, &path)
                        .cloned()
                        .unwrap_or(Value::Null)
                };
                put(&mut whole, &keys[depth + 1..], value.clone());
                if !self.replace_alias(child, &whole, source) {
                    notes.push(format!(
                        "{}: uses.{shown} is in a shared block that could not be edited",
                        decl.id()
                    ));
                    return;
                }
                self.changes.push(format!(
                    "{}: set uses.{shown} to {} (its own value, over the shared one)",
                    decl.id(),
                    render::flow(value)
                ));
                return;
            }
            pointer = format!("{pointer}/{}", yaml::escape_pointer_token(key));
            node = child;
        }
        if !matches!(node.children, SpanChildren::Leaf) {
            notes.push(format!(
                "{}: uses.{shown} is not a single value here; not edited",
                decl.id()
            ));
            return;
        }
        self.replace_scalar(node, value, source);
        self.changes.push(format!(
            "{}: uses.{shown} changed to {}",
            decl.id(),
            render::flow(value)
        ));
    }

    /// A scalar replaced by `value`, with the `# from` comment at the end of its line:
    /// one of an earlier merge is replaced, one people wrote is kept after it.
    fn replace_scalar(&mut self, node: &SpanTree, value: &Value, source: &Source) {
        let start = self.offset(node.span.start);
        let end = self.offset(node.span.end);
        let line_end = self.line_end(end);
        let rest = &self.text[end..line_end];
        let comment = render::comment(source);
        self.edits.push(Edit {
            place: 0,
            start,
            end,
            text: render::flow(value),
        });
        // The comment goes at the end of the line; one written there already is kept after it.
        let trimmed = rest.trim_end_matches(['\n', '\r']);
        match comment_start(trimmed) {
            Some(i) if trimmed[i..].starts_with("# from ") => {
                let at = end + i;
                let stop = at + trimmed[i..].find(" # ").unwrap_or(trimmed.len() - i);
                self.edits.push(Edit {
                    place: 0,
                    start: at,
                    end: stop,
                    text: comment,
                });
            }
            Some(i) => self.edits.push(Edit {
                place: 0,
                start: end + i,
                end: end + i,
                text: format!("{comment} "),
            }),
            None => {
                let at = end + trimmed.len();
                self.edits.push(Edit {
                    place: 0,
                    start: at,
                    end: at,
                    text: format!("  {comment}"),
                });
            }
        }
    }

    /// Replaces `*name` after the key of `node` with `value` on one line.
    fn replace_alias(&mut self, node: &SpanTree, value: &Value, source: &Source) -> bool {
        let Some(key) = node.key_span() else {
            return false;
        };
        let after = self.offset(key.end);
        let line_end = self.line_end(after);
        let rest = &self.text[after..line_end];
        let Some(star) = rest.find('*') else {
            return false;
        };
        if !rest[..star]
            .trim_start()
            .trim_start_matches(':')
            .trim()
            .is_empty()
        {
            return false;
        }
        let start = after + star;
        let len = rest[star..]
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | '}' | ']'))
            .unwrap_or(rest.len() - star);
        let end = start + len;
        let trimmed = rest.trim_end_matches(['\n', '\r']);
        self.edits.push(Edit {
            place: 0,
            start,
            end,
            text: render::flow(value),
        });
        if comment_start(trimmed).is_some() {
            return true;
        }
        let at = after + trimmed.len();
        self.edits.push(Edit {
            place: 0,
            start: at,
            end: at,
            text: format!("  {}", render::comment(source)),
        });
        true
    }

    fn insert(
        &mut self,
        pointer: &str,
        key: &str,
        value: Value,
        keys: Vec<String>,
        source: &Source,
    ) {
        let index = match self.inserts.iter().position(|i| i.pointer == pointer) {
            Some(i) => i,
            None => {
                self.inserts.push(Insert {
                    pointer: pointer.to_string(),
                    values: Map::new(),
                    sources: Vec::new(),
                });
                self.inserts.len() - 1
            }
        };
        let entry = &mut self.inserts[index];
        match entry.values.get_mut(key) {
            Some(existing) => merge_values(existing, value),
            None => {
                entry.values.insert(key.to_string(), value);
            }
        }
        entry.sources.push((keys, source.clone()));
    }

    /// A service under `services:`, with what the deployment says of it.
    pub fn add_service(
        &mut self,
        name: &str,
        service: Option<&ImportedService>,
        _notes: &mut [String],
    ) {
        let value = service
            .and_then(|s| serde_json::to_value(&s.service).ok())
            .unwrap_or_else(|| Value::Object(Map::new()));
        let source = service.map(|s| s.source.clone());
        let keys = vec![name.to_string()];
        if let Some(source) = source {
            self.insert("/services", name, value, keys, &source);
        } else {
            let source = Source {
                file: "the deployed configuration".into(),
                line: 0,
                column: 0,
            };
            self.insert("/services", name, value, keys, &source);
        }
        self.changes.push(format!("added service `{name}`"));
    }

    /// A new interaction at the end of `interactions:`, its `needs` left as a TODO.
    pub fn add_interaction(
        &mut self,
        id: &str,
        call: &ImportedInteraction,
        notes: &mut Vec<String>,
    ) {
        let list = self.spans.get("/interactions");
        let Some((list, SpanChildren::Seq(items))) = list.map(|l| (l, &l.children)) else {
            notes.push(format!("the file has no `interactions:` sequence: the new interaction `{id}` ({} -> {}) is not added", call.from, call.to));
            return;
        };
        if self.is_flow(list) {
            self.add_flow_interaction(list, items.is_empty(), id, call);
            return;
        }
        if items.is_empty() {
            notes.push(format!("`interactions:` holds no entry to take the indentation from: the new interaction `{id}` ({} -> {}) is not added", call.from, call.to));
            return;
        }
        let last = items.last().expect("not empty");
        let key_column =
            self.offset(last.span.start) - self.line_starts[last.span.start.line as usize - 1];
        let line = &self.text[self.line_starts[last.span.start.line as usize - 1]..];
        let dash = line[..key_column]
            .rfind('-')
            .unwrap_or(key_column.saturating_sub(2));
        let pad = " ".repeat(dash);
        let inner = " ".repeat(key_column);
        let mut out = format!(
            "{pad}-{} id: {}  {}\n",
            " ".repeat(key_column - dash - 2),
            render::key(id),
            render::comment(&call.source)
        );
        out.push_str(&format!(
            "{inner}from: {}\n{inner}to: {}\n",
            render::key(&call.from),
            render::key(&call.to)
        ));
        if let Some(summary) = &call.summary {
            out.push_str(&format!("{inner}summary: {}\n", render::key(summary)));
        }
        out.push_str(&format!("{inner}# TODO needs: realtime, consistency, can_wait, ordering are business answers the deployment cannot give\n"));
        let uses = serde_json::to_value(&call.uses).unwrap_or(Value::Null);
        if uses.as_object().is_some_and(|m| !m.is_empty()) {
            let comment_of = |keys: &[&str]| {
                let path = keys[1..].join("/");
                Some(render::comment(
                    call.field_sources.get(&path).unwrap_or(&call.source),
                ))
            };
            render::block(
                &mut out,
                key_column,
                "uses",
                &uses,
                &comment_of,
                &mut Vec::new(),
            );
        }
        let at = self.after_last_line(list);
        self.edits.push(Edit {
            place: APPENDED,
            start: at,
            end: at,
            text: self.with_newline_before(at, out),
        });
        self.changes.push(format!(
            "added interaction `{id}` ({} -> {})",
            call.from, call.to
        ));
    }

    /// A new interaction in a flow sequence (`interactions: [ … ]`): a flow mapping on a
    /// line of its own before the closing bracket, followed by a comma, with its source and the `needs` TODO
    /// as a comment after it (YAML allows comments inside a flow collection, after white
    /// space), indented two columns past the `interactions` key.
    fn add_flow_interaction(
        &mut self,
        list: &SpanTree,
        empty: bool,
        id: &str,
        call: &ImportedInteraction,
    ) {
        let start = self.offset(list.span.start);
        let end = self.offset(list.span.end).max(start);
        let inside = &self.text[start..end];
        let Some(close) = inside.rfind(']') else {
            return;
        };
        let before = inside[..close].trim_end();
        let at = start + before.len();
        // Each new entry ends with a comma (YAML allows one before `]`), so that the
        // next one needs none; the first needs one after an entry already written.
        let later = self
            .edits
            .iter()
            .any(|e| e.start == at && e.place == APPENDED);
        let lead = match (later, empty || before.ends_with(',')) {
            (true, _) => "",
            (false, true) => "\n",
            (false, false) => ",\n",
        };
        let key_at = list.key_span().map_or(list.span.start, |k| k.start);
        let key_line = self.line_starts[key_at.line.max(1) as usize - 1];
        let pad = " ".repeat(self.text[key_line..self.offset(key_at)].chars().count() + 2);
        let lead = if lead.is_empty() {
            String::new()
        } else {
            format!("{lead}{pad}")
        };
        let mut entries = vec![
            format!("id: {}", render::key(id)),
            format!("from: {}", render::key(&call.from)),
            format!("to: {}", render::key(&call.to)),
        ];
        if let Some(summary) = &call.summary {
            entries.push(format!("summary: {}", render::key(summary)));
        }
        let uses = serde_json::to_value(&call.uses).unwrap_or(Value::Null);
        if uses.as_object().is_some_and(|m| !m.is_empty()) {
            entries.push(format!("uses: {}", render::flow(&uses)));
        }
        let mut sources: Vec<String> = vec![render::comment(&call.source)];
        for source in call.field_sources.values() {
            let shown = render::comment(source);
            if !sources.contains(&shown) {
                sources.push(shown);
            }
        }
        let text = format!(
            "{lead}{{ {} }},  {}; TODO needs: realtime, consistency, can_wait, ordering are business answers the deployment cannot give\n{pad}",
            entries.join(", "),
            sources.join(", ").replace(", # from", ", from"),
        );
        self.edits.push(Edit {
            place: APPENDED,
            start: at,
            end: at,
            text,
        });
        self.changes.push(format!(
            "added interaction `{id}` ({} -> {})",
            call.from, call.to
        ));
    }

    /// Where a new line goes after everything written in `node`.
    fn after_last_line(&self, node: &SpanTree) -> usize {
        let end = last_leaf_end(node).max(node.span.start);
        self.line_end(self.offset(end))
    }

    fn with_newline_before(&self, at: usize, text: String) -> String {
        if at > 0 && !self.text[..at].ends_with('\n') {
            format!("\n{text}")
        } else {
            text
        }
    }

    /// The grouped insertions as text edits.
    fn place_inserts(&mut self) {
        for insert in std::mem::take(&mut self.inserts) {
            let place = usize::MAX / 2 - insert.pointer.matches('/').count();
            let Some(node) = self.spans.get(&insert.pointer) else {
                continue;
            };
            let comment_of = |keys: &[&str]| {
                insert
                    .sources
                    .iter()
                    .find(|(k, _)| k.len() <= keys.len() && k.iter().zip(keys).all(|(a, b)| a == b))
                    .filter(|(_, s)| s.line > 0)
                    .map(|(_, s)| render::comment(s))
            };
            if self.is_flow(node) {
                let empty = !has_children(node);
                let Some(at) = self.flow_insertion(node, empty) else {
                    continue;
                };
                let entries: Vec<String> = insert
                    .values
                    .iter()
                    .map(|(k, v)| format!("{}: {}", render::key(k), render::flow(v)))
                    .collect();
                let sep = if empty { " " } else { ", " };
                let text = format!(
                    "{sep}{}{}",
                    entries.join(", "),
                    if empty { " " } else { "" }
                );
                self.edits.push(Edit {
                    place,
                    start: at,
                    end: at,
                    text,
                });
                let line_end = self.line_end(at);
                let rest = self.text[at..line_end].trim_end_matches(['\n', '\r']);
                if comment_start(rest).is_none() {
                    let notes: Vec<String> = insert
                        .sources
                        .iter()
                        .filter(|(_, s)| s.line > 0)
                        .map(|(_, s)| render::comment(s))
                        .collect();
                    let end = at + rest.len();
                    let commented = self
                        .edits
                        .iter()
                        .any(|e| e.start == end && e.place == APPENDED - 1);
                    // A new interaction appended to a flow sequence on this line moves
                    // the rest of the line (its closing bracket) below it: the comment
                    // goes after the comma that ends this line instead.
                    let appended = self.edits.iter_mut().find(|e| {
                        e.place == APPENDED
                            && (at..=end).contains(&e.start)
                            && e.text.starts_with(",\n")
                    });
                    if let (Some(first), Some(edit)) = (notes.first(), appended) {
                        if !commented {
                            edit.text = format!(",  {first}{}", &edit.text[1..]);
                        }
                    } else if let Some(first) = notes.first().filter(|_| !commented) {
                        self.edits.push(Edit {
                            place: APPENDED - 1,
                            start: end,
                            end,
                            text: format!("  {first}"),
                        });
                    }
                }
                continue;
            }
            let indent = self.child_indent(node, &insert.pointer);
            let mut out = String::new();
            for (k, v) in &insert.values {
                render::block(&mut out, indent, k, v, &comment_of, &mut Vec::new());
            }
            let at = self.after_last_line(node);
            self.edits.push(Edit {
                place,
                start: at,
                end: at,
                text: self.with_newline_before(at, out),
            });
        }
    }

    /// Where a new entry of the flow mapping `node` goes: after its last entry, before
    /// the closing brace (after the opening one when it is empty).
    fn flow_insertion(&self, node: &SpanTree, empty: bool) -> Option<usize> {
        let start = self.offset(node.span.start);
        let end = self.offset(node.span.end).max(start);
        let inside = &self.text[start..end];
        if empty {
            return inside.find('{').map(|i| start + i + 1);
        }
        let close = inside.rfind('}')?;
        Some(start + inside[..close].trim_end().len())
    }

    /// The indentation of the keys of a block mapping.
    fn child_indent(&self, node: &SpanTree, _pointer: &str) -> usize {
        let pos = match &node.children {
            SpanChildren::Map(m) => m
                .iter()
                .filter_map(|(_, c)| c.key_span())
                .filter(|k| k.start >= node.span.start)
                .map(|k| k.start)
                .min()
                .unwrap_or(node.span.start),
            _ => node.span.start,
        };
        let offset = self.offset(pos);
        self.text[self.line_starts[pos.line.max(1) as usize - 1]..offset]
            .chars()
            .count()
    }

    /// Applies every edit and checks that the result still reads as YAML.
    pub fn finish(mut self) -> anyhow::Result<(String, Vec<String>)> {
        self.place_inserts();
        let mut edits = std::mem::take(&mut self.edits);
        // From the end, so earlier offsets stay valid; at one offset, in the order made.
        let order: Vec<usize> = (0..edits.len()).collect();
        let mut order = order;
        order.sort_by_key(|&i| {
            let e = &edits[i];
            (
                std::cmp::Reverse(e.start),
                std::cmp::Reverse(e.place),
                std::cmp::Reverse(i),
            )
        });
        let mut text = self.text.to_string();
        let mut floor = usize::MAX;
        for i in order {
            let edit = &mut edits[i];
            if edit.end > floor {
                anyhow::bail!(
                    "two edits overlap at byte {}; the file was not changed",
                    edit.start
                );
            }
            text.replace_range(edit.start..edit.end, &std::mem::take(&mut edit.text));
            floor = edit.start;
        }
        let parsed = yaml::parse(&text, Default::default());
        if let Some(problem) = parsed.problems.first() {
            anyhow::bail!(
                "the merged text would not read back ({} at line {}); the file was not changed",
                problem.message,
                problem.span.start.line
            );
        }
        Ok((text, self.changes))
    }
}

/// Where a comment starts in the rest of a line: a `#` after a space (or at the start),
/// outside quotes, so that `"a #b"` in a string on the same line is not taken for one.
fn comment_start(rest: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut previous = ' ';
    for (i, c) in rest.char_indices() {
        match quote {
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '#' && previous.is_whitespace() => return Some(i),
            None if matches!(c, '"' | '\'') => quote = Some(c),
            None => {}
        }
        previous = c;
    }
    None
}

fn within(inner: Span, outer: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

#[cfg(test)]
#[test]
fn a_hash_in_a_string_is_not_a_comment() {
    assert_eq!(comment_start(" # c"), Some(1));
    assert_eq!(comment_start("#c"), Some(0));
    assert_eq!(comment_start(", s: \"a #b\" } # c"), Some(14));
    assert_eq!(comment_start(", s: 'it''s #1' }"), None);
    assert_eq!(comment_start(", s: a#b"), None);
}

fn has_children(node: &SpanTree) -> bool {
    match &node.children {
        SpanChildren::Map(m) => !m.is_empty(),
        SpanChildren::Seq(s) => !s.is_empty(),
        SpanChildren::Leaf => false,
    }
}

/// The end of the last scalar (or empty collection) written inside `node` (aliased
/// nodes elsewhere excluded).
fn last_leaf_end(node: &SpanTree) -> Pos {
    let mut best = Pos::default();
    let mut pending = vec![node];
    while let Some(n) = pending.pop() {
        match &n.children {
            _ if !has_children(n) => {
                if within(n.span, node.span) {
                    best = best.max(n.span.end);
                }
            }
            SpanChildren::Leaf => {}
            SpanChildren::Seq(items) => pending.extend(items.iter()),
            SpanChildren::Map(m) => pending.extend(m.iter().map(|(_, c)| c)),
        }
    }
    best
}

/// `{ a: { b: value } }` for the keys `[a, b]`; the value itself for no keys.
fn nested(keys: &[String], value: Value) -> Value {
    keys.iter().rev().fold(value, |inner, key| {
        let mut map = Map::new();
        map.insert(key.clone(), inner);
        Value::Object(map)
    })
}

/// Sets `keys` under `whole` to `value`, creating mappings on the way.
fn put(whole: &mut Value, keys: &[String], value: Value) {
    let Some((first, rest)) = keys.split_first() else {
        *whole = value;
        return;
    };
    if !whole.is_object() {
        *whole = Value::Object(Map::new());
    }
    let map = whole.as_object_mut().expect("made an object");
    put(map.entry(first.clone()).or_insert(Value::Null), rest, value);
}

fn merge_values(existing: &mut Value, value: Value) {
    match (existing, value) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(e) => merge_values(e, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (e, v) => *e = v,
    }
}
