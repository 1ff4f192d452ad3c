//! The files of an AsyncAPI input and the `$ref`s between them.
//!
//! A relative `$ref` is resolved against the folder of the file that holds it (RFC 3986
//! §5.2, which AsyncAPI's Reference Object follows). It is followed only when its target
//! lies inside the input tree (the folders given, and the folder of each file given):
//! an absolute path, a URL, or a path that leaves the tree is not read and is noted, so
//! that importing a document never reads a file the user did not point at. Chains of
//! `$ref`s are followed up to [`MAX_REF_DEPTH`] steps and a cycle is noted, not looped.

use super::super::input::{yaml_documents, Document};
use super::super::{Note, Source};
use crate::finding::Finding;
use crate::source_io::read_text_capped;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Longest chain of `$ref`s followed from one node.
pub const MAX_REF_DEPTH: usize = 32;
/// Most files read as `$ref` targets, on top of the input files.
pub const MAX_REF_FILES: usize = 256;

/// A node of some file: the file's index in [`Files`] and a JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct At {
    pub file: usize,
    pub pointer: String,
}

/// Every file read so far, by canonical path.
pub struct Files {
    roots: Vec<PathBuf>,
    docs: Vec<Option<Document>>,
    canonical: Vec<PathBuf>,
    /// Each file's path as shown in sources: as given, or joined from the referring one.
    shown: Vec<Arc<str>>,
    by_path: BTreeMap<PathBuf, usize>,
    pub notes: Vec<Note>,
    pub diagnostics: Vec<Finding>,
}

impl Files {
    /// `roots` are the canonical folders refs may point into.
    pub fn new(roots: Vec<PathBuf>) -> Files {
        Files {
            roots,
            docs: Vec::new(),
            canonical: Vec::new(),
            shown: Vec::new(),
            by_path: BTreeMap::new(),
            notes: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// Adds an input file already read; returns its index.
    pub fn add(&mut self, shown: &Arc<str>, text: &str) -> usize {
        let canonical = std::fs::canonicalize(&**shown).unwrap_or_else(|_| PathBuf::from(&**shown));
        if let Some(&i) = self.by_path.get(&canonical) {
            return i;
        }
        let (mut docs, findings) = yaml_documents(shown, text);
        self.diagnostics.extend(findings);
        if docs.len() > 1 {
            self.notes.push(Note {
                source: docs[1].source(""),
                message: "only the first YAML document of an AsyncAPI file is read".into(),
            });
        }
        let doc = (!docs.is_empty()).then(|| docs.swap_remove(0));
        self.push(canonical, Arc::clone(shown), doc)
    }

    fn push(&mut self, canonical: PathBuf, shown: Arc<str>, doc: Option<Document>) -> usize {
        let i = self.docs.len();
        self.docs.push(doc);
        self.by_path.insert(canonical.clone(), i);
        self.canonical.push(canonical);
        self.shown.push(shown);
        i
    }

    pub fn doc(&self, file: usize) -> Option<&Document> {
        self.docs.get(file).and_then(Option::as_ref)
    }

    pub fn value(&self, at: &At) -> Option<&Value> {
        self.doc(at.file)?.value.pointer(&at.pointer)
    }

    pub fn source(&self, at: &At) -> Source {
        match self.doc(at.file) {
            Some(doc) => key_source(doc, &at.pointer),
            None => Source {
                file: Arc::clone(&self.shown[at.file]),
                line: 1,
                column: 1,
            },
        }
    }

    fn note(&mut self, at: &At, message: String) {
        let source = self.source(at);
        self.notes.push(Note { source, message });
    }

    /// The node at `at`, with its `$ref`s followed: `None` where a ref cannot be
    /// followed (noted) or the node does not exist.
    pub fn resolve(&mut self, at: &At) -> Option<At> {
        let mut current = at.clone();
        let mut seen = vec![current.clone()];
        for _ in 0..MAX_REF_DEPTH {
            let value = self.value(&current)?;
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return Some(current);
            };
            let reference = reference.to_string();
            let ref_at = At {
                file: current.file,
                pointer: format!("{}/$ref", current.pointer),
            };
            let next = self.target(&ref_at, &reference)?;
            if seen.contains(&next) {
                self.note(
                    &ref_at,
                    format!("`$ref: {reference}` makes a cycle: not followed"),
                );
                return None;
            }
            seen.push(next.clone());
            current = next;
        }
        self.note(
            at,
            format!("more than {MAX_REF_DEPTH} `$ref`s in a chain: not followed"),
        );
        None
    }

    /// Where `reference`, written at `ref_at`, points.
    fn target(&mut self, ref_at: &At, reference: &str) -> Option<At> {
        let (path, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let pointer = fragment.to_string();
        if !pointer.is_empty() && !pointer.starts_with('/') {
            self.note(
                ref_at,
                format!("`$ref: {reference}` is not a JSON pointer: not followed"),
            );
            return None;
        }
        if path.is_empty() {
            return Some(At {
                file: ref_at.file,
                pointer,
            });
        }
        if path.contains("://") || path.starts_with('/') || path.starts_with('\\') {
            self.note(
                ref_at,
                format!("`$ref: {reference}` is absolute or a URL: not followed (only relative references inside the input are read)"),
            );
            return None;
        }
        let base = self.canonical[ref_at.file]
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let joined = base.join(path);
        let Ok(canonical) = std::fs::canonicalize(&joined) else {
            self.note(
                ref_at,
                format!("`$ref: {reference}`: the file does not exist"),
            );
            return None;
        };
        if !self.roots.iter().any(|r| canonical.starts_with(r)) {
            self.note(
                ref_at,
                format!("`$ref: {reference}` points outside the input: not followed"),
            );
            return None;
        }
        let file = match self.by_path.get(&canonical) {
            Some(&i) => i,
            None => {
                let shown = Path::new(&*self.shown[ref_at.file])
                    .parent()
                    .map(|p| p.join(path))
                    .unwrap_or_else(|| PathBuf::from(path));
                self.load(ref_at, reference, &shown, canonical)?
            }
        };
        Some(At { file, pointer })
    }

    fn load(
        &mut self,
        ref_at: &At,
        reference: &str,
        path: &Path,
        canonical: PathBuf,
    ) -> Option<usize> {
        if self.docs.len() >= MAX_REF_FILES {
            self.note(
                ref_at,
                format!(
                    "`$ref: {reference}`: more than {MAX_REF_FILES} files referenced: not followed"
                ),
            );
            return None;
        }
        match read_text_capped(&canonical, super::super::input::MAX_FILE_BYTES) {
            Ok(text) => {
                let shown: Arc<str> = Arc::from(path.to_string_lossy().as_ref());
                let (mut docs, findings) = yaml_documents(&shown, &text);
                self.diagnostics.extend(findings);
                let doc = (!docs.is_empty()).then(|| docs.swap_remove(0));
                Some(self.push(canonical, shown, doc))
            }
            Err(e) => {
                self.note(ref_at, format!("`$ref: {reference}` cannot be read: {e}"));
                None
            }
        }
    }
}

/// Where the entry at `pointer` starts: its key where it has one (`publish:` rather
/// than the first line under it), else the node itself.
pub(in crate::import) fn key_source(doc: &Document, pointer: &str) -> Source {
    let node_source = doc.source(pointer);
    let Some((node, Some(key))) = doc.spans.get(pointer).map(|n| (n, n.key_span())) else {
        return node_source;
    };
    // `Document::source` adds the lines before the document; the same offset applies.
    let offset = node_source.line.saturating_sub(node.span.start.line.max(1));
    Source {
        file: node_source.file,
        line: key.start.line.max(1) + offset,
        column: key.start.column.max(1),
    }
}
