//! Reading an importer's input: the files named or found in the folders named, and the
//! YAML documents in them (a Kubernetes manifest holds many, separated by `---`).
//!
//! Every file is read through `source_io` (regular files only, size capped), and every
//! document is parsed with the loader's YAML reader and its limits on hostile input.

use super::Source;
use crate::codes;
use crate::finding::{Finding, Location};
use crate::model::yaml::{self, Limits, ProblemKind, SpanTree};
use crate::source_io::{read_text_capped, ReadError};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest input file read, as for architecture files.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Extensions of the files taken from a folder.
pub const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// How a file written by `commsplan import` starts. Such a file found in a folder is not
/// read: `import . -o system.yaml` run twice must not read its own output.
pub const WRITTEN_MARK: &str = "# Imported by `commsplan import";

/// One file's text, with the path as it will be shown (the given path, joined with
/// what was found below it).
pub struct InputFile {
    pub path: Arc<str>,
    pub text: String,
}

/// What was read, and what could not be (as located findings).
#[derive(Default)]
pub struct Inputs {
    pub files: Vec<InputFile>,
    pub diagnostics: Vec<Finding>,
    /// Entries of the folders left out (symbolic links, special files), as messages
    /// with their path.
    pub skipped: Vec<(Arc<str>, String)>,
}

/// The folders an input's references (AsyncAPI `$ref`s, compose `env_file`s) may point
/// into: each folder given, and each given file's folder, canonical.
pub fn roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .map(|p| {
            if p.is_dir() {
                p
            } else {
                p.parent().map(Path::to_path_buf).unwrap_or(p)
            }
        })
        .collect()
}

/// Reads every path: a file as it is, a folder walked in sorted order for files whose
/// extension is one of [`EXTENSIONS`]. Symbolic links inside folders are not followed
/// (a link to a parent folder would make the walk endless).
pub fn read_inputs(paths: &[PathBuf]) -> Inputs {
    let mut inputs = Inputs::default();
    for path in paths {
        let mut found = Vec::new();
        if path.is_dir() {
            walk(path, &mut found, &mut inputs.skipped);
        } else {
            found.push(path.clone());
        }
        let walked = path.is_dir();
        for file in found {
            read_one(&file, &mut inputs);
            if walked
                && inputs.files.last().is_some_and(|f| {
                    f.path.as_ref() == file.to_string_lossy() && f.text.starts_with(WRITTEN_MARK)
                })
            {
                inputs.files.pop();
            }
        }
    }
    inputs
}

fn walk(root: &Path, found: &mut Vec<PathBuf>, skipped: &mut Vec<(Arc<str>, String)>) {
    // Iterative: a deep tree of folders is a normal input.
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            skipped.push((shown(&dir), "the folder cannot be read".into()));
            continue;
        };
        let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
        entries.sort_by_key(|e| e.file_name());
        let mut folders = Vec::new();
        for entry in entries {
            let path = entry.path();
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                folders.push(path);
            } else if file_type.is_file() {
                if has_extension(&path) {
                    found.push(path);
                }
            } else if has_extension(&path) {
                skipped.push((shown(&path), "not a regular file".into()));
            }
        }
        // Reversed onto the stack, so that folders are entered in sorted order.
        pending.extend(folders.into_iter().rev());
    }
}

fn has_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

fn shown(path: &Path) -> Arc<str> {
    Arc::from(path.to_string_lossy().as_ref())
}

fn read_one(path: &Path, inputs: &mut Inputs) {
    let file = shown(path);
    match read_text_capped(path, MAX_FILE_BYTES) {
        Ok(text) => inputs.files.push(InputFile { path: file, text }),
        Err(ReadError::TooLarge { size, limit }) => inputs.diagnostics.push(
            Finding::new(
                &codes::LIMIT,
                format!(
                    "the file is {}, over the limit of {}",
                    crate::source_io::human_size(size),
                    crate::source_io::human_size(limit)
                ),
            )
            .at(start_of(&file)),
        ),
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData => inputs
            .diagnostics
            .push(Finding::new(&codes::ENCODING, e.to_string()).at(start_of(&file))),
        Err(e) => inputs.skipped.push((file, format!("cannot be read: {e}"))),
    }
}

fn start_of(file: &Arc<str>) -> Location {
    Location {
        file: Arc::clone(file),
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
    }
}

/// One YAML document of a file.
pub struct Document {
    pub file: Arc<str>,
    pub value: Value,
    pub spans: SpanTree,
    /// Lines of the file before the document's text: the parser counts from its start.
    line_offset: u32,
}

impl Document {
    /// Where the node at `pointer` (or the nearest one that exists) starts.
    pub fn source(&self, pointer: &str) -> Source {
        let (node, _) = self.spans.nearest(pointer);
        Source {
            file: Arc::clone(&self.file),
            line: node.span.start.line.max(1) + self.line_offset,
            column: node.span.start.column.max(1),
        }
    }
}

/// The documents of a YAML stream, each parsed on its own with the loader's limits;
/// problems are located findings. A document that does not parse is left out and the
/// others are still read.
///
/// The stream is split at lines that start with `---` followed by a space or the line's
/// end. YAML 1.2 (§9.1.3, "c-forbidden") forbids such a line inside any node, so the
/// split never cuts a scalar in two; the marker is blanked so that the columns of the
/// rest of its line stay right.
pub fn yaml_documents(file: &Arc<str>, text: &str) -> (Vec<Document>, Vec<Finding>) {
    let mut documents = Vec::new();
    let mut findings = Vec::new();
    for (offset, segment) in split_documents(text) {
        let parsed = yaml::parse(&segment, Limits::default());
        for problem in &parsed.problems {
            findings.push(problem_finding(file, offset, problem));
        }
        if let Some((value, spans)) = parsed.root {
            documents.push(Document {
                file: Arc::clone(file),
                value,
                spans,
                line_offset: offset,
            });
        }
    }
    (documents, findings)
}

fn is_marker(line: &str) -> bool {
    line.strip_prefix("---")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

/// Whether a segment holds nothing but blank lines, comments and directives: a `---`
/// after it starts its first document rather than a second one.
fn is_preamble(segment: &str) -> bool {
    segment.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || l.starts_with('%')
    })
}

/// The text of each document, with the number of lines before it.
fn split_documents(text: &str) -> Vec<(u32, String)> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut start = 0u32;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        if is_marker(line) && !is_preamble(&current) {
            segments.push((start, std::mem::take(&mut current)));
            start = index as u32;
            current.push_str("   ");
            current.push_str(&line[3..]);
        } else if is_marker(line) && current.trim().is_empty() {
            // The first marker of the stream: blanked, so that the lines stay counted.
            current.clear();
            start = index as u32;
            current.push_str("   ");
            current.push_str(&line[3..]);
        } else {
            current.push_str(line);
        }
    }
    segments.push((start, current));
    segments.retain(|(_, s)| !is_preamble(s) || s.lines().any(|l| l.starts_with('%')));
    segments
}

fn problem_finding(file: &Arc<str>, offset: u32, problem: &yaml::Problem) -> Finding {
    let info = match problem.kind {
        ProblemKind::Syntax | ProblemKind::ComplexKey => &codes::YAML_SYNTAX,
        ProblemKind::DuplicateKey => &codes::DUPLICATE_KEY,
        ProblemKind::BadMerge => &codes::WRONG_TYPE,
        ProblemKind::Limit => &codes::LIMIT,
    };
    let at = |span: yaml::Span| Location {
        file: Arc::clone(file),
        line: span.start.line.max(1) + offset,
        column: span.start.column.max(1),
        end_line: span.end.line.max(span.start.line).max(1) + offset,
        end_column: span.end.column.max(1),
    };
    let mut finding = Finding::new(info, problem.message.clone())
        .at(at(problem.span))
        .label(problem.label.clone());
    if let Some(help) = &problem.help {
        finding = finding.help(help.clone());
    }
    if let Some((span, message)) = &problem.related {
        finding = finding.related(at(*span), message.clone());
    }
    finding
}

#[cfg(test)]
mod tests {
    use super::*;

    fn documents(text: &str) -> (Vec<Document>, Vec<Finding>) {
        yaml_documents(&Arc::from("m.yaml"), text)
    }

    #[test]
    fn documents_are_split_and_keep_their_lines() {
        let (docs, findings) = documents("a: 1\n---\nb: 2\n--- {c: 3}\n");
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[1].source("/b").line, 3);
        assert_eq!(docs[2].source("/c").line, 4);
        assert_eq!(docs[2].source("/c").column, 9);
    }

    #[test]
    fn a_leading_marker_and_comments_start_the_first_document() {
        let (docs, findings) = documents("# manifest\n---\nkind: A\n---\n\n");
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].source("/kind").line, 3);
    }

    #[test]
    fn a_marker_inside_a_block_scalar_is_not_possible_and_indented_dashes_stay() {
        let (docs, _) = documents("a: |\n  ---\n  x\nb: 1\n");
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].value["a"], "---\nx\n");
    }

    #[test]
    fn a_broken_document_is_located_in_the_file_and_the_others_are_read() {
        let (docs, findings) = documents("a: 1\n---\nb: [1, 2\n---\nc: 3\n");
        assert_eq!(docs.len(), 2);
        assert_eq!(findings.len(), 1);
        let at = findings[0].location.as_ref().unwrap();
        assert_eq!(findings[0].code, "M001");
        assert!(at.line >= 3, "{at}");
    }

    #[test]
    fn a_duplicate_key_is_located_in_its_document() {
        let (_, findings) = documents("a: 1\n---\nb: 1\nb: 2\n");
        assert_eq!(findings[0].code, "M006");
        assert_eq!(findings[0].location.as_ref().unwrap().line, 4);
    }
}
