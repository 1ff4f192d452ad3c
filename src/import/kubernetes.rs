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
use super::names::{
    argument_values, hosts_in, image_words, unique_id, DATASTORES, LOAD_GENERATORS,
};
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
    imported.lists_services = resources
        .iter()
        .any(|r| r.kind == "Service" || pod_spec_pointer(r.kind).is_some());
    let cluster = Cluster::build(&resources, &mut imported);
    cluster.calls(&mut imported);
    istio::apply(
        &resources,
        &|host, ns| cluster.resolve(host, ns),
        &mut imported,
    );
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
    /// ConfigMaps by (namespace, name): a workload reads those of its own namespace only.
    config_maps: BTreeMap<(&'d str, &'d str), &'r Resource<'d>>,
    /// Every (namespace, name) an address may use (Service and workload names) → the
    /// service it is imported as.
    names: BTreeMap<(String, String), String>,
    /// Names that Services or unselected workloads of several namespaces have: imported
    /// as `name.namespace`, the name callers of other namespaces use.
    shared_names: BTreeSet<&'d str>,
}

impl<'r, 'd> Cluster<'r, 'd> {
    fn build(resources: &'r [Resource<'d>], imported: &mut Imported) -> Cluster<'r, 'd> {
        let mut services = Vec::new();
        let mut workloads = Vec::new();
        let mut config_maps = BTreeMap::new();
        for r in resources {
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
                config_maps.entry((r.ns(), r.name)).or_insert(r);
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
        let selectors = Selectors::new(&services);
        let selections: Vec<Vec<&'d str>> = workloads
            .iter()
            .map(|w| {
                let mut selecting = selectors.selecting(w);
                selecting.sort_unstable();
                selecting.dedup();
                selecting
            })
            .collect();
        let mut cluster = Cluster {
            workloads: Vec::new(),
            config_maps,
            names: BTreeMap::new(),
            shared_names: shared_names(&services, &workloads, &selections),
        };
        for s in &services {
            cluster.add_service(s, imported);
        }
        let mut selected_by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (w, selecting) in workloads.into_iter().zip(selections) {
            let (name, selecting) = cluster.place_workload(&w, selecting, imported);
            for s in selecting {
                selected_by.entry(s).or_default().insert(name.clone());
            }
            cluster.workloads.push((w, name));
        }
        cluster.fold_second_names(&selected_by, imported);
        cluster
    }

    /// The name a Service or workload of `namespace` is imported under.
    fn model_name(&self, namespace: &str, name: &str) -> String {
        if self.shared_names.contains(name) {
            format!("{name}.{namespace}")
        } else {
            name.to_string()
        }
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
            for name in self.names.values_mut().filter(|n| *n == second) {
                name.clone_from(target);
            }
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
        let namespace = s.ns();
        let name = self.model_name(namespace, s.name);
        self.names
            .insert((namespace.to_string(), s.name.to_string()), name.clone());
        imported.services.entry(name).or_insert(ImportedService {
            service,
            source: s.source(""),
            field_sources,
        });
    }

    /// The service a workload belongs to: the first Service (in name order) of its
    /// namespace whose selector its pod labels match, or the workload itself.
    fn place_workload(
        &mut self,
        w: &Workload<'_, '_>,
        selecting: Vec<&str>,
        imported: &mut Imported,
    ) -> (String, Vec<String>) {
        let r = w.resource;
        let namespace = r.ns();
        let names: Vec<String> = selecting
            .iter()
            .map(|s| self.model_name(namespace, s))
            .collect();
        let name = names
            .first()
            .cloned()
            .unwrap_or_else(|| self.model_name(namespace, r.name));
        if selecting.len() > 1 {
            imported.notes.push(r.note(
                "",
                format!(
                    "{} `{}` is selected by the Services {}; it is imported as `{name}`",
                    r.kind,
                    r.name,
                    selecting.join(", ")
                ),
            ));
        }
        self.names
            .entry((namespace.to_string(), r.name.to_string()))
            .or_insert_with(|| name.clone());
        let entry = imported
            .services
            .entry(name.clone())
            .or_insert_with(|| ImportedService {
                service: Service::default(),
                source: r.source(""),
                field_sources: BTreeMap::new(),
            });
        apply_role(w, entry);
        (name, names)
    }

    /// The namespaces that have a Service or workload named `host`.
    fn namespaces_with(&self, host: &str) -> Vec<&str> {
        let host = host.to_ascii_lowercase();
        let mut out: Vec<&str> = self
            .names
            .keys()
            .filter(|(_, name)| *name == host)
            .map(|(ns, _)| ns.as_str())
            .collect();
        out.dedup();
        out
    }

    /// The service an address's host names, if it is one of the input's. As cluster
    /// DNS resolves it from a pod of `namespace`: `name` in that namespace, and
    /// `name.ns`, `name.ns.svc`, `name.ns.svc.cluster.local` in namespace `ns`.
    fn resolve(&self, host: &str, namespace: &str) -> Option<String> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if let Some(name) = self.names.get(&(namespace.to_string(), host.clone())) {
            return Some(name.clone());
        }
        match host.split('.').collect::<Vec<_>>().as_slice() {
            [name, ns] | [name, ns, "svc"] | [name, ns, "svc", "cluster", "local"] => {
                self.names.get(&(ns.to_string(), name.to_string())).cloned()
            }
            _ => None,
        }
    }
}

/// The names that Services, or workloads no Service selects, have in more than one
/// namespace: one service each would collide in the file, so each is imported as
/// `name.namespace`.
fn shared_names<'d>(
    services: &[&Resource<'d>],
    workloads: &[Workload<'_, 'd>],
    selections: &[Vec<&'d str>],
) -> BTreeSet<&'d str> {
    let mut namespaces: BTreeMap<&'d str, BTreeSet<&'d str>> = BTreeMap::new();
    for s in services {
        namespaces.entry(s.name).or_default().insert(s.ns());
    }
    for (w, selecting) in workloads.iter().zip(selections) {
        if selecting.is_empty() {
            let r = w.resource;
            namespaces.entry(r.name).or_default().insert(r.ns());
        }
    }
    namespaces
        .into_iter()
        .filter(|(_, ns)| ns.len() > 1)
        .map(|(name, _)| name)
        .collect()
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
                if s.ns() == w.resource.ns()
                    && selector.iter().all(|(k, v)| w.labels.get(k) == Some(v))
                {
                    out.push(s.name);
                }
            }
        }
        out
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
    /// The variable, ConfigMap key or argument flag it is the value of.
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
            let namespace = w.resource.ns();
            for address in self.addresses(w, &mut imported.notes) {
                self.call_from(from, namespace, &address, &mut found, &mut imported.notes);
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
        namespace: &str,
        address: &Address<'_>,
        found: &mut BTreeMap<(String, String), ImportedInteraction>,
        notes: &mut Vec<Note>,
    ) {
        let what = if address.key.is_empty() {
            "an argument".to_string()
        } else {
            format!("`{}`", address.key)
        };
        for host in hosts_in(address.key, address.value) {
            let Some(to) = self.resolve(&host, namespace) else {
                let elsewhere = self.namespaces_with(&host);
                let message = if !elsewhere.is_empty() {
                    format!(
                        "{what} names `{host}`, which is not a service of namespace `{namespace}` (the input has one in `{}`, reached as `{host}.<namespace>`): no call imported",
                        elsewhere.join("`, `")
                    )
                } else if host.contains('.') || address.value.contains(':') {
                    format!("{what} names `{host}`, which is not a service of the input: no call imported")
                } else {
                    continue;
                };
                notes.push(Note {
                    source: address.source.clone(),
                    message,
                });
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
                    summary: Some(format!("address in {what}")),
                    uses: Uses::default(),
                    source: address.source.clone(),
                    field_sources: BTreeMap::new(),
                });
        }
    }

    /// Every literal value of the workload's containers' environment, with the values
    /// of the ConfigMaps it refers to, and their `command` and `args`. Init containers
    /// and probes are not read: they run before the service or check it, they do not
    /// make its calls.
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
            for field in ["command", "args"] {
                let at = format!("{containers}/{i}/{field}");
                arguments(r, container.get(field), &at, &mut out);
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
        let namespace = from.ns();
        let Some(cm) = self.config_maps.get(&(namespace, map)) else {
            let elsewhere: Vec<&str> = self
                .config_maps
                .keys()
                .filter(|(_, name)| *name == map)
                .map(|(ns, _)| *ns)
                .collect();
            let message = if elsewhere.is_empty() {
                format!("ConfigMap `{map}` is not in the input: its values are not read")
            } else {
                format!(
                    "ConfigMap `{map}` is not in namespace `{namespace}` (the input has one in `{}`, which a pod of `{namespace}` cannot read): its values are not read",
                    elsewhere.join("`, `")
                )
            };
            notes.push(from.note(at, message));
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

/// The values of a container's `command` or `args` (at `at`) that may hold an address,
/// read as names.rs's `argument_values` says, each located at its own argument.
fn arguments<'a>(r: &Resource<'_>, list: Option<&'a Value>, at: &str, out: &mut Vec<Address<'a>>) {
    let args: Vec<&str> = list
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or(""))
        .collect();
    for (key, value, index) in argument_values(&args) {
        out.push(Address {
            key,
            value,
            source: r.source(&format!("{at}/{index}")),
        });
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
