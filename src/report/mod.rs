//! Output formats. Each renders the same [`Analysis`]; none of them changes what a
//! finding says.

pub mod fingerprint;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod paths;
pub mod sarif;
pub mod statistics;
pub mod table;

use crate::analysis::Analysis;
use crate::finding::Location;

/// A view of one interaction as the reports show it.
pub struct InteractionRow<'a> {
    pub id: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub recommended: Option<&'static str>,
    pub declared: Option<&'static str>,
    pub path: &'a [&'static str],
    pub reasons: &'a [String],
    pub location: Location,
}

pub fn interaction_rows(analysis: &Analysis) -> Vec<InteractionRow<'_>> {
    let model = &analysis.model;
    model
        .interactions
        .iter()
        .zip(&analysis.decisions)
        .map(|(decl, decision)| InteractionRow {
            id: &decl.interaction.id,
            from: &decl.interaction.from,
            to: &decl.interaction.to,
            recommended: decision.recommended.map(|p| p.as_str()),
            declared: decl.uses().pattern.map(|p| p.as_str()),
            path: &decision.path,
            reasons: &decision.reasons,
            location: model.locate(&decl.origin, ""),
        })
        .collect()
}
