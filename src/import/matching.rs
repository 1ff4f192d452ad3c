//! Which of the model's interactions a deployed call is, for `drift` and `import --merge`.
//!
//! A deployed call matches the model's interactions with the same `from` and `to`
//! service names. A call with a channel (an asynchronous one) matches only the
//! interactions on that channel; when none is on it, those of the pair that name no
//! channel. A call without a channel matches every interaction of the pair: a route's
//! timeout applies to every call to that host. Nothing is matched by position or by id,
//! so reordering either side changes nothing. The channel compared is the one the model
//! says the call uses (its own, else the file's `defaults`).

use super::{Callers, Imported, ImportedInteraction};
use crate::model::types::{ServiceKind, Uses};
use crate::model::{InteractionDecl, Model};
use serde_json::Value;

/// The indexes of the model's interactions that `call` matches (see the module's rule).
pub fn matches(model: &Model, call: &ImportedInteraction) -> Vec<usize> {
    let pair = |decl: &InteractionDecl| {
        decl.interaction.from == call.from && decl.interaction.to == call.to
    };
    let of_pair = || {
        model
            .interactions
            .iter()
            .enumerate()
            .filter(move |(_, d)| pair(d))
    };
    let Some(channel) = call.uses.channel.as_deref() else {
        return of_pair().map(|(i, _)| i).collect();
    };
    let on_channel: Vec<usize> = of_pair()
        .filter(|(_, d)| d.uses().channel.as_deref() == Some(channel))
        .map(|(i, _)| i)
        .collect();
    if !on_channel.is_empty() {
        return on_channel;
    }
    of_pair()
        .filter(|(_, d)| d.uses().channel.is_none())
        .map(|(i, _)| i)
        .collect()
}

/// For an interaction no deployed call matches: the destination policies that apply to
/// it (an Istio VirtualService or DestinationRule for its `to`, whose callers include
/// its `from`), each as a call carrying the policy's settings. The call itself is not
/// visible (it is made in code), but the settings every call to the host gets are.
pub fn policy_calls(
    model: &Model,
    decl: &InteractionDecl,
    deployed: &Imported,
) -> Vec<ImportedInteraction> {
    let from = &decl.interaction.from;
    let is_gateway = model
        .service(from)
        .is_some_and(|s| s.service.kind == Some(ServiceKind::Gateway));
    deployed
        .policies
        .iter()
        .filter(|p| p.host == decl.interaction.to)
        .filter(|p| match &p.callers {
            Callers::All => true,
            Callers::Mesh => !is_gateway,
            Callers::Gateway(g) => g == from,
        })
        .map(|p| ImportedInteraction {
            id: decl.id().to_string(),
            from: from.clone(),
            to: p.host.clone(),
            summary: None,
            uses: p.uses.clone(),
            source: p.source.clone(),
            field_sources: p.field_sources.clone(),
        })
        .collect()
}

/// Every value of `uses` with its path (`timeout_ms`, `retry/max_attempts`), in the
/// order of the fields of `Uses`, so whatever walks them does so in one order.
pub fn settings(uses: &Uses) -> Vec<(String, Value)> {
    let value = serde_json::to_value(uses).unwrap_or(Value::Null);
    let mut out = Vec::new();
    leaves(&value, String::new(), &mut out);
    out
}

fn leaves(value: &Value, path: String, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let below = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}/{key}")
                };
                leaves(child, below, out);
            }
        }
        Value::Null => {}
        // Lists (none among the call settings today) are compared whole.
        _ => out.push((path, value.clone())),
    }
}

/// The value at `path` under `uses`, if it is set.
pub fn setting<'v>(uses: &'v Value, path: &str) -> Option<&'v Value> {
    let mut node = uses;
    for key in path.split('/') {
        node = node.get(key)?;
    }
    (!node.is_null()).then_some(node)
}

/// Equal settings; numbers by value, so `1000` and `1000.0` are one timeout.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}
