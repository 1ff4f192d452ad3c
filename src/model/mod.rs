//! The loaded system: services and interactions from one or more files, each with the
//! place it came from so that any rule can point at the exact line.

mod checks;
pub mod fields;
mod include;
mod load;
mod prune;
pub mod schema;
pub mod types;
pub mod yaml;

pub use load::{load, LoadOptions};

use crate::finding::Location;
use fields::Field;
use indexmap::IndexMap;
use types::{Interaction, Service, Suppression, Uses};
use yaml::{Span, SpanChildren, SpanTree};

/// One input file, its text (for snippets) and the positions of its nodes.
pub struct SourceFile {
    /// The path as the user gave it; reports print it as it is. Shared by every
    /// location in this file.
    pub path: std::sync::Arc<str>,
    pub text: String,
    pub spans: Option<SpanTree>,
    /// Interaction ids by position in the file, for naming schema errors.
    pub(crate) interaction_ids: Vec<Option<String>>,
    /// The file whose `include` read this one: its defaults apply here too, under this
    /// file's own.
    pub(crate) included_by: Option<usize>,
}

impl SourceFile {
    pub fn location(&self, span: Span) -> Location {
        Location {
            file: std::sync::Arc::clone(&self.path),
            line: span.start.line.max(1),
            column: span.start.column.max(1),
            end_line: span.end.line.max(span.start.line).max(1),
            end_column: if span.end.line > span.start.line {
                span.end.column.max(1)
            } else {
                span.end.column.max(span.start.column).max(1)
            },
        }
    }

    fn start_location(&self) -> Location {
        self.location(Span::point(yaml::Pos { line: 1, column: 1 }))
    }

    /// The value at `pointer`, or the nearest enclosing node that exists.
    pub fn value_location(&self, spans: &SpanTree, pointer: &str) -> Location {
        self.found_location(spans.nearest(pointer))
    }

    /// The key of the entry at `pointer` (for unknown and duplicate keys).
    pub fn key_location(&self, spans: &SpanTree, pointer: &str) -> Location {
        self.key_of(spans.nearest(pointer).0)
    }

    /// Where a span-tree walk ended: the value if it was reached, otherwise the nearest
    /// enclosing node.
    fn found_location(&self, (node, exact): (&SpanTree, bool)) -> Location {
        self.location(if exact {
            value_span(node)
        } else {
            anchor_span(node)
        })
    }

    fn key_of(&self, node: &SpanTree) -> Location {
        self.location(node.key_span().unwrap_or_else(|| anchor_span(node)))
    }

    /// A mapping, as a place to report what is missing from it: its key
    /// (`uses:`), or for a list item its first key.
    pub fn mapping_location(&self, spans: &SpanTree, pointer: &str) -> Location {
        let (node, _) = spans.nearest(pointer);
        self.location(anchor_span(node))
    }

    pub(crate) fn doc_interaction_id(&self, index: usize) -> Option<String> {
        self.interaction_ids.get(index).cloned().flatten()
    }
}

/// Where a mapping or list is best pointed at: not its whole extent (many lines) but the
/// key that introduces it, or the first key of a list item.
fn anchor_span(node: &SpanTree) -> Span {
    if let Some(k) = node.key_span() {
        return k;
    }
    match &node.children {
        // Sorted by key: the first written key is the one that starts first.
        SpanChildren::Map(m) => m
            .iter()
            .filter_map(|(_, c)| c.key_span())
            .min_by_key(|k| k.start)
            .map_or(Span::point(node.span.start), |k| k),
        _ => Span::point(node.span.start),
    }
}

/// A scalar's own extent; for a collection, where it starts.
fn value_span(node: &SpanTree) -> Span {
    match node.children {
        SpanChildren::Leaf => node.span,
        _ => anchor_span(node),
    }
}

/// Where a piece of the model was written: a file and a JSON pointer into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: usize,
    pub pointer: String,
}

#[derive(Debug, Clone)]
pub struct ServiceDecl {
    pub name: String,
    pub service: Service,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub struct InteractionDecl {
    /// The interaction with the file's `defaults` merged under its `uses`.
    pub interaction: Interaction,
    pub origin: Origin,
    /// Whether the interaction itself (not only the defaults) has a `uses` block.
    pub declares_uses: bool,
}

impl InteractionDecl {
    pub fn id(&self) -> &str {
        &self.interaction.id
    }

    pub fn uses(&self) -> &Uses {
        static EMPTY: std::sync::OnceLock<Uses> = std::sync::OnceLock::new();
        self.interaction
            .uses
            .as_ref()
            .unwrap_or_else(|| EMPTY.get_or_init(Uses::default))
    }
}

#[derive(Debug, Clone)]
pub struct SuppressionDecl {
    pub suppression: Suppression,
    pub origin: Origin,
}

#[derive(Default)]
pub struct Model {
    pub files: Vec<SourceFile>,
    /// The system name of the first file given on the command line that has one.
    pub system: Option<String>,
    pub description: Option<String>,
    pub services: IndexMap<String, ServiceDecl, foldhash::fast::RandomState>,
    pub interactions: Vec<InteractionDecl>,
    /// Top-level suppressions of every file.
    pub suppressions: Vec<SuppressionDecl>,
}

impl Model {
    /// The location of `field` under `origin`. A field that came from the file's
    /// `defaults` points there; a missing one at the nearest enclosing mapping.
    pub fn at(&self, origin: &Origin, field: Field) -> Location {
        self.locate(origin, field.path())
    }

    /// [`Model::at`] for a pointer that is not a declared [`Field`]: only the
    /// declaration itself (`""`) is meant; every other path is declared in [`fields`].
    pub(crate) fn locate(&self, origin: &Origin, relative: &str) -> Location {
        let file = &self.files[origin.file];
        let Some(spans) = &file.spans else {
            return file.start_location();
        };
        let found = spans.nearest_under(&origin.pointer, relative);
        if !found.1 {
            if let Some(field) = relative.strip_prefix("uses/") {
                if let Some(in_defaults) = self.defaults_location(origin.file, field) {
                    return in_defaults;
                }
            }
        }
        file.found_location(found)
    }

    /// The key of `field` under `origin` (for findings about a whole block).
    pub fn key_at(&self, origin: &Origin, field: Field) -> Location {
        let file = &self.files[origin.file];
        match &file.spans {
            Some(spans) => file.key_of(spans.nearest_under(&origin.pointer, field.path()).0),
            None => file.start_location(),
        }
    }

    /// Whether `field` is written under `origin` (or in the file's defaults, for `uses/…`).
    pub fn is_written(&self, origin: &Origin, field: Field) -> bool {
        let file = &self.files[origin.file];
        let Some(spans) = &file.spans else {
            return false;
        };
        let relative = field.path();
        spans.nearest_under(&origin.pointer, relative).1
            || relative
                .strip_prefix("uses/")
                .is_some_and(|f| self.defaults_location(origin.file, f).is_some())
    }

    /// Where `field` of `uses` is set in the defaults that apply to `file`: its own, then
    /// those of the files that include it, nearest first (the order they are merged in).
    fn defaults_location(&self, mut file: usize, field: &str) -> Option<Location> {
        loop {
            let source = &self.files[file];
            if let Some(spans) = &source.spans {
                let found = spans.nearest_under("/defaults", field);
                if found.1 {
                    return Some(source.found_location(found));
                }
            }
            file = source.included_by?;
        }
    }

    /// First and last line of the node at `origin` as written in its file.
    pub fn line_range(&self, origin: &Origin) -> Option<(u32, u32)> {
        let spans = self.files[origin.file].spans.as_ref()?;
        let node = spans.get(&origin.pointer)?;
        Some((node.span.start.line, node.span.end.line))
    }

    pub fn service(&self, name: &str) -> Option<&ServiceDecl> {
        self.services.get(name)
    }

    pub fn interaction(&self, id: &str) -> Option<&InteractionDecl> {
        self.interactions.iter().find(|i| i.interaction.id == id)
    }
}
