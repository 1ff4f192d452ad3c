//! Reading deployed configuration (Kubernetes manifests with their Istio resources,
//! docker-compose files, AsyncAPI documents) into the shape of an architecture file.
//!
//! Every importer produces an [`Imported`]: services and interactions in the model's own
//! types, and for every value the place it was read from, so that the written file can
//! comment each value with its source and `drift` can point at both sides. An importer
//! never invents a value: a setting that is not in the input stays `None`.

pub mod asyncapi;
pub mod compose;
pub mod input;
mod istio;
pub mod kubernetes;
pub mod matching;
pub mod merge;
mod names;
mod resource;
pub mod write;

use crate::finding::Finding;
use crate::model::types::{Service, Uses};
use indexmap::IndexMap;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// What `commsplan import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Kubernetes manifests, with the Istio resources found among them.
    Kubernetes,
    /// docker-compose files.
    Compose,
    /// AsyncAPI 2.x and 3.0 documents, with the files their relative `$ref`s name.
    Asyncapi,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Kubernetes => "kubernetes",
            Kind::Compose => "compose",
            Kind::Asyncapi => "asyncapi",
        }
    }
}

/// Reads `paths` (files, or folders walked in sorted order) with the importer of `kind`.
pub fn import(kind: Kind, paths: &[PathBuf]) -> Imported {
    match kind {
        Kind::Kubernetes => kubernetes::import(paths),
        Kind::Compose => compose::import(paths),
        Kind::Asyncapi => asyncapi::import(paths),
    }
}

/// Whether a service name has a word of a datastore or broker (`orders-db`,
/// `postgres`, `redis-cache`), as the importers recognise images.
pub fn names_a_datastore(name: &str) -> bool {
    names::image_words(&name.to_ascii_lowercase()).any(|w| names::DATASTORES.contains(&w))
}

/// Where an imported value was read: a file and a 1-based line (and column).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Source {
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A service read from the input.
#[derive(Debug, Clone)]
pub struct ImportedService {
    /// What is known of it, in the model's type (`kind`, `description`, ...).
    pub service: Service,
    /// Where it is declared (the workload, the compose service, the AsyncAPI document).
    pub source: Source,
    /// Where each of its fields was read, keyed by the field's path under the service
    /// (`kind`, `description`).
    pub field_sources: BTreeMap<String, Source>,
}

/// An interaction read from the input.
#[derive(Debug, Clone)]
pub struct ImportedInteraction {
    /// Deterministic id, `from-to` (with a suffix where two interactions share it).
    pub id: String,
    pub from: String,
    pub to: String,
    pub summary: Option<String>,
    /// The call settings found for it, in the model's type.
    pub uses: Uses,
    /// Where the interaction itself was found (the address in an environment variable,
    /// the AsyncAPI operation).
    pub source: Source,
    /// Where each setting was read, keyed by its path under `uses` with `/` between
    /// levels (`timeout_ms`, `retry/max_attempts`, `circuit_breaker/open_ms`).
    pub field_sources: BTreeMap<String, Source>,
}

impl Imported {
    /// The services that are mesh ingress gateways (an Istio Gateway).
    pub fn ingress_gateways(&self) -> std::collections::BTreeSet<String> {
        self.services
            .iter()
            .filter(|(_, s)| {
                s.service.kind == Some(crate::model::types::ServiceKind::Gateway)
                    && s.service.mesh.is_some()
            })
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// The policies that no interaction takes (their callers are not visible).
    pub fn unattached_policies(&self) -> Vec<&DestinationPolicy> {
        let gateways = self.ingress_gateways();
        let mut callers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for i in &self.interactions {
            callers
                .entry(i.to.as_str())
                .or_default()
                .push(i.from.as_str());
        }
        self.policies
            .iter()
            .filter(|p| {
                !callers
                    .get(p.host.as_str())
                    .is_some_and(|c| c.iter().any(|from| p.applies_to(from, &gateways)))
            })
            .collect()
    }
}

/// A note about something read but not imported (an unknown kind, fault injection,
/// a probe timeout): printed on stderr and at the top of the written file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    pub source: Source,
    pub message: String,
}

/// Call settings that the input declares for every call to one service (an Istio
/// VirtualService or DestinationRule for its host). They are merged into the `uses` of
/// each interaction that goes to `host`; a policy whose host no visible interaction
/// reaches is kept here, so that the written file can show it rather than lose it.
#[derive(Debug, Clone)]
pub struct DestinationPolicy {
    /// The service the calls go to.
    pub host: String,
    /// Which callers it applies to.
    pub callers: Callers,
    pub uses: Uses,
    /// Where the resource that declares the policy starts.
    pub source: Source,
    /// As [`ImportedInteraction::field_sources`].
    pub field_sources: BTreeMap<String, Source>,
}

impl DestinationPolicy {
    /// Whether the policy applies to a call from `from`, given the names of the ingress
    /// gateways ([`Imported::ingress_gateways`]).
    pub fn applies_to(&self, from: &str, gateways: &std::collections::BTreeSet<String>) -> bool {
        match &self.callers {
            Callers::All => true,
            Callers::Mesh => !gateways.contains(from),
            Callers::Gateway(g) => g == from,
        }
    }
}

/// The callers a [`DestinationPolicy`] applies to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Callers {
    /// Every caller (an Istio DestinationRule).
    All,
    /// Services in the mesh, not ingress gateways (a VirtualService for the mesh).
    Mesh,
    /// The calls of this ingress gateway (a VirtualService bound to it).
    Gateway(String),
}

/// The outcome of one import: what was read, what was skipped, and located
/// diagnostics for input that could not be read (broken YAML, a `$ref` outside the tree).
#[derive(Debug, Default)]
pub struct Imported {
    pub system: Option<String>,
    pub services: IndexMap<String, ImportedService>,
    pub interactions: Vec<ImportedInteraction>,
    /// Every destination policy read, applied to `interactions` already.
    pub policies: Vec<DestinationPolicy>,
    pub notes: Vec<Note>,
    pub diagnostics: Vec<Finding>,
    /// Whether the input lists the services it deploys (Kubernetes Services or
    /// workloads, compose services), so that a service missing from it is not deployed
    /// by it. Istio resources alone and AsyncAPI documents describe some services only.
    pub lists_services: bool,
}
