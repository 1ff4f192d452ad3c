//! `commsplan.toml`: which rules run, their severities, and the thresholds the rules
//! judge against. Found upward from the first analysed file, or given with `--config`.
//!
//! ```toml
//! select = ["S", "A", "R", "G"]   # code prefixes, as ruff; default: every rule
//! ignore = ["S008"]               # wins over select
//!
//! [severity]
//! O001 = "error"
//!
//! [thresholds]
//! max_sync_depth = 5
//! ```

use crate::codes::{is_input_code, Severity, INVALID_CONFIG};
use crate::finding::{Finding, Location};
use crate::rules::Thresholds;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = "commsplan.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    thresholds: Option<Thresholds>,
}

/// What the run uses: the rule selection, severity overrides and thresholds.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where the settings came from, for messages.
    pub path: Option<String>,
    /// Code prefixes; `None` selects every rule.
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    pub thresholds: Thresholds,
}

impl Config {
    /// Whether findings of `code` are reported. Codes of an input that did not load
    /// always are.
    pub fn is_selected(&self, code: &str) -> bool {
        if is_input_code(code) {
            return true;
        }
        let matches = |sel: &String| sel == "ALL" || code.starts_with(sel.as_str());
        self.select.as_ref().is_none_or(|s| s.iter().any(matches))
            && !self.ignore.iter().any(matches)
    }

    pub fn severity_of(&self, code: &str) -> Option<Severity> {
        self.severity.get(code).copied()
    }
}

/// Finds `commsplan.toml` in the directory of `file` or any parent.
pub fn discover(file: &Path) -> Option<PathBuf> {
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = dir.canonicalize().ok()?;
    for ancestor in dir.ancestors() {
        let candidate = ancestor.join(FILE_NAME);
        if candidate.is_file() {
            return Some(display_path(&candidate));
        }
    }
    None
}

/// Relative to the working directory when inside it, so that reports do not depend on
/// where the checkout lives.
fn display_path(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| cwd.canonicalize().ok())
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// Far above any real `commsplan.toml` (a few hundred bytes of selectors), far below what
/// would cost memory.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Reads and checks the file. An unreadable file is an error (exit 2); bad content is
/// returned as located findings, and the defaults stay in force for what is wrong.
pub fn load(path: &Path) -> anyhow::Result<(Config, Vec<Finding>)> {
    let text = crate::source_io::read_text_capped(path, MAX_CONFIG_BYTES)
        .map_err(|e| anyhow::anyhow!("cannot read config {}: {e}", path.display()))?;
    Ok(parse(&path.to_string_lossy(), &text))
}

pub fn parse(display: &str, text: &str) -> (Config, Vec<Finding>) {
    let mut config = Config {
        path: Some(display.to_string()),
        ..Config::default()
    };
    let mut findings = Vec::new();
    let raw: RawConfig = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let raw = e.message().trim().to_string();
            let unknown = raw
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next())
                .map(str::to_string);
            let (message, label) = match &unknown {
                Some(key) => {
                    let keys = known_keys();
                    let hint =
                        crate::model::schema::did_you_mean(key, keys.iter().map(String::as_str))
                            .map(|s| format!("; did you mean `{s}`?"))
                            .unwrap_or_default();
                    (
                        format!("{display}: unknown key `{key}`{hint}"),
                        "unknown key",
                    )
                }
                None => (format!("{display}: {raw}"), "here"),
            };
            findings.push(
                Finding::new(&INVALID_CONFIG, message)
                    .at(location(display, text, span))
                    .label(label)
                    .help(config_help(unknown.is_some())),
            );
            return (config, findings);
        }
    };
    let mut selectors = |list: Vec<Spanned<String>>, key: &str| -> Vec<String> {
        let mut out = Vec::new();
        for item in list {
            let span = item.span();
            let sel = item.into_inner();
            if sel == "ALL" || known_prefix(&sel) {
                out.push(sel);
            } else {
                findings.push(unknown_code(display, text, span, &sel, key));
            }
        }
        out
    };
    config.select = raw.select.map(|s| selectors(s, "select"));
    config.ignore = selectors(raw.ignore, "ignore");
    for (code, value) in raw.severity {
        let span = value.span();
        let Some(rule) = crate::rules::registry()
            .into_iter()
            .find(|r| r.code == code)
        else {
            findings.push(unknown_code(display, text, span, &code, "[severity]"));
            continue;
        };
        match Severity::parse(value.get_ref()) {
            Some(sev) => {
                config.severity.insert(rule.code.to_string(), sev);
            }
            None => findings.push(
                Finding::new(
                    &INVALID_CONFIG,
                    format!(
                        "{display}: `{}` is not a severity for {code}",
                        value.get_ref()
                    ),
                )
                .at(location(display, text, span))
                .label("expected error, warning or info")
                .help(format!(
                    "write `{code} = \"warning\"` (or \"error\", \"info\")"
                )),
            ),
        }
    }
    if let Some(t) = raw.thresholds {
        config.thresholds = t;
    }
    (config, findings)
}

fn known_prefix(sel: &str) -> bool {
    !sel.is_empty()
        && crate::rules::registry()
            .iter()
            .any(|r| r.code.starts_with(sel))
}

fn unknown_code(
    display: &str,
    text: &str,
    span: std::ops::Range<usize>,
    code: &str,
    key: &str,
) -> Finding {
    let hint = crate::rules::closest_code(code)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    Finding::new(
        &INVALID_CONFIG,
        format!("{display}: `{code}` in {key} is not a rule code or prefix{hint}"),
    )
    .at(location(display, text, span))
    .label("unknown code")
    .help("`commsplan rules` lists every code; a prefix such as `S` selects a family")
}

fn threshold_keys() -> Vec<String> {
    serde_json::to_value(Thresholds::default())
        .ok()
        .and_then(|v| v.as_object().map(|o| o.keys().cloned().collect()))
        .unwrap_or_default()
}

fn known_keys() -> Vec<String> {
    let mut keys: Vec<String> = ["select", "ignore", "severity", "thresholds"]
        .map(String::from)
        .to_vec();
    keys.extend(threshold_keys());
    keys
}

fn config_help(unknown_key: bool) -> String {
    if unknown_key {
        format!(
            "top-level keys: select, ignore, [severity], [thresholds]; thresholds: {}",
            threshold_keys().join(", ")
        )
    } else {
        "see docs/rules.md for the format of commsplan.toml".into()
    }
}

/// A byte range of `text` as a 1-based line/column location (columns in characters).
pub fn location(file: &str, text: &str, span: std::ops::Range<usize>) -> Location {
    let pos = |offset: usize| {
        let offset = offset.min(text.len());
        let offset = (0..=offset)
            .rev()
            .find(|&o| text.is_char_boundary(o))
            .unwrap_or(0);
        let before = &text[..offset];
        let line = before.matches('\n').count() as u32 + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
        (line, column)
    };
    let (line, column) = pos(span.start);
    let (end_line, end_column) = pos(span.end.max(span.start));
    Location {
        file: file.into(),
        line,
        column,
        end_line,
        end_column: if end_line == line {
            end_column.max(column)
        } else {
            end_column
        },
    }
}
