//! YAML 1.2 reading with a source position for every node.
//!
//! saphyr-parser gives events with spans; this module builds a tree from them with the
//! limits a linter needs on untrusted input (alias expansion, nesting depth), merge keys,
//! duplicate-key detection and the core schema's scalar resolution. The tree is then
//! split into a `serde_json::Value` (for schema validation and deserialisation) and a
//! [`SpanTree`] that answers "where in the file is `/interactions/3/uses/retry`?".

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span as RawSpan};
use serde_json::Value;
use std::sync::Arc;

/// A position in a source file: 1-based line, 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn point(pos: Pos) -> Span {
        Span {
            start: pos,
            end: pos,
        }
    }

    fn from_raw(raw: RawSpan) -> Span {
        Span {
            start: pos_of(raw.start),
            end: pos_of(raw.end),
        }
    }
}

fn pos_of(m: saphyr_parser::Marker) -> Pos {
    Pos {
        line: m.line() as u32,
        column: m.col() as u32 + 1,
    }
}

/// Bounds that keep hostile input from exhausting time or memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Nodes that aliases may add by expansion, on top of the nodes written in the file.
    pub max_alias_nodes: usize,
    /// Aliases may also add at most this many nodes per event read so far: shared
    /// defaults grow a file linearly, an alias bomb grows it exponentially and is stopped
    /// long before the absolute cap.
    pub alias_nodes_per_event: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_alias_nodes: 2_000_000,
            alias_nodes_per_event: 20,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    Syntax,
    DuplicateKey,
    ComplexKey,
    BadMerge,
    Limit,
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: ProblemKind,
    pub message: String,
    pub span: Span,
    /// What the primary label under the snippet says.
    pub label: String,
    /// A second place worth showing (the first occurrence of a duplicate key).
    pub related: Option<(Span, String)>,
    pub help: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
}

/// The outcome of reading one document: its value and where each node is. `root` is
/// `None` when the file holds no document or when a syntax error stopped the parse.
pub struct Parsed {
    pub root: Option<(Value, SpanTree)>,
    pub problems: Vec<Problem>,
}

/// A finished node: its value and its positions.
type Item = (Value, SpanTree);

enum Frame {
    Seq {
        values: Vec<Value>,
        spans: Vec<SpanTree>,
        anchor: usize,
        start: Pos,
        /// The top-level `interactions` list handed item by item to an [`ItemSink`]:
        /// its values are not kept here.
        streamed: bool,
    },
    Map {
        object: serde_json::Map<String, Value>,
        spans: Vec<(Arc<str>, SpanTree)>,
        pending_key: Option<PendingKey>,
        merges: Vec<Item>,
        anchor: usize,
        start: Pos,
    },
}

/// An anchored node, with what an alias to it adds: its nodes (for the alias budget)
/// and its levels of nesting (for the depth limit).
struct Anchored {
    item: Item,
    nodes: usize,
    levels: usize,
}

struct PendingKey {
    text: Option<String>,
    span: Span,
    merge: bool,
}

/// Receives the items of the top-level `interactions` list as each one is complete, so
/// that a loader can validate and extract it and drop its value: the whole document is
/// then never held at once. The document's own value keeps an empty list there.
pub trait ItemSink {
    /// Called when the list starts, with the top-level entries read before it; returns
    /// whether to take its items (otherwise the list is kept in the document as usual).
    fn start(
        &mut self,
        top: &serde_json::Map<String, Value>,
        spans: &[(Arc<str>, SpanTree)],
    ) -> bool;
    /// One item of the list, at `index`, with its positions.
    fn item(&mut self, index: usize, value: Value, spans: &SpanTree);
}

struct Builder<'a, 's> {
    text: &'a str,
    sink: Option<&'s mut dyn ItemSink>,
    /// Whether the sink was offered a list already (only the first `interactions` is).
    offered: bool,
    limits: Limits,
    stack: Vec<Frame>,
    anchors: std::collections::HashMap<usize, Anchored, foldhash::fast::RandomState>,
    alias_nodes: usize,
    root: Option<Item>,
    documents: usize,
    problems: Vec<Problem>,
    /// Nesting level inside a collection that is being skipped for being too deep.
    skipping: usize,
    skip_start: Span,
    last_end: usize,
    events: usize,
    /// Every distinct key once: a file repeats the same few dozen keys many times over,
    /// and shared keys keep span-tree lookups in a handful of cache lines.
    keys: KeySet,
}

/// Keys are short and come from the file being read: a fast hash, not a DoS-resistant one
/// (a file's few dozen distinct keys cannot degrade it).
type KeySet = std::collections::HashSet<Arc<str>, foldhash::fast::RandomState>;

fn intern(keys: &mut KeySet, text: &str) -> Arc<str> {
    if let Some(key) = keys.get(text) {
        return Arc::clone(key);
    }
    let key: Arc<str> = Arc::from(text);
    keys.insert(Arc::clone(&key));
    key
}

pub fn parse(text: &str, limits: Limits) -> Parsed {
    parse_with(text, limits, None)
}

/// [`parse`], handing the items of the top-level `interactions` list to `sink`.
pub fn parse_with(text: &str, limits: Limits, sink: Option<&mut dyn ItemSink>) -> Parsed {
    let mut b = Builder {
        text,
        sink,
        offered: false,
        limits,
        stack: Vec::new(),
        anchors: Default::default(),
        alias_nodes: 0,
        root: None,
        documents: 0,
        problems: Vec::new(),
        skipping: 0,
        skip_start: Span::default(),
        last_end: 0,
        events: 0,
        keys: Default::default(),
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((event, raw))) => {
                let end = raw.end.index();
                if b.on_event(event, raw).is_break() {
                    return b.finish_early();
                }
                b.last_end = end;
            }
            Some(Err(err)) => {
                b.syntax_error(err);
                return b.finish_early();
            }
        }
    }
    Parsed {
        root: b.root,
        problems: b.problems,
    }
}

use std::ops::ControlFlow;

fn leaf(span: Span) -> SpanTree {
    SpanTree {
        span,
        key: Span::default(),
        children: SpanChildren::Leaf,
    }
}

impl Builder<'_, '_> {
    fn finish_early(self) -> Parsed {
        Parsed {
            root: None,
            problems: self.problems,
        }
    }

    fn syntax_error(&mut self, err: ScanError) {
        let mark = *err.marker();
        let mut span = Span::point(pos_of(mark));
        let info = err.info().to_string();
        let mut label = "here".to_string();
        let mut help = None;
        let mut unclosed = false;
        // An unterminated quoted scalar is reported at the end of the input; the
        // opening quote is what the user has to look at.
        if info.contains("quoted scalar") {
            if let Some(open) = self.opening_quote_after(self.last_end) {
                span = Span::point(open);
                label = "this quote is never closed".into();
                help = Some("close the string with the same quote character".into());
                unclosed = true;
            }
        } else if info.contains("tab") {
            help = Some("YAML indentation must use spaces, not tabs".into());
        }
        let mut kind = ProblemKind::Syntax;
        let mut message = if unclosed {
            format!(
                "YAML syntax error: a quoted string is not closed ({})",
                tidy_scan_message(&info)
            )
        } else {
            format!("YAML syntax error: {}", tidy_scan_message(&info))
        };
        if info.contains("recursion limit") {
            kind = ProblemKind::Limit;
            message = "nesting is too deep to read".into();
            label = "too deep".into();
            help = Some("an architecture file needs only a few levels of nesting".into());
        }
        self.problems.push(Problem {
            kind,
            message,
            span,
            label,
            related: None,
            help,
        });
    }

    /// The first quote character at or after char index `from` that is not in a comment.
    fn opening_quote_after(&self, from: usize) -> Option<Pos> {
        let mut line = 1u32;
        let mut col = 1u32;
        let mut in_comment = false;
        let mut prev_blank = true;
        for (i, ch) in self.text.chars().enumerate() {
            if i >= from && !in_comment && (ch == '"' || ch == '\'') {
                return Some(Pos { line, column: col });
            }
            if ch == '\n' {
                line += 1;
                col = 1;
                in_comment = false;
                prev_blank = true;
                continue;
            }
            if ch == '#' && prev_blank && i >= from {
                in_comment = true;
            }
            prev_blank = ch == ' ' || ch == '\t';
            col += 1;
        }
        None
    }

    fn on_event(&mut self, event: Event<'_>, raw: RawSpan) -> ControlFlow<()> {
        self.events += 1;
        let span = Span::from_raw(raw);
        if self.skipping > 0 {
            return self.skip_nested(&event);
        }
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => {
                ControlFlow::Continue(())
            }
            Event::DocumentStart(_) => self.start_document(span),
            Event::Alias(id) => self.expand_alias(id, span),
            Event::Scalar(value, style, anchor, tag) => {
                let scalar = resolve_scalar(&value, style, tag.as_deref());
                let plain = style == ScalarStyle::Plain;
                let item = (scalar_to_json(scalar), leaf(span));
                if anchor > 0 {
                    let anchored = Anchored {
                        item: item.clone(),
                        nodes: 1,
                        levels: 0,
                    };
                    self.anchors.insert(anchor, anchored);
                }
                self.push_item(item, plain)
            }
            Event::SequenceStart(anchor, _) => {
                let streamed = anchor == 0 && self.offer_list();
                self.open(span, || Frame::Seq {
                    values: Vec::new(),
                    spans: Vec::new(),
                    anchor,
                    start: span.start,
                    streamed,
                });
                ControlFlow::Continue(())
            }
            Event::MappingStart(anchor, _) => {
                self.open(span, || Frame::Map {
                    object: serde_json::Map::new(),
                    spans: Vec::new(),
                    pending_key: None,
                    merges: Vec::new(),
                    anchor,
                    start: span.start,
                });
                ControlFlow::Continue(())
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span),
        }
    }

    /// Inside a collection cut for being too deep: counts its nesting until it ends,
    /// then stands for the whole of it with a null.
    fn skip_nested(&mut self, event: &Event<'_>) -> ControlFlow<()> {
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => self.skipping += 1,
            Event::SequenceEnd | Event::MappingEnd => {
                self.skipping -= 1;
                if self.skipping == 0 {
                    let start = self.skip_start;
                    return self.push_item((Value::Null, leaf(start)), false);
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn start_document(&mut self, span: Span) -> ControlFlow<()> {
        self.documents += 1;
        if self.documents > 1 {
            self.problems.push(Problem {
                kind: ProblemKind::Syntax,
                message: "a commsplan file holds one YAML document; a second one starts here"
                    .into(),
                span,
                label: "second document".into(),
                related: None,
                help: Some(
                    "split the documents into separate files and pass them all to commsplan".into(),
                ),
            });
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    /// A copy of the anchored node, within the alias budget.
    fn expand_alias(&mut self, id: usize, span: Span) -> ControlFlow<()> {
        let Some(anchored) = self.anchors.get(&id) else {
            self.problems.push(Problem {
                kind: ProblemKind::Syntax,
                message: "alias refers to an unknown anchor".into(),
                span,
                label: "unknown anchor".into(),
                related: None,
                help: None,
            });
            return ControlFlow::Break(());
        };
        self.alias_nodes += anchored.nodes;
        let allowed = self
            .limits
            .max_alias_nodes
            .min(10_000 + self.events * self.limits.alias_nodes_per_event);
        if self.alias_nodes > allowed {
            self.problems.push(Problem {
                kind: ProblemKind::Limit,
                message: format!(
                    "aliases expand to more than {} nodes; refusing to expand further (a YAML alias bomb?)",
                    allowed
                ),
                span,
                label: "expansion limit reached at this alias".into(),
                related: None,
                help: Some("use fewer nested aliases; anchors are for sharing small blocks such as defaults".into()),
            });
            return ControlFlow::Break(());
        }
        // Every node written in the file is within the depth limit, but an alias copies
        // a whole anchored block to where it stands: anchors that alias each other can
        // nest thousands of levels deep, and every later walk of the value would recurse
        // that deep.
        if self.stack.len() + anchored.levels > self.limits.max_depth {
            self.problems.push(Problem {
                kind: ProblemKind::Limit,
                message: format!(
                    "this alias would nest its anchor deeper than {} levels; it is not expanded",
                    self.limits.max_depth
                ),
                span,
                label: "too deep".into(),
                related: None,
                help: Some("an architecture file needs only a few levels of nesting".into()),
            });
            return self.push_item((Value::Null, leaf(span)), false);
        }
        let (value, mut tree) = anchored.item.clone();
        tree.span = span;
        self.push_item((value, tree), false)
    }

    /// Whether a list starting now is the top-level `interactions` list (the first one
    /// written, not a duplicate) and the sink takes it.
    fn offer_list(&mut self) -> bool {
        let (Some(sink), false) = (self.sink.as_deref_mut(), self.offered) else {
            return false;
        };
        let [Frame::Map {
            object,
            spans,
            pending_key: Some(key),
            ..
        }] = self.stack.as_slice()
        else {
            return false;
        };
        if key.merge || key.text.as_deref() != Some("interactions") {
            return false;
        }
        if object.contains_key("interactions") {
            return false;
        }
        self.offered = true;
        sink.start(object, spans)
    }

    /// Starts a collection, unless it is nested too deep (then it is skipped).
    fn open(&mut self, span: Span, frame: impl FnOnce() -> Frame) {
        if !self.too_deep(span) {
            self.stack.push(frame());
        }
    }

    /// Ends the innermost collection and hands it to its parent.
    fn close(&mut self, span: Span) -> ControlFlow<()> {
        let (value, children, anchor, start) = match self.stack.pop() {
            Some(Frame::Seq {
                values,
                spans,
                anchor,
                start,
                ..
            }) => (
                Value::Array(values),
                SpanChildren::Seq(spans.into()),
                anchor,
                start,
            ),
            Some(Frame::Map {
                mut object,
                mut spans,
                merges,
                anchor,
                start,
                ..
            }) => {
                apply_merges(&mut object, &mut spans, merges);
                spans.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                (
                    Value::Object(object),
                    SpanChildren::Map(spans.into()),
                    anchor,
                    start,
                )
            }
            None => return ControlFlow::Continue(()),
        };
        let tree = SpanTree {
            span: Span {
                start,
                end: span.end,
            },
            key: Span::default(),
            children,
        };
        let item = (value, tree);
        self.remember_anchor(anchor, &item);
        self.push_item(item, false)
    }

    fn too_deep(&mut self, span: Span) -> bool {
        if self.stack.len() < self.limits.max_depth {
            return false;
        }
        self.problems.push(Problem {
            kind: ProblemKind::Limit,
            message: format!(
                "nesting is deeper than {} levels; the rest of this block is not read",
                self.limits.max_depth
            ),
            span,
            label: "too deep".into(),
            related: None,
            help: Some("an architecture file needs only a few levels of nesting".into()),
        });
        self.skipping = 1;
        self.skip_start = span;
        true
    }

    fn remember_anchor(&mut self, anchor: usize, item: &Item) {
        if anchor > 0 {
            let (nodes, levels) = item.1.size();
            let anchored = Anchored {
                item: item.clone(),
                nodes,
                levels,
            };
            self.anchors.insert(anchor, anchored);
        }
    }

    fn push_item(&mut self, item: Item, plain_scalar: bool) -> ControlFlow<()> {
        match self.stack.last_mut() {
            None => self.root = Some(item),
            Some(Frame::Seq {
                values,
                spans,
                streamed,
                ..
            }) => {
                match (&mut self.sink, *streamed) {
                    (Some(sink), true) => sink.item(spans.len(), item.0, &item.1),
                    _ => values.push(item.0),
                }
                spans.push(item.1);
            }
            Some(Frame::Map { pending_key, .. }) => match pending_key.take() {
                None => *pending_key = Some(read_key(&mut self.problems, item, plain_scalar)),
                Some(key) => self.insert_entry(key, item),
            },
        }
        ControlFlow::Continue(())
    }

    /// Adds a value to the innermost mapping under the key read before it.
    fn insert_entry(&mut self, key: PendingKey, (value, mut tree): Item) {
        let Some(text) = key.text else {
            return;
        };
        let Some(Frame::Map {
            object,
            spans,
            merges,
            ..
        }) = self.stack.last_mut()
        else {
            return;
        };
        if key.merge {
            let ok = match &value {
                Value::Object(_) => true,
                Value::Array(items) => items.iter().all(Value::is_object),
                _ => false,
            };
            if ok {
                merges.push((value, tree));
            } else {
                self.problems.push(Problem {
                    kind: ProblemKind::BadMerge,
                    message: "a merge key `<<` takes a mapping or a list of mappings".into(),
                    span: tree.span,
                    label: "not a mapping".into(),
                    related: None,
                    help: Some("write `<<: *anchor` where the anchor names a mapping".into()),
                });
            }
            return;
        }
        if text.starts_with("x-") {
            // Extension fields are for the team's own use (anchors, notes).
            return;
        }
        if object.contains_key(&text) {
            let first_span = spans
                .iter()
                .find(|(k, _)| **k == *text)
                .and_then(|(_, t)| t.key_span())
                .unwrap_or(key.span);
            self.problems.push(Problem {
                kind: ProblemKind::DuplicateKey,
                message: format!("duplicate key `{text}`"),
                span: key.span,
                label: "second occurrence".into(),
                related: Some((first_span, "first defined here".into())),
                help: Some("remove one of the two; YAML keeps neither reliably".into()),
            });
            return;
        }
        tree.set_key_span(key.span);
        spans.push((intern(&mut self.keys, &text), tree));
        object.insert(text, value);
    }
}

/// A mapping key as text; lists and mappings as keys are reported and keep no text.
fn read_key(problems: &mut Vec<Problem>, (value, tree): Item, plain_scalar: bool) -> PendingKey {
    let text = match value {
        Value::String(s) => Some(s),
        Value::Null => Some(String::new()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(_) | Value::Object(_) => {
            problems.push(Problem {
                kind: ProblemKind::ComplexKey,
                message: "mapping keys must be plain names, not lists or mappings".into(),
                span: tree.span,
                label: "complex key".into(),
                related: None,
                help: None,
            });
            None
        }
    };
    let merge = plain_scalar && text.as_deref() == Some("<<");
    PendingKey {
        text,
        span: tree.span,
        merge,
    }
}

/// Merge keys: explicit keys win, then earlier merged maps over later.
fn apply_merges(
    object: &mut serde_json::Map<String, Value>,
    spans: &mut Vec<(Arc<str>, SpanTree)>,
    merges: Vec<Item>,
) {
    for (value, tree) in merges {
        let parts: Vec<Item> = match (value, tree.children) {
            (Value::Array(values), SpanChildren::Seq(trees)) => {
                values.into_iter().zip(trees.iter().cloned()).collect()
            }
            (value, children) => vec![(value, SpanTree { children, ..tree })],
        };
        for (value, tree) in parts {
            let (Value::Object(map), SpanChildren::Map(trees)) = (value, tree.children) else {
                continue;
            };
            for (k, v) in map {
                if object.contains_key(&k) {
                    continue;
                }
                if let Ok(i) = trees.binary_search_by(|(tk, _)| (**tk).cmp(k.as_str())) {
                    spans.push((Arc::clone(&trees[i].0), trees[i].1.clone()));
                }
                object.insert(k, v);
            }
        }
    }
}

fn tidy_scan_message(info: &str) -> String {
    info.trim().trim_end_matches('.').to_string()
}

/// YAML 1.2 core schema resolution. `yes`, `no`, `on` and `off` are strings here, as
/// YAML 1.2 says (YAML 1.1 tools read them as booleans; the schema errors hint at it).
/// A string is copied rather than taken from the parser: the scanner's buffers are
/// larger than their text, and the copy is exact (a third less memory for the document).
fn resolve_scalar(value: &str, style: ScalarStyle, tag: Option<&saphyr_parser::Tag>) -> Scalar {
    if let Some(tag) = tag {
        if tag.is_yaml_core_schema() {
            return match tag.suffix.as_str() {
                "str" => Scalar::Str(value.to_string()),
                "null" => Scalar::Null,
                "bool" => resolve_plain(value)
                    .filter(|s| matches!(s, Scalar::Bool(_)))
                    .unwrap_or_else(|| Scalar::Str(value.to_string())),
                "int" => resolve_plain(value)
                    .filter(|s| matches!(s, Scalar::Int(_) | Scalar::UInt(_)))
                    .unwrap_or_else(|| Scalar::Str(value.to_string())),
                "float" => match resolve_plain(value) {
                    Some(Scalar::Int(i)) => Scalar::Float(i as f64),
                    Some(Scalar::UInt(u)) => Scalar::Float(u as f64),
                    Some(f @ Scalar::Float(_)) => f,
                    _ => Scalar::Str(value.to_string()),
                },
                _ => resolve_by_style(value, style),
            };
        }
    }
    resolve_by_style(value, style)
}

fn resolve_by_style(value: &str, style: ScalarStyle) -> Scalar {
    if style != ScalarStyle::Plain {
        return Scalar::Str(value.to_string());
    }
    resolve_plain(value).unwrap_or_else(|| Scalar::Str(value.to_string()))
}

fn resolve_plain(v: &str) -> Option<Scalar> {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Scalar::Null),
        "true" | "True" | "TRUE" => return Some(Scalar::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Scalar::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(Scalar::Float(f64::INFINITY))
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(Scalar::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(Scalar::Float(f64::NAN)),
        _ => {}
    }
    let bytes = v.as_bytes();
    if let Some(hex) = v.strip_prefix("0x") {
        if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return u64::from_str_radix(hex, 16).ok().map(int_scalar_u);
        }
        return None;
    }
    if let Some(oct) = v.strip_prefix("0o") {
        if !oct.is_empty() && oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return u64::from_str_radix(oct, 8).ok().map(int_scalar_u);
        }
        return None;
    }
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = v.parse::<i64>() {
            return Some(Scalar::Int(i));
        }
        if let Ok(u) = digits.parse::<u64>() {
            if !v.starts_with('-') {
                return Some(Scalar::UInt(u));
            }
        }
        return v.parse::<f64>().ok().map(Scalar::Float);
    }
    if is_core_float(bytes) {
        return v.parse::<f64>().ok().map(Scalar::Float);
    }
    None
}

fn int_scalar_u(u: u64) -> Scalar {
    i64::try_from(u).map_or(Scalar::UInt(u), Scalar::Int)
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_core_float(b: &[u8]) -> bool {
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - s;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return false;
        }
    }
    i == b.len()
}

/// Where each node of a document came from, addressed by JSON pointer.
///
/// Kept for the whole run, a node per value of the file, so it is kept small: the key's
/// span has no `Option` tag (a line 0 stands for none), and a collection's children are
/// shared, so an alias or a merge key refers to its anchor's nodes instead of copying them.
#[derive(Debug, Clone)]
pub struct SpanTree {
    pub span: Span,
    key: Span,
    pub children: SpanChildren,
}

#[derive(Debug, Clone)]
pub enum SpanChildren {
    Leaf,
    Seq(Arc<[SpanTree]>),
    /// Sorted by key, for binary search.
    Map(Arc<[(Arc<str>, SpanTree)]>),
}

impl SpanTree {
    /// Where the key of this node's mapping entry is written; `None` for a list item, the
    /// document's root and a mapping entry's key itself.
    pub fn key_span(&self) -> Option<Span> {
        (self.key.start.line > 0).then_some(self.key)
    }

    fn set_key_span(&mut self, key: Span) {
        // A parsed position's line is never 0; a line-0 key would read as none.
        debug_assert!(key.start.line > 0);
        self.key = key;
    }

    /// How many nodes the tree has (a mapping's keys count as nodes), and how many
    /// levels of collections it nests.
    fn size(&self) -> (usize, usize) {
        let mut nodes = 0;
        let mut levels = 0;
        let mut pending = vec![(self, 0)];
        while let Some((tree, depth)) = pending.pop() {
            nodes += 1;
            match &tree.children {
                SpanChildren::Leaf => {}
                SpanChildren::Seq(items) => {
                    levels = levels.max(depth + 1);
                    pending.extend(items.iter().map(|t| (t, depth + 1)));
                }
                SpanChildren::Map(entries) => {
                    levels = levels.max(depth + 1);
                    nodes += entries.len();
                    pending.extend(entries.iter().map(|(_, t)| (t, depth + 1)));
                }
            }
        }
        (nodes, levels)
    }

    /// The node at `pointer`, if the document has it.
    pub fn get(&self, pointer: &str) -> Option<&SpanTree> {
        let (node, rest) = self.walk(pointer);
        rest.is_none().then_some(node)
    }

    /// The deepest node on the way to `pointer`, and whether the whole way existed.
    pub fn nearest(&self, pointer: &str) -> (&SpanTree, bool) {
        let (node, rest) = self.walk(pointer);
        (node, rest.is_none())
    }

    /// [`nearest`](Self::nearest) for `base` joined with `relative` (`uses/retry`,
    /// no leading slash), without building the joined pointer.
    pub fn nearest_under(&self, base: &str, relative: &str) -> (&SpanTree, bool) {
        let (node, rest) = self.walk(base);
        if rest.is_some() || relative.is_empty() {
            return (node, rest.is_none());
        }
        let (node, rest) = node.descend(relative.split('/'));
        (node, rest.is_none())
    }

    fn walk<'a>(&'a self, pointer: &str) -> (&'a SpanTree, Option<usize>) {
        if pointer.is_empty() {
            return (self, None);
        }
        self.descend(pointer.split('/').skip(1))
    }

    fn descend<'a, 'p>(
        &'a self,
        tokens: impl Iterator<Item = &'p str>,
    ) -> (&'a SpanTree, Option<usize>) {
        let mut node = self;
        for (depth, token) in tokens.enumerate() {
            let token = unescape_pointer_token(token);
            let next = match &node.children {
                SpanChildren::Map(m) => entry(m, token.as_ref()),
                SpanChildren::Seq(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
                SpanChildren::Leaf => None,
            };
            match next {
                Some(n) => node = n,
                None => return (node, Some(depth)),
            }
        }
        (node, None)
    }
}

/// The child under `key`. Most mappings of an architecture file hold a handful of keys,
/// and the rules ask for millions of them: comparing lengths first finds a short
/// mapping's entry in fewer string comparisons than a binary search makes.
fn entry<'a>(entries: &'a [(Arc<str>, SpanTree)], key: &str) -> Option<&'a SpanTree> {
    const SCANNED: usize = 8;
    if entries.len() <= SCANNED {
        return entries
            .iter()
            .find(|(k, _)| k.len() == key.len() && **k == *key)
            .map(|(_, tree)| tree);
    }
    entries
        .binary_search_by(|(k, _)| (**k).cmp(key))
        .ok()
        .map(|i| &entries[i].1)
}

fn unescape_pointer_token(t: &str) -> std::borrow::Cow<'_, str> {
    if t.contains('~') {
        std::borrow::Cow::Owned(t.replace("~1", "/").replace("~0", "~"))
    } else {
        std::borrow::Cow::Borrowed(t)
    }
}

pub fn escape_pointer_token(t: &str) -> std::borrow::Cow<'_, str> {
    if t.contains(['~', '/']) {
        std::borrow::Cow::Owned(t.replace('~', "~0").replace('/', "~1"))
    } else {
        std::borrow::Cow::Borrowed(t)
    }
}

fn scalar_to_json(s: Scalar) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Bool(b) => Value::Bool(b),
        Scalar::Int(i) => Value::from(i),
        Scalar::UInt(u) => Value::from(u),
        // JSON has no infinities or NaN; keep the text so a type error names it.
        Scalar::Float(f) if !f.is_finite() => Value::String(f.to_string()),
        // `500.0` is the integer 500 to JSON Schema, so it is read as one: a float here
        // would pass the schema and then fail to read as a count.
        Scalar::Float(f)
            if f.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&f) =>
        {
            Value::from(f as u64)
        }
        Scalar::Float(f)
            if f.fract() == 0.0 && (-9_223_372_036_854_775_808.0..0.0).contains(&f) =>
        {
            Value::from(f as i64)
        }
        Scalar::Float(f) => Value::from(f),
        Scalar::Str(s) => Value::String(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Value {
        let p = parse(text, Limits::default());
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        p.root.unwrap().0
    }

    #[test]
    fn core_schema_scalars() {
        let v = json("a: yes\nb: true\nc: 0x1F\nd: 1.5e3\ne: ~\nf: '12'\ng: 012\nh: .5\n");
        assert_eq!(v["a"], "yes");
        assert_eq!(v["b"], true);
        assert_eq!(v["c"], 31);
        assert_eq!(v["d"], 1500.0);
        assert!(v["e"].is_null());
        assert_eq!(v["f"], "12");
        assert_eq!(v["g"], 12);
        assert_eq!(v["h"], 0.5);
    }

    #[test]
    fn integral_floats_are_integers_as_in_json_schema() {
        let v = json("a: 500.0\nb: -2.0\nc: 1e19\nd: 2.5\ne: 1e20\nf: -0.0\n");
        assert_eq!(v["a"].as_u64(), Some(500));
        assert_eq!(v["b"].as_i64(), Some(-2));
        assert_eq!(v["c"].as_u64(), Some(10_000_000_000_000_000_000));
        assert_eq!(v["d"].as_f64(), Some(2.5));
        // Beyond every integer type: stays a number, for the schema's range to report.
        assert!(v["e"].is_f64());
        assert_eq!(v["f"].as_u64(), Some(0));
    }

    #[test]
    fn merge_keys_explicit_wins() {
        let v = json("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        assert_eq!(v["m"]["x"], 1);
        assert_eq!(v["m"]["y"], 3);
    }

    #[test]
    fn extension_keys_are_dropped() {
        let v = json("x-defaults: &d {a: 1}\nk: *d\n");
        assert!(v.get("x-defaults").is_none());
        assert_eq!(v["k"]["a"], 1);
    }

    #[test]
    fn duplicate_key_points_at_second() {
        let p = parse("a: 1\nb: 2\na: 3\n", Limits::default());
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].kind, ProblemKind::DuplicateKey);
        assert_eq!(p.problems[0].span.start, Pos { line: 3, column: 1 });
    }

    #[test]
    fn spans_by_pointer() {
        let p = parse("a:\n  - x: 1\n    y: [1, 2]\n", Limits::default());
        let (_, spans) = p.root.unwrap();
        let n = spans.get("/a/0/y/1").unwrap();
        assert_eq!(
            n.span.start,
            Pos {
                line: 3,
                column: 12
            }
        );
        let k = spans.get("/a/0/y").unwrap();
        assert_eq!(k.key_span().unwrap().start, Pos { line: 3, column: 5 });
        assert!(spans.get("/a/0/z").is_none());
        assert_eq!(spans.nearest("/a/0/z/q").0.span.start.line, 2);
    }

    #[test]
    fn alias_bomb_is_stopped() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let p = parse(&text, Limits::default());
        assert!(p.root.is_none());
        assert_eq!(p.problems[0].kind, ProblemKind::Limit);
    }

    fn levels(value: &Value) -> usize {
        let mut deepest = 0;
        let mut pending = vec![(value, 0)];
        while let Some((v, depth)) = pending.pop() {
            let children: Vec<&Value> = match v {
                Value::Array(items) => items.iter().collect(),
                Value::Object(map) => map.values().collect(),
                _ => continue,
            };
            deepest = deepest.max(depth + 1);
            pending.extend(children.into_iter().map(|c| (c, depth + 1)));
        }
        deepest
    }

    #[test]
    fn aliases_cannot_nest_deeper_than_the_limit() {
        // Each anchor holds the one before it ten levels down: written, no line is deeper
        // than 13 levels, expanded the last one would be 2,000 deep.
        let mut text = String::from(
            "a0: &a0 [x]
",
        );
        for i in 1..200 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} {}*a{prev}{}\n",
                "[".repeat(10),
                "]".repeat(10)
            ));
        }
        let p = parse(&text, Limits::default());
        let limit = p
            .problems
            .iter()
            .find(|problem| problem.kind == ProblemKind::Limit)
            .expect("an alias too deep is reported");
        // a0 is 1 level, a1 11, ... a6 61 deep at the top level; a7 would be 71.
        assert_eq!(
            limit.span.start,
            Pos {
                line: 8,
                column: 19
            }
        );
        let (value, _) = p.root.expect("the rest of the file is read");
        assert_eq!(levels(&value), 62);
    }

    #[test]
    fn deep_nesting_is_cut() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let p = parse(&text, Limits::default());
        assert_eq!(p.problems[0].kind, ProblemKind::Limit);
    }
}
