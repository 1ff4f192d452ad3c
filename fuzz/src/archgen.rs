//! Architecture files built from fuzzer bytes: every key of the format, hostile names,
//! anchors, aliases and merge keys, block and flow style, and now and then a wrong type
//! or an unknown key. Most of what it writes loads, so the rules and every output format
//! are reached, not only the parser.
//!
//! Used by the `architecture` fuzz target and by the main crate's property tests.

use arbitrary::Unstructured;
use std::fmt::Write as _;

#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Num,
    Str,
    Service,
    Rule,
    Date,
    Enum(&'static [&'static str]),
    Obj(&'static [(&'static str, Kind)]),
    SuppressList,
}

const PATTERNS: &[&str] = &["sync", "sync-optimized", "cqrs", "queue", "stream"];
const RETRY: &[(&str, Kind)] = &[
    ("max_attempts", Kind::Int),
    ("backoff", Kind::Enum(&["none", "fixed", "exponential"])),
    ("base_ms", Kind::Int),
    ("max_ms", Kind::Int),
    ("jitter", Kind::Bool),
];
const BREAKER: &[(&str, Kind)] = &[
    ("failure_rate_percent", Kind::Num),
    ("min_calls", Kind::Int),
    ("open_ms", Kind::Int),
    ("half_open_calls", Kind::Int),
];
const POOL: &[(&str, Kind)] = &[
    ("keep_alive", Kind::Bool),
    ("max_connections", Kind::Int),
    ("max_idle", Kind::Int),
    ("idle_timeout_ms", Kind::Int),
];
const USES: &[(&str, Kind)] = &[
    ("pattern", Kind::Enum(PATTERNS)),
    (
        "protocol",
        Kind::Enum(&[
            "rest",
            "grpc",
            "graphql",
            "amqp",
            "kafka",
            "sqs",
            "eventbridge",
            "nats",
        ]),
    ),
    ("channel", Kind::Str),
    ("timeout_ms", Kind::Int),
    ("retry", Kind::Obj(RETRY)),
    ("circuit_breaker", Kind::Obj(BREAKER)),
    ("pool", Kind::Obj(POOL)),
    ("cache", Kind::Obj(&[("ttl_ms", Kind::Int)])),
    (
        "batch",
        Kind::Obj(&[("max_size", Kind::Int), ("max_wait_ms", Kind::Int)]),
    ),
    (
        "compression",
        Kind::Enum(&["none", "gzip", "br", "zstd", "snappy", "lz4"]),
    ),
    ("compression_min_bytes", Kind::Int),
    (
        "rate_limit",
        Kind::Obj(&[("rps", Kind::Num), ("burst", Kind::Int)]),
    ),
    (
        "bulkhead",
        Kind::Obj(&[("max_concurrent", Kind::Int), ("max_queue", Kind::Int)]),
    ),
    (
        "dead_letter",
        Kind::Obj(&[("after_attempts", Kind::Int), ("channel", Kind::Str)]),
    ),
    ("ttl_ms", Kind::Int),
    ("max_queue_length", Kind::Int),
    (
        "overflow",
        Kind::Enum(&["drop-head", "reject-publish", "reject-publish-dlx", "block"]),
    ),
    (
        "consumers",
        Kind::Obj(&[("min", Kind::Int), ("max", Kind::Int)]),
    ),
    (
        "idempotency",
        Kind::Obj(&[("key", Kind::Str), ("consumer", Kind::Bool)]),
    ),
    ("partition_key", Kind::Str),
    ("fifo", Kind::Bool),
    (
        "serialization",
        Kind::Enum(&["json", "protobuf", "avro", "msgpack"]),
    ),
    ("metrics", Kind::Bool),
];
const NEEDS: &[(&str, Kind)] = &[
    ("realtime", Kind::Bool),
    ("consistency", Kind::Enum(&["strong", "eventual"])),
    ("can_wait", Kind::Bool),
    ("ordering", Kind::Bool),
];
const TRAFFIC: &[(&str, Kind)] = &[
    ("rps", Kind::Num),
    ("payload_bytes", Kind::Int),
    ("consumers", Kind::Int),
    ("processing_ms", Kind::Num),
];
const SUPPRESSION: &[(&str, Kind)] = &[
    ("rule", Kind::Rule),
    ("reason", Kind::Str),
    ("until", Kind::Date),
    ("by", Kind::Str),
    ("target", Kind::Service),
];
const SERVICE: &[(&str, Kind)] = &[
    (
        "kind",
        Kind::Enum(&["client", "gateway", "service", "worker", "external"]),
    ),
    (
        "language",
        Kind::Enum(&["typescript", "go", "java", "python", "rust"]),
    ),
    ("owner", Kind::Str),
    ("description", Kind::Str),
    (
        "slo",
        Kind::Obj(&[("availability", Kind::Num), ("latency_p99_ms", Kind::Num)]),
    ),
    ("suppress", Kind::SuppressList),
];
const INTERACTION_REST: &[(&str, Kind)] = &[
    ("summary", Kind::Str),
    ("idempotent", Kind::Bool),
    ("needs", Kind::Obj(NEEDS)),
    ("traffic", Kind::Obj(TRAFFIC)),
    ("uses", Kind::Obj(USES)),
    ("suppress", Kind::SuppressList),
];

/// Names that have broken tools before: quotes, markup, workflow-command syntax, path
/// tricks, terminal escapes, bidirectional overrides, line breaks, YAML's own syntax.
const HOSTILE: &[&str] = &[
    "",
    " ",
    "a\"b",
    "it's",
    "<script>alert(1)</script>",
    "]]></failure><x>",
    "&amp;&lt;",
    "::error::forged",
    "%0A::warning::x",
    "a,b=c::d",
    "../../etc/passwd",
    "/abs/path",
    "C:\\win",
    "con",
    "\u{1b}[31mred\u{1b}[0m",
    "\u{202e}txt.exe",
    "line\nbreak",
    "tab\there",
    "cr\rlf",
    "\u{0}nul",
    "\u{85}next",
    "\u{2028}sep",
    "emoji-\u{1F600}",
    "日本語",
    "- dash",
    "key: value",
    "# comment",
    "*alias",
    "&anchor",
    "<<",
    "x-ext",
    "null",
    "~",
    "true",
    "0x1F",
    "1e400",
    "${{ secrets.X }}",
    "{{ handlebars }}",
    "`backtick`",
    "|pipe|",
    "a\\nb",
    "\u{feff}bom",
];
const PLAIN_NAMES: &[&str] = &[
    "order",
    "inventory",
    "payment",
    "gateway",
    "web",
    "ship-ping",
    "user.db",
    "a_b",
    "q9",
];
const RULES: &[&str] = &[
    "S001", "S003", "D001", "M011", "A001", "A004", "R001", "G001", "G004", "O001", "S", "G",
    "X999", "",
];
const TYPOS: &[&str] = &[
    "timout_ms",
    "retries",
    "patern",
    "servces",
    "x-note",
    "x-defaults",
];

/// Reads choices from the fuzzer's bytes; once they run out every choice is the first.
struct Gen<'a, 'b> {
    u: &'b mut Unstructured<'a>,
    /// Off for about a third of the files: no wrong types, odd numbers, typos, duplicate
    /// keys or mismatched aliases, so that those files reach the rules.
    noisy: bool,
    /// Each anchor's name and what it holds, so that an alias can stand where a node of
    /// the same kind would.
    anchors: Vec<(String, String)>,
    next_anchor: usize,
    services: Vec<String>,
}

impl Gen<'_, '_> {
    fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        self.u.int_in_range(0..=n - 1).unwrap_or(0)
    }
    fn one_in(&mut self, n: u8) -> bool {
        self.u.ratio(1, n).unwrap_or(false)
    }
    /// A mistake, one time in `n`, in noisy files only.
    fn mistake(&mut self, n: u8) -> bool {
        self.noisy && self.one_in(n)
    }
    fn pick<'s>(&mut self, items: &[&'s str]) -> &'s str {
        items[self.below(items.len())]
    }
    fn name(&mut self) -> String {
        if self.one_in(if self.noisy { 4 } else { 12 }) {
            self.pick(HOSTILE).to_string()
        } else {
            self.pick(PLAIN_NAMES).to_string()
        }
    }
}

enum Node {
    /// Already written as YAML (quoted or plain).
    Scalar(String),
    Map(Vec<(String, Node)>),
    Seq(Vec<Node>),
    Alias(String),
    Anchored(String, Box<Node>),
}

/// One architecture file as YAML text.
pub fn architecture(u: &mut Unstructured<'_>) -> String {
    let noisy = !u.ratio(1, 3).unwrap_or(false);
    let mut g = Gen {
        u,
        noisy,
        anchors: Vec::new(),
        next_anchor: 0,
        services: Vec::new(),
    };
    let doc = document(&mut g);
    let mut out = String::new();
    if g.one_in(8) {
        out.push_str("# yaml-language-server: $schema=commsplan.schema.json\n---\n");
    }
    let flow = g.one_in(6);
    emit(&mut g, &doc, 0, flow, &mut out);
    out.push('\n');
    out
}

fn document(g: &mut Gen<'_, '_>) -> Node {
    let mut top = Vec::new();
    let version = if g.mistake(16) { "2" } else { "1" };
    top.push(("version".to_string(), Node::Scalar(version.into())));
    if !g.mistake(16) {
        let system = g.name();
        top.push(("system".into(), Node::Scalar(quote(g, &system))));
    }
    if g.one_in(3) {
        top.push(("description".into(), value(g, Kind::Str, 0)));
    }
    if g.one_in(4) {
        let defaults = object(g, USES, 1);
        let tag = tag_of(Kind::Obj(USES));
        top.push(("defaults".into(), anchor(g, defaults, tag)));
    }
    let count = 1 + g.below(6);
    let mut services = Vec::new();
    for _ in 0..count {
        let name = g.name();
        g.services.push(name.clone());
        let body = if g.one_in(4) {
            Node::Map(Vec::new())
        } else {
            object(g, SERVICE, 1)
        };
        services.push((quote(g, &name), body));
    }
    top.push(("services".into(), Node::Map(services)));
    let count = g.below(10);
    let items = (0..count).map(|i| interaction(g, i)).collect();
    top.push(("interactions".into(), Node::Seq(items)));
    if g.one_in(3) {
        top.push(("suppress".into(), value(g, Kind::SuppressList, 1)));
    }
    if g.mistake(6) {
        let key = g.pick(TYPOS).to_string();
        top.push((key, Node::Scalar("1".into())));
    }
    if g.mistake(8) {
        let at = g.below(top.len());
        top.swap(0, at);
    }
    Node::Map(top)
}

fn interaction(g: &mut Gen<'_, '_>, index: usize) -> Node {
    let mut fields = Vec::new();
    let id = if g.one_in(6) {
        g.name()
    } else {
        format!("call-{index}")
    };
    fields.push(("id".to_string(), Node::Scalar(quote(g, &id))));
    for key in ["from", "to"] {
        if !g.mistake(20) {
            fields.push((key.into(), value(g, Kind::Service, 1)));
        }
    }
    if let Node::Map(rest) = object(g, INTERACTION_REST, 1) {
        fields.extend(rest);
    }
    Node::Map(fields)
}

/// A mapping with a random subset of `fields`, sometimes with a merge key, an unknown
/// key or an `x-` extension.
fn object(g: &mut Gen<'_, '_>, fields: &'static [(&'static str, Kind)], depth: usize) -> Node {
    let mut entries = Vec::new();
    if g.one_in(6) {
        let tag = if g.mistake(4) {
            None
        } else {
            Some(tag_of(Kind::Obj(fields)))
        };
        if let Some(i) = some_anchor(g, tag.as_deref()) {
            entries.push(("<<".to_string(), Node::Alias(g.anchors[i].0.clone())));
        }
    }
    for &(key, kind) in fields {
        if g.one_in(2) {
            let v = value(g, kind, depth + 1);
            entries.push((key.to_string(), v));
        }
    }
    if g.mistake(12) {
        let key = g.pick(TYPOS).to_string();
        let v = value(g, Kind::Int, depth + 1);
        entries.push((key, v));
    }
    if g.mistake(16) && !entries.is_empty() {
        // A duplicate key.
        let key = entries[0].0.clone();
        entries.push((key, Node::Scalar("1".into())));
    }
    Node::Map(entries)
}

/// An anchor defined so far holding `tag` (any anchor when `None`).
fn some_anchor(g: &mut Gen<'_, '_>, tag: Option<&str>) -> Option<usize> {
    let candidates: Vec<usize> = (0..g.anchors.len())
        .filter(|&i| tag.is_none_or(|t| g.anchors[i].1 == t))
        .collect();
    if candidates.is_empty() {
        return None;
    }
    Some(candidates[g.below(candidates.len())])
}

/// What an anchor of a node of `kind` holds: objects by their field list.
fn tag_of(kind: Kind) -> String {
    match kind {
        Kind::Obj(fields) => format!("obj{:p}", fields.as_ptr()),
        Kind::Enum(options) => format!("enum{:p}", options.as_ptr()),
        Kind::Bool => "bool".into(),
        Kind::Int => "int".into(),
        Kind::Num => "num".into(),
        Kind::Str | Kind::Service => "str".into(),
        Kind::Rule => "rule".into(),
        Kind::Date => "date".into(),
        Kind::SuppressList => "suppress".into(),
    }
}

fn anchor(g: &mut Gen<'_, '_>, node: Node, tag: String) -> Node {
    let name = format!("a{}", g.next_anchor);
    g.next_anchor += 1;
    g.anchors.push((name.clone(), tag));
    Node::Anchored(name, Box::new(node))
}

fn value(g: &mut Gen<'_, '_>, kind: Kind, depth: usize) -> Node {
    if g.one_in(12) {
        let tag = if g.mistake(4) {
            None
        } else {
            Some(tag_of(kind))
        };
        if let Some(i) = some_anchor(g, tag.as_deref()) {
            return Node::Alias(g.anchors[i].0.clone());
        }
    }
    // Now and then the wrong type, to reach the schema's errors.
    let kind = if g.mistake(20) {
        [Kind::Bool, Kind::Int, Kind::Str, Kind::Obj(&[])][g.below(4)]
    } else {
        kind
    };
    let node = match kind {
        Kind::Bool => Node::Scalar(g.pick(&["true", "false"]).into()),
        Kind::Int => Node::Scalar(int(g)),
        Kind::Num => Node::Scalar(number(g)),
        Kind::Str => {
            let s = g.name();
            Node::Scalar(quote(g, &s))
        }
        Kind::Service => {
            let s = if !g.services.is_empty() && !g.one_in(8) {
                let at = g.below(g.services.len());
                g.services[at].clone()
            } else {
                g.name()
            };
            Node::Scalar(quote(g, &s))
        }
        Kind::Rule => Node::Scalar(g.pick(RULES).into()),
        Kind::Date => Node::Scalar(
            g.pick(&["2000-01-01", "2999-12-31", "2024-02-30", "soon"])
                .into(),
        ),
        Kind::Enum(options) => {
            let s = if g.mistake(16) {
                "bogus"
            } else {
                g.pick(options)
            };
            Node::Scalar(s.to_string())
        }
        Kind::Obj(fields) => object(g, fields, depth),
        Kind::SuppressList => {
            let n = g.below(3);
            Node::Seq((0..n).map(|_| object(g, SUPPRESSION, depth + 1)).collect())
        }
    };
    if g.one_in(10) && depth < 6 {
        let tag = tag_of(kind);
        return anchor(g, node, tag);
    }
    node
}

fn int(g: &mut Gen<'_, '_>) -> String {
    if !g.noisy {
        return g.u.int_in_range(1..=30_000u32).unwrap_or(1).to_string();
    }
    match g.below(8) {
        0 => "0".into(),
        1 => "-1".into(),
        2 => "18446744073709551616".into(),
        3 => "4294967295".into(),
        _ => (g.u.int_in_range(1..=100_000u32).unwrap_or(1)).to_string(),
    }
}

fn number(g: &mut Gen<'_, '_>) -> String {
    if !g.noisy {
        return g.u.int_in_range(1..=999u32).unwrap_or(1).to_string();
    }
    match g.below(8) {
        0 => "0.0".into(),
        1 => ".nan".into(),
        2 => ".inf".into(),
        3 => "99.999".into(),
        4 => "1e308".into(),
        _ => (g.u.int_in_range(0..=10_000u32).unwrap_or(0)).to_string(),
    }
}

/// A YAML scalar for `s`: plain when that reads back as the same string, else one of the
/// quoted styles.
fn quote(g: &mut Gen<'_, '_>, s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && !matches!(s, "true" | "false" | "null" | "yes" | "no" | "on" | "off");
    if plain && !g.one_in(4) {
        return s.to_string();
    }
    if !s
        .chars()
        .any(|c| c.is_control() || c == '\'' || !is_printable(c))
        && g.one_in(3)
    {
        return format!("'{s}'");
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if !is_printable(c) || c.is_control() => {
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn is_printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
        && c != '\u{FEFF}'
}

fn emit(g: &mut Gen<'_, '_>, node: &Node, indent: usize, flow: bool, out: &mut String) {
    match node {
        Node::Scalar(s) => out.push_str(s),
        Node::Alias(a) => {
            out.push('*');
            out.push_str(a);
        }
        Node::Anchored(a, inner) => {
            out.push('&');
            out.push_str(a);
            let nested_block = !flow && is_nonempty_collection(inner);
            if nested_block {
                emit_block_child(g, inner, indent, out);
            } else {
                out.push(' ');
                emit(g, inner, indent, flow, out);
            }
        }
        Node::Map(entries) if flow || entries.is_empty() => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push_str(": ");
                emit(g, v, indent, true, out);
            }
            out.push('}');
        }
        Node::Seq(items) if flow || items.is_empty() => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                emit(g, v, indent, true, out);
            }
            out.push(']');
        }
        Node::Map(entries) => {
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    newline(out, indent);
                }
                out.push_str(k);
                out.push(':');
                if is_nonempty_collection(v) {
                    emit_block_child(g, v, indent, out);
                } else {
                    out.push(' ');
                    emit(g, v, indent + 2, false, out);
                }
            }
        }
        Node::Seq(items) => {
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    newline(out, indent);
                }
                out.push('-');
                if is_nonempty_collection(v) {
                    emit_block_child(g, v, indent, out);
                } else {
                    out.push(' ');
                    emit(g, v, indent + 2, false, out);
                }
            }
        }
    }
}

/// A collection under a key or a dash: in flow style on the same line, or in block style
/// on the next lines, indented.
fn emit_block_child(g: &mut Gen<'_, '_>, node: &Node, indent: usize, out: &mut String) {
    if g.one_in(5) {
        out.push(' ');
        emit(g, node, indent + 2, true, out);
    } else {
        newline(out, indent + 2);
        emit(g, node, indent + 2, false, out);
    }
}

fn is_nonempty_collection(node: &Node) -> bool {
    match node {
        Node::Map(e) => !e.is_empty(),
        Node::Seq(s) => !s.is_empty(),
        _ => false,
    }
}

fn newline(out: &mut String, indent: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent));
}
