//! The Handlebars templates: embedded in the binary, overridable by name from a folder.
//!
//! Escaping is per output format. Each format has its own registry whose default
//! escape (`{{value}}`) produces the body of that format's string literal, and whose
//! helpers produce whole literals (`{{str value}}`) or one-line comment text
//! (`{{comment value}}`). A user string therefore cannot end a literal or a comment
//! early, whatever the template does, unless the template opts out with `{{{ }}}`.

use super::escape;
use super::template_limits as limits;
use anyhow::{bail, Context as _, Result};
use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason, Template,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Yaml,
    Json,
    Properties,
    TypeScript,
    Go,
}

impl Format {
    /// The format of a template from its output extension (`mesh.yaml` → YAML). An
    /// extension of no known format is an error: its output could not be escaped.
    pub fn of(name: &str) -> Result<Format> {
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        Ok(match ext {
            "yaml" | "yml" => Format::Yaml,
            "json" => Format::Json,
            "properties" => Format::Properties,
            "ts" => Format::TypeScript,
            "go" => Format::Go,
            _ => bail!(
                "template {name}: no output format for the extension `{ext}` (known: yaml, yml, json, properties, ts, go)"
            ),
        })
    }

    fn literal(self, s: &str) -> String {
        match self {
            Format::Yaml => escape::yaml_str(s),
            Format::Json => escape::json_str(s),
            Format::Properties => escape::properties_value(s),
            Format::TypeScript => escape::ts_str(s),
            Format::Go => escape::go_str(s),
        }
    }

    fn body(self, s: &str) -> String {
        match self {
            Format::Yaml => escape::yaml_body(s),
            Format::Json => escape::json_body(s),
            Format::Properties => escape::properties_value(s),
            Format::TypeScript => escape::ts_body(s),
            Format::Go => escape::go_body(s),
        }
    }
}

pub struct Embedded {
    /// `<target>/<output file kind>`; the file under `templates/` adds `.hbs`.
    pub name: &'static str,
    pub text: &'static str,
    pub about: &'static str,
}

/// Declares a target's built-in templates as `TEMPLATES`, each read from
/// `templates/<name>.hbs` at build time.
macro_rules! templates {
    ($($name:literal => $about:literal),* $(,)?) => {
        pub const TEMPLATES: &[$crate::generate::templates::Embedded] = &[
            $($crate::generate::templates::Embedded {
                name: $name,
                text: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/", $name, ".hbs")),
                about: $about,
            }),*
        ];
    };
}
pub(crate) use templates;

/// Where a template's text came from, for messages and `templates list`.
#[derive(Debug, Clone)]
pub enum Source {
    Embedded,
    Override(PathBuf),
}

pub struct Templates {
    registries: BTreeMap<Format, Handlebars<'static>>,
    sources: BTreeMap<&'static str, Source>,
}

fn registry(format: Format) -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_helper("each", Box::new(limits::CountedEach));
    hb.register_escape_fn(move |s| format.body(s));
    hb.register_helper(
        "str",
        Box::new(
            move |h: &Helper,
                  _: &Handlebars,
                  _: &Context,
                  _: &mut RenderContext,
                  out: &mut dyn Output|
                  -> HelperResult {
                let v = param(h, 0, "str")?;
                out.write(&format.literal(&as_text(v)))?;
                Ok(())
            },
        ),
    );
    hb.register_helper(
        "comment",
        Box::new(
            |h: &Helper,
             _: &Handlebars,
             _: &Context,
             _: &mut RenderContext,
             out: &mut dyn Output|
             -> HelperResult {
                let v = param(h, 0, "comment")?;
                out.write(&escape::comment(&as_text(v)))?;
                Ok(())
            },
        ),
    );
    // Any value as JSON (strings escaped): for JSON outputs.
    hb.register_helper(
        "json",
        Box::new(
            |h: &Helper,
             _: &Handlebars,
             _: &Context,
             _: &mut RenderContext,
             out: &mut dyn Output|
             -> HelperResult {
                let v = param(h, 0, "json")?;
                let text = match v {
                    Value::String(s) => escape::json_str(s),
                    other => serde_json::to_string(other)
                        .map_err(|e| RenderErrorReason::Other(e.to_string()))?,
                };
                out.write(&text)?;
                Ok(())
            },
        ),
    );
    // Durations from milliseconds: `30s`, `1500ms` (Istio, Spring and Go all read these),
    // and a Go `time.Duration` expression.
    register_millis_helper(&mut hb, "dur", duration);
    register_millis_helper(&mut hb, "go_dur", go_duration);
    hb
}

fn param<'a>(h: &'a Helper, i: usize, name: &'static str) -> Result<&'a Value, RenderErrorReason> {
    match h.param(i) {
        Some(p) if !p.is_value_missing() => Ok(p.value()),
        // Name the variable: "param at index 0" does not say what to fix.
        Some(p) => Err(RenderErrorReason::Other(format!(
            "`{name}`: variable `{}` is missing",
            p.relative_path().map(String::as_str).unwrap_or("?")
        ))),
        None => Err(RenderErrorReason::ParamNotFoundForIndex(name, i)),
    }
}

/// A helper that renders one whole number of milliseconds with `render`.
fn register_millis_helper(
    hb: &mut Handlebars<'static>,
    name: &'static str,
    render: fn(u64) -> String,
) {
    hb.register_helper(
        name,
        Box::new(
            move |h: &Helper,
                  _: &Handlebars,
                  _: &Context,
                  _: &mut RenderContext,
                  out: &mut dyn Output|
                  -> HelperResult {
                out.write(&render(number(h, name)?))?;
                Ok(())
            },
        ),
    );
}

fn number(h: &Helper, name: &'static str) -> Result<u64, RenderErrorReason> {
    let v = param(h, 0, name)?;
    v.as_u64().ok_or_else(|| {
        RenderErrorReason::Other(format!(
            "{name} expects a whole number of milliseconds, got {v}"
        ))
    })
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

pub fn duration(ms: u64) -> String {
    if ms == 0 {
        "0s".to_string()
    } else if ms.is_multiple_of(60_000) && ms >= 600_000 {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

pub fn go_duration(ms: u64) -> String {
    if ms == 0 {
        "0".to_string()
    } else if ms.is_multiple_of(3_600_000) {
        format!("{} * time.Hour", ms / 3_600_000)
    } else if ms.is_multiple_of(60_000) {
        format!("{} * time.Minute", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{} * time.Second", ms / 1000)
    } else {
        format!("{ms} * time.Millisecond")
    }
}

impl Templates {
    /// The built-in templates (every target's, from `targets::embedded`: the targets own
    /// them, so this module takes them rather than reaching up for them), with any
    /// `<name>.hbs` found under `overrides` in their place.
    /// A file there that matches no template is an error: a misspelt override would
    /// otherwise be ignored without a word.
    pub fn load(builtin: &[&'static Embedded], overrides: Option<&Path>) -> Result<Templates> {
        let embedded = || builtin.iter().copied();
        let mut texts: BTreeMap<&'static str, (String, Source)> = embedded()
            .map(|e| (e.name, (e.text.to_string(), Source::Embedded)))
            .collect();
        if let Some(dir) = overrides {
            if !dir.is_dir() {
                bail!("--templates {}: not a directory", dir.display());
            }
            let mut found = Vec::new();
            collect_hbs(dir, dir, &mut found)?;
            for (rel, path) in found {
                let Some(e) = embedded().find(|e| format!("{}.hbs", e.name) == rel) else {
                    let known: Vec<String> =
                        embedded().map(|e| format!("{}.hbs", e.name)).collect();
                    bail!(
                        "{}: no template is called `{rel}`; the names are: {}",
                        path.display(),
                        known.join(", ")
                    );
                };
                let text = limits::read_template(&path)?;
                texts.insert(e.name, (text, Source::Override(path)));
            }
        }
        let mut compiled: BTreeMap<Format, Vec<(&'static str, Template)>> = BTreeMap::new();
        let mut sources = BTreeMap::new();
        for (name, (text, source)) in texts {
            let template = Template::compile_with_name(&text, name.to_string())
                .map_err(|e| anyhow::anyhow!("template {} ({}): {e}", name, describe(&source)))?;
            compiled
                .entry(Format::of(name)?)
                .or_default()
                .push((name, template));
            sources.insert(name, source);
        }
        let mut registries = BTreeMap::new();
        for (format, templates) in compiled {
            // Templates of one format share a registry, so they can include each other.
            let refs: Vec<(&str, &Template)> = templates.iter().map(|(n, t)| (*n, t)).collect();
            limits::check_includes(&refs, |name| {
                sources
                    .get(name)
                    .map(|s| match s {
                        Source::Embedded => format!("built-in {name}.hbs"),
                        Source::Override(p) => p.display().to_string(),
                    })
                    .unwrap_or_else(|| format!("{name}.hbs"))
            })?;
            let mut reg = registry(format);
            for (name, template) in templates {
                reg.register_template(name, template);
            }
            registries.insert(format, reg);
        }
        Ok(Templates {
            registries,
            sources,
        })
    }

    pub fn render(&self, name: &str, data: &Value) -> Result<String> {
        let format = Format::of(name)?;
        let source = self
            .sources
            .get(name)
            .map(describe)
            .unwrap_or_else(|| "unknown".into());
        let limits = limits::RenderLimits::for_data(data);
        let mut out = limits::CappedOutput {
            bytes: Vec::new(),
            cap: limits.output_bytes,
            exceeded: false,
        };
        let rendered = limits::with_loop_budget(limits.loops, || {
            self.registries[&format].render_to_write(name, data, &mut out)
        });
        if out.exceeded {
            bail!(
                "template {name} ({source}): its output grew past {} MiB, more than the data can need; look for a loop or include that repeats itself",
                limits.output_bytes >> 20
            );
        }
        rendered.map_err(|e| anyhow::anyhow!("template {name} ({source}): {e}"))?;
        String::from_utf8(out.bytes)
            .map_err(|_| anyhow::anyhow!("template {name} ({source}): output is not UTF-8"))
    }

    pub fn source(&self, name: &str) -> Option<&Source> {
        self.sources.get(name)
    }
}

pub fn describe(source: &Source) -> String {
    match source {
        Source::Embedded => "built in".to_string(),
        Source::Override(p) => p.display().to_string(),
    }
}

fn collect_hbs(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("cannot read {}", dir.display()))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let ty = entry.file_type()?;
        if ty.is_dir() {
            collect_hbs(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "hbs") {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, path));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::targets::embedded;
    use serde_json::json;

    fn builtin() -> Vec<&'static Embedded> {
        embedded().collect()
    }

    fn render(format_name: &str, tpl: &str, data: Value) -> Result<String, String> {
        let mut hb = registry(Format::of(format_name).unwrap());
        hb.register_template_string("t", tpl)
            .map_err(|e| e.to_string())?;
        hb.render("t", &data).map_err(|e| e.to_string())
    }

    #[test]
    fn every_embedded_template_parses() {
        Templates::load(&builtin(), None).expect("embedded templates compile");
    }

    #[test]
    fn embedded_templates_never_bypass_escaping() {
        for e in embedded() {
            assert!(
                !e.text.contains("{{{"),
                "{} uses a raw {{{{{{ }}}}}}",
                e.name
            );
            assert!(!e.text.contains("{{&"), "{} uses a raw {{{{& }}}}", e.name);
        }
    }

    #[test]
    fn strict_mode_rejects_missing_variables() {
        let err = render("x.yaml", "a: {{nope}}\n", json!({})).unwrap_err();
        assert!(err.contains("nope"), "{err}");
    }

    #[test]
    fn str_helper_quotes_per_format() {
        let data = json!({"s": "a\"b\nc"});
        assert_eq!(
            render("x.yaml", "{{str s}}", data.clone()).unwrap(),
            r#""a\"b\nc""#
        );
        assert_eq!(
            render("x.json", "{{str s}}", data.clone()).unwrap(),
            r#""a\"b\nc""#
        );
        assert_eq!(
            render("x.go", "{{str s}}", data.clone()).unwrap(),
            r#""a\"b\nc""#
        );
        assert_eq!(
            render("x.properties", "{{str s}}", data).unwrap(),
            r#"a"b\nc"#
        );
    }

    #[test]
    fn default_escape_is_the_literal_body_not_html() {
        let data = json!({"s": "<a href=\"x\">&</a>\n"});
        assert_eq!(
            render("x.yaml", "\"{{s}}\"", data).unwrap(),
            r#""<a href=\"x\">&</a>\n""#
        );
    }

    #[test]
    fn comment_helper_keeps_one_line() {
        let out = render("x.yaml", "# {{comment s}}\nk: 1\n", json!({"s": "x\nk: 2"})).unwrap();
        assert_eq!(out, "# x\\nk: 2\nk: 1\n");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(500), "500ms");
        assert_eq!(duration(30_000), "30s");
        assert_eq!(duration(600_000), "10m");
        assert_eq!(duration(1500), "1500ms");
        assert_eq!(go_duration(1500), "1500 * time.Millisecond");
        assert_eq!(go_duration(30_000), "30 * time.Second");
        assert_eq!(go_duration(86_400_000), "24 * time.Hour");
        assert_eq!(go_duration(300_000), "5 * time.Minute");
    }

    #[test]
    fn unknown_override_names_are_errors() {
        let dir = std::env::temp_dir().join(format!("commsplan-tpl-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("istio")).unwrap();
        std::fs::write(dir.join("istio/mesh.yml.hbs"), "x").unwrap();
        let err = Templates::load(&builtin(), Some(&dir))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("istio/mesh.yml.hbs") && err.contains("istio/mesh.yaml.hbs"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn overrides_replace_a_template_by_name() {
        let dir = std::env::temp_dir().join(format!("commsplan-tpl2-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("kafka")).unwrap();
        std::fs::write(dir.join("kafka/producer.properties.hbs"), "acks={{acks}}\n").unwrap();
        let t = Templates::load(&builtin(), Some(&dir)).unwrap();
        assert_eq!(
            t.render("kafka/producer.properties", &json!({"acks": "all"}))
                .unwrap(),
            "acks=all\n"
        );
        assert!(matches!(
            t.source("kafka/producer.properties"),
            Some(Source::Override(_))
        ));
        assert!(matches!(
            t.source("istio/mesh.yaml"),
            Some(Source::Embedded)
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
