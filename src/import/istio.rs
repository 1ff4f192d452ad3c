//! Istio resources → call settings on the interactions to their destination.
//!
//! A VirtualService's `http[]` routes carry the request `timeout` and `retries`; a
//! DestinationRule's `trafficPolicy` carries the connection pool and outlier detection.
//! Both apply to every call to their host, so they are attached to every interaction
//! whose callee is that host (a VirtualService bound to an ingress Gateway only to the
//! gateway's calls). Routing (matches, weights, subsets, mirrors) and fault injection
//! are not call settings: they are noted, not imported. Semantics, from the Istio
//! reference (https://istio.io/latest/docs/reference/config/networking/):
//! - `HTTPRoute.timeout`: "Timeout for HTTP requests, default is disabled."
//! - `HTTPRetry.attempts`: "Number of retries to be allowed for a given request", so the
//!   first attempt is not counted: `max_attempts` (which counts it) is `attempts + 1`.
//! - `ConnectionPoolSettings.HTTPSettings.maxRequestsPerConnection`: "Setting this
//!   parameter to 1 disables keep alive."; `http2MaxRequests`: "Maximum number of
//!   requests to a backend"; `http1MaxPendingRequests`: "Maximum number of pending HTTP
//!   requests to a destination" (the CRD descriptions in istio/api).
//! - `OutlierDetection`: a host is ejected after `consecutive5xxErrors` errors in a row,
//!   for `baseEjectionTime`. docs/import.md explains how this reads as a breaker.

use super::names::unique_id;
use super::resource::Resource;
use super::{
    Callers, DestinationPolicy, Imported, ImportedInteraction, ImportedService, Note, Source,
};
use crate::model::types::{
    Bulkhead, CircuitBreaker, MeshStack, Pool, Retry, Service, ServiceKind, Uses,
};
use indexmap::IndexMap;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const KINDS: &[&str] = &["VirtualService", "DestinationRule", "Gateway"];

/// Whether this module reads the resource.
pub(super) fn handles(r: &Resource<'_>) -> bool {
    KINDS.contains(&r.kind) && is_istio(r)
}

fn is_istio(r: &Resource<'_>) -> bool {
    r.value
        .get("apiVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("networking.istio.io/"))
}

/// Reads the Istio resources among `resources` and applies their settings. `resolve`
/// gives the service a host names from a namespace: Istio reads a short host name
/// relative to the namespace of the rule that writes it.
pub(super) fn apply(
    resources: &[Resource<'_>],
    resolve: &dyn Fn(&str, &str) -> Option<String>,
    imported: &mut Imported,
) {
    let istio: Vec<&Resource<'_>> = resources.iter().filter(|r| handles(r)).collect();
    let gateways: BTreeSet<&str> = istio
        .iter()
        .filter(|r| r.kind == "Gateway")
        .map(|r| r.name)
        .collect();
    for r in istio.iter().filter(|r| r.kind == "Gateway") {
        add_gateway(r, imported);
    }
    for r in istio.iter().filter(|r| r.kind == "VirtualService") {
        virtual_service(r, resolve, &gateways, imported);
    }
    finish_gateway_calls(imported);
    for r in istio.iter().filter(|r| r.kind == "DestinationRule") {
        destination_rule(r, resolve, imported);
    }
    attach(imported);
}

/// An Istio ingress Gateway is a service of kind `gateway`: the system's front door.
fn add_gateway(r: &Resource<'_>, imported: &mut Imported) {
    if imported.services.contains_key(r.name) {
        imported.notes.push(r.note(
            "",
            format!(
                "Gateway `{}` has the name of a service; it is not imported",
                r.name
            ),
        ));
        return;
    }
    let mut field_sources = BTreeMap::new();
    field_sources.insert("kind".to_string(), r.source("/kind"));
    let service = Service {
        kind: Some(ServiceKind::Gateway),
        mesh: Some(MeshStack::Istio),
        ..Service::default()
    };
    field_sources.insert("mesh".to_string(), r.source("/apiVersion"));
    imported.services.insert(
        r.name.to_string(),
        ImportedService {
            service,
            source: r.source(""),
            field_sources,
        },
    );
}

/// The gateways a VirtualService is bound to: names of Gateways of the input, and
/// `None` for the sidecars of the mesh (`mesh`, or no `gateways` at all).
fn bound_to(r: &Resource<'_>, gateways: &BTreeSet<&str>) -> Vec<Option<String>> {
    let Some(list) = r.at("/spec/gateways").and_then(Value::as_array) else {
        return vec![None];
    };
    let mut out = Vec::new();
    for g in list.iter().filter_map(Value::as_str) {
        // `namespace/name` names a Gateway of another namespace.
        let name = g.rsplit('/').next().unwrap_or(g);
        if g == "mesh" {
            out.push(None);
        } else if gateways.contains(name) {
            out.push(Some(name.to_string()));
        }
    }
    out
}

fn virtual_service(
    r: &Resource<'_>,
    resolve: &dyn Fn(&str, &str) -> Option<String>,
    gateways: &BTreeSet<&str>,
    imported: &mut Imported,
) {
    let callers = bound_to(r, gateways);
    let routes = r.at("/spec/http").and_then(Value::as_array);
    for key in ["tcp", "tls"] {
        if r.at(&format!("/spec/{key}")).is_some() {
            imported.notes.push(r.note(
                &format!("/spec/{key}"),
                format!("VirtualService `{}`: `{key}` routes are not read", r.name),
            ));
        }
    }
    for (i, route) in routes.into_iter().flatten().enumerate() {
        let at = format!("/spec/http/{i}");
        note_routing(r, route, &at, &mut imported.notes);
        let (uses, field_sources) = route_settings(r, route, &at, &mut imported.notes);
        let destinations = route.get("route").and_then(Value::as_array);
        for (j, d) in destinations.into_iter().flatten().enumerate() {
            let Some(host) = d.pointer("/destination/host").and_then(Value::as_str) else {
                continue;
            };
            let host_at = format!("{at}/route/{j}/destination/host");
            let Some(service) = resolve(host, r.ns()) else {
                imported.notes.push(r.note(
                    &host_at,
                    format!("VirtualService `{}` routes to `{host}`, which is not a service of the input", r.name),
                ));
                continue;
            };
            for caller in &callers {
                if let Some(gateway) = caller {
                    gateway_call(gateway, &service, r.source(&host_at), imported);
                }
                push_policy(
                    imported,
                    DestinationPolicy {
                        host: service.clone(),
                        callers: caller.clone().map_or(Callers::Mesh, Callers::Gateway),
                        uses: uses.clone(),
                        source: r.source(""),
                        field_sources: field_sources.clone(),
                    },
                );
            }
        }
    }
}

/// Matches, weights, subsets, mirrors and faults decide where a request goes or break
/// it on purpose: none is a setting of the call.
fn note_routing(r: &Resource<'_>, route: &Value, at: &str, notes: &mut Vec<Note>) {
    let name = r.name;
    if route.get("fault").is_some() {
        notes.push(r.note(
            &format!("{at}/fault"),
            format!("VirtualService `{name}`: fault injection is a test, not a call setting; not imported"),
        ));
    }
    for key in ["mirror", "mirrorPercentage"] {
        if route.get(key).is_some() {
            notes.push(r.note(
                &format!("{at}/{key}"),
                format!("VirtualService `{name}`: `{key}` (traffic mirroring) is not a call setting; not imported"),
            ));
        }
    }
    let destinations = route.get("route").and_then(Value::as_array);
    let split = destinations
        .into_iter()
        .flatten()
        .any(|d| d.get("weight").is_some() || d.pointer("/destination/subset").is_some());
    if split || route.get("match").is_some() {
        notes.push(r.note(
            at,
            format!("VirtualService `{name}`: routing (matches, weights, subsets) is not a call setting; not imported"),
        ));
    }
}

/// The `timeout` and `retries` of one HTTP route.
fn route_settings(
    r: &Resource<'_>,
    route: &Value,
    at: &str,
    notes: &mut Vec<Note>,
) -> (Uses, BTreeMap<String, Source>) {
    let mut uses = Uses::default();
    let mut sources = BTreeMap::new();
    if let Some(text) = route.get("timeout").and_then(Value::as_str) {
        let pointer = format!("{at}/timeout");
        match duration_ms(text) {
            Some(0) => notes.push(r.note(
                &pointer,
                format!(
                    "VirtualService `{}`: timeout {text} disables the timeout",
                    r.name
                ),
            )),
            Some(ms) => {
                uses.timeout_ms = Some(ms);
                sources.insert("timeout_ms".into(), r.source(&pointer));
            }
            None => notes.push(r.note(
                &pointer,
                format!("`{text}` is not a duration; not imported"),
            )),
        }
    }
    if let Some(retries) = route.get("retries") {
        let pointer = format!("{at}/retries");
        if let Some(n) = retries.get("attempts").and_then(Value::as_u64) {
            let total = u32::try_from(n).unwrap_or(u32::MAX - 1).saturating_add(1);
            uses.retry = Some(Retry {
                max_attempts: Some(total),
                ..Retry::default()
            });
            sources.insert(
                "retry/max_attempts".into(),
                r.source(&format!("{pointer}/attempts")),
            );
        }
        for key in ["perTryTimeout", "retryOn"] {
            if let Some(v) = retries.get(key).and_then(Value::as_str) {
                notes.push(r.note(
                    &format!("{pointer}/{key}"),
                    format!(
                        "VirtualService `{}`: retries.{key} `{v}` has no field in the architecture file; not imported",
                        r.name
                    ),
                ));
            }
        }
    }
    (uses, sources)
}

fn destination_rule(
    r: &Resource<'_>,
    resolve: &dyn Fn(&str, &str) -> Option<String>,
    imported: &mut Imported,
) {
    let Some(host) = r.at("/spec/host").and_then(Value::as_str) else {
        return;
    };
    let Some(service) = resolve(host, r.ns()) else {
        imported.notes.push(r.note(
            "/spec/host",
            format!(
                "DestinationRule `{}` is for `{host}`, which is not a service of the input",
                r.name
            ),
        ));
        return;
    };
    if r.at("/spec/subsets")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|s| s.get("trafficPolicy").is_some()))
    {
        imported.notes.push(r.note(
            "/spec/subsets",
            format!("DestinationRule `{}`: a subset's own trafficPolicy applies to some versions only; not imported", r.name),
        ));
    }
    let mut uses = Uses::default();
    let mut sources = BTreeMap::new();
    let at = "/spec/trafficPolicy";
    connection_pool(
        r,
        &format!("{at}/connectionPool"),
        &mut uses,
        &mut sources,
        &mut imported.notes,
    );
    outlier_detection(
        r,
        &format!("{at}/outlierDetection"),
        &mut uses,
        &mut sources,
        &mut imported.notes,
    );
    if r.at(&format!("{at}/portLevelSettings")).is_some() {
        imported.notes.push(r.note(
            &format!("{at}/portLevelSettings"),
            format!(
                "DestinationRule `{}`: portLevelSettings are not read",
                r.name
            ),
        ));
    }
    // A DestinationRule applies to every caller, ingress gateways included.
    push_policy(
        imported,
        DestinationPolicy {
            host: service,
            callers: Callers::All,
            uses,
            source: r.source(""),
            field_sources: sources,
        },
    );
}

fn number(r: &Resource<'_>, pointer: &str) -> Option<u32> {
    r.at(pointer)
        .and_then(Value::as_u64)
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

fn connection_pool(
    r: &Resource<'_>,
    at: &str,
    uses: &mut Uses,
    sources: &mut BTreeMap<String, Source>,
    notes: &mut Vec<Note>,
) {
    let mut pool = Pool::default();
    let mut bulkhead = Bulkhead::default();
    let set = |field: &str, pointer: String, sources: &mut BTreeMap<String, Source>| {
        sources.insert(field.to_string(), r.source(&pointer));
    };
    let p = |rel: &str| format!("{at}/{rel}");
    if let Some(n) = number(r, &p("tcp/maxConnections")).filter(|n| *n > 0) {
        pool.max_connections = Some(n);
        set("pool/max_connections", p("tcp/maxConnections"), sources);
    }
    // `maxRequests` is the newer name of `http2MaxRequests` (istio/api#1871). A 0 leaves
    // Istio's default (unlimited) in place, as for the other limits.
    for key in ["http/http2MaxRequests", "http/maxRequests"] {
        let found = number(r, &p(key)).filter(|n| *n > 0);
        if let Some(n) = found.filter(|_| bulkhead.max_concurrent.is_none()) {
            bulkhead.max_concurrent = Some(n);
            set("bulkhead/max_concurrent", p(key), sources);
        }
    }
    if let Some(n) = number(r, &p("http/http1MaxPendingRequests")).filter(|n| *n > 0) {
        bulkhead.max_queue = Some(n);
        set(
            "bulkhead/max_queue",
            p("http/http1MaxPendingRequests"),
            sources,
        );
    }
    if number(r, &p("http/maxRequestsPerConnection")) == Some(1) {
        pool.keep_alive = Some(false);
        set(
            "pool/keep_alive",
            p("http/maxRequestsPerConnection"),
            sources,
        );
    }
    if let Some(ms) = r
        .at(&p("http/idleTimeout"))
        .and_then(Value::as_str)
        .and_then(duration_ms)
    {
        pool.idle_timeout_ms = Some(ms);
        set("pool/idle_timeout_ms", p("http/idleTimeout"), sources);
    }
    for rel in ["tcp/connectTimeout", "http/maxRetries", "tcp/tcpKeepalive"] {
        if r.at(&p(rel)).is_some() {
            notes.push(r.note(
                &p(rel),
                format!("DestinationRule `{}`: connectionPool.{} has no field in the architecture file; not imported", r.name, rel.replace('/', ".")),
            ));
        }
    }
    if pool.max_connections.is_some() || pool.keep_alive.is_some() || pool.idle_timeout_ms.is_some()
    {
        uses.pool = Some(pool);
    }
    if bulkhead.max_concurrent.is_some() || bulkhead.max_queue.is_some() {
        uses.bulkhead = Some(bulkhead);
    }
}

fn outlier_detection(
    r: &Resource<'_>,
    at: &str,
    uses: &mut Uses,
    sources: &mut BTreeMap<String, Source>,
    notes: &mut Vec<Note>,
) {
    if r.at(at).is_none() {
        return;
    }
    let mut breaker = CircuitBreaker::default();
    let p = |rel: &str| format!("{at}/{rel}");
    // `consecutiveErrors` is the older name of `consecutive5xxErrors`.
    let errors = [
        "consecutive5xxErrors",
        "consecutiveGatewayErrors",
        "consecutiveErrors",
    ]
    .into_iter()
    .find_map(|k| number(r, &p(k)).filter(|n| *n > 0).map(|n| (k, n)));
    if let Some((key, n)) = errors {
        // N errors in a row are a failure rate of 100 % over the last N calls.
        breaker.min_calls = Some(n);
        breaker.failure_rate_percent = Some(100.0);
        sources.insert("circuit_breaker/min_calls".into(), r.source(&p(key)));
        sources.insert(
            "circuit_breaker/failure_rate_percent".into(),
            r.source(&p(key)),
        );
    }
    if let Some(ms) = r
        .at(&p("baseEjectionTime"))
        .and_then(Value::as_str)
        .and_then(duration_ms)
    {
        breaker.open_ms = Some(ms);
        sources.insert(
            "circuit_breaker/open_ms".into(),
            r.source(&p("baseEjectionTime")),
        );
    }
    for rel in ["interval", "maxEjectionPercent", "minHealthPercent"] {
        if r.at(&p(rel)).is_some() {
            notes.push(r.note(
                &p(rel),
                format!("DestinationRule `{}`: outlierDetection.{rel} has no field in the architecture file; not imported", r.name),
            ));
        }
    }
    if breaker.min_calls.is_some() || breaker.open_ms.is_some() {
        uses.circuit_breaker = Some(breaker);
    }
}

/// The ingress gateway calls the service a VirtualService bound to it routes to. Ids
/// are given, and repeated pairs dropped, once all routes are read
/// ([`finish_gateway_calls`]).
fn gateway_call(gateway: &str, service: &str, source: Source, imported: &mut Imported) {
    imported.interactions.push(ImportedInteraction {
        id: String::new(),
        from: gateway.to_string(),
        to: service.to_string(),
        summary: Some("ingress route of a VirtualService".into()),
        uses: Uses::default(),
        source,
        field_sources: BTreeMap::new(),
    });
}

fn finish_gateway_calls(imported: &mut Imported) {
    let mut pairs: BTreeSet<(String, String)> = BTreeSet::new();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for i in imported.interactions.iter().filter(|i| !i.id.is_empty()) {
        pairs.insert((i.from.clone(), i.to.clone()));
        ids.insert(i.id.clone());
    }
    imported.interactions.retain_mut(|i| {
        if !i.id.is_empty() {
            return true;
        }
        if !pairs.insert((i.from.clone(), i.to.clone())) {
            return false;
        }
        i.id = unique_id(&i.from, &i.to, &mut ids);
        true
    });
}

fn push_policy(imported: &mut Imported, policy: DestinationPolicy) {
    imported.policies.push(policy);
}

/// One policy per host and callers: the settings of every resource for them, the first
/// read kept where two set the same field differently (and the other noted).
fn combine_policies(imported: &mut Imported) {
    let mut combined: IndexMap<(String, Callers), DestinationPolicy> = IndexMap::new();
    for policy in std::mem::take(&mut imported.policies) {
        match combined.entry((policy.host.clone(), policy.callers.clone())) {
            indexmap::map::Entry::Vacant(e) => {
                e.insert(policy);
            }
            indexmap::map::Entry::Occupied(mut e) => {
                let into = e.get_mut();
                let what = format!("calls to `{}`", into.host);
                merge_uses(
                    (&mut into.uses, &mut into.field_sources),
                    (&policy.uses, &policy.field_sources),
                    &what,
                    &mut imported.notes,
                );
            }
        }
    }
    imported.policies = combined.into_values().collect();
}

/// Merges each policy into the interactions it applies to.
fn attach(imported: &mut Imported) {
    combine_policies(imported);
    let gateways = imported.ingress_gateways();
    let mut by_target: BTreeMap<(&str, &Callers), &DestinationPolicy> = BTreeMap::new();
    for policy in &imported.policies {
        by_target.insert((policy.host.as_str(), &policy.callers), policy);
    }
    let mut notes = Vec::new();
    for interaction in &mut imported.interactions {
        let from_gateway = gateways.contains(&interaction.from);
        let gateway = Callers::Gateway(interaction.from.clone());
        let classes = [
            Some(&Callers::All),
            (!from_gateway).then_some(&Callers::Mesh),
            from_gateway.then_some(&gateway),
        ];
        for callers in classes.into_iter().flatten() {
            let Some(policy) = by_target.get(&(interaction.to.as_str(), callers)) else {
                continue;
            };
            let what = format!("`{}`", interaction.id);
            merge_uses(
                (&mut interaction.uses, &mut interaction.field_sources),
                (&policy.uses, &policy.field_sources),
                &what,
                &mut notes,
            );
            if interaction.uses.mesh.is_none() {
                interaction.uses.mesh = Some(MeshStack::Istio);
                interaction
                    .field_sources
                    .insert("mesh".into(), policy.source.clone());
            }
        }
        if from_gateway && interaction.uses.mesh.is_none() {
            interaction.uses.mesh = Some(MeshStack::Istio);
            let at = imported.services[&interaction.from].source.clone();
            interaction.field_sources.insert("mesh".into(), at);
        }
    }
    imported.notes.extend(notes);
}

type Settings<'a> = (&'a mut Uses, &'a mut BTreeMap<String, Source>);

/// Adds the fields of `from` that `into` does not set; a field both set differently
/// keeps `into`'s value and is noted.
fn merge_uses(
    into: Settings<'_>,
    from: (&Uses, &BTreeMap<String, Source>),
    what: &str,
    notes: &mut Vec<Note>,
) {
    let (uses, sources) = into;
    let mine = serde_json::to_value(&*uses).unwrap_or(Value::Null);
    let theirs = serde_json::to_value(from.0).unwrap_or(Value::Null);
    let mut merged = mine.clone();
    for (field, source) in from.1 {
        let pointer = format!("/{field}");
        let (Some(new), old) = (theirs.pointer(&pointer), mine.pointer(&pointer)) else {
            continue;
        };
        match old {
            Some(old) if old != new => notes.push(Note {
                source: source.clone(),
                message: format!(
                    "`{field}` {new} for {what} differs from {old} read before; the first is kept"
                ),
            }),
            Some(_) => {}
            None => {
                set_pointer(&mut merged, field, new.clone());
                sources.insert(field.clone(), source.clone());
            }
        }
    }
    if let Ok(merged) = serde_json::from_value::<Uses>(merged) {
        *uses = merged;
    }
}

fn set_pointer(value: &mut Value, path: &str, new: Value) {
    let mut node = value;
    let parts: Vec<&str> = path.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if !node.is_object() {
            *node = Value::Object(Default::default());
        }
        let map = node.as_object_mut().expect("made an object above");
        if i + 1 == parts.len() {
            map.insert(part.to_string(), new);
            return;
        }
        node = map
            .entry(part.to_string())
            .or_insert(Value::Object(Default::default()));
    }
}

/// A duration as Istio writes it (Go's `time.ParseDuration` units: `1.000s`, `3m`,
/// `250ms`, `1h30m`), in whole milliseconds, rounded up so that a positive duration is
/// never 0.
pub(super) fn duration_ms(text: &str) -> Option<u64> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total_ns: f64 = 0.0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "h" => 3.6e12,
            "m" => 6e10,
            "s" => 1e9,
            "ms" => 1e6,
            "us" | "µs" => 1e3,
            "ns" => 1.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total_ns += number * scale;
    }
    if !total_ns.is_finite() || total_ns > 1e21 {
        return None;
    }
    Some((total_ns / 1e6).ceil() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_istio_writes_them() {
        assert_eq!(duration_ms("1.000s"), Some(1000));
        assert_eq!(duration_ms("2s"), Some(2000));
        assert_eq!(duration_ms("3m"), Some(180_000));
        assert_eq!(duration_ms("250ms"), Some(250));
        assert_eq!(duration_ms("1h30m"), Some(5_400_000));
        assert_eq!(duration_ms("10us"), Some(1));
        assert_eq!(duration_ms("0s"), Some(0));
        for bad in ["", "s", "10", "1x", "1.2.3s", "9999999999999999999999h"] {
            assert_eq!(duration_ms(bad), None, "{bad}");
        }
    }
}
