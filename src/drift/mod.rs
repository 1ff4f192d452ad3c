//! `commsplan drift`: the model compared with what is deployed. The deployed side is an
//! [`Imported`] (read by the importers); the model side is each interaction's `uses` as
//! the model says the call uses it — written on the interaction, else the file's
//! `defaults` (`InteractionDecl::uses` has both merged).
//!
//! Matching (documented in docs/drift.md): a deployed call matches the model's
//! interactions with the same `from` and `to` service names. A deployed call with a
//! channel (an asynchronous one) matches only the interactions on that channel; when none
//! is on it, those of the pair that name no channel. A deployed call without a channel
//! matches every interaction of the pair: a route's timeout applies to every call to
//! that host. Nothing is matched by position or by id, so reordering either side changes
//! nothing.

mod settings;

use crate::codes::{CALL_NOT_IN_MODEL, CALL_NOT_SHOWN_DEPLOYED};
use crate::finding::{Finding, Location};
use crate::import::{Imported, ImportedInteraction, Source};
use crate::model::{InteractionDecl, Model};

/// The drift findings of `model` against `deployed`, in no particular order (the caller
/// sorts them with the rest of the report).
pub fn compare(model: &Model, deployed: &Imported) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut shown = vec![false; model.interactions.len()];
    for call in &deployed.interactions {
        let matched = matches(model, call);
        if matched.is_empty() {
            findings.push(not_in_model(model, call));
            continue;
        }
        for index in matched {
            shown[index] = true;
            settings::compare(model, &model.interactions[index], call, &mut findings);
        }
    }
    for (decl, _) in model.interactions.iter().zip(&shown).filter(|(_, s)| !**s) {
        findings.push(not_shown(model, decl, deployed));
    }
    findings
        .sort_by(|a, b| (&a.location, a.code, &a.message).cmp(&(&b.location, b.code, &b.message)));
    // One deployed value seen twice (two addresses of one service) is one finding.
    findings.dedup();
    findings
}

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

/// A location in a deployed file, from an importer's source.
pub fn deployed_location(source: &Source) -> Location {
    Location {
        file: std::sync::Arc::clone(&source.file),
        line: source.line.max(1),
        column: source.column.max(1),
        end_line: source.line.max(1),
        end_column: source.column.max(1),
    }
}

fn not_in_model(model: &Model, call: &ImportedInteraction) -> Finding {
    let on = call
        .uses
        .channel
        .as_deref()
        .map(|c| format!(" on channel `{c}`"))
        .unwrap_or_default();
    let mut finding = Finding::new(
        &CALL_NOT_IN_MODEL,
        format!(
            "the deployed configuration shows a call from `{}` to `{}`{on} that no interaction of the model describes",
            call.from, call.to
        ),
    )
    .help("add the interaction to the model (`commsplan import … --merge FILE` appends it), or remove the stale address from the deployment")
    .interaction(call.id.clone())
    .service(call.from.clone())
    .at(deployed_location(&call.source))
    .label("deployed call");
    if let Some(file) = model.files.first() {
        if let Some(spans) = &file.spans {
            finding = finding.related(
                file.key_location(spans, "/interactions"),
                "the model's interactions",
            );
        }
    }
    finding
}

fn not_shown(model: &Model, decl: &InteractionDecl, deployed: &Imported) -> Finding {
    let to = &decl.interaction.to;
    let why = if deployed.services.contains_key(to.as_str()) {
        "the deployed files hold no address or operation that shows this call (it may be configured in code or found through discovery)".to_string()
    } else {
        format!("the deployed files do not show the call, nor the service `{to}`")
    };
    Finding::new(
        &CALL_NOT_SHOWN_DEPLOYED,
        format!(
            "interaction `{}` from `{}` to `{to}`: {why}",
            decl.id(),
            decl.interaction.from
        ),
    )
    .help("nothing to do if the call is made in a way the manifests cannot show; remove the interaction if the call is gone")
    .interaction(decl.id())
    .service(decl.interaction.from.clone())
    .at(model.at(&decl.origin, crate::model::fields::ID))
    .label("not shown by the deployed files")
}

#[cfg(test)]
mod tests;
