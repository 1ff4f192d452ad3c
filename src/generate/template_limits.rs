//! Limits that keep a user's template from running away: a size cap on the file read,
//! include cycles found before anything renders, a cap on nesting (blocks and
//! includes), on loop iterations and on the size of the output. Built-in templates are
//! held to the same limits; they stay far below them.

use anyhow::{bail, Result};
use handlebars::template::{Parameter, TemplateElement};
use handlebars::{
    BlockContext, BlockParams, Context, Handlebars, Helper, HelperDef, HelperResult, Output,
    PathAndJson, RenderContext, RenderError, RenderErrorReason, Renderable as _, Template,
};
use serde_json::Value;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Largest template file read from `--templates` (the built-in ones are under 16 KiB).
pub const MAX_TEMPLATE_BYTES: u64 = 256 * 1024;
/// Deepest nesting of blocks and includes, counted along every include chain.
pub const MAX_DEPTH: usize = 64;
/// Loop iterations allowed per file: a base, plus a few per value of the data, so that
/// templates that walk the data once or twice never come near it.
const LOOP_BASE: u64 = 1_000_000;
const LOOPS_PER_VALUE: u64 = 16;
/// Output allowed per file: a base, plus a multiple of the data's size.
const OUTPUT_BASE: usize = 16 << 20;
const OUTPUT_PER_DATA_BYTE: usize = 16;

/// Reads a template file: a regular file (after links), at most `MAX_TEMPLATE_BYTES`,
/// UTF-8.
pub fn read_template(path: &Path) -> Result<String> {
    use crate::source_io::{read_capped, ReadError};
    let bytes = match read_capped(path, MAX_TEMPLATE_BYTES) {
        Ok(bytes) => bytes,
        Err(ReadError::NotRegular { .. }) => bail!("{}: not a regular file", path.display()),
        Err(ReadError::TooLarge { .. }) => bail!(
            "{}: larger than {} KiB, the limit for a template",
            path.display(),
            MAX_TEMPLATE_BYTES / 1024
        ),
        Err(e) => bail!("cannot read {}: {e}", path.display()),
    };
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// Where an include is written: the including template (or inline partial) and the line
/// and column of the `{{> …}}`.
#[derive(Debug, Clone)]
struct Include {
    to: String,
    line: usize,
    column: usize,
}

/// What one template (or inline partial) includes, and how deep its blocks nest at
/// each include and in all.
#[derive(Debug, Default)]
struct Node {
    /// The template the node is written in (itself, for a template).
    file_of: String,
    includes: Vec<(Include, usize)>,
    depth: usize,
    /// Line and column of the deepest block.
    deepest: (usize, usize),
}

/// The include graph of the templates of one registry, with inline partials as nodes of
/// their own (by name, as Handlebars resolves them).
struct Graph {
    nodes: BTreeMap<String, Node>,
}

impl Graph {
    fn walk(&mut self, file: &str, owner: &str, t: &Template, depth: usize) -> Result<(), String> {
        for (i, e) in t.elements.iter().enumerate() {
            let (line, column) = t.mapping.get(i).map(|m| (m.0, m.1)).unwrap_or((0, 0));
            let node = self.nodes.entry(owner.to_string()).or_default();
            node.file_of = file.to_string();
            if depth > node.depth {
                node.depth = depth;
                node.deepest = (line, column);
            }
            if depth > MAX_DEPTH {
                return Err(format!(
                    "{line}:{column}: blocks nest deeper than {MAX_DEPTH} levels"
                ));
            }
            match e {
                TemplateElement::HelperBlock(h) => {
                    for inner in [&h.template, &h.inverse].into_iter().flatten() {
                        self.walk(file, owner, inner, depth + 1)?;
                    }
                }
                TemplateElement::DecoratorBlock(d) if d.name.as_name() == Some("inline") => {
                    let Some(name) = d.params.first().and_then(literal_name) else {
                        return Err(format!(
                            "{line}:{column}: an inline partial needs a quoted name"
                        ));
                    };
                    if let Some(inner) = &d.template {
                        self.walk(file, &name, inner, 0)?;
                    }
                }
                TemplateElement::DecoratorBlock(d) => {
                    if let Some(inner) = &d.template {
                        self.walk(file, owner, inner, depth + 1)?;
                    }
                }
                TemplateElement::PartialExpression(d) | TemplateElement::PartialBlock(d) => {
                    let Some(to) = literal_name(&d.name) else {
                        return Err(format!(
                            "{line}:{column}: a partial's name must be written out, so that include cycles can be found before rendering"
                        ));
                    };
                    // `@partial-block` renders the caller's block, which is checked where
                    // it is written.
                    if to != "@partial-block" {
                        let include = Include { to, line, column };
                        let node = self.nodes.entry(owner.to_string()).or_default();
                        node.includes.push((include, depth));
                    }
                    if let Some(inner) = &d.template {
                        self.walk(file, owner, inner, depth + 1)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The first include cycle, as the chain of includes that closes it.
    fn cycle(&self) -> Option<Vec<(String, Include)>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            Open,
            Done,
        }
        let mut marks: BTreeMap<&str, Mark> = BTreeMap::new();
        // Iterative depth-first search: a template's includes may chain far.
        for start in self.nodes.keys() {
            if marks.contains_key(start.as_str()) {
                continue;
            }
            let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
            marks.insert(start, Mark::Open);
            while let Some(&mut (name, ref mut next)) = stack.last_mut() {
                let includes = self.nodes.get(name).map(|n| &n.includes[..]).unwrap_or(&[]);
                let Some((inc, _)) = includes.get(*next) else {
                    marks.insert(name, Mark::Done);
                    stack.pop();
                    continue;
                };
                *next += 1;
                match marks.get(inc.to.as_str()) {
                    Some(Mark::Open) => {
                        let from = stack.iter().position(|(n, _)| *n == inc.to).unwrap_or(0);
                        let chain = stack[from..]
                            .iter()
                            .map(|(n, i)| {
                                let inc = &self.nodes[*n].includes[i - 1].0;
                                (n.to_string(), inc.clone())
                            })
                            .collect();
                        return Some(chain);
                    }
                    Some(Mark::Done) => {}
                    None if self.nodes.contains_key(inc.to.as_str()) => {
                        marks.insert(&inc.to, Mark::Open);
                        stack.push((&inc.to, 0));
                    }
                    None => {}
                }
            }
        }
        None
    }

    /// The deepest nesting along any include chain from `name` (the graph has no
    /// cycle), memoised.
    fn total_depth<'a>(&'a self, name: &'a str, memo: &mut BTreeMap<&'a str, usize>) -> usize {
        if let Some(&d) = memo.get(name) {
            return d;
        }
        let Some(node) = self.nodes.get(name) else {
            return 0;
        };
        // Recursion is bounded: every step goes one include further down an acyclic
        // chain, and each include adds at least one level, capped at MAX_DEPTH below.
        let mut d = node.depth;
        for (inc, at) in &node.includes {
            d = d.max(at + 1 + self.total_depth(&inc.to, memo));
            if d > MAX_DEPTH {
                break;
            }
        }
        memo.insert(name, d);
        d
    }
}

fn literal_name(p: &Parameter) -> Option<String> {
    match p {
        Parameter::Literal(Value::String(s)) => Some(s.clone()),
        Parameter::Name(_) | Parameter::Path(_) => p.as_name().map(str::to_string),
        _ => None,
    }
}

/// Checks the compiled templates of one registry: no include cycle, no nesting beyond
/// `MAX_DEPTH` along any chain. `describe` names a template's file for messages.
pub fn check_includes(
    templates: &[(&str, &Template)],
    describe: impl Fn(&str) -> String,
) -> Result<()> {
    let mut graph = Graph {
        nodes: BTreeMap::new(),
    };
    for (name, t) in templates {
        graph
            .walk(name, name, t, 0)
            .map_err(|e| anyhow::anyhow!("{}:{e} (template {name})", describe(name)))?;
    }
    if let Some(chain) = graph.cycle() {
        let (first, inc) = &chain[0];
        let file = &graph.nodes[first].file_of;
        let steps: Vec<String> = chain
            .iter()
            .map(|(from, inc)| {
                format!(
                    "{from} includes {} at {}:{}:{}",
                    inc.to,
                    describe(&graph.nodes[from].file_of),
                    inc.line,
                    inc.column
                )
            })
            .collect();
        bail!(
            "{}:{}:{}: template {file}: include cycle: {}",
            describe(file),
            inc.line,
            inc.column,
            steps.join("; ")
        );
    }
    let mut memo = BTreeMap::new();
    let names: BTreeSet<&str> = graph.nodes.keys().map(String::as_str).collect();
    for name in names {
        if graph.total_depth(name, &mut memo) > MAX_DEPTH {
            let node = &graph.nodes[name];
            bail!(
                "{}:{}:{}: template {}: blocks and includes nest deeper than {MAX_DEPTH} levels",
                describe(&node.file_of),
                node.deepest.0,
                node.deepest.1,
                node.file_of
            );
        }
    }
    Ok(())
}

thread_local! {
    /// Loop iterations left for the file being rendered on this thread.
    static LOOPS_LEFT: Cell<u64> = const { Cell::new(u64::MAX) };
}

/// The limits of rendering one file with `data`.
pub struct RenderLimits {
    pub loops: u64,
    pub output_bytes: usize,
}

impl RenderLimits {
    pub fn for_data(data: &Value) -> RenderLimits {
        let (values, bytes) = measure(data);
        RenderLimits {
            loops: LOOP_BASE.saturating_add(values.saturating_mul(LOOPS_PER_VALUE)),
            output_bytes: OUTPUT_BASE.saturating_add(bytes.saturating_mul(OUTPUT_PER_DATA_BYTE)),
        }
    }
}

/// How many values `data` holds and about how many bytes it would take as JSON.
fn measure(data: &Value) -> (u64, usize) {
    let mut stack = vec![data];
    let (mut values, mut bytes) = (0u64, 0usize);
    while let Some(v) = stack.pop() {
        values += 1;
        bytes += match v {
            Value::String(s) => s.len() + 2,
            Value::Array(a) => {
                stack.extend(a.iter());
                2
            }
            Value::Object(o) => {
                stack.extend(o.values());
                bytes += o.keys().map(|k| k.len() + 4).sum::<usize>();
                2
            }
            _ => 8,
        };
    }
    (values, bytes)
}

/// Runs `f` with `loops` iterations allowed to `{{#each}}` on this thread.
pub fn with_loop_budget<T>(loops: u64, f: impl FnOnce() -> T) -> T {
    let before = LOOPS_LEFT.with(|l| l.replace(loops));
    let out = f();
    LOOPS_LEFT.with(|l| l.set(before));
    out
}

fn charge(n: usize) -> Result<(), RenderError> {
    LOOPS_LEFT.with(|l| {
        let left = l.get();
        match left.checked_sub(n as u64) {
            Some(rest) => {
                l.set(rest);
                Ok(())
            }
            None => Err(RenderErrorReason::Other(
                "the template's loops ran more iterations than the data can need; look for nested `#each` over the same lists".into(),
            )
            .into()),
        }
    })
}

/// Handlebars' own `{{#each}}`, with every iteration counted against the file's loop
/// budget. The crate gives no hook for that, so this is its helper (handlebars 6.4)
/// with the count added; `@index`, `@key`, `@first`, `@last`, block parameters and
/// `{{else}}` behave as there.
pub struct CountedEach;

impl HelperDef for CountedEach {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let value = h
            .param(0)
            .ok_or(RenderErrorReason::ParamNotFoundForIndex("each", 0))?;
        let Some(t) = h.template() else {
            return Ok(());
        };
        let items: Vec<(Value, &Value)> = match value.value() {
            Value::Array(list) if !list.is_empty() || h.inverse().is_none() => list
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::from(i), v))
                .collect(),
            Value::Object(obj) if !obj.is_empty() || h.inverse().is_none() => obj
                .iter()
                .map(|(k, v)| (Value::String(k.clone()), v))
                .collect(),
            _ => {
                return match h.inverse() {
                    Some(else_template) => else_template.render(r, ctx, rc, out),
                    None if r.strict_mode() => {
                        Err(RenderError::strict_error(value.relative_path()))
                    }
                    None => Ok(()),
                };
            }
        };
        charge(items.len())?;
        let is_object = value.value().is_object();
        rc.push_block(block_of(value));
        let base_path = value.context_path();
        let len = items.len();
        for (i, (key, v)) in items.into_iter().enumerate() {
            if let Some(block) = rc.block_mut() {
                let is_first = i == 0;
                block.set_local_var("first", Value::Bool(is_first));
                block.set_local_var("last", Value::Bool(i == len - 1));
                if is_object {
                    block.set_local_var("key", key.clone());
                }
                block.set_local_var("index", Value::from(i));
                let segment = match &key {
                    Value::String(k) => k.clone(),
                    _ => i.to_string(),
                };
                match base_path {
                    Some(p) if is_first => {
                        let mut path = p.clone();
                        path.push(segment);
                        *block.base_path_mut() = path;
                    }
                    Some(_) => {
                        if let Some(last) = block.base_path_mut().last_mut() {
                            *last = segment;
                        }
                    }
                    None => block.set_base_value(v.clone()),
                }
                set_block_params(block, h, base_path.is_some(), &key, v)?;
            }
            t.render(r, ctx, rc, out)?;
        }
        rc.pop_block();
        Ok(())
    }
}

fn block_of<'rc>(param: &PathAndJson<'rc>) -> BlockContext<'rc> {
    let mut block = BlockContext::new();
    match param.context_path() {
        Some(path) => block.base_path_mut().clone_from(path),
        None => block.set_base_value(param.value().clone()),
    }
    block
}

fn set_block_params<'rc>(
    block: &mut BlockContext<'rc>,
    h: &Helper<'rc>,
    by_path: bool,
    key: &Value,
    v: &Value,
) -> Result<(), RenderError> {
    let (value_name, key_name) = match (h.block_param(), h.block_param_pair()) {
        (Some(v), _) => (v, None),
        (None, Some((v, k))) => (v, Some(k)),
        (None, None) => return Ok(()),
    };
    let mut params = BlockParams::new();
    if by_path {
        params.add_path(value_name, Vec::new())?;
    } else {
        params.add_value(value_name, v.clone())?;
    }
    if let Some(k) = key_name {
        params.add_value(k, key.clone())?;
    }
    block.set_block_params(params);
    Ok(())
}

/// Collects output up to a size, then refuses more.
pub struct CappedOutput {
    pub bytes: Vec<u8>,
    pub cap: usize,
    pub exceeded: bool,
}

impl std::io::Write for CappedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > self.cap {
            self.exceeded = true;
            return Err(std::io::Error::other("output limit reached"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(counted: bool, tpl: &str, data: &Value) -> Result<String, String> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        if counted {
            hb.register_helper("each", Box::new(CountedEach));
        }
        hb.render_template(tpl, data).map_err(|e| e.to_string())
    }

    #[test]
    fn counted_each_renders_as_the_built_in_one() {
        let data = json!({
            "list": [{"n": "a"}, {"n": "b"}, {"n": "c"}],
            "map": {"x": 1, "y": {"z": 2}},
            "empty": [],
            "nested": [[1, 2], [3]],
        });
        for tpl in [
            "{{#each list}}{{@index}}{{n}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}},{{/each}}",
            "{{#each map}}{{@key}}={{@index}};{{/each}}",
            "{{#each list as |item i|}}{{i}}:{{item.n}} {{/each}}",
            "{{#each map as |v k|}}{{k}}{{/each}}",
            "{{#each empty}}x{{else}}none{{/each}}",
            "{{#each nested}}[{{#each this}}{{this}}{{@../index}}{{/each}}]{{/each}}",
            "{{#each list}}{{../map.x}}{{@root.map.x}}{{/each}}",
        ] {
            assert_eq!(render(true, tpl, &data), render(false, tpl, &data), "{tpl}");
        }
        assert_eq!(
            render(true, "{{#each nope}}x{{/each}}", &data).is_err(),
            render(false, "{{#each nope}}x{{/each}}", &data).is_err()
        );
    }

    #[test]
    fn the_loop_budget_is_per_render_and_exact() {
        let data = json!({"l": [1, 2, 3]});
        let tpl = "{{#each l}}{{#each @root.l}}.{{/each}}{{/each}}";
        // 3 + 3 × 3 iterations
        assert!(with_loop_budget(12, || render(true, tpl, &data)).is_ok());
        let err = with_loop_budget(11, || render(true, tpl, &data)).unwrap_err();
        assert!(err.contains("loops ran more iterations"), "{err}");
    }

    fn check(templates: &[(&str, &str)]) -> Result<(), String> {
        let compiled: Vec<(&str, Template)> = templates
            .iter()
            .map(|(n, t)| (*n, Template::compile_with_name(t, n.to_string()).unwrap()))
            .collect();
        let refs: Vec<(&str, &Template)> = compiled.iter().map(|(n, t)| (*n, t)).collect();
        check_includes(&refs, |n| format!("{n}.hbs")).map_err(|e| e.to_string())
    }

    #[test]
    fn include_cycles_are_found_with_their_location() {
        let e = check(&[
            ("a", "x\n{{> b}}"),
            ("b", "{{> c}}"),
            ("c", "\n\n  {{> a}}"),
        ])
        .unwrap_err();
        assert!(e.contains("include cycle"), "{e}");
        assert!(e.contains("a includes b at a.hbs:2:1"), "{e}");
        assert!(e.contains("c includes a at c.hbs:3:3"), "{e}");
        // a chain without a cycle, a shared partial and a missing one are fine here
        assert!(check(&[
            ("a", "{{> b}}{{> b}}"),
            ("b", "{{> c}}"),
            ("c", "{{> gone}}")
        ])
        .is_ok());
        let inline = check(&[("a", "{{#*inline \"p\"}}{{> p}}{{/inline}}{{> p}}")]).unwrap_err();
        assert!(inline.contains("p includes p"), "{inline}");
    }

    #[test]
    fn depth_counts_along_include_chains() {
        let nest = |n: usize, inner: &str| {
            format!("{}{inner}{}", "{{#if x}}".repeat(n), "{{/if}}".repeat(n))
        };
        let (a, b) = (nest(40, "{{> b}}"), nest(30, "y"));
        let e = check(&[("a", &a), ("b", &b)]).unwrap_err();
        assert!(e.contains("deeper than 64"), "{e}");
        let (a, b) = (nest(30, "{{> b}}"), nest(30, "y"));
        assert!(check(&[("a", &a), ("b", &b)]).is_ok());
    }
}
