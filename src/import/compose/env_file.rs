//! A compose service's `env_file`s: read relative to the compose file, only inside the
//! input (the folders given, and the folder of each file given), through `source_io`
//! with a size cap, and at most [`MAX_ENV_FILES`] of them per import. A file that is
//! missing, outside the input or unreadable is a located note: compose would fail or
//! skip it, and the rest of the input is still imported.

use crate::import::input::Document;
use crate::import::{Note, Source};
use crate::source_io::read_text_capped;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest env file read: a list of variables, never near this size.
const MAX_ENV_FILE_BYTES: u64 = 1024 * 1024;

/// Env files read per import, all services together.
const MAX_ENV_FILES: usize = 256;

/// One `KEY=VALUE` line of an env file, located at its line.
pub(super) struct Variable {
    pub key: String,
    pub value: String,
    pub source: Source,
}

/// The `KEY=VALUE` lines of one env file, with their line numbers.
type Lines = Vec<(String, String, u32)>;

/// The env files read so far (each once, by canonical path) and where they may be.
pub(super) struct EnvFiles {
    roots: Vec<PathBuf>,
    read: BTreeMap<PathBuf, Result<Lines, String>>,
}

impl EnvFiles {
    pub fn new(roots: Vec<PathBuf>) -> EnvFiles {
        EnvFiles {
            roots,
            read: BTreeMap::new(),
        }
    }

    /// The variables of the `env_file` of the service at `pointer` in `doc`
    /// (`env_file: a.env`, a list of paths, or of `{path, required}`).
    pub fn variables(
        &mut self,
        doc: &Document,
        pointer: &str,
        value: Option<&Value>,
        notes: &mut Vec<Note>,
    ) -> Vec<Variable> {
        let base = format!("{pointer}/env_file");
        let entries: Vec<(String, &Value)> = match value {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{base}/{i}"), v))
                .collect(),
            Some(v) => vec![(base.clone(), v)],
            None => Vec::new(),
        };
        let mut out = Vec::new();
        for (at, entry) in entries {
            let (path, required) = match entry {
                Value::String(p) => (p.as_str(), true),
                Value::Object(m) => match m.get("path").and_then(Value::as_str) {
                    Some(p) => (p, m.get("required").and_then(Value::as_bool) != Some(false)),
                    None => continue,
                },
                _ => continue,
            };
            let at_path = if entry.is_object() {
                format!("{at}/path")
            } else {
                at
            };
            let source = doc.source(&at_path);
            match self.read_one(doc, path) {
                Ok((shown, lines)) => out.extend(lines.iter().map(|(k, v, line)| Variable {
                    key: k.clone(),
                    value: v.clone(),
                    source: Source {
                        file: Arc::clone(&shown),
                        line: *line,
                        column: 1,
                    },
                })),
                Err(why) => {
                    let optional = if required { "" } else { " (`required: false`)" };
                    notes.push(Note {
                        source,
                        message: format!(
                            "env_file `{path}`{optional} {why}: its variables are not read"
                        ),
                    });
                }
            }
        }
        out
    }

    /// The lines of the env file `path`, written in the compose file `doc`, with the
    /// path it is shown under; or why it is not read.
    fn read_one(&mut self, doc: &Document, path: &str) -> Result<(Arc<str>, &Lines), String> {
        if path.contains("://") || Path::new(path).is_absolute() || path.starts_with('\\') {
            return Err("is absolute or a URL: only files inside the input are read".into());
        }
        let folder = Path::new(&*doc.file).parent().unwrap_or(Path::new(""));
        let joined = folder.join(path);
        let shown: Arc<str> = joined.to_string_lossy().into();
        let Ok(canonical) = std::fs::canonicalize(&joined) else {
            return Err("does not exist".into());
        };
        if !self.roots.iter().any(|r| canonical.starts_with(r)) {
            return Err("is outside the input".into());
        }
        if !self.read.contains_key(&canonical) && self.read.len() >= MAX_ENV_FILES {
            return Err(format!(
                "is past the {MAX_ENV_FILES} env files read per import"
            ));
        }
        let lines = self.read.entry(canonical.clone()).or_insert_with(|| {
            read_text_capped(&canonical, MAX_ENV_FILE_BYTES)
                .map(|text| parse(&text))
                .map_err(|e| format!("could not be read ({e})"))
        });
        match lines {
            Ok(lines) => Ok((shown, lines)),
            Err(why) => Err(why.clone()),
        }
    }
}

/// The `KEY=VALUE` lines of an env file, with their 1-based line numbers, as the
/// compose specification describes the format: `#` starts a comment line, blank lines
/// are ignored, a value in single or double quotes is the text between them, and an
/// unquoted value ends at ` #` (an inline comment). A line without `=` names a variable
/// to take from the shell, which the file does not hold.
fn parse(text: &str) -> Lines {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value.split(" #").next().unwrap_or(value).trim_end(),
        };
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        out.push((key.trim().to_string(), value.to_string(), number));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn env_file_lines_are_read_as_compose_reads_them() {
        let text = "# comment\n\nA=http://api:80\nB = 'user-db:27017' # x\nC=\"q # r\"\nD=x # note\nSHELL_ONLY\n";
        let parsed = parse(text);
        let read: Vec<(&str, &str, u32)> = parsed
            .iter()
            .map(|(k, v, l)| (k.as_str(), v.as_str(), *l))
            .collect();
        assert_eq!(
            read,
            [
                ("A", "http://api:80", 3),
                ("B", "user-db:27017", 4),
                ("C", "q # r", 5),
                ("D", "x", 6)
            ]
        );
    }
}
