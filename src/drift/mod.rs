//! `commsplan drift`: the model compared with what is deployed. The deployed side is an
//! [`Imported`] (read by the importers); the model side is each interaction's `uses` as
//! the model says the call uses it — written on the interaction, else the file's
//! `defaults` (`InteractionDecl::uses` has both merged).
//!
//! Deployed calls are matched with the model's interactions by `import::matching`
//! (the rule `import --merge` uses too; documented in docs/drift.md).

mod services;
mod settings;

use crate::analysis::{analyze_with, Analysis, RunOptions};
use crate::codes::{CALL_NOT_IN_MODEL, CALL_NOT_SHOWN_DEPLOYED, SERVICE_NOT_DEPLOYED};
use crate::finding::{Finding, Location, Severity};
use crate::import::{matching, Imported, ImportedInteraction, Source};
use crate::model::{InteractionDecl, LoadOptions, Model};
use std::path::Path;

/// One `drift` run: the model loaded (its load errors kept, its checks not run into the
/// report), then compared with `deployed`. The findings are the drift findings, the load
/// errors of the model and the diagnostics of the deployed files, in position order
/// (the model's files first, in the order given, then the deployed files by path).
pub fn analyze(
    files: &[impl AsRef<Path>],
    run: &RunOptions,
    deployed: &Imported,
) -> anyhow::Result<Analysis> {
    let mut analysis = analyze_with(files, &LoadOptions::default(), run)?;
    analysis.findings.retain(Finding::did_not_load);
    let model_loaded = analysis.findings.is_empty();
    analysis
        .findings
        .extend(deployed.diagnostics.iter().cloned());
    // A deployed file that did not read hides its calls and services: every
    // interaction and service would look unseen. The other findings stand on what was read.
    let deployed_read = !deployed
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    if model_loaded {
        let config = &analysis.config;
        let found: Vec<Finding> = compare(&analysis.model, deployed)
            .into_iter()
            .filter(|f| config.is_selected(f.code))
            .filter(|f| {
                deployed_read
                    || (f.code != CALL_NOT_SHOWN_DEPLOYED.code
                        && f.code != SERVICE_NOT_DEPLOYED.code)
            })
            .map(|mut f| {
                if let Some(severity) = config.severity_of(f.code) {
                    f.severity = severity;
                }
                f
            })
            .collect();
        analysis.findings.extend(found);
    }
    let model = &analysis.model;
    analysis.findings.sort_by_cached_key(|f| {
        let location = f.location.as_ref();
        let rank = location
            .and_then(|l| model.files.iter().position(|s| s.path == l.file))
            .unwrap_or(usize::MAX);
        (
            rank,
            location.map(|l| (l.file.clone(), l.line, l.column)),
            f.code,
            f.message.clone(),
        )
    });
    Ok(analysis)
}

/// The imports of several `--from` inputs as one deployment: services by name (the
/// first reading of a name is kept), every call, destination policy, note and diagnostic.
pub fn combine(parts: Vec<Imported>) -> Imported {
    let mut all = Imported::default();
    for part in parts {
        all.system = all.system.or(part.system);
        for (name, service) in part.services {
            all.services.entry(name).or_insert(service);
        }
        all.interactions.extend(part.interactions);
        all.policies.extend(part.policies);
        all.notes.extend(part.notes);
        all.diagnostics.extend(part.diagnostics);
        all.lists_services |= part.lists_services;
    }
    all.notes.sort();
    all.notes.dedup();
    all
}

/// The drift findings of `model` against `deployed`, in no particular order (the caller
/// sorts them with the rest of the report).
pub fn compare(model: &Model, deployed: &Imported) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut shown = vec![false; model.interactions.len()];
    for call in &deployed.interactions {
        let matched = matching::matches(model, call);
        if matched.is_empty() {
            findings.push(not_in_model(model, call));
            continue;
        }
        for index in matched {
            shown[index] = true;
            settings::compare(model, &model.interactions[index], call, &mut findings);
        }
    }
    services::compare(model, deployed, &mut findings);
    for (decl, _) in model.interactions.iter().zip(&shown).filter(|(_, s)| !**s) {
        // Settings every call to the destination gets show the call's configuration,
        // though not the call: compared, and not reported as unseen.
        let policies = matching::policy_calls(model, decl, deployed);
        if policies.is_empty() {
            findings.push(not_shown(model, decl, deployed));
        }
        for call in &policies {
            settings::compare(model, decl, call, &mut findings);
        }
    }
    findings
        .sort_by(|a, b| (&a.location, a.code, &a.message).cmp(&(&b.location, b.code, &b.message)));
    // One deployed value seen twice (two addresses of one service) is one finding.
    findings.dedup();
    findings
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
            "the deployed configuration shows a call `{}` from `{}` to `{}`{on} that no interaction of the model describes",
            call.id, call.from, call.to
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
