//! Kubernetes manifests → services and the calls their configuration shows.
//!
//! Services come from Services and workloads (Deployment, StatefulSet, DaemonSet and the
//! other kinds with a pod template): a workload that a Service selects is that Service,
//! since the Service's name is how callers address it. Calls come from addresses in
//! environment variables and ConfigMaps (`env`, `env[].valueFrom.configMapKeyRef`,
//! `envFrom[].configMapRef`), and only when the address names a Service or workload of
//! the input: nothing is invented. A datastore or broker (known by its image or port
//! name) is a service of kind `external` whose own configuration is not read for calls.
//! Istio resources are read by `istio.rs`. docs/import.md is the mapping table.

use super::input::{read_inputs, yaml_documents, Document};
use super::names::{hosts_in, image_words, unique_id, DATASTORES, LOAD_GENERATORS};
use super::resource::Resource;
use super::{istio, Imported, ImportedInteraction, ImportedService, Note, Source};
use crate::model::types::{Service, ServiceKind, Uses};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Reads the manifests in `paths` (files, or folders walked in sorted order).
pub fn import(paths: &[PathBuf]) -> Imported {
    let inputs = read_inputs(paths);
    let mut imported = Imported {
        diagnostics: inputs.diagnostics,
        ..Imported::default()
    };
    for (file, message) in inputs.skipped {
        imported.notes.push(Note {
            source: Source {
                file,
                line: 1,
                column: 1,
            },
            message: format!("skipped: {message}"),
        });
    }
    let mut documents = Vec::new();
    for file in &inputs.files {
        let (docs, findings) = yaml_documents(&file.path, &file.text);
        imported.diagnostics.extend(findings);
        documents.extend(docs);
    }
    let resources = resources(&documents, &mut imported.notes);
    let cluster = Cluster::build(&resources, &mut imported);
    cluster.calls(&mut imported);
    istio::apply(&resources, &|host| cluster.resolve(host), &mut imported);
    imported.services.sort_keys();
    imported.interactions.sort_by(|a, b| a.id.cmp(&b.id));
    imported.notes.sort();
    imported.notes.dedup();
    imported
}

/// Kinds that carry neither a service, a call nor a call setting.
const NOT_CALLS: &[&str] = &[
    "ServiceAccount",
    "Secret",
    "Namespace",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "Ingress",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "NetworkPolicy",
];

/// Every resource, with `List`s opened. A document without `kind` and `metadata.name`
/// is not a Kubernetes resource and is noted.
fn resources<'d>(documents: &'d [Document], notes: &mut Vec<Note>) -> Vec<Resource<'d>> {
    let mut out = Vec::new();
    for doc in documents {
        let mut pending = vec![(String::new(), &doc.value)];
        while let Some((pointer, value)) = pending.pop() {
            let kind = value.get("kind").and_then(Value::as_str);
            if kind.is_some_and(|k| k == "List" || k.ends_with("List")) {
                if let Some(items) = value.get("items").and_then(Value::as_array) {
                    // Reversed onto the stack, so that items are read in order.
                    for (i, item) in items.iter().enumerate().rev() {
                        pending.push((format!("{pointer}/items/{i}"), item));
                    }
                }
                continue;
            }
            let name = value.pointer("/metadata/name").and_then(Value::as_str);
            let (Some(kind), Some(name)) = (kind, name) else {
                notes.push(Note {
                    source: doc.source(&pointer),
                    message: "skipped: not a Kubernetes resource (no `kind` and `metadata.name`)"
                        .into(),
                });
                continue;
            };
            out.push(Resource {
                doc,
                pointer,
                value,
                kind,
                name,
                namespace: value.pointer("/metadata/namespace").and_then(Value::as_str),
            });
        }
    }
    out
}

/// Where a kind keeps its pod spec.
fn pod_spec_pointer(kind: &str) -> Option<&'static str> {
    match kind {
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController" => Some("/spec/template"),
        "CronJob" => Some("/spec/jobTemplate/spec/template"),
        "Pod" => Some(""),
        _ => None,
    }
}

/// A workload: its pod template's labels and containers.
struct Workload<'r, 'd> {
    resource: &'r Resource<'d>,
    /// Pointer of the pod template (`/spec/template`), relative to the resource.
    pod: &'static str,
    labels: BTreeMap<&'d str, &'d str>,
    /// What the workload is, if its image or ports tell: a datastore, a load generator.
    role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Role {
    Plain,
    /// A datastore or broker; the text is the image or port that tells, the pointer
    /// where it is written.
    Datastore(String, String),
    LoadGenerator(String),
}

fn role_of(resource: &Resource<'_>, pod: &str) -> Role {
    let containers = format!("{pod}/spec/containers");
    let Some(list) = resource.at(&containers).and_then(Value::as_array) else {
        return Role::Plain;
    };
    let lowered = resource.name.to_ascii_lowercase();
    if LOAD_GENERATORS.iter().any(|w| lowered.contains(w)) {
        return Role::LoadGenerator(format!("{containers}/0"));
    }
    for (i, container) in list.iter().enumerate() {
        if let Some(image) = container.get("image").and_then(Value::as_str) {
            let lowered = image.to_ascii_lowercase();
            if LOAD_GENERATORS.iter().any(|w| lowered.contains(w)) {
                return Role::LoadGenerator(format!("{containers}/{i}/image"));
            }
            if image_words(&lowered).any(|w| DATASTORES.contains(&w)) {
                return Role::Datastore(
                    format!("image `{image}`"),
                    format!("{containers}/{i}/image"),
                );
            }
        }
        let ports = container.get("ports").and_then(Value::as_array);
        for (j, port) in ports.into_iter().flatten().enumerate() {
            let name = port.get("name").and_then(Value::as_str).unwrap_or("");
            if DATASTORES.contains(&name.to_ascii_lowercase().as_str()) {
                return Role::Datastore(
                    format!("port `{name}`"),
                    format!("{containers}/{i}/ports/{j}/name"),
                );
            }
        }
    }
    Role::Plain
}

fn string_map(value: Option<&Value>) -> BTreeMap<&str, &str> {
    value
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
                .collect()
        })
        .unwrap_or_default()
}

/// The services of the manifests, and how an address resolves to one.
struct Cluster<'r, 'd> {
    workloads: Vec<(Workload<'r, 'd>, String)>,
    config_maps: BTreeMap<&'d str, &'r Resource<'d>>,
    /// Every name an address may use (Service and workload names) → the service.
    names: BTreeMap<String, String>,
    namespaces: BTreeSet<&'d str>,
}

impl<'r, 'd> Cluster<'r, 'd> {
    fn build(resources: &'r [Resource<'d>], imported: &mut Imported) -> Cluster<'r, 'd> {
        let mut services = Vec::new();
        let mut workloads = Vec::new();
        let mut config_maps = BTreeMap::new();
        let mut namespaces = BTreeSet::new();
        for r in resources {
            namespaces.extend(r.namespace);
            if r.kind == "Namespace" {
                namespaces.insert(r.name);
            }
            if let Some(pod) = pod_spec_pointer(r.kind) {
                let labels = string_map(r.at(&format!("{pod}/metadata/labels")));
                let role = role_of(r, pod);
                workloads.push(Workload {
                    resource: r,
                    pod,
                    labels,
                    role,
                });
            } else if r.kind == "Service" {
                services.push(r);
            } else if r.kind == "ConfigMap" {
                config_maps.entry(r.name).or_insert(r);
            } else if !istio::handles(r) {
                let why = if NOT_CALLS.contains(&r.kind) {
                    "carries no service, call or call setting"
                } else {
                    "a kind this importer does not read"
                };
                imported
                    .notes
                    .push(r.note("", format!("skipped {} `{}`: {why}", r.kind, r.name)));
            }
        }
        let mut cluster = Cluster {
            workloads: Vec::new(),
            config_maps,
            names: BTreeMap::new(),
            namespaces,
        };
        for s in &services {
            cluster.add_service(s, imported);
        }
        let selectors = Selectors::new(&services);
        let mut selected_by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for w in workloads {
            let (name, selecting) = cluster.place_workload(&w, &selectors, imported);
            for s in selecting {
                selected_by.entry(s).or_default().insert(name.clone());
            }
            cluster.workloads.push((w, name));
        }
        cluster.fold_second_names(&selected_by, imported);
        cluster
    }

    /// A Service that only gives another name to a workload imported under its first
    /// Service (Online Boutique's `frontend-external`, a LoadBalancer over the pods of
    /// `frontend`) is not a service of its own: callers of either name call the same pods.
    /// Its name resolves to that service, which takes its kind (the front door).
    fn fold_second_names(
        &mut self,
        selected_by: &BTreeMap<String, BTreeSet<String>>,
        imported: &mut Imported,
    ) {
        let placed: BTreeSet<&String> = self.workloads.iter().map(|(_, n)| n).collect();
        for (second, targets) in selected_by {
            let (true, Some(target)) = (targets.len() == 1, targets.first()) else {
                continue;
            };
            if placed.contains(second) || second == target {
                continue;
            }
            let Some(folded) = imported.services.shift_remove(second) else {
                continue;
            };
            self.names.insert(second.clone(), target.clone());
            if let Some(entry) = imported.services.get_mut(target) {
                if entry.service.kind.is_none() {
                    if let Some(kind) = folded.service.kind {
                        entry.service.kind = Some(kind);
                        if let Some(at) = folded.field_sources.get("kind") {
                            entry.field_sources.insert("kind".into(), at.clone());
                        }
                    }
                }
            }
        }
    }

    fn add_service(&mut self, s: &Resource<'_>, imported: &mut Imported) {
        let mut service = Service::default();
        let mut field_sources = BTreeMap::new();
        match s.at("/spec/type").and_then(Value::as_str) {
            // A LoadBalancer is the system's front door: the callers are outside.
            Some("LoadBalancer") => {
                service.kind = Some(ServiceKind::Gateway);
                field_sources.insert("kind".into(), s.source("/spec/type"));
            }
            // An ExternalName Service is a DNS alias for something outside the cluster.
            Some("ExternalName") => {
                service.kind = Some(ServiceKind::External);
                field_sources.insert("kind".into(), s.source("/spec/type"));
            }
            _ => {}
        }
        self.names.insert(s.name.to_string(), s.name.to_string());
        imported
            .services
            .entry(s.name.to_string())
            .or_insert(ImportedService {
                service,
                source: s.source(""),
                field_sources,
            });
    }

    /// The service a workload belongs to: the first Service (in name order) whose
    /// selector its pod labels match, or the workload itself.
    fn place_workload(
        &mut self,
        w: &Workload<'_, '_>,
        selectors: &Selectors<'_, '_>,
        imported: &mut Imported,
    ) -> (String, Vec<String>) {
        let mut selecting = selectors.selecting(w);
        selecting.sort_unstable();
        selecting.dedup();
        let name = selecting.first().map_or(w.resource.name, |s| s).to_string();
        if selecting.len() > 1 {
            imported.notes.push(w.resource.note(
                "",
                format!(
                    "{} `{}` is selected by the Services {}; it is imported as `{name}`",
                    w.resource.kind,
                    w.resource.name,
                    selecting.join(", ")
                ),
            ));
        }
        self.names
            .entry(w.resource.name.to_string())
            .or_insert_with(|| name.clone());
        let entry = imported
            .services
            .entry(name.clone())
            .or_insert_with(|| ImportedService {
                service: Service::default(),
                source: w.resource.source(""),
                field_sources: BTreeMap::new(),
            });
        apply_role(w, entry);
        (name, selecting.into_iter().map(str::to_string).collect())
    }

    /// The service an address's host names, if it is one of the input's.
    fn resolve(&self, host: &str) -> Option<String> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if let Some(name) = self.names.get(&host) {
            return Some(name.clone());
        }
        let labels: Vec<&str> = host.split('.').collect();
        let in_cluster = match labels.as_slice() {
            [_, _, "svc"] | [_, _, "svc", "cluster", "local"] => true,
            [_, namespace] => self.namespaces.contains(namespace),
            _ => false,
        };
        in_cluster
            .then(|| self.names.get(labels[0]).cloned())
            .flatten()
    }
}

/// The Services' selectors, indexed by their first label so that each workload is
/// compared with the Services that may select it only.
struct Selectors<'r, 'd> {
    services: Vec<(&'r Resource<'d>, BTreeMap<&'d str, &'d str>)>,
    by_first: BTreeMap<(&'d str, &'d str), Vec<usize>>,
}

impl<'r, 'd> Selectors<'r, 'd> {
    fn new(services: &[&'r Resource<'d>]) -> Selectors<'r, 'd> {
        let mut out = Selectors {
            services: Vec::new(),
            by_first: BTreeMap::new(),
        };
        for s in services {
            let selector = string_map(s.at("/spec/selector"));
            let Some((&k, &v)) = selector.iter().next() else {
                continue;
            };
            out.by_first
                .entry((k, v))
                .or_default()
                .push(out.services.len());
            out.services.push((s, selector));
        }
        out
    }

    /// The names of the Services whose selector the workload's pod labels match.
    fn selecting(&self, w: &Workload<'_, 'd>) -> Vec<&'d str> {
        let mut out = Vec::new();
        for (k, v) in &w.labels {
            for &i in self.by_first.get(&(*k, *v)).into_iter().flatten() {
                let (s, selector) = &self.services[i];
                if same_namespace(s.namespace, w.resource.namespace)
                    && selector.iter().all(|(k, v)| w.labels.get(k) == Some(v))
                {
                    out.push(s.name);
                }
            }
        }
        out
    }
}

fn same_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

fn apply_role(w: &Workload<'_, '_>, entry: &mut ImportedService) {
    match &w.role {
        Role::Plain => {}
        Role::Datastore(why, pointer) => {
            entry.service.kind = Some(ServiceKind::External);
            entry.service.description = Some(format!("datastore or broker ({why})"));
            let at = w.resource.source(pointer);
            entry.field_sources.insert("kind".into(), at.clone());
            entry.field_sources.insert("description".into(), at);
        }
        Role::LoadGenerator(pointer) => {
            entry.service.kind = Some(ServiceKind::Client);
            entry
                .field_sources
                .insert("kind".into(), w.resource.source(pointer));
        }
    }
}

/// One address found in a workload's configuration.
struct Address<'v> {
    /// The variable or ConfigMap key it is the value of.
    key: &'v str,
    value: &'v str,
    source: Source,
}

impl Cluster<'_, '_> {
    fn calls(&self, imported: &mut Imported) {
        let mut found: BTreeMap<(String, String), ImportedInteraction> = BTreeMap::new();
        for (w, from) in &self.workloads {
            note_probes(w, &mut imported.notes);
            if let Role::Datastore(why, _) = &w.role {
                imported.notes.push(w.resource.note(
                    "",
                    format!(
                        "{} `{}` is a datastore or broker ({why}): its own configuration is not read for calls",
                        w.resource.kind, w.resource.name
                    ),
                ));
                continue;
            }
            for address in self.addresses(w, &mut imported.notes) {
                self.call_from(from, &address, &mut found, &mut imported.notes);
            }
        }
        let mut ids = BTreeSet::new();
        for ((from, to), mut interaction) in found {
            interaction.id = unique_id(&from, &to, &mut ids);
            imported.interactions.push(interaction);
        }
    }

    fn call_from(
        &self,
        from: &str,
        address: &Address<'_>,
        found: &mut BTreeMap<(String, String), ImportedInteraction>,
        notes: &mut Vec<Note>,
    ) {
        for host in hosts_in(address.key, address.value) {
            let Some(to) = self.resolve(&host) else {
                if host.contains('.') || address.value.contains(':') {
                    notes.push(Note {
                        source: address.source.clone(),
                        message: format!(
                            "`{}` names `{host}`, which is not a service of the input: no call imported",
                            address.key
                        ),
                    });
                }
                continue;
            };
            if to == from {
                continue;
            }
            found
                .entry((from.to_string(), to.clone()))
                .or_insert_with(|| ImportedInteraction {
                    id: String::new(),
                    from: from.to_string(),
                    to,
                    summary: Some(format!("address in `{}`", address.key)),
                    uses: Uses::default(),
                    source: address.source.clone(),
                    field_sources: BTreeMap::new(),
                });
        }
    }

    /// Every literal value of the workload's containers' environment, with the values
    /// of the ConfigMaps it refers to.
    fn addresses<'a>(&'a self, w: &'a Workload<'_, '_>, notes: &mut Vec<Note>) -> Vec<Address<'a>> {
        let r = w.resource;
        let mut out = Vec::new();
        let containers = format!("{}/spec/containers", w.pod);
        let list = r.at(&containers).and_then(Value::as_array);
        for (i, container) in list.into_iter().flatten().enumerate() {
            let env = container.get("env").and_then(Value::as_array);
            for (j, var) in env.into_iter().flatten().enumerate() {
                let at = format!("{containers}/{i}/env/{j}");
                let key = var.get("name").and_then(Value::as_str).unwrap_or("");
                if let Some(value) = var.get("value").and_then(Value::as_str) {
                    let source = r.source(&format!("{at}/value"));
                    out.push(Address { key, value, source });
                } else if let Some(cm) = var.pointer("/valueFrom/configMapKeyRef") {
                    let map = cm.get("name").and_then(Value::as_str).unwrap_or("");
                    let wanted = cm.get("key").and_then(Value::as_str).unwrap_or("");
                    self.config_values(map, Some(wanted), &mut out, notes, r, &at);
                }
            }
            let env_from = container.get("envFrom").and_then(Value::as_array);
            for (j, source) in env_from.into_iter().flatten().enumerate() {
                if let Some(map) = source.pointer("/configMapRef/name").and_then(Value::as_str) {
                    let at = format!("{containers}/{i}/envFrom/{j}");
                    self.config_values(map, None, &mut out, notes, r, &at);
                }
            }
        }
        out
    }

    fn config_values<'a>(
        &'a self,
        map: &str,
        key: Option<&str>,
        out: &mut Vec<Address<'a>>,
        notes: &mut Vec<Note>,
        from: &Resource<'_>,
        at: &str,
    ) {
        let Some(cm) = self.config_maps.get(map) else {
            notes.push(from.note(
                at,
                format!("ConfigMap `{map}` is not in the input: its values are not read"),
            ));
            return;
        };
        let Some(data) = cm.at("/data").and_then(Value::as_object) else {
            return;
        };
        for (k, v) in data {
            if key.is_some_and(|wanted| wanted != k) {
                continue;
            }
            if let Some(value) = v.as_str() {
                let pointer = format!("/data/{}", crate::model::yaml::escape_pointer_token(k));
                out.push(Address {
                    key: k,
                    value,
                    source: cm.source(&pointer),
                });
            }
        }
    }
}

/// A probe's `timeoutSeconds` bounds a health check of the kubelet, not a call between
/// services: noted, so that nobody looks for it in the file.
fn note_probes(w: &Workload<'_, '_>, notes: &mut Vec<Note>) {
    let containers = format!("{}/spec/containers", w.pod);
    let list = w.resource.at(&containers).and_then(Value::as_array);
    for (i, container) in list.into_iter().flatten().enumerate() {
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            let pointer = format!("{containers}/{i}/{probe}/timeoutSeconds");
            if w.resource.at(&pointer).is_some() {
                let name = container.get("name").and_then(Value::as_str).unwrap_or("");
                notes.push(w.resource.note(
                    &pointer,
                    format!(
                        "{} `{}`: the {probe} timeout of container `{name}` is a health check's, not a call timeout; not imported",
                        w.resource.kind, w.resource.name
                    ),
                ));
            }
        }
    }
}
