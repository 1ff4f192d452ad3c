//! `resilience4j`: per Java service, Spring Boot resilience4j instances per sync
//! dependency.

use super::{Inputs, Job};
use crate::generate::fields::{self, UsesPath};
use crate::generate::templates::templates;
use crate::model::types::Language;
use serde_json::{json, Value};
use std::collections::HashMap;

templates! {
    "resilience4j/application.yml" => "per Java service: Spring Boot resilience4j instances per sync dependency",
}

const USES: &[UsesPath] = &[
    fields::TIMEOUT_MS,
    fields::RETRY,
    fields::CIRCUIT_BREAKER,
    fields::BULKHEAD,
    fields::RATE_LIMIT,
];

pub fn jobs(inputs: &Inputs) -> Vec<Job> {
    let mut out = Vec::new();
    for name in inputs.model.services.keys() {
        if inputs.language(name) != Some(Language::Java) {
            continue;
        }
        let (sync, _) = inputs.deps_of(name, USES);
        if sync.is_empty() {
            continue;
        }
        // Instances are named after the called service, as `@CircuitBreaker(name = "inventory")`
        // reads; a second call to the same service gets the interaction's name instead.
        let mut seen: HashMap<String, usize> = HashMap::new();
        for d in &sync {
            *seen
                .entry(d["to_slug"].as_str().unwrap_or("").to_string())
                .or_default() += 1;
        }
        let instances: Vec<Value> = sync
            .into_iter()
            .map(|mut d| {
                let to = d["to_slug"].as_str().unwrap_or("").to_string();
                let instance = if seen[&to] > 1 {
                    d["id_slug"].as_str().unwrap_or("").to_string()
                } else {
                    to
                };
                d["instance"] = json!(instance);
                d
            })
            .collect();
        let rate_limited: Vec<Value> = instances
            .iter()
            .filter(|d| !d["v"]["rate_limit"].is_null())
            .cloned()
            .collect();
        let slug = inputs.slug_of(name);
        out.push(Job {
            path: format!("resilience4j/{slug}/application.yml"),
            template: "resilience4j/application.yml",
            context: json!({
                "system": inputs.system,
                "service": name,
                "service_slug": slug,
                "instances": instances,
                "rate_limited": rate_limited,
            }),
        });
    }
    out
}
