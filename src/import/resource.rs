//! One resource of a Kubernetes manifest, as the Kubernetes and Istio importers read it.

use super::input::Document;
use super::{Note, Source};
use serde_json::Value;

/// One resource of a manifest (a document, or an item of a `List`).
pub(super) struct Resource<'d> {
    pub doc: &'d Document,
    /// JSON pointer of the resource in its document (`""`, or `/items/3`).
    pub pointer: String,
    pub value: &'d Value,
    pub kind: &'d str,
    pub name: &'d str,
    pub namespace: Option<&'d str>,
}

impl<'d> Resource<'d> {
    /// The namespace the resource is in: the one it writes, else `default`, where
    /// Kubernetes puts a resource that names none (applied without `--namespace`).
    pub fn ns(&self) -> &'d str {
        self.namespace.unwrap_or("default")
    }

    pub fn source(&self, relative: &str) -> Source {
        self.doc.source(&format!("{}{relative}", self.pointer))
    }

    pub fn at(&self, relative: &str) -> Option<&'d Value> {
        self.value.pointer(relative)
    }

    pub fn note(&self, relative: &str, message: String) -> Note {
        Note {
            source: self.source(relative),
            message,
        }
    }
}
