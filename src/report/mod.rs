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

/// "23 interactions", "1 error", "14 warnings", "3 infos": the counts every summary shows,
/// unsuppressed findings only.
pub fn count_phrases(analysis: &Analysis) -> [String; 4] {
    use crate::finding::Severity;
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    [
        plural(
            analysis.model.interactions.len(),
            "interaction",
            "interactions",
        ),
        plural(analysis.count(Severity::Error), "error", "errors"),
        plural(analysis.count(Severity::Warning), "warning", "warnings"),
        plural(analysis.count(Severity::Info), "info", "infos"),
    ]
}
